// SPDX-License-Identifier: MIT
/* abi_test: JOB_QUERY. */
#include "abi.h"

TEST(job_query_times, "JOB_QUERY: times are ordered submit <= start <= end")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(20 * MS);
	struct drm_gpucore_job_query q;
	u64 t0, t1, t2, s;

	fx_init(&f);
	t0 = now_ns();
	s = submit_cmds(f.fd, f.ch, &c, 1);
	t1 = now_ns();
	wait_seqno(f.fd, f.ch, s);
	t2 = now_ns();
	query_done(f.fd, f.ch, s, &q);
	if (q.submit_ns < t0 || q.submit_ns > t1)
		fail("submit_ns %llu outside the SUBMIT call [%llu, %llu]", q.submit_ns, t0, t1);
	if (!(q.submit_ns <= q.start_ns && q.start_ns <= q.end_ns && q.end_ns <= t2))
		fail("times out of order: submit %llu start %llu end %llu, WAIT returned at %llu", q.submit_ns,
		     q.start_ns, q.end_ns, t2);
	if (q.end_ns - q.start_ns < 20 * MS)
		fail("a 20 ms SPIN ran from %llu to %llu (%llu ns)", q.start_ns, q.end_ns, q.end_ns - q.start_ns);
	if (q.busy_ns < 18 * MS || q.busy_ns > q.end_ns - q.start_ns + 1 * MS)
		fail("a 20 ms SPIN used busy_ns %llu over %llu ns start-to-end", q.busy_ns, q.end_ns - q.start_ns);
}

TEST(job_query_states, "JOB_QUERY: a job behind a pending one is QUEUED, then both DONE in order")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(1000 * MS);
	struct drm_gpucore_job j[2];
	struct drm_gpucore_job_query qa, qb;
	u64 s;

	fx_init(&f);
	j[0] = mkjob(&c, 1);
	j[1] = mkjob(NULL, 0);
	s = submit_jobs(f.fd, f.ch, j, 2);
	query(f.fd, f.ch, s + 1, &qb);
	query(f.fd, f.ch, s, &qa);
	if (qa.state != GPUCORE_JOB_DONE) {
		/* the first job was not done when the second was queried */
		if (qb.state != GPUCORE_JOB_QUEUED || qb.start_ns || qb.end_ns)
			fail("job behind a pending SPIN: state %u start %llu end %llu, expected QUEUED (%u), 0, 0",
			     qb.state, qb.start_ns, qb.end_ns, GPUCORE_JOB_QUEUED);
		if (qa.state != GPUCORE_JOB_QUEUED && qa.state != GPUCORE_JOB_RUNNING)
			fail("pending SPIN job in state %u", qa.state);
		if (qa.end_ns)
			fail("pending SPIN job has end_ns %llu", qa.end_ns);
	}
	wait_seqno(f.fd, f.ch, s + 1);
	query_done(f.fd, f.ch, s, &qa);
	query_done(f.fd, f.ch, s + 1, &qb);
	if (qb.start_ns < qa.end_ns)
		fail("job %llu started at %llu before job %llu ended at %llu on the same channel", s + 1, qb.start_ns,
		     s, qa.end_ns);
}

TEST(job_query_bad_channel, "JOB_QUERY rejects an unknown, 0 or ~0 channel handle (ENOENT)")
{
	struct fx f;
	struct drm_gpucore_job_query q;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "JOB_QUERY on channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_query(f.fd, bad[k], f.next - 1, &q));
	}
}

TEST(job_query_flags, "JOB_QUERY rejects each unknown flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_job_query q = { .channel = f.ch, .flags = 1u << b, .seqno = f.next - 1 };
		char what[64];

		snprintf(what, sizeof(what), "JOB_QUERY with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_JOB_QUERY, &q));
	}
}

TEST(job_query_seqno_zero, "JOB_QUERY rejects seqno 0 (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	expect_errno("JOB_QUERY of seqno 0", EINVAL, try_query(f.fd, f.ch, 0, &q));
}

TEST(job_query_seqno_unsubmitted, "JOB_QUERY rejects a seqno never submitted (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	expect_errno("JOB_QUERY of the next seqno, not submitted yet", EINVAL, try_query(f.fd, f.ch, f.next, &q));
	expect_errno("JOB_QUERY of seqno ~0", EINVAL, try_query(f.fd, f.ch, ~0ULL, &q));
	fx_submit_valid(&f, "JOB_QUERY of unsubmitted seqnos");
}

/*
 * ABI choice: the errno rules say ENODATA for a job completed too long ago;
 * the JOB_QUERY field comment says -ENOENT. ENOENT is the errno of unknown
 * handles, so this follows the rules: ENODATA. The last
 * GPUCORE_MAX_QUEUED_JOBS completed jobs must still be answered.
 */
TEST(job_query_forgotten, "JOB_QUERY of a job completed too long ago fails (ENODATA)")
{
	struct fx f;
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	struct drm_gpucore_job_query q;
	u64 first, last = 0;
	int total = GPUCORE_MAX_QUEUED_JOBS + GPUCORE_MAX_JOBS_PER_SUBMIT;

	fx_init(&f);
	first = f.next - 1;
	for (int n = 0; n < total; n += GPUCORE_MAX_JOBS_PER_SUBMIT) {
		u64 s = submit_jobs(f.fd, f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT);

		last = s + GPUCORE_MAX_JOBS_PER_SUBMIT - 1;
		wait_seqno(f.fd, f.ch, last);
	}
	query_done(f.fd, f.ch, last - (GPUCORE_MAX_QUEUED_JOBS - 1), &q);
	expect_errno("JOB_QUERY of a job completed more than GPUCORE_MAX_QUEUED_JOBS jobs ago", ENODATA,
		     try_query(f.fd, f.ch, first, &q));
}
