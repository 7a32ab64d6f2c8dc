// SPDX-License-Identifier: MIT
/* abi_test: CHANNEL_STATS. */
#include "abi.h"

TEST(stats_valid, "CHANNEL_STATS: counts after three jobs")
{
	int fd = open_node();
	u32 ch = ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	struct drm_gpucore_cmd c = cmd_spin(2 * MS);
	struct drm_gpucore_job j[3];
	struct drm_gpucore_channel_stats st;
	u64 s;

	get_stats(fd, ch, &st);
	if (st.submitted || st.completed || st.failed || st.queued || st.busy_ns || st.last_seqno)
		fail("a new channel's stats are not zero: submitted %llu completed %llu failed %llu queued %llu busy %llu last %llu",
		     st.submitted, st.completed, st.failed, st.queued, st.busy_ns, st.last_seqno);
	for (int k = 0; k < 3; k++)
		j[k] = mkjob(&c, 1);
	s = submit_jobs(fd, ch, j, 3);
	wait_seqno(fd, ch, s + 2);
	get_stats(fd, ch, &st);
	if (st.submitted != 3 || st.completed != 3 || st.failed || st.queued || st.last_seqno != s + 2)
		fail("after 3 jobs done: submitted %llu completed %llu failed %llu queued %llu last_seqno %llu (expected 3 3 0 0 %llu)",
		     st.submitted, st.completed, st.failed, st.queued, st.last_seqno, s + 2);
	if (st.busy_ns < 3 * 2 * MS * 9 / 10)
		fail("3 jobs of a 2 ms SPIN: busy_ns %llu", st.busy_ns);
	if (st.latency_ns < st.wait_ns)
		fail("latency_ns %llu < wait_ns %llu", st.latency_ns, st.wait_ns);
	if (st.reserved[0] || st.reserved[1])
		fail("reserved not zero on output");
}

TEST(stats_bad_channel, "CHANNEL_STATS rejects an unknown, 0 or ~0 channel handle (ENOENT)")
{
	struct fx f;
	struct drm_gpucore_channel_stats st;
	u32 bad[3];

	fx_init(&f);
	bad_channels(&f, bad);
	for (int k = 0; k < 3; k++) {
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_STATS of channel handle %u", bad[k]);
		expect_errno(what, ENOENT, try_stats(f.fd, bad[k], &st));
	}
}

TEST(stats_flags, "CHANNEL_STATS rejects each unknown flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_channel_stats st = { .channel = f.ch, .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_STATS with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, &st));
	}
}

TEST(stats_reserved, "CHANNEL_STATS rejects nonzero reserved[] (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int k = 0; k < 2; k++) {
		struct drm_gpucore_channel_stats st = { .channel = f.ch };
		char what[64];

		st.reserved[k] = 1;
		snprintf(what, sizeof(what), "CHANNEL_STATS with reserved[%d] 1", k);
		expect_errno(what, EINVAL, gioctl(f.fd, DRM_IOCTL_GPUCORE_CHANNEL_STATS, &st));
	}
}
