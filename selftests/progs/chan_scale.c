// SPDX-License-Identifier: MIT
/*
 * chan_scale: many channels on one GPU, all used at once.
 *
 *   chan_scale [-g GPU] [-V VGPU] [-c CHANNELS] [-s SPIN_NS]
 *
 * Creates CHANNELS channels on one node (spread over its compute engines
 * by the driver), submits one SPIN job to every channel, waits for all of
 * them with DRM_IOCTL_GPUCORE_WAIT (absolute timeout), checks every job
 * completed exactly once with status 0 and was charged at least its SPIN
 * time, then destroys every channel. Prints one summary line; exit 0 on
 * success, 1 on any failure (with the reason on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpucore_dev.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "chan_scale: %s: %s\n", what, strerror(-err));
	return 1;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int submit_spin(int fd, __u32 ch, __u64 ns, __u64 *seqno)
{
	struct drm_gpucore_cmd cmd = { .op = GPUCORE_CMD_SPIN, .size = ns };
	struct drm_gpucore_job job = {
		.cmds_ptr = (__u64)(uintptr_t)&cmd, .num_cmds = 1,
	};
	struct drm_gpucore_submit s = {
		.channel = ch, .jobs_ptr = (__u64)(uintptr_t)&job, .num_jobs = 1,
	};
	int ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);

	*seqno = s.seqno;
	return ret;
}

static int check_done(int fd, __u32 ch, __u64 seqno, __u64 spin_ns)
{
	struct drm_gpucore_wait w = {
		.channel = ch, .seqno = seqno, .timeout_ns = now_ns() + 120000000000ULL,
	};
	struct drm_gpucore_job_query q = { .channel = ch, .seqno = seqno };
	int ret;

	ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_WAIT, &w);
	if (ret)
		return ret;
	ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_JOB_QUERY, &q);
	if (ret)
		return ret;
	if (q.state != GPUCORE_JOB_DONE || q.status || q.busy_ns < spin_ns)
		return -EBADMSG;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int n = 4096, gpu = 0, i;
	unsigned long long spin = 20000, t0;
	const char *vgpu = NULL;
	struct gcu_dev dev;
	__u32 *handles;
	__u64 *seqnos;
	char err[256];
	int opt, ret;

	while ((opt = getopt(argc, argv, "g:V:c:s:")) != -1) {
		switch (opt) {
		case 'g': gpu = strtoul(optarg, NULL, 0); break;
		case 'V': vgpu = optarg; break;
		case 'c': n = strtoul(optarg, NULL, 0); break;
		case 's': spin = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: chan_scale [-g GPU] [-V VGPU] [-c CHANNELS] [-s SPIN_NS]\n");
			return 2;
		}
	}
	ret = gcu_open(gpu, vgpu, NULL, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "chan_scale: %s\n", err);
		return 1;
	}
	handles = calloc(n, sizeof(*handles));
	seqnos = calloc(n, sizeof(*seqnos));
	if (!handles || !seqnos)
		return fail("calloc", -ENOMEM);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		struct drm_gpucore_channel_create c = {
			.engine_class = GPUCORE_ENGINE_CLASS_COMPUTE,
		};

		ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &c);
		if (ret)
			return fail("CHANNEL_CREATE", ret);
		handles[i] = c.handle;
	}
	for (i = 0; i < n; i++) {
		ret = submit_spin(dev.fd, handles[i], spin, &seqnos[i]);
		if (ret)
			return fail("SUBMIT", ret);
	}
	for (i = 0; i < n; i++) {
		ret = check_done(dev.fd, handles[i], seqnos[i], spin);
		if (ret)
			return fail("job completion", ret);
	}
	for (i = 0; i < n; i++) {
		struct drm_gpucore_channel_destroy d = { .handle = handles[i] };

		ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &d);
		if (ret)
			return fail("CHANNEL_DESTROY", ret);
	}
	printf("%u channels: %u jobs completed exactly once in %.2f s\n",
	       n, n, (now_ns() - t0) / 1e9);
	free(handles);
	free(seqnos);
	gcu_close(&dev);
	return 0;
}
