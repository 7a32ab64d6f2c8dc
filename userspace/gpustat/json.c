// SPDX-License-Identifier: MIT
/*
 * --json: one object per refresh, on one line (schema: README, gpustat).
 */
#include <stdio.h>

#include <json.h>

#include "monitor.h"

#define GS_JSON_VERSION	1

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	add(o, key, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	add(o, key, json_object_new_string(v));
}

/* A double with @prec decimals rather than 17 significant digits. */
static void add_dbl(struct json_object *o, const char *key, double v, int prec)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", prec, v);
	add(o, key, json_object_new_double_s(v, buf));
}

static struct json_object *pct(const struct gs_pct *p)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "count", p->count);
	add_u64(o, "sum", p->sum_ns);
	add_u64(o, "p50", p->p50);
	add_u64(o, "p95", p->p95);
	add_u64(o, "p99", p->p99);
	return o;
}

static struct json_object *totals(const struct gs_pct *wait, const struct gs_pct *lat)
{
	struct json_object *o = json_object_new_object();

	add(o, "wait_ns", pct(wait));
	add(o, "latency_ns", pct(lat));
	return o;
}

static struct json_object *engine(const struct snap_engine *e)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "id", e->id);
	add_str(o, "name", e->name);
	add_dbl(o, "util", e->util, 4);
	add_u64(o, "busy_ns", e->busy_ns);
	add_u64(o, "jobs", e->jobs);
	add_u64(o, "switches", e->switches);
	add_u64(o, "preemptions", e->preemptions);
	add_u64(o, "queued", e->queued);
	add_u64(o, "running_channel", e->running_channel);
	add_dbl(o, "switch_util", e->switch_util, 4);
	add_u64(o, "switch_ns", e->switch_ns);
	add_u64(o, "resets", e->resets);
	return o;
}

static struct json_object *gpus(const struct snapshot *s)
{
	struct json_object *a = json_object_new_array();
	uint32_t gpu;
	size_t i;

	for (gpu = 0; gpu < s->ngpus; gpu++) {
		struct json_object *g = json_object_new_object();
		struct json_object *e = json_object_new_array();

		add_u64(g, "id", gpu);
		for (i = 0; i < s->neng; i++)
			if (s->eng[i].gpu == gpu)
				json_object_array_add(e, engine(&s->eng[i]));
		add(g, "engines", e);
		json_object_array_add(a, g);
	}
	return a;
}

static struct json_object *vgpu(const struct snap_vgpu *v)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "gpu", v->gpu);
	add_u64(o, "id", v->id);
	add_str(o, "name", v->name);
	add_u64(o, "weight", v->weight);
	add_u64(o, "cap", v->cap);
	add_u64(o, "mem_used", v->mem_used);
	add_u64(o, "mem_quota", v->mem_quota);
	add_u64(o, "busy_ns", v->busy_ns);
	add_u64(o, "jobs", v->jobs);
	add_u64(o, "failed", v->failed);
	add_u64(o, "submitted", v->submitted);
	add_u64(o, "preemptions", v->preemptions);
	add_u64(o, "resets", v->resets);
	add_u64(o, "channels", v->channels);
	add_u64(o, "max_channels", v->max_channels);
	add_u64(o, "queued", v->queued);
	add_u64(o, "max_jobs", v->max_jobs);
	add(o, "active", json_object_new_boolean(v->active));
	add_dbl(o, "share", v->share, 4);
	add_dbl(o, "target_share", v->target, 4);
	add_dbl(o, "util", v->util, 4);
	add_dbl(o, "jobs_per_s", v->jobs_per_s, 2);
	add(o, "wait_ns", pct(&v->wait));
	add(o, "latency_ns", pct(&v->lat));
	add(o, "total", totals(&v->wait_total, &v->lat_total));
	return o;
}

static struct json_object *chan(const struct snap_chan *c)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "id", c->id);
	add_u64(o, "gpu", c->gpu);
	add_u64(o, "engine", c->engine);
	add_str(o, "engine_name", c->engine_name);
	add_u64(o, "vgpu", c->vgpu);
	add_str(o, "vgpu_name", c->vgpu_name);
	add(o, "pid", json_object_new_int(c->pid));
	add_str(o, "comm", c->comm);
	add_u64(o, "busy_ns", c->busy_ns);
	add_u64(o, "jobs", c->jobs);
	add_u64(o, "failed", c->failed);
	add_u64(o, "submitted", c->submitted);
	add_u64(o, "preemptions", c->preemptions);
	add_u64(o, "queued", c->queued);
	add(o, "dead", json_object_new_boolean(c->dead));
	add_dbl(o, "util", c->util, 4);
	add_dbl(o, "jobs_per_s", c->jobs_per_s, 2);
	add(o, "latency_ns", pct(&c->lat));
	add(o, "total", totals(&c->wait_total, &c->lat_total));
	return o;
}

static struct json_object *policy(const struct snapshot *s)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "name", s->policy);
	add_str(o, "state", s->policy_state);
	add_u64(o, "decisions", s->decisions);
	add_u64(o, "errors", s->errors);
	add_u64(o, "ejections", s->ejections);
	add_str(o, "exit_kind", s->exit_kind);
	return o;
}

int json_print(FILE *f, const struct snapshot *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a;
	size_t i;
	int ret;

	add_u64(o, "version", GS_JSON_VERSION);
	add_u64(o, "timestamp_ns", s->ts);
	add_dbl(o, "interval_s", s->interval_ns / 1e9, 6);
	add(o, "replay", json_object_new_boolean(s->replay));
	add(o, "policy", policy(s));
	add_u64(o, "events", s->events);
	add_u64(o, "events_lost", s->lost);
	add(o, "gpus", gpus(s));
	a = json_object_new_array();
	for (i = 0; i < s->nvg; i++)
		json_object_array_add(a, vgpu(&s->vg[i]));
	add(o, "vgpus", a);
	a = json_object_new_array();
	for (i = 0; i < s->nch; i++)
		json_object_array_add(a, chan(&s->ch[i]));
	add(o, "channels", a);
	ret = fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		      JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0;
	json_object_put(o);
	return ret ? -1 : 0;
}
