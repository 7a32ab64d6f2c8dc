// SPDX-License-Identifier: MIT
/*
 * gpuload reports: a text table (or just its total line) and JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "gpuload.h"
#include "units.h"

struct gl_summary {
	struct gl_counters c;
	struct pct_summary wait;
	struct pct_summary lat;
	double secs;
	double jobs_per_s;
};

static void add_counters(struct gl_counters *sum, const struct gl_counters *c)
{
	sum->jobs += c->jobs;
	sum->failed += c->failed;
	sum->busy_ns += c->busy_ns;
	sum->lost += c->lost;
	sum->duplicated += c->duplicated;
	sum->mismatches += c->mismatches;
	sum->inconsistent += c->inconsistent;
}

static uint64_t errors(const struct gl_counters *c)
{
	return c->lost + c->duplicated + c->mismatches + c->inconsistent;
}

static void rate(struct gl_summary *s, uint64_t start, uint64_t end)
{
	s->secs = end > start ? (end - start) / 1e9 : 0;
	s->jobs_per_s = s->secs > 0 ? s->c.jobs / s->secs : 0;
}

static void summarize_chan(struct gl_chan *ch, struct gl_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->c = ch->c;
	u64_vec_summary(&ch->wait_ns, &s->wait);
	u64_vec_summary(&ch->lat_ns, &s->lat);
	rate(s, ch->t_start, ch->t_end);
}

/* Per channel into @s[], all channels into @total; 0 or -ENOMEM. */
static int summarize(struct gl_run *run, struct gl_summary *s,
		     struct gl_summary *total)
{
	struct u64_vec wait = { 0 }, lat = { 0 };
	uint64_t start = UINT64_MAX, end = 0;
	unsigned int i;
	int ret = 0;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < run->cfg->channels; i++) {
		struct gl_chan *ch = &run->chans[i];

		summarize_chan(ch, &s[i]);
		add_counters(&total->c, &ch->c);
		if (!ret)
			ret = u64_vec_append(&wait, &ch->wait_ns);
		if (!ret)
			ret = u64_vec_append(&lat, &ch->lat_ns);
		start = ch->t_start < start ? ch->t_start : start;
		end = ch->t_end > end ? ch->t_end : end;
	}
	u64_vec_summary(&wait, &total->wait);
	u64_vec_summary(&lat, &total->lat);
	rate(total, start, end);
	u64_vec_free(&wait);
	u64_vec_free(&lat);
	return ret;
}

static struct gl_summary *summarize_all(struct gl_run *run,
					struct gl_summary *total)
{
	struct gl_summary *s = calloc(run->cfg->channels, sizeof(*s));

	if (!s || summarize(run, s, total)) {
		gl_err("out of memory while summarizing");
		free(s);
		return NULL;
	}
	return s;
}

/* ---- text ---- */

#define DUR(buf, ns) format_duration(buf, sizeof(buf), ns)

static void print_header(const struct gl_run *run, double secs)
{
	const struct gl_config *cfg = run->cfg;
	const struct drm_gpucore_info *info = &run->dev.info;
	char a[32], b[32];

	printf("device %s  gpu %u  vgpu %s (id %u)  %u %s channel%s  kind %s",
	       run->dev.path, info->gpu_id, info->vgpu_name, info->vgpu_id,
	       cfg->channels, gcu_engine_class_name(cfg->engine_class),
	       cfg->channels == 1 ? "" : "s", gl_kind_name(cfg->kind));
	if (cfg->kind == GL_KIND_SPIN || cfg->kind == GL_KIND_MIX) {
		printf("  spin %s", DUR(a, cfg->spin_min_ns));
		if (cfg->spin_max_ns != cfg->spin_min_ns)
			printf("-%s", DUR(b, cfg->spin_max_ns));
		if (cfg->nopreempt)
			printf("  nopreempt 1/%llu", (unsigned long long)cfg->nopreempt);
	}
	if (cfg->kind != GL_KIND_SPIN)
		printf("  bo %s", format_size(a, sizeof(a), cfg->bo_size));
	printf("  depth %u  sync %s  %.3fs\n", cfg->depth,
	       gl_sync_name(cfg->sync), secs);
	printf("%-7s %5s %4s %9s %7s %9s %10s %9s %9s %9s %9s %9s %9s %6s\n",
	       "channel", "id", "eng", "jobs", "failed", "busy", "jobs/s",
	       "wait-p50", "wait-p99", "wait-max", "lat-p50", "lat-p99",
	       "lat-max", "errors");
}

static void print_row(const char *name, const char *id, const char *eng,
		      const struct gl_summary *s)
{
	char busy[32], w[3][32], l[3][32];

	printf("%-7s %5s %4s %9llu %7llu %9s %10.1f %9s %9s %9s %9s %9s %9s %6llu\n",
	       name, id, eng, (unsigned long long)s->c.jobs,
	       (unsigned long long)s->c.failed, DUR(busy, s->c.busy_ns),
	       s->jobs_per_s, DUR(w[0], s->wait.p50), DUR(w[1], s->wait.p99),
	       DUR(w[2], s->wait.max), DUR(l[0], s->lat.p50),
	       DUR(l[1], s->lat.p99), DUR(l[2], s->lat.max),
	       (unsigned long long)errors(&s->c));
}

static void print_chan(const struct gl_chan *ch, const struct gl_summary *s)
{
	char name[16], id[16], eng[16];

	snprintf(name, sizeof(name), "%u", ch->index);
	snprintf(id, sizeof(id), "%u", ch->id);
	snprintf(eng, sizeof(eng), "%u", ch->engine);
	print_row(name, id, eng, s);
}

