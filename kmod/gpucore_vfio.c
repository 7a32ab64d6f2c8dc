// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore_vfio: vGPUs for virtual machines, as VFIO mediated devices.
 */

/**
 * DOC: VFIO front end
 *
 * The second front end of the core, as its own module (gpucore_vfio.ko,
 * like i915's kvmgt.ko): loading it makes every gpucore GPU an mdev
 * parent. Its mdev types are vGPU profiles, a share of the GPU's memory
 * and a default weight each, like GVT-g's types. Creating a mediated
 * device (sysfs ``create`` or ``mdevctl start``) creates a vGPU on the
 * same core, named ``vfio-`` and the first 8 hex digits of the device's
 * UUID, with a sysfs link ``device`` to the mdev; its weight, cap and
 * class are changed like any other vGPU's, and its channels compete under
 * the same policy as the host's tenants. Removing the device destroys the
 * vGPU: its work in flight fails, nothing is leaked.
 *
 * The device a VM sees is described in include/uapi/gpucore_vdev.h: PCI
 * config space (emulated here, with an MSI capability) and BAR0's
 * registers, reached through the VFIO region read and write calls; the
 * interrupt is an eventfd set with VFIO_DEVICE_SET_IRQS.
 *
 * Everything from the VM is untrusted: a register access of the wrong
 * size or place reads as zero and is ignored when written, and no value
 * the VM writes is used before it is checked.
 *
 * Locking: each device's @lock serialises its register and config state
 * and its interrupt eventfd; each channel's @run_lock its ring's execution
 * (fetching, writing back, stopping), taken outside the device's @lock;
 * the parent's @lock its carve-out accounting.
 */

#include <linux/dma-fence.h>
#include <linux/eventfd.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mdev.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/vfio.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "gpucore_api.h"
#include "gpucore.h"
#include "gpucore_vdev.h"

#define GCV_CONFIG_SIZE		256
#define GCV_MSI_CAP		0x40
#define GCV_NUM_CHANNELS	8
/* Guest pages pinned for jobs in flight, per device: 64 MiB. */
#define GCV_MAX_PINNED		16384
#define GCV_MAX_XFER_PAGES	(GPUCORE_VDEV_MAX_XFER / GPUCORE_VDEV_PAGE_SIZE + 1)
#define GCV_INDEX_SHIFT		40
#define GCV_OFFSET_TO_INDEX(off)	((off) >> GCV_INDEX_SHIFT)
#define GCV_INDEX_TO_OFFSET(index)	((u64)(index) << GCV_INDEX_SHIFT)
#define GCV_OFFSET_MASK		(((u64)1 << GCV_INDEX_SHIFT) - 1)

/**
 * struct gcv_type - a vGPU profile: an mdev type
 * @type: the mdev type (sysfs name, pretty name)
 * @share: the profile's memory is 1/@share of the GPU's
 * @weight: the vGPU's weight when created
 */
struct gcv_type {
	struct mdev_type type;
	u32 share;
	u32 weight;
};

/*
 * The profiles, as GVT-g's i915-GVTg_V5_{8,4,2}: the mdev types
 * gpucore-vgpu8, gpucore-vgpu4 and gpucore-vgpu2.
 */
static const struct {
	const char *name;
	const char *pretty;
	u32 share;
	u32 weight;
} gcv_profiles[] = {
	{ "vgpu8", "vGPU 1/8", 8, 100 },
	{ "vgpu4", "vGPU 1/4", 4, 200 },
	{ "vgpu2", "vGPU 1/2", 2, 400 },
};

#define GCV_NR_TYPES	ARRAY_SIZE(gcv_profiles)

/**
 * struct gcv_parent - one GPU as an mdev parent
 * @parent: the mdev parent, on the GPU's device
 * @gpu: the GPU
 * @lock: protects @carved
 * @carved: memory of the GPU given to mediated devices' vGPUs
 * @types: the profiles
 * @type_ptrs: @types as mdev_register_parent() takes them
 */
struct gcv_parent {
	struct mdev_parent parent;
	struct gpucore_gpu *gpu;
	struct mutex lock;
	u64 carved;
	struct gcv_type types[GCV_NR_TYPES];
	struct mdev_type *type_ptrs[GCV_NR_TYPES];
};

struct gcv_dev;

/**
 * struct gcv_map - a guest buffer range pinned and mapped for one command
 * @iova: the IOVA of each page, to unpin it
 * @pages: the pinned pages
 * @npages: how many
 * @vaddr: their kernel mapping
 */
struct gcv_map {
	u64 *iova;
	struct page **pages;
	u32 npages;
	void *vaddr;
};

/**
 * struct gcv_job - a descriptor the device took from a ring
 * @node: on the channel's @inflight list, in ring order
 * @ch: the channel
 * @seqno: the descriptor's, written to the fence address when done
 * @fence: the host job's fence, or NULL if the descriptor was refused
 * @cb: @fence's callback
 * @done: @fence signalled (or there is none)
 * @error: GPUCORE_VDEV_ERR_* it failed with, 0 if none
 * @map: the pinned destination and source ranges
 */
struct gcv_job {
	struct list_head node;
	struct gcv_chan *ch;
	u64 seqno;
	struct dma_fence *fence;
	struct dma_fence_cb cb;
	bool done;
	u32 error;
	struct gcv_map map[2];
};

/**
 * struct gcv_chan - a device channel: its registers (gpucore_vdev.h) and
 *	the execution of its ring
 * @ring: RING_LO/HI
 * @ring_size: RING_SIZE
 * @engine: ENGINE
 * @fence: FENCE_LO/HI
 * @ctrl: CTRL
 * @head: HEAD
 * @tail: TAIL
 * @error: ERROR
 * @done: DONE_LO/HI
 * @dev: the device
 * @idx: its index
 * @run_lock: serialises fetching, completing and stopping
 * @host: the host channel its jobs run on, while enabled; under @run_lock
 * @inflight: jobs taken from the ring and not yet written back, in order
 * @fetch_work: reads descriptors HEAD..TAIL and submits them
 * @done_work: writes back completed jobs, in order
 */
