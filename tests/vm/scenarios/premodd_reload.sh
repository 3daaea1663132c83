#!/bin/bash
# Policy reload under a write flood, with no loss: premodd runs policy A;
# a writer makes chmod() calls as fast as it can; in the middle of it the
# policy directory is switched to B (same rule, new message, one rule more)
# and premodd gets SIGHUP. Afterwards every one of the N chmods is in the
# JSONL journal exactly once, with no seq missing, records of generation 1
# all before those of generation 2, each with its generation's message, and
# no lost record anywhere (kernel or daemon). Then a reload with a broken
# policy: the error is logged with its position and B stays active.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

J=$PM_WORK/changes.jsonl
POL=$PM_WORK/policy
D=$TD/flood
FF=$D/flood.file
RULE=vm-flood
# Each round of the writer: CHUNK chmods, one event each.
CHUNK=${PMD_FLOOD_CHUNK:-2000}
mkdir -p "$POL" "$D"
# flood creates its file when missing; made here, every call is one chmod.
: >"$FF"

# rec_count JQ-CONDITION: records of the journal that satisfy it.
rec_count() { jsonl_count "$J" "$1"; }
# Fast count for polling (jq over a big file is slow under TCG).
flood_lines() { grep -c "\"rule\":\"$RULE\"" "$J" 2>/dev/null; }

# kernel_drops: the module's drop counters, one "name value" line each.
kernel_drops() {
	"$PREMODCTL" stats --json 2>>"$PM_WORK/stats.err" |
		jq -r '.counters | to_entries[] | select(.key | startswith("drop")) | "\(.key) \(.value)"'
}

group "premodd_reload: premodd starts with policy A"
pmd_module &&
pmd_subst "$PMD_FIX/reload-a.json" "$POL/10-flood.json" &&
pmd_subst "$PMD_FIX/reload-b.json" "$PM_WORK/B.json" &&
pmd_start --policy "$POL" --journal "$J" --no-journald --no-syslog --no-alerts
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
assert_eq "$(pmd_stat .generation)" 1 "generation at start"
group_end
DROPS0=$(kernel_drops)

group "premodd_reload: SIGHUP in the middle of a chmod flood"
rm -f "$PM_WORK/stop" "$PM_WORK/flood.counts"
(
	while [ ! -e "$PM_WORK/stop" ]; do
		"$FLOOD" "$CHUNK" "$D" 2>>"$PM_WORK/flood.err" | tail -n 1 >>"$PM_WORK/flood.counts" ||
			{ echo "flood failed" >>"$PM_WORK/flood.err"; break; }
	done
) &
WRITER=$!
# Records of A are coming in: the flood is on and A evaluates it.
wait_until 120 "the first $CHUNK records of policy A" \
	sh -c "[ \$(grep -c '\"rule\":\"$RULE\"' '$J' 2>/dev/null) -ge $CHUNK ]"
kill -0 "$WRITER" 2>/dev/null || fail "the writer stopped early: $(tail -c 300 "$PM_WORK/flood.err")"
# The switch is a rename: premodd never sees half a file.
mv "$PM_WORK/B.json" "$POL/10-flood.json"
kill -HUP "$PMD_PID"
wait_until 60 "premodd's 'policy loaded' after SIGHUP" \
	grep -q 'policy loaded' "$PM_WORK/premodd.err"
# Records of B while the writer still runs: the reload was mid-flood.
wait_until 120 "records of policy B (generation 2)" \
	grep -q '"rule":"vm-flood".*"generation":2' "$J"
kill -0 "$WRITER" 2>/dev/null || fail "the writer had stopped before generation 2 took over"
touch "$PM_WORK/stop"
wait "$WRITER"
N=$(awk '{ n += $1 } END { print n + 0 }' "$PM_WORK/flood.counts")
ROUNDS=$(grep -c . "$PM_WORK/flood.counts")
[ "$N" = $((ROUNDS * CHUNK)) ] ||
	fail "the writer's rounds do not add up: $N events in $ROUNDS rounds of $CHUNK ($(tail -c 300 "$PM_WORK/flood.err"))"
echo "# flood: $N chmods in $ROUNDS rounds"

group "premodd_reload: every event of the flood is in the journal exactly once"
wait_until 300 "$N records of $RULE (have $(flood_lines))" \
	sh -c "[ \$(grep -c '\"rule\":\"$RULE\"' '$J') -ge $N ]"
