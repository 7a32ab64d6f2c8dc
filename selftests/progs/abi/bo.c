// SPDX-License-Identifier: MIT
/* abi_test: BO_CREATE / BO_MMAP_OFFSET. */
#include <sys/mman.h>

#include "abi.h"

static u64 page_round(u64 n)
{
	u64 pg = page_size();

	return (n + pg - 1) / pg * pg;
}

TEST(bo_create_valid, "BO_CREATE: valid BO, page-rounded vram_used, mmap write/read")
{
	int fd = open_node();
	u64 pg = page_size(), size = 3 * pg + 1, before = vram_used(fd), after;
	u32 h = bo_create(fd, size);
	u8 *p;

	after = vram_used(fd);
	if (after - before != page_round(size))
		fail("BO of %llu bytes moved vram_used by %llu, expected %llu (page-rounded)", size,
		     after - before, page_round(size));
	p = bo_map(fd, h, page_round(size));
	for (u64 k = 0; k < page_round(size); k++)
		p[k] = (u8)(k * 7 + 3);
	for (u64 k = 0; k < page_round(size); k++)
		if (p[k] != (u8)(k * 7 + 3))
			fail("byte %llu reads 0x%02x after writing 0x%02x through the mapping", k, p[k],
			     (u8)(k * 7 + 3));
	/* a second mapping of the same BO sees the same bytes */
	{
		u8 *q = bo_map(fd, h, page_round(size));

		if (memcmp(p, q, page_round(size)))
			fail("two mappings of one BO differ");
	}
}

/* ABI choice (header silent): a new BO reads as zeroes; anything else would
 * leak another tenant's data. */
TEST(bo_create_zeroed, "BO_CREATE: a new BO reads as zeroes")
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);
	u8 *p = bo_map(fd, h, BO_SIZE);

	for (u64 k = 0; k < BO_SIZE; k++)
		if (p[k])
			fail("new BO: byte %llu is 0x%02x, expected 0", k, p[k]);
}

TEST(bo_close_releases_quota, "BO_CREATE: closing a BO gives its quota back")
{
	int fd = open_node();
	u64 before = vram_used(fd);
	u32 h = bo_create(fd, BO_SIZE);
	void *p = bo_map(fd, h, BO_SIZE);

	munmap(p, BO_SIZE);
	gem_close(fd, h);
	if (vram_used(fd) != before)
		fail("vram_used %llu after closing the only BO, was %llu before creating it", vram_used(fd),
		     before);
}

static void check_bo_rejected(int fd, u64 size, u32 flags, u64 reserved, int want, const char *what)
{
	u64 before = vram_used(fd);
	char buf[160];

	snprintf(buf, sizeof(buf), "BO_CREATE with %s", what);
	expect_errno(buf, want, try_bo_create(fd, size, flags, reserved, NULL));
	if (vram_used(fd) != before)
		fail("%s: rejected, but vram_used moved %llu -> %llu", buf, before, vram_used(fd));
	bo_create(fd, page_size());
}

TEST(bo_create_size_zero, "BO_CREATE rejects size 0 (EINVAL)")
{
	check_bo_rejected(open_node(), 0, 0, 0, EINVAL, "size 0");
}

/* ABI choice: a size whose page rounding overflows is out of the documented
 * range (EINVAL), not a representable size beyond the quota (ENOSPC). */
TEST(bo_create_size_overflow, "BO_CREATE rejects a size whose page rounding overflows (EINVAL)")
{
	int fd = open_node();

	check_bo_rejected(fd, ~0ULL, 0, 0, EINVAL, "size ~0");
	check_bo_rejected(fd, ~0ULL - page_size() + 2, 0, 0, EINVAL, "size ~0 - page + 2 (rounds to 0)");
}

TEST(bo_create_over_quota, "BO_CREATE rejects a size beyond the vGPU quota (ENOSPC)")
{
	int fd = open_node();
	struct drm_gpucore_info i;

	get_info(fd, &i);
	if (i.vram_size > ~0ULL / 2)
		fail("vram_size %llu leaves no room to ask beyond it", i.vram_size);
	check_bo_rejected(fd, i.vram_size + page_size(), 0, 0, ENOSPC, "size = quota + a page");
}

TEST(bo_create_quota_exhausted, "BO_CREATE rejects a size beyond the quota left (ENOSPC)")
{
	int fd = open_node();
	struct drm_gpucore_info i;
	u64 left;

	bo_create(fd, BO_SIZE);
	get_info(fd, &i);
	left = i.vram_size - i.vram_used;
	/* fits the quota alone, not with what is already allocated */
	check_bo_rejected(fd, left + 1, 0, 0, ENOSPC, "size = quota left + 1 byte");
}

TEST(bo_create_flags, "BO_CREATE rejects each unknown flag bit (EINVAL)")
{
	int fd = open_node();

	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "flags bit %d", b);
		check_bo_rejected(fd, BO_SIZE, 1u << b, 0, EINVAL, what);
	}
}

TEST(bo_create_reserved, "BO_CREATE rejects nonzero reserved (EINVAL)")
{
	check_bo_rejected(open_node(), BO_SIZE, 0, 1, EINVAL, "reserved 1");
}

/* ABI choice: BO handle 0 gives ENOENT, as for channels. */
TEST(bo_mmap_offset_bad_handle, "BO_MMAP_OFFSET rejects an unknown or 0 handle (ENOENT)")
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	expect_errno("BO_MMAP_OFFSET of a handle never given out", ENOENT, try_mmap_offset(fd, h + 1000, 0));
	expect_errno("BO_MMAP_OFFSET of handle 0", ENOENT, try_mmap_offset(fd, 0, 0));
	OK("BO_MMAP_OFFSET (valid)", try_mmap_offset(fd, h, 0));
}

TEST(bo_mmap_offset_closed, "BO_MMAP_OFFSET rejects a closed BO (ENOENT)")
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	gem_close(fd, h);
	expect_errno("BO_MMAP_OFFSET of a closed BO", ENOENT, try_mmap_offset(fd, h, 0));
}

TEST(bo_mmap_offset_flags, "BO_MMAP_OFFSET rejects each unknown flag bit (EINVAL)")
{
	int fd = open_node();
	u32 h = bo_create(fd, BO_SIZE);

	for (int b = 0; b < 32; b++) {
		char what[64];

		snprintf(what, sizeof(what), "BO_MMAP_OFFSET with flags bit %d", b);
		expect_errno(what, EINVAL, try_mmap_offset(fd, h, 1u << b));
	}
	OK("BO_MMAP_OFFSET (valid)", try_mmap_offset(fd, h, 0));
}
