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
 * config.c  apply and dump: the configuration file
 * sysfs.c   reading and writing sysfs attributes
 */
#ifndef GPUSCHED_H
#define GPUSCHED_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "exit.h"
#include "gpucore.h"
#include "gpucore_sched.h"

#define GPUSCHED_VERSION	"1.0"

/* Where `make install` puts the policy objects (-DGPUSCHED_BPF_DIR=...). */
#ifndef GPUSCHED_BPF_DIR
#define GPUSCHED_BPF_DIR	"/usr/local/lib/gpucore/bpf"
#endif

#define BPFFS_ROOT		"/sys/fs/bpf"
#define GSCHED_UNLOAD_WAIT_MS	5000
#define GSCHED_LOG_TAIL_LINES	25

/* Exit codes (documented in --help and docs/). */
/* Exit statuses: 0 to 4 as every tool's (userspace/common/exit.h). */
enum gsched_exit {
	GSCHED_OK = GCU_EXIT_OK,
	GSCHED_ERR = GCU_EXIT_ERR,		/* any other error */
	GSCHED_USAGE = GCU_EXIT_USAGE,	/* bad command line or tunable */
	GSCHED_NO_DRIVER = GCU_EXIT_NO_DRIVER, /* gpucore driver not loaded */
	GSCHED_NOT_ROOT = GCU_EXIT_NO_PRIV,	/* a command that changes state, not as root */
	GSCHED_NOT_POLICY = GCU_EXIT_TOOL,	/* the file is not a gpucore policy object */
	GSCHED_ABI,				/* built for another policy ABI version */
	GSCHED_LOAD,			/* the kernel refused it (verifier, load, init) */
	GSCHED_EXISTS,			/* a policy is already loaded */
	GSCHED_NONE,			/* no policy loaded */
};

/* ---- shared.c ---- */

/* -v: libbpf's messages (the full verifier log) */
extern bool gsched_verbose;

/* What a vGPU or policy name may be (gpucore_name_valid()), for messages: printf it with the longest length. */
#define GSCHED_NAME_RULE	"1..%d letters, digits, '_', '-' or '.', not starting with '.'"

/* An error on stderr: "gpusched: MESSAGE", or "FILE:LINE: MESSAGE" after gsched_err_at(). */
__attribute__((format(printf, 1, 2)))
void gsched_err(const char *fmt, ...);
void gsched_verr(const char *fmt, va_list ap);
/* Errors from now on are about line @line of @file (NULL: the command line). */
void gsched_err_at(const char *file, unsigned int line);
bool gsched_err_in_file(void);
__attribute__((format(printf, 2, 3), noreturn))
void gsched_usage_error(const char *cmd, const char *fmt, ...);
/* GSCHED_NOT_ROOT with a message unless running as root. */
int gsched_need_root(const char *cmd);
/* GSCHED_NO_DRIVER with a message unless the gpucore module is loaded. */
int gsched_need_module(void);
/* GSCHED_NO_DRIVER with a message unless the driver (with BPF scheduling) is loaded. */
int gsched_need_driver(void);
/* getopt_long's error for an unknown option or a missing argument. */
__attribute__((noreturn))
void gsched_bad_option(const char *cmd, int c, char **argv);
/* Print @json to stdout, pretty; frees it. */
int gsched_print_json(json_object *json);

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

