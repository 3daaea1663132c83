// SPDX-License-Identifier: MIT
/*
 * event_json.c - the stable JSON form of an event (see event_json.h).
 *
 * Two writers must agree byte for byte: pm_event_to_json() builds a jansson
 * object (simple, used where a json_t is wanted) and pm_event_render_json()
 * writes the same text straight into a buffer (monitor and the daemon
 * render every event; no allocation there). The unit tests compare them.
 * The string escaping below therefore follows jansson's dump exactly:
 * \" \\ \b \f \n \r \t, other control bytes as \u00XX (uppercase hex),
 * '/' and non-ASCII characters as they are.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "premod.h"

/* Key order: the attribute numbers of premod.h. */
static const enum pm_field out_order[] = {
	PM_F_SEQ, PM_F_TIME, PM_F_OP, PM_F_FLAGS, PM_F_PID, PM_F_TGID,
	PM_F_PPID, PM_F_UID, PM_F_GID, PM_F_EUID, PM_F_EGID, PM_F_FSUID,
	PM_F_FSGID, PM_F_AUID, PM_F_SESSION, PM_F_COMM, PM_F_CGROUP,
	PM_F_MNTNS, PM_F_DEV, PM_F_INO, PM_F_MODE, PM_F_PATH, PM_F_PATH2,
	PM_F_TASK_PATH, PM_F_TASK_PATH2, PM_F_FS_PATH, PM_F_FS_PATH2,
	PM_F_TARGET, PM_F_XATTR_NAME, PM_F_XATTR_SIZE, PM_F_OLD_MODE,
	PM_F_NEW_MODE, PM_F_OLD_UID, PM_F_NEW_UID, PM_F_OLD_GID,
	PM_F_NEW_GID, PM_F_OLD_SIZE, PM_F_NEW_SIZE, PM_F_NLINK, PM_F_RDEV,
	PM_F_RENAME_FLAGS, PM_F_TARGET_INO, PM_F_OPEN_FLAGS, PM_F_TIME_FLAGS,
	PM_F_ATIME, PM_F_MTIME, PM_F_LOST_COUNT, PM_F_LOST_FIRST,
	PM_F_LOST_LAST, PM_F_EXE_DEV, PM_F_EXE_INO, PM_F_EXE_FS_PATH, PM_F_EXE,
	PM_F_CONFIG_ACTION, PM_F_CONFIG_DETAIL,
};

/* Every field but the derived name and dir. */
_Static_assert(sizeof(out_order) / sizeof(out_order[0]) ==
	       PM_F_COUNT - 2, "event_json: every wire field has a place");

/* Fields that are u64 on the wire; every other number is a u32. */
static const uint64_t wide_fields =
	1ULL << PM_F_SEQ | 1ULL << PM_F_TIME | 1ULL << PM_F_CGROUP |
	1ULL << PM_F_INO | 1ULL << PM_F_OLD_SIZE | 1ULL << PM_F_NEW_SIZE |
	1ULL << PM_F_TARGET_INO | 1ULL << PM_F_ATIME | 1ULL << PM_F_MTIME |
	1ULL << PM_F_LOST_COUNT | 1ULL << PM_F_LOST_FIRST |
	1ULL << PM_F_LOST_LAST | 1ULL << PM_F_EXE_INO;

static const char hexdig[] = "0123456789abcdef";

