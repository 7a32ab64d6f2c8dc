// SPDX-License-Identifier: MIT
/*
 * monkfuncs: run selftests/policies/mon_kfuncs.bpf.o, the checks of the
 * driver's monitor kfuncs, against one idle channel.
 *
 *   monkfuncs OBJ [-V VGPU] [-c CHECK]
 *
 * Creates a channel on GPU 0 (on VGPU's node, or the host tenant's),
 * completes one SPIN job on it, then loads OBJ and runs its syscall
 * program mon_check once, with the channel's id. Prints each check that
 * failed (only CHECK's with -c); exit 0 when none did, 1 otherwise or on
 * any error, 2 for a usage error or an unknown CHECK.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gpucore_dev.h"

/* The checks, in the order of mon_kfuncs.bpf.c's bits. */
static const char *const checks[][2] = {
	{ "channel-size", "a channel record of the wrong size is refused (EINVAL)" },
	{ "vgpu-size", "a vGPU record of the wrong size is refused (EINVAL)" },
	{ "engine-size", "an engine record of the wrong size is refused (EINVAL)" },
	{ "no-channel", "an id no channel has is refused (ENOENT)" },
	{ "no-gpu", "a vGPU index past the last GPU's is refused (ENOENT)" },
	{ "no-vgpu", "a vGPU that does not exist is refused (ENOENT)" },
	{ "no-engine", "an engine that does not exist is refused (ENOENT)" },
	{ "next-past-end", "no channel is found after the last id" },
	{ "first-copy", "the channel is copied with its one completed job, one bucket of each histogram counting it, the histogram's range that bucket" },
	{ "same-gen", "the unchanged channel is not copied again" },
	{ "vgpu-copy", "its vGPU is copied with its jobs and histograms" },
	{ "hists-size", "histograms of the wrong size are refused (EINVAL)" },
};

#define NR_CHECKS	(sizeof(checks) / sizeof(checks[0]))

static int one_job(const char *vgpu, __u32 *id)
{
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	struct drm_gpucore_cmd cmd = { .op = GPUCORE_CMD_SPIN, .size = 100000 };
	struct drm_gpucore_job job = { .cmds_ptr = (__u64)(uintptr_t)&cmd, .num_cmds = 1 };
	struct drm_gpucore_submit s = { .jobs_ptr = (__u64)(uintptr_t)&job, .num_jobs = 1 };
	struct drm_gpucore_wait w = { 0 };
	struct gcu_dev dev;
	struct timespec ts;
	char err[256];
	int ret;

	ret = gcu_open(0, vgpu, NULL, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "monkfuncs: %s\n", err);
		return -1;
	}
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &c);
	s.channel = c.handle;
	if (!ret)
		ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.channel = c.handle;
	w.seqno = s.seqno;
	w.timeout_ns = (ts.tv_sec + 120) * 1000000000ULL + ts.tv_nsec;
	if (!ret)
		ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_WAIT, &w);
	if (ret) {
		fprintf(stderr, "monkfuncs: a channel with one job: %s\n", strerror(-ret));
		return -1;
	}
	*id = c.id;
	return dev.fd;	/* kept open: the channel lives while it is */
}

static void usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: monkfuncs OBJ [-V VGPU] [-c CHECK]\nchecks:");
	for (i = 0; i < NR_CHECKS; i++)
		fprintf(stderr, " %s", checks[i][0]);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	unsigned int i, want = ~0u;
	const char *vgpu = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u32 id, failed;
	int opt, fd;

	while ((opt = getopt(argc, argv, "V:c:")) != -1) {
		switch (opt) {
		case 'V':
			vgpu = optarg;
			break;
		case 'c':
			for (i = 0; i < NR_CHECKS && strcmp(optarg, checks[i][0]); i++)
				;
			if (i == NR_CHECKS) {
				usage();
				return 2;
			}
			want = 1u << i;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	fd = one_job(vgpu, &id);
	if (fd < 0)
		return 1;
	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "monkfuncs: cannot load %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "mon_check");
	run.ctx_in = &id;
	run.ctx_size_in = sizeof(id);
	if (!prog || bpf_prog_test_run_opts(bpf_program__fd(prog), &run)) {
		fprintf(stderr, "monkfuncs: cannot run mon_check: %s\n", strerror(errno));
		return 1;
	}
	failed = run.retval & want;
	for (i = 0; i < NR_CHECKS; i++)
		if (failed & (1u << i))
			printf("failed: %s\n", checks[i][1]);
	if (failed >> NR_CHECKS)
		printf("failed: unknown checks 0x%x\n", failed >> NR_CHECKS);
	bpf_object__close(obj);
	close(fd);
	return failed ? 1 : 0;
}
