// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: debugfs state
 *
 * /sys/kernel/debug/gpucore/gpuN/state is one consistent snapshot of the
 * GPU (printed under its lock) from the same counters every other front
 * end reads, as one record per line: the object's type, then
 * ``key=value`` fields, every record naming the objects it belongs to, so
 * that a script finds a field by its key, never by its position::
 *
 *   gpu id= backend= policy= engines= vram_size= vram_used= timeslice_ns= channels=
 *   engine gpu= id= name= busy_ns= switches= ... current= runlist=ID,ID,...
 *   vgpu gpu= id= name= weight= cap= ... busy_ns= jobs= ...
 *   channel gpu= id= vgpu=NAME engine= client= pid= comm= state= ... busy_ns=
 *
 * in that order, each vGPU's channels after it. Values never hold a
 * space or an ``=``: a task's comm escapes them (as ``\ooo``); current=0
 * is no channel; an empty runlist is ``runlist=``. New fields may be
 * added anywhere after the type; none is renamed or removed.
 *
 * gpuN/lateness: per engine, how late the backend's timed switches were
 * (``engine gpu= id= name= count= p50_ns= p99_ns= max_ns=``); writing
 * resets it.
 *
 * scripts/gpucore-lib.sh reads these records (state_get).
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "gpucore_priv.h"

static const char * const gpucore_state_names[] = {
	[GPUCORE_CH_IDLE] = "idle",
	[GPUCORE_CH_QUEUED] = "queued",
	[GPUCORE_CH_RUNNING] = "running",
};

static void gpucore_dump_engines(struct seq_file *m, struct gpucore_gpu *gpu)
{
	struct gpucore_channel *ch;
	u32 i;

	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];

		const char *sep = "";

		seq_printf(m, "engine gpu=%u id=%u name=%s busy_ns=%llu switches=%llu preemptions=%llu decisions=%llu decision_ns=%llu sched_ns=%llu kicks=%llu kicks_held=%llu switch_ns=%llu ctx_switches=%llu resets=%llu channels=%u current=%u runlist=",
			   gpu->id, e->id, e->name, e->busy_ns, e->switches, e->preemptions,
			   e->decisions, e->decision_ns, e->sched_ns, e->kicks, e->kicks_held,
			   e->switch_ns, e->ctx_switches, e->resets, e->nr_channels,
			   e->cur ? e->cur->id : 0);
		list_for_each_entry(ch, &e->runlist, rl_node) {
			seq_printf(m, "%s%u", sep, ch->id);
			sep = ",";
		}
		seq_putc(m, '\n');
	}
}

static void gpucore_dump_vgpu(struct seq_file *m, struct gpucore_vgpu *vgpu)
{
	struct gpucore_channel *ch;

	seq_printf(m, "vgpu gpu=%u id=%u name=%s weight=%u cap=%u mem_quota=%llu mem_used=%lld busy_ns=%llu jobs=%llu failed=%llu channels=%u max_channels=%u pending=%u max_jobs=%u\n",
		   vgpu->gpu->id, vgpu->id, vgpu->name, READ_ONCE(vgpu->weight), READ_ONCE(vgpu->cap),
		   READ_ONCE(vgpu->mem_quota), atomic64_read(&vgpu->mem_used), gpucore_vgpu_busy_locked(vgpu),
		   vgpu->jobs_completed, vgpu->jobs_failed, vgpu->nr_channels,
		   READ_ONCE(vgpu->max_channels), vgpu->nr_jobs, READ_ONCE(vgpu->max_jobs));
	list_for_each_entry(ch, &vgpu->channels, vgpu_node) {
		seq_printf(m, "channel gpu=%u id=%u vgpu=%s engine=%u client=%llu pid=%d comm=",
			   vgpu->gpu->id, ch->id, vgpu->name, ch->engine->id, ch->client_id,
			   ch->pid);
		seq_escape(m, ch->comm, " \t\n\\=");
		seq_printf(m, " state=%s pending=%u submitted=%llu completed=%llu failed=%llu preemptions=%llu busy_ns=%llu\n",
			   gpucore_state_names[ch->state], ch->nr_pending, ch->submitted,
			   ch->completed, ch->failed, ch->preemptions, ch->busy_ns);
	}
}

