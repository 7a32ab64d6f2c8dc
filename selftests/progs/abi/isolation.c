// SPDX-License-Identifier: MIT
/*
 * abi_test: another client's handles, those of another process on the
 * same node or, with -O, on another vGPU.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <linux/sync_file.h>

#include "abi.h"

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid: %s", ename(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		_exit(1);	/* the child printed its reason */
	fail("child process killed by signal %d", WTERMSIG(st));
}

TEST(isolation_channels, "another process's channel handles are not usable (ENOENT)")
{
	struct fx f;
	u32 h[3];
	pid_t pid;

	fx_init(&f);
	h[0] = f.ch;
	h[1] = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	h[2] = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		int fd;
		u32 mine, bo;
		int checked = 0;

		alarm(CASE_TIMEOUT_S);
		fd = open_other_node();
		mine = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
		bo = bo_create(fd, BO_SIZE);
		for (int k = 0; k < 3; k++) {
			struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
			struct drm_gpucore_job j = mkjob(&c, 1);
			struct drm_gpucore_submit s = mksubmit(h[k], &j, 1);
			struct drm_gpucore_channel_stats st;
			struct drm_gpucore_job_query q;

			if (h[k] == mine)
				continue;
			checked++;
			expect_errno("another file's channel handle: CHANNEL_STATS", ENOENT, try_stats(fd, h[k], &st));
			expect_errno("another file's channel handle: SUBMIT", ENOENT,
				     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
			expect_errno("another file's channel handle: WAIT", ENOENT,
				     try_wait(fd, h[k], 1, (s64)(now_ns() + WAIT_NS), 0));
			expect_errno("another file's channel handle: JOB_QUERY", ENOENT, try_query(fd, h[k], 1, &q));
			expect_errno("another file's channel handle: CHANNEL_DESTROY", ENOENT, try_ch_destroy(fd, h[k], 0));
		}
		if (!checked)
			fail("the child's channel handle %u matched all of the parent's", mine);
		{
			struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);

			wait_seqno(fd, mine, submit_cmds(fd, mine, &c, 1));
		}
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
	/* the parent's channels are untouched */
	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_channel_stats st;

		get_stats(f.fd, h[k], &st);
	}
	fx_submit_valid(&f, "another process tried the parent's channel handles");
}

