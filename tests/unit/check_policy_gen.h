/* SPDX-License-Identifier: MIT */
/*
 * check_policy_gen.h - random policies and events over a small vocabulary
 * (so rules and events collide often), for the property tests of the
 * indexed matcher (check_policy_index.c) and of the prefilter
 * (check_prefilter.c). Deterministic: a caller-owned xorshift state.
 */
#ifndef CHECK_POLICY_GEN_H
#define CHECK_POLICY_GEN_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "premod.h"

static inline uint32_t gen_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

#define PICK(s, arr) (arr[gen_rand(s) % (sizeof(arr) / sizeof(arr[0]))])

static const char *const gen_paths[] = {
	"/etc/shadow", "/etc/passwd", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/x.conf",
	"/etc", "/etcx/y", "/tmp/y", "/usr/bin/ls", "/usr/bin/lz", "/usr/sbin/sshd", "/var/log/syslog",
	"/var/log/apt/history.log", "/tmp/x", "/tmp/xy", "/home/u/.ssh/authorized_keys",
	"/home/v/.ssh/authorized_keys2", "/", "/x", "shadow", "/etc/cron.d/job", "/etc/crontab",
	"/tmp/evil", "/etc/(", "/etc/]x/y", "/etc/|x", "/etc/sh/y",
	"/etc/ssh", "/usr/bin", "/var/log", "/etc/cron.d", "/tmp/x/y",
};
static const char *const gen_prefixes[] = {
	"/etc/", "/etc", "/etc/s", "/etc/ssh/", "/usr/bin/", "/usr/", "/var/log/", "/tmp/x",
	"/home/", "/e", "/", "/etc/cron", "/usr/bin/l", "/var/log/apt/", "/etc/../etc/",
	"/etc//ssh/",
};
static const char *const gen_globs[] = {
	"/etc/*", "/home/*/.ssh/authorized_keys*", "/usr/bin/l?", "/*", "/etc/ssh/*/x.conf",
	"/var/log/[as]*", "/tmp/x*",
	/* bracket expressions: classes, equivalence classes, collating
	 * symbols, ']' first, ranges, negation */
	"/etc/[[:alpha:]]sh*/*", "/etc/[]x]x/*", "/e[[.t.]]c/[![:digit:]]*", "/[[=t=]]mp/[a-z]*",
	"/etc/[!]]*/y",
};
static const char *const gen_regexes[] = {
	"^/etc/", "^/usr/(bin|sbin)/", "sh", "^/var/lo+g/", "^/tmp/x?y", "^/etc/s.*", "d$",
	"^/etc|^/tmp", "^/home/[^/]+/\\\\.ssh/", "^/usr/bin/l{1}s", "^/tmp/(x|y)",
	"^/etc/([|]|ss)h", "^/var/(log)|/tmp",
	"^/etc/[[:alpha:](]|^/tmp/", "^/etc/[]|]x|^/tmp/e", "^/etc/[[=s=]|]h", "^/[[.e.]-t]tc/s",
	"^/etc/[^]|(]x|^/tmp/x", "^/(etc|[[:digit:])])/",
};
static const char *const gen_unders[] = {
	"/etc", "/etc/", "/etc/ssh", "/usr/bin", "/", "/tmp/x", "/var/log", "/etc/shadow",
	"/home", "/e", "/etc/cron.d",
};
static const char *const gen_comms[] = { "vi", "dpkg", "sh", "bash", "cron" };
static const char *const gen_dirs[] = { "/etc", "/etc/ssh", "/usr/bin", "/", "/tmp", "/var/log" };
static const char *const gen_ops[] = {
	"create", "open_write", "unlink", "rename", "chmod", "truncate", "setxattr", "rmdir",
	"link", "mkdir",
};
static const char *const gen_bounded_ops[] = {
	"create", "open_write", "unlink", "rename", "chmod", "truncate", "link",
};
static const char *const gen_modes[] = { "4000", "2000", "0755", "6000", "0022" };

struct gen_buf {
	char *s;
	size_t len, cap;
};

