// SPDX-License-Identifier: MIT
/*
 * Where gpustat's aggregates come from:
 *   live    each refresh runs gs_pull, which copies the driver's job
 *           counts and histograms into the BPF program's maps, where its
 *           tracepoint programs fold switches and objects as they happen;
 *           then gpustat copies them: engines, vGPUs and the channels
 *           the pull saw straight from the mmapped .bss, vGPU histograms
 *           by lookup, channel histograms from a ring buffer, and the
 *           channel map only when a channel went. No BPF program runs per
 *           job.
 *   record  the BPF program also sends every event to a ring buffer;
 *           gpustat folds them itself (gs_apply(), as the program does)
 *           and writes them to the file with the sysfs facts and ticks
 *   replay  the file's events, folded the same way, up to each tick
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gpucore_dev.h"
#include "monitor.h"
#include "units.h"
#include "gpustat.skel.h"

struct source {
	enum src_kind kind;
	struct gs_model *m;
	struct gpustat_bpf *skel;
	struct ring_buffer *rb;
	struct ring_buffer *hrb;	/* live: channels' histograms */
	FILE *rec;
	bool rec_failed;
	bool pull_failed;
	uint64_t gone;		/* live: gs_gone at the last read of the map */
	FILE *in;
	struct gs_rec_header hdr;
	uint64_t pending;	/* replay: events folded since the last tick */
	uint64_t last_ts;
};

struct gs_model *source_model(struct source *src)
{
	return src->m;
}

enum src_kind source_kind(const struct source *src)
{
	return src->kind;
}

uint64_t source_interval_ns(const struct source *src)
{
	return src->hdr.interval_ns;
}

static void fold(struct source *src, const struct gs_event *ev)
{
	model_apply(src->m, ev);
	if (src->rec && !src->rec_failed && rec_write(src->rec, ev)) {
		gs_err("cannot write the recording: %s", strerror(EIO));
		src->rec_failed = true;
	}
}

static void fold_cb(const struct gs_event *ev, void *arg)
{
	fold(arg, ev);
}

static int ring_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct gs_event))
		fold(ctx, data);
	return 0;
}

