// SPDX-License-Identifier: MIT
/*
 * Unit tests of userspace/common (pure logic: unit parsing and printing,
 * percentiles) and of the histogram helpers of include/uapi/gpucore_hist.h. Prints TAP; run on the host by selftests/run, counted with
 * the other suites.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gpucore_hist.h"
#include "stats.h"
#include "units.h"

static int n_tests, n_failed;

static void check(int ok, const char *what)
{
	n_tests++;
	if (!ok)
		n_failed++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", n_tests, what);
}

static void dur(const char *s, uint64_t def, int want_ret, uint64_t want)
{
	char what[128];
	uint64_t ns = 0;
	int ret = parse_duration_ns(s, def, &ns);

	snprintf(what, sizeof(what), "parse_duration_ns(\"%s\") = %d, %llu", s,
		 want_ret, (unsigned long long)want);
	check(ret == want_ret && (ret || ns == want), what);
}

static void size(const char *s, int want_ret, uint64_t want)
{
	char what[128];
	uint64_t b = 0;
	int ret = parse_size(s, &b);

	snprintf(what, sizeof(what), "parse_size(\"%s\") = %d, %llu", s, want_ret,
		 (unsigned long long)want);
	check(ret == want_ret && (ret || b == want), what);
}

/* format_fixed() prints what "%.*f" does, over values that are not ties. */
static void test_fixed(void)
{
	static const double vs[] = { 0, 0.004, 0.05, 0.96, 1.2345, 9.996, 99.94, 123.456,
				     999.96, 65536.25, 0.125, 2.5, -0.2, -3.14159, 1e14 };
	char want[64], got[64], what[200];
	unsigned int i;
	int dec, bad = 0;

	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		for (dec = 0; dec <= 6; dec++) {
			snprintf(want, sizeof(want), "%.*f%%", dec, vs[i]);
			format_fixed(got, sizeof(got), vs[i], dec, "%");
			if (strcmp(want, got) && !bad++) {
				snprintf(what, sizeof(what), "format_fixed(%g, %d): %s, not %s",
					 vs[i], dec, got, want);
				check(0, what);
			}
		}
	if (!bad)
		check(1, "format_fixed() prints as %.*f for 15 values (ties too) and 0 to 6 decimals");
}

/* The same over 200000 values of every magnitude, near ties among them. */
static void test_fixed_many(void)
{
	char want[64], got[64], what[200];
	uint64_t x = 88172645463325252ULL;
	int i, dec, bad = 0;
	double v;

	for (i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		dec = x % 7;
		v = (double)(x >> 11) / (1ULL << 53) * pow(10, (int)(x >> 3 & 15) - 3);
		if (i & 1)	/* a tie's neighbourhood: k + 0.5 units of the last digit */
			v = (floor(v * pow(10, dec)) + 0.5) / pow(10, dec);
		snprintf(want, sizeof(want), "%.*f", dec, v);
		format_fixed(got, sizeof(got), v, dec, "");
		if (strcmp(want, got) && !bad++) {
			snprintf(what, sizeof(what), "format_fixed(%.17g, %d): %s, not %s",
				 v, dec, got, want);
			check(0, what);
		}
	}
	if (!bad)
		check(1, "format_fixed() prints as %.*f with 0 to 6 decimals for 200000 values from 1e-3 to 1e12, half of them near ties");
}

/* format_u64() prints what "%llu" does, cut to a short buffer as snprintf cuts. */
static void test_u64(void)
{
	static const uint64_t vs[] = { 0, 7, 10, 99, 1000, 123456789, 18446744073709551615ULL };
	char want[32], got[32], what[200];
	unsigned int i;
	size_t len;
	int bad = 0;

	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		for (len = 1; len <= sizeof(got); len++) {
			snprintf(want, len, "%llu", (unsigned long long)vs[i]);
			format_u64(got, len, vs[i]);
			if (strcmp(want, got) && !bad++) {
				snprintf(what, sizeof(what), "format_u64(%llu) in %zu bytes: %s, not %s",
					 (unsigned long long)vs[i], len, got, want);
				check(0, what);
			}
		}
	if (!bad)
		check(1, "format_u64() prints as %llu for 7 values, cut to every length as snprintf cuts");
}

/*
 * A histogram's range is the buckets holding its values, and a copy over
 * another histogram leaves none of the other's buckets behind.
 */
