/* SPDX-License-Identifier: MIT */
/*
 * record.h - an audit record: what every sink writes, rendered once.
 *
 * A record is immutable and reference-counted: the evaluator renders it
 * (JSON line, message, key/value fields) and hands a reference to each
 * sink's queue; the last sink to finish frees it. It holds no pointer into
 * the event or the policy that produced it, so a reload can free the old
 * policy while records of it are still queued.
 *
 * The JSONL schema (daemon/RECORDS.md, "Record reference") is stable:
 *   kind "match":      seq, time (RFC 3339, ns, UTC), host, every field the
 *                      event carries (premodctl monitor --json names; op by
 *                      name; modes as numbers), exe when resolved, kind,
 *                      rule, severity (name), tags, message, generation.
 *   kind "lost":       seq (of the LOST event, if any), time, host, kind,
 *                      severity, lost_count, lost_first, lost_last,
 *                      reason ("kernel", "gap", "enobufs", "queue",
 *                      "sink:<name>"), message, generation.
 *   kind "suppressed": time, host, kind, rule, severity, suppressed,
 *                      window_start, window_end, path/tgid when keyed,
 *                      message, generation.
 * Allocation failure returns NULL; the caller counts the loss.
 */
#ifndef PREMOD_DAEMON_RECORD_H
#define PREMOD_DAEMON_RECORD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "policy.h"
#include "ratelimit.h"

enum record_kind {
	RECORD_MATCH,
	RECORD_LOST,
	RECORD_SUPPRESSED,
	RECORD_CONFIG,
};

/* What a key/value string holds, for writers that type their output
 * (the ECS form writes numbers as JSON numbers, modes as octal strings). */
enum record_kv_type {
	RKV_STR,		/* exact bytes */
	RKV_NUM,		/* unsigned decimal */
	RKV_MODE,		/* octal with a leading zero: "0104755" */
	RKV_TIME,		/* RFC 3339, UTC, nanoseconds */
};

/* One structured field, journald style: PREMOD_<NAME>=value. */
struct record_kv {
	const char *key;	/* lowercase, e.g. "rule", "path", "seq" */
	const char *value;
	enum record_kv_type type;
};

struct record {
	atomic_int refs;
	enum record_kind kind;
	int priority;		/* LOG_* (journald PRIORITY, syslog level) */
	unsigned int outputs;	/* POLICY_OUT_* this record goes to */
	uint64_t seq;		/* event seq; 0 for suppressed */
	const char *rule;	/* rule id, or NULL */
	const char *message;	/* human-readable, one line */
	const char *json;	/* the JSONL line, no newline */
	size_t json_len;
	const struct record_kv *kv;	/* all fields, in JSON order */
	size_t n_kv;
	/* The rule's tags one by one (the kv "tags" joins them with commas):
	 * n_tags NUL-terminated strings back to back. */
	const char *tags;
	size_t n_tags;
	/* storage follows */
};

struct record_ctx {
	const char *host;
	uint64_t generation;	/* policy generation */
};

struct record *record_match(const struct record_ctx *ctx,
			    const struct pm_event *ev,
			    const struct policy_rule *rule);
/*
 * A PREMOD_OP_CONFIG event (REGISTER, SET_FILTER, unload, ...), recorded
 * in every sink whatever the policy, as audit's CONFIG_CHANGE: the event's
 * fields, kind "config", severity notice, a message naming the change and
 * who made it.
 */
struct record *record_config(const struct record_ctx *ctx,
			     const struct pm_event *ev);
/* reason: "kernel", "gap", "enobufs", "queue" or "sink:<name>". */
struct record *record_lost(const struct record_ctx *ctx, uint64_t seq,
			   uint64_t time_ns, uint64_t count, uint64_t first,
			   uint64_t last, const char *reason);
struct record *record_suppressed(const struct record_ctx *ctx,
				 const struct ratelimit_summary *s,
				 int priority, unsigned int outputs);

static inline struct record *record_get(struct record *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}
void record_put(struct record *r);

/* RFC 3339 UTC with nanoseconds: "2026-11-24T22:28:46.123456789Z". */
size_t record_format_time(uint64_t ns, char *buf, size_t len);

#endif /* PREMOD_DAEMON_RECORD_H */
