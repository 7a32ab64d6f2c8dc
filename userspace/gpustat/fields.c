// SPDX-License-Identifier: MIT
/*
 * The field tables: every fact gpustat shows, once. json.c, prom.c and
 * table.c (the text and interactive views) walk them; fieldref.c prints
 * them (--list-fields), and selftests/gpustat.bats holds docs/gpustat.md
 * to it.
 */
#include <string.h>

#include "monitor.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const struct pct_stat pct_stats[PCT_STATS] = {
	{ "count", "COUNT", offsetof(struct gs_pct, count), U_COUNT, NULL },
	{ "sum", "SUM", offsetof(struct gs_pct, sum_ns), U_NS, NULL },
	{ "p50", "P50", offsetof(struct gs_pct, p50), U_NS, "0.5" },
	{ "p95", "P95", offsetof(struct gs_pct, p95), U_NS, "0.95" },
	{ "p99", "P99", offsetof(struct gs_pct, p99), U_NS, "0.99" },
};

#define NO_RATE_PROM(counter)							\
	.no_prom = "a rate over the last interval: rate(" counter ") gives it over any window"

/* ---- the refresh: the top-level JSON object, the text title line ---- */

#define S(m)	.off = offsetof(struct snapshot, m)

static const struct field gpustat_fields[] = {
	{ .name = "timestamp_ns", S(ts), .type = FT_U64, .unit = U_NS, .col = "time",
	  .help = "CLOCK_MONOTONIC time of the refresh, ns.",
	  .no_prom = "Prometheus stamps each scrape itself" },
	{ .name = "interval_s", S(interval_s), .type = FT_DBL, .unit = U_S, .col = "interval",
	  .kind = PK_GAUGE, .prom = "gpucore_gpustat_interval_seconds",
	  .help = "Length of the last refresh interval, which the ratios and rates cover." },
	{ .name = "replay", S(replay), .type = FT_BOOL, .col = "replay",
	  .kind = PK_GAUGE, .prom = "gpucore_gpustat_replay",
	  .help = "1 when the figures come from a --replay file." },
	{ .name = "policy.name", S(policy), .type = FT_STR, .col = "policy",
	  .kind = PK_INFO, .prom = "policy",
	  .help = "The scheduling policy in charge (builtin: no BPF policy)." },
	{ .name = "policy.state", S(policy_state), .type = FT_STR, .col = "state",
	  .kind = PK_INFO, .prom = "state",
	  .help = "Its state: attached, ejecting or builtin." },
	{ .name = "policy.decisions", S(decisions), .type = FT_U64, .unit = U_COUNT,
	  .col = "decisions", .kind = PK_COUNTER, .prom = "gpucore_policy_decisions_total",
	  .help = "Dispatch decisions of BPF policies." },
	{ .name = "policy.errors", S(errors), .type = FT_U64, .unit = U_COUNT, .col = "errors",
	  .kind = PK_COUNTER, .prom = "gpucore_policy_errors_total",
	  .help = "Errors of BPF policies." },
	{ .name = "policy.ejections", S(ejections), .type = FT_U64, .unit = U_COUNT,
	  .col = "ejections", .kind = PK_COUNTER, .prom = "gpucore_policy_ejections_total",
	  .help = "BPF policies ejected." },
	{ .name = "policy.attaches", S(attaches), .type = FT_U64, .unit = U_COUNT,
	  .col = "attaches", .kind = PK_COUNTER, .prom = "gpucore_policy_attaches_total",
	  .help = "BPF policies attached while gpustat ran." },
	{ .name = "policy.exit_kind", S(exit_kind), .type = FT_STR, .col = "exit",
	  .help = "Why the last BPF policy stopped (none: none did).",
	  .no_prom = "a label of gpucore_policy_info would start a new series at every stop; gpucore_policy_ejections_total counts them" },
	{ .name = "events", S(events), .type = FT_U64, .unit = U_COUNT, .col = "events",
	  .kind = PK_COUNTER, .prom = "gpucore_gpustat_events_total",
	  .help = "Tracepoint events gpustat folded." },
	{ .name = "events_lost", S(lost), .type = FT_U64, .unit = U_COUNT, .col = "lost",
	  .kind = PK_COUNTER, .prom = "gpucore_gpustat_events_lost_total",
	  .help = "Events a recording lost (ring buffer full)." },
};

