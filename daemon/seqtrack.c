// SPDX-License-Identifier: MIT
/*
 * seqtrack.c - gap detection and loss attribution. See seqtrack.h.
 */
#include <string.h>

#include "seqtrack.h"

void seqtrack_init(struct seqtrack *t, uint64_t hold_ns, seqtrack_emit_fn emit,
		   void *arg)
{
	memset(t, 0, sizeof(*t));
	t->hold_ns = hold_ns;
	t->emit = emit;
	t->arg = arg;
}

static bool overlaps(uint64_t a1, uint64_t b1, uint64_t a2, uint64_t b2)
{
	return a1 <= b2 && a2 <= b1;
}

static void emit_pending(struct seqtrack *t, size_t i, const char *reason)
{
	t->pending[i].lost.reason = reason;
	t->emit(&t->pending[i].lost, t->arg);
	memmove(&t->pending[i], &t->pending[i + 1],
		(t->n_pending - i - 1) * sizeof(t->pending[0]));
	t->n_pending--;
}

/* Announcements wholly behind the stream can no longer match a gap. */
static void prune_announced(struct seqtrack *t)
{
	size_t i = 0;

	while (i < t->n_announced) {
		if (t->announced[i].last < t->next) {
			t->announced[i] = t->announced[--t->n_announced];
			continue;
		}
		i++;
	}
}

static bool announced(const struct seqtrack *t, uint64_t first, uint64_t last)
{
	size_t i;

	for (i = 0; i < t->n_announced; i++)
		if (overlaps(first, last, t->announced[i].first,
			     t->announced[i].last))
			return true;
	return false;
}

static void gap(struct seqtrack *t, uint64_t seq, uint64_t time_ns,
		uint64_t now_ns)
{
	struct evq_lost l = {
		.seq = t->next,
		.time_ns = time_ns,
		.count = seq - t->next,
		.first = t->next,
		.last = seq - 1,
	};

	if (t->enobufs) {
		t->enobufs = false;
		l.reason = "enobufs";
		t->emit(&l, t->arg);
		return;
	}
	if (announced(t, l.first, l.last)) {
		l.reason = "kernel";
		t->emit(&l, t->arg);
		return;
	}
	if (t->n_pending == SEQTRACK_MAX_PENDING)
		emit_pending(t, 0, "gap");
	t->pending[t->n_pending].lost = l;
	t->pending[t->n_pending].lost.reason = "gap";
	t->pending[t->n_pending].deadline_ns = now_ns + t->hold_ns;
	t->n_pending++;
}

void seqtrack_event(struct seqtrack *t, uint64_t seq, uint64_t time_ns,
		    uint64_t now_ns)
{
	if (t->started && seq < t->next) {
		/* a new module instance numbers from the start again */
		t->restarts++;
		seqtrack_flush(t);
		t->n_announced = 0;
		t->enobufs = false;
	} else if (t->started && seq > t->next) {
		gap(t, seq, time_ns, now_ns);
	}
	t->started = true;
	t->next = seq + 1;
	prune_announced(t);
	seqtrack_tick(t, now_ns);
}

void seqtrack_lost(struct seqtrack *t, uint64_t seq, uint64_t time_ns,
		   uint64_t count, uint64_t first, uint64_t last,
		   uint64_t now_ns)
{
	bool ours = false;
	size_t i = 0;

	if (first > last)
		return;
	if (!t->started) {
		struct evq_lost l = {
			.seq = seq, .time_ns = time_ns, .count = count,
			.first = first, .last = last, .reason = "kernel",
		};

		t->emit(&l, t->arg);
		return;
	}
	while (i < t->n_pending) {
		struct evq_lost *p = &t->pending[i].lost;

		if (overlaps(p->first, p->last, first, last)) {
			ours = true;
			emit_pending(t, i, "kernel");
			continue;
		}
		i++;
	}
	if (last >= t->next) {
		/* gaps still to come in this range are the kernel's doing */
		struct seqtrack_range r = {
			first > t->next ? first : t->next, last
		};

		ours = true;
		if (t->n_announced == SEQTRACK_MAX_ANNOUNCED)
			t->announced[0] = t->announced[--t->n_announced];
		t->announced[t->n_announced++] = r;
	}
	if (!ours)
		t->foreign_lost++;
	/*
	 * If the record has a seq of its own in the stream (outside the range
	 * it reports), it takes part in gap detection like an event.
	 */
	if (seq && (seq < first || seq > last) && seq >= t->next)
		seqtrack_event(t, seq, time_ns, now_ns);
}

void seqtrack_enobufs(struct seqtrack *t)
{
	t->enobufs = true;
}

void seqtrack_tick(struct seqtrack *t, uint64_t now_ns)
{
	while (t->n_pending && t->pending[0].deadline_ns <= now_ns)
		emit_pending(t, 0, "gap");
}

void seqtrack_flush(struct seqtrack *t)
{
	while (t->n_pending)
		emit_pending(t, 0, "gap");
}

void seqtrack_reset(struct seqtrack *t)
{
	seqtrack_flush(t);
	t->started = false;
	t->next = 0;
	t->enobufs = false;
	t->n_announced = 0;
}
