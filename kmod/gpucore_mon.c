// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore monitor view: kfuncs a monitor's syscall BPF program reads the
 * driver's accounting with.
 */

/**
 * DOC: Monitoring
 *
 * A monitor (gpustat) must not cost every job a BPF program run, so the
 * driver keeps what a monitor shows per job itself: counts of jobs
 * submitted, completed and failed on every engine, channel and vGPU, and
 * the histograms of their wait (submit to start) and latency (submit to
 * completion), struct gpucore_hists (include/uapi/gpucore_hist.h). Each
 * refresh, the monitor runs a BPF program of type BPF_PROG_TYPE_SYSCALL
 * that copies them with the kfuncs below into its own maps. Tracepoints
 * stay for what must be seen as it happens (switches, objects coming and
 * going, policies) and for recording every event.
 *
 * Each copy is taken under the GPU's lock, so its counts and histograms
 * agree with each other. A channel's or vGPU's copy takes a generation,
 * the sum of its submitted, completed and failed jobs: when the caller's
 * is current, nothing is copied. Histograms, about 4 KiB a pair, are
 * written once, straight into the caller's memory (a map value or a ring
 * buffer record); a channel's only as far as they hold values (their
 * counts, sums, ranges and the buckets in their ranges: a thousand busy
 * channels' copies at each refresh are a few hundred bytes each, not 4 KiB).
 *
 * The kfuncs are registered for syscall programs only, which need
 * CAP_BPF and CAP_PERFMON to load. They are not ABI: the records are in
 * the module's BTF and a program passes their size, which must match
 * (-EINVAL otherwise).
 */

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>

#include "gpucore_priv.h"

/* gpucore_drv.c's GPU table, handed down (layers below it do not call up). */
static struct gpucore_gpu *(*gpucore_mon_gpu)(u32 index);

/**
 * struct gpucore_mon_channel - a channel's accounting, for a monitor
 * @gen: in, the generation the caller has (~0: none); out, the current
 *	one, @submitted + @completed + @failed
 * @submitted: jobs submitted
 * @completed: jobs completed
 * @failed: jobs that failed
 * @gpu: its GPU
 * @engine: the engine it is bound to
 * @vgpu: its vGPU
 * @queued: jobs submitted and not retired
 * @pid: the process that created it (0: a kernel thread's)
 * @pad: zero
 * @comm: that process's command, or its front end's name
 */
struct gpucore_mon_channel {
	u64 gen;
	u64 submitted;
	u64 completed;
	u64 failed;
	u32 gpu;
	u32 engine;
	u32 vgpu;
	u32 queued;
	s32 pid;
	u32 pad;
	char comm[TASK_COMM_LEN];
};

/**
 * struct gpucore_mon_vgpu - a vGPU's accounting and limits, for a monitor
 * @gen: as struct gpucore_mon_channel's
 * @submitted: jobs submitted on its channels, including destroyed ones
 * @completed: jobs completed
 * @failed: jobs that failed
 * @mem_quota: its memory quota in bytes
 * @weight: its weight
 * @cap: its cap in percent (0: none)
 * @max_channels: its channel limit
 * @max_jobs: its limit of jobs in flight
 * @name: its name
 */
struct gpucore_mon_vgpu {
	u64 gen;
	u64 submitted;
	u64 completed;
	u64 failed;
	u64 mem_quota;
	u32 weight;
	u32 cap;
	u32 max_channels;
	u32 max_jobs;
	char name[GPUCORE_NAME_LEN];
};

/**
 * struct gpucore_mon_engine - an engine's job counts and what runs on it
 * @completed: jobs completed on it
 * @failed: jobs that failed on it
 * @switched_in: when @channel was switched in (ktime_get_ns())
 * @run_ns: engine time charged to @channel since then
 * @channel: the channel running on it (0: none, or a self-scheduled
 *	backend's engine, which runs many at once)
 * @vgpu: @channel's vGPU
 * @nr_queued: runnable channels waiting for it
 * @pad: zero
 */
struct gpucore_mon_engine {
	u64 completed;
	u64 failed;
	u64 switched_in;
	u64 run_ns;
	u32 channel;
	u32 vgpu;
	u32 nr_queued;
	u32 pad;
};

