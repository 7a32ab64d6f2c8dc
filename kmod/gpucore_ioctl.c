// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore ioctls: the ABI of include/uapi/gpucore.h.
 *
 * Every ioctl validates all of its input before it has any side effect:
 * flags and padding first (-EINVAL), then handles (-ENOENT), then ranges
 * (-ERANGE), then resources (-ENOSPC, -EAGAIN, -EDQUOT). Ioctls that create
 * objects run inside drm_dev_enter(), so a vGPU being destroyed waits for
 * them and later ones fail with -ENODEV.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_vma_manager.h>

#include "gpucore_priv.h"

static bool gpucore_any(const u64 *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i])
			return true;
	return false;
}

/* Look up a channel by per-file handle; returns it with a reference. */
static struct gpucore_channel *gpucore_channel_lookup(struct drm_file *file, u32 handle)
{
	struct gpucore_file *fpriv = to_gpucore_file(file);
	struct gpucore_channel *ch;

	xa_lock(&fpriv->channels);
	ch = xa_load(&fpriv->channels, handle);
	if (ch)
		kref_get(&ch->ref);
	xa_unlock(&fpriv->channels);
	return ch;
}

/*
 * INFO: -EINVAL (flags, pad, reserved).
 */
static int gpucore_ioctl_info(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_info *args = data;
	struct gpucore_vgpu *vgpu = to_gpucore_file(file)->vgpu;
	struct gpucore_gpu *gpu = vgpu->gpu;
	u32 i;

	if (args->flags || args->pad || gpucore_any(args->reserved, ARRAY_SIZE(args->reserved)))
		return -EINVAL;
	args->abi_version = GPUCORE_ABI_VERSION;
	args->features = GPUCORE_FEAT_SYNCOBJ | GPUCORE_FEAT_JOB_QUERY | GPUCORE_FEAT_WAIT |
			 GPUCORE_FEAT_VGPU | GPUCORE_FEAT_BPF_SCHED | GPUCORE_FEAT_CMD_FLAGS;
	args->gpu_id = gpu->id;
	args->vgpu_id = vgpu->id;
	args->num_engines = gpu->num_engines;
	args->weight = READ_ONCE(vgpu->weight);
	args->cap = READ_ONCE(vgpu->cap);
	args->vram_size = READ_ONCE(vgpu->mem_quota);
	args->vram_used = atomic64_read(&vgpu->mem_used);
	args->timeslice_ns = gpu->timeslice_ns;
	strscpy_pad(args->vgpu_name, vgpu->name, sizeof(args->vgpu_name));
	memset(args->engines, 0, sizeof(args->engines));
	spin_lock_irq(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];

		args->engines[i].id = e->id;
		args->engines[i].engine_class = e->engine_class;
		args->engines[i].instance = e->instance;
		args->engines[i].busy_ns = gpucore_vgpu_engine_busy_locked(vgpu, i);
	}
	spin_unlock_irq(&gpu->lock);
	return 0;
}

static struct gpucore_engine *gpucore_engine_find(struct gpucore_gpu *gpu, u32 cls, u32 inst)
{
	u32 i;

	for (i = 0; i < gpu->num_engines; i++)
		if (gpu->engines[i].engine_class == cls && gpu->engines[i].instance == inst)
			return &gpu->engines[i];
	return NULL;
}

/*
 * CHANNEL_CREATE: -EINVAL (flags, reserved, class, instance), -EDQUOT (the
 * vGPU has its max_channels channels; other vGPUs are not affected),
 * -EMFILE (the GPU has GPUCORE_MAX_CHANNELS), -ENOMEM, -ENODEV.
 */
static int gpucore_ioctl_channel_create(struct drm_device *dev, void *data,
					struct drm_file *file)
{
	struct drm_gpucore_channel_create *args = data;
	struct gpucore_file *fpriv = to_gpucore_file(file);
	struct gpucore_gpu *gpu = fpriv->vgpu->gpu;
	struct gpucore_engine *e;
	struct gpucore_channel *ch;
	int ret, idx;

