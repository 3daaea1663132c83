// SPDX-License-Identifier: MIT
/*
 * policy_pattern.c - the structure of glob and regex patterns, as glibc's
 * fnmatch() and regcomp() read them, for everything that must agree with
 * them: the checks that refuse a pattern at load time, and the literal
 * extraction of policy_keys.c and policy_index.c (a '/' or '|' inside a
 * bracket expression is not a separator).
 *
 * Regexes are bounded here too, before regcomp() ever sees them: glibc's
 * engine has no match or memory limit, and a few constructs make it
 * explode (stacked quantifiers and large counted repetitions in regcomp's
 * memory and time, back-references in regexec's time, exponentially in
 * the subject). What is refused, and why, is in REFERENCE.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "premod.h"

static const char *const classes[] = {
	"alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower",
	"print", "punct", "space", "upper", "xdigit",
};

static bool known_class(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i]) == len && !memcmp(classes[i], s, len))
			return true;
	return false;
}

/* s + j: "[:", "[=" or "[." inside a bracket expression. The index just
 * past its closing ":]" ("=]", ".]"), 0 when glob reads the '[' as an
 * ordinary member, -1 when the pattern is broken (*why). */
static long symbol_end(const char *s, size_t j, bool glob, const char **why)
{
	char delim = s[j + 1];
	size_t k = j + 2;

	if (glob && delim == ':') {
		/* fnmatch: a class name is lowercase letters ('z' excluded:
		 * glibc's test is c >= 'z'); anything else makes the '['
		 * an ordinary member. */
		while (s[k] >= 'a' && s[k] < 'z')
			k++;
		if (s[k] != ':' || s[k + 1] != ']')
			return 0;
		if (!known_class(s + j + 2, k - j - 2)) {
			*why = "unknown character class";
			return -1;
		}
		return (long)(k + 2);
	}
	if (glob && delim == '=') {
		/* fnmatch: exactly one character between "[=" and "=]" */
		if (s[k] && s[k + 1] == '=' && s[k + 2] == ']')
			return (long)(k + 3);
		return 0;
	}
	/* regcomp (every kind) and fnmatch's "[.": up to the first
	 * delimiter followed by ']', the first character included */
	for (; s[k]; k++)
		if (s[k] == delim && s[k + 1] == ']')
			return (long)(k + 2);
	*why = delim == ':' ? "unterminated \"[:\"" :
	       delim == '=' ? "unterminated \"[=\"" : "unterminated \"[.\"";
	return -1;
}

long pc_bracket_end(const char *s, size_t i, bool glob, const char **why)
{
	const char *dummy;
	size_t j = i + 1;

	if (!why)
		why = &dummy;
	if (s[j] == '^' || (glob && s[j] == '!'))
		j++;
	if (s[j] == ']')
		j++;		/* first: an ordinary member */
	for (;;) {
		char ch = s[j];

		if (!ch) {
			*why = "unbalanced '['";
			return -1;
		}
		if (ch == ']')
			return (long)j;
		if (glob && ch == '\\') {
			if (!s[j + 1]) {
				*why = "unbalanced '['";
				return -1;
			}
			j += 2;
			continue;
		}
		if (ch == '[' && (s[j + 1] == ':' || s[j + 1] == '=' ||
				  s[j + 1] == '.')) {
			long e = symbol_end(s, j, glob, why);

			if (e < 0)
				return -1;
			if (e > 0) {
				j = (size_t)e;
				continue;
			}
		}
		j++;
	}
}

const char *pc_glob_problem(const char *g, size_t *at)
{
	for (size_t i = 0; g[i]; i++) {
		const char *why = NULL;
		long end;

		if (g[i] == '\\') {
			if (!g[i + 1]) {
				*at = i;
				return "trailing backslash";
			}
			i++;
			continue;
		}
		if (g[i] != '[')
			continue;
		*at = i;
		if (g[i + 1] == '^' && g[i + 2] == ']')
			/* "[^]...]": POSIXLY_CORRECT makes '^' a member and
			 * the ']' the end; say "[!]...]" */
			return "\"[^]\" is ambiguous (write \"[!]\" to negate a set holding ']')";
		end = pc_bracket_end(g, i, true, &why);
		if (end < 0)
			return why;
		if (memchr(g + i, '/', (size_t)end - i))
			return "a bracket expression cannot match '/' (FNM_PATHNAME)";
		i = (size_t)end;
	}
	return NULL;
}

/* Saturating: the sizes only need to be compared with small bounds. */
static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b)
{
	return b && a > UINT32_MAX / b ? UINT32_MAX : a * b;
}

/* "{m}", "{m,}", "{,n}", "{m,n}" at s: its length, and the copies of the
 * operand it expands to; 0 when it is not an interval (regcomp judges). */
