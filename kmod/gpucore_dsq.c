// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore dispatch queues: ordered sets of runnable channels.
 */

/**
 * DOC: Dispatch queues
 *
 * A dispatch queue (DSQ) holds runnable channels in the order a policy
 * chose, as sched_ext's DSQs hold tasks: FIFO, or by a 64-bit virtual time
 * (an rbtree; ties keep their insertion order). A queue is one or the
 * other while it holds channels: a FIFO insert into a queue holding
 * vtime-ordered channels, or the reverse, is refused. Virtual times are
 * compared wrap-safe, as (s64)(a - b), so they may run past U64_MAX.
 *
 * Each engine has a local queue, which it runs from without asking the
 * policy; a policy creates its own queues, each for one GPU and engine
 * class. A channel is in at most one queue (&gpucore_channel.dsq).
 *
 * A policy's queues of one GPU make a &struct gpucore_dsq_set: created
 * one by one while the policy is attached (in its init()), looked up by id
 * on every insert and move (an open-addressing table, at most half full,
 * so a lookup is a hash and a compare or two), and dropped together.
 *
 * This file owns only the data structure. Who may insert what, and when a
 * channel leaves its queue (it is picked, destroyed, or the policy goes
 * away), is decided by the scheduler core and the BPF layer; every
 * function here that touches a queue the scheduler can reach is called
 * with the GPU lock held.
 */

#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/slab.h>

#include "gpucore_priv.h"

/**
 * gpucore_dsq_init - set up an empty dispatch queue
 * @dsq: the queue
 * @id: its id (GPUCORE_DSQ_LOCAL_ON() for an engine's local queue)
 * @engine_class: the engine class of the channels it may hold
 */
void gpucore_dsq_init(struct gpucore_dsq *dsq, u64 id, u32 engine_class)
{
	dsq->id = id;
	dsq->engine_class = engine_class;
	dsq->nr = 0;
	dsq->vtime = false;
	INIT_LIST_HEAD(&dsq->fifo);
	dsq->priq = RB_ROOT_CACHED;
}

static bool gpucore_dsq_vtime_less(struct rb_node *a, const struct rb_node *b)
{
	const struct gpucore_channel *ca = rb_entry(a, struct gpucore_channel, dsq_rb);
	const struct gpucore_channel *cb = rb_entry(b, struct gpucore_channel, dsq_rb);

	return (s64)(ca->dsq_vtime - cb->dsq_vtime) < 0;
}

/**
 * gpucore_dsq_enqueue - put a channel at the tail of a queue, or in vtime order
 * @dsq: the queue
 * @ch: the channel, in no queue
 * @vtime: order by &gpucore_channel.dsq_vtime (set by the caller)
 *
 * Context: the GPU lock held.
 * Return: 0, or -EINVAL if @dsq holds channels in the other order.
 */
int gpucore_dsq_enqueue(struct gpucore_dsq *dsq, struct gpucore_channel *ch, bool vtime)
{
	lockdep_assert_held(&ch->gpu->lock);
	if (dsq->nr && dsq->vtime != vtime)
		return -EINVAL;
	dsq->vtime = vtime;
	if (vtime)
		rb_add_cached(&ch->dsq_rb, &dsq->priq, gpucore_dsq_vtime_less);
	else
		list_add_tail(&ch->dsq_node, &dsq->fifo);
	dsq->nr++;
	ch->dsq = dsq;
	return 0;
}

/**
 * gpucore_dsq_dequeue - take a channel out of its queue, if it is in one
 * @ch: the channel
 *
 * Context: the GPU lock held.
 */
void gpucore_dsq_dequeue(struct gpucore_channel *ch)
{
	struct gpucore_dsq *dsq = ch->dsq;

	lockdep_assert_held(&ch->gpu->lock);
	if (!dsq)
		return;
	if (dsq->vtime)
		rb_erase_cached(&ch->dsq_rb, &dsq->priq);
	else
		list_del_init(&ch->dsq_node);
	dsq->nr--;
	ch->dsq = NULL;
}

/**
 * gpucore_dsq_first - the channel a queue would give up first
 * @dsq: the queue
 *
 * Context: the GPU lock held.
 * Return: the head (FIFO) or the lowest vtime, or NULL if empty.
 */
struct gpucore_channel *gpucore_dsq_first(struct gpucore_dsq *dsq)
{
	struct rb_node *n;

	if (!dsq->nr)
		return NULL;
	if (!dsq->vtime)
		return list_first_entry(&dsq->fifo, struct gpucore_channel, dsq_node);
	n = rb_first_cached(&dsq->priq);
	return rb_entry(n, struct gpucore_channel, dsq_rb);
}

/**
 * gpucore_dsq_next - the channel after @ch in its queue's order
 * @ch: a channel in a queue
 *
 * Context: the GPU lock held.
 * Return: the next channel, or NULL after the last.
 */
struct gpucore_channel *gpucore_dsq_next(struct gpucore_channel *ch)
{
	struct gpucore_dsq *dsq = ch->dsq;
	struct rb_node *n;

