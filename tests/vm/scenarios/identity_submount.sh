#!/bin/bash
# Subtrees are subtrees: a filesystem mounted inside a watched directory
# is inside it (mount ancestry, not only dentry ancestry). In the VM /var
# is the host's, /var/log a tmpfs of its own.
. "$(dirname "$0")/../lib.sh"
D=$TD/sub
mkdir -p "$D/w/mnt"
mount -t tmpfs pm-sub "$D/w/mnt" || fail_now submount "cannot mount a tmpfs on $D/w/mnt"
trap 'umount "$D/w/mnt" 2>/dev/null; pm_cleanup' EXIT

group "submount: monitor subscribes, filter includes $D/w"
mon_start s || exit 1
"$PREMODCTL" filter set --include "$D/w" >"$PM_WORK/set.out" 2>&1 ||
	fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
mon_sync s "$D/w"

group "submount: a write on a filesystem mounted inside the watched dir is reported"
from=$SYNC_SEQ
"$FSOP" create "$D/w/mnt/x" 0644 -- mkdir "$D/w/mnt/d" 0755 || fail "fsop in the submount"
mon_sync s "$D/w"
got=$(mon_events s | jq -r --argjson f "$from" --argjson t "$SYNC_SEQ" \
	'select(.seq > $f and .seq < $t and ((.path // "") | contains("/.sync/") | not)) | .op + " " + .path' | sort | tr '\n' '|')
assert_eq "$got" "create $D/w/mnt/x|mkdir $D/w/mnt/d|" "events in the submount"

group "submount: /var/log (its own tmpfs) is inside a filter on /var"
"$PREMODCTL" filter set --include /var --include "$D/w" >"$PM_WORK/set.out" 2>&1 ||
	fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
mon_sync s "$D/w"
from=$SYNC_SEQ
"$FSOP" create /var/log/pm-submount 0644 -- unlink /var/log/pm-submount || fail "fsop in /var/log"
mon_sync s "$D/w"
got=$(mon_events s | jq -r --argjson f "$from" --argjson t "$SYNC_SEQ" \
	'select(.seq > $f and .seq < $t and .path == "/var/log/pm-submount") | .op' | sort | tr '\n' ' ')
assert_eq "$got" "create unlink " "events of /var/log/pm-submount"

group "submount: outside stays out"
from=$SYNC_SEQ
mkdir -p "$D/out" && "$FSOP" create "$D/out/y" 0644 || fail "fsop outside"
mon_sync s "$D/w"
got=$(mon_events s | jq -r --argjson f "$from" --argjson t "$SYNC_SEQ" --arg out "$D/out" \
	'select(.seq > $f and .seq < $t and ((.path // "") | startswith($out))) | .op' | wc -l)
assert_eq "$got" 0 "events outside the watched subtrees"
"$PREMODCTL" filter clear >/dev/null 2>&1
mon_stop s
group_end
