// SPDX-License-Identifier: MIT
/*
 * --prometheus: /metrics in the Prometheus text exposition format, served
 * by libmicrohttpd's own thread from the text rendered at each refresh.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "monitor.h"

struct prom {
	struct MHD_Daemon *d;
	int fd;
	pthread_mutex_t lock;
	char *text;
	size_t len;
};

/* Upper bounds of the latency histograms' buckets, seconds. */
static const double le_bounds[] = {
	1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
	1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void eng_labels(FILE *f, const char *name, const struct snap_engine *e)
{
	fprintf(f, "%s{gpu=\"%u\",engine=\"", name, e->gpu);
	label_value(f, e->name);
	fputs("\"}", f);
}

static void vgpu_labels(FILE *f, const char *name, const struct snap_vgpu *v,
			const char *extra)
{
	fprintf(f, "%s{gpu=\"%u\",vgpu=\"", name, v->gpu);
	label_value(f, v->name);
	fprintf(f, "\"%s}", extra ? extra : "");
}

static void chan_labels(FILE *f, const char *name, const struct snap_chan *c)
{
	fprintf(f, "%s{gpu=\"%u\",vgpu=\"", name, c->gpu);
	label_value(f, c->vgpu_name);
	fprintf(f, "\",channel=\"%u\",engine=\"", c->id);
	label_value(f, c->engine_name);
	fprintf(f, "\",pid=\"%d\",comm=\"", c->pid);
	label_value(f, c->comm);
	fputs("\"}", f);
}

#define ENG_METRIC(f, s, name, type, help, expr)				\
	do {									\
		size_t _i;							\
		family(f, name, type, help);					\
		for (_i = 0; _i < (s)->neng; _i++) {				\
			const struct snap_engine *e = &(s)->eng[_i];		\
			eng_labels(f, name, e);					\
			fprintf(f, " %.9g\n", (double)(expr));			\
		}								\
	} while (0)

#define VGPU_METRIC(f, s, name, type, help, expr)				\
	do {									\
		size_t _i;							\
		family(f, name, type, help);					\
		for (_i = 0; _i < (s)->nvg; _i++) {				\
			const struct snap_vgpu *v = &(s)->vg[_i];		\
			vgpu_labels(f, name, v, NULL);				\
			fprintf(f, " %.9g\n", (double)(expr));			\
		}								\
	} while (0)

#define CHAN_METRIC(f, s, name, type, help, expr)				\
	do {									\
		size_t _i;							\
		family(f, name, type, help);					\
		for (_i = 0; _i < (s)->nch; _i++) {				\
			const struct snap_chan *c = &(s)->ch[_i];		\
			chan_labels(f, name, c);				\
			fprintf(f, " %.9g\n", (double)(expr));			\
		}								\
	} while (0)

static void engines(FILE *f, const struct snapshot *s)
{
	ENG_METRIC(f, s, "gpucore_engine_busy_seconds_total", "counter",
		   "Engine time charged to channels.", e->busy_ns / 1e9);
	ENG_METRIC(f, s, "gpucore_engine_utilization_ratio", "gauge",
		   "Busy fraction of the engine over the last refresh interval.", e->util);
	ENG_METRIC(f, s, "gpucore_engine_jobs_total", "counter",
		   "Jobs completed on the engine.", e->jobs);
	ENG_METRIC(f, s, "gpucore_engine_switches_total", "counter",
		   "Channels switched in.", e->switches);
	ENG_METRIC(f, s, "gpucore_engine_preemptions_total", "counter",
		   "Channels preempted at the end of their timeslice.", e->preemptions);
	ENG_METRIC(f, s, "gpucore_engine_queued_channels", "gauge",
		   "Runnable channels waiting for the engine.", e->queued);
	ENG_METRIC(f, s, "gpucore_engine_switch_seconds_total", "counter",
		   "Engine time spent switching contexts, charged to no channel (since the GPU was created).",
		   e->switch_ns / 1e9);
	ENG_METRIC(f, s, "gpucore_engine_switch_ratio", "gauge",
		   "Fraction of the last refresh interval the engine spent switching contexts.",
		   e->switch_util);
	ENG_METRIC(f, s, "gpucore_engine_resets_total", "counter",
		   "Jobs stopped as hung on the engine (since the GPU was created).", e->resets);
}

/* A Prometheus histogram from a fine log histogram: a value is counted
 * under a bound once its whole bucket lies below it. */
static void histogram(FILE *f, const char *name, const struct snap_vgpu *v,
		      const struct gs_hist *h)
{
	char name_b[128], extra[64];
	uint64_t cum = 0;
	unsigned int i = 0, k;

	snprintf(name_b, sizeof(name_b), "%s_bucket", name);
	for (k = 0; k < sizeof(le_bounds) / sizeof(le_bounds[0]); k++) {
		uint64_t bound = (uint64_t)(le_bounds[k] * 1e9 + 0.5);

		while (i < GS_HIST_BUCKETS && gs_hist_low(i + 1) - 1 <= bound)
			cum += h->b[i++];
		snprintf(extra, sizeof(extra), ",le=\"%g\"", le_bounds[k]);
		vgpu_labels(f, name_b, v, extra);
		fprintf(f, " %llu\n", (unsigned long long)cum);
	}
	vgpu_labels(f, name_b, v, ",le=\"+Inf\"");
	fprintf(f, " %llu\n", (unsigned long long)h->count);
	snprintf(name_b, sizeof(name_b), "%s_sum", name);
	vgpu_labels(f, name_b, v, NULL);
	fprintf(f, " %.9g\n", h->sum_ns / 1e9);
	snprintf(name_b, sizeof(name_b), "%s_count", name);
	vgpu_labels(f, name_b, v, NULL);
	fprintf(f, " %llu\n", (unsigned long long)h->count);
}

static void histograms(FILE *f, const struct snapshot *s)
{
	static const char wait[] = "gpucore_vgpu_job_wait_seconds";
	static const char lat[] = "gpucore_vgpu_job_latency_seconds";
	size_t i;

	family(f, wait, "histogram", "Time from a job's submission to its start.");
	for (i = 0; i < s->nvg; i++)
		histogram(f, wait, &s->vg[i], &s->vg[i].hist->wait);
	family(f, lat, "histogram", "Time from a job's submission to its completion.");
	for (i = 0; i < s->nvg; i++)
		histogram(f, lat, &s->vg[i], &s->vg[i].hist->lat);
}

static void vgpus(FILE *f, const struct snapshot *s)
{
	VGPU_METRIC(f, s, "gpucore_vgpu_busy_seconds_total", "counter",
		    "Engine time charged to the vGPU's channels.", v->busy_ns / 1e9);
	VGPU_METRIC(f, s, "gpucore_vgpu_jobs_total", "counter",
		    "Jobs of the vGPU completed.", v->jobs);
	VGPU_METRIC(f, s, "gpucore_vgpu_jobs_failed_total", "counter",
		    "Jobs of the vGPU that failed or were cancelled.", v->failed);
	VGPU_METRIC(f, s, "gpucore_vgpu_resets_total", "counter",
		    "Jobs of the vGPU stopped as hung (since the vGPU was created).", v->resets);
	VGPU_METRIC(f, s, "gpucore_vgpu_share_ratio", "gauge",
		    "The vGPU's share of its GPU's busy engine time over the last interval.",
		    v->share);
	VGPU_METRIC(f, s, "gpucore_vgpu_target_share_ratio", "gauge",
		    "The share its weight promises among the busy vGPUs, capped.", v->target);
	VGPU_METRIC(f, s, "gpucore_vgpu_weight", "gauge", "The vGPU's weight.", v->weight);
	VGPU_METRIC(f, s, "gpucore_vgpu_cap_ratio", "gauge",
		    "The vGPU's cap on engine time (0: none).", v->cap / 100.0);
	VGPU_METRIC(f, s, "gpucore_vgpu_memory_used_bytes", "gauge",
		    "Video memory the vGPU uses.", v->mem_used);
	VGPU_METRIC(f, s, "gpucore_vgpu_memory_quota_bytes", "gauge",
		    "The vGPU's video memory quota.", v->mem_quota);
	VGPU_METRIC(f, s, "gpucore_vgpu_queued_jobs", "gauge",
		    "Jobs of the vGPU submitted and not yet completed.", v->queued);
	VGPU_METRIC(f, s, "gpucore_vgpu_queued_jobs_limit", "gauge",
		    "The vGPU's limit on jobs queued over its channels (max_jobs; 0: unknown).",
		    v->max_jobs);
	VGPU_METRIC(f, s, "gpucore_vgpu_channels", "gauge",
		    "Channels the vGPU has open.", v->channels);
	VGPU_METRIC(f, s, "gpucore_vgpu_channels_limit", "gauge",
		    "The vGPU's limit on channels (max_channels; 0: unknown).", v->max_channels);
	histograms(f, s);
}

static void chans(FILE *f, const struct snapshot *s)
{
	CHAN_METRIC(f, s, "gpucore_channel_busy_seconds_total", "counter",
		    "Engine time charged to the channel.", c->busy_ns / 1e9);
	CHAN_METRIC(f, s, "gpucore_channel_jobs_total", "counter",
		    "Jobs of the channel completed.", c->jobs);
	CHAN_METRIC(f, s, "gpucore_channel_queued_jobs", "gauge",
		    "Jobs of the channel submitted and not yet completed.", c->queued);
}

static void policy(FILE *f, const struct snapshot *s)
{
	family(f, "gpucore_policy_info", "gauge", "The scheduling policy in charge.");
	fputs("gpucore_policy_info{policy=\"", f);
	label_value(f, s->policy);
	fputs("\",state=\"", f);
	label_value(f, s->policy_state);
	fputs("\"} 1\n", f);
	family(f, "gpucore_policy_decisions_total", "counter", "Dispatch decisions of BPF policies.");
	fprintf(f, "gpucore_policy_decisions_total %llu\n", (unsigned long long)s->decisions);
	family(f, "gpucore_policy_errors_total", "counter", "Errors of BPF policies.");
	fprintf(f, "gpucore_policy_errors_total %llu\n", (unsigned long long)s->errors);
	family(f, "gpucore_policy_ejections_total", "counter", "BPF policies ejected.");
	fprintf(f, "gpucore_policy_ejections_total %llu\n", (unsigned long long)s->ejections);
	family(f, "gpucore_gpustat_events_total", "counter", "Tracepoint events gpustat folded.");
	fprintf(f, "gpucore_gpustat_events_total %llu\n", (unsigned long long)s->events);
	family(f, "gpucore_gpustat_events_lost_total", "counter",
	       "Events a recording lost (ring buffer full).");
	fprintf(f, "gpucore_gpustat_events_lost_total %llu\n", (unsigned long long)s->lost);
}

char *prom_render(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	engines(f, s);
	vgpus(f, s);
	chans(f, s);
	policy(f, s);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_len, void **ctx)
{
	static const char not_found[] = "gpustat serves /metrics\n";
	struct prom *p = cls;
	enum MHD_Result ret;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1);
	pthread_mutex_lock(&p->lock);
	ret = reply(conn, MHD_HTTP_OK, p->text ? p->text : "", p->text ? p->len : 0);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* "[ADDR:]PORT" (ADDR may be [v6]) into @host (NULL: any) and @port. */
static int split_addr(const char *arg, char *host, size_t len, const char **port)
{
	const char *colon = strrchr(arg, ':');
	size_t n;

	if (!colon) {
		host[0] = 0;
		*port = arg;
		return 0;
	}
	n = colon - arg;
	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
		arg++;
		n -= 2;
	}
	if (n >= len)
		return -1;
	memcpy(host, arg, n);
	host[n] = 0;
	*port = colon + 1;
	return 0;
}

