// SPDX-License-Identifier: GPL-2.0
/*
 * bad_name: BROKEN on purpose, for the selftests.
 *
 * A correct round robin whose name has a space and a slash. The
 * driver refuses such names when the struct_ops map is loaded: they end
 * up in sysfs, log lines and tracepoints.
 *
 * Expected: gpusched load refuses it (exit 7, "policy name ... must be
 * [A-Za-z0-9_.-]"); bpftool struct_ops register fails (EINVAL).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

GPUCORE_RR_QUEUE_OPS(bad_name);
GPUCORE_RR_INIT(bad_name);

void BPF_STRUCT_OPS(bad_name_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_name_ops = {
	.init		= (void *)bad_name_init,
	.runnable	= (void *)bad_name_runnable,
	.dispatch	= (void *)bad_name_dispatch,
	.name		= "bad name/x",	/* the defect */
};
