// SPDX-License-Identifier: GPL-2.0
/*
 * bad_slow: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort with one slow callback: slow_cb = 0
 * dispatch (default), 1 runnable, 2 tick, spins through bpf_loop() loops
 * times on every call, or with slow_every N on one call in N (the driver
 * times the per-job callbacks one call in eight, drawn at random, so a
 * callback slow on some calls only must still be caught). The verifier
 * accepts it; 8M iterations take about
 * a tenth of a second under TCG, with the GPU lock held and interrupts
 * off.
 *
 * Expected: ejected with exit kind "slow", exit reason "callback too
 * slow", exit_msg naming the callback ("dispatch() ran N us with the GPU
 * lock held, budget B us ..."); the built-in round robin finishes the
 * work, nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u32 slow_cb = 0;		/* 0 dispatch, 1 runnable, 2 tick */
const volatile u32 loops = 8388608;
const volatile u32 slow_every = 1;	/* spin on one call in slow_every */

u64 nr_calls;

static long spin_step(u64 i, void *ctx)
{
	return 0;
}

static __always_inline void spin(u32 cb)
{
	if (cb == slow_cb && __sync_fetch_and_add(&nr_calls, 1) % (slow_every ?: 1) == 0)
		bpf_loop(loops, spin_step, NULL, 0);
}

void BPF_STRUCT_OPS(bad_slow_runnable, struct gpucore_channel *ch, u64 flags)
{
	spin(1);
	gpucore_dsq_insert(ch, GC_ENGINE_DSQ(gc_ch_engine(ch)), 0, 0);
}

void BPF_STRUCT_OPS(bad_slow_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	spin(0);
	if (id)
		gpucore_dispatch(engine, id, 0);
}

void BPF_STRUCT_OPS(bad_slow_tick, struct gpucore_gpu *gpu)
{
	spin(2);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_slow_init)
{
	s32 err = gc_create_engine_dsqs();

	if (err)
		return err;
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_slow_ops = {
	.init		= (void *)bad_slow_init,
	.runnable	= (void *)bad_slow_runnable,
	.dispatch	= (void *)bad_slow_dispatch,
	.tick		= (void *)bad_slow_tick,
	.name		= "bad_slow",
};