static inline void gen_put(struct gen_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

static inline void gen_test(uint64_t *s, struct gen_buf *b)
{
	switch (gen_rand(s) % 22) {
	case 0: case 1:
		gen_put(b, "{\"field\":\"op\",\"eq\":\"%s\"}", PICK(s, gen_ops));
		break;
	case 2:
		gen_put(b, "{\"field\":\"op\",\"in\":[\"%s\",\"%s\"]}", PICK(s, gen_ops), PICK(s, gen_ops));
		break;
	case 3:
		gen_put(b, "{\"field\":\"op\",\"ne\":\"%s\"}", PICK(s, gen_ops));
		break;
	case 4: {
		const char *p = PICK(s, gen_paths);

		gen_put(b, "{\"field\":\"%s\",\"eq\":\"%s\"}", gen_rand(s) % 4 ? "path" : "path2",
			p[0] == '/' ? p : "/etc/shadow");
		break;
	}
	case 5: case 6:
		gen_put(b, "{\"field\":\"%s\",\"prefix\":\"%s\"}", gen_rand(s) % 4 ? "path" : "path2",
			PICK(s, gen_prefixes));
		break;
	case 7:
		gen_put(b, "{\"field\":\"path\",\"glob\":\"%s\"}", PICK(s, gen_globs));
		break;
	case 8:
		gen_put(b, "{\"field\":\"%s\",\"regex\":\"%s\"}", gen_rand(s) % 4 ? "path" : "path2",
			PICK(s, gen_regexes));
		break;
	case 9: {
		const char *p = PICK(s, gen_paths);

		gen_put(b, "{\"field\":\"path\",\"in\":[\"%s\",\"/etc/passwd\"]}",
			p[0] == '/' ? p : "/tmp/x");
		break;
	}
	case 10:
		gen_put(b, "{\"field\":\"dir\",\"eq\":\"%s\"}", PICK(s, gen_dirs));
		break;
	case 11:
		gen_put(b, "{\"field\":\"comm\",\"in\":[\"%s\",\"%s\"]}", PICK(s, gen_comms), PICK(s, gen_comms));
		break;
	case 12:
		gen_put(b, "{\"field\":\"uid\",\"%s\":%u}", gen_rand(s) % 2 ? "lt" : "eq", gen_rand(s) % 3);
		break;
	case 13:
		gen_put(b, "{\"field\":\"new_mode\",\"%s\":\"%s\"}",
			gen_rand(s) % 2 ? "bits_added" : "bits_set", PICK(s, gen_modes));
		break;
	case 14:
		gen_put(b, "{\"macro\":\"%s\"}", gen_rand(s) % 2 ? "m_etc" : "m_pm");
		break;
	case 16:
		gen_put(b, "{\"field\":\"%s\",\"under\":\"%s\"}",
			gen_rand(s) % 3 ? "path" : gen_rand(s) % 2 ? "path2" : "dir",
			PICK(s, gen_unders));
		break;
	case 17: {
		static const char *const ops[] = { "eq", "prefix", "under", "glob" };
		const char *op = PICK(s, ops);

		gen_put(b, "{\"field\":\"paths\",\"%s\":\"%s\"}", op,
			op[0] == 'e' ? "/etc/passwd" : op[0] == 'p' ? PICK(s, gen_prefixes) :
			op[0] == 'u' ? PICK(s, gen_unders) : PICK(s, gen_globs));
		break;
	}
	case 18:
		gen_put(b, "{\"field\":\"%s\",\"prefix\":[\"%s\",\"%s\"]}",
			gen_rand(s) % 2 ? "path" : "paths", PICK(s, gen_prefixes), PICK(s, gen_prefixes));
		break;
	case 19:
		gen_put(b, "{\"field\":\"%s\",\"%s\":[\"%s\",\"%s\"]}",
			gen_rand(s) % 2 ? "path" : "paths", gen_rand(s) % 2 ? "glob" : "under",
			PICK(s, gen_globs), PICK(s, gen_unders));
		break;
	case 20:
		gen_put(b, "{\"field\":\"%s\",\"%s\":\"%s\"}",
			gen_rand(s) % 2 ? "new_mode" : "mode", gen_rand(s) % 2 ? "bits_any" : "bits_set",
			PICK(s, gen_modes));
		break;
	case 21:
		gen_put(b, "{\"field\":\"open_flags\",\"%s\":[\"O_TRUNC\",\"%s\"]}",
			gen_rand(s) % 2 ? "bits_any" : "bits_set", gen_rand(s) % 2 ? "O_WRONLY" : "O_APPEND");
		break;
	default:
		gen_put(b, "{\"field\":\"path\",\"ne\":\"%s\"}", "/etc/shadow");
		break;
	}
}

static inline void gen_cond(uint64_t *s, struct gen_buf *b, int depth)
{
	uint32_t k = depth > 2 ? 0 : gen_rand(s) % 6;

	if (k <= 2) {
		gen_test(s, b);
	} else if (k == 5) {
		gen_put(b, "{\"not\":");
		gen_cond(s, b, depth + 1);
		gen_put(b, "}");
	} else {
		int n = 1 + (int)(gen_rand(s) % 3);

		gen_put(b, "{\"%s\":[", k == 3 ? "all" : "any");
		for (int i = 0; i < n; i++) {
			if (i)
				gen_put(b, ",");
			gen_cond(s, b, depth + 1);
		}
		gen_put(b, "]}");
	}
}

/* A policy of nrules random rules into buf (NUL-terminated), about
 * bounded_pct percent of them shaped like real, bounded rules. */
static inline void gen_policy(uint64_t *s, char *buf, size_t cap, int nrules,
			      unsigned int bounded_pct)
{
	struct gen_buf b = { buf, 0, cap };

	gen_put(&b, "{\"version\":1,\"lists\":{\"pm\":[\"dpkg\",\"apt\"]},"
		"\"macros\":{\"m_etc\":{\"all\":[{\"field\":\"path\",\"prefix\":\"/etc/\"},"
		"{\"field\":\"op\",\"in\":[\"open_write\",\"rename\"]}]},"
		"\"m_pm\":{\"field\":\"comm\",\"in\":\"@pm\"}},\"rules\":[");
	for (int i = 0; i < nrules; i++) {
		gen_put(&b, "%s{\"id\":\"r%d\",%s\"match\":", i ? "," : "", i,
			gen_rand(s) % 10 ? "" : "\"enabled\":false,");
		if (gen_rand(s) % 100 < bounded_pct) {
			/* the shape real rules have: ops, a path bound, more */
			gen_put(&b, "{\"all\":[{\"field\":\"op\",\"in\":[\"%s\",\"%s\"]},",
				PICK(s, gen_bounded_ops), PICK(s, gen_bounded_ops));
			switch (gen_rand(s) % 6) {
			case 4:
				gen_put(&b, "{\"field\":\"%s\",\"under\":\"%s\"},",
					gen_rand(s) % 2 ? "paths" : "path", PICK(s, gen_unders));
				break;
			case 5:
				gen_put(&b, "{\"field\":\"paths\",\"prefix\":[\"%s\",\"%s\"]},",
					PICK(s, gen_prefixes), PICK(s, gen_prefixes));
				break;
			case 0:
				gen_put(&b, "{\"field\":\"%s\",\"prefix\":\"%s\"},",
					gen_rand(s) % 3 ? "path" : "path2", PICK(s, gen_prefixes));
				break;
			case 1:
				gen_put(&b, "{\"field\":\"path\",\"glob\":\"%s\"},", PICK(s, gen_globs));
				break;
			case 2:
				gen_put(&b, "{\"field\":\"path2\",\"regex\":\"%s\"},", PICK(s, gen_regexes));
				break;
			default:
				gen_put(&b, "{\"field\":\"dir\",\"eq\":\"%s\"},", PICK(s, gen_dirs));
				break;
			}
			gen_cond(s, &b, 1);
			gen_put(&b, "]}");
		} else {
			gen_cond(s, &b, 0);
		}
		if (gen_rand(s) % 4 == 0) {
			gen_put(&b, ",\"except\":[");
			gen_cond(s, &b, 1);
			gen_put(&b, "]");
		}
		gen_put(&b, "}");
	}
	gen_put(&b, "]}");
}

struct gen_event {
	struct pm_event ev;
	char dir[4200];
};

static inline void gen_event(uint64_t *s, struct gen_event *g)
{
	uint32_t r = gen_rand(s) % 20;

	memset(&g->ev, 0, sizeof(g->ev));
	if (r == 0)
		;			/* no op at all */
	else if (r == 1)
		pm_event_set_num(&g->ev, PM_F_OP, 40);	/* unknown op */
	else
		pm_event_set_num(&g->ev, PM_F_OP, 1 + gen_rand(s) % PREMOD_OP_MAX);
	if (gen_rand(s) % 10)
		pm_event_set_str(&g->ev, PM_F_PATH, PICK(s, gen_paths));
	if (gen_rand(s) % 3 == 0)
		pm_event_set_str(&g->ev, PM_F_PATH2, PICK(s, gen_paths));
	if (gen_rand(s) % 5)
		pm_event_set_str(&g->ev, PM_F_COMM, PICK(s, gen_comms));
	pm_event_set_num(&g->ev, PM_F_UID, gen_rand(s) % 3);
	if (gen_rand(s) % 3 == 0) {
		pm_event_set_num(&g->ev, PM_F_OLD_MODE, 0100000 | (gen_rand(s) % 07777));
		pm_event_set_num(&g->ev, PM_F_NEW_MODE, 0100000 | (gen_rand(s) % 07777));
	}
	if (gen_rand(s) % 3 == 0)
		pm_event_set_num(&g->ev, PM_F_MODE, 0100000 | (gen_rand(s) % 07777));
	if (gen_rand(s) % 3 == 0)
		pm_event_set_num(&g->ev, PM_F_OPEN_FLAGS, gen_rand(s) % 4096);
	pm_event_derive(&g->ev, g->dir, sizeof(g->dir));
}

#endif /* CHECK_POLICY_GEN_H */
