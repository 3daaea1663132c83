// SPDX-License-Identifier: MIT
/*
 * check_sink_render.c - what each sink makes of every record kind: the
 * journald entry (iovec), the syslog line with its quoting, the stdout
 * human line and JSON line. Rendering is tested apart from sending, so no
 * journald or syslog daemon is needed here (the VM tests use real ones).
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture_record.h"
#include "record_ecs.h"
#include "sink.h"

#define T0 "2025-11-24T22:28:46.123456789Z"

static struct policy *pol;

static void setup(void)
{
	pol = fx_policy_load();
}

static void teardown(void)
{
	policy_free(pol);
}

enum { K_MATCH, K_LOST, K_SUPPRESSED, K_COUNT };

static struct record *make(int kind)
{
	switch (kind) {
	case K_MATCH:
		return fx_match(pol, "/usr/bin/su");
	case K_LOST:
		return fx_lost(100, 5);
	default:
		return fx_suppressed("/tmp/a b", 0);
	}
}

/* ---- journald ---- */

static const char *const journald_lost[] = {
	"MESSAGE=5 events lost in the kernel (seq 95..99)",
	"MESSAGE_ID=4ed4d013f85d45589deca10ac3e33853",
	"PRIORITY=4",
	"SYSLOG_IDENTIFIER=premodd",
	"PREMOD_SEQ=100",
	("PREMOD_TIME=" T0),
	"PREMOD_HOST=testhost",
	"PREMOD_KIND=lost",
	"PREMOD_SEVERITY=warning",
	"PREMOD_LOST_COUNT=5",
	"PREMOD_LOST_FIRST=95",
	"PREMOD_LOST_LAST=99",
	"PREMOD_REASON=kernel",
	"PREMOD_GENERATION=7",
};

static bool iov_has(const struct sink_journald_msg *m, const char *field)
{
	for (size_t i = 0; i < m->n_iov; i++)
		if (m->iov[i].iov_len == strlen(field) &&
		    memcmp(m->iov[i].iov_base, field, strlen(field)) == 0)
			return true;
	return false;
}

static bool iov_has_name(const struct sink_journald_msg *m, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < m->n_iov; i++)
		if (m->iov[i].iov_len > n &&
		    memcmp(m->iov[i].iov_base, name, n) == 0 &&
		    ((const char *)m->iov[i].iov_base)[n] == '=')
			return true;
	return false;
}

/* journald's rules for a field name: [A-Z0-9_], not starting with '_'. */
static void assert_names_valid(const struct sink_journald_msg *m)
{
	for (size_t i = 0; i < m->n_iov; i++) {
		const char *f = m->iov[i].iov_base;
		const char *eq = memchr(f, '=', m->iov[i].iov_len);

		ck_assert_ptr_nonnull(eq);
		ck_assert_int_ne(f[0], '_');
		ck_assert_int_le(eq - f, 64);
		for (const char *c = f; c < eq; c++)
			ck_assert_msg(isupper((unsigned char)*c) ||
				      isdigit((unsigned char)*c) || *c == '_',
				      "bad field name in iov %zu", i);
	}
}

START_TEST(test_journald_lost_exact)
{
	struct sink_journald_msg m = { 0 };
	struct record *r = make(K_LOST);
	size_t n = sizeof(journald_lost) / sizeof(journald_lost[0]);

	ck_assert_int_eq(sink_journald_build(r, &m), 0);
	ck_assert_uint_eq(m.n_iov, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(m.iov[i].iov_len, strlen(journald_lost[i]));
		ck_assert(memcmp(m.iov[i].iov_base, journald_lost[i],
				 m.iov[i].iov_len) == 0);
	}
	assert_names_valid(&m);
	record_put(r);
	sink_journald_msg_free(&m);
}
END_TEST

