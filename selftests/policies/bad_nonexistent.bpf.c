// SPDX-License-Identifier: GPL-2.0
/*
 * bad_nonexistent: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort, except that from its bad_after-th
 * decision on, dispatch() passes a channel id that does not exist
 * (0x7fffffff) to gpucore_dispatch().
 *
 * Expected: ejected at once with exit kind "invalid", exit reason
 * "invalid dispatch", exit_msg "gpuN/ENGINE: channel 2147483647 does not
 * exist"; the built-in round robin finishes the work, nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 bad_after = 20;
u64 nr_decisions;

GPUCORE_RR_QUEUE_OPS(bad_nonexistent);
GPUCORE_RR_INIT(bad_nonexistent);

void BPF_STRUCT_OPS(bad_nonexistent_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (!id)
		return;
	if (++nr_decisions > bad_after)
		id = 0x7fffffff;	/* the defect */
	gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_nonexistent_ops = {
	.init		= (void *)bad_nonexistent_init,
	.runnable	= (void *)bad_nonexistent_runnable,
	.dispatch	= (void *)bad_nonexistent_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_nonexistent",
};
