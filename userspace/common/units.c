// SPDX-License-Identifier: MIT
/*
 * Durations, sizes and the monotonic clock for the gpucore tools.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "units.h"

struct unit {
	const char *name;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{ "ns", 1 },
	{ "us", NSEC_PER_USEC },
	{ "ms", NSEC_PER_MSEC },
	{ "s", NSEC_PER_SEC },
};

static const struct unit size_units[] = {
	{ "", 1 }, { "B", 1 },
	{ "K", 1ULL << 10 }, { "KB", 1ULL << 10 }, { "KiB", 1ULL << 10 },
	{ "k", 1ULL << 10 }, { "kB", 1ULL << 10 }, { "kiB", 1ULL << 10 },
	{ "M", 1ULL << 20 }, { "MB", 1ULL << 20 }, { "MiB", 1ULL << 20 },
	{ "G", 1ULL << 30 }, { "GB", 1ULL << 30 }, { "GiB", 1ULL << 30 },
	{ "T", 1ULL << 40 }, { "TB", 1ULL << 40 }, { "TiB", 1ULL << 40 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct unit *find_unit(const struct unit *u, size_t n,
				    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(u[i].name, name))
			return &u[i];
	return NULL;
}

/*
 * Split "12.5ms" into the number 12.5 and the suffix "ms". Only plain
 * decimals: no sign, exponent, hex, inf or nan.
 */
static int split_number(const char *s, long double *num, const char **suffix)
{
	size_t len = strspn(s, "0123456789.");
	size_t i, dots = 0;
	char buf[64];

	for (i = 0; i < len; i++)
		dots += s[i] == '.';
	if (len == dots || dots > 1 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*num = strtold(buf, NULL);
	*suffix = s + len;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t default_unit_ns, uint64_t *ns)
{
	const struct unit *u;
	const char *suffix;
	long double num, val;
	int ret;

	ret = split_number(s, &num, &suffix);
	if (ret)
		return ret;
	if (!*suffix) {
		if (!default_unit_ns && num != 0)
			return -EINVAL;
		val = num * (default_unit_ns ? default_unit_ns : 1);
	} else {
		u = find_unit(duration_units, ARRAY_SIZE(duration_units), suffix);
		if (!u)
			return -EINVAL;
		val = num * u->mult;
	}
	val = roundl(val);
	if (val >= 18446744073709551615.0L)
		return -ERANGE;
	*ns = (uint64_t)val;
	return 0;
}

int parse_duration_range(const char *s, uint64_t default_unit_ns,
			 uint64_t *min_ns, uint64_t *max_ns)
{
	const char *dash = strchr(s, '-');
	char buf[64];
	size_t len;
	int ret;

	if (!dash) {
		ret = parse_duration_ns(s, default_unit_ns, min_ns);
		*max_ns = *min_ns;
		return ret;
	}
	len = (size_t)(dash - s);
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	ret = parse_duration_ns(buf, default_unit_ns, min_ns);
	if (!ret)
		ret = parse_duration_ns(dash + 1, default_unit_ns, max_ns);
	if (!ret && *min_ns > *max_ns)
		ret = -EINVAL;
	return ret;
}

int parse_u64(const char *s, uint64_t *val)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*val = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	return *end ? -EINVAL : 0;
}

int parse_size(const char *s, uint64_t *bytes)
{
	const struct unit *u;
	uint64_t num;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	num = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	u = find_unit(size_units, ARRAY_SIZE(size_units), end);
	if (!u)
		return -EINVAL;
	if (num > UINT64_MAX / u->mult)
		return -ERANGE;
	*bytes = num * u->mult;
	return 0;
}

/* Appends @s to @buf (@len bytes, @k of them used), cut to fit. */
static size_t put(char *buf, size_t len, size_t k, const char *s)
{
	while (*s && k + 1 < len)
		buf[k++] = *s++;
	if (len)
		buf[k] = 0;
	return k;
}

/* Appends @v in decimal, at least @min digits (zeros before), cut to fit. */
static size_t put_u64(char *buf, size_t len, size_t k, uint64_t v, int min)
{
	char tmp[24];
	int n = sizeof(tmp);

	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v || n > (int)sizeof(tmp) - min);
	while (n < (int)sizeof(tmp) && k + 1 < len)
		buf[k++] = tmp[n++];
	if (len)
		buf[k] = 0;
	return k;
}

char *format_u64(char *buf, size_t len, uint64_t v)
{
	put_u64(buf, len, 0, v, 1);
	return buf;
}

char *format_u64_suffix(char *buf, size_t len, uint64_t v, const char *suffix)
{
	put(buf, len, put_u64(buf, len, 0, v, 1), suffix);
	return buf;
}

char *format_fixed(char *buf, size_t len, double v, int dec, const char *suffix)
{
	static const double scale[] = { 1, 10, 100, 1000, 1e4, 1e5, 1e6 };
	unsigned long long n, p;
	size_t k = 0;
	double x, f, d;

	/* x below 2^52: f + 0.5 is exact, and the fma below rounds against it */
	if (dec < 0 || dec > 6 || !(fabs(v) * scale[dec] < 4e15)) {	/* and NaN */
		snprintf(buf, len, "%.*f%s", dec, v, suffix);
		return buf;
	}
	/*
	 * Round the exact value, as printf does: fma() gives the sign of
	 * |v| * scale - (f + 0.5) without the product's rounding error. It
	 * (and libm) is needed only near a tie: under emulation each
	 * floating-point operation is a call, and a thousand rows a second
	 * format a few values each.
	 */
	x = fabs(v) * scale[dec];
	n = x;			/* floor: x >= 0, below 2^52 */
	f = n;
	d = x - (f + 0.5);
	if (x >= 1e9 || fabs(d) < 1e-6)
		d = fma(fabs(v), scale[dec], -(f + 0.5));
	n += d > 0 || (d == 0 && (n & 1));
	p = scale[dec];
	if (len)
		buf[0] = 0;
	if (signbit(v))
		k = put(buf, len, k, "-");
	k = put_u64(buf, len, k, n / p, 1);
	if (dec) {
		k = put(buf, len, k, ".");
		k = put_u64(buf, len, k, n % p, dec);
	}
	put(buf, len, k, suffix);
	return buf;
}

/* Three significant digits: 1.23, 12.3, 123. */
static char *format3(char *buf, size_t len, double v, const char *unit)
{
	return format_fixed(buf, len, v, v < 9.995 ? 2 : v < 99.95 ? 1 : 0, unit);
}

char *format_duration(char *buf, size_t len, uint64_t ns)
{
	/* Switch units where three digits would round up to 1000. */
	if (ns < NSEC_PER_USEC)
		format_u64_suffix(buf, len, ns, "ns");
	else if (ns < 999500)
		format3(buf, len, (double)ns / 1e3, "us");
	else if (ns < 999500000)
		format3(buf, len, (double)ns / 1e6, "ms");
	else
		format_fixed(buf, len, (double)ns / 1e9, 3, "s");
	return buf;
}

char *format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;
	double v = (double)bytes;

	while (v >= 1024 && i < ARRAY_SIZE(names) - 1) {
		v /= 1024;
		i++;
	}
	if (v == (uint64_t)v)
		format_u64_suffix(buf, len, v, names[i]);
	else
		format_fixed(buf, len, v, 1, names[i]);
	return buf;
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
