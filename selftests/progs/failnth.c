// SPDX-License-Identifier: MIT
/*
 * failnth: sweep the kernel's fail-nth fault injection over one gpucore
 * operation (the debug kernel lane: CONFIG_FAULT_INJECTION, FAILSLAB,
 * FAIL_PAGE_ALLOC).
 *
 *   failnth [-D NODE] [-S GPU_SYSFS_DIR] OP
 *
 * OP is one system call of the driver's: open (of the render node),
 * channel (CHANNEL_CREATE), bo (BO_CREATE), submit (SUBMIT of a FILL job
 * with an out-fence), syncobj (a job signalling a syncobj), prime (PRIME
 * export of a buffer) or vgpu (a write to vgpu_create). For N = 1, 2, ...
 * the call runs with /proc/thread-self/fail-nth set to N, so the Nth
 * fault point the kernel passes during that call (any slab or page
 * allocation, in the driver or in the DRM core, shmem, xarray, ...) fails.
 * The sweep ends at the first N the call gets through without reaching.
 *
 * After each injected fault: the call either failed with an errno or
 * absorbed the fault and succeeded; a submit that succeeded must complete
 * with the right data, one that failed must not have used a seqno; then
 * everything is closed and the GPU must show no channel and no video
 * memory in use. Prints "OP: N fault points, E errors, A absorbed"; exit 0,
 * or 1 with the reason.
 *
 * This needs failslab and fail_page_alloc to include sleeping allocations
 * (ignore-gfp-wait = N, min-order = 0); the program sets that itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "gpucore.h"

#define BO_SIZE		(64 * 1024)
#define MAX_POINTS	5000
#define SEC		1000000000LL

static const char *node = "/dev/dri/renderD128";
static const char *gpu_dir = "/sys/bus/platform/devices/gpucore.0";
static int nth_fd = -1;

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		die("cannot write %s to %s: %s", val, path, strerror(errno));
	close(fd);
}

/* Let fail-nth reach sleeping and order-0 allocations too. */
static void setup_fault_attrs(void)
{
	write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		die("/proc/thread-self/fail-nth: %s (a kernel without CONFIG_FAULT_INJECTION?)",
		    strerror(errno));
}

/* Arm: the Nth fault point from the next system call on fails. */
static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		die("arming fail-nth: %s", strerror(errno));
}

/*
 * Disarm; true if the armed fault fired during the call. The reads and
 * writes of fail-nth copy to and from user space, which is itself a fault
 * point (CONFIG_FAULT_INJECTION_USERCOPY): when the countdown runs out in
 * that copy, they fail with EFAULT, and the call did not reach the fault.
 */
static bool disarm(void)
{
	char buf[16] = "";
	ssize_t r = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	bool fired;

	if (r < 0 && errno != EFAULT)
		die("reading fail-nth: %s", strerror(errno));
	fired = r > 0 && atoi(buf) == 0;
	if (pwrite(nth_fd, "0", 1, 0) != 1 && errno != EFAULT)
		die("disarming fail-nth: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0 || atoi(buf) != 0)
		die("fail-nth is still armed after disarming: %s", buf);
	return fired;
}

static int open_node(void)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", node, strerror(errno));
	return fd;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r == -1 ? errno : 0;
}

/* ---- the state the sweep starts each round from ----------------------- */

struct ctx {
	int fd;
	uint32_t ch, bo, so;
	uint8_t *map;
	uint64_t next;		/* the seqno the next SUBMIT must get */
	int res_fd;		/* prime/open: the descriptor the call made */
	uint32_t res;		/* channel, bo: the handle the call made */
};

static int call_channel(struct ctx *c)
{
	struct drm_gpucore_channel_create cc = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	int e = xioctl(c->fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc);

	c->res = cc.handle;
	return e;
}

static int call_bo(struct ctx *c)
{
	struct drm_gpucore_bo_create b = { .size = BO_SIZE };
	int e = xioctl(c->fd, DRM_IOCTL_GPUCORE_BO_CREATE, &b);

	c->res = b.handle;
	return e;
}

