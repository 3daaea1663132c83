#!/bin/bash
# The operator tools against a running premodd: premodctl status (and its
# exit statuses for monitoring), rules with per-rule hit counts that agree
# with the journal, reload with a broken policy (errors, exit 1, the old
# generation stays) and a good one (exit 0 once the new generation is
# active), search over the journal, stats and status without the module,
# status and reload once premodd is gone; and libpremod's example consumer
# (examples/monitor.c) receiving live events.
#
# premodd writes its stats file every 60 s here: what reload and rules
# show must come from the writes premodd makes right after a reload (or on
# SIGUSR1), not from the periodic one.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

J=$PM_WORK/changes.jsonl
POL=$PM_WORK/policy
W=$TD/watch
MONITOR=$PM_BUILD/examples/monitor
mkdir -p "$POL" "$W"

jq '.stats.interval_ms = 60000' "$PMD_FIX/premodd.json" >"$PM_WORK/premodd.json"
PMD_CONFIG=$PM_WORK/premodd.json

write_policy() { # ID-PREFIX
	cat >"$POL/10-ops.json" <<JSON
{"version": 1, "rules": [
  {"id": "$1-watch", "description": "anything under the watched tree",
   "severity": "notice",
   "match": {"field": "path", "prefix": "$W/"},
   "message": "{op} {path}"},
  {"id": "$1-chmod", "severity": "warning",
   "match": {"all": [{"field": "op", "eq": "chmod"},
                     {"field": "path", "prefix": "$W/"}]},
   "message": "chmod {path}"},
  {"id": "$1-off", "enabled": false, "severity": "info",
   "match": {"field": "path", "eq": "/nowhere"}, "message": "never"}
]}
JSON
}

# ctl OUT ARGS...: premodctl ARGS, stdout to $PM_WORK/OUT, stderr to
# OUT.err; its exit status in $RC.
RC=
ctl() {
	local out=$1
	shift
	RC=0
	"$PREMODCTL" "$@" >"$PM_WORK/$out" 2>"$PM_WORK/$out.err" || RC=$?
}
show() { tail -c 400 "$PM_WORK/$1" "$PM_WORK/$1.err" 2>/dev/null | tr '\n' ' '; }

group "premodctl_ops: premodd starts"
# a fresh module: its loss counters start at 0 whatever ran before
if pm_loaded; then rmmod premod 2>"$PM_WORK/rmmod0.err" || fail "rmmod: $(cat "$PM_WORK/rmmod0.err")"; fi
pmd_module &&
write_policy ops &&
pmd_start --policy "$POL" --journal "$J" --no-journald --no-syslog --no-alerts
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }

group "premodctl_ops: status, all good: exit 0"
ctl status.txt status
assert_eq "$RC" 0 "premodctl status exit ($(show status.txt))"
grep -q '^status:  ok (exit 0)$' "$PM_WORK/status.txt" || fail "status line: $(show status.txt)"
grep -q "^module:  loaded, version $(cat /sys/module/premod/version), netlink protocol" "$PM_WORK/status.txt" ||
	fail "module line: $(show status.txt)"
grep -q "^daemon:  running, pid $PMD_PID, since .*, connected to the module$" "$PM_WORK/status.txt" ||
	fail "daemon line: $(show status.txt)"
grep -q "^policy:  generation 1, 3 rules from $POL$" "$PM_WORK/status.txt" || fail "policy line: $(show status.txt)"
ctl status.json status --json
assert_eq "$RC" 0 "status --json exit"
assert_eq "$(jq -r '[.status, .exit, .module.loaded, .daemon.running, .daemon.connected, .policy.generation, .loss.kernel, .loss.daemon, .loss.sinks] | join(" ")' "$PM_WORK/status.json")" \
	"ok 0 true true true 1 0 0 0" "status --json fields"

group "premodctl_ops: rules shows the running rules with counts that match the journal"
mkdir "$W/a"
: >"$W/a/f"
chmod 600 "$W/a/f"
rm "$W/a/f"
wait_until 60 "the unlink's record" jsonl_has "$J" ".op == \"unlink\" and .path == \"$W/a/f\""
n_watch=$(jsonl_count "$J" '.rule == "ops-watch"')
n_chmod=$(jsonl_count "$J" '.rule == "ops-chmod"')
[ "$n_watch" -ge 4 ] || fail "only $n_watch ops-watch records"
pmd_stat .generation >/dev/null		# SIGUSR1: a fresh stats file
ctl rules.json rules --json
assert_eq "$RC" 0 "rules --json exit ($(show rules.json))"
assert_eq "$(jq -r '[.generation, (.rules | map(.id) | join(","))] | join(" ")' "$PM_WORK/rules.json")" \
	"1 ops-watch,ops-chmod,ops-off" "rules: generation and ids in policy order"
