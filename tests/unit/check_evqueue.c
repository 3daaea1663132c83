// SPDX-License-Identifier: MIT
/* check_evqueue - the bounded queue: order, copies, coalesced drops. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evqueue.h"

static struct evq_item *ev_item(uint64_t seq, const char *path)
{
	struct pm_event ev = { 0 };
	struct evq_item *it;
	char buf[256];

	pm_event_set_num(&ev, PM_F_SEQ, seq);
	pm_event_set_num(&ev, PM_F_TIME, 1000 + seq);
	if (path) {
		/* the item must not point into the caller's buffer */
		snprintf(buf, sizeof(buf), "%s", path);
		pm_event_set_str(&ev, PM_F_PATH, buf);
	}
	it = evq_item_event(&ev);
	if (path)
		memset(buf, 'X', sizeof(buf));
	return it;
}

START_TEST(test_fifo_and_copy)
{
	struct evq q;
	struct evq_item *it, *next;
	size_t n;
	bool closed;
	uint64_t want = 1;

	ck_assert_int_eq(evq_init(&q, 8), 0);
	for (uint64_t s = 1; s <= 5; s++)
		ck_assert_int_eq(evq_push(&q, ev_item(s, "/etc/passwd")), 0);
	ck_assert_uint_eq(evq_depth(&q), 5);
	it = evq_pop_all(&q, 0, &n, &closed);
	ck_assert_uint_eq(n, 5);
	ck_assert(!closed);
	for (; it; it = next, want++) {
		next = it->next;
		ck_assert_int_eq(it->kind, EVQ_EVENT);
		ck_assert_uint_eq(it->ev.num[PM_F_SEQ], want);
		ck_assert_str_eq(pm_event_str(&it->ev, PM_F_PATH),
				 "/etc/passwd");
		ck_assert_ptr_nonnull(it->dirbuf);
		ck_assert_uint_ge(it->dirbuf_len, strlen("/etc/passwd") + 1);
		evq_item_free(it);
	}
	ck_assert_uint_eq(want, 6);
	ck_assert_uint_eq(evq_depth(&q), 0);
	evq_destroy(&q);
}
END_TEST

/* Drops coalesce into one loss item, in stream order, exact count. */
START_TEST(test_full_drops_coalesce)
{
	struct evq q;
	struct evq_item *it, *next;
	size_t n;
	bool closed;
	int kinds = 0;
	uint64_t seqs[16], lost_count = 0, lost_first = 0, lost_last = 0;
	size_t ns = 0;

	ck_assert_int_eq(evq_init(&q, 3), 0);
	for (uint64_t s = 1; s <= 3; s++)
		ck_assert_int_eq(evq_push(&q, ev_item(s, NULL)), 0);
	for (uint64_t s = 4; s <= 7; s++)
		ck_assert_int_eq(evq_push(&q, ev_item(s, NULL)), -ENOBUFS);
	ck_assert_uint_eq(q.dropped, 4);
	it = evq_pop_all(&q, 0, &n, &closed);
	/* 3 events then the loss of 4..7 */
	ck_assert_uint_eq(n, 4);
	for (; it; it = next) {
		next = it->next;
		if (it->kind == EVQ_EVENT) {
			seqs[ns++] = it->ev.num[PM_F_SEQ];
		} else {
			kinds++;
			ck_assert_uint_eq(ns, 3);
			ck_assert_str_eq(it->lost.reason, "queue");
			lost_count = it->lost.count;
			lost_first = it->lost.first;
			lost_last = it->lost.last;
		}
		evq_item_free(it);
	}
	ck_assert_int_eq(kinds, 1);
	ck_assert_uint_eq(lost_count, 4);
	ck_assert_uint_eq(lost_first, 4);
	ck_assert_uint_eq(lost_last, 7);
	ck_assert_uint_eq(seqs[2], 3);
	evq_destroy(&q);
}
END_TEST

