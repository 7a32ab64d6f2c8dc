// SPDX-License-Identifier: MIT
/*
 * hangjob: submit a hanging job and report how the driver recovered.
 *
 *   hangjob [-D PATH | [-g GPU] [-V VGPU]] [-k K] [-s DUR] [-t DUR]
 *
 * On one node (default: GPU 0's host tenant) creates a compute channel and
 * submits, in one SUBMIT, a job of one hanging SPIN (GPUCORE_CMD_NOPREEMPT |
 * GPUCORE_CMD_HANG, size 0) followed by K jobs of one normal SPIN each,
 * queued behind it, every job with an out-syncobj. Waits for every fence,
 * then tries one more SUBMIT on the same channel, and prints one line of
 * JSON:
 *
 *   {"hang_status": -110, "queued_status": [-125, ...], "detect_ms": 10012.3,
 *    "resubmit_errno": -5}
 *
 * hang_status and queued_status are the errors the jobs' fences signalled
 * with (negative errnos, 0 for none); where a fence carries no error, the
 * status JOB_QUERY reports. detect_ms is the driver's time from the SUBMIT
 * to the hanging job's completion (JOB_QUERY end_ns - submit_ns).
 * resubmit_errno is the errno of the last SUBMIT (negative; 0 if accepted).
 * The values are reported, not judged: the test asserts them.
 *
 * Exit status: 0 it ran and printed the line; 1 a call failed or the
 * fences did not all signal within the timeout (the reason on stderr);
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "gpucore_dev.h"
#include "units.h"

#define DEFAULT_SPIN_NS		NSEC_PER_MSEC
#define DEFAULT_TIMEOUT_NS	(60 * NSEC_PER_SEC)
/* The hanging job and the queued ones go in one SUBMIT, so all are queued. */
#define MAX_QUEUED		(GPUCORE_MAX_JOBS_PER_SUBMIT - 1)

struct opts {
	const char *device;
	const char *vgpu;
	int gpu;
	bool gpu_set;
	int engine;		/* compute instance, -1: the driver picks */
	unsigned int queued;
	uint64_t spin_ns;
	uint64_t timeout_ns;
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: hangjob [OPTIONS]\n"
"Submit a hanging job (SPIN with GPUCORE_CMD_NOPREEMPT|GPUCORE_CMD_HANG) and\n"
"K normal SPIN jobs behind it on a new channel, wait until the job timeout\n"
"stops it, try one more SUBMIT on the channel, and print the outcome as JSON:\n"
"  {\"hang_status\": ERRNO, \"queued_status\": [ERRNO, ...], \"detect_ms\": MS,\n"
"   \"resubmit_errno\": ERRNO}   (negative errnos, 0: none)\n"
"\n"
"  -D, --device PATH    render node to open (default: GPU 0's host node)\n"
"  -g, --gpu N          GPU index, for the default node and --vgpu (default 0)\n"
"  -V, --vgpu NAME      open the render node of vGPU NAME on the GPU\n"
"  -i, --engine N       bind the channel to compute engine N (default: the\n"
"                       driver picks)\n"
"  -k, --queued K       normal SPIN jobs queued behind the hanging one\n"
"                       (0..%d, default 0)\n"
"  -s, --spin DUR       length of each queued SPIN (units ns, us, ms, s;\n"
"                       default 1ms)\n"
"  -t, --timeout DUR    how long to wait for the fences (a bare number is\n"
"                       seconds; default 60s)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 ran and printed the JSON; 1 a call failed or the fences did\n"
"not signal in time; 2 usage error.\n", MAX_QUEUED);
}

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hangjob: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see hangjob --help)\n");
	exit(2);
}

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hangjob: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t opt_u64(const char *opt, const char *arg, uint64_t max)
{
	uint64_t v;

	if (parse_u64(arg, &v) || v > max)
		usage_error("%s: '%s' is not a number in 0..%" PRIu64, opt, arg, max);
	return v;
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "device",  required_argument, NULL, 'D' },
		{ "gpu",     required_argument, NULL, 'g' },
		{ "vgpu",    required_argument, NULL, 'V' },
		{ "engine",  required_argument, NULL, 'i' },
		{ "queued",  required_argument, NULL, 'k' },
		{ "spin",    required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help",    no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*o = (struct opts){ .spin_ns = DEFAULT_SPIN_NS, .timeout_ns = DEFAULT_TIMEOUT_NS,
			    .engine = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":D:g:V:i:k:s:t:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->device = optarg;
			break;
		case 'g':
			o->gpu = (int)opt_u64("--gpu", optarg, 4095);
			o->gpu_set = true;
			break;
		case 'V':
			o->vgpu = optarg;
			break;
		case 'i':
			o->engine = (int)opt_u64("--engine", optarg, GPUCORE_MAX_ENGINES - 1);
			break;
		case 'k':
			o->queued = (unsigned int)opt_u64("--queued", optarg, MAX_QUEUED);
			break;
		case 's':
			if (parse_duration_ns(optarg, 0, &o->spin_ns) ||
			    o->spin_ns > GPUCORE_MAX_SPIN_NS)
				usage_error("--spin: '%s' is not a duration with a unit, at most %llus (e.g. 1ms)",
					    optarg, GPUCORE_MAX_SPIN_NS / NSEC_PER_SEC);
			break;
		case 't':
			if (parse_duration_ns(optarg, NSEC_PER_SEC, &o->timeout_ns) ||
			    !o->timeout_ns)
				usage_error("--timeout: '%s' is not a positive time (e.g. 60, 90s)",
					    optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->vgpu && !gcu_vgpu_name_valid(o->vgpu))
		usage_error("--vgpu: '%s' is not a vGPU name", o->vgpu);
	if (o->device && (o->vgpu || o->gpu_set))
		usage_error("--device names the node: do not combine it with --gpu or --vgpu");
}

