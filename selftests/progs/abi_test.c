// SPDX-License-Identifier: MIT
/*
 * abi_test: ioctl ABI tests of gpucore (include/uapi/gpucore.h).
 *
 *   abi_test [-D PATH] list        print the case names, one a line
 *   abi_test [-D PATH] run NAME    run one case: exit 0 on pass, 1 with a
 *                                  one-line reason on fail
 *   abi_test [-D PATH] all         run every case (each in its own process)
 *
 * PATH is a gpucore render node; by default /dev/dri/ + the contents of
 * /sys/bus/platform/devices/gpucore.0/vgpus/host/render_node.
 *
 * Every negative case builds an otherwise fully valid call (a valid channel,
 * BO, job, command) and breaks exactly one thing, then checks the exact
 * errno and, where it is observable, that the call had no side effect: a
 * rejected SUBMIT leaves the channel's `submitted` and `queued` stats alone
 * and the next valid submit gets the seqno the rejected one would have had;
 * a rejected BO_CREATE leaves INFO's vram_used alone; after a rejected
 * CHANNEL_CREATE the next valid one works.
 *
 * Errno choices where the header is silent (the lead aligns the driver):
 * each is marked "ABI choice:" below.
 *
 * All ioctls go through gioctl(), not drmIoctl(): drmIoctl() restarts on
 * EAGAIN as well as EINTR, so SUBMIT's EAGAIN (queue full) could never be
 * observed through it and a driver wrongly returning EAGAIN would hang the
 * test instead of failing it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "gpucore.h"

typedef __u64 u64;
typedef __s64 s64;
typedef __u32 u32;
typedef __u8 u8;

#define SYSFS_HOST_NODE	"/sys/bus/platform/devices/gpucore.0/vgpus/host/render_node"
#define BO_SIZE		(64 * 1024)	/* the fixture's BOs */
#define WAIT_NS		(60ULL * 1000 * 1000 * 1000)	/* generous: TCG guests are slow */
#define MS		(1000ULL * 1000)
#define CASE_TIMEOUT_S	300
#define SYSFS_PATH_LEN	160

static const char *cur_case = "?";
static const char *dev_path;
static const char *other_path;	/* -O: the "other process" cases' node */

/*
 * A sysfs value a case changed, written back however the case ends (pass,
 * fail() or the case timeout): see sysfs_set_saved().
 */
static struct {
	char path[SYSFS_PATH_LEN];
	char value[32];
	size_t len;
	bool armed;
} saved_attr;

/* ------------------------------------------------------------------ */
/* reporting                                                           */

/*
 * Write the saved sysfs value back, saying so on stdout if that fails.
 * Async-signal-safe: on_alarm() calls it.
 */
static void sysfs_restore(void)
{
	static const char msg[] = "abi_test: could not restore ";
	bool ok = false;
	ssize_t n;
	int fd;

	if (!saved_attr.armed)
		return;
	saved_attr.armed = false;
	fd = open(saved_attr.path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, saved_attr.value, saved_attr.len) == (ssize_t)saved_attr.len;
		close(fd);
	}
	if (ok)
		return;
	n = write(1, msg, sizeof(msg) - 1);
	n = write(1, saved_attr.path, strlen(saved_attr.path));
	n = write(1, "\n", 1);
	(void)n;
}

static const char *ename(int e)
{
	const char *n;

	if (e == 0)
		return "success";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", cur_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	sysfs_restore();
	_exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: case timed out (a call blocked or a job never completed)\n";

	ssize_t n;

	(void)sig;
	n = write(1, msg, sizeof(msg) - 1);
	(void)n;	/* exiting either way */
	sysfs_restore();
	_exit(1);
}

static void expect_errno(const char *what, int want, int got)
{
	if (got != want)
		fail("%s: expected %s, got %s", what, ename(want), ename(got));
}

#define OK(what, e)	expect_errno((what), 0, (e))

/* ------------------------------------------------------------------ */
/* plumbing                                                            */

/* An ioctl restarted on EINTR only; returns 0 or the errno. */
static int gioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r == -1 ? errno : 0;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static u64 page_size(void)
{
	return (u64)sysconf(_SC_PAGESIZE);
}

static u64 page_round(u64 n)
{
	u64 pg = page_size();

	return (n + pg - 1) / pg * pg;
}

static bool is_gpucore(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ok = v && v->name && strcmp(v->name, "gpucore") == 0;

	drmFreeVersion(v);
	return ok;
}

/*
 * The host tenant's render node. render_node may name the node
 * ("renderD128"), give its path, or its "major:minor"; all three work.
 * Without the sysfs file (driver under construction), fall back to the
 * first render node whose driver is gpucore, with a note on stderr.
 */
static const char *default_path(void)
{
	static char path[300];
	char buf[256], line[300];
	FILE *f = fopen(SYSFS_HOST_NODE, "r");
	size_t n;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		n = strcspn(buf, "\n");
		buf[n] = 0;
		if (buf[0] == '/') {
			snprintf(path, sizeof(path), "%s", buf);
			return path;
		}
		if (strchr(buf, ':')) {
			snprintf(line, sizeof(line), "/sys/dev/char/%s/uevent", buf);
			f = fopen(line, "r");
			while (f && fgets(line, sizeof(line), f)) {
				if (strncmp(line, "DEVNAME=", 8) == 0) {
					line[strcspn(line, "\n")] = 0;
					snprintf(path, sizeof(path), "/dev/%s", line + 8);
					fclose(f);
					return path;
				}
			}
			if (f)
				fclose(f);
			fail("%s says '%s', which names no device", SYSFS_HOST_NODE, buf);
		}
		if (!buf[0])
			fail("%s is empty", SYSFS_HOST_NODE);
		snprintf(path, sizeof(path), "/dev/dri/%s", buf);
		return path;
	} else {
		DIR *d = opendir("/dev/dri");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			int fd;

			if (strncmp(e->d_name, "renderD", 7))
				continue;
			snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd >= 0 && is_gpucore(fd)) {
				close(fd);
				closedir(d);
				fprintf(stderr, "abi_test: note: no %s, using %s\n", SYSFS_HOST_NODE, path);
				return path;
			}
			if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
		fail("cannot read %s and no gpucore render node in /dev/dri (is the driver loaded? or pass -D PATH)",
		     SYSFS_HOST_NODE);
	}
}

static int open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	if (!is_gpucore(fd))
		fail("%s is not a gpucore node", path);
	return fd;
}

static int open_node(void)
{
	return open_path(dev_path);
}

/* The node of the "other process" in isolation cases: -O, else -D's. */
static int open_other_node(void)
{
	return open_path(other_path ? other_path : dev_path);
}

/* ------------------------------------------------------------------ */
/* object helpers: each fails the case on an unexpected error          */

static void get_info(int fd, struct drm_gpucore_info *i)
{
	memset(i, 0, sizeof(*i));
	OK("INFO", gioctl(fd, DRM_IOCTL_GPUCORE_INFO, i));
}

static u64 vram_used(int fd)
{
	struct drm_gpucore_info i;

	get_info(fd, &i);
	return i.vram_used;
}

static unsigned class_count(const struct drm_gpucore_info *i, u32 cls)
{
	unsigned n = 0;

	for (u32 e = 0; e < i->num_engines && e < GPUCORE_MAX_ENGINES; e++)
		n += i->engines[e].engine_class == cls;
	return n;
}

/* Engine id of (class, instance), or -1. */
static int engine_of(const struct drm_gpucore_info *i, u32 cls, u32 inst)
{
	for (u32 e = 0; e < i->num_engines && e < GPUCORE_MAX_ENGINES; e++)
		if (i->engines[e].engine_class == cls && i->engines[e].instance == inst)
			return (int)i->engines[e].id;
	return -1;
}

static int try_ch_create(int fd, struct drm_gpucore_channel_create *c)
{
	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, c);
}

static u32 ch_create_full(int fd, u32 cls, u32 flags, u32 inst, struct drm_gpucore_channel_create *out)
{
	struct drm_gpucore_channel_create c = { .engine_class = cls, .flags = flags, .instance = inst };

	OK("CHANNEL_CREATE (valid)", try_ch_create(fd, &c));
	if (c.handle == 0)
		fail("CHANNEL_CREATE returned handle 0 (the header says never 0)");
	if (out)
		*out = c;
	return c.handle;
}

static u32 ch_create(int fd, u32 cls)
{
	return ch_create_full(fd, cls, 0, 0, NULL);
}

static int try_ch_destroy(int fd, u32 h, u32 flags)
{
	struct drm_gpucore_channel_destroy d = { .handle = h, .flags = flags };

	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &d);
}

static int try_bo_create(int fd, u64 size, u32 flags, u64 reserved, u32 *h)
{
	struct drm_gpucore_bo_create b = { .size = size, .flags = flags, .reserved = reserved };
	int e = gioctl(fd, DRM_IOCTL_GPUCORE_BO_CREATE, &b);

	if (h)
		*h = b.handle;
	return e;
}

static u32 bo_create(int fd, u64 size)
{
	u32 h = 0;

	OK("BO_CREATE (valid)", try_bo_create(fd, size, 0, 0, &h));
	if (h == 0)
		fail("BO_CREATE returned handle 0");
	return h;
}

static void *bo_map(int fd, u32 h, u64 size)
{
	struct drm_gpucore_bo_mmap_offset m = { .handle = h };
	void *p;

	OK("BO_MMAP_OFFSET (valid)", gioctl(fd, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &m));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		fail("mmap of BO %u at offset 0x%llx: %s", h, m.offset, ename(errno));
	return p;
}

static void gem_close(int fd, u32 h)
{
	struct drm_gem_close c = { .handle = h };

	OK("GEM_CLOSE", gioctl(fd, DRM_IOCTL_GEM_CLOSE, &c));
}

static struct drm_gpucore_cmd cmd_spin(u64 ns)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_SPIN, .size = ns };
}

static struct drm_gpucore_cmd cmd_fill(u32 h, u64 off, u64 size, u32 value)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_FILL, .dst_handle = h,
					 .dst_offset = off, .size = size, .value = value };
}

static struct drm_gpucore_cmd cmd_copy(u32 dst, u64 doff, u32 src, u64 soff, u64 size)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_COPY, .dst_handle = dst, .src_handle = src,
					 .dst_offset = doff, .src_offset = soff, .size = size };
}

static struct drm_gpucore_job mkjob(const struct drm_gpucore_cmd *c, u32 n)
{
	return (struct drm_gpucore_job){ .cmds_ptr = (u64)(uintptr_t)c, .num_cmds = n };
}

static struct drm_gpucore_submit mksubmit(u32 ch, const struct drm_gpucore_job *j, u32 n)
{
	return (struct drm_gpucore_submit){ .channel = ch, .jobs_ptr = (u64)(uintptr_t)j, .num_jobs = n };
}

static u64 submit_jobs(int fd, u32 ch, const struct drm_gpucore_job *j, u32 n)
{
	struct drm_gpucore_submit s = mksubmit(ch, j, n);

	OK("SUBMIT (valid)", gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	if (s.seqno == 0)
		fail("SUBMIT returned seqno 0");
	return s.seqno;
}

static u64 submit_cmds(int fd, u32 ch, const struct drm_gpucore_cmd *c, u32 n)
{
	struct drm_gpucore_job j = mkjob(c, n);

	return submit_jobs(fd, ch, &j, 1);
}

static int try_wait(int fd, u32 ch, u64 seqno, s64 deadline, u32 flags)
{
	struct drm_gpucore_wait w = { .channel = ch, .flags = flags, .seqno = seqno, .timeout_ns = deadline };

	return gioctl(fd, DRM_IOCTL_GPUCORE_WAIT, &w);
}

static void wait_seqno(int fd, u32 ch, u64 seqno)
{
	int e = try_wait(fd, ch, seqno, (s64)(now_ns() + WAIT_NS), 0);

	if (e)
		fail("WAIT for seqno %llu on channel %u: expected success, got %s", seqno, ch, ename(e));
}

static int try_query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	memset(q, 0, sizeof(*q));
	q->channel = ch;
	q->seqno = seqno;
	return gioctl(fd, DRM_IOCTL_GPUCORE_JOB_QUERY, q);
}

static void query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	int e = try_query(fd, ch, seqno, q);

	if (e)
		fail("JOB_QUERY of seqno %llu: expected success, got %s", seqno, ename(e));
}

static void query_done(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q)
{
	query(fd, ch, seqno, q);
	if (q->state != GPUCORE_JOB_DONE || q->status != 0)
		fail("job %llu after WAIT: state %u status %d, expected DONE (%u) status 0",
		     seqno, q->state, q->status, GPUCORE_JOB_DONE);
}

static int try_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->channel = ch;
	return gioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, s);
}

static void get_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s)
{
	OK("CHANNEL_STATS (valid)", try_stats(fd, ch, s));
}

static u32 syncobj_create(int fd, u32 flags)
{
	u32 h = 0;

	if (drmSyncobjCreate(fd, flags, &h))
		fail("drmSyncobjCreate: %s", ename(errno));
	return h;
}

/* 0 when signaled, else the negative errno of drmSyncobjWait (-ETIME: not yet). */
static int syncobj_wait(int fd, u32 h, u64 deadline)
{
	return drmSyncobjWait(fd, &h, 1, (int64_t)deadline, 0, NULL);
}

/*
 * The state of the fence a syncobj holds, read through a sync_file: 1
 * signalled, 0 pending, or the negative errno it signalled with.
 */
static int syncobj_fence_status(int fd, u32 h)
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

/*
 * A page-aligned address with nothing mapped there, right after a mapped,
 * writable page: objects placed just before it straddle the boundary.
 */
static char *unmapped_page(void)
{
	u64 pg = page_size();
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap: %s", ename(errno));
	munmap(p + pg, pg);
	return p + pg;
}

/* @attr of the GPU whose node @fd is: its path in @buf. */
static void gpu_attr_path(int fd, const char *attr, char *buf, size_t len)
{
	struct drm_gpucore_info i;

	get_info(fd, &i);
	snprintf(buf, len, "/sys/bus/platform/devices/gpucore.%u/%s", i.gpu_id, attr);
}

