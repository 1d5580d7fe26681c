// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd, VFIO device cdev and legacy VFIO group/container wrappers.
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
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
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

/* Record "NAME on OBJECT: strerror: hint" and return -err. */
static int __attribute__((format(printf, 5, 6)))
ioctl_fail(struct ictl_ctx *ctx, int err, const char *name, const char *hint, const char *obj, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, obj);
	vsnprintf(what, sizeof(what), obj, ap);
	va_end(ap);
	return ictl_err(ctx, err, "%s on %s: %s: %s", name, what, strerror(err),
			hint ? hint : errno_hint(err));
}

/* --- files --------------------------------------------------------------------- */

int ictl_iommufd_open(struct ictl_ctx *ctx)
{
	int fd = sysfs_open(ctx, "dev/iommu", O_RDWR);

	if (fd == -ENOENT)
		return ictl_err(ctx, ENOENT,
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
	if (r < 0)
		return ictl_err(ctx, -r, "%s (%s): /%s: %s%s", vd->name, vd->cdev, path,
				strerror(-r),
				r == -ENOENT ? ": the kernel has no VFIO device cdevs (CONFIG_VFIO_DEVICE_CDEV)" : "");
	vd->fd = r;
	return 0;
}

void ictl_vfio_close(struct ictl_vfio_dev *vd)
{
	if (vd->fd >= 0)
		close(vd->fd);
	vd->fd = -1;
}

/* --- VFIO device cdev ------------------------------------------------------------ */

/* ", pasid N" for messages, or "" for the whole device. */
static const char *pasid_str(uint32_t pasid, char *buf, size_t len)
{
	if (pasid == ICTL_NO_PASID)
		return "";
	snprintf(buf, len, ", pasid %u", pasid);
	return buf;
}

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

int ictl_vfio_attach(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd, uint32_t pasid,
		     uint32_t *pt_id)
{
	struct ictl_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt_id };
	char buf[24];
	int r;

	if (pasid != ICTL_NO_PASID) {
		a.flags = ICTL_VFIO_DEVICE_ATTACH_PASID;
		a.pasid = pasid;
	}
	r = xioctl(vd->fd, ICTL_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
				  r == -EINVAL && pasid != ICTL_NO_PASID ?
					  "the device or its IOMMU has no such PASID" : NULL,
				  "%s (device %u, pt %u%s)", vd->name, vd->dev_id, *pt_id,
				  pasid_str(pasid, buf, sizeof(buf)));
	*pt_id = a.pt_id;
	return 0;
}

int ictl_vfio_detach(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd, uint32_t pasid)
{
	struct ictl_vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	char buf[24];
	int r;

	if (pasid != ICTL_NO_PASID) {
		d.flags = ICTL_VFIO_DEVICE_DETACH_PASID;
		d.pasid = pasid;
	}
	r = xioctl(vd->fd, ICTL_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_DEVICE_DETACH_IOMMUFD_PT", NULL,
				  "%s (device %u%s)", vd->name, vd->dev_id,
				  pasid_str(pasid, buf, sizeof(buf)));
	return 0;
}

int ictl_vfio_get_info(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd,
		       struct ictl_vfio_device_info *info)
{
	int r;

	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	r = xioctl(vd->fd, ICTL_VFIO_DEVICE_GET_INFO, info);
	if (r < 0)
		return ioctl_fail(ctx, -r, "VFIO_DEVICE_GET_INFO",
				  r == -EINVAL ? "the cdev is not bound to an iommufd yet" : NULL,
				  "%s (%s)", vd->name, vd->cdev);
	return 0;
}

/* --- objects and IO address spaces ------------------------------------------------ */

int ictl_iommufd_destroy(struct ictl_ctx *ctx, int fd, uint32_t id)
{
	struct ictl_iommu_destroy d = { .size = sizeof(d), .id = id };
	int r = xioctl(fd, ICTL_IOMMU_DESTROY, &d);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_DESTROY",
				  r == -EBUSY ? "other objects still use it: destroy them first" : NULL,
				  "object %u", id);
	return 0;
}

