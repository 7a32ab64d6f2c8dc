/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gpucore_vdev.h: the gpucore virtual device, as a virtual machine sees
 * it. A vGPU given to a VM through VFIO (gpucore_vfio.ko on the host) is
 * a PCI function with one memory BAR of registers; the guest's driver
 * (gpucore.ko in the VM, or any program that drives the device through
 * VFIO) programs channels whose rings of job descriptors live in the VM's
 * memory. This header is the whole contract between the two sides.
 *
 * PCI: vendor GPUCORE_VDEV_VENDOR, device GPUCORE_VDEV_DEVICE, class
 * GPUCORE_VDEV_CLASS (3D controller), BAR0 a 32-bit non-prefetchable
 * memory BAR of GPUCORE_VDEV_BAR0_SIZE bytes, one MSI vector (and INTx).
 * Registers are little-endian 32-bit, accessed with aligned 4-byte reads
 * and writes; other accesses read as zero and are ignored when written.
 *
 * Global registers (offsets in BAR0):
 *
 *   ID            RO  GPUCORE_VDEV_ID_MAGIC
 *   VERSION       RO  GPUCORE_VDEV_VERSION
 *   FEATURES      RO  GPUCORE_VDEV_FEAT_* bits
 *   ENGINES       RO  engines per class: bits 0-7 compute, 8-15 copy
 *   NUM_CHANNELS  RO  channels this device has (at most
 *                     GPUCORE_VDEV_MAX_CHANNELS)
 *   IRQ_STATUS    RW1C a bit per channel that completed work or failed;
 *                     write 1s to clear them
 *   IRQ_MASK      RW  a bit per channel: 1 raises no interrupt
 *   RESET         WO  GPUCORE_VDEV_RESET_MAGIC resets the device: every
 *                     channel is disabled, its jobs in flight fail (their
 *                     seqnos written, as for a disabled channel's), the
 *                     registers return to their initial values; done when
 *                     the write returns
 *   MEM_LO/HI     RO  the vGPU's memory quota in bytes
 *
 * Channel N's registers start at GPUCORE_VDEV_CH_BASE + N *
 * GPUCORE_VDEV_CH_STRIDE:
 *
 *   RING_LO/HI    RW  IOVA of the ring (GPUCORE_VDEV_DESC_SIZE aligned);
 *                     read only while the channel is enabled
 *   RING_SIZE     RW  descriptors in the ring: a power of two, 2 to
 *                     GPUCORE_VDEV_RING_MAX
 *   ENGINE        RW  engine class the channel runs on
 *                     (GPUCORE_ENGINE_CLASS_COMPUTE or _COPY)
 *   FENCE_LO/HI   RW  IOVA of a u64 the device writes each completed
 *                     job's seqno to, in order (8-byte aligned)
 *   CTRL          RW  GPUCORE_VDEV_CTRL_ENABLE: the device checks the
 *                     registers above and starts reading the ring at
 *                     HEAD 0; clearing it stops the channel, failing the
 *                     jobs in flight
 *   HEAD          RO  index of the next descriptor the device reads
 *   TAIL          RW  the doorbell: the driver writes the index after its
 *                     last descriptor; descriptors HEAD..TAIL-1 (modulo
 *                     RING_SIZE) are the device's
 *   ERROR         RO  GPUCORE_VDEV_ERR_* of the first failure since the
 *                     channel was enabled, 0 if none
 *   DONE_LO/HI    RO  the last completed seqno
 *
 * Jobs complete in ring order. A descriptor the device rejects (unknown
 * op or flags, a length or address it cannot use, a buffer outside what
 * the VM mapped for DMA) fails that job: its seqno is still written, in
 * its turn, ERROR records why, and the channel goes on with the next. A
 * COPY whose source and destination overlap leaves the destination's
 * contents undefined. A bad ring (address, size) or a TAIL
 * past the ring leaves the channel in error, processing nothing until it
 * is disabled and enabled again.
 */
#ifndef _UAPI_GPUCORE_VDEV_H_
#define _UAPI_GPUCORE_VDEV_H_

#include <linux/types.h>

#define GPUCORE_VDEV_VENDOR		0x1234
#define GPUCORE_VDEV_DEVICE		0x67c0
#define GPUCORE_VDEV_CLASS		0x030200
#define GPUCORE_VDEV_BAR0_SIZE		0x4000

#define GPUCORE_VDEV_ID_MAGIC		0x44564347	/* "GCVD" */
#define GPUCORE_VDEV_VERSION		1
#define GPUCORE_VDEV_RESET_MAGIC	0x52534554	/* "TESR" */

/* FEATURES */
#define GPUCORE_VDEV_FEAT_MSI		(1u << 0)
#define GPUCORE_VDEV_FEAT_NOPREEMPT	(1u << 1)

/* Global registers */
#define GPUCORE_VREG_ID			0x000
#define GPUCORE_VREG_VERSION		0x004
#define GPUCORE_VREG_FEATURES		0x008
#define GPUCORE_VREG_ENGINES		0x00c
#define GPUCORE_VREG_NUM_CHANNELS	0x010
#define GPUCORE_VREG_IRQ_STATUS		0x014
#define GPUCORE_VREG_IRQ_MASK		0x018
#define GPUCORE_VREG_RESET		0x01c
#define GPUCORE_VREG_MEM_LO		0x020
#define GPUCORE_VREG_MEM_HI		0x024

/* Channel registers */
#define GPUCORE_VDEV_MAX_CHANNELS	32
#define GPUCORE_VDEV_CH_BASE		0x1000
#define GPUCORE_VDEV_CH_STRIDE		0x40
#define GPUCORE_VDEV_CH(n, reg)		(GPUCORE_VDEV_CH_BASE + (n) * GPUCORE_VDEV_CH_STRIDE + (reg))

#define GPUCORE_VCH_RING_LO		0x00
#define GPUCORE_VCH_RING_HI		0x04
#define GPUCORE_VCH_RING_SIZE		0x08
#define GPUCORE_VCH_ENGINE		0x0c
#define GPUCORE_VCH_FENCE_LO		0x10
#define GPUCORE_VCH_FENCE_HI		0x14
#define GPUCORE_VCH_CTRL		0x18
#define GPUCORE_VCH_HEAD		0x1c
#define GPUCORE_VCH_TAIL		0x20
#define GPUCORE_VCH_ERROR		0x24
#define GPUCORE_VCH_DONE_LO		0x28
#define GPUCORE_VCH_DONE_HI		0x2c

#define GPUCORE_VDEV_CTRL_ENABLE	(1u << 0)
#define GPUCORE_VDEV_RING_MAX		4096

/* ERROR */
#define GPUCORE_VDEV_ERR_RING		1	/* bad ring address or size */
#define GPUCORE_VDEV_ERR_TAIL		2	/* TAIL outside the ring */
#define GPUCORE_VDEV_ERR_DESC		3	/* unknown op or flags, bad length */
#define GPUCORE_VDEV_ERR_DMA		4	/* an address the VM did not map */
#define GPUCORE_VDEV_ERR_FENCE		5	/* the fence address is not mapped */
#define GPUCORE_VDEV_ERR_HANG		6	/* a job ran past the job timeout */
#define GPUCORE_VDEV_ERR_QUOTA		7	/* over the vGPU's limits */
#define GPUCORE_VDEV_ERR_CANCELED	8	/* the channel was disabled or reset */

/* The largest FILL or COPY of one descriptor, in bytes. */
#define GPUCORE_VDEV_MAX_XFER		(4u << 20)

/**
 * struct gpucore_vdev_desc - one job of a channel's ring
 * @op: GPUCORE_CMD_SPIN, _FILL or _COPY (include/uapi/gpucore.h)
 * @flags: GPUCORE_CMD_NOPREEMPT for a SPIN; other bits are rejected
 * @seqno: written to the channel's fence address when the job completes
 * @size: SPIN: nanoseconds (as GPUCORE_CMD_SPIN); FILL, COPY: bytes, a
 *	multiple of 4, at most GPUCORE_VDEV_MAX_XFER
 * @value: FILL: the 32-bit pattern
 * @pad: zero
 * @dst_pages: FILL, COPY: IOVA of the destination's page list, an array
 *	of u64 page-aligned IOVAs, one per 4 KiB page of the buffer
 * @dst_offset: byte offset of the range within the destination buffer
 * @src_pages: COPY: IOVA of the source's page list
 * @src_offset: byte offset within the source buffer
 */
struct gpucore_vdev_desc {
	__u32 op;
	__u32 flags;
	__u64 seqno;
	__u64 size;
	__u32 value;
	__u32 pad;
	__u64 dst_pages;
	__u64 dst_offset;
	__u64 src_pages;
	__u64 src_offset;
};

#define GPUCORE_VDEV_DESC_SIZE		64
#define GPUCORE_VDEV_PAGE_SIZE		4096

#endif /* _UAPI_GPUCORE_VDEV_H_ */
