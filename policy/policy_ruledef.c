// SPDX-License-Identifier: MIT
/*
 * policy_ruledef.c - one rule object -> a struct policy_rule: its keys,
 * severity, tags, outputs, rate limit, message template and compiled
 * condition (match and not-except in one array), every error reported
 * under the rule's id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "policy_int.h"

bool pl_valid_name(const char *s, size_t len, bool id)
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

static int parse_template(struct pl_loader *L, struct policy_rule *r,
			  const char *file, const struct jp_value *v,
			  const char *s, uint64_t *fields)
{
	struct policy *p = L->p;
	size_t cap = 8, n = 0;
	struct tmpl_seg *seg = pol_alloc(&p->arena, cap * sizeof(*seg));
	char *lit = pol_alloc(&p->arena, strlen(s) + 1);
	size_t lo = 0;
	int bad = 0;

	if (!seg || !lit) {
		L->nomem = true;
		return -1;
	}
#define ADD_SEG(...) do {						\
		if (n == cap) {						\
			struct tmpl_seg *t = pol_alloc(&p->arena, 2 * cap * sizeof(*t)); \
			if (!t) { L->nomem = true; return -1; }	\
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
			pl_err(L, file, v->line, v->col, r->id,
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
			pl_err(L, file, v->line, v->col, r->id,
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
			pl_err(L, file, v->line, v->col, r->id,
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
	if (jp_name(v)) {
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

static void parse_rate_limit(struct pl_loader *L, struct policy_rule *r,
			     const char *file, const struct jp_value *v)
{
	static const char *const keys[] = { "max", "interval", "key" };
	bool has_max = false, has_iv = false;

	if (v->type != JP_OBJ) {
		pl_err(L, file, v->line, v->col, r->id,
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
				pl_err(L, file, x->line, x->col, r->id,
				     "rate_limit.max takes a number of records from 1 to 1000000000 (to silence a rule, set \"enabled\": false)");
			else
				r->rl.max = (uint32_t)x->num.u;
		} else if (!strcmp(m->key, "interval")) {
			has_iv = true;
			if (parse_interval(x, &r->rl.interval_ns))
				pl_err(L, file, x->line, x->col, r->id,
				     "rate_limit.interval takes seconds (a number > 0) or a string like \"500ms\", \"10s\", \"5m\", \"1h\", at most 7 days");
		} else if (!strcmp(m->key, "key")) {
			if (!jp_name(x))
				pl_err(L, file, x->line, x->col, r->id,
				     "rate_limit.key is one of \"rule\", \"rule+path\", \"rule+tgid\"");
			else if (!strcmp(x->str.s, "rule"))
				r->rl.key = POLICY_RL_RULE;
			else if (!strcmp(x->str.s, "rule+path"))
				r->rl.key = POLICY_RL_RULE_PATH;
			else if (!strcmp(x->str.s, "rule+tgid"))
				r->rl.key = POLICY_RL_RULE_TGID;
			else
				pl_err(L, file, x->line, x->col, r->id,
				     "rate_limit.key is one of \"rule\", \"rule+path\", \"rule+tgid\"");
		} else {
			const char *sug = pol_suggest(m->key, keys, 3);

			pl_err(L, file, m->line, m->col, r->id,
			     "unknown key \"%s\" in rate_limit%s%s%s (expected max, interval, key)",
			     m->key, sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	if (!has_max || !has_iv)
		pl_err(L, file, v->line, v->col, r->id,
		     "rate_limit needs \"max\" and \"interval\"");
}

static void parse_outputs(struct pl_loader *L, struct policy_rule *r,
			  const char *file, const struct jp_value *v)
{
	static const char *const names[] = {
		"journal", "journald", "syslog", "stdout", "alerts"
	};

	if (v->type != JP_ARR || !v->arr.n) {
		pl_err(L, file, v->line, v->col, r->id,
		     "outputs takes a non-empty array of sink names (journal, journald, syslog, stdout, alerts); leave it out for all");
		return;
	}
	r->outputs = 0;
	for (size_t i = 0; i < v->arr.n; i++) {
		const struct jp_value *e = v->arr.v[i];
		int o = -1;

		for (int j = 0; j < 5 && jp_name(e); j++)
			if (!strcmp(e->str.s, names[j]))
				o = j;
		if (o < 0) {
			const char *sug = e->type == JP_STR ?
				pol_suggest(e->str.s, names, 5) : NULL;

			pl_err(L, file, e->line, e->col, r->id,
			     "unknown output%s%s%s%s%s (expected journal, journald, syslog, stdout, alerts)",
			     e->type == JP_STR ? " \"" : "",
			     e->type == JP_STR ? e->str.s : "",
			     e->type == JP_STR ? "\"" : "",
			     sug ? "; did you mean " : "", sug ? sug : "");
			continue;
		}
		if (r->outputs & (1U << o))
			pl_err(L, file, e->line, e->col, r->id,
			     "output \"%s\" listed twice", names[o]);
		r->outputs |= 1U << o;
	}
}

static const char *const rule_keys[] = {
	"id", "description", "severity", "tags", "enabled", "match", "except",
	"message", "rate_limit", "outputs",
};

/* "tags": an array of non-empty strings, added to r->tags. */
static int add_tags(struct pl_loader *L, struct policy_rule *r, const char *file,
		    const struct jp_value *x)
{
	bool ok = x->type == JP_ARR;
	const char **t;

	for (size_t j = 0; ok && j < x->arr.n; j++)
		ok = x->arr.v[j]->type == JP_STR && x->arr.v[j]->str.len &&
		     strlen(x->arr.v[j]->str.s) == x->arr.v[j]->str.len;
	if (!ok) {
		pl_err(L, file, x->line, x->col, r->id,
		     "\"tags\" takes an array of non-empty strings");
		return 0;
	}
	t = pol_alloc(&L->p->arena, (r->ntags + x->arr.n + 1) * sizeof(*t));
	if (!t) {
		L->nomem = true;
		return -1;
	}
	if (r->ntags)
		memcpy(t, r->tags, r->ntags * sizeof(*t));
	for (size_t j = 0; j < x->arr.n; j++)
		t[r->ntags + j] = pol_strndup(&L->p->arena, x->arr.v[j]->str.s,
					      x->arr.v[j]->str.len);
	r->tags = t;
	r->ntags += x->arr.n;
	return 0;
}

