// SPDX-License-Identifier: MIT
/* abi_test: CHANNEL_CREATE / CHANNEL_DESTROY. */
#include "abi.h"

/* Engine id of (class, instance), or -1. */
static int engine_of(const struct drm_gpucore_info *i, u32 cls, u32 inst)
{
	for (u32 e = 0; e < i->num_engines && e < GPUCORE_MAX_ENGINES; e++)
		if (i->engines[e].engine_class == cls && i->engines[e].instance == inst)
			return (int)i->engines[e].id;
	return -1;
}

TEST(channel_create_valid, "CHANNEL_CREATE: valid channels on every class and instance")
{
	int fd = open_node();
	struct drm_gpucore_info i;
	struct drm_gpucore_channel_create a, b;

	get_info(fd, &i);
	for (u32 cls = 0; cls < GPUCORE_ENGINE_CLASS_COUNT; cls++) {
		unsigned n = class_count(&i, cls);

		if (!n)
			continue;
		/* least loaded engine of the class */
		ch_create_full(fd, cls, 0, 0, &a);
		ch_create_full(fd, cls, 0, 0, &b);
		if (a.handle == b.handle || a.id == b.id)
			fail("two channels share handle %u/%u or id %u/%u", a.handle, b.handle, a.id, b.id);
		if (a.engine >= i.num_engines || i.engines[a.engine].engine_class != cls)
			fail("class %u channel bound to engine %u of class %u", cls, a.engine,
			     a.engine < i.num_engines ? i.engines[a.engine].engine_class : ~0u);
		OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, a.handle, 0));
		OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, b.handle, 0));
		/* every instance, by the flag */
		for (u32 inst = 0; inst < n; inst++) {
			ch_create_full(fd, cls, GPUCORE_CHANNEL_ENGINE_INSTANCE, inst, &a);
			if ((int)a.engine != engine_of(&i, cls, inst))
				fail("class %u instance %u channel bound to engine %u, expected %d", cls, inst,
				     a.engine, engine_of(&i, cls, inst));
			OK("CHANNEL_DESTROY (valid)", try_ch_destroy(fd, a.handle, 0));
		}
	}
}

/* After a rejected create: the same call made valid works. */
static void check_create_rejected(int fd, struct drm_gpucore_channel_create *c, int want, const char *what)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "CHANNEL_CREATE with %s", what);
	expect_errno(buf, want, try_ch_create(fd, c));
	ch_create(fd, GPUCORE_ENGINE_CLASS_COMPUTE);
}

TEST(channel_create_bad_class, "CHANNEL_CREATE rejects an unknown engine_class (EINVAL)")
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .engine_class = GPUCORE_ENGINE_CLASS_COUNT };

	check_create_rejected(fd, &c, EINVAL, "engine_class GPUCORE_ENGINE_CLASS_COUNT");
	c = (struct drm_gpucore_channel_create){ .engine_class = ~0u };
	check_create_rejected(fd, &c, EINVAL, "engine_class ~0");
}

TEST(channel_create_flags, "CHANNEL_CREATE rejects each unknown flag bit (EINVAL)")
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_channel_create c = { .flags = 1u << b };
		char what[64];

		if (c.flags & GPUCORE_CHANNEL_FLAGS)
			continue;
		snprintf(what, sizeof(what), "flags bit %d", b);
		check_create_rejected(fd, &c, EINVAL, what);
	}
}

TEST(channel_create_reserved, "CHANNEL_CREATE rejects nonzero reserved (EINVAL)")
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .reserved = 1 };

	check_create_rejected(fd, &c, EINVAL, "reserved 1");
}

TEST(channel_create_instance_range,
     "CHANNEL_CREATE rejects an instance out of range with the flag (EINVAL)")
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	for (u32 cls = 0; cls < GPUCORE_ENGINE_CLASS_COUNT; cls++) {
		struct drm_gpucore_channel_create c = {
			.engine_class = cls, .flags = GPUCORE_CHANNEL_ENGINE_INSTANCE,
			.instance = class_count(&i, cls),
		};
		char what[96];

		snprintf(what, sizeof(what), "ENGINE_INSTANCE and instance %u of class %u (it has %u)",
			 c.instance, cls, c.instance);
		check_create_rejected(fd, &c, EINVAL, what);
	}
}

TEST(channel_create_instance_noflag,
     "CHANNEL_CREATE rejects a nonzero instance without the flag (EINVAL)")
{
	int fd = open_node();
	struct drm_gpucore_channel_create c = { .instance = 1 };

	/* instance 1 may exist: without the flag it must still be 0 */
	check_create_rejected(fd, &c, EINVAL, "instance 1 without GPUCORE_CHANNEL_ENGINE_INSTANCE");
}

