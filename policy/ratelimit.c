// SPDX-License-Identifier: MIT
/*
 * ratelimit.c - fixed-window rate limiting with suppression summaries.
 *
 * One entry per key (rule id [+ path | + tgid]) in a chained hash table.
 * A window opens at the first record of its key and lasts the rule's
 * interval; the first `max` records in it pass, the rest are counted.
 * A window that closes with a count owes one summary, reported either by
 * the next check on the same key or by ratelimit_expire(), which also
 * forgets idle keys so memory follows the active key set. Past max_keys,
 * new per-path/per-tgid keys of a rule share one overflow entry, so a
 * flood of distinct paths cannot grow memory nor escape the limit.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "ratelimit.h"

struct rl_entry {
	struct rl_entry *next;
	uint64_t hash;
	char *rule_id;
	char *path;		/* rule+path, else NULL */
	uint32_t tgid;
	uint8_t kind;		/* enum policy_rl_key */
	bool overflow;
	uint32_t count;
	uint64_t suppressed;
	uint64_t start, end;
};

struct ratelimit {
	struct rl_entry **b;
	size_t nb, n, max_keys;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t key_hash(const char *id, uint8_t kind, bool overflow,
			 const char *path, uint32_t tgid)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t t[2] = { kind, overflow };

	h = fnv(h, id, strlen(id) + 1);
	h = fnv(h, t, sizeof(t));
	if (path)
		h = fnv(h, path, strlen(path));
	h = fnv(h, &tgid, sizeof(tgid));
	return h;
}

struct ratelimit *ratelimit_new(size_t max_keys)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	rl->nb = 64;
	rl->b = calloc(rl->nb, sizeof(*rl->b));
	if (!rl->b) {
		free(rl);
		return NULL;
	}
	rl->max_keys = max_keys ? max_keys : 1;
	return rl;
}

static void entry_free(struct rl_entry *e)
{
	free(e->rule_id);
	free(e->path);
	free(e);
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < rl->nb; i++)
		while (rl->b[i]) {
			struct rl_entry *n = rl->b[i]->next;

			entry_free(rl->b[i]);
			rl->b[i] = n;
		}
	free(rl->b);
	free(rl);
}

static void report(const struct rl_entry *e, ratelimit_summary_fn fn, void *arg)
{
	struct ratelimit_summary s = {
		.rule_id = e->rule_id,
		.path = e->overflow ? NULL : e->path,
		.tgid = e->overflow ? 0 : e->tgid,
		.suppressed = e->suppressed,
		.window_start_ns = e->start,
		.window_end_ns = e->end,
	};

	if (fn && e->suppressed)
		fn(&s, arg);
}

static struct rl_entry *lookup(struct ratelimit *rl, uint64_t h, const char *id,
			       uint8_t kind, bool overflow, const char *path,
			       uint32_t tgid)
{
	for (struct rl_entry *e = rl->b[h % rl->nb]; e; e = e->next)
		if (e->hash == h && e->kind == kind && e->overflow == overflow &&
		    e->tgid == tgid && !strcmp(e->rule_id, id) &&
		    (!path || !strcmp(e->path, path)))
			return e;
	return NULL;
}

static void grow(struct ratelimit *rl)
{
	size_t nb = rl->nb * 2;
	struct rl_entry **b = calloc(nb, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < rl->nb; i++)
		while (rl->b[i]) {
			struct rl_entry *e = rl->b[i];

			rl->b[i] = e->next;
			e->next = b[e->hash % nb];
			b[e->hash % nb] = e;
		}
	free(rl->b);
	rl->b = b;
	rl->nb = nb;
}

static struct rl_entry *insert(struct ratelimit *rl, uint64_t h, const char *id,
			       uint8_t kind, bool overflow, const char *path,
			       uint32_t tgid)
{
	struct rl_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->rule_id = strdup(id);
	e->path = path ? strdup(path) : NULL;
	if (!e->rule_id || (path && !e->path)) {
		entry_free(e);
		return NULL;
	}
	e->hash = h;
	e->kind = kind;
	e->overflow = overflow;
	e->tgid = tgid;
	if (rl->n >= rl->nb * 2)
		grow(rl);
	e->next = rl->b[h % rl->nb];
	rl->b[h % rl->nb] = e;
	rl->n++;
	return e;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

bool ratelimit_check(struct ratelimit *rl, const struct policy_rule *r,
		     const struct pm_event *ev, uint64_t now_ns,
		     ratelimit_summary_fn fn, void *arg)
{
	const struct policy_rate_limit *lim = policy_rule_rate_limit(r);
	const char *id = policy_rule_id(r), *path = NULL;
	uint8_t kind;
	uint32_t tgid = 0;
	struct rl_entry *e;
	uint64_t h;

	if (!lim || !lim->max)
		return true;
	kind = (uint8_t)lim->key;
	if (lim->key == POLICY_RL_RULE_PATH) {
		path = pm_event_str(ev, PM_F_PATH);
		if (!path)
			path = "";
	} else if (lim->key == POLICY_RL_RULE_TGID && pm_event_has(ev, PM_F_TGID)) {
		tgid = (uint32_t)ev->num[PM_F_TGID];
	}
	h = key_hash(id, kind, false, path, tgid);
	e = lookup(rl, h, id, kind, false, path, tgid);
	if (!e && lim->key != POLICY_RL_RULE && rl->n >= rl->max_keys) {
		h = key_hash(id, kind, true, NULL, 0);
		e = lookup(rl, h, id, kind, true, NULL, 0);
		if (!e)
			e = insert(rl, h, id, kind, true, NULL, 0);
	} else if (!e) {
		e = insert(rl, h, id, kind, false, path, tgid);
	}
	if (!e)
		return true;	/* no memory: never drop a record for it */
	if (!e->end || now_ns >= e->end) {
		report(e, fn, arg);
		e->start = now_ns;
		e->end = sat_add(now_ns, lim->interval_ns ? lim->interval_ns : 1);
		e->count = 0;
		e->suppressed = 0;
	}
	if (e->count < lim->max) {
		e->count++;
		return true;
	}
	e->suppressed++;
	return false;
}

void ratelimit_expire(struct ratelimit *rl, uint64_t now_ns,
		      ratelimit_summary_fn fn, void *arg)
{
	for (size_t i = 0; i < rl->nb; i++) {
		struct rl_entry **pp = &rl->b[i];

		while (*pp) {
			struct rl_entry *e = *pp;

			if (now_ns < e->end) {
				pp = &e->next;
				continue;
			}
			report(e, fn, arg);
			*pp = e->next;
			entry_free(e);
			rl->n--;
		}
	}
}
