/* SPDX-License-Identifier: MIT */
/*
 * policy_int.h - internals shared by the policy engine's modules (not an
 * interface: only the policy modules include it).
 *
 *   policy_load.c    files -> JSON -> lists, macros, rule objects; assembly
 *   policy_ruledef.c one rule object -> struct policy_rule
 *   policy_util.c    arena, diagnostics, suggestions
 *   policy_patch.c   "append" / "override" of a later file
 *   policy_cond.c    conditions: all/any/not/macro, the compact form
 *   policy_multi.c   a field test's shape; "paths" and lists of values
 *   policy_test.c    field tests: operators, values, their errors
 *   policy_flags.c   names of the flag fields' bits
 *   policy_eval.c    evaluation (the hot path)
 *   policy_keys.c    what a condition implies: ops, literal path prefixes
 *   policy_index.c   op buckets + path-prefix tries; policy_match
 *   policy_prefilter.c  the in-kernel filter a policy allows
 *   policy_rule.c    rule accessors, message templates, names
 *   policy_pattern.c glob and regex structure (bracket expressions), bounds
 *   policy_lint.c    warnings about a policy that loaded
 *   policy_explain.c why a rule does or does not match, in words
 */
#ifndef PREMOD_POLICY_INT_H
#define PREMOD_POLICY_INT_H

#include <regex.h>
#include <stdarg.h>

#include "json_pos.h"
#include "policy.h"

/* All of a policy's memory except regexes: freed in one go. */
struct pol_arena {
	struct pol_chunk *chunks;
};
void *pol_alloc(struct pol_arena *a, size_t size);
char *pol_strndup(struct pol_arena *a, const char *s, size_t len);
void pol_arena_free(struct pol_arena *a);

enum pc_type { PC_ALL, PC_ANY, PC_NOT, PC_TEST };

enum pc_op {
	PT_EQ, PT_NE, PT_IN, PT_PREFIX, PT_GLOB, PT_REGEX,
	PT_LT, PT_LE, PT_GT, PT_GE, PT_BITS_SET, PT_BITS_ADDED,
	PT_UNDER,	/* the directory itself or anything below it */
	PT_BITS_ANY,	/* at least one of the bits is set */
	PT__COUNT
};
extern const char *const pc_op_names[PT__COUNT];

struct pc_regex {
	regex_t re;
	const char *src;
	struct pc_regex *next;	/* the policy's list, for regfree */
};

/*
 * One node of a compiled condition. A condition is a preorder array:
 * ALL/ANY are followed by their children, NOT by its one child; `size`
 * (nodes in the subtree, this one included) skips a subtree. Macros are
 * expanded and lists inlined at compile time, so evaluation touches only
 * this array and the event.
 */
struct pc_node {
	uint8_t type;		/* enum pc_type */
	uint8_t op;		/* enum pc_op, for PC_TEST */
	uint8_t field;		/* enum pm_field, for PC_TEST */
	uint8_t cmp;		/* how numbers compare: CMP_* */
	uint32_t size;
	uint32_t cost;		/* estimated evaluation cost, for ordering */
	uint32_t n;		/* string length, or set size */
	union {
		uint64_t num;		/* numbers, modes, bits; op for ne */
		uint32_t opmask;	/* op eq / in */
		const char *str;	/* eq, ne, prefix, glob */
		const char *const *strs;	/* in on strings, sorted */
		const uint64_t *nums;	/* in on numbers, sorted */
		struct pc_regex *re;
	} u;
};

enum { CMP_PLAIN, CMP_MODE, CMP_OPMASK };

bool pc_eval(const struct pc_node *n, const struct pm_event *ev);

/* A message template, split at compile time. field < 0: literal. */
struct tmpl_seg {
	int field;
	uint32_t len;
	const char *lit;
};

struct policy_rule {
	const char *id;
	const char *description;
	int severity;
	const char **tags;
	size_t ntags;
	bool enabled;
	unsigned int outputs;
	struct policy_rate_limit rl;
	struct tmpl_seg *msg;
	size_t nmsg;
	const struct pc_node *code;	/* match and not(except...), one array */
	size_t ncode;
	bool has_except;		/* code is all[match, not e1, ...] */
	size_t index;
	uint32_t opmask;		/* ops the rule can match at all */
	bool dual;			/* hung in both tries (path or path2) */
	uint64_t fields;		/* fields it reads (conditions, message) */
	const char *file;
	int line, col;
};

#define PI_NOPS 16	/* op buckets: every enum premod_op */
struct pi_trie;

struct policy {
	struct pol_arena arena;
	struct pc_regex *regexes;
	struct policy_rule **rules;	/* policy order */
	const char **notes;		/* what append/override did */
	size_t nnotes;
	size_t nrules;
	uint64_t fields;		/* union over enabled rules */
	/* index */
	const struct policy_rule **unb[PI_NOPS];	/* not path-bounded */
	size_t n_unb[PI_NOPS];
	struct pi_trie *trie[2];	/* by prefix of path, of path2 */
};

/* Index building: 0 or -ENOMEM. */
int pi_build(struct policy *p);
void pi_free(struct policy *p);

