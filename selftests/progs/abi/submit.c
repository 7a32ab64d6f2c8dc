// SPDX-License-Identifier: MIT
/* abi_test: SUBMIT: valid use. */
#include "abi.h"

TEST(submit_spin, "SUBMIT: a SPIN job completes")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(5 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	if (s != f.next)
		fail("SUBMIT got seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
	if (q.busy_ns == 0)
		fail("a 5 ms SPIN job reports busy_ns 0");
}

/*
 * A SPIN flagged GPUCORE_CMD_NOPREEMPT runs to its end: its job succeeds,
 * its out-fence signals without an error, and it is charged at least its
 * length (engine time is measured, never less than the SPIN).
 */
TEST(submit_nopreempt_spin, "SUBMIT: a NOPREEMPT SPIN job completes with status 0")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(5 * MS);
	struct drm_gpucore_job j;
	struct drm_gpucore_job_query q;
	u32 so;
	u64 s;
	int st;

	fx_init(&f);
	c.flags = GPUCORE_CMD_NOPREEMPT;
	so = syncobj_create(f.fd, 0);
	j = mkjob(&c, 1);
	j.flags = GPUCORE_JOB_OUT_SYNCOBJ;
	j.out_syncobj = so;
	s = submit_jobs(f.fd, f.ch, &j, 1);
	if (s != f.next)
		fail("SUBMIT got seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
	if (q.busy_ns < c.size)
		fail("a %llu ns NOPREEMPT SPIN was charged %llu ns", c.size, q.busy_ns);
	st = syncobj_fence_status(f.fd, so);
	if (st != 1)
		fail("the NOPREEMPT job's out-fence has status %d, expected 1 (signalled, no error)", st);
}

TEST(submit_fill, "SUBMIT: FILL result is byte-exact")
{
	struct fx f;
	/* two commands in one job, the second overwriting part of the first */
	struct drm_gpucore_cmd c[2] = {
		cmd_fill(0, 4096, 8192, 0xa1b2c3d4),
		cmd_fill(0, 4096 + 100 * 4, 12, 0x01020304),
	};
	u8 want[BO_SIZE];
	u64 s;

	fx_init(&f);
	c[0].dst_handle = c[1].dst_handle = f.bo2;
	memset(f.map2, 0x5a, BO_SIZE);
	memset(want, 0x5a, BO_SIZE);
	for (u64 k = 4096; k < 4096 + 8192; k += 4)
		memcpy(want + k, &(u32){ 0xa1b2c3d4 }, 4);
	for (u64 k = 4096 + 400; k < 4096 + 412; k += 4)
		memcpy(want + k, &(u32){ 0x01020304 }, 4);
	s = submit_cmds(f.fd, f.ch, c, 2);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map2[k] != want[k])
			fail("after FILL, byte %llu is 0x%02x, expected 0x%02x", k, f.map2[k], want[k]);
}

TEST(submit_copy, "SUBMIT: COPY result is byte-exact")
{
	struct fx f;
	/* unaligned offsets and size: COPY has no alignment rule */
	struct drm_gpucore_cmd c;
	u8 src[BO_SIZE], want[BO_SIZE];
	u64 s;

	fx_init(&f);
	for (u64 k = 0; k < BO_SIZE; k++)
		src[k] = (u8)(k * 13 + 1);
	memcpy(f.map, src, BO_SIZE);
	memset(f.map2, 0x5a, BO_SIZE);
	memset(want, 0x5a, BO_SIZE);
	memcpy(want + 333, src + 4097, 10001);
	c = cmd_copy(f.bo2, 333, f.bo, 4097, 10001);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map2[k] != want[k])
			fail("after COPY, dst byte %llu is 0x%02x, expected 0x%02x", k, f.map2[k], want[k]);
	if (memcmp(f.map, src, BO_SIZE))
		fail("COPY changed its source");
}

/*
 * COPY within one BO whose ranges do not overlap: adjacent ranges, and
 * ranges apart with unaligned offsets and size, in both directions.
 */
