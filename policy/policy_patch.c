// SPDX-License-Identifier: MIT
/*
 * policy_patch.c - adapting shipped policy from a later file without
 * editing it (as Falco's append and overrides):
 *
 *   "append":   {"lists": {"name": [values]},
 *                "rules": {"id": {"except": [...], "tags": [...]}}}
 *   "override": {"lists": {"name": [values]}, "macros": {"name": cond},
 *                "rules": {"id": {"enabled": false, "severity": ...}}}
 *
 * A patch applies to a list, macro or rule defined in an *earlier* file
 * (load order), and patches apply in load order, so the result does not
 * depend on which file a reader looks at first. Every value keeps the file
 * it was written in: an error in an appended exception points there.
 * What each patch did is kept as a note for `premodd --check`.
 */
#define _GNU_SOURCE	/* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static const char *const what_names[] = { "lists", "macros", "rules" };
static const char *const what_one[] = { "list", "macro", "rule" };
static const char *const mode_names[] = { "append", "override" };

static void *own(struct pl_loader *L, void *p)
{
	void **t;

	if (!p) {
		L->nomem = true;
		return NULL;
	}
	t = realloc(L->owned, (L->nowned + 1) * sizeof(*t));
	if (!t) {
		free(p);
		L->nomem = true;
		return NULL;
	}
	L->owned = t;
	t[L->nowned++] = p;
	return p;
}

static void note(struct pl_loader *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct pl_loader *L, const char *fmt, ...)
{
	va_list ap;
	char *s;
	const char **t;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!own(L, s))
		return;
	/* doubling: a hostile file of many patches stays linear */
	if (!(L->nnotes & (L->nnotes - 1))) {
		t = realloc(L->notes, (L->nnotes ? 2 * L->nnotes : 1) * sizeof(*t));
		if (!t) {
			L->nomem = true;
			return;
		}
		L->notes = t;
	}
	L->notes[L->nnotes++] = s;
}

void pl_patches_free(struct pl_loader *L)
{
	for (size_t i = 0; i < L->nowned; i++)
		free(L->owned[i]);
	free(L->owned);
	free(L->patches);
	free(L->notes);
	L->owned = NULL;
	L->patches = NULL;
	L->notes = NULL;
	L->nowned = L->npatches = L->nnotes = 0;
}

void pl_rule_src_free(struct pl_rule_src *src)
{
	free(src->mv);
	free(src->except);
	free(src->tags);
	memset(src, 0, sizeof(*src));
}

/* Grows *v (of *n elements of size sz) to hold one more: capacity doubles
 * at powers of two, so n appends cost O(n). */
static int grow(void **v, size_t n, size_t sz)
{
	void *t;

	if (n & (n - 1))
		return 0;
	t = realloc(*v, (n ? 2 * n : 1) * sz);
	if (!t)
		return -1;
	*v = t;
	return 0;
}

static bool list_ok(struct pl_loader *L, const char *file, const char *name,
		    const struct jp_value *v)
{
	bool ok = true;

	if (v->type != JP_ARR) {
		pl_err(L, file, v->line, v->col, NULL,
		       "list \"%s\" takes an array of strings or numbers; found %s",
		       name, jp_type_name(v->type));
		return false;
	}
	for (size_t k = 0; k < v->arr.n; k++)
		if (v->arr.v[k]->type != JP_STR && v->arr.v[k]->type != JP_NUM) {
			pl_err(L, file, v->arr.v[k]->line, v->arr.v[k]->col, NULL,
			       "list \"%s\": elements are strings or numbers; found %s",
			       name, jp_type_name(v->arr.v[k]->type));
			ok = false;
		}
	return ok;
}

