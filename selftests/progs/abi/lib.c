// SPDX-License-Identifier: MIT
/* abi_test: plumbing and object helpers; each fails the case on an unexpected error. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/sync_file.h>

#include "abi.h"

/* An ioctl restarted on EINTR only; returns 0 or the errno. */
int gioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r == -1 ? errno : 0;
}

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

u64 page_size(void)
{
	return (u64)sysconf(_SC_PAGESIZE);
}

void get_info(int fd, struct drm_gpucore_info *i)
{
	memset(i, 0, sizeof(*i));
	OK("INFO", gioctl(fd, DRM_IOCTL_GPUCORE_INFO, i));
}

u64 vram_used(int fd)
{
	struct drm_gpucore_info i;

	get_info(fd, &i);
	return i.vram_used;
}

unsigned class_count(const struct drm_gpucore_info *i, u32 cls)
{
	unsigned n = 0;

	for (u32 e = 0; e < i->num_engines && e < GPUCORE_MAX_ENGINES; e++)
		n += i->engines[e].engine_class == cls;
	return n;
}

int try_ch_create(int fd, struct drm_gpucore_channel_create *c)
{
	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, c);
}

u32 ch_create_full(int fd, u32 cls, u32 flags, u32 inst, struct drm_gpucore_channel_create *out)
{
	struct drm_gpucore_channel_create c = { .engine_class = cls, .flags = flags, .instance = inst };

	OK("CHANNEL_CREATE (valid)", try_ch_create(fd, &c));
	if (c.handle == 0)
		fail("CHANNEL_CREATE returned handle 0 (the header says never 0)");
	if (out)
		*out = c;
	return c.handle;
}

u32 ch_create(int fd, u32 cls)
{
	return ch_create_full(fd, cls, 0, 0, NULL);
}

int try_ch_destroy(int fd, u32 h, u32 flags)
{
	struct drm_gpucore_channel_destroy d = { .handle = h, .flags = flags };

	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &d);
}

int try_bo_create(int fd, u64 size, u32 flags, u64 reserved, u32 *h)
{
	struct drm_gpucore_bo_create b = { .size = size, .flags = flags, .reserved = reserved };
	int e = gioctl(fd, DRM_IOCTL_GPUCORE_BO_CREATE, &b);

	if (h)
		*h = b.handle;
	return e;
}

u32 bo_create(int fd, u64 size)
{
	u32 h = 0;

	OK("BO_CREATE (valid)", try_bo_create(fd, size, 0, 0, &h));
	if (h == 0)
		fail("BO_CREATE returned handle 0");
	return h;
}

void *bo_map(int fd, u32 h, u64 size)
{
	struct drm_gpucore_bo_mmap_offset m = { .handle = h };
	void *p;

	OK("BO_MMAP_OFFSET (valid)", gioctl(fd, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &m));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		fail("mmap of BO %u at offset 0x%llx: %s", h, m.offset, ename(errno));
	return p;
}

void gem_close(int fd, u32 h)
{
	struct drm_gem_close c = { .handle = h };

	OK("GEM_CLOSE", gioctl(fd, DRM_IOCTL_GEM_CLOSE, &c));
}

int try_mmap_offset(int fd, u32 h, u32 flags)
{
	struct drm_gpucore_bo_mmap_offset m = { .handle = h, .flags = flags };

	return gioctl(fd, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &m);
}

u64 submit_jobs(int fd, u32 ch, const struct drm_gpucore_job *j, u32 n)
{
	struct drm_gpucore_submit s = mksubmit(ch, j, n);

	OK("SUBMIT (valid)", gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	if (s.seqno == 0)
		fail("SUBMIT returned seqno 0");
	return s.seqno;
}

u64 submit_cmds(int fd, u32 ch, const struct drm_gpucore_cmd *c, u32 n)
{
	struct drm_gpucore_job j = mkjob(c, n);

	return submit_jobs(fd, ch, &j, 1);
}

int try_wait(int fd, u32 ch, u64 seqno, s64 deadline, u32 flags)
{
	struct drm_gpucore_wait w = { .channel = ch, .flags = flags, .seqno = seqno, .timeout_ns = deadline };

	return gioctl(fd, DRM_IOCTL_GPUCORE_WAIT, &w);
}

void wait_seqno(int fd, u32 ch, u64 seqno)
{
	int e = try_wait(fd, ch, seqno, (s64)(now_ns() + WAIT_NS), 0);

	if (e)
		fail("WAIT for seqno %llu on channel %u: expected success, got %s", seqno, ch, ename(e));
}

int try_query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	memset(q, 0, sizeof(*q));
	q->channel = ch;
	q->seqno = seqno;
	return gioctl(fd, DRM_IOCTL_GPUCORE_JOB_QUERY, q);
}

void query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	int e = try_query(fd, ch, seqno, q);

	if (e)
		fail("JOB_QUERY of seqno %llu: expected success, got %s", seqno, ename(e));
}

void query_done(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	query(fd, ch, seqno, q);
	if (q->state != GPUCORE_JOB_DONE || q->status != 0)
		fail("job %llu after WAIT: state %u status %d, expected DONE (%u) status 0",
		     seqno, q->state, q->status, GPUCORE_JOB_DONE);
}

int try_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->channel = ch;
	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, s);
}

void get_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s)
{
	OK("CHANNEL_STATS (valid)", try_stats(fd, ch, s));
}

u32 syncobj_create(int fd, u32 flags)
{
	u32 h = 0;

	if (drmSyncobjCreate(fd, flags, &h))
		fail("drmSyncobjCreate: %s", ename(errno));
	return h;
}

/* 0 when signaled, else the negative errno of drmSyncobjWait (-ETIME: not yet). */
int syncobj_wait(int fd, u32 h, u64 deadline)
{
	return drmSyncobjWait(fd, &h, 1, (int64_t)deadline, 0, NULL);
}

/*
 * The state of the fence a syncobj holds, read through a sync_file: 1
 * signalled, 0 pending, or the negative errno it signalled with.
 */
int syncobj_fence_status(int fd, u32 h)
{
	struct sync_file_info info;
	int sf = -1;

	if (drmSyncobjExportSyncFile(fd, h, &sf))
		fail("drmSyncobjExportSyncFile: %s", ename(errno));
	memset(&info, 0, sizeof(info));
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &info))
		fail("SYNC_IOC_FILE_INFO: %s", ename(errno));
	close(sf);
	return info.status;
}
