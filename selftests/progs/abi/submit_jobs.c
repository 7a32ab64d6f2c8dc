// SPDX-License-Identifier: MIT
/*
 * abi_test: SUBMIT rejected for its arguments, its job array or a job's
 * fields; all or nothing over the jobs of one SUBMIT.
 */
#include <sys/mman.h>

#include "abi.h"

TEST(submit_bad_channel, "SUBMIT rejects an unknown, 0 or ~0 channel handle (ENOENT)")
{
	struct fx f;
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job j;
	u32 bad[3];

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	j = mkjob(&c, 1);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		struct drm_gpucore_submit s = mksubmit(bad[k], &j, 1);
		char what[64];

		snprintf(what, sizeof(what), "channel handle %u", bad[k]);
		check_submit_rejected(&f, &s, ENOENT, what);
	}
}

/* One valid FILL job, for the struct-level cases. */
#define VALID_JOB(f, c, j)					\
	struct drm_gpucore_cmd c = cmd_fill((f).bo, 0, 64, 7);	\
	struct drm_gpucore_job j = mkjob(&c, 1)

TEST(submit_flags, "SUBMIT rejects each unknown flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);
		char what[64];

		s.flags = 1u << b;
		snprintf(what, sizeof(what), "flags bit %d", b);
		check_submit_rejected(&f, &s, EINVAL, what);
	}
}

TEST(submit_pad, "SUBMIT rejects nonzero pad (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

	s.pad = 1;
	check_submit_rejected(&f, &s, EINVAL, "pad 1");
}

TEST(submit_reserved, "SUBMIT rejects nonzero reserved (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

	s.reserved = 1;
	check_submit_rejected(&f, &s, EINVAL, "reserved 1");
}

TEST(submit_num_jobs_zero, "SUBMIT rejects num_jobs 0 (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	struct drm_gpucore_submit s = mksubmit(f.ch, &j, 0);

	check_submit_rejected(&f, &s, EINVAL, "num_jobs 0");
}

TEST(submit_num_jobs_over_max, "SUBMIT rejects num_jobs > GPUCORE_MAX_JOBS_PER_SUBMIT (EINVAL)")
{
	struct fx f;
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT + 1];
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT + 1);
	check_submit_rejected(&f, &s, EINVAL, "num_jobs GPUCORE_MAX_JOBS_PER_SUBMIT + 1");
	s.num_jobs = ~0u;
	check_submit_rejected(&f, &s, EINVAL, "num_jobs ~0");
}

/*
 * A page-aligned address with nothing mapped there, right after a mapped,
 * writable page: objects placed just before it straddle the boundary.
 */
static char *unmapped_page(void)
{
	u64 pg = page_size();
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap: %s", ename(errno));
	munmap(p + pg, pg);
	return p + pg;
}

TEST(submit_jobs_ptr_null, "SUBMIT rejects jobs_ptr NULL (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, NULL, 1);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr NULL");
}

TEST(submit_jobs_ptr_unmapped, "SUBMIT rejects jobs_ptr unmapped (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_submit s;

	fx_init(&f);
	s = mksubmit(f.ch, (void *)unmapped_page(), 1);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr unmapped");
}

/* The first job readable, the second on an unmapped page. */
TEST(submit_jobs_ptr_partial, "SUBMIT rejects a jobs array running into unmapped memory (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_job *j;
	struct drm_gpucore_submit s;

	fx_init(&f);
	j = (struct drm_gpucore_job *)unmapped_page() - 1;
	*j = (struct drm_gpucore_job){ 0 };
	s = mksubmit(f.ch, j, 2);
	check_submit_rejected(&f, &s, EFAULT, "jobs_ptr whose second job is unmapped");
}

TEST(submit_cmds_ptr_null, "SUBMIT rejects cmds_ptr NULL (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_job j;

	fx_init(&f);
	j = mkjob(NULL, 1);
	reject_job(&f, &j, EFAULT, "cmds_ptr NULL, num_cmds 1");
}

TEST(submit_cmds_ptr_unmapped, "SUBMIT rejects cmds_ptr unmapped (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_job j;

	fx_init(&f);
	j = mkjob((void *)unmapped_page(), 1);
	reject_job(&f, &j, EFAULT, "cmds_ptr unmapped");
}

TEST(submit_cmds_ptr_partial,
     "SUBMIT rejects a command array running into unmapped memory (EFAULT)")
{
	struct fx f;
	struct drm_gpucore_cmd *c;
	struct drm_gpucore_job j;

	fx_init(&f);
	c = (struct drm_gpucore_cmd *)unmapped_page() - 1;
	*c = cmd_fill(f.bo, 0, 64, 3);
	j = mkjob(c, 2);
	reject_job(&f, &j, EFAULT, "cmds_ptr whose second command is unmapped");
}

TEST(submit_num_cmds_over_max, "SUBMIT rejects num_cmds > GPUCORE_MAX_CMDS_PER_JOB (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c[GPUCORE_MAX_CMDS_PER_JOB + 1];

	fx_init(&f);
	for (int k = 0; k <= GPUCORE_MAX_CMDS_PER_JOB; k++)
		c[k] = cmd_fill(f.bo, 0, 64, (u32)k);
	reject_cmds(&f, c, GPUCORE_MAX_CMDS_PER_JOB + 1, EINVAL, "num_cmds GPUCORE_MAX_CMDS_PER_JOB + 1");
}

