// SPDX-License-Identifier: MIT
/*
 * gpufuzz: an ioctl fuzzer for gpucore, for a bounded time.
 *
 *   gpufuzz [-t SECONDS] [-p PROCS] [-T THREADS] [-s SEED] [-V VGPU[,VGPU]...]
 *
 * PROCS processes (each on one of the listed vGPUs' nodes, round robin;
 * default the host node) run THREADS threads each. A thread keeps a small
 * pool of the objects it created (channels, BOs, syncobjs, submitted
 * seqnos) and loops: pick an ioctl, build valid arguments from the pool,
 * then most of the time mutate them (bit flips, interesting values,
 * random handles, bad pointers, unknown command numbers), and call it.
 * Now and then a thread maps a BO and writes it, exports a BO as a
 * dma-buf and imports it back, or closes and reopens the process's node
 * under the other threads' feet. Jobs are short, so completions keep
 * coming; every WAIT has a timeout at most 50 ms away unless mutated, and
 * SIGALRM every 100 ms interrupts any sleeper.
 *
 * At the deadline every process exits (closing its node destroys what it
 * made). The parent reports calls made and the distinct (ioctl, errno)
 * pairs hit, and fails if a child hangs (does not exit within 20 s of its
 * deadline, i.e. stuck in the kernel) or dies of anything but its own
 * exit. Exit 0 ok, 1 hang or crash, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "gpucore_dev.h"
#include "units.h"

#define NR_OPS		16
#define NR_ERRNO	160
#define POOL		16

enum op {
	OP_INFO, OP_CH_CREATE, OP_CH_DESTROY, OP_BO_CREATE, OP_BO_MMAP, OP_SUBMIT,
	OP_WAIT, OP_QUERY, OP_STATS, OP_NOP, OP_SYNCOBJ, OP_GEM_CLOSE, OP_PRIME,
	OP_RAW, OP_MAPWRITE, OP_REOPEN,
};

static const char *const op_names[NR_OPS] = {
	"INFO", "CHANNEL_CREATE", "CHANNEL_DESTROY", "BO_CREATE", "BO_MMAP_OFFSET",
	"SUBMIT", "WAIT", "JOB_QUERY", "CHANNEL_STATS", "NOP", "SYNCOBJ", "GEM_CLOSE",
	"PRIME", "RAW (unknown nr/size)", "mmap+write", "close+reopen",
};

/* Shared with the parent: counts survive the children. */
struct shared {
	atomic_ulong calls;
	atomic_uchar hit[NR_OPS][NR_ERRNO];	/* errno 0..NR_ERRNO-1 */
};

static struct shared *sh;
static char node[PATH_MAX];
static atomic_int dev_fd = -1;
static uint64_t deadline;

struct pool {
	__u32 ch[POOL], bo[POOL], so[POOL];
	__u64 seq[POOL];
	unsigned int nch, nbo, nso;
	unsigned int rnd;
};

static unsigned int rnd(struct pool *p)
{
	return rand_r(&p->rnd);
}

static __u32 pick(struct pool *p, const __u32 *v, unsigned int n)
{
	if (!n || rnd(p) % 16 == 0)
		return rnd(p) % 8 ? rnd(p) % 64 : rnd(p);	/* a guess */
	return v[rnd(p) % n];
}

static void keep(struct pool *p, __u32 *v, unsigned int *n, __u32 x)
{
	if (*n < POOL)
		v[(*n)++] = x;
	else
		v[rnd(p) % POOL] = x;
}

static const __u64 interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 63, 64, 255, 256, 4095, 4096, 4097, 65536,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL, 0xffff800000000000ULL,
};

/* Mutate @len bytes at @buf a few times. */
static void mutate(struct pool *p, void *buf, size_t len)
{
	unsigned char *b = buf;
	unsigned int k, n = 1 + rnd(p) % 3;

	for (k = 0; k < n && len; k++) {
		size_t off = rnd(p) % len;

		switch (rnd(p) % 4) {
		case 0:
			b[off] ^= 1u << (rnd(p) % 8);
			break;
		case 1:
			b[off] = rnd(p);
			break;
		default: {
			__u64 v = interesting[rnd(p) % (sizeof(interesting) / sizeof(interesting[0]))];
			size_t w = rnd(p) % 2 ? 8 : 4;

			off &= ~(w - 1);
			if (off + w <= len)
				memcpy(b + off, &v, w);
			break;
		}
		}
	}
}

