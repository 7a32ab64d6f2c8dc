// SPDX-License-Identifier: GPL-2.0
/*
 * drmfair: the DRM GPU scheduler's fair policy, as a policy.
 *
 * Reproduces "drm/sched: Add fair scheduling policy" and the run-queue
 * code it grew into, drivers/gpu/drm/scheduler/sched_rq.c (Tvrtko
 * Ursulin's series, 2025): a CFS-like ordering of scheduler entities by
 * virtual runtime. An entity is a channel here (a DRM client's queue of
 * jobs for one ring, as a drm_sched_entity is), and a drm_gpu_scheduler,
 * one per ring, is an engine with one vtime-ordered dispatch queue.
 *
 * - Virtual runtime: each channel's GPU time is charged to its vruntime
 *   shifted left by its priority's vruntime_shift[]: kernel 1, high 2,
 *   normal 4, low 7 (so kernel gets ~2x high, high ~4x normal, normal ~8x
 *   low). It lives in the channel's dsq_vtime.
 * - Ordering: a channel with work is in its engine's queue ordered by
 *   vruntime (the rbtree of sched_rq.c); an idle engine runs the one with
 *   the least (drm_sched_select_entity()).
 * - A channel that still has work when it comes off its engine is
 *   charged and requeued at its new vruntime (drm_sched_rq_pop_entity()
 *   with a next job). It comes off at every slice end, also when nothing
 *   else waits (GPUCORE_OPS_ENQ_LAST), so that its vruntime keeps up as an
 *   entity's does job by job: a channel that ran alone for a while is not
 *   then charged all of it at once, ahead of one that just woke.
 * - A channel that goes idle saves its vruntime relative to the queue's
 *   minimum (drm_sched_entity_save_vruntime(): what it is ahead of the
 *   head, 0 if it is not), and when it has work again it rejoins at the
 *   queue's minimum plus that (drm_sched_entity_restore_vruntime()). One
 *   that was not ahead rejoins, when the queue is not empty: behind the
 *   head by (1 + its average job + the engine's average job, in us) <<
 *   its shift if its priority is lower than the head's; just ahead of the
 *   head if higher; and on a tie 1 ns ahead if its jobs are on average no
 *   longer than the engine's, else 1 ns behind (shorter jobs first, for
 *   interactivity).
 * - Average job durations: exponentially weighted averages (weight 1/4,
 *   DECLARE_EWMA(drm_sched_avgtime, 6, 4)) of each channel's and each
 *   engine's job durations, here the engine time a channel ran per job it
 *   completed.
 *
 * Priorities. DRM's come from the submitting context (amdgpu's context
 * priority, ...); gpucore has a class per channel and a weight per vGPU:
 * an interactive channel, or a channel of an interactive vGPU, is high;
 * else the vGPU's weight decides: below low_below (100, the default
 * weight) low, from high_from (1000) high, normal in between. Kernel
 * priority is for the kernel's own jobs (buffer moves, page-table
 * updates), which gpucore does not have, so no channel gets it. So a
 * weight is a priority band, not a proportion: weights 100 and 999 get the
 * same time.
 *
 * What it leaves out: the fairness is between channels, as DRM's is
 * between entities, so a vGPU with more channels on an engine gets more
 * of it (fairshare shares by vGPU); DRM's jobs are not preempted (a job
 * runs to its end and the entity is charged at completion) while here a
 * channel runs a timeslice and is charged what it ran; the job credit
 * limit (drm_sched_can_queue()) and the choice of a run queue among
 * several schedulers (drm_sched_entity_select_rq()) are not modelled:
 * gpucore binds each channel to an engine. Caps are not honoured.
 *
 * No stall: a channel requeued with work left ran a timeslice (or at
 * least the minimum quantum, if kicked), which its vruntime grows by, so
 * a waiting channel's turn comes; with the shifts at most 32x apart (high
 * against low), a low channel beside flat-out high ones waits about 32 of
 * their timeslices per high channel on its engine.
 *
 * Tunables: timeslice_ns (0: the GPU default), low_below, high_from.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");
const volatile u32 low_below = 100;
GPUCORE_TUNABLE_RANGE(low_below, 1, 10000);
const volatile u32 high_from = 1000;
/* 10001: no weight makes a channel high (low_below is checked first). */
GPUCORE_TUNABLE_RANGE(high_from, 1, 10001);

