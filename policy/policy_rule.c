// SPDX-License-Identifier: MIT
/*
 * policy_rule.c - what the daemon reads off a matched rule: attributes,
 * the rendered message, names of severities and outputs; diagnostics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "policy_int.h"

static const char *const severity_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int policy_severity_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = LOG_EMERG; i <= LOG_DEBUG; i++)
		if (!strcmp(name, severity_names[i]))
			return i;
	/* The spellings people type from other tools. */
	if (!strcmp(name, "error"))
		return LOG_ERR;
	if (!strcmp(name, "warn"))
		return LOG_WARNING;
	return -1;
}

const char *policy_severity_name(int severity)
{
	if (severity < LOG_EMERG || severity > LOG_DEBUG)
		return NULL;
	return severity_names[severity];
}

const char *policy_output_name(enum policy_output out)
{
	switch (out) {
	case POLICY_OUT_JOURNAL: return "journal";
	case POLICY_OUT_JOURNALD: return "journald";
	case POLICY_OUT_SYSLOG: return "syslog";
	case POLICY_OUT_STDOUT: return "stdout";
	case POLICY_OUT_ALERTS: return "alerts";
	default: return NULL;
	}
}

size_t policy_rule_count(const struct policy *p)
{
	return p->nrules;
}

bool policy_uses_field(const struct policy *p, enum pm_field f)
{
	return (unsigned int)f < PM_F_COUNT && (p->fields >> f & 1);
}

const struct policy_rule *policy_rule_at(const struct policy *p, size_t i)
{
	return i < p->nrules ? p->rules[i] : NULL;
}

const char *policy_rule_id(const struct policy_rule *r) { return r->id; }
const char *policy_rule_description(const struct policy_rule *r) { return r->description; }
int policy_rule_severity(const struct policy_rule *r) { return r->severity; }
size_t policy_rule_tag_count(const struct policy_rule *r) { return r->ntags; }
unsigned int policy_rule_outputs(const struct policy_rule *r) { return r->outputs; }
size_t policy_rule_index(const struct policy_rule *r) { return r->index; }
bool policy_rule_enabled(const struct policy_rule *r) { return r->enabled; }

const char *policy_rule_tag(const struct policy_rule *r, size_t i)
{
	return i < r->ntags ? r->tags[i] : NULL;
}

const struct policy_rate_limit *policy_rule_rate_limit(const struct policy_rule *r)
{
	return r->rl.key == POLICY_RL_NONE ? NULL : &r->rl;
}

void policy_rule_location(const struct policy_rule *r, const char **file,
			  int *line, int *column)
{
	*file = r->file;
	*line = r->line;
	*column = r->col;
}

static void put(char *buf, size_t len, size_t *o, const char *s, size_t n)
{
	if (*o < len) {
		size_t room = len - 1 - *o;

		memcpy(buf + *o, s, n < room ? n : room);
	}
	*o += n;
}

size_t policy_rule_render(const struct policy_rule *r,
			  const struct pm_event *ev, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < r->nmsg; i++) {
		const struct tmpl_seg *s = &r->msg[i];
		char tmp[32];
		const char *v;
		int f = s->field;

		if (f < 0) {
			put(buf, len, &o, s->lit, s->len);
			continue;
		}
		if (!pm_event_has(ev, f)) {
			v = "?";
		} else if (f >= PM_F_NUM_COUNT) {
			v = ev->str[f - PM_F_NUM_COUNT];
			if (!v)
				v = "?";
		} else if (pm_fields[f].kind == PM_KIND_OP &&
			   pm_op_name((unsigned int)ev->num[f])) {
			v = pm_op_name((unsigned int)ev->num[f]);
		} else if (pm_fields[f].kind == PM_KIND_MODE) {
			/* Permission bits, as chmod(1) takes them; the record
			 * carries the full value with the file type. */
			snprintf(tmp, sizeof(tmp), "%04" PRIo64, ev->num[f] & 07777);
			v = tmp;
		} else {
			snprintf(tmp, sizeof(tmp), "%" PRIu64, ev->num[f]);
			v = tmp;
		}
		put(buf, len, &o, v, strlen(v));
	}
	if (len)
		buf[o < len ? o : len - 1] = 0;
	return o;
}

void policy_diags_free(struct policy_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].rule);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

void policy_diags_print(const struct policy_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct policy_diag *g = &d->v[i];

		if (g->line > 0)
			fprintf(out, "%s:%d:%d: ", g->file, g->line, g->column);
		else
			fprintf(out, "%s: ", g->file);
		if (g->warning)
			fprintf(out, "warning: ");
		if (g->rule)
			fprintf(out, "rule %s: ", g->rule);
		fprintf(out, "%s\n", g->msg);
	}
}

size_t policy_diags_errors(const struct policy_diags *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += !d->v[i].warning;
	return n;
}

size_t policy_note_count(const struct policy *p)
{
	return p->nnotes;
}

const char *policy_note_at(const struct policy *p, size_t i)
{
	return i < p->nnotes ? p->notes[i] : NULL;
}
