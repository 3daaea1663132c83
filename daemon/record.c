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
#include "record.h"

/* Most events render in far less; a longer one takes a heap buffer. */
#define FIELDS_STACK	8192
#define MESSAGE_STACK	1024

/*
 * The builder. In the measuring pass json and str are NULL and only the
 * lengths and the field count grow; the writing pass fills the block.
 */
struct rb {
	char *json;
	size_t jn;
	char *str;
	size_t sn;
	struct record_kv *kv;
	size_t nkv;
};

static void json_put(struct rb *b, const char *s, size_t n)
{
	if (b->json)
		memcpy(b->json + b->jn, s, n);
	b->jn += n;
}

static void json_puts(struct rb *b, const char *s)
{
	json_put(b, s, strlen(s));
}

static void json_key(struct rb *b, const char *key)
{
	json_put(b, b->jn > 1 ? ",\"" : "\"", b->jn > 1 ? 2 : 1);
	json_puts(b, key);
	json_put(b, "\":", 2);
}

size_t record_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0) {
		k = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] < 0xF0) {
		k = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] < 0xF5) {
		k = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return k;
}

/*
 * A JSON string, escaped as the event's own strings are (event_json.h):
 * an invalid byte becomes U+FFFD. Returns whether the input was valid.
 */
static bool json_str(struct rb *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	size_t n = strlen(s);
	bool valid = true;

	json_put(b, "\"", 1);
	while (n) {
		const char *esc;
		size_t k, elen = 2;
		char u[8];

		/* Runs of bytes that need nothing are copied at once. */
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			p++;
			n--;
			continue;
		}
		k = record_utf8_len(p, n);
		if (k > 1) {
			p += k;
			n -= k;
			continue;
		}
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (k == 0) {
				esc = "\xEF\xBF\xBD";
				elen = 3;
				valid = false;
			} else {
				snprintf(u, sizeof(u), "\\u%04X", *p);
				esc = u;
				elen = 6;
			}
		}
		json_put(b, (const char *)run, (size_t)(p - run));
		json_put(b, esc, elen);
		p++;
		n--;
		run = p;
	}
	json_put(b, (const char *)run, (size_t)(p - run));
	json_put(b, "\"", 1);
	return valid;
}

static void json_hex(struct rb *b, const char *key, const char *s)
{
	static const char hexdig[] = "0123456789abcdef";

	json_put(b, ",\"", 2);
	json_puts(b, key);
	json_put(b, "_hex\":\"", 7);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char h[2] = { hexdig[*p >> 4], hexdig[*p & 15] };

		json_put(b, h, 2);
	}
	json_put(b, "\"", 1);
}

