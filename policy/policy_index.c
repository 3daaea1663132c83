// SPDX-License-Identifier: MIT
/*
 * policy_index.c - the matcher: rules bucketed by op and by a literal
 * prefix of `path`, so an event is evaluated only against rules that can
 * possibly match it.
 *
 * From each enabled rule's compiled condition we derive (conservatively)
 * the ops it can match and a set of literal strings one of which every
 * matching path starts with. Rules with such a set go into a byte trie at
 * each of those strings; the others into the bucket of each op they can
 * match. An event then costs one trie walk along its path plus the
 * evaluation of its op bucket and of the rules hung on the trie nodes it
 * passes. Matches are kept in policy order by insertion into the caller's
 * array, so the hot path allocates nothing. Events whose op is outside the
 * buckets (or absent) take the naive path; the property test
 * (tests/unit/check_policy_index.c) holds the two to the same answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

uint32_t pc_ops(const struct pc_node *n)
{
	const struct pc_node *c, *end = n + n->size;
	uint32_t m;

	switch (n->type) {
	case PC_TEST:
		if (n->field != PM_F_OP)
			return PC_ALL_OPS;
		if (n->op == PT_IN)	/* eq and in on op compile to a mask */
			return n->u.opmask;
		if (n->op == PT_NE && n->u.num < 32)
			return PC_ALL_OPS & ~(1u << n->u.num);
		return PC_ALL_OPS;
	case PC_NOT:
		return PC_ALL_OPS;
	case PC_ALL:
		m = PC_ALL_OPS;
		for (c = n + 1; c < end; c += c->size)
			m &= pc_ops(c);
		return m;
	case PC_ANY:
		m = 0;
		for (c = n + 1; c < end; c += c->size)
			m |= pc_ops(c);
		return m;
	}
	return PC_ALL_OPS;
}

void pc_keys_free(struct pc_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].owned)
			free((char *)k->v[i].s);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

static int key_add(struct pc_keys *k, const char *s, size_t len, bool exact,
		   bool copy_slash)
{
	if (!len) {
		k->unbounded = true;	/* "" bounds nothing */
		return 0;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4;
		struct pc_key *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	if (copy_slash) {
		/* dir D: the path is D + "/" + name (D "/" -> "/" + name) */
		bool root = len == 1 && s[0] == '/';
		char *d = malloc(len + 2);

		if (!d)
			return -ENOMEM;
		memcpy(d, s, len);
		if (!root)
			d[len++] = '/';
		d[len] = 0;
		k->v[k->n++] = (struct pc_key){ d, len, false, true };
		return 0;
	}
	k->v[k->n++] = (struct pc_key){ s, len, exact, false };
	return 0;
}

/* Literal leading part of a glob: up to the first special character. */
static size_t glob_lit(const char *g)
{
	return strcspn(g, "*?[\\");
}

/* Literal leading part of an anchored ERE ("^/etc/ssh/.*" -> "/etc/ssh/"),
 * 0 when not anchored or when a top-level '|' could escape the anchor. */
static bool top_level_alternation(const char *re)
{
	int depth = 0;

	for (size_t i = 0; re[i]; i++) {
		if (re[i] == '\\' && re[i + 1]) {
			i++;
		} else if (re[i] == '[') {
			/* a bracket expression: ']' first is literal */
			i++;
			if (re[i] == '^')
				i++;
			if (re[i] == ']')
				i++;
			while (re[i] && re[i] != ']')
				i++;
			if (!re[i])
				return true;	/* cannot happen after regcomp */
		} else if (re[i] == '(') {
			depth++;
		} else if (re[i] == ')') {
			depth--;
		} else if (re[i] == '|' && depth <= 0) {
			return true;
		}
	}
	return false;
}

static size_t regex_lit(const char *re, const char **start)
{
	size_t i = 1;

	*start = re + 1;
	if (re[0] != '^' || top_level_alternation(re))
		return 0;
	while (re[i] && !strchr(".[]()*+?{}|^$\\", re[i]))
		i++;
	/* a quantifier after the last literal may make it optional */
	if (i > 1 && (re[i] == '*' || re[i] == '?' || re[i] == '{'))
		i--;
	return i - 1;
}

static int keys_rec(const struct pc_node *n, uint64_t fm, struct pc_keys *out);

/* For `all`: the bounded child with the longest shortest key. */
static int keys_all(const struct pc_node *n, uint64_t fm, struct pc_keys *out)
{
	const struct pc_node *c, *end = n + n->size;
	struct pc_keys best = { .unbounded = true };
	size_t best_min = 0;

	for (c = n + 1; c < end; c += c->size) {
		struct pc_keys k = { 0 };
		size_t mn = SIZE_MAX;

		if (keys_rec(c, fm, &k)) {
			pc_keys_free(&k);
			pc_keys_free(&best);
			return -ENOMEM;
		}
		if (k.unbounded || !k.n) {
			pc_keys_free(&k);
			continue;
		}
		for (size_t i = 0; i < k.n; i++)
			if (k.v[i].len < mn)
				mn = k.v[i].len;
		if (best.unbounded || mn > best_min ||
		    (mn == best_min && k.n < best.n)) {
			pc_keys_free(&best);
			best = k;
			best_min = mn;
		} else {
			pc_keys_free(&k);
		}
	}
	*out = best;
	return 0;
}

static int keys_rec(const struct pc_node *n, uint64_t fm, struct pc_keys *out)
{
	const struct pc_node *c, *end = n + n->size;
	bool dir;

	switch (n->type) {
	case PC_NOT:
		out->unbounded = true;
		return 0;
	case PC_ALL:
		return keys_all(n, fm, out);
	case PC_ANY:
		for (c = n + 1; c < end && !out->unbounded; c += c->size) {
			struct pc_keys k = { 0 };

			if (keys_rec(c, fm, &k)) {
				pc_keys_free(&k);
				return -ENOMEM;
			}
			if (k.unbounded) {
				out->unbounded = true;
			} else {
				for (size_t i = 0; i < k.n; i++) {
					if (key_add(out, k.v[i].s, k.v[i].len,
						    k.v[i].exact, false)) {
						pc_keys_free(&k);
						return -ENOMEM;
					}
					out->v[out->n - 1].owned = k.v[i].owned;
					k.v[i].owned = false;
				}
			}
			pc_keys_free(&k);
		}
		return 0;
	case PC_TEST:
		break;
	}
	if (!(fm >> n->field & 1)) {
		out->unbounded = true;
		return 0;
	}
	dir = n->field == PM_F_DIR;
	switch (n->op) {
	case PT_EQ:
		return key_add(out, n->u.str, n->n, !dir, dir);
	case PT_IN:
		if (!n->n)
			return 0;	/* in [] never matches: bounded by nothing */
		for (uint32_t i = 0; i < n->n; i++)
			if (key_add(out, n->u.strs[i], strlen(n->u.strs[i]), !dir, dir))
				return -ENOMEM;
		return 0;
	case PT_PREFIX:
		return key_add(out, n->u.str, n->n, false, false);
	case PT_GLOB:
		return key_add(out, n->u.str, glob_lit(n->u.str), false, false);
	case PT_REGEX: {
		const char *s;
		size_t l = regex_lit(n->u.re->src, &s);

		return key_add(out, s, l, false, false);
	}
	default:
		out->unbounded = true;
		return 0;
	}
}

int pc_keys(const struct pc_node *n, uint64_t fieldmask, struct pc_keys *out)
{
	memset(out, 0, sizeof(*out));
	return keys_rec(n, fieldmask, out);
}

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
	if (p->trie) {
		free(p->trie->nodes);
		free(p->trie->edges);
		free(p->trie->rules);
		free(p->trie);
		p->trie = NULL;
	}
}

