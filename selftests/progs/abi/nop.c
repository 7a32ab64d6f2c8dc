// SPDX-License-Identifier: MIT
/* abi_test: NOP. */
#include "abi.h"

TEST(nop_valid, "NOP: valid call")
{
	struct drm_gpucore_nop n = { 0 };

	OK("NOP", gioctl(open_node(), DRM_IOCTL_GPUCORE_NOP, &n));
}

TEST(nop_flags, "NOP rejects each unknown flag bit (EINVAL)")
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_nop n = { .flags = 1u << b };
		char what[64];

		snprintf(what, sizeof(what), "NOP with flags bit %d", b);
		expect_errno(what, EINVAL, gioctl(fd, DRM_IOCTL_GPUCORE_NOP, &n));
	}
}

TEST(nop_pad, "NOP rejects nonzero pad (EINVAL)")
{
	struct drm_gpucore_nop n = { .pad = 1 };

	expect_errno("NOP with pad 1", EINVAL, gioctl(open_node(), DRM_IOCTL_GPUCORE_NOP, &n));
}
