// SPDX-License-Identifier: MIT
/*
 * sink.c - the bounded queue and thread around every sink.
 *
 * The evaluator must never wait for a sink, so sink_submit() only takes a
 * short mutex and either queues a reference or counts a drop. The sink's
 * own thread is the only one that ever waits.
 *
 * A sink loses a record in exactly two ways, both counted in its stats:
 *   - dropped: its queue was full when the record was submitted;
 *   - failed:  ops->write returned an error (disk full, journald gone).
 * Both also open a "gap" that the sink reports in its own output, as a
 * `lost` record with reason "sink:<name>" and the exact count, so a reader
 * of that one file or journal sees the hole where it is: a drop gap right
 * after the records that were queued when it began, a failure gap before
 * the next record that is written. When writing that report fails too, it
 * stays pending and is tried again before the next record.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Caller holds s->lock. */
static void gap_add(struct sink *s, uint64_t seq, size_t after)
{
	if (s->gap_count == 0) {
		s->gap_after = after;
		s->gap_first = s->gap_last = seq;
	} else if (seq) {
		if (!s->gap_first || seq < s->gap_first)
			s->gap_first = seq;
		if (seq > s->gap_last)
			s->gap_last = seq;
	}
	if (after < s->gap_after)
		s->gap_after = after;
	s->gap_count++;
}

static void report_error(struct sink *s, int err, bool *reported)
{
	if (*reported)
		return;
	*reported = true;
	log_msg(LOG_ERR,
		"sink %s: write failed: %s; its records are counted as lost until it recovers",
		s->ops->name, strerror(-err));
}

/*
 * Writes the pending gap report. Caller holds s->lock; it is dropped
 * around the write. A failed report is not itself a lost record: the gap
 * stays pending, merged with anything lost meanwhile.
 */
static void gap_report(struct sink *s)
{
	uint64_t count = s->gap_count, first = s->gap_first,
		 last = s->gap_last;
	char reason[64], host[sizeof(s->ctx_host)];
	struct record_ctx ctx = { .host = host,
				  .generation = s->ctx.generation };
	struct record *r;
	int rc = -ENOMEM;

	/* sink_set_ctx() may rewrite the host while the lock is dropped. */
	snprintf(host, sizeof(host), "%s", s->ctx.host ? s->ctx.host : "");
	s->gap_count = 0;
	s->gap_after = 0;
	pthread_mutex_unlock(&s->lock);

	snprintf(reason, sizeof(reason), "sink:%s", s->ops->name);
	r = record_lost(&ctx, 0, now_realtime_ns(), count, first, last,
			reason);
	if (r) {
		rc = s->ops->write(s, r);
		record_put(r);
	}

	pthread_mutex_lock(&s->lock);
	if (rc < 0) {
		s->gap_count += count;
		if (first && (!s->gap_first || first < s->gap_first))
			s->gap_first = first;
		if (last > s->gap_last)
			s->gap_last = last;
		s->gap_after = 0;
		s->gap_retry_wait = true;
	} else {
		s->gap_retry_wait = false;
	}
}

static void *sink_thread(void *arg)
{
	struct sink *s = arg;
	bool dirty = false, err_reported = false, flush_timer = false;
	struct timespec flush_at = { 0 };
	int rc;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->reopen_pending) {
			s->reopen_pending = false;
			if (s->ops->reopen) {
				pthread_mutex_unlock(&s->lock);
				rc = s->ops->reopen(s);
				if (rc < 0)
					atomic_store(&s->stats.last_error, -rc);
				pthread_mutex_lock(&s->lock);
			}
			continue;
		}
		/* A gap that is due and was not just refused is reported
		 * without waiting for another record. */
		if (s->gap_count && s->gap_after == 0 && !s->gap_retry_wait) {
			gap_report(s);
			dirty = true;
			continue;
		}
		if (s->len) {
			struct record *r = s->ring[s->head];

			s->ring[s->head] = NULL;
			s->head = (s->head + 1) % s->cap;
			s->len--;
			atomic_store(&s->stats.depth, s->len);
			/* A refused report is retried before each record. */
			if (s->gap_count && s->gap_after == 0)
				gap_report(s);
			else if (s->gap_count)
				s->gap_after--;
			pthread_mutex_unlock(&s->lock);
			rc = s->ops->write(s, r);
			pthread_mutex_lock(&s->lock);
			if (rc < 0) {
				atomic_fetch_add(&s->stats.failed, 1);
				atomic_store(&s->stats.last_error, -rc);
				report_error(s, rc, &err_reported);
				gap_add(s, r->seq, 0);
			} else {
				atomic_fetch_add(&s->stats.written, 1);
				if (err_reported) {
					log_msg(LOG_NOTICE,
						"sink %s: writing again",
						s->ops->name);
					err_reported = false;
				}
			}
			dirty = true;
			pthread_mutex_unlock(&s->lock);
			record_put(r);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		/* Queue empty. */
		if (dirty && s->ops->flush) {
			dirty = false;
			flush_timer = false;
			pthread_mutex_unlock(&s->lock);
			rc = s->ops->flush(s);
			pthread_mutex_lock(&s->lock);
			if (rc < 0) {
				atomic_store(&s->stats.last_error, -rc);
			} else if (rc > 0) {
				clock_gettime(CLOCK_MONOTONIC, &flush_at);
				flush_at.tv_sec += rc / 1000;
				flush_at.tv_nsec += (long)(rc % 1000) * 1000000L;
				if (flush_at.tv_nsec >= 1000000000L) {
					flush_at.tv_sec++;
					flush_at.tv_nsec -= 1000000000L;
				}
				flush_timer = true;
			}
			continue;
		}
		if (s->stopping)
			break;
		if (flush_timer) {
			rc = pthread_cond_timedwait(&s->cond, &s->lock,
						    &flush_at);
			if (rc == ETIMEDOUT) {
				flush_timer = false;
				dirty = true;
			}
		} else {
			pthread_cond_wait(&s->cond, &s->lock);
		}
	}
	/* Drained: one last chance to report a gap before closing. */
	if (s->gap_count) {
		s->gap_after = 0;
		gap_report(s);
		if (s->ops->flush) {
			pthread_mutex_unlock(&s->lock);
			s->ops->flush(s);
			pthread_mutex_lock(&s->lock);
		}
	}
	if (s->gap_count)
		log_msg(LOG_ERR,
			"sink %s: stopped with %" PRIu64
			" lost records it could not report in its own output",
			s->ops->name, s->gap_count);
	pthread_mutex_unlock(&s->lock);
	if (s->ops->close)
		s->ops->close(s);
	return NULL;
}

