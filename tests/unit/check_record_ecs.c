// SPDX-License-Identifier: MIT
/*
 * check_record_ecs.c - the ECS form of records, validated against the ECS
 * field definitions in data/ecs_fields.txt: every field name is an ECS
 * field (or custom, premod.*), every value has its ECS type, allowed
 * values are kept; and the values themselves are the record's.
 */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fixture_record.h"
#include "record_ecs.h"

#define ECS_TABLE "tests/unit/data/ecs_fields.txt"

struct ecs_def {
	char name[64], type[32], allowed[512];
	bool array;
};

static struct ecs_def defs[128];
static size_t n_defs;

static void load_defs(void)
{
	FILE *f = fopen(ECS_TABLE, "r");
	char line[1024];

	ck_assert_msg(f, "cannot open " ECS_TABLE);
	n_defs = 0;
	while (fgets(line, sizeof(line), f)) {
		char array[16];
		struct ecs_def *d = &defs[n_defs];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_uint_lt(n_defs, sizeof(defs) / sizeof(defs[0]));
		ck_assert_msg(sscanf(line, "%63[^\t]\t%31[^\t]\t%15[^\t]\t%511[^\t]",
				     d->name, d->type, array, d->allowed) == 4,
			      "bad line in " ECS_TABLE ": %s", line);
		d->array = strcmp(array, "array") == 0;
		n_defs++;
	}
	fclose(f);
	ck_assert_uint_gt(n_defs, 20);
}

static const struct ecs_def *def_find(const char *name)
{
	for (size_t i = 0; i < n_defs; i++)
		if (strcmp(defs[i].name, name) == 0)
			return &defs[i];
	return NULL;
}

static bool is_custom(const char *name)
{
	return strncmp(name, RECORD_ECS_CUSTOM ".",
		       strlen(RECORD_ECS_CUSTOM) + 1) == 0;
}

static const char *type_name(enum ecs_type t)
{
	switch (t) {
	case ECS_KEYWORD: return "keyword";
	case ECS_LONG: return "long";
	case ECS_DATE: return "date";
	case ECS_TEXT: return "match_only_text";
	}
	return "?";
}

/* The renderer's table names ECS fields with their ECS types. */
START_TEST(test_table_follows_ecs)
{
	load_defs();
	for (size_t i = 0; i < record_ecs_n_fields; i++) {
		const struct ecs_field *f = &record_ecs_fields[i];
		const struct ecs_def *d = def_find(f->ecs);

		if (is_custom(f->ecs))
			continue;
		ck_assert_msg(d, "%s is not an ECS field (" ECS_TABLE ")",
			      f->ecs);
		ck_assert_msg(strcmp(d->type, type_name(f->type)) == 0,
			      "%s: ECS type %s, the table says %s", f->ecs,
			      d->type, type_name(f->type));
		ck_assert_msg(!f->key == !!f->value, "row %s: a constant has "
			      "a value and no key", f->ecs);
		/* One record key never names a field twice, and no field is
		 * an object another one is inside of. */
		for (size_t j = 0; j < record_ecs_n_fields; j++) {
			const char *o = record_ecs_fields[j].ecs;
			size_t n = strlen(f->ecs);

			if (j == i)
				continue;
			ck_assert_msg(strcmp(o, f->ecs) != 0,
				      "%s named twice", o);
			ck_assert_msg(strncmp(o, f->ecs, n) != 0 || o[n] != '.',
				      "%s is a value and %s is inside it",
				      f->ecs, o);
		}
	}
}
END_TEST

static regex_t rfc3339;
static bool rfc3339_ready;

/* Checks one leaf of the ECS object against the definitions. */
static void check_leaf(const char *name, json_t *v)
{
	const struct ecs_def *d;
	json_t *item;
	size_t i;

	if (is_custom(name)) {
		ck_assert_msg(json_is_string(v) || json_is_integer(v),
			      "custom %s is neither string nor integer", name);
		return;
	}
	d = def_find(name);
	ck_assert_msg(d, "%s is not an ECS field", name);
	if (d->array) {
		ck_assert_msg(json_is_array(v), "%s must be an array", name);
	} else {
		ck_assert_msg(!json_is_array(v), "%s must not be an array",
			      name);
		v = json_pack("[O]", v);
	}
	json_array_foreach(v, i, item) {
		if (!strcmp(d->type, "long")) {
			ck_assert_msg(json_is_integer(item),
				      "%s (long) is not an integer", name);
			continue;
		}
		ck_assert_msg(json_is_string(item), "%s (%s) is not a string",
			      name, d->type);
		if (!strcmp(d->type, "date"))
			ck_assert_msg(regexec(&rfc3339, json_string_value(item),
					      0, NULL, 0) == 0,
				      "%s: not RFC 3339: %s", name,
				      json_string_value(item));
		if (strcmp(d->allowed, "-") != 0) {
			char list[600];

			snprintf(list, sizeof(list), ",%s,", d->allowed);
			char want[80];

			snprintf(want, sizeof(want), ",%s,",
				 json_string_value(item));
			ck_assert_msg(strstr(list, want),
				      "%s: \"%s\" is not an allowed value",
				      name, json_string_value(item));
		}
	}
	if (!d->array)
		json_decref(v);
}

