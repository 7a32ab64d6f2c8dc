/* SPDX-License-Identifier: MIT */
/*
 * gpustat.h: what the telemetry BPF program (gpustat.bpf.c) and the
 * monitor share: the aggregate records it keeps in maps, the event record
 * it emits when recording (also the record of a --record file), and
 * gs_apply(), the one function that folds an event into the aggregates
 * (the histograms' layout is the driver's, gpucore_hist.h). The BPF
 * program applies events as they happen;
 * --replay applies the recorded ones in the same function, so a replay
 * reaches the same totals as the live run it came from.
 */
#ifndef GPUSTAT_H
#define GPUSTAT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "gpucore_limits.h"
#include "gpucore_hist.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define GS_MAX_CHANNELS		GPUCORE_MAX_CHANNELS	/* followed at once, all GPUs */
#define GS_NAME_LEN		32	/* GPUCORE_NAME_LEN, GPUCORE_POLICY_NAME_LEN */
#define GS_COMM_LEN		16	/* TASK_COMM_LEN */
#define GS_RINGBUF_SIZE		(16 << 20)
#define GS_HIST_RING_SIZE	(4 << 20)	/* about 1000 channels' histograms */


/* Per engine (index GPUCORE_ENGINE_IDX). */
struct gs_engine {
	__u64 busy_ns;		/* engine time charged, at switch-out */
	__u64 jobs;
	__u64 failed;
	__u64 switches;
	__u64 preemptions;
	__u64 in_ns;		/* when the running channel was switched in */
	__u64 run_ns;		/* charged to it in this run, as of run_ts */
	__u64 run_ts;		/* its last job's completion, or in_ns */
	__u32 running;		/* a channel is on it */
	__u32 cur_channel;
	__u32 cur_vgpu;
	__u32 nr_queued;	/* runnable channels waiting, at the last switch */
	__u32 seen;
	__u32 pad;
};

/* Per vGPU (index GPUCORE_VGPU_IDX); its histograms in the map gs_vhists, same index. */
struct gs_vgpu {
	__u64 busy_ns;
	__u64 jobs;
	__u64 failed;
	__u64 submitted;
	__u64 preemptions;
	__u64 mem_quota;
	__u64 mem_used;		/* sampled by userspace (no event carries it) */
	__u32 weight;
	__u32 cap;
	__u32 max_channels;	/* 0: unknown (a recording made before limits) */
	__u32 max_jobs;		/* likewise */
	__u32 seen;		/* 1: created or seen, 2: destroyed */
	__u32 pad;
	__u64 gen;		/* as struct gs_chan's */
	char name[GS_NAME_LEN];
};

/* Per channel, keyed by its module-wide id. */
struct gs_chan {
	__u64 busy_ns;
	__u64 jobs;
	__u64 failed;
	__u64 submitted;
	__u64 switches;
	__u64 preemptions;
	__u32 id;
	__u32 gpu;
	__u32 engine;
	__u32 vgpu;
	__s32 pid;
	__u32 queued;		/* jobs pending, at the last event */
	__u32 dead;
	__u32 pad;
	__u64 gen;		/* the driver's generation of its counts (live:
				   gs_pull copies them); 0: none */
	char comm[GS_COMM_LEN];
};

/*
 * A live channel's histograms, as gs_pull sends them (a ring buffer: a
 * record of the channel map stays small, so reading them all at each
 * refresh stays cheap).
 */
struct gs_hist_rec {
	__u32 channel;
	__u32 pad;
	struct gpucore_hists h;
};

/* Policy events and the program's own counters. */
struct gs_global {
	__u64 events;
	__u64 lost;		/* ring buffer full while recording */
	__u64 attaches;
	__u64 detaches;
	__u64 ejections;
	__u32 last_kind;	/* GPUCORE_EXIT_* of the last detach/eject */
	__u32 state;		/* enum gs_policy_state */
	char policy[GS_NAME_LEN];
};

enum gs_policy_state {
	GS_POLICY_BUILTIN,
	GS_POLICY_ATTACHED,
	GS_POLICY_EJECTING,
};

