// SPDX-License-Identifier: MIT
/*
 * check_policy - the policy language: every error class with its exact
 * file:line:column, condition semantics, message rendering, directories of
 * files sharing lists and macros.
 *
 * Error cases mark the expected position with a backtick in the policy
 * text (never valid JSON outside a string, and none of the cases use one
 * inside): the test strips it and expects a diagnostic exactly there.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "event_json.h"
#include "policy.h"
#include "premod.h"

static char *diag_text(const struct policy_diags *d)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	policy_diags_print(d, f);
	fclose(f);
	return s;
}

/* ---------------------------------------------------------------- errors */

struct err_case {
	const char *rule;	/* expected "rule <id>: " part, NULL: none */
	const char *msg;	/* substring of the message */
	const char *policy;	/* with one backtick at the position */
};

#define V "{\"version\": 1, "
#define R(body) V "\"rules\": [" body "]}"

static const struct err_case err_cases[] = {
	/* JSON syntax */
	{ NULL, "expected ',' or '}'", "{\"version\": 1 `\"rules\": []}" },
	{ NULL, "trailing comma", "{\"version\": 1, \"rules\": [{\"id\": \"a\"}, `]}" },
	{ NULL, "duplicate key \"rules\" (first at line 1, column 16)",
	  "{\"version\": 1, \"rules\": [], `\"rules\": []}" },
	{ NULL, "expected a string key, found '/' (comments are not JSON)", "{\"version\": 1,\n  `// x\n}" },
	{ NULL, "comments are not JSON", "{\"version\": 1, \"rules\": `/* x */ []}" },
	{ NULL, "unterminated string", "{\"version\": 1, \"rules\": [\"abc`" },
	{ NULL, "leading zero", "{\"version\": `01}" },
	{ NULL, "control character", "{\"version\": 1, \"x\": \"a`\tb\"}" },
	{ NULL, "empty document", "`" },
	{ NULL, "after the end of the document", "{\"version\": 1} `{}" },
	/* file shape */
	{ NULL, "a policy file is an object", "`[]" },
	{ NULL, "missing \"version\"", "`{\"rules\": []}" },
	{ NULL, "unsupported policy version", "{\"version\": `2}" },
	{ NULL, "unknown key \"rule\" at the top of a policy file (did you mean \"rules\"?)",
	  V "`\"rule\": []}" },
	{ NULL, "\"rules\" takes an array", V "\"rules\": `{}}" },
	{ NULL, "\"lists\" takes an object", V "\"lists\": `[]}" },
	{ NULL, "list \"l\" takes an array", V "\"lists\": {\"l\": `\"x\"}}" },
	{ NULL, "elements are strings or numbers", V "\"lists\": {\"l\": [\"a\", `{}]}}" },
	{ NULL, "invalid list name", V "\"lists\": {`\"a b\": []}}" },
	{ NULL, "invalid macro name", V "\"macros\": {`\"\": {\"field\": \"uid\", \"eq\": 0}}}" },
	/* rule keys */
	{ "#1", "a rule is an object", R("`3") },
	{ "#1", "missing \"id\"", R("`{\"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "#1", "\"id\" takes a string", R("{\"id\": `\"a b\", \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "missing \"match\"", R("`{\"id\": \"r\"}") },
	{ "r", "unknown key \"mach\" in a rule (did you mean \"match\"?)",
	  R("{\"id\": \"r\", `\"mach\": {}}") },
	{ "r", "\"severity\" is one of", R("{\"id\": \"r\", \"severity\": `\"critical\", \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "\"severity\" is one of", R("{\"id\": \"r\", \"severity\": `3, \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "\"tags\" takes an array of non-empty strings", R("{\"id\": \"r\", \"tags\": `[\"a\", 1], \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "\"enabled\" takes true or false", R("{\"id\": \"r\", \"enabled\": `1, \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "\"description\" takes a string", R("{\"id\": \"r\", \"description\": `[], \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "\"except\" takes an array", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"except\": `{\"field\": \"uid\", \"eq\": 1}}") },
	{ "r2", "duplicate rule id (first defined at t.json:1:26)",
	  R("{\"id\": \"r2\", \"match\": {\"field\": \"uid\", \"eq\": 0}}, `{\"id\": \"r2\", \"match\": {\"field\": \"uid\", \"eq\": 1}}") },
	/* rate_limit and outputs */
	{ "r", "rate_limit.max takes a number of records from 1", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": {\"max\": `0, \"interval\": 1}}") },
	{ "r", "rate_limit.interval takes seconds", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": {\"max\": 1, \"interval\": `\"10 s\"}}") },
	{ "r", "rate_limit.interval takes seconds", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": {\"max\": 1, \"interval\": `-1}}") },
	{ "r", "rate_limit.key is one of", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": {\"max\": 1, \"interval\": 1, \"key\": `\"path\"}}") },
	{ "r", "rate_limit needs \"max\" and \"interval\"", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": `{\"max\": 1}}") },
	{ "r", "unknown key \"burst\" in rate_limit", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"rate_limit\": {\"max\": 1, \"interval\": 1, `\"burst\": 2}}") },
	{ "r", "unknown output \"journl\"; did you mean journal", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"outputs\": [\"syslog\", `\"journl\"]}") },
	{ "r", "output \"syslog\" listed twice", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"outputs\": [\"syslog\", `\"syslog\"]}") },
	{ "r", "outputs takes a non-empty array", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"outputs\": `[]}") },
	/* message templates */
	{ "r", "message: unknown field \"{pth}\" at offset 3 (did you mean \"path\"?)", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"message\": `\"by {pth}\"}") },
	{ "r", "message: unclosed '{'", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"message\": `\"by {path\"}") },
	{ "r", "message: unmatched '}'", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"message\": `\"a } b\"}") },
	{ "r", "\"message\" takes a string template", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, \"message\": `1}") },
	/* conditions */
	{ "r", "a condition is an object", R("{\"id\": \"r\", \"match\": `[]}") },
	{ "r", "empty condition", R("{\"id\": \"r\", \"match\": `{}}") },
	{ "r", "unknown key \"al\" in a condition (did you mean \"all\"?)", R("{\"id\": \"r\", \"match\": {`\"al\": []}}") },
	{ "r", "a condition has exactly one of all, any, not, macro, field; this one has \"all\" and \"field\"", R("{\"id\": \"r\", \"match\": {\"all\": [], `\"field\": \"uid\"}}") },
	{ "r", "operator \"eq\" needs a \"field\"", R("{\"id\": \"r\", \"match\": {`\"eq\": 1}}") },
	{ "r", "\"any\" takes an array of conditions", R("{\"id\": \"r\", \"match\": {\"any\": `{}}}") },
	{ "r", "an empty \"all\" is always true", R("{\"id\": \"r\", \"match\": {\"all\": `[]}}") },
	{ "r", "unknown key \"x\" in a \"not\" condition", R("{\"id\": \"r\", \"match\": {\"not\": {\"field\": \"uid\", \"eq\": 0}, `\"x\": 1}}") },
	{ "r", "unknown field \"pth\" (did you mean \"path\"?)", R("{\"id\": \"r\", \"match\": {\"field\": `\"pth\", \"eq\": \"/x\"}}") },
	{ "r", "\"field\" takes a field name", R("{\"id\": \"r\", \"match\": {\"field\": `1, \"eq\": 1}}") },
	{ "r", "field test on uid needs an operator (eq, ne, in, lt, le, gt, ge)", R("{\"id\": \"r\", \"match\": `{\"field\": \"uid\"}}") },
	{ "r", "a field test has exactly one operator; this one has \"eq\" and \"ne\"", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0, `\"ne\": 1}}") },
	{ "r", "unknown key \"prefx\" in a field test (did you mean \"prefix\"?)", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", `\"prefx\": \"/etc/\"}}") },
	{ "r", "operator prefix does not fit field uid", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", `\"prefix\": \"0\"}}") },
	{ "r", "operator lt does not fit field path", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", `\"lt\": 3}}") },
	{ "r", "operator bits_set does not fit field uid", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", `\"bits_set\": \"4000\"}}") },
	{ "r", "operator bits_added does not fit field comm", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", `\"bits_added\": \"4000\"}}") },
	{ "r", "bits_added compares new_mode with old_mode", R("{\"id\": \"r\", \"match\": {\"field\": \"mode\", `\"bits_added\": \"4000\"}}") },
	{ "r", "bits_set of no bits is always true", R("{\"id\": \"r\", \"match\": {\"field\": \"mode\", \"bits_set\": `\"0\"}}") },
	{ "r", "operator regex does not fit field op", R("{\"id\": \"r\", \"match\": {\"field\": \"op\", `\"regex\": \"x\"}}") },
	/* values */
	{ "r", "field uid takes a numeric id", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": `\"root\"}}") },
	{ "r", "field uid takes a numeric id", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": `4294967296}}") },
	{ "r", "field ino takes a non-negative integer", R("{\"id\": \"r\", \"match\": {\"field\": \"ino\", \"gt\": `-1}}") },
	{ "r", "field ino takes a non-negative integer", R("{\"id\": \"r\", \"match\": {\"field\": \"ino\", \"gt\": `1.5}}") },
	{ "r", "field new_mode takes a mode", R("{\"id\": \"r\", \"match\": {\"field\": \"new_mode\", \"eq\": `\"0899\"}}") },
	{ "r", "field op takes an operation name", R("{\"id\": \"r\", \"match\": {\"field\": \"op\", \"eq\": `\"write\"}}") },
	{ "r", "field op takes an operation name", R("{\"id\": \"r\", \"match\": {\"field\": \"op\", \"in\": [\"unlink\", `4]}}") },
	{ "r", "field comm takes a string", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"eq\": `1}}") },
	{ "r", "strings may not contain \\u0000", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"eq\": `\"a\\u0000b\"}}") },
	{ "r", "field path holds absolute paths", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"prefix\": `\"etc/\"}}") },
	{ "r", "\"in\" takes an array or \"@listname\"; found a string", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"in\": `\"vi\"}}") },
	{ "r", "\"in\" takes an array or \"@listname\"; found number", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"in\": `1}}") },
	{ "r", "undefined list \"@editor\" (did you mean \"@editors\"?)",
	  V "\"lists\": {\"editors\": [\"vi\"]}, \"rules\": [{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"in\": `\"@editor\"}}]}" },
	{ "r", "list \"ids\" element 2 (t.json:1:37): field uid takes a numeric id",
	  V "\"lists\": {\"ids\": [0, \"x\"]}, \"rules\": [{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"in\": `\"@ids\"}}]}" },
	{ "r", "invalid glob \"/etc/[ab\": unbalanced '['", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"glob\": `\"/etc/[ab\"}}") },
	{ "r", "invalid glob \"a\\\": trailing backslash at offset 1", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"glob\": `\"a\\\\\"}}") },
	{ "r", "invalid regex \"(ab\"", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"regex\": `\"(ab\"}}") },
	{ "r", "empty regex matches everything", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", \"regex\": `\"\"}}") },
	/* under, paths, lists of values, flags */
	{ "r", "operator under does not fit field comm", R("{\"id\": \"r\", \"match\": {\"field\": \"comm\", `\"under\": \"/x\"}}") },
	{ "r", "field path holds absolute paths", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"under\": `\"etc\"}}") },
	{ "r", "\"ne\" on paths would hold when either path differs", R("{\"id\": \"r\", \"match\": {\"field\": \"paths\", `\"ne\": \"/x\"}}") },
	{ "r", "unknown field \"pahts\" (did you mean \"paths\"?)", R("{\"id\": \"r\", \"match\": {\"field\": `\"pahts\", \"eq\": \"/x\"}}") },
	{ "r", "field path holds absolute paths", R("{\"id\": \"r\", \"match\": {\"field\": \"paths\", \"prefix\": [\"/a/\", `\"b/\"]}}") },
	{ "r", "an empty list of values for \"prefix\" never matches", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"prefix\": `[]}}") },
	{ "r", "list \"ds\" element 2 (t.json:1:39): field path holds absolute paths",
	  V "\"lists\": {\"ds\": [\"/a\", \"b\"]}, \"rules\": [{\"id\": \"r\", \"match\": {\"field\": \"path\", \"under\": `\"@ds\"}}]}" },
	{ "r", "undefined list \"@dz\"", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"glob\": `\"@dz\"}}") },
	{ "r", "invalid glob \"/[a\"", R("{\"id\": \"r\", \"match\": {\"field\": \"path\", \"glob\": [\"/x\", `\"/[a\"]}}") },
	{ "r", "unknown open_flags name; found string \"O_TRUNK\" (did you mean \"O_TRUNC\"?)", R("{\"id\": \"r\", \"match\": {\"field\": \"open_flags\", \"bits_set\": `\"O_TRUNK\"}}") },
	{ "r", "unknown rename_flags name", R("{\"id\": \"r\", \"match\": {\"field\": \"rename_flags\", \"bits_set\": [\"exchange\", `\"swap\"]}}") },
	{ "r", "operator bits_set does not fit field old_size", R("{\"id\": \"r\", \"match\": {\"field\": \"old_size\", `\"bits_set\": 1}}") },
	{ "r", "bits_added takes the bits as an octal string such as \"4000\" (a JSON number is decimal: 4000 is 07640)", R("{\"id\": \"r\", \"match\": {\"field\": \"new_mode\", \"bits_added\": `4000}}") },
	{ "r", "bits_set takes the bits as an octal string", R("{\"id\": \"r\", \"match\": {\"field\": \"mode\", \"bits_set\": `2048}}") },
	{ "r", "bits_any of no bits is always false", R("{\"id\": \"r\", \"match\": {\"field\": \"mode\", \"bits_any\": `\"0\"}}") },
	{ "r", "operator bits_added does not fit field open_flags", R("{\"id\": \"r\", \"match\": {\"field\": \"open_flags\", `\"bits_added\": \"O_TRUNC\"}}") },
	/* other languages' names */
	{ "r", "unknown key \"exceptions\" in a rule (did you mean \"except\"?)", R("{\"id\": \"r\", \"match\": {\"field\": \"uid\", \"eq\": 0}, `\"exceptions\": []}") },
	{ "r", "unknown key \"priority\" in a rule (did you mean \"severity\"?)", R("{\"id\": \"r\", `\"priority\": \"crit\", \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "unknown key \"condition\" in a rule (did you mean \"match\"?)", R("{\"id\": \"r\", `\"condition\": {}, \"match\": {\"field\": \"uid\", \"eq\": 0}}") },
	{ "r", "unknown field \"fd.name\" (did you mean \"path\"?)", R("{\"id\": \"r\", \"match\": {\"field\": `\"fd.name\", \"eq\": \"/x\"}}") },
	{ "r", "unknown field \"proc.name\" (did you mean \"comm\"?)", R("{\"id\": \"r\", \"match\": {\"field\": `\"proc.name\", \"eq\": \"x\"}}") },
	/* macros */
	{ "r", "undefined macro \"pkg\" (did you mean \"pkgs\"?)",
	  V "\"macros\": {\"pkgs\": {\"field\": \"comm\", \"eq\": \"dpkg\"}}, \"rules\": [{\"id\": \"r\", \"match\": {\"macro\": `\"pkg\"}}]}" },
	{ NULL, "macro \"a\": unknown field \"pth\"",
	  V "\"macros\": {\"a\": {\"field\": `\"pth\", \"eq\": \"/x\"}}}" },
	{ NULL, "macro \"b\": cyclic macro reference: a -> b -> a",
	  V "\"macros\": {\"a\": {\"not\": {\"macro\": \"b\"}}, \"b\": {\"any\": [{\"macro\": `\"a\"}]}}}" },
	{ NULL, "macro \"a\": cyclic macro reference: a -> a",
	  V "\"macros\": {\"a\": {\"macro\": `\"a\"}}}" },
};

