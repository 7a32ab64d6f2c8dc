// SPDX-License-Identifier: GPL-2.0
/*
 * gvtg: Intel GVT-g's vGPU scheduler, the time-based scheduler ("tbs") of
 * drivers/gpu/drm/i915/gvt/sched_policy.c (Linux 6.12), as a policy.
 *
 * What it reproduces:
 *
 * - A 1 ms scheduling tick (GVT_DEFAULT_TIME_SLICE): a vGPU's turn on an
 *   engine is one timeslice_ns (1 ms), after which the engine goes to the
 *   next vGPU with work and time left, in least-recently-run order (GVT's
 *   lru_runq_head: the vGPU picked moves to the tail), or idles.
 * - A rebalance every stage_ns (GVT_TS_BALANCE_PERIOD_MS, 100 ms). At
 *   the first stage of every round of `stages` (GVT_TS_BALANCE_STAGE_NUM,
 *   10: a round is 1 s), each running vGPU is allocated
 *	stage_ns * weight / (sum of the weights of the running vGPUs)
 *   per stage and its time left is reset to that (debt and savings are
 *   forgotten); at the other stages its allocation is added to what is
 *   left, so unused time, or debt, carries over for up to a round.
 * - A vGPU runs only while it has time left (left_ts > 0): not work
 *   conserving. Its turn is never cut short when its time runs out during
 *   it; the overrun is its debt (GVT charges the whole turn).
 * - Weights are the vGPUs' weights (GVT's sched_ctl.weight, 1..16 there,
 *   1..10000 here). A vGPU is running, on GVT's run queue, while it has a
 *   channel (running.bpf.h), as a GVT vGPU is from the time its guest
 *   enables a ring. Like GVT's, a vGPU that starts running in the middle
 *   of a round is allocated nothing until the next round starts (up to
 *   1 s), and the others keep the allocations of the round's start.
 *
 * What it leaves out or changes:
 *
 * - GVT gives the whole GPU to one vGPU at a time (every ring switches
 *   together, after the current workloads complete) and charges wall-clock
 *   ownership. Here each engine is scheduled on its own, as every gpucore
 *   policy does, and a vGPU is charged the engine time its channels ran
 *   (stopping()); a vGPU's allocation holds on each engine, which is what
 *   GVT's ownership share amounts to on every ring.
 * - GVT's timer fires every 1 ms; gpucore calls tick() every 10 ms. The
 *   1 ms turns come from 1 ms timeslices (every slice end reaches the
 *   policy: GPUCORE_OPS_ENQ_LAST), the rebalance runs in tick(), and an
 *   engine left idle by spent budgets is asked to dispatch again after
 *   each tick, so a stage starts up to a tick late.
 * - The host tenant is a vGPU like the others (under GVT the host's own
 *   i915 work does not go through the vGPU scheduler).
 * - Added for gpucore's watchdog: a vGPU whose oldest queued channel on an
 *   engine has waited starve_ns (2 s) runs there next, time left or not
 *   (it is charged as usual; tick() finds such queues). Without it a vGPU in debt waits for the next
 *   round (1 s) to run one 1 ms turn per engine, and with many channels
 *   on one engine each would wait that many rounds, past the watchdog's
 *   timeout. With weights 1..10000 every running vGPU is allocated more
 *   than nothing at each round start, so it runs at least once a round.
 *
 * Queues: one kernel dispatch queue per (engine, vGPU), keyed by the time
 * each channel was queued (the vGPU's channels run round robin, and the
 * head's key tells how long it waited), and a bitmask per engine of the
 * vGPUs with channels queued there.
 *
 * Tunables: timeslice_ns (1 ms), stage_ns (100 ms), stages (10),
 * starve_ns (2 s).
 */
