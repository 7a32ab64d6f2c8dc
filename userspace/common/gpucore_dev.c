// SPDX-License-Identifier: MIT
/*
 * Opening a gpucore device node: sysfs discovery, driver and ABI checks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>

#include "gpucore_dev.h"

static const char *const engine_class_names[GPUCORE_ENGINE_CLASS_COUNT] = {
	[GPUCORE_ENGINE_CLASS_COMPUTE] = "compute",
	[GPUCORE_ENGINE_CLASS_COPY] = "copy",
};

static int set_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int gcu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

bool gcu_driver_loaded(void)
{
	struct stat st;

	return stat(GPUCORE_SYSFS_MODULE, &st) == 0;
}

const char *gcu_engine_class_name(unsigned int engine_class)
{
	if (engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
		return NULL;
	return engine_class_names[engine_class];
}

int gcu_engine_class_parse(const char *name)
{
	int i;

	for (i = 0; i < GPUCORE_ENGINE_CLASS_COUNT; i++)
		if (!strcmp(name, engine_class_names[i]))
			return i;
	return -1;
}

unsigned int gcu_count_engines(const struct gcu_dev *dev,
				   unsigned int engine_class)
{
	unsigned int i, n = 0;

	for (i = 0; i < dev->info.num_engines; i++)
		if (dev->info.engines[i].engine_class == engine_class)
			n++;
	return n;
}

/* "0, 1" for the GPUs present in sysfs; empty when none. */
static void list_gpus(char *buf, size_t len)
{
	struct dirent *de;
	size_t off = 0;
	DIR *dir;
	int n;

	buf[0] = '\0';
	dir = opendir(GPUCORE_SYSFS_DEVICES);
	if (!dir)
		return;
	while ((de = readdir(dir)) && off < len) {
		if (sscanf(de->d_name, GPUCORE_DRIVER_NAME ".%d", &n) != 1)
			continue;
		off += snprintf(buf + off, len - off, "%s%d", off ? ", " : "", n);
	}
	closedir(dir);
}

bool gcu_vgpu_name_valid(const char *name)
{
	return gpucore_name_valid(name, GPUCORE_NAME_LEN);
}

static int read_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static int gpu_dir(int gpu, char *dir, size_t len, char *err, size_t errlen)
{
	char gpus[128];
	struct stat st;

	snprintf(dir, len, "%s/%s.%d", GPUCORE_SYSFS_DEVICES,
		 GPUCORE_DRIVER_NAME, gpu);
	if (stat(dir, &st) == 0)
		return 0;
	if (!gcu_driver_loaded())
		return set_err(err, errlen, -ENODEV, "no GPU %d: %s", gpu,
			       GPUCORE_LOAD_HINT);
	list_gpus(gpus, sizeof(gpus));
	if (!gpus[0])
		return set_err(err, errlen, -ENODEV,
			       "no GPU %d: the gpucore driver is loaded but has no GPUs",
			       gpu);
	return set_err(err, errlen, -ENODEV, "no GPU %d (GPUs present: %s)",
		       gpu, gpus);
}

int gcu_vgpu_node(int gpu, const char *vgpu, char *node, size_t len,
		      char *err, size_t errlen)
{
	char dir[PATH_MAX], file[PATH_MAX + 64], base[64];
	struct stat st;
	int ret;

	if (!vgpu)
		vgpu = GPUCORE_HOST_VGPU;
	if (!gcu_vgpu_name_valid(vgpu))
		return set_err(err, errlen, -EINVAL, "invalid vGPU name '%s'",
			       vgpu);
	ret = gpu_dir(gpu, dir, sizeof(dir), err, errlen);
	if (ret)
		return ret;
	snprintf(file, sizeof(file), "%s/vgpus/%s", dir, vgpu);
	if (stat(file, &st))
		return set_err(err, errlen, -ENOENT,
			       "GPU %d has no vGPU named '%s' (see %s/vgpus/)",
			       gpu, vgpu, dir);
	snprintf(file, sizeof(file), "%s/vgpus/%s/render_node", dir, vgpu);
	ret = read_line(file, base, sizeof(base));
	if (ret)
		return set_err(err, errlen, ret, "cannot read %s: %s", file,
			       strerror(-ret));
	if (!base[0] || strchr(base, '/'))
		return set_err(err, errlen, -EINVAL, "%s: unexpected content '%s'",
			       file, base);
	snprintf(node, len, "/dev/dri/%s", base);
	return 0;
}

