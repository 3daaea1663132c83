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

/*
 * Glob rules are hung deeper than their literal start. With FNM_PATHNAME a
 * glob's '/' only ever match a path's '/', so the glob
 * "/home/<star>/.config/app7/<star>" matches only paths whose third
 * component below "/home/" is "app7": such a rule hangs on the node of
 * "/home/" keyed by (component 2, "app7") and is evaluated only for paths
 * that have it, instead of for every path under /home. Of a glob's literal components the one rarest among the
 * policy's globs is used.
 */
struct pi_comp {
	const char *s;		/* the component, in the rule's glob */
	uint32_t len, j;	/* its length; its index below the node */
	const struct policy_rule *r;
};

/* The trie, compact form. */
struct pi_tnode {
	uint32_t edge0, nedge;
	uint32_t rule0, nrule;
	uint32_t comp0, ncomp, maxj;
};
struct pi_tedge {
	uint32_t child;
	unsigned char c;
};
struct pi_trie {
	struct pi_tnode *nodes;
	struct pi_tedge *edges;
	const struct policy_rule **rules;
	struct pi_comp *comps;
	size_t nnodes;
};

/* Build form: first-child / next-sibling. */
struct bcomp {
	const char *s;
	uint32_t len, j, rule;
};

struct bnode {
	uint32_t child, sibling;	/* 0: none (node 0 is the root) */
	unsigned char c;
	uint32_t *rules;
	size_t nrules;
	struct bcomp *comps;
	size_t ncomps;
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

/* The node for s[0..len), created as needed; -1 without memory. */
static long b_node(struct builder *b, const char *s, size_t len)
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
				return -1;
			k = (uint32_t)nk;
			b->v[k].sibling = b->v[cur].child;
			b->v[cur].child = k;
		}
		cur = k;
	}
	return (long)cur;
}

