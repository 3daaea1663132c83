// SPDX-License-Identifier: MIT
/*
 * policy_index.c - the matcher: rules bucketed by op and by a literal
 * prefix of `path` or `path2`, so an event is evaluated only against rules
 * that can possibly match it.
 *
 * From each enabled rule's compiled condition (policy_keys.c) we derive
 * the ops it can match and literal strings one of which every matching
 * event's path or path2 starts with. Rules with such strings hang on a
 * byte trie per field at each of them; the others go into the bucket of
 * each op they can match. An event then costs a walk along its path (and
 * path2) plus the evaluation of its op bucket and of the rules hung on the
 * trie nodes it passes; a rule hung on both tries is evaluated once. Matches are kept in policy order by insertion into the caller's
 * array, so the hot path allocates nothing. Events whose op is outside the
 * buckets (or absent) take the naive path; the property test
 * (tests/unit/check_policy_index.c) holds the two to the same answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* The trie, compact form. */
struct pi_tnode {
	uint32_t edge0, nedge;
	uint32_t rule0, nrule;
};
struct pi_tedge {
	uint32_t child;
	unsigned char c;
};
struct pi_trie {
	struct pi_tnode *nodes;
	struct pi_tedge *edges;
	const struct policy_rule **rules;
	size_t nnodes;
};

/* Build form: first-child / next-sibling. */
struct bnode {
	uint32_t child, sibling;	/* 0: none (node 0 is the root) */
	unsigned char c;
	uint32_t *rules;
	size_t nrules;
};

struct builder {
	struct bnode *v;
	size_t n, cap;
};

static long b_new(struct builder *b, unsigned char c)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct bnode *t = realloc(b->v, cap * sizeof(*t));

		if (!t)
			return -1;
		b->v = t;
		b->cap = cap;
	}
	memset(&b->v[b->n], 0, sizeof(b->v[0]));
	b->v[b->n].c = c;
	return (long)b->n++;
}

static int b_insert(struct builder *b, const char *s, size_t len, uint32_t rule)
{
	uint32_t cur = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		uint32_t k = b->v[cur].child;

		while (k && b->v[k].c != ch)
			k = b->v[k].sibling;
		if (!k) {
			long nk = b_new(b, ch);

			if (nk < 0)
				return -ENOMEM;
			k = (uint32_t)nk;
			b->v[k].sibling = b->v[cur].child;
			b->v[cur].child = k;
		}
		cur = k;
	}
	uint32_t *t = realloc(b->v[cur].rules, (b->v[cur].nrules + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	t[b->v[cur].nrules++] = rule;
	b->v[cur].rules = t;
	return 0;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct pi_tedge *x = a, *y = b;

	return x->c - y->c;
}

/* Build-node indices become compact indices in creation order, which is
 * all the walk needs. */
static int b_finish(struct builder *b, struct policy *p, struct pi_trie *t)
{
	size_t nrules = 0, ne = 0, er = 0, rr = 0;

	for (size_t i = 0; i < b->n; i++)
		nrules += b->v[i].nrules;
	t->nnodes = b->n;
	t->nodes = calloc(b->n, sizeof(*t->nodes));
	t->edges = calloc(b->n ? b->n : 1, sizeof(*t->edges));
	t->rules = calloc(nrules ? nrules : 1, sizeof(*t->rules));
	if (!t->nodes || !t->edges || !t->rules)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		struct pi_tnode *tn = &t->nodes[i];

		tn->edge0 = (uint32_t)er;
		for (uint32_t k = b->v[i].child; k; k = b->v[k].sibling)
			t->edges[er++] = (struct pi_tedge){ k, b->v[k].c };
		tn->nedge = (uint32_t)(er - tn->edge0);
		qsort(&t->edges[tn->edge0], tn->nedge, sizeof(*t->edges), edge_cmp);
		tn->rule0 = (uint32_t)rr;
		for (size_t k = 0; k < b->v[i].nrules; k++)
			t->rules[rr++] = p->rules[b->v[i].rules[k]];
		tn->nrule = (uint32_t)(rr - tn->rule0);
		ne++;
	}
	(void)ne;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct pc_key *x = a, *y = b;

	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

void pi_free(struct policy *p)
{
	for (int i = 0; i < PI_NOPS; i++) {
		free(p->unb[i]);
		p->unb[i] = NULL;
		p->n_unb[i] = 0;
	}
	for (int i = 0; i < 2; i++) {
		if (!p->trie[i])
			continue;
		free(p->trie[i]->nodes);
		free(p->trie[i]->edges);
		free(p->trie[i]->rules);
		free(p->trie[i]);
		p->trie[i] = NULL;
	}
}

int pi_build(struct policy *p)
{
	struct builder b[2] = { { 0 } };
	int rc = -ENOMEM;

	for (int t = 0; t < 2; t++) {
		p->trie[t] = calloc(1, sizeof(*p->trie[t]));
		if (!p->trie[t] || b_new(&b[t], 0) < 0)
			goto out;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		struct policy_rule *r = p->rules[i];
		bool in[2] = { false, false };
		struct pc_keys k;

		if (!r->enabled)
			continue;
		r->opmask = pc_ops(r->code);
		if (pc_keys(r->code, 1ULL << PM_F_PATH | 1ULL << PM_F_PATH2, &k))
			goto out;
		if (k.unbounded) {
			for (int op = 0; op < PI_NOPS; op++) {
				const struct policy_rule **t;

				if (!(r->opmask >> op & 1))
					continue;
				t = realloc(p->unb[op], (p->n_unb[op] + 1) * sizeof(*t));
				if (!t) {
					pc_keys_free(&k);
					goto out;
				}
				t[p->n_unb[op]++] = r;
				p->unb[op] = t;
			}
		} else {
			/* Drop keys another key of this rule (on the same
			 * field) is a prefix of, so a walk meets the rule at
			 * most once per trie. */
			qsort(k.v, k.n, sizeof(*k.v), key_cmp);
			for (size_t j = 0, last = SIZE_MAX; j < k.n; j++) {
				int t = k.v[j].field == PM_F_PATH2;

				if (last != SIZE_MAX && k.v[j].field == k.v[last].field &&
				    k.v[j].len >= k.v[last].len &&
				    !memcmp(k.v[j].s, k.v[last].s, k.v[last].len))
					continue;
				last = j;
				in[t] = true;
				if (b_insert(&b[t], k.v[j].s, k.v[j].len, (uint32_t)i)) {
					pc_keys_free(&k);
					goto out;
				}
			}
			r->dual = in[0] && in[1];
		}
		pc_keys_free(&k);
	}
	rc = b_finish(&b[0], p, p->trie[0]);
	if (!rc)
		rc = b_finish(&b[1], p, p->trie[1]);
out:
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < b[t].n; i++)
			free(b[t].v[i].rules);
		free(b[t].v);
	}
	return rc;
}

