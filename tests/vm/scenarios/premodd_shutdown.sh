#!/bin/bash
# premodd's counters in `premodctl stats`, and SIGTERM: with one sink
# stalled (stdout into a pipe nobody reads) and records queued for it,
# SIGTERM must drain every queue, exit 0, and leave final counters that add
# up; meanwhile the stalled sink must not hold the others back.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

J=$PM_WORK/changes.jsonl
POL=$PM_WORK/policy
D=$TD/flood
FF=$D/flood.file
RULE=vm-flood
M=${PMD_BURST:-3000}
mkdir -p "$POL" "$D"
: >"$FF"

# premodd's stdout goes through a FIFO to a reader the test can stop.
mkfifo "$PM_WORK/stdout.fifo"
cat "$PM_WORK/stdout.fifo" >"$PM_WORK/stdout.jsonl" &
READER=$!
trap 'kill -CONT $READER 2>/dev/null; pmd_cleanup; kill $READER 2>/dev/null' EXIT

group "premodd_shutdown: premodd starts"
pmd_module &&
pmd_subst "$PMD_FIX/reload-a.json" "$POL/10-flood.json" &&
PMD_STDOUT=$PM_WORK/stdout.fifo pmd_start --policy "$POL" --journal "$J" \
	--stdout --no-journald --no-syslog --no-alerts
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }

group "premodd_shutdown: premodctl stats shows premodd's section"
"$FSOP" chmod "$FF" 0600 >/dev/null 2>&1 || fail "fsop chmod $FF failed"
wait_until 60 "the record of one chmod" jsonl_has "$J" ".rule == \"$RULE\""
wait_until 30 "premodd's stats file counting the match" \
	sh -c "[ \"\$(jq -r '.rules[\"$RULE\"].matched' '$PMD_STATS')\" = 1 ]"
out=$("$PREMODCTL" stats 2>&1)
grep -q "^premodd ($PMD_STATS)" <<<"$out" ||
	fail "no 'premodd ($PMD_STATS)' section in premodctl stats: $(tail -c 400 <<<"$out" | tr '\n' ' ')"
grep -qE "^  pid +$PMD_PID\$" <<<"$out" || fail "premodctl stats does not show premodd's pid $PMD_PID"
grep -qE "^  rules\.$RULE\.matched +1\$" <<<"$out" ||
	fail "premodctl stats does not show rules.$RULE.matched 1: $(grep 'rules\.' <<<"$out" | tr '\n' ' ')"
bad=$("$PREMODCTL" stats --json 2>&1 | jq -r --argjson pid "$PMD_PID" '
	[ (if .premodd.pid == $pid then empty else "premodd.pid" end),
	  (if .premodd.generation == 1 then empty else "premodd.generation" end),
	  (if .premodd.connected == true then empty else "premodd.connected" end),
	  (if (.premodd.sinks.journal.written // 0) >= 1 and (.premodd.sinks.stdout.written // 0) >= 1 then empty else "premodd.sinks.journal.written" end),
	  (if (.counters.captured | type) == "number" then empty else "counters.captured (kernel)" end)
	] | join(",")' 2>&1)
[ -z "$bad" ] || fail "premodctl stats --json wrong in: $bad"

group "premodd_shutdown: a stalled sink costs only itself; SIGTERM drains it, exit 0"
# The stdout sink writes into a pipe whose reader is stopped: once the pipe
# is full that sink's thread blocks and its queue holds the rest, while the
# journal sink goes on. SIGTERM then finds records still queued.
kill -STOP "$READER"
"$FLOOD" "$M" "$D" >"$PM_WORK/flood.out" 2>&1 || fail "flood failed: $(tail -c 300 "$PM_WORK/flood.out")"
TOTAL=$((M + 1))
wait_until 120 "all $TOTAL records in the journal while stdout is stalled" \
	sh -c "[ \$(grep -c '\"rule\":\"$RULE\"' '$J') -ge $TOTAL ]"
backlog=$(pmd_stat '.sinks.stdout.depth')
[ "${backlog:-0}" -gt 0 ] 2>/dev/null ||
	fail "the stalled stdout sink has no backlog (depth '$backlog'): the test proves nothing"
echo "# stdout sink backlog at SIGTERM: $backlog records"
kill -TERM "$PMD_PID"
wait_until 60 "premodd saying it drains" grep -q 'draining and exiting' "$PM_WORK/premodd.err"
kill -0 "$PMD_PID" 2>/dev/null || fail "premodd exited with its stdout sink stalled (records dropped?)"
kill -CONT "$READER"
pmd_wait_exit
wait "$READER"
n=$(jsonl_count "$J" ".rule == \"$RULE\"")
assert_eq "$n" "$TOTAL" "records of $RULE in the journal"
assert_eq "$(jsonl_count "$PM_WORK/stdout.jsonl" ".rule == \"$RULE\"")" "$TOTAL" "records of $RULE on stdout"
assert_eq "$(jsonl_count "$J" '.kind == "lost"')" 0 "lost records in the journal"
assert_eq "$(jsonl_count "$PM_WORK/stdout.jsonl" '.kind == "lost"')" 0 "lost records on stdout"
# The final counters (written at exit) add up.
bad=$(jq -r --argjson n "$n" '
	[ (if .received == .evaluated then empty else "received \(.received) != evaluated \(.evaluated)" end),
	  (if .records.match == $n then empty else "records.match \(.records.match) != \($n) in the journal" end),
	  (.sinks | to_entries[] | select(.value.written != $n) | "sinks.\(.key).written \(.value.written) != \($n)"),
	  (.sinks | to_entries[] | select(.value.depth != 0 or .value.dropped != 0) | "sinks.\(.key): depth \(.value.depth) dropped \(.value.dropped)"),
	  (if .queue.depth == 0 then empty else "queue.depth \(.queue.depth) at exit" end),
	  (.dropped | to_entries[] | select(.value != 0) | "dropped \(.key) \(.value)")
	] | join("; ")' "$PMD_STATS" 2>&1)
[ -z "$bad" ] || fail "final counters: $bad"
# Both end with a whole line.
for f in "$J" "$PM_WORK/stdout.jsonl"; do
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$f does not end with a newline"
done
group_end