struct gsched_policy_state {
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
int gsched_policy_state_read(struct gsched_policy_state *st);
bool gsched_policy_builtin(const struct gsched_policy_state *st);

int cmd_status(int argc, char **argv);

/* ---- obj.c ---- */

enum gsched_tunable_kind {
	GSCHED_T_INT,		/* signed integer of 1, 2, 4 or 8 bytes */
	GSCHED_T_UINT,		/* unsigned integer (or enum) */
	GSCHED_T_BOOL,
	GSCHED_T_STRING,		/* char array */
	GSCHED_T_OTHER,		/* listed, not settable */
};

#define GSCHED_RANGE_ZERO_LEN	32

/*
 * The values a tunable (GPUCORE_TUNABLE_RANGE() in bpf/gpucore.bpf.h) or
 * a struct gpucore_sched_ops field accepts: min..max (int64_t for a
 * signed tunable), and 0 as well when @zero says what 0 means.
 */
struct gsched_range {
	uint64_t min;
	uint64_t max;
	char zero[GSCHED_RANGE_ZERO_LEN];	/* "": 0 is not special */
};

struct gsched_tunable {
	const char *name;	/* in the object's BTF */
	enum gsched_tunable_kind kind;
	uint32_t size;		/* bytes */
	uint32_t offset;	/* in .rodata */
	bool has_range;		/* the policy declared one */
	struct gsched_range range;
};

struct gsched_policy_obj {
	const char *path;
	bool quiet;			/* opened without error messages */
	struct bpf_object *obj;
	struct bpf_map *ops_map;	/* the struct gpucore_sched_ops map */
	struct bpf_map *rodata;		/* NULL: no .rodata */
	char name[GPUCORE_POLICY_NAME_LEN];
	bool has_abi;
	uint32_t abi_version;
	struct gsched_tunable *tunables;
	unsigned int nr_tunables;
};

/* Capture libbpf's messages (and echo them with -v). */
void gsched_libbpf_log_start(void);
/* Print the useful tail of the captured log (the verifier's last words). */
void gsched_libbpf_log_tail(unsigned int lines);

/*
 * Open @path and identify it as a gpucore policy. 0, or an exit code
 * after a message (none when @quiet) (GSCHED_ERR: cannot read it,
 * GSCHED_NOT_POLICY: not a BPF object or no struct gpucore_sched_ops map).
 */
int gsched_obj_open(const char *path, bool quiet, struct gsched_policy_obj *po);
void gsched_obj_close(struct gsched_policy_obj *po);
/*
 * The checks the driver makes of the struct_ops data fields (name,
 * timeslice_ns, timeout_ms, budget_us if the driver has it, flags):
 * GSCHED_LOAD after a message.
 */
int gsched_obj_check_fields(const struct gsched_policy_obj *po);
/* "u64", "s32", "bool", "char[16]" */
const char *gsched_tunable_type(const struct gsched_tunable *t, char *buf, size_t len);
/* The tunable's current (initial) value as text, or as JSON. */
char *gsched_tunable_value(const struct gsched_policy_obj *po,
		       const struct gsched_tunable *t, char *buf, size_t len);
json_object *gsched_tunable_json(const struct gsched_policy_obj *po,
			     const struct gsched_tunable *t);
/*
 * The same in the form -o and apply take, exactly: a duration tunable
 * (*_ns, *_us, *_ms) in the largest unit that divides it ("2ms").
 */
char *gsched_tunable_text(const struct gsched_policy_obj *po,
			  const struct gsched_tunable *t, char *buf, size_t len);
/* The object's .rodata (its tunables' values): NULL and 0 if it has none. */
const void *gsched_obj_rodata(const struct gsched_policy_obj *po, size_t *size);
/* Replace the .rodata with @data of the same size (a loaded policy's): 0 or -errno. */
int gsched_obj_set_rodata(struct gsched_policy_obj *po, const void *data, size_t size);
/* "10us..1s (or 0: the GPU default)"; "" if it has no range. */
char *gsched_tunable_range(const struct gsched_tunable *t, char *buf, size_t len);
/* {"min": .., "max": .., "zero": what 0 means or null}; NULL if no range. */
json_object *gsched_tunable_range_json(const struct gsched_tunable *t);
/*
 * Apply "name=value" to the object's .rodata, if the value fits the
 * tunable's type and declared range; 0 or GSCHED_USAGE after a message.
 */
int gsched_tunable_assign(struct gsched_policy_obj *po, const char *assignment);
/* "a=1 b=2" or "none" */
char *gsched_tunables_summary(const struct gsched_policy_obj *po, char *buf, size_t len);

/* ---- list.c ---- */

/*
 * The default policy directories: the installed one and the repository's
 * bpf/ next to this executable. Returns the number found (existing,
 * distinct) in @dirs, each malloc'd.
 */
unsigned int gsched_default_dirs(char **dirs, unsigned int max);
/* @arg as given if it is a file, else NAME.bpf.o in the default dirs. */
char *gsched_resolve_policy(const char *arg);
/*
 * The first object in the default dirs whose policy is named @name
 * (malloc'd), or NULL; *@arg: how load and apply name it, malloc'd (its
 * bare NAME if that finds this object, else its path).
 */
char *gsched_find_policy_named(const char *name, char **arg);

int cmd_list(int argc, char **argv);

/* ---- load.c ---- */

/*
 * Check @po (its tunables set) against the driver and load it into the
 * kernel, ready to attach, or to replace the loaded policy: 0 or an exit
 * code after a message (the kernel's refusal with its log).
 */
int gsched_policy_prepare(struct gsched_policy_obj *po, bool do_replace);
/* Attach the prepared @po, or replace the loaded policy with it, and say so. */
int gsched_policy_attach(struct gsched_policy_obj *po, bool do_replace);
/*
 * The .rodata (tunables) of the policy gpusched loaded, as the kernel
 * holds it: 0 with a malloc'd copy (NULL, 0: the policy has none),
 * -ENOENT if no policy is pinned, or another -errno.
 */
int gsched_policy_loaded_rodata(void **data, size_t *size);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);

