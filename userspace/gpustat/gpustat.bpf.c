// SPDX-License-Identifier: GPL-2.0
/*
 * gpustat telemetry. Live, nothing runs per job: the driver counts jobs
 * and keeps their wait and latency histograms itself, and gs_pull, a
 * syscall program gpustat runs at each refresh, copies them (only what
 * changed) with the driver's gpucore_mon_*() kfuncs. BTF tracepoints fold
 * what happens between refreshes into the same aggregates: switches
 * (engine time, the running channel), channels and vGPUs coming and going,
 * policies. Engines and vGPUs are global arrays gpustat reads through the
 * skeleton's mmap, channels and vGPU histograms maps.
 *
 * With gs_record set (--record), every event, the jobs' too, also goes to
 * a ring buffer, and gpustat folds them itself: gs_pull is not run then.
 * Events of one GPU arrive under the driver's scheduler lock.
 *
 * The event programs stay cheap: tracepoint arguments are BTF pointers
 * and their fields are read directly (CO-RE relocated, turned into
 * fault-safe loads by the verifier) rather than through
 * bpf_probe_read_kernel() calls, and a channel costs one hash lookup per
 * event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "gpustat.h"

char _license[] SEC("license") = "GPL";

extern u32 gpucore_mon_next_channel(u32 id) __ksym;
extern int gpucore_mon_channel(u32 id, void *out, u32 out__sz, void *hists, u32 hists__sz) __ksym;
extern int gpucore_mon_vgpu(u32 index, void *out, u32 out__sz, void *hists, u32 hists__sz) __ksym;
extern int gpucore_mon_engine(u32 gpu, u32 engine, void *out, u32 out__sz) __ksym;

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
	__type(value, struct gpucore_hists);
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

/* Live channels' histograms, from gs_pull and as channels go. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, GS_HIST_RING_SIZE);
} gs_chists SEC(".maps");

/*
 * Where gs_pull goes on: 0 when it read every channel; else the id it
 * stopped at, gs_chists being full, for its next run once gpustat has
 * emptied it.
 */
__u32 gs_pull_resume;

/*
 * Each channel's record as gs_pull left it, the first gs_snap_n, in the
 * order it visited them: gpustat reads them through the skeleton's mmap,
 * without a system call, unless a channel went since its last look
 * (gs_gone moved): only the map has a gone channel's last record.
 */
struct gs_chan gs_snap[GS_MAX_CHANNELS];
__u32 gs_snap_n;
__u64 gs_gone;		/* channels destroyed */

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
	ev->gpu = ch->gpu_id;
	ev->engine = ch->engine_id;
	ev->vgpu = ch->vgpu_id;
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
	ev->gpu = vg->gpu_id;
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
	gs_apply(&ev, NULL, v, NULL, NULL, NULL, NULL);
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
	gs_apply(&ev, NULL, NULL, NULL, c, NULL, NULL);
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
	gs_apply(&ev, e, NULL, NULL, c, NULL, NULL);
	emit(&ev);
}

/* Fold and emit a channel event. */
static __always_inline void chan_event(struct gpucore_channel *ch, struct gs_event *ev)
{
	struct gs_vgpu *v = vgpu_of(ev->gpu, ev->vgpu);
	struct gs_engine *e = engine_of(ev);
	struct gpucore_hists *vh = NULL;
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
	gs_apply(ev, e, v, vh, c, NULL, NULL);
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
	vgpu_seen(ch, vgpu_of(ch->gpu_id, ch->vgpu_id));
	chan_new(ch, GS_EV_CHAN_CREATE);
	return 0;
}

/*
 * A channel or vGPU goes: its last counts are the driver's own, whatever
 * completed since the last gs_pull.
 */
