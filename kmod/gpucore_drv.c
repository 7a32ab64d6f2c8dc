// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore: a core GPU driver with emulated GPUs and programmable channel
 * scheduling. Module parameters, GPU bring-up and its sysfs files, the DRM
 * driver.
 */

/**
 * DOC: Overview
 *
 * Loading the module brings up ``num_gpus`` emulated GPUs, then a GPU for
 * each gpucore virtual device (a vGPU given to this machine, a virtual
 * machine, through VFIO: gpucore_vdev.c) found on the PCI bus. Unless
 * ``num_gpus`` is given, there is one emulated GPU when no such device is
 * present and none otherwise. Each GPU is a
 * platform device ``gpucore.N`` (the parent of its DRM devices) with
 * ``num_compute`` compute engines and one copy engine, ``vram_mb`` MiB of
 * accounted video memory (at most half of system memory over all GPUs:
 * buffer objects are pinned system memory) and a default timeslice of
 * ``timeslice_us``. The
 * GPU's own DRM device (render node and card node) is the host tenant;
 * every vGPU created through sysfs gets a DRM device of its own.
 *
 * Unloading: open files hold a module reference, so rmmod is refused while
 * any client is open; otherwise every vGPU and DRM device is removed and
 * the module waits for the last fence to be released.
 */

#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "gpucore_priv.h"
#include "gpucore_vdev.h"

#define CREATE_TRACE_POINTS
#include "gpucore_trace.h"

static int num_gpus = -1;
module_param(num_gpus, int, 0444);
MODULE_PARM_DESC(num_gpus, "Emulated GPUs (0-8; default 1, or 0 when a gpucore virtual device is present; 0 only then)");

static DEFINE_MUTEX(gpucore_gpus_lock);	/* gpucore_gpus[] */

