// SPDX-License-Identifier: MIT
/*
 * json_pos.c - strict JSON with positions (see json_pos.h for why).
 *
 * Recursive descent over a cursor that tracks line and column as it
 * advances; every node is allocated from one arena owned by the document,
 * so an error at any depth unwinds by freeing the arena.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pos.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct jp_doc {
	struct arena_chunk *chunks;
	struct jp_value *root;
};

struct cursor {
	const unsigned char *p, *end;
	int line, col;
	unsigned int depth, max_depth;
	struct jp_doc *doc;
	struct jp_error *err;
	int rc;			/* first error: -EINVAL, -E2BIG, -ENOMEM */
};

static void *arena_alloc(struct jp_doc *doc, size_t size)
{
	struct arena_chunk *c = doc->chunks;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!c || c->cap - c->used < need) {
		size_t cap = need > 16384 ? need : 16384;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = doc->chunks;
		c->used = 0;
		c->cap = cap;
		doc->chunks = c;
	}
	void *p = (char *)c->data + c->used;

	c->used += need;
	return p;
}

static void fail_at(struct cursor *c, int rc, int line, int col,
		    const char *fmt, ...)
{
	va_list ap;

	if (c->rc)
		return;
	c->rc = rc;
	if (!c->err)
		return;
	c->err->line = line;
	c->err->col = col;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
}

#define fail(c, ...) fail_at(c, -EINVAL, (c)->line, (c)->col, __VA_ARGS__)

static void adv(struct cursor *c)
{
	if (*c->p == '\n') {
		c->line++;
		c->col = 1;
	} else if ((*c->p & 0xC0) != 0x80) {
		c->col++;
	}
	c->p++;
}

/* Column advance for a UTF-8 continuation byte is 0, so the column of
 * the byte after a multi-byte character is right. */

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end &&
	       (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		adv(c);
}

static const char *describe(const struct cursor *c, char *buf, size_t len)
{
	if (c->p >= c->end)
		return "end of input";
	if (*c->p == '/')
		return "'/' (comments are not JSON)";
	if (*c->p >= 0x20 && *c->p < 0x7f)
		snprintf(buf, len, "'%c'", *c->p);
	else
		snprintf(buf, len, "byte 0x%02x", *c->p);
	return buf;
}

