// SPDX-License-Identifier: MIT
/*
 * policy_multi.c - the shape of a field test: its keys, the field (with
 * "did you mean" for other tools' names), which operators fit which field;
 * and its shorthands, expanded at compile time into plain tests under an
 * `any`, so evaluation, the index and the prefilter see nothing new:
 *
 *   {"field": "paths", OP: V}     any of path and path2 (a rename or link
 *                                 into or out of a watched place)
 *   {"field": F, "prefix": [...]} any of the values; also "@list", and for
 *                                 under, glob and regex
 *
 * Both at once make any[any[path...], any[path2...]]. Errors in the values
 * are reported once: the path2 copy compiles silently.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static const char *kind_desc(enum pm_field_kind k)
{
	switch (k) {
	case PM_KIND_NUM: return "a number";
	case PM_KIND_ID: return "a uid/gid";
	case PM_KIND_MODE: return "a file mode";
	case PM_KIND_OP: return "an operation";
	case PM_KIND_STR: return "a string";
	case PM_KIND_PATH: return "a path";
	}
	return "?";
}

static bool op_fits(enum pc_op op, enum pm_field f)
{
	enum pm_field_kind k = pm_fields[f].kind;

	switch (op) {
	case PT_EQ: case PT_NE: case PT_IN:
		return true;
	case PT_PREFIX: case PT_GLOB: case PT_REGEX:
		return k == PM_KIND_STR || k == PM_KIND_PATH;
	case PT_UNDER:
		return k == PM_KIND_PATH;
	case PT_LT: case PT_LE: case PT_GT: case PT_GE:
		return k == PM_KIND_NUM || k == PM_KIND_ID;
	case PT_BITS_SET: case PT_BITS_ANY:
		return k == PM_KIND_MODE || pf_is_flag_field(f);
	case PT_BITS_ADDED:
		return k == PM_KIND_MODE;
	default:
		return false;
	}
}

static const char *ops_for_field(enum pm_field f)
{
	switch (pm_fields[f].kind) {
	case PM_KIND_NUM:
		if (pf_is_flag_field(f))
			return "eq, ne, in, lt, le, gt, ge, bits_set, bits_any";
		/* fall through */
	case PM_KIND_ID: return "eq, ne, in, lt, le, gt, ge";
	case PM_KIND_MODE: return "eq, ne, in, bits_set, bits_any, bits_added (on new_mode)";
	case PM_KIND_OP: return "eq, ne, in";
	case PM_KIND_PATH: return "eq, ne, in, prefix, under, glob, regex";
	default: return "eq, ne, in, prefix, glob, regex";
	}
}

/* Field names of other tools (Falco, auditd) and what premod calls them. */
static const char *const field_alias[][2] = {
	{ "fd.name", "path" }, { "evt.type", "op" }, { "proc.name", "comm" },
	{ "proc.exepath", "exe" }, { "proc.exe", "exe" }, { "proc.pid", "tgid" },
	{ "proc.ppid", "ppid" }, { "user.uid", "uid" }, { "user.loginuid", "auid" },
	{ "fd.directory", "dir" }, { "fd.filename", "name" },
	{ "evt.arg.flags", "open_flags" }, { "syscall", "op" },
	{ "filename", "path" }, { "file", "path" }, { "operation", "op" },
	{ "loginuid", "auid" }, { "newpath", "path2" },
};

