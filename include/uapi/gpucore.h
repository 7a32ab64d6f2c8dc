/* SPDX-License-Identifier: MIT */
/*
 * gpucore: userspace ABI of the gpucore DRM driver.
 *
 * The only header shared by the kernel module and userspace. Every ioctl
 * argument follows Documentation/process/botching-up-ioctls.rst: fixed-size
 * __u32/__u64 fields, explicit padding, 64-bit aligned structs, pointers
 * passed as __u64. Every pad/reserved field must be zero and every unknown
 * flag is rejected with -EINVAL, so they can be given a meaning later.
 * Timeouts are absolute CLOCK_MONOTONIC nanoseconds.
 *
 * Objects: a *channel* is a per-file submission queue bound to one engine;
 * a *job* is an array of commands (SPIN, FILL, COPY) executed in order by
 * the engine; a *buffer object* (BO) is a GEM object that FILL and COPY
 * read and write and userspace maps with mmap. Channel and BO handles are
 * per file descriptor: one client can never name another's objects.
 *
 * Tenants: each vGPU (and the host tenant) has its own DRM device, and one
 * vGPU's buffers and jobs do not cross to another, even through a process
 * holding a file descriptor for them. A BO exported as a dma-buf cannot be
 * imported into another vGPU (PRIME_FD_TO_HANDLE fails with -EINVAL). A
 * syncobj or sync_file can be imported by any DRM device, but SUBMIT
 * refuses it as an in-fence with the same -EINVAL if it holds the fence of
 * another vGPU's job, alone or merged with other fences; fences of other
 * drivers and of the vGPU's own jobs are accepted.
 *
 * Errors, the same for every ioctl, each checked before any side effect:
 *
 * - EINVAL: an unknown flag, a nonzero pad or reserved field, a value out
 *   of its documented range (engine class or instance, a zero or oversized
 *   count, an unknown command op, a misaligned FILL, a SPIN longer than
 *   GPUCORE_MAX_SPIN_NS, a handle given without the flag that uses it), a
 *   COPY whose source and destination ranges overlap in one BO, an
 *   in-syncobj holding no fence or another vGPU's job fence, a sequence
 *   number never submitted on that channel.
 * - EFAULT: a user pointer that cannot be read or written.
 * - ENOENT: a channel, BO or syncobj handle that this file does not hold.
 * - ERANGE: a FILL/COPY range outside its BO, or offset + size overflowing.
 * - ENOSPC: video memory quota (of the vGPU) or capacity (of the GPU)
 *   exhausted.
 * - EDQUOT: a limit of the caller's vGPU reached: its channels
 *   (CHANNEL_CREATE; sysfs max_channels) or its jobs pending over all of its
 *   channels (SUBMIT; sysfs max_jobs). Another vGPU's use never causes it;
 *   it clears as the vGPU's channels are destroyed or its jobs complete.
 * - EAGAIN: the channel already has GPUCORE_MAX_QUEUED_JOBS jobs pending.
 * - EIO: SUBMIT on a channel one of whose jobs hung: the job timeout
 *   stopped it (its fence signalled -ETIMEDOUT, the jobs queued behind it
 *   -ECANCELED). The channel stays unusable; create a new one.
 * - ENODATA: JOB_QUERY of a job completed too long ago to be remembered.
 * - ETIME: WAIT reached its deadline.
 * - ENODEV: the node's vGPU was destroyed or the device unplugged; every
 *   later ioctl on the file fails this way.
 * - EMFILE: the GPU already has GPUCORE_MAX_CHANNELS channels. The default
 *   per-vGPU limits add up to that, so only an administrator raising them
 *   (overcommitting the GPU) lets tenants meet it.
 */
#ifndef _UAPI_GPUCORE_H_
#define _UAPI_GPUCORE_H_

#include "drm.h"
#include "gpucore_limits.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* Bumped on any incompatible change; new features are feature bits. */
#define GPUCORE_ABI_VERSION		1

/* Feature bits reported in drm_gpucore_info.features. */
#define GPUCORE_FEAT_SYNCOBJ		(1ULL << 0)	/* in/out fences via DRM syncobj */
#define GPUCORE_FEAT_JOB_QUERY		(1ULL << 1)	/* DRM_IOCTL_GPUCORE_JOB_QUERY */
#define GPUCORE_FEAT_WAIT		(1ULL << 2)	/* DRM_IOCTL_GPUCORE_WAIT */
#define GPUCORE_FEAT_VGPU		(1ULL << 3)	/* per-vGPU device nodes */
#define GPUCORE_FEAT_BPF_SCHED		(1ULL << 4)	/* BPF struct_ops scheduling */
#define GPUCORE_FEAT_CMD_FLAGS		(1ULL << 5)	/* GPUCORE_CMD_NOPREEMPT, GPUCORE_CMD_HANG */

