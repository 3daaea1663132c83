#!/bin/bash
# One system call, every sink: premodd with a two-rule policy, a real
# systemd-journald, a real rsyslogd on /dev/log and `premodctl monitor
# --alerts`. A chmod the first rule matches must come out, once, as the
# same record (same seq, rule, path, message) in the JSONL journal,
# journald's structured fields, the rsyslog file and the alerts group; a
# mkdir the second rule ("outputs": ["journal"]) matches must reach the
# JSONL journal and nothing else.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

J=$PM_WORK/changes.jsonl
POL=$PM_WORK/policy
W=$TD/watched
RULE=vm-sinks-chmod
ONLY=vm-sinks-journal-only
mkdir -p "$POL" "$W"
# Files first: premodd must see nothing of the preparation.
F=$W/file
B=$W/barrier
printf hello >"$F"
chmod 0644 "$F"
: >"$B"

group "premodd_sinks: journald, rsyslogd, premodd and the alerts monitor start"
pmd_module && journald_start && rsyslog_start &&
pmd_subst "$PMD_FIX/sinks.json" "$POL/10-sinks.json" &&
pmd_start --policy "$POL" --journal "$J" &&
mon_start alerts --alerts
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
group_end

# The actor: fsop makes exactly one chmod() in a process whose pid we know.
(echo "$BASHPID" >"$PM_WORK/op.pid"; exec "$FSOP" chmod "$F" 4755) ||
	fail_now "premodd_sinks: chmod" "fsop chmod $F failed"
PID=$(cat "$PM_WORK/op.pid")
MSG="fsop[$PID] uid=0 changed mode of $F from 0644 to 4755"
S_IFREG=$((0100000))

# --- JSONL journal ------------------------------------------------------------
group "premodd_sinks: the JSONL journal has the record"
wait_until 60 "a $RULE record in $J" \
	jsonl_has "$J" ".rule == \"$RULE\""
