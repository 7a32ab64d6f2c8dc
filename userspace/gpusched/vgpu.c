// SPDX-License-Identifier: MIT
/*
 * gpusched: vGPU administration, a front for the driver's sysfs interface
 *   /sys/bus/platform/devices/gpucore.N/{vgpu_create,vgpu_destroy}
 *   /sys/bus/platform/devices/gpucore.N/vgpus/NAME/{weight,cap,mem_quota,class,
 *                                                    max_channels,max_jobs,...}
 * Values are checked here first, so a typo gets a message that says what
 * is allowed rather than the kernel's bare EINVAL.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpucore_dev.h"
#include "gpusched.h"
#include "units.h"

/* Long-only options. */
enum { OPT_CHANNELS = 0x100, OPT_JOBS, OPT_OWNER, OPT_GROUP, OPT_MODE };

/*
 * The options of the vgpu commands. A vGPU's settings (every option from
 * gpu to mode) are also the keys of a [vgpu NAME] section of gpusched
 * apply's file (config.c), checked by the same gsched_vgpu_value().
 */
static const struct option vgpu_opts[] = {
	{ "gpu", required_argument, NULL, 'g' },
	{ "weight", required_argument, NULL, 'w' },
	{ "cap", required_argument, NULL, 'c' },
	{ "mem", required_argument, NULL, 'm' },
	{ "class", required_argument, NULL, 'C' },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* A user or group name, or a number; false if neither. */
static bool parse_id(const char *s, bool group, unsigned long *id)
{
	struct passwd *pw;
	struct group *gr;
	char *end;

	errno = 0;
	*id = strtoul(s, &end, 10);
	if (*s && !*end && !errno && *id < UINT32_MAX)
		return true;
	if (group) {
		gr = getgrnam(s);
		*id = gr ? gr->gr_gid : 0;
		return gr;
	}
	pw = getpwnam(s);
	*id = pw ? pw->pw_uid : 0;
	return pw;
}

char *gsched_gpu_dir(char *buf, size_t len, int gpu)
{
	return path_fmt(buf, len, "%s/%s.%d", GPUCORE_SYSFS_DEVICES,
			GPUCORE_DRIVER_NAME, gpu);
}

static char *vgpu_attr_path(char *buf, size_t len, int gpu, const char *name,
			    const char *attr)
{
	return path_fmt(buf, len, "%s/%s.%d/vgpus/%s/%s", GPUCORE_SYSFS_DEVICES,
			GPUCORE_DRIVER_NAME, gpu, name, attr);
}

bool gsched_gpu_exists(int gpu)
{
	char dir[PATH_MAX];
	struct stat st;

	return !stat(gsched_gpu_dir(dir, sizeof(dir), gpu), &st);
}

static int need_gpu(int gpu)
{
	char dir[PATH_MAX];
	int ret = gsched_need_module();

	if (ret)
		return ret;
	if (!gsched_gpu_exists(gpu)) {
		gsched_err("no GPU %d (%s missing; the driver's num_gpus parameter sets how many)",
		       gpu, gsched_gpu_dir(dir, sizeof(dir), gpu));
		return GSCHED_ERR;
	}
	return 0;
}

bool gsched_vgpu_exists(int gpu, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return !stat(vgpu_attr_path(path, sizeof(path), gpu, name, ""), &st);
}

static int need_vgpu(int gpu, const char *name)
{
	if (gsched_vgpu_exists(gpu, name))
		return 0;
	gsched_err("GPU %d has no vGPU '%s' (gpusched vgpu list -g %d)", gpu, name, gpu);
	return GSCHED_ERR;
}

static int check_name(const char *name)
{
	if (gcu_vgpu_name_valid(name))
		return 0;
	gsched_err("bad vGPU name '%s': " GSCHED_NAME_RULE, name, GPUCORE_NAME_LEN - 1);
	return GSCHED_USAGE;
}

int gsched_vgpu_value(int c, const char *arg, struct vgpu_args *a, char *why, size_t len)
{
	uint64_t v;

	switch (c) {
	case 'g':
		if (parse_u64(arg, &v) || v >= GPUCORE_MAX_GPUS) {
			snprintf(why, len, "a GPU index is 0..%d", GPUCORE_MAX_GPUS - 1);
			return -1;
		}
		a->gpu = (int)v;
		return 0;
	case 'w':
		if (parse_u64(arg, &a->weight) || !a->weight ||
		    a->weight > GPUCORE_VGPU_WEIGHT_MAX) {
			snprintf(why, len, "a weight is 1..%d (default %d)",
				 GPUCORE_VGPU_WEIGHT_MAX, GPUCORE_VGPU_WEIGHT_DEFAULT);
			return -1;
		}
		a->has_weight = true;
		return 0;
	case 'c':
		if (parse_u64(arg, &a->cap) || a->cap > GPUCORE_VGPU_CAP_MAX) {
			snprintf(why, len, "a cap is a percentage of engine time, 0..%d (0: none)",
				 GPUCORE_VGPU_CAP_MAX);
			return -1;
		}
		a->has_cap = true;
		return 0;
	case 'm':
		if (parse_size(arg, &a->mem) || !a->mem) {
			snprintf(why, len, "a size such as 512M or 1G");
			return -1;
		}
		a->has_mem = true;
		return 0;
	case OPT_CHANNELS:
		if (parse_u64(arg, &a->channels) || !a->channels ||
		    a->channels > GPUCORE_MAX_CHANNELS) {
			snprintf(why, len, "a channel limit is 1..%d (default %d)",
				 GPUCORE_MAX_CHANNELS, GPUCORE_VGPU_CHANNELS_DEFAULT);
			return -1;
		}
		a->has_channels = true;
		return 0;
	case OPT_JOBS:
		if (parse_u64(arg, &a->jobs) || !a->jobs || a->jobs > GPUCORE_VGPU_JOBS_MAX) {
			snprintf(why, len, "a limit of pending jobs is 1..%d (default %d)",
				 GPUCORE_VGPU_JOBS_MAX, GPUCORE_VGPU_JOBS_DEFAULT);
			return -1;
		}
		a->has_jobs = true;
		return 0;
	case 'C':
		if (strcmp(arg, "batch") && strcmp(arg, "interactive")) {
			snprintf(why, len, "batch or interactive");
			return -1;
		}
		snprintf(a->class, sizeof(a->class), "%s", arg);
		a->has_class = true;
		return 0;
	case OPT_OWNER:
		if (!parse_id(arg, false, &a->owner)) {
			snprintf(why, len, "no such user");
			return -1;
		}
		a->has_owner = true;
		return 0;
	case OPT_GROUP:
		if (!parse_id(arg, true, &a->group)) {
			snprintf(why, len, "no such group");
			return -1;
		}
		a->has_group = true;
		return 0;
	case OPT_MODE: {
		char *end;

		a->mode = strtoul(arg, &end, 8);
		if (!*arg || *end || a->mode > 0777) {
			snprintf(why, len, "permission bits in octal, 0..0777 (e.g. 0600)");
			return -1;
		}
		a->has_mode = true;
		return 0;
	}
	}
	return -ENOENT;
}

int gsched_vgpu_key(const char *key, const char *arg, struct vgpu_args *a, char *why,
		    size_t len)
{
	const struct option *o;

	for (o = vgpu_opts; o->name; o++)
		if (o->has_arg == required_argument && !strcmp(o->name, key))
			return gsched_vgpu_value(o->val, arg, a, why, len);
	return -ENOENT;
}

const char *gsched_vgpu_keys(void)
{
	static char keys[256];
	const struct option *o;
	size_t n = 0;

	if (keys[0])
		return keys;
	for (o = vgpu_opts; o->name; o++)
		if (o->has_arg == required_argument)
			n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%s",
					      n ? ", " : "", o->name);
	return keys;
}

