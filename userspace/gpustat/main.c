// SPDX-License-Identifier: MIT
/*
 * gpustat: the command line and the refresh loop.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "units.h"

static volatile sig_atomic_t stop;

/* "gpustat, engine, vgpu, channel, process or cgroup" */
static const char *object_names(void)
{
	static char buf[128];
	size_t k = 0;
	int i;

	for (i = 0; i < OBJ_COUNT; i++)
		k += snprintf(buf + k, sizeof(buf) - k, "%s%s",
			      i == 0 ? "" : i == OBJ_COUNT - 1 ? " or " : ", ", objects[i]->name);
	return buf;
}

static void usage(void)
{
	printf(
"Usage: gpustat [OPTION]...\n"
"A top-like view of gpucore GPUs: engine utilization, context switch overhead\n"
"and resets, each vGPU's share of engine time against its target, channels\n"
"with their process, queue depth and latency percentiles, from BPF programs\n"
"on the driver's tracepoints (and its sysfs counters).\n"
"\n"
"  -d, --delay SECONDS     refresh interval (default 1; 0.1 to 3600)\n"
"  -n, --iterations COUNT  stop after COUNT refreshes (default: run until quit)\n"
"  -b, --batch             plain text, one report per refresh (the default\n"
"                          when stdout is not a terminal)\n"
"  -j, --json              one JSON object per refresh and line (schema: docs/gpustat.md)\n"
"  -p, --prometheus [ADDR:]PORT\n"
"                          serve /metrics in the Prometheus text format,\n"
"                          read at each scrape (no interactive view unless\n"
"                          -b or -j also given; it serves until killed or\n"
"                          -n refreshes)\n"
"      --prometheus-channels\n"
"                          also a series per channel (labels channel, pid,\n"
"                          comm...: one per channel ever opened); by default\n"
"                          engines, vGPUs and processes only\n"
"  -f, --filter WORD       only vGPU WORD, pid WORD or commands containing WORD\n"
"                          (and their vGPUs) in every view, JSON and metrics;\n"
"                          engines and the policy are everyone's, shown whole\n"
"                          (a --record file keeps everything)\n"
"  -f, --filter cgroup=GLOB\n"
"                          only processes in a cgroup (container) matching\n"
"                          GLOB or under one, their vGPUs and cgroups\n"
"  -g, --group-by cgroup|process\n"
"                          the text views: a row per cgroup (container) or\n"
"                          per process and vGPU with its channels' sums,\n"
"                          for the channel table\n"
"  -o, --columns OBJECT=[+]FIELD,...\n"
"                          the text views' columns (a line's cells) of OBJECT:\n"
"                          %s; +FIELD,... adds to\n"
"                          the defaults, all is every field (--list-fields)\n"
"      --list-fields       each field: JSON key, metric, column (Markdown)\n"
"  -r, --record FILE       also write the event stream to FILE\n"
"  -R, --replay FILE       show a recording instead of the live GPUs\n"
"      --no-color          no colours in the interactive view\n"
"  -v, --verbose           libbpf's messages\n"
"  -h, --help              this help\n"
"      --version           the version\n"
"\n"
"Interactive keys: q quit, h help, < > sort column, r reverse, f filter,\n"
"space pause, + - interval, v switch view (vGPUs / channels / both).\n"
"\n"
"Loading the BPF programs needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN);\n"
"--replay does not.\n"
"\n"
"Exit status:\n"
"  0  ok                                  4  not allowed to load BPF programs\n"
"  1  other error                         5  terminal smaller than %dx%d\n"
"  2  usage error                         6  --prometheus address in use\n"
"  3  gpucore driver not loaded           7  --replay file unreadable or not a recording\n",
	       object_names(), GS_MIN_COLS, GS_MIN_LINES);
}

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gs_err("%s (see gpustat --help)", buf);
	exit(GS_USAGE);
}