/* enum drm_sched_priority, and vruntime_shift[] */
enum {
	PRIO_KERNEL,
	PRIO_HIGH,
	PRIO_NORMAL,
	PRIO_LOW,
	PRIO_INVALID,
};

static __always_inline u32 prio_shift(u32 prio)
{
	switch (prio) {
	case PRIO_KERNEL:
		return 1;
	case PRIO_HIGH:
		return 2;
	case PRIO_NORMAL:
		return 4;
	default:
		return 7;
	}
}

/* A channel's policy_data[]. */
#define PD_COMPLETED	0	/* its jobs completed when last charged */
#define PD_JOB_BUSY	1	/* engine time since its last completion was counted */
#define PD_AVG_NS	2	/* average job duration */

/* The queue of engine @e's channels (of the GPU the callback runs for). */
#define EQ(e)	GC_ENGINE_DSQ(e)

/* Per channel id: its priority, so that the queue head's can be known. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_CHANNEL_ID + 1);
	__type(key, u32);
	__type(value, u32);
} prios SEC(".maps");

/*
 * Per (gpu, engine): the engine's average job duration (sched->avg_job_us)
 * and the channel running there. DRM keeps an entity that still has jobs
 * in the run queue while its job runs; here the running channel is out of
 * the queue, so it counts with the queue for the minimum vruntime.
 */
struct drmfair_engine {
	u64 avg_ns;
	u64 run_vtime;		/* the running channel's vruntime */
	u32 run_prio;		/* and priority */
	u32 running;		/* a channel runs */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
	__type(key, u32);
	__type(value, struct drmfair_engine);
} engines SEC(".maps");

/* Statistics, readable with bpftool map dump (drmfair.bss). */
u64 nr_dispatched;
u64 nr_rejoined;	/* channels back from idle */
u64 nr_prio[PRIO_INVALID];	/* channels queued, by priority */

static __always_inline u32 prio_of(struct gpucore_channel *ch)
{
	u32 w;

	if (gc_ch_class(ch) == GPUCORE_CLASS_INTERACTIVE)
		return PRIO_HIGH;
	w = ch->vgpu->weight;
	if (w < low_below)
		return PRIO_LOW;
	if (w >= high_from)
		return PRIO_HIGH;
	return PRIO_NORMAL;
}

/* ewma_drm_sched_avgtime_add(): 3/4 of the old average, 1/4 of @val. */
static __always_inline u64 ewma_add(u64 avg, u64 val)
{
	return avg ? (avg * 3 + val) / 4 : val;
}

/* Wrap-safe "@a is after @b", as the queue compares vtimes. */
static __always_inline bool vt_after(u64 a, u64 b)
{
	return (s64)(a - b) > 0;
}

static __always_inline struct drmfair_engine *engine_of(struct gpucore_channel *ch)
{
	u32 k = gc_ge_idx(gc_ch_gpu(ch), gc_ch_engine(ch));

	return bpf_map_lookup_elem(&engines, &k);
}

/*
 * drm_sched_rq_get_min_vruntime(): the least vruntime of @ch's engine's
 * queue and running channel, and that one's priority (PRIO_INVALID and 0
 * when there is none).
 */
static __always_inline u64 queue_min(struct gpucore_channel *ch, u32 *head_prio)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), id, *p;
	struct drmfair_engine *de = engine_of(ch);
	u64 head = gpucore_dsq_peek(gpu, EQ(e)), min = 0;

	*head_prio = PRIO_INVALID;
	if (head) {
		id = head;
		min = gpucore_dsq_peek_vtime(gpu, EQ(e));
		p = bpf_map_lookup_elem(&prios, &id);
		*head_prio = p ? *p : PRIO_NORMAL;
	}
	if (de && de->running && (!head || vt_after(min, de->run_vtime))) {
		min = de->run_vtime;
		*head_prio = de->run_prio;
	}
	return min;
}

s32 BPF_STRUCT_OPS(drmfair_channel_init, struct gpucore_channel *ch)
{
	ch->policy_data[PD_COMPLETED] = ch->completed;
	ch->policy_data[PD_JOB_BUSY] = 0;
	ch->policy_data[PD_AVG_NS] = 0;
	ch->dsq_vtime = 0;
	return 0;
}

/*
 * Coming off the engine after @ran_ns: charge its vruntime
 * (drm_sched_entity_update_vruntime()) and its job averages.
 */
