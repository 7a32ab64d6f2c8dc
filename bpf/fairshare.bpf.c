// SPDX-License-Identifier: GPL-2.0
/*
 * fairshare: weighted fair sharing of a GPU's engine time between vGPUs.
 *
 * A vGPU's weight is its share of the GPU's engines of a class (compute,
 * copy), whatever engines its channels are bound to: vGPUs that are busy
 * in a class split that class's engine time in proportion to their
 * weights. Work conserving: an idle vGPU's share goes to the busy ones.
 *
 * Virtual time, per (GPU, class, vGPU): when a channel stops, its vGPU's
 * vtime advances by ran_ns * 100 / weight. An idle engine runs, among the
 * vGPUs with channels queued on it, the one with the least vtime, and
 * within it the channel at the head of the vGPU's FIFO on that engine, so
 * a vGPU's channels share its time round robin. Since vtime counts the
 * whole class, a vGPU that gets much of one engine yields the others to
 * the vGPUs it shares them with, and shares come out by weight for the
 * class even when channels are spread unevenly (the core also spreads
 * each vGPU's channels over the class's engines).
 *
 * Bounded lag. The class's virtual clock, vnow, is the largest vtime
 * dispatched so far. A vGPU that becomes busy on an engine starts at vnow
 * at the earliest (idling earns no credit), and every charge keeps a
 * vGPU's vtime within one lead of vnow, a lead being period_ns of GPU
 * time (period_ns * 100 / the GPU's sum of weights). Ahead: a vGPU that
 * ran alone, or took a long slice next to much heavier ones, does not then
 * wait for them to catch up for seconds. Behind: a vGPU that shared an
 * engine while another had one to itself is not owed a class's worth of
 * time when they meet. So every busy vGPU runs at least once every two
 * periods or so, whatever the weights (1..10000): a vGPU whose share is
 * too small for one minimum slice per period gets that slice anyway, an
 * absolute error of at most (what a minimum slice really takes on the
 * engine) / period_ns of the GPU: 0.01% with the defaults, about 0.1%
 * under an emulator whose timers fire a millisecond late; every other
 * vGPU gets its share, since in a steady state all vtimes advance
 * together and the bounds never bite.
 *
 * Starvation guard: a channel queued for starve_ns (its vGPU has many
 * channels, or its engine is crowded) runs before vtime is consulted, so
 * every runnable channel is served well within the watchdog's timeout.
 *
 * Timeslices scale with weight (scaled_slices): a vGPU runs for
 * timeslice_ns * weight / (the largest weight busy on the engine), at
 * least min_slice_ns. A vGPU's lag behind its ideal share is about one of
 * its own timeslices, so with equal timeslices a light vGPU is off by much
 * more, relative to its share, than a heavy one.
 *
 * Caps: a vGPU with a cap of C percent may use at most C% of each engine's
 * time in each cap_window_ns window (so at most C% of the GPU, however its
 * channels are placed) (aligned on multiples of cap_window_ns of the
 * monotonic clock; a run that crosses a window boundary is charged to the
 * new window only for its part in it, and what a window's runs took past
 * its budget is carried into the next). Once it has, it is skipped until
 * the window rolls over (engines may idle: caps are hard), and its
 * timeslices are cut to what is left of its budget. The core calls
 * dispatch() on every tick (10 ms) while channels wait.
 *
 * Non-preemptible work is charged what it actually ran, so a vGPU whose
 * SPIN overran its slice pays for it in vtime (and in its cap window).
 *
 * Tunables: timeslice_ns (0: the GPU default), min_slice_ns, period_ns,
 * starve_ns, cap_window_ns, scaled_slices (default true).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");
const volatile u64 min_slice_ns = 100 * 1000ULL;
GPUCORE_TUNABLE_RANGE(min_slice_ns, GPUCORE_MIN_SLICE_NS, 10 * 1000 * 1000ULL);
const volatile u64 period_ns = 1000 * 1000 * 1000ULL;
/* At least ten ticks, at most a fifth of the default watchdog timeout. */
GPUCORE_TUNABLE_RANGE(period_ns, 10 * GPUCORE_TICK_MS * 1000 * 1000ULL,
		      GPUCORE_WATCHDOG_DEFAULT_MS / 5 * 1000 * 1000ULL);