static const struct pci_device_id gpucore_pci_ids[] = {
	{ PCI_DEVICE(GPUCORE_VDEV_VENDOR, GPUCORE_VDEV_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, gpucore_pci_ids);

static unsigned int num_compute = 2;
module_param(num_compute, uint, 0444);
MODULE_PARM_DESC(num_compute, "Compute engines per GPU (1-7, default 2); one copy engine is added");

static unsigned long vram_mb = 4096;
module_param(vram_mb, ulong, 0444);
MODULE_PARM_DESC(vram_mb, "Video memory per GPU in MiB (16-1048576, default 4096; at most half of system memory over all GPUs)");

/* vram_mb as used: BOs are pinned system memory, so it is bounded by RAM. */
static unsigned long gpucore_vram_mb;

static unsigned int timeslice_us = 2000;
module_param(timeslice_us, uint, 0444);
MODULE_PARM_DESC(timeslice_us, "Default timeslice in microseconds (100-1000000, default 2000)");

static unsigned int switch_cost_us;
module_param(switch_cost_us, uint, 0444);
MODULE_PARM_DESC(switch_cost_us, "Engine time a context switch costs, in microseconds (0-10000, default 0); per GPU in sysfs");

static unsigned int fw_sched;
module_param(fw_sched, uint, 0444);
MODULE_PARM_DESC(fw_sched, "GPUs whose engines schedule themselves, as firmware-scheduled GPUs do, a bitmask (bit N: gpuN; default 0): round robin over every runnable channel, no policy, weights and caps not enforced");

static unsigned int job_timeout_ms = GPUCORE_JOB_TIMEOUT_DEFAULT_MS;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Engine time after which a job counts as hung and is stopped, in milliseconds (100-600000, 0: never; default 10000); per GPU in sysfs");

static struct gpucore_gpu *gpucore_gpus[GPUCORE_MAX_GPUS];
static struct dentry *gpucore_debugfs_root;

static int gpucore_open(struct drm_device *dev, struct drm_file *file)
{
	struct gpucore_vgpu *vgpu = dev->dev_private;
	struct gpucore_file *fpriv;

	/*
	 * A vGPU owned by a front end (a VM's) is that front end's alone: no
	 * host process submits as its tenant. drm_open() counted this open
	 * first, which gpucore_vgpu_set_device() checks after setting it.
	 */
	if (READ_ONCE(vgpu->frontend))
		return -EPERM;
	fpriv = gpucore_fail_ptr(kzalloc(sizeof(*fpriv), GFP_KERNEL));
	if (!fpriv)
		return -ENOMEM;
	gpucore_vgpu_get(vgpu);
	fpriv->vgpu = vgpu;
	fpriv->drm_file = file;
	xa_init_flags(&fpriv->channels, XA_FLAGS_ALLOC1);
	file->driver_priv = fpriv;
	return 0;
}

static void gpucore_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct gpucore_file *fpriv = to_gpucore_file(file);
	struct gpucore_channel *ch;
	unsigned long handle;

	xa_for_each(&fpriv->channels, handle, ch) {
		xa_erase(&fpriv->channels, handle);
		gpucore_channel_destroy(ch);
		gpucore_channel_put(ch);
	}
	xa_destroy(&fpriv->channels);
	gpucore_vgpu_put(fpriv->vgpu);
	kfree(fpriv);
}

static void gpucore_release(struct drm_device *dev)
{
	gpucore_vgpu_put(dev->dev_private);
}

/*
 * fdinfo, per Documentation/gpu/drm-usage-stats.rst: drm-driver and
 * drm-client-id come from the DRM core; engine time per engine class
 * (with the number of engines of the class as capacity) and memory from
 * here, and the client's vGPU under the driver-prefixed key gpucore-vgpu.
 */
static void gpucore_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct gpucore_file *fpriv = to_gpucore_file(file);
	struct gpucore_gpu *gpu = fpriv->vgpu->gpu;
	static const char * const names[] = { "compute", "copy" };
	u64 busy[GPUCORE_ENGINE_CLASS_COUNT];
	u32 cap[GPUCORE_ENGINE_CLASS_COUNT] = {};
	u32 i;

	spin_lock_irq(&gpu->lock);
	memcpy(busy, fpriv->busy_ns, sizeof(busy));
	for (i = 0; i < gpu->num_engines; i++) {
		struct gpucore_engine *e = &gpu->engines[i];

		cap[e->engine_class]++;
		if (e->cur && e->cur->fpriv == fpriv)
			busy[e->engine_class] += gpucore_sched_inflight(e);
	}
	spin_unlock_irq(&gpu->lock);
	drm_printf(p, "gpucore-vgpu:\t%s\n", fpriv->vgpu->name);
	for (i = 0; i < GPUCORE_ENGINE_CLASS_COUNT; i++) {
		drm_printf(p, "drm-engine-%s:\t%llu ns\n", names[i], busy[i]);
		drm_printf(p, "drm-engine-capacity-%s:\t%u\n", names[i], cap[i]);
	}
	drm_show_memory_stats(p, file);
}

static const struct file_operations gpucore_fops = {
	.owner = THIS_MODULE,
	DRM_GEM_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

const struct drm_driver gpucore_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ,
	.open = gpucore_open,
	.postclose = gpucore_postclose,
	.release = gpucore_release,
	.show_fdinfo = gpucore_show_fdinfo,
	.gem_create_object = gpucore_gem_create_object,
	.ioctls = gpucore_ioctls,
	.num_ioctls = GPUCORE_NUM_IOCTLS,
	.fops = &gpucore_fops,
	.name = "gpucore",
	.desc = "gpucore emulated GPU with programmable scheduling",
	.date = "20261124",
	.major = 1,
	.minor = 0,
};

/*
 * The GPU's own sysfs files, in its platform device's directory: its video
 * memory, default timeslice, who schedules its engines, the engines and
 * their counters, and its settings (switch_cost_us, job_timeout_ms).
 * gpucore_vgpu.c adds the vGPU administration files beside them.
 * GPUCORE_GPU_ATTR_RO() makes a read-only one that prints @_expr, an
 * expression of gpu, with @_fmt.
 */