static void gpucore_mon_copy_channel(struct gpucore_mon_channel *m,
				     const struct gpucore_channel *ch)
{
	m->submitted = ch->submitted;
	m->completed = ch->completed;
	m->failed = ch->failed;
	m->gpu = ch->gpu->id;
	m->engine = ch->engine->id;
	m->vgpu = ch->vgpu->id;
	m->queued = ch->nr_pending;
	m->pid = ch->pid;
	m->pad = 0;
	memcpy(m->comm, ch->comm, sizeof(m->comm));
}

static void gpucore_mon_copy_vgpu(struct gpucore_mon_vgpu *m, const struct gpucore_vgpu *vgpu)
{
	m->submitted = vgpu->jobs_submitted;
	m->completed = vgpu->jobs_completed;
	m->failed = vgpu->jobs_failed;
	m->mem_quota = vgpu->mem_quota;
	m->weight = vgpu->weight;
	m->cap = vgpu->cap;
	m->max_channels = vgpu->max_channels;
	m->max_jobs = vgpu->max_jobs;
	memcpy(m->name, vgpu->name, sizeof(m->name));
}

__bpf_kfunc_start_defs();

/**
 * gpucore_mon_next_channel - the first channel id at or after @id
 * @id: where to look from
 *
 * Channels come and go: an id returned may be gone by the time it is read.
 *
 * Return: a live channel's id, or 0 if there is none from @id on.
 */
__bpf_kfunc u32 gpucore_mon_next_channel(u32 id)
{
	unsigned long index = id;

	if (!xa_find(&gpucore_channel_ids, &index, GPUCORE_MAX_CHANNEL_ID, XA_PRESENT))
		return 0;
	return index;
}

/**
 * gpucore_mon_channel - copy a channel's accounting
 * @id: the channel's module-wide id
 * @out: a struct gpucore_mon_channel to fill; its @gen is the caller's
 * @out__sz: its size
 * @hists: a struct gpucore_hists to fill: each histogram's count, sum,
 *	range and its buckets in that range (gpucore_hist_copy_used(): read
 *	it with gpucore_hist_copy()); its other buckets are not written
 * @hists__sz: its size
 *
 * (A BPF call has at most five arguments: the generation goes in @out.)
 *
 * Return: 1 if @out and @hists were filled, 0 if @out->gen is current
 * (nothing is written), -EINVAL for a wrong size, -ENOENT if no channel
 * has @id.
 */
__bpf_kfunc int gpucore_mon_channel(u32 id, void *out, u32 out__sz, void *hists, u32 hists__sz)
{
	struct gpucore_mon_channel *m = out;
	struct gpucore_hists *h = hists;
	struct gpucore_channel *ch;
	unsigned long flags;
	int ret = 0;
	u64 gen;

	if (out__sz != sizeof(*m) || hists__sz != sizeof(*h))
		return -EINVAL;
	rcu_read_lock();
	ch = xa_load(&gpucore_channel_ids, id);
	if (ch && !kref_get_unless_zero(&ch->ref))
		ch = NULL;
	rcu_read_unlock();
	if (!ch)
		return -ENOENT;
	spin_lock_irqsave(&ch->gpu->lock, flags);
	gen = ch->submitted + ch->completed + ch->failed;
	if (m->gen != gen) {
		m->gen = gen;
		gpucore_mon_copy_channel(m, ch);
		gpucore_hist_copy_used(&h->wait, &ch->hists.wait);
		gpucore_hist_copy_used(&h->lat, &ch->hists.lat);
		ret = 1;
	}
	spin_unlock_irqrestore(&ch->gpu->lock, flags);
	gpucore_channel_put(ch);
	return ret;
}

/**
 * gpucore_mon_vgpu - copy a vGPU's accounting and limits
 * @index: GPUCORE_VGPU_IDX() of its GPU's index and its id on that GPU
 * @out: a struct gpucore_mon_vgpu to fill; its @gen is the caller's
 * @out__sz: its size
 * @hists: a struct gpucore_hists to fill
 * @hists__sz: its size
 *
 * Return: as gpucore_mon_channel(); -ENOENT if there is no such vGPU.
 */
