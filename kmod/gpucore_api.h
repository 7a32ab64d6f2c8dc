/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore_api.h: the core's interface to front ends built as their own
 * modules (gpucore_vfio.ko).
 */

/**
 * DOC: Front-end interface
 *
 * A front end in another module sees the core only through the functions
 * declared here, exported in the GPUCORE symbol namespace; the objects are
 * opaque to it. A GPU exists as long as the gpucore module is loaded, and a
 * front end's module depends on it, so a GPU pointer stays valid for the
 * front end's lifetime. A vGPU a front end creates is its own: it gives it
 * a device (gpucore_vgpu_set_device()), which the vGPU's sysfs directory
 * links to and which keeps the vGPU from being destroyed through sysfs, and
 * it removes the vGPU itself (gpucore_vgpu_remove()).
 */
#ifndef _GPUCORE_API_H_
#define _GPUCORE_API_H_

#include <linux/types.h>

#include "gpucore_limits.h"	/* include/uapi/gpucore_limits.h */

struct device;
struct gpucore_gpu;
struct gpucore_vgpu;

#define GPUCORE_NODES_OWNER	BIT(0)
#define GPUCORE_NODES_GROUP	BIT(1)
#define GPUCORE_NODES_MODE	BIT(2)

/**
 * struct gpucore_vgpu_nodes - who may open a vGPU's device nodes
 * @set: which fields are given (GPUCORE_NODES_*); what is not keeps the
 *	distribution's udev default
 * @owner: the nodes' uid, as the initial user namespace numbers it
 * @group: their gid, likewise
 * @mode: their permission bits, 0..0777
 *
 * The driver only carries these on the vGPU's device (its sysfs
 * attributes and uevent); udev applies them (udev/73-gpucore.rules).
 */
struct gpucore_vgpu_nodes {
	u32 set;
	u32 owner;
	u32 group;
	u32 mode;
};

/**
 * struct gpucore_vgpu_params - what gpucore_vgpu_create() is given
 * @weight: 1..GPUCORE_VGPU_WEIGHT_MAX
 * @cap: 0..GPUCORE_VGPU_CAP_MAX (percent of engine time, 0: none)
 * @sched_class: GPUCORE_CLASS_*
 * @max_channels: 1..GPUCORE_MAX_CHANNELS; 0: GPUCORE_VGPU_CHANNELS_DEFAULT
 * @max_jobs: 1..GPUCORE_VGPU_JOBS_MAX; 0: GPUCORE_VGPU_JOBS_DEFAULT
 * @mem_quota: video memory quota in bytes; 0: all of the GPU's
 * @nodes: the owner, group and mode of its device nodes
 */
struct gpucore_vgpu_params {
	u32 weight;
	u32 cap;
	u32 sched_class;
	u32 max_channels;
	u32 max_jobs;
	u64 mem_quota;
	struct gpucore_vgpu_nodes nodes;
};

/**
 * struct gpucore_kcmd - a command a front end builds (a kernel channel's)
 * @op: GPUCORE_CMD_SPIN, _FILL or _COPY
 * @flags: GPUCORE_CMD_NOPREEMPT for a SPIN
 * @value: FILL's 32-bit pattern
 * @size: SPIN: nanoseconds; FILL, COPY: bytes, a multiple of 4
 * @dst: FILL, COPY: the destination, mapped in the kernel for as long as
 *	the job runs (until its fence signals)
 * @src: COPY: the source, likewise
 */
struct gpucore_kcmd {
	u32 op;
	u32 flags;
	u32 value;
	u64 size;
	void *dst;
	const void *src;
};

struct dma_fence;
struct gpucore_channel;
struct gpucore_job;

/* gpucore_drv.c */
u32 gpucore_num_gpus(void);
struct gpucore_gpu *gpucore_gpu_get(u32 index);
struct device *gpucore_gpu_device(struct gpucore_gpu *gpu);
u64 gpucore_gpu_vram_size(const struct gpucore_gpu *gpu);
u32 gpucore_gpu_num_engines(const struct gpucore_gpu *gpu, u32 engine_class);

/* gpucore_vgpu.c */
struct gpucore_vgpu *gpucore_vgpu_create(struct gpucore_gpu *gpu, const char *name,
					 const struct gpucore_vgpu_params *p);
int gpucore_vgpu_set_device(struct gpucore_vgpu *vgpu, struct device *dev);
void gpucore_vgpu_remove(struct gpucore_vgpu *vgpu);

/* gpucore_sched.c */
struct gpucore_channel *gpucore_kchannel_create(struct gpucore_vgpu *vgpu, u32 engine_class,
						const char *name);
void gpucore_kchannel_destroy(struct gpucore_channel *ch);
struct gpucore_job *gpucore_kjob_alloc(struct gpucore_channel *ch, u32 num_cmds);
int gpucore_kjob_set_cmd(struct gpucore_job *job, u32 i, const struct gpucore_kcmd *c);
void gpucore_kjob_free(struct gpucore_job *job);
int gpucore_kjob_submit(struct gpucore_job *job, struct dma_fence **fence);

#endif /* _GPUCORE_API_H_ */
