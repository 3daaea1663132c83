/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.h - per-rule rate limiting with suppression summaries.
 *
 * Fixed windows of the rule's interval, keyed by rule, rule+path or
 * rule+tgid. Within a window the first `max` records pass; the rest are
 * suppressed and counted. When a window that suppressed records closes, a
 * summary ("N similar records suppressed") is due. Time is passed in, so the
 * limiter is deterministic under test. Not thread-safe: one evaluator thread
 * owns it. Keys are by rule id, so state survives a policy reload for rules
 * that keep their id.
 */
#ifndef PREMOD_POLICY_RATELIMIT_H
#define PREMOD_POLICY_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "policy.h"

struct ratelimit;

struct ratelimit_summary {
	const char *rule_id;	/* valid during the callback only */
	const char *path;	/* key path for rule+path, else NULL */
	uint32_t tgid;		/* key tgid for rule+tgid, else 0 */
	uint64_t suppressed;	/* records suppressed in the window */
	uint64_t window_start_ns, window_end_ns;
};

typedef void (*ratelimit_summary_fn)(const struct ratelimit_summary *s,
				     void *arg);

/* max_keys bounds memory: past it, new keys share one overflow bucket per rule. */
struct ratelimit *ratelimit_new(size_t max_keys);
void ratelimit_free(struct ratelimit *rl);

/*
 * true: emit the record; false: suppressed (counted). Rules without a
 * rate_limit always pass. Closing windows it meets are reported via fn.
 */
bool ratelimit_check(struct ratelimit *rl, const struct policy_rule *r,
		     const struct pm_event *ev, uint64_t now_ns,
		     ratelimit_summary_fn fn, void *arg);
/* Reports and forgets every window that closed by now_ns (call it
 * periodically, and with UINT64_MAX at exit to flush all). */
void ratelimit_expire(struct ratelimit *rl, uint64_t now_ns,
		      ratelimit_summary_fn fn, void *arg);

#endif /* PREMOD_POLICY_RATELIMIT_H */
