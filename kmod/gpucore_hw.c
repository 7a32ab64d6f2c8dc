// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore emulated hardware: engines that execute commands, a backend.
 */

/**
 * DOC: Emulated engines
 *
 * The first backend (gpucore_backend.h). Each engine has a
 * high-resolution timer, its clock, and a thread that moves bytes. Given a
 * run (a job, a budget, a limit) it executes the job's commands in order:
 *
 * - SPIN occupies the engine. The timer is set for the command's end, the
 *   run's budget, a preemption's deadline or the hang limit, whichever
 *   comes first, and fires in hard interrupt context: a slice ends, and a
 *   preemption takes effect, on time however busy the CPUs are.
 * - A SPIN with GPUCORE_CMD_NOPREEMPT, once started, is not stopped by the
 *   budget or a preemption: only by its end, the hang limit, or a forced
 *   stop (its channel is destroyed). A SPIN with GPUCORE_CMD_HANG never
 *   ends by itself.
 * - FILL and COPY move real bytes through the kernel addresses of their
 *   commands (a buffer object's mapping, or a front end's mapping of a
 *   VM's pages),
 *   in the engine's thread, in chunks of GPUCORE_DATA_CHUNK bytes, with a
 *   preemption point between chunks. They are charged the real time the
 *   chunks took.
 * - A context switch costs time: a run of a context (channel) other than
 *   the last one the engine ran first spends the GPU's switch_cost_ns,
 *   reported as overhead and charged to nobody.
 *
 * The engines are scheduled by the core (gpucore_emu_backend) or, like a
 * GPU whose firmware schedules (GuC, MES), by themselves
 * (gpucore_emu_fw_backend, the fw_sched module parameter): the core hands
 * every runnable channel's head job to its engine, and the engine's
 * emulated firmware runs them round robin, each context for up to the
 * GPU's timeslice of engine time per turn, a context whose next job is
 * handed as its job ends keeping the rest of its turn. No policy applies
 * and vGPU weights and caps are not enforced: as on such hardware, the
 * firmware decides.
 *
 * Engine time charged is the measured time of each step, but a SPIN is
 * never charged past its due time: a SPIN of N ns costs its channel N ns,
 * and a SPIN stopped by a slice of N ns is charged N ns, whatever the
 * timer's slack. How late a timed step ended against
 * its due time is reported with the run's end, so the emulator's own error
 * is visible (debugfs, the switch_out tracepoint).
 */

#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "gpucore_priv.h"

enum gpucore_emu_state {
	GPUCORE_EMU_IDLE,	/* no run, or between steps */
	GPUCORE_EMU_START,	/* a run that ends before its first step */
	GPUCORE_EMU_SWITCH,	/* loading a context */
	GPUCORE_EMU_SPIN,	/* the timer ends the step */
	GPUCORE_EMU_DATA,	/* the thread moves a chunk */
};

/*
 * struct gpucore_emu - the emulated state of one engine
 *
 * All fields but @timer, @thread and @wq are protected by the GPU lock.
 */
struct gpucore_emu {
	struct gpucore_engine *e;
	struct hrtimer timer;
	struct task_struct *thread;
	wait_queue_head_t wq;
	enum gpucore_emu_state state;
	struct gpucore_job *job;	/* the run's job, or NULL */
	u64 budget;			/* engine time before stopping at a point */
	u64 limit;			/* engine time before the job is hung */
	u64 used;			/* engine time of the run's finished steps */
	u64 step_start;			/* when the SPIN or DATA step began */
	u64 due;			/* when the timer is due, 0: not timed */
	u64 switch_cost;		/* of the context switch in progress */
	u32 ctx;			/* context loaded, 0: none */
	bool stop;			/* stop at the next preemption point */
	bool force;			/* stop now, preemptible or not */
	bool data_go;			/* the thread has a chunk to move */
	/* the emulated firmware's scheduler, when it schedules itself */
	struct list_head fw_queue;	/* handed jobs waiting for a turn */
	struct list_head fw_stopped;	/* handed jobs stopped while waiting */
	struct irq_work fw_work;	/* reports @fw_stopped */
	u32 fw_ctx;			/* context of the current turn */
	u64 fw_left;			/* engine time left in that turn */
};

static struct gpucore_emu *to_emu(struct gpucore_engine *e)
{
	return e->be;
}

