// SPDX-License-Identifier: MIT
/* check_config - premodd.json: defaults, values, every error with its
 * position. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sys/stat.h>
#include <unistd.h>

#include "bounded.h"
#include "config.h"

static int load(struct config *c, const char *text, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	int ret;

	ck_assert_ptr_nonnull(f);
	ret = config_load_buffer(c, "premodd.json", text, strlen(text), f);
	fclose(f);
	return ret;
}

START_TEST(test_defaults)
{
	struct config c;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_str_eq(c.policy_dir, "/etc/premod/policy.d");
	ck_assert_str_eq(c.journal.path, "/var/log/premod/changes.jsonl");
	ck_assert_str_eq(c.stats.file, "/run/premod/premodd.stats.json");
	ck_assert_str_eq(c.stats.prometheus, "/run/premod/premodd.prom");
	ck_assert_int_eq(c.syslog.facility, LOG_AUTHPRIV);
	ck_assert(c.journal.enabled && c.journald.enabled &&
		  c.syslog.enabled && c.alerts.enabled && !c.out.enabled);
	ck_assert_int_eq(c.journal.sync, JOURNAL_SYNC_INTERVAL);
	ck_assert_ptr_null(c.host);
	config_free(&c);
}
END_TEST

/* The installed default file parses and says what the defaults say. */
START_TEST(test_shipped_file)
{
	struct config c, d;
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(config_init(&d), 0);
	ck_assert_int_eq(config_load(&c, "daemon/premodd.json", f), 0);
	fclose(f);
	ck_assert_str_eq(errs, "");
	ck_assert_str_eq(c.policy_dir, d.policy_dir);
	ck_assert_str_eq(c.journal.path, d.journal.path);
	ck_assert_uint_eq(c.queue_size, d.queue_size);
	ck_assert_uint_eq(c.receive_buffer, d.receive_buffer);
	ck_assert_int_eq(c.syslog.facility, d.syslog.facility);
	ck_assert_int_eq(c.out.format, d.out.format);
	ck_assert_int_eq(c.journal.ecs, d.journal.ecs);
	ck_assert_int_eq(c.syslog.format, d.syslog.format);
	ck_assert_str_eq(c.syslog.socket, d.syslog.socket);
	ck_assert_str_eq(c.syslog.sd_id, d.syslog.sd_id);
	free(errs);
	config_free(&c);
	config_free(&d);
}
END_TEST

START_TEST(test_values)
{
	struct config c;
	char *errs = NULL;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(
		load(&c,
		     "{\"policy_dir\": \"/p\", \"host\": \"h1\", "
		     "\"queue_size\": 100, \"sinks\": {\"journal\": "
		     "{\"sync\": \"every-record\", \"path\": \"/j\"}, \"syslog\": "
		     "{\"facility\": \"local3\"}, \"stdout\": {\"enabled\": "
		     "true, \"format\": \"text\"}, \"alerts\": {\"enabled\": "
		     "false}}, \"stats\": {\"file\": null, \"prometheus\": "
		     "\"\", \"interval_ms\": 250}}",
		     &errs),
		0);
	ck_assert_str_eq(errs, "");
	ck_assert_str_eq(c.policy_dir, "/p");
	ck_assert_str_eq(c.host, "h1");
	ck_assert_uint_eq(c.queue_size, 100);
	ck_assert_int_eq(c.journal.sync, JOURNAL_SYNC_EVERY);
	ck_assert_str_eq(c.journal.path, "/j");
	ck_assert_int_eq(c.syslog.facility, LOG_LOCAL3);
	ck_assert(c.out.enabled);
	ck_assert_int_eq(c.out.format, 0);
	ck_assert(!c.alerts.enabled);
	ck_assert_ptr_null(c.stats.file);
	ck_assert_ptr_null(c.stats.prometheus);
	ck_assert_uint_eq(c.stats.interval_ms, 250);
	free(errs);
	config_free(&c);
}
END_TEST

