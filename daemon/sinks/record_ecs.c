// SPDX-License-Identifier: MIT
/*
 * record_ecs.c - the Elastic Common Schema form of a record. See
 * record_ecs.h; the names and types follow the ECS field reference
 * (tests/unit/data/ecs_fields.txt holds the definitions of the ECS fields
 * used here, and check_record_ecs validates every record form against it).
 *
 * The record's key/value list is mapped through one table: each row names
 * a record key, the ECS field it becomes and how its value converts. Keys
 * without a row become "premod.<key>". The fields are then sorted by name
 * and written as nested objects: names that share a prefix are adjacent
 * in sorted order, so one pass with a stack of open objects suffices.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "event_json.h"
#include "record_ecs.h"
#include "sink.h"

const struct ecs_field record_ecs_fields[] = {
	/* constants */
	{ NULL, "ecs.version", ECS_KEYWORD, ECS_AS_IS, RECORD_ECS_VERSION },
	{ NULL, "event.module", ECS_KEYWORD, ECS_AS_IS, "premod" },
	/* the record */
	{ "time", "@timestamp", ECS_DATE, ECS_AS_IS, NULL },
	{ "seq", "event.sequence", ECS_LONG, ECS_AS_IS, NULL },
	{ "host", "host.name", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "kind", "event.kind", ECS_KEYWORD, ECS_KIND, NULL },
	{ "kind", "premod.kind", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "rule", "rule.name", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "severity", "log.level", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "severity", "event.severity", ECS_LONG, ECS_PRIORITY, NULL },
	{ "tags", "tags", ECS_KEYWORD, ECS_TAGS, NULL },
	{ "message", "message", ECS_TEXT, ECS_AS_IS, NULL },
	{ "reason", "event.reason", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "window_start", "event.start", ECS_DATE, ECS_AS_IS, NULL },
	{ "window_end", "event.end", ECS_DATE, ECS_AS_IS, NULL },
	/* the operation */
	{ "op", "event.action", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "op", "event.category", ECS_KEYWORD, ECS_OP_CATEGORY, NULL },
	{ "op", "event.type", ECS_KEYWORD, ECS_OP_TYPE, NULL },
	{ "result", "event.outcome", ECS_KEYWORD, ECS_OUTCOME, NULL },
	/* the acting task */
	{ "tgid", "process.pid", ECS_LONG, ECS_AS_IS, NULL },
	{ "pid", "process.thread.id", ECS_LONG, ECS_AS_IS, NULL },
	{ "ppid", "process.parent.pid", ECS_LONG, ECS_AS_IS, NULL },
	{ "comm", "process.name", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "exe", "process.executable", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "uid", "user.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "uid", "process.real_user.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "euid", "user.effective.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "euid", "process.user.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "gid", "group.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "gid", "process.real_group.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "egid", "user.effective.group.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "egid", "process.group.id", ECS_KEYWORD, ECS_AS_IS, NULL },
	/* the object */
	{ "path", "file.path", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "path", "file.name", ECS_KEYWORD, ECS_BASENAME, NULL },
	{ "path", "file.directory", ECS_KEYWORD, ECS_DIRNAME, NULL },
	{ "target", "file.target_path", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "dev", "file.device", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "ino", "file.inode", ECS_KEYWORD, ECS_AS_IS, NULL },
	{ "mode", "file.mode", ECS_KEYWORD, ECS_MODE_PERM, NULL },
	{ "mode", "file.type", ECS_KEYWORD, ECS_MODE_FTYPE, NULL },
};
const size_t record_ecs_n_fields =
	sizeof(record_ecs_fields) / sizeof(record_ecs_fields[0]);

enum item_kind { I_STR, I_NUM, I_TAGS, I_ARR1 };

struct item {
	const char *name;
	enum item_kind kind;
	const char *s;		/* I_STR, I_ARR1: s[0..n) */
	size_t n;
	int64_t num;
	char tmp[32];		/* a computed value (s points here) */
	char name_buf[64];	/* premod.<key>[_hex] */
	bool hex;		/* s is written as lowercase hex */
};

