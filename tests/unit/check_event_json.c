// SPDX-License-Identifier: MIT
/*
 * check_event_json.c - the stable JSON form of an event: exact output,
 * the direct renderer against jansson, round trips of every field, and
 * every reading error with the key it names.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "premod.h"

static char store[64 * 1024];

/* Every wire field set to a distinct value, strings included. */
static void fill_every_field(struct pm_event *ev)
{
	static const char *const strs[] = {
		[PM_F_COMM - PM_F_NUM_COUNT] = "bash",
		[PM_F_PATH - PM_F_NUM_COUNT] = "/etc/shadow",
		[PM_F_PATH2 - PM_F_NUM_COUNT] = "/etc/shadow-",
		[PM_F_TARGET - PM_F_NUM_COUNT] = "../target",
		[PM_F_XATTR_NAME - PM_F_NUM_COUNT] = "security.capability",
	};

	memset(ev, 0, sizeof(*ev));
	for (int f = 0; f < PM_F_NUM_COUNT; f++)
		pm_event_set_num(ev, f, 1000 + f);
	ev->num[PM_F_OP] = PREMOD_OP_RENAME;
	ev->num[PM_F_TIME] = 1764023326123456789ULL;
	ev->num[PM_F_INO] = UINT64_MAX - 5;	/* overlayfs xino: top bit */
	ev->num[PM_F_ATIME] = (uint64_t)-1000000000LL;	/* before 1970 */
	ev->num[PM_F_AUID] = UINT32_MAX;
	ev->num[PM_F_NEW_MODE] = 0104755;
	for (int f = PM_F_COMM; f <= PM_F_XATTR_NAME; f++)
		pm_event_set_str(ev, f, strs[f - PM_F_NUM_COUNT]);
}

static char *dump(const struct pm_event *ev)
{
	json_t *j = pm_event_to_json(ev);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_events_equal(const struct pm_event *a,
				const struct pm_event *b)
{
	ck_assert_uint_eq(a->has, b->has);
	for (int f = 0; f < PM_F_COUNT; f++) {
		if (!pm_event_has(a, f))
			continue;
		if (f < PM_F_NUM_COUNT)
			ck_assert_msg(a->num[f] == b->num[f], "%s: %llu != %llu",
				      pm_fields[f].name,
				      (unsigned long long)a->num[f],
				      (unsigned long long)b->num[f]);
		else
			ck_assert_str_eq(pm_event_str(a, f),
					 pm_event_str(b, f));
	}
}

START_TEST(test_exact_text)
{
	struct pm_event ev = { 0 };
	char buf[512];
	char *s;

	pm_event_set_num(&ev, PM_F_NEW_MODE, 0104755);
	pm_event_set_str(&ev, PM_F_PATH, "/etc/shadow");
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_CHMOD);
	pm_event_set_num(&ev, PM_F_SEQ, 1);
	pm_event_set_num(&ev, PM_F_UID, 0);
	pm_event_set_str(&ev, PM_F_COMM, "chmod");
	pm_event_set_num(&ev, PM_F_OLD_MODE, 0100644);
	/* Derived fields are never written; exe (the host's name) is. */
	pm_event_set_str(&ev, PM_F_NAME, "shadow");
	pm_event_set_str(&ev, PM_F_DIR, "/etc");
	pm_event_set_str(&ev, PM_F_EXE, "/usr/bin/chmod");

	static const char want[] =
		"{\"seq\":1,\"op\":\"chmod\",\"uid\":0,\"comm\":\"chmod\","
		"\"path\":\"/etc/shadow\",\"old_mode\":33188,"
		"\"new_mode\":35309,\"exe\":\"/usr/bin/chmod\"}";
	ck_assert_int_eq(pm_event_render_json(&ev, buf, sizeof(buf)),
			 (int)strlen(want));
	ck_assert_str_eq(buf, want);
	s = dump(&ev);
	ck_assert_str_eq(s, want);
	free(s);

	ck_assert_int_eq(pm_event_render_json_fields(&ev, buf, sizeof(buf)),
			 (int)strlen(want) - 2);
	ck_assert(strncmp(buf, want + 1, strlen(want) - 2) == 0);
}
END_TEST

