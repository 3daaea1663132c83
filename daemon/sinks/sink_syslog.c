// SPDX-License-Identifier: MIT
/*
 * sink_syslog.c - syslog, in one of two forms (daemon/RECORDS.md):
 *
 * "bsd" (the default): syslog(3), the message, then ` key=value` for every
 * record field, at the record's priority on the configured facility.
 * Values that a key=value parser would split (spaces, quotes, '=',
 * backslashes, control characters, empty) or that are not UTF-8 are
 * double-quoted with C-style escapes; everything else goes out as is, so a
 * plain path stays greppable. Control characters and bytes that are not
 * UTF-8 are escaped in the message too: a newline in a file name must not
 * forge a second log line.
 *
 * "rfc5424": an RFC 5424 message of our own on a unix datagram socket,
 * the fields as the PARAMs of one SD-ELEMENT, so a collector (rsyslog's
 * mmpstrucdata) gets them without parsing text. PARAM-VALUEs must be
 * UTF-8 and escape only '"', '\\' and ']': a value that is not UTF-8 or
 * holds control characters gets U+FFFD for each such byte and a twin
 * <key>_hex with the exact bytes, as the JSON form does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "event_json.h"
#include "sink.h"

struct syslog_sink {
	int facility;
	enum syslog_format format;
	char *ident;
	char *socket;		/* rfc5424 */
	char *sd_id;
	int fd;			/* rfc5424: -1 until connected */
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

/* RFC 5424 section 6: PRINTUSASCII, and for an SD-NAME no '=', ' ', ']',
 * '"'. */
static bool sd_name_valid(const char *s, size_t n)
{
	if (!n || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == '=' || s[i] == ']' ||
		    s[i] == '"')
			return false;
	return true;
}

bool sink_syslog_sd_id_valid(const char *s)
{
	const char *at = strchr(s, '@');

	/* Names without '@' are IANA's; ours is name@<private enterprise
	 * number>, the number digits and dots. */
	if (!at)
		return false;
	if (!sd_name_valid(s, strlen(s)) || at == s || !at[1])
		return false;
	for (const char *p = at + 1; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return false;
	return true;
}

/* PRINTUSASCII, 1..max bytes: a header field, or "-" (the NILVALUE). */
static void put_header_field(struct sink_text *o, const char *v, size_t max)
{
	size_t n = v ? strlen(v) : 0;
	bool ok = n && n <= max;

	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] >= 33 && v[i] <= 126;
	if (ok)
		sink_text_put(o, v, n);
	else
		sink_text_put(o, "-", 1);
}

/* Whether a value can be a PARAM-VALUE as it is: UTF-8, no controls. */
static bool sd_value_clean(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v);

	while (n) {
		size_t k = pm_utf8_len(p, n);

		if (!k || (k == 1 && (*p < 0x20 || *p == 0x7f)))
			return false;
		p += k;
		n -= k;
	}
	return true;
}

static void put_sd_value(struct sink_text *o, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v);

	for (size_t k; n; p += k, n -= k) {
		k = pm_utf8_len(p, n);
		if (k > 1) {
			sink_text_put(o, (const char *)p, k);
			continue;
		}
		k = 1;
		if (*p == '"' || *p == '\\' || *p == ']')
			sink_text_put(o, (const char[]){ '\\', (char)*p }, 2);
		else if (*p < 0x20 || *p >= 0x7f)
			sink_text_put(o, "\xEF\xBF\xBD", 3);
		else
			sink_text_put(o, (const char *)p, 1);
	}
}

static void put_sd_param(struct sink_text *o, const char *key,
			 const char *suffix, const char *v, bool hex)
{
	static const char hexdig[] = "0123456789abcdef";

	sink_text_put(o, " ", 1);
	sink_text_put(o, key, strlen(key));
	sink_text_put(o, suffix, strlen(suffix));
	sink_text_put(o, "=\"", 2);
	if (!hex) {
		put_sd_value(o, v);
	} else {
		for (const unsigned char *p = (const unsigned char *)v; *p; p++)
			sink_text_put(o, (const char[]){ hexdig[*p >> 4],
							 hexdig[*p & 15] }, 2);
	}
	sink_text_put(o, "\"", 1);
}