/* The record formats of each sink. */
START_TEST(test_formats)
{
	struct config c;
	char *errs = NULL;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(c.journal.ecs, 0);
	ck_assert_int_eq(c.syslog.format, SYSLOG_FORMAT_BSD);
	ck_assert_str_eq(c.syslog.socket, "/dev/log");
	ck_assert_str_eq(c.syslog.sd_id, "premod@32473");
	ck_assert_int_eq(
		load(&c,
		     "{\"sinks\": {\"journal\": {\"format\": \"ecs\"}, "
		     "\"stdout\": {\"format\": \"ecs\"}, \"syslog\": "
		     "{\"format\": \"rfc5424\", \"socket\": \"/run/x.sock\", "
		     "\"sd_id\": \"audit@1.2.3\"}}}",
		     &errs),
		0);
	ck_assert_str_eq(errs, "");
	ck_assert_int_eq(c.journal.ecs, 1);
	ck_assert_int_eq(c.out.format, STDOUT_FORMAT_ECS);
	ck_assert_int_eq(c.syslog.format, SYSLOG_FORMAT_RFC5424);
	ck_assert_str_eq(c.syslog.socket, "/run/x.sock");
	ck_assert_str_eq(c.syslog.sd_id, "audit@1.2.3");
	free(errs);
	config_free(&c);
}
END_TEST

/* Each mistake, its exact message and position. */
static const struct {
	const char *text;
	const char *want;
} errors[] = {
	{ "{\"policy_dir\": 3}",
	  "premodd.json:1:16: \"policy_dir\" must be a string, not number\n" },
	{ "{\n  \"polcy_dir\": \"/x\"\n}",
	  "premodd.json:2:3: unknown key \"polcy_dir\" (known here: "
	  "policy_dir, host, queue_size, sink_queue_size, receive_buffer, "
	  "sinks, stats)\n" },
	{ "{\"sinks\": {\"journal\": {\"sync\": \"always\"}}}",
	  "premodd.json:1:32: \"sinks.journal.sync\" must be one of: none, "
	  "interval, every-record\n" },
	{ "{\"sinks\": {\"syslog\": {\"facility\": \"bogus\"}}}",
	  "premodd.json:1:35: \"sinks.syslog.facility\" must be a syslog "
	  "facility name (auth, authpriv, cron, daemon, local0..local7, "
	  "user, ...)\n" },
	{ "{\"queue_size\": -1}",
	  "premodd.json:1:16: \"queue_size\" must be an integer from 16 to "
	  "4294967296\n" },
	{ "{\"queue_size\": 1.5}",
	  "premodd.json:1:16: \"queue_size\" must be an integer from 16 to "
	  "4294967296\n" },
	{ "{\"sinks\": {\"stdout\": {\"format\": \"xml\", \"colour\": true}}}",
	  "premodd.json:1:33: \"sinks.stdout.format\" must be one of: text, "
	  "json, ecs\n"
	  "premodd.json:1:40: unknown key \"sinks.stdout.colour\" (known "
	  "here: enabled, format)\n" },
	{ "{\"sinks\": {\"journal\": {\"format\": \"text\"}}}",
	  "premodd.json:1:34: \"sinks.journal.format\" must be one of: json, "
	  "ecs\n" },
	{ "{\"sinks\": {\"syslog\": {\"format\": \"rfc3164\", "
	  "\"sd_id\": \"premod\"}}}",
	  "premodd.json:1:33: \"sinks.syslog.format\" must be one of: bsd, "
	  "rfc5424\n"
	  "premodd.json:1:53: \"sinks.syslog.sd_id\" must be an RFC 5424 "
	  "SD-ID name@number (at most 32 printable characters, none of '=', "
	  "']', '\"', space), not \"premod\"\n" },
	{ "{\"sinks\": []}",
	  "premodd.json:1:11: \"sinks\" must be an object, not array\n" },
	{ "{\"sinks\": {\"journald\": {\"enabled\": \"yes\"}}}",
	  "premodd.json:1:36: \"sinks.journald.enabled\" must be true or "
	  "false, not string\n" },
	{ "{\"sinks\": {\"journal\": {\"path\": \"\"}}}",
	  "premodd.json:1:32: \"sinks.journal.path\" must not be empty\n" },
	{ "[1]",
	  "premodd.json:1:1: the configuration must be a JSON object, not "
	  "array\n" },
	{ "{\"stats\": {\"interval_ms\": 5}, \"host\": false}",
	  "premodd.json:1:27: \"stats.interval_ms\" must be an integer from "
	  "100 to 3600000\n"
	  "premodd.json:1:39: \"host\" must be a string or null, not "
	  "boolean\n" },
};

