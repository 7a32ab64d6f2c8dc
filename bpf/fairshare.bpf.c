// SPDX-License-Identifier: GPL-2.0
/*
 * fairshare: weighted fair sharing of engine time between vGPUs.
 *
 * Each engine shares its time between the vGPUs that have runnable
 * channels on it, in proportion to their weights, and is work conserving:
 * an idle vGPU's share goes to the busy ones, split by their weights.
 *
 * Virtual time, per (engine, vGPU): when a channel of the vGPU stops, the
 * vGPU's vtime on that engine advances by ran_ns * 100 / weight. An idle
 * engine runs the vGPU with the smallest vtime among those with runnable
 * channels, and within it the channel at the head of the vGPU's FIFO, so
 * the channels of one vGPU share its time round robin. A vGPU that becomes
 * busy again starts at the engine's current virtual clock (vtime_now, the
 * largest vtime dispatched so far), so idling earns no credit and the busy
 * vGPUs keep splitting the engine by weight.
 *
 * Caps: a vGPU with a cap of C percent may use at most C% of each
 * cap_window_ns window of an engine's time (windows are aligned on
 * multiples of cap_window_ns of the monotonic clock, and a run that
 * crosses a window boundary is charged to the new window only for its part
 * in it); once it has, it is skipped until the window rolls over (the
 * engine may idle: caps are hard), and its timeslices are cut to what is
 * left of its budget. The core calls dispatch() on every tick (10 ms)
 * while channels wait, so a capped vGPU resumes within a tick of the new
 * window.
 *
 * Timeslices scale with weight (scaled_slices): a vGPU runs for
 * timeslice_ns * weight / (the largest weight busy on the engine), at
 * least timeslice_ns / 8. A vGPU's lag behind its ideal share is about one
 * of its own timeslices, so with equal timeslices a light vGPU is off by
 * much more, relative to its share, than a heavy one (weight 100 next to
 * 800: 6% of its share in a second instead of 1%). Scaled, every vGPU is
 * off by about the same small fraction, at the cost of more switches
 * for the light ones.
 *
 * Tunables: timeslice_ns (0: the GPU default), cap_window_ns,
 * scaled_slices (default true).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
/* Scaled slices go down to timeslice_ns / 8, which must be a valid slice. */
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, 8 * GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");
const volatile u64 cap_window_ns = 100 * 1000 * 1000ULL;
/* At least a tick (when a capped vGPU resumes), at most 1 s (well inside the watchdog). */
GPUCORE_TUNABLE_RANGE_OR_ZERO(cap_window_ns, GPUCORE_TICK_MS * 1000 * 1000ULL,
			      1000 * 1000 * 1000ULL, "100 ms");
const volatile bool scaled_slices = true;

#define GE_SLOTS	(GC_MAX_GPUS * GC_MAX_ENGINES)
#define GV_SLOTS	(GC_MAX_GPUS * GC_MAX_VGPUS)

/* Per (gpu, engine, vGPU); index gev_idx(), also its chq queue. */
struct vstate {
	u64 vtime;
	u64 win;		/* cap window index (now / cap_window_ns) */
	u64 win_used;		/* engine time used in the window */
};

/* Per (gpu, engine). */
struct estate {
	u64 vtime_now;
	u64 active;		/* bit v: vGPU v has queued channels here */
};

/* Per (gpu, vGPU). */
struct vinfo {
	u32 weight;
	u32 cap;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHQ_MAX_QUEUES);
	__type(key, u32);
	__type(value, struct vstate);
} vstates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GE_SLOTS);
	__type(key, u32);
	__type(value, struct estate);
} estates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GV_SLOTS);
	__type(key, u32);
	__type(value, struct vinfo);
} vinfos SEC(".maps");

static __always_inline struct estate *estate_of(u32 gpu, u32 engine)
{
	u32 k = (gpu % GC_MAX_GPUS) * GC_MAX_ENGINES + engine % GC_MAX_ENGINES;

	return bpf_map_lookup_elem(&estates, &k);
}

