// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore scheduler core: channels, jobs, runlists, accounting.
 */

/**
 * DOC: Scheduler core
 *
 * Every channel is bound to one engine. A channel is *runnable* (QUEUED)
 * when its oldest pending job is ready, that is, has no in-fence or its
 * in-fence has signalled. A job whose in-fence signalled with an error is
 * ready too, but fails with that error when it reaches its engine, its
 * commands not executed (gpucore_sched_job_start()), so the jobs of a
 * channel still complete in order. Runnable channels wait on their
 * engine's runlist, oldest first. When an engine has nothing to run it
 * asks the scheduler to pick (gpucore_sched_pick()); the built-in policy is
 * round robin: the channel at the head of the runlist runs for one
 * timeslice. When the slice ends and another channel is queued on the
 * engine, the running channel is preempted (gpucore_sched_switch_out()) and
 * queued again at the tail, its current command resuming where it stopped;
 * otherwise its slice is renewed.
 * A channel that runs out of ready jobs leaves the engine at once, so idle
 * channels never hold an engine.
 *
 * All of this state is protected by the GPU's spinlock, taken with
 * interrupts disabled because in-fence callbacks may run in interrupt
 * context. Fences are never signalled, and in-fence callbacks never added or
 * removed, with that lock held: a fence callback takes it, so doing either
 * under it could deadlock.
 *
 * Picking, queueing and completing are O(1) in the number of channels.
 *
 * Accounting: engine time is charged in gpucore_sched_charge() to the
 * engine, the channel, its vGPU, its file (for fdinfo) and the job, from
 * the same measurement; every front end (ioctls, sysfs, fdinfo, debugfs,
 * tracepoints, the monitor's kfuncs) reads these numbers. A retired job
 * is counted on its engine, channel and vGPU; a completed one's wait and
 * latency also go into its channel's and vGPU's histograms.
 */

#include <linux/dma-fence-unwrap.h>
#include <linux/irq_work.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <drm/drm_gem.h>

#include "gpucore_priv.h"
#include "gpucore_trace.h"

atomic_t gpucore_live_jobs = ATOMIC_INIT(0);
DEFINE_XARRAY_ALLOC1(gpucore_channel_ids);

static void gpucore_sched_flush(struct gpucore_gpu *gpu, struct list_head *done);
static void gpucore_sched_job_done(struct gpucore_job *job, int status, struct list_head *done);
static bool gpucore_sched_job_start(struct gpucore_job *job, struct list_head *done);

static const char *gpucore_fence_driver_name(struct dma_fence *fence)
{
	return "gpucore";
}

static const char *gpucore_fence_timeline_name(struct dma_fence *fence)
{
	return "channel";
}

/* Jobs: see struct gpucore_job for why SLAB_TYPESAFE_BY_RCU. */
static struct kmem_cache *gpucore_job_cache;

static void gpucore_job_ctor(void *obj)
{
	struct gpucore_job *job = obj;

	spin_lock_init(&job->fence_lock);
}

/* Give @job's memory back, at once (see struct gpucore_job). */
static void gpucore_job_free(struct gpucore_job *job)
{
	if (job->cmds != job->cmds_inline)
		kfree(job->cmds);
	kmem_cache_free(gpucore_job_cache, job);
}

static void gpucore_fence_release(struct dma_fence *fence)
{
	struct gpucore_job *job = container_of(fence, struct gpucore_job, fence);

	if (job->in_fence)
		dma_fence_put(job->in_fence);
	gpucore_job_free(job);
	if (atomic_dec_and_test(&gpucore_live_jobs))
		wake_up_var(&gpucore_live_jobs);
}

static const struct dma_fence_ops gpucore_fence_ops = {
	.get_driver_name = gpucore_fence_driver_name,
	.get_timeline_name = gpucore_fence_timeline_name,
	.release = gpucore_fence_release,
};

/*
 * Whether @f is a gpucore job fence of a vGPU other than @vgpu. The job's
 * channel (and its vGPU) may be gone once the fence signalled, so the job
 * keeps its vGPU's uid, which no later vGPU reuses.
 */
static bool gpucore_fence_foreign_one(struct dma_fence *f, const struct gpucore_vgpu *vgpu)
{
	return f->ops == &gpucore_fence_ops &&
	       container_of(f, struct gpucore_job, fence)->vgpu_uid != vgpu->uid;
}

/**
 * gpucore_fence_foreign - whether an in-fence carries another vGPU's job fence
 * @fence: a fence of any driver, or a container of fences (a dma_fence_array
 *	of a merged sync_file, a dma_fence_chain of a timeline syncobj)
 * @vgpu: the vGPU submitting with it
 *
 * A tenant may not make its jobs wait on another tenant's, as it may not
 * import another tenant's dma-buf: SUBMIT refuses such an in-fence. Fences
 * of other drivers and of @vgpu's own jobs are fine. Containers are looked
 * through, so a merged sync_file cannot carry one in. (A container may
 * already have dropped fences that had signalled when it was made.)
 *
 * Return: true if @fence is, or contains, a job fence of another vGPU
 * (of this GPU or another).
 */
bool gpucore_fence_foreign(struct dma_fence *fence, const struct gpucore_vgpu *vgpu)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;
	bool foreign = false;

	/* No early exit: the iterator holds a reference until its end. */
	dma_fence_unwrap_for_each(f, &iter, fence)
		foreign |= gpucore_fence_foreign_one(f, vgpu);
	return foreign;
}

/* ---- the policy class ---- */

static const struct gpucore_policy_class *gpucore_cls;

/**
 * gpucore_sched_set_policy_class - register how policies are consulted
 * @cls: the class (gpucore_bpf.c's), or NULL while it goes away
 *
 * Context: before any GPU is brought up, and after every GPU is gone.
 */
void gpucore_sched_set_policy_class(const struct gpucore_policy_class *cls)
{
	gpucore_cls = cls;
}

static bool gpucore_cls_active(struct gpucore_gpu *gpu)
{
	return gpucore_cls && gpucore_cls->active(gpu);
}

static void gpucore_cls_channel_init(struct gpucore_channel *ch)
{
	if (gpucore_cls)
		gpucore_cls->channel_init(ch);
}

static void gpucore_cls_channel_exit(struct gpucore_channel *ch)
{
	if (gpucore_cls)
		gpucore_cls->channel_exit(ch);
}

static void gpucore_cls_runnable(struct gpucore_channel *ch, u64 flags)
{
	if (gpucore_cls)
		gpucore_cls->runnable(ch, flags);
}

static void gpucore_cls_quiescent(struct gpucore_channel *ch)
{
	if (gpucore_cls)
		gpucore_cls->quiescent(ch);
}

static void gpucore_cls_running(struct gpucore_channel *ch)
{
	if (gpucore_cls)
		gpucore_cls->running(ch);
}

static void gpucore_cls_stopping(struct gpucore_channel *ch, u64 ran_ns, u32 reason)
{
	if (gpucore_cls)
		gpucore_cls->stopping(ch, ran_ns, reason);
}

static bool gpucore_cls_dispatch(struct gpucore_engine *e, struct gpucore_channel **pick)
{
	return gpucore_cls && gpucore_cls->dispatch(e, pick);
}

static bool gpucore_cls_enq_last(struct gpucore_gpu *gpu)
{
	return gpucore_cls && gpucore_cls->enq_last(gpu);
}

static void gpucore_cls_local_pick(struct gpucore_engine *e)
{
	if (gpucore_cls)
		gpucore_cls->local_pick(e);
}

static void gpucore_channel_release(struct kref *ref)
{
	struct gpucore_channel *ch = container_of(ref, struct gpucore_channel, ref);

	kvfree(ch->ring);
	gpucore_vgpu_put(ch->vgpu);
	/* gpucore_dispatch() may still be looking at it under RCU. */
	kfree_rcu(ch, rcu);
}

/**
 * gpucore_channel_put - drop a channel reference
 * @ch: the channel
 *
 * Context: process context (the last put frees memory and drops a vGPU
 * reference).
 */
