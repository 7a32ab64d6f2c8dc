// SPDX-License-Identifier: GPL-2.0
/*
 * wrong_abi: a correct round robin that claims to be built for the next
 * policy ABI version, for the selftests. gpusched must refuse to load it
 * (exit 6) and say to rebuild it, without touching the driver.
 */
#include "gpucore.bpf.h"

const volatile u32 gpucore_abi_version = GPUCORE_SCHED_ABI_VERSION + 1;
char _license[] SEC("license") = "GPL";

GPUCORE_RR_QUEUE_OPS(wrong_abi);
GPUCORE_RR_INIT(wrong_abi);

void BPF_STRUCT_OPS(wrong_abi_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	u64 id = gc_rr_pop(engine);

	if (id)
		gpucore_dispatch(engine, id, 0);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops wrong_abi_ops = {
	.init		= (void *)wrong_abi_init,
	.runnable	= (void *)wrong_abi_runnable,
	.dispatch	= (void *)wrong_abi_dispatch,
	.name		= "wrong_abi",
};
