// SPDX-License-Identifier: GPL-2.0
/*
 * gpustat telemetry: BTF tracepoints on the gpucore events fold every
 * event into aggregates (engines and vGPUs in global arrays that gpustat
 * reads through the skeleton's mmap, channels and latency histograms in
 * maps). With gs_record set, every event also goes to a ring buffer for
 * --record. Events of one GPU arrive under the driver's scheduler lock.
 *
 * The hot path is every submit, switch and completion, so it stays cheap:
 * tracepoint arguments are BTF pointers and their fields are read directly
 * (CO-RE relocated, turned into fault-safe loads by the verifier) rather
 * than through bpf_probe_read_kernel() calls, and a channel costs one hash
 * lookup per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "gpustat.h"

char _license[] SEC("license") = "GPL";

/* Tunable before load: also emit every event to the ring buffer. */
const volatile bool gs_record;

struct gs_engine gs_engines[GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES];
struct gs_vgpu gs_vgpus[GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS];
struct gs_global gs_global;
struct gs_chan gs_zero_chan;	/* template for a new channel: never written */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS);
	__type(key, __u32);
	__type(value, struct gs_vhist);
} gs_vhists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_MAX_CHANNELS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct gs_chan);
} gs_chans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, GS_RINGBUF_SIZE);
} gs_events SEC(".maps");

static __always_inline void emit(const struct gs_event *ev)
{
	__sync_fetch_and_add(&gs_global.events, 1);
	if (!gs_record)
		return;
	if (bpf_ringbuf_output(&gs_events, (void *)ev, sizeof(*ev), 0))
		__sync_fetch_and_add(&gs_global.lost, 1);
}

static __always_inline struct gs_engine *engine_of(const struct gs_event *ev)
{
	__u32 i = GPUCORE_ENGINE_IDX(ev->gpu, ev->engine);

	if (i >= GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES)
		return NULL;
	return &gs_engines[i];
}

static __always_inline struct gs_vgpu *vgpu_of(__u32 gpu, __u32 vgpu)
{
	__u32 i = GPUCORE_VGPU_IDX(gpu, vgpu);

	if (i >= GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS)
		return NULL;
	return &gs_vgpus[i];
}

/*
 * The ids every channel event carries, stamped @ts. A job's submit and
 * completion carry their own times (the driver's ktime_get_ns(), the
 * clock of bpf_ktime_get_ns()): asking the clock again costs about a
 * microsecond under TCG on each of them.
 */
static __always_inline void ev_chan_at(struct gs_event *ev, __u32 type,
				       struct gpucore_channel *ch, __u64 ts)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts = ts;
	ev->type = type;
	ev->gpu = ch->gpu->id;
	ev->engine = ch->engine->id;
	ev->vgpu = ch->vgpu->id;
	ev->channel = ch->id;
}

/* The same, stamped now. */
static __always_inline void ev_chan(struct gs_event *ev, __u32 type,
				    struct gpucore_channel *ch)
{
	ev_chan_at(ev, type, ch, bpf_ktime_get_ns());
}

static __always_inline void ev_vgpu(struct gs_event *ev, __u32 type,
				    struct gpucore_vgpu *vg)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts = bpf_ktime_get_ns();
	ev->type = type;
	ev->gpu = vg->gpu->id;
	ev->vgpu = vg->id;
	ev->aux = vg->weight;
	ev->aux2 = vg->cap;
	ev->a = vg->mem_quota;
	ev->b = vg->max_channels;
	ev->c = vg->max_jobs;
	bpf_probe_read_kernel(ev->name, sizeof(ev->name), vg->name);
}

/* A vGPU created before gpustat started: learn it from the driver. */
static __always_inline void vgpu_seen(struct gpucore_channel *ch, struct gs_vgpu *v)
{
	struct gs_event ev;

	if (!v || v->seen)
		return;
	ev_vgpu(&ev, GS_EV_VGPU_UPDATE, ch->vgpu);
	gs_apply(&ev, NULL, v, NULL, NULL, NULL);
	emit(&ev);
}

