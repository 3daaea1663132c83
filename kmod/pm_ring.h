/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PM_RING_H
#define _PM_RING_H

#include "pm_internal.h"

int pm_ring_init(unsigned int size);
void pm_ring_exit(void);
unsigned int pm_ring_size(void);

/* Capture side, preemption disabled: numbers and stores one event. */
void pm_ring_commit(struct pm_event *ev, const char *const str[PM_STR_N]);

/* Drain side, process context. */
u64 pm_ring_next_seq(void);
bool pm_ring_front(int cpu, u64 *seq);
int pm_ring_pop(int cpu, struct pm_event *dst, size_t size);

#endif /* _PM_RING_H */
