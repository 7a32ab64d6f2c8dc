// SPDX-License-Identifier: MIT
/*
 * gpusched: finding policy objects, and list.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpusched.h"

#define MAX_DIRS	8
#define OBJ_SUFFIX	".bpf.o"

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static void add_dir(char **dirs, unsigned int *n, unsigned int max,
		    const char *path)
{
	char real[PATH_MAX];
	unsigned int i;

	if (*n >= max || !is_dir(path) || !realpath(path, real))
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(dirs[i], real))
			return;
	dirs[*n] = strdup(real);
	if (dirs[*n])
		(*n)++;
}

unsigned int gsched_default_dirs(char **dirs, unsigned int max)
{
	char exe[PATH_MAX], path[PATH_MAX];
	unsigned int n = 0;
	ssize_t len;

	add_dir(dirs, &n, max, GPUSCHED_BPF_DIR);
	/* userspace/gpusched/gpusched in a build tree: ../../bpf */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		add_dir(dirs, &n, max, path_fmt(path, sizeof(path), "%s/../../bpf",
						 dirname(exe)));
	}
	return n;
}

static void free_dirs(char **dirs, unsigned int n)
{
	while (n--)
		free(dirs[n]);
}

char *gsched_resolve_policy(const char *arg)
{
	char *dirs[MAX_DIRS], path[PATH_MAX], *found = NULL;
	unsigned int n, i;

	if (is_file(arg) || strchr(arg, '/')) {
		found = strdup(arg);
		if (!found)
			gsched_err("out of memory");
		return found;
	}
	n = gsched_default_dirs(dirs, MAX_DIRS);
	for (i = 0; i < n && !found; i++) {
		path_fmt(path, sizeof(path), "%s/%s%s", dirs[i], arg,
			 strstr(arg, OBJ_SUFFIX) ? "" : OBJ_SUFFIX);
		if (is_file(path))
			found = strdup(path);
	}
	free_dirs(dirs, n);
	if (!found)
		gsched_err("no policy '%s': not a file, and no %s%s in the policy directories (gpusched list shows them)",
		       arg, arg, OBJ_SUFFIX);
	return found;
}

/* ------------------------------------------------------------------ */

static void print_text(const struct gsched_policy_obj *po)
{
	char type[32], val[256], range[128];
	unsigned int i;

	printf("%s\n", po->name);
	printf("  file:      %s\n", po->path);
	if (po->has_abi)
		printf("  abi:       %u%s\n", po->abi_version,
		       po->abi_version == GPUCORE_SCHED_ABI_VERSION ? "" :
		       " (not this gpusched's: rebuild it)");
	else
		printf("  abi:       unknown (no GPUCORE_POLICY())\n");
	if (!po->nr_tunables) {
		printf("  tunables:  none\n");
		return;
	}
	printf("  tunables:\n");
	for (i = 0; i < po->nr_tunables; i++) {
		const struct gsched_tunable *t = &po->tunables[i];

		gsched_tunable_range(t, range, sizeof(range));
		printf("    %-22s %-9s = %-*s%s%s%s\n", t->name,
		       gsched_tunable_type(t, type, sizeof(type)), range[0] ? 10 : 0,
		       gsched_tunable_value(po, t, val, sizeof(val)),
		       t->kind == GSCHED_T_OTHER ? " (not settable)" : "",
		       range[0] ? " range " : "", range);
	}
}

static json_object *to_json(const struct gsched_policy_obj *po)
{
	json_object *j = json_object_new_object(), *tuns = json_object_new_array();
	char type[32];
	unsigned int i;

	json_object_object_add(j, "name", json_object_new_string(po->name));
	json_object_object_add(j, "file", json_object_new_string(po->path));
	json_object_object_add(j, "abi_version", po->has_abi ?
			       json_object_new_int((int)po->abi_version) : NULL);
	for (i = 0; i < po->nr_tunables; i++) {
		const struct gsched_tunable *t = &po->tunables[i];
		json_object *tj = json_object_new_object();

		json_object_object_add(tj, "name", json_object_new_string(t->name));
		json_object_object_add(tj, "type", json_object_new_string(
			gsched_tunable_type(t, type, sizeof(type))));
		json_object_object_add(tj, "default", gsched_tunable_json(po, t));
		json_object_object_add(tj, "range", gsched_tunable_range_json(t));
		json_object_array_add(tuns, tj);
	}
	json_object_object_add(j, "tunables", tuns);
	return j;
}

