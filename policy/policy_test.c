// SPDX-License-Identifier: MIT
/*
 * policy_test.c - field tests ({"field": F, OP: VALUE}): which operators fit
 * which fields, parsing and checking values (op names, octal modes, ids,
 * absolute paths, globs, regexes, lists), each error at its position.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "premod.h"
#include "policy_int.h"

static const char *kind_desc(enum pm_field_kind k)
{
	switch (k) {
	case PM_KIND_NUM: return "a number";
	case PM_KIND_ID: return "a uid/gid";
	case PM_KIND_MODE: return "a file mode";
	case PM_KIND_OP: return "an operation";
	case PM_KIND_STR: return "a string";
	case PM_KIND_PATH: return "a path";
	}
	return "?";
}

const char *pc_show(const struct jp_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case JP_STR:
		snprintf(buf, len, "string \"%.60s%s\"%s", v->str.s,
			 v->str.len > 60 ? "..." : "",
			 jp_name(v) ? "" : " holding \\u0000");
		return buf;
	case JP_NUM:
		if (v->num.fits)
			snprintf(buf, len, "number %s%llu", v->num.neg ? "-" : "",
				 (unsigned long long)v->num.u);
		else
			snprintf(buf, len, "number %g", v->num.d);
		return buf;
	default:
		return jp_type_name(v->type);
	}
}

/* Where a value came from, for messages about list elements. */
struct vsrc {
	const char *list;	/* NULL: written in place */
	const char *file;
	size_t idx;
};

static void val_err(struct pc_ctx *c, const struct jp_value *at,
		    const struct jp_value *v, const struct vsrc *src,
		    const char *fmt, const char *detail)
{
	char b[96];

	if (src && src->list)
		pc_err(c, at->line, at->col,
		       "list \"%s\" element %zu (%s:%d:%d): %s; found %s%s",
		       src->list, src->idx + 1, src->file, v->line, v->col, fmt,
		       pc_show(v, b, sizeof(b)), detail ? detail : "");
	else
		pc_err(c, v->line, v->col, "%s; found %s%s", fmt,
		       pc_show(v, b, sizeof(b)), detail ? detail : "");
}

/* Numbers, modes, op names -> a u64. */
static int parse_numeric(struct pc_ctx *c, const struct jp_value *at,
			 const struct jp_value *v, const struct vsrc *src,
			 enum pm_field f, uint64_t *out)
{
	enum pm_field_kind k = pm_fields[f].kind;
	char what[128];

	switch (k) {
	case PM_KIND_OP:
		if (jp_name(v)) {
			int op = pm_op_lookup(v->str.s);

			if (op == PREMOD_OP_LOST) {
				/* lost records bypass the rules: every sink
				 * gets them, so a rule on them never fires */
				val_err(c, at, v, src,
					"op lost is not an event rules see (lost records always go to every sink); drop it",
					NULL);
				return -1;
			}
			if (op > 0) {
				*out = (uint64_t)op;
				return 0;
			}
		}
		val_err(c, at, v, src,
			"field op takes an operation name (create, mkdir, rmdir, unlink, rename, link, symlink, truncate, chmod, chown, setattr, open_write, setxattr, removexattr)",
			NULL);
		return -1;
	case PM_KIND_MODE:
		if (v->type == JP_STR && v->str.len >= 1 && v->str.len <= 7 &&
		    strspn(v->str.s, "01234567") == v->str.len) {
			*out = strtoull(v->str.s, NULL, 8);
			if (*out <= 0177777)
				return 0;
		}
		if (v->type == JP_NUM && v->num.fits && !v->num.neg &&
		    v->num.u <= 0177777) {
			*out = v->num.u;
			return 0;
		}
		snprintf(what, sizeof(what),
			 "field %s takes a mode: an octal string such as \"4755\" (at most \"177777\")",
			 pm_fields[f].name);
		val_err(c, at, v, src, what, NULL);
		return -1;
	default:
		if (v->type == JP_NUM && v->num.fits && !v->num.neg &&
		    (k != PM_KIND_ID || v->num.u <= UINT32_MAX)) {
			*out = v->num.u;
			return 0;
		}
		snprintf(what, sizeof(what), "field %s takes %s%s",
			 pm_fields[f].name,
			 k == PM_KIND_ID ? "a numeric id (0..4294967295)"
					 : "a non-negative integer",
			 k == PM_KIND_ID ? "; names are not resolved" : "");
		val_err(c, at, v, src, what, NULL);
		return -1;
	}
}

