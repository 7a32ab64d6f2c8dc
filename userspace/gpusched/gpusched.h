/* SPDX-License-Identifier: MIT */
/*
 * gpusched: load, replace, unload and inspect gpucore BPF scheduling
 * policies, and administer vGPUs.
 *
 * main.c    the command line: global options, command dispatch, help,
 *           the shared error and precondition helpers
 * obj.c     policy objects: open with libbpf, identify the struct_ops
 *           map, the ABI record, the tunables and their ranges (from the
 *           .rodata BTF), parse, check and set tunables, libbpf's log
 * load.c    load (attach or replace, pin the link) and unload
 * status.c  the policy state in sysfs, status
 * list.c    list the available policy objects
 * vgpu.c    vgpu create, destroy, set, list
 * sysfs.c   reading and writing sysfs attributes
 */
#ifndef GPUSCHED_H
#define GPUSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "gpucore_sched.h"

#define GPUSCHED_VERSION	"1.0"

/* Where `make install` puts the policy objects (-DGPUSCHED_BPF_DIR=...). */
#ifndef GPUSCHED_BPF_DIR
#define GPUSCHED_BPF_DIR	"/usr/local/lib/gpucore/bpf"
#endif

#define BPFFS_ROOT		"/sys/fs/bpf"
#define GS_UNLOAD_WAIT_MS	5000
#define GS_LOG_TAIL_LINES	25

/* Exit codes (documented in --help and the README). */
enum gs_exit {
	GS_OK = 0,
	GS_ERR = 1,		/* any other error */
	GS_USAGE = 2,		/* bad command line or tunable */
	GS_NO_DRIVER = 3,	/* gpucore driver not loaded */
	GS_NOT_ROOT = 4,	/* a command that changes state, not as root */
	GS_NOT_POLICY = 5,	/* the file is not a gpucore policy object */
	GS_ABI = 6,		/* built for another policy ABI version */
	GS_LOAD = 7,		/* the kernel refused it (verifier, load, init) */
	GS_EXISTS = 8,		/* a policy is already loaded */
	GS_NONE = 9,		/* no policy loaded */
};

/* ---- main.c ---- */

extern bool gs_verbose;

__attribute__((format(printf, 1, 2)))
void gs_err(const char *fmt, ...);
__attribute__((format(printf, 2, 3), noreturn))
void gs_usage_error(const char *cmd, const char *fmt, ...);
/* GS_NOT_ROOT with a message unless running as root. */
int gs_need_root(const char *cmd);
/* GS_NO_DRIVER with a message unless the gpucore module is loaded. */
int gs_need_module(void);
/* GS_NO_DRIVER with a message unless the driver (with BPF scheduling) is loaded. */
int gs_need_driver(void);
/* getopt_long's error for an unknown option or a missing argument. */
__attribute__((noreturn))
void gs_bad_option(const char *cmd, int c, char **argv);
/* Print @json to stdout, pretty; frees it. */
int gs_print_json(json_object *json);

/* ---- sysfs.c ---- */

/* First line of @path, without the newline. 0 or -errno. */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_read_u64(const char *path, uint64_t *val);
/* Write @val to @path in one write(). 0 or -errno. */
int sysfs_write(const char *path, const char *val);
/* printf into a path buffer of PATH_MAX */
__attribute__((format(printf, 3, 4)))
char *path_fmt(char *buf, size_t len, const char *fmt, ...);

/* ---- status.c ---- */

struct gs_policy_state {
	char name[GPUCORE_POLICY_NAME_LEN];
	char state[16];			/* builtin, attached, ejecting */
	unsigned int abi_version;
	uint64_t attached_ns;		/* CLOCK_MONOTONIC, 0: none */
	uint64_t attached_at;		/* unix seconds, 0: none */
	uint64_t decisions;
	uint64_t errors;
	uint64_t ejections;
	uint64_t overruns;		/* callbacks past the budget */
	uint64_t budget_us;		/* the attached policy's budget, 0: none */
	char exit_kind[32];
	char exit_reason[GPUCORE_EXIT_REASON_LEN];
	char exit_msg[GPUCORE_EXIT_MSG_LEN];
	uint64_t exit_ns;
	bool pinned;			/* GPUCORE_POLICY_PIN exists */
};

