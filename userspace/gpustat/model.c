// SPDX-License-Identifier: MIT
/*
 * gpustat's model: the aggregates (as the BPF program keeps them, or as a
 * replay rebuilds them with the same gs_apply()), with the facts sysfs.c
 * reads folded in, and the snapshot every view draws: utilizations, shares
 * against targets, rates and percentiles over the last interval.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "monitor.h"

struct gs_model *model_new(void)
{
	return calloc(1, sizeof(struct gs_model));
}

void model_free(struct gs_model *m)
{
	if (!m)
		return;
	while (m->nchans)
		free(m->chans[--m->nchans]);
	free(m->chans);
	free(m->chan_ids);
	free(m->cgs);
	free(m->procs);
	free(m);
}

/*
 * The table is kept sorted by id: a binary search over the ids beside it
 * (one page, not one record a probe), an insert in place. It holds
 * pointers: a channel record is about 12 KB (three pairs of histograms),
 * and inserting ids in descending order moved them all. Lookups mostly
 * come in id order (gs_pull's): the one after the last found is tried
 * first.
 */
static size_t chan_pos(const struct gs_model *m, uint32_t id)
{
	size_t lo = 0, hi = m->nchans, h = m->chan_hint;

	if (h < m->nchans && m->chan_ids[h] == id)
		return h;
	if (h + 1 < m->nchans && m->chan_ids[h + 1] == id)
		return h + 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->chan_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int chans_grow(struct gs_model *m)
{
	size_t cap = m->cap_chans ? m->cap_chans * 2 : 64;
	struct gs_mchan **n = reallocarray(m->chans, cap, sizeof(*n));
	uint32_t *ids;

	if (!n)
		return -ENOMEM;
	m->chans = n;
	ids = reallocarray(m->chan_ids, cap, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	m->chan_ids = ids;
	m->cap_chans = cap;
	return 0;
}

struct gs_mchan *model_chan(struct gs_model *m, uint32_t id, bool create)
{
	size_t lo = chan_pos(m, id);
	struct gs_mchan *c;

	if (lo < m->nchans && m->chan_ids[lo] == id) {
		m->chan_hint = lo;
		return m->chans[lo];
	}
	if (!create)
		return NULL;
	if (m->nchans == m->cap_chans && chans_grow(m))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memmove(&m->chans[lo + 1], &m->chans[lo], (m->nchans - lo) * sizeof(*m->chans));
	memmove(&m->chan_ids[lo + 1], &m->chan_ids[lo], (m->nchans - lo) * sizeof(*m->chan_ids));
	m->nchans++;
	m->chans[lo] = c;
	m->chan_ids[lo] = id;
	m->chan_hint = lo;
	c->c.id = id;
	return c;
}

static void chan_remove(struct gs_model *m, size_t i)
{
	free(m->chans[i]);
	memmove(&m->chans[i], &m->chans[i + 1], (m->nchans - i - 1) * sizeof(m->chans[0]));
	memmove(&m->chan_ids[i], &m->chan_ids[i + 1], (m->nchans - i - 1) * sizeof(m->chan_ids[0]));
	m->nchans--;
}

static const char *const state_names[] = {
	[GS_POLICY_BUILTIN] = "builtin",
	[GS_POLICY_ATTACHED] = "attached",
	[GS_POLICY_EJECTING] = "ejecting",
};

/* A piece of a channel's cgroup path (source.c reads it, once). */
static void chan_cgroup(struct gs_model *m, const struct gs_event *ev)
{
	struct gs_mchan *mc = model_chan(m, ev->channel, false);
	size_t off = ev->aux2;

	if (!mc || off >= GS_CGROUP_LEN)
		return;
	memcpy(mc->cgroup + off, ev->name,
	       GS_CGROUP_LEN - off < GS_NAME_LEN ? GS_CGROUP_LEN - off : GS_NAME_LEN);
	mc->cgroup[GS_CGROUP_LEN - 1] = 0;
	mc->cgroup_pid = ev->aux;
	mc->cgroup_known = true;
}

static void apply_own(struct gs_model *m, const struct gs_event *ev)
{
	uint32_t ei = GPUCORE_ENGINE_IDX(ev->gpu, ev->engine);
	uint32_t vi = GPUCORE_VGPU_IDX(ev->gpu, ev->vgpu);

	switch (ev->type) {
	case GS_EV_ENGINE_INFO:
		snprintf(m->engine_name[ei], sizeof(m->engine_name[ei]), "%.15s", ev->name);
		if (ev->gpu < GPUCORE_MAX_GPUS && ev->gpu + 1 > m->ngpus)
			m->ngpus = ev->gpu + 1;
		if (ev->gpu < GPUCORE_MAX_GPUS && ev->engine + 1 > m->nengines[ev->gpu])
			m->nengines[ev->gpu] = ev->engine + 1;
		break;
	case GS_EV_VGPU_MEM:
		m->vg[vi].mem_used = ev->a;
		break;
	case GS_EV_POLICY_STATE:
		snprintf(m->policy, sizeof(m->policy), "%.*s", GS_NAME_LEN, ev->name);
		snprintf(m->policy_state, sizeof(m->policy_state), "%s",
			 ev->aux < 3 ? state_names[ev->aux] : "unknown");
		m->ejections = ev->a;
		m->decisions = ev->b;
		m->errors = ev->c;
		break;
	case GS_EV_POLICY_EXIT:
		snprintf(m->exit_kind, sizeof(m->exit_kind), "%.*s", GS_NAME_LEN, ev->name);
		break;
	case GS_EV_ENGINE_STATS:
		/* The first read is the base of the first interval's rate. */
		if (!m->eng_stats_seen[ei])
			m->eng_switch_prev[ei] = ev->a;
		m->eng_stats_seen[ei] = true;
		m->eng_switch_ns[ei] = ev->a;
		m->eng_resets[ei] = ev->b;
		break;
	case GS_EV_VGPU_STATS:
		m->vg_resets[vi] = ev->a;
		break;
	case GS_EV_CHAN_CGROUP:
		chan_cgroup(m, ev);
		break;
	}
}

void model_apply(struct gs_model *m, const struct gs_event *ev)
{
	uint32_t ei = GPUCORE_ENGINE_IDX(ev->gpu, ev->engine);
	uint32_t vi = GPUCORE_VGPU_IDX(ev->gpu, ev->vgpu);
	struct gs_engine *e = NULL;
	struct gs_vgpu *v = NULL;
	struct gpucore_hists *vh = NULL;
	struct gs_mchan *mc = NULL;

	if (ev->type >= GS_EV_TICK) {
		apply_own(m, ev);
		return;
	}
	if (ev->ts)	/* a tracepoint's, not a sysfs fact */
		m->glob.events++;
	if (ev->type <= GS_EV_CHAN_SEEN) {
		bool fresh = ev->type == GS_EV_CHAN_CREATE || ev->type == GS_EV_CHAN_SEEN;

		mc = model_chan(m, ev->channel, fresh);
		if (mc && fresh) {
			memset(&mc->c, 0, sizeof(mc->c));
			memset(&mc->h, 0, sizeof(mc->h));
			mc->prev_busy = mc->prev_jobs = mc->busy_out = 0;
			mc->util = 0;
			memset(&mc->prev_lat, 0, sizeof(mc->prev_lat));
			memset(&mc->prev_wait, 0, sizeof(mc->prev_wait));
			mc->cgroup_known = false;
			mc->cgroup[0] = 0;
		}
		if (ev->type != GS_EV_CHAN_CREATE && ev->type != GS_EV_CHAN_SEEN &&
		    ev->type != GS_EV_CHAN_DESTROY) {
			e = &m->eng[ei];
			v = &m->vg[vi];
			if (ev->type == GS_EV_COMPLETE)
				vh = &m->vh[vi];
			e->seen = 1;
		}
	} else if (ev->type <= GS_EV_VGPU_UPDATE) {
		v = &m->vg[vi];
	}
	gs_apply(ev, e, v, vh, mc ? &mc->c : NULL, mc ? &mc->h : NULL, &m->glob);
}

/* ---- snapshot ---- */

static uint64_t bucket_mid(uint32_t i)
{
	uint64_t lo = gpucore_hist_low(i), hi = gpucore_hist_low(i + 1);

	if (i < GPUCORE_HIST_SUB)
		return lo;
	return lo + (hi - lo) / 2;
}

struct pct_scan {
	struct gs_pct *p;
	uint64_t *out[3];
	uint64_t rank[3];
	uint64_t seen;
	unsigned int k;		/* percentiles found; 3: none to look for */
};

/* Look for @p's percentiles of @count values (ceil(p% of count), at least 1). */
static void pct_scan_init(struct pct_scan *s, struct gs_pct *p, uint64_t count, uint64_t sum,
			  bool valid)
{
	static const unsigned int ps[] = { 50, 95, 99 };
	unsigned int k;

	memset(p, 0, sizeof(*p));
	p->count = count;
	p->sum_ns = sum;
	s->p = p;
	s->out[0] = &p->p50;
	s->out[1] = &p->p95;
	s->out[2] = &p->p99;
	s->seen = 0;
	s->k = count && valid ? 0 : 3;
	for (k = 0; k < 3; k++)
		s->rank[k] = (ps[k] * count + 99) / 100 ?: 1;
}

static void pct_scan_add(struct pct_scan *s, uint64_t n, uint32_t i)
{
	s->seen += n;
	while (s->k < 3 && s->seen >= s->rank[s->k])
		*s->out[s->k++] = bucket_mid(i);
}

/*
 * Nearest-rank percentiles of @h (@all) and of @h minus @prev (what it
 * gained since: @delta), in one scan of the buckets; a NULL one is not
 * worked out.
 */
void hist_pct(const struct gpucore_hist *h, const struct gpucore_hist *prev,
	      struct gs_pct *all, struct gs_pct *delta)
{
	struct pct_scan a, d;
	unsigned int i;

	if (all)
		pct_scan_init(&a, all, h->count, h->sum_ns, true);
	else
		a.k = 3;
	if (delta)
		pct_scan_init(&d, delta, h->count - prev->count, h->sum_ns - prev->sum_ns,
			      h->count >= prev->count);
	else
		d.k = 3;
	if (a.k == 3 && d.k == 3)
		return;
	/* @prev is @h as it was: no bucket of it lies outside @h's range */
	for (i = h->lo; i < gpucore_hist_end(h) && (a.k < 3 || d.k < 3); i++) {
		if (!h->b[i])
			continue;
		if (all)
			pct_scan_add(&a, h->b[i], i);
		if (delta)
			pct_scan_add(&d, h->b[i] - prev->b[i], i);
	}
}

/*
 * The engine time of a channel still on its engine: what it was charged
 * up to its last completed job, plus the time since. Charges stop at a
 * job's due time while the clock runs on (a late timer is nobody's time),
 * so only the part since the last completion is an estimate.
 */
static uint64_t running_ns(const struct gs_engine *e, uint64_t now)
{
	if (!e->running)
		return 0;
	return e->run_ns + (now > e->run_ts ? now - e->run_ts : 0);
}

static uint64_t mono_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static double rate(uint64_t delta, uint64_t dt_ns)
{
	return dt_ns ? delta * 1e9 / dt_ns : 0;
}

/* Switching's part of the interval, from the driver's switch time. */
static double switch_util(struct gs_model *m, uint32_t idx, uint64_t dt)
{
	uint64_t sw = m->eng_switch_ns[idx], prev = m->eng_switch_prev[idx];
	/* A counter going back is another driver instance: no rate. */
	double u = dt && sw > prev ? (double)(sw - prev) / dt : 0;

	m->eng_switch_prev[idx] = sw;
	return u > 1 ? 1 : u;
}

/* The figures of an engine over the interval a refresh ends. */
static void engine_interval(struct gs_model *m, uint32_t idx, uint64_t dt, struct snap_engine *se)
{
	bool push = m->hist_len < GS_HISTORY;
	float *h = m->history[idx];

	se->util = dt ? (double)(se->busy_ns - m->eng_busy[idx]) / dt : 0;
	if (se->util > 1)
		se->util = 1;
	se->switch_util = switch_util(m, idx, dt);
	if (!push)
		memmove(h, h + 1, (GS_HISTORY - 1) * sizeof(*h));
	h[push ? m->hist_len : GS_HISTORY - 1] = se->util;
	m->eng_busy[idx] = se->busy_ns;
	m->eng_util[idx] = se->util;
	m->eng_switch_util[idx] = se->switch_util;
}

static void snap_engines(struct gs_model *m, uint64_t now, uint64_t dt, bool refresh,
			 struct snapshot *s)
{
	uint32_t gpu, i;

	for (gpu = 0; gpu < m->ngpus; gpu++) {
		for (i = 0; i < m->nengines[gpu]; i++) {
			uint32_t idx = GPUCORE_ENGINE_IDX(gpu, i);
			const struct gs_engine *e = &m->eng[idx];
			struct snap_engine *se = &s->eng[s->neng++];
			uint64_t busy = mono_max(e->busy_ns + running_ns(e, now), m->eng_busy_out[idx]);

			se->gpu = gpu;
			se->id = i;
			snprintf(se->name, sizeof(se->name), "%s", m->engine_name[idx]);
			se->busy_ns = busy;
			se->jobs = e->jobs;
			se->failed = e->failed;
			se->switches = e->switches;
			se->preemptions = e->preemptions;
			se->queued = e->nr_queued;
			se->running_channel = e->running ? e->cur_channel : 0;
			se->switch_ns = m->eng_switch_ns[idx];
			se->resets = m->eng_resets[idx];
			m->eng_busy_out[idx] = busy;
			if (refresh)
				engine_interval(m, idx, dt, se);
			se->util = m->eng_util[idx];
			se->switch_util = m->eng_switch_util[idx];
			se->history = m->history[idx];
			se->hist_len = m->hist_len + (refresh && m->hist_len < GS_HISTORY);
		}
	}
	if (refresh && m->hist_len < GS_HISTORY)
		m->hist_len++;
}

/* Engine time of a vGPU's (or a channel's) runs in progress. */
static uint64_t running_for(const struct gs_model *m, uint32_t gpu, uint32_t vgpu,
			    uint32_t chan, uint64_t now)
{
	uint64_t ns = 0;
	uint32_t i;

	for (i = 0; i < GPUCORE_MAX_ENGINES; i++) {
		const struct gs_engine *e = &m->eng[GPUCORE_ENGINE_IDX(gpu, i)];

		if (!e->running || e->cur_vgpu != vgpu)
			continue;
		if (chan && e->cur_channel != chan)
			continue;
		ns += running_ns(e, now);
	}
	return ns;
}

/* Water-filling on @gpu: its vGPUs' weights share what their caps leave over. */
static void targets(struct snapshot *s, uint32_t gpu)
{
	double left = 1, wsum;
	bool changed = true;
	size_t i;

	for (i = 0; i < s->nvg; i++)
		if (s->vg[i].gpu == gpu)
			s->vg[i].target = -1;
	while (changed) {
		changed = false;
		wsum = 0;
		for (i = 0; i < s->nvg; i++)
			if (s->vg[i].gpu == gpu && s->vg[i].active && s->vg[i].target < 0)
				wsum += s->vg[i].weight;
		for (i = 0; i < s->nvg && wsum > 0; i++) {
			struct snap_vgpu *v = &s->vg[i];
			double t = left * v->weight / wsum;

			if (v->gpu != gpu || !v->active || v->target >= 0 || !v->cap)
				continue;
			if (t > v->cap / 100.0) {
				v->target = v->cap / 100.0;
				left -= v->target;
				changed = true;
			}
		}
	}
	for (i = 0; i < s->nvg; i++) {
		struct snap_vgpu *v = &s->vg[i];

		if (v->gpu != gpu || v->target >= 0)
			continue;
		v->target = v->active && wsum > 0 ? left * v->weight / wsum : 0;
	}
}

static void snap_vgpu_one(struct gs_model *m, uint32_t idx, uint64_t now,
			  uint64_t dt, bool refresh, struct snap_vgpu *sv)
{
	const struct gs_vgpu *v = &m->vg[idx];
	uint32_t gpu = idx / GPUCORE_MAX_VGPUS, id = idx % GPUCORE_MAX_VGPUS;
	uint64_t busy = v->busy_ns + running_for(m, gpu, id, 0, now);

	busy = mono_max(busy, m->vg_busy_out[idx]);
	m->vg_busy_out[idx] = busy;
	sv->gpu = gpu;
	sv->id = id;
	snprintf(sv->name, sizeof(sv->name), "%.*s", GS_NAME_LEN - 1, v->name);
	if (!sv->name[0])
		snprintf(sv->name, sizeof(sv->name), "vgpu%u", id);
	sv->weight = v->weight;
	sv->cap = v->cap;
	sv->mem_used = v->mem_used;
	sv->mem_quota = v->mem_quota;
	sv->max_channels = v->max_channels;
	sv->max_jobs = v->max_jobs;
	sv->busy_ns = busy;
	sv->jobs = v->jobs;
	sv->failed = v->failed;
	sv->submitted = v->submitted;
	sv->preemptions = v->preemptions;
	sv->resets = m->vg_resets[idx];
	hist_pct(&m->vh[idx].wait, &m->vh_prev[idx].wait, &sv->wait_total,
		 refresh ? &sv->wait : NULL);
	hist_pct(&m->vh[idx].lat, &m->vh_prev[idx].lat, &sv->lat_total,
		 refresh ? &sv->lat : NULL);
	sv->wait_hist = &m->vh[idx].wait;
	sv->lat_hist = &m->vh[idx].lat;
	if (!refresh)
		return;
	sv->jobs_per_s = rate(v->jobs - m->vg_jobs[idx], dt);
	sv->util = busy - m->vg_busy[idx];	/* ns for now; scaled below */
	m->vg_busy[idx] = busy;
	m->vg_jobs[idx] = v->jobs;
}

/* The vGPUs' shares, utilizations and targets over the interval a refresh ends. */
static void vgpus_interval(struct gs_model *m, uint64_t dt, struct snapshot *s,
			   const double *busy)
{
	uint32_t gpu;
	size_t i;

	for (i = 0; i < s->nvg; i++) {
		struct snap_vgpu *v = &s->vg[i];
		uint32_t n = m->nengines[v->gpu] ? m->nengines[v->gpu] : 1;

		v->active = v->util > 0 || v->queued > 0;
		v->share = busy[v->gpu] > 0 ? v->util / busy[v->gpu] : 0;
		v->util = dt ? v->util / ((double)dt * n) : 0;
	}
	for (gpu = 0; gpu < m->ngpus; gpu++)
		targets(s, gpu);
	for (i = 0; i < s->nvg; i++) {
		const struct snap_vgpu *v = &s->vg[i];
		uint32_t idx = GPUCORE_VGPU_IDX(v->gpu, v->id);

		m->vg_last[idx] = (struct gs_vlast){ v->share, v->target, v->util, v->active };
		m->vh_prev[idx] = m->vh[idx];
	}
}

static void snap_vgpus(struct gs_model *m, uint64_t now, uint64_t dt, bool refresh,
		       struct snapshot *s)
{
	double busy[GPUCORE_MAX_GPUS] = { 0 };
	uint32_t idx;
	size_t i;

	for (idx = 0; idx < GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS; idx++) {
		if (m->vg[idx].seen != 1)
			continue;
		snap_vgpu_one(m, idx, now, dt, refresh, &s->vg[s->nvg]);
		busy[idx / GPUCORE_MAX_VGPUS] += s->vg[s->nvg].util;
		s->nvg++;
	}
	for (i = 0; i < s->nch; i++) {
		for (idx = 0; idx < s->nvg; idx++) {
			struct snap_vgpu *v = &s->vg[idx];

			if (v->gpu != s->ch[i].gpu || v->id != s->ch[i].vgpu)
				continue;
			v->channels += !s->ch[i].dead;
			v->queued += s->ch[i].queued;
			copy_str(s->ch[i].vgpu_name, sizeof(s->ch[i].vgpu_name), v->name, sizeof(v->name));
		}
	}
	if (refresh)
		vgpus_interval(m, dt, s, busy);
	for (i = 0; i < s->nvg; i++) {
		struct snap_vgpu *v = &s->vg[i];
		const struct gs_vlast *l = &m->vg_last[GPUCORE_VGPU_IDX(v->gpu, v->id)];

		v->share = l->share;
		v->target = l->target;
		v->util = l->util;
		v->active = l->active;
	}
}

/* @p, to be worked out if @need has @bit; else zeroed, and NULL. */
static struct gs_pct *pct_if(struct gs_pct *p, unsigned int need, unsigned int bit)
{
	if (need & bit)
		return p;
	*p = (struct gs_pct){ 0 };
	return NULL;
}

static void snap_chans(struct gs_model *m, uint64_t now, uint64_t dt, bool refresh,
		       unsigned int need, struct snapshot *s)
{
	size_t i;

	if (!refresh)
		need &= ~(SN_WAIT | SN_LAT);

	for (i = 0; i < m->nchans; i++) {
		struct gs_mchan *mc = m->chans[i];
		const struct gs_chan *c = &mc->c;
		struct snap_chan *sc = &s->ch[s->nch++];
		uint64_t busy = c->busy_ns + running_for(m, c->gpu, c->vgpu, c->id, now);

		busy = mono_max(busy, mc->busy_out);
		mc->busy_out = busy;
		sc->id = c->id;
		sc->gpu = c->gpu;
		sc->engine = c->engine;
		sc->vgpu = c->vgpu;
		sc->pid = c->pid;
		copy_str(sc->comm, sizeof(sc->comm), c->comm, GS_COMM_LEN);
		copy_str(sc->cgroup, sizeof(sc->cgroup), mc->cgroup, sizeof(mc->cgroup));
		copy_str(sc->engine_name, sizeof(sc->engine_name),
			 m->engine_name[GPUCORE_ENGINE_IDX(c->gpu, c->engine)],
			 sizeof(m->engine_name[0]));
		sc->vgpu_name[0] = 0;	/* snap_vgpus() names it */
		sc->busy_ns = busy;
		sc->jobs = c->jobs;
		sc->failed = c->failed;
		sc->submitted = c->submitted;
		sc->switches = c->switches;
		sc->preemptions = c->preemptions;
		sc->queued = c->dead ? 0 : c->queued;
		sc->dead = c->dead;
		hist_pct(&mc->h.wait, &mc->prev_wait, pct_if(&sc->wait_total, need, SN_WAIT_TOTAL),
			 pct_if(&sc->wait, need, SN_WAIT));
		hist_pct(&mc->h.lat, &mc->prev_lat, pct_if(&sc->lat_total, need, SN_LAT_TOTAL),
			 pct_if(&sc->lat, need, SN_LAT));
		if (refresh)
			mc->util = dt ? (double)(busy - mc->prev_busy) / dt : 0;
		sc->util = mc->util;
		if (!refresh) {
			sc->jobs_per_s = 0;
			continue;
		}
		sc->jobs_per_s = rate(c->jobs - mc->prev_jobs, dt);
		mc->prev_busy = busy;
		mc->prev_jobs = c->jobs;
		gpucore_hist_copy(&mc->prev_lat, &mc->h.lat);
		gpucore_hist_copy(&mc->prev_wait, &mc->h.wait);
	}
}

/*
 * @idx = 0..@n-1 sorted by @cmp, whose ties go by index. Channels are
 * mostly in order already (a process creates its channels in a row, and
 * ids grow), which one pass finds, without sorting a thousand rows a
 * refresh.
 */
static void sort_idx(size_t *idx, size_t n, int (*cmp)(const void *, const void *, void *),
		     void *arg)
{
	size_t i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++)
		if (cmp(&idx[i - 1], &idx[i], arg) > 0) {
			qsort_r(idx, n, sizeof(*idx), cmp, arg);
			return;
		}
}

/*
 * A cgroup's row sums its channels, and what its channels destroyed
 * while it had others were charged: its counters never go back while it
 * shows. A cgroup left with no channel goes, with its totals.
 */
static int cgroup_cmp(const void *a, const void *b, void *arg)
{
	const struct snap_chan *ch = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(ch[x].cgroup, ch[y].cgroup);

	return r ? r : (x > y) - (x < y);
}

static int cgroup_key_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct snap_cgroup *)row)->cgroup);
}