verdict=$(jq -s -r --arg r "$RULE" --argjson n "$N" --arg ff "$FF" '
	map(select(.rule == $r)) as $m
	| map(select(.kind == "config") | .seq) as $cfg
	| ($m | map(.seq) | unique) as $seqs
	| ($m | map(select(.generation == 1))) as $g1
	| ($m | map(select(.generation == 2))) as $g2
	| [ (if ($m | length) != $n then "\($m | length) records for \($n) events" else empty end),
	    (if ($seqs | length) != ($m | length) then "\(($m | length) - ($seqs | length)) seqs twice" else empty end),
	    # the reload pushes a filter: its config event is sequenced among the flood'"'"'s
	    (($cfg | map(select(. > $seqs[0] and . < $seqs[-1])) | length) as $c
	     | if ($seqs | length) > 0 and ($seqs[-1] - $seqs[0] + 1) != ($seqs | length) + $c
	       then "seqs \($seqs[0])..\($seqs[-1]) have \($seqs[-1] - $seqs[0] + 1 - ($seqs | length) - $c) missing" else empty end),
	    (if ($m | map(select(.path != $ff or .op != "chmod")) | length) > 0 then "records of other events" else empty end),
	    (if ($g1 | length) == 0 then "no record of generation 1" else empty end),
	    (if ($g2 | length) == 0 then "no record of generation 2" else empty end),
	    (if ($g1 | length) + ($g2 | length) != ($m | length) then "records of a generation other than 1 and 2" else empty end),
	    (if ($g1 | map(select(.message | startswith("A: ") | not)) | length) > 0 then "generation 1 record without message A" else empty end),
	    (if ($g2 | map(select(.message | startswith("B: ") | not)) | length) > 0 then "generation 2 record without message B" else empty end),
	    (if ($g1 | length) > 0 and ($g2 | length) > 0 and ($g1 | map(.seq) | max) > ($g2 | map(.seq) | min)
	     then "generations interleave: A up to seq \($g1 | map(.seq) | max), B from \($g2 | map(.seq) | min)" else empty end)
	  ] | if length == 0 then "ok \($g1 | length) \($g2 | length)" else join("; ") end' "$J" 2>&1)
case $verdict in
ok*) echo "# records: generation 1: $(cut -d' ' -f2 <<<"$verdict"), generation 2: $(cut -d' ' -f3 <<<"$verdict")" ;;
*) fail "$verdict" ;;
esac

group "premodd_reload: no loss reported by the daemon or the kernel"
assert_eq "$(rec_count '.kind == "lost"')" 0 "lost records in the journal"
bad=$(pmd_stat '[ (.dropped | to_entries[] | select(.value != 0) | "dropped \(.key) \(.value)"),
	(.sinks | to_entries[] | select(.value.dropped != 0 or .value.failed != 0) | "sink \(.key) dropped \(.value.dropped) failed \(.value.failed)"),
	(if .lost_records != 0 then "lost_records \(.lost_records)" else empty end)
	] | join("; ")')
[ -z "$bad" ] || fail "daemon counters: $bad"
assert_eq "$(pmd_stat .generation)" 2 "generation after the reload"
assert_eq "$(pmd_stat .reloads.ok)" 1 "reloads.ok"
DROPS1=$(kernel_drops)
[ -n "$DROPS1" ] || fail "premodctl stats --json shows no kernel drop counters: $(tail -c 300 "$PM_WORK/stats.err")"
[ "$DROPS0" = "$DROPS1" ] ||
	fail "kernel drop counters moved during the flood: before [$(tr '\n' ' ' <<<"$DROPS0")] after [$(tr '\n' ' ' <<<"$DROPS1")]"

group "premodd_reload: a broken policy is refused, with its position; B stays active"
LAST=$(jq -s 'map(.seq // 0) | max' "$J")
pmd_subst "$PMD_FIX/broken.json" "$POL/20-broken.json"
kill -HUP "$PMD_PID"
wait_until 60 "premodd's 'policy reload failed'" \
	grep -q 'policy reload failed' "$PM_WORK/premodd.err"
grep -qE "$POL/20-broken.json:[0-9]+:[0-9]+: rule vm-broken: .*no_such_field" "$PM_WORK/premodd.err" ||
	fail "no 'FILE:LINE:COLUMN: rule vm-broken: ...' error for the broken file: $(tail -c 400 "$PM_WORK/premodd.err" | tr '\n' ' ')"
# Both rules of B answer, with B's message, still generation 2.
"$FSOP" chmod "$FF" 0600 >/dev/null 2>&1 || fail "fsop chmod $FF failed"
: >"$D/victim"
rm "$D/victim"
wait_until 60 "the records after the failed reload" \
	jsonl_has "$J" ".seq > $LAST and .rule == \"vm-flood-removal\""
after=$(jq -c --argjson l "$LAST" 'select(.seq > $l) | {rule, generation, m: (.message | .[0:2])}' "$J" | sort | tr '\n' ' ')
want='{"rule":"vm-flood","generation":2,"m":"B:"} {"rule":"vm-flood-removal","generation":2,"m":"B:"} '
assert_eq "$after" "$want" "records after the failed reload"
assert_eq "$(pmd_stat .generation)" 2 "generation after the failed reload"
assert_eq "$(pmd_stat .reloads.failed)" 1 "reloads.failed"
rm -f "$POL/20-broken.json"

group "premodd_reload: SIGTERM, exit 0"
pmd_stop
group_end
