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

static void val_err(struct pc_ctx *c, const struct jp_value *at,
		    const struct jp_value *v, const struct pc_vsrc *src,
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
			 const struct jp_value *v, const struct pc_vsrc *src,
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
			char dec[24];
			const struct jp_value *w = src && src->list ? at : v;

			snprintf(dec, sizeof(dec), "%llu", (unsigned long long)v->num.u);
			if (v->num.u >= 8 && strspn(dec, "01234567") == strlen(dec))
				pc_warn(c, w->line, w->col,
					"field %s: the JSON number %s is decimal (0%llo); if octal was meant, write \"%s\"",
					pm_fields[f].name, dec,
					(unsigned long long)v->num.u, dec);
			*out = v->num.u;
			return 0;
		}
		snprintf(what, sizeof(what),
			 "field %s takes a mode: an octal string such as \"4755\" (at most \"177777\")",
			 pm_fields[f].name);
		val_err(c, at, v, src, what, NULL);
		return -1;
	default:
		if (pf_is_flag_field(f) && v->type == JP_STR) {
			const char *sug;
			char names[400], detail[440];

			if (!pf_flag_lookup(f, v->str.s, out, &sug))
				return 0;
			snprintf(what, sizeof(what), "unknown %s name", pm_fields[f].name);
			if (sug)
				snprintf(detail, sizeof(detail), " (did you mean \"%s\"?)", sug);
			else
				snprintf(detail, sizeof(detail), " (one of: %s)",
					 pf_flag_names(f, names, sizeof(names)));
			val_err(c, at, v, src, what, detail);
			return -1;
		}
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
			const struct jp_value *v, const struct pc_vsrc *src,
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

const struct pl_named *pc_find_list(struct pc_ctx *c, const struct jp_value *v)
{
	const char *names[64], *sug;
	size_t n = c->L->nlists < 64 ? c->L->nlists : 64;

	for (size_t i = 0; i < c->L->nlists; i++)
		if (!strcmp(c->L->lists[i].name, v->str.s + 1))
			return &c->L->lists[i];
	for (size_t i = 0; i < n; i++)
		names[i] = c->L->lists[i].name;
	sug = pol_suggest(v->str.s + 1, names, n);
	pc_err(c, v->line, v->col, "undefined list \"%s\"%s%s%s",
	       v->str.s, sug ? " (did you mean \"@" : "",
	       sug ? sug : "", sug ? "\"?)" : "");
	return NULL;
}

/* Kernel paths never end with '/' (but "/" itself): such an eq or in
 * value never matches, which is never what was meant. */
static void slash_warn(struct pc_ctx *c, const struct jp_value *at,
		       enum pm_field f, const char *s)
{
	size_t n = strlen(s);

	if (pm_fields[f].kind == PM_KIND_PATH && n > 1 && s[n - 1] == '/')
		pc_warn(c, at->line, at->col,
			"\"%s\" ends with '/', which no %s does: this never matches (for the directory and what is below it, use \"under\")",
			s, pm_fields[f].name);
}