/* ---- vgpu.c ---- */

/* A vGPU's settings, as create and set take them; has_*: given. */
struct vgpu_args {
	int gpu;
	bool json;
	bool has_weight, has_cap, has_mem, has_class, has_channels, has_jobs;
	uint64_t weight, cap, mem, channels, jobs;
	char class[16];
	/* create only: who may open its device nodes (udev applies them) */
	bool has_owner, has_group, has_mode;
	unsigned long owner, group, mode;
};

/* The numeric attributes of vgpus/NAME/ list reads: each a sysfs file and a JSON key. */
enum {
	VA_ID, VA_WEIGHT, VA_CAP, VA_MEM_QUOTA, VA_MEM_USED, VA_BUSY_NS, VA_JOBS, VA_FAILED,
	VA_CHANNELS, VA_MAX_CHANNELS, VA_PENDING, VA_MAX_JOBS, NR_NUM_ATTRS
};

struct vgpu_row {
	char name[GPUCORE_NAME_LEN];
	char class[16];
	char node[32];
	char vfio[40];		/* the mediated device's UUID, or "" */
	char owner[16], group[16], mode[16];	/* its nodes' ("": not given) */
	uint64_t num[NR_NUM_ATTRS];
};

/*
 * Check @arg for the vgpu option whose getopt value is @c (gsched_vgpu_key:
 * whose long name is @key) and store it in @a: 0, -1 with what is allowed
 * in @why, or -ENOENT for no such option.
 */
int gsched_vgpu_value(int c, const char *arg, struct vgpu_args *a, char *why, size_t len);
int gsched_vgpu_key(const char *key, const char *arg, struct vgpu_args *a, char *why,
		    size_t len);
/* "gpu, weight, ...": the keys gsched_vgpu_key() knows. */
const char *gsched_vgpu_keys(void);
/* /sys/bus/platform/devices/gpucore.N */
char *gsched_gpu_dir(char *buf, size_t len, int gpu);
bool gsched_gpu_exists(int gpu);
bool gsched_vgpu_exists(int gpu, const char *name);
/* The vGPUs of @gpu, sorted by id (one destroyed meanwhile is skipped); 0 or GSCHED_ERR. */
int gsched_vgpu_rows(int gpu, struct vgpu_row **rows, unsigned int *nr);
/* Create (printing its node), set what @a has, destroy (printing it): 0 or GSCHED_ERR. */
int gsched_vgpu_create(const char *name, const struct vgpu_args *a);
int gsched_vgpu_set(const char *name, const struct vgpu_args *a);
int gsched_vgpu_destroy(const char *name, const struct vgpu_args *a);

int cmd_vgpu(int argc, char **argv);

/* ---- config.c ---- */

int cmd_apply(int argc, char **argv);
int cmd_dump(int argc, char **argv);

#endif /* GPUSCHED_H */