#define GPUCORE_MAX_CMDS_PER_JOB	64
#define GPUCORE_MAX_JOBS_PER_SUBMIT	256
#define GPUCORE_MAX_QUEUED_JOBS		4096	/* per channel, not yet completed */
#define GPUCORE_MAX_SPIN_NS		(10ULL * 1000 * 1000 * 1000)	/* 10 s per command */
#define GPUCORE_NAME_LEN		32

/*
 * A vGPU's scheduling weight (its share of engine time against the other
 * vGPUs': 1..the maximum) and its cap (most engine time in percent; 0: none).
 */
#define GPUCORE_VGPU_WEIGHT_DEFAULT	100
#define GPUCORE_VGPU_WEIGHT_MAX		10000
#define GPUCORE_VGPU_CAP_MAX		100

/*
 * Per-vGPU limits on the GPU's shared pools (sysfs vgpus/NAME/max_channels
 * and max_jobs, 1..the maximum; EDQUOT when reached). The default channel
 * limit is an equal slice of the GPU's channels for every vGPU it can have,
 * so no tenant can starve another of channels; the default job limit lets
 * each of those channels keep 64 jobs in flight.
 */
#define GPUCORE_VGPU_CHANNELS_DEFAULT	(GPUCORE_MAX_CHANNELS / GPUCORE_MAX_VGPUS)
#define GPUCORE_VGPU_JOBS_DEFAULT	(GPUCORE_VGPU_CHANNELS_DEFAULT * 64)
#define GPUCORE_VGPU_JOBS_MAX		(GPUCORE_MAX_CHANNELS * GPUCORE_MAX_QUEUED_JOBS)

enum gpucore_engine_class {
	GPUCORE_ENGINE_CLASS_COMPUTE	= 0,
	GPUCORE_ENGINE_CLASS_COPY	= 1,
	GPUCORE_ENGINE_CLASS_COUNT
};

/**
 * struct drm_gpucore_engine_info - one engine, in drm_gpucore_info
 * @id: engine index within the GPU (0..num_engines-1)
 * @engine_class: enum gpucore_engine_class
 * @instance: index within its class
 * @pad: zero
 * @busy_ns: engine time used by the caller's vGPU on this engine
 */
struct drm_gpucore_engine_info {
	__u32 id;
	__u32 engine_class;
	__u32 instance;
	__u32 pad;
	__u64 busy_ns;
};

/**
 * struct drm_gpucore_info - DRM_IOCTL_GPUCORE_INFO: device and node facts
 * @flags: in, must be 0
 * @abi_version: out, GPUCORE_ABI_VERSION of the driver
 * @features: out, GPUCORE_FEAT_* bits
 * @gpu_id: out, index of the physical GPU
 * @vgpu_id: out, vGPU this node belongs to (0: the host tenant)
 * @num_engines: out, valid entries in @engines
 * @weight: out, the vGPU's scheduling weight
 * @cap: out, the vGPU's cap in percent of engine time (0: none)
 * @pad: zero
 * @vram_size: out, video memory the vGPU may allocate (its quota)
 * @vram_used: out, video memory the vGPU has allocated
 * @timeslice_ns: out, default timeslice
 * @vgpu_name: out, NUL-terminated vGPU name
 * @engines: out, the engines
 * @reserved: must be 0
 */
struct drm_gpucore_info {
	__u32 flags;
	__u32 abi_version;
	__u64 features;
	__u32 gpu_id;
	__u32 vgpu_id;
	__u32 num_engines;
	__u32 weight;
	__u32 cap;
	__u32 pad;
	__u64 vram_size;
	__u64 vram_used;
	__u64 timeslice_ns;
	char vgpu_name[GPUCORE_NAME_LEN];
	struct drm_gpucore_engine_info engines[GPUCORE_MAX_ENGINES];
	__u64 reserved[4];
};

/* drm_gpucore_channel_create.flags */
#define GPUCORE_CHANNEL_ENGINE_INSTANCE	(1u << 0)	/* bind to @instance, not the least loaded */
#define GPUCORE_CHANNEL_INTERACTIVE	(1u << 1)	/* latency class hint for policies */
#define GPUCORE_CHANNEL_FLAGS		(GPUCORE_CHANNEL_ENGINE_INSTANCE | \
					 GPUCORE_CHANNEL_INTERACTIVE)

