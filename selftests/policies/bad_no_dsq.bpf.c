// SPDX-License-Identifier: GPL-2.0
/*
 * bad_no_dsq: BROKEN on purpose, for the selftests.
 *
 * runnable() inserts into queue 42, which it never created.
 *
 * Expected: ejected (invalid), "... into queue 0x2a: no such queue";
 * nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_no_dsq_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, 42, 0, 0);	/* the defect */
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_no_dsq_ops = {
	.runnable	= (void *)bad_no_dsq_runnable,
	.name		= "bad_no_dsq",
};