TEST(isolation_bos, "another process's BO handles are not usable (ENOENT)")
{
	struct fx f;
	u32 h[3];
	pid_t pid;

	fx_init(&f);
	h[0] = f.bo;
	h[1] = f.bo2;
	h[2] = bo_create(f.fd, BO_SIZE);
	memset(f.map, 0x5a, BO_SIZE);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		int fd;
		u32 ch, mine;
		int checked = 0;

		alarm(CASE_TIMEOUT_S);
		fd = open_other_node();
		ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
		mine = bo_create(fd, BO_SIZE);
		for (int k = 0; k < 3; k++) {
			struct drm_gpucore_cmd fill = cmd_fill(h[k], 0, 64, 9);
			struct drm_gpucore_cmd copy = cmd_copy(mine, 0, h[k], 0, 64);
			struct drm_gpucore_job j;
			struct drm_gpucore_submit s;

			if (h[k] == mine)
				continue;
			checked++;
			expect_errno("another file's BO handle: BO_MMAP_OFFSET", ENOENT, try_mmap_offset(fd, h[k], 0));
			j = mkjob(&fill, 1);
			s = mksubmit(ch, &j, 1);
			expect_errno("another file's BO handle: FILL", ENOENT, gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
			j = mkjob(&copy, 1);
			s = mksubmit(ch, &j, 1);
			expect_errno("another file's BO handle: COPY source", ENOENT,
				     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		}
		if (!checked)
			fail("the child's BO handle %u matched all of the parent's", mine);
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != 0x5a)
			fail("another process changed the parent's BO: byte %llu is 0x%02x", k, f.map[k]);
}

/*
 * Run fn(arg) in a child process that opens the other node (-O); fails the
 * case when the child does. The child inherits every descriptor the parent
 * holds: that is the "file descriptors shared across vGPUs" the isolation
 * cases try to abuse.
 */
static void in_other_process(void (*fn)(int fd, void *arg), void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", ename(errno));
	if (pid == 0) {
		alarm(CASE_TIMEOUT_S);
		fn(open_other_node(), arg);
		fflush(stdout);
		_exit(0);
	}
	wait_child(pid);
}

struct iso_syncobj {
	u32 so[3];	/* the parent's: signaled, unsignaled, one with a job's fence */
};

static void iso_syncobj_child(int fd, void *arg)
{
	struct iso_syncobj *p = arg;
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	u32 mine = syncobj_create(fd, 0);
	u32 bo = bo_create(fd, BO_SIZE);

	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
		struct drm_gpucore_job j = mkjob(&c, 1);
		struct drm_gpucore_submit s;
		int fdout = -1;
		int e;

		if (p->so[k] == mine)
			continue;
		j.flags = GPUCORE_JOB_IN_SYNCOBJ;
		j.in_syncobj = p->so[k];
		s = mksubmit(ch, &j, 1);
		expect_errno("another vGPU's syncobj as in_syncobj", ENOENT,
			     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		j = mkjob(&c, 1);
		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = p->so[k];
		s = mksubmit(ch, &j, 1);
		expect_errno("another vGPU's syncobj as out_syncobj", ENOENT,
			     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		e = syncobj_wait(fd, p->so[k], 0);
		if (e != -ENOENT && e != -EINVAL)
			fail("SYNCOBJ_WAIT on another vGPU's syncobj handle: expected ENOENT or EINVAL, got %d", e);
		if (drmSyncobjHandleToFD(fd, p->so[k], &fdout) == 0)
			fail("SYNCOBJ_HANDLE_TO_FD exported another vGPU's syncobj %u", p->so[k]);
	}
	/* the child's own syncobj works, so the failures above are not vacuous */
	{
		struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 9);
		struct drm_gpucore_job j = mkjob(&c, 1);

		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = mine;
		submit_jobs(fd, ch, &j, 1);
		OK("SYNCOBJ_WAIT on the child's own syncobj", -syncobj_wait(fd, mine, now_ns() + WAIT_NS));
	}
}

/* Another vGPU's syncobj (fence) handles are not usable in any call. */
TEST(isolation_syncobjs, "another process's syncobj handles are not usable (ENOENT)")
{
	struct iso_syncobj p;
	struct drm_gpucore_cmd spin = cmd_spin(200 * MS);
	struct drm_gpucore_job j = mkjob(&spin, 1);
	struct fx f;

	fx_init(&f);
	p.so[0] = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	p.so[1] = syncobj_create(f.fd, 0);
	p.so[2] = syncobj_create(f.fd, 0);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = p.so[2];
	submit_jobs(f.fd, f.ch, &j, 1);
	f.next++;
	in_other_process(iso_syncobj_child, &p);
	OK("the parent's job fence signals", -syncobj_wait(f.fd, p.so[2], now_ns() + WAIT_NS));
	if (syncobj_wait(f.fd, p.so[1], 0) != -EINVAL && syncobj_wait(f.fd, p.so[1], 0) != -ETIME)
		fail("the parent's unsignaled syncobj changed state after the child's calls");
	fx_submit_valid(&f, "another vGPU tried the parent's syncobjs");
}

struct iso_dmabuf {
	int dmabuf;	/* the parent's BO exported as a dma-buf (inherited fd) */
	u32 bo;		/* the parent's handle for it */
};

static void iso_dmabuf_child(int fd, void *arg)
{
	struct iso_dmabuf *p = arg;
	u64 used = vram_used(fd);
	u32 h = 0;

	if (drmPrimeFDToHandle(fd, p->dmabuf, &h) == 0)
		fail("PRIME_FD_TO_HANDLE imported another vGPU's buffer as handle %u", h);
	if (errno != EINVAL)
		fail("PRIME_FD_TO_HANDLE of another vGPU's buffer: expected a refusal (EINVAL), got %s",
		     ename(errno));
	if (vram_used(fd) != used)
		fail("a refused import changed this vGPU's vram_used: %llu -> %llu", used, vram_used(fd));
	/* the handle the parent has means nothing here either */
	expect_errno("the exporter's handle on this node: BO_MMAP_OFFSET", ENOENT, try_mmap_offset(fd, p->bo, 0));
}

/*
 * A buffer exported as a dma-buf cannot be imported into another vGPU,
 * even by a process that holds the dma-buf fd; importing it back into its
 * own vGPU works (and gives the same handle), so the refusal is the
 * isolation and not a broken import path.
 */
TEST_VGPUS(isolation_dmabuf)
{
	struct iso_dmabuf p;
	struct fx f;
	u32 back = 0;

	fx_init(&f);
	memset(f.map, 0x5a, BO_SIZE);
	p.bo = f.bo;
	if (drmPrimeHandleToFD(f.fd, f.bo, DRM_CLOEXEC | DRM_RDWR, &p.dmabuf))
		fail("PRIME_HANDLE_TO_FD: %s", ename(errno));
	in_other_process(iso_dmabuf_child, &p);
	if (drmPrimeFDToHandle(f.fd, p.dmabuf, &back))
		fail("PRIME_FD_TO_HANDLE into the exporting vGPU: %s", ename(errno));
	if (back != f.bo)
		fail("importing into the exporting vGPU gave handle %u, expected %u", back, f.bo);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != 0x5a)
			fail("the exported BO changed: byte %llu is 0x%02x", k, f.map[k]);
	close(p.dmabuf);
	fx_submit_valid(&f, "another vGPU tried to import the parent's dma-buf");
}