int pc_compile_test(struct pc_ctx *c, const struct jp_value *obj,
		    const struct jp_member *fm)
{
	const struct jp_member *opm = NULL;
	enum pm_field_kind k;
	enum pc_op op = PT__COUNT;
	bool bad = false, paths = false;
	int f;

	for (size_t m = 0; m < obj->obj.n; m++) {
		const struct jp_member *mm = &obj->obj.v[m];
		int o = -1;

		if (mm == fm)
			continue;
		for (int j = 0; j < PT__COUNT; j++)
			if (!strcmp(mm->key, pc_op_names[j]))
				o = j;
		if (o < 0) {
			const char *sug = pol_suggest(mm->key, pc_op_names, PT__COUNT);

			pc_err(c, mm->line, mm->col,
			       "unknown key \"%s\" in a field test%s%s%s", mm->key,
			       sug ? " (did you mean \"" : "", sug ? sug : "",
			       sug ? "\"?)" : "");
			bad = true;
			continue;
		}
		if (opm) {
			pc_err(c, mm->line, mm->col,
			       "a field test has exactly one operator; this one has \"%s\" and \"%s\" (combine tests with \"all\")",
			       opm->key, mm->key);
			bad = true;
			continue;
		}
		opm = mm;
		op = (enum pc_op)o;
	}
	if (!jp_name(fm->val)) {
		char b[96];

		pc_err(c, fm->val->line, fm->val->col,
		       "\"field\" takes a field name; found %s",
		       pc_show(fm->val, b, sizeof(b)));
		return -1;
	}
	if (!strcmp(fm->val->str.s, "paths")) {
		paths = true;
		f = PM_F_PATH;
	} else {
		f = pm_field_lookup(fm->val->str.s);
	}
	if (f < 0) {
		const char *names[PM_F_COUNT + 1], *sug;

		for (int j = 0; j < PM_F_COUNT; j++)
			names[j] = pm_fields[j].name;
		names[PM_F_COUNT] = "paths";
		sug = pol_suggest(fm->val->str.s, names, PM_F_COUNT + 1);
		for (size_t j = 0; j < sizeof(field_alias) / sizeof(field_alias[0]); j++)
			if (!strcmp(fm->val->str.s, field_alias[j][0]))
				sug = field_alias[j][1];
		pc_err(c, fm->val->line, fm->val->col, "unknown field \"%s\"%s%s%s",
		       fm->val->str.s, sug ? " (did you mean \"" : "",
		       sug ? sug : "", sug ? "\"?)" : "");
		return -1;
	}
	if (f == PM_F_LOST_COUNT || f == PM_F_LOST_FIRST || f == PM_F_LOST_LAST) {
		pc_err(c, fm->val->line, fm->val->col,
		       "field %s is only on lost records, which rules never see (they always go to every sink)",
		       pm_fields[f].name);
		return -1;
	}
	if (!opm) {
		pc_err(c, obj->line, obj->col,
		       "field test on %s needs an operator (%s)",
		       paths ? "paths" : pm_fields[f].name, ops_for_field(f));
		return -1;
	}
	if (bad)
		return -1;
	k = pm_fields[f].kind;
	if (op == PT_BITS_ADDED && k == PM_KIND_MODE && f != PM_F_NEW_MODE) {
		pc_err(c, opm->line, opm->col,
		       "bits_added compares new_mode with old_mode; write it on field new_mode");
		return -1;
	}
	if (!op_fits(op, f)) {
		pc_err(c, opm->line, opm->col,
		       "operator %s does not fit field %s (%s); it takes %s",
		       opm->key, paths ? "paths" : pm_fields[f].name,
		       kind_desc(k), ops_for_field(f));
		return -1;
	}
	if (paths && op == PT_NE) {
		pc_err(c, opm->line, opm->col,
		       "\"ne\" on paths would hold when either path differs; write {\"not\": {\"field\": \"paths\", \"eq\": ...}}");
		return -1;
	}
	return pc_compile_multi(c, opm, op, (enum pm_field)f, paths);
}


static bool takes_many(enum pc_op op)
{
	return op == PT_PREFIX || op == PT_UNDER || op == PT_GLOB ||
	       op == PT_REGEX;
}

/* Closes the `any` opened at `at`: size and cost, as pc_compile does. */
static void close_any(struct pc_ctx *c, size_t at)
{
	uint32_t cost = 1;

	c->code[at].size = (uint32_t)(c->n - at);
	for (size_t k = at + 1; k < c->n; k += c->code[k].size)
		cost += c->code[k].cost;
	c->code[at].cost = cost;
}

static int one_field(struct pc_ctx *c, const struct jp_member *opm,
		     enum pc_op op, enum pm_field f)
{
	const struct jp_value *v = opm->val, *arr = NULL;
	const struct pl_named *l = NULL;
	struct pc_vsrc src = { 0 };
	long at;

	if (takes_many(op) && v->type == JP_ARR) {
		arr = v;
	} else if (takes_many(op) && v->type == JP_STR && v->str.s[0] == '@') {
		l = pc_find_list(c, v);
		if (!l)
			return -1;
		arr = l->val;
		src.list = l->name;
		src.file = l->file;
	}
	if (!arr)
		return pc_compile_value(c, opm, op, f, v, v, NULL);
	if (!arr->arr.n) {
		pc_err(c, v->line, v->col,
		       "an empty list of values for \"%s\" never matches; write at least one",
		       opm->key);
		return -1;
	}
	at = pc_emit(c);
	if (at < 0)
		return -1;
	c->code[at].type = PC_ANY;
	for (size_t i = 0; i < arr->arr.n; i++) {
		src.idx = i;
		if (l)
			src.file = pl_elem_file(l, i);
		pc_compile_value(c, opm, op, f, src.list ? v : arr->arr.v[i],
				 arr->arr.v[i], src.list ? &src : NULL);
	}
	if (c->failed)
		return -1;
	close_any(c, (size_t)at);
	return 0;
}

int pc_compile_multi(struct pc_ctx *c, const struct jp_member *opm,
		     enum pc_op op, enum pm_field f, bool paths)
{
	long at;

	if (!paths)
		return one_field(c, opm, op, f);
	at = pc_emit(c);
	if (at < 0)
		return -1;
	c->code[at].type = PC_ANY;
	one_field(c, opm, op, PM_F_PATH);
	c->silent++;
	one_field(c, opm, op, PM_F_PATH2);
	c->silent--;
	if (c->failed)
		return -1;
	close_any(c, (size_t)at);
	return 0;
}
