// SPDX-License-Identifier: MIT
/*
 * check_seqtrack - loss attribution from sequence numbers, as a table:
 * a script of inputs (events, LOST records, ENOBUFS, time passing) and
 * the exact loss reports expected, in order.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "seqtrack.h"

enum step_kind { EV, LOST, ENOBUFS, TICK, FLUSH, END };

struct step {
	enum step_kind kind;
	uint64_t seq;			/* EV, LOST */
	uint64_t count, first, last;	/* LOST */
	uint64_t now_ms;		/* EV, LOST, TICK */
};

struct want {
	uint64_t count, first, last;
	const char *reason;
};

struct scenario {
	const char *name;
	struct step steps[16];
	struct want want[8];
	size_t n_want;
};

#define MS 1000000ULL

static const struct scenario scenarios[] = {
	{ "no loss",
	  { { EV, 5 }, { EV, 6 }, { EV, 7 }, { FLUSH }, { END } },
	  { { 0 } }, 0 },
	{ "first event after start is not a gap",
	  { { EV, 1000 }, { EV, 1001 }, { FLUSH }, { END } },
	  { { 0 } }, 0 },
	{ "unexplained gap reported as gap after the hold",
	  { { EV, 1, .now_ms = 0 }, { EV, 5, .now_ms = 10 },
	    { TICK, .now_ms = 100 }, { EV, 6, .now_ms = 600 }, { END } },
	  { { 3, 2, 4, "gap" } }, 1 },
	{ "ENOBUFS before the gap",
	  { { EV, 1 }, { ENOBUFS }, { EV, 10 }, { END } },
	  { { 8, 2, 9, "enobufs" } }, 1 },
	{ "kernel LOST after the gap, within the hold",
	  { { EV, 1 }, { EV, 4, .now_ms = 1 },
	    { LOST, 0, 2, 2, 3, .now_ms = 50 }, { FLUSH }, { END } },
	  { { 2, 2, 3, "kernel" } }, 1 },
	{ "kernel LOST before the gap",
	  { { EV, 1 }, { LOST, 0, 3, 2, 4 }, { EV, 5 }, { FLUSH }, { END } },
	  { { 3, 2, 4, "kernel" } }, 1 },
	{ "LOST with its own seq in the stream",
	  { { EV, 10 }, { LOST, 16, 5, 11, 15 }, { EV, 17 }, { FLUSH },
	    { END } },
	  { { 5, 11, 15, "kernel" } }, 1 },
	{ "LOST for seqs we received is not our loss",
	  { { EV, 1 }, { EV, 2 }, { EV, 3 }, { LOST, 0, 2, 1, 2 }, { EV, 4 },
	    { FLUSH }, { END } },
	  { { 0 } }, 0 },
	{ "ENOBUFS gap then late LOST for it: counted once",
	  { { EV, 1 }, { ENOBUFS }, { EV, 4 }, { LOST, 0, 2, 2, 3 },
	    { EV, 5 }, { FLUSH }, { END } },
	  { { 2, 2, 3, "enobufs" } }, 1 },
	{ "LOST before the first event: a loss from before we listened",
	  { { LOST, 0, 7, 1, 9 }, { EV, 10 }, { EV, 11 }, { FLUSH }, { END } },
	  { { 7, 1, 9, "kernel" } }, 1 },
	{ "stream restart (module reloaded) is not a gap",
	  { { EV, 100 }, { EV, 101 }, { EV, 1 }, { EV, 2 }, { FLUSH },
	    { END } },
	  { { 0 } }, 0 },
	{ "two gaps, one explained",
	  { { EV, 1, .now_ms = 0 }, { EV, 3, .now_ms = 1 },
	    { EV, 6, .now_ms = 2 }, { LOST, 0, 2, 4, 5, .now_ms = 3 },
	    { FLUSH }, { END } },
	  { { 2, 4, 5, "kernel" }, { 1, 2, 2, "gap" } }, 2 },
	{ "LOST in place at the end of the stream, no event after it",
	  { { EV, 1 }, { EV, 2 }, { LOST, 7, 5, 3, 7 }, { END } },
	  { { 5, 3, 7, "kernel" } }, 1 },
	{ "our ENOBUFS, then the kernel's LOST for that batch",
	  { { EV, 1 }, { ENOBUFS }, { LOST, 4, 3, 2, 4 }, { EV, 5 }, { FLUSH },
	    { END } },
	  { { 3, 2, 4, "enobufs" } }, 1 },
	{ "LOST range partly received: only the rest is ours",
	  { { EV, 1 }, { EV, 2 }, { EV, 3 }, { LOST, 6, 4, 2, 6 }, { EV, 7 },
	    { FLUSH }, { END } },
	  { { 3, 4, 6, "kernel" } }, 1 },
	{ "unnamed seqs before a LOST range are a gap of their own",
	  { { EV, 1 }, { LOST, 9, 3, 7, 9 }, { EV, 10 }, { FLUSH }, { END } },
	  { { 3, 7, 9, "kernel" }, { 5, 2, 6, "gap" } }, 2 },
	{ "gap held, ENOBUFS flag cleared after its gap",
	  { { EV, 1 }, { ENOBUFS }, { EV, 3 }, { EV, 5 }, { FLUSH }, { END } },
	  { { 1, 2, 2, "enobufs" }, { 1, 4, 4, "gap" } }, 2 },
};

