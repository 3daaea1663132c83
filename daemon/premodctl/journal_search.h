/* SPDX-License-Identifier: MIT */
/*
 * journal_search.h - `premodctl search`: select records of premodd's JSONL
 * change journal (daemon/RECORDS.md) by rule, path, user, time, sequence
 * range, op and kind, the way ausearch selects audit records. No I/O but
 * the streams it is given, so the unit tests run it on a fixture.
 *
 * Every criterion given must hold (AND); the values of one repeated
 * criterion are alternatives (OR): --rule a --rule b is "rule a or b".
 * A record that lacks the key a criterion tests does not match it (a
 * `lost` record has no rule, path or user).
 */
#ifndef PREMODCTL_JOURNAL_SEARCH_H
#define PREMODCTL_JOURNAL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define SEARCH_MAX_VALUES 32

struct search_query {
	const char *rules[SEARCH_MAX_VALUES];
	size_t n_rules;
	/* A path with a glob character (* ? [) is matched with fnmatch()
	 * ('*' crosses '/'); any other is a prefix at a component boundary:
	 * /etc matches /etc and /etc/passwd, not /etcetera. Tested against
	 * "path" and "path2" (a rename's or link's other name). */
	const char *paths[SEARCH_MAX_VALUES];
	size_t n_paths;
	/* Matches "uid", "euid" or "auid" (audit login uid). */
	uint32_t uids[SEARCH_MAX_VALUES];
	size_t n_uids;
	uint32_t ops;			/* bit (1 << PREMOD_OP_x); 0: any */
	unsigned int kinds;		/* bit per SEARCH_KIND_*; 0: any */
	bool has_since, has_until;
	uint64_t since_ns, until_ns;	/* inclusive, ns since the epoch */
	bool has_seq;
	uint64_t seq_first, seq_last;	/* inclusive */
};

enum { SEARCH_KIND_MATCH, SEARCH_KIND_LOST, SEARCH_KIND_SUPPRESSED,
       SEARCH_KIND_CONFIG };

/*
 * Parsers of the command line's values; 0 or -EINVAL.
 * Time: RFC 3339 ("2026-12-02T10:00:00Z", "...+02:00", fractions
 * allowed), "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DD HH:MM[:SS]" (UTC),
 * "@SECONDS" since the epoch, or "-N{s,m,h,d}" ago, relative to now_ns.
 * Seq: "N", "A..B", "A.." or "..B".
 * Ops: comma-separated op names ("create,unlink").
 * Kinds: comma-separated "match", "lost", "suppressed".
 * User: a number or a user name (getpwnam).
 */
int search_parse_time(const char *s, uint64_t now_ns, uint64_t *ns);
int search_parse_seq(const char *s, uint64_t *first, uint64_t *last);
int search_parse_ops(const char *s, uint32_t *mask);
int search_parse_kinds(const char *s, unsigned int *mask);
int search_parse_user(const char *s, uint32_t *uid);

/* RFC 3339 time of a record ("time") to ns; -EINVAL if malformed. */
int search_record_time(const char *s, uint64_t *ns);

bool search_match(const struct search_query *q, const json_t *rec);

/* One record as a line of text:
 *   TIME #SEQ KIND RULE SEVERITY OP PATH[ -> PATH2] COMM[TGID] uid=U: MESSAGE
 * (the parts a record lacks left out). */
void search_print_text(FILE *out, const json_t *rec);

struct search_counts {
	uint64_t lines, matched, bad;	/* bad: not a JSON object */
};

/*
 * Reads JSONL records from `in` and writes each matching one to `out`:
 * the line exactly as read (json) or as text. A line that is not a JSON
 * object is reported on `err` as NAME:LINE: and counted, never fatal (a
 * journal may end in a line cut by a crash). Returns 0 or -errno of a
 * read error.
 */
int search_stream(const struct search_query *q, FILE *in, const char *name,
		  FILE *out, bool json, FILE *err, struct search_counts *c);

#endif /* PREMODCTL_JOURNAL_SEARCH_H */
