// SPDX-License-Identifier: GPL-2.0
/*
 * bad_kfunc_tracing: BROKEN on purpose, for the selftests.
 *
 * A correct round robin like besteffort, plus a tracing program (tp_btf on
 * the gpucore_job_submit tracepoint) that calls gpucore_kick_engine(). The
 * gpucore kfuncs are registered for struct_ops programs of
 * gpucore_sched_ops only: anything else must not reach the scheduler.
 *
 * Expected: the verifier refuses the tracing program with "calling kernel
 * function gpucore_kick_engine is not allowed", so both
 * "bpftool prog load" and "bpftool struct_ops register" of this object
 * fail and no policy is attached.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

SEC("tp_btf/gpucore_job_submit")
int BPF_PROG(bad_kfunc_tracing_submit, struct gpucore_channel *ch, struct gpucore_job *job)
{
	/* The defect: a kfunc of the policy interface from a tracing program. */
	gpucore_kick_engine(0, 0, GPUCORE_KICK_PREEMPT);
	return 0;
}

GPUCORE_RR_QUEUE_OPS(bad_kfunc_tracing);
GPUCORE_RR_INIT(bad_kfunc_tracing);

void BPF_STRUCT_OPS(bad_kfunc_tracing_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_kfunc_tracing_ops = {
	.init		= (void *)bad_kfunc_tracing_init,
	.runnable	= (void *)bad_kfunc_tracing_runnable,
	.dispatch	= (void *)bad_kfunc_tracing_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_kfunc_tracing",
};
