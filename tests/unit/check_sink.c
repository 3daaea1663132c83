// SPDX-License-Identifier: MIT
/*
 * check_sink.c - the queue and thread around a sink: order, drop and
 * failure accounting, the in-band `lost` record a sink writes about its
 * own losses, reopen, deferred flush, drain on stop. A fake sink records
 * what it was given and can be held (a stuck journald) or made to fail
 * (a full disk).
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture_record.h"
#include "sink.h"

struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool held;		/* write blocks while set */
	bool fail_all;		/* every write fails with ENOSPC */
	uint64_t fail_seq;	/* the write of this record fails */
	int attempts, in_write, flushes, reopens, closes;
	int flush_ret;		/* returned by the first flush */
	size_t closed_at;	/* entries written when close ran */
	char log[64][80];	/* what was written, in order */
	size_t n;
};

static struct fake fk;
static struct sink sk;

static void fake_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	pthread_mutex_init(&fk.lock, NULL);
	pthread_cond_init(&fk.cond, NULL);
	memset(&sk, 0, sizeof(sk));
}

/* "r<seq>" for a record handed in, "lost:<count>:<first>:<last>" for the
 * sink's own loss report. */
static void describe(const struct record *r, char *buf, size_t len)
{
	const char *reason = fx_kv(r, "reason");

	if (r->kind == RECORD_LOST && reason && strncmp(reason, "sink:", 5) == 0)
		snprintf(buf, len, "lost:%s:%s:%s", fx_kv(r, "lost_count"),
			 fx_kv(r, "lost_first"), fx_kv(r, "lost_last"));
	else
		snprintf(buf, len, "r%" PRIu64, r->seq);
}

static int fake_write(struct sink *s, const struct record *r)
{
	int rc = 0;

	ck_assert_ptr_eq(s, &sk);
	pthread_mutex_lock(&fk.lock);
	fk.in_write++;
	pthread_cond_broadcast(&fk.cond);
	while (fk.held)
		pthread_cond_wait(&fk.cond, &fk.lock);
	fk.attempts++;
	if (fk.fail_all || (fk.fail_seq && r->seq == fk.fail_seq))
		rc = -ENOSPC;
	else if (fk.n < 64)
		describe(r, fk.log[fk.n++], sizeof(fk.log[0]));
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	return rc;
}

static int fake_flush(struct sink *s)
{
	int rc;

	(void)s;
	pthread_mutex_lock(&fk.lock);
	rc = fk.flushes++ == 0 ? fk.flush_ret : 0;
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	return rc;
}

static int fake_reopen(struct sink *s)
{
	(void)s;
	pthread_mutex_lock(&fk.lock);
	fk.reopens++;
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
	return 0;
}

static void fake_close(struct sink *s)
{
	(void)s;
	pthread_mutex_lock(&fk.lock);
	fk.closes++;
	fk.closed_at = fk.n;
	pthread_mutex_unlock(&fk.lock);
}

static const struct sink_ops fake_ops = {
	.name = "fake",
	.output = POLICY_OUT_JOURNAL,
	.write = fake_write,
	.flush = fake_flush,
	.reopen = fake_reopen,
	.close = fake_close,
};

/* Waits (at most 5 s) until *counter reaches want. */
static void wait_for(const int *counter, int want)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&fk.lock);
	while (*counter < want)
		if (pthread_cond_timedwait(&fk.cond, &fk.lock, &until) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&fk.lock);
	ck_assert_int_ge(*counter, want);
}

static void wait_written(size_t want)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&fk.lock);
	while (fk.n < want)
		if (pthread_cond_timedwait(&fk.cond, &fk.lock, &until) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&fk.lock);
	ck_assert_uint_ge(fk.n, want);
}

static void set_held(bool held)
{
	pthread_mutex_lock(&fk.lock);
	fk.held = held;
	pthread_cond_broadcast(&fk.cond);
	pthread_mutex_unlock(&fk.lock);
}

static int submit(uint64_t seq)
{
	struct record *r = fx_lost(seq, 1);
	int rc = sink_submit(&sk, r);

	record_put(r);
	return rc;
}