static void pos_of(const char *s, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = s; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else if ((*p & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

START_TEST(test_error_positions)
{
	const struct err_case *c = &err_cases[_i];
	char *text = strdup(c->policy), *mark = strchr(text, '`');
	struct policy_diags d = { 0 };
	struct policy *p = (struct policy *)1;
	char want[512], *got;
	int line, col, rc;

	ck_assert_msg(mark, "case %d has no position marker", _i);
	pos_of(text, mark, &line, &col);
	memmove(mark, mark + 1, strlen(mark));
	rc = policy_load_buffer("t.json", text, strlen(text), &p, &d);
	got = diag_text(&d);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(p);
	snprintf(want, sizeof(want), "t.json:%d:%d: %s%s%s", line, col,
		 c->rule ? "rule " : "", c->rule ? c->rule : "",
		 c->rule ? ": " : "");
	bool found = false;

	for (char *l = got; l && *l && !found; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t ll = strcspn(l, "\n");
		char *m = strstr(l, c->msg);

		found = !strncmp(l, want, strlen(want)) && m && m < l + ll &&
			(c->rule || !strstr(l, ": rule "));
	}
	ck_assert_msg(found, "case %d: want\n  %s...%s\ngot\n%s", _i, want, c->msg, got);
	free(got);
	free(text);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_all_errors_at_once)
{
	/* Three independent mistakes in three rules, a fourth in a macro:
	 * all reported, sorted by position, and no policy. */
	const char *text =
		"{\"version\": 1,\n"
		" \"macros\": {\"m\": {\"field\": \"uid\", \"eq\": \"x\"}},\n"
		" \"rules\": [\n"
		"  {\"id\": \"a\", \"match\": {\"field\": \"nope\", \"eq\": 1}},\n"
		"  {\"id\": \"b\", \"match\": {\"field\": \"uid\", \"eq\": 0}},\n"
		"  {\"id\": \"c\", \"severity\": \"loud\", \"match\": {\"field\": \"path\", \"regex\": \"[\"}}\n"
		" ]}\n";
	struct policy_diags d = { 0 };
	struct policy *p;
	char *got;

	ck_assert_int_eq(policy_load_buffer("all.json", text, strlen(text), &p, &d), -EINVAL);
	ck_assert_ptr_null(p);
	got = diag_text(&d);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_msg(strstr(got,
		"all.json:2:41: macro \"m\": field uid takes a numeric id (0..4294967295); names are not resolved; found string \"x\"\n"
		"all.json:4:34: rule a: unknown field \"nope\" (did you mean \"op\"?)\n"
		"all.json:6:27: rule c: \"severity\" is one of emerg, alert, crit, err, warning, notice, info, debug\n"
		"all.json:6:71: rule c: invalid regex \"[\""), "got:\n%s", got);
	free(got);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_utf8_columns)
{
	/* Columns count characters: "é" is one column, two bytes. */
	const char *text = "{\"version\": 1, \"rules\": [{\"id\": \"r\", \"description\": \"é\", \"match\": {\"field\": \"pat\", \"eq\": 1}}]}";
	struct policy_diags d = { 0 };
	struct policy *p;

	ck_assert_int_eq(policy_load_buffer("u.json", text, strlen(text), &p, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.v[0].line, 1);
	ck_assert_int_eq(d.v[0].column, 77);	/* bytes would say 78 */
	ck_assert_str_eq(d.v[0].rule, "r");
	policy_diags_free(&d);
}
END_TEST

/* ------------------------------------------------------------ semantics */

struct sem_case {
	const char *cond;
	const char *event;	/* monitor --json line */
	bool want;
};

#define CHMOD_SUID "{\"op\":\"chmod\",\"path\":\"/usr/bin/x\",\"old_mode\":\"100755\",\"new_mode\":\"104755\",\"uid\":1000,\"comm\":\"chmod\"}"
#define WRITE_SHADOW "{\"op\":\"open_write\",\"path\":\"/etc/shadow\",\"uid\":0,\"comm\":\"vipw\",\"tgid\":7}"
#define OPEN_TRUNC "{\"op\":\"open_write\",\"path\":\"/etc/shadow\",\"open_flags\":513,\"uid\":0}"
#define RENAME_XCHG "{\"op\":\"rename\",\"path\":\"/tmp/a\",\"path2\":\"/tmp/b\",\"rename_flags\":2,\"flags\":16,\"uid\":0}"
#define RENAME_ETC "{\"op\":\"rename\",\"path\":\"/tmp/x\",\"path2\":\"/etc/passwd\",\"uid\":0,\"comm\":\"mv\"}"

static const struct sem_case sem_cases[] = {
	{ "{\"field\":\"op\",\"eq\":\"open_write\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"op\",\"eq\":\"unlink\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"op\",\"ne\":\"unlink\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"op\",\"in\":[\"unlink\",\"open_write\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"op\",\"in\":[\"unlink\",\"rename\"]}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"eq\":\"/etc/shadow\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"eq\":\"/etc/shado\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"ne\":\"/etc/shadow\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"prefix\":\"/etc/\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"prefix\":\"/etc/s\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"prefix\":\"/usr/\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"glob\":\"/etc/*\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"glob\":\"/*\"}", WRITE_SHADOW, false },	/* * stops at / */
	{ "{\"field\":\"path\",\"glob\":\"/etc/[rs]hadow\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"regex\":\"^/etc/(shadow|gshadow)$\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"regex\":\"shadow-$\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"name\",\"eq\":\"shadow\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"dir\",\"eq\":\"/etc\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"comm\",\"in\":[\"vipw\",\"vi\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"uid\",\"eq\":0}", WRITE_SHADOW, true },
	{ "{\"field\":\"uid\",\"lt\":1}", WRITE_SHADOW, true },
	{ "{\"field\":\"uid\",\"gt\":0}", WRITE_SHADOW, false },
	{ "{\"field\":\"tgid\",\"ge\":7}", WRITE_SHADOW, true },
	{ "{\"field\":\"tgid\",\"le\":6}", WRITE_SHADOW, false },
	{ "{\"field\":\"uid\",\"in\":[1,2,0]}", WRITE_SHADOW, true },
	/* a missing field: every test false, not(test) true */
	{ "{\"field\":\"path2\",\"eq\":\"/x\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path2\",\"ne\":\"/x\"}", WRITE_SHADOW, false },
	{ "{\"not\":{\"field\":\"path2\",\"ne\":\"/x\"}}", WRITE_SHADOW, true },
	{ "{\"field\":\"euid\",\"ne\":5}", WRITE_SHADOW, false },
	{ "{\"field\":\"exe\",\"prefix\":\"/\"}", WRITE_SHADOW, false },
	/* combinators */
	{ "{\"all\":[{\"field\":\"uid\",\"eq\":0},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}", WRITE_SHADOW, true },
	{ "{\"all\":[{\"field\":\"uid\",\"eq\":0},{\"field\":\"path\",\"prefix\":\"/usr/\"}]}", WRITE_SHADOW, false },
	{ "{\"any\":[{\"field\":\"uid\",\"eq\":1},{\"field\":\"path\",\"prefix\":\"/usr/\"}]}", WRITE_SHADOW, false },
	{ "{\"any\":[{\"field\":\"uid\",\"eq\":1},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}", WRITE_SHADOW, true },
	{ "{\"not\":{\"field\":\"uid\",\"eq\":0}}", WRITE_SHADOW, false },
	{ "{\"not\":{\"not\":{\"field\":\"uid\",\"eq\":0}}}", WRITE_SHADOW, true },
	/* modes */
	{ "{\"field\":\"new_mode\",\"bits_added\":\"4000\"}", CHMOD_SUID, true },
	{ "{\"field\":\"new_mode\",\"bits_added\":\"0755\"}", CHMOD_SUID, false },	/* all already set */
	{ "{\"field\":\"new_mode\",\"bits_added\":\"6000\"}", CHMOD_SUID, false },	/* setgid not set */
	{ "{\"field\":\"new_mode\",\"bits_set\":\"4000\"}", CHMOD_SUID, true },
	{ "{\"field\":\"old_mode\",\"bits_set\":\"4000\"}", CHMOD_SUID, false },
	{ "{\"field\":\"new_mode\",\"eq\":\"4755\"}", CHMOD_SUID, true },	/* permissions only */
	{ "{\"field\":\"new_mode\",\"eq\":\"104755\"}", CHMOD_SUID, true },	/* with the type */
	{ "{\"field\":\"new_mode\",\"eq\":\"044755\"}", CHMOD_SUID, false },	/* other type */
	{ "{\"field\":\"new_mode\",\"eq\":2541}", CHMOD_SUID, true },	/* a number is taken as is: 2541 = 04755 */
	{ "{\"field\":\"new_mode\",\"in\":[\"0644\",\"4755\"]}", CHMOD_SUID, true },
	{ "{\"field\":\"new_mode\",\"ne\":\"4755\"}", CHMOD_SUID, false },
	{ "{\"field\":\"new_mode\",\"bits_added\":\"4000\"}", WRITE_SHADOW, false },	/* no modes */
	/* two paths */
	{ "{\"field\":\"path2\",\"prefix\":\"/etc/\"}", RENAME_ETC, true },
	{ "{\"field\":\"path\",\"prefix\":\"/etc/\"}", RENAME_ETC, false },
	/* paths: either of them */
	{ "{\"field\":\"paths\",\"prefix\":\"/etc/\"}", RENAME_ETC, true },
	{ "{\"field\":\"paths\",\"eq\":\"/tmp/x\"}", RENAME_ETC, true },
	{ "{\"field\":\"paths\",\"in\":[\"/etc/shadow\",\"/etc/passwd\"]}", RENAME_ETC, true },
	{ "{\"field\":\"paths\",\"prefix\":\"/usr/\"}", RENAME_ETC, false },
	{ "{\"not\":{\"field\":\"paths\",\"prefix\":\"/usr/\"}}", RENAME_ETC, true },
	{ "{\"not\":{\"field\":\"paths\",\"prefix\":\"/etc/\"}}", RENAME_ETC, false },
	{ "{\"field\":\"paths\",\"eq\":\"/etc/shadow\"}", WRITE_SHADOW, true },
	/* under: the directory itself or below, not a sibling sharing its name */
	{ "{\"field\":\"path\",\"under\":\"/etc\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"under\":\"/etc/shadow\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"under\":\"/etc/shadow/\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"under\":\"/etc/shado\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"under\":\"/etc/shadow/x\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"under\":\"/\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"dir\",\"under\":\"/etc\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"dir\",\"under\":\"/etc/shadow\"}", WRITE_SHADOW, false },
	{ "{\"field\":\"paths\",\"under\":\"/etc/passwd\"}", RENAME_ETC, true },
	/* lists of values: any of them */
	{ "{\"field\":\"path\",\"prefix\":[\"/usr/\",\"/etc/\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"prefix\":[\"/usr/\",\"/var/\"]}", WRITE_SHADOW, false },
	{ "{\"field\":\"path\",\"glob\":[\"/usr/*\",\"/etc/sh*\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"regex\":[\"^/usr\",\"dow$\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"path\",\"under\":[\"/usr\",\"/etc/shadow\"]}", WRITE_SHADOW, true },
	{ "{\"field\":\"comm\",\"prefix\":\"@editors\"}", WRITE_SHADOW, true },
	{ "{\"field\":\"comm\",\"prefix\":[\"@editors\"]}", WRITE_SHADOW, false },	/* literal in an array */
	{ "{\"field\":\"paths\",\"prefix\":[\"/usr/\",\"/etc/p\"]}", RENAME_ETC, true },
	/* flags by name */
	{ "{\"field\":\"open_flags\",\"bits_set\":\"O_TRUNC\"}", OPEN_TRUNC, true },
	{ "{\"field\":\"open_flags\",\"bits_set\":[\"O_TRUNC\",\"O_WRONLY\"]}", OPEN_TRUNC, true },
	{ "{\"field\":\"open_flags\",\"bits_set\":[\"O_TRUNC\",\"O_APPEND\"]}", OPEN_TRUNC, false },
	{ "{\"field\":\"open_flags\",\"bits_any\":[\"O_APPEND\",\"O_TRUNC\"]}", OPEN_TRUNC, true },
	{ "{\"field\":\"open_flags\",\"bits_set\":\"O_APPEND\"}", OPEN_TRUNC, false },
	{ "{\"field\":\"open_flags\",\"bits_set\":512}", OPEN_TRUNC, true },	/* numbers as is */
	{ "{\"field\":\"rename_flags\",\"bits_set\":\"exchange\"}", RENAME_XCHG, true },
	{ "{\"field\":\"rename_flags\",\"bits_set\":\"RENAME_NOREPLACE\"}", RENAME_XCHG, false },
	{ "{\"field\":\"flags\",\"bits_set\":\"replaces\"}", RENAME_XCHG, true },
	{ "{\"field\":\"flags\",\"bits_set\":\"PREMOD_F_REPLACES\"}", RENAME_XCHG, true },
	{ "{\"field\":\"flags\",\"bits_set\":\"replaces\"}", RENAME_ETC, false },
	{ "{\"field\":\"new_mode\",\"bits_any\":\"6000\"}", CHMOD_SUID, true },
	{ "{\"field\":\"old_mode\",\"bits_any\":\"6000\"}", CHMOD_SUID, false },
};

static struct policy *load_one(const char *match, const char *extra)
{
	char text[4096];
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	char *got;

	snprintf(text, sizeof(text),
		 "{\"version\":1,\"lists\":{\"editors\":[\"vi\",\"vipw\"]},"
		 "\"rules\":[{\"id\":\"r\",\"match\":%s%s}]}", match, extra);
	policy_load_buffer("s.json", text, strlen(text), &p, &d);
	got = diag_text(&d);
	ck_assert_msg(p, "%s: %s", match, got);
	free(got);
	policy_diags_free(&d);
	return p;
}

struct ev_buf {
	struct pm_event ev;
	char store[1024], dir[512];
};

static void make_event(struct ev_buf *b, const char *line)
{
	char err[160];

	ck_assert_msg(!pm_event_from_json_line(line, strlen(line), &b->ev, b->store,
					       sizeof(b->store), err, sizeof(err)),
		      "%s: %s", line, err);
	pm_event_derive(&b->ev, b->dir, sizeof(b->dir));
}

START_TEST(test_semantics)
{
	const struct sem_case *c = &sem_cases[_i];
	struct policy *p = load_one(c->cond, "");
	const struct policy_rule *out[2];
	struct ev_buf b;

	make_event(&b, c->event);
	ck_assert_msg((policy_match_naive(p, &b.ev, out, 2) == 1) == c->want,
		      "case %d naive: %s on %s", _i, c->cond, c->event);
	ck_assert_msg((policy_match(p, &b.ev, out, 2) == 1) == c->want,
		      "case %d indexed: %s on %s", _i, c->cond, c->event);
	policy_free(p);
}
END_TEST

START_TEST(test_except_and_lists)
{
	struct policy *p = load_one("{\"field\":\"path\",\"prefix\":\"/etc/\"}",
				    ",\"except\":[{\"field\":\"comm\",\"in\":\"@editors\"},{\"field\":\"uid\",\"eq\":5}]");
	const struct policy_rule *out[1];
	struct ev_buf b;

	make_event(&b, WRITE_SHADOW);	/* comm vipw: in @editors */
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 1), 0);
	make_event(&b, "{\"op\":\"unlink\",\"path\":\"/etc/x\",\"comm\":\"rm\",\"uid\":4}");
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 1), 1);
	make_event(&b, "{\"op\":\"unlink\",\"path\":\"/etc/x\",\"comm\":\"rm\",\"uid\":5}");
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 1), 0);
	policy_free(p);
}
END_TEST

