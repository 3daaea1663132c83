/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PM_FILTER_H
#define _PM_FILTER_H

#include <linux/dcache.h>
#include <net/genetlink.h>

/* Hook side, atomic context. */
bool pm_filter_op(u32 op);
bool pm_filter_match(struct vfsmount *mnt, struct dentry *d1,
		     struct dentry *d2);

/* genl side, process context, serialised by the caller. */
int pm_filter_set(struct genl_info *info);
int pm_filter_fill(struct sk_buff *skb);
void pm_filter_describe(char *buf, size_t len);
void pm_filter_exit(void);

#endif /* _PM_FILTER_H */