static int b_insert(struct builder *b, const char *s, size_t len, uint32_t rule)
{
	long n = b_node(b, s, len);
	uint32_t *t;

	if (n < 0)
		return -ENOMEM;
	t = realloc(b->v[n].rules, (b->v[n].nrules + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	t[b->v[n].nrules++] = rule;
	b->v[n].rules = t;
	return 0;
}

static int b_insert_comp(struct builder *b, const char *s, size_t len,
			 const struct bcomp *c)
{
	long n = b_node(b, s, len);
	struct bcomp *t;

	if (n < 0)
		return -ENOMEM;
	t = realloc(b->v[n].comps, (b->v[n].ncomps + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	t[b->v[n].ncomps++] = *c;
	b->v[n].comps = t;
	return 0;
}

static int comp_cmp(uint32_t j1, const char *s1, uint32_t l1,
		    uint32_t j2, const char *s2, uint32_t l2)
{
	int c;

	if (j1 != j2)
		return j1 < j2 ? -1 : 1;
	if (l1 != l2)
		return l1 < l2 ? -1 : 1;
	c = memcmp(s1, s2, l1);
	return c;
}

static int pi_comp_cmp(const void *a, const void *b)
{
	const struct pi_comp *x = a, *y = b;
	int c = comp_cmp(x->j, x->s, x->len, y->j, y->s, y->len);

	if (c)
		return c;
	return x->r->index < y->r->index ? -1 : x->r->index > y->r->index;
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
	size_t nrules = 0, ncomps = 0, er = 0, rr = 0, cc = 0;

	for (size_t i = 0; i < b->n; i++) {
		nrules += b->v[i].nrules;
		ncomps += b->v[i].ncomps;
	}
	t->nnodes = b->n;
	t->nodes = calloc(b->n, sizeof(*t->nodes));
	t->edges = calloc(b->n ? b->n : 1, sizeof(*t->edges));
	t->rules = calloc(nrules ? nrules : 1, sizeof(*t->rules));
	t->comps = calloc(ncomps ? ncomps : 1, sizeof(*t->comps));
	if (!t->nodes || !t->edges || !t->rules || !t->comps)
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
		tn->comp0 = (uint32_t)cc;
		for (size_t k = 0; k < b->v[i].ncomps; k++) {
			const struct bcomp *bc = &b->v[i].comps[k];

			t->comps[cc++] = (struct pi_comp){ bc->s, bc->len, bc->j,
							   p->rules[bc->rule] };
			if (bc->j > tn->maxj)
				tn->maxj = bc->j;
		}
		tn->ncomp = (uint32_t)(cc - tn->comp0);
		qsort(&t->comps[tn->comp0], tn->ncomp, sizeof(*t->comps), pi_comp_cmp);
	}
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
		free(p->trie[i]->comps);
		free(p->trie[i]);
		p->trie[i] = NULL;
	}
}

/* A literal component of a glob, candidate for hanging its rule. */
struct cand {
	size_t rule;
	int t;			/* trie: 0 path, 1 path2 */
	const char *node;	/* the glob's start up to its last '/' before */
	size_t nodelen;		/* the first wildcard */
	struct bcomp c;
	size_t count;		/* globs with the same node and component */
};

static int cand_key_cmp(const struct cand *x, const struct cand *y)
{
	int c;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->nodelen != y->nodelen)
		return x->nodelen < y->nodelen ? -1 : 1;
	c = memcmp(x->node, y->node, x->nodelen);
	if (c)
		return c;
	return comp_cmp(x->c.j, x->c.s, x->c.len, y->c.j, y->c.s, y->c.len);
}

static int cand_cmp(const void *a, const void *b)
{
	return cand_key_cmp(a, b);
}

/* Candidates of a rule whose only key is a glob's literal start. */
static int glob_cands(const struct pc_key *k, size_t rule, struct cand **v,
		      size_t *n, size_t *cap)
{
	const char *g = k->glob, *rest;
	size_t nodelen = k->len;
	uint32_t j = 0;

	if (strchr(g, '\\'))
		return 0;	/* an escaped '/' would shift components */
	while (nodelen && g[nodelen - 1] != '/')
		nodelen--;
	if (!nodelen)
		return 0;
	rest = g + nodelen;
	for (;;) {
		size_t len = strcspn(rest, "/");

		if (len && strcspn(rest, "*?[") >= len) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 64;
				struct cand *t = realloc(*v, nc * sizeof(*t));

				if (!t)
					return -ENOMEM;
				*v = t;
				*cap = nc;
			}
			(*v)[(*n)++] = (struct cand){
				.rule = rule, .t = k->field == PM_F_PATH2,
				.node = g, .nodelen = nodelen,
				.c = { rest, (uint32_t)len, j, (uint32_t)rule },
			};
		}
		if (!rest[len])
			break;
		rest += len + 1;
		j++;
	}
	return 0;
}

