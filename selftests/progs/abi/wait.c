// SPDX-License-Identifier: MIT
/* abi_test: WAIT. */
#include "abi.h"

TEST(wait_valid, "WAIT: valid wait on a pending and on a completed job")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(50 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	OK("WAIT (valid)", try_wait(f.fd, f.ch, s, (s64)(now_ns() + WAIT_NS), 0));
	query_done(f.fd, f.ch, s, &q);
	/* waiting again on a completed job returns at once */
	OK("WAIT on a completed job", try_wait(f.fd, f.ch, s, (s64)(now_ns() + WAIT_NS), 0));
}

/* ABI choice (header silent): a job already completed satisfies WAIT even
 * with a deadline in the past: the deadline only bounds the sleep. */
TEST(wait_done_past_deadline, "WAIT: a completed job with a past deadline succeeds")
{
	struct fx f;

	fx_init(&f);
	OK("WAIT on a completed job with deadline 0", try_wait(f.fd, f.ch, f.next - 1, 0, 0));
}

TEST(wait_bad_channel, "WAIT rejects an unknown, 0 or ~0 channel handle (ENOENT)")
{
	struct fx f;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "WAIT on channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_wait(f.fd, bad[k], f.next - 1, (s64)(now_ns() + WAIT_NS), 0));
	}
}

TEST(wait_flags, "WAIT rejects each unknown flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "WAIT with flags bit %d", b);
		expect_errno(what, EINVAL, try_wait(f.fd, f.ch, f.next - 1, (s64)(now_ns() + WAIT_NS), 1u << b));
	}
}

TEST(wait_seqno_zero, "WAIT rejects seqno 0 (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	expect_errno("WAIT for seqno 0", EINVAL, try_wait(f.fd, f.ch, 0, (s64)(now_ns() + WAIT_NS), 0));
}

TEST(wait_seqno_unsubmitted, "WAIT rejects a seqno never submitted (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	expect_errno("WAIT for the next seqno, not submitted yet", EINVAL,
		     try_wait(f.fd, f.ch, f.next, (s64)(now_ns() + WAIT_NS), 0));
	expect_errno("WAIT for seqno ~0", EINVAL, try_wait(f.fd, f.ch, ~0ULL, (s64)(now_ns() + WAIT_NS), 0));
	fx_submit_valid(&f, "WAIT for unsubmitted seqnos");
}

/* Seqnos belong to their channel: one submitted on another channel of the
 * same file was never submitted on this one. */
TEST(wait_seqno_other_channel, "WAIT rejects a seqno of another channel (EINVAL)")
{
	struct fx f;
	u32 ch2;

	fx_init(&f);
	ch2 = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	expect_errno("WAIT on a fresh channel for a seqno of another channel", EINVAL,
		     try_wait(f.fd, ch2, f.next - 1, (s64)(now_ns() + WAIT_NS), 0));
}

TEST(wait_deadline_past, "WAIT on a pending job with a past deadline fails (ETIME)")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(2000 * MS);
	struct drm_gpucore_job_query q;
	u64 s;

	fx_init(&f);
	s = submit_cmds(f.fd, f.ch, &c, 1);
	expect_errno("WAIT on a 2 s SPIN with a deadline 1 s ago", ETIME,
		     try_wait(f.fd, f.ch, s, (s64)(now_ns() - 1000 * MS), 0));
	expect_errno("WAIT on a 2 s SPIN with deadline 0", ETIME, try_wait(f.fd, f.ch, s, 0, 0));
	expect_errno("WAIT on a 2 s SPIN with deadline now + 10 ms", ETIME,
		     try_wait(f.fd, f.ch, s, (s64)(now_ns() + 10 * MS), 0));
	/* the timeout did not touch the job */
	wait_seqno(f.fd, f.ch, s);
	query_done(f.fd, f.ch, s, &q);
}
