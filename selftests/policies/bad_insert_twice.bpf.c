// SPDX-License-Identifier: GPL-2.0
/*
 * bad_insert_twice: BROKEN on purpose, for the selftests.
 *
 * runnable() inserts the channel into its engine's local queue twice.
 *
 * Expected: ejected (invalid), "... the channel is already queued";
 * nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_insert_twice_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_insert_twice_ops = {
	.runnable	= (void *)bad_insert_twice_runnable,
	.name		= "bad_insert_twice",
};
