// SPDX-License-Identifier: MIT
/*
 * modes.c - --check and --replay. See modes.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "event_json.h"
#include "modes.h"
#include "premod.h"

void modes_print_prefilter(const struct policy_prefilter *pf, FILE *out)
{
	unsigned int op;
	size_t i;
	bool first = true;

	fprintf(out, "prefilter ops:");
	if (!pf->ops) {
		fprintf(out, " all");
	} else {
		for (op = 1; op <= PREMOD_OP_MAX; op++) {
			if (!(pf->ops & (1U << op)))
				continue;
			fprintf(out, "%s%s", first ? " " : ",", pm_op_name(op));
			first = false;
		}
	}
	fputc('\n', out);
	if (pf->include_all) {
		fprintf(out, "prefilter include: everywhere (a rule is not "
			     "bounded to subtrees)\n");
		return;
	}
	fprintf(out, "prefilter include:%s\n", pf->n_include ? "" : " nothing");
	for (i = 0; i < pf->n_include; i++)
		fprintf(out, "  %s\n", pf->include[i]);
}

static size_t count_files(const char *path)
{
	struct stat st;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return 1;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' && len > 5 &&
		    !strcmp(de->d_name + len - 5, ".json"))
			n++;
	}
	closedir(d);
	return n;
}

int modes_check(const char *policy_path, FILE *out, FILE *err)
{
	struct policy_diags diags = { 0 };
	struct policy_prefilter pf = { 0 };
	struct policy *p = NULL;
	size_t i, n, tags = 0;
	int ret;

	ret = policy_load(policy_path, &p, &diags);
	if (ret < 0) {
		policy_diags_print(&diags, err);
		if (!diags.n)
			fprintf(err, "%s: cannot load the policy: %s\n",
				policy_path, strerror(-ret));
		fprintf(err, "%s: %zu error%s, policy not valid\n",
			policy_path, diags.n, diags.n == 1 ? "" : "s");
		policy_diags_free(&diags);
		return 1;
	}
	/* warnings, if the engine reports any on success */
	policy_diags_print(&diags, err);
	policy_diags_free(&diags);
	n = policy_rule_count(p);
	for (i = 0; i < n; i++)
		tags += policy_rule_tag_count(policy_rule_at(p, i));
	fprintf(out, "%s: valid: %zu file%s, %zu rule%s\n", policy_path,
		count_files(policy_path),
		count_files(policy_path) == 1 ? "" : "s", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct policy_rule *r = policy_rule_at(p, i);

		fprintf(out, "  rule %s (%s)\n", policy_rule_id(r),
			policy_severity_name(policy_rule_severity(r)));
	}
	ret = policy_prefilter(p, &pf);
	if (ret < 0) {
		fprintf(err, "%s: cannot derive the prefilter: %s\n",
			policy_path, strerror(-ret));
		policy_free(p);
		return 1;
	}
	modes_print_prefilter(&pf, out);
	policy_prefilter_free(&pf);
	policy_free(p);
	return 0;
}

struct replay_out {
	FILE *out;
	int err;
};

static void replay_emit(struct record *r, void *arg)
{
	struct replay_out *ro = arg;

	if (fwrite(r->json, 1, r->json_len, ro->out) != r->json_len ||
	    fputc('\n', ro->out) == EOF)
		ro->err = errno ? errno : EIO;
}

int modes_replay(const char *policy_path, FILE *in, const char *name,
		 const char *host, FILE *out, FILE *err)
{
	struct policy_diags diags = { 0 };
	struct replay_out ro = { .out = out };
	struct engine_config ec = { 0 };
	struct policy *p = NULL;
	struct engine *e;
	char hostbuf[256], msg[256];
	char *line = NULL, *store = NULL, *dirbuf = NULL;
	size_t cap = 0, storecap = 0, lineno = 0, bad = 0;
	ssize_t len;
	int ret;

	ret = policy_load(policy_path, &p, &diags);
	policy_diags_print(&diags, err);
	policy_diags_free(&diags);
	if (ret < 0) {
		fprintf(err, "%s: policy not valid, nothing replayed\n",
			policy_path);
		return 1;
	}
	if (!host) {
		if (gethostname(hostbuf, sizeof(hostbuf) - 1) < 0)
			strcpy(hostbuf, "localhost");
		hostbuf[sizeof(hostbuf) - 1] = '\0';
		host = hostbuf;
	}
	ec.host = host;
	ec.emit = replay_emit;
	ec.emit_arg = &ro;
	/* recorded events carry exe or not: /proc is not theirs */
	ec.resolve_exe = false;
	e = engine_new(&ec, p);
	if (!e) {
		policy_free(p);
		fprintf(err, "out of memory\n");
		return 1;
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		struct pm_event ev;
		size_t need = (size_t)len + 1;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || strspn(line, " \t") == (size_t)len)
			continue;
		if (need > storecap) {
			char *s = realloc(store, need), *d;

			if (!s)
				goto oom;
			store = s;
			d = realloc(dirbuf, need);
			if (!d)
				goto oom;
			dirbuf = d;
			storecap = need;
		}
		ret = pm_event_from_json_line(line, (size_t)len, &ev, store,
					      storecap, msg, sizeof(msg));
		if (ret < 0) {
			fprintf(err, "%s:%zu: %s\n", name, lineno,
				ret == -ENOSPC ? "line too long" : msg);
			bad++;
			continue;
		}
		if (pm_event_has(&ev, PM_F_OP) &&
		    ev.num[PM_F_OP] == PREMOD_OP_LOST) {
			struct evq_lost l = {
				.seq = ev.num[PM_F_SEQ],
				.time_ns = ev.num[PM_F_TIME],
				.count = ev.num[PM_F_LOST_COUNT],
				.first = ev.num[PM_F_LOST_FIRST],
				.last = ev.num[PM_F_LOST_LAST],
				.reason = "kernel",
			};

			engine_lost(e, &l);
			continue;
		}
		engine_event(e, &ev, dirbuf, storecap);
	}
	if (ferror(in)) {
		fprintf(err, "%s: read error: %s\n", name, strerror(errno));
		bad++;
	}
	engine_expire(e, UINT64_MAX);
	goto out;
oom:
	fprintf(err, "%s:%zu: out of memory\n", name, lineno);
	bad++;
out:
	engine_free(e);
	free(line);
	free(store);
	free(dirbuf);
	if (fflush(out) == EOF || ro.err) {
		fprintf(err, "writing the records: %s\n",
			strerror(ro.err ? ro.err : errno));
		return 1;
	}
	if (bad)
		fprintf(err, "%s: %zu bad line%s skipped\n", name, bad,
			bad == 1 ? "" : "s");
	return bad ? 1 : 0;
}