/*
 * The error a signalled fence carries, read through a sync_file: a
 * negative errno, 0 when it signalled without one.
 */
static int fence_error(int fd, uint32_t syncobj)
{
	struct sync_file_info info;
	int sf = -1;

	if (drmSyncobjExportSyncFile(fd, syncobj, &sf))
		die("DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD (export sync_file): %s", strerror(errno));
	memset(&info, 0, sizeof(info));
	if (ioctl(sf, SYNC_IOC_FILE_INFO, &info))
		die("SYNC_IOC_FILE_INFO: %s", strerror(errno));
	close(sf);
	return info.status < 0 ? info.status : 0;
}

static void job_query(int fd, uint32_t ch, uint64_t seqno, struct drm_gpucore_job_query *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->channel = ch;
	q->seqno = seqno;
	ret = gcu_ioctl(fd, DRM_IOCTL_GPUCORE_JOB_QUERY, q);
	if (ret)
		die("DRM_IOCTL_GPUCORE_JOB_QUERY of job %" PRIu64 ": %s", seqno, strerror(-ret));
	if (q->state != GPUCORE_JOB_DONE)
		die("job %" PRIu64 ": its fence signalled but JOB_QUERY reports state %u, not done",
		    seqno, q->state);
}

/* The job's outcome: its fence's error, else what JOB_QUERY reports. */
static int job_status(int fd, uint32_t ch, uint64_t seqno, uint32_t syncobj,
		      struct drm_gpucore_job_query *q)
{
	int err = fence_error(fd, syncobj);

	job_query(fd, ch, seqno, q);
	if (err && q->status != err)
		fprintf(stderr, "hangjob: note: job %" PRIu64 "'s fence signalled %d, JOB_QUERY reports status %d\n",
			seqno, err, q->status);
	return err ? err : q->status;
}

