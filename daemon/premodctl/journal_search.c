// SPDX-License-Identifier: MIT
/*
 * journal_search.c - selecting journal records. See journal_search.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "event_text.h"
#include "journal_search.h"
#include "premod.h"

static const char *const kind_names[] = {
	[SEARCH_KIND_MATCH] = "match",
	[SEARCH_KIND_LOST] = "lost",
	[SEARCH_KIND_SUPPRESSED] = "suppressed",
	[SEARCH_KIND_CONFIG] = "config",
};

#define NSEC 1000000000ULL

static int parse_u64(const char *s, const char *end, uint64_t *v)
{
	uint64_t x = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s) || x > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/* Exactly n digits at s. */
static int digits(const char *s, int n, int *v)
{
	int x = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/*
 * "YYYY-MM-DD", then optionally [T ]HH:MM[:SS[.frac]], then optionally Z
 * or +HH:MM / -HH:MM (no zone: UTC). *end_ok requires the whole string.
 */
static int parse_datetime(const char *s, uint64_t *ns)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	int64_t off = 0;
	uint64_t frac = 0, scale = NSEC;
	time_t t;

	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -EINVAL;
	s += 10;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (digits(s + 1, 2, &h) || s[3] != ':' ||
		    digits(s + 4, 2, &mi))
			return -EINVAL;
		s += 6;
		if (*s == ':') {
			if (digits(s + 1, 2, &sec))
				return -EINVAL;
			s += 3;
			if (*s == '.') {
				s++;
				if (!isdigit((unsigned char)*s))
					return -EINVAL;
				for (; isdigit((unsigned char)*s); s++) {
					if (scale > 1) {
						scale /= 10;
						frac += (uint64_t)(*s - '0') * scale;
					}
				}
			}
		}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		if (digits(s + 1, 2, &oh) || s[3] != ':' ||
		    digits(s + 4, 2, &om))
			return -EINVAL;
		off = (int64_t)(oh * 3600 + om * 60) * (*s == '+' ? 1 : -1);
		s += 6;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 || (int64_t)t - off < 0)
		return -EINVAL;
	*ns = (uint64_t)((int64_t)t - off) * NSEC + frac;
	return 0;
}

int search_record_time(const char *s, uint64_t *ns)
{
	return s ? parse_datetime(s, ns) : -EINVAL;
}

int search_parse_time(const char *s, uint64_t now_ns, uint64_t *ns)
{
	uint64_t v, mult;
	size_t len = strlen(s);

	if (s[0] == '@')
		return parse_u64(s + 1, s + len, &v) || v > UINT64_MAX / NSEC
			       ? -EINVAL
			       : (*ns = v * NSEC, 0);
	if (s[0] == '-' && len >= 3) {
		switch (s[len - 1]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -EINVAL;
		}
		if (parse_u64(s + 1, s + len - 1, &v) ||
		    v > now_ns / NSEC / mult)
			return -EINVAL;
		*ns = now_ns - v * mult * NSEC;
		return 0;
	}
	return parse_datetime(s, ns);
}

int search_parse_seq(const char *s, uint64_t *first, uint64_t *last)
{
	const char *dots = strstr(s, "..");

	if (!dots) {
		if (parse_u64(s, s + strlen(s), first))
			return -EINVAL;
		*last = *first;
		return 0;
	}
	if (dots == s && !dots[2])
		return -EINVAL;	/* ".." alone says nothing */
	*first = 0;
	*last = UINT64_MAX;
	if (dots != s && parse_u64(s, dots, first))
		return -EINVAL;
	if (dots[2] && parse_u64(dots + 2, dots + strlen(dots), last))
		return -EINVAL;
	return *first <= *last ? 0 : -EINVAL;
}

/* Calls fn on each comma-separated item (non-empty, < 64 bytes). */
static int each_item(const char *s, int (*fn)(const char *item, void *arg),
		     void *arg)
{
	char item[64];

	while (*s) {
		size_t n = strcspn(s, ",");

		if (!n || n >= sizeof(item))
			return -EINVAL;
		memcpy(item, s, n);
		item[n] = '\0';
		if (fn(item, arg))
			return -EINVAL;
		s += n;
		if (*s == ',' && !*++s)
			return -EINVAL;	/* trailing comma */
	}
	return 0;
}

static int add_op(const char *item, void *arg)
{
	int op = pm_op_lookup(item);

	if (op <= 0 || op >= 32)
		return -EINVAL;
	*(uint32_t *)arg |= 1U << op;
	return 0;
}

int search_parse_ops(const char *s, uint32_t *mask)
{
	*mask = 0;
	return *s ? each_item(s, add_op, mask) : -EINVAL;
}

static int add_kind(const char *item, void *arg)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcmp(item, kind_names[i])) {
			*(unsigned int *)arg |= 1U << i;
			return 0;
		}
	}
	return -EINVAL;
}

int search_parse_kinds(const char *s, unsigned int *mask)
{
	*mask = 0;
	return *s ? each_item(s, add_kind, mask) : -EINVAL;
}

int search_parse_user(const char *s, uint32_t *uid)
{
	struct passwd *pw;
	uint64_t v;

	if (!parse_u64(s, s + strlen(s), &v)) {
		if (v > UINT32_MAX)
			return -EINVAL;
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw)
		return -EINVAL;
	*uid = (uint32_t)pw->pw_uid;
	return 0;
}

