// SPDX-License-Identifier: MIT
/*
 * subbench: what entering the driver costs, against its floors, side by side.
 *
 *   subbench [-V VGPU] [-n ITERATIONS] [-r ROUNDS]
 *
 * Five measurements, interleaved round by round so that they share the
 * same machine state (a TCG guest drifts; absolute times mean little):
 *
 *   null_ioctl_ns     DRM_IOCTL_GPUCORE_NOP on the same node: the floor
 *                     for entering the driver
 *   submit1_ns        one DRM_IOCTL_GPUCORE_SUBMIT of one empty job
 *   submit1_busy_ns   the same while another channel keeps the engine busy,
 *                     so that no submit has to wake the engine up
 *   submit64_job_ns   one SUBMIT of 64 empty jobs, divided by 64
 *   submit64_busy_job_ns  the same while the engine is busy: queueing
 *                     the jobs alone, without completing them
 *   roundtrip_ns      submit an empty job, DRM_IOCTL_GPUCORE_WAIT for it
 *   roundtrip_spin_ns the same with a job of one SPIN of 0 ns (the job
 *                     bench/guest.sh's vfio benchmark times through VFIO)
 *   eventfd_rtt_ns    eventfd ping-pong between two threads: the floor for
 *                     a wake-up round trip
 *
 * Each figure is the median over ROUNDS of the mean over ITERATIONS calls.
 * Prints one JSON object on stdout. Exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "stats.h"
#include "units.h"

#define BATCH 64

static int fd;
static __u32 chan;
static __u64 last_seqno;

static void die(const char *what, int err)
{
	fprintf(stderr, "subbench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int submit_empty(unsigned int n)
{
	static struct drm_gpucore_job jobs[BATCH];
	struct drm_gpucore_submit s = {
		.channel = chan, .jobs_ptr = (__u64)(uintptr_t)jobs, .num_jobs = n,
	};
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);

	if (!ret)
		last_seqno = s.seqno + n - 1;
	return ret;
}

static void wait_seqno(__u64 seqno)
{
	struct drm_gpucore_wait w = {
		.channel = chan, .seqno = seqno, .timeout_ns = mono_ns() + 60000000000ULL,
	};
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_WAIT, &w);

	if (ret)
		die("wait", ret);
}

/* Keep the channel's queue short between timed stretches (not timed). */
static void drain(void)
{
	if (last_seqno)
		wait_seqno(last_seqno);
}

static double bench_nop(unsigned int iters)
{
	struct drm_gpucore_nop nop = { 0 };
	uint64_t t0 = mono_ns();
	unsigned int i;

	for (i = 0; i < iters; i++) {
		int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_NOP, &nop);

		if (ret)
			die("nop ioctl", ret);
	}
	return (double)(mono_ns() - t0) / iters;
}

/* Mean ns per submit call of @n jobs; the queue is drained every 512 jobs. */
static double bench_submit(unsigned int iters, unsigned int n)
{
	uint64_t spent = 0, t0;
	unsigned int i, queued = 0;
	int ret;

	for (i = 0; i < iters; i++) {
		t0 = mono_ns();
		ret = submit_empty(n);
		spent += mono_ns() - t0;
		if (ret)
			die("submit", ret);
		queued += n;
		if (queued >= 512) {
			drain();
			queued = 0;
		}
	}
	drain();
	return (double)spent / iters;
}

static int submit_spin0(void)
{
	struct drm_gpucore_cmd cmd = { .op = GPUCORE_CMD_SPIN };
	struct drm_gpucore_job job = { .cmds_ptr = (__u64)(uintptr_t)&cmd, .num_cmds = 1 };
	struct drm_gpucore_submit s = {
		.channel = chan, .jobs_ptr = (__u64)(uintptr_t)&job, .num_jobs = 1,
	};
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);

	if (!ret)
		last_seqno = s.seqno;
	return ret;
}

static double bench_roundtrip(unsigned int iters, bool spin)
{
	uint64_t t0 = mono_ns();
	unsigned int i;
	int ret;

	for (i = 0; i < iters; i++) {
		ret = spin ? submit_spin0() : submit_empty(1);
		if (ret)
			die("submit", ret);
		wait_seqno(last_seqno);
	}
	return (double)(mono_ns() - t0) / iters;
}

/* A channel on the same engine running one long SPIN job; returns its handle. */
static __u32 busy_start(void)
{
	struct drm_gpucore_channel_create cc = {
		.engine_class = GPUCORE_ENGINE_CLASS_COMPUTE,
		.flags = GPUCORE_CHANNEL_ENGINE_INSTANCE,
	};
	struct drm_gpucore_cmd cmd = { .op = GPUCORE_CMD_SPIN, .size = 10000000000ULL };
	struct drm_gpucore_job job = { .cmds_ptr = (__u64)(uintptr_t)&cmd, .num_cmds = 1 };
	struct drm_gpucore_submit s = { .jobs_ptr = (__u64)(uintptr_t)&job, .num_jobs = 1 };
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc);

	if (ret)
		die("busy channel create", ret);
	s.channel = cc.handle;
	ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	if (ret)
		die("busy submit", ret);
	usleep(20000);	/* let it start */
	return cc.handle;
}

