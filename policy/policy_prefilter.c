// SPDX-License-Identifier: MIT
/*
 * policy_prefilter.c - the in-kernel filter a policy allows.
 *
 * Conservative by construction: the filter may let through events no rule
 * matches, never the reverse. Per enabled rule:
 *   ops:  the ops its condition can match (an op test under `all`
 *         narrows, `any` unites, `not` or no op test means every op);
 *   dirs: from literal prefixes of path, path2 or dir that bound it
 *         (`prefix` -> up to its last '/', `eq`/`in` -> the parent dir,
 *         anchored regex / glob -> their literal start). The kernel
 *         passes an event when its path *or* path2 is in a subtree, so a
 *         bound on either field is enough. A rule with no such bound
 *         widens the filter to everything (include_all).
 * Rules that can match setxattr/removexattr are never path-bounded: those
 * events carry a path relative to their filesystem's root (premod.h), so a
 * string bound says nothing about where the file really is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "premod.h"
#include "policy_int.h"

#define KERNEL_OPS (((1u << (PREMOD_OP_MAX + 1)) - 1) & \
		    ~(1u << PREMOD_OP_UNSPEC) & ~(1u << PREMOD_OP_LOST) & \
		    ~(1u << PREMOD_OP_CONFIG))
#define XATTR_OPS ((1u << PREMOD_OP_SETXATTR) | (1u << PREMOD_OP_REMOVEXATTR))

/*
 * The directory whose subtree holds every path starting with the key:
 * the key up to its last '/', with empty components dropped and cut
 * before any "." or ".." (kernel paths have none, so a rule naming one
 * is bounded by what precedes it). NULL: not absolute, or the root.
 */
