// SPDX-License-Identifier: GPL-2.0
/*
 * latency: interactive work first, batch work in the background.
 *
 * Every channel is interactive or batch (gc_ch_class(): its own class from
 * CHANNEL_CREATE, or its vGPU's). Each engine has two kernel dispatch
 * queues, one per class, in the order channels were inserted (their key
 * is the time of insertion). An engine with nothing in its local queue
 * runs the head of the interactive queue for interactive_slice_ns, and
 * the head of the batch queue for timeslice_ns only when no interactive
 * channel waits.
 *
 * Preemption: when an interactive channel becomes runnable while a batch
 * channel runs on its engine, the engine is kicked with
 * GPUCORE_KICK_PREEMPT: the batch channel is switched out at its next
 * preemption point (and requeued at the tail of the batch FIFO), and the
 * interactive one starts at once instead of after the rest of the batch
 * timeslice. Which class runs on each engine is tracked from running()
 * and stopping().
 *
 * Starvation: interactive work could keep batch work off an engine
 * forever. If no batch channel has been on an engine for starve_ns while
 * the head of its batch queue waited that long, that head runs before any
 * interactive channel, for a full batch timeslice that interactive
 * wake-ups do not preempt. Batch work thus gets at least one timeslice
 * every starve_ns, whatever the interactive load, and the worst
 * interactive delay is one batch timeslice. (The engine's batch time is
 * what counts, not the head's own wait: with many batch channels each
 * waits longer than starve_ns for its turn, and treating that as
 * starvation would put every batch channel ahead of interactive work.)
 *
 * Guarantee: weights and caps do not enter into it, so every weight in
 * 1..10000 and cap in 0..100 behaves the same. Every interactive channel
 * waits at most for the interactive channels ahead of it on its engine
 * (interactive_slice_ns each) plus one batch timeslice; under flat-out
 * interactive load every batch channel waits at most (batch channels on
 * its engine) * starve_ns, so more than timeout / starve_ns of them (100
 * with the defaults) on one engine beside flat-out interactive work can
 * exceed the watchdog's timeout.
 *
 * Non-preemptible work (a SPIN with GPUCORE_CMD_NOPREEMPT) cannot be cut
 * short: the preempting kick takes effect when the command ends, so an
 * interactive channel then waits for the rest of that command instead of
 * one batch timeslice (the longer of the two bounds the delay). The batch
 * channel is charged nothing extra here (weights do not enter into it);
 * it is simply switched out at the command's end.
 *
 * Tunables: timeslice_ns (batch; 0: the GPU's default),
 * interactive_slice_ns (default 1 ms), starve_ns (default 50 ms).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");
const volatile u64 interactive_slice_ns = 1000ULL * 1000;
GPUCORE_TUNABLE_RANGE_OR_ZERO(interactive_slice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");
const volatile u64 starve_ns = 50ULL * 1000 * 1000;
/* Batch waits up to this: well inside the watchdog (GPUCORE_WATCHDOG_DEFAULT_MS). */
GPUCORE_TUNABLE_RANGE(starve_ns, 1000 * 1000ULL, 1000 * 1000 * 1000ULL);

/* Statistics, readable with bpftool map dump (latency.bss). */
u64 nr_interactive;	/* interactive channels dispatched */
u64 nr_batch;		/* batch channels dispatched */
u64 nr_starved;		/* of those, run first because they starved */
u64 nr_preempt_kicks;	/* batch channels kicked off for interactive work */

enum run_state {
	RUN_IDLE = 0,
	RUN_INTERACTIVE,
	RUN_BATCH,		/* may be preempted by interactive work */
	RUN_BATCH_PINNED,	/* starved (runs its full slice) or already kicked */
};

/* Per (gpu, engine): what runs there (enum run_state). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
	__type(key, u32);
	__type(value, u32);
} engine_run SEC(".maps");

/* Per (gpu, engine): when a batch channel was last on it (ns). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
	__type(key, u32);
	__type(value, u64);
} engine_batch_ns SEC(".maps");

/* Per (gpu, engine): set by dispatch() when it picks a starved batch channel. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
	__type(key, u32);
	__type(value, u32);
} engine_starved_pick SEC(".maps");

/* The queue of a class on an engine (of the GPU the callback runs for). */
static __always_inline u64 class_queue(u32 engine, u32 cls)
{
	return (u64)engine * 2 + (cls == GPUCORE_CLASS_INTERACTIVE);
}

static __always_inline u64 class_slice(u32 cls)
{
	return cls == GPUCORE_CLASS_INTERACTIVE ? interactive_slice_ns : timeslice_ns;
}

