/* SPDX-License-Identifier: MIT */
/*
 * gpustat: a top-like monitor of gpucore GPUs fed by BPF telemetry.
 *
 * main.c    the command line, the refresh loop, errors and exit codes
 * source.c  where aggregates come from: the BPF program's maps (live),
 *           its ring buffer (--record) or a file (--replay)
 * record.c  the recording file: header, events
 * model.c   aggregates -> snapshot: rates, shares, percentiles; sysfs
 * fields.c  one descriptor per field shown: the tables every output
 *           below is drawn from, and --list-fields
 * table.c   columns and lines of fields for the text views
 * tui.c     the interactive ncurses view
 * text.c    batch mode text
 * json.c    --json
 * prom.c    --prometheus: the /metrics endpoint
 */
#ifndef GPUSTAT_MONITOR_H
#define GPUSTAT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exit.h"
#include "fields.h"
#include "gpustat.h"
#include "table.h"

/*
 * @src (at most @max bytes, or up to its NUL) into @dst of @len bytes,
 * cut to fit: what snprintf("%.*s") does, without its cost on the names
 * and cells of every channel a refresh.
 */
static inline char *copy_str(char *dst, size_t len, const char *src, size_t max)
{
	size_t n = strnlen(src, max < len - 1 ? max : len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
	return dst;
}

#define GPUSTAT_VERSION		"1.0"
#define GS_HISTORY		60	/* utilization samples kept per engine */
#define GS_MIN_COLS		80
#define GS_MIN_LINES		24
#define GS_CGROUP_LEN		256	/* a cgroup v2 path; a longer one is cut */

/* Exit codes (documented in --help and docs/). */
/* Exit statuses: 0 to 4 as every tool's (userspace/common/exit.h). */
enum gs_exit {
	GS_OK = GCU_EXIT_OK,
	GS_ERR = GCU_EXIT_ERR,		/* any other error */
	GS_USAGE = GCU_EXIT_USAGE,	/* bad command line */
	GS_NO_DRIVER = GCU_EXIT_NO_DRIVER, /* gpucore driver not loaded */
	GS_NO_PRIV = GCU_EXIT_NO_PRIV,	/* not allowed to load BPF programs */
	GS_TERM_SMALL = GCU_EXIT_TOOL,	/* terminal smaller than 80x24 */
	GS_PORT_BUSY,			/* --prometheus address in use */
	GS_BAD_FILE,			/* --replay file unreadable or not a recording */
};

/* Aggregates: what the BPF program keeps, or a replay rebuilds. */
struct gs_mchan {
	struct gs_chan c;
	struct gpucore_hists h;	/* its histograms */
	uint64_t prev_busy;
	uint64_t prev_jobs;
	struct gpucore_hist prev_lat;
	struct gpucore_hist prev_wait;
	uint64_t busy_out;	/* the busy time last shown (refresh or scrape) */
	double util;		/* over the last refresh interval */
	bool present;		/* seen in the last read */
	bool reported_dead;	/* shown once after its destroy */
	bool cgroup_known;	/* cgroup read (GS_EV_CHAN_CGROUP) */
	int32_t cgroup_pid;	/* the process it was read for */
	char cgroup[GS_CGROUP_LEN];	/* its process's cgroup; "": unknown */
};

/* What a cgroup's channels gone since were charged (its row adds it). */
struct gs_mcgroup {
	char cgroup[GS_CGROUP_LEN];
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
};

/* What a process's channels gone since were charged (its row adds it). */
struct gs_mproc {
	uint32_t gpu;
	uint32_t vgpu;
	int32_t pid;
	char comm[GS_COMM_LEN];
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
	struct gpucore_hist wait;
	struct gpucore_hist lat;
};

/* The figures of a vGPU over the last refresh interval. */
struct gs_vlast {
	double share;
	double target;
	double util;
	bool active;
};

struct gs_model {
	struct gs_engine eng[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	struct gs_vgpu vg[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	struct gpucore_hists vh[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	struct gs_global glob;
	struct gs_mchan **chans;	/* sorted by id */
	uint32_t *chan_ids;		/* their ids, in the same order */
	size_t nchans;
	size_t cap_chans;
	size_t chan_hint;		/* where the last lookup found its channel */
	struct gs_mcgroup *cgs;	/* of the cgroups with channels */
	size_t ncgs;
	struct gs_mproc *procs;	/* of the processes with channels */
	size_t nprocs;
	/* not in any event: sysfs or POLICY_* records */
	char engine_name[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES][16];
	uint32_t ngpus;
	uint32_t nengines[GPUCORE_MAX_GPUS];
	char policy[GS_NAME_LEN];
	char policy_state[16];
	char exit_kind[GS_NAME_LEN];
	uint64_t decisions;
	uint64_t errors;
	uint64_t ejections;
	/* the driver's counters, from sysfs (GS_EV_ENGINE_STATS, _VGPU_STATS) */
	uint64_t eng_switch_ns[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	uint64_t eng_resets[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	bool eng_stats_seen[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	uint64_t vg_resets[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	/* the previous snapshot's cumulative figures, for rates */
	uint64_t prev_ts;
	uint64_t eng_busy[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	uint64_t eng_jobs[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	uint64_t eng_switch_prev[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];	/* or the first read */
	uint64_t vg_busy[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	uint64_t vg_jobs[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	struct gpucore_hists vh_prev[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	/* the figures over the last refresh interval, which a scrape shows */
	double interval_s;
	double eng_util[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	double eng_switch_util[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	struct gs_vlast vg_last[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	/* the busy times last shown, by a refresh or a scrape: never less */
	uint64_t eng_busy_out[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
	uint64_t vg_busy_out[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
	float history[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES][GS_HISTORY];
	unsigned int hist_len;
};

struct gs_model *model_new(void);
void model_free(struct gs_model *m);
/* The channel @id's record, created when @create. */
struct gs_mchan *model_chan(struct gs_model *m, uint32_t id, bool create);
/* Fold one event (from a ring buffer or a recording). */
void model_apply(struct gs_model *m, const struct gs_event *ev);
typedef void (*sysfs_emit_fn)(const struct gs_event *ev, void *arg);
/*
 * What no tracepoint carries, as events for model_apply() (and a
 * recording): engine names (when @engines), each engine's switch time and
 * resets, each vGPU's configuration, memory use and resets, the policy's
 * state.
 */
void sysfs_scan(bool engines, sysfs_emit_fn emit, void *arg);

/* Percentiles of a latency distribution, ns (bucket midpoints). */
struct gs_pct {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t p50;
	uint64_t p95;
	uint64_t p99;
};

struct snap_engine {
	uint32_t gpu;
	uint32_t id;
	char name[16];
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t switches;
	uint64_t preemptions;
	uint64_t switch_ns;	/* context switch time, charged to nobody (sysfs) */
	uint64_t resets;	/* jobs stopped as hung (sysfs) */
	uint32_t queued;
	uint32_t running_channel;	/* 0: idle */
	double util;
	double switch_util;	/* switching's part of the interval */
	const float *history;	/* util of the last GS_HISTORY refreshes, oldest
				   first: the interactive view's sparkline */
	unsigned int hist_len;
};

struct snap_vgpu {
	uint32_t gpu;
	uint32_t id;
	char name[GS_NAME_LEN];
	uint32_t weight;
	uint32_t cap;
	uint64_t mem_used;
	uint64_t mem_quota;
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
	uint64_t preemptions;
	uint64_t resets;	/* its jobs stopped as hung (sysfs) */
	uint32_t channels;
	uint32_t max_channels;	/* the vGPU's limits; 0: unknown */
	uint32_t queued;
	uint32_t max_jobs;
	double share;		/* of the GPU's busy engine time, this interval */
	double target;		/* weight over the busy vGPUs' weights, capped */
	double util;		/* of the GPU's engine capacity */
	double jobs_per_s;
	bool active;
	struct gs_pct wait;	/* this interval */
	struct gs_pct lat;
	struct gs_pct wait_total;	/* since gpustat started */
	struct gs_pct lat_total;
	const struct gpucore_hist *wait_hist;	/* the same, whole: Prometheus */
	const struct gpucore_hist *lat_hist;
};

struct snap_chan {
	uint32_t id;
	uint32_t gpu;
	uint32_t engine;
	uint32_t vgpu;
	int32_t pid;
	char comm[GS_COMM_LEN];
	char cgroup[GS_CGROUP_LEN];
	char vgpu_name[GS_NAME_LEN];
	char engine_name[16];
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
	uint64_t switches;
	uint64_t preemptions;
	uint32_t queued;
	bool dead;
	double util;
	double jobs_per_s;
	struct gs_pct wait;	/* this interval */
	struct gs_pct lat;
	struct gs_pct wait_total;	/* since gpustat started */
	struct gs_pct lat_total;
};

/* A cgroup (container): the sums of the channels of its processes. */
struct snap_cgroup {
	char cgroup[GS_CGROUP_LEN];
	uint32_t channels;
	uint32_t queued;
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
	double util;		/* engines' worth: 2 is two engines' whole interval */
	double jobs_per_s;
};

/* A process's channels on one vGPU: their sums, and those gone since. */
struct snap_proc {
	uint32_t gpu;
	uint32_t vgpu;
	char vgpu_name[GS_NAME_LEN];
	int32_t pid;
	char comm[GS_COMM_LEN];
	char cgroup[GS_CGROUP_LEN];
	uint32_t channels;
	uint32_t queued;
	uint64_t busy_ns;
	uint64_t jobs;
	uint64_t failed;
	uint64_t submitted;
	double util;		/* engines' worth, as a cgroup's */
	double jobs_per_s;
	struct gs_pct wait_total;	/* since gpustat started */
	struct gs_pct lat_total;
};

struct snapshot {
	uint64_t ts;		/* CLOCK_MONOTONIC ns */
	double interval_s;
	uint32_t ngpus;
	struct snap_engine *eng;
	size_t neng;
	struct snap_vgpu *vg;
	size_t nvg;
	struct snap_chan *ch;
	size_t nch;
	struct snap_cgroup *cg;	/* by path */
	size_t ncg;
	struct snap_proc *pr;	/* by GPU, vGPU, pid, command */
	size_t npr;
	char policy[GS_NAME_LEN];
	char policy_state[16];
	char exit_kind[GS_NAME_LEN];
	uint64_t decisions;
	uint64_t errors;
	uint64_t ejections;
	uint64_t attaches;
	uint64_t events;
	uint64_t lost;
	bool replay;
};

/*
 * What of a snapshot is worked out only for a reader that shows it (a
 * field's or an object's @need): a channel's percentile sets (a thousand
 * channels' histograms scanned at each refresh), the process and cgroup
 * rows. Left out, they are zero (the rows: none).
 */
enum snap_need {
	SN_WAIT		= 1 << 0,	/* struct snap_chan's */
	SN_LAT		= 1 << 1,
	SN_WAIT_TOTAL	= 1 << 2,
	SN_LAT_TOTAL	= 1 << 3,
	SN_GROUPS	= 1 << 4,	/* the process and cgroup rows */
	SN_ALL		= (1 << 5) - 1,
};

/*
 * A snapshot of @m at @now, with what @need (SN_*) names. A refresh
 * (@refresh) ends an interval: rates, shares and the interval's
 * percentiles against the previous refresh. A scrape does not: its
 * counters, histograms and states are as of @now, its figures over an
 * interval (utilization, shares, targets) those of the last refresh; it
 * leaves the interval's percentiles and jobs_per_s (no metric shows them)
 * zero.
 */
int model_snapshot(struct gs_model *m, uint64_t now, bool refresh, unsigned int need,
		   struct snapshot *s);
void snapshot_free(struct snapshot *s);
void hist_pct(const struct gpucore_hist *h, const struct gpucore_hist *prev,
	      struct gs_pct *all, struct gs_pct *delta);

/* ---- source.c ---- */

enum src_kind { SRC_LIVE, SRC_RECORD, SRC_REPLAY };

struct source;
/* Returns GS_OK or an exit code, with the message printed. */
int source_open_live(struct source **src, const char *record_path);
int source_open_replay(struct source **src, const char *path);
void source_close(struct source *src);
/*
 * Bring the model up to date for a refresh. Live: now is the time of the
 * read; replay: events up to the next recorded refresh. Returns 1 with
 * *now set, 0 at the end of a replay, <0 on error.
 */
int source_update(struct source *src, uint64_t *now);
struct gs_model *source_model(struct source *src);
enum src_kind source_kind(const struct source *src);
/*
 * For a scrape: bring the model up to date as a refresh would, without
 * ending an interval (a recording gets no tick). *now: the time of the
 * read; a replay reads nothing, *now is its last refresh's.
 */
void source_read(struct source *src, uint64_t *now);
/* Recording: fold what the ring buffer holds now (keeps it from filling). */
void source_poll(struct source *src);
/* Replay: the recorded refresh interval; record: set it. */
uint64_t source_interval_ns(const struct source *src);
void source_set_interval(struct source *src, uint64_t interval_ns);

/* ---- record.c ---- */

#define GS_REC_MAGIC	"GPUSTAT\n"
#define GS_REC_VERSION	2

struct gs_rec_header {
	char magic[8];
	uint32_t version;
	uint32_t event_size;	/* sizeof(struct gs_event) */
	uint64_t start_ns;	/* CLOCK_MONOTONIC at the start */
	uint64_t start_realtime_ns;
	uint64_t interval_ns;
	uint32_t hist_buckets;	/* GPUCORE_HIST_BUCKETS */
	uint32_t pad;
};

FILE *rec_create(const char *path, uint64_t interval_ns, uint64_t start_ns);
int rec_write(FILE *f, const struct gs_event *ev);
int rec_open(const char *path, struct gs_rec_header *h, FILE **fp);
/* 1: an event read, 0: end of file, -1: truncated or bad record. */
int rec_read(FILE *f, struct gs_event *ev);

/* ---- views ---- */

struct gs_opts {
	double delay;		/* -d seconds */
	bool delay_set;
	long count;		/* -n refreshes, 0: forever */
	bool batch;
	bool json;
	bool color;
	const char *prom_addr;
	const char *record;
	const char *replay;
	const char *filter;	/* vGPU name, pid, comm or cgroup=PATTERN */
	enum obj_id group;	/* the text views' second table: OBJ_CHAN, or
				   --group-by cgroup or process */
	bool prom_channels;	/* --prometheus-channels: per-channel series */
	const char *columns[OBJ_COUNT];	/* -o OBJECT=LIST */
	struct cols cols[OBJ_COUNT];	/* the text views' columns */
};

/*
 * --filter WORD: a channel of pid WORD, of a command containing WORD or
 * of the vGPU named WORD; --filter cgroup=PATTERN: a channel of a process
 * in a cgroup matching the glob PATTERN or under one. A vGPU named WORD
 * or with such a channel; a cgroup matching PATTERN or with such a
 * channel. Engines and the policy are every tenant's: no filter applies
 * to them.
 */
bool snap_chan_match(const struct snap_chan *c, const char *filter);
bool snap_vgpu_match(const struct snap_vgpu *v, const struct snapshot *s,
		     const char *filter);
bool snap_cgroup_match(const struct snap_cgroup *g, const struct snapshot *s,
		       const char *filter);
bool snap_proc_match(const struct snap_proc *p, const char *filter);
/* Keep only the vGPUs and channels @filter matches (NULL: all). */
void snapshot_filter(struct snapshot *s, const char *filter);

int text_print(FILE *f, const struct snapshot *s, const struct gs_opts *o);
int json_print(FILE *f, const struct snapshot *s);

struct prom;
/* The exposition text as of now (malloc'ed; NULL: out of memory). */
typedef char *(*prom_scrape_fn)(void *arg);
/*
 * Serve /metrics on @addr, each request answered with what @scrape
 * returns (called on the HTTP server's thread). GS_OK or GS_PORT_BUSY /
 * GS_USAGE / GS_ERR with a message.
 */
int prom_start(const char *addr, prom_scrape_fn scrape, void *arg, struct prom **p);
void prom_stop(struct prom *p);
/* The exposition text of @s (malloc'ed); channel series if @channels. */
char *prom_render(const struct snapshot *s, bool channels);

struct tui;
enum tui_action { TUI_NONE, TUI_QUIT, TUI_REDRAW };
/* GS_OK, or GS_TERM_SMALL / GS_USAGE with a message. */
int tui_start(struct tui **t, const struct gs_opts *o);
void tui_draw(struct tui *t, const struct snapshot *s);
/* Handle keys for up to @ms. */
enum tui_action tui_input(struct tui *t, int ms);
bool tui_paused(const struct tui *t);
/* The refresh interval, seconds (the user may change it). */
double tui_delay(const struct tui *t);
void tui_stop(struct tui *t);

/* ---- tpbtf.c ---- */
int tpbtf_init(const char *module);
void tpbtf_exit(void);

/* ---- msg.c ---- */
/* "gpustat: MESSAGE" on stderr. */
__attribute__((format(printf, 1, 2)))
void gs_err(const char *fmt, ...);
/* -v: also libbpf's messages, and why a slower path is taken. */
extern bool gs_verbose;

#endif /* GPUSTAT_MONITOR_H */
