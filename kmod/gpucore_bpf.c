// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore BPF scheduling: the struct_ops type, its kfuncs, attach, detach,
 * replace, ejection, the tick and the watchdog.
 */

/**
 * DOC: BPF scheduling policies
 *
 * A policy is a BPF struct_ops map of type &struct gpucore_sched_ops,
 * attached only through a BPF link (``SEC(".struct_ops.link")``; a map
 * without BPF_F_LINK is refused with -EOPNOTSUPP). One policy at
 * a time serves every GPU; attaching a second one fails with -EEXIST unless
 * it replaces the first through bpf_link_update(). While a struct_ops map
 * of this type exists it holds a reference on the module, so the module
 * cannot be unloaded under a policy.
 *
 * The scheduler core keeps the truth: every channel's jobs, its state
 * (idle, queued, running) and its engine's runlist of queued channels,
 * oldest first. The policy is told about every change (runnable,
 * running, stopping, quiescent) and, when an engine is idle, chooses the
 * next channel with gpucore_dispatch(). The kfunc validates the choice
 * against the core's state, so a policy can never run a channel that is
 * not runnable, nor run one twice, nor lose one.
 *
 * A GPU whose backend schedules its engines itself (the fw_sched module
 * parameter) is not under any policy: a policy attaches to the other GPUs,
 * and attaching one when every GPU schedules itself fails with -ENODEV.
 *
 * Ejection: an invalid decision, a gpucore_bpf_error() call, a callback's
 * init failure, a runnable channel that made no progress for the watchdog
 * timeout, callbacks running past the policy's time budget (budget_us;
 * see gpucore_cb_overrun()), or an operator
 * writing to the sysfs ``eject`` file ejects the policy. Progress is
 * guaranteed whatever the policy does: a kick cannot switch a channel out
 * before it ran GPUCORE_MIN_QUANTUM_NS, and a kick takes effect only
 * after the callback, each engine at most once per pass of the core
 * (gpucore_sched_kick()). From that instant no callback
 * is called any more and the built-in round robin serves the runlists
 * (which always hold every runnable channel); a work item then detaches
 * the policy from each GPU,
 * calls its exit() and records the exit kind, reason and message, kept in
 * sysfs (``/sys/module/gpucore/policy``) until the next exit. No job is
 * lost or run twice, because jobs never leave the core.
 *
 * Replace: bpf_link_update() with a new map calls the new policy's init(),
 * then for each GPU, under its lock, installs the new policy and tells it
 * about every vGPU, channel, runnable channel and running channel before
 * any decision; engines keep running throughout. The old policy then gets
 * exit() with GPUCORE_EXIT_REPLACED.
 *
 * Locking: gpucore_policy.mutex serialises attach, detach, replace and the
 * ejection work; gpucore_policy.lock (a spinlock, taken inside GPU locks)
 * protects the exit records; gpu->policy changes under the GPU lock, so a
 * callback never runs for a GPU whose policy is being changed.
 */

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf_ids.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "gpucore_priv.h"
#include "gpucore_policy.h"
#include "gpucore_trace.h"

/* Index of a callback in the per-callback tables: its slot in the ops. */
#define GPUCORE_CB_IDX(op)	(offsetof(struct gpucore_sched_ops, op) / sizeof(void *))
#define GPUCORE_CB_NR		(offsetof(struct gpucore_sched_ops, timeslice_ns) / sizeof(void *))

/* What the kfuncs may touch: set for the duration of each callback. */
struct gpucore_cb_ctx {
	struct gpucore_gpu *gpu;	/* whose lock is held, or NULL */
	struct gpucore_engine *engine;	/* in dispatch() */
	struct gpucore_channel *pick;	/* gpucore_dispatch()'s choice */
	const char *cb;			/* the callback running */
	bool moved;			/* dispatch() inserted or moved a channel */
};

static DEFINE_PER_CPU(struct gpucore_cb_ctx, gpucore_cb_ctx);

static struct gpucore_policy_state {
	struct mutex mutex;
	spinlock_t lock;
	struct gpucore_sched_ops *ops;	/* attached policy; under @mutex */
	bool live;			/* @ops set; under @lock */
	bool ejecting;			/* callbacks stopped; READ_ONCE */
	char name[GPUCORE_POLICY_NAME_LEN];
	u64 attached_ns;
	time64_t attached_at;
	atomic64_t decisions;
	atomic64_t errors;
	u64 ejections;
	u64 budget_ns;			/* callback runtime budget; READ_ONCE */
	u64 overruns;			/* callbacks past the budget; under @lock */
	struct gpucore_cb_window {	/* per callback, under @lock: */
		u64 start;		/* the strike window's first overrun, 0: none */
		u64 calls;		/* the callback's timed calls before it */
		u64 overruns;		/* in the window */
		u64 worst;		/* the longest of them */
		unsigned long until;	/* jiffies: every call timed before it */
	} win[GPUCORE_CB_NR];
	struct gpucore_exit_info pending;	/* eject being processed */
	struct gpucore_exit_info exit;		/* last policy that stopped */
	struct work_struct eject_work;
	struct kobject *kobj;
	/* queues created by the init() of a policy being attached, per GPU */
	struct gpucore_dsq_set *new_dsqs[GPUCORE_MAX_GPUS];
} gpucore_policy = {
	.mutex = __MUTEX_INITIALIZER(gpucore_policy.mutex),
	.lock = __SPIN_LOCK_UNLOCKED(gpucore_policy.lock),
};


BTF_ID_LIST(gpucore_bpf_btf_ids)
BTF_ID(struct, gpucore_sched_ops)
BTF_ID(struct, gpucore_channel)
BTF_ID(struct, gpucore_vgpu)

/* The kfuncs only some callbacks may call (gpucore_kfunc_filter()). */
BTF_ID_LIST(gpucore_kfunc_limited_ids)
BTF_ID(func, gpucore_dispatch)
BTF_ID(func, gpucore_create_dsq)
BTF_ID(func, gpucore_dsq_insert)
BTF_ID(func, gpucore_dsq_insert_vtime)
BTF_ID(func, gpucore_dsq_move_to_local)

/**
 * gpucore_policy_active - is a BPF policy making this GPU's decisions?
 * @gpu: the GPU
 *
 * Context: the GPU lock held.
 * Return: true if callbacks are to be called.
 */
bool gpucore_policy_active(struct gpucore_gpu *gpu)
{
	return gpu->policy && !READ_ONCE(gpucore_policy.ejecting);
}

/**
 * gpucore_policy_name - name of the attached policy
 *
 * Return: the name, or "builtin" when none is active.
 */
const char *gpucore_policy_name(void)
{
	return READ_ONCE(gpucore_policy.live) && !READ_ONCE(gpucore_policy.ejecting) ?
		gpucore_policy.name : "builtin";
}

static const char *gpucore_exit_kind_name(u32 kind)
{
	switch (kind) {
	case GPUCORE_EXIT_NONE: return "none";
	case GPUCORE_EXIT_UNREG: return "unregistered";
	case GPUCORE_EXIT_REPLACED: return "replaced";
	case GPUCORE_EXIT_SYSFS: return "sysfs";
	case GPUCORE_EXIT_UNLOAD: return "unload";
	case GPUCORE_EXIT_ERROR: return "error";
	case GPUCORE_EXIT_INVALID: return "invalid";
	case GPUCORE_EXIT_STALL: return "stall";
	case GPUCORE_EXIT_INIT: return "init";
	case GPUCORE_EXIT_SLOW: return "slow";
	}
	return "unknown";
}

static void gpucore_exit_info_set(struct gpucore_exit_info *info, u32 kind,
				  const char *reason, const char *fmt, va_list args)
{
	info->kind = kind;
	info->when_ns = ktime_get_ns();
	strscpy(info->reason, reason, sizeof(info->reason));
	vsnprintf(info->msg, sizeof(info->msg), fmt, args);
}

/*
 * Eject the attached policy: callbacks stop at once (any context), the
 * detach itself is done by gpucore_policy_eject_workfn(). Only the first
 * reason is kept.
 */
static __printf(3, 4) void gpucore_policy_eject(u32 kind, const char *reason,
						const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	spin_lock_irqsave(&gpucore_policy.lock, flags);
	if (!gpucore_policy.live || gpucore_policy.ejecting) {
		spin_unlock_irqrestore(&gpucore_policy.lock, flags);
		return;
	}
	va_start(args, fmt);
	gpucore_exit_info_set(&gpucore_policy.pending, kind, reason, fmt, args);
	va_end(args);
	WRITE_ONCE(gpucore_policy.ejecting, true);
	spin_unlock_irqrestore(&gpucore_policy.lock, flags);

	trace_gpucore_policy_eject(gpucore_policy.name, kind, reason,
				   gpucore_policy.pending.msg);
	queue_work(system_unbound_wq, &gpucore_policy.eject_work);
}