/* Read GPUCORE_POLICY_SYSFS; 0, or an exit code after a message. */
int gs_policy_state_read(struct gs_policy_state *st);
bool gs_policy_builtin(const struct gs_policy_state *st);

int cmd_status(int argc, char **argv);

/* ---- obj.c ---- */

enum gs_tunable_kind {
	GS_T_INT,		/* signed integer of 1, 2, 4 or 8 bytes */
	GS_T_UINT,		/* unsigned integer (or enum) */
	GS_T_BOOL,
	GS_T_STRING,		/* char array */
	GS_T_OTHER,		/* listed, not settable */
};

#define GS_RANGE_ZERO_LEN	32

/*
 * The values a tunable (GPUCORE_TUNABLE_RANGE() in bpf/gpucore.bpf.h) or
 * a struct gpucore_sched_ops field accepts: min..max (int64_t for a
 * signed tunable), and 0 as well when @zero says what 0 means.
 */
struct gs_range {
	uint64_t min;
	uint64_t max;
	char zero[GS_RANGE_ZERO_LEN];	/* "": 0 is not special */
};

struct gs_tunable {
	const char *name;	/* in the object's BTF */
	enum gs_tunable_kind kind;
	uint32_t size;		/* bytes */
	uint32_t offset;	/* in .rodata */
	bool has_range;		/* the policy declared one */
	struct gs_range range;
};

struct gs_policy_obj {
	const char *path;
	bool quiet;			/* opened without error messages */
	struct bpf_object *obj;
	struct bpf_map *ops_map;	/* the struct gpucore_sched_ops map */
	struct bpf_map *rodata;		/* NULL: no .rodata */
	char name[GPUCORE_POLICY_NAME_LEN];
	bool has_abi;
	uint32_t abi_version;
	struct gs_tunable *tunables;
	unsigned int nr_tunables;
};

/* Capture libbpf's messages (and echo them with -v). */
void gs_libbpf_log_start(void);
/* Print the useful tail of the captured log (the verifier's last words). */
void gs_libbpf_log_tail(unsigned int lines);

/*
 * Open @path and identify it as a gpucore policy. 0, or an exit code
 * after a message (none when @quiet) (GS_ERR: cannot read it,
 * GS_NOT_POLICY: not a BPF object or no struct gpucore_sched_ops map).
 */
int gs_obj_open(const char *path, bool quiet, struct gs_policy_obj *po);
void gs_obj_close(struct gs_policy_obj *po);
/*
 * The checks the driver makes of the struct_ops data fields (name,
 * timeslice_ns, timeout_ms, budget_us if the driver has it, flags):
 * GS_LOAD after a message.
 */
int gs_obj_check_fields(const struct gs_policy_obj *po);
/* "u64", "s32", "bool", "char[16]" */
const char *gs_tunable_type(const struct gs_tunable *t, char *buf, size_t len);
/* The tunable's current (initial) value as text, or as JSON. */
char *gs_tunable_value(const struct gs_policy_obj *po,
		       const struct gs_tunable *t, char *buf, size_t len);
json_object *gs_tunable_json(const struct gs_policy_obj *po,
			     const struct gs_tunable *t);
/* "10us..1s (or 0: the GPU default)"; "" if it has no range. */
char *gs_tunable_range(const struct gs_tunable *t, char *buf, size_t len);
/* {"min": .., "max": .., "zero": what 0 means or null}; NULL if no range. */
json_object *gs_tunable_range_json(const struct gs_tunable *t);
/*
 * Apply "name=value" to the object's .rodata, if the value fits the
 * tunable's type and declared range; 0 or GS_USAGE after a message.
 */
int gs_tunable_assign(struct gs_policy_obj *po, const char *assignment);
/* "a=1 b=2" or "none" */
char *gs_tunables_summary(const struct gs_policy_obj *po, char *buf, size_t len);

/* ---- list.c ---- */

/*
 * The default policy directories: the installed one and the repository's
 * bpf/ next to this executable. Returns the number found (existing,
 * distinct) in @dirs, each malloc'd.
 */
unsigned int gs_default_dirs(char **dirs, unsigned int max);
/* @arg as given if it is a file, else NAME.bpf.o in the default dirs. */
char *gs_resolve_policy(const char *arg);

int cmd_list(int argc, char **argv);

/* ---- load.c ---- */

int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);

/* ---- vgpu.c ---- */

int cmd_vgpu(int argc, char **argv);

#endif /* GPUSCHED_H */
