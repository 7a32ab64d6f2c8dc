// SPDX-License-Identifier: MIT
/* abi_test: SUBMIT rejected: the commands. */
#include "abi.h"

TEST(submit_cmd_op_unknown, "SUBMIT rejects an unknown command op (EINVAL)")
{
	struct fx f;
	const u32 ops[] = { 0, GPUCORE_CMD_COPY + 1, 0x80000000u, ~0u };

	fx_init(&f);
	for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		struct drm_gpucore_cmd c = cmd_fill(f.bo, 0, 64, 1);
		char what[64];

		c.op = ops[k];
		snprintf(what, sizeof(what), "command op %u", ops[k]);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/* Each bit GPUCORE_CMD_FLAGS does not define, on a valid SPIN. */
TEST(submit_cmd_flags, "SUBMIT rejects each unknown command flag bit on SPIN (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	for (int b = 0; b < 32; b++) {
		struct drm_gpucore_cmd c = cmd_spin(1 * MS);
		char what[64];

		if ((1u << b) & GPUCORE_CMD_FLAGS)
			continue;
		c.flags = 1u << b;
		snprintf(what, sizeof(what), "SPIN with command flags bit %d", b);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/* Each GPUCORE_CMD_* flag (SPIN only) on an otherwise valid command @c. */
static void reject_spin_flags(struct fx *f, struct drm_gpucore_cmd c, const char *op)
{
	for (int b = 0; b < 32; b++) {
		char what[64];

		if (!((1u << b) & GPUCORE_CMD_FLAGS))
			continue;
		c.flags = 1u << b;
		snprintf(what, sizeof(what), "%s with the SPIN flag 0x%x", op, c.flags);
		reject_cmd(f, c, EINVAL, what);
	}
}

TEST(submit_fill_cmd_flags, "SUBMIT rejects each SPIN flag on FILL (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_spin_flags(&f, cmd_fill(f.bo, 0, 64, 1), "FILL");
}

TEST(submit_copy_cmd_flags, "SUBMIT rejects each SPIN flag on COPY (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_spin_flags(&f, cmd_copy(f.bo2, 0, f.bo, 0, 64), "COPY");
}

/* A valid hanging SPIN: no size, not preemptible. */
static struct drm_gpucore_cmd cmd_hang(void)
{
	struct drm_gpucore_cmd c = cmd_spin(0);

	c.flags = GPUCORE_CMD_NOPREEMPT | GPUCORE_CMD_HANG;
	return c;
}

TEST(submit_hang_preemptible, "SUBMIT rejects HANG without NOPREEMPT (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c = cmd_hang();

	fx_init(&f);
	c.flags &= ~GPUCORE_CMD_NOPREEMPT;
	reject_cmd(&f, c, EINVAL, "HANG SPIN without GPUCORE_CMD_NOPREEMPT");
}

TEST(submit_hang_size, "SUBMIT rejects HANG with a nonzero size (EINVAL)")
{
	const u64 sizes[] = { 1, GPUCORE_MAX_SPIN_NS };
	struct fx f;

	fx_init(&f);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct drm_gpucore_cmd c = cmd_hang();
		char what[64];

		c.size = sizes[k];
		snprintf(what, sizeof(what), "HANG SPIN of size %llu", c.size);
		reject_cmd(&f, c, EINVAL, what);
	}
}

/*
 * With the GPU's job timeout off (sysfs job_timeout_ms 0) nothing would
 * stop a hanging SPIN. The timeout is set back to what it was however the
 * case ends.
 */
TEST(submit_hang_no_timeout,
     "SUBMIT rejects HANG while job_timeout_ms is 0 (EINVAL), the timeout restored")
{
	char path[SYSFS_PATH_LEN];
	struct fx f;

	fx_init(&f);
	gpu_attr_path(f.fd, "job_timeout_ms", path, sizeof(path));
	sysfs_set_saved(path, "0");
	reject_cmd(&f, cmd_hang(), EINVAL, "HANG SPIN while job_timeout_ms is 0");
	sysfs_put_back();
}

TEST(submit_spin_dst_handle, "SUBMIT rejects SPIN with dst_handle set (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_spin(1 * MS);
	c.dst_handle = f.bo;
	reject_cmd(&f, c, EINVAL, "SPIN with dst_handle set (a valid BO)");
}

TEST(submit_spin_src_handle, "SUBMIT rejects SPIN with src_handle set (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_spin(1 * MS);
	c.src_handle = f.bo;
	reject_cmd(&f, c, EINVAL, "SPIN with src_handle set (a valid BO)");
}

TEST(submit_spin_too_long, "SUBMIT rejects SPIN > GPUCORE_MAX_SPIN_NS (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_spin(GPUCORE_MAX_SPIN_NS + 1), EINVAL, "SPIN of GPUCORE_MAX_SPIN_NS + 1");
	reject_cmd(&f, cmd_spin(~0ULL), EINVAL, "SPIN of ~0 ns");
}

TEST(submit_fill_misaligned_offset, "SUBMIT rejects FILL at a misaligned offset (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, 2, 64, 1), EINVAL, "FILL at dst_offset 2");
	reject_cmd(&f, cmd_fill(f.bo, 1, 64, 1), EINVAL, "FILL at dst_offset 1");
}

TEST(submit_fill_misaligned_size, "SUBMIT rejects FILL of a misaligned size (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, 0, 6, 1), EINVAL, "FILL of size 6");
	reject_cmd(&f, cmd_fill(f.bo, 0, 65, 1), EINVAL, "FILL of size 65");
}

TEST(submit_fill_value_upper, "SUBMIT rejects FILL value with upper bits set (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	c.value = 1ULL << 32 | 1;
	reject_cmd(&f, c, EINVAL, "FILL value with bit 32 set");
	c.value = 1ULL << 63;
	reject_cmd(&f, c, EINVAL, "FILL value with bit 63 set");
}

TEST(submit_fill_src_handle, "SUBMIT rejects FILL with src_handle set (EINVAL)")
{
	struct fx f;
	struct drm_gpucore_cmd c;

	fx_init(&f);
	c = cmd_fill(f.bo, 0, 64, 1);
	c.src_handle = f.bo2;
	reject_cmd(&f, c, EINVAL, "FILL with src_handle set (a valid BO)");
}

/* ABI choice: dst_handle 0 on FILL/COPY (required there) is a BO the file
 * does not hold: ENOENT. */
TEST(submit_fill_bad_handle, "SUBMIT rejects FILL into an unknown or 0 BO handle (ENOENT)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo2 + 1000, 0, 64, 1), ENOENT, "FILL into a BO handle never given out");
	reject_cmd(&f, cmd_fill(0, 0, 64, 1), ENOENT, "FILL into BO handle 0");
}

TEST(submit_fill_closed_bo, "SUBMIT rejects FILL into a closed BO (ENOENT)")
{
	struct fx f;
	u32 h;

	fx_init(&f);
	h = bo_create(f.fd, BO_SIZE);
	gem_close(f.fd, h);
	reject_cmd(&f, cmd_fill(h, 0, 64, 1), ENOENT, "FILL into a closed BO");
}

TEST(submit_fill_past_end, "SUBMIT rejects FILL past the end of its BO (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, BO_SIZE - 4, 8, 1), ERANGE, "FILL of 8 bytes at BO_SIZE - 4");
	reject_cmd(&f, cmd_fill(f.bo, BO_SIZE, 4, 1), ERANGE, "FILL at dst_offset BO_SIZE");
	reject_cmd(&f, cmd_fill(f.bo, 0, BO_SIZE + 4, 1), ERANGE, "FILL of BO_SIZE + 4 bytes");
}

TEST(submit_fill_overflow, "SUBMIT rejects FILL whose offset + size overflows (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_fill(f.bo, ~0ULL - 3, 8, 1), ERANGE, "FILL whose dst_offset + size overflows");
	reject_cmd(&f, cmd_fill(f.bo, 4, ~0ULL - 3, 1), ERANGE, "FILL whose size + dst_offset overflows");
}

TEST(submit_copy_bad_src, "SUBMIT rejects COPY from an unknown or 0 BO handle (ENOENT)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2 + 1000, 0, 64), ENOENT, "COPY from a BO handle never given out");
	reject_cmd(&f, cmd_copy(f.bo, 0, 0, 0, 64), ENOENT, "COPY from BO handle 0");
}

TEST(submit_copy_bad_dst, "SUBMIT rejects COPY into an unknown or 0 BO handle (ENOENT)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo2 + 1000, 0, f.bo, 0, 64), ENOENT, "COPY into a BO handle never given out");
	reject_cmd(&f, cmd_copy(0, 0, f.bo, 0, 64), ENOENT, "COPY into BO handle 0");
}

TEST(submit_copy_src_past_end, "SUBMIT rejects COPY from past the end of its source (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, BO_SIZE - 8, 16), ERANGE, "COPY of 16 bytes from BO_SIZE - 8");
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, BO_SIZE, 1), ERANGE, "COPY from src_offset BO_SIZE");
}