int ictl_ioas_alloc(struct ictl_ctx *ctx, int fd, uint32_t *ioas_id)
{
	struct ictl_iommu_ioas_alloc a = { .size = sizeof(a) };
	int r = xioctl(fd, ICTL_IOMMU_IOAS_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_ALLOC", NULL, "iommufd %d", fd);
	*ioas_id = a.out_ioas_id;
	return 0;
}

/* Once with the array's capacity; again, larger, if the kernel has more (EMSGSIZE). */
int ictl_ioas_iova_ranges(struct ictl_ctx *ctx, int fd, uint32_t ioas_id,
			  struct ictl_iommu_iova_range **ranges, uint64_t *alignment)
{
	struct ictl_iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas_id };
	struct ictl_iommu_iova_range *v = NULL;
	int r;

	*ranges = NULL;
	for (uint32_t cap = 8;; cap = q.num_iovas) {
		free(v);
		v = calloc(cap, sizeof(*v));
		if (!v)
			return ictl_err(ctx, ENOMEM, "IOMMU_IOAS_IOVA_RANGES: out of memory");
		q.num_iovas = cap;
		q.allowed_iovas = (uintptr_t)v;
		r = xioctl(fd, ICTL_IOMMU_IOAS_IOVA_RANGES, &q);
		if (r != -EMSGSIZE)
			break;
	}
	if (r < 0) {
		free(v);
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_IOVA_RANGES", NULL, "ioas %u", ioas_id);
	}
	*ranges = v;
	if (alignment)
		*alignment = q.out_iova_alignment;
	return (int)q.num_iovas;
}

int ictl_ioas_allow_iovas(struct ictl_ctx *ctx, int fd, uint32_t ioas_id,
			  const struct ictl_iommu_iova_range *ranges, uint32_t n)
{
	struct ictl_iommu_ioas_allow_iovas a = {
		.size = sizeof(a), .ioas_id = ioas_id, .num_iovas = n,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int r = xioctl(fd, ICTL_IOMMU_IOAS_ALLOW_IOVAS, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_ALLOW_IOVAS",
				  r == -EBUSY ? "a mapping lies outside the new ranges" : NULL,
				  "ioas %u (%u ranges)", ioas_id, n);
	return 0;
}

static const char *map_hint(int err, uint32_t flags)
{
	if (err == EEXIST)
		return "something is already mapped in that IOVA range";
	if (err == ENOSPC && (flags & ICTL_IOMMU_IOAS_MAP_FIXED_IOVA))
		return "the IOVA is not in the IOAS's allowed ranges (aperture or reserved region)";
	if (err == EINVAL)
		return "IOVA, address or length not aligned to the IOAS's page size, or length 0";
	return NULL;
}

int ictl_ioas_map(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t flags, void *va,
		  uint64_t length, uint64_t *iova)
{
	struct ictl_iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id,
		.user_va = (uintptr_t)va, .length = length, .iova = *iova,
	};
	int r = xioctl(fd, ICTL_IOMMU_IOAS_MAP, &m);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_MAP", map_hint(-r, flags),
				  "ioas %u (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")", ioas_id,
				  (uint64_t)*iova, length);
	*iova = m.iova;
	return 0;
}

int ictl_ioas_map_file(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t flags,
		       int mfd, uint64_t start, uint64_t length, uint64_t *iova)
{
	struct ictl_iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id, .fd = mfd,
		.start = start, .length = length, .iova = *iova,
	};
	int r = xioctl(fd, ICTL_IOMMU_IOAS_MAP_FILE, &m);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_MAP_FILE",
				  r == -ENOTTY ? "this kernel cannot map files (before 6.13)" :
						 map_hint(-r, flags),
				  "ioas %u (fd %d, offset 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  ioas_id, mfd, start, length);
	*iova = m.iova;
	return 0;
}

