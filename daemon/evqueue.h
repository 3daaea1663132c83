/* SPDX-License-Identifier: MIT */
/*
 * evqueue.h - the bounded queue between the receiver and the evaluator.
 *
 * The receiver must never wait for the evaluator, so a push into a full
 * queue fails at once and the event is counted as lost with reason "queue".
 * Consecutive drops are coalesced into one loss item, which is queued in
 * stream order ahead of the next event that fits (or handed out when the
 * queue runs dry), so the evaluator reports one `lost` record per run of
 * drops with the exact count and seq range.
 *
 * Items own their strings: an event is copied out of the netlink buffer
 * into one allocation, so the buffer can be reused at once.
 */
#ifndef PREMOD_DAEMON_EVQUEUE_H
#define PREMOD_DAEMON_EVQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum evq_kind {
	EVQ_EVENT,
	EVQ_LOST,
};

struct evq_lost {
	uint64_t seq;		/* seq the loss record carries */
	uint64_t time_ns;
	uint64_t count, first, last;
	const char *reason;	/* static string: "kernel", "gap", ... */
};

struct evq_item {
	struct evq_item *next;
	enum evq_kind kind;
	union {
		struct pm_event ev;
		struct evq_lost lost;
	};
	char *dirbuf;		/* storage for the derived `dir` */
	size_t dirbuf_len;
	/* string storage follows */
};

struct evq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct evq_item *head, *tail;
	size_t cap;		/* events at most; loss items come on top */
	size_t len;		/* items queued, loss items included */
	size_t events;		/* events queued */
	bool closed;
	bool waiting;		/* consumer sleeps on cond */
	struct evq_lost pending; /* coalesced queue drops not yet queued */
	uint64_t dropped;	/* events dropped since creation */
};

int evq_init(struct evq *q, size_t cap);
/* Frees what is still queued. */
void evq_destroy(struct evq *q);

/* Copies ev (and every string it points to) into a new item. NULL on ENOMEM. */
struct evq_item *evq_item_event(const struct pm_event *ev);
struct evq_item *evq_item_lost(const struct evq_lost *l);
void evq_item_free(struct evq_item *it);

/*
 * Never blocks. Takes ownership of `it` in every case: -ENOBUFS when the
 * queue is full (an event item is then freed and recorded as a queue drop),
 * -EPIPE after evq_close (freed as well). Loss items are always accepted.
 */
int evq_push(struct evq *q, struct evq_item *it);
/* Records a drop without an item (the receiver could not even copy it). */
void evq_drop(struct evq *q, uint64_t seq, uint64_t time_ns);

/*
 * Takes every queued item, oldest first, as a list (returns its head) and
 * sets *n; waits up to timeout_ms (-1 forever) when empty. Returns NULL on
 * timeout or, with *closed set, when the queue is closed and drained.
 */
struct evq_item *evq_pop_all(struct evq *q, int timeout_ms, size_t *n,
			     bool *closed);
/* No more pushes; the consumer drains what is left, then sees closed. */
void evq_close(struct evq *q);
size_t evq_depth(struct evq *q);

#endif /* PREMOD_DAEMON_EVQUEUE_H */