static bool is_pathish(enum pm_field f)
{
	return pm_fields[f].kind == PM_KIND_PATH;
}

static int parse_string(struct pc_ctx *c, const struct jp_value *at,
			const struct jp_value *v, const struct vsrc *src,
			enum pm_field f, enum pc_op op, const char **out)
{
	char what[128];

	if (v->type != JP_STR) {
		snprintf(what, sizeof(what), "field %s takes a string",
			 pm_fields[f].name);
		val_err(c, at, v, src, what, NULL);
		return -1;
	}
	if (strlen(v->str.s) != v->str.len) {
		val_err(c, at, v, src, "strings may not contain \\u0000", NULL);
		return -1;
	}
	if (is_pathish(f) && op != PT_REGEX && op != PT_NE &&
	    v->str.s[0] != '/') {
		snprintf(what, sizeof(what),
			 "field %s holds absolute paths; a value that does not start with '/' never matches",
			 pm_fields[f].name);
		val_err(c, at, v, src, what, NULL);
		return -1;
	}
	*out = pol_strndup(&c->L->p->arena, v->str.s, v->str.len);
	if (!*out) {
		c->L->nomem = c->failed = true;
		return -1;
	}
	return 0;
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int compile_in(struct pc_ctx *c, struct pc_node *nd, enum pm_field f,
		      const struct jp_value *at, const struct jp_value *v)
{
	const struct jp_value *arr = v;
	struct vsrc src = { 0 };
	enum pm_field_kind k = pm_fields[f].kind;
	bool bad = false;

	if (v->type == JP_STR) {
		const struct pl_named *l = NULL;

		if (!jp_name(v)) {
			char b[96];

			pc_err(c, v->line, v->col,
			       "\"in\" takes an array or \"@listname\"; found %s",
			       pc_show(v, b, sizeof(b)));
			return -1;
		}
		if (v->str.s[0] != '@') {
			pc_err(c, v->line, v->col,
			       "\"in\" takes an array or \"@listname\"; found a string (for one value use \"eq\")");
			return -1;
		}
		for (size_t i = 0; i < c->L->nlists; i++)
			if (!strcmp(c->L->lists[i].name, v->str.s + 1))
				l = &c->L->lists[i];
		if (!l) {
			const char *names[64], *sug;
			size_t n = c->L->nlists < 64 ? c->L->nlists : 64;

			for (size_t i = 0; i < n; i++)
				names[i] = c->L->lists[i].name;
			sug = pol_suggest(v->str.s + 1, names, n);
			pc_err(c, v->line, v->col, "undefined list \"%s\"%s%s%s",
			       v->str.s, sug ? " (did you mean \"@" : "",
			       sug ? sug : "", sug ? "\"?)" : "");
			return -1;
		}
		arr = l->val;
		src.list = l->name;
		src.file = l->file;
	} else if (v->type != JP_ARR) {
		char b[96];

		pc_err(c, v->line, v->col,
		       "\"in\" takes an array or \"@listname\"; found %s",
		       pc_show(v, b, sizeof(b)));
		return -1;
	}
	nd->n = (uint32_t)arr->arr.n;
	if (k == PM_KIND_STR || k == PM_KIND_PATH) {
		const char **s = pol_alloc(&c->L->p->arena,
					   (arr->arr.n + 1) * sizeof(*s));
		size_t m = 0;

		if (!s) {
			c->L->nomem = c->failed = true;
			return -1;
		}
		for (size_t i = 0; i < arr->arr.n; i++) {
			src.idx = i;
			if (parse_string(c, at, arr->arr.v[i],
					 src.list ? &src : NULL, f, PT_IN, &s[i]))
				bad = true;
		}
		if (bad)
			return -1;
		qsort(s, arr->arr.n, sizeof(*s), strcmp_p);
		for (size_t i = 0; i < arr->arr.n; i++)
			if (!m || strcmp(s[m - 1], s[i]))
				s[m++] = s[i];
		nd->n = (uint32_t)m;
		nd->u.strs = s;
		return 0;
	}
	uint64_t *nums = pol_alloc(&c->L->p->arena, (arr->arr.n + 1) * sizeof(*nums));
	size_t m = 0;

	if (!nums) {
		c->L->nomem = c->failed = true;
		return -1;
	}
	for (size_t i = 0; i < arr->arr.n; i++) {
		src.idx = i;
		if (parse_numeric(c, at, arr->arr.v[i], src.list ? &src : NULL,
				  f, &nums[i]))
			bad = true;
	}
	if (bad)
		return -1;
	if (k == PM_KIND_OP) {
		nd->cmp = CMP_OPMASK;
		nd->u.opmask = 0;
		for (size_t i = 0; i < arr->arr.n; i++)
			nd->u.opmask |= 1u << nums[i];
		return 0;
	}
	qsort(nums, arr->arr.n, sizeof(*nums), u64cmp);
	for (size_t i = 0; i < arr->arr.n; i++)
		if (!m || nums[m - 1] != nums[i])
			nums[m++] = nums[i];
	nd->n = (uint32_t)m;
	nd->u.nums = nums;
	if (k == PM_KIND_MODE)
		nd->cmp = CMP_MODE;
	return 0;
}

static bool op_fits(enum pc_op op, enum pm_field_kind k)
{
	switch (op) {
	case PT_EQ: case PT_NE: case PT_IN:
		return true;
	case PT_PREFIX: case PT_GLOB: case PT_REGEX:
		return k == PM_KIND_STR || k == PM_KIND_PATH;
	case PT_LT: case PT_LE: case PT_GT: case PT_GE:
		return k == PM_KIND_NUM || k == PM_KIND_ID;
	case PT_BITS_SET: case PT_BITS_ADDED:
		return k == PM_KIND_MODE;
	default:
		return false;
	}
}

static const char *ops_for_kind(enum pm_field_kind k)
{
	switch (k) {
	case PM_KIND_NUM:
	case PM_KIND_ID: return "eq, ne, in, lt, le, gt, ge";
	case PM_KIND_MODE: return "eq, ne, in, bits_set, bits_added (on new_mode)";
	case PM_KIND_OP: return "eq, ne, in";
	default: return "eq, ne, in, prefix, glob, regex";
	}
}

int pc_compile_test(struct pc_ctx *c, const struct jp_value *obj,
		    const struct jp_member *fm)
{
	const struct jp_member *opm = NULL;
	const struct jp_value *v;
	struct pc_node *nd;
	enum pm_field_kind k;
	enum pc_op op = PT__COUNT;
	bool bad = false;
	int f, rc;
	long i;

	for (size_t m = 0; m < obj->obj.n; m++) {
		const struct jp_member *mm = &obj->obj.v[m];
		int o = -1;

		if (mm == fm)
			continue;
		for (int j = 0; j < PT__COUNT; j++)
			if (!strcmp(mm->key, pc_op_names[j]))
				o = j;
		if (o < 0) {
			const char *sug = pol_suggest(mm->key, pc_op_names, PT__COUNT);

			pc_err(c, mm->line, mm->col,
			       "unknown key \"%s\" in a field test%s%s%s", mm->key,
			       sug ? " (did you mean \"" : "", sug ? sug : "",
			       sug ? "\"?)" : "");
			bad = true;
			continue;
		}
		if (opm) {
			pc_err(c, mm->line, mm->col,
			       "a field test has exactly one operator; this one has \"%s\" and \"%s\" (combine tests with \"all\")",
			       opm->key, mm->key);
			bad = true;
			continue;
		}
		opm = mm;
		op = (enum pc_op)o;
	}
	if (!jp_name(fm->val)) {
		char b[96];

		pc_err(c, fm->val->line, fm->val->col,
		       "\"field\" takes a field name; found %s",
		       pc_show(fm->val, b, sizeof(b)));
		return -1;
	}
	f = pm_field_lookup(fm->val->str.s);
	if (f < 0) {
		const char *names[PM_F_COUNT], *sug;

		for (int j = 0; j < PM_F_COUNT; j++)
			names[j] = pm_fields[j].name;
		sug = pol_suggest(fm->val->str.s, names, PM_F_COUNT);
		pc_err(c, fm->val->line, fm->val->col, "unknown field \"%s\"%s%s%s",
		       fm->val->str.s, sug ? " (did you mean \"" : "",
		       sug ? sug : "", sug ? "\"?)" : "");
		return -1;
	}
	if (f == PM_F_LOST_COUNT || f == PM_F_LOST_FIRST || f == PM_F_LOST_LAST) {
		pc_err(c, fm->val->line, fm->val->col,
		       "field %s is only on lost records, which rules never see (they always go to every sink)",
		       pm_fields[f].name);
		return -1;
	}
	if (!opm) {
		pc_err(c, obj->line, obj->col,
		       "field test on %s needs an operator (%s)",
		       pm_fields[f].name, ops_for_kind(pm_fields[f].kind));
		return -1;
	}
	if (bad)
		return -1;
	k = pm_fields[f].kind;
	if (op == PT_BITS_ADDED && k == PM_KIND_MODE && f != PM_F_NEW_MODE) {
		pc_err(c, opm->line, opm->col,
		       "bits_added compares new_mode with old_mode; write it on field new_mode");
		return -1;
	}
	if (!op_fits(op, k)) {
		pc_err(c, opm->line, opm->col,
		       "operator %s does not fit field %s (%s); it takes %s",
		       opm->key, pm_fields[f].name, kind_desc(k), ops_for_kind(k));
		return -1;
	}
	v = opm->val;
	i = pc_emit(c);
	if (i < 0)
		return -1;
	nd = &c->code[i];
	nd->type = PC_TEST;
	nd->op = (uint8_t)op;
	nd->field = (uint8_t)f;
	nd->size = 1;
	c->fields |= 1ULL << f;
	if (op == PT_BITS_ADDED)
		c->fields |= 1ULL << PM_F_OLD_MODE | 1ULL << PM_F_NEW_MODE;
	switch (op) {
	case PT_IN:
		rc = compile_in(c, nd, f, v, v);
		nd = &c->code[i];
		nd->cost = k == PM_KIND_OP ? 1 : 3;
		return rc;
	case PT_PREFIX:
	case PT_GLOB:
	case PT_REGEX:
		if (parse_string(c, v, v, NULL, f, op, &nd->u.str))
			return -1;
		nd->n = (uint32_t)strlen(nd->u.str);
		nd->cost = op == PT_PREFIX ? 2 : op == PT_GLOB ? 8 : 30;
		if (op == PT_GLOB) {
			size_t at = 0;
			/* fnmatch() treats a malformed pattern as "no
			 * match"; refuse it instead */
			const char *why = pc_glob_problem(nd->u.str, &at);

			if (why) {
				pc_err(c, v->line, v->col,
				       "invalid glob \"%s\": %s at offset %zu",
				       nd->u.str, why, at);
				return -1;
			}
		} else if (op == PT_REGEX) {
			struct pc_regex *re = calloc(1, sizeof(*re));
			const char *src = nd->u.str, *why;
			size_t at = 0;
			int err;

			if (!re) {
				c->L->nomem = c->failed = true;
				return -1;
			}
			if (!*src) {
				free(re);
				pc_err(c, v->line, v->col,
				       "empty regex matches everything; drop the test instead");
				return -1;
			}
			why = pc_regex_problem(src, &at);
			if (why) {
				free(re);
				pc_err(c, v->line, v->col,
				       "regex \"%.80s%s\" refused: %s (at offset %zu)",
				       src, strlen(src) > 80 ? "..." : "", why, at);
				return -1;
			}
			err = regcomp(&re->re, src, REG_EXTENDED | REG_NOSUB);
			if (err) {
				char eb[160];

				regerror(err, &re->re, eb, sizeof(eb));
				free(re);
				pc_err(c, v->line, v->col,
				       "invalid regex \"%s\": %s (POSIX extended syntax)",
				       src, eb);
				return -1;
			}
			re->src = src;
			re->next = c->L->p->regexes;
			c->L->p->regexes = re;
			nd->u.re = re;
		}
		return 0;
	default:
		break;
	}
	/* eq ne lt le gt ge bits_*: one value */
	nd->cost = 1;
	if (k == PM_KIND_STR || k == PM_KIND_PATH) {
		if (parse_string(c, v, v, NULL, f, op, &nd->u.str))
			return -1;
		nd->n = (uint32_t)strlen(nd->u.str);
		nd->cost = 2;
		return 0;
	}
	uint64_t num;

	if (parse_numeric(c, v, v, NULL, f, &num))
		return -1;
	if ((op == PT_BITS_SET || op == PT_BITS_ADDED) && !num) {
		pc_err(c, v->line, v->col,
		       "%s of no bits is always true; name the bits, e.g. \"4000\" for setuid",
		       opm->key);
		return -1;
	}
	if (k == PM_KIND_OP && op == PT_EQ) {
		nd->op = PT_IN;
		nd->cmp = CMP_OPMASK;
		nd->u.opmask = 1u << num;
		return 0;
	}
	if (k == PM_KIND_MODE)
		nd->cmp = CMP_MODE;
	nd->u.num = num;
	return 0;
}
