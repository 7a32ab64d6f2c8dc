// SPDX-License-Identifier: GPL-2.0
/*
 * dsq_set: a working round robin whose init() fills a GPU's table of
 * queues, for the selftests.
 *
 * init() creates GPUCORE_DSQ_MAX_PER_GPU queues on GPU 0 with ids spread
 * over the whole id range (i * 4194301 mod 2^32, all distinct, so they
 * meet in the driver's table), then checks what must be refused: the next
 * one (-ENOSPC), a taken id (-EEXIST), an id past GPUCORE_DSQ_MAX_ID and
 * an unknown engine class (-EINVAL), a GPU that does not exist (-ENODEV).
 * Any other answer fails init() with the step's number (1..6). tick()
 * looks every queue up by its id (empty: 0 channels) and an id never
 * created (-ENOENT), and reports a mismatch with gpucore_error().
 * Channels run from their engines' local queues.
 *
 * Expected: it attaches, stays attached, nr_ticks_checked grows.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

#define ID_STEP		4194301ULL	/* odd: i * ID_STEP mod 2^32 is one-to-one */

static __always_inline u64 id_of(u32 i)
{
	return (i * ID_STEP) & 0xffffffffULL;
}

u64 nr_ticks_checked;

void BPF_STRUCT_OPS(dsq_set_runnable, struct gpucore_channel *ch, u64 flags)
{
	gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
}

void BPF_STRUCT_OPS(dsq_set_tick, struct gpucore_gpu *gpu)
{
	int i;

	if (gpu->id != 0)
		return;
	bpf_for(i, 0, GPUCORE_DSQ_MAX_PER_GPU) {
		if (gpucore_dsq_nr_queued(0, id_of(i)) != 0) {
			gpucore_error("queue %llu is not found by its id", id_of(i));
			return;
		}
	}
	/* 1 is no i * ID_STEP for i < 2^22: never created */
	if (gpucore_dsq_nr_queued(0, 1) != -ENOENT) {
		gpucore_error("queue 1, never created, is found");
		return;
	}
	__sync_fetch_and_add(&nr_ticks_checked, 1);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(dsq_set_init)
{
	int i;

	bpf_for(i, 0, GPUCORE_DSQ_MAX_PER_GPU) {
		if (gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, id_of(i)))
			return 1;
	}
	if (gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, 1) != -ENOSPC)
		return 2;
	if (gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, id_of(7)) != -EEXIST)
		return 3;
	if (gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_DSQ_MAX_ID) != -EINVAL)
		return 4;
	if (gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COPY + 1, 1) != -EINVAL)
		return 5;
	if (gpucore_create_dsq(GPUCORE_MAX_GPUS, GPUCORE_ENGINE_CLASS_COMPUTE, 1) != -ENODEV)
		return 6;
	return 0;
}

SEC(".struct_ops.link")
struct gpucore_sched_ops dsq_set_ops = {
	.init		= (void *)dsq_set_init,
	.runnable	= (void *)dsq_set_runnable,
	.tick		= (void *)dsq_set_tick,
	.name		= "dsq_set",
};
