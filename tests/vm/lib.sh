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
PM_TD_MNT=$(findmnt -n -o TARGET --target "$TD")
PM_TD_DEV=$(stat -c %d "$TD")

# Who we are, as the module reports it for our children.
PM_MNTNS=$(stat -L -c %i /proc/self/ns/mnt)
PM_CGROUP=$(stat -c %i "/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)" 2>/dev/null || echo 0)
PM_AUID=$(cat /proc/self/loginuid)
PM_SESSION=$(cat /proc/self/sessionid)

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
		# One readable line, whatever the reason dragged in.
		local why=${PM_GROUP_ERR//$'\n'/ }
		[ ${#why} -le 1000 ] || why="${why:0:1000}..."
		echo "FAIL $PM_GROUP: $why"
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
declare -A MON_PID=() MON_SYNC=() MON_SEQLINE=()
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
# filter reports, CREATE included (default: the scenario's tree). Sets
# SYNC_SEQ.
# Events arrive in sequence order (the module merges its per-CPU buffers
# before sending), so once the marker is in the file so is everything
# sequenced before it - or a gap that mon_window reports.
mon_sync() {
	local name=$1 dir=${2:-$TD} marker line file end
	file=$(mon_file "$name")
	PM_SYNC_N=$((PM_SYNC_N + 1))
	[ -d "$dir/.sync" ] || mkdir -p "$dir/.sync"
	marker=$dir/.sync/m$PM_SYNC_N
	# A builtin redirection: the marker (CREATE) costs no process, which
	# counts under TCG.
	: >"$marker" || { fail "cannot make barrier $marker"; return 1; }
	end=$((SECONDS + 120))
	while :; do
		line=$(grep -nF -m1 "\"$marker\"" "$file")
		if [[ $line =~ ^([0-9]+):.*\"seq\":\ *([0-9]+) ]]; then
			SYNC_SEQ=${BASH_REMATCH[2]}
			MON_SYNC[$name]=$SYNC_SEQ
			MON_SEQLINE[$name:$SYNC_SEQ]=${BASH_REMATCH[1]}
			return 0
		fi
		if ! kill -0 "${MON_PID[$name]:-0}" 2>/dev/null; then
			fail "monitor $name died: $(tail -c 300 "$PM_WORK/mon-$name.err")"
			return 1
		fi
		[ "$SECONDS" -lt "$end" ] || break
		pm_nap
	done
	fail "barrier $marker: monitor $name did not receive it within 120s"
	return 1
}

# pm_nap: 0.05 s without starting a process (read on a pipe nobody writes).
if exec {PM_NAP_FD}<> <(:); then
	pm_nap() { read -r -t 0.05 -u "$PM_NAP_FD" _ || :; }
else
	pm_nap() { sleep 0.05; }
fi 2>/dev/null

# mon_window NAME FROM TO PREFIX: events FROM < seq < TO whose path or path2
# lies under PREFIX (absolute, or relative to the file system root for
# PREMOD_F_FS_RELATIVE events), barrier markers excluded. LOST records of
# the window are kept, and sequence numbers of the window that neither
# arrived nor were reported lost come out as {"op": "_missing_"}: a loss
# cannot pass for "no event".
mon_window() {
	local name=$1 from=$2 to=$3 prefix=$4 mnt rel l1 l2
	if [ "${prefix#"$TD"}" != "$prefix" ]; then
		mnt=$PM_TD_MNT
	else
		mnt=$(findmnt -n -o TARGET --target "$prefix")
	fi
	rel=${prefix#"$mnt"}
	[ "$mnt" = / ] && rel=$prefix
	# Only the lines between the two barriers need reading.
	l1=${MON_SEQLINE[$name:$from]:-1}
	l2=${MON_SEQLINE[$name:$to]:-\$}
	sed -n "${l1},${l2}p" "$(mon_file "$name")" |
	jq -c -n -R --argjson from "$from" --argjson to "$to" \
		--arg p "$prefix" --arg r "$rel" '
		def under($x): . != null and (. == $x or startswith($x + "/"));
		[inputs | fromjson? // empty | select(type == "object" and has("op"))
		 | select(.seq > $from and .seq < $to)] as $w
		| ($w | map(.seq) | unique) as $got
		| ($w | map(select(.op == "lost"))) as $lost
		| [range($from + 1; $to)
		   | select(. as $s | ($got | bsearch($s)) < 0
			and ($lost | any(.lost_first <= $s and $s <= .lost_last) | not))]
		  as $missing
		| ($w[]
		   | select(.op == "lost"
			or ((.path | under($p)) or (.path2 | under($p))
			    or ((.flags // 0) % 16 >= 8 and (.path | under($r))))
			and ((.path // "") | contains("/.sync/") | not))),
		  (if ($missing | length) > 0
		   then {op: "_missing_", count: ($missing | length), first: $missing[0]}
		   else empty end)'
}

# pm_now: CLOCK_REALTIME in ns, without a process. Microseconds are what
# bash has: the start is rounded down, the end up.
pm_now() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }
pm_now_up() { local t=${EPOCHREALTIME/./}; echo "$((t + 1))000"; }

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
	CASE_T0=$(pm_now)
	CASE_RC=0
	(echo "$BASHPID" >"$PM_WORK/op.pid"; exec "${pre[@]}" "$@") \
		>"$PM_WORK/op.out" 2>&1 || CASE_RC=$?
	CASE_T1=$(pm_now_up)
	read -r CASE_PID <"$PM_WORK/op.pid"
	CASE_PPID=$me
	mon_sync ops || return 1
	to=$SYNC_SEQ
	CASE_FROM=$from CASE_TO=$to
	mon_window ops "$from" "$to" "$CASE_DIR" >"$CASE_EV"
	if [ "$CASE_RC" != 0 ] && [ "$mayfail" = 0 ]; then
		fail "$* failed ($CASE_RC): $(head -c 300 "$PM_WORK/op.out")"
		return 1
	fi
}

# case_ops: the ops of the window, sorted, space separated.
case_ops() { jq -r -s 'map(.op) | sort | join(" ")' "$CASE_EV"; }

# expect_ops "OP..." : the window holds exactly these events (names in
# alphabetical order).
expect_ops() {
	local got
	got=$(case_ops)
	[ "$got" = "$1" ] ||
		fail "events under $CASE_DIR: got [$got], want [$1]: $(head -c 600 "$CASE_EV" | tr '\n' ' ')"
}

# expect_event OP JQ-CONDITION [JQ-ARGS...]: the one OP event of the window
# satisfies the condition and carries the actor's identity. In the
# condition, $pid $ppid $uid $gid $t0 $t1 $dev $mntns $cg are bound.
expect_event() {
	local op=$1 cond=$2 ev uid gid dev mntns cg
	shift 2
	ev=$(jq -c -s --arg op "$op" 'map(select(.op == $op))
		| if length == 1 then .[0] else . end' "$CASE_EV")
	case $ev in
	"[]") fail "no $op event under $CASE_DIR (got [$(case_ops)])"; return 1 ;;
	"["*) fail "more than one $op event under $CASE_DIR: $ev"; return 1 ;;
	esac
	uid=${CASE_UID:-0}
	gid=${CASE_GID:-0}
	dev=$PM_TD_DEV
	mntns=$PM_MNTNS
	cg=$PM_CGROUP
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
		--argjson auid "$PM_AUID" --argjson ses "$PM_SESSION" "$@" \
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