/* A drop then room again: the loss precedes the next event. */
START_TEST(test_loss_before_next_event)
{
	struct evq q;
	struct evq_item *it, *next;
	size_t n, i = 0;
	bool closed;
	int order[8];

	ck_assert_int_eq(evq_init(&q, 1), 0);
	ck_assert_int_eq(evq_push(&q, ev_item(1, NULL)), 0);
	ck_assert_int_eq(evq_push(&q, ev_item(2, NULL)), -ENOBUFS);
	it = evq_pop_all(&q, 0, &n, &closed);
	for (; it; it = next) {
		next = it->next;
		order[i++] = it->kind;
		evq_item_free(it);
	}
	/* the pending drop is handed out as soon as the queue drains */
	ck_assert_uint_eq(i, 2);
	ck_assert_int_eq(order[0], EVQ_EVENT);
	ck_assert_int_eq(order[1], EVQ_LOST);
	/* not contiguous drops: two separate losses */
	ck_assert_int_eq(evq_push(&q, ev_item(3, NULL)), 0);
	ck_assert_int_eq(evq_push(&q, ev_item(4, NULL)), -ENOBUFS);
	ck_assert_int_eq(evq_push(&q, ev_item(6, NULL)), -ENOBUFS);
	it = evq_pop_all(&q, 0, &n, &closed);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(it->next->kind, EVQ_LOST);
	ck_assert_uint_eq(it->next->lost.first, 4);
	ck_assert_uint_eq(it->next->lost.count, 1);
	ck_assert_uint_eq(it->next->next->lost.first, 6);
	for (; it; it = next) {
		next = it->next;
		evq_item_free(it);
	}
	evq_destroy(&q);
}
END_TEST

START_TEST(test_close_and_timeout)
{
	struct evq q;
	size_t n;
	bool closed;

	ck_assert_int_eq(evq_init(&q, 4), 0);
	ck_assert_ptr_null(evq_pop_all(&q, 10, &n, &closed));
	ck_assert(!closed);
	ck_assert_int_eq(evq_push(&q, ev_item(1, NULL)), 0);
	evq_close(&q);
	ck_assert_int_eq(evq_push(&q, ev_item(2, NULL)), -EPIPE);
	/* what was queued before close is still handed out */
	{
		struct evq_item *it = evq_pop_all(&q, -1, &n, &closed);

		ck_assert_ptr_nonnull(it);
		ck_assert(!closed);
		evq_item_free(it);
	}
	ck_assert_ptr_null(evq_pop_all(&q, -1, &n, &closed));
	ck_assert(closed);
	evq_destroy(&q);
}
END_TEST

struct prod {
	struct evq *q;
	uint64_t pushed, dropped;
};

static void *producer(void *arg)
{
	struct prod *p = arg;

	for (uint64_t s = 1; s <= 200000; s++) {
		if (evq_push(p->q, ev_item(s, "/a/b")) == 0)
			p->pushed++;
		else
			p->dropped++;
	}
	evq_close(p->q);
	return NULL;
}

/* Threads: every seq arrives exactly once, as an event or inside a loss. */
START_TEST(test_threads_account_every_seq)
{
	struct evq q;
	struct prod p = { &q };
	pthread_t t;
	uint64_t next = 1, events = 0, lost = 0;
	bool closed = false;

	ck_assert_int_eq(evq_init(&q, 64), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, producer, &p), 0);
	while (!closed) {
		size_t n;
		struct evq_item *it = evq_pop_all(&q, 100, &n, &closed), *nx;

		for (; it; it = nx) {
			nx = it->next;
			if (it->kind == EVQ_EVENT) {
				ck_assert_uint_eq(it->ev.num[PM_F_SEQ], next);
				next++;
				events++;
			} else {
				ck_assert_uint_eq(it->lost.first, next);
				ck_assert_uint_eq(it->lost.last,
						  next + it->lost.count - 1);
				next += it->lost.count;
				lost += it->lost.count;
			}
			evq_item_free(it);
		}
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(next, 200001);
	ck_assert_uint_eq(events, p.pushed);
	ck_assert_uint_eq(lost, p.dropped);
	evq_destroy(&q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evqueue");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fifo_and_copy);
	tcase_add_test(tc, test_full_drops_coalesce);
	tcase_add_test(tc, test_loss_before_next_event);
	tcase_add_test(tc, test_close_and_timeout);
	tcase_add_test(tc, test_threads_account_every_seq);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