/* A vgpu command's option: stored in @a, or a usage error naming it. */
static int parse_arg(const char *cmd, int c, const char *arg, struct vgpu_args *a)
{
	const struct option *o;
	char why[128];
	int ret;

	if (c == 'j') {
		a->json = true;
		return 0;
	}
	ret = gsched_vgpu_value(c, arg, a, why, sizeof(why));
	if (ret != -1)
		return ret;
	for (o = vgpu_opts; o->name && o->val != c; o++)
		;
	gsched_usage_error(cmd, "--%s %s: %s", o->name, arg, why);
}

static void vgpu_usage(void)
{
	printf(
"Usage: gpusched vgpu COMMAND [ARGS]\n"
"  create NAME [-g N] [--weight 1..10000] [--cap 0..100] [--mem SIZE]\n"
"               [--channels N] [--jobs N] [--class batch|interactive]\n"
"               [--owner USER] [--group GROUP] [--mode OCTAL]\n"
"  set NAME [-g N] [--weight W] [--cap PCT] [--mem SIZE] [--channels N]\n"
"               [--jobs N] [--class C]\n"
"  destroy NAME [-g N]\n"
"  list [-g N] [--json]\n"
"-g N selects the GPU (default 0). Each vGPU gets its own render node\n"
"(/dev/dri/renderD*): its file permissions decide who is that tenant;\n"
"owner, group and mode set them (applied by udev, udev/73-gpucore.rules).\n"
"weight: share of engine time relative to the others (default 100);\n"
"cap: most engine time in percent (0: none); mem: video memory quota\n"
"(default: all of the GPU's); channels: most channels open at once\n"
"(1..%d, default %d: an equal share of the GPU's for %d vGPUs);\n"
"jobs: most jobs submitted and not completed over all its channels\n"
"(1..%d, default %d); class: for the latency policy. A limit lowered\n"
"below current use refuses more (EDQUOT) and takes nothing away.\n",
	       GPUCORE_MAX_CHANNELS, GPUCORE_VGPU_CHANNELS_DEFAULT, GPUCORE_MAX_VGPUS,
	       GPUCORE_VGPU_JOBS_MAX, GPUCORE_VGPU_JOBS_DEFAULT);
}

