// SPDX-License-Identifier: GPL-2.0
/*
 * wrong_abi: a correct round robin that claims to be built for the next
 * policy ABI version, for the selftests. gpusched must refuse to load it
 * (exit 6) and say to rebuild it, without touching the driver.
 */
#include "gpucore.bpf.h"

const volatile u32 gpucore_abi_version = GPUCORE_SCHED_ABI_VERSION + 1;
char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(wrong_abi_runnable, struct gpucore_channel *ch, u64 flags)
{
	chq_push(gev_idx(ch_gpu(ch), ch_engine(ch), 0), ch->id);
}

void BPF_STRUCT_OPS(wrong_abi_quiescent, struct gpucore_channel *ch)
{
	chq_remove(ch->id);
}

void BPF_STRUCT_OPS(wrong_abi_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = chq_pop(gev_idx(engine_gpu(engine), engine->id, 0));

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops wrong_abi_ops = {
	.runnable	= (void *)wrong_abi_runnable,
	.quiescent	= (void *)wrong_abi_quiescent,
	.dispatch	= (void *)wrong_abi_dispatch,
	.name		= "wrong_abi",
};
