// SPDX-License-Identifier: MIT
/*
 * Resolving the gpucore tracepoints' BTF once.
 *
 * gpustat attaches a BTF tracepoint program (SEC("tp_btf/NAME")) to each
 * gpucore tracepoint. For each one, libbpf 1.4 looks "btf_trace_NAME" up
 * by a linear search of vmlinux's BTF, then of every module's BTF (each
 * search of a module's split BTF walks vmlinux's types again), before it
 * finds it in gpucore's: a hundred-odd walks of some 100,000 types, most
 * of gpustat's start-up in a TCG guest.
 *
 * This file takes the "tp_btf" section over for the telemetry object
 * (libbpf_register_prog_handler(); handlers registered by the program come
 * before libbpf's own): it loads the gpucore module's BTF once, finds each
 * tracepoint's type among that module's own types only, and hands libbpf
 * the module BTF object and the type id at load. Attaching is libbpf's
 * usual BTF tracepoint attach. The object keeps standard section names:
 * any other loader still loads it, the slow way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "monitor.h"

#define TP_BTF_PREFIX	"btf_trace_"

struct tpbtf {
	int handler;		/* libbpf handler id, or <= 0 */
	int fd;			/* the module's BTF object */
	struct btf *base;	/* vmlinux */
	struct btf *btf;	/* the module's, split on base */
};

static struct tpbtf tp = { .fd = -1 };

/* The id and an fd of the kernel BTF object named @name. */
static int kbtf_by_name(const char *name, __u32 *idp)
{
	__u32 id = 0;
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char nm[64] = "";

		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		info.name = (__u64)(unsigned long)nm;
		info.name_len = sizeof(nm);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.kernel_btf && !strcmp(nm, name)) {
			*idp = id;
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

/* The type id of tracepoint @tp_name among the module's own types. */
static int tp_type_id(const char *tp_name)
{
	__u32 i, n = btf__type_cnt(tp.btf);
	size_t plen = strlen(TP_BTF_PREFIX);

	for (i = btf__type_cnt(tp.base); i < n; i++) {
		const struct btf_type *t = btf__type_by_id(tp.btf, i);
		const char *nm;

		if (!btf_is_typedef(t))
			continue;
		nm = btf__name_by_offset(tp.btf, t->name_off);
		if (nm && !strncmp(nm, TP_BTF_PREFIX, plen) && !strcmp(nm + plen, tp_name))
			return i;
	}
	return -ESRCH;
}

static int tp_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const char *sec = bpf_program__section_name(prog);
	const char *name = strchr(sec, '/');
	int id;

	if (!name)
		return -EINVAL;
	id = tp_type_id(name + 1);
	if (id < 0) {
		if (gs_verbose)
			gs_err("no BTF tracepoint %s in the module's BTF", name + 1);
		return id;
	}
	opts->attach_btf_obj_fd = tp.fd;
	opts->attach_btf_id = id;
	return 0;
}

static int tp_attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

/**
 * tpbtf_init() - resolve "tp_btf/NAME" sections against module @module
 * @module: the kernel module whose tracepoints the programs attach to
 *
 * Call before opening the BPF object; tpbtf_exit() after destroying it.
 * Return: 0, or a negative errno (no such module BTF, or libbpf refused
 * the handler); the caller may then load the slow way.
 */
int tpbtf_init(const char *module)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts,
		    .prog_prepare_load_fn = tp_prepare,
		    .prog_attach_fn = tp_attach);
	__u32 id;
	int ret;

	tp.fd = kbtf_by_name(module, &id);
	if (tp.fd < 0)
		return tp.fd;
	tp.base = btf__load_vmlinux_btf();
	if (!tp.base)
		goto err;
	tp.btf = btf__load_from_kernel_by_id_split(id, tp.base);
	if (!tp.btf)
		goto err;
	ret = libbpf_register_prog_handler("tp_btf+", BPF_PROG_TYPE_TRACING,
					   BPF_TRACE_RAW_TP, &hopts);
	if (ret < 0) {
		errno = -ret;
		goto err;
	}
	tp.handler = ret;
	return 0;
err:
	ret = -errno;
	tpbtf_exit();
	return ret ? ret : -ENOENT;
}

/**
 * tpbtf_exit() - undo tpbtf_init(), after the BPF object is destroyed
 */
void tpbtf_exit(void)
{
	if (tp.handler > 0)
		libbpf_unregister_prog_handler(tp.handler);
	btf__free(tp.btf);
	btf__free(tp.base);
	if (tp.fd >= 0)
		close(tp.fd);
	tp = (struct tpbtf){ .fd = -1 };
}
