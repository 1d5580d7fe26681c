// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The raw bottom of the iommufd layer: the ioctl call and what its errnos
 * mean, opening /dev/iommu and a device's VFIO cdev, binding a cdev, and the
 * legacy VFIO group and container.  The sessions and their objects are above
 * (iommufd-session.c and the wrappers, see iommufd.h); nothing here calls up.
 *
 * The extensible-structure rules.  Every iommufd ioctl number carries no size;
 * the structure's first word does, and we always set it to sizeof() of our
 * (7.3) definition.  The kernel then:
 *   - refuses a size below the first version of the structure with EINVAL;
 *   - when we are newer than it (our size is larger than what it knows),
 *     accepts the call only if every byte past its own structure is zero, and
 *     says E2BIG otherwise: so a new field we set is refused by an old kernel,
 *     never silently ignored;
 *   - when we are older (smaller), zero-fills the fields we do not know;
 *   - says EOPNOTSUPP for a known field holding a value it does not support:
 *     an unknown flag bit, a data or object type it (or the IOMMU) lacks, a
 *     non-zero __reserved;
 *   - takes a driver data blob (HWPT_ALLOC, VIOMMU_ALLOC data_uptr/data_len)
 *     only when it is between the first version of the driver's structure and
 *     the kernel's current one: shorter or longer is EINVAL.
 * VFIO's argsz works the same way.  An unknown ioctl is ENOTTY.  So a feature
 * is probed by asking (ictl_iommufd_probe()), never inferred from a version.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "iommufd-raw.h"
#include "iommufd.h"

/* ioctl() returning -errno, retried on EINTR. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int iofd_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return xioctl(fd, req, arg);
}

/* What an errno means from iommufd, in words. */
static const char *errno_hint(int err)
{
	switch (err) {
	case ENOTTY:
		return "this kernel does not know this ioctl";
	case EOPNOTSUPP:
		return "a flag, type or option is not supported by this kernel or IOMMU";
	case E2BIG:
		return "the kernel is older than our structure and a field it does not know is set";
	case EINVAL:
		return "an argument is invalid or out of range";
	case ENOENT:
		return "no such object (wrong id, or of another type)";
	case EBUSY:
		return "the object is in use";
	case ENOSPC:
		return "the IOVA is outside what the attached IOMMUs can map, or reserved";
	case EEXIST:
		return "the IOVA range is already mapped";
	case ENOMEM:
		return "out of memory or over the locked-memory limit (ulimit -l)";
	case EPERM:
	case EACCES:
		return "permission denied: run as root or grant access to the device node";
	case EFAULT:
		return "a user pointer is invalid";
	case EOVERFLOW:
		return "an address or length does not fit";
	case ENODEV:
		return "the device is gone or has no IOMMU";
	default:
		return "unexpected error";
	}
}

int ioctl_fail(struct ictl_ctx *ctx, int err, const char *name, const char *hint, const char *obj,
	       ...)
{
	char what[320];
	va_list ap;

	va_start(ap, obj);
	vsnprintf(what, sizeof(what), obj, ap);
	va_end(ap);
	/* The kernel's answer: its EINVAL or ENOENT is the operation failing (exit 1). */
	return ictl_err_kernel(ctx, err, "%s on %s: %s: %s", name, what, strerror(err),
			       hint ? hint : errno_hint(err));
}

/* --- files --------------------------------------------------------------------- */

int iofd_open_dev(struct ictl_ctx *ctx)
{
	int fd = sysfs_open(ctx, "dev/iommu", O_RDWR);

	/* Not supported on this kernel (exit 3), not a missing device (4). */
	if (fd == -ENOENT)
		return ictl_err(ctx, ENODEV,
				"no /dev/iommu: this kernel has no iommufd (CONFIG_IOMMUFD); Debian's 6.12 kernel lacks it");
	if (fd < 0)
		return ictl_err(ctx, -fd, "/dev/iommu: %s%s", strerror(-fd),
				fd == -EACCES ? ": run as root" : "");
	return fd;
}

/* The vfioN of a device, from its sysfs vfio-dev/ directory. */
static int vfio_cdev_name(struct ictl_ctx *ctx, const char *name, char *cdev, size_t len)
{
	struct ictl_device d = { 0 };
	int r = ictl_device_read(ctx, name, &d);

	if (r == -ENOENT)
		r = ictl_err(ctx, ENOENT, "device %s: no such device", name);
	else if (r == 0 && !d.vfio_dev[0])
		r = ictl_err(ctx, ENODEV,
			     "device %s has no VFIO cdev: bind it to vfio-pci (driver %s)", name,
			     d.driver[0] ? d.driver : "none");
	else if (r == 0)
		str_copy(cdev, d.vfio_dev, len);
	ictl_device_clear(&d);
	return r;
}

int ictl_vfio_open(struct ictl_ctx *ctx, const char *name, struct ictl_vfio_dev *vd)
{
	char path[64];
	int r;

	memset(vd, 0, sizeof(*vd));
	vd->fd = -1;
	str_copy(vd->name, name, sizeof(vd->name));
	if (!strncmp(name, "vfio", 4) && name[4] >= '0' && name[4] <= '9')
		str_copy(vd->cdev, name, sizeof(vd->cdev));
	else if ((r = vfio_cdev_name(ctx, name, vd->cdev, sizeof(vd->cdev))) < 0)
		return r;
	r = path_fmt(path, sizeof(path), "dev/vfio/devices/%s", vd->cdev);
	if (r == 0)
		r = sysfs_open(ctx, path, O_RDWR);
	if (r == -ENOENT)
		return ictl_err(ctx, ENODEV, "%s (%s): no /%s: the kernel has no VFIO device cdevs (CONFIG_VFIO_DEVICE_CDEV)",
				vd->name, vd->cdev, path);
	if (r < 0)
		return ictl_err(ctx, -r, "%s (%s): /%s: %s", vd->name, vd->cdev, path, strerror(-r));
	vd->fd = r;
	return 0;
}