static void assert_log(const char *const *want, size_t n)
{
	ck_assert_uint_eq(fk.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(fk.log[i], want[i]);
}

START_TEST(test_in_order_and_drained_on_stop)
{
	fake_reset();
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 128), 0);
	for (uint64_t i = 1; i <= 50; i++)
		ck_assert_int_eq(submit(i), 0);
	sink_stop(&sk);
	ck_assert_uint_eq(fk.n, 50);
	for (size_t i = 0; i < 50; i++) {
		char want[16];

		snprintf(want, sizeof(want), "r%zu", i + 1);
		ck_assert_str_eq(fk.log[i], want);
	}
	ck_assert_int_eq(fk.closes, 1);
	ck_assert_uint_eq(fk.closed_at, 50);
	ck_assert_int_ge(fk.flushes, 1);
	ck_assert_uint_eq(atomic_load(&sk.stats.written), 50);
	ck_assert_uint_eq(atomic_load(&sk.stats.dropped), 0);
	ck_assert_uint_eq(atomic_load(&sk.stats.depth), 0);
}
END_TEST

/*
 * A stuck sink: the writer holds r1, four more fit the queue, the rest
 * are dropped without blocking, counted, and reported in the sink's own
 * output right after the records that were queued before them.
 */
START_TEST(test_drops_counted_and_reported)
{
	static const char *const want[] = {
		"r1", "r2", "r3", "r4", "r5", "lost:5:6:10", "r11",
	};
	struct timespec t0, t1;

	fake_reset();
	fk.held = true;
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 4), 0);
	ck_assert_int_eq(submit(1), 0);
	wait_for(&fk.in_write, 1);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 2; i <= 10; i++)
		ck_assert_int_eq(submit(i), i <= 5 ? 0 : -ENOBUFS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);	/* never waited */
	ck_assert_uint_eq(atomic_load(&sk.stats.dropped), 5);
	ck_assert_uint_eq(atomic_load(&sk.stats.depth), 4);

	set_held(false);
	wait_written(6);
	ck_assert_int_eq(submit(11), 0);
	sink_stop(&sk);
	assert_log(want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(atomic_load(&sk.stats.written), 6);
	ck_assert_uint_eq(atomic_load(&sk.stats.dropped), 5);
	ck_assert_uint_eq(atomic_load(&sk.stats.failed), 0);
}
END_TEST

/* A record that fails is counted and its loss written before the next. */
START_TEST(test_failure_reported_before_next)
{
	static const char *const want[] = { "r1", "lost:1:2:2", "r3" };

	fake_reset();
	fk.fail_seq = 2;
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 16), 0);
	for (uint64_t i = 1; i <= 3; i++)
		ck_assert_int_eq(submit(i), 0);
	sink_stop(&sk);
	assert_log(want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(atomic_load(&sk.stats.failed), 1);
	ck_assert_uint_eq(atomic_load(&sk.stats.written), 2);
	ck_assert_int_eq(atomic_load(&sk.stats.last_error), ENOSPC);
}
END_TEST

/*
 * While the sink keeps failing, its loss report fails too; it is kept,
 * grows, and goes out first once writing works again.
 */
START_TEST(test_failed_report_kept_until_it_works)
{
	static const char *const want[] = { "lost:2:1:2", "r3" };

	fake_reset();
	fk.fail_all = true;
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 16), 0);
	ck_assert_int_eq(submit(1), 0);
	ck_assert_int_eq(submit(2), 0);
	/* r1, r2 and at least one refused report */
	wait_for(&fk.attempts, 3);
	for (int i = 0; i < 50 && atomic_load(&sk.stats.failed) < 2; i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	ck_assert_uint_eq(atomic_load(&sk.stats.failed), 2);

	pthread_mutex_lock(&fk.lock);
	fk.fail_all = false;
	pthread_mutex_unlock(&fk.lock);
	ck_assert_int_eq(submit(3), 0);
	sink_stop(&sk);
	assert_log(want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(atomic_load(&sk.stats.written), 1);
}
END_TEST

/* A gap still pending at stop is reported before close. */
START_TEST(test_gap_reported_at_stop)
{
	static const char *const want[] = { "r1", "lost:1:2:2" };

	fake_reset();
	fk.fail_seq = 2;
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 16), 0);
	ck_assert_int_eq(submit(1), 0);
	ck_assert_int_eq(submit(2), 0);
	sink_stop(&sk);
	assert_log(want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(fk.closed_at, 2);
}
END_TEST