static void test_hist(void)
{
	static struct gpucore_hist a, b;
	unsigned int i, stray = 0;
	uint64_t sum = 0;

	gpucore_hist_add(&a, 5000);
	gpucore_hist_add(&a, 3);
	gpucore_hist_add(&a, 1000000);
	check(a.lo == gpucore_hist_bucket(3) && a.hi == gpucore_hist_bucket(1000000) + 1 &&
	      a.count == 3, "gpucore_hist_add(): the range is from the lowest value's bucket past the highest's");
	gpucore_hist_add(&b, 1ULL << 40);
	gpucore_hist_copy(&b, &a);
	for (i = 0; i < GPUCORE_HIST_BUCKETS; i++) {
		sum += b.b[i];
		stray += b.b[i] != a.b[i];
	}
	check(!stray && sum == 3 && b.count == 3 && b.lo == a.lo && b.hi == a.hi && !b.pad,
	      "gpucore_hist_copy() over another histogram: its buckets, range and count, none of the other's left");
}

/*
 * What the driver hands a monitor: the buckets in the range and nothing
 * else written; a copy of it is the histogram whole.
 */
static void test_hist_used(void)
{
	static struct gpucore_hist a, rec, b;
	unsigned int i, written = 0, stray = 0;

	gpucore_hist_add(&a, 5000);
	gpucore_hist_add(&a, 70000);
	memset(&rec, 0xa5, sizeof(rec));
	gpucore_hist_copy_used(&rec, &a);
	for (i = 0; i < GPUCORE_HIST_BUCKETS; i++)
		if (i >= a.lo && i < a.hi)
			stray += rec.b[i] != a.b[i];
		else
			written += rec.b[i] != 0xa5a5a5a5;
	check(!written && !stray && rec.count == 2 && rec.lo == a.lo && rec.hi == a.hi && !rec.pad,
	      "gpucore_hist_copy_used(): the count, the range and the buckets in it, no other bucket written");
	gpucore_hist_add(&b, 1ULL << 40);
	gpucore_hist_copy(&b, &rec);
	for (i = 0; i < GPUCORE_HIST_BUCKETS; i++)
		stray += b.b[i] != a.b[i];
	check(!stray && b.count == 2,
	      "gpucore_hist_copy() of such a copy: the histogram whole, none of the record's other bytes");
}

static void test_units(void)
{
	uint64_t lo, hi;
	char buf[32];

	dur("250ns", 0, 0, 250);
	dur("100us", 0, 0, 100000);
	dur("2ms", 0, 0, 2000000);
	dur("1.5s", 0, 0, 1500000000);
	dur("5", 0, -EINVAL, 0);
	dur("5", NSEC_PER_SEC, 0, 5 * NSEC_PER_SEC);
	dur("", 0, -EINVAL, 0);
	dur("-1ms", 0, -EINVAL, 0);
	dur("3 parsecs", 0, -EINVAL, 0);
	dur("99999999999999999999s", 0, -ERANGE, 0);
	size("4096", 0, 4096);
	size("64K", 0, 64 << 10);
	size("1M", 0, 1 << 20);
	size("2G", 0, 2ULL << 30);
	size("1MiB", 0, 1 << 20);
	size("12Q", -EINVAL, 0);
	size("", -EINVAL, 0);
	check(parse_duration_range("100us-20ms", 0, &lo, &hi) == 0 &&
	      lo == 100000 && hi == 20000000, "range 100us-20ms");
	check(parse_duration_range("2ms", 0, &lo, &hi) == 0 && lo == hi && lo == 2000000,
	      "range of one value");
	check(parse_duration_range("20ms-100us", 0, &lo, &hi) == -EINVAL,
	      "range with min > max is refused");
	format_duration(buf, sizeof(buf), 1200000);
	check(!strcmp(buf, "1.20ms"), "format_duration(1.2ms)");
	format_size(buf, sizeof(buf), 64 << 10);
	check(!strcmp(buf, "64KiB"), "format_size(64KiB)");
	format_size(buf, sizeof(buf), 1536 << 10);
	check(!strcmp(buf, "1.5MiB"), "format_size(1.5MiB)");
	format_duration(buf, sizeof(buf), 1234567890);
	check(!strcmp(buf, "1.235s"), "format_duration(1.235s)");
	test_fixed();
	test_fixed_many();
	test_u64();
	test_hist();
	test_hist_used();
}

static void test_stats(void)
{
	struct u64_vec v = { 0 };
	struct pct_summary s;
	uint64_t i;

	check(percentile_sorted(NULL, 0, 50) == 0, "percentile of nothing is 0");
	for (i = 100; i >= 1; i--)
		u64_vec_push(&v, i);
	u64_vec_sort(&v);
	check(percentile_sorted(v.v, v.len, 50) == 50, "p50 of 1..100 is 50");
	check(percentile_sorted(v.v, v.len, 99) == 99, "p99 of 1..100 is 99");
	check(percentile_sorted(v.v, v.len, 100) == 100, "p100 of 1..100 is 100");
	u64_vec_summary(&v, &s);
	check(s.max == 100 && s.p50 == 50 && s.p99 == 99, "summary of 1..100");
	u64_vec_free(&v);
}

int main(void)
{
	test_units();
	test_stats();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