struct iso_fence {
	int syncobj_fd;	/* a syncobj holding a job fence of the parent's, as an fd */
	int sync_file;	/* a job fence of the parent's, pending for a minute */
};

/*
 * A job of six 10 s SPINs on a channel of its own (*ch), pending until that
 * channel is destroyed; returns a syncobj holding its fence.
 */
static u32 long_job(int fd, u32 *ch)
{
	struct drm_gpucore_cmd c[6];
	struct drm_gpucore_job j = mkjob(c, 6);
	u32 so = syncobj_create(fd, 0);

	for (int k = 0; k < 6; k++)
		c[k] = cmd_spin(GPUCORE_MAX_SPIN_NS);
	*ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	submit_jobs(fd, *ch, &j, 1);
	return so;
}

static int export_sync_file(int fd, u32 so)
{
	int sf = -1;

	if (drmSyncobjExportSyncFile(fd, so, &sf))
		fail("drmSyncobjExportSyncFile: %s", ename(errno));
	return sf;
}

/* A sync_file merging two pending fences: it must hold both. */
static int merge_sync_files(int a, int b)
{
	struct sync_merge_data m = { .name = "abi_test", .fd2 = b };
	struct sync_file_info info;

	if (ioctl(a, SYNC_IOC_MERGE, &m))
		fail("SYNC_IOC_MERGE: %s", ename(errno));
	memset(&info, 0, sizeof(info));
	if (ioctl(m.fence, SYNC_IOC_FILE_INFO, &info))
		fail("SYNC_IOC_FILE_INFO: %s", ename(errno));
	if (info.num_fences != 2)
		fail("inconclusive: the merged sync_file holds %u fences, not the 2 pending ones", info.num_fences);
	return m.fence;
}

/* A new syncobj on fd holding a sync_file's fence. */
static u32 syncobj_from_sync_file(int fd, int sf)
{
	u32 so = syncobj_create(fd, 0);

	if (drmSyncobjImportSyncFile(fd, so, sf))
		fail("drmSyncobjImportSyncFile: %s", ename(errno));
	return so;
}

/* SUBMIT of one FILL of bo waiting on syncobj in; 0 or the errno. */
static int try_submit_after(int fd, u32 ch, u32 bo, u32 in, u64 *seqno)
{
	struct drm_gpucore_cmd c = cmd_fill(bo, 0, 64, 0xabcdabcd);
	struct drm_gpucore_job j = mkjob(&c, 1);
	struct drm_gpucore_submit s;
	int e;

	j.flags = GPUCORE_JOB_IN_SYNCOBJ;
	j.in_syncobj = in;
	s = mksubmit(ch, &j, 1);
	e = gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s);
	if (seqno)
		*seqno = s.seqno;
	return e;
}