static void count(enum op op, int err)
{
	atomic_fetch_add(&sh->calls, 1);
	if (err < 0)
		err = -err;
	if (err >= NR_ERRNO)
		err = NR_ERRNO - 1;
	atomic_store(&sh->hit[op][err], 1);
}

/* Call @req with @arg (mutated unless @valid); returns 0 or -errno. */
static int call(struct pool *p, enum op op, unsigned long req, void *arg, size_t len,
		bool valid)
{
	int ret;

	if (!valid)
		mutate(p, arg, len);
	ret = ioctl(atomic_load(&dev_fd), req, arg) ? -errno : 0;
	count(op, ret);
	return ret;
}

static __u64 uptr(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

static void do_submit(struct pool *p, bool valid)
{
	struct drm_gpucore_cmd cmds[4];
	struct drm_gpucore_job jobs[4];
	struct drm_gpucore_submit s = { 0 };
	unsigned int i, nj = 1 + rnd(p) % 4, nc;

	memset(cmds, 0, sizeof(cmds));
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++) {
		cmds[i].op = 1 + rnd(p) % 3;
		cmds[i].size = cmds[i].op == GPUCORE_CMD_SPIN ? rnd(p) % 200000 : 4 * (rnd(p) % 64);
		if (cmds[i].op != GPUCORE_CMD_SPIN) {
			cmds[i].dst_handle = pick(p, p->bo, p->nbo);
			cmds[i].dst_offset = 4 * (rnd(p) % 256);
			cmds[i].value = rnd(p);
		}
		if (cmds[i].op == GPUCORE_CMD_COPY) {
			cmds[i].src_handle = pick(p, p->bo, p->nbo);
			cmds[i].src_offset = 4 * (rnd(p) % 256) + 2048;
			cmds[i].value = 0;
		}
	}
	for (i = 0; i < nj; i++) {
		nc = rnd(p) % 3;
		jobs[i].cmds_ptr = uptr(cmds);
		jobs[i].num_cmds = nc;
		if (p->nso && rnd(p) % 4 == 0) {
			jobs[i].flags = GPUCORE_JOB_OUT_SYNCOBJ;
			jobs[i].out_syncobj = pick(p, p->so, p->nso);
		} else if (p->nso && rnd(p) % 8 == 0) {
			jobs[i].flags = GPUCORE_JOB_IN_SYNCOBJ;
			jobs[i].in_syncobj = pick(p, p->so, p->nso);
		}
	}
	if (!valid) {
		if (rnd(p) % 2)
			mutate(p, cmds, sizeof(cmds));
		else
			mutate(p, jobs, sizeof(jobs));
	}
	s.channel = pick(p, p->ch, p->nch);
	s.jobs_ptr = uptr(jobs);
	s.num_jobs = nj;
	if (!call(p, OP_SUBMIT, DRM_IOCTL_GPUCORE_SUBMIT, &s, sizeof(s), valid || rnd(p) % 2))
		p->seq[s.channel % POOL] = s.seqno;
}

