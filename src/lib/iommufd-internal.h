/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the iommufd layer.  The files and their arrows (each calls only
 * those below it):
 *
 *   iommufd-probe.c                   what the kernel knows (makes and destroys HWPTs)
 *   iommufd-dev.c, iommufd-ioas.c,    the wrappers of a session: devices and the mock,
 *   iommufd-hwpt.c                    IOAS and mappings, HWPTs and the vIOMMU family
 *   iommufd-session.c                 the session: table, lookups, order, the seam
 *   iommufd.c                         raw: the ioctl, errno words, /dev/iommu, cdev
 *                                     open and bind, the legacy VFIO container
 */
#ifndef ICTL_IOMMUFD_INTERNAL_H
#define ICTL_IOMMUFD_INTERNAL_H

#include "internal.h"
#include "iommufd-raw.h"
#include "iommufd.h"

struct ictl_iommufd {
	struct ictl_ctx *ctx;
	int fd;
	const struct ictl_iommufd_ops *ops;
	void *priv;
	uint64_t seq;			/* the next object's seq */
	size_t n, cap;
	struct ictl_iommufd_obj **objs;	/* in allocation order */
};

/* --- iommufd-session.c --------------------------------------------------------- */

/* An ioctl on fd (the iommufd, or a device's cdev), and a close, through the session's ops. */
int iofd_ioctl(struct ictl_iommufd *s, int fd, unsigned long req, void *arg);
void iofd_close(struct ictl_iommufd *s, int fd);

/*
 * An object about to be made: checks the name (unique, short enough) and
 * takes all the memory its recording needs, so that once the kernel has made
 * it, recording cannot fail.  Then either iofd_obj_add() or iofd_obj_drop().
 */
int iofd_obj_new(struct ictl_iommufd *s, enum ictl_obj_kind kind, const char *name,
		 struct ictl_iommufd_obj **out);
/* A dependency since allocation, on an object of the session (ignored when not one). */
void iofd_obj_dep(struct ictl_iommufd *s, struct ictl_iommufd_obj *o, uint32_t on);
void iofd_obj_add(struct ictl_iommufd *s, struct ictl_iommufd_obj *o, uint32_t id);
void iofd_obj_drop(struct ictl_iommufd_obj *o);

struct ictl_iommufd_obj *iofd_find(const struct ictl_iommufd *s, uint32_t id);
/* A device or mock device by dev_id, or -ENOENT with a message naming what for. */
int iofd_find_dev(struct ictl_iommufd *s, uint32_t dev_id, const char *ioctl,
		  struct ictl_iommufd_obj **out);

/* Room for one more attachment (before the ioctl); then record or forget one. */
int iofd_attach_reserve(struct ictl_iommufd *s, struct ictl_iommufd_obj *dev);
void iofd_attach_set(struct ictl_iommufd *s, struct ictl_iommufd_obj *dev, uint32_t pasid,
		     uint32_t pt_id);
void iofd_attach_clear(struct ictl_iommufd_obj *dev, uint32_t pasid);

/*
 * How messages name an object: "ioas 2", "ioas 'ram' #2", "device
 * 0000:03:00.0 #1"; what is the word for an id the session does not know.
 */
const char *iofd_label(const struct ictl_iommufd *s, uint32_t id, const char *what, char *buf,
		       size_t len);
#define IOFD_LABEL_MAX 112

#endif /* ICTL_IOMMUFD_INTERNAL_H */
