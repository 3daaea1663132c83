#!/bin/bash
# Paths are never wrong: an unlinked-but-open file is flagged, never named
# "... (deleted)"; O_TMPFILE + linkat shows the file appear under its new
# name (a LINK whose source is the anonymous, unlinked file); OPEN_WRITE
# says whether the open created the file.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/identity.sh" 2>/dev/null
trap pm_cleanup EXIT

D=$TD/names
mkdir -p "$D"
F_UNLINKED=$(id_bit UNLINKED) F_CREATED=$(id_bit CREATED)

group "names: monitor subscribes"
pm_filter_clear
mon_start n || exit 1
mon_sync n "$D"

group "names: chmod of an unlinked, open file is flagged, not \" (deleted)\""
from=$SYNC_SEQ
: >"$D/gone"
exec 3>"$D/gone"
rm "$D/gone"
chmod 0600 "/proc/$BASHPID/fd/3" || fail "chmod via /proc/self/fd"
exec 3>&-
mon_sync n "$D"
ev=$(mon_events n | jq -c --argjson f "$from" --arg p "$D/gone" 'select(.seq > $f and .op == "chmod")' | head -n 1)
[ -n "$ev" ] || fail "no chmod event"
[ -z "$ev" ] || {
	assert_eq "$(jq -r .path <<<"$ev")" "$D/gone" "path"
	assert_eq "$(jq -r --argjson b "$F_UNLINKED" '((.flags / $b | floor) % 2)' <<<"$ev")" 1 "flag UNLINKED"
}
n=$(mon_events n | jq -c 'select([.path, .path2, .task_path, .task_path2] | map(. // "") | any(endswith(" (deleted)")))' | wc -l)
assert_eq "$n" 0 "events with a \" (deleted)\" path"

group "names: O_TMPFILE + linkat is a LINK to the new name"
from=$SYNC_SEQ
"$FSOP" tmpfile_link "$D" "$D/appeared" || fail "tmpfile_link"
mon_sync n "$D"
ev=$(mon_events n | jq -c --argjson f "$from" --arg p "$D/appeared" 'select(.seq > $f and .op == "link" and .path2 == $p)' | head -n 1)
[ -n "$ev" ] || fail "no link event to $D/appeared: $(mon_events n | jq -c --argjson f "$from" 'select(.seq > $f) | {op, path, path2, flags}' | head -n 4 | tr '\n' ' ')"
[ -z "$ev" ] || {
	assert_eq "$(jq -r --argjson b "$F_UNLINKED" '((.flags / $b | floor) % 2)' <<<"$ev")" 1 "flag UNLINKED (the source has no name)"
	case $(jq -r .path <<<"$ev") in "$D"/*) ;; *) fail "link source path $(jq -r .path <<<"$ev") not in $D" ;; esac
}

group "names: OPEN_WRITE says whether it created the file"
from=$SYNC_SEQ
"$FSOP" open "$D/new" wronly,creat -- open "$D/new" wronly,creat || fail "open O_CREAT twice"
mon_sync n "$D"
got=$(mon_events n | jq -r --argjson f "$from" --arg p "$D/new" --argjson b "$F_CREATED" \
	'select(.seq > $f and .op == "open_write" and .path == $p) | ((.flags / $b | floor) % 2)' | tr '\n' ' ')
assert_eq "$got" "1 0 " "created flag of the first and the second open"
mon_stop n
group_end