const volatile u64 starve_ns = 2000 * 1000 * 1000ULL;
GPUCORE_TUNABLE_RANGE(starve_ns, 10 * GPUCORE_TICK_MS * 1000 * 1000ULL,
		      GPUCORE_WATCHDOG_DEFAULT_MS / 2 * 1000 * 1000ULL);
const volatile u64 cap_window_ns = 100 * 1000 * 1000ULL;
/* At least a tick (when a capped vGPU resumes), at most 1 s (well inside the watchdog). */
GPUCORE_TUNABLE_RANGE_OR_ZERO(cap_window_ns, GPUCORE_TICK_MS * 1000 * 1000ULL,
			      1000 * 1000 * 1000ULL, "100 ms");
const volatile bool scaled_slices = true;

#define VTIME_SCALE	100

/* Per (gpu, class, vGPU). */
struct fs_vstate {
	u64 vtime;
};

/* Per (gpu, engine, vGPU), index gev_idx(): the cap window. */
struct fs_window {
	u64 win;		/* cap window index (now / cap_window_ns) */
	u64 win_used;		/* engine time used in the window */
};

/* Per (gpu, class). */
struct fs_cstate {
	u64 vnow;		/* largest vtime dispatched, monotonic */
};

/* Per (gpu, engine). */
struct fs_estate {
	u64 active;		/* bit v: vGPU v has channels queued here */
};

/* Per (gpu, vGPU). */
struct fs_vinfo {
	u32 weight;
	u32 cap;
};

/* Per gpu. */
struct fs_gstate {
	u64 wsum;		/* sum of the weights of its vGPUs */
};

#define ARRAY_MAP(name, vtype, n)			\
	struct {					\
		__uint(type, BPF_MAP_TYPE_ARRAY);	\
		__uint(max_entries, n);			\
		__type(key, u32);			\
		__type(value, vtype);			\
	} name SEC(".maps")

ARRAY_MAP(vstates, struct fs_vstate, GC_MAX_GPUS * GC_NR_CLASSES * GC_MAX_VGPUS);
ARRAY_MAP(windows, struct fs_window, CHQ_MAX_QUEUES);
ARRAY_MAP(cstates, struct fs_cstate, GC_MAX_GPUS * GC_NR_CLASSES);
ARRAY_MAP(estates, struct fs_estate, GC_MAX_GPUS * GC_MAX_ENGINES);
ARRAY_MAP(vinfos, struct fs_vinfo, GC_MAX_GPUS * GC_MAX_VGPUS);
ARRAY_MAP(gstates, struct fs_gstate, GC_MAX_GPUS);

/* Statistics, readable with bpftool map dump (fairsha.bss). */
u64 nr_dispatched;
u64 nr_starved;		/* dispatched by the starvation guard */
u64 nr_clamped;		/* vtimes pulled back within a lead of vnow */

static __always_inline struct fs_vstate *vstate_of(u32 gpu, u32 cls, u32 v)
{
	u32 k = gcv_idx(gpu, cls, v);

	return bpf_map_lookup_elem(&vstates, &k);
}

static __always_inline struct fs_cstate *cstate_of(u32 gpu, u32 cls)
{
	u32 k = (gpu % GC_MAX_GPUS) * GC_NR_CLASSES + cls % GC_NR_CLASSES;

	return bpf_map_lookup_elem(&cstates, &k);
}

static __always_inline struct fs_estate *estate_of(u32 gpu, u32 engine)
{
	u32 k = (gpu % GC_MAX_GPUS) * GC_MAX_ENGINES + engine % GC_MAX_ENGINES;

	return bpf_map_lookup_elem(&estates, &k);
}