/**
 * struct drm_gpucore_channel_create - DRM_IOCTL_GPUCORE_CHANNEL_CREATE
 * @engine_class: in, enum gpucore_engine_class
 * @flags: in, GPUCORE_CHANNEL_*
 * @instance: in, engine instance within the class when
 *	GPUCORE_CHANNEL_ENGINE_INSTANCE is set, else must be 0
 * @handle: out, per-file channel handle (never 0)
 * @engine: out, engine id the channel is bound to
 * @id: out, channel id, unique across GPUs while the channel exists (as
 *	in tracepoints, debugfs and BPF policies)
 * @reserved: must be 0
 *
 * Fails with -EDQUOT when the vGPU has its max_channels channels, -EMFILE
 * when the GPU has GPUCORE_MAX_CHANNELS.
 */
struct drm_gpucore_channel_create {
	__u32 engine_class;
	__u32 flags;
	__u32 instance;
	__u32 handle;
	__u32 engine;
	__u32 id;
	__u64 reserved;
};

/**
 * struct drm_gpucore_channel_destroy - DRM_IOCTL_GPUCORE_CHANNEL_DESTROY
 * @handle: in, channel handle
 * @flags: in, must be 0
 *
 * Jobs not completed yet are failed with -ECANCELED; their fences signal.
 */
struct drm_gpucore_channel_destroy {
	__u32 handle;
	__u32 flags;
};

/**
 * struct drm_gpucore_bo_create - DRM_IOCTL_GPUCORE_BO_CREATE
 * @size: in, bytes (rounded up to the page size), 1..the vGPU's quota
 * @flags: in, must be 0
 * @handle: out, GEM handle
 * @reserved: must be 0
 *
 * Fails with -ENOSPC when the vGPU's video memory quota or the GPU's video
 * memory would be exceeded.
 */
struct drm_gpucore_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 reserved;
};

/**
 * struct drm_gpucore_bo_mmap_offset - DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET
 * @handle: in, GEM handle
 * @flags: in, must be 0
 * @offset: out, fake offset to pass to mmap() on the same fd
 */
struct drm_gpucore_bo_mmap_offset {
	__u32 handle;
	__u32 flags;
	__u64 offset;
};

enum gpucore_cmd_op {
	GPUCORE_CMD_SPIN	= 1,	/* occupy the engine for @size ns (preemptible unless flagged) */
	GPUCORE_CMD_FILL	= 2,	/* fill dst[dst_offset, +size) with the u32 @value */
	/* copy src[src_offset, +size) to dst[dst_offset, +size); the two may not overlap */
	GPUCORE_CMD_COPY	= 3,
};

/*
 * drm_gpucore_cmd.flags, SPIN only (-EINVAL on another op):
 *
 * GPUCORE_CMD_NOPREEMPT: once started, the SPIN runs to its end: the
 *   engine switches to another channel (timeslice end, a policy's kick)
 *   only after it, as with a draw call or a kernel on hardware without
 *   mid-command preemption. A job timeout still stops it.
 * GPUCORE_CMD_HANG: the SPIN never ends, as a hung shader: @size must be 0
 *   and GPUCORE_CMD_NOPREEMPT set. Refused with -EINVAL while the GPU's
 *   job timeout is 0 (nothing would stop it); if the timeout is set to 0
 *   after the submit, the job is stopped as hung when it starts. For
 *   testing recovery.
 *
 * Job timeout: any job that has used more engine time than the GPU's job
 * timeout (sysfs job_timeout_ms, default 10 s, 0: none) is hung, whatever
 * its commands: the engine stops it, its fence signals -ETIMEDOUT, the
 * jobs queued behind it on its channel -ECANCELED, and SUBMIT on the
 * channel fails with -EIO from then on.
 */
#define GPUCORE_CMD_NOPREEMPT		(1U << 0)
#define GPUCORE_CMD_HANG		(1U << 1)
#define GPUCORE_CMD_FLAGS		(GPUCORE_CMD_NOPREEMPT | GPUCORE_CMD_HANG)