START_TEST(test_disabled_and_attributes)
{
	const char *text =
		"{\"version\":1,\"rules\":["
		"{\"id\":\"on\",\"description\":\"d\",\"severity\":\"crit\",\"tags\":[\"a\",\"b\"],"
		" \"outputs\":[\"syslog\",\"alerts\"],\"rate_limit\":{\"max\":3,\"interval\":\"2m\",\"key\":\"rule+tgid\"},"
		" \"match\":{\"field\":\"uid\",\"eq\":0}},"
		"{\"id\":\"off\",\"enabled\":false,\"match\":{\"field\":\"uid\",\"eq\":0}}]}";
	struct policy_diags d = { 0 };
	const struct policy_rule *out[4], *r;
	const struct policy_rate_limit *rl;
	struct policy *p;
	struct ev_buf b;

	ck_assert_int_eq(policy_load_buffer("a.json", text, strlen(text), &p, &d), 0);
	ck_assert_uint_eq(policy_rule_count(p), 2);
	r = policy_rule_at(p, 0);
	ck_assert_str_eq(policy_rule_id(r), "on");
	ck_assert_str_eq(policy_rule_description(r), "d");
	ck_assert_int_eq(policy_rule_severity(r), LOG_CRIT);
	ck_assert_uint_eq(policy_rule_tag_count(r), 2);
	ck_assert_str_eq(policy_rule_tag(r, 1), "b");
	ck_assert_uint_eq(policy_rule_outputs(r), POLICY_OUT_SYSLOG | POLICY_OUT_ALERTS);
	rl = policy_rule_rate_limit(r);
	ck_assert_ptr_nonnull(rl);
	ck_assert_uint_eq(rl->max, 3);
	ck_assert_uint_eq(rl->interval_ns, 120000000000ULL);
	ck_assert_int_eq(rl->key, POLICY_RL_RULE_TGID);
	ck_assert(policy_rule_enabled(r));
	r = policy_rule_at(p, 1);
	ck_assert(!policy_rule_enabled(r));
	ck_assert_int_eq(policy_rule_severity(r), LOG_WARNING);	/* default */
	ck_assert_uint_eq(policy_rule_outputs(r), POLICY_OUT_ALL);
	ck_assert_ptr_null(policy_rule_rate_limit(r));
	make_event(&b, WRITE_SHADOW);
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 4), 1);
	ck_assert_str_eq(policy_rule_id(out[0]), "on");
	ck_assert_uint_eq(policy_match_naive(p, &b.ev, out, 4), 1);
	ck_assert(policy_uses_field(p, PM_F_UID));
	ck_assert(policy_uses_field(p, PM_F_COMM));	/* default message */
	ck_assert(!policy_uses_field(p, PM_F_EXE));
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_match_order_and_max)
{
	const char *text =
		"{\"version\":1,\"rules\":["
		"{\"id\":\"r0\",\"match\":{\"field\":\"path\",\"prefix\":\"/etc/sh\"}},"
		"{\"id\":\"r1\",\"match\":{\"field\":\"uid\",\"eq\":0}},"
		"{\"id\":\"r2\",\"match\":{\"field\":\"path\",\"prefix\":\"/etc/\"}},"
		"{\"id\":\"r3\",\"match\":{\"field\":\"op\",\"eq\":\"open_write\"}}]}";
	struct policy_diags d = { 0 };
	const struct policy_rule *out[4];
	struct policy *p;
	struct ev_buf b;

	ck_assert_int_eq(policy_load_buffer("o.json", text, strlen(text), &p, &d), 0);
	make_event(&b, WRITE_SHADOW);
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 4), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(policy_rule_index(out[i]), (size_t)i);
	/* max 2: the count is still 4, the first two in policy order kept */
	ck_assert_uint_eq(policy_match(p, &b.ev, out, 2), 4);
	ck_assert_str_eq(policy_rule_id(out[0]), "r0");
	ck_assert_str_eq(policy_rule_id(out[1]), "r1");
	ck_assert_uint_eq(policy_match(p, &b.ev, NULL, 0), 4);
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