static const char *kv_value(const struct record *r, const char *key)
{
	for (size_t i = 0; i < r->n_kv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}

static const char *const msgid[] = {
	[RECORD_MATCH] = "match",
	[RECORD_LOST] = "lost",
	[RECORD_SUPPRESSED] = "suppressed",
	[RECORD_CONFIG] = "config",
};
_Static_assert(sizeof(msgid) / sizeof(msgid[0]) == RECORD_CONFIG + 1,
	       "msgid: every record kind needs its MSGID");

size_t sink_syslog_format_5424(const struct record *r, int facility,
			       const char *app, long procid,
			       const char *sd_id, char *buf, size_t len)
{
	struct sink_text o = { .buf = buf, .len = len };
	const char *time = kv_value(r, "time");
	char head[64];

	sink_text_put(&o, head, (size_t)snprintf(head, sizeof(head), "<%d>1 ",
			(facility & LOG_FACMASK) | LOG_PRI(r->priority)));
	/* TIME-SECFRAC has at most 6 digits: the exact time is in the SD. */
	if (time && strlen(time) == 30 && time[19] == '.' && time[29] == 'Z') {
		sink_text_put(&o, time, 26);
		sink_text_put(&o, "Z", 1);
	} else {
		put_header_field(&o, time, 64);
	}
	sink_text_put(&o, " ", 1);
	put_header_field(&o, kv_value(r, "host"), 255);
	sink_text_put(&o, " ", 1);
	put_header_field(&o, app, 48);
	sink_text_put(&o, head, (size_t)snprintf(head, sizeof(head), " %ld ",
						 procid));
	put_header_field(&o, msgid[r->kind], 32);
	sink_text_put(&o, " [", 2);
	sink_text_put(&o, sd_id, strlen(sd_id));
	for (size_t i = 0; i < r->n_kv; i++) {
		const struct record_kv *kv = &r->kv[i];

		if (strcmp(kv->key, "message") == 0 ||
		    !sd_name_valid(kv->key, strlen(kv->key)))
			continue;
		put_sd_param(&o, kv->key, "", kv->value, false);
		if (!sd_value_clean(kv->value) && strlen(kv->key) + 4 <= 32)
			put_sd_param(&o, kv->key, "_hex", kv->value, true);
	}
	sink_text_put(&o, "] ", 2);
	put_escaped(&o, r->message, false);
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
	sl->fd = -1;
	sl->format = cfg ? cfg->format : SYSLOG_FORMAT_BSD;
	/* openlog() keeps the pointer: the ident lives as long as the sink. */
	sl->ident = strdup(cfg && cfg->ident ? cfg->ident : "premodd");
	sl->socket = strdup(cfg && cfg->socket ? cfg->socket :
			    SYSLOG_SOCKET_DEFAULT);
	sl->sd_id = strdup(cfg && cfg->sd_id ? cfg->sd_id :
			   SYSLOG_SD_ID_DEFAULT);
	if (!sl->ident || !sl->socket || !sl->sd_id) {
		free(sl->ident);
		free(sl->socket);
		free(sl->sd_id);
		free(sl);
		return -ENOMEM;
	}
	if (!sink_syslog_sd_id_valid(sl->sd_id) ||
	    strlen(sl->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		free(sl->ident);
		free(sl->socket);
		free(sl->sd_id);
		free(sl);
		return -EINVAL;
	}
	sl->facility = facility;
	/* openlog() is per process and premodd's own log may call it too:
	 * each record names its facility itself (syslog_write). */
	if (sl->format == SYSLOG_FORMAT_BSD)
		openlog(sl->ident, LOG_PID | LOG_NDELAY, facility);
	*priv = sl;
	return 0;
}

/* The socket is connected on first use and again after the syslog daemon
 * went away (restarted): a record it cannot take is a failed record. */
static int sl_connect(struct syslog_sink *sl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (sl->fd >= 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, sl->socket, strlen(sl->socket) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	sl->fd = fd;
	return 0;
}

static int send_5424(struct syslog_sink *sl, const char *msg, size_t n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = sl_connect(sl);

		if (rc < 0)
			return rc;
		if (send(sl->fd, msg, n, MSG_NOSIGNAL) == (ssize_t)n)
			return 0;
		rc = -errno;
		if (rc == -EINTR) {
			attempt--;
			continue;
		}
		/* The daemon restarted: a fresh socket, once. */
		close(sl->fd);
		sl->fd = -1;
		if (rc != -ECONNREFUSED && rc != -ENOTCONN && rc != -EPIPE &&
		    rc != -ENOENT)
			return rc;
		if (attempt)
			return rc;
	}
	return -ECONNREFUSED;
}

static size_t format_line(struct syslog_sink *sl, const struct record *r,
			  char *buf, size_t len)
{
	if (sl->format == SYSLOG_FORMAT_RFC5424)
		return sink_syslog_format_5424(r, sl->facility, sl->ident,
					       (long)getpid(), sl->sd_id,
					       buf, len);
	return sink_syslog_format(r, buf, len);
}

static int syslog_write(struct sink *s, const struct record *r)
{
	struct syslog_sink *sl = s->priv;
	size_t n = format_line(sl, r, sl->line, sl->cap);

	if (n >= sl->cap) {
		char *p = realloc(sl->line, n + 1);

		if (!p)
			return -ENOMEM;
		sl->line = p;
		sl->cap = n + 1;
		format_line(sl, r, sl->line, sl->cap);
	}
	if (sl->format == SYSLOG_FORMAT_RFC5424)
		return send_5424(sl, sl->line, n);
	syslog(sl->facility | LOG_PRI(r->priority), "%s", sl->line);
	return 0;
}

static void syslog_close(struct sink *s)
{
	struct syslog_sink *sl = s->priv;

	if (!sl)
		return;
	if (sl->format == SYSLOG_FORMAT_BSD)
		closelog();
	if (sl->fd >= 0)
		close(sl->fd);
	free(sl->line);
	free(sl->ident);
	free(sl->socket);
	free(sl->sd_id);
	free(sl);
	s->priv = NULL;
}

const struct sink_ops sink_syslog_ops = {
	.name = "syslog",
	.output = POLICY_OUT_SYSLOG,
	.write = syslog_write,
	.close = syslog_close,
};