/* Walks nested objects as dotted names; returns the leaves seen. */
static size_t walk(const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach(obj, key, v) {
		char name[128];

		snprintf(name, sizeof(name), "%s%s%s", prefix,
			 *prefix ? "." : "", key);
		if (json_is_object(v)) {
			ck_assert_msg(json_object_size(v) > 0,
				      "empty object %s", name);
			n += walk(name, v);
		} else {
			check_leaf(name, v);
			n++;
		}
	}
	return n;
}

/* Renders r, checks it is one valid ECS object, returns it parsed. */
static json_t *ecs_of(const struct record *r)
{
	size_t n = record_ecs_format(r, NULL, 0);
	char *buf = malloc(n + 1);
	json_error_t err;
	json_t *o;

	ck_assert_uint_gt(n, 2);
	ck_assert_uint_eq(record_ecs_format(r, buf, n + 1), n);
	ck_assert_uint_eq(strlen(buf), n);
	ck_assert_msg(!strchr(buf, '\n'), "a newline in %s", buf);
	o = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(o, "not JSON (%s at %d): %s", err.text, err.position,
		      buf);
	ck_assert(json_is_object(o));
	if (!rfc3339_ready) {
		ck_assert_int_eq(regcomp(&rfc3339,
			"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
			"(\\.[0-9]{1,9})?Z$", REG_EXTENDED | REG_NOSUB), 0);
		rfc3339_ready = true;
	}
	load_defs();
	ck_assert_uint_gt(walk("", o), 5);
	/* A cut buffer holds a NUL-terminated prefix. */
	ck_assert_uint_eq(record_ecs_format(r, buf, 10), n);
	ck_assert_uint_eq(strlen(buf), 9);
	free(buf);
	return o;
}

static const char *str_at(json_t *o, const char *path)
{
	json_t *v = o;
	char buf[128], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	ck_assert_msg(v, "no %s", path);
	if (json_is_string(v))
		return json_string_value(v);
	{
		static char num[32];

		ck_assert_msg(json_is_integer(v), "%s neither string nor "
			      "integer", path);
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		return num;
	}
}

static json_t *at(json_t *o, const char *path)
{
	json_t *v = o;
	char buf[128], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	return v;
}

static const struct {
	const char *path, *want;
	bool integer;
} match_want[] = {
	{ "@timestamp", "2025-11-24T22:28:46.123456789Z" },
	{ "ecs.version", RECORD_ECS_VERSION },
	{ "event.sequence", "42", true },
	{ "event.action", "chmod" },
	{ "event.kind", "alert" },
	{ "event.module", "premod" },
	{ "event.severity", "4", true },
	{ "log.level", "warning" },
	{ "host.name", "testhost" },
	{ "rule.name", "setuid-added" },
	{ "message", "chmod made /usr/bin/su setuid" },
	{ "process.pid", "1234", true },
	{ "process.thread.id", "1235", true },
	{ "process.parent.pid", "1", true },
	{ "process.name", "chmod" },
	{ "process.executable", "/usr/bin/chmod" },
	{ "user.id", "0" },
	{ "user.effective.id", "0" },
	{ "group.id", "27" },
	{ "process.group.id", "28" },
	{ "file.path", "/usr/bin/su" },
	{ "file.name", "su" },
	{ "file.directory", "/usr/bin" },
	{ "file.inode", "18446744073709551615" },
	{ "file.device", "2049" },
	{ "file.mode", "0755" },
	{ "file.type", "file" },
	/* no ECS field: the custom namespace, the record's own form */
	{ "premod.auid", "1000", true },
	{ "premod.old_mode", "0100755" },
	{ "premod.new_mode", "0104755" },
	{ "premod.generation", "7", true },
	{ "premod.kind", "match" },
	{ "premod.flags", "0", true },
};

static struct record *rich_match(const struct policy *p, const char *path)
{
	struct pm_event ev;
	struct record *r;

	fx_event(&ev, path);
	pm_event_set_num(&ev, PM_F_PID, 1235);
	pm_event_set_num(&ev, PM_F_PPID, 1);
	pm_event_set_num(&ev, PM_F_GID, 27);
	pm_event_set_num(&ev, PM_F_EUID, 0);
	pm_event_set_num(&ev, PM_F_EGID, 28);
	pm_event_set_num(&ev, PM_F_DEV, 2049);
	pm_event_set_num(&ev, PM_F_INO, UINT64_MAX);
	pm_event_set_str(&ev, PM_F_EXE, "/usr/bin/chmod");
	r = record_match(&fx_ctx, &ev, policy_rule_at(p, 0));
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(test_match)
{
	struct policy *p = fx_policy_load();
	struct record *r = rich_match(p, "/usr/bin/su");
	json_t *o = ecs_of(r), *v;
	const char *s = str_at(o, match_want[_i].path);

	ck_assert_msg(strcmp(s, match_want[_i].want) == 0, "%s: %s, want %s",
		      match_want[_i].path, s, match_want[_i].want);
	ck_assert(json_is_integer(at(o, match_want[_i].path)) ==
		  match_want[_i].integer);
	/* arrays */
	v = at(o, "tags");
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "integrity");
	ck_assert_str_eq(json_string_value(json_array_get(v, 1)), "setuid");
	v = at(o, "event.type");
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "change");
	v = at(o, "event.category");
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "file");
	/* nested objects, not dotted keys */
	ck_assert_ptr_null(json_object_get(o, "file.path"));
	ck_assert_ptr_null(at(o, "event.outcome"));
	json_decref(o);
	record_put(r);
	policy_free(p);
}
END_TEST

