// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU byte rings of variable-length event records.
 *
 * The sequence number is taken inside the same critical section that
 * reserves and fills the record. So once the drain has snapshot the next
 * sequence number and then held a CPU's lock, every number below the
 * snapshot that went to that CPU is either committed there or was dropped:
 * each ring is FIFO, and a k-way merge by sequence number over the rings
 * yields a strictly increasing stream in which a missing number is a loss.
 *
 * A full ring still consumes a sequence number (DROP_BUFFER_FULL), so the
 * consumer sees the gap. The lock is taken with interrupts off: the drain
 * on another CPU holds it briefly to copy a record out. It is a raw
 * spinlock: on PREEMPT_RT a spinlock_t is a sleeping lock, and the capture
 * side runs in a kprobe handler, preemption disabled. Its sections are
 * bounded (one record copied, at most PM_EVENT_MAX bytes).
 */
#include <linux/atomic.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "pm_ring.h"

struct pm_ring {
	raw_spinlock_t lock;
	u64 head;		/* bytes ever written */
	u64 tail;		/* bytes ever consumed */
	char *buf;
};

static DEFINE_PER_CPU(struct pm_ring, rings);
static unsigned int ring_size;	/* power of two */
static atomic64_t next_seq = ATOMIC64_INIT(1);

unsigned int pm_ring_size(void)
{
	return ring_size;
}

u64 pm_ring_next_seq(void)
{
	return atomic64_read(&next_seq);
}

int pm_ring_init(unsigned int size)
{
	int cpu;

	ring_size = roundup_pow_of_two(size);
	for_each_possible_cpu(cpu) {
		struct pm_ring *r = per_cpu_ptr(&rings, cpu);

		raw_spin_lock_init(&r->lock);
		r->head = 0;
		r->tail = 0;
		r->buf = vmalloc_node(ring_size, cpu_to_node(cpu));
		if (!r->buf) {
			pm_ring_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void pm_ring_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct pm_ring *r = per_cpu_ptr(&rings, cpu);

		vfree(r->buf);
		r->buf = NULL;
	}
}

void pm_ring_commit(struct pm_event *ev, const char *const str[PM_STR_N])
{
	struct pm_ring *r = this_cpu_ptr(&rings);
	size_t strs = 0, off, room, pad;
	unsigned long flags;
	char *p;
	int i;

	for (i = 0; i < PM_STR_N; i++)
		strs += ev->slen[i];
	ev->len = ALIGN(sizeof(*ev) + strs, 8);

	if (ev->len > ring_size) {
		atomic64_inc(&next_seq);
		pm_stat_inc(PREMOD_STAT_CAPTURED);
		pm_stat_inc(PREMOD_STAT_DROP_TOO_BIG);
		return;
	}

	raw_spin_lock_irqsave(&r->lock, flags);
	ev->seq = atomic64_fetch_inc(&next_seq);
	pm_stat_inc(PREMOD_STAT_CAPTURED);

	off = r->head & (ring_size - 1);
	room = ring_size - off;
	pad = room < ev->len ? room : 0;
	if (r->head + pad + ev->len - r->tail > ring_size) {
		pm_stat_inc(PREMOD_STAT_DROP_BUFFER_FULL);
		goto out;
	}
	if (pad) {
		/* Records never wrap: fill the end with a padding record. */
		struct pm_event *padrec = (struct pm_event *)(r->buf + off);

		padrec->len = pad;
		padrec->op = PREMOD_OP_UNSPEC;
		r->head += pad;
		off = 0;
	}
	p = r->buf + off;
	memcpy(p, ev, sizeof(*ev));
	p += sizeof(*ev);
	for (i = 0; i < PM_STR_N; i++) {
		if (!ev->slen[i])
			continue;
		memcpy(p, str[i], ev->slen[i]);
		p[ev->slen[i] - 1] = '\0';
		p += ev->slen[i];
	}
	r->head += ev->len;
out:
	raw_spin_unlock_irqrestore(&r->lock, flags);
}

/* Lock held: skips padding, returns the oldest record or NULL. */
static struct pm_event *front_locked(struct pm_ring *r)
{
	while (r->tail != r->head) {
		struct pm_event *ev;

		ev = (struct pm_event *)(r->buf + (r->tail & (ring_size - 1)));
		if (ev->op != PREMOD_OP_UNSPEC)
			return ev;
		r->tail += ev->len;
	}
	return NULL;
}

bool pm_ring_front(int cpu, u64 *seq)
{
	struct pm_ring *r = per_cpu_ptr(&rings, cpu);
	struct pm_event *ev;
	unsigned long flags;

	raw_spin_lock_irqsave(&r->lock, flags);
	ev = front_locked(r);
	if (ev)
		*seq = ev->seq;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	return ev;
}

int pm_ring_pop(int cpu, struct pm_event *dst, size_t size)
{
	struct pm_ring *r = per_cpu_ptr(&rings, cpu);
	struct pm_event *ev;
	unsigned long flags;
	int ret = -ENOENT;

	raw_spin_lock_irqsave(&r->lock, flags);
	ev = front_locked(r);
	if (ev) {
		if (WARN_ON_ONCE(ev->len > size)) {
			ret = -EFBIG;
		} else {
			memcpy(dst, ev, ev->len);
			ret = 0;
		}
		r->tail += ev->len;
	}
	raw_spin_unlock_irqrestore(&r->lock, flags);
	return ret;
}