int main(int argc, char **argv)
{
	struct drm_gpucore_cmd hang = {
		.op = GPUCORE_CMD_SPIN, .flags = GPUCORE_CMD_NOPREEMPT | GPUCORE_CMD_HANG,
	};
	struct drm_gpucore_cmd spin = { .op = GPUCORE_CMD_SPIN };
	struct drm_gpucore_job jobs[MAX_QUEUED + 1];
	struct drm_gpucore_job extra = { .cmds_ptr = (uintptr_t)&spin, .num_cmds = 1 };
	uint32_t syncobjs[MAX_QUEUED + 1];
	int status[MAX_QUEUED + 1];
	struct drm_gpucore_channel_create cc = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	struct drm_gpucore_submit sub = { 0 };
	struct drm_gpucore_job_query q;
	struct gcu_dev dev;
	unsigned int n, i;
	int hang_status, resubmit, ret;
	uint64_t detect_ns;
	char err[512];
	struct opts o;

	parse_args(&o, argc, argv);
	n = o.queued + 1;
	spin.size = o.spin_ns;
	if (o.engine >= 0) {
		cc.flags = GPUCORE_CHANNEL_ENGINE_INSTANCE;
		cc.instance = o.engine;
	}
	if (gcu_open(o.gpu, o.vgpu, o.device, &dev, err, sizeof(err)))
		die("%s", err);
	if (!(dev.info.features & GPUCORE_FEAT_CMD_FLAGS))
		die("%s: the driver has no command flags (GPUCORE_FEAT_CMD_FLAGS)", dev.path);
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc);
	if (ret)
		die("DRM_IOCTL_GPUCORE_CHANNEL_CREATE: %s", strerror(-ret));

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < n; i++) {
		if (drmSyncobjCreate(dev.fd, 0, &syncobjs[i]))
			die("DRM_IOCTL_SYNCOBJ_CREATE: %s", strerror(errno));
		jobs[i].cmds_ptr = (uintptr_t)(i ? &spin : &hang);
		jobs[i].num_cmds = 1;
		jobs[i].flags = GPUCORE_JOB_OUT_SYNCOBJ;
		jobs[i].out_syncobj = syncobjs[i];
	}
	sub.channel = cc.handle;
	sub.jobs_ptr = (uintptr_t)jobs;
	sub.num_jobs = n;
	ret = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_SUBMIT, &sub);
	if (ret == -EINVAL)
		die("DRM_IOCTL_GPUCORE_SUBMIT: %s (is the GPU's job_timeout_ms 0?)", strerror(-ret));
	if (ret)
		die("DRM_IOCTL_GPUCORE_SUBMIT: %s", strerror(-ret));

	ret = drmSyncobjWait(dev.fd, syncobjs, n, (int64_t)(mono_ns() + o.timeout_ns),
			     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
	if (ret == -ETIME)
		die("the jobs' fences did not all signal within %.1f s (is the job timeout longer? see --timeout)",
		    o.timeout_ns / 1e9);
	if (ret)
		die("DRM_IOCTL_SYNCOBJ_WAIT: %s", strerror(-ret));

	hang_status = job_status(dev.fd, cc.handle, sub.seqno, syncobjs[0], &q);
	detect_ns = q.end_ns - q.submit_ns;
	for (i = 1; i < n; i++)
		status[i] = job_status(dev.fd, cc.handle, sub.seqno + i, syncobjs[i], &q);
	sub.jobs_ptr = (uintptr_t)&extra;
	sub.num_jobs = 1;
	sub.seqno = 0;
	resubmit = gcu_ioctl(dev.fd, DRM_IOCTL_GPUCORE_SUBMIT, &sub);

	printf("{\"hang_status\": %d, \"queued_status\": [", hang_status);
	for (i = 1; i < n; i++)
		printf("%s%d", i > 1 ? ", " : "", status[i]);
	printf("], \"detect_ms\": %.3f, \"resubmit_errno\": %d}\n", detect_ns / 1e6, resubmit);

	for (i = 0; i < n; i++)
		drmSyncobjDestroy(dev.fd, syncobjs[i]);
	gcu_close(&dev);
	return 0;
}