static char *key_dir(const char *s, size_t len)
{
	char *d;
	size_t o = 0, i = 0;

	if (!len || s[0] != '/')
		return NULL;
	while (len && s[len - 1] != '/')
		len--;
	d = malloc(len + 2);
	if (!d)
		return NULL;
	while (i < len) {
		size_t j;

		while (i < len && s[i] == '/')
			i++;
		j = i;
		while (j < len && s[j] != '/')
			j++;
		if (j == i)
			break;
		if ((j - i == 1 && s[i] == '.') ||
		    (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			break;
		d[o++] = '/';
		memcpy(d + o, s + i, j - i);
		o += j - i;
		i = j;
	}
	if (!o) {
		free(d);
		return NULL;
	}
	d[o] = 0;
	return d;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* strcmp() with '/' below every other byte: a directory is followed
 * right by its descendants ("/a" < "/a/c" < "/a-b"). */
static int tree_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(unsigned char *const *)a;
	const unsigned char *y = *(unsigned char *const *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	if (*x == *y)
		return 0;
	if (*x == '/' || *y == '/')
		return *x == '/' ? (*y ? -1 : 1) : (*x ? 1 : -1);
	return *x < *y ? -1 : 1;
}

static bool is_under(const char *anc, const char *p)
{
	size_t n = strlen(anc);

	return !strncmp(anc, p, n) && (p[n] == '/' || !p[n]);
}

/* Sorted, without duplicates and without paths inside another; in
 * O(n log n), so thousands of rules derive in no time. */
static void normalise(struct policy_prefilter *pf)
{
	size_t m = 0;

	if (!pf->n_include)
		return;
	qsort(pf->include, pf->n_include, sizeof(char *), tree_cmp);
	for (size_t i = 0; i < pf->n_include; i++) {
		if (m && is_under(pf->include[m - 1], pf->include[i]))
			free(pf->include[i]);
		else
			pf->include[m++] = pf->include[i];
	}
	pf->n_include = m;
	qsort(pf->include, pf->n_include, sizeof(char *), str_cmp);
}

static size_t common_dir(const char *a, const char *b)
{
	size_t i = 0, last = 0;

	while (a[i] && a[i] == b[i]) {
		i++;
		if (a[i] == '/' || (!a[i] && b[i] == '/'))
			last = i;
	}
	if (!a[i] && !b[i])
		last = i;
	return last;
}

/* The kernel takes at most PREMOD_FILTER_MAX_PATHS: merge the closest
 * neighbours into their common ancestor until it fits. Paths under one
 * directory are contiguous in sorted order, so neighbours suffice. Each
 * round merges, in order, the neighbours sharing the deepest ancestor
 * (what merging the closest pair one at a time does) in one pass. */
static int fit(struct policy_prefilter *pf)
{
	while (pf->n_include > PREMOD_FILTER_MAX_PATHS) {
		size_t n = pf->n_include, left = n, best_len = 0, m = 0;
		size_t *l = malloc(n * sizeof(*l));

		if (!l)
			return -ENOMEM;
		for (size_t i = 0; i + 1 < n; i++) {
			l[i] = common_dir(pf->include[i], pf->include[i + 1]);
			if (l[i] > best_len)
				best_len = l[i];
		}
		if (!best_len) {
			free(l);
			pf->include_all = true;
			return 0;
		}
		for (size_t i = 0; i < n; i++) {
			char *d = pf->include[i];

			if (m && is_under(pf->include[m - 1], d)) {
				free(d);
				left--;
				continue;
			}
			if (i + 1 < n && l[i] == best_len &&
			    left > PREMOD_FILTER_MAX_PATHS)
				d[best_len] = 0;	/* the ancestor */
			pf->include[m++] = d;
		}
		pf->n_include = m;
		free(l);
		normalise(pf);
	}
	return 0;
}

void policy_prefilter_free(struct policy_prefilter *pf)
{
	for (size_t i = 0; i < pf->n_include; i++)
		free(pf->include[i]);
	free(pf->include);
	free(pf->unbounded_rule);
	memset(pf, 0, sizeof(*pf));
}

static int widen(struct policy_prefilter *pf, const struct policy_rule *r)
{
	pf->include_all = true;
	pf->unbounded_rule = strdup(r->id);
	return pf->unbounded_rule ? 0 : -ENOMEM;
}

/* include_all: an include list would only narrow what "everywhere" says. */
static void drop_includes(struct policy_prefilter *pf)
{
	for (size_t i = 0; i < pf->n_include; i++)
		free(pf->include[i]);
	free(pf->include);
	pf->include = NULL;
	pf->n_include = 0;
}

int policy_prefilter(const struct policy *p, struct policy_prefilter *pf)
{
	const uint64_t fm = 1ULL << PM_F_PATH | 1ULL << PM_F_PATH2 |
			    1ULL << PM_F_DIR;
	size_t cap = 0;
	int rc = 0;

	memset(pf, 0, sizeof(*pf));
	for (size_t i = 0; i < p->nrules && !rc; i++) {
		const struct policy_rule *r = p->rules[i];
		uint32_t ops = r->opmask & KERNEL_OPS;
		struct pc_keys k;

		if (!r->enabled || !ops)
			continue;
		pf->ops |= ops;
		if (pf->include_all)
			continue;
		if (ops & XATTR_OPS) {
			rc = widen(pf, r);
			continue;
		}
		if (pc_keys(r->code, fm, &k)) {
			rc = -ENOMEM;
			break;
		}
		if (k.unbounded) {
			rc = widen(pf, r);
			pc_keys_free(&k);
			continue;
		}
		for (size_t j = 0; j < k.n && !pf->include_all; j++) {
			/* "under D" (stored "D/"): D itself */
			char *d = key_dir(k.v[j].s, k.v[j].len + k.v[j].under);

			if (!d) {	/* the root, or not a kernel path */
				rc = widen(pf, r);
				break;
			}
			if (pf->n_include == cap) {
				char **t;

				cap = cap ? cap * 2 : 16;
				t = realloc(pf->include, cap * sizeof(*t));
				if (!t) {
					free(d);
					rc = -ENOMEM;
					break;
				}
				pf->include = t;
			}
			pf->include[pf->n_include++] = d;
		}
		pc_keys_free(&k);
	}
	if (rc) {
		policy_prefilter_free(pf);
		return rc;
	}
	if (!pf->include_all) {
		normalise(pf);
		if (fit(pf)) {	/* may widen to include_all */
			policy_prefilter_free(pf);
			return -ENOMEM;
		}
	}
	if (pf->include_all)
		drop_includes(pf);
	return 0;
}

int policy_prefilter_resolve(struct policy_prefilter *pf,
			     bool (*exists)(const char *path, void *arg),
			     void *arg)
{
	for (size_t i = 0; i < pf->n_include && !pf->include_all; i++) {
		char *d = pf->include[i];

		while (!exists(d, arg)) {
			char *slash = strrchr(d, '/');

			if (!slash || slash == d) {
				/* nothing below the root exists: everywhere */
				pf->include_all = true;
				break;
			}
			*slash = 0;
		}
	}
	if (pf->include_all) {
		drop_includes(pf);
		return 0;
	}
	normalise(pf);
	return 0;
}