struct gcv_chan {
	u64 ring;
	u32 ring_size;
	u32 engine;
	u64 fence;
	u32 ctrl;
	u32 head;
	u32 tail;
	u32 error;
	u64 done;
	struct gcv_dev *dev;
	u32 idx;
	struct mutex run_lock;
	struct gpucore_channel *host;
	struct list_head inflight;
	struct work_struct fetch_work;
	struct work_struct done_work;
};

/**
 * struct gcv_dev - a mediated device: one vGPU given to a VM
 * @vdev: the VFIO device
 * @parent: its GPU's parent
 * @type: its profile
 * @vgpu: the vGPU it drives
 * @mem: the memory carved out for it
 * @lock: protects everything below
 * @config: PCI config space
 * @bar0_sizing: the VM wrote all ones to BAR0 (it reads the size back)
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @msi: the MSI eventfd, or NULL
 * @pinned: guest pages pinned for jobs in flight (at most GCV_MAX_PINNED)
 * @ch: the channels
 */
struct gcv_dev {
	struct vfio_device vdev;
	struct gcv_parent *parent;
	struct gcv_type *type;
	struct gpucore_vgpu *vgpu;
	u64 mem;
	struct mutex lock;
	u8 config[GCV_CONFIG_SIZE];
	bool bar0_sizing;
	u32 irq_status;
	u32 irq_mask;
	struct eventfd_ctx *msi;
	atomic_t pinned;
	struct gcv_chan ch[GCV_NUM_CHANNELS];
};

static struct gcv_parent *gcv_parents[GPUCORE_MAX_GPUS];
static u32 gcv_nr_parents;

static struct gcv_parent *gcv_parent_of(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct gcv_parent, parent);
}

static u64 gcv_type_mem(struct gcv_parent *p, struct gcv_type *t)
{
	return gpucore_gpu_vram_size(p->gpu) / t->share;
}

/* ---- PCI config space ---------------------------------------------------- */