static void mk_channel(struct ctx *c)
{
	int e = call_channel(c);

	if (e)
		die("CHANNEL_CREATE (unarmed): %s", strerror(e));
	c->ch = c->res;
}

static void mk_bo(struct ctx *c)
{
	struct drm_gpucore_bo_mmap_offset m = { 0 };
	int e = call_bo(c);

	if (e)
		die("BO_CREATE (unarmed): %s", strerror(e));
	c->bo = c->res;
	m.handle = c->bo;
	e = xioctl(c->fd, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &m);
	if (e)
		die("BO_MMAP_OFFSET: %s", strerror(e));
	c->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, m.offset);
	if (c->map == MAP_FAILED)
		die("mmap: %s", strerror(errno));
}

static int do_submit(struct ctx *c, uint32_t value, uint32_t out_syncobj, uint64_t *seqno)
{
	struct drm_gpucore_cmd cmd = {
		.op = GPUCORE_CMD_FILL, .dst_handle = c->bo, .size = BO_SIZE, .value = value,
	};
	struct drm_gpucore_job job = {
		.cmds_ptr = (uintptr_t)&cmd, .num_cmds = 1, .out_syncobj = out_syncobj,
		.flags = out_syncobj ? GPUCORE_JOB_OUT_SYNCOBJ : 0,
	};
	struct drm_gpucore_submit s = {
		.channel = c->ch, .jobs_ptr = (uintptr_t)&job, .num_jobs = 1,
	};
	int e = xioctl(c->fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);

	*seqno = s.seqno;
	return e;
}

static void wait_seqno(struct ctx *c, uint64_t seqno)
{
	struct drm_gpucore_wait w = {
		.channel = c->ch, .seqno = seqno, .timeout_ns = now_ns() + 60 * SEC,
	};
	int e = xioctl(c->fd, DRM_IOCTL_GPUCORE_WAIT, &w);

	if (e)
		die("WAIT for seqno %llu: %s", (unsigned long long)seqno, strerror(e));
}

/* A submit that went through: it must complete and write its data. */
static void check_done(struct ctx *c, uint64_t seqno, uint32_t value)
{
	const uint32_t *p;

	if (seqno != c->next)
		die("SUBMIT got seqno %llu, expected %llu", (unsigned long long)seqno,
		    (unsigned long long)c->next);
	wait_seqno(c, seqno);
	p = (const uint32_t *)c->map;
	for (size_t i = 0; i < BO_SIZE / 4; i++)
		if (p[i] != value)
			die("word %zu of the filled buffer is 0x%x, expected 0x%x", i, p[i], value);
	c->next++;
}

/* A valid FILL of the whole buffer: it must get c->next and write @value. */
static void submit_ok(struct ctx *c, uint32_t value, const char *what)
{
	uint64_t s;
	int e = do_submit(c, value, 0, &s);

	if (e)
		die("SUBMIT %s: %s", what, strerror(e));
	check_done(c, s, value);
}

/* ---- operations: prepare, the call under fault, check ------------------ */

struct op {
	const char *name;
	void (*prepare)(struct ctx *c);
	int (*call)(struct ctx *c);			/* 0 or an errno */
	void (*after)(struct ctx *c, int err);		/* checks; err: call()'s */
};

static void prep_fd(struct ctx *c)
{
	c->fd = open_node();
}

static void prep_all(struct ctx *c)
{
	c->fd = open_node();
	mk_channel(c);
	mk_bo(c);
	c->next = 1;
}

static int call_open(struct ctx *c)
{
	c->res_fd = open(node, O_RDWR | O_CLOEXEC);
	return c->res_fd < 0 ? errno : 0;
}

static void after_open(struct ctx *c, int err)
{
	if (err)
		return;
	/* an open that absorbed a fault is a working client */
	c->fd = c->res_fd;
	c->res_fd = -1;
	mk_channel(c);
	mk_bo(c);
	c->next = 1;
	submit_ok(c, 0x5a5a5a5a, "on the opened node");
}

