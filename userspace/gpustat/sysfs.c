// SPDX-License-Identifier: MIT
/*
 * What no tracepoint carries, read from the driver's sysfs files and
 * handed to the model as events (so a recording keeps them): engine names,
 * each engine's switch time and resets, each vGPU's configuration, memory
 * use and resets, the policy's state and counters.
 *
 * A file read at every refresh stays open, and is read again from offset
 * 0, which asks the driver again: one system call instead of four (open,
 * fstat, read, close), which under emulation cost more than the rest of a
 * refresh's system calls but the BPF program's. A file whose object went
 * (a destroyed vGPU's) fails that read and is opened afresh; once
 * SYSFS_KEPT files are open, others are opened for each read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "monitor.h"

#define SYSFS_KEPT	512		/* files kept open */
#define SYSFS_SLOTS	(2 * SYSFS_KEPT)	/* a power of two */

static struct kept {
	char *path;		/* NULL: a free slot */
	int fd;			/* -1: not open (its object went) */
} kept[SYSFS_SLOTS];
static unsigned int nkept;

/* FNV-1a */
static uint32_t path_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* @path's slot: its own, or the free one it would take; NULL: none left. */
static struct kept *kept_slot(const char *path)
{
	uint32_t i = path_hash(path), n;

	for (n = 0; n < SYSFS_SLOTS; n++, i++) {
		struct kept *k = &kept[i & (SYSFS_SLOTS - 1)];

		if (!k->path || !strcmp(k->path, path))
			return k;
	}
	return NULL;
}

/* Reads @path from its start into @buf: the length read, or -errno. */
static ssize_t read_at0(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	return n < 0 ? -errno : n;
}

/* @path's contents, read through a kept descriptor when there is one. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	struct kept *k = kept_slot(path);
	ssize_t n;
	int fd;

	if (k && k->path && k->fd >= 0) {
		n = read_at0(k->fd, buf, len);
		if (n >= 0)
			return n;
		close(k->fd);	/* its object went: open the path afresh */
		k->fd = -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_at0(fd, buf, len);
	if (k && !k->path && nkept < SYSFS_KEPT && (k->path = strdup(path))) {
		k->fd = -1;
		nkept++;
	}
	if (k && k->path && n >= 0)
		k->fd = fd;
	else
		close(fd);
	return n;
}