void pl_gather_patches(struct pl_loader *L, const char *file, size_t fileno,
		       const struct jp_value *obj, int mode)
{
	if (obj->type != JP_OBJ) {
		pl_err(L, file, obj->line, obj->col, NULL,
		       "\"%s\" takes an object {\"lists\": {...}, %s\"rules\": {...}}; found %s",
		       mode_names[mode], mode == PP_OVERRIDE ? "\"macros\": {...}, " : "",
		       jp_type_name(obj->type));
		return;
	}
	for (size_t i = 0; i < obj->obj.n; i++) {
		const struct jp_member *w = &obj->obj.v[i];
		int what = -1;

		for (int k = 0; k < 3; k++)
			if (!strcmp(w->key, what_names[k]))
				what = k;
		if (what < 0) {
			const char *sug = pol_suggest(w->key, what_names, 3);

			pl_err(L, file, w->line, w->col, NULL,
			       "unknown key \"%s\" in \"%s\"%s%s%s (expected lists, macros, rules)",
			       w->key, mode_names[mode], sug ? " (did you mean \"" : "",
			       sug ? sug : "", sug ? "\"?)" : "");
			continue;
		}
		if (what == PP_MACROS && mode == PP_APPEND) {
			pl_err(L, file, w->line, w->col, NULL,
			       "a macro cannot be appended to (and or or?); override it, or write a new macro that uses it");
			continue;
		}
		if (w->val->type != JP_OBJ) {
			pl_err(L, file, w->val->line, w->val->col, NULL,
			       "\"%s\".\"%s\" takes an object of %s name: value; found %s",
			       mode_names[mode], what_names[what], what_one[what],
			       jp_type_name(w->val->type));
			continue;
		}
		for (size_t j = 0; j < w->val->obj.n; j++) {
			const struct jp_member *m = &w->val->obj.v[j];
			struct pl_patch *t;

			if (!pl_valid_name(m->key, m->keylen, what == PP_RULES)) {
				pl_err(L, file, m->line, m->col, NULL,
				       "invalid %s name \"%s\"", what_one[what], m->key);
				continue;
			}
			if (what == PP_LISTS && !list_ok(L, file, m->key, m->val))
				continue;
			if (what == PP_RULES && m->val->type != JP_OBJ) {
				pl_err(L, file, m->val->line, m->val->col, m->key,
				       "%s of a rule takes an object of rule keys; found %s",
				       mode_names[mode], jp_type_name(m->val->type));
				continue;
			}
			t = realloc(L->patches, (L->npatches + 1) * sizeof(*t));
			if (!t) {
				L->nomem = true;
				return;
			}
			L->patches = t;
			t[L->npatches++] = (struct pl_patch){
				.mode = mode, .what = what, .name = m->key,
				.val = m->val, .file = file, .fileno = fileno,
				.line = m->line, .col = m->col,
			};
		}
	}
}

static struct pl_named *find_named(struct pl_loader *L, struct pl_patch *pp)
{
	struct pl_named *tab = pp->what == PP_LISTS ? L->lists : L->macros;
	size_t n = pp->what == PP_LISTS ? L->nlists : L->nmacros;
	const char *names[64], *sug;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i].name, pp->name))
			return &tab[i];
	for (size_t i = 0; i < n && i < 64; i++)
		names[i] = tab[i].name;
	sug = pol_suggest(pp->name, names, n < 64 ? n : 64);
	pl_err(L, pp->file, pp->line, pp->col, NULL,
	       "%s: no %s \"%s\" to %s%s%s%s", mode_names[pp->mode],
	       what_one[pp->what], pp->name, mode_names[pp->mode],
	       sug ? " (did you mean \"" : "", sug ? sug : "", sug ? "\"?)" : "");
	return NULL;
}

static bool earlier(struct pl_loader *L, const struct pl_patch *pp,
		    size_t fileno, const char *file, int line, int col)
{
	if (fileno < pp->fileno)
		return true;
	pl_err(L, pp->file, pp->line, pp->col, NULL,
	       "%s of %s \"%s\": it is defined at %s:%d:%d, not in an earlier file; %s applies to what earlier files define",
	       mode_names[pp->mode], what_one[pp->what], pp->name, file, line,
	       col, mode_names[pp->mode]);
	return false;
}