rec=$(jq -c --arg r "$RULE" 'select(.rule == $r)' "$J" 2>&1)
n=$(grep -c . <<<"$rec")
assert_eq "$n" 1 "records of $RULE in the JSONL journal"
SEQ=$(jq -r '.seq' <<<"$rec" | head -n1)
bad=$(jq -r --arg p "$F" --arg m "$MSG" --argjson pid "$PID" \
	--argjson o $((S_IFREG | 0644)) --argjson nm $((S_IFREG | 04755)) '
	[ (if .kind == "match" then empty else "kind" end),
	  (if .op == "chmod" then empty else "op" end),
	  (if .path == $p then empty else "path" end),
	  (if (.seq | type) == "number" and .seq > 0 then empty else "seq" end),
	  (if .severity == "warning" then empty else "severity" end),
	  (if .message == $m then empty else "message" end),
	  (if .tgid == $pid and .pid == $pid and .uid == 0 then empty else "actor" end),
	  (if .old_mode == $o and .new_mode == $nm then empty else "modes" end),
	  (if .tags == ["vm-test", "sinks"] then empty else "tags" end),
	  (if .generation == 1 then empty else "generation" end),
	  (if (.host | type) == "string" and (.host | length) > 0 then empty else "host" end),
	  (if (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"))
	   then empty else "time" end)
	] | join(",")' <<<"$rec" 2>&1)
[ -z "$bad" ] || fail "record wrong in: $bad (want message '$MSG'): $rec"

# --- journald -----------------------------------------------------------------
group "premodd_sinks: journald has the record as structured fields"
wait_until 60 "journalctl PREMOD_RULE=$RULE" \
	sh -c "journalctl --no-pager -o json PREMOD_RULE=$RULE | grep -q ."
jr=$(journal_query "PREMOD_RULE=$RULE")
assert_eq "$(grep -c . <<<"$jr")" 1 "journal entries with PREMOD_RULE=$RULE"
bad=$(jq -r --arg p "$F" --arg m "$MSG" --arg seq "$SEQ" --arg pid "$PID" '
	[ (if .PREMOD_PATH == $p then empty else "PREMOD_PATH" end),
	  (if .PREMOD_OP == "chmod" then empty else "PREMOD_OP" end),
	  (if .PREMOD_SEQ == $seq then empty else "PREMOD_SEQ" end),
	  (if .PREMOD_TGID == $pid then empty else "PREMOD_TGID" end),
	  (if .PREMOD_UID == "0" then empty else "PREMOD_UID" end),
	  (if .PREMOD_SEVERITY == "warning" then empty else "PREMOD_SEVERITY" end),
	  (if .PRIORITY == "4" then empty else "PRIORITY" end),
	  (if .MESSAGE == $m then empty else "MESSAGE" end),
	  (if (.MESSAGE_ID | test("^[0-9a-f]{32}$")) then empty else "MESSAGE_ID" end),
	  (if .SYSLOG_IDENTIFIER == "premodd" then empty else "SYSLOG_IDENTIFIER" end)
	] | join(",")' <<<"$jr" 2>&1)
[ -z "$bad" ] || fail "journal entry wrong in: $bad: $(head -c 1500 <<<"$jr")"
# MESSAGE_ID is fixed per record kind: the same for every match record.
# The daemon logs with -f to stderr, so nothing else of premodd's is here.
mid=$(jq -r .MESSAGE_ID <<<"$jr")
[ "$(journal_query SYSLOG_IDENTIFIER=premodd | jq -r .MESSAGE_ID | sort -u)" = "$mid" ] ||
	fail "premodd's journal entries carry more than one MESSAGE_ID"

# --- rsyslog ------------------------------------------------------------------
group "premodd_sinks: rsyslogd wrote the record (authpriv, message, key=value)"
wait_until 60 "the record in $PMD_SYSLOG" grep -q "rule=$RULE" "$PMD_SYSLOG"
line=$(grep "rule=$RULE" "$PMD_SYSLOG")
assert_eq "$(grep -c . <<<"$line")" 1 "syslog lines with rule=$RULE"
want_head="authpriv.warning premodd[$PMD_PID]: $MSG "
case $line in
"$want_head"*) ;;
*) fail "syslog line does not start with '$want_head': $line" ;;
esac
for kv in "rule=$RULE" "op=chmod" "path=$F" "seq=$SEQ" "tgid=$PID" \
	"severity=warning" "generation=1" "old_mode=0100644" "new_mode=0104755"; do
	grep -qE "(^| )$kv( |$)" <<<"$line" || { fail "syslog line lacks ' $kv': $line"; break; }
done

# --- alerts group ---------------------------------------------------------------
group "premodd_sinks: premodctl monitor --alerts printed the record"
AF=$(mon_file alerts)
wait_until 60 "the record on the alerts group" \
	jsonl_has "$AF" ".rule == \"$RULE\""
al=$(jq -c --arg r "$RULE" 'select(.rule == $r)' "$AF" 2>&1)
assert_eq "$(grep -c . <<<"$al")" 1 "alerts with rule $RULE"
# The alert is the record itself: the very JSON line of the journal.
assert_eq "$al" "$rec" "alert record vs JSONL record"

# --- outputs ----------------------------------------------------------------------
group "premodd_sinks: a rule with outputs [journal] reaches the JSONL journal only"
mkdir "$W/only"
wait_until 60 "a $ONLY record in $J" \
	jsonl_has "$J" ".rule == \"$ONLY\""
oseq=$(jq -r --arg r "$ONLY" 'select(.rule == $r) | .seq' "$J")
assert_eq "$(grep -c . <<<"$oseq")" 1 "records of $ONLY in the JSONL journal"
# A later record that goes everywhere is the barrier: once it is in every
# sink, the journal-only record would have been there too.
chmod 0600 "$B"
wait_until 60 "the barrier record (chmod of $B) in every sink" sh -c "
	journalctl --no-pager -o json PREMOD_PATH=$B | grep -q . &&
	grep -q 'path=$B' '$PMD_SYSLOG' && grep -qF '\"path\":\"$B\"' '$AF'"
[ -z "$(journal_query "PREMOD_RULE=$ONLY")" ] || fail "$ONLY reached journald"
! grep -q "rule=$ONLY" "$PMD_SYSLOG" || fail "$ONLY reached syslog"
! grep -q "$ONLY" "$AF" || fail "$ONLY reached the alerts group"

# --- no loss anywhere ---------------------------------------------------------------
group "premodd_sinks: no lost records, no sink errors"
assert_eq "$(jsonl_count "$J" '.kind == "lost"')" 0 "lost records in the JSONL journal"
bad=$(pmd_stat '[.sinks | to_entries[] | select(.value.dropped != 0 or .value.failed != 0)
	| "\(.key): dropped \(.value.dropped) failed \(.value.failed) \(.value.last_error)"] | join("; ")')
[ -z "$bad" ] || fail "sink counters: $bad"

group "premodd_sinks: SIGTERM, exit 0; the monitor exits 0"
pmd_stop
mon_stop alerts
group_end
