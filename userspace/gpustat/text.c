// SPDX-License-Identifier: MIT
/*
 * Batch mode: a plain text report per refresh, like top -b.
 */
#include <stdio.h>
#include <string.h>

#include "monitor.h"
#include "table.h"

static void print_gpu(FILE *f, const struct snapshot *s, uint32_t gpu)
{
	char bar[64];
	size_t i;

	fprintf(f, "gpu%u\n", gpu);
	for (i = 0; i < s->neng; i++) {
		const struct snap_engine *e = &s->eng[i];

		if (e->gpu != gpu)
			continue;
		util_bar(bar, sizeof(bar), e->util, 30);
		fprintf(f, "  %-9s %s  queued %u  sw %.1f%%  resets %llu  preemptions %llu\n",
			e->name, bar, e->queued, e->switch_util * 100,
			(unsigned long long)e->resets, (unsigned long long)e->preemptions);
	}
}

int text_print(FILE *f, const struct snapshot *s, const struct gs_opts *o)
{
	char line[256];
	uint32_t gpu;
	size_t i;

	fprintf(f, "gpustat%s  interval %.2fs  policy %s (%s)  events %llu  lost %llu\n",
		s->replay ? " (replay)" : "", s->interval_ns / 1e9, s->policy,
		s->policy_state, (unsigned long long)s->events,
		(unsigned long long)s->lost);
	for (gpu = 0; gpu < s->ngpus; gpu++)
		print_gpu(f, s, gpu);
	fputc('\n', f);
	vgpu_header(line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (i = 0; i < s->nvg; i++) {
		if (!snap_vgpu_match(&s->vg[i], s, o->filter))
			continue;
		vgpu_row(line, sizeof(line), &s->vg[i]);
		fprintf(f, "%s\n", line);
	}
	fputc('\n', f);
	chan_header(line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (i = 0; i < s->nch; i++) {
		if (!snap_chan_match(&s->ch[i], o->filter))
			continue;
		chan_row(line, sizeof(line), &s->ch[i]);
		fprintf(f, "%s\n", line);
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