static const char *const journald_match_fields[] = {
	"MESSAGE=chmod made /usr/bin/su setuid",
	"MESSAGE_ID=a08c06a31f6a4a3d8a1be2a635fd0841",
	"PRIORITY=4",
	"SYSLOG_IDENTIFIER=premodd",
	"PREMOD_RULE=setuid-added",
	"PREMOD_OP=chmod",
	"PREMOD_PATH=/usr/bin/su",
	"PREMOD_UID=0",
	"PREMOD_TGID=1234",
	"PREMOD_SEQ=42",
	"PREMOD_NEW_MODE=0104755",
	"PREMOD_OLD_MODE=0100755",
	"PREMOD_TAGS=integrity,setuid",
	"PREMOD_SEVERITY=warning",
	"PREMOD_KIND=match",
	"PREMOD_COMM=chmod",
	"PREMOD_GENERATION=7",
};

START_TEST(test_journald_match_fields)
{
	struct sink_journald_msg m = { 0 };
	struct record *r = make(K_MATCH);

	ck_assert_int_eq(sink_journald_build(r, &m), 0);
	ck_assert_msg(iov_has(&m, journald_match_fields[_i]), "missing %s",
		      journald_match_fields[_i]);
	/* the message is MESSAGE, not repeated as a PREMOD_ field */
	ck_assert(!iov_has_name(&m, "PREMOD_MESSAGE"));
	/* every record field, plus the 4 journald ones */
	ck_assert_uint_eq(m.n_iov, r->n_kv - 1 + 4 + r->n_tags);
	assert_names_valid(&m);
	record_put(r);
	sink_journald_msg_free(&m);
}
END_TEST

/* One PREMOD_TAG per tag, so `journalctl PREMOD_TAG=setuid` finds it;
 * the joined PREMOD_TAGS stays; a record without tags has none. */
START_TEST(test_journald_one_field_per_tag)
{
	struct sink_journald_msg m = { 0 };
	struct record *r = make(K_MATCH), *l = make(K_LOST);
	size_t tags = 0;

	ck_assert_int_eq(sink_journald_build(r, &m), 0);
	ck_assert_uint_eq(r->n_tags, 2);
	ck_assert(iov_has(&m, "PREMOD_TAG=integrity"));
	ck_assert(iov_has(&m, "PREMOD_TAG=setuid"));
	ck_assert(iov_has(&m, "PREMOD_TAGS=integrity,setuid"));
	for (size_t i = 0; i < m.n_iov; i++)
		tags += !strncmp(m.iov[i].iov_base, "PREMOD_TAG=", 11);
	ck_assert_uint_eq(tags, 2);
	assert_names_valid(&m);
	ck_assert_int_eq(sink_journald_build(l, &m), 0);
	ck_assert(!iov_has_name(&m, "PREMOD_TAG"));
	record_put(r);
	record_put(l);
	sink_journald_msg_free(&m);
}
END_TEST

START_TEST(test_journald_suppressed_and_reuse)
{
	struct sink_journald_msg m = { 0 };
	struct record *big = make(K_MATCH), *r = make(K_SUPPRESSED);

	/* buffers grown for a big record are reused for a smaller one */
	ck_assert_int_eq(sink_journald_build(big, &m), 0);
	ck_assert_int_eq(sink_journald_build(r, &m), 0);
	ck_assert(iov_has(&m, "MESSAGE_ID=f40d4151194047dfb3d8ebf087757bb5"));
	ck_assert(iov_has(&m, "PREMOD_SUPPRESSED=12"));
	ck_assert(iov_has(&m, "PREMOD_PATH=/tmp/a b"));
	ck_assert(iov_has(&m, "PREMOD_WINDOW_START=2025-11-24T22:28:36.123456789Z"));
	ck_assert(!iov_has_name(&m, "PREMOD_OP"));
	assert_names_valid(&m);
	record_put(big);
	record_put(r);
	sink_journald_msg_free(&m);
}
END_TEST

START_TEST(test_journald_message_ids_distinct)
{
	const char *a = sink_journald_message_id(RECORD_MATCH);
	const char *b = sink_journald_message_id(RECORD_LOST);
	const char *c = sink_journald_message_id(RECORD_SUPPRESSED);

	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_str_ne(a, b);
	ck_assert_str_ne(b, c);
	ck_assert_str_ne(a, c);
}
END_TEST