void BPF_STRUCT_OPS(drmfair_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	struct drmfair_engine *de = engine_of(ch);
	u64 done = ch->completed - ch->policy_data[PD_COMPLETED], job;

	if (de)
		de->running = 0;
	ch->dsq_vtime += ran_ns << prio_shift(prio_of(ch));
	ch->policy_data[PD_JOB_BUSY] += ran_ns;
	if (!done)
		return;
	job = ch->policy_data[PD_JOB_BUSY] / done;
	ch->policy_data[PD_COMPLETED] = ch->completed;
	ch->policy_data[PD_JOB_BUSY] = 0;
	ch->policy_data[PD_AVG_NS] = ewma_add(ch->policy_data[PD_AVG_NS], job);
	if (de)
		de->avg_ns = ewma_add(de->avg_ns, job);
}

void BPF_STRUCT_OPS(drmfair_running, struct gpucore_channel *ch)
{
	struct drmfair_engine *de = engine_of(ch);

	if (!de)
		return;
	de->running = 1;
	de->run_vtime = ch->dsq_vtime;
	de->run_prio = prio_of(ch);
}

/*
 * drm_sched_entity_restore_vruntime(): @ch has work again; put it back
 * relative to the queue's head, whose vruntime is @min and priority
 * @head_prio (PRIO_INVALID: the queue is empty, nothing runs).
 */
static __always_inline u64 restore_vruntime(struct gpucore_channel *ch, u32 prio, u64 min,
					    u32 head_prio)
{
	struct drmfair_engine *de = engine_of(ch);
	u64 rel = ch->dsq_vtime, avg = ch->policy_data[PD_AVG_NS], sched_avg = de ? de->avg_ns : 0;

	if (!rel && head_prio != PRIO_INVALID) {
		if (prio > head_prio)
			/* Lower priority: behind the middle of the queue. */
			rel = ((1 + avg / 1000 + sched_avg / 1000) * 1000) << prio_shift(prio);
		else if (prio < head_prio)
			/* Higher priority goes first. */
			rel = -(u64)(head_prio - prio);
		else
			/* Favour the channel with shorter jobs. */
			rel = avg <= sched_avg ? (u64)-1 : 1;
	}
	return min + rel;
}

void BPF_STRUCT_OPS(drmfair_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 prio = prio_of(ch), id = ch->id, head_prio, *p;
	u64 min;

	p = bpf_map_lookup_elem(&prios, &id);
	if (p)
		*p = prio;
	if (!(flags & GPUCORE_ENQ_REQUEUE)) {
		/* Back from idle (or there when the policy attached). */
		min = queue_min(ch, &head_prio);
		ch->dsq_vtime = restore_vruntime(ch, prio, min, head_prio);
		nr_rejoined++;
	}
	if (prio < PRIO_INVALID)
		nr_prio[prio]++;
	gpucore_dsq_insert_vtime(ch, EQ(gc_ch_engine(ch)), timeslice_ns, ch->dsq_vtime, 0);
}

/*
 * Idle (or gone): drm_sched_entity_save_vruntime(), what it is ahead of
 * the queue's head, or 0.
 */
void BPF_STRUCT_OPS(drmfair_quiescent, struct gpucore_channel *ch)
{
	u32 head_prio;
	u64 min = queue_min(ch, &head_prio);

	if (min && vt_after(ch->dsq_vtime, min))
		ch->dsq_vtime -= min;
	else
		ch->dsq_vtime = 0;
}

void BPF_STRUCT_OPS(drmfair_dispatch, struct gpucore_engine *engine, struct gpucore_channel *prev)
{
	if (gpucore_dsq_move_to_local(engine, EQ(engine->id)))
		nr_dispatched++;
}

static long reset_engine(u64 i, void *ctx)
{
	u32 k = i;
	struct drmfair_engine *de = bpf_map_lookup_elem(&engines, &k);

	if (de)
		*de = (struct drmfair_engine){};
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(drmfair_init)
{
	/* Start empty, also when these maps were attached before. */
	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, reset_engine, NULL, 0);
	return gc_create_engine_dsqs();
}

SEC(".struct_ops.link")
struct gpucore_sched_ops drmfair_ops = {
	.init		= (void *)drmfair_init,
	.channel_init	= (void *)drmfair_channel_init,
	.runnable	= (void *)drmfair_runnable,
	.quiescent	= (void *)drmfair_quiescent,
	.running	= (void *)drmfair_running,
	.stopping	= (void *)drmfair_stopping,
	.dispatch	= (void *)drmfair_dispatch,
	.flags		= GPUCORE_OPS_ENQ_LAST,
	.name		= "drmfair",
};
