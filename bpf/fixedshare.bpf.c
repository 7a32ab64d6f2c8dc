// SPDX-License-Identifier: GPL-2.0
/*
 * fixedshare: fixed engine-time shares per vGPU, like NVIDIA's vGPU
 * "fixed share" scheduler.
 *
 * Time is cut into periods of period_ns (default 100 ms), aligned on
 * multiples of period_ns of CLOCK_MONOTONIC. In each period every vGPU
 * gets, for each engine class (compute, copy), a budget of
 *
 *	period_ns * engines of the class * weight / (sum of the weights of
 *	all vGPUs of the GPU)
 *
 * of engine time, usable on any engine of the class (a vGPU's share is a
 * share of the GPU, whatever engines its channels are bound to), and on
 * each engine at least the minimum timeslice (10 us), so that every vGPU
 * runs on every engine in every period, whatever the weights (1..10000). A cap of C percent further
 * limits it to period_ns * C / 100 on each engine. The sum counts every
 * existing vGPU, busy or idle, the host tenant included: a vGPU's share
 * does not grow because others are idle. The policy is therefore not work
 * conserving: a vGPU that used up its budget waits for the next period
 * even if the engine has nothing else to do, which gives each tenant the
 * same performance however busy the others are.
 *
 * Guarantee: every vGPU with queued work on an engine runs there at least
 * once per period, so each of its channels runs within (its channels on
 * the engine) periods;
 * a vGPU whose share of a period is below the minimum timeslice gets that
 * timeslice anyway (an error of at most 10 us / period_ns, 0.01% with the
 * default period).
 *
 * Budgets are refilled lazily: each slot records the period its usage
 * belongs to, and usage from an older period counts as zero. The core
 * calls dispatch() again on every tick (10 ms) while channels are queued,
 * so a throttled vGPU resumes within a tick of the period boundary.
 *
 * Queues (vgpuqueues.bpf.h): one kernel dispatch queue (FIFO) per (engine,
 * vGPU), round robin among the vGPU's channels, plus a bitmask per engine
 * of the vGPUs that have queued channels. An engine with nothing in its local queue asks
 * dispatch(), which picks the head channel of the vGPU with the most
 * budget left relative to its share (gpucore_dsq_peek(), then
 * gpucore_dispatch() with the slice that budget allows: min(timeslice,
 * budget left), at least 10 us). The time a
 * channel ran (stopping()) is charged to its vGPU's class budget and, for
 * its cap, to its budget on that engine; non-preemptible work that overran
 * its slice is charged what it ran.
 *
 * Weights and caps come from vgpu_init()/vgpu_update() and are kept per
 * vGPU, with the per-GPU sum of weights, in maps.
 *
 * Tunables: period_ns (0: 100 ms), timeslice_ns (0: the GPU's default).
 */
#include "gpucore.bpf.h"
#include "vgpuqueues.bpf.h"

GPUCORE_POLICY();

const volatile u64 period_ns = 100ULL * 1000 * 1000;
/* At least a tick (when a throttled vGPU resumes), at most 1 s (well inside the watchdog). */
GPUCORE_TUNABLE_RANGE_OR_ZERO(period_ns, GPUCORE_TICK_MS * 1000 * 1000ULL,
			      1000 * 1000 * 1000ULL, "100 ms");
const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");

#define FS_DEFAULT_PERIOD_NS	(100ULL * 1000 * 1000)

/* Statistics, readable with bpftool map dump (fixedsh.bss). */
u64 nr_dispatched;	/* channels dispatched */
u64 nr_throttled;	/* dispatch() left work queued: budgets used up */

struct vgpu_info {
	u32 weight;
	u32 cap;		/* percent, 0: none */
	u32 live;
	u32 pad;
};

/* Per (gpu, vgpu). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS);
	__type(key, u32);
	__type(value, struct vgpu_info);
} vgpus SEC(".maps");

/* Per gpu: sum of the weights of its vGPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS);
	__type(key, u32);
	__type(value, u64);
} weight_sum SEC(".maps");

struct budget {
	u64 period;		/* index of the period @used_ns belongs to */
	u64 used_ns;
};

/* Per (gpu, engine, vgpu): engine time used against the cap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES * GPUCORE_MAX_VGPUS);
	__type(key, u32);
	__type(value, struct budget);
} budgets SEC(".maps");

/* Per (gpu, class, vgpu): engine time used against the share. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GC_NR_CLASSES * GPUCORE_MAX_VGPUS);
	__type(key, u32);
	__type(value, struct budget);
} shares SEC(".maps");

/* Engines of @engine's class on its GPU. */
static __always_inline u32 class_engines(struct gpucore_engine *engine)
{
	u32 num = engine->gpu->num_engines, cls = engine->engine_class;
	u32 n = 0;
	int i;

#pragma unroll
	for (i = 0; i < GPUCORE_MAX_ENGINES; i++)
		if (i < num && engine->gpu->engines[i].engine_class == cls)
			n++;
	return n ?: 1;
}