#define GPUCORE_GPU_ATTR_RO(_name, _fmt, _expr)					\
static ssize_t _name##_show(struct device *dev, struct device_attribute *attr,	\
			    char *buf)						\
{										\
	struct gpucore_gpu *gpu = dev_get_drvdata(dev);				\
										\
	return sysfs_emit(buf, _fmt "\n", _expr);				\
}										\
static DEVICE_ATTR_RO(_name)

GPUCORE_GPU_ATTR_RO(vram_size, "%llu", gpu->vram_size);
GPUCORE_GPU_ATTR_RO(vram_used, "%lld", (s64)atomic64_read(&gpu->vram_used));
GPUCORE_GPU_ATTR_RO(timeslice_ns, "%llu", gpu->timeslice_ns);
GPUCORE_GPU_ATTR_RO(scheduler, "%s", gpucore_sched_by_driver(gpu) ? "driver" : "firmware");

static ssize_t engines_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct gpucore_gpu *gpu = dev_get_drvdata(dev);
	int n = 0;
	u32 i;

	for (i = 0; i < gpu->num_engines; i++)
		n += sysfs_emit_at(buf, n, "%s%s", i ? " " : "", gpu->engines[i].name);
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}
static DEVICE_ATTR_RO(engines);

/* Print a per-engine counter, in the order of the engines file. */
static ssize_t gpucore_engines_emit(struct gpucore_gpu *gpu, char *buf, size_t off)
{
	u64 v[GPUCORE_MAX_ENGINES];
	int n = 0;
	u32 i;

	spin_lock_irq(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++)
		v[i] = *(u64 *)((char *)&gpu->engines[i] + off);
	spin_unlock_irq(&gpu->lock);
	for (i = 0; i < gpu->num_engines; i++)
		n += sysfs_emit_at(buf, n, "%s%llu", i ? " " : "", v[i]);
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}

static ssize_t engine_switch_ns_show(struct device *dev, struct device_attribute *attr,
				     char *buf)
{
	return gpucore_engines_emit(dev_get_drvdata(dev), buf,
				    offsetof(struct gpucore_engine, switch_ns));
}
static DEVICE_ATTR_RO(engine_switch_ns);

static ssize_t engine_resets_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return gpucore_engines_emit(dev_get_drvdata(dev), buf,
				    offsetof(struct gpucore_engine, resets));
}
static DEVICE_ATTR_RO(engine_resets);

/*
 * A per-GPU device setting in sysfs: a u32 in @unit ns, checked by @valid
 * (the same rule as its module parameter), kept in ns.
 */
struct gpucore_setting {
	struct device_attribute attr;
	size_t off;			/* of the u64 ns field in struct gpucore_gpu */
	u64 unit;
	bool (*valid)(u32 v);
	const char *range;		/* for the log line of a refused value */
};

static u64 *gpucore_setting_field(struct device *dev, struct device_attribute *attr)
{
	struct gpucore_setting *set = container_of(attr, struct gpucore_setting, attr);

	return (u64 *)((char *)dev_get_drvdata(dev) + set->off);
}

static ssize_t gpucore_setting_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct gpucore_setting *set = container_of(attr, struct gpucore_setting, attr);

	return sysfs_emit(buf, "%llu\n", div_u64(READ_ONCE(*gpucore_setting_field(dev, attr)),
						  set->unit));
}

static ssize_t gpucore_setting_store(struct device *dev, struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct gpucore_setting *set = container_of(attr, struct gpucore_setting, attr);
	u32 v;

	if (kstrtou32(buf, 0, &v) || !set->valid(v)) {
		dev_warn_ratelimited(dev, "%s: '%.*s' is not %s\n", attr->attr.name,
				     (int)strcspn(buf, "\n"), buf, set->range);
		return -EINVAL;
	}
	WRITE_ONCE(*gpucore_setting_field(dev, attr), (u64)v * set->unit);
	return len;
}

#define GPUCORE_SETTING(_name, _field, _unit, _valid, _range)			\
	static struct gpucore_setting gpucore_setting_##_name = {		\
		.attr = __ATTR(_name, 0644, gpucore_setting_show, gpucore_setting_store), \
		.off = offsetof(struct gpucore_gpu, _field),			\
		.unit = _unit,							\
		.valid = _valid,						\
		.range = _range,						\
	}

