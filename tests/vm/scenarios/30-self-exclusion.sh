#!/bin/bash
# A registered process raises no events of its own - in any of its
# threads - while everybody else, its own children included (registration
# is per thread group), is still reported.
. "$(dirname "$0")/../lib.sh"

group "self: monitor subscribes"
pm_filter_clear
mon_start ops || exit 1

CASE_DIR=$TD/self
mkdir -p "$CASE_DIR"
self0=$(pm_stat self)

group "self: registered process makes no events"
mon_sync ops
from=$SYNC_SEQ
"$PREMODCTL" register --exec "$FSOP" -p "$PM_WORK/reg.pid" \
	mkdir "$CASE_DIR/d" 0700 -- create "$CASE_DIR/d/f" 0600 \
	-- open "$CASE_DIR/d/f" wronly,trunc -- chmod "$CASE_DIR/d/f" 0644 \
	-- rename "$CASE_DIR/d/f" "$CASE_DIR/d/g" -- unlink "$CASE_DIR/d/g" \
	>"$PM_WORK/reg.out" 2>&1 || fail "register --exec fsop: $(head -c 300 "$PM_WORK/reg.out")"
# The control: the same kind of operation by an unregistered process.
mkdir "$CASE_DIR/control"
mon_sync ops
to=$SYNC_SEQ
mon_window ops "$from" "$to" "$CASE_DIR" >"$PM_WORK/self.jsonl"
reg=$(cat "$PM_WORK/reg.pid" 2>/dev/null)
leaked=$(jq -c --argjson p "${reg:-0}" 'select(.tgid == $p)' "$PM_WORK/self.jsonl")
[ -z "$leaked" ] || fail "events of the registered process $reg: $(head -c 400 <<<"$leaked")"
got=$(jq -r '.op + " " + .path' "$PM_WORK/self.jsonl")
assert_eq "$got" "mkdir $CASE_DIR/control" "events under $CASE_DIR"

group "self: suppressed operations are counted, not lost"
self1=$(pm_stat self)
if [ -z "$self0" ] || [ -z "$self1" ]; then
	fail "no 'self' counter in premodctl stats --json"
elif [ $((self1 - self0)) -lt 6 ]; then
	fail "stats self grew by $((self1 - self0)), want >= 6"
fi

group "self: every thread of the registered process is excluded"
mon_sync ops
from=$SYNC_SEQ
"$PREMODCTL" register --exec "$FSOP" -t -p "$PM_WORK/reg.pid" \
	mkdir "$CASE_DIR/t" 0700 -- rmdir "$CASE_DIR/t" \
	>"$PM_WORK/reg.out" 2>&1 || fail "register --exec fsop -t: $(head -c 300 "$PM_WORK/reg.out")"
mon_sync ops
mon_window ops "$from" "$SYNC_SEQ" "$CASE_DIR" >"$PM_WORK/self-t.jsonl"
[ ! -s "$PM_WORK/self-t.jsonl" ] ||
	fail "threads of the registered process made events: $(head -c 400 "$PM_WORK/self-t.jsonl")"

group "self: children of the registered process are reported"
mon_sync ops
from=$SYNC_SEQ
# The trailing builtin keeps bash from exec'ing its last command (which
# would make it the registered process itself).
"$PREMODCTL" register --exec bash -c \
	'echo $$ >"$1"; mkdir "$2"; "$3" -p "$4" mkdir "$5" 0700; exit $?' _ \
	"$PM_WORK/parent.pid" "$CASE_DIR/child-of-bash" "$FSOP" \
	"$PM_WORK/child.pid" "$CASE_DIR/child-of-bash-2" \
	>"$PM_WORK/reg.out" 2>&1 || fail "register --exec bash: $(head -c 300 "$PM_WORK/reg.out")"
mon_sync ops
mon_window ops "$from" "$SYNC_SEQ" "$CASE_DIR" >"$PM_WORK/self-c.jsonl"
child=$(cat "$PM_WORK/child.pid" 2>/dev/null)
got=$(jq -r '.op + " " + .path' "$PM_WORK/self-c.jsonl" | LC_ALL=C sort | tr '\n' '|')
assert_eq "$got" "mkdir $CASE_DIR/child-of-bash|mkdir $CASE_DIR/child-of-bash-2|" \
	"events of the registered shell's children"
jq -e --argjson c "${child:-0}" --arg p "$CASE_DIR/child-of-bash-2" \
	'select(.path == $p) | .tgid == $c' "$PM_WORK/self-c.jsonl" >/dev/null ||
	fail "the child's event does not carry the child's tgid ${child:-?}"

group "self: a second registration is refused while the first lives"
# A long-lived registered shell creates files on request, with a builtin
# redirection (in its own process).
mkfifo "$PM_WORK/a.fifo"
"$PREMODCTL" register --exec bash -c \
	'echo $$ >"$1"; while read -r p; do : >"$p"; done' _ "$PM_WORK/a.pid" \
	<"$PM_WORK/a.fifo" 2>"$PM_WORK/a.err" &
apid=$!
exec 7>"$PM_WORK/a.fifo"
wait_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -e "$1" ] && return 0
		kill -0 "$apid" 2>/dev/null || break
		sleep 0.1
	done
	fail "$1 did not appear (registered shell: $(head -c 200 "$PM_WORK/a.err"))"
	return 1
}
if wait_file "$PM_WORK/a.pid"; then
	mon_sync ops
	from=$SYNC_SEQ
	echo "$CASE_DIR/r1" >&7
	wait_file "$CASE_DIR/r1"
	mon_sync ops
	n=$(mon_window ops "$from" "$SYNC_SEQ" "$CASE_DIR" | jq -s length)
	assert_eq "$n" 0 "events of the registered shell"
	"$PREMODCTL" register --exec true >"$PM_WORK/reg.out" 2>&1 &&
		fail "a second register succeeded while the first lives"
	grep -qi busy "$PM_WORK/reg.out" ||
		fail "second register: $(head -c 300 "$PM_WORK/reg.out")"
	mon_sync ops
	from=$SYNC_SEQ
	echo "$CASE_DIR/r2" >&7
	wait_file "$CASE_DIR/r2"
	mon_sync ops
	n=$(mon_window ops "$from" "$SYNC_SEQ" "$CASE_DIR" | jq -s length)
	# The refused REGISTER left the first registration in place.
	assert_eq "$n" 0 "events of the still registered shell for r2"
fi
exec 7>&-
wait "$apid" 2>/dev/null

group "self: monitor exits 0 on SIGINT"
mon_stop ops
group_end
