// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore in a virtual machine: the gpucore virtual device as a backend.
 */

/**
 * DOC: Virtual device backend
 *
 * In a virtual machine given a vGPU through VFIO (gpucore_vfio.ko on the
 * host), the vGPU appears as a PCI function, the gpucore virtual device
 * (include/uapi/gpucore_vdev.h). gpucore_drv.c binds it and brings up a
 * GPU whose engines are the device's: this file is that GPU's backend.
 * Everything above the backend (DRM nodes, channels, buffer objects,
 * syncobjs, fdinfo, tracepoints) is the same as on an emulated GPU.
 *
 * The device schedules: the host's policy arbitrates between this VM and
 * every other tenant, so the backend is self-scheduled
 * (GPUCORE_BACKEND_SELF_SCHEDULED) and no policy runs in the guest. Each
 * runnable channel's head job is handed to @run, which queues it on one
 * of the device's channels (a ring), chosen by the engine and the
 * channel's context id: the device's channels are dealt to the engines
 * round robin, so a guest channel always uses the same ring and its jobs
 * complete in order.
 *
 * A worker (process context) turns a queued job into descriptors: a SPIN
 * is one; a FILL or COPY gets a page list per buffer (the DMA addresses
 * of each 4 KiB page of the buffer object's range) and one descriptor per
 * GPUCORE_VDEV_MAX_XFER bytes. It writes them to the ring and rings the
 * doorbell. The device writes each descriptor's seqno to the ring's fence
 * in order and raises its interrupt; the interrupt thread retires the jobs
 * whose last seqno has been written, charging each the wall time it spent
 * at the head of its ring (the host's engine time is not visible here).
 *
 * Failures: a ring the device reports in error (a job that hung on the
 * host, a quota, a reset) fails every job on it as hung and is reset. A
 * job stopped by force (its channel destroyed) that moves no bytes is
 * reported at once and forgotten by the ring; one that does is reported
 * when the device has finished with its pages.
 */

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "gpucore_priv.h"
#include "gpucore_vdev.h"

#define GPUCORE_VRING_SIZE	1024	/* descriptors per ring */

/* &gpucore_job.be_ctx bit: stopped by force while queued or on a ring */
#define GPUCORE_VJOB_FORCED	BIT(31)

/* One buffer range as the device reads it: a page list and its pages. */
struct gpucore_vbuf {
	u64 *list;		/* DMA address of each 4 KiB page */
	dma_addr_t list_dma;
	u32 nr_pages;
	u32 nr_mapped;		/* of @list, mapped so far */
};

/* A job written to a ring. */
struct gpucore_vjob {
	struct list_head node;		/* on &gpucore_vring.inflight */
	struct gpucore_job *job;	/* NULL once reported (stopped by force) */
	u64 last_seqno;
	u32 nr_desc;
	u32 nr_bufs;
	struct gpucore_vbuf bufs[];
};

struct gpucore_vdev;

/* A channel of the device: a ring of descriptors and its fence. */
struct gpucore_vring {
	struct gpucore_vdev *vd;
	struct gpucore_engine *e;
	u32 idx;
	struct gpucore_vdev_desc *descs;
	dma_addr_t descs_dma;
	__le64 *fence;
	dma_addr_t fence_dma;
	/* under the GPU lock */
	struct list_head queued;	/* jobs handed, not yet written (be_node) */
	struct list_head stopped;	/* jobs stopped by force, to report (be_node) */
	struct list_head inflight;	/* gpucore_vjob, in ring order */
	u32 tail;
	u64 issued;			/* last seqno written */
	u64 done;			/* last seqno completed */
	u64 head_since;			/* when the oldest job in flight became it */
};

/**
 * struct gpucore_vdev - a bound gpucore virtual device
 * @pdev: the PCI function
 * @regs: BAR0
 * @gpu: the GPU brought up on it
 * @wq: the submission worker's queue (ordered)
 * @submit_work: writes queued jobs to their rings, reports stopped ones
 * @irq_bits: rings the interrupt named, for the interrupt thread
 * @irq: the interrupt is requested
 * @num_compute: compute engines (ENGINES)
 * @nr_rings: device channels used (NUM_CHANNELS)
 * @mem_size: the vGPU's memory quota, the GPU's video memory (MEM_LO/HI)
 * @rings: the device's channels
 */
