// SPDX-License-Identifier: MIT
/*
 * abi_test: the harness, which runs the cases every file of this directory
 * registers (TEST() and TEST_VGPUS(), abi.h).
 *
 *   abi_test [-D PATH] [-O PATH] list           print every case's name, one a line
 *   abi_test [-D PATH] [-O PATH] describe       print "NAME<TAB>DESCRIPTION" of each
 *                                               case on one node
 *   abi_test [-D PATH] [-O PATH] run NAME       run one case: exit 0 on pass, 1 with
 *                                               a one-line reason on fail
 *   abi_test [-D PATH] [-O PATH] all [GLOB]...  run the cases on one node (with -O,
 *                                               every case), or those whose name a
 *                                               GLOB matches, each in its own
 *                                               process, as TAP named by their
 *                                               descriptions
 *
 * PATH is a gpucore render node; by default /dev/dri/ + the contents of
 * /sys/bus/platform/devices/gpucore.0/vgpus/host/render_node. -O is the
 * node of the "other process" in the isolation_* cases (default: -D's);
 * the cases across vGPUs need it to be another vGPU's, and all runs them
 * only with it (selftests/vgpu.bats runs them one by one, each with the
 * two vGPUs it needs).
 *
 * all is what the suite runs (selftests/abi.sh): a test per case at the
 * cost of a fork, where a bats test costs a second of the TCG guest's
 * time before it starts. It fails a case that leaves the GPU's job
 * timeout (the one sysfs file a case changes) other than it found it.
 *
 * The cases run in the order they are written in, file by file in the
 * order of the files' names.
 */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "abi.h"

#define SYSFS_HOST_NODE	"/sys/bus/platform/devices/gpucore.0/vgpus/host/render_node"

static const char *cur_case = "?";
static const char *dev_path;
static const char *other_path;	/* -O: the "other process" cases' node */

/* Every case, in the order they are written in: see collect_cases(). */
static const struct abi_case **cases;
static size_t ncases;

extern const struct abi_case *const __start_abi_cases[], *const __stop_abi_cases[];

/* ------------------------------------------------------------------ */
/* reporting                                                           */

/* Run when a case fails or times out, before it exits (see abi.h). */
void (*case_cleanup)(void);

static void cleanup(void)
{
	if (case_cleanup)
		case_cleanup();
}

const char *ename(int e)
{
	const char *n;

	if (e == 0)
		return "success";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", cur_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	cleanup();
	_exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: case timed out (a call blocked or a job never completed)\n";

	ssize_t n;

	(void)sig;
	n = write(1, msg, sizeof(msg) - 1);
	(void)n;	/* exiting either way */
	cleanup();
	_exit(1);
}

void expect_errno(const char *what, int want, int got)
{
	if (got != want)
		fail("%s: expected %s, got %s", what, ename(want), ename(got));
}

/* ------------------------------------------------------------------ */
/* nodes                                                               */

static bool is_gpucore(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ok = v && v->name && strcmp(v->name, "gpucore") == 0;

	drmFreeVersion(v);
	return ok;
}

/*
 * The host tenant's render node. render_node may name the node
 * ("renderD128"), give its path, or its "major:minor"; all three work.
 * Without the sysfs file (driver under construction), fall back to the
 * first render node whose driver is gpucore, with a note on stderr.
 */
static const char *default_path(void)
{
	static char path[300];
	char buf[256], line[300];
	FILE *f = fopen(SYSFS_HOST_NODE, "r");
	size_t n;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		n = strcspn(buf, "\n");
		buf[n] = 0;
		if (buf[0] == '/') {
			snprintf(path, sizeof(path), "%s", buf);
			return path;
		}
		if (strchr(buf, ':')) {
			snprintf(line, sizeof(line), "/sys/dev/char/%s/uevent", buf);
			f = fopen(line, "r");
			while (f && fgets(line, sizeof(line), f)) {
				if (strncmp(line, "DEVNAME=", 8) == 0) {
					line[strcspn(line, "\n")] = 0;
					snprintf(path, sizeof(path), "/dev/%s", line + 8);
					fclose(f);
					return path;
				}
			}
			if (f)
				fclose(f);
			fail("%s says '%s', which names no device", SYSFS_HOST_NODE, buf);
		}
		if (!buf[0])
			fail("%s is empty", SYSFS_HOST_NODE);
		snprintf(path, sizeof(path), "/dev/dri/%s", buf);
		return path;
	} else {
		DIR *d = opendir("/dev/dri");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			int fd;

			if (strncmp(e->d_name, "renderD", 7))
				continue;
			snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd >= 0 && is_gpucore(fd)) {
				close(fd);
				closedir(d);
				fprintf(stderr, "abi_test: note: no %s, using %s\n", SYSFS_HOST_NODE, path);
				return path;
			}
			if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
		fail("cannot read %s and no gpucore render node in /dev/dri (is the driver loaded? or pass -D PATH)",
		     SYSFS_HOST_NODE);
	}
}

static int open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	if (!is_gpucore(fd))
		fail("%s is not a gpucore node", path);
	return fd;
}

int open_node(void)
{
	return open_path(dev_path);
}

/* The node of the "other process" in isolation cases: -O, else -D's. */
int open_other_node(void)
{
	return open_path(other_path ? other_path : dev_path);
}

/* ------------------------------------------------------------------ */
/* the cases                                                           */

static int by_place(const void *a, const void *b)
{
	const struct abi_case *x = *(const struct abi_case *const *)a;
	const struct abi_case *y = *(const struct abi_case *const *)b;
	int d = strcmp(x->file, y->file);

	return d ? d : x->line - y->line;
}

