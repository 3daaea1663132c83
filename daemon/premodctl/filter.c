// SPDX-License-Identifier: MIT
/*
 * premodctl filter: show, set and clear the in-kernel prefilter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "premodctl.h"
#include <pwd.h>
#include <jansson.h>

#include "event.h"
#include "event_text.h"

const char usage_filter[] =
"Usage: premodctl filter [show] [--json]\n"
"       premodctl filter set [--ops OP,...] [--include DIR]... [--exclude DIR]...\n"
"                            [--exclude-uid UID]...\n"
"       premodctl filter clear\n"
"\n"
"The prefilter decides in the kernel which events are reported at all.\n"
"'set' replaces it as a whole; options not given are cleared. A running\n"
"premodd pushes its own prefilter (derived from its policy) at start and on\n"
"every reload, replacing what was set here.\n"
"\n"
"Options of set:\n"
"  --ops OP,...       report only these ops: create mkdir rmdir unlink rename\n"
"                     link symlink truncate chmod chown setattr open_write\n"
"                     setxattr removexattr; \"all\" for every op\n"
"  --include DIR      report only events under DIR (repeatable, at most " "64)\n"
"  --exclude DIR      never report events whose paths all lie under DIR\n"
"  --exclude-uid UID  never report events of this fsuid (number or user name)\n"
"Subtrees are decided by the kernel by directory ancestry, so a bind mount\n"
"or another mount namespace of DIR is inside it too. A relative DIR is made\n"
"absolute from the current directory.\n"
"\n"
"Options of show:\n"
"  --json             {\"ops\", \"ops_all\", \"include\", \"exclude\", \"exclude_uids\"}\n";

struct filter {
	uint32_t ops;
	bool has_ops;
	json_t *include, *exclude, *uids;
};

static int parse_paths(struct nlattr *nest, json_t *arr, const char *what)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != PREMOD_FA_PATH)
			continue;
		if (nla_len(a) < 1 || ((char *)nla_data(a))[nla_len(a) - 1]) {
			errmsg("GET_FILTER: malformed %s path", what);
			return -EBADMSG;
		}
		json_array_append_new(arr, json_string(nla_get_string(a)));
	}
	return 0;
}

static int parse_filter(struct nlattr **tb, void *arg)
{
	struct filter *f = arg;
	struct nlattr *a;
	int rem, ret;

	if (tb[PREMOD_A_FILTER_OPS] && nla_len(tb[PREMOD_A_FILTER_OPS]) == 4) {
		f->ops = nla_get_u32(tb[PREMOD_A_FILTER_OPS]);
		f->has_ops = true;
	}
	if (tb[PREMOD_A_FILTER_INCLUDE]) {
		ret = parse_paths(tb[PREMOD_A_FILTER_INCLUDE], f->include,
				  "include");
		if (ret)
			return ret;
	}
	if (tb[PREMOD_A_FILTER_EXCLUDE]) {
		ret = parse_paths(tb[PREMOD_A_FILTER_EXCLUDE], f->exclude,
				  "exclude");
		if (ret)
			return ret;
	}
	if (tb[PREMOD_A_FILTER_EXCLUDE_UIDS]) {
		nla_for_each_nested(a, tb[PREMOD_A_FILTER_EXCLUDE_UIDS], rem) {
			if (nla_type(a) != PREMOD_FA_UID || nla_len(a) != 4)
				continue;
			json_array_append_new(f->uids,
					      json_integer(nla_get_u32(a)));
		}
	}
	return 0;
}

static void print_list(const char *label, const json_t *arr,
		       const char *none)
{
	size_t i;
	json_t *v;

	printf("%-14s", label);
	if (json_array_size(arr) == 0)
		printf("%s\n", none);
	json_array_foreach(arr, i, v) {
		if (i)
			printf("%-14s", "");
		if (json_is_string(v))
			pm_text_escape(stdout, json_string_value(v));
		else
			printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		putchar('\n');
	}
}

static int filter_show(struct ctl *nl, bool json)
{
	struct filter f = { 0, false, json_array(), json_array(),
			    json_array() };
	struct req r = { .what = "GET_FILTER", .parse = parse_filter,
			 .arg = &f };
	struct nl_msg *msg = ctl_new(nl, PREMOD_CMD_GET_FILTER);
	bool all;
	json_t *ops = json_array();
	int ret = 1;

	if (!msg || ctl_request(nl, msg, &r))
		goto out;
	all = !f.has_ops || f.ops == 0;
	for (unsigned int op = 1; op <= PREMOD_OP_MAX; op++)
		if (op != PREMOD_OP_LOST && op != PREMOD_OP_CONFIG &&
		    (all || (f.ops & (1U << op))))
			json_array_append_new(ops, json_string(pm_op_name(op)));

	if (json) {
		json_t *o = json_pack("{s:O,s:b,s:O,s:O,s:O}", "ops", ops,
				      "ops_all", all, "include", f.include,
				      "exclude", f.exclude, "exclude_uids",
				      f.uids);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		size_t i;
		json_t *v;

		printf("%-14s", "ops:");
		if (all)
			fputs("all", stdout);
		else
			json_array_foreach(ops, i, v)
				printf("%s%s", i ? "," : "",
				       json_string_value(v));
		putchar('\n');
		print_list("include:", f.include, "(everywhere)");
		print_list("exclude:", f.exclude, "-");
		print_list("exclude-uids:", f.uids, "-");
	}
	ret = 0;
out:
	json_decref(ops);
	json_decref(f.include);
	json_decref(f.exclude);
	json_decref(f.uids);
	return ret;
}

static int parse_ops(const char *arg, uint32_t *mask)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	*mask = 0;
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int op;

		if (strcmp(tok, "all") == 0) {
			/* "create,all" would silently mean all */
			if (*mask || strtok_r(NULL, ",", &save)) {
				errmsg("filter set: --ops: 'all' cannot be "
				       "combined with other ops");
				free(copy);
				return -EINVAL;
			}
			free(copy);
			return 0;
		}
		op = pm_op_lookup(tok);
		if (op < 0 || op == PREMOD_OP_LOST) {
			errmsg("filter set: --ops: unknown op '%s' (one of "
			       "create mkdir rmdir unlink rename link symlink "
			       "truncate chmod chown setattr open_write "
			       "setxattr removexattr, or all)", tok);
			free(copy);
			return -EINVAL;
		}
		*mask |= 1U << op;
	}
	free(copy);
	if (!*mask) {
		errmsg("filter set: --ops: no op given");
		return -EINVAL;
	}
	return 0;
}

