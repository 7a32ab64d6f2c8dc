/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore: the interface between the scheduler core and a backend.
 */

/**
 * DOC: Backends
 *
 * A backend executes work; the scheduler core (gpucore_sched.c) decides
 * what runs, for how long, and what happens when it stops. The split
 * follows drm_sched_backend_ops: the core calls the backend only through
 * the ops table below, and the backend reports back only through the
 * gpucore_sched_*() calls listed after it. Neither reaches into the
 * other's state.
 *
 * The core tells a backend, per engine: "run this job for at most this
 * much engine time" (&gpucore_backend_ops.run) and "stop at the next
 * preemption point, or after this much more engine time"
 * (&gpucore_backend_ops.preempt). The backend reports "charge N ns to the
 * job" (gpucore_sched_charge()), "N ns of switch overhead, charged to
 * nobody" (gpucore_sched_overhead()) and, exactly once per run, how the
 * run ended (gpucore_sched_ran(): the job is done, the budget or a
 * preemption stopped it, or it hung). The core then decides: the same
 * channel goes on with its next job or the rest of its slice, or it is
 * switched out and the policy picks another.
 *
 * A run's budget is engine time, not wall time: the backend stops at the
 * first preemption point after the run has used the budget. Work that
 * cannot be preempted (a SPIN with GPUCORE_CMD_NOPREEMPT) runs to its end
 * first. The @limit of a run is different: it is the engine time after
 * which the job counts as hung, and the backend stops the job then even
 * inside non-preemptible work (an engine reset).
 *
 * The backend owns the execution state of the job it runs: &gpucore_job.cur
 * and &gpucore_job.progress, and the commands' buffers. It reads nothing
 * else of jobs, channels, vGPUs or policies.
 *
 * Locking: every op is called with the GPU's scheduler lock
 * (&gpucore_gpu.lock) held, interrupts off, from any context (a submit,
 * a fence callback, a timer), and must not sleep or report back from
 * inside the op. The backend reports from its own context (a timer, a
 * thread) with the same lock held, so an op and a report never race.
 * Jobs retired by a report are signalled by the backend with
 * gpucore_jobs_signal() after it drops the lock.
 *
 * A backend that schedules by itself (firmware-scheduled GPUs such as GuC,
 * GSP or MES, or a paravirtual device whose host schedules) sets
 * GPUCORE_BACKEND_SELF_SCHEDULED. The core then makes no decision for its
 * engines and no policy is consulted: every runnable channel's head job is
 * handed to the backend through @run at once, with an unbounded budget,
 * several per engine, and the backend interleaves them as it likes. It
 * reports each job's charge and end with the same calls, naming the job;
 * the core retires it and hands the channel's next ready job. @preempt is
 * only called with @force (the channel is being destroyed), for any job
 * handed and not yet reported, and @inflight is not called: such a backend
 * charges time as it goes, at least once per slice of its own.
 */
#ifndef _GPUCORE_BACKEND_H_
#define _GPUCORE_BACKEND_H_

#include <linux/types.h>

struct gpucore_gpu;
struct gpucore_engine;
struct gpucore_job;

/**
 * enum gpucore_run_end - how a run ended, reported by gpucore_sched_ran()
 * @GPUCORE_RUN_DONE: every command of the job was executed
 * @GPUCORE_RUN_STOPPED: the budget was used, or a preemption asked for by
 *	&gpucore_backend_ops.preempt took effect; the job resumes where it
 *	stopped when it is run again
 * @GPUCORE_RUN_HUNG: the job used the run's limit of engine time and was
 *	stopped by an engine reset; it is not resumed
 */
enum gpucore_run_end {
	GPUCORE_RUN_DONE,
	GPUCORE_RUN_STOPPED,
	GPUCORE_RUN_HUNG,
};

#define GPUCORE_BACKEND_SELF_SCHEDULED	(1U << 0)	/* schedules its engines itself, see DOC */

/**
 * struct gpucore_backend_ops - what the scheduler core asks of a backend
 * @name: shown in debugfs
 * @flags: GPUCORE_BACKEND_*
 */
struct gpucore_backend_ops {
	const char *name;
	u32 flags;

	/**
	 * @init: bring up a GPU's engines (&gpucore_gpu.num_engines are
	 * set up by the core); process context, no lock held
	 *
	 * Return: 0 or a negative errno.
	 */
	int (*init)(struct gpucore_gpu *gpu);

	/**
	 * @fini: stop a GPU's engines; nothing runs on them any more.
	 * Process context, no lock held. Also called after a failed @init.
	 */
	void (*fini)(struct gpucore_gpu *gpu);

	/**
	 * @run: execute a job on an idle engine (a self-scheduled backend:
	 *	add it to the engine's work)
	 * @e: the engine; nothing runs on it, unless the backend is
	 *	self-scheduled
	 * @job: the head job of the engine's current channel, ready to run;
	 *	its execution resumes at &gpucore_job.cur and
	 *	&gpucore_job.progress
	 * @budget_ns: engine time after which the run stops at the next
	 *	preemption point (U64_MAX: none)
	 * @limit_ns: engine time after which the job is stopped as hung,
	 *	preemptible or not (U64_MAX: none)
	 * @ctx: the channel's context id: a backend modelling a context
	 *	switch pays it when @ctx differs from the last one it ran
	 *
	 * The backend reports the end of the run with gpucore_sched_ran(),
	 * later, from its own context.
	 */
	void (*run)(struct gpucore_engine *e, struct gpucore_job *job, u64 budget_ns,
		    u64 limit_ns, u32 ctx);

	/**
	 * @preempt: shorten the run in progress
	 * @e: the engine, with a run in progress
	 * @job: the run's job (for a self-scheduled backend, which may hold
	 *	several: the one to stop)
	 * @after_ns: stop at the first preemption point after this much more
	 *	engine time (0: the next one)
	 * @force: stop now, even inside non-preemptible work (the channel
	 *	is being destroyed); the work resumes where it stopped if the
	 *	job is run again
	 */
	void (*preempt)(struct gpucore_engine *e, struct gpucore_job *job, u64 after_ns,
			bool force);

	/**
	 * @inflight: engine time used by the step in progress and not yet
	 * charged with gpucore_sched_charge() (0 if none)
	 */
	u64 (*inflight)(struct gpucore_engine *e);
};

extern const struct gpucore_backend_ops gpucore_emu_backend;
extern const struct gpucore_backend_ops gpucore_emu_fw_backend;

/* Reports from a backend, each with the GPU lock held (see DOC). */
void gpucore_sched_charge(struct gpucore_engine *e, struct gpucore_job *job, u64 ns);
void gpucore_sched_overhead(struct gpucore_engine *e, u64 ns);
void gpucore_sched_ran(struct gpucore_engine *e, struct gpucore_job *job,
		       enum gpucore_run_end end, u64 late_ns, struct list_head *done);
void gpucore_jobs_signal(struct list_head *done);

#endif /* _GPUCORE_BACKEND_H_ */