#include "gpucore.bpf.h"
#include "running.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 1000 * 1000ULL;
GPUCORE_TUNABLE_RANGE(timeslice_ns, GPUCORE_MIN_SLICE_NS, 100 * 1000 * 1000ULL);
const volatile u64 stage_ns = 100 * 1000 * 1000ULL;
/* At least a tick (the rebalance runs in tick()); a round of 10 at most 2 s. */
GPUCORE_TUNABLE_RANGE(stage_ns, GPUCORE_TICK_MS * 1000 * 1000ULL, 200 * 1000 * 1000ULL);
const volatile u32 stages = 10;
GPUCORE_TUNABLE_RANGE(stages, 1, 10);
const volatile u64 starve_ns = 2000 * 1000 * 1000ULL;
GPUCORE_TUNABLE_RANGE(starve_ns, 10 * GPUCORE_TICK_MS * 1000 * 1000ULL,
		      GPUCORE_WATCHDOG_DEFAULT_MS / 2 * 1000 * 1000ULL);

/* The queue of vGPU @v's channels on engine @e (of the GPU the callback runs for). */
#define VQ(e, v)	GC_EV_DSQ(e, v)

/* Per (gpu, engine, vgpu): GVT's vgpu_sched_data, on one engine. */
struct gvt_budget {
	s64 left_ns;		/* left_ts: time left, negative in debt */
	u64 alloc_ns;		/* allocated_ts: added at each stage */
	u64 lru;		/* when its last turn started, in turns; 0: never */
};

/* Per (gpu, engine). */
struct gvt_engine {
	u64 queued;		/* bit v: vGPU v has channels queued here */
	u64 starved;		/* bit v: its queue's head waited past starve_ns */
	u64 turns;		/* turns given, the LRU clock */
};

/* Per gpu. */
struct gvt_gpu {
	u64 stage;		/* the last stage balanced (now / stage_ns) */
	bool started;		/* a stage was balanced since attach */
};

#define ARRAY_MAP(name, vtype, n)			\
	struct {					\
		__uint(type, BPF_MAP_TYPE_ARRAY);	\
		__uint(max_entries, n);			\
		__type(key, u32);			\
		__type(value, vtype);			\
	} name SEC(".maps")

ARRAY_MAP(budgets, struct gvt_budget, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES * GPUCORE_MAX_VGPUS);
ARRAY_MAP(engines, struct gvt_engine, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
ARRAY_MAP(gpus, struct gvt_gpu, GPUCORE_MAX_GPUS);

/* Statistics, readable with bpftool map dump (gvtg.bss). */
u64 nr_dispatched;
u64 nr_idle;		/* dispatch() left work queued: every queued vGPU out of time */
u64 nr_starved;		/* turns given by the starvation guard */
u64 nr_rounds;		/* rounds started (allocations recomputed) */

static __always_inline struct gvt_budget *budget_of(u32 gpu, u32 engine, u32 v)
{
	u32 k = gc_gev_idx(gpu, engine, v);

	return bpf_map_lookup_elem(&budgets, &k);
}

static __always_inline struct gvt_engine *engine_of(u32 gpu, u32 engine)
{
	u32 k = gc_ge_idx(gpu, engine);

	return bpf_map_lookup_elem(&engines, &k);
}

s32 BPF_STRUCT_OPS(gvtg_vgpu_init, struct gpucore_vgpu *vgpu)
{
	u32 gpu = vgpu->gpu_id, e;
	struct gvt_budget *b;

	gc_run_vgpu_set(vgpu);
	/* A new vGPU (or a reused id) has nothing until a round starts. */
	for (e = 0; e < GPUCORE_MAX_ENGINES; e++) {
		b = budget_of(gpu, e, vgpu->id);
		if (b)
			*b = (struct gvt_budget){};
	}
	return 0;
}

void BPF_STRUCT_OPS(gvtg_vgpu_update, struct gpucore_vgpu *vgpu)
{
	/* The new weight counts from the next round, as in GVT. */
	gc_run_vgpu_set(vgpu);
}

s32 BPF_STRUCT_OPS(gvtg_channel_init, struct gpucore_channel *ch)
{
	gc_run_channel_init(ch);
	return 0;
}

void BPF_STRUCT_OPS(gvtg_channel_exit, struct gpucore_channel *ch)
{
	gc_run_channel_exit(ch);
}

void BPF_STRUCT_OPS(gvtg_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), v = gc_ch_vgpu(ch) % GPUCORE_MAX_VGPUS;
	struct gvt_engine *ge = engine_of(gpu, e);

	gpucore_dsq_insert_vtime(ch, VQ(e, v), timeslice_ns, bpf_ktime_get_ns(), 0);
	if (ge)
		ge->queued |= 1ULL << v;
}

