/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What makes a member busy, so that taking its driver away would break
 * something: an interface that is up, carries routes or has a master, a
 * mounted or held block device, the boot display, an open VFIO node.
 * Calls (see the layering in internal.h): members (which driver is a VFIO
 * one), holders, and the sysfs seam.
 */
#ifndef ICTL_OWNER_INUSE_H
#define ICTL_OWNER_INUSE_H

#include "internal.h"

/* Fill p->busy for the members whose driver p's steps change (unbind, probe). */
int own_check_in_use(struct ictl_ctx *ctx, struct ictl_own_plan *p);

#endif
