// SPDX-License-Identifier: GPL-2.0
/*
 * bad_unconsumed: BROKEN on purpose, for the selftests.
 *
 * runnable() puts channels of odd id into a queue of its own that
 * dispatch() never looks at; the others run from their local queue.
 *
 * Expected: the watchdog ejects it (stall), naming a channel that waited
 * past the 1 s timeout; nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

#define FORGOTTEN_DSQ	7

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_unconsumed_init)
{
	return gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, FORGOTTEN_DSQ);
}

void BPF_STRUCT_OPS(bad_unconsumed_runnable, struct gpucore_channel *ch, u64 flags)
{
	if ((ch->id & 1) && gc_ch_engine_class(ch) == GPUCORE_ENGINE_CLASS_COMPUTE)
		gpucore_dsq_insert(ch, FORGOTTEN_DSQ, 0, 0);	/* the defect */
	else
		gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_unconsumed_ops = {
	.init		= (void *)bad_unconsumed_init,
	.runnable	= (void *)bad_unconsumed_runnable,
	.timeout_ms	= 1000,
	.name		= "bad_unconsumed",
};
