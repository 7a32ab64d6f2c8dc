// SPDX-License-Identifier: GPL-2.0
/*
 * bad_vtime_local: BROKEN on purpose, for the selftests.
 *
 * runnable() inserts into the engine's local queue by virtual time; local
 * queues are FIFO.
 *
 * Expected: ejected (invalid), "... local queues are FIFO"; nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_vtime_local_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert_vtime(ch, GPUCORE_DSQ_LOCAL, 0, 1, 0);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_vtime_local_ops = {
	.runnable	= (void *)bad_vtime_local_runnable,
	.name		= "bad_vtime_local",
};