int pi_build(struct policy *p)
{
	struct builder b = { 0 };
	int rc = -ENOMEM;

	p->trie = calloc(1, sizeof(*p->trie));
	if (!p->trie || b_new(&b, 0) < 0)
		goto out;
	for (size_t i = 0; i < p->nrules; i++) {
		struct policy_rule *r = p->rules[i];
		struct pc_keys k;

		if (!r->enabled)
			continue;
		r->opmask = pc_ops(r->code);
		if (pc_keys(r->code, 1ULL << PM_F_PATH, &k))
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
			/* Drop keys another key of this rule is a prefix of, so a
			 * walk meets the rule at most once. */
			qsort(k.v, k.n, sizeof(*k.v), key_cmp);
			for (size_t j = 0, last = SIZE_MAX; j < k.n; j++) {
				if (last != SIZE_MAX && k.v[j].len >= k.v[last].len &&
				    !memcmp(k.v[j].s, k.v[last].s, k.v[last].len))
					continue;
				last = j;
				if (b_insert(&b, k.v[j].s, k.v[j].len, (uint32_t)i)) {
					pc_keys_free(&k);
					goto out;
				}
			}
		}
		pc_keys_free(&k);
	}
	rc = b_finish(&b, p, p->trie);
out:
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i].rules);
	free(b.v);
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

size_t policy_match(const struct policy *p, const struct pm_event *ev,
		    const struct policy_rule **out, size_t max)
{
	const struct pi_trie *t = p->trie;
	const struct pi_tnode *n;
	const char *path;
	size_t cnt = 0;
	uint64_t op;

	if (!pm_event_has(ev, PM_F_OP) || ev->num[PM_F_OP] >= PI_NOPS || !t)
		return policy_match_naive(p, ev, out, max);
	op = ev->num[PM_F_OP];
	for (size_t i = 0; i < p->n_unb[op]; i++)
		if (pc_eval(p->unb[op][i]->code, ev))
			add_match(out, max, &cnt, p->unb[op][i]);
	path = pm_event_str(ev, PM_F_PATH);
	if (!path || !t->nnodes)
		return cnt;
	n = &t->nodes[0];
	for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
		n = step(t, n, *s);
		if (!n)
			break;
		for (uint32_t i = 0; i < n->nrule; i++) {
			const struct policy_rule *r = t->rules[n->rule0 + i];

			if ((r->opmask >> op & 1) && pc_eval(r->code, ev))
				add_match(out, max, &cnt, r);
		}
	}
	return cnt;
}
