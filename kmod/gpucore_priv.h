/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore: internal definitions shared by the module's files.
 */

/**
 * DOC: Layers
 *
 * Each file calls only the files listed below it, never one above; a
 * lower file reaches a higher one only through an ops table the higher one
 * registers (as drm_sched calls a driver through drm_sched_backend_ops)::
 *
 *   gpucore_drv.c      module parameters, GPUs, the DRM driver: brings up
 *                      and tears down everything below
 *   gpucore_ioctl.c    the ioctl ABI (include/uapi/gpucore.h)
 *   gpucore_debugfs.c  state dumps
 *   gpucore_mon.c      the monitor's kfuncs: consistent copies of the
 *                      accounting for a syscall BPF program
 *   gpucore_gem.c      buffer objects
 *   gpucore_vgpu.c     vGPUs: partitions with weight, cap, memory quota, a
 *                      DRM device each, administered through sysfs
 *   gpucore_hw.c       the emulated engines, two backends: executes the
 *                      jobs the core hands it (struct gpucore_backend_ops,
 *                      gpucore_backend.h) and reports back; in fw_sched
 *                      mode it also schedules them itself
 *   gpucore_vdev.c     the gpucore virtual device (a vGPU seen from inside
 *                      a VM) as a self-scheduled backend
 *   gpucore_bpf.c      BPF policies: the struct_ops, its kfuncs, the
 *                      watchdog and ejection; consulted by the core
 *                      through struct gpucore_policy_class
 *   gpucore_sched.c    scheduler core: channels, jobs, runlists, every
 *                      scheduling decision (slice expiry, preemption,
 *                      hangs), accounting, the built-in round robin
 *   gpucore_dsq.c      dispatch queues, the data structure (FIFO or vtime)
 *   gpucore_fault.c, gpucore_trace.h: fault injection, tracepoints
 *
 * Above them all, as a module of its own, gpucore_vfio.c (mediated devices
 * for virtual machines) calls only what gpucore_api.h declares.
 */
#ifndef _GPUCORE_PRIV_H_
#define _GPUCORE_PRIV_H_

#include <linux/dma-fence.h>
#include <linux/irq_work.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>

#include "gpucore.h"	/* include/uapi/gpucore.h */
#include "gpucore_hist.h"	/* include/uapi/gpucore_hist.h */
#include "gpucore_api.h"
#include "gpucore_sched.h"	/* include/uapi/gpucore_sched.h */
#include "gpucore_policy.h"
#include "gpucore_backend.h"

#define GPUCORE_DATA_CHUNK	(256 * 1024)	/* FILL/COPY bytes between preemption points */

/* Per-GPU device settings (module parameters, then sysfs of each GPU). */
#define GPUCORE_SWITCH_COST_MAX_US	10000
#define GPUCORE_JOB_TIMEOUT_DEFAULT_MS	10000
#define GPUCORE_JOB_TIMEOUT_MIN_MS	100
#define GPUCORE_JOB_TIMEOUT_MAX_MS	600000

static inline bool gpucore_switch_cost_valid(u32 us)
{
	return us <= GPUCORE_SWITCH_COST_MAX_US;
}

static inline bool gpucore_job_timeout_valid(u32 ms)
{
	return !ms || (ms >= GPUCORE_JOB_TIMEOUT_MIN_MS && ms <= GPUCORE_JOB_TIMEOUT_MAX_MS);
}

struct gpucore_gpu;
struct gpucore_vgpu;
struct gpucore_channel;

/* Why a channel left its engine (tracepoint and policy "reason"). */
enum gpucore_switch_reason {
	GPUCORE_SWITCH_PREEMPTED = GPUCORE_STOP_PREEMPTED,
	GPUCORE_SWITCH_DRAINED = GPUCORE_STOP_DRAINED,
	GPUCORE_SWITCH_BLOCKED = GPUCORE_STOP_BLOCKED,
	GPUCORE_SWITCH_KICKED = GPUCORE_STOP_KICKED,
	GPUCORE_SWITCH_DESTROYED = GPUCORE_STOP_DESTROYED,
	GPUCORE_SWITCH_EXPIRED = GPUCORE_STOP_EXPIRED,
};

enum gpucore_ch_state {
	GPUCORE_CH_IDLE,	/* nothing ready to run */
	GPUCORE_CH_QUEUED,	/* runnable, waiting for its engine */
	GPUCORE_CH_RUNNING,	/* on its engine */
};