/* A sysfs file's contents, without the trailing newline. */
static void sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail("cannot open %s: %s", path, ename(errno));
	n = read(fd, buf, len - 1);
	if (n < 0)
		fail("cannot read %s: %s", path, ename(errno));
	close(fd);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail("cannot open %s: %s", path, ename(errno));
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value))
		fail("writing '%s' to %s: %s", value, path, n < 0 ? ename(errno) : "short write");
	close(fd);
}

/*
 * Set sysfs @path to @value and read it back; the value it had is written
 * back when the case ends, however it ends (one attribute at a time).
 */
static void sysfs_set_saved(const char *path, const char *value)
{
	char now[sizeof(saved_attr.value)];

	if (saved_attr.armed)
		fail("test bug: %s changed while %s is still to be restored", path, saved_attr.path);
	snprintf(saved_attr.path, sizeof(saved_attr.path), "%s", path);
	sysfs_read(path, saved_attr.value, sizeof(saved_attr.value));
	saved_attr.len = strlen(saved_attr.value);
	saved_attr.armed = true;
	sysfs_write(path, value);
	sysfs_read(path, now, sizeof(now));
	if (strcmp(now, value))
		fail("%s reads '%s' after writing '%s'", path, now, value);
}

/* Restore what sysfs_set_saved() changed, and check it took. */
static void sysfs_put_back(void)
{
	char want[sizeof(saved_attr.value)], now[sizeof(saved_attr.value)];

	snprintf(want, sizeof(want), "%s", saved_attr.value);
	sysfs_restore();
	sysfs_read(saved_attr.path, now, sizeof(now));
	if (strcmp(now, want))
		fail("%s reads '%s' after restoring '%s'", saved_attr.path, now, want);
}

/* ------------------------------------------------------------------ */
/* the fixture: a node, a compute channel with one job done, two BOs   */

struct fx {
	int fd;
	struct drm_gpucore_info info;
	u32 ch;
	u32 bo, bo2;		/* BO_SIZE each, mapped at map, map2 */
	u8 *map, *map2;
	u64 next;		/* seqno the next submit on ch must get */
};

static void fx_init(struct fx *f)
{
	struct drm_gpucore_cmd c;
	u64 s;

	memset(f, 0, sizeof(*f));
	f->fd = open_node();
	get_info(f->fd, &f->info);
	f->ch = ch_create(f->fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	f->bo = bo_create(f->fd, BO_SIZE);
	f->map = bo_map(f->fd, f->bo, BO_SIZE);
	f->bo2 = bo_create(f->fd, BO_SIZE);
	f->map2 = bo_map(f->fd, f->bo2, BO_SIZE);
	/* a first job, so that the cases start after a known seqno */
	c = cmd_fill(f->bo, 0, 64, 0x11111111);
	s = submit_cmds(f->fd, f->ch, &c, 1);
	wait_seqno(f->fd, f->ch, s);
	f->next = s + 1;
}

/* A valid one-job submit on the fixture's channel: must get f->next. */
static void fx_submit_valid(struct fx *f, const char *after)
{
	struct drm_gpucore_cmd c = cmd_fill(f->bo, 0, 64, 0x22222222);
	u64 s = submit_cmds(f->fd, f->ch, &c, 1);

	if (s != f->next)
		fail("after %s: the next valid SUBMIT got seqno %llu, expected %llu (the rejected call consumed a seqno)",
		     after, s, f->next);
	wait_seqno(f->fd, f->ch, s);
	f->next = s + 1;
}

/*
 * A SUBMIT that must fail with `want` and leave no trace: the channel's
 * submitted and queued counts are unchanged and the next valid submit gets
 * the seqno this one would have had.
 */
static void check_submit_rejected(struct fx *f, struct drm_gpucore_submit *s, int want, const char *what)
{
	struct drm_gpucore_channel_stats a, b;
	char buf[200];

	snprintf(buf, sizeof(buf), "SUBMIT with %s", what);
	get_stats(f->fd, f->ch, &a);
	expect_errno(buf, want, gioctl(f->fd, DRM_IOCTL_GPUCORE_SUBMIT, s));
	get_stats(f->fd, f->ch, &b);
	if (a.submitted != b.submitted || a.queued != b.queued)
		fail("%s: rejected, but the channel's stats moved: submitted %llu -> %llu, queued %llu -> %llu",
		     buf, a.submitted, b.submitted, a.queued, b.queued);
	fx_submit_valid(f, buf);
}

static void reject_job(struct fx *f, struct drm_gpucore_job *j, int want, const char *what)
{
	struct drm_gpucore_submit s = mksubmit(f->ch, j, 1);

	check_submit_rejected(f, &s, want, what);
}

static void reject_cmds(struct fx *f, const struct drm_gpucore_cmd *c, u32 n, int want, const char *what)
{
	struct drm_gpucore_job j = mkjob(c, n);

	reject_job(f, &j, want, what);
}

static void reject_cmd(struct fx *f, struct drm_gpucore_cmd c, int want, const char *what)
{
	reject_cmds(f, &c, 1, want, what);
}

/* Bad channel handles: one never given out, 0 (never a handle), ~0. */
static void bad_channels(const struct fx *f, u32 out[3])
{
	out[0] = f->ch + 1000;
	out[1] = 0;
	out[2] = ~0u;
}

/* ------------------------------------------------------------------ */
/* INFO                                                                */

static void case_info_valid(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;
	unsigned seen[GPUCORE_ENGINE_CLASS_COUNT][GPUCORE_MAX_ENGINES] = { { 0 } };
	u64 need = GPUCORE_FEAT_SYNCOBJ | GPUCORE_FEAT_JOB_QUERY | GPUCORE_FEAT_WAIT;

	get_info(fd, &i);
	if (i.abi_version != GPUCORE_ABI_VERSION)
		fail("abi_version %u, expected %u", i.abi_version, GPUCORE_ABI_VERSION);
	if ((i.features & need) != need)
		fail("features 0x%llx lack SYNCOBJ|JOB_QUERY|WAIT (0x%llx)", i.features, need);
	if (i.num_engines < 1 || i.num_engines > GPUCORE_MAX_ENGINES)
		fail("num_engines %u, expected 1..%u", i.num_engines, GPUCORE_MAX_ENGINES);
	for (u32 e = 0; e < i.num_engines; e++) {
		struct drm_gpucore_engine_info *en = &i.engines[e];

		if (en->id != e)
			fail("engines[%u].id is %u", e, en->id);
		if (en->engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
			fail("engines[%u].engine_class %u is unknown", e, en->engine_class);
		if (en->instance >= GPUCORE_MAX_ENGINES || seen[en->engine_class][en->instance]++)
			fail("engines[%u] repeats or overflows instance %u of class %u", e, en->instance,
			     en->engine_class);
		if (en->pad)
			fail("engines[%u].pad is %u on output, expected 0", e, en->pad);
	}
	for (u32 c = 0; c < GPUCORE_ENGINE_CLASS_COUNT; c++)
		for (u32 n = 0; n < class_count(&i, c); n++)
			if (!seen[c][n])
				fail("class %u has %u engines but no instance %u", c, class_count(&i, c), n);
	if (!class_count(&i, GPUCORE_ENGINE_CLASS_COMPUTE))
		fail("no compute engine");
	if (!i.vram_size || i.vram_used > i.vram_size)
		fail("vram_size %llu, vram_used %llu", i.vram_size, i.vram_used);
	if (!i.timeslice_ns)
		fail("timeslice_ns is 0");
	if (i.weight < 1 || i.weight > 10000)
		fail("weight %u, expected 1..10000", i.weight);
	if (i.cap > 100)
		fail("cap %u%%, expected 0..100", i.cap);
	if (!memchr(i.vgpu_name, 0, sizeof(i.vgpu_name)))
		fail("vgpu_name is not NUL-terminated");
	if (i.pad || i.reserved[0] || i.reserved[1] || i.reserved[2] || i.reserved[3])
		fail("pad/reserved not zero on output");
}

static void case_info_flags(void)
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_info i = { .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "INFO with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
	}
}

static void case_info_pad(void)
{
	int fd = open_node();
	struct drm_gpucore_info i = { .pad = 1 };

	expect_errno("INFO with pad 1", EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
}

static void case_info_reserved(void)
{
	int fd = open_node();

	for (int k = 0; k < 4; k++) {
		struct drm_gpucore_info i;
		char what[64];

		memset(&i, 0, sizeof(i));
		i.reserved[k] = 1;
		snprintf(what, sizeof(what), "INFO with reserved[%d] 1", k);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
	}
}

static void case_info_cmd_flags_feature(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	if (!(i.features & GPUCORE_FEAT_CMD_FLAGS))
		fail("features 0x%llx lack GPUCORE_FEAT_CMD_FLAGS (0x%llx)", i.features,
		     (u64)GPUCORE_FEAT_CMD_FLAGS);
}

/* ------------------------------------------------------------------ */
/* CHANNEL_CREATE / CHANNEL_DESTROY                                    */

static void case_channel_create_valid(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;
	struct drm_gpucore_channel_create a, b;

	get_info(fd, &i);
	for (u32 cls = 0; cls < GPUCORE_ENGINE_CLASS_COUNT; cls++) {
		unsigned n = class_count(&i, cls);

		if (!n)
			continue;
		/* least loaded engine of the class */
		ch_create_full(fd, cls, 0, 0, &a);
		ch_create_full(fd, cls, 0, 0, &b);
		if (a.handle == b.handle || a.id == b.id)
			fail("two channels share handle %u/%u or id %u/%u", a.handle, b.handle, a.id, b.id);
		if (a.engine >= i.num_engines || i.engines[a.engine].engine_class != cls)
			fail("class %u channel bound to engine %u of class %u", cls, a.engine,
			     a.engine < i.num_engines ? i.engines[a.engine].engine_class : ~0u);
		OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, a.handle, 0));
		OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, b.handle, 0));
		/* every instance, by the flag */
		for (u32 inst = 0; inst < n; inst++) {
			ch_create_full(fd, cls, GPUCORE_CHANNEL_ENGINE_INSTANCE, inst, &a);
			if ((int)a.engine != engine_of(&i, cls, inst))
				fail("class %u instance %u channel bound to engine %u, expected %d", cls, inst,
				     a.engine, engine_of(&i, cls, inst));
			OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, a.handle, 0));
		}
	}
}

/* After a rejected create: the same call made valid works. */
static void check_create_rejected(int fd, struct drm_gpucore_channel_create *c, int want, const char *what)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "CHANNEL_CREATE with %s", what);
	expect_errno(buf, want, try_ch_create(fd, c));
	ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
}

static void case_channel_create_bad_class(void)
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COUNT };

	check_create_rejected(fd, &c, EINVAL, "engine_class GPUCORE_ENGINE_CLASS_COUNT");
	c = (struct drm_gpucore_channel_create){ .engine_class = ~0u };
	check_create_rejected(fd, &c, EINVAL, "engine_class ~0");
}

static void case_channel_create_flags(void)
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_channel_create c = { .flags = 1u << b };
		char what[64];

		if (c.flags & GPUCORE_CHANNEL_FLAGS)
			continue;
		snprintf(what, sizeof(what), "flags bit %d", b);
		check_create_rejected(fd, &c, EINVAL, what);
	}
}

static void case_channel_create_reserved(void)
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .reserved = 1 };

	check_create_rejected(fd, &c, EINVAL, "reserved 1");
}

static void case_channel_create_instance_range(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	for (u32 cls = 0; cls < GPUCORE_ENGINE_CLASS_COUNT; cls++) {
		struct drm_gpucore_channel_create c = {
			.engine_class = cls, .flags = GPUCORE_CHANNEL_ENGINE_INSTANCE,
			.instance = class_count(&i, cls),
		};
		char what[96];

		snprintf(what, sizeof(what), "ENGINE_INSTANCE and instance %u of class %u (it has %u)",
			 c.instance, cls, c.instance);
		check_create_rejected(fd, &c, EINVAL, what);
	}
}

static void case_channel_create_instance_noflag(void)
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .instance = 1 };

	/* instance 1 may exist: without the flag it must still be 0 */
	check_create_rejected(fd, &c, EINVAL, "instance 1 without GPUCORE_CHANNEL_ENGINE_INSTANCE");
}

static void case_channel_destroy_valid(void)
{
	struct fx f;
	struct drm_gpucore_channel_stats st;
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	OK("CHANNEL_DESTROY (valid)", try_ch_destroy(f.fd, f.ch, 0));
	expect_errno("CHANNEL_STATS of a destroyed channel", ENOENT, try_stats(f.fd, f.ch, &st));
	expect_errno("JOB_QUERY on a destroyed channel", ENOENT, try_query(f.fd, f.ch, f.next - 1, &q));
	c = cmd_fill(f.bo, 0, 64, 1);
	{
		struct drm_gpucore_job j = mkjob(&c, 1);
		struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

		expect_errno("SUBMIT to a destroyed channel", ENOENT,
			     gioctl(f.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	}
	/* and the file still works */
	ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
}

static void case_channel_destroy_unknown(void)
{
	struct fx f;

	fx_init(&f);
	expect_errno("CHANNEL_DESTROY of a handle never given out", ENOENT, try_ch_destroy(f.fd, f.ch + 1000, 0));
	expect_errno("CHANNEL_DESTROY of handle ~0", ENOENT, try_ch_destroy(f.fd, ~0u, 0));
	fx_submit_valid(&f, "CHANNEL_DESTROY of unknown handles");
}

static void case_channel_destroy_twice(void)
{
	struct fx f;
	u32 h;

	fx_init(&f);
	h = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	OK("CHANNEL_DESTROY (valid)", try_ch_destroy(f.fd, h, 0));
	expect_errno("CHANNEL_DESTROY of an already destroyed handle", ENOENT, try_ch_destroy(f.fd, h, 0));
	fx_submit_valid(&f, "a second CHANNEL_DESTROY");
}

/* ABI choice: handle 0 is never given out, so it is a handle the file does
 * not hold: ENOENT (not EINVAL), like every other unknown handle. */
static void case_channel_destroy_zero(void)
{
	struct fx f;

	fx_init(&f);
	expect_errno("CHANNEL_DESTROY of handle 0", ENOENT, try_ch_destroy(f.fd, 0, 0));
	fx_submit_valid(&f, "CHANNEL_DESTROY of handle 0");
}

static void case_channel_destroy_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_DESTROY with flags bit %d", b);
		expect_errno(what, EINVAL, try_ch_destroy(f.fd, f.ch, 1u << b));
	}
	/* the channel survived */
	fx_submit_valid(&f, "CHANNEL_DESTROY with bad flags");
}