assert_eq "$(jq -r '.rules[] | select(.id == "ops-watch") | .matched' "$PM_WORK/rules.json")" "$n_watch" "ops-watch hits vs journal"
assert_eq "$(jq -r '.rules[] | select(.id == "ops-chmod") | .matched' "$PM_WORK/rules.json")" "$n_chmod" "ops-chmod hits vs journal"
assert_eq "$(jq -r '.rules[] | select(.id == "ops-off") | [.enabled, .matched] | join(" ")' "$PM_WORK/rules.json")" "false 0" "disabled rule"
ctl rules.txt rules
assert_eq "$RC" 0 "rules exit"
grep -qE "^ops-watch +notice +$n_watch +0  anything under the watched tree$" "$PM_WORK/rules.txt" ||
	fail "rules table: $(show rules.txt)"

group "premodctl_ops: reload with a broken policy: its errors, exit 1, generation 1 stays"
pmd_subst "$PMD_FIX/broken.json" "$POL/20-broken.json"
ctl reload-bad.txt reload --timeout 120
assert_eq "$RC" 1 "reload exit ($(show reload-bad.txt))"
grep -q '^reload failed: the policy has 1 error; generation 1 stays active$' "$PM_WORK/reload-bad.txt" ||
	fail "reload output: $(show reload-bad.txt)"
grep -qE "^  $POL/20-broken.json:[0-9]+:[0-9]+: rule vm-broken: .*no_such_field" "$PM_WORK/reload-bad.txt" ||
	fail "the error with its position: $(show reload-bad.txt)"
ctl status-bad.json status --json
assert_eq "$RC" 6 "status exit after a failed reload ($(show status-bad.json))"
assert_eq "$(jq -r '[.status, .policy.last_reload.result, .policy.generation] | join(" ")' "$PM_WORK/status-bad.json")" \
	"reload_failed failed 1" "status --json after a failed reload"
ctl rules-bad.json rules --json
assert_eq "$(jq -r .generation "$PM_WORK/rules-bad.json")" 1 "rules generation after the failed reload"

group "premodctl_ops: reload with a good policy: exit 0 once generation 2 runs"
rm -f "$POL/20-broken.json"
write_policy new
ctl reload-ok.txt reload --timeout 120
assert_eq "$RC" 0 "reload exit ($(show reload-ok.txt))"
assert_eq "$(cat "$PM_WORK/reload-ok.txt")" "reloaded: policy generation 2 is active, 3 rules" "reload output"
# premodctl said active: the stats file already lists the new rules (no
# periodic write could have happened in between) ...
assert_eq "$(jq -r '[.policy.generation, (.policy.rules | map(.id) | join(","))] | join(" ")' "$PMD_STATS")" \
	"2 new-watch,new-chmod,new-off" "stats file right after reload"
ctl rules-new.json rules --json
assert_eq "$(jq -r '[.generation, (.rules | map(.id) | join(","))] | join(" ")' "$PM_WORK/rules-new.json")" \
	"2 new-watch,new-chmod,new-off" "rules after the reload"
# ... and the next event is evaluated by it
mkdir "$W/b"
wait_until 60 "a record of generation 2" jsonl_has "$J" ".path == \"$W/b\""
assert_eq "$(jq -r "select(.path == \"$W/b\") | \"\(.rule) \(.generation)\"" "$J")" "new-watch 2" "record after the reload"
ctl status-ok.txt status
assert_eq "$RC" 0 "status exit after a good reload ($(show status-ok.txt))"
grep -q '^reload:  last at .*: ok, generation 2$' "$PM_WORK/status-ok.txt" || fail "reload line: $(show status-ok.txt)"
ctl reload-json.json reload --json --timeout 120
assert_eq "$RC" 0 "reload --json exit"
assert_eq "$(jq -r '[.result, .generation, .rules, (.errors | length)] | join(" ")' "$PM_WORK/reload-json.json")" \
	"ok 3 3 0" "reload --json"

