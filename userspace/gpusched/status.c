// SPDX-License-Identifier: MIT
/*
 * gpusched: the policy state the driver publishes in sysfs, and status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gpusched.h"
#include "units.h"

static int read_str(const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	int ret;

	ret = sysfs_read(path_fmt(path, sizeof(path), "%s/%s",
				  GPUCORE_POLICY_SYSFS, attr), buf, len);
	if (ret)
		gsched_err("cannot read %s: %s", path, strerror(-ret));
	return ret;
}

static int read_u64(const char *attr, uint64_t *v)
{
	char buf[64];
	int ret = read_str(attr, buf, sizeof(buf));

	if (!ret && parse_u64(buf, v)) {
		gsched_err("%s/%s: unexpected content '%s'", GPUCORE_POLICY_SYSFS,
		       attr, buf);
		ret = -EINVAL;
	}
	return ret;
}

int gsched_policy_state_read(struct gsched_policy_state *st)
{
	struct stat sb;
	uint64_t abi = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = gsched_need_driver();
	if (ret)
		return ret;
	if (read_str("name", st->name, sizeof(st->name)) ||
	    read_str("state", st->state, sizeof(st->state)) ||
	    read_u64("abi_version", &abi) ||
	    read_u64("attached_ns", &st->attached_ns) ||
	    read_u64("attached_at", &st->attached_at) ||
	    read_u64("decisions", &st->decisions) ||
	    read_u64("errors", &st->errors) ||
	    read_u64("ejections", &st->ejections) ||
	    read_u64("overruns", &st->overruns) ||
	    read_u64("budget_us", &st->budget_us) ||
	    read_str("exit_kind", st->exit_kind, sizeof(st->exit_kind)) ||
	    read_str("exit_reason", st->exit_reason, sizeof(st->exit_reason)) ||
	    read_str("exit_msg", st->exit_msg, sizeof(st->exit_msg)) ||
	    read_u64("exit_ns", &st->exit_ns))
		return GSCHED_ERR;
	st->abi_version = (unsigned int)abi;
	st->pinned = lstat(GPUCORE_POLICY_PIN, &sb) == 0;
	return 0;
}

bool gsched_policy_builtin(const struct gsched_policy_state *st)
{
	return !strcmp(st->state, "builtin");
}

/* Seconds since a CLOCK_MONOTONIC timestamp; < 0 when there is none. */
static double ago_s(uint64_t ns)
{
	uint64_t now = mono_ns();

	if (!ns)
		return -1;
	return now > ns ? (double)(now - ns) / 1e9 : 0;
}

/* "0.4s", "45s", "5m 3s", "2h 5m", "3d 4h" */
static char *format_ago(char *buf, size_t len, double s)
{
	unsigned long long t = (unsigned long long)s;

	if (s < 10)
		snprintf(buf, len, "%.1fs", s);
	else if (t < 60)
		snprintf(buf, len, "%llus", t);
	else if (t < 3600)
		snprintf(buf, len, "%llum %llus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%lluh %llum", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%llud %lluh", t / 86400, t % 86400 / 3600);
	return buf;
}

static bool has_exit(const struct gsched_policy_state *st)
{
	return st->exit_ns && strcmp(st->exit_kind, "none");
}

static void print_text(const struct gsched_policy_state *st)
{
	char when[64], ago[32];
	time_t at = (time_t)st->attached_at;
	struct tm tm;

	printf("policy:      %s\n", st->name);
	printf("state:       %s\n", st->state);
	if (st->attached_at && localtime_r(&at, &tm)) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("since:       %s (%s ago)\n", when,
		       format_ago(ago, sizeof(ago), ago_s(st->attached_ns)));
	}
	printf("abi version: %u\n", st->abi_version);
	printf("decisions:   %llu\n", (unsigned long long)st->decisions);
	printf("errors:      %llu\n", (unsigned long long)st->errors);
	printf("ejections:   %llu\n", (unsigned long long)st->ejections);
	if (st->budget_us)
		printf("overruns:    %llu (callbacks past the %llu us budget)\n",
		       (unsigned long long)st->overruns, (unsigned long long)st->budget_us);
	if (!has_exit(st)) {
		printf("last exit:   none\n");
	} else {
		printf("last exit:   %s, %s ago\n", st->exit_kind,
		       format_ago(ago, sizeof(ago), ago_s(st->exit_ns)));
		printf("  reason:    %s\n", st->exit_reason);
		printf("  message:   %s\n", st->exit_msg);
	}
	if (st->pinned && gsched_policy_builtin(st))
		printf("note: the pin of an ejected policy remains at %s (gpusched unload or load removes it)\n",
		       GPUCORE_POLICY_PIN);
}

static json_object *json_ago(uint64_t ns)
{
	double s = ago_s(ns);

	return s < 0 ? NULL : json_object_new_double(s);
}

static int print_json(const struct gsched_policy_state *st)
{
	json_object *j = json_object_new_object(), *ex = json_object_new_object();

	json_object_object_add(j, "policy", json_object_new_string(st->name));
	json_object_object_add(j, "state", json_object_new_string(st->state));
	json_object_object_add(j, "abi_version", json_object_new_int((int)st->abi_version));
	json_object_object_add(j, "attached_at", st->attached_at ?
			       json_object_new_uint64(st->attached_at) : NULL);
	json_object_object_add(j, "attached_for_s", json_ago(st->attached_ns));
	json_object_object_add(j, "decisions", json_object_new_uint64(st->decisions));
	json_object_object_add(j, "errors", json_object_new_uint64(st->errors));
	json_object_object_add(j, "ejections", json_object_new_uint64(st->ejections));
	json_object_object_add(j, "overruns", json_object_new_uint64(st->overruns));
	json_object_object_add(j, "budget_us", json_object_new_uint64(st->budget_us));
	json_object_object_add(j, "pinned", json_object_new_boolean(st->pinned));
	json_object_object_add(ex, "kind", json_object_new_string(st->exit_kind));
	json_object_object_add(ex, "reason", json_object_new_string(st->exit_reason));
	json_object_object_add(ex, "msg", json_object_new_string(st->exit_msg));
	json_object_object_add(ex, "ago_s", has_exit(st) ? json_ago(st->exit_ns) : NULL);
	json_object_object_add(j, "last_exit", ex);
	return gsched_print_json(j);
}

static void status_usage(void)
{
	printf(
"Usage: gpusched status [--json]\n"
"The scheduling policy in charge of the GPUs (a BPF policy's name, or\n"
"builtin), since when, its decision and error counters, how many policies\n"
"were ejected since the driver loaded, and how the last one stopped\n"
"(kind: unregistered, replaced, sysfs, unload, error, invalid, stall, init, slow).\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gsched_policy_state st;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			status_usage();
			return GSCHED_OK;
		default:
			gsched_bad_option("status", c, argv);
		}
	}
	if (optind < argc)
		gsched_usage_error("status", "unexpected argument '%s'", argv[optind]);
	ret = gsched_policy_state_read(&st);
	if (ret)
		return ret;
	if (json)
		return print_json(&st);
	print_text(&st);
	return GSCHED_OK;
}