static size_t interval(const char *s, uint32_t *copies, bool *too_big)
{
	unsigned long m = 0, n = 0;
	bool has_n = false, comma = false;
	size_t k = 1;

	while (s[k] >= '0' && s[k] <= '9' && m <= 100000)
		m = m * 10 + (unsigned long)(s[k++] - '0');
	if (s[k] == ',') {
		comma = true;
		k++;
		while (s[k] >= '0' && s[k] <= '9' && n <= 100000) {
			n = n * 10 + (unsigned long)(s[k++] - '0');
			has_n = true;
		}
	}
	if (s[k] != '}' || (k == 1))
		return 0;
	*too_big = m > PC_RE_MAX_REPEAT || n > PC_RE_MAX_REPEAT;
	if (!comma)
		*copies = (uint32_t)(m ? m : 1);
	else if (has_n)
		*copies = (uint32_t)(n ? n : 1);
	else
		*copies = (uint32_t)m + 1;	/* m copies, then a star */
	return k + 1;
}

const char *pc_regex_problem(const char *re, size_t *at)
{
	/* per open group: positions of finished alternatives, of the
	 * current one */
	struct { uint32_t done, cur; } st[PC_RE_MAX_GROUPS + 1];
	size_t d = 0, i = 0;
	uint32_t last = 0;	/* positions of the last atom, 0: none */
	bool quant = false;	/* the last token was a quantifier */
	uint32_t total = 0;

	if (strlen(re) > PC_RE_MAX_LEN) {
		*at = PC_RE_MAX_LEN;
		return "longer than " PC_STR(PC_RE_MAX_LEN) " bytes";
	}
	st[0].done = st[0].cur = 0;
	while (re[i]) {
		char ch = re[i];
		uint32_t w = 1;
		size_t next = i + 1;

		*at = i;
		if (ch == '\\') {
			if (re[i + 1] >= '1' && re[i + 1] <= '9')
				return "back-references (\\1 to \\9) are not supported: they can cost seconds per event";
			if (!re[i + 1])
				return NULL;	/* regcomp says what is wrong */
			next = i + 2;
		} else if (ch == '[') {
			long e = pc_bracket_end(re, i, false, NULL);

			if (e < 0)
				return NULL;
			next = (size_t)e + 1;
		} else if (ch == '(') {
			if (d == PC_RE_MAX_GROUPS)
				return "groups nested more than " PC_STR(PC_RE_MAX_GROUPS) " deep";
			d++;
			st[d].done = st[d].cur = 0;
			last = 0;
			quant = false;
			i = next;
			continue;
		} else if (ch == ')' && d) {
			w = sat_add(st[d].done, st[d].cur);
			if (!w)
				w = 1;
			d--;
		} else if (ch == '|') {
			st[d].done = sat_add(st[d].done, st[d].cur);
			st[d].cur = 0;
			last = 0;
			quant = false;
			i = next;
			continue;
		} else if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
			uint32_t copies = 1;
			bool too_big = false;

			if (ch == '{') {
				size_t l = interval(re + i, &copies, &too_big);

				if (!l)
					goto atom;	/* regcomp judges */
				if (too_big)
					return "a repetition count above " PC_STR(PC_RE_MAX_REPEAT);
				next = i + l;
			}
			if (quant)
				return "stacked quantifiers (a quantifier on a quantifier) make regcomp explode";
			if (last && copies > 1) {
				st[d].cur = sat_add(st[d].cur,
						    sat_mul(last, copies - 1));
				last = sat_mul(last, copies);
			}
			quant = true;
			i = next;
			continue;
		}
atom:
		st[d].cur = sat_add(st[d].cur, w);
		last = w;
		quant = false;
		i = next;
	}
	for (size_t k = 0; k <= d; k++)
		total = sat_add(total, sat_add(st[k].done, st[k].cur));
	if (total > PC_RE_MAX_POSITIONS) {
		*at = 0;
		return "expands to more than " PC_STR(PC_RE_MAX_POSITIONS) " positions (counted repetitions and length), which makes matching slow";
	}
	return NULL;
}

const char *policy_bounds(void)
{
	return
	"bound: policy files: regular files only (a FIFO is refused, never waited on), at most 16 MiB, JSON nesting 128, no \\u0000 in keys or names\n"
	"bound: macros nested at most " PC_STR(PC_MAX_MACRO_DEPTH) " deep, at most " PC_STR(PC_MAX_NODES) " conditions per rule after expansion\n"
	"bound: regex: at most " PC_STR(PC_RE_MAX_LEN) " bytes, " PC_STR(PC_RE_MAX_POSITIONS) " positions after expanding repetitions, counts up to " PC_STR(PC_RE_MAX_REPEAT) ", groups nested " PC_STR(PC_RE_MAX_GROUPS) " deep; no back-references, no stacked quantifiers\n"
	"bound: index keys cut at " PC_STR(PC_MAX_KEY) " bytes (trie memory per eq/prefix value)\n"
	"bound: prefilter: at most " PC_STR(PREMOD_FILTER_MAX_PATHS) " directories (merged into common ancestors beyond)\n";
}