/* Switch lateness histogram: 1 us buckets below 128 us, then powers of two. */
#define GPUCORE_LATE_LINEAR	128
#define GPUCORE_LATE_BUCKETS	(GPUCORE_LATE_LINEAR + 16)

/**
 * struct gpucore_dsq - a dispatch queue (gpucore_dsq.c)
 * @id: GPUCORE_DSQ_LOCAL_ON(engine) for an engine's own, else the policy's
 * @engine_class: the class of the channels it may hold
 * @nr: channels in it
 * @vtime: ordered by virtual time (@priq), else FIFO (@fifo)
 * @fifo: FIFO order
 * @priq: vtime order
 *
 * Protected by the GPU lock.
 */
struct gpucore_dsq {
	u64 id;
	u32 engine_class;
	u32 nr;
	bool vtime;
	struct list_head fifo;
	struct rb_root_cached priq;
};

struct gpucore_late_hist {
	u64 count;
	u64 max_ns;
	u32 bucket[GPUCORE_LATE_BUCKETS];
};

/**
 * struct gpucore_engine - one engine, as the scheduler core sees it
 * @be: the backend's own state of the engine; only the backend reads it
 *
 * Fields below @lock_protected are the scheduler core's, protected by the
 * GPU's @lock; layers above read them under that lock, and the backend
 * reads none of them.
 */
struct gpucore_engine {
	struct gpucore_gpu *gpu;
	u32 gpu_id;			/* gpu->id, for BPF (as gpucore_channel's) */
	u32 id;
	u32 engine_class;
	u32 instance;
	char name[16];
	void *be;
	/* lock_protected */
	struct list_head runlist;	/* QUEUED channels, oldest first */
	struct gpucore_dsq local;	/* what it runs next under a policy */
	u32 nr_queued;
	u32 nr_channels;		/* channels bound to this engine */
	struct gpucore_channel *cur;	/* RUNNING channel, or NULL */
	struct gpucore_channel *prev;	/* last to run, while it exists */
	u64 slice_ns;			/* timeslice of @cur, in engine time */
	u64 slice_busy;			/* @cur's busy_ns when its slice began */
	u64 switched_in;		/* when @cur was switched in */
	u64 busy_at_in;			/* @cur's busy_ns then */
	struct gpucore_job *run_job;	/* the job the backend runs, or NULL */
	bool preempt;			/* switch @cur out once it had its quantum */
	u64 kicks;			/* kicks received (policy or core) */
	u64 kicks_held;			/* preempting kicks held for the minimum quantum */
	u64 busy_ns;
	u64 switches;
	u64 preemptions;
	u64 decisions;
	u64 decision_ns;		/* time spent choosing what runs next */
	/* all scheduling: runnable, switch out, choose, switch in, callbacks */
	u64 sched_ns;
	u64 idle_since;			/* when it last found nothing to run */
	u64 switch_ns;			/* context switch overhead, charged to nobody */
	u64 ctx_switches;		/* context switches that cost @switch_ns */
	u64 resets;			/* jobs stopped as hung */
	u64 jobs_completed;
	u64 jobs_failed;
	struct gpucore_late_hist late;	/* switches after their due time */
};

/**
 * struct gpucore_gpu - one emulated physical GPU
 * @lock: the scheduler lock: runlists, channel states and job queues of
 *	every channel of this GPU; taken with interrupts off, since fence
 *	callbacks may run in interrupt context
 */
struct gpucore_gpu {
	u32 id;
	struct platform_device *pdev;
	struct gpucore_vgpu *host;
	struct mutex vgpu_lock;		/* vGPU create/destroy */
	struct xarray vgpus;		/* id -> vgpu, under @vgpu_lock */
	struct kobject *vgpus_kobj;
	spinlock_t lock;
	atomic_t nr_channels;
	struct gpucore_sched_ops *policy;	/* BPF policy, or NULL; under @lock */
	struct gpucore_dsq_set *dsqs;	/* the policy's queues; under @lock */
	struct delayed_work tick_work;	/* policy tick and watchdog */
	const struct gpucore_backend_ops *backend;
	void *be;			/* the backend's own state of this GPU */
	u32 kick_pending;		/* engines to re-evaluate; under @lock */
	u32 preempt_pending;		/* of those, the ones asked to preempt */
	struct work_struct kick_work;	/* kicks left over by a flush */
	struct irq_work kick_irq_work;	/* kicks from in-fence callbacks */
	u64 switch_cost_ns;		/* per switch-in; the backend reads it */
	u64 job_timeout_ns;		/* engine time before a job hangs; 0: never */
	u32 num_engines;
	struct gpucore_engine engines[GPUCORE_MAX_ENGINES];
	u64 vram_size;
	atomic64_t vram_used;
	u64 timeslice_ns;
	struct dentry *debugfs;
};

