// SPDX-License-Identifier: MIT
/*
 * policy_lint.c - warnings about a policy that loaded: what it says is
 * valid, but is probably not what its author meant.
 *
 *   - a disabled rule (validated, never matches, not in the prefilter);
 *   - a rule whose op tests exclude each other: it matches no op;
 *   - a test on a field that none of the rule's ops carries (premod.h says
 *     which op carries what): that test is always false, and when every
 *     match needs it the rule never matches;
 *   - a rule that the prefilter cannot bound to subtrees: the kernel then
 *     sends every event of its ops (named, so it can be fixed).
 *
 * Warnings never stop a load; `premodd --check` prints them.
 */
#include <stdio.h>
#include <string.h>

#include "premod.h"
#include "policy_int.h"

#define OPB(x) (1u << PREMOD_OP_##x)
#define NONLOST_OPS ((((1u << (PREMOD_OP_MAX + 1)) - 1) & ~1u) & ~OPB(LOST))

/* Ops whose events carry field f (include/premod.h). */
static uint32_t carried_by(enum pm_field f)
{
	switch (f) {
	case PM_F_SEQ: case PM_F_TIME: case PM_F_OP: case PM_F_FLAGS:
		return NONLOST_OPS | OPB(LOST);
	case PM_F_LOST_COUNT: case PM_F_LOST_FIRST: case PM_F_LOST_LAST:
		return OPB(LOST);
	case PM_F_RDEV: return OPB(CREATE);
	case PM_F_NLINK: return OPB(UNLINK);
	case PM_F_PATH2: return OPB(RENAME) | OPB(LINK);
	case PM_F_RENAME_FLAGS: case PM_F_TARGET_INO: return OPB(RENAME);
	case PM_F_TARGET: return OPB(SYMLINK);
	case PM_F_OLD_SIZE:
		return OPB(UNLINK) | OPB(TRUNCATE) | OPB(OPEN_WRITE);
	case PM_F_NEW_SIZE: return OPB(TRUNCATE);
	case PM_F_OLD_MODE: case PM_F_NEW_MODE: return OPB(CHMOD);
	case PM_F_OLD_UID: case PM_F_NEW_UID: case PM_F_OLD_GID:
	case PM_F_NEW_GID:
		return OPB(CHOWN);
	case PM_F_TIME_FLAGS: case PM_F_ATIME: case PM_F_MTIME:
		return OPB(SETATTR);
	case PM_F_OPEN_FLAGS: return OPB(OPEN_WRITE);
	case PM_F_XATTR_NAME: return OPB(SETXATTR) | OPB(REMOVEXATTR);
	case PM_F_XATTR_SIZE: return OPB(SETXATTR);
	default:
		return NONLOST_OPS;	/* the task, the object, its path */
	}
}

static void ops_text(uint32_t ops, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (unsigned int op = 1; op <= PREMOD_OP_MAX && o < len; op++)
		if (ops >> op & 1)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
					      pm_op_name(op));
}

/* Whether n is false for every event of `ops`, because it needs a field
 * none of them carries; such fields are added to *fields. */
static bool never(const struct pc_node *n, uint32_t ops, uint64_t *fields)
{
	const struct pc_node *c, *end = n + n->size;
	bool all = true, any = false;
	uint32_t f;

	switch (n->type) {
	case PC_NOT:
		return false;	/* not(always false) is always true */
	case PC_ALL:
	case PC_ANY:
		for (c = n + 1; c < end; c += c->size) {
			bool nv = never(c, ops, fields);

			all &= nv;
			any |= nv;
		}
		return n->type == PC_ALL ? any : all;
	case PC_TEST:
		break;
	}
	f = n->op == PT_BITS_ADDED ? PM_F_NEW_MODE : n->field;
	if (carried_by(f) & ops)
		return false;
	*fields |= 1ULL << f;
	return true;
}

/* Whether the prefilter can bound rule r to subtrees (policy_prefilter.c
 * says how): its keys on path, path2, dir, each with a directory below /. */
static bool bounded(const struct policy_rule *r)
{
	const uint64_t fm = 1ULL << PM_F_PATH | 1ULL << PM_F_PATH2 |
			    1ULL << PM_F_DIR;
	struct pc_keys k;
	bool ok;

	if (r->opmask & (OPB(SETXATTR) | OPB(REMOVEXATTR)))
		return false;
	if (pc_keys(r->code, fm, &k))
		return true;	/* no memory: say nothing */
	ok = !k.unbounded;
	for (size_t i = 0; ok && i < k.n; i++) {
		const char *s = k.v[i].s;
		size_t len = k.v[i].len + k.v[i].under;

		size_t j = 1;

		/* a directory below the root: up to the last '/', its first
		 * non-empty component is neither "." nor ".." */
		while (len && s[len - 1] != '/')
			len--;
		while (j < len && s[j] == '/')
			j++;
		ok = s[0] == '/' && j < len &&
		     !(s[j] == '.' && (s[j + 1] == '/' ||
				       (s[j + 1] == '.' && s[j + 2] == '/')));
	}
	pc_keys_free(&k);
	return ok;
}

void pl_lint(struct pl_loader *L, const struct policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = p->rules[i];
		struct { uint32_t ops; } w;
		uint64_t fields = 0;
		char ops[200];

		if (!r->enabled) {
			pl_warn(L, r->file, r->line, r->col, r->id,
				"disabled (\"enabled\": false): validated, never matches, left out of the prefilter");
			continue;
		}
		w.ops = r->opmask & (NONLOST_OPS | OPB(LOST));
		if (!w.ops) {
			pl_warn(L, r->file, r->line, r->col, r->id,
				"its op tests exclude each other: it matches no operation and never fires");
			continue;
		}
		if (never(r->code, w.ops, &fields)) {
			char names[300];
			size_t o = 0;

			names[0] = 0;
			for (int f = 0; f < PM_F_COUNT && o < sizeof(names); f++)
				if (fields >> f & 1)
					o += (size_t)snprintf(names + o, sizeof(names) - o,
							      "%s%s", o ? ", " : "",
							      pm_fields[f].name);
			ops_text(w.ops, ops, sizeof(ops));
			pl_warn(L, r->file, r->line, r->col, r->id,
				"never matches: it needs %s, which none of the ops it can match (%s) carries",
				names, ops);
			continue;
		}
		if (!(w.ops & NONLOST_OPS) || bounded(r))
			continue;
		ops_text(w.ops & NONLOST_OPS, ops, sizeof(ops));
		pl_warn(L, r->file, r->line, r->col, r->id,
			"widens the kernel prefilter to everywhere: it is not bounded to subtrees, so every %s event is sent to the daemon (%s)",
			ops,
			r->opmask & (OPB(SETXATTR) | OPB(REMOVEXATTR)) ?
			"it can match setxattr or removexattr, whose paths are filesystem-relative and bound nothing: constrain its ops" :
			"bound it with a literal path: prefix \"/dir/\", under, eq, an anchored regex or a glob with a literal start");
	}
}
