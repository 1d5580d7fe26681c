// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Holding a claimed group: its VFIO nodes open and DMA ownership taken for as
 * long as this process keeps them, and their hand-off to a command.
 *
 * Binding a driver to vfio-pci does not yet take the group from the kernel:
 * that happens when userspace binds a device cdev to an iommufd, or adds the
 * group to a legacy container.  Holding does that, so that nothing else
 * (another VMM, a second iommuctl) can take the devices until it ends.  On the
 * iommufd path the cdevs are bound through an iommufd session (iommufd.h),
 * which owns them.  Handing the fds to a program is a hand-off (handoff.h);
 * waiting, signals and running the program are the caller's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "handoff.h"
#include "iommufd.h"
#include "owner-holders.h"
#include "owner-members.h"

/* The endpoints must all be on a VFIO driver: the group is claimed. */
static int hold_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **m,
			size_t *n)
{
	const struct ictl_own_member *off;
	int r = own_group_members(ctx, group, m, n);

	if (r < 0 || !(off = own_unclaimed(*m, *n, NULL)))
		return r;
	r = own_err_unclaimed(ctx, group, off);
	free(*m);
	*m = NULL;
	return r;
}

static struct ictl_hold_dev *hold_push(struct ictl_hold *h, const char *device)
{
	struct ictl_hold_dev *d = array_push(&h->devs, &h->ndevs, sizeof(*d));

	if (d) {
		str_copy(d->device, device, sizeof(d->device));
		d->fd = -1;
	}
	return d;
}

/*
 * /dev/iommu and every endpoint's cdev; bound, each cdev is a device of the
 * session (which closes it), else only an fd of the hold.
 */
static int open_iommufd(struct ictl_ctx *ctx, struct ictl_hold *h,
			const struct ictl_own_member *m, size_t n, bool bind)
{
	int r = ictl_iommufd_open(ctx, &h->iommufd);

	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct ictl_iommufd_obj *o;
		struct ictl_vfio_dev vd;
		struct ictl_hold_dev *d;

		if (m[i].bridge)
			continue;
		d = hold_push(h, m[i].device);
		if (!d)
			return ictl_err(ctx, ENOMEM, "holding %s: out of memory", m[i].device);
		if (bind) {
			r = ictl_dev_bind(h->iommufd, NULL, m[i].device, &d->dev_id);
			if (r == -EBUSY)
				r = holders_explain(ctx, r, m[i].device, NULL);
			o = r < 0 ? NULL : ictl_iommufd_find(h->iommufd, d->dev_id);
			if (o) {
				d->fd = o->fd;
				snprintf(d->node, sizeof(d->node), "/dev/vfio/devices/%s", o->cdev);
			}
		} else if ((r = ictl_vfio_open(ctx, m[i].device, &vd)) == 0) {
			d->fd = vd.fd;
			snprintf(d->node, sizeof(d->node), "/dev/vfio/devices/%s", vd.cdev);
		}
	}
	if (r < 0)
		return r;
	h->bound = bind;
	return 0;
}

static int open_legacy(struct ictl_ctx *ctx, struct ictl_hold *h,
		       const struct ictl_own_member *m, size_t n)
{
	uint32_t flags;
	int r;

	h->legacy = true;
	h->group_fd = r = ictl_vfio_group_open(ctx, h->group);
	if (r >= 0)
		r = ictl_vfio_group_status(ctx, h->group_fd, h->group, &flags);
	if (r >= 0 && !(flags & ICTL_VFIO_GROUP_FLAGS_VIABLE))
		r = ictl_err(ctx, EBUSY,
			     "group %u is not viable: a member is on a driver that does DMA; see iommuctl status %u",
			     h->group, h->group);
	if (r >= 0)
		h->container = r = ictl_vfio_container_open(ctx);
	if (r >= 0)
		r = ictl_vfio_group_set_container(ctx, h->group_fd, h->group, h->container);
	if (r >= 0)
		r = ictl_vfio_set_iommu(ctx, h->container, ICTL_VFIO_TYPE1v2_IOMMU);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct ictl_hold_dev *d;

		if (m[i].bridge)
			continue;
		r = ictl_vfio_group_device_fd(ctx, h->group_fd, h->group, m[i].device);
		d = r < 0 ? NULL : hold_push(h, m[i].device);
		if (r >= 0 && !d) {
			close(r);
			r = -ENOMEM;
		} else if (d) {
			d->fd = r;
		}
	}
	return r < 0 ? r : 0;
}

/* iommufd when /dev/iommu and every endpoint's cdev exist. */
static bool iommufd_usable(struct ictl_ctx *ctx, const struct ictl_own_member *m, size_t n)
{
	if (!sysfs_exists(ctx, "dev/iommu"))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].bridge && !m[i].has_cdev)
			return false;
	}
	return true;
}

int ictl_hold_open(struct ictl_ctx *ctx, unsigned int group, enum ictl_hold_path path, bool bind,
		   struct ictl_hold *h)
{
	struct ictl_own_member *m = NULL;
	size_t n = 0;
	int r;

	*h = (struct ictl_hold){ .group = group, .container = -1, .group_fd = -1 };
	r = hold_members(ctx, group, &m, &n);
	if (r < 0)
		return r;
	if (path == ICTL_HOLD_AUTO)
		path = iommufd_usable(ctx, m, n) ? ICTL_HOLD_IOMMUFD : ICTL_HOLD_LEGACY;
	r = path == ICTL_HOLD_IOMMUFD ? open_iommufd(ctx, h, m, n, bind) : open_legacy(ctx, h, m, n);
	free(m);
	if (r < 0)
		ictl_hold_close(h);
	return r;
}

void ictl_hold_close(struct ictl_hold *h)
{
	/*
	 * Devices first: the kernel gives the group back as the last fd closes.
	 * A bound cdev (it has a dev_id; ids start at 1) is the session's.
	 */
	for (size_t i = 0; i < h->ndevs; i++) {
		if (h->devs[i].fd >= 0 && !h->devs[i].dev_id)
			close(h->devs[i].fd);
	}
	free(h->devs);
	h->devs = NULL;
	h->ndevs = 0;
	if (h->group_fd >= 0)
		close(h->group_fd);
	if (h->container >= 0)
		close(h->container);
	ictl_iommufd_free(h->iommufd);
	h->iommufd = NULL;
	h->group_fd = h->container = -1;
}

int ictl_hold_handoff(struct ictl_ctx *ctx, const struct ictl_hold *h, struct ictl_handoff *out)
{
	int r;

	ictl_handoff_init(out);
	out->group = h->group;
	if (h->legacy) {
		r = ictl_handoff_add(ctx, out, ICTL_HANDOFF_CONTAINER, h->container, "container", 0);
		if (!r)
			r = ictl_handoff_add(ctx, out, ICTL_HANDOFF_GROUP, h->group_fd, "group", 0);
	} else {
		r = ictl_handoff_add(ctx, out, ICTL_HANDOFF_IOMMUFD, ictl_iommufd_fd(h->iommufd),
				     "iommufd", 0);
	}
	for (size_t i = 0; !r && i < h->ndevs; i++)
		r = ictl_handoff_add(ctx, out, ICTL_HANDOFF_DEVICE, h->devs[i].fd,
				     h->devs[i].device, h->bound ? h->devs[i].dev_id : 0);
	if (!r)
		r = ictl_handoff_layout(ctx, out);
	if (r < 0)
		ictl_handoff_clear(out);
	return r;
}
