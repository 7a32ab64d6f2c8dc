/* SPDX-License-Identifier: MIT */
/*
 * gpucore_sched.h: constants of the BPF scheduling interface.
 *
 * Shared by the kernel module, BPF policies (bpf/gpucore.bpf.h includes it
 * next to the vmlinux.h dumped from the module's BTF) and gpusched. Only
 * macros, so it can sit beside vmlinux.h without redefinitions; the
 * structures themselves (struct gpucore_sched_ops, gpucore_channel, ...)
 * reach BPF programs through BTF and CO-RE.
 *
 * The policy's state, as the module publishes it in sysfs, is under
 * GPUCORE_POLICY_SYSFS: name, state, abi_version, attached_ns,
 * attached_at, decisions, errors, ejections, overruns (callbacks past the
 * budget), budget_us, exit_kind, exit_reason, exit_msg, exit_ns, and the
 * write-only eject.
 */
#ifndef _UAPI_GPUCORE_SCHED_H_
#define _UAPI_GPUCORE_SCHED_H_

#include "gpucore_limits.h"

/*
 * Version of the policy interface. A policy object records the version it
 * was built for (GPUCORE_POLICY() in bpf/gpucore.bpf.h); gpusched refuses
 * one that does not match the module's.
 */
#define GPUCORE_SCHED_ABI_VERSION	2

#define GPUCORE_POLICY_NAME_LEN		32	/* including the NUL */
#define GPUCORE_EXIT_REASON_LEN		64
#define GPUCORE_EXIT_MSG_LEN		256

#define GPUCORE_POLICY_SYSFS		"/sys/module/gpucore/policy"
#define GPUCORE_POLICY_PIN_DIR		"/sys/fs/bpf/gpucore"
#define GPUCORE_POLICY_PIN		GPUCORE_POLICY_PIN_DIR "/policy"

/* Watchdog: a runnable channel must run within timeout_ms (0: default). */
#define GPUCORE_WATCHDOG_DEFAULT_MS	5000
#define GPUCORE_WATCHDOG_MAX_MS		30000

/*
 * Callback runtime budget (gpucore_sched_ops.budget_us; 0: the default).
 * Every callback called with a GPU lock held is held to it: those called
 * for every job or decision are timed one call in eight, drawn at random,
 * and every call once one of them overran; the others every call. A
 * policy is ejected (GPUCORE_EXIT_SLOW) when, within
 * GPUCORE_CB_STRIKE_MS, at least GPUCORE_CB_STRIKES calls of one
 * callback, and at least GPUCORE_CB_STRIKE_PCT percent of its calls, ran
 * past its budget, or two of them ran past GPUCORE_CB_BUDGET_MAX_US. Rare
 * overruns are forgiven because inside a virtual machine a quick callback
 * can look slow when the host takes the CPU away in the middle of it; a
 * slow policy is slow on many calls.
 */
#define GPUCORE_CB_BUDGET_DEFAULT_US	5000
#define GPUCORE_CB_BUDGET_MIN_US	100
#define GPUCORE_CB_BUDGET_MAX_US	100000
#define GPUCORE_CB_STRIKES		3
#define GPUCORE_CB_STRIKE_PCT		1
#define GPUCORE_CB_STRIKE_MS		1000

/*
 * Forward progress: a channel switched in runs at least this much engine
 * time (unless it runs out of ready work or its timeslice is shorter)
 * before a kick can switch it out.
 */
#define GPUCORE_MIN_QUANTUM_NS		100000ULL		/* 100 us */

/* Timeslices a policy may give (gpucore_dispatch(), timeslice_ns). */
#define GPUCORE_MIN_SLICE_NS		10000ULL		/* 10 us */
#define GPUCORE_MAX_SLICE_NS		1000000000ULL		/* 1 s */

/*
 * Channel ids (gpucore_channel.id) lie in 1..GPUCORE_MAX_CHANNEL_ID, so a
 * policy can keep per-channel state in an array map indexed by id. An id
 * is unique while its channel exists and may be reused after its
 * channel_exit() callback.
 */
#define GPUCORE_MAX_CHANNEL_ID		(GPUCORE_MAX_GPUS * GPUCORE_MAX_CHANNELS)

/* Period of the tick callback and of the watchdog check. */
#define GPUCORE_TICK_MS			10

/*
 * gpucore_sched_ops.flags; unknown bits are rejected at load.
 * GPUCORE_OPS_ENQ_LAST: a channel whose timeslice ends with nothing else
 * runnable on its engine is switched out (stopping(), then runnable()) as
 * any other, instead of running on with a new slice without a call; for a
 * policy that must see every slice end (caps).
 */
#define GPUCORE_OPS_ENQ_LAST		(1ULL << 0)
#define GPUCORE_OPS_ALL_FLAGS		GPUCORE_OPS_ENQ_LAST