static void after_channel(struct ctx *c, int err)
{
	if (err)
		return;
	c->ch = c->res;
	mk_bo(c);
	c->next = 1;
	submit_ok(c, 0x11223344, "on the created channel");
}

static void after_bo(struct ctx *c, int err)
{
	struct drm_gpucore_info info = { 0 };
	int e = xioctl(c->fd, DRM_IOCTL_GPUCORE_INFO, &info);

	if (e)
		die("INFO: %s", strerror(e));
	/* EFAULT may be the copy of the result back out, after the handle was
	 * made: the buffer then lives until the file is closed (checked after) */
	if (err && err != EFAULT && info.vram_used != 0)
		die("a BO_CREATE that failed with %s left vram_used at %llu", strerrorname_np(err),
		    (unsigned long long)info.vram_used);
	if (!err && info.vram_used != BO_SIZE)
		die("a BO_CREATE that succeeded shows vram_used %llu", (unsigned long long)info.vram_used);
}

static uint64_t submit_seqno;

static int call_submit(struct ctx *c)
{
	return do_submit(c, 0xa5a5a5a5, 0, &submit_seqno);
}

/*
 * Either way the channel must go on: the next valid submit follows on. A
 * SUBMIT that failed used no seqno, except with EFAULT, which may be the
 * copy of the seqno back out after the job was queued: then that job runs
 * (once) and the next one follows it.
 */
static void after_submit(struct ctx *c, int err)
{
	uint64_t s;
	int e;

	if (!err)
		check_done(c, submit_seqno, 0xa5a5a5a5);
	e = do_submit(c, 0x0f0f0f0f, 0, &s);
	if (e)
		die("the SUBMIT after the faulted one: %s", strerror(e));
	if (err == EFAULT && s == c->next + 1)
		c->next++;
	if (s != c->next)
		die("after a SUBMIT that failed with %s, the next got seqno %llu, expected %llu",
		    err ? strerrorname_np(err) : "success", (unsigned long long)s,
		    (unsigned long long)c->next);
	check_done(c, s, 0x0f0f0f0f);
}

static void prep_syncobj(struct ctx *c)
{
	prep_all(c);
	if (drmSyncobjCreate(c->fd, 0, &c->so))
		die("drmSyncobjCreate: %s", strerror(errno));
}

static int call_syncobj(struct ctx *c)
{
	return do_submit(c, 0x77777777, c->so, &submit_seqno);
}

static void after_syncobj(struct ctx *c, int err)
{
	int e;

	if (err) {
		after_submit(c, err);
		return;
	}
	e = drmSyncobjWait(c->fd, &c->so, 1, now_ns() + 60 * SEC,
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	if (e)
		die("the out-fence of a submitted job did not signal: %d", e);
	check_done(c, submit_seqno, 0x77777777);
}

static int next_fd;

static int call_prime(struct ctx *c)
{
	return drmPrimeHandleToFD(c->fd, c->bo, DRM_CLOEXEC | DRM_RDWR, &c->res_fd) ? errno : 0;
}

static void prep_prime(struct ctx *c)
{
	prep_all(c);
	/* the descriptor number the export will get */
	next_fd = dup(0);
	close(next_fd);
}

static void after_prime(struct ctx *c, int err)
{
	uint32_t h = 0;

	/*
	 * EFAULT may be the copy of the result back out, after the dma-buf's
	 * descriptor was installed (as in every DRM driver): close it, or the
	 * buffer it holds lives until the process exits.
	 */
	if (err == EFAULT && fcntl(next_fd, F_GETFD) != -1)
		close(next_fd);
	if (err)
		return;
	if (drmPrimeFDToHandle(c->fd, c->res_fd, &h) || h != c->bo)
		die("re-importing the exported buffer gave handle %u (%s), expected %u", h,
		    strerror(errno), c->bo);
}

static int vgpu_fd = -1;

static void prep_vgpu(struct ctx *c)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/vgpu_create", gpu_dir);
	vgpu_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (vgpu_fd < 0)
		die("open %s: %s", path, strerror(errno));
}

