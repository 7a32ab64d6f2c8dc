/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore tracepoints. Every event carries the ids that join it to the
 * others: gpu, engine, vgpu, channel (GPU-wide id), client (the DRM client
 * id of drm-usage-stats) and the job's seqno, plus the times a consumer
 * needs, so that telemetry can be computed from the events alone.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gpucore

#if !defined(_GPUCORE_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _GPUCORE_TRACE_H_

#include <linux/tracepoint.h>
#include "gpucore_priv.h"

/*
 * The names of the switch-out reasons, once: EM() and EMe() (the last
 * entry) expand to TRACE_DEFINE_ENUM() below, so that the event's format
 * file carries the values and perf and trace-cmd print the names, then to
 * the __print_symbolic() table.
 */
#define GPUCORE_SWITCH_REASONS					\
	EM(GPUCORE_SWITCH_PREEMPTED, "preempted")		\
	EM(GPUCORE_SWITCH_DRAINED, "drained")			\
	EM(GPUCORE_SWITCH_BLOCKED, "blocked")			\
	EM(GPUCORE_SWITCH_KICKED, "kicked")			\
	EM(GPUCORE_SWITCH_DESTROYED, "destroyed")		\
	EMe(GPUCORE_SWITCH_EXPIRED, "expired")

#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);

GPUCORE_SWITCH_REASONS

#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

#ifndef GPUCORE_TP_CH_FIELDS
/*
 * The channel a job, switch, reset or channel event is about, first in
 * each: its GPU, engine, vGPU, id and DRM client, as fields, their
 * assignment, and their part of the format and of its arguments.
 */
#define GPUCORE_TP_CH_FIELDS		\
		__field(u32, gpu)	\
		__field(u32, engine)	\
		__field(u32, vgpu)	\
		__field(u32, channel)	\
		__field(u64, client)
#define GPUCORE_TP_CH_ASSIGN(ch)				\
	do {							\
		__entry->gpu = (ch)->gpu->id;			\
		__entry->engine = (ch)->engine->id;		\
		__entry->vgpu = (ch)->vgpu->id;			\
		__entry->channel = (ch)->id;			\
		__entry->client = (ch)->client_id;		\
	} while (0)
#define GPUCORE_TP_CH_FMT	"gpu=%u engine=%u vgpu=%u channel=%u client=%llu"
#define GPUCORE_TP_CH_ARGS	__entry->gpu, __entry->engine, __entry->vgpu, \
				__entry->channel, __entry->client
#endif

TRACE_EVENT(gpucore_job_submit,
	TP_PROTO(struct gpucore_channel *ch, struct gpucore_job *job),
	TP_ARGS(ch, job),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(u64, seqno)
		__field(u32, num_cmds)
		__field(u32, queued)
		__field(u64, submit_ns)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->seqno = job->seqno;
		__entry->num_cmds = job->num_cmds;
		__entry->queued = ch->nr_pending;
		__entry->submit_ns = job->submit_ns;
	),
	TP_printk(GPUCORE_TP_CH_FMT " seqno=%llu cmds=%u queued=%u submit_ns=%llu",
		  GPUCORE_TP_CH_ARGS, __entry->seqno, __entry->num_cmds,
		  __entry->queued, __entry->submit_ns)
);

TRACE_EVENT(gpucore_switch_in,
	TP_PROTO(struct gpucore_engine *e, struct gpucore_channel *ch, u64 waited_ns),
	TP_ARGS(e, ch, waited_ns),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(u64, slice_ns)
		__field(u64, waited_ns)
		__field(u32, queued)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->slice_ns = e->slice_ns;
		__entry->waited_ns = waited_ns;
		__entry->queued = ch->nr_pending;
	),
	TP_printk(GPUCORE_TP_CH_FMT " slice_ns=%llu waited_ns=%llu queued=%u",
		  GPUCORE_TP_CH_ARGS, __entry->slice_ns, __entry->waited_ns,
		  __entry->queued)
);

