// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore emulated hardware: engines that execute commands.
 */

/**
 * DOC: Emulated engines
 *
 * Each engine is a kernel thread. It asks the scheduler for a channel,
 * then executes the commands of that channel's jobs in order:
 *
 * - SPIN occupies the engine for the given number of nanoseconds. The
 *   engine sleeps on a high-resolution timer until the command's remaining
 *   time or the end of its timeslice, whichever comes first, or until it is
 *   asked to preempt; the command then resumes where it stopped.
 * - FILL and COPY move real bytes in the buffer objects' kernel mappings,
 *   in chunks of GPUCORE_DATA_CHUNK bytes; between chunks the engine can
 *   be preempted. They are charged the real time they took.
 *
 * The engine time charged is always the measured time between the start
 * and the end of an execution step, so the accounting is exact whatever
 * the timer slack. The only interface to the layer above is the scheduler
 * core's pick / switch-out / charge / job-done calls; a real device backend
 * would replace this file.
 */

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "gpucore_priv.h"

/**
 * gpucore_engine_kick - make an engine re-evaluate what it runs now
 * @e: the engine
 *
 * The running channel, if any, is switched out at the next preemption
 * point (reason "kicked") and the scheduler picks again.
 */
void gpucore_engine_kick(struct gpucore_engine *e)
{
	unsigned long flags;

	spin_lock_irqsave(&e->gpu->lock, flags);
	e->kick = true;
	e->kicks++;
	if (e->cur)
		e->preempt = true;
	spin_unlock_irqrestore(&e->gpu->lock, flags);
	wake_up(&e->wq);
}

/*
 * SPIN: sleep up to @budget ns of the command's remaining time, or until
 * a preemption is asked for (unless @hold: the minimum quantum runs out
 * first).
 */
static bool gpucore_exec_spin(struct gpucore_engine *e, struct gpucore_cmd *cmd,
			      u64 *progress, u64 budget, bool hold)
{
	u64 left = cmd->size - *progress;
	u64 t = min(left, budget);
	u64 t0 = ktime_get_ns(), spent;

	if (t)
		wait_event_interruptible_hrtimeout(e->wq,
						   (!hold && READ_ONCE(e->preempt)) ||
						   kthread_should_stop(),
						   ns_to_ktime(t));
	spent = ktime_get_ns() - t0;
	*progress += min(spent, left);
	return *progress >= cmd->size;
}

/* FILL/COPY: move one chunk of bytes. */
static bool gpucore_exec_data(struct gpucore_cmd *cmd, u64 *progress)
{
	u64 n = min_t(u64, cmd->size - *progress, GPUCORE_DATA_CHUNK);
	u8 *dst = (u8 *)cmd->dst->vaddr + cmd->dst_offset + *progress;

	if (cmd->op == GPUCORE_CMD_FILL) {
		memset32((u32 *)dst, cmd->value, n / 4);
	} else {
		const u8 *src = (const u8 *)cmd->src->vaddr + cmd->src_offset + *progress;

		memcpy(dst, src, n);
	}
	*progress += n;
	return *progress >= cmd->size;
}

static bool gpucore_exec(struct gpucore_engine *e, struct gpucore_cmd *cmd,
			 u64 *progress, u64 budget, bool hold)
{
	if (cmd->op == GPUCORE_CMD_SPIN)
		return gpucore_exec_spin(e, cmd, progress, budget, hold);
	return gpucore_exec_data(cmd, progress);
}

/*
 * Take the current channel off the engine: a preemption asked for was
 * meant for it, not for the next one (kicks during the switch-out's own
 * callbacks find no current channel to preempt).
 */
static void gpucore_engine_switch_out(struct gpucore_engine *e, enum gpucore_switch_reason why)
{
	e->preempt = false;
	e->held = false;
	gpucore_sched_switch_out(e, why);
}

