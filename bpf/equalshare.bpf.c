// SPDX-License-Identifier: GPL-2.0
/*
 * equalshare: NVIDIA's "equal share" vGPU scheduler.
 *
 * NVIDIA vGPU software offers three time-sliced schedulers (NVIDIA vGPU
 * user guide, "vGPU schedulers"; "Changing scheduling behavior for
 * time-sliced vGPUs"): best effort (besteffort.bpf.c), equal share (this
 * one) and fixed share (fixedshare.bpf.c). Equal share, as NVIDIA
 * documents it: the physical GPU is shared equally among the vGPUs running
 * on it, each gets 1/N of its processing cycles where N is the number of
 * running vGPUs, whatever its demand; when vGPUs start or stop, the
 * shares change; and a vGPU with no work in its share leaves the GPU idle
 * rather than giving its time to the others. So it is not work conserving,
 * and weights do not enter into it.
 *
 * Running vGPUs: NVIDIA counts the vGPUs of powered-on VMs, busy or not;
 * here a vGPU is running while it has at least one channel (a VM's driver
 * or a process has it open and set up a work queue: running.bpf.h). A vGPU
 * that exists without channels, the host tenant included, takes no share.
 *
 * Time is cut into periods of period_ns (default 100 ms), aligned on
 * multiples of period_ns of CLOCK_MONOTONIC. In each period every running
 * vGPU may use period_ns / N of each engine's time: each engine is shared
 * on its own, as NVIDIA time-slices the GPU's engine between VMs (unlike
 * fixedshare and fairshare, whose shares are of all the engines of a
 * class, whatever engine a channel is bound to). A vGPU that used its
 * share of an engine waits for the next period even if the engine has
 * nothing else to do.
 *
 * Guarantee: with at most 64 vGPUs per GPU a running vGPU's share of an
 * engine is at least period_ns / 64 (1.5 ms by default), so every running
 * vGPU with queued work on an engine runs there in every period, and each
 * of its channels within (its channels on the engine) periods.
 *
 * Queues, as fixedshare (vgpuqueues.bpf.h): one FIFO dispatch queue per
 * (engine, vGPU), round robin among a vGPU's channels, and a bitmask per
 * engine of the vGPUs with channels queued there. An engine with nothing in its local queue
 * asks dispatch(), which runs the head channel of the vGPU with the most
 * of its share left, for min(timeslice, share left) (at least the minimum
 * timeslice, 10 us). stopping() charges what a channel ran to its vGPU's
 * use of that engine in the period it ran in. Budgets are refilled
 * lazily: usage from an older period counts as zero. The core calls
 * dispatch() again on every tick (10 ms) while channels are queued, so a
 * vGPU that used its share resumes within a tick of the next period.
 *
 * Left out: NVIDIA's scheduler switches a whole VM's work on the GPU at
 * once; here each engine switches on its own, charged engine time. Caps
 * are not honoured (NVIDIA's equal share has none; fixedshare and
 * fairshare honour them); NVIDIA's time slice length and its "averaging
 * factor" are not modelled beyond timeslice_ns.
 *
 * Tunables: period_ns (0: 100 ms), timeslice_ns (0: the GPU's default).
 */
#include "gpucore.bpf.h"
#include "running.bpf.h"
#include "vgpuqueues.bpf.h"

GPUCORE_POLICY();

const volatile u64 period_ns = 100ULL * 1000 * 1000;
/* At least a tick (when a throttled vGPU resumes), at most 1 s (well inside the watchdog). */
GPUCORE_TUNABLE_RANGE_OR_ZERO(period_ns, GPUCORE_TICK_MS * 1000 * 1000ULL,
			      1000 * 1000 * 1000ULL, "100 ms");
const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");

#define ES_DEFAULT_PERIOD_NS	(100ULL * 1000 * 1000)

/* Per (gpu, engine, vgpu): engine time used in a period. */
struct es_budget {
	u64 period;		/* index of the period @used_ns belongs to */
	u64 used_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES * GPUCORE_MAX_VGPUS);
	__type(key, u32);
	__type(value, struct es_budget);
} budgets SEC(".maps");

/* Statistics, readable with bpftool map dump (equalsh.bss). */
u64 nr_dispatched;
u64 nr_throttled;	/* dispatch() left work queued: shares used up */

