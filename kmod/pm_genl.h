/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PM_GENL_H
#define _PM_GENL_H

#include <linux/skbuff.h>

#include "pm_internal.h"

int pm_genl_init(void);
void pm_genl_exit(void);

/* Anyone in the "events" group? Cheap, atomic context. */
bool pm_genl_listening(void);

/* Batches of events for the "events" group (drain side). */
struct sk_buff *pm_genl_batch_new(size_t size);
int pm_genl_put_event(struct sk_buff *skb, const struct pm_event *ev);
int pm_genl_put_lost(struct sk_buff *skb, const struct pm_lost *lost);
int pm_genl_batch_send(struct sk_buff *skb);

#endif /* _PM_GENL_H */
