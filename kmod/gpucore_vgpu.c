// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore vGPUs: tenants of a physical GPU, administered through sysfs.
 */

/**
 * DOC: vGPUs and their sysfs interface
 *
 * A vGPU is a partition of a physical GPU with a scheduling weight
 * (1..GPUCORE_VGPU_WEIGHT_MAX, default GPUCORE_VGPU_WEIGHT_DEFAULT), an
 * optional cap (percent of engine time, 0 = none), limits
 * on what it may take of the GPU's shared pools (video memory, channels,
 * pending jobs) and a name. Each vGPU has its own DRM device, so its render
 * node's file permissions decide who may submit as that tenant; channels
 * opened through a vGPU's node belong to it. The GPU's own device is the
 * host tenant, vGPU 0, named "host", which cannot be destroyed.
 *
 * Each vGPU, the host tenant too, is a platform device
 * ``gpucore.N.vgpuID`` under its GPU's, the parent of its DRM device,
 * with the attributes ``gpu``, ``vgpu_id`` and ``vgpu_name`` and the
 * uevent variables GPUCORE_GPU, GPUCORE_VGPU_ID and GPUCORE_VGPU_NAME,
 * for udev rules; with ``owner``, ``group`` and ``mode`` (empty, or as
 * vgpu_create was given them; uevent GPUCORE_OWNER, GPUCORE_GROUP and
 * GPUCORE_MODE), which udev/73-gpucore.rules applies to its nodes, taking
 * the seat and uaccess tags off every tenant's but the host tenant's.
 * libdrm lists it as a platform device named so, its
 * card and render node paired, and udev's path_id gives it its own
 * ``/dev/dri/by-path/platform-gpucore.N.vgpuID-render``.
 *
 * On each GPU's platform device (/sys/bus/platform/devices/gpucore.N/):
 *
 * - ``vgpu_create`` (write): ``NAME [weight=W] [cap=PCT] [mem=SIZE]
 *   [channels=N] [jobs=N] [class=batch|interactive] [owner=UID]
 *   [group=GID] [mode=OCTAL]``; NAME is 1 to
 *   GPUCORE_NAME_LEN - 1 letters, digits, '_', '-' or '.', not starting
 *   with '.' (gpucore_name_valid()); SIZE takes K/M/G suffixes, the
 *   default quota is the GPU's video memory, the default class batch;
 *   channels and jobs set the limits below.
 * - ``vgpu_destroy`` (write): ``NAME``. In-flight jobs of the vGPU's
 *   channels are failed with -ECANCELED (their fences signal), later
 *   ioctls on its open files fail with -ENODEV. A vGPU a front end owns
 *   (a mediated device's, see gpucore_api.h) is refused with -EBUSY: its
 *   directory links to the owner's ``device``, which is removed instead.
 * - ``vgpus/NAME/``: ``id``, ``name``, ``weight`` (rw), ``cap`` (rw),
 *   ``class`` (rw: batch or interactive, a hint for latency-aware
 *   policies), ``mem_quota`` (rw), ``mem_used``, ``busy_ns``, ``jobs``, ``failed``,
 *   ``channels``, ``max_channels`` (rw), ``pending``, ``max_jobs`` (rw),
 *   ``render_node`` (e.g. renderD129), ``card_node``.
 *
 * Limits: a vGPU holds at most ``max_channels`` channels (1..
 * GPUCORE_MAX_CHANNELS, default GPUCORE_VGPU_CHANNELS_DEFAULT: an equal
 * share of the GPU's channels for each of the GPUCORE_MAX_VGPUS it can
 * have, the host tenant included) and at most ``max_jobs`` jobs
 * ``pending`` (submitted, not completed) over all of its channels (1..
 * GPUCORE_VGPU_JOBS_MAX, default GPUCORE_VGPU_JOBS_DEFAULT).
 * Past them CHANNEL_CREATE and SUBMIT fail with -EDQUOT for that vGPU
 * only. They may change at any time: a limit lowered below current use
 * refuses more but destroys nothing. Limits whose sum exceeds what the GPU
 * has overcommit it: tenants may then meet the GPU-wide limits (-EMFILE,
 * -ENOSPC) instead.
 *
 * Writes fail with -EINVAL for malformed input or values out of range (a
 * quota or limit of 0 among them), -EEXIST for a duplicate name, -ENOSPC
 * past GPUCORE_MAX_VGPUS, -ENOENT for an unknown name and -EBUSY for the
 * host tenant.
 */

#include <linux/ctype.h>
#include <linux/cred.h>
#include <linux/dma-mapping.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <drm/drm_drv.h>

#include "gpucore_priv.h"
#include "gpucore_trace.h"

#define to_vgpu(k) container_of(k, struct gpucore_vgpu, kobj)

