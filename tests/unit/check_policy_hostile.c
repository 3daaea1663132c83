// SPDX-License-Identifier: MIT
/*
 * check_policy_hostile - policies written to hurt: each case is a defect
 * once found (a crash, a hidden key, an index that disagreed with the
 * meaning, a load that starved, a rule that silently never fired). The
 * crash and starvation cases run in a bounded child (bounded.h).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded.h"
#include "event.h"
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

/* Loads text; 0 when it is refused with `want` in a diagnostic that
 * has a position (file:line:column), else 1 with a message on stderr. */
static int refused_with(const char *text, const char *want)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	int rc = policy_load_buffer("h.json", text, strlen(text), &p, &d);
	char *got = diag_text(&d);
	const char *at = strstr(got, want);
	int line = 0, col = 0;
	int bad = 0;

	if (at) {
		const char *l = at;

		while (l > got && l[-1] != '\n')
			l--;
		if (sscanf(l, "h.json:%d:%d:", &line, &col) != 2)
			line = 0;
	}
	if (rc != -EINVAL || p || !at || line < 1 || col < 1) {
		fprintf(stderr, "want refusal with \"%s\" at a position; rc %d, got:\n%s\npolicy: %.300s\n",
			want, rc, got, text);
		bad = 1;
	}
	policy_free(p);
	free(got);
	policy_diags_free(&d);
	return bad;
}

static struct policy *load_ok(const char *text)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	char *got;

	policy_load_buffer("h.json", text, strlen(text), &p, &d);
	got = diag_text(&d);
	ck_assert_msg(p, "%.300s: %s", text, got);
	free(got);
	policy_diags_free(&d);
	return p;
}

/* ------------------------------------------------------ macro depth */

/* A chain m<n-1> -> ... -> m0 and a rule on the top, defined from the
 * top down or from the bottom up. */
static char *macro_chain(int n, bool top_first)
{
	size_t cap = (size_t)n * 64 + 256, o = 0;
	char *t = malloc(cap);

	o += (size_t)snprintf(t + o, cap - o, "{\"version\":1,\"macros\":{\n");
	for (int k = 0; k < n; k++) {
		int i = top_first ? n - 1 - k : k;

		if (i)
			o += (size_t)snprintf(t + o, cap - o, "%s\"m%d\":{\"macro\":\"m%d\"}\n",
					      k ? "," : "", i, i - 1);
		else
			o += (size_t)snprintf(t + o, cap - o, "%s\"m0\":{\"field\":\"uid\",\"eq\":0}\n",
					      k ? "," : "");
	}
	snprintf(t + o, cap - o, "},\"rules\":[{\"id\":\"r\",\"match\":{\"macro\":\"m%d\"}}]}",
		 n - 1);
	return t;
}

static int chain_too_deep(void *arg)
{
	char *t = macro_chain(65, *(bool *)arg);
	int bad = refused_with(t, "macros nested more than 64 deep");

	free(t);
	return bad;
}

START_TEST(test_macro_chain_depth)
{
	bool top_first = _i;
	char *t = macro_chain(64, top_first);
	struct policy *p = load_ok(t);	/* the limit itself is fine */

	policy_free(p);
	free(t);
	/* one deeper: an error with a position, never a crash or a rule
	 * without code, in both definition orders */
	bounded("65 chained macros", 20, 1024, chain_too_deep, &top_first);
}
END_TEST

/* ------------------------------------------------------ NUL in names */

#define V "{\"version\":1,"
#define RULE(extra, match) V "\"rules\":[{\"id\":\"r\"," extra "\"match\":" match "}]}"
#define UID0 "{\"field\":\"uid\",\"eq\":0}"

