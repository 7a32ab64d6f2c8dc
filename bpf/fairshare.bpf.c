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
 * vtime advances by ran_ns * 100 / weight. Each (engine, vGPU) has a
 * kernel dispatch queue, FIFO, each channel stamped with the time it was
 * inserted (its dsq_vtime, which gpucore_dsq_peek_vtime() reads).
 * An engine with nothing in its local queue asks dispatch(), which moves
 * the head of the queue of the vGPU with the least vtime among those with
 * channels queued on that engine: a vGPU's channels share its time round
 * robin. The kernel takes a channel out of its queue when it runs or goes
 * away, so the policy only keeps a bitmask of the queues in use. A run is
 * charged when the channel comes off its engine, from the growth of its
 * busy_ns (kept in the channel's policy_data), in runnable() or
 * quiescent(): two BPF program runs per decision. Since vtime counts the
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
 * tick() finds such channels: a queue's key is its head's insertion time.
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
 * timeslices are cut to what is left of its budget when they are queued.
 * The core calls dispatch() on every tick (10 ms) while channels wait. A
 * channel alone on its engine is also switched out at every slice end
 * (GPUCORE_OPS_ENQ_LAST), so that its cap is checked.
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

/* The queue of vGPU @v's channels on engine @e (of the GPU the callback runs for). */
#define VQ(e, v)	GC_EV_DSQ(e, v)

/* A channel's policy_data[]: its busy_ns when it was last charged. */
#define PD_CHARGED	0

/* Per (gpu, vGPU). */
struct fs_vstate {
	u64 vtime[GC_NR_CLASSES];
	u32 weight;
	u32 cap;
};

/* Per (gpu, engine, vGPU), index gc_gev_idx(): the cap window. */
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
	u64 active;		/* bit v: vGPU v has channels in its queue here */
	u64 starved;		/* bit v: its queue's head waited past starve_ns */
	u32 wmax;		/* largest weight active here at the last dispatch */
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

ARRAY_MAP(vstates, struct fs_vstate, GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS);
ARRAY_MAP(windows, struct fs_window, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES * GPUCORE_MAX_VGPUS);
ARRAY_MAP(cstates, struct fs_cstate, GPUCORE_MAX_GPUS * GC_NR_CLASSES);
ARRAY_MAP(estates, struct fs_estate, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
ARRAY_MAP(gstates, struct fs_gstate, GPUCORE_MAX_GPUS);

/* Statistics, readable with bpftool map dump (fairsha.bss). */
u64 nr_dispatched;
u64 nr_starved;		/* dispatched by the starvation guard */
u64 nr_clamped;		/* vtimes pulled back within a lead of vnow */

static __always_inline struct fs_vstate *vstate_of(u32 gpu, u32 v)
{
	u32 k = gc_gv_idx(gpu, v);

	return bpf_map_lookup_elem(&vstates, &k);
}

static __always_inline struct fs_cstate *cstate_of(u32 gpu, u32 cls)
{
	u32 k = gc_gcls_idx(gpu, cls);

	return bpf_map_lookup_elem(&cstates, &k);
}

static __always_inline struct fs_estate *estate_of(u32 gpu, u32 engine)
{
	u32 k = gc_ge_idx(gpu, engine);

	return bpf_map_lookup_elem(&estates, &k);
}

static __always_inline struct fs_gstate *gstate_of(u32 gpu)
{
	u32 k = gpu % GPUCORE_MAX_GPUS;

	return bpf_map_lookup_elem(&gstates, &k);
}

static __always_inline struct fs_window *window_of(u32 gpu, u32 engine, u32 v)
{
	u32 k = gc_gev_idx(gpu, engine, v);

	return bpf_map_lookup_elem(&windows, &k);
}

static __always_inline u64 window_len(void)
{
	return cap_window_ns ?: 100 * 1000 * 1000ULL;
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

/* Keep @vt within a lead of the class's vnow. */
static __always_inline void bound_lag(u64 *vt, struct fs_cstate *cs, u32 gpu)
{
	u64 lead = max_lead(gpu);

	if (*vt > cs->vnow + lead) {
		*vt = cs->vnow + lead;
		nr_clamped++;
	} else if (*vt + lead < cs->vnow) {
		*vt = cs->vnow - lead;
		nr_clamped++;
	}
}

static __always_inline void vgpu_set(struct gpucore_vgpu *vgpu, bool reset)
{
	u32 gpu = vgpu->gpu_id, w = vgpu->weight ?: 1, c;
	struct fs_vstate *vs = vstate_of(gpu, vgpu->id);
	struct fs_gstate *gs = gstate_of(gpu);

	if (!vs || !gs)
		return;
	if (!reset)
		gs->wsum -= vs->weight;
	gs->wsum += w;
	vs->weight = w;
	vs->cap = vgpu->cap;
	if (!reset)
		return;
	vs->vtime[0] = vs->vtime[1] = 0;
	for (c = 0; c < GPUCORE_MAX_ENGINES; c++) {
		struct fs_window *win = window_of(gpu, c, vgpu->id);

		if (win)
			*win = (struct fs_window){};
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
	u32 gpu = vgpu->gpu_id;
	struct fs_vstate *vs = vstate_of(gpu, vgpu->id);
	struct fs_gstate *gs = gstate_of(gpu);

	if (vs && gs) {
		gs->wsum -= vs->weight;
		vs->weight = 0;
	}
}

s32 BPF_STRUCT_OPS(fairshare_channel_init, struct gpucore_channel *ch)
{
	/* Charge only what it runs from now on (it may exist from before). */
	ch->policy_data[PD_CHARGED] = ch->busy_ns;
	return 0;
}

/*
 * Charge @ch's vGPU (@vs, its class's @cs, its cap window @w on the
 * engine) for what the channel ran since it was last charged: its vtime
 * in the engine's class, and its cap window. A run that crosses a window
 * boundary goes to the old window for its part before it.
 */
static __always_inline void charge(struct gpucore_channel *ch, struct fs_vstate *vs,
				   struct fs_cstate *cs, struct fs_window *w, u32 gpu, u32 cls,
				   u64 now)
{
	u64 busy = ch->busy_ns, ran = busy - ch->policy_data[PD_CHARGED];
	u64 win, before;

	ch->policy_data[PD_CHARGED] = busy;
	if (!ran || !vs || !cs || !w)
		return;
	win = now / window_len();
	vs->vtime[cls & 1] += ran * VTIME_SCALE / (vs->weight ?: 1);
	bound_lag(&vs->vtime[cls & 1], cs, gpu);
	if (w->win != win) {
		before = now - win * window_len() < ran ? ran - (now - win * window_len()) : 0;
		w->win_used += before;
		ran -= before;
		window_roll(w, vs->cap, now);
	}
	w->win_used += ran;
}

/* The timeslice @v gets on an engine whose busiest weight is @wmax. */
static __always_inline u64 slice_of(struct gpucore_channel *ch, struct fs_vstate *vs, u32 wmax,
				    u64 left)
{
	u64 slice = timeslice_ns ?: ch->gpu->timeslice_ns;

	if (scaled_slices && wmax && vs->weight < wmax)
		slice = slice * vs->weight / wmax;
	if (slice < min_slice_ns)
		slice = min_slice_ns;
	if (left && slice > left)
		slice = left;
	if (slice < GPUCORE_MIN_SLICE_NS)
		slice = GPUCORE_MIN_SLICE_NS;
	if (slice > GPUCORE_MAX_SLICE_NS)
		slice = GPUCORE_MAX_SLICE_NS;
	return slice;
}

void BPF_STRUCT_OPS(fairshare_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), v = gc_ch_vgpu(ch) % GPUCORE_MAX_VGPUS;
	u32 cls = gc_ch_engine_class(ch) & 1;
	struct fs_vstate *vs = vstate_of(gpu, v);
	struct fs_cstate *cs = cstate_of(gpu, cls);
	struct fs_estate *es = estate_of(gpu, e);
	struct fs_window *w = window_of(gpu, e, v);
	/*
	 * The core's clock when the channel became runnable, which is now
	 * (no clock read of our own), unless it was queued before attach.
	 */
	u64 now = flags & GPUCORE_ENQ_ATTACH ? bpf_ktime_get_ns() : ch->runnable_since, left;

	if (flags & GPUCORE_ENQ_REQUEUE)
		charge(ch, vs, cs, w, gpu, cls, now);
	if (!vs || !cs || !es || !w)
		return;
	/*
	 * Becoming busy here (woken, with nothing of its vGPU queued on the
	 * engine): no credit for the time it was idle.
	 */
	if ((flags & GPUCORE_ENQ_WAKEUP) && !(es->active & (1ULL << v)) &&
	    vs->vtime[cls] < cs->vnow)
		vs->vtime[cls] = cs->vnow;
	left = cap_left(w, vs->cap, now);
	if (left == (u64)-1)
		left = 0;
	ch->dsq_vtime = now;
	gpucore_dsq_insert(ch, VQ(e, v), slice_of(ch, vs, es->wmax, left), 0);
	es->active |= 1ULL << v;
}

void BPF_STRUCT_OPS(fairshare_quiescent, struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), v = gc_ch_vgpu(ch) % GPUCORE_MAX_VGPUS;
	u32 cls = gc_ch_engine_class(ch) & 1;
	struct fs_estate *es = estate_of(gpu, e);

	charge(ch, vstate_of(gpu, v), cstate_of(gpu, cls), window_of(gpu, e, v), gpu, cls,
	       bpf_ktime_get_ns());
	/* A queued channel that went away: its queue may be empty now. */
	if (es && gpucore_dsq_nr_queued(gpu, VQ(e, v)) <= 0)
		es->active &= ~(1ULL << v);
}

/* The dispatch's search. */
struct fs_pick {
	u32 gpu, cls, engine;
	u64 starved, now;
	u64 best_vtime;
	u32 wmax;
	s32 best, starving;
};

/* Consider vGPU @v, which has channels queued on the engine. */
static __always_inline void pick_one(struct fs_pick *p, u32 v)
{
	struct fs_vstate *vs = vstate_of(p->gpu, v);
	struct fs_window *w = window_of(p->gpu, p->engine, v);

	if (!vs || !w)
		return;
	if (vs->weight > p->wmax)
		p->wmax = vs->weight;
	/* the clock, read once, only for a capped vGPU */
	if (vs->cap && vs->cap < 100 && !p->now)
		p->now = bpf_ktime_get_ns();
	if (!cap_left(w, vs->cap, p->now))
		return;
	if ((p->starved & (1ULL << v)) && p->starving < 0)
		p->starving = v;
	if (vs->vtime[p->cls & 1] < p->best_vtime) {
		p->best_vtime = vs->vtime[p->cls & 1];
		p->best = v;
	}
}

void BPF_STRUCT_OPS(fairshare_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), e = engine->id, cls = engine->engine_class & 1;
	struct fs_estate *es = estate_of(gpu, e);
	struct fs_cstate *cs = cstate_of(gpu, cls);
	struct fs_pick p = {
		.gpu = gpu, .cls = cls, .engine = e,
		.best_vtime = (u64)-1, .best = -1, .starving = -1,
	};
	struct fs_vstate *vs;
	u64 m;
	s32 v;
	int i;

	if (!es || !cs || !es->active)
		return;
	p.starved = es->starved;
	/* Only the vGPUs with channels queued here: lowest set bit first. */
	m = es->active;
	bpf_for(i, 0, GPUCORE_MAX_VGPUS) {
		if (!m)
			break;
		pick_one(&p, __builtin_ctzll(m) % GPUCORE_MAX_VGPUS);
		m &= m - 1;
	}
	es->wmax = p.wmax;
	v = p.starving >= 0 ? p.starving : p.best;
	if (v < 0)
		return;		/* every busy vGPU is at its cap */
	if (!gpucore_dsq_move_to_local(engine, VQ(e, v))) {
		es->active &= ~(1ULL << v);
		return;
	}
	if (p.starving >= 0) {
		es->starved &= ~(1ULL << v);
		nr_starved++;
	}
	if (gpucore_dsq_nr_queued(gpu, VQ(e, v)) <= 0)
		es->active &= ~(1ULL << v);
	vs = vstate_of(gpu, v);
	if (vs && vs->vtime[cls] > cs->vnow)
		cs->vnow = vs->vtime[cls];
	nr_dispatched++;
}

/*
 * tick()'s starvation check: the head of each queue in use waited past
 * starve_ns (a queue's key is its head's insertion time).
 */
void BPF_STRUCT_OPS(fairshare_tick, struct gpucore_gpu *g)
{
	u32 gpu = g->id;
	u64 now = bpf_ktime_get_ns(), since, m;
	struct fs_estate *es;
	int e, i;
	u32 v;

	bpf_for(e, 0, GPUCORE_MAX_ENGINES) {
		es = estate_of(gpu, e);
		if (!es)
			break;
		m = es->active;
		bpf_for(i, 0, GPUCORE_MAX_VGPUS) {
			if (!m)
				break;
			v = __builtin_ctzll(m) % GPUCORE_MAX_VGPUS;
			m &= m - 1;
			since = gpucore_dsq_peek_vtime(gpu, VQ(e, v));
			if (since && now > since && now - since > starve_ns)
				es->starved |= 1ULL << v;
		}
	}
}

static long reset_gpu(u64 i, void *ctx)
{
	u32 k = i, c;
	struct fs_gstate *gs = bpf_map_lookup_elem(&gstates, &k);
	struct fs_estate *es;
	struct fs_cstate *cs;

	if (gs)
		gs->wsum = 0;
	for (c = 0; c < GPUCORE_MAX_ENGINES; c++) {
		k = i * GPUCORE_MAX_ENGINES + c;
		es = bpf_map_lookup_elem(&estates, &k);
		if (es)
			*es = (struct fs_estate){};
	}
	for (c = 0; c < GC_NR_CLASSES; c++) {
		k = i * GC_NR_CLASSES + c;
		cs = bpf_map_lookup_elem(&cstates, &k);
		if (cs)
			*cs = (struct fs_cstate){};
	}
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fairshare_init)
{
	/* Start empty, also when these maps were attached before. */
	bpf_loop(GPUCORE_MAX_GPUS, reset_gpu, NULL, 0);
	return gc_create_ev_dsqs();
}

SEC(".struct_ops.link")
struct gpucore_sched_ops fairshare_ops = {
	.init		= (void *)fairshare_init,
	.vgpu_init	= (void *)fairshare_vgpu_init,
	.vgpu_update	= (void *)fairshare_vgpu_update,
	.vgpu_exit	= (void *)fairshare_vgpu_exit,
	.channel_init	= (void *)fairshare_channel_init,
	.runnable	= (void *)fairshare_runnable,
	.quiescent	= (void *)fairshare_quiescent,
	.dispatch	= (void *)fairshare_dispatch,
	.tick		= (void *)fairshare_tick,
	.flags		= GPUCORE_OPS_ENQ_LAST,
	.name		= "fairshare",
};
