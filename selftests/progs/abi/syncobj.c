// SPDX-License-Identifier: MIT
/* abi_test: SUBMIT with syncobjs: out-fences and in-fences. */
#include "abi.h"

TEST(syncobj_out_fence, "syncobj: the out-fence signals when the job is done")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(200 * MS);
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	u32 so;
	u64 s;
	int e;

	fx_init(&f);
	so = syncobj_create(f.fd, 0);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	s = submit_jobs(f.fd, f.ch, &j, 1);
	/* polled at once: if it reads signaled, the job must be done */
	e = syncobj_wait(f.fd, so, 0);
	if (e && e != -ETIME)
		fail("drmSyncobjWait (poll) right after SUBMIT: %s (was the fence installed?)", ename(-e));
	if (!e) {
		query(f.fd, f.ch, s, &q);
		if (q.state != GPUCORE_JOB_DONE)
			fail("out-fence signaled while the job is in state %u", q.state);
	}
	e = syncobj_wait(f.fd, so, now_ns() + WAIT_NS);
	if (e)
		fail("drmSyncobjWait on the out-fence: %s", ename(-e));
	query_done(f.fd, f.ch, s, &q);
}

TEST(syncobj_in_fence, "syncobj: a job does not start before its in-fence signals")
{
	struct fx f;
	struct drm_gpucore_cmd ca = cmd_spin(1000 * MS), cb;
	struct drm_gpucore_job ja, jb;
	struct drm_gpucore_job_query qa, qb;
	u32 a, b, so;
	u64 sa, sb;

	fx_init(&f);
	/* A and B on different engines where there are two, so only the fence
	 * can hold B back */
	a = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 0, NULL);
	if (class_count(&f.info, GPUCORE_ENGINE_CLASS_COMPUTE) > 1)
		b = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 1, NULL);
	else if (class_count(&f.info, GPUCORE_ENGINE_CLASS_COPY))
		b = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COPY);
	else
		b = ch_create_full(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE, GPUCORE_CHANNEL_ENGINE_INSTANCE, 0, NULL);
	so = syncobj_create(f.fd, 0);
	ja = mkjob(&ca, 1);
	ja.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	ja.out_syncobj = so;
	cb = cmd_fill(f.bo2, 0, 4096, 0xcafef00d);
	jb = mkjob(&cb, 1);
	jb.flags = GPUCORE_JOB_IN_SYNCOBJ;
	jb.in_syncobj = so;
	sa = submit_jobs(f.fd, a, &ja, 1);
	sb = submit_jobs(f.fd, b, &jb, 1);
	wait_seqno(f.fd, b, sb);
	wait_seqno(f.fd, a, sa);
	query_done(f.fd, a, sa, &qa);
	query_done(f.fd, b, sb, &qb);
	if (qb.submit_ns >= qa.end_ns)
		fail("inconclusive: job B was submitted (%llu) after job A ended (%llu)", qb.submit_ns, qa.end_ns);
	if (qb.start_ns < qa.end_ns)
		fail("job B started at %llu, before its in-fence's job A ended at %llu", qb.start_ns, qa.end_ns);
	for (u64 k = 0; k < 4096; k += 4) {
		u32 v;

		memcpy(&v, f.map2 + k, 4);
		if (v != 0xcafef00d)
			fail("job B's FILL: word at %llu is 0x%08x", k, v);
	}
}

/*
 * A job whose in-fence signals with an error (-ECANCELED: the 8 s SPIN
 * producing it is on a channel destroyed under it) fails with that error,
 * in its turn, without executing its FILL: JOB_QUERY's status, its own
 * fence's error and the failed count say so. The next job of its channel
 * runs normally. signal_first: the in-fence has signalled before the
 * SUBMIT, rather than after it.
 */
static void check_in_fence_error(bool signal_first)
{
	struct fx f;
	struct drm_gpucore_cmd spin = cmd_spin(8000 * MS), cb, cc;
	struct drm_gpucore_job ja = mkjob(&spin, 1), j[2];
	struct drm_gpucore_channel_stats a, b;
	struct drm_gpucore_job_query q;
	u32 producer, so, so_b;
	u64 sb;
	int st;

	fx_init(&f);
	producer = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	so = syncobj_create(f.fd, 0);
	so_b = syncobj_create(f.fd, 0);
	ja.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	ja.out_syncobj = so;
	submit_jobs(f.fd, producer, &ja, 1);
	if (signal_first) {
		OK("CHANNEL_DESTROY of the in-fence's channel", try_ch_destroy(f.fd, producer, 0));
		OK("the in-fence signals", -syncobj_wait(f.fd, so, now_ns() + WAIT_NS));
	}
	memset(f.map2, 0x5a, BO_SIZE);
	cb = cmd_fill(f.bo2, 0, 4096, 0xdeadbeef);
	cc = cmd_fill(f.bo2, 4096, 4096, 0x600df00d);
	j[0] = mkjob(&cb, 1);
	j[0].flags = GPUCORE_JOB_IN_SYNCOBJ | GPUCORE_JOB_OUT_SYNCOBJ;
	j[0].in_syncobj = so;
	j[0].out_syncobj = so_b;
	j[1] = mkjob(&cc, 1);
	get_stats(f.fd, f.ch, &a);
	sb = submit_jobs(f.fd, f.ch, j, 2);
	if (!signal_first) {
		query(f.fd, f.ch, sb, &q);
		if (q.state == GPUCORE_JOB_DONE)
			fail("the job completed before its in-fence signalled (status %d)", q.status);
		OK("CHANNEL_DESTROY of the in-fence's channel", try_ch_destroy(f.fd, producer, 0));
	}
	st = syncobj_fence_status(f.fd, so);
	if (st != -ECANCELED)
		fail("the in-fence (job of a destroyed channel) has status %d, expected -ECANCELED", st);
	wait_seqno(f.fd, f.ch, sb + 1);
	query(f.fd, f.ch, sb, &q);
	if (q.state != GPUCORE_JOB_DONE || q.status != -ECANCELED)
		fail("job with an in-fence failed with -ECANCELED: state %u status %d, expected DONE (%u) status %d",
		     q.state, q.status, GPUCORE_JOB_DONE, -ECANCELED);
	if (q.start_ns)
		fail("the job whose in-fence failed reports that it ran (start_ns %llu)", q.start_ns);
	st = syncobj_fence_status(f.fd, so_b);
	if (st != -ECANCELED)
		fail("the failed job's own fence has status %d, expected -ECANCELED", st);
	query_done(f.fd, f.ch, sb + 1, &q);
	get_stats(f.fd, f.ch, &b);
	if (b.failed != a.failed + 1 || b.completed != a.completed + 1)
		fail("stats: failed %llu -> %llu, completed %llu -> %llu; expected +1 each",
		     a.failed, b.failed, a.completed, b.completed);
	for (u64 k = 0; k < 8192; k += 4) {
		u32 v, want = k < 4096 ? 0x5a5a5a5a : 0x600df00d;

		memcpy(&v, f.map2 + k, 4);
		if (v != want)
			fail("word at %llu is 0x%08x, expected 0x%08x (%s)", k, v, want,
			     k < 4096 ? "the failed job's FILL must not run" : "the next job's FILL");
	}
}

TEST(syncobj_in_fence_error,
     "syncobj: a job whose in-fence fails fails with its error, unexecuted; the next job runs")
{
	check_in_fence_error(false);
}

TEST(syncobj_in_fence_error_signalled,
     "syncobj: the same with an in-fence that failed before the SUBMIT")
{
	check_in_fence_error(true);
}
