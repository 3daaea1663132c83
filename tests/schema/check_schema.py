#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The JSON Schema of policy files (policy/premod-policy.schema.json), held
to what premodd accepts: the schema is a valid draft 2020-12 schema, every
shipped policy file validates, the shapes the language allows validate,
and files with mistakes a schema can see are refused; premodd (its path
is the first argument) agrees on each of those documents, next to a file
defining the list l, macro m and rule r they patch. Needs
python3-jsonschema (Debian's package). Run from the top of the tree."""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

SCHEMA = "policy/premod-policy.schema.json"
SHIPPED = sorted(glob.glob("policy/examples/*.json") +
                 glob.glob("tests/unit/data/premodd/policy/*.json"))

R = '{"id": "v", "match": {"field": "uid", "eq": 0}}'

VALID = [
    '{"version": 1}',
    '{"version": 1, "rules": [%s]}' % R,
    '{"version": 1, "rules": [{"id": "v", "match": {"field": "paths", "under": ["/etc/a", "/etc/b"]}}]}',
    '{"version": 1, "rules": [{"id": "v", "match": {"field": "open_flags", "bits_set": ["O_TRUNC", "O_WRONLY"]}}]}',
    '{"version": 1, "rules": [{"id": "v", "match": {"not": {"any": [{"macro": "m"}, {"field": "comm", "in": "@l"}]}}}]}',
    '{"version": 1, "append": {"lists": {"l": ["x"]}, "rules": {"r": {"except": [{"field": "uid", "eq": 0}]}}}}',
    '{"version": 1, "override": {"macros": {"m": {"field": "uid", "eq": 0}}, "rules": {"r": {"enabled": false}}}}',
    '{"version": 1, "rules": [{"id": "v", "match": {"field": "uid", "eq": 0}, "rate_limit": {"max": 5, "interval": "10s", "key": "rule+path"}, "outputs": ["journal"]}]}',
]

INVALID = [
    ('no version', '{"rules": []}'),
    ('version 2', '{"version": 2}'),
    ('unknown top key', '{"version": 1, "rule": []}'),
    ('rule without match', '{"version": 1, "rules": [{"id": "v"}]}'),
    ('rule without id', '{"version": 1, "rules": [{"match": {"field": "uid", "eq": 0}}]}'),
    ('unknown rule key', '{"version": 1, "rules": [{"id": "v", "exceptions": [], "match": {"field": "uid", "eq": 0}}]}'),
    ('unknown field', '{"version": 1, "rules": [{"id": "v", "match": {"field": "pth", "eq": "/x"}}]}'),
    ('two operators', '{"version": 1, "rules": [{"id": "v", "match": {"field": "uid", "eq": 0, "ne": 1}}]}'),
    ('no operator', '{"version": 1, "rules": [{"id": "v", "match": {"field": "uid"}}]}'),
    ('two condition keys', '{"version": 1, "rules": [{"id": "v", "match": {"all": [%s], "any": [%s]}}]}' % (R, R)),
    ('empty all', '{"version": 1, "rules": [{"id": "v", "match": {"all": []}}]}'),
    ('bits_added as a number', '{"version": 1, "rules": [{"id": "v", "match": {"field": "new_mode", "bits_added": 4000}}]}'),
    ('bad severity', '{"version": 1, "rules": [{"id": "v", "severity": "critical", "match": {"field": "uid", "eq": 0}}]}'),
    ('bad id', '{"version": 1, "rules": [{"id": "a b", "match": {"field": "uid", "eq": 0}}]}'),
    ('empty list of prefixes', '{"version": 1, "rules": [{"id": "v", "match": {"field": "path", "prefix": []}}]}'),
    ('rate_limit without interval', '{"version": 1, "rules": [{"id": "v", "match": {"field": "uid", "eq": 0}, "rate_limit": {"max": 1}}]}'),
    ('unknown output', '{"version": 1, "rules": [{"id": "v", "match": {"field": "uid", "eq": 0}, "outputs": ["journl"]}]}'),
    ('append to a macro', '{"version": 1, "append": {"macros": {"m": {"field": "uid", "eq": 0}}}}'),
    ('append a severity', '{"version": 1, "append": {"rules": {"r": {"severity": "err"}}}}'),
    ('override an id', '{"version": 1, "override": {"rules": {"r": {"id": "x"}}}}'),
    ('list of objects', '{"version": 1, "lists": {"l": [{}]}}'),
]


BASE = ('{"version": 1, "lists": {"l": ["a"]}, "macros": {"m": {"field": "uid", "eq": 0}},'
        ' "rules": [{"id": "r", "match": {"field": "uid", "eq": 0}}]}')


def premodd_accepts(premodd, text):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "00-base.json"), "w") as f:
            f.write(BASE)
        with open(os.path.join(d, "50-doc.json"), "w") as f:
            f.write(text)
        r = subprocess.run([premodd, "--check", d], capture_output=True, text=True)
        return r.returncode == 0, r.stderr.strip()


def main():
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    v = cls(schema)
    fails = 0
    if not SHIPPED:
        print("no shipped policy files found (run from the top of the tree)")
        return 1
    for path in SHIPPED:
        with open(path) as f:
            errs = list(v.iter_errors(json.load(f)))
        for e in errs:
            print("FAIL %s: %s at %s" % (path, e.message, "/".join(map(str, e.path))))
        fails += bool(errs)
    for text in VALID:
        errs = list(v.iter_errors(json.loads(text)))
        if errs:
            print("FAIL valid document refused: %s\n  %s" % (text, errs[0].message))
            fails += 1
    for what, text in INVALID:
        if v.is_valid(json.loads(text)):
            print("FAIL invalid document accepted (%s): %s" % (what, text))
            fails += 1
    premodd = sys.argv[1] if len(sys.argv) > 1 else None
    if not premodd or not os.access(premodd, os.X_OK):
        print("FAIL no premodd to compare with (give its path)")
        return 1
    for text in VALID:
        ok, err = premodd_accepts(premodd, text)
        if not ok:
            print("FAIL premodd refuses what the schema accepts: %s\n  %s" % (text, err))
            fails += 1
    for what, text in INVALID:
        ok, _ = premodd_accepts(premodd, text)
        if ok:
            print("FAIL premodd accepts what the schema refuses (%s): %s" % (what, text))
            fails += 1
    n = len(SHIPPED) + 2 * (len(VALID) + len(INVALID))
    print("schema: %d of %d checks passed (%d shipped files, %d valid and %d invalid"
          " documents, each also through premodd --check)"
          % (n - fails, n, len(SHIPPED), len(VALID), len(INVALID)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
