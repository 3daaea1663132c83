// SPDX-License-Identifier: MIT
/*
 * policy_eval.c - evaluating a compiled condition against an event: the hot
 * path. No allocation, no locks; the policy is read-only.
 *
 * Semantics (documented in REFERENCE.md):
 *   - a test on a field the event does not carry is false, whatever the
 *     operator (ne included); `not` of it is therefore true;
 *   - mode values without file-type bits (<= 07777) compare against the
 *     permission bits only, so "4755" matches a regular file's 0104755;
 *   - under D: the path is D or lies below it (D + "/" ...);
 *   - bits_set B: all bits of B set; bits_any B: at least one;
 *     bits_added B (on new_mode): all of B set in new_mode and not all of
 *     them in old_mode.
 */
#include <fnmatch.h>
#include <string.h>

#include "policy_int.h"

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
		case PT_BITS_ANY: return (v & n->u.num) != 0;
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
	case PT_UNDER:	/* stored without trailing '/': "/" is "" */
		return !strncmp(s, n->u.str, n->n) &&
		       (s[n->n] == '/' || (!s[n->n] && n->n));
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
