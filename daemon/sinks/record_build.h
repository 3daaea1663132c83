/* SPDX-License-Identifier: MIT */
/*
 * record_build.h - the two-pass builder behind record.c (internal: only
 * record*.c include it).
 *
 * A record is rendered twice over the same field list: a measuring pass
 * (json and str NULL) that only counts, then rb_alloc() makes the one
 * block and a writing pass fills it. Every rb_* field writer adds the field
 * to both forms: the JSON object and the key/value list (record.h).
 */
#ifndef PREMOD_DAEMON_RECORD_BUILD_H
#define PREMOD_DAEMON_RECORD_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct rb {
	char *json;		/* NULL while measuring */
	size_t jn;
	char *str;		/* key/value strings; NULL while measuring */
	size_t sn;
	struct record_kv *kv;
	size_t nkv;
	const char *tags;	/* where rb_tags() put them (writing pass) */
	size_t ntags;
};

/* Raw JSON text; a key (with its comma); a JSON string of s (lossy UTF-8,
 * returns whether s was valid). */
void rb_json(struct rb *b, const char *s, size_t n);
void rb_key(struct rb *b, const char *key);
bool rb_jstr(struct rb *b, const char *s);

/* Key/value only: a value of n bytes of a type, a C string, a number. */
void rb_kvt(struct rb *b, const char *key, const char *val, size_t n,
	    enum record_kv_type type);
void rb_kv(struct rb *b, const char *key, const char *val, size_t n);
void rb_kvs(struct rb *b, const char *key, const char *val);
void rb_kvnum(struct rb *b, const char *key, uint64_t v);

/* Both forms: a number; a string (with <key>_hex in JSON when it is not
 * UTF-8 and hex is set); a time, RFC 3339 in both. */
void rb_num(struct rb *b, const char *key, uint64_t v);
void rb_str(struct rb *b, const char *key, const char *s, bool hex);
void rb_time(struct rb *b, const char *key, uint64_t ns);

/* After the measuring pass: the block, sized for what was counted; b is
 * reset to write into it. NULL on allocation failure. */
struct record *rb_alloc(struct rb *b, enum record_kind kind, int priority,
			unsigned int outputs);
/* After the writing pass: terminates the JSON, points rule and message at
 * their values. */
void rb_finish(struct rb *b, struct record *r);

#endif /* PREMOD_DAEMON_RECORD_BUILD_H */