/*
 * Callback timing. Every callback called with a GPU lock held is held to
 * the policy's budget (budget_us). Those called for every job or decision
 * (GPUCORE_CB_SAMPLED) are timed one call in GPUCORE_CB_SAMPLE, drawn at
 * random (so a policy cannot place its slow calls between the timed
 * ones), and every call while an overrun of theirs holds a strike window
 * open: a slow callback is slow on a good part of its calls, and two
 * clock reads cost as much as a quick callback. The others are timed
 * every call. Writing N to debugfs gpucore/cb_timing turns the
 * measurement off, so that make bench can show what it costs.
 */
static bool gpucore_cb_timing = true;

#define GPUCORE_CB_SAMPLE	8
#define GPUCORE_CB_BIT(op)	BIT(GPUCORE_CB_IDX(op))
#define GPUCORE_CB_SAMPLED	(GPUCORE_CB_BIT(runnable) | GPUCORE_CB_BIT(quiescent) |	\
				 GPUCORE_CB_BIT(running) | GPUCORE_CB_BIT(stopping) |	\
				 GPUCORE_CB_BIT(dispatch))

/* Per CPU: a xorshift32 state, seeded at init, drawing the calls to time. */
static DEFINE_PER_CPU(u32, gpucore_cb_rnd);

static bool gpucore_cb_sample(void)
{
	u32 x = this_cpu_read(gpucore_cb_rnd);

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	this_cpu_write(gpucore_cb_rnd, x);
	return x % GPUCORE_CB_SAMPLE == 0;
}

/* Is callback @idx's strike window open (every call timed)? */
static bool gpucore_cb_window_open(u32 idx)
{
	unsigned long until = READ_ONCE(gpucore_policy.win[idx].until);

	return until && time_before(jiffies, until);
}

/* Before a callback: its start time, or 0 if this call is not timed. */
static u64 gpucore_cb_start(u32 idx)
{
	if (!READ_ONCE(gpucore_cb_timing))
		return 0;
	if ((GPUCORE_CB_SAMPLED & BIT(idx)) && !gpucore_cb_sample() &&
	    !gpucore_cb_window_open(idx))
		return 0;
	return ktime_get_ns();
}

/* Timed calls of each callback, per CPU: the base of its overrun rate. */
static DEFINE_PER_CPU(u64 [GPUCORE_CB_NR], gpucore_cb_calls);

static u64 gpucore_cb_calls_sum(u32 idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(gpucore_cb_calls, cpu)[idx];
	return sum;
}

/*
 * A callback ran past the budget. Inside a virtual machine a quick
 * callback can look slow now and then (the host took the CPU away in the
 * middle of it), the more often the more callbacks run; a slow callback
 * is slow on a good part of its calls. So a policy is ejected when,
 * within GPUCORE_CB_STRIKE_MS, at least GPUCORE_CB_STRIKES calls of one
 * callback, and at least GPUCORE_CB_STRIKE_PCT percent of its calls, ran
 * past the budget, or two of them past the largest budget there is (one
 * such stall of a quick callback was seen in a heavily loaded host). The
 * message names the longest.
 */
static void gpucore_cb_overrun(u32 idx, const char *cb, u64 len)
{
	struct gpucore_policy_state *p = &gpucore_policy;
	u64 now = ktime_get_ns(), calls = gpucore_cb_calls_sum(idx), n, start;
	struct gpucore_cb_window *w = &p->win[idx];
	unsigned long flags;
	u64 worst;

	spin_lock_irqsave(&p->lock, flags);
	p->overruns++;
	if (!w->start || now - w->start > GPUCORE_CB_STRIKE_MS * NSEC_PER_MSEC) {
		w->start = now;
		w->calls = calls;
		w->overruns = 0;
		w->worst = 0;
		WRITE_ONCE(w->until, jiffies + msecs_to_jiffies(GPUCORE_CB_STRIKE_MS));
	}
	w->overruns++;
	w->worst = max(w->worst, len);
	worst = w->worst;
	n = w->overruns;
	start = w->start;
	calls -= w->calls;
	spin_unlock_irqrestore(&p->lock, flags);

	/* Past the largest budget twice, or often past the policy's. */
	if (!(n >= 2 && worst > GPUCORE_CB_BUDGET_MAX_US * NSEC_PER_USEC) &&
	    (n < GPUCORE_CB_STRIKES || n * 100 < calls * GPUCORE_CB_STRIKE_PCT))
		return;
	gpucore_policy_eject(GPUCORE_EXIT_SLOW, "callback too slow",
			     "%s() ran %llu us with the GPU lock held, budget %llu us (%llu of its %llu calls over it in %llu ms)",
			     cb, div_u64(worst, NSEC_PER_USEC),
			     div_u64(READ_ONCE(p->budget_ns), NSEC_PER_USEC), n, calls,
			     div_u64(now - start, NSEC_PER_MSEC));
}

/* After a callback: hold it to the budget. */
static void gpucore_cb_end(struct gpucore_cb_ctx *ctx, u32 idx, const char *cb, u64 t0)
{
	u64 len;

	if (!t0)
		return;
	len = ktime_get_ns() - t0;
	this_cpu_inc(gpucore_cb_calls[idx]);
	if (unlikely(len > READ_ONCE(gpucore_policy.budget_ns)))
		gpucore_cb_overrun(idx, cb, len);
}

