// SPDX-License-Identifier: MIT
/*
 * check_journal_search - `premodctl search` over a journal fixture
 * (tests/unit/data/journal.jsonl): each criterion alone and combined, the
 * value parsers, and both output forms.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_search.h"

#define FIXTURE "tests/unit/data/journal.jsonl"
#define NOW_NS (1796126400ULL * 1000000000ULL)	/* 2026-12-01T12:00:00Z */

/* Runs q over the fixture; returns the seqs/kinds of the matches as
 * "10,11,lost,..." (records without seq by kind). */
static char *run(const struct search_query *q, struct search_counts *c,
		 bool json, char **out_text)
{
	static char ids[256];
	char *text = NULL, *errtext = NULL;
	size_t len = 0, elen = 0;
	FILE *in = fopen(FIXTURE, "r");
	FILE *out = open_memstream(&text, &len);
	FILE *err = open_memstream(&errtext, &elen);
	char *line, *save = NULL;

	ck_assert_ptr_nonnull(in);
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(search_stream(q, in, "journal.jsonl", out, true, err,
				       c), 0);
	fclose(in);
	fclose(out);
	fclose(err);
	ck_assert_uint_eq(c->bad, 1);
	ck_assert_ptr_nonnull(strstr(errtext, "journal.jsonl:5: "));
	free(errtext);
	ids[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *s = strstr(line, "\"seq\":");
		char one[32];

		if (s && s == line + 1)
			snprintf(one, sizeof(one), "%ld", strtol(s + 6, NULL, 10));
		else if (strstr(line, "\"kind\":\"lost\""))
			snprintf(one, sizeof(one), "lost");
		else
			snprintf(one, sizeof(one), "supp");
		if (ids[0])
			strcat(ids, ",");
		strcat(ids, one);
	}
	free(text);
	if (out_text || !json) {
		in = fopen(FIXTURE, "r");
		text = NULL;
		out = open_memstream(&text, &len);
		memset(c, 0, sizeof(*c));
		search_stream(q, in, "journal.jsonl", out, false, NULL, c);
		fclose(in);
		fclose(out);
		if (out_text)
			*out_text = text;
		else
			free(text);
	}
	return ids;
}

static const char *ids_of(const struct search_query *q)
{
	struct search_counts c;

	return run(q, &c, true, NULL);
}

START_TEST(test_everything)
{
	struct search_query q = { 0 };
	struct search_counts c;

	ck_assert_str_eq(run(&q, &c, true, NULL), "10,11,12,lost,15,16,supp");
	ck_assert_uint_eq(c.lines, 8);
	ck_assert_uint_eq(c.matched, 7);
}
END_TEST

START_TEST(test_rule)
{
	struct search_query q = { 0 };

	q.rules[q.n_rules++] = "etc-accounts";
	ck_assert_str_eq(ids_of(&q), "11,12");
	q.rules[q.n_rules++] = "log-deleted";	/* OR */
	ck_assert_str_eq(ids_of(&q), "11,12,15,supp");
	q.n_rules = 1;
	q.rules[0] = "etc";			/* ids are exact */
	ck_assert_str_eq(ids_of(&q), "");
}
END_TEST

START_TEST(test_path)
{
	struct search_query q = { 0 };

	q.paths[q.n_paths++] = "/etc";		/* prefix at '/' only */
	ck_assert_str_eq(ids_of(&q), "11,12");	/* 12 by path2 */
	q.paths[0] = "/etc/";
	ck_assert_str_eq(ids_of(&q), "11,12");
	q.paths[0] = "/etc/passwd";
	ck_assert_str_eq(ids_of(&q), "11");
	q.paths[0] = "/etc*";			/* a glob crosses '/' */
	ck_assert_str_eq(ids_of(&q), "11,12,16");
	q.paths[0] = "/var/log/*.log";
	ck_assert_str_eq(ids_of(&q), "15");
	q.paths[0] = "/";
	ck_assert_str_eq(ids_of(&q), "10,11,12,15,16");
	q.paths[0] = "/usr";
	q.paths[q.n_paths++] = "/var";
	ck_assert_str_eq(ids_of(&q), "10,15");
}
END_TEST

