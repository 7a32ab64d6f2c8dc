// SPDX-License-Identifier: MIT
/*
 * The tables every text view shares (batch and interactive): columns,
 * headers, rows, sorting. Each row fits in 80 columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "table.h"
#include "units.h"

const char *const vgpu_cols[VCOL_COUNT] = {
	"NAME", "GPU", "WEIGHT", "TARGET", "SHARE", "CAP", "MEM", "CHAN", "RST", "JOBS/S", "P99",
};

const char *const chan_cols[CCOL_COUNT] = {
	"PID", "COMM", "VGPU", "CHAN", "ENGINE", "UTIL", "QUEUE", "JOBS/S", "P50", "P99",
};

static char *dur(char *buf, size_t len, uint64_t ns, uint64_t count)
{
	if (!count)
		return strcpy(buf, "-");
	return format_duration(buf, len, ns);
}

static char *pct(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.1f%%", v * 100);
	return buf;
}

void vgpu_header(char *buf, size_t len)
{
	snprintf(buf, len, "%-8s %3s %6s %6s %6s %4s %14s %8s %3s %6s %6s",
		 "VGPU", "GPU", "WEIGHT", "TARGET", "SHARE", "CAP", "MEM USED/QUOTA",
		 "CHAN/MAX", "RST", "JOBS/S", "P99");
}

char *short_count(char *buf, size_t len, uint64_t v)
{
	if (v < 1000)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else if (v < 100000)
		snprintf(buf, len, "%lluk", (unsigned long long)v / 1000);
	else if (v < 100000000)
		snprintf(buf, len, "%lluM", (unsigned long long)v / 1000000);
	else
		snprintf(buf, len, "++");
	return buf;
}

/* A rate in 6 columns: one decimal below 1000 a second. */
static char *rate6(char *buf, size_t len, double v)
{
	snprintf(buf, len, v < 999.95 ? "%.1f" : "%.0f", v);
	return buf;
}

/* "USED/LIMIT", or "USED/-" when the limit is unknown. */
static char *used_of(char *buf, size_t len, uint32_t used, uint32_t limit)
{
	if (limit)
		snprintf(buf, len, "%u/%u", used, limit);
	else
		snprintf(buf, len, "%u/-", used);
	return buf;
}

void vgpu_row(char *buf, size_t len, const struct snap_vgpu *v)
{
	char t[16], sh[16], cap[16], used[16], quota[16], mem[40], ch[24], p99[16];
	char rst[16], jobs[32];

	if (v->cap)
		snprintf(cap, sizeof(cap), "%u%%", v->cap);
	else
		strcpy(cap, "-");
	format_size(used, sizeof(used), v->mem_used);
	if (v->mem_quota)
		format_size(quota, sizeof(quota), v->mem_quota);
	else
		strcpy(quota, "-");
	snprintf(mem, sizeof(mem), "%s/%s", used, quota);
	snprintf(buf, len, "%-8.8s %3u %6u %6s %6s %4s %14.14s %8s %3s %6s %6s",
		 v->name, v->gpu, v->weight, pct(t, sizeof(t), v->target),
		 pct(sh, sizeof(sh), v->share), cap, mem,
		 used_of(ch, sizeof(ch), v->channels, v->max_channels),
		 short_count(rst, sizeof(rst), v->resets),
		 rate6(jobs, sizeof(jobs), v->jobs_per_s),
		 dur(p99, sizeof(p99), v->lat.p99, v->lat.count));
}

void chan_header(char *buf, size_t len)
{
	snprintf(buf, len, "%6s %-11s %-8s %5s %-8s %6s %5s %7s %7s %7s",
		 "PID", "COMM", "VGPU", "CHAN", "ENGINE", "UTIL", "QUEUE", "JOBS/S",
		 "P50", "P99");
}

void chan_row(char *buf, size_t len, const struct snap_chan *c)
{
	char u[16], p50[16], p99[16];

	snprintf(buf, len, "%6d %-11.11s %-8.8s %5u %-8.8s %6s %5u %7.1f %7s %7s",
		 c->pid, c->comm[0] ? c->comm : "?", c->vgpu_name, c->id, c->engine_name,
		 pct(u, sizeof(u), c->util), c->queued, c->jobs_per_s,
		 dur(p50, sizeof(p50), c->lat.p50, c->lat.count),
		 dur(p99, sizeof(p99), c->lat.p99, c->lat.count));
}