group "premodctl_ops: search over the journal"
ctl search-rule.jsonl search --json --rule ops-watch "$J"
assert_eq "$RC" 0 "search --rule exit ($(show search-rule.jsonl))"
assert_eq "$(grep -c . "$PM_WORK/search-rule.jsonl")" "$n_watch" "search --rule ops-watch records"
cmp -s "$PM_WORK/search-rule.jsonl" <(grep '"rule":"ops-watch"' "$J") || fail "search --json is not the journal's lines"
ctl search-path.txt search --path "$W/a" --op chmod --rule ops-chmod "$J"
assert_eq "$RC" 0 "search --path --op exit"
assert_eq "$(grep -c . "$PM_WORK/search-path.txt")" 1 "chmod under $W/a"
grep -qE "^[0-9T:.-]+Z #[0-9]+ match ops-chmod warning chmod $W/a/f chmod\[[0-9]+\] uid=0: chmod $W/a/f$" "$PM_WORK/search-path.txt" ||
	fail "search text line: $(show search-path.txt)"
seq_b=$(jq -r "select(.path == \"$W/b\") | .seq" "$J")
ctl search-seq.jsonl search --json --seq "$seq_b" --user root --since -1h "$J"
assert_eq "$(jq -r .path "$PM_WORK/search-seq.jsonl")" "$W/b" "search --seq --user --since"
ctl search-none.txt search --rule no-such-rule "$J"
assert_eq "$RC" 1 "search with no match exit"
ctl search-usage.txt search --seq 5..4 "$J"
assert_eq "$RC" 2 "search usage error exit"

group "premodctl_ops: libpremod's example consumer receives live events"
[ -x "$MONITOR" ] || fail "$MONITOR not built"
"$MONITOR" >"$PM_WORK/example.out" 2>"$PM_WORK/example.err" &
EX=$!
wait_until 60 "examples/monitor listening ($(tail -c 200 "$PM_WORK/example.err"))" \
	grep -q 'listening' "$PM_WORK/example.err"
mkdir "$W/from-example"
wait_until 60 "examples/monitor printing the mkdir ($(tail -c 300 "$PM_WORK/example.out"))" \
	grep -qE "#[0-9]+ mkdir mkdir\[[0-9]+\] uid=0 .*$W/from-example" "$PM_WORK/example.out"
kill -TERM "$EX" 2>/dev/null
rc=0
wait "$EX" || rc=$?
assert_eq "$rc" 0 "examples/monitor exit on SIGTERM"

group "premodctl_ops: without the module, stats still shows premodd's counters"
rmmod premod 2>"$PM_WORK/rmmod.err" || fail "rmmod: $(cat "$PM_WORK/rmmod.err")"
wait_until 60 "premodd noticing the module left" grep -q 'went away' "$PM_WORK/premodd.err"
pmd_stat .connected >/dev/null
ctl stats-nomod.json stats --json
assert_eq "$RC" 0 "stats exit without the module ($(show stats-nomod.json))"
assert_eq "$(jq -r '[.module, .counters, (.premodd.received > 0), .premodd.pid] | join(" ")' "$PM_WORK/stats-nomod.json")" \
	"false  true $PMD_PID" "stats --json without the module"
ctl stats-nomod.txt stats
assert_eq "$RC" 0 "stats (text) exit without the module"
grep -q '^premodd (' "$PM_WORK/stats-nomod.txt" || fail "no premodd section: $(show stats-nomod.txt)"
ctl status-nomod.txt status
assert_eq "$RC" 3 "status exit without the module"
grep -q '^module:  not loaded$' "$PM_WORK/status-nomod.txt" || fail "module line: $(show status-nomod.txt)"
pmd_module
wait_until 60 "premodd reconnecting" grep -q 'reconnected' "$PM_WORK/premodd.err"

group "premodctl_ops: premodd gone: status exit 4, reload exit 3"
pmd_stop
ctl status-down.txt status
assert_eq "$RC" 4 "status exit with premodd stopped ($(show status-down.txt))"
grep -q 'names a pid that is gone' "$PM_WORK/status-down.txt" || fail "daemon line: $(show status-down.txt)"
ctl reload-down.txt reload --timeout 5
assert_eq "$RC" 3 "reload exit with premodd stopped"
ctl rules-down.txt rules
assert_eq "$RC" 1 "rules exit with premodd stopped"
group_end