/**
 * struct gpucore_vgpu - a tenant of a GPU with its own DRM device
 * @kobj: reference count and sysfs directory (vgpus/<name>)
 * @dev: the vGPU's device, a child of the GPU's platform device: the
 *	parent of its DRM device, so every vGPU has its own sysfs device,
 *	DRM debugfs directory and primary/render node pair
 * @drm: the vGPU's DRM device (its render node is the tenant's door)
 *
 * Scheduling parameters (@weight, @cap) and limits (@mem_quota,
 * @max_channels, @max_jobs) may change at any time; readers use
 * READ_ONCE(). A limit lowered below current use refuses new charges and
 * takes nothing away.
 */
struct gpucore_vgpu {
	struct kobject kobj;
	struct gpucore_gpu *gpu;
	u32 gpu_id;			/* gpu->id, for BPF (as gpucore_channel's) */
	struct device *dev;
	struct drm_device *drm;
	u32 id;
	u64 uid;			/* never reused, unlike @id: tags its job fences */
	char name[GPUCORE_NAME_LEN];
	u32 weight;
	u32 cap;
	u32 sched_class;		/* GPUCORE_CLASS_* */
	u64 mem_quota;
	atomic64_t mem_used;
	u32 max_channels;		/* limit of @nr_channels */
	u32 max_jobs;			/* limit of @nr_jobs */
	struct device *frontend;	/* its owner's device (gpucore_vgpu_set_device()) */
	bool dead;			/* destroyed; under gpu->lock */
	struct list_head channels;	/* under gpu->lock */
	u32 nr_channels;		/* under gpu->lock, with those being created */
	u32 nr_channels_on[GPUCORE_MAX_ENGINES];	/* per engine, under gpu->lock */
	u32 nr_jobs;			/* pending on its channels; under gpu->lock */
	/* accounting, under gpu->lock */
	u64 busy_ns[GPUCORE_MAX_ENGINES];
	u64 jobs_submitted;
	u64 jobs_completed;
	u64 jobs_failed;
	u64 resets;			/* its jobs stopped as hung */
	struct gpucore_hists hists;	/* of its completed jobs */
	u64 policy_data[GPUCORE_POLICY_DATA];	/* the policy's own; policy-writable */
};

/**
 * struct gpucore_file - per open file of a gpucore node
 */
struct gpucore_file {
	struct gpucore_vgpu *vgpu;	/* holds a reference */
	struct drm_file *drm_file;
	struct xarray channels;		/* handle -> channel (holds a ref) */
	u64 busy_ns[GPUCORE_ENGINE_CLASS_COUNT];	/* under gpu->lock */
};

/* Completed-job record, kept in a per-channel ring for JOB_QUERY. */
struct gpucore_job_rec {
	u64 seqno;
	u64 submit_ns;
	u64 start_ns;
	u64 end_ns;
	u64 busy_ns;
	s32 status;
};

/**
 * struct gpucore_channel - a submission queue bound to one engine
 *
 * Reference counted: the owning file's handle table, the GPU's id table
 * and every pending job hold a reference.
 */