/* The list's values become the loader's own arrays (its value, elements
 * and their files), grown geometrically: many appends stay linear. */
static void append_list(struct pl_loader *L, struct pl_named *l,
			const struct pl_patch *pp)
{
	size_t n0 = l->val->arr.n, n1 = pp->val->arr.n, need = n0 + n1;
	struct jp_value *v = (struct jp_value *)l->val;

	if (!l->own) {
		size_t cap = need < 8 ? 8 : need * 2;
		struct jp_value **elems;
		const char **files;

		v = own(L, malloc(sizeof(*v)));
		if (!v || !own(L, malloc(cap * sizeof(*elems))) ||
		    !own(L, malloc(cap * sizeof(*files))))
			return;
		elems = L->owned[L->nowned - 2];
		files = L->owned[L->nowned - 1];
		for (size_t i = 0; i < n0; i++) {
			elems[i] = l->val->arr.v[i];
			files[i] = pl_elem_file(l, i);
		}
		*v = *l->val;
		v->arr.v = elems;
		l->val = v;
		l->elem_file = files;
		l->own = L->nowned - 2;	/* index of elems; files follow */
		l->cap = cap;
	} else if (need > l->cap) {
		size_t cap = need * 2;
		void *e = realloc(L->owned[l->own], cap * sizeof(*v->arr.v));
		void *f;

		if (!e) {
			L->nomem = true;
			return;
		}
		L->owned[l->own] = e;
		f = realloc(L->owned[l->own + 1], cap * sizeof(*l->elem_file));
		if (!f) {
			L->nomem = true;
			return;
		}
		L->owned[l->own + 1] = f;
		v->arr.v = e;
		l->elem_file = f;
		l->cap = cap;
	}
	for (size_t i = 0; i < n1; i++) {
		v->arr.v[n0 + i] = pp->val->arr.v[i];
		l->elem_file[n0 + i] = pp->file;
	}
	v->arr.n = need;
}

void pl_apply_patches(struct pl_loader *L)
{
	for (size_t i = 0; i < L->npatches; i++) {
		struct pl_patch *pp = &L->patches[i];
		struct pl_named *nm;

		if (pp->what == PP_RULES)
			continue;
		nm = find_named(L, pp);
		if (!nm || !earlier(L, pp, nm->fileno, nm->file, nm->line, nm->col))
			continue;
		if (pp->mode == PP_APPEND) {
			append_list(L, nm, pp);
			note(L, "list %s: %zu value%s appended by %s:%d:%d (now %zu)",
			     nm->name, pp->val->arr.n, pp->val->arr.n == 1 ? "" : "s",
			     pp->file, pp->line, pp->col, nm->val->arr.n);
			continue;
		}
		nm->val = pp->val;
		nm->file = pp->file;
		nm->line = pp->line;
		nm->col = pp->col;
		nm->fileno = pp->fileno;
		nm->elem_file = NULL;
		nm->own = 0;	/* a later append starts afresh */
		if (pp->what == PP_LISTS)
			note(L, "list %s: overridden by %s:%d:%d (%zu value%s)",
			     nm->name, pp->file, pp->line, pp->col,
			     pp->val->arr.n, pp->val->arr.n == 1 ? "" : "s");
		else
			note(L, "macro %s: overridden by %s:%d:%d", nm->name,
			     pp->file, pp->line, pp->col);
	}
}

static const char *const appendable[] = { "except", "tags" };

static int add_part(struct pl_loader *L, struct pl_part **v, size_t *n,
		    const struct jp_value *val, const char *file)
{
	if (grow((void **)v, *n, sizeof(**v))) {
		L->nomem = true;
		return -1;
	}
	(*v)[(*n)++] = (struct pl_part){ val, file };
	return 0;
}

