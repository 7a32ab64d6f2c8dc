// SPDX-License-Identifier: MIT
/*
 * gpuload channels: setup, the per-channel submission thread, teardown.
 *
 * A channel keeps up to cfg->depth jobs in flight in a ring of slots. Slot
 * i owns bytes [i * slice, (i + 1) * slice) of each data BO, so a FILL or
 * COPY job can be checked when it completes even while later jobs of the
 * channel are writing their own slices.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xf86drm.h>

#include "gpuload.h"
#include "units.h"

#define GL_MAX_MSGS	10	/* error lines per channel before going quiet */

static const char *const job_state_names[] = {
	[GPUCORE_JOB_QUEUED] = "queued",
	[GPUCORE_JOB_RUNNING] = "running",
	[GPUCORE_JOB_DONE] = "done",
};

static int dev_fd(const struct gl_chan *ch)
{
	return ch->run->dev.fd;
}

static const struct gl_config *cfg_of(const struct gl_chan *ch)
{
	return ch->run->cfg;
}

static const char *state_name(uint32_t state)
{
	if (state < sizeof(job_state_names) / sizeof(job_state_names[0]) &&
	    job_state_names[state])
		return job_state_names[state];
	return "invalid";
}

/* A verification or job error: one line, up to GL_MAX_MSGS per channel. */
__attribute__((format(printf, 2, 3)))
static void chan_msg(struct gl_chan *ch, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (ch->nmsgs++ > GL_MAX_MSGS)
		return;
	if (ch->nmsgs > GL_MAX_MSGS) {
		gl_err("channel %u: more errors, not shown", ch->index);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gl_err("channel %u: %s", ch->index, buf);
}

/* An ioctl failed: report it, stop this channel and the whole run. */
static void chan_fatal(struct gl_chan *ch, const char *what, int err)
{
	gl_err("channel %u: %s failed: %s", ch->index, what, strerror(-err));
	ch->fatal = EXIT_IOCTL;
	atomic_store(&gl_stop, true);
}

/* xorshift64*: per-channel, seeded from the channel index. */
static uint64_t chan_rand(struct gl_chan *ch)
{
	uint64_t x = ch->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ch->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t spin_ns(struct gl_chan *ch)
{
	const struct gl_config *cfg = cfg_of(ch);
	uint64_t span = cfg->spin_max_ns - cfg->spin_min_ns;

	if (!span)
		return cfg->spin_min_ns;
	return cfg->spin_min_ns + chan_rand(ch) % (span + 1);
}

/*
 * The job's FILL pattern: channel index in the top byte, job number below,
 * so a wrong value in a BO says whose it was. Never equal to what the slot's
 * slices already hold, so a job that did not write is always caught.
 */
static uint32_t job_value(const struct gl_chan *ch, const struct gl_slot *slot)
{
	uint32_t v = ((ch->index + 1) & 0xff) << 24 |
		     ((ch->submitted + 1) & 0xffffff);

	while (v == slot->src_value || v == slot->dst_value || !v)
		v++;
	return v;
}

static enum gl_kind job_kind(const struct gl_chan *ch)
{
	enum gl_kind kind = cfg_of(ch)->kind;

	if (kind == GL_KIND_MIX)
		return (enum gl_kind)(ch->submitted % 3);
	return kind;
}

static unsigned int build_job(struct gl_chan *ch, struct gl_slot *slot,
			      unsigned int idx, struct drm_gpucore_cmd *cmds)
{
	uint64_t off = idx * ch->slice;

	memset(cmds, 0, 2 * sizeof(*cmds));
	slot->kind = job_kind(ch);
	if (slot->kind == GL_KIND_SPIN) {
		uint64_t every = cfg_of(ch)->nopreempt;

		cmds[0].op = GPUCORE_CMD_SPIN;
		cmds[0].size = spin_ns(ch);
		if (every && ++ch->spins % every == 0)
			cmds[0].flags = GPUCORE_CMD_NOPREEMPT;
		return 1;
	}
	slot->value = job_value(ch, slot);
	cmds[0].op = GPUCORE_CMD_FILL;
	cmds[0].dst_handle = ch->bo[0];
	cmds[0].dst_offset = off;
	cmds[0].size = ch->slice;
	cmds[0].value = slot->value;
	slot->src_value = slot->value;
	if (slot->kind == GL_KIND_FILL)
		return 1;
	cmds[1].op = GPUCORE_CMD_COPY;
	cmds[1].src_handle = ch->bo[0];
	cmds[1].dst_handle = ch->bo[1];
	cmds[1].src_offset = off;
	cmds[1].dst_offset = off;
	cmds[1].size = ch->slice;
	slot->dst_value = slot->value;
	return 2;
}

/* Seqnos of a channel's jobs must count up by one from the first. */
static void check_submit_seqno(struct gl_chan *ch, uint64_t seqno)
{
	uint64_t want = ch->last_seqno + 1;

	if (!ch->submitted || seqno == want)
		return;
	if (seqno < want) {
		ch->c.duplicated++;
		chan_msg(ch, "SUBMIT returned seqno %" PRIu64 ", already used (expected %" PRIu64 ")",
			 seqno, want);
	} else {
		ch->c.inconsistent++;
		chan_msg(ch, "SUBMIT returned seqno %" PRIu64 ", expected %" PRIu64,
			 seqno, want);
	}
}

static void submit_job(struct gl_chan *ch)
{
	const struct gl_config *cfg = cfg_of(ch);
	unsigned int idx = (ch->head + ch->inflight) % cfg->depth;
	struct gl_slot *slot = &ch->slots[idx];
	struct drm_gpucore_cmd cmds[2];
	struct drm_gpucore_job job = { 0 };
	struct drm_gpucore_submit sub = { 0 };
	int ret;

	job.cmds_ptr = (uintptr_t)cmds;
	job.num_cmds = build_job(ch, slot, idx, cmds);
#ifdef GPULOAD_FAULT_INJECT
	/* Test builds only: the 6th job writes a pattern --verify must catch. */
	if (ch->submitted == 5 && cmds[0].op == GPUCORE_CMD_FILL)
		cmds[0].value ^= 1;
#endif
	if (cfg->sync == GL_SYNC_SYNCOBJ) {
		job.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		job.out_syncobj = slot->syncobj;
	}
	sub.channel = ch->handle;
	sub.jobs_ptr = (uintptr_t)&job;
	sub.num_jobs = 1;
	ret = gcu_ioctl(dev_fd(ch), DRM_IOCTL_GPUCORE_SUBMIT, &sub);
	if (ret) {
		chan_fatal(ch, "DRM_IOCTL_GPUCORE_SUBMIT", ret);
		return;
	}
	check_submit_seqno(ch, sub.seqno);
	slot->seqno = sub.seqno;
	ch->last_seqno = sub.seqno;
	ch->submitted++;
	ch->inflight++;
}

static int wait_job(struct gl_chan *ch, struct gl_slot *slot, const char **what)
{
	int64_t deadline = (int64_t)(mono_ns() + cfg_of(ch)->timeout_ns);
	struct drm_gpucore_wait w = { 0 };

	if (cfg_of(ch)->sync == GL_SYNC_SYNCOBJ) {
		*what = "drmSyncobjWait";
		return drmSyncobjWait(dev_fd(ch), &slot->syncobj, 1, deadline,
				      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
	}
	*what = "DRM_IOCTL_GPUCORE_WAIT";
	w.channel = ch->handle;
	w.seqno = slot->seqno;
	w.timeout_ns = deadline;
	return gcu_ioctl(dev_fd(ch), DRM_IOCTL_GPUCORE_WAIT, &w);
}

/* The oldest job did not complete in time: it and the later ones are lost. */
static void chan_stuck(struct gl_chan *ch, const struct gl_slot *slot)
{
	char t[32];

	chan_msg(ch, "job %" PRIu64 " not complete after %s; %u job(s) in flight counted as lost",
		 slot->seqno, format_duration(t, sizeof(t), cfg_of(ch)->timeout_ns),
		 ch->inflight);
	ch->c.lost += ch->inflight;
	ch->inflight = 0;
	ch->stuck = true;
}

/* First word of @len bytes at @p that is not @want; -1 when all match. */
static int64_t find_mismatch(const uint8_t *p, uint64_t len, uint32_t want,
			     uint64_t *nbad)
{
	const uint32_t *w = (const uint32_t *)p;
	int64_t first = -1;
	uint64_t i;

	*nbad = 0;
	for (i = 0; i < len / 4; i++) {
		if (w[i] == want)
			continue;
		if (first < 0)
			first = (int64_t)i * 4;
		(*nbad)++;
	}
	return first;
}

static bool check_slice(struct gl_chan *ch, const struct gl_slot *slot,
			unsigned int idx, int bo)
{
	const uint8_t *p = ch->map[bo] + idx * ch->slice;
	uint64_t nbad;
	int64_t off = find_mismatch(p, ch->slice, slot->value, &nbad);
	uint32_t got;

	if (off < 0)
		return true;
	memcpy(&got, p + off, sizeof(got));
	chan_msg(ch, "job %" PRIu64 " (%s): %s BO offset %" PRIu64 ": expected 0x%08x, found 0x%08x (%" PRIu64 " of %" PRIu64 " words wrong)",
		 slot->seqno, gl_kind_name(slot->kind), bo ? "dst" : "src",
		 idx * ch->slice + (uint64_t)off, slot->value, got, nbad,
		 ch->slice / 4);
	return false;
}

static void verify_data(struct gl_chan *ch, const struct gl_slot *slot,
			unsigned int idx)
{
	bool ok;

	if (slot->kind == GL_KIND_SPIN)
		return;
	ok = check_slice(ch, slot, idx, 0);
	if (slot->kind == GL_KIND_COPY)
		ok = check_slice(ch, slot, idx, 1) && ok;
	if (!ok)
		ch->c.mismatches++;
}

/* A job the wait said is complete must say so too. */
static bool check_state(struct gl_chan *ch, const struct gl_slot *slot,
			const struct drm_gpucore_job_query *q)
{
	if (q->state == GPUCORE_JOB_DONE)
		return true;
	ch->c.inconsistent++;
	chan_msg(ch, "job %" PRIu64 " reported complete by the wait, but JOB_QUERY state is %s",
		 slot->seqno, state_name(q->state));
	return false;
}

static bool check_times(struct gl_chan *ch, const struct gl_slot *slot,
			const struct drm_gpucore_job_query *q)
{
	if (!q->start_ns || q->start_ns < q->submit_ns || q->end_ns < q->start_ns) {
		ch->c.inconsistent++;
		chan_msg(ch, "job %" PRIu64 " has inconsistent times: submit %" PRIu64 " start %" PRIu64 " end %" PRIu64,
			 slot->seqno, (uint64_t)q->submit_ns,
			 (uint64_t)q->start_ns, (uint64_t)q->end_ns);
		return false;
	}
	return true;
}

/* Jobs of a channel run one after the other, in seqno order. */
static void check_order(struct gl_chan *ch, const struct gl_slot *slot,
			const struct drm_gpucore_job_query *q)
{
	if (q->end_ns < ch->last_end_ns) {
		ch->c.inconsistent++;
		chan_msg(ch, "job %" PRIu64 " completed at %" PRIu64 ", before job %" PRIu64 " (at %" PRIu64 ")",
			 slot->seqno, (uint64_t)q->end_ns, ch->done_seqno,
			 ch->last_end_ns);
	} else if (cfg_of(ch)->verify && q->start_ns < ch->last_end_ns) {
		ch->c.inconsistent++;
		chan_msg(ch, "job %" PRIu64 " started at %" PRIu64 ", before job %" PRIu64 " completed (at %" PRIu64 ")",
			 slot->seqno, (uint64_t)q->start_ns, ch->done_seqno,
			 ch->last_end_ns);
	}
	if (q->end_ns > ch->last_end_ns)
		ch->last_end_ns = q->end_ns;
}

static void record_samples(struct gl_chan *ch,
			   const struct drm_gpucore_job_query *q)
{
	if (u64_vec_push(&ch->wait_ns, q->start_ns - q->submit_ns) ||
	    u64_vec_push(&ch->lat_ns, q->end_ns - q->submit_ns))
		chan_fatal(ch, "storing latency samples", -ENOMEM);
}

static void account_job(struct gl_chan *ch, const struct gl_slot *slot,
			unsigned int idx, const struct drm_gpucore_job_query *q)
{
	ch->c.jobs++;
	ch->c.busy_ns += q->busy_ns;
	if (!check_state(ch, slot, q))
		return;
	if (q->status) {
		ch->c.failed++;
		chan_msg(ch, "job %" PRIu64 " (%s) failed: %s", slot->seqno,
			 gl_kind_name(slot->kind), strerror(-q->status));
		return;
	}
	if (!check_times(ch, slot, q))
		return;
	check_order(ch, slot, q);
	record_samples(ch, q);
	if (cfg_of(ch)->verify)
		verify_data(ch, slot, idx);
}

static void reap_oldest(struct gl_chan *ch)
{
	unsigned int idx = ch->head;
	struct gl_slot *slot = &ch->slots[idx];
	struct drm_gpucore_job_query q = { 0 };
	const char *what;
	int ret;

	ret = wait_job(ch, slot, &what);
	if (ret == -ETIME || ret == -ETIMEDOUT) {
		chan_stuck(ch, slot);
		return;
	}
	if (ret) {
		chan_fatal(ch, what, ret);
		return;
	}
	q.channel = ch->handle;
	q.seqno = slot->seqno;
	ret = gcu_ioctl(dev_fd(ch), DRM_IOCTL_GPUCORE_JOB_QUERY, &q);
	if (ret == -ENOENT || ret == -ENODATA) {
		ch->c.lost++;
		chan_msg(ch, "job %" PRIu64 " completed, but JOB_QUERY does not know it",
			 slot->seqno);
	} else if (ret) {
		chan_fatal(ch, "DRM_IOCTL_GPUCORE_JOB_QUERY", ret);
		return;
	} else {
		account_job(ch, slot, idx, &q);
	}
	ch->done_seqno = slot->seqno;
	ch->head = (ch->head + 1) % cfg_of(ch)->depth;
	ch->inflight--;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t / NSEC_PER_SEC),
		.tv_nsec = (long)(t % NSEC_PER_SEC),
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* --rate: true when the next job is due; else slept (or was woken). */
static bool pace(struct gl_chan *ch, uint64_t *due, uint64_t deadline)
{
	uint64_t period = (uint64_t)(NSEC_PER_SEC / cfg_of(ch)->rate);

	if (mono_ns() < *due) {
		sleep_until(*due < deadline ? *due : deadline);
		if (mono_ns() < *due)
			return false;
	}
	*due += period ? period : 1;
	return true;
}

static bool chan_done(const struct gl_chan *ch, uint64_t deadline)
{
	const struct gl_config *cfg = cfg_of(ch);

	return atomic_load(&gl_stop) || ch->fatal || ch->stuck ||
	       (cfg->max_jobs && ch->submitted >= cfg->max_jobs) ||
	       mono_ns() >= deadline;
}

/* Add @diff to @more or @fewer depending on which side is bigger. */
static void count_diff(uint64_t drv, uint64_t ours, uint64_t *more,
		       uint64_t *fewer)
{
	if (drv > ours)
		*more += drv - ours;
	else
		*fewer += ours - drv;
}

static uint64_t vec_sum(const struct u64_vec *vec)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < vec->len; i++)
		sum += vec->v[i];
	return sum;
}

static void check_sum(struct gl_chan *ch, const char *what, uint64_t drv,
		      uint64_t ours)
{
	if (drv == ours)
		return;
	ch->c.inconsistent++;
	chan_msg(ch, "driver's %s is %" PRIu64 " ns, the sum over JOB_QUERY records is %" PRIu64 " ns",
		 what, drv, ours);
}

/*
 * The channel's time counters must add up from the per-job records; the
 * samples hold every job when none failed or was inconsistent.
 */
static void check_stats_times(struct gl_chan *ch,
			      const struct drm_gpucore_channel_stats *st)
{
	check_sum(ch, "busy_ns", st->busy_ns, ch->c.busy_ns);
	if (ch->c.failed || ch->c.inconsistent || ch->c.lost)
		return;
	check_sum(ch, "wait_ns", st->wait_ns, vec_sum(&ch->wait_ns));
	check_sum(ch, "latency_ns", st->latency_ns, vec_sum(&ch->lat_ns));
}

/* After the drain, the driver's counters must match what we saw. */
static void check_stats(struct gl_chan *ch)
{
	struct drm_gpucore_channel_stats st = { .channel = ch->handle };
	uint64_t ok = ch->c.jobs - ch->c.failed;
	int ret;

	ret = gcu_ioctl(dev_fd(ch), DRM_IOCTL_GPUCORE_CHANNEL_STATS, &st);
	if (ret) {
		chan_fatal(ch, "DRM_IOCTL_GPUCORE_CHANNEL_STATS", ret);
		return;
	}
	if (st.completed + st.failed != ch->c.jobs) {
		chan_msg(ch, "driver counts %llu completed + %llu failed jobs, gpuload saw %" PRIu64 " completions",
			 (unsigned long long)st.completed,
			 (unsigned long long)st.failed, ch->c.jobs);
		count_diff(st.completed + st.failed, ch->c.jobs,
			   &ch->c.duplicated, &ch->c.lost);
	} else if (st.completed != ok || st.failed != ch->c.failed) {
		ch->c.inconsistent++;
		chan_msg(ch, "driver counts %llu failed jobs, gpuload saw %" PRIu64,
			 (unsigned long long)st.failed, ch->c.failed);
	}
	if (st.submitted != ch->submitted || st.queued) {
		ch->c.inconsistent++;
		chan_msg(ch, "driver counts %llu submitted and %llu queued jobs, gpuload submitted %" PRIu64 " and drained them all",
			 (unsigned long long)st.submitted,
			 (unsigned long long)st.queued, ch->submitted);
	}
	if (st.last_seqno != ch->done_seqno) {
		ch->c.inconsistent++;
		chan_msg(ch, "driver's last completed seqno is %llu, gpuload's is %" PRIu64,
			 (unsigned long long)st.last_seqno, ch->done_seqno);
	}
	check_stats_times(ch, &st);
}

void *gl_chan_thread(void *arg)
{
	struct gl_chan *ch = arg;
	const struct gl_config *cfg = cfg_of(ch);
	uint64_t deadline, due;

	pthread_barrier_wait(&ch->run->barrier);
	ch->t_start = mono_ns();
	deadline = cfg->duration_ns ? ch->t_start + cfg->duration_ns : UINT64_MAX;
	due = ch->t_start;
	while (!chan_done(ch, deadline)) {
		if (ch->inflight == cfg->depth)
			reap_oldest(ch);
		else if (!cfg->rate || pace(ch, &due, deadline))
			submit_job(ch);
	}
	/* Drain: every submitted job is waited for, never abandoned. */
	while (ch->inflight && !ch->fatal && !ch->stuck)
		reap_oldest(ch);
	ch->t_end = mono_ns();
	if (!ch->fatal && !ch->stuck)
		check_stats(ch);
	return NULL;
}

static int chan_ioctl(struct gl_chan *ch, unsigned long req, void *arg,
		      const char *what)
{
	int ret = gcu_ioctl(dev_fd(ch), req, arg);

	if (ret)
		gl_err("channel %u: %s failed: %s", ch->index, what,
		       strerror(-ret));
	return ret;
}

static int create_channel(struct gl_chan *ch)
{
	const struct gl_config *cfg = cfg_of(ch);
	struct drm_gpucore_channel_create cc = {
		.engine_class = cfg->engine_class,
	};
	int ret;

	if (cfg->engine_instance >= 0) {
		cc.flags = GPUCORE_CHANNEL_ENGINE_INSTANCE;
		cc.instance = (uint32_t)cfg->engine_instance;
	}
	if (cfg->interactive)
		cc.flags |= GPUCORE_CHANNEL_INTERACTIVE;
	ret = chan_ioctl(ch, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &cc,
			 "DRM_IOCTL_GPUCORE_CHANNEL_CREATE");
	if (ret)
		return ret;
	ch->created = true;
	ch->handle = cc.handle;
	ch->engine = cc.engine;
	ch->id = cc.id;
	return 0;
}

static void bo_quota_hint(struct gl_chan *ch)
{
	const struct gl_config *cfg = cfg_of(ch);
	const struct drm_gpucore_info *info = &ch->run->dev.info;
	unsigned int nbos = cfg->kind == GL_KIND_FILL ? 1 : 2;
	char a[32], b[32], c[32];

	gl_err("the vGPU's video memory quota is %s (%s used when gpuload started); gpuload needs %u channel(s) x %u BO(s) of %s: lower --bo-size or --channels",
	       format_size(a, sizeof(a), info->vram_size),
	       format_size(b, sizeof(b), info->vram_used), cfg->channels, nbos,
	       format_size(c, sizeof(c), cfg->bo_size));
}

static int map_bo(struct gl_chan *ch, int i)
{
	struct drm_gpucore_bo_mmap_offset mo = { .handle = ch->bo[i] };
	void *p;
	int ret;

	ret = chan_ioctl(ch, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &mo,
			 "DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET");
	if (ret)
		return ret;
	p = mmap(NULL, cfg_of(ch)->bo_size, PROT_READ, MAP_SHARED, dev_fd(ch),
		 (off_t)mo.offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		gl_err("channel %u: mmap of BO %u failed: %s", ch->index,
		       ch->bo[i], strerror(errno));
		return ret;
	}
	ch->map[i] = p;
	return 0;
}

static int create_bo(struct gl_chan *ch, int i)
{
	struct drm_gpucore_bo_create bc = { .size = cfg_of(ch)->bo_size };
	int ret;

	ret = chan_ioctl(ch, DRM_IOCTL_GPUCORE_BO_CREATE, &bc,
			 "DRM_IOCTL_GPUCORE_BO_CREATE");
	if (ret == -ENOSPC)
		bo_quota_hint(ch);
	if (ret)
		return ret;
	ch->bo[i] = bc.handle;
	return cfg_of(ch)->verify ? map_bo(ch, i) : 0;
}

static int create_syncobjs(struct gl_chan *ch)
{
	unsigned int i;
	int ret;

	for (i = 0; i < cfg_of(ch)->depth; i++) {
		ret = drmSyncobjCreate(dev_fd(ch), 0, &ch->slots[i].syncobj);
		if (ret) {
			ret = -errno;
			gl_err("channel %u: drmSyncobjCreate failed: %s",
			       ch->index, strerror(errno));
			return ret;
		}
	}
	return 0;
}

int gl_chan_setup(struct gl_run *run, struct gl_chan *ch, unsigned int index)
{
	const struct gl_config *cfg = run->cfg;
	int nbos = cfg->kind == GL_KIND_SPIN ? 0 : cfg->kind == GL_KIND_FILL ? 1 : 2;
	int i, ret;

	ch->run = run;
	ch->index = index;
	ch->rng = 0x9E3779B97F4A7C15ULL * (index + 1);
	ch->slice = (cfg->bo_size / cfg->depth) & ~3ULL;
	ch->slots = calloc(cfg->depth, sizeof(*ch->slots));
	if (!ch->slots) {
		gl_err("out of memory");
		return -ENOMEM;
	}
	ret = create_channel(ch);
	for (i = 0; !ret && i < nbos; i++)
		ret = create_bo(ch, i);
	if (!ret && cfg->sync == GL_SYNC_SYNCOBJ)
		ret = create_syncobjs(ch);
	return ret;
}

static int destroy_channel(struct gl_chan *ch)
{
	struct drm_gpucore_channel_destroy cd = { .handle = ch->handle };

	if (!ch->created)
		return 0;
	ch->created = false;
	return chan_ioctl(ch, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &cd,
			  "DRM_IOCTL_GPUCORE_CHANNEL_DESTROY");
}

static int close_bo(struct gl_chan *ch, int i)
{
	struct drm_gem_close gc = { .handle = ch->bo[i] };

	if (ch->map[i])
		munmap(ch->map[i], cfg_of(ch)->bo_size);
	ch->map[i] = NULL;
	if (!ch->bo[i])
		return 0;
	ch->bo[i] = 0;
	return chan_ioctl(ch, DRM_IOCTL_GEM_CLOSE, &gc, "DRM_IOCTL_GEM_CLOSE");
}

/* Channel first: its jobs reference the BOs. Returns the first error. */
int gl_chan_teardown(struct gl_chan *ch)
{
	unsigned int i;
	int ret, err;

	if (!ch->run)
		return 0;
	ret = destroy_channel(ch);
	for (i = 0; i < 2; i++) {
		err = close_bo(ch, i);
		ret = ret ? ret : err;
	}
	for (i = 0; ch->slots && i < cfg_of(ch)->depth; i++)
		if (ch->slots[i].syncobj)
			drmSyncobjDestroy(dev_fd(ch), ch->slots[i].syncobj);
	free(ch->slots);
	ch->slots = NULL;
	return ret;
}
