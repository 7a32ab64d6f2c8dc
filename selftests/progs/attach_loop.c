// SPDX-License-Identifier: MIT
/*
 * attach_loop: attach and detach a gpucore policy many times.
 *
 *   attach_loop OBJ.bpf.o N
 *
 * Loads the policy object once, then N times: attaches its struct_ops map
 * through a BPF link, checks that the driver reports it attached, destroys
 * the link and checks that the built-in policy is back. Prints one summary
 * line; exit 0 on success, 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "gpucore_sched.h"

static int read_state(char *buf, size_t len)
{
	FILE *f = fopen(GPUCORE_POLICY_SYSFS "/state", "r");

	if (!f || !fgets(buf, len, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int expect_state(const char *want, unsigned int i)
{
	char state[64];

	if (read_state(state, sizeof(state))) {
		fprintf(stderr, "attach_loop: cannot read %s/state\n", GPUCORE_POLICY_SYSFS);
		return 1;
	}
	if (strcmp(state, want)) {
		fprintf(stderr, "attach_loop: round %u: state is %s, expected %s\n", i, state, want);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *map, *ops = NULL;
	unsigned int n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: attach_loop OBJ.bpf.o N\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 0);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "attach_loop: cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			ops = map;
	if (!ops) {
		fprintf(stderr, "attach_loop: %s has no struct_ops map\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct bpf_link *link = bpf_map__attach_struct_ops(ops);

		if (!link) {
			fprintf(stderr, "attach_loop: round %u: attach: %s\n", i, strerror(errno));
			return 1;
		}
		if (expect_state("attached", i))
			return 1;
		bpf_link__destroy(link);
		if (expect_state("builtin", i))
			return 1;
	}
	bpf_object__close(obj);
	printf("%u attach/detach rounds\n", n);
	return 0;
}