/*
 * Analysis shared by the index and the prefilter. ops: bit per op value
 * (0..31) a match can have. Keys: literal strings one of which every
 * matching event's path field (for `fields` in the mask) starts with.
 */
#define PC_ALL_OPS 0xFFFFFFFFu
uint32_t pc_ops(const struct pc_node *n);

struct pc_keys {
	bool unbounded;
	size_t n, cap;
	struct pc_key {
		const char *s;	/* not NUL-terminated: len */
		size_t len;
		uint8_t field;	/* PM_F_PATH or PM_F_PATH2 (dir keys: path) */
		bool exact;	/* the path equals s, not only starts with it */
		bool owned;	/* s was allocated (dir + "/") */
		const char *glob;	/* s is this glob's literal start */
		bool under;	/* s is a directory D of "under" and s[len]
				 * is '/': the prefilter's directory is D
				 * itself (is_subdir holds for D too, and a
				 * mount at D is covered) */
	} *v;
};
int pc_keys(const struct pc_node *n, uint64_t fieldmask, struct pc_keys *out);
void pc_keys_free(struct pc_keys *k);

/*
 * Compiling conditions (policy_cond.c). Lists and macros are shared by all
 * files of a policy, so the loader gathers them before any rule compiles.
 */
struct pl_named {
	const char *name;
	const struct jp_value *val;
	const char *file;
	int line, col;		/* of the name (the key) */
	int state;		/* macros: PL_* */
	size_t fileno;		/* position of its file in load order */
	const char **elem_file;	/* lists appended to: each element's file */
	size_t own, cap;	/* appended lists: index of their arrays in
				 * the loader's owned (0: none), capacity */
};
/* The file an element of list l was written in. */
static inline const char *pl_elem_file(const struct pl_named *l, size_t i)
{
	return l->elem_file ? l->elem_file[i] : l->file;
}

/*
 * "append" and "override" of a later file (policy_patch.c), applied in
 * load order before anything compiles.
 */
enum { PP_APPEND, PP_OVERRIDE };
enum { PP_LISTS, PP_MACROS, PP_RULES };
struct pl_patch {
	int mode, what;
	const char *name;
	const struct jp_value *val;
	const char *file;
	size_t fileno;
	int line, col;		/* of the name */
	bool used;		/* rules: its rule was found */
};

/* A rule's members after patches: each with the file it came from; the
 * parts of "except" and "tags" (the rule's own, then appended ones). */
struct pl_part {
	const struct jp_value *val;
	const char *file;
};
struct pl_rule_src {
	struct pl_msrc {
		const struct jp_member *m;
		const char *file;
	} *mv;
	size_t nm;
	struct pl_part *except, *tags;
	size_t nexcept, ntags;
	bool patched;
};
enum { PL_UNSEEN, PL_VISITING, PL_OK, PL_BAD };

#define PC_MAX_NODES 65536	/* per rule, after macro expansion */
#define PC_MAX_MACRO_DEPTH 64

/*
 * Patterns (policy_pattern.c). Regexes are refused unless glibc handles
 * them in bounded time and memory; every bound is in REFERENCE.md.
 */
#define PC_RE_MAX_LEN 1024	/* bytes of a regex */
#define PC_RE_MAX_POSITIONS 256	/* atoms after expanding repetitions */
#define PC_RE_MAX_REPEAT 255	/* m and n of {m,n} */
#define PC_RE_MAX_GROUPS 32	/* nesting of ( ) */
#define PC_STR_(x) #x
#define PC_STR(x) PC_STR_(x)
/* s[i] is '[' opening a bracket expression: the index of its closing ']',
 * read as fnmatch() (glob) or regcomp() (ERE) does, or -1 (*why, if why
 * is not NULL, says what is broken). */
long pc_bracket_end(const char *s, size_t i, bool glob, const char **why);
/* Why fnmatch(FNM_PATHNAME) would misread the glob g (*at: offset), or
 * NULL when it is sound. */
const char *pc_glob_problem(const char *g, size_t *at);
/* Why the ERE re is refused before regcomp() (*at: offset), or NULL.
 * Syntax errors are left to regcomp(). */
const char *pc_regex_problem(const char *re, size_t *at);
/* Literal keys longer than this are cut (a shorter key only bounds less):
 * the index's trie costs memory per byte of key. */
#define PC_MAX_KEY 256

struct pl_loader {
	struct policy *p;
	struct policy_diags *diags;
	struct pl_named *lists, *macros;
	size_t nlists, nmacros;
	struct pl_patch *patches;
	size_t npatches;
	void **owned;		/* freed with the loader */
	size_t nowned;
	const char **notes;	/* what the patches did, for --check */
	size_t nnotes;
	const struct pl_named *stack[PC_MAX_MACRO_DEPTH + 1];	/* visiting */
	size_t depth;
	size_t nerr;
	bool nomem;
};

struct pc_ctx {
	struct pl_loader *L;
	const char *file;
	const char *rule;	/* rule id for diagnostics, or NULL */
	const char *macro;	/* macro being validated, or NULL */
	int silent;		/* >0 while expanding an already valid macro */
	bool failed, too_big;
	struct pc_node *code;	/* heap, grows */
	size_t n, cap;
	uint64_t fields;
};