/* Jobs not completed at destroy are failed and their fences signal. */
static void case_channel_destroy_signals_fences(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(8000 * MS);
	struct drm_gpucore_job j[2];
	u32 so[2];
	u64 t0;
	int e;

	fx_init(&f);
	for (int k = 0; k < 2; k++) {
		so[k] = syncobj_create(f.fd, 0);
		j[k] = mkjob(&c, 1);
		j[k].flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j[k].out_syncobj = so[k];
	}
	submit_jobs(f.fd, f.ch, j, 2);	/* one running, one queued behind it */
	t0 = now_ns();
	OK("CHANNEL_DESTROY with jobs pending", try_ch_destroy(f.fd, f.ch, 0));
	for (int k = 0; k < 2; k++) {
		e = syncobj_wait(f.fd, so[k], t0 + 4000 * MS);
		if (e)
			fail("job %d's fence did not signal within 4 s of CHANNEL_DESTROY (8 s SPIN): %s", k,
			     ename(-e));
	}
}

/* ------------------------------------------------------------------ */
/* BO_CREATE / BO_MMAP_OFFSET                                          */

static void case_bo_create_valid(void)
{
	int fd = open_node();
	u64 pg = page_size(), size = 3 * pg + 1, before = vram_used(fd), after;
	u32 h = bo_create(fd, size);
	u8 *p;

	after = vram_used(fd);
	if (after - before != page_round(size))
		fail("BO of %llu bytes moved vram_used by %llu, expected %llu (page-rounded)", size,
		     after - before, page_round(size));
	p = bo_map(fd, h, page_round(size));
	for (u64 k = 0; k < page_round(size); k++)
		p[k] = (u8)(k * 7 + 3);
	for (u64 k = 0; k < page_round(size); k++)
		if (p[k] != (u8)(k * 7 + 3))
			fail("byte %llu reads 0x%02x after writing 0x%02x through the mapping", k, p[k],
			     (u8)(k * 7 + 3));
	/* a second mapping of the same BO sees the same bytes */
	{
		u8 *q = bo_map(fd, h, page_round(size));

		if (memcmp(p, q, page_round(size)))
			fail("two mappings of one BO differ");
	}
}

/* ABI choice (header silent): a new BO reads as zeroes; anything else would
 * leak another tenant's data. */
static void case_bo_create_zeroed(void)
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);
	u8 *p = bo_map(fd, h, BO_SIZE);

	for (u64 k = 0; k < BO_SIZE; k++)
		if (p[k])
			fail("new BO: byte %llu is 0x%02x, expected 0", k, p[k]);
}

static void case_bo_close_releases_quota(void)
{
	int fd = open_node();
	u64 before = vram_used(fd);
	u32 h = bo_create(fd, BO_SIZE);
	void *p = bo_map(fd, h, BO_SIZE);

	munmap(p, BO_SIZE);
	gem_close(fd, h);
	if (vram_used(fd) != before)
		fail("vram_used %llu after closing the only BO, was %llu before creating it", vram_used(fd),
		     before);
}

static void check_bo_rejected(int fd, u64 size, u32 flags, u64 reserved, int want, const char *what)
{
	u64 before = vram_used(fd);
	char buf[160];

	snprintf(buf, sizeof(buf), "BO_CREATE with %s", what);
	expect_errno(buf, want, try_bo_create(fd, size, flags, reserved, NULL));
	if (vram_used(fd) != before)
		fail("%s: rejected, but vram_used moved %llu -> %llu", buf, before, vram_used(fd));
	bo_create(fd, page_size());
}

static void case_bo_create_size_zero(void)
{
	check_bo_rejected(open_node(), 0, 0, 0, EINVAL, "size 0");
}

/* ABI choice: a size whose page rounding overflows is out of the documented
 * range (EINVAL), not a representable size beyond the quota (ENOSPC). */
static void case_bo_create_size_overflow(void)
{
	int fd = open_node();

	check_bo_rejected(fd, ~0ULL, 0, 0, EINVAL, "size ~0");
	check_bo_rejected(fd, ~0ULL - page_size() + 2, 0, 0, EINVAL, "size ~0 - page + 2 (rounds to 0)");
}

static void case_bo_create_over_quota(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	if (i.vram_size > ~0ULL / 2)
		fail("vram_size %llu leaves no room to ask beyond it", i.vram_size);
	check_bo_rejected(fd, i.vram_size + page_size(), 0, 0, ENOSPC, "size = quota + a page");
}

static void case_bo_create_quota_exhausted(void)
{
	int fd = open_node();
	struct drm_gpucore_info i;
	u64 left;

	bo_create(fd, BO_SIZE);
	get_info(fd, &i);
	left = i.vram_size - i.vram_used;
	/* fits the quota alone, not with what is already allocated */
	check_bo_rejected(fd, left + 1, 0, 0, ENOSPC, "size = quota left + 1 byte");
}

static void case_bo_create_flags(void)
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "flags bit %d", b);
		check_bo_rejected(fd, BO_SIZE, 1u << b, 0, EINVAL, what);
	}
}

static void case_bo_create_reserved(void)
{
	check_bo_rejected(open_node(), BO_SIZE, 0, 1, EINVAL, "reserved 1");
}

static int try_mmap_offset(int fd, u32 h, u32 flags)
{
	struct drm_gpucore_bo_mmap_offset m = { .handle = h, .flags = flags };

	return gioctl(fd, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &m);
}

/* ABI choice: BO handle 0 gives ENOENT, as for channels. */
static void case_bo_mmap_offset_bad_handle(void)
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	expect_errno("BO_MMAP_OFFSET of a handle never given out", ENOENT, try_mmap_offset(fd, h + 1000, 0));
	expect_errno("BO_MMAP_OFFSET of handle 0", ENOENT, try_mmap_offset(fd, 0, 0));
	OK("BO_MMAP_OFFSET (valid)", try_mmap_offset(fd, h, 0));
}

static void case_bo_mmap_offset_closed(void)
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	gem_close(fd, h);
	expect_errno("BO_MMAP_OFFSET of a closed BO", ENOENT, try_mmap_offset(fd, h, 0));
}

static void case_bo_mmap_offset_flags(void)
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "BO_MMAP_OFFSET with flags bit %d", b);
		expect_errno(what, EINVAL, try_mmap_offset(fd, h, 1u << b));
	}
	OK("BO_MMAP_OFFSET (valid)", try_mmap_offset(fd, h, 0));
}

/* ------------------------------------------------------------------ */
/* SUBMIT, WAIT, JOB_QUERY: valid use                                  */

static void case_submit_spin(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(5 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	if (s != f.next)
		fail("SUBMIT got seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
	if (q.busy_ns == 0)
		fail("a 5 ms SPIN job reports busy_ns 0");
}

/*
 * A SPIN flagged GPUCORE_CMD_NOPREEMPT runs to its end: its job succeeds,
 * its out-fence signals without an error, and it is charged at least its
 * length (engine time is measured, never less than the SPIN).
 */
static void case_submit_nopreempt_spin(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(5 * MS);
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	u32 so;
	u64 s;
	int st;

	fx_init(&f);
	c.flags = GPUCORE_CMD_NOPREEMPT;
	so = syncobj_create(f.fd, 0);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	s = submit_jobs(f.fd, f.ch, &j, 1);
	if (s != f.next)
		fail("SUBMIT got seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
	if (q.busy_ns < c.size)
		fail("a %llu ns NOPREEMPT SPIN was charged %llu ns", c.size, q.busy_ns);
	st = syncobj_fence_status(f.fd, so);
	if (st != 1)
		fail("the NOPREEMPT job's out-fence has status %d, expected 1 (signalled, no error)", st);
}

static void case_submit_fill(void)
{
	struct fx f;
	/* two commands in one job, the second overwriting part of the first */
	struct drm_gpucore_cmd c[2] = {
		cmd_fill(0, 4096, 8192, 0xa1b2c3d4),
		cmd_fill(0, 4096 + 100 * 4, 12, 0x01020304),
	};
	u8 want[BO_SIZE];
	u64 s;

	fx_init(&f);
	c[0].dst_handle = c[1].dst_handle = f.bo2;
	memset(f.map2, 0x5a, BO_SIZE);
	memset(want, 0x5a, BO_SIZE);
	for (u64 k = 4096; k < 4096 + 8192; k += 4)
		memcpy(want + k, &(u32){ 0xa1b2c3d4 }, 4);
	for (u64 k = 4096 + 400; k < 4096 + 412; k += 4)
		memcpy(want + k, &(u32){ 0x01020304 }, 4);
	s = submit_cmds(f.fd, f.ch, c, 2);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map2[k] != want[k])
			fail("after FILL, byte %llu is 0x%02x, expected 0x%02x", k, f.map2[k], want[k]);
}

static void case_submit_copy(void)
{
	struct fx f;
	/* unaligned offsets and size: COPY has no alignment rule */
	struct drm_gpucore_cmd c;
	u8 src[BO_SIZE], want[BO_SIZE];
	u64 s;

	fx_init(&f);
	for (u64 k = 0; k < BO_SIZE; k++)
		src[k] = (u8)(k * 13 + 1);
	memcpy(f.map, src, BO_SIZE);
	memset(f.map2, 0x5a, BO_SIZE);
	memset(want, 0x5a, BO_SIZE);
	memcpy(want + 333, src + 4097, 10001);
	c = cmd_copy(f.bo2, 333, f.bo, 4097, 10001);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map2[k] != want[k])
			fail("after COPY, dst byte %llu is 0x%02x, expected 0x%02x", k, f.map2[k], want[k]);
	if (memcmp(f.map, src, BO_SIZE))
		fail("COPY changed its source");
}

/*
 * COPY within one BO whose ranges do not overlap: adjacent ranges, and
 * ranges apart with unaligned offsets and size, in both directions.
 */
static void case_submit_copy_same_bo(void)
{
	struct fx f;
	struct drm_gpucore_cmd c[3];
	u8 want[BO_SIZE];
	u64 s;

	fx_init(&f);
	for (u64 k = 0; k < BO_SIZE; k++)
		f.map[k] = (u8)(k * 7 + 3);
	memcpy(want, f.map, BO_SIZE);
	c[0] = cmd_copy(f.bo, 4096, f.bo, 0, 4096);		/* adjacent, forward */
	memmove(want + 4096, want, 4096);
	c[1] = cmd_copy(f.bo, 10001, f.bo, 40003, 9999);	/* apart, backward */
	memmove(want + 10001, want + 40003, 9999);
	c[2] = cmd_copy(f.bo, 60000, f.bo, 55000, 5000);	/* adjacent, dst after src */
	memmove(want + 60000, want + 55000, 5000);
	s = submit_cmds(f.fd, f.ch, c, 3);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != want[k])
			fail("after COPYs within one BO, byte %llu is 0x%02x, expected 0x%02x", k, f.map[k],
			     want[k]);
}

static void case_submit_mixed_job(void)
{
	struct fx f;
	/* SPIN, FILL bo2, COPY bo2 -> bo: executed in order within the job */
	struct drm_gpucore_cmd c[3];
	u64 s;

	fx_init(&f);
	c[0] = cmd_spin(1 * MS);
	c[1] = cmd_fill(f.bo2, 0, 256, 0x55aa55aa);
	c[2] = cmd_copy(f.bo, 1024, f.bo2, 0, 256);
	memset(f.map, 0, BO_SIZE);
	s = submit_cmds(f.fd, f.ch, c, 3);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 1024; k < 1024 + 256; k += 4) {
		u32 v;

		memcpy(&v, f.map + k, 4);
		if (v != 0x55aa55aa)
			fail("FILL then COPY in one job: word at %llu is 0x%08x, expected 0x55aa55aa", k, v);
	}
}

static void case_submit_empty_job(void)
{
	struct fx f;
	struct drm_gpucore_job j = { 0 };
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_jobs(f.fd, f.ch, &j, 1);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
}

static void case_submit_seqnos(void)
{
	struct fx f;
	struct drm_gpucore_job j[5] = { { 0 } };
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_jobs(f.fd, f.ch, j, 5);
	if (s != f.next)
		fail("5-job SUBMIT got first seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s + 4);
	for (u64 k = s; k < s + 5; k++)
		query_done(f.fd, f.ch, k, &q);
	f.next = s + 5;
	fx_submit_valid(&f, "a 5-job SUBMIT");
}

static void case_submit_max_jobs(void)
{
	struct fx f;
	struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT] = { { 0 } };
	struct drm_gpucore_cmd c[GPUCORE_MAX_CMDS_PER_JOB];
	u64 s;

	fx_init(&f);
	for (int k = 0; k < GPUCORE_MAX_CMDS_PER_JOB; k++)
		c[k] = cmd_fill(f.bo2, (u64)k * 4, 4, (u32)k);
	j[0] = mkjob(c, GPUCORE_MAX_CMDS_PER_JOB);
	s = submit_jobs(f.fd, f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT);
	wait_seqno(f.fd, f.ch, s + GPUCORE_MAX_JOBS_PER_SUBMIT - 1);
	for (int k = 0; k < GPUCORE_MAX_CMDS_PER_JOB; k++) {
		u32 v;

		memcpy(&v, f.map2 + k * 4, 4);
		if (v != (u32)k)
			fail("command %d of a %d-command job: word is %u", k, GPUCORE_MAX_CMDS_PER_JOB, v);
	}
	f.next = s + GPUCORE_MAX_JOBS_PER_SUBMIT;
	fx_submit_valid(&f, "a maximal SUBMIT");
}