/* ---- syslog ---- */

static const char *const syslog_lines[K_COUNT] = {
	[K_MATCH] = "chmod made /usr/bin/su setuid seq=42 time=" T0
		" host=testhost op=chmod flags=0 pid=1234 tgid=1234 uid=0"
		" auid=1000 comm=chmod mode=0100755 path=/usr/bin/su"
		" old_mode=0100755 new_mode=0104755 kind=match"
		" rule=setuid-added severity=warning tags=integrity,setuid"
		" generation=7",
	[K_LOST] = "5 events lost in the kernel (seq 95..99) seq=100 time=" T0
		" host=testhost kind=lost severity=warning lost_count=5"
		" lost_first=95 lost_last=99 reason=kernel generation=7",
	[K_SUPPRESSED] = "12 similar records suppressed (rule setuid-added,"
		" same path) time=" T0 " host=testhost kind=suppressed"
		" rule=setuid-added severity=warning suppressed=12"
		" window_start=2025-11-24T22:28:36.123456789Z"
		" window_end=" T0 " path=\"/tmp/a b\" generation=7",
};

START_TEST(test_syslog_line)
{
	struct record *r = make(_i);
	char buf[2048];
	size_t n = sink_syslog_format(r, buf, sizeof(buf));

	ck_assert_str_eq(buf, syslog_lines[_i]);
	ck_assert_uint_eq(n, strlen(syslog_lines[_i]));
	record_put(r);
}
END_TEST

static const struct {
	const char *path, *field, *msg;
} quote_cases[] = {
	{ "/tmp/a b", " path=\"/tmp/a b\" ", "chmod made /tmp/a b setuid " },
	{ "/tmp/q\"x", " path=\"/tmp/q\\\"x\" ", "chmod made /tmp/q\"x setuid " },
	{ "/tmp/b\\s", " path=\"/tmp/b\\\\s\" ", "chmod made /tmp/b\\s setuid " },
	{ "/tmp/eq=x", " path=\"/tmp/eq=x\" ", NULL },
	{ "/tmp/nl\nx", " path=\"/tmp/nl\\nx\" ", "chmod made /tmp/nl\\nx setuid " },
	{ "/tmp/t\tx", " path=\"/tmp/t\\tx\" ", NULL },
	{ "/tmp/c\001x", " path=\"/tmp/c\\x01x\" ", "chmod made /tmp/c\\x01x setuid " },
	{ "/tmp/\xc3\xa9t\xc3\xa9", " path=/tmp/\xc3\xa9t\xc3\xa9 ", NULL },
	{ "", " path=\"\" ", NULL },
	{ "/tmp/\xff\xc3", " path=\"/tmp/\\xff\\xc3\" ",
	  "chmod made /tmp/\\xff\\xc3 setuid " },
};

START_TEST(test_syslog_quoting)
{
	struct record *r = fx_match(pol, quote_cases[_i].path);
	char buf[2048];

	sink_syslog_format(r, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, quote_cases[_i].field), "%s: %s",
		      quote_cases[_i].field, buf);
	if (quote_cases[_i].msg)
		ck_assert_msg(strncmp(buf, quote_cases[_i].msg,
				      strlen(quote_cases[_i].msg)) == 0,
			      "message: %s", buf);
	/* one line, whatever the path holds */
	ck_assert_ptr_null(strchr(buf, '\n'));
	record_put(r);
}
END_TEST

START_TEST(test_syslog_truncated_buffer)
{
	struct record *r = make(K_MATCH);
	char buf[16];
	size_t n = sink_syslog_format(r, buf, sizeof(buf));

	ck_assert_uint_eq(n, strlen(syslog_lines[K_MATCH]));
	ck_assert_str_eq(buf, "chmod made /usr");
	record_put(r);
}
END_TEST

/* ---- stdout ---- */