/* Run @call (which uses __ops) with @gpu's policy and the kfunc context set. */
#define __GPUCORE_CALL(_gpu, op, call)						\
	do {									\
		struct gpucore_sched_ops *__ops = (_gpu)->policy;		\
		struct gpucore_cb_ctx *__ctx;					\
		u64 __t0;							\
										\
		if (!__ops || !__ops->op || READ_ONCE(gpucore_policy.ejecting))	\
			break;							\
		__ctx = this_cpu_ptr(&gpucore_cb_ctx);				\
		__ctx->gpu = (_gpu);						\
		__ctx->cb = #op;						\
		__t0 = gpucore_cb_start(GPUCORE_CB_IDX(op));			\
		call;								\
		gpucore_cb_end(__ctx, GPUCORE_CB_IDX(op), #op, __t0);		\
		__ctx->gpu = NULL;						\
		__ctx->cb = NULL;						\
	} while (0)

/* Call a callback of @gpu's policy with the kfunc context set. */
#define GPUCORE_CALL(_gpu, op, ...)						\
	__GPUCORE_CALL(_gpu, op, __ops->op(__VA_ARGS__))

/* The same, keeping the callback's return value in @ret. */
#define GPUCORE_CALL_RET(ret, _gpu, op, ...)					\
	__GPUCORE_CALL(_gpu, op, (ret) = __ops->op(__VA_ARGS__))

/**
 * gpucore_policy_vgpu_init - tell the policy about a new vGPU
 * @vgpu: the vGPU
 *
 * Context: the GPU lock held.
 */
void gpucore_policy_vgpu_init(struct gpucore_vgpu *vgpu)
{
	s32 ret = 0;

	GPUCORE_CALL_RET(ret, vgpu->gpu, vgpu_init, vgpu);
	if (ret)
		gpucore_policy_eject(GPUCORE_EXIT_INIT, "vgpu_init failed",
				     "vgpu_init(gpu%u/%s) returned %d", vgpu->gpu->id,
				     vgpu->name, ret);
}

/**
 * gpucore_policy_vgpu_update - tell the policy a vGPU's parameters changed
 * @vgpu: the vGPU
 *
 * Context: the GPU lock held.
 */
void gpucore_policy_vgpu_update(struct gpucore_vgpu *vgpu)
{
	GPUCORE_CALL(vgpu->gpu, vgpu_update, vgpu);
}

/**
 * gpucore_policy_vgpu_exit - tell the policy a vGPU goes away
 * @vgpu: the vGPU, without channels
 *
 * Context: the GPU lock held.
 */
void gpucore_policy_vgpu_exit(struct gpucore_vgpu *vgpu)
{
	GPUCORE_CALL(vgpu->gpu, vgpu_exit, vgpu);
}

/**
 * gpucore_policy_channel_init - tell the policy about a new channel
 * @ch: the channel, idle
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_channel_init(struct gpucore_channel *ch)
{
	s32 ret = 0;

	GPUCORE_CALL_RET(ret, ch->gpu, channel_init, ch);
	if (ret)
		gpucore_policy_eject(GPUCORE_EXIT_INIT, "channel_init failed",
				     "channel_init(%u) returned %d", ch->id, ret);
}

/**
 * gpucore_policy_channel_exit - tell the policy a channel goes away
 * @ch: the channel, idle
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_channel_exit(struct gpucore_channel *ch)
{
	GPUCORE_CALL(ch->gpu, channel_exit, ch);
}

/**
 * gpucore_policy_runnable - a channel was queued on its engine's runlist
 * @ch: the channel
 * @flags: GPUCORE_ENQ_*
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_runnable(struct gpucore_channel *ch, u64 flags)
{
	GPUCORE_CALL(ch->gpu, runnable, ch, flags);
}

/**
 * gpucore_policy_quiescent - a channel left the runnable set
 * @ch: the channel
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_quiescent(struct gpucore_channel *ch)
{
	GPUCORE_CALL(ch->gpu, quiescent, ch);
}

/**
 * gpucore_policy_running - a channel was switched in
 * @ch: the channel
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_running(struct gpucore_channel *ch)
{
	GPUCORE_CALL(ch->gpu, running, ch);
}

/**
 * gpucore_policy_stopping - a channel is being switched out
 * @ch: the channel
 * @ran_ns: engine time charged to @ch in this run
 * @reason: GPUCORE_STOP_*
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_stopping(struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	GPUCORE_CALL(ch->gpu, stopping, ch, ran_ns, reason);
}

/* One dispatch() call; returns what it picked by id, and whether it moved anything. */
static struct gpucore_channel *gpucore_policy_dispatch_once(struct gpucore_engine *e,
							    bool *moved)
{
	struct gpucore_cb_ctx *ctx = this_cpu_ptr(&gpucore_cb_ctx);
	struct gpucore_channel *pick;
	u64 t0;

	ctx->gpu = e->gpu;
	ctx->engine = e;
	ctx->cb = "dispatch";
	ctx->pick = NULL;
	ctx->moved = false;
	t0 = gpucore_cb_start(GPUCORE_CB_IDX(dispatch));
	e->gpu->policy->dispatch(e, e->prev);
	gpucore_cb_end(ctx, GPUCORE_CB_IDX(dispatch), "dispatch", t0);
	pick = ctx->pick;
	*moved = ctx->moved;
	ctx->gpu = NULL;
	ctx->engine = NULL;
	ctx->cb = NULL;
	ctx->pick = NULL;
	return pick;
}

/**
 * gpucore_policy_dispatch - let the policy fill an idle engine's local queue
 * @e: the idle engine; its local queue is empty
 * @pick: set to the channel to run (the one dispatch() picked by id, else
 *	the head of the local queue), or NULL for none
 *
 * dispatch() is called until it picks a channel or fills the local queue,
 * at most GPUCORE_DSP_MAX_LOOPS times, and stops early when a call moves
 * nothing. An engine that looped that often without a channel is kicked
 * again, from the kick worker. A policy without dispatch() runs only what
 * it inserts into local queues.
 *
 * Context: the GPU lock held.
 * Return: false if no policy decides (none attached, or it was ejected
 * meanwhile): the built-in policy chooses.
 */
static bool gpucore_policy_dispatch(struct gpucore_engine *e, struct gpucore_channel **pick)
{
	bool moved = false;
	u32 i;

	*pick = NULL;
	if (!gpucore_policy_active(e->gpu))
		return false;
	if (!e->gpu->policy->dispatch)
		return true;
	for (i = 0; i < GPUCORE_DSP_MAX_LOOPS; i++) {
		*pick = gpucore_policy_dispatch_once(e, &moved);
		if (READ_ONCE(gpucore_policy.ejecting))
			return false;
		if (!*pick)
			*pick = gpucore_dsq_first(&e->local);
		if (*pick || !moved)
			break;
	}
	if (*pick)
		atomic64_inc(&gpucore_policy.decisions);
	else if (moved)
		gpucore_sched_kick(e, false);
	return true;
}

/**
 * gpucore_policy_local_pick - an engine took a channel from its local queue
 * @e: the engine
 *
 * Counted as a decision of the policy, as one made by dispatch() is.
 *
 * Context: the GPU lock held.
 */
static void gpucore_policy_local_pick(struct gpucore_engine *e)
{
	atomic64_inc(&gpucore_policy.decisions);
}

/**
 * gpucore_policy_enq_last - does the policy see a lone channel's slice end?
 * @gpu: the GPU
 *
 * Context: the GPU lock held.
 * Return: true if a policy with GPUCORE_OPS_ENQ_LAST is active.
 */
static bool gpucore_policy_enq_last(struct gpucore_gpu *gpu)
{
	return gpucore_policy_active(gpu) && (gpu->policy->flags & GPUCORE_OPS_ENQ_LAST);
}

/*
 * Watchdog: a runnable channel that made no progress (got no engine time,
 * completed no job) for the timeout ejects the policy, however often it
 * was dispatched.
 */
static void gpucore_watchdog(struct gpucore_gpu *gpu, u64 now)
{
	u32 timeout_ms = gpu->policy->timeout_ms ?: GPUCORE_WATCHDOG_DEFAULT_MS;
	struct gpucore_channel *ch = gpucore_sched_longest_waiting(gpu);
	u64 waited;

	if (!ch)
		return;
	waited = now - ch->last_progress;
	if (waited <= (u64)timeout_ms * NSEC_PER_MSEC)
		return;
	gpucore_policy_eject(GPUCORE_EXIT_STALL, "runnable channel starved",
			     "channel %u (vgpu %s, pid %d) runnable on gpu%u/%s without progress for %llu ms (%llu kicks), timeout %u ms",
			     ch->id, ch->vgpu->name, ch->pid, gpu->id, ch->engine->name,
			     div_u64(waited, NSEC_PER_MSEC), ch->engine->kicks, timeout_ms);
}

static void gpucore_tick_workfn(struct work_struct *work)
{
	struct gpucore_gpu *gpu = container_of(to_delayed_work(work), struct gpucore_gpu,
					       tick_work);
	bool rearm;

	spin_lock_irq(&gpu->lock);
	rearm = gpu->policy;
	if (gpucore_policy_active(gpu)) {
		GPUCORE_CALL(gpu, tick, gpu);
		gpucore_watchdog(gpu, ktime_get_ns());
		gpucore_sched_kick_idle(gpu);
	}
	gpucore_sched_unlock_irq(gpu);
	if (rearm)
		queue_delayed_work(system_unbound_wq, &gpu->tick_work,
				   msecs_to_jiffies(GPUCORE_TICK_MS));
}

/* The GPUs policies attach to, registered as they come up. */
static struct gpucore_gpu *gpucore_policy_gpus[GPUCORE_MAX_GPUS];

/**
 * gpucore_policy_gpu_init - set up a GPU's policy state
 * @gpu: the GPU being brought up
 */
void gpucore_policy_gpu_init(struct gpucore_gpu *gpu)
{
	INIT_DELAYED_WORK(&gpu->tick_work, gpucore_tick_workfn);
	mutex_lock(&gpucore_policy.mutex);
	gpucore_policy_gpus[gpu->id] = gpu;
	mutex_unlock(&gpucore_policy.mutex);
}

/**
 * gpucore_policy_gpu_fini - forget a GPU going away
 * @gpu: the GPU; no policy is attached (rmmod is refused while one is)
 */
void gpucore_policy_gpu_fini(struct gpucore_gpu *gpu)
{
	mutex_lock(&gpucore_policy.mutex);
	gpucore_policy_gpus[gpu->id] = NULL;
	mutex_unlock(&gpucore_policy.mutex);
	cancel_delayed_work_sync(&gpu->tick_work);
}

/* Tell @gpu's (new) policy about everything that exists on it. */
static void gpucore_policy_tell_all(struct gpucore_gpu *gpu)
{
	struct gpucore_vgpu *vgpu;
	struct gpucore_channel *ch;
	unsigned long id;

	xa_for_each(&gpu->vgpus, id, vgpu) {
		if (vgpu->dead)
			continue;
		/* A new policy starts from clean per-object state. */
		memset(vgpu->policy_data, 0, sizeof(vgpu->policy_data));
		gpucore_policy_vgpu_init(vgpu);
		list_for_each_entry(ch, &vgpu->channels, vgpu_node) {
			memset(ch->policy_data, 0, sizeof(ch->policy_data));
			ch->dsq_vtime = 0;
			ch->slice_ns = 0;
			gpucore_policy_channel_init(ch);
			if (ch->state == GPUCORE_CH_QUEUED)
				gpucore_policy_runnable(ch, GPUCORE_ENQ_ATTACH);
			else if (ch->state == GPUCORE_CH_RUNNING)
				gpucore_policy_running(ch);
		}
	}
}

/* Free the queues a new policy's init() created for GPUs it did not get. */
static void gpucore_policy_free_new_dsqs(void)
{
	u32 g;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		gpucore_dsq_set_free(gpucore_policy.new_dsqs[g]);
		gpucore_policy.new_dsqs[g] = NULL;
	}
}

/* Install @ops (or NULL: the built-in policy) on every GPU. */
static void gpucore_policy_install(struct gpucore_sched_ops *ops)
{
	struct gpucore_dsq_set *old;
	u32 g, i;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		struct gpucore_gpu *gpu = gpucore_policy_gpus[g];

		if (!gpu || !gpucore_sched_by_driver(gpu))
			continue;
		mutex_lock(&gpu->vgpu_lock);
		spin_lock_irq(&gpu->lock);
		/* The old policy's queues go; their channels stay runnable. */
		old = gpu->dsqs;
		gpucore_dsq_set_clear(old);
		gpucore_sched_drop_queues(gpu);
		gpu->dsqs = ops ? gpucore_policy.new_dsqs[g] : NULL;
		if (ops)
			gpucore_policy.new_dsqs[g] = NULL;
		gpu->policy = ops;
		if (ops)
			gpucore_policy_tell_all(gpu);
		/* Let the new decider look at every engine now. */
		for (i = 0; i < gpu->num_engines; i++)
			gpucore_sched_kick(&gpu->engines[i], false);
		gpucore_sched_unlock_irq(gpu);
		mutex_unlock(&gpu->vgpu_lock);
		gpucore_dsq_set_free(old);
		if (ops)
			mod_delayed_work(system_unbound_wq, &gpu->tick_work,
					 msecs_to_jiffies(GPUCORE_TICK_MS));
		else
			cancel_delayed_work_sync(&gpu->tick_work);
	}
}

