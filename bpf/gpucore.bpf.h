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
 * - chq_*(): FIFO queues of channel ids (an intrusive list in an array map
 *   indexed by channel id: O(1) push, pop and remove with inlined lookups),
 *   enough for most policies. Each queue is a
 *   u32 index below CHQ_MAX_QUEUES; a channel is in at most one queue.
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

/* Limits of the driver, for sizing per-GPU/engine/vGPU arrays. */
#define GC_MAX_GPUS	8
#define GC_MAX_ENGINES	8
#define GC_MAX_VGPUS	64

/* kfuncs (kmod/gpucore_bpf.c) */
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

/* CO-RE reads of the ids a policy keys its state on. */
static __always_inline u32 ch_gpu(struct gpucore_channel *ch)
{
	return BPF_CORE_READ(ch, gpu, id);
}

static __always_inline u32 ch_engine(struct gpucore_channel *ch)
{
	return BPF_CORE_READ(ch, engine, id);
}

static __always_inline u32 ch_vgpu(struct gpucore_channel *ch)
{
	return BPF_CORE_READ(ch, vgpu, id);
}

/* The channel's class: its own (from CHANNEL_CREATE) or its vGPU's. */
static __always_inline u32 ch_class(struct gpucore_channel *ch)
{
	if (BPF_CORE_READ(ch, sched_class) == GPUCORE_CLASS_INTERACTIVE)
		return GPUCORE_CLASS_INTERACTIVE;
	return BPF_CORE_READ(ch, vgpu, sched_class);
}

static __always_inline u32 engine_gpu(struct gpucore_engine *e)
{
	return BPF_CORE_READ(e, gpu, id);
}

/* Engine classes (compute, copy), for per-class state. */
#define GC_NR_CLASSES	GPUCORE_ENGINE_CLASS_COUNT

/* The class of the engine a channel is bound to. */
static __always_inline u32 ch_engine_class(struct gpucore_channel *ch)
{
	return BPF_CORE_READ(ch, engine, engine_class) % GC_NR_CLASSES;
}

/* Index of a (gpu, engine class, vgpu) triple in arrays of that size. */
static __always_inline u32 gcv_idx(u32 gpu, u32 cls, u32 vgpu)
{
	return ((gpu % GC_MAX_GPUS) * GC_NR_CLASSES + cls % GC_NR_CLASSES) * GC_MAX_VGPUS +
		vgpu % GC_MAX_VGPUS;
}

/* Index of a (gpu, engine, vgpu) triple in arrays of that size. */
static __always_inline u32 gev_idx(u32 gpu, u32 engine, u32 vgpu)
{
	return ((gpu % GC_MAX_GPUS) * GC_MAX_ENGINES + engine % GC_MAX_ENGINES) *
		GC_MAX_VGPUS + vgpu % GC_MAX_VGPUS;
}

/* ------------------------------------------------------------------ */
/* chq: FIFO queues of channel ids */

#ifndef CHQ_MAX_QUEUES
#define CHQ_MAX_QUEUES	(GC_MAX_GPUS * GC_MAX_ENGINES * GC_MAX_VGPUS)
#endif

struct chq_head {
	u64 head;		/* channel id, 0: empty */
	u64 tail;
	u32 nr;
	u32 pad;
};

/*
 * One node per possible channel id (the driver keeps ids in
 * 1..GPUCORE_MAX_CHANNEL_ID), in an array map: the verifier inlines array
 * lookups, so push, pop and remove are a few loads and stores, with no
 * hashing, locking or allocation. A node is queued when its gen is the
 * current chq_gen; chq_reset() empties every queue by bumping chq_gen.
 */
struct chq_node {
	u32 next;		/* channel ids, 0: none */
	u32 prev;
	u32 queue;
	u32 gen;
	u64 enq_ns;		/* when it was pushed */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHQ_MAX_QUEUES);
	__type(key, u32);
	__type(value, struct chq_head);
} chq_heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_CHANNEL_ID + 1);
	__type(key, u32);
	__type(value, struct chq_node);
} chq_nodes SEC(".maps");

u32 chq_gen = 1;

static __always_inline struct chq_head *chq_head(u32 q)
{
	return bpf_map_lookup_elem(&chq_heads, &q);
}

static __always_inline struct chq_node *chq_node(u64 id)
{
	u32 k = id;

	if (id > GPUCORE_MAX_CHANNEL_ID)
		return NULL;
	return bpf_map_lookup_elem(&chq_nodes, &k);
}

