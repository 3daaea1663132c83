// SPDX-License-Identifier: MIT
/*
 * policy_util.c - the policy's arena, diagnostics (collected, then sorted
 * by position and deduplicated), and "did you mean" suggestions.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

struct pol_chunk {
	struct pol_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *pol_alloc(struct pol_arena *a, size_t size)
{
	struct pol_chunk *c = a->chunks;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!need)
		need = sizeof(max_align_t);
	if (!c || c->cap - c->used < need) {
		size_t cap = need > 32768 ? need : 32768;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = a->chunks;
		c->used = 0;
		c->cap = cap;
		a->chunks = c;
	}
	void *p = (char *)c->data + c->used;

	c->used += need;
	return p;
}

char *pol_strndup(struct pol_arena *a, const char *s, size_t len)
{
	char *d = pol_alloc(a, len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

void pol_arena_free(struct pol_arena *a)
{
	while (a->chunks) {
		struct pol_chunk *n = a->chunks->next;

		free(a->chunks);
		a->chunks = n;
	}
}

int pd_vadd(struct policy_diags *d, const char *file, int line, int col,
	    const char *rule, const char *fmt, va_list ap)
{
	struct policy_diag *g;
	char *msg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct policy_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	g = &d->v[d->n];
	g->file = strdup(file ? file : "");
	g->rule = rule ? strdup(rule) : NULL;
	g->msg = msg;
	g->line = line;
	g->column = col;
	g->warning = false;
	if (!g->file || (rule && !g->rule)) {
		free(g->file);
		free(g->rule);
		free(msg);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

int pd_add(struct policy_diags *d, const char *file, int line, int col,
	   const char *rule, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = pd_vadd(d, file, line, col, rule, fmt, ap);
	va_end(ap);
	return rc;
}

/* Optimal string alignment distance, bounded: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *pol_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = 3, len = strlen(word);

	if (len < 2)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t dd = distance(word, cands[i]);

		if (dd < bd && dd < len) {
			bd = dd;
			best = cands[i];
		}
	}
	return best;
}

static int diag_cmp(const struct policy_diag *x, const struct policy_diag *y)
{
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return 0;
}

/* Sorted by position (stable: insertion sort, there are few), exact
 * repeats dropped. */
void pd_tidy(struct policy_diags *d, size_t from)
{
	struct policy_diag *v;
	size_t n, m = 0;

	if (d->n <= from)
		return;
	v = d->v + from;
	n = d->n - from;

	for (size_t i = 1; i < n; i++) {
		struct policy_diag t = v[i];
		size_t j = i;

		while (j > 0 && diag_cmp(&v[j - 1], &t) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (m && !diag_cmp(&v[m - 1], &v[i]) &&
		    !strcmp(v[m - 1].msg, v[i].msg) &&
		    !v[m - 1].rule == !v[i].rule &&
		    (!v[i].rule || !strcmp(v[m - 1].rule, v[i].rule))) {
			free(v[i].file);
			free(v[i].rule);
			free(v[i].msg);
			continue;
		}
		v[m++] = v[i];
	}
	d->n = from + m;
}

void pl_warn(struct pl_loader *L, const char *file, int line, int col,
	     const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (pd_vadd(L->diags, file, line, col, rule, fmt, ap))
		L->nomem = true;
	else
		L->diags->v[L->diags->n - 1].warning = true;
	va_end(ap);
}

void pl_err(struct pl_loader *L, const char *file, int line, int col,
	    const char *rule, const char *fmt, ...)
{
	va_list ap;

	L->nerr++;
	va_start(ap, fmt);
	if (pd_vadd(L->diags, file, line, col, rule, fmt, ap))
		L->nomem = true;
	va_end(ap);
}