static void snap_cgroups(struct gs_model *m, struct snapshot *s, size_t *idx)
{
	struct snap_cgroup *g = NULL;
	size_t i;

	sort_idx(idx, s->nch, cgroup_cmp, s->ch);
	for (i = 0; i < s->nch; i++) {
		const struct snap_chan *c = &s->ch[idx[i]];

		if (!g || strcmp(g->cgroup, c->cgroup)) {
			g = &s->cg[s->ncg++];
			memset(g, 0, sizeof(*g));
			snprintf(g->cgroup, sizeof(g->cgroup), "%s", c->cgroup);
		}
		g->channels += !c->dead;
		g->queued += c->queued;
		g->busy_ns += c->busy_ns;
		g->jobs += c->jobs;
		g->failed += c->failed;
		g->submitted += c->submitted;
		g->util += c->util;
		g->jobs_per_s += c->jobs_per_s;
	}
	for (i = 0; i < m->ncgs; i++) {
		const struct gs_mcgroup *mg = &m->cgs[i];

		g = bsearch(mg->cgroup, s->cg, s->ncg, sizeof(*g), cgroup_key_cmp);
		if (!g)		/* gone since the last refresh */
			continue;
		g->busy_ns += mg->busy_ns;
		g->jobs += mg->jobs;
		g->failed += mg->failed;
		g->submitted += mg->submitted;
	}
}

