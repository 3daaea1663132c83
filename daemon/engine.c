// SPDX-License-Identifier: MIT
/*
 * engine.c - the evaluator thread. See engine.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "engine.h"
#include "premod.h"
#include "exe_cache.h"
#include "log.h"
#include "ratelimit.h"

struct engine {
	struct engine_config cfg;
	struct record_ctx ctx;
	struct policy *p;
	_Atomic(struct policy *) pending;
	_Atomic uint64_t generation;
	bool uses_exe;
	const struct policy_rule **matches;
	size_t max_matches;
	struct stats_rule **rule_stats;	/* by rule index; NULL entries ok */
	struct ratelimit *rl;
	struct exe_cache *exe;
	struct evq *q;
	pthread_t thread;
	bool running;
	uint64_t last_expire_ns;	/* rate-limit clock at the last expiry */
	uint64_t last_time_ns;	/* newest event time seen */
	uint64_t unrendered;	/* records that could not be built */
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Sizes the per-policy tables; on failure the old ones stay. The rule
 * list is published for `premodctl rules` (best effort: a failure there
 * only leaves the previous list in the stats file). */
static int adopt(struct engine *e, struct policy *p, uint64_t generation)
{
	size_t n = policy_rule_count(p), i;
	const struct policy_rule **m = calloc(n ? n : 1, sizeof(*m));
	struct stats_rule **rs = calloc(n ? n : 1, sizeof(*rs));

	if (!m || !rs) {
		free(m);
		free(rs);
		return -ENOMEM;
	}
	for (i = 0; i < n && e->cfg.stats; i++)
		rs[i] = stats_rule(e->cfg.stats,
				   policy_rule_id(policy_rule_at(p, i)));
	free(e->matches);
	free(e->rule_stats);
	e->matches = m;
	e->max_matches = n ? n : 1;
	e->rule_stats = rs;
	e->p = p;
	e->uses_exe = e->cfg.resolve_exe && policy_uses_field(p, PM_F_EXE);
	if (e->cfg.stats &&
	    stats_set_active_policy(e->cfg.stats, p, generation) < 0)
		log_msg(LOG_WARNING, "out of memory publishing the rules of "
				     "policy generation %llu",
			(unsigned long long)generation);
	return 0;
}

struct engine *engine_new(const struct engine_config *cfg, struct policy *p)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->ctx.host = cfg->host ? cfg->host : "";
	e->ctx.generation = 1;
	atomic_store(&e->generation, 1);
	e->rl = ratelimit_new(cfg->ratelimit_keys ? cfg->ratelimit_keys
						  : 65536);
	e->exe = exe_cache_new(4096, 0);
	if (!e->rl || !e->exe || adopt(e, p, 1) < 0) {
		ratelimit_free(e->rl);
		exe_cache_free(e->exe);
		free(e);
		return NULL;
	}
	if (cfg->stats)
		atomic_store(&cfg->stats->generation, 1);
	return e;
}

void engine_free(struct engine *e)
{
	struct policy *pend;

	if (!e)
		return;
	pend = atomic_exchange(&e->pending, NULL);
	policy_free(pend);
	policy_free(e->p);
	ratelimit_free(e->rl);
	exe_cache_free(e->exe);
	free(e->matches);
	free(e->rule_stats);
	free(e);
}

void engine_set_policy(struct engine *e, struct policy *p)
{
	/* two reloads before the evaluator looked: the older never ran */
	policy_free(atomic_exchange(&e->pending, p));
}

uint64_t engine_unrendered(const struct engine *e)
{
	return e->unrendered;
}

uint64_t engine_generation(struct engine *e)
{
	return atomic_load(&e->generation);
}

static void emit(struct engine *e, struct record *r)
{
	if (!r) {
		e->unrendered++;
		log_msg(LOG_ERR, "out of memory rendering a record");
		return;
	}
	if (e->cfg.stats)
		stats_inc(&e->cfg.stats->records[r->kind], 1);
	e->cfg.emit(r, e->cfg.emit_arg);
	record_put(r);
}

static void apply_pending(struct engine *e)
{
	struct policy *p, *old = e->p;
	uint64_t gen;

	if (!atomic_load_explicit(&e->pending, memory_order_relaxed))
		return;
	p = atomic_exchange(&e->pending, NULL);
	if (!p)
		return;
	if (adopt(e, p, atomic_load(&e->generation) + 1) < 0) {
		log_msg(LOG_ERR, "out of memory adopting the new policy; "
				"the previous one stays active");
		policy_free(p);
		return;
	}
	policy_free(old);
	gen = atomic_fetch_add(&e->generation, 1) + 1;
	e->ctx.generation = gen;
	if (e->cfg.stats)
		atomic_store(&e->cfg.stats->generation, gen);
	if (e->cfg.swapped)
		e->cfg.swapped(gen, e->cfg.swapped_arg);
}

static const struct policy_rule *rule_by_id(const struct policy *p,
					    const char *id)
{
	size_t i, n = policy_rule_count(p);

	for (i = 0; i < n; i++) {
		const struct policy_rule *r = policy_rule_at(p, i);

		if (!strcmp(policy_rule_id(r), id))
			return r;
	}
	return NULL;
}