static __always_inline struct gs_chan *chan_new(struct gpucore_channel *ch, __u32 type)
{
	struct gs_event ev;
	struct gs_chan *c;
	__u32 id;

	ev_chan(&ev, type, ch);
	id = ev.channel;
	ev.aux = ch->pid;
	bpf_probe_read_kernel(ev.name, GS_COMM_LEN, ch->comm);
	bpf_map_update_elem(&gs_chans, &id, &gs_zero_chan, BPF_ANY);
	c = bpf_map_lookup_elem(&gs_chans, &id);
	if (!c)
		return NULL;
	gs_apply(&ev, NULL, NULL, NULL, c, NULL);
	emit(&ev);
	return c;
}

/* The channel's record; one created before gpustat started is learnt now. */
static __always_inline struct gs_chan *chan_of(struct gpucore_channel *ch, __u32 id)
{
	struct gs_chan *c = bpf_map_lookup_elem(&gs_chans, &id);

	if (c)
		return c;
	return chan_new(ch, GS_EV_CHAN_SEEN);
}

/*
 * A job completes on a channel that gpustat never saw switched in (it was
 * running when gpustat started): take the switch-in from the engine.
 */
static __always_inline void engine_seen(struct gpucore_channel *ch, struct gs_engine *e,
					struct gs_chan *c, const struct gs_event *cev)
{
	struct gpucore_engine *eng = ch->engine;
	struct gs_event ev;

	if (!e || e->running || eng->cur != ch)
		return;
	ev = *cev;
	ev.type = GS_EV_SWITCH_IN;
	ev.ts = eng->switched_in;
	ev.aux = eng->nr_queued;
	ev.a = 0;
	ev.b = 0;
	ev.c = 0;
	gs_apply(&ev, e, NULL, NULL, c, NULL);
	emit(&ev);
}

/* Fold and emit a channel event. */
static __always_inline void chan_event(struct gpucore_channel *ch, struct gs_event *ev)
{
	struct gs_vgpu *v = vgpu_of(ev->gpu, ev->vgpu);
	struct gs_engine *e = engine_of(ev);
	struct gs_vhist *vh = NULL;
	struct gs_chan *c;
	__u32 vi;

	vgpu_seen(ch, v);
	c = chan_of(ch, ev->channel);
	if (ev->type == GS_EV_COMPLETE) {
		vi = GPUCORE_VGPU_IDX(ev->gpu, ev->vgpu);
		vh = bpf_map_lookup_elem(&gs_vhists, &vi);
		engine_seen(ch, e, c, ev);
	}
	if (e)
		e->seen = 1;
	gs_apply(ev, e, v, vh, c, NULL);
	emit(ev);
}

SEC("tp_btf/gpucore_job_submit")
int BPF_PROG(gs_job_submit, struct gpucore_channel *ch, struct gpucore_job *job)
{
	struct gs_event ev;

	if (!ch || !job)
		return 0;

	ev_chan_at(&ev, GS_EV_SUBMIT, ch, job->submit_ns);
	ev.aux2 = ch->nr_pending;
	ev.a = job->seqno;
	chan_event(ch, &ev);
	return 0;
}

SEC("tp_btf/gpucore_switch_in")
int BPF_PROG(gs_switch_in, struct gpucore_engine *e, struct gpucore_channel *ch, u64 waited_ns)
{
	struct gs_event ev;

	if (!e || !ch)
		return 0;

	ev_chan(&ev, GS_EV_SWITCH_IN, ch);
	ev.aux = e->nr_queued;
	ev.aux2 = ch->nr_pending;
	ev.a = waited_ns;
	chan_event(ch, &ev);
	return 0;
}

SEC("tp_btf/gpucore_switch_out")
int BPF_PROG(gs_switch_out, struct gpucore_engine *e, struct gpucore_channel *ch,
	     u64 ran_ns, enum gpucore_switch_reason why)
{
	struct gs_event ev;

	if (!e || !ch)
		return 0;

	ev_chan(&ev, GS_EV_SWITCH_OUT, ch);
	ev.aux = why;
	ev.aux2 = ch->nr_pending;
	ev.a = ran_ns;
	ev.b = e->nr_queued;
	chan_event(ch, &ev);
	return 0;
}

