/* SPDX-License-Identifier: MIT */
/*
 * abi_test: ioctl ABI tests of gpucore (include/uapi/gpucore.h). The cases
 * are in one file per ioctl or family of them, each registered where it is
 * written (TEST() below); harness.c runs them. All of this directory links
 * into one program, selftests/progs/abi_test.
 *
 * Every negative case builds an otherwise fully valid call (a valid channel,
 * BO, job, command) and breaks exactly one thing, then checks the exact
 * errno and, where it is observable, that the call had no side effect: a
 * rejected SUBMIT leaves the channel's `submitted` and `queued` stats alone
 * and the next valid submit gets the seqno the rejected one would have had;
 * a rejected BO_CREATE leaves INFO's vram_used alone; after a rejected
 * CHANNEL_CREATE the next valid one works.
 *
 * Errno choices where the header is silent (the lead aligns the driver):
 * each is marked "ABI choice:" at its case.
 *
 * All ioctls go through gioctl(), not drmIoctl(): drmIoctl() restarts on
 * EAGAIN as well as EINTR, so SUBMIT's EAGAIN (queue full) could never be
 * observed through it and a driver wrongly returning EAGAIN would hang the
 * test instead of failing it.
 */
#ifndef ABI_H
#define ABI_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "gpucore.h"

typedef __u64 u64;
typedef __s64 s64;
typedef __u32 u32;
typedef __u8 u8;

#define BO_SIZE		(64 * 1024)	/* the fixture's BOs */
#define WAIT_NS		(60ULL * 1000 * 1000 * 1000)	/* generous: TCG guests are slow */
#define MS		(1000ULL * 1000)
#define CASE_TIMEOUT_S	300
#define SYSFS_PATH_LEN	160

/* ------------------------------------------------------------------ */
/* registration                                                        */

struct abi_case {
	const char *name;
	const char *desc;	/* its test's name in TAP; NULL: across vGPUs */
	void (*fn)(void);
	const char *file;	/* where it is written: the order of the cases */
	int line;
};

/*
 * Define case_NAME and put a pointer to its struct abi_case in the
 * abi_cases section, where the harness finds every case of the program.
 */
#define ABI_CASE(_name, _desc)							\
	static void case_##_name(void);						\
	static const struct abi_case abi_case_##_name = {			\
		.name = #_name,							\
		.desc = _desc,							\
		.fn = case_##_name,						\
		.file = __FILE__,						\
		.line = __LINE__,						\
	};									\
	static const struct abi_case *const abi_case_ptr_##_name		\
		__attribute__((used, section("abi_cases"))) = &abi_case_##_name; \
	static void case_##_name(void)

/*
 * TEST(name, "description") { ... }: a case run on one node (-D). The
 * description is the name of its test in the TAP of abi_test all, which
 * selftests/abi.sh runs. (vgpu.bats runs the cases across vGPUs.)
 */
#define TEST(name, desc)	ABI_CASE(name, desc)

/*
 * TEST_VGPUS(name) { ... }: a case across two vGPUs, -D's and -O's: only
 * vgpu.bats runs it, as "isolation name".
 */
#define TEST_VGPUS(name)	ABI_CASE(name, NULL)

/* ------------------------------------------------------------------ */
/* reporting and nodes (harness.c)                                     */

const char *ename(int e);
/*
 * Set by what a case changed outside itself (sysfs.c): run when the case
 * fails or times out, before it exits, from a signal handler too, so
 * async-signal-safe.
 */
extern void (*case_cleanup)(void);
__attribute__((noreturn, format(printf, 1, 2)))
void fail(const char *fmt, ...);
void expect_errno(const char *what, int want, int got);
#define OK(what, e)	expect_errno((what), 0, (e))
int open_node(void);
int open_other_node(void);

/* ------------------------------------------------------------------ */
/* plumbing and object helpers (lib.c): each fails the case on an      */
/* unexpected error                                                    */

int gioctl(int fd, unsigned long req, void *arg);
u64 now_ns(void);
u64 page_size(void);

