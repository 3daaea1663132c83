// SPDX-License-Identifier: GPL-2.0
/*
 * The drain: moves captured events from the per-CPU rings to the "events"
 * group, in sequence order, several per datagram.
 *
 * A run snapshots the next sequence number first, then merges the rings'
 * records below it by sequence number (see pm_ring.c for why that is
 * complete). A number missing from the merge was dropped at capture (ring
 * full, record too big): a PREMOD_OP_LOST record takes its place.
 *
 * A batch that netlink could not deliver (ENOBUFS: a listener's receive
 * buffer was full) is lost as a whole; its events join the pending-loss
 * accumulator, which the next batch reports first, in a LOST record, and
 * which is cleared only once that batch was delivered. So with one
 * listener, the events it receives plus the counts of the LOST records it
 * receives equal the events captured, exactly. A batch nobody received
 * because nobody listens any more (ESRCH) is counted, not reported.
 *
 * Where each loss of include/premod.h is counted:
 *   DROP_BUFFER_FULL, DROP_TOO_BIG  pm_ring_commit(), at capture;
 *   DROP_ALLOC                      batch_put(), no skb for the event;
 *   DROP_SEND, DROP_UNLOAD          batch_send(), ENOBUFS (UNLOAD when it
 *                                   is the last drain, at unload);
 *   DROP_NO_LISTENER                batch_send(), ESRCH and no listener
 *                                   left (ESRCH while one is subscribed
 *                                   is its overrun: DROP_SEND).
 *
 * The work runs on an ordered workqueue of its own: one drain at a time,
 * and unload can wait for it. A hook does not queue it directly: it
 * queues an irq_work (lockless, callable from any context), whose
 * handler queues the work. So the capture path takes no lock of the
 * workqueue's, and on PREEMPT_RT, where an irq_work runs in a per-CPU
 * thread, nothing in the hook's own context ever waits.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "pm_drain.h"
#include "pm_genl.h"
#include "pm_ring.h"

/*
 * A datagram is at most PREMOD_BATCH_MAX bytes (the receivers' contract),
 * which holds the biggest event plus a LOST record. The allocation asks
 * for that much, overhead included, so it stays in the 32 KiB bucket.
 */
#define BATCH_ALLOC	SKB_WITH_OVERHEAD(PREMOD_BATCH_MAX)
static_assert(PM_EVENT_MAX + 512 <= BATCH_ALLOC);
/* Retry period for a loss report nobody could take yet. */
#define RETRY_DELAY	(HZ / 10)

struct batch {
	struct sk_buff *skb;
	u64 events;		/* events in it */
	u64 lost_records;	/* LOST records in it */
	struct pm_lost lost;	/* events it carries or reports */
	bool carries_pending;
};

static struct workqueue_struct *wq;
static struct work_struct drain_work;
static struct delayed_work retry_work;
static struct irq_work kick_work;
static unsigned long kicked;
static bool stopping;

/* Drain state: only the drain touches it. */
static struct pm_event *rec;		/* one record, copied out of a ring */
static u64 *front;			/* per CPU: seq of its oldest record */
static u64 expected = 1;		/* next sequence number due */
static struct pm_lost pending;		/* lost, not yet reported */

static void lost_add(struct pm_lost *l, u64 count, u64 first, u64 last)
{
	if (!count)
		return;
	if (!l->count || first < l->first)
		l->first = first;
	if (!l->count || last > l->last)
		l->last = last;
	l->count += count;
}

/* Events that did not reach the listener: counted, then reported in-band. */
static void batch_lost(struct batch *b, enum premod_stat why)
{
	pm_stat_add(why, b->events);
	lost_add(&pending, b->lost.count, b->lost.first, b->lost.last);
}

static void batch_send(struct batch *b, bool final)
{
	int err;

	if (!b->skb)
		return;
	err = pm_genl_batch_send(b->skb);
	b->skb = NULL;
	if (!err) {
		pm_stat_add(PREMOD_STAT_SENT, b->events);
		pm_stat_add(PREMOD_STAT_LOST_RECORDS, b->lost_records);
		pm_stat_inc(PREMOD_STAT_BATCHES);
		if (b->carries_pending)
			memset(&pending, 0, sizeof(pending));
	} else if (err == -ESRCH && !pm_genl_listening()) {
		/*
		 * Nobody left to tell: a new listener starts afresh. (ESRCH
		 * with a listener still subscribed is one that overran without
		 * NETLINK_BROADCAST_ERROR: a send loss, reported in-band.)
		 */
		pm_stat_add(PREMOD_STAT_DROP_NO_LISTENER, b->events);
		memset(&pending, 0, sizeof(pending));
	} else {
		batch_lost(b, final ? PREMOD_STAT_DROP_UNLOAD :
				      PREMOD_STAT_DROP_SEND);
	}
	memset(b, 0, sizeof(*b));
}

