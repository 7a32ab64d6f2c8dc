// SPDX-License-Identifier: GPL-2.0
/*
 * bad_flags: BROKEN on purpose, for the selftests.
 *
 * A correct round robin that sets a flag bit no driver defines. The
 * driver refuses unknown flags when the struct_ops map is loaded, so a
 * policy built for a later interface cannot silently lose a behaviour.
 *
 * Expected: gpusched load refuses it (exit 7, "flags ... bits this driver
 * does not know"); bpftool struct_ops register fails (EINVAL).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

GPUCORE_RR_QUEUE_OPS(bad_flags);
GPUCORE_RR_INIT(bad_flags);

void BPF_STRUCT_OPS(bad_flags_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_flags_ops = {
	.init		= (void *)bad_flags_init,
	.runnable	= (void *)bad_flags_runnable,
	.dispatch	= (void *)bad_flags_dispatch,
	.flags		= 1U << 31,	/* the defect */
	.name		= "bad_flags",
};