static const char *const human_lines[K_COUNT] = {
	[K_MATCH] = T0 " warning setuid-added: chmod made /usr/bin/su setuid\n",
	[K_LOST] = T0 " warning lost: 5 events lost in the kernel (seq 95..99)\n",
	[K_SUPPRESSED] = T0 " warning setuid-added: 12 similar records"
		" suppressed (rule setuid-added, same path)\n",
};

START_TEST(test_stdout_human)
{
	struct record *r = make(_i);
	char buf[512];
	size_t n = sink_stdout_format(r, buf, sizeof(buf));

	ck_assert_str_eq(buf, human_lines[_i]);
	ck_assert_uint_eq(n, strlen(human_lines[_i]));
	record_put(r);
}
END_TEST

START_TEST(test_stdout_human_escapes_control)
{
	struct record *r = fx_match(pol, "/tmp/x\ny\xff\xc3\xa9");
	char buf[512];

	sink_stdout_format(r, buf, sizeof(buf));
	ck_assert_str_eq(buf, T0 " warning setuid-added: chmod made "
			 "/tmp/x\\x0ay\\xff\xc3\xa9 setuid\n");
	record_put(r);
}
END_TEST

/* Through the sink thread into a pipe: whole lines, in order. */
static void run_stdout_sink(int format, char *out, size_t len)
{
	struct sink s = { 0 };
	void *priv = NULL;
	int fds[2];
	ssize_t n, got = 0;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(sink_stdout_open_fd(fds[1], format, &priv), 0);
	ck_assert_int_eq(sink_start(&s, &sink_stdout_ops, priv, 8), 0);
	for (int k = 0; k < K_COUNT; k++) {
		struct record *r = make(k);

		ck_assert_int_eq(sink_submit(&s, r), 0);
		record_put(r);
	}
	sink_stop(&s);
	close(fds[1]);
	while ((n = read(fds[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	ck_assert_uint_eq(atomic_load(&s.stats.written), K_COUNT);
}

START_TEST(test_stdout_sink_json)
{
	char out[8192], want[8192] = "";

	run_stdout_sink(STDOUT_FORMAT_JSON, out, sizeof(out));
	for (int k = 0; k < K_COUNT; k++) {
		struct record *r = make(k);

		strcat(want, r->json);
		strcat(want, "\n");
		record_put(r);
	}
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_stdout_sink_human)
{
	char out[8192], want[8192] = "";

	run_stdout_sink(STDOUT_FORMAT_TEXT, out, sizeof(out));
	for (int k = 0; k < K_COUNT; k++)
		strcat(want, human_lines[k]);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_stdout_sink_ecs)
{
	char out[16384], want[16384] = "";

	run_stdout_sink(STDOUT_FORMAT_ECS, out, sizeof(out));
	for (int k = 0; k < K_COUNT; k++) {
		struct record *r = make(k);
		size_t len = strlen(want);

		record_ecs_format(r, want + len, sizeof(want) - len);
		strcat(want, "\n");
		record_put(r);
	}
	ck_assert_str_eq(out, want);
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("sink_render");
	TCase *tc = tcase_create("render");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_journald_lost_exact);
	tcase_add_loop_test(tc, test_journald_match_fields, 0,
			    sizeof(journald_match_fields) /
			    sizeof(journald_match_fields[0]));
	tcase_add_test(tc, test_journald_suppressed_and_reuse);
	tcase_add_test(tc, test_journald_message_ids_distinct);
	tcase_add_loop_test(tc, test_syslog_line, 0, K_COUNT);
	tcase_add_loop_test(tc, test_syslog_quoting, 0,
			    sizeof(quote_cases) / sizeof(quote_cases[0]));
	tcase_add_test(tc, test_syslog_truncated_buffer);
	tcase_add_loop_test(tc, test_stdout_human, 0, K_COUNT);
	tcase_add_test(tc, test_stdout_human_escapes_control);
	tcase_add_test(tc, test_stdout_sink_json);
	tcase_add_test(tc, test_stdout_sink_human);
	tcase_add_test(tc, test_stdout_sink_ecs);
	tcase_add_test(tc, test_journald_one_field_per_tag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
