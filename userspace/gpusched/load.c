// SPDX-License-Identifier: MIT
/*
 * gpusched: load (attach or replace) and unload a policy.
 *
 * A policy is attached through a BPF link (the driver refuses anything
 * else) and the link is pinned at GPUCORE_POLICY_PIN, so the policy stays
 * after gpusched exits. --replace opens the pinned link and swaps its map
 * for the new one (BPF_LINK_UPDATE): the driver moves every GPU to the new
 * policy without draining, and the pin keeps naming the same link.
 * Unload detaches the link, removes the pin and waits for the driver to
 * report the built-in policy.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "gpusched.h"
#include "units.h"

#define MAX_ASSIGNMENTS	64

static void load_usage(void)
{
	printf(
"Usage: gpusched load FILE|NAME [-o NAME=VALUE]... [--replace]\n"
"Load a policy object and attach it to every GPU.\n"
"\n"
"  FILE             a policy object (bpf/NAME.bpf.o); a bare NAME is looked\n"
"                   up as NAME.bpf.o in the policy directories (gpusched list)\n"
"  -o NAME=VALUE    set a tunable (a const volatile global of the policy)\n"
"                   before loading; durations accept units for *_ns/_us/_ms\n"
"                   tunables (2ms, 500us), sizes for *_bytes/*_size (64K);\n"
"                   a value outside the range the policy declares for the\n"
"                   tunable is refused (exit 2; gpusched list shows ranges)\n"
"  -r, --replace    replace the loaded policy without draining\n"
"\n"
"The policy stays loaded after gpusched exits (its link is pinned at\n"
"%s); gpusched unload removes it.\n", GPUCORE_POLICY_PIN);
}

/* Mount bpffs at /sys/fs/bpf if nothing is mounted there (as bpftool does). */
static int ensure_bpffs(void)
{
	struct statfs sfs;

	if (!statfs(BPFFS_ROOT, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		gsched_err("no BPF filesystem at %s and cannot mount one: %s (mount -t bpf bpf %s)",
		       BPFFS_ROOT, strerror(errno), BPFFS_ROOT);
		return GSCHED_ERR;
	}
	return 0;
}

static int pin_link(struct bpf_link *link)
{
	int err;

	if (mkdir(GPUCORE_POLICY_PIN_DIR, 0700) && errno != EEXIST) {
		gsched_err("cannot create %s: %s", GPUCORE_POLICY_PIN_DIR, strerror(errno));
		return GSCHED_ERR;
	}
	err = bpf_link__pin(link, GPUCORE_POLICY_PIN);
	if (err) {
		gsched_err("cannot pin the policy's link at %s: %s", GPUCORE_POLICY_PIN,
		       strerror(-err));
		return GSCHED_ERR;
	}
	return 0;
}

/*
 * The pin of a policy the driver ejected names a link that no longer
 * schedules anything: remove it so a new policy can take its place.
 */
static int remove_stale_pin(const struct gsched_policy_state *st)
{
	if (!st->pinned || !gsched_policy_builtin(st))
		return 0;
	if (unlink(GPUCORE_POLICY_PIN) && errno != ENOENT) {
		gsched_err("cannot remove the stale pin %s: %s", GPUCORE_POLICY_PIN,
		       strerror(errno));
		return GSCHED_ERR;
	}
	return 0;
}

/* A refusal by the kernel while loading or attaching: why, and the log. */
static int refused(const struct gsched_policy_obj *po, const char *what, int err)
{
	struct gsched_policy_state st;

	gsched_err("the kernel refused %s (%s) at %s: %s", po->name, po->path, what,
	       strerror(-err));
	gsched_libbpf_log_tail(GSCHED_LOG_TAIL_LINES);
	if (!gsched_policy_state_read(&st) && !strcmp(st.exit_kind, "init") &&
	    st.exit_msg[0])
		fprintf(stderr, "policy init failed: %s\n", st.exit_msg);
	return GSCHED_LOAD;
}

static int attach_new(struct gsched_policy_obj *po)
{
	struct bpf_link *link;
	int err, ret;

	link = bpf_map__attach_struct_ops(po->ops_map);
	if (!link) {
		err = -errno;
		if (err == -EEXIST) {
			gsched_err("a policy is already loaded (gpusched status); use --replace or gpusched unload first");
			return GSCHED_EXISTS;
		}
		if (err == -ENODEV) {
			gsched_err("no GPU for a policy: every GPU's engines schedule themselves (module parameter fw_sched)");
			return GSCHED_LOAD;
		}
		return refused(po, "attach", err);
	}
	ret = pin_link(link);
	if (ret)
		bpf_link__detach(link);
	bpf_link__destroy(link);
	return ret;
}

static int replace(struct gsched_policy_obj *po)
{
	struct bpf_link *link;
	int err;

	link = bpf_link__open(GPUCORE_POLICY_PIN);
	if (!link) {
		gsched_err("cannot open the loaded policy's link %s: %s", GPUCORE_POLICY_PIN,
		       strerror(errno));
		return GSCHED_ERR;
	}
	err = bpf_link__update_map(link, po->ops_map);
	bpf_link__destroy(link);
	if (err)
		return refused(po, "replace", err);
	return 0;
}

/* Check the object against the driver; 0 or an exit code after a message. */
static int check_abi(const struct gsched_policy_obj *po,
		     const struct gsched_policy_state *st)
{
	if (!po->has_abi) {
		gsched_err("%s does not record its policy ABI version (build it with GPUCORE_POLICY() from bpf/gpucore.bpf.h)",
		       po->path);
		return GSCHED_NOT_POLICY;
	}
	if (po->abi_version != st->abi_version) {
		gsched_err("%s was built for policy ABI %u, the loaded driver has ABI %u: rebuild it against this driver (make bpf)",
		       po->path, po->abi_version, st->abi_version);
		return GSCHED_ABI;
	}
	return 0;
}

/* Before loading: the state that decides attach, replace or refuse. */
static int check_state(const struct gsched_policy_state *st, bool do_replace)
{
	if (do_replace) {
		if (gsched_policy_builtin(st) || !st->pinned) {
			gsched_err(gsched_policy_builtin(st) ?
			       "no policy to replace (gpusched load without --replace)" :
			       "the loaded policy was not loaded by gpusched (no pin at " GPUCORE_POLICY_PIN "): cannot replace it");
			return GSCHED_NONE;
		}
		return 0;
	}
	if (!gsched_policy_builtin(st)) {
		gsched_err("policy %s is already loaded: use --replace, or gpusched unload first",
		       st->name);
		return GSCHED_EXISTS;
	}
	return remove_stale_pin(st);
}

int gsched_policy_prepare(struct gsched_policy_obj *po, bool do_replace)
{
	struct gsched_policy_state st;
	int ret;

	ret = gsched_policy_state_read(&st);
	if (!ret)
		ret = check_abi(po, &st);
	if (!ret)
		ret = gsched_obj_check_fields(po);
	if (!ret)
		ret = check_state(&st, do_replace);
	if (!ret)
		ret = ensure_bpffs();
	if (ret)
		return ret;
	gsched_libbpf_log_start();
	ret = bpf_object__load(po->obj);
	if (ret)
		return refused(po, "load", ret);
	return 0;
}

int gsched_policy_attach(struct gsched_policy_obj *po, bool do_replace)
{
	char tun[1024];
	int ret;

	ret = do_replace ? replace(po) : attach_new(po);
	if (ret)
		return ret;
	printf("%s policy %s from %s (tunables: %s)\n",
	       do_replace ? "replaced the loaded policy with" : "loaded", po->name,
	       po->path, gsched_tunables_summary(po, tun, sizeof(tun)));
	if (!do_replace)
		printf("pinned at %s; gpusched unload removes it\n", GPUCORE_POLICY_PIN);
	return 0;
}

static int do_load(const char *path, char **assignments, unsigned int nr,
		   bool do_replace)
{
	struct gsched_policy_obj po;
	unsigned int i;
	int ret;

	ret = gsched_obj_open(path, false, &po);
	if (ret)
		return ret;
	/* the command line (-o) first, then the driver */
	for (i = 0; !ret && i < nr; i++)
		ret = gsched_tunable_assign(&po, assignments[i]);
	if (!ret)
		ret = gsched_policy_prepare(&po, do_replace);
	if (!ret)
		ret = gsched_policy_attach(&po, do_replace);
	gsched_obj_close(&po);
	return ret;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *assignments[MAX_ASSIGNMENTS];
	unsigned int nr = 0;
	bool do_replace = false;
	char *path;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":o:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (nr == MAX_ASSIGNMENTS)
				gsched_usage_error("load", "at most %d -o options", MAX_ASSIGNMENTS);
			assignments[nr++] = optarg;
			break;
		case 'r':
			do_replace = true;
			break;
		case 'h':
			load_usage();
			return GSCHED_OK;
		default:
			gsched_bad_option("load", c, argv);
		}
	}
	if (optind >= argc)
		gsched_usage_error("load", "which policy? (gpusched list shows them)");
	if (optind + 1 < argc)
		gsched_usage_error("load", "unexpected argument '%s' (one policy at a time)",
			       argv[optind + 1]);
	ret = gsched_need_root("load");
	if (ret)
		return ret;
	path = gsched_resolve_policy(argv[optind]);
	if (!path)
		return GSCHED_ERR;
	ret = do_load(path, assignments, nr, do_replace);
	free(path);
	return ret;
}