/* Appends the compiled condition v to c->code; 0, or -1 (c->failed). */
int pc_compile(struct pc_ctx *c, const struct jp_value *v);
/* A JSON value for messages: `string "x"`, `number 3`, `array`. */
const char *pc_show(const struct jp_value *v, char *buf, size_t len);
/* A field test: obj is the test object, fm its "field" member. */
int pc_compile_test(struct pc_ctx *c, const struct jp_value *obj,
		    const struct jp_member *fm);
/* Where a value came from, for messages about list elements. */
struct pc_vsrc {
	const char *list;	/* NULL: written in place */
	const char *file;
	size_t idx;
};
/*
 * One field test with one value v (opm: the operator's member, for
 * positions and names; at: where to report an error about v when it comes
 * from a list, with src naming the list).
 */
int pc_compile_value(struct pc_ctx *c, const struct jp_member *opm,
		     enum pc_op op, enum pm_field f, const struct jp_value *at,
		     const struct jp_value *v, const struct pc_vsrc *src);
/*
 * The shorthands of a field test (policy_multi.c): field "paths" is any of
 * path and path2; an array or "@list" of values for prefix, under, glob and
 * regex is any of them. Plain tests go straight to pc_compile_value.
 */
int pc_compile_multi(struct pc_ctx *c, const struct jp_member *opm,
		     enum pc_op op, enum pm_field f, bool paths);
/* The list named by "@name" (v a string starting with '@'), or NULL after
 * reporting it undefined. */
const struct pl_named *pc_find_list(struct pc_ctx *c, const struct jp_value *v);

/* Flag fields (policy_flags.c): names of open_flags, rename_flags,
 * time_flags and flags bits. */
bool pf_is_flag_field(enum pm_field f);
const char *pf_flag_names(enum pm_field f, char *buf, size_t len);
/* 0 and *bits, or -1 (*suggest: the closest name or NULL). */
int pf_flag_lookup(enum pm_field f, const char *name, uint64_t *bits,
		   const char **suggest);

/* Compiles macro m in its own context, reporting its errors once. */
void pc_validate_macro(struct pl_loader *L, struct pl_named *m);
/* Reports an error in context c (unless silent) and marks c failed. */
void pc_err(struct pc_ctx *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Emits a node; index or -1. */
long pc_emit(struct pc_ctx *c);

/* Errors while loading: counted in L, recorded in L->diags. */
void pl_err(struct pl_loader *L, const char *file, int line, int col,
	    const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Warnings: recorded, not counted as errors (the policy still loads). */
void pl_warn(struct pl_loader *L, const char *file, int line, int col,
	     const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* A warning in compile context c (nothing while expanding silently). */
void pc_warn(struct pc_ctx *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Warnings about what compiled: rules that never match, widen the
 * prefilter, are disabled (policy_lint.c). */
void pl_lint(struct pl_loader *L, const struct policy *p);
/* Names of rules (id: ':' allowed too), lists, macros. */
bool pl_valid_name(const char *s, size_t len, bool id);
/* One rule object; NULL when it is not an object or out of memory (the
 * error is recorded). Rules with errors are returned too (duplicate ids
 * are checked over all of them) but have no code. */
struct policy_rule *pl_compile_rule(struct pl_loader *L, const char *file,
				    size_t ordinal, const struct jp_value *v,
				    const struct pl_rule_src *src);

/* Gathers the "append" / "override" object of file `file` (load order
 * fileno); mode PP_*. */
void pl_gather_patches(struct pl_loader *L, const char *file, size_t fileno,
		       const struct jp_value *obj, int mode);
/* Applies the list and macro patches; reports bad targets. */
void pl_apply_patches(struct pl_loader *L);
/* The members of rule object v (file, fileno) after the rule patches;
 * 0 and src->patched false when none applies; -1 without memory. The
 * arrays are the loader's. */
int pl_rule_patched(struct pl_loader *L, const char *file, size_t fileno,
		    const struct jp_value *v, struct pl_rule_src *src);
/* Rule patches whose rule does not exist: errors. Call after every rule
 * was seen; `ids` are the rules' ids. */
void pl_check_rule_patches(struct pl_loader *L, const char *const *ids,
			   size_t n);
void pl_patches_free(struct pl_loader *L);
/* The arrays pl_rule_patched made. */
void pl_rule_src_free(struct pl_rule_src *src);

/* Diagnostics. */
int pd_add(struct policy_diags *d, const char *file, int line, int col,
	   const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int pd_vadd(struct policy_diags *d, const char *file, int line, int col,
	    const char *rule, const char *fmt, va_list ap);

/* Sorts d->v[from..] by file, line, column (stably), drops repeats. */
void pd_tidy(struct policy_diags *d, size_t from);

/* The closest of `cands` to `word` (a typo), or NULL. */
const char *pol_suggest(const char *word, const char *const *cands, size_t n);

#endif /* PREMOD_POLICY_INT_H */
