#!/bin/bash
# SIEM-ready records and the fleet route, with the real engines:
# premodd writes one chmod's record as
#   - an ECS line in the change journal (format "ecs"),
#   - a journald entry with one PREMOD_TAG per tag,
#   - RFC 5424 syslog on a socket of a local rsyslogd, which parses the
#     structured data back (mmpstrucdata) and forwards the message over TCP
#     on loopback (octet-counted framing) to a second rsyslogd, the central
#     collector, which parses it again.
# And the journald route: systemd-journal-upload sends the local journal
# over HTTP on loopback to systemd-journal-remote, the central journal,
# where `journalctl PREMOD_TAG=identity` must find the same entry.
# The file name holds every character RFC 5424 escapes in a PARAM-VALUE
# ('"', '\', ']') and a space and '=': it must arrive exactly, everywhere.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

J=$PM_WORK/changes.ecs.jsonl
POL=$PM_WORK/policy
W=$TD/watched
RULE=vm-siem-chmod
SDID='premod@32473'
SOCK=$PM_WORK/premod-syslog.sock
LOCAL_OUT=$PM_WORK/local.jsonl
CENTRAL_OUT=$PM_WORK/central.jsonl
PORT=10514
LOCAL_PID=
CENTRAL_PID=
JREMOTE_PID=
JUPLOAD_PID=
JPORT=19532
JREMOTE_DIR=$PM_WORK/remote-journal
mkdir -p "$POL" "$W"
F=$W'/odd "name" \x ]y=1'
printf hello >"$F"
chmod 0644 "$F"

siem_cleanup() {
	local p
	for p in $LOCAL_PID $CENTRAL_PID $JUPLOAD_PID $JREMOTE_PID; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pmd_cleanup
}
trap siem_cleanup EXIT

# The JSON line both collectors write per message: the header fields and
# the structured data as rsyslog parsed them.
rs_template() {
	cat <<-'EOF'
	template(name="sdjson" type="list") {
	  constant(value="{\"pri\":") property(name="pri")
	  constant(value=",\"host\":\"") property(name="hostname" format="json")
	  constant(value="\",\"app\":\"") property(name="app-name" format="json")
	  constant(value="\",\"procid\":\"") property(name="procid" format="json")
	  constant(value="\",\"msgid\":\"") property(name="msgid" format="json")
	  constant(value="\",\"msg\":\"") property(name="msg" format="json")
	  constant(value="\",\"sd\":") property(name="$!rfc5424-sd")
	  constant(value="}\n")
	}
	EOF
}

# rs_start NAME CONF-BODY: an rsyslogd of its own (work dir, pid file), no
# system socket.
rs_start() {
	local name=$1 body=$2
	mkdir -p "$PM_WORK/rs-$name"
	{
		echo "global(workDirectory=\"$PM_WORK/rs-$name\" maxMessageSize=\"64k\")"
		rs_template
		echo "$body"
	} >"$PM_WORK/rs-$name.conf"
	rsyslogd -n -f "$PM_WORK/rs-$name.conf" -i "$PM_WORK/rs-$name.pid" \
		>"$PM_WORK/rs-$name.out" 2>&1 &
}