struct gpucore_vdev {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct gpucore_gpu *gpu;
	struct workqueue_struct *wq;
	struct work_struct submit_work;
	unsigned long irq_bits;
	bool irq;
	u32 num_compute;
	u32 nr_rings;
	u64 mem_size;
	struct gpucore_vring rings[GPUCORE_VDEV_MAX_CHANNELS];
};

static u32 vreg_read(struct gpucore_vdev *vd, u32 reg)
{
	return readl(vd->regs + reg);
}

static void vreg_write(struct gpucore_vdev *vd, u32 reg, u32 val)
{
	writel(val, vd->regs + reg);
}

static u32 vring_read(struct gpucore_vring *r, u32 reg)
{
	return vreg_read(r->vd, GPUCORE_VDEV_CH(r->idx, reg));
}

static void vring_write(struct gpucore_vring *r, u32 reg, u32 val)
{
	vreg_write(r->vd, GPUCORE_VDEV_CH(r->idx, reg), val);
}

static struct gpucore_vdev *to_vdev(struct gpucore_gpu *gpu)
{
	return gpu->be;
}

/* The ring of channel context @ctx on engine @e (the rings are dealt round robin). */
static struct gpucore_vring *gpucore_vring_of(struct gpucore_vdev *vd, struct gpucore_engine *e,
					      u32 ctx)
{
	u32 n = vd->gpu->num_engines;
	u32 count = (vd->nr_rings - e->id + n - 1) / n;

	return &vd->rings[e->id + (ctx % count) * n];
}

/* Descriptors @job's commands from the current one need. */
static u32 gpucore_vjob_descs(const struct gpucore_job *job, u32 *nr_bufs)
{
	u32 i, n = 0;

	*nr_bufs = 0;
	for (i = job->cur; i < job->num_cmds; i++) {
		const struct gpucore_cmd *cmd = &job->cmds[i];

		if (cmd->op == GPUCORE_CMD_SPIN) {
			n++;
			continue;
		}
		n += max_t(u64, DIV_ROUND_UP_ULL(cmd->size, GPUCORE_VDEV_MAX_XFER), 1);
		*nr_bufs += cmd->op == GPUCORE_CMD_COPY ? 2 : 1;
	}
	return n;
}

static struct page *gpucore_vaddr_page(const void *addr)
{
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) : virt_to_page(addr);
}

static void gpucore_vbuf_unmap(struct gpucore_vdev *vd, struct gpucore_vbuf *b)
{
	struct device *dev = &vd->pdev->dev;
	u32 i;

	if (!b->list)
		return;
	if (b->list_dma)
		dma_unmap_single(dev, b->list_dma, b->nr_pages * sizeof(u64), DMA_TO_DEVICE);
	for (i = 0; i < b->nr_mapped; i++)
		dma_unmap_page(dev, b->list[i], GPUCORE_VDEV_PAGE_SIZE, DMA_BIDIRECTIONAL);
	kvfree(b->list);
	b->list = NULL;
}

/*
 * Map the 4 KiB pages under [@addr, @addr + @size) for the device and list
 * them. Returns the offset of @addr in the first page, or a negative errno.
 */
static int gpucore_vbuf_map(struct gpucore_vdev *vd, struct gpucore_vbuf *b, const void *ptr,
			    u64 size)
{
	struct device *dev = &vd->pdev->dev;
	u64 addr = (uintptr_t)ptr, base = ALIGN_DOWN(addr, GPUCORE_VDEV_PAGE_SIZE);
	u32 i;

	b->nr_pages = max_t(u64, DIV_ROUND_UP_ULL(addr + size - base, GPUCORE_VDEV_PAGE_SIZE), 1);
	b->list = kvcalloc(b->nr_pages, sizeof(u64), GFP_KERNEL);
	if (!b->list)
		return -ENOMEM;
	for (i = 0; i < b->nr_pages; i++) {
		const void *p = (const void *)(uintptr_t)(base + (u64)i * GPUCORE_VDEV_PAGE_SIZE);
		dma_addr_t a = dma_map_page(dev, gpucore_vaddr_page(p), offset_in_page(p),
					    GPUCORE_VDEV_PAGE_SIZE, DMA_BIDIRECTIONAL);

		if (dma_mapping_error(dev, a))
			return -ENOMEM;
		b->list[i] = a;
		b->nr_mapped++;
	}
	b->list_dma = dma_map_single(dev, b->list, b->nr_pages * sizeof(u64), DMA_TO_DEVICE);
	if (dma_mapping_error(dev, b->list_dma)) {
		b->list_dma = 0;
		return -ENOMEM;
	}
	return addr - base;
}