static void gcv_config_init(struct gcv_dev *d)
{
	u8 *c = d->config;

	memset(c, 0, sizeof(d->config));
	*(__le16 *)&c[PCI_VENDOR_ID] = cpu_to_le16(GPUCORE_VDEV_VENDOR);
	*(__le16 *)&c[PCI_DEVICE_ID] = cpu_to_le16(GPUCORE_VDEV_DEVICE);
	*(__le16 *)&c[PCI_STATUS] = cpu_to_le16(PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = GPUCORE_VDEV_VERSION;
	c[PCI_CLASS_PROG] = GPUCORE_VDEV_CLASS & 0xff;
	*(__le16 *)&c[PCI_CLASS_DEVICE] = cpu_to_le16(GPUCORE_VDEV_CLASS >> 8);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	*(__le32 *)&c[PCI_BASE_ADDRESS_0] = cpu_to_le32(PCI_BASE_ADDRESS_SPACE_MEMORY |
							PCI_BASE_ADDRESS_MEM_TYPE_32);
	*(__le16 *)&c[PCI_SUBSYSTEM_VENDOR_ID] = cpu_to_le16(GPUCORE_VDEV_VENDOR);
	*(__le16 *)&c[PCI_SUBSYSTEM_ID] = cpu_to_le16(GPUCORE_VDEV_DEVICE);
	c[PCI_CAPABILITY_LIST] = GCV_MSI_CAP;
	/* MSI: one vector, 64-bit addresses. */
	c[GCV_MSI_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	c[GCV_MSI_CAP + PCI_CAP_LIST_NEXT] = 0;
	*(__le16 *)&c[GCV_MSI_CAP + PCI_MSI_FLAGS] = cpu_to_le16(PCI_MSI_FLAGS_64BIT);
	d->bar0_sizing = false;
}

/*
 * A config write: only the command register, BAR0, and MSI's control,
 * address and data are writable; the rest is read-only.
 */
static void gcv_config_write(struct gcv_dev *d, u32 off, u32 val, u32 len)
{
	u8 *c = d->config;
	u16 v16;

	switch (off) {
	case PCI_COMMAND:
		if (len < 2)
			return;
		v16 = val & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
		*(__le16 *)&c[PCI_COMMAND] = cpu_to_le16(v16);
		return;
	case PCI_BASE_ADDRESS_0:
		if (len != 4)
			return;
		d->bar0_sizing = val == 0xffffffff;
		val &= ~(GPUCORE_VDEV_BAR0_SIZE - 1);
		*(__le32 *)&c[PCI_BASE_ADDRESS_0] = cpu_to_le32(val | PCI_BASE_ADDRESS_SPACE_MEMORY |
								PCI_BASE_ADDRESS_MEM_TYPE_32);
		return;
	case GCV_MSI_CAP + PCI_MSI_FLAGS:
		if (len < 2)
			return;
		v16 = le16_to_cpu(*(__le16 *)&c[off]) & ~PCI_MSI_FLAGS_ENABLE;
		v16 |= val & PCI_MSI_FLAGS_ENABLE;
		*(__le16 *)&c[off] = cpu_to_le16(v16);
		return;
	case GCV_MSI_CAP + PCI_MSI_ADDRESS_LO:
	case GCV_MSI_CAP + PCI_MSI_ADDRESS_HI:
	case GCV_MSI_CAP + PCI_MSI_DATA_64:
		if (len == 4 || (off == GCV_MSI_CAP + PCI_MSI_DATA_64 && len == 2))
			memcpy(&c[off], &val, len);
		return;
	}
}

static u32 gcv_config_read(struct gcv_dev *d, u32 off, u32 len)
{
	u32 val = 0;

	memcpy(&val, &d->config[off], len);
	if (off == PCI_BASE_ADDRESS_0 && d->bar0_sizing)
		val = ~(GPUCORE_VDEV_BAR0_SIZE - 1) | PCI_BASE_ADDRESS_SPACE_MEMORY |
		      PCI_BASE_ADDRESS_MEM_TYPE_32;
	return le32_to_cpu((__force __le32)val);
}

/* ---- BAR0 registers ------------------------------------------------------ */

static void gcv_raise(struct gcv_dev *d, u32 bits)
{
	d->irq_status |= bits;
	if (d->msi && (d->irq_status & ~d->irq_mask))
		eventfd_signal(d->msi);
}

/*
 * Registers back to their state after creation. The channels' execution
 * must have been stopped first (gcv_stop_all()).
 */
static void gcv_reset_locked(struct gcv_dev *d)
{
	u32 i;

	for (i = 0; i < GCV_NUM_CHANNELS; i++) {
		struct gcv_chan *ch = &d->ch[i];

		ch->ring = 0;
		ch->ring_size = 0;
		ch->engine = 0;
		ch->fence = 0;
		ch->ctrl = 0;
		ch->head = 0;
		ch->tail = 0;
		ch->error = 0;
		ch->done = 0;
	}
	d->irq_status = 0;
	d->irq_mask = 0;
}

static u32 gcv_engines(struct gcv_dev *d)
{
	struct gpucore_gpu *gpu = d->parent->gpu;

	return gpucore_gpu_num_engines(gpu, GPUCORE_ENGINE_CLASS_COMPUTE) |
	       gpucore_gpu_num_engines(gpu, GPUCORE_ENGINE_CLASS_COPY) << 8;
}

static u32 gcv_chan_read(struct gcv_chan *ch, u32 reg)
{
	switch (reg) {
	case GPUCORE_VCH_RING_LO:	return lower_32_bits(ch->ring);
	case GPUCORE_VCH_RING_HI:	return upper_32_bits(ch->ring);
	case GPUCORE_VCH_RING_SIZE:	return ch->ring_size;
	case GPUCORE_VCH_ENGINE:	return ch->engine;
	case GPUCORE_VCH_FENCE_LO:	return lower_32_bits(ch->fence);
	case GPUCORE_VCH_FENCE_HI:	return upper_32_bits(ch->fence);
	case GPUCORE_VCH_CTRL:		return ch->ctrl;
	case GPUCORE_VCH_HEAD:		return ch->head;
	case GPUCORE_VCH_TAIL:		return ch->tail;
	case GPUCORE_VCH_ERROR:		return ch->error;
	case GPUCORE_VCH_DONE_LO:	return lower_32_bits(ch->done);
	case GPUCORE_VCH_DONE_HI:	return upper_32_bits(ch->done);
	}
	return 0;
}

static u32 gcv_bar0_read(struct gcv_dev *d, u32 off)
{
	u64 mem = d->mem;

	if (off >= GPUCORE_VDEV_CH_BASE) {
		u32 n = (off - GPUCORE_VDEV_CH_BASE) / GPUCORE_VDEV_CH_STRIDE;

		if (n >= GCV_NUM_CHANNELS)
			return 0;
		return gcv_chan_read(&d->ch[n], (off - GPUCORE_VDEV_CH_BASE) % GPUCORE_VDEV_CH_STRIDE);
	}
	switch (off) {
	case GPUCORE_VREG_ID:		return GPUCORE_VDEV_ID_MAGIC;
	case GPUCORE_VREG_VERSION:	return GPUCORE_VDEV_VERSION;
	case GPUCORE_VREG_FEATURES:	return GPUCORE_VDEV_FEAT_MSI | GPUCORE_VDEV_FEAT_NOPREEMPT;
	case GPUCORE_VREG_ENGINES:	return gcv_engines(d);
	case GPUCORE_VREG_NUM_CHANNELS:	return GCV_NUM_CHANNELS;
	case GPUCORE_VREG_IRQ_STATUS:	return d->irq_status;
	case GPUCORE_VREG_IRQ_MASK:	return d->irq_mask;
	case GPUCORE_VREG_MEM_LO:	return lower_32_bits(mem);
	case GPUCORE_VREG_MEM_HI:	return upper_32_bits(mem);
	}
	return 0;
}

/* What a register write asks of the device, done once the lock is dropped. */
enum gcv_action {
	GCV_NONE,
	GCV_START,	/* a channel was enabled */
	GCV_STOP,	/* a channel was disabled */
	GCV_FETCH,	/* a doorbell */
	GCV_RESET,	/* the whole device */
};

/* A write to a channel's register; the ring and fence only while it is off. */
static enum gcv_action gcv_chan_write(struct gcv_chan *ch, u32 reg, u32 val)
{
	bool off = !(ch->ctrl & GPUCORE_VDEV_CTRL_ENABLE);

	switch (reg) {
	case GPUCORE_VCH_RING_LO:
		if (off)
			ch->ring = (ch->ring & ~0xffffffffULL) | val;
		break;
	case GPUCORE_VCH_RING_HI:
		if (off)
			ch->ring = (ch->ring & 0xffffffffULL) | (u64)val << 32;
		break;
	case GPUCORE_VCH_RING_SIZE:
		if (off)
			ch->ring_size = val;
		break;
	case GPUCORE_VCH_ENGINE:
		if (off)
			ch->engine = val;
		break;
	case GPUCORE_VCH_FENCE_LO:
		if (off)
			ch->fence = (ch->fence & ~0xffffffffULL) | val;
		break;
	case GPUCORE_VCH_FENCE_HI:
		if (off)
			ch->fence = (ch->fence & 0xffffffffULL) | (u64)val << 32;
		break;
	case GPUCORE_VCH_CTRL:
		val &= GPUCORE_VDEV_CTRL_ENABLE;
		if (val == ch->ctrl)
			break;
		ch->ctrl = val;
		if (!val)
			return GCV_STOP;
		ch->head = 0;
		ch->tail = 0;
		ch->error = 0;
		return GCV_START;
	case GPUCORE_VCH_TAIL:
		ch->tail = val;
		return off ? GCV_NONE : GCV_FETCH;
	}
	return GCV_NONE;
}

static enum gcv_action gcv_bar0_write(struct gcv_dev *d, u32 off, u32 val, u32 *chan)
{
	if (off >= GPUCORE_VDEV_CH_BASE) {
		u32 n = (off - GPUCORE_VDEV_CH_BASE) / GPUCORE_VDEV_CH_STRIDE;

		if (n >= GCV_NUM_CHANNELS)
			return GCV_NONE;
		*chan = n;
		return gcv_chan_write(&d->ch[n], (off - GPUCORE_VDEV_CH_BASE) %
				      GPUCORE_VDEV_CH_STRIDE, val);
	}
	switch (off) {
	case GPUCORE_VREG_IRQ_STATUS:
		d->irq_status &= ~val;
		break;
	case GPUCORE_VREG_IRQ_MASK:
		d->irq_mask = val;
		gcv_raise(d, 0);
		break;
	case GPUCORE_VREG_RESET:
		if (val == GPUCORE_VDEV_RESET_MAGIC)
			return GCV_RESET;
		break;
	}
	return GCV_NONE;
}

/* ---- VFIO region access -------------------------------------------------- */

/*
 * One access of @len (1, 2 or 4) bytes at @pos. Config space takes any
 * naturally aligned access; BAR0 only aligned 4-byte ones (others read
 * as zero and are ignored).
 */
static int gcv_access(struct gcv_dev *d, u64 pos, u32 *val, u32 len, bool write,
		      enum gcv_action *act, u32 *chan)
{
	u32 index = GCV_OFFSET_TO_INDEX(pos);
	u64 off = pos & GCV_OFFSET_MASK;

	if (off & (len - 1))
		return -EINVAL;
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		if (off + len > GCV_CONFIG_SIZE)
			return -EINVAL;
		if (write)
			gcv_config_write(d, off, *val, len);
		else
			*val = gcv_config_read(d, off, len);
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX:
		if (off + len > GPUCORE_VDEV_BAR0_SIZE)
			return -EINVAL;
		if (len != 4) {
			if (!write)
				*val = 0;
			return 0;
		}
		if (write)
			*act = gcv_bar0_write(d, off, *val, chan);
		else
			*val = gcv_bar0_read(d, off);
		return 0;
	}
	return -EINVAL;
}

/* The largest naturally aligned access of at most 4 bytes at @pos. */
static u32 gcv_chunk(u64 pos, size_t count)
{
	if (count >= 4 && !(pos & 3))
		return 4;
	if (count >= 2 && !(pos & 1))
		return 2;
	return 1;
}

static void gcv_act(struct gcv_dev *d, enum gcv_action act, u32 chan);

/*
 * Region reads and writes, split into naturally aligned accesses. A write
 * that starts or stops something does it once the lock is dropped, before
 * the call returns: the next access sees its effect.
 */
static ssize_t gcv_rw(struct gcv_dev *d, char __user *ubuf, size_t count, loff_t *ppos,
		      bool write)
{
	enum gcv_action act;
	size_t done = 0;
	u32 len, val, chan;
	int ret = 0;

	while (done < count) {
		len = gcv_chunk(*ppos + done, count - done);
		val = 0;
		act = GCV_NONE;
		if (write && copy_from_user(&val, ubuf + done, len)) {
			ret = -EFAULT;
			break;
		}
		mutex_lock(&d->lock);
		ret = gcv_access(d, *ppos + done, &val, len, write, &act, &chan);
		mutex_unlock(&d->lock);
		if (ret)
			break;
		gcv_act(d, act, chan);
		if (!write && copy_to_user(ubuf + done, &val, len)) {
			ret = -EFAULT;
			break;
		}
		done += len;
	}
	if (!done)
		return ret;
	*ppos += done;
	return done;
}

static ssize_t gcv_read(struct vfio_device *vdev, char __user *buf, size_t count, loff_t *ppos)
{
	return gcv_rw(container_of(vdev, struct gcv_dev, vdev), buf, count, ppos, false);
}

static ssize_t gcv_write(struct vfio_device *vdev, const char __user *buf, size_t count,
			 loff_t *ppos)
{
	return gcv_rw(container_of(vdev, struct gcv_dev, vdev), (char __user *)buf, count,
		      ppos, true);
}

/* ---- ring execution ------------------------------------------------------ */

static struct workqueue_struct *gcv_wq;

/* Record the first failure of @ch since it was enabled. */
static void gcv_chan_fail(struct gcv_chan *ch, u32 err)
{
	struct gcv_dev *d = ch->dev;

	mutex_lock(&d->lock);
	if (!ch->error)
		ch->error = err;
	mutex_unlock(&d->lock);
}

static void gcv_unmap(struct gcv_dev *d, struct gcv_map *m)
{
	u32 i;

	if (m->vaddr)
		vunmap(m->vaddr);
	for (i = 0; i < m->npages; i++)
		vfio_unpin_pages(&d->vdev, m->iova[i], 1);
	if (m->iova)
		atomic_sub(m->npages, &d->pinned);
	kvfree(m->pages);
	kvfree(m->iova);
	memset(m, 0, sizeof(*m));
}

/*
 * Pin and map bytes [@offset, @offset + @size) of the guest buffer whose
 * page list is at @list; *@ptr is set to the first byte. Returns 0,
 * -EAGAIN (the device's pinning budget is spent: retry once jobs
 * complete), or a GPUCORE_VDEV_ERR_* (> 0).
 */
static int gcv_map(struct gcv_dev *d, u64 list, u64 offset, u64 size, int prot,
		   struct gcv_map *m, void **ptr)
{
	u64 first = offset / GPUCORE_VDEV_PAGE_SIZE, n, at;
	u32 i;
	int ret;

	if (!size)
		return 0;
	n = (offset + size - 1) / GPUCORE_VDEV_PAGE_SIZE - first + 1;
	if (n > GCV_MAX_XFER_PAGES || check_add_overflow(list, first * sizeof(u64), &at))
		return GPUCORE_VDEV_ERR_DESC;
	if (atomic_add_return(n, &d->pinned) > GCV_MAX_PINNED) {
		atomic_sub(n, &d->pinned);
		return -EAGAIN;
	}
	m->iova = kvcalloc(n, sizeof(*m->iova), GFP_KERNEL);
	m->pages = kvcalloc(n, sizeof(*m->pages), GFP_KERNEL);
	if (!m->iova || !m->pages) {
		kvfree(m->iova);
		kvfree(m->pages);
		m->iova = NULL;
		m->pages = NULL;
		atomic_sub(n, &d->pinned);
		return -EAGAIN;
	}
	ret = GPUCORE_VDEV_ERR_DMA;
	if (vfio_dma_rw(&d->vdev, at, m->iova, n * sizeof(u64), false))
		goto err;
	for (i = 0; i < n; i++) {
		if (m->iova[i] % GPUCORE_VDEV_PAGE_SIZE)
			goto err;
		if (vfio_pin_pages(&d->vdev, m->iova[i], 1, prot, &m->pages[i]) != 1)
			goto err;
		m->npages++;
	}
	m->vaddr = vmap(m->pages, n, VM_MAP, PAGE_KERNEL);
	if (!m->vaddr)
		goto err;
	*ptr = m->vaddr + offset % GPUCORE_VDEV_PAGE_SIZE;
	return 0;

err:
	/* All n were counted; gcv_unmap() takes back what was pinned. */
	atomic_sub(n - m->npages, &d->pinned);
	gcv_unmap(d, m);
	return ret;
}

/* Device-level checks of a descriptor (the command itself: the core's). */
static bool gcv_desc_ok(const struct gpucore_vdev_desc *desc)
{
	if (desc->pad)
		return false;
	if (desc->op == GPUCORE_CMD_SPIN)
		return !desc->dst_pages && !desc->src_pages;
	return desc->size <= GPUCORE_VDEV_MAX_XFER;
}

/*
 * Turn @desc into a job on @ch's host channel and submit it. Returns 0,
 * -EAGAIN (out of a resource: retry later), or a GPUCORE_VDEV_ERR_*.
 */
static int gcv_submit(struct gcv_chan *ch, struct gcv_job *job,
		      const struct gpucore_vdev_desc *desc)
{
	struct gcv_dev *d = ch->dev;
	struct gpucore_kcmd c = {
		.op = desc->op, .flags = desc->flags, .value = desc->value, .size = desc->size,
	};
	struct gpucore_job *kjob;
	int ret;

	if (!gcv_desc_ok(desc))
		return GPUCORE_VDEV_ERR_DESC;
	if (desc->op == GPUCORE_CMD_FILL || desc->op == GPUCORE_CMD_COPY) {
		ret = gcv_map(d, desc->dst_pages, desc->dst_offset, desc->size,
			      IOMMU_READ | IOMMU_WRITE, &job->map[0], &c.dst);
		if (ret)
			return ret;
	}
	if (desc->op == GPUCORE_CMD_COPY) {
		ret = gcv_map(d, desc->src_pages, desc->src_offset, desc->size, IOMMU_READ,
			      &job->map[1], (void **)&c.src);
		if (ret)
			return ret;
	}
	kjob = gpucore_kjob_alloc(ch->host, 1);
	if (!kjob)
		return -EAGAIN;
	ret = gpucore_kjob_set_cmd(kjob, 0, &c);
	if (ret) {
		gpucore_kjob_free(kjob);
		return GPUCORE_VDEV_ERR_DESC;
	}
	ret = gpucore_kjob_submit(kjob, &job->fence);
	if (!ret)
		return 0;
	gpucore_kjob_free(kjob);
	if (ret == -EAGAIN || ret == -EDQUOT || ret == -ENOMEM)
		return -EAGAIN;
	return ret == -EIO ? GPUCORE_VDEV_ERR_HANG : GPUCORE_VDEV_ERR_CANCELED;
}

static void gcv_job_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct gcv_job *job = container_of(cb, struct gcv_job, cb);

	WRITE_ONCE(job->done, true);
	queue_work(gcv_wq, &job->ch->done_work);
}

