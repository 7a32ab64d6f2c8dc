// SPDX-License-Identifier: GPL-2.0
/*
 * bad_other_gpu: BROKEN on purpose, for the selftests.
 *
 * A round robin like besteffort, except that it remembers the last
 * channel created on each GPU (channel_init) and, when an engine has work
 * to dispatch and a channel of another GPU exists, dispatches that one.
 * Needs the module loaded with num_gpus=2 and channels on both GPUs at the
 * same time (e.g. gpuload -g 0 and gpuload -g 1 running together).
 *
 * Expected: ejected with exit kind "invalid", exit reason "invalid
 * dispatch", exit_msg "gpuN/ENGINE: channel C belongs to gpuM"; the
 * built-in round robin finishes the work, nothing is lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

/* Per GPU: the id of the last channel created there (0: none). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS);
	__type(key, u32);
	__type(value, u64);
} last_channel SEC(".maps");

s32 BPF_STRUCT_OPS(bad_other_gpu_channel_init, struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch);
	u64 *last = bpf_map_lookup_elem(&last_channel, &gpu);

	if (last)
		*last = ch->id;
	return 0;
}

void BPF_STRUCT_OPS(bad_other_gpu_channel_exit, struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch);
	u64 *last = bpf_map_lookup_elem(&last_channel, &gpu);

	if (last && *last == ch->id)
		*last = 0;
}

void BPF_STRUCT_OPS(bad_other_gpu_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GC_ENGINE_DSQ(gc_ch_engine(ch)), 0, 0);
}

void BPF_STRUCT_OPS(bad_other_gpu_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u32 gpu = gc_engine_gpu(engine), g;
	u64 id = gc_rr_pop(engine);

	if (!id)
		return;
	/* The defect: prefer a channel of another GPU. */
#pragma unroll
	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		u32 key = g;
		u64 *other = bpf_map_lookup_elem(&last_channel, &key);

		if (g != gpu && other && *other) {
			id = *other;
			break;
		}
	}
	gpucore_dispatch(engine, id, 0);
}

GPUCORE_RR_INIT(bad_other_gpu);

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_other_gpu_ops = {
	.init		= (void *)bad_other_gpu_init,
	.channel_init	= (void *)bad_other_gpu_channel_init,
	.channel_exit	= (void *)bad_other_gpu_channel_exit,
	.runnable	= (void *)bad_other_gpu_runnable,
	.dispatch	= (void *)bad_other_gpu_dispatch,
	.timeout_ms	= 1000,
	.name		= "bad_other_gpu",
};
