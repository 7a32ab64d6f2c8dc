// SPDX-License-Identifier: GPL-2.0
/*
 * bad_error: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort that gives up by calling gpucore_error()
 * in dispatch() once it has made error_after decisions.
 *
 * Expected: ejected with exit kind "error", exit reason "policy error",
 * exit_msg "bad_error: deliberate error after 20 decisions" (with the
 * default error_after); sysfs errors counts 1; the built-in round robin
 * finishes the work, nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 error_after = 20;
u64 nr_decisions;

GPUCORE_RR_QUEUE_OPS(bad_error);
GPUCORE_RR_INIT(bad_error);

void BPF_STRUCT_OPS(bad_error_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id;

	/* The defect: a deliberate fatal error. */
	if (nr_decisions >= error_after) {
		gpucore_error("bad_error: deliberate error after %llu decisions", nr_decisions);
		return;
	}
	id = gc_rr_pop(engine);
	if (!id)
		return;
	nr_decisions++;
	gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_error_ops = {
	.init		= (void *)bad_error_init,
	.runnable	= (void *)bad_error_runnable,
	.dispatch	= (void *)bad_error_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_error",
};
