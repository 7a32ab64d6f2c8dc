// SPDX-License-Identifier: MIT
/*
 * vfioclient: drive a gpucore vGPU's VFIO mediated device from userspace,
 * as a VMM and the driver in its VM would.
 *
 *   vfioclient UUID info           print the device as the VM sees it (JSON)
 *   vfioclient UUID hostile SECS   write garbage to every register and to
 *                                  config space, read everything back, for
 *                                  SECS seconds; then check the device
 *                                  still answers and resets
 *   vfioclient UUID verify N       N rounds of a FILL then a COPY between
 *                                  two buffers of scattered pages in this
 *                                  process's DMA-mapped memory, each byte
 *                                  checked, completions awaited through
 *                                  the MSI eventfd
 *   vfioclient UUID load SECS NS   keep 8 SPIN jobs of NS ns queued on a
 *                                  compute channel for SECS seconds
 *   vfioclient UUID flood SECS NS  the same load, but ringing the doorbell
 *                                  without pause and never reading the
 *                                  MSI eventfd (completions seen in the
 *                                  fence); prints jobs and doorbells (JSON)
 *   vfioclient UUID rtt N          mean round trip of N jobs of one SPIN of
 *                                  0 ns, each awaited through the MSI
 *                                  eventfd before the next (JSON)
 *   vfioclient UUID reset          queue eight SPINs of 1 s, reset the
 *                                  device through its RESET register while
 *                                  they run; check the registers are as
 *                                  new, then that a verify round passes;
 *                                  prints the reset's time and the fence
 *                                  (JSON)
 *   vfioclient UUID ringjunk SECS  random descriptors, page lists and
 *                                  doorbells for SECS seconds; then reset
 *                                  and check a verify round still passes
 *
 * The device is opened through the VFIO container API: the mdev's IOMMU
 * group (/sys/bus/mdev/devices/UUID/iommu_group), a type1 container, then
 * the device by its UUID. Exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "gpucore.h"
#include "gpucore_vdev.h"

struct vdev {
	int container, group, fd;
	uint64_t cfg_off, bar0_off, bar0_size;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "vfioclient: %s: %s\n", what, strerror(err));
	exit(1);
}

static int group_of(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die(path, errno);
	link[n] = 0;
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

static void region(struct vdev *v, uint32_t index, uint64_t *off, uint64_t *size)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("VFIO_DEVICE_GET_REGION_INFO", errno);
	*off = ri.offset;
	*size = ri.size;
}

static void vdev_open(struct vdev *v, const char *uuid)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	char path[64];
	uint64_t size;

	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		die("/dev/vfio/vfio", errno);
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION", EINVAL);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(uuid));
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		die(path, errno);
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable", errno ?: EINVAL);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		die("VFIO_GROUP_SET_CONTAINER", errno);
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU", errno);
	v->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->fd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD", errno);
	if (ioctl(v->fd, VFIO_DEVICE_GET_INFO, &di))
		die("VFIO_DEVICE_GET_INFO", errno);
	if (!(di.flags & VFIO_DEVICE_FLAGS_PCI) || di.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		die("not a PCI device", EINVAL);
	region(v, VFIO_PCI_CONFIG_REGION_INDEX, &v->cfg_off, &size);
	region(v, VFIO_PCI_BAR0_REGION_INDEX, &v->bar0_off, &v->bar0_size);
}

static uint32_t cfg_read(struct vdev *v, uint32_t off, int len)
{
	uint32_t val = 0;

	if (pread(v->fd, &val, len, v->cfg_off + off) != len)
		die("config read", errno);
	return val;
}

static void cfg_write(struct vdev *v, uint32_t off, uint32_t val, int len)
{
	if (pwrite(v->fd, &val, len, v->cfg_off + off) != len)
		die("config write", errno);
}

static uint32_t reg_read(struct vdev *v, uint32_t off)
{
	uint32_t val;

	if (pread(v->fd, &val, 4, v->bar0_off + off) != 4)
		die("BAR0 read", errno);
	return val;
}

static void reg_write(struct vdev *v, uint32_t off, uint32_t val)
{
	if (pwrite(v->fd, &val, 4, v->bar0_off + off) != 4)
		die("BAR0 write", errno);
}

static int cmd_info(struct vdev *v)
{
	uint32_t bar, size;

	bar = cfg_read(v, PCI_BASE_ADDRESS_0, 4);
	cfg_write(v, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	size = ~(cfg_read(v, PCI_BASE_ADDRESS_0, 4) & ~0xfu) + 1;
	cfg_write(v, PCI_BASE_ADDRESS_0, bar, 4);
	printf("{\"vendor\": %u, \"device\": %u, \"class\": %u, \"msi_cap\": %u, "
	       "\"bar0_size\": %u, \"bar0_region_size\": %llu, \"id\": %u, \"version\": %u, "
	       "\"features\": %u, \"engines\": %u, \"channels\": %u, \"mem\": %llu}\n",
	       cfg_read(v, PCI_VENDOR_ID, 2), cfg_read(v, PCI_DEVICE_ID, 2),
	       cfg_read(v, PCI_CLASS_REVISION, 4) >> 8,
	       cfg_read(v, cfg_read(v, PCI_CAPABILITY_LIST, 1), 1) == PCI_CAP_ID_MSI,
	       size, (unsigned long long)v->bar0_size,
	       reg_read(v, GPUCORE_VREG_ID), reg_read(v, GPUCORE_VREG_VERSION),
	       reg_read(v, GPUCORE_VREG_FEATURES), reg_read(v, GPUCORE_VREG_ENGINES),
	       reg_read(v, GPUCORE_VREG_NUM_CHANNELS),
	       (unsigned long long)reg_read(v, GPUCORE_VREG_MEM_LO) |
	       (unsigned long long)reg_read(v, GPUCORE_VREG_MEM_HI) << 32);
	return 0;
}

/* Garbage of every size at every offset, in range and out of it. */
static int cmd_hostile(struct vdev *v, int secs)
{
	static const int lens[] = { 1, 2, 3, 4, 8, 64 };
	time_t end = time(NULL) + secs;
	unsigned long ops = 0, refused = 0;
	uint8_t buf[64];

	srand(getpid());
	while (time(NULL) < end) {
		int len = lens[rand() % 6];
		uint64_t base = rand() % 2 ? v->bar0_off : v->cfg_off;
		uint64_t off = base + rand() % (v->bar0_size + 256);
		size_t i;

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = rand();
		if (rand() % 2 ? pwrite(v->fd, buf, len, off) < 0 : pread(v->fd, buf, len, off) < 0)
			refused++;
		ops++;
	}
	if (ioctl(v->fd, VFIO_DEVICE_RESET))
		die("VFIO_DEVICE_RESET", errno);
	if (reg_read(v, GPUCORE_VREG_ID) != GPUCORE_VDEV_ID_MAGIC)
		die("the device does not answer after reset", EIO);
	printf("{\"ops\": %lu, \"refused\": %lu}\n", ops, refused);
	return 0;
}

