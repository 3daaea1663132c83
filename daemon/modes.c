// SPDX-License-Identifier: MIT
/*
 * modes.c - --check and --replay. See modes.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "event_json.h"
#include "json_pos.h"
#include "kconn.h"
#include "modes.h"
#include "premod.h"

void modes_print_prefilter(const struct policy_prefilter *pf, FILE *out)
{
	unsigned int op;
	size_t i;
	bool first = true;

	uint32_t every = 0;

	for (op = 1; op <= PREMOD_OP_MAX; op++)
		if (op != PREMOD_OP_LOST && op != PREMOD_OP_CONFIG)
			every |= 1U << op;
	fprintf(out, "prefilter ops:");
	if (!pf->ops) {
		/* the wire has no "no op" (0 reads as all): said plainly */
		fprintf(out, " none (no enabled rule can match an event; the "
			     "kernel is still sent an empty filter, which "
			     "reports every op)");
	} else if ((pf->ops & every) == every) {
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
		if (pf->unbounded_rule)
			fprintf(out, "prefilter include: everywhere (rule %s is "
				     "not bounded to subtrees)\n",
				pf->unbounded_rule);
		else
			fprintf(out, "prefilter include: everywhere (the rules' "
				     "directories have no common ancestor below "
				     "/ to merge into)\n");
		return;
	}
	fprintf(out, "prefilter include:%s\n", pf->n_include ? "" : " nothing");
	for (i = 0; i < pf->n_include; i++)
		fprintf(out, "  %s\n", pf->include[i]);
}

struct summary {
	size_t files, lists, macros;
};

/* Adds one policy file's lists and macros (it parsed once already). */
static void count_file(const char *path, struct summary *sum)
{
	struct jp_error jerr;
	struct jp_doc *doc;
	const struct jp_value *v;
	char *text = NULL;
	size_t cap = 0, len;
	/* never blocks on a FIFO put in the policy's place since the load */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	FILE *f;

	sum->files++;
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return;
	}
	len = getdelim(&text, &cap, '\0', f) > 0 ? strlen(text) : 0;
	fclose(f);
	if (len && jp_parse(text, len, NULL, &doc, &jerr) == 0) {
		v = jp_get(jp_root(doc), "lists");
		if (v && v->type == JP_OBJ)
			sum->lists += v->obj.n;
		v = jp_get(jp_root(doc), "macros");
		if (v && v->type == JP_OBJ)
			sum->macros += v->obj.n;
		jp_free(doc);
	}
	free(text);
}

static void summarize(const char *path, struct summary *sum)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	memset(sum, 0, sizeof(*sum));
	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		count_file(path, sum);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char full[4096];

		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		count_file(full, sum);
	}
	closedir(d);
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int modes_check(const char *policy_path, FILE *out, FILE *err)
{
	struct policy_diags diags = { 0 };
	struct policy_prefilter pf = { 0 };
	struct policy *p = NULL;
	struct summary sum;
	size_t i, n;
	int ret;

	ret = policy_load(policy_path, &p, &diags);
	if (ret < 0) {
		policy_diags_print(&diags, err);
		if (!diags.n)
			fprintf(err, "%s: cannot load the policy: %s\n",
				policy_path, strerror(-ret));
		fprintf(err, "%s: %zu error%s, policy not valid\n",
			policy_path, policy_diags_errors(&diags),
			policy_diags_errors(&diags) == 1 ? "" : "s");
		policy_diags_free(&diags);
		return 1;
	}
	/* warnings, if the engine reports any on success */
	policy_diags_print(&diags, err);
	policy_diags_free(&diags);
	n = policy_rule_count(p);
	summarize(policy_path, &sum);
	fprintf(out, "%s: valid: %zu file%s, %zu rule%s, %zu list%s, "
		     "%zu macro%s\n",
		policy_path, sum.files, plural(sum.files), n, plural(n),
		sum.lists, plural(sum.lists), sum.macros, plural(sum.macros));
	for (i = 0; i < n; i++) {
		const struct policy_rule *r = policy_rule_at(p, i);

		fprintf(out, "  rule %s (%s)%s\n", policy_rule_id(r),
			policy_severity_name(policy_rule_severity(r)),
			policy_rule_enabled(r) ? "" : " disabled");
	}
	fputs(policy_bounds(), out);
	/* what "append" / "override" of later files made of the shipped
	 * rules: the effective result, not only the files' text */
	if (policy_note_count(p))
		fprintf(out, "append/override:\n");
	for (i = 0; i < policy_note_count(p); i++)
		fprintf(out, "  %s\n", policy_note_at(p, i));
	ret = kconn_derive_prefilter(p, &pf);
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
	if (ret < 0)	/* warnings are --check's: stderr is for bad lines */
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
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
			/* a UTF-8 BOM, accepted as in policy files */
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
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
		    ev.num[PM_F_OP] == PREMOD_OP_LOST &&
		    (ev.num[PM_F_LOST_COUNT] >> 63 ||
		     ev.num[PM_F_LOST_FIRST] > ev.num[PM_F_LOST_LAST])) {
			/* u64 beyond 2^63 reads back negative: no count */
			fprintf(err, "%s:%zu: %s\n", name, lineno,
				ev.num[PM_F_LOST_COUNT] >> 63 ?
				"lost_count is negative" :
				"lost_first is after lost_last");
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
	if (engine_unrendered(e)) {
		fprintf(err, "%s: %llu record%s could not be built (out of memory)\n",
			name, (unsigned long long)engine_unrendered(e),
			engine_unrendered(e) == 1 ? "" : "s");
		bad++;
	}
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