static atomic64_t gpucore_vgpu_uids = ATOMIC64_INIT(0);

static void gpucore_vgpu_release(struct kobject *kobj)
{
	kfree(to_vgpu(kobj));
}

/**
 * gpucore_vgpu_engine_busy_locked - engine time a vGPU used on one engine
 * @vgpu: the vGPU
 * @i: the engine's index in its GPU
 *
 * Includes the execution step in progress if one of its channels runs there.
 *
 * Context: the GPU lock held.
 * Return: nanoseconds.
 */
u64 gpucore_vgpu_engine_busy_locked(struct gpucore_vgpu *vgpu, u32 i)
{
	struct gpucore_engine *e = &vgpu->gpu->engines[i];
	u64 busy = vgpu->busy_ns[i];

	lockdep_assert_held(&vgpu->gpu->lock);
	if (e->cur && e->cur->vgpu == vgpu)
		busy += gpucore_sched_inflight(e);
	return busy;
}

/**
 * gpucore_vgpu_busy_locked - engine time a vGPU used, summed over engines
 * @vgpu: the vGPU
 *
 * Includes the execution steps in progress on its channels.
 *
 * Context: the GPU lock held.
 * Return: nanoseconds.
 */
u64 gpucore_vgpu_busy_locked(struct gpucore_vgpu *vgpu)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < vgpu->gpu->num_engines; i++)
		sum += gpucore_vgpu_engine_busy_locked(vgpu, i);
	return sum;
}

static u64 gpucore_vgpu_busy(struct gpucore_vgpu *vgpu)
{
	u64 sum;

	spin_lock_irq(&vgpu->gpu->lock);
	sum = gpucore_vgpu_busy_locked(vgpu);
	spin_unlock_irq(&vgpu->gpu->lock);
	return sum;
}

struct gpucore_vgpu_attr {
	struct attribute attr;
	ssize_t (*show)(struct gpucore_vgpu *vgpu, char *buf);
	ssize_t (*store)(struct gpucore_vgpu *vgpu, const char *buf, size_t len);
};

#define VGPU_ATTR_RO(_name) \
	static struct gpucore_vgpu_attr vgpu_attr_##_name = __ATTR_RO(_name)
#define VGPU_ATTR_RW(_name) \
	static struct gpucore_vgpu_attr vgpu_attr_##_name = __ATTR_RW(_name)

static ssize_t id_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", vgpu->id);
}

static ssize_t name_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%s\n", vgpu->name);
}

static ssize_t weight_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->weight));
}

/* Set a scheduling parameter and tell the policy, under the GPU lock. */
static void gpucore_vgpu_set(struct gpucore_vgpu *vgpu, u32 *field, u32 v)
{
	spin_lock_irq(&vgpu->gpu->lock);
	WRITE_ONCE(*field, v);
	gpucore_policy_vgpu_update(vgpu);
	gpucore_sched_unlock_irq(vgpu->gpu);
	trace_gpucore_vgpu_update(vgpu);
}

static ssize_t weight_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	u32 v;

	if (kstrtou32(buf, 0, &v) || v < 1 || v > GPUCORE_VGPU_WEIGHT_MAX)
		return -EINVAL;
	gpucore_vgpu_set(vgpu, &vgpu->weight, v);
	return len;
}

static const char * const gpucore_class_names[] = {
	[GPUCORE_CLASS_BATCH] = "batch",
	[GPUCORE_CLASS_INTERACTIVE] = "interactive",
};

static int gpucore_class_parse(const char *s)
{
	return sysfs_match_string(gpucore_class_names, s);
}

static ssize_t class_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%s\n", gpucore_class_names[READ_ONCE(vgpu->sched_class)]);
}

static ssize_t class_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	int c = gpucore_class_parse(buf);

	if (c < 0)
		return -EINVAL;
	gpucore_vgpu_set(vgpu, &vgpu->sched_class, c);
	return len;
}

static ssize_t cap_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->cap));
}

static ssize_t cap_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	u32 v;

	if (kstrtou32(buf, 0, &v) || v > GPUCORE_VGPU_CAP_MAX)
		return -EINVAL;
	gpucore_vgpu_set(vgpu, &vgpu->cap, v);
	return len;
}

static ssize_t mem_quota_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(vgpu->mem_quota));
}

static int gpucore_parse_size(const char *s, u64 *out)
{
	char *end;
	u64 v = memparse(s, &end);

	if (end == s || (*end && !isspace(*end)))
		return -EINVAL;
	*out = v;
	return 0;
}

static ssize_t mem_quota_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	u64 v;

	if (gpucore_parse_size(buf, &v) || !v || v > vgpu->gpu->vram_size)
		return -EINVAL;
	WRITE_ONCE(vgpu->mem_quota, v);
	trace_gpucore_vgpu_update(vgpu);
	return len;
}