/*
 * Record how the current policy stops; a pending eject wins. With @stop,
 * its callbacks stop being called at once.
 */
static void gpucore_policy_record_exit(u32 kind, const char *reason, const char *msg,
				       bool stop)
{
	struct gpucore_exit_info *info = &gpucore_policy.exit;

	spin_lock_irq(&gpucore_policy.lock);
	if (gpucore_policy.ejecting) {
		*info = gpucore_policy.pending;
	} else {
		info->kind = kind;
		info->when_ns = ktime_get_ns();
		strscpy(info->reason, reason, sizeof(info->reason));
		strscpy(info->msg, msg, sizeof(info->msg));
	}
	if (stop)
		WRITE_ONCE(gpucore_policy.ejecting, true);
	/* Ejections: the kernel's (errors) and an operator's (sysfs). */
	if (info->kind >= GPUCORE_EXIT_ERROR_KINDS || info->kind == GPUCORE_EXIT_SYSFS)
		gpucore_policy.ejections++;
	spin_unlock_irq(&gpucore_policy.lock);
}

static void gpucore_policy_clear(void)
{
	spin_lock_irq(&gpucore_policy.lock);
	gpucore_policy.live = false;
	WRITE_ONCE(gpucore_policy.ejecting, false);
	spin_unlock_irq(&gpucore_policy.lock);
	gpucore_policy.ops = NULL;
}

/* Detach the attached policy. Context: gpucore_policy.mutex held. */
static void gpucore_policy_disable(u32 kind, const char *reason, const char *msg)
{
	struct gpucore_sched_ops *ops = gpucore_policy.ops;

	lockdep_assert_held(&gpucore_policy.mutex);
	gpucore_policy_record_exit(kind, reason, msg, true);
	gpucore_policy_install(NULL);
	if (ops->exit)
		ops->exit(&gpucore_policy.exit);
	trace_gpucore_policy_detach(gpucore_policy.name, gpucore_policy.exit.kind,
				    gpucore_policy.exit.reason);
	pr_info("gpucore: policy %s detached: %s (%s) %s\n", gpucore_policy.name,
		gpucore_exit_kind_name(gpucore_policy.exit.kind),
		gpucore_policy.exit.reason, gpucore_policy.exit.msg);
	gpucore_policy_clear();
}

static void gpucore_policy_eject_workfn(struct work_struct *work)
{
	mutex_lock(&gpucore_policy.mutex);
	if (gpucore_policy.ops && READ_ONCE(gpucore_policy.ejecting))
		gpucore_policy_disable(GPUCORE_EXIT_ERROR, "", "");
	mutex_unlock(&gpucore_policy.mutex);
}

/* Make @ops the attached policy (after its init succeeded). */
static void gpucore_policy_set(struct gpucore_sched_ops *ops)
{
	gpucore_policy.ops = ops;
	strscpy(gpucore_policy.name, ops->name, sizeof(gpucore_policy.name));
	gpucore_policy.attached_ns = ktime_get_ns();
	gpucore_policy.attached_at = ktime_get_real_seconds();
	atomic64_set(&gpucore_policy.decisions, 0);
	atomic64_set(&gpucore_policy.errors, 0);
	WRITE_ONCE(gpucore_policy.budget_ns,
		   (u64)(ops->budget_us ?: GPUCORE_CB_BUDGET_DEFAULT_US) * NSEC_PER_USEC);
	spin_lock_irq(&gpucore_policy.lock);
	gpucore_policy.overruns = 0;
	memset(gpucore_policy.win, 0, sizeof(gpucore_policy.win));
	gpucore_policy.live = true;
	WRITE_ONCE(gpucore_policy.ejecting, false);
	spin_unlock_irq(&gpucore_policy.lock);
}

