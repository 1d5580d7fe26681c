// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The members of a group as DMA ownership sees them: which device is a bridge
 * (left alone), which driver and driver_override each has now, whether the
 * group is claimed (every endpoint on a VFIO driver); and the writes that move
 * a device between drivers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "owner-holders.h"
#include "owner-members.h"

bool ictl_driver_is_vfio(const char *driver)
{
	return driver && strstr(driver, "vfio") != NULL;
}

/*
 * Never blocking (a FIFO without a reader fails), never through a symlink as the
 * last component, only into a regular file with one name (a sysfs attribute, a
 * capture's file); a capture's file is truncated only once that is known.
 */
int own_write(struct ictl_ctx *ctx, const char *path, const char *val)
{
	const int flags = O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY;
	_cleanup_close_ int fd = sysfs_open(ctx, path, ctx->live ? flags | O_TRUNC : flags);
	size_t len = strlen(val);
	struct stat st;
	ssize_t n;

	/* A device may change driver from here: VFIO nodes come and go. */
	holders_forget(ctx);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		return ictl_err_data(ctx, EINVAL,
				     "%s is not a file with one name (a FIFO, a device, a hard link): refusing to write it",
				     path);
	if (!ctx->live && ftruncate(fd, 0) < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int own_dev_write(struct ictl_ctx *ctx, const char *dev, const char *attr, const char *val)
{
	char path[PATH_MAX];
	int r = path_fmt(path, sizeof(path), "sys/bus/pci/devices/%s/%s", dev, attr);

	return r < 0 ? r : own_write(ctx, path, val);
}

int own_bind_to(struct ictl_ctx *ctx, const char *dev, const char *driver)
{
	char path[PATH_MAX];
	int r;

	if (!driver[0] || !strcmp(driver, "*"))
		return own_write(ctx, "sys/bus/pci/drivers_probe", dev);
	r = path_fmt(path, sizeof(path), "sys/bus/pci/drivers/%s/bind", driver);
	if (!r)
		r = own_write(ctx, path, dev);
	/* The driver refused the explicit bind: let the kernel's probe try. */
	if (r < 0 && r != -ENOENT)
		r = own_write(ctx, "sys/bus/pci/drivers_probe", dev);
	return r;
}

int own_member_refresh(struct ictl_ctx *ctx, struct ictl_own_member *m)
{
	struct ictl_device d;
	int r = ictl_device_read(ctx, m->device, &d);

	if (r < 0)
		return r;
	str_copy(m->driver, d.driver, sizeof(m->driver));
	str_copy(m->driver_override, d.driver_override, sizeof(m->driver_override));
	str_copy(m->vfio_dev, d.vfio_dev, sizeof(m->vfio_dev));
	ictl_device_clear(&d);
	return 0;
}

static bool is_bridge(const struct ictl_device *d)
{
	return ictl_device_is_bridge(d) || !strcmp(d->driver, "pcieport");
}

int own_group_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **out,
		      size_t *n)
{
	struct ictl_group g;
	int r = ictl_group_read(ctx, group, &g);

	*out = NULL;
	*n = 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < g.ndevices && r >= 0; i++) {
		struct ictl_own_member *m;
		struct ictl_device d;
		char path[64];

		r = ictl_device_read(ctx, g.devices[i], &d);
		if (r < 0)
			break;
		if (!d.is_pci)
			r = ictl_err(ctx, EOPNOTSUPP, "group %u: %s is not a PCI device; only PCI groups can change owner",
				     group, d.name);
		m = r < 0 ? NULL : array_push(out, n, sizeof(**out));
		if (m) {
			str_copy(m->device, d.name, sizeof(m->device));
			m->bridge = is_bridge(&d);
			str_copy(m->driver, d.driver, sizeof(m->driver));
			str_copy(m->driver_override, d.driver_override, sizeof(m->driver_override));
			str_copy(m->vfio_dev, d.vfio_dev, sizeof(m->vfio_dev));
			m->has_cdev = m->vfio_dev[0] &&
				      !path_fmt(path, sizeof(path), "dev/vfio/devices/%s", m->vfio_dev) &&
				      sysfs_exists(ctx, path);
		} else if (r >= 0) {
			r = -ENOMEM;
		}
		ictl_device_clear(&d);
	}
	ictl_group_clear(&g);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r < 0 ? r : 0;
}

int ictl_own_resolve(struct ictl_ctx *ctx, const char *arg, unsigned int *group)
{
	char name[ICTL_NAME_MAX];
	struct ictl_device d;
	int r;

	if (arg[0] && strspn(arg, "0123456789") == strlen(arg)) {
		r = ictl_parse_group_id(ctx, arg, group);
		if (r < 0)
			return r;
		return ictl_group_check(ctx, *group);
	}
	r = ictl_parse_device_name(ctx, arg, name);
	if (r < 0)
		return r;
	r = ictl_device_read(ctx, name, &d);
	if (r < 0)
		return r;
	ictl_device_clear(&d);
	if (d.group < 0)
		return ictl_err(ctx, ENODEV, "%s is in no IOMMU group: no IOMMU translates its DMA",
				name);
	*group = (unsigned int)d.group;
	return 0;
}

const struct ictl_own_member *own_unclaimed(const struct ictl_own_member *m, size_t n,
					    size_t *endpoints)
{
	const struct ictl_own_member *off = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		if (m[i].bridge)
			continue;
		count++;
		if (!off && !ictl_driver_is_vfio(m[i].driver))
			off = &m[i];
	}
	if (endpoints)
		*endpoints = count;
	return off;
}

int own_err_unclaimed(struct ictl_ctx *ctx, unsigned int group, const struct ictl_own_member *off)
{
	return ictl_err(ctx, EUNATCH, "group %u is not claimed (%s %s%s): run 'iommuctl claim %u' first",
			group, off->device, off->driver[0] ? "is on " : "has no driver", off->driver,
			group);
}