void BPF_STRUCT_OPS(gvtg_quiescent, struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), v = gc_ch_vgpu(ch) % GPUCORE_MAX_VGPUS;
	struct gvt_engine *ge = engine_of(gpu, e);

	/* A queued channel that went away: its queue may be empty now. */
	if (ge && gpucore_dsq_nr_queued(gpu, VQ(e, v)) <= 0) {
		ge->queued &= ~(1ULL << v);
		ge->starved &= ~(1ULL << v);
	}
}

/* vgpu_update_timeslice(): the turn's time comes off what is left. */
void BPF_STRUCT_OPS(gvtg_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	struct gvt_budget *b = budget_of(gc_ch_gpu(ch), gc_ch_engine(ch), gc_ch_vgpu(ch));

	if (b)
		b->left_ns -= (s64)ran_ns;
}

/* dispatch()'s search: find_busy_vgpu(). */
struct gvt_pick {
	u32 gpu, engine;
	u64 best_lru;
	s32 best;
};

static __always_inline void pick_one(struct gvt_pick *p, u32 v)
{
	struct gvt_budget *b = budget_of(p->gpu, p->engine, v);

	if (!b || b->left_ns <= 0)
		return;
	if (p->best < 0 || b->lru < p->best_lru) {
		p->best = v;
		p->best_lru = b->lru;
	}
}

void BPF_STRUCT_OPS(gvtg_dispatch, struct gpucore_engine *engine, struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), e = engine->id;
	struct gvt_engine *ge = engine_of(gpu, e);
	struct gvt_pick p = { .gpu = gpu, .engine = e, .best = -1 };
	struct gvt_budget *b;
	bool starving;
	u64 m;
	s32 v;
	int i;

	if (!ge || !ge->queued)
		return;
	/* The starvation guard first (tick() finds them), else GVT's pick. */
	m = ge->starved & ge->queued;
	starving = m;
	if (starving) {
		v = __builtin_ctzll(m) % GPUCORE_MAX_VGPUS;
		ge->starved &= ~(1ULL << v);
	} else {
		m = ge->queued;
		bpf_for(i, 0, GPUCORE_MAX_VGPUS) {
			if (!m)
				break;
			pick_one(&p, __builtin_ctzll(m) % GPUCORE_MAX_VGPUS);
			m &= m - 1;
		}
		v = p.best;
	}
	if (v < 0) {
		/* Nobody with work has time left: the engine idles (GVT's idle vGPU). */
		nr_idle++;
		return;
	}
	if (!gpucore_dsq_move_to_local(engine, VQ(e, v))) {
		ge->queued &= ~(1ULL << v);
		ge->starved &= ~(1ULL << v);
		return;
	}
	if (gpucore_dsq_nr_queued(gpu, VQ(e, v)) <= 0) {
		ge->queued &= ~(1ULL << v);
		ge->starved &= ~(1ULL << v);
	}
	/* To the tail of the LRU order. */
	b = budget_of(gpu, e, v);
	if (b)
		b->lru = ++ge->turns;
	if (starving)
		nr_starved++;
	nr_dispatched++;
}

/*
 * tick()'s starvation check: the head of each queue in use waited past
 * starve_ns (a queue's key is its head's insertion time).
 */
static __always_inline void find_starved(struct gpucore_gpu *g, u64 now)
{
	struct gvt_engine *ge;
	u64 since, m;
	int e, i;
	u32 v;

	bpf_for(e, 0, GPUCORE_MAX_ENGINES) {
		ge = engine_of(g->id, e);
		if (!ge)
			break;
		m = ge->queued;
		bpf_for(i, 0, GPUCORE_MAX_VGPUS) {
			if (!m)
				break;
			v = __builtin_ctzll(m) % GPUCORE_MAX_VGPUS;
			m &= m - 1;
			since = gpucore_dsq_peek_vtime(g->id, VQ(e, v));
			if (since && now > since && now - since > starve_ns)
				ge->starved |= 1ULL << v;
		}
	}
}

