#!/bin/bash
# The in-kernel prefilter: subtrees by dentry ancestry (so bind mounts,
# other mount namespaces and a chroot reach the same subtree), excluded
# subtrees, excluded uids, ops; clearing it reports everything again.
# With a filter active only filtered-in events exist at all, so every
# window below must hold exactly the expected events and nothing else.
. "$(dirname "$0")/../lib.sh"

D=$TD/tree
B=$TD/binds
mkdir -p "$D/in/skip" "$D/out" "$B/in" "$B/out" "$B/skip" "$B/nsbind"
chmod 1777 "$D/in"
mount --bind "$D/in" "$B/in"
mount --bind "$D/out" "$B/out"
mount --bind "$D/in/skip" "$B/skip"
# A chroot inside the watched subtree, with the host's /usr.
R=$D/in/root
mkdir -p "$R/usr"
mount --bind /usr "$R/usr"
for l in bin sbin lib lib64; do
	[ -L "/$l" ] && ln -s "$(readlink "/$l")" "$R/$l"
done
unbind() { umount "$R/usr" "$B/in" "$B/out" "$B/skip" 2>/dev/null; }
trap 'unbind; pm_cleanup' EXIT

# window_since FROM: every event after FROM up to the last barrier, as
# sorted "op path [path2]" lines, barriers left out. Paths are the host's
# names (premodctl monitor maps them as premodd does).
window_since() {
	mon_events f | jq -r --argjson from "$1" --argjson to "$SYNC_SEQ" '
		select(.seq > $from and .seq < $to)
		| select((.path // "") | contains("/.sync/") | not)
		| [.op, .path, (.path2 // empty)] | join(" ")' | LC_ALL=C sort
}

# expect_window FROM LINES...: the window holds exactly LINES.
expect_window() {
	local from=$1 got want
	shift
	got=$(window_since "$from")
	want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort)
	[ "$got" = "$want" ] ||
		fail "got [$(tr '\n' '|' <<<"$got")], want [$(tr '\n' '|' <<<"$want")]"
}

group "filter: set include and exclude, and show it"
"$PREMODCTL" filter set --include "$D/in" --exclude "$D/in/skip" \
	>"$PM_WORK/set.out" 2>&1 || fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
out=$("$PREMODCTL" filter 2>&1)
grep -qF "$D/in" <<<"$out" && grep -qF "$D/in/skip" <<<"$out" ||
	fail "premodctl filter does not show both paths: $out"

group "filter: a missing path is refused, naming it"
rc=0
out=$("$PREMODCTL" filter set --include "$TD/does-not-exist" 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of filter set with a missing path"
grep -qF "$TD/does-not-exist" <<<"$out" ||
	fail "the message does not name the missing path: $out"
out=$("$PREMODCTL" filter 2>&1)
grep -qF "$D/in" <<<"$out" ||
	fail "a refused filter set replaced the active filter: $out"

group "filter: monitor subscribes"
mon_start f || exit 1
mon_sync f "$D/in"

fsop_x() { "$FSOP" "$@" || fail "fsop $*"; }

group "filter: subtree include/exclude by path"
from=$SYNC_SEQ
mkdir "$D/in/a" "$D/out/a" "$D/in/skip/a"
printf x >"$D/out/x"
fsop_x rename "$D/out/x" "$D/in/x"
mon_sync f "$D/in"
expect_window "$from" "mkdir $D/in/a" "rename $D/out/x $D/in/x"

group "filter: through bind mounts"
from=$SYNC_SEQ
mkdir "$B/in/b" "$B/out/b" "$B/skip/b"
mon_sync f "$D/in"
expect_window "$from" "mkdir $D/in/b"
tp=$(mon_events f | jq -r --arg p "$D/in/b" 'select(.path == $p) | .task_path')
assert_eq "$tp" "$B/in/b" "task_path of the bind mount's mkdir"

group "filter: from another mount namespace (unshare -m)"
from=$SYNC_SEQ
unshare -m --propagation private bash -c '
	set -e
	mkdir "$1/in/ns-a" "$1/out/ns-b"
	mount --bind "$1/in" "$2/nsbind"
	mkdir "$2/nsbind/ns-c"
	mount --bind "$1/out" "$2/nsbind"
	mkdir "$2/nsbind/ns-d"
	readlink /proc/self/ns/mnt >"$3"
' _ "$D" "$B" "$PM_WORK/ns" >"$PM_WORK/ns.out" 2>&1 ||
	fail "unshare -m: $(head -c 300 "$PM_WORK/ns.out")"
mon_sync f "$D/in"
expect_window "$from" "mkdir $D/in/ns-a" "mkdir $D/in/ns-c"
tp=$(mon_events f | jq -r --arg p "$D/in/ns-c" 'select(.path == $p) | .task_path')
assert_eq "$tp" "$B/nsbind/ns-c" "task_path of the namespace's bind mount mkdir"
ours=$(stat -L -c %i /proc/self/ns/mnt)
theirs=$(mon_events f | jq -r --arg p "$D/in/ns-a" 'select(.path == $p) | .mntns')
[ -n "$theirs" ] && [ "$theirs" != "$ours" ] ||
	fail "the namespace's event has mntns '$theirs', want not ours ($ours)"

group "filter: inside a chroot, the host's name and the task's view"
from=$SYNC_SEQ
chroot "$R" /bin/mkdir /in-chroot >"$PM_WORK/chroot.out" 2>&1 ||
	fail "chroot mkdir: $(head -c 300 "$PM_WORK/chroot.out")"
mon_sync f "$D/in"
expect_window "$from" "mkdir $R/in-chroot"
tp=$(mon_events f | jq -r --arg p "$R/in-chroot" 'select(.path == $p) | .task_path')
assert_eq "$tp" /in-chroot "task_path inside the chroot"

group "filter: excluded uid"
"$PREMODCTL" filter set --include "$D/in" --exclude-uid $NOBODY \
	>"$PM_WORK/set.out" 2>&1 || fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
mon_sync f "$D/in"
from=$SYNC_SEQ
"${AS_NOBODY[@]}" mkdir "$D/in/by-nobody"
mkdir "$D/in/by-root"
mon_sync f "$D/in"
expect_window "$from" "mkdir $D/in/by-root"

group "filter: ops"
# (create stays in: the barrier markers are files.)
printf x >"$D/in/c0"
"$PREMODCTL" filter set --include "$D/in" --ops create,mkdir,rmdir \
	>"$PM_WORK/set.out" 2>&1 || fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
mon_sync f "$D/in"
from=$SYNC_SEQ
fsop_x chmod "$D/in/c0" 0600 -- truncate "$D/in/c0" 0 -- open "$D/in/c0" wronly \
	-- mkdir "$D/in/m1" 0700 -- rmdir "$D/in/m1" -- create "$D/in/c1" 0600
mon_sync f "$D/in"
expect_window "$from" "mkdir $D/in/m1" "rmdir $D/in/m1" "create $D/in/c1"

group "filter: clear reports everything again"
"$PREMODCTL" filter clear >"$PM_WORK/set.out" 2>&1 ||
	fail "filter clear: $(head -c 300 "$PM_WORK/set.out")"
out=$("$PREMODCTL" filter 2>&1)
grep -qF "$D/in" <<<"$out" && fail "premodctl filter still shows $D/in: $out"
mon_sync f "$D/in"
from=$SYNC_SEQ
mkdir "$D/out/after-clear"
mon_sync f "$D/in"
got=$(window_since "$from" | grep -F "$TD")
assert_eq "$got" "mkdir $D/out/after-clear" "events under $TD after clear"

group "filter: monitor exits 0 on SIGINT"
mon_stop f
group_end
