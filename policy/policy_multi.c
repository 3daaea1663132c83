// SPDX-License-Identifier: MIT
/*
 * policy_multi.c - the shorthands of a field test, expanded at compile time
 * into plain tests under an `any`, so evaluation, the index and the
 * prefilter see nothing new:
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