/* --- VFIO device cdev ------------------------------------------------------------ */

static const char *bind_hint(int err)
{
	if (err == EBUSY)
		return "the device's VFIO group is open elsewhere (the legacy /dev/vfio/GROUP path)";
	if (err == EINVAL)
		return "the device is already bound through another open of its cdev (another process, or iommuctl claim --hold)";
	if (err == EPERM)
		return "the platform cannot isolate the device's MSIs (no interrupt remapping); "
		       "accept the risk with iommufd.allow_unsafe_interrupts=1, or run as root";
	return NULL;
}

int ictl_vfio_bind(struct ictl_ctx *ctx, struct ictl_vfio_dev *vd, int iommufd)
{
	struct ictl_vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd };
	int r = xioctl(vd->fd, ICTL_VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (r == -EINVAL || r == -EBUSY)
		/* A fresh open refused: someone else owns the device (the caller may say who). */
		return ictl_err(ctx, EBUSY, "VFIO_DEVICE_BIND_IOMMUFD on %s (%s): %s: %s", vd->name,
				vd->cdev, strerror(-r), bind_hint(-r));
	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_DEVICE_BIND_IOMMUFD", bind_hint(-r),
				  "%s (%s)", vd->name, vd->cdev);
	vd->dev_id = b.out_devid;
	return 0;
}

/* --- legacy VFIO: the container and the group node ------------------------------- */

int ictl_vfio_container_open(struct ictl_ctx *ctx)
{
	_cleanup_close_ int fd = sysfs_open(ctx, "dev/vfio/vfio", O_RDWR);
	int r;

	if (fd == -ENOENT)
		return ictl_err(ctx, ENODEV,
				"no /dev/vfio/vfio: the kernel has no VFIO container (CONFIG_VFIO_CONTAINER or CONFIG_IOMMUFD_VFIO_CONTAINER)");
	if (fd < 0)
		return ictl_err(ctx, -fd, "/dev/vfio/vfio: %s", strerror(-fd));
	r = xioctl(fd, ICTL_VFIO_GET_API_VERSION, NULL);
	if (r != ICTL_VFIO_API_VERSION)
		return r < 0 ? ioctl_fail(ctx, -r, "VFIO_GET_API_VERSION", NULL, "/dev/vfio/vfio") :
		       ictl_err(ctx, EPROTO, "/dev/vfio/vfio speaks VFIO API %d, not %d", r,
				ICTL_VFIO_API_VERSION);
	r = xioctl(fd, ICTL_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)ICTL_VFIO_TYPE1v2_IOMMU);
	if (r <= 0)
		return ictl_err(ctx, EOPNOTSUPP,
				"/dev/vfio/vfio does not offer the type1v2 IOMMU backend (VFIO_CHECK_EXTENSION)");
	r = fd;
	fd = -1;
	return r;
}

int ictl_vfio_group_open(struct ictl_ctx *ctx, unsigned int group)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "dev/vfio/%u", group);
	fd = sysfs_open(ctx, path, O_RDWR);
	if (fd == -EBUSY)
		return ictl_err(ctx, EBUSY, "/%s: the group is already open in another process", path);
	if (fd < 0)
		return ictl_err(ctx, -fd, "/%s: %s%s", path, strerror(-fd),
				fd == -ENOENT ? ": no VFIO group node (is every endpoint on vfio-pci?)" : "");
	return fd;
}

int ictl_vfio_group_status(struct ictl_ctx *ctx, int gfd, unsigned int group, uint32_t *flags)
{
	struct ictl_vfio_group_status st = { .argsz = sizeof(st) };
	int r = xioctl(gfd, ICTL_VFIO_GROUP_GET_STATUS, &st);

	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_GROUP_GET_STATUS", NULL, "group %u", group);
	*flags = st.flags;
	return 0;
}

int ictl_vfio_group_set_container(struct ictl_ctx *ctx, int gfd, unsigned int group, int cfd)
{
	int r = xioctl(gfd, ICTL_VFIO_GROUP_SET_CONTAINER, &cfd);

	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_GROUP_SET_CONTAINER", r == -EBUSY ?
				  "a device of the group is bound through its cdev to an iommufd" : NULL,
				  "group %u", group);
	return 0;
}

int ictl_vfio_set_iommu(struct ictl_ctx *ctx, int cfd, unsigned long type)
{
	int r = xioctl(cfd, ICTL_VFIO_SET_IOMMU, (void *)(uintptr_t)type);

	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_SET_IOMMU", NULL, "the container (type %lu)", type);
	return 0;
}

int ictl_vfio_group_device_fd(struct ictl_ctx *ctx, int gfd, unsigned int group,
			      const char *device)
{
	int r = xioctl(gfd, ICTL_VFIO_GROUP_GET_DEVICE_FD, (void *)device);

	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_GROUP_GET_DEVICE_FD", NULL, "%s (group %u)", device,
				  group);
	fcntl(r, F_SETFD, FD_CLOEXEC);
	return r;
}