static __always_inline u64 period_len(void)
{
	return period_ns ?: FS_DEFAULT_PERIOD_NS;
}

/* Used time of @b in @period. */
static __always_inline u64 used_in(struct budget *b, u64 period)
{
	return b->period == period ? b->used_ns : 0;
}

/*
 * Budget left to (gpu, engine, vgpu) in period @period: its share of the
 * class's engines (period_ns * engines * weight / sum of weights), of
 * which it may use at most period_ns * cap / 100 on this engine.
 */
static __always_inline u64 budget_left(u32 gpu, u32 cls, u32 nr_engines, u32 engine,
				       u32 vgpu, u64 period, u64 *sharep)
{
	u32 gi = gpu % GPUCORE_MAX_GPUS, vi = gc_gv_idx(gpu, vgpu), ei = gc_gev_idx(gpu, engine, vgpu);
	u32 si = gc_gcv_idx(gpu, cls, vgpu);
	struct vgpu_info *info = bpf_map_lookup_elem(&vgpus, &vi);
	u64 *sum = bpf_map_lookup_elem(&weight_sum, &gi);
	struct budget *eb = bpf_map_lookup_elem(&budgets, &ei);
	struct budget *sb = bpf_map_lookup_elem(&shares, &si);
	u64 p = period_len(), share, used, left, cap;

	if (!info || !sum || !info->live || !eb || !sb)
		return 0;
	share = *sum ? p * nr_engines * info->weight / *sum : p * nr_engines;
	*sharep = share ?: 1;
	used = used_in(sb, period);
	left = used < share ? share - used : 0;
	/* Whatever the share, a minimum timeslice on each engine per period. */
	used = used_in(eb, period);
	if (!left && used < GPUCORE_MIN_SLICE_NS)
		left = GPUCORE_MIN_SLICE_NS - used;
	if (info->cap && info->cap < 100) {
		cap = p * info->cap / 100;
		if (cap < GPUCORE_MIN_SLICE_NS)
			cap = GPUCORE_MIN_SLICE_NS;
		used = used_in(eb, period);
		cap = used < cap ? cap - used : 0;
		if (cap < left)
			left = cap;
	}
	return left;
}

/* Is @vgpu known (vgpu_init seen, not exited)? */
static __always_inline bool vgpu_known(u32 gpu, u32 vgpu)
{
	u32 vi = gc_gv_idx(gpu, vgpu);
	struct vgpu_info *info = bpf_map_lookup_elem(&vgpus, &vi);

	return info && info->live;
}

/* Add (+1) or remove (-1) a vGPU's weight from its GPU's sum. */
static __always_inline void weight_account(u32 gpu, struct vgpu_info *info, int sign)
{
	u32 gi = gpu % GPUCORE_MAX_GPUS;
	u64 *sum = bpf_map_lookup_elem(&weight_sum, &gi);

	if (!sum || !info->live)
		return;
	if (sign > 0)
		*sum += info->weight;
	else
		*sum = *sum > info->weight ? *sum - info->weight : 0;
}

static __always_inline struct vgpu_info *vgpu_lookup(struct gpucore_vgpu *vgpu)
{
	u32 i = gc_gv_idx(vgpu->gpu_id, vgpu->id);

	return bpf_map_lookup_elem(&vgpus, &i);
}

static __always_inline void budget_clear(void *map, u32 i)
{
	struct budget *b = bpf_map_lookup_elem(map, &i);

	if (b)
		*b = (struct budget){};
}

s32 BPF_STRUCT_OPS(fixedshare_vgpu_init, struct gpucore_vgpu *vgpu)
{
	struct vgpu_info *info = vgpu_lookup(vgpu);
	u32 gpu = vgpu->gpu_id, e;

	if (!info)
		return -EINVAL;
	weight_account(gpu, info, -1);
	info->weight = vgpu->weight;
	info->cap = vgpu->cap;
	info->live = 1;
	weight_account(gpu, info, 1);
	/* A reused vGPU id starts with a full budget. */
	for (e = 0; e < GPUCORE_MAX_ENGINES; e++)
		budget_clear(&budgets, gc_gev_idx(gpu, e, vgpu->id));
	for (e = 0; e < GC_NR_CLASSES; e++)
		budget_clear(&shares, gc_gcv_idx(gpu, e, vgpu->id));
	return 0;
}

void BPF_STRUCT_OPS(fixedshare_vgpu_update, struct gpucore_vgpu *vgpu)
{
	struct vgpu_info *info = vgpu_lookup(vgpu);
	u32 gpu = vgpu->gpu_id;

	if (!info)
		return;
	weight_account(gpu, info, -1);
	info->weight = vgpu->weight;
	info->cap = vgpu->cap;
	weight_account(gpu, info, 1);
}

