/* SPDX-License-Identifier: MIT */
/*
 * seqtrack.h - turns the kernel's sequence numbers into exact loss reports.
 *
 * The kernel numbers every captured event and merges its per-CPU buffers,
 * so the stream one listener reads is strictly increasing: every missing
 * seq is an event this listener lost, and nothing else is. Each gap
 * becomes exactly one loss report, with the reason:
 *
 *   "enobufs"  our socket reported ENOBUFS before the gap (we overflowed);
 *   "kernel"   a kernel LOST record (op lost) named the range. The kernel
 *              puts LOST in the stream in place of the seqs it lost, so
 *              what of its range we have not received is reported at once,
 *              even when no later event would reveal it (a flood that ends
 *              in a loss); a gap seen first waits up to hold_ns for a LOST
 *              record naming it;
 *   "gap"      neither.
 *
 * A LOST record for seqs this listener did receive (another listener
 * overflowed) is not a loss of ours and reports nothing. A LOST record that
 * comes before the first event is a loss from before we listened (say,
 * while the previous daemon was stopping) and is reported as is. The first
 * event after start, or after a restart of the stream (seq going back: the
 * module was reloaded), is not a gap.
 *
 * Pure logic, no locking, no clock: the receiver thread owns one and
 * passes the time in, so tests drive it deterministically.
 */
#ifndef PREMOD_DAEMON_SEQTRACK_H
#define PREMOD_DAEMON_SEQTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evqueue.h"

#define SEQTRACK_MAX_PENDING 64

struct seqtrack_gap {
	struct evq_lost lost;
	uint64_t deadline_ns;
};

typedef void (*seqtrack_emit_fn)(const struct evq_lost *l, void *arg);

struct seqtrack {
	bool started;
	uint64_t next;		/* seq expected next */
	bool enobufs;		/* socket overflowed since the last gap */
	uint64_t hold_ns;	/* how long a gap waits for a LOST record */
	struct seqtrack_gap pending[SEQTRACK_MAX_PENDING];
	size_t n_pending;
	uint64_t restarts;	/* stream went backwards */
	uint64_t foreign_lost;	/* LOST records for seqs we received */
	seqtrack_emit_fn emit;
	void *arg;
};

void seqtrack_init(struct seqtrack *t, uint64_t hold_ns, seqtrack_emit_fn emit,
		   void *arg);
/* An event with this seq arrived (now_ns: a monotonic clock). */
void seqtrack_event(struct seqtrack *t, uint64_t seq, uint64_t time_ns,
		    uint64_t now_ns);
/* A kernel LOST record arrived. */
void seqtrack_lost(struct seqtrack *t, uint64_t seq, uint64_t time_ns,
		   uint64_t count, uint64_t first, uint64_t last,
		   uint64_t now_ns);
/* Our socket reported ENOBUFS. */
void seqtrack_enobufs(struct seqtrack *t);
/* Reports held gaps whose wait for a LOST record is over. */
void seqtrack_tick(struct seqtrack *t, uint64_t now_ns);
/* Reports every held gap now (shutdown, stream restart). */
void seqtrack_flush(struct seqtrack *t);
/* Forget the stream (reconnected to a new module instance). */
void seqtrack_reset(struct seqtrack *t);

#endif /* PREMOD_DAEMON_SEQTRACK_H */
