// SPDX-License-Identifier: MIT
/*
 * evqueue.c - bounded FIFO from the receiver thread to the evaluator.
 * See evqueue.h for the loss semantics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evqueue.h"

int evq_init(struct evq *q, size_t cap)
{
	pthread_condattr_t ca;

	if (cap == 0)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->cap = cap;
	if (pthread_mutex_init(&q->lock, NULL))
		return -ENOMEM;
	/* timeouts must not jump with the wall clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&q->cond, &ca)) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&q->lock);
		return -ENOMEM;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

void evq_destroy(struct evq *q)
{
	struct evq_item *it, *next;

	for (it = q->head; it; it = next) {
		next = it->next;
		evq_item_free(it);
	}
	q->head = q->tail = NULL;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
}

struct evq_item *evq_item_event(const struct pm_event *ev)
{
	size_t need = 0, lens[PM_F_STR_COUNT] = { 0 }, dirlen = 0;
	struct evq_item *it;
	char *p;
	int i;

	for (i = 0; i < PM_F_STR_COUNT; i++) {
		const char *s = pm_event_str(ev, PM_F_NUM_COUNT + i);

		if (s) {
			lens[i] = strlen(s) + 1;
			need += lens[i];
		}
	}
	if (pm_event_has(ev, PM_F_PATH))
		dirlen = lens[PM_F_PATH - PM_F_NUM_COUNT];
	it = malloc(sizeof(*it) + need + dirlen);
	if (!it)
		return NULL;
	it->next = NULL;
	it->kind = EVQ_EVENT;
	it->ev = *ev;
	p = (char *)(it + 1);
	for (i = 0; i < PM_F_STR_COUNT; i++) {
		if (!lens[i])
			continue;
		memcpy(p, ev->str[i], lens[i]);
		it->ev.str[i] = p;
		p += lens[i];
	}
	it->dirbuf = dirlen ? p : NULL;
	it->dirbuf_len = dirlen;
	return it;
}

struct evq_item *evq_item_lost(const struct evq_lost *l)
{
	struct evq_item *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->kind = EVQ_LOST;
	it->lost = *l;
	return it;
}

void evq_item_free(struct evq_item *it)
{
	free(it);
}

static void append(struct evq *q, struct evq_item *it)
{
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->len++;
	if (it->kind == EVQ_EVENT)
		q->events++;
}

/*
 * Queues the coalesced drops as a loss item. Called with the lock held. If
 * even that allocation fails the range stays pending and is retried; the
 * count is never lost, only delayed.
 */
static void flush_pending(struct evq *q)
{
	struct evq_item *it;

	if (!q->pending.count)
		return;
	it = evq_item_lost(&q->pending);
	if (!it)
		return;
	append(q, it);
	memset(&q->pending, 0, sizeof(q->pending));
}

static void wake(struct evq *q)
{
	if (q->waiting)
		pthread_cond_signal(&q->cond);
}

static void record_drop(struct evq *q, uint64_t seq, uint64_t time_ns)
{
	struct evq_lost *p = &q->pending;

	q->dropped++;
	if (p->count && seq != p->last + 1)
		flush_pending(q);
	if (!p->count) {
		p->first = seq;
		p->seq = seq;
		p->time_ns = time_ns;
		p->reason = "queue";
	}
	/* a failed flush keeps the old range: widen it rather than forget */
	p->last = seq > p->last ? seq : p->last;
	p->count++;
}

void evq_drop(struct evq *q, uint64_t seq, uint64_t time_ns)
{
	pthread_mutex_lock(&q->lock);
	record_drop(q, seq, time_ns);
	pthread_mutex_unlock(&q->lock);
}

int evq_push(struct evq *q, struct evq_item *it)
{
	int ret = 0;

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		ret = -EPIPE;
		goto out_free;
	}
	if (it->kind == EVQ_EVENT && q->events >= q->cap) {
		record_drop(q, pm_event_has(&it->ev, PM_F_SEQ) ?
				       it->ev.num[PM_F_SEQ] : 0,
			    it->ev.num[PM_F_TIME]);
		ret = -ENOBUFS;
		goto out_free;
	}
	flush_pending(q);
	append(q, it);
	wake(q);
	pthread_mutex_unlock(&q->lock);
	return 0;
out_free:
	pthread_mutex_unlock(&q->lock);
	evq_item_free(it);
	return ret;
}

struct evq_item *evq_pop_all(struct evq *q, int timeout_ms, size_t *n,
			     bool *closed)
{
	struct evq_item *head = NULL;
	struct timespec ts;

	*n = 0;
	*closed = false;
	pthread_mutex_lock(&q->lock);
	if (!q->head && !q->pending.count && !q->closed && timeout_ms) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (timeout_ms > 0) {
			ts.tv_sec += timeout_ms / 1000;
			ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
		}
		q->waiting = true;
		while (!q->head && !q->pending.count && !q->closed) {
			if (timeout_ms < 0)
				pthread_cond_wait(&q->cond, &q->lock);
			else if (pthread_cond_timedwait(&q->cond, &q->lock,
							&ts) == ETIMEDOUT)
				break;
		}
		q->waiting = false;
	}
	/* drops that happened while full come after everything queued */
	if (q->pending.count)
		flush_pending(q);
	if (q->head) {
		head = q->head;
		*n = q->len;
		q->head = q->tail = NULL;
		q->len = q->events = 0;
	} else if (q->closed) {
		*closed = true;
	}
	pthread_mutex_unlock(&q->lock);
	return head;
}

void evq_close(struct evq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

size_t evq_depth(struct evq *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
