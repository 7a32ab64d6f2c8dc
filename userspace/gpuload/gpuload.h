/* SPDX-License-Identifier: MIT */
/*
 * gpuload: workload generator for gpucore devices.
 *
 * main.c    options, device and channel setup, the run, exit status
 * chan.c    per-channel objects and the per-channel thread: submit, wait,
 *           query, verify, drain, cross-check the driver's counters
 * report.c  the text and JSON reports
 */
#ifndef GPULOAD_H
#define GPULOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "exit.h"
#include "gpucore_dev.h"
#include "stats.h"

#define GPULOAD_VERSION		"1.0"

/* Exit statuses (userspace/common/exit.h) */
#define EXIT_OK			GCU_EXIT_OK
#define EXIT_JOB_ERRORS		GCU_EXIT_ERR	/* failed jobs or verification errors */
#define EXIT_USAGE		GCU_EXIT_USAGE
#define EXIT_NO_DEVICE		GCU_EXIT_NO_DRIVER
#define EXIT_IOCTL		GCU_EXIT_TOOL	/* an ioctl failed unexpectedly */

enum gl_kind {
	GL_KIND_SPIN,
	GL_KIND_FILL,
	GL_KIND_COPY,
	GL_KIND_MIX,		/* jobs cycle through spin, fill, copy */
	GL_KIND_COUNT
};

enum gl_sync {
	GL_SYNC_SYNCOBJ,	/* per-slot out syncobj, drmSyncobjWait */
	GL_SYNC_WAIT,		/* DRM_IOCTL_GPUCORE_WAIT on the seqno */
	GL_SYNC_COUNT
};

struct gl_config {
	const char *device;
	int gpu;
	const char *vgpu;
	unsigned int channels;
	unsigned int engine_class;
	int engine_instance;		/* -1: the driver picks */
	bool interactive;		/* GPUCORE_CHANNEL_INTERACTIVE */
	uint64_t spin_min_ns;
	uint64_t spin_max_ns;
	uint64_t nopreempt;		/* every Nth SPIN job GPUCORE_CMD_NOPREEMPT; 0: none */
	enum gl_kind kind;
	uint64_t bo_size;
	bool verify;
	double rate;			/* jobs/s per channel; 0: flat out */
	unsigned int depth;
	uint64_t duration_ns;		/* 0: no time limit */
	uint64_t max_jobs;		/* per channel; 0: no limit */
	enum gl_sync sync;
	uint64_t timeout_ns;		/* a job not done by then is lost */
	bool json;
	bool quiet;
};

/* One in-flight position of a channel; it owns a slice of each data BO. */
struct gl_slot {
	uint64_t seqno;
	uint32_t syncobj;
	enum gl_kind kind;		/* of the job in the slot (never MIX) */
	uint32_t value;			/* the job's FILL pattern */
	uint32_t src_value;		/* last pattern written to the src slice */
	uint32_t dst_value;		/* last pattern written to the dst slice */
};

struct gl_counters {
	uint64_t jobs;			/* completions seen, ok or failed */
	uint64_t failed;
	uint64_t busy_ns;
	uint64_t lost;			/* submitted, never completed */
	uint64_t duplicated;		/* completed or numbered twice */
	uint64_t mismatches;		/* FILL/COPY jobs with wrong data */
	uint64_t inconsistent;		/* order, state, time or counter errors */
};

struct gl_run;

struct gl_chan {
	struct gl_run *run;
	unsigned int index;
	pthread_t thread;
	bool created;
	uint32_t handle;
	uint32_t id;
	uint32_t engine;
	uint32_t bo[2];			/* src (FILL target), dst (COPY target) */
	uint8_t *map[2];		/* with --verify */
	uint64_t slice;			/* bytes of each BO a slot owns */
	struct gl_slot *slots;		/* cfg->depth of them, a ring */
	unsigned int head;		/* oldest in-flight slot */
	unsigned int inflight;
	uint64_t rng;
	uint64_t submitted;
	uint64_t spins;			/* SPIN jobs among them */
	uint64_t last_seqno;		/* last submitted */
	uint64_t done_seqno;		/* last completed */
	uint64_t last_end_ns;
	struct gl_counters c;
	struct u64_vec wait_ns;		/* submit to start, per job */
	struct u64_vec lat_ns;		/* submit to complete, per job */
	uint64_t t_start;
	uint64_t t_end;
	bool stuck;			/* a job timed out */
	int fatal;			/* an ioctl failed: EXIT_IOCTL */
	unsigned int nmsgs;
};

struct gl_run {
	const struct gl_config *cfg;
	struct gcu_dev dev;
	struct gl_chan *chans;
	pthread_barrier_t barrier;
};

/* shared.c */
extern atomic_bool gl_stop;
extern const char *const gl_kind_names[GL_KIND_COUNT];
extern const char *const gl_sync_names[GL_SYNC_COUNT];

void gl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *gl_kind_name(enum gl_kind kind);
const char *gl_sync_name(enum gl_sync sync);

/* chan.c */
int gl_chan_setup(struct gl_run *run, struct gl_chan *ch, unsigned int index);
int gl_chan_teardown(struct gl_chan *ch);
void *gl_chan_thread(void *arg);

/* report.c */
void gl_report_text(struct gl_run *run);
int gl_report_json(struct gl_run *run);

#endif /* GPULOAD_H */