static int parse_uid(const char *arg, uint32_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg && !*end && !errno && v <= UINT32_MAX && arg[0] != '-') {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(arg);
	if (!pw) {
		errmsg("filter set: --exclude-uid: '%s' is neither a number "
		       "nor a known user", arg);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	return 0;
}

/* Absolute form of a path given on the command line, malloc'd. */
static char *abs_path(const char *opt, const char *p)
{
	char *cwd, *out;

	if (!*p) {
		errmsg("filter set: %s: empty path", opt);
		return NULL;
	}
	if (strlen(p) >= PREMOD_PATH_MAX) {
		errmsg("filter set: %s: path longer than %d bytes", opt,
		       PREMOD_PATH_MAX - 1);
		return NULL;
	}
	if (p[0] == '/')
		return strdup(p);
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		errmsg("filter set: %s %s: cannot get the current directory: "
		       "%s", opt, p, strerror(errno));
		return NULL;
	}
	if (asprintf(&out, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", p) < 0)
		out = NULL;
	free(cwd);
	return out;
}

static int put_path_nest(struct nl_msg *msg, int type, char **paths, int n)
{
	struct nlattr *nest;

	if (!n)
		return 0;
	nest = nla_nest_start(msg, type | NLA_F_NESTED);
	if (!nest)
		return -EMSGSIZE;
	for (int i = 0; i < n; i++)
		if (nla_put_string(msg, PREMOD_FA_PATH, paths[i]) < 0)
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int filter_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ops", required_argument, NULL, 'o' },
		{ "include", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "exclude-uid", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *inc[PREMOD_FILTER_MAX_PATHS], *exc[PREMOD_FILTER_MAX_PATHS];
	uint32_t uids[PREMOD_FILTER_MAX_UIDS], ops = 0;
	bool has_ops = false;
	int ninc = 0, nexc = 0, nuid = 0, c, ret = 2;
	struct req r = { .what = "SET_FILTER" };
	struct nl_msg *msg = NULL;
	struct ctl ctl = { 0 };

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:i:x:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			/* a second --ops would silently replace the first */
			if (has_ops) {
				errmsg("filter set: --ops given twice (list "
				       "every op in one: --ops create,unlink)");
				goto out;
			}
			has_ops = true;
			if (parse_ops(optarg, &ops))
				goto out;
			break;
		case 'i':
		case 'x': {
			char **arr = c == 'i' ? inc : exc;
			int *n = c == 'i' ? &ninc : &nexc;
			const char *o = c == 'i' ? "--include" : "--exclude";

			if (*n == PREMOD_FILTER_MAX_PATHS) {
				errmsg("filter set: at most %d %s paths", 
				       PREMOD_FILTER_MAX_PATHS, o);
				goto out;
			}
			arr[*n] = abs_path(o, optarg);
			if (!arr[*n])
				goto out;
			(*n)++;
			break;
		}
		case 'u':
			if (nuid == PREMOD_FILTER_MAX_UIDS) {
				errmsg("filter set: at most %d --exclude-uid",
				       PREMOD_FILTER_MAX_UIDS);
				goto out;
			}
			if (parse_uid(optarg, &uids[nuid]))
				goto out;
			nuid++;
			break;
		case 'h':
			fputs(usage_filter, stdout);
			ret = 0;
			goto out;
		default:
			fputs(usage_filter, stderr);
			goto out;
		}
	}
	if (optind < argc) {
		errmsg("filter set: unexpected argument '%s'", argv[optind]);
		fputs(usage_filter, stderr);
		goto out;
	}

	ret = 1;
	if (ctl_open(&ctl, false))
		goto out;
	msg = ctl_new(&ctl, PREMOD_CMD_SET_FILTER);
	if (!msg)
		goto nomem;
	if (ops && nla_put_u32(msg, PREMOD_A_FILTER_OPS, ops) < 0)
		goto nomem;
	if (put_path_nest(msg, PREMOD_A_FILTER_INCLUDE, inc, ninc) ||
	    put_path_nest(msg, PREMOD_A_FILTER_EXCLUDE, exc, nexc))
		goto nomem;
	if (nuid) {
		struct nlattr *nest = nla_nest_start(msg,
			PREMOD_A_FILTER_EXCLUDE_UIDS | NLA_F_NESTED);

		if (!nest)
			goto nomem;
		for (int i = 0; i < nuid; i++)
			if (nla_put_u32(msg, PREMOD_FA_UID, uids[i]) < 0)
				goto nomem;
		nla_nest_end(msg, nest);
	}
	ret = ctl_request(&ctl, msg, &r) ? 1 : 0;
	goto out;
nomem:
	errmsg("filter set: the filter does not fit a netlink message");
	nlmsg_free(msg);
out:
	ctl_close(&ctl);
	for (int i = 0; i < ninc; i++)
		free(inc[i]);
	for (int i = 0; i < nexc; i++)
		free(exc[i]);
	return ret;
}

int cmd_filter(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "show";
	bool json = false;
	struct ctl nl;
	int ret;

	if (argc > 1 && argv[1][0] == '-') {
		sub = "show";
		argc++;		/* options of an implicit "show" */
		argv--;
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
	    strcmp(sub, "help") == 0) {
		fputs(usage_filter, stdout);
		return 0;
	}
	if (strcmp(sub, "show") == 0) {
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0) {
				json = true;
			} else if (strcmp(argv[i], "--help") == 0 ||
				   strcmp(argv[i], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			} else {
				errmsg("filter show: unexpected argument '%s'",
				       argv[i]);
				fputs(usage_filter, stderr);
				return 2;
			}
		}
		if (ctl_open(&nl, false))
			return 1;
		ret = filter_show(&nl, json);
		ctl_close(&nl);
		return ret;
	}
	if (strcmp(sub, "set") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 ||
			    strcmp(argv[i], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			}
		return filter_set(argc - 1, argv + 1);
	}
	if (strcmp(sub, "clear") == 0) {
		struct req r = { .what = "SET_FILTER" };
		struct nl_msg *msg;

		if (argc > 2) {
			if (strcmp(argv[2], "--help") == 0 ||
			    strcmp(argv[2], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			}
			errmsg("filter clear: unexpected argument '%s'",
			       argv[2]);
			fputs(usage_filter, stderr);
			return 2;
		}
		if (ctl_open(&nl, false))
			return 1;
		msg = ctl_new(&nl, PREMOD_CMD_SET_FILTER);
		ret = msg && ctl_request(&nl, msg, &r) == 0 ? 0 : 1;
		ctl_close(&nl);
		return ret;
	}
	errmsg("filter: unknown subcommand '%s' (show, set or clear)", sub);
	fputs(usage_filter, stderr);
	return 2;
}
