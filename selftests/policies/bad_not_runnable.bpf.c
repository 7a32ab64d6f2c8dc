// SPDX-License-Identifier: GPL-2.0
/*
 * bad_not_runnable: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort, except that dispatch() re-dispatches
 * @prev, the channel that last ran on the engine, when that channel is not
 * queued any more: it went idle (drained or blocked), so it is not
 * runnable. This happens at the latest when the load ends and the last
 * channel of an engine drains (the engine then calls dispatch() with that
 * channel as @prev); with a paced load (gpuload -r) at the first drain.
 *
 * Expected: ejected with exit kind "invalid", exit reason "invalid
 * dispatch", exit_msg "gpuN/ENGINE: channel C is not runnable (idle)";
 * the built-in round robin finishes the work, nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

GPUCORE_RR_QUEUE_OPS(bad_not_runnable);
GPUCORE_RR_INIT(bad_not_runnable);

void BPF_STRUCT_OPS(bad_not_runnable_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id;

	/* The defect: @prev is idle when it is not in our queue. */
	if (prev && !prev->dsq) {
		gpucore_dispatch(engine, prev->id, 0);
		return;
	}
	id = gc_rr_pop(engine);
	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_not_runnable_ops = {
	.init		= (void *)bad_not_runnable_init,
	.runnable	= (void *)bad_not_runnable_runnable,
	.dispatch	= (void *)bad_not_runnable_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_not_runnable",
};