static const char *str_of(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* An integer key; values of 2^63 and more are written negative (RECORDS.md). */
static bool u64_of(const json_t *rec, const char *key, uint64_t *v)
{
	const json_t *j = json_object_get(rec, key);

	if (!json_is_integer(j))
		return false;
	*v = (uint64_t)json_integer_value(j);
	return true;
}

static bool path_matches(const char *pat, const char *path)
{
	size_t n;

	if (!path)
		return false;
	if (strpbrk(pat, "*?["))
		return fnmatch(pat, path, 0) == 0;
	n = strlen(pat);
	while (n > 1 && pat[n - 1] == '/')
		n--;	/* "/etc/" is "/etc" */
	if (strncmp(pat, path, n))
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && pat[0] == '/');
}

bool search_match(const struct search_query *q, const json_t *rec)
{
	uint64_t v;
	size_t i;

	if (q->kinds) {
		const char *k = str_of(rec, "kind");
		unsigned int bit = 0;

		for (i = 0; k && i < sizeof(kind_names) / sizeof(kind_names[0]);
		     i++)
			if (!strcmp(k, kind_names[i]))
				bit = 1U << i;
		if (!(q->kinds & bit))
			return false;
	}
	if (q->n_rules) {
		const char *r = str_of(rec, "rule");

		for (i = 0; r && i < q->n_rules; i++)
			if (!strcmp(r, q->rules[i]))
				break;
		if (!r || i == q->n_rules)
			return false;
	}
	if (q->ops) {
		int op = pm_op_lookup(str_of(rec, "op"));

		if (op <= 0 || op >= 32 || !(q->ops & (1U << op)))
			return false;
	}
	if (q->n_paths) {
		const char *p1 = str_of(rec, "path"), *p2 = str_of(rec, "path2");

		for (i = 0; i < q->n_paths; i++)
			if (path_matches(q->paths[i], p1) ||
			    path_matches(q->paths[i], p2))
				break;
		if (i == q->n_paths)
			return false;
	}
	if (q->n_uids) {
		static const char *const keys[] = { "uid", "euid", "auid" };
		bool hit = false;
		size_t k;

		for (k = 0; k < 3 && !hit; k++) {
			if (!u64_of(rec, keys[k], &v))
				continue;
			for (i = 0; i < q->n_uids && !hit; i++)
				hit = v == q->uids[i];
		}
		if (!hit)
			return false;
	}
	if (q->has_seq) {
		if (!u64_of(rec, "seq", &v) || v < q->seq_first ||
		    v > q->seq_last)
			return false;
	}
	if (q->has_since || q->has_until) {
		if (search_record_time(str_of(rec, "time"), &v))
			return false;
		if ((q->has_since && v < q->since_ns) ||
		    (q->has_until && v > q->until_ns))
			return false;
	}
	return true;
}

static void put_str(FILE *out, const char *sep, const char *s)
{
	if (!s)
		return;
	fputs(sep, out);
	pm_text_escape(out, s);
}

void search_print_text(FILE *out, const json_t *rec)
{
	const char *comm = str_of(rec, "comm");
	uint64_t v;

	fputs(str_of(rec, "time") ? str_of(rec, "time") : "-", out);
	if (u64_of(rec, "seq", &v))
		fprintf(out, " #%" PRIu64, v);
	put_str(out, " ", str_of(rec, "kind"));
	put_str(out, " ", str_of(rec, "rule"));
	put_str(out, " ", str_of(rec, "reason"));
	put_str(out, " ", str_of(rec, "severity"));
	put_str(out, " ", str_of(rec, "op"));
	put_str(out, " ", str_of(rec, "path"));
	put_str(out, " -> ", str_of(rec, "path2"));
	if (comm) {
		put_str(out, " ", comm);
		if (u64_of(rec, "tgid", &v))
			fprintf(out, "[%" PRIu64 "]", v);
	}
	if (u64_of(rec, "uid", &v))
		fprintf(out, " uid=%" PRIu64, v);
	put_str(out, ": ", str_of(rec, "message"));
	fputc('\n', out);
}

int search_stream(const struct search_query *q, FILE *in, const char *name,
		  FILE *out, bool json, FILE *err, struct search_counts *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	errno = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		json_error_t je;
		json_t *rec;

		c->lines++;
		if (n == 0 || (n == 1 && line[0] == '\n'))
			continue;
		rec = json_loadb(line, (size_t)n, 0, &je);
		if (!json_is_object(rec)) {
			c->bad++;
			if (err)
				fprintf(err, "%s:%" PRIu64 ": not a JSON record: "
					     "%s\n", name, c->lines,
					rec ? "not an object" : je.text);
			json_decref(rec);
			continue;
		}
		if (search_match(q, rec)) {
			c->matched++;
			if (json) {
				fwrite(line, 1, (size_t)n, out);
				if (line[n - 1] != '\n')
					fputc('\n', out);
			} else {
				search_print_text(out, rec);
			}
		}
		json_decref(rec);
		errno = 0;
	}
	if (ferror(in))
		ret = errno ? -errno : -EIO;
	free(line);
	return ret;
}