static void case_wait_valid(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(50 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	OK("WAIT (valid)", try_wait(f.fd, f.ch, s, (s64)(now_ns() + WAIT_NS), 0));
	query_done(f.fd, f.ch, s, &q);
	/* waiting again on a completed job returns at once */
	OK("WAIT on a completed job", try_wait(f.fd, f.ch, s, (s64)(now_ns() + WAIT_NS), 0));
}

/* ABI choice (header silent): a job already completed satisfies WAIT even
 * with a deadline in the past: the deadline only bounds the sleep. */
static void case_wait_done_past_deadline(void)
{
	struct fx f;

	fx_init(&f);
	OK("WAIT on a completed job with deadline 0", try_wait(f.fd, f.ch, f.next - 1, 0, 0));
}

static void case_job_query_times(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(20 * MS);
	struct drm_gpucore_job_query q;
	u64 t0, t1, t2, s;

	fx_init(&f);
	t0 = now_ns();
	s = submit_cmds(f.fd, f.ch, &c, 1);
	t1 = now_ns();
	wait_seqno(f.fd, f.ch, s);
	t2 = now_ns();
	query_done(f.fd, f.ch, s, &q);
	if (q.submit_ns < t0 || q.submit_ns > t1)
		fail("submit_ns %llu outside the SUBMIT call [%llu, %llu]", q.submit_ns, t0, t1);
	if (!(q.submit_ns <= q.start_ns && q.start_ns <= q.end_ns && q.end_ns <= t2))
		fail("times out of order: submit %llu start %llu end %llu, WAIT returned at %llu", q.submit_ns,
		     q.start_ns, q.end_ns, t2);
	if (q.end_ns - q.start_ns < 20 * MS)
		fail("a 20 ms SPIN ran from %llu to %llu (%llu ns)", q.start_ns, q.end_ns, q.end_ns - q.start_ns);
	if (q.busy_ns < 18 * MS || q.busy_ns > q.end_ns - q.start_ns + 1 * MS)
		fail("a 20 ms SPIN used busy_ns %llu over %llu ns start-to-end", q.busy_ns, q.end_ns - q.start_ns);
}

static void case_job_query_states(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(1000 * MS);
	struct drm_gpucore_job j[2];
	struct drm_gpucore_job_query qa, qb;
	u64 s;

	fx_init(&f);
	j[0] = mkjob(&c, 1);
	j[1] = mkjob(NULL, 0);
	s = submit_jobs(f.fd, f.ch, j, 2);
	query(f.fd, f.ch, s + 1, &qb);
	query(f.fd, f.ch, s, &qa);
	if (qa.state != GPUCORE_JOB_DONE) {
		/* the first job was not done when the second was queried */
		if (qb.state != GPUCORE_JOB_QUEUED || qb.start_ns || qb.end_ns)
			fail("job behind a pending SPIN: state %u start %llu end %llu, expected QUEUED (%u), 0, 0",
			     qb.state, qb.start_ns, qb.end_ns, GPUCORE_JOB_QUEUED);
		if (qa.state != GPUCORE_JOB_QUEUED && qa.state != GPUCORE_JOB_RUNNING)
			fail("pending SPIN job in state %u", qa.state);
		if (qa.end_ns)
			fail("pending SPIN job has end_ns %llu", qa.end_ns);
	}
	wait_seqno(f.fd, f.ch, s + 1);
	query_done(f.fd, f.ch, s, &qa);
	query_done(f.fd, f.ch, s + 1, &qb);
	if (qb.start_ns < qa.end_ns)
		fail("job %llu started at %llu before job %llu ended at %llu on the same channel", s + 1, qb.start_ns,
		     s, qa.end_ns);
}

static void case_syncobj_out_fence(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(200 * MS);
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	u32 so;
	u64 s;
	int e;

	fx_init(&f);
	so = syncobj_create(f.fd, 0);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	s = submit_jobs(f.fd, f.ch, &j, 1);
	/* polled at once: if it reads signaled, the job must be done */
	e = syncobj_wait(f.fd, so, 0);
	if (e && e != -ETIME)
		fail("drmSyncobjWait (poll) right after SUBMIT: %s (was the fence installed?)", ename(-e));
	if (!e) {
		query(f.fd, f.ch, s, &q);
		if (q.state != GPUCORE_JOB_DONE)
			fail("out-fence signaled while the job is in state %u", q.state);
	}
	e = syncobj_wait(f.fd, so, now_ns() + WAIT_NS);
	if (e)
		fail("drmSyncobjWait on the out-fence: %s", ename(-e));
	query_done(f.fd, f.ch, s, &q);
}

static void case_syncobj_in_fence(void)
{
	struct fx f;
	struct drm_gpucore_cmd ca = cmd_spin(1000 * MS), cb;
	struct drm_gpucore_job ja, jb;
	struct drm_gpucore_job_query qa, qb;
	u32 a, b, so;
	u64 sa, sb;

	fx_init(&f);
	/* A and B on different engines where there are two, so only the fence
	 * can hold B back */
	a = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 0, NULL);
	if (class_count(&f.info, GPUCORE_ENGINE_CLASS_COMPUTE) > 1)
		b = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 1, NULL);
	else if (class_count(&f.info, GPUCORE_ENGINE_CLASS_COPY))
		b = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COPY);
	else
		b = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 0, NULL);
	so = syncobj_create(f.fd, 0);
	ja = mkjob(&ca, 1);
	ja.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	ja.out_syncobj = so;
	cb = cmd_fill(f.bo2, 0, 4096, 0xcafef00d);
	jb = mkjob(&cb, 1);
	jb.flags = GPUCORE_JOB_IN_SYNCOBJ;
	jb.in_syncobj = so;
	sa = submit_jobs(f.fd, a, &ja, 1);
	sb = submit_jobs(f.fd, b, &jb, 1);
	wait_seqno(f.fd, b, sb);
	wait_seqno(f.fd, a, sa);
	query_done(f.fd, a, sa, &qa);
	query_done(f.fd, b, sb, &qb);
	if (qb.submit_ns >= qa.end_ns)
		fail("inconclusive: job B was submitted (%llu) after job A ended (%llu)", qb.submit_ns, qa.end_ns);
	if (qb.start_ns < qa.end_ns)
		fail("job B started at %llu, before its in-fence's job A ended at %llu", qb.start_ns, qa.end_ns);
	for (u64 k = 0; k < 4096; k += 4) {
		u32 v;

		memcpy(&v, f.map2 + k, 4);
		if (v != 0xcafef00d)
			fail("job B's FILL: word at %llu is 0x%08x", k, v);
	}
}

/*
 * A job whose in-fence signals with an error (-ECANCELED: the 8 s SPIN
 * producing it is on a channel destroyed under it) fails with that error,
 * in its turn, without executing its FILL: JOB_QUERY's status, its own
 * fence's error and the failed count say so. The next job of its channel
 * runs normally. signal_first: the in-fence has signalled before the
 * SUBMIT, rather than after it.
 */
static void check_in_fence_error(bool signal_first)
{
	struct fx f;
	struct drm_gpucore_cmd spin = cmd_spin(8000 * MS), cb, cc;
	struct drm_gpucore_job ja = mkjob(&spin, 1), j[2];
	struct drm_gpucore_channel_stats a, b;
	struct drm_gpucore_job_query q;
	u32 producer, so, so_b;
	u64 sb;
	int st;

	fx_init(&f);
	producer = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	so = syncobj_create(f.fd, 0);
	so_b = syncobj_create(f.fd, 0);
	ja.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	ja.out_syncobj = so;
	submit_jobs(f.fd, producer, &ja, 1);
	if (signal_first) {
		OK("CHANNEL_DESTROY of the in-fence's channel", try_ch_destroy(f.fd, producer, 0));
		OK("the in-fence signals", -syncobj_wait(f.fd, so, now_ns() + WAIT_NS));
	}
	memset(f.map2, 0x5a, BO_SIZE);
	cb = cmd_fill(f.bo2, 0, 4096, 0xdeadbeef);
	cc = cmd_fill(f.bo2, 4096, 4096, 0x600df00d);
	j[0] = mkjob(&cb, 1);
	j[0].flags = GPUCORE_JOB_IN_SYNCOBJ | GPUCORE_JOB_OUT_SYNCOBJ;
	j[0].in_syncobj = so;
	j[0].out_syncobj = so_b;
	j[1] = mkjob(&cc, 1);
	get_stats(f.fd, f.ch, &a);
	sb = submit_jobs(f.fd, f.ch, j, 2);
	if (!signal_first) {
		query(f.fd, f.ch, sb, &q);
		if (q.state == GPUCORE_JOB_DONE)
			fail("the job completed before its in-fence signalled (status %d)", q.status);
		OK("CHANNEL_DESTROY of the in-fence's channel", try_ch_destroy(f.fd, producer, 0));
	}
	st = syncobj_fence_status(f.fd, so);
	if (st != -ECANCELED)
		fail("the in-fence (job of a destroyed channel) has status %d, expected -ECANCELED", st);
	wait_seqno(f.fd, f.ch, sb + 1);
	query(f.fd, f.ch, sb, &q);
	if (q.state != GPUCORE_JOB_DONE || q.status != -ECANCELED)
		fail("job with an in-fence failed with -ECANCELED: state %u status %d, expected DONE (%u) status %d",
		     q.state, q.status, GPUCORE_JOB_DONE, -ECANCELED);
	if (q.start_ns)
		fail("the job whose in-fence failed reports that it ran (start_ns %llu)", q.start_ns);
	st = syncobj_fence_status(f.fd, so_b);
	if (st != -ECANCELED)
		fail("the failed job's own fence has status %d, expected -ECANCELED", st);
	query_done(f.fd, f.ch, sb + 1, &q);
	get_stats(f.fd, f.ch, &b);
	if (b.failed != a.failed + 1 || b.completed != a.completed + 1)
		fail("stats: failed %llu -> %llu, completed %llu -> %llu; expected +1 each",
		     a.failed, b.failed, a.completed, b.completed);
	for (u64 k = 0; k < 8192; k += 4) {
		u32 v, want = k < 4096 ? 0x5a5a5a5a : 0x600df00d;

		memcpy(&v, f.map2 + k, 4);
		if (v != want)
			fail("word at %llu is 0x%08x, expected 0x%08x (%s)", k, v, want,
			     k < 4096 ? "the failed job's FILL must not run" : "the next job's FILL");
	}
}

static void case_syncobj_in_fence_error(void)
{
	check_in_fence_error(false);
}

static void case_syncobj_in_fence_error_signalled(void)
{
	check_in_fence_error(true);
}

static void case_submit_queue_full(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(GPUCORE_MAX_SPIN_NS);
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	struct drm_gpucore_channel_stats st;
	struct drm_gpucore_submit s;
	u32 left = GPUCORE_MAX_QUEUED_JOBS - 1;
	u32 ch2;

	fx_init(&f);
	submit_cmds(f.fd, f.ch, &c, 1);	/* holds the channel for 10 s */
	while (left) {
		u32 n = left < GPUCORE_MAX_JOBS_PER_SUBMIT ? left : GPUCORE_MAX_JOBS_PER_SUBMIT;

		submit_jobs(f.fd, f.ch, j, n);
		left -= n;
	}
	get_stats(f.fd, f.ch, &st);
	if (st.queued != GPUCORE_MAX_QUEUED_JOBS)
		fail("queued is %llu after %u submitted behind a 10 s SPIN", st.queued, GPUCORE_MAX_QUEUED_JOBS);
	s = mksubmit(f.ch, j, 1);
	{
		struct drm_gpucore_channel_stats st2;

		expect_errno("SUBMIT to a channel with GPUCORE_MAX_QUEUED_JOBS pending", EAGAIN,
			     gioctl(f.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		get_stats(f.fd, f.ch, &st2);
		if (st2.submitted != st.submitted || st2.queued != st.queued)
			fail("rejected SUBMIT moved submitted %llu -> %llu", st.submitted, st2.submitted);
	}
	/* the limit is per channel */
	ch2 = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	submit_jobs(f.fd, ch2, j, 1);
	OK("CHANNEL_DESTROY of a full channel", try_ch_destroy(f.fd, f.ch, 0));
}

/* ------------------------------------------------------------------ */
/* SUBMIT: rejected                                                    */

static void case_submit_bad_channel(void)
{
	struct fx f;
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job j;
	u32 bad[3];

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	j = mkjob(&c, 1);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_submit s = mksubmit(bad[k], &j, 1);
		char what[64];

		snprintf(what, sizeof(what), "channel handle %u", bad[k]);
		check_submit_rejected(&f, &s, ENOENT, what);
	}
}

/* One valid FILL job, for the struct-level cases. */
#define VALID_JOB(f, c, j)					\
	struct drm_gpucore_cmd c = cmd_fill((f).bo, 0, 64, 7);	\
	struct drm_gpucore_job j = mkjob(&c, 1)

static void case_submit_flags(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);
		char what[64];

		s.flags = 1u << b;
		snprintf(what, sizeof(what), "flags bit %d", b);
		check_submit_rejected(&f, &s, EINVAL, what);
	}
}

static void case_submit_pad(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

	s.pad = 1;
	check_submit_rejected(&f, &s, EINVAL, "pad 1");
}

static void case_submit_reserved(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

	s.reserved = 1;
	check_submit_rejected(&f, &s, EINVAL, "reserved 1");
}

static void case_submit_num_jobs_zero(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 0);

	check_submit_rejected(&f, &s, EINVAL, "num_jobs 0");
}

static void case_submit_num_jobs_over_max(void)
{
	struct fx f;
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT + 1];
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT + 1);
	check_submit_rejected(&f, &s, EINVAL, "num_jobs GPUCORE_MAX_JOBS_PER_SUBMIT + 1");
	s.num_jobs = ~0u;
	check_submit_rejected(&f, &s, EINVAL, "num_jobs ~0");
}

static void case_submit_jobs_ptr_null(void)
{
	struct fx f;
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, NULL, 1);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr NULL");
}

static void case_submit_jobs_ptr_unmapped(void)
{
	struct fx f;
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, (void *)unmapped_page(), 1);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr unmapped");
}

