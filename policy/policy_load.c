// SPDX-License-Identifier: MIT
/*
 * policy_load.c - policy files -> a compiled struct policy, or every error.
 *
 * Two phases, because lists and macros are shared by all files of a policy
 * and a rule may use those of a later file: first every file is parsed and
 * its lists, macros and rule objects gathered (syntax, top-level shape,
 * duplicate names); then every macro is validated once and every rule
 * compiled. Errors never stop the walk, so one run reports them all; any
 * error and nothing is returned (a policy is never half-loaded).
 */
#define _GNU_SOURCE	/* asprintf */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "policy_int.h"

struct pol_chunk {
	struct pol_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *pol_alloc(struct pol_arena *a, size_t size)
{
	struct pol_chunk *c = a->chunks;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!need)
		need = sizeof(max_align_t);
	if (!c || c->cap - c->used < need) {
		size_t cap = need > 32768 ? need : 32768;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = a->chunks;
		c->used = 0;
		c->cap = cap;
		a->chunks = c;
	}
	void *p = (char *)c->data + c->used;

	c->used += need;
	return p;
}

char *pol_strndup(struct pol_arena *a, const char *s, size_t len)
{
	char *d = pol_alloc(a, len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

void pol_arena_free(struct pol_arena *a)
{
	while (a->chunks) {
		struct pol_chunk *n = a->chunks->next;

		free(a->chunks);
		a->chunks = n;
	}
}

int pd_vadd(struct policy_diags *d, const char *file, int line, int col,
	    const char *rule, const char *fmt, va_list ap)
{
	struct policy_diag *g;
	char *msg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct policy_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	g = &d->v[d->n];
	g->file = strdup(file ? file : "");
	g->rule = rule ? strdup(rule) : NULL;
	g->msg = msg;
	g->line = line;
	g->column = col;
	if (!g->file || (rule && !g->rule)) {
		free(g->file);
		free(g->rule);
		free(msg);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

int pd_add(struct policy_diags *d, const char *file, int line, int col,
	   const char *rule, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = pd_vadd(d, file, line, col, rule, fmt, ap);
	va_end(ap);
	return rc;
}

/* Optimal string alignment distance, bounded: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *pol_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = 3, len = strlen(word);

	if (len < 2)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t dd = distance(word, cands[i]);

		if (dd < bd && dd < len) {
			bd = dd;
			best = cands[i];
		}
	}
	return best;
}

struct pl_file {
	char *name;
	struct jp_doc *doc;
	const struct jp_value *rules;	/* array, or NULL */
};

struct pl_rule {
	struct policy_rule *r;
};

struct loader {
	struct pl_loader L;
	struct pl_file *files;
	size_t nfiles;
	struct policy_rule **rules;
	size_t nrules, caprules;
};

static void lerr(struct loader *ld, const char *file, int line, int col,
		 const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void lerr(struct loader *ld, const char *file, int line, int col,
		 const char *rule, const char *fmt, ...)
{
	va_list ap;

	ld->L.nerr++;
	va_start(ap, fmt);
	if (pd_vadd(ld->L.diags, file, line, col, rule, fmt, ap))
		ld->L.nomem = true;
	va_end(ap);
}

static bool valid_name(const char *s, size_t len, bool id)
{
	if (!len || len > 128 || strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      (ch == '.' && i) || (id && ch == ':')))
			return false;
	}
	return true;
}

static void gather_named(struct loader *ld, struct pl_file *f,
			 const struct jp_value *obj, bool is_list)
{
	const char *what = is_list ? "list" : "macro";
	struct pl_named **tab = is_list ? &ld->L.lists : &ld->L.macros;
	size_t *n = is_list ? &ld->L.nlists : &ld->L.nmacros;

	if (obj->type != JP_OBJ) {
		lerr(ld, f->name, obj->line, obj->col, NULL,
		     "\"%ss\" takes an object of name: %s; found %s", what,
		     is_list ? "[values]" : "condition", jp_type_name(obj->type));
		return;
	}
	for (size_t i = 0; i < obj->obj.n; i++) {
		const struct jp_member *m = &obj->obj.v[i];
		bool bad = false;

		if (!valid_name(m->key, m->keylen, false)) {
			lerr(ld, f->name, m->line, m->col, NULL,
			     "invalid %s name \"%s\": use letters, digits, '_', '-', '.'",
			     what, m->key);
			continue;
		}
		for (size_t j = 0; j < *n; j++)
			if (!strcmp((*tab)[j].name, m->key)) {
				lerr(ld, f->name, m->line, m->col, NULL,
				     "%s \"%s\" is already defined at %s:%d:%d",
				     what, m->key, (*tab)[j].file, (*tab)[j].line,
				     (*tab)[j].col);
				bad = true;
				break;
			}
		if (bad)
			continue;
		if (is_list) {
			if (m->val->type != JP_ARR) {
				lerr(ld, f->name, m->val->line, m->val->col, NULL,
				     "list \"%s\" takes an array of strings or numbers; found %s",
				     m->key, jp_type_name(m->val->type));
				continue;
			}
			for (size_t k = 0; k < m->val->arr.n; k++) {
				const struct jp_value *e = m->val->arr.v[k];

				if (e->type != JP_STR && e->type != JP_NUM) {
					lerr(ld, f->name, e->line, e->col, NULL,
					     "list \"%s\": elements are strings or numbers; found %s",
					     m->key, jp_type_name(e->type));
					bad = true;
				}
			}
			if (bad)
				continue;
		}
		struct pl_named *t = realloc(*tab, (*n + 1) * sizeof(**tab));

		if (!t) {
			ld->L.nomem = true;
			return;
		}
		*tab = t;
		t[*n] = (struct pl_named){ .name = m->key, .val = m->val,
					   .file = f->name, .line = m->line,
					   .col = m->col };
		(*n)++;
	}
}

static const char *const top_keys[] = { "version", "lists", "macros", "rules" };

static void gather_file(struct loader *ld, struct pl_file *f)
{
	const struct jp_value *root = jp_root(f->doc);
	bool has_version = false;

	if (root->type != JP_OBJ) {
		lerr(ld, f->name, root->line, root->col, NULL,
		     "a policy file is an object {\"version\": 1, \"lists\": {...}, \"macros\": {...}, \"rules\": [...]}; found %s",
		     jp_type_name(root->type));
		return;
	}
	for (size_t i = 0; i < root->obj.n; i++) {
		const struct jp_member *m = &root->obj.v[i];
		const struct jp_value *v = m->val;

		if (!strcmp(m->key, "version")) {
			has_version = true;
			if (v->type != JP_NUM || !v->num.fits || v->num.neg ||
			    v->num.u != 1)
				lerr(ld, f->name, v->line, v->col, NULL,
				     "unsupported policy version (this premod reads version 1)");
		} else if (!strcmp(m->key, "lists")) {
			gather_named(ld, f, v, true);
		} else if (!strcmp(m->key, "macros")) {
			gather_named(ld, f, v, false);
		} else if (!strcmp(m->key, "rules")) {
			if (v->type != JP_ARR)
				lerr(ld, f->name, v->line, v->col, NULL,
				     "\"rules\" takes an array of rules; found %s",
				     jp_type_name(v->type));
			else
				f->rules = v;
		} else {
			const char *sug = pol_suggest(m->key, top_keys, 4);

			lerr(ld, f->name, m->line, m->col, NULL,
			     "unknown key \"%s\" at the top of a policy file%s%s%s (expected version, lists, macros, rules)",
			     m->key, sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	if (!has_version)
		lerr(ld, f->name, root->line, root->col, NULL,
		     "missing \"version\": 1");
}

/* Message templates: "{field}" placeholders, "{{" and "}}" for braces. */
static int parse_template(struct loader *ld, struct policy_rule *r,
			  const char *file, const struct jp_value *v,
			  const char *s, uint64_t *fields)
{
	struct policy *p = ld->L.p;
	size_t cap = 8, n = 0;
	struct tmpl_seg *seg = pol_alloc(&p->arena, cap * sizeof(*seg));
	char *lit = pol_alloc(&p->arena, strlen(s) + 1);
	size_t lo = 0;
	int bad = 0;

	if (!seg || !lit) {
		ld->L.nomem = true;
		return -1;
	}
#define ADD_SEG(...) do {						\
		if (n == cap) {						\
			struct tmpl_seg *t = pol_alloc(&p->arena, 2 * cap * sizeof(*t)); \
			if (!t) { ld->L.nomem = true; return -1; }	\
			memcpy(t, seg, cap * sizeof(*t));		\
			seg = t;					\
			cap *= 2;					\
		}							\
		seg[n++] = (struct tmpl_seg){ __VA_ARGS__ };		\
	} while (0)
	for (size_t i = 0; s[i];) {
		if ((s[i] == '{' && s[i + 1] == '{') || (s[i] == '}' && s[i + 1] == '}')) {
			lit[lo++] = s[i];
			i += 2;
			continue;
		}
		if (s[i] == '}') {
			lerr(ld, file, v->line, v->col, r->id,
			     "message: unmatched '}' at offset %zu (write '}}' for a brace)",
			     i);
			bad = 1;
			i++;
			continue;
		}
		if (s[i] != '{') {
			lit[lo++] = s[i++];
			continue;
		}
		const char *close = strchr(s + i + 1, '}');

		if (!close) {
			lerr(ld, file, v->line, v->col, r->id,
			     "message: unclosed '{' at offset %zu (write '{{' for a brace)",
			     i);
			bad = 1;
			break;
		}
		char name[64];
		size_t nl = (size_t)(close - (s + i + 1));
		int f = -1;

		if (nl < sizeof(name)) {
			memcpy(name, s + i + 1, nl);
			name[nl] = 0;
			f = pm_field_lookup(name);
		}
		if (f < 0) {
			const char *names[PM_F_COUNT], *sug;

			for (int j = 0; j < PM_F_COUNT; j++)
				names[j] = pm_fields[j].name;
			sug = nl < sizeof(name) ? pol_suggest(name, names, PM_F_COUNT) : NULL;
			lerr(ld, file, v->line, v->col, r->id,
			     "message: unknown field \"{%.*s}\" at offset %zu%s%s%s",
			     (int)(nl > 40 ? 40 : nl), s + i + 1, i,
			     sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
			bad = 1;
		} else {
			if (lo) {
				ADD_SEG(.field = -1, .len = (uint32_t)lo, .lit = lit);
				lit += lo + 1;
				lo = 0;
			}
			ADD_SEG(.field = f);
			*fields |= 1ULL << f;
		}
		i = (size_t)(close - s) + 1;
	}
	if (lo)
		ADD_SEG(.field = -1, .len = (uint32_t)lo, .lit = lit);
#undef ADD_SEG
	r->msg = seg;
	r->nmsg = n;
	return bad ? -1 : 0;
}

static int parse_interval(const struct jp_value *v, uint64_t *ns)
{
	if (v->type == JP_NUM) {
		if (v->num.neg || !(v->num.d > 0) || v->num.d > 7 * 86400.0)
			return -1;
		*ns = (uint64_t)(v->num.d * 1e9 + 0.5);
		return *ns ? 0 : -1;
	}
	if (v->type == JP_STR) {
		char *end;
		unsigned long long n;
		uint64_t mult;

		if (v->str.s[0] < '0' || v->str.s[0] > '9')
			return -1;
		errno = 0;
		n = strtoull(v->str.s, &end, 10);
		if (errno)
			return -1;
		if (!strcmp(end, "ms"))
			mult = 1000000ULL;
		else if (!strcmp(end, "s"))
			mult = 1000000000ULL;
		else if (!strcmp(end, "m"))
			mult = 60000000000ULL;
		else if (!strcmp(end, "h"))
			mult = 3600000000000ULL;
		else
			return -1;
		if (!n || n > 7 * 86400000000000ULL / mult)
			return -1;
		*ns = n * mult;
		return 0;
	}
	return -1;
}

static void parse_rate_limit(struct loader *ld, struct policy_rule *r,
			     const char *file, const struct jp_value *v)
{
	static const char *const keys[] = { "max", "interval", "key" };
	bool has_max = false, has_iv = false;

	if (v->type != JP_OBJ) {
		lerr(ld, file, v->line, v->col, r->id,
		     "rate_limit takes an object {\"max\": N, \"interval\": \"10s\", \"key\": \"rule\"}; found %s",
		     jp_type_name(v->type));
		return;
	}
	r->rl.key = POLICY_RL_RULE;
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jp_member *m = &v->obj.v[i];
		const struct jp_value *x = m->val;

		if (!strcmp(m->key, "max")) {
			has_max = true;
			if (x->type != JP_NUM || !x->num.fits || x->num.neg ||
			    x->num.u < 1 || x->num.u > 1000000000)
				lerr(ld, file, x->line, x->col, r->id,
				     "rate_limit.max takes a number of records from 1 to 1000000000 (to silence a rule, set \"enabled\": false)");
			else
				r->rl.max = (uint32_t)x->num.u;
		} else if (!strcmp(m->key, "interval")) {
			has_iv = true;
			if (parse_interval(x, &r->rl.interval_ns))
				lerr(ld, file, x->line, x->col, r->id,
				     "rate_limit.interval takes seconds (a number > 0) or a string like \"500ms\", \"10s\", \"5m\", \"1h\", at most 7 days");
		} else if (!strcmp(m->key, "key")) {
			if (x->type == JP_STR && !strcmp(x->str.s, "rule"))
				r->rl.key = POLICY_RL_RULE;
			else if (x->type == JP_STR && !strcmp(x->str.s, "rule+path"))
				r->rl.key = POLICY_RL_RULE_PATH;
			else if (x->type == JP_STR && !strcmp(x->str.s, "rule+tgid"))
				r->rl.key = POLICY_RL_RULE_TGID;
			else
				lerr(ld, file, x->line, x->col, r->id,
				     "rate_limit.key is one of \"rule\", \"rule+path\", \"rule+tgid\"");
		} else {
			const char *sug = pol_suggest(m->key, keys, 3);

			lerr(ld, file, m->line, m->col, r->id,
			     "unknown key \"%s\" in rate_limit%s%s%s (expected max, interval, key)",
			     m->key, sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	if (!has_max || !has_iv)
		lerr(ld, file, v->line, v->col, r->id,
		     "rate_limit needs \"max\" and \"interval\"");
}

static void parse_outputs(struct loader *ld, struct policy_rule *r,
			  const char *file, const struct jp_value *v)
{
	static const char *const names[] = {
		"journal", "journald", "syslog", "stdout", "alerts"
	};

	if (v->type != JP_ARR || !v->arr.n) {
		lerr(ld, file, v->line, v->col, r->id,
		     "outputs takes a non-empty array of sink names (journal, journald, syslog, stdout, alerts); leave it out for all");
		return;
	}
	r->outputs = 0;
	for (size_t i = 0; i < v->arr.n; i++) {
		const struct jp_value *e = v->arr.v[i];
		int o = -1;

		for (int j = 0; j < 5 && e->type == JP_STR; j++)
			if (!strcmp(e->str.s, names[j]))
				o = j;
		if (o < 0) {
			const char *sug = e->type == JP_STR ?
				pol_suggest(e->str.s, names, 5) : NULL;

			lerr(ld, file, e->line, e->col, r->id,
			     "unknown output%s%s%s%s%s (expected journal, journald, syslog, stdout, alerts)",
			     e->type == JP_STR ? " \"" : "",
			     e->type == JP_STR ? e->str.s : "",
			     e->type == JP_STR ? "\"" : "",
			     sug ? "; did you mean " : "", sug ? sug : "");
			continue;
		}
		if (r->outputs & (1U << o))
			lerr(ld, file, e->line, e->col, r->id,
			     "output \"%s\" listed twice", names[o]);
		r->outputs |= 1U << o;
	}
}

static const char *const rule_keys[] = {
	"id", "description", "severity", "tags", "enabled", "match", "except",
	"message", "rate_limit", "outputs",
};

static void compile_rule(struct loader *ld, struct pl_file *f, size_t ordinal,
			 const struct jp_value *v)
{
	struct policy *p = ld->L.p;
	struct policy_rule *r = pol_alloc(&p->arena, sizeof(*r));
	const struct jp_value *match = NULL, *except = NULL, *message = NULL;
	struct pc_ctx c = { .L = &ld->L, .file = f->name };
	size_t nerr = ld->L.nerr;
	char anon[32];

	if (!r) {
		ld->L.nomem = true;
		return;
	}
	memset(r, 0, sizeof(*r));
	snprintf(anon, sizeof(anon), "#%zu", ordinal + 1);
	r->id = pol_strndup(&p->arena, anon, strlen(anon));
	r->file = f->name;
	r->line = v->line;
	r->col = v->col;
	r->severity = LOG_WARNING;
	r->enabled = true;
	r->outputs = POLICY_OUT_ALL;
	r->description = "";
	if (v->type != JP_OBJ) {
		lerr(ld, f->name, v->line, v->col, r->id,
		     "a rule is an object {\"id\": ..., \"match\": ...}; found %s",
		     jp_type_name(v->type));
		return;
	}
	/* The id first: every other message names the rule by it. */
	const struct jp_value *id = jp_get(v, "id");

	if (!id) {
		lerr(ld, f->name, v->line, v->col, r->id, "missing \"id\"");
	} else if (id->type != JP_STR || !valid_name(id->str.s, id->str.len, true)) {
		lerr(ld, f->name, id->line, id->col, r->id,
		     "\"id\" takes a string of letters, digits, '_', '-', '.', ':' (at most 128)");
	} else {
		r->id = pol_strndup(&p->arena, id->str.s, id->str.len);
	}
	c.rule = r->id;
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jp_member *m = &v->obj.v[i];
		const struct jp_value *x = m->val;
		const char *k = m->key;

		if (!strcmp(k, "id")) {
			continue;
		} else if (!strcmp(k, "description")) {
			if (x->type != JP_STR || strlen(x->str.s) != x->str.len)
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"description\" takes a string");
			else
				r->description = pol_strndup(&p->arena, x->str.s, x->str.len);
		} else if (!strcmp(k, "severity")) {
			int s = x->type == JP_STR ? policy_severity_lookup(x->str.s) : -1;

			if (s < 0)
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"severity\" is one of emerg, alert, crit, err, warning, notice, info, debug");
			else
				r->severity = s;
		} else if (!strcmp(k, "tags")) {
			bool ok = x->type == JP_ARR;

			for (size_t j = 0; ok && j < x->arr.n; j++)
				ok = x->arr.v[j]->type == JP_STR && x->arr.v[j]->str.len &&
				     strlen(x->arr.v[j]->str.s) == x->arr.v[j]->str.len;
			if (!ok) {
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"tags\" takes an array of non-empty strings");
				continue;
			}
			r->tags = pol_alloc(&p->arena, (x->arr.n + 1) * sizeof(*r->tags));
			if (!r->tags) {
				ld->L.nomem = true;
				return;
			}
			for (size_t j = 0; j < x->arr.n; j++)
				r->tags[j] = pol_strndup(&p->arena, x->arr.v[j]->str.s,
							 x->arr.v[j]->str.len);
			r->ntags = x->arr.n;
		} else if (!strcmp(k, "enabled")) {
			if (x->type != JP_BOOL)
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"enabled\" takes true or false");
			else
				r->enabled = x->b;
		} else if (!strcmp(k, "match")) {
			match = x;
		} else if (!strcmp(k, "except")) {
			if (x->type != JP_ARR)
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"except\" takes an array of conditions (any of them vetoes the match)");
			else
				except = x;
		} else if (!strcmp(k, "message")) {
			if (x->type != JP_STR || strlen(x->str.s) != x->str.len)
				lerr(ld, f->name, x->line, x->col, r->id,
				     "\"message\" takes a string template such as \"{comm} changed {path}\"");
			else
				message = x;
		} else if (!strcmp(k, "rate_limit")) {
			parse_rate_limit(ld, r, f->name, x);
		} else if (!strcmp(k, "outputs")) {
			parse_outputs(ld, r, f->name, x);
		} else {
			const char *sug = pol_suggest(k, rule_keys, 10);

			lerr(ld, f->name, m->line, m->col, r->id,
			     "unknown key \"%s\" in a rule%s%s%s", k,
			     sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	if (!match) {
		lerr(ld, f->name, v->line, v->col, r->id, "missing \"match\"");
	} else {
		/* match and no except: all[match, not e1, not e2, ...] */
		long top = 0;

		if (except && except->arr.n) {
			top = pc_emit(&c);
			if (top >= 0)
				c.code[top].type = PC_ALL;
		}
		pc_compile(&c, match);
		for (size_t j = 0; except && j < except->arr.n; j++) {
			long nt = pc_emit(&c);

			if (nt < 0)
				break;
			c.code[nt].type = PC_NOT;
			if (pc_compile(&c, except->arr.v[j]) == 0) {
				c.code[nt].size = (uint32_t)(c.n - (size_t)nt);
				c.code[nt].cost = c.code[nt + 1].cost + 1;
			}
		}
		if (except && except->arr.n && !c.failed && top >= 0)
			c.code[top].size = (uint32_t)c.n;
		if (c.too_big)
			lerr(ld, f->name, match->line, match->col, r->id,
			     "the rule expands to more than %d conditions (macros within macros?)",
			     PC_MAX_NODES);
	}
	if (message) {
		parse_template(ld, r, f->name, message, message->str.s, &c.fields);
	} else {
		char def[200];

		snprintf(def, sizeof(def), "%s: {op} {path} by {comm}[{tgid}] uid={uid}",
			 r->id);
		parse_template(ld, r, f->name, v, def, &c.fields);
	}
	if (ld->L.nerr == nerr && !c.failed && !ld->L.nomem) {
		struct pc_node *code = pol_alloc(&p->arena, c.n * sizeof(*code));

		if (code) {
			memcpy(code, c.code, c.n * sizeof(*code));
			r->code = code;
			r->ncode = c.n;
			r->fields = c.fields;
		} else {
			ld->L.nomem = true;
		}
	}
	free(c.code);
	if (ld->nrules == ld->caprules) {
		size_t cap = ld->caprules ? ld->caprules * 2 : 64;
		struct policy_rule **t = realloc(ld->rules, cap * sizeof(*t));

		if (!t) {
			ld->L.nomem = true;
			return;
		}
		ld->rules = t;
		ld->caprules = cap;
	}
	ld->rules[ld->nrules++] = r;
}

static int rule_id_cmp(const void *a, const void *b)
{
	const struct policy_rule *x = *(const struct policy_rule *const *)a;
	const struct policy_rule *y = *(const struct policy_rule *const *)b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void check_duplicate_ids(struct loader *ld)
{
	struct policy_rule **v;

	if (ld->nrules < 2)
		return;
	v = malloc(ld->nrules * sizeof(*v));
	if (!v) {
		ld->L.nomem = true;
		return;
	}
	memcpy(v, ld->rules, ld->nrules * sizeof(*v));
	qsort(v, ld->nrules, sizeof(*v), rule_id_cmp);
	for (size_t i = 1, first = 0; i < ld->nrules; i++) {
		if (strcmp(v[i]->id, v[first]->id)) {
			first = i;
			continue;
		}
		if (v[i]->id[0] == '#')
			continue;	/* anonymous: already reported */
		lerr(ld, v[i]->file, v[i]->line, v[i]->col, v[i]->id,
		     "duplicate rule id (first defined at %s:%d:%d)",
		     v[first]->file, v[first]->line, v[first]->col);
	}
	free(v);
}

static int diag_cmp(const struct policy_diag *x, const struct policy_diag *y)
{
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return 0;
}

/* Sorted by position (stable: insertion sort, there are few), exact
 * repeats dropped. */
static void diags_tidy(struct policy_diags *d, size_t from)
{
	struct policy_diag *v = d->v + from;
	size_t n = d->n - from, m = 0;

	for (size_t i = 1; i < n; i++) {
		struct policy_diag t = v[i];
		size_t j = i;

		while (j > 0 && diag_cmp(&v[j - 1], &t) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (m && !diag_cmp(&v[m - 1], &v[i]) &&
		    !strcmp(v[m - 1].msg, v[i].msg) &&
		    !v[m - 1].rule == !v[i].rule &&
		    (!v[i].rule || !strcmp(v[m - 1].rule, v[i].rule))) {
			free(v[i].file);
			free(v[i].rule);
			free(v[i].msg);
			continue;
		}
		v[m++] = v[i];
	}
	d->n = from + m;
}

static int add_file(struct loader *ld, const char *name, const char *buf,
		    size_t len)
{
	struct pl_file *t = realloc(ld->files, (ld->nfiles + 1) * sizeof(*t));
	struct jp_error err;
	struct pl_file *f;
	int rc;

	if (!t)
		return -ENOMEM;
	ld->files = t;
	f = &t[ld->nfiles++];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	rc = jp_parse(buf, len, NULL, &f->doc, &err);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		lerr(ld, f->name, err.line, err.col, NULL, "%s", err.msg);
		return 0;
	}
	gather_file(ld, f);
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t cap, n = 0;
	char *b;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > JP_DEFAULT_MAX_SIZE) {
		*err = EFBIG;
		close(fd);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	b = malloc(cap);
	if (!b) {
		*err = ENOMEM;
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, b + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			free(b);
			close(fd);
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n == cap) {
			char *t;

			if (cap > JP_DEFAULT_MAX_SIZE) {
				*err = EFBIG;
				free(b);
				close(fd);
				return -1;
			}
			t = realloc(b, cap * 2);
			if (!t) {
				*err = ENOMEM;
				free(b);
				close(fd);
				return -1;
			}
			b = t;
			cap *= 2;
		}
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

static void loader_free(struct loader *ld)
{
	for (size_t i = 0; i < ld->nfiles; i++)
		jp_free(ld->files[i].doc);
	free(ld->L.lists);
	free(ld->L.macros);
	free(ld->rules);
}

static void free_file_names(struct loader *ld)
{
	for (size_t i = 0; i < ld->nfiles; i++)
		free(ld->files[i].name);
	free(ld->files);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	pi_free(p);
	while (p->regexes) {
		struct pc_regex *n = p->regexes->next;

		regfree(&p->regexes->re);
		free(p->regexes);
		p->regexes = n;
	}
	pol_arena_free(&p->arena);
	free(p->rules);
	free(p);
}

/* Phase two and assembly; consumes ld. */
static int finish(struct loader *ld, struct policy **out, size_t diag0)
{
	struct policy *p = ld->L.p;
	int rc = 0;

	for (size_t i = 0; i < ld->L.nmacros; i++)
		if (ld->L.macros[i].state == PL_UNSEEN)
			pc_validate_macro(&ld->L, &ld->L.macros[i]);
	for (size_t i = 0; i < ld->nfiles; i++) {
		const struct jp_value *rules = ld->files[i].rules;

		for (size_t j = 0; rules && j < rules->arr.n; j++)
			compile_rule(ld, &ld->files[i], j, rules->arr.v[j]);
	}
	for (size_t i = 0; i < ld->nrules; i++)
		ld->rules[i]->index = i;
	check_duplicate_ids(ld);
	if (ld->L.nomem) {
		rc = -ENOMEM;
		goto fail;
	}
	if (ld->L.nerr) {
		rc = -EINVAL;
		goto fail;
	}
	/* File names now live in the policy: rules point at them. */
	for (size_t i = 0; i < ld->nfiles; i++) {
		char *n = pol_strndup(&p->arena, ld->files[i].name,
				      strlen(ld->files[i].name));

		if (!n) {
			rc = -ENOMEM;
			goto fail;
		}
		for (size_t j = 0; j < ld->nrules; j++)
			if (ld->rules[j]->file == ld->files[i].name)
				ld->rules[j]->file = n;
	}
	p->rules = ld->rules;
	p->nrules = ld->nrules;
	ld->rules = NULL;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i]->enabled)
			p->fields |= p->rules[i]->fields;
	rc = pi_build(p);
	if (rc)
		goto fail;
	loader_free(ld);
	free_file_names(ld);
	diags_tidy(ld->L.diags, diag0);
	*out = p;
	return 0;
fail:
	loader_free(ld);
	free_file_names(ld);
	diags_tidy(ld->L.diags, diag0);
	policy_free(p);
	return rc;
}

static int loader_init(struct loader *ld, struct policy_diags *diags)
{
	memset(ld, 0, sizeof(*ld));
	ld->L.diags = diags;
	ld->L.p = calloc(1, sizeof(struct policy));
	return ld->L.p ? 0 : -ENOMEM;
}

int policy_load_buffer(const char *name, const char *json, size_t len,
		       struct policy **out, struct policy_diags *diags)
{
	struct loader ld;
	size_t diag0 = diags->n;
	int rc;

	*out = NULL;
	if (loader_init(&ld, diags))
		return -ENOMEM;
	rc = add_file(&ld, name, json, len);
	if (rc) {
		loader_free(&ld);
		free_file_names(&ld);
		policy_free(ld.L.p);
		return rc;
	}
	return finish(&ld, out, diag0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int policy_load(const char *path, struct policy **out,
		struct policy_diags *diags)
{
	struct loader ld;
	size_t diag0 = diags->n;
	char **names = NULL;
	size_t nnames = 0;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (stat(path, &st)) {
		rc = -errno;
		pd_add(diags, path, 0, 0, NULL, "cannot open the policy: %s",
		       strerror(errno));
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d) {
			rc = -errno;
			pd_add(diags, path, 0, 0, NULL,
			       "cannot read the policy directory: %s", strerror(errno));
			return rc;
		}
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char **t;

			if (de->d_name[0] == '.' || l < 6 ||
			    strcmp(de->d_name + l - 5, ".json"))
				continue;
			t = realloc(names, (nnames + 1) * sizeof(*t));
			if (!t || asprintf(&t[nnames], "%s%s%s", path,
					   path[strlen(path) - 1] == '/' ? "" : "/",
					   de->d_name) < 0) {
				names = t ? t : names;
				rc = -ENOMEM;
				break;
			}
			names = t;
			nnames++;
		}
		closedir(d);
		if (!rc && !nnames) {
			pd_add(diags, path, 0, 0, NULL,
			       "no *.json policy files in this directory");
			rc = -ENOENT;
		}
		if (rc)
			goto out_names;
		qsort(names, nnames, sizeof(*names), name_cmp);
	} else {
		names = malloc(sizeof(*names));
		if (!names || !(names[0] = strdup(path))) {
			free(names);
			return -ENOMEM;
		}
		nnames = 1;
	}
	if (loader_init(&ld, diags)) {
		rc = -ENOMEM;
		goto out_names;
	}
	for (size_t i = 0; i < nnames && !rc; i++) {
		char *buf;
		size_t len;
		int err;

		if (read_file(names[i], &buf, &len, &err)) {
			ld.L.nerr++;
			pd_add(diags, names[i], 0, 0, NULL, "cannot read: %s",
			       err == EFBIG ? "larger than 16 MiB" : strerror(err));
			continue;
		}
		rc = add_file(&ld, names[i], buf, len);
		free(buf);
	}
	if (rc) {
		loader_free(&ld);
		free_file_names(&ld);
		policy_free(ld.L.p);
	} else {
		rc = finish(&ld, out, diag0);
	}
out_names:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return rc;
}