static void on_signal(int sig)
{
	stop = 1;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

enum { OPT_VERSION = 0x100, OPT_NO_COLOR, OPT_LIST_FIELDS, OPT_PROM_CHANNELS };

/* -o OBJECT=LIST */
static void columns_opt(struct gs_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	int i;

	for (i = 0; eq && i < OBJ_COUNT; i++) {
		if (strlen(objects[i]->name) != (size_t)(eq - arg) ||
		    strncmp(objects[i]->name, arg, eq - arg))
			continue;
		o->columns[i] = eq + 1;
		return;
	}
	usage_error("bad --columns '%s': OBJECT=FIELD,... where OBJECT is %s", arg, object_names());
}

/* Columns show in the text views only: refused where there is none. */
static void columns(struct gs_opts *o)
{
	bool given = false;
	int i;

	for (i = 0; i < OBJ_COUNT; i++) {
		given |= o->columns[i] != NULL;
		if (cols_parse(&o->cols[i], objects[i], o->columns[i]))
			exit(GS_USAGE);
	}
	if (given && !o->batch && (o->json || o->prom_addr))
		usage_error("--columns picks the text views' columns; --json and --prometheus carry every field (add -b for text too)");
	if (o->group != OBJ_CHAN && !o->batch && (o->json || o->prom_addr))
		usage_error("--group-by groups the text views' rows; --json has the cgroups[] and processes[] too, Prometheus the process series (add -b for text)");
	if (o->prom_channels && !o->prom_addr)
		usage_error("--prometheus-channels goes with --prometheus");
}

static void parse(int argc, char **argv, struct gs_opts *o)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", required_argument, NULL, 'p' },
		{ "prometheus-channels", no_argument, NULL, OPT_PROM_CHANNELS },
		{ "filter", required_argument, NULL, 'f' },
		{ "columns", required_argument, NULL, 'o' },
		{ "group-by", required_argument, NULL, 'g' },
		{ "list-fields", no_argument, NULL, OPT_LIST_FIELDS },
		{ "record", required_argument, NULL, 'r' },
		{ "replay", required_argument, NULL, 'R' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:n:bjp:f:o:g:r:R:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->delay = strtod(optarg, &end);
			if (*end || !isfinite(o->delay) || o->delay < 0.1 || o->delay > 3600)
				usage_error("bad delay '%s': seconds, 0.1 to 3600", optarg);
			o->delay_set = true;
			break;
		case 'n':
			o->count = strtol(optarg, &end, 10);
			if (*end || o->count < 1)
				usage_error("bad count '%s': a positive integer", optarg);
			break;
		case 'b':
			o->batch = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->prom_addr = optarg;
			break;
		case OPT_PROM_CHANNELS:
			o->prom_channels = true;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'o':
			columns_opt(o, optarg);
			break;
		case 'g':
			if (!strcmp(optarg, "cgroup"))
				o->group = OBJ_CGROUP;
			else if (!strcmp(optarg, "process"))
				o->group = OBJ_PROC;
			else
				usage_error("bad --group-by '%s': cgroup or process", optarg);
			break;
		case 'r':
			o->record = optarg;
			break;
		case 'R':
			o->replay = optarg;
			break;
		case OPT_NO_COLOR:
			o->color = false;
			break;
		case 'v':
			gs_verbose = true;
			break;
		case 'h':
			usage();
			exit(GS_OK);
		case OPT_LIST_FIELDS:
			exit(fields_list(stdout) ? GS_ERR : GS_OK);
		case OPT_VERSION:
			printf("gpustat %s (recording format %d)\n", GPUSTAT_VERSION, GS_REC_VERSION);
			exit(GS_OK);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt && optopt < 0x100)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->record && o->replay)
		usage_error("--record and --replay exclude each other");
	columns(o);
}

/*
 * The refresh loop and the HTTP server's thread (a scrape) share the
 * source and its model: @lock is held while either reads or folds.
 */
struct run {
	struct gs_opts o;
	pthread_mutex_t lock;
	bool ready;		/* the source is open: a scrape may read it */
	struct source *src;
	struct tui *tui;
	struct prom *prom;
	struct snapshot snap;
	bool have_snap;
	bool interactive;
	bool text;
	unsigned int need;	/* what a refresh's snapshot works out (SN_*) */
};

static double delay_s(const struct run *r)
{
	return r->tui ? tui_delay(r->tui) : r->o.delay;
}

/* Replay in batch modes runs as fast as it reads. */
static bool paced(const struct run *r)
{
	return source_kind(r->src) != SRC_REPLAY || r->tui || r->prom;
}

static int output(struct run *r)
{
	if (r->o.json && json_print(stdout, &r->snap))
		return GS_ERR;
	if (r->text && text_print(stdout, &r->snap, &r->o))
		return GS_ERR;
	if ((r->o.json || r->text) && fflush(stdout)) {
		gs_err("cannot write the output: %s", strerror(errno));
		return GS_ERR;
	}
	if (r->tui)
		tui_draw(r->tui, &r->snap);
	return GS_OK;
}

/* /metrics: the model brought up to date and shown as of now. */
static char *render_scrape(void *arg)
{
	struct run *r = arg;
	struct snapshot s;
	char *text = NULL;
	uint64_t now;

	pthread_mutex_lock(&r->lock);
	if (!r->ready) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	source_read(r->src, &now);
	if (!model_snapshot(source_model(r->src), now, false, SN_ALL, &s)) {
		s.replay = source_kind(r->src) == SRC_REPLAY;
		snapshot_filter(&s, r->o.filter);
		text = prom_render(&s, r->o.prom_channels);
		snapshot_free(&s);
	}
	pthread_mutex_unlock(&r->lock);
	return text;
}

