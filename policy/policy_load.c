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

struct pl_file {
	char *name;
	struct jp_doc *doc;
	const struct jp_value *rules;	/* array, or NULL */
};

struct loader {
	struct pl_loader L;
	struct pl_file *files;
	size_t nfiles;
	struct policy_rule **rules;
	size_t nrules, caprules;
};

#define lerr(ld, ...) pl_err(&(ld)->L, __VA_ARGS__)

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

		if (!pl_valid_name(m->key, m->keylen, false)) {
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
					   .col = m->col,
					   .fileno = (size_t)(f - ld->files) };
		(*n)++;
	}
}

static const char *const top_keys[] = {
	"version", "lists", "macros", "rules", "append", "override",
};

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
		} else if (!strcmp(m->key, "append") || !strcmp(m->key, "override")) {
			pl_gather_patches(&ld->L, f->name, (size_t)(f - ld->files), v,
					  m->key[0] == 'a' ? PP_APPEND : PP_OVERRIDE);
		} else {
			const char *sug = pol_suggest(m->key, top_keys, 6);

			lerr(ld, f->name, m->line, m->col, NULL,
			     "unknown key \"%s\" at the top of a policy file%s%s%s (expected version, lists, macros, rules, append, override)",
			     m->key, sug ? " (did you mean \"" : "", sug ? sug : "",
			     sug ? "\"?)" : "");
		}
	}
	if (!has_version)
		lerr(ld, f->name, root->line, root->col, NULL,
		     "missing \"version\": 1");
}

/* Message templates: "{field}" placeholders, "{{" and "}}" for braces. */
static int add_rule(struct loader *ld, struct policy_rule *r)
{
	if (ld->nrules == ld->caprules) {
		size_t cap = ld->caprules ? ld->caprules * 2 : 64;
		struct policy_rule **t = realloc(ld->rules, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		ld->rules = t;
		ld->caprules = cap;
	}
	ld->rules[ld->nrules++] = r;
	return 0;
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
	/* O_NONBLOCK: a FIFO named *.json must not block the load until a
	 * writer comes; it is refused below like everything not regular. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
	pl_patches_free(&ld->L);
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

	pl_apply_patches(&ld->L);
	for (size_t i = 0; i < ld->L.nmacros; i++)
		if (ld->L.macros[i].state == PL_UNSEEN)
			pc_validate_macro(&ld->L, &ld->L.macros[i]);
	for (size_t i = 0; i < ld->nfiles; i++) {
		const struct jp_value *rules = ld->files[i].rules;

		for (size_t j = 0; rules && j < rules->arr.n; j++) {
			struct pl_rule_src src = { 0 };
			struct policy_rule *r;

			if (rules->arr.v[j]->type == JP_OBJ &&
			    pl_rule_patched(&ld->L, ld->files[i].name, i,
					    rules->arr.v[j], &src))
				ld->L.nomem = true;
			r = pl_compile_rule(&ld->L, ld->files[i].name, j,
					    rules->arr.v[j], &src);
			pl_rule_src_free(&src);
			if (r && add_rule(ld, r))
				ld->L.nomem = true;
		}
	}
	for (size_t i = 0; i < ld->nrules; i++)
		ld->rules[i]->index = i;
	if (ld->L.npatches) {
		const char **ids = malloc((ld->nrules + 1) * sizeof(*ids));

		if (!ids) {
			ld->L.nomem = true;
		} else {
			for (size_t i = 0; i < ld->nrules; i++)
				ids[i] = ld->rules[i]->id;
			pl_check_rule_patches(&ld->L, ids, ld->nrules);
			free(ids);
		}
	}
	check_duplicate_ids(ld);
	for (size_t i = 0; i < ld->nrules && !ld->L.nerr; i++)
		if (!ld->rules[i]->code) {	/* never loaded without code */
			lerr(ld, ld->rules[i]->file, ld->rules[i]->line,
			     ld->rules[i]->col, ld->rules[i]->id,
			     "the rule has no compiled condition");
		}
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
	if (ld->L.nnotes) {
		p->notes = pol_alloc(&p->arena, ld->L.nnotes * sizeof(*p->notes));
		if (!p->notes) {
			rc = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < ld->L.nnotes; i++)
			if (!(p->notes[i] = pol_strndup(&p->arena, ld->L.notes[i],
							strlen(ld->L.notes[i])))) {
				rc = -ENOMEM;
				goto fail;
			}
		p->nnotes = ld->L.nnotes;
	}
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i]->enabled)
			p->fields |= p->rules[i]->fields;
	rc = pi_build(p);
	if (rc)
		goto fail;
	pl_lint(&ld->L, p);
	loader_free(ld);
	free_file_names(ld);
	pd_tidy(ld->L.diags, diag0);
	*out = p;
	return 0;
fail:
	loader_free(ld);
	free_file_names(ld);
	pd_tidy(ld->L.diags, diag0);
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
			       err == EFBIG ? "larger than 16 MiB" :
			       err == EINVAL ? "not a regular file" : strerror(err));
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