struct gpucore_channel {
	struct kref ref;
	struct rcu_head rcu;		/* freed after a grace period: BPF looks ids up */
	struct gpucore_gpu *gpu;
	struct gpucore_vgpu *vgpu;	/* holds a reference */
	struct gpucore_engine *engine;
	/*
	 * gpu->id, engine->id and vgpu->id, fixed for the channel's life: a
	 * BPF program reads them without walking a pointer, each walk costing
	 * the 6.12 verifier a linear search of the kernel's BTF.
	 */
	u32 gpu_id;
	u32 engine_id;
	u32 vgpu_id;
	struct gpucore_file *fpriv;	/* NULL once destroyed; under gpu->lock */
	u32 id;				/* module-wide, never reused while alive */
	u32 sched_class;		/* GPUCORE_CLASS_* from CHANNEL_CREATE */
	u64 client_id;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u64 fence_context;
	struct mutex submit_lock;	/* serialises submits and destroy */
	wait_queue_head_t done_wq;
	/* under gpu->lock */
	enum gpucore_ch_state state;
	bool dead;			/* being destroyed */
	bool gone;			/* destroyed: off its engine, jobs retired */
	bool guilty;			/* a job hung: refuses submits (-EIO) */
	struct list_head jobs;		/* pending jobs in submission order */
	struct list_head rl_node;	/* on engine->runlist while QUEUED */
	struct list_head vgpu_node;	/* on vgpu->channels */
	u64 next_seqno;			/* seqno of the next job */
	u64 last_done;			/* highest completed seqno */
	u32 nr_pending;
	u64 runnable_since;		/* when it last became QUEUED (BPF reads it) */
	/* the policy's view: a queue, a vtime, a slice, its own data */
	struct gpucore_dsq *dsq;	/* the queue it is in, or NULL */
	struct list_head dsq_node;	/* in a FIFO queue */
	struct rb_node dsq_rb;		/* in a vtime queue */
	u64 dsq_vtime;			/* policy-writable */
	u64 slice_ns;			/* policy-writable; 0: the default */
	u64 policy_data[GPUCORE_POLICY_DATA];	/* policy-writable */
	/*
	 * When it last made progress: was given engine time, completed a job,
	 * or became runnable from idle. The watchdog judges this, not how
	 * often the channel was dispatched.
	 */
	u64 last_progress;
	u64 submitted;
	u64 completed;
	u64 failed;
	u64 preemptions;
	u64 busy_ns;
	u64 wait_ns;
	u64 latency_ns;
	struct gpucore_hists hists;	/* of its completed jobs */
	struct gpucore_job_rec *ring;	/* completed jobs, by seqno % ring_size */
	u32 ring_size;			/* grows to GPUCORE_MAX_QUEUED_JOBS */
};

struct gpucore_bo {
	struct drm_gem_shmem_object base;
	struct gpucore_vgpu *vgpu;	/* charged for the memory; holds a ref */
	void *vaddr;			/* kernel mapping used by the engines */
	size_t size;
};

/*
 * A command resolved at submit: BOs referenced (none for a front end's
 * own mappings), ranges checked, the bytes' kernel addresses set.
 */
struct gpucore_cmd {
	u32 op;
	u32 flags;			/* GPUCORE_CMD_NOPREEMPT, GPUCORE_CMD_HANG */
	u32 value;
	struct gpucore_bo *dst;
	struct gpucore_bo *src;
	void *dst_ptr;			/* FILL, COPY: first byte written */
	const void *src_ptr;		/* COPY: first byte read */
	u64 size;
};

/* Commands a job holds in itself; a job of more has them allocated. */
#define GPUCORE_JOB_INLINE_CMDS	4

/**
 * struct gpucore_job - a job; its embedded fence owns its lifetime
 *
 * Jobs come from a SLAB_TYPESAFE_BY_RCU cache (gpucore_job_alloc()): a
 * released job's memory may be another job's before a grace period ends,
 * which dma_fence_get_rcu_safe() readers allow for. @fence_lock is set up
 * once, by the cache's constructor, since such a reader may take it; the
 * fields after it (@zeroed) are cleared by gpucore_job_alloc().
 */
struct gpucore_job {
	struct dma_fence fence;
	spinlock_t fence_lock;
	struct_group(zeroed,	/* by gpucore_job_alloc() */
		struct gpucore_gpu *gpu;
		struct gpucore_channel *ch;	/* holds a reference until completion */
		u64 vgpu_uid;			/* its vGPU's uid, for as long as the fence lives */
		struct list_head node;		/* on ch->jobs, then a done list */
		struct llist_node retired;	/* waiting to drop its references */
		u64 seqno;
		bool ready;			/* in-fence signalled (or none) */
		bool done;
		int in_error;			/* the in-fence's error once it signalled, or 0 */
		struct dma_fence *in_fence;
		struct dma_fence_cb in_cb;
		u32 num_cmds;
		/* execution state, the backend's (gpucore_backend.h) */
		u32 cur;			/* command being executed */
		u64 progress;			/* ns (SPIN) or bytes done of @cur */
		struct list_head be_node;	/* on a self-scheduled backend's queue */
		u64 be_limit;			/* engine time left before it hangs, ditto */
		u32 be_ctx;			/* its context, ditto */
		u64 submit_ns;
		u64 start_ns;
		u64 end_ns;
		u64 busy_ns;
		int status;
		struct gpucore_cmd *cmds;	/* @num_cmds: @cmds_inline, or allocated */
	);
	struct gpucore_cmd cmds_inline[GPUCORE_JOB_INLINE_CMDS];
};