static __always_inline void chan_final(struct gs_chan *c, struct gpucore_channel *ch)
{
	struct gs_hist_rec *r;

	c->submitted = ch->submitted;
	c->jobs = ch->completed;
	c->failed = ch->failed;
	c->queued = ch->nr_pending;
	r = bpf_ringbuf_reserve(&gs_chists, sizeof(*r), 0);
	if (!r)
		return;
	r->channel = ch->id;
	r->pad = 0;
	bpf_probe_read_kernel(&r->h, sizeof(r->h), &ch->hists);
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void vgpu_final(struct gpucore_vgpu *vg)
{
	struct gs_vgpu *v = vgpu_of(vg->gpu_id, vg->id);
	__u32 vi = GPUCORE_VGPU_IDX(vg->gpu_id, vg->id);
	struct gpucore_hists *vh = bpf_map_lookup_elem(&gs_vhists, &vi);

	if (!v || !vh)
		return;
	v->submitted = vg->jobs_submitted;
	v->jobs = vg->jobs_completed;
	v->failed = vg->jobs_failed;
	bpf_probe_read_kernel(vh, sizeof(*vh), &vg->hists);
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
	if (c && !gs_record)
		chan_final(c, ch);
	gs_apply(&ev, NULL, NULL, NULL, c, NULL, NULL);
	emit(&ev);
	__sync_fetch_and_add(&gs_gone, 1);
	return 0;
}

static __always_inline void vgpu_event(struct gpucore_vgpu *vg, __u32 type)
{
	struct gs_event ev;

	ev_vgpu(&ev, type, vg);
	gs_apply(&ev, NULL, vgpu_of(ev.gpu, ev.vgpu), NULL, NULL, NULL, NULL);
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
	if (!gs_record)
		vgpu_final(vg);
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
	gs_apply(&ev, NULL, NULL, NULL, NULL, NULL, &gs_global);
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

/* ---- gs_pull: the driver's counts and histograms, at each refresh ---- */

/* Add @c to the channels this pull saw. */
static __always_inline void snap(const struct gs_chan *c)
{
	__u32 i = gs_snap_n;

	if (i >= GS_MAX_CHANNELS)
		return;
	gs_snap[i] = *c;
	gs_snap_n = i + 1;
}

/*
 * Copy channel @id's counts into its record if they changed, and its
 * histograms into gs_chists; learn it if it is new; add the record to
 * gs_snap. Returns 1 to stop: gs_chists is full.
 */
static int pull_channel(__u32 id)
{
	struct gs_chan *c = bpf_map_lookup_elem(&gs_chans, &id);
	struct gpucore_mon_channel m = {};
	struct gs_hist_rec *r;
	bool fresh = !c;
	int ret;

	r = bpf_ringbuf_reserve(&gs_chists, sizeof(*r), 0);
	if (!r) {
		gs_pull_resume = id;
		return 1;
	}
	if (fresh) {
		bpf_map_update_elem(&gs_chans, &id, &gs_zero_chan, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&gs_chans, &id);
		if (!c) {
			bpf_ringbuf_discard(r, 0);
			return 0;
		}
	}
	m.gen = fresh ? ~0ULL : c->gen;
	ret = gpucore_mon_channel(id, &m, sizeof(m), &r->h, sizeof(r->h));
	if (ret <= 0) {
		bpf_ringbuf_discard(r, 0);
		if (!ret)
			snap(c);
		else if (fresh)
			bpf_map_delete_elem(&gs_chans, &id);
		return 0;
	}
	r->channel = id;
	r->pad = 0;
	bpf_ringbuf_submit(r, 0);
	if (fresh) {
		c->id = id;
		c->gpu = m.gpu;
		c->engine = m.engine;
		c->vgpu = m.vgpu;
		c->pid = m.pid;
		__builtin_memcpy(c->comm, m.comm, sizeof(c->comm));
	}
	c->gen = m.gen;
	c->submitted = m.submitted;
	c->jobs = m.completed;
	c->failed = m.failed;
	c->queued = m.queued;
	snap(c);
	return 0;
}

static long pull_channel_step(__u64 i, __u32 *id)
{
	*id = gpucore_mon_next_channel(*id + 1);
	if (!*id)
		return 1;
	return pull_channel(*id);
}

/* A vGPU: learn one gpustat has not seen (no event named it yet), copy its counts. */
static long pull_vgpu_step(__u64 i, void *unused)
{
	__u32 vi = i, gpu = vi / GPUCORE_MAX_VGPUS, id = vi % GPUCORE_MAX_VGPUS;
	struct gs_vgpu *v = vgpu_of(gpu, id);
	struct gpucore_hists *vh = bpf_map_lookup_elem(&gs_vhists, &vi);
	struct gpucore_mon_vgpu m = {};
	struct gs_event ev;

	if (!v || !vh || v->seen == 2)
		return 0;
	m.gen = v->seen ? v->gen : ~0ULL;
	if (gpucore_mon_vgpu(vi, &m, sizeof(m), vh, sizeof(*vh)) <= 0)
		return 0;
	if (!v->seen) {
		__builtin_memset(&ev, 0, sizeof(ev));
		ev.type = GS_EV_VGPU_UPDATE;
		ev.gpu = gpu;
		ev.vgpu = id;
		ev.aux = m.weight;
		ev.aux2 = m.cap;
		ev.a = m.mem_quota;
		ev.b = m.max_channels;
		ev.c = m.max_jobs;
		__builtin_memcpy(ev.name, m.name, sizeof(ev.name));
		gs_apply(&ev, NULL, v, NULL, NULL, NULL, NULL);
	}
	v->gen = m.gen;
	v->submitted = m.submitted;
	v->jobs = m.completed;
	v->failed = m.failed;
	return 0;
}

/*
 * An engine's job counts, and what runs on it: the running channel's
 * charge so far (the live view's exact part), and a run that began before
 * gpustat attached, which no switch-in told it of. Once an event of the
 * engine was seen, events own its running state; a switch racing this
 * very first look can leave it wrong until the engine's next switch-in.
 */
static long pull_engine_step(__u64 i, void *unused)
{
	__u32 ei = i, gpu = ei / GPUCORE_MAX_ENGINES, id = ei % GPUCORE_MAX_ENGINES;
	struct gpucore_mon_engine m = {};
	struct gs_engine *e;
	struct gs_event ev;
	struct gs_chan *c;
	__u32 seen;

	if (ei >= GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES)
		return 1;
	e = &gs_engines[ei];
	seen = e->seen;
	if (gpucore_mon_engine(gpu, id, &m, sizeof(m)))
		return 0;
	e->jobs = m.completed;
	e->failed = m.failed;
	if (!m.channel)
		return 0;
	if (!seen && !e->seen) {
		e->seen = 1;
		__builtin_memset(&ev, 0, sizeof(ev));
		ev.ts = m.switched_in;
		ev.type = GS_EV_SWITCH_IN;
		ev.gpu = gpu;
		ev.engine = id;
		ev.vgpu = m.vgpu;
		ev.channel = m.channel;
		ev.aux = m.nr_queued;
		c = bpf_map_lookup_elem(&gs_chans, &ev.channel);
		if (c)
			ev.aux2 = c->queued;
		gs_apply(&ev, e, NULL, NULL, c, NULL, NULL);
	}
	if (e->running && e->cur_channel == m.channel) {
		e->run_ns = m.run_ns;
		e->run_ts = bpf_ktime_get_ns();
	}
	return 0;
}

/*
 * Each refresh: vGPUs and engines, then channels from gs_pull_resume on
 * (0: the first, and gs_snap starts afresh), until the last or until
 * gs_chists is full; gpustat empties it and runs gs_pull again while
 * gs_pull_resume is not 0.
 */
SEC("syscall")
int gs_pull(void *ctx)
{
	__u32 id = gs_pull_resume;

	if (!id) {
		gs_snap_n = 0;
		bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_VGPUS, pull_vgpu_step, NULL, 0);
		bpf_loop(GPUCORE_MAX_GPUS * GPUCORE_MAX_ENGINES, pull_engine_step, NULL, 0);
	} else {
		id--;	/* pull_channel_step looks from id + 1 */
	}
	gs_pull_resume = 0;
	bpf_loop(GS_MAX_CHANNELS, pull_channel_step, &id, 0);
	return 0;
}