/* An empty queue table for each GPU a policy can schedule, for init(). */
static int gpucore_policy_alloc_new_dsqs(void)
{
	u32 g;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		struct gpucore_gpu *gpu = gpucore_policy_gpus[g];

		if (!gpu || !gpucore_sched_by_driver(gpu))
			continue;
		gpucore_policy.new_dsqs[g] = gpucore_dsq_set_alloc();
		if (!gpucore_policy.new_dsqs[g]) {
			gpucore_policy_free_new_dsqs();
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Call a new policy's init(), in which it may create its queues. On
 * success the queues wait in gpucore_policy.new_dsqs for the install.
 */
static int gpucore_policy_call_init(struct gpucore_sched_ops *ops)
{
	s32 ret;

	ret = gpucore_policy_alloc_new_dsqs();
	if (ret)
		return ret;
	if (!ops->init)
		return 0;
	ret = ops->init();
	if (!ret)
		return 0;
	gpucore_policy_free_new_dsqs();
	spin_lock_irq(&gpucore_policy.lock);
	gpucore_policy.exit.kind = GPUCORE_EXIT_INIT;
	gpucore_policy.exit.when_ns = ktime_get_ns();
	strscpy(gpucore_policy.exit.reason, "init failed", sizeof(gpucore_policy.exit.reason));
	snprintf(gpucore_policy.exit.msg, sizeof(gpucore_policy.exit.msg),
		 "policy %s: init() returned %d", ops->name, ret);
	gpucore_policy.ejections++;
	spin_unlock_irq(&gpucore_policy.lock);
	return ret < 0 && ret >= -MAX_ERRNO ? ret : -EINVAL;
}

/* The attached policy, after finishing a pending ejection. */
static struct gpucore_sched_ops *gpucore_policy_current(void)
{
	lockdep_assert_held(&gpucore_policy.mutex);
	if (gpucore_policy.ops && READ_ONCE(gpucore_policy.ejecting))
		gpucore_policy_disable(GPUCORE_EXIT_ERROR, "", "");
	return gpucore_policy.ops;
}

/* Is any GPU scheduled by the core, so that a policy has work to do? */
static bool gpucore_policy_has_gpu(void)
{
	u32 g;

	lockdep_assert_held(&gpucore_policy.mutex);
	for (g = 0; g < GPUCORE_MAX_GPUS; g++)
		if (gpucore_policy_gpus[g] && gpucore_sched_by_driver(gpucore_policy_gpus[g]))
			return true;
	return false;
}

static int gpucore_policy_reg(void *kdata, struct bpf_link *link)
{
	struct gpucore_sched_ops *ops = kdata;
	int ret;

	/* Only through a link: it is what detaches a policy when it dies. */
	if (!link)
		return -EOPNOTSUPP;
	mutex_lock(&gpucore_policy.mutex);
	if (gpucore_policy_current()) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (!gpucore_policy_has_gpu()) {
		pr_info("gpucore: policy %s refused: every GPU's engines schedule themselves (fw_sched)\n",
			ops->name);
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = gpucore_policy_call_init(ops);
	if (ret)
		goto out_unlock;
	gpucore_policy_set(ops);
	gpucore_policy_install(ops);
	gpucore_policy_free_new_dsqs();
	trace_gpucore_policy_attach(ops->name, false);
	pr_info("gpucore: policy %s attached\n", ops->name);
out_unlock:
	mutex_unlock(&gpucore_policy.mutex);
	return ret;
}

static void gpucore_policy_unreg(void *kdata, struct bpf_link *link)
{
	mutex_lock(&gpucore_policy.mutex);
	if (gpucore_policy.ops == kdata)
		gpucore_policy_disable(GPUCORE_EXIT_UNREG, "unregistered",
				       "detached by userspace");
	mutex_unlock(&gpucore_policy.mutex);
}

static int gpucore_policy_update(void *kdata, void *old_kdata, struct bpf_link *link)
{
	struct gpucore_sched_ops *ops = kdata, *old;
	char msg[GPUCORE_EXIT_MSG_LEN];
	int ret;

	mutex_lock(&gpucore_policy.mutex);
	old = gpucore_policy_current();
	if (old && old != old_kdata) {
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = gpucore_policy_call_init(ops);
	if (ret)
		goto out_unlock;
	/* Each GPU switches from the old to the new policy under its lock. */
	gpucore_policy_set(ops);
	gpucore_policy_install(ops);
	gpucore_policy_free_new_dsqs();
	if (old) {
		snprintf(msg, sizeof(msg), "replaced by %s", ops->name);
		gpucore_policy_record_exit(GPUCORE_EXIT_REPLACED, "replaced", msg, false);
		if (old->exit)
			old->exit(&gpucore_policy.exit);
	}
	trace_gpucore_policy_attach(ops->name, !!old);
	pr_info("gpucore: policy %s attached%s\n", ops->name, old ? " (replace)" : "");
out_unlock:
	mutex_unlock(&gpucore_policy.mutex);
	return ret;
}

static int gpucore_policy_validate(void *kdata)
{
	struct gpucore_sched_ops *ops = kdata;

	return ops->name[0] ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------ */
/* kfuncs */

static struct gpucore_cb_ctx *gpucore_kfunc_ctx(void)
{
	return this_cpu_ptr(&gpucore_cb_ctx);
}

static const char *gpucore_ch_state_name(struct gpucore_channel *ch)
{
	if (ch->dead)
		return "destroyed";
	return ch->state == GPUCORE_CH_RUNNING ? "running" : "idle";
}

/* Eject for an invalid dispatch decision on @e; returns -EINVAL. */
#define gpucore_invalid(e, fmt, ...)						\
	({									\
		gpucore_policy_eject(GPUCORE_EXIT_INVALID, "invalid dispatch",	\
				     "gpu%u/%s: " fmt, (e)->gpu->id, (e)->name,	\
				     ##__VA_ARGS__);				\
		-EINVAL;							\
	})

/* Eject for an invalid use of kfunc @kf from the running callback; returns -EINVAL. */
#define gpucore_misuse(kf, fmt, ...)						\
	({									\
		gpucore_policy_eject(GPUCORE_EXIT_INVALID, "invalid " kf,	\
				     kf "() from %s(): " fmt,			\
				     gpucore_kfunc_ctx()->cb ?: "?",		\
				     ##__VA_ARGS__);				\
		-EINVAL;							\
	})

__bpf_kfunc_start_defs();

/**
 * gpucore_dispatch - run a channel on the engine being dispatched
 * @engine: the engine passed to the dispatch() callback
 * @channel_id: the channel (its id, as in ch->id)
 * @slice_ns: timeslice, in engine time charged to the channel (the
 *	emulation's work between its jobs does not count); 0 for the
 *	policy's (or the GPU's) default
 *
 * Callable only from dispatch(), once per call. An invalid choice ejects
 * the policy (GPUCORE_EXIT_INVALID): a channel that does not exist, that
 * belongs to another GPU or is bound to another engine, that is not
 * runnable, a second call, or a timeslice outside 10 us .. 1 s.
 *
 * Return: 0, or -EINVAL after ejecting the policy.
 */
__bpf_kfunc int gpucore_dispatch(struct gpucore_engine *engine, u64 channel_id, u64 slice_ns)
{
	struct gpucore_cb_ctx *ctx = gpucore_kfunc_ctx();
	struct gpucore_channel *ch;

	if (ctx->engine != engine)
		return gpucore_invalid(engine, "not the engine being dispatched");
	if (ctx->pick)
		return gpucore_invalid(engine, "dispatched twice (channel %u, then %llu)",
				       ctx->pick->id, channel_id);
	ch = channel_id <= U32_MAX ? xa_load(&gpucore_channel_ids, channel_id) : NULL;
	if (!ch)
		return gpucore_invalid(engine, "channel %llu does not exist", channel_id);
	if (ch->gpu != engine->gpu)
		return gpucore_invalid(engine, "channel %u belongs to gpu%u", ch->id, ch->gpu->id);
	if (ch->engine != engine)
		return gpucore_invalid(engine, "channel %u is bound to engine %s",
				       ch->id, ch->engine->name);
	if (ch->dead || ch->state != GPUCORE_CH_QUEUED)
		return gpucore_invalid(engine, "channel %u is not runnable (%s)", ch->id,
				       gpucore_ch_state_name(ch));
	if (slice_ns && (slice_ns < GPUCORE_MIN_SLICE_NS || slice_ns > GPUCORE_MAX_SLICE_NS))
		return gpucore_invalid(engine, "timeslice %llu ns outside 10 us .. 1 s", slice_ns);
	ctx->pick = ch;
	ch->slice_ns = slice_ns ?: engine->gpu->policy->timeslice_ns;
	return 0;
}

/**
 * gpucore_create_dsq - create a dispatch queue
 * @gpu_id: the GPU whose channels it holds
 * @engine_class: the class of their engines (GPUCORE_ENGINE_CLASS_*)
 * @dsq_id: its id, below GPUCORE_DSQ_MAX_ID, unique per GPU
 *
 * Callable only from init(), which must then be sleepable
 * (``SEC("struct_ops.s/init")``). The queues live as long as the policy
 * is attached; ejection, detach and replace drop them, and their channels
 * stay runnable.
 *
 * Return: 0, -ENODEV (no such GPU, or one that schedules itself), -EINVAL
 * (bad class or id), -EEXIST (the id is taken), -ENOSPC (more than
 * GPUCORE_DSQ_MAX_PER_GPU queues) or -ENOMEM.
 */
__bpf_kfunc s32 gpucore_create_dsq(u32 gpu_id, u32 engine_class, u64 dsq_id)
{
	struct gpucore_dsq_set *set;

	set = gpu_id < GPUCORE_MAX_GPUS ? gpucore_policy.new_dsqs[gpu_id] : NULL;
	if (!set)
		return -ENODEV;
	if (engine_class > GPUCORE_ENGINE_CLASS_COPY || dsq_id >= GPUCORE_DSQ_MAX_ID)
		return -EINVAL;
	return gpucore_dsq_set_add(set, dsq_id, engine_class);
}

/* The queue @dsq_id names for @ch, or NULL after ejecting. */
static struct gpucore_dsq *gpucore_insert_target(struct gpucore_channel *ch, u64 dsq_id,
						 const char **err)
{
	struct gpucore_gpu *gpu = ch->gpu;
	struct gpucore_dsq *dsq;
	u64 n;

	if (dsq_id == GPUCORE_DSQ_LOCAL)
		return &ch->engine->local;
	if (dsq_id & GPUCORE_DSQ_FLAG_LOCAL_ON) {
		n = dsq_id & ~(GPUCORE_DSQ_FLAG_BUILTIN | GPUCORE_DSQ_FLAG_LOCAL_ON);
		if (n >= gpu->num_engines) {
			*err = "no such engine";
			return NULL;
		}
		if (&gpu->engines[n] != ch->engine) {
			*err = "the channel is bound to another engine";
			return NULL;
		}
		return &ch->engine->local;
	}
	dsq = gpucore_dsq_set_find(gpu->dsqs, dsq_id);
	if (!dsq) {
		*err = "no such queue";
		return NULL;
	}
	if (dsq->engine_class != ch->engine->engine_class) {
		*err = "a queue of another engine class";
		return NULL;
	}
	return dsq;
}

/* Validate and do an insert (@vtime: by virtual time); 0 or -EINVAL after ejecting. */
static int gpucore_insert(const char *kf, struct gpucore_channel *ch, u64 dsq_id, u64 slice_ns,
			  bool vtime, u64 enq_flags)
{
	struct gpucore_cb_ctx *ctx = gpucore_kfunc_ctx();
	const char *err = NULL;
	struct gpucore_dsq *dsq;

	if (ch->gpu != ctx->gpu)
		err = "a channel of another GPU";
	else if (ch->dead || ch->state != GPUCORE_CH_QUEUED)
		err = ch->dead ? "the channel is destroyed" : ch->state == GPUCORE_CH_RUNNING ?
		      "the channel is running" : "the channel is not runnable";
	else if (ch->dsq)
		err = "the channel is already queued";
	else if (slice_ns && (slice_ns < GPUCORE_MIN_SLICE_NS || slice_ns > GPUCORE_MAX_SLICE_NS))
		err = "timeslice outside 10 us .. 1 s";
	else if (enq_flags)
		err = "unknown flags";
	if (err)
		goto eject;
	dsq = gpucore_insert_target(ch, dsq_id, &err);
	if (!dsq)
		goto eject;
	if (vtime && dsq->id & GPUCORE_DSQ_FLAG_BUILTIN) {
		err = "local queues are FIFO";
		goto eject;
	}
	if (gpucore_dsq_enqueue(dsq, ch, vtime)) {
		err = vtime ? "the queue holds FIFO channels" : "the queue holds vtime-ordered channels";
		goto eject;
	}
	ch->slice_ns = slice_ns ?: ch->gpu->policy->timeslice_ns;
	ctx->moved = true;
	if (!ch->engine->cur)
		gpucore_sched_kick(ch->engine, false);
	return 0;

eject:
	gpucore_policy_eject(GPUCORE_EXIT_INVALID, "invalid insert",
			     "%s() from %s(): channel %u into queue %#llx: %s", kf,
			     ctx->cb ?: "?", ch->id, dsq_id, err);
	return -EINVAL;
}

/**
 * gpucore_dsq_insert - queue a runnable channel, FIFO
 * @ch: the channel (a callback's argument)
 * @dsq_id: GPUCORE_DSQ_LOCAL, GPUCORE_DSQ_LOCAL_ON(its engine), or a queue
 *	of the policy's of the channel's GPU and engine class
 * @slice_ns: its timeslice when it runs (0: the policy's, or the GPU's)
 * @enq_flags: none defined; 0
 *
 * Callable from runnable(), dispatch(), stopping(), quiescent(), tick()
 * and vgpu_update(). Inserting into a local queue is direct dispatch: the
 * engine runs it without asking dispatch(). The channel leaves the queue
 * when it runs, or when it is destroyed. Anything invalid ejects the
 * policy (GPUCORE_EXIT_INVALID, naming the kfunc, the callback and why): a
 * channel of another GPU, one not runnable or already queued, a queue
 * that does not exist or is of another engine class or another engine,
 * a queue holding vtime-ordered channels, a timeslice outside 10 us .. 1 s.
 *
 * Return: 0, or -EINVAL after ejecting the policy.
 */
__bpf_kfunc int gpucore_dsq_insert(struct gpucore_channel *ch, u64 dsq_id, u64 slice_ns,
				   u64 enq_flags)
{
	return gpucore_insert("gpucore_dsq_insert", ch, dsq_id, slice_ns, false, enq_flags);
}

/**
 * gpucore_dsq_insert_vtime - queue a runnable channel by virtual time
 * @ch: the channel (a callback's argument)
 * @dsq_id: a queue of the policy's (local queues are FIFO)
 * @slice_ns: as for gpucore_dsq_insert()
 * @vtime: its place: lower runs first, compared wrap-safe, ties FIFO; kept
 *	in &gpucore_channel.dsq_vtime
 * @enq_flags: none defined; 0
 *
 * As gpucore_dsq_insert(), and a queue holding FIFO channels ejects.
 *
 * Return: 0, or -EINVAL after ejecting the policy.
 */
__bpf_kfunc int gpucore_dsq_insert_vtime(struct gpucore_channel *ch, u64 dsq_id, u64 slice_ns,
					 u64 vtime, u64 enq_flags)
{
	ch->dsq_vtime = vtime;
	return gpucore_insert("gpucore_dsq_insert_vtime", ch, dsq_id, slice_ns, true, enq_flags);
}

/**
 * gpucore_dsq_move_to_local - run the first channel of a queue for this engine
 * @engine: the engine passed to dispatch()
 * @dsq_id: a queue of the policy's
 *
 * Callable only from dispatch(). Moves the first channel of the queue
 * (the head, or the lowest vtime) that is bound to @engine to @engine's
 * local queue, which the engine runs from when dispatch() returns. A
 * queue shared by several engines of a class is searched in order; one
 * queue per engine keeps this O(1).
 *
 * Return: true if a channel was moved, false if the queue holds none for
 * @engine (or, after ejecting the policy, if @dsq_id is not a queue of the
 * policy's on this GPU).
 */
__bpf_kfunc bool gpucore_dsq_move_to_local(struct gpucore_engine *engine, u64 dsq_id)
{
	struct gpucore_cb_ctx *ctx = gpucore_kfunc_ctx();
	struct gpucore_channel *ch;
	struct gpucore_dsq *dsq;

	if (ctx->engine != engine) {
		gpucore_misuse("gpucore_dsq_move_to_local", "not the engine being dispatched");
		return false;
	}
	dsq = gpucore_dsq_set_find(engine->gpu->dsqs, dsq_id);
	if (!dsq) {
		gpucore_misuse("gpucore_dsq_move_to_local", "no queue %#llx on gpu%u", dsq_id,
			       engine->gpu->id);
		return false;
	}
	ch = gpucore_dsq_first_on(dsq, engine, dsq->nr);
	if (!ch)
		return false;
	gpucore_dsq_dequeue(ch);
	gpucore_dsq_enqueue(&engine->local, ch, false);
	ctx->moved = true;
	return true;
}

/* The queue @dsq_id of the current callback's GPU, or NULL. */
static struct gpucore_dsq *gpucore_kfunc_dsq(u32 gpu_id, u64 dsq_id)
{
	struct gpucore_gpu *gpu = gpucore_kfunc_ctx()->gpu;
	u64 n;

	if (!gpu || gpu->id != gpu_id)
		return NULL;
	if (dsq_id & GPUCORE_DSQ_FLAG_LOCAL_ON) {
		n = dsq_id & ~(GPUCORE_DSQ_FLAG_BUILTIN | GPUCORE_DSQ_FLAG_LOCAL_ON);
		return n < gpu->num_engines ? &gpu->engines[n].local : NULL;
	}
	return gpucore_dsq_set_find(gpu->dsqs, dsq_id);
}

/**
 * gpucore_engine_class - the class of an engine of a GPU a policy schedules
 * @gpu_id: the GPU
 * @engine_id: engine index within it
 *
 * Callable from every callback, init() included (to create a queue per
 * engine). A GPU's engines do not change while the module is loaded.
 *
 * Return: GPUCORE_ENGINE_CLASS_*, or -ENODEV if there is no such engine
 * on a GPU the policy schedules.
 */
__bpf_kfunc s32 gpucore_engine_class(u32 gpu_id, u32 engine_id)
{
	struct gpucore_gpu *gpu = gpu_id < GPUCORE_MAX_GPUS ? gpucore_policy_gpus[gpu_id] : NULL;

	if (!gpu || !gpucore_sched_by_driver(gpu) || engine_id >= gpu->num_engines)
		return -ENODEV;
	return gpu->engines[engine_id].engine_class;
}

/**
 * gpucore_dsq_nr_queued - channels in a queue
 * @gpu_id: the GPU of the callback being run
 * @dsq_id: a queue of the policy's, or GPUCORE_DSQ_LOCAL_ON(engine)
 *
 * Return: the count, or -ENOENT if there is no such queue on that GPU.
 */
__bpf_kfunc s32 gpucore_dsq_nr_queued(u32 gpu_id, u64 dsq_id)
{
	struct gpucore_dsq *dsq = gpucore_kfunc_dsq(gpu_id, dsq_id);

	return dsq ? dsq->nr : -ENOENT;
}

/**
 * gpucore_dsq_peek - the channel a queue would give up first
 * @gpu_id: the GPU of the callback being run
 * @dsq_id: a queue of the policy's, or GPUCORE_DSQ_LOCAL_ON(engine)
 *
 * Return: its id (the head, or the lowest vtime), or 0 if the queue is
 * empty or does not exist.
 */
__bpf_kfunc u64 gpucore_dsq_peek(u32 gpu_id, u64 dsq_id)
{
	struct gpucore_dsq *dsq = gpucore_kfunc_dsq(gpu_id, dsq_id);
	struct gpucore_channel *ch = dsq ? gpucore_dsq_first(dsq) : NULL;

	return ch ? ch->id : 0;
}

/**
 * gpucore_dsq_peek_vtime - the virtual time of a queue's first channel
 * @gpu_id: the GPU of the callback being run
 * @dsq_id: a queue of the policy's
 *
 * With a key such as the time a channel was inserted, this tells how long
 * the queue's oldest channel has waited. In a FIFO queue the key is what
 * the policy wrote to the channel's dsq_vtime before inserting it (a FIFO
 * queue of channels stamped with their insertion time costs less than a
 * vtime queue ordered by it, and keeps the same order).
 *
 * Return: its &gpucore_channel.dsq_vtime, or 0 if the queue is empty or
 * does not exist.
 */
__bpf_kfunc u64 gpucore_dsq_peek_vtime(u32 gpu_id, u64 dsq_id)
{
	struct gpucore_dsq *dsq = gpucore_kfunc_dsq(gpu_id, dsq_id);
	struct gpucore_channel *ch = dsq ? gpucore_dsq_first(dsq) : NULL;

	return ch ? ch->dsq_vtime : 0;
}

/* The engine of the GPU whose callback is running, or NULL. */
static struct gpucore_engine *gpucore_kfunc_engine(u32 gpu_id, u32 engine_id)
{
	struct gpucore_gpu *gpu = gpucore_kfunc_ctx()->gpu;

	if (!gpu || gpu->id != gpu_id || engine_id >= gpu->num_engines)
		return NULL;
	return &gpu->engines[engine_id];
}

/**
 * gpucore_kick_engine - make an engine of the current GPU reschedule
 * @gpu_id: the GPU of the callback being run
 * @engine_id: engine index within that GPU
 * @flags: GPUCORE_KICK_PREEMPT to switch out the running channel at its
 *	next preemption point (it is requeued: stopping, then runnable)
 *
 * An idle engine calls dispatch() again. Callable from any callback
 * except init() and exit().
 *
 * Return: 0, or -EINVAL (another GPU, no such engine, unknown flags,
 * outside a callback).
 */
__bpf_kfunc int gpucore_kick_engine(u32 gpu_id, u32 engine_id, u64 flags)
{
	struct gpucore_engine *e = gpucore_kfunc_engine(gpu_id, engine_id);

	if (!e || flags & ~GPUCORE_KICK_ALL_FLAGS)
		return -EINVAL;
	gpucore_sched_kick(e, flags & GPUCORE_KICK_PREEMPT);
	return 0;
}

/**
 * gpucore_engine_running - the channel on an engine of the current GPU
 * @gpu_id: the GPU of the callback being run
 * @engine_id: engine index
 *
 * Return: the running channel's id, or 0 if the engine is idle or the
 * arguments are invalid.
 */
__bpf_kfunc u64 gpucore_engine_running(u32 gpu_id, u32 engine_id)
{
	struct gpucore_engine *e = gpucore_kfunc_engine(gpu_id, engine_id);

	return e && e->cur ? e->cur->id : 0;
}

/**
 * gpucore_engine_nr_queued - runnable channels waiting for an engine
 * @gpu_id: the GPU of the callback being run
 * @engine_id: engine index
 *
 * Return: the number of queued channels (0 for invalid arguments).
 */
__bpf_kfunc u32 gpucore_engine_nr_queued(u32 gpu_id, u32 engine_id)
{
	struct gpucore_engine *e = gpucore_kfunc_engine(gpu_id, engine_id);

	return e ? e->nr_queued : 0;
}

/**
 * gpucore_bpf_error - report a fatal policy error and eject the policy
 * @msg: message (need not be NUL-terminated)
 * @msg__sz: its size
 *
 * The policy is ejected (GPUCORE_EXIT_ERROR) with @msg as the exit
 * message; the built-in policy takes over at once.
 */
__bpf_kfunc void gpucore_bpf_error(const char *msg, u32 msg__sz)
{
	atomic64_inc(&gpucore_policy.errors);
	gpucore_policy_eject(GPUCORE_EXIT_ERROR, "policy error", "%.*s",
			     (int)strnlen(msg, msg__sz), msg);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(gpucore_kfunc_ids)
BTF_ID_FLAGS(func, gpucore_dispatch, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gpucore_create_dsq, KF_SLEEPABLE)
BTF_ID_FLAGS(func, gpucore_dsq_insert, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gpucore_dsq_insert_vtime, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gpucore_dsq_move_to_local, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gpucore_dsq_nr_queued)
BTF_ID_FLAGS(func, gpucore_dsq_peek)
BTF_ID_FLAGS(func, gpucore_dsq_peek_vtime)
BTF_ID_FLAGS(func, gpucore_engine_class)
BTF_ID_FLAGS(func, gpucore_kick_engine)
BTF_ID_FLAGS(func, gpucore_engine_running)
BTF_ID_FLAGS(func, gpucore_engine_nr_queued)
BTF_ID_FLAGS(func, gpucore_bpf_error)
BTF_KFUNCS_END(gpucore_kfunc_ids)

/* Callback slots (GPUCORE_CB_IDX()) of the ops members, by member index. */
static u8 gpucore_member_cb[GPUCORE_CB_NR];

/* Which callbacks may call each of gpucore_kfunc_limited_ids, in order. */
static const u32 gpucore_kfunc_allowed[] = {
	GPUCORE_CB_BIT(dispatch),					/* gpucore_dispatch */
	GPUCORE_CB_BIT(init),						/* gpucore_create_dsq */
	GPUCORE_CB_BIT(runnable) | GPUCORE_CB_BIT(dispatch) | GPUCORE_CB_BIT(stopping) |
	GPUCORE_CB_BIT(quiescent) | GPUCORE_CB_BIT(tick) |
	GPUCORE_CB_BIT(vgpu_update),					/* gpucore_dsq_insert */
	GPUCORE_CB_BIT(runnable) | GPUCORE_CB_BIT(dispatch) | GPUCORE_CB_BIT(stopping) |
	GPUCORE_CB_BIT(quiescent) | GPUCORE_CB_BIT(tick) |
	GPUCORE_CB_BIT(vgpu_update),					/* gpucore_dsq_insert_vtime */
	GPUCORE_CB_BIT(dispatch),					/* gpucore_dsq_move_to_local */
};

/*
 * Only gpucore_sched_ops programs may call them, and the kfuncs that
 * place or pick channels only from the callbacks where that makes sense:
 * the verifier refuses a program that calls one from any other.
 */
static int gpucore_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	u32 i, member = prog->expected_attach_type;

	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS ||
	    prog->aux->attach_btf_id != gpucore_bpf_btf_ids[0])
		return -EACCES;
	for (i = 0; i < ARRAY_SIZE(gpucore_kfunc_allowed); i++) {
		if (kfunc_id != gpucore_kfunc_limited_ids[i])
			continue;
		if (member >= GPUCORE_CB_NR ||
		    !(gpucore_kfunc_allowed[i] & BIT(gpucore_member_cb[member])))
			return -EACCES;
	}
	return 0;
}

static const struct btf_kfunc_id_set gpucore_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &gpucore_kfunc_ids,
	.filter = gpucore_kfunc_filter,
};

/* ------------------------------------------------------------------ */
/* struct_ops type */

static bool gpucore_ops_is_valid_access(int off, int size, enum bpf_access_type type,
					const struct bpf_prog *prog,
					struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

/* Is [off, off + size) inside the member at @moff of @msize bytes? */
static bool gpucore_in_member(int off, int size, size_t moff, size_t msize)
{
	return off >= moff && off + size <= moff + msize;
}

/*
 * What a policy may write: a channel's dsq_vtime, slice_ns and
 * policy_data[], and a vGPU's policy_data[] (as sched_ext lets a scheduler
 * write a task's dsq_vtime and slice). The verifier refuses any other
 * store through these pointers.
 */
static int gpucore_ops_btf_struct_access(struct bpf_verifier_log *log,
					 const struct bpf_reg_state *reg, int off, int size)
{
	if (reg->btf_id == gpucore_bpf_btf_ids[1] &&
	    (gpucore_in_member(off, size, offsetof(struct gpucore_channel, dsq_vtime),
			       sizeof_field(struct gpucore_channel, dsq_vtime)) ||
	     gpucore_in_member(off, size, offsetof(struct gpucore_channel, slice_ns),
			       sizeof_field(struct gpucore_channel, slice_ns)) ||
	     gpucore_in_member(off, size, offsetof(struct gpucore_channel, policy_data),
			       sizeof_field(struct gpucore_channel, policy_data))))
		return SCALAR_VALUE;
	if (reg->btf_id == gpucore_bpf_btf_ids[2] &&
	    gpucore_in_member(off, size, offsetof(struct gpucore_vgpu, policy_data),
			      sizeof_field(struct gpucore_vgpu, policy_data)))
		return SCALAR_VALUE;
	bpf_log(log, "gpucore: a policy may write only a channel's dsq_vtime, slice_ns and policy_data[], and a vGPU's policy_data[]\n");
	return -EACCES;
}

static const struct bpf_verifier_ops gpucore_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = gpucore_ops_is_valid_access,
	.btf_struct_access = gpucore_ops_btf_struct_access,
};

static int gpucore_ops_init_member(const struct btf_type *t, const struct btf_member *member,
				   void *kdata, const void *udata)
{
	const struct gpucore_sched_ops *uops = udata;
	struct gpucore_sched_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
#define GPUCORE_OPS_CHECK_RANGE(field, min, max, zero)			\
	case offsetof(struct gpucore_sched_ops, field):			\
		if (!GPUCORE_OPS_IN_RANGE(uops->field, min, max))	\
			return -ERANGE;					\
		ops->field = uops->field;				\
		return 1;
	GPUCORE_OPS_RANGES(GPUCORE_OPS_CHECK_RANGE)
#undef GPUCORE_OPS_CHECK_RANGE
	case offsetof(struct gpucore_sched_ops, flags):
		if (uops->flags & ~GPUCORE_OPS_ALL_FLAGS)
			return -EINVAL;
		ops->flags = uops->flags;
		return 1;
	case offsetof(struct gpucore_sched_ops, name):
		if (!gpucore_name_valid(uops->name, sizeof(uops->name)))
			return -EINVAL;
		strscpy(ops->name, uops->name, sizeof(ops->name));
		return 1;
	}
	return 0;
}

/* Only init() may sleep (to create queues); every other callback runs under a spinlock. */
static int gpucore_ops_check_member(const struct btf_type *t, const struct btf_member *member,
				    const struct bpf_prog *prog)
{
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	return prog->sleepable && moff != offsetof(struct gpucore_sched_ops, init) ? -EINVAL : 0;
}

static int gpucore_ops_init(struct btf *btf)
{
	const struct btf_type *t = btf_type_by_id(btf, gpucore_bpf_btf_ids[0]);
	const struct btf_member *member;
	u32 i;

	if (!t)
		return -EINVAL;
	for_each_member(i, t, member) {
		u32 moff = __btf_member_bit_offset(t, member) / 8;

		if (i < GPUCORE_CB_NR && moff < GPUCORE_CB_NR * sizeof(void *))
			gpucore_member_cb[i] = moff / sizeof(void *);
	}
	return 0;
}

static s32 gpucore_ops_init_stub(void)
{
	return 0;
}

static void gpucore_ops_exit_stub(struct gpucore_exit_info *info)
{
}

static s32 gpucore_ops_vgpu_init_stub(struct gpucore_vgpu *vgpu)
{
	return 0;
}

static void gpucore_ops_vgpu_update_stub(struct gpucore_vgpu *vgpu)
{
}

static void gpucore_ops_vgpu_exit_stub(struct gpucore_vgpu *vgpu)
{
}

static s32 gpucore_ops_channel_init_stub(struct gpucore_channel *ch)
{
	return 0;
}

static void gpucore_ops_channel_exit_stub(struct gpucore_channel *ch)
{
}

static void gpucore_ops_runnable_stub(struct gpucore_channel *ch, u64 flags)
{
}

static void gpucore_ops_quiescent_stub(struct gpucore_channel *ch)
{
}

/* "__nullable": the verifier makes programs check @prev for NULL. */
static void gpucore_ops_dispatch_stub(struct gpucore_engine *engine,
				      struct gpucore_channel *prev__nullable)
{
}

static void gpucore_ops_running_stub(struct gpucore_channel *ch)
{
}

static void gpucore_ops_stopping_stub(struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
}

static void gpucore_ops_tick_stub(struct gpucore_gpu *gpu)
{
}

static struct gpucore_sched_ops gpucore_ops_cfi_stubs = {
	.init = gpucore_ops_init_stub,
	.exit = gpucore_ops_exit_stub,
	.vgpu_init = gpucore_ops_vgpu_init_stub,
	.vgpu_update = gpucore_ops_vgpu_update_stub,
	.vgpu_exit = gpucore_ops_vgpu_exit_stub,
	.channel_init = gpucore_ops_channel_init_stub,
	.channel_exit = gpucore_ops_channel_exit_stub,
	.runnable = gpucore_ops_runnable_stub,
	.quiescent = gpucore_ops_quiescent_stub,
	.dispatch = gpucore_ops_dispatch_stub,
	.running = gpucore_ops_running_stub,
	.stopping = gpucore_ops_stopping_stub,
	.tick = gpucore_ops_tick_stub,
};

static struct bpf_struct_ops gpucore_bpf_sched_ops = {
	.verifier_ops = &gpucore_verifier_ops,
	.init = gpucore_ops_init,
	.check_member = gpucore_ops_check_member,
	.init_member = gpucore_ops_init_member,
	.reg = gpucore_policy_reg,
	.unreg = gpucore_policy_unreg,
	.update = gpucore_policy_update,
	.validate = gpucore_policy_validate,
	.cfi_stubs = &gpucore_ops_cfi_stubs,
	.name = "gpucore_sched_ops",
	.owner = THIS_MODULE,
};

/* ------------------------------------------------------------------ */
/* sysfs: /sys/module/gpucore/policy */

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", gpucore_policy_name());
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	const char *state = "builtin";

	if (READ_ONCE(gpucore_policy.live))
		state = READ_ONCE(gpucore_policy.ejecting) ? "ejecting" : "attached";
	return sysfs_emit(buf, "%s\n", state);
}

static ssize_t abi_version_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", GPUCORE_SCHED_ABI_VERSION);
}

#define GPUCORE_POLICY_U64_ATTR(field, expr)					\
static ssize_t field##_show(struct kobject *kobj, struct kobj_attribute *attr,	\
			    char *buf)						\
{										\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));		\
}										\
static struct kobj_attribute gpucore_attr_##field = __ATTR_RO(field)