/* gpucore_drv.c */
extern const struct drm_driver gpucore_drm_driver;
extern atomic_t gpucore_live_jobs;
static inline struct gpucore_file *to_gpucore_file(struct drm_file *f)
{
	return f->driver_priv;
}

/* gpucore_vgpu.c */

int gpucore_vgpu_destroy(struct gpucore_vgpu *vgpu);

/**
 * gpucore_vgpu_get - take a vGPU reference
 * @vgpu: the vGPU
 */
static inline void gpucore_vgpu_get(struct gpucore_vgpu *vgpu)
{
	kobject_get(&vgpu->kobj);
}

/**
 * gpucore_vgpu_put - drop a vGPU reference
 * @vgpu: the vGPU
 *
 * Context: process context (the last one frees it, through its kobject).
 */
static inline void gpucore_vgpu_put(struct gpucore_vgpu *vgpu)
{
	kobject_put(&vgpu->kobj);
}
u64 gpucore_vgpu_busy_locked(struct gpucore_vgpu *vgpu);
u64 gpucore_vgpu_engine_busy_locked(struct gpucore_vgpu *vgpu, u32 i);
int gpucore_vgpu_sysfs_init(struct gpucore_gpu *gpu);
void gpucore_vgpu_sysfs_fini(struct gpucore_gpu *gpu);
void gpucore_vgpu_sysfs_put(struct gpucore_gpu *gpu);
void gpucore_vgpu_destroy_all(struct gpucore_gpu *gpu);

/**
 * struct gpucore_gpu_desc - what a GPU is brought up with
 * @backend: executes its work
 * @be: the backend's own state (&gpucore_gpu.be)
 * @parent: the device the GPU's platform device hangs off (NULL: none)
 * @num_compute: compute engines; one copy engine follows them
 * @vram_size: video memory in bytes
 */
struct gpucore_gpu_desc {
	const struct gpucore_backend_ops *backend;
	void *be;
	struct device *parent;
	u32 num_compute;
	u64 vram_size;
};

/* gpucore_vdev.c */
struct pci_dev;
int gpucore_vdev_open(struct pci_dev *pdev, struct gpucore_gpu_desc *desc);
void gpucore_vdev_close(struct pci_dev *pdev);

/* gpucore_gem.c */
struct drm_gem_object *gpucore_gem_create_object(struct drm_device *dev, size_t size);
int gpucore_bo_create(struct drm_device *dev, struct drm_file *file, u64 size, u32 *handle);
static inline struct gpucore_bo *to_gpucore_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct gpucore_bo, base);
}

/* gpucore_dsq.c */
void gpucore_dsq_init(struct gpucore_dsq *dsq, u64 id, u32 engine_class);
int gpucore_dsq_enqueue(struct gpucore_dsq *dsq, struct gpucore_channel *ch, bool vtime);
void gpucore_dsq_dequeue(struct gpucore_channel *ch);
struct gpucore_channel *gpucore_dsq_first(struct gpucore_dsq *dsq);
struct gpucore_channel *gpucore_dsq_next(struct gpucore_channel *ch);
struct gpucore_channel *gpucore_dsq_first_on(struct gpucore_dsq *dsq, struct gpucore_engine *e,
					     u32 max);
void gpucore_dsq_clear(struct gpucore_dsq *dsq);
struct gpucore_dsq_set *gpucore_dsq_set_alloc(void);
int gpucore_dsq_set_add(struct gpucore_dsq_set *set, u64 id, u32 engine_class);
struct gpucore_dsq *gpucore_dsq_set_find(const struct gpucore_dsq_set *set, u64 id);
void gpucore_dsq_set_clear(struct gpucore_dsq_set *set);
void gpucore_dsq_set_free(struct gpucore_dsq_set *set);

/* gpucore_mon.c */
int gpucore_mon_init(struct gpucore_gpu *(*gpu_get)(u32 index));

/* gpucore_sched.c */
extern struct xarray gpucore_channel_ids;	/* module-wide channel id -> channel */
struct gpucore_channel *gpucore_channel_create(struct gpucore_file *fpriv,
					       struct gpucore_engine *engine, u32 sched_class);
