// SPDX-License-Identifier: GPL-2.0
/*
 * bad_kick_storm: HOSTILE on purpose, for the selftests.
 *
 * A round robin like besteffort that kicks engines from a callback every
 * time it is called: from running() by default (the kick lands right
 * after a channel is switched in), or from runnable(), dispatch() or
 * tick() (kick_in = 1, 2, 3); its own engine or every engine of the GPU
 * (all_engines); with GPUCORE_KICK_PREEMPT or without (with_preempt).
 *
 * Expected: never a livelock. A preempting kick switches a channel out
 * only after it ran GPUCORE_MIN_QUANTUM_NS, so every switch-in executes
 * at least that much engine time and work keeps completing; the engines'
 * debugfs kicks and kicks_held counters show the storm. Nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u32 kick_in = 0;		/* 0 running, 1 runnable, 2 dispatch, 3 tick */
const volatile bool all_engines = false;
const volatile bool with_preempt = true;

u64 nr_kicks;

static __always_inline void storm(u32 gpu, u32 engine)
{
	u64 flags = with_preempt ? GPUCORE_KICK_PREEMPT : 0;
	u32 e;

	if (!all_engines) {
		gpucore_kick_engine(gpu, engine, flags);
		nr_kicks++;
		return;
	}
	for (e = 0; e < GPUCORE_MAX_ENGINES; e++)
		if (!gpucore_kick_engine(gpu, e, flags))
			nr_kicks++;
}

void BPF_STRUCT_OPS(bad_kick_storm_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GC_ENGINE_DSQ(gc_ch_engine(ch)), 0, 0);
	if (kick_in == 1)
		storm(gc_ch_gpu(ch), gc_ch_engine(ch));
}

void BPF_STRUCT_OPS(bad_kick_storm_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
	if (kick_in == 2)
		storm(gc_engine_gpu(engine), engine->id);
}

void BPF_STRUCT_OPS(bad_kick_storm_running, struct gpucore_channel *ch)
{
	if (kick_in == 0)
		storm(gc_ch_gpu(ch), gc_ch_engine(ch));
}

void BPF_STRUCT_OPS(bad_kick_storm_tick, struct gpucore_gpu *gpu)
{
	if (kick_in == 3)
		storm(gpu->id, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_kick_storm_init)
{
	s32 err = gc_create_engine_dsqs();

	if (err)
		return err;
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_kick_storm_ops = {
	.init		= (void *)bad_kick_storm_init,
	.runnable	= (void *)bad_kick_storm_runnable,
	.dispatch	= (void *)bad_kick_storm_dispatch,
	.running	= (void *)bad_kick_storm_running,
	.tick		= (void *)bad_kick_storm_tick,
	.name		= "bad_kick_storm",
};