/* A limit of @max or less, not 0: 0 or -EINVAL. */
static int gpucore_parse_limit(const char *s, u32 max, u32 *out)
{
	u32 v;

	if (kstrtou32(s, 0, &v) || !v || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Set a limit; checked against use under the GPU lock, so no lock here. */
static ssize_t gpucore_limit_store(struct gpucore_vgpu *vgpu, u32 *field, u32 max,
				   const char *buf, size_t len)
{
	u32 v;

	if (gpucore_parse_limit(buf, max, &v))
		return -EINVAL;
	WRITE_ONCE(*field, v);
	trace_gpucore_vgpu_update(vgpu);
	return len;
}

static ssize_t max_channels_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->max_channels));
}

static ssize_t max_channels_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	return gpucore_limit_store(vgpu, &vgpu->max_channels, GPUCORE_MAX_CHANNELS, buf, len);
}

static ssize_t max_jobs_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->max_jobs));
}

static ssize_t max_jobs_store(struct gpucore_vgpu *vgpu, const char *buf, size_t len)
{
	return gpucore_limit_store(vgpu, &vgpu->max_jobs, GPUCORE_VGPU_JOBS_MAX, buf, len);
}

static ssize_t pending_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->nr_jobs));
}

static ssize_t mem_used_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&vgpu->mem_used));
}

static ssize_t busy_ns_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%llu\n", gpucore_vgpu_busy(vgpu));
}

static ssize_t jobs_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(vgpu->jobs_completed));
}

static ssize_t failed_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(vgpu->jobs_failed));
}

static ssize_t resets_show(struct gpucore_vgpu *vgpu, char *buf)
{
	u64 v;

	spin_lock_irq(&vgpu->gpu->lock);
	v = vgpu->resets;
	spin_unlock_irq(&vgpu->gpu->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t channels_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->nr_channels));
}

static ssize_t render_node_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "renderD%d\n", vgpu->drm->render->index);
}

static ssize_t card_node_show(struct gpucore_vgpu *vgpu, char *buf)
{
	return sysfs_emit(buf, "card%d\n", vgpu->drm->primary->index);
}

VGPU_ATTR_RO(id);
VGPU_ATTR_RO(name);
VGPU_ATTR_RW(weight);
VGPU_ATTR_RW(cap);
VGPU_ATTR_RW(class);
VGPU_ATTR_RW(mem_quota);
VGPU_ATTR_RO(mem_used);
VGPU_ATTR_RO(busy_ns);
VGPU_ATTR_RO(jobs);
VGPU_ATTR_RO(failed);
VGPU_ATTR_RO(resets);
VGPU_ATTR_RO(channels);
VGPU_ATTR_RW(max_channels);
VGPU_ATTR_RO(pending);
VGPU_ATTR_RW(max_jobs);
VGPU_ATTR_RO(render_node);
VGPU_ATTR_RO(card_node);

static struct attribute *gpucore_vgpu_attrs[] = {
	&vgpu_attr_id.attr,
	&vgpu_attr_name.attr,
	&vgpu_attr_weight.attr,
	&vgpu_attr_class.attr,
	&vgpu_attr_cap.attr,
	&vgpu_attr_mem_quota.attr,
	&vgpu_attr_mem_used.attr,
	&vgpu_attr_busy_ns.attr,
	&vgpu_attr_jobs.attr,
	&vgpu_attr_failed.attr,
	&vgpu_attr_resets.attr,
	&vgpu_attr_channels.attr,
	&vgpu_attr_max_channels.attr,
	&vgpu_attr_pending.attr,
	&vgpu_attr_max_jobs.attr,
	&vgpu_attr_render_node.attr,
	&vgpu_attr_card_node.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gpucore_vgpu);

static ssize_t gpucore_vgpu_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct gpucore_vgpu_attr *a = container_of(attr, struct gpucore_vgpu_attr, attr);

	return a->show ? a->show(to_vgpu(kobj), buf) : -EIO;
}

static ssize_t gpucore_vgpu_attr_store(struct kobject *kobj, struct attribute *attr,
				       const char *buf, size_t len)
{
	struct gpucore_vgpu_attr *a = container_of(attr, struct gpucore_vgpu_attr, attr);

	return a->store ? a->store(to_vgpu(kobj), buf, len) : -EIO;
}

static const struct sysfs_ops gpucore_vgpu_sysfs_ops = {
	.show = gpucore_vgpu_attr_show,
	.store = gpucore_vgpu_attr_store,
};