/* Decimal digits of v at the end of tmp[24]; returns where they start. */
static char *u64_digits(uint64_t v, char *tmp)
{
	char *p = tmp + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

/* JSON numbers keep their 64 bits in the signed range (event_json.h). */
static void json_num(struct rb *b, uint64_t v)
{
	char tmp[24], *p;

	if (v > INT64_MAX) {
		json_put(b, "-", 1);
		v = -v;
	}
	p = u64_digits(v, tmp);
	json_put(b, p, (size_t)(tmp + 24 - p));
}

static void kv_put(struct rb *b, const char *key, const char *val, size_t n)
{
	if (b->str) {
		char *dst = b->str + b->sn;

		memcpy(dst, val, n);
		dst[n] = '\0';
		b->kv[b->nkv] = (struct record_kv){ .key = key, .value = dst };
	}
	b->sn += n + 1;
	b->nkv++;
}

static void kv_puts(struct rb *b, const char *key, const char *val)
{
	kv_put(b, key, val, strlen(val));
}

static void kv_num(struct rb *b, const char *key, uint64_t v)
{
	char tmp[24], *p = u64_digits(v, tmp);

	kv_put(b, key, p, (size_t)(tmp + 24 - p));
}

/* Both forms of the common field kinds. */
static void f_num(struct rb *b, const char *key, uint64_t v)
{
	json_key(b, key);
	json_num(b, v);
	kv_num(b, key, v);
}

static void f_str(struct rb *b, const char *key, const char *s, bool hex)
{
	json_key(b, key);
	if (!json_str(b, s) && hex)
		json_hex(b, key, s);
	kv_puts(b, key, s);
}

static void f_time(struct rb *b, const char *key, uint64_t ns)
{
	char tmp[64];
	size_t n = record_format_time(ns, tmp, sizeof(tmp));

	json_key(b, key);
	json_put(b, "\"", 1);
	json_put(b, tmp, n);
	json_put(b, "\"", 1);
	kv_put(b, key, tmp, n);
}

static char *put2(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

size_t record_format_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	uint32_t frac = (uint32_t)(ns % 1000000000ULL);
	char tmp[40], *p = tmp;
	struct tm tm;
	int year;

	/* By hand: this runs for every record and snprintf is most of it. */
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	year = tm.tm_year + 1900;
	if (year < 0 || year > 9999)
		year = 0;
	p = put2(p, year / 100);
	p = put2(p, year % 100);
	*p++ = '-';
	p = put2(p, tm.tm_mon + 1);
	*p++ = '-';
	p = put2(p, tm.tm_mday);
	*p++ = 'T';
	p = put2(p, tm.tm_hour);
	*p++ = ':';
	p = put2(p, tm.tm_min);
	*p++ = ':';
	p = put2(p, tm.tm_sec);
	*p++ = '.';
	for (int i = 8; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	p += 9;
	*p++ = 'Z';
	*p = '\0';
	if (len)
		snprintf(buf, len, "%s", tmp);
	return (size_t)(p - tmp);
}

static const char *severity_name(int priority)
{
	const char *name = policy_severity_name(priority);

	return name ? name : "notice";
}

/* One allocation for the struct, the kv array and every string. */
static struct record *rb_alloc(struct rb *b, enum record_kind kind,
			       int priority, unsigned int outputs)
{
	size_t kvsz = b->nkv * sizeof(struct record_kv);
	struct record *r = malloc(sizeof(*r) + kvsz + b->jn + 1 + b->sn);

	if (!r)
		return NULL;
	atomic_init(&r->refs, 1);
	r->kind = kind;
	r->priority = priority;
	r->outputs = outputs;
	r->seq = 0;
	r->rule = NULL;
	r->message = "";
	r->kv = (const struct record_kv *)(r + 1);
	r->n_kv = b->nkv;
	b->kv = (struct record_kv *)(r + 1);
	b->json = (char *)(r + 1) + kvsz;
	b->str = b->json + b->jn + 1;
	r->json = b->json;
	r->json_len = b->jn;
	b->jn = b->sn = b->nkv = 0;
	return r;
}

/* After the writing pass: terminate and point at the named fields. */
static void rb_finish(struct rb *b, struct record *r)
{
	b->json[b->jn] = '\0';
	for (size_t i = 0; i < r->n_kv; i++) {
		if (strcmp(r->kv[i].key, "message") == 0)
			r->message = r->kv[i].value;
		else if (strcmp(r->kv[i].key, "rule") == 0)
			r->rule = r->kv[i].value;
	}
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
		kv_puts(b, key, pm_event_str(ev, f));
		return;
	}
	if (pm_fields[f].kind == PM_KIND_OP &&
	    (name = pm_op_name((unsigned int)ev->num[f])) != NULL) {
		kv_puts(b, key, name);
	} else if (pm_fields[f].kind == PM_KIND_MODE) {
		int n = snprintf(tmp, sizeof(tmp), "%#" PRIo64, ev->num[f]);

		kv_put(b, key, tmp, (size_t)n);
	} else {
		kv_num(b, key, ev->num[f]);
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
	size_t ntags = policy_rule_tag_count(in->rule);
	const char *exe = pm_event_str(ev, PM_F_EXE);

	json_put(b, "{", 1);
	if (pm_event_has(ev, PM_F_SEQ))
		f_num(b, "seq", ev->num[PM_F_SEQ]);
	if (pm_event_has(ev, PM_F_TIME))
		f_time(b, "time", ev->num[PM_F_TIME]);
	f_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	if (in->fields_len) {
		json_put(b, ",", 1);
		json_put(b, in->fields, in->fields_len);
		for (size_t i = 0; i < n_json_order; i++) {
			enum pm_field f = json_order[i];

			if (f != PM_F_SEQ && f != PM_F_TIME &&
			    pm_event_has(ev, f))
				kv_event_field(b, ev, f);
		}
	}
	if (exe)
		f_str(b, "exe", exe, true);
	f_str(b, "kind", "match", false);
	f_str(b, "rule", policy_rule_id(in->rule), false);
	f_str(b, "severity",
	      severity_name(policy_rule_severity(in->rule)), false);

	/* tags: a JSON array; one comma-separated value for journald. */
	json_key(b, "tags");
	json_put(b, "[", 1);
	for (size_t i = 0; i < ntags; i++) {
		if (i)
			json_put(b, ",", 1);
		json_str(b, policy_rule_tag(in->rule, i));
	}
	json_put(b, "]", 1);
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
				.key = "tags", .value = b->str + start };
		}
		b->sn += n + 1;
		b->nkv++;
	}
	f_str(b, "message", in->message, false);
	f_num(b, "generation", in->ctx->generation);
	json_put(b, "}", 1);
}

