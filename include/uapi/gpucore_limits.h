/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gpucore_limits.h: how many of each object the driver has at most, and
 * what a name may be. The driver, the BPF policies (through
 * gpucore_sched.h) and the tools size their tables by these and check
 * names with gpucore_name_valid(); nothing else defines them. No types
 * beyond C's own, so that a BPF program can include this beside vmlinux.h.
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

/**
 * gpucore_name_valid - may @name name a vGPU or a policy?
 * @name: the name, NUL-terminated within @size bytes to be valid
 * @size: the size of the name's field, including the NUL
 *	(GPUCORE_NAME_LEN, GPUCORE_POLICY_NAME_LEN)
 *
 * A name is a sysfs directory, a path component and a Prometheus label:
 * 1 to @size - 1 letters, digits, '_', '-' or '.', not starting with '.'.
 * The driver refuses any other; the tools check with this same function
 * before asking it.
 *
 * Return: 1 if valid, else 0.
 */
static inline int gpucore_name_valid(const char *name, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size && name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return i > 0 && i < size && name[0] != '.';
}

#endif /* _UAPI_GPUCORE_LIMITS_H_ */