/* Keep what a channel about to be forgotten was charged, for its cgroup. */
static void cgroup_keep(struct gs_model *m, const struct gs_mchan *mc)
{
	struct gs_mcgroup *mg = NULL, *n;
	size_t i;

	for (i = 0; i < m->ncgs && !mg; i++)
		if (!strcmp(m->cgs[i].cgroup, mc->cgroup))
			mg = &m->cgs[i];
	if (!mg) {
		n = reallocarray(m->cgs, m->ncgs + 1, sizeof(*n));
		if (!n)
			return;
		m->cgs = n;
		mg = &m->cgs[m->ncgs++];
		memset(mg, 0, sizeof(*mg));
		snprintf(mg->cgroup, sizeof(mg->cgroup), "%s", mc->cgroup);
	}
	mg->busy_ns += mc->busy_out;
	mg->jobs += mc->c.jobs;
	mg->failed += mc->c.failed;
	mg->submitted += mc->c.submitted;
}

/*
 * A process's row sums its channels on a vGPU, and what those destroyed
 * while it had others were charged, as a cgroup's: its counters never go
 * back while it shows. The row goes with its last channel.
 */
static int proc_key(uint32_t gpu, uint32_t vgpu, int32_t pid, const char *comm,
		    const struct gs_chan *c)
{
	if (gpu != c->gpu)
		return gpu < c->gpu ? -1 : 1;
	if (vgpu != c->vgpu)
		return vgpu < c->vgpu ? -1 : 1;
	if (pid != c->pid)
		return pid < c->pid ? -1 : 1;
	return strncmp(comm, c->comm, GS_COMM_LEN);
}