TEST(submit_copy_same_bo, "SUBMIT: COPY between non-overlapping ranges of one BO is byte-exact")
{
	struct fx f;
	struct drm_gpucore_cmd c[3];
	u8 want[BO_SIZE];
	u64 s;

	fx_init(&f);
	for (u64 k = 0; k < BO_SIZE; k++)
		f.map[k] = (u8)(k * 7 + 3);
	memcpy(want, f.map, BO_SIZE);
	c[0] = cmd_copy(f.bo, 4096, f.bo, 0, 4096);		/* adjacent, forward */
	memmove(want + 4096, want, 4096);
	c[1] = cmd_copy(f.bo, 10001, f.bo, 40003, 9999);	/* apart, backward */
	memmove(want + 10001, want + 40003, 9999);
	c[2] = cmd_copy(f.bo, 60000, f.bo, 55000, 5000);	/* adjacent, dst after src */
	memmove(want + 60000, want + 55000, 5000);
	s = submit_cmds(f.fd, f.ch, c, 3);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 0; k < BO_SIZE; k++)
		if (f.map[k] != want[k])
			fail("after COPYs within one BO, byte %llu is 0x%02x, expected 0x%02x", k, f.map[k],
			     want[k]);
}

TEST(submit_mixed_job, "SUBMIT: SPIN, FILL, COPY run in order within a job")
{
	struct fx f;
	/* SPIN, FILL bo2, COPY bo2 -> bo: executed in order within the job */
	struct drm_gpucore_cmd c[3];
	u64 s;

	fx_init(&f);
	c[0] = cmd_spin(1 * MS);
	c[1] = cmd_fill(f.bo2, 0, 256, 0x55aa55aa);
	c[2] = cmd_copy(f.bo, 1024, f.bo2, 0, 256);
	memset(f.map, 0, BO_SIZE);
	s = submit_cmds(f.fd, f.ch, c, 3);
	wait_seqno(f.fd, f.ch, s);
	for (u64 k = 1024; k < 1024 + 256; k += 4) {
		u32 v;

		memcpy(&v, f.map + k, 4);
		if (v != 0x55aa55aa)
			fail("FILL then COPY in one job: word at %llu is 0x%08x, expected 0x55aa55aa", k, v);
	}
}

TEST(submit_empty_job, "SUBMIT: an empty job completes")
{
	struct fx f;
	struct drm_gpucore_job j = { 0 };
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_jobs(f.fd, f.ch, &j, 1);
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
}

TEST(submit_seqnos, "SUBMIT: a multi-job submit gets consecutive seqnos")
{
	struct fx f;
	struct drm_gpucore_job j[5] = { { 0 } };
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_jobs(f.fd, f.ch, j, 5);
	if (s != f.next)
		fail("5-job SUBMIT got first seqno %llu, expected %llu", s, f.next);
	wait_seqno(f.fd, f.ch, s + 4);
	for (u64 k = s; k < s + 5; k++)
		query_done(f.fd, f.ch, k, &q);
	f.next = s + 5;
	fx_submit_valid(&f, "a 5-job SUBMIT");
}

TEST(submit_max_jobs, "SUBMIT: the maximal submit (256 jobs, 64 commands) works")
{
	struct fx f;
	struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT] = { { 0 } };
	struct drm_gpucore_cmd c[GPUCORE_MAX_CMDS_PER_JOB];
	u64 s;

	fx_init(&f);
	for (int k = 0; k < GPUCORE_MAX_CMDS_PER_JOB; k++)
		c[k] = cmd_fill(f.bo2, (u64)k * 4, 4, (u32)k);
	j[0] = mkjob(c, GPUCORE_MAX_CMDS_PER_JOB);
	s = submit_jobs(f.fd, f.ch, j, GPUCORE_MAX_JOBS_PER_SUBMIT);
	wait_seqno(f.fd, f.ch, s + GPUCORE_MAX_JOBS_PER_SUBMIT - 1);
	for (int k = 0; k < GPUCORE_MAX_CMDS_PER_JOB; k++) {
		u32 v;

		memcpy(&v, f.map2 + k * 4, 4);
		if (v != (u32)k)
			fail("command %d of a %d-command job: word is %u", k, GPUCORE_MAX_CMDS_PER_JOB, v);
	}
	f.next = s + GPUCORE_MAX_JOBS_PER_SUBMIT;
	fx_submit_valid(&f, "a maximal SUBMIT");
}