int ictl_ioas_copy(struct ictl_ctx *ctx, int fd, uint32_t dst_ioas, uint32_t src_ioas,
		   uint32_t flags, uint64_t src_iova, uint64_t length, uint64_t *dst_iova)
{
	struct ictl_iommu_ioas_copy c = {
		.size = sizeof(c), .flags = flags, .dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas, .length = length, .dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int r = xioctl(fd, ICTL_IOMMU_IOAS_COPY, &c);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_COPY",
				  r == -ENOENT ? "no such IOAS, or nothing mapped at the source IOVA" :
						 map_hint(-r, flags),
				  "ioas %u -> ioas %u (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  src_ioas, dst_ioas, src_iova, length);
	*dst_iova = c.dst_iova;
	return 0;
}

int ictl_ioas_unmap(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint64_t iova,
		    uint64_t length, uint64_t *unmapped)
{
	struct ictl_iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas_id, .iova = iova, .length = length,
	};
	int r = xioctl(fd, ICTL_IOMMU_IOAS_UNMAP, &u);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_UNMAP",
				  r == -ENOENT ? "nothing is mapped there, or the range cuts a mapping" : NULL,
				  "ioas %u (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")", ioas_id, iova,
				  length);
	if (unmapped)
		*unmapped = u.length;
	return 0;
}

int ictl_ioas_change_process(struct ictl_ctx *ctx, int fd)
{
	struct ictl_iommu_ioas_change_process c = { .size = sizeof(c) };
	int r = xioctl(fd, ICTL_IOMMU_IOAS_CHANGE_PROCESS, &c);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_IOAS_CHANGE_PROCESS",
				  r == -EINVAL ? "some memory is not mapped from a file (only MAP_FILE mappings can move)" : NULL,
				  "iommufd %d", fd);
	return 0;
}

int ictl_iommufd_option(struct ictl_ctx *ctx, int fd, uint16_t op, uint32_t option_id,
			uint32_t object_id, uint64_t *val)
{
	struct ictl_iommu_option o = {
		.size = sizeof(o), .option_id = option_id, .op = op, .object_id = object_id,
		.val64 = op == ICTL_IOMMU_OPTION_OP_SET ? *val : 0,
	};
	int r = xioctl(fd, ICTL_IOMMU_OPTION, &o);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_OPTION",
				  r == -EOPNOTSUPP ? "this kernel does not know the option or operation" : NULL,
				  "option %u of object %u (%s)", option_id, object_id,
				  op == ICTL_IOMMU_OPTION_OP_SET ? "set" : "get");
	if (op == ICTL_IOMMU_OPTION_OP_GET)
		*val = o.val64;
	return 0;
}

/* --- hardware page tables ----------------------------------------------------------- */

