// SPDX-License-Identifier: MIT
/*
 * What every gpusched command shares, below them all: its messages (about
 * a line of a configuration file after gsched_err_at()), usage errors, the
 * checks a command makes first (root, the driver) and JSON output.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "gpusched.h"

bool gsched_verbose;

static const char *err_file;
static unsigned int err_line;

void gsched_err_at(const char *file, unsigned int line)
{
	err_file = file;
	err_line = line;
}

bool gsched_err_in_file(void)
{
	return err_file;
}

void gsched_verr(const char *fmt, va_list ap)
{
	if (err_file)
		fprintf(stderr, "%s:%u: ", err_file, err_line);
	else
		fputs("gpusched: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gsched_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gsched_verr(fmt, ap);
	va_end(ap);
}

void gsched_usage_error(const char *cmd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gpusched%s%s: %s (see gpusched %s%s--help)\n",
		cmd ? " " : "", cmd ? cmd : "", buf, cmd ? cmd : "",
		cmd ? " " : "");
	exit(GSCHED_USAGE);
}

void gsched_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		gsched_usage_error(cmd, "option '%s' needs an argument", arg);
	if (optopt && optopt < 0x100)
		gsched_usage_error(cmd, "unknown option '-%c'", optopt);
	gsched_usage_error(cmd, "unknown option '%s'", arg);
}

int gsched_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	gsched_err("%s changes the GPU's configuration: run it as root (sudo gpusched %s ...)",
	       cmd, cmd);
	return GSCHED_NOT_ROOT;
}

int gsched_need_module(void)
{
	if (gcu_driver_loaded())
		return 0;
	gsched_err("gpucore driver not loaded: insmod kmod/gpucore.ko (after modprobe drm_shmem_helper)");
	return GSCHED_NO_DRIVER;
}

int gsched_need_driver(void)
{
	struct stat st;
	int ret = gsched_need_module();

	if (ret)
		return ret;
	if (stat(GPUCORE_POLICY_SYSFS, &st)) {
		gsched_err("the loaded gpucore driver has no BPF scheduling (no %s): load a current kmod/gpucore.ko",
		       GPUCORE_POLICY_SYSFS);
		return GSCHED_NO_DRIVER;
	}
	return 0;
}

int gsched_print_json(json_object *json)
{
	const char *s;
	int ret = 0;

	s = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || printf("%s\n", s) < 0 || fflush(stdout)) {
		gsched_err("cannot write the JSON output");
		ret = GSCHED_ERR;
	}
	json_object_put(json);
	return ret;
}