/*
 * Take the descriptor at @iova. Returns 0 (taken: submitted or failed in
 * its turn), -EAGAIN (not taken: retry later) or -EFAULT (the ring cannot
 * be read).
 */
static int gcv_take(struct gcv_chan *ch, u64 iova)
{
	struct gpucore_vdev_desc desc;
	struct gcv_job *job;
	int ret;

	if (vfio_dma_rw(&ch->dev->vdev, iova, &desc, sizeof(desc), false))
		return -EFAULT;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -EAGAIN;
	job->ch = ch;
	job->seqno = desc.seqno;
	ret = gcv_submit(ch, job, &desc);
	if (ret < 0) {
		gcv_unmap(ch->dev, &job->map[0]);
		gcv_unmap(ch->dev, &job->map[1]);
		kfree(job);
		return ret;
	}
	list_add_tail(&job->node, &ch->inflight);
	if (ret) {
		gcv_unmap(ch->dev, &job->map[0]);
		gcv_unmap(ch->dev, &job->map[1]);
		job->error = ret;
		job->done = true;
		queue_work(gcv_wq, &ch->done_work);
	} else if (dma_fence_add_callback(job->fence, &job->cb, gcv_job_cb)) {
		job->done = true;
		queue_work(gcv_wq, &ch->done_work);
	}
	return 0;
}