static __always_inline struct fs_vinfo *vinfo_of(u32 gpu, u32 v)
{
	u32 k = (gpu % GC_MAX_GPUS) * GC_MAX_VGPUS + v % GC_MAX_VGPUS;

	return bpf_map_lookup_elem(&vinfos, &k);
}

static __always_inline struct fs_gstate *gstate_of(u32 gpu)
{
	u32 k = gpu % GC_MAX_GPUS;

	return bpf_map_lookup_elem(&gstates, &k);
}

static __always_inline u64 window_len(void)
{
	return cap_window_ns ?: 100 * 1000 * 1000ULL;
}

static __always_inline struct fs_window *window_of(u32 q)
{
	return bpf_map_lookup_elem(&windows, &q);
}

static __always_inline u64 cap_budget(u32 cap)
{
	return window_len() * cap / 100;
}

/*
 * Start a new cap window if @now is past the current one. What the last
 * window's runs took past its budget (a slice ends a little late, and
 * non-preemptible work ends when it ends) is carried into the next one,
 * so a cap holds over time, not only to a slice's precision.
 */
static __always_inline void window_roll(struct fs_window *w, u32 cap, u64 now)
{
	u64 win = now / window_len(), budget = cap_budget(cap), over = 0;

	if (w->win == win)
		return;
	if (cap && cap < 100 && win == w->win + 1 && w->win_used > budget)
		over = w->win_used - budget;
	w->win = win;
	w->win_used = over;
}

/* Engine time left in the cap window (U64_MAX: no cap). */
static __always_inline u64 cap_left(struct fs_window *w, u32 cap, u64 now)
{
	u64 budget;

	if (!cap || cap >= 100)
		return (u64)-1;
	window_roll(w, cap, now);
	budget = cap_budget(cap);
	return w->win_used < budget ? budget - w->win_used : 0;
}

/* How far a vGPU's vtime may be from the class's vnow. */
static __always_inline u64 max_lead(u32 gpu)
{
	struct fs_gstate *gs = gstate_of(gpu);
	u64 wsum = gs && gs->wsum ? gs->wsum : 1;

	return period_ns * VTIME_SCALE / wsum;
}

