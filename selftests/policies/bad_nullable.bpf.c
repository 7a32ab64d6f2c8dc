// SPDX-License-Identifier: GPL-2.0
/*
 * bad_nullable: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort whose dispatch() reads prev->id without
 * checking prev for NULL. @prev is nullable (no channel ran on the engine
 * yet, or it was destroyed).
 *
 * Expected: the verifier refuses the dispatch program, so loading fails
 * (bpftool struct_ops register / gpusched load exit non-zero) with a
 * verifier log saying "R? invalid mem access 'ptr_or_null_'"; no policy
 * is attached.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

u64 last_prev;

GPUCORE_RR_QUEUE_OPS(bad_nullable);
GPUCORE_RR_INIT(bad_nullable);

void BPF_STRUCT_OPS(bad_nullable_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id;

	last_prev = prev->id;	/* the defect: prev may be NULL */
	id = gc_rr_pop(engine);
	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_nullable_ops = {
	.init		= (void *)bad_nullable_init,
	.runnable	= (void *)bad_nullable_runnable,
	.dispatch	= (void *)bad_nullable_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_nullable",
};