/* Read descriptors HEAD..TAIL of an enabled channel and submit them. */
static void gcv_fetch_workfn(struct work_struct *work)
{
	struct gcv_chan *ch = container_of(work, struct gcv_chan, fetch_work);
	struct gcv_dev *d = ch->dev;
	u32 head, tail, size;
	u64 ring;
	int ret;

	mutex_lock(&ch->run_lock);
	while (ch->host) {
		mutex_lock(&d->lock);
		head = ch->head;
		tail = ch->tail;
		size = ch->ring_size;
		ring = ch->ring;
		if (tail >= size && !ch->error)
			ch->error = GPUCORE_VDEV_ERR_TAIL;
		mutex_unlock(&d->lock);
		if (tail >= size || head == tail)
			break;
		ret = gcv_take(ch, ring + (u64)head * GPUCORE_VDEV_DESC_SIZE);
		if (ret == -EFAULT)
			gcv_chan_fail(ch, GPUCORE_VDEV_ERR_RING);
		if (ret)
			break;
		mutex_lock(&d->lock);
		ch->head = (head + 1) % size;
		mutex_unlock(&d->lock);
	}
	mutex_unlock(&ch->run_lock);
}

/* The error a completed job reports: its own, or its host job's. */
static u32 gcv_job_error(const struct gcv_job *job)
{
	int status = job->fence ? dma_fence_get_status(job->fence) : 0;

	if (job->error)
		return job->error;
	if (status == -ETIMEDOUT || status == -EIO)
		return GPUCORE_VDEV_ERR_HANG;
	return status < 0 ? GPUCORE_VDEV_ERR_CANCELED : 0;
}