static const struct { const char *text, *want; } nul_cases[] = {
	{ RULE("\"enabled\\u0000\":false,", UID0), "a key may not contain \\u0000" },
	{ V "\"rules\":[{\"id\":\"r\",\"match\":" UID0 ",\"match\\u0000\":{\"field\":\"uid\",\"eq\":5}}]}",
	  "a key may not contain \\u0000" },
	{ V "\"rules\":[],\"rules\\u0000x\":[{\"id\":\"r\",\"match\":" UID0 "}]}",
	  "a key may not contain \\u0000" },
	{ V "\"macros\":{\"m\\u0000\":" UID0 "},\"rules\":[]}", "a key may not contain \\u0000" },
	{ V "\"macros\":{\"m\":" UID0 "},\"rules\":[{\"id\":\"r\",\"match\":{\"macro\":\"m\\u0000x\"}}]}",
	  "\"macro\" takes a macro name" },
	{ RULE("", "{\"field\":\"path\\u0000x\",\"eq\":\"/a\"}"), "\"field\" takes a field name" },
	{ RULE("", "{\"field\":\"op\",\"eq\":\"create\\u0000x\"}"), "field op takes an operation name" },
	{ RULE("", "{\"field\":\"op\",\"in\":[\"unlink\",\"create\\u0000\"]}"), "field op takes an operation name" },
	{ V "\"lists\":{\"l\":[\"a\"]},\"rules\":[{\"id\":\"r\",\"match\":{\"field\":\"comm\",\"in\":\"@l\\u0000x\"}}]}",
	  "\"in\" takes an array or \"@listname\"" },
	{ RULE("\"severity\":\"err\\u0000x\",", UID0), "\"severity\" is one of" },
	{ RULE("\"outputs\":[\"stdout\\u0000x\"],", UID0), "unknown output" },
	{ RULE("\"rate_limit\":{\"max\":1,\"interval\":\"1s\",\"key\":\"rule\\u0000x\"},", UID0),
	  "rate_limit.key is one of" },
	{ RULE("\"rate_limit\":{\"max\":1,\"interval\":\"1s\\u0000x\"},", UID0), "rate_limit.interval takes" },
	{ RULE("\"id\\u0000\":\"s\",", UID0), "a key may not contain \\u0000" },
	{ V "\"rules\":[{\"id\":\"r\\u0000x\",\"match\":" UID0 "}]}", "\"id\" takes a string" },
};

START_TEST(test_nul_in_names)
{
	ck_assert_int_eq(refused_with(nul_cases[_i].text, nul_cases[_i].want), 0);
}
END_TEST

/* ------------------------------------------------------ op lost */

static const struct { const char *match, *want; } lost_cases[] = {
	{ "{\"field\":\"op\",\"eq\":\"lost\"}", "op lost is not an event rules see" },
	{ "{\"field\":\"op\",\"in\":[\"unlink\",\"lost\"]}", "op lost is not an event rules see" },
	{ "{\"field\":\"op\",\"ne\":\"lost\"}", "op lost is not an event rules see" },
	{ "{\"field\":\"lost_count\",\"gt\":0}", "only on lost records" },
	{ "{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"lost_first\",\"gt\":0}]}",
	  "only on lost records" },
};

START_TEST(test_lost_rules_refused)
{
	char text[512];

	snprintf(text, sizeof(text), RULE("", "%s"), lost_cases[_i].match);
	ck_assert_int_eq(refused_with(text, lost_cases[_i].want), 0);
}
END_TEST

/* ------------------------------------------------------ FIFOs */

static char fifo_dir[64];

static int load_path_refused(void *arg)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	int rc = policy_load(arg, &p, &d);
	char *got = diag_text(&d);
	int bad = rc >= 0 || p || !strstr(got, "not a regular file");

	if (bad)
		fprintf(stderr, "%s: rc %d:\n%s\n", (char *)arg, rc, got);
	free(got);
	policy_diags_free(&d);
	policy_free(p);
	return bad;
}