int pi_build(struct policy *p)
{
	struct builder b[2] = { { 0 } };
	struct pc_keys *keys = calloc(p->nrules ? p->nrules : 1, sizeof(*keys));
	size_t *best = malloc((p->nrules ? p->nrules : 1) * sizeof(*best));
	struct cand *cands = NULL;
	size_t ncands = 0, capcands = 0;
	int rc = -ENOMEM;

	if (!keys || !best)
		goto out;
	for (int t = 0; t < 2; t++) {
		p->trie[t] = calloc(1, sizeof(*p->trie[t]));
		if (!p->trie[t] || b_new(&b[t], 0) < 0)
			goto out;
	}
	/* Keys of every rule, deduplicated; glob candidates. */
	for (size_t i = 0; i < p->nrules; i++) {
		struct policy_rule *r = p->rules[i];
		struct pc_keys *k = &keys[i];
		bool in[2] = { false, false };
		size_t m = 0, nkeys;

		best[i] = SIZE_MAX;
		if (!r->enabled)
			continue;
		r->opmask = pc_ops(r->code);
		if (pc_keys(r->code, 1ULL << PM_F_PATH | 1ULL << PM_F_PATH2, k))
			goto out;
		if (k->unbounded)
			continue;
		/* Drop keys another key of this rule (on the same field) is
		 * a prefix of, so a walk meets the rule at most once per
		 * trie. */
		nkeys = k->n;
		if (k->n)
			qsort(k->v, k->n, sizeof(*k->v), key_cmp);
		for (size_t j = 0; j < k->n; j++) {
			if (m && k->v[j].field == k->v[m - 1].field &&
			    k->v[j].len >= k->v[m - 1].len &&
			    !memcmp(k->v[j].s, k->v[m - 1].s, k->v[m - 1].len)) {
				if (k->v[j].owned)
					free((char *)k->v[j].s);
				continue;
			}
			k->v[m++] = k->v[j];
			in[k->v[j].field == PM_F_PATH2] = true;
		}
		k->n = m;
		r->dual = in[0] && in[1];
		/* hung by a glob's component only when that glob is all that
		 * bounds the rule: a key it absorbed ("/e" absorbs "/etc/")
		 * may match paths without the component */
		if (nkeys == 1 && k->v[0].glob &&
		    glob_cands(&k->v[0], i, &cands, &ncands, &capcands))
			goto out;
	}
	/* The rarest literal component of each glob rule. */
	if (ncands)
		qsort(cands, ncands, sizeof(*cands), cand_cmp);
	for (size_t i = 0, j; i < ncands; i = j) {
		for (j = i + 1; j < ncands && !cand_key_cmp(&cands[i], &cands[j]); j++)
			;
		for (size_t k = i; k < j; k++)
			cands[k].count = j - i;
	}
	for (size_t i = 0; i < ncands; i++) {
		size_t r = cands[i].rule;

		if (best[r] == SIZE_MAX || cands[i].count < cands[best[r]].count)
			best[r] = i;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		struct policy_rule *r = p->rules[i];
		struct pc_keys *k = &keys[i];

		if (!r->enabled)
			continue;
		if (k->unbounded) {
			for (int op = 0; op < PI_NOPS; op++) {
				const struct policy_rule **t;

				if (!(r->opmask >> op & 1))
					continue;
				t = realloc(p->unb[op], (p->n_unb[op] + 1) * sizeof(*t));
				if (!t)
					goto out;
				t[p->n_unb[op]++] = r;
				p->unb[op] = t;
			}
			continue;
		}
		if (best[i] != SIZE_MAX) {
			const struct cand *c = &cands[best[i]];

			if (b_insert_comp(&b[c->t], c->node, c->nodelen, &c->c))
				goto out;
			continue;
		}
		for (size_t j = 0; j < k->n; j++)
			if (b_insert(&b[k->v[j].field == PM_F_PATH2], k->v[j].s,
				     k->v[j].len, (uint32_t)i))
				goto out;
	}
	rc = b_finish(&b[0], p, p->trie[0]);
	if (!rc)
		rc = b_finish(&b[1], p, p->trie[1]);
out:
	for (size_t i = 0; keys && i < p->nrules; i++)
		pc_keys_free(&keys[i]);
	free(keys);
	free(best);
	free(cands);
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < b[t].n; i++) {
			free(b[t].v[i].rules);
			free(b[t].v[i].comps);
		}
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

/* The glob rules hung on node n by a component of the rest of the path. */
static void match_comps(const struct pi_trie *t, const struct pi_tnode *n,
			const char *rest, const struct pm_event *ev, uint64_t op,
			const struct policy_rule **out, size_t max, size_t *cnt)
{
	const struct pi_comp *c = t->comps + n->comp0;

	for (uint32_t j = 0; j <= n->maxj; j++) {
		uint32_t len = (uint32_t)strcspn(rest, "/");
		uint32_t lo = 0, hi = n->ncomp;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (comp_cmp(c[mid].j, c[mid].s, c[mid].len, j, rest, len) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n->ncomp && !comp_cmp(c[lo].j, c[lo].s, c[lo].len, j, rest, len); lo++) {
			const struct policy_rule *r = c[lo].r;

			if ((r->opmask >> op & 1) && pc_eval(r->code, ev))
				add_match(out, max, cnt, r);
		}
		if (!rest[len])
			break;
		rest += len + 1;
	}
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
			if (n->ncomp)
				match_comps(tr, n, (const char *)s + 1, ev, op, out, max, &cnt);
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
