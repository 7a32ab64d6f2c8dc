/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpucore.bpf.h: what every gpucore scheduling policy includes, like
 * sched_ext's common.bpf.h.
 *
 * - vmlinux.h dumped from the module's BTF (struct gpucore_sched_ops,
 *   gpucore_channel, gpucore_vgpu, gpucore_engine, gpucore_gpu, ...) and
 *   the constants of include/uapi/gpucore_sched.h;
 * - the kfuncs, declared __ksym;
 * - GPUCORE_POLICY(): the ABI version record gpusched checks;
 * - GPUCORE_TUNABLE_RANGE(): the valid values of a tunable, which
 *   gpusched checks -o NAME=VALUE against;
 * - gpucore_error(): eject with a formatted message;
 * - id helpers to read a channel's gpu/engine/vgpu with CO-RE;
 * - gc_create_ev_dsqs(), gc_create_engine_dsqs(): the kernel dispatch
 *   queues most policies want, one per (engine, vGPU) or per engine;
 * - GPUCORE_RR_QUEUE_OPS(): round robin by id, for the selftests.
 *
 * Callbacks of one GPU never run concurrently (the GPU's scheduler lock is
 * held), so per-GPU state needs no locking as long as a queue or a map
 * slot belongs to one GPU.
 */
#ifndef __GPUCORE_BPF_H
#define __GPUCORE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "gpucore_sched.h"

#ifndef EINVAL
#define EINVAL		22
#endif
#ifndef ENOENT
#define ENOENT		2
#endif
#ifndef EEXIST
#define EEXIST		17
#endif
#ifndef ENOSPC
#define ENOSPC		28
#endif
#ifndef ENODEV
#define ENODEV		19
#endif

/*
 * kfuncs (kmod/gpucore_bpf.c; each one's kernel-doc says which callbacks
 * may call it: the verifier refuses a program that calls one elsewhere).
 */
s32 gpucore_create_dsq(u32 gpu_id, u32 engine_class, u64 dsq_id) __ksym;
int gpucore_dsq_insert(struct gpucore_channel *ch, u64 dsq_id, u64 slice_ns,
		       u64 enq_flags) __ksym;
int gpucore_dsq_insert_vtime(struct gpucore_channel *ch, u64 dsq_id, u64 slice_ns, u64 vtime,
			     u64 enq_flags) __ksym;
bool gpucore_dsq_move_to_local(struct gpucore_engine *engine, u64 dsq_id) __ksym;
s32 gpucore_dsq_nr_queued(u32 gpu_id, u64 dsq_id) __ksym;
u64 gpucore_dsq_peek(u32 gpu_id, u64 dsq_id) __ksym;
u64 gpucore_dsq_peek_vtime(u32 gpu_id, u64 dsq_id) __ksym;
s32 gpucore_engine_class(u32 gpu_id, u32 engine_id) __ksym;
int gpucore_dispatch(struct gpucore_engine *engine, u64 channel_id, u64 slice_ns) __ksym;
int gpucore_kick_engine(u32 gpu_id, u32 engine_id, u64 flags) __ksym;
u64 gpucore_engine_running(u32 gpu_id, u32 engine_id) __ksym;
u32 gpucore_engine_nr_queued(u32 gpu_id, u32 engine_id) __ksym;
void gpucore_bpf_error(const char *msg, u32 msg__sz) __ksym;

/*
 * GPUCORE_POLICY(): put once in a policy. Records the interface version
 * the policy was built for; gpusched refuses an object whose version is
 * not the module's. Names starting with "gpucore_" are not tunables.
 */
#define GPUCORE_POLICY()							\
	const volatile u32 gpucore_abi_version = GPUCORE_SCHED_ABI_VERSION;	\
	char _license[] SEC("license") = "GPL"

/*
 * Tunables, as in sched_ext: a policy's `const volatile` globals (in
 * .rodata), which gpusched load -o NAME=VALUE sets before the object is
 * loaded; the verifier then sees them as constants. Declare the values a
 * tunable accepts on the line after it:
 *
 *	const volatile u64 timeslice_ns = 0;
 *	GPUCORE_TUNABLE_RANGE_OR_ZERO(timeslice_ns, GPUCORE_MIN_SLICE_NS,
 *				      GPUCORE_MAX_SLICE_NS, "the GPU default");
 *	const volatile u64 period_ns = 100ULL * 1000 * 1000;
 *	GPUCORE_TUNABLE_RANGE(period_ns, 10ULL * 1000 * 1000, 1000ULL * 1000 * 1000);
 *
 * GPUCORE_TUNABLE_RANGE(name, min, max): min..max, inclusive, in the
 * tunable's own unit (foo_ns: ns, foo_us: us, foo_ms: ms; compared as
 * signed if the tunable is signed).
 * GPUCORE_TUNABLE_RANGE_OR_ZERO(name, min, max, what): min..max, or 0,
 * which means @what (a short phrase, at most 31 characters, that gpusched
 * prints: "or 0: the GPU default").
 *
 * gpusched load refuses a value outside the range with a message naming
 * it (exit 2: a bad tunable), and gpusched list shows each range. Where
 * the kernel enforces a limit (a timeslice passed to gpucore_dispatch(),
 * ...), use its constant from gpucore_sched.h rather than a copy. A
 * tunable without a range takes any value of its type; booleans need none.
 *
 * The record is a `const volatile struct gpucore_tunable_range` named
 * gpucore_range__NAME in .rodata, which gpusched finds by name in the
 * object's BTF (the gpucore_ prefix keeps it from being a tunable) and
 * reads by member name. The macro checks at build time that NAME is a
 * const volatile scalar and that min <= max.
 */