/* ------------------------------------------------------------------ */

static int wait_builtin(struct gsched_policy_state *st)
{
	uint64_t deadline = mono_ns() + GSCHED_UNLOAD_WAIT_MS * NSEC_PER_MSEC;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int ret;

	for (;;) {
		ret = gsched_policy_state_read(st);
		if (ret || gsched_policy_builtin(st))
			return ret;
		if (mono_ns() > deadline) {
			gsched_err("policy %s is still %s %d ms after detaching it",
			       st->name, st->state, GSCHED_UNLOAD_WAIT_MS);
			return GSCHED_ERR;
		}
		nanosleep(&ts, NULL);
	}
}

static int detach_pinned(const char *name)
{
	struct bpf_link *link;
	int err;

	link = bpf_link__open(GPUCORE_POLICY_PIN);
	if (!link) {
		gsched_err("cannot open %s: %s", GPUCORE_POLICY_PIN, strerror(errno));
		return GSCHED_ERR;
	}
	err = bpf_link__detach(link);
	bpf_link__destroy(link);
	if (err && err != -ENOLINK) {
		gsched_err("cannot detach policy %s: %s", name, strerror(-err));
		return GSCHED_ERR;
	}
	if (unlink(GPUCORE_POLICY_PIN)) {
		gsched_err("cannot remove %s: %s", GPUCORE_POLICY_PIN, strerror(errno));
		return GSCHED_ERR;
	}
	return 0;
}

