// SPDX-License-Identifier: MIT
/*
 * policy_cond.c - conditions: validation with positions, compilation to the
 * compact preorder form of policy_int.h, and evaluation.
 *
 * Evaluation semantics (documented in REFERENCE.md):
 *   - a test on a field the event does not carry is false, whatever the
 *     operator (ne included); `not` of it is therefore true;
 *   - mode values without file-type bits (<= 07777) compare against the
 *     permission bits only, so "4755" matches a regular file's 0104755;
 *   - bits_set B: all bits of B set; bits_added B (on new_mode): all of B
 *     set in new_mode and not all of them in old_mode.
 * Children of all/any are reordered cheapest first: there are no side
 * effects, so the result is the same and expensive regexes run last.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "premod.h"
#include "policy_int.h"

const char *const pc_op_names[PT__COUNT] = {
	[PT_EQ] = "eq", [PT_NE] = "ne", [PT_IN] = "in",
	[PT_PREFIX] = "prefix", [PT_GLOB] = "glob", [PT_REGEX] = "regex",
	[PT_LT] = "lt", [PT_LE] = "le", [PT_GT] = "gt", [PT_GE] = "ge",
	[PT_BITS_SET] = "bits_set", [PT_BITS_ADDED] = "bits_added",
};

/* pad of a PC_TEST node: how to compare numbers */
enum { CMP_PLAIN, CMP_MODE, CMP_OPMASK };

static const char *const cond_keys[] = { "all", "any", "not", "macro", "field" };
enum { K_ALL, K_ANY, K_NOT, K_MACRO, K_FIELD, K__COUNT };

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

void pc_err(struct pc_ctx *c, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->failed = true;
	if (c->silent)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->L->nerr++;
	if (c->macro)
		pd_add(c->L->diags, c->file, line, col, NULL, "macro \"%s\": %s",
		       c->macro, msg);
	else
		pd_add(c->L->diags, c->file, line, col, c->rule, "%s", msg);
}

long pc_emit(struct pc_ctx *c)
{
	if (c->n >= PC_MAX_NODES) {
		c->too_big = c->failed = true;
		return -1;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct pc_node *t = realloc(c->code, cap * sizeof(*t));

		if (!t) {
			c->L->nomem = c->failed = true;
			return -1;
		}
		c->code = t;
		c->cap = cap;
	}
	memset(&c->code[c->n], 0, sizeof(c->code[0]));
	return (long)c->n++;
}

