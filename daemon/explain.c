// SPDX-License-Identifier: MIT
/*
 * explain.c - `premodd --explain EVENT --policy DIR`: one event against
 * every rule, saying per rule why it matched or which condition failed,
 * and whether the kernel prefilter the policy allows would have passed
 * the event at all. See modes.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "kconn.h"
#include "modes.h"
#include "premod.h"

static bool below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	return path && !strncmp(dir, path, n) && (path[n] == '/' || !path[n]);
}

/* The kernel's decision, as the daemon can know it: op in the filter's
 * ops, path or path2 in an included subtree (by name: the kernel decides
 * by directory identity, which names approximate). */
static void explain_prefilter(const struct policy *p, const struct pm_event *ev,
			      FILE *out)
{
	struct policy_prefilter pf;
	const char *path = pm_event_str(ev, PM_F_PATH);
	const char *path2 = pm_event_str(ev, PM_F_PATH2);
	uint64_t op = pm_event_has(ev, PM_F_OP) ? ev->num[PM_F_OP] : 0;

	if (kconn_derive_prefilter(p, &pf)) {
		fprintf(out, "prefilter: cannot derive it (out of memory)\n");
		return;
	}
	if (op == PREMOD_OP_LOST) {
		fprintf(out, "prefilter: passes (loss is always reported)\n");
	} else if (pf.ops && !(op < 32 && (pf.ops >> op & 1))) {
		fprintf(out, "prefilter: drops it: op %s is not reported (no enabled rule can match it)\n",
			pm_op_name((unsigned int)op) ? pm_op_name((unsigned int)op) : "?");
	} else if (!pf.ops && !pf.include_all) {
		fprintf(out, "prefilter: drops it: no enabled rule can match any event\n");
	} else if (pf.include_all) {
		fprintf(out, "prefilter: passes (everywhere%s%s%s)\n",
			pf.unbounded_rule ? ": rule " : "",
			pf.unbounded_rule ? pf.unbounded_rule : "",
			pf.unbounded_rule ? " is not bounded to subtrees" : "");
	} else {
		const char *in = NULL, *which = NULL;

		for (size_t i = 0; i < pf.n_include && !in; i++) {
			if (below(pf.include[i], path))
				in = pf.include[i], which = "path";
			else if (below(pf.include[i], path2))
				in = pf.include[i], which = "path2";
		}
		if (in)
			fprintf(out, "prefilter: passes (%s is in %s)\n", which, in);
		else
			fprintf(out, "prefilter: drops it: neither path nor path2 is in an included subtree\n");
	}
	policy_prefilter_free(&pf);
}

static char *read_event_arg(const char *arg, FILE *err)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	if (arg[0] == '{')
		return strdup(arg);
	f = strcmp(arg, "-") ? fopen(arg, "r") : stdin;
	if (!f) {
		fprintf(err, "premodd: %s: %s\n", arg, strerror(errno));
		return NULL;
	}
	while (getline(&line, &cap, f) >= 0 && strspn(line, " \t\r\n") == strlen(line))
		;
	if (f != stdin)
		fclose(f);
	if (!line || !*line) {
		fprintf(err, "premodd: %s: no event in it\n", arg);
		free(line);
		return NULL;
	}
	return line;
}

int modes_explain(const char *policy_path, const char *event, FILE *out,
		  FILE *err)
{
	struct policy_diags diags = { 0 };
	struct policy *p = NULL;
	struct pm_event ev;
	char msg[256], why[2048];
	char *line = read_event_arg(event, err), *store = NULL, *dirbuf = NULL;
	size_t len, n;
	int ret = 1;

	if (!line)
		return 1;
	len = strcspn(line, "\r\n");
	line[len] = 0;
	store = malloc(len + 1);
	dirbuf = malloc(len + 1);
	if (!store || !dirbuf) {
		fprintf(err, "premodd: out of memory\n");
		goto out;
	}
	if (pm_event_from_json_line(line, len, &ev, store, len + 1, msg, sizeof(msg))) {
		fprintf(err, "premodd: the event: %s\n", msg);
		goto out;
	}
	pm_event_derive(&ev, dirbuf, len + 1);
	if (policy_load(policy_path, &p, &diags) < 0) {
		policy_diags_print(&diags, err);
		fprintf(err, "%s: policy not valid\n", policy_path);
		goto out;
	}
	fprintf(out, "event: %s %s%s%s\n",
		pm_event_has(&ev, PM_F_OP) && pm_op_name((unsigned int)ev.num[PM_F_OP]) ?
		pm_op_name((unsigned int)ev.num[PM_F_OP]) : "(no op)",
		pm_event_str(&ev, PM_F_PATH) ? pm_event_str(&ev, PM_F_PATH) : "(no path)",
		pm_event_str(&ev, PM_F_PATH2) ? " -> " : "",
		pm_event_str(&ev, PM_F_PATH2) ? pm_event_str(&ev, PM_F_PATH2) : "");
	explain_prefilter(p, &ev, out);
	n = 0;
	for (size_t i = 0; i < policy_rule_count(p); i++) {
		const struct policy_rule *r = policy_rule_at(p, i);
		bool m = policy_explain_rule(r, &ev, why, sizeof(why));

		n += m;
		fprintf(out, "rule %s: %s\n", policy_rule_id(r), why);
	}
	fprintf(out, "%zu rule%s match%s\n", n, n == 1 ? "" : "s", n == 1 ? "es" : "");
	ret = 0;
out:
	policy_free(p);
	policy_diags_free(&diags);
	free(line);
	free(store);
	free(dirbuf);
	return ret;
}