	if (!dsq->vtime)
		return list_is_last(&ch->dsq_node, &dsq->fifo) ? NULL :
		       list_next_entry(ch, dsq_node);
	n = rb_next(&ch->dsq_rb);
	return n ? rb_entry(n, struct gpucore_channel, dsq_rb) : NULL;
}

/**
 * gpucore_dsq_first_on - the first channel of a queue bound to an engine
 * @dsq: the queue
 * @e: the engine
 * @max: look at no more than this many channels
 *
 * A queue may hold channels of several engines of its class; the engine
 * takes the first of its own. A policy that keeps one queue per engine
 * makes this O(1).
 *
 * Context: the GPU lock held.
 * Return: the channel, or NULL.
 */
struct gpucore_channel *gpucore_dsq_first_on(struct gpucore_dsq *dsq, struct gpucore_engine *e,
					     u32 max)
{
	struct gpucore_channel *ch;

	for (ch = gpucore_dsq_first(dsq); ch && max; ch = gpucore_dsq_next(ch), max--)
		if (ch->engine == e)
			return ch;
	return NULL;
}

/**
 * gpucore_dsq_clear - take every channel out of a queue
 * @dsq: the queue
 *
 * Context: the GPU lock held.
 */
void gpucore_dsq_clear(struct gpucore_dsq *dsq)
{
	struct gpucore_channel *ch;

	while ((ch = gpucore_dsq_first(dsq)))
		gpucore_dsq_dequeue(ch);
}

#define GPUCORE_DSQ_SET_SLOTS	(2 * GPUCORE_DSQ_MAX_PER_GPU)

/* A policy's queues of one GPU by id: linear probing, at most half full. */
struct gpucore_dsq_set {
	u32 nr;
	struct gpucore_dsq *slot[GPUCORE_DSQ_SET_SLOTS];
};

/**
 * gpucore_dsq_set_alloc - an empty set of queues
 *
 * Return: the set, or NULL (no memory).
 */
struct gpucore_dsq_set *gpucore_dsq_set_alloc(void)
{
	BUILD_BUG_ON(!is_power_of_2(GPUCORE_DSQ_SET_SLOTS));
	return kvzalloc(sizeof(struct gpucore_dsq_set), GFP_KERNEL);
}

/* The slot holding @id, or the empty one where it would go. */
static u32 gpucore_dsq_set_slot(const struct gpucore_dsq_set *set, u64 id)
{
	u32 i = hash_64(id, ilog2(GPUCORE_DSQ_SET_SLOTS));

	while (set->slot[i] && set->slot[i]->id != id)
		i = (i + 1) % GPUCORE_DSQ_SET_SLOTS;
	return i;
}

/**
 * gpucore_dsq_set_add - create a queue in a set
 * @set: the set
 * @id: the queue's id, unique in @set
 * @engine_class: the engine class of the channels it may hold
 *
 * Context: may sleep; the set is not yet reachable by the scheduler.
 * Return: 0, -EEXIST (@id is taken), -ENOSPC (the set holds
 * GPUCORE_DSQ_MAX_PER_GPU queues) or -ENOMEM.
 */
int gpucore_dsq_set_add(struct gpucore_dsq_set *set, u64 id, u32 engine_class)
{
	u32 i = gpucore_dsq_set_slot(set, id);
	struct gpucore_dsq *dsq;

	if (set->slot[i])
		return -EEXIST;
	if (set->nr >= GPUCORE_DSQ_MAX_PER_GPU)
		return -ENOSPC;
	dsq = kzalloc(sizeof(*dsq), GFP_KERNEL);
	if (!dsq)
		return -ENOMEM;
	gpucore_dsq_init(dsq, id, engine_class);
	set->slot[i] = dsq;
	set->nr++;
	return 0;
}

/**
 * gpucore_dsq_set_find - a queue of a set by id
 * @set: the set, or NULL (a policy without queues)
 * @id: the queue's id
 *
 * Context: the GPU lock held, or the set not yet reachable.
 * Return: the queue, or NULL.
 */
struct gpucore_dsq *gpucore_dsq_set_find(const struct gpucore_dsq_set *set, u64 id)
{
	return set ? set->slot[gpucore_dsq_set_slot(set, id)] : NULL;
}

/**
 * gpucore_dsq_set_clear - take every channel out of a set's queues
 * @set: the set, or NULL
 *
 * Context: the GPU lock held.
 */
void gpucore_dsq_set_clear(struct gpucore_dsq_set *set)
{
	u32 i;

	for (i = 0; set && i < GPUCORE_DSQ_SET_SLOTS; i++)
		if (set->slot[i])
			gpucore_dsq_clear(set->slot[i]);
}

/**
 * gpucore_dsq_set_free - free a set and its queues
 * @set: the set, or NULL; its queues empty and out of the scheduler's reach
 */
void gpucore_dsq_set_free(struct gpucore_dsq_set *set)
{
	u32 i;

	for (i = 0; set && i < GPUCORE_DSQ_SET_SLOTS; i++)
		kfree(set->slot[i]);
	kvfree(set);
}