	if (args->flags & ~GPUCORE_CHANNEL_FLAGS || args->reserved ||
	    args->engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
		return -EINVAL;
	if (args->flags & GPUCORE_CHANNEL_ENGINE_INSTANCE)
		e = gpucore_engine_find(gpu, args->engine_class, args->instance);
	else
		e = args->instance ? NULL : gpucore_engine_pick(fpriv->vgpu, args->engine_class);
	if (!e)
		return -EINVAL;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ch = gpucore_channel_create(fpriv, e, args->flags & GPUCORE_CHANNEL_INTERACTIVE ?
				    GPUCORE_CLASS_INTERACTIVE : GPUCORE_CLASS_BATCH);
	if (IS_ERR(ch)) {
		ret = PTR_ERR(ch);
		goto out_exit;
	}
	/* Once in the table another thread may destroy it: fill in first. */
	args->engine = e->id;
	args->id = ch->id;
	ret = gpucore_fail_int(xa_alloc(&fpriv->channels, &args->handle, ch, xa_limit_32b,
				       GFP_KERNEL));
	if (ret) {
		gpucore_channel_destroy(ch);
		gpucore_channel_put(ch);
	}
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/*
 * CHANNEL_DESTROY: -EINVAL (flags), -ENOENT (handle).
 */
static int gpucore_ioctl_channel_destroy(struct drm_device *dev, void *data,
					 struct drm_file *file)
{
	struct drm_gpucore_channel_destroy *args = data;
	struct gpucore_channel *ch;

	if (args->flags)
		return -EINVAL;
	ch = xa_erase(&to_gpucore_file(file)->channels, args->handle);
	if (!ch)
		return -ENOENT;
	gpucore_channel_destroy(ch);
	gpucore_channel_put(ch);
	return 0;
}

/*
 * BO_CREATE: -EINVAL (flags, reserved, size 0 or overflowing), -ENOSPC,
 * -ENOMEM, -ENODEV.
 */
static int gpucore_ioctl_bo_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_bo_create *args = data;
	struct gpucore_vgpu *vgpu = to_gpucore_file(file)->vgpu;
	u64 size;
	int ret, idx;

	if (args->flags || args->reserved || !args->size || args->size > U64_MAX - PAGE_SIZE)
		return -EINVAL;
	size = PAGE_ALIGN(args->size);
	if (size > READ_ONCE(vgpu->mem_quota) || size > vgpu->gpu->vram_size)
		return -ENOSPC;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = gpucore_bo_create(dev, file, size, &args->handle);
	drm_dev_exit(idx);
	return ret;
}

/*
 * BO_MMAP_OFFSET: -EINVAL (flags), -ENOENT (handle).
 */
static int gpucore_ioctl_bo_mmap_offset(struct drm_device *dev, void *data,
					struct drm_file *file)
{
	struct drm_gpucore_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

/* Check a range inside a BO: -ERANGE when outside or overflowing. */
static int gpucore_range_ok(struct gpucore_bo *bo, u64 offset, u64 size)
{
	u64 end;

	if (check_add_overflow(offset, size, &end) || end > bo->base.base.size)
		return -ERANGE;
	return 0;
}

static int gpucore_lookup_bo(struct drm_file *file, u32 handle, struct gpucore_bo **bo)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	if (!obj)
		return -ENOENT;
	*bo = to_gpucore_bo(obj);
	return 0;
}

/*
 * Whether [a, a + n) and [b, b + n) overlap. A COPY within one BO must not
 * overlap itself (-EINVAL): the engine copies in chunks with preemption
 * points between them, so there are no memmove semantics to offer.
 */
static bool gpucore_overlap(u64 a, u64 b, u64 n)
{
	return n && a < b + n && b < a + n;
}

/* Resolve one command into @out: BO references, range checks. */
static int gpucore_cmd_resolve(struct drm_file *file, const struct drm_gpucore_cmd *c,
			       struct gpucore_cmd *out)
{
	int ret;

