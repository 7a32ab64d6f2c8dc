// SPDX-License-Identifier: GPL-2.0
/*
 * bad_write_field: BROKEN on purpose, for the selftests.
 *
 * runnable() writes the channel's busy_ns, which is the driver's
 * accounting, not the policy's (a policy may write dsq_vtime, slice_ns
 * and policy_data[]).
 *
 * Expected: the verifier refuses the program at load ("a policy may write
 * only ..."); nothing attaches.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

void BPF_STRUCT_OPS(bad_write_field_runnable, struct gpucore_channel *ch, u64 flags)
{
	ch->policy_data[0]++;		/* allowed */
	ch->busy_ns = 0;		/* the defect */
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_write_field_ops = {
	.runnable	= (void *)bad_write_field_runnable,
	.name		= "bad_write_field",
};