/* Does the engine's emulated firmware schedule it (gpucore_emu_fw_backend)? */
static bool gpucore_emu_fw(const struct gpucore_emu *emu)
{
	return emu->e->gpu->backend == &gpucore_emu_fw_backend;
}

static bool gpucore_cmd_endless(const struct gpucore_cmd *cmd)
{
	return cmd->op == GPUCORE_CMD_SPIN && (cmd->flags & GPUCORE_CMD_HANG);
}

static bool gpucore_cmd_finished(const struct gpucore_job *job)
{
	const struct gpucore_cmd *cmd = &job->cmds[job->cur];

	return !gpucore_cmd_endless(cmd) && job->progress >= cmd->size;
}

/* A started non-preemptible SPIN runs to its end. */
static bool gpucore_cmd_held(const struct gpucore_job *job)
{
	const struct gpucore_cmd *cmd = &job->cmds[job->cur];

	return cmd->op == GPUCORE_CMD_SPIN && (cmd->flags & GPUCORE_CMD_NOPREEMPT) &&
	       (job->progress || gpucore_cmd_endless(cmd));
}

static void gpucore_emu_arm(struct gpucore_emu *emu, u64 due)
{
	emu->due = due;
	hrtimer_start(&emu->timer, ns_to_ktime(due), HRTIMER_MODE_ABS_HARD);
}

/* Start a SPIN step: the timer ends it. */
static void gpucore_emu_spin(struct gpucore_emu *emu, u64 now)
{
	struct gpucore_job *job = emu->job;
	const struct gpucore_cmd *cmd = &job->cmds[job->cur];
	u64 t = gpucore_cmd_endless(cmd) ? U64_MAX : cmd->size - job->progress;

	if (!(cmd->flags & GPUCORE_CMD_NOPREEMPT))
		t = min(t, emu->budget - emu->used);
	t = min(t, emu->limit - emu->used);
	emu->state = GPUCORE_EMU_SPIN;
	emu->step_start = now;
	gpucore_emu_arm(emu, now + t);
}

/*
 * Begin the next step of the run, or say how the run ends: the job is
 * done, stopped at a preemption point, or hung.
 */
static bool gpucore_emu_step(struct gpucore_emu *emu, u64 now, enum gpucore_run_end *end)
{
	struct gpucore_job *job = emu->job;

	for (; job->cur < job->num_cmds; job->cur++, job->progress = 0) {
		if (gpucore_cmd_finished(job))
			continue;
		if (emu->force) {
			*end = GPUCORE_RUN_STOPPED;
			return false;
		}
		/* A SPIN that never ends, with no limit to stop it, is hung now. */
		if (emu->used >= emu->limit ||
		    (gpucore_cmd_endless(&job->cmds[job->cur]) && emu->limit == U64_MAX)) {
			*end = GPUCORE_RUN_HUNG;
			return false;
		}
		if ((emu->stop || emu->used >= emu->budget) && !gpucore_cmd_held(job)) {
			*end = GPUCORE_RUN_STOPPED;
			return false;
		}
		if (job->cmds[job->cur].op == GPUCORE_CMD_SPIN) {
			gpucore_emu_spin(emu, now);
		} else {
			emu->state = GPUCORE_EMU_DATA;
			emu->step_start = 0;	/* set when the thread begins */
			emu->due = 0;
			WRITE_ONCE(emu->data_go, true);
			wake_up(&emu->wq);
		}
		return true;
	}
	*end = GPUCORE_RUN_DONE;
	return false;
}

static void gpucore_fw_ran(struct gpucore_emu *emu, struct gpucore_job *job,
			   enum gpucore_run_end end, u64 late_ns, struct list_head *done);

/* Between steps, in the backend's own context: go on, or report the end. */
static void gpucore_emu_continue(struct gpucore_emu *emu, u64 now, u64 late_ns,
				 struct list_head *done)
{
	struct gpucore_job *job = emu->job;
	enum gpucore_run_end end;

	emu->state = GPUCORE_EMU_IDLE;
	emu->step_start = 0;
	if (gpucore_emu_step(emu, now, &end))
		return;
	emu->job = NULL;
	emu->due = 0;
	if (gpucore_emu_fw(emu))
		return gpucore_fw_ran(emu, job, end, late_ns, done);
	gpucore_sched_ran(emu->e, job, end, late_ns, done);
}