/* A live channel's histograms, from gs_pull or its destruction. */
static int hist_event(void *ctx, void *data, size_t size)
{
	const struct gs_hist_rec *r = data;
	struct gs_mchan *mc;

	if (size < sizeof(*r))
		return 0;
	mc = model_chan(ctx, r->channel, true);
	if (!mc)
		return 0;
	gpucore_hist_copy(&mc->h.wait, &r->h.wait);
	gpucore_hist_copy(&mc->h.lat, &r->h.lat);
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!gs_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool may_load_bpf(void)
{
	return geteuid() == 0;
}

static int load_bpf(struct source *src, bool record)
{
	int ret;

	libbpf_set_print(libbpf_print);
	ret = tpbtf_init(GPUCORE_DRIVER_NAME);
	if (ret && gs_verbose)
		gs_err("resolving the tracepoints the slow way: %s", strerror(-ret));
	src->skel = gpustat_bpf__open();
	if (!src->skel) {
		gs_err("cannot open the telemetry BPF program: %s", strerror(errno));
		return GS_ERR;
	}
	src->skel->rodata->gs_record = record;
	if (!record) {
		bpf_map__set_max_entries(src->skel->maps.gs_events, 4096);
		/* gs_pull copies what these would count. */
		bpf_program__set_autoattach(src->skel->progs.gs_job_submit, false);
		bpf_program__set_autoattach(src->skel->progs.gs_job_complete, false);
	} else {
		bpf_map__set_max_entries(src->skel->maps.gs_chists, 4096);
	}
	ret = gpustat_bpf__load(src->skel);
	if (ret == -EPERM || (ret && !may_load_bpf())) {
		gs_err("not allowed to load BPF programs: run gpustat as root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN), or use --replay FILE");
		return GS_NO_PRIV;
	}
	if (ret) {
		gs_err("the kernel refused the telemetry BPF program (%s): is the loaded gpucore module built with BTF? (-v shows libbpf's log)",
		       strerror(-ret));
		return GS_ERR;
	}
	ret = gpustat_bpf__attach(src->skel);
	if (ret) {
		gs_err("cannot attach to the gpucore tracepoints (%s): load a current kmod/gpucore.ko",
		       strerror(-ret));
		return GS_ERR;
	}
	return GS_OK;
}

int source_open_live(struct source **srcp, const char *record_path)
{
	struct source *src;
	int ret;

	if (!gcu_driver_loaded()) {
		gs_err("gpucore driver not loaded: insmod kmod/gpucore.ko (after modprobe drm_shmem_helper)");
		return GS_NO_DRIVER;
	}
	src = calloc(1, sizeof(*src));
	if (!src || !(src->m = model_new())) {
		free(src);
		gs_err("out of memory");
		return GS_ERR;
	}
	src->kind = record_path ? SRC_RECORD : SRC_LIVE;
	*srcp = src;
	ret = load_bpf(src, record_path);
	if (ret)
		return ret;
	src->m->prev_ts = mono_ns();
	if (!record_path) {
		src->hrb = ring_buffer__new(bpf_map__fd(src->skel->maps.gs_chists),
					    hist_event, src->m, NULL);
		if (!src->hrb) {
			gs_err("cannot read the histograms' ring buffer: %s", strerror(errno));
			return GS_ERR;
		}
	} else {
		src->rb = ring_buffer__new(bpf_map__fd(src->skel->maps.gs_events),
					   ring_event, src, NULL);
		src->rec = rec_create(record_path, 0, src->m->prev_ts);
		if (!src->rb || !src->rec) {
			gs_err("cannot record to %s: %s", record_path, strerror(errno));
			return GS_ERR;
		}
	}
	sysfs_scan(true, fold_cb, src);
	return GS_OK;
}

/* Set the interval a recording says it was made with (main knows it late). */
void source_set_interval(struct source *src, uint64_t interval_ns)
{
	if (!src->rec)
		return;
	src->hdr.interval_ns = interval_ns;
	if (!fseek(src->rec, offsetof(struct gs_rec_header, interval_ns), SEEK_SET)) {
		fwrite(&interval_ns, sizeof(interval_ns), 1, src->rec);
		fseek(src->rec, 0, SEEK_END);
	}
}

int source_open_replay(struct source **srcp, const char *path)
{
	struct source *src = calloc(1, sizeof(*src));
	int ret;

	if (!src || !(src->m = model_new())) {
		free(src);
		gs_err("out of memory");
		return GS_ERR;
	}
	*srcp = src;
	src->kind = SRC_REPLAY;
	ret = rec_open(path, &src->hdr, &src->in);
	if (ret == -EINVAL) {
		gs_err("%s is not a gpustat recording (make one with gpustat --record FILE)", path);
		return GS_BAD_FILE;
	}
	if (ret == -EPROTO) {
		gs_err("%s was recorded by another gpustat version (format %u, this one reads %u)",
		       path, src->hdr.version, GS_REC_VERSION);
		return GS_BAD_FILE;
	}
	if (ret) {
		gs_err("cannot open %s: %s", path, strerror(-ret));
		return GS_BAD_FILE;
	}
	src->m->prev_ts = src->hdr.start_ns;
	return GS_OK;
}

void source_close(struct source *src)
{
	if (!src)
		return;
	ring_buffer__free(src->rb);
	ring_buffer__free(src->hrb);
	gpustat_bpf__destroy(src->skel);
	tpbtf_exit();
	if (src->rec && fclose(src->rec))
		gs_err("cannot write the recording: %s", strerror(errno));
	if (src->in)
		fclose(src->in);
	model_free(src->m);
	free(src);
}

/* Fold one channel record into the model: false when out of memory. */
static bool chan_update(struct gs_model *m, uint32_t key, const struct gs_chan *c)
{
	struct gs_mchan *mc = model_chan(m, key, true);

	if (!mc)
		return false;
	mc->c = *c;
	mc->present = true;
	return true;
}

/* The same for a record read from the map: a gone channel's key goes to @dead. */
static bool map_record(struct gs_model *m, uint32_t key, const struct gs_chan *c,
		       uint32_t **dead, size_t *ndead)
{
	uint32_t *d;

	if (!chan_update(m, key, c))
		return false;
	if (c->dead && (d = reallocarray(*dead, *ndead + 1, sizeof(**dead)))) {
		*dead = d;
		d[(*ndead)++] = key;
	}
	return true;
}

/*
 * Read every channel record from the map: BPF_MAP_LOOKUP_BATCH, CHAN_BATCH
 * records a system call (one call per record was most of gpustat's time
 * with a thousand channels); one by one where the kernel lacks batch
 * lookups. Gone channels' records are deleted once read.
 */
#define CHAN_BATCH	128

static void read_map_channels(struct source *src)
{
	static uint32_t keys[CHAN_BATCH];
	static struct gs_chan vals[CHAN_BATCH];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct gs_model *m = src->m;
	int fd = bpf_map__fd(src->skel->maps.gs_chans), ret;
	uint32_t key, next, *dead = NULL, n, batch;
	size_t ndead = 0, i;
	bool first = true, ok = true;

	do {
		n = CHAN_BATCH;
		ret = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &n, &opts);
		if (ret && errno != ENOENT)
			break;
		for (i = 0; i < n && ok; i++)
			ok = map_record(m, keys[i], &vals[i], &dead, &ndead);
		first = false;
	} while (!ret && ok);
	if (ret && errno != ENOENT) {
		first = true;
		while (ok && !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
			struct gs_chan c;

			first = false;
			key = next;
			if (!bpf_map_lookup_elem(fd, &key, &c))
				ok = map_record(m, key, &c, &dead, &ndead);
		}
	}
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(fd, &dead[i]);
	free(dead);
}