GPUCORE_POLICY_U64_ATTR(attached_ns, READ_ONCE(gpucore_policy.live) ?
			gpucore_policy.attached_ns : 0);
GPUCORE_POLICY_U64_ATTR(attached_at, READ_ONCE(gpucore_policy.live) ?
			gpucore_policy.attached_at : 0);
GPUCORE_POLICY_U64_ATTR(decisions, atomic64_read(&gpucore_policy.decisions));
GPUCORE_POLICY_U64_ATTR(errors, atomic64_read(&gpucore_policy.errors));
GPUCORE_POLICY_U64_ATTR(ejections, READ_ONCE(gpucore_policy.ejections));
GPUCORE_POLICY_U64_ATTR(overruns, READ_ONCE(gpucore_policy.overruns));
GPUCORE_POLICY_U64_ATTR(budget_us, READ_ONCE(gpucore_policy.live) ?
			div_u64(READ_ONCE(gpucore_policy.budget_ns), NSEC_PER_USEC) : 0);
GPUCORE_POLICY_U64_ATTR(exit_ns, READ_ONCE(gpucore_policy.exit.when_ns));

/* Copy the last exit record, consistently. */
static void gpucore_policy_exit_copy(struct gpucore_exit_info *out)
{
	spin_lock_irq(&gpucore_policy.lock);
	*out = gpucore_policy.exit;
	spin_unlock_irq(&gpucore_policy.lock);
}

