// SPDX-License-Identifier: MIT
/*
 * config.c - premodd.json parsing with positions. See config.h.
 *
 * The document is parsed by json_pos (policy/) so every key and value
 * knows its line and column; the walk below is driven by one table per
 * object, so an unknown key is caught the same way everywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "json_pos.h"

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "auth", LOG_AUTH },	  { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON },	  { "daemon", LOG_DAEMON },
	{ "ftp", LOG_FTP },	  { "kern", LOG_KERN },
	{ "lpr", LOG_LPR },	  { "mail", LOG_MAIL },
	{ "news", LOG_NEWS },	  { "syslog", LOG_SYSLOG },
	{ "user", LOG_USER },	  { "uucp", LOG_UUCP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int config_facility_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(facilities[i].name, name))
			return facilities[i].value;
	return -1;
}

const char *config_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == facility)
			return facilities[i].name;
	return NULL;
}

int config_set_str(char **slot, const char *value)
{
	char *s = NULL;

	if (value && *value) {
		s = strdup(value);
		if (!s)
			return -ENOMEM;
	}
	free(*slot);
	*slot = s;
	return 0;
}

int config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->queue_size = 65536;
	c->sink_queue_size = 16384;
	c->receive_buffer = 64 << 20;
	c->journal.enabled = true;
	c->journal.sync = JOURNAL_SYNC_INTERVAL;
	c->journal.interval_ms = 1000;
	c->journald.enabled = true;
	c->syslog.enabled = true;
	c->syslog.facility = LOG_AUTHPRIV;
	c->out.enabled = false;
	c->out.format = STDOUT_FORMAT_JSON;
	c->syslog.format = SYSLOG_FORMAT_BSD;
	c->alerts.enabled = true;
	c->stats.interval_ms = 5000;
	if (config_set_str(&c->policy_dir, "/etc/premod/policy.d") ||
	    config_set_str(&c->journal.path,
			   "/var/log/premod/changes.jsonl") ||
	    config_set_str(&c->syslog.socket, SYSLOG_SOCKET_DEFAULT) ||
	    config_set_str(&c->syslog.sd_id, SYSLOG_SD_ID_DEFAULT) ||
	    config_set_str(&c->stats.file, "/run/premod/premodd.stats.json") ||
	    config_set_str(&c->stats.prometheus,
			   "/run/premod/premodd.prom")) {
		config_free(c);
		return -ENOMEM;
	}
	return 0;
}

void config_free(struct config *c)
{
	free(c->policy_dir);
	free(c->host);
	free(c->journal.path);
	free(c->syslog.socket);
	free(c->syslog.sd_id);
	free(c->stats.file);
	free(c->stats.prometheus);
	memset(c, 0, sizeof(*c));
}

/* What the walk knows while it reports. */
struct walk {
	struct config *c;
	const char *name;
	FILE *err;
	int errors;
	const char *path;	/* dotted key path of the object walked */
};

static void report(struct walk *w, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct walk *w, int line, int col, const char *fmt, ...)
{
	va_list ap;

	fprintf(w->err, "%s:%d:%d: ", w->name, line, col);
	va_start(ap, fmt);
	vfprintf(w->err, fmt, ap);
	va_end(ap);
	fputc('\n', w->err);
	w->errors++;
}

enum key_type { K_BOOL, K_STR, K_STR_NULL, K_UINT, K_SIZE, K_OBJ, K_ENUM,
		K_FACILITY };

struct key;
typedef void (*obj_fn)(struct walk *w, const struct jp_value *v);

struct key {
	const char *name;
	enum key_type type;
	size_t off;		/* into struct config */
	uint64_t min, max;	/* K_UINT */
	const char *const *choices;	/* K_ENUM, NULL-terminated */
	obj_fn obj;		/* K_OBJ */
};

#define OFF(f) offsetof(struct config, f)

static void walk_object(struct walk *w, const struct jp_value *v,
			const struct key *keys, const char *path);

static void set_str(struct walk *w, const struct jp_member *m, char **slot)
{
	if (config_set_str(slot, m->val->str.s) < 0)
		report(w, m->val->line, m->val->col, "out of memory");
}

static const char *qual(const char *path, const char *key, char *buf,
			size_t len)
{
	if (*path)
		snprintf(buf, len, "%s.%s", path, key);
	else
		snprintf(buf, len, "%s", key);
	return buf;
}

