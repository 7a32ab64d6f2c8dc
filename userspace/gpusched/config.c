// SPDX-License-Identifier: MIT
/*
 * gpusched: apply and dump, the configuration file (docs/config.md).
 *
 * The file is lines of three kinds, and comment lines ('#' first) and
 * blank ones:
 *
 *   [vgpu NAME]          a vGPU; its keys are vgpu create's options
 *   KEY = VALUE          (gpu, weight, cap, ...), checked by the same code
 *   [policy OBJECT]      the policy (a NAME in the policy directories or a
 *   TUNABLE = VALUE      path, as load takes it) and its tunables, checked
 *                        as load -o checks them
 *
 * apply reads the whole file and reports every error as FILE:LINE before
 * it looks at the system (exit 2, nothing changed); then it compares the
 * file with the system and reports what cannot be done (exit 1, nothing
 * changed); then it loads the policy object into the kernel if the policy
 * is to change (a refusal: nothing changed); then it changes what differs.
 * A vGPU's settings the file leaves out are the driver's defaults, a
 * policy's tunables its object's: the file says all there is to say about
 * what it names. dump writes what is, in the same form.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpucore_dev.h"
#include "gpusched.h"

#define MAX_SECTION_KEYS	128

struct cfg_vgpu {
	unsigned int line;		/* of its [vgpu NAME] */
	unsigned int mem_line;		/* of its mem key, 0: none */
	bool valid_name;
	char name[GPUCORE_NAME_LEN];
	struct vgpu_args a;		/* what the file gives */
};

enum cfg_section { SEC_NONE, SEC_VGPU, SEC_POLICY, SEC_SKIP };

struct cfg {
	const char *file;		/* as errors name it */
	unsigned int errors;
	struct cfg_vgpu *vgpus;
	unsigned int nr_vgpus;
	unsigned int policy_line;	/* of [policy OBJECT], 0: none */
	char *policy_path;
	bool policy_open;
	struct gsched_policy_obj po;
	/* the section being read and the keys it has had */
	enum cfg_section sec;
	char *keys[MAX_SECTION_KEYS];
	unsigned int key_lines[MAX_SECTION_KEYS];
	unsigned int nr_keys;
};