void BPF_STRUCT_OPS(latency_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 gpu = gc_ch_gpu(ch), engine = gc_ch_engine(ch), cls = gc_ch_class(ch);
	u32 i = gc_ge_idx(gpu, engine), *run;

	gpucore_dsq_insert_vtime(ch, class_queue(engine, cls), class_slice(cls),
				 bpf_ktime_get_ns(), 0);
	if (cls != GPUCORE_CLASS_INTERACTIVE)
		return;
	run = bpf_map_lookup_elem(&engine_run, &i);
	if (run && *run == RUN_BATCH) {
		/* Once per batch run: it is switched out at the next point. */
		*run = RUN_BATCH_PINNED;
		gpucore_kick_engine(gpu, engine, GPUCORE_KICK_PREEMPT);
		nr_preempt_kicks++;
	}
}

/*
 * Note that a batch channel was on engine @i until now. Only stopping()
 * calls it: dispatch() runs on an idle engine, after the last stopping().
 */
static __always_inline void batch_seen(u32 i)
{
	u64 *t = bpf_map_lookup_elem(&engine_batch_ns, &i);

	if (t)
		*t = bpf_ktime_get_ns();
}

/* Has engine @i's batch queue, whose head was queued at @enq_ns, starved? */
static __always_inline bool batch_starved(u32 i, u64 enq_ns)
{
	u64 now = bpf_ktime_get_ns(), *t = bpf_map_lookup_elem(&engine_batch_ns, &i);

	return t && enq_ns && now - enq_ns > starve_ns && now - *t > starve_ns;
}

void BPF_STRUCT_OPS(latency_running, struct gpucore_channel *ch)
{
	u32 i = gc_ge_idx(gc_ch_gpu(ch), gc_ch_engine(ch)), *run, *starved;

	run = bpf_map_lookup_elem(&engine_run, &i);
	starved = bpf_map_lookup_elem(&engine_starved_pick, &i);
	if (!run || !starved)
		return;
	if (gc_ch_class(ch) == GPUCORE_CLASS_INTERACTIVE)
		*run = RUN_INTERACTIVE;
	else
		*run = *starved ? RUN_BATCH_PINNED : RUN_BATCH;
	*starved = 0;
}

void BPF_STRUCT_OPS(latency_stopping, struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	u32 i = gc_ge_idx(gc_ch_gpu(ch), gc_ch_engine(ch)), *run;

	run = bpf_map_lookup_elem(&engine_run, &i);
	if (run)
		*run = RUN_IDLE;
	if (gc_ch_class(ch) != GPUCORE_CLASS_INTERACTIVE)
		batch_seen(i);
}

void BPF_STRUCT_OPS(latency_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), eng = engine->id, i = gc_ge_idx(gpu, eng), *starved;
	u64 bq = class_queue(eng, GPUCORE_CLASS_BATCH);

	if (batch_starved(i, gpucore_dsq_peek_vtime(gpu, bq)) &&
	    gpucore_dsq_move_to_local(engine, bq)) {
		starved = bpf_map_lookup_elem(&engine_starved_pick, &i);
		if (starved)
			*starved = 1;
		nr_starved++;
		nr_batch++;
		return;
	}
	if (gpucore_dsq_move_to_local(engine, class_queue(eng, GPUCORE_CLASS_INTERACTIVE))) {
		nr_interactive++;
		return;
	}
	if (gpucore_dsq_move_to_local(engine, bq))
		nr_batch++;
}

/* init()'s queue creation, one bpf_loop() step per (gpu, engine). */
static long create_step(u64 i, void *data)
{
	u32 gpu = i / GPUCORE_MAX_ENGINES, e = i % GPUCORE_MAX_ENGINES;
	s32 cls = gpucore_engine_class(gpu, e), *err = data;

	if (cls < 0)
		return 0;
	*err = gpucore_create_dsq(gpu, cls, class_queue(e, GPUCORE_CLASS_BATCH));
	if (!*err)
		*err = gpucore_create_dsq(gpu, cls, class_queue(e, GPUCORE_CLASS_INTERACTIVE));
	return *err ? 1 : 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(latency_init)
{
	s32 err = 0;

	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, create_step, &err, 0);
	return err;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops latency_ops = {
	.init		= (void *)latency_init,
	.runnable	= (void *)latency_runnable,
	.running	= (void *)latency_running,
	.stopping	= (void *)latency_stopping,
	.dispatch	= (void *)latency_dispatch,
	.name		= "latency",
};