static int proc_cmp(const void *a, const void *b, void *arg)
{
	struct gs_mchan *const *mc = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct gs_chan *c = &mc[x]->c;
	int r = proc_key(c->gpu, c->vgpu, c->pid, c->comm, &mc[y]->c);

	return r ? r : (x > y) - (x < y);
}

static struct gs_mproc *proc_kept(struct gs_model *m, const struct gs_chan *c)
{
	size_t i;

	for (i = 0; i < m->nprocs; i++)
		if (!proc_key(m->procs[i].gpu, m->procs[i].vgpu, m->procs[i].pid,
			      m->procs[i].comm, c))
			return &m->procs[i];
	return NULL;
}

static void hist_add(struct gpucore_hist *h, const struct gpucore_hist *a)
{
	unsigned int i, hi = gpucore_hist_end(a);

	if (!a->count)
		return;
	if (!h->count || a->lo < h->lo)
		h->lo = a->lo;
	if (hi > h->hi)
		h->hi = hi;
	h->count += a->count;
	h->sum_ns += a->sum_ns;
	for (i = a->lo; i < hi; i++)
		h->b[i] += a->b[i];
}

/* Sums of the channel rows @idx[0..n) (the model's, in order), one process's. */
static void proc_row(struct gs_model *m, const struct snapshot *s, const size_t *idx,
		     size_t n, struct snap_proc *p, struct gpucore_hists *h)
{
	const struct gs_mchan *first = m->chans[idx[0]];
	const struct gs_mproc *kept = proc_kept(m, &first->c);
	size_t i;

	memset(h, 0, sizeof(*h));
	memset(p, 0, sizeof(*p));
	p->gpu = first->c.gpu;
	p->vgpu = first->c.vgpu;
	p->pid = first->c.pid;
	snprintf(p->comm, sizeof(p->comm), "%s", s->ch[idx[0]].comm);
	snprintf(p->vgpu_name, sizeof(p->vgpu_name), "%s", s->ch[idx[0]].vgpu_name);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", s->ch[idx[0]].cgroup);
	for (i = 0; i < n; i++) {
		const struct snap_chan *c = &s->ch[idx[i]];

		p->channels += !c->dead;
		p->queued += c->queued;
		p->busy_ns += c->busy_ns;
		p->jobs += c->jobs;
		p->failed += c->failed;
		p->submitted += c->submitted;
		p->util += c->util;
		p->jobs_per_s += c->jobs_per_s;
		hist_add(&h->wait, &m->chans[idx[i]]->h.wait);
		hist_add(&h->lat, &m->chans[idx[i]]->h.lat);
	}
	if (kept) {
		p->busy_ns += kept->busy_ns;
		p->jobs += kept->jobs;
		p->failed += kept->failed;
		p->submitted += kept->submitted;
		hist_add(&h->wait, &kept->wait);
		hist_add(&h->lat, &kept->lat);
	}
	hist_pct(&h->wait, NULL, &p->wait_total, NULL);
	hist_pct(&h->lat, NULL, &p->lat_total, NULL);
}

