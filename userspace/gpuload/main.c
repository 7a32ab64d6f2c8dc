// SPDX-License-Identifier: MIT
/*
 * gpuload: create channels on a gpucore node, keep jobs in flight on each,
 * and report throughput, latency percentiles and verification results.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuload.h"
#include "units.h"

#define MAX_CHANNELS		4096
#define DEFAULT_DURATION_NS	(5 * NSEC_PER_SEC)
#define MIN_TIMEOUT_NS		(60 * NSEC_PER_SEC)

enum {
	OPT_BO_SIZE = 0x100,
	OPT_VERIFY,
	OPT_SYNC,
	OPT_TIMEOUT,
	OPT_VERSION,
	OPT_INTERACTIVE,
	OPT_NOPREEMPT,
};

static const char short_opts[] = ":D:g:V:c:E:i:s:k:r:q:t:n:jQh";

static const struct option long_opts[] = {
	{ "device",	  required_argument, NULL, 'D' },
	{ "gpu",	  required_argument, NULL, 'g' },
	{ "vgpu",	  required_argument, NULL, 'V' },
	{ "channels",	  required_argument, NULL, 'c' },
	{ "engine-class", required_argument, NULL, 'E' },
	{ "engine",	  required_argument, NULL, 'i' },
	{ "spin",	  required_argument, NULL, 's' },
	{ "kind",	  required_argument, NULL, 'k' },
	{ "bo-size",	  required_argument, NULL, OPT_BO_SIZE },
	{ "verify",	  no_argument,	     NULL, OPT_VERIFY },
	{ "rate",	  required_argument, NULL, 'r' },
	{ "depth",	  required_argument, NULL, 'q' },
	{ "duration",	  required_argument, NULL, 't' },
	{ "jobs",	  required_argument, NULL, 'n' },
	{ "sync",	  required_argument, NULL, OPT_SYNC },
	{ "timeout",	  required_argument, NULL, OPT_TIMEOUT },
	{ "json",	  no_argument,	     NULL, 'j' },
	{ "quiet",	  no_argument,	     NULL, 'Q' },
	{ "help",	  no_argument,	     NULL, 'h' },
	{ "version",	  no_argument,	     NULL, OPT_VERSION },
	{ "interactive",  no_argument,	     NULL, OPT_INTERACTIVE },
	{ "nopreempt",	  required_argument, NULL, OPT_NOPREEMPT },
	{ NULL, 0, NULL, 0 }
};

static void usage(void)
{
	printf(
"Usage: gpuload [OPTIONS]\n"
"Submit jobs to a gpucore device on one or more channels and report\n"
"throughput, queueing and completion latency, and verification errors.\n"
"\n"
"Device:\n"
"  -D, --device PATH        render node to open (default: GPU 0's host node)\n"
"  -g, --gpu N              GPU index, for the default node and --vgpu (default 0)\n"
"  -V, --vgpu NAME          open the render node of vGPU NAME on the GPU\n"
"\n"
"Channels and jobs:\n"
"  -c, --channels N         channels to create, one thread each (default 1)\n"
"  -E, --engine-class C     compute|copy (default compute)\n"
"  -i, --engine N           bind every channel to engine instance N of the\n"
"                           class (default: the driver picks)\n"
"      --interactive        create interactive-class channels (a hint that\n"
"                           latency-aware policies such as latency.bpf.o use)\n"
"  -k, --kind K             spin|fill|copy|mix (default spin):\n"
"                             spin  one SPIN command of --spin duration\n"
"                             fill  FILL the job's slice of a per-channel BO\n"
"                             copy  FILL a slice, then COPY it to a second BO\n"
"                             mix   jobs cycle through spin, fill and copy\n"
"  -s, --spin DUR[-DUR]     SPIN duration, fixed or uniform random in a range;\n"
"                           units ns, us, ms, s (e.g. 2ms, 100us-20ms); default 1ms\n"
"      --nopreempt N        make every Nth SPIN job of a channel non-preemptible\n"
"                           (GPUCORE_CMD_NOPREEMPT: once started it runs to its\n"
"                           end); 1: all of them; --kind spin or mix only\n"
"      --bo-size BYTES      data BO size (default 1M; K/M/G suffixes); each of\n"
"                           the --depth jobs in flight owns BYTES/depth of it\n"
"      --verify             check every FILL/COPY result byte for byte, and\n"
"                           stricter completion order checks\n"
"\n"
"Pace and length:\n"
"  -r, --rate N             jobs per second per channel (default: flat out)\n"
"  -q, --depth N            jobs in flight per channel (default 4)\n"
"  -t, --duration SEC       run time, seconds or with a unit (default 5; with\n"
"                           --jobs alone: no time limit)\n"
"  -n, --jobs N             jobs per channel, then stop (whichever comes first)\n"
"      --sync syncobj|wait  await completion with DRM syncobj out-fences\n"
"                           (drmSyncobjWait, default) or DRM_IOCTL_GPUCORE_WAIT\n"
"      --timeout SEC        a job not complete after SEC counts as lost\n"
"                           (default: 60s or more for long queues)\n"
"\n"
"Output:\n"
"  -j, --json               JSON report\n"
"  -Q, --quiet              only the total line\n"
"  -h, --help               this help\n"
"      --version            version and ABI version\n"
"\n"
"Every completion is checked: it must arrive once and in order, the job must\n"
"be done and succeed, and the channel counters of the driver must match.\n"
"\n"
"Exit status: 0 ok; 1 failed jobs or verification errors; 2 usage error;\n"
"3 no usable gpucore device; 5 an ioctl failed unexpectedly.\n");
}

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gl_err("%s (see gpuload --help)", buf);
	exit(EXIT_USAGE);
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static uint64_t opt_u64(const char *opt, const char *arg, uint64_t min,
			uint64_t max)
{
	uint64_t v;

	if (parse_u64(arg, &v) || v < min || v > max) {
		if (max == UINT64_MAX)
			usage_error("%s: '%s' is not a number >= %llu", opt,
				    arg, (unsigned long long)min);
		usage_error("%s: '%s' is not a number in %llu..%llu", opt, arg,
			    (unsigned long long)min, (unsigned long long)max);
	}
	return v;
}

static uint64_t opt_seconds(const char *opt, const char *arg)
{
	uint64_t ns;

	if (parse_duration_ns(arg, NSEC_PER_SEC, &ns) || !ns)
		usage_error("%s: '%s' is not a positive time (e.g. 2.5, 500ms)",
			    opt, arg);
	return ns;
}

static void opt_spin(struct gl_config *cfg, const char *arg)
{
	if (parse_duration_range(arg, 0, &cfg->spin_min_ns, &cfg->spin_max_ns))
		usage_error("--spin: '%s' is not a duration or MIN-MAX range with units (e.g. 2ms, 100us-20ms)",
			    arg);
	if (cfg->spin_max_ns > GPUCORE_MAX_SPIN_NS)
		usage_error("--spin: '%s' exceeds the driver's 10s per SPIN command",
			    arg);
}

static double opt_rate(const char *arg)
{
	char *end;
	double r;

	errno = 0;
	r = strtod(arg, &end);
	if (errno || *end || end == arg || !isfinite(r) || r <= 0 || r > 1e9)
		usage_error("--rate: '%s' is not a positive number of jobs per second",
			    arg);
	return r;
}

static int opt_choice(const char *opt, const char *const *names, int n,
		      const char *arg, const char *choices)
{
	int v = lookup(names, n, arg);

	if (v < 0)
		usage_error("%s: unknown value '%s' (one of %s)", opt, arg,
			    choices);
	return v;
}

static void bad_option(int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		usage_error("option '%s' needs an argument", opt);
	if (optopt && optopt < 0x100)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", opt);
}

/* Options whose absence matters. */
struct opt_seen {
	bool duration;
	bool gpu;
};

