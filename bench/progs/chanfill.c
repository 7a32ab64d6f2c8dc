// SPDX-License-Identifier: MIT
/*
 * chanfill: many channels over many vGPUs, for the scale benchmark.
 *
 *   chanfill -c CHANNELS [-V VGPU[,VGPU]...] [-j JOBS] [-s SPIN_NS]
 *            [-m SUBMITS] [-i INSTANCE] [-r RATE]
 *
 * 1. Opens each vGPU's node (default: the host tenant) and creates
 *    CHANNELS compute channels, dealt round robin over the nodes (bound to
 *    engine INSTANCE with -i, else spread by the driver).
 * 2. Submit cost: after one untimed submit per channel, SUBMITS (default
 *    4096, 0: none) single-job submits of an empty job, dealt round robin
 *    over the channels, each timed alone; waits for all of them.
 * 3. Load: JOBS SPIN jobs of SPIN_NS per channel, all queued at once, so
 *    every channel stays runnable while the caller measures the engines'
 *    decision counters; with -r, instead resubmits one SPIN job per
 *    channel RATE times a second in total (a steady trickle, for the
 *    telemetry cost with many channels).
 * 4. Prints one JSON line ({"channels", "vgpus", "submit_ns"}) once the
 *    load is queued, then waits for SIGTERM/SIGINT and exits (closing the
 *    nodes destroys the channels and fails their pending jobs).
 *
 * Exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "stats.h"
#include "units.h"

#define MAX_NODES 64

struct chan {
	int fd;
	__u32 handle;
	__u64 last;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "chanfill: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int submit(struct chan *c, __u64 spin_ns, unsigned int n)
{
	struct drm_gpucore_cmd cmd = { .op = GPUCORE_CMD_SPIN, .size = spin_ns };
	struct drm_gpucore_job jobs[16] = { 0 };
	struct drm_gpucore_submit s = {
		.channel = c->handle, .jobs_ptr = (__u64)(uintptr_t)jobs, .num_jobs = n,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		jobs[i].cmds_ptr = (__u64)(uintptr_t)&cmd;
		jobs[i].num_cmds = spin_ns ? 1 : 0;
	}
	ret = gcu_ioctl(c->fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	if (!ret)
		c->last = s.seqno + n - 1;
	return ret;
}

static void wait_last(struct chan *c)
{
	struct drm_gpucore_wait w = {
		.channel = c->handle, .seqno = c->last,
		.timeout_ns = mono_ns() + 120000000000ULL,
	};
	int ret;

	if (!c->last)
		return;
	ret = gcu_ioctl(c->fd, DRM_IOCTL_GPUCORE_WAIT, &w);
	if (ret)
		die("wait", ret);
}

static int open_nodes(char *list, int *fds)
{
	static struct gcu_dev dev[MAX_NODES];
	char err[256], *name, *save = NULL;
	int n = 0, ret;

	for (name = list ? strtok_r(list, ",", &save) : NULL; n < MAX_NODES;
	     name = strtok_r(NULL, ",", &save)) {
		ret = gcu_open(0, name, NULL, &dev[n], err, sizeof(err));
		if (ret) {
			fprintf(stderr, "chanfill: %s\n", err);
			exit(1);
		}
		fds[n] = dev[n].fd;
		n++;
		if (!list || !save || !*save)
			break;
	}
	return n;
}

static void create_channels(struct chan *ch, unsigned int n, const int *fds,
			    int nfds, int instance)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		struct drm_gpucore_channel_create cc = {
			.engine_class = GPUCORE_ENGINE_CLASS_COMPUTE,
			.flags = instance >= 0 ? GPUCORE_CHANNEL_ENGINE_INSTANCE : 0,
			.instance = instance >= 0 ? instance : 0,
		};

		ch[i].fd = fds[i % nfds];
		ret = gcu_ioctl(ch[i].fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc);
		if (ret)
			die("channel create", ret);
		ch[i].handle = cc.handle;
	}
}

/*
 * Median ns of @m single-job submits dealt round robin over @n channels.
 * Every channel gets one untimed submit first: a channel's first submit
 * sets up its completion ring, a one-time cost that is not what scales.
 */
static uint64_t submit_cost(struct chan *ch, unsigned int n, unsigned int m)
{
	struct u64_vec v = { 0 };
	unsigned int i;
	uint64_t t0, res;
	int ret;

	for (i = 0; i < n && m; i++) {
		ret = submit(&ch[i], 0, 1);
		if (ret)
			die("submit", ret);
	}
	for (i = 0; i < n && m; i++)
		wait_last(&ch[i]);
	for (i = 0; i < m; i++) {
		t0 = mono_ns();
		ret = submit(&ch[i % n], 0, 1);
		if (ret)
			die("submit", ret);
		if (u64_vec_push(&v, mono_ns() - t0))
			die("memory", ENOMEM);
	}
	for (i = 0; i < n && i < m; i++)
		wait_last(&ch[i]);
	u64_vec_sort(&v);
	res = percentile_sorted(v.v, v.len, 50);
	u64_vec_free(&v);
	return res;
}

/* -r: one SPIN job at a time, @rate per second over all channels. */
static void trickle(struct chan *ch, unsigned int n, __u64 spin_ns, double rate)
{
	struct timespec ts = { 0, (long)(1e9 / rate) };
	unsigned int i = 0;

	while (!stop) {
		int ret = submit(&ch[i], spin_ns, 1);

		if (ret && ret != -EAGAIN)
			die("trickle submit", ret);
		i = (i + 1) % n;
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	unsigned int n = 16, jobs = 2, m = 4096, i;
	int fds[MAX_NODES], nfds, opt, instance = -1, ret;
	uint64_t spin_ns = 1000000, sub;
	char *vgpus = NULL;
	double rate = 0;
	struct chan *ch;

	while ((opt = getopt(argc, argv, "c:V:j:s:m:i:r:")) != -1) {
		switch (opt) {
		case 'c': n = strtoul(optarg, NULL, 0); break;
		case 'V': vgpus = optarg; break;
		case 'j': jobs = strtoul(optarg, NULL, 0); break;
		case 's': spin_ns = strtoull(optarg, NULL, 0); break;
		case 'm': m = strtoul(optarg, NULL, 0); break;
		case 'i': instance = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		default:
			fprintf(stderr, "usage: chanfill -c CHANNELS [-V VGPU,...] [-j JOBS] [-s SPIN_NS] [-m SUBMITS] [-i INSTANCE] [-r RATE]\n");
			return 2;
		}
	}
	if (!n || jobs > 16)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	nfds = open_nodes(vgpus, fds);
	ch = calloc(n, sizeof(*ch));
	if (!ch)
		die("memory", ENOMEM);
	create_channels(ch, n, fds, nfds, instance);
	sub = submit_cost(ch, n, m);
	for (i = 0; i < n && jobs && rate <= 0; i++) {
		ret = submit(&ch[i], spin_ns, jobs);
		if (ret)
			die("load submit", ret);
	}
	printf("{\"channels\": %u, \"vgpus\": %d, \"submit_ns\": %llu}\n", n, nfds,
	       (unsigned long long)sub);
	fflush(stdout);
	if (rate > 0)
		trickle(ch, n, spin_ns, rate);
	while (!stop)
		pause();
	return 0;
}
