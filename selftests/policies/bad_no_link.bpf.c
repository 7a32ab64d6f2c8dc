// SPDX-License-Identifier: GPL-2.0
/*
 * bad_no_link: BROKEN on purpose, for the selftests.
 *
 * A correct round robin whose struct_ops map is in SEC(".struct_ops")
 * instead of SEC(".struct_ops.link"), so registering it would attach it
 * without a BPF link (bpftool struct_ops register does a map update).
 * The driver only accepts policies attached through a link, the thing
 * that detaches a policy when its owner goes away.
 *
 * Expected: the kernel refuses the registration with EOPNOTSUPP, and
 * gpusched refuses the object as not a policy (exit 5).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

GPUCORE_RR_QUEUE_OPS(bad_no_link);
GPUCORE_RR_INIT(bad_no_link);

void BPF_STRUCT_OPS(bad_no_link_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops")
struct gpucore_sched_ops bad_no_link_ops = {
	.init		= (void *)bad_no_link_init,
	.runnable	= (void *)bad_no_link_runnable,
	.dispatch	= (void *)bad_no_link_dispatch,
	.name		= "bad_no_link",
};