enum gs_ev_type {
	/* from the tracepoints */
	GS_EV_SUBMIT = 1,	/* aux2 queued, a seqno */
	GS_EV_SWITCH_IN,	/* aux engine's nr_queued, aux2 queued, a waited_ns */
	GS_EV_SWITCH_OUT,	/* aux reason, aux2 queued, a ran_ns, b nr_queued */
	GS_EV_COMPLETE,		/* aux status, aux2 queued, a wait, b latency,
				   c engine time charged to the channel in its
				   current run (0: not running) */
	GS_EV_CHAN_CREATE,	/* aux pid, name comm */
	GS_EV_CHAN_DESTROY,
	GS_EV_CHAN_SEEN,	/* a channel created before gpustat started */
	GS_EV_VGPU_CREATE,	/* aux weight, aux2 cap, a mem_quota, b max_channels,
				   c max_jobs, name */
	GS_EV_VGPU_DESTROY,
	GS_EV_VGPU_UPDATE,
	GS_EV_POLICY_ATTACH,	/* aux replace, name */
	GS_EV_POLICY_DETACH,	/* aux kind, name */
	GS_EV_POLICY_EJECT,	/* aux kind, name */
	/* written by gpustat itself into a recording */
	GS_EV_TICK = 64,	/* a refresh: the views are drawn at ts */
	GS_EV_ENGINE_INFO,	/* name: the engine's name */
	GS_EV_VGPU_MEM,		/* a mem_used */
	GS_EV_POLICY_STATE,	/* aux state, name, a ejections, b decisions, c errors */
	GS_EV_POLICY_EXIT,	/* name: exit_kind of the last policy to stop */
	GS_EV_ENGINE_STATS,	/* the driver's engine counters (sysfs, since the
				   GPU was created): a switch_ns, b resets */
	GS_EV_VGPU_STATS,	/* the driver's vGPU counters (sysfs): a resets */
	GS_EV_CHAN_CGROUP,	/* the cgroup of a channel's process (/proc): aux
				   its pid, aux2 the offset in the path of the
				   piece in name (the last one ends with a NUL) */
};

struct gs_event {
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u32 type;
	__u32 gpu;
	__u32 engine;
	__u32 vgpu;
	__u32 channel;
	__u32 aux;
	__u32 aux2;
	__u32 pad;
	__u64 a;
	__u64 b;
	__u64 c;
	char name[GS_NAME_LEN];
};

#define GS_STOP_PREEMPTED	0	/* GPUCORE_STOP_PREEMPTED */

static __always_inline void gs_copy_name(char *dst, const char *src, int len)
{
	int i;

	for (i = 0; i < len; i++)
		dst[i] = src[i];
}

static __always_inline void gs_chan_init(struct gs_chan *c, const struct gs_event *ev)
{
	c->id = ev->channel;
	c->gpu = ev->gpu;
	c->engine = ev->engine;
	c->vgpu = ev->vgpu;
	if (ev->type == GS_EV_CHAN_CREATE || ev->type == GS_EV_CHAN_SEEN) {
		c->pid = ev->aux;
		gs_copy_name(c->comm, ev->name, GS_COMM_LEN);
	}
}

static __always_inline void gs_apply_vgpu(struct gs_vgpu *v, const struct gs_event *ev)
{
	if (ev->type == GS_EV_VGPU_DESTROY) {
		v->seen = 2;
		return;
	}
	if (ev->type == GS_EV_VGPU_CREATE) {
		__u64 mem_used = v->mem_used;

		/* A new vGPU may reuse a destroyed one's id: start afresh. */
		if (v->seen == 2)
			__builtin_memset(v, 0, sizeof(*v));
		v->mem_used = mem_used;
	}
	v->seen = 1;
	v->weight = ev->aux;
	v->cap = ev->aux2;
	v->mem_quota = ev->a;
	v->max_channels = ev->b;
	v->max_jobs = ev->c;
	gs_copy_name(v->name, ev->name, GS_NAME_LEN);
}

static __always_inline void gs_fold_switch_in(struct gs_engine *e, struct gs_chan *c,
					 const struct gs_event *ev)
{
	if (e) {
		e->running = 1;
		e->cur_channel = ev->channel;
		e->cur_vgpu = ev->vgpu;
		e->in_ns = ev->ts;
		e->run_ns = 0;
		e->run_ts = ev->ts;
		e->nr_queued = ev->aux;
		e->switches++;
	}
	if (c) {
		c->switches++;
		c->queued = ev->aux2;
	}
}