/* The process rows, from the channel rows of @s (before any filter). */
static int snap_procs(struct gs_model *m, struct snapshot *s, size_t *idx)
{
	struct gpucore_hists *h = malloc(sizeof(*h));
	size_t i, j;

	if (!h)
		return -ENOMEM;
	sort_idx(idx, s->nch, proc_cmp, m->chans);
	for (i = 0; i < s->nch; i = j) {
		const struct gs_chan *c = &m->chans[idx[i]]->c;

		for (j = i + 1; j < s->nch; j++)
			if (proc_key(c->gpu, c->vgpu, c->pid, c->comm, &m->chans[idx[j]]->c))
				break;
		proc_row(m, s, idx + i, j - i, &s->pr[s->npr++], h);
	}
	free(h);
	return 0;
}

/*
 * At a refresh, what cgroups and processes with no channel left were
 * charged goes (their rows went with their last channel).
 */
static void forget_kept(struct gs_model *m)
{
	size_t i, k;

	for (k = 0; k < m->ncgs;) {
		for (i = 0; i < m->nchans; i++)
			if (!strcmp(m->cgs[k].cgroup, m->chans[i]->cgroup))
				break;
		if (i == m->nchans)
			m->cgs[k] = m->cgs[--m->ncgs];
		else
			k++;
	}
	for (k = 0; k < m->nprocs;) {
		const struct gs_mproc *mp = &m->procs[k];

		for (i = 0; i < m->nchans; i++)
			if (!proc_key(mp->gpu, mp->vgpu, mp->pid, mp->comm, &m->chans[i]->c))
				break;
		if (i == m->nchans)
			m->procs[k] = m->procs[--m->nprocs];
		else
			k++;
	}
}

