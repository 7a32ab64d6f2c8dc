/* SPDX-License-Identifier: MIT */
/*
 * gpustat's text views: the columns a table or a line shows (fields of
 * fields.c, chosen by -o), their headers, values and sort order; shared
 * by the batch and the interactive views.
 */
#ifndef GPUSTAT_TABLE_H
#define GPUSTAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"

#define GS_MAX_COLS	64
#define GS_LINE		2048	/* a row of every column fits */

struct col {
	const struct field *f;
	const struct pct_stat *st;	/* FT_PCT: the statistic shown */
	const struct field *limit;	/* shown as "value/limit" */
	int width;			/* the field's or its header's; negative: left aligned */
};

struct cols {
	const struct object *obj;
	struct col c[GS_MAX_COLS];
	int n;
};

/*
 * @spec: "FIELD,..." (a percentile set's FIELD.STAT), "+FIELD,..." (after
 * the defaults) or "all"; NULL: the object's defaults. 0, or -1 with the
 * message printed.
 */
int cols_parse(struct cols *cs, const struct object *o, const char *spec);
/* What model_snapshot() must work out for the columns @cs (SN_*). */
unsigned int cols_need(const struct cols *cs);
/* The column of @cs showing field (or FIELD.STAT) @name; -1: none. */
int cols_find(const struct cols *cs, const char *name);
char *col_header(const struct col *c, char *buf, size_t len);
void table_header(const struct cols *cs, char *buf, size_t len);
/* @row under the header: its length in @buf. */
size_t table_row(const struct cols *cs, const void *row, char *buf, size_t len);
/* A line's cells: "  label value" for each column. */
void line_cells(const struct cols *cs, const void *row, char *buf, size_t len);
/* @idx: the @n rows at @rows in the order of column @col (stable). */
void table_sort(const struct cols *cs, int col, bool rev, const void *rows,
		size_t *idx, size_t n);

void util_bar(char *buf, size_t len, double util, int width);
/* A count in at most @width columns: "7", "999", "12k", "9M". */
char *fit_count(char *buf, size_t len, uint64_t v, int width);
void history_line(char *buf, size_t len, const float *h, unsigned int n, int width);

#endif /* GPUSTAT_TABLE_H */
