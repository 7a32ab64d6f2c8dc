// SPDX-License-Identifier: GPL-2.0
/*
 * bad_insert_running: BROKEN on purpose, for the selftests.
 *
 * running() inserts the channel that was just switched in. No callback
 * that may insert ever sees a running channel, so inserting one is
 * refused where it could only be written: in running().
 *
 * Expected: the verifier refuses the program at load ("calling kernel
 * function gpucore_dsq_insert is not allowed"); nothing attaches.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_insert_running_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

void BPF_STRUCT_OPS(bad_insert_running_running, struct gpucore_channel *ch)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_insert_running_ops = {
	.runnable	= (void *)bad_insert_running_runnable,
	.running	= (void *)bad_insert_running_running,
	.name		= "bad_insert_running",
};
