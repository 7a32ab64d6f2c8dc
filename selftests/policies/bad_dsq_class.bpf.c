// SPDX-License-Identifier: GPL-2.0
/*
 * bad_dsq_class: BROKEN on purpose, for the selftests.
 *
 * One queue for GPU 0's compute engines, into which runnable() puts every
 * channel, copy-engine channels too; dispatch() moves its head.
 *
 * Expected: ejected (invalid) as soon as a copy-engine channel becomes
 * runnable, "... a queue of another engine class"; nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

#define SHARED_DSQ	1

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_dsq_class_init)
{
	return gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, SHARED_DSQ);
}

void BPF_STRUCT_OPS(bad_dsq_class_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, SHARED_DSQ, 0, 0);	/* the defect, for copy channels */
}

void BPF_STRUCT_OPS(bad_dsq_class_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	gpucore_dsq_move_to_local(engine, SHARED_DSQ);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_dsq_class_ops = {
	.init		= (void *)bad_dsq_class_init,
	.runnable	= (void *)bad_dsq_class_runnable,
	.dispatch	= (void *)bad_dsq_class_dispatch,
	.name		= "bad_dsq_class",
};
