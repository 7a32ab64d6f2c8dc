// SPDX-License-Identifier: MIT
/*
 * Unit tests of userspace/common (pure logic: unit parsing and printing,
 * percentiles). Prints TAP; run on the host by selftests/run, counted with
 * the other suites.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
		for (dec = 0; dec <= 3; dec++) {
			snprintf(want, sizeof(want), "%.*f%%", dec, vs[i]);
			format_fixed(got, sizeof(got), vs[i], dec, "%");
			if (strcmp(want, got) && !bad++) {
				snprintf(what, sizeof(what), "format_fixed(%g, %d): %s, not %s",
					 vs[i], dec, got, want);
				check(0, what);
			}
		}
	if (!bad)
		check(1, "format_fixed() prints as %.*f for 15 values (ties too) and 0 to 3 decimals");
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