static void walk_key(struct walk *w, const struct jp_member *m,
		     const struct key *k, const char *path)
{
	const struct jp_value *v = m->val;
	char *base = (char *)w->c;
	char qn[128];
	size_t i;

	qual(path, k->name, qn, sizeof(qn));
	switch (k->type) {
	case K_BOOL:
		if (v->type != JP_BOOL) {
			report(w, v->line, v->col,
			       "\"%s\" must be true or false, not %s", qn,
			       jp_type_name(v->type));
			return;
		}
		*(bool *)(base + k->off) = v->b;
		return;
	case K_STR_NULL:
		if (v->type == JP_NULL) {
			config_set_str((char **)(base + k->off), NULL);
			return;
		}
		/* fall through */
	case K_STR:
		if (v->type != JP_STR) {
			report(w, v->line, v->col,
			       "\"%s\" must be a string%s, not %s", qn,
			       k->type == K_STR_NULL ? " or null" : "",
			       jp_type_name(v->type));
			return;
		}
		if (strlen(v->str.s) != v->str.len) {
			report(w, v->line, v->col,
			       "\"%s\" must not contain NUL characters", qn);
			return;
		}
		if (k->type == K_STR && !*v->str.s) {
			report(w, v->line, v->col, "\"%s\" must not be empty",
			       qn);
			return;
		}
		set_str(w, m, (char **)(base + k->off));
		return;
	case K_UINT:
	case K_SIZE:
		if (v->type != JP_NUM || !v->num.is_int || v->num.neg ||
		    !v->num.fits || v->num.u < k->min || v->num.u > k->max) {
			report(w, v->line, v->col,
			       "\"%s\" must be an integer from %llu to %llu",
			       qn, (unsigned long long)k->min,
			       (unsigned long long)k->max);
			return;
		}
		if (k->type == K_SIZE)
			*(size_t *)(base + k->off) = (size_t)v->num.u;
		else
			*(unsigned int *)(base + k->off) =
				(unsigned int)v->num.u;
		return;
	case K_FACILITY: {
		int f = jp_name(v) ? config_facility_lookup(v->str.s) : -1;

		if (f < 0) {
			report(w, v->line, v->col,
			       "\"%s\" must be a syslog facility name (auth, "
			       "authpriv, cron, daemon, local0..local7, user, "
			       "...)", qn);
			return;
		}
		*(int *)(base + k->off) = f;
		return;
	}
	case K_ENUM:
		if (jp_name(v)) {
			for (i = 0; k->choices[i]; i++) {
				if (!strcmp(k->choices[i], v->str.s)) {
					*(int *)(base + k->off) = (int)i;
					return;
				}
			}
		}
		{
			char list[256] = "";

			for (i = 0; k->choices[i]; i++) {
				strncat(list, i ? ", " : "",
					sizeof(list) - strlen(list) - 1);
				strncat(list, k->choices[i],
					sizeof(list) - strlen(list) - 1);
			}
			report(w, v->line, v->col,
			       "\"%s\" must be one of: %s", qn, list);
		}
		return;
	case K_OBJ:
		if (v->type != JP_OBJ) {
			report(w, v->line, v->col,
			       "\"%s\" must be an object, not %s", qn,
			       jp_type_name(v->type));
			return;
		}
		k->obj(w, v);
		return;
	}
}

static void walk_object(struct walk *w, const struct jp_value *v,
			const struct key *keys, const char *path)
{
	size_t i, j;

	for (i = 0; i < v->obj.n; i++) {
		const struct jp_member *m = &v->obj.v[i];
		char qn[128];

		for (j = 0; keys[j].name; j++)
			if (!strcmp(keys[j].name, m->key))
				break;
		if (!keys[j].name) {
			char known[256] = "";

			for (j = 0; keys[j].name; j++) {
				strncat(known, j ? ", " : "",
					sizeof(known) - strlen(known) - 1);
				strncat(known, keys[j].name,
					sizeof(known) - strlen(known) - 1);
			}
			report(w, m->line, m->col,
			       "unknown key \"%s\" (known here: %s)",
			       qual(path, m->key, qn, sizeof(qn)), known);
			continue;
		}
		walk_key(w, m, &keys[j], path);
	}
}

static const char *const syslog_format_choices[] = { "bsd", "rfc5424",
						     NULL };

static void walk_syslog(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "enabled", K_BOOL, OFF(syslog.enabled) },
		{ "facility", K_FACILITY, OFF(syslog.facility) },
		{ "format", K_ENUM, OFF(syslog.format), 0, 0,
		  syslog_format_choices },
		{ "socket", K_STR, OFF(syslog.socket) },
		{ "sd_id", K_STR, OFF(syslog.sd_id) },
		{ NULL },
	};

	_Static_assert(SYSLOG_FORMAT_BSD == 0 && SYSLOG_FORMAT_RFC5424 == 1,
		       "syslog_format_choices follows the enum");
	walk_object(w, v, keys, "sinks.syslog");
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jp_member *m = &v->obj.v[i];

		if (!strcmp(m->key, "sd_id") && m->val->type == JP_STR &&
		    !sink_syslog_sd_id_valid(m->val->str.s))
			report(w, m->val->line, m->val->col,
			       "\"sinks.syslog.sd_id\" must be an RFC 5424 "
			       "SD-ID name@number (at most 32 printable "
			       "characters, none of '=', ']', '\"', space), "
			       "not \"%s\"", m->val->str.s);
		if (!strcmp(m->key, "socket") && m->val->type == JP_STR &&
		    m->val->str.len >= 108)
			report(w, m->val->line, m->val->col,
			       "\"sinks.syslog.socket\" must be shorter than "
			       "108 bytes (a unix socket path)");
	}
}