static int refresh(struct run *r, bool *done)
{
	uint64_t now;
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = source_update(r->src, &now);
	if (ret <= 0) {
		pthread_mutex_unlock(&r->lock);
		*done = true;
		return ret < 0 ? GS_BAD_FILE : GS_OK;
	}
	if (r->have_snap)
		snapshot_free(&r->snap);
	r->have_snap = !model_snapshot(source_model(r->src), now, true, r->need, &r->snap);
	pthread_mutex_unlock(&r->lock);
	if (!r->have_snap) {
		gs_err("out of memory");
		return GS_ERR;
	}
	r->snap.replay = source_kind(r->src) == SRC_REPLAY;
	if (!r->tui)	/* whose filter the user may change: it filters itself */
		snapshot_filter(&r->snap, r->o.filter);
	return output(r);
}

/* Until @deadline: keys, the ring buffer; false when asked to quit. */
static bool wait_until(struct run *r, uint64_t deadline)
{
	for (;;) {
		uint64_t now = mono_ns();
		int ms;

		if (stop)
			return false;
		pthread_mutex_lock(&r->lock);
		source_poll(r->src);
		pthread_mutex_unlock(&r->lock);
		if (now >= deadline && !(r->tui && tui_paused(r->tui)))
			return true;
		ms = now >= deadline ? 100 : (deadline - now) / NSEC_PER_MSEC + 1;
		ms = ms > 100 ? 100 : ms;
		if (!r->tui) {
			usleep(ms * 1000);
			continue;
		}
		switch (tui_input(r->tui, ms)) {
		case TUI_QUIT:
			return false;
		case TUI_REDRAW:
			if (r->have_snap)
				tui_draw(r->tui, &r->snap);
			break;
		default:
			break;
		}
	}
}

static int loop(struct run *r)
{
	uint64_t next = mono_ns();
	bool done = false;
	long n = 0;
	int ret;

	if (r->tui) {
		ret = refresh(r, &done);	/* a first screen at once */
		if (ret)
			return ret;
	}
	while (!stop) {
		next += (uint64_t)(delay_s(r) * NSEC_PER_SEC);
		if (paced(r) && !wait_until(r, next))
			break;
		if (done) {
			if (!r->tui)
				break;
			continue;	/* replay over: keep the last screen */
		}
		ret = refresh(r, &done);
		if (ret)
			return ret;
		if (!done && r->o.count && ++n >= r->o.count)
			break;
		if (done && !r->tui)
			break;
		if (mono_ns() > next + NSEC_PER_SEC)
			next = mono_ns();	/* fell behind (paused, slow): catch up */
	}
	return GS_OK;
}

static int start(struct run *r)
{
	struct gs_opts *o = &r->o;
	int ret;

	r->interactive = !o->batch && !o->json && !o->prom_addr && isatty(STDOUT_FILENO);
	r->text = o->batch || (!o->json && !o->prom_addr && !r->interactive);
	/* the interactive view changes its columns as it runs */
	r->need = o->json || r->interactive ? SN_ALL : 0;
	if (r->text)
		r->need |= cols_need(&o->cols[OBJ_VGPU]) | cols_need(&o->cols[o->group]);
	/* a report (a thousand rows: tens of KiB) is written at once, then flushed */
	if ((r->text || o->json) && !isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	/* the address (a usage error when bad) before the driver and BPF */
	if (o->prom_addr) {
		ret = prom_start(o->prom_addr, render_scrape, r, &r->prom);
		if (ret)
			return ret;
	}
	if (o->replay)
		ret = source_open_replay(&r->src, o->replay);
	else
		ret = source_open_live(&r->src, o->record);
	if (ret)
		return ret;
	if (o->replay && !o->delay_set && source_interval_ns(r->src))
		o->delay = source_interval_ns(r->src) / 1e9;
	if (o->record)
		source_set_interval(r->src, (uint64_t)(o->delay * NSEC_PER_SEC));
	pthread_mutex_lock(&r->lock);
	r->ready = true;
	pthread_mutex_unlock(&r->lock);
	if (r->interactive)
		return tui_start(&r->tui, o);
	return GS_OK;
}

int main(int argc, char **argv)
{
	struct run r = { .o = { .delay = 1, .color = true, .group = OBJ_CHAN },
			 .lock = PTHREAD_MUTEX_INITIALIZER };
	int ret;

	parse(argc, argv, &r.o);
	signals();
	ret = start(&r);
	if (!ret)
		ret = loop(&r);
	tui_stop(r.tui);
	prom_stop(r.prom);
	source_close(r.src);
	if (r.have_snap)
		snapshot_free(&r.snap);
	return ret;
}