void gpucore_channel_put(struct gpucore_channel *ch)
{
	kref_put(&ch->ref, gpucore_channel_release);
}

/* Is @e a better engine than @best for a new channel of @vgpu? */
static bool gpucore_engine_better(struct gpucore_vgpu *vgpu, struct gpucore_engine *e,
				  struct gpucore_engine *best)
{
	u32 mine = vgpu->nr_channels_on[e->id], best_mine;

	if (!best)
		return true;
	best_mine = vgpu->nr_channels_on[best->id];
	if (mine != best_mine)
		return mine < best_mine;
	return e->nr_channels < best->nr_channels;
}

/**
 * gpucore_engine_pick - choose an engine of a class for a new channel
 * @vgpu: the vGPU the channel belongs to
 * @engine_class: enum gpucore_engine_class
 *
 * Spreads each vGPU's channels over the engines of the class: the engine
 * with the fewest channels of @vgpu, and among those the one with the
 * fewest channels in all. A vGPU's channels thus land on every engine of
 * the class before any gets a second one, so a policy that shares each
 * engine by weight also shares the class by weight, whatever order
 * tenants create their channels in.
 *
 * Return: the engine, or NULL if the GPU has none of that class.
 */
struct gpucore_engine *gpucore_engine_pick(struct gpucore_vgpu *vgpu, u32 engine_class)
{
	struct gpucore_gpu *gpu = vgpu->gpu;
	struct gpucore_engine *best = NULL;
	u32 i;

	spin_lock_irq(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];

		if (e->engine_class == engine_class && gpucore_engine_better(vgpu, e, best))
			best = e;
	}
	spin_unlock_irq(&gpu->lock);
	return best;
}

/*
 * Count a new channel against its vGPU's limit (-EDQUOT), before the
 * channel takes anything GPU-wide, so a vGPU at its limit never holds what
 * another vGPU could use. Undone by the channel's destruction, or by
 * gpucore_vgpu_uncharge_channel() if it is not created after all.
 */
static int gpucore_vgpu_charge_channel(struct gpucore_vgpu *vgpu)
{
	struct gpucore_gpu *gpu = vgpu->gpu;
	int ret = 0;

	spin_lock_irq(&gpu->lock);
	if (vgpu->nr_channels >= READ_ONCE(vgpu->max_channels))
		ret = -EDQUOT;
	else
		vgpu->nr_channels++;
	spin_unlock_irq(&gpu->lock);
	return ret;
}

/* Undo gpucore_vgpu_charge_channel() for a channel not created. */
static void gpucore_vgpu_uncharge_channel(struct gpucore_vgpu *vgpu)
{
	spin_lock_irq(&vgpu->gpu->lock);
	vgpu->nr_channels--;
	spin_unlock_irq(&vgpu->gpu->lock);
}

/*
 * A new channel of @vgpu on @engine: a file's (@fpriv, named after the
 * calling task) or a front end's (@fpriv NULL, named @name).
 */
static struct gpucore_channel *gpucore_channel_new(struct gpucore_vgpu *vgpu,
						   struct gpucore_file *fpriv,
						   struct gpucore_engine *engine,
						   u32 sched_class, const char *name)
{
	struct gpucore_gpu *gpu = vgpu->gpu;
	struct gpucore_channel *ch;
	int ret;

	ret = gpucore_vgpu_charge_channel(vgpu);
	if (ret)
		return ERR_PTR(ret);
	if (atomic_inc_return(&gpu->nr_channels) > GPUCORE_MAX_CHANNELS) {
		ret = -EMFILE;
		goto err_count;
	}
	ch = gpucore_fail_ptr(kzalloc(sizeof(*ch), GFP_KERNEL));
	if (!ch) {
		ret = -ENOMEM;
		goto err_count;
	}
	kref_init(&ch->ref);
	ch->gpu = gpu;
	ch->vgpu = vgpu;
	gpucore_vgpu_get(vgpu);
	ch->engine = engine;
	ch->gpu_id = gpu->id;
	ch->engine_id = engine->id;
	ch->vgpu_id = vgpu->id;
	ch->sched_class = sched_class;
	ch->fpriv = fpriv;
	if (fpriv) {
		ch->client_id = fpriv->drm_file->client_id;
		ch->pid = task_tgid_nr(current);
		get_task_comm(ch->comm, current);
	} else {
		/* A front end's channel: its process is the one driving it (a VMM). */
		if (!(current->flags & PF_KTHREAD))
			ch->pid = task_tgid_nr(current);
		strscpy(ch->comm, name, sizeof(ch->comm));
	}
	ch->fence_context = dma_fence_context_alloc(1);
	ch->next_seqno = 1;
	mutex_init(&ch->submit_lock);
	init_waitqueue_head(&ch->done_wq);
	INIT_LIST_HEAD(&ch->jobs);
	INIT_LIST_HEAD(&ch->rl_node);
	INIT_LIST_HEAD(&ch->vgpu_node);
	INIT_LIST_HEAD(&ch->dsq_node);
	RB_CLEAR_NODE(&ch->dsq_rb);

	/*
	 * The module-wide id table holds its own reference. Ids stay within
	 * 1..GPUCORE_MAX_CHANNEL_ID (policies index arrays by them); the
	 * per-GPU channel limit guarantees a free one.
	 */
	BUILD_BUG_ON(GPUCORE_MAX_GPUS * GPUCORE_MAX_CHANNELS > GPUCORE_MAX_CHANNEL_ID);
	kref_get(&ch->ref);
	ret = gpucore_fail_int(xa_alloc(&gpucore_channel_ids, &ch->id, ch,
					XA_LIMIT(1, GPUCORE_MAX_CHANNEL_ID), GFP_KERNEL));
	if (ret)
		goto err_ref;

	spin_lock_irq(&gpu->lock);
	if (vgpu->dead) {
		spin_unlock_irq(&gpu->lock);
		ret = -ENODEV;
		goto err_erase;
	}
	list_add_tail(&ch->vgpu_node, &vgpu->channels);
	vgpu->nr_channels_on[engine->id]++;
	engine->nr_channels++;
	gpucore_cls_channel_init(ch);
	gpucore_sched_unlock_irq(gpu);

	trace_gpucore_channel_create(ch);
	return ch;

err_erase:
	xa_erase(&gpucore_channel_ids, ch->id);
err_ref:
	kref_put(&ch->ref, gpucore_channel_release);
	gpucore_channel_put(ch);
err_count:
	atomic_dec(&gpu->nr_channels);
	gpucore_vgpu_uncharge_channel(vgpu);
	return ERR_PTR(ret);
}

/**
 * gpucore_channel_create - create a channel of a file bound to an engine
 * @fpriv: the owning file; the channel belongs to the file's vGPU
 * @engine: the engine
 * @sched_class: GPUCORE_CLASS_*, a hint for policies
 *
 * Return: the channel with one reference for the caller, or an ERR_PTR:
 * -ENOMEM, -EDQUOT (the vGPU's max_channels reached), -EMFILE
 * (GPUCORE_MAX_CHANNELS reached), -ENODEV (vGPU gone).
 */
struct gpucore_channel *gpucore_channel_create(struct gpucore_file *fpriv,
					       struct gpucore_engine *engine, u32 sched_class)
{
	return gpucore_channel_new(fpriv->vgpu, fpriv, engine, sched_class, NULL);
}

/**
 * gpucore_kchannel_create - create a channel a front end owns
 * @vgpu: the vGPU it belongs to (a front end's, gpucore_api.h)
 * @engine_class: GPUCORE_ENGINE_CLASS_*; the core picks the engine, as for
 *	a file's channel without GPUCORE_CHANNEL_ENGINE_INSTANCE
 * @name: shown where a file's channel shows its task's name
 *
 * The channel's pid is the calling process's (a VFIO device's VMM, which
 * enables the device's channel), 0 if called from a kernel thread.
 *
 * Context: process context.
 * Return: the channel, or an ERR_PTR: -EINVAL (no such class) or one of
 * gpucore_channel_create()'s.
 */