int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gsched_policy_state st;
	char name[GPUCORE_POLICY_NAME_LEN];
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			gsched_bad_option("unload", c, argv);
		printf("Usage: gpusched unload\n"
		       "Detach the loaded policy; the built-in round robin takes over.\n");
		return GSCHED_OK;
	}
	if (optind < argc)
		gsched_usage_error("unload", "unexpected argument '%s'", argv[optind]);
	ret = gsched_need_root("unload");
	if (!ret)
		ret = gsched_policy_state_read(&st);
	if (ret)
		return ret;
	if (gsched_policy_builtin(&st)) {
		if (!st.pinned) {
			gsched_err("no policy loaded (the built-in round robin is in charge)");
			return GSCHED_NONE;
		}
		ret = remove_stale_pin(&st);
		if (!ret)
			printf("the pinned policy had already stopped (%s: %s); removed its pin\n",
			       st.exit_kind, st.exit_reason);
		return ret;
	}
	if (!st.pinned) {
		gsched_err("policy %s was not loaded by gpusched (no pin at %s): the process holding it must detach it, or eject it with: echo 1 > %s/eject",
		       st.name, GPUCORE_POLICY_PIN, GPUCORE_POLICY_SYSFS);
		return GSCHED_ERR;
	}
	snprintf(name, sizeof(name), "%s", st.name);
	ret = detach_pinned(name);
	if (!ret)
		ret = wait_builtin(&st);
	if (!ret)
		printf("unloaded policy %s; the built-in round robin is in charge\n", name);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the loaded policy's tunables */

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/*
 * A program of the struct_ops map @map_fd. Looked up, a struct_ops map's
 * value holds the id of the program in each callback's slot; the kernel's
 * BTF of the value type (struct bpf_struct_ops_gpucore_sched_ops, its
 * member data a struct gpucore_sched_ops) says which members are callbacks.
 * Returns the id, or 0.
 */
