// SPDX-License-Identifier: MIT
/*
 * check_sink_syslog.c - the RFC 5424 form of the syslog sink: the header,
 * the fields as structured data with RFC 5424's escapes, the SD-ID rules,
 * and delivery on a unix datagram socket (also after the receiver was
 * replaced, and counted as failed when there is none).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture_record.h"
#include "sink.h"

#define SD_ID "premod@32473"

static char *fmt(const struct record *r)
{
	size_t n = sink_syslog_format_5424(r, LOG_AUTHPRIV, "premodd", 77,
					   SD_ID, NULL, 0);
	char *buf = malloc(n + 1);

	ck_assert_uint_eq(sink_syslog_format_5424(r, LOG_AUTHPRIV, "premodd",
						  77, SD_ID, buf, n + 1), n);
	ck_assert_uint_eq(strlen(buf), n);
	return buf;
}

START_TEST(test_match_exact)
{
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/usr/bin/su");
	char *s = fmt(r);

	/* authpriv (10) * 8 + warning (4) = 84; 6 digits of the second */
	ck_assert_str_eq(s,
		"<84>1 2025-11-24T22:28:46.123456Z testhost premodd 77 match "
		"[" SD_ID " seq=\"42\" time=\"2025-11-24T22:28:46.123456789Z\" "
		"host=\"testhost\" op=\"chmod\" flags=\"0\" pid=\"1234\" "
		"tgid=\"1234\" uid=\"0\" auid=\"1000\" comm=\"chmod\" "
		"mode=\"0100755\" path=\"/usr/bin/su\" old_mode=\"0100755\" "
		"new_mode=\"0104755\" kind=\"match\" rule=\"setuid-added\" "
		"severity=\"warning\" tags=\"integrity,setuid\" "
		"generation=\"7\"] chmod made /usr/bin/su setuid");
	free(s);
	record_put(r);
	policy_free(p);
}
END_TEST

/* PARAM-VALUE escapes '"', '\' and ']' (RFC 5424 6.3.3); a value that is
 * not UTF-8 or holds a control character gets U+FFFD for such bytes and a
 * <key>_hex twin; the message escapes them as the BSD form does. */
START_TEST(test_escapes)
{
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/tmp/a\"b\\c]d e=f");
	char *s = fmt(r);

	ck_assert_msg(strstr(s, " path=\"/tmp/a\\\"b\\\\c\\]d e=f\" "), "%s", s);
	ck_assert_ptr_null(strstr(s, "path_hex"));
	free(s);
	record_put(r);

	r = fx_match(p, "/tmp/x\ny\xff\xc3\xa9");
	s = fmt(r);
	ck_assert_msg(strstr(s, " path=\"/tmp/x\xEF\xBF\xBDy\xEF\xBF\xBD\xc3\xa9\" "
			     "path_hex=\"2f746d702f780a79ffc3a9\" "), "%s", s);
	ck_assert_msg(strstr(s, "] chmod made /tmp/x\\ny\\xff\xc3\xa9 setuid"),
		      "%s", s);
	ck_assert_ptr_null(strchr(s, '\n'));
	free(s);
	record_put(r);
	policy_free(p);
}
END_TEST

START_TEST(test_lost_and_nil_host)
{
	struct record_ctx ctx = { .host = "a host", .generation = 1 };
	struct record *r = record_lost(&ctx, 0, FX_TIME, 3, 0, 0, "queue");
	char *s = fmt(r);

	/* a host name that is not PRINTUSASCII is the NILVALUE in the
	 * header (it stays exact in the SD) */
	ck_assert_msg(!strncmp(s, "<84>1 2025-11-24T22:28:46.123456Z - premodd "
			       "77 lost [" SD_ID " time=", 60), "%s", s);
	ck_assert_ptr_nonnull(strstr(s, " host=\"a host\" "));
	ck_assert_ptr_nonnull(strstr(s, " reason=\"queue\" "));
	ck_assert_ptr_nonnull(strstr(s, "] 3 events dropped"));
	free(s);
	record_put(r);
}
END_TEST

static const struct {
	const char *id;
	bool ok;
} sd_ids[] = {
	{ "premod@32473", true },
	{ "audit@1.3.6", true },
	{ "premod", false },		/* names without '@' are IANA's */
	{ "pre mod@1", false },
	{ "pre]mod@1", false },
	{ "premod@", false },
	{ "@1", false },
	{ "premod@12a", false },
	{ "a-very-long-structured-data-id@12345", false },	/* > 32 */
	{ "", false },
};

START_TEST(test_sd_id)
{
	ck_assert_msg(sink_syslog_sd_id_valid(sd_ids[_i].id) == sd_ids[_i].ok,
		      "%s", sd_ids[_i].id);
}
END_TEST

/* A receiver like rsyslog's imuxsock: a bound datagram socket. */
static int bind_dgram(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want_prefix)
{
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(!strncmp(buf, want_prefix, strlen(want_prefix)),
		      "got %s", buf);
}

START_TEST(test_socket_delivery)
{
	char path[] = "/tmp/check_sink_syslog.XXXXXX", sock[64];
	struct syslog_config cfg = { .facility = LOG_LOCAL3,
				     .format = SYSLOG_FORMAT_RFC5424,
				     .sd_id = "x@1", .ident = "premodd" };
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/usr/bin/su");
	struct sink s = { .ops = &sink_syslog_ops };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/log", path);
	cfg.socket = sock;
	ck_assert_int_eq(sink_syslog_open(&cfg, &s.priv), 0);

	/* nobody listens yet: a failed write, not a hang */
	ck_assert_int_lt(sink_syslog_ops.write(&s, r), 0);

	fd = bind_dgram(sock);
	ck_assert_int_eq(sink_syslog_ops.write(&s, r), 0);
	/* local3 (19) * 8 + warning (4) = 156 */
	expect_datagram(fd, "<156>1 2025-11-24T22:28:46.123456Z testhost "
			    "premodd ");

	/* the syslog daemon restarts: a new socket at the same path */
	close(fd);
	fd = bind_dgram(sock);
	ck_assert_int_eq(sink_syslog_ops.write(&s, r), 0);
	expect_datagram(fd, "<156>1 ");

	sink_syslog_ops.close(&s);
	close(fd);
	unlink(sock);
	rmdir(path);
	record_put(r);
	policy_free(p);
}
END_TEST

START_TEST(test_open_rejects)
{
	struct syslog_config cfg = { .format = SYSLOG_FORMAT_RFC5424,
				     .sd_id = "nope" };
	void *priv = NULL;

	ck_assert_int_eq(sink_syslog_open(&cfg, &priv), -EINVAL);
	ck_assert_ptr_null(priv);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sink_syslog");
	TCase *tc = tcase_create("rfc5424");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_match_exact);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_lost_and_nil_host);
	tcase_add_loop_test(tc, test_sd_id, 0,
			    sizeof(sd_ids) / sizeof(sd_ids[0]));
	tcase_add_test(tc, test_socket_delivery);
	tcase_add_test(tc, test_open_rejects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