static const struct kobj_type gpucore_vgpu_ktype = {
	.release = gpucore_vgpu_release,
	.sysfs_ops = &gpucore_vgpu_sysfs_ops,
	.default_groups = gpucore_vgpu_groups,
};

static struct gpucore_vgpu *gpucore_vgpu_find(struct gpucore_gpu *gpu, const char *name)
{
	struct gpucore_vgpu *vgpu;
	unsigned long id;

	lockdep_assert_held(&gpu->vgpu_lock);
	xa_for_each(&gpu->vgpus, id, vgpu)
		if (!strcmp(vgpu->name, name))
			return vgpu;
	return NULL;
}

/* What a vGPU's device says of it: fixed for the device's life. */
struct gpucore_vgpu_devinfo {
	u32 gpu;
	u32 id;
	char name[GPUCORE_NAME_LEN];
	struct gpucore_vgpu_nodes nodes;
};

static const struct gpucore_vgpu_devinfo *gpucore_vgpu_devinfo(const struct device *dev)
{
	return dev_get_platdata(dev);
}

static ssize_t gpu_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gpucore_vgpu_devinfo(dev)->gpu);
}
static DEVICE_ATTR_RO(gpu);

static ssize_t vgpu_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gpucore_vgpu_devinfo(dev)->id);
}
static DEVICE_ATTR_RO(vgpu_id);

static ssize_t vgpu_name_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", gpucore_vgpu_devinfo(dev)->name);
}
static DEVICE_ATTR_RO(vgpu_name);

/* One of the nodes' owner, group and mode, or an empty line if not given. */
static ssize_t gpucore_nodes_emit(struct device *dev, char *buf, u32 bit, const char *fmt, u32 v)
{
	if (!(gpucore_vgpu_devinfo(dev)->nodes.set & bit))
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, fmt, v);
}

static ssize_t owner_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return gpucore_nodes_emit(dev, buf, GPUCORE_NODES_OWNER, "%u\n",
				  gpucore_vgpu_devinfo(dev)->nodes.owner);
}
static DEVICE_ATTR_RO(owner);

static ssize_t group_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return gpucore_nodes_emit(dev, buf, GPUCORE_NODES_GROUP, "%u\n",
				  gpucore_vgpu_devinfo(dev)->nodes.group);
}
static DEVICE_ATTR_RO(group);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return gpucore_nodes_emit(dev, buf, GPUCORE_NODES_MODE, "%04o\n",
				  gpucore_vgpu_devinfo(dev)->nodes.mode);
}
static DEVICE_ATTR_RO(mode);

static struct attribute *gpucore_vgpu_dev_attrs[] = {
	&dev_attr_gpu.attr,
	&dev_attr_vgpu_id.attr,
	&dev_attr_vgpu_name.attr,
	&dev_attr_owner.attr,
	&dev_attr_group.attr,
	&dev_attr_mode.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gpucore_vgpu_dev);

/*
 * The same, for udev rules: GPUCORE_GPU, GPUCORE_VGPU_ID, GPUCORE_VGPU_NAME,
 * and GPUCORE_OWNER, GPUCORE_GROUP, GPUCORE_MODE when given.
 */
static int gpucore_vgpu_dev_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	const struct gpucore_vgpu_devinfo *info = gpucore_vgpu_devinfo(dev);
	const struct gpucore_vgpu_nodes *n = &info->nodes;
	int ret;

	ret = add_uevent_var(env, "GPUCORE_GPU=%u", info->gpu) ?:
	      add_uevent_var(env, "GPUCORE_VGPU_ID=%u", info->id) ?:
	      add_uevent_var(env, "GPUCORE_VGPU_NAME=%s", info->name);
	if (!ret && (n->set & GPUCORE_NODES_OWNER))
		ret = add_uevent_var(env, "GPUCORE_OWNER=%u", n->owner);
	if (!ret && (n->set & GPUCORE_NODES_GROUP))
		ret = add_uevent_var(env, "GPUCORE_GROUP=%u", n->group);
	if (!ret && (n->set & GPUCORE_NODES_MODE))
		ret = add_uevent_var(env, "GPUCORE_MODE=%04o", n->mode);
	return ret;
}

static const struct device_type gpucore_vgpu_dev_type = {
	.name = "gpucore_vgpu",
	.groups = gpucore_vgpu_dev_groups,
	.uevent = gpucore_vgpu_dev_uevent,
};

/*
 * The vGPU's own device, the parent of its DRM device: a platform device
 * under the GPU's, named gpucore.<gpu>.vgpu<id>. A device on a bus with a
 * name of its own is what libdrm enumerates (drmGetDevices2() reads a
 * platform device's MODALIAS, and folds devices whose names are equal)
 * and what udev's path_id gives its own by-path link. No driver binds
 * it. Its DMA mask is the CPU's: the engines reach buffers through the
 * kernel mapping, and importers of an exported buffer map it for
 * themselves.
 */