static int call_vgpu(struct ctx *c)
{
	static const char req[] = "vmfault mem=16M";

	return write(vgpu_fd, req, sizeof(req) - 1) < 0 ? errno : 0;
}

static void after_vgpu(struct ctx *c, int err)
{
	char path[256];

	close(vgpu_fd);
	snprintf(path, sizeof(path), "%s/vgpus/vmfault", gpu_dir);
	if (err && access(path, F_OK) == 0)
		die("a failed vgpu_create left vGPU vmfault behind");
	if (err)
		return;
	if (access(path, F_OK))
		die("vgpu_create succeeded but %s is missing", path);
	snprintf(path, sizeof(path), "%s/vgpu_destroy", gpu_dir);
	write_file(path, "vmfault");
}

static const struct op ops[] = {
	{ "open", NULL, call_open, after_open },
	{ "channel", prep_fd, call_channel, after_channel },
	{ "bo", prep_fd, call_bo, after_bo },
	{ "submit", prep_all, call_submit, after_submit },
	{ "syncobj", prep_syncobj, call_syncobj, after_syncobj },
	{ "prime", prep_prime, call_prime, after_prime },
	{ "vgpu", prep_vgpu, call_vgpu, after_vgpu },
};

static void cleanup(struct ctx *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, BO_SIZE);
	if (c->res_fd >= 0)
		close(c->res_fd);
	if (c->fd >= 0)
		close(c->fd);
}

/* Does the GPU record (the first line of debugfs state) hold no channel and no video memory? */
static bool gpu_record_empty(const char *state)
{
	bool vram = false, channels = false;
	char line[512], *save, *tok;

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(state, "\n"), state);
	tok = strtok_r(line, " ", &save);
	if (!tok || strcmp(tok, "gpu"))
		return false;
	while ((tok = strtok_r(NULL, " ", &save))) {
		vram |= !strcmp(tok, "vram_used=0");
		channels |= !strcmp(tok, "channels=0");
	}
	return vram && channels;
}

/* Nothing may be left: no channel and no video memory in use (files are
 * released asynchronously, so allow a few seconds). */
static void check_empty(const struct op *op, unsigned int n)
{
	char path[256], buf[4096];
	int64_t deadline = now_ns() + 10 * SEC;

	snprintf(path, sizeof(path), "/sys/kernel/debug/gpucore/gpu0/state");
	for (;;) {
		FILE *f = fopen(path, "r");
		size_t len;

		if (!f)
			die("open %s: %s", path, strerror(errno));
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		if (gpu_record_empty(buf))
			return;
		if (now_ns() > deadline)
			die("%s with fault %u: left behind: %.200s", op->name, n, buf);
		usleep(20000);
	}
}

int main(int argc, char **argv)
{
	const struct op *op = NULL;
	unsigned int n, errors = 0, absorbed = 0;
	int opt;

	while ((opt = getopt(argc, argv, "D:S:")) != -1) {
		switch (opt) {
		case 'D': node = optarg; break;
		case 'S': gpu_dir = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[optind], ops[i].name))
			op = &ops[i];
	if (!op)
		goto usage;
	setup_fault_attrs();
	for (n = 1; n <= MAX_POINTS; n++) {
		struct ctx c = { .fd = -1, .res_fd = -1 };
		bool fired;
		int err;

		if (op->prepare)
			op->prepare(&c);
		arm(n);
		err = op->call(&c);
		fired = disarm();
		if (!fired && err)
			die("%s failed without an injected fault: %s", op->name, strerror(err));
		op->after(&c, err);
		cleanup(&c);
		check_empty(op, n);
		if (!fired) {
			printf("%s: %u fault points, %u errors, %u absorbed\n", op->name, n - 1,
			       errors, absorbed);
			return n > 1 ? 0 : 1;
		}
		if (err)
			errors++;
		else
			absorbed++;
	}
	die("%s: more than %u fault points", op->name, MAX_POINTS);
usage:
	fprintf(stderr, "usage: failnth [-D NODE] [-S GPU_SYSFS_DIR] open|channel|bo|submit|syncobj|prime|vgpu\n");
	return 2;
}