static int listen_on(const char *arg, int *fdp)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai;
	const char *port;
	char host[256], *end;
	int fd, one = 1, err;

	if (split_addr(arg, host, sizeof(host), &port) || strtoul(port, &end, 10) > 65535 ||
	    *end || !*port) {
		gs_err("bad --prometheus address '%s': [ADDR:]PORT", arg);
		return GS_USAGE;
	}
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET;
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (err) {
		gs_err("bad --prometheus address '%s': %s", arg, gai_strerror(err));
		return GS_USAGE;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		err = errno;
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		if (err == EADDRINUSE) {
			gs_err("cannot serve metrics on %s: the address is in use (another exporter? pick another port)",
			       arg);
			return GS_PORT_BUSY;
		}
		gs_err("cannot serve metrics on %s: %s", arg, strerror(err));
		return GS_ERR;
	}
	freeaddrinfo(ai);
	*fdp = fd;
	return GS_OK;
}

int prom_start(const char *addr, struct prom **pp)
{
	struct prom *p = calloc(1, sizeof(*p));
	int ret;

	if (!p) {
		gs_err("out of memory");
		return GS_ERR;
	}
	ret = listen_on(addr, &p->fd);
	if (ret) {
		free(p);
		return ret;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
				NULL, NULL, handle, p,
				MHD_OPTION_LISTEN_SOCKET, p->fd,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_END);
	if (!p->d) {
		gs_err("cannot start the HTTP server on %s", addr);
		close(p->fd);
		free(p);
		return GS_ERR;
	}
	*pp = p;
	return GS_OK;
}

void prom_update(struct prom *p, const struct snapshot *s)
{
	char *text = prom_render(s);

	if (!text)
		return;
	pthread_mutex_lock(&p->lock);
	free(p->text);
	p->text = text;
	p->len = strlen(text);
	pthread_mutex_unlock(&p->lock);
}

void prom_stop(struct prom *p)
{
	if (!p)
		return;
	MHD_stop_daemon(p->d);
	close(p->fd);
	pthread_mutex_destroy(&p->lock);
	free(p->text);
	free(p);
}