/* --------------------------------------------------------------- render */

struct render_case {
	const char *tmpl;
	const char *event;
	const char *want;
};

static const struct render_case render_cases[] = {
	{ "{comm}[{tgid}] uid={uid} changed mode of {path} from {old_mode} to {new_mode}",
	  "{\"op\":\"chmod\",\"path\":\"/usr/bin/x\",\"old_mode\":\"100755\",\"new_mode\":\"104755\",\"uid\":1000,\"comm\":\"chmod\",\"tgid\":9}",
	  "chmod[9] uid=1000 changed mode of /usr/bin/x from 0755 to 4755" },
	{ "{op} {path} -> {path2}", RENAME_ETC, "rename /tmp/x -> /etc/passwd" },
	{ "{{literal}} {{{name}}}", WRITE_SHADOW, "{literal} {shadow}" },
	{ "exe={exe} dir={dir}", WRITE_SHADOW, "exe=? dir=/etc" },
	{ "plain", WRITE_SHADOW, "plain" },
};

START_TEST(test_render)
{
	const struct render_case *c = &render_cases[_i];
	char extra[512], buf[256];
	struct policy *p;
	struct ev_buf b;
	size_t n;

	snprintf(extra, sizeof(extra), ",\"message\":\"%s\"", c->tmpl);
	p = load_one("{\"field\":\"uid\",\"ge\":0}", extra);
	make_event(&b, c->event);
	n = policy_rule_render(policy_rule_at(p, 0), &b.ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, c->want);
	ck_assert_uint_eq(n, strlen(c->want));
	policy_free(p);
}
END_TEST