START_TEST(test_user)
{
	struct search_query q = { 0 };
	uint32_t uid;

	q.uids[q.n_uids++] = 1000;	/* auid: the login behind sudo */
	ck_assert_str_eq(ids_of(&q), "10,16");
	q.uids[0] = 1001;
	ck_assert_str_eq(ids_of(&q), "11,12");
	q.uids[0] = 0;
	ck_assert_str_eq(ids_of(&q), "10,15,16");
	ck_assert_int_eq(search_parse_user("root", &uid), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_int_eq(search_parse_user("4294967295", &uid), 0);
	ck_assert_int_ne(search_parse_user("4294967296", &uid), 0);
	ck_assert_int_ne(search_parse_user("no-such-user-here", &uid), 0);
}
END_TEST

START_TEST(test_op_kind)
{
	struct search_query q = { 0 };

	ck_assert_int_eq(search_parse_ops("rename,unlink", &q.ops), 0);
	ck_assert_str_eq(ids_of(&q), "12,15");
	ck_assert_int_ne(search_parse_ops("rename,", &q.ops), 0);
	ck_assert_int_ne(search_parse_ops("bogus", &q.ops), 0);
	ck_assert_int_ne(search_parse_ops("", &q.ops), 0);
	q.ops = 0;
	ck_assert_int_eq(search_parse_kinds("lost,suppressed", &q.kinds), 0);
	ck_assert_str_eq(ids_of(&q), "lost,supp");
	ck_assert_int_ne(search_parse_kinds("match,nope", &q.kinds), 0);
}
END_TEST

START_TEST(test_time)
{
	struct search_query q = { 0 };
	uint64_t ns;

	ck_assert_int_eq(search_parse_time("2026-12-01T11:00:00Z", NOW_NS,
					   &q.since_ns), 0);
	q.has_since = true;
	ck_assert_str_eq(ids_of(&q), "12,lost,15,16,supp");
	ck_assert_int_eq(search_parse_time("2026-12-01 12:00", NOW_NS,
					   &q.until_ns), 0);
	q.has_until = true;
	ck_assert_str_eq(ids_of(&q), "12,lost,15");
	/* the fraction counts: 10:00:00.000000001 is after 10:00:00 */
	q.has_until = false;
	ck_assert_int_eq(search_parse_time("2026-12-01T10:00:00.000000002Z",
					   NOW_NS, &q.since_ns), 0);
	ck_assert_str_eq(ids_of(&q), "11,12,lost,15,16,supp");
	/* an offset is honoured */
	ck_assert_int_eq(search_parse_time("2026-12-01T13:00:00+02:00",
					   NOW_NS, &ns), 0);
	ck_assert_int_eq(search_parse_time("2026-12-01T11:00:00Z", NOW_NS,
					   &q.since_ns), 0);
	ck_assert_uint_eq(ns, q.since_ns);
	ck_assert_int_eq(search_parse_time("2026-12-01", NOW_NS, &ns), 0);
	ck_assert_uint_eq(ns, (1796126400ULL - 12 * 3600) * 1000000000ULL);
	ck_assert_int_eq(search_parse_time("@1796126400", NOW_NS, &ns), 0);
	ck_assert_uint_eq(ns, NOW_NS);
	ck_assert_int_eq(search_parse_time("-2h", NOW_NS, &ns), 0);
	ck_assert_uint_eq(ns, NOW_NS - 7200ULL * 1000000000ULL);
	ck_assert_int_ne(search_parse_time("-2y", NOW_NS, &ns), 0);
	ck_assert_int_ne(search_parse_time("2026-13-01", NOW_NS, &ns), 0);
	ck_assert_int_ne(search_parse_time("2026-12-01T10:00Zjunk", NOW_NS,
					   &ns), 0);
	ck_assert_int_ne(search_parse_time("yesterday", NOW_NS, &ns), 0);
}
END_TEST

START_TEST(test_seq)
{
	struct search_query q = { .has_seq = true };
	uint64_t a, b;

	ck_assert_int_eq(search_parse_seq("11..15", &q.seq_first,
					  &q.seq_last), 0);
	ck_assert_str_eq(ids_of(&q), "11,12,15");	/* lost has no seq */
	ck_assert_int_eq(search_parse_seq("16..", &q.seq_first, &q.seq_last),
			 0);
	ck_assert_str_eq(ids_of(&q), "16");
	ck_assert_int_eq(search_parse_seq("..10", &q.seq_first, &q.seq_last),
			 0);
	ck_assert_str_eq(ids_of(&q), "10");
	ck_assert_int_eq(search_parse_seq("12", &a, &b), 0);
	ck_assert_uint_eq(a, 12);
	ck_assert_uint_eq(b, 12);
	ck_assert_int_ne(search_parse_seq("..", &a, &b), 0);
	ck_assert_int_ne(search_parse_seq("5..4", &a, &b), 0);
	ck_assert_int_ne(search_parse_seq("x..4", &a, &b), 0);
}
END_TEST

START_TEST(test_combined_and_text)
{
	struct search_query q = { 0 };
	struct search_counts c;
	char *text = NULL;

	q.rules[q.n_rules++] = "etc-accounts";
	q.paths[q.n_paths++] = "/etc/shadow";
	q.uids[q.n_uids++] = 1001;
	ck_assert_int_eq(search_parse_ops("rename", &q.ops), 0);
	ck_assert_str_eq(run(&q, &c, false, &text), "12");
	ck_assert_str_eq(text, "2026-12-01T11:00:00Z #12 match etc-accounts "
			       "err rename /tmp/new -> /etc/shadow mv[201] "
			       "uid=1001: rename onto /etc/shadow\n");
	free(text);

	memset(&q, 0, sizeof(q));
	ck_assert_int_eq(search_parse_kinds("lost", &q.kinds), 0);
	run(&q, &c, false, &text);
	ck_assert_str_eq(text, "2026-12-01T11:30:00Z lost queue warning: "
			       "2 events lost (seq 13..14)\n");
	free(text);
}
END_TEST

/* JSON output is the journal's line, byte for byte. */
START_TEST(test_json_verbatim)
{
	struct search_query q = { .has_seq = true, .seq_first = 10,
				  .seq_last = 10 };
	struct search_counts c = { 0 };
	char *text = NULL, expect[1024];
	size_t len = 0;
	FILE *in = fopen(FIXTURE, "r"), *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fgets(expect, sizeof(expect), in));
	rewind(in);
	ck_assert_int_eq(search_stream(&q, in, "x", out, true, NULL, &c), 0);
	fclose(in);
	fclose(out);
	ck_assert_str_eq(text, expect);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("journal_search");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_everything);
	tcase_add_test(tc, test_rule);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_user);
	tcase_add_test(tc, test_op_kind);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_seq);
	tcase_add_test(tc, test_combined_and_text);
	tcase_add_test(tc, test_json_verbatim);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