/* Keep what a channel about to be forgotten was charged, for its process. */
static void proc_keep(struct gs_model *m, const struct gs_mchan *mc)
{
	struct gs_mproc *mp = proc_kept(m, &mc->c), *n;

	if (!mp) {
		n = reallocarray(m->procs, m->nprocs + 1, sizeof(*n));
		if (!n)
			return;
		m->procs = n;
		mp = &m->procs[m->nprocs++];
		memset(mp, 0, sizeof(*mp));
		mp->gpu = mc->c.gpu;
		mp->vgpu = mc->c.vgpu;
		mp->pid = mc->c.pid;
		memcpy(mp->comm, mc->c.comm, GS_COMM_LEN);
	}
	mp->busy_ns += mc->busy_out;
	mp->jobs += mc->c.jobs;
	mp->failed += mc->c.failed;
	mp->submitted += mc->c.submitted;
	hist_add(&mp->wait, &mc->h.wait);
	hist_add(&mp->lat, &mc->h.lat);
}

/* Channels destroyed are shown in one snapshot, then forgotten. */
static void forget_dead(struct gs_model *m)
{
	size_t i = 0;

	while (i < m->nchans) {
		if (m->chans[i]->c.dead) {
			cgroup_keep(m, m->chans[i]);
			proc_keep(m, m->chans[i]);
			chan_remove(m, i);
			continue;
		}
		i++;
	}
}