/* Write back one completed job: its seqno to the fence address, in order. */
static void gcv_complete(struct gcv_chan *ch, struct gcv_job *job, u64 fence)
{
	struct gcv_dev *d = ch->dev;
	u32 err = gcv_job_error(job);

	gcv_unmap(d, &job->map[0]);
	gcv_unmap(d, &job->map[1]);
	if (vfio_dma_rw(&d->vdev, fence, &job->seqno, sizeof(job->seqno), true) && !err)
		err = GPUCORE_VDEV_ERR_FENCE;
	mutex_lock(&d->lock);
	ch->done = job->seqno;
	if (err && !ch->error)
		ch->error = err;
	mutex_unlock(&d->lock);
	if (job->fence)
		dma_fence_put(job->fence);
	kfree(job);
}

static void gcv_done_workfn(struct work_struct *work)
{
	struct gcv_chan *ch = container_of(work, struct gcv_chan, done_work);
	struct gcv_dev *d = ch->dev;
	struct gcv_job *job;
	bool any = false;
	u64 fence;

	mutex_lock(&d->lock);
	fence = ch->fence;
	mutex_unlock(&d->lock);
	mutex_lock(&ch->run_lock);
	while ((job = list_first_entry_or_null(&ch->inflight, struct gcv_job, node)) &&
	       READ_ONCE(job->done)) {
		list_del(&job->node);
		gcv_complete(ch, job, fence);
		any = true;
	}
	mutex_unlock(&ch->run_lock);
	if (!any)
		return;
	mutex_lock(&d->lock);
	gcv_raise(d, BIT(ch->idx));
	mutex_unlock(&d->lock);
	/* Completions free resources a stalled fetch waits for. */
	queue_work(gcv_wq, &ch->fetch_work);
}

/*
 * An enabled channel: check its registers and give it a host channel of
 * its engine class. A channel that cannot start stays enabled with ERROR
 * set, processing nothing.
 */
static void gcv_chan_start(struct gcv_chan *ch)
{
	struct gcv_dev *d = ch->dev;
	struct gpucore_channel *host;
	char name[16];
	u32 err = 0;

	mutex_lock(&d->lock);
	if (ch->ring % GPUCORE_VDEV_DESC_SIZE || ch->ring_size < 2 ||
	    ch->ring_size > GPUCORE_VDEV_RING_MAX || !is_power_of_2(ch->ring_size) ||
	    ch->fence % sizeof(u64))
		err = GPUCORE_VDEV_ERR_RING;
	else if (ch->engine >= GPUCORE_ENGINE_CLASS_COUNT)
		err = GPUCORE_VDEV_ERR_DESC;
	mutex_unlock(&d->lock);
	if (err)
		return gcv_chan_fail(ch, err);
	snprintf(name, sizeof(name), "vfio-ch%u", ch->idx);
	host = gpucore_kchannel_create(d->vgpu, ch->engine, name);
	if (IS_ERR(host))
		return gcv_chan_fail(ch, GPUCORE_VDEV_ERR_QUOTA);
	mutex_lock(&ch->run_lock);
	ch->host = host;
	mutex_unlock(&ch->run_lock);
	queue_work(gcv_wq, &ch->fetch_work);
}

/*
 * Stop a channel's execution: its host channel is destroyed, failing the
 * jobs in flight, and every job taken from the ring is written back and
 * unpinned before this returns.
 */
static void gcv_chan_stop(struct gcv_chan *ch)
{
	struct gpucore_channel *host;

	mutex_lock(&ch->run_lock);
	host = ch->host;
	ch->host = NULL;
	mutex_unlock(&ch->run_lock);
	if (host)
		gpucore_kchannel_destroy(host);
	/* Every host job has signalled: its callback queued the write-back. */
	flush_work(&ch->done_work);
	cancel_work_sync(&ch->fetch_work);
}

static void gcv_stop_all(struct gcv_dev *d)
{
	u32 i;

	for (i = 0; i < GCV_NUM_CHANNELS; i++)
		gcv_chan_stop(&d->ch[i]);
}

/* The device's reset: every channel stopped, the registers as new. */
static void gcv_device_reset(struct gcv_dev *d)
{
	gcv_stop_all(d);
	mutex_lock(&d->lock);
	gcv_reset_locked(d);
	mutex_unlock(&d->lock);
}

static void gcv_act(struct gcv_dev *d, enum gcv_action act, u32 chan)
{
	switch (act) {
	case GCV_NONE:
		break;
	case GCV_START:
		gcv_chan_start(&d->ch[chan]);
		break;
	case GCV_STOP:
		gcv_chan_stop(&d->ch[chan]);
		break;
	case GCV_FETCH:
		queue_work(gcv_wq, &d->ch[chan].fetch_work);
		break;
	case GCV_RESET:
		gcv_device_reset(d);
		break;
	}
}

