// SPDX-License-Identifier: MIT
/*
 * record.c - audit records, rendered once for every sink.
 *
 * A record is one allocation: the struct, its key/value array, the JSONL
 * line and the key/value strings. It is rendered in two passes over the
 * same field list, the first only measuring, so nothing is reallocated and
 * nothing points outside the block: a reload may free the policy while the
 * record still waits in a sink's queue.
 *
 * The event's own fields are rendered by pm_event_render_json_fields(), so
 * a record carries exactly the keys and values of `premodctl monitor
 * --json`; the key/value list follows the order of that JSON. Key/value
 * values are the exact strings (raw bytes, modes in octal, numbers
 * unsigned) because journald and syslog carry bytes, not JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "event_json.h"
#include "premod.h"
#include "record.h"
#include "record_build.h"

/* Most events render in far less; a longer one takes a heap buffer. */
#define FIELDS_STACK	8192
#define MESSAGE_STACK	1024

static const char *severity_name(int priority)
{
	const char *name = policy_severity_name(priority);

	return name ? name : "notice";
}

/*
 * The order in which pm_event_render_json_fields() writes the fields, read
 * once from its own output for an event that has them all, so the
 * key/value list follows the JSON without a second copy of that order.
 */
static enum pm_field json_order[PM_F_COUNT];
static size_t n_json_order;
static pthread_once_t json_order_once = PTHREAD_ONCE_INIT;

static void json_order_init(void)
{
	struct pm_event ev = { 0 };
	char buf[4096];
	const char *p = buf;

	for (int f = 0; f < PM_F_COUNT; f++) {
		if (pm_fields[f].derived)
			continue;
		if (f < PM_F_NUM_COUNT)
			pm_event_set_num(&ev, (enum pm_field)f, 0);
		else
			pm_event_set_str(&ev, (enum pm_field)f, "a");
	}
	if (pm_event_render_json_fields(&ev, buf, sizeof(buf)) < 0)
		return;
	/* `"key":value,...`; values are 0 or "a", so no quotes inside. */
	while (*p == '"' && n_json_order < PM_F_COUNT) {
		const char *key = p + 1, *end = strchr(key, '"');
		char name[32];
		int f;

		if (!end || (size_t)(end - key) >= sizeof(name))
			break;
		memcpy(name, key, (size_t)(end - key));
		name[end - key] = '\0';
		f = pm_field_lookup(name);
		if (f >= 0)
			json_order[n_json_order++] = (enum pm_field)f;
		p = strchr(end + 2, ',');
		if (!p)
			break;
		p++;
	}
}

static void kv_event_field(struct rb *b, const struct pm_event *ev,
			   enum pm_field f)
{
	const char *key = pm_fields[f].name, *name;
	char tmp[32];

	if (f >= PM_F_NUM_COUNT) {
		rb_kvs(b, key, pm_event_str(ev, f));
		return;
	}
	if (pm_fields[f].kind == PM_KIND_OP &&
	    (name = pm_op_name((unsigned int)ev->num[f])) != NULL) {
		rb_kvs(b, key, name);
	} else if (pm_fields[f].kind == PM_KIND_MODE) {
		int n = snprintf(tmp, sizeof(tmp), "%#" PRIo64, ev->num[f]);

		rb_kvt(b, key, tmp, (size_t)n, RKV_MODE);
	} else {
		rb_kvnum(b, key, ev->num[f]);
	}
}

struct match_in {
	const struct record_ctx *ctx;
	const struct pm_event *ev;
	const struct policy_rule *rule;
	const char *fields;	/* rendered event fields, seq/time excluded */
	size_t fields_len;
	const char *message;
};

