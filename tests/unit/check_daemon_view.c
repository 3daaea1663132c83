// SPDX-License-Identifier: MIT
/*
 * check_daemon_view - `premodctl status` (the verdict, its exit status and
 * its rendering) and `premodctl rules` from premodd stats files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemon_view.h"

/* A stats file as premodd writes it (daemon/stats.h), the parts read. */
static const char stats_ok[] =
"{\"version\":1,\"time\":\"2026-12-02T10:00:05.000000000Z\",\"pid\":4242,"
"\"started\":\"2026-12-02T09:00:00.000000000Z\",\"connected\":true,"
"\"generation\":3,\"received\":100,"
"\"dropped\":{\"queue\":0,\"gap\":0,\"kernel\":0,\"enobufs\":0},"
"\"reloads\":{\"ok\":2,\"failed\":0},"
"\"stats_interval_ms\":5000,"
"\"last_reload\":{\"time\":\"2026-12-02T09:30:00.000000000Z\","
"\"result\":\"ok\",\"generation\":3,\"rules\":2,\"errors\":[]},"
"\"policy\":{\"path\":\"/etc/premod/policy.d\",\"generation\":3,\"rules\":["
"{\"id\":\"etc-shadow\",\"enabled\":true,\"severity\":\"warning\","
"\"description\":\"shadow changed\",\"file\":\"a.json\",\"line\":3,"
"\"matched\":7,\"suppressed\":1},"
"{\"id\":\"off-rule\",\"enabled\":false,\"severity\":\"info\","
"\"description\":null,\"file\":\"a.json\",\"line\":9,"
"\"matched\":0,\"suppressed\":0}]},"
"\"sinks\":{\"journal\":{\"written\":7,\"dropped\":0,\"failed\":0}}}";

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *o = json_loads(text, 0, &je);

	ck_assert_msg(o != NULL, "fixture: %s", je.text);
	return o;
}

static json_t *kernel(int drops)
{
	return json_pack("{s:i,s:i,s:i}", "captured", 100, "drop_buffer_full",
			 drops, "sent", 100 - drops);
}

struct view {
	int code;
	json_t *report;
	char *text;
};

static struct view view_of(struct status_input *in)
{
	struct view v;
	size_t len = 0;
	FILE *f;

	v.text = NULL;
	f = open_memstream(&v.text, &len);
	v.code = status_report(in, &v.report);
	status_print(f, v.report);
	fclose(f);
	ck_assert_int_eq(json_integer_value(json_object_get(v.report, "exit")),
			 v.code);
	return v;
}

static void view_free(struct view *v)
{
	json_decref(v->report);
	free(v->text);
}

static struct status_input good(json_t *d, json_t *k)
{
	struct status_input in = {
		.module = 1, .module_protocol = 1, .module_version = "0.1",
		.kernel_counters = k, .daemon = d,
		.daemon_file = "/run/premod/premodd.stats.json",
		.daemon_alive = true,
	};
	return in;
}

START_TEST(test_all_good)
{
	json_t *d = load(stats_ok), *k = kernel(0);
	struct status_input in = good(d, k);
	struct view v = view_of(&in);

	ck_assert_int_eq(v.code, STATUS_OK);
	ck_assert_str_eq(json_string_value(json_object_get(v.report, "status")),
			 "ok");
	ck_assert_uint_eq(json_array_size(json_object_get(v.report,
							  "problems")), 0);
	ck_assert_ptr_nonnull(strstr(v.text, "status:  ok (exit 0)\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "module:  loaded, version 0.1, "
					     "netlink protocol 1\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "daemon:  running, pid 4242, "
			      "since 2026-12-02T09:00:00.000000000Z, connected "
			      "to the module\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "policy:  generation 3, 2 rules "
					     "from /etc/premod/policy.d\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "reload:  last at "
			      "2026-12-02T09:30:00.000000000Z: ok, generation 3\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "loss:    kernel 0 events, "
					     "premodd 0 events, sinks 0 records\n"));
	view_free(&v);
	json_decref(d);
	json_decref(k);
}
END_TEST

START_TEST(test_module_absent)
{
	json_t *d = load(stats_ok);
	struct status_input in = good(d, NULL);
	struct view v;

	in.module = 0;
	/* premodd keeps running without the module, disconnected: the
	 * missing module is the problem to report, not the disconnection */
	json_object_set_new(d, "connected", json_false());
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_MODULE_ABSENT);
	ck_assert_uint_eq(json_array_size(json_object_get(v.report,
							  "problems")), 1);
	ck_assert_ptr_nonnull(strstr(v.text, "module:  not loaded\n"));
	ck_assert_ptr_nonnull(strstr(v.text, "loss:    kernel ? events"));
	view_free(&v);
	json_decref(d);
}
END_TEST

START_TEST(test_daemon_down)
{
	json_t *k = kernel(0);
	struct status_input in = good(NULL, k);
	struct view v;

	in.daemon_alive = false;
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_DAEMON_DOWN);
	ck_assert_ptr_nonnull(strstr(v.text, "daemon:  not running "
			      "(/run/premod/premodd.stats.json absent)\n"));
	view_free(&v);

	/* a stats file left behind by a premodd that is gone */
	in.daemon = load(stats_ok);
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_DAEMON_DOWN);
	ck_assert_ptr_nonnull(strstr(v.text, "names a pid that is gone"));
	view_free(&v);
	json_decref((json_t *)in.daemon);

	/* module and daemon both missing: the module is reported first */
	in.module = 0;
	in.daemon = NULL;
	in.kernel_counters = NULL;
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_MODULE_ABSENT);
	ck_assert_uint_eq(json_array_size(json_object_get(v.report,
							  "problems")), 2);
	view_free(&v);
	json_decref(k);
}
END_TEST

