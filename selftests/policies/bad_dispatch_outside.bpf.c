// SPDX-License-Identifier: GPL-2.0
/*
 * bad_dispatch_outside: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort, except that runnable() tries to start
 * the channel right away by calling gpucore_dispatch() itself. The kfunc
 * filter allows gpucore_dispatch() only in the dispatch() program.
 *
 * Expected: the verifier refuses the runnable program with "calling
 * kernel function gpucore_dispatch is not allowed", so loading fails and
 * no policy is attached.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_dispatch_outside_runnable, struct gpucore_channel *ch, u64 flags)
{
	/* The defect: dispatching from runnable(). */
	if (gpucore_dispatch(ch->engine, ch->id, 0) == 0)
		return;
	gpucore_dsq_insert(ch, GC_ENGINE_DSQ(gc_ch_engine(ch)), 0, 0);
}

void BPF_STRUCT_OPS(bad_dispatch_outside_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

GPUCORE_RR_INIT(bad_dispatch_outside);

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_dispatch_outside_ops = {
	.init		= (void *)bad_dispatch_outside_init,
	.runnable	= (void *)bad_dispatch_outside_runnable,
	.dispatch	= (void *)bad_dispatch_outside_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_dispatch_outside",
};
