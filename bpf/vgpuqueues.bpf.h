/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpuqueues.bpf.h: a kernel dispatch queue per (engine, vGPU) and, per
 * engine, a mask of the vGPUs with channels queued there, for policies
 * that choose a vGPU first and run its channels round robin (fixedshare,
 * equalshare); include it after gpucore.bpf.h.
 *
 * The policy calls gc_vq_init() from its init(), gc_vq_runnable() from
 * runnable() and gc_vq_quiescent() from quiescent(); its dispatch() reads
 * gc_vq_mask() to find the vGPUs with work on the engine, picks one, and
 * gc_vq_dispatch() runs that vGPU's head channel.
 */
#ifndef __GPUCORE_VGPUQUEUES_BPF_H
#define __GPUCORE_VGPUQUEUES_BPF_H

/* The queue of vGPU @v's channels on engine @e (of the GPU the callback runs for). */
#define VQ(e, v)	GC_EV_DSQ(e, v)

/* Per (gpu, engine): bit v set while vGPU v has queued channels there. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES);
	__type(key, u32);
	__type(value, u64);
} queued_mask SEC(".maps");

/* The vGPUs with channels queued on @engine of @gpu, as a mask. */
static __always_inline u64 gc_vq_mask(u32 gpu, u32 engine)
{
	u32 i = gc_ge_idx(gpu, engine);
	u64 *mask = bpf_map_lookup_elem(&queued_mask, &i);

	return mask ? *mask : 0;
}

/* Keep @v's bit in @engine's mask: set while more than @leaving of its channels are queued. */
static __always_inline void gc_vq_mask_update(u32 gpu, u32 engine, u32 v, s32 leaving)
{
	u32 i = gc_ge_idx(gpu, engine);
	u64 *mask = bpf_map_lookup_elem(&queued_mask, &i);

	if (!mask)
		return;
	if (gpucore_dsq_nr_queued(gpu, VQ(engine, v % GPUCORE_MAX_VGPUS)) > leaving)
		*mask |= 1ULL << (v % GPUCORE_MAX_VGPUS);
	else
		*mask &= ~(1ULL << (v % GPUCORE_MAX_VGPUS));
}

/* runnable(): @ch joins the tail of its vGPU's queue on its engine. */
static __always_inline void gc_vq_runnable(struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch), e = gc_ch_engine(ch), v = gc_ch_vgpu(ch) % GPUCORE_MAX_VGPUS;

	gpucore_dsq_insert(ch, VQ(e, v), 0, 0);
	gc_vq_mask_update(gpu, e, v, 0);
}

/* quiescent(): a queued channel that went away; the kernel took it out of its queue. */
static __always_inline void gc_vq_quiescent(struct gpucore_channel *ch)
{
	gc_vq_mask_update(gc_ch_gpu(ch), gc_ch_engine(ch), gc_ch_vgpu(ch), 0);
}

/*
 * dispatch(): run the head channel of vGPU @v's queue on @engine for
 * @slice_ns (0: the GPU's timeslice), at most @left_ns, within the
 * kernel's bounds. False if the queue was empty.
 */
static __always_inline bool gc_vq_dispatch(struct gpucore_engine *engine, u32 v,
					   u64 slice_ns, u64 left_ns)
{
	u32 gpu = gc_engine_gpu(engine), eng = engine->id;
	u64 id = gpucore_dsq_peek(gpu, VQ(eng, v % GPUCORE_MAX_VGPUS));

	/* The one picked leaves the queue when the engine takes it. */
	gc_vq_mask_update(gpu, eng, v, 1);
	if (!id)
		return false;
	if (!slice_ns)
		slice_ns = engine->gpu->timeslice_ns;
	if (slice_ns > left_ns)
		slice_ns = left_ns;
	if (slice_ns < GPUCORE_MIN_SLICE_NS)
		slice_ns = GPUCORE_MIN_SLICE_NS;
	if (slice_ns > GPUCORE_MAX_SLICE_NS)
		slice_ns = GPUCORE_MAX_SLICE_NS;
	gpucore_dispatch(engine, id, slice_ns);
	return true;
}

static long gc_vq_clear(u64 i, void *data)
{
	u32 k = i;
	u64 *mask = bpf_map_lookup_elem(&queued_mask, &k);

	if (mask)
		*mask = 0;
	return 0;
}

/* init(): the queues, and every mask empty (also when the maps were attached before). */
static __always_inline s32 gc_vq_init(void)
{
	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, gc_vq_clear, NULL, 0);
	return gc_create_ev_dsqs();
}

#endif /* __GPUCORE_VGPUQUEUES_BPF_H */
