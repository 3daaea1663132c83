#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""dashboard.py - a live per-rule count of premodd's alerts.

Joins the "alerts" multicast group of the premod generic netlink family
(premodd republishes every record it writes there, as the same JSON the
change journal holds) and counts records per rule. Every protocol number
comes from include/premod.h, read at start: nothing here hard-codes one.

On a terminal it redraws a table; otherwise (a pipe, a log) it prints
"RULE<TAB>COUNT" whenever a rule's count changes, so another program can
follow it. Joining the group needs CAP_NET_ADMIN (run as root).

    sudo examples/dashboard.py [--header include/premod.h]

Needs pyroute2 (Debian: python3-pyroute2).
"""
import argparse
import collections
import errno
import json
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_header(path):
    """The string #defines and every enum's values of a C header."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    strings = dict(re.findall(r'#define\s+(\w+)\s+"([^"]*)"', text))
    numbers = {}
    for body in re.findall(r"\benum\s+\w*\s*\{(.*?)\}", text, flags=re.S):
        value = -1
        for item in body.split(","):
            name, _, expr = item.partition("=")
            name = name.strip()
            if not name:
                continue
            if expr.strip():
                expr = re.sub(r"\b(\d+)[uUlL]+\b", r"\1", expr.strip())
                if not re.fullmatch(r"[0-9xXa-fA-F()<>|+\- ]+", expr):
                    raise ValueError(f"{path}: {name} = {expr}: not a number")
                value = eval(expr, {"__builtins__": {}})  # digits and operators only
            else:
                value += 1
            numbers[name] = value
    return strings, numbers


def message_class(numbers):
    """A pyroute2 generic netlink message knowing the attributes we read."""
    from pyroute2.netlink import genlmsg

    types = {"PREMOD_A_RECORD": "asciiz", "PREMOD_A_SEQ": "uint64"}
    attrs = sorted((v, k) for k, v in numbers.items()
                   if k.startswith("PREMOD_A_") and not k.startswith("__"))
    nla_map = [(v, k, types.get(k, "hex")) for v, k in attrs if v > 0]

    class premod_msg(genlmsg):
        pass

    premod_msg.nla_map = tuple(nla_map)
    return premod_msg


class Table:
    def __init__(self, tty):
        self.counts = collections.Counter()
        self.tty = tty

    def add(self, record):
        if record.get("kind") == "match":
            key = record.get("rule", "?")
        else:
            key = "(" + record.get("kind", "?") + ")"
        self.counts[key] += 1
        if self.tty:
            self.draw()
        else:
            print(f"{key}\t{self.counts[key]}", flush=True)

    def draw(self):
        width = max([len(k) for k in self.counts] + [4])
        lines = ["\033[H\033[2J" + f"{'rule':<{width}}  count"]
        for key, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{key:<{width}}  {n:>5}")
        print("\n".join(lines), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", default=os.path.join(HERE, "..", "include", "premod.h"),
                    help="premod.h to read the protocol from (default: %(default)s)")
    args = ap.parse_args()

    strings, numbers = parse_header(args.header)
    family = strings["PREMOD_GENL_NAME"]
    group = strings["PREMOD_MCGRP_ALERTS"]
    cmd_alert = numbers["PREMOD_CMD_ALERT"]

    from pyroute2.netlink.generic import GenericNetlinkSocket

    sock = GenericNetlinkSocket()
    try:
        sock.bind(family, message_class(numbers))
        sock.add_membership(group)
    except Exception as e:  # no module, no permission: say which
        print(f"dashboard: cannot join {family}/{group}: {e}", file=sys.stderr)
        return 1
    table = Table(sys.stdout.isatty())
    print(f"dashboard: ready, listening on {family}/{group}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        try:
            msgs = sock.get()
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            # The socket overran: records were lost to this dashboard.
            table.add({"kind": "overrun"})
            continue
        for msg in msgs:
            if msg["cmd"] != cmd_alert:
                continue
            text = msg.get_attr("PREMOD_A_RECORD")
            if text is None:
                continue
            try:
                table.add(json.loads(text))
            except ValueError:
                print(f"dashboard: not a JSON record: {text[:80]!r}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
