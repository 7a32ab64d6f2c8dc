// SPDX-License-Identifier: MIT
/* abi_test: INFO. */
#include "abi.h"

TEST(info_valid, "INFO: valid call reports a sane device")
{
	int fd = open_node();
	struct drm_gpucore_info i;
	unsigned seen[GPUCORE_ENGINE_CLASS_COUNT][GPUCORE_MAX_ENGINES] = { { 0 } };
	u64 need = GPUCORE_FEAT_SYNCOBJ | GPUCORE_FEAT_JOB_QUERY | GPUCORE_FEAT_WAIT;

	get_info(fd, &i);
	if (i.abi_version != GPUCORE_ABI_VERSION)
		fail("abi_version %u, expected %u", i.abi_version, GPUCORE_ABI_VERSION);
	if ((i.features & need) != need)
		fail("features 0x%llx lack SYNCOBJ|JOB_QUERY|WAIT (0x%llx)", i.features, need);
	if (i.num_engines < 1 || i.num_engines > GPUCORE_MAX_ENGINES)
		fail("num_engines %u, expected 1..%u", i.num_engines, GPUCORE_MAX_ENGINES);
	for (u32 e = 0; e < i.num_engines; e++) {
		struct drm_gpucore_engine_info *en = &i.engines[e];

		if (en->id != e)
			fail("engines[%u].id is %u", e, en->id);
		if (en->engine_class >= GPUCORE_ENGINE_CLASS_COUNT)
			fail("engines[%u].engine_class %u is unknown", e, en->engine_class);
		if (en->instance >= GPUCORE_MAX_ENGINES || seen[en->engine_class][en->instance]++)
			fail("engines[%u] repeats or overflows instance %u of class %u", e, en->instance,
			     en->engine_class);
		if (en->pad)
			fail("engines[%u].pad is %u on output, expected 0", e, en->pad);
	}
	for (u32 c = 0; c < GPUCORE_ENGINE_CLASS_COUNT; c++)
		for (u32 n = 0; n < class_count(&i, c); n++)
			if (!seen[c][n])
				fail("class %u has %u engines but no instance %u", c, class_count(&i, c), n);
	if (!class_count(&i, GPUCORE_ENGINE_CLASS_COMPUTE))
		fail("no compute engine");
	if (!i.vram_size || i.vram_used > i.vram_size)
		fail("vram_size %llu, vram_used %llu", i.vram_size, i.vram_used);
	if (!i.timeslice_ns)
		fail("timeslice_ns is 0");
	if (i.weight < 1 || i.weight > 10000)
		fail("weight %u, expected 1..10000", i.weight);
	if (i.cap > 100)
		fail("cap %u%%, expected 0..100", i.cap);
	if (!memchr(i.vgpu_name, 0, sizeof(i.vgpu_name)))
		fail("vgpu_name is not NUL-terminated");
	if (i.pad || i.reserved[0] || i.reserved[1] || i.reserved[2] || i.reserved[3])
		fail("pad/reserved not zero on output");
}

TEST(info_flags, "INFO rejects each unknown flag bit (EINVAL)")
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_info i = { .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "INFO with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
	}
}

TEST(info_pad, "INFO rejects nonzero pad (EINVAL)")
{
	int fd = open_node();
	struct drm_gpucore_info i = { .pad = 1 };

	expect_errno("INFO with pad 1", EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
}

TEST(info_reserved, "INFO rejects nonzero reserved[] (EINVAL)")
{
	int fd = open_node();

	for (int k = 0; k < 4; k++) {
		struct drm_gpucore_info i;
		char what[64];

		memset(&i, 0, sizeof(i));
		i.reserved[k] = 1;
		snprintf(what, sizeof(what), "INFO with reserved[%d] 1", k);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_INFO, &i));
	}
}

TEST(info_cmd_flags_feature, "INFO reports GPUCORE_FEAT_CMD_FLAGS")
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	if (!(i.features & GPUCORE_FEAT_CMD_FLAGS))
		fail("features 0x%llx lack GPUCORE_FEAT_CMD_FLAGS (0x%llx)", i.features,
		     (u64)GPUCORE_FEAT_CMD_FLAGS);
}