TEST(submit_copy_dst_past_end, "SUBMIT rejects COPY to past the end of its destination (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, BO_SIZE - 8, f.bo2, 0, 16), ERANGE, "COPY of 16 bytes to BO_SIZE - 8");
	reject_cmd(&f, cmd_copy(f.bo, BO_SIZE, f.bo2, 0, 1), ERANGE, "COPY to dst_offset BO_SIZE");
}

TEST(submit_copy_overflow, "SUBMIT rejects COPY whose offset + size overflows (ERANGE)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo2, ~0ULL - 7, 16), ERANGE, "COPY whose src_offset + size overflows");
	reject_cmd(&f, cmd_copy(f.bo, ~0ULL - 7, f.bo2, 0, 16), ERANGE, "COPY whose dst_offset + size overflows");
}

/*
 * ABI choice: a COPY whose source and destination ranges overlap in one BO
 * is EINVAL (no memmove semantics), whichever way and however little they
 * overlap; checked after the ranges, so each range here lies inside the BO.
 */
TEST(submit_copy_overlap, "SUBMIT rejects COPY whose ranges overlap in one BO (EINVAL)")
{
	struct fx f;

	fx_init(&f);
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo, 0, 64), EINVAL, "COPY of a range onto itself");
	reject_cmd(&f, cmd_copy(f.bo, 100, f.bo, 0, 4096), EINVAL, "COPY in one BO, dst inside src");
	reject_cmd(&f, cmd_copy(f.bo, 0, f.bo, 100, 4096), EINVAL, "COPY in one BO, src inside dst");
	reject_cmd(&f, cmd_copy(f.bo, 4095, f.bo, 0, 4096), EINVAL, "COPY in one BO overlapping by 1 byte");
	reject_cmd(&f, cmd_copy(f.bo, 1, f.bo, BO_SIZE / 2, BO_SIZE / 2), EINVAL,
		   "COPY in one BO, src ending at the BO's end, overlapping dst by 1 byte");
}