/* Keeps out[] the first `max` matches in policy order. */
static void add_match(const struct policy_rule **out, size_t max, size_t *cnt,
		      const struct policy_rule *r)
{
	size_t stored = *cnt < max ? *cnt : max;
	size_t j;

	(*cnt)++;
	if (stored == max) {
		if (!max || out[max - 1]->index < r->index)
			return;
		stored--;	/* the last one falls off */
	}
	for (j = stored; j > 0 && out[j - 1]->index > r->index; j--)
		out[j] = out[j - 1];
	out[j] = r;
}

size_t policy_match_naive(const struct policy *p, const struct pm_event *ev,
			  const struct policy_rule **out, size_t max)
{
	size_t cnt = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = p->rules[i];

		if (r->enabled && pc_eval(r->code, ev)) {
			if (cnt < max)
				out[cnt] = r;
			cnt++;
		}
	}
	return cnt;
}

static const struct pi_tnode *step(const struct pi_trie *t,
				   const struct pi_tnode *n, unsigned char ch)
{
	const struct pi_tedge *e = t->edges + n->edge0;
	uint32_t lo = 0, hi = n->nedge;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (e[mid].c == ch)
			return &t->nodes[e[mid].child];
		if (e[mid].c < ch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Rules hung in both tries seen by the path walk, so the path2 walk does
 * not evaluate them twice. Bounded: past it, the naive path answers. */
#define PI_MAX_DUAL 64

size_t policy_match(const struct policy *p, const struct pm_event *ev,
		    const struct policy_rule **out, size_t max)
{
	const struct policy_rule *met[PI_MAX_DUAL];
	size_t cnt = 0, nmet = 0;
	uint64_t op;

	if (!pm_event_has(ev, PM_F_OP) || ev->num[PM_F_OP] >= PI_NOPS ||
	    !p->trie[0] || !p->trie[1])
		return policy_match_naive(p, ev, out, max);
	op = ev->num[PM_F_OP];
	for (size_t i = 0; i < p->n_unb[op]; i++)
		if (pc_eval(p->unb[op][i]->code, ev))
			add_match(out, max, &cnt, p->unb[op][i]);
	for (int t = 0; t < 2; t++) {
		const struct pi_trie *tr = p->trie[t];
		const char *path = pm_event_str(ev, t ? PM_F_PATH2 : PM_F_PATH);
		const struct pi_tnode *n;

		if (!path || !tr->nnodes)
			continue;
		n = &tr->nodes[0];
		for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
			n = step(tr, n, *s);
			if (!n)
				break;
			for (uint32_t i = 0; i < n->nrule; i++) {
				const struct policy_rule *r = tr->rules[n->rule0 + i];

				if (!(r->opmask >> op & 1))
					continue;
				if (r->dual) {
					if (t == 0) {
						if (nmet == PI_MAX_DUAL)
							return policy_match_naive(p, ev, out, max);
						met[nmet++] = r;
					} else {
						size_t j = 0;

						while (j < nmet && met[j] != r)
							j++;
						if (j < nmet)
							continue;
					}
				}
				if (pc_eval(r->code, ev))
					add_match(out, max, &cnt, r);
			}
		}
	}
	return cnt;
}
