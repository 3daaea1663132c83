/* SPDX-License-Identifier: MIT */
/*
 * policy.h - the premod policy engine: JSON policy files -> validated AST ->
 * compiled, indexed matcher. No sockets, no threads, no files other than the
 * policies it is asked to load. A compiled struct policy is immutable and may
 * be shared by threads; the daemon swaps whole policies on reload.
 *
 * The policy language is documented in policy/REFERENCE.md.
 */
#ifndef PREMOD_POLICY_H
#define PREMOD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

struct policy;
struct policy_rule;

/* Sinks a rule may name in "outputs"; a rule without "outputs" has all. */
enum policy_output {
	POLICY_OUT_JOURNAL = 1U << 0,	/* "journal": the JSONL change journal */
	POLICY_OUT_JOURNALD = 1U << 1,	/* "journald" */
	POLICY_OUT_SYSLOG = 1U << 2,	/* "syslog" */
	POLICY_OUT_STDOUT = 1U << 3,	/* "stdout" */
	POLICY_OUT_ALERTS = 1U << 4,	/* "alerts": the netlink alerts group */
	POLICY_OUT_ALL = (1U << 5) - 1,
};
const char *policy_output_name(enum policy_output out);

enum policy_rl_key {
	POLICY_RL_NONE,		/* no rate_limit */
	POLICY_RL_RULE,		/* "rule" */
	POLICY_RL_RULE_PATH,	/* "rule+path" */
	POLICY_RL_RULE_TGID,	/* "rule+tgid" */
};

struct policy_rate_limit {
	enum policy_rl_key key;
	uint32_t max;		/* records per interval */
	uint64_t interval_ns;
};

/* One diagnostic: "file:line:column: rule <id>: what is wrong". */
struct policy_diag {
	char *file;
	int line, column;	/* 1-based; 0 when unknown */
	char *rule;		/* rule id, or NULL when not inside a rule */
	char *msg;
	bool warning;		/* a warning: the policy loads all the same */
};

struct policy_diags {
	struct policy_diag *v;
	size_t n, cap;
};

void policy_diags_free(struct policy_diags *d);
/* Prints each as "file:line:column: rule <id>: msg\n" (rule part omitted
 * when not inside a rule; "warning: " before it for a warning). */
void policy_diags_print(const struct policy_diags *d, FILE *out);
/* How many of d are errors (not warnings). */
size_t policy_diags_errors(const struct policy_diags *d);

/*
 * Loads every *.json in `dir` (lexical order), or a single file when `path`
 * is a regular file. Returns 0 and sets *out, or -errno / -EINVAL with every
 * error found appended to `diags` (never a half-loaded policy).
 */
int policy_load(const char *path, struct policy **out,
		struct policy_diags *diags);
/* Same from memory (tests, fuzzing): `name` is the file name in messages. */
int policy_load_buffer(const char *name, const char *json, size_t len,
		       struct policy **out, struct policy_diags *diags);
void policy_free(struct policy *p);

size_t policy_rule_count(const struct policy *p);
/* Whether any enabled rule (or template) reads field f: the daemon resolves
 * the costly derived fields (exe) only when some rule needs them. */
bool policy_uses_field(const struct policy *p, enum pm_field f);
const struct policy_rule *policy_rule_at(const struct policy *p, size_t i);

/*
 * The rules `ev` matches, in policy order (file order, then rule order), at
 * most `max`; returns how many matched (may exceed `max`: then only the first
 * `max` were stored). Hot path: no allocation.
 */
size_t policy_match(const struct policy *p, const struct pm_event *ev,
		    const struct policy_rule **out, size_t max);
/* The same by evaluating every enabled rule in order (the property test's
 * reference). */
size_t policy_match_naive(const struct policy *p, const struct pm_event *ev,
			  const struct policy_rule **out, size_t max);

const char *policy_rule_id(const struct policy_rule *r);
const char *policy_rule_description(const struct policy_rule *r);
int policy_rule_severity(const struct policy_rule *r); /* LOG_EMERG..LOG_DEBUG */
size_t policy_rule_tag_count(const struct policy_rule *r);
const char *policy_rule_tag(const struct policy_rule *r, size_t i);
unsigned int policy_rule_outputs(const struct policy_rule *r); /* POLICY_OUT_* */
const struct policy_rate_limit *policy_rule_rate_limit(const struct policy_rule *r);
size_t policy_rule_index(const struct policy_rule *r); /* position in policy */
/* policy_rule_count() and policy_rule_at() include disabled rules (they are
 * validated too); they never match. */
bool policy_rule_enabled(const struct policy_rule *r);
/*
 * Why rule r does or does not match ev, for people (premodd --explain):
 * "match", "disabled", or which condition failed, with the event's value
 * ("no match: path under \"/etc\" is false (path is \"/tmp/x\")"), or
 * which exception vetoed it. buf is always NUL-terminated. Returns
 * whether the rule matches.
 */
bool policy_explain_rule(const struct policy_rule *r, const struct pm_event *ev,
			 char *buf, size_t len);

/* What "append" and "override" of later files changed, one line each in
 * load order ("rule x: enabled overridden by f.json:3:5"), for --check. */
size_t policy_note_count(const struct policy *p);
const char *policy_note_at(const struct policy *p, size_t i);
/* Where the rule is written (for messages): file, 1-based line and column. */
void policy_rule_location(const struct policy_rule *r, const char **file,
			  int *line, int *column);
/*
 * Renders the rule's message template for `ev` into buf (always
 * NUL-terminated; cut when too small). {field} is replaced by the field's
 * value (modes in octal, op by name); a field the event lacks renders "?".
 * Returns the length it would have had.
 */
size_t policy_rule_render(const struct policy_rule *r,
			  const struct pm_event *ev, char *buf, size_t len);

/* Severity names: "emerg".."debug" <-> LOG_* values; -1 / NULL if unknown. */
int policy_severity_lookup(const char *name);
const char *policy_severity_name(int severity);

/*
 * The smallest safe in-kernel prefilter for a policy: ops any enabled rule
 * can match, and subtrees outside which no rule can match. A rule that cannot
 * be bounded widens it (include_all). Strings are owned by the prefilter.
 */
struct policy_prefilter {
	uint32_t ops;		/* bit (1 << PREMOD_OP_x); PREMOD_OP_LOST never */
	bool include_all;	/* no subtree bound */
	char **include;		/* absolute directory paths, no duplicates,
				 * none inside another, at most
				 * PREMOD_FILTER_MAX_PATHS, sorted */
	size_t n_include;
	char *unbounded_rule;	/* include_all: id of the first rule that
				 * cannot be bounded, for messages */
};
/* ops == 0: no enabled rule can match any event. Paths are the daemon's
 * view: the kernel decides membership by dentry ancestry, so a same-named
 * directory under another root (a container's /etc) is outside. */
int policy_prefilter(const struct policy *p, struct policy_prefilter *pf);
/*
 * The kernel refuses a filter naming a directory that does not exist
 * (ENOENT): replaces each include by its nearest ancestor for which
 * exists() is true (the caller does the I/O, e.g. stat()), which keeps the
 * filter safe and as narrow as the machine allows. Call it right before
 * pushing; a directory created later inside a widened include is covered.
 */
int policy_prefilter_resolve(struct policy_prefilter *pf,
			     bool (*exists)(const char *path, void *arg),
			     void *arg);
void policy_prefilter_free(struct policy_prefilter *pf);

/* The bounds the loader enforces against hostile or careless policies,
 * one "bound: ..." line each, for `premodd --check`. */
const char *policy_bounds(void);

#endif /* PREMOD_POLICY_H */
