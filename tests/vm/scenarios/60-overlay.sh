#!/bin/bash
# Overlayfs: a change made through the merged directory is one event, on
# the merged path (overlayfs's own calls into the upper layer - copy-up,
# the real open, setattr - pass no path hook); a change made directly in a
# layer directory is one event on the layer's path, which is what must be
# visible: modifying a container's layers behind its back.
. "$(dirname "$0")/../lib.sh"

group "overlay: monitor subscribes"
pm_filter_clear
mon_start ops || exit 1
group_end

S_IFREG=$((0100000))

# ovl_case NAME: a fresh overlay in $CASE_DIR (lower/f, upper/g present).
ovl_case() {
	newcase "$1"
	mkdir -p "$CASE_DIR"/{lower,upper,work,merged}
	printf hello >"$CASE_DIR/lower/f"
	printf hello >"$CASE_DIR/upper/g"
	chmod 0644 "$CASE_DIR/lower/f" "$CASE_DIR/upper/g"
	mount -t overlay overlay -o "lowerdir=$CASE_DIR/lower,upperdir=$CASE_DIR/upper,workdir=$CASE_DIR/work" \
		"$CASE_DIR/merged" || fail "cannot mount overlayfs"
	# Events through the merged directory carry the overlay's device.
	OVL_DEV=$(stat -c %d "$CASE_DIR/merged")
}

ovl_case overlay-merged-write-copies-up
case_run -- "$FSOP" open "$CASE_DIR/merged/f" wronly,append &&
expect_ops open_write &&
PM_TD_DEV=$OVL_DEV expect_event open_write '.path == $p' --arg p "$CASE_DIR/merged/f"
umount "$CASE_DIR/merged"

ovl_case overlay-merged-chmod
case_run -- chmod 0600 "$CASE_DIR/merged/f" &&
expect_ops chmod &&
PM_TD_DEV=$OVL_DEV expect_event chmod '.path == $p and .new_mode == $m' \
	--arg p "$CASE_DIR/merged/f" --argjson m $((S_IFREG | 0600))
umount "$CASE_DIR/merged"

ovl_case overlay-merged-create-unlink
case_run -- "$FSOP" create "$CASE_DIR/merged/n" 0600 &&
expect_ops create &&
PM_TD_DEV=$OVL_DEV expect_event create '.path == $p' --arg p "$CASE_DIR/merged/n" &&
case_run -- rm "$CASE_DIR/merged/f" &&
expect_ops unlink &&
PM_TD_DEV=$OVL_DEV expect_event unlink '.path == $p' --arg p "$CASE_DIR/merged/f"
umount "$CASE_DIR/merged"

ovl_case overlay-direct-layer-writes
case_run -- "$FSOP" open "$CASE_DIR/upper/g" wronly,append &&
expect_ops open_write &&
expect_event open_write '.path == $p' --arg p "$CASE_DIR/upper/g" &&
case_run -- chmod 0600 "$CASE_DIR/lower/f" &&
expect_ops chmod &&
expect_event chmod '.path == $p' --arg p "$CASE_DIR/lower/f"
umount "$CASE_DIR/merged"

group "overlay: monitor exits 0 on SIGINT"
mon_stop ops
group_end