static int gpucore_state_show(struct seq_file *m, void *unused)
{
	struct gpucore_gpu *gpu = m->private;
	struct gpucore_vgpu *vgpu;
	unsigned long id;

	mutex_lock(&gpu->vgpu_lock);
	spin_lock_irq(&gpu->lock);
	seq_printf(m, "gpu id=%u backend=%s policy=%s engines=%u vram_size=%llu vram_used=%lld timeslice_ns=%llu channels=%d\n",
		   gpu->id, gpu->backend->name, !gpucore_sched_by_driver(gpu) ? "firmware" :
		   gpu->policy && gpucore_policy_active(gpu) ? gpu->policy->name : "builtin",
		   gpu->num_engines, gpu->vram_size, atomic64_read(&gpu->vram_used),
		   gpu->timeslice_ns, atomic_read(&gpu->nr_channels));
	gpucore_dump_engines(m, gpu);
	xa_for_each(&gpu->vgpus, id, vgpu)
		gpucore_dump_vgpu(m, vgpu);
	spin_unlock_irq(&gpu->lock);
	mutex_unlock(&gpu->vgpu_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gpucore_state);

/*
 * lateness: per engine, how late the backend's timed switches were against
 * their due time (a slice's end, a preemption's deadline, a SPIN's end):
 * count, median, 99th percentile and maximum in ns (see DOC above).
 */
static int gpucore_late_show(struct seq_file *m, void *unused)
{
	struct gpucore_gpu *gpu = m->private;
	struct gpucore_late_hist h;
	u64 p50, p99;
	u32 i;

	for (i = 0; i < gpu->num_engines; i++) {
		spin_lock_irq(&gpu->lock);
		h = gpu->engines[i].late;
		spin_unlock_irq(&gpu->lock);
		gpucore_sched_late_percentiles(&h, &p50, &p99);
		seq_printf(m, "engine gpu=%u id=%u name=%s count=%llu p50_ns=%llu p99_ns=%llu max_ns=%llu\n",
			   gpu->id, i, gpu->engines[i].name, h.count, p50, p99, h.max_ns);
	}
	return 0;
}

static int gpucore_late_open(struct inode *inode, struct file *file)
{
	return single_open(file, gpucore_late_show, inode->i_private);
}

static ssize_t gpucore_late_write(struct file *file, const char __user *buf, size_t len,
				  loff_t *ppos)
{
	struct gpucore_gpu *gpu = ((struct seq_file *)file->private_data)->private;
	u32 i;

	spin_lock_irq(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++)
		memset(&gpu->engines[i].late, 0, sizeof(gpu->engines[i].late));
	spin_unlock_irq(&gpu->lock);
	return len;
}

static const struct file_operations gpucore_late_fops = {
	.owner = THIS_MODULE,
	.open = gpucore_late_open,
	.read = seq_read,
	.write = gpucore_late_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * gpucore_debugfs_init - create the GPU's debugfs directory
 * @gpu: the GPU
 * @root: the module's debugfs directory
 */
void gpucore_debugfs_init(struct gpucore_gpu *gpu, struct dentry *root)
{
	char name[16];

	snprintf(name, sizeof(name), "gpu%u", gpu->id);
	gpu->debugfs = debugfs_create_dir(name, root);
	debugfs_create_file("state", 0444, gpu->debugfs, gpu, &gpucore_state_fops);
	debugfs_create_file("lateness", 0644, gpu->debugfs, gpu, &gpucore_late_fops);
}

/**
 * gpucore_debugfs_fini - remove the GPU's debugfs directory
 * @gpu: the GPU
 */
void gpucore_debugfs_fini(struct gpucore_gpu *gpu)
{
	debugfs_remove_recursive(gpu->debugfs);
	gpu->debugfs = NULL;
}
