/* SPDX-License-Identifier: MIT */
/*
 * userspace/common/gpucore_dev.h: opening a gpucore device node (the gcu_
 * prefix: gpucore userspace, distinct from the kernel's gpucore_).
 *
 * Shared by the gpucore tools (gpuload, gpusched, gpustat, selftests/progs).
 * Finds a node the way an operator names it: a GPU index and an optional
 * vGPU name, resolved through sysfs
 *   /sys/bus/platform/devices/gpucore.N/vgpus/NAME/render_node
 * or an explicit /dev/dri path. Checks that the node belongs to the gpucore
 * driver, speaks our ABI version and fetches DRM_IOCTL_GPUCORE_INFO.
 *
 * Errors come back as a negative errno plus a one-line message meant for
 * the user (it says what to do, e.g. which module to load); the caller
 * prints it with its own prefix.
 */
#ifndef GPUCORE_DEV_H
#define GPUCORE_DEV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpucore.h"

#define GPUCORE_DRIVER_NAME	"gpucore"
#define GPUCORE_SYSFS_DEVICES	"/sys/bus/platform/devices"
#define GPUCORE_SYSFS_MODULE	"/sys/module/gpucore"
#define GPUCORE_HOST_VGPU	"host"
#define GPUCORE_LOAD_HINT	"gpucore driver not loaded? try insmod kmod/gpucore.ko"

struct gcu_dev {
	int fd;
	char path[PATH_MAX];		/* the node that was opened */
	struct drm_gpucore_info info;	/* DRM_IOCTL_GPUCORE_INFO at open */
};

/*
 * Open a gpucore render node: @path when not NULL, else the render node of
 * vGPU @vgpu (NULL: the host tenant) of GPU @gpu. Returns 0, or a negative
 * errno with a message in @err:
 *   -ENODEV   driver not loaded, no such GPU, or not a gpucore node
 *   -ENOENT   no such vGPU or node
 *   -EPROTO   ABI version mismatch
 *   other     open() or the INFO ioctl failed
 */
int gcu_open(int gpu, const char *vgpu, const char *path,
		 struct gcu_dev *dev, char *err, size_t errlen);
void gcu_close(struct gcu_dev *dev);

/* Resolve GPU @gpu's vGPU @vgpu to "/dev/dri/renderDN"; same errors. */
int gcu_vgpu_node(int gpu, const char *vgpu, char *node, size_t len,
		      char *err, size_t errlen);

/* A vGPU name by the driver's rule (gpucore_name_valid()). */
bool gcu_vgpu_name_valid(const char *name);

/* Is the gpucore module loaded (as seen in sysfs)? */
bool gcu_driver_loaded(void);

/* ioctl() that restarts on EINTR; returns 0 or a negative errno. */
int gcu_ioctl(int fd, unsigned long request, void *arg);

/* "compute", "copy"; NULL/-1 when unknown. */
const char *gcu_engine_class_name(unsigned int engine_class);
int gcu_engine_class_parse(const char *name);

/* Engines of @engine_class on the node (from dev->info). */
unsigned int gcu_count_engines(const struct gcu_dev *dev,
				   unsigned int engine_class);

#endif /* GPUCORE_DEV_H */
