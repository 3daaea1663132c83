/* SPDX-License-Identifier: MIT */
/*
 * modes.h - premodd's offline modes, which need no kernel:
 *
 *   --check DIR    loads the policy, prints every diagnostic, or a summary
 *                  and the prefilter the daemon would push. 0 / 1.
 *   --replay FILE  evaluates recorded events (`premodctl monitor --json`
 *                  lines; any field may be absent) and prints every record
 *                  the daemon would produce, whatever sinks its rule names,
 *                  as JSONL in the journal's format (rate limits run in
 *                  event time; an "op": "lost" line becomes a `lost`
 *                  record with reason "kernel"). A bad line is
 *                  reported as "FILE:LINE: what" and skipped; the status
 *                  is 1 if any was bad.
 */
#ifndef PREMOD_DAEMON_MODES_H
#define PREMOD_DAEMON_MODES_H

#include <stdio.h>

#include "policy.h"

/* Prints the prefilter, one "key: value" per line. */
void modes_print_prefilter(const struct policy_prefilter *pf, FILE *out);

/* Returns the exit status (0 valid, 1 errors). */
int modes_check(const char *policy_path, FILE *out, FILE *err);
/* The same as one JSON object on out (modes_json.c): "valid", "errors"
 * and "warnings" ({file, line, column, rule, message}), "rules",
 * "append_override" (notes), "prefilter" {ops, everywhere, include,
 * unbounded_rule}. */
int modes_check_json(const char *policy_path, FILE *out);

/*
 * --explain (explain.c): one event (a monitor --json line, or a file
 * holding one, "-" for stdin) against the policy: whether the prefilter
 * passes it, then per rule "match" or the condition that failed. 0, or 1
 * when the event or the policy is not valid.
 */
int modes_explain(const char *policy_path, const char *event, FILE *out,
		  FILE *err);

/*
 * Evaluates every line of `in` (name: for messages) against the policy at
 * policy_path; records go to out, one JSON object per line. host: the
 * records' host (NULL: gethostname). Returns the exit status: 0, or 1 when
 * the policy did not load or a line was bad.
 */
int modes_replay(const char *policy_path, FILE *in, const char *name,
		 const char *host, FILE *out, FILE *err);

#endif /* PREMOD_DAEMON_MODES_H */