static void summary_cb(const struct ratelimit_summary *s, void *arg)
{
	struct engine *e = arg;
	const struct policy_rule *r = rule_by_id(e->p, s->rule_id);

	/* a rule removed by a reload still gets its summary, to all sinks */
	emit(e, record_suppressed(&e->ctx, s,
				  r ? policy_rule_severity(r) : LOG_NOTICE,
				  r ? policy_rule_outputs(r) : POLICY_OUT_ALL));
}

void engine_event(struct engine *e, struct pm_event *ev, char *dirbuf,
		  size_t dirbuf_len)
{
	uint64_t now;
	size_t n, i;

	apply_pending(e);
	/* A change of what premod reports: recorded whatever the policy. */
	if (ev->num[PM_F_OP] == PREMOD_OP_CONFIG) {
		if (e->cfg.stats)
			stats_inc(&e->cfg.stats->evaluated, 1);
		emit(e, record_config(&e->ctx, ev));
		return;
	}
	if (pm_event_has(ev, PM_F_PATH) && dirbuf)
		pm_event_derive(ev, dirbuf, dirbuf_len);
	/*
	 * The kernel captures the exe at the hook (exe_ino; the receiver
	 * names it). /proc/<tgid>/exe, read now, is only a fallback for
	 * input that lacks it (an older module's events, hand-written
	 * replay lines): an exe the kernel had but the host cannot name
	 * stays absent, so no exception on exe applies to it.
	 */
	if (e->uses_exe && pm_event_has(ev, PM_F_TGID) &&
	    !pm_event_has(ev, PM_F_EXE) && !pm_event_has(ev, PM_F_EXE_INO)) {
		uint64_t lookups = 0;
		const char *exe = exe_cache_get(
			e->exe, (uint32_t)ev->num[PM_F_TGID],
			pm_event_str(ev, PM_F_COMM), mono_ns(), &lookups);

		if (exe)
			pm_event_set_str(ev, PM_F_EXE, exe);
		if (lookups && e->cfg.stats)
			stats_inc(&e->cfg.stats->exe_lookups, lookups);
	}
	/* an event without a time (a hand-written replay line) takes the
	 * last one seen, so a replay stays deterministic */
	if (pm_event_has(ev, PM_F_TIME))
		now = ev->num[PM_F_TIME];
	else
		now = e->last_time_ns ? e->last_time_ns : realtime_ns();
	if (now > e->last_time_ns)
		e->last_time_ns = now;
	/* windows close in event time, so a replay interleaves summaries
	 * where the daemon would have */
	if (now - e->last_expire_ns >= 1000000000ULL && now > e->last_expire_ns) {
		e->last_expire_ns = now;
		engine_expire(e, now);
	}
	if (e->cfg.stats)
		stats_inc(&e->cfg.stats->evaluated, 1);

	n = policy_match(e->p, ev, e->matches, e->max_matches);
	if (n > e->max_matches)
		n = e->max_matches;	/* cannot happen: one slot per rule */
	if (n && e->cfg.stats)
		stats_inc(&e->cfg.stats->matched, n);
	for (i = 0; i < n; i++) {
		const struct policy_rule *r = e->matches[i];
		struct stats_rule *rs = e->rule_stats[policy_rule_index(r)];

		if (!ratelimit_check(e->rl, r, ev, now, summary_cb, e)) {
			if (rs)
				stats_inc(&rs->suppressed, 1);
			if (e->cfg.stats)
				stats_inc(&e->cfg.stats->suppressed, 1);
			continue;
		}
		if (rs)
			stats_inc(&rs->matched, 1);
		emit(e, record_match(&e->ctx, ev, r));
	}
}

void engine_lost(struct engine *e, const struct evq_lost *l)
{
	apply_pending(e);
	if (e->cfg.stats)
		stats_count_drop(e->cfg.stats, l->reason, l->count);
	emit(e, record_lost(&e->ctx, l->seq,
			    l->time_ns ? l->time_ns : realtime_ns(), l->count,
			    l->first, l->last, l->reason));
}

void engine_expire(struct engine *e, uint64_t now_ns)
{
	ratelimit_expire(e->rl, now_ns, summary_cb, e);
}

static void *engine_thread(void *arg)
{
	struct engine *e = arg;
	bool closed = false;

	while (!closed) {
		size_t n;
		struct evq_item *it = evq_pop_all(e->q, 1000, &n, &closed);

		while (it) {
			struct evq_item *next = it->next;

			if (it->kind == EVQ_EVENT)
				engine_event(e, &it->ev, it->dirbuf,
					     it->dirbuf_len);
			else
				engine_lost(e, &it->lost);
			evq_item_free(it);
			it = next;
		}
		/* a reload with no traffic still takes effect */
		apply_pending(e);
		engine_expire(e, realtime_ns());
	}
	engine_expire(e, UINT64_MAX);
	return NULL;
}

int engine_start(struct engine *e, struct evq *q)
{
	sigset_t all, old;
	int rc;

	e->q = q;
	/* signals belong to the main thread's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&e->thread, NULL, engine_thread, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	e->running = true;
	return 0;
}

void engine_join(struct engine *e)
{
	if (!e->running)
		return;
	pthread_join(e->thread, NULL);
	e->running = false;
}