START_TEST(test_disconnected)
{
	json_t *d = load(stats_ok), *k = kernel(0);
	struct status_input in = good(d, k);
	struct view v;

	json_object_set_new(d, "connected", json_false());
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_DISCONNECTED);
	ck_assert_ptr_nonnull(strstr(v.text, "NOT connected"));
	view_free(&v);
	json_decref(d);
	json_decref(k);
}
END_TEST

START_TEST(test_reload_failed)
{
	json_t *d = load(stats_ok), *k = kernel(3);
	struct status_input in = good(d, k);
	struct view v;

	json_object_set_new(d, "last_reload", json_pack(
		"{s:s,s:s,s:i,s:i,s:[s]}", "time", "2026-12-02T09:40:00Z",
		"result", "failed", "generation", 3, "rules", 0, "errors",
		"a.json:4:5: rule x: unknown field \"pth\""));
	v = view_of(&in);
	/* the failed reload outranks the loss */
	ck_assert_int_eq(v.code, STATUS_RELOAD_FAILED);
	ck_assert_uint_eq(json_array_size(json_object_get(v.report,
							  "problems")), 2);
	ck_assert_ptr_nonnull(strstr(v.text, "failed, generation 3 stays "
					     "active\n    a.json:4:5: rule x: "
					     "unknown field \"pth\"\n"));
	view_free(&v);
	json_decref(d);
	json_decref(k);
}
END_TEST

START_TEST(test_loss)
{
	json_t *d = load(stats_ok), *k = kernel(0);
	struct status_input in = good(d, k);
	struct view v;

	/* premodd's own drops count; its "kernel" reason repeats the
	 * module's drops and is not counted twice */
	json_object_set_new(json_object_get(d, "dropped"), "kernel",
			    json_integer(9));
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_OK);
	view_free(&v);

	json_object_set_new(json_object_get(d, "dropped"), "enobufs",
			    json_integer(4));
	json_object_set_new(json_object_get(json_object_get(d, "sinks"),
					    "journal"), "failed",
			    json_integer(2));
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_LOSS);
	ck_assert_ptr_nonnull(strstr(v.text, "loss:    kernel 0 events, "
					     "premodd 4 events, sinks 2 records\n"));
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(v.report, "loss"), "daemon")), 4);
	view_free(&v);
	json_decref(k);

	k = kernel(5);
	in.kernel_counters = k;
	v = view_of(&in);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(v.report, "loss"), "kernel")), 5);
	view_free(&v);
	json_decref(d);
	json_decref(k);
}
END_TEST

START_TEST(test_unknown_module)
{
	json_t *d = load(stats_ok);
	struct status_input in = good(d, NULL);
	struct view v;

	in.module = -1;
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_ERROR);
	ck_assert_ptr_nonnull(strstr(v.text, "module:  unknown\n"));
	view_free(&v);
	/* a real problem found besides outranks "could not tell" */
	json_object_set_new(d, "connected", json_false());
	v = view_of(&in);
	ck_assert_int_eq(v.code, STATUS_DISCONNECTED);
	view_free(&v);
	json_decref(d);
}
END_TEST

START_TEST(test_rules)
{
	json_t *d = load(stats_ok), *back;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(rules_print(f, d, false), 0);
	fclose(f);
	ck_assert_str_eq(text,
		"policy generation 3, 2 rules from /etc/premod/policy.d\n"
		"RULE       SEVERITY      MATCHED   SUPPRESSED  DESCRIPTION\n"
		"etc-shadow warning             7            1  shadow changed\n"
		"off-rule   info                0            0  (disabled)\n");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	ck_assert_int_eq(rules_print(f, d, true), 0);
	fclose(f);
	back = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(back);
	ck_assert(json_equal(back, json_object_get(d, "policy")));
	json_decref(back);
	free(text);

	json_object_del(d, "policy");
	ck_assert_int_eq(rules_print(stdout, d, false), -ENOENT);
	json_decref(d);
}
END_TEST

START_TEST(test_stats_file)
{
	char path[] = "/tmp/check_daemon_view.XXXXXX", err[256];
	int fd = mkstemp(path);
	json_t *d;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, stats_ok, strlen(stats_ok)),
			 (ssize_t)strlen(stats_ok));
	close(fd);
	d = daemon_stats_load(path, err, sizeof(err));
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(daemon_reload_count(d), 2);
	/* pid 4242 is not a premodd here */
	json_object_set_new(d, "pid", json_integer(getpid()));
	ck_assert(!daemon_alive(d, NULL));
	json_object_set_new(d, "pid", json_integer(0));
	ck_assert(!daemon_alive(d, NULL));
	json_decref(d);
	unlink(path);
	ck_assert_ptr_null(daemon_stats_load(path, err, sizeof(err)));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon_view");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_all_good);
	tcase_add_test(tc, test_module_absent);
	tcase_add_test(tc, test_daemon_down);
	tcase_add_test(tc, test_disconnected);
	tcase_add_test(tc, test_reload_failed);
	tcase_add_test(tc, test_loss);
	tcase_add_test(tc, test_unknown_module);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_stats_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