/* ---- an engine ---- */

#define E(m)	.off = offsetof(struct snap_engine, m)

static const struct field engine_fields[] = {
	{ .name = "gpu", E(gpu), .type = FT_U32, .unit = U_ID, .col = "gpu",
	  .kind = PK_LABEL, .prom = "gpu", .help = "The engine's GPU.",
	  .no_json = "the id of the enclosing gpus[] object" },
	{ .name = "id", E(id), .type = FT_U32, .unit = U_ID, .col = "id",
	  .help = "The engine's index on its GPU.",
	  .no_prom = "the engine label, its name, identifies it" },
	{ .name = "name", E(name), .type = FT_STR, .col = "name",
	  .kind = PK_LABEL, .prom = "engine", .help = "The engine's name." },
	{ .name = "util", E(util), .type = FT_DBL, .unit = U_RATIO, .col = "util",
	  .kind = PK_GAUGE, .prom = "gpucore_engine_utilization_ratio",
	  .help = "Busy fraction of the engine over the last refresh interval." },
	{ .name = "busy_ns", E(busy_ns), .type = FT_U64, .unit = U_NS, .col = "busy",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_busy_seconds_total",
	  .help = "Engine time charged to channels." },
	{ .name = "jobs", E(jobs), .type = FT_U64, .unit = U_COUNT, .col = "jobs",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_jobs_total",
	  .help = "Jobs completed on the engine." },
	{ .name = "failed", E(failed), .type = FT_U64, .unit = U_COUNT, .col = "failed",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_jobs_failed_total",
	  .help = "Jobs on the engine that failed or were cancelled." },
	{ .name = "switches", E(switches), .type = FT_U64, .unit = U_COUNT, .col = "switches",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_switches_total",
	  .help = "Channels switched in." },
	{ .name = "preemptions", E(preemptions), .type = FT_U64, .unit = U_COUNT,
	  .col = "preemptions", .kind = PK_COUNTER, .prom = "gpucore_engine_preemptions_total",
	  .help = "Channels preempted at the end of their timeslice." },
	{ .name = "queued", E(queued), .type = FT_U32, .unit = U_COUNT, .col = "queued",
	  .kind = PK_GAUGE, .prom = "gpucore_engine_queued_channels",
	  .help = "Runnable channels waiting for the engine." },
	{ .name = "running_channel", E(running_channel), .type = FT_U32, .unit = U_ID,
	  .col = "running", .help = "The channel on the engine (0: idle).",
	  .no_prom = "an id, not a measure: the channels' utilization says who ran" },
	{ .name = "switch_util", E(switch_util), .type = FT_DBL, .unit = U_RATIO, .col = "sw",
	  .kind = PK_GAUGE, .prom = "gpucore_engine_switch_ratio",
	  .help = "Fraction of the last refresh interval the engine spent switching contexts." },
	{ .name = "switch_ns", E(switch_ns), .type = FT_U64, .unit = U_NS, .col = "sw time",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_switch_seconds_total",
	  .help = "Engine time spent switching contexts, charged to no channel (since the GPU was created)." },
	{ .name = "resets", E(resets), .type = FT_U64, .unit = U_COUNT, .col = "resets",
	  .kind = PK_COUNTER, .prom = "gpucore_engine_resets_total",
	  .help = "Jobs stopped as hung on the engine (since the GPU was created)." },
};

/* ---- a vGPU ---- */

#define V(m)	.off = offsetof(struct snap_vgpu, m)

