// SPDX-License-Identifier: MIT
/*
 * retirebo: a job that holds a buffer object and completes in the
 * engine's timer, so that the job's references (its buffers, its channel)
 * are dropped later by the driver's retire worker, after this client has
 * closed everything.
 *
 *   retirebo [-V VGPU] [-s BYTES]
 *
 * Creates a buffer of BYTES (8 MiB) and a channel on GPU 0 (VGPU's node,
 * or the host tenant's), submits one job, a FILL of the whole buffer and
 * then a 20 ms SPIN, waits for it, checks it completed, closes the
 * buffer's handle and the file, and exits 0; 1 on any failure, with the
 * reason on stderr.
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
	fprintf(stderr, "retirebo: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	struct drm_gpucore_bo_create bo = { .size = 8 << 20 };
	/*
	 * A FILL runs in the engine's thread, a SPIN ends in its timer: the
	 * job completes there, and its references go to the retire worker.
	 */
	struct drm_gpucore_cmd cmds[2] = {
		{ .op = GPUCORE_CMD_FILL, .value = 0x5a5a5a5a },
		{ .op = GPUCORE_CMD_SPIN, .size = 20000000 },
	};
	struct drm_gpucore_job job = { .cmds_ptr = (__u64)(uintptr_t)cmds, .num_cmds = 2 };
	struct drm_gpucore_submit s = { .jobs_ptr = (__u64)(uintptr_t)&job, .num_jobs = 1 };
	struct drm_gpucore_job_query q = { 0 };
	struct drm_gpucore_wait w = { 0 };
	struct drm_gem_close gc = { 0 };
	const char *vgpu = NULL;
	struct gcu_dev dev;
	struct timespec ts;
	char err[256];
	int opt, ret;

	while ((opt = getopt(argc, argv, "V:s:")) != -1) {
		switch (opt) {
		case 'V': vgpu = optarg; break;
		case 's': bo.size = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: retirebo [-V VGPU] [-s BYTES]\n");
			return 1;
		}
	}
	if (gcu_open(0, vgpu, NULL, &dev, err, sizeof(err))) {
		fprintf(stderr, "retirebo: %s\n", err);
		return 1;
	}
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_BO_CREATE, &bo);
	if (ret)
		return fail("BO_CREATE", ret);
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &c);
	if (ret)
		return fail("CHANNEL_CREATE", ret);
	cmds[0].dst_handle = bo.handle;
	cmds[0].size = bo.size;
	s.channel = c.handle;
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	if (ret)
		return fail("SUBMIT", ret);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.channel = c.handle;
	w.seqno = s.seqno;
	w.timeout_ns = (ts.tv_sec + 120) * 1000000000ULL + ts.tv_nsec;
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_WAIT, &w);
	if (ret)
		return fail("WAIT", ret);
	q.channel = c.handle;
	q.seqno = s.seqno;
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_JOB_QUERY, &q);
	if (ret)
		return fail("JOB_QUERY", ret);
	if (q.state != GPUCORE_JOB_DONE || q.status)
		return fail("the job", q.status ?: -EBADMSG);
	gc.handle = bo.handle;
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GEM_CLOSE, &gc);
	if (ret)
		return fail("GEM_CLOSE", ret);
	gcu_close(&dev);
	return 0;
}
