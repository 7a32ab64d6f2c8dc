/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gpucore_limits.h: how many of each object the driver has at most. The
 * driver, the BPF policies (through gpucore_sched.h) and the tools size
 * their tables by these; nothing else defines them. Plain numbers, so
 * that a BPF program can include this beside vmlinux.h.
 */
#ifndef _UAPI_GPUCORE_LIMITS_H_
#define _UAPI_GPUCORE_LIMITS_H_

#define GPUCORE_MAX_GPUS		8	/* the num_gpus module parameter's maximum */
#define GPUCORE_MAX_ENGINES		8	/* per GPU */
#define GPUCORE_MAX_VGPUS		64	/* per GPU, including the host tenant */
#define GPUCORE_MAX_CHANNELS		16384	/* per GPU */

/* Index of a (GPU, engine) or (GPU, vGPU) pair in a table of every GPU's. */
#define GPUCORE_ENGINE_IDX(gpu, engine) \
	(((gpu) % GPUCORE_MAX_GPUS) * GPUCORE_MAX_ENGINES + (engine) % GPUCORE_MAX_ENGINES)
#define GPUCORE_VGPU_IDX(gpu, vgpu) \
	(((gpu) % GPUCORE_MAX_GPUS) * GPUCORE_MAX_VGPUS + (vgpu) % GPUCORE_MAX_VGPUS)

#endif /* _UAPI_GPUCORE_LIMITS_H_ */