static struct jp_value *new_value(struct cursor *c, enum jp_type t, int line,
				  int col)
{
	struct jp_value *v = arena_alloc(c->doc, sizeof(*v));

	if (!v) {
		fail_at(c, -ENOMEM, line, col, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = t;
	v->line = line;
	v->col = col;
	return v;
}

static struct jp_value *parse_value(struct cursor *c);

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_hex4(struct cursor *c, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		int h = c->p < c->end ? hexval(*c->p) : -1;

		if (h < 0) {
			fail(c, "invalid \\u escape: expected 4 hex digits");
			return -1;
		}
		v = v << 4 | (unsigned int)h;
		adv(c);
	}
	*out = v;
	return 0;
}

static size_t put_utf8(unsigned char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of a valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, <= U+10FFFF), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* At the opening quote. The decoded string is never longer than its
 * source, so one allocation of the source length suffices. */
static int parse_string(struct cursor *c, const char **out, size_t *outlen)
{
	const unsigned char *start;
	unsigned char *buf, *o;

	adv(c);
	start = c->p;
	while (start < c->end && *start != '"')
		start += *start == '\\' && start + 1 < c->end ? 2 : 1;
	buf = arena_alloc(c->doc, (size_t)(start - c->p) + 1);
	if (!buf) {
		fail_at(c, -ENOMEM, c->line, c->col, "out of memory");
		return -1;
	}
	o = buf;
	for (;;) {
		if (c->p >= c->end) {
			fail(c, "unterminated string");
			return -1;
		}
		unsigned char ch = *c->p;

		if (ch == '"') {
			adv(c);
			break;
		}
		if (ch < 0x20) {
			fail(c, "control character 0x%02x in string (escape it)", ch);
			return -1;
		}
		if (ch == '\\') {
			int line = c->line, col = c->col;
			unsigned int cp, lo;

			adv(c);
			if (c->p >= c->end) {
				fail(c, "unterminated string");
				return -1;
			}
			switch (*c->p) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u':
				adv(c);
				if (read_hex4(c, &cp))
					return -1;
				if (cp >= 0xDC00 && cp <= 0xDFFF) {
					fail_at(c, -EINVAL, line, col,
						"lone low surrogate \\u%04X", cp);
					return -1;
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (c->end - c->p < 2 || c->p[0] != '\\' ||
					    c->p[1] != 'u') {
						fail_at(c, -EINVAL, line, col,
							"high surrogate \\u%04X not followed by a low surrogate",
							cp);
						return -1;
					}
					adv(c);
					adv(c);
					if (read_hex4(c, &lo))
						return -1;
					if (lo < 0xDC00 || lo > 0xDFFF) {
						fail_at(c, -EINVAL, line, col,
							"high surrogate \\u%04X not followed by a low surrogate",
							cp);
						return -1;
					}
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				o += put_utf8(o, cp);
				continue;
			default:
				fail(c, "invalid escape '\\%c'",
				     *c->p >= 0x20 && *c->p < 0x7f ? *c->p : '?');
				return -1;
			}
			adv(c);
			continue;
		}
		size_t n = utf8_len(c->p, c->end);

		if (!n) {
			fail(c, "invalid UTF-8 in string");
			return -1;
		}
		memcpy(o, c->p, n);
		o += n;
		for (size_t i = 0; i < n; i++)
			adv(c);
	}
	*o = 0;
	*out = (const char *)buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

static bool isdigit_(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static struct jp_value *parse_number(struct cursor *c)
{
	int line = c->line, col = c->col;
	const unsigned char *start = c->p;
	struct jp_value *v = new_value(c, JP_NUM, line, col);
	char tmp[64];

	if (!v)
		return NULL;
	v->num.is_int = true;
	v->num.fits = true;
	if (*c->p == '-') {
		v->num.neg = true;
		adv(c);
	}
	if (c->p >= c->end || !isdigit_(*c->p)) {
		fail(c, "invalid number: expected a digit");
		return NULL;
	}
	if (*c->p == '0') {
		adv(c);
		if (c->p < c->end && isdigit_(*c->p)) {
			fail_at(c, -EINVAL, line, col,
				"invalid number: leading zero (octal modes are written as strings, \"0755\")");
			return NULL;
		}
	} else {
		while (c->p < c->end && isdigit_(*c->p)) {
			unsigned int d = *c->p - '0';

			if (v->num.u > (UINT64_MAX - d) / 10)
				v->num.fits = false;
			else
				v->num.u = v->num.u * 10 + d;
			adv(c);
		}
	}
	if (c->p < c->end && *c->p == '.') {
		v->num.is_int = false;
		adv(c);
		if (c->p >= c->end || !isdigit_(*c->p)) {
			fail(c, "invalid number: expected a digit after '.'");
			return NULL;
		}
		while (c->p < c->end && isdigit_(*c->p))
			adv(c);
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		v->num.is_int = false;
		adv(c);
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			adv(c);
		if (c->p >= c->end || !isdigit_(*c->p)) {
			fail(c, "invalid number: expected a digit in the exponent");
			return NULL;
		}
		while (c->p < c->end && isdigit_(*c->p))
			adv(c);
	}
	if (!v->num.is_int)
		v->num.fits = false;
	if (v->num.neg && v->num.fits && v->num.u == 0)
		v->num.neg = false;	/* -0 is 0 */
	if ((size_t)(c->p - start) < sizeof(tmp)) {
		memcpy(tmp, start, (size_t)(c->p - start));
		tmp[c->p - start] = 0;
		v->num.d = strtod(tmp, NULL);
	} else {
		v->num.d = v->num.neg ? -1e308 : 1e308;	/* absurdly long */
	}
	return v;
}

static int member_cmp(const void *a, const void *b)
{
	const struct jp_member *x = *(const struct jp_member *const *)a;
	const struct jp_member *y = *(const struct jp_member *const *)b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int r = memcmp(x->key, y->key, n);

	if (r)
		return r;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x < y ? -1 : x > y;	/* document order among equals */
}

static void check_duplicates(struct cursor *c, struct jp_value *v)
{
	size_t n = v->obj.n;
	const struct jp_member *dup = NULL, *first = NULL;

	if (n < 2)
		return;
	if (n <= 16) {
		for (size_t i = 1; i < n && !dup; i++)
			for (size_t j = 0; j < i; j++)
				if (v->obj.v[i].keylen == v->obj.v[j].keylen &&
				    !memcmp(v->obj.v[i].key, v->obj.v[j].key,
					    v->obj.v[i].keylen)) {
					dup = &v->obj.v[i];
					first = &v->obj.v[j];
					break;
				}
	} else {
		const struct jp_member **idx = malloc(n * sizeof(*idx));

		if (!idx) {
			fail_at(c, -ENOMEM, v->line, v->col, "out of memory");
			return;
		}
		for (size_t i = 0; i < n; i++)
			idx[i] = &v->obj.v[i];
		qsort(idx, n, sizeof(*idx), member_cmp);
		/* Report the duplicate that comes first in the document. */
		for (size_t i = 1; i < n; i++)
			if (idx[i]->keylen == idx[i - 1]->keylen &&
			    !memcmp(idx[i]->key, idx[i - 1]->key, idx[i]->keylen) &&
			    (!dup || idx[i] < dup)) {
				size_t k = i - 1;

				while (k > 0 && idx[k - 1]->keylen == idx[i]->keylen &&
				       !memcmp(idx[k - 1]->key, idx[i]->key, idx[i]->keylen))
					k--;
				dup = idx[i];
				first = idx[k];
			}
		free(idx);
	}
	if (dup)
		fail_at(c, -EINVAL, dup->line, dup->col,
			"duplicate key \"%s\" (first at line %d, column %d)",
			dup->key, first->line, first->col);
}

/* Growable array of pointers or members kept on the heap while parsing,
 * copied into the arena when complete (arena memory cannot grow). */
static struct jp_value *parse_container(struct cursor *c, bool is_obj)
{
	int line = c->line, col = c->col;
	struct jp_value *v = new_value(c, is_obj ? JP_OBJ : JP_ARR, line, col);
	size_t esz = is_obj ? sizeof(struct jp_member) : sizeof(struct jp_value *);
	char close = is_obj ? '}' : ']';
	void *tmp = NULL;
	size_t n = 0, cap = 0;
	char d[24];

	if (!v)
		return NULL;
	if (++c->depth > c->max_depth) {
		fail_at(c, -E2BIG, line, col,
			"nesting deeper than %u levels", c->max_depth);
		return NULL;
	}
	adv(c);
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		adv(c);
		c->depth--;
		return v;
	}
	for (;;) {
		struct jp_member m = { 0 };
		struct jp_value *item;

		skip_ws(c);
		if (is_obj) {
			if (c->p >= c->end || *c->p != '"') {
				if (c->p < c->end && *c->p == '}' && n)
					fail(c, "trailing comma before '}'");
				else
					fail(c, "expected a string key, found %s",
					     describe(c, d, sizeof(d)));
				goto err;
			}
			m.line = c->line;
			m.col = c->col;
			if (parse_string(c, &m.key, &m.keylen))
				goto err;
			if (strlen(m.key) != m.keylen) {
				/* consumers compare keys as C strings: a key
				 * "match\u0000" would shadow "match" */
				fail_at(c, -EINVAL, m.line, m.col,
					"a key may not contain \\u0000 (NUL)");
				goto err;
			}
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':') {
				fail(c, "expected ':' after key \"%s\", found %s",
				     m.key, describe(c, d, sizeof(d)));
				goto err;
			}
			adv(c);
			skip_ws(c);
		} else if (c->p < c->end && *c->p == ']' && n) {
			fail(c, "trailing comma before ']'");
			goto err;
		}
		item = parse_value(c);
		if (!item)
			goto err;
		if (n == cap) {
			void *t;

			cap = cap ? cap * 2 : 8;
			t = realloc(tmp, cap * esz);
			if (!t) {
				fail_at(c, -ENOMEM, line, col, "out of memory");
				goto err;
			}
			tmp = t;
		}
		if (is_obj) {
			m.val = item;
			((struct jp_member *)tmp)[n++] = m;
		} else {
			((struct jp_value **)tmp)[n++] = item;
		}
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			adv(c);
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			adv(c);
			break;
		}
		fail(c, "expected ',' or '%c', found %s", close,
		     describe(c, d, sizeof(d)));
		goto err;
	}
	void *arr = arena_alloc(c->doc, n * esz);

	if (!arr) {
		fail_at(c, -ENOMEM, line, col, "out of memory");
		goto err;
	}
	memcpy(arr, tmp, n * esz);
	free(tmp);
	if (is_obj) {
		v->obj.v = arr;
		v->obj.n = n;
		check_duplicates(c, v);
		if (c->rc)
			return NULL;
	} else {
		v->arr.v = arr;
		v->arr.n = n;
	}
	c->depth--;
	return v;
err:
	free(tmp);
	return NULL;
}

