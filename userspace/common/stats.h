/* SPDX-License-Identifier: MIT */
/*
 * userspace/common/stats.h: growable sample arrays and exact percentiles.
 *
 * Shared by the gpucore tools that report latency distributions. Samples
 * are stored (not binned), so percentiles are exact: the nearest-rank
 * percentile of the sorted samples (p50 of 1..100 is 50, p99 is 99).
 */
#ifndef GPUCORE_STATS_H
#define GPUCORE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct u64_vec {
	uint64_t *v;
	size_t len;
	size_t cap;
};

/* Both return 0 or -ENOMEM (the vector is left unchanged). */
int u64_vec_push(struct u64_vec *vec, uint64_t val);
int u64_vec_append(struct u64_vec *dst, const struct u64_vec *src);
void u64_vec_sort(struct u64_vec *vec);
void u64_vec_free(struct u64_vec *vec);

/* Nearest-rank percentile @p (0..100] of @n sorted values; 0 when empty. */
uint64_t percentile_sorted(const uint64_t *v, size_t n, double p);

struct pct_summary {
	size_t n;
	uint64_t p50;
	uint64_t p99;
	uint64_t max;
};

/* Sorts @vec in place and fills @sum. */
void u64_vec_summary(struct u64_vec *vec, struct pct_summary *sum);

#endif /* GPUCORE_STATS_H */