START_TEST(test_outputs_filter)
{
	struct ratelimit_summary s = { .rule_id = "r", .suppressed = 1 };
	struct record *r = record_suppressed(&fx_ctx, &s, LOG_ERR,
					     POLICY_OUT_SYSLOG);

	fake_reset();
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 4), 0);
	ck_assert_int_eq(sink_submit(&sk, r), 0);
	record_put(r);
	sink_stop(&sk);
	ck_assert_uint_eq(fk.n, 0);
	ck_assert_uint_eq(atomic_load(&sk.stats.written), 0);
	ck_assert_uint_eq(atomic_load(&sk.stats.dropped), 0);
}
END_TEST

/* The sink's lost record carries the host and generation it was given. */
START_TEST(test_ctx_in_lost_record)
{
	struct record_ctx ctx = { .host = "other", .generation = 99 };
	char json[512] = "";

	fake_reset();
	fk.held = true;
	sink_set_ctx(&sk, &ctx);
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 1), 0);
	ck_assert_int_eq(submit(1), 0);
	wait_for(&fk.in_write, 1);
	ck_assert_int_eq(submit(2), 0);
	ck_assert_int_eq(submit(3), -ENOBUFS);
	ctx.generation = 100;
	sink_set_ctx(&sk, &ctx);
	set_held(false);
	sink_stop(&sk);
	ck_assert_uint_eq(fk.n, 3);
	ck_assert_str_eq(fk.log[2], "lost:1:3:3");
	/* rebuild what was written to look at host/generation */
	{
		struct record *r = record_lost(&sk.ctx, 0, 0, 1, 3, 3,
					       "sink:fake");

		snprintf(json, sizeof(json), "%s", r->json);
		record_put(r);
	}
	ck_assert_ptr_nonnull(strstr(json, "\"host\":\"other\""));
	ck_assert_ptr_nonnull(strstr(json, "\"generation\":100"));
}
END_TEST

START_TEST(test_reopen_on_request)
{
	fake_reset();
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 4), 0);
	sink_request_reopen(&sk);
	wait_for(&fk.reopens, 1);
	sink_request_reopen(&sk);
	wait_for(&fk.reopens, 2);
	sink_stop(&sk);
	ck_assert_int_eq(fk.reopens, 2);
}
END_TEST

/* flush returning N > 0 is called again after N ms with no new record. */
START_TEST(test_flush_deferred)
{
	fake_reset();
	fk.flush_ret = 50;
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 4), 0);
	ck_assert_int_eq(submit(1), 0);
	wait_for(&fk.flushes, 2);
	sink_stop(&sk);
	ck_assert_int_ge(fk.flushes, 2);
}
END_TEST

START_TEST(test_start_rejects_bad_arguments)
{
	static const struct sink_ops no_write = { .name = "x" };

	fake_reset();
	ck_assert_int_eq(sink_start(&sk, &no_write, NULL, 4), -EINVAL);
	ck_assert_int_eq(sink_start(&sk, &fake_ops, NULL, 0), -EINVAL);
	sink_stop(&sk);		/* never started: a no-op */
}
END_TEST

static Suite *sink_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("sink");

	tcase_add_test(tc, test_in_order_and_drained_on_stop);
	tcase_add_test(tc, test_drops_counted_and_reported);
	tcase_add_test(tc, test_failure_reported_before_next);
	tcase_add_test(tc, test_failed_report_kept_until_it_works);
	tcase_add_test(tc, test_gap_reported_at_stop);
	tcase_add_test(tc, test_outputs_filter);
	tcase_add_test(tc, test_ctx_in_lost_record);
	tcase_add_test(tc, test_reopen_on_request);
	tcase_add_test(tc, test_flush_deferred);
	tcase_add_test(tc, test_start_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sink_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