/* Whether a job of @ch has a page of [@iova, @iova + @len) pinned. */
static bool gcv_chan_pins(struct gcv_chan *ch, u64 iova, u64 len)
{
	struct gcv_job *job;
	u32 k, i;

	list_for_each_entry(job, &ch->inflight, node)
		for (k = 0; k < 2; k++)
			for (i = 0; i < job->map[k].npages; i++)
				if (job->map[k].iova[i] < iova + len &&
				    job->map[k].iova[i] + GPUCORE_VDEV_PAGE_SIZE > iova)
					return true;
	return false;
}

/*
 * vfio_device_ops.dma_unmap: the VMM unmaps guest memory. Every channel
 * with a page of it pinned is stopped (its jobs fail, ERROR is
 * GPUCORE_VDEV_ERR_DMA) and so unpins it, before this returns, as VFIO
 * requires.
 */
static void gcv_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);
	struct gcv_chan *ch;
	bool pins;
	u32 i;

	for (i = 0; i < GCV_NUM_CHANNELS; i++) {
		ch = &d->ch[i];
		mutex_lock(&ch->run_lock);
		pins = gcv_chan_pins(ch, iova, length);
		mutex_unlock(&ch->run_lock);
		if (!pins)
			continue;
		gcv_chan_fail(ch, GPUCORE_VDEV_ERR_DMA);
		gcv_chan_stop(ch);
	}
}

/* ---- VFIO ioctls --------------------------------------------------------- */