static ssize_t exit_kind_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct gpucore_exit_info info;

	gpucore_policy_exit_copy(&info);
	return sysfs_emit(buf, "%s\n", gpucore_exit_kind_name(info.kind));
}

static ssize_t exit_reason_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct gpucore_exit_info info;

	gpucore_policy_exit_copy(&info);
	return sysfs_emit(buf, "%s\n", info.reason);
}

static ssize_t exit_msg_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct gpucore_exit_info info;

	gpucore_policy_exit_copy(&info);
	return sysfs_emit(buf, "%s\n", info.msg);
}

static ssize_t eject_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	bool live;

	spin_lock_irq(&gpucore_policy.lock);
	live = gpucore_policy.live && !gpucore_policy.ejecting;
	spin_unlock_irq(&gpucore_policy.lock);
	if (!live)
		return -ENOENT;
	gpucore_policy_eject(GPUCORE_EXIT_SYSFS, "ejected by operator",
			     "written to %s/eject by pid %d", GPUCORE_POLICY_SYSFS,
			     task_tgid_nr(current));
	flush_work(&gpucore_policy.eject_work);
	return count;
}

static struct kobj_attribute gpucore_attr_name = __ATTR_RO(name);
static struct kobj_attribute gpucore_attr_state = __ATTR_RO(state);
static struct kobj_attribute gpucore_attr_abi_version = __ATTR_RO(abi_version);
static struct kobj_attribute gpucore_attr_exit_kind = __ATTR_RO(exit_kind);
static struct kobj_attribute gpucore_attr_exit_reason = __ATTR_RO(exit_reason);
static struct kobj_attribute gpucore_attr_exit_msg = __ATTR_RO(exit_msg);
static struct kobj_attribute gpucore_attr_eject = __ATTR_WO(eject);