START_TEST(test_lost_record)
{
	struct pm_event ev = { 0 };
	char buf[256];

	pm_event_set_num(&ev, PM_F_SEQ, 50);
	pm_event_set_num(&ev, PM_F_TIME, 7);
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_LOST);
	pm_event_set_num(&ev, PM_F_FLAGS, 0);
	pm_event_set_num(&ev, PM_F_LOST_COUNT, 3);
	pm_event_set_num(&ev, PM_F_LOST_FIRST, 47);
	pm_event_set_num(&ev, PM_F_LOST_LAST, 49);
	ck_assert_int_gt(pm_event_render_json(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "{\"seq\":50,\"time\":7,\"op\":\"lost\","
			      "\"flags\":0,\"lost_count\":3,"
			      "\"lost_first\":47,\"lost_last\":49}");
}
END_TEST

START_TEST(test_empty_event)
{
	struct pm_event ev = { 0 };
	char buf[8];
	char *s = dump(&ev);

	ck_assert_str_eq(s, "{}");
	free(s);
	ck_assert_int_eq(pm_event_render_json(&ev, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "{}");
	ck_assert_int_eq(pm_event_render_json_fields(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_round_trip_every_field)
{
	struct pm_event ev, back;
	char err[256] = "";
	char *s;

	fill_every_field(&ev);
	s = dump(&ev);
	ck_assert_int_eq(pm_event_from_json_line(s, strlen(s), &back, store,
						 sizeof(store), err,
						 sizeof(err)), 0);
	assert_events_equal(&ev, &back);
	/* Strings were copied into the caller's store. */
	ck_assert((char *)pm_event_str(&back, PM_F_PATH) >= store &&
		  (char *)pm_event_str(&back, PM_F_PATH) < store + sizeof(store));
	/* Big values keep their bits as negative JSON numbers. */
	ck_assert_ptr_nonnull(strstr(s, "\"atime\":-1000000000,"));
	ck_assert_ptr_nonnull(strstr(s, "\"ino\":-6,"));
	ck_assert_ptr_nonnull(strstr(s, "\"auid\":4294967295,"));
	free(s);
}
END_TEST

/* Each field alone: the key is its name, and it comes back alone. */
START_TEST(test_round_trip_single_field)
{
	int f = _i;
	struct pm_event ev = { 0 }, back;
	char buf[512], err[256] = "";
	json_t *j;

	if (pm_fields[f].derived && f != PM_F_EXE)
		return;
	if (f < PM_F_NUM_COUNT)
		pm_event_set_num(&ev, f, f == PM_F_OP ? PREMOD_OP_SYMLINK : 123);
	else
		pm_event_set_str(&ev, f, "v\xc3\xa9");
	j = pm_event_to_json(&ev);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_object_size(j), 1);
	ck_assert_ptr_nonnull(json_object_get(j, pm_fields[f].name));
	ck_assert_int_gt(pm_event_render_json(&ev, buf, sizeof(buf)), 0);
	ck_assert_int_eq(pm_event_from_json(j, &back, store, sizeof(store), err,
					    sizeof(err)), 0);
	assert_events_equal(&ev, &back);
	json_decref(j);
}
END_TEST

/* The direct renderer and jansson agree, byte for byte, on odd strings. */
START_TEST(test_render_matches_jansson)
{
	static const char *const odd[] = {
		"plain",
		"",
		"quote\" backslash\\ slash/",
		"\x01\x02\x1f\x7f tab\t nl\n cr\r ff\f bs\b",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",	/* valid UTF-8 */
		"bad \xff byte",
		"\xc3",				/* truncated sequence */
		"\xc0\xaf overlong",
		"\xed\xa0\x80 surrogate",
		"\xf4\x90\x80\x80 above max",
		"\xe2\x82 cut then ascii",
		"mixed \xc3\xa9\xff\"\n",
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct pm_event ev = { 0 }, back;
		char err[256] = "";
		char *s;
		int n;

		pm_event_set_num(&ev, PM_F_SEQ, i);
		pm_event_set_str(&ev, PM_F_PATH, odd[i]);
		pm_event_set_str(&ev, PM_F_COMM, odd[i]);
		s = dump(&ev);
		n = pm_event_render_json(&ev, buf, sizeof(buf));
		ck_assert_int_eq(n, (int)strlen(s));
		ck_assert_msg(strcmp(buf, s) == 0, "case %zu:\n %s\n %s", i,
			      buf, s);
		/* Exact bytes come back, through _hex when not UTF-8. */
		ck_assert_int_eq(pm_event_from_json_line(buf, (size_t)n, &back,
							 store, sizeof(store),
							 err, sizeof(err)), 0);
		assert_events_equal(&ev, &back);
		free(s);
	}
}
END_TEST

START_TEST(test_every_byte)
{
	char path[256], buf[4096], err[256] = "";
	struct pm_event ev = { 0 }, back;
	char *s;

	for (int i = 1; i < 256; i++)
		path[i - 1] = (char)i;
	path[255] = '\0';
	pm_event_set_str(&ev, PM_F_PATH, path);
	s = dump(&ev);
	ck_assert_int_gt(pm_event_render_json(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, s);
	ck_assert_ptr_nonnull(strstr(buf, "\"path_hex\":\"0102"));
	ck_assert_int_eq(pm_event_from_json_line(buf, strlen(buf), &back,
						 store, sizeof(store), err,
						 sizeof(err)), 0);
	ck_assert_str_eq(pm_event_str(&back, PM_F_PATH), path);
	free(s);
}
END_TEST

START_TEST(test_render_nospace)
{
	struct pm_event ev;
	char want[4096], *buf;
	int n;

	fill_every_field(&ev);
	pm_event_set_str(&ev, PM_F_TARGET, "\xff\n");
	n = pm_event_render_json(&ev, want, sizeof(want));
	ck_assert_int_gt(n, 0);
	for (int len = 0; len <= n; len++) {
		buf = malloc(len ? len : 1);
		ck_assert_int_eq(pm_event_render_json(&ev, buf, len), -ENOSPC);
		if (len)
			ck_assert_str_eq(buf, "");
		free(buf);
	}
	buf = malloc(n + 1);
	ck_assert_int_eq(pm_event_render_json(&ev, buf, n + 1), n);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

START_TEST(test_render_max_fits)
{
	/* The worst event the kernel can send fits PM_EVENT_JSON_MAX. */
	static char big[PREMOD_PATH_MAX], buf[PM_EVENT_JSON_MAX];
	struct pm_event ev;

	fill_every_field(&ev);
	memset(big, 0x01, sizeof(big) - 1);	/* \u0001: 6 bytes each */
	big[0] = (char)0xff;			/* and a _hex companion */
	for (int f = PM_F_PATH; f <= PM_F_XATTR_NAME; f++)
		pm_event_set_str(&ev, f, big);
	pm_event_set_str(&ev, PM_F_COMM, "\xff\xff\xff\xff\xff\xff\xff\xff"
					 "\xff\xff\xff\xff\xff\xff\xff");
	ck_assert_int_gt(pm_event_render_json(&ev, buf, sizeof(buf)), 0);
}
END_TEST

static const struct {
	const char *json;
	int ret;
	const char *err;	/* substring */
} read_cases[] = {
	{ "[]", -EINVAL, "expected a JSON object, got an array" },
	{ "{\"seq\":", -EINVAL, "column" },
	{ "{\"seq\":1,\"seq\":2}", -EINVAL, "duplicate" },
	{ "{\"uid\":\"0\"}", -EINVAL, "key \"uid\": expected an integer, got a string" },
	{ "{\"seq\":1.5}", -EINVAL, "key \"seq\": expected an integer, got a real" },
	{ "{\"tgid\":true}", -EINVAL, "key \"tgid\": expected an integer, got a boolean" },
	{ "{\"uid\":-1}", -EINVAL, "key \"uid\": -1 is out of range" },
	{ "{\"pid\":4294967296}", -EINVAL, "key \"pid\": 4294967296 is out of range" },
	{ "{\"op\":3}", -EINVAL, "key \"op\": expected an op name" },
	{ "{\"op\":\"write\"}", -EINVAL, "key \"op\": unknown op \"write\"" },
	{ "{\"op\":\"unspec\"}", -EINVAL, "unknown op" },
	{ "{\"path\":1}", -EINVAL, "key \"path\": expected a string, got an integer" },
	{ "{\"path\":\"a\\u0000b\"}", -EINVAL, "key \"path\": string contains a NUL" },
	{ "{\"path_hex\":\"2f6\"}", -EINVAL, "key \"path_hex\": odd number" },
	{ "{\"path_hex\":\"2fzz\"}", -EINVAL, "key \"path_hex\": \"zz\" at offset 2" },
	{ "{\"path_hex\":\"2f00\"}", -EINVAL, "key \"path_hex\": NUL byte" },
	{ "{\"path_hex\":[]}", -EINVAL, "key \"path_hex\": expected a hex string" },
	{ "{\"mode\":\"0648\"}", -EINVAL, "key \"mode\": \"0648\" is not an octal mode" },
	{ "{\"mode\":\"\"}", -EINVAL, "key \"mode\": empty string" },
	{ "{\"comm\":{}}", -EINVAL, "key \"comm\": expected a string, got an object" },
	{ "{\"seq\":18446744073709551615}", -EINVAL, "column" },
	/* Accepted. */
	{ "{}", 0, NULL },
	{ "{\"future_field\":[1,2],\"name\":\"x\",\"dir\":3}", 0, NULL },
	{ "{\"seq\":null,\"path\":null}", 0, NULL },
	{ "{\"mode\":\"4755\",\"old_mode\":420}", 0, NULL },
	{ "{\"time\":-1,\"ino\":9223372036854775807}", 0, NULL },
	{ "{\"path\":\"lossy\\ufffd\",\"path_hex\":\"2fff\"}", 0, NULL },
};

START_TEST(test_read)
{
	struct pm_event ev;
	char err[256] = "";
	int ret;

	ret = pm_event_from_json_line(read_cases[_i].json,
				      strlen(read_cases[_i].json), &ev, store,
				      sizeof(store), err, sizeof(err));
	ck_assert_msg(ret == read_cases[_i].ret, "%s: %d (%s)",
		      read_cases[_i].json, ret, err);
	if (read_cases[_i].err)
		ck_assert_msg(strstr(err, read_cases[_i].err),
			      "%s: got \"%s\"", read_cases[_i].json, err);
}
END_TEST

START_TEST(test_read_values)
{
	struct pm_event ev;
	char err[256] = "";
	const char *j = "{\"mode\":\"4755\",\"time\":-1,\"path\":\"ignored\","
			"\"path_hex\":\"2fff\",\"name\":\"x\",\"seq\":null,"
			"\"exe\":\"/usr/bin/passwd\"}";

	ck_assert_int_eq(pm_event_from_json_line(j, strlen(j), &ev, store,
						 sizeof(store), err,
						 sizeof(err)), 0);
	ck_assert_uint_eq(ev.num[PM_F_MODE], 04755);
	ck_assert_uint_eq(ev.num[PM_F_TIME], UINT64_MAX);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/\xff");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_EXE), "/usr/bin/passwd");
	ck_assert(!pm_event_has(&ev, PM_F_SEQ));
	ck_assert(!pm_event_has(&ev, PM_F_NAME));
	ck_assert(!pm_event_has(&ev, PM_F_OP));
}
END_TEST

START_TEST(test_read_store_too_small)
{
	struct pm_event ev;
	char small[8], err[256] = "";
	const char *j = "{\"path\":\"/etc/shadow\"}";
	const char *h = "{\"path_hex\":\"2f6574632f736861646f77\"}";

	ck_assert_int_eq(pm_event_from_json_line(j, strlen(j), &ev, small,
						 sizeof(small), err,
						 sizeof(err)), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "storage"));
	ck_assert_int_eq(pm_event_from_json_line(h, strlen(h), &ev, small,
						 sizeof(small), err,
						 sizeof(err)), -ENOSPC);
	/* Exactly the string plus its NUL suffices. */
	ck_assert_int_eq(pm_event_from_json_line(j, strlen(j), &ev, small, 0,
						 NULL, 0), -ENOSPC);
	{
		char exact[12];

		ck_assert_int_eq(pm_event_from_json_line(j, strlen(j), &ev,
							 exact, sizeof(exact),
							 err, sizeof(err)), 0);
		ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/etc/shadow");
	}
}
END_TEST

static Suite *event_json_suite(void)
{
	Suite *s = suite_create("event_json");
	TCase *tc = tcase_create("write");

	tcase_add_test(tc, test_exact_text);
	tcase_add_test(tc, test_lost_record);
	tcase_add_test(tc, test_empty_event);
	tcase_add_test(tc, test_render_matches_jansson);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_render_nospace);
	tcase_add_test(tc, test_render_max_fits);
	suite_add_tcase(s, tc);

	tc = tcase_create("round trip");
	tcase_add_test(tc, test_round_trip_every_field);
	tcase_add_loop_test(tc, test_round_trip_single_field, 0, PM_F_COUNT);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_loop_test(tc, test_read, 0,
			    sizeof(read_cases) / sizeof(read_cases[0]));
	tcase_add_test(tc, test_read_values);
	tcase_add_test(tc, test_read_store_too_small);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(event_json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
