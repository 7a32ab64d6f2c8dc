// SPDX-License-Identifier: MIT
/*
 * gpustat --list-fields: the field reference of docs/gpustat.md, printed
 * from the tables of fields.c with the headers the text views give each
 * column, and the rules the outputs rely on, checked for every field.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "table.h"

static const char *const unit_names[] = {
	[U_NONE] = "", [U_ID] = "id", [U_COUNT] = "count", [U_NS] = "ns", [U_S] = "s",
	[U_BYTES] = "bytes", [U_RATIO] = "ratio", [U_PERCENT] = "%", [U_RATE] = "/s",
};

static const char *const kind_names[] = {
	[PK_COUNTER] = "counter", [PK_GAUGE] = "gauge",
	[PK_HISTOGRAM] = "histogram", [PK_SUMMARY] = "summary",
};

static const char *unit_name(const struct field *f)
{
	if (f->type == FT_PCT)
		return "PCT";
	if (f->type == FT_STR)
		return "string";
	if (f->type == FT_BOOL)
		return "bool";
	return unit_names[f->unit];
}

static void list_prom(FILE *out, const struct object *o, const struct field *f)
{
	switch (f->kind) {
	case PK_NONE:
		fprintf(out, "no: %s", f->no_prom);
		break;
	case PK_LABEL:
		fprintf(out, "label `%s`", f->prom);
		break;
	case PK_INFO:
		fprintf(out, "label `%s` of `%s`", f->prom, o->info);
		break;
	default:
		fprintf(out, "`%s` %s", f->prom, kind_names[f->kind]);
		break;
	}
}

static void list_col(FILE *out, const struct field *f)
{
	char h[64];
	int i;

	if (f->type != FT_PCT) {
		fprintf(out, "`%s`", f->col);
		return;
	}
	for (i = 0; i < PCT_STATS; i++) {
		col_header(&(struct col){ .f = f, .st = &pct_stats[i] }, h, sizeof(h));
		fprintf(out, "%s`%s`", i ? ", " : "", h);
	}
}

static void list_object(FILE *out, const struct object *o)
{
	size_t i;

	fprintf(out, "\n### %s\n\n%s; `-o %s=` (default `%s`).\n\n", o->name, o->where,
		o->name, o->defaults);
	fputs("| field | unit | Prometheus | text | meaning |\n", out);
	fputs("| --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < o->nfields; i++) {
		const struct field *f = &o->fields[i];

		fprintf(out, "| `%s`", f->name);
		if (f->no_json)
			fprintf(out, " (not in JSON: %s)", f->no_json);
		fprintf(out, " | %s | ", unit_name(f));
		list_prom(out, o, f);
		fputs(" | ", out);
		list_col(out, f);
		fprintf(out, " | %s |\n", f->help);
	}
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), k = strlen(end);

	return n >= k && !strcmp(s + n - k, end);
}

/* Fits a Markdown table cell, a HELP line. */
static bool cell_ok(const char *s)
{
	return !s || !strpbrk(s, "|\n");
}

/* Each rule the outputs rely on; false with a message if @f breaks one. */
static bool field_ok(const struct object *o, const struct field *f)
{
	bool pct = f->type == FT_PCT, hist = f->kind == PK_HISTOGRAM;
	bool spread = hist || f->kind == PK_SUMMARY;
	const char *why = NULL;

	if (!f->help || !f->col || !cell_ok(f->help) || !cell_ok(f->no_json) ||
	    !cell_ok(f->no_prom))
		why = "needs a help text and a column, and texts of one line without '|'";
	else if ((f->kind == PK_NONE) != !!f->no_prom || (f->kind == PK_NONE) == !!f->prom)
		why = "has either a Prometheus name or a reason it has none";
	else if (spread ? !pct : pct && f->kind != PK_NONE)
		why = "is a histogram or summary in Prometheus if and only if it is a percentile set";
	else if (hist != !!f->hist || (f->kind == PK_INFO && !o->info))
		why = "lacks its histogram or info metric";
	else if (f->kind == PK_COUNTER && !ends_with(f->prom, "_total"))
		why = "is a counter not named ..._total";
	else if (!o->line == !f->width || (f->limit && !field_find(o, f->limit, strlen(f->limit))))
		why = "has a width only in a table, and a limit that exists";
	else if (field_find(o, f->name, strlen(f->name)) != f)
		why = "has the name of another field";
	if (why)
		fprintf(stderr, "gpustat: %s field %s %s\n", o->name, f->name, why);
	return !why;
}

int fields_list(FILE *out)
{
	struct cols cs;
	bool ok = true;
	int i;
	size_t k;

	fputs("<!-- gpustat --list-fields: generated from userspace/gpustat/fields.c -->\n", out);
	for (i = 0; i < OBJ_COUNT; i++) {
		for (k = 0; k < objects[i]->nfields; k++)
			ok &= field_ok(objects[i], &objects[i]->fields[k]);
		ok &= !cols_parse(&cs, objects[i], NULL);
		list_object(out, objects[i]);
	}
	fputs("<!-- end of gpustat --list-fields -->\n", out);
	return ok ? 0 : -1;
}