void gpucore_channel_destroy(struct gpucore_channel *ch);
void gpucore_channel_put(struct gpucore_channel *ch);
struct gpucore_job *gpucore_job_alloc(struct gpucore_channel *ch, u32 num_cmds);
int gpucore_cmd_check(const struct drm_gpucore_cmd *c, struct gpucore_gpu *gpu);
void gpucore_job_free_unsubmitted(struct gpucore_job *job);
int gpucore_jobs_submit(struct gpucore_channel *ch, struct gpucore_job **jobs,
			u32 n, u64 *first_seqno);
struct gpucore_engine *gpucore_engine_pick(struct gpucore_vgpu *vgpu, u32 engine_class);
bool gpucore_fence_foreign(struct dma_fence *fence, const struct gpucore_vgpu *vgpu);
const struct gpucore_job_rec *gpucore_job_rec_find(struct gpucore_channel *ch, u64 seqno);
int gpucore_sched_gpu_init(struct gpucore_gpu *gpu, const struct gpucore_backend_ops *backend,
			   u32 num_compute);
void gpucore_sched_gpu_fini(struct gpucore_gpu *gpu);
int gpucore_sched_init(void);
void gpucore_sched_exit(void);
void gpucore_sched_retire_flush(void);
void gpucore_sched_kick(struct gpucore_engine *e, bool preempt);
void gpucore_sched_kick_idle(struct gpucore_gpu *gpu);
void gpucore_sched_unlock_irq(struct gpucore_gpu *gpu);
u64 gpucore_sched_inflight(struct gpucore_engine *e);
bool gpucore_sched_by_driver(const struct gpucore_gpu *gpu);
struct gpucore_channel *gpucore_sched_longest_waiting(struct gpucore_gpu *gpu);
void gpucore_sched_late_percentiles(const struct gpucore_late_hist *h, u64 *p50, u64 *p99);
void gpucore_sched_drop_queues(struct gpucore_gpu *gpu);

/**
 * struct gpucore_policy_class - how the scheduler core consults a policy
 *
 * gpucore_bpf.c registers one (gpucore_sched_set_policy_class()); without
 * one, or when @dispatch returns false, the built-in round robin decides.
 * While a policy is active an engine runs from its local queue
 * (&gpucore_engine.local) and calls @dispatch only when that is empty.
 * Every hook is called with the GPU lock held; see struct gpucore_sched_ops
 * for what each one tells the policy. A hook may ask for engines to be
 * re-evaluated with gpucore_sched_kick(); the core does that after the hook.
 */
struct gpucore_policy_class {
	bool (*active)(struct gpucore_gpu *gpu);
	void (*channel_init)(struct gpucore_channel *ch);
	void (*channel_exit)(struct gpucore_channel *ch);
	void (*runnable)(struct gpucore_channel *ch, u64 flags);
	void (*quiescent)(struct gpucore_channel *ch);
	bool (*dispatch)(struct gpucore_engine *e, struct gpucore_channel **pick);
	bool (*enq_last)(struct gpucore_gpu *gpu);
	void (*local_pick)(struct gpucore_engine *e);
	void (*running)(struct gpucore_channel *ch);
	void (*stopping)(struct gpucore_channel *ch, u64 ran_ns, u32 reason);
};
void gpucore_sched_set_policy_class(const struct gpucore_policy_class *cls);

/* gpucore_ioctl.c */
#define GPUCORE_NUM_IOCTLS (DRM_GPUCORE_NOP + 1)
extern const struct drm_ioctl_desc gpucore_ioctls[GPUCORE_NUM_IOCTLS];

/* gpucore_debugfs.c */
void gpucore_debugfs_init(struct gpucore_gpu *gpu, struct dentry *root);
void gpucore_debugfs_fini(struct gpucore_gpu *gpu);

/* gpucore_fault.c: fault injection; each fallible step asks first. */
bool gpucore_should_fail(void);
void gpucore_fault_init(struct dentry *dir);
void gpucore_fault_destroy_delay(void);
void gpucore_fault_retire_delay(void);
#define gpucore_fail_ptr(expr)		(gpucore_should_fail() ? NULL : (expr))
#define gpucore_fail_errptr(expr)	(gpucore_should_fail() ? ERR_PTR(-ENOMEM) : (expr))
#define gpucore_fail_int(expr)		(gpucore_should_fail() ? -ENOMEM : (expr))

#endif /* _GPUCORE_PRIV_H_ */