/* Destroying the channel fails its SPIN job and frees the engine. */
static void busy_stop(__u32 handle)
{
	struct drm_gpucore_channel_destroy d = { .handle = handle };
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &d);

	if (ret)
		die("busy channel destroy", ret);
}

static int ping_fd, pong_fd;

static void *ponger(void *arg)
{
	uint64_t v;

	for (;;) {
		if (read(ping_fd, &v, sizeof(v)) != sizeof(v))
			break;
		if (v == UINT64_MAX)
			break;
		if (write(pong_fd, &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

static double bench_eventfd(unsigned int iters)
{
	uint64_t t0 = mono_ns(), v = 1;
	unsigned int i;

	for (i = 0; i < iters; i++) {
		if (write(ping_fd, &v, sizeof(v)) != sizeof(v) ||
		    read(pong_fd, &v, sizeof(v)) != sizeof(v))
			die("eventfd", errno);
	}
	return (double)(mono_ns() - t0) / iters;
}

static void setup(const char *vgpu)
{
	struct drm_gpucore_channel_create cc = {
		.engine_class = GPUCORE_ENGINE_CLASS_COMPUTE,
		.flags = GPUCORE_CHANNEL_ENGINE_INSTANCE,
	};
	static struct gcu_dev dev;
	char err[256];
	int ret;

	ret = gcu_open(0, vgpu, NULL, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "subbench: %s\n", err);
		exit(1);
	}
	fd = dev.fd;
	ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc);
	if (ret)
		die("channel create", ret);
	chan = cc.handle;
}

static uint64_t median(struct u64_vec *v)
{
	u64_vec_sort(v);
	return percentile_sorted(v->v, v->len, 50);
}

int main(int argc, char **argv)
{
	struct u64_vec nop = { 0 }, s1 = { 0 }, s1b = { 0 }, s64 = { 0 }, s64b = { 0 };
	struct u64_vec rt = { 0 }, rts = { 0 }, efd = { 0 };
	unsigned int iters = 2000, rounds = 7, r;
	const char *vgpu = NULL;
	pthread_t th;
	int opt;

	while ((opt = getopt(argc, argv, "V:n:r:")) != -1) {
		switch (opt) {
		case 'V': vgpu = optarg; break;
		case 'n': iters = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: subbench [-V VGPU] [-n ITERATIONS] [-r ROUNDS]\n");
			return 2;
		}
	}
	if (!iters || !rounds)
		return 2;
	setup(vgpu);
	ping_fd = eventfd(0, 0);
	pong_fd = eventfd(0, 0);
	if (ping_fd < 0 || pong_fd < 0 || pthread_create(&th, NULL, ponger, NULL))
		die("eventfd setup", errno);

	/* One warm-up round, not kept. */
	for (r = 0; r <= rounds; r++) {
		double a = bench_nop(iters), b = bench_submit(iters, 1);
		double c = bench_submit(iters / 8 + 1, BATCH) / BATCH;
		double d = bench_roundtrip(iters / 4 + 1, false), e = bench_eventfd(iters / 4 + 1);
		double h = bench_roundtrip(iters / 4 + 1, true);
		__u32 busy = busy_start();
		double f = bench_submit(iters, 1);
		double g = bench_submit(iters / 8 + 1, BATCH) / BATCH;

		busy_stop(busy);
		if (!r)
			continue;
		if (u64_vec_push(&nop, a) || u64_vec_push(&s1, b) || u64_vec_push(&s64, c) ||
		    u64_vec_push(&rt, d) || u64_vec_push(&efd, e) || u64_vec_push(&s1b, f) ||
		    u64_vec_push(&s64b, g) || u64_vec_push(&rts, h))
			die("memory", ENOMEM);
	}
	printf("{\"iterations\": %u, \"rounds\": %u, \"null_ioctl_ns\": %llu, "
	       "\"submit1_ns\": %llu, \"submit1_busy_ns\": %llu, \"submit64_job_ns\": %llu, "
	       "\"submit64_busy_job_ns\": %llu, \"roundtrip_ns\": %llu, \"roundtrip_spin_ns\": %llu, "
	       "\"eventfd_rtt_ns\": %llu}\n", iters, rounds,
	       (unsigned long long)median(&nop), (unsigned long long)median(&s1),
	       (unsigned long long)median(&s1b),
	       (unsigned long long)median(&s64), (unsigned long long)median(&s64b),
	       (unsigned long long)median(&rt), (unsigned long long)median(&rts),
	       (unsigned long long)median(&efd));
	return 0;
}