static void gpucore_vjob_free(struct gpucore_vdev *vd, struct gpucore_vjob *vj)
{
	u32 i;

	for (i = 0; i < vj->nr_bufs; i++)
		gpucore_vbuf_unmap(vd, &vj->bufs[i]);
	kfree(vj);
}

/* Map the buffers of @job's commands from the current one. Process context. */
static struct gpucore_vjob *gpucore_vjob_build(struct gpucore_vdev *vd, struct gpucore_job *job,
					       u32 nr_desc, u32 nr_bufs)
{
	struct gpucore_vjob *vj;
	u32 i, b = 0;
	int off;

	vj = kzalloc(struct_size(vj, bufs, nr_bufs), GFP_KERNEL);
	if (!vj)
		return NULL;
	vj->job = job;
	vj->nr_desc = nr_desc;
	vj->nr_bufs = nr_bufs;
	for (i = job->cur; i < job->num_cmds; i++) {
		const struct gpucore_cmd *cmd = &job->cmds[i];

		if (cmd->op == GPUCORE_CMD_SPIN)
			continue;
		off = gpucore_vbuf_map(vd, &vj->bufs[b++], cmd->dst_ptr, cmd->size);
		if (off >= 0 && cmd->op == GPUCORE_CMD_COPY)
			off = gpucore_vbuf_map(vd, &vj->bufs[b++], cmd->src_ptr, cmd->size);
		if (off < 0)
			goto err;
	}
	return vj;

err:
	gpucore_vjob_free(vd, vj);
	return NULL;
}

static void gpucore_vring_put(struct gpucore_vring *r, const struct gpucore_vdev_desc *d)
{
	r->descs[r->tail] = *d;
	r->tail = (r->tail + 1) % GPUCORE_VRING_SIZE;
}

/* One descriptor per GPUCORE_VDEV_MAX_XFER bytes of a FILL or COPY. */
static void gpucore_vring_put_xfer(struct gpucore_vring *r, const struct gpucore_cmd *cmd,
				   const struct gpucore_vbuf *dst, const struct gpucore_vbuf *src)
{
	u64 done = 0, dst_off = (uintptr_t)cmd->dst_ptr % GPUCORE_VDEV_PAGE_SIZE;
	u64 src_off = src ? (uintptr_t)cmd->src_ptr % GPUCORE_VDEV_PAGE_SIZE : 0;
	struct gpucore_vdev_desc d;

	do {
		memset(&d, 0, sizeof(d));
		d.op = cmd->op;
		d.seqno = ++r->issued;
		d.size = min_t(u64, cmd->size - done, GPUCORE_VDEV_MAX_XFER);
		d.value = cmd->value;
		d.dst_pages = dst->list_dma;
		d.dst_offset = dst_off + done;
		if (src) {
			d.src_pages = src->list_dma;
			d.src_offset = src_off + done;
		}
		gpucore_vring_put(r, &d);
		done += d.size;
	} while (done < cmd->size);
}