/*
 * A preemption asked for by a kick waits until the channel has run the
 * minimum quantum since it was switched in, so that no kick pattern can
 * switch channels in and out without letting them execute. Returns true
 * if the channel is to be switched out now; otherwise @quantum_left is
 * what it still runs before (U64_MAX: no preemption pending).
 */
static bool gpucore_engine_kicked(struct gpucore_engine *e, u64 *quantum_left)
{
	u64 ran = e->cur->busy_ns - e->busy_at_in;

	*quantum_left = U64_MAX;
	if (!e->preempt)
		return false;
	if (ran >= GPUCORE_MIN_QUANTUM_NS)
		return true;
	if (!e->held) {
		e->held = true;
		e->kicks_held++;
	}
	*quantum_left = GPUCORE_MIN_QUANTUM_NS - ran;
	return false;
}

/*
 * Decide what the engine does next, with the GPU lock held. Returns the
 * job to work on (its command job->cur), the time budget and whether a
 * pending preemption is held for the minimum quantum, or NULL when the
 * engine has to go round again (after a switch or a completion).
 */
static struct gpucore_job *gpucore_engine_next(struct gpucore_engine *e, u64 *budget,
					       bool *hold, struct list_head *done)
{
	struct gpucore_channel *ch = e->cur;
	struct gpucore_job *job;
	u64 used, quantum_left;

	if (ch->dead) {
		gpucore_engine_switch_out(e, GPUCORE_SWITCH_DESTROYED);
		return NULL;
	}
	if (gpucore_engine_kicked(e, &quantum_left)) {
		gpucore_engine_switch_out(e, GPUCORE_SWITCH_KICKED);
		return NULL;
	}
	job = list_first_entry_or_null(&ch->jobs, struct gpucore_job, node);
	if (!job || !job->ready) {
		gpucore_engine_switch_out(e, job ? GPUCORE_SWITCH_BLOCKED : GPUCORE_SWITCH_DRAINED);
		return NULL;
	}
	/*
	 * A timeslice is engine time charged to the channel, not wall-clock
	 * time: the emulation's own work between steps (completing jobs,
	 * signalling fences) does not shorten it, so a channel of many short
	 * jobs gets as much engine time per slice as one of long jobs.
	 */
	used = ch->busy_ns - e->slice_busy;
	if (used >= e->slice_ns) {
		/* Under a BPF policy the policy decides whether it goes on. */
		if (e->nr_queued || gpucore_policy_active(e->gpu)) {
			gpucore_engine_switch_out(e, e->nr_queued ? GPUCORE_SWITCH_PREEMPTED :
						  GPUCORE_SWITCH_EXPIRED);
			return NULL;
		}
		e->slice_busy = ch->busy_ns;
		used = 0;
	}
	if (!gpucore_sched_job_start(job, done))
		return NULL;
	if (job->cur >= job->num_cmds) {
		gpucore_sched_job_done(job, 0, done);
		return NULL;
	}
	*budget = min(e->slice_ns - used, quantum_left);
	*hold = quantum_left != U64_MAX;
	return job;
}

/* One step: pick if idle, execute part of a command, account it. */
static void gpucore_engine_step(struct gpucore_engine *e)
{
	struct gpucore_gpu *gpu = e->gpu;
	struct gpucore_job *job;
	struct gpucore_cmd *cmd;
	LIST_HEAD(done);
	u64 budget, progress, t0, slice;
	bool finished, hold;

	spin_lock_irq(&gpu->lock);
	if (!e->cur) {
		if (!gpucore_sched_pick(e, &slice)) {
			e->kick = false;
			spin_unlock_irq(&gpu->lock);
			wait_event_interruptible(e->wq, READ_ONCE(e->kick) ||
						 kthread_should_stop());
			return;
		}
	}
	job = gpucore_engine_next(e, &budget, &hold, &done);
	if (!job) {
		spin_unlock_irq(&gpu->lock);
		gpucore_jobs_signal(&done);
		return;
	}
	cmd = &job->cmds[job->cur];
	progress = job->progress;
	/* Readers of busy time add the step in progress (gpucore_engine_inflight()). */
	t0 = ktime_get_ns();
	e->step_start = t0;
	spin_unlock_irq(&gpu->lock);

	finished = gpucore_exec(e, cmd, &progress, budget, hold);

	spin_lock_irq(&gpu->lock);
	gpucore_sched_charge(e, job, ktime_get_ns() - t0);
	e->step_start = 0;
	job->progress = progress;
	if (finished) {
		job->cur++;
		job->progress = 0;
		if (job->cur >= job->num_cmds)
			gpucore_sched_job_done(job, 0, &done);
	}
	spin_unlock_irq(&gpu->lock);
	gpucore_jobs_signal(&done);
}