SEC("tp_btf/gpucore_job_complete")
int BPF_PROG(gs_job_complete, struct gpucore_channel *ch, struct gpucore_job *job)
{
	struct gs_event ev;
	u64 submit, start;

	if (!ch || !job)
		return 0;
	submit = job->submit_ns;
	start = job->start_ns;

	ev_chan_at(&ev, GS_EV_COMPLETE, ch, job->end_ns);
	ev.aux = job->status;
	ev.aux2 = ch->nr_pending;
	ev.a = start ? start - submit : 0;
	ev.b = job->end_ns - submit;
	if (ch->engine->cur == ch)
		ev.c = ch->busy_ns - ch->engine->busy_at_in;
	chan_event(ch, &ev);
	return 0;
}

SEC("tp_btf/gpucore_channel_create")
int BPF_PROG(gs_channel_create, struct gpucore_channel *ch)
{
	if (!ch)
		return 0;
	vgpu_seen(ch, vgpu_of(ch->gpu->id, ch->vgpu->id));
	chan_new(ch, GS_EV_CHAN_CREATE);
	return 0;
}

SEC("tp_btf/gpucore_channel_destroy")
int BPF_PROG(gs_channel_destroy, struct gpucore_channel *ch)
{
	struct gs_event ev;
	struct gs_chan *c;

	if (!ch)
		return 0;

	ev_chan(&ev, GS_EV_CHAN_DESTROY, ch);
	c = bpf_map_lookup_elem(&gs_chans, &ev.channel);
	gs_apply(&ev, NULL, NULL, NULL, c, NULL);
	emit(&ev);
	return 0;
}

static __always_inline void vgpu_event(struct gpucore_vgpu *vg, __u32 type)
{
	struct gs_event ev;

	ev_vgpu(&ev, type, vg);
	gs_apply(&ev, NULL, vgpu_of(ev.gpu, ev.vgpu), NULL, NULL, NULL);
	emit(&ev);
}

SEC("tp_btf/gpucore_vgpu_create")
int BPF_PROG(gs_vgpu_create, struct gpucore_vgpu *vg)
{
	if (!vg)
		return 0;
	vgpu_event(vg, GS_EV_VGPU_CREATE);
	return 0;
}

SEC("tp_btf/gpucore_vgpu_destroy")
int BPF_PROG(gs_vgpu_destroy, struct gpucore_vgpu *vg)
{
	if (!vg)
		return 0;
	vgpu_event(vg, GS_EV_VGPU_DESTROY);
	return 0;
}

SEC("tp_btf/gpucore_vgpu_update")
int BPF_PROG(gs_vgpu_update, struct gpucore_vgpu *vg)
{
	if (!vg)
		return 0;
	vgpu_event(vg, GS_EV_VGPU_UPDATE);
	return 0;
}

static __always_inline void policy_event(__u32 type, const char *name, __u32 aux)
{
	struct gs_event ev;

	__builtin_memset(&ev, 0, sizeof(ev));
	ev.ts = bpf_ktime_get_ns();
	ev.type = type;
	ev.aux = aux;
	bpf_probe_read_kernel_str(ev.name, sizeof(ev.name), name);
	gs_apply(&ev, NULL, NULL, NULL, NULL, &gs_global);
	emit(&ev);
}

SEC("tp_btf/gpucore_policy_attach")
int BPF_PROG(gs_policy_attach, const char *name, bool replace)
{
	if (!name)
		return 0;
	policy_event(GS_EV_POLICY_ATTACH, name, replace);
	return 0;
}

SEC("tp_btf/gpucore_policy_detach")
int BPF_PROG(gs_policy_detach, const char *name, u32 kind, const char *reason)
{
	if (!name)
		return 0;
	policy_event(GS_EV_POLICY_DETACH, name, kind);
	return 0;
}

SEC("tp_btf/gpucore_policy_eject")
int BPF_PROG(gs_policy_eject, const char *name, u32 kind, const char *reason,
	     const char *msg)
{
	if (!name)
		return 0;
	policy_event(GS_EV_POLICY_EJECT, name, kind);
	return 0;
}