static void print_errors(const struct gl_counters *c)
{
	printf("errors: lost %llu  duplicated %llu  mismatches %llu  inconsistent %llu\n",
	       (unsigned long long)c->lost, (unsigned long long)c->duplicated,
	       (unsigned long long)c->mismatches,
	       (unsigned long long)c->inconsistent);
}

/* --quiet: one self-describing line. */
static void print_total_line(const struct gl_summary *s)
{
	const struct gl_counters *c = &s->c;
	char busy[32], w[3][32], l[3][32];

	printf("total: jobs %llu  failed %llu  busy %s  jobs/s %.1f  wait p50/p99/max %s/%s/%s  latency p50/p99/max %s/%s/%s  errors %llu",
	       (unsigned long long)c->jobs, (unsigned long long)c->failed,
	       DUR(busy, c->busy_ns), s->jobs_per_s, DUR(w[0], s->wait.p50),
	       DUR(w[1], s->wait.p99), DUR(w[2], s->wait.max),
	       DUR(l[0], s->lat.p50), DUR(l[1], s->lat.p99),
	       DUR(l[2], s->lat.max), (unsigned long long)errors(c));
	if (errors(c))
		printf(" (lost %llu, duplicated %llu, mismatches %llu, inconsistent %llu)",
		       (unsigned long long)c->lost,
		       (unsigned long long)c->duplicated,
		       (unsigned long long)c->mismatches,
		       (unsigned long long)c->inconsistent);
	putchar('\n');
}

void gl_report_text(struct gl_run *run)
{
	struct gl_summary total, *s = summarize_all(run, &total);
	unsigned int i;

	if (!s)
		return;
	if (run->cfg->quiet) {
		print_total_line(&total);
	} else {
		print_header(run, total.secs);
		for (i = 0; i < run->cfg->channels; i++)
			print_chan(&run->chans[i], &s[i]);
		print_row("total", "-", "-", &total);
		if (run->cfg->verify || errors(&total.c))
			print_errors(&total.c);
	}
	fflush(stdout);
	free(s);
}

/* ---- JSON ---- */

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void jadd_u64(struct json_object *o, const char *key, uint64_t v)
{
	jadd(o, key, json_object_new_uint64(v));
}

/* A double printed with @prec decimals, not 17 significant digits. */
static struct json_object *jdouble(double v, int prec)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", prec, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *json_pct(const struct pct_summary *p)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "p50", p->p50);
	jadd_u64(o, "p99", p->p99);
	jadd_u64(o, "max", p->max);
	return o;
}

/* The keys shared by channels and the total. */
static void json_stats(struct json_object *o, const struct gl_summary *s)
{
	jadd_u64(o, "jobs", s->c.jobs);
	jadd_u64(o, "failed", s->c.failed);
	jadd_u64(o, "busy_ns", s->c.busy_ns);
	jadd(o, "jobs_per_s", jdouble(s->jobs_per_s, 3));
	jadd(o, "wait_ns", json_pct(&s->wait));
	jadd(o, "latency_ns", json_pct(&s->lat));
	jadd_u64(o, "lost", s->c.lost);
	jadd_u64(o, "duplicated", s->c.duplicated);
	jadd_u64(o, "mismatches", s->c.mismatches);
	jadd_u64(o, "inconsistent", s->c.inconsistent);
}

static struct json_object *json_chan(const struct gl_chan *ch,
				     const struct gl_summary *s)
{
	struct json_object *o = json_object_new_object();

	jadd_u64(o, "index", ch->index);
	jadd_u64(o, "handle", ch->handle);
	jadd_u64(o, "id", ch->id);
	jadd_u64(o, "engine", ch->engine);
	json_stats(o, s);
	return o;
}

static void json_config(struct json_object *o, const struct gl_config *cfg)
{
	jadd(o, "engine_class",
	     json_object_new_string(gcu_engine_class_name(cfg->engine_class)));
	jadd(o, "kind", json_object_new_string(gl_kind_name(cfg->kind)));
	jadd(o, "sync", json_object_new_string(gl_sync_name(cfg->sync)));
	jadd_u64(o, "depth", cfg->depth);
	jadd_u64(o, "nopreempt", cfg->nopreempt);
	jadd(o, "verify", json_object_new_boolean(cfg->verify));
}

static struct json_object *json_report(struct gl_run *run,
				       const struct gl_summary *s,
				       const struct gl_summary *total)
{
	const struct drm_gpucore_info *info = &run->dev.info;
	struct json_object *o = json_object_new_object();
	struct json_object *vgpu = json_object_new_object();
	struct json_object *chans = json_object_new_array();
	struct json_object *tot = json_object_new_object();
	unsigned int i;

	jadd(o, "device", json_object_new_string(run->dev.path));
	jadd_u64(o, "gpu", info->gpu_id);
	jadd_u64(vgpu, "id", info->vgpu_id);
	jadd(vgpu, "name", json_object_new_string(info->vgpu_name));
	jadd(o, "vgpu", vgpu);
	json_config(o, run->cfg);
	jadd(o, "duration_s", jdouble(total->secs, 6));
	for (i = 0; i < run->cfg->channels; i++)
		json_object_array_add(chans, json_chan(&run->chans[i], &s[i]));
	jadd(o, "channels", chans);
	json_stats(tot, total);
	jadd(o, "total", tot);
	return o;
}

int gl_report_json(struct gl_run *run)
{
	struct gl_summary total, *s = summarize_all(run, &total);
	struct json_object *o;

	if (!s)
		return -1;
	o = json_report(run, s, &total);
	printf("%s\n", json_object_to_json_string_ext(o,
	       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
	free(s);
	return 0;
}