/*
 * Engine time of the current step at @now: the time it ran, but not past
 * its due time (the SPIN's end, the run's budget, a preemption's deadline
 * or the hang limit). The timer firing late is the emulator's error, not
 * the job's work: a SPIN of N ns is charged N ns however often it was
 * preempted, and a slice of N ns is charged N ns whatever the timer's
 * slack.
 */
static u64 gpucore_emu_step_ran(const struct gpucore_emu *emu, u64 now)
{
	u64 ran = now - emu->step_start;

	if (emu->due > emu->step_start)
		ran = min(ran, emu->due - emu->step_start);
	return ran;
}

static void gpucore_emu_spin_end(struct gpucore_emu *emu, u64 now)
{
	struct gpucore_job *job = emu->job;
	u64 ran = gpucore_emu_step_ran(emu, now);

	job->progress += ran;
	emu->used += ran;
	gpucore_sched_charge(emu->e, job, ran);
}

static enum hrtimer_restart gpucore_emu_timer_fn(struct hrtimer *timer)
{
	struct gpucore_emu *emu = container_of(timer, struct gpucore_emu, timer);
	struct gpucore_gpu *gpu = emu->e->gpu;
	unsigned long flags;
	LIST_HEAD(done);
	u64 now, late;

	spin_lock_irqsave(&gpu->lock, flags);
	now = ktime_get_ns();
	/* Untimed, or woken before its due time (a deadline moved): no lateness. */
	late = emu->due && now >= emu->due ? now - emu->due : U64_MAX;
	switch (emu->state) {
	case GPUCORE_EMU_SWITCH:
		/* The model's cost; a late timer is the emulator's error. */
		gpucore_sched_overhead(emu->e, emu->switch_cost);
		late = U64_MAX;
		break;
	case GPUCORE_EMU_SPIN:
		gpucore_emu_spin_end(emu, now);
		break;
	case GPUCORE_EMU_START:
		break;
	default:
		spin_unlock_irqrestore(&gpu->lock, flags);
		return HRTIMER_NORESTART;
	}
	gpucore_emu_continue(emu, now, late, &done);
	spin_unlock_irqrestore(&gpu->lock, flags);
	gpucore_jobs_signal(&done);
	return HRTIMER_NORESTART;
}

/* FILL/COPY: move one chunk of bytes. */
static void gpucore_exec_data(struct gpucore_cmd *cmd, u64 *progress)
{
	u64 n = min_t(u64, cmd->size - *progress, GPUCORE_DATA_CHUNK);
	u8 *dst = (u8 *)cmd->dst_ptr + *progress;

	if (cmd->op == GPUCORE_CMD_FILL) {
		memset32((u32 *)dst, cmd->value, n / 4);
	} else {
		const u8 *src = (const u8 *)cmd->src_ptr + *progress;

		memcpy(dst, src, n);
	}
	*progress += n;
}

/* One chunk of a FILL or COPY, in the engine's thread. */
static void gpucore_emu_data_step(struct gpucore_emu *emu)
{
	struct gpucore_gpu *gpu = emu->e->gpu;
	struct gpucore_job *job;
	struct gpucore_cmd *cmd;
	LIST_HEAD(done);
	u64 progress, t0, now;

	spin_lock_irq(&gpu->lock);
	if (!emu->data_go) {
		spin_unlock_irq(&gpu->lock);
		return;
	}
	job = emu->job;
	cmd = &job->cmds[job->cur];
	progress = job->progress;
	t0 = ktime_get_ns();
	emu->step_start = t0;
	spin_unlock_irq(&gpu->lock);

	gpucore_exec_data(cmd, &progress);

	spin_lock_irq(&gpu->lock);
	now = ktime_get_ns();
	WRITE_ONCE(emu->data_go, false);
	job->progress = progress;
	emu->used += now - t0;
	gpucore_sched_charge(emu->e, job, now - t0);
	gpucore_emu_continue(emu, now, U64_MAX, &done);
	spin_unlock_irq(&gpu->lock);
	gpucore_jobs_signal(&done);
}

static int gpucore_emu_thread(void *arg)
{
	struct gpucore_emu *emu = arg;

	while (!kthread_should_stop()) {
		wait_event_interruptible(emu->wq, READ_ONCE(emu->data_go) ||
					 kthread_should_stop());
		gpucore_emu_data_step(emu);
		cond_resched();
	}
	return 0;
}