struct gpucore_channel *gpucore_kchannel_create(struct gpucore_vgpu *vgpu, u32 engine_class,
						const char *name)
{
	struct gpucore_engine *e;

	if (engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
		return ERR_PTR(-EINVAL);
	e = gpucore_engine_pick(vgpu, engine_class);
	if (!e)
		return ERR_PTR(-EINVAL);
	return gpucore_channel_new(vgpu, NULL, e, GPUCORE_CLASS_BATCH, name);
}
EXPORT_SYMBOL_NS_GPL(gpucore_kchannel_create, GPUCORE);

/**
 * gpucore_kchannel_destroy - destroy a front end's channel
 * @ch: from gpucore_kchannel_create(); gone when this returns
 *
 * Its jobs in flight fail with -ECANCELED (their fences signal) once the
 * engine has stopped running them: their memory is no longer touched.
 *
 * Context: process context; may sleep.
 */
void gpucore_kchannel_destroy(struct gpucore_channel *ch)
{
	gpucore_channel_destroy(ch);
	gpucore_channel_put(ch);
}
EXPORT_SYMBOL_NS_GPL(gpucore_kchannel_destroy, GPUCORE);

/*
 * Put a channel whose head job is ready on its engine's runlist and tell
 * the policy (@flags: GPUCORE_ENQ_*); an idle engine is kicked.
 */
static void gpucore_make_runnable(struct gpucore_channel *ch, u64 flags)
{
	struct gpucore_engine *e = ch->engine;

	lockdep_assert_held(&ch->gpu->lock);
	ch->state = GPUCORE_CH_QUEUED;
	ch->runnable_since = ktime_get_ns();
	if (flags & GPUCORE_ENQ_WAKEUP)
		ch->last_progress = ch->runnable_since;
	list_add_tail(&ch->rl_node, &e->runlist);
	e->nr_queued++;
	gpucore_cls_runnable(ch, flags);
	/* A requeue is part of a switch-out, which counts its own time. */
	if (!(flags & GPUCORE_ENQ_REQUEUE))
		e->sched_ns += ktime_get_ns() - ch->runnable_since;
	/* A requeue comes from a switch-out, whose caller picks next anyway. */
	if (!e->cur && !(flags & GPUCORE_ENQ_REQUEUE))
		gpucore_sched_kick(e, false);
}

static struct gpucore_job *gpucore_head_job(struct gpucore_channel *ch)
{
	return list_first_entry_or_null(&ch->jobs, struct gpucore_job, node);
}

/* Make @ch runnable if it is idle and its head job is ready. */
static void gpucore_update_state(struct gpucore_channel *ch, u64 flags)
{
	struct gpucore_job *head = gpucore_head_job(ch);

	if (ch->dead || ch->state != GPUCORE_CH_IDLE || !head || !head->ready)
		return;
	gpucore_make_runnable(ch, flags);
}

/*
 * @job's in-fence signalled, with @error (0 or a negative errno). Called
 * with the in-fence's lock held, which may be another job's fence: the
 * kick is acted on from an irq_work, where retiring (and signalling) jobs
 * nests in no fence lock.
 */
static void gpucore_job_ready(struct gpucore_job *job, int error)
{
	struct gpucore_gpu *gpu = job->gpu;
	unsigned long flags;

	spin_lock_irqsave(&gpu->lock, flags);
	job->ready = true;
	job->in_error = error;
	if (!job->done)
		gpucore_update_state(job->ch, GPUCORE_ENQ_WAKEUP);
	if (gpu->kick_pending)
		irq_work_queue(&gpu->kick_irq_work);
	spin_unlock_irqrestore(&gpu->lock, flags);
}

static void gpucore_in_fence_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct gpucore_job *job = container_of(cb, struct gpucore_job, in_cb);

	/* Called with the fence's lock held, its error already final. */
	gpucore_job_ready(job, fence->error);
	dma_fence_put(&job->fence);
}

/*
 * SPIN flags: known ones only; a HANG SPIN has no size, cannot be
 * preempted, and needs a job timeout to end it.
 */
static int gpucore_spin_flags_check(const struct drm_gpucore_cmd *c, struct gpucore_gpu *gpu)
{
	if (c->flags & ~GPUCORE_CMD_FLAGS)
		return -EINVAL;
	if (!(c->flags & GPUCORE_CMD_HANG))
		return 0;
	if (c->size || !(c->flags & GPUCORE_CMD_NOPREEMPT) || !READ_ONCE(gpu->job_timeout_ns))
		return -EINVAL;
	return 0;
}

/**
 * gpucore_cmd_check - the checks of one command that need no lookup
 * @c: the command, as userspace describes it (a front end's commands are
 *	described the same way, with no handles)
 * @gpu: the GPU it is for
 *
 * The one definition of what a command may be, for every front end.
 *
 * Return: 0 or -EINVAL.
 */
