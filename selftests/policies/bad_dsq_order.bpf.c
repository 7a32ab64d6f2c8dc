// SPDX-License-Identifier: GPL-2.0
/*
 * bad_dsq_order: BROKEN on purpose, for the selftests.
 *
 * One queue per GPU 0 compute engine; runnable() inserts channels with an
 * odd id by virtual time and the others FIFO (vtime_odd=false: the
 * reverse), so a queue soon holds both orders; dispatch() moves the head.
 *
 * Expected: ejected (invalid) once a queue holding one order is given
 * the other, "... the queue holds FIFO channels" (or "vtime-ordered
 * channels"); nothing lost.
 */
#include "gpucore.bpf.h"

GPUCORE_POLICY();

const volatile bool vtime_odd = true;

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_dsq_order_init)
{
	s32 i, ret;

	for (i = 0; i < GPUCORE_MAX_ENGINES; i++) {
		ret = gpucore_create_dsq(0, GPUCORE_ENGINE_CLASS_COMPUTE, i);
		if (ret)
			return ret;
	}
	return 0;
}

void BPF_STRUCT_OPS(bad_dsq_order_runnable, struct gpucore_channel *ch, u64 flags)
{
	u32 q = gc_ch_engine(ch);

	if (gc_ch_engine_class(ch) != GPUCORE_ENGINE_CLASS_COMPUTE) {
		gpucore_dsq_insert(ch, GPUCORE_DSQ_LOCAL, 0, 0);
		return;
	}
	if ((ch->id & 1) == vtime_odd)
		gpucore_dsq_insert_vtime(ch, q, 0, bpf_ktime_get_ns(), 0);
	else
		gpucore_dsq_insert(ch, q, 0, 0);
}

void BPF_STRUCT_OPS(bad_dsq_order_dispatch, struct gpucore_engine *engine,
		    struct gpucore_channel *prev)
{
	gpucore_dsq_move_to_local(engine, engine->id);
}

SEC(".struct_ops.link")
struct gpucore_sched_ops bad_dsq_order_ops = {
	.init		= (void *)bad_dsq_order_init,
	.runnable	= (void *)bad_dsq_order_runnable,
	.dispatch	= (void *)bad_dsq_order_dispatch,
	.name		= "bad_dsq_order",
};