group "premodd_siem: journald, the central and the local rsyslogd, premodd start"
command -v rsyslogd >/dev/null || fail "rsyslogd not found (install rsyslog)"
ip link set lo up 2>/dev/null
rs_start central "
module(load=\"imtcp\")
module(load=\"mmpstrucdata\")
input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$PORT\" ruleset=\"central\")
ruleset(name=\"central\") {
  action(type=\"mmpstrucdata\")
  action(type=\"omfile\" file=\"$CENTRAL_OUT\" template=\"sdjson\")
}"
CENTRAL_PID=$!
wait_until 60 "the central rsyslogd listening on 127.0.0.1:$PORT ($(tail -c 300 "$PM_WORK/rs-central.out" 2>/dev/null))" \
	sh -c "grep -q ':$(printf %04X $PORT) ' /proc/net/tcp"
# The local one: premodd's socket with the regular parser chain (the
# special parser of imuxsock knows only the BSD form), the parsed record
# to a file, the message on to the collector.
rs_start local "
module(load=\"imuxsock\" SysSock.Use=\"off\")
module(load=\"mmpstrucdata\")
input(type=\"imuxsock\" Socket=\"$SOCK\" UseSpecialParser=\"off\"
      ParseHostname=\"on\" RateLimit.Interval=\"0\" ruleset=\"local\")
ruleset(name=\"local\") {
  action(type=\"mmpstrucdata\")
  action(type=\"omfile\" file=\"$LOCAL_OUT\" template=\"sdjson\")
  action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$PORT\" protocol=\"tcp\"
         TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")
}"
LOCAL_PID=$!
wait_until 60 "the local rsyslogd socket $SOCK ($(tail -c 300 "$PM_WORK/rs-local.out" 2>/dev/null))" \
	test -S "$SOCK"
# Listening is not yet delivering: an RFC 5424 probe through both.
logger --socket-errors=on -u "$SOCK" --rfc5424 -t pm-probe \
	--sd-id probe@32473 --sd-param "n=\"$$\"" "probe $$" ||
	fail "logger could not write to $SOCK"
wait_until 90 "the probe at the central rsyslogd ($(tail -c 300 "$PM_WORK/rs-local.out" "$PM_WORK/rs-central.out" 2>/dev/null))" \
	grep -qF "probe $$" "$CENTRAL_OUT"
pmd_module && journald_start &&
pmd_subst "$PMD_FIX/siem.json" "$PM_WORK/premodd.json" &&
pmd_subst "$PMD_FIX/siem-policy.json" "$POL/10-siem.json" &&
PMD_CONFIG=$PM_WORK/premodd.json PMD_STDOUT=$PM_WORK/premodd.out \
	pmd_start --policy "$POL" --journal "$J"
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
group_end

group "premodd_siem: systemd-journal-remote and systemd-journal-upload start"
mkdir -p "$JREMOTE_DIR"
/lib/systemd/systemd-journal-remote --listen-http="127.0.0.1:$JPORT" \
	--output="$JREMOTE_DIR/" >"$PM_WORK/jremote.out" 2>&1 &
JREMOTE_PID=$!
wait_until 60 "systemd-journal-remote listening on 127.0.0.1:$JPORT ($(tail -c 300 "$PM_WORK/jremote.out" 2>/dev/null))" \
	sh -c "grep -q ':$(printf %04X $JPORT) ' /proc/net/tcp"
# It follows the local journal from its start: premodd's entries included.
/lib/systemd/systemd-journal-upload --url="http://127.0.0.1:$JPORT" \
	--save-state="$PM_WORK/jupload.state" >"$PM_WORK/jupload.out" 2>&1 &
JUPLOAD_PID=$!
group_end

(echo "$BASHPID" >"$PM_WORK/op.pid"; exec "$FSOP" chmod "$F" 4755) ||
	fail_now "premodd_siem: chmod" "fsop chmod $F failed"
PID=$(cat "$PM_WORK/op.pid")
MSG="fsop[$PID] changed mode of $F to 4755"

# --- the record premodd made (stdout, JSON) -------------------------------------
group "premodd_siem: the record (stdout JSON) is the chmod's"
wait_until 60 "a $RULE record on premodd's stdout" \
	jsonl_has "$PM_WORK/premodd.out" ".rule == \"$RULE\""
rec=$(jq -c --arg r "$RULE" 'select(.rule == $r)' "$PM_WORK/premodd.out")
assert_eq "$(grep -c . <<<"$rec")" 1 "records of $RULE on stdout"
SEQ=$(jq -r .seq <<<"$rec")
HOST=$(jq -r .host <<<"$rec")
TIME=$(jq -r .time <<<"$rec")
assert_eq "$(jq -r .path <<<"$rec")" "$F" "path of the record"
assert_eq "$(jq -r .message <<<"$rec")" "$MSG" "message of the record"

# --- ECS ---------------------------------------------------------------------------
group "premodd_siem: the journal has the record in ECS form"
wait_until 60 "the ECS record in $J" jsonl_has "$J" ".rule.name == \"$RULE\""
ecs=$(jq -c --arg r "$RULE" 'select(.rule.name == $r)' "$J")
assert_eq "$(grep -c . <<<"$ecs")" 1 "ECS records of $RULE"
bad=$(jq -r --arg p "$F" --arg m "$MSG" --arg t "$TIME" --arg h "$HOST" \
	--argjson seq "$SEQ" --argjson pid "$PID" '
	[ (if .["@timestamp"] == $t then empty else "@timestamp" end),
	  (if .ecs.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$") then empty else "ecs.version" end),
	  (if .event.action == "chmod" then empty else "event.action" end),
	  (if .event.kind == "alert" then empty else "event.kind" end),
	  (if .event.category == ["file"] then empty else "event.category" end),
	  (if .event.type == ["change"] then empty else "event.type" end),
	  (if .event.sequence == $seq then empty else "event.sequence" end),
	  (if .file.path == $p then empty else "file.path" end),
	  (if .file.name == ($p | split("/") | last) then empty else "file.name" end),
	  (if .file.mode == "0644" and .file.type == "file" then empty else "file.mode/type" end),
	  (if (.file.inode | type) == "string" then empty else "file.inode" end),
	  (if .process.pid == $pid and .process.name == "fsop" then empty else "process" end),
	  (if .user.id == "0" and .group.id == "0" then empty else "user/group" end),
	  (if .host.name == $h then empty else "host.name" end),
	  (if .rule.name != null and .log.level == "warning" then empty else "log.level" end),
	  (if .tags == ["vm-test", "identity", "siem"] then empty else "tags" end),
	  (if .message == $m then empty else "message" end),
	  (if .premod.new_mode == "0104755" and .premod.old_mode == "0100644" then empty else "premod modes" end),
	  (if .premod.generation == 1 then empty else "premod.generation" end)
	] | join(",")' <<<"$ecs" 2>&1)
[ -z "$bad" ] || fail "ECS record wrong in: $bad: $ecs"

# --- journald: one PREMOD_TAG per tag ---------------------------------------------
group "premodd_siem: journalctl PREMOD_TAG=identity finds the record"
wait_until 60 "journalctl PREMOD_TAG=identity" \
	sh -c "journalctl --no-pager -o json PREMOD_TAG=identity | grep -q ."
jr=$(journal_query PREMOD_TAG=identity)
assert_eq "$(grep -c . <<<"$jr")" 1 "entries with PREMOD_TAG=identity"
assert_eq "$(jq -r .PREMOD_RULE <<<"$jr")" "$RULE" "PREMOD_RULE of that entry"
assert_eq "$(jq -r .PREMOD_PATH <<<"$jr")" "$F" "PREMOD_PATH of that entry"
assert_eq "$(jq -c '.PREMOD_TAG | sort' <<<"$jr")" '["identity","siem","vm-test"]' \
	"PREMOD_TAG values"
assert_eq "$(jq -r .PREMOD_TAGS <<<"$jr")" "vm-test,identity,siem" "PREMOD_TAGS"
assert_eq "$(journal_query PREMOD_TAG=siem | grep -c .)" 1 "entries with PREMOD_TAG=siem"
assert_eq "$(journal_query PREMOD_TAG=sinks | grep -c .)" 0 "entries with PREMOD_TAG=sinks"

# --- RFC 5424, parsed back by the local rsyslogd ------------------------------------
# The fields every route must deliver exactly: name, then the value.
want_sd() {
	jq -c --arg p "$F" --arg seq "$SEQ" --arg pid "$PID" --arg h "$HOST" --arg t "$TIME" -n '
	{seq: $seq, time: $t, host: $h, op: "chmod", tgid: $pid, pid: $pid,
	 uid: "0", comm: "fsop", path: $p, old_mode: "0100644",
	 new_mode: "0104755", kind: "match", rule: "vm-siem-chmod",
	 severity: "warning", tags: "vm-test,identity,siem", generation: "1"}'
}
# check_sd NAME LINE: the line a collector wrote holds the record intact.
check_sd() {
	local name=$1 line=$2 want got
	want=$(want_sd)
	got=$(jq -r --arg id "$SDID" --argjson w "$want" \
		'.sd[$id] as $sd | $w | with_entries(select($sd[.key] != .value))
		 | keys | join(",")' <<<"$line" 2>&1)
	[ -z "$got" ] || { fail "$name: SD fields differ: $got: $line"; return; }
	# local4 (20) * 8 + warning (4)
	assert_eq "$(jq -r .pri <<<"$line")" 164 "$name: PRI"
	assert_eq "$(jq -r .msgid <<<"$line")" match "$name: MSGID"
	assert_eq "$(jq -r .app <<<"$line")" premodd "$name: APP-NAME"
	assert_eq "$(jq -r .procid <<<"$line")" "$PMD_PID" "$name: PROCID"
	assert_eq "$(jq -r .host <<<"$line")" "$HOST" "$name: HOSTNAME"
	assert_eq "$(jq -r '.msg | ltrimstr(" ")' <<<"$line")" "$MSG" "$name: MSG"
	assert_eq "$(jq -r --arg id "$SDID" '.sd[$id] | has("path_hex")' <<<"$line")" false \
		"$name: path_hex (the name is UTF-8 without controls)"
}
group "premodd_siem: the local rsyslogd parsed the RFC 5424 structured data"
wait_until 60 "the record in $LOCAL_OUT" \
	jsonl_has "$LOCAL_OUT" ".sd[\"$SDID\"].rule == \"$RULE\""
lline=$(jq -c --arg id "$SDID" 'select(.sd[$id].rule == "vm-siem-chmod")' "$LOCAL_OUT")
assert_eq "$(grep -c . <<<"$lline")" 1 "records at the local rsyslogd"
check_sd local "$lline"

# --- the fleet: the central collector over TCP ---------------------------------------
group "premodd_siem: the central rsyslogd got the record intact over TCP"
wait_until 60 "the record in $CENTRAL_OUT" \
	jsonl_has "$CENTRAL_OUT" ".sd[\"$SDID\"].rule == \"$RULE\""
cline=$(jq -c --arg id "$SDID" 'select(.sd[$id].rule == "vm-siem-chmod")' "$CENTRAL_OUT")
assert_eq "$(grep -c . <<<"$cline")" 1 "records at the central rsyslogd"
check_sd central "$cline"
assert_eq "$(jq -cS .sd <<<"$cline")" "$(jq -cS .sd <<<"$lline")" \
	"structured data central vs local"

# --- the fleet, journald's route -----------------------------------------------------
group "premodd_siem: the central journal (journal-upload -> journal-remote) has the entry"
wait_until 90 "journalctl -D $JREMOTE_DIR PREMOD_TAG=identity ($(tail -c 300 "$PM_WORK/jupload.out" "$PM_WORK/jremote.out" 2>/dev/null))" \
	sh -c "journalctl --no-pager -D '$JREMOTE_DIR' -o json PREMOD_TAG=identity 2>/dev/null | grep -q ."
rj=$(journalctl --no-pager -D "$JREMOTE_DIR" -o json PREMOD_TAG=identity 2>>"$PM_WORK/journalctl.err")
assert_eq "$(grep -c . <<<"$rj")" 1 "central entries with PREMOD_TAG=identity"
bad=$(jq -r --arg p "$F" --arg m "$MSG" --arg seq "$SEQ" '
	[ (if .PREMOD_PATH == $p then empty else "PREMOD_PATH" end),
	  (if .PREMOD_RULE == "vm-siem-chmod" then empty else "PREMOD_RULE" end),
	  (if .PREMOD_SEQ == $seq then empty else "PREMOD_SEQ" end),
	  (if .MESSAGE == $m then empty else "MESSAGE" end),
	  (if (.PREMOD_TAG | sort) == ["identity", "siem", "vm-test"] then empty else "PREMOD_TAG" end),
	  (if .SYSLOG_IDENTIFIER == "premodd" then empty else "SYSLOG_IDENTIFIER" end)
	] | join(",")' <<<"$rj" 2>&1)
[ -z "$bad" ] || fail "central journal entry wrong in: $bad: $(head -c 1500 <<<"$rj")"

# --- no loss -------------------------------------------------------------------------
group "premodd_siem: no lost records, no sink errors; SIGTERM, exit 0"
assert_eq "$(jsonl_count "$J" '.premod.kind == "lost"')" 0 "lost records in the journal"
bad=$(pmd_stat '[.sinks | to_entries[] | select(.value.dropped != 0 or .value.failed != 0)
	| "\(.key): dropped \(.value.dropped) failed \(.value.failed) \(.value.last_error)"] | join("; ")')
[ -z "$bad" ] || fail "sink counters: $bad"
pmd_stop
group_end