static bool literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return false;
	for (size_t i = 0; i < n; i++)
		adv(c);
	return true;
}

static struct jp_value *parse_value(struct cursor *c)
{
	int line = c->line, col = c->col;
	struct jp_value *v;
	char d[24];

	skip_ws(c);
	line = c->line;
	col = c->col;
	if (c->p >= c->end) {
		fail(c, "unexpected end of input, expected a value");
		return NULL;
	}
	switch (*c->p) {
	case '{':
		return parse_container(c, true);
	case '[':
		return parse_container(c, false);
	case '"':
		v = new_value(c, JP_STR, line, col);
		if (!v || parse_string(c, &v->str.s, &v->str.len))
			return NULL;
		return v;
	case 't':
	case 'f':
	case 'n':
		if (literal(c, "true") || literal(c, "false")) {
			v = new_value(c, JP_BOOL, line, col);
			if (v)
				v->b = c->p[-1] == 'e' && c->p[-2] == 'u';
			return v;
		}
		if (literal(c, "null"))
			return new_value(c, JP_NULL, line, col);
		break;
	case '/':
		fail(c, "comments are not JSON");
		return NULL;
	default:
		if (*c->p == '-' || isdigit_(*c->p))
			return parse_number(c);
		break;
	}
	if (*c->p == '\'')
		fail(c, "strings take double quotes");
	else
		fail(c, "expected a value, found %s", describe(c, d, sizeof(d)));
	return NULL;
}

