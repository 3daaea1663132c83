// SPDX-License-Identifier: MIT
/*
 * policy_explain.c - why a rule does or does not match an event, in words
 * (premodd --explain). Walks the compiled condition as evaluation does and
 * names the first condition that decides the result, with the event's own
 * value. Not the hot path: clarity over speed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "premod.h"
#include "policy_int.h"

struct out {
	char *buf;
	size_t len, o;
};

static void put(struct out *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->o + 1 >= w->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->o, w->len - w->o, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->o += (size_t)n < w->len - w->o ? (size_t)n : w->len - w->o - 1;
}

static void put_value(struct out *w, const struct pc_node *n)
{
	unsigned int f = n->field;

	if (n->cmp == CMP_OPMASK) {
		bool first = true;

		put(w, "[");
		for (unsigned int op = 1; op < 32; op++)
			if (n->u.opmask >> op & 1) {
				put(w, "%s%s", first ? "" : ", ",
				    pm_op_name(op) ? pm_op_name(op) : "?");
				first = false;
			}
		put(w, "]");
		return;
	}
	if (n->op == PT_REGEX) {
		put(w, "\"%s\"", n->u.re->src);
		return;
	}
	if (f >= PM_F_NUM_COUNT) {
		if (n->op == PT_IN)
			put(w, "[%u value%s]", n->n, n->n == 1 ? "" : "s");
		else if (n->op == PT_UNDER)
			put(w, "\"%.*s\"", n->n ? (int)n->n : 1, n->n ? n->u.str : "/");
		else
			put(w, "\"%s\"", n->u.str);
		return;
	}
	if (n->op == PT_IN)
		put(w, "[%u value%s]", n->n, n->n == 1 ? "" : "s");
	else if (pm_fields[f].kind == PM_KIND_MODE || n->op == PT_BITS_ADDED)
		put(w, "\"%llo\"", (unsigned long long)n->u.num);
	else if (pm_fields[f].kind == PM_KIND_OP)
		put(w, "%s", pm_op_name((unsigned int)n->u.num) ?
		    pm_op_name((unsigned int)n->u.num) : "?");
	else
		put(w, "%llu", (unsigned long long)n->u.num);
}

/* The event's value of field f, as a reader wants to see it. */
static void put_actual(struct out *w, const struct pm_event *ev, unsigned int f)
{
	if (!pm_event_has(ev, f)) {
		put(w, "the event has no %s", pm_fields[f].name);
		return;
	}
	if (f >= PM_F_NUM_COUNT)
		put(w, "%s is \"%s\"", pm_fields[f].name, ev->str[f - PM_F_NUM_COUNT]);
	else if (pm_fields[f].kind == PM_KIND_MODE)
		put(w, "%s is %llo", pm_fields[f].name, (unsigned long long)ev->num[f]);
	else if (pm_fields[f].kind == PM_KIND_OP)
		put(w, "op is %s", pm_op_name((unsigned int)ev->num[f]) ?
		    pm_op_name((unsigned int)ev->num[f]) : "?");
	else
		put(w, "%s is %llu", pm_fields[f].name, (unsigned long long)ev->num[f]);
}

static void describe(struct out *w, const struct pc_node *n)
{
	const struct pc_node *c, *end = n + n->size;
	bool first = true;

	switch (n->type) {
	case PC_TEST:
		put(w, "%s %s ", pm_fields[n->field].name,
		    n->cmp == CMP_OPMASK ? "in" : pc_op_names[n->op]);
		put_value(w, n);
		return;
	case PC_NOT:
		put(w, "not (");
		describe(w, n + 1);
		put(w, ")");
		return;
	case PC_ALL:
	case PC_ANY:
		put(w, "%s(", n->type == PC_ALL ? "all" : "any");
		for (c = n + 1; c < end; c += c->size) {
			put(w, "%s", first ? "" : ", ");
			describe(w, c);
			first = false;
		}
		put(w, ")");
		return;
	}
}

/* n is false for ev: say why. */
static void why_false(struct out *w, const struct pc_node *n,
		      const struct pm_event *ev)
{
	const struct pc_node *c, *end = n + n->size;

	switch (n->type) {
	case PC_TEST:
		describe(w, n);
		put(w, " is false (");
		if (n->op == PT_BITS_ADDED) {
			put_actual(w, ev, PM_F_OLD_MODE);
			put(w, ", ");
			put_actual(w, ev, PM_F_NEW_MODE);
		} else {
			put_actual(w, ev, n->field);
		}
		put(w, ")");
		return;
	case PC_NOT:
		put(w, "it excludes what holds here: ");
		describe(w, n + 1);
		return;
	case PC_ALL:
		for (c = n + 1; c < end; c += c->size)
			if (!pc_eval(c, ev)) {
				why_false(w, c, ev);
				return;
			}
		return;
	case PC_ANY:
		put(w, "none of these holds: ");
		for (c = n + 1; c < end; c += c->size) {
			put(w, "%s", c == n + 1 ? "" : "; ");
			why_false(w, c, ev);
		}
		return;
	}
}

bool policy_explain_rule(const struct policy_rule *r, const struct pm_event *ev,
			 char *buf, size_t len)
{
	struct out w = { buf, len, 0 };
	const struct pc_node *match = r->code;

	if (!len)
		return false;
	buf[0] = 0;
	if (!r->enabled) {
		put(&w, "disabled");
		return false;
	}
	if (r->has_except)
		match = r->code + 1;
	if (!pc_eval(match, ev)) {
		put(&w, "no match: ");
		why_false(&w, match, ev);
		return false;
	}
	if (r->has_except) {
		const struct pc_node *c, *end = r->code + r->code->size;

		for (c = match + match->size; c < end; c += c->size)
			if (!pc_eval(c, ev)) {	/* not(e) false: e holds */
				put(&w, "excepted: the exception ");
				describe(&w, c + 1);
				put(&w, " holds");
				return false;
			}
	}
	put(&w, "match");
	return true;
}