struct list_ctx {
	bool json;
	json_object *out;
	unsigned int found;
	int ret;
};

/* One object; @explicit: named by the user, so a non-policy is an error. */
static void list_one(struct list_ctx *ctx, const char *path, bool explicit)
{
	struct gsched_policy_obj po;
	int ret;

	ret = gsched_obj_open(path, !explicit, &po);
	if (ret) {
		if (explicit)
			ctx->ret = ret;
		return;
	}
	if (ctx->json) {
		json_object_array_add(ctx->out, to_json(&po));
	} else {
		if (ctx->found)
			printf("\n");
		print_text(&po);
	}
	ctx->found++;
	gsched_obj_close(&po);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_objects(const struct dirent *d)
{
	size_t n = strlen(d->d_name), s = strlen(OBJ_SUFFIX);

	return n > s && !strcmp(d->d_name + n - s, OBJ_SUFFIX);
}

static void list_dir(struct list_ctx *ctx, const char *dir)
{
	struct dirent **ents;
	char path[PATH_MAX];
	int n, i;

	n = scandir(dir, &ents, only_objects, by_name);
	if (n < 0) {
		gsched_err("cannot read %s: %s", dir, strerror(errno));
		ctx->ret = GSCHED_ERR;
		return;
	}
	for (i = 0; i < n; i++) {
		list_one(ctx, path_fmt(path, sizeof(path), "%s/%s", dir,
				       ents[i]->d_name), false);
		free(ents[i]);
	}
	free(ents);
}

/* In @dir, the first object (by file name) of the policy named @name, or NULL. */
static char *find_in_dir(const char *dir, const char *name)
{
	struct gsched_policy_obj po;
	struct dirent **ents;
	char path[PATH_MAX], *found = NULL;
	int n, i;

	n = scandir(dir, &ents, only_objects, by_name);
	for (i = 0; i < n; i++) {
		path_fmt(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!found && !gsched_obj_open(path, true, &po)) {
			if (!strcmp(po.name, name))
				found = strdup(path);
			gsched_obj_close(&po);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return found;
}

char *gsched_find_policy_named(const char *name, char **arg)
{
	char *dirs[MAX_DIRS], path[PATH_MAX], *found = NULL, *base, *stem;
	unsigned int n, i;
	size_t len;

	*arg = NULL;
	n = gsched_default_dirs(dirs, MAX_DIRS);
	for (i = 0; i < n && !found; i++)
		found = find_in_dir(dirs[i], name);
	if (found) {
		/* its bare name, if gsched_resolve_policy() finds it by that */
		base = strrchr(found, '/') + 1;
		len = strlen(base) - strlen(OBJ_SUFFIX);
		for (i = 0; i < n; i++) {
			path_fmt(path, sizeof(path), "%s/%s", dirs[i], base);
			if (is_file(path))
				break;
		}
		stem = strndup(base, len);
		*arg = stem && i < n && !strcmp(path, found) && !is_file(stem) &&
		       !strchr(stem, '/') ? stem : strdup(found);
		if (*arg != stem)
			free(stem);
	}
	free_dirs(dirs, n);
	return found;
}

static void list_usage(void)
{
	printf(
"Usage: gpusched list [DIR|FILE]... [--json]\n"
"The policy objects in the given directories or files (default: %s\n"
"and the repository's bpf/), each with its ABI version and its tunables\n"
"(name, type, default and the range the policy declares, if any), which\n"
"gpusched load -o NAME=VALUE sets.\n",
	       GPUSCHED_BPF_DIR);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct list_ctx ctx = { 0 };
	char *dirs[MAX_DIRS];
	unsigned int n, i;
	int c;

	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			list_usage();
			return GSCHED_OK;
		default:
			gsched_bad_option("list", c, argv);
		}
	}
	if (ctx.json)
		ctx.out = json_object_new_array();
	if (optind < argc) {
		for (i = (unsigned int)optind; i < (unsigned int)argc; i++) {
			if (is_dir(argv[i]))
				list_dir(&ctx, argv[i]);
			else
				list_one(&ctx, argv[i], true);
		}
	} else {
		n = gsched_default_dirs(dirs, MAX_DIRS);
		for (i = 0; i < n; i++)
			list_dir(&ctx, dirs[i]);
		free_dirs(dirs, n);
	}
	if (ctx.json) {
		c = gsched_print_json(ctx.out);
		return ctx.ret ? ctx.ret : c;
	}
	if (!ctx.found && !ctx.ret)
		printf("no policy objects found\n");
	return ctx.ret;
}