GPUCORE_SETTING(switch_cost_us, switch_cost_ns, NSEC_PER_USEC, gpucore_switch_cost_valid,
		"a number of microseconds in 0-" __stringify(GPUCORE_SWITCH_COST_MAX_US));
GPUCORE_SETTING(job_timeout_ms, job_timeout_ns, NSEC_PER_MSEC, gpucore_job_timeout_valid,
		"0 or a number of milliseconds in " __stringify(GPUCORE_JOB_TIMEOUT_MIN_MS) "-"
		__stringify(GPUCORE_JOB_TIMEOUT_MAX_MS));

static struct attribute *gpucore_gpu_attrs[] = {
	&dev_attr_vram_size.attr,
	&dev_attr_vram_used.attr,
	&dev_attr_timeslice_ns.attr,
	&dev_attr_scheduler.attr,
	&dev_attr_engines.attr,
	&dev_attr_engine_switch_ns.attr,
	&dev_attr_engine_resets.attr,
	&gpucore_setting_switch_cost_us.attr.attr,
	&gpucore_setting_job_timeout_ms.attr.attr,
	NULL,
};

static const struct attribute_group gpucore_gpu_group = {
	.attrs = gpucore_gpu_attrs,
};

static void gpucore_gpu_free(struct gpucore_gpu *gpu)
{
	xa_destroy(&gpu->vgpus);
	kfree(gpu);
}

static void gpucore_gpu_remove(struct gpucore_gpu *gpu)
{
	gpucore_policy_gpu_fini(gpu);
	gpucore_debugfs_fini(gpu);
	gpucore_vgpu_sysfs_fini(gpu);
	sysfs_remove_group(&gpu->pdev->dev.kobj, &gpucore_gpu_group);
	gpucore_vgpu_destroy_all(gpu);
	gpucore_vgpu_sysfs_put(gpu);
	gpucore_sched_gpu_fini(gpu);
	platform_device_unregister(gpu->pdev);
	gpucore_gpu_free(gpu);
}

static struct platform_device *gpucore_pdev_add(u32 id, struct device *parent)
{
	struct platform_device_info info = {
		.parent = parent,
		.name = "gpucore",
		.id = id,
	};

	return gpucore_fail_errptr(platform_device_register_full(&info));
}

static struct gpucore_gpu *gpucore_gpu_add(u32 id, const struct gpucore_gpu_desc *desc)
{
	struct gpucore_gpu *gpu;
	struct gpucore_vgpu *host;
	int ret;

	gpu = gpucore_fail_ptr(kzalloc(sizeof(*gpu), GFP_KERNEL));
	if (!gpu)
		return ERR_PTR(-ENOMEM);
	gpu->id = id;
	gpu->be = desc->be;
	gpu->vram_size = desc->vram_size;
	gpu->timeslice_ns = (u64)timeslice_us * NSEC_PER_USEC;
	gpu->switch_cost_ns = (u64)switch_cost_us * NSEC_PER_USEC;
	gpu->job_timeout_ns = (u64)job_timeout_ms * NSEC_PER_MSEC;
	spin_lock_init(&gpu->lock);
	mutex_init(&gpu->vgpu_lock);
	xa_init_flags(&gpu->vgpus, XA_FLAGS_ALLOC);
	gpucore_policy_gpu_init(gpu);