/* The records gs_pull saw, from its snapshot in the mmapped .bss. */
static void read_snap_channels(struct source *src)
{
	const struct gpustat_bpf__bss *bss = src->skel->bss;
	uint32_t i, n = bss->gs_snap_n < GS_MAX_CHANNELS ? bss->gs_snap_n : GS_MAX_CHANNELS;

	for (i = 0; i < n; i++)
		if (!chan_update(src->m, bss->gs_snap[i].id, &bss->gs_snap[i]))
			break;
}

/*
 * Every channel's record: from the snapshot the pull just made, or, when
 * a channel went since the last look (or the pull failed), from the map,
 * which alone keeps a gone channel's last record. A channel in neither
 * is gone.
 */
static void read_channels(struct source *src, bool pulled)
{
	uint64_t gone = __atomic_load_n(&src->skel->bss->gs_gone, __ATOMIC_ACQUIRE);
	struct gs_model *m = src->m;
	size_t i;

	for (i = 0; i < m->nchans; i++)
		m->chans[i]->present = false;
	if (pulled && gone == src->gone) {
		read_snap_channels(src);
	} else {
		src->gone = gone;
		read_map_channels(src);
	}
	for (i = 0; i < m->nchans; i++)
		if (!m->chans[i]->present)
			m->chans[i]->c.dead = 1;
}

/*
 * Copy the driver's counts and histograms (gs_pull), as many runs as
 * gs_chists needs emptying in between. Returns whether it did.
 */
static bool pull(struct source *src)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_program__fd(src->skel->progs.gs_pull);

	do {
		if (bpf_prog_test_run_opts(fd, &opts)) {
			if (!src->pull_failed)
				gs_err("cannot read the driver's counters: %s", strerror(errno));
			src->pull_failed = true;
			return false;
		}
		ring_buffer__consume(src->hrb);
	} while (src->skel->bss->gs_pull_resume);
	return true;
}