/* Parse the options of a vgpu subcommand; returns the index of the first operand. */
static int parse_opts(const char *cmd, int argc, char **argv, struct vgpu_args *a)
{
	int c;

	while ((c = getopt_long(argc, argv, ":g:w:c:m:C:jh", vgpu_opts, NULL)) != -1) {
		if (c == 'h') {
			vgpu_usage();
			exit(GSCHED_OK);
		}
		if (parse_arg(cmd, c, optarg, a))
			gsched_bad_option(cmd, c, argv);
	}
	return optind;
}

static bool has_settings(const struct vgpu_args *a)
{
	return a->has_weight || a->has_cap || a->has_mem || a->has_class ||
	       a->has_channels || a->has_jobs;
}

static void reject_opts(const char *cmd, const struct vgpu_args *a, bool settings,
			bool json)
{
	if ((a->has_owner || a->has_group || a->has_mode) && strcmp(cmd, "vgpu create"))
		gsched_usage_error(cmd, "--owner, --group and --mode are for create (a vGPU's nodes keep them)");
	if (!settings && has_settings(a))
		gsched_usage_error(cmd, "--weight, --cap, --mem, --channels, --jobs and --class are for create and set");
	if (!json && a->json)
		gsched_usage_error(cmd, "--json is for list");
}

/* Write to a sysfs file, turning the kernel's errno into advice. */
static int write_attr(const char *path, const char *val, const char *what)
{
	int ret = sysfs_write(path, val);

	if (!ret)
		return 0;
	if (ret == -EACCES || ret == -EPERM)
		gsched_err("%s: permission denied (run as root)", what);
	else if (ret == -EEXIST)
		gsched_err("%s: a vGPU of that name exists", what);
	else if (ret == -ENOSPC)
		gsched_err("%s: the GPU has its maximum number of vGPUs", what);
	else if (ret == -EBUSY)
		gsched_err("%s: the host tenant cannot be destroyed", what);
	else if (ret == -EINVAL)
		gsched_err("%s: the driver refused '%s' (a quota larger than the GPU's memory?)",
		       what, val);
	else
		gsched_err("%s: %s", what, strerror(-ret));
	return GSCHED_ERR;
}