static void match_build(struct rb *b, const struct match_in *in)
{
	const struct pm_event *ev = in->ev;
	size_t ntags = in->rule ? policy_rule_tag_count(in->rule) : 0;
	const char *exe = pm_event_str(ev, PM_F_EXE);

	rb_json(b, "{", 1);
	if (pm_event_has(ev, PM_F_SEQ))
		rb_num(b, "seq", ev->num[PM_F_SEQ]);
	if (pm_event_has(ev, PM_F_TIME))
		rb_time(b, "time", ev->num[PM_F_TIME]);
	rb_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	if (in->fields_len) {
		rb_json(b, ",", 1);
		rb_json(b, in->fields, in->fields_len);
		for (size_t i = 0; i < n_json_order; i++) {
			enum pm_field f = json_order[i];

			if (f != PM_F_SEQ && f != PM_F_TIME &&
			    f != PM_F_EXE && pm_event_has(ev, f))
				kv_event_field(b, ev, f);
		}
	}
	if (exe)
		rb_str(b, "exe", exe, true);
	if (in->rule) {
		rb_str(b, "kind", "match", false);
		rb_str(b, "rule", policy_rule_id(in->rule), false);
		rb_str(b, "severity",
		       severity_name(policy_rule_severity(in->rule)), false);
	} else {
		rb_str(b, "kind", "config", false);
		rb_str(b, "severity", severity_name(LOG_NOTICE), false);
	}

	/* tags: a JSON array; one comma-separated value for journald. */
	rb_key(b, "tags");
	rb_json(b, "[", 1);
	for (size_t i = 0; i < ntags; i++) {
		if (i)
			rb_json(b, ",", 1);
		rb_jstr(b, policy_rule_tag(in->rule, i));
	}
	rb_json(b, "]", 1);
	{
		size_t start = b->sn, n = 0;

		for (size_t i = 0; i < ntags; i++) {
			const char *t = policy_rule_tag(in->rule, i);
			size_t tl = strlen(t);

			if (b->str) {
				if (i)
					b->str[start + n] = ',';
				memcpy(b->str + start + n + (i ? 1 : 0), t, tl);
			}
			n += tl + (i ? 1 : 0);
		}
		if (b->str) {
			b->str[start + n] = '\0';
			b->kv[b->nkv] = (struct record_kv){
				.key = "tags", .value = b->str + start,
				.type = RKV_STR };
		}
		b->sn += n + 1;
		b->nkv++;
	}
	/* And one by one, for the writers that repeat a field per tag. */
	if (b->str)
		b->tags = b->str + b->sn;
	for (size_t i = 0; i < ntags; i++) {
		const char *t = policy_rule_tag(in->rule, i);
		size_t tl = strlen(t) + 1;

		if (b->str)
			memcpy(b->str + b->sn, t, tl);
		b->sn += tl;
	}
	b->ntags = ntags;
	rb_str(b, "message", in->message, false);
	rb_num(b, "generation", in->ctx->generation);
	rb_json(b, "}", 1);
}

static const char *config_action_name(uint64_t a)
{
	switch (a) {
	case PREMOD_CONFIG_REGISTER:
		return "register";
	case PREMOD_CONFIG_UNREGISTER:
		return "unregister";
	case PREMOD_CONFIG_REGISTER_REFUSED:
		return "register refused (a registered daemon is alive)";
	case PREMOD_CONFIG_SET_FILTER:
		return "set_filter";
	case PREMOD_CONFIG_UNLOAD:
		return "module unload";
	default:
		return "unknown change";
	}
}

/* "<action> by <comm>[<tgid>] uid=N auid=N exe=E: <detail>" */
static size_t config_message(const struct pm_event *ev, char *buf, size_t len)
{
	const char *comm = pm_event_str(ev, PM_F_COMM);
	const char *exe = pm_event_str(ev, PM_F_EXE);
	const char *detail = pm_event_str(ev, PM_F_CONFIG_DETAIL);
	int n;

	n = snprintf(buf, len, "premod config: %s by %s[%" PRIu64 "] uid=%"
		     PRIu64 " auid=%" PRIu64 " exe=%s%s%s",
		     config_action_name(ev->num[PM_F_CONFIG_ACTION]),
		     comm ? comm : "?", ev->num[PM_F_TGID], ev->num[PM_F_UID],
		     ev->num[PM_F_AUID], exe ? exe : "?",
		     detail ? ": " : "", detail ? detail : "");
	return n < 0 ? 0 : (size_t)n;
}

static struct record *event_record(const struct record_ctx *ctx,
				   const struct pm_event *ev,
				   const struct policy_rule *rule);