__attribute__((format(printf, 3, 4)))
static void cfg_err(struct cfg *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	gsched_err_at(c->file, line);
	va_start(ap, fmt);
	gsched_verr(fmt, ap);
	va_end(ap);
	gsched_err_at(NULL, 0);
	c->errors++;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static void forget_keys(struct cfg *c)
{
	while (c->nr_keys)
		free(c->keys[--c->nr_keys]);
}

/* A key seen twice in a section is an error; false then. */
static bool note_key(struct cfg *c, const char *key, unsigned int line)
{
	unsigned int i;

	for (i = 0; i < c->nr_keys; i++) {
		if (strcmp(c->keys[i], key))
			continue;
		cfg_err(c, line, "%s is given twice in this section (first on line %u)", key,
			c->key_lines[i]);
		return false;
	}
	if (c->nr_keys == MAX_SECTION_KEYS) {
		cfg_err(c, line, "more than %d keys in one section", MAX_SECTION_KEYS);
		return false;
	}
	c->keys[c->nr_keys] = strdup(key);
	c->key_lines[c->nr_keys++] = line;
	return true;
}

static void vgpu_section(struct cfg *c, const char *name, unsigned int line)
{
	struct cfg_vgpu *v, *nv;

	nv = realloc(c->vgpus, (c->nr_vgpus + 1) * sizeof(*nv));
	if (!nv) {
		cfg_err(c, line, "out of memory");
		c->sec = SEC_SKIP;
		return;
	}
	c->vgpus = nv;
	v = &c->vgpus[c->nr_vgpus++];
	memset(v, 0, sizeof(*v));
	v->line = line;
	v->valid_name = gcu_vgpu_name_valid(name);
	if (v->valid_name)
		snprintf(v->name, sizeof(v->name), "%s", name);
	else
		cfg_err(c, line, "bad vGPU name '%s': " GSCHED_NAME_RULE, name,
			GPUCORE_NAME_LEN - 1);
	c->sec = SEC_VGPU;
}

static void policy_section(struct cfg *c, const char *arg, unsigned int line)
{
	c->sec = SEC_SKIP;
	if (c->policy_line) {
		cfg_err(c, line, "a second [policy] section (the first is on line %u): one policy at a time",
			c->policy_line);
		return;
	}
	c->policy_line = line;
	if (!*arg) {
		cfg_err(c, line, "[policy OBJECT]: which policy? a NAME (gpusched list shows them) or a path to its .bpf.o");
		return;
	}
	/* their errors are this line's */
	gsched_err_at(c->file, line);
	c->policy_path = gsched_resolve_policy(arg);
	if (c->policy_path && !gsched_obj_open(c->policy_path, false, &c->po))
		c->policy_open = true;
	gsched_err_at(NULL, 0);
	if (!c->policy_open) {
		c->errors++;
		return;
	}
	c->sec = SEC_POLICY;
}

/* "[KIND ARG]" */
static void section(struct cfg *c, char *s, unsigned int line)
{
	char *end = strrchr(s, ']'), *kind, *arg;

	forget_keys(c);
	c->sec = SEC_SKIP;
	if (!end || end[1]) {
		cfg_err(c, line, "a section header is [vgpu NAME] or [policy OBJECT], alone on its line");
		return;
	}
	*end = '\0';
	kind = trim(s + 1);
	arg = kind + strcspn(kind, " \t");
	if (*arg)
		*arg++ = '\0';
	arg = trim(arg);
	if (!strcmp(kind, "vgpu")) {
		if (!*arg)
			cfg_err(c, line, "[vgpu NAME]: which vGPU? give its name");
		else
			vgpu_section(c, arg, line);
	} else if (!strcmp(kind, "policy")) {
		policy_section(c, arg, line);
	} else {
		cfg_err(c, line, "unknown section [%s]: a section is [vgpu NAME] or [policy OBJECT]",
			kind);
	}
}

static void vgpu_key(struct cfg *c, const char *key, const char *val, unsigned int line)
{
	struct cfg_vgpu *v = &c->vgpus[c->nr_vgpus - 1];
	char why[128];
	int ret;

	if (!strcmp(v->name, GPUCORE_HOST_VGPU) &&
	    (!strcmp(key, "owner") || !strcmp(key, "group") || !strcmp(key, "mode"))) {
		cfg_err(c, line, "%s: the host tenant's nodes are the GPU's own, not set by gpusched",
			key);
		return;
	}
	ret = gsched_vgpu_key(key, val, &v->a, why, sizeof(why));
	if (ret == -ENOENT)
		cfg_err(c, line, "unknown key '%s' in a [vgpu] section (keys: %s)", key,
			gsched_vgpu_keys());
	else if (ret)
		cfg_err(c, line, "%s = %s: %s", key, val, why);
	else if (!strcmp(key, "mem"))
		v->mem_line = line;
}

static void policy_key(struct cfg *c, const char *key, const char *val, unsigned int line)
{
	char *assignment;

	if (asprintf(&assignment, "%s=%s", key, val) < 0) {
		cfg_err(c, line, "out of memory");
		return;
	}
	gsched_err_at(c->file, line);
	if (gsched_tunable_assign(&c->po, assignment))
		c->errors++;
	gsched_err_at(NULL, 0);
	free(assignment);
}

static void parse_line(struct cfg *c, char *s, unsigned int line)
{
	char *eq, *key, *val;

	s = trim(s);
	if (!*s || *s == '#')
		return;
	if (*s == '[') {
		section(c, s, line);
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		cfg_err(c, line, "expected KEY = VALUE, a [vgpu NAME] or [policy OBJECT] header, or a # comment");
		return;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key || !*val) {
		cfg_err(c, line, *key ? "%s: no value after '='" : "no key before '='%s", key);
		return;
	}
	if (c->sec == SEC_NONE) {
		cfg_err(c, line, "%s = %s comes before any section: put it under [vgpu NAME] or [policy OBJECT]",
			key, val);
		return;
	}
	if (c->sec == SEC_SKIP || !note_key(c, key, line))
		return;
	if (c->sec == SEC_VGPU)
		vgpu_key(c, key, val, line);
	else
		policy_key(c, key, val, line);
}

/* Two sections for one vGPU: the second is an error. */
static void check_duplicates(struct cfg *c)
{
	unsigned int i, j;

	for (i = 1; i < c->nr_vgpus; i++) {
		const struct cfg_vgpu *v = &c->vgpus[i];

		for (j = 0; v->valid_name && j < i; j++) {
			const struct cfg_vgpu *w = &c->vgpus[j];

			if (w->a.gpu != v->a.gpu || strcmp(w->name, v->name))
				continue;
			cfg_err(c, v->line, "vGPU %s of GPU %d is described on line %u already",
				v->name, v->a.gpu, w->line);
			break;
		}
	}
}

/* Read and check the whole file: 0, or GSCHED_USAGE/GSCHED_ERR after its messages. */
static int cfg_read(struct cfg *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	unsigned int line = 0;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t n;

	c->file = f == stdin ? "<stdin>" : path;
	if (!f) {
		gsched_err("cannot read %s: %s", path, strerror(errno));
		return GSCHED_ERR;
	}
	while ((n = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (strlen(buf) != (size_t)n) {
			cfg_err(c, line, "a NUL byte: not a text file");
			continue;
		}
		parse_line(c, buf, line);
	}
	free(buf);
	forget_keys(c);
	if (ferror(f)) {
		gsched_err("cannot read %s: %s", c->file, strerror(errno));
		c->errors++;
	}
	if (f != stdin)
		fclose(f);
	check_duplicates(c);
	if (!c->errors)
		return 0;
	fprintf(stderr, "%s: %u error%s; nothing changed\n", c->file, c->errors,
		c->errors == 1 ? "" : "s");
	return GSCHED_USAGE;
}

static void cfg_free(struct cfg *c)
{
	if (c->policy_open)
		gsched_obj_close(&c->po);
	free(c->policy_path);
	free(c->vgpus);
}

/* ------------------------------------------------------------------ */
/* the system as it is */

struct gpu_state {
	bool exists;
	uint64_t vram;
	struct vgpu_row *rows;
	unsigned int nr_rows;
	bool *named;			/* rows[i] has a section in the file */
};

static struct gpu_state gpus[GPUCORE_MAX_GPUS];

static int read_gpus(void)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int g, ret;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		struct gpu_state *s = &gpus[g];

		s->exists = gsched_gpu_exists(g);
		if (!s->exists)
			continue;
		gsched_gpu_dir(dir, sizeof(dir), g);
		ret = sysfs_read_u64(path_fmt(path, sizeof(path), "%s/vram_size", dir), &s->vram);
		if (ret) {
			gsched_err("cannot read %s: %s", path, strerror(-ret));
			return GSCHED_ERR;
		}
		ret = gsched_vgpu_rows(g, &s->rows, &s->nr_rows);
		if (ret)
			return ret;
		s->named = calloc(s->nr_rows + 1, sizeof(*s->named));
		if (!s->named) {
			gsched_err("out of memory");
			return GSCHED_ERR;
		}
	}
	return 0;
}

