#!/bin/bash
# A listener stopped with SIGSTOP under a flood: the syscalls keep running
# (nothing waits for userspace), and afterwards what the listener received
# plus what LOST records counted equals exactly what was emitted.
# The filter captures only the flood's directory, so "emitted" is known:
# flood's count plus our barrier markers.
. "$(dirname "$0")/../lib.sh"

# premodctl asks for a 32 MiB receive buffer: the flood must overrun it for
# the loss path to be exercised at all (checked below).
N=${FLOOD_N:-300000}
F=$TD/flood
mkdir -p "$F/.sync"
mon=$(mon_file fl)

group "flood: filter on the flood directory, monitor subscribes"
"$PREMODCTL" filter set --include "$F" >"$PM_WORK/set.out" 2>&1 ||
	fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
mon_start fl || exit 1
# The start line: a mkdir (one event, unlike mon_sync's file marker).
# Events arrive in sequence order: everything after its line is the flood's.
mkdir "$F/.sync/start"
end=$((SECONDS + 120))
l0=
while [ -z "$l0" ] && [ "$SECONDS" -lt "$end" ]; do
	l0=$(grep -nF -m1 "$F/.sync/start\"" "$mon" | cut -d: -f1)
	[ -n "$l0" ] || pm_nap
done
[ -n "$l0" ] || { fail "the monitor did not see $F/.sync/start"; exit 1; }
cap0=$(pm_stat captured)

group "flood: syscalls keep running while the listener is stopped"
mpid=${MON_PID[fl]}
kill -STOP "$mpid"
t0=$SECONDS
rc=0
emitted=$(timeout 600 "$FLOOD" "$N" "$F" 2>"$PM_WORK/flood.err") || rc=$?
kill -CONT "$mpid"
if [ "$rc" != 0 ]; then
	fail "flood exited $rc after $((SECONDS - t0))s: $(head -c 300 "$PM_WORK/flood.err")"
	emitted=0
fi
echo "# $(cat "$PM_WORK/flood.err")"
# flood itself checks every call; that it returned at all is the point.

group "flood: received + lost == emitted, exactly"
# The monitor drains what its socket holds; barrier markers after the
# flood show when it is done. Each marker is an emitted event too.
# Sequence numbers arrive in order, so lines after $l0 are the window.
count() {
	tail -n "+$((l0 + 1))" "$mon" | awk '
		/"op": *"lost"/ {
			if (match($0, /"lost_count": *[0-9]+/)) {
				s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s)
				lost += s
			}
			records++
			next
		}
		/"op":/ {
			if (match($0, /"seq": *[0-9]+/)) {
				s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s)
				if (s + 0 <= prev) disorder++
				prev = s + 0
			}
			recv++
		}
		END { print recv + 0, lost + 0, records + 0, disorder + 0 }'
}
ok=0
markers=0
recv=0 lost=0 records=0 disorder=0
# A marker can itself be lost while the socket is still full: a new one
# goes out whenever the last has not arrived within 15s. Counting reads the
# whole file, so it runs only once the newest marker is in (the marker
# arrives last; only the end of the file needs searching for it).
deadline=$((SECONDS + 900))
while [ "$ok" = 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
	markers=$((markers + 1))
	mkdir "$F/.sync/end$markers"
	next=$((SECONDS + 15))
	seen=0
	while [ "$SECONDS" -lt "$next" ]; do
		if tail -c 1048576 "$mon" | grep -qF "$F/.sync/end$markers\""; then
			seen=1
			break
		fi
		kill -0 "$mpid" 2>/dev/null || break 2
		sleep 0.5
	done
	[ "$seen" = 1 ] || continue
	read -r recv lost records disorder < <(count)
	[ $((recv + lost)) = $((emitted + markers)) ] && ok=1
done
echo "# emitted $emitted + $markers markers; received $recv, lost $lost in $records LOST records"
if [ "$ok" = 0 ]; then
	fail "received $recv + lost $lost = $((recv + lost)), emitted $((emitted + markers)) (flood $emitted + $markers markers)"
fi
[ "${disorder:-0}" = 0 ] || fail "$disorder events out of sequence order"
[ "${lost:-0}" -gt 0 ] ||
	fail "no loss was provoked by $N events: the test did not exercise the stopped-listener path (raise FLOOD_N)"

group "flood: kernel counters agree"
cap1=$(pm_stat captured)
if [ -z "$cap0" ] || [ -z "$cap1" ]; then
	fail "no 'captured' counter in premodctl stats --json"
else
	assert_eq $((cap1 - cap0)) $((emitted + markers)) "captured events during the flood"
fi

group "flood: the listener exits 0 after all that"
mon_stop fl
grep -q 'lost per LOST records' "$PM_WORK/mon-fl.err" ||
	fail "the monitor printed no loss summary on exit"
pm_filter_clear
# The monitor file is as large as the flood; keep only its summary.
rm -f "$mon"
group_end