static void parse_one(struct gl_config *cfg, int c, char **argv,
		      struct opt_seen *seen)
{
	uint64_t v;

	switch (c) {
	case 'D':
		cfg->device = optarg;
		break;
	case 'g':
		cfg->gpu = (int)opt_u64("--gpu", optarg, 0, 4095);
		seen->gpu = true;
		break;
	case 'V':
		cfg->vgpu = optarg;
		break;
	case 'c':
		cfg->channels = (unsigned int)opt_u64("--channels", optarg, 1,
						      MAX_CHANNELS);
		break;
	case 'E':
		cfg->engine_class = (unsigned int)gcu_engine_class_parse(optarg);
		if (cfg->engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
			usage_error("--engine-class: unknown class '%s' (compute or copy)",
				    optarg);
		break;
	case 'i':
		cfg->engine_instance = (int)opt_u64("--engine", optarg, 0,
						    GPUCORE_MAX_ENGINES - 1);
		break;
	case 's':
		opt_spin(cfg, optarg);
		break;
	case 'k':
		cfg->kind = (enum gl_kind)opt_choice("--kind", gl_kind_names, GL_KIND_COUNT,
						     optarg, "spin, fill, copy, mix");
		break;
	case OPT_BO_SIZE:
		if (parse_size(optarg, &v) || v < 4 || v > (1ULL << 40))
			usage_error("--bo-size: '%s' is not a size in 4..1T (e.g. 4096, 64K, 1M)",
				    optarg);
		cfg->bo_size = v;
		break;
	case OPT_VERIFY:
		cfg->verify = true;
		break;
	case 'r':
		cfg->rate = opt_rate(optarg);
		break;
	case 'q':
		cfg->depth = (unsigned int)opt_u64("--depth", optarg, 1,
						   GPUCORE_MAX_QUEUED_JOBS);
		break;
	case 't':
		cfg->duration_ns = opt_seconds("--duration", optarg);
		seen->duration = true;
		break;
	case 'n':
		cfg->max_jobs = opt_u64("--jobs", optarg, 1, UINT64_MAX);
		break;
	case OPT_SYNC:
		cfg->sync = (enum gl_sync)opt_choice("--sync", gl_sync_names, GL_SYNC_COUNT,
						     optarg, "syncobj, wait");
		break;
	case OPT_TIMEOUT:
		cfg->timeout_ns = opt_seconds("--timeout", optarg);
		break;
	case 'j':
		cfg->json = true;
		break;
	case OPT_INTERACTIVE:
		cfg->interactive = true;
		break;
	case OPT_NOPREEMPT:
		cfg->nopreempt = opt_u64("--nopreempt", optarg, 1, UINT64_MAX);
		break;
	case 'Q':
		cfg->quiet = true;
		break;
	case 'h':
		usage();
		exit(EXIT_OK);
	case OPT_VERSION:
		printf("gpuload %s (gpucore ABI %d)\n", GPULOAD_VERSION,
		       GPUCORE_ABI_VERSION);
		exit(EXIT_OK);
	default:
		bad_option(c, argv);
	}
}

/* Long enough for every queued job to get its turn on a busy GPU. */
static uint64_t default_timeout(const struct gl_config *cfg)
{
	double queued = (double)cfg->spin_max_ns * cfg->depth * cfg->channels;
	double t = 10 * queued;

	return t > MIN_TIMEOUT_NS ? (uint64_t)t : MIN_TIMEOUT_NS;
}

static void check_config(struct gl_config *cfg, const struct opt_seen *seen)
{
	if (cfg->vgpu && !gcu_vgpu_name_valid(cfg->vgpu))
		usage_error("--vgpu: '%s' is not a vGPU name (1..%d characters, no '/')",
			    cfg->vgpu, GPUCORE_NAME_LEN - 1);
	if (cfg->device && (cfg->vgpu || seen->gpu))
		usage_error("--device names the node: do not combine it with --gpu or --vgpu");
	if (cfg->kind != GL_KIND_SPIN && cfg->bo_size / cfg->depth < 4)
		usage_error("--bo-size %llu is too small for --depth %u: each job in flight needs 4 bytes or more",
			    (unsigned long long)cfg->bo_size, cfg->depth);
	if (cfg->nopreempt && cfg->kind != GL_KIND_SPIN && cfg->kind != GL_KIND_MIX)
		usage_error("--nopreempt flags SPIN commands: use it with --kind spin or mix");
	if (!seen->duration && !cfg->max_jobs)
		cfg->duration_ns = DEFAULT_DURATION_NS;
	if (!cfg->timeout_ns)
		cfg->timeout_ns = default_timeout(cfg);
	if (cfg->json && cfg->quiet)
		usage_error("--json and --quiet exclude each other");
}

static void parse_args(struct gl_config *cfg, int argc, char **argv)
{
	struct opt_seen seen = { 0 };
	int c;

	*cfg = (struct gl_config){
		.channels = 1,
		.engine_class = GPUCORE_ENGINE_CLASS_COMPUTE,
		.engine_instance = -1,
		.spin_min_ns = NSEC_PER_MSEC,
		.spin_max_ns = NSEC_PER_MSEC,
		.kind = GL_KIND_SPIN,
		.bo_size = 1ULL << 20,
		.depth = 4,
		.sync = GL_SYNC_SYNCOBJ,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
		parse_one(cfg, c, argv, &seen);
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_config(cfg, &seen);
}

static int open_device(struct gl_run *run)
{
	const struct gl_config *cfg = run->cfg;
	char err[512];

	if (gcu_open(cfg->gpu, cfg->vgpu, cfg->device, &run->dev, err,
			 sizeof(err))) {
		gl_err("%s", err);
		return EXIT_NO_DEVICE;
	}
	return 0;
}

static int need_feature(const struct gl_run *run, uint64_t bit,
			const char *what)
{
	if (run->dev.info.features & bit)
		return 0;
	gl_err("%s: the driver does not support %s", run->dev.path, what);
	return EXIT_NO_DEVICE;
}

static int check_device(const struct gl_run *run)
{
	const struct gl_config *cfg = run->cfg;
	const char *cls = gcu_engine_class_name(cfg->engine_class);
	unsigned int n = gcu_count_engines(&run->dev, cfg->engine_class);
	int ret;

	ret = need_feature(run, GPUCORE_FEAT_JOB_QUERY, "DRM_IOCTL_GPUCORE_JOB_QUERY");
	if (!ret && cfg->sync == GL_SYNC_SYNCOBJ)
		ret = need_feature(run, GPUCORE_FEAT_SYNCOBJ, "syncobj fences (try --sync wait)");
	if (!ret && cfg->sync == GL_SYNC_WAIT)
		ret = need_feature(run, GPUCORE_FEAT_WAIT, "DRM_IOCTL_GPUCORE_WAIT (try --sync syncobj)");
	if (!ret && cfg->nopreempt)
		ret = need_feature(run, GPUCORE_FEAT_CMD_FLAGS, "command flags (--nopreempt)");
	if (ret)
		return ret;
	if (!n) {
		gl_err("GPU %u has no %s engine (see --engine-class)",
		       run->dev.info.gpu_id, cls);
		return EXIT_USAGE;
	}
	if (cfg->engine_instance >= (int)n) {
		gl_err("--engine %d: GPU %u has %u %s engine(s), instances 0..%u",
		       cfg->engine_instance, run->dev.info.gpu_id, n, cls, n - 1);
		return EXIT_USAGE;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&gl_stop, true);
}

/* SIGINT/SIGTERM: stop submitting, drain, report. A second one kills. */
static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int setup_channels(struct gl_run *run)
{
	unsigned int i;

	run->chans = calloc(run->cfg->channels, sizeof(*run->chans));
	if (!run->chans) {
		gl_err("out of memory");
		return EXIT_IOCTL;
	}
	for (i = 0; i < run->cfg->channels; i++)
		if (gl_chan_setup(run, &run->chans[i], i))
			return EXIT_IOCTL;
	return 0;
}

static int teardown_channels(struct gl_run *run)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; run->chans && i < run->cfg->channels; i++) {
		if (gl_chan_teardown(&run->chans[i]))
			ret = EXIT_IOCTL;
		u64_vec_free(&run->chans[i].wait_ns);
		u64_vec_free(&run->chans[i].lat_ns);
	}
	free(run->chans);
	run->chans = NULL;
	return ret;
}