/*
 * The numeric fields of struct gpucore_sched_ops the driver checks when a
 * policy is attached, as X(field, min, max, what 0 means): 0 is a
 * default, anything else must lie in min..max. The driver
 * (gpucore_ops_init_member()) and gpusched (before it loads a policy)
 * both expand this list.
 */
#define GPUCORE_OPS_RANGES(X)							\
	X(timeslice_ns, GPUCORE_MIN_SLICE_NS, GPUCORE_MAX_SLICE_NS, "the GPU default")	\
	X(timeout_ms, 1, GPUCORE_WATCHDOG_MAX_MS, "the default")		\
	X(budget_us, GPUCORE_CB_BUDGET_MIN_US, GPUCORE_CB_BUDGET_MAX_US, "the default")

/* Is @v a valid value of a field of GPUCORE_OPS_RANGES() with that min and max? */
#define GPUCORE_OPS_IN_RANGE(v, min, max)	(!(v) || ((v) >= (min) && (v) <= (max)))

/*
 * Dispatch queues (DSQs). Each engine has a local queue it runs from
 * without calling the policy; GPUCORE_DSQ_LOCAL names the local queue of
 * the channel's own engine, GPUCORE_DSQ_LOCAL_ON(N) that of engine N of
 * the GPU. A policy creates its own queues with ids below
 * GPUCORE_DSQ_MAX_ID, at most GPUCORE_DSQ_MAX_PER_GPU per GPU.
 * dispatch() is called at most GPUCORE_DSP_MAX_LOOPS times in a row while
 * it moves channels without filling the engine's local queue.
 */
#define GPUCORE_DSQ_FLAG_BUILTIN	(1ULL << 63)
#define GPUCORE_DSQ_FLAG_LOCAL_ON	(1ULL << 62)
#define GPUCORE_DSQ_LOCAL		(GPUCORE_DSQ_FLAG_BUILTIN | 1)
#define GPUCORE_DSQ_LOCAL_ON(engine)	(GPUCORE_DSQ_FLAG_BUILTIN | GPUCORE_DSQ_FLAG_LOCAL_ON | \
					 (unsigned long long)(engine))
#define GPUCORE_DSQ_MAX_ID		(1ULL << 32)
#define GPUCORE_DSQ_MAX_PER_GPU		1024
#define GPUCORE_DSP_MAX_LOOPS		32

/* u64 words of a policy's own state in each channel and vGPU (policy_data[]). */
#define GPUCORE_POLICY_DATA		4

/* Why a policy stopped (exit info kind, sysfs exit_kind). */
#define GPUCORE_EXIT_NONE		0	/* still running, or never ran */
#define GPUCORE_EXIT_UNREG		1	/* detached by userspace */
#define GPUCORE_EXIT_REPLACED		2	/* replaced by another policy */
#define GPUCORE_EXIT_SYSFS		3	/* ejected by an operator (sysfs) */
#define GPUCORE_EXIT_UNLOAD		4	/* module going away */
#define GPUCORE_EXIT_ERROR		1024	/* the policy called gpucore_error() */
#define GPUCORE_EXIT_INVALID		1025	/* an invalid dispatch decision */
#define GPUCORE_EXIT_STALL		1026	/* a runnable channel starved */
#define GPUCORE_EXIT_INIT		1027	/* init or an *_init callback failed */
#define GPUCORE_EXIT_SLOW		1028	/* a callback ran past its budget */

/* Kinds at or above this are errors; they and GPUCORE_EXIT_SYSFS count as ejections. */
#define GPUCORE_EXIT_ERROR_KINDS	1024

/* runnable() flags: why the channel joined the runnable set. */
#define GPUCORE_ENQ_WAKEUP		(1ULL << 0)	/* was idle: new or unblocked work */
#define GPUCORE_ENQ_REQUEUE		(1ULL << 1)	/* left its engine with work left */
#define GPUCORE_ENQ_ATTACH		(1ULL << 2)	/* already runnable when the policy attached */

/* stopping() reasons (also the reason field of gpucore_switch_out). */
#define GPUCORE_STOP_PREEMPTED		0	/* timeslice over, another channel waited */
#define GPUCORE_STOP_DRAINED		1	/* no jobs left */
#define GPUCORE_STOP_BLOCKED		2	/* next job waits for its in-fence */
#define GPUCORE_STOP_KICKED		3	/* gpucore_kick_engine() or the core */
#define GPUCORE_STOP_DESTROYED		4	/* channel destroyed */
#define GPUCORE_STOP_EXPIRED		5	/* timeslice over, nobody else waited */

/* gpucore_kick_engine() flags */
#define GPUCORE_KICK_PREEMPT		(1ULL << 0)	/* switch out the running channel */
#define GPUCORE_KICK_ALL_FLAGS		GPUCORE_KICK_PREEMPT

/* channel classes for latency-aware policies (channel and vGPU attribute) */
#define GPUCORE_CLASS_BATCH		0
#define GPUCORE_CLASS_INTERACTIVE	1

#endif /* _UAPI_GPUCORE_SCHED_H_ */
