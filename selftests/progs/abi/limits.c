// SPDX-License-Identifier: MIT
/*
 * abi_test: per-vGPU limits, run on a fresh vGPU (its default limits) with
 * -O the node of another vGPU.
 */
#include "abi.h"

/* The -O node, which must belong to another vGPU than @fd's. */
static int open_other_vgpu(int fd)
{
	struct drm_gpucore_info a, b;
	int other = open_other_node();

	get_info(fd, &a);
	get_info(other, &b);
	if (a.vgpu_id == b.vgpu_id)
		fail("needs -O PATH: the node of another vGPU than -D's (both are vGPU %u)",
		     a.vgpu_id);
	return other;
}

/* A channel with a job and waiting for it: the vGPU behind @fd works. */
static void check_works(int fd, const char *what)
{
	struct drm_gpucore_cmd c = cmd_spin(1000);
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);

	wait_seqno(fd, ch, submit_cmds(fd, ch, &c, 1));
	OK(what, try_ch_destroy(fd, ch, 0));
}

/*
 * A vGPU with max_channels channels gets EDQUOT from CHANNEL_CREATE, on any
 * of its files, with no side effect; another vGPU still gets all of its
 * own; destroying one channel makes room for exactly one.
 */
TEST_VGPUS(limit_channels)
{
	static u32 h[GPUCORE_VGPU_CHANNELS_DEFAULT];
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COMPUTE };
	int fd = open_node(), other = open_other_vgpu(fd);
	u32 i;

	for (i = 0; i < GPUCORE_VGPU_CHANNELS_DEFAULT; i++)
		h[i] = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("CHANNEL_CREATE past the vGPU's max_channels", EDQUOT, try_ch_create(fd, &c));
	expect_errno("CHANNEL_CREATE past max_channels on another file of the vGPU", EDQUOT,
		     try_ch_create(open_node(), &c));
	/* another tenant: its whole share, and its channels run */
	for (i = 0; i < GPUCORE_VGPU_CHANNELS_DEFAULT - 1; i++)
		ch_create(other, GPUCORE_ENGINE_CLASS_COMPUTE);
	check_works(other, "another vGPU's CHANNEL_DESTROY");
	/* the refusals took nothing: one destroyed, one fits again */
	OK("CHANNEL_DESTROY of a vGPU at its limit", try_ch_destroy(fd, h[0], 0));
	h[0] = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("CHANNEL_CREATE past max_channels after one destroyed and one created",
		     EDQUOT, try_ch_create(fd, &c));
}

/*
 * A new channel with @n jobs pending (n <= GPUCORE_MAX_QUEUED_JOBS): the
 * first waits for @so's fence, so none of them runs. Returns its handle;
 * *@next is the seqno its next job gets.
 */
static u32 ch_gated(int fd, u32 so, u32 n, u64 *next)
{
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE), k;
	u64 s = 0;

	for (k = 0; k < n; k += GPUCORE_MAX_JOBS_PER_SUBMIT) {
		u32 m = n - k < GPUCORE_MAX_JOBS_PER_SUBMIT ? n - k : GPUCORE_MAX_JOBS_PER_SUBMIT;

		memset(j, 0, sizeof(j));
		if (!k) {
			j[0].flags = GPUCORE_JOB_IN_SYNCOBJ;
			j[0].in_syncobj = so;
		}
		s = submit_jobs(fd, ch, j, m) + m;
	}
	*next = s;
	return ch;
}

/*
 * Jobs pending over all of a vGPU's channels stop at its max_jobs: a
 * SUBMIT past it fails with EDQUOT as a whole (all or nothing: nothing
 * queued, stats and seqnos untouched) on whichever channel; cancelled jobs
 * give their room back; another vGPU submits meanwhile.
 */
TEST_VGPUS(limit_jobs)
{
	static struct drm_gpucore_job j[2];
	struct drm_gpucore_cmd spin[GPUCORE_MAX_CMDS_PER_JOB];
	struct drm_gpucore_channel_stats st, st2;
	struct drm_gpucore_submit s;
	struct drm_gpucore_job gj;
	int fd = open_node(), other = open_other_vgpu(fd);
	u32 gate, so, ch[8], nch = 0, x, y, n;
	u64 have, next = 0;

	/* the gate: a job of GPUCORE_MAX_CMDS_PER_JOB longest SPINs */
	for (n = 0; n < GPUCORE_MAX_CMDS_PER_JOB; n++)
		spin[n] = cmd_spin(GPUCORE_MAX_SPIN_NS);
	so = syncobj_create(fd, 0);
	gj = mkjob(spin, GPUCORE_MAX_CMDS_PER_JOB);
	gj.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	gj.out_syncobj = so;
	gate = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	submit_jobs(fd, gate, &gj, 1);
	/* one short of the limit, over channels held behind the gate */
	for (have = 1; have < GPUCORE_VGPU_JOBS_DEFAULT - 1; have += n) {
		n = GPUCORE_VGPU_JOBS_DEFAULT - 1 - have;
		if (n > GPUCORE_MAX_QUEUED_JOBS)
			n = GPUCORE_MAX_QUEUED_JOBS;
		if (nch == sizeof(ch) / sizeof(ch[0]))
			fail("GPUCORE_VGPU_JOBS_DEFAULT needs more than %u channels", nch);
		ch[nch++] = ch_gated(fd, so, n, &next);
	}
	x = ch[nch - 1];
	get_stats(fd, x, &st);
	if (st.queued + 2 > GPUCORE_MAX_QUEUED_JOBS)
		fail("inconclusive: channel %u has %llu queued, no room for 2", x, st.queued);
	s = mksubmit(x, j, 2);
	expect_errno("SUBMIT of 2 jobs with 1 left of the vGPU's max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	get_stats(fd, x, &st2);
	if (st2.submitted != st.submitted || st2.queued != st.queued)
		fail("rejected SUBMIT moved submitted %llu -> %llu, queued %llu -> %llu",
		     st.submitted, st2.submitted, st.queued, st2.queued);
	if (submit_jobs(fd, x, j, 1) != next)
		fail("the SUBMIT after a rejected one did not get seqno %llu", next);
	/* at the limit: refused on every channel, a new one too */
	y = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	s = mksubmit(y, j, 1);
	expect_errno("SUBMIT on a new channel of a vGPU at its max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	s = mksubmit(gate, j, 1);
	expect_errno("SUBMIT on the running channel of a vGPU at its max_jobs", EDQUOT,
		     gioctl(fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	/* another tenant is not held back */
	check_works(other, "another vGPU's CHANNEL_DESTROY");
	/* cancelled jobs give their room back */
	OK("CHANNEL_DESTROY of a channel with jobs pending", try_ch_destroy(fd, ch[0], 0));
	submit_jobs(fd, y, j, 2);
}
