# tests/vm/lib.sh - shared by the VM scenarios (sourced, bash).
#
# Results: a scenario reports assertion groups, one line each:
#   PASS name            every check of the group held
#   FAIL name: reason    the first check that did not
# run-scenarios counts those lines; a scenario that dies without
# reporting is a failure too.
#
# Monitors: mon_start starts `premodctl monitor --json` in the background
# and returns once it has said it is subscribed. mon_sync is the barrier
# that replaces sleeping: it makes a marker directory and waits until the
# monitor has received the marker *and* every event sequenced before it (or
# a LOST record covering it), so afterwards "what the monitor has" is
# exactly "what happened before the marker". Events of a window are picked
# by sequence number between two barriers and by path.

set -u
umask 022

PM_REPO=${PM_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PM_BUILD=${PM_BUILD:-$PM_REPO/build}
case $PM_BUILD in /*) ;; *) PM_BUILD=$PM_REPO/$PM_BUILD ;; esac
PREMODCTL=${PREMODCTL:-$PM_BUILD/premodctl}
FSOP=${FSOP:-$PM_BUILD/tests/vm/fsop}
FLOOD=${FLOOD:-$PM_BUILD/tests/vm/flood}

# Users of the unprivileged checks.
NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --)

SCENARIO=${SCENARIO:-$(basename "${0%.sh}")}
# Logs and monitor output live outside the watched tree.
PM_WORK=${PM_WORK_ROOT:-/tmp/pm-work}/$SCENARIO
TD=${PM_TEST_ROOT:-/tmp/pmt}/$SCENARIO
rm -rf "$PM_WORK" "$TD"
mkdir -p "$PM_WORK" "$TD"

# --- assertion groups ------------------------------------------------------
PM_GROUP=
PM_GROUP_ERR=

group() {
	[ -n "$PM_GROUP" ] && group_end
	PM_GROUP=$1
	PM_GROUP_ERR=
}

# fail REASON: the group fails with the first reason given.
fail() {
	[ -n "$PM_GROUP_ERR" ] || PM_GROUP_ERR=$*
	return 1
}

group_end() {
	[ -n "$PM_GROUP" ] || return 0
	if [ -z "$PM_GROUP_ERR" ]; then
		echo "PASS $PM_GROUP"
	else
		echo "FAIL $PM_GROUP: $PM_GROUP_ERR"
	fi
	PM_GROUP=
	PM_GROUP_ERR=
}

# A failure that does not belong to a group (setup): reported on its own.
fail_now() {
	echo "FAIL $1: $2"
}

assert_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# assert_status WANT WHAT CMD...: runs CMD, checks its exit status.
assert_status() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$PM_WORK/last.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] ||
		fail "$what: exit status $rc, want $want ($(tail -c 300 "$PM_WORK/last.out" | tr '\n' ' '))"
}

# --- the module ------------------------------------------------------------
pm_loaded() { [ -d /sys/module/premod ]; }

pm_filter_clear() {
	"$PREMODCTL" filter clear >"$PM_WORK/filter-clear.out" 2>&1 ||
		fail "premodctl filter clear: $(head -c 300 "$PM_WORK/filter-clear.out")"
}

# pm_stat NAME: one counter from `premodctl stats --json`, wherever it sits
# in the object (the output may group counters).
pm_stat() {
	"$PREMODCTL" stats --json 2>"$PM_WORK/stats.err" |
		jq -r --arg k "$1" 'first(.. | objects | select(has($k)) | .[$k]) // empty'
}

# --- monitors --------------------------------------------------------------
declare -A MON_PID=() MON_SYNC=()
PM_SYNC_N=0
SYNC_SEQ=

mon_file() { echo "$PM_WORK/mon-$1.jsonl"; }

# mon_start NAME [ARGS...]: premodctl monitor --json ARGS..., subscribed.
mon_start() {
	local name=$1 i
	shift
	local out err
	out=$(mon_file "$name")
	err=$PM_WORK/mon-$name.err
	: >"$out"
	: >"$err"
	"$PREMODCTL" monitor --json "$@" >"$out" 2>"$err" &
	MON_PID[$name]=$!
	unset "MON_SYNC[$name]"
	for ((i = 0; i < 1200; i++)); do
		grep -qs 'premodctl: monitoring' "$err" && return 0
		if ! kill -0 "${MON_PID[$name]}" 2>/dev/null; then
			fail "monitor $name exited before it was ready: $(head -c 300 "$err")"
			return 1
		fi
		sleep 0.05
	done
	fail "monitor $name not ready after 60s"
	return 1
}

# mon_stop NAME: SIGINT, and the monitor must exit 0.
mon_stop() {
	local name=$1 rc=0 pid=${MON_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	unset "MON_PID[$name]"
	[ "$rc" = 0 ] || fail "monitor $name exited $rc on SIGINT: $(tail -c 300 "$PM_WORK/mon-$name.err")"
}

mon_kill_all() {
	local n
	for n in "${!MON_PID[@]}"; do
		kill -CONT "${MON_PID[$n]}" 2>/dev/null
		kill -KILL "${MON_PID[$n]}" 2>/dev/null
		wait "${MON_PID[$n]}" 2>/dev/null
	done
	MON_PID=()
}

# The events of a monitor file, one compact object per line; lines that are
# not JSON (a human note) are skipped.
mon_events() { jq -c -R 'fromjson? // empty | select(type == "object" and has("op"))' "$(mon_file "$1")"; }

# mon_sync NAME [DIR]: barrier (see the top). DIR must be a place the active
# filter reports (default: the scenario's tree). Sets SYNC_SEQ.
mon_sync() {
	local name=$1 dir=${2:-$TD} marker verdict i from
	PM_SYNC_N=$((PM_SYNC_N + 1))
	mkdir -p "$dir/.sync"
	marker=$dir/.sync/m$PM_SYNC_N
	mkdir "$marker" || { fail "cannot make barrier $marker"; return 1; }
	from=${MON_SYNC[$name]:-none}
	for ((i = 0; i < 600; i++)); do
		if grep -qsF "$marker\"" "$(mon_file "$name")"; then
			verdict=$(mon_events "$name" | jq -r -s --arg m "$marker" --arg from "$from" '
				(map(select(.op == "mkdir" and .path == $m)) | first | .seq) as $ms
				| if $ms == null then "wait" else
				  (if $from == "none"
				   then (map(.seq) | min) - 1 else ($from | tonumber) end) as $f
				  | (map(select(.op != "lost") | .seq) | unique) as $got
				  | map(select(.op == "lost")) as $lost
				  | [range($f + 1; $ms)
				     | select(. as $s | ($got | bsearch($s)) < 0
				       and ($lost | any(.lost_first <= $s and $s <= .lost_last) | not))]
				  | if length == 0 then "ok \($ms)" else "wait" end
				  end')
			case $verdict in
			ok*)
				SYNC_SEQ=${verdict#ok }
				MON_SYNC[$name]=$SYNC_SEQ
				return 0 ;;
			esac
		fi
		if ! kill -0 "${MON_PID[$name]:-0}" 2>/dev/null; then
			fail "monitor $name died: $(tail -c 300 "$PM_WORK/mon-$name.err")"
			return 1
		fi
		sleep 0.1
	done
	fail "barrier $marker: monitor $name did not receive it (and all before it) within 60s"
	return 1
}

# mon_window NAME FROM TO PREFIX: events FROM < seq < TO whose path or path2
# lies under PREFIX (absolute, or relative to the file system root for
# PREMOD_F_FS_RELATIVE events), barrier markers excluded; LOST records of
# the window are kept, so a loss cannot pass for "no event".
mon_window() {
	local name=$1 from=$2 to=$3 prefix=$4 mnt rel
	mnt=$(findmnt -n -o TARGET --target "$prefix")
	rel=${prefix#"$mnt"}
	[ "$mnt" = / ] && rel=$prefix
	mon_events "$name" | jq -c --argjson from "$from" --argjson to "$to" \
		--arg p "$prefix" --arg r "$rel" '
		def under($x): . != null and (. == $x or startswith($x + "/"));
		select(.seq > $from and .seq < $to)
		| select(.op == "lost"
			or ((.path | under($p)) or (.path2 | under($p))
			    or ((.flags // 0) % 16 >= 8 and (.path | under($r))))
			and ((.path // "") | contains("/.sync/") | not))'
}

# --- cases: one operation between two barriers ------------------------------
# case_run [--as-nobody] [--may-fail] -- CMD...: runs CMD between barriers of
# monitor "ops" and leaves its events (under $CASE_DIR) in $CASE_EV. The
# actor's pid is CMD's own (a subshell that execs it).
CASE_DIR=
CASE_EV=
case_run() {
	local pre=() mayfail=0 me=$BASHPID from to
	while [ "$1" != -- ]; do
		case $1 in
		--as-nobody) pre=("${AS_NOBODY[@]}") ;;
		--may-fail) mayfail=1 ;;
		esac
		shift
	done
	shift
	CASE_EV=$PM_WORK/case-$PM_GROUP.jsonl
	: >"$CASE_EV"
	mon_sync ops || return 1
	from=$SYNC_SEQ
	CASE_T0=$(date +%s%N)
	CASE_RC=0
	(echo "$BASHPID" >"$PM_WORK/op.pid"; exec "${pre[@]}" "$@") \
		>"$PM_WORK/op.out" 2>&1 || CASE_RC=$?
	CASE_T1=$(date +%s%N)
	CASE_PID=$(cat "$PM_WORK/op.pid")
	CASE_PPID=$me
	mon_sync ops || return 1
	to=$SYNC_SEQ
	mon_window ops "$from" "$to" "$CASE_DIR" >"$CASE_EV"
	if [ "$CASE_RC" != 0 ] && [ "$mayfail" = 0 ]; then
		fail "$* failed ($CASE_RC): $(head -c 300 "$PM_WORK/op.out")"
		return 1
	fi
}

# case_ops: the ops of the window, sorted, space separated.
case_ops() { jq -r .op "$CASE_EV" | sort | tr '\n' ' ' | sed 's/ $//'; }

# expect_ops "OP..." : the window holds exactly these events (sorted names).
expect_ops() {
	local got want
	want=$(tr ' ' '\n' <<<"$1" | sort | tr '\n' ' ' | sed 's/ $//')
	got=$(case_ops)
	[ "$got" = "$want" ] ||
		fail "events under $CASE_DIR: got [$got], want [$want]: $(head -c 600 "$CASE_EV" | tr '\n' ' ')"
}

# expect_event OP JQ-CONDITION [JQ-ARGS...]: the one OP event of the window
# satisfies the condition and carries the actor's identity. In the
# condition, $pid $ppid $uid $gid $t0 $t1 $dev $mntns $cg are bound.
expect_event() {
	local op=$1 cond=$2 ev uid gid dev mntns cg
	shift 2
	ev=$(jq -c --arg op "$op" 'select(.op == $op)' "$CASE_EV")
	if [ -z "$ev" ]; then
		fail "no $op event under $CASE_DIR (got [$(case_ops)])"
		return 1
	fi
	if [ "$(wc -l <<<"$ev")" != 1 ]; then
		fail "more than one $op event under $CASE_DIR: $(tr '\n' ' ' <<<"$ev")"
		return 1
	fi
	uid=${CASE_UID:-0}
	gid=${CASE_GID:-0}
	dev=$(stat -c %d "$CASE_DIR")
	mntns=$(stat -L -c %i /proc/self/ns/mnt)
	cg=$(stat -c %i "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)")
	# With CASE_THREADED=1 the operation ran in a second thread of $pid.
	local tid='.pid == $pid'
	[ "${CASE_THREADED:-0}" = 1 ] && tid='.pid != $pid'
	local actor='.tgid == $pid and '"$tid"' and .ppid == $ppid
		and .uid == $uid and .euid == $uid and .fsuid == $uid
		and .gid == $gid and .egid == $gid and .fsgid == $gid
		and .time >= $t0 and .time <= $t1 and .dev == $dev
		and .mntns == $mntns and .cgroup == $cg
		and .auid == $auid and .session == $ses and (.seq | type) == "number"'
	local bad
	bad=$(jq -c --argjson pid "$CASE_PID" --argjson ppid "$CASE_PPID" \
		--argjson uid "$uid" --argjson gid "$gid" \
		--argjson t0 "$CASE_T0" --argjson t1 "$CASE_T1" \
		--argjson dev "$dev" --argjson mntns "$mntns" --argjson cg "$cg" \
		--argjson auid "$(cat /proc/self/loginuid)" \
		--argjson ses "$(cat /proc/self/sessionid)" "$@" \
		"if ($actor) then (if ($cond) then empty else \"condition\" end)
		 else \"actor\" end" <<<"$ev" 2>&1)
	case $bad in
	"") return 0 ;;
	*actor*) fail "$op event: actor/identity wrong (want pid/tgid $CASE_PID ppid $CASE_PPID uid/gid $uid/$gid dev $dev mntns $mntns cgroup $cg, time in [$CASE_T0,$CASE_T1]): $ev" ;;
	*condition*) fail "$op event: not ($cond): $ev" ;;
	*) fail "$op event: jq: $bad" ;;
	esac
	return 1
}

# newcase NAME [OWNER]: a group with a fresh directory $CASE_DIR (owned by
# OWNER when given); the actor is root unless CASE_UID/CASE_GID say else.
newcase() {
	group "$1"
	CASE_DIR=$TD/$1
	mkdir -p "$CASE_DIR"
	[ -n "${2:-}" ] && chown "$2:$2" "$CASE_DIR"
	CASE_THREADED=0
}

# --- small helpers ------------------------------------------------------------
ino() { stat -c %i "$1"; }

# mode_of PATH: st_mode as a decimal number (type bits included).
mode_of() { echo $((0x$(stat -c %f "$1"))); }

pm_cleanup() {
	mon_kill_all
	"$PREMODCTL" filter clear >/dev/null 2>&1
	group_end
}
trap pm_cleanup EXIT