/* gvt_balance_timeslice() for one (engine, vGPU) slot. */
struct gvt_balance {
	u32 gpu;
	u32 nr_engines;
	u64 wsum;
	u64 stages_passed;	/* stages since the last balance */
	bool round;		/* a round starts: allocate afresh */
};

static long balance_one(u64 i, void *data)
{
	struct gvt_balance *c = data;
	u32 v = i % GPUCORE_MAX_VGPUS, e = i / GPUCORE_MAX_VGPUS;
	struct gc_run_vgpu *rv = gc_run_vgpu(c->gpu, v);
	struct gvt_budget *b;

	if (e >= c->nr_engines)
		return 1;
	b = budget_of(c->gpu, e, v);
	if (!b || !rv)
		return 0;
	if (c->round) {
		/* Stage 0: allocated again, without the previous debt or savings. */
		b->alloc_ns = rv->channels && c->wsum ? stage_ns * rv->weight / c->wsum : 0;
		b->left_ns = b->alloc_ns;
	} else if (rv->channels) {
		/* The next stage's time adds to what is left (or owed). */
		b->left_ns += b->alloc_ns * c->stages_passed;
	}
	return 0;
}

/*
 * Every stage_ns, per GPU: GVT's tbs_sched_func() calls the rebalance
 * every GVT_TS_BALANCE_PERIOD_MS ticks; here tick() does when a stage
 * boundary of the monotonic clock has passed. The engines idled by spent
 * budgets are asked to dispatch right after tick(). tick() also marks the
 * starving queues.
 */
void BPF_STRUCT_OPS(gvtg_tick, struct gpucore_gpu *g)
{
	u32 gi = g->id % GPUCORE_MAX_GPUS;
	struct gvt_gpu *gs = bpf_map_lookup_elem(&gpus, &gi);
	struct gc_run_gpu *rg = gc_run_gpu(g->id);
	u64 now = bpf_ktime_get_ns(), stage = now / stage_ns;
	struct gvt_balance c = { .gpu = g->id, .nr_engines = g->num_engines };

	find_starved(g, now);
	if (!gs || !rg || (gs->started && stage == gs->stage))
		return;
	c.wsum = rg->wsum;
	c.round = !gs->started || stage / stages != gs->stage / stages;
	c.stages_passed = stage - gs->stage;
	if (c.round)
		nr_rounds++;
	gs->stage = stage;
	gs->started = true;
	bpf_loop(GPUCORE_MAX_ENGINES * GPUCORE_MAX_VGPUS, balance_one, &c, 0);
}

static long reset_gpu(u64 i, void *ctx)
{
	u32 k = i, e;
	struct gvt_gpu *gs = bpf_map_lookup_elem(&gpus, &k);
	struct gvt_engine *ge;

	if (gs)
		*gs = (struct gvt_gpu){};
	for (e = 0; e < GPUCORE_MAX_ENGINES; e++) {
		k = i * GPUCORE_MAX_ENGINES + e;
		ge = bpf_map_lookup_elem(&engines, &k);
		if (ge)
			*ge = (struct gvt_engine){};
	}
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(gvtg_init)
{
	/* Start empty, also when these maps were attached before. */
	bpf_loop(GPUCORE_MAX_GPUS, reset_gpu, NULL, 0);
	gc_run_reset();
	return gc_create_ev_dsqs();
}

SEC(".struct_ops.link")
struct gpucore_sched_ops gvtg_ops = {
	.init		= (void *)gvtg_init,
	.vgpu_init	= (void *)gvtg_vgpu_init,
	.vgpu_update	= (void *)gvtg_vgpu_update,
	.channel_init	= (void *)gvtg_channel_init,
	.channel_exit	= (void *)gvtg_channel_exit,
	.runnable	= (void *)gvtg_runnable,
	.quiescent	= (void *)gvtg_quiescent,
	.stopping	= (void *)gvtg_stopping,
	.dispatch	= (void *)gvtg_dispatch,
	.tick		= (void *)gvtg_tick,
	.flags		= GPUCORE_OPS_ENQ_LAST,
	.name		= "gvtg",
};
