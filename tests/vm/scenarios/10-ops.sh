#!/bin/bash
# Every op: exactly one event, right op, absolute path(s), the actor's
# identity, before->after values - as root and as an unprivileged user.
# The syscalls are made by tools known to make exactly one (strace-checked)
# or by fsop, which makes exactly the ones asked for.
. "$(dirname "$0")/../lib.sh"

# Modes below are the ones requested: no umask in the way (tmpfs has POSIX
# ACLs, so the hooks see the mode before the umask anyway).
umask 0

group "ops: monitor subscribes"
pm_filter_clear
mon_start ops || exit 1
group_end

S_IFREG=$((0100000)) S_IFDIR=$((0040000)) S_IFCHR=$((0020000))
S_IFIFO=$((0010000))
O_WRONLY=1 O_TRUNC=$((01000)) O_APPEND=$((02000))
F_REPLACES=16 F_FS_RELATIVE=8 F_PATH_TRUNCATED=1
T_ATIME=1 T_MTIME=2 T_ATIME_NOW=4 T_MTIME_NOW=8

# five_bytes PATH: a regular file of 5 bytes, mode 0644.
five_bytes() { printf hello >"$1" && chmod 0644 "$1"; }

# ---- as root ------------------------------------------------------------
newcase create-open
case_run -- "$FSOP" create "$CASE_DIR/f" 0600 &&
expect_ops create &&
expect_event create '.path == $p and .mode == $m and .ino == $pino
	and ((.rdev // 0) == 0)' --arg p "$CASE_DIR/f" \
	--argjson m $((S_IFREG | 0600)) --argjson pino "$(ino "$CASE_DIR")"

newcase create-mknod
case_run -- mknod "$CASE_DIR/c" c 1 3 &&
expect_ops create &&
expect_event create '.path == $p and .mode == $m and .rdev == $rdev' \
	--arg p "$CASE_DIR/c" --argjson m $((S_IFCHR | 0666)) \
	--argjson rdev $(((1 << 8) | 3))

newcase create-mkfifo
case_run -- mkfifo "$CASE_DIR/p" &&
expect_ops create &&
expect_event create '.path == $p and .mode == $m' \
	--arg p "$CASE_DIR/p" --argjson m $((S_IFIFO | 0666))

newcase mkdir
case_run -- mkdir -m 0750 "$CASE_DIR/sub" &&
expect_ops mkdir &&
expect_event mkdir '.path == $p and .mode == $m and .ino == $pino' \
	--arg p "$CASE_DIR/sub" --argjson m $((S_IFDIR | 0750)) \
	--argjson pino "$(ino "$CASE_DIR")"

newcase mkdir-relative-path
case_run -- env -C "$CASE_DIR" mkdir rel &&
expect_ops mkdir &&
expect_event mkdir '.path == $p' --arg p "$CASE_DIR/rel"

newcase rmdir
mkdir -m 0700 "$CASE_DIR/sub"
i=$(ino "$CASE_DIR/sub") m=$(mode_of "$CASE_DIR/sub")
case_run -- rmdir "$CASE_DIR/sub" &&
expect_ops rmdir &&
expect_event rmdir '.path == $p and .ino == $i and .mode == $m' \
	--arg p "$CASE_DIR/sub" --argjson i "$i" --argjson m "$m"

newcase unlink
five_bytes "$CASE_DIR/f"
ln "$CASE_DIR/f" "$CASE_DIR/second-name"
i=$(ino "$CASE_DIR/f")
case_run -- rm "$CASE_DIR/f" &&
expect_ops unlink &&
expect_event unlink '.path == $p and .ino == $i and .nlink == 2
	and .old_size == 5 and .mode == $m' \
	--arg p "$CASE_DIR/f" --argjson i "$i" --argjson m $((S_IFREG | 0644))

newcase rename
five_bytes "$CASE_DIR/a"
i=$(ino "$CASE_DIR/a")
case_run -- "$FSOP" rename "$CASE_DIR/a" "$CASE_DIR/b" &&
expect_ops rename &&
expect_event rename '.path == $a and .path2 == $b and .ino == $i
	and (.rename_flags // 0) == 0 and (.flags % 32 < 16)
	and (has("target_ino") | not)' \
	--arg a "$CASE_DIR/a" --arg b "$CASE_DIR/b" --argjson i "$i"

newcase rename-replace
five_bytes "$CASE_DIR/a"
five_bytes "$CASE_DIR/b"
i=$(ino "$CASE_DIR/a") t=$(ino "$CASE_DIR/b")
case_run -- "$FSOP" rename "$CASE_DIR/a" "$CASE_DIR/b" &&
expect_ops rename &&
expect_event rename '.path == $a and .path2 == $b and .ino == $i
	and (.rename_flags // 0) == 0 and (.flags % 32 >= 16)
	and .target_ino == $t' \
	--arg a "$CASE_DIR/a" --arg b "$CASE_DIR/b" --argjson i "$i" \
	--argjson t "$t"

newcase rename-noreplace-mv
five_bytes "$CASE_DIR/a"
mkdir "$CASE_DIR/d"
case_run -- mv "$CASE_DIR/a" "$CASE_DIR/d/a" &&
expect_ops rename &&
expect_event rename '.path == $a and .path2 == $b and .rename_flags == 1
	and (.flags % 32 < 16)' \
	--arg a "$CASE_DIR/a" --arg b "$CASE_DIR/d/a"

newcase rename-exchange
five_bytes "$CASE_DIR/a"
mkdir "$CASE_DIR/b"
t=$(ino "$CASE_DIR/b")
case_run -- "$FSOP" rename "$CASE_DIR/a" "$CASE_DIR/b" exchange &&
expect_ops rename &&
expect_event rename '.path == $a and .path2 == $b and .rename_flags == 2
	and .target_ino == $t' \
	--arg a "$CASE_DIR/a" --arg b "$CASE_DIR/b" --argjson t "$t"

newcase link
five_bytes "$CASE_DIR/f"
case_run -- ln "$CASE_DIR/f" "$CASE_DIR/l" &&
expect_ops link &&
expect_event link '.path == $f and .path2 == $l' \
	--arg f "$CASE_DIR/f" --arg l "$CASE_DIR/l"

newcase symlink
case_run -- ln -s ../some/target "$CASE_DIR/s" &&
expect_ops symlink &&
expect_event symlink '.path == $s and .target == "../some/target"
	and .ino == $pino' \
	--arg s "$CASE_DIR/s" --argjson pino "$(ino "$CASE_DIR")"

newcase truncate
five_bytes "$CASE_DIR/f"
case_run -- "$FSOP" truncate "$CASE_DIR/f" 2 &&
expect_ops truncate &&
expect_event truncate '.path == $f and .old_size == 5 and .new_size == 2' \
	--arg f "$CASE_DIR/f"

newcase open-write-trunc
five_bytes "$CASE_DIR/f"
case_run -- "$FSOP" open "$CASE_DIR/f" wronly,trunc &&
expect_ops "open_write truncate" &&
expect_event open_write '.path == $f and .old_size == 5
	and ((.open_flags / $trunc | floor) % 2 == 1)
	and (.open_flags % 4 == 1)' \
	--arg f "$CASE_DIR/f" --argjson trunc "$O_TRUNC" &&
expect_event truncate '.path == $f and .old_size == 5
	and ((.new_size // 0) == 0)' --arg f "$CASE_DIR/f"

# Since 6.2 ftruncate(2) reaches security_file_truncate, not
# security_path_truncate: one TRUNCATE either way.
newcase ftruncate
five_bytes "$CASE_DIR/f"
case_run -- "$FSOP" ftruncate "$CASE_DIR/f" 3 &&
expect_ops "open_write truncate" &&
expect_event truncate '.path == $f and .old_size == 5 and .new_size == 3' \
	--arg f "$CASE_DIR/f"

newcase open-write-append
five_bytes "$CASE_DIR/f"
case_run -- "$FSOP" open "$CASE_DIR/f" wronly,append &&
expect_ops open_write &&
expect_event open_write '.path == $f and .old_size == 5
	and ((.open_flags / $app | floor) % 2 == 1)
	and ((.open_flags / $trunc | floor) % 2 == 0)' \
	--arg f "$CASE_DIR/f" --argjson app "$O_APPEND" --argjson trunc "$O_TRUNC"

newcase open-readonly-is-silent
five_bytes "$CASE_DIR/f"
case_run -- "$FSOP" open "$CASE_DIR/f" rdonly &&
expect_ops ""

newcase chmod
five_bytes "$CASE_DIR/f"
case_run -- chmod 4755 "$CASE_DIR/f" &&
expect_ops chmod &&
expect_event chmod '.path == $f and .old_mode == $o and .new_mode == $n' \
	--arg f "$CASE_DIR/f" --argjson o $((S_IFREG | 0644)) \
	--argjson n $((S_IFREG | 04755))

newcase chown
five_bytes "$CASE_DIR/f"
case_run -- chown 1000:1001 "$CASE_DIR/f" &&
expect_ops chown &&
expect_event chown '.path == $f and .old_uid == 0 and .new_uid == 1000
	and .old_gid == 0 and .new_gid == 1001' --arg f "$CASE_DIR/f"

newcase chown-uid-only
five_bytes "$CASE_DIR/f"
chgrp 7 "$CASE_DIR/f"
case_run -- chown 1000 "$CASE_DIR/f" &&
expect_ops chown &&
expect_event chown '.path == $f and .old_uid == 0 and .new_uid == 1000
	and .old_gid == 7 and .new_gid == 7' --arg f "$CASE_DIR/f"

newcase setattr-times
five_bytes "$CASE_DIR/f"
case_run -- touch -c -d @1577836800 "$CASE_DIR/f" &&
expect_ops setattr &&
expect_event setattr '.path == $f
	and (.time_flags % 4) == ($ta + $tm)
	and ((.time_flags / $tan | floor) % 4) == 0
	and .atime == 1577836800000000000 and .mtime == 1577836800000000000' \
	--arg f "$CASE_DIR/f" --argjson ta "$T_ATIME" --argjson tm "$T_MTIME" \
	--argjson tan "$T_ATIME_NOW"

newcase setattr-mtime-now
five_bytes "$CASE_DIR/f"
case_run -- touch -c -m "$CASE_DIR/f" &&
expect_ops setattr &&
expect_event setattr '.path == $f
	and ((.time_flags / $tm | floor) % 2) == 1
	and ((.time_flags / $tmn | floor) % 2) == 1
	and (.time_flags % 2) == 0' \
	--arg f "$CASE_DIR/f" --argjson tm "$T_MTIME" --argjson tmn "$T_MTIME_NOW"

rel_of() { # PATH: relative to its file system's root
	local mnt
	mnt=$(findmnt -n -o TARGET --target "$1")
	[ "$mnt" = / ] && echo "$1" || echo "${1#"$mnt"}"
}

newcase setxattr
five_bytes "$CASE_DIR/f"
case_run -- setfattr -n trusted.premod -v hello "$CASE_DIR/f" &&
expect_ops setxattr &&
expect_event setxattr '.fs_path == $r and .xattr_name == "trusted.premod"
	and .xattr_size == 5 and ((.flags / $fr | floor) % 2) == 1
	and .ino == $i and .path == $p and (has("task_path") | not)' \
	--arg r "$(rel_of "$CASE_DIR/f")" --argjson fr "$F_FS_RELATIVE" \
	--argjson i "$(ino "$CASE_DIR/f")" --arg p "$CASE_DIR/f"

newcase removexattr
five_bytes "$CASE_DIR/f"
setfattr -n trusted.premod -v hello "$CASE_DIR/f"
case_run -- setfattr -x trusted.premod "$CASE_DIR/f" &&
expect_ops removexattr &&
expect_event removexattr '.fs_path == $r and .path == $p
	and .xattr_name == "trusted.premod" and ((.flags / $fr | floor) % 2) == 1' \
	--arg r "$(rel_of "$CASE_DIR/f")" --argjson fr "$F_FS_RELATIVE" \
	--arg p "$CASE_DIR/f"

# POSIX ACLs: xattr hooks before 6.2, security_inode_set_acl/_remove_acl
# since; one SETXATTR / REMOVEXATTR of the ACL's name on every kernel, the
# size that of the ACL in xattr form (4 + 8 per entry), as setfacl passes
# it to setxattr(2) (strace: setfacl makes exactly one setxattr here).
newcase acl-setfacl-m
five_bytes "$CASE_DIR/f"
case_run -- setfacl -m u:1000:rw "$CASE_DIR/f" &&
expect_ops setxattr &&
expect_event setxattr '.fs_path == $r and .path == $p and .xattr_name == "system.posix_acl_access"
	and .xattr_size == 44 and ((.flags / $fr | floor) % 2) == 1
	and .ino == $i' \
	--arg r "$(rel_of "$CASE_DIR/f")" --arg p "$CASE_DIR/f" --argjson fr "$F_FS_RELATIVE" \
	--argjson i "$(ino "$CASE_DIR/f")"

newcase acl-setfacl-x
five_bytes "$CASE_DIR/f"
setfacl -m u:1000:rw "$CASE_DIR/f"
case_run -- setfacl -x u:1000 "$CASE_DIR/f" &&
expect_ops setxattr &&
expect_event setxattr '.fs_path == $r and .path == $p and .xattr_name == "system.posix_acl_access"
	and .xattr_size == 36' --arg r "$(rel_of "$CASE_DIR/f")" --arg p "$CASE_DIR/f"

newcase acl-setfacl-default
mkdir "$CASE_DIR/d"
case_run -- setfacl -d -m u:1000:rwx "$CASE_DIR/d" &&
expect_ops setxattr &&
expect_event setxattr '.fs_path == $r and .path == $p and .xattr_name == "system.posix_acl_default"
	and .xattr_size == 44' --arg r "$(rel_of "$CASE_DIR/d")" --arg p "$CASE_DIR/d"

newcase acl-remove
five_bytes "$CASE_DIR/f"
setfacl -m u:1000:rw "$CASE_DIR/f"
case_run -- setfattr -x system.posix_acl_access "$CASE_DIR/f" &&
expect_ops removexattr &&
expect_event removexattr '.fs_path == $r and .path == $p
	and .xattr_name == "system.posix_acl_access"' \
	--arg r "$(rel_of "$CASE_DIR/f")" --arg p "$CASE_DIR/f"

newcase thread-of-a-process
case_run -- "$FSOP" -t mkdir "$CASE_DIR/t" 0700 &&
expect_ops mkdir &&
CASE_THREADED=1 expect_event mkdir '.path == $p' --arg p "$CASE_DIR/t"

newcase path-too-long-is-cut-at-the-start
# 20 components of 250 bytes: well past PREMOD_PATH_MAX (4096).
long=$CASE_DIR
comp=$(printf 'd%.0s' $(seq 250))
for _ in $(seq 20); do long=$long/$comp; done
mkdir -p "$long"
case_run -- "$FSOP" cd "$long" -- mkdir leaf 0700
# A path cut at its start no longer starts with $CASE_DIR: the window's
# events flagged PATH_TRUNCATED are this case's (nothing else is that deep).
sed -n "${MON_SEQLINE[ops:$CASE_FROM]},${MON_SEQLINE[ops:$CASE_TO]}p" "$(mon_file ops)" |
	jq -c --argjson f "$CASE_FROM" --argjson t "$CASE_TO" \
		'select(.seq > $f and .seq < $t and (.flags % 2) == 1)' >"$CASE_EV"
[ "$CASE_RC" = 0 ] &&
expect_ops mkdir &&
expect_event mkdir '(.flags % 2) == 1 and (.path | length) < 4096
	and (.path | endswith("/" + $c + "/leaf"))' --arg c "$comp"

# ---- as an unprivileged user ----------------------------------------------
CASE_UID=$NOBODY CASE_GID=$NOBODY

newcase nobody-create $NOBODY
case_run --as-nobody -- "$FSOP" create "$CASE_DIR/f" 0600 &&
expect_ops create &&
expect_event create '.path == $p and .mode == $m' \
	--arg p "$CASE_DIR/f" --argjson m $((S_IFREG | 0600))

newcase nobody-mkdir-rmdir $NOBODY
case_run --as-nobody -- mkdir -m 0700 "$CASE_DIR/d" &&
expect_ops mkdir &&
expect_event mkdir '.path == $p' --arg p "$CASE_DIR/d" &&
case_run --as-nobody -- rmdir "$CASE_DIR/d" &&
expect_ops rmdir &&
expect_event rmdir '.path == $p' --arg p "$CASE_DIR/d"

newcase nobody-rename-link-symlink-unlink $NOBODY
"${AS_NOBODY[@]}" sh -c "printf hello >'$CASE_DIR/a'"
case_run --as-nobody -- "$FSOP" rename "$CASE_DIR/a" "$CASE_DIR/b" &&
expect_ops rename &&
expect_event rename '.path == $a and .path2 == $b' \
	--arg a "$CASE_DIR/a" --arg b "$CASE_DIR/b" &&
case_run --as-nobody -- ln "$CASE_DIR/b" "$CASE_DIR/l" &&
expect_ops link &&
expect_event link '.path == $b and .path2 == $l' \
	--arg b "$CASE_DIR/b" --arg l "$CASE_DIR/l" &&
case_run --as-nobody -- ln -s b "$CASE_DIR/s" &&
expect_ops symlink &&
expect_event symlink '.path == $s and .target == "b"' --arg s "$CASE_DIR/s" &&
case_run --as-nobody -- rm "$CASE_DIR/l" &&
expect_ops unlink &&
expect_event unlink '.path == $l and .nlink == 2 and .old_size == 5' \
	--arg l "$CASE_DIR/l"

newcase nobody-truncate-open-write $NOBODY
"${AS_NOBODY[@]}" sh -c "printf hello >'$CASE_DIR/f'"
case_run --as-nobody -- "$FSOP" truncate "$CASE_DIR/f" 1 &&
expect_ops truncate &&
expect_event truncate '.old_size == 5 and .new_size == 1' &&
case_run --as-nobody -- "$FSOP" open "$CASE_DIR/f" wronly,append &&
expect_ops open_write &&
expect_event open_write '.path == $f and .old_size == 1' --arg f "$CASE_DIR/f"

newcase nobody-chmod-chown-setattr $NOBODY
"${AS_NOBODY[@]}" sh -c "printf hello >'$CASE_DIR/f'; chmod 0644 '$CASE_DIR/f'"
case_run --as-nobody -- chmod 0600 "$CASE_DIR/f" &&
expect_ops chmod &&
expect_event chmod '.old_mode == $o and .new_mode == $n' \
	--argjson o $((S_IFREG | 0644)) --argjson n $((S_IFREG | 0600)) &&
case_run --as-nobody -- chown $NOBODY:$NOBODY "$CASE_DIR/f" &&
expect_ops chown &&
expect_event chown '.old_uid == $u and .new_uid == $u and .old_gid == $u
	and .new_gid == $u' --argjson u $NOBODY &&
case_run --as-nobody -- touch -c -d @1577836800 "$CASE_DIR/f" &&
expect_ops setattr &&
expect_event setattr '.mtime == 1577836800000000000'

newcase nobody-xattr-attempts $NOBODY
"${AS_NOBODY[@]}" sh -c "printf hello >'$CASE_DIR/f'"
# tmpfs of this kernel has no user.* xattrs: the call fails after the hook,
# and the attempt is what premod reports.
case_run --as-nobody --may-fail -- setfattr -n user.premod -v hi "$CASE_DIR/f" &&
expect_ops setxattr &&
expect_event setxattr '.xattr_name == "user.premod" and .xattr_size == 2' &&
case_run --as-nobody --may-fail -- setfattr -x user.premod "$CASE_DIR/f" &&
expect_ops removexattr &&
expect_event removexattr '.xattr_name == "user.premod"'

unset CASE_UID CASE_GID
group "ops: monitor exits 0 on SIGINT"
mon_stop ops
group_end