/* Bytes JSON cannot carry: U+FFFD in the ECS field, the exact bytes in
 * premod.<key>_hex; the derived name follows the path. */
START_TEST(test_invalid_utf8)
{
	struct policy *p = fx_policy_load();
	struct record *r = rich_match(p, "/tmp/d\xff/a\"b\n]");
	json_t *o = ecs_of(r);

	ck_assert_str_eq(str_at(o, "file.path"),
			 "/tmp/d\xEF\xBF\xBD/a\"b\n]");
	ck_assert_str_eq(str_at(o, "file.name"), "a\"b\n]");
	ck_assert_str_eq(str_at(o, "file.directory"), "/tmp/d\xEF\xBF\xBD");
	ck_assert_str_eq(str_at(o, "premod.path_hex"),
			 "2f746d702f64ff2f6122620a5d");
	json_decref(o);
	record_put(r);
	policy_free(p);
}
END_TEST

START_TEST(test_lost)
{
	struct record *r = fx_lost(100, 5);
	json_t *o = ecs_of(r);

	ck_assert_str_eq(str_at(o, "event.kind"), "event");
	ck_assert_str_eq(str_at(o, "premod.kind"), "lost");
	ck_assert_str_eq(str_at(o, "event.reason"), "kernel");
	ck_assert_str_eq(str_at(o, "event.sequence"), "100");
	ck_assert_str_eq(str_at(o, "premod.lost_count"), "5");
	ck_assert_str_eq(str_at(o, "premod.lost_first"), "95");
	ck_assert_str_eq(str_at(o, "log.level"), "warning");
	ck_assert_ptr_null(at(o, "event.action"));
	ck_assert_ptr_null(at(o, "tags"));
	json_decref(o);
	record_put(r);
}
END_TEST

START_TEST(test_suppressed)
{
	struct record *r = fx_suppressed("/etc/shadow", 0);
	json_t *o = ecs_of(r);

	ck_assert_str_eq(str_at(o, "premod.kind"), "suppressed");
	ck_assert_str_eq(str_at(o, "rule.name"), "setuid-added");
	ck_assert_str_eq(str_at(o, "event.start"),
			 "2025-11-24T22:28:36.123456789Z");
	ck_assert_str_eq(str_at(o, "event.end"),
			 "2025-11-24T22:28:46.123456789Z");
	ck_assert_str_eq(str_at(o, "file.path"), "/etc/shadow");
	ck_assert_str_eq(str_at(o, "premod.suppressed"), "12");
	json_decref(o);
	record_put(r);
}
END_TEST

/* A field other teams add: with a row it takes its ECS name
 * ("result" -> event.outcome); without one it is premod.<key>, typed. */
START_TEST(test_new_fields)
{
	static const struct {
		const char *result, *outcome;
	} cases[] = {
		{ "0", "success" }, { "13", "failure" },
		{ "failure", "failure" }, { "unknown", "unknown" },
	};
	struct record_kv kv[] = {
		{ "time", "2025-11-24T22:28:46.123456789Z", RKV_TIME },
		{ "kind", "match", RKV_STR },
		{ "op", "unlink", RKV_STR },
		{ "result", cases[_i].result, RKV_STR },
		{ "host_path", "/srv/x", RKV_STR },
		{ "task_depth", "3", RKV_NUM },
		{ "parent_mode", "040755", RKV_MODE },
	};
	struct record r = { .kind = RECORD_MATCH, .priority = LOG_NOTICE,
			    .kv = kv, .n_kv = sizeof(kv) / sizeof(kv[0]),
			    .tags = "", .message = "" };
	json_t *o = ecs_of(&r);

	ck_assert_str_eq(str_at(o, "event.outcome"), cases[_i].outcome);
	ck_assert_str_eq(str_at(o, "premod.host_path"), "/srv/x");
	ck_assert(json_is_integer(at(o, "premod.task_depth")));
	ck_assert_str_eq(str_at(o, "premod.parent_mode"), "040755");
	ck_assert_str_eq(json_string_value(json_array_get(at(o, "event.type"),
							  0)), "deletion");
	json_decref(o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record_ecs");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_table_follows_ecs);
	tcase_add_loop_test(tc, test_match, 0,
			    sizeof(match_want) / sizeof(match_want[0]));
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_lost);
	tcase_add_test(tc, test_suppressed);
	tcase_add_loop_test(tc, test_new_fields, 0, 4);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
