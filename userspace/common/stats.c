// SPDX-License-Identifier: MIT
/*
 * Growable sample arrays and exact (nearest-rank) percentiles.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int u64_vec_reserve(struct u64_vec *vec, size_t want)
{
	size_t cap = vec->cap ? vec->cap : 256;
	uint64_t *v;

	if (want <= vec->cap)
		return 0;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*v))
			return -ENOMEM;
		cap *= 2;
	}
	v = realloc(vec->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	vec->v = v;
	vec->cap = cap;
	return 0;
}

int u64_vec_push(struct u64_vec *vec, uint64_t val)
{
	int ret = u64_vec_reserve(vec, vec->len + 1);

	if (ret)
		return ret;
	vec->v[vec->len++] = val;
	return 0;
}

int u64_vec_append(struct u64_vec *dst, const struct u64_vec *src)
{
	int ret;

	if (!src->len)
		return 0;
	ret = u64_vec_reserve(dst, dst->len + src->len);
	if (ret)
		return ret;
	memcpy(dst->v + dst->len, src->v, src->len * sizeof(*src->v));
	dst->len += src->len;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void u64_vec_sort(struct u64_vec *vec)
{
	if (vec->len > 1)
		qsort(vec->v, vec->len, sizeof(*vec->v), cmp_u64);
}

void u64_vec_free(struct u64_vec *vec)
{
	free(vec->v);
	memset(vec, 0, sizeof(*vec));
}

uint64_t percentile_sorted(const uint64_t *v, size_t n, double p)
{
	double rank;
	size_t idx;

	if (!n)
		return 0;
	rank = ceil(p * (double)n / 100.0);
	idx = rank < 1 ? 0 : (size_t)rank - 1;
	return v[idx < n ? idx : n - 1];
}

void u64_vec_summary(struct u64_vec *vec, struct pct_summary *sum)
{
	u64_vec_sort(vec);
	sum->n = vec->len;
	sum->p50 = percentile_sorted(vec->v, vec->len, 50);
	sum->p99 = percentile_sorted(vec->v, vec->len, 99);
	sum->max = vec->len ? vec->v[vec->len - 1] : 0;
}
