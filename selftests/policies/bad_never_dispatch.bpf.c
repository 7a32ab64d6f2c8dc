// SPDX-License-Identifier: GPL-2.0
/*
 * bad_never_dispatch: BROKEN on purpose, for the selftests.
 *
 * Queues runnable channels like besteffort, but its dispatch() never
 * dispatches anything: every engine stays idle while work waits.
 *
 * Expected: the watchdog ejects it about timeout_ms (1 s) after the first
 * channel became runnable: exit kind "stall", exit reason "runnable channel
 * starved", exit_msg "channel C (vgpu V, pid P) runnable on gpuN/ENGINE for
 * T ms, timeout 1000 ms"; the built-in round robin then runs the work, and
 * nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

u64 nr_dispatch_calls;

GPUCORE_RR_QUEUE_OPS(bad_never_dispatch);
GPUCORE_RR_INIT(bad_never_dispatch);

void BPF_STRUCT_OPS(bad_never_dispatch_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	/* The defect: the queue is never popped, nothing is dispatched. */
	nr_dispatch_calls++;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_never_dispatch_ops = {
	.init		= (void *)bad_never_dispatch_init,
	.runnable	= (void *)bad_never_dispatch_runnable,
	.dispatch	= (void *)bad_never_dispatch_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_never_dispatch",
};