__bpf_kfunc int gpucore_mon_vgpu(u32 index, void *out, u32 out__sz, void *hists, u32 hists__sz)
{
	u32 vgpu_id = index % GPUCORE_MAX_VGPUS;
	struct gpucore_mon_vgpu *m = out;
	struct gpucore_hists *h = hists;
	struct gpucore_vgpu *vgpu;
	struct gpucore_gpu *gpu;
	unsigned long flags;
	int ret = 0;
	u64 gen;

	if (out__sz != sizeof(*m) || hists__sz != sizeof(*h))
		return -EINVAL;
	gpu = gpucore_mon_gpu(index / GPUCORE_MAX_VGPUS);
	if (!gpu)
		return -ENOENT;
	/* A vGPU in the table holds its creation's reference (teardown erases first). */
	xa_lock(&gpu->vgpus);
	vgpu = xa_load(&gpu->vgpus, vgpu_id);
	if (vgpu)
		gpucore_vgpu_get(vgpu);
	xa_unlock(&gpu->vgpus);
	if (!vgpu)
		return -ENOENT;
	spin_lock_irqsave(&gpu->lock, flags);
	gen = vgpu->jobs_submitted + vgpu->jobs_completed + vgpu->jobs_failed;
	if (m->gen != gen) {
		m->gen = gen;
		gpucore_mon_copy_vgpu(m, vgpu);
		*h = vgpu->hists;
		ret = 1;
	}
	spin_unlock_irqrestore(&gpu->lock, flags);
	gpucore_vgpu_put(vgpu);
	return ret;
}

/**
 * gpucore_mon_engine - copy an engine's job counts and what runs on it
 * @gpu_id: its GPU's index
 * @engine_id: its index on that GPU
 * @out: a struct gpucore_mon_engine to fill
 * @out__sz: its size
 *
 * Return: 0, -EINVAL for a wrong @out__sz, -ENOENT if there is no such
 * engine.
 */
__bpf_kfunc int gpucore_mon_engine(u32 gpu_id, u32 engine_id, void *out, u32 out__sz)
{
	struct gpucore_gpu *gpu = gpucore_mon_gpu(gpu_id);
	struct gpucore_mon_engine *m = out;
	struct gpucore_engine *e;
	unsigned long flags;

	if (out__sz != sizeof(*m))
		return -EINVAL;
	if (!gpu || engine_id >= gpu->num_engines)
		return -ENOENT;
	e = &gpu->engines[engine_id];
	memset(m, 0, sizeof(*m));
	spin_lock_irqsave(&gpu->lock, flags);
	m->completed = e->jobs_completed;
	m->failed = e->jobs_failed;
	m->nr_queued = e->nr_queued;
	if (e->cur) {
		m->channel = e->cur->id;
		m->vgpu = e->cur->vgpu->id;
		m->switched_in = e->switched_in;
		m->run_ns = e->cur->busy_ns - e->busy_at_in;
	}
	spin_unlock_irqrestore(&gpu->lock, flags);
	return 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(gpucore_mon_kfunc_ids)
BTF_ID_FLAGS(func, gpucore_mon_next_channel)
BTF_ID_FLAGS(func, gpucore_mon_channel, KF_SLEEPABLE)
BTF_ID_FLAGS(func, gpucore_mon_vgpu, KF_SLEEPABLE)
BTF_ID_FLAGS(func, gpucore_mon_engine)
BTF_KFUNCS_END(gpucore_mon_kfunc_ids)

static const struct btf_kfunc_id_set gpucore_mon_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &gpucore_mon_kfunc_ids,
};

/**
 * gpucore_mon_init - offer the monitor's kfuncs to syscall BPF programs
 * @gpu_get: finds a GPU by its index, NULL if there is none
 *
 * They go with the module's BTF; there is nothing to undo.
 *
 * Return: 0 or a negative errno.
 */
int gpucore_mon_init(struct gpucore_gpu *(*gpu_get)(u32 index))
{
	gpucore_mon_gpu = gpu_get;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &gpucore_mon_kfunc_set);
}
