// SPDX-License-Identifier: MIT
/*
 * policy_keys.c - what a compiled condition implies, conservatively: the
 * ops it can match, and literal strings one of which the path (or path2)
 * of every matching event starts with. The index hangs rules on these
 * strings; the prefilter turns them into directories. "Conservatively"
 * is the contract: a key may be shorter than the truth (less selective),
 * never longer, and a rule that cannot be bounded says so.
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

static int key_add(struct pc_keys *k, uint8_t field, const char *s, size_t len,
		   bool exact, bool copy_slash)
{
	if (!len) {
		k->unbounded = true;	/* "" bounds nothing */
		return 0;
	}
	if (len > PC_MAX_KEY) {
		/* a prefix of the key bounds as safely, and the trie holds
		 * a node per byte (a cut dir key gets no '/') */
		len = PC_MAX_KEY;
		exact = false;
		copy_slash = false;
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
		k->v[k->n++] = (struct pc_key){ .s = d, .len = len, .field = PM_F_PATH,
						 .owned = true };
		return 0;
	}
	k->v[k->n++] = (struct pc_key){ .s = s, .len = len, .field = field,
					 .exact = exact };
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
			/* a bracket expression, "[[:alpha:](]" included:
			 * a '(' or '|' inside it is a member */
			long end = pc_bracket_end(re, i, false, NULL);

			if (end < 0)
				return true;	/* cannot happen after regcomp */
			i = (size_t)end;
		} else if (re[i] == '(') {
			depth++;
		} else if (re[i] == ')') {
			if (depth > 0)	/* else an ordinary character */
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
					if (key_add(out, k.v[i].field, k.v[i].s,
						    k.v[i].len, k.v[i].exact, false)) {
						pc_keys_free(&k);
						return -ENOMEM;
					}
					out->v[out->n - 1].owned = k.v[i].owned;
					out->v[out->n - 1].glob = k.v[i].glob;
					out->v[out->n - 1].under = k.v[i].under;
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
	uint8_t f = dir ? PM_F_PATH : n->field;

	switch (n->op) {
	case PT_EQ:
		return key_add(out, f, n->u.str, n->n, !dir, dir);
	case PT_IN:
		if (!n->n)
			return 0;	/* in [] never matches: bounded by nothing */
		for (uint32_t i = 0; i < n->n; i++)
			if (key_add(out, f, n->u.strs[i], strlen(n->u.strs[i]), !dir, dir))
				return -ENOMEM;
		return 0;
	case PT_PREFIX:
		return key_add(out, f, n->u.str, n->n, false, false);
	case PT_UNDER: {
		/* D itself or below: every such path starts with D */
		size_t before = out->n;
		int rc = key_add(out, f, n->u.str, n->n, false, false);

		if (!rc && out->n > before)
			out->v[out->n - 1].under = true;
		return rc;
	}
	case PT_GLOB: {
		size_t before = out->n;
		int rc = key_add(out, f, n->u.str, glob_lit(n->u.str), false, false);

		if (!rc && out->n > before)
			out->v[out->n - 1].glob = n->u.str;
		return rc;
	}
	case PT_REGEX: {
		const char *s;
		size_t l = regex_lit(n->u.re->src, &s);

		return key_add(out, f, s, l, false, false);
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