int jp_parse(const char *buf, size_t len, const struct jp_limits *lim,
	     struct jp_doc **out, struct jp_error *err)
{
	struct jp_limits def = { JP_DEFAULT_MAX_DEPTH, JP_DEFAULT_MAX_SIZE };
	struct cursor c = { 0 };
	struct jp_doc *doc;
	char d[24];

	if (!lim)
		lim = &def;
	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	c.line = c.col = 1;
	c.err = err;
	if (len > lim->max_size) {
		fail_at(&c, -E2BIG, 1, 1, "input of %zu bytes exceeds the limit of %zu",
			len, lim->max_size);
		return c.rc;
	}
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return -ENOMEM;
	c.doc = doc;
	c.p = (const unsigned char *)buf;
	c.end = c.p + len;
	c.max_depth = lim->max_depth;
	/* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1). */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		c.p += 3;
	skip_ws(&c);
	if (c.p >= c.end) {
		fail(&c, "empty document, expected a JSON value");
		goto err;
	}
	doc->root = parse_value(&c);
	if (!doc->root)
		goto err;
	skip_ws(&c);
	if (c.p < c.end) {
		fail(&c, "unexpected %s after the end of the document",
		     describe(&c, d, sizeof(d)));
		goto err;
	}
	*out = doc;
	return 0;
err:
	jp_free(doc);
	return c.rc ? c.rc : -EINVAL;
}

const struct jp_value *jp_root(const struct jp_doc *doc)
{
	return doc ? doc->root : NULL;
}

void jp_free(struct jp_doc *doc)
{
	if (!doc)
		return;
	while (doc->chunks) {
		struct arena_chunk *n = doc->chunks->next;

		free(doc->chunks);
		doc->chunks = n;
	}
	free(doc);
}

const char *jp_name(const struct jp_value *v)
{
	if (!v || v->type != JP_STR || strlen(v->str.s) != v->str.len)
		return NULL;
	return v->str.s;
}

const struct jp_value *jp_get(const struct jp_value *v, const char *key)
{
	size_t n = strlen(key);

	if (!v || v->type != JP_OBJ)
		return NULL;
	for (size_t i = 0; i < v->obj.n; i++)
		if (v->obj.v[i].keylen == n && !memcmp(v->obj.v[i].key, key, n))
			return v->obj.v[i].val;
	return NULL;
}

const char *jp_type_name(enum jp_type t)
{
	static const char *const names[] = {
		[JP_NULL] = "null", [JP_BOOL] = "boolean", [JP_NUM] = "number",
		[JP_STR] = "string", [JP_ARR] = "array", [JP_OBJ] = "object",
	};

	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