int gsched_vgpu_create(const char *name, const struct vgpu_args *a)
{
	char dir[PATH_MAX], path[PATH_MAX], line[256], what[128];
	int n;

	n = snprintf(line, sizeof(line), "%s", name);
	if (a->has_weight)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " weight=%" PRIu64, a->weight);
	if (a->has_cap)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " cap=%" PRIu64, a->cap);
	if (a->has_mem)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " mem=%" PRIu64, a->mem);
	if (a->has_channels)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " channels=%" PRIu64,
			      a->channels);
	if (a->has_jobs)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " jobs=%" PRIu64, a->jobs);
	if (a->has_class)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " class=%s", a->class);
	if (a->has_owner)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " owner=%lu", a->owner);
	if (a->has_group)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " group=%lu", a->group);
	if (a->has_mode)
		snprintf(line + n, sizeof(line) - (size_t)n, " mode=%lo", a->mode);
	snprintf(what, sizeof(what), "create vGPU %s on GPU %d", name, a->gpu);
	gsched_gpu_dir(dir, sizeof(dir), a->gpu);
	if (write_attr(path_fmt(path, sizeof(path), "%s/vgpu_create", dir), line, what))
		return GSCHED_ERR;
	if (sysfs_read(vgpu_attr_path(path, sizeof(path), a->gpu, name, "render_node"),
		       line, sizeof(line)))
		snprintf(line, sizeof(line), "?");
	printf("created vGPU %s on GPU %d: /dev/dri/%s\n", name, a->gpu, line);
	return 0;
}

static int set_one(const struct vgpu_args *a, const char *name, const char *attr,
		   const char *val)
{
	char path[PATH_MAX], what[128];

	snprintf(what, sizeof(what), "set %s of vGPU %s", attr, name);
	return write_attr(vgpu_attr_path(path, sizeof(path), a->gpu, name, attr),
			  val, what);
}

int gsched_vgpu_set(const char *name, const struct vgpu_args *a)
{
	char val[32];
	int ret = 0;

	if (!ret && a->has_weight)
		ret = set_one(a, name, "weight", path_fmt(val, sizeof(val), "%" PRIu64, a->weight));
	if (!ret && a->has_cap)
		ret = set_one(a, name, "cap", path_fmt(val, sizeof(val), "%" PRIu64, a->cap));
	if (!ret && a->has_mem)
		ret = set_one(a, name, "mem_quota", path_fmt(val, sizeof(val), "%" PRIu64, a->mem));
	if (!ret && a->has_channels)
		ret = set_one(a, name, "max_channels",
			      path_fmt(val, sizeof(val), "%" PRIu64, a->channels));
	if (!ret && a->has_jobs)
		ret = set_one(a, name, "max_jobs", path_fmt(val, sizeof(val), "%" PRIu64, a->jobs));
	if (!ret && a->has_class)
		ret = set_one(a, name, "class", a->class);
	return ret;
}

int gsched_vgpu_destroy(const char *name, const struct vgpu_args *a)
{
	char dir[PATH_MAX], path[PATH_MAX], what[128];

	snprintf(what, sizeof(what), "destroy vGPU %s on GPU %d", name, a->gpu);
	gsched_gpu_dir(dir, sizeof(dir), a->gpu);
	if (write_attr(path_fmt(path, sizeof(path), "%s/vgpu_destroy", dir), name, what))
		return GSCHED_ERR;
	printf("destroyed vGPU %s on GPU %d\n", name, a->gpu);
	return 0;
}

/* ------------------------------------------------------------------ */
/* list */

static const char *const num_attrs[NR_NUM_ATTRS] = {
	[VA_ID] = "id", [VA_WEIGHT] = "weight", [VA_CAP] = "cap",
	[VA_MEM_QUOTA] = "mem_quota", [VA_MEM_USED] = "mem_used",
	[VA_BUSY_NS] = "busy_ns", [VA_JOBS] = "jobs", [VA_FAILED] = "failed",
	[VA_CHANNELS] = "channels", [VA_MAX_CHANNELS] = "max_channels",
	[VA_PENDING] = "pending", [VA_MAX_JOBS] = "max_jobs",
};

/*
 * A vGPU given to a VM (gpucore_vfio.ko) links to its mediated device:
 * vgpus/NAME/device, named by the device's UUID.
 */