static __always_inline struct vinfo *vinfo_of(u32 gpu, u32 vgpu)
{
	u32 k = (gpu % GC_MAX_GPUS) * GC_MAX_VGPUS + vgpu % GC_MAX_VGPUS;

	return bpf_map_lookup_elem(&vinfos, &k);
}

static __always_inline struct vstate *vstate_of(u32 q)
{
	return bpf_map_lookup_elem(&vstates, &q);
}

/* Roll the cap window; return the engine time left in it (U64_MAX: no cap). */
static __always_inline u64 window_len(void)
{
	return cap_window_ns ?: 100 * 1000 * 1000ULL;
}

/* Start a new cap window if @now is past the current one. */
static __always_inline void window_roll(struct vstate *vs, u64 now)
{
	u64 win = now / window_len();

	if (vs->win != win) {
		vs->win = win;
		vs->win_used = 0;
	}
}

static __always_inline u64 cap_left(struct vstate *vs, u32 cap, u64 now)
{
	u64 budget;

	if (!cap || cap >= 100)
		return (u64)-1;
	window_roll(vs, now);
	budget = window_len() * cap / 100;
	return vs->win_used < budget ? budget - vs->win_used : 0;
}

static __always_inline void vgpu_set(struct gpucore_vgpu *vgpu, bool reset)
{
	u32 gpu = BPF_CORE_READ(vgpu, gpu, id), v = vgpu->id, e;
	struct vinfo *vi = vinfo_of(gpu, v);
	struct vstate *vs;

	if (vi) {
		vi->weight = vgpu->weight ?: 1;
		vi->cap = vgpu->cap;
	}
	if (!reset)
		return;
	for (e = 0; e < GC_MAX_ENGINES; e++) {
		vs = vstate_of(gev_idx(gpu, e, v));
		if (vs) {
			vs->vtime = 0;
			vs->win = 0;
			vs->win_used = 0;
		}
	}
}

s32 BPF_STRUCT_OPS(fairshare_vgpu_init, struct gpucore_vgpu *vgpu)
{
	vgpu_set(vgpu, true);
	return 0;
}

void BPF_STRUCT_OPS(fairshare_vgpu_update, struct gpucore_vgpu *vgpu)
{
	vgpu_set(vgpu, false);
}

void BPF_STRUCT_OPS(fairshare_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = ch_gpu(ch), engine = ch_engine(ch), v = ch_vgpu(ch) % GC_MAX_VGPUS;
	u32 q = gev_idx(gpu, engine, v);
	struct estate *es = estate_of(gpu, engine);
	struct vstate *vs = vstate_of(q);

	if (!es || !vs)
		return;
	if (!chq_nr(q) && vs->vtime < es->vtime_now)
		vs->vtime = es->vtime_now;
	if (chq_push(q, ch->id)) {
		gpucore_error("fairshare: cannot queue channel %u", ch->id);
		return;
	}
	es->active |= 1ULL << v;
}

void BPF_STRUCT_OPS(fairshare_quiescent, struct gpucore_channel *ch)
{
	u32 gpu = ch_gpu(ch), engine = ch_engine(ch), v = ch_vgpu(ch) % GC_MAX_VGPUS;
	struct estate *es = estate_of(gpu, engine);

	if (chq_remove(ch->id) || !es)
		return;
	if (!chq_nr(gev_idx(gpu, engine, v)))
		es->active &= ~(1ULL << v);
}

void BPF_STRUCT_OPS(fairshare_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	struct vstate *vs = vstate_of(gev_idx(ch_gpu(ch), ch_engine(ch), ch_vgpu(ch)));
	u32 weight = BPF_CORE_READ(ch, vgpu, weight);
	u64 now = bpf_ktime_get_ns(), win = now / window_len();

	if (!vs)
		return;
	vs->vtime += ran_ns * 100 / (weight ?: 1);
	if (vs->win != win) {
		/* Only the part of the run inside the new window counts. */
		vs->win = win;
		vs->win_used = 0;
		if (ran_ns > now - win * window_len())
			ran_ns = now - win * window_len();
	}
	vs->win_used += ran_ns;
}