/**
 * struct drm_gpucore_cmd - one command of a job
 * @op: enum gpucore_cmd_op
 * @flags: GPUCORE_CMD_* (SPIN only), 0 otherwise
 * @dst_handle: FILL/COPY destination BO (must be 0 for SPIN)
 * @src_handle: COPY source BO (must be 0 otherwise)
 * @dst_offset: byte offset into the destination; FILL: multiple of 4
 * @src_offset: byte offset into the source
 * @size: SPIN: nanoseconds (<= GPUCORE_MAX_SPIN_NS); FILL/COPY: bytes
 *	(FILL: multiple of 4); ranges must lie inside their BOs
 * @value: FILL pattern in the low 32 bits, upper 32 bits must be 0
 *
 * COPY within one BO (source and destination the same buffer object, even
 * under two handles) is allowed when the two ranges do not overlap
 * (adjacent ranges do not). Overlapping ranges are refused with -EINVAL at
 * SUBMIT: there are no memmove semantics, since the engine copies in
 * chunks with preemption points between them.
 */
struct drm_gpucore_cmd {
	__u32 op;
	__u32 flags;
	__u32 dst_handle;
	__u32 src_handle;
	__u64 dst_offset;
	__u64 src_offset;
	__u64 size;
	__u64 value;
};

/*
 * drm_gpucore_job.flags
 *
 * GPUCORE_JOB_IN_SYNCOBJ: the job waits for the fence @in_syncobj holds at
 * SUBMIT (-EINVAL if it holds none, or holds another vGPU's job fence: see
 * "Tenants" at the top of this file). If that fence signals with an error,
 * the job fails with the same error without executing its commands: its
 * fence signals with it, JOB_QUERY reports it as the status and the
 * channel counts the job as failed. It does so in its turn, the channel's
 * jobs completing in order; later jobs of the channel run normally.
 */
#define GPUCORE_JOB_IN_SYNCOBJ		(1u << 0)	/* wait for @in_syncobj's fence first */
#define GPUCORE_JOB_OUT_SYNCOBJ		(1u << 1)	/* put the job's fence into @out_syncobj */
#define GPUCORE_JOB_FLAGS		(GPUCORE_JOB_IN_SYNCOBJ | GPUCORE_JOB_OUT_SYNCOBJ)

/**
 * struct drm_gpucore_job - one job of a submit
 * @cmds_ptr: user pointer to @num_cmds struct drm_gpucore_cmd
 * @num_cmds: 0..GPUCORE_MAX_CMDS_PER_JOB (0: an empty job, completes at once
 *	when it reaches the engine)
 * @flags: GPUCORE_JOB_*
 * @in_syncobj: syncobj handle when GPUCORE_JOB_IN_SYNCOBJ, else 0
 * @out_syncobj: syncobj handle when GPUCORE_JOB_OUT_SYNCOBJ, else 0
 */
struct drm_gpucore_job {
	__u64 cmds_ptr;
	__u32 num_cmds;
	__u32 flags;
	__u32 in_syncobj;
	__u32 out_syncobj;
};

/**
 * struct drm_gpucore_submit - DRM_IOCTL_GPUCORE_SUBMIT
 * @channel: in, channel handle
 * @flags: in, must be 0
 * @jobs_ptr: in, user pointer to @num_jobs struct drm_gpucore_job
 * @num_jobs: in, 1..GPUCORE_MAX_JOBS_PER_SUBMIT
 * @pad: must be 0
 * @seqno: out, sequence number of the first job; the others follow by one
 * @reserved: must be 0
 *
 * All or nothing: either every job is queued or none is. -EAGAIN when the
 * channel would have more than GPUCORE_MAX_QUEUED_JOBS jobs not completed,
 * -EDQUOT when the vGPU would have more than its max_jobs over all of its
 * channels.
 */
struct drm_gpucore_submit {
	__u32 channel;
	__u32 flags;
	__u64 jobs_ptr;
	__u32 num_jobs;
	__u32 pad;
	__u64 seqno;
	__u64 reserved;
};

/**
 * struct drm_gpucore_wait - DRM_IOCTL_GPUCORE_WAIT
 * @channel: in, channel handle
 * @flags: in, must be 0
 * @seqno: in, wait until the channel's job @seqno has completed
 * @timeout_ns: in, absolute CLOCK_MONOTONIC deadline; -ETIME when reached
 */
struct drm_gpucore_wait {
	__u32 channel;
	__u32 flags;
	__u64 seqno;
	__s64 timeout_ns;
};

/* drm_gpucore_job_query.state */
#define GPUCORE_JOB_QUEUED	1
#define GPUCORE_JOB_RUNNING	2
#define GPUCORE_JOB_DONE	3