/*
 * The abi_cases section holds a pointer to every case, in no order the
 * compiler and linker promise: sort them by where they are written.
 */
static void collect_cases(void)
{
	ncases = __stop_abi_cases - __start_abi_cases;
	cases = malloc(ncases * sizeof(*cases));
	if (!cases) {
		perror("abi_test");
		exit(2);
	}
	memcpy(cases, __start_abi_cases, ncases * sizeof(*cases));
	qsort(cases, ncases, sizeof(*cases), by_place);
}

static int run_one(const struct abi_case *c)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	cur_case = c->name;
	sigaction(SIGALRM, &sa, NULL);
	alarm(CASE_TIMEOUT_S);
	if (!dev_path)
		dev_path = default_path();
	c->fn();
	fflush(stdout);
	return 0;
}

/* Run @c in a child process, its output as TAP comments; true if it passed. */
static bool run_forked(const struct abi_case *c)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int p[2], st;
	FILE *out;
	pid_t pid;

	if (pipe(p))
		fail("pipe: %s", ename(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		_exit(run_one(c));
	}
	close(p[1]);
	out = fdopen(p[0], "r");
	if (!out)
		fail("fdopen: %s", ename(errno));
	while ((len = getline(&line, &size, out)) > 0)
		printf("# %s%s", line, line[len - 1] == '\n' ? "" : "\n");
	free(line);
	fclose(out);
	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid: %s", ename(errno));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool matches(const char *name, char **globs, int nglobs)
{
	if (!nglobs)
		return true;
	for (int k = 0; k < nglobs; k++)
		if (!fnmatch(globs[k], name, 0))
			return true;
	return false;
}

/*
 * The GPU's job timeout, as its sysfs file reads (empty if it cannot be
 * read): a case that changes it must put it back (sysfs_set_saved()).
 */
static void read_job_timeout(char *buf, size_t len)
{
	FILE *f = fopen("/sys/bus/platform/devices/gpucore.0/job_timeout_ms", "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = 0;
		fclose(f);
	}
}

/* Run @c forked; true if it passed and left the job timeout as it was. */
static bool run_checked(const struct abi_case *c)
{
	char before[32], after[32];
	bool ok;

	read_job_timeout(before, sizeof(before));
	ok = run_forked(c);
	read_job_timeout(after, sizeof(after));
	if (strcmp(before, after)) {
		before[strcspn(before, "\n")] = 0;
		after[strcspn(after, "\n")] = 0;
		printf("# job_timeout_ms left at %s, was %s\n", after, before);
		ok = false;
	}
	return ok;
}

/* A case all runs: one on one node, or any with -O. */
static bool runnable(const struct abi_case *c, char **globs, int nglobs)
{
	return (c->desc || other_path) && matches(c->name, globs, nglobs);
}

/* all [GLOB]...: the cases all runs, or those a GLOB matches, as TAP. */
static int run_all(char **globs, int nglobs)
{
	int planned = 0, num = 0, failed = 0;
	bool ok;

	for (size_t k = 0; k < ncases; k++)
		planned += runnable(cases[k], globs, nglobs);
	printf("1..%d\n", planned);
	for (size_t k = 0; k < ncases; k++) {
		const struct abi_case *c = cases[k];

		if (!runnable(c, globs, nglobs))
			continue;
		num++;
		ok = run_checked(c);
		printf("%sok %d %s\n", ok ? "" : "not ", num, c->desc ? c->desc : c->name);
		failed += !ok;
	}
	return failed ? 1 : 0;
}

static int run_named(const char *name)
{
	for (size_t k = 0; k < ncases; k++)
		if (!strcmp(cases[k]->name, name))
			return run_one(cases[k]);
	fprintf(stderr, "abi_test: no case '%s' (see abi_test list)\n", name);
	return 2;
}

static int list(void)
{
	for (size_t k = 0; k < ncases; k++)
		printf("%s\n", cases[k]->name);
	return 0;
}

static int describe(void)
{
	for (size_t k = 0; k < ncases; k++)
		if (cases[k]->desc)
			printf("%s\t%s\n", cases[k]->name, cases[k]->desc);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: abi_test [-D PATH] [-O PATH] list | describe | run NAME | all [GLOB]...\n"
		"gpucore ioctl ABI tests.\n"
		"  -D PATH       render node (default: /dev/dri/ + %s)\n"
		"  -O PATH       node of the other process in isolation_* cases\n"
		"                (default: the -D node; another vGPU's node tests\n"
		"                isolation between tenants)\n"
		"  list          print the case names\n"
		"  describe      print NAME<TAB>DESCRIPTION of each case on one node\n"
		"                (the others run across vGPUs, from vgpu.bats)\n"
		"  run NAME      run one case: exit 0 on pass, 1 with a reason on fail\n"
		"  all [GLOB]... run the cases on one node (with -O, every case), or\n"
		"                those whose name a GLOB matches, each in its own\n"
		"                process, as TAP named by their descriptions\n", SYSFS_HOST_NODE);
}

int main(int argc, char **argv)
{
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "D:O:h")) != -1) {
		switch (opt) {
		case 'D':
			dev_path = optarg;
			break;
		case 'O':
			other_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	collect_cases();
	if (argc == 1 && !strcmp(argv[0], "list"))
		return list();
	if (argc == 1 && !strcmp(argv[0], "describe"))
		return describe();
	if (argc == 2 && !strcmp(argv[0], "run"))
		return run_named(argv[1]);
	if (argc >= 1 && !strcmp(argv[0], "all"))
		return run_all(argv + 1, argc - 1);
	usage(stderr);
	return 2;
}