static void iso_fence_child(int fd, void *arg)
{
	struct iso_fence *p = arg;
	struct drm_gpucore_channel_stats st;
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE), bo = bo_create(fd, BO_SIZE);
	u32 imported, own_ch, merged, stub;
	int mine;
	u64 s;

	if (drmSyncobjFDToHandle(fd, p->syncobj_fd, &imported))
		fail("SYNCOBJ_FD_TO_HANDLE of another vGPU's syncobj: %s (importing it is allowed)",
		     ename(errno));
	expect_errno("SUBMIT waiting on another vGPU's job fence (an imported syncobj)", EINVAL,
		     try_submit_after(fd, ch, bo, imported, NULL));
	mine = export_sync_file(fd, long_job(fd, &own_ch));
	merged = syncobj_from_sync_file(fd, merge_sync_files(mine, p->sync_file));
	expect_errno("SUBMIT waiting on a sync_file merging this vGPU's job fence with another vGPU's",
		     EINVAL, try_submit_after(fd, ch, bo, merged, NULL));
	get_stats(fd, ch, &st);
	if (st.submitted || st.queued)
		fail("refused SUBMITs left a trace: submitted %llu, queued %llu", st.submitted, st.queued);
	/* a fence of no gpucore job (the stub fence) and one of its own are accepted */
	stub = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	OK("SUBMIT waiting on a signalled syncobj (a fence of no gpucore job)",
	   try_submit_after(fd, ch, bo, stub, &s));
	if (s != 1)
		fail("the first accepted SUBMIT got seqno %llu, expected 1 (a refused one consumed a seqno)", s);
	wait_seqno(fd, ch, s);
	OK("SUBMIT waiting on a job fence of this vGPU's own, through a sync_file",
	   try_submit_after(fd, ch, bo, syncobj_from_sync_file(fd, mine), NULL));
}

/*
 * ABI choice: a job fence of one vGPU cannot be an in-fence on another
 * (EINVAL, as for a dma-buf import), even through a syncobj exported as an
 * fd (which the other vGPU may import) or merged with a fence of the other
 * vGPU's own into a sync_file. On its own vGPU the same syncobj fd works,
 * and so does a merged sync_file of two of its own job fences.
 */
TEST_VGPUS(isolation_job_fence)
{
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	struct iso_fence p;
	struct fx f;
	u32 short_so, long_ch[2], long_so[2], ch2, bo2, h;
	u64 s;
	int fd2;
	u8 *map;

	fx_init(&f);
	short_so = syncobj_create(f.fd, 0);
	c = cmd_fill(f.bo2, 0, 64, 0x77777777);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = short_so;
	submit_jobs(f.fd, f.ch, &j, 1);
	f.next++;
	for (int k = 0; k < 2; k++)
		long_so[k] = long_job(f.fd, &long_ch[k]);
	if (drmSyncobjHandleToFD(f.fd, short_so, &p.syncobj_fd))
		fail("SYNCOBJ_HANDLE_TO_FD: %s", ename(errno));
	p.sync_file = export_sync_file(f.fd, long_so[0]);
	in_other_process(iso_fence_child, &p);

	/* the same vGPU, through another file */
	fd2 = open_node();
	ch2 = ch_create(fd2, GPUCORE_ENGINE_CLASS_COMPUTE);
	bo2 = bo_create(fd2, BO_SIZE);
	map = bo_map(fd2, bo2, BO_SIZE);
	if (drmSyncobjFDToHandle(fd2, p.syncobj_fd, &h))
		fail("SYNCOBJ_FD_TO_HANDLE on the exporting vGPU: %s", ename(errno));
	OK("SUBMIT waiting on an imported syncobj of this vGPU's own job", try_submit_after(fd2, ch2, bo2, h, &s));
	wait_seqno(fd2, ch2, s);
	query_done(fd2, ch2, s, &q);
	if (memcmp(map, "\xcd\xab\xcd\xab", 4))
		fail("the job waiting on an imported syncobj of this vGPU did not write its FILL");
	h = syncobj_from_sync_file(fd2, merge_sync_files(p.sync_file, export_sync_file(f.fd, long_so[1])));
	OK("SUBMIT waiting on a sync_file merging two job fences of this vGPU",
	   try_submit_after(fd2, ch2, bo2, h, &s));
	for (int k = 0; k < 2; k++)
		OK("CHANNEL_DESTROY of a long job's channel", try_ch_destroy(f.fd, long_ch[k], 0));
	wait_seqno(fd2, ch2, s);
	close(p.syncobj_fd);
	close(p.sync_file);
	close(fd2);
	fx_submit_valid(&f, "another vGPU tried the parent's job fences");
}