START_TEST(test_render_truncates)
{
	struct policy *p = load_one("{\"field\":\"uid\",\"ge\":0}",
				    ",\"message\":\"{path} was written\"");
	char buf[8];
	struct ev_buf b;

	make_event(&b, WRITE_SHADOW);
	ck_assert_uint_eq(policy_rule_render(policy_rule_at(p, 0), &b.ev, buf, sizeof(buf)),
			  strlen("/etc/shadow was written"));
	ck_assert_str_eq(buf, "/etc/sh");
	ck_assert_uint_eq(policy_rule_render(policy_rule_at(p, 0), &b.ev, buf, 0), 23);
	policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- files */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_dir_files)
{
	char dir[] = "/tmp/check_policy.XXXXXX", sub[600];
	struct policy_diags d = { 0 };
	struct policy *p;
	char *got;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* 20-rules.json uses a list and a macro of 10-defs.json and vice
	 * versa: sharing is across files, whatever the order. */
	write_file(dir, "10-defs.json",
		   "{\"version\": 1,\n"
		   " \"lists\": {\"pm\": [\"dpkg\", \"apt\"]},\n"
		   " \"rules\": [{\"id\": \"first\", \"match\": {\"macro\": \"late\"}}]}\n");
	write_file(dir, "20-rules.json",
		   "{\"version\": 1,\n"
		   " \"macros\": {\"late\": {\"field\": \"comm\", \"in\": \"@pm\"}},\n"
		   " \"rules\": [{\"id\": \"second\", \"match\": {\"field\": \"uid\", \"eq\": 0}}]}\n");
	write_file(dir, "README", "not a policy");
	write_file(dir, ".hidden.json", "not even JSON");
	ck_assert_int_eq(policy_load(dir, &p, &d), 0);
	ck_assert_uint_eq(policy_rule_count(p), 2);
	ck_assert_str_eq(policy_rule_id(policy_rule_at(p, 0)), "first");
	ck_assert_str_eq(policy_rule_id(policy_rule_at(p, 1)), "second");
	policy_free(p);
	policy_diags_free(&d);	/* warnings: these rules are unbounded */

	/* duplicates across files, each error in its own file */
	write_file(dir, "30-dup.json",
		   "{\"version\": 1,\n"
		   " \"lists\": {\"pm\": []},\n"
		   " \"rules\": [\n"
		   "   {\"id\": \"second\", \"match\": {\"field\": \"uid\", \"eq\": 1}}]}\n");
	ck_assert_int_eq(policy_load(dir, &p, &d), -EINVAL);
	ck_assert_ptr_null(p);
	got = diag_text(&d);
	snprintf(sub, sizeof(sub),
		 "%s/30-dup.json:2:12: list \"pm\" is already defined at %s/10-defs.json:2:12\n"
		 "%s/30-dup.json:4:4: rule second: duplicate rule id (first defined at %s/20-rules.json:3:12)\n",
		 dir, dir, dir, dir);
	ck_assert_str_eq(got, sub);
	free(got);
	policy_diags_free(&d);

	/* a syntax error in one file still reports the others' errors */
	write_file(dir, "30-dup.json", "{\"version\": 1,,}");
	write_file(dir, "40-bad.json",
		   "{\"version\": 1, \"rules\": [{\"id\": \"x\", \"match\": {\"field\": \"bogus\", \"eq\": 1}}]}");
	ck_assert_int_eq(policy_load(dir, &p, &d), -EINVAL);
	got = diag_text(&d);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_msg(strstr(got, "30-dup.json:1:15: expected a string key"), "%s", got);
	ck_assert_msg(strstr(got, "40-bad.json:1:57: rule x: unknown field \"bogus\""), "%s", got);
	free(got);
	policy_diags_free(&d);

	/* a single file works too */
	snprintf(sub, sizeof(sub), "%s/20-rules.json", dir);
	ck_assert_int_eq(policy_load(sub, &p, &d), -EINVAL);	/* @pm undefined alone */
	got = diag_text(&d);
	ck_assert_msg(strstr(got, "20-rules.json:2:45: macro \"late\": undefined list \"@pm\""), "%s", got);
	free(got);
	policy_diags_free(&d);

	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(sub), 0);
	ck_assert_int_eq(policy_load(dir, &p, &d), -ENOENT);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.v[0].line, 0);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_empty_dir)
{
	char dir[] = "/tmp/check_policy_empty.XXXXXX";
	struct policy_diags d = { 0 };
	struct policy *p;
	char *got;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(policy_load(dir, &p, &d), -ENOENT);
	got = diag_text(&d);
	ck_assert_msg(strstr(got, "no *.json policy files"), "%s", got);
	free(got);
	rmdir(dir);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_severity_names)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
	};

	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(policy_severity_lookup(names[i]), i);
		ck_assert_str_eq(policy_severity_name(i), names[i]);
	}
	ck_assert_int_eq(policy_severity_lookup("error"), LOG_ERR);
	ck_assert_int_eq(policy_severity_lookup("loud"), -1);
	ck_assert_ptr_null(policy_severity_name(8));
	ck_assert_str_eq(policy_output_name(POLICY_OUT_JOURNALD), "journald");
	ck_assert_ptr_null(policy_output_name(POLICY_OUT_ALL));
}
END_TEST