void BPF_STRUCT_OPS(fixedshare_vgpu_exit, struct gpucore_vgpu *vgpu)
{
	struct vgpu_info *info = vgpu_lookup(vgpu);

	if (!info)
		return;
	weight_account(vgpu->gpu_id, info, -1);
	info->live = 0;
}

void BPF_STRUCT_OPS(fixedshare_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = gc_ch_gpu(ch), vgpu = gc_ch_vgpu(ch);

	if (!vgpu_known(gpu, vgpu)) {
		gpucore_error("fixedshare: channel %u of unknown vgpu %u", ch->id, vgpu);
		return;
	}
	gc_vq_runnable(ch);
}

void BPF_STRUCT_OPS(fixedshare_quiescent, struct gpucore_channel *ch)
{
	gc_vq_quiescent(ch);
}

/* Charge @ran_ns, ended @now, to @b: only its part in the current period. */
static __always_inline void charge(struct budget *b, u64 ran_ns, u64 now)
{
	u64 p = period_len(), period = now / p;

	if (b->period != period) {
		u64 in_period = now - period * p;

		b->period = period;
		b->used_ns = 0;
		if (ran_ns > in_period)
			ran_ns = in_period;
	}
	b->used_ns += ran_ns;
}

void BPF_STRUCT_OPS(fixedshare_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	u32 gpu = gc_ch_gpu(ch), vgpu = gc_ch_vgpu(ch);
	u32 ei = gc_gev_idx(gpu, gc_ch_engine(ch), vgpu), si = gc_gcv_idx(gpu, gc_ch_engine_class(ch), vgpu);
	struct budget *eb = bpf_map_lookup_elem(&budgets, &ei);
	struct budget *sb = bpf_map_lookup_elem(&shares, &si);
	u64 now = bpf_ktime_get_ns();

	if (eb)
		charge(eb, ran_ns, now);
	if (sb)
		charge(sb, ran_ns, now);
}

struct pick_ctx {
	u32 gpu;
	u32 engine;
	u32 cls;
	u32 nr_engines;
	u64 mask;		/* vGPUs with queued channels */
	u64 period;
	u64 best_left;		/* out: budget left to @best */
	u64 best_frac;		/* and that as a fraction of its share, /1024 */
	s32 best;		/* out: -1 when every queued vGPU is throttled */
};

/* bpf_loop() body: one vGPU; keeps the one with the most budget left. */
static long pick_one(u64 v, void *data)
{
	struct pick_ctx *c = data;
	u64 left, share = 1, frac;

	if (v >= GPUCORE_MAX_VGPUS || !(c->mask & (1ULL << v)))
		return 0;
	left = budget_left(c->gpu, c->cls, c->nr_engines, c->engine, v, c->period, &share);
	if (!left)
		return 0;
	/*
	 * The most budget left relative to its share first: every vGPU gets
	 * its first slice early in the period, so the light ones are not
	 * squeezed out by the engine's switching overhead at its end.
	 */
	frac = left * 1024 / share;
	if (frac > c->best_frac || c->best < 0) {
		c->best_frac = frac;
		c->best_left = left;
		c->best = v;
	}
	return 0;
}

void BPF_STRUCT_OPS(fixedshare_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), eng = engine->id;
	struct pick_ctx c = {
		.gpu = gpu,
		.engine = eng,
		.cls = engine->engine_class % GC_NR_CLASSES,
		.nr_engines = class_engines(engine),
		.mask = gc_vq_mask(gpu, eng),
		.period = bpf_ktime_get_ns() / period_len(),
		.best = -1,
	};

	if (!c.mask)
		return;
	/* A callback loop: verified once, however many vGPUs are queued. */
	bpf_loop(GPUCORE_MAX_VGPUS, pick_one, &c, 0);
	if (c.best < 0) {
		nr_throttled++;
		return;
	}
	if (gc_vq_dispatch(engine, c.best, timeslice_ns, c.best_left))
		nr_dispatched++;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fixedshare_init)
{
	return gc_vq_init();
}

SEC(".struct_ops.link")
struct gpucore_sched_ops fixedshare_ops = {
	.init		= (void *)fixedshare_init,
	.vgpu_init	= (void *)fixedshare_vgpu_init,
	.vgpu_update	= (void *)fixedshare_vgpu_update,
	.vgpu_exit	= (void *)fixedshare_vgpu_exit,
	.runnable	= (void *)fixedshare_runnable,
	.quiescent	= (void *)fixedshare_quiescent,
	.stopping	= (void *)fixedshare_stopping,
	.dispatch	= (void *)fixedshare_dispatch,
	.flags		= GPUCORE_OPS_ENQ_LAST,
	.name		= "fixedshare",
};
