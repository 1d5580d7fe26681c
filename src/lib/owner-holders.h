/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who holds VFIO nodes open.  /proc is scanned once per command: the first
 * question reads every /proc/PID/fd link that points into /dev/vfio into a
 * snapshot kept in the context, and every later question (status of each
 * group, the in-use checks, a refused bind) filters that snapshot.  The
 * library forgets it where the world changes under it: a write that moves a
 * device between drivers (owner-members.c), and a wait for another run's lock
 * (owner-txn.c); the next question reads /proc again.
 * Calls (see the layering in internal.h) only the context, the sysfs seam and
 * utilities.
 */
#ifndef ICTL_OWNER_HOLDERS_H
#define ICTL_OWNER_HOLDERS_H

#include "internal.h"

/* Drop the snapshot: the next question scans /proc again. */
void holders_forget(struct ictl_ctx *ctx);
/*
 * For a bind of device's VFIO cdev (vfioN) that the kernel refused: append
 * ": held by pid N (comm), pid M (comm)" to the current message, naming who
 * has the cdev or the device's group node open (nothing when nobody has).
 * cdev NULL: the device's own, from sysfs.  err is the bind's result (-EBUSY);
 * returns it.
 */
int holders_explain(struct ictl_ctx *ctx, int err, const char *device, const char *cdev);

#endif
