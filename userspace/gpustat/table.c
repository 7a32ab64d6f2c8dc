// SPDX-License-Identifier: MIT
/*
 * The text views' columns (batch and interactive): which fields a table
 * or a line shows, their headers, their values as text, sorting. The
 * default columns of each table fit in 80.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "table.h"
#include "units.h"

#define CMP(a, b)	((a) < (b) ? -1 : (a) > (b))

char *col_header(const struct col *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", c->f->col, c->st ? c->st->col : "");
	return buf;
}

/* The field's width, or its header's if wider; negative: left aligned. */
static int col_width(const struct col *c)
{
	char h[64];
	int w = abs(c->f->width), hw = strlen(col_header(c, h, sizeof(h)));

	w = w > hw ? w : hw;
	return c->f->width < 0 ? -w : w;
}

static int add_col(struct cols *cs, const struct field *f, const struct pct_stat *st)
{
	const struct object *o = cs->obj;
	struct col *c = &cs->c[cs->n];
	int i;

	if (f->type == FT_PCT && !st) {
		for (i = 0; i < PCT_STATS; i++)
			if (add_col(cs, f, &pct_stats[i]))
				return -1;
		return 0;
	}
	if (cs->n == GS_MAX_COLS) {
		gs_err("more than %d %s columns", GS_MAX_COLS, o->name);
		return -1;
	}
	c->f = f;
	c->st = st;
	c->limit = f->limit ? field_find(o, f->limit, strlen(f->limit)) : NULL;
	c->width = col_width(c);
	cs->n++;
	return 0;
}

/* FIELD, or FIELD.STAT of a percentile set: the @len bytes at @name. */
static int add_name(struct cols *cs, const char *name, size_t len)
{
	const struct object *o = cs->obj;
	const struct field *f = field_find(o, name, len);
	const char *dot = memrchr(name, '.', len);
	int i;

	if (f)
		return add_col(cs, f, NULL);
	f = dot ? field_find(o, name, dot - name) : NULL;
	for (i = 0; f && f->type == FT_PCT && i < PCT_STATS; i++)
		if (strlen(pct_stats[i].name) == len - (dot + 1 - name) &&
		    !strncmp(pct_stats[i].name, dot + 1, len - (dot + 1 - name)))
			return add_col(cs, f, &pct_stats[i]);
	gs_err("no %s field '%.*s' (gpustat --list-fields lists them)", o->name, (int)len, name);
	return -1;
}

static int add_list(struct cols *cs, const char *list)
{
	const char *end;

	for (; *list; list = *end ? end + 1 : end) {
		end = list + strcspn(list, ",");
		if (add_name(cs, list, end - list))
			return -1;
	}
	return 0;
}

static int add_all(struct cols *cs)
{
	size_t i;

	for (i = 0; i < cs->obj->nfields; i++)
		if (add_col(cs, &cs->obj->fields[i], NULL))
			return -1;
	return 0;
}

int cols_parse(struct cols *cs, const struct object *o, const char *spec)
{
	cs->obj = o;
	cs->n = 0;
	if (!spec || *spec == '+') {
		if (add_list(cs, o->defaults))
			return -1;
		if (!spec)
			return 0;
		spec++;
	}
	if (!strcmp(spec, "all") ? add_all(cs) : add_list(cs, spec))
		return -1;
	if (!cs->n)
		gs_err("no %s columns: name at least one field (gpustat --list-fields)", o->name);
	return cs->n ? 0 : -1;
}

unsigned int cols_need(const struct cols *cs)
{
	unsigned int need = cs->obj->need;
	int i;

	for (i = 0; i < cs->n; i++)
		need |= cs->c[i].f->need;
	return need;
}

int cols_find(const struct cols *cs, const char *name)
{
	int i;

	for (i = 0; i < cs->n; i++)
		if (!cs->c[i].st && !strcmp(cs->c[i].f->name, name))
			return i;
	return -1;
}

char *fit_count(char *buf, size_t len, uint64_t v, int width)
{
	static const char suffix[] = "kMGTPE";
	uint64_t d = 1;
	int i;

	format_u64(buf, len, v);
	/* Never a wrong figure: wider than @width rather than "0M". */
	for (i = 0; width > 0 && (int)strlen(buf) > width && suffix[i] && v / d >= 1000; i++) {
		d *= 1000;
		format_u64_suffix(buf, len, v / d, (char[]){ suffix[i], 0 });
	}
	return buf;
}

static char *num_text(uint64_t v, enum funit unit, int width, char *buf, size_t len)
{
	switch (unit) {
	case U_NS:
		return format_duration(buf, len, v);
	case U_BYTES:
		return format_size(buf, len, v);
	case U_COUNT:
		return fit_count(buf, len, v, width);
	case U_PERCENT:
		if (!v)
			break;
		return format_u64_suffix(buf, len, v, "%");
	default:
		return format_u64(buf, len, v);
	}
	return strcpy(buf, "-");
}

static char *dbl_text(double v, enum funit unit, char *buf, size_t len)
{
	switch (unit) {
	case U_RATIO:
		return format_fixed(buf, len, v * 100, 1, "%");
	case U_RATE:	/* one decimal below 1000 a second */
		return format_fixed(buf, len, v, v < 999.95 ? 1 : 0, "");
	case U_S:
		return format_fixed(buf, len, v, 2, "s");
	default:
		snprintf(buf, len, "%g", v);
		break;
	}
	return buf;
}