/* The first job readable, the second on an unmapped page. */
static void case_submit_jobs_ptr_partial(void)
{
	struct fx f;
	struct drm_gpucore_job *j;
	struct drm_gpucore_submit s;

	fx_init(&f);
	j = (struct drm_gpucore_job *)unmapped_page() - 1;
	*j = (struct drm_gpucore_job){ 0 };
	s = mksubmit(f.ch, j, 2);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr whose second job is unmapped");
}

static void case_submit_cmds_ptr_null(void)
{
	struct fx f;
	struct drm_gpucore_job j;

	fx_init(&f);
	j = mkjob(NULL, 1);
	reject_job(&f, &j, EFAULT, "cmds_ptr NULL, num_cmds 1");
}

static void case_submit_cmds_ptr_unmapped(void)
{
	struct fx f;
	struct drm_gpucore_job j;

	fx_init(&f);
	j = mkjob((void *)unmapped_page(), 1);
	reject_job(&f, &j, EFAULT, "cmds_ptr unmapped");
}

static void case_submit_cmds_ptr_partial(void)
{
	struct fx f;
	struct drm_gpucore_cmd *c;
	struct drm_gpucore_job j;

	fx_init(&f);
	c = (struct drm_gpucore_cmd *)unmapped_page() - 1;
	*c = cmd_fill(f.bo, 0, 64, 3);
	j = mkjob(c, 2);
	reject_job(&f, &j, EFAULT, "cmds_ptr whose second command is unmapped");
}

static void case_submit_num_cmds_over_max(void)
{
	struct fx f;
	struct drm_gpucore_cmd c[GPUCORE_MAX_CMDS_PER_JOB + 1];

	fx_init(&f);
	for (int k = 0; k <= GPUCORE_MAX_CMDS_PER_JOB; k++)
		c[k] = cmd_fill(f.bo, 0, 64, (u32)k);
	reject_cmds(&f, c, GPUCORE_MAX_CMDS_PER_JOB + 1, EINVAL, "num_cmds GPUCORE_MAX_CMDS_PER_JOB + 1");
}

static void case_submit_cmd_op_unknown(void)
{
	struct fx f;
	const u32 ops[] = { 0, GPUCORE_CMD_COPY + 1, 0x80000000u, ~0u };

	fx_init(&f);
	for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		struct drm_gpucore_cmd c = cmd_fill(f.bo, 0, 64, 1);
		char what[64];

		c.op = ops[k];
		snprintf(what, sizeof(what), "command op %u", ops[k]);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/* Each bit GPUCORE_CMD_FLAGS does not define, on a valid SPIN. */
static void case_submit_cmd_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_cmd c = cmd_spin(1 * MS);
		char what[64];

		if ((1u << b) & GPUCORE_CMD_FLAGS)
			continue;
		c.flags = 1u << b;
		snprintf(what, sizeof(what), "SPIN with command flags bit %d", b);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/* Each GPUCORE_CMD_* flag (SPIN only) on an otherwise valid command @c. */
static void reject_spin_flags(struct fx *f, struct drm_gpucore_cmd c, const char *op)
{
	for (int b = 0; b < 32; b++) {
		char what[64];

		if (!((1u << b) & GPUCORE_CMD_FLAGS))
			continue;
		c.flags = 1u << b;
		snprintf(what, sizeof(what), "%s with the SPIN flag 0x%x", op, c.flags);
		reject_cmd(f, c, EINVAL, what);
	}
}

static void case_submit_fill_cmd_flags(void)
{
	struct fx f;

	fx_init(&f);
	reject_spin_flags(&f, cmd_fill(f.bo, 0, 64, 1), "FILL");
}

static void case_submit_copy_cmd_flags(void)
{
	struct fx f;

	fx_init(&f);
	reject_spin_flags(&f, cmd_copy(f.bo2, 0, f.bo, 0, 64), "COPY");
}

/* A valid hanging SPIN: no size, not preemptible. */
static struct drm_gpucore_cmd cmd_hang(void)
{
	struct drm_gpucore_cmd c = cmd_spin(0);

	c.flags = GPUCORE_CMD_NOPREEMPT | GPUCORE_CMD_HANG;
	return c;
}

static void case_submit_hang_preemptible(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_hang();

	fx_init(&f);
	c.flags &= ~GPUCORE_CMD_NOPREEMPT;
	reject_cmd(&f, c, EINVAL, "HANG SPIN without GPUCORE_CMD_NOPREEMPT");
}

static void case_submit_hang_size(void)
{
	const u64 sizes[] = { 1, GPUCORE_MAX_SPIN_NS };
	struct fx f;

	fx_init(&f);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct drm_gpucore_cmd c = cmd_hang();
		char what[64];

		c.size = sizes[k];
		snprintf(what, sizeof(what), "HANG SPIN of size %llu", c.size);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/*
 * With the GPU's job timeout off (sysfs job_timeout_ms 0) nothing would
 * stop a hanging SPIN. The timeout is set back to what it was however the
 * case ends.
 */
static void case_submit_hang_no_timeout(void)
{
	char path[SYSFS_PATH_LEN];
	struct fx f;

	fx_init(&f);
	gpu_attr_path(f.fd, "job_timeout_ms", path, sizeof(path));
	sysfs_set_saved(path, "0");
	reject_cmd(&f, cmd_hang(), EINVAL, "HANG SPIN while job_timeout_ms is 0");
	sysfs_put_back();
}

static void case_submit_spin_dst_handle(void)
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_spin(1 * MS);
	c.dst_handle = f.bo;
	reject_cmd(&f, c, EINVAL, "SPIN with dst_handle set (a valid BO)");
}

static void case_submit_spin_src_handle(void)
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_spin(1 * MS);
	c.src_handle = f.bo;
	reject_cmd(&f, c, EINVAL, "SPIN with src_handle set (a valid BO)");
}

static void case_submit_spin_too_long(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_spin(GPUCORE_MAX_SPIN_NS + 1), EINVAL, "SPIN of GPUCORE_MAX_SPIN_NS + 1");
	reject_cmd(&f, cmd_spin(~0ULL), EINVAL, "SPIN of ~0 ns");
}

static void case_submit_fill_misaligned_offset(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, 2, 64, 1), EINVAL, "FILL at dst_offset 2");
	reject_cmd(&f, cmd_fill(f.bo, 1, 64, 1), EINVAL, "FILL at dst_offset 1");
}

static void case_submit_fill_misaligned_size(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, 0, 6, 1), EINVAL, "FILL of size 6");
	reject_cmd(&f, cmd_fill(f.bo, 0, 65, 1), EINVAL, "FILL of size 65");
}

static void case_submit_fill_value_upper(void)
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	c.value = 1ULL << 32 | 1;
	reject_cmd(&f, c, EINVAL, "FILL value with bit 32 set");
	c.value = 1ULL << 63;
	reject_cmd(&f, c, EINVAL, "FILL value with bit 63 set");
}

static void case_submit_fill_src_handle(void)
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	c.src_handle = f.bo2;
	reject_cmd(&f, c, EINVAL, "FILL with src_handle set (a valid BO)");
}

/* ABI choice: dst_handle 0 on FILL/COPY (required there) is a BO the file
 * does not hold: ENOENT. */
static void case_submit_fill_bad_handle(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo2 + 1000, 0, 64, 1), ENOENT, "FILL into a BO handle never given out");
	reject_cmd(&f, cmd_fill(0, 0, 64, 1), ENOENT, "FILL into BO handle 0");
}

static void case_submit_fill_closed_bo(void)
{
	struct fx f;
	u32 h;

	fx_init(&f);
	h = bo_create(f.fd, BO_SIZE);
	gem_close(f.fd, h);
	reject_cmd(&f, cmd_fill(h, 0, 64, 1), ENOENT, "FILL into a closed BO");
}

static void case_submit_fill_past_end(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, BO_SIZE - 4, 8, 1), ERANGE, "FILL of 8 bytes at BO_SIZE - 4");
	reject_cmd(&f, cmd_fill(f.bo, BO_SIZE, 4, 1), ERANGE, "FILL at dst_offset BO_SIZE");
	reject_cmd(&f, cmd_fill(f.bo, 0, BO_SIZE + 4, 1), ERANGE, "FILL of BO_SIZE + 4 bytes");
}

static void case_submit_fill_overflow(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, ~0ULL - 3, 8, 1), ERANGE, "FILL whose dst_offset + size overflows");
	reject_cmd(&f, cmd_fill(f.bo, 4, ~0ULL - 3, 1), ERANGE, "FILL whose size + dst_offset overflows");
}

static void case_submit_copy_bad_src(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2 + 1000, 0, 64), ENOENT, "COPY from a BO handle never given out");
	reject_cmd(&f, cmd_copy(f.bo, 0, 0, 0, 64), ENOENT, "COPY from BO handle 0");
}

static void case_submit_copy_bad_dst(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo2 + 1000, 0, f.bo, 0, 64), ENOENT, "COPY into a BO handle never given out");
	reject_cmd(&f, cmd_copy(0, 0, f.bo, 0, 64), ENOENT, "COPY into BO handle 0");
}

static void case_submit_copy_src_past_end(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, BO_SIZE - 8, 16), ERANGE, "COPY of 16 bytes from BO_SIZE - 8");
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, BO_SIZE, 1), ERANGE, "COPY from src_offset BO_SIZE");
}

static void case_submit_copy_dst_past_end(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, BO_SIZE - 8, f.bo2, 0, 16), ERANGE, "COPY of 16 bytes to BO_SIZE - 8");
	reject_cmd(&f, cmd_copy(f.bo, BO_SIZE, f.bo2, 0, 1), ERANGE, "COPY to dst_offset BO_SIZE");
}

static void case_submit_copy_overflow(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, ~0ULL - 7, 16), ERANGE, "COPY whose src_offset + size overflows");
	reject_cmd(&f, cmd_copy(f.bo, ~0ULL - 7, f.bo2, 0, 16), ERANGE, "COPY whose dst_offset + size overflows");
}

/*
 * ABI choice: a COPY whose source and destination ranges overlap in one BO
 * is EINVAL (no memmove semantics), whichever way and however little they
 * overlap; checked after the ranges, so each range here lies inside the BO.
 */
static void case_submit_copy_overlap(void)
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo, 0, 64), EINVAL, "COPY of a range onto itself");
	reject_cmd(&f, cmd_copy(f.bo, 100, f.bo, 0, 4096), EINVAL, "COPY in one BO, dst inside src");
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo, 100, 4096), EINVAL, "COPY in one BO, src inside dst");
	reject_cmd(&f, cmd_copy(f.bo, 4095, f.bo, 0, 4096), EINVAL, "COPY in one BO overlapping by 1 byte");
	reject_cmd(&f, cmd_copy(f.bo, 1, f.bo, BO_SIZE / 2, BO_SIZE / 2), EINVAL,
		   "COPY in one BO, src ending at the BO's end, overlapping dst by 1 byte");
}

static void case_submit_job_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		VALID_JOB(f, c, j);
		char what[64];

		if ((1u << b) & GPUCORE_JOB_FLAGS)
			continue;
		j.flags = 1u << b;
		snprintf(what, sizeof(what), "job flags bit %d", b);
		reject_job(&f, &j, EINVAL, what);
	}
}

static void case_submit_in_syncobj_noflag(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	j.in_syncobj = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	reject_job(&f, &j, EINVAL, "in_syncobj (a valid syncobj) without GPUCORE_JOB_IN_SYNCOBJ");
}

static void case_submit_out_syncobj_noflag(void)
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	j.out_syncobj = syncobj_create(f.fd, 0);
	reject_job(&f, &j, EINVAL, "out_syncobj (a valid syncobj) without GPUCORE_JOB_OUT_SYNCOBJ");
}

static void case_submit_in_syncobj_bad(void)
{
	struct fx f;
	u32 so;

	fx_init(&f);
	so = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	{
		VALID_JOB(f, c, j);

		j.flags = GPUCORE_JOB_IN_SYNCOBJ;
		j.in_syncobj = so + 1000;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_IN_SYNCOBJ and a syncobj handle never given out");
		j.in_syncobj = 0;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_IN_SYNCOBJ and syncobj handle 0");
	}
}

static void case_submit_out_syncobj_bad(void)
{
	struct fx f;
	u32 so;

	fx_init(&f);
	so = syncobj_create(f.fd, 0);
	{
		VALID_JOB(f, c, j);

		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = so + 1000;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_OUT_SYNCOBJ and a syncobj handle never given out");
		j.out_syncobj = 0;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_OUT_SYNCOBJ and syncobj handle 0");
	}
}

/*
 * All or nothing: jobs 0..2 valid FILLs of bo2, job 3 broken by `breakit`.
 * After the rejection and one valid job on the same channel (which would
 * run after any queued one), bo2 still holds what the CPU wrote.
 */
static void check_all_or_nothing(struct fx *f, void (*breakit)(struct fx *, struct drm_gpucore_job *),
				 int want, const char *what)
{
	struct drm_gpucore_cmd c[4];
	struct drm_gpucore_job j[4];
	struct drm_gpucore_submit s;

	memset(f->map2, 0x5a, BO_SIZE);
	for (int k = 0; k < 4; k++) {
		c[k] = cmd_fill(f->bo2, (u64)k * 4096, 4096, 0xa0a0a0a0u + (u32)k);
		j[k] = mkjob(&c[k], 1);
	}
	breakit(f, &j[3]);
	s = mksubmit(f->ch, j, 4);
	check_submit_rejected(f, &s, want, what);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f->map2[k] != 0x5a)
			fail("a rejected 4-job SUBMIT (%s) still ran: bo2 byte %llu is 0x%02x", what, k, f->map2[k]);
}

static void break_op(struct fx *f, struct drm_gpucore_job *j)
{
	((struct drm_gpucore_cmd *)(uintptr_t)j->cmds_ptr)->op = 0;
}

static void break_cmds_ptr(struct fx *f, struct drm_gpucore_job *j)
{
	j->cmds_ptr = (u64)(uintptr_t)unmapped_page();
}