static void read_vfio(int gpu, const char *name, char *uuid, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX], *base;
	ssize_t n;

	uuid[0] = 0;
	n = readlink(vgpu_attr_path(path, sizeof(path), gpu, name, "device"), link,
		     sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(uuid, len, "%.39s", base ? base + 1 : link);
}

/*
 * The owner, group and mode its nodes were created with, on the vGPU's
 * device gpucore.N.vgpuID (empty if not given).
 */
static void read_nodes(int gpu, struct vgpu_row *r)
{
	static const struct { const char *attr; size_t off; } attrs[] = {
		{ "owner", offsetof(struct vgpu_row, owner) },
		{ "group", offsetof(struct vgpu_row, group) },
		{ "mode", offsetof(struct vgpu_row, mode) },
	};
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		char *v = (char *)r + attrs[i].off;

		if (sysfs_read(path_fmt(path, sizeof(path), "%s/%s.%d.vgpu%" PRIu64 "/%s",
					GPUCORE_SYSFS_DEVICES, GPUCORE_DRIVER_NAME, gpu,
					r->num[VA_ID], attrs[i].attr), v, sizeof(r->owner)))
			v[0] = '\0';
	}
}

static int read_row(int gpu, const char *name, struct vgpu_row *r)
{
	char path[PATH_MAX];
	unsigned int i;

	snprintf(r->name, sizeof(r->name), "%.*s", (int)sizeof(r->name) - 1, name);
	if (sysfs_read(vgpu_attr_path(path, sizeof(path), gpu, name, "class"),
		       r->class, sizeof(r->class)) ||
	    sysfs_read(vgpu_attr_path(path, sizeof(path), gpu, name, "render_node"),
		       r->node, sizeof(r->node)))
		return -ENOENT;
	for (i = 0; i < NR_NUM_ATTRS; i++)
		if (sysfs_read_u64(vgpu_attr_path(path, sizeof(path), gpu, name,
						  num_attrs[i]), &r->num[i]))
			return -ENOENT;
	read_vfio(gpu, name, r->vfio, sizeof(r->vfio));
	read_nodes(gpu, r);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct vgpu_row *x = a, *y = b;

	return x->num[VA_ID] < y->num[VA_ID] ? -1 : x->num[VA_ID] > y->num[VA_ID];
}

int gsched_vgpu_rows(int gpu, struct vgpu_row **rows, unsigned int *nr)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct vgpu_row *r = NULL, *nr_rows;
	struct dirent *d;
	unsigned int n = 0;
	DIR *dp;

	dp = opendir(path_fmt(path, sizeof(path), "%s/vgpus", gsched_gpu_dir(dir, sizeof(dir), gpu)));
	if (!dp) {
		gsched_err("cannot read %s: %s", path, strerror(errno));
		return GSCHED_ERR;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		nr_rows = realloc(r, (n + 1) * sizeof(*r));
		if (!nr_rows)
			break;
		r = nr_rows;
		if (!read_row(gpu, d->d_name, &r[n]))
			n++;
	}
	closedir(dp);
	if (n)
		qsort(r, n, sizeof(*r), by_id);
	*rows = r;
	*nr = n;
	return 0;
}

static int list_json(int gpu, const struct vgpu_row *r, unsigned int n)
{
	json_object *arr = json_object_new_array();
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "gpu", json_object_new_int(gpu));
		json_object_object_add(j, "name", json_object_new_string(r[i].name));
		for (k = 0; k < NR_NUM_ATTRS; k++)
			json_object_object_add(j, num_attrs[k],
					       json_object_new_uint64(r[i].num[k]));
		json_object_object_add(j, "class", json_object_new_string(r[i].class));
		json_object_object_add(j, "node", json_object_new_string(r[i].node));
		json_object_object_add(j, "vfio", r[i].vfio[0] ?
				       json_object_new_string(r[i].vfio) : NULL);
		json_object_array_add(arr, j);
	}
	return gsched_print_json(arr);
}

/* "USED/LIMIT" of two attributes of @r. */
static char *used_of(char *buf, size_t len, const struct vgpu_row *r, int used, int limit)
{
	snprintf(buf, len, "%" PRIu64 "/%" PRIu64, r->num[used], r->num[limit]);
	return buf;
}