static struct attribute *gpucore_policy_attrs[] = {
	&gpucore_attr_name.attr,
	&gpucore_attr_state.attr,
	&gpucore_attr_abi_version.attr,
	&gpucore_attr_attached_ns.attr,
	&gpucore_attr_attached_at.attr,
	&gpucore_attr_decisions.attr,
	&gpucore_attr_errors.attr,
	&gpucore_attr_ejections.attr,
	&gpucore_attr_overruns.attr,
	&gpucore_attr_budget_us.attr,
	&gpucore_attr_exit_kind.attr,
	&gpucore_attr_exit_reason.attr,
	&gpucore_attr_exit_msg.attr,
	&gpucore_attr_exit_ns.attr,
	&gpucore_attr_eject.attr,
	NULL
};

static const struct attribute_group gpucore_policy_group = {
	.attrs = gpucore_policy_attrs,
};

static const struct gpucore_policy_class gpucore_bpf_class = {
	.active = gpucore_policy_active,
	.channel_init = gpucore_policy_channel_init,
	.channel_exit = gpucore_policy_channel_exit,
	.runnable = gpucore_policy_runnable,
	.quiescent = gpucore_policy_quiescent,
	.dispatch = gpucore_policy_dispatch,
	.enq_last = gpucore_policy_enq_last,
	.local_pick = gpucore_policy_local_pick,
	.running = gpucore_policy_running,
	.stopping = gpucore_policy_stopping,
};

/**
 * gpucore_bpf_init - register the struct_ops type, kfuncs and sysfs files
 * @debugfs_root: the module's debugfs directory, for cb_timing
 *
 * Called once the GPUs are up, so that an attaching policy finds them.
 *
 * Return: 0 or a negative errno.
 */
int gpucore_bpf_init(struct dentry *debugfs_root)
{
	int ret, cpu;

	INIT_WORK(&gpucore_policy.eject_work, gpucore_policy_eject_workfn);
	for_each_possible_cpu(cpu)
		per_cpu(gpucore_cb_rnd, cpu) = get_random_u32() | 1;
	debugfs_create_bool("cb_timing", 0644, debugfs_root, &gpucore_cb_timing);
	gpucore_policy.kobj = kobject_create_and_add("policy", &THIS_MODULE->mkobj.kobj);
	if (!gpucore_policy.kobj)
		return -ENOMEM;
	ret = gpucore_fail_int(sysfs_create_group(gpucore_policy.kobj, &gpucore_policy_group));
	if (ret)
		goto err_kobj;
	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &gpucore_kfunc_set);
	if (ret)
		goto err_kobj;
	ret = register_bpf_struct_ops(&gpucore_bpf_sched_ops, gpucore_sched_ops);
	if (ret)
		goto err_kobj;
	gpucore_sched_set_policy_class(&gpucore_bpf_class);
	return 0;

err_kobj:
	pr_err("gpucore: cannot set up BPF scheduling: %d\n", ret);
	kobject_put(gpucore_policy.kobj);
	return ret;
}

/**
 * gpucore_bpf_exit - remove the sysfs files
 *
 * No policy can be attached: a struct_ops map holds a module reference.
 * The struct_ops type and kfuncs go with the module's BTF.
 */
void gpucore_bpf_exit(void)
{
	flush_work(&gpucore_policy.eject_work);
	gpucore_sched_set_policy_class(NULL);
	kobject_put(gpucore_policy.kobj);
}