/* "[|||||     ] 52.1%" in @width columns. */
void util_bar(char *buf, size_t len, double util, int width)
{
	int n = width - 9, fill, i;

	if (n < 1 || (size_t)width >= len) {
		snprintf(buf, len, "%5.1f%%", util * 100);
		return;
	}
	fill = (int)(util * n + 0.5);
	buf[0] = '[';
	for (i = 0; i < n; i++)
		buf[1 + i] = i < fill ? '|' : ' ';
	snprintf(buf + 1 + n, len - 1 - n, "] %5.1f%%", util * 100);
}

/* A sparkline of the last @width samples, oldest first. */
void history_line(char *buf, size_t len, const float *h, unsigned int n, int width)
{
	static const char levels[] = " .:-=+*#";
	unsigned int start = n > (unsigned int)width ? n - width : 0, i;
	size_t k = 0;

	for (i = start; i < n && k + 1 < len; i++) {
		int l = (int)(h[i] * 7 + 0.5);

		buf[k++] = levels[l < 0 ? 0 : l > 7 ? 7 : l];
	}
	buf[k] = 0;
}

static int sort_col;
static bool sort_rev;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_dbl(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int vgpu_cmp(const void *pa, const void *pb)
{
	const struct snap_vgpu *a = pa, *b = pb;
	int r = 0;

	switch (sort_col) {
	case VCOL_NAME: r = strcmp(a->name, b->name); break;
	case VCOL_GPU: r = cmp_u64(a->gpu, b->gpu); break;
	case VCOL_WEIGHT: r = cmp_u64(a->weight, b->weight); break;
	case VCOL_TARGET: r = cmp_dbl(a->target, b->target); break;
	case VCOL_SHARE: r = cmp_dbl(a->share, b->share); break;
	case VCOL_CAP: r = cmp_u64(a->cap, b->cap); break;
	case VCOL_MEM: r = cmp_u64(a->mem_used, b->mem_used); break;
	case VCOL_CHAN: r = cmp_u64(a->channels, b->channels); break;
	case VCOL_RST: r = cmp_u64(a->resets, b->resets); break;
	case VCOL_JOBS: r = cmp_dbl(a->jobs_per_s, b->jobs_per_s); break;
	case VCOL_P99: r = cmp_u64(a->lat.p99, b->lat.p99); break;
	}
	if (!r)
		r = cmp_u64((uint64_t)a->gpu << 32 | a->id, (uint64_t)b->gpu << 32 | b->id);
	return sort_rev ? -r : r;
}

static int chan_cmp(const void *pa, const void *pb)
{
	const struct snap_chan *a = pa, *b = pb;
	int r = 0;

	switch (sort_col) {
	case CCOL_PID: r = cmp_u64((uint32_t)a->pid, (uint32_t)b->pid); break;
	case CCOL_COMM: r = strcmp(a->comm, b->comm); break;
	case CCOL_VGPU: r = strcmp(a->vgpu_name, b->vgpu_name); break;
	case CCOL_CHAN: r = cmp_u64(a->id, b->id); break;
	case CCOL_ENGINE: r = cmp_u64(a->engine, b->engine); break;
	case CCOL_UTIL: r = cmp_dbl(a->util, b->util); break;
	case CCOL_QUEUE: r = cmp_u64(a->queued, b->queued); break;
	case CCOL_JOBS: r = cmp_dbl(a->jobs_per_s, b->jobs_per_s); break;
	case CCOL_P50: r = cmp_u64(a->lat.p50, b->lat.p50); break;
	case CCOL_P99: r = cmp_u64(a->lat.p99, b->lat.p99); break;
	}
	if (!r)
		r = cmp_u64(a->id, b->id);
	return sort_rev ? -r : r;
}

void sort_vgpus(struct snap_vgpu *v, size_t n, int col, bool rev)
{
	sort_col = col;
	sort_rev = rev;
	qsort(v, n, sizeof(*v), vgpu_cmp);
}

void sort_chans(struct snap_chan *c, size_t n, int col, bool rev)
{
	sort_col = col;
	sort_rev = rev;
	qsort(c, n, sizeof(*c), chan_cmp);
}