static const char *const sync_choices[] = { "none", "interval",
					     "every-record",
					     NULL };
static const char *const format_choices[] = { "text", "json", "ecs", NULL };
static const char *const journal_format_choices[] = { "json", "ecs", NULL };

static void walk_journal(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "enabled", K_BOOL, OFF(journal.enabled) },
		{ "path", K_STR, OFF(journal.path) },
		{ "sync", K_ENUM, OFF(journal.sync), 0, 0, sync_choices },
		{ "interval_ms", K_UINT, OFF(journal.interval_ms), 1,
		  3600000 },
		{ "format", K_ENUM, OFF(journal.ecs), 0, 0,
		  journal_format_choices },
		{ NULL },
	};

	_Static_assert(JOURNAL_SYNC_NONE == 0 && JOURNAL_SYNC_INTERVAL == 1 &&
			       JOURNAL_SYNC_EVERY == 2,
		       "sync_choices follows the enum");
	walk_object(w, v, keys, "sinks.journal");
}

static void walk_journald(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "enabled", K_BOOL, OFF(journald.enabled) },
		{ NULL },
	};

	walk_object(w, v, keys, "sinks.journald");
}

static void walk_stdout(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "enabled", K_BOOL, OFF(out.enabled) },
		{ "format", K_ENUM, OFF(out.format), 0, 0, format_choices },
		{ NULL },
	};

	_Static_assert(STDOUT_FORMAT_TEXT == 0 && STDOUT_FORMAT_JSON == 1 &&
			       STDOUT_FORMAT_ECS == 2,
		       "format_choices follows the enum");

	walk_object(w, v, keys, "sinks.stdout");
}

static void walk_alerts(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "enabled", K_BOOL, OFF(alerts.enabled) },
		{ NULL },
	};

	walk_object(w, v, keys, "sinks.alerts");
}

static void walk_sinks(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "journal", K_OBJ, 0, 0, 0, NULL, walk_journal },
		{ "journald", K_OBJ, 0, 0, 0, NULL, walk_journald },
		{ "syslog", K_OBJ, 0, 0, 0, NULL, walk_syslog },
		{ "stdout", K_OBJ, 0, 0, 0, NULL, walk_stdout },
		{ "alerts", K_OBJ, 0, 0, 0, NULL, walk_alerts },
		{ NULL },
	};

	walk_object(w, v, keys, "sinks");
}

static void walk_stats(struct walk *w, const struct jp_value *v)
{
	static const struct key keys[] = {
		{ "file", K_STR_NULL, OFF(stats.file) },
		{ "prometheus", K_STR_NULL, OFF(stats.prometheus) },
		{ "interval_ms", K_UINT, OFF(stats.interval_ms), 100,
		  3600000 },
		{ NULL },
	};

	walk_object(w, v, keys, "stats");
}

static const struct key top_keys[] = {
	{ "policy_dir", K_STR, OFF(policy_dir) },
	{ "host", K_STR_NULL, OFF(host) },
	{ "queue_size", K_SIZE, OFF(queue_size), 16, (uint64_t)1 << 32 },
	{ "sink_queue_size", K_SIZE, OFF(sink_queue_size), 16,
	  (uint64_t)1 << 32 },
	{ "receive_buffer", K_UINT, OFF(receive_buffer), 65536, INT_MAX / 2 },
	{ "sinks", K_OBJ, 0, 0, 0, NULL, walk_sinks },
	{ "stats", K_OBJ, 0, 0, 0, NULL, walk_stats },
	{ NULL },
};

int config_load_buffer(struct config *c, const char *name, const char *text,
		       size_t len, FILE *err)
{
	struct walk w = { .c = c, .name = name, .err = err };
	struct jp_error jerr;
	struct jp_doc *doc;
	const struct jp_value *root;
	int ret;

	ret = jp_parse(text, len, NULL, &doc, &jerr);
	if (ret < 0) {
		if (ret == -ENOMEM) {
			fprintf(err, "%s: out of memory\n", name);
			return ret;
		}
		fprintf(err, "%s:%d:%d: %s\n", name, jerr.line, jerr.col,
			jerr.msg);
		return -EINVAL;
	}
	root = jp_root(doc);
	if (root->type != JP_OBJ)
		report(&w, root->line, root->col,
		       "the configuration must be a JSON object, not %s",
		       jp_type_name(root->type));
	else
		walk_object(&w, root, top_keys, "");
	jp_free(doc);
	return w.errors ? -EINVAL : 0;
}

int config_load(struct config *c, const char *path, FILE *err)
{
	struct stat st;
	char *text = NULL;
	size_t off = 0;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is
	 * refused below like every file that is not regular. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			fprintf(err, "%s: cannot open: %s\n", path,
				strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (16 << 20)) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		fprintf(err, "%s: not a regular file of at most 16 MiB\n",
			path);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, text + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			fprintf(err, "%s: cannot read: %s\n", path,
				strerror(-ret));
			goto out;
		}
		off += (size_t)n;
	}
	ret = config_load_buffer(c, path, text, off, err);
out:
	free(text);
	close(fd);
	return ret;
}