/* Rows a snapshot takes: the engines of every GPU, the vGPUs seen. */
static size_t nr_engines(const struct gs_model *m)
{
	size_t n = 0;
	uint32_t gpu;

	for (gpu = 0; gpu < m->ngpus; gpu++)
		n += m->nengines[gpu];
	return n;
}

static size_t nr_vgpus(const struct gs_model *m)
{
	size_t n = 0;
	uint32_t idx;

	for (idx = 0; idx < GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS; idx++)
		n += m->vg[idx].seen == 1;
	return n;
}

int model_snapshot(struct gs_model *m, uint64_t now, bool refresh, unsigned int need,
		   struct snapshot *s)
{
	uint64_t dt = now > m->prev_ts ? now - m->prev_ts : 0;
	size_t *idx;
	int ret;

	memset(s, 0, sizeof(*s));
	s->eng = calloc(nr_engines(m) + 1, sizeof(*s->eng));
	s->vg = calloc(nr_vgpus(m) + 1, sizeof(*s->vg));
	/* every field of a channel row is written as it is taken */
	s->ch = reallocarray(NULL, m->nchans + 1, sizeof(*s->ch));
	/* rows of these two are zeroed as they are taken: few are */
	s->cg = reallocarray(NULL, m->nchans + 1, sizeof(*s->cg));
	s->pr = reallocarray(NULL, m->nchans + 1, sizeof(*s->pr));
	idx = reallocarray(NULL, m->nchans + 1, sizeof(*idx));
	if (!s->eng || !s->vg || !s->ch || !s->cg || !s->pr || !idx) {
		free(idx);
		snapshot_free(s);
		return -ENOMEM;
	}
	if (refresh)
		m->interval_s = dt / 1e9;
	s->ts = now;
	s->interval_s = m->interval_s;
	s->ngpus = m->ngpus;
	snap_engines(m, now, dt, refresh, s);
	snap_chans(m, now, dt, refresh, need, s);
	snap_vgpus(m, now, dt, refresh, s);
	if (refresh)
		forget_kept(m);
	ret = 0;
	if (need & SN_GROUPS) {
		snap_cgroups(m, s, idx);
		ret = snap_procs(m, s, idx);
	}
	free(idx);
	if (ret) {
		snapshot_free(s);
		return ret;
	}
	snprintf(s->policy, sizeof(s->policy), "%s", m->policy[0] ? m->policy : "builtin");
	snprintf(s->policy_state, sizeof(s->policy_state), "%s",
		 m->policy_state[0] ? m->policy_state : "builtin");
	snprintf(s->exit_kind, sizeof(s->exit_kind), "%s", m->exit_kind[0] ? m->exit_kind : "none");
	s->decisions = m->decisions;
	s->errors = m->errors;
	s->ejections = m->ejections;
	s->attaches = m->glob.attaches;
	s->events = m->glob.events;
	s->lost = m->glob.lost;
	if (!refresh)
		return 0;
	m->prev_ts = now;
	forget_dead(m);
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	free(s->eng);
	free(s->vg);
	free(s->ch);
	free(s->cg);
	free(s->pr);
	memset(s, 0, sizeof(*s));
}