static __always_inline void vgpu_set(struct gpucore_vgpu *vgpu, bool reset)
{
	u32 gpu = BPF_CORE_READ(vgpu, gpu, id), v = vgpu->id, w = vgpu->weight ?: 1, c;
	struct fs_vinfo *vi = vinfo_of(gpu, v);
	struct fs_gstate *gs = gstate_of(gpu);
	struct fs_vstate *vs;

	if (!vi || !gs)
		return;
	if (!reset)
		gs->wsum -= vi->weight;
	gs->wsum += w;
	vi->weight = w;
	vi->cap = vgpu->cap;
	if (!reset)
		return;
	for (c = 0; c < GC_NR_CLASSES; c++) {
		vs = vstate_of(gpu, c, v);
		if (vs)
			vs->vtime = 0;
	}
	for (c = 0; c < GC_MAX_ENGINES; c++) {
		struct fs_window *w = window_of(gev_idx(gpu, c, v));

		if (w)
			*w = (struct fs_window){};
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

void BPF_STRUCT_OPS(fairshare_vgpu_exit, struct gpucore_vgpu *vgpu)
{
	u32 gpu = BPF_CORE_READ(vgpu, gpu, id);
	struct fs_vinfo *vi = vinfo_of(gpu, vgpu->id);
	struct fs_gstate *gs = gstate_of(gpu);

	if (vi && gs) {
		gs->wsum -= vi->weight;
		vi->weight = 0;
	}
}

/* Keep @vs within a lead of the class's vnow. */
static __always_inline void bound_lag(struct fs_vstate *vs, struct fs_cstate *cs, u32 gpu)
{
	u64 lead = max_lead(gpu);

	if (vs->vtime > cs->vnow + lead) {
		vs->vtime = cs->vnow + lead;
		nr_clamped++;
	} else if (vs->vtime + lead < cs->vnow) {
		vs->vtime = cs->vnow - lead;
		nr_clamped++;
	}
}

void BPF_STRUCT_OPS(fairshare_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = ch_gpu(ch), engine = ch_engine(ch), v = ch_vgpu(ch) % GC_MAX_VGPUS;
	u32 q = gev_idx(gpu, engine, v);
	struct fs_vstate *vs = vstate_of(gpu, ch_engine_class(ch), v);
	struct fs_cstate *cs = cstate_of(gpu, ch_engine_class(ch));
	struct fs_estate *es = estate_of(gpu, engine);

	if (!vs || !cs || !es)
		return;
	/*
	 * Becoming busy here (woken, not requeued after its slice: a vGPU
	 * with one channel on the engine has none queued while it runs): no
	 * credit for the time it was idle.
	 */
	if ((flags & GPUCORE_ENQ_WAKEUP) && !chq_nr(q) && vs->vtime < cs->vnow)
		vs->vtime = cs->vnow;
	if (chq_push(q, ch->id)) {
		gpucore_error("fairshare: cannot queue channel %u", ch->id);
		return;
	}
	es->active |= 1ULL << v;
}

void BPF_STRUCT_OPS(fairshare_quiescent, struct gpucore_channel *ch)
{
	u32 gpu = ch_gpu(ch), engine = ch_engine(ch), v = ch_vgpu(ch) % GC_MAX_VGPUS;
	struct fs_estate *es = estate_of(gpu, engine);

	if (chq_remove(ch->id) || !es)
		return;
	if (!chq_nr(gev_idx(gpu, engine, v)))
		es->active &= ~(1ULL << v);
}

void BPF_STRUCT_OPS(fairshare_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	u32 gpu = ch_gpu(ch), weight = BPF_CORE_READ(ch, vgpu, weight);
	struct fs_vstate *vs = vstate_of(gpu, ch_engine_class(ch), ch_vgpu(ch));
	struct fs_window *w = window_of(gev_idx(gpu, ch_engine(ch), ch_vgpu(ch)));
	struct fs_cstate *cs = cstate_of(gpu, ch_engine_class(ch));
	u64 now = bpf_ktime_get_ns(), win = now / window_len();
	u32 cap = BPF_CORE_READ(ch, vgpu, cap);

	if (!vs || !cs || !w)
		return;
	vs->vtime += ran_ns * VTIME_SCALE / (weight ?: 1);
	bound_lag(vs, cs, gpu);
	if (w->win != win) {
		/* The part of the run before the new window goes to the old one. */
		u64 before = now - win * window_len() < ran_ns ?
			     ran_ns - (now - win * window_len()) : 0;

		w->win_used += before;
		ran_ns -= before;
		window_roll(w, cap, now);
	}
	w->win_used += ran_ns;
}

/* The dispatch's search, one bpf_loop() step per vGPU. */
struct fs_pick {
	u32 gpu, cls, engine;
	u64 active, now;
	u64 best_vtime, left, oldest;
	u32 wmax;
	s32 best, starved;
};

static long pick_step(u64 i, void *data)
{
	struct fs_pick *p = data;
	u32 v = i % GC_MAX_VGPUS, q = gev_idx(p->gpu, p->engine, v);
	struct fs_vstate *vs;
	struct fs_window *w;
	struct fs_vinfo *vi;
	u64 l, enq = 0;

	if (!(p->active & (1ULL << v)))
		return 0;
	vs = vstate_of(p->gpu, p->cls, v);
	w = window_of(q);
	vi = vinfo_of(p->gpu, v);
	if (!vs || !w || !vi)
		return 0;
	if (vi->weight > p->wmax)
		p->wmax = vi->weight;
	l = cap_left(w, vi->cap, p->now);
	if (!l)
		return 0;
	/* The starvation guard: the longest-waiting head past starve_ns. */
	if (chq_peek(q, &enq) && p->now > enq && p->now - enq > starve_ns && enq < p->oldest) {
		p->oldest = enq;
		p->starved = v;
		p->left = l;
	}
	if (p->starved < 0 && vs->vtime < p->best_vtime) {
		p->best_vtime = vs->vtime;
		p->best = v;
		p->left = l;
	}
	return 0;
}

void BPF_STRUCT_OPS(fairshare_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = engine_gpu(engine), e = engine->id, cls = engine->engine_class % GC_NR_CLASSES;
	struct fs_estate *es = estate_of(gpu, e);
	struct fs_cstate *cs = cstate_of(gpu, cls);
	u64 base = timeslice_ns ?: BPF_CORE_READ(engine, gpu, timeslice_ns);
	struct fs_pick p = {
		.gpu = gpu, .cls = cls, .engine = e, .now = bpf_ktime_get_ns(),
		.best_vtime = (u64)-1, .oldest = (u64)-1, .best = -1, .starved = -1,
	};
	struct fs_vstate *vs;
	struct fs_vinfo *vi;
	u64 slice = base, id;
	s32 v;

	if (!es || !cs || !es->active)
		return;
	p.active = es->active;
	/* bpf_loop(): the verifier checks one step instead of walking all 64. */
	bpf_loop(GC_MAX_VGPUS, pick_step, &p, 0);
	v = p.starved >= 0 ? p.starved : p.best;
	if (v < 0)
		return;		/* every busy vGPU is at its cap */
	if (p.starved >= 0)
		nr_starved++;
	vi = vinfo_of(gpu, v);
	if (scaled_slices && vi && p.wmax && vi->weight < p.wmax)
		slice = base * vi->weight / p.wmax;
	if (slice < min_slice_ns)
		slice = min_slice_ns;
	vs = vstate_of(gpu, cls, v);
	id = chq_pop(gev_idx(gpu, e, v));
	if (!chq_nr(gev_idx(gpu, e, v)))
		es->active &= ~(1ULL << v);
	if (!id || !vs)
		return;
	if (vs->vtime > cs->vnow)
		cs->vnow = vs->vtime;
	if (p.left != (u64)-1 && slice > p.left)
		slice = p.left;
	if (slice < GPUCORE_MIN_SLICE_NS)
		slice = GPUCORE_MIN_SLICE_NS;
	if (slice > GPUCORE_MAX_SLICE_NS)
		slice = GPUCORE_MAX_SLICE_NS;
	nr_dispatched++;
	gpucore_dispatch(engine, id, slice);
}

static long reset_gpu(u64 i, void *ctx)
{
	u32 k = i;
	struct fs_gstate *gs = bpf_map_lookup_elem(&gstates, &k);
	struct fs_estate *es;
	struct fs_cstate *cs;
	u32 c;

	if (gs)
		gs->wsum = 0;
	for (c = 0; c < GC_MAX_ENGINES; c++) {
		k = i * GC_MAX_ENGINES + c;
		es = bpf_map_lookup_elem(&estates, &k);
		if (es)
			es->active = 0;
	}
	for (c = 0; c < GC_NR_CLASSES; c++) {
		k = i * GC_NR_CLASSES + c;
		cs = bpf_map_lookup_elem(&cstates, &k);
		if (cs)
			*cs = (struct fs_cstate){};
	}
	return 0;
}

s32 BPF_STRUCT_OPS(fairshare_init)
{
	/* Start empty, also when these maps were attached before. */
	chq_reset();
	bpf_loop(GC_MAX_GPUS, reset_gpu, NULL, 0);
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops fairshare_ops = {
	.init		= (void *)fairshare_init,
	.vgpu_init	= (void *)fairshare_vgpu_init,
	.vgpu_update	= (void *)fairshare_vgpu_update,
	.vgpu_exit	= (void *)fairshare_vgpu_exit,
	.runnable	= (void *)fairshare_runnable,
	.quiescent	= (void *)fairshare_quiescent,
	.stopping	= (void *)fairshare_stopping,
	.dispatch	= (void *)fairshare_dispatch,
	.name		= "fairshare",
};
