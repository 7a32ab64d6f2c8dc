/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore: the BPF scheduling policy interface (struct_ops) and the hooks
 * the scheduler core calls at each state change of a channel.
 */
#ifndef _GPUCORE_POLICY_H_
#define _GPUCORE_POLICY_H_

#include <linux/types.h>

#include "gpucore_sched.h"

struct gpucore_gpu;
struct gpucore_vgpu;
struct gpucore_engine;
struct gpucore_channel;

/**
 * struct gpucore_exit_info - why a policy stopped
 * @kind: GPUCORE_EXIT_*
 * @pad: zero
 * @when_ns: CLOCK_MONOTONIC time it was decided
 * @reason: short fixed text for @kind (e.g. "invalid dispatch")
 * @msg: details: which channel, which engine, the policy's own message
 */
struct gpucore_exit_info {
	u32 kind;
	u32 pad;
	u64 when_ns;
	char reason[GPUCORE_EXIT_REASON_LEN];
	char msg[GPUCORE_EXIT_MSG_LEN];
};

/**
 * struct gpucore_sched_ops - a channel scheduling policy
 *
 * A BPF program set registered as a struct_ops map of this type takes over
 * the choice of which runnable channel each engine runs next, and for how
 * long. The scheduler core keeps the truth (which channels are runnable,
 * their jobs, the accounting); the policy only decides the order, and the
 * core validates each decision. See docs/policies.md ("Writing a
 * policy") and the DOC comment of gpucore_bpf.c.
 *
 * Calling context: unless said otherwise, a callback is called with the
 * channel's GPU scheduler lock held and interrupts off: it must not sleep,
 * and its work is serialised with every other callback of that GPU.
 * Callbacks of different GPUs may run at the same time on different CPUs.
 * Pointer arguments are trusted (valid for the duration of the call) and
 * never NULL unless marked nullable. Every callback is optional; only
 * @name is mandatory.
 *
 * Dispatch queues, as in sched_ext: each engine runs from its local queue
 * without calling the policy, and calls @dispatch only when that is
 * empty. A policy places a runnable channel in a queue with
 * gpucore_dsq_insert() or gpucore_dsq_insert_vtime(): straight into its
 * engine's local queue (GPUCORE_DSQ_LOCAL, direct dispatch), or into a
 * queue of its own (created in @init with gpucore_create_dsq(), FIFO or
 * ordered by virtual time), from which @dispatch moves channels to the
 * local queue with gpucore_dsq_move_to_local(). A channel is in at most
 * one queue, and the core takes it out when it runs or is destroyed: a
 * policy never has to forget one. A policy may also leave a runnable
 * channel in no queue (to hold it back) and place it later, or pick it
 * by id in @dispatch with gpucore_dispatch().
 *
 * Which kfunc each callback may call is in the kfunc's kernel-doc; the
 * verifier refuses a program that calls one from another callback. An
 * invalid call at run time ejects the policy (GPUCORE_EXIT_INVALID) with
 * the kfunc, the callback and what was wrong.
 *
 * The life of a channel, as the policy sees it:
 * channel_init, then any number of rounds of
 * runnable [it is placed in a queue] -> running -> stopping -> runnable or
 * quiescent, then (after quiescent, if it was runnable) channel_exit.
 */
struct gpucore_sched_ops {
	/**
	 * @init: the policy is being attached
	 *
	 * Called once, in process context without any lock, before any
	 * other callback; the only callback that may be sleepable
	 * (``SEC("struct_ops.s/init")``), and the only one that may create
	 * dispatch queues (gpucore_create_dsq()). Then @vgpu_init is called for every existing vGPU
	 * and @channel_init for every existing channel, followed by
	 * @runnable (GPUCORE_ENQ_ATTACH) for the runnable ones and @running
	 * for those on an engine.
	 *
	 * Return: 0, or a negative errno to refuse the attach (the attach
	 * fails with that error and exit kind GPUCORE_EXIT_INIT is recorded).
	 * If absent: nothing to set up.
	 */
	s32 (*init)(void);

	/**
	 * @exit: the policy has stopped
	 * @info: why: detached, replaced, or ejected (kind >=
	 *	GPUCORE_EXIT_ERROR_KINDS) with a reason and a message
	 *
	 * Called once, last, in process context without locks, after the
	 * built-in policy (or the replacing policy) has taken over every
	 * GPU: no other callback of this policy runs any more. The same
	 * information stays readable in sysfs (GPUCORE_POLICY_SYSFS).
	 */
	void (*exit)(struct gpucore_exit_info *info);