static int compile_in(struct pc_ctx *c, struct pc_node *nd, enum pm_field f,
		      const struct jp_value *at, const struct jp_value *v)
{
	const struct jp_value *arr = v;
	struct pc_vsrc src = { 0 };
	enum pm_field_kind k = pm_fields[f].kind;
	const struct pl_named *lst = NULL;
	bool bad = false;

	if (v->type == JP_STR) {
		const struct pl_named *l;

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
		l = pc_find_list(c, v);
		if (!l)
			return -1;
		lst = l;
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
			src.file = src.list ? pl_elem_file(lst, i) : NULL;
			if (parse_string(c, at, arr->arr.v[i],
					 src.list ? &src : NULL, f, PT_IN, &s[i]))
				bad = true;
			else
				slash_warn(c, src.list ? at : arr->arr.v[i], f, s[i]);
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

/* Several bits by name: an array of names or numbers, or-ed. */
static int parse_bits(struct pc_ctx *c, const struct jp_member *opm,
		      enum pm_field f, const struct jp_value *at,
		      const struct jp_value *v, const struct pc_vsrc *src,
		      uint64_t *out)
{
	enum pm_field_kind k = pm_fields[f].kind;

	if (v->type == JP_ARR && pf_is_flag_field(f)) {
		bool bad = false;

		*out = 0;
		if (!v->arr.n) {
			pc_err(c, v->line, v->col, "%s of no bits is always true; name the bits",
			       opm->key);
			return -1;
		}
		for (size_t i = 0; i < v->arr.n; i++) {
			uint64_t b;

			if (parse_numeric(c, at, v->arr.v[i], src, f, &b))
				bad = true;
			else
				*out |= b;
		}
		return bad ? -1 : 0;
	}
	if (k == PM_KIND_MODE && v->type == JP_NUM) {
		/* "bits_added": 4000 is decimal 4000 = 07640: never what
		 * was meant, and silently never matches a setuid chmod */
		char what[160];

		snprintf(what, sizeof(what),
			 "%s takes the bits as an octal string such as \"4000\" (a JSON number is decimal: %llu is 0%llo)",
			 opm->key, v->num.fits ? (unsigned long long)v->num.u : 0ULL,
			 v->num.fits ? (unsigned long long)v->num.u : 0ULL);
		pc_err(c, v->line, v->col, "%s", what);
		return -1;
	}
	return parse_numeric(c, at, v, src, f, out);
}

int pc_compile_value(struct pc_ctx *c, const struct jp_member *opm,
		     enum pc_op op, enum pm_field f, const struct jp_value *at,
		     const struct jp_value *v, const struct pc_vsrc *src)
{
	enum pm_field_kind k = pm_fields[f].kind;
	struct pc_node *nd;
	int rc;
	long i;

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
	case PT_UNDER:
	case PT_GLOB:
	case PT_REGEX:
		if (parse_string(c, at, v, src, f, op, &nd->u.str))
			return -1;
		nd->n = (uint32_t)strlen(nd->u.str);
		nd->cost = op == PT_PREFIX || op == PT_UNDER ? 2 : op == PT_GLOB ? 8 : 30;
		if (op == PT_UNDER) {
			/* "/etc/x/" and "/etc/x" name the same directory; "/"
			 * is stored as "" (every absolute path) */
			char *d;

			while (nd->n && nd->u.str[nd->n - 1] == '/')
				nd->n--;
			/* kept as "D/": n counts D, the '/' is for the
			 * prefilter's key (policy_keys.c) */
			d = pol_alloc(&c->L->p->arena, nd->n + 2);
			if (!d) {
				c->L->nomem = c->failed = true;
				return -1;
			}
			memcpy(d, nd->u.str, nd->n);
			d[nd->n] = '/';
			d[nd->n + 1] = 0;
			nd->u.str = d;
		} else if (op == PT_GLOB) {
			size_t off = 0;
			const char *why = pc_glob_problem(nd->u.str, &off);

			if (!why && strstr(nd->u.str, "**"))
				pc_warn(c, v->line, v->col,
					"glob \"%s\": there is no \"**\"; '*' never matches '/', so \"**\" is one '*' within a single component (for a whole subtree use \"under\" or \"prefix\")",
					nd->u.str);

			if (why) {
				pc_err(c, v->line, v->col,
				       "invalid glob \"%s\": %s at offset %zu",
				       nd->u.str, why, off);
				return -1;
			}
		} else if (op == PT_REGEX) {
			struct pc_regex *re = calloc(1, sizeof(*re));
			const char *rsrc = nd->u.str, *why;
			size_t roff = 0;
			int err;

			if (!re) {
				c->L->nomem = c->failed = true;
				return -1;
			}
			if (!*rsrc) {
				free(re);
				pc_err(c, v->line, v->col,
				       "empty regex matches everything; drop the test instead");
				return -1;
			}
			why = pc_regex_problem(rsrc, &roff);
			if (why) {
				free(re);
				pc_err(c, v->line, v->col,
				       "regex \"%.80s%s\" refused: %s (at offset %zu)",
				       rsrc, strlen(rsrc) > 80 ? "..." : "", why, roff);
				return -1;
			}
			err = regcomp(&re->re, rsrc, REG_EXTENDED | REG_NOSUB);
			if (err) {
				char eb[160];

				regerror(err, &re->re, eb, sizeof(eb));
				free(re);
				pc_err(c, v->line, v->col,
				       "invalid regex \"%s\": %s (POSIX extended syntax)",
				       rsrc, eb);
				return -1;
			}
			re->src = rsrc;
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
		if (parse_string(c, at, v, src, f, op, &nd->u.str))
			return -1;
		nd->n = (uint32_t)strlen(nd->u.str);
		nd->cost = 2;
		if (op == PT_EQ)
			slash_warn(c, v, f, nd->u.str);
		return 0;
	}
	uint64_t num;

	if (op == PT_BITS_SET || op == PT_BITS_ANY || op == PT_BITS_ADDED) {
		if (parse_bits(c, opm, f, at, v, src, &num))
			return -1;
	} else if (parse_numeric(c, at, v, src, f, &num)) {
		return -1;
	}
	if ((op == PT_BITS_SET || op == PT_BITS_ANY || op == PT_BITS_ADDED) && !num) {
		pc_err(c, v->line, v->col,
		       "%s of no bits is always %s; name the bits, e.g. \"4000\" for setuid",
		       opm->key, op == PT_BITS_ANY ? "false" : "true");
		return -1;
	}
	nd = &c->code[i];
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
