// SPDX-License-Identifier: GPL-2.0
/*
 * besteffort: round robin over each engine's runnable channels.
 *
 * NVIDIA's best-effort vGPU scheduler, and the same algorithm as the
 * driver's built-in policy, written as a BPF policy in the style of
 * sched_ext's scx_simple, so that the two can be run side by side to
 * measure what the struct_ops path costs (make bench).
 *
 * A channel that becomes runnable, or comes off its engine with work
 * left, is inserted at the tail of its engine's local queue (direct
 * dispatch); the engine runs the head for one timeslice without calling
 * the policy again. A channel alone on its engine runs on, slice after
 * slice, without a call. One BPF program run per decision: runnable().
 * There is no notion of vGPUs, weights or caps: every runnable channel
 * gets an equal turn.
 *
 * Tunables: timeslice_ns (0: the GPU's default).
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile u64 timeslice_ns = 0;
GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS,
			      "the GPU default");

void BPF_STRUCT_OPS(besteffort_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, timeslice_ns, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops besteffort_ops = {
	.runnable	= (void *)besteffort_runnable,
	.name		= "besteffort",
};
