// SPDX-License-Identifier: MIT
/*
 * premodctl search: records of premodd's JSONL journal, selected like
 * ausearch selects audit records (journal_search.c does the selecting).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal_search.h"
#include "premodctl.h"

#define JOURNAL_FILE "/var/log/premod/changes.jsonl"

const char usage_search[] =
"Usage: premodctl search [OPTIONS] [FILE]...\n"
"\n"
"Prints the records of premodd's JSONL change journal that match every\n"
"criterion given (a repeated criterion matches any of its values), in file\n"
"order. FILE defaults to " JOURNAL_FILE "; '-' is stdin;\n"
"several files (rotated ones, say) are read in the order given.\n"
"\n"
"Criteria:\n"
"  -r, --rule ID          records of this rule\n"
"  -p, --path PATH        path or path2 under PATH (a prefix at a '/'), or\n"
"                         matching PATH when it has a glob character * ? [\n"
"                         ('*' also matches '/')\n"
"  -u, --user USER        uid, euid or auid (login uid) is USER (name or number)\n"
"  -o, --op OP[,OP...]    the event's op (create, unlink, rename, chmod, ...)\n"
"  -k, --kind KIND[,...]  match, lost, suppressed or config\n"
"  -s, --since TIME       at or after TIME\n"
"  -e, --until TIME       at or before TIME\n"
"      --seq A..B         sequence numbers A to B (also N, A.., ..B)\n"
"  TIME is RFC 3339 (2026-12-02T10:00:00Z, with an offset or fractions),\n"
"  YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]' in UTC, @SECONDS since the epoch,\n"
"  or -N[smhd] for N seconds/minutes/hours/days ago.\n"
"\n"
"Output:\n"
"  -j, --json             the matching records exactly as written (JSONL)\n"
"  (default)              one line each: TIME #SEQ KIND RULE SEVERITY OP PATH\n"
"                         [-> PATH2] COMM[TGID] uid=UID: MESSAGE\n"
"\n"
"A line that is not a JSON record is reported on stderr (FILE:LINE:) and\n"
"skipped. Exit status: 0 records found, 1 none found, 2 usage error,\n"
"3 a file could not be read.\n";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: search: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'premodctl search --help'.\n");
	return 2;
}

int cmd_search(int argc, char **argv)
{
	enum { OPT_SEQ = 256 };
	static const struct option opts[] = {
		{ "rule", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "op", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, 'k' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'e' },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const deflt[] = { JOURNAL_FILE };
	struct search_query q = { 0 };
	struct search_counts cnt = { 0 };
	const char *const *files = deflt;
	uint64_t now = now_ns();
	size_t n_files = 1, i;
	bool json = false, read_err = false;
	uint32_t ops;
	int c;

	while ((c = getopt_long(argc, argv, "+r:p:u:o:k:s:e:jh", opts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			if (q.n_rules == SEARCH_MAX_VALUES)
				return usage_error("too many --rule: %s", optarg);
			q.rules[q.n_rules++] = optarg;
			break;
		case 'p':
			if (q.n_paths == SEARCH_MAX_VALUES)
				return usage_error("too many --path: %s", optarg);
			q.paths[q.n_paths++] = optarg;
			break;
		case 'u':
			if (q.n_uids == SEARCH_MAX_VALUES)
				return usage_error("too many --user: %s", optarg);
			if (search_parse_user(optarg, &q.uids[q.n_uids]))
				return usage_error("no such user: '%s'", optarg);
			q.n_uids++;
			break;
		case 'o':
			if (search_parse_ops(optarg, &ops))
				return usage_error("bad op list '%s'", optarg);
			q.ops |= ops;
			break;
		case 'k':
			if (search_parse_kinds(optarg, &q.kinds))
				return usage_error("bad kind list '%s' (match, "
						   "lost, suppressed, config)", optarg);
			break;
		case 's':
			if (search_parse_time(optarg, now, &q.since_ns))
				return usage_error("bad time '%s'", optarg);
			q.has_since = true;
			break;
		case 'e':
			if (search_parse_time(optarg, now, &q.until_ns))
				return usage_error("bad time '%s'", optarg);
			q.has_until = true;
			break;
		case OPT_SEQ:
			if (search_parse_seq(optarg, &q.seq_first, &q.seq_last))
				return usage_error("bad sequence range '%s'",
						   optarg);
			q.has_seq = true;
			break;
		case 'j': json = true; break;
		case 'h': fputs(usage_search, stdout); return 0;
		default: fputs(usage_search, stderr); return 2;
		}
	}
	if (optind < argc) {
		files = (const char *const *)argv + optind;
		n_files = (size_t)(argc - optind);
	}
	for (i = 0; i < n_files; i++) {
		bool is_stdin = !strcmp(files[i], "-");
		FILE *in = is_stdin ? stdin : fopen(files[i], "r");
		int ret;

		if (!in) {
			errmsg("search: %s: %s", files[i], strerror(errno));
			read_err = true;
			continue;
		}
		ret = search_stream(&q, in, is_stdin ? "stdin" : files[i],
				    stdout, json, stderr, &cnt);
		if (ret < 0) {
			errmsg("search: %s: %s", files[i], strerror(-ret));
			read_err = true;
		}
		if (!is_stdin)
			fclose(in);
	}
	if (fflush(stdout) != 0) {
		errmsg("search: writing: %s", strerror(errno));
		return 3;
	}
	if (read_err)
		return 3;
	return cnt.matched ? 0 : 1;
}