static void free_gpus(void)
{
	int g;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		free(gpus[g].rows);
		free(gpus[g].named);
	}
}

static int find_row(const struct gpu_state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_rows; i++)
		if (!strcmp(s->rows[i].name, name))
			return (int)i;
	return -1;
}

/* A size in the largest binary unit that divides it: "256M", "1536K", "1000". */
static char *size_text(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t u = 1ULL << (10 * (i + 1));

		if (v && v % u == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v / u, units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* ------------------------------------------------------------------ */
/* apply: the plan */

struct change {
	enum { CH_CREATE, CH_SET, CH_DESTROY } kind;
	char name[GPUCORE_NAME_LEN];
	struct vgpu_args a;
	char what[512];			/* CH_SET: "weight 100 -> 200, ..." */
};

struct plan {
	struct change *changes;
	unsigned int nr;
	unsigned int errors;
	bool policy_change, policy_replace;
};

static struct change *add_change(struct plan *p)
{
	struct change *nc = realloc(p->changes, (p->nr + 1) * sizeof(*nc));

	if (!nc) {
		gsched_err("out of memory");
		exit(GSCHED_ERR);
	}
	p->changes = nc;
	memset(&nc[p->nr], 0, sizeof(*nc));
	return &nc[p->nr++];
}

/* Append "KEY OLD -> NEW" to @what. */
__attribute__((format(printf, 3, 4)))
static void describe(char *what, size_t len, const char *fmt, ...)
{
	size_t n = strlen(what);
	va_list ap;

	if (n && n + 2 < len) {
		strcpy(what + n, ", ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(what + n, len - n, fmt, ap);
	va_end(ap);
}

/* "" or the number, as the driver shows an owner, group or mode. */
static void want_node(char *buf, size_t len, bool has, const char *fmt, unsigned long v)
{
	buf[0] = '\0';
	if (has)
		snprintf(buf, len, fmt, v);
}

/* A vGPU that exists: its nodes must be as the file says; the rest is changed live. */
static void plan_existing(struct cfg *c, struct plan *p, const struct cfg_vgpu *v,
			  const struct vgpu_row *r, const struct vgpu_args *want)
{
	char owner[16], group[16], mode[16], a[32], b[32];
	struct change *ch;
	struct vgpu_args set = { .gpu = v->a.gpu };
	char what[512] = "";

	want_node(owner, sizeof(owner), v->a.has_owner, "%lu", v->a.owner);
	want_node(group, sizeof(group), v->a.has_group, "%lu", v->a.group);
	want_node(mode, sizeof(mode), v->a.has_mode, "%04lo", v->a.mode);
	if (strcmp(owner, r->owner) || strcmp(group, r->group) || strcmp(mode, r->mode)) {
		cfg_err(c, v->line, "vGPU %s of GPU %d has owner %s, group %s, mode %s; the file says owner %s, group %s, mode %s: a vGPU's nodes keep those it was created with (gpusched vgpu destroy %s -g %d, and apply creates it anew)",
			v->name, v->a.gpu, *r->owner ? r->owner : "-", *r->group ? r->group : "-",
			*r->mode ? r->mode : "-", *owner ? owner : "-", *group ? group : "-",
			*mode ? mode : "-", v->name, v->a.gpu);
		p->errors++;
		return;
	}
	if (want->weight != r->num[VA_WEIGHT]) {
		describe(what, sizeof(what), "weight %" PRIu64 " -> %" PRIu64,
			 r->num[VA_WEIGHT], want->weight);
		set.has_weight = true;
	}
	if (want->cap != r->num[VA_CAP]) {
		describe(what, sizeof(what), "cap %" PRIu64 " -> %" PRIu64, r->num[VA_CAP],
			 want->cap);
		set.has_cap = true;
	}
	if (want->mem != r->num[VA_MEM_QUOTA]) {
		describe(what, sizeof(what), "mem %s -> %s",
			 size_text(a, sizeof(a), r->num[VA_MEM_QUOTA]),
			 size_text(b, sizeof(b), want->mem));
		set.has_mem = true;
	}
	if (want->channels != r->num[VA_MAX_CHANNELS]) {
		describe(what, sizeof(what), "channels %" PRIu64 " -> %" PRIu64,
			 r->num[VA_MAX_CHANNELS], want->channels);
		set.has_channels = true;
	}
	if (want->jobs != r->num[VA_MAX_JOBS]) {
		describe(what, sizeof(what), "jobs %" PRIu64 " -> %" PRIu64,
			 r->num[VA_MAX_JOBS], want->jobs);
		set.has_jobs = true;
	}
	if (strcmp(want->class, r->class)) {
		describe(what, sizeof(what), "class %s -> %s", r->class, want->class);
		set.has_class = true;
	}
	if (!what[0])
		return;
	set.weight = want->weight;
	set.cap = want->cap;
	set.mem = want->mem;
	set.channels = want->channels;
	set.jobs = want->jobs;
	snprintf(set.class, sizeof(set.class), "%s", want->class);
	ch = add_change(p);
	ch->kind = CH_SET;
	snprintf(ch->name, sizeof(ch->name), "%s", v->name);
	ch->a = set;
	snprintf(ch->what, sizeof(ch->what), "%s", what);
}

static void plan_vgpu(struct cfg *c, struct plan *p, const struct cfg_vgpu *v)
{
	struct gpu_state *s = &gpus[v->a.gpu];
	struct vgpu_args want = v->a;
	char a[32], b[32];
	struct change *ch;
	int i;

	if (!s->exists) {
		cfg_err(c, v->line, "vGPU %s: no GPU %d (the driver's num_gpus parameter sets how many)",
			v->name, v->a.gpu);
		p->errors++;
		return;
	}
	if (v->a.has_mem && v->a.mem > s->vram) {
		cfg_err(c, v->mem_line, "mem = %s: more than GPU %d's video memory, %s",
			size_text(a, sizeof(a), v->a.mem), v->a.gpu,
			size_text(b, sizeof(b), s->vram));
		p->errors++;
		return;
	}
	i = find_row(s, v->name);
	if (i < 0) {
		ch = add_change(p);
		ch->kind = CH_CREATE;
		snprintf(ch->name, sizeof(ch->name), "%s", v->name);
		ch->a = v->a;
		return;
	}
	s->named[i] = true;
	/* what the file leaves out is the driver's default */
	if (!want.has_weight)
		want.weight = GPUCORE_VGPU_WEIGHT_DEFAULT;
	if (!want.has_cap)
		want.cap = 0;
	if (!want.has_mem)
		want.mem = s->vram;
	if (!want.has_channels)
		want.channels = GPUCORE_VGPU_CHANNELS_DEFAULT;
	if (!want.has_jobs)
		want.jobs = GPUCORE_VGPU_JOBS_DEFAULT;
	if (!want.has_class)
		snprintf(want.class, sizeof(want.class), "batch");
	plan_existing(c, p, v, &s->rows[i], &want);
}

/* The vGPUs the file does not name: left alone, or destroyed with --prune if idle. */
static void plan_unnamed(struct cfg *c, struct plan *p, bool prune)
{
	unsigned int i, created, destroyed, k;
	struct change *ch;
	int g;

	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		struct gpu_state *s = &gpus[g];

		for (i = 0; s->exists && i < s->nr_rows; i++) {
			const struct vgpu_row *r = &s->rows[i];

			if (s->named[i] || !strcmp(r->name, GPUCORE_HOST_VGPU) || r->vfio[0])
				continue;
			if (!prune) {
				printf("vGPU %s of GPU %d is not in %s: left alone (apply --prune destroys it)\n",
				       r->name, g, c->file);
				continue;
			}
			if (r->num[VA_CHANNELS]) {
				gsched_err("vGPU %s of GPU %d is not in %s and has %" PRIu64 " channel%s open: --prune destroys idle vGPUs only (stop its clients, or add it to the file)",
					   r->name, g, c->file, r->num[VA_CHANNELS],
					   r->num[VA_CHANNELS] == 1 ? "" : "s");
				p->errors++;
				continue;
			}
			ch = add_change(p);
			ch->kind = CH_DESTROY;
			ch->a.gpu = g;
			snprintf(ch->name, sizeof(ch->name), "%s", r->name);
		}
		created = destroyed = 0;
		for (k = 0; k < p->nr; k++) {
			if (p->changes[k].a.gpu != g)
				continue;
			created += p->changes[k].kind == CH_CREATE;
			destroyed += p->changes[k].kind == CH_DESTROY;
		}
		if (s->exists && s->nr_rows + created - destroyed > GPUCORE_MAX_VGPUS) {
			gsched_err("%s: GPU %d would have %u vGPUs, more than its %d (the host tenant included)",
				   c->file, g, s->nr_rows + created - destroyed, GPUCORE_MAX_VGPUS);
			p->errors++;
		}
	}
}

/* Is the loaded policy @c's object with @c's tunables? */
static int policy_same(struct cfg *c, const struct gsched_policy_state *st, bool *same)
{
	const void *want;
	size_t want_size, have_size;
	void *have = NULL;
	int ret;

	*same = false;
	if (gsched_policy_builtin(st) || strcmp(st->name, c->po.name))
		return 0;
	want = gsched_obj_rodata(&c->po, &want_size);
	ret = gsched_policy_loaded_rodata(&have, &have_size);
	if (ret == -ENOENT)	/* not loaded by gpusched: cannot tell */
		return 0;
	if (ret) {
		gsched_err("cannot read the loaded policy's tunables: %s%s", strerror(-ret),
			   ret == -EACCES || ret == -EPERM ? " (run as root)" : "");
		return GSCHED_ERR;
	}
	*same = want_size == have_size && (!want_size || !memcmp(want, have, want_size));
	free(have);
	return 0;
}

static int plan_policy(struct cfg *c, struct plan *p)
{
	struct gsched_policy_state st;
	bool same;
	int ret;

	if (!c->policy_open)
		return 0;
	ret = gsched_policy_state_read(&st);
	if (!ret)
		ret = policy_same(c, &st, &same);
	if (ret)
		return ret;
	p->policy_change = !same;
	p->policy_replace = !gsched_policy_builtin(&st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* apply: doing it */

static int do_changes(const struct plan *p)
{
	static const int order[] = { CH_DESTROY, CH_CREATE, CH_SET };
	unsigned int i, k;
	int ret;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = 0; i < p->nr; i++) {
			const struct change *ch = &p->changes[i];

			if ((int)ch->kind != order[k])
				continue;
			if (ch->kind == CH_DESTROY)
				ret = gsched_vgpu_destroy(ch->name, &ch->a);
			else if (ch->kind == CH_CREATE)
				ret = gsched_vgpu_create(ch->name, &ch->a);
			else
				ret = gsched_vgpu_set(ch->name, &ch->a);
			if (ret)
				return ret;
			if (ch->kind == CH_SET)
				printf("vGPU %s of GPU %d: %s\n", ch->name, ch->a.gpu, ch->what);
		}
	}
	return 0;
}

static void apply_usage(void)
{
	printf(
"Usage: gpusched apply FILE|- [--prune]\n"
"Make the vGPUs and the scheduling policy what FILE (- : stdin) says.\n"
"\n"
"  -p, --prune      destroy the vGPUs FILE does not name, if idle (no\n"
"                   channels open); without it they are left alone\n"
"\n"
"FILE has [vgpu NAME] sections whose keys are vgpu create's options\n"
"(%s)\n"
"and a [policy NAME|PATH] section whose keys are the policy's tunables\n"
"(gpusched list); '#' starts a comment line (docs/config.md, gpusched(8)).\n"
"A key left out is the driver's default, or the policy's. apply checks the\n"
"whole file first: every error is printed as FILE:LINE, exit 2, nothing is\n"
"changed. Then it creates missing vGPUs, sets what differs on existing\n"
"ones, and loads the policy, or replaces the loaded one, if its name or\n"
"tunables differ. A second apply of the same file changes nothing.\n"
"A vGPU whose owner, group or mode differ from the file's is refused\n"
"(exit 1, nothing changed): those are fixed when a vGPU is created.\n",
	       gsched_vgpu_keys());
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prune", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cfg c = { 0 };
	struct plan p = { 0 };
	bool prune = false;
	unsigned int i;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, ":ph", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			prune = true;
			break;
		case 'h':
			apply_usage();
			return GSCHED_OK;
		default:
			gsched_bad_option("apply", ch, argv);
		}
	}
	if (optind >= argc)
		gsched_usage_error("apply", "which file? (- reads stdin)");
	if (optind + 1 < argc)
		gsched_usage_error("apply", "unexpected argument '%s' (one file)", argv[optind + 1]);
	ret = cfg_read(&c, argv[optind]);
	if (!ret)
		ret = gsched_need_root("apply");
	if (!ret)
		ret = gsched_need_module();
	if (!ret)
		ret = read_gpus();
	if (ret)
		goto out;
	for (i = 0; i < c.nr_vgpus; i++)
		plan_vgpu(&c, &p, &c.vgpus[i]);
	plan_unnamed(&c, &p, prune);
	ret = plan_policy(&c, &p);
	if (ret)
		goto out;
	if (p.errors) {
		fprintf(stderr, "%s: %u error%s; nothing changed\n", c.file, p.errors,
			p.errors == 1 ? "" : "s");
		ret = GSCHED_ERR;
		goto out;
	}
	if (!p.nr && !p.policy_change) {
		printf("%s: nothing to change\n", c.file);
		goto out;
	}
	/* the kernel verifies the policy before anything changes */
	if (p.policy_change)
		ret = gsched_policy_prepare(&c.po, p.policy_replace);
	if (!ret)
		ret = do_changes(&p);
	if (!ret && p.policy_change)
		ret = gsched_policy_attach(&c.po, p.policy_replace);
out:
	free(p.changes);
	free_gpus();
	cfg_free(&c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* dump */

static void dump_vgpu(int g, const struct vgpu_row *r)
{
	char buf[32];
	unsigned long id;
	struct passwd *pw;
	struct group *gr;

	printf("\n[vgpu %s]\n", r->name);
	printf("gpu = %d\n", g);
	printf("weight = %" PRIu64 "\n", r->num[VA_WEIGHT]);
	printf("cap = %" PRIu64 "\n", r->num[VA_CAP]);
	printf("mem = %s\n", size_text(buf, sizeof(buf), r->num[VA_MEM_QUOTA]));
	printf("channels = %" PRIu64 "\n", r->num[VA_MAX_CHANNELS]);
	printf("jobs = %" PRIu64 "\n", r->num[VA_MAX_JOBS]);
	printf("class = %s\n", r->class);
	if (r->owner[0]) {
		id = strtoul(r->owner, NULL, 10);
		pw = getpwuid((uid_t)id);
		printf("owner = %s\n", pw ? pw->pw_name : r->owner);
	}
	if (r->group[0]) {
		id = strtoul(r->group, NULL, 10);
		gr = getgrgid((gid_t)id);
		printf("group = %s\n", gr ? gr->gr_name : r->group);
	}
	if (r->mode[0])
		printf("mode = %s\n", r->mode);
}

/* The loaded policy's section: its object found by name, its tunables from the kernel. */
static int dump_policy(void)
{
	struct gsched_policy_state st;
	struct gsched_policy_obj po;
	char *path, *arg = NULL, val[256];
	size_t size = 0, have;
	void *data = NULL;
	unsigned int i;
	int ret;

	ret = gsched_policy_state_read(&st);
	if (ret || gsched_policy_builtin(&st))
		return ret;
	path = gsched_find_policy_named(st.name, &arg);
	if (!path) {
		printf("# policy %s is loaded, but no object in the policy directories has that name\n",
		       st.name);
		gsched_err("policy %s: no object of that name in the policy directories (gpusched list): its [policy PATH] section is left out",
			   st.name);
		return GSCHED_ERR;
	}
	ret = gsched_obj_open(path, false, &po);
	if (ret)
		goto out_free;
	ret = gsched_policy_loaded_rodata(&data, &size);
	if (ret) {
		gsched_err("cannot read the loaded policy %s's tunables: %s", st.name,
			   ret == -ENOENT ? "it was not loaded by gpusched (no pin)" : strerror(-ret));
		ret = GSCHED_ERR;
		goto out_close;
	}
	if (gsched_obj_rodata(&po, &have) && gsched_obj_set_rodata(&po, data, size)) {
		gsched_err("%s does not match the loaded policy %s (rebuilt since?): its section is left out",
			   path, st.name);
		ret = GSCHED_ERR;
		goto out_close;
	}
	printf("[policy %s]\n", arg);
	for (i = 0; i < po.nr_tunables; i++)
		if (po.tunables[i].kind != GSCHED_T_OTHER)
			printf("%s = %s\n", po.tunables[i].name,
			       gsched_tunable_text(&po, &po.tunables[i], val, sizeof(val)));
out_close:
	gsched_obj_close(&po);
out_free:
	free(data);
	free(arg);
	free(path);
	return ret;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int i;
	int ch, g, ret, err;

	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (ch != 'h')
			gsched_bad_option("dump", ch, argv);
		printf("Usage: gpusched dump\n"
		       "Write the vGPUs and the loaded policy with its tunables to stdout,\n"
		       "in the form gpusched apply reads: apply of its output changes nothing.\n"
		       "vGPUs a VM's mediated device owns are left out (mdevctl keeps them).\n");
		return GSCHED_OK;
	}
	if (optind < argc)
		gsched_usage_error("dump", "unexpected argument '%s'", argv[optind]);
	ret = gsched_need_module();
	if (!ret)
		ret = read_gpus();
	if (ret)
		goto out;
	printf("# gpucore configuration (gpusched dump); gpusched apply FILE restores it\n");
	err = dump_policy();
	for (g = 0; g < GPUCORE_MAX_GPUS; g++) {
		for (i = 0; gpus[g].exists && i < gpus[g].nr_rows; i++) {
			const struct vgpu_row *r = &gpus[g].rows[i];

			if (r->vfio[0])
				printf("\n# vGPU %s of GPU %d: mediated device %s's (mdevctl)\n",
				       r->name, g, r->vfio);
			else
				dump_vgpu(g, r);
		}
	}
	if (fflush(stdout)) {
		gsched_err("cannot write the dump: %s", strerror(errno));
		err = GSCHED_ERR;
	}
	ret = err;
out:
	free_gpus();
	return ret;
}