static void list_text(const struct vgpu_row *r, unsigned int n)
{
	char quota[32], used[32], busy[32], chans[48], pending[48];
	unsigned int i;

	printf("%-3s %-20s %6s %4s %-11s %10s %10s %10s %8s %11s %14s %-20s %s\n", "ID",
	       "NAME", "WEIGHT", "CAP", "CLASS", "MEM_QUOTA", "MEM_USED", "BUSY", "JOBS",
	       "CHANNELS", "PENDING", "NODE", "VFIO");
	for (i = 0; i < n; i++) {
		char cap[24];

		if (r[i].num[VA_CAP])
			snprintf(cap, sizeof(cap), "%" PRIu64 "%%", r[i].num[VA_CAP]);
		else
			snprintf(cap, sizeof(cap), "-");
		printf("%-3" PRIu64 " %-20s %6" PRIu64 " %4s %-11s %10s %10s %10s %8" PRIu64
		       " %11s %14s /dev/dri/%-11s %s\n",
		       r[i].num[VA_ID], r[i].name, r[i].num[VA_WEIGHT], cap, r[i].class,
		       format_size(quota, sizeof(quota), r[i].num[VA_MEM_QUOTA]),
		       format_size(used, sizeof(used), r[i].num[VA_MEM_USED]),
		       format_duration(busy, sizeof(busy), r[i].num[VA_BUSY_NS]),
		       r[i].num[VA_JOBS],
		       used_of(chans, sizeof(chans), &r[i], VA_CHANNELS, VA_MAX_CHANNELS),
		       used_of(pending, sizeof(pending), &r[i], VA_PENDING, VA_MAX_JOBS),
		       r[i].node, r[i].vfio[0] ? r[i].vfio : "-");
	}
}

static int vgpu_list(const struct vgpu_args *a)
{
	struct vgpu_row *rows;
	unsigned int n;
	int ret;

	ret = gsched_vgpu_rows(a->gpu, &rows, &n);
	if (ret)
		return ret;
	if (a->json)
		ret = list_json(a->gpu, rows, n);
	else
		list_text(rows, n);
	free(rows);
	return ret;
}

/* ------------------------------------------------------------------ */

int cmd_vgpu(int argc, char **argv)
{
	struct vgpu_args a = { 0 };
	const char *sub, *name = NULL;
	char cmd[32];
	int first, ret;

	if (argc < 2)
		gsched_usage_error("vgpu", "which command? create, set, destroy or list");
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		vgpu_usage();
		return GSCHED_OK;
	}
	snprintf(cmd, sizeof(cmd), "vgpu %s", sub);
	if (strcmp(sub, "create") && strcmp(sub, "set") && strcmp(sub, "destroy") &&
	    strcmp(sub, "list"))
		gsched_usage_error("vgpu", "unknown command '%s' (create, set, destroy, list)", sub);
	first = parse_opts(cmd, argc - 1, argv + 1, &a) + 1;
	if (strcmp(sub, "list")) {
		if (first >= argc)
			gsched_usage_error(cmd, "which vGPU? give its name");
		name = argv[first++];
	}
	if (first < argc)
		gsched_usage_error(cmd, "unexpected argument '%s'", argv[first]);
	reject_opts(cmd, &a, !strcmp(sub, "create") || !strcmp(sub, "set"),
		    !strcmp(sub, "list"));
	if (!strcmp(sub, "set") && !has_settings(&a))
		gsched_usage_error(cmd, "nothing to set: give --weight, --cap, --mem, --channels, --jobs or --class");
	if (name && (ret = check_name(name)))
		return ret;
	if (strcmp(sub, "list") && (ret = gsched_need_root(cmd)))
		return ret;
	ret = need_gpu(a.gpu);
	if (ret)
		return ret;
	if (!strcmp(sub, "list"))
		return vgpu_list(&a);
	if (!strcmp(sub, "create"))
		return gsched_vgpu_create(name, &a);
	ret = need_vgpu(a.gpu, name);
	if (ret)
		return ret;
	if (!strcmp(sub, "destroy"))
		return gsched_vgpu_destroy(name, &a);
	ret = gsched_vgpu_set(name, &a);
	if (!ret)
		printf("updated vGPU %s on GPU %d\n", name, a.gpu);
	return ret;
}