static void break_range(struct fx *f, struct drm_gpucore_job *j)
{
	((struct drm_gpucore_cmd *)(uintptr_t)j->cmds_ptr)->size = BO_SIZE;
}

static void case_submit_last_job_invalid(void)
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_op, EINVAL, "4 jobs, the last with op 0");
}

static void case_submit_last_job_efault(void)
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_cmds_ptr, EFAULT, "4 jobs, the last with cmds_ptr unmapped");
}

static void case_submit_last_job_erange(void)
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_range, ERANGE, "4 jobs, the last with a FILL past the end");
}

/* The first job's out-syncobj must not get a fence when a later job of the
 * same submit is rejected. */
static void case_submit_last_job_bad_syncobj(void)
{
	struct fx f;
	struct drm_gpucore_job j[2];
	struct drm_gpucore_submit s;
	u32 so;
	int e;

	fx_init(&f);
	VALID_JOB(f, c, j0);
	so = syncobj_create(f.fd, 0);	/* no fence */
	j[0] = j0;
	j[0].flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j[0].out_syncobj = so;
	j[1] = j0;
	j[1].flags = GPUCORE_JOB_IN_SYNCOBJ;
	j[1].in_syncobj = so + 1000;
	s = mksubmit(f.ch, j, 2);
	check_submit_rejected(&f, &s, ENOENT, "2 jobs, the first with a valid out-syncobj, the last with an unknown in-syncobj");
	/* an empty syncobj: wait without WAIT_FOR_SUBMIT fails with EINVAL */
	e = syncobj_wait(f.fd, so, 0);
	if (e != -EINVAL)
		fail("the rejected submit's first job put a fence in its out-syncobj (drmSyncobjWait: %s, expected EINVAL for no fence)",
		     ename(-e));
}

/* ------------------------------------------------------------------ */
/* WAIT: rejected                                                      */

static void case_wait_bad_channel(void)
{
	struct fx f;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "WAIT on channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_wait(f.fd, bad[k], f.next - 1, (s64)(now_ns() + WAIT_NS), 0));
	}
}

static void case_wait_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "WAIT with flags bit %d", b);
		expect_errno(what, EINVAL, try_wait(f.fd, f.ch, f.next - 1, (s64)(now_ns() + WAIT_NS), 1u << b));
	}
}

static void case_wait_seqno_zero(void)
{
	struct fx f;

	fx_init(&f);
	expect_errno("WAIT for seqno 0", EINVAL, try_wait(f.fd, f.ch, 0, (s64)(now_ns() + WAIT_NS), 0));
}

static void case_wait_seqno_unsubmitted(void)
{
	struct fx f;

	fx_init(&f);
	expect_errno("WAIT for the next seqno, not submitted yet", EINVAL,
		     try_wait(f.fd, f.ch, f.next, (s64)(now_ns() + WAIT_NS), 0));
	expect_errno("WAIT for seqno ~0", EINVAL, try_wait(f.fd, f.ch, ~0ULL, (s64)(now_ns() + WAIT_NS), 0));
	fx_submit_valid(&f, "WAIT for unsubmitted seqnos");
}

/* Seqnos belong to their channel: one submitted on another channel of the
 * same file was never submitted on this one. */
static void case_wait_seqno_other_channel(void)
{
	struct fx f;
	u32 ch2;

	fx_init(&f);
	ch2 = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("WAIT on a fresh channel for a seqno of another channel", EINVAL,
		     try_wait(f.fd, ch2, f.next - 1, (s64)(now_ns() + WAIT_NS), 0));
}

static void case_wait_deadline_past(void)
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(2000 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	expect_errno("WAIT on a 2 s SPIN with a deadline 1 s ago", ETIME,
		     try_wait(f.fd, f.ch, s, (s64)(now_ns() - 1000 * MS), 0));
	expect_errno("WAIT on a 2 s SPIN with deadline 0", ETIME, try_wait(f.fd, f.ch, s, 0, 0));
	expect_errno("WAIT on a 2 s SPIN with deadline now + 10 ms", ETIME,
		     try_wait(f.fd, f.ch, s, (s64)(now_ns() + 10 * MS), 0));
	/* the timeout did not touch the job */
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
}

/* ------------------------------------------------------------------ */
/* JOB_QUERY: rejected                                                 */

static void case_job_query_bad_channel(void)
{
	struct fx f;
	struct drm_gpucore_job_query q;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "JOB_QUERY on channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_query(f.fd, bad[k], f.next - 1, &q));
	}
}

static void case_job_query_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_job_query q = { .channel = f.ch, .flags = 1u << b, .seqno = f.next - 1 };
		char what[64];

		snprintf(what, sizeof(what), "JOB_QUERY with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_JOB_QUERY, &q));
	}
}

static void case_job_query_seqno_zero(void)
{
	struct fx f;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	expect_errno("JOB_QUERY of seqno 0", EINVAL, try_query(f.fd, f.ch, 0, &q));
}

static void case_job_query_seqno_unsubmitted(void)
{
	struct fx f;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	expect_errno("JOB_QUERY of the next seqno, not submitted yet", EINVAL, try_query(f.fd, f.ch, f.next, &q));
	expect_errno("JOB_QUERY of seqno ~0", EINVAL, try_query(f.fd, f.ch, ~0ULL, &q));
	fx_submit_valid(&f, "JOB_QUERY of unsubmitted seqnos");
}

/*
 * ABI choice: the errno rules say ENODATA for a job completed too long ago;
 * the JOB_QUERY field comment says -ENOENT. ENOENT is the errno of unknown
 * handles, so this follows the rules: ENODATA. The last
 * GPUCORE_MAX_QUEUED_JOBS completed jobs must still be answered.
 */
static void case_job_query_forgotten(void)
{
	struct fx f;
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	struct drm_gpucore_job_query q;
	u64 first, last = 0;
	int total = GPUCORE_MAX_QUEUED_JOBS + GPUCORE_MAX_JOBS_PER_SUBMIT;

	fx_init(&f);
	first = f.next - 1;
	for (int n = 0; n < total; n += GPUCORE_MAX_JOBS_PER_SUBMIT) {
		u64 s = submit_jobs(f.fd, f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT);

		last = s + GPUCORE_MAX_JOBS_PER_SUBMIT - 1;
		wait_seqno(f.fd, f.ch, last);
	}
	query_done(f.fd, f.ch, last - (GPUCORE_MAX_QUEUED_JOBS - 1), &q);
	expect_errno("JOB_QUERY of a job completed more than GPUCORE_MAX_QUEUED_JOBS jobs ago", ENODATA,
		     try_query(f.fd, f.ch, first, &q));
}

/* ------------------------------------------------------------------ */
/* CHANNEL_STATS                                                       */

static void case_stats_valid(void)
{
	int fd = open_node();
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	struct drm_gpucore_cmd c = cmd_spin(2 * MS);
	struct drm_gpucore_job j[3];
	struct drm_gpucore_channel_stats st;
	u64 s;

	get_stats(fd, ch, &st);
	if (st.submitted || st.completed || st.failed || st.queued || st.busy_ns || st.last_seqno)
		fail("a new channel's stats are not zero: submitted %llu completed %llu failed %llu queued %llu busy %llu last %llu",
		     st.submitted, st.completed, st.failed, st.queued, st.busy_ns, st.last_seqno);
	for (int k = 0; k < 3; k++)
		j[k] = mkjob(&c, 1);
	s = submit_jobs(fd, ch, j, 3);
	wait_seqno(fd, ch, s + 2);
	get_stats(fd, ch, &st);
	if (st.submitted != 3 || st.completed != 3 || st.failed || st.queued || st.last_seqno != s + 2)
		fail("after 3 jobs done: submitted %llu completed %llu failed %llu queued %llu last_seqno %llu (expected 3 3 0 0 %llu)",
		     st.submitted, st.completed, st.failed, st.queued, st.last_seqno, s + 2);
	if (st.busy_ns < 3 * 2 * MS * 9 / 10)
		fail("3 jobs of a 2 ms SPIN: busy_ns %llu", st.busy_ns);
	if (st.latency_ns < st.wait_ns)
		fail("latency_ns %llu < wait_ns %llu", st.latency_ns, st.wait_ns);
	if (st.reserved[0] || st.reserved[1])
		fail("reserved not zero on output");
}

static void case_stats_bad_channel(void)
{
	struct fx f;
	struct drm_gpucore_channel_stats st;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_STATS of channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_stats(f.fd, bad[k], &st));
	}
}

static void case_stats_flags(void)
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_channel_stats st = { .channel = f.ch, .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_STATS with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, &st));
	}
}

static void case_stats_reserved(void)
{
	struct fx f;

	fx_init(&f);
	for (int k = 0; k < 2; k++) {
		struct drm_gpucore_channel_stats st = { .channel = f.ch };
		char what[64];

		st.reserved[k] = 1;
		snprintf(what, sizeof(what), "CHANNEL_STATS with reserved[%d] 1", k);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, &st));
	}
}

/* ------------------------------------------------------------------ */
/* NOP                                                                 */

static void case_nop_valid(void)
{
	struct drm_gpucore_nop n = { 0 };

	OK("NOP", gioctl(open_node(), DRM_IOCTL_GPUCORE_NOP, &n));
}

static void case_nop_flags(void)
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_nop n = { .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "NOP with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_NOP, &n));
	}
}

static void case_nop_pad(void)
{
	struct drm_gpucore_nop n = { .pad = 1 };

	expect_errno("NOP with pad 1", EINVAL, gioctl(open_node(), DRM_IOCTL_GPUCORE_NOP, &n));
}

/* ------------------------------------------------------------------ */
/* per-vGPU limits: run on a fresh vGPU (its default limits), with -O  */
/* the node of another vGPU                                            */

/* The -O node, which must belong to another vGPU than @fd's. */
static int open_other_vgpu(int fd)
{
	struct drm_gpucore_info a, b;
	int other = open_other_node();

	get_info(fd, &a);
	get_info(other, &b);
	if (a.vgpu_id == b.vgpu_id)
		fail("needs -O PATH: the node of another vGPU than -D's (both are vGPU %u)",
		     a.vgpu_id);
	return other;
}

/* A channel with a job and waiting for it: the vGPU behind @fd works. */
static void check_works(int fd, const char *what)
{
	struct drm_gpucore_cmd c = cmd_spin(1000);
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);

	wait_seqno(fd, ch, submit_cmds(fd, ch, &c, 1));
	OK(what, try_ch_destroy(fd, ch, 0));
}

/*
 * A vGPU with max_channels channels gets EDQUOT from CHANNEL_CREATE, on any
 * of its files, with no side effect; another vGPU still gets all of its
 * own; destroying one channel makes room for exactly one.
 */
static void case_limit_channels(void)
{
	static u32 h[GPUCORE_VGPU_CHANNELS_DEFAULT];
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	int fd = open_node(), other = open_other_vgpu(fd);
	u32 i;

	for (i = 0; i < GPUCORE_VGPU_CHANNELS_DEFAULT; i++)
		h[i] = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("CHANNEL_CREATE past the vGPU's max_channels", EDQUOT, try_ch_create(fd, &c));
	expect_errno("CHANNEL_CREATE past max_channels on another file of the vGPU", EDQUOT,
		     try_ch_create(open_node(), &c));
	/* another tenant: its whole share, and its channels run */
	for (i = 0; i < GPUCORE_VGPU_CHANNELS_DEFAULT - 1; i++)
		ch_create(other, GPUCORE_ENGINE_CLASS_COMPUTE);
	check_works(other, "another vGPU's CHANNEL_DESTROY");
	/* the refusals took nothing: one destroyed, one fits again */
	OK("CHANNEL_DESTROY of a vGPU at its limit", try_ch_destroy(fd, h[0], 0));
	h[0] = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("CHANNEL_CREATE past max_channels after one destroyed and one created",
		     EDQUOT, try_ch_create(fd, &c));
}

/*
 * A new channel with @n jobs pending (n <= GPUCORE_MAX_QUEUED_JOBS): the
 * first waits for @so's fence, so none of them runs. Returns its handle;
 * *@next is the seqno its next job gets.
 */
static u32 ch_gated(int fd, u32 so, u32 n, u64 *next)
{
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE), k;
	u64 s = 0;

	for (k = 0; k < n; k += GPUCORE_MAX_JOBS_PER_SUBMIT) {
		u32 m = n - k < GPUCORE_MAX_JOBS_PER_SUBMIT ? n - k : GPUCORE_MAX_JOBS_PER_SUBMIT;

		memset(j, 0, sizeof(j));
		if (!k) {
			j[0].flags = GPUCORE_JOB_IN_SYNCOBJ;
			j[0].in_syncobj = so;
		}
		s = submit_jobs(fd, ch, j, m) + m;
	}
	*next = s;
	return ch;
}

/*
 * Jobs pending over all of a vGPU's channels stop at its max_jobs: a
 * SUBMIT past it fails with EDQUOT as a whole (all or nothing: nothing
 * queued, stats and seqnos untouched) on whichever channel; cancelled jobs
 * give their room back; another vGPU submits meanwhile.
 */
