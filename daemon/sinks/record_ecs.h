/* SPDX-License-Identifier: MIT */
/*
 * record_ecs.h - a record in Elastic Common Schema form: one JSON object
 * with ECS field names, nested ({"file":{"path":...}}), for the sinks
 * whose format is "ecs" (daemon/RECORDS.md, "ECS").
 *
 * It is written from the record's key/value list, so every field a record
 * carries comes out: a field with an ECS equivalent under its ECS name
 * (the table below), every other one under the custom namespace
 * "premod.<key>" (numbers as numbers, modes as octal strings). A new
 * record field is one row of record_ecs_fields[] away from its ECS name.
 */
#ifndef PREMOD_DAEMON_RECORD_ECS_H
#define PREMOD_DAEMON_RECORD_ECS_H

#include <stddef.h>

#include "record.h"

/* The ECS version whose field definitions the table follows. */
#define RECORD_ECS_VERSION "8.11.0"

/* The ECS data types the table uses, as the ECS reference names them. */
enum ecs_type {
	ECS_KEYWORD,		/* a JSON string */
	ECS_LONG,		/* a JSON integer */
	ECS_DATE,		/* a JSON string, RFC 3339 */
	ECS_TEXT,		/* match_only_text: a JSON string */
};

/* How a record value becomes the ECS value. */
enum ecs_conv {
	ECS_AS_IS,		/* the value, typed by the ECS type */
	ECS_MODE_PERM,		/* a mode's permission bits, "04755" */
	ECS_MODE_FTYPE,		/* a mode's file type: file, dir, symlink... */
	ECS_OP_TYPE,		/* an op's event.type: creation, deletion, change */
	ECS_OP_CATEGORY,	/* event.category of an op: file */
	ECS_KIND,		/* record kind -> event.kind: alert, event */
	ECS_PRIORITY,		/* the record's syslog priority number */
	ECS_TAGS,		/* the rule's tags as an array */
	ECS_BASENAME,		/* a path's last component */
	ECS_DIRNAME,		/* a path without its last component */
	ECS_OUTCOME,		/* an op's result -> success, failure, unknown */
};

struct ecs_field {
	const char *key;	/* record key (record.h); NULL: a constant */
	const char *ecs;	/* dotted ECS name */
	enum ecs_type type;
	enum ecs_conv conv;
	const char *value;	/* constants only */
};

extern const struct ecs_field record_ecs_fields[];
extern const size_t record_ecs_n_fields;

/* Custom fields (no ECS equivalent) are "premod.<key>". */
#define RECORD_ECS_CUSTOM "premod"

/*
 * Writes the ECS JSON object of r (no newline) into buf, snprintf-like:
 * returns the full length, writes at most len - 1 bytes and a NUL.
 * Returns 0 (and writes "") when memory runs out.
 * Strings are JSON strings; a string that is not valid UTF-8 gets U+FFFD
 * for each invalid byte and a twin "premod.<key>_hex" with the exact bytes.
 */
size_t record_ecs_format(const struct record *r, char *buf, size_t len);

#endif /* PREMOD_DAEMON_RECORD_ECS_H */
