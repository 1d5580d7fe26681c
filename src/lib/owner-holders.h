/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who holds VFIO nodes open (ictl_vfio_holders() in iommuctl.h), and the
 * message of a bind the kernel refused because someone does.
 * Calls (see the layering in internal.h) only the context, the sysfs seam and
 * utilities.
 */
#ifndef ICTL_OWNER_HOLDERS_H
#define ICTL_OWNER_HOLDERS_H

#include "internal.h"

/*
 * For a bind of device's VFIO cdev (vfioN) that the kernel refused: append
 * ": held by pid N (comm), pid M (comm)" to the current message, naming who
 * has the cdev or the device's group node open (nothing when nobody has).
 * err is the bind's result (-EBUSY); returns it.
 */
int holders_explain(struct ictl_ctx *ctx, int err, const char *device, const char *cdev);

#endif