	gpu->pdev = gpucore_pdev_add(id, desc->parent);
	if (IS_ERR(gpu->pdev)) {
		ret = PTR_ERR(gpu->pdev);
		goto err_free;
	}
	dev_set_drvdata(&gpu->pdev->dev, gpu);
	ret = gpucore_sched_gpu_init(gpu, desc->backend, desc->num_compute);
	if (ret)
		goto err_hw;
	ret = gpucore_fail_int(sysfs_create_group(&gpu->pdev->dev.kobj, &gpucore_gpu_group));
	if (ret)
		goto err_hw;
	ret = gpucore_vgpu_sysfs_init(gpu);
	if (ret)
		goto err_group;
	host = gpucore_vgpu_create(gpu, "host", &(struct gpucore_vgpu_params){
		.weight = GPUCORE_VGPU_WEIGHT_DEFAULT, .sched_class = GPUCORE_CLASS_BATCH });
	if (IS_ERR(host)) {
		ret = PTR_ERR(host);
		goto err_sysfs;
	}
	gpu->host = host;
	gpucore_debugfs_init(gpu, gpucore_debugfs_root);
	return gpu;

err_sysfs:
	gpucore_vgpu_sysfs_fini(gpu);
	gpucore_vgpu_sysfs_put(gpu);
err_group:
	sysfs_remove_group(&gpu->pdev->dev.kobj, &gpucore_gpu_group);
err_hw:
	gpucore_sched_gpu_fini(gpu);
	platform_device_unregister(gpu->pdev);
err_free:
	gpucore_policy_gpu_fini(gpu);
	gpucore_gpu_free(gpu);
	return ERR_PTR(ret);
}

/*
 * Emulated video memory is pinned system memory: a tenant filling its
 * quota must not be able to run the machine out of memory. Clamp the GPUs'
 * total to half of RAM.
 */
static unsigned long gpucore_vram_limit_mb(unsigned long want)
{
	u32 n = max(num_gpus, 1);
	unsigned long limit = (totalram_pages() >> (20 - PAGE_SHIFT)) / 2 / n;

	limit = max(limit, 16UL);
	if (want <= limit)
		return want;
	pr_notice("gpucore: vram_mb=%lu is more than half of system memory over %u GPU(s): using %lu MiB\n",
		  want, n, limit);
	return limit;
}