/* Start a run: a context switch first if @ctx is not the one loaded. */
static void gpucore_emu_start(struct gpucore_emu *emu, struct gpucore_job *job, u64 budget_ns,
			      u64 limit_ns, u32 ctx)
{
	u64 now = ktime_get_ns(), cost = READ_ONCE(emu->e->gpu->switch_cost_ns);
	enum gpucore_run_end end;

	emu->job = job;
	emu->budget = budget_ns;
	emu->limit = limit_ns;
	emu->used = 0;
	emu->stop = false;
	emu->force = false;
	if (ctx != emu->ctx && cost) {
		emu->ctx = ctx;
		emu->switch_cost = cost;
		emu->state = GPUCORE_EMU_SWITCH;
		emu->step_start = now;
		gpucore_emu_arm(emu, now + cost);
		return;
	}
	emu->ctx = ctx;
	if (gpucore_emu_step(emu, now, &end))
		return;
	/* Reports come from the backend's context, never from inside an op. */
	emu->state = GPUCORE_EMU_START;
	emu->step_start = 0;
	emu->due = 0;
	hrtimer_start(&emu->timer, ns_to_ktime(now), HRTIMER_MODE_ABS_HARD);
}

/* See &gpucore_backend_ops.run. */
static void gpucore_emu_run(struct gpucore_engine *e, struct gpucore_job *job, u64 budget_ns,
			    u64 limit_ns, u32 ctx)
{
	gpucore_emu_start(to_emu(e), job, budget_ns, limit_ns, ctx);
}

/* See &gpucore_backend_ops.preempt. */
static void gpucore_emu_preempt(struct gpucore_engine *e, struct gpucore_job *job, u64 after_ns,
				bool force)
{
	struct gpucore_emu *emu = to_emu(e);
	u64 now = ktime_get_ns(), used;

	if (!emu->job || emu->job != job)
		return;
	if (force) {
		emu->force = true;
	} else if (!after_ns) {
		emu->stop = true;
	} else {
		used = emu->used +
		       (emu->state == GPUCORE_EMU_SPIN ? gpucore_emu_step_ran(emu, now) : 0);
		emu->budget = min(emu->budget, used + after_ns);
	}
	if (emu->state != GPUCORE_EMU_SPIN || (!force && gpucore_cmd_held(emu->job)))
		return;
	now += force || !after_ns ? 0 : after_ns;
	if (!emu->due || now < emu->due)
		gpucore_emu_arm(emu, now);
}

/*
 * The emulated firmware: start the next turn, or go on with the current
 * context's next job (handed at the head of the queue) in the rest of its
 * turn.
 */
static void gpucore_fw_next(struct gpucore_emu *emu)
{
	struct gpucore_job *job;

	if (emu->job)
		return;
	job = list_first_entry_or_null(&emu->fw_queue, struct gpucore_job, be_node);
	if (!job)
		return;
	list_del_init(&job->be_node);
	if (job->be_ctx != emu->fw_ctx || !emu->fw_left) {
		emu->fw_ctx = job->be_ctx;
		emu->fw_left = max_t(u64, READ_ONCE(emu->e->gpu->timeslice_ns), 1);
	}
	gpucore_emu_start(emu, job, emu->fw_left, job->be_limit, job->be_ctx);
}

/*
 * A run of the emulated firmware ended: a turn used up goes to the back of
 * the queue; a job done, hung or stopped by force is reported.
 */
static void gpucore_fw_ran(struct gpucore_emu *emu, struct gpucore_job *job,
			   enum gpucore_run_end end, u64 late_ns, struct list_head *done)
{
	emu->fw_left -= min(emu->fw_left, emu->used);
	if (job->be_limit != U64_MAX)
		job->be_limit -= min(job->be_limit, emu->used);
	if (end == GPUCORE_RUN_STOPPED && !emu->force) {
		emu->fw_left = 0;
		list_add_tail(&job->be_node, &emu->fw_queue);
	} else {
		gpucore_sched_ran(emu->e, job, end, late_ns, done);
	}
	gpucore_fw_next(emu);
}