static struct want got[16];
static size_t n_got;

static void collect(const struct evq_lost *l, void *arg)
{
	(void)arg;
	ck_assert_uint_lt(n_got, 16);
	got[n_got].count = l->count;
	got[n_got].first = l->first;
	got[n_got].last = l->last;
	got[n_got].reason = l->reason;
	n_got++;
}

START_TEST(test_scenario)
{
	const struct scenario *sc = &scenarios[_i];
	struct seqtrack t;
	const struct step *st;
	size_t i;

	n_got = 0;
	seqtrack_init(&t, 500 * MS, collect, NULL);
	for (st = sc->steps; st->kind != END; st++) {
		switch (st->kind) {
		case EV:
			seqtrack_event(&t, st->seq, 0, st->now_ms * MS);
			break;
		case LOST:
			seqtrack_lost(&t, st->seq, 0, st->count, st->first,
				      st->last, st->now_ms * MS);
			break;
		case ENOBUFS:
			seqtrack_enobufs(&t);
			break;
		case TICK:
			seqtrack_tick(&t, st->now_ms * MS);
			break;
		case FLUSH:
			seqtrack_flush(&t);
			break;
		case END:
			break;
		}
	}
	ck_assert_msg(n_got == sc->n_want, "%s: %zu reports, want %zu",
		      sc->name, n_got, sc->n_want);
	for (i = 0; i < n_got; i++) {
		ck_assert_msg(got[i].count == sc->want[i].count &&
				      got[i].first == sc->want[i].first &&
				      got[i].last == sc->want[i].last &&
				      !strcmp(got[i].reason,
					      sc->want[i].reason),
			      "%s: report %zu is %llu [%llu-%llu] %s", sc->name,
			      i, (unsigned long long)got[i].count,
			      (unsigned long long)got[i].first,
			      (unsigned long long)got[i].last, got[i].reason);
	}
}
END_TEST

/* The hold: a gap is not reported before its deadline. */
START_TEST(test_hold_deadline)
{
	struct seqtrack t;

	n_got = 0;
	seqtrack_init(&t, 500 * MS, collect, NULL);
	seqtrack_event(&t, 1, 0, 0);
	seqtrack_event(&t, 3, 0, 10 * MS);
	seqtrack_tick(&t, 509 * MS);
	ck_assert_uint_eq(n_got, 0);
	seqtrack_tick(&t, 510 * MS);
	ck_assert_uint_eq(n_got, 1);
	ck_assert_str_eq(got[0].reason, "gap");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seqtrack");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_scenario, 0,
			    sizeof(scenarios) / sizeof(scenarios[0]));
	tcase_add_test(tc, test_hold_deadline);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