static int batch_open(struct batch *b)
{
	memset(b, 0, sizeof(*b));
	b->skb = pm_genl_batch_new(BATCH_ALLOC);
	if (!b->skb)
		return -ENOMEM;
	if (pending.count) {
		/* An empty batch always has room for one LOST record. */
		pm_genl_put_lost(b->skb, &pending);
		b->carries_pending = true;
		b->lost_records++;
	}
	return 0;
}

/* Puts one LOST record (@ev NULL, @l) or event into the current batch. */
static void batch_put(struct batch *b, const struct pm_event *ev,
		      const struct pm_lost *l, bool final)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		unsigned int before;
		int err;

		if (!b->skb && batch_open(b))
			break;
		before = b->skb->len;
		err = ev ? pm_genl_put_event(b->skb, ev) :
			   pm_genl_put_lost(b->skb, l);
		/* kmalloc may round the buffer up: the limit is ours. */
		if (!err && b->skb->len > PREMOD_BATCH_MAX) {
			skb_trim(b->skb, before);
			err = -EMSGSIZE;
		}
		if (!err) {
			if (ev) {
				b->events++;
				lost_add(&b->lost, 1, ev->seq, ev->seq);
			} else {
				b->lost_records++;
				lost_add(&b->lost, l->count, l->first, l->last);
			}
			return;
		}
		batch_send(b, final);
	}
	/* No memory for a message: lost here, reported with the next one. */
	if (ev) {
		pm_stat_inc(PREMOD_STAT_DROP_ALLOC);
		lost_add(&pending, 1, ev->seq, ev->seq);
	} else {
		lost_add(&pending, l->count, l->first, l->last);
	}
}

/* Sequence numbers [expected, upto) never made it into a ring. */
static void gap(struct batch *b, u64 upto, bool final)
{
	struct pm_lost l = {
		.count = upto - expected,
		.first = expected,
		.last = upto - 1,
	};

	if (upto > expected)
		batch_put(b, NULL, &l, final);
}

static void drain(bool final)
{
	struct batch b = {};
	u64 end;
	int cpu;

	end = pm_ring_next_seq();
	for_each_possible_cpu(cpu)
		if (!pm_ring_front(cpu, &front[cpu]) || front[cpu] >= end)
			front[cpu] = U64_MAX;

	for (;;) {
		int best = -1;

		for_each_possible_cpu(cpu)
			if (front[cpu] != U64_MAX &&
			    (best < 0 || front[cpu] < front[best]))
				best = cpu;
		if (best < 0)
			break;
		if (pm_ring_pop(best, rec, PM_EVENT_MAX) == 0) {
			gap(&b, rec->seq, final);
			batch_put(&b, rec, NULL, final);
			expected = rec->seq + 1;
		}
		if (!pm_ring_front(best, &front[best]) || front[best] >= end)
			front[best] = U64_MAX;
		cond_resched();
	}
	gap(&b, end, final);
	expected = max(expected, end);

	/* Nothing else to send: a batch of the loss report alone. */
	if (!b.skb && pending.count && batch_open(&b))
		return;
	batch_send(&b, final);
}

static void drain_fn(struct work_struct *work)
{
	clear_bit(0, &kicked);
	/* Order the clear before reading the rings: a later kick re-queues. */
	smp_mb__after_atomic();
	drain(false);
	if (pending.count && !READ_ONCE(stopping))
		queue_delayed_work(wq, &retry_work, RETRY_DELAY);
}

static void retry_fn(struct work_struct *work)
{
	if (!READ_ONCE(stopping))
		queue_work(wq, &drain_work);
}

static void kick_fn(struct irq_work *w)
{
	queue_work(wq, &drain_work);
}

void pm_drain_kick(void)
{
	if (!test_and_set_bit(0, &kicked))
		irq_work_queue(&kick_work);
}

int pm_drain_init(void)
{
	rec = vmalloc(PM_EVENT_MAX);
	front = kcalloc(nr_cpu_ids, sizeof(*front), GFP_KERNEL);
	wq = alloc_ordered_workqueue("premod", 0);
	if (!rec || !front || !wq) {
		if (wq)
			destroy_workqueue(wq);
		kfree(front);
		vfree(rec);
		return -ENOMEM;
	}
	INIT_WORK(&drain_work, drain_fn);
	init_irq_work(&kick_work, kick_fn);
	INIT_DELAYED_WORK(&retry_work, retry_fn);
	return 0;
}

void pm_drain_exit(void)
{
	/*
	 * The hooks are gone, so nothing kicks any more; a drain still
	 * running may arm the retry once, which the second round cancels.
	 */
	WRITE_ONCE(stopping, true);
	smp_mb();
	/* A kick of the last hooks may still be on its way to the queue. */
	irq_work_sync(&kick_work);
	cancel_delayed_work_sync(&retry_work);
	cancel_work_sync(&drain_work);
	cancel_delayed_work_sync(&retry_work);
	cancel_work_sync(&drain_work);
	/* Last chance for what is buffered: a failure now is DROP_UNLOAD. */
	drain(true);
	destroy_workqueue(wq);
	kfree(front);
	vfree(rec);
}