/* ---- filters ---- */

#define CGROUP_FILTER	"cgroup="

/* @cgroup matches the glob @pattern, or lies under a cgroup that does. */
static bool cgroup_match(const char *cgroup, const char *pattern)
{
	char buf[GS_CGROUP_LEN], *p;

	if (!*cgroup)
		return false;
	snprintf(buf, sizeof(buf), "%s", cgroup);
	for (;;) {
		if (!fnmatch(pattern, buf, 0))
			return true;
		p = strrchr(buf, '/');
		if (!p || !p[1])	/* the root: above it is nothing */
			return false;
		p[p == buf] = 0;	/* "/a/b" -> "/a" -> "/" */
	}
}

bool snap_chan_match(const struct snap_chan *c, const char *filter)
{
	char pid[16];

	if (!filter || !*filter)
		return true;
	if (!strncmp(filter, CGROUP_FILTER, strlen(CGROUP_FILTER)))
		return cgroup_match(c->cgroup, filter + strlen(CGROUP_FILTER));
	snprintf(pid, sizeof(pid), "%d", c->pid);
	return !strcmp(pid, filter) || strstr(c->comm, filter) ||
	       !strcmp(c->vgpu_name, filter);
}

bool snap_vgpu_match(const struct snap_vgpu *v, const struct snapshot *s,
		     const char *filter)
{
	size_t i;

	if (!filter || !*filter || !strcmp(v->name, filter))
		return true;
	for (i = 0; i < s->nch; i++)
		if (s->ch[i].gpu == v->gpu && s->ch[i].vgpu == v->id &&
		    snap_chan_match(&s->ch[i], filter))
			return true;
	return false;
}

bool snap_cgroup_match(const struct snap_cgroup *g, const struct snapshot *s,
		       const char *filter)
{
	size_t i;

	if (!filter || !*filter)
		return true;
	if (!strncmp(filter, CGROUP_FILTER, strlen(CGROUP_FILTER)))
		return cgroup_match(g->cgroup, filter + strlen(CGROUP_FILTER));
	for (i = 0; i < s->nch; i++)
		if (!strcmp(s->ch[i].cgroup, g->cgroup) && snap_chan_match(&s->ch[i], filter))
			return true;
	return false;
}

bool snap_proc_match(const struct snap_proc *p, const char *filter)
{
	char pid[16];

	if (!filter || !*filter)
		return true;
	if (!strncmp(filter, CGROUP_FILTER, strlen(CGROUP_FILTER)))
		return cgroup_match(p->cgroup, filter + strlen(CGROUP_FILTER));
	snprintf(pid, sizeof(pid), "%d", p->pid);
	return !strcmp(pid, filter) || strstr(p->comm, filter) ||
	       !strcmp(p->vgpu_name, filter);
}

void snapshot_filter(struct snapshot *s, const char *filter)
{
	size_t i, n = 0;

	if (!filter || !*filter)
		return;

	for (i = 0; i < s->npr; i++)
		if (snap_proc_match(&s->pr[i], filter))
			s->pr[n++] = s->pr[i];
	s->npr = n;
	n = 0;

	for (i = 0; i < s->ncg; i++)
		if (snap_cgroup_match(&s->cg[i], s, filter))
			s->cg[n++] = s->cg[i];
	s->ncg = n;
	n = 0;

	for (i = 0; i < s->nvg; i++)
		if (snap_vgpu_match(&s->vg[i], s, filter))
			s->vg[n++] = s->vg[i];
	s->nvg = n;
	for (i = 0, n = 0; i < s->nch; i++)
		if (snap_chan_match(&s->ch[i], filter))
			s->ch[n++] = s->ch[i];
	s->nch = n;
}
