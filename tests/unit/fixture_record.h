/* SPDX-License-Identifier: MIT */
/*
 * fixture_record.h - one rule, one event and the records they make, shared
 * by the record and sink tests so every sink is checked against the same
 * known record.
 */
#ifndef PREMOD_TESTS_FIXTURE_RECORD_H
#define PREMOD_TESTS_FIXTURE_RECORD_H

#include <check.h>
#include <string.h>
#include <syslog.h>

#include "event.h"
#include "policy.h"
#include "premod.h"
#include "record.h"

#define FX_HOST		"testhost"
#define FX_GENERATION	7
/* 2025-11-24T22:28:46.123456789Z */
#define FX_TIME		1764023326123456789ULL

static const char fx_policy[] =
	"{\"version\": 1, \"rules\": [{\n"
	"  \"id\": \"setuid-added\",\n"
	"  \"description\": \"a setuid bit was added\",\n"
	"  \"severity\": \"warning\",\n"
	"  \"tags\": [\"integrity\", \"setuid\"],\n"
	"  \"match\": {\"field\": \"op\", \"eq\": \"chmod\"},\n"
	"  \"message\": \"{comm} made {path} setuid\"\n"
	"}]}\n";

static const struct record_ctx fx_ctx = {
	.host = FX_HOST,
	.generation = FX_GENERATION,
};

static inline struct policy *fx_policy_load(void)
{
	struct policy_diags diags = { 0 };
	struct policy *p = NULL;
	int rc;

	rc = policy_load_buffer("fixture.json", fx_policy, strlen(fx_policy),
				&p, &diags);
	if (rc < 0)
		policy_diags_print(&diags, stderr);
	policy_diags_free(&diags);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* A chmod that adds the setuid bit to /usr/bin/su. */
static inline void fx_event(struct pm_event *ev, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	pm_event_set_num(ev, PM_F_SEQ, 42);
	pm_event_set_num(ev, PM_F_TIME, FX_TIME);
	pm_event_set_num(ev, PM_F_OP, PREMOD_OP_CHMOD);
	pm_event_set_num(ev, PM_F_FLAGS, 0);
	pm_event_set_num(ev, PM_F_PID, 1234);
	pm_event_set_num(ev, PM_F_TGID, 1234);
	pm_event_set_num(ev, PM_F_UID, 0);
	pm_event_set_num(ev, PM_F_AUID, 1000);
	pm_event_set_num(ev, PM_F_MODE, 0100755);
	pm_event_set_num(ev, PM_F_OLD_MODE, 0100755);
	pm_event_set_num(ev, PM_F_NEW_MODE, 0104755);
	pm_event_set_str(ev, PM_F_COMM, "chmod");
	pm_event_set_str(ev, PM_F_PATH, path);
}

#define FX_MATCH_JSON							\
	"{\"seq\":42,\"time\":\"2025-11-24T22:28:46.123456789Z\","	\
	"\"host\":\"testhost\",\"op\":\"chmod\",\"flags\":0,"		\
	"\"pid\":1234,\"tgid\":1234,\"uid\":0,\"auid\":1000,"		\
	"\"comm\":\"chmod\",\"mode\":33261,\"path\":\"/usr/bin/su\","	\
	"\"old_mode\":33261,\"new_mode\":35309,\"kind\":\"match\","	\
	"\"rule\":\"setuid-added\",\"severity\":\"warning\","		\
	"\"tags\":[\"integrity\",\"setuid\"],"				\
	"\"message\":\"chmod made /usr/bin/su setuid\",\"generation\":7}"

static inline struct record *fx_match(const struct policy *p,
				      const char *path)
{
	struct pm_event ev;
	struct record *r;

	fx_event(&ev, path);
	r = record_match(&fx_ctx, &ev, policy_rule_at(p, 0));
	ck_assert_ptr_nonnull(r);
	return r;
}

static inline struct record *fx_lost(uint64_t seq, uint64_t count)
{
	struct record *r = record_lost(&fx_ctx, seq, FX_TIME, count, seq - count,
				       seq - 1, "kernel");

	ck_assert_ptr_nonnull(r);
	return r;
}

static inline struct record *fx_suppressed(const char *path, uint32_t tgid)
{
	struct ratelimit_summary s = {
		.rule_id = "setuid-added",
		.path = path,
		.tgid = tgid,
		.suppressed = 12,
		.window_start_ns = FX_TIME - 10000000000ULL,
		.window_end_ns = FX_TIME,
	};
	struct record *r = record_suppressed(&fx_ctx, &s, LOG_WARNING,
					     POLICY_OUT_ALL);

	ck_assert_ptr_nonnull(r);
	return r;
}

static inline const char *fx_kv(const struct record *r, const char *key)
{
	for (size_t i = 0; i < r->n_kv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}

#endif /* PREMOD_TESTS_FIXTURE_RECORD_H */
