/* SPDX-License-Identifier: MIT */
/*
 * gpustat's tables, shared by the batch and the interactive views.
 */
#ifndef GPUSTAT_TABLE_H
#define GPUSTAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "monitor.h"

enum vgpu_col {
	VCOL_NAME, VCOL_GPU, VCOL_WEIGHT, VCOL_TARGET, VCOL_SHARE, VCOL_CAP,
	VCOL_MEM, VCOL_CHAN, VCOL_RST, VCOL_JOBS, VCOL_P99, VCOL_COUNT
};

enum chan_col {
	CCOL_PID, CCOL_COMM, CCOL_VGPU, CCOL_CHAN, CCOL_ENGINE, CCOL_UTIL,
	CCOL_QUEUE, CCOL_JOBS, CCOL_P50, CCOL_P99, CCOL_COUNT
};

extern const char *const vgpu_cols[VCOL_COUNT];
extern const char *const chan_cols[CCOL_COUNT];

void vgpu_header(char *buf, size_t len);
void vgpu_row(char *buf, size_t len, const struct snap_vgpu *v);
void chan_header(char *buf, size_t len);
void chan_row(char *buf, size_t len, const struct snap_chan *c);
void util_bar(char *buf, size_t len, double util, int width);
/* A count in at most 3 columns: "7", "999", "12k", "9M". */
char *short_count(char *buf, size_t len, uint64_t v);
void history_line(char *buf, size_t len, const float *h, unsigned int n, int width);
void sort_vgpus(struct snap_vgpu *v, size_t n, int col, bool rev);
void sort_chans(struct snap_chan *c, size_t n, int col, bool rev);

#endif /* GPUSTAT_TABLE_H */