static void do_one(struct pool *p)
{
	bool valid = rnd(p) % 3 == 0;
	enum op op = rnd(p) % NR_OPS;
	union {
		struct drm_gpucore_info info;
		struct drm_gpucore_channel_create cc;
		struct drm_gpucore_channel_destroy cd;
		struct drm_gpucore_bo_create bc;
		struct drm_gpucore_bo_mmap_offset mo;
		struct drm_gpucore_wait w;
		struct drm_gpucore_job_query q;
		struct drm_gpucore_channel_stats st;
		struct drm_gpucore_nop nop;
		struct drm_syncobj_create sc;
		struct drm_syncobj_destroy sd;
		struct drm_gem_close gc;
		struct drm_prime_handle ph;
		unsigned char raw[512];
	} a;
	__u32 ch;

	memset(&a, 0, sizeof(a));
	switch (op) {
	case OP_INFO:
		call(p, op, DRM_IOCTL_GPUCORE_INFO, &a.info, sizeof(a.info), valid);
		break;
	case OP_CH_CREATE:
		a.cc.engine_class = rnd(p) % 2;
		if (rnd(p) % 2) {
			a.cc.flags = GPUCORE_CHANNEL_ENGINE_INSTANCE;
			a.cc.instance = rnd(p) % 2;
		}
		if (!call(p, op, DRM_IOCTL_GPUCORE_CHANNEL_CREATE, &a.cc, sizeof(a.cc), valid))
			keep(p, p->ch, &p->nch, a.cc.handle);
		break;
	case OP_CH_DESTROY:
		a.cd.handle = pick(p, p->ch, p->nch);
		call(p, op, DRM_IOCTL_GPUCORE_CHANNEL_DESTROY, &a.cd, sizeof(a.cd), valid);
		break;
	case OP_BO_CREATE:
		a.bc.size = 4096 * (1 + rnd(p) % 4);
		if (!call(p, op, DRM_IOCTL_GPUCORE_BO_CREATE, &a.bc, sizeof(a.bc), valid))
			keep(p, p->bo, &p->nbo, a.bc.handle);
		break;
	case OP_BO_MMAP:
		a.mo.handle = pick(p, p->bo, p->nbo);
		call(p, op, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &a.mo, sizeof(a.mo), valid);
		break;
	case OP_SUBMIT:
		do_submit(p, valid);
		break;
	case OP_WAIT:
		ch = pick(p, p->ch, p->nch);
		a.w.channel = ch;
		a.w.seqno = p->seq[ch % POOL] ?: 1;
		a.w.timeout_ns = mono_ns() + rnd(p) % 50000000;
		call(p, op, DRM_IOCTL_GPUCORE_WAIT, &a.w, sizeof(a.w), valid);
		break;
	case OP_QUERY:
		ch = pick(p, p->ch, p->nch);
		a.q.channel = ch;
		a.q.seqno = p->seq[ch % POOL] ?: 1;
		call(p, op, DRM_IOCTL_GPUCORE_JOB_QUERY, &a.q, sizeof(a.q), valid);
		break;
	case OP_STATS:
		a.st.channel = pick(p, p->ch, p->nch);
		call(p, op, DRM_IOCTL_GPUCORE_CHANNEL_STATS, &a.st, sizeof(a.st), valid);
		break;
	case OP_NOP:
		call(p, op, DRM_IOCTL_GPUCORE_NOP, &a.nop, sizeof(a.nop), valid);
		break;
	case OP_SYNCOBJ:
		if (rnd(p) % 3 || !p->nso) {
			if (!call(p, op, DRM_IOCTL_SYNCOBJ_CREATE, &a.sc, sizeof(a.sc), valid))
				keep(p, p->so, &p->nso, a.sc.handle);
		} else {
			a.sd.handle = pick(p, p->so, p->nso);
			call(p, op, DRM_IOCTL_SYNCOBJ_DESTROY, &a.sd, sizeof(a.sd), valid);
		}
		break;
	case OP_GEM_CLOSE:
		a.gc.handle = pick(p, p->bo, p->nbo);
		call(p, op, DRM_IOCTL_GEM_CLOSE, &a.gc, sizeof(a.gc), valid);
		break;
	case OP_PRIME:
		/* export a BO as a dma-buf and import it back */
		a.ph.handle = pick(p, p->bo, p->nbo);
		a.ph.flags = DRM_CLOEXEC | DRM_RDWR;
		if (!call(p, op, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a.ph, sizeof(a.ph), valid)) {
			int fd = a.ph.fd;

			memset(&a.ph, 0, sizeof(a.ph));
			a.ph.fd = fd;
			if (!call(p, op, DRM_IOCTL_PRIME_FD_TO_HANDLE, &a.ph, sizeof(a.ph), true))
				keep(p, p->bo, &p->nbo, a.ph.handle);
			close(fd);
		}
		break;
	case OP_RAW:
		/* a driver command number with a random size and direction */
		for (unsigned int i = 0; i < sizeof(a.raw); i++)
			a.raw[i] = rnd(p) % 4 ? 0 : rnd(p);
		call(p, op, _IOC(rnd(p) % 4, DRM_IOCTL_BASE, DRM_COMMAND_BASE + rnd(p) % 0x20,
				 rnd(p) % sizeof(a.raw)), a.raw, 0, true);
		break;
	case OP_MAPWRITE: {
		void *m;

		a.mo.handle = pick(p, p->bo, p->nbo);
		if (call(p, op, DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET, &a.mo, sizeof(a.mo), true))
			break;
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, atomic_load(&dev_fd),
			 a.mo.offset);
		if (m != MAP_FAILED) {
			memset(m, rnd(p), 4096);
			munmap(m, 4096);
		}
		break;
	}
	case OP_REOPEN:
		if (rnd(p) % 50 == 0) {
			int old = atomic_exchange(&dev_fd, open(node, O_RDWR | O_CLOEXEC));

			count(op, atomic_load(&dev_fd) < 0 ? errno : 0);
			close(old);
			p->nch = p->nbo = p->nso = 0;
		}
		break;
	}
}

