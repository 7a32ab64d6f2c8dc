// SPDX-License-Identifier: MIT
/*
 * abi_test: the fixture (a node, a compute channel with one job done, two
 * BOs) and the checks that a SUBMIT was rejected without a trace.
 */
#include "abi.h"

void fx_init(struct fx *f)
{
	struct drm_gpucore_cmd c;
	u64 s;

	memset(f, 0, sizeof(*f));
	f->fd = open_node();
	get_info(f->fd, &f->info);
	f->ch = ch_create(f->fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	f->bo = bo_create(f->fd, BO_SIZE);
	f->map = bo_map(f->fd, f->bo, BO_SIZE);
	f->bo2 = bo_create(f->fd, BO_SIZE);
	f->map2 = bo_map(f->fd, f->bo2, BO_SIZE);
	/* a first job, so that the cases start after a known seqno */
	c = cmd_fill(f->bo, 0, 64, 0x11111111);
	s = submit_cmds(f->fd, f->ch, &c, 1);
	wait_seqno(f->fd, f->ch, s);
	f->next = s + 1;
}

/* A valid one-job submit on the fixture's channel: must get f->next. */
void fx_submit_valid(struct fx *f, const char *after)
{
	struct drm_gpucore_cmd c = cmd_fill(f->bo, 0, 64, 0x22222222);
	u64 s = submit_cmds(f->fd, f->ch, &c, 1);

	if (s != f->next)
		fail("after %s: the next valid SUBMIT got seqno %llu, expected %llu (the rejected call consumed a seqno)",
		     after, s, f->next);
	wait_seqno(f->fd, f->ch, s);
	f->next = s + 1;
}

/*
 * A SUBMIT that must fail with `want` and leave no trace: the channel's
 * submitted and queued counts are unchanged and the next valid submit gets
 * the seqno this one would have had.
 */
void check_submit_rejected(struct fx *f, struct drm_gpucore_submit *s, int want, const char *what)
{
	struct drm_gpucore_channel_stats a, b;
	char buf[200];

	snprintf(buf, sizeof(buf), "SUBMIT with %s", what);
	get_stats(f->fd, f->ch, &a);
	expect_errno(buf, want, gioctl(f->fd, DRM_IOCTL_GPUCORE_SUBMIT, s));
	get_stats(f->fd, f->ch, &b);
	if (a.submitted != b.submitted || a.queued != b.queued)
		fail("%s: rejected, but the channel's stats moved: submitted %llu -> %llu, queued %llu -> %llu",
		     buf, a.submitted, b.submitted, a.queued, b.queued);
	fx_submit_valid(f, buf);
}

void reject_job(struct fx *f, struct drm_gpucore_job *j, int want, const char *what)
{
	struct drm_gpucore_submit s = mksubmit(f->ch, j, 1);

	check_submit_rejected(f, &s, want, what);
}

void reject_cmds(struct fx *f, const struct drm_gpucore_cmd *c, u32 n, int want, const char *what)
{
	struct drm_gpucore_job j = mkjob(c, n);

	reject_job(f, &j, want, what);
}

void reject_cmd(struct fx *f, struct drm_gpucore_cmd c, int want, const char *what)
{
	reject_cmds(f, &c, 1, want, what);
}

/* Bad channel handles: one never given out, 0 (never a handle), ~0. */
void bad_channels(const struct fx *f, u32 out[3])
{
	out[0] = f->ch + 1000;
	out[1] = 0;
	out[2] = ~0u;
}