static int gcv_ioctl_device_info(unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static int gcv_ioctl_region_info(unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info.offset = GCV_INDEX_TO_OFFSET(info.index);
	info.flags = 0;
	info.size = 0;
	if (info.index == VFIO_PCI_CONFIG_REGION_INDEX)
		info.size = GCV_CONFIG_SIZE;
	else if (info.index == VFIO_PCI_BAR0_REGION_INDEX)
		info.size = GPUCORE_VDEV_BAR0_SIZE;
	if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static int gcv_ioctl_irq_info(unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.flags = 0;
	info.count = 0;
	if (info.index == VFIO_PCI_MSI_IRQ_INDEX) {
		info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		info.count = 1;
	}
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

/* MSI's trigger: an eventfd (-1 or DATA_NONE with count 0: none). */
static int gcv_set_msi(struct gcv_dev *d, const struct vfio_irq_set *hdr, const s32 *fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (!(hdr->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
		return -EINVAL;
	if ((hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_NONE) {
		if (hdr->count)
			return -EINVAL;
	} else if ((hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD) {
		if (*fd >= 0) {
			ctx = eventfd_ctx_fdget(*fd);
			if (IS_ERR(ctx))
				return PTR_ERR(ctx);
		}
	} else {
		return -EINVAL;
	}
	mutex_lock(&d->lock);
	if (d->msi)
		eventfd_ctx_put(d->msi);
	d->msi = ctx;
	mutex_unlock(&d->lock);
	return 0;
}

static int gcv_ioctl_set_irqs(struct gcv_dev *d, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	s32 *data = NULL;
	int ret;

	if (copy_from_user(&hdr, (void __user *)arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, VFIO_PCI_NUM_IRQS, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	if (hdr.index != VFIO_PCI_MSI_IRQ_INDEX || hdr.start || hdr.count > 1)
		return -EINVAL;
	if (data_size) {
		data = memdup_user((void __user *)(arg + minsz), data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	ret = gcv_set_msi(d, &hdr, data);
	kfree(data);
	return ret;
}

static int gcv_reset(struct gcv_dev *d)
{
	gcv_device_reset(d);
	return 0;
}

static long gcv_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return gcv_ioctl_device_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return gcv_ioctl_region_info(arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return gcv_ioctl_irq_info(arg);
	case VFIO_DEVICE_SET_IRQS:
		return gcv_ioctl_set_irqs(d, arg);
	case VFIO_DEVICE_RESET:
		return gcv_reset(d);
	}
	return -ENOTTY;
}

/* ---- the device's life --------------------------------------------------- */

static int gcv_open(struct vfio_device *vdev)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);

	mutex_lock(&d->lock);
	gcv_config_init(d);
	gcv_reset_locked(d);
	mutex_unlock(&d->lock);
	return 0;
}

/* The VMM closed the device: stop everything, drop the interrupt. */
static void gcv_close(struct vfio_device *vdev)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);

	gcv_stop_all(d);
	mutex_lock(&d->lock);
	gcv_reset_locked(d);
	if (d->msi)
		eventfd_ctx_put(d->msi);
	d->msi = NULL;
	mutex_unlock(&d->lock);
}

/* Carve the profile's memory out of the parent, or fail with -ENOSPC. */
static int gcv_carve(struct gcv_parent *p, u64 mem)
{
	int ret = 0;

	mutex_lock(&p->lock);
	if (p->carved + mem > gpucore_gpu_vram_size(p->gpu))
		ret = -ENOSPC;
	else
		p->carved += mem;
	mutex_unlock(&p->lock);
	return ret;
}

static void gcv_uncarve(struct gcv_parent *p, u64 mem)
{
	mutex_lock(&p->lock);
	p->carved -= mem;
	mutex_unlock(&p->lock);
}

/* vfio_device_ops.init: carve the memory and create the vGPU. */
static int gcv_init_dev(struct vfio_device *vdev)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct gcv_type *t = container_of(mdev->type, struct gcv_type, type);
	struct gcv_parent *p = gcv_parent_of(mdev->type);
	struct gpucore_vgpu_params params = { .weight = t->weight };
	char name[GPUCORE_NAME_LEN], uuid[UUID_STRING_LEN + 1];
	u32 i;
	int ret;

	mutex_init(&d->lock);
	for (i = 0; i < GCV_NUM_CHANNELS; i++) {
		struct gcv_chan *ch = &d->ch[i];

		ch->dev = d;
		ch->idx = i;
		mutex_init(&ch->run_lock);
		INIT_LIST_HEAD(&ch->inflight);
		INIT_WORK(&ch->fetch_work, gcv_fetch_workfn);
		INIT_WORK(&ch->done_work, gcv_done_workfn);
	}
	d->parent = p;
	d->type = t;
	d->mem = gcv_type_mem(p, t);
	ret = gcv_carve(p, d->mem);
	if (ret)
		return ret;
	params.mem_quota = d->mem;
	snprintf(uuid, sizeof(uuid), "%pUl", &mdev->uuid);
	snprintf(name, sizeof(name), "vfio-%.8s", uuid);
	d->vgpu = gpucore_vgpu_create(p->gpu, name, &params);
	if (IS_ERR(d->vgpu)) {
		ret = PTR_ERR(d->vgpu);
		goto err_uncarve;
	}
	ret = gpucore_vgpu_set_device(d->vgpu, &mdev->dev);
	if (ret)
		goto err_vgpu;
	return 0;

err_vgpu:
	gpucore_vgpu_remove(d->vgpu);
err_uncarve:
	gcv_uncarve(p, d->mem);
	return ret;
}

/* vfio_device_ops.release: the last reference: destroy the vGPU. */
static void gcv_release_dev(struct vfio_device *vdev)
{
	struct gcv_dev *d = container_of(vdev, struct gcv_dev, vdev);

	gpucore_vgpu_remove(d->vgpu);
	gcv_uncarve(d->parent, d->mem);
	mutex_destroy(&d->lock);
}

static const struct vfio_device_ops gcv_dev_ops = {
	.name = "gpucore-vfio",
	.init = gcv_init_dev,
	.release = gcv_release_dev,
	.open_device = gcv_open,
	.close_device = gcv_close,
	.read = gcv_read,
	.write = gcv_write,
	.ioctl = gcv_ioctl,
	.dma_unmap = gcv_dma_unmap,
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
};

static int gcv_probe(struct mdev_device *mdev)
{
	struct gcv_dev *d;
	int ret;

	d = vfio_alloc_device(gcv_dev, vdev, &mdev->dev, &gcv_dev_ops);
	if (IS_ERR(d))
		return PTR_ERR(d);
	ret = vfio_register_emulated_iommu_dev(&d->vdev);
	if (ret) {
		vfio_put_device(&d->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, d);
	return 0;
}

static void gcv_remove(struct mdev_device *mdev)
{
	struct gcv_dev *d = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&d->vdev);
	vfio_put_device(&d->vdev);
}

/* As many more of @mtype as the memory not yet carved out holds. */
static unsigned int gcv_get_available(struct mdev_type *mtype)
{
	struct gcv_type *t = container_of(mtype, struct gcv_type, type);
	struct gcv_parent *p = gcv_parent_of(mtype);
	u64 mem = gcv_type_mem(p, t), left;

	mutex_lock(&p->lock);
	left = gpucore_gpu_vram_size(p->gpu) - p->carved;
	mutex_unlock(&p->lock);
	return div64_u64(left, mem);
}

static ssize_t gcv_show_description(struct mdev_type *mtype, char *buf)
{
	struct gcv_type *t = container_of(mtype, struct gcv_type, type);
	struct gcv_parent *p = gcv_parent_of(mtype);

	return sysfs_emit(buf, "memory %llu MiB (1/%u of the GPU), weight %u, %u channels\n",
			  gcv_type_mem(p, t) >> 20, t->share, t->weight, GCV_NUM_CHANNELS);
}

static struct mdev_driver gcv_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "gpucore_vfio",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = gcv_probe,
	.remove = gcv_remove,
	.get_available = gcv_get_available,
	.show_description = gcv_show_description,
};

/* ---- module -------------------------------------------------------------- */

static struct gcv_parent *gcv_parent_add(struct gpucore_gpu *gpu)
{
	struct gcv_parent *p = kzalloc(sizeof(*p), GFP_KERNEL);
	u32 i;
	int ret;

	if (!p)
		return ERR_PTR(-ENOMEM);
	p->gpu = gpu;
	mutex_init(&p->lock);
	for (i = 0; i < GCV_NR_TYPES; i++) {
		p->types[i].type.sysfs_name = gcv_profiles[i].name;
		p->types[i].type.pretty_name = gcv_profiles[i].pretty;
		p->types[i].share = gcv_profiles[i].share;
		p->types[i].weight = gcv_profiles[i].weight;
		p->type_ptrs[i] = &p->types[i].type;
	}
	ret = mdev_register_parent(&p->parent, gpucore_gpu_device(gpu), &gcv_driver,
				   p->type_ptrs, GCV_NR_TYPES);
	if (ret) {
		kfree(p);
		return ERR_PTR(ret);
	}
	return p;
}

static void gcv_parents_remove(void)
{
	while (gcv_nr_parents) {
		struct gcv_parent *p = gcv_parents[--gcv_nr_parents];

		mdev_unregister_parent(&p->parent);
		kfree(p);
	}
}

static int __init gcv_init(void)
{
	struct gcv_parent *p;
	u32 i, n = gpucore_num_gpus();
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != GPUCORE_VDEV_PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct gpucore_vdev_desc) != GPUCORE_VDEV_DESC_SIZE);
	gcv_wq = alloc_workqueue("gpucore_vfio", WQ_UNBOUND, 0);
	if (!gcv_wq)
		return -ENOMEM;
	ret = mdev_register_driver(&gcv_driver);
	if (ret)
		goto err_wq;
	for (i = 0; i < n; i++) {
		p = gcv_parent_add(gpucore_gpu_get(i));
		if (IS_ERR(p)) {
			ret = PTR_ERR(p);
			goto err;
		}
		gcv_parents[gcv_nr_parents++] = p;
	}
	return 0;

err:
	gcv_parents_remove();
	mdev_unregister_driver(&gcv_driver);
err_wq:
	destroy_workqueue(gcv_wq);
	return ret;
}

static void __exit gcv_exit(void)
{
	gcv_parents_remove();
	mdev_unregister_driver(&gcv_driver);
	destroy_workqueue(gcv_wq);
}

module_init(gcv_init);
module_exit(gcv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gpucore vGPUs for virtual machines (VFIO mediated devices)");
MODULE_IMPORT_NS(GPUCORE);