/* ---- rings ---------------------------------------------------------------- */

/*
 * One DMA-mapped region: the ring, the fence, the page lists, then data
 * pages. Buffers take their pages from the data area in a scattered order,
 * so that no buffer is contiguous in IOVA space.
 */
#define IOVA_BASE	0x10000000ULL
#define MEM_SIZE	(16u << 20)
#define PG		GPUCORE_VDEV_PAGE_SIZE
#define RING_N		1024
#define OFF_RING	0
#define OFF_FENCE	(RING_N * GPUCORE_VDEV_DESC_SIZE)
#define OFF_LISTS	(OFF_FENCE + PG)
#define LIST_PAGES	4		/* per buffer: 2048 page entries */
#define OFF_DATA	(1u << 20)
#define BUF_PAGES	64		/* 256 KiB buffers */
#define NR_BUFS		2

struct ring {
	struct vdev *v;
	uint8_t *mem;
	int efd;
	unsigned int ch, tail;
	uint64_t seqno;
	uint32_t bufpage[NR_BUFS][BUF_PAGES];	/* data page index of each page */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void chreg(struct ring *r, uint32_t reg, uint32_t val)
{
	reg_write(r->v, GPUCORE_VDEV_CH(r->ch, reg), val);
}

static uint32_t chread(struct ring *r, uint32_t reg)
{
	return reg_read(r->v, GPUCORE_VDEV_CH(r->ch, reg));
}

static void msi_setup(struct ring *r)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	r->efd = eventfd(0, EFD_NONBLOCK);
	if (r->efd < 0)
		die("eventfd", errno);
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &r->efd, sizeof(int32_t));
	if (ioctl(r->v->fd, VFIO_DEVICE_SET_IRQS, set))
		die("VFIO_DEVICE_SET_IRQS", errno);
}

static void lists_build(struct ring *r);

