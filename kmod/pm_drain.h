/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PM_DRAIN_H
#define _PM_DRAIN_H

int pm_drain_init(void);
/* Hook side, atomic context: make sure a drain runs soon. */
void pm_drain_kick(void);
/* Unload, after the hooks are gone: stop the work, drain once more. */
void pm_drain_exit(void);

#endif /* _PM_DRAIN_H */
