// SPDX-License-Identifier: MIT
/*
 * exe_cache.c - direct-mapped cache of /proc/<tgid>/exe. See exe_cache.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exe_cache.h"

struct exe_entry {
	uint32_t tgid;		/* 0: empty */
	bool present;		/* false: known to be unreadable */
	uint64_t resolved_ns;
	char comm[16];
	char *exe;
};

struct exe_cache {
	struct exe_entry *v;
	unsigned int mask;
	uint64_t ttl_ns;
	char proc[64];
};

struct exe_cache *exe_cache_new(unsigned int slots, uint64_t ttl_ns)
{
	struct exe_cache *c = calloc(1, sizeof(*c));
	unsigned int n = 1;

	if (!c)
		return NULL;
	while (n < slots && n < (1U << 20))
		n <<= 1;
	c->v = calloc(n, sizeof(*c->v));
	if (!c->v) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->ttl_ns = ttl_ns ? ttl_ns : 1000000000ULL;
	strcpy(c->proc, "/proc");
	return c;
}

void exe_cache_free(struct exe_cache *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; i <= c->mask; i++)
		free(c->v[i].exe);
	free(c->v);
	free(c);
}

void exe_cache_set_proc_root(struct exe_cache *c, const char *root)
{
	snprintf(c->proc, sizeof(c->proc), "%s", root);
}

static unsigned int slot(const struct exe_cache *c, uint32_t tgid)
{
	return (tgid * 2654435761U) & c->mask;
}

const char *exe_cache_get(struct exe_cache *c, uint32_t tgid,
			  const char *comm, uint64_t now_ns, uint64_t *lookups)
{
	struct exe_entry *e = &c->v[slot(c, tgid)];
	char link[96], buf[PATH_MAX];
	ssize_t n;

	if (!tgid)
		return NULL;
	if (e->tgid == tgid && now_ns - e->resolved_ns < c->ttl_ns &&
	    (!comm || !strncmp(e->comm, comm, sizeof(e->comm) - 1)))
		return e->present ? e->exe : NULL;

	snprintf(link, sizeof(link), "%s/%u/exe", c->proc, tgid);
	if (lookups)
		(*lookups)++;
	n = readlink(link, buf, sizeof(buf) - 1);
	e->tgid = tgid;
	e->resolved_ns = now_ns;
	snprintf(e->comm, sizeof(e->comm), "%s", comm ? comm : "");
	if (n < 0) {
		e->present = false;
		return NULL;
	}
	buf[n] = '\0';
	if (!e->exe || strcmp(e->exe, buf)) {
		char *s = strdup(buf);

		if (!s) {
			e->present = false;
			return NULL;
		}
		free(e->exe);
		e->exe = s;
	}
	e->present = true;
	return e->exe;
}
