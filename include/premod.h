/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * premod.h - the premod generic netlink contract (kernel <-> userspace).
 *
 * premod.ko raises pre-modify filesystem events: it observes LSM hooks at
 * their entry, *before* a change happens, and reports the attempt. It never
 * waits for userspace and never asks it for a decision. An event reports an
 * attempt: the operation may still fail afterwards.
 *
 * Family: PREMOD_GENL_NAME ("premod"), version PREMOD_GENL_VERSION. The family
 * exists in the initial network namespace only (netnsok = false).
 *
 * Multicast groups (joining requires CAP_NET_ADMIN in the initial user
 * namespace; an unprivileged or user-namespace root join fails with EPERM):
 *
 *   PREMOD_MCGRP_EVENTS "events": PREMOD_CMD_EVENT messages.
 *   PREMOD_MCGRP_ALERTS "alerts": PREMOD_CMD_ALERT messages (records the
 *                                 registered daemon republished).
 *
 * Commands (every command but GET_STATS and GET_FILTER changes state and
 * requires CAP_NET_ADMIN, GENL_ADMIN_PERM; GET_* require it too because they
 * reveal what is watched). REGISTER and SET_FILTER, which decide what is
 * reported, also require CAP_AUDIT_CONTROL (as audit's AUDIT_SET does),
 * EPERM otherwise; each is reported in the stream as a PREMOD_OP_CONFIG
 * event. Joining the groups stays CAP_NET_ADMIN only: generic netlink
 * groups can demand no other capability, and CAP_AUDIT_READ would add
 * nothing a CAP_NET_ADMIN holder could not already get. Requests are validated strictly: an unknown
 * attribute, a wrong length or a missing required attribute is rejected with
 * EINVAL (with an extended ack message); unknown flag bits with EOPNOTSUPP.
 *
 *   PREMOD_CMD_EVENT (kernel -> "events" group)
 *     One event per generic netlink message; one multicast datagram carries
 *     several such messages (a batch) and is at most PREMOD_BATCH_MAX
 *     bytes: receive into a buffer at least that large (a smaller one
 *     truncates the datagram). Attributes are flat, see "Event
 *     attributes" below. op PREMOD_OP_LOST is a loss report, see "Loss".
 *
 *   PREMOD_CMD_GET_STATS (request: no attributes)
 *     Reply: PREMOD_A_VERSION, PREMOD_A_STATS (nest of enum premod_stat,
 *     every one NLA_U64), PREMOD_A_HOOKS (nest; one PREMOD_HA_HOOK nest per
 *     hook, each with PREMOD_HA_NAME string, PREMOD_HA_ENABLED u8,
 *     PREMOD_HA_NMISSED u64, PREMOD_HA_HITS u64, PREMOD_HA_PROBED u8).
 *     ENABLED is the module parameter; PROBED says the kprobe is in place
 *     on this kernel (0: disabled, or a hook this kernel does not have,
 *     such as security_file_truncate before 6.2).
 *
 *   PREMOD_CMD_REGISTER (request: optional PREMOD_A_UNREGISTER flag)
 *     Registers the calling process (its thread group, by struct pid) as the
 *     daemon: its own operations raise no events for as long as it lives,
 *     and only it may PUBLISH. While another registered process is alive
 *     REGISTER is refused with EBUSY (a second daemon would silently
 *     blind the first); once it has exited (and been reaped) the next
 *     REGISTER takes its place. REGISTER by the registered process itself
 *     is a no-op. With PREMOD_A_UNREGISTER the registration is dropped
 *     (only by the registered process itself). Reply: PREMOD_A_VERSION.
 *
 *   PREMOD_CMD_SET_FILTER (request: any of the filter attributes)
 *     Replaces the in-kernel prefilter as a whole; an empty request clears it
 *     (everything is reported).
 *       PREMOD_A_FILTER_OPS      u32  bit (1 << PREMOD_OP_x) for each op to
 *                                     report; absent or 0 = all ops.
 *       PREMOD_A_FILTER_INCLUDE  nest of PREMOD_FA_PATH (string, absolute):
 *                                     report only events whose path (or
 *                                     path2) lies in one of these subtrees.
 *                                     Absent = everywhere.
 *       PREMOD_A_FILTER_EXCLUDE  nest of PREMOD_FA_PATH: never report events
 *                                     whose every path lies in one of these.
 *       PREMOD_A_FILTER_EXCLUDE_UIDS nest of PREMOD_FA_UID (u32): never
 *                                     report events whose fsuid is listed.
 *     Paths are resolved by the kernel when the filter is set, in the
 *     caller's context (ENOENT names a missing path in the extended ack);
 *     membership is decided by dentry ancestry (is_subdir), so the same
 *     directory reached through a bind mount, another mount namespace or a
 *     chroot is inside its subtree. At most PREMOD_FILTER_MAX_PATHS paths
 *     and PREMOD_FILTER_MAX_UIDS uids (E2BIG).
 *
 *   PREMOD_CMD_GET_FILTER (request: no attributes)
 *     Reply: the active filter in the SET_FILTER attributes (paths as given).
 *
 *   PREMOD_CMD_PUBLISH (request: PREMOD_A_RECORD, optional PREMOD_A_SEQ)
 *     Only from the registered process (EPERM otherwise). The kernel
 *     multicasts PREMOD_CMD_ALERT with the same attributes on "alerts".
 *
 *   PREMOD_CMD_ALERT (kernel -> "alerts" group)
 *     PREMOD_A_RECORD: one policy-matched audit record, a JSON object (the
 *     daemon's JSONL record format), NUL-terminated, at most
 *     PREMOD_RECORD_MAX bytes. PREMOD_A_SEQ: the event's sequence number.
 *
 * Event attributes (PREMOD_CMD_EVENT). Every event carries:
 *   PREMOD_A_SEQ      u64  sequence number, taken when the event is captured;
 *                          consecutive across all CPUs, so a gap is loss.
 *   PREMOD_A_TIME     u64  wall-clock time (CLOCK_REALTIME), ns since epoch.
 *   PREMOD_A_OP       u32  enum premod_op.
 *   PREMOD_A_FLAGS    u32  PREMOD_F_* bits.
 *   PREMOD_A_PID      u32  thread id, as seen from the initial pid namespace.
 *   PREMOD_A_TGID     u32  process id (initial pid namespace).
 *   PREMOD_A_PPID     u32  parent's process id.
 *   PREMOD_A_UID, PREMOD_A_GID, PREMOD_A_EUID, PREMOD_A_EGID, PREMOD_A_FSUID,
 *   PREMOD_A_FSGID    u32  credentials, in the initial user namespace.
 *   PREMOD_A_AUID     u32  login uid (audit), 4294967295 when unset.
 *   PREMOD_A_SESSION  u32  audit session id, 4294967295 when unset.
 *   PREMOD_A_COMM     string  task comm (at most 15 bytes + NUL).
 *   PREMOD_A_CGROUP   u64  cgroup v2 id of the task.
 *   PREMOD_A_MNTNS    u32  inode number of the task's mount namespace.
 *   PREMOD_A_DEV      u32  device of the filesystem, userspace encoding
 *                          (major(dev), minor(dev) as glibc's makedev).
 *   PREMOD_A_INO      u64  inode number of the object (for CREATE, MKDIR
 *                          and SYMLINK: of the parent dir; for LINK: of
 *                          the existing file, PREMOD_A_PATH).
 *   PREMOD_A_MODE     u32  file type and mode of the object (for CREATE and
 *                          MKDIR: the mode requested, type bits included).
 *   PREMOD_A_PATH     string  absolute path of the object as the acting task
 *                          sees it (its root and mounts), NUL-terminated.
 *   PREMOD_A_FS_PATH  string  path of the same object from the root of its
 *                          filesystem (the one PREMOD_A_DEV names), as
 *                          fanotify's FID mode identifies objects by
 *                          filesystem and handle: the same whatever route
 *                          (bind mount, mount namespace, chroot,
 *                          /proc/PID/root, file handle, io_uring) the task
 *                          took. With the mount table of the initial mount
 *                          namespace (/proc/1/mountinfo: major:minor,
 *                          root, mount point) a consumer maps it to the
 *                          host's name; premodd and premodctl do. Absent,
 *                          with PREMOD_F_FS_PATH_ERROR, when it could not be
 *                          built without waiting (a rename raced with the
 *                          walk on every try), is longer than
 *                          PREMOD_PATH_MAX or does not reach the
 *                          filesystem's root (a disconnected dentry from a
 *                          file handle).
 *   PREMOD_A_FS_PATH2 string  the same for PREMOD_A_PATH2 (RENAME, LINK).
 *   PREMOD_A_EXE_DEV  u32  the acting task's executable, taken at the hook
 *   PREMOD_A_EXE_INO  u64  (mm->exe_file): device (userspace encoding) and
 *   PREMOD_A_EXE_FS_PATH string  inode, and its path within its
 *                          filesystem (map it as PREMOD_A_FS_PATH). Absent
 *                          for kernel threads; io_uring workers carry their
 *                          submitter's. EXE_FS_PATH absent with
 *                          PREMOD_F_EXE_ERROR as for FS_PATH. The exe is
 *                          the one the task runs at the hook: an exec right
 *                          after the attempt does not change it.
 *   Flags about the actor's view: PREMOD_F_TASK_ROOT when the task's root
 *   is not PID 1's (chroot, pivot_root in a container), PREMOD_F_TASK_MNTNS
 *   when its mount namespace is not PID 1's; "PID 1" is the initial pid
 *   namespace's, when the module was loaded.
 *
 * Per-op attributes:
 *   CREATE       PREMOD_A_RDEV (u32, userspace encoding; mknod of a device).
 *   MKDIR        -
 *   RMDIR        -
 *   UNLINK       PREMOD_A_NLINK u32, PREMOD_A_OLD_SIZE u64 (of the inode).
 *   RENAME       PREMOD_A_PATH2 (new path), PREMOD_A_RENAME_FLAGS u32 (the
 *                RENAME_NOREPLACE 1 / RENAME_EXCHANGE 2 / RENAME_WHITEOUT 4
 *                bits of renameat2); when the target exists:
 *                PREMOD_F_REPLACES and PREMOD_A_TARGET_INO u64.
 *   LINK         PREMOD_A_PATH (existing file), PREMOD_A_PATH2 (new name).
 *   SYMLINK      PREMOD_A_PATH (link), PREMOD_A_TARGET (string, contents).
 *   TRUNCATE     PREMOD_A_OLD_SIZE u64; PREMOD_A_NEW_SIZE u64 where known.
 *                open(O_TRUNC) of an existing file raises OPEN_WRITE (with
 *                O_TRUNC in open_flags) and TRUNCATE: two attempts.
 *   CHMOD        PREMOD_A_OLD_MODE u32, PREMOD_A_NEW_MODE u32 (type bits kept).
 *   CHOWN        PREMOD_A_OLD_UID, PREMOD_A_NEW_UID, PREMOD_A_OLD_GID,
 *                PREMOD_A_NEW_GID u32 (an unchanged id: new == old).
 *   SETATTR      PREMOD_A_TIME_FLAGS u32 (PREMOD_T_* bits), PREMOD_A_ATIME
 *                and/or PREMOD_A_MTIME u64 (ns since epoch, when given
 *                explicitly; "now" is flagged instead).
 *   OPEN_WRITE   PREMOD_A_OPEN_FLAGS u32 (the open flags, O_* values of
 *                the architecture), PREMOD_A_OLD_SIZE u64;
 *                PREMOD_F_CREATED when this open created the file
 *                (O_CREAT of a name that did not exist).
 *   SETXATTR     PREMOD_A_XATTR_NAME string, PREMOD_A_XATTR_SIZE u32;
 *                PREMOD_A_PATH is relative to the filesystem root
 *                (PREMOD_F_FS_RELATIVE) and starts with '/'; it is
 *                also sent as PREMOD_A_FS_PATH, so it maps to the host
 *                name like any other.
 *   REMOVEXATTR  PREMOD_A_XATTR_NAME string; path as for SETXATTR.
 *                A POSIX ACL change (setfacl) is one SETXATTR, or one
 *                REMOVEXATTR when the ACL is removed, named
 *                "system.posix_acl_access" or "system.posix_acl_default",
 *                on every kernel: before 6.2 it is an xattr operation, since
 *                6.2 it has hooks of its own (security_inode_set_acl,
 *                _remove_acl); XATTR_SIZE is then the size of the ACL in
 *                its xattr form (4 + 8 * entries), as setxattr(2) has it.
 *                Likewise TRUNCATE from ftruncate(2) and open(O_TRUNC)
 *                comes from security_path_truncate before 6.2 and from
 *                security_file_truncate since: one event on either.
 *   LOST         PREMOD_A_LOST_COUNT u64, PREMOD_A_LOST_FIRST and
 *                PREMOD_A_LOST_LAST u64 (the sequence range, inclusive, the
 *                lost events lie in); SEQ, TIME, OP and FLAGS only.
 *   CONFIG       a change of what premod reports, as audit's CONFIG_CHANGE:
 *                PREMOD_A_CONFIG_ACTION u32 (enum premod_config_action),
 *                PREMOD_A_CONFIG_DETAIL string (what changed: for
 *                SET_FILTER the new filter, "ops=0x... include=P,...
 *                exclude=P,... exclude_uids=N,..." with "-" for none, cut
 *                at PREMOD_PATH_MAX; absent otherwise). The task fields
 *                and exe are the caller's (for UNLOAD: rmmod's). Config
 *                events are sequenced like every event but pass neither
 *                the prefilter nor the daemon's self-exclusion: the
 *                daemon's own REGISTER and SET_FILTER are reported. No
 *                object attributes (DEV, INO, MODE, PATH). Module load
 *                raises none: nobody can listen before the family exists;
 *                a new stream starts at seq 1.
 *
 * Paths: PREMOD_A_PATH, PREMOD_A_PATH2 and PREMOD_A_TARGET are at most
 * PREMOD_PATH_MAX bytes with the NUL. A longer one is sent cut at its
 * *start* (the end, with the file name, is kept) and flagged
 * PREMOD_F_PATH_TRUNCATED / PREMOD_F_PATH2_TRUNCATED /
 * PREMOD_F_TARGET_TRUNCATED. A path the kernel could not resolve is sent
 * as the name alone with PREMOD_F_PATH_ERROR (PREMOD_A_PATH) or
 * PREMOD_F_PATH2_ERROR (PREMOD_A_PATH2). A path never ends in
 * " (deleted)": an object that has no name any more (unlinked while open)
 * is sent under its last name with PREMOD_F_UNLINKED.
 * Paths are built in the hook without waiting: PREMOD_A_FS_PATH* by an
 * RCU walk of the dentry's parents, checked against rename_lock's count
 * and given up (flagged) after a few tries that saw a rename, never
 * taking the lock (which sleeps on PREEMPT_RT). PREMOD_A_PATH* use the
 * kernel's d_path(), whose retry after a racing rename or mount change
 * takes rename_lock/mount_lock: on PREEMPT_RT kernels that rare retry is
 * a sleeping lock in the hook. Consumers should prefer FS_PATH.
 *
 * Consumer-side flag: PREMOD_F_NO_HOST_PATH is never set by the kernel;
 * premodd and premodctl set it when they could not name PREMOD_A_PATH (or
 * PATH2) in the initial mount namespace (a mount that exists only in
 * another namespace, or no FS_PATH): path then keeps the task's name.
 *
 * Loss. An event is lost only in these ways, each counted by reason in
 * PREMOD_CMD_GET_STATS:
 *   PREMOD_STAT_DROP_BUFFER_FULL  the per-CPU buffer was full at capture;
 *   PREMOD_STAT_DROP_TOO_BIG      the event did not fit a buffer at all;
 *   PREMOD_STAT_DROP_ALLOC        no memory for the outgoing message;
 *   PREMOD_STAT_DROP_SEND         multicast failed (a listener's receive
 *                                 buffer was full: ENOBUFS);
 *   PREMOD_STAT_DROP_NO_LISTENER  the last listener left before delivery;
 *   PREMOD_STAT_DROP_UNLOAD       the module was unloaded with events
 *                                 still buffered.
 * Every captured event has a sequence number, so a listener sees lost ones
 * as a gap; after a loss the stream carries a PREMOD_OP_LOST record with the
 * count and range, sent again until it is delivered; its PREMOD_A_SEQ is
 * its PREMOD_A_LOST_LAST, so the stream's sequence numbers stay strictly
 * increasing. A listener's overrun (ENOBUFS) is known to the kernel, and so
 * reported in-band, only if the listener set NETLINK_BROADCAST_ERROR on
 * its socket. With several such listeners, a batch one of them could not
 * take counts as lost although the others received it, and the LOST record
 * is repeated, its range growing, until a batch carrying it reaches every
 * listener: the exact loss for a listener is the sequence numbers in
 * [PREMOD_A_LOST_FIRST, PREMOD_A_LOST_LAST] it did not receive (with a
 * single listener, the sum of PREMOD_A_LOST_COUNT is exact). Events that
 * the filter, the self-exclusion or the absence of listeners suppress get
 * no sequence number and are not losses (counted in PREMOD_STAT_FILTERED,
 * _SELF).
 * Hook hits the kprobe layer missed (re-entry) are PREMOD_STAT_KPROBE_MISSED
 * and per hook PREMOD_HA_NMISSED: those events were never captured.
 *
 * Numbers below are append-only: never renumber or reuse one.
 */
#ifndef _UAPI_LINUX_PREMOD_H
#define _UAPI_LINUX_PREMOD_H

#include <linux/types.h>

#define PREMOD_GENL_NAME	"premod"
#define PREMOD_GENL_VERSION	1
#define PREMOD_MCGRP_EVENTS	"events"
#define PREMOD_MCGRP_ALERTS	"alerts"

#define PREMOD_PATH_MAX		4096
#define PREMOD_RECORD_MAX	16384
#define PREMOD_FILTER_MAX_PATHS	64
#define PREMOD_FILTER_MAX_UIDS	64
#define PREMOD_BATCH_MAX	32768	/* bytes in one "events" datagram */

enum premod_cmd {
	PREMOD_CMD_UNSPEC,
	PREMOD_CMD_EVENT,
	PREMOD_CMD_GET_STATS,
	PREMOD_CMD_REGISTER,
	PREMOD_CMD_SET_FILTER,
	PREMOD_CMD_GET_FILTER,
	PREMOD_CMD_PUBLISH,
	PREMOD_CMD_ALERT,
	__PREMOD_CMD_MAX
};
#define PREMOD_CMD_MAX (__PREMOD_CMD_MAX - 1)

enum premod_op {
	PREMOD_OP_UNSPEC,
	PREMOD_OP_CREATE,
	PREMOD_OP_MKDIR,
	PREMOD_OP_RMDIR,
	PREMOD_OP_UNLINK,
	PREMOD_OP_RENAME,
	PREMOD_OP_LINK,
	PREMOD_OP_SYMLINK,
	PREMOD_OP_TRUNCATE,
	PREMOD_OP_CHMOD,
	PREMOD_OP_CHOWN,
	PREMOD_OP_SETATTR,
	PREMOD_OP_OPEN_WRITE,
	PREMOD_OP_SETXATTR,
	PREMOD_OP_REMOVEXATTR,
	PREMOD_OP_LOST,
	PREMOD_OP_CONFIG,
	__PREMOD_OP_MAX
};
#define PREMOD_OP_MAX (__PREMOD_OP_MAX - 1)

/* PREMOD_A_FLAGS */
enum premod_event_flag {
	PREMOD_F_PATH_TRUNCATED		= 1U << 0,
	PREMOD_F_PATH2_TRUNCATED	= 1U << 1,
	PREMOD_F_TARGET_TRUNCATED	= 1U << 2,
	PREMOD_F_FS_RELATIVE		= 1U << 3, /* path from the fs root */
	PREMOD_F_REPLACES		= 1U << 4, /* rename over an existing target */
	PREMOD_F_PATH_ERROR		= 1U << 5, /* path could not be resolved */
	PREMOD_F_PATH2_ERROR		= 1U << 6, /* path2 could not be resolved */
	PREMOD_F_FS_PATH_ERROR		= 1U << 7, /* fs_path (or fs_path2) not sent */
	PREMOD_F_UNLINKED		= 1U << 8, /* object has no name any more */
	PREMOD_F_TASK_ROOT		= 1U << 9, /* task's root is not PID 1's */
	PREMOD_F_TASK_MNTNS		= 1U << 10, /* task's mount ns is not PID 1's */
	PREMOD_F_EXE_ERROR		= 1U << 11, /* exe_fs_path not sent */
	PREMOD_F_CREATED		= 1U << 12, /* OPEN_WRITE: the open created it */
	/* Set by consumers (premodd, premodctl), never by the kernel: */
	PREMOD_F_NO_HOST_PATH		= 1U << 30, /* path/path2: no host name */
};

/* PREMOD_A_CONFIG_ACTION: what a PREMOD_OP_CONFIG event reports. */
enum premod_config_action {
	PREMOD_CONFIG_UNSPEC,
	PREMOD_CONFIG_REGISTER,		/* a process registered as the daemon */
	PREMOD_CONFIG_UNREGISTER,	/* ... dropped its registration */
	PREMOD_CONFIG_REGISTER_REFUSED,	/* REGISTER refused: one is alive */
	PREMOD_CONFIG_SET_FILTER,	/* the prefilter was replaced */
	PREMOD_CONFIG_UNLOAD,		/* the module is being unloaded */
};

/* PREMOD_A_TIME_FLAGS */
enum premod_time_flag {
	PREMOD_T_ATIME		= 1U << 0, /* access time is set */
	PREMOD_T_MTIME		= 1U << 1, /* modification time is set */
	PREMOD_T_ATIME_NOW	= 1U << 2, /* ... to the current time */
	PREMOD_T_MTIME_NOW	= 1U << 3,
};

enum premod_attr {
	PREMOD_A_UNSPEC,
	PREMOD_A_SEQ,		/* u64 */
	PREMOD_A_TIME,		/* u64, ns */
	PREMOD_A_OP,		/* u32, enum premod_op */
	PREMOD_A_FLAGS,		/* u32, PREMOD_F_* */
	PREMOD_A_PID,		/* u32 */
	PREMOD_A_TGID,		/* u32 */
	PREMOD_A_PPID,		/* u32 */
	PREMOD_A_UID,		/* u32 */
	PREMOD_A_GID,		/* u32 */
	PREMOD_A_EUID,		/* u32 */
	PREMOD_A_EGID,		/* u32 */
	PREMOD_A_FSUID,		/* u32 */
	PREMOD_A_FSGID,		/* u32 */
	PREMOD_A_AUID,		/* u32 */
	PREMOD_A_SESSION,	/* u32 */
	PREMOD_A_COMM,		/* string */
	PREMOD_A_CGROUP,	/* u64 */
	PREMOD_A_MNTNS,		/* u32 */
	PREMOD_A_DEV,		/* u32 */
	PREMOD_A_INO,		/* u64 */
	PREMOD_A_MODE,		/* u32 */
	PREMOD_A_PATH,		/* string */
	PREMOD_A_PATH2,		/* string */
	PREMOD_A_TARGET,	/* string */
	PREMOD_A_XATTR_NAME,	/* string */
	PREMOD_A_XATTR_SIZE,	/* u32 */
	PREMOD_A_OLD_MODE,	/* u32 */
	PREMOD_A_NEW_MODE,	/* u32 */
	PREMOD_A_OLD_UID,	/* u32 */
	PREMOD_A_NEW_UID,	/* u32 */
	PREMOD_A_OLD_GID,	/* u32 */
	PREMOD_A_NEW_GID,	/* u32 */
	PREMOD_A_OLD_SIZE,	/* u64 */
	PREMOD_A_NEW_SIZE,	/* u64 */
	PREMOD_A_NLINK,		/* u32 */
	PREMOD_A_RDEV,		/* u32 */
	PREMOD_A_RENAME_FLAGS,	/* u32 */
	PREMOD_A_TARGET_INO,	/* u64 */
	PREMOD_A_OPEN_FLAGS,	/* u32 */
	PREMOD_A_TIME_FLAGS,	/* u32, PREMOD_T_* */
	PREMOD_A_ATIME,		/* u64, ns */
	PREMOD_A_MTIME,		/* u64, ns */
	PREMOD_A_LOST_COUNT,	/* u64 */
	PREMOD_A_LOST_FIRST,	/* u64 */
	PREMOD_A_LOST_LAST,	/* u64 */
	/* not event attributes: */
	PREMOD_A_VERSION,	/* u32, PREMOD_GENL_VERSION of the module */
	PREMOD_A_STATS,		/* nest, enum premod_stat */
	PREMOD_A_HOOKS,		/* nest of PREMOD_HA_HOOK */
	PREMOD_A_UNREGISTER,	/* flag */
	PREMOD_A_FILTER_OPS,	/* u32 */
	PREMOD_A_FILTER_INCLUDE,	/* nest of PREMOD_FA_PATH */
	PREMOD_A_FILTER_EXCLUDE,	/* nest of PREMOD_FA_PATH */
	PREMOD_A_FILTER_EXCLUDE_UIDS,	/* nest of PREMOD_FA_UID */
	PREMOD_A_RECORD,	/* string, JSON */
	PAD_PREMOD_A,		/* padding for 64-bit attributes */
	/* event attributes again (append-only): */
	PREMOD_A_FS_PATH,	/* string */
	PREMOD_A_FS_PATH2,	/* string */
	PREMOD_A_EXE_DEV,	/* u32 */
	PREMOD_A_EXE_INO,	/* u64 */
	PREMOD_A_EXE_FS_PATH,	/* string */
	PREMOD_A_CONFIG_ACTION,	/* u32, enum premod_config_action */
	PREMOD_A_CONFIG_DETAIL,	/* string */
	__PREMOD_A_MAX
};
#define PREMOD_A_MAX (__PREMOD_A_MAX - 1)

enum premod_filter_attr {
	PREMOD_FA_UNSPEC,
	PREMOD_FA_PATH,		/* string */
	PREMOD_FA_UID,		/* u32 */
	__PREMOD_FA_MAX
};
#define PREMOD_FA_MAX (__PREMOD_FA_MAX - 1)

enum premod_hook_attr {
	PREMOD_HA_UNSPEC,
	PREMOD_HA_HOOK,		/* nest */
	PREMOD_HA_NAME,		/* string, the kprobed symbol */
	PREMOD_HA_ENABLED,	/* u8 */
	PREMOD_HA_NMISSED,	/* u64 */
	PREMOD_HA_HITS,		/* u64 */
	PREMOD_HA_PROBED,	/* u8: the kprobe is registered */
	__PREMOD_HA_MAX
};
#define PREMOD_HA_MAX (__PREMOD_HA_MAX - 1)

/* In PREMOD_A_STATS; each NLA_U64, monotonic since the module was loaded. */
enum premod_stat {
	PREMOD_STAT_UNSPEC,
	PREMOD_STAT_CAPTURED,		/* events given a sequence number */
	PREMOD_STAT_SENT,		/* events handed to netlink, delivered */
	PREMOD_STAT_FILTERED,		/* suppressed by the prefilter */
	PREMOD_STAT_SELF,		/* suppressed: the registered daemon's */
	PREMOD_STAT_DROP_BUFFER_FULL,
	PREMOD_STAT_DROP_TOO_BIG,
	PREMOD_STAT_DROP_ALLOC,
	PREMOD_STAT_DROP_SEND,
	PREMOD_STAT_DROP_NO_LISTENER,
	PREMOD_STAT_DROP_UNLOAD,
	PREMOD_STAT_KPROBE_MISSED,	/* sum of the hooks' nmissed */
	PREMOD_STAT_LOST_RECORDS,	/* PREMOD_OP_LOST records delivered */
	PREMOD_STAT_PATH_TRUNCATED,	/* paths sent cut */
	PREMOD_STAT_PATH_ERROR,		/* paths that could not be resolved */
	PREMOD_STAT_BATCHES,		/* multicast datagrams sent */
	PREMOD_STAT_PUBLISHED,		/* alerts multicast */
	PREMOD_STAT_PUBLISH_FAILED,	/* alerts no listener took */
	PREMOD_STAT_BUFFER_BYTES,	/* gauge: per-CPU buffer size */
	PAD_PREMOD_STAT,
	__PREMOD_STAT_MAX
};
#define PREMOD_STAT_MAX (__PREMOD_STAT_MAX - 1)

#endif /* _UAPI_LINUX_PREMOD_H */
