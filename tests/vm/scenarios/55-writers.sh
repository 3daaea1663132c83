#!/bin/bash
# Concurrent writers on every CPU with a listener reading: the capture path
# under contention from all CPUs at once (on PREEMPT_RT, where a sleeping
# lock in a kprobe handler shows as "scheduling while atomic" within
# seconds). Every writer keeps running, each one's events arrive, the
# stream has no gap that no LOST record covers, and the kernel log has no
# BUG or warning.
. "$(dirname "$0")/../lib.sh"

W=$TD/w
SEC=${WRITERS_SEC:-20}
PER_CPU=${WRITERS_PER_CPU:-3}
ncpu=$(nproc)
base=$(cat /tmp/pm-dmesg-base 2>/dev/null || echo 0)
bad='WARNING|BUG|Oops|general protection|Call Trace|RIP:|scheduling while atomic|sleeping function called|lockdep|INFO: task|soft lockup|hard LOCKUP|rcu.*stall|Tainted: .*[DW]'
echo "# kernel $(uname -r) ($(uname -v)), $ncpu CPUs, $PER_CPU writers each, ${SEC}s"

group "writers: monitor subscribes"
pm_filter_clear
mon_start ops || exit 1
mon_sync ops
from=$SYNC_SEQ
group_end

group "writers: $((ncpu * PER_CPU)) writers pinned to every CPU run to the end"
pids=()
names=()
for ((cpu = 0; cpu < ncpu; cpu++)); do
	for ((k = 0; k < PER_CPU; k++)); do
		d=$W/c$cpu-$k
		mkdir -p "$d"
		taskset -c "$cpu" "$FLOOD" -t "$SEC" "$d" >"$PM_WORK/w-c$cpu-$k.out" \
			2>"$PM_WORK/w-c$cpu-$k.err" &
		pids+=($!)
		names+=("c$cpu-$k")
	done
done
for i in "${!pids[@]}"; do
	rc=0
	wait "${pids[$i]}" || rc=$?
	[ "$rc" = 0 ] ||
		fail "writer ${names[$i]} exited $rc: $(head -c 200 "$PM_WORK/w-${names[$i]}.err")"
done
total=0
for n in "${names[@]}"; do
	c=$(tail -n 1 "$PM_WORK/w-$n.out")
	[[ $c =~ ^[0-9]+$ ]] && [ "$c" -gt 0 ] || fail "writer $n made no operation"
	total=$((total + ${c:-0}))
done
echo "# $total operations"

group "writers: every writer's events arrive, in order, losses accounted"
mon_sync ops
to=$SYNC_SEQ
mon_window ops "$from" "$to" "$W" >"$PM_WORK/window.jsonl"
missing=$(jq -r 'select(.op == "_missing_") | "\(.count) from seq \(.first)"' "$PM_WORK/window.jsonl")
[ -z "$missing" ] || fail "sequence numbers neither received nor reported lost: $missing"
for n in "${names[@]}"; do
	c=$(jq -r --arg p "$W/$n/" 'select((.path // "") | startswith($p))' "$PM_WORK/window.jsonl" | grep -c '"op"')
	[ "$c" -gt 0 ] || fail "no event of writer $n"
done
disorder=$(jq -s '[.[] | select(.op != "_missing_") | .seq] as $s
	| [range(1; $s | length) | select($s[.] <= $s[. - 1])] | length' "$PM_WORK/window.jsonl")
[ "$disorder" = 0 ] || fail "$disorder events out of sequence order"
lost=$(jq -s '[.[] | select(.op == "lost") | .lost_count] | add // 0' "$PM_WORK/window.jsonl")
echo "# $(grep -c '"op"' "$PM_WORK/window.jsonl") events received, $lost reported lost"

group "writers: monitor exits 0 on SIGINT"
mon_stop ops

group "writers: dmesg has no BUG, warning or sleep in atomic context"
dmesg >"$PM_WORK/dmesg"
found=$(tail -n "+$((base + 1))" "$PM_WORK/dmesg" | grep -E "$bad")
[ -z "$found" ] || fail "$(head -n 5 <<<"$found" | tr '\n' '|')"
group_end
