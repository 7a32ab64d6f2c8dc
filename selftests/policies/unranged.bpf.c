// SPDX-License-Identifier: GPL-2.0
/*
 * unranged: a correct round robin with a tunable that declares no range
 * (no GPUCORE_TUNABLE_RANGE()), for the selftests. gpusched must load it
 * and accept any value of the tunable's type: a range is optional.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

/* Any u32: init() copies it to seen_tag (bpftool map dump unranged.bss). */
const volatile u32 tag = 0;

u32 seen_tag;

GPUCORE_RR_QUEUE_OPS(unranged);

void BPF_STRUCT_OPS(unranged_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(unranged_init)
{
	s32 err = gc_create_engine_dsqs();

	if (err)
		return err;
	seen_tag = tag;
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops unranged_ops = {
	.init		= (void *)unranged_init,
	.runnable	= (void *)unranged_runnable,
	.dispatch	= (void *)unranged_dispatch,
	.name		= "unranged",
};
