/* SPDX-License-Identifier: MIT */
/*
 * stats.h - premodd's counters, and their two outputs: a JSON object
 * (`premodctl stats` reads it beside the kernel's counters) and a
 * Prometheus textfile (node_exporter textfile collector). Both are
 * written atomically (temporary file + rename), so a reader never sees a
 * partial file.
 *
 * Counters are updated by the receiver and evaluator threads with relaxed
 * atomics; the main thread writes the files. Per-rule counters are keyed
 * by rule id and survive reloads ("rules", every rule ever loaded); the
 * "policy" object lists the rules of the active policy, in policy order,
 * with the same counters (what `premodctl rules` shows). "last_reload" is
 * the result of the latest SIGHUP: its generation is the one the new
 * policy takes (or, on failure, the one that stays active), its errors the
 * policy's diagnostics (`premodctl reload` prints them).
 *
 * JSON layout (flat counters by name, one object per rule and per sink):
 *   {"version":1,"time":"<RFC 3339>","pid":N,"started":"<RFC 3339>",
 *    "connected":true,"generation":N,"received":N,"lost_records":N,
 *    "decode_errors":N,"truncated":N,"evaluated":N,"matched":N,
 *    "suppressed":N,"exe_lookups":N,"reconnects":N,"stream_restarts":N,
 *    "records":{"match":N,"lost":N,"suppressed":N},
 *    "dropped":{"queue":N,"gap":N,"kernel":N,"enobufs":N},
 *    "queue":{"depth":N,"capacity":N},
 *    "reloads":{"ok":N,"failed":N},
 *    "last_reload":null | {"time":"<RFC 3339>","result":"ok"|"failed",
 *                  "generation":N,"rules":N,"errors":["<diagnostic>",...]},
 *    "policy":{"path":"...","generation":N,"rules":[{"id":"...",
 *              "enabled":B,"severity":"...","description":"...",
 *              "file":"...","line":N,"matched":N,"suppressed":N},...]},
 *    "stats_interval_ms":N,
 *    "rules":{"<id>":{"matched":N,"suppressed":N},...},
 *    "sinks":{"<name>":{"written":N,"dropped":N,"failed":N,"depth":N,
 *                       "last_error":"..."},...}}
 */
#ifndef PREMOD_DAEMON_STATS_H
#define PREMOD_DAEMON_STATS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* every enum record_kind: match, lost, suppressed, config */
#define STATS_RECORD_KINDS (RECORD_CONFIG + 1)

enum stats_drop {
	STATS_DROP_QUEUE,
	STATS_DROP_GAP,
	STATS_DROP_KERNEL,
	STATS_DROP_ENOBUFS,
	STATS_DROP_COUNT
};

struct stats_rule {
	char *id;
	_Atomic uint64_t matched;	/* records passed to the sinks */
	_Atomic uint64_t suppressed;	/* matches the rate limit held back */
};

/* A rule of the active policy, as published. */
struct stats_active_rule {
	struct stats_rule *counters;
	char *description;		/* NULL: none */
	char *file;
	int line;
	int severity;			/* LOG_* */
	bool enabled;
};

struct stats_reload {
	uint64_t time_ns;		/* 0: no reload yet */
	bool ok;
	uint64_t generation;
	size_t rules;			/* rules of the new policy (ok only) */
	char **errors;
	size_t n_errors;
};

struct stats {
	_Atomic uint64_t received;	/* events read from the kernel */
	_Atomic uint64_t lost_records;	/* kernel LOST records read */
	_Atomic uint64_t decode_errors;
	_Atomic uint64_t truncated;	/* datagrams cut by our buffer */
	_Atomic uint64_t evaluated;
	_Atomic uint64_t matched;	/* rule matches, before rate limits */
	_Atomic uint64_t suppressed;
	_Atomic uint64_t exe_lookups;
	_Atomic uint64_t records[STATS_RECORD_KINDS];	/* by enum record_kind */
	_Atomic uint64_t dropped[STATS_DROP_COUNT];	/* events, by reason */
	_Atomic uint64_t reloads_ok, reloads_failed;
	_Atomic uint64_t generation;
	_Atomic uint64_t reconnects;
	_Atomic uint64_t stream_restarts;
	_Atomic bool connected;
	_Atomic uint64_t queue_depth, queue_capacity;
	uint64_t started_ns;

	uint64_t interval_ms;		/* how often the files are written */

	pthread_mutex_t lock;		/* guards the rule tables, the policy
					 * path and last_reload */
	struct stats_rule **rules;
	size_t n_rules, cap_rules;
	struct stats_active_rule *active;	/* the active policy's rules */
	size_t n_active;
	uint64_t active_generation;
	char *policy_path;
	struct stats_reload last_reload;
};

int stats_init(struct stats *s);
void stats_destroy(struct stats *s);

/* Counter block of a rule id, created on first use; the pointer stays
 * valid until stats_destroy. NULL on ENOMEM. */
struct stats_rule *stats_rule(struct stats *s, const char *id);

struct policy;
struct policy_diags;

/*
 * Publishes p's rules as the active policy of `generation` (the evaluator
 * calls it when it adopts a policy). -ENOMEM leaves the previous list.
 */
int stats_set_active_policy(struct stats *s, const struct policy *p,
			    uint64_t generation);
/* Where the policy is loaded from, for the "policy" object. */
int stats_set_policy_path(struct stats *s, const char *path);
/*
 * Records a reload's result (now): ok with the new policy's generation and
 * rule count, or failed with the generation that stays active and the
 * diagnostics (diags may be NULL; `error` is used when it has none).
 */
void stats_set_reload(struct stats *s, bool ok, uint64_t generation,
		      size_t rules, const struct policy_diags *diags,
		      const char *error);

/* Adds a loss by reason name ("queue", "gap", "kernel", "enobufs"). */
void stats_count_drop(struct stats *s, const char *reason, uint64_t n);

static inline void stats_inc(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Renders the JSON (malloc'd, NUL-terminated) or the Prometheus text. */
char *stats_render_json(struct stats *s, struct sink *const *sinks,
			size_t n_sinks);
char *stats_render_prometheus(struct stats *s, struct sink *const *sinks,
			      size_t n_sinks);
/* Writes text to path atomically (path.tmp + rename). */
int stats_write_file(const char *path, const char *text);

#endif /* PREMOD_DAEMON_STATS_H */