/**
 * struct drm_gpucore_job_query - DRM_IOCTL_GPUCORE_JOB_QUERY
 * @channel: in, channel handle
 * @flags: in, must be 0
 * @seqno: in, job sequence number; the last GPUCORE_MAX_QUEUED_JOBS
 *	completed jobs are remembered, older ones give -ENODATA
 * @state: out, GPUCORE_JOB_*
 * @status: out, 0 or a negative errno the job failed with (such as its
 *	in-fence's error, see GPUCORE_JOB_IN_SYNCOBJ)
 * @submit_ns: out, CLOCK_MONOTONIC time of submission
 * @start_ns: out, when the job first ran on the engine (0: not yet, or
 *	never: it failed without running)
 * @end_ns: out, when it completed (0: not yet)
 * @busy_ns: out, engine time the job used
 */
struct drm_gpucore_job_query {
	__u32 channel;
	__u32 flags;
	__u64 seqno;
	__u32 state;
	__s32 status;
	__u64 submit_ns;
	__u64 start_ns;
	__u64 end_ns;
	__u64 busy_ns;
};

/**
 * struct drm_gpucore_channel_stats - DRM_IOCTL_GPUCORE_CHANNEL_STATS
 * @channel: in, channel handle
 * @flags: in, must be 0
 * @submitted: out, jobs submitted
 * @completed: out, jobs completed successfully
 * @failed: out, jobs completed with an error
 * @queued: out, jobs submitted and not completed
 * @preemptions: out, times the channel was preempted
 * @busy_ns: out, engine time used
 * @last_seqno: out, seqno of the last completed job (0: none)
 * @wait_ns: out, sum of submit-to-start latencies
 * @latency_ns: out, sum of submit-to-complete latencies
 * @reserved: must be 0
 */
struct drm_gpucore_channel_stats {
	__u32 channel;
	__u32 flags;
	__u64 submitted;
	__u64 completed;
	__u64 failed;
	__u64 queued;
	__u64 preemptions;
	__u64 busy_ns;
	__u64 last_seqno;
	__u64 wait_ns;
	__u64 latency_ns;
	__u64 reserved[2];
};

/**
 * struct drm_gpucore_nop - DRM_IOCTL_GPUCORE_NOP: does nothing
 * @flags: in, must be 0
 * @pad: must be 0
 *
 * The floor cost of entering the driver, for benchmarks.
 */
struct drm_gpucore_nop {
	__u32 flags;
	__u32 pad;
};

#define DRM_GPUCORE_INFO		0x00
#define DRM_GPUCORE_CHANNEL_CREATE	0x01
#define DRM_GPUCORE_CHANNEL_DESTROY	0x02
#define DRM_GPUCORE_BO_CREATE		0x03
#define DRM_GPUCORE_BO_MMAP_OFFSET	0x04
#define DRM_GPUCORE_SUBMIT		0x05
#define DRM_GPUCORE_WAIT		0x06
#define DRM_GPUCORE_JOB_QUERY		0x07
#define DRM_GPUCORE_CHANNEL_STATS	0x08
#define DRM_GPUCORE_NOP			0x09

#define DRM_IOCTL_GPUCORE_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_INFO, struct drm_gpucore_info)
#define DRM_IOCTL_GPUCORE_CHANNEL_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_CHANNEL_CREATE, struct drm_gpucore_channel_create)
#define DRM_IOCTL_GPUCORE_CHANNEL_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_GPUCORE_CHANNEL_DESTROY, struct drm_gpucore_channel_destroy)
#define DRM_IOCTL_GPUCORE_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_BO_CREATE, struct drm_gpucore_bo_create)
#define DRM_IOCTL_GPUCORE_BO_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_BO_MMAP_OFFSET, struct drm_gpucore_bo_mmap_offset)
#define DRM_IOCTL_GPUCORE_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_SUBMIT, struct drm_gpucore_submit)
#define DRM_IOCTL_GPUCORE_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_GPUCORE_WAIT, struct drm_gpucore_wait)
#define DRM_IOCTL_GPUCORE_JOB_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_JOB_QUERY, struct drm_gpucore_job_query)
#define DRM_IOCTL_GPUCORE_CHANNEL_STATS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_GPUCORE_CHANNEL_STATS, struct drm_gpucore_channel_stats)
#define DRM_IOCTL_GPUCORE_NOP \
	DRM_IOW(DRM_COMMAND_BASE + DRM_GPUCORE_NOP, struct drm_gpucore_nop)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUCORE_H_ */
