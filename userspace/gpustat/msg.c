// SPDX-License-Identifier: MIT
/*
 * gpustat's messages: every file reports through these, below main.c,
 * which sets gs_verbose from -v.
 */
#include <stdarg.h>
#include <stdio.h>

#include "monitor.h"

bool gs_verbose;

void gs_err(const char *fmt, ...)
{
	va_list ap;

	fputs("gpustat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