static const char *hwpt_alloc_hint(int err, const struct ictl_hwpt_spec *s)
{
	if (err == EOPNOTSUPP && (s->flags & ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT))
		return "this IOMMU cannot be a nesting parent";
	if (err == EOPNOTSUPP && (s->flags & ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return "this IOMMU cannot track dirty pages";
	if (err == EOPNOTSUPP && (s->flags & ICTL_IOMMU_HWPT_ALLOC_PASID))
		return "this IOMMU cannot attach this page table to PASIDs";
	if (err == EOPNOTSUPP && s->data_type != ICTL_IOMMU_HWPT_DATA_NONE)
		return "this IOMMU does not take this nested data type";
	if (err == EINVAL && s->data_type != ICTL_IOMMU_HWPT_DATA_NONE)
		return "the driver data is shorter or longer than the kernel's structure, or invalid";
	return NULL;
}

int ictl_hwpt_alloc(struct ictl_ctx *ctx, int fd, const struct ictl_hwpt_spec *spec,
		    uint32_t *hwpt_id)
{
	struct ictl_iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = spec->flags, .dev_id = spec->dev_id,
		.pt_id = spec->pt_id, .data_type = spec->data_type, .data_len = spec->data_len,
		.data_uptr = (uintptr_t)spec->data, .fault_id = spec->fault_id,
	};
	int r = xioctl(fd, ICTL_IOMMU_HWPT_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_HWPT_ALLOC", hwpt_alloc_hint(-r, spec),
				  "device %u (pt %u, flags 0x%x, data type %u)", spec->dev_id,
				  spec->pt_id, spec->flags, spec->data_type);
	*hwpt_id = a.out_hwpt_id;
	return 0;
}

int ictl_hwpt_set_dirty_tracking(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, bool enable)
{
	struct ictl_iommu_hwpt_set_dirty_tracking d = {
		.size = sizeof(d), .hwpt_id = hwpt_id,
		.flags = enable ? ICTL_IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};
	int r = xioctl(fd, ICTL_IOMMU_HWPT_SET_DIRTY_TRACKING, &d);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_HWPT_SET_DIRTY_TRACKING",
				  r == -EOPNOTSUPP ? "the HWPT was not allocated with DIRTY_TRACKING" : NULL,
				  "hwpt %u (%s)", hwpt_id, enable ? "enable" : "disable");
	return 0;
}

int ictl_hwpt_get_dirty_bitmap(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, uint32_t flags,
			       uint64_t iova, uint64_t length, uint64_t page_size,
			       uint64_t *bitmap)
{
	struct ictl_iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt_id, .flags = flags, .iova = iova,
		.length = length, .page_size = page_size, .data = (uintptr_t)bitmap,
	};
	int r = xioctl(fd, ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP, &g);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_HWPT_GET_DIRTY_BITMAP",
				  r == -EINVAL ? "dirty tracking is off, or IOVA/length/page size not aligned" : NULL,
				  "hwpt %u (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")", hwpt_id, iova,
				  length);
	return 0;
}

int ictl_hwpt_invalidate(struct ictl_ctx *ctx, int fd, uint32_t id, uint32_t data_type,
			 const void *entries, uint32_t entry_len, uint32_t n)
{
	struct ictl_iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = id, .data_uptr = (uintptr_t)entries,
		.data_type = data_type, .entry_len = entry_len, .entry_num = n,
	};
	int r = xioctl(fd, ICTL_IOMMU_HWPT_INVALIDATE, &inv);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_HWPT_INVALIDATE",
				  r == -EINVAL ? "not a nested HWPT or vIOMMU, or a wrong entry type or length" : NULL,
				  "hwpt %u (type %u, %u of %u entries done)", id, data_type,
				  inv.entry_num, n);
	return (int)inv.entry_num;
}

int ictl_iommufd_get_hw_info(struct ictl_ctx *ctx, int fd, uint32_t dev_id, uint32_t type,
			     struct ictl_iommufd_hw_info *out)
{
	struct ictl_iommu_hw_info h = {
		.size = sizeof(h), .dev_id = dev_id, .data_len = sizeof(out->data),
		.data_uptr = (uintptr_t)out->data,
	};
	int r;

	memset(out, 0, sizeof(*out));
	if (type != ICTL_IOMMU_HW_INFO_TYPE_DEFAULT) {
		h.flags = ICTL_IOMMU_HW_INFO_FLAG_INPUT_TYPE;
		h.in_data_type = type;
	}
	r = xioctl(fd, ICTL_IOMMU_GET_HW_INFO, &h);
	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_GET_HW_INFO",
				  r == -EOPNOTSUPP && type ? "the IOMMU does not report this type" : NULL,
				  "device %u", dev_id);
	out->type = h.out_data_type;
	out->data_len = h.data_len < sizeof(out->data) ? h.data_len : sizeof(out->data);
	out->max_pasid_log2 = h.out_max_pasid_log2;
	out->capabilities = h.out_capabilities;
	return 0;
}