static uint32_t ops_prog_id(int map_fd)
{
	struct bpf_map_info mi = { 0 };
	uint32_t len = sizeof(mi), key = 0, id = 0;
	const struct btf_type *t, *ops = NULL, *mt;
	const struct btf_member *m;
	struct btf *vmlinux, *btf = NULL;
	size_t data_off = 0, off;
	unsigned int i;
	uint64_t v;
	char *val;

	if (bpf_map_get_info_by_fd(map_fd, &mi, &len) || !mi.btf_vmlinux_value_type_id)
		return 0;
	val = calloc(1, mi.value_size);
	vmlinux = btf__load_vmlinux_btf();
	if (!val || !vmlinux || bpf_map_lookup_elem(map_fd, &key, val))
		goto out;
	btf = mi.btf_vmlinux_id ? btf__load_from_kernel_by_id_split(mi.btf_vmlinux_id, vmlinux) :
				  vmlinux;
	t = btf ? skip_mods(btf, mi.btf_vmlinux_value_type_id) : NULL;
	if (!t || !btf_is_struct(t))
		goto out;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "data"))
			continue;
		ops = skip_mods(btf, m->type);
		data_off = btf_member_bit_offset(t, i) / 8;
	}
	if (!ops || !btf_is_struct(ops))
		goto out;
	m = btf_members(ops);
	for (i = 0; i < btf_vlen(ops) && !id; i++, m++) {
		mt = skip_mods(btf, m->type);
		if (!mt || !btf_is_ptr(mt) || !btf_is_func_proto(skip_mods(btf, mt->type)))
			continue;
		off = data_off + btf_member_bit_offset(ops, i) / 8;
		if (off + sizeof(v) > mi.value_size)
			continue;
		memcpy(&v, val + off, sizeof(v));
		id = (uint32_t)v;
	}
out:
	if (btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	free(val);
	return id;
}

/* The map libbpf made of the policy's .rodata ("<object>.rodata"), of program @prog_id. */
static int rodata_of_prog(uint32_t prog_id, void **data, size_t *size)
{
	struct bpf_prog_info pi = { 0 };
	struct bpf_map_info mi;
	uint32_t len = sizeof(pi), nr, i, key = 0, *ids = NULL;
	int fd, mfd, ret = -ENOENT;
	size_t n;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	if (bpf_prog_get_info_by_fd(fd, &pi, &len)) {
		ret = -errno;
		goto out;
	}
	nr = pi.nr_map_ids;
	ids = calloc(nr + 1, sizeof(*ids));
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = nr;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	len = sizeof(pi);
	if (!ids || bpf_prog_get_info_by_fd(fd, &pi, &len)) {
		ret = ids ? -errno : -ENOMEM;
		goto out;
	}
	*data = NULL;
	*size = 0;
	ret = 0;	/* no .rodata map: a policy without tunables */
	for (i = 0; i < nr && i < pi.nr_map_ids; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		n = 0;
		if (!bpf_map_get_info_by_fd(mfd, &mi, &len) && mi.type == BPF_MAP_TYPE_ARRAY &&
		    mi.max_entries == 1 && (n = strlen(mi.name)) >= 7 &&
		    !strcmp(mi.name + n - 7, ".rodata")) {
			*data = malloc(mi.value_size);
			if (!*data)
				ret = -ENOMEM;
			else if (bpf_map_lookup_elem(mfd, &key, *data))
				ret = -errno;
			else
				*size = mi.value_size;
			close(mfd);
			break;
		}
		close(mfd);
	}
out:
	free(ids);
	close(fd);
	return ret;
}

int gsched_policy_loaded_rodata(void **data, size_t *size)
{
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li), prog;
	int lfd, mfd, ret;

	*data = NULL;
	*size = 0;
	lfd = bpf_obj_get(GPUCORE_POLICY_PIN);
	if (lfd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	ret = bpf_link_get_info_by_fd(lfd, &li, &len) ? -errno : 0;
	close(lfd);
	if (ret)
		return ret;
	if (li.type != BPF_LINK_TYPE_STRUCT_OPS)
		return -EINVAL;
	mfd = bpf_map_get_fd_by_id(li.struct_ops.map_id);
	if (mfd < 0)
		return -errno;
	prog = ops_prog_id(mfd);
	close(mfd);
	if (!prog)
		return -ENODATA;
	return rodata_of_prog(prog, data, size);
}