static const struct field vgpu_fields[] = {
	{ .name = "gpu", V(gpu), .type = FT_U32, .unit = U_ID, .col = "GPU", .width = 3,
	  .kind = PK_LABEL, .prom = "gpu", .help = "The vGPU's GPU." },
	{ .name = "id", V(id), .type = FT_U32, .unit = U_ID, .col = "ID", .width = 3,
	  .help = "The vGPU's id on its GPU.",
	  .no_prom = "the vgpu label, its name, identifies it" },
	{ .name = "name", V(name), .type = FT_STR, .col = "VGPU", .width = -8,
	  .kind = PK_LABEL, .prom = "vgpu", .help = "The vGPU's name." },
	{ .name = "weight", V(weight), .type = FT_U32, .col = "WEIGHT", .width = 6,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_weight", .help = "The vGPU's weight." },
	{ .name = "cap", V(cap), .type = FT_U32, .unit = U_PERCENT, .col = "CAP", .width = 4,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_cap_ratio",
	  .help = "The vGPU's cap on engine time (0: none)." },
	{ .name = "mem_used", V(mem_used), .type = FT_U64, .unit = U_BYTES,
	  .col = "MEM USED/QUOTA", .width = 14, .limit = "mem_quota",
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_memory_used_bytes",
	  .help = "Video memory the vGPU uses." },
	{ .name = "mem_quota", V(mem_quota), .type = FT_U64, .unit = U_BYTES,
	  .col = "QUOTA", .width = 8,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_memory_quota_bytes",
	  .help = "The vGPU's video memory quota." },
	{ .name = "busy_ns", V(busy_ns), .type = FT_U64, .unit = U_NS, .col = "BUSY", .width = 8,
	  .kind = PK_COUNTER, .prom = "gpucore_vgpu_busy_seconds_total",
	  .help = "Engine time charged to the vGPU's channels." },
	{ .name = "jobs", V(jobs), .type = FT_U64, .unit = U_COUNT, .col = "JOBS", .width = 6,
	  .kind = PK_COUNTER, .prom = "gpucore_vgpu_jobs_total",
	  .help = "Jobs of the vGPU completed." },
	{ .name = "failed", V(failed), .type = FT_U64, .unit = U_COUNT, .col = "FAILED",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_vgpu_jobs_failed_total",
	  .help = "Jobs of the vGPU that failed or were cancelled." },
	{ .name = "submitted", V(submitted), .type = FT_U64, .unit = U_COUNT, .col = "SUBMIT",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_vgpu_jobs_submitted_total",
	  .help = "Jobs submitted on the vGPU's channels." },
	{ .name = "preemptions", V(preemptions), .type = FT_U64, .unit = U_COUNT,
	  .col = "PREEMPT", .width = 7,
	  .kind = PK_COUNTER, .prom = "gpucore_vgpu_preemptions_total",
	  .help = "The vGPU's channels preempted at the end of their timeslice." },
	{ .name = "resets", V(resets), .type = FT_U64, .unit = U_COUNT, .col = "RST", .width = 3,
	  .kind = PK_COUNTER, .prom = "gpucore_vgpu_resets_total",
	  .help = "Jobs of the vGPU stopped as hung (since the vGPU was created)." },
	{ .name = "channels", V(channels), .type = FT_U32, .unit = U_COUNT, .col = "CHAN/MAX",
	  .width = 8, .limit = "max_channels",
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_channels",
	  .help = "Channels the vGPU has open." },
	{ .name = "max_channels", V(max_channels), .type = FT_U32, .unit = U_COUNT,
	  .col = "MAXCHAN", .width = 7,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_channels_limit",
	  .help = "The vGPU's limit on channels (max_channels; 0: unknown)." },
	{ .name = "queued", V(queued), .type = FT_U32, .unit = U_COUNT, .col = "QUEUE/MAX",
	  .width = 9, .limit = "max_jobs",
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_queued_jobs",
	  .help = "Jobs of the vGPU submitted and not yet completed." },
	{ .name = "max_jobs", V(max_jobs), .type = FT_U32, .unit = U_COUNT, .col = "MAXJOBS",
	  .width = 7, .kind = PK_GAUGE, .prom = "gpucore_vgpu_queued_jobs_limit",
	  .help = "The vGPU's limit on jobs queued over its channels (max_jobs; 0: unknown)." },
	{ .name = "active", V(active), .type = FT_BOOL, .col = "ACTIVE", .width = 6,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_active",
	  .help = "1 when the vGPU ran or had jobs queued in the last interval: its weight counts in the targets." },
	{ .name = "share", V(share), .type = FT_DBL, .unit = U_RATIO, .col = "SHARE", .width = 6,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_share_ratio",
	  .help = "The vGPU's share of its GPU's busy engine time over the last interval." },
	{ .name = "target_share", V(target), .type = FT_DBL, .unit = U_RATIO, .col = "TARGET",
	  .width = 6, .kind = PK_GAUGE, .prom = "gpucore_vgpu_target_share_ratio",
	  .help = "The share of its GPU's engine time its weight promises among that GPU's busy vGPUs, capped." },
	{ .name = "util", V(util), .type = FT_DBL, .unit = U_RATIO, .col = "UTIL", .width = 6,
	  .kind = PK_GAUGE, .prom = "gpucore_vgpu_utilization_ratio",
	  .help = "The vGPU's part of its GPU's engine capacity over the last interval." },
	{ .name = "jobs_per_s", V(jobs_per_s), .type = FT_DBL, .unit = U_RATE, .col = "JOBS/S",
	  .width = 6, .help = "Jobs of the vGPU completed per second over the last interval.",
	  NO_RATE_PROM("gpucore_vgpu_jobs_total") },
	{ .name = "wait_ns", V(wait), .type = FT_PCT, .col = "WAIT ", .width = 6,
	  .help = "Submission to start of the vGPU's jobs that completed in the last interval.",
	  .no_prom = "the last interval's: gpucore_vgpu_job_wait_seconds gives quantiles over any window" },
	{ .name = "latency_ns", V(lat), .type = FT_PCT, .col = "", .width = 6,
	  .help = "Submission to completion of the vGPU's jobs that completed in the last interval.",
	  .no_prom = "the last interval's: gpucore_vgpu_job_latency_seconds gives quantiles over any window" },
	{ .name = "total.wait_ns", V(wait_total), .type = FT_PCT, .col = "TOTAL WAIT ",
	  .width = 6, .kind = PK_HISTOGRAM, .prom = "gpucore_vgpu_job_wait_seconds",
	  .hist = offsetof(struct snap_vgpu, wait_hist),
	  .help = "Time from a job's submission to its start." },
	{ .name = "total.latency_ns", V(lat_total), .type = FT_PCT, .col = "TOTAL ",
	  .width = 6, .kind = PK_HISTOGRAM, .prom = "gpucore_vgpu_job_latency_seconds",
	  .hist = offsetof(struct snap_vgpu, lat_hist),
	  .help = "Time from a job's submission to its completion." },
};

/* ---- a channel ---- */

#define C(m)	.off = offsetof(struct snap_chan, m)

static const struct field chan_fields[] = {
	{ .name = "gpu", C(gpu), .type = FT_U32, .unit = U_ID, .col = "GPU", .width = 3,
	  .kind = PK_LABEL, .prom = "gpu", .help = "The channel's GPU." },
	{ .name = "vgpu", C(vgpu), .type = FT_U32, .unit = U_ID, .col = "VGPUID", .width = 6,
	  .help = "The id of the channel's vGPU.",
	  .no_prom = "the vgpu label, its name, identifies it" },
	{ .name = "vgpu_name", C(vgpu_name), .type = FT_STR, .col = "VGPU", .width = -8,
	  .kind = PK_LABEL, .prom = "vgpu", .help = "The channel's vGPU." },
	{ .name = "id", C(id), .type = FT_U32, .unit = U_ID, .col = "CHAN", .width = 5,
	  .kind = PK_LABEL, .prom = "channel", .help = "The channel's id (unique in the driver)." },
	{ .name = "engine", C(engine), .type = FT_U32, .unit = U_ID, .col = "ENGID", .width = 5,
	  .help = "The index of the channel's engine.",
	  .no_prom = "the engine label, its name, identifies it" },
	{ .name = "engine_name", C(engine_name), .type = FT_STR, .col = "ENGINE", .width = -8,
	  .kind = PK_LABEL, .prom = "engine", .help = "The engine the channel is bound to." },
	{ .name = "pid", C(pid), .type = FT_S32, .unit = U_ID, .col = "PID", .width = 6,
	  .kind = PK_LABEL, .prom = "pid", .help = "The process that created the channel." },
	{ .name = "comm", C(comm), .type = FT_STR, .col = "COMM", .width = -11,
	  .kind = PK_LABEL, .prom = "comm", .help = "That process's command." },
	{ .name = "cgroup", C(cgroup), .type = FT_STR, .col = "CGROUP", .width = -30,
	  .kind = PK_LABEL, .prom = "cgroup",
	  .help = "That process's cgroup v2 path, its container (read when gpustat first sees the channel; empty: unknown or gone)." },
	{ .name = "busy_ns", C(busy_ns), .type = FT_U64, .unit = U_NS, .col = "BUSY", .width = 8,
	  .kind = PK_COUNTER, .prom = "gpucore_channel_busy_seconds_total",
	  .help = "Engine time charged to the channel." },
	{ .name = "jobs", C(jobs), .type = FT_U64, .unit = U_COUNT, .col = "JOBS", .width = 6,
	  .kind = PK_COUNTER, .prom = "gpucore_channel_jobs_total",
	  .help = "Jobs of the channel completed." },
	{ .name = "failed", C(failed), .type = FT_U64, .unit = U_COUNT, .col = "FAILED",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_channel_jobs_failed_total",
	  .help = "Jobs of the channel that failed or were cancelled." },
	{ .name = "submitted", C(submitted), .type = FT_U64, .unit = U_COUNT, .col = "SUBMIT",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_channel_jobs_submitted_total",
	  .help = "Jobs submitted on the channel." },
	{ .name = "switches", C(switches), .type = FT_U64, .unit = U_COUNT, .col = "SWITCHES",
	  .width = 8, .kind = PK_COUNTER, .prom = "gpucore_channel_switches_total",
	  .help = "Times the channel was switched in." },
	{ .name = "preemptions", C(preemptions), .type = FT_U64, .unit = U_COUNT,
	  .col = "PREEMPT", .width = 7,
	  .kind = PK_COUNTER, .prom = "gpucore_channel_preemptions_total",
	  .help = "Times the channel was preempted at the end of its timeslice." },
	{ .name = "queued", C(queued), .type = FT_U32, .unit = U_COUNT, .col = "QUEUE", .width = 5,
	  .kind = PK_GAUGE, .prom = "gpucore_channel_queued_jobs",
	  .help = "Jobs of the channel submitted and not yet completed." },
	{ .name = "dead", C(dead), .type = FT_BOOL, .col = "DEAD", .width = 4,
	  .help = "The channel was destroyed: it shows this once, then goes.",
	  .no_prom = "a destroyed channel's series end with it" },
	{ .name = "util", C(util), .type = FT_DBL, .unit = U_RATIO, .col = "UTIL", .width = 6,
	  .kind = PK_GAUGE, .prom = "gpucore_channel_utilization_ratio",
	  .help = "Fraction of the last interval the channel ran on its engine." },
	{ .name = "jobs_per_s", C(jobs_per_s), .type = FT_DBL, .unit = U_RATE, .col = "JOBS/S",
	  .width = 7, .help = "Jobs of the channel completed per second over the last interval.",
	  NO_RATE_PROM("gpucore_channel_jobs_total") },
	{ .name = "wait_ns", C(wait), .type = FT_PCT, .need = SN_WAIT, .col = "WAIT ", .width = 7,
	  .help = "Submission to start of the channel's jobs that completed in the last interval.",
	  .no_prom = "the last interval's: gpucore_channel_job_wait_seconds has the count and sum over any window" },
	{ .name = "latency_ns", C(lat), .type = FT_PCT, .need = SN_LAT, .col = "", .width = 7,
	  .help = "Submission to completion of the channel's jobs that completed in the last interval.",
	  .no_prom = "the last interval's: gpucore_channel_job_latency_seconds has the count and sum over any window" },
	{ .name = "total.wait_ns", C(wait_total), .type = FT_PCT, .need = SN_WAIT_TOTAL,
	  .col = "TOTAL WAIT ", .width = 7, .kind = PK_SUMMARY, .prom = "gpucore_channel_job_wait_seconds",
	  .help = "Time from a job's submission to its start (quantiles since gpustat started)." },
	{ .name = "total.latency_ns", C(lat_total), .type = FT_PCT, .need = SN_LAT_TOTAL, .col = "TOTAL ",
	  .width = 7, .kind = PK_SUMMARY, .prom = "gpucore_channel_job_latency_seconds",
	  .help = "Time from a job's submission to its completion (quantiles since gpustat started)." },
};

/* ---- a process on a vGPU: its channels' sums ---- */

#define P(m)	.off = offsetof(struct snap_proc, m)

static const struct field proc_fields[] = {
	{ .name = "gpu", P(gpu), .type = FT_U32, .unit = U_ID, .col = "GPU", .width = 3,
	  .kind = PK_LABEL, .prom = "gpu", .help = "The GPU of the process's channels." },
	{ .name = "vgpu", P(vgpu), .type = FT_U32, .unit = U_ID, .col = "VGPUID", .width = 6,
	  .help = "The id of their vGPU.",
	  .no_prom = "the vgpu label, its name, identifies it" },
	{ .name = "vgpu_name", P(vgpu_name), .type = FT_STR, .col = "VGPU", .width = -8,
	  .kind = PK_LABEL, .prom = "vgpu",
	  .help = "Their vGPU (a process with channels on two vGPUs has a row on each)." },
	{ .name = "pid", P(pid), .type = FT_S32, .unit = U_ID, .col = "PID", .width = 6,
	  .kind = PK_LABEL, .prom = "pid", .help = "The process." },
	{ .name = "comm", P(comm), .type = FT_STR, .col = "COMM", .width = -11,
	  .kind = PK_LABEL, .prom = "comm", .help = "Its command." },
	{ .name = "cgroup", P(cgroup), .type = FT_STR, .col = "CGROUP", .width = -30,
	  .kind = PK_LABEL, .prom = "cgroup",
	  .help = "Its cgroup v2 path, as its first channel's (empty: unknown or gone)." },
	{ .name = "channels", P(channels), .type = FT_U32, .unit = U_COUNT, .col = "CHAN",
	  .width = 4, .kind = PK_GAUGE, .prom = "gpucore_process_channels",
	  .help = "Channels it has open on the vGPU." },
	{ .name = "queued", P(queued), .type = FT_U32, .unit = U_COUNT, .col = "QUEUE",
	  .width = 5, .kind = PK_GAUGE, .prom = "gpucore_process_queued_jobs",
	  .help = "Jobs of its channels submitted and not yet completed." },
	{ .name = "util", P(util), .type = FT_DBL, .unit = U_RATIO, .col = "UTIL", .width = 6,
	  .help = "Engine time of its channels over the last interval, in engines (as a cgroup's).",
	  .no_prom = "rate(gpucore_process_busy_seconds_total) gives it over any window" },
	{ .name = "busy_ns", P(busy_ns), .type = FT_U64, .unit = U_NS, .col = "BUSY", .width = 8,
	  .kind = PK_COUNTER, .prom = "gpucore_process_busy_seconds_total",
	  .help = "Engine time charged to its channels (those destroyed included, while it has channels)." },
	{ .name = "jobs", P(jobs), .type = FT_U64, .unit = U_COUNT, .col = "JOBS", .width = 6,
	  .kind = PK_COUNTER, .prom = "gpucore_process_jobs_total",
	  .help = "Jobs of its channels completed." },
	{ .name = "failed", P(failed), .type = FT_U64, .unit = U_COUNT, .col = "FAILED",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_process_jobs_failed_total",
	  .help = "Jobs of its channels that failed or were cancelled." },
	{ .name = "submitted", P(submitted), .type = FT_U64, .unit = U_COUNT, .col = "SUBMIT",
	  .width = 6, .kind = PK_COUNTER, .prom = "gpucore_process_jobs_submitted_total",
	  .help = "Jobs submitted on its channels." },
	{ .name = "jobs_per_s", P(jobs_per_s), .type = FT_DBL, .unit = U_RATE, .col = "JOBS/S",
	  .width = 7, .help = "Jobs of its channels completed per second over the last interval.",
	  NO_RATE_PROM("gpucore_process_jobs_total") },
	{ .name = "total.wait_ns", P(wait_total), .type = FT_PCT, .col = "TOTAL WAIT ",
	  .width = 7, .kind = PK_SUMMARY, .prom = "gpucore_process_job_wait_seconds",
	  .help = "Time from a job's submission to its start (quantiles since gpustat started)." },
	{ .name = "total.latency_ns", P(lat_total), .type = FT_PCT, .col = "TOTAL ",
	  .width = 7, .kind = PK_SUMMARY, .prom = "gpucore_process_job_latency_seconds",
	  .help = "Time from a job's submission to its completion (quantiles since gpustat started)." },
};

/* ---- a cgroup: its channels' sums ---- */

#define G(m)	.off = offsetof(struct snap_cgroup, m)
/* The process series carry a cgroup label: no family of its own. */
#define BY_CGROUP(expr)	.no_prom = "no series of its own: " expr " gives it"

static const struct field cgroup_fields[] = {
	{ .name = "cgroup", G(cgroup), .type = FT_STR, .col = "CGROUP", .width = -36,
	  .help = "The cgroup v2 path (empty: the channels whose cgroup is unknown).",
	  .no_prom = "the cgroup label of the channel series" },
	{ .name = "channels", G(channels), .type = FT_U32, .unit = U_COUNT, .col = "CHAN",
	  .width = 4, .help = "Channels its processes have open.",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_channels)") },
	{ .name = "queued", G(queued), .type = FT_U32, .unit = U_COUNT, .col = "QUEUE",
	  .width = 5, .help = "Jobs of its channels submitted and not yet completed.",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_queued_jobs)") },
	{ .name = "util", G(util), .type = FT_DBL, .unit = U_RATIO, .col = "UTIL", .width = 6,
	  .help = "Engine time of its channels over the last interval, in engines (like top's %CPU: 200% is two engines' whole interval).",
	  BY_CGROUP("sum by (cgroup) (rate(gpucore_process_busy_seconds_total))") },
	{ .name = "busy_ns", G(busy_ns), .type = FT_U64, .unit = U_NS, .col = "BUSY", .width = 8,
	  .help = "Engine time charged to its channels (those destroyed included, while it has channels).",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_busy_seconds_total)") },
	{ .name = "jobs", G(jobs), .type = FT_U64, .unit = U_COUNT, .col = "JOBS", .width = 6,
	  .help = "Jobs of its channels completed.",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_jobs_total)") },
	{ .name = "failed", G(failed), .type = FT_U64, .unit = U_COUNT, .col = "FAILED",
	  .width = 6, .help = "Jobs of its channels that failed or were cancelled.",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_jobs_failed_total)") },
	{ .name = "submitted", G(submitted), .type = FT_U64, .unit = U_COUNT, .col = "SUBMIT",
	  .width = 6, .help = "Jobs submitted on its channels.",
	  BY_CGROUP("sum by (cgroup) (gpucore_process_jobs_submitted_total)") },
	{ .name = "jobs_per_s", G(jobs_per_s), .type = FT_DBL, .unit = U_RATE, .col = "JOBS/S",
	  .width = 7, .help = "Jobs of its channels completed per second over the last interval.",
	  BY_CGROUP("sum by (cgroup) (rate(gpucore_process_jobs_total))") },
};

static const struct object obj_gpustat = {
	.name = "gpustat",
	.where = "The top-level JSON object; the text report's title line",
	.fields = gpustat_fields,
	.nfields = ARRAY_SIZE(gpustat_fields),
	.size = sizeof(struct snapshot),
	.line = true,
	.defaults = "interval_s,policy.name,policy.state,events,events_lost",
	.info = "gpucore_policy_info",
	.info_help = "The scheduling policy in charge.",
};

static const struct object obj_engine = {
	.name = "engine",
	.where = "`gpus[].engines[]` in JSON; a line per engine under its GPU in the text report",
	.fields = engine_fields,
	.nfields = ARRAY_SIZE(engine_fields),
	.size = sizeof(struct snap_engine),
	.rows = offsetof(struct snapshot, eng),
	.nrows = offsetof(struct snapshot, neng),
	.line = true,
	.defaults = "queued,switch_util,resets,preemptions",
};

static const struct object obj_vgpu = {
	.name = "vgpu",
	.where = "`vgpus[]` in JSON; the vGPU table",
	.fields = vgpu_fields,
	.nfields = ARRAY_SIZE(vgpu_fields),
	.size = sizeof(struct snap_vgpu),
	.rows = offsetof(struct snapshot, vg),
	.nrows = offsetof(struct snapshot, nvg),
	.defaults = "name,gpu,weight,target_share,share,cap,mem_used,channels,resets,jobs_per_s,latency_ns.p99",
	.sort = "share",
};

static const struct object obj_chan = {
	.name = "channel",
	.where = "`channels[]` in JSON; the channel table; Prometheus series with `--prometheus-channels` only",
	.fields = chan_fields,
	.nfields = ARRAY_SIZE(chan_fields),
	.size = sizeof(struct snap_chan),
	.rows = offsetof(struct snapshot, ch),
	.nrows = offsetof(struct snapshot, nch),
	.defaults = "pid,comm,vgpu_name,id,engine_name,util,queued,jobs_per_s,latency_ns.p50,latency_ns.p99",
	.sort = "util",
};

static const struct object obj_proc = {
	.name = "process",
	.where = "`processes[]` in JSON, by GPU, vGPU, pid and command; the table of `--group-by process`, in the channel table's place",
	.fields = proc_fields,
	.nfields = ARRAY_SIZE(proc_fields),
	.size = sizeof(struct snap_proc),
	.rows = offsetof(struct snapshot, pr),
	.nrows = offsetof(struct snapshot, npr),
	.defaults = "pid,comm,vgpu_name,channels,queued,util,jobs_per_s,total.latency_ns.p99",
	.sort = "util",
	.need = SN_GROUPS,
};

static const struct object obj_cgroup = {
	.name = "cgroup",
	.where = "`cgroups[]` in JSON, by path; the table of `--group-by cgroup`, in the channel table's place",
	.fields = cgroup_fields,
	.nfields = ARRAY_SIZE(cgroup_fields),
	.size = sizeof(struct snap_cgroup),
	.rows = offsetof(struct snapshot, cg),
	.nrows = offsetof(struct snapshot, ncg),
	.defaults = "channels,queued,util,busy_ns,jobs_per_s,jobs,cgroup",
	.sort = "util",
	.need = SN_GROUPS,
};

const struct object *const objects[OBJ_COUNT] = {
	[OBJ_GPUSTAT] = &obj_gpustat,
	[OBJ_ENGINE] = &obj_engine,
	[OBJ_VGPU] = &obj_vgpu,
	[OBJ_CHAN] = &obj_chan,
	[OBJ_PROC] = &obj_proc,
	[OBJ_CGROUP] = &obj_cgroup,
};

const void *obj_rows(const struct object *o, const struct snapshot *s, size_t *n)
{
	const char *base = (const char *)s;

	if (!o->nrows) {
		*n = 1;
		return s;
	}
	*n = *(const size_t *)(base + o->nrows);
	return *(const void *const *)(base + o->rows);
}

const struct field *field_find(const struct object *o, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < o->nfields; i++)
		if (strlen(o->fields[i].name) == len && !strncmp(o->fields[i].name, name, len))
			return &o->fields[i];
	return NULL;
}