int gpucore_cmd_check(const struct drm_gpucore_cmd *c, struct gpucore_gpu *gpu)
{
	if (c->flags && c->op != GPUCORE_CMD_SPIN)
		return -EINVAL;
	switch (c->op) {
	case GPUCORE_CMD_SPIN:
		if (c->dst_handle || c->src_handle || c->dst_offset || c->src_offset ||
		    c->value || c->size > GPUCORE_MAX_SPIN_NS)
			return -EINVAL;
		return gpucore_spin_flags_check(c, gpu);
	case GPUCORE_CMD_FILL:
		if (c->src_handle || c->src_offset || c->value >> 32 ||
		    c->dst_offset % 4 || c->size % 4)
			return -EINVAL;
		return 0;
	case GPUCORE_CMD_COPY:
		if (c->value)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * gpucore_job_alloc - allocate a job for a channel
 * @ch: the channel
 * @num_cmds: number of commands (at most GPUCORE_MAX_CMDS_PER_JOB)
 *
 * The caller fills in the commands and the in-fence, then submits the job
 * with gpucore_jobs_submit() or frees it with gpucore_job_free_unsubmitted().
 *
 * Return: the job, or NULL when out of memory.
 */
struct gpucore_job *gpucore_job_alloc(struct gpucore_channel *ch, u32 num_cmds)
{
	struct gpucore_job *job;

	job = gpucore_fail_ptr(kmem_cache_alloc(gpucore_job_cache, GFP_KERNEL));
	if (!job)
		return NULL;
	memset(&job->zeroed, 0, sizeof(job->zeroed));
	job->cmds = job->cmds_inline;
	if (num_cmds > GPUCORE_JOB_INLINE_CMDS) {
		job->cmds = gpucore_fail_ptr(kcalloc(num_cmds, sizeof(*job->cmds), GFP_KERNEL));
		if (!job->cmds) {
			kmem_cache_free(gpucore_job_cache, job);
			return NULL;
		}
	} else {
		memset(job->cmds, 0, num_cmds * sizeof(*job->cmds));
	}
	job->gpu = ch->gpu;
	job->ch = ch;
	job->vgpu_uid = ch->vgpu->uid;
	job->num_cmds = num_cmds;
	job->ready = true;
	INIT_LIST_HEAD(&job->node);
	INIT_LIST_HEAD(&job->in_cb.node);
	return job;
}

static void gpucore_job_put_bos(struct gpucore_job *job)
{
	u32 i;

	for (i = 0; i < job->num_cmds; i++) {
		if (job->cmds[i].dst)
			drm_gem_object_put(&job->cmds[i].dst->base.base);
		if (job->cmds[i].src)
			drm_gem_object_put(&job->cmds[i].src->base.base);
	}
}

/**
 * gpucore_job_free_unsubmitted - free a job that was never submitted
 * @job: the job (its fence was never initialised)
 */
void gpucore_job_free_unsubmitted(struct gpucore_job *job)
{
	gpucore_job_put_bos(job);
	if (job->in_fence)
		dma_fence_put(job->in_fence);
	gpucore_job_free(job);
}

/**
 * gpucore_kjob_alloc - a job for a front end's channel
 * @ch: from gpucore_kchannel_create()
 * @num_cmds: 1..GPUCORE_MAX_CMDS_PER_JOB
 *
 * Return: the job, to fill with gpucore_kjob_set_cmd() and submit, or
 * NULL (bad count, or out of memory).
 */
struct gpucore_job *gpucore_kjob_alloc(struct gpucore_channel *ch, u32 num_cmds)
{
	if (!num_cmds || num_cmds > GPUCORE_MAX_CMDS_PER_JOB)
		return NULL;
	return gpucore_job_alloc(ch, num_cmds);
}
EXPORT_SYMBOL_NS_GPL(gpucore_kjob_alloc, GPUCORE);

/**
 * gpucore_kjob_set_cmd - set a command of a front end's job
 * @job: from gpucore_kjob_alloc()
 * @i: which command
 * @c: the command; its memory stays mapped until the job's fence signals
 *
 * Checked by the same rules as a command from userspace
 * (gpucore_cmd_check()), and FILL and COPY need their addresses.
 *
 * Return: 0 or -EINVAL.
 */
int gpucore_kjob_set_cmd(struct gpucore_job *job, u32 i, const struct gpucore_kcmd *c)
{
	struct drm_gpucore_cmd uc = {
		.op = c->op, .flags = c->flags, .value = c->value, .size = c->size,
		.dst_offset = c->op == GPUCORE_CMD_FILL ? offset_in_page(c->dst) : 0,
	};
	struct gpucore_cmd *out = &job->cmds[i];

	if (i >= job->num_cmds || gpucore_cmd_check(&uc, job->gpu))
		return -EINVAL;
	if (c->size && c->op != GPUCORE_CMD_SPIN && !c->dst)
		return -EINVAL;
	if (c->size && c->op == GPUCORE_CMD_COPY && !c->src)
		return -EINVAL;
	out->op = c->op;
	out->flags = c->flags;
	out->value = c->value;
	out->size = c->size;
	out->dst_ptr = c->dst;
	out->src_ptr = c->src;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gpucore_kjob_set_cmd, GPUCORE);

/**
 * gpucore_kjob_free - free a front end's job that was not submitted
 * @job: from gpucore_kjob_alloc()
 */
void gpucore_kjob_free(struct gpucore_job *job)
{
	gpucore_job_free_unsubmitted(job);
}
EXPORT_SYMBOL_NS_GPL(gpucore_kjob_free, GPUCORE);

/**
 * gpucore_kjob_submit - queue a front end's job on its channel
 * @job: from gpucore_kjob_alloc(), its commands set; the channel owns it
 *	on success
 * @fence: set to the job's fence, with a reference for the caller
 *
 * Return: 0 or one of gpucore_jobs_submit()'s errors (the job is still
 * the caller's).
 */
int gpucore_kjob_submit(struct gpucore_job *job, struct dma_fence **fence)
{
	u64 seqno;
	int ret;

	ret = gpucore_jobs_submit(job->ch, &job, 1, &seqno);
	if (!ret)
		*fence = &job->fence;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gpucore_kjob_submit, GPUCORE);

/*
 * Make the completed-job ring hold every seqno up to @last, at most the
 * last GPUCORE_MAX_QUEUED_JOBS: it starts small and doubles, so thousands
 * of channels that run few jobs cost little memory. The records move to
 * their slots in the new ring (seqno % size) under the GPU lock.
 * Context: the channel's submit_lock held.
 */
static int gpucore_ring_reserve(struct gpucore_channel *ch, u64 last)
{
	struct gpucore_job_rec *ring, *old;
	u32 size = ch->ring_size ? ch->ring_size : 64, i;

	while (size < last && size < GPUCORE_MAX_QUEUED_JOBS)
		size *= 2;
	if (size == ch->ring_size)
		return 0;
	ring = gpucore_fail_ptr(kvcalloc(size, sizeof(*ring), GFP_KERNEL));
	if (!ring)
		return -ENOMEM;
	spin_lock_irq(&ch->gpu->lock);
	for (i = 0; i < ch->ring_size; i++)
		if (ch->ring[i].seqno)
			ring[ch->ring[i].seqno % size] = ch->ring[i];
	old = ch->ring;
	ch->ring = ring;
	ch->ring_size = size;
	spin_unlock_irq(&ch->gpu->lock);
	kvfree(old);
	return 0;
}

/**
 * gpucore_job_rec_find - the record of a completed job
 * @ch: the channel
 * @seqno: a seqno of @ch at most ch->last_done
 *
 * Context: the GPU lock held.
 * Return: the record, or NULL if the job completed so long ago that it
 * was forgotten.
 */
const struct gpucore_job_rec *gpucore_job_rec_find(struct gpucore_channel *ch, u64 seqno)
{
	const struct gpucore_job_rec *rec;

	lockdep_assert_held(&ch->gpu->lock);
	if (!ch->ring_size)
		return NULL;
	rec = &ch->ring[seqno % ch->ring_size];
	return rec->seqno == seqno ? rec : NULL;
}

/**
 * gpucore_jobs_submit - queue jobs on a channel, all or nothing
 * @ch: the channel
 * @jobs: @n jobs from gpucore_job_alloc(); on success the channel owns them
 *	and the caller gets a reference on each job's fence, to put when done
 * @n: number of jobs
 * @first_seqno: set to the seqno of the first job
 *
 * Return: 0, -EAGAIN (the channel's queue is full), -EDQUOT (the vGPU's
 * max_jobs would be exceeded), -EIO (a job of the channel hung), -ENOMEM
 * or -ENODEV (the channel was destroyed, with its vGPU). On error the jobs still belong to the caller.
 */
int gpucore_jobs_submit(struct gpucore_channel *ch, struct gpucore_job **jobs,
			u32 n, u64 *first_seqno)
{
	struct gpucore_gpu *gpu = ch->gpu;
	u64 now;
	u32 i;
	int ret = 0;

	mutex_lock(&ch->submit_lock);
	ret = gpucore_ring_reserve(ch, ch->next_seqno - 1 + n);
	if (ret) {
		mutex_unlock(&ch->submit_lock);
		return ret;
	}
	spin_lock_irq(&gpu->lock);
	if (ch->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (ch->guilty) {
		ret = -EIO;
		goto out_unlock;
	}
	if (ch->nr_pending + n > GPUCORE_MAX_QUEUED_JOBS) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (ch->vgpu->nr_jobs + n > READ_ONCE(ch->vgpu->max_jobs)) {
		ret = -EDQUOT;
		goto out_unlock;
	}
	ch->vgpu->nr_jobs += n;
	now = ktime_get_ns();
	*first_seqno = ch->next_seqno;
	for (i = 0; i < n; i++) {
		struct gpucore_job *job = jobs[i];

		job->seqno = ch->next_seqno++;
		dma_fence_init(&job->fence, &gpucore_fence_ops, &job->fence_lock,
			       ch->fence_context, job->seqno);
		atomic_inc(&gpucore_live_jobs);
		dma_fence_get(&job->fence);	/* the caller's */
		job->submit_ns = now;
		job->ready = !job->in_fence;
		kref_get(&ch->ref);
		list_add_tail(&job->node, &ch->jobs);
		ch->nr_pending++;
		ch->submitted++;
		ch->vgpu->jobs_submitted++;
		trace_gpucore_job_submit(ch, job);
	}
	gpucore_update_state(ch, GPUCORE_ENQ_WAKEUP);
	gpucore_sched_unlock_irq(gpu);

	/* In-fence callbacks are added without the GPU lock (see DOC). */
	for (i = 0; i < n; i++) {
		struct gpucore_job *job = jobs[i];

		if (!job->in_fence)
			continue;
		dma_fence_get(&job->fence);
		if (dma_fence_add_callback(job->in_fence, &job->in_cb, gpucore_in_fence_cb)) {
			/* Signalled already: 1, or its error. */
			gpucore_job_ready(job, min(dma_fence_get_status(job->in_fence), 0));
			dma_fence_put(&job->fence);
		}
	}
	mutex_unlock(&ch->submit_lock);
	return 0;

out_unlock:
	spin_unlock_irq(&gpu->lock);
	mutex_unlock(&ch->submit_lock);
	return ret;
}

/*
 * The channel an idle engine runs next. Under a policy: the head of the
 * engine's local queue, else what dispatch() puts there (or picks by id);
 * its timeslice is the one the policy gave it. Without one, or if it was
 * ejected, the built-in policy: round robin over the engine's runnable
 * channels, with the GPU's timeslice.
 */
static struct gpucore_channel *gpucore_sched_choose(struct gpucore_engine *e, u64 *slice)
{
	struct gpucore_channel *ch = NULL;

	*slice = e->gpu->timeslice_ns;
	if (gpucore_cls_active(e->gpu)) {
		ch = gpucore_dsq_first(&e->local);
		if (ch)
			gpucore_cls_local_pick(e);
		if (ch || gpucore_cls_dispatch(e, &ch)) {
			if (ch && ch->slice_ns)
				*slice = clamp(ch->slice_ns, GPUCORE_MIN_SLICE_NS,
					       GPUCORE_MAX_SLICE_NS);
			return ch;
		}
	}
	return list_first_entry_or_null(&e->runlist, struct gpucore_channel, rl_node);
}

/*
 * Choose the channel an idle engine runs next (gpucore_sched_choose()):
 * it becomes @e's current channel, out of its runlist and any dispatch
 * queue. Returns false if none is to run now.
 */
static bool gpucore_sched_pick(struct gpucore_engine *e)
{
	struct gpucore_channel *ch;
	u64 t0 = ktime_get_ns(), now, slice;

	ch = gpucore_sched_choose(e, &slice);
	if (!ch) {
		e->sched_ns += ktime_get_ns() - t0;
		return false;
	}
	gpucore_dsq_dequeue(ch);
	list_del_init(&ch->rl_node);
	e->nr_queued--;
	ch->state = GPUCORE_CH_RUNNING;
	now = ktime_get_ns();
	e->decisions++;
	e->decision_ns += now - t0;
	e->cur = ch;
	e->slice_ns = slice;
	e->slice_busy = ch->busy_ns;
	e->switched_in = now;
	e->busy_at_in = ch->busy_ns;
	e->switches++;
	trace_gpucore_switch_in(e, ch, now - ch->runnable_since);
	gpucore_cls_running(ch);
	e->sched_ns += ktime_get_ns() - t0;
	return true;
}

/*
 * Take the current channel off its engine. The policy sees stopping(),
 * then runnable() if the channel's head job is ready (it is queued again)
 * or quiescent() if it goes idle. A destroyed channel's destroyer is woken.
 * A preemption asked for was meant for this channel, not the next one.
 */
static void gpucore_sched_switch_out(struct gpucore_engine *e, enum gpucore_switch_reason why,
				     u64 late_ns)
{
	struct gpucore_channel *ch = e->cur;
	/*
	 * The engine time charged to it in this run: what its busy_ns (and
	 * its vGPU's) grew by, so policies budget in the figures every front
	 * end shows, not the emulation's switching overhead.
	 */
	u64 ran = ch->busy_ns - e->busy_at_in, t0 = ktime_get_ns();

	trace_gpucore_switch_out(e, ch, ran, why, late_ns);
	if (why == GPUCORE_SWITCH_PREEMPTED) {
		e->preemptions++;
		ch->preemptions++;
	}
	e->cur = NULL;
	e->prev = ch;
	e->preempt = false;
	ch->state = GPUCORE_CH_IDLE;
	gpucore_cls_stopping(ch, ran, why);
	if (!ch->dead)
		gpucore_update_state(ch, GPUCORE_ENQ_REQUEUE);
	if (ch->state == GPUCORE_CH_IDLE)
		gpucore_cls_quiescent(ch);
	if (ch->dead)
		wake_up_all(&ch->done_wq);
	e->sched_ns += ktime_get_ns() - t0;
}

/* Engine time @job may still use before it counts as hung (U64_MAX: no limit). */
static u64 gpucore_job_limit(struct gpucore_gpu *gpu, struct gpucore_job *job)
{
	u64 timeout = READ_ONCE(gpu->job_timeout_ns);

	if (!timeout)
		return U64_MAX;
	return timeout > job->busy_ns ? timeout - job->busy_ns : 0;
}

/*
 * Decide what @e's current channel does next, between two runs: it is
 * switched out (destroyed, kicked after its minimum quantum, out of ready
 * jobs, or its slice used with others waiting or a policy to decide), its
 * head job fails before it starts, or the backend runs the head job for
 * the rest of the slice (or of the minimum quantum, if a preemption is
 * pending). A slice is engine time charged to the channel, not wall-clock
 * time: the core's work between runs does not shorten it.
 */
static void gpucore_engine_next(struct gpucore_engine *e, u64 late_ns, struct list_head *done)
{
	struct gpucore_channel *ch = e->cur;
	struct gpucore_job *job = gpucore_head_job(ch);
	u64 ran = ch->busy_ns - e->busy_at_in, used, budget;

	if (ch->dead)
		return gpucore_sched_switch_out(e, GPUCORE_SWITCH_DESTROYED, late_ns);
	if (e->preempt && ran >= GPUCORE_MIN_QUANTUM_NS)
		return gpucore_sched_switch_out(e, GPUCORE_SWITCH_KICKED, late_ns);
	if (!job || !job->ready)
		return gpucore_sched_switch_out(e, job ? GPUCORE_SWITCH_BLOCKED :
						GPUCORE_SWITCH_DRAINED, late_ns);
	used = ch->busy_ns - e->slice_busy;
	if (used >= e->slice_ns) {
		/* Alone on its engine, it goes on unless the policy wants to see it. */
		if (e->nr_queued || gpucore_cls_enq_last(e->gpu))
			return gpucore_sched_switch_out(e, e->nr_queued ? GPUCORE_SWITCH_PREEMPTED :
							GPUCORE_SWITCH_EXPIRED, late_ns);
		e->slice_busy = ch->busy_ns;
		used = 0;
	}
	if (!gpucore_sched_job_start(job, done))
		return;
	budget = e->slice_ns - used;
	if (e->preempt)
		budget = min(budget, GPUCORE_MIN_QUANTUM_NS - ran);
	e->run_job = job;
	e->gpu->backend->run(e, job, budget, gpucore_job_limit(e->gpu, job), ch->id);
}

/*
 * A self-scheduled backend's engine: hand it the head job of every queued
 * channel; the channel stays RUNNING until the backend reports the job.
 */
static void gpucore_engine_hand_all(struct gpucore_engine *e, struct list_head *done)
{
	struct gpucore_channel *ch;
	struct gpucore_job *job;

	while ((ch = list_first_entry_or_null(&e->runlist, struct gpucore_channel, rl_node))) {
		list_del_init(&ch->rl_node);
		e->nr_queued--;
		job = gpucore_head_job(ch);
		ch->state = GPUCORE_CH_RUNNING;
		trace_gpucore_switch_in(e, ch, ktime_get_ns() - ch->runnable_since);
		if (gpucore_sched_job_start(job, done)) {
			e->switches++;
			e->gpu->backend->run(e, job, U64_MAX, gpucore_job_limit(e->gpu, job),
					     ch->id);
			continue;
		}
		/* Retired before it started: its next job, if ready, queues again. */
		ch->state = GPUCORE_CH_IDLE;
		gpucore_update_state(ch, GPUCORE_ENQ_REQUEUE);
	}
	e->idle_since = ktime_get_ns();
}

/* Keep @e busy: pick, then run or retire, until a run is started or nothing is left. */
static void gpucore_engine_advance(struct gpucore_engine *e, u64 late_ns, struct list_head *done)
{
	if (!gpucore_sched_by_driver(e->gpu))
		return gpucore_engine_hand_all(e, done);
	while (!e->run_job) {
		if (!e->cur && !gpucore_sched_pick(e)) {
			e->idle_since = ktime_get_ns();
			return;
		}
		gpucore_engine_next(e, late_ns, done);
		late_ns = U64_MAX;
	}
}

/*
 * A kick: an idle engine picks; a busy one asked to preempt has its run
 * shortened to the end of the channel's minimum quantum, so that no kick
 * pattern can switch channels in and out without letting them execute.
 */
static void gpucore_engine_kicked(struct gpucore_engine *e, bool preempt, struct list_head *done)
{
	u64 ran;

	if (!e->cur)
		return gpucore_engine_advance(e, U64_MAX, done);
	if (!preempt || e->preempt || !e->run_job)
		return;
	e->preempt = true;
	ran = e->cur->busy_ns + e->gpu->backend->inflight(e) - e->busy_at_in;
	if (ran < GPUCORE_MIN_QUANTUM_NS)
		e->kicks_held++;
	e->gpu->backend->preempt(e, e->run_job, ran < GPUCORE_MIN_QUANTUM_NS ?
				 GPUCORE_MIN_QUANTUM_NS - ran : 0, false);
}

/**
 * gpucore_sched_kick - ask for an engine to be re-evaluated
 * @e: the engine
 * @preempt: switch its current channel out (once it had its minimum quantum)
 *
 * Only marks the engine: the kick takes effect when the lock holder leaves
 * the core (gpucore_sched_flush()), never inside a policy callback, so a
 * callback that kicks is not re-entered. A kick storm costs a bit test per
 * kick.
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_kick(struct gpucore_engine *e, bool preempt)
{
	struct gpucore_gpu *gpu = e->gpu;

	lockdep_assert_held(&gpu->lock);
	e->kicks++;
	gpu->kick_pending |= BIT(e->id);
	if (preempt)
		gpu->preempt_pending |= BIT(e->id);
}

/**
 * gpucore_sched_kick_idle - kick every idle engine that has work queued
 * @gpu: the GPU
 *
 * For a policy that left an engine idle on purpose and may now choose.
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_kick_idle(struct gpucore_gpu *gpu)
{
	u32 i;

	for (i = 0; i < gpu->num_engines; i++)
		if (!gpu->engines[i].cur && gpu->engines[i].nr_queued)
			gpucore_sched_kick(&gpu->engines[i], false);
}

/*
 * Act on the kicks of @gpu, each engine at most once: an engine kicked
 * again meanwhile (a policy that kicks from dispatch, say) is left to the
 * kick worker, so no policy can keep this loop going with interrupts off.
 */
static void gpucore_sched_flush(struct gpucore_gpu *gpu, struct list_head *done)
{
	u32 seen = 0, todo, i;
	bool preempt;

	lockdep_assert_held(&gpu->lock);
	while ((todo = gpu->kick_pending & ~seen)) {
		i = __ffs(todo);
		preempt = gpu->preempt_pending & BIT(i);
		seen |= BIT(i);
		gpu->kick_pending &= ~BIT(i);
		gpu->preempt_pending &= ~BIT(i);
		gpucore_engine_kicked(&gpu->engines[i], preempt, done);
	}
	if (gpu->kick_pending)
		queue_work(system_highpri_wq, &gpu->kick_work);
}

/**
 * gpucore_sched_unlock_irq - leave the core: act on kicks, drop the GPU lock
 * @gpu: the GPU, locked with spin_lock_irq()
 *
 * Whoever takes the GPU lock and calls into the policy (directly or through
 * the core) leaves through here, so kicks take effect at once.
 *
 * Context: process context; signals the jobs retired meanwhile.
 */
void gpucore_sched_unlock_irq(struct gpucore_gpu *gpu)
{
	LIST_HEAD(done);

	gpucore_sched_flush(gpu, &done);
	spin_unlock_irq(&gpu->lock);
	gpucore_jobs_signal(&done);
}

static void gpucore_kick_irq_workfn(struct irq_work *work)
{
	struct gpucore_gpu *gpu = container_of(work, struct gpucore_gpu, kick_irq_work);
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&gpu->lock, flags);
	gpucore_sched_flush(gpu, &done);
	spin_unlock_irqrestore(&gpu->lock, flags);
	gpucore_jobs_signal(&done);
}

static void gpucore_kick_workfn(struct work_struct *work)
{
	struct gpucore_gpu *gpu = container_of(work, struct gpucore_gpu, kick_work);

	spin_lock_irq(&gpu->lock);
	gpucore_sched_unlock_irq(gpu);
	cond_resched();
}

/* Count a switch made @late_ns after it was due (U64_MAX: it had no due time). */
static void gpucore_late_record(struct gpucore_late_hist *h, u64 late_ns)
{
	u64 us;
	u32 b;

	if (late_ns == U64_MAX)
		return;
	us = div_u64(late_ns, NSEC_PER_USEC);
	b = us < GPUCORE_LATE_LINEAR ? us :
	    GPUCORE_LATE_LINEAR + min_t(u32, ilog2(us) - ilog2(GPUCORE_LATE_LINEAR),
					GPUCORE_LATE_BUCKETS - GPUCORE_LATE_LINEAR - 1);
	h->bucket[b]++;
	h->count++;
	h->max_ns = max(h->max_ns, late_ns);
}

/* Upper edge of bucket @b, in ns. */
static u64 gpucore_late_edge(u32 b)
{
	if (b < GPUCORE_LATE_LINEAR)
		return (u64)(b + 1) * NSEC_PER_USEC;
	return (u64)GPUCORE_LATE_LINEAR * NSEC_PER_USEC << (b - GPUCORE_LATE_LINEAR + 1);
}

/**
 * gpucore_sched_late_percentiles - median and 99th percentile of lateness
 * @h: a lateness histogram
 * @p50: set to the median, in ns (the upper edge of its bucket)
 * @p99: set to the 99th percentile, in ns
 */
void gpucore_sched_late_percentiles(const struct gpucore_late_hist *h, u64 *p50, u64 *p99)
{
	u64 seen = 0;
	u32 b;

	*p50 = 0;
	*p99 = 0;
	for (b = 0; b < GPUCORE_LATE_BUCKETS && h->count; b++) {
		seen += h->bucket[b];
		if (!*p50 && seen * 2 >= h->count)
			*p50 = gpucore_late_edge(b);
		if (seen * 100 >= h->count * 99) {
			*p99 = min(gpucore_late_edge(b), h->max_ns);
			*p50 = min(*p50, h->max_ns);
			return;
		}
	}
}

/* A job ran past the job timeout and was stopped: fail its channel. */
static void gpucore_job_hung(struct gpucore_engine *e, struct gpucore_job *job,
			     struct list_head *done)
{
	struct gpucore_channel *ch = job->ch;
	struct gpucore_job *j, *next;

	e->resets++;
	ch->vgpu->resets++;
	ch->guilty = true;
	trace_gpucore_reset(e, ch, job);
	pr_warn_ratelimited("gpucore: gpu%u/%s: job %llu of channel %u (vgpu %s, pid %d) hung after %llu ms of engine time; engine reset, channel refuses further jobs\n",
			    e->gpu->id, e->name, job->seqno, ch->id, ch->vgpu->name, ch->pid,
			    div_u64(job->busy_ns, NSEC_PER_MSEC));
	gpucore_sched_job_done(job, -ETIMEDOUT, done);
	list_for_each_entry_safe(j, next, &ch->jobs, node)
		gpucore_sched_job_done(j, -ECANCELED, done);
}

/* A self-scheduled backend's job ended: its channel leaves the engine. */
static void gpucore_sched_handed_ran(struct gpucore_engine *e, struct gpucore_job *job,
				     struct list_head *done)
{
	struct gpucore_channel *ch = job->ch;

	/* Handed once, reported once: its run is all its engine time. */
	trace_gpucore_switch_out(e, ch, job->busy_ns, job->done ? GPUCORE_SWITCH_DRAINED :
				 GPUCORE_SWITCH_DESTROYED, U64_MAX);
	ch->state = GPUCORE_CH_IDLE;
	if (ch->dead) {
		wake_up_all(&ch->done_wq);
		return;
	}
	gpucore_update_state(ch, GPUCORE_ENQ_REQUEUE);
	gpucore_engine_hand_all(e, done);
}

/**
 * gpucore_sched_ran - a backend reports the end of a run
 * @e: the engine
 * @job: the run's job
 * @end: how the run ended
 * @late_ns: how long after its due time the run ended (the budget's end, a
 *	preemption's deadline, a SPIN's end), U64_MAX if it had none
 * @done: jobs retired here are moved to it; the backend signals them with
 *	gpucore_jobs_signal() after dropping the GPU lock
 *
 * The core retires the job if it is done (or failed as hung), then decides
 * what the engine does next and may start the next run at once.
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_ran(struct gpucore_engine *e, struct gpucore_job *job,
		       enum gpucore_run_end end, u64 late_ns, struct list_head *done)
{
	lockdep_assert_held(&e->gpu->lock);
	e->run_job = NULL;
	gpucore_late_record(&e->late, late_ns);
	if (end == GPUCORE_RUN_DONE)
		gpucore_sched_job_done(job, 0, done);
	else if (end == GPUCORE_RUN_HUNG)
		gpucore_job_hung(e, job, done);
	if (gpucore_sched_by_driver(e->gpu))
		gpucore_engine_advance(e, late_ns, done);
	else
		gpucore_sched_handed_ran(e, job, done);
	gpucore_sched_flush(e->gpu, done);
}

/**
 * gpucore_sched_overhead - a backend reports a context switch's cost
 * @e: the engine
 * @ns: time spent switching contexts, charged to no tenant
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_overhead(struct gpucore_engine *e, u64 ns)
{
	lockdep_assert_held(&e->gpu->lock);
	e->switch_ns += ns;
	e->ctx_switches++;
}

/**
 * gpucore_sched_inflight - engine time of the execution step in progress
 * @e: the engine
 *
 * Engine time is charged when a backend's step ends; readers of busy
 * counters add this so that a channel running a long command shows its
 * time as it goes, not a timeslice late.
 *
 * Context: the GPU lock held.
 * Return: nanoseconds to be charged to @e->cur, or 0.
 */
u64 gpucore_sched_inflight(struct gpucore_engine *e)
{
	lockdep_assert_held(&e->gpu->lock);
	return e->run_job ? e->gpu->backend->inflight(e) : 0;
}

/**
 * gpucore_sched_drop_queues - empty every engine's local queue
 * @gpu: the GPU, whose policy changes
 *
 * Its channels stay runnable: the built-in policy, or the next policy
 * (told about each with runnable()), places them again.
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_drop_queues(struct gpucore_gpu *gpu)
{
	u32 i;

	lockdep_assert_held(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++)
		gpucore_dsq_clear(&gpu->engines[i].local);
}

/**
 * gpucore_sched_by_driver - does the core (and a policy) schedule @gpu?
 * @gpu: the GPU
 *
 * Return: false if its backend schedules its engines itself
 * (GPUCORE_BACKEND_SELF_SCHEDULED): no policy applies to it.
 */
bool gpucore_sched_by_driver(const struct gpucore_gpu *gpu)
{
	return !(gpu->backend->flags & GPUCORE_BACKEND_SELF_SCHEDULED);
}

/**
 * gpucore_sched_longest_waiting - the runnable channel that waited longest
 * @gpu: the GPU
 *
 * Every switch-in makes progress (a kick cannot switch a channel out before
 * its minimum quantum) and runlists are in the order channels became
 * runnable, so this is the head of a runlist with the oldest progress.
 *
 * Context: the GPU lock held.
 * Return: the channel, or NULL if none is runnable.
 */
struct gpucore_channel *gpucore_sched_longest_waiting(struct gpucore_gpu *gpu)
{
	struct gpucore_channel *ch, *oldest = NULL;
	u32 i;

	lockdep_assert_held(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++) {
		ch = list_first_entry_or_null(&gpu->engines[i].runlist, struct gpucore_channel,
					      rl_node);
		if (ch && (!oldest || ch->last_progress < oldest->last_progress))
			oldest = ch;
	}
	return oldest;
}

/**
 * gpucore_sched_charge - a backend charges engine time to a job
 * @e: the engine that did the work
 * @job: the job it worked on (the run's)
 * @ns: engine time used
 *
 * The engine, the channel, its vGPU, its file (for fdinfo) and the job
 * are charged from the same measurement.
 *
 * Context: the GPU lock held.
 */
void gpucore_sched_charge(struct gpucore_engine *e, struct gpucore_job *job, u64 ns)
{
	struct gpucore_channel *ch = job->ch;

	lockdep_assert_held(&e->gpu->lock);
	e->busy_ns += ns;
	ch->busy_ns += ns;
	if (ns)
		ch->last_progress = ktime_get_ns();
	ch->vgpu->busy_ns[e->id] += ns;
	if (ch->fpriv)
		ch->fpriv->busy_ns[e->engine_class] += ns;
	job->busy_ns += ns;
}

/*
 * A completed job's wait (submit to start; 0 if it never started) and
 * latency, into its channel's and its vGPU's histograms.
 */
static void gpucore_sched_hist_add(struct gpucore_channel *ch, const struct gpucore_job *job)
{
	u64 wait = job->start_ns ? job->start_ns - job->submit_ns : 0;
	u64 lat = job->end_ns - job->submit_ns;

	gpucore_hist_add(&ch->hists.wait, wait);
	gpucore_hist_add(&ch->hists.lat, lat);
	gpucore_hist_add(&ch->vgpu->hists.wait, wait);
	gpucore_hist_add(&ch->vgpu->hists.lat, lat);
}

/**
 * gpucore_sched_job_done - retire a job: completed or failed
 * @job: the job, pending on its channel
 * @status: 0 or a negative errno
 * @done: list the job is moved to; pass it to gpucore_jobs_signal() after
 *	dropping the GPU lock
 *
 * Context: the GPU lock held.
 */
static void gpucore_sched_job_done(struct gpucore_job *job, int status, struct list_head *done)
{
	struct gpucore_channel *ch = job->ch;
	struct gpucore_job_rec *rec;

	lockdep_assert_held(&ch->gpu->lock);
	job->done = true;
	job->status = status;
	job->end_ns = ktime_get_ns();
	ch->last_progress = job->end_ns;
	list_move_tail(&job->node, done);
	ch->nr_pending--;
	ch->vgpu->nr_jobs--;
	ch->last_done = job->seqno;
	if (status) {
		ch->failed++;
		ch->vgpu->jobs_failed++;
		ch->engine->jobs_failed++;
	} else {
		ch->completed++;
		ch->vgpu->jobs_completed++;
		ch->engine->jobs_completed++;
		gpucore_sched_hist_add(ch, job);
	}
	if (job->start_ns)
		ch->wait_ns += job->start_ns - job->submit_ns;
	ch->latency_ns += job->end_ns - job->submit_ns;

	rec = &ch->ring[job->seqno % ch->ring_size];
	rec->seqno = job->seqno;
	rec->submit_ns = job->submit_ns;
	rec->start_ns = job->start_ns;
	rec->end_ns = job->end_ns;
	rec->busy_ns = job->busy_ns;
	rec->status = status;
	trace_gpucore_job_complete(ch, job);
}

/**
 * gpucore_sched_job_start - a job reaches its engine
 * @job: the head job of the engine's channel, ready
 * @done: list a retired job is moved to (see gpucore_sched_job_done())
 *
 * A job whose in-fence signalled with an error is not executed: it fails
 * here, in its turn, with that error, so the jobs of a channel still
 * complete in order. A job with no commands left completes here.
 * Otherwise the job's start time is set the first time.
 *
 * Context: the GPU lock held.
 * Return: true if the backend is to execute the job, false if it was
 * retired.
 */
static bool gpucore_sched_job_start(struct gpucore_job *job, struct list_head *done)
{
	lockdep_assert_held(&job->gpu->lock);
	if (job->in_error) {
		gpucore_sched_job_done(job, job->in_error, done);
		return false;
	}
	if (!job->start_ns)
		job->start_ns = ktime_get_ns();
	if (job->cur < job->num_cmds)
		return true;
	gpucore_sched_job_done(job, 0, done);
	return false;
}

/*
 * Retired jobs whose references are dropped in process context: a backend
 * signals from a timer, and the last reference of a buffer object or a
 * channel may free memory that must not be freed there.
 */
static LLIST_HEAD(gpucore_retired);

static void gpucore_job_release(struct gpucore_job *job)
{
	struct gpucore_channel *ch = job->ch;

	gpucore_job_put_bos(job);
	dma_fence_put(&job->fence);
	gpucore_channel_put(ch);
}

static void gpucore_retire_workfn(struct work_struct *work)
{
	struct llist_node *list;
	struct gpucore_job *job, *next;

	gpucore_fault_retire_delay();
	list = llist_del_all(&gpucore_retired);
	llist_for_each_entry_safe(job, next, list, retired)
		gpucore_job_release(job);
}
static DECLARE_WORK(gpucore_retire_work, gpucore_retire_workfn);

/**
 * gpucore_sched_init - set up what every GPU's scheduler shares
 *
 * Return: 0 or -ENOMEM.
 */
int gpucore_sched_init(void)
{
	gpucore_job_cache = kmem_cache_create("gpucore_job", sizeof(struct gpucore_job), 0,
					      SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU,
					      gpucore_job_ctor);
	return gpucore_job_cache ? 0 : -ENOMEM;
}

/**
 * gpucore_sched_exit - undo gpucore_sched_init()
 *
 * Context: module unload, once every job's fence was released.
 */
void gpucore_sched_exit(void)
{
	kmem_cache_destroy(gpucore_job_cache);
}

/**
 * gpucore_sched_retire_flush - wait until retired jobs are released
 *
 * Context: process context; for module unload, once no job can retire.
 */
void gpucore_sched_retire_flush(void)
{
	flush_work(&gpucore_retire_work);
}

/**
 * gpucore_jobs_signal - signal the fences of retired jobs and release them
 * @done: jobs retired by the core
 *
 * Every job's fence signals here exactly once, with its error if it
 * failed and the job's end time as its timestamp. Called from a timer or a fence callback, the references the
 * jobs hold are dropped later by a worker.
 *
 * Context: any, GPU lock not held.
 */
void gpucore_jobs_signal(struct list_head *done)
{
	struct gpucore_job *job, *next;
	bool defer = !in_task() || irqs_disabled();

	list_for_each_entry_safe(job, next, done, node) {
		list_del_init(&job->node);
		/* A cancelled job may still wait on its in-fence. */
		if (job->in_fence && dma_fence_remove_callback(job->in_fence, &job->in_cb))
			dma_fence_put(&job->fence);
		if (job->status)
			dma_fence_set_error(&job->fence, job->status);
		dma_fence_signal_timestamp(&job->fence, ns_to_ktime(job->end_ns));
		/* A channel's waiters once, after the last of its jobs in a row. */
		if (list_entry_is_head(next, done, node) || next->ch != job->ch)
			wake_up_all(&job->ch->done_wq);
		if (!defer)
			gpucore_job_release(job);
		else if (llist_add(&job->retired, &gpucore_retired))
			queue_work(system_wq, &gpucore_retire_work);
	}
}

/**
 * gpucore_channel_destroy - destroy a channel, failing its pending jobs
 * @ch: the channel; the caller holds a reference
 *
 * Takes the channel off the scheduler (waiting for its engine to switch it
 * out if it is running), fails every pending job with -ECANCELED, detaches
 * it from its file and drops the GPU-wide id's reference.
 *
 * Idempotent, and every caller returns only once the channel is destroyed:
 * a second caller (a file closing while its vGPU is destroyed) waits for
 * the first to finish. Its callers rely on that: the file's memory is freed
 * when postclose returns, and the engine charges a running channel's time
 * to its file until the channel is switched out.
 *
 * Context: process context; may sleep.
 */
void gpucore_channel_destroy(struct gpucore_channel *ch)
{
	struct gpucore_gpu *gpu = ch->gpu;
	struct gpucore_engine *e = ch->engine;
	struct gpucore_job *job, *next;
	LIST_HEAD(done);
	bool running;

	spin_lock_irq(&gpu->lock);
	if (ch->dead) {
		spin_unlock_irq(&gpu->lock);
		wait_event(ch->done_wq, READ_ONCE(ch->gone));
		return;
	}
	ch->dead = true;
	list_del_init(&ch->vgpu_node);
	ch->vgpu->nr_channels--;
	if (ch->state == GPUCORE_CH_QUEUED) {
		gpucore_dsq_dequeue(ch);
		list_del_init(&ch->rl_node);
		e->nr_queued--;
		ch->state = GPUCORE_CH_IDLE;
		gpucore_cls_quiescent(ch);
	}
	/* Stopped at once, even inside non-preemptible work (an engine reset). */
	running = ch->state == GPUCORE_CH_RUNNING;
	if (running && !gpucore_sched_by_driver(gpu))
		gpu->backend->preempt(e, gpucore_head_job(ch), 0, true);
	else if (running && e->run_job)
		gpu->backend->preempt(e, e->run_job, 0, true);
	gpucore_sched_unlock_irq(gpu);
	gpucore_fault_destroy_delay();

	if (running)
		wait_event(ch->done_wq, READ_ONCE(ch->state) != GPUCORE_CH_RUNNING);

	/* Serialise with a submit in progress: it sees ->dead afterwards. */
	mutex_lock(&ch->submit_lock);
	spin_lock_irq(&gpu->lock);
	list_for_each_entry_safe(job, next, &ch->jobs, node)
		gpucore_sched_job_done(job, -ECANCELED, &done);
	e->nr_channels--;
	ch->vgpu->nr_channels_on[e->id]--;
	ch->fpriv = NULL;
	if (e->prev == ch)
		e->prev = NULL;
	gpucore_cls_channel_exit(ch);
	gpucore_sched_unlock_irq(gpu);
	mutex_unlock(&ch->submit_lock);

	gpucore_jobs_signal(&done);
	trace_gpucore_channel_destroy(ch);
	xa_erase(&gpucore_channel_ids, ch->id);
	atomic_dec(&gpu->nr_channels);
	WRITE_ONCE(ch->gone, true);
	wake_up_all(&ch->done_wq);
	gpucore_channel_put(ch);
}

static void gpucore_engine_init(struct gpucore_gpu *gpu, u32 id, u32 engine_class,
				u32 instance)
{
	struct gpucore_engine *e = &gpu->engines[id];

	e->gpu = gpu;
	e->id = id;
	e->gpu_id = gpu->id;
	e->engine_class = engine_class;
	e->instance = instance;
	snprintf(e->name, sizeof(e->name), "%s%u",
		 engine_class == GPUCORE_ENGINE_CLASS_COPY ? "copy" : "compute", instance);
	INIT_LIST_HEAD(&e->runlist);
	gpucore_dsq_init(&e->local, GPUCORE_DSQ_LOCAL_ON(id), engine_class);
}

/**
 * gpucore_sched_gpu_init - set up a GPU's engines and start its backend
 * @gpu: the GPU
 * @backend: the backend that executes its work
 * @num_compute: compute engines; one copy engine follows them
 *
 * Return: 0 or the backend's negative errno.
 */
int gpucore_sched_gpu_init(struct gpucore_gpu *gpu, const struct gpucore_backend_ops *backend,
			   u32 num_compute)
{
	u32 i;

	for (i = 0; i < num_compute; i++)
		gpucore_engine_init(gpu, i, GPUCORE_ENGINE_CLASS_COMPUTE, i);
	gpucore_engine_init(gpu, num_compute, GPUCORE_ENGINE_CLASS_COPY, 0);
	gpu->num_engines = num_compute + 1;
	INIT_WORK(&gpu->kick_work, gpucore_kick_workfn);
	init_irq_work(&gpu->kick_irq_work, gpucore_kick_irq_workfn);
	gpu->backend = backend;
	return backend->init(gpu);
}

/**
 * gpucore_sched_gpu_fini - stop a GPU's backend
 * @gpu: the GPU; it has no channels left
 */
void gpucore_sched_gpu_fini(struct gpucore_gpu *gpu)
{
	irq_work_sync(&gpu->kick_irq_work);
	cancel_work_sync(&gpu->kick_work);
	gpu->backend->fini(gpu);
}
