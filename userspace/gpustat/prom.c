// SPDX-License-Identifier: MIT
/*
 * --prometheus: /metrics in the Prometheus text exposition format, served
 * by libmicrohttpd's own thread from the text rendered at each refresh.
 * Its families are the fields of fields.c, their labels too.
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

static const char *const kind_types[] = {
	[PK_COUNTER] = "counter", [PK_GAUGE] = "gauge",
	[PK_HISTOGRAM] = "histogram", [PK_SUMMARY] = "summary",
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

/* An integer field's value, exactly. */
static void integer(FILE *f, const struct field *fd, union fval v)
{
	if (fd->type == FT_S32)
		fprintf(f, "%lld", (long long)v.i);
	else if (fd->type == FT_BOOL)
		fprintf(f, "%d", v.b);
	else
		fprintf(f, "%llu", (unsigned long long)v.u);
}

static void label(FILE *f, const char *sep, const struct field *fd, const void *row)
{
	union fval v = field_get(fd, row);

	fprintf(f, "%s%s=\"", sep, fd->prom);
	if (fd->type == FT_STR)
		label_value(f, v.s);
	else
		integer(f, fd, v);
	fputc('"', f);
}

/*
 * A series: @name{labels of @row,@extra}; the labels are the object's
 * fields of kind @kind (PK_LABEL: every series, PK_INFO: its info metric).
 */
static void series(FILE *f, const char *name, const char *suffix, const struct object *o,
		   enum pkind kind, const void *row, const char *extra)
{
	const char *sep = "{";
	size_t i;

	fprintf(f, "%s%s", name, suffix);
	for (i = 0; i < o->nfields; i++) {
		if (o->fields[i].kind != kind)
			continue;
		label(f, sep, &o->fields[i], row);
		sep = ",";
	}
	if (extra)
		fprintf(f, "%s%s", sep, extra);
	if (extra || *sep == ',')
		fputc('}', f);
}

/* An integer exactly; anything else scaled, 9 digits. */
static void value(FILE *f, const struct field *fd, const void *row)
{
	if (!field_integral(fd)) {
		fprintf(f, " %.9g\n", field_scaled(fd, row));
		return;
	}
	fputc(' ', f);
	integer(f, fd, field_get(fd, row));
	fputc('\n', f);
}

/* A Prometheus histogram from a fine log histogram: a value is counted
 * under a bound once its whole bucket lies below it. */
static void histogram(FILE *f, const struct object *o, const struct field *fd,
		      const void *row)
{
	const struct gs_hist *h = *(const struct gs_hist *const *)((const char *)row + fd->hist);
	uint64_t cum = 0;
	unsigned int i = 0, k;
	char le[32];

	for (k = 0; k < sizeof(le_bounds) / sizeof(le_bounds[0]); k++) {
		uint64_t bound = (uint64_t)(le_bounds[k] * 1e9 + 0.5);

		while (i < GS_HIST_BUCKETS && gs_hist_low(i + 1) - 1 <= bound)
			cum += h->b[i++];
		snprintf(le, sizeof(le), "le=\"%g\"", le_bounds[k]);
		series(f, fd->prom, "_bucket", o, PK_LABEL, row, le);
		fprintf(f, " %llu\n", (unsigned long long)cum);
	}
	series(f, fd->prom, "_bucket", o, PK_LABEL, row, "le=\"+Inf\"");
	fprintf(f, " %llu\n", (unsigned long long)h->count);
	series(f, fd->prom, "_sum", o, PK_LABEL, row, NULL);
	fprintf(f, " %.9g\n", h->sum_ns / 1e9);
	series(f, fd->prom, "_count", o, PK_LABEL, row, NULL);
	fprintf(f, " %llu\n", (unsigned long long)h->count);
}

/* A summary from a percentile set: no quantile (NaN) before a first job. */
static void summary(FILE *f, const struct object *o, const struct field *fd, const void *row)
{
	const struct gs_pct *p = field_get(fd, row).p;
	char q[32];
	int i;

	for (i = 0; i < PCT_STATS; i++) {
		if (!pct_stats[i].quantile)
			continue;
		snprintf(q, sizeof(q), "quantile=\"%s\"", pct_stats[i].quantile);
		series(f, fd->prom, "", o, PK_LABEL, row, q);
		if (p->count)
			fprintf(f, " %.9g\n", pct_get(p, &pct_stats[i]) / 1e9);
		else
			fputs(" NaN\n", f);
	}
	series(f, fd->prom, "_sum", o, PK_LABEL, row, NULL);
	fprintf(f, " %.9g\n", p->sum_ns / 1e9);
	series(f, fd->prom, "_count", o, PK_LABEL, row, NULL);
	fprintf(f, " %llu\n", (unsigned long long)p->count);
}

static void metric(FILE *f, const struct object *o, const struct field *fd,
		   const char *rows, size_t n)
{
	size_t i;

	family(f, fd->prom, kind_types[fd->kind], fd->help);
	for (i = 0; i < n; i++) {
		const void *row = rows + i * o->size;

		if (fd->kind == PK_HISTOGRAM) {
			histogram(f, o, fd, row);
		} else if (fd->kind == PK_SUMMARY) {
			summary(f, o, fd, row);
		} else {
			series(f, fd->prom, "", o, PK_LABEL, row, NULL);
			value(f, fd, row);
		}
	}
}

static void object(FILE *f, const struct snapshot *s, const struct object *o)
{
	size_t n, i;
	const char *rows = obj_rows(o, s, &n);

	if (o->info) {
		family(f, o->info, "gauge", o->info_help);
		for (i = 0; i < n; i++) {
			series(f, o->info, "", o, PK_INFO, rows + i * o->size, NULL);
			fputs(" 1\n", f);
		}
	}
	for (i = 0; i < o->nfields; i++)
		if (kind_types[o->fields[i].kind])	/* a metric of its own */
			metric(f, o, &o->fields[i], rows, n);
}

char *prom_render(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	if (!f)
		return NULL;
	for (i = 0; i < OBJ_COUNT; i++)
		object(f, s, objects[i]);
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
		gs_err("bad --prometheus address '%s': [ADDR:]PORT, PORT a number up to 65535 (see gpustat --help)",
		       arg);
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