union fval field_get(const struct field *f, const void *row)
{
	const char *p = (const char *)row + f->off;
	union fval v = { 0 };

	switch (f->type) {
	case FT_U32:
		v.u = *(const uint32_t *)p;
		break;
	case FT_S32:
		v.i = *(const int32_t *)p;
		break;
	case FT_U64:
		v.u = *(const uint64_t *)p;
		break;
	case FT_DBL:
		v.d = *(const double *)p;
		break;
	case FT_BOOL:
		v.b = *(const bool *)p;
		break;
	case FT_STR:
		v.s = p;
		break;
	case FT_PCT:
		v.p = (const struct gs_pct *)p;
		break;
	}
	return v;
}

bool field_integral(const struct field *f)
{
	return f->type != FT_DBL && f->unit != U_NS && f->unit != U_PERCENT;
}

double field_scaled(const struct field *f, const void *row)
{
	union fval v = field_get(f, row);
	double d;

	switch (f->type) {
	case FT_S32:
		d = v.i;
		break;
	case FT_DBL:
		d = v.d;
		break;
	case FT_BOOL:
		d = v.b;
		break;
	default:
		d = v.u;
		break;
	}
	if (f->unit == U_NS)
		return d / 1e9;
	if (f->unit == U_PERCENT)
		return d / 100;
	return d;
}

uint64_t pct_get(const struct gs_pct *p, const struct pct_stat *st)
{
	return *(const uint64_t *)((const char *)p + st->off);
}