/*
 * A value as text, in @buf or (a string field) the row's own; "-" for
 * none (no name, no job in a percentile set).
 */
static const char *value_text(const struct field *f, const struct pct_stat *st,
			      const void *row, int width, char *buf, size_t len)
{
	union fval v = field_get(f, row);

	switch (f->type) {
	case FT_STR:
		return *v.s ? v.s : "-";
	case FT_BOOL:
		return strcpy(buf, v.b ? "yes" : "no");
	case FT_S32:
		if (v.i >= 0)
			return format_u64(buf, len, v.i);
		buf[0] = '-';
		format_u64(buf + 1, len - 1, 0 - (uint64_t)v.i);
		return buf;
	case FT_DBL:
		return dbl_text(v.d, f->unit, buf, len);
	case FT_PCT:
		if (st->unit == U_NS && !v.p->count)
			return strcpy(buf, "-");
		return num_text(pct_get(v.p, st), st->unit, width, buf, len);
	default:
		return num_text(v.u, f->unit, width, buf, len);
	}
}

/* "value/limit" ("value/-": no limit) where the field has one. */
static const char *col_text(const struct col *c, const void *row, int width, char *buf,
			    size_t len)
{
	char v[64], l[64];

	if (!c->limit)
		return value_text(c->f, c->st, row, width, buf, len);
	snprintf(buf, len, "%s/%s", value_text(c->f, NULL, row, 0, v, sizeof(v)),
		 field_get(c->limit, row).u ? value_text(c->limit, NULL, row, 0, l, sizeof(l)) : "-");
	return buf;
}

/*
 * Appends @s to the line @buf holds (@k bytes of @len), space separated,
 * padded to @width (negative: left aligned) and cut to @prec bytes: what
 * snprintf("%*.*s") does, without its cost on every cell of a thousand
 * rows a refresh.
 */
static size_t append(char *buf, size_t len, size_t k, int width, int prec, const char *s)
{
	size_t n = strnlen(s, prec), w = abs(width), pad = w > n ? w - n : 0;

	if (k + (k ? 1 : 0) + n + pad >= len) {	/* full: nothing more, trimmed */
		memset(buf + k, ' ', len - 1 - k);
		buf[len - 1] = 0;
		return len - 1;
	}
	if (k)
		buf[k++] = ' ';
	if (width > 0) {
		memset(buf + k, ' ', pad);
		k += pad;
	}
	memcpy(buf + k, s, n);
	k += n;
	if (width < 0) {
		memset(buf + k, ' ', pad);
		k += pad;
	}
	buf[k] = 0;
	return k;
}

/* Cuts the spaces ending the line @buf (@n bytes): its new length. */
static size_t trim(char *buf, size_t n)
{
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return n;
}

void table_header(const struct cols *cs, char *buf, size_t len)
{
	char h[64];
	size_t k = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < cs->n; i++)
		k = append(buf, len, k, cs->c[i].width, sizeof(h),
			   col_header(&cs->c[i], h, sizeof(h)));
	trim(buf, k);
}

/* Names are cut to their column; figures never are. */
size_t table_row(const struct cols *cs, const void *row, char *buf, size_t len)
{
	char v[128];
	size_t k = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < cs->n; i++) {
		const struct col *c = &cs->c[i];
		int w = c->width;

		k = append(buf, len, k, w, c->f->type == FT_STR ? abs(w) : (int)sizeof(v),
			   col_text(c, row, abs(w), v, sizeof(v)));
	}
	return trim(buf, k);
}

void line_cells(const struct cols *cs, const void *row, char *buf, size_t len)
{
	char h[64], v[128];
	size_t k = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < cs->n && k + 1 < len; i++) {
		k += snprintf(buf + k, len - k, "  %s %s", col_header(&cs->c[i], h, sizeof(h)),
			      col_text(&cs->c[i], row, 0, v, sizeof(v)));
	}
}

struct sort_ctx {
	const struct col *c;
	const char *rows;
	size_t size;
	bool rev;
};

static int cmp_val(const struct col *c, const void *a, const void *b)
{
	union fval x = field_get(c->f, a), y = field_get(c->f, b);

	switch (c->f->type) {
	case FT_STR:
		return strcmp(x.s, y.s);
	case FT_S32:
		return CMP(x.i, y.i);
	case FT_DBL:
		return CMP(x.d, y.d);
	case FT_BOOL:
		return CMP(x.b, y.b);
	case FT_PCT:
		return CMP(pct_get(x.p, c->st), pct_get(y.p, c->st));
	default:
		return CMP(x.u, y.u);
	}
}

/* Ties keep the snapshot's order (by GPU and id). */
static int cmp_idx(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *x = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int r = cmp_val(x->c, x->rows + a * x->size, x->rows + b * x->size);

	if (r)
		return x->rev ? -r : r;
	return CMP(a, b);
}

void table_sort(const struct cols *cs, int col, bool rev, const void *rows,
		size_t *idx, size_t n)
{
	struct sort_ctx x = { &cs->c[col], rows, cs->obj->size, rev };
	size_t i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_idx, &x);
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
