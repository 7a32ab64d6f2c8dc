// SPDX-License-Identifier: GPL-2.0
/*
 * bad_slice_u64: BROKEN on purpose, for the selftests.
 *
 * A correct round robin whose struct_ops timeslice_ns is 2^63: the top
 * bit of a u64, which reads as negative if taken as signed. The driver
 * accepts 0 or GPUCORE_MIN_SLICE_NS..GPUCORE_MAX_SLICE_NS and refuses it.
 *
 * Expected: gpusched load refuses it (exit 7) with the valid range,
 * having read the field as unsigned; bpftool struct_ops register fails
 * (ERANGE).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

GPUCORE_RR_QUEUE_OPS(bad_slice_u64);
GPUCORE_RR_INIT(bad_slice_u64);

void BPF_STRUCT_OPS(bad_slice_u64_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_slice_u64_ops = {
	.init		= (void *)bad_slice_u64_init,
	.runnable	= (void *)bad_slice_u64_runnable,
	.dispatch	= (void *)bad_slice_u64_dispatch,
	.timeslice_ns	= 1ULL << 63,	/* the defect */
	.name		= "bad_slice_u64",
};