struct record *record_match(const struct record_ctx *ctx,
			    const struct pm_event *ev,
			    const struct policy_rule *rule)
{
	return event_record(ctx, ev, rule);
}

struct record *record_config(const struct record_ctx *ctx,
			     const struct pm_event *ev)
{
	return event_record(ctx, ev, NULL);
}

/* A match record, or with no rule a config record. */
static struct record *event_record(const struct record_ctx *ctx,
				   const struct pm_event *ev,
				   const struct policy_rule *rule)
{
	char fields_stack[FIELDS_STACK], msg_stack[MESSAGE_STACK];
	char *fields = fields_stack, *msg = msg_stack;
	struct pm_event body = *ev;
	struct match_in in = { .ctx = ctx, .ev = ev, .rule = rule };
	struct record *r = NULL;
	struct rb b = { 0 };
	size_t mlen;
	int n;

	pthread_once(&json_order_once, json_order_init);
	/* seq and time lead the record (time as RFC 3339), not repeated. */
	body.has &= ~(1ULL << PM_F_SEQ | 1ULL << PM_F_TIME);
	/* exe has its own place in a record, after the event's fields. */
	body.has &= ~(1ULL << PM_F_EXE);
	n = pm_event_render_json_fields(&body, fields, sizeof(fields_stack));
	/* Kernel events fit PM_EVENT_JSON_MAX; replayed ones may hold
	 * longer strings and still get their record. */
	for (size_t cap = PM_EVENT_JSON_MAX; n == -ENOSPC && cap <= (256u << 20);
	     cap *= 4) {
		if (fields != fields_stack)
			free(fields);
		fields = malloc(cap);
		if (!fields)
			return NULL;
		n = pm_event_render_json_fields(&body, fields, cap);
	}
	if (n < 0)
		goto out;

	if (rule)
		mlen = policy_rule_render(rule, ev, msg, sizeof(msg_stack));
	else
		mlen = config_message(ev, msg, sizeof(msg_stack));
	if (mlen >= sizeof(msg_stack)) {
		msg = malloc(mlen + 1);
		if (!msg)
			goto out;
		if (rule)
			policy_rule_render(rule, ev, msg, mlen + 1);
		else
			config_message(ev, msg, mlen + 1);
	}

	in.fields = fields;
	in.fields_len = (size_t)n;
	in.message = msg;

	match_build(&b, &in);
	r = rb_alloc(&b, rule ? RECORD_MATCH : RECORD_CONFIG,
		     rule ? policy_rule_severity(rule) : LOG_NOTICE,
		     rule ? policy_rule_outputs(rule) : POLICY_OUT_ALL);
	if (!r)
		goto out;
	match_build(&b, &in);
	rb_finish(&b, r);
	r->seq = pm_event_has(ev, PM_F_SEQ) ? ev->num[PM_F_SEQ] : 0;
out:
	if (fields != fields_stack)
		free(fields);
	if (msg != msg_stack)
		free(msg);
	return r;
}

struct lost_in {
	const struct record_ctx *ctx;
	uint64_t seq, time_ns, count, first, last;
	const char *reason;
	const char *message;
};

static void lost_build(struct rb *b, const struct lost_in *in)
{
	rb_json(b, "{", 1);
	if (in->seq)
		rb_num(b, "seq", in->seq);
	rb_time(b, "time", in->time_ns);
	rb_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	rb_str(b, "kind", "lost", false);
	rb_str(b, "severity", severity_name(LOG_WARNING), false);
	rb_num(b, "lost_count", in->count);
	rb_num(b, "lost_first", in->first);
	rb_num(b, "lost_last", in->last);
	rb_str(b, "reason", in->reason, false);
	rb_str(b, "message", in->message, false);
	rb_num(b, "generation", in->ctx->generation);
	rb_json(b, "}", 1);
}