static __always_inline void gs_fold_switch_out(struct gs_engine *e, struct gs_vgpu *v,
					  struct gs_chan *c, const struct gs_event *ev)
{
	int preempted = ev->aux == GS_STOP_PREEMPTED;

	if (e) {
		e->running = 0;
		e->busy_ns += ev->a;
		e->nr_queued = ev->b;
		e->preemptions += preempted;
	}
	if (v) {
		__sync_fetch_and_add(&v->busy_ns, ev->a);
		__sync_fetch_and_add(&v->preemptions, preempted);
	}
	if (c) {
		c->busy_ns += ev->a;
		c->preemptions += preempted;
		c->queued = ev->aux2;
	}
}

static __always_inline void gs_fold_complete(struct gs_engine *e, struct gs_vgpu *v,
					struct gpucore_hists *vh, struct gs_chan *c,
					struct gpucore_hists *ch, const struct gs_event *ev)
{
	int ok = ev->aux == 0;

	if (e) {
		e->jobs += ok;
		e->failed += !ok;
		/* What its run is charged so far: the live view's exact part. */
		if (e->running && e->cur_channel == ev->channel && ev->c) {
			e->run_ns = ev->c;
			e->run_ts = ev->ts;
		}
	}
	if (v) {
		__sync_fetch_and_add(&v->jobs, ok);
		__sync_fetch_and_add(&v->failed, !ok);
	}
	if (vh && ok) {
		gpucore_hist_add(&vh->wait, ev->a);
		gpucore_hist_add(&vh->lat, ev->b);
	}
	if (c) {
		c->jobs += ok;
		c->failed += !ok;
		c->queued = ev->aux2;
	}
	if (ch && ok) {
		gpucore_hist_add(&ch->wait, ev->a);
		gpucore_hist_add(&ch->lat, ev->b);
	}
}

static __always_inline void gs_apply_policy(struct gs_global *g, const struct gs_event *ev)
{
	switch (ev->type) {
	case GS_EV_POLICY_ATTACH:
		g->attaches++;
		g->state = GS_POLICY_ATTACHED;
		gs_copy_name(g->policy, ev->name, GS_NAME_LEN);
		break;
	case GS_EV_POLICY_DETACH:
		g->detaches++;
		g->last_kind = ev->aux;
		g->state = GS_POLICY_BUILTIN;
		break;
	case GS_EV_POLICY_EJECT:
		g->ejections++;
		g->last_kind = ev->aux;
		g->state = GS_POLICY_EJECTING;
		break;
	}
}

/*
 * Fold @ev into the aggregates it touches: @vh and @ch are @v's and @c's
 * histograms. Any pointer may be NULL (the record does not exist). The
 * BPF side serialises events of one GPU under the driver's scheduler
 * lock; counters shared between GPUs are atomic.
 */
static __always_inline void gs_apply(const struct gs_event *ev, struct gs_engine *e,
				     struct gs_vgpu *v, struct gpucore_hists *vh,
				     struct gs_chan *c, struct gpucore_hists *ch,
				     struct gs_global *g)
{
	switch (ev->type) {
	case GS_EV_SUBMIT:
		if (v)
			__sync_fetch_and_add(&v->submitted, 1);
		if (c) {
			c->submitted++;
			c->queued = ev->aux2;
		}
		break;
	case GS_EV_SWITCH_IN:
		gs_fold_switch_in(e, c, ev);
		break;
	case GS_EV_SWITCH_OUT:
		gs_fold_switch_out(e, v, c, ev);
		break;
	case GS_EV_COMPLETE:
		gs_fold_complete(e, v, vh, c, ch, ev);
		break;
	case GS_EV_CHAN_CREATE:
	case GS_EV_CHAN_SEEN:
		if (c)
			gs_chan_init(c, ev);
		break;
	case GS_EV_CHAN_DESTROY:
		if (c)
			c->dead = 1;
		break;
	case GS_EV_VGPU_CREATE:
	case GS_EV_VGPU_DESTROY:
	case GS_EV_VGPU_UPDATE:
		if (v)
			gs_apply_vgpu(v, ev);
		break;
	default:
		if (g)
			gs_apply_policy(g, ev);
		break;
	}
}

#endif /* GPUSTAT_H */