static int gpucore_vgpu_add_dev(struct gpucore_vgpu *vgpu,
				const struct gpucore_vgpu_nodes *nodes)
{
	struct gpucore_vgpu_devinfo info = {
		.gpu = vgpu->gpu->id, .id = vgpu->id, .nodes = *nodes,
	};
	struct platform_device *pdev;
	char name[48];
	int ret;

	strscpy(info.name, vgpu->name, sizeof(info.name));
	snprintf(name, sizeof(name), "%s.vgpu%u", dev_name(&vgpu->gpu->pdev->dev), vgpu->id);
	pdev = gpucore_fail_ptr(platform_device_alloc(name, PLATFORM_DEVID_NONE));
	if (!pdev)
		return -ENOMEM;
	pdev->dev.parent = &vgpu->gpu->pdev->dev;
	pdev->dev.type = &gpucore_vgpu_dev_type;
	ret = platform_device_add_data(pdev, &info, sizeof(info));
	if (ret)
		goto err_put;
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_put;
	ret = gpucore_fail_int(platform_device_add(pdev));
	if (ret)
		goto err_put;
	vgpu->dev = &pdev->dev;
	return 0;

err_put:
	platform_device_put(pdev);
	return ret;
}

/* Remove the vGPU's device; its DRM device holds it until released. */
static void gpucore_vgpu_del_dev(struct gpucore_vgpu *vgpu)
{
	platform_device_unregister(to_platform_device(vgpu->dev));
	vgpu->dev = NULL;
}

/*
 * Drop what gpucore_vgpu_add_drm() made: after drm_dev_unplug(), or when
 * registration failed.
 */
static void gpucore_vgpu_put_drm(struct gpucore_vgpu *vgpu)
{
	drm_dev_put(vgpu->drm);
	vgpu->drm = NULL;
	gpucore_vgpu_del_dev(vgpu);
}

/* The vGPU's device and its DRM device; 0 or a negative errno. */
static int gpucore_vgpu_add_drm(struct gpucore_vgpu *vgpu,
				const struct gpucore_vgpu_nodes *nodes)
{
	struct drm_device *drm;
	int ret;

	ret = gpucore_vgpu_add_dev(vgpu, nodes);
	if (ret)
		return ret;
	drm = gpucore_fail_errptr(drm_dev_alloc(&gpucore_drm_driver, vgpu->dev));
	if (IS_ERR(drm)) {
		ret = PTR_ERR(drm);
		goto err_dev;
	}
	/* The DRM device holds a vGPU reference, dropped by drm release. */
	gpucore_vgpu_get(vgpu);
	drm->dev_private = vgpu;
	vgpu->drm = drm;
	ret = gpucore_fail_int(drm_dev_register(drm, 0));
	if (ret)
		gpucore_vgpu_put_drm(vgpu);
	return ret;

err_dev:
	gpucore_vgpu_del_dev(vgpu);
	return ret;
}

static bool gpucore_vgpu_params_valid(struct gpucore_gpu *gpu,
				      const struct gpucore_vgpu_params *p)
{
	return p->weight >= 1 && p->weight <= GPUCORE_VGPU_WEIGHT_MAX &&
	       p->cap <= GPUCORE_VGPU_CAP_MAX &&
	       p->sched_class <= GPUCORE_CLASS_INTERACTIVE &&
	       p->max_channels <= GPUCORE_MAX_CHANNELS &&
	       p->max_jobs <= GPUCORE_VGPU_JOBS_MAX && p->mem_quota <= gpu->vram_size;
}

/**
 * gpucore_vgpu_create - create a vGPU and its DRM device
 * @gpu: the GPU
 * @name: unique name (letters, digits, '_', '-', '.'; under 32 bytes)
 * @p: its parameters and limits (0: the default, see the struct)
 *
 * Context: process context; takes gpu->vgpu_lock.
 * Return: the vGPU, or an ERR_PTR: -EINVAL, -EEXIST, -ENOSPC, -ENOMEM.
 */