/* pick_vgpu()'s search, one bpf_loop() step per vGPU. */
struct pick {
	u32 gpu, engine;
	u64 active, now;
	u64 best_vtime, left;
	u32 wmax;
	s32 best;
};

static long pick_step(u64 i, void *data)
{
	struct pick *p = data;
	u32 v = i % GC_MAX_VGPUS;
	struct vstate *vs;
	struct vinfo *vi;
	u64 l;

	if (!(p->active & (1ULL << v)))
		return 0;
	vs = vstate_of(gev_idx(p->gpu, p->engine, v));
	vi = vinfo_of(p->gpu, v);
	if (!vs || !vi)
		return 0;
	if (vi->weight > p->wmax)
		p->wmax = vi->weight;
	l = cap_left(vs, vi->cap, p->now);
	if (!l || vs->vtime >= p->best_vtime)
		return 0;
	p->best_vtime = vs->vtime;
	p->best = v;
	p->left = l;
	return 0;
}

/*
 * The vGPU with queued channels, within its cap, with the least vtime;
 * @wmax: set to the largest weight among the busy vGPUs. A bpf_loop()
 * (inlined by the verifier) rather than a plain loop, so the verifier
 * checks one step instead of walking all 64: that took 16 s under TCG.
 */
static __always_inline s32 pick_vgpu(u32 gpu, u32 engine, u64 active, u64 now, u64 *left,
				     u32 *wmax)
{
	struct pick p = {
		.gpu = gpu, .engine = engine, .active = active, .now = now,
		.best_vtime = (u64)-1, .best = -1,
	};

	bpf_loop(GC_MAX_VGPUS, pick_step, &p, 0);
	*left = p.left;
	*wmax = p.wmax;
	return p.best;
}

void BPF_STRUCT_OPS(fairshare_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = engine_gpu(engine), e = engine->id, q;
	struct estate *es = estate_of(gpu, e);
	struct vstate *vs;
	u64 base = timeslice_ns ?: BPF_CORE_READ(engine, gpu, timeslice_ns);
	u64 left = 0, slice = base, id;
	u32 wmax = 0;
	struct vinfo *vi;
	s32 v;

	if (!es || !es->active)
		return;
	v = pick_vgpu(gpu, e, es->active, bpf_ktime_get_ns(), &left, &wmax);
	if (v < 0)
		return;		/* every busy vGPU is at its cap */
	vi = vinfo_of(gpu, v);
	if (scaled_slices && vi && wmax && vi->weight < wmax) {
		slice = base * vi->weight / wmax;
		if (slice < base / 8)
			slice = base / 8;
	}
	q = gev_idx(gpu, e, v);
	id = chq_pop(q);
	if (!chq_nr(q))
		es->active &= ~(1ULL << v);
	vs = vstate_of(q);
	if (!id || !vs)
		return;
	if (vs->vtime > es->vtime_now)
		es->vtime_now = vs->vtime;
	if (left != (u64)-1) {
		if (slice > left)
			slice = left;
		if (slice < GPUCORE_MIN_SLICE_NS)
			slice = GPUCORE_MIN_SLICE_NS;
	}
	gpucore_dispatch(engine, id, slice);
}

s32 BPF_STRUCT_OPS(fairshare_init)
{
	/* Start empty, also when these maps were attached before. */
	chq_reset();
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops fairshare_ops = {
	.init		= (void *)fairshare_init,
	.vgpu_init	= (void *)fairshare_vgpu_init,
	.vgpu_update	= (void *)fairshare_vgpu_update,
	.runnable	= (void *)fairshare_runnable,
	.quiescent	= (void *)fairshare_quiescent,
	.stopping	= (void *)fairshare_stopping,
	.dispatch	= (void *)fairshare_dispatch,
	.name		= "fairshare",
};