START_TEST(test_fifo_never_blocks)
{
	char f[128], ok[128];
	FILE *w;

	strcpy(fifo_dir, "/tmp/premod-fifo-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fifo_dir));
	snprintf(f, sizeof(f), "%s/00-pipe.json", fifo_dir);
	snprintf(ok, sizeof(ok), "%s/10-ok.json", fifo_dir);
	ck_assert_int_eq(mkfifo(f, 0600), 0);
	w = fopen(ok, "w");
	ck_assert_ptr_nonnull(w);
	fputs("{\"version\":1,\"rules\":[]}", w);
	fclose(w);
	/* in the directory, and named directly: refused at once */
	bounded("a FIFO in the policy directory", 20, 512, load_path_refused, fifo_dir);
	bounded("a FIFO as the policy file", 20, 512, load_path_refused, f);
	unlink(f);
	unlink(ok);
	rmdir(fifo_dir);
}
END_TEST

/* ------------------------------------------------------ regex bounds */

static const struct { const char *re, *want; } re_refused[] = {
	{ "^/a++++++++++++++++++++++++", "stacked quantifiers" },
	{ "^/a*?", "stacked quantifiers" },
	{ "^/a{2}{3}", "stacked quantifiers" },
	{ "(.*)\\\\1x", "back-references" },
	{ "^/(a)(b)\\\\2", "back-references" },
	{ "^/a{1,256}", "a repetition count above 255" },
	{ "(a{1,255}){1,255}", "expands to more than 256 positions" },
	{ "((a{1,30}){1,30}){1,30}", "expands to more than 256 positions" },
	{ "^/((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))", "nested more than 32" },
};

static int regex_refused(void *arg)
{
	int i = *(int *)arg;
	char text[1024];

	snprintf(text, sizeof(text), RULE("", "{\"field\":\"path\",\"regex\":\"%s\"}"),
		 re_refused[i].re);
	return refused_with(text, re_refused[i].want);
}

START_TEST(test_regex_refused)
{
	/* refused before regcomp ever runs: no time, no memory */
	bounded(re_refused[_i].re, 20, 512, regex_refused, &_i);
}
END_TEST

static int regex_too_long(void *arg)
{
	char *text = malloc(4096);
	char re[1100];

	(void)arg;
	memset(re, 'a', 1025);
	re[0] = '^';
	re[1025] = 0;
	snprintf(text, 4096, RULE("", "{\"field\":\"path\",\"regex\":\"%s\"}"), re);
	int bad = refused_with(text, "longer than 1024 bytes");

	free(text);
	return bad;
}

START_TEST(test_regex_too_long)
{
	bounded("a 1025-byte regex", 20, 512, regex_too_long, NULL);
}
END_TEST

/* The costliest shapes still accepted, on the longest path an event has:
 * each evaluation stays far from the seconds a back-reference took. */
static int regex_cost(void *arg)
{
	static const char *const shapes[] = {
		"((a|aa)*){64}b", "(.*.*a){50}x", "^/[[:alpha:]]{1,250}x",
	};
	static char path[PREMOD_PATH_MAX];
	struct pm_event ev;
	char text[1024], dir[PREMOD_PATH_MAX];

	(void)arg;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct policy *p;

		snprintf(text, sizeof(text), RULE("", "{\"field\":\"path\",\"regex\":\"%s\"}"),
			 shapes[i]);
		p = load_ok(text);
		memset(&ev, 0, sizeof(ev));
		pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_UNLINK);
		pm_event_set_str(&ev, PM_F_PATH, path);
		pm_event_derive(&ev, dir, sizeof(dir));
		for (int k = 0; k < 5; k++)
			policy_match(p, &ev, NULL, 0);
		policy_free(p);
	}
	return 0;
}

START_TEST(test_regex_cost_bounded)
{
	/* natively about 0.2 s for the 5 evaluations of each shape */
	bounded("accepted regexes on a 4 KiB path", 30, 512, regex_cost, NULL);
}
END_TEST

/* ------------------------------------------------------ bracket expressions */

/*
 * Index = meaning: for each pattern, on each path, the indexed matcher,
 * the naive evaluation and libc itself agree, and the prefilter passes
 * every path that matches.
 */
static const struct {
	bool glob;
	const char *pat;
	const char *paths[6];
} bracket_cases[] = {
	{ false, "^/etc/[[:alpha:](]|^/tmp/", { "/tmp/evil", "/etc/a", "/etc/(", "/etc/1", "/var/x" } },
	{ false, "^/etc/[]|]x|^/tmp/", { "/tmp/evil", "/etc/]x", "/etc/|x", "/etc/ax" } },
	{ false, "^/etc/[[.|.]]|^/tmp/", { "/tmp/evil", "/etc/|", "/etc/a" } },
	{ false, "^/etc/[[=a=]|]x|^/tmp/", { "/tmp/evil", "/etc/ax", "/etc/|x" } },
	{ false, "^/etc/[^]|(]x|^/tmp/", { "/tmp/evil", "/etc/ax", "/etc/]x", "/etc/(x" } },
	{ false, "^/etc/[a-c(]+|^/tmp/", { "/tmp/evil", "/etc/b", "/etc/(" } },
	{ false, "^/usr/(bin|[[:digit:])|])/x", { "/usr/bin/x", "/usr/1/x", "/usr/)/x", "/tmp/x" } },
	{ true, "/etc/[[:alpha:]]x/*", { "/etc/ax/y", "/etc/1x/y", "/etc/[x/y", "/tmp/x" } },
	{ true, "/etc/[]]x/*", { "/etc/]x/y", "/etc/ax/y" } },
	{ true, "/etc/[!]]x/y*", { "/etc/ax/y", "/etc/]x/y", "/etc/ax/yz" } },
	{ true, "/e[[.t.]]c/[[=s=]]sh/*", { "/etc/ssh/x", "/etc/ash/x", "/e.c/ssh/x" } },
	{ true, "/etc/[[:Alpha:]]x/*", { "/etc/[x]x/y", "/etc/ax/y", "/etc/:]x/y" } },
	{ true, "/home/*/[[:alpha:]-]sh/key*", { "/home/u/ssh/key", "/home/u/-sh/key2", "/home/u/1sh/key" } },
};