static void case_limit_jobs(void)
{
	static struct drm_gpucore_job j[2];
	struct drm_gpucore_cmd spin[GPUCORE_MAX_CMDS_PER_JOB];
	struct drm_gpucore_channel_stats st, st2;
	struct drm_gpucore_submit s;
	struct drm_gpucore_job gj;
	int fd = open_node(), other = open_other_vgpu(fd);
	u32 gate, so, ch[8], nch = 0, x, y, n;
	u64 have, next = 0;

	/* the gate: a job of GPUCORE_MAX_CMDS_PER_JOB longest SPINs */
	for (n = 0; n < GPUCORE_MAX_CMDS_PER_JOB; n++)
		spin[n] = cmd_spin(GPUCORE_MAX_SPIN_NS);
	so = syncobj_create(fd, 0);
	gj = mkjob(spin, GPUCORE_MAX_CMDS_PER_JOB);
	gj.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	gj.out_syncobj = so;
	gate = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	submit_jobs(fd, gate, &gj, 1);
	/* one short of the limit, over channels held behind the gate */
	for (have = 1; have < GPUCORE_VGPU_JOBS_DEFAULT - 1; have += n) {
		n = GPUCORE_VGPU_JOBS_DEFAULT - 1 - have;
		if (n > GPUCORE_MAX_QUEUED_JOBS)
			n = GPUCORE_MAX_QUEUED_JOBS;
		if (nch == sizeof(ch) / sizeof(ch[0]))
			fail("GPUCORE_VGPU_JOBS_DEFAULT needs more than %u channels", nch);
		ch[nch++] = ch_gated(fd, so, n, &next);
	}
	x = ch[nch - 1];
	get_stats(fd, x, &st);
	if (st.queued + 2 > GPUCORE_MAX_QUEUED_JOBS)
		fail("inconclusive: channel %u has %llu queued, no room for 2", x, st.queued);
	s = mksubmit(x, j, 2);
	expect_errno("SUBMIT of 2 jobs with 1 left of the vGPU's max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	get_stats(fd, x, &st2);
	if (st2.submitted != st.submitted || st2.queued != st.queued)
		fail("rejected SUBMIT moved submitted %llu -> %llu, queued %llu -> %llu",
		     st.submitted, st2.submitted, st.queued, st2.queued);
	if (submit_jobs(fd, x, j, 1) != next)
		fail("the SUBMIT after a rejected one did not get seqno %llu", next);
	/* at the limit: refused on every channel, a new one too */
	y = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	s = mksubmit(y, j, 1);
	expect_errno("SUBMIT on a new channel of a vGPU at its max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	s = mksubmit(gate, j, 1);
	expect_errno("SUBMIT on the running channel of a vGPU at its max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	/* another tenant is not held back */
	check_works(other, "another vGPU's CHANNEL_DESTROY");
	/* cancelled jobs give their room back */
	OK("CHANNEL_DESTROY of a channel with jobs pending", try_ch_destroy(fd, ch[0], 0));
	submit_jobs(fd, y, j, 2);
}

/* ------------------------------------------------------------------ */
/* another client's handles                                            */

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid: %s", ename(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		_exit(1);	/* the child printed its reason */
	fail("child process killed by signal %d", WTERMSIG(st));
}

static void case_isolation_channels(void)
{
	struct fx f;
	u32 h[3];
	pid_t pid;

	fx_init(&f);
	h[0] = f.ch;
	h[1] = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	h[2] = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		int fd;
		u32 mine, bo;
		int checked = 0;

		alarm(CASE_TIMEOUT_S);
		fd = open_other_node();
		mine = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
		bo = bo_create(fd, BO_SIZE);
		for (int k = 0; k < 3; k++) {
			struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
			struct drm_gpucore_job j = mkjob(&c, 1);
			struct drm_gpucore_submit s = mksubmit(h[k], &j, 1);
			struct drm_gpucore_channel_stats st;
			struct drm_gpucore_job_query q;

			if (h[k] == mine)
				continue;
			checked++;
			expect_errno("another file's channel handle: CHANNEL_STATS", ENOENT, try_stats(fd, h[k], &st));
			expect_errno("another file's channel handle: SUBMIT", ENOENT,
				     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
			expect_errno("another file's channel handle: WAIT", ENOENT,
				     try_wait(fd, h[k], 1, (s64)(now_ns() + WAIT_NS), 0));
			expect_errno("another file's channel handle: JOB_QUERY", ENOENT, try_query(fd, h[k], 1, &q));
			expect_errno("another file's channel handle: CHANNEL_DESTROY", ENOENT, try_ch_destroy(fd, h[k], 0));
		}
		if (!checked)
			fail("the child's channel handle %u matched all of the parent's", mine);
		{
			struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);

			wait_seqno(fd, mine, submit_cmds(fd, mine, &c, 1));
		}
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
	/* the parent's channels are untouched */
	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_channel_stats st;

		get_stats(f.fd, h[k], &st);
	}
	fx_submit_valid(&f, "another process tried the parent's channel handles");
}

static void case_isolation_bos(void)
{
	struct fx f;
	u32 h[3];
	pid_t pid;

	fx_init(&f);
	h[0] = f.bo;
	h[1] = f.bo2;
	h[2] = bo_create(f.fd, BO_SIZE);
	memset(f.map, 0x5a, BO_SIZE);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		int fd;
		u32 ch, mine;
		int checked = 0;

		alarm(CASE_TIMEOUT_S);
		fd = open_other_node();
		ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
		mine = bo_create(fd, BO_SIZE);
		for (int k = 0; k < 3; k++) {
			struct drm_gpucore_cmd fill = cmd_fill(h[k], 0, 64, 9);
			struct drm_gpucore_cmd copy = cmd_copy(mine, 0, h[k], 0, 64);
			struct drm_gpucore_job j;
			struct drm_gpucore_submit s;

			if (h[k] == mine)
				continue;
			checked++;
			expect_errno("another file's BO handle: BO_MMAP_OFFSET", ENOENT, try_mmap_offset(fd, h[k], 0));
			j = mkjob(&fill, 1);
			s = mksubmit(ch, &j, 1);
			expect_errno("another file's BO handle: FILL", ENOENT, gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
			j = mkjob(&copy, 1);
			s = mksubmit(ch, &j, 1);
			expect_errno("another file's BO handle: COPY source", ENOENT,
				     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		}
		if (!checked)
			fail("the child's BO handle %u matched all of the parent's", mine);
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != 0x5a)
			fail("another process changed the parent's BO: byte %llu is 0x%02x", k, f.map[k]);
}

/*
 * Run fn(arg) in a child process that opens the other node (-O); fails the
 * case when the child does. The child inherits every descriptor the parent
 * holds: that is the "file descriptors shared across vGPUs" the isolation
 * cases try to abuse.
 */
static void in_other_process(void (*fn)(int fd, void *arg), void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		alarm(CASE_TIMEOUT_S);
		fn(open_other_node(), arg);
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
}

struct iso_syncobj {
	u32 so[3];	/* the parent's: signaled, unsignaled, one with a job's fence */
};

static void iso_syncobj_child(int fd, void *arg)
{
	struct iso_syncobj *p = arg;
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	u32 mine = syncobj_create(fd, 0);
	u32 bo = bo_create(fd, BO_SIZE);

	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
		struct drm_gpucore_job j = mkjob(&c, 1);
		struct drm_gpucore_submit s;
		int fdout = -1;
		int e;

		if (p->so[k] == mine)
			continue;
		j.flags = GPUCORE_JOB_IN_SYNCOBJ;
		j.in_syncobj = p->so[k];
		s = mksubmit(ch, &j, 1);
		expect_errno("another vGPU's syncobj as in_syncobj", ENOENT,
			     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		j = mkjob(&c, 1);
		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = p->so[k];
		s = mksubmit(ch, &j, 1);
		expect_errno("another vGPU's syncobj as out_syncobj", ENOENT,
			     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		e = syncobj_wait(fd, p->so[k], 0);
		if (e != -ENOENT && e != -EINVAL)
			fail("SYNCOBJ_WAIT on another vGPU's syncobj handle: expected ENOENT or EINVAL, got %d", e);
		if (drmSyncobjHandleToFD(fd, p->so[k], &fdout) == 0)
			fail("SYNCOBJ_HANDLE_TO_FD exported another vGPU's syncobj %u", p->so[k]);
	}
	/* the child's own syncobj works, so the failures above are not vacuous */
	{
		struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
		struct drm_gpucore_job j = mkjob(&c, 1);

		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = mine;
		submit_jobs(fd, ch, &j, 1);
		OK("SYNCOBJ_WAIT on the child's own syncobj", -syncobj_wait(fd, mine, now_ns() + WAIT_NS));
	}
}

/* Another vGPU's syncobj (fence) handles are not usable in any call. */
static void case_isolation_syncobjs(void)
{
	struct iso_syncobj p;
	struct drm_gpucore_cmd spin = cmd_spin(200 * MS);
	struct drm_gpucore_job j = mkjob(&spin, 1);
	struct fx f;

	fx_init(&f);
	p.so[0] = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	p.so[1] = syncobj_create(f.fd, 0);
	p.so[2] = syncobj_create(f.fd, 0);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = p.so[2];
	submit_jobs(f.fd, f.ch, &j, 1);
	f.next++;
	in_other_process(iso_syncobj_child, &p);
	OK("the parent's job fence signals", -syncobj_wait(f.fd, p.so[2], now_ns() + WAIT_NS));
	if (syncobj_wait(f.fd, p.so[1], 0) != -EINVAL && syncobj_wait(f.fd, p.so[1], 0) != -ETIME)
		fail("the parent's unsignaled syncobj changed state after the child's calls");
	fx_submit_valid(&f, "another vGPU tried the parent's syncobjs");
}

struct iso_dmabuf {
	int dmabuf;	/* the parent's BO exported as a dma-buf (inherited fd) */
	u32 bo;		/* the parent's handle for it */
};

static void iso_dmabuf_child(int fd, void *arg)
{
	struct iso_dmabuf *p = arg;
	u64 used = vram_used(fd);
	u32 h = 0;

	if (drmPrimeFDToHandle(fd, p->dmabuf, &h) == 0)
		fail("PRIME_FD_TO_HANDLE imported another vGPU's buffer as handle %u", h);
	if (errno != EINVAL)
		fail("PRIME_FD_TO_HANDLE of another vGPU's buffer: expected a refusal (EINVAL), got %s",
		     ename(errno));
	if (vram_used(fd) != used)
		fail("a refused import changed this vGPU's vram_used: %llu -> %llu", used, vram_used(fd));
	/* the handle the parent has means nothing here either */
	expect_errno("the exporter's handle on this node: BO_MMAP_OFFSET", ENOENT, try_mmap_offset(fd, p->bo, 0));
}

/*
 * A buffer exported as a dma-buf cannot be imported into another vGPU,
 * even by a process that holds the dma-buf fd; importing it back into its
 * own vGPU works (and gives the same handle), so the refusal is the
 * isolation and not a broken import path.
 */
static void case_isolation_dmabuf(void)
{
	struct iso_dmabuf p;
	struct fx f;
	u32 back = 0;

	fx_init(&f);
	memset(f.map, 0x5a, BO_SIZE);
	p.bo = f.bo;
	if (drmPrimeHandleToFD(f.fd, f.bo, DRM_CLOEXEC | DRM_RDWR, &p.dmabuf))
		fail("PRIME_HANDLE_TO_FD: %s", ename(errno));
	in_other_process(iso_dmabuf_child, &p);
	if (drmPrimeFDToHandle(f.fd, p.dmabuf, &back))
		fail("PRIME_FD_TO_HANDLE into the exporting vGPU: %s", ename(errno));
	if (back != f.bo)
		fail("importing into the exporting vGPU gave handle %u, expected %u", back, f.bo);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != 0x5a)
			fail("the exported BO changed: byte %llu is 0x%02x", k, f.map[k]);
	close(p.dmabuf);
	fx_submit_valid(&f, "another vGPU tried to import the parent's dma-buf");
}

struct iso_fence {
	int syncobj_fd;	/* a syncobj holding a job fence of the parent's, as an fd */
	int sync_file;	/* a job fence of the parent's, pending for a minute */
};

/*
 * A job of six 10 s SPINs on a channel of its own (*ch), pending until that
 * channel is destroyed; returns a syncobj holding its fence.
 */
static u32 long_job(int fd, u32 *ch)
{
	struct drm_gpucore_cmd c[6];
	struct drm_gpucore_job j = mkjob(c, 6);
	u32 so = syncobj_create(fd, 0);

	for (int k = 0; k < 6; k++)
		c[k] = cmd_spin(GPUCORE_MAX_SPIN_NS);
	*ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	submit_jobs(fd, *ch, &j, 1);
	return so;
}

static int export_sync_file(int fd, u32 so)
{
	int sf = -1;

	if (drmSyncobjExportSyncFile(fd, so, &sf))
		fail("drmSyncobjExportSyncFile: %s", ename(errno));
	return sf;
}

/* A sync_file merging two pending fences: it must hold both. */
static int merge_sync_files(int a, int b)
{
	struct sync_merge_data m = { .name = "abi_test", .fd2 = b };
	struct sync_file_info info;

	if (ioctl(a, SYNC_IOC_MERGE, &m))
		fail("SYNC_IOC_MERGE: %s", ename(errno));
	memset(&info, 0, sizeof(info));
	if (ioctl(m.fence, SYNC_IOC_FILE_INFO, &info))
		fail("SYNC_IOC_FILE_INFO: %s", ename(errno));
	if (info.num_fences != 2)
		fail("inconclusive: the merged sync_file holds %u fences, not the 2 pending ones", info.num_fences);
	return m.fence;
}

/* A new syncobj on fd holding a sync_file's fence. */
static u32 syncobj_from_sync_file(int fd, int sf)
{
	u32 so = syncobj_create(fd, 0);

	if (drmSyncobjImportSyncFile(fd, so, sf))
		fail("drmSyncobjImportSyncFile: %s", ename(errno));
	return so;
}

/* SUBMIT of one FILL of bo waiting on syncobj in; 0 or the errno. */
static int try_submit_after(int fd, u32 ch, u32 bo, u32 in, u64 *seqno)
{
	struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 0xabcdabcd);
	struct drm_gpucore_job j = mkjob(&c, 1);
	struct drm_gpucore_submit s;
	int e;

	j.flags = GPUCORE_JOB_IN_SYNCOBJ;
	j.in_syncobj = in;
	s = mksubmit(ch, &j, 1);
	e = gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	if (seqno)
		*seqno = s.seqno;
	return e;
}

static void iso_fence_child(int fd, void *arg)
{
	struct iso_fence *p = arg;
	struct drm_gpucore_channel_stats st;
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE), bo = bo_create(fd, BO_SIZE);
	u32 imported, own_ch, merged, stub;
	int mine;
	u64 s;

	if (drmSyncobjFDToHandle(fd, p->syncobj_fd, &imported))
		fail("SYNCOBJ_FD_TO_HANDLE of another vGPU's syncobj: %s (importing it is allowed)",
		     ename(errno));
	expect_errno("SUBMIT waiting on another vGPU's job fence (an imported syncobj)", EINVAL,
		     try_submit_after(fd, ch, bo, imported, NULL));
	mine = export_sync_file(fd, long_job(fd, &own_ch));
	merged = syncobj_from_sync_file(fd, merge_sync_files(mine, p->sync_file));
	expect_errno("SUBMIT waiting on a sync_file merging this vGPU's job fence with another vGPU's",
		     EINVAL, try_submit_after(fd, ch, bo, merged, NULL));
	get_stats(fd, ch, &st);
	if (st.submitted || st.queued)
		fail("refused SUBMITs left a trace: submitted %llu, queued %llu", st.submitted, st.queued);
	/* a fence of no gpucore job (the stub fence) and one of its own are accepted */
	stub = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	OK("SUBMIT waiting on a signalled syncobj (a fence of no gpucore job)",
	   try_submit_after(fd, ch, bo, stub, &s));
	if (s != 1)
		fail("the first accepted SUBMIT got seqno %llu, expected 1 (a refused one consumed a seqno)", s);
	wait_seqno(fd, ch, s);
	OK("SUBMIT waiting on a job fence of this vGPU's own, through a sync_file",
	   try_submit_after(fd, ch, bo, syncobj_from_sync_file(fd, mine), NULL));
}

