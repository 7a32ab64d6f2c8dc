/* SPDX-License-Identifier: MIT */
/*
 * gpustat's fields: one descriptor per fact it shows, in one table per
 * object (the refresh itself, an engine, a vGPU, a channel, a process,
 * a cgroup). The tables are the only list of them: the JSON keys, the
 * Prometheus metrics, the text views' columns and lines, their sorting
 * and --list-fields (the docs/gpustat.md's field reference) are all drawn
 * from them. A field missing from an output says why in its entry.
 */
#ifndef GPUSTAT_FIELDS_H
#define GPUSTAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gs_pct;
struct snapshot;

enum ftype {
	FT_U32,
	FT_S32,
	FT_U64,
	FT_DBL,
	FT_BOOL,
	FT_STR,		/* a char array */
	FT_PCT,		/* struct gs_pct: a JSON object, a column per statistic */
};

/* What a value means: how the text views show it, how Prometheus scales it. */
enum funit {
	U_NONE,		/* a plain number (or a string, a flag) */
	U_ID,		/* an identifier: never abbreviated */
	U_COUNT,	/* abbreviated (12k) where its column is too narrow */
	U_NS,		/* nanoseconds; seconds in Prometheus */
	U_S,		/* seconds */
	U_BYTES,
	U_RATIO,	/* 0..1, shown as a percentage */
	U_PERCENT,	/* whole percent, 0: none; a ratio in Prometheus */
	U_RATE,		/* per second */
};

enum pkind {
	PK_NONE,	/* not in Prometheus: .no_prom says why */
	PK_LABEL,	/* .prom is a label of every series of the object */
	PK_INFO,	/* .prom is a label of the object's info metric */
	PK_COUNTER,
	PK_GAUGE,
	PK_HISTOGRAM,	/* an FT_PCT whose whole histogram .hist points to */
	PK_SUMMARY,	/* an FT_PCT: its quantiles, _sum and _count */
};

struct field {
	const char *name;	/* its JSON key ("a.b": b in the object a); -o */
	const char *help;	/* what it is: Prometheus HELP, --list-fields */
	enum ftype type;
	enum funit unit;
	size_t off;		/* in the object's snapshot struct */
	size_t hist;		/* PK_HISTOGRAM: offset of a const struct gpucore_hist * */
	enum pkind kind;
	const char *prom;	/* metric name; label name (PK_LABEL, PK_INFO) */
	const char *col;	/* column header, or label on a line; FT_PCT: the
				   prefix of its statistics' headers */
	int width;		/* column width, negative: left aligned */
	const char *limit;	/* the column shows "value/limit", limit the
				   field so named (its 0: none) */
	const char *no_json;	/* why it is not in JSON; NULL: it is */
	const char *no_prom;	/* why it is not in Prometheus (PK_NONE) */
	unsigned int need;	/* what model_snapshot() works out for it (SN_*) */
};

/* The statistics of an FT_PCT field: JSON keys, columns, quantiles. */
struct pct_stat {
	const char *name;	/* JSON key; -o FIELD.NAME */
	const char *col;	/* header, after the field's prefix */
	size_t off;		/* uint64_t in struct gs_pct */
	enum funit unit;
	const char *quantile;	/* in a Prometheus summary; NULL: not one */
};

#define PCT_STATS	5
extern const struct pct_stat pct_stats[PCT_STATS];

enum obj_id { OBJ_GPUSTAT, OBJ_ENGINE, OBJ_VGPU, OBJ_CHAN, OBJ_PROC, OBJ_CGROUP, OBJ_COUNT };

struct object {
	const char *name;	/* -o NAME=...; --list-fields */
	const char *where;	/* where its rows show, for --list-fields */
	const struct field *fields;
	size_t nfields;
	size_t size;		/* of a row: its snapshot struct */
	size_t rows;		/* offsets in struct snapshot of the rows and */
	size_t nrows;		/* their count; 0: the snapshot is the one row */
	bool line;		/* text: "label value" cells on a line, no table */
	const char *defaults;	/* the columns shown unless -o says */
	const char *sort;	/* the interactive view sorts by it first */
	const char *info;	/* the info metric of its PK_INFO fields */
	const char *info_help;
	unsigned int need;	/* what model_snapshot() works out for its rows */
};

extern const struct object *const objects[OBJ_COUNT];

union fval {
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	const char *s;
	const struct gs_pct *p;
};

/* @o's rows in @s (an array of o->size bytes each), their number in *n. */
const void *obj_rows(const struct object *o, const struct snapshot *s, size_t *n);
/* @o's field named by the @len bytes at @name; NULL: none. */
const struct field *field_find(const struct object *o, const char *name, size_t len);
union fval field_get(const struct field *f, const void *row);
/* The value as Prometheus has it: ns as seconds, percent as a ratio. */
double field_scaled(const struct field *f, const void *row);
/* An integer Prometheus shows exactly (neither scaled nor a double). */
bool field_integral(const struct field *f);
/* A statistic of a percentile set. */
uint64_t pct_get(const struct gs_pct *p, const struct pct_stat *st);

/* --list-fields: the tables in Markdown; -1 if one is inconsistent. */
int fields_list(FILE *f);

#endif /* GPUSTAT_FIELDS_H */