struct iso_flink {
	u32 name;
};

/*
 * The primary (card) node of the vGPU whose render node @fd is open.
 * libdrm's drmGetPrimaryDeviceNameFromFd() cannot be used: every vGPU of a
 * GPU hangs off the same platform device, so it finds the first vGPU's
 * card. The driver's sysfs pairs them: vgpus/NAME/{render_node,card_node}.
 */
static int open_card_of(int fd)
{
	char *render = drmGetDeviceNameFromFd2(fd), want[64], path[512], buf[64];
	const char *base;
	int cfd = -1;

	if (!render)
		fail("drmGetDeviceNameFromFd2: %s", ename(errno));
	base = strrchr(render, '/') ? strrchr(render, '/') + 1 : render;
	snprintf(want, sizeof(want), "%s\n", base);
	for (int g = 0; g < 8 && cfd < 0; g++) {
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus", g);
		d = opendir(path);
		if (!d)
			continue;
		while (cfd < 0 && (de = readdir(d))) {
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus/%s/render_node",
				 g, de->d_name);
			f = fopen(path, "r");
			if (!f || !fgets(buf, sizeof(buf), f) || strcmp(buf, want)) {
				if (f)
					fclose(f);
				continue;
			}
			fclose(f);
			snprintf(path, sizeof(path), "/sys/bus/platform/devices/gpucore.%d/vgpus/%s/card_node",
				 g, de->d_name);
			f = fopen(path, "r");
			if (!f || !fgets(buf, sizeof(buf), f))
				fail("cannot read %s", path);
			fclose(f);
			buf[strcspn(buf, "\n")] = 0;
			snprintf(path, sizeof(path), "/dev/dri/%s", buf);
			cfd = open(path, O_RDWR | O_CLOEXEC);
			if (cfd < 0)
				fail("open %s: %s", path, strerror(errno));
		}
		closedir(d);
	}
	if (cfd < 0)
		fail("no vGPU in sysfs has render node %s", base);
	free(render);
	return cfd;
}

static void iso_flink_child(int fd, void *arg)
{
	struct iso_flink *p = arg;
	struct drm_gem_open o = { .name = p->name };
	int cfd = open_card_of(fd);

	expect_errno("GEM_OPEN of another vGPU's flink name on this vGPU's primary node", ENOENT,
		     gioctl(cfd, DRM_IOCTL_GEM_OPEN, &o));
	o = (struct drm_gem_open){ .name = p->name };
	expect_errno("GEM_OPEN on this vGPU's render node", EACCES, gioctl(fd, DRM_IOCTL_GEM_OPEN, &o));
	close(cfd);
}

/*
 * Global GEM names (flink) are per vGPU: a name made on one vGPU's primary
 * node opens nothing on another's, and render nodes refuse flink entirely.
 */
TEST_VGPUS(isolation_flink)
{
	struct drm_gpucore_bo_create b = { .size = BO_SIZE };
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open o = { 0 };
	struct iso_flink p;
	struct fx f;
	int cfd, cfd2;

	fx_init(&f);
	fl.handle = f.bo;
	expect_errno("GEM_FLINK on a render node", EACCES, gioctl(f.fd, DRM_IOCTL_GEM_FLINK, &fl));
	cfd = open_card_of(f.fd);
	cfd2 = open_card_of(f.fd);
	OK("BO_CREATE on the primary node", gioctl(cfd, DRM_IOCTL_GPUCORE_BO_CREATE, &b));
	fl.handle = b.handle;
	OK("GEM_FLINK on the primary node", gioctl(cfd, DRM_IOCTL_GEM_FLINK, &fl));
	/* the name opens on its own vGPU, from a second file */
	o.name = fl.name;
	OK("GEM_OPEN of the name on its own vGPU", gioctl(cfd2, DRM_IOCTL_GEM_OPEN, &o));
	p.name = fl.name;
	in_other_process(iso_flink_child, &p);
	close(cfd2);
	close(cfd);
	fx_submit_valid(&f, "another vGPU tried the parent's flink name");
}