static int open_node(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int e = errno;

	if (fd >= 0)
		return fd;
	if (e == ENOENT && !gcu_driver_loaded())
		return set_err(err, errlen, -ENODEV, "cannot open %s: %s; %s",
			       path, strerror(e), GPUCORE_LOAD_HINT);
	if (e == EACCES || e == EPERM)
		return set_err(err, errlen, -e,
			       "cannot open %s: %s (check the node's permissions)",
			       path, strerror(e));
	return set_err(err, errlen, -e, "cannot open %s: %s", path, strerror(e));
}

static int check_driver(int fd, const char *path, char *err, size_t errlen)
{
	drmVersionPtr ver = drmGetVersion(fd);
	int ret = 0;

	if (!ver)
		return set_err(err, errlen, -ENODEV, "%s is not a DRM device",
			       path);
	if (!ver->name || strcmp(ver->name, GPUCORE_DRIVER_NAME))
		ret = set_err(err, errlen, -ENODEV,
			      "%s is not a gpucore device (driver '%s')", path,
			      ver->name ? ver->name : "?");
	drmFreeVersion(ver);
	return ret;
}

static int query_info(struct gcu_dev *dev, char *err, size_t errlen)
{
	struct drm_gpucore_info *info = &dev->info;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = gcu_ioctl(dev->fd, DRM_IOCTL_GPUCORE_INFO, info);
	if (ret)
		return set_err(err, errlen, ret,
			       "DRM_IOCTL_GPUCORE_INFO on %s failed: %s",
			       dev->path, strerror(-ret));
	if (info->abi_version != GPUCORE_ABI_VERSION)
		return set_err(err, errlen, -EPROTO,
			       "%s: driver ABI version %u, this tool speaks %u",
			       dev->path, info->abi_version, GPUCORE_ABI_VERSION);
	if (info->num_engines > GPUCORE_MAX_ENGINES)
		return set_err(err, errlen, -EPROTO,
			       "%s: driver reports %u engines (max %u)",
			       dev->path, info->num_engines, GPUCORE_MAX_ENGINES);
	info->vgpu_name[GPUCORE_NAME_LEN - 1] = '\0';
	return 0;
}

/* A node found through sysfs must be the one sysfs named. */
static int check_identity(const struct gcu_dev *dev, int gpu,
			  const char *vgpu, char *err, size_t errlen)
{
	if (dev->info.gpu_id != (unsigned int)gpu)
		return set_err(err, errlen, -EPROTO,
			       "%s reports GPU %u, but sysfs lists it for GPU %d",
			       dev->path, dev->info.gpu_id, gpu);
	if (strcmp(dev->info.vgpu_name, vgpu ? vgpu : GPUCORE_HOST_VGPU))
		return set_err(err, errlen, -EPROTO,
			       "%s reports vGPU '%s', but sysfs lists it for vGPU '%s'",
			       dev->path, dev->info.vgpu_name,
			       vgpu ? vgpu : GPUCORE_HOST_VGPU);
	return 0;
}

int gcu_open(int gpu, const char *vgpu, const char *path,
		 struct gcu_dev *dev, char *err, size_t errlen)
{
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	if (path) {
		snprintf(dev->path, sizeof(dev->path), "%s", path);
	} else {
		ret = gcu_vgpu_node(gpu, vgpu, dev->path, sizeof(dev->path),
					err, errlen);
		if (ret)
			return ret;
	}
	ret = open_node(dev->path, err, errlen);
	if (ret < 0)
		return ret;
	dev->fd = ret;
	ret = check_driver(dev->fd, dev->path, err, errlen);
	if (!ret)
		ret = query_info(dev, err, errlen);
	if (!ret && !path)
		ret = check_identity(dev, gpu, vgpu, err, errlen);
	if (ret)
		gcu_close(dev);
	return ret;
}

void gcu_close(struct gcu_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}