struct ecs_out {
	struct item *items;
	size_t n, cap;
};

static struct item *add(struct ecs_out *e, const char *name,
			enum item_kind kind)
{
	struct item *it;

	if (e->n == e->cap)
		return NULL;
	it = &e->items[e->n++];
	memset(it, 0, sizeof(*it));
	it->name = name;
	it->kind = kind;
	return it;
}

static void add_str(struct ecs_out *e, const char *name, const char *s,
		    size_t n)
{
	struct item *it = add(e, name, I_STR);

	if (it) {
		it->s = s;
		it->n = n;
	}
}

static void add_tmp(struct ecs_out *e, const char *name,
		    enum item_kind kind, const char *s)
{
	struct item *it = add(e, name, kind);

	if (it) {
		snprintf(it->tmp, sizeof(it->tmp), "%s", s);
		it->s = it->tmp;
		it->n = strlen(it->tmp);
	}
}

/* "premod.<key><suffix>", in the item's own storage. */
static struct item *add_custom(struct ecs_out *e, const char *key,
			       const char *suffix, enum item_kind kind)
{
	struct item *it = add(e, NULL, kind);

	if (it) {
		snprintf(it->name_buf, sizeof(it->name_buf), "%s.%s%s",
			 RECORD_ECS_CUSTOM, key, suffix);
		it->name = it->name_buf;
	}
	return it;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t k = pm_utf8_len(p, n);

		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

static int64_t as_signed(const char *v)
{
	/* The JSON convention of the record (event_json.h): 64 bits kept. */
	return (int64_t)strtoull(v, NULL, 10);
}

static const char *file_type(unsigned long long mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char_device";
	case S_IFBLK: return "block_device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	}
	return NULL;
}

static const char *op_type(const char *op)
{
	static const char *const creation[] = { "create", "mkdir", "symlink",
						"link", NULL };
	static const char *const deletion[] = { "unlink", "rmdir", NULL };

	for (size_t i = 0; creation[i]; i++)
		if (!strcmp(op, creation[i]))
			return "creation";
	for (size_t i = 0; deletion[i]; i++)
		if (!strcmp(op, deletion[i]))
			return "deletion";
	return "change";
}

static void convert(struct ecs_out *e, const struct record *r,
		    const struct ecs_field *f, const struct record_kv *kv)
{
	const char *v = kv->value, *slash;
	struct item *it;
	char tmp[32];

	switch (f->conv) {
	case ECS_AS_IS:
		if (f->type == ECS_LONG) {
			it = add(e, f->ecs, I_NUM);
			if (it)
				it->num = as_signed(v);
		} else {
			add_str(e, f->ecs, v, strlen(v));
		}
		return;
	case ECS_MODE_PERM:
		snprintf(tmp, sizeof(tmp), "%04llo",
			 strtoull(v, NULL, 8) & 07777);
		add_tmp(e, f->ecs, I_STR, tmp);
		return;
	case ECS_MODE_FTYPE: {
		const char *t = file_type(strtoull(v, NULL, 8));

		if (t)
			add_tmp(e, f->ecs, I_STR, t);
		return;
	}
	case ECS_OP_TYPE:
		add_tmp(e, f->ecs, I_ARR1, op_type(v));
		return;
	case ECS_OP_CATEGORY:
		add_tmp(e, f->ecs, I_ARR1, "file");
		return;
	case ECS_KIND:
		add_tmp(e, f->ecs, I_STR,
			r->kind == RECORD_MATCH ? "alert" : "event");
		return;
	case ECS_PRIORITY:
		it = add(e, f->ecs, I_NUM);
		if (it)
			it->num = r->priority & 7;
		return;
	case ECS_TAGS:
		add(e, f->ecs, I_TAGS);
		return;
	case ECS_BASENAME:
		slash = strrchr(v, '/');
		if (slash && slash[1])
			add_str(e, f->ecs, slash + 1, strlen(slash + 1));
		else if (!slash && *v)
			add_str(e, f->ecs, v, strlen(v));
		return;
	case ECS_DIRNAME:
		slash = strrchr(v, '/');
		if (slash)
			add_str(e, f->ecs, v, slash == v ? 1 : (size_t)(slash - v));
		return;
	case ECS_OUTCOME:
		if (!strcmp(v, "success") || !strcmp(v, "failure") ||
		    !strcmp(v, "unknown"))
			add_tmp(e, f->ecs, I_STR, v);
		else
			add_tmp(e, f->ecs, I_STR,
				strcmp(v, "0") ? "failure" : "success");
		return;
	}
}

static void collect(struct ecs_out *e, const struct record *r)
{
	for (size_t i = 0; i < record_ecs_n_fields; i++) {
		const struct ecs_field *f = &record_ecs_fields[i];

		if (!f->key)
			add_str(e, f->ecs, f->value, strlen(f->value));
	}
	for (size_t i = 0; i < r->n_kv; i++) {
		const struct record_kv *kv = &r->kv[i];
		bool mapped = false, text = false;

		for (size_t j = 0; j < record_ecs_n_fields; j++) {
			const struct ecs_field *f = &record_ecs_fields[j];

			if (!f->key || strcmp(f->key, kv->key))
				continue;
			mapped = true;
			convert(e, r, f, kv);
			text |= f->type != ECS_LONG && f->conv == ECS_AS_IS;
		}
		if (!mapped) {
			struct item *it = add_custom(e, kv->key, "",
				kv->type == RKV_NUM ? I_NUM : I_STR);

			if (it && kv->type == RKV_NUM) {
				it->num = as_signed(kv->value);
			} else if (it) {
				it->s = kv->value;
				it->n = strlen(kv->value);
			}
			text = kv->type == RKV_STR;
		}
		/* The exact bytes of a string JSON cannot carry (the message
		 * is text made of fields that have their own). */
		if (text && strcmp(kv->key, "message") &&
		    !utf8_valid(kv->value)) {
			struct item *it = add_custom(e, kv->key, "_hex", I_STR);

			if (it) {
				it->s = kv->value;
				it->n = strlen(kv->value);
				it->hex = true;
			}
		}
	}
}

/* A JSON string of s[0..n): the record's escaping (invalid byte: U+FFFD). */
static void put_jstr(struct sink_text *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	sink_text_put(o, "\"", 1);
	for (size_t k; n; p += k, n -= k) {
		char u[8];

		k = pm_utf8_len(p, n);
		if (k > 1 || (k == 1 && *p >= 0x20 && *p != '"' &&
			      *p != '\\' && *p != 0x7f)) {
			sink_text_put(o, (const char *)p, k);
			continue;
		}
		k = 1;
		switch (*p) {
		case '"': sink_text_put(o, "\\\"", 2); break;
		case '\\': sink_text_put(o, "\\\\", 2); break;
		case '\n': sink_text_put(o, "\\n", 2); break;
		case '\r': sink_text_put(o, "\\r", 2); break;
		case '\t': sink_text_put(o, "\\t", 2); break;
		default:
			if (pm_utf8_len(p, n) == 0) {
				sink_text_put(o, "\xEF\xBF\xBD", 3);
			} else {
				snprintf(u, sizeof(u), "\\u%04X", *p);
				sink_text_put(o, u, 6);
			}
		}
	}
	sink_text_put(o, "\"", 1);
}

static void put_value(struct sink_text *o, const struct record *r,
		      const struct item *it)
{
	static const char hexdig[] = "0123456789abcdef";
	char num[24];

	switch (it->kind) {
	case I_NUM:
		sink_text_put(o, num, (size_t)snprintf(num, sizeof(num),
						       "%" PRId64, it->num));
		return;
	case I_ARR1:
		sink_text_put(o, "[", 1);
		put_jstr(o, it->s, it->n);
		sink_text_put(o, "]", 1);
		return;
	case I_TAGS: {
		const char *t = r->tags;

		sink_text_put(o, "[", 1);
		for (size_t i = 0; i < r->n_tags; i++) {
			size_t tl = strlen(t);

			if (i)
				sink_text_put(o, ",", 1);
			put_jstr(o, t, tl);
			t += tl + 1;
		}
		sink_text_put(o, "]", 1);
		return;
	}
	case I_STR:
		if (!it->hex) {
			put_jstr(o, it->s, it->n);
			return;
		}
		sink_text_put(o, "\"", 1);
		for (size_t i = 0; i < it->n; i++) {
			unsigned char c = (unsigned char)it->s[i];
			char h[2] = { hexdig[c >> 4], hexdig[c & 15] };

			sink_text_put(o, h, 2);
		}
		sink_text_put(o, "\"", 1);
		return;
	}
}

static int by_name(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;

	return strcmp(x->name, y->name);
}

#define MAX_DEPTH 8

/* The components of a dotted name: starts and lengths; returns how many. */
static size_t split(const char *name, const char **c, size_t *len)
{
	size_t n = 0;

	while (n < MAX_DEPTH) {
		const char *dot = strchr(name, '.');

		c[n] = name;
		len[n] = dot ? (size_t)(dot - name) : strlen(name);
		n++;
		if (!dot)
			break;
		name = dot + 1;
	}
	return n;
}

static void put_key(struct sink_text *o, bool *first, const char *k,
		    size_t n)
{
	if (!*first)
		sink_text_put(o, ",", 1);
	*first = false;
	sink_text_put(o, "\"", 1);
	sink_text_put(o, k, n);
	sink_text_put(o, "\":", 2);
}

static void write_nested(struct sink_text *o, const struct record *r,
			 struct item **sorted, size_t n)
{
	const char *open[MAX_DEPTH];
	size_t open_len[MAX_DEPTH], depth = 0;
	bool first[MAX_DEPTH + 1] = { true };

	sink_text_put(o, "{", 1);
	for (size_t i = 0; i < n; i++) {
		const char *c[MAX_DEPTH];
		size_t len[MAX_DEPTH], nc = split(sorted[i]->name, c, len);
		size_t common = 0;

		/* Objects this name shares with the ones open stay open. */
		while (common < depth && common + 1 < nc &&
		       open_len[common] == len[common] &&
		       !memcmp(open[common], c[common], len[common]))
			common++;
		for (; depth > common; depth--)
			sink_text_put(o, "}", 1);
		for (; depth + 1 < nc; depth++) {
			put_key(o, &first[depth], c[depth], len[depth]);
			sink_text_put(o, "{", 1);
			open[depth] = c[depth];
			open_len[depth] = len[depth];
			first[depth + 1] = true;
		}
		put_key(o, &first[depth], c[nc - 1], len[nc - 1]);
		put_value(o, r, sorted[i]);
	}
	for (; depth > 0; depth--)
		sink_text_put(o, "}", 1);
	sink_text_put(o, "}", 1);
}

size_t record_ecs_format(const struct record *r, char *buf, size_t len)
{
	struct sink_text o = { .buf = buf, .len = len };
	/* Every field maps to a few ECS fields, plus a hex twin, plus the
	 * constants. */
	size_t cap = r->n_kv * 4 + record_ecs_n_fields;
	struct ecs_out e = { .cap = cap };
	struct item **sorted;

	e.items = malloc(cap * sizeof(*e.items));
	sorted = malloc(cap * sizeof(*sorted));
	if (!e.items || !sorted) {
		free(e.items);
		free(sorted);
		if (len)
			buf[0] = '\0';
		return 0;
	}
	collect(&e, r);
	for (size_t i = 0; i < e.n; i++)
		sorted[i] = &e.items[i];
	qsort(sorted, e.n, sizeof(*sorted), by_name);
	write_nested(&o, r, sorted, e.n);
	free(sorted);
	free(e.items);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}