/* See &gpucore_backend_ops.run: the job joins the firmware's queue. */
static void gpucore_fw_run(struct gpucore_engine *e, struct gpucore_job *job, u64 budget_ns,
			   u64 limit_ns, u32 ctx)
{
	struct gpucore_emu *emu = to_emu(e);

	job->be_limit = limit_ns;
	job->be_ctx = ctx;
	if (ctx == emu->fw_ctx && emu->fw_left)
		list_add(&job->be_node, &emu->fw_queue);
	else
		list_add_tail(&job->be_node, &emu->fw_queue);
	gpucore_fw_next(emu);
}

/* See &gpucore_backend_ops.preempt: only a forced stop reaches the firmware. */
static void gpucore_fw_preempt(struct gpucore_engine *e, struct gpucore_job *job, u64 after_ns,
			       bool force)
{
	struct gpucore_emu *emu = to_emu(e);

	if (!force)
		return;
	if (emu->job == job)
		return gpucore_emu_preempt(e, job, 0, true);
	/* Waiting for a turn: reported stopped from the backend's context. */
	list_move_tail(&job->be_node, &emu->fw_stopped);
	irq_work_queue(&emu->fw_work);
}

static void gpucore_fw_workfn(struct irq_work *work)
{
	struct gpucore_emu *emu = container_of(work, struct gpucore_emu, fw_work);
	struct gpucore_gpu *gpu = emu->e->gpu;
	struct gpucore_job *job;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&gpu->lock, flags);
	while ((job = list_first_entry_or_null(&emu->fw_stopped, struct gpucore_job,
					       be_node))) {
		list_del_init(&job->be_node);
		gpucore_sched_ran(emu->e, job, GPUCORE_RUN_STOPPED, U64_MAX, &done);
	}
	spin_unlock_irqrestore(&gpu->lock, flags);
	gpucore_jobs_signal(&done);
}

/* See &gpucore_backend_ops.inflight. */
static u64 gpucore_emu_inflight(struct gpucore_engine *e)
{
	struct gpucore_emu *emu = to_emu(e);

	if (emu->state != GPUCORE_EMU_SPIN && emu->state != GPUCORE_EMU_DATA)
		return 0;
	return emu->step_start ? gpucore_emu_step_ran(emu, ktime_get_ns()) : 0;
}

static void gpucore_emu_fini(struct gpucore_gpu *gpu)
{
	u32 i;

	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_emu *emu = gpu->engines[i].be;

		if (!emu)
			continue;
		irq_work_sync(&emu->fw_work);
		if (emu->thread)
			kthread_stop(emu->thread);
		hrtimer_cancel(&emu->timer);
		kfree(emu);
		gpu->engines[i].be = NULL;
	}
}

static int gpucore_emu_init(struct gpucore_gpu *gpu)
{
	struct task_struct *t;
	u32 i;

	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];
		struct gpucore_emu *emu;

		emu = gpucore_fail_ptr(kzalloc(sizeof(*emu), GFP_KERNEL));
		if (!emu)
			goto err;
		emu->e = e;
		INIT_LIST_HEAD(&emu->fw_queue);
		INIT_LIST_HEAD(&emu->fw_stopped);
		init_irq_work(&emu->fw_work, gpucore_fw_workfn);
		init_waitqueue_head(&emu->wq);
		hrtimer_init(&emu->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
		emu->timer.function = gpucore_emu_timer_fn;
		e->be = emu;
		t = gpucore_fail_errptr(kthread_run(gpucore_emu_thread, emu, "gpucore%u-%s",
						    gpu->id, e->name));
		if (IS_ERR(t)) {
			pr_err("gpucore: gpu%u: cannot start engine %s: %ld\n",
			       gpu->id, e->name, PTR_ERR(t));
			goto err;
		}
		emu->thread = t;
	}
	return 0;

err:
	gpucore_emu_fini(gpu);
	return -ENOMEM;
}

const struct gpucore_backend_ops gpucore_emu_backend = {
	.name = "emulated",
	.init = gpucore_emu_init,
	.fini = gpucore_emu_fini,
	.run = gpucore_emu_run,
	.preempt = gpucore_emu_preempt,
	.inflight = gpucore_emu_inflight,
};

const struct gpucore_backend_ops gpucore_emu_fw_backend = {
	.name = "emulated-firmware",
	.flags = GPUCORE_BACKEND_SELF_SCHEDULED,
	.init = gpucore_emu_init,
	.fini = gpucore_emu_fini,
	.run = gpucore_fw_run,
	.preempt = gpucore_fw_preempt,
	.inflight = gpucore_emu_inflight,
};