/*
 * Jobs of 1 to 8 FILL commands in one SUBMIT: the driver keeps a few
 * commands in the job itself and allocates room for more, so every count
 * on both sides of that line must run every command.
 */
TEST(submit_cmd_counts, "SUBMIT: jobs of 1 to 8 commands in one submit run every command")
{
	enum { JOBS = 8 };
	struct fx f;
	struct drm_gpucore_job j[JOBS];
	struct drm_gpucore_cmd c[JOBS][JOBS];
	u64 s;

	fx_init(&f);
	memset(f.map2, 0, BO_SIZE);
	/* command k of job n (1..8 commands) fills word 8n + k with 100n + k + 1 */
	for (int n = 0; n < JOBS; n++) {
		for (int k = 0; k <= n; k++)
			c[n][k] = cmd_fill(f.bo2, (u64)(8 * n + k) * 4, 4, 100 * n + k + 1);
		j[n] = mkjob(c[n], n + 1);
	}
	s = submit_jobs(f.fd, f.ch, j, JOBS);
	wait_seqno(f.fd, f.ch, s + JOBS - 1);
	for (int n = 0; n < JOBS; n++)
		for (int k = 0; k < JOBS; k++) {
			u32 v, want = k <= n ? 100 * n + k + 1 : 0;

			memcpy(&v, f.map2 + (8 * n + k) * 4, 4);
			if (v != want)
				fail("word %d of the %d-command job's range is %u, expected %u", k, n + 1,
				     v, want);
		}
	f.next = s + JOBS;
	fx_submit_valid(&f, "a SUBMIT of jobs of 1 to 8 commands");
}

TEST(submit_queue_full, "SUBMIT rejects a channel with GPUCORE_MAX_QUEUED_JOBS pending (EAGAIN)")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(GPUCORE_MAX_SPIN_NS);
	static struct drm_gpucore_job j[GPUCORE_MAX_JOBS_PER_SUBMIT];
	struct drm_gpucore_channel_stats st;
	struct drm_gpucore_submit s;
	u32 left = GPUCORE_MAX_QUEUED_JOBS - 1;
	u32 ch2;

	fx_init(&f);
	submit_cmds(f.fd, f.ch, &c, 1);	/* holds the channel for 10 s */
	while (left) {
		u32 n = left < GPUCORE_MAX_JOBS_PER_SUBMIT ? left : GPUCORE_MAX_JOBS_PER_SUBMIT;

		submit_jobs(f.fd, f.ch, j, n);
		left -= n;
	}
	get_stats(f.fd, f.ch, &st);
	if (st.queued != GPUCORE_MAX_QUEUED_JOBS)
		fail("queued is %llu after %u submitted behind a 10 s SPIN", st.queued, GPUCORE_MAX_QUEUED_JOBS);
	s = mksubmit(f.ch, j, 1);
	{
		struct drm_gpucore_channel_stats st2;

		expect_errno("SUBMIT to a channel with GPUCORE_MAX_QUEUED_JOBS pending", EAGAIN,
			     gioctl(f.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
		get_stats(f.fd, f.ch, &st2);
		if (st2.submitted != st.submitted || st2.queued != st.queued)
			fail("rejected SUBMIT moved submitted %llu -> %llu", st.submitted, st2.submitted);
	}
	/* the limit is per channel */
	ch2 = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	submit_jobs(f.fd, ch2, j, 1);
	OK("CHANNEL_DESTROY of a full channel", try_ch_destroy(f.fd, f.ch, 0));
}