START_TEST(test_brackets_index_equals_meaning)
{
	char text[1024];
	struct policy *p;
	struct policy_prefilter pf;
	regex_t re;

	snprintf(text, sizeof(text), RULE("", "{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},"
					  "{\"field\":\"path\",\"%s\":\"%s\"}]}"),
		 bracket_cases[_i].glob ? "glob" : "regex", bracket_cases[_i].pat);
	p = load_ok(text);
	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	if (!bracket_cases[_i].glob)
		ck_assert_int_eq(regcomp(&re, bracket_cases[_i].pat, REG_EXTENDED | REG_NOSUB), 0);
	for (int k = 0; k < 6 && bracket_cases[_i].paths[k]; k++) {
		const char *path = bracket_cases[_i].paths[k];
		const struct policy_rule *a[2], *b[2];
		struct pm_event ev;
		char dir[256];
		bool libc, covered = pf.include_all;

		memset(&ev, 0, sizeof(ev));
		pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_UNLINK);
		pm_event_set_str(&ev, PM_F_PATH, path);
		pm_event_derive(&ev, dir, sizeof(dir));
		libc = bracket_cases[_i].glob ? !fnmatch(bracket_cases[_i].pat, path, FNM_PATHNAME)
					      : !regexec(&re, path, 0, NULL, 0);
		size_t na = policy_match(p, &ev, a, 2), nb = policy_match_naive(p, &ev, b, 2);

		ck_assert_msg(na == (size_t)libc && nb == (size_t)libc,
			      "%s on %s: libc %d, indexed %zu, naive %zu", bracket_cases[_i].pat,
			      path, libc, na, nb);
		for (size_t j = 0; j < pf.n_include && !covered; j++) {
			size_t n = strlen(pf.include[j]);

			covered = !strncmp(pf.include[j], path, n) && (path[n] == '/' || !path[n]);
		}
		ck_assert_msg(!libc || covered, "%s: the prefilter drops %s", bracket_cases[_i].pat,
			      path);
	}
	if (!bracket_cases[_i].glob)
		regfree(&re);
	policy_prefilter_free(&pf);
	policy_free(p);
}
END_TEST

/* Globs fnmatch() would misread, or read with a '/' in a bracket
 * (FNM_PATHNAME: a bracket never matches '/', and the index counts
 * components by '/'). */
static const struct { const char *glob, *want; } glob_refused[] = {
	{ "/etc/[[:alpha:]/]x", "cannot match '/'" },
	{ "/etc/[a/b]x", "cannot match '/'" },
	{ "/etc/[[:nope:]]x", "unknown character class" },
	{ "/etc/[^]/]x", "ambiguous" },
	{ "/etc/[[.a]x", "unterminated" },
	{ "/etc/[ab", "unbalanced" },
	{ "/etc/[\\\\]", "unbalanced" },
};

START_TEST(test_glob_refused)
{
	char text[512];

	snprintf(text, sizeof(text), RULE("", "{\"field\":\"path\",\"glob\":\"%s\"}"),
		 glob_refused[_i].glob);
	ck_assert_int_eq(refused_with(text, glob_refused[_i].want), 0);
}
END_TEST

/* ------------------------------------------------------ scale */

static char *prefix_rules(int n)
{
	size_t cap = (size_t)n * 160 + 64, o = 0;
	char *t = malloc(cap);

	o += (size_t)snprintf(t + o, cap - o, "{\"version\":1,\"rules\":[");
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o,
				      "%s{\"id\":\"r%d\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},"
				      "{\"field\":\"path\",\"prefix\":\"/srv/d%d/e%d/\"}]}}",
				      i ? "," : "", i, i % 97, i);
	snprintf(t + o, cap - o, "]}");
	return t;
}

static int derive(void *arg)
{
	int n = *(int *)arg;
	char *t = prefix_rules(n);
	struct policy *p = load_ok(t);
	struct policy_prefilter pf;
	int rc;

	/* the load is not what is bounded here: the derivation is */
	alarm(10);
	rc = policy_prefilter(p, &pf);
	if (!rc && (pf.include_all || pf.n_include > PREMOD_FILTER_MAX_PATHS)) {
		fprintf(stderr, "%d rules: include_all %d, %zu includes\n", n,
			pf.include_all, pf.n_include);
		rc = 1;
	}
	policy_prefilter_free(&pf);
	policy_free(p);
	free(t);
	return rc;
}