/* The first line of @path, without its newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n = read_file(path, buf, len);

	if (n < 0)
		return n;
	if (!n)
		return -EIO;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static uint64_t read_u64(const char *dir, const char *name)
{
	char path[1024], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_line(path, buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 0);
}

/* A line of space separated numbers (one per engine): how many, or -errno. */
static int read_u64s(const char *dir, const char *name, uint64_t *v, int max)
{
	char path[512], buf[512], *tok, *save;
	int n = 0, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = read_line(path, buf, sizeof(buf));
	if (ret)
		return ret;
	for (tok = strtok_r(buf, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		v[n++] = strtoull(tok, NULL, 0);
	return n;
}

/*
 * Each engine's context switch time and resets: counters the driver keeps
 * but no tracepoint carries (a switch's cost is charged to no channel).
 * A driver without them (older than the files) gives no event.
 */
static void scan_engine_stats(uint32_t gpu, const char *dir, sysfs_emit_fn emit, void *arg)
{
	struct gs_event ev = { .type = GS_EV_ENGINE_STATS, .gpu = gpu };
	uint64_t sw[GPUCORE_MAX_ENGINES] = { 0 }, rst[GPUCORE_MAX_ENGINES] = { 0 };
	int nsw = read_u64s(dir, "engine_switch_ns", sw, GPUCORE_MAX_ENGINES);
	int nrst = read_u64s(dir, "engine_resets", rst, GPUCORE_MAX_ENGINES);
	int n = nsw > nrst ? nsw : nrst;

	for (ev.engine = 0; (int)ev.engine < n; ev.engine++) {
		ev.a = sw[ev.engine];
		ev.b = rst[ev.engine];
		emit(&ev, arg);
	}
}

static void scan_engines(uint32_t gpu, const char *dir, sysfs_emit_fn emit, void *arg)
{
	struct gs_event ev = { .type = GS_EV_ENGINE_INFO, .gpu = gpu };
	char path[512], buf[256], *tok, *save;

	snprintf(path, sizeof(path), "%s/engines", dir);
	if (read_line(path, buf, sizeof(buf)))
		return;
	for (tok = strtok_r(buf, " ", &save); tok && ev.engine < GPUCORE_MAX_ENGINES;
	     tok = strtok_r(NULL, " ", &save), ev.engine++) {
		memset(ev.name, 0, sizeof(ev.name));
		snprintf(ev.name, sizeof(ev.name), "%s", tok);
		emit(&ev, arg);
	}
}

static void scan_vgpu(uint32_t gpu, const char *dir, const char *name,
		      sysfs_emit_fn emit, void *arg)
{
	struct gs_event ev = { .type = GS_EV_VGPU_UPDATE, .gpu = gpu };
	char vdir[600], path[700], buf[64];
	uint32_t vgpu;

	snprintf(vdir, sizeof(vdir), "%s/vgpus/%s", dir, name);
	ev.vgpu = vgpu = read_u64(vdir, "id");
	ev.aux = read_u64(vdir, "weight");
	ev.aux2 = read_u64(vdir, "cap");
	ev.a = read_u64(vdir, "mem_quota");
	ev.b = read_u64(vdir, "max_channels");
	ev.c = read_u64(vdir, "max_jobs");
	snprintf(ev.name, sizeof(ev.name), "%.*s", GS_NAME_LEN - 1, name);
	emit(&ev, arg);
	ev.type = GS_EV_VGPU_MEM;
	ev.a = read_u64(vdir, "mem_used");
	emit(&ev, arg);
	snprintf(path, sizeof(path), "%s/resets", vdir);
	if (read_line(path, buf, sizeof(buf)))	/* a driver older than the file */
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = GS_EV_VGPU_STATS;
	ev.gpu = gpu;
	ev.vgpu = vgpu;
	ev.a = strtoull(buf, NULL, 0);
	emit(&ev, arg);
}

static void scan_gpu(uint32_t gpu, bool engines, sysfs_emit_fn emit, void *arg)
{
	char dir[256], vdir[300];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/gpucore.%u", GPUCORE_SYSFS_DEVICES, gpu);
	if (engines)
		scan_engines(gpu, dir, emit, arg);
	scan_engine_stats(gpu, dir, emit, arg);
	snprintf(vdir, sizeof(vdir), "%s/vgpus", dir);
	dp = opendir(vdir);
	if (!dp)
		return;
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.')
			scan_vgpu(gpu, dir, d->d_name, emit, arg);
	closedir(dp);
}

static uint32_t policy_state_code(const char *s)
{
	if (!strcmp(s, "attached"))
		return GS_POLICY_ATTACHED;
	if (!strcmp(s, "ejecting"))
		return GS_POLICY_EJECTING;
	return GS_POLICY_BUILTIN;
}

static void scan_policy(sysfs_emit_fn emit, void *arg)
{
	const char *dir = GPUCORE_SYSFS_MODULE "/policy";
	struct gs_event ev = { .type = GS_EV_POLICY_STATE };
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/name", dir);
	if (read_line(path, ev.name, sizeof(ev.name)))
		snprintf(ev.name, sizeof(ev.name), "builtin");
	snprintf(path, sizeof(path), "%s/state", dir);
	if (!read_line(path, buf, sizeof(buf)))
		ev.aux = policy_state_code(buf);
	ev.a = read_u64(dir, "ejections");
	ev.b = read_u64(dir, "decisions");
	ev.c = read_u64(dir, "errors");
	emit(&ev, arg);
	memset(&ev, 0, sizeof(ev));
	ev.type = GS_EV_POLICY_EXIT;
	snprintf(path, sizeof(path), "%s/exit_kind", dir);
	if (read_line(path, ev.name, sizeof(ev.name)))
		snprintf(ev.name, sizeof(ev.name), "none");
	emit(&ev, arg);
}

void sysfs_scan(bool engines, sysfs_emit_fn emit, void *arg)
{
	uint32_t gpu;
	char dir[256];

	for (gpu = 0; gpu < GPUCORE_MAX_GPUS; gpu++) {
		snprintf(dir, sizeof(dir), "%s/gpucore.%u", GPUCORE_SYSFS_DEVICES, gpu);
		if (access(dir, F_OK))
			continue;
		scan_gpu(gpu, engines, emit, arg);
	}
	scan_policy(emit, arg);
}