/**
 * gpucore_engine_inflight - engine time of the execution step in progress
 * @e: the engine
 *
 * Engine time is charged when a step (part of a command, at most a
 * timeslice) ends; readers of busy counters add this so that a channel
 * running a long command shows its time as it goes, not a timeslice late.
 *
 * Context: the GPU lock held.
 * Return: nanoseconds since the step began (to be charged to e->cur), or
 * 0 when the engine is not executing.
 */
u64 gpucore_engine_inflight(struct gpucore_engine *e)
{
	lockdep_assert_held(&e->gpu->lock);
	if (!e->step_start || !e->cur)
		return 0;
	return ktime_get_ns() - e->step_start;
}

static int gpucore_engine_thread(void *arg)
{
	struct gpucore_engine *e = arg;

	while (!kthread_should_stop()) {
		gpucore_engine_step(e);
		cond_resched();
	}
	return 0;
}

static void gpucore_engine_init(struct gpucore_gpu *gpu, u32 id, u32 engine_class,
				u32 instance)
{
	struct gpucore_engine *e = &gpu->engines[id];

	e->gpu = gpu;
	e->id = id;
	e->engine_class = engine_class;
	e->instance = instance;
	snprintf(e->name, sizeof(e->name), "%s%u",
		 engine_class == GPUCORE_ENGINE_CLASS_COPY ? "copy" : "compute", instance);
	init_waitqueue_head(&e->wq);
	INIT_LIST_HEAD(&e->runlist);
}

/**
 * gpucore_hw_init - bring up a GPU's engines
 * @gpu: the GPU
 * @num_compute: compute engines; one copy engine follows them
 *
 * Return: 0 or a negative errno (engine threads could not start).
 */
int gpucore_hw_init(struct gpucore_gpu *gpu, u32 num_compute)
{
	u32 i;

	for (i = 0; i < num_compute; i++)
		gpucore_engine_init(gpu, i, GPUCORE_ENGINE_CLASS_COMPUTE, i);
	gpucore_engine_init(gpu, num_compute, GPUCORE_ENGINE_CLASS_COPY, 0);
	gpu->num_engines = num_compute + 1;

	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];
		struct task_struct *t;

		t = gpucore_fail_errptr(kthread_run(gpucore_engine_thread, e, "gpucore%u-%s",
						    gpu->id, e->name));
		if (IS_ERR(t)) {
			pr_err("gpucore: gpu%u: cannot start engine %s: %ld\n",
			       gpu->id, e->name, PTR_ERR(t));
			gpucore_hw_fini(gpu);
			return PTR_ERR(t);
		}
		e->thread = t;
	}
	return 0;
}

/**
 * gpucore_hw_fini - stop a GPU's engines
 * @gpu: the GPU; it has no channels left
 */
void gpucore_hw_fini(struct gpucore_gpu *gpu)
{
	u32 i;

	for (i = 0; i < gpu->num_engines; i++) {
		if (!gpu->engines[i].thread)
			continue;
		kthread_stop(gpu->engines[i].thread);
		gpu->engines[i].thread = NULL;
	}
}