/*
 * ABI choice: a job fence of one vGPU cannot be an in-fence on another
 * (EINVAL, as for a dma-buf import), even through a syncobj exported as an
 * fd (which the other vGPU may import) or merged with a fence of the other
 * vGPU's own into a sync_file. On its own vGPU the same syncobj fd works,
 * and so does a merged sync_file of two of its own job fences.
 */
static void case_isolation_job_fence(void)
{
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	struct iso_fence p;
	struct fx f;
	u32 short_so, long_ch[2], long_so[2], ch2, bo2, h;
	u64 s;
	int fd2;
	u8 *map;

	fx_init(&f);
	short_so = syncobj_create(f.fd, 0);
	c = cmd_fill(f.bo2, 0, 64, 0x77777777);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = short_so;
	submit_jobs(f.fd, f.ch, &j, 1);
	f.next++;
	for (int k = 0; k < 2; k++)
		long_so[k] = long_job(f.fd, &long_ch[k]);
	if (drmSyncobjHandleToFD(f.fd, short_so, &p.syncobj_fd))
		fail("SYNCOBJ_HANDLE_TO_FD: %s", ename(errno));
	p.sync_file = export_sync_file(f.fd, long_so[0]);
	in_other_process(iso_fence_child, &p);

	/* the same vGPU, through another file */
	fd2 = open_node();
	ch2 = ch_create(fd2, GPUCORE_ENGINE_CLASS_COMPUTE);
	bo2 = bo_create(fd2, BO_SIZE);
	map = bo_map(fd2, bo2, BO_SIZE);
	if (drmSyncobjFDToHandle(fd2, p.syncobj_fd, &h))
		fail("SYNCOBJ_FD_TO_HANDLE on the exporting vGPU: %s", ename(errno));
	OK("SUBMIT waiting on an imported syncobj of this vGPU's own job", try_submit_after(fd2, ch2, bo2, h, &s));
	wait_seqno(fd2, ch2, s);
	query_done(fd2, ch2, s, &q);
	if (memcmp(map, "\xcd\xab\xcd\xab", 4))
		fail("the job waiting on an imported syncobj of this vGPU did not write its FILL");
	h = syncobj_from_sync_file(fd2, merge_sync_files(p.sync_file, export_sync_file(f.fd, long_so[1])));
	OK("SUBMIT waiting on a sync_file merging two job fences of this vGPU",
	   try_submit_after(fd2, ch2, bo2, h, &s));
	for (int k = 0; k < 2; k++)
		OK("CHANNEL_DESTROY of a long job's channel", try_ch_destroy(f.fd, long_ch[k], 0));
	wait_seqno(fd2, ch2, s);
	close(p.syncobj_fd);
	close(p.sync_file);
	close(fd2);
	fx_submit_valid(&f, "another vGPU tried the parent's job fences");
}

struct iso_flink {
	u32 name;
};

/*
 * The primary (card) node of the vGPU whose render node @fd is open.
 * libdrm's drmGetPrimaryDeviceNameFromFd() cannot be used: every vGPU of a
 * GPU hangs off the same platform device, so it finds the first vGPU's
 * card. The driver's sysfs pairs them: vgpus/NAME/{render_node,card_node}.
 */
static int open_card_of(int fd)
{
	char *render = drmGetDeviceNameFromFd2(fd), want[64], path[512], buf[64];
	const char *base;
	int cfd = -1;

	if (!render)
		fail("drmGetDeviceNameFromFd2: %s", ename(errno));
	base = strrchr(render, '/') ? strrchr(render, '/') + 1 : render;
	snprintf(want, sizeof(want), "%s\n", base);
	for (int g = 0; g < 8 && cfd < 0; g++) {
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus", g);
		d = opendir(path);
		if (!d)
			continue;
		while (cfd < 0 && (de = readdir(d))) {
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus/%s/render_node",
				 g, de->d_name);
			f = fopen(path, "r");
			if (!f || !fgets(buf, sizeof(buf), f) || strcmp(buf, want)) {
				if (f)
					fclose(f);
				continue;
			}
			fclose(f);
			snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus/%s/card_node",
				 g, de->d_name);
			f = fopen(path, "r");
			if (!f || !fgets(buf, sizeof(buf), f))
				fail("cannot read %s", path);
			fclose(f);
			buf[strcspn(buf, "\n")] = 0;
			snprintf(path, sizeof(path), "/dev/dri/%s", buf);
			cfd = open(path, O_RDWR | O_CLOEXEC);
			if (cfd < 0)
				fail("open %s: %s", path, strerror(errno));
		}
		closedir(d);
	}
	if (cfd < 0)
		fail("no vGPU in sysfs has render node %s", base);
	free(render);
	return cfd;
}

static void iso_flink_child(int fd, void *arg)
{
	struct iso_flink *p = arg;
	struct drm_gem_open o = { .name = p->name };
	int cfd = open_card_of(fd);

	expect_errno("GEM_OPEN of another vGPU's flink name on this vGPU's primary node", ENOENT,
		     gioctl(cfd, DRM_IOCTL_GEM_OPEN, &o));
	o = (struct drm_gem_open){ .name = p->name };
	expect_errno("GEM_OPEN on this vGPU's render node", EACCES, gioctl(fd, DRM_IOCTL_GEM_OPEN, &o));
	close(cfd);
}

/*
 * Global GEM names (flink) are per vGPU: a name made on one vGPU's primary
 * node opens nothing on another's, and render nodes refuse flink entirely.
 */
static void case_isolation_flink(void)
{
	struct drm_gpucore_bo_create b = { .size = BO_SIZE };
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open o = { 0 };
	struct iso_flink p;
	struct fx f;
	int cfd, cfd2;

	fx_init(&f);
	fl.handle = f.bo;
	expect_errno("GEM_FLINK on a render node", EACCES, gioctl(f.fd, DRM_IOCTL_GEM_FLINK, &fl));
	cfd = open_card_of(f.fd);
	cfd2 = open_card_of(f.fd);
	OK("BO_CREATE on the primary node", gioctl(cfd, DRM_IOCTL_GPUCORE_BO_CREATE, &b));
	fl.handle = b.handle;
	OK("GEM_FLINK on the primary node", gioctl(cfd, DRM_IOCTL_GEM_FLINK, &fl));
	/* the name opens on its own vGPU, from a second file */
	o.name = fl.name;
	OK("GEM_OPEN of the name on its own vGPU", gioctl(cfd2, DRM_IOCTL_GEM_OPEN, &o));
	p.name = fl.name;
	in_other_process(iso_flink_child, &p);
	close(cfd2);
	close(cfd);
	fx_submit_valid(&f, "another vGPU tried the parent's flink name");
}

/* ------------------------------------------------------------------ */

struct tcase {
	const char *name;
	void (*fn)(void);
};

#define C(n) { #n, case_##n }
static const struct tcase cases[] = {
	C(info_valid),
	C(info_flags),
	C(info_pad),
	C(info_reserved),
	C(info_cmd_flags_feature),

	C(channel_create_valid),
	C(channel_create_bad_class),
	C(channel_create_flags),
	C(channel_create_reserved),
	C(channel_create_instance_range),
	C(channel_create_instance_noflag),
	C(channel_destroy_valid),
	C(channel_destroy_unknown),
	C(channel_destroy_twice),
	C(channel_destroy_zero),
	C(channel_destroy_flags),
	C(channel_destroy_signals_fences),

	C(bo_create_valid),
	C(bo_create_zeroed),
	C(bo_close_releases_quota),
	C(bo_create_size_zero),
	C(bo_create_size_overflow),
	C(bo_create_over_quota),
	C(bo_create_quota_exhausted),
	C(bo_create_flags),
	C(bo_create_reserved),
	C(bo_mmap_offset_bad_handle),
	C(bo_mmap_offset_closed),
	C(bo_mmap_offset_flags),

	C(submit_spin),
	C(submit_nopreempt_spin),
	C(submit_fill),
	C(submit_copy),
	C(submit_copy_same_bo),
	C(submit_mixed_job),
	C(submit_empty_job),
	C(submit_seqnos),
	C(submit_max_jobs),
	C(wait_valid),
	C(wait_done_past_deadline),
	C(job_query_times),
	C(job_query_states),
	C(syncobj_out_fence),
	C(syncobj_in_fence),
	C(syncobj_in_fence_error),
	C(syncobj_in_fence_error_signalled),
	C(submit_queue_full),

	C(submit_bad_channel),
	C(submit_flags),
	C(submit_pad),
	C(submit_reserved),
	C(submit_num_jobs_zero),
	C(submit_num_jobs_over_max),
	C(submit_jobs_ptr_null),
	C(submit_jobs_ptr_unmapped),
	C(submit_jobs_ptr_partial),
	C(submit_cmds_ptr_null),
	C(submit_cmds_ptr_unmapped),
	C(submit_cmds_ptr_partial),
	C(submit_num_cmds_over_max),
	C(submit_cmd_op_unknown),
	C(submit_cmd_flags),
	C(submit_fill_cmd_flags),
	C(submit_copy_cmd_flags),
	C(submit_hang_preemptible),
	C(submit_hang_size),
	C(submit_hang_no_timeout),
	C(submit_spin_dst_handle),
	C(submit_spin_src_handle),
	C(submit_spin_too_long),
	C(submit_fill_misaligned_offset),
	C(submit_fill_misaligned_size),
	C(submit_fill_value_upper),
	C(submit_fill_src_handle),
	C(submit_fill_bad_handle),
	C(submit_fill_closed_bo),
	C(submit_fill_past_end),
	C(submit_fill_overflow),
	C(submit_copy_bad_src),
	C(submit_copy_bad_dst),
	C(submit_copy_src_past_end),
	C(submit_copy_dst_past_end),
	C(submit_copy_overflow),
	C(submit_copy_overlap),
	C(submit_job_flags),
	C(submit_in_syncobj_noflag),
	C(submit_out_syncobj_noflag),
	C(submit_in_syncobj_bad),
	C(submit_out_syncobj_bad),
	C(submit_last_job_invalid),
	C(submit_last_job_efault),
	C(submit_last_job_erange),
	C(submit_last_job_bad_syncobj),

	C(wait_bad_channel),
	C(wait_flags),
	C(wait_seqno_zero),
	C(wait_seqno_unsubmitted),
	C(wait_seqno_other_channel),
	C(wait_deadline_past),

	C(job_query_bad_channel),
	C(job_query_flags),
	C(job_query_seqno_zero),
	C(job_query_seqno_unsubmitted),
	C(job_query_forgotten),

	C(stats_valid),
	C(stats_bad_channel),
	C(stats_flags),
	C(stats_reserved),

	C(nop_valid),
	C(nop_flags),
	C(nop_pad),

	C(limit_channels),
	C(limit_jobs),

	C(isolation_channels),
	C(isolation_bos),
	C(isolation_syncobjs),
	C(isolation_dmabuf),
	C(isolation_job_fence),
	C(isolation_flink),
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: abi_test [-D PATH] [-O PATH] list | run NAME | all\n"
		"gpucore ioctl ABI tests.\n"
		"  -D PATH   render node (default: /dev/dri/ + %s)\n"
		"  -O PATH   node of the other process in isolation_* cases\n"
		"            (default: the -D node; another vGPU's node tests\n"
		"            isolation between tenants)\n"
		"  list      print the case names\n"
		"  run NAME  run one case: exit 0 on pass, 1 with a reason on fail\n"
		"  all       run every case, each in its own process\n", SYSFS_HOST_NODE);
}

static int run_one(const struct tcase *t)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	cur_case = t->name;
	sigaction(SIGALRM, &sa, NULL);
	alarm(CASE_TIMEOUT_S);
	if (!dev_path)
		dev_path = default_path();
	t->fn();
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "D:O:h")) != -1) {
		switch (opt) {
		case 'D':
			dev_path = optarg;
			break;
		case 'O':
			other_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && !strcmp(argv[0], "list")) {
		for (size_t k = 0; k < NCASES; k++)
			printf("%s\n", cases[k].name);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "run")) {
		for (size_t k = 0; k < NCASES; k++)
			if (!strcmp(cases[k].name, argv[1]))
				return run_one(&cases[k]);
		fprintf(stderr, "abi_test: no case '%s' (see abi_test list)\n", argv[1]);
		return 2;
	}
	if (argc == 1 && !strcmp(argv[0], "all")) {
		int failed = 0;

		for (size_t k = 0; k < NCASES; k++) {
			pid_t pid;
			int st;

			fflush(stdout);
			pid = fork();
			if (pid == 0)
				_exit(run_one(&cases[k]));
			waitpid(pid, &st, 0);
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
				printf("ok   %s\n", cases[k].name);
			} else {
				printf("FAIL %s\n", cases[k].name);
				failed++;
			}
		}
		printf("%zu cases, %d failed\n", NCASES, failed);
		return failed ? 1 : 0;
	}
	usage(stderr);
	return 2;
}
