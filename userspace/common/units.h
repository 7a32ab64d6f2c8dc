/* SPDX-License-Identifier: MIT */
/*
 * userspace/common/units.h: parsing and printing durations and sizes.
 *
 * Shared by the gpucore tools so every command line speaks the same units:
 *   durations  "250ns", "100us", "2ms", "1.5s" (suffixes ns, us, ms, s);
 *              a bare number uses a caller-chosen default unit, or is
 *              refused when the caller passes 0 (avoids "-s 5": 5 what?)
 *   ranges     "100us-20ms" (two durations, min <= max)
 *   sizes      "4096", "64K", "1M", "2G", "1T" (binary multiples; an
 *              optional "B"/"iB" after the letter is accepted)
 * Parsers return 0 or -EINVAL (bad syntax) / -ERANGE (does not fit).
 * Also the CLOCK_MONOTONIC clock the driver uses for its timestamps.
 */
#ifndef GPUCORE_UNITS_H
#define GPUCORE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

int parse_duration_ns(const char *s, uint64_t default_unit_ns, uint64_t *ns);
int parse_duration_range(const char *s, uint64_t default_unit_ns,
			 uint64_t *min_ns, uint64_t *max_ns);
int parse_size(const char *s, uint64_t *bytes);
/* A plain unsigned integer (decimal, or 0x hex); no sign, no suffix. */
int parse_u64(const char *s, uint64_t *val);

/* @v in decimal ("%llu", cut to fit @len as snprintf cuts); returns @buf. */
char *format_u64(char *buf, size_t len, uint64_t v);
/* @v then @suffix ("%llu%s", cut to fit); returns @buf. */
char *format_u64_suffix(char *buf, size_t len, uint64_t v, const char *suffix);
/* "999ns", "12.3us", "1.20ms", "2.500s"; returns @buf. */
/*
 * @v with @dec decimals (0 to 6) and @suffix, as "%.*f%s" prints it (a
 * tie may round away from zero instead), by integer formatting: cheap
 * enough for a thousand table rows a second.
 */
char *format_fixed(char *buf, size_t len, double v, int dec, const char *suffix);
char *format_duration(char *buf, size_t len, uint64_t ns);
/* "512B", "64KiB", "1.5MiB"; returns @buf. */
char *format_size(char *buf, size_t len, uint64_t bytes);

/* CLOCK_MONOTONIC now, in ns (the clock of the driver's timestamps). */
uint64_t mono_ns(void);

#endif /* GPUCORE_UNITS_H */