static void read_maps(struct source *src)
{
	struct gs_model *m = src->m;
	const struct gpustat_bpf__bss *bss = src->skel->bss;
	int fd = bpf_map__fd(src->skel->maps.gs_vhists);
	bool pulled = pull(src);
	uint32_t i;

	memcpy(m->eng, bss->gs_engines, sizeof(m->eng));
	memcpy(m->vg, bss->gs_vgpus, sizeof(m->vg));
	m->glob = bss->gs_global;
	for (i = 0; i < GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS; i++)
		if (m->vg[i].seen)
			bpf_map_lookup_elem(fd, &i, &m->vh[i]);
	read_channels(src, pulled);
}

/* @pid's cgroup v2 path, the "0::" line of /proc/PID/cgroup; "": none. */
static void read_cgroup(int32_t pid, char *buf, size_t len)
{
	char path[64], line[GS_CGROUP_LEN + 8];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = pid > 0 ? fopen(path, "re") : NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(buf, len, "%.*s", (int)len - 1, line + 3);
		break;
	}
	fclose(f);
}

/*
 * The cgroup (container) of each new channel's process, read once, when
 * gpustat first sees the channel (no tracepoint carries it), and folded
 * as events, so a recording keeps it and a replay shows what was read.
 */
static void scan_cgroups(struct source *src)
{
	struct gs_model *m = src->m;
	struct gs_event ev = { .type = GS_EV_CHAN_CGROUP };
	char path[GS_CGROUP_LEN] = "";
	int32_t last = 0;
	size_t i, off, n;

	for (i = 0; i < m->nchans; i++) {
		const struct gs_mchan *mc = m->chans[i];

		if (mc->cgroup_known && mc->cgroup_pid == mc->c.pid)
			continue;
		if (!i || mc->c.pid != last)	/* a process's channels are neighbours */
			read_cgroup(mc->c.pid, path, sizeof(path));
		last = mc->c.pid;
		ev.channel = mc->c.id;
		ev.aux = mc->c.pid;
		n = strlen(path) + 1;
		for (off = 0; off < n; off += GS_NAME_LEN) {
			ev.aux2 = off;
			memset(ev.name, 0, sizeof(ev.name));
			memcpy(ev.name, path + off, n - off < GS_NAME_LEN ? n - off : GS_NAME_LEN);
			fold(src, &ev);
		}
	}
}

static int replay_update(struct source *src, uint64_t *now)
{
	struct gs_event ev;
	int ret;

	while ((ret = rec_read(src->in, &ev)) == 1) {
		if (ev.type == GS_EV_TICK) {
			*now = ev.ts;
			src->pending = 0;
			return 1;
		}
		model_apply(src->m, &ev);
		src->pending++;
		if (ev.ts > src->last_ts)
			src->last_ts = ev.ts;
	}
	if (ret < 0)
		gs_err("the recording ends with a truncated event");
	if (!src->pending)
		return 0;
	*now = src->last_ts;
	src->pending = 0;
	return 1;
}

void source_read(struct source *src, uint64_t *now)
{
	if (src->kind == SRC_REPLAY) {
		*now = src->m->prev_ts;
		return;
	}
	*now = mono_ns();
	if (src->kind == SRC_LIVE) {
		read_maps(src);
	} else {
		ring_buffer__consume(src->rb);
		src->m->glob.lost = src->skel->bss->gs_global.lost;
	}
	scan_cgroups(src);
	sysfs_scan(false, fold_cb, src);
}

int source_update(struct source *src, uint64_t *now)
{
	struct gs_event tick = { .type = GS_EV_TICK };

	if (src->kind == SRC_REPLAY)
		return replay_update(src, now);
	source_read(src, now);
	if (src->kind == SRC_LIVE)
		return 1;
	tick.ts = *now;
	fold(src, &tick);
	fflush(src->rec);
	return 1;
}

void source_poll(struct source *src)
{
	if (src->rb)
		ring_buffer__consume(src->rb);
}
