/* SPDX-License-Identifier: MIT */
/*
 * userspace/common/exit.h: the exit statuses the gpucore tools share.
 * 0 to 4 mean the same in gpuload, gpusched and gpustat; each tool numbers
 * its own from GCU_EXIT_TOOL up and lists them in its --help. A tool checks
 * its whole command line before it looks for the driver: a usage error is
 * 2 whether or not the driver is loaded.
 */
#ifndef GCU_EXIT_H
#define GCU_EXIT_H

enum gcu_exit {
	GCU_EXIT_OK = 0,
	GCU_EXIT_ERR = 1,	/* the tool's work failed (a job, a check, a call) */
	GCU_EXIT_USAGE = 2,	/* bad command line */
	GCU_EXIT_NO_DRIVER = 3,	/* no gpucore driver or device to use */
	GCU_EXIT_NO_PRIV = 4,	/* not privileged enough (root, CAP_BPF) */
	GCU_EXIT_TOOL = 5,	/* the first of a tool's own statuses */
};

#endif /* GCU_EXIT_H */
