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

#endif /* _UAPI_GPUCORE_LIMITS_H_ */
