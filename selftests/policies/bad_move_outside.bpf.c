// SPDX-License-Identifier: GPL-2.0
/*
 * bad_move_outside: BROKEN on purpose, for the selftests.
 *
 * tick() calls gpucore_dsq_move_to_local(), which only dispatch() may
 * call (there is no engine being dispatched anywhere else).
 *
 * Expected: the verifier refuses the program at load ("calling kernel
 * function gpucore_dsq_move_to_local is not allowed"); nothing attaches.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_move_outside_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

void BPF_STRUCT_OPS(bad_move_outside_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
}

void BPF_STRUCT_OPS(bad_move_outside_running, struct gpucore_channel *ch)
{
	gpucore_dsq_move_to_local(ch->engine, 1);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_move_outside_ops = {
	.runnable	= (void *)bad_move_outside_runnable,
	.dispatch	= (void *)bad_move_outside_dispatch,
	.running	= (void *)bad_move_outside_running,
	.name		= "bad_move_outside",
};