static int run_threads(struct gl_run *run)
{
	unsigned int i, n = run->cfg->channels;
	int ret;

	ret = pthread_barrier_init(&run->barrier, NULL, n);
	if (ret) {
		gl_err("pthread_barrier_init: %s", strerror(ret));
		return EXIT_IOCTL;
	}
	for (i = 0; i < n; i++) {
		ret = pthread_create(&run->chans[i].thread, NULL,
				     gl_chan_thread, &run->chans[i]);
		if (ret) {
			/* The others wait at the barrier; the fd's close cleans up. */
			gl_err("pthread_create: %s", strerror(ret));
			exit(EXIT_IOCTL);
		}
	}
	for (i = 0; i < n; i++)
		pthread_join(run->chans[i].thread, NULL);
	pthread_barrier_destroy(&run->barrier);
	return 0;
}

/* 4 when an ioctl failed, else 1 on any failed job or error, else 0. */
static int run_status(const struct gl_run *run)
{
	const struct gl_counters *c;
	unsigned int i;
	int ret = EXIT_OK;

	for (i = 0; i < run->cfg->channels; i++) {
		c = &run->chans[i].c;
		if (run->chans[i].fatal)
			return EXIT_IOCTL;
		if (c->failed || c->lost || c->duplicated || c->mismatches ||
		    c->inconsistent)
			ret = EXIT_JOB_ERRORS;
	}
	return ret;
}

static int report(struct gl_run *run)
{
	if (!run->cfg->json) {
		gl_report_text(run);
		return 0;
	}
	return gl_report_json(run) ? EXIT_IOCTL : 0;
}

int main(int argc, char **argv)
{
	struct gl_config cfg;
	struct gl_run run = { .cfg = &cfg };
	int ret, status, td;

	parse_args(&cfg, argc, argv);
	ret = open_device(&run);
	if (!ret)
		ret = check_device(&run);
	if (ret)
		return ret;
	setup_signals();
	ret = setup_channels(&run);
	if (!ret)
		ret = run_threads(&run);
	if (ret) {
		teardown_channels(&run);
		gcu_close(&run.dev);
		return ret;
	}
	status = run_status(&run);
	ret = report(&run);
	td = teardown_channels(&run);
	gcu_close(&run.dev);
	if (status == EXIT_IOCTL || ret || td)
		return EXIT_IOCTL;
	return status;
}
