// SPDX-License-Identifier: MIT
/*
 * What every file of gpuload shares, below them all: the flag that stops
 * the run (a signal, the duration, a fatal error on any channel), its
 * messages, and the names of job kinds and completion waits.
 */
#include <stdarg.h>
#include <stdio.h>

#include "gpuload.h"

atomic_bool gl_stop;

const char *const gl_kind_names[GL_KIND_COUNT] = {
	[GL_KIND_SPIN] = "spin",
	[GL_KIND_FILL] = "fill",
	[GL_KIND_COPY] = "copy",
	[GL_KIND_MIX] = "mix",
};

const char *const gl_sync_names[GL_SYNC_COUNT] = {
	[GL_SYNC_SYNCOBJ] = "syncobj",
	[GL_SYNC_WAIT] = "wait",
};

void gl_err(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gpuload: %s\n", buf);
}

const char *gl_kind_name(enum gl_kind kind)
{
	return gl_kind_names[kind];
}

const char *gl_sync_name(enum gl_sync sync)
{
	return gl_sync_names[sync];
}
