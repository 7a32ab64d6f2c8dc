// SPDX-License-Identifier: GPL-2.0
/*
 * mon_kfuncs: a syscall program that calls the driver's monitor kfuncs
 * (gpucore_mon.c) the way a monitor must not, and the way it must, for
 * selftests/progs/monkfuncs. Each check that fails sets its bit in the
 * return value; 0 is all passed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "gpucore_limits.h"
#include "gpucore_sched.h"

char _license[] SEC("license") = "GPL";

extern u32 gpucore_mon_next_channel(u32 id) __ksym;
extern int gpucore_mon_channel(u32 id, void *out, u32 out__sz, void *hists, u32 hists__sz) __ksym;
extern int gpucore_mon_vgpu(u32 index, void *out, u32 out__sz, void *hists, u32 hists__sz) __ksym;
extern int gpucore_mon_engine(u32 gpu, u32 engine, void *out, u32 out__sz) __ksym;

#define EINVAL	22
#define ENOENT	2

enum {
	BAD_CHANNEL_SIZE = 1 << 0,	/* a record size not the driver's: -EINVAL */
	BAD_VGPU_SIZE = 1 << 1,
	BAD_ENGINE_SIZE = 1 << 2,
	BAD_HISTS_SIZE = 1 << 11,	/* likewise, the histograms' */
	NO_CHANNEL = 1 << 3,		/* an id no channel has: -ENOENT */
	NO_GPU = 1 << 4,		/* a vGPU index past the last GPU's: -ENOENT */
	NO_VGPU = 1 << 5,
	NO_ENGINE = 1 << 6,
	NEXT_PAST_END = 1 << 7,		/* no channel after the last id: 0 */
	FIRST_COPY = 1 << 8,		/* the test's channel: copied, 1 job done */
	SAME_GEN = 1 << 9,		/* then, unchanged: not copied again (0) */
	VGPU_COPY = 1 << 10,		/* its vGPU: copied, a histogram entry a job */
};

static char buf[512];
static char hbuf[8192];

/* The kfuncs with the caller's generation as an argument, as before the call. */
static __always_inline int chan(u32 id, u64 gen, void *out, u32 sz, void *hists, u32 hsz)
{
	((struct gpucore_mon_channel *)out)->gen = gen;
	return gpucore_mon_channel(id, out, sz, hists, hsz);
}

static __always_inline int vgpu(u32 index, u64 gen, void *out, u32 sz, void *hists, u32 hsz)
{
	((struct gpucore_mon_vgpu *)out)->gen = gen;
	return gpucore_mon_vgpu(index, out, sz, hists, hsz);
}

/* What monkfuncs passes: the module-wide id of its channel. */
struct mon_args {
	u32 channel;
};

/* @h holds one value: one bucket counts it, and @h's range is that bucket. */
static bool hist_one(const struct gpucore_hist *h)
{
	u32 lo = h->lo;

	if (h->count != 1 || h->hi != lo + 1 || lo >= sizeof(h->b) / sizeof(h->b[0]))
		return false;
	return h->b[lo] == 1;
}

SEC("syscall")
int mon_check(struct mon_args *args)
{
	struct gpucore_mon_channel *mc = (void *)buf;
	struct gpucore_mon_vgpu *mv = (void *)buf;
	struct gpucore_hists *h = (void *)hbuf;
	u32 hsz = sizeof(*h);
	int bad = 0;
	u64 gen;
	u32 id;

	if (chan(1, 0, buf, sizeof(*mc) - 8, hbuf, hsz) != -EINVAL)
		bad |= BAD_CHANNEL_SIZE;
	if (vgpu(GPUCORE_VGPU_IDX(0, 0), 0, buf, sizeof(*mv) + 8, hbuf, hsz) != -EINVAL)
		bad |= BAD_VGPU_SIZE;
	if (chan(1, 0, buf, sizeof(*mc), hbuf, hsz + 8) != -EINVAL ||
	    vgpu(GPUCORE_VGPU_IDX(0, 0), 0, buf, sizeof(*mv), hbuf, hsz - 8) != -EINVAL)
		bad |= BAD_HISTS_SIZE;
	if (gpucore_mon_engine(0, 0, buf, sizeof(struct gpucore_mon_engine) - 8) != -EINVAL)
		bad |= BAD_ENGINE_SIZE;
	if (chan(GPUCORE_MAX_CHANNEL_ID + 1, 0, buf, sizeof(*mc), hbuf, hsz) !=
	    -ENOENT)
		bad |= NO_CHANNEL;
	if (vgpu(GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS, 0, buf, sizeof(*mv), hbuf, hsz) != -ENOENT)
		bad |= NO_GPU;
	if (vgpu(GPUCORE_VGPU_IDX(0, GPUCORE_MAX_VGPUS - 1), 0, buf, sizeof(*mv), hbuf, hsz) != -ENOENT)
		bad |= NO_VGPU;
	if (gpucore_mon_engine(0, GPUCORE_MAX_ENGINES, buf, sizeof(struct gpucore_mon_engine)) !=
	    -ENOENT)
		bad |= NO_ENGINE;
	if (gpucore_mon_next_channel(GPUCORE_MAX_CHANNEL_ID + 1))
		bad |= NEXT_PAST_END;

	/* monkfuncs's channel: one job completed, idle. */
	id = args->channel;
	if (chan(id, ~0ULL, buf, sizeof(*mc), hbuf, hsz) != 1 ||
	    mc->submitted != 1 || mc->completed != 1 || mc->queued || !hist_one(&h->lat) ||
	    !hist_one(&h->wait))
		bad |= FIRST_COPY;
	gen = mc->gen;
	h->lat.count = 0;
	if (chan(id, gen, buf, sizeof(*mc), hbuf, hsz) != 0 || mc->gen != gen ||
	    h->lat.count)
		bad |= SAME_GEN;
	if (vgpu(GPUCORE_VGPU_IDX(0, mc->vgpu), ~0ULL, buf, sizeof(*mv), hbuf, hsz) != 1 ||
	    !mv->completed || h->wait.count != mv->completed || h->lat.count != mv->completed)
		bad |= VGPU_COPY;
	return bad;
}
