/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the evaluator: events in, audit records out.
 *
 * For each event: derive name/dir (and exe when a rule reads it), match
 * the policy, apply each matching rule's rate limit, render one record per
 * rule that passes, and hand it to the emit callback (premodd submits it
 * to every sink; replay prints it; tests collect it). Loss items become
 * `lost` records. Closed rate-limit windows become `suppressed` records.
 *
 * Reload: engine_set_policy() may be called from any thread; the
 * evaluator adopts the new policy between two events, so no event is
 * evaluated twice or skipped, bumps the generation and frees the old one
 * (records hold no pointer into a policy). Everything else runs on the
 * evaluator thread only.
 */
#ifndef PREMOD_DAEMON_ENGINE_H
#define PREMOD_DAEMON_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "evqueue.h"
#include "policy.h"
#include "record.h"
#include "stats.h"

struct engine;

/* Called for every record; the callee takes its own references. */
typedef void (*engine_emit_fn)(struct record *r, void *arg);
/* Called on the evaluator thread after a new policy became active. */
typedef void (*engine_swap_fn)(uint64_t generation, void *arg);

struct engine_config {
	const char *host;		/* record "host" */
	struct stats *stats;		/* may be NULL */
	engine_emit_fn emit;
	void *emit_arg;
	engine_swap_fn swapped;		/* may be NULL */
	void *swapped_arg;
	bool resolve_exe;		/* /proc lookups (live only) */
	size_t ratelimit_keys;		/* 0: default */
};

/* Takes ownership of p; generation starts at 1. NULL on ENOMEM. */
struct engine *engine_new(const struct engine_config *cfg, struct policy *p);
void engine_free(struct engine *e);

/* Any thread: p becomes active before the next event (ownership taken). */
void engine_set_policy(struct engine *e, struct policy *p);
uint64_t engine_generation(struct engine *e);
/* Records lost because they could not be built (out of memory): the
 * daemon logs each; a replay fails on any. */
uint64_t engine_unrendered(const struct engine *e);

/*
 * Evaluator thread. ev's strings must stay valid for the call; dirbuf
 * (strlen(path) + 1 bytes) receives the derived dir. The rate limiter's
 * clock is the event's time when it has one, else the wall clock, so a
 * replay is deterministic.
 */
void engine_event(struct engine *e, struct pm_event *ev, char *dirbuf,
		  size_t dirbuf_len);
void engine_lost(struct engine *e, const struct evq_lost *l);
/* Closes rate-limit windows that ended by now_ns (UINT64_MAX: all). */
void engine_expire(struct engine *e, uint64_t now_ns);

/* The evaluator thread: pops q until it is closed and drained, then
 * closes every rate-limit window. */
int engine_start(struct engine *e, struct evq *q);
void engine_join(struct engine *e);

#endif /* PREMOD_DAEMON_ENGINE_H */