TEST(channel_destroy_valid, "CHANNEL_DESTROY: valid call, the handle is gone afterwards")
{
	struct fx f;
	struct drm_gpucore_channel_stats st;
	struct drm_gpucore_cmd c;
	struct drm_gpucore_job_query q;

	fx_init(&f);
	OK("CHANNEL_DESTROY (valid)", try_ch_destroy(f.fd, f.ch, 0));
	expect_errno("CHANNEL_STATS of a destroyed channel", ENOENT, try_stats(f.fd, f.ch, &st));
	expect_errno("JOB_QUERY on a destroyed channel", ENOENT, try_query(f.fd, f.ch, f.next - 1, &q));
	c = cmd_fill(f.bo, 0, 64, 1);
	{
		struct drm_gpucore_job j = mkjob(&c, 1);
		struct drm_gpucore_submit s = mksubmit(f.ch, &j, 1);

		expect_errno("SUBMIT to a destroyed channel", ENOENT,
			     gioctl(f.fd, DRM_IOCTL_GPUCORE_SUBMIT, &s));
	}
	/* and the file still works */
	ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
}

TEST(channel_destroy_unknown, "CHANNEL_DESTROY rejects an unknown handle (ENOENT)")
{
	struct fx f;

	fx_init(&f);
	expect_errno("CHANNEL_DESTROY of a handle never given out", ENOENT, try_ch_destroy(f.fd, f.ch + 1000, 0));
	expect_errno("CHANNEL_DESTROY of handle ~0", ENOENT, try_ch_destroy(f.fd, ~0u, 0));
	fx_submit_valid(&f, "CHANNEL_DESTROY of unknown handles");
}

TEST(channel_destroy_twice, "CHANNEL_DESTROY rejects an already destroyed handle (ENOENT)")
{
	struct fx f;
	u32 h;

	fx_init(&f);
	h = ch_create(f.fd, GPUCORE_ENGINE_CLASS_COMPUTE);
	OK("CHANNEL_DESTROY (valid)", try_ch_destroy(f.fd, h, 0));
	expect_errno("CHANNEL_DESTROY of an already destroyed handle", ENOENT, try_ch_destroy(f.fd, h, 0));
	fx_submit_valid(&f, "a second CHANNEL_DESTROY");
}

/* ABI choice: handle 0 is never given out, so it is a handle the file does
 * not hold: ENOENT (not EINVAL), like every other unknown handle. */
TEST(channel_destroy_zero, "CHANNEL_DESTROY rejects handle 0 (ENOENT)")
{
	struct fx f;

	fx_init(&f);
	expect_errno("CHANNEL_DESTROY of handle 0", ENOENT, try_ch_destroy(f.fd, 0, 0));
	fx_submit_valid(&f, "CHANNEL_DESTROY of handle 0");
}

TEST(channel_destroy_flags, "CHANNEL_DESTROY rejects each unknown flag bit (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "CHANNEL_DESTROY with flags bit %d", b);
		expect_errno(what, EINVAL, try_ch_destroy(f.fd, f.ch, 1u << b));
	}
	/* the channel survived */
	fx_submit_valid(&f, "CHANNEL_DESTROY with bad flags");
}

/* Jobs not completed at destroy are failed and their fences signal. */
TEST(channel_destroy_signals_fences, "CHANNEL_DESTROY signals the fences of pending jobs")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_spin(8000 * MS);
	struct drm_gpucore_job j[2];
	u32 so[2];
	u64 t0;
	int e;

	fx_init(&f);
	for (int k = 0; k < 2; k++) {
		so[k] = syncobj_create(f.fd, 0);
		j[k] = mkjob(&c, 1);
		j[k].flags = GPUCORE_JOB_OUT_SYNCOBJ;
		j[k].out_syncobj = so[k];
	}
	submit_jobs(f.fd, f.ch, j, 2);	/* one running, one queued behind it */
	t0 = now_ns();
	OK("CHANNEL_DESTROY with jobs pending", try_ch_destroy(f.fd, f.ch, 0));
	for (int k = 0; k < 2; k++) {
		e = syncobj_wait(f.fd, so[k], t0 + 4000 * MS);
		if (e)
			fail("job %d's fence did not signal within 4 s of CHANNEL_DESTROY (8 s SPIN): %s", k,
			     ename(-e));
	}
}
