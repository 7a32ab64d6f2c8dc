// SPDX-License-Identifier: MIT
/*
 * Batch mode: a plain text report per refresh, like top -b: a title line,
 * a line per engine, the vGPU and the channel tables (columns: -o; with
 * --group-by, the cgroup or process table for the channel one).
 */
#include <stdio.h>

#include "monitor.h"
#include "table.h"

static void print_gpu(FILE *f, const struct snapshot *s, const struct gs_opts *o, uint32_t gpu)
{
	char bar[64], cells[GS_LINE];
	size_t i;

	fprintf(f, "gpu%u\n", gpu);
	for (i = 0; i < s->neng; i++) {
		const struct snap_engine *e = &s->eng[i];

		if (e->gpu != gpu)
			continue;
		util_bar(bar, sizeof(bar), e->util, 30);
		line_cells(&o->cols[OBJ_ENGINE], e, cells, sizeof(cells));
		fprintf(f, "  %-9s %s%s\n", e->name, bar, cells);
	}
}

static void print_table(FILE *f, const struct cols *cs, const struct snapshot *s)
{
	char line[GS_LINE];
	size_t n, i;
	const char *rows = obj_rows(cs->obj, s, &n);

	table_header(cs, line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (i = 0; i < n; i++) {
		size_t k = table_row(cs, rows + i * cs->obj->size, line, sizeof(line) - 1);

		line[k] = '\n';
		fwrite(line, 1, k + 1, f);
	}
	fputc('\n', f);
}

int text_print(FILE *f, const struct snapshot *s, const struct gs_opts *o)
{
	char cells[GS_LINE];
	uint32_t gpu;

	line_cells(&o->cols[OBJ_GPUSTAT], s, cells, sizeof(cells));
	fprintf(f, "gpustat%s%s\n", s->replay ? " (replay)" : "", cells);
	for (gpu = 0; gpu < s->ngpus; gpu++)
		print_gpu(f, s, o, gpu);
	fputc('\n', f);
	print_table(f, &o->cols[OBJ_VGPU], s);
	print_table(f, &o->cols[o->group], s);
	return ferror(f) ? -1 : 0;
}
