/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bottom of the iommufd layer (iommufd.c): the raw ioctl and what every
 * wrapper above it shares.  It includes nothing of the layer above, so that
 * iommufd.c calls and includes nothing above it (see iommufd-internal.h).
 */
#ifndef ICTL_IOMMUFD_RAW_H
#define ICTL_IOMMUFD_RAW_H

#include "internal.h"

/* ioctl() returning -errno, retried on EINTR: the session's default. */
int iofd_sys_ioctl(int fd, unsigned long req, void *arg);
/* /dev/iommu below the root: an fd, or -errno with the message set. */
int iofd_open_dev(struct ictl_ctx *ctx);
/*
 * Record "NAME on OBJECT: strerror: hint" (hint NULL: the errno's usual meaning)
 * as the kernel's error (ictl_err_kernel); returns -err.
 */
int ioctl_fail(struct ictl_ctx *ctx, int err, const char *name, const char *hint,
	       const char *obj, ...) __attribute__((format(printf, 5, 6)));

#endif /* ICTL_IOMMUFD_RAW_H */