START_TEST(test_prefilter_derivation_scales)
{
	int n = _i ? 8000 : 4000;

	/* was cubic: 4000 rules took ~50 s, 8000 minutes; now a few ms */
	bounded(n == 4000 ? "prefilter of 4000 prefix rules" : "prefilter of 8000 prefix rules",
		60, 2048, derive, &n);
}
END_TEST

static int long_values(void *arg)
{
	size_t vlen = 4000, n = 500, cap = n * (vlen + 128) + 64, o = 0;
	char *t = malloc(cap), *v = malloc(vlen + 1);
	struct rusage before, after;
	struct policy *p;
	long grew;

	(void)arg;
	o += (size_t)snprintf(t + o, cap - o, "{\"version\":1,\"rules\":[");
	for (size_t i = 0; i < n; i++) {
		/* distinct from the start: no sharing in the trie */
		for (size_t k = 0; k < vlen; k++)
			v[k] = (char)('a' + (i * 7 + k * 13 + k / 26) % 26);
		v[0] = '/';
		v[1] = (char)('a' + i % 26);
		v[2] = (char)('a' + i / 26 % 26);
		v[vlen] = 0;
		o += (size_t)snprintf(t + o, cap - o, "%s{\"id\":\"r%zu\",\"match\":{\"field\":\"path\",\"%s\":\"%s\"}}",
				      i ? "," : "", i, i % 2 ? "eq" : "prefix", v);
	}
	snprintf(t + o, cap - o, "]}");
	getrusage(RUSAGE_SELF, &before);
	p = load_ok(t);
	getrusage(RUSAGE_SELF, &after);
	grew = after.ru_maxrss - before.ru_maxrss;	/* KiB */
	policy_free(p);
	free(t);
	free(v);
	/* 2 MB of values; the trie used to cost ~85 bytes per byte */
	if (grew > 64 * 1024) {
		fprintf(stderr, "loading 500 rules of 4000-byte values grew by %ld KiB\n", grew);
		return 1;
	}
	return 0;
}

START_TEST(test_trie_memory_bounded)
{
	bounded("500 rules with 4000-byte eq/prefix values", 60, 2048, long_values, NULL);
}
END_TEST

/* A long value still matches exactly what it says (the cut key only
 * selects which rules are evaluated). */
START_TEST(test_long_value_semantics)
{
	static char text[16384], path[8192];
	struct pm_event ev;
	char dir[8192];
	struct policy *p;

	memset(path, 'x', 5000);
	path[0] = '/';
	path[5000] = 0;
	snprintf(text, sizeof(text), RULE("", "{\"field\":\"path\",\"eq\":\"%s\"}"), path);
	p = load_ok(text);
	for (int k = 0; k < 3; k++) {
		memset(&ev, 0, sizeof(ev));
		pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_UNLINK);
		if (k == 1)
			path[4999] = 'y';	/* differs past the cut */
		if (k == 2)
			path[300] = 0;		/* a prefix of it */
		pm_event_set_str(&ev, PM_F_PATH, path);
		pm_event_derive(&ev, dir, sizeof(dir));
		ck_assert_uint_eq(policy_match(p, &ev, NULL, 0), k == 0);
		ck_assert_uint_eq(policy_match_naive(p, &ev, NULL, 0), k == 0);
	}
	policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy_hostile");
	TCase *t = tcase_create("hostile");

	/* each bounded child has its own, tighter limit */
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_macro_chain_depth, 0, 2);
	tcase_add_loop_test(t, test_nul_in_names, 0, sizeof(nul_cases) / sizeof(nul_cases[0]));
	tcase_add_loop_test(t, test_lost_rules_refused, 0, sizeof(lost_cases) / sizeof(lost_cases[0]));
	tcase_add_test(t, test_fifo_never_blocks);
	tcase_add_loop_test(t, test_regex_refused, 0, sizeof(re_refused) / sizeof(re_refused[0]));
	tcase_add_test(t, test_regex_too_long);
	tcase_add_test(t, test_regex_cost_bounded);
	tcase_add_loop_test(t, test_brackets_index_equals_meaning, 0,
			    sizeof(bracket_cases) / sizeof(bracket_cases[0]));
	tcase_add_loop_test(t, test_glob_refused, 0, sizeof(glob_refused) / sizeof(glob_refused[0]));
	tcase_add_loop_test(t, test_prefilter_derivation_scales, 0, 2);
	tcase_add_test(t, test_trie_memory_bounded);
	tcase_add_test(t, test_long_value_semantics);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
