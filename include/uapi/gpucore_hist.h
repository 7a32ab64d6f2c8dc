/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gpucore_hist.h: the latency histogram the driver keeps per channel and
 * per vGPU (submit to start, submit to completion of each job that
 * completed), which a monitor's BPF program copies whole (the
 * gpucore_mon_*() kfuncs) and gpustat folds recorded events into. Its
 * layout and bucket function are defined here and nowhere else.
 *
 * Buckets are log2 octaves split in 2^GPUCORE_HIST_SUB_BITS linear
 * sub-buckets (HdrHistogram-like): a bucket is at most 1/8 of its lower
 * bound wide, so its midpoint is within 6.25% of any value in it. Values
 * below GPUCORE_HIST_SUB have a bucket each.
 *
 * No types beyond C's and linux/types.h, and no loops the BPF verifier
 * cannot bound: a BPF program includes this beside vmlinux.h, which then
 * already has struct gpucore_hist from the module's BTF.
 */
#ifndef _UAPI_GPUCORE_HIST_H_
#define _UAPI_GPUCORE_HIST_H_

#define GPUCORE_HIST_SUB_BITS	3
#define GPUCORE_HIST_SUB	(1u << GPUCORE_HIST_SUB_BITS)
#define GPUCORE_HIST_BUCKETS	((64 - GPUCORE_HIST_SUB_BITS + 1) * GPUCORE_HIST_SUB)

#ifndef __VMLINUX_H__
#include <linux/types.h>

/**
 * struct gpucore_hist - a latency histogram
 * @count: values added
 * @sum_ns: their sum
 * @lo: the lowest bucket holding a value (0 while @count is 0)
 * @hi: one past the highest (0 while @count is 0): a reader scans
 *	@b[@lo..@hi), not every bucket, as values of one workload fill few
 * @b: how many fell in each bucket (gpucore_hist_bucket())
 * @pad: zero
 */
struct gpucore_hist {
	__u64 count;
	__u64 sum_ns;
	__u16 lo;
	__u16 hi;
	__u32 b[GPUCORE_HIST_BUCKETS];
	__u32 pad;
};

/**
 * struct gpucore_hists - what is kept of a channel's or vGPU's jobs
 * @wait: the waits (submit to start) of its completed jobs
 * @lat: their latencies (submit to completion)
 */
struct gpucore_hists {
	struct gpucore_hist wait;
	struct gpucore_hist lat;
};

/* One past @h's last bucket holding a value, bounded by the array. */
static inline __u32 gpucore_hist_end(const struct gpucore_hist *h)
{
	return h->hi < GPUCORE_HIST_BUCKETS ? h->hi : GPUCORE_HIST_BUCKETS;
}

/*
 * Copy @src's count, sum and range, and its buckets in that range, into
 * @dst, whose other buckets are not written: a copy only read inside its
 * range (by gpucore_hist_copy()), such as the driver hands a monitor.
 */
static inline void gpucore_hist_copy_used(struct gpucore_hist *dst,
					  const struct gpucore_hist *src)
{
	__u32 hi = gpucore_hist_end(src);
	__u32 lo = src->lo < hi ? src->lo : hi;

	dst->count = src->count;
	dst->sum_ns = src->sum_ns;
	dst->lo = lo;
	dst->hi = hi;
	dst->pad = 0;
	__builtin_memcpy(&dst->b[lo], &src->b[lo], (hi - lo) * sizeof(dst->b[0]));
}

/*
 * Copy @src into @dst, touching only the buckets in their ranges: a
 * histogram's buckets outside its [lo, hi) are zero (gpucore_hist_add()
 * keeps them so from a zeroed one, and so does this).
 */
static inline void gpucore_hist_copy(struct gpucore_hist *dst, const struct gpucore_hist *src)
{
	__u32 dhi = gpucore_hist_end(dst);
	__u32 dlo = dst->lo < dhi ? dst->lo : dhi;

	__builtin_memset(&dst->b[dlo], 0, (dhi - dlo) * sizeof(dst->b[0]));
	gpucore_hist_copy_used(dst, src);
}
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * floor(log2(@v)) for @v > 0: one instruction where the target has one
 * (the driver adds every job's latencies), a loop-free cascade in BPF,
 * which has no count-leading-zeros.
 */
static __always_inline __u32 gpucore_hist_log2(__u64 v)
{
#ifndef __bpf__
	return 63 - __builtin_clzll(v);
#else
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
#endif
}

/* The bucket of value @v, below GPUCORE_HIST_BUCKETS. */
static __always_inline __u32 gpucore_hist_bucket(__u64 v)
{
	__u32 e;

	if (v < GPUCORE_HIST_SUB)
		return v;
	e = gpucore_hist_log2(v);
	return ((e - GPUCORE_HIST_SUB_BITS + 1) << GPUCORE_HIST_SUB_BITS) +
	       ((v >> (e - GPUCORE_HIST_SUB_BITS)) & (GPUCORE_HIST_SUB - 1));
}

/* Lowest value of bucket @i; its end is gpucore_hist_low(i + 1). */
static inline __u64 gpucore_hist_low(__u32 i)
{
	__u32 e;

	if (i < GPUCORE_HIST_SUB)
		return i;
	if (i >= GPUCORE_HIST_BUCKETS)
		return ~0ULL;
	e = (i >> GPUCORE_HIST_SUB_BITS) + GPUCORE_HIST_SUB_BITS - 1;
	return (__u64)(GPUCORE_HIST_SUB + (i & (GPUCORE_HIST_SUB - 1))) <<
	       (e - GPUCORE_HIST_SUB_BITS);
}

/*
 * Add @v to @h. Not atomic: the driver adds under the GPU's lock, gpustat
 * folds one event at a time.
 */
static __always_inline void gpucore_hist_add(struct gpucore_hist *h, __u64 v)
{
	__u32 i = gpucore_hist_bucket(v);

	if (i >= GPUCORE_HIST_BUCKETS)
		return;
	if (i < h->lo || !h->count)
		h->lo = i;
	if (i >= h->hi)
		h->hi = i + 1;
	h->b[i]++;
	h->count++;
	h->sum_ns += v;
}

#endif /* _UAPI_GPUCORE_HIST_H_ */