void get_info(int fd, struct drm_gpucore_info *i);
u64 vram_used(int fd);
unsigned class_count(const struct drm_gpucore_info *i, u32 cls);

int try_ch_create(int fd, struct drm_gpucore_channel_create *c);
u32 ch_create_full(int fd, u32 cls, u32 flags, u32 inst, struct drm_gpucore_channel_create *out);
u32 ch_create(int fd, u32 cls);
int try_ch_destroy(int fd, u32 h, u32 flags);

int try_bo_create(int fd, u64 size, u32 flags, u64 reserved, u32 *h);
u32 bo_create(int fd, u64 size);
void *bo_map(int fd, u32 h, u64 size);
void gem_close(int fd, u32 h);
int try_mmap_offset(int fd, u32 h, u32 flags);

static inline struct drm_gpucore_cmd cmd_spin(u64 ns)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_SPIN, .size = ns };
}

static inline struct drm_gpucore_cmd cmd_fill(u32 h, u64 off, u64 size, u32 value)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_FILL, .dst_handle = h,
					 .dst_offset = off, .size = size, .value = value };
}

static inline struct drm_gpucore_cmd cmd_copy(u32 dst, u64 doff, u32 src, u64 soff, u64 size)
{
	return (struct drm_gpucore_cmd){ .op = GPUCORE_CMD_COPY, .dst_handle = dst, .src_handle = src,
					 .dst_offset = doff, .src_offset = soff, .size = size };
}

static inline struct drm_gpucore_job mkjob(const struct drm_gpucore_cmd *c, u32 n)
{
	return (struct drm_gpucore_job){ .cmds_ptr = (u64)(uintptr_t)c, .num_cmds = n };
}

static inline struct drm_gpucore_submit mksubmit(u32 ch, const struct drm_gpucore_job *j, u32 n)
{
	return (struct drm_gpucore_submit){ .channel = ch, .jobs_ptr = (u64)(uintptr_t)j, .num_jobs = n };
}

u64 submit_jobs(int fd, u32 ch, const struct drm_gpucore_job *j, u32 n);
u64 submit_cmds(int fd, u32 ch, const struct drm_gpucore_cmd *c, u32 n);

int try_wait(int fd, u32 ch, u64 seqno, s64 deadline, u32 flags);
void wait_seqno(int fd, u32 ch, u64 seqno);
int try_query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q);
void query(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q);
void query_done(int fd, u32 ch, u64 seqno, struct drm_gpucore_job_query *q);
int try_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s);
void get_stats(int fd, u32 ch, struct drm_gpucore_channel_stats *s);

u32 syncobj_create(int fd, u32 flags);
int syncobj_wait(int fd, u32 h, u64 deadline);
int syncobj_fence_status(int fd, u32 h);

/* ------------------------------------------------------------------ */
/* sysfs attributes a case changes (sysfs.c)                           */

void gpu_attr_path(int fd, const char *attr, char *buf, size_t len);
void sysfs_set_saved(const char *path, const char *value);
void sysfs_put_back(void);
void sysfs_restore(void);

/* ------------------------------------------------------------------ */
/* the fixture: a node, a compute channel with one job done, two BOs   */
/* (fixture.c)                                                         */

struct fx {
	int fd;
	struct drm_gpucore_info info;
	u32 ch;
	u32 bo, bo2;		/* BO_SIZE each, mapped at map, map2 */
	u8 *map, *map2;
	u64 next;		/* seqno the next submit on ch must get */
};

void fx_init(struct fx *f);
void fx_submit_valid(struct fx *f, const char *after);
void check_submit_rejected(struct fx *f, struct drm_gpucore_submit *s, int want, const char *what);
void reject_job(struct fx *f, struct drm_gpucore_job *j, int want, const char *what);
void reject_cmds(struct fx *f, const struct drm_gpucore_cmd *c, u32 n, int want, const char *what);
void reject_cmd(struct fx *f, struct drm_gpucore_cmd c, int want, const char *what);
void bad_channels(const struct fx *f, u32 out[3]);

#endif
