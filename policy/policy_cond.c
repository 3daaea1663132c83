// SPDX-License-Identifier: MIT
/*
 * policy_cond.c - conditions: their structure (all/any/not/macro), macro
 * expansion and cycles, the compact preorder form of policy_int.h. Field
 * tests are policy_test.c, evaluation policy_eval.c.
 *
 * Children of all/any are reordered cheapest first: evaluation has no side
 * effects, so the result is the same and expensive regexes run last.
 */
#include <errno.h>
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
	[PT_UNDER] = "under", [PT_BITS_ANY] = "bits_any",
};

static const char *const cond_keys[] = { "all", "any", "not", "macro", "field" };
enum { K_ALL, K_ANY, K_NOT, K_MACRO, K_FIELD, K__COUNT };

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

void pc_warn(struct pc_ctx *c, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->silent)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->macro)
		pl_warn(c->L, c->file, line, col, NULL, "macro \"%s\": %s",
			c->macro, msg);
	else
		pl_warn(c->L, c->file, line, col, c->rule, "%s", msg);
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

	if (!jp_name(v)) {
		char b[96];

		pc_err(c, v->line, v->col, "\"macro\" takes a macro name; found %s",
		       pc_show(v, b, sizeof(b)));
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
		/* Like a cycle, reported even while expanding silently: when
		 * the inner macros were defined first, each of them validated
		 * fine on its own and only this expansion goes too deep. */
		int silent = c->silent;

		c->silent = 0;
		pc_err(c, v->line, v->col, "macros nested more than %d deep",
		       PC_MAX_MACRO_DEPTH);
		c->silent = silent;
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
		return pc_compile_test(c, v, kw[K_FIELD]);
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