/* \u0000 in a key or a name: the consumers compare C strings, so
 * "policy_dir\u0000" must not pass for another key. */
static const struct {
	const char *text;
	const char *want;
} nul_errors[] = {
	{ "{\"policy_dir\": \"/a\", \"policy_dir\\u0000\": \"/b\"}",
	  "premodd.json:1:22: a key may not contain \\u0000 (NUL)\n" },
	{ "{\"sinks\": {\"syslog\": {\"facility\": \"auth\\u0000x\"}}}",
	  "premodd.json:1:35: \"sinks.syslog.facility\" must be a syslog "
	  "facility name (auth, authpriv, cron, daemon, local0..local7, user, "
	  "...)\n" },
};

START_TEST(test_nul_errors)
{
	struct config c;
	char *errs = NULL;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(load(&c, nul_errors[_i].text, &errs), -EINVAL);
	ck_assert_str_eq(errs, nul_errors[_i].want);
	free(errs);
	config_free(&c);
}
END_TEST

/* A FIFO as the configuration (-c) is refused at once, not waited on. */
static int load_fifo(void *arg)
{
	struct config c;
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	int rc;

	config_init(&c);
	rc = config_load(&c, arg, f);
	fclose(f);
	config_free(&c);
	if (rc != -EINVAL || !strstr(errs, "not a regular file")) {
		fprintf(stderr, "rc %d: %s\n", rc, errs);
		rc = 1;
	} else {
		rc = 0;
	}
	free(errs);
	return rc;
}

START_TEST(test_fifo_refused)
{
	char dir[] = "/tmp/premod-cfg-XXXXXX", path[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/premodd.json", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	bounded("a FIFO as the configuration", 20, 512, load_fifo, path);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_errors)
{
	struct config c;
	char *errs = NULL;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(load(&c, errors[_i].text, &errs), -EINVAL);
	ck_assert_str_eq(errs, errors[_i].want);
	free(errs);
	config_free(&c);
}
END_TEST

START_TEST(test_syntax_error_position)
{
	struct config c;
	char *errs = NULL;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(load(&c, "{\n  \"host\": \"a\",\n}", &errs), -EINVAL);
	/* the parser's own message; only the position is ours to check */
	ck_assert_msg(!strncmp(errs, "premodd.json:3:", 15), "got: %s", errs);
	free(errs);
	config_free(&c);
}
END_TEST

START_TEST(test_missing_file)
{
	struct config c;

	ck_assert_int_eq(config_init(&c), 0);
	ck_assert_int_eq(config_load(&c, "/nonexistent/premodd.json", stderr),
			 -ENOENT);
	config_free(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_shipped_file);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_formats);
	tcase_add_loop_test(tc, test_errors, 0,
			    sizeof(errors) / sizeof(errors[0]));
	tcase_add_test(tc, test_syntax_error_position);
	tcase_add_test(tc, test_missing_file);
	tcase_add_loop_test(tc, test_nul_errors, 0,
			    sizeof(nul_errors) / sizeof(nul_errors[0]));
	tcase_add_test(tc, test_fifo_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