static void mem_map(struct ring *r)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = IOVA_BASE, .size = MEM_SIZE,
	};
	r->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED)
		die("mmap", errno);
	memset(r->mem, 0, MEM_SIZE);
	map.vaddr = (uint64_t)(uintptr_t)r->mem;
	if (ioctl(r->v->container, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA", errno);
	lists_build(r);
}

/* Buffer b's page i: spread backwards over the data area. */
static void lists_build(struct ring *r)
{
	unsigned int b, i, data_pages = (MEM_SIZE - OFF_DATA) / PG;

	for (b = 0; b < NR_BUFS; b++)
		for (i = 0; i < BUF_PAGES; i++) {
			uint64_t *list = (uint64_t *)(r->mem + OFF_LISTS + b * LIST_PAGES * PG);

			r->bufpage[b][i] = data_pages - 1 - (i * 3 + b) % data_pages;
			list[i] = IOVA_BASE + OFF_DATA + (uint64_t)r->bufpage[b][i] * PG;
		}
}

/* Program and enable channel @ch; returns its ERROR register after. */
static uint32_t ring_start(struct ring *r, unsigned int ch, uint32_t engine_class)
{
	uint64_t ring = IOVA_BASE + OFF_RING, fence = IOVA_BASE + OFF_FENCE;

	r->ch = ch;
	r->tail = 0;
	chreg(r, GPUCORE_VCH_RING_LO, (uint32_t)ring);
	chreg(r, GPUCORE_VCH_RING_HI, ring >> 32);
	chreg(r, GPUCORE_VCH_RING_SIZE, RING_N);
	chreg(r, GPUCORE_VCH_ENGINE, engine_class);
	chreg(r, GPUCORE_VCH_FENCE_LO, (uint32_t)fence);
	chreg(r, GPUCORE_VCH_FENCE_HI, fence >> 32);
	chreg(r, GPUCORE_VCH_CTRL, GPUCORE_VDEV_CTRL_ENABLE);
	return chread(r, GPUCORE_VCH_ERROR);
}

static volatile uint64_t *fence_of(struct ring *r)
{
	return (volatile uint64_t *)(r->mem + OFF_FENCE);
}

/* Queue @d (its seqno set here) and ring the doorbell; returns the seqno. */
static uint64_t ring_push(struct ring *r, struct gpucore_vdev_desc *d)
{
	d->seqno = ++r->seqno;
	memcpy(r->mem + OFF_RING + r->tail * GPUCORE_VDEV_DESC_SIZE, d, sizeof(*d));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->tail = (r->tail + 1) % RING_N;
	chreg(r, GPUCORE_VCH_TAIL, r->tail);
	return d->seqno;
}

/* Wait for @seqno through the interrupt (and the fence, in case it raced). */
static void ring_wait(struct ring *r, uint64_t seqno, int secs)
{
	uint64_t end = now_ns() + secs * 1000000000ULL, v;
	struct pollfd pfd = { .fd = r->efd, .events = POLLIN };

	while (*fence_of(r) < seqno) {
		if (now_ns() > end) {
			fprintf(stderr, "vfioclient: seqno %llu not done (fence %llu, ERROR %u)\n",
				(unsigned long long)seqno, (unsigned long long)*fence_of(r),
				chread(r, GPUCORE_VCH_ERROR));
			exit(1);
		}
		if (poll(&pfd, 1, 100) > 0 && read(r->efd, &v, sizeof(v)) == sizeof(v))
			reg_write(r->v, GPUCORE_VREG_IRQ_STATUS, 1u << r->ch);
	}
}

static uint8_t *buf_byte(struct ring *r, unsigned int b, uint64_t off)
{
	return r->mem + OFF_DATA + (uint64_t)r->bufpage[b][off / PG] * PG + off % PG;
}

static uint64_t buf_list(unsigned int b)
{
	return IOVA_BASE + OFF_LISTS + b * LIST_PAGES * PG;
}

/* One round: FILL buffer 0's range with a pattern, COPY it to buffer 1. */
static unsigned long verify_round(struct ring *r, uint32_t pattern)
{
	uint64_t size = 4 * (1 + rand() % (BUF_PAGES * PG / 4 - 1)), off, i;
	struct gpucore_vdev_desc fill = { .op = GPUCORE_CMD_FILL, .size = size, .value = pattern };
	struct gpucore_vdev_desc copy = { .op = GPUCORE_CMD_COPY, .size = size };
	unsigned long bad = 0;

	off = 4 * (rand() % ((BUF_PAGES * PG - size) / 4 + 1));
	fill.dst_pages = buf_list(0);
	fill.dst_offset = off;
	copy.src_pages = buf_list(0);
	copy.src_offset = off;
	copy.dst_pages = buf_list(1);
	copy.dst_offset = off;
	ring_push(r, &fill);
	ring_wait(r, ring_push(r, &copy), 60);
	for (i = off; i < off + size; i += 4) {
		uint32_t a, b;

		memcpy(&a, buf_byte(r, 0, i), 4);
		memcpy(&b, buf_byte(r, 1, i), 4);
		bad += a != pattern || b != pattern;
	}
	return bad;
}

static void ring_open(struct ring *r, struct vdev *v)
{
	memset(r, 0, sizeof(*r));
	r->v = v;
	mem_map(r);
	msi_setup(r);
}

static int cmd_verify(struct vdev *v, unsigned int n)
{
	unsigned long bad = 0;
	struct ring r;
	unsigned int i;

	ring_open(&r, v);
	if (ring_start(&r, 0, GPUCORE_ENGINE_CLASS_COPY))
		die("channel error after enable", EIO);
	srand(getpid());
	for (i = 0; i < n; i++)
		bad += verify_round(&r, 0x5a000000u | i);
	printf("{\"rounds\": %u, \"jobs\": %llu, \"mismatches\": %lu, \"error\": %u, \"done\": %llu}\n",
	       n, (unsigned long long)r.seqno, bad, chread(&r, GPUCORE_VCH_ERROR),
	       (unsigned long long)*fence_of(&r));
	return bad || chread(&r, GPUCORE_VCH_ERROR);
}

/* After a reset: the ring as new, and a verify round on the copy engine passes. */
static void works_after_reset(struct ring *r)
{
	memset(r->mem, 0, OFF_DATA);
	lists_build(r);
	r->seqno = 0;
	if (ring_start(r, 0, GPUCORE_ENGINE_CLASS_COPY))
		die("channel error after a reset", EIO);
	if (verify_round(r, 0x5eedf00d))
		die("a verify round after a reset mismatched", EIO);
}

/* Program and enable channel 0 on the compute engine, or exit. */
static void compute_ring(struct ring *r, struct vdev *v)
{
	ring_open(r, v);
	if (ring_start(r, 0, GPUCORE_ENGINE_CLASS_COMPUTE))
		die("channel error after enable", EIO);
}

/*
 * Eight SPINs queued for @secs seconds. @flood: a VM that rings the
 * doorbell without pause and never answers its interrupts (completions
 * seen in the fence only).
 */
static int cmd_load(struct vdev *v, int secs, uint64_t spin, bool flood)
{
	struct gpucore_vdev_desc d = { .op = GPUCORE_CMD_SPIN, .size = spin };
	uint64_t end = now_ns() + secs * 1000000000ULL;
	unsigned long rings = 0;
	struct ring r;

	compute_ring(&r, v);
	while (now_ns() < end) {
		while (r.seqno < *fence_of(&r) + 8)
			ring_push(&r, &d);
		if (flood) {
			chreg(&r, GPUCORE_VCH_TAIL, r.tail);
			rings++;
		} else {
			ring_wait(&r, *fence_of(&r) + 1, 60);
		}
	}
	if (!flood)
		ring_wait(&r, r.seqno, 60);
	printf("{\"jobs\": %llu, \"doorbells\": %lu, \"error\": %u}\n",
	       (unsigned long long)*fence_of(&r), rings, chread(&r, GPUCORE_VCH_ERROR));
	return chread(&r, GPUCORE_VCH_ERROR) != 0;
}

/* A reset with jobs in flight: the device's registers as new, and it works. */
static int cmd_reset(struct vdev *v)
{
	static const uint32_t regs[] = { GPUCORE_VCH_CTRL, GPUCORE_VCH_HEAD, GPUCORE_VCH_ERROR,
					 GPUCORE_VCH_DONE_LO, GPUCORE_VCH_RING_SIZE };
	struct gpucore_vdev_desc d = { .op = GPUCORE_CMD_SPIN, .size = 1000000000 };
	uint64_t t0, reset_ns;
	struct ring r;
	unsigned int i;

	compute_ring(&r, v);
	for (i = 0; i < 8; i++)
		ring_push(&r, &d);
	for (i = 0; i < 500 && chread(&r, GPUCORE_VCH_HEAD) == 0; i++)
		usleep(10000);
	if (chread(&r, GPUCORE_VCH_HEAD) == 0)
		die("the device fetched no descriptor in 5 s", ETIMEDOUT);
	t0 = now_ns();
	reg_write(v, GPUCORE_VREG_RESET, GPUCORE_VDEV_RESET_MAGIC);
	reset_ns = now_ns() - t0;
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (chread(&r, regs[i]))
			die("a channel register is not back to 0 after the reset", EIO);
	if (reg_read(v, GPUCORE_VREG_IRQ_MASK))
		die("IRQ_MASK is not back to 0 after the reset", EIO);
	printf("{\"reset_ns\": %llu, \"fence\": %llu}\n", (unsigned long long)reset_ns,
	       (unsigned long long)*fence_of(&r));
	works_after_reset(&r);
	return 0;
}

static int cmd_rtt(struct vdev *v, unsigned int n)
{
	struct gpucore_vdev_desc d = { .op = GPUCORE_CMD_SPIN };
	struct ring r;
	uint64_t t0;
	unsigned int i;

	compute_ring(&r, v);
	for (i = 0; i < n / 10 + 1; i++)	/* warm-up, not timed */
		ring_wait(&r, ring_push(&r, &d), 60);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		ring_wait(&r, ring_push(&r, &d), 60);
	printf("{\"jobs\": %u, \"rtt_ns\": %llu}\n", n,
	       (unsigned long long)((now_ns() - t0) / (n ?: 1)));
	return 0;
}

/* Random descriptors and doorbells, including ones far outside the map. */
static int cmd_ringjunk(struct vdev *v, int secs)
{
	static const uint64_t addrs[] = { 0, IOVA_BASE, IOVA_BASE + MEM_SIZE - 8, IOVA_BASE + MEM_SIZE,
					  0xfffffffffffff000ULL, 0x1000 };
	time_t end = time(NULL) + secs;
	unsigned long pushed = 0;
	struct ring r;
	unsigned int i;

	ring_open(&r, v);
	srand(getpid());
	ring_start(&r, 0, GPUCORE_ENGINE_CLASS_COMPUTE);
	while (time(NULL) < end) {
		struct gpucore_vdev_desc d;
		uint64_t *list = (uint64_t *)(r.mem + OFF_LISTS + 2 * LIST_PAGES * PG);

		if (rand() % 64 == 0) {
			chreg(&r, GPUCORE_VCH_CTRL, 0);
			ring_start(&r, rand() % 8, rand() % 3 == 0 ? 7 : rand() % 2);
			continue;
		}
		for (i = 0; i < 8; i++)
			list[i] = rand() % 2 ? addrs[rand() % 6] + rand() % 16 :
				  IOVA_BASE + OFF_DATA + (rand() % 64) * PG;
		memset(&d, 0, sizeof(d));
		d.op = rand() % 5;
		d.flags = rand() % 4 == 0 ? rand() : 0;
		d.size = rand() % 3 ? (uint64_t)(rand() % (64 * PG)) : (uint64_t)rand() << 20;
		d.value = rand();
		d.pad = rand() % 8 == 0;
		d.dst_pages = rand() % 2 ? buf_list(2) : addrs[rand() % 6];
		d.dst_offset = rand() % (8 * PG);
		d.src_pages = rand() % 2 ? buf_list(2) : addrs[rand() % 6];
		d.src_offset = rand() % (8 * PG);
		if (d.op == GPUCORE_CMD_SPIN)
			d.size %= 2000000;
		ring_push(&r, &d);
		if (rand() % 16 == 0)
			chreg(&r, GPUCORE_VCH_TAIL, rand());
		pushed++;
	}
	if (ioctl(v->fd, VFIO_DEVICE_RESET))
		die("VFIO_DEVICE_RESET", errno);
	works_after_reset(&r);
	printf("{\"pushed\": %lu}\n", pushed);
	return 0;
}

int main(int argc, char **argv)
{
	struct vdev v;

	if (argc < 3) {
		fprintf(stderr, "usage: vfioclient UUID info | hostile SECS | verify N | load SECS NS | flood SECS NS | rtt N | reset | ringjunk SECS\n");
		return 2;
	}
	vdev_open(&v, argv[1]);
	if (!strcmp(argv[2], "info"))
		return cmd_info(&v);
	if (!strcmp(argv[2], "hostile") && argc > 3)
		return cmd_hostile(&v, atoi(argv[3]));
	if (!strcmp(argv[2], "verify") && argc > 3)
		return cmd_verify(&v, atoi(argv[3]));
	if (!strcmp(argv[2], "load") && argc > 4)
		return cmd_load(&v, atoi(argv[3]), strtoull(argv[4], NULL, 0), false);
	if (!strcmp(argv[2], "flood") && argc > 4)
		return cmd_load(&v, atoi(argv[3]), strtoull(argv[4], NULL, 0), true);
	if (!strcmp(argv[2], "rtt") && argc > 3)
		return cmd_rtt(&v, atoi(argv[3]));
	if (!strcmp(argv[2], "reset"))
		return cmd_reset(&v);
	if (!strcmp(argv[2], "ringjunk") && argc > 3)
		return cmd_ringjunk(&v, atoi(argv[3]));
	fprintf(stderr, "vfioclient: unknown command %s\n", argv[2]);
	return 2;
}
