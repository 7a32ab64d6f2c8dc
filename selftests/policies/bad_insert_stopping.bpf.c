// SPDX-License-Identifier: GPL-2.0
/*
 * bad_insert_stopping: BROKEN on purpose, for the selftests.
 *
 * Round robin by direct dispatch, except that stopping() also inserts the
 * channel being switched out, which is not runnable then (it is requeued,
 * with runnable(), after stopping() returns).
 *
 * Expected: ejected (invalid), "gpucore_dsq_insert() from stopping(): ...
 * the channel is not runnable"; nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_insert_stopping_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

void BPF_STRUCT_OPS(bad_insert_stopping_stopping, struct gpucore_channel *ch, u64 ran_ns,
		    u32 reason)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_insert_stopping_ops = {
	.runnable	= (void *)bad_insert_stopping_runnable,
	.stopping	= (void *)bad_insert_stopping_stopping,
	.name		= "bad_insert_stopping",
};