size_t pm_utf8_len(const unsigned char *s, size_t n)
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

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n) {
		size_t k = pm_utf8_len(p, n);

		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* The string with every invalid byte replaced by U+FFFD (malloc'd). */
static char *utf8_lossy(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		return NULL;
	while (n) {
		size_t k = pm_utf8_len(p, n);

		if (k) {
			memcpy(o, p, k);
			o += k;
		} else {
			k = 1;
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		}
		p += k;
		n -= k;
	}
	*o = '\0';
	return out;
}

static const char *field_key(enum pm_field f)
{
	return pm_fields[f].name;
}

/* Numbers keep their 64 bits in jansson's signed range (see the header). */
static json_int_t num_to_json(uint64_t v)
{
	return (json_int_t)v;
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static int str_to_json(json_t *obj, enum pm_field f, const char *s)
{
	size_t n = strlen(s);
	char hexkey[64], *lossy, *hex;
	int ret;

	if (utf8_valid(s, n))
		return set_new(obj, field_key(f), json_stringn_nocheck(s, n));

	lossy = utf8_lossy(s, n);
	hex = malloc(2 * n + 1);
	ret = -1;
	if (lossy && hex) {
		for (size_t i = 0; i < n; i++) {
			hex[2 * i] = hexdig[(unsigned char)s[i] >> 4];
			hex[2 * i + 1] = hexdig[(unsigned char)s[i] & 15];
		}
		hex[2 * n] = '\0';
		snprintf(hexkey, sizeof(hexkey), "%s_hex", field_key(f));
		ret = set_new(obj, field_key(f), json_string_nocheck(lossy));
		if (!ret)
			ret = set_new(obj, hexkey, json_string_nocheck(hex));
	}
	free(lossy);
	free(hex);
	return ret;
}

json_t *pm_event_to_json(const struct pm_event *ev)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	for (size_t i = 0; i < sizeof(out_order) / sizeof(out_order[0]); i++) {
		enum pm_field f = out_order[i];
		const char *name;
		int ret;

		if (!pm_event_has(ev, f))
			continue;
		if (f >= PM_F_NUM_COUNT) {
			ret = str_to_json(obj, f, pm_event_str(ev, f));
		} else if (f == PM_F_OP &&
			   (name = pm_op_name(ev->num[f])) != NULL) {
			ret = set_new(obj, "op", json_string(name));
		} else {
			ret = set_new(obj, field_key(f),
				      json_integer(num_to_json(ev->num[f])));
		}
		if (ret) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

struct out {
	char *buf;
	size_t len, pos;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n >= o->len - o->pos) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void putc_(struct out *o, char c)
{
	put(o, &c, 1);
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void put_num(struct out *o, uint64_t v)
{
	if (v > INT64_MAX) {
		putc_(o, '-');
		put_u64(o, -v);
	} else {
		put_u64(o, v);
	}
}

/* A JSON string body (no quotes), escaped as jansson does, lossy UTF-8. */
static void put_escaped(struct out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;

	while (n) {
		size_t k = pm_utf8_len(p, n);
		const char *esc = NULL;
		char u[7];

		if (k == 1 && (*p < 0x20 || *p == '"' || *p == '\\')) {
			switch (*p) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			default:
				snprintf(u, sizeof(u), "\\u%04X", *p);
				esc = u;
			}
		} else if (k == 0) {
			esc = "\xEF\xBF\xBD";
			k = 1;
		}
		if (esc) {
			put(o, (const char *)run, (size_t)(p - run));
			put(o, esc, strlen(esc));
			run = p + k;
		}
		p += k;
		n -= k;
	}
	put(o, (const char *)run, (size_t)(p - run));
}

static void put_key(struct out *o, const char *key, bool *first)
{
	if (!*first)
		putc_(o, ',');
	*first = false;
	putc_(o, '"');
	put(o, key, strlen(key));
	put(o, "\":", 2);
}

static void put_str_field(struct out *o, enum pm_field f, const char *s,
			  bool *first)
{
	size_t n = strlen(s);
	bool valid = utf8_valid(s, n);

	put_key(o, field_key(f), first);
	putc_(o, '"');
	put_escaped(o, s, n);
	putc_(o, '"');
	if (valid)
		return;
	putc_(o, ',');
	putc_(o, '"');
	put(o, field_key(f), strlen(field_key(f)));
	put(o, "_hex\":\"", 7);
	for (size_t i = 0; i < n; i++) {
		char h[2] = { hexdig[(unsigned char)s[i] >> 4],
			      hexdig[(unsigned char)s[i] & 15] };

		put(o, h, 2);
	}
	putc_(o, '"');
}

static void put_fields(struct out *o, const struct pm_event *ev)
{
	bool first = true;

	for (size_t i = 0; i < sizeof(out_order) / sizeof(out_order[0]); i++) {
		enum pm_field f = out_order[i];
		const char *name;

		if (!pm_event_has(ev, f))
			continue;
		if (f >= PM_F_NUM_COUNT) {
			put_str_field(o, f, pm_event_str(ev, f), &first);
			continue;
		}
		put_key(o, field_key(f), &first);
		if (f == PM_F_OP && (name = pm_op_name(ev->num[f])) != NULL) {
			putc_(o, '"');
			put(o, name, strlen(name));
			putc_(o, '"');
		} else {
			put_num(o, ev->num[f]);
		}
	}
}

static int finish(struct out *o)
{
	if (o->full || o->pos >= o->len) {
		if (o->len)
			o->buf[0] = '\0';
		return -ENOSPC;
	}
	o->buf[o->pos] = '\0';
	return (int)o->pos;
}

int pm_event_render_json_fields(const struct pm_event *ev, char *buf,
				size_t len)
{
	struct out o = { .buf = buf, .len = len, .full = len == 0 };

	put_fields(&o, ev);
	return finish(&o);
}

int pm_event_render_json(const struct pm_event *ev, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len, .full = len == 0 };

	putc_(&o, '{');
	put_fields(&o, ev);
	putc_(&o, '}');
	return finish(&o);
}

/* Reading. */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* Copies n bytes and a NUL into the store; NULL when it is full. */
static char *store_put(char *store, size_t storelen, size_t *used,
		       const char *s, size_t n)
{
	char *dst;

	if (n + 1 > storelen - *used)
		return NULL;
	dst = store + *used;
	memcpy(dst, s, n);
	dst[n] = '\0';
	*used += n + 1;
	return dst;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex(const char *key, const json_t *v, char *store,
		    size_t storelen, size_t *used, const char **out,
		    char *err, size_t errlen)
{
	const char *h;
	size_t n;
	char *dst;

	if (!json_is_string(v))
		return fail(err, errlen,
			    "key \"%s\": expected a hex string, got %s", key,
			    type_name(v));
	h = json_string_value(v);
	n = json_string_length(v);
	if (n % 2)
		return fail(err, errlen,
			    "key \"%s\": odd number of hex digits", key);
	if (n / 2 + 1 > storelen - *used)
		return -ENOSPC;
	dst = store + *used;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(h[i]), lo = hexval(h[i + 1]);

		if (hi < 0 || lo < 0)
			return fail(err, errlen,
				    "key \"%s\": \"%.2s\" at offset %zu is not a hex byte",
				    key, h + i, i);
		if (hi == 0 && lo == 0)
			return fail(err, errlen,
				    "key \"%s\": NUL byte at offset %zu", key,
				    i);
		dst[i / 2] = (char)(hi << 4 | lo);
	}
	dst[n / 2] = '\0';
	*used += n / 2 + 1;
	*out = dst;
	return 0;
}

static int read_mode_string(const char *key, const char *s, uint64_t *v,
			    char *err, size_t errlen)
{
	uint64_t m = 0;

	if (!*s)
		return fail(err, errlen,
			    "key \"%s\": empty string, expected a mode", key);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return fail(err, errlen,
				    "key \"%s\": \"%s\" is not an octal mode",
				    key, s);
		m = m << 3 | (uint64_t)(*p - '0');
		if (m > UINT32_MAX)
			return fail(err, errlen,
				    "key \"%s\": mode \"%s\" out of range",
				    key, s);
	}
	*v = m;
	return 0;
}

static int read_num(enum pm_field f, const json_t *v, uint64_t *out,
		    char *err, size_t errlen)
{
	const char *key = field_key(f);
	json_int_t i;

	if (f == PM_F_OP) {
		int op;

		if (!json_is_string(v))
			return fail(err, errlen,
				    "key \"op\": expected an op name (a string), got %s",
				    type_name(v));
		op = pm_op_lookup(json_string_value(v));
		if (op < 0)
			return fail(err, errlen,
				    "key \"op\": unknown op \"%s\"",
				    json_string_value(v));
		*out = (uint64_t)op;
		return 0;
	}
	if (pm_fields[f].kind == PM_KIND_MODE && json_is_string(v))
		return read_mode_string(key, json_string_value(v), out, err,
					errlen);
	if (!json_is_integer(v))
		return fail(err, errlen,
			    "key \"%s\": expected an integer, got %s", key,
			    type_name(v));
	i = json_integer_value(v);
	if (wide_fields & (1ULL << f)) {
		*out = (uint64_t)i;
		return 0;
	}
	if (i < 0 || i > (json_int_t)UINT32_MAX)
		return fail(err, errlen,
			    "key \"%s\": %lld is out of range for a 32-bit field",
			    key, (long long)i);
	*out = (uint64_t)i;
	return 0;
}

int pm_event_from_json(const json_t *obj, struct pm_event *ev, char *store,
		       size_t storelen, char *err, size_t errlen)
{
	size_t used = 0;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(obj))
		return fail(err, errlen, "expected a JSON object, got %s",
			    obj ? type_name(obj) : "nothing");

	for (int f = 0; f < PM_F_COUNT; f++) {
		const char *key = field_key(f);
		const json_t *v, *hv;
		char hexkey[64];

		if (pm_fields[f].derived && f != PM_F_EXE)
			continue;
		v = json_object_get(obj, key);
		if (f < PM_F_NUM_COUNT) {
			uint64_t n = 0;

			if (!v || json_is_null(v))
				continue;
			ret = read_num(f, v, &n, err, errlen);
			if (ret)
				return ret;
			pm_event_set_num(ev, f, n);
			continue;
		}

		snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
		hv = json_object_get(obj, hexkey);
		if (hv && !json_is_null(hv)) {
			const char *s = NULL;

			ret = read_hex(hexkey, hv, store, storelen, &used, &s,
				       err, errlen);
			if (ret == -ENOSPC)
				goto nospace;
			if (ret)
				return ret;
			pm_event_set_str(ev, f, s);
			continue;
		}
		if (!v || json_is_null(v))
			continue;
		if (!json_is_string(v))
			return fail(err, errlen,
				    "key \"%s\": expected a string, got %s",
				    key, type_name(v));
		if (memchr(json_string_value(v), '\0', json_string_length(v)))
			return fail(err, errlen,
				    "key \"%s\": string contains a NUL (\\u0000)",
				    key);
		{
			const char *s = store_put(store, storelen, &used,
						  json_string_value(v),
						  json_string_length(v));

			if (!s)
				goto nospace;
			pm_event_set_str(ev, f, s);
		}
	}
	return 0;

nospace:
	if (err && errlen)
		snprintf(err, errlen,
			 "event strings need more than %zu bytes of storage",
			 storelen);
	return -ENOSPC;
}

int pm_event_from_json_line(const char *line, size_t len,
			    struct pm_event *ev, char *store, size_t storelen,
			    char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	int ret;

	memset(ev, 0, sizeof(*ev));
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			 &jerr);
	if (!obj)
		return fail(err, errlen, "column %d: %s", jerr.column,
			    jerr.text);
	ret = pm_event_from_json(obj, ev, store, storelen, err, errlen);
	json_decref(obj);
	return ret;
}