TRACE_EVENT(gpucore_switch_out,
	TP_PROTO(struct gpucore_engine *e, struct gpucore_channel *ch, u64 ran_ns,
		 enum gpucore_switch_reason why, u64 late_ns),
	TP_ARGS(e, ch, ran_ns, why, late_ns),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(u64, ran_ns)
		__field(u32, reason)
		__field(u32, queued)
		/* how long after its due time the switch happened; -1: not timed */
		__field(s64, late_ns)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->ran_ns = ran_ns;
		__entry->reason = why;
		__entry->queued = ch->nr_pending;
		__entry->late_ns = late_ns == U64_MAX ? -1 : (s64)late_ns;
	),
	TP_printk(GPUCORE_TP_CH_FMT " ran_ns=%llu reason=%s queued=%u late_ns=%lld",
		  GPUCORE_TP_CH_ARGS, __entry->ran_ns,
		  __print_symbolic(__entry->reason, GPUCORE_SWITCH_REASONS),
		  __entry->queued, __entry->late_ns)
);

/* A job ran past the GPU's job timeout: stopped by an engine reset. */
TRACE_EVENT(gpucore_reset,
	TP_PROTO(struct gpucore_engine *e, struct gpucore_channel *ch, struct gpucore_job *job),
	TP_ARGS(e, ch, job),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(u64, seqno)
		__field(u64, busy_ns)
		__field(u32, pid)
		__field(u32, queued)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->seqno = job->seqno;
		__entry->busy_ns = job->busy_ns;
		__entry->pid = ch->pid;
		__entry->queued = ch->nr_pending - 1;
	),
	TP_printk(GPUCORE_TP_CH_FMT " seqno=%llu busy_ns=%llu pid=%u cancelled=%u",
		  GPUCORE_TP_CH_ARGS, __entry->seqno, __entry->busy_ns, __entry->pid,
		  __entry->queued)
);

TRACE_EVENT(gpucore_job_complete,
	TP_PROTO(struct gpucore_channel *ch, struct gpucore_job *job),
	TP_ARGS(ch, job),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(u64, seqno)
		__field(s32, status)
		__field(u32, queued)
		__field(u64, wait_ns)
		__field(u64, latency_ns)
		__field(u64, busy_ns)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->seqno = job->seqno;
		__entry->status = job->status;
		__entry->queued = ch->nr_pending;
		__entry->wait_ns = job->start_ns ? job->start_ns - job->submit_ns : 0;
		__entry->latency_ns = job->end_ns - job->submit_ns;
		__entry->busy_ns = job->busy_ns;
	),
	TP_printk(GPUCORE_TP_CH_FMT " seqno=%llu status=%d queued=%u wait_ns=%llu latency_ns=%llu busy_ns=%llu",
		  GPUCORE_TP_CH_ARGS, __entry->seqno, __entry->status,
		  __entry->queued, __entry->wait_ns, __entry->latency_ns,
		  __entry->busy_ns)
);

DECLARE_EVENT_CLASS(gpucore_channel_class,
	TP_PROTO(struct gpucore_channel *ch),
	TP_ARGS(ch),
	TP_STRUCT__entry(
		GPUCORE_TP_CH_FIELDS
		__field(s32, pid)
		__array(char, comm, TASK_COMM_LEN)
	),
	TP_fast_assign(
		GPUCORE_TP_CH_ASSIGN(ch);
		__entry->pid = ch->pid;
		memcpy(__entry->comm, ch->comm, TASK_COMM_LEN);
	),
	TP_printk(GPUCORE_TP_CH_FMT " pid=%d comm=%s",
		  GPUCORE_TP_CH_ARGS, __entry->pid, __entry->comm)
);

DEFINE_EVENT(gpucore_channel_class, gpucore_channel_create,
	TP_PROTO(struct gpucore_channel *ch),
	TP_ARGS(ch)
);

DEFINE_EVENT(gpucore_channel_class, gpucore_channel_destroy,
	TP_PROTO(struct gpucore_channel *ch),
	TP_ARGS(ch)
);

