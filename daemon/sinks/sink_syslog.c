// SPDX-License-Identifier: MIT
/*
 * sink_syslog.c - classic syslog: the message, then ` key=value` for every
 * record field, at the record's priority on the configured facility.
 *
 * Values that a key=value parser would split (spaces, quotes, '=',
 * backslashes, control characters, empty) or that are not UTF-8 are
 * double-quoted with C-style escapes; everything else goes out as is, so a
 * plain path stays greppable. Control characters and bytes that are not
 * UTF-8 are escaped in the message too: a newline in a file name must not
 * forge a second log line, and syslog (RFC 5424) carries text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "event_json.h"
#include "sink.h"

struct syslog_sink {
	int facility;
	char *ident;
	char *line;
	size_t cap;
};

static bool needs_quotes(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v);

	if (!n)
		return true;
	while (n) {
		size_t k = pm_utf8_len(p, n);

		if (!k || *p <= ' ' || *p == '"' || *p == '\\' || *p == '=' ||
		    *p == 0x7f)
			return true;
		p += k;
		n -= k;
	}
	return false;
}

/* C-style escapes for what must not appear raw; quote/backslash too
 * when quoted. */
static void put_escaped(struct sink_text *o, const char *s, bool quoted)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t k; n; p += k, n -= k) {
		char e[8];

		k = pm_utf8_len(p, n);
		if (k > 1) {
			sink_text_put(o, (const char *)p, k);
			continue;
		}
		k = 1;
		if (*p == '\n')
			sink_text_put(o, "\\n", 2);
		else if (*p == '\t')
			sink_text_put(o, "\\t", 2);
		else if (*p == '\r')
			sink_text_put(o, "\\r", 2);
		else if (*p < 0x20 || *p >= 0x7f)
			sink_text_put(o, e, (size_t)snprintf(e, sizeof(e), "\\x%02x", *p));
		else if (quoted && (*p == '"' || *p == '\\'))
			sink_text_put(o, (const char[]){ '\\', (char)*p }, 2);
		else
			sink_text_put(o, (const char *)p, 1);
	}
}

size_t sink_syslog_format(const struct record *r, char *buf, size_t len)
{
	struct sink_text o = { .buf = buf, .len = len };

	put_escaped(&o, r->message, false);
	for (size_t i = 0; i < r->n_kv; i++) {
		const struct record_kv *kv = &r->kv[i];
		bool q;

		if (strcmp(kv->key, "message") == 0)
			continue;
		q = needs_quotes(kv->value);
		sink_text_put(&o, " ", 1);
		sink_text_put(&o, kv->key, strlen(kv->key));
		sink_text_put(&o, q ? "=\"" : "=", q ? 2 : 1);
		put_escaped(&o, kv->value, q);
		if (q)
			sink_text_put(&o, "\"", 1);
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

int sink_syslog_open(const struct syslog_config *cfg, void **priv)
{
	struct syslog_sink *sl = calloc(1, sizeof(*sl));
	int facility = cfg && cfg->facility ? cfg->facility : LOG_AUTHPRIV;

	if (!sl)
		return -ENOMEM;
	/* openlog() keeps the pointer: the ident lives as long as the sink. */
	sl->ident = strdup(cfg && cfg->ident ? cfg->ident : "premodd");
	if (!sl->ident) {
		free(sl);
		return -ENOMEM;
	}
	/* openlog() is per process and premodd's own log may call it too:
	 * each record names its facility itself (syslog_write). */
	sl->facility = facility;
	openlog(sl->ident, LOG_PID | LOG_NDELAY, facility);
	*priv = sl;
	return 0;
}

static int syslog_write(struct sink *s, const struct record *r)
{
	struct syslog_sink *sl = s->priv;
	size_t n = sink_syslog_format(r, sl->line, sl->cap);

	if (n >= sl->cap) {
		char *p = realloc(sl->line, n + 1);

		if (!p)
			return -ENOMEM;
		sl->line = p;
		sl->cap = n + 1;
		sink_syslog_format(r, sl->line, sl->cap);
	}
	syslog(sl->facility | LOG_PRI(r->priority), "%s", sl->line);
	return 0;
}

static void syslog_close(struct sink *s)
{
	struct syslog_sink *sl = s->priv;

	if (!sl)
		return;
	closelog();
	free(sl->line);
	free(sl->ident);
	free(sl);
	s->priv = NULL;
}

const struct sink_ops sink_syslog_ops = {
	.name = "syslog",
	.output = POLICY_OUT_SYSLOG,
	.write = syslog_write,
	.close = syslog_close,
};