	/**
	 * @vgpu_init: a vGPU exists
	 * @vgpu: the vGPU; its id, weight, cap, sched_class can be read
	 *
	 * Called when a vGPU is created (and at attach for existing ones),
	 * before any @channel_init of its channels.
	 *
	 * Return: 0, or a negative errno: the policy is then ejected
	 * (GPUCORE_EXIT_INIT); the vGPU itself is created anyway.
	 */
	s32 (*vgpu_init)(struct gpucore_vgpu *vgpu);

	/**
	 * @vgpu_update: a vGPU's weight, cap or class changed
	 * @vgpu: the vGPU, with its new values
	 *
	 * If absent: the policy reads the values when it needs them.
	 */
	void (*vgpu_update)(struct gpucore_vgpu *vgpu);

	/**
	 * @vgpu_exit: a vGPU is being destroyed
	 * @vgpu: the vGPU; all its channels have had @channel_exit
	 */
	void (*vgpu_exit)(struct gpucore_vgpu *vgpu);

	/**
	 * @channel_init: a channel was created
	 * @ch: the channel: id, vgpu, engine, sched_class are set; it is
	 *	idle (not runnable yet)
	 *
	 * Return: 0, or a negative errno: the policy is then ejected
	 * (GPUCORE_EXIT_INIT); the channel is created anyway.
	 */
	s32 (*channel_init)(struct gpucore_channel *ch);

	/**
	 * @channel_exit: a channel is being destroyed
	 * @ch: the channel; it is neither runnable nor running (a runnable
	 *	one got @quiescent first)
	 */
	void (*channel_exit)(struct gpucore_channel *ch);

	/**
	 * @runnable: a channel joined its engine's runnable set
	 * @ch: the channel
	 * @flags: GPUCORE_ENQ_WAKEUP (it was idle and now has a ready job),
	 *	GPUCORE_ENQ_REQUEUE (it left its engine with work left: its
	 *	timeslice ended or it was kicked), GPUCORE_ENQ_ATTACH
	 *
	 * The enqueue point: the policy inserts it into a queue here (or
	 * later). Inserted into its engine's local queue, it runs in turn
	 * without another call. A runnable channel that gets no engine time
	 * for @timeout_ms, wherever it waits, ejects the policy (watchdog).
	 * If absent: the channel waits for @dispatch to pick it by id.
	 * @ch->runnable_since is the core's clock (ktime_get_ns()) when it
	 * joined, so now, unless @flags has GPUCORE_ENQ_ATTACH: a policy
	 * reads it instead of bpf_ktime_get_ns().
	 */
	void (*runnable)(struct gpucore_channel *ch, u64 flags);

	/**
	 * @quiescent: a channel left the runnable set without running
	 * @ch: the channel: it ran out of ready jobs or is being destroyed
	 *
	 * Also called after @stopping when the channel has nothing ready.
	 * A notification only: the core has already taken the channel out
	 * of any queue.
	 */
	void (*quiescent)(struct gpucore_channel *ch);

	/**
	 * @dispatch: an engine is idle and its local queue empty: fill it
	 * @engine: the engine (id, engine_class, gpu)
	 * @prev: the channel that ran last on @engine, or NULL (nullable:
	 *	it may have been destroyed, or nothing ran yet); it may be
	 *	runnable again
	 *
	 * The policy moves a channel to the local queue with
	 * gpucore_dsq_move_to_local() or gpucore_dsq_insert(), or picks one
	 * by id with gpucore_dispatch(@engine, channel_id, slice_ns), at most
	 * once per call, validated by the core (the channel must exist,
	 * belong to @engine's GPU, be bound to @engine and be runnable;
	 * anything else ejects the policy, GPUCORE_EXIT_INVALID). While a
	 * call moves channels without giving @engine one, it is called again,
	 * up to GPUCORE_DSP_MAX_LOOPS times. Choosing nothing leaves the
	 * engine idle until a channel becomes runnable,
	 * gpucore_kick_engine() or the next tick (every GPUCORE_TICK_MS
	 * while channels are queued): a policy may keep an engine idle on
	 * purpose (caps, fixed shares).
	 *
	 * If absent: the engine runs only what is inserted into its local
	 * queue.
	 */
	void (*dispatch)(struct gpucore_engine *engine, struct gpucore_channel *prev);

