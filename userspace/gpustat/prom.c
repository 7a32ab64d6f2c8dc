// SPDX-License-Identifier: MIT
/*
 * --prometheus: /metrics in the Prometheus text exposition format, served
 * by libmicrohttpd's own thread, rendered at each request from the model
 * brought up to date then (main.c's render_scrape()). Its families are the fields
 * of fields.c, their labels too; the channels' only when asked.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "monitor.h"
#include "units.h"

struct prom {
	struct MHD_Daemon *d;
	int fd;
	prom_scrape_fn scrape;
	void *arg;
};

/*
 * The histograms' buckets are the BPF program's own (gpucore_hist_low()), each
 * at most 1/8 of its lower bound wide, from PROM_HIST_LO to PROM_HIST_HI
 * ns: histogram_quantile() interpolates in the bucket whose midpoint is
 * gpustat's percentile, so the two differ by half a bucket at most (6.25%).
 * Below and above, one bucket each: 169 bounds and +Inf.
 */
#define PROM_HIST_LO	(1ULL << 13)	/* 8.2 us */
#define PROM_HIST_HI	(1ULL << 34)	/* 17.2 s */

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

/* @ns as seconds, exactly. */
static void seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%09llu", (unsigned long long)(ns / NSEC_PER_SEC),
		(unsigned long long)(ns % NSEC_PER_SEC));
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

/* An integer exactly, ns as exact seconds; anything else scaled, 9 digits. */
static void value(FILE *f, const struct field *fd, const void *row)
{
	if (fd->unit == U_NS && fd->type == FT_U64) {
		fputc(' ', f);
		seconds(f, field_get(fd, row).u);
		fputc('\n', f);
		return;
	}
	if (!field_integral(fd)) {
		fprintf(f, " %.9g\n", field_scaled(fd, row));
		return;
	}
	fputc(' ', f);
	integer(f, fd, field_get(fd, row));
	fputc('\n', f);
}

/* A bucket: the values up to @bound ns (the histograms' are whole ns). */
static void bucket(FILE *f, const struct object *o, const struct field *fd,
		   const void *row, uint64_t bound, uint64_t cum)
{
	char le[48];

	snprintf(le, sizeof(le), "le=\"%.12g\"", bound / 1e9);
	series(f, fd->prom, "_bucket", o, PK_LABEL, row, le);
	fprintf(f, " %llu\n", (unsigned long long)cum);
}

/* A Prometheus histogram of the fine log histogram's buckets (above). */
static void histogram(FILE *f, const struct object *o, const struct field *fd,
		      const void *row)
{
	const struct gpucore_hist *h = *(const struct gpucore_hist *const *)((const char *)row + fd->hist);
	unsigned int i, lo = gpucore_hist_bucket(PROM_HIST_LO), hi = gpucore_hist_bucket(PROM_HIST_HI);
	uint64_t cum = 0;

	for (i = 0; i < lo; i++)
		cum += h->b[i];
	bucket(f, o, fd, row, gpucore_hist_low(lo) - 1, cum);
	for (i = lo; i < hi; i++) {
		cum += h->b[i];
		bucket(f, o, fd, row, gpucore_hist_low(i + 1) - 1, cum);
	}
	series(f, fd->prom, "_bucket", o, PK_LABEL, row, "le=\"+Inf\"");
	fprintf(f, " %llu\n", (unsigned long long)h->count);
	series(f, fd->prom, "_sum", o, PK_LABEL, row, NULL);
	fputc(' ', f);
	seconds(f, h->sum_ns);
	fputc('\n', f);
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
	fputc(' ', f);
	seconds(f, p->sum_ns);
	fputc('\n', f);
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

char *prom_render(const struct snapshot *s, bool channels)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	if (!f)
		return NULL;
	for (i = 0; i < OBJ_COUNT; i++)
		if (i != OBJ_CHAN || channels)
			object(f, s, objects[i]);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Reply @body, whose memory goes with the reply when @mode says so. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!r && mode == MHD_RESPMEM_MUST_FREE)
		free((void *)body);
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
	static const char unavailable[] = "gpustat has no figures to serve yet\n";
	struct prom *p = cls;
	char *text;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT);
	text = p->scrape(p->arg);
	if (!text)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, unavailable,
			     sizeof(unavailable) - 1, MHD_RESPMEM_PERSISTENT);
	return reply(conn, MHD_HTTP_OK, text, strlen(text), MHD_RESPMEM_MUST_FREE);
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

int prom_start(const char *addr, prom_scrape_fn scrape, void *arg, struct prom **pp)
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
	p->scrape = scrape;
	p->arg = arg;
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

void prom_stop(struct prom *p)
{
	if (!p)
		return;
	MHD_stop_daemon(p->d);
	close(p->fd);
	free(p);
}
