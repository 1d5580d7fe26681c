/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The members of a group as DMA ownership sees them: read, refreshed, written.
 * Calls (see the layering in internal.h): groups, devices, the sysfs seam, and
 * holders (a write makes the /proc snapshot stale).
 */
#ifndef ICTL_OWNER_MEMBERS_H
#define ICTL_OWNER_MEMBERS_H

#include "internal.h"

/* "-" for an empty driver or override, as the journal and the messages write it. */
static inline const char *own_dash(const char *s)
{
	return s[0] ? s : "-";
}

/* The members of a group, bridges marked; -EOPNOTSUPP for a member that is not PCI. */
int own_group_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **out,
		      size_t *n);
/* Read the current driver, driver_override and VFIO device of m->device into m. */
int own_member_refresh(struct ictl_ctx *ctx, struct ictl_own_member *m);
/* The first endpoint not on a VFIO driver, or NULL when the group is claimed; counts endpoints. */
const struct ictl_own_member *own_unclaimed(const struct ictl_own_member *m, size_t n,
					    size_t *endpoints);
/* -EUNATCH: the group is not claimed, naming the endpoint off and what to run. */
int own_err_unclaimed(struct ictl_ctx *ctx, unsigned int group, const struct ictl_own_member *off);

/*
 * Writes.  Each one changes (or may change) which driver has a device, so it
 * forgets the holders snapshot.  -errno, no message (but for a file that is no
 * regular file with one name: a message naming it).
 */
/* Write a whole attribute below the root (sysfs, or a capture's plain file). */
int own_write(struct ictl_ctx *ctx, const char *path, const char *val);
/* Write sys/bus/pci/devices/DEV/ATTR. */
int own_dev_write(struct ictl_ctx *ctx, const char *dev, const char *attr, const char *val);
/*
 * Bind dev to driver ("" or "*": the kernel's probe, drivers_probe); when the
 * driver refuses the explicit bind, let the kernel's probe try.
 */
int own_bind_to(struct ictl_ctx *ctx, const char *dev, const char *driver);

#endif
