// SPDX-License-Identifier: MIT
/*
 * The --record file: a header (magic, version, sizes, start time, the
 * refresh interval) and then struct gs_event records back to back, in the
 * order gpustat folded them: the BPF program's events, the sysfs facts
 * it added and a GS_EV_TICK at every refresh. Host byte order.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "monitor.h"
#include "units.h"

FILE *rec_create(const char *path, uint64_t interval_ns, uint64_t start_ns)
{
	struct gs_rec_header h = {
		.version = GS_REC_VERSION,
		.event_size = sizeof(struct gs_event),
		.start_ns = start_ns,
		.interval_ns = interval_ns,
		.hist_buckets = GPUCORE_HIST_BUCKETS,
	};
	struct timespec ts;
	FILE *f;

	memcpy(h.magic, GS_REC_MAGIC, sizeof(h.magic));
	clock_gettime(CLOCK_REALTIME, &ts);
	h.start_realtime_ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	f = fopen(path, "we");
	if (!f)
		return NULL;
	if (fwrite(&h, sizeof(h), 1, f) != 1) {
		fclose(f);
		return NULL;
	}
	return f;
}

int rec_write(FILE *f, const struct gs_event *ev)
{
	return fwrite(ev, sizeof(*ev), 1, f) == 1 ? 0 : -EIO;
}

/* 0, or -errno (open) / -EINVAL (not a recording) / -EPROTO (version). */
int rec_open(const char *path, struct gs_rec_header *h, FILE **fp)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (fread(h, sizeof(*h), 1, f) != 1 || memcmp(h->magic, GS_REC_MAGIC, sizeof(h->magic)))
		ret = -EINVAL;
	else if (h->version != GS_REC_VERSION || h->event_size != sizeof(struct gs_event) ||
		 h->hist_buckets != GPUCORE_HIST_BUCKETS)
		ret = -EPROTO;
	if (ret) {
		fclose(f);
		return ret;
	}
	*fp = f;
	return 0;
}

int rec_read(FILE *f, struct gs_event *ev)
{
	size_t n = fread(ev, 1, sizeof(*ev), f);

	if (n == sizeof(*ev))
		return 1;
	return n == 0 && feof(f) ? 0 : -1;
}
