/* SPDX-License-Identifier: MIT */
/*
 * json_pos.h - a strict RFC 8259 JSON parser whose every value and object
 * key carries the line and column it starts at.
 *
 * Policy diagnostics must point at the offending key or value
 * ("file:line:column: ..."), and general-purpose parsers (jansson included)
 * only know positions while scanning, not for the nodes of a parsed
 * document. This one keeps them. It is strict where a policy author would
 * want to be told: duplicate keys, trailing commas, comments, control
 * characters in strings, invalid UTF-8, lone surrogates, \u0000 in a
 * key (consumers compare keys as C strings) and numbers outside the
 * grammar are errors. Depth and input size are bounded so a
 * hostile file cannot exhaust the stack or memory. Columns count
 * characters (UTF-8 code points), tabs count as one.
 *
 * No I/O, no global state: jp_parse() is separately callable (fuzzing).
 */
#ifndef PREMOD_POLICY_JSON_POS_H
#define PREMOD_POLICY_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jp_type { JP_NULL, JP_BOOL, JP_NUM, JP_STR, JP_ARR, JP_OBJ };

struct jp_value;

struct jp_member {
	const char *key;	/* NUL-terminated; never holds \u0000 (refused) */
	size_t keylen;
	int line, col;		/* of the key's opening quote */
	struct jp_value *val;
};

struct jp_value {
	enum jp_type type;
	int line, col;		/* 1-based, of the value's first character */
	union {
		bool b;
		struct {
			bool is_int;	/* no fraction, no exponent */
			bool neg;
			bool fits;	/* is_int and |value| fits u64 */
			uint64_t u;	/* magnitude when fits */
			double d;
		} num;
		struct {
			const char *s;	/* NUL-terminated, UTF-8 */
			size_t len;	/* may be < strlen when \u0000 used */
		} str;
		struct {
			struct jp_value **v;
			size_t n;
		} arr;
		struct {
			struct jp_member *v;	/* in document order */
			size_t n;
		} obj;
	};
};

struct jp_limits {
	unsigned int max_depth;	/* nesting of arrays/objects */
	size_t max_size;	/* bytes of input */
};
#define JP_DEFAULT_MAX_DEPTH 128
#define JP_DEFAULT_MAX_SIZE (16U << 20)

struct jp_error {
	int line, col;
	char msg[192];
};

struct jp_doc;

/*
 * Parses `len` bytes (need not be NUL-terminated). Returns 0 and a document
 * whose root is jp_root(), or -EINVAL (syntax; err filled), -E2BIG (input
 * or nesting past the limits; err filled) or -ENOMEM. lim may be NULL for
 * the defaults.
 */
int jp_parse(const char *buf, size_t len, const struct jp_limits *lim,
	     struct jp_doc **out, struct jp_error *err);
const struct jp_value *jp_root(const struct jp_doc *doc);
void jp_free(struct jp_doc *doc);

/* Member of an object by key, NULL if absent or v is not an object. */
const struct jp_value *jp_get(const struct jp_value *v, const char *key);
/* A string without \u0000, for values that are names (fields, macros,
 * lists, keywords): NULL if v is anything else. */
const char *jp_name(const struct jp_value *v);
/* "null", "boolean", "number", "string", "array", "object". */
const char *jp_type_name(enum jp_type t);

#endif /* PREMOD_POLICY_JSON_POS_H */