struct policy_rule *pl_compile_rule(struct pl_loader *L, const char *file,
				    size_t ordinal, const struct jp_value *v,
				    const struct pl_rule_src *src)
{
	struct policy *p = L->p;
	struct policy_rule *r = pol_alloc(&p->arena, sizeof(*r));
	const struct jp_value *match = NULL, *message = NULL;
	const char *match_file = file, *message_file = file;
	struct pl_part own_except[1];
	const struct pl_part *except = NULL;
	size_t nexcept = 0, nmem;
	struct pc_ctx c = { .L = L, .file = file };
	size_t nerr = L->nerr;
	char anon[32];

	if (!r) {
		L->nomem = true;
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	snprintf(anon, sizeof(anon), "#%zu", ordinal + 1);
	r->id = pol_strndup(&p->arena, anon, strlen(anon));
	r->file = file;
	r->line = v->line;
	r->col = v->col;
	r->severity = LOG_WARNING;
	r->enabled = true;
	r->outputs = POLICY_OUT_ALL;
	r->description = "";
	if (v->type != JP_OBJ) {
		pl_err(L, file, v->line, v->col, r->id,
		     "a rule is an object {\"id\": ..., \"match\": ...}; found %s",
		     jp_type_name(v->type));
		return NULL;
	}
	/* The id first: every other message names the rule by it. */
	const struct jp_value *id = jp_get(v, "id");

	if (!id) {
		pl_err(L, file, v->line, v->col, r->id, "missing \"id\"");
	} else if (id->type != JP_STR || !pl_valid_name(id->str.s, id->str.len, true)) {
		pl_err(L, file, id->line, id->col, r->id,
		     "\"id\" takes a string of letters, digits, '_', '-', '.', ':' (at most 128)");
	} else {
		r->id = pol_strndup(&p->arena, id->str.s, id->str.len);
	}
	c.rule = r->id;
	if (src && !src->patched)
		src = NULL;
	nmem = src ? src->nm : v->obj.n;
	for (size_t i = 0; i < nmem; i++) {
		const struct jp_member *m = src ? src->mv[i].m : &v->obj.v[i];
		const struct jp_value *x = m->val;
		const char *k = m->key;
		/* a key set by an override of a later file reports there */
		const char *mf = src ? src->mv[i].file : file;

		if (!strcmp(k, "id")) {
			continue;
		} else if (!strcmp(k, "description")) {
			if (x->type != JP_STR || strlen(x->str.s) != x->str.len)
				pl_err(L, mf, x->line, x->col, r->id,
				     "\"description\" takes a string");
			else
				r->description = pol_strndup(&p->arena, x->str.s, x->str.len);
		} else if (!strcmp(k, "severity")) {
			int s = jp_name(x) ? policy_severity_lookup(x->str.s) : -1;

			if (s < 0)
				pl_err(L, mf, x->line, x->col, r->id,
				     "\"severity\" is one of emerg, alert, crit, err, warning, notice, info, debug");
			else
				r->severity = s;
		} else if (!strcmp(k, "tags")) {
			size_t np = src ? src->ntags : 1;

			for (size_t j = 0; j < np; j++)
				if (add_tags(L, r, src ? src->tags[j].file : mf,
					     src ? src->tags[j].val : x))
					return NULL;
		} else if (!strcmp(k, "enabled")) {
			if (x->type != JP_BOOL)
				pl_err(L, mf, x->line, x->col, r->id,
				     "\"enabled\" takes true or false");
			else
				r->enabled = x->b;
		} else if (!strcmp(k, "match")) {
			match = x;
			match_file = mf;
		} else if (!strcmp(k, "except")) {
			if (src) {
				except = src->except;
				nexcept = src->nexcept;
			} else {
				own_except[0] = (struct pl_part){ x, mf };
				except = own_except;
				nexcept = 1;
			}
		} else if (!strcmp(k, "message")) {
			if (x->type != JP_STR || strlen(x->str.s) != x->str.len)
				pl_err(L, mf, x->line, x->col, r->id,
				     "\"message\" takes a string template such as \"{comm} changed {path}\"");
			else
				message = x;
			message_file = mf;
		} else if (!strcmp(k, "rate_limit")) {
			parse_rate_limit(L, r, mf, x);
		} else if (!strcmp(k, "outputs")) {
			parse_outputs(L, r, mf, x);
		} else {
			/* names other rule languages (Falco) use for these */
			static const char *const alias[][2] = {
				{ "exceptions", "except" }, { "exception", "except" },
				{ "priority", "severity" }, { "level", "severity" },
				{ "condition", "match" }, { "output", "message" },
				{ "desc", "description" }, { "rule", "id" },
				{ "name", "id" }, { "enable", "enabled" },
			};
			const char *sug = pol_suggest(k, rule_keys, 10);

			for (size_t j = 0; j < sizeof(alias) / sizeof(alias[0]); j++)
				if (!strcmp(k, alias[j][0]))
					sug = alias[j][1];

			pl_err(L, mf, m->line, m->col, r->id,
			     "unknown key \"%s\" in a rule%s%s%s", k,
			     sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	/* except: parts (the rule's own, then appended), each an array */
	size_t nexc = 0;

	for (size_t j = 0; j < nexcept; j++) {
		if (except[j].val->type != JP_ARR)
			pl_err(L, except[j].file, except[j].val->line,
			       except[j].val->col, r->id,
			       "\"except\" takes an array of conditions (any of them vetoes the match)");
		else
			nexc += except[j].val->arr.n;
	}
	if (!match) {
		pl_err(L, file, v->line, v->col, r->id, "missing \"match\"");
	} else {
		/* match and no except: all[match, not e1, not e2, ...] */
		long top = 0;

		if (nexc) {
			top = pc_emit(&c);
			if (top >= 0)
				c.code[top].type = PC_ALL;
		}
		c.file = match_file;
		pc_compile(&c, match);
		for (size_t pj = 0; pj < nexcept; pj++) {
			const struct jp_value *ex = except[pj].val;

			c.file = except[pj].file;
			for (size_t j = 0; ex->type == JP_ARR && j < ex->arr.n; j++) {
				long nt = pc_emit(&c);

				if (nt < 0)
					break;
				c.code[nt].type = PC_NOT;
				if (pc_compile(&c, ex->arr.v[j]) == 0) {
					c.code[nt].size = (uint32_t)(c.n - (size_t)nt);
					c.code[nt].cost = c.code[nt + 1].cost + 1;
				}
			}
		}
		c.file = file;
		if (nexc && !c.failed && top >= 0)
			c.code[top].size = (uint32_t)c.n;
		if (c.too_big)
			pl_err(L, match_file, match->line, match->col, r->id,
			     "the rule expands to more than %d conditions (macros within macros?)",
			     PC_MAX_NODES);
	}
	if (message) {
		parse_template(L, r, message_file, message, message->str.s, &c.fields);
	} else {
		char def[200];

		snprintf(def, sizeof(def), "%s: {op} {path} by {comm}[{tgid}] uid={uid}",
			 r->id);
		parse_template(L, r, file, v, def, &c.fields);
	}
	if (L->nerr == nerr && !c.failed && !L->nomem) {
		struct pc_node *code = pol_alloc(&p->arena, c.n * sizeof(*code));

		if (code) {
			memcpy(code, c.code, c.n * sizeof(*code));
			r->code = code;
			r->ncode = c.n;
			r->has_except = nexc > 0;
			r->fields = c.fields;
		} else {
			L->nomem = true;
		}
	}
	free(c.code);
	return r;
}