static int gpucore_check_params(void)
{
	bool vdev = pci_dev_present(gpucore_pci_ids);

	if (num_gpus < 0 && !vdev)
		num_gpus = 1;
	else if (num_gpus < 0)
		num_gpus = 0;
	if (num_gpus > GPUCORE_MAX_GPUS || (num_gpus < 1 && !vdev)) {
		pr_err("gpucore: num_gpus=%d is out of range %d-%d\n", num_gpus, vdev ? 0 : 1,
		       GPUCORE_MAX_GPUS);
		return -EINVAL;
	}
	if (num_compute < 1 || num_compute > GPUCORE_MAX_ENGINES - 1) {
		pr_err("gpucore: num_compute=%u is out of range 1-%d\n", num_compute,
		       GPUCORE_MAX_ENGINES - 1);
		return -EINVAL;
	}
	if (vram_mb < 16 || vram_mb > 1048576) {
		pr_err("gpucore: vram_mb=%lu is out of range 16-1048576\n", vram_mb);
		return -EINVAL;
	}
	if (timeslice_us < 100 || timeslice_us > 1000000) {
		pr_err("gpucore: timeslice_us=%u is out of range 100-1000000\n", timeslice_us);
		return -EINVAL;
	}
	if (!gpucore_switch_cost_valid(switch_cost_us)) {
		pr_err("gpucore: switch_cost_us=%u is out of range 0-%u\n", switch_cost_us,
		       GPUCORE_SWITCH_COST_MAX_US);
		return -EINVAL;
	}
	if (!gpucore_job_timeout_valid(job_timeout_ms)) {
		pr_err("gpucore: job_timeout_ms=%u is out of range %u-%u (or 0: never)\n",
		       job_timeout_ms, GPUCORE_JOB_TIMEOUT_MIN_MS, GPUCORE_JOB_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	if (fw_sched >= BIT(num_gpus)) {
		pr_err("gpucore: fw_sched=%#x names a GPU past num_gpus=%d\n", fw_sched, num_gpus);
		return -EINVAL;
	}
	gpucore_vram_mb = gpucore_vram_limit_mb(vram_mb);
	return 0;
}

/**
 * gpucore_num_gpus - how many emulated GPUs the module brought up
 *
 * Return: num_gpus as used; gpucore_gpu_get() of 0 up to it is never NULL
 * while the module is loaded. The GPUs of virtual devices follow them.
 */
u32 gpucore_num_gpus(void)
{
	return num_gpus;
}
EXPORT_SYMBOL_NS_GPL(gpucore_num_gpus, GPUCORE);

/**
 * gpucore_gpu_get - a GPU by its index
 * @index: 0 .. gpucore_num_gpus() - 1
 *
 * Return: the GPU, valid until the module unloads, or NULL.
 */
struct gpucore_gpu *gpucore_gpu_get(u32 index)
{
	return index < GPUCORE_MAX_GPUS ? READ_ONCE(gpucore_gpus[index]) : NULL;
}
EXPORT_SYMBOL_NS_GPL(gpucore_gpu_get, GPUCORE);

/**
 * gpucore_gpu_device - a GPU's device (platform device gpucore.N)
 * @gpu: the GPU
 *
 * Return: the device, bound to the gpucore platform driver; a front end
 * hangs its devices off it.
 */
struct device *gpucore_gpu_device(struct gpucore_gpu *gpu)
{
	return &gpu->pdev->dev;
}
EXPORT_SYMBOL_NS_GPL(gpucore_gpu_device, GPUCORE);

/**
 * gpucore_gpu_vram_size - a GPU's video memory
 * @gpu: the GPU
 *
 * Return: its size in bytes.
 */
u64 gpucore_gpu_vram_size(const struct gpucore_gpu *gpu)
{
	return gpu->vram_size;
}
EXPORT_SYMBOL_NS_GPL(gpucore_gpu_vram_size, GPUCORE);

/**
 * gpucore_gpu_num_engines - a GPU's engines of one class
 * @gpu: the GPU
 * @engine_class: GPUCORE_ENGINE_CLASS_*
 *
 * Return: how many engines of @engine_class it has.
 */
u32 gpucore_gpu_num_engines(const struct gpucore_gpu *gpu, u32 engine_class)
{
	u32 i, n = 0;

	for (i = 0; i < gpu->num_engines; i++)
		n += gpu->engines[i].engine_class == engine_class;
	return n;
}
EXPORT_SYMBOL_NS_GPL(gpucore_gpu_num_engines, GPUCORE);

/*
 * The GPUs' platform devices are bound to this driver, which does nothing
 * else: a bound device is what mdev names its parent's types after
 * (gpucore-...), as i915 is in i915-GVTg_*.
 */
static int gpucore_pdev_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver gpucore_pdriver = {
	.probe = gpucore_pdev_probe,
	.driver = {
		.name = "gpucore",
		.suppress_bind_attrs = true,
	},
};

/* Publish @gpu in the first free slot from @from; its id is chosen here. */
static struct gpucore_gpu *gpucore_gpu_publish(u32 from, const struct gpucore_gpu_desc *desc)
{
	struct gpucore_gpu *gpu = ERR_PTR(-ENOSPC);
	u32 id;

	mutex_lock(&gpucore_gpus_lock);
	for (id = from; id < GPUCORE_MAX_GPUS && gpucore_gpus[id]; id++)
		;
	if (id < GPUCORE_MAX_GPUS)
		gpu = gpucore_gpu_add(id, desc);
	if (!IS_ERR(gpu))
		WRITE_ONCE(gpucore_gpus[id], gpu);
	mutex_unlock(&gpucore_gpus_lock);
	return gpu;
}

static void gpucore_gpu_unpublish(struct gpucore_gpu *gpu)
{
	mutex_lock(&gpucore_gpus_lock);
	WRITE_ONCE(gpucore_gpus[gpu->id], NULL);
	gpucore_gpu_remove(gpu);
	mutex_unlock(&gpucore_gpus_lock);
}

/*
 * A gpucore virtual device: a GPU whose backend it is. Its GPU takes the
 * first free index after the emulated GPUs.
 */
static int gpucore_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct gpucore_gpu_desc desc = { };
	struct gpucore_gpu *gpu;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = gpucore_vdev_open(pdev, &desc);
	if (ret)
		return ret;
	gpu = gpucore_gpu_publish(num_gpus, &desc);
	if (IS_ERR(gpu)) {
		gpucore_vdev_close(pdev);
		return PTR_ERR(gpu);
	}
	pci_set_drvdata(pdev, gpu);
	dev_info(&pdev->dev, "gpu%u: %u compute + 1 copy engine(s), %llu MiB\n", gpu->id,
		 desc.num_compute, desc.vram_size >> 20);
	return 0;
}

static void gpucore_pci_remove(struct pci_dev *pdev)
{
	gpucore_gpu_unpublish(pci_get_drvdata(pdev));
	gpucore_vdev_close(pdev);
}

static struct pci_driver gpucore_pci_driver = {
	.name = "gpucore",
	.id_table = gpucore_pci_ids,
	.probe = gpucore_pci_probe,
	.remove = gpucore_pci_remove,
	.driver.suppress_bind_attrs = true,
};

static void gpucore_remove_all(void)
{
	int i;

	for (i = GPUCORE_MAX_GPUS - 1; i >= 0; i--) {
		if (!gpucore_gpus[i])
			continue;
		gpucore_gpu_unpublish(gpucore_gpus[i]);
	}
}

static int __init gpucore_init(void)
{
	struct gpucore_gpu *gpu;
	u32 i;
	int ret;

	ret = gpucore_check_params();
	if (ret)
		return ret;
	ret = gpucore_sched_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&gpucore_pdriver);
	if (ret)
		goto err_sched;
	gpucore_debugfs_root = debugfs_create_dir("gpucore", NULL);
	gpucore_fault_init(gpucore_debugfs_root);
	for (i = 0; i < num_gpus; i++) {
		gpu = gpucore_gpu_publish(i, &(struct gpucore_gpu_desc){
			.backend = fw_sched & BIT(i) ? &gpucore_emu_fw_backend :
				   &gpucore_emu_backend,
			.num_compute = num_compute,
			.vram_size = (u64)gpucore_vram_mb << 20,
		});
		if (IS_ERR(gpu)) {
			ret = PTR_ERR(gpu);
			pr_err("gpucore: cannot bring up gpu%u: %d\n", i, ret);
			goto err_remove;
		}
	}
	ret = gpucore_bpf_init(gpucore_debugfs_root);
	if (ret)
		goto err_remove;
	ret = gpucore_mon_init(gpucore_gpu_get);
	if (ret)
		goto err_bpf;
	ret = pci_register_driver(&gpucore_pci_driver);
	if (ret)
		goto err_bpf;
	pr_info("gpucore: %u emulated GPU(s), %u compute + 1 copy engine(s) each, %lu MiB, timeslice %u us, switch cost %u us, job timeout %u ms\n",
		num_gpus, num_compute, gpucore_vram_mb, timeslice_us, switch_cost_us,
		job_timeout_ms);
	return 0;

err_bpf:
	gpucore_bpf_exit();
err_remove:
	gpucore_remove_all();
	debugfs_remove_recursive(gpucore_debugfs_root);
	platform_driver_unregister(&gpucore_pdriver);
err_sched:
	gpucore_sched_exit();
	return ret;
}

static void __exit gpucore_exit(void)
{
	pci_unregister_driver(&gpucore_pci_driver);
	gpucore_bpf_exit();
	gpucore_remove_all();
	debugfs_remove_recursive(gpucore_debugfs_root);
	platform_driver_unregister(&gpucore_pdriver);
	/* Fences handed to others (sync files) must be gone before our code. */
	gpucore_sched_retire_flush();
	wait_var_event(&gpucore_live_jobs, !atomic_read(&gpucore_live_jobs));
	gpucore_sched_retire_flush();
	rcu_barrier();
	gpucore_sched_exit();
}

module_init(gpucore_init);
module_exit(gpucore_exit);

MODULE_AUTHOR("gpucore developers");
MODULE_DESCRIPTION("gpucore: emulated GPUs with programmable channel scheduling");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