/* --- faults, vIOMMU, vDevice, vEVENTQ, HW queue ----------------------------------- */

int ictl_fault_queue_alloc(struct ictl_ctx *ctx, int fd, uint32_t *fault_id, int *fault_fd)
{
	struct ictl_iommu_fault_alloc a = { .size = sizeof(a) };
	int r = xioctl(fd, ICTL_IOMMU_FAULT_QUEUE_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_FAULT_QUEUE_ALLOC", NULL, "iommufd %d", fd);
	*fault_id = a.out_fault_id;
	*fault_fd = (int)a.out_fault_fd;
	return 0;
}

int ictl_viommu_alloc(struct ictl_ctx *ctx, int fd, uint32_t type, uint32_t dev_id,
		      uint32_t hwpt_id, void *data, uint32_t data_len, uint32_t *viommu_id)
{
	struct ictl_iommu_viommu_alloc a = {
		.size = sizeof(a), .type = type, .dev_id = dev_id, .hwpt_id = hwpt_id,
		.data_len = data_len, .data_uptr = (uintptr_t)data,
	};
	int r = xioctl(fd, ICTL_IOMMU_VIOMMU_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_VIOMMU_ALLOC",
				  r == -EOPNOTSUPP ? "this IOMMU has no vIOMMU of this type" :
				  r == -EINVAL ? "the HWPT is not a nesting parent, or the data's size is wrong" : NULL,
				  "device %u (hwpt %u, type 0x%x)", dev_id, hwpt_id, type);
	*viommu_id = a.out_viommu_id;
	return 0;
}

int ictl_vdevice_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t dev_id,
		       uint64_t virt_id, uint32_t *vdevice_id)
{
	struct ictl_iommu_vdevice_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .dev_id = dev_id, .virt_id = virt_id,
	};
	int r = xioctl(fd, ICTL_IOMMU_VDEVICE_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_VDEVICE_ALLOC",
				  r == -EEXIST ? "the device or the virtual ID already has a vDevice" : NULL,
				  "device %u (viommu %u, virt_id 0x%" PRIx64 ")", dev_id, viommu_id,
				  virt_id);
	*vdevice_id = a.out_vdevice_id;
	return 0;
}

int ictl_veventq_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t type,
		       uint32_t depth, uint32_t *veventq_id, int *veventq_fd)
{
	struct ictl_iommu_veventq_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .type = type, .veventq_depth = depth,
	};
	int r = xioctl(fd, ICTL_IOMMU_VEVENTQ_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_VEVENTQ_ALLOC",
				  r == -EEXIST ? "the vIOMMU already has a queue of this type" : NULL,
				  "viommu %u (type 0x%x, depth %u)", viommu_id, type, depth);
	*veventq_id = a.out_veventq_id;
	*veventq_fd = (int)a.out_veventq_fd;
	return 0;
}

int ictl_hw_queue_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t type,
			uint32_t index, uint64_t iova, uint64_t length, uint32_t *hw_queue_id)
{
	struct ictl_iommu_hw_queue_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .type = type, .index = index,
		.nesting_parent_iova = iova, .length = length,
	};
	int r = xioctl(fd, ICTL_IOMMU_HW_QUEUE_ALLOC, &a);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_HW_QUEUE_ALLOC", NULL,
				  "viommu %u (type 0x%x, index %u, iova 0x%" PRIx64 ")", viommu_id,
				  type, index, iova);
	*hw_queue_id = a.out_hw_queue_id;
	return 0;
}

/* --- the selftest mock -------------------------------------------------------------- */

