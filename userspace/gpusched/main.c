// SPDX-License-Identifier: MIT
/*
 * gpusched: the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpucore_dev.h"
#include "gpusched.h"

static void usage(void)
{
	printf(
"Usage: gpusched [-v] COMMAND [ARGS]...\n"
"Load and inspect gpucore BPF scheduling policies and administer vGPUs.\n"
"\n"
"Policies:\n"
"  load FILE|NAME [-o NAME=VALUE]... [--replace]\n"
"                   load a policy object (NAME: NAME.bpf.o in the policy\n"
"                   directories) and attach it to every GPU; -o sets a\n"
"                   tunable (durations take units for *_ns, e.g. 2ms) within\n"
"                   the range the policy declares for it (see list);\n"
"                   --replace swaps it for the loaded one without draining\n"
"  unload           detach the loaded policy (the built-in round robin takes over)\n"
"  status [--json]  the policy in charge, its counters, why the last one stopped\n"
"  list [DIR|FILE]... [--json]\n"
"                   policy objects, their tunables and ranges (default:\n"
"                   %s and the repository's bpf/)\n"
"\n"
"vGPUs (-g, --gpu N: GPU index, default 0):\n"
"  vgpu create NAME [-g N] [--weight 1..10000] [--cap 0..100] [--mem SIZE]\n"
"                   [--channels N] [--jobs N] [--class batch|interactive]\n"
"  vgpu set NAME [-g N] [--weight W] [--cap PCT] [--mem SIZE] [--channels N]\n"
"                   [--jobs N] [--class C]\n"
"  vgpu destroy NAME [-g N]\n"
"  vgpu list [-g N] [--json]\n"
"\n"
"Configuration (docs/config.md; installed units apply it at boot):\n"
"  apply FILE|- [--prune]\n"
"                   make the vGPUs and the policy what FILE says: checks the\n"
"                   whole file first (FILE:LINE: errors, exit 2, nothing\n"
"                   changed), then creates and sets vGPUs and loads or\n"
"                   replaces the policy where they differ; --prune destroys\n"
"                   idle vGPUs the file does not name\n"
"  dump             the vGPUs and the policy, in apply's format\n"
"\n"
"Options:\n"
"  -v, --verbose    show libbpf's messages (the full verifier log)\n"
"  -h, --help       this help (COMMAND --help: the command's)\n"
"      --version    version and policy ABI version\n"
"\n"
"load, unload, apply, dump and vgpu create/set/destroy need root. A loaded policy stays\n"
"attached after gpusched exits: its link is pinned at %s.\n"
"\n"
"Exit status:\n"
"  0  ok                              5  not a gpucore policy object\n"
"  1  other error                     6  policy built for another ABI version\n"
"  2  usage error, bad tunable,       7  the kernel refused the policy\n"
"     bad configuration file             (verifier, load or init failure)\n"
"  3  gpucore driver not loaded       8  a policy is already loaded\n"
"  4  not privileged (not root)       9  no policy loaded\n",
	       GPUSCHED_BPF_DIR, GPUCORE_POLICY_PIN);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "load", cmd_load },
	{ "unload", cmd_unload },
	{ "status", cmd_status },
	{ "list", cmd_list },
	{ "vgpu", cmd_vgpu },
	{ "apply", cmd_apply },
	{ "dump", cmd_dump },
};

enum { OPT_VERSION = 0x100 };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int i;
	int c;

	opterr = 0;
	gsched_libbpf_log_start();
	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			gsched_verbose = true;
			break;
		case 'h':
			usage();
			return GSCHED_OK;
		case OPT_VERSION:
			printf("gpusched %s (policy ABI %d)\n", GPUSCHED_VERSION,
			       GPUCORE_SCHED_ABI_VERSION);
			return GSCHED_OK;
		default:
			gsched_bad_option(NULL, c, argv);
		}
	}
	if (optind >= argc)
		gsched_usage_error(NULL, "no command given");
	argc -= optind;
	argv += optind;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		optind = 0;	/* re-initialise getopt for the command's argv */
		return commands[i].fn(argc, argv);
	}
	gsched_usage_error(NULL, "unknown command '%s' (load, unload, status, list, vgpu, apply, dump)",
		       argv[0]);
}
