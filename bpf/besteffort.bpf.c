// SPDX-License-Identifier: GPL-2.0
/*
 * besteffort: round robin over each engine's runnable channels.
 *
 * The same algorithm as the driver's built-in policy, written as a BPF
 * policy, so that the two can be run side by side to measure what the
 * struct_ops path costs (make bench). One FIFO per engine: a channel that
 * becomes runnable, or comes off its engine with work left, goes to the
 * tail; an idle engine runs the head for one timeslice. There is no notion
 * of vGPUs, weights or caps: every runnable channel gets an equal turn.
 *
 * Tunables: timeslice_ns (0: the GPU's default).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");

GPUCORE_RR_QUEUE_OPS(besteffort);

void BPF_STRUCT_OPS(besteffort_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, timeslice_ns);
}

s32 BPF_STRUCT_OPS(besteffort_init)
{
	/* Start empty, also when these maps were attached before. */
	chq_reset();
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops besteffort_ops = {
	.init		= (void *)besteffort_init,
	.runnable	= (void *)besteffort_runnable,
	.quiescent	= (void *)besteffort_quiescent,
	.dispatch	= (void *)besteffort_dispatch,
	.name		= "besteffort",
};