/* Write @vj's descriptors to @r (room checked). The GPU lock held. */
static void gpucore_vring_write(struct gpucore_vring *r, struct gpucore_vjob *vj)
{
	struct gpucore_job *job = vj->job;
	struct gpucore_vdev_desc d;
	u32 i, b = 0;

	for (i = job->cur; i < job->num_cmds; i++) {
		const struct gpucore_cmd *cmd = &job->cmds[i];

		if (cmd->op != GPUCORE_CMD_SPIN) {
			gpucore_vring_put_xfer(r, cmd, &vj->bufs[b],
					       cmd->op == GPUCORE_CMD_COPY ? &vj->bufs[b + 1] : NULL);
			b += cmd->op == GPUCORE_CMD_COPY ? 2 : 1;
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.op = cmd->op;
		d.flags = cmd->flags;
		d.seqno = ++r->issued;
		d.size = cmd->size;
		gpucore_vring_put(r, &d);
	}
	vj->last_seqno = r->issued;
	if (list_empty(&r->inflight))
		r->head_since = ktime_get_ns();
	list_add_tail(&vj->node, &r->inflight);
	/* The descriptors before the doorbell (writel orders normal memory). */
	vring_write(r, GPUCORE_VCH_TAIL, r->tail);
}

static u32 gpucore_vring_room(const struct gpucore_vring *r)
{
	return GPUCORE_VRING_SIZE - 1 - (u32)(r->issued - r->done);
}

/*
 * Report @job's end from the backend's context: a job with no commands
 * left, or stopped by force.
 */
static void gpucore_vjob_report(struct gpucore_vring *r, struct gpucore_job *job,
				enum gpucore_run_end end, u64 ran, struct list_head *done)
{
	if (end == GPUCORE_RUN_DONE) {
		job->cur = job->num_cmds;
		job->progress = 0;
	}
	if (ran)
		gpucore_sched_charge(r->e, job, ran);
	gpucore_sched_ran(r->e, job, end, U64_MAX, done);
}

/*
 * Take the first job queued on @r and write it, if the ring has room.
 * Returns false when there is nothing (more) to do on @r now.
 */
static bool gpucore_vring_submit_one(struct gpucore_vring *r)
{
	struct gpucore_gpu *gpu = r->vd->gpu;
	struct gpucore_vjob *vj = NULL;
	struct gpucore_job *job;
	u32 nr_desc, nr_bufs;
	LIST_HEAD(done);
	bool more = true;

	spin_lock_irq(&gpu->lock);
	job = list_first_entry_or_null(&r->queued, struct gpucore_job, be_node);
	if (!job) {
		spin_unlock_irq(&gpu->lock);
		return false;
	}
	nr_desc = gpucore_vjob_descs(job, &nr_bufs);
	if (job->be_ctx & GPUCORE_VJOB_FORCED || !nr_desc) {
		list_del_init(&job->be_node);
		gpucore_vjob_report(r, job, nr_desc ? GPUCORE_RUN_STOPPED : GPUCORE_RUN_DONE, 0,
				    &done);
		goto out;
	}
	if (nr_desc >= GPUCORE_VRING_SIZE) {
		/* Larger than a ring can ever hold: fail it, once, with a reason. */
		dev_warn_once(&r->vd->pdev->dev, "a job of %u descriptors fails: a ring holds %u\n",
			      nr_desc, GPUCORE_VRING_SIZE - 1);
		list_del_init(&job->be_node);
		gpucore_vjob_report(r, job, GPUCORE_RUN_HUNG, 0, &done);
		goto out;
	}
	if (gpucore_vring_room(r) < nr_desc) {
		more = false;	/* the interrupt thread resumes when it completes some */
		goto out;
	}
	/* Off the queue while its pages are mapped; the ring is this worker's. */
	list_del_init(&job->be_node);
	spin_unlock_irq(&gpu->lock);

	vj = gpucore_vjob_build(r->vd, job, nr_desc, nr_bufs);

	spin_lock_irq(&gpu->lock);
	if (!vj || job->be_ctx & GPUCORE_VJOB_FORCED) {
		gpucore_vjob_report(r, job, vj ? GPUCORE_RUN_STOPPED : GPUCORE_RUN_HUNG, 0, &done);
	} else {
		gpucore_vring_write(r, vj);
		vj = NULL;
	}
out:
	spin_unlock_irq(&gpu->lock);
	gpucore_jobs_signal(&done);
	if (vj)
		gpucore_vjob_free(r->vd, vj);
	return more;
}

/* Report the jobs of @r stopped by force. */
static void gpucore_vring_report_stopped(struct gpucore_vring *r)
{
	struct gpucore_gpu *gpu = r->vd->gpu;
	struct gpucore_job *job;
	LIST_HEAD(done);

	spin_lock_irq(&gpu->lock);
	while ((job = list_first_entry_or_null(&r->stopped, struct gpucore_job, be_node))) {
		list_del_init(&job->be_node);
		gpucore_sched_ran(r->e, job, GPUCORE_RUN_STOPPED, U64_MAX, &done);
	}
	spin_unlock_irq(&gpu->lock);
	gpucore_jobs_signal(&done);
}

static void gpucore_vdev_submit_workfn(struct work_struct *work)
{
	struct gpucore_vdev *vd = container_of(work, struct gpucore_vdev, submit_work);
	u32 i;

	for (i = 0; i < vd->nr_rings; i++) {
		gpucore_vring_report_stopped(&vd->rings[i]);
		while (gpucore_vring_submit_one(&vd->rings[i]))
			cond_resched();
	}
}

/* Fail every job in flight on @r as hung and start it afresh. The GPU lock held. */
static void gpucore_vring_fail(struct gpucore_vring *r, struct list_head *gone,
			       struct list_head *done)
{
	struct gpucore_vjob *vj, *tmp;

	dev_warn_ratelimited(&r->vd->pdev->dev, "channel %u: error %u, its jobs fail\n",
			     r->idx, vring_read(r, GPUCORE_VCH_ERROR));
	vring_write(r, GPUCORE_VCH_CTRL, 0);
	list_for_each_entry_safe(vj, tmp, &r->inflight, node) {
		list_move_tail(&vj->node, gone);
		if (vj->job)
			gpucore_vjob_report(r, vj->job, GPUCORE_RUN_HUNG, 0, done);
	}
	/* Seqnos go on from where they were: a late write of an old one is below. */
	r->done = r->issued;
	r->tail = 0;
	vring_write(r, GPUCORE_VCH_CTRL, GPUCORE_VDEV_CTRL_ENABLE);
}

/* Retire the jobs of @r the device has completed. The GPU lock held. */
static void gpucore_vring_retire(struct gpucore_vring *r, struct list_head *gone,
				 struct list_head *done)
{
	u64 seen = le64_to_cpu(READ_ONCE(*r->fence)), now;
	struct gpucore_vjob *vj;

	if (vring_read(r, GPUCORE_VCH_ERROR))
		return gpucore_vring_fail(r, gone, done);
	if (seen > r->issued || seen <= r->done)
		return;
	r->done = seen;
	while ((vj = list_first_entry_or_null(&r->inflight, struct gpucore_vjob, node)) &&
	       vj->last_seqno <= seen) {
		now = ktime_get_ns();
		list_move_tail(&vj->node, gone);
		if (vj->job)
			gpucore_vjob_report(r, vj->job, GPUCORE_RUN_DONE, now - r->head_since, done);
		r->head_since = now;
	}
}

static irqreturn_t gpucore_vdev_irq(int irq, void *arg)
{
	struct gpucore_vdev *vd = arg;
	u32 status = vreg_read(vd, GPUCORE_VREG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	vreg_write(vd, GPUCORE_VREG_IRQ_STATUS, status);
	atomic_long_or(status, (atomic_long_t *)&vd->irq_bits);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t gpucore_vdev_irq_thread(int irq, void *arg)
{
	struct gpucore_vdev *vd = arg;
	unsigned long bits = atomic_long_xchg((atomic_long_t *)&vd->irq_bits, 0);
	struct gpucore_vjob *vj, *tmp;
	bool queued = false;
	LIST_HEAD(gone);
	LIST_HEAD(done);
	u32 i;

	spin_lock_irq(&vd->gpu->lock);
	for_each_set_bit(i, &bits, vd->nr_rings) {
		gpucore_vring_retire(&vd->rings[i], &gone, &done);
		queued |= !list_empty(&vd->rings[i].queued);
	}
	spin_unlock_irq(&vd->gpu->lock);
	gpucore_jobs_signal(&done);
	list_for_each_entry_safe(vj, tmp, &gone, node)
		gpucore_vjob_free(vd, vj);
	if (queued)
		queue_work(vd->wq, &vd->submit_work);
	return IRQ_HANDLED;
}

/* See &gpucore_backend_ops.run: the job waits for the worker to write it. */
static void gpucore_vdev_run(struct gpucore_engine *e, struct gpucore_job *job, u64 budget_ns,
			     u64 limit_ns, u32 ctx)
{
	struct gpucore_vdev *vd = to_vdev(e->gpu);

	job->be_ctx = ctx & ~GPUCORE_VJOB_FORCED;
	list_add_tail(&job->be_node, &gpucore_vring_of(vd, e, ctx)->queued);
	queue_work(vd->wq, &vd->submit_work);
}

/* The ring entry of @job, if it is on its ring. */
static struct gpucore_vjob *gpucore_vjob_find(struct gpucore_vring *r, struct gpucore_job *job)
{
	struct gpucore_vjob *vj;

	list_for_each_entry(vj, &r->inflight, node)
		if (vj->job == job)
			return vj;
	return NULL;
}

/* See &gpucore_backend_ops.preempt: only forced stops reach a self-scheduled backend. */
static void gpucore_vdev_preempt(struct gpucore_engine *e, struct gpucore_job *job, u64 after_ns,
				 bool force)
{
	struct gpucore_vdev *vd = to_vdev(e->gpu);
	struct gpucore_vring *r = gpucore_vring_of(vd, e, job->be_ctx & ~GPUCORE_VJOB_FORCED);
	struct gpucore_vjob *vj;

	if (!force || job->be_ctx & GPUCORE_VJOB_FORCED)
		return;
	job->be_ctx |= GPUCORE_VJOB_FORCED;
	vj = gpucore_vjob_find(r, job);
	if (!vj) {
		/* Queued: the worker reports it; being mapped: the worker sees the flag. */
		if (!list_empty(&job->be_node)) {
			list_move_tail(&job->be_node, &r->stopped);
			queue_work(vd->wq, &vd->submit_work);
		}
		return;
	}
	if (vj->nr_bufs)
		return;		/* reported when the device is done with its pages */
	/* A SPIN touches no memory: report it now, the ring forgets it. */
	vj->job = NULL;
	list_add_tail(&job->be_node, &r->stopped);
	queue_work(vd->wq, &vd->submit_work);
}

/* See &gpucore_backend_ops.inflight: not called for a self-scheduled backend. */
static u64 gpucore_vdev_inflight(struct gpucore_engine *e)
{
	return 0;
}

static int gpucore_vring_init(struct gpucore_vdev *vd, struct gpucore_vring *r, u32 idx)
{
	struct device *dev = &vd->pdev->dev;
	struct gpucore_gpu *gpu = vd->gpu;

	r->vd = vd;
	r->idx = idx;
	r->e = &gpu->engines[idx % gpu->num_engines];
	INIT_LIST_HEAD(&r->queued);
	INIT_LIST_HEAD(&r->stopped);
	INIT_LIST_HEAD(&r->inflight);
	r->descs = dma_alloc_coherent(dev, GPUCORE_VRING_SIZE * GPUCORE_VDEV_DESC_SIZE,
				      &r->descs_dma, GFP_KERNEL);
	r->fence = dma_alloc_coherent(dev, sizeof(*r->fence), &r->fence_dma, GFP_KERNEL);
	if (!r->descs || !r->fence)
		return -ENOMEM;
	vring_write(r, GPUCORE_VCH_RING_LO, lower_32_bits(r->descs_dma));
	vring_write(r, GPUCORE_VCH_RING_HI, upper_32_bits(r->descs_dma));
	vring_write(r, GPUCORE_VCH_RING_SIZE, GPUCORE_VRING_SIZE);
	vring_write(r, GPUCORE_VCH_ENGINE, r->e->engine_class);
	vring_write(r, GPUCORE_VCH_FENCE_LO, lower_32_bits(r->fence_dma));
	vring_write(r, GPUCORE_VCH_FENCE_HI, upper_32_bits(r->fence_dma));
	vring_write(r, GPUCORE_VCH_CTRL, GPUCORE_VDEV_CTRL_ENABLE);
	return 0;
}

static void gpucore_vring_fini(struct gpucore_vdev *vd, struct gpucore_vring *r)
{
	struct device *dev = &vd->pdev->dev;
	struct gpucore_vjob *vj, *tmp;

	list_for_each_entry_safe(vj, tmp, &r->inflight, node) {
		list_del(&vj->node);
		gpucore_vjob_free(vd, vj);
	}
	if (r->descs)
		dma_free_coherent(dev, GPUCORE_VRING_SIZE * GPUCORE_VDEV_DESC_SIZE, r->descs,
				  r->descs_dma);
	if (r->fence)
		dma_free_coherent(dev, sizeof(*r->fence), r->fence, r->fence_dma);
}

/* See &gpucore_backend_ops.fini: the device is reset, nothing runs on it. */
static void gpucore_vdev_fini(struct gpucore_gpu *gpu)
{
	struct gpucore_vdev *vd = to_vdev(gpu);
	u32 i;

	vreg_write(vd, GPUCORE_VREG_RESET, GPUCORE_VDEV_RESET_MAGIC);
	if (vd->irq)
		free_irq(pci_irq_vector(vd->pdev, 0), vd);
	if (vd->wq)
		destroy_workqueue(vd->wq);
	for (i = 0; i < vd->nr_rings; i++)
		gpucore_vring_fini(vd, &vd->rings[i]);
}

/* See &gpucore_backend_ops.init: the rings, enabled; the interrupt. */
static int gpucore_vdev_init(struct gpucore_gpu *gpu)
{
	struct gpucore_vdev *vd = to_vdev(gpu);
	int ret;
	u32 i;

	vd->gpu = gpu;
	INIT_WORK(&vd->submit_work, gpucore_vdev_submit_workfn);
	vreg_write(vd, GPUCORE_VREG_RESET, GPUCORE_VDEV_RESET_MAGIC);
	/* On failure, fini frees what init took. */
	vd->wq = alloc_ordered_workqueue("gpucore%u-vdev", 0, gpu->id);
	if (!vd->wq)
		return -ENOMEM;
	for (i = 0; i < vd->nr_rings; i++) {
		ret = gpucore_vring_init(vd, &vd->rings[i], i);
		if (ret)
			return ret;
	}
	ret = request_threaded_irq(pci_irq_vector(vd->pdev, 0), gpucore_vdev_irq,
				   gpucore_vdev_irq_thread, IRQF_SHARED, "gpucore-vdev", vd);
	if (ret)
		return ret;
	vd->irq = true;
	return 0;
}

static const struct gpucore_backend_ops gpucore_vdev_backend = {
	.name = "virtual-device",
	.flags = GPUCORE_BACKEND_SELF_SCHEDULED,
	.init = gpucore_vdev_init,
	.fini = gpucore_vdev_fini,
	.run = gpucore_vdev_run,
	.preempt = gpucore_vdev_preempt,
	.inflight = gpucore_vdev_inflight,
};

/**
 * gpucore_vdev_open - take a gpucore virtual device for a GPU
 * @pdev: the PCI function, enabled by the caller
 * @desc: filled with the GPU's backend, engines and memory
 *
 * Maps BAR0, checks the device's identification and version, sets up its
 * interrupt and reads its engines and memory quota. The GPU brought up
 * with @desc starts the device (&gpucore_backend_ops.init).
 *
 * Context: process context (a PCI probe).
 * Return: 0, -ENODEV for a device this driver does not speak, or another
 * negative errno.
 */
int gpucore_vdev_open(struct pci_dev *pdev, struct gpucore_gpu_desc *desc)
{
	struct device *dev = &pdev->dev;
	struct gpucore_vdev *vd;
	u32 engines, copy;
	int ret;

	vd = devm_kzalloc(dev, sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	vd->pdev = pdev;
	ret = pcim_iomap_regions(pdev, BIT(0), "gpucore-vdev");
	if (ret)
		return ret;
	vd->regs = pcim_iomap_table(pdev)[0];
	if (vreg_read(vd, GPUCORE_VREG_ID) != GPUCORE_VDEV_ID_MAGIC ||
	    vreg_read(vd, GPUCORE_VREG_VERSION) != GPUCORE_VDEV_VERSION) {
		dev_err(dev, "not a gpucore virtual device of version %u\n", GPUCORE_VDEV_VERSION);
		return -ENODEV;
	}
	engines = vreg_read(vd, GPUCORE_VREG_ENGINES);
	vd->num_compute = engines & 0xff;
	copy = (engines >> 8) & 0xff;
	vd->nr_rings = min_t(u32, vreg_read(vd, GPUCORE_VREG_NUM_CHANNELS),
			     GPUCORE_VDEV_MAX_CHANNELS);
	vd->mem_size = vreg_read(vd, GPUCORE_VREG_MEM_LO) |
		       (u64)vreg_read(vd, GPUCORE_VREG_MEM_HI) << 32;
	if (!vd->num_compute || vd->num_compute >= GPUCORE_MAX_ENGINES || !copy ||
	    vd->nr_rings < vd->num_compute + 1) {
		dev_err(dev, "unusable: %u compute and %u copy engines, %u channels\n",
			vd->num_compute, copy, vd->nr_rings);
		return -ENODEV;
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	pci_set_master(pdev);
	desc->backend = &gpucore_vdev_backend;
	desc->be = vd;
	desc->parent = dev;
	desc->num_compute = vd->num_compute;
	desc->vram_size = vd->mem_size;
	return 0;
}

/**
 * gpucore_vdev_close - release what gpucore_vdev_open() took
 * @pdev: the PCI function, its GPU removed
 */
void gpucore_vdev_close(struct pci_dev *pdev)
{
	pci_free_irq_vectors(pdev);
}