void sink_set_ctx(struct sink *s, const struct record_ctx *ctx)
{
	bool locked = s->running;

	if (locked)
		pthread_mutex_lock(&s->lock);
	snprintf(s->ctx_host, sizeof(s->ctx_host), "%s",
		 ctx && ctx->host ? ctx->host : "");
	s->ctx.host = s->ctx_host;
	s->ctx.generation = ctx ? ctx->generation : 0;
	if (locked)
		pthread_mutex_unlock(&s->lock);
}

int sink_start(struct sink *s, const struct sink_ops *ops, void *priv,
	       size_t capacity)
{
	sigset_t all, old;
	pthread_condattr_t ca;
	int rc;

	if (!ops || !ops->write || !ops->name || capacity == 0)
		return -EINVAL;
	/* s may already carry a context (sink_set_ctx before start). */
	if (!s->ctx.host) {
		if (gethostname(s->ctx_host, sizeof(s->ctx_host) - 1) < 0)
			snprintf(s->ctx_host, sizeof(s->ctx_host), "localhost");
		s->ctx_host[sizeof(s->ctx_host) - 1] = '\0';
		s->ctx.host = s->ctx_host;
	}
	s->ops = ops;
	s->priv = priv;
	s->ring = calloc(capacity, sizeof(*s->ring));
	if (!s->ring)
		return -ENOMEM;
	s->cap = capacity;
	s->head = s->len = 0;
	s->stopping = s->reopen_pending = false;
	s->gap_count = s->gap_first = s->gap_last = 0;
	s->gap_after = 0;
	s->gap_retry_wait = false;
	atomic_store(&s->stats.written, 0);
	atomic_store(&s->stats.dropped, 0);
	atomic_store(&s->stats.failed, 0);
	atomic_store(&s->stats.depth, 0);
	atomic_store(&s->stats.last_error, 0);

	rc = pthread_mutex_init(&s->lock, NULL);
	if (rc)
		goto err_ring;
	/* The flush timer must not jump with the wall clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		goto err_mutex;

	/* Signals belong to the main loop (signalfd), never a sink thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, sink_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto err_cond;
	s->running = true;
	return 0;

err_cond:
	pthread_cond_destroy(&s->cond);
err_mutex:
	pthread_mutex_destroy(&s->lock);
err_ring:
	free(s->ring);
	s->ring = NULL;
	return -rc;
}

int sink_submit(struct sink *s, struct record *r)
{
	int rc = 0;

	if (!(r->outputs & s->ops->output))
		return 0;
	pthread_mutex_lock(&s->lock);
	if (s->stopping || s->len == s->cap) {
		atomic_fetch_add(&s->stats.dropped, 1);
		gap_add(s, r->seq, s->len);
		rc = -ENOBUFS;
	} else {
		s->ring[(s->head + s->len) % s->cap] = record_get(r);
		if (s->len++ == 0)
			pthread_cond_signal(&s->cond);
		atomic_store(&s->stats.depth, s->len);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void sink_request_reopen(struct sink *s)
{
	pthread_mutex_lock(&s->lock);
	s->reopen_pending = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void sink_stop(struct sink *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->ring);
	s->ring = NULL;
}