struct gpucore_tunable_range {
	u64 min;
	u64 max;
	char zero[32];		/* "": 0 is not special; else what 0 means */
};

#define __GPUCORE_TUNABLE_RANGE(name, lo, hi, what)				\
	_Static_assert(sizeof(name) <= sizeof(u64),				\
		       #name ": a range is for an integer tunable");		\
	_Static_assert(__builtin_types_compatible_p(typeof(&(name)),		\
				const volatile typeof(name) *),			\
		       #name ": a tunable is a const volatile global");		\
	_Static_assert((lo) <= (hi), #name ": range min above max");		\
	_Static_assert(sizeof(what) <=						\
		       sizeof(((struct gpucore_tunable_range *)0)->zero),	\
		       #name ": what 0 means, in at most 31 characters");	\
	const volatile struct gpucore_tunable_range gpucore_range__##name = {	\
		.min = (lo), .max = (hi), .zero = what,				\
	}

#define GPUCORE_TUNABLE_RANGE(name, min, max)					\
	__GPUCORE_TUNABLE_RANGE(name, min, max, "")

#define GPUCORE_TUNABLE_RANGE_OR_ZERO(name, min, max, what)			\
	_Static_assert(sizeof(what) > 1, #name ": say what 0 means");		\
	__GPUCORE_TUNABLE_RANGE(name, min, max, what)

/* Eject the policy with a printf-style message (up to 8 arguments). */
#define gpucore_error(fmt, args...)						\
	({									\
		char ___msg[GPUCORE_EXIT_MSG_LEN];				\
										\
		BPF_SNPRINTF(___msg, sizeof(___msg), fmt, ##args);		\
		gpucore_bpf_error(___msg, sizeof(___msg));			\
	})

/* A callback, as in sched_ext: BPF_STRUCT_OPS(fairshare_dispatch, ...) */
#define BPF_STRUCT_OPS(name, args...)						\
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/* A sleepable callback (only init() may be): BPF_STRUCT_OPS_SLEEPABLE(x_init) */
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...)					\
	SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/*
 * The ids a policy keys its state on, which the driver copies into the
 * channel and the engine (gpu_id, engine_id, vgpu_id): following a
 * pointer costs the 6.12 verifier a linear search of the kernel's BTF in
 * every state it explores. Callback arguments are trusted BTF
 * pointers, so their fields, and the fields of what they point to, are
 * read directly: CO-RE relocated (vmlinux.h marks every struct
 * preserve_access_index) and turned into fault-safe loads by the
 * verifier. BPF_CORE_READ() would cost a bpf_probe_read_kernel() call per
 * pointer followed, a hundred instructions or so each.
 */
static __always_inline u32 gc_ch_gpu(struct gpucore_channel *ch)
{
	return ch->gpu_id;
}

static __always_inline u32 gc_ch_engine(struct gpucore_channel *ch)
{
	return ch->engine_id;
}

static __always_inline u32 gc_ch_vgpu(struct gpucore_channel *ch)
{
	return ch->vgpu_id;
}

/* The channel's class: its own (from CHANNEL_CREATE) or its vGPU's. */
static __always_inline u32 gc_ch_class(struct gpucore_channel *ch)
{
	if (ch->sched_class == GPUCORE_CLASS_INTERACTIVE)
		return GPUCORE_CLASS_INTERACTIVE;
	return ch->vgpu->sched_class;
}

static __always_inline u32 gc_engine_gpu(struct gpucore_engine *e)
{
	return e->gpu_id;
}

/* Engine classes (compute, copy), for per-class state. */
#define GC_NR_CLASSES	GPUCORE_ENGINE_CLASS_COUNT

/* The class of the engine a channel is bound to. */
static __always_inline u32 gc_ch_engine_class(struct gpucore_channel *ch)
{
	return ch->engine->engine_class % GC_NR_CLASSES;
}

/*
 * Indexes of per-object state in arrays sized by the driver's limits
 * (gpucore_limits.h): one (gpu, vgpu), (gpu, engine), (gpu, engine class)
 * pair or triple each.
 */
static __always_inline u32 gc_gv_idx(u32 gpu, u32 vgpu)
{
	return GPUCORE_VGPU_IDX(gpu, vgpu);
}

static __always_inline u32 gc_ge_idx(u32 gpu, u32 engine)
{
	return GPUCORE_ENGINE_IDX(gpu, engine);
}

static __always_inline u32 gc_gcls_idx(u32 gpu, u32 cls)
{
	return (gpu % GPUCORE_MAX_GPUS) * GC_NR_CLASSES + cls % GC_NR_CLASSES;
}

/* Index of a (gpu, engine class, vgpu) triple in arrays of that size. */
static __always_inline u32 gc_gcv_idx(u32 gpu, u32 cls, u32 vgpu)
{
	return gc_gcls_idx(gpu, cls) * GPUCORE_MAX_VGPUS + vgpu % GPUCORE_MAX_VGPUS;
}

/* Index of a (gpu, engine, vgpu) triple in arrays of that size. */
static __always_inline u32 gc_gev_idx(u32 gpu, u32 engine, u32 vgpu)
{
	return gc_ge_idx(gpu, engine) * GPUCORE_MAX_VGPUS + vgpu % GPUCORE_MAX_VGPUS;
}

/* ------------------------------------------------------------------ */
/* queues per (engine, vGPU) and per engine, created by a sleepable init() */

/* The queue of vGPU @v's channels on engine @e, of each GPU (gc_create_ev_dsqs()). */
#define GC_EV_DSQ(e, v)	((u64)(e) * GPUCORE_MAX_VGPUS + (v))

static long __gc_create_ev_step(u64 i, void *data)
{
	u32 gpu = i / GPUCORE_MAX_ENGINES, e = i % GPUCORE_MAX_ENGINES, v;
	s32 cls = gpucore_engine_class(gpu, e), *err = data;

	if (cls < 0)
		return 0;
	for (v = 0; v < GPUCORE_MAX_VGPUS; v++) {
		*err = gpucore_create_dsq(gpu, cls, GC_EV_DSQ(e, v));
		if (*err)
			return 1;
	}
	return 0;
}

/*
 * Create queue GC_EV_DSQ(engine, vgpu) for every engine and vGPU slot of
 * every GPU the policy schedules; from a sleepable init(). 0 or an errno.
 */
static __always_inline s32 gc_create_ev_dsqs(void)
{
	s32 err = 0;

	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, __gc_create_ev_step, &err, 0);
	return err;
}

/* The queue of engine @e's channels, of each GPU (gc_create_engine_dsqs()). */
#define GC_ENGINE_DSQ(e)	((u64)(e))

static long __gc_create_engine_step(u64 i, void *data)
{
	u32 gpu = i / GPUCORE_MAX_ENGINES, e = i % GPUCORE_MAX_ENGINES;
	s32 cls = gpucore_engine_class(gpu, e), *err = data;

	if (cls < 0)
		return 0;
	*err = gpucore_create_dsq(gpu, cls, GC_ENGINE_DSQ(e));
	return *err ? 1 : 0;
}

/* One FIFO queue per engine of every GPU; from a sleepable init(). */
static __always_inline s32 gc_create_engine_dsqs(void)
{
	s32 err = 0;

	bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, __gc_create_engine_step, &err, 0);
	return err;
}

/*
 * Round robin per engine that picks by id, for policies (the selftests'
 * broken ones) whose dispatch() chooses with gpucore_dispatch():
 * GPUCORE_RR_QUEUE_OPS(name) defines name_runnable(), which inserts the
 * channel at the tail of its engine's queue; gc_rr_pop() gives dispatch()
 * the head's id (the channel leaves the queue when gpucore_dispatch()
 * picks it). The policy's init() must be sleepable and call
 * gc_create_engine_dsqs(); GPUCORE_RR_INIT(name) defines one that does.
 */
static __always_inline u64 gc_rr_pop(struct gpucore_engine *engine)
{
	return gpucore_dsq_peek(gc_engine_gpu(engine), GC_ENGINE_DSQ(engine->id));
}

#define GPUCORE_RR_QUEUE_OPS(name)						\
void BPF_STRUCT_OPS(name##_runnable, struct gpucore_channel *ch, u64 flags)	\
{										\
	gpucore_dsq_insert(ch, GC_ENGINE_DSQ(gc_ch_engine(ch)), 0, 0);		\
}

#define GPUCORE_RR_INIT(name)							\
s32 BPF_STRUCT_OPS_SLEEPABLE(name##_init)					\
{										\
	return gc_create_engine_dsqs();						\
}

#endif /* __GPUCORE_BPF_H */
