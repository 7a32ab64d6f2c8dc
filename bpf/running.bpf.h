/* SPDX-License-Identifier: GPL-2.0 */
/*
 * running.bpf.h: which vGPUs are running, for policies that share a GPU
 * among its running tenants (gvtg, equalshare); include it after
 * gpucore.bpf.h.
 *
 * A vGPU is running while it has at least one channel: a process has set
 * up a work queue on its node, or the driver of the VM it is handed to has
 * enabled a channel ring (the VFIO front end gives each one a host
 * channel), as a vGPU is on GVT-g's run queue from the time its guest
 * enables a ring, and as NVIDIA's equal-share scheduler counts the vGPUs
 * of powered-on VMs. A vGPU that exists but has no channel (a VM that is
 * off) takes no share.
 *
 * The policy calls gc_run_reset() from its init(), gc_run_channel_init()
 * and gc_run_channel_exit() from channel_init()/channel_exit(), and
 * gc_run_vgpu_set() from vgpu_init()/vgpu_update(); gc_run_gpu() then
 * gives a GPU's number of running vGPUs and the sum of their weights,
 * gc_run_vgpu() a vGPU's channel count and weight.
 */
#ifndef __GPUCORE_RUNNING_BPF_H
#define __GPUCORE_RUNNING_BPF_H

/* Per (gpu, vgpu). */
struct gc_run_vgpu {
	u32 channels;		/* its channels: running while > 0 */
	u32 weight;
};

/* Per gpu: its running vGPUs. */
struct gc_run_gpu {
	u32 nr;			/* how many */
	u32 pad;
	u64 wsum;		/* the sum of their weights */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS);
	__type(key, u32);
	__type(value, struct gc_run_vgpu);
} gc_run_vgpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS);
	__type(key, u32);
	__type(value, struct gc_run_gpu);
} gc_run_gpus SEC(".maps");

static __always_inline struct gc_run_vgpu *gc_run_vgpu(u32 gpu, u32 vgpu)
{
	u32 k = gc_gv_idx(gpu, vgpu);

	return bpf_map_lookup_elem(&gc_run_vgpus, &k);
}

static __always_inline struct gc_run_gpu *gc_run_gpu(u32 gpu)
{
	u32 k = gpu % GPUCORE_MAX_GPUS;

	return bpf_map_lookup_elem(&gc_run_gpus, &k);
}

/* Add (@sign 1) or remove (-1) a running vGPU from its GPU's sums. */
static __always_inline void __gc_run_account(u32 gpu, struct gc_run_vgpu *rv, int sign)
{
	struct gc_run_gpu *rg = gc_run_gpu(gpu);

	if (!rg)
		return;
	if (sign > 0) {
		rg->nr++;
		rg->wsum += rv->weight;
		return;
	}
	rg->nr = rg->nr ? rg->nr - 1 : 0;
	rg->wsum = rg->wsum > rv->weight ? rg->wsum - rv->weight : 0;
}

/* vgpu_init(), vgpu_update(): take the vGPU's weight. */
static __always_inline void gc_run_vgpu_set(struct gpucore_vgpu *vgpu)
{
	u32 gpu = vgpu->gpu_id;
	struct gc_run_vgpu *rv = gc_run_vgpu(gpu, vgpu->id);

	if (!rv)
		return;
	if (rv->channels)
		__gc_run_account(gpu, rv, -1);
	rv->weight = vgpu->weight ?: 1;
	if (rv->channels)
		__gc_run_account(gpu, rv, 1);
}

/* channel_init(): the vGPU runs from its first channel on. */
static __always_inline void gc_run_channel_init(struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch);
	struct gc_run_vgpu *rv = gc_run_vgpu(gpu, gc_ch_vgpu(ch));

	if (!rv)
		return;
	if (!rv->weight)
		rv->weight = ch->vgpu->weight ?: 1;
	if (rv->channels++ == 0)
		__gc_run_account(gpu, rv, 1);
}

/* channel_exit(): ... and stops with its last one. */
static __always_inline void gc_run_channel_exit(struct gpucore_channel *ch)
{
	u32 gpu = gc_ch_gpu(ch);
	struct gc_run_vgpu *rv = gc_run_vgpu(gpu, gc_ch_vgpu(ch));

	if (!rv || !rv->channels)
		return;
	if (--rv->channels == 0)
		__gc_run_account(gpu, rv, -1);
}

static long __gc_run_reset_step(u64 i, void *data)
{
	u32 k = i;
	struct gc_run_vgpu *rv = bpf_map_lookup_elem(&gc_run_vgpus, &k);
	struct gc_run_gpu *rg;

	if (rv)
		*rv = (struct gc_run_vgpu){};
	if (i < GPUCORE_MAX_GPUS) {
		rg = bpf_map_lookup_elem(&gc_run_gpus, &k);
		if (rg)
			*rg = (struct gc_run_gpu){};
	}
	return 0;
}

/* init(): start empty, also when these maps were attached before. */
static __always_inline void gc_run_reset(void)
{
	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS, __gc_run_reset_step, NULL, 0);
}

#endif /* __GPUCORE_RUNNING_BPF_H */
