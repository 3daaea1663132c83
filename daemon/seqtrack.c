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
		t->enobufs = false;
	} else if (t->started && seq > t->next) {
		gap(t, seq, time_ns, now_ns);
	}
	t->started = true;
	t->next = seq + 1;
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
		/*
		 * The record stands in the stream in place of the seqs it
		 * names: what of its range we have not received never comes.
		 * Reported now, since no later event may reveal it (a flood
		 * that ends with a loss).
		 */
		uint64_t from;
		struct evq_lost l;

		/* seqs before the range and not received are a gap */
		if (first > t->next) {
			gap(t, first, time_ns, now_ns);
			t->next = first;
		}
		from = first > t->next ? first : t->next;
		l = (struct evq_lost){
			.seq = seq ? seq : last, .time_ns = time_ns,
			.count = last - from + 1, .first = from, .last = last,
			.reason = t->enobufs ? "enobufs" : "kernel",
		};

		ours = true;
		t->enobufs = false;
		t->emit(&l, t->arg);
		t->next = last + 1;
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
}