/* What each reason means, for the human reading the message. */
static void lost_message(char *buf, size_t len, uint64_t count,
			 uint64_t first, uint64_t last, const char *reason)
{
	const char *ev = count == 1 ? "event" : "events";
	char range[64] = "";

	if (first || last)
		snprintf(range, sizeof(range), " (seq %" PRIu64 "..%" PRIu64 ")",
			 first, last);
	if (strcmp(reason, "kernel") == 0)
		snprintf(buf, len, "%" PRIu64 " %s lost in the kernel%s",
			 count, ev, range);
	else if (strcmp(reason, "gap") == 0)
		snprintf(buf, len, "%" PRIu64 " %s missing from the sequence%s",
			 count, ev, range);
	else if (strcmp(reason, "enobufs") == 0)
		snprintf(buf, len,
			 "%" PRIu64 " %s lost: netlink receive buffer overflow%s",
			 count, ev, range);
	else if (strcmp(reason, "queue") == 0)
		snprintf(buf, len,
			 "%" PRIu64 " %s dropped: daemon event queue full%s",
			 count, ev, range);
	else if (strncmp(reason, "sink:", 5) == 0)
		snprintf(buf, len,
			 "%" PRIu64 " %s lost by sink %s (queue full or write failed)%s",
			 count, count == 1 ? "record" : "records", reason + 5,
			 range);
	else
		snprintf(buf, len, "%" PRIu64 " %s lost (%s)%s", count, ev,
			 reason, range);
}

struct record *record_lost(const struct record_ctx *ctx, uint64_t seq,
			   uint64_t time_ns, uint64_t count, uint64_t first,
			   uint64_t last, const char *reason)
{
	char msg[256];
	struct lost_in in = { .ctx = ctx, .seq = seq, .time_ns = time_ns,
			      .count = count, .first = first, .last = last,
			      .reason = reason ? reason : "unknown",
			      .message = msg };
	struct rb b = { 0 };
	struct record *r;

	lost_message(msg, sizeof(msg), count, first, last, in.reason);
	lost_build(&b, &in);
	r = rb_alloc(&b, RECORD_LOST, LOG_WARNING, POLICY_OUT_ALL);
	if (!r)
		return NULL;
	lost_build(&b, &in);
	rb_finish(&b, r);
	r->seq = seq;
	return r;
}

struct supp_in {
	const struct record_ctx *ctx;
	const struct ratelimit_summary *s;
	int priority;
	const char *message;
};

static void supp_build(struct rb *b, const struct supp_in *in)
{
	const struct ratelimit_summary *s = in->s;

	rb_json(b, "{", 1);
	rb_time(b, "time", s->window_end_ns);
	rb_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	rb_str(b, "kind", "suppressed", false);
	rb_str(b, "rule", s->rule_id ? s->rule_id : "", false);
	rb_str(b, "severity", severity_name(in->priority), false);
	rb_num(b, "suppressed", s->suppressed);
	rb_time(b, "window_start", s->window_start_ns);
	rb_time(b, "window_end", s->window_end_ns);
	if (s->path)
		rb_str(b, "path", s->path, true);
	if (s->tgid)
		rb_num(b, "tgid", s->tgid);
	rb_str(b, "message", in->message, false);
	rb_num(b, "generation", in->ctx->generation);
	rb_json(b, "}", 1);
}

struct record *record_suppressed(const struct record_ctx *ctx,
				 const struct ratelimit_summary *s,
				 int priority, unsigned int outputs)
{
	const char *recs = s->suppressed == 1 ? "record" : "records";
	char msg[256];
	struct supp_in in = { .ctx = ctx, .s = s, .priority = priority,
			      .message = msg };
	struct rb b = { 0 };
	struct record *r;

	/* The path is in its own field; the message stays short. */
	if (s->tgid)
		snprintf(msg, sizeof(msg),
			 "%" PRIu64 " similar %s suppressed (rule %.64s, tgid %" PRIu32 ")",
			 s->suppressed, recs, s->rule_id ? s->rule_id : "?",
			 s->tgid);
	else
		snprintf(msg, sizeof(msg),
			 "%" PRIu64 " similar %s suppressed (rule %.64s%s)",
			 s->suppressed, recs, s->rule_id ? s->rule_id : "?",
			 s->path ? ", same path" : "");
	supp_build(&b, &in);
	r = rb_alloc(&b, RECORD_SUPPRESSED, priority, outputs);
	if (!r)
		return NULL;
	supp_build(&b, &in);
	rb_finish(&b, r);
	return r;
}

void record_put(struct record *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		free(r);
}
