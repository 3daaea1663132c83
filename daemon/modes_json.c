// SPDX-License-Identifier: MIT
/*
 * modes_json.c - `premodd --check DIR --json`: the result of a check as one
 * JSON object, for CI and editors. See modes.h.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "kconn.h"
#include "modes.h"
#include "premod.h"

static json_t *diag_json(const struct policy_diag *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(g->file));
	json_object_set_new(o, "line", json_integer(g->line));
	json_object_set_new(o, "column", json_integer(g->column));
	json_object_set_new(o, "rule", g->rule ? json_string(g->rule) : json_null());
	json_object_set_new(o, "message", json_string(g->msg));
	return o;
}

static json_t *prefilter_json(const struct policy_prefilter *pf)
{
	json_t *o = json_object(), *ops = json_array(), *inc;

	for (unsigned int op = 1; op <= PREMOD_OP_MAX; op++)
		if (pf->ops & (1U << op))
			json_array_append_new(ops, json_string(pm_op_name(op)));
	json_object_set_new(o, "ops", ops);
	json_object_set_new(o, "everywhere", json_boolean(pf->include_all));
	inc = json_array();
	for (size_t i = 0; i < pf->n_include; i++)
		json_array_append_new(inc, json_string(pf->include[i]));
	json_object_set_new(o, "include", inc);
	json_object_set_new(o, "unbounded_rule", pf->unbounded_rule ?
			    json_string(pf->unbounded_rule) : json_null());
	return o;
}

int modes_check_json(const char *policy_path, FILE *out)
{
	struct policy_diags diags = { 0 };
	struct policy *p = NULL;
	json_t *root = json_object(), *errs = json_array(), *warns = json_array();
	int ret = policy_load(policy_path, &p, &diags), status;

	for (size_t i = 0; i < diags.n; i++)
		json_array_append_new(diags.v[i].warning ? warns : errs,
				      diag_json(&diags.v[i]));
	if (ret < 0 && !diags.n) {
		struct policy_diag g = { .file = (char *)policy_path,
					 .msg = strerror(-ret) };

		json_array_append_new(errs, diag_json(&g));
	}
	json_object_set_new(root, "policy", json_string(policy_path));
	json_object_set_new(root, "valid", json_boolean(ret == 0));
	json_object_set_new(root, "errors", errs);
	json_object_set_new(root, "warnings", warns);
	if (p) {
		json_t *rules = json_array(), *notes = json_array();
		struct policy_prefilter pf;

		for (size_t i = 0; i < policy_rule_count(p); i++) {
			const struct policy_rule *r = policy_rule_at(p, i);
			json_t *o = json_object();
			const char *file;
			int line, col;

			policy_rule_location(r, &file, &line, &col);
			json_object_set_new(o, "id", json_string(policy_rule_id(r)));
			json_object_set_new(o, "severity", json_string(
				policy_severity_name(policy_rule_severity(r))));
			json_object_set_new(o, "enabled", json_boolean(policy_rule_enabled(r)));
			json_object_set_new(o, "file", json_string(file));
			json_object_set_new(o, "line", json_integer(line));
			json_object_set_new(o, "column", json_integer(col));
			json_array_append_new(rules, o);
		}
		json_object_set_new(root, "rules", rules);
		for (size_t i = 0; i < policy_note_count(p); i++)
			json_array_append_new(notes, json_string(policy_note_at(p, i)));
		json_object_set_new(root, "append_override", notes);
		if (kconn_derive_prefilter(p, &pf) == 0) {
			json_object_set_new(root, "prefilter", prefilter_json(&pf));
			policy_prefilter_free(&pf);
		} else {
			ret = -ENOMEM;
		}
	}
	status = json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS) ||
		 fputc('\n', out) == EOF || fflush(out) == EOF;
	json_decref(root);
	policy_free(p);
	policy_diags_free(&diags);
	return ret < 0 || status ? 1 : 0;
}