START_TEST(test_examples_load)
{
	struct policy_diags d = { 0 };
	struct policy *p;
	char *got;
	int rc = policy_load("policy/examples", &p, &d);

	got = diag_text(&d);
	ck_assert_msg(rc == 0, "policy/examples: %s", got);
	ck_assert_uint_ge(policy_rule_count(p), 10);
	free(got);
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

/* Each example rule fires on the event it is about, and its exceptions
 * hold: the unit-level twin of the VM tests that prove them on a kernel. */
struct example_case {
	const char *event;
	const char *want;	/* space-separated rule ids, in policy order */
};

static const struct example_case example_cases[] = {
	{ "{\"op\":\"open_write\",\"path\":\"/etc/shadow\",\"comm\":\"bash\",\"uid\":0,\"exe\":\"/usr/bin/bash\"}", "cred-files-write" },
	{ "{\"op\":\"rename\",\"path\":\"/etc/nshadow\",\"path2\":\"/etc/shadow\",\"comm\":\"vipw\",\"uid\":0}", "cred-files-write" },
	{ "{\"op\":\"open_write\",\"path\":\"/etc/passwd\",\"comm\":\"dpkg\",\"uid\":0,\"exe\":\"/usr/bin/dpkg\"}", "" },
	{ "{\"op\":\"setattr\",\"path\":\"/etc/passwd\",\"comm\":\"touch\",\"uid\":0}", "" },
	{ "{\"op\":\"create\",\"path\":\"/etc/sudoers.d/99-evil\",\"comm\":\"tee\",\"uid\":0}", "sudoers-change" },
	{ "{\"op\":\"open_write\",\"path\":\"/etc/pam.d/common-auth\",\"comm\":\"vi\",\"uid\":0}", "pam-config-change" },
	{ "{\"op\":\"create\",\"path\":\"/etc/ld.so.preload\",\"comm\":\"sh\",\"uid\":0,\"exe\":\"/usr/bin/dpkg\"}", "ld-so-preload" },
	{ "{\"op\":\"open_write\",\"path\":\"/etc/ssh/sshd_config\",\"comm\":\"sed\",\"uid\":0}", "sshd-config-change" },
	{ "{\"op\":\"open_write\",\"path\":\"/home/alice/.ssh/authorized_keys\",\"comm\":\"bash\",\"uid\":1000}", "ssh-authorized-keys" },
	{ "{\"op\":\"rename\",\"path\":\"/root/.ssh/tmp\",\"path2\":\"/root/.ssh/authorized_keys2\",\"comm\":\"mv\",\"uid\":0}", "ssh-authorized-keys" },
	{ "{\"op\":\"open_write\",\"path\":\"/home/alice/.ssh/known_hosts\",\"comm\":\"ssh\",\"uid\":1000}", "" },
	{ "{\"op\":\"create\",\"path\":\"/etc/cron.d/job\",\"comm\":\"cp\",\"uid\":0}", "cron-change" },
	{ "{\"op\":\"open_write\",\"path\":\"/var/spool/cron/crontabs/bob\",\"comm\":\"crontab\",\"uid\":0}", "cron-change" },
	{ "{\"op\":\"open_write\",\"path\":\"/usr/bin/ls\",\"comm\":\"cp\",\"uid\":0}", "system-binary-write" },
	{ "{\"op\":\"rename\",\"path\":\"/usr/bin/ls.dpkg-new\",\"path2\":\"/usr/bin/ls\",\"comm\":\"dpkg\",\"uid\":0,\"exe\":\"/usr/bin/dpkg\"}", "" },
	{ "{\"op\":\"chmod\",\"path\":\"/usr/bin/find\",\"old_mode\":\"100755\",\"new_mode\":\"104755\",\"comm\":\"chmod\",\"uid\":0}", "system-binary-setuid" },
	{ "{\"op\":\"chmod\",\"path\":\"/usr/bin/find\",\"old_mode\":\"104755\",\"new_mode\":\"104711\",\"comm\":\"chmod\",\"uid\":0}", "" },
	{ "{\"op\":\"chmod\",\"path\":\"/tmp/sh\",\"old_mode\":\"100755\",\"new_mode\":\"102755\",\"comm\":\"chmod\",\"uid\":1000}", "tmp-setuid" },
	{ "{\"op\":\"unlink\",\"path\":\"/var/log/auth.log\",\"comm\":\"rm\",\"uid\":0,\"exe\":\"/usr/bin/rm\"}", "log-deletion" },
	{ "{\"op\":\"truncate\",\"path\":\"/var/log/wtmp\",\"comm\":\"sh\",\"uid\":0}", "log-deletion" },
	{ "{\"op\":\"rename\",\"path\":\"/var/log/syslog\",\"path2\":\"/var/log/syslog.1\",\"comm\":\"logrotate\",\"uid\":0,\"exe\":\"/usr/sbin/logrotate\"}", "" },
	{ "{\"op\":\"open_write\",\"path\":\"/var/log/syslog\",\"comm\":\"rsyslogd\",\"uid\":0}", "" },
	/* the watched directory itself, not only what is below it */
	{ "{\"op\":\"chmod\",\"path\":\"/etc/sudoers.d\",\"old_mode\":\"040750\",\"new_mode\":\"040777\",\"comm\":\"chmod\",\"uid\":0}", "sudoers-change" },
	{ "{\"op\":\"rename\",\"path\":\"/etc/sudoers.d\",\"path2\":\"/tmp/x\",\"comm\":\"mv\",\"uid\":0}", "sudoers-change" },
	{ "{\"op\":\"mkdir\",\"path\":\"/etc/sudoers.d\",\"mode\":\"040750\",\"comm\":\"mkdir\",\"uid\":0}", "sudoers-change" },
	{ "{\"op\":\"create\",\"path\":\"/etc/sudoers.dx\",\"comm\":\"tee\",\"uid\":0}", "" },
	{ "{\"op\":\"rename\",\"path\":\"/var/log\",\"path2\":\"/var/log.old\",\"comm\":\"mv\",\"uid\":0}", "log-deletion" },
	{ "{\"op\":\"rename\",\"path\":\"/tmp/x\",\"path2\":\"/etc/pam.d/su\",\"comm\":\"mv\",\"uid\":0}", "pam-config-change" },
	{ "{\"op\":\"rename\",\"path\":\"/usr/sbin\",\"path2\":\"/tmp/x\",\"comm\":\"mv\",\"uid\":0}", "system-binary-write" },
	/* a file created setuid or setgid, not only one chmod-ed to it */
	{ "{\"op\":\"create\",\"path\":\"/tmp/sh\",\"mode\":\"104755\",\"comm\":\"cp\",\"uid\":1000}", "tmp-setuid" },
	{ "{\"op\":\"create\",\"path\":\"/dev/shm/x\",\"mode\":\"102755\",\"comm\":\"cp\",\"uid\":1000}", "tmp-setuid" },
	{ "{\"op\":\"create\",\"path\":\"/tmp/y\",\"mode\":\"100755\",\"comm\":\"cp\",\"uid\":1000}", "" },
	{ "{\"op\":\"create\",\"path\":\"/usr/bin/sh2\",\"mode\":\"104755\",\"comm\":\"cp\",\"uid\":0}", "system-binary-write system-binary-setuid" },
};

static struct policy *examples;

static void load_examples(void)
{
	struct policy_diags d = { 0 };

	ck_assert_int_eq(policy_load("policy/examples", &examples, &d), 0);
	policy_diags_free(&d);
}

static void free_examples(void)
{
	policy_free(examples);
}

START_TEST(test_examples_fire)
{
	const struct example_case *c = &example_cases[_i];
	const struct policy_rule *out[8];
	char got[256] = "";
	struct ev_buf b;
	size_t n;

	make_event(&b, c->event);
	n = policy_match(examples, &b.ev, out, 8);
	ck_assert_uint_eq(n, policy_match_naive(examples, &b.ev, out, 8));
	for (size_t i = 0; i < n && i < 8; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 policy_rule_id(out[i]));
	ck_assert_msg(!strcmp(got, c->want), "case %d: %s\n  got \"%s\", want \"%s\"",
		      _i, c->event, got, c->want);
}
END_TEST

START_TEST(test_examples_every_rule_covered)
{
	/* every rule of the example has a firing case above */
	for (size_t i = 0; i < policy_rule_count(examples); i++) {
		const char *id = policy_rule_id(policy_rule_at(examples, i));
		bool found = false;

		for (size_t k = 0; k < sizeof(example_cases) / sizeof(example_cases[0]); k++)
			found |= !strcmp(example_cases[k].want, id);
		ck_assert_msg(found, "example rule %s has no case", id);
	}
	ck_assert(policy_uses_field(examples, PM_F_EXE));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *t = tcase_create("errors");

	tcase_add_loop_test(t, test_error_positions, 0,
			    sizeof(err_cases) / sizeof(err_cases[0]));
	tcase_add_test(t, test_all_errors_at_once);
	tcase_add_test(t, test_utf8_columns);
	suite_add_tcase(s, t);
	t = tcase_create("semantics");
	tcase_add_loop_test(t, test_semantics, 0,
			    sizeof(sem_cases) / sizeof(sem_cases[0]));
	tcase_add_test(t, test_except_and_lists);
	tcase_add_test(t, test_disabled_and_attributes);
	tcase_add_test(t, test_match_order_and_max);
	suite_add_tcase(s, t);
	t = tcase_create("render");
	tcase_add_loop_test(t, test_render, 0,
			    sizeof(render_cases) / sizeof(render_cases[0]));
	tcase_add_test(t, test_render_truncates);
	suite_add_tcase(s, t);
	t = tcase_create("files");
	tcase_add_test(t, test_dir_files);
	tcase_add_test(t, test_empty_dir);
	tcase_add_test(t, test_severity_names);
	tcase_add_test(t, test_examples_load);
	suite_add_tcase(s, t);
	t = tcase_create("examples");
	tcase_add_unchecked_fixture(t, load_examples, free_examples);
	tcase_add_loop_test(t, test_examples_fire, 0,
			    sizeof(example_cases) / sizeof(example_cases[0]));
	tcase_add_test(t, test_examples_every_rule_covered);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