static int set_member(struct pl_loader *L, struct pl_rule_src *src,
		      const struct jp_member *m, const char *file)
{
	struct pl_msrc *t;

	for (size_t i = 0; i < src->nm; i++)
		if (!strcmp(src->mv[i].m->key, m->key)) {
			src->mv[i] = (struct pl_msrc){ m, file };
			return 0;
		}
	if (grow((void **)&src->mv, src->nm, sizeof(*src->mv))) {
		L->nomem = true;
		return -1;
	}
	t = src->mv;
	t[src->nm++] = (struct pl_msrc){ m, file };
	return 0;
}

int pl_rule_patched(struct pl_loader *L, const char *file, size_t fileno,
		    const struct jp_value *v, struct pl_rule_src *src)
{
	const struct jp_value *id = jp_get(v, "id");
	char what[256];
	size_t wo = 0;

	memset(src, 0, sizeof(*src));
	if (!id || id->type != JP_STR)
		return 0;
	for (size_t i = 0; i < L->npatches; i++) {
		struct pl_patch *pp = &L->patches[i];

		if (pp->what != PP_RULES || strcmp(pp->name, id->str.s))
			continue;
		pp->used = true;
		if (!earlier(L, pp, fileno, file, id->line, id->col))
			continue;
		if (!src->patched) {
			src->patched = true;
			for (size_t j = 0; j < v->obj.n; j++) {
				const struct jp_member *m = &v->obj.v[j];

				if (set_member(L, src, m, file))
					return -1;
				if (!strcmp(m->key, "except") &&
				    add_part(L, &src->except, &src->nexcept, m->val, file))
					return -1;
				if (!strcmp(m->key, "tags") &&
				    add_part(L, &src->tags, &src->ntags, m->val, file))
					return -1;
			}
		}
		for (size_t j = 0; j < pp->val->obj.n; j++) {
			const struct jp_member *m = &pp->val->obj.v[j];
			bool is_except = !strcmp(m->key, "except");
			bool is_tags = !strcmp(m->key, "tags");

			if (!strcmp(m->key, "id")) {
				pl_err(L, pp->file, m->line, m->col, pp->name,
				       "the id of a rule cannot be overridden (it is what names the rule)");
				continue;
			}
			if (pp->mode == PP_APPEND && !is_except && !is_tags) {
				const char *sug = pol_suggest(m->key, appendable, 2);

				pl_err(L, pp->file, m->line, m->col, pp->name,
				       "only \"except\" and \"tags\" can be appended to%s%s%s; override \"%s\" instead",
				       sug ? " (did you mean \"" : "", sug ? sug : "",
				       sug ? "\"?)" : "", m->key);
				continue;
			}
			if (set_member(L, src, m, pp->file))
				return -1;
			if (pp->mode == PP_OVERRIDE) {
				if (is_except)
					src->nexcept = 0;
				if (is_tags)
					src->ntags = 0;
			}
			if (is_except &&
			    add_part(L, &src->except, &src->nexcept, m->val, pp->file))
				return -1;
			if (is_tags &&
			    add_part(L, &src->tags, &src->ntags, m->val, pp->file))
				return -1;
			if (wo < sizeof(what))
				wo += (size_t)snprintf(what + wo, sizeof(what) - wo,
						       "%s%s %s", wo ? ", " : "",
						       m->key, pp->mode == PP_APPEND ?
						       "appended" : "overridden");
		}
		if (wo) {
			note(L, "rule %s: %s by %s:%d:%d", id->str.s, what,
			     pp->file, pp->line, pp->col);
			wo = 0;
		}
	}
	return 0;
}

void pl_check_rule_patches(struct pl_loader *L, const char *const *ids,
			   size_t n)
{
	for (size_t i = 0; i < L->npatches; i++) {
		const struct pl_patch *pp = &L->patches[i];
		const char *sug;

		if (pp->what != PP_RULES || pp->used)
			continue;
		sug = pol_suggest(pp->name, ids, n);
		pl_err(L, pp->file, pp->line, pp->col, NULL,
		       "%s: no rule \"%s\" to %s%s%s%s", mode_names[pp->mode],
		       pp->name, mode_names[pp->mode], sug ? " (did you mean \"" : "",
		       sug ? sug : "", sug ? "\"?)" : "");
	}
}