static __always_inline u64 period_len(void)
{
	return period_ns ?: ES_DEFAULT_PERIOD_NS;
}

static __always_inline struct es_budget *budget_of(u32 gpu, u32 engine, u32 v)
{
	u32 k = gc_gev_idx(gpu, engine, v);

	return bpf_map_lookup_elem(&budgets, &k);
}

s32 BPF_STRUCT_OPS(equalshare_vgpu_init, struct gpucore_vgpu *vgpu)
{
	u32 gpu = vgpu->gpu_id, e;
	struct es_budget *b;

	gc_run_vgpu_set(vgpu);
	/* A reused vGPU id starts with its whole share. */
	for (e = 0; e < GPUCORE_MAX_ENGINES; e++) {
		b = budget_of(gpu, e, vgpu->id);
		if (b)
			*b = (struct es_budget){};
	}
	return 0;
}

s32 BPF_STRUCT_OPS(equalshare_channel_init, struct gpucore_channel *ch)
{
	gc_run_channel_init(ch);
	return 0;
}

void BPF_STRUCT_OPS(equalshare_channel_exit, struct gpucore_channel *ch)
{
	gc_run_channel_exit(ch);
}

void BPF_STRUCT_OPS(equalshare_runnable, struct gpucore_channel *ch, u64 flags)
{
	gc_vq_runnable(ch);
}

void BPF_STRUCT_OPS(equalshare_quiescent, struct gpucore_channel *ch)
{
	gc_vq_quiescent(ch);
}

/* Charge @ran_ns, ended @now, to @b: only its part in the current period. */
void BPF_STRUCT_OPS(equalshare_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	struct es_budget *b = budget_of(gc_ch_gpu(ch), gc_ch_engine(ch), gc_ch_vgpu(ch));
	u64 now = bpf_ktime_get_ns(), p = period_len(), period = now / p;

	if (!b)
		return;
	if (b->period != period) {
		b->period = period;
		b->used_ns = 0;
		if (ran_ns > now - period * p)
			ran_ns = now - period * p;
	}
	b->used_ns += ran_ns;
}

struct es_pick {
	u32 gpu;
	u32 engine;
	u64 period;
	u64 share;		/* each running vGPU's, of this engine */
	u64 best_left;		/* out: share left to @best */
	s32 best;		/* out: -1 when every queued vGPU used its share */
};

static __always_inline void pick_one(struct es_pick *c, u32 v)
{
	struct es_budget *b = budget_of(c->gpu, c->engine, v);
	u64 used, left;

	if (!b)
		return;
	used = b->period == c->period ? b->used_ns : 0;
	left = used < c->share ? c->share - used : 0;
	if (left > c->best_left) {
		c->best_left = left;
		c->best = v;
	}
}

void BPF_STRUCT_OPS(equalshare_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), eng = engine->id;
	struct gc_run_gpu *rg = gc_run_gpu(gpu);
	struct es_pick c = {
		.gpu = gpu,
		.engine = eng,
		.period = bpf_ktime_get_ns() / period_len(),
		.best = -1,
	};
	u64 m = gc_vq_mask(gpu, eng);
	int i;

	if (!m)
		return;
	c.share = period_len() / (rg && rg->nr ? rg->nr : 1);
	bpf_for(i, 0, GPUCORE_MAX_VGPUS) {
		if (!m)
			break;
		pick_one(&c, __builtin_ctzll(m) % GPUCORE_MAX_VGPUS);
		m &= m - 1;
	}
	if (c.best < 0) {
		nr_throttled++;
		return;
	}
	if (gc_vq_dispatch(engine, c.best, timeslice_ns, c.best_left))
		nr_dispatched++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(equalshare_init)
{
	gc_run_reset();
	return gc_vq_init();
}

SEC(".struct_ops.link")
struct gpucore_sched_ops equalshare_ops = {
	.init		= (void *)equalshare_init,
	.vgpu_init	= (void *)equalshare_vgpu_init,
	.channel_init	= (void *)equalshare_channel_init,
	.channel_exit	= (void *)equalshare_channel_exit,
	.runnable	= (void *)equalshare_runnable,
	.quiescent	= (void *)equalshare_quiescent,
	.stopping	= (void *)equalshare_stopping,
	.dispatch	= (void *)equalshare_dispatch,
	.flags		= GPUCORE_OPS_ENQ_LAST,
	.name		= "equalshare",
};