int ictl_mock_dev_add(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t dev_flags,
		      struct ictl_mock_dev *out)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .id = ioas_id,
		.op = dev_flags ? ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS : ICTL_IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	int r;

	c.mock_domain_flags.dev_flags = dev_flags;
	r = xioctl(fd, ICTL_IOMMU_TEST_CMD, &c);
	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_TEST_CMD(MOCK_DOMAIN)",
				  r == -ENOTTY ? "the kernel has no selftest mock (CONFIG_IOMMUFD_TEST)" : NULL,
				  "ioas %u", ioas_id);
	out->stdev_id = c.mock_domain.out_stdev_id;
	out->hwpt_id = c.mock_domain.out_hwpt_id;
	out->dev_id = c.mock_domain.out_idev_id;
	return 0;
}

int ictl_mock_add_reserved(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint64_t start,
			   uint64_t length)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_ADD_RESERVED, .id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};
	int r = xioctl(fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_TEST_CMD(ADD_RESERVED)",
				  r == -ENOTTY ? "the kernel has no selftest mock (CONFIG_IOMMUFD_TEST)" : NULL,
				  "ioas %u (0x%" PRIx64 "+0x%" PRIx64 ")", ioas_id, start, length);
	return 0;
}

int ictl_mock_dev_replace(struct ictl_ctx *ctx, int fd, uint32_t stdev_id, uint32_t *pt_id)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev_id,
		.mock_domain_replace = { .pt_id = *pt_id },
	};
	int r = xioctl(fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_TEST_CMD(MOCK_DOMAIN_REPLACE)", NULL,
				  "mock device %u (pt %u)", stdev_id, *pt_id);
	*pt_id = c.mock_domain_replace.pt_id;
	return 0;
}

int ictl_mock_check_map(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, const void *va)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt_id,
		.check_map = { .iova = iova, .length = length, .uptr = (uintptr_t)va },
	};
	int r = xioctl(fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(ctx, -r, "IOMMU_TEST_CMD(MD_CHECK_MAP)",
				  r == -EINVAL ? "the mock domain does not map that memory there" : NULL,
				  "hwpt %u (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")", hwpt_id, iova,
				  length);
	return 0;
}

/* --- feature probing ---------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned long req;
	size_t size;
} cmds[ICTL_IOMMUFD_NCMDS] = {
#define CMD(X, S) [ICTL_IOMMUFD_CMD_##X - ICTL_IOMMUFD_CMD_BASE] = \
	{ #X, ICTL_IOMMU_##X, sizeof(struct ictl_iommu_##S) }
	CMD(DESTROY, destroy),
	CMD(IOAS_ALLOC, ioas_alloc),
	CMD(IOAS_ALLOW_IOVAS, ioas_allow_iovas),
	CMD(IOAS_COPY, ioas_copy),
	CMD(IOAS_IOVA_RANGES, ioas_iova_ranges),
	CMD(IOAS_MAP, ioas_map),
	CMD(IOAS_UNMAP, ioas_unmap),
	CMD(OPTION, option),
	CMD(VFIO_IOAS, vfio_ioas),
	CMD(HWPT_ALLOC, hwpt_alloc),
	[ICTL_IOMMUFD_CMD_GET_HW_INFO - ICTL_IOMMUFD_CMD_BASE] =
		{ "GET_HW_INFO", ICTL_IOMMU_GET_HW_INFO, sizeof(struct ictl_iommu_hw_info) },
	CMD(HWPT_SET_DIRTY_TRACKING, hwpt_set_dirty_tracking),
	CMD(HWPT_GET_DIRTY_BITMAP, hwpt_get_dirty_bitmap),
	CMD(HWPT_INVALIDATE, hwpt_invalidate),
	[ICTL_IOMMUFD_CMD_FAULT_QUEUE_ALLOC - ICTL_IOMMUFD_CMD_BASE] =
		{ "FAULT_QUEUE_ALLOC", ICTL_IOMMU_FAULT_QUEUE_ALLOC, sizeof(struct ictl_iommu_fault_alloc) },
	CMD(IOAS_MAP_FILE, ioas_map_file),
	CMD(VIOMMU_ALLOC, viommu_alloc),
	CMD(VDEVICE_ALLOC, vdevice_alloc),
	CMD(IOAS_CHANGE_PROCESS, ioas_change_process),
	CMD(VEVENTQ_ALLOC, veventq_alloc),
	CMD(HW_QUEUE_ALLOC, hw_queue_alloc),
	CMD(IOAS_NOIOMMU_GET_PA, ioas_noiommu_get_pa),
#undef CMD
};

const char *ictl_iommufd_cmd_name(unsigned int nr)
{
	if (nr < ICTL_IOMMUFD_CMD_BASE || nr - ICTL_IOMMUFD_CMD_BASE >= ARRAY_SIZE(cmds))
		return NULL;
	return cmds[nr - ICTL_IOMMUFD_CMD_BASE].name;
}

const char *ictl_hwpt_flag_name(unsigned int bit)
{
	static const char *const names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
					     "PASID" };

	return bit < ARRAY_SIZE(names) ? names[bit] : NULL;
}

/*
 * Every byte after size set to 0xff: flags and __reserved non-zero, ids that
 * cannot exist, op codes out of range.  No command can succeed like that, so
 * nothing is created; a known ioctl fails with EOPNOTSUPP, ENOENT, EINVAL,
 * E2BIG (an older kernel) and the like, an unknown one with ENOTTY.
 */