/* Number of channels in queue @q. */
static __always_inline u32 chq_nr(u32 q)
{
	struct chq_head *h = chq_head(q);

	return h ? h->nr : 0;
}

/* The channel at the head of @q (0: empty), and when it was pushed. */
static __always_inline u64 chq_peek(u32 q, u64 *enq_ns)
{
	struct chq_head *h = chq_head(q);
	struct chq_node *n;
	u64 id;

	if (!h || !h->head)
		return 0;
	id = h->head;
	n = chq_node(id);
	if (enq_ns)
		*enq_ns = n ? n->enq_ns : 0;
	return id;
}

/* Append channel @id to @q. -EEXIST if it is queued already. */
static __always_inline int chq_push(u32 q, u64 id)
{
	struct chq_head *h = chq_head(q);
	struct chq_node *n = chq_node(id), *tail;
	u32 gen = chq_gen;

	if (!h || !n || !id)
		return -EINVAL;
	if (n->gen == gen)
		return -EEXIST;
	n->gen = gen;
	n->queue = q;
	n->next = 0;
	n->prev = h->tail;
	n->enq_ns = bpf_ktime_get_ns();
	if (h->tail) {
		tail = chq_node(h->tail);
		if (tail)
			tail->next = id;
	} else {
		h->head = id;
	}
	h->tail = id;
	h->nr++;
	return 0;
}

/* Take channel @id out of whatever queue holds it. -ENOENT if none. */
static __always_inline int chq_remove(u64 id)
{
	struct chq_node *n = chq_node(id), *o;
	struct chq_head *h;
	u32 prev, next;

	if (!n || n->gen != chq_gen)
		return -ENOENT;
	n->gen = 0;
	h = chq_head(n->queue);
	prev = n->prev;
	next = n->next;
	if (!h)
		return 0;
	if (prev) {
		o = chq_node(prev);
		if (o)
			o->next = next;
	} else {
		h->head = next;
	}
	if (next) {
		o = chq_node(next);
		if (o)
			o->prev = prev;
	} else {
		h->tail = prev;
	}
	if (h->nr)
		h->nr--;
	return 0;
}

/* Remove and return the head of @q (0: empty). */
static __always_inline u64 chq_pop(u32 q)
{
	u64 id = chq_peek(q, NULL);

	if (id)
		chq_remove(id);
	return id;
}

/* Is channel @id queued anywhere? */
static __always_inline bool chq_queued(u64 id)
{
	struct chq_node *n = chq_node(id);

	return n && n->gen == chq_gen;
}

/*
 * Round robin per engine, the simplest policy (besteffort): one chq per
 * engine, queue gev_idx(gpu, engine, 0). GPUCORE_RR_QUEUE_OPS(name)
 * defines name_runnable() (push at the tail, eject if it cannot) and
 * name_quiescent() (take it out); rr_pop() gives dispatch() the head.
 */
static __always_inline u32 rr_queue(u32 gpu, u32 engine)
{
	return gev_idx(gpu, engine, 0);
}

static __always_inline u64 rr_pop(struct gpucore_engine *engine)
{
	return chq_pop(rr_queue(engine_gpu(engine), engine->id));
}

#define GPUCORE_RR_QUEUE_OPS(name)						\
void BPF_STRUCT_OPS(name##_runnable, struct gpucore_channel *ch, u64 flags)	\
{										\
	if (chq_push(rr_queue(ch_gpu(ch), ch_engine(ch)), ch->id))		\
		gpucore_error(#name ": cannot queue channel %u", ch->id);	\
}										\
										\
void BPF_STRUCT_OPS(name##_quiescent, struct gpucore_channel *ch)		\
{										\
	chq_remove(ch->id);							\
}

static long chq_reset_head(u64 q, void *ctx)
{
	u32 k = (u32)q;
	struct chq_head *h = bpf_map_lookup_elem(&chq_heads, &k);

	if (h) {
		h->head = 0;
		h->tail = 0;
		h->nr = 0;
	}
	return 0;
}

/*
 * Empty every queue. Call it from init(): maps outlive a detach, so an
 * object attached again (the same loaded maps) would otherwise start with
 * the channels queued when it was detached, which the driver re-announces
 * through runnable(GPUCORE_ENQ_ATTACH).
 */
static __always_inline void chq_reset(void)
{
	if (!++chq_gen)
		chq_gen = 1;
	bpf_loop(CHQ_MAX_QUEUES, chq_reset_head, NULL, 0);
}

#endif /* __GPUCORE_BPF_H */