	/**
	 * @running: a channel was switched in on its engine
	 * @ch: the channel (the one just dispatched, or at attach one that
	 *	was already on an engine)
	 */
	void (*running)(struct gpucore_channel *ch);

	/**
	 * @stopping: a channel is being switched out
	 * @ch: the channel
	 * @ran_ns: engine time charged to @ch since it was switched in (what
	 *	its busy_ns, and its vGPU's, grew by in this run)
	 * @reason: GPUCORE_STOP_*
	 *
	 * Followed by @runnable (GPUCORE_ENQ_REQUEUE) if it still has ready
	 * work, else by @quiescent. A channel whose timeslice ends while no
	 * other channel is runnable on its engine runs on with a new slice,
	 * without a call, unless the policy sets GPUCORE_OPS_ENQ_LAST: then
	 * it is switched out (GPUCORE_STOP_EXPIRED) and the policy decides.
	 */
	void (*stopping)(struct gpucore_channel *ch, u64 ran_ns, u32 reason);

	/**
	 * @tick: periodic, every GPUCORE_TICK_MS, per GPU
	 * @gpu: the GPU (id)
	 *
	 * For time-based bookkeeping: budget refills, window roll-overs, and
	 * placing channels held back. After it, the core runs the watchdog
	 * and wakes idle engines that have runnable channels, so they call
	 * @dispatch again.
	 */
	void (*tick)(struct gpucore_gpu *gpu);

	/**
	 * @timeslice_ns: default timeslice for inserts and gpucore_dispatch()
	 * calls that pass 0; 0 means the GPU's default (module parameter timeslice_us).
	 * Must be 0 or within 10 us .. 1 s.
	 */
	u64 timeslice_ns;

	/**
	 * @timeout_ms: watchdog: a runnable channel waiting longer than this
	 * ejects the policy (GPUCORE_EXIT_STALL). 0: 5000; at most 30000.
	 */
	u32 timeout_ms;

	/**
	 * @budget_us: runtime budget of each callback called with a GPU lock
	 * held (all but @init and @exit), in microseconds: 0 means
	 * GPUCORE_CB_BUDGET_DEFAULT_US, else GPUCORE_CB_BUDGET_MIN_US ..
	 * GPUCORE_CB_BUDGET_MAX_US. Such a callback keeps interrupts off on
	 * its CPU and stalls every engine of its GPU, and BPF cannot be
	 * interrupted: they are timed (the hot ones one call in eight, see
	 * gpucore_sched.h), and a policy whose callbacks often run past the
	 * budget (GPUCORE_CB_STRIKES), or ran past GPUCORE_CB_BUDGET_MAX_US
	 * twice, is ejected (GPUCORE_EXIT_SLOW, naming the longest callback
	 * and how long it ran).
	 */
	u32 budget_us;

	/**
	 * @flags: GPUCORE_OPS_* (GPUCORE_OPS_ENQ_LAST: see @stopping);
	 * unknown bits are rejected at load.
	 */
	u32 flags;

	/**
	 * @name: the policy's name: 1 to GPUCORE_POLICY_NAME_LEN - 1 of
	 * [A-Za-z0-9_.-]; mandatory.
	 */
	char name[GPUCORE_POLICY_NAME_LEN];
};

/* gpucore_bpf.c: module init/exit */
struct dentry;
int gpucore_bpf_init(struct dentry *debugfs_root);
void gpucore_bpf_exit(void);
void gpucore_policy_gpu_init(struct gpucore_gpu *gpu);
void gpucore_policy_gpu_fini(struct gpucore_gpu *gpu);

/*
 * Hooks called by the vGPU layer, with the GPU lock held (the scheduler
 * core's hooks are its struct gpucore_policy_class). Each does nothing when
 * no policy is active on the GPU.
 */
void gpucore_policy_vgpu_init(struct gpucore_vgpu *vgpu);
void gpucore_policy_vgpu_update(struct gpucore_vgpu *vgpu);
void gpucore_policy_vgpu_exit(struct gpucore_vgpu *vgpu);
bool gpucore_policy_active(struct gpucore_gpu *gpu);
const char *gpucore_policy_name(void);

#endif /* _GPUCORE_POLICY_H_ */
