// SPDX-License-Identifier: MIT
/*
 * record_build.c - the JSON and key/value writers of record.c, and the
 * formats they share (RFC 3339 time, UTF-8 validation).
 *
 * JSON strings are escaped as the event's own strings are (event_json.h):
 * an invalid byte becomes U+FFFD and, for paths, a <key>_hex twin carries
 * the exact bytes; key/value strings are the exact bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_json.h"
#include "record_build.h"

void rb_json(struct rb *b, const char *s, size_t n)
{
	if (b->json)
		memcpy(b->json + b->jn, s, n);
	b->jn += n;
}

static void rb_jsons(struct rb *b, const char *s)
{
	rb_json(b, s, strlen(s));
}

void rb_key(struct rb *b, const char *key)
{
	rb_json(b, b->jn > 1 ? ",\"" : "\"", b->jn > 1 ? 2 : 1);
	rb_jsons(b, key);
	rb_json(b, "\":", 2);
}

/*
 * A JSON string, escaped as the event's own strings are (event_json.h):
 * an invalid byte becomes U+FFFD. Returns whether the input was valid.
 */
bool rb_jstr(struct rb *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	size_t n = strlen(s);
	bool valid = true;

	rb_json(b, "\"", 1);
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
		k = pm_utf8_len(p, n);
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
		rb_json(b, (const char *)run, (size_t)(p - run));
		rb_json(b, esc, elen);
		p++;
		n--;
		run = p;
	}
	rb_json(b, (const char *)run, (size_t)(p - run));
	rb_json(b, "\"", 1);
	return valid;
}

static void rb_jhex(struct rb *b, const char *key, const char *s)
{
	static const char hexdig[] = "0123456789abcdef";

	rb_json(b, ",\"", 2);
	rb_jsons(b, key);
	rb_json(b, "_hex\":\"", 7);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char h[2] = { hexdig[*p >> 4], hexdig[*p & 15] };

		rb_json(b, h, 2);
	}
	rb_json(b, "\"", 1);
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
static void rb_jnum(struct rb *b, uint64_t v)
{
	char tmp[24], *p;

	if (v > INT64_MAX) {
		rb_json(b, "-", 1);
		v = -v;
	}
	p = u64_digits(v, tmp);
	rb_json(b, p, (size_t)(tmp + 24 - p));
}

void rb_kvt(struct rb *b, const char *key, const char *val, size_t n,
	    enum record_kv_type type)
{
	if (b->str) {
		char *dst = b->str + b->sn;

		memcpy(dst, val, n);
		dst[n] = '\0';
		b->kv[b->nkv] = (struct record_kv){ .key = key, .value = dst,
						    .type = type };
	}
	b->sn += n + 1;
	b->nkv++;
}

void rb_kv(struct rb *b, const char *key, const char *val, size_t n)
{
	rb_kvt(b, key, val, n, RKV_STR);
}

void rb_kvs(struct rb *b, const char *key, const char *val)
{
	rb_kv(b, key, val, strlen(val));
}

void rb_kvnum(struct rb *b, const char *key, uint64_t v)
{
	char tmp[24], *p = u64_digits(v, tmp);

	rb_kvt(b, key, p, (size_t)(tmp + 24 - p), RKV_NUM);
}

/* Both forms of the common field kinds. */
void rb_num(struct rb *b, const char *key, uint64_t v)
{
	rb_key(b, key);
	rb_jnum(b, v);
	rb_kvnum(b, key, v);
}

void rb_str(struct rb *b, const char *key, const char *s, bool hex)
{
	rb_key(b, key);
	if (!rb_jstr(b, s) && hex)
		rb_jhex(b, key, s);
	rb_kvs(b, key, s);
}

void rb_time(struct rb *b, const char *key, uint64_t ns)
{
	char tmp[64];
	size_t n = record_format_time(ns, tmp, sizeof(tmp));

	rb_key(b, key);
	rb_json(b, "\"", 1);
	rb_json(b, tmp, n);
	rb_json(b, "\"", 1);
	rb_kvt(b, key, tmp, n, RKV_TIME);
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

/* One allocation for the struct, the kv array and every string. */
struct record *rb_alloc(struct rb *b, enum record_kind kind,
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
	r->tags = "";
	r->n_tags = 0;
	b->kv = (struct record_kv *)(r + 1);
	b->json = (char *)(r + 1) + kvsz;
	b->str = b->json + b->jn + 1;
	r->json = b->json;
	r->json_len = b->jn;
	b->jn = b->sn = b->nkv = 0;
	b->tags = NULL;
	b->ntags = 0;
	return r;
}

/* After the writing pass: terminate and point at the named fields. */
void rb_finish(struct rb *b, struct record *r)
{
	b->json[b->jn] = '\0';
	if (b->tags) {
		r->tags = b->tags;
		r->n_tags = b->ntags;
	}
	for (size_t i = 0; i < r->n_kv; i++) {
		if (strcmp(r->kv[i].key, "message") == 0)
			r->message = r->kv[i].value;
		else if (strcmp(r->kv[i].key, "rule") == 0)
			r->rule = r->kv[i].value;
	}
}