DECLARE_EVENT_CLASS(gpucore_vgpu_class,
	TP_PROTO(struct gpucore_vgpu *vgpu),
	TP_ARGS(vgpu),
	TP_STRUCT__entry(
		__field(u32, gpu)
		__field(u32, vgpu)
		__field(u32, weight)
		__field(u32, cap)
		__field(u64, mem_quota)
		__field(u32, max_channels)
		__field(u32, max_jobs)
		__array(char, name, GPUCORE_NAME_LEN)
	),
	TP_fast_assign(
		__entry->gpu = vgpu->gpu->id;
		__entry->vgpu = vgpu->id;
		__entry->weight = READ_ONCE(vgpu->weight);
		__entry->cap = READ_ONCE(vgpu->cap);
		__entry->mem_quota = READ_ONCE(vgpu->mem_quota);
		__entry->max_channels = READ_ONCE(vgpu->max_channels);
		__entry->max_jobs = READ_ONCE(vgpu->max_jobs);
		memcpy(__entry->name, vgpu->name, GPUCORE_NAME_LEN);
	),
	TP_printk("gpu=%u vgpu=%u name=%s weight=%u cap=%u mem_quota=%llu max_channels=%u max_jobs=%u",
		  __entry->gpu, __entry->vgpu, __entry->name, __entry->weight,
		  __entry->cap, __entry->mem_quota, __entry->max_channels,
		  __entry->max_jobs)
);

DEFINE_EVENT(gpucore_vgpu_class, gpucore_vgpu_create,
	TP_PROTO(struct gpucore_vgpu *vgpu),
	TP_ARGS(vgpu)
);

DEFINE_EVENT(gpucore_vgpu_class, gpucore_vgpu_destroy,
	TP_PROTO(struct gpucore_vgpu *vgpu),
	TP_ARGS(vgpu)
);

DEFINE_EVENT(gpucore_vgpu_class, gpucore_vgpu_update,
	TP_PROTO(struct gpucore_vgpu *vgpu),
	TP_ARGS(vgpu)
);

TRACE_EVENT(gpucore_policy_attach,
	TP_PROTO(const char *name, bool replace),
	TP_ARGS(name, replace),
	TP_STRUCT__entry(
		__array(char, name, GPUCORE_POLICY_NAME_LEN)
		__field(u32, replace)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, GPUCORE_POLICY_NAME_LEN);
		__entry->replace = replace;
	),
	TP_printk("policy=%s replace=%u", __entry->name, __entry->replace)
);

TRACE_EVENT(gpucore_policy_detach,
	TP_PROTO(const char *name, u32 kind, const char *reason),
	TP_ARGS(name, kind, reason),
	TP_STRUCT__entry(
		__array(char, name, GPUCORE_POLICY_NAME_LEN)
		__field(u32, kind)
		__array(char, reason, GPUCORE_EXIT_REASON_LEN)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, GPUCORE_POLICY_NAME_LEN);
		__entry->kind = kind;
		strscpy(__entry->reason, reason, GPUCORE_EXIT_REASON_LEN);
	),
	TP_printk("policy=%s kind=%u reason=%s", __entry->name, __entry->kind,
		  __entry->reason)
);

TRACE_EVENT(gpucore_policy_eject,
	TP_PROTO(const char *name, u32 kind, const char *reason, const char *msg),
	TP_ARGS(name, kind, reason, msg),
	TP_STRUCT__entry(
		__array(char, name, GPUCORE_POLICY_NAME_LEN)
		__field(u32, kind)
		__array(char, reason, GPUCORE_EXIT_REASON_LEN)
		__string(msg, msg)
	),
	TP_fast_assign(
		strscpy(__entry->name, name, GPUCORE_POLICY_NAME_LEN);
		__entry->kind = kind;
		strscpy(__entry->reason, reason, GPUCORE_EXIT_REASON_LEN);
		__assign_str(msg);
	),
	TP_printk("policy=%s kind=%u reason=%s msg=%s", __entry->name, __entry->kind,
		  __entry->reason, __get_str(msg))
);

#endif /* _GPUCORE_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gpucore_trace
#include <trace/define_trace.h>