static void *thread_main(void *arg)
{
	struct pool p = { .rnd = (unsigned int)(uintptr_t)arg };

	while (mono_ns() < deadline)
		do_one(&p);
	return NULL;
}

static void on_alarm(int sig)
{
}

static int child(unsigned int seed, unsigned int threads)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
	pthread_t th[64];
	unsigned int i;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	atomic_store(&dev_fd, open(node, O_RDWR | O_CLOEXEC));
	if (atomic_load(&dev_fd) < 0) {
		fprintf(stderr, "gpufuzz: %s: %s\n", node, strerror(errno));
		return 1;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)(uintptr_t)(seed * 131 + i));
	/*
	 * No join: a thread may sleep in a WAIT whose timeout was mutated far
	 * into the future. Exiting kills every thread, which any sleep in the
	 * driver must allow; one that does not is a hang the parent reports.
	 */
	while (mono_ns() < deadline)
		usleep(50000);
	return 0;
}

static int node_of(const char *vgpu)
{
	char err[256];

	if (gcu_vgpu_node(0, vgpu, node, sizeof(node), err, sizeof(err))) {
		fprintf(stderr, "gpufuzz: %s\n", err);
		return -1;
	}
	return 0;
}

static void report(double secs)
{
	unsigned int op, e, pairs = 0;

	printf("gpufuzz: %lu calls in %.1f s\n", atomic_load(&sh->calls), secs);
	for (op = 0; op < NR_OPS; op++) {
		printf("  %-22s", op_names[op]);
		for (e = 0; e < NR_ERRNO; e++) {
			if (!atomic_load(&sh->hit[op][e]))
				continue;
			pairs++;
			printf(" %s", e ? strerrorname_np(e) ?: "?" : "ok");
		}
		printf("\n");
	}
	printf("gpufuzz: %u distinct (ioctl, errno) pairs\n", pairs);
}

int main(int argc, char **argv)
{
	unsigned int secs = 30, procs = 4, threads = 4, seed = time(NULL), i, bad = 0;
	char *vgpus = NULL, *names[64] = { NULL }, *save = NULL;
	unsigned int nnames = 0;
	uint64_t t0 = mono_ns();
	pid_t pids[64];
	int opt, st;

	while ((opt = getopt(argc, argv, "t:p:T:s:V:")) != -1) {
		switch (opt) {
		case 't': secs = atoi(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 'T': threads = atoi(optarg); break;
		case 's': seed = atoi(optarg); break;
		case 'V': vgpus = optarg; break;
		default:
			fprintf(stderr, "usage: gpufuzz [-t SECONDS] [-p PROCS] [-T THREADS] [-s SEED] [-V VGPU,...]\n");
			return 2;
		}
	}
	if (!secs || !procs || procs > 64 || !threads || threads > 64)
		return 2;
	for (char *n = vgpus ? strtok_r(vgpus, ",", &save) : NULL; n && nnames < 64;
	     n = strtok_r(NULL, ",", &save))
		names[nnames++] = n;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	printf("gpufuzz: seed %u, %u processes x %u threads, %u s\n", seed, procs, threads, secs);
	fflush(stdout);
	deadline = t0 + secs * 1000000000ULL;
	for (i = 0; i < procs; i++) {
		if (node_of(nnames ? names[i % nnames] : NULL))
			return 1;
		pids[i] = fork();
		if (!pids[i])
			_exit(child(seed + i, threads));
	}
	for (i = 0; i < procs; i++) {
		uint64_t limit = deadline + 20000000000ULL;

		while (waitpid(pids[i], &st, WNOHANG) == 0) {
			if (mono_ns() > limit) {
				fprintf(stderr, "gpufuzz: process %d did not exit 20 s after the deadline (stuck in the kernel?)\n",
					pids[i]);
				kill(pids[i], SIGKILL);
				bad = 1;
				waitpid(pids[i], &st, 0);
				break;
			}
			usleep(100000);
		}
		if (!bad && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			fprintf(stderr, "gpufuzz: process %d ended badly (status 0x%x)\n", pids[i], st);
			bad = 1;
		}
	}
	report((mono_ns() - t0) / 1e9);
	return bad;
}