struct record *record_match(const struct record_ctx *ctx,
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
	n = pm_event_render_json_fields(&body, fields, sizeof(fields_stack));
	if (n == -ENOSPC) {
		fields = malloc(PM_EVENT_JSON_MAX);
		if (!fields)
			return NULL;
		n = pm_event_render_json_fields(&body, fields,
						PM_EVENT_JSON_MAX);
	}
	if (n < 0)
		goto out;

	mlen = policy_rule_render(rule, ev, msg, sizeof(msg_stack));
	if (mlen >= sizeof(msg_stack)) {
		msg = malloc(mlen + 1);
		if (!msg)
			goto out;
		policy_rule_render(rule, ev, msg, mlen + 1);
	}

	in.fields = fields;
	in.fields_len = (size_t)n;
	in.message = msg;

	match_build(&b, &in);
	r = rb_alloc(&b, RECORD_MATCH, policy_rule_severity(rule),
		     policy_rule_outputs(rule));
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
	json_put(b, "{", 1);
	if (in->seq)
		f_num(b, "seq", in->seq);
	f_time(b, "time", in->time_ns);
	f_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	f_str(b, "kind", "lost", false);
	f_str(b, "severity", severity_name(LOG_WARNING), false);
	f_num(b, "lost_count", in->count);
	f_num(b, "lost_first", in->first);
	f_num(b, "lost_last", in->last);
	f_str(b, "reason", in->reason, false);
	f_str(b, "message", in->message, false);
	f_num(b, "generation", in->ctx->generation);
	json_put(b, "}", 1);
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

	json_put(b, "{", 1);
	f_time(b, "time", s->window_end_ns);
	f_str(b, "host", in->ctx->host ? in->ctx->host : "", false);
	f_str(b, "kind", "suppressed", false);
	f_str(b, "rule", s->rule_id ? s->rule_id : "", false);
	f_str(b, "severity", severity_name(in->priority), false);
	f_num(b, "suppressed", s->suppressed);
	f_time(b, "window_start", s->window_start_ns);
	f_time(b, "window_end", s->window_end_ns);
	if (s->path)
		f_str(b, "path", s->path, true);
	if (s->tgid)
		f_num(b, "tgid", s->tgid);
	f_str(b, "message", in->message, false);
	f_num(b, "generation", in->ctx->generation);
	json_put(b, "}", 1);
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