struct gpucore_vgpu *gpucore_vgpu_create(struct gpucore_gpu *gpu, const char *name,
					 const struct gpucore_vgpu_params *p)
{
	struct gpucore_vgpu *vgpu;
	int ret;

	if (!gpucore_name_valid(name, GPUCORE_NAME_LEN) || !gpucore_vgpu_params_valid(gpu, p))
		return ERR_PTR(-EINVAL);

	mutex_lock(&gpu->vgpu_lock);
	if (gpucore_vgpu_find(gpu, name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	vgpu = gpucore_fail_ptr(kzalloc(sizeof(*vgpu), GFP_KERNEL));
	if (!vgpu) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	kobject_init(&vgpu->kobj, &gpucore_vgpu_ktype);
	vgpu->gpu = gpu;
	vgpu->gpu_id = gpu->id;
	vgpu->uid = atomic64_inc_return(&gpucore_vgpu_uids);
	strscpy(vgpu->name, name, sizeof(vgpu->name));
	vgpu->weight = p->weight;
	vgpu->cap = p->cap;
	vgpu->sched_class = p->sched_class;
	vgpu->mem_quota = p->mem_quota ?: gpu->vram_size;
	vgpu->max_channels = p->max_channels ?: GPUCORE_VGPU_CHANNELS_DEFAULT;
	vgpu->max_jobs = p->max_jobs ?: GPUCORE_VGPU_JOBS_DEFAULT;
	INIT_LIST_HEAD(&vgpu->channels);

	ret = gpucore_fail_int(xa_alloc(&gpu->vgpus, &vgpu->id, vgpu,
					XA_LIMIT(0, GPUCORE_MAX_VGPUS - 1), GFP_KERNEL));
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_put;
	}
	ret = gpucore_vgpu_add_drm(vgpu, &p->nodes);
	if (ret)
		goto err_erase;
	ret = kobject_add(&vgpu->kobj, gpu->vgpus_kobj, "%s", name);
	if (ret)
		goto err_drm;
	spin_lock_irq(&gpu->lock);
	gpucore_policy_vgpu_init(vgpu);
	gpucore_sched_unlock_irq(gpu);
	mutex_unlock(&gpu->vgpu_lock);
	trace_gpucore_vgpu_create(vgpu);
	return vgpu;

err_drm:
	drm_dev_unplug(vgpu->drm);
	gpucore_vgpu_put_drm(vgpu);
err_erase:
	xa_erase(&gpu->vgpus, vgpu->id);
err_put:
	gpucore_vgpu_put(vgpu);
err_unlock:
	mutex_unlock(&gpu->vgpu_lock);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(gpucore_vgpu_create, GPUCORE);

/* Destroy every channel of a dead vGPU. */
static void gpucore_vgpu_kill_channels(struct gpucore_vgpu *vgpu)
{
	struct gpucore_gpu *gpu = vgpu->gpu;
	struct gpucore_channel *ch;

	spin_lock_irq(&gpu->lock);
	vgpu->dead = true;
	while ((ch = list_first_entry_or_null(&vgpu->channels, struct gpucore_channel,
					      vgpu_node))) {
		kref_get(&ch->ref);
		spin_unlock_irq(&gpu->lock);
		gpucore_channel_destroy(ch);
		gpucore_channel_put(ch);
		spin_lock_irq(&gpu->lock);
	}
	gpucore_policy_vgpu_exit(vgpu);
	gpucore_sched_unlock_irq(gpu);
}

/* Tear down a vGPU; the caller holds gpu->vgpu_lock. */
static void gpucore_vgpu_teardown(struct gpucore_vgpu *vgpu)
{
	struct gpucore_gpu *gpu = vgpu->gpu;

	lockdep_assert_held(&gpu->vgpu_lock);
	xa_erase(&gpu->vgpus, vgpu->id);
	/* No new opens or ioctls; waits for ioctls inside drm_dev_enter(). */
	drm_dev_unplug(vgpu->drm);
	gpucore_vgpu_kill_channels(vgpu);
	trace_gpucore_vgpu_destroy(vgpu);
	kobject_del(&vgpu->kobj);
	gpucore_vgpu_put_drm(vgpu);
	gpucore_vgpu_put(vgpu);
}

/**
 * gpucore_vgpu_destroy - destroy a vGPU for its administrator
 * @vgpu: the vGPU; the caller holds gpu->vgpu_lock
 *
 * Return: 0, or -EBUSY for the host tenant and for a vGPU a front end owns
 * (its owner removes it: gpucore_vgpu_remove()).
 */
int gpucore_vgpu_destroy(struct gpucore_vgpu *vgpu)
{
	if (vgpu == vgpu->gpu->host || vgpu->frontend)
		return -EBUSY;
	gpucore_vgpu_teardown(vgpu);
	return 0;
}

/*
 * Make @dev the owner of @vgpu, unless a host process has its DRM device
 * open: from then on opens are refused (gpucore_open()). The open counts
 * itself before it looks, the claim sets the owner before it counts: one
 * of the two sees the other.
 */
static int gpucore_vgpu_claim(struct gpucore_vgpu *vgpu, struct device *dev)
{
	WRITE_ONCE(vgpu->frontend, dev);
	smp_mb();
	if (!atomic_read(&vgpu->drm->open_count))
		return 0;
	WRITE_ONCE(vgpu->frontend, NULL);
	sysfs_remove_link(&vgpu->kobj, "device");
	return -EBUSY;
}

/**
 * gpucore_vgpu_set_device - make a vGPU a front end's own
 * @vgpu: a vGPU from gpucore_vgpu_create()
 * @dev: the front end's device for it (a mediated device, say): the vGPU's
 *	sysfs directory gets a link ``device`` to it
 *
 * From then on the vGPU cannot be destroyed through sysfs, and its DRM
 * device refuses to be opened (-EPERM): its owner alone submits its work,
 * and removes it with gpucore_vgpu_remove() before @dev goes away.
 *
 * Context: process context.
 * Return: 0, -EBUSY if it has an owner already or its DRM device is open,
 * or the error of creating the link.
 */
int gpucore_vgpu_set_device(struct gpucore_vgpu *vgpu, struct device *dev)
{
	struct gpucore_gpu *gpu = vgpu->gpu;
	int ret = -EBUSY;

	mutex_lock(&gpu->vgpu_lock);
	if (!vgpu->frontend && vgpu != gpu->host) {
		ret = sysfs_create_link(&vgpu->kobj, &dev->kobj, "device");
		if (!ret)
			ret = gpucore_vgpu_claim(vgpu, dev);
	}
	mutex_unlock(&gpu->vgpu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gpucore_vgpu_set_device, GPUCORE);

/**
 * gpucore_vgpu_remove - destroy a vGPU a front end created
 * @vgpu: the vGPU; gone when this returns
 *
 * As a vGPU destroyed through sysfs: its channels are destroyed, their
 * jobs in flight fail with -ECANCELED, its DRM device is unplugged.
 *
 * Context: process context; may sleep.
 */
void gpucore_vgpu_remove(struct gpucore_vgpu *vgpu)
{
	struct gpucore_gpu *gpu = vgpu->gpu;

	mutex_lock(&gpu->vgpu_lock);
	if (vgpu->frontend)
		sysfs_remove_link(&vgpu->kobj, "device");
	gpucore_vgpu_teardown(vgpu);
	mutex_unlock(&gpu->vgpu_lock);
}
EXPORT_SYMBOL_NS_GPL(gpucore_vgpu_remove, GPUCORE);

/**
 * gpucore_vgpu_destroy_all - destroy every vGPU of a GPU, the host last
 * @gpu: the GPU (being removed)
 */
void gpucore_vgpu_destroy_all(struct gpucore_gpu *gpu)
{
	struct gpucore_vgpu *vgpu;
	unsigned long id;

	mutex_lock(&gpu->vgpu_lock);
	xa_for_each(&gpu->vgpus, id, vgpu)
		if (vgpu != gpu->host)
			gpucore_vgpu_teardown(vgpu);
	if (gpu->host)
		gpucore_vgpu_teardown(gpu->host);
	gpu->host = NULL;
	mutex_unlock(&gpu->vgpu_lock);
}

/* A uid or gid of the caller's user namespace, as the initial one numbers it. */
static int gpucore_parse_id(const char *s, bool gid, struct gpucore_vgpu_nodes *n)
{
	u32 v;

	if (kstrtou32(s, 10, &v))
		return -EINVAL;
	if (gid) {
		kgid_t k = make_kgid(current_user_ns(), v);

		if (!gid_valid(k))
			return -EINVAL;
		n->group = from_kgid(&init_user_ns, k);
		n->set |= GPUCORE_NODES_GROUP;
	} else {
		kuid_t k = make_kuid(current_user_ns(), v);

		if (!uid_valid(k))
			return -EINVAL;
		n->owner = from_kuid(&init_user_ns, k);
		n->set |= GPUCORE_NODES_OWNER;
	}
	return 0;
}

/* Permission bits, in octal, 0..0777. */
static int gpucore_parse_mode(const char *s, struct gpucore_vgpu_nodes *n)
{
	if (kstrtou32(s, 8, &n->mode) || n->mode > 0777)
		return -EINVAL;
	n->set |= GPUCORE_NODES_MODE;
	return 0;
}

/* Parse one KEY=VALUE option of vgpu_create into @p: 0 or -EINVAL. */
static int gpucore_vgpu_parse_opt(char *tok, struct gpucore_vgpu_params *p)
{
	char *key = strsep(&tok, "=");
	int c;

	if (!tok)
		return -EINVAL;
	if (!strcmp(key, "weight"))
		return kstrtou32(tok, 0, &p->weight) ? -EINVAL : 0;
	if (!strcmp(key, "cap"))
		return kstrtou32(tok, 0, &p->cap) ? -EINVAL : 0;
	if (!strcmp(key, "class")) {
		c = gpucore_class_parse(tok);
		if (c < 0)
			return -EINVAL;
		p->sched_class = c;
		return 0;
	}
	if (!strcmp(key, "mem"))
		return gpucore_parse_size(tok, &p->mem_quota) || !p->mem_quota ? -EINVAL : 0;
	if (!strcmp(key, "channels"))
		return gpucore_parse_limit(tok, GPUCORE_MAX_CHANNELS, &p->max_channels);
	if (!strcmp(key, "jobs"))
		return gpucore_parse_limit(tok, GPUCORE_VGPU_JOBS_MAX, &p->max_jobs);
	if (!strcmp(key, "owner") || !strcmp(key, "group"))
		return gpucore_parse_id(tok, key[0] == 'g', &p->nodes);
	if (!strcmp(key, "mode"))
		return gpucore_parse_mode(tok, &p->nodes);
	return -EINVAL;
}

/* Parse "NAME [KEY=VALUE]..." (see the DOC above) and create the vGPU. */
static int gpucore_vgpu_create_parse(struct gpucore_gpu *gpu, char *s)
{
	struct gpucore_vgpu_params p = {
		.weight = GPUCORE_VGPU_WEIGHT_DEFAULT,
		.sched_class = GPUCORE_CLASS_BATCH,
	};
	char *name = NULL, *tok;
	int ret;

	while ((tok = strsep(&s, " \t\n"))) {
		if (!*tok)
			continue;
		if (!name) {
			name = tok;
			continue;
		}
		ret = gpucore_vgpu_parse_opt(tok, &p);
		if (ret)
			return ret;
	}
	if (!name || !strcmp(name, "host"))
		return name ? -EEXIST : -EINVAL;
	return PTR_ERR_OR_ZERO(gpucore_vgpu_create(gpu, name, &p));
}

static ssize_t vgpu_create_store(struct device *dev, struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct gpucore_gpu *gpu = dev_get_drvdata(dev);
	char *s;
	int ret;

	s = kstrndup(buf, len, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	ret = gpucore_vgpu_create_parse(gpu, s);
	kfree(s);
	return ret ?: len;
}
static DEVICE_ATTR_WO(vgpu_create);

static ssize_t vgpu_destroy_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct gpucore_gpu *gpu = dev_get_drvdata(dev);
	struct gpucore_vgpu *vgpu;
	char name[GPUCORE_NAME_LEN];
	int ret;

	if (len >= sizeof(name))
		return -EINVAL;
	strscpy(name, buf, min(len + 1, sizeof(name)));
	strim(name);
	mutex_lock(&gpu->vgpu_lock);
	vgpu = gpucore_vgpu_find(gpu, name);
	ret = vgpu ? gpucore_vgpu_destroy(vgpu) : -ENOENT;
	mutex_unlock(&gpu->vgpu_lock);
	return ret ?: len;
}
static DEVICE_ATTR_WO(vgpu_destroy);

static struct attribute *gpucore_vgpu_admin_attrs[] = {
	&dev_attr_vgpu_create.attr,
	&dev_attr_vgpu_destroy.attr,
	NULL,
};

static const struct attribute_group gpucore_vgpu_admin_group = {
	.attrs = gpucore_vgpu_admin_attrs,
};

/**
 * gpucore_vgpu_sysfs_init - add the GPU's vGPU administration files
 * @gpu: the GPU, its platform device registered
 *
 * Return: 0 or a negative errno.
 */
int gpucore_vgpu_sysfs_init(struct gpucore_gpu *gpu)
{
	int ret;

	gpu->vgpus_kobj = kobject_create_and_add("vgpus", &gpu->pdev->dev.kobj);
	if (!gpu->vgpus_kobj)
		return -ENOMEM;
	ret = gpucore_fail_int(sysfs_create_group(&gpu->pdev->dev.kobj, &gpucore_vgpu_admin_group));
	if (ret) {
		kobject_put(gpu->vgpus_kobj);
		gpu->vgpus_kobj = NULL;
	}
	return ret;
}

/**
 * gpucore_vgpu_sysfs_fini - remove the GPU's vGPU administration files
 * @gpu: the GPU
 *
 * Called before the vGPUs are destroyed, so no write races with removal.
 */
void gpucore_vgpu_sysfs_fini(struct gpucore_gpu *gpu)
{
	sysfs_remove_group(&gpu->pdev->dev.kobj, &gpucore_vgpu_admin_group);
}

/**
 * gpucore_vgpu_sysfs_put - drop the vgpus directory, after the vGPUs
 * @gpu: the GPU
 */
void gpucore_vgpu_sysfs_put(struct gpucore_gpu *gpu)
{
	kobject_put(gpu->vgpus_kobj);
	gpu->vgpus_kobj = NULL;
}
