/* SPDX-License-Identifier: MIT */
/*
 * hostmap.h - the host's name of an object the kernel identified by its
 * filesystem (device) and its path within that filesystem.
 *
 * A task can name one file in many ways: through a bind mount, from
 * another mount namespace, inside a chroot, via /proc/PID/root, by a file
 * handle. premod.ko therefore sends, besides the path as the task named it,
 * the device of the filesystem and the path from that filesystem's root
 * (PREMOD_A_FS_PATH, as fanotify identifies objects by fsid and handle).
 * This module turns the pair into the name the object has in the initial
 * mount namespace, from that namespace's mount table (/proc/1/mountinfo:
 * major:minor, root of the mount within its filesystem, mount point):
 *
 *   a mount of the same device whose root covers the path names the
 *   object as its mount point + the rest of the path. Of several such
 *   mounts (bind mounts), the one whose root is shortest wins, then the
 *   one mounted first (listed first). A name that is hidden by another
 *   mount (a later mount on the same mount point, or a mount on a
 *   directory inside that name) is not used, unless that other mount shows
 *   the same object there. No usable mount: no host name (-ENOENT); the
 *   caller keeps the task's name and flags PREMOD_F_NO_HOST_PATH.
 *
 * The table is kept current: the mountinfo file signals a change of the
 * namespace's mounts with POLLPRI, checked (without waiting) before each
 * event is mapped. An event raised before a mount change and mapped after
 * it is named by the newer table: an object on a mount that is gone by
 * then has no host name and is flagged.
 *
 * Not thread-safe: one owner (premodd's receiver thread, premodctl).
 */
#ifndef PREMOD_DAEMON_HOSTMAP_H
#define PREMOD_DAEMON_HOSTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct pm_hostmap;

/* Mount table file; NULL is /proc/1/mountinfo. Opened by pm_hostmap_refresh. */
struct pm_hostmap *pm_hostmap_new(const char *mountinfo);
void pm_hostmap_free(struct pm_hostmap *m);

/*
 * Replaces the table by the one in @text (mountinfo format). Lines that do
 * not parse are skipped and counted in the return value (>= 0), or
 * -ENOMEM.
 */
int pm_hostmap_load_text(struct pm_hostmap *m, const char *text, size_t len);

/*
 * Reads the mount table file when it is not read yet or signalled a
 * change since. 1 when re-read, 0 when current, -errno when it cannot be
 * opened or read (the previous table stays).
 */
int pm_hostmap_refresh(struct pm_hostmap *m);

/* Mounts in the table. */
size_t pm_hostmap_count(const struct pm_hostmap *m);

/*
 * Host name of @fs_path (absolute, from the root of the filesystem) on the
 * filesystem @dev (userspace encoding, as PREMOD_A_DEV) into @buf.
 * 0, -ENOENT (no mount names it), -ENAMETOOLONG (@len too small).
 */
int pm_hostmap_lookup(const struct pm_hostmap *m, uint32_t dev, const char *fs_path,
		   char *buf, size_t len);

/*
 * Storage for the names pm_hostmap_apply() sets; it must live as long as the
 * event. Names longer than a buffer are not mapped.
 */
struct pm_hostmap_names {
	char path[8192];
	char path2[8192];
	char exe[8192];
};

/*
 * Names a decoded kernel event the host's way, in place:
 *   task_path/task_path2 := the wire's path/path2 (the task's view; not
 *                           for FS_RELATIVE events, which have none);
 *   path/path2           := the host name from dev and fs_path/fs_path2;
 *                           when there is none, the task's view stays and
 *                           flags gets PREMOD_F_NO_HOST_PATH;
 *   exe                  := the host name from exe_dev and exe_fs_path.
 * An event without fs_path and without PREMOD_F_FS_PATH_ERROR (a LOST
 * record, an older module's event) is left as it is. Refreshes the table
 * first (see pm_hostmap_refresh).
 */
void pm_hostmap_apply(struct pm_hostmap *m, struct pm_event *ev,
		   struct pm_hostmap_names *out);

#endif /* PREMOD_DAEMON_HOSTMAP_H */