TEST(submit_job_flags, "SUBMIT rejects each unknown job flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		VALID_JOB(f, c, j);
		char what[64];

		if ((1u << b) & GPUCORE_JOB_FLAGS)
			continue;
		j.flags = 1u << b;
		snprintf(what, sizeof(what), "job flags bit %d", b);
		reject_job(&f, &j, EINVAL, what);
	}
}

TEST(submit_in_syncobj_noflag, "SUBMIT rejects in_syncobj set without the flag (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	j.in_syncobj = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	reject_job(&f, &j, EINVAL, "in_syncobj (a valid syncobj) without GPUCORE_JOB_IN_SYNCOBJ");
}

TEST(submit_out_syncobj_noflag, "SUBMIT rejects out_syncobj set without the flag (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	VALID_JOB(f, c, j);
	j.out_syncobj = syncobj_create(f.fd, 0);
	reject_job(&f, &j, EINVAL, "out_syncobj (a valid syncobj) without GPUCORE_JOB_OUT_SYNCOBJ");
}

TEST(submit_in_syncobj_bad, "SUBMIT rejects an unknown in-syncobj with the flag (ENOENT)")
{
	struct fx f;
	u32 so;

	fx_init(&f);
	so = syncobj_create(f.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	{
		VALID_JOB(f, c, j);

		j.flags = GPUCORE_JOB_IN_SYNCOBJ;
		j.in_syncobj = so + 1000;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_IN_SYNCOBJ and a syncobj handle never given out");
		j.in_syncobj = 0;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_IN_SYNCOBJ and syncobj handle 0");
	}
}

TEST(submit_out_syncobj_bad, "SUBMIT rejects an unknown out-syncobj with the flag (ENOENT)")
{
	struct fx f;
	u32 so;

	fx_init(&f);
	so = syncobj_create(f.fd, 0);
	{
		VALID_JOB(f, c, j);

		j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j.out_syncobj = so + 1000;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_OUT_SYNCOBJ and a syncobj handle never given out");
		j.out_syncobj = 0;
		reject_job(&f, &j, ENOENT, "GPUCORE_JOB_OUT_SYNCOBJ and syncobj handle 0");
	}
}

/*
 * All or nothing: jobs 0..2 valid FILLs of bo2, job 3 broken by `breakit`.
 * After the rejection and one valid job on the same channel (which would
 * run after any queued one), bo2 still holds what the CPU wrote.
 */
static void check_all_or_nothing(struct fx *f, void (*breakit)(struct fx *, struct drm_gpucore_job *),
				 int want, const char *what)
{
	struct drm_gpucore_cmd c[4];
	struct drm_gpucore_job j[4];
	struct drm_gpucore_submit s;

	memset(f->map2, 0x5a, BO_SIZE);
	for (int k = 0; k < 4; k++) {
		c[k] = cmd_fill(f->bo2, (u64)k * 4096, 4096, 0xa0a0a0a0u + (u32)k);
		j[k] = mkjob(&c[k], 1);
	}
	breakit(f, &j[3]);
	s = mksubmit(f->ch, j, 4);
	check_submit_rejected(f, &s, want, what);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f->map2[k] != 0x5a)
			fail("a rejected 4-job SUBMIT (%s) still ran: bo2 byte %llu is 0x%02x", what, k, f->map2[k]);
}

static void break_op(struct fx *f, struct drm_gpucore_job *j)
{
	((struct drm_gpucore_cmd *)(uintptr_t)j->cmds_ptr)->op = 0;
}

static void break_cmds_ptr(struct fx *f, struct drm_gpucore_job *j)
{
	j->cmds_ptr = (u64)(uintptr_t)unmapped_page();
}

static void break_range(struct fx *f, struct drm_gpucore_job *j)
{
	((struct drm_gpucore_cmd *)(uintptr_t)j->cmds_ptr)->size = BO_SIZE;
}

TEST(submit_last_job_invalid, "SUBMIT is all or nothing: last job with an unknown op (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_op, EINVAL, "4 jobs, the last with op 0");
}

TEST(submit_last_job_efault, "SUBMIT is all or nothing: last job's commands unmapped (EFAULT)")
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_cmds_ptr, EFAULT, "4 jobs, the last with cmds_ptr unmapped");
}

TEST(submit_last_job_erange, "SUBMIT is all or nothing: last job's FILL out of range (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	check_all_or_nothing(&f, break_range, ERANGE, "4 jobs, the last with a FILL past the end");
}

/* The first job's out-syncobj must not get a fence when a later job of the
 * same submit is rejected. */
TEST(submit_last_job_bad_syncobj,
     "SUBMIT is all or nothing: no out-fence installed when a later job fails (ENOENT)")
{
	struct fx f;
	struct drm_gpucore_job j[2];
	struct drm_gpucore_submit s;
	u32 so;
	int e;

	fx_init(&f);
	VALID_JOB(f, c, j0);
	so = syncobj_create(f.fd, 0);	/* no fence */
	j[0] = j0;
	j[0].flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j[0].out_syncobj = so;
	j[1] = j0;
	j[1].flags = GPUCORE_JOB_IN_SYNCOBJ;
	j[1].in_syncobj = so + 1000;
	s = mksubmit(f.ch, j, 2);
	check_submit_rejected(&f, &s, ENOENT, "2 jobs, the first with a valid out-syncobj, the last with an unknown in-syncobj");
	/* an empty syncobj: wait without WAIT_FOR_SUBMIT fails with EINVAL */
	e = syncobj_wait(f.fd, so, 0);
	if (e != -EINVAL)
		fail("the rejected submit's first job put a fence in its out-syncobj (drmSyncobjWait: %s, expected EINVAL for no fence)",
		     ename(-e));
}