	out->op = c->op;
	out->flags = c->flags;
	out->size = c->size;
	out->value = lower_32_bits(c->value);
	if (c->op == GPUCORE_CMD_SPIN)
		return 0;
	ret = gpucore_lookup_bo(file, c->dst_handle, &out->dst);
	if (ret)
		return ret;
	if (c->op == GPUCORE_CMD_COPY) {
		ret = gpucore_lookup_bo(file, c->src_handle, &out->src);
		if (ret)
			return ret;
		ret = gpucore_range_ok(out->src, c->src_offset, c->size);
		if (ret)
			return ret;
	}
	ret = gpucore_range_ok(out->dst, c->dst_offset, c->size);
	if (ret)
		return ret;
	if (out->src == out->dst && gpucore_overlap(c->src_offset, c->dst_offset, c->size))
		return -EINVAL;
	out->dst_ptr = out->dst->vaddr + c->dst_offset;
	if (out->src)
		out->src_ptr = out->src->vaddr + c->src_offset;
	return 0;
}

/*
 * Small submits (the common case: one job of a few commands) use the
 * arrays inside struct gpucore_submit, on the stack, and allocate nothing
 * but the jobs themselves.
 */
#define GPUCORE_SUBMIT_INLINE_JOBS	4
#define GPUCORE_SUBMIT_INLINE_CMDS	4

struct gpucore_submit {
	struct drm_file *file;
	struct gpucore_channel *ch;
	struct drm_gpucore_job *ujobs;
	struct drm_gpucore_cmd *ucmds;	/* scratch: one job's commands */
	struct gpucore_job **jobs;
	struct drm_syncobj **out;
	u32 n;				/* jobs prepared */
	struct drm_gpucore_job ujobs_inline[GPUCORE_SUBMIT_INLINE_JOBS];
	struct drm_gpucore_cmd ucmds_inline[GPUCORE_SUBMIT_INLINE_CMDS];
	struct gpucore_job *jobs_inline[GPUCORE_SUBMIT_INLINE_JOBS];
	struct drm_syncobj *out_inline[GPUCORE_SUBMIT_INLINE_JOBS];
};

static int gpucore_job_check(const struct drm_gpucore_job *uj)
{
	if (uj->flags & ~GPUCORE_JOB_FLAGS || uj->num_cmds > GPUCORE_MAX_CMDS_PER_JOB)
		return -EINVAL;
	if (!(uj->flags & GPUCORE_JOB_IN_SYNCOBJ) && uj->in_syncobj)
		return -EINVAL;
	if (!(uj->flags & GPUCORE_JOB_OUT_SYNCOBJ) && uj->out_syncobj)
		return -EINVAL;
	return 0;
}

/*
 * The in-fence and out-syncobj of job @i: -ENOENT for an unknown handle,
 * -EINVAL for an in-syncobj without a fence or holding another vGPU's job
 * fence (refused as another vGPU's dma-buf is, see gpucore.h).
 */
static int gpucore_job_syncobjs(struct gpucore_submit *s, u32 i, struct gpucore_job *job)
{
	const struct drm_gpucore_job *uj = &s->ujobs[i];
	int ret;

	if (uj->flags & GPUCORE_JOB_IN_SYNCOBJ) {
		ret = drm_syncobj_find_fence(s->file, uj->in_syncobj, 0, 0, &job->in_fence);
		if (ret)
			return ret;
		if (gpucore_fence_foreign(job->in_fence, to_gpucore_file(s->file)->vgpu))
			return -EINVAL;
	}
	if (uj->flags & GPUCORE_JOB_OUT_SYNCOBJ) {
		s->out[i] = drm_syncobj_find(s->file, uj->out_syncobj);
		if (!s->out[i])
			return -ENOENT;
	}
	return 0;
}

/* Build job @i of the submit from its user description. */
static int gpucore_job_prepare(struct gpucore_submit *s, u32 i)
{
	const struct drm_gpucore_job *uj = &s->ujobs[i];
	struct gpucore_job *job;
	u32 k;
	int ret;

	ret = gpucore_job_check(uj);
	if (ret)
		return ret;
	if (copy_from_user(s->ucmds, u64_to_user_ptr(uj->cmds_ptr),
			   uj->num_cmds * sizeof(*s->ucmds)))
		return -EFAULT;
	for (k = 0; k < uj->num_cmds; k++) {
		ret = gpucore_cmd_check(&s->ucmds[k], s->ch->gpu);
		if (ret)
			return ret;
	}
	job = gpucore_job_alloc(s->ch, uj->num_cmds);
	if (!job)
		return -ENOMEM;
	s->jobs[i] = job;
	for (k = 0; k < uj->num_cmds; k++) {
		ret = gpucore_cmd_resolve(s->file, &s->ucmds[k], &job->cmds[k]);
		if (ret)
			return ret;
	}
	return gpucore_job_syncobjs(s, i, job);
}

static void gpucore_submit_cleanup(struct gpucore_submit *s, bool submitted)
{
	u32 i;

	for (i = 0; i < s->n; i++) {
		if (s->out && s->out[i])
			drm_syncobj_put(s->out[i]);
		if (!s->jobs[i])
			continue;
		if (submitted)
			dma_fence_put(&s->jobs[i]->fence);
		else
			gpucore_job_free_unsubmitted(s->jobs[i]);
	}
	if (s->out != s->out_inline)
		kvfree(s->out);
	if (s->jobs != s->jobs_inline)
		kvfree(s->jobs);
	if (s->ucmds != s->ucmds_inline)
		kfree(s->ucmds);
	if (s->ujobs != s->ujobs_inline)
		kvfree(s->ujobs);
}

/* The job, command and result arrays of a submit of @args->num_jobs jobs. */
static int gpucore_submit_alloc(struct gpucore_submit *s, const struct drm_gpucore_submit *args)
{
	u32 n = args->num_jobs, i, max_cmds = 0;

	if (n <= GPUCORE_SUBMIT_INLINE_JOBS) {
		s->ujobs = s->ujobs_inline;
		s->jobs = memset(s->jobs_inline, 0, sizeof(s->jobs_inline));
		s->out = memset(s->out_inline, 0, sizeof(s->out_inline));
	} else {
		s->ujobs = gpucore_fail_ptr(kvmalloc_array(n, sizeof(*s->ujobs), GFP_KERNEL));
		s->jobs = kvcalloc(n, sizeof(*s->jobs), GFP_KERNEL);
		s->out = kvcalloc(n, sizeof(*s->out), GFP_KERNEL);
		if (!s->ujobs || !s->jobs || !s->out)
			return -ENOMEM;
	}
	if (copy_from_user(s->ujobs, u64_to_user_ptr(args->jobs_ptr), n * sizeof(*s->ujobs)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		max_cmds = max(max_cmds, s->ujobs[i].num_cmds);
	if (max_cmds <= GPUCORE_SUBMIT_INLINE_CMDS) {
		s->ucmds = s->ucmds_inline;
		return 0;
	}
	/* Over GPUCORE_MAX_CMDS_PER_JOB is refused per job, later. */
	s->ucmds = gpucore_fail_ptr(kmalloc_array(GPUCORE_MAX_CMDS_PER_JOB, sizeof(*s->ucmds),
						  GFP_KERNEL));
	return s->ucmds ? 0 : -ENOMEM;
}

/*
 * SUBMIT: -EINVAL (flags, pad, reserved, counts, job flags, commands,
 * a COPY overlapping itself in one BO, an in-syncobj without a fence or
 * with another vGPU's job fence),
 * -EFAULT, -ENOENT (channel, BO or syncobj handle), -ERANGE, -EAGAIN (the
 * channel's queue), -EDQUOT (the vGPU's max_jobs), -ENOMEM, -ENODEV. All
 * or nothing.
 */
static int gpucore_ioctl_submit(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_submit *args = data;
	/* Not zeroed whole (init_stack_all_zero): its arrays are written before they are read. */
	struct gpucore_submit s __uninitialized;
	u64 seqno;
	u32 i;
	int ret, idx;

	if (args->flags || args->pad || args->reserved || !args->num_jobs ||
	    args->num_jobs > GPUCORE_MAX_JOBS_PER_SUBMIT)
		return -EINVAL;
	s.file = file;
	s.ujobs = NULL;
	s.ucmds = NULL;
	s.jobs = NULL;
	s.out = NULL;
	s.n = 0;
	s.ch = gpucore_channel_lookup(file, args->channel);
	if (!s.ch)
		return -ENOENT;
	if (!drm_dev_enter(dev, &idx)) {
		ret = -ENODEV;
		goto out_put;
	}
	ret = gpucore_submit_alloc(&s, args);
	if (ret)
		goto out_cleanup;
	for (s.n = 0; s.n < args->num_jobs; s.n++) {
		ret = gpucore_job_prepare(&s, s.n);
		if (ret) {
			s.n++;
			goto out_cleanup;
		}
	}
	ret = gpucore_jobs_submit(s.ch, s.jobs, s.n, &seqno);
	if (ret)
		goto out_cleanup;
	for (i = 0; i < s.n; i++)
		if (s.out[i])
			drm_syncobj_replace_fence(s.out[i], &s.jobs[i]->fence);
	args->seqno = seqno;
	gpucore_submit_cleanup(&s, true);
	goto out_exit;

out_cleanup:
	gpucore_submit_cleanup(&s, false);
out_exit:
	drm_dev_exit(idx);
out_put:
	gpucore_channel_put(s.ch);
	return ret;
}

/* -EINVAL unless @seqno was submitted on @ch. */
static int gpucore_seqno_check(struct gpucore_channel *ch, u64 seqno)
{
	u64 next;

	spin_lock_irq(&ch->gpu->lock);
	next = ch->next_seqno;
	spin_unlock_irq(&ch->gpu->lock);
	return seqno && seqno < next ? 0 : -EINVAL;
}

/*
 * WAIT: -EINVAL (flags, seqno), -ENOENT (handle), -ETIME, -ERESTARTSYS.
 * Not inside drm_dev_enter(): a vGPU being destroyed must not wait for
 * sleepers; its cancellation wakes them.
 */
static int gpucore_ioctl_wait(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_wait *args = data;
	struct gpucore_channel *ch;
	s64 left;
	int ret;

	if (args->flags)
		return -EINVAL;
	ch = gpucore_channel_lookup(file, args->channel);
	if (!ch)
		return -ENOENT;
	ret = gpucore_seqno_check(ch, args->seqno);
	if (ret)
		goto out;
	left = args->timeout_ns - (s64)ktime_get_ns();
	if (READ_ONCE(ch->last_done) >= args->seqno)
		goto out;
	if (left <= 0) {
		ret = -ETIME;
		goto out;
	}
	ret = wait_event_interruptible_hrtimeout(ch->done_wq,
						 READ_ONCE(ch->last_done) >= args->seqno,
						 ns_to_ktime(left));
out:
	gpucore_channel_put(ch);
	return ret;
}

static void gpucore_query_pending(struct gpucore_channel *ch, struct drm_gpucore_job_query *args)
{
	struct gpucore_job *job;

	list_for_each_entry(job, &ch->jobs, node) {
		if (job->seqno != args->seqno)
			continue;
		args->state = job->start_ns ? GPUCORE_JOB_RUNNING : GPUCORE_JOB_QUEUED;
		args->submit_ns = job->submit_ns;
		args->start_ns = job->start_ns;
		args->busy_ns = job->busy_ns;
		return;
	}
}

/*
 * JOB_QUERY: -EINVAL (flags, seqno never submitted), -ENOENT (handle),
 * -ENODATA (completed too long ago).
 */
static int gpucore_ioctl_job_query(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_job_query *args = data;
	const struct gpucore_job_rec *rec;
	struct gpucore_channel *ch;
	int ret = 0;

	if (args->flags)
		return -EINVAL;
	ch = gpucore_channel_lookup(file, args->channel);
	if (!ch)
		return -ENOENT;
	args->state = 0;
	args->status = 0;
	args->submit_ns = args->start_ns = args->end_ns = args->busy_ns = 0;
	spin_lock_irq(&ch->gpu->lock);
	if (!args->seqno || args->seqno >= ch->next_seqno) {
		ret = -EINVAL;
	} else if (args->seqno > ch->last_done) {
		gpucore_query_pending(ch, args);
	} else {
		rec = gpucore_job_rec_find(ch, args->seqno);
		if (!rec) {
			ret = -ENODATA;
		} else {
			args->state = GPUCORE_JOB_DONE;
			args->status = rec->status;
			args->submit_ns = rec->submit_ns;
			args->start_ns = rec->start_ns;
			args->end_ns = rec->end_ns;
			args->busy_ns = rec->busy_ns;
		}
	}
	spin_unlock_irq(&ch->gpu->lock);
	gpucore_channel_put(ch);
	return ret;
}

/*
 * CHANNEL_STATS: -EINVAL (flags, reserved), -ENOENT (handle).
 */
static int gpucore_ioctl_channel_stats(struct drm_device *dev, void *data,
				       struct drm_file *file)
{
	struct drm_gpucore_channel_stats *args = data;
	struct gpucore_channel *ch;

	if (args->flags || gpucore_any(args->reserved, ARRAY_SIZE(args->reserved)))
		return -EINVAL;
	ch = gpucore_channel_lookup(file, args->channel);
	if (!ch)
		return -ENOENT;
	spin_lock_irq(&ch->gpu->lock);
	args->submitted = ch->submitted;
	args->completed = ch->completed;
	args->failed = ch->failed;
	args->queued = ch->nr_pending;
	args->preemptions = ch->preemptions;
	args->busy_ns = ch->busy_ns;
	args->last_seqno = ch->last_done;
	args->wait_ns = ch->wait_ns;
	args->latency_ns = ch->latency_ns;
	spin_unlock_irq(&ch->gpu->lock);
	gpucore_channel_put(ch);
	return 0;
}

/*
 * NOP: -EINVAL (flags, pad).
 */
static int gpucore_ioctl_nop(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_gpucore_nop *args = data;

	return args->flags || args->pad ? -EINVAL : 0;
}

#define GPUCORE_IOCTL(name, func) \
	DRM_IOCTL_DEF_DRV(GPUCORE_##name, gpucore_ioctl_##func, DRM_RENDER_ALLOW)

const struct drm_ioctl_desc gpucore_ioctls[GPUCORE_NUM_IOCTLS] = {
	GPUCORE_IOCTL(INFO, info),
	GPUCORE_IOCTL(CHANNEL_CREATE, channel_create),
	GPUCORE_IOCTL(CHANNEL_DESTROY, channel_destroy),
	GPUCORE_IOCTL(BO_CREATE, bo_create),
	GPUCORE_IOCTL(BO_MMAP_OFFSET, bo_mmap_offset),
	GPUCORE_IOCTL(SUBMIT, submit),
	GPUCORE_IOCTL(WAIT, wait),
	GPUCORE_IOCTL(JOB_QUERY, job_query),
	GPUCORE_IOCTL(CHANNEL_STATS, channel_stats),
	GPUCORE_IOCTL(NOP, nop),
};