static bool ioctl_known(int fd, unsigned int i)
{
	union {
		uint32_t size;
		uint8_t bytes[128];
	} buf;

	memset(&buf, 0xff, sizeof(buf));
	buf.size = (uint32_t)cmds[i].size;
	return xioctl(fd, cmds[i].req, &buf) != -ENOTTY;
}

/* Try each HWPT_ALLOC flag on the device over the IOAS; destroy what was made. */
static int probe_hwpt_flags(struct ictl_ctx *ctx, int fd, uint32_t dev_id, uint32_t ioas_id,
			    struct ictl_iommufd_features *out)
{
	static const uint32_t flags[] = { ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT,
					  ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					  ICTL_IOMMU_HWPT_ALLOC_PASID };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct ictl_hwpt_spec s = { .dev_id = dev_id, .pt_id = ioas_id, .flags = flags[i] };
		unsigned int bit = (unsigned int)__builtin_ctz(flags[i]);
		uint32_t hwpt;
		int r = ictl_hwpt_alloc(ctx, fd, &s, &hwpt);

		if (r == 0) {
			out->hwpt_flags_ok |= flags[i];
			r = ictl_iommufd_destroy(ctx, fd, hwpt);
			if (r < 0)
				return r;
			continue;
		}
		if (r == -ENOENT)	/* no such device or IOAS: not an answer about the flag */
			return r;
		out->hwpt_flags_refused |= flags[i];
		out->hwpt_flag_err[bit] = -r;
	}
	ctx->err[0] = '\0';
	return 0;
}

int ictl_iommufd_probe(struct ictl_ctx *ctx, int fd, uint32_t dev_id, uint32_t ioas_id,
		       struct ictl_iommufd_features *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		if (ioctl_known(fd, i))
			out->ioctls |= 1u << i;
	if (!(out->ioctls & 1))
		return ictl_err(ctx, ENOTTY, "iommufd %d does not answer IOMMU_DESTROY: not an iommufd",
				fd);
	if (!dev_id)
		return 0;
	return probe_hwpt_flags(ctx, fd, dev_id, ioas_id, out);
}

/* --- legacy VFIO: the container and the group node ------------------------------- */

int ictl_vfio_container_open(struct ictl_ctx *ctx)
{
	_cleanup_close_ int fd = sysfs_open(ctx, "dev/vfio/vfio", O_RDWR);
	int r;

	if (fd < 0)
		return ictl_err(ctx, -fd, "/dev/vfio/vfio: %s%s", strerror(-fd),
				fd == -ENOENT ? ": the kernel has no VFIO container (CONFIG_VFIO_CONTAINER or CONFIG_IOMMUFD_VFIO_CONTAINER)" : "");
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