static const char *show(const struct jp_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case JP_STR:
		snprintf(buf, len, "string \"%.60s%s\"", v->str.s,
			 v->str.len > 60 ? "..." : "");
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
		       show(v, b, sizeof(b)), detail ? detail : "");
	else
		pc_err(c, v->line, v->col, "%s; found %s%s", fmt,
		       show(v, b, sizeof(b)), detail ? detail : "");
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
		if (v->type == JP_STR) {
			int op = pm_op_lookup(v->str.s);

			if (op > 0) {
				*out = (uint64_t)op;
				return 0;
			}
		}
		val_err(c, at, v, src,
			"field op takes an operation name (create, mkdir, rmdir, unlink, rename, link, symlink, truncate, chmod, chown, setattr, open_write, setxattr, removexattr, lost)",
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

/* fnmatch() treats a malformed pattern as "no match"; refuse it instead. */
static const char *glob_problem(const char *g, size_t *at)
{
	for (size_t i = 0; g[i]; i++) {
		if (g[i] == '\\') {
			if (!g[i + 1]) {
				*at = i;
				return "trailing backslash";
			}
			i++;
		} else if (g[i] == '[') {
			size_t j = i + 1;

			if (g[j] == '!' || g[j] == '^')
				j++;
			if (g[j] == ']')
				j++;
			while (g[j] && g[j] != ']') {
				if (g[j] == '/') {
					*at = i;
					return "a bracket expression cannot match '/' (FNM_PATHNAME)";
				}
				j++;
			}
			if (!g[j]) {
				*at = i;
				return "unbalanced '['";
			}
			i = j;
		}
	}
	return NULL;
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
		       show(v, b, sizeof(b)));
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

static int compile_test(struct pc_ctx *c, const struct jp_value *obj,
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
	if (fm->val->type != JP_STR) {
		char b[96];

		pc_err(c, fm->val->line, fm->val->col,
		       "\"field\" takes a field name; found %s",
		       show(fm->val, b, sizeof(b)));
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
			const char *why = glob_problem(nd->u.str, &at);

			if (why) {
				pc_err(c, v->line, v->col,
				       "invalid glob \"%s\": %s at offset %zu",
				       nd->u.str, why, at);
				return -1;
			}
		} else if (op == PT_REGEX) {
			struct pc_regex *re = calloc(1, sizeof(*re));
			const char *src = nd->u.str;
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

struct child {
	size_t off, size;
	uint32_t cost;
};

static int child_cmp(const void *a, const void *b)
{
	const struct child *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Reorders the children of the node at `at` cheapest first. */
static void order_children(struct pc_ctx *c, size_t at)
{
	size_t end = at + c->code[at].size, nk = 0;
	struct child *ch;
	struct pc_node *tmp;

	for (size_t i = at + 1; i < end; i += c->code[i].size)
		nk++;
	if (nk < 2)
		return;
	ch = malloc(nk * sizeof(*ch));
	tmp = malloc((end - at - 1) * sizeof(*tmp));
	if (!ch || !tmp)
		goto out;	/* order is an optimisation only */
	nk = 0;
	for (size_t i = at + 1; i < end; i += c->code[i].size)
		ch[nk++] = (struct child){ i, c->code[i].size, c->code[i].cost };
	qsort(ch, nk, sizeof(*ch), child_cmp);
	size_t o = 0;

	for (size_t j = 0; j < nk; j++) {
		memcpy(&tmp[o], &c->code[ch[j].off], ch[j].size * sizeof(*tmp));
		o += ch[j].size;
	}
	memcpy(&c->code[at + 1], tmp, o * sizeof(*tmp));
out:
	free(ch);
	free(tmp);
}

static int compile_macro_ref(struct pc_ctx *c, const struct jp_value *v)
{
	struct pl_loader *L = c->L;
	struct pl_named *m = NULL;
	const char *file;
	const char *macro;
	int rc;

	if (v->type != JP_STR) {
		char b[96];

		pc_err(c, v->line, v->col, "\"macro\" takes a macro name; found %s",
		       show(v, b, sizeof(b)));
		return -1;
	}
	for (size_t i = 0; i < L->nmacros; i++)
		if (!strcmp(L->macros[i].name, v->str.s))
			m = &L->macros[i];
	if (!m) {
		const char *names[64], *sug;
		size_t n = L->nmacros < 64 ? L->nmacros : 64;

		for (size_t i = 0; i < n; i++)
			names[i] = L->macros[i].name;
		sug = pol_suggest(v->str.s, names, n);
		pc_err(c, v->line, v->col, "undefined macro \"%s\"%s%s%s",
		       v->str.s, sug ? " (did you mean \"" : "", sug ? sug : "",
		       sug ? "\"?)" : "");
		return -1;
	}
	if (m->state == PL_UNSEEN)
		pc_validate_macro(L, m);
	if (m->state == PL_VISITING) {
		char chain[512];
		size_t o = 0, start = 0;

		for (size_t i = 0; i < L->depth; i++)
			if (L->stack[i] == m)
				start = i;
		chain[0] = 0;
		for (size_t i = start; i < L->depth && o < sizeof(chain); i++)
			o += (size_t)snprintf(chain + o, sizeof(chain) - o, "%s -> ",
					      L->stack[i]->name);
		if (o < sizeof(chain))
			snprintf(chain + o, sizeof(chain) - o, "%s", m->name);
		/* A cycle is reported even while expanding silently: it is
		 * found only once, on the first walk. */
		int silent = c->silent;

		c->silent = 0;
		pc_err(c, v->line, v->col, "cyclic macro reference: %s", chain);
		c->silent = silent;
		return -1;
	}
	if (m->state == PL_BAD) {
		c->failed = true;	/* its errors are already reported */
		return -1;
	}
	if (L->depth >= PC_MAX_MACRO_DEPTH) {
		pc_err(c, v->line, v->col, "macros nested more than %d deep",
		       PC_MAX_MACRO_DEPTH);
		return -1;
	}
	file = c->file;
	macro = c->macro;
	c->file = m->file;
	c->macro = m->name;
	c->silent++;
	L->stack[L->depth++] = m;
	rc = pc_compile(c, m->val);
	L->depth--;
	c->silent--;
	c->file = file;
	c->macro = macro;
	return rc;
}

void pc_validate_macro(struct pl_loader *L, struct pl_named *m)
{
	struct pc_ctx c = { .L = L, .file = m->file, .macro = m->name };

	if (L->depth >= PC_MAX_MACRO_DEPTH) {
		L->nerr++;
		pd_add(L->diags, m->file, m->line, m->col, NULL,
		       "macro \"%s\": macros nested more than %d deep", m->name,
		       PC_MAX_MACRO_DEPTH);
		m->state = PL_BAD;
		return;
	}
	m->state = PL_VISITING;
	L->stack[L->depth++] = m;
	pc_compile(&c, m->val);
	L->depth--;
	if (c.too_big) {
		L->nerr++;
		pd_add(L->diags, m->file, m->line, m->col, NULL,
		       "macro \"%s\": expands to more than %d conditions",
		       m->name, PC_MAX_NODES);
	}
	m->state = c.failed ? PL_BAD : PL_OK;
	free(c.code);
}

int pc_compile(struct pc_ctx *c, const struct jp_value *v)
{
	const struct jp_member *kw[K__COUNT] = { 0 };
	const struct jp_member *first = NULL;
	size_t at;
	long i;

	if (v->type != JP_OBJ) {
		pc_err(c, v->line, v->col,
		       "a condition is an object ({\"field\": ...}, {\"all\": [...]}, {\"any\": [...]}, {\"not\": ...} or {\"macro\": ...}); found %s",
		       jp_type_name(v->type));
		return -1;
	}
	for (size_t m = 0; m < v->obj.n; m++)
		for (int k = 0; k < K__COUNT; k++)
			if (!strcmp(v->obj.v[m].key, cond_keys[k])) {
				kw[k] = &v->obj.v[m];
				if (!first) {
					first = kw[k];
				} else {
					pc_err(c, kw[k]->line, kw[k]->col,
					       "a condition has exactly one of all, any, not, macro, field; this one has \"%s\" and \"%s\" (wrap them in {\"all\": [...]})",
					       first->key, kw[k]->key);
					return -1;
				}
			}
	if (!first) {
		for (size_t m = 0; m < v->obj.n; m++)
			for (int o = 0; o < PT__COUNT; o++)
				if (!strcmp(v->obj.v[m].key, pc_op_names[o])) {
					pc_err(c, v->obj.v[m].line, v->obj.v[m].col,
					       "operator \"%s\" needs a \"field\"",
					       pc_op_names[o]);
					return -1;
				}
		if (!v->obj.n) {
			pc_err(c, v->line, v->col,
			       "empty condition: give one of all, any, not, macro, field");
		} else {
			const struct jp_member *mm = &v->obj.v[0];
			const char *sug = pol_suggest(mm->key, cond_keys, K__COUNT);

			pc_err(c, mm->line, mm->col,
			       "unknown key \"%s\" in a condition%s%s%s (expected one of all, any, not, macro, field)",
			       mm->key, sug ? " (did you mean \"" : "",
			       sug ? sug : "", sug ? "\"?)" : "");
		}
		return -1;
	}
	if (kw[K_FIELD])
		return compile_test(c, v, kw[K_FIELD]);
	for (size_t m = 0; m < v->obj.n; m++)
		if (&v->obj.v[m] != first)
			pc_err(c, v->obj.v[m].line, v->obj.v[m].col,
			       "unknown key \"%s\" in a \"%s\" condition",
			       v->obj.v[m].key, first->key);
	if (kw[K_MACRO])
		return compile_macro_ref(c, first->val);

	const struct jp_value *val = first->val;

	i = pc_emit(c);
	if (i < 0)
		return -1;
	at = (size_t)i;
	if (kw[K_NOT]) {
		c->code[at].type = PC_NOT;
		pc_compile(c, val);
	} else {
		c->code[at].type = kw[K_ALL] ? PC_ALL : PC_ANY;
		if (val->type != JP_ARR) {
			pc_err(c, val->line, val->col,
			       "\"%s\" takes an array of conditions; found %s",
			       first->key, jp_type_name(val->type));
			return -1;
		}
		if (!val->arr.n) {
			pc_err(c, val->line, val->col,
			       "an empty \"%s\" is always %s; write the conditions it should test",
			       first->key, kw[K_ALL] ? "true" : "false");
			return -1;
		}
		for (size_t k = 0; k < val->arr.n; k++)
			pc_compile(c, val->arr.v[k]);
	}
	if (c->failed)
		return -1;
	c->code[at].size = (uint32_t)(c->n - at);
	uint32_t cost = 1;

	for (size_t k = at + 1; k < c->n; k += c->code[k].size)
		cost += c->code[k].cost;
	c->code[at].cost = cost;
	if (c->code[at].type != PC_NOT)
		order_children(c, at);
	return 0;
}

/* Evaluation: hot path, no allocation. */

static bool num_eq(const struct pc_node *n, uint64_t v, uint64_t want)
{
	if (n->cmp == CMP_MODE && want <= 07777)
		return (v & 07777) == want;
	return v == want;
}

static bool num_in(const struct pc_node *n, uint64_t v)
{
	if (n->cmp == CMP_OPMASK)
		return v < 32 && (n->u.opmask >> v & 1);
	if (n->cmp == CMP_MODE) {
		for (uint32_t i = 0; i < n->n; i++)
			if (num_eq(n, v, n->u.nums[i]))
				return true;
		return false;
	}
	uint32_t lo = 0, hi = n->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (n->u.nums[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n->n && n->u.nums[lo] == v;
}

static bool str_in(const struct pc_node *n, const char *s)
{
	uint32_t lo = 0, hi = n->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int r = strcmp(n->u.strs[mid], s);

		if (!r)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool test(const struct pc_node *n, const struct pm_event *ev)
{
	unsigned int f = n->field;

	if (n->op == PT_BITS_ADDED) {
		uint64_t b = n->u.num;

		if (!pm_event_has(ev, PM_F_OLD_MODE) || !pm_event_has(ev, PM_F_NEW_MODE))
			return false;
		return (ev->num[PM_F_NEW_MODE] & b) == b &&
		       (ev->num[PM_F_OLD_MODE] & b) != b;
	}
	if (!pm_event_has(ev, f))
		return false;
	if (f < PM_F_NUM_COUNT) {
		uint64_t v = ev->num[f];

		switch (n->op) {
		case PT_EQ: return num_eq(n, v, n->u.num);
		case PT_NE: return !num_eq(n, v, n->u.num);
		case PT_IN: return num_in(n, v);
		case PT_LT: return v < n->u.num;
		case PT_LE: return v <= n->u.num;
		case PT_GT: return v > n->u.num;
		case PT_GE: return v >= n->u.num;
		case PT_BITS_SET: return (v & n->u.num) == n->u.num;
		default: return false;
		}
	}
	const char *s = ev->str[f - PM_F_NUM_COUNT];

	if (!s)
		return false;
	switch (n->op) {
	case PT_EQ: return s[0] == n->u.str[0] && !strcmp(s, n->u.str);
	case PT_NE: return strcmp(s, n->u.str) != 0;
	case PT_IN: return str_in(n, s);
	case PT_PREFIX: return !strncmp(s, n->u.str, n->n);
	case PT_GLOB: return !fnmatch(n->u.str, s, FNM_PATHNAME);
	case PT_REGEX: return !regexec(&n->u.re->re, s, 0, NULL, 0);
	default: return false;
	}
}

bool pc_eval(const struct pc_node *n, const struct pm_event *ev)
{
	const struct pc_node *c, *end;

	switch (n->type) {
	case PC_TEST:
		return test(n, ev);
	case PC_NOT:
		return !pc_eval(n + 1, ev);
	case PC_ALL:
		end = n + n->size;
		for (c = n + 1; c < end; c += c->size)
			if (!pc_eval(c, ev))
				return false;
		return true;
	case PC_ANY:
		end = n + n->size;
		for (c = n + 1; c < end; c += c->size)
			if (pc_eval(c, ev))
				return true;
		return false;
	}
	return false;
}
