// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The devices of a session: VFIO cdevs bound to its iommufd, and the kernel's
 * selftest mock devices (IOMMU_TEST_CMD), which the kernel treats as bound
 * devices too.  Both are found by their dev_id, attached with
 * ictl_dev_attach(), and depend on what they are attached to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "iommufd-internal.h"

/* --- VFIO device cdevs -------------------------------------------------------------- */

/* Bind vd (owned: closed on failure) and record it as the device object o. */
static int bind_vd(struct ictl_iommufd *s, struct ictl_iommufd_obj *o, struct ictl_vfio_dev *vd,
		   uint32_t *dev_id)
{
	int r = ictl_vfio_bind(s->ctx, vd, s->fd);

	if (r < 0) {
		iofd_obj_drop(o);
		iofd_close(s, vd->fd);
		return r;
	}
	o->fd = vd->fd;
	o->dev_id = vd->dev_id;
	str_copy(o->device, vd->name, sizeof(o->device));
	str_copy(o->cdev, vd->cdev, sizeof(o->cdev));
	iofd_obj_add(s, o, vd->dev_id);
	*dev_id = vd->dev_id;
	return 0;
}

int ictl_dev_bind(struct ictl_iommufd *s, const char *name, const char *device, uint32_t *dev_id)
{
	struct ictl_iommufd_obj *o;
	struct ictl_vfio_dev vd;
	int r = iofd_obj_new(s, ICTL_OBJ_DEVICE, name, &o);

	if (r < 0)
		return r;
	r = ictl_vfio_open(s->ctx, device, &vd);
	if (r < 0) {
		iofd_obj_drop(o);
		return r;
	}
	return bind_vd(s, o, &vd, dev_id);
}

int ictl_dev_bind_fd(struct ictl_iommufd *s, const char *name, int fd, const char *label,
		     uint32_t *dev_id)
{
	struct ictl_vfio_dev vd = { .fd = fd };
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_DEVICE, name, &o);

	if (r < 0) {
		iofd_close(s, fd);
		return r;
	}
	str_copy(vd.name, label, sizeof(vd.name));
	snprintf(vd.cdev, sizeof(vd.cdev), "fd %d", fd);
	return bind_vd(s, o, &vd, dev_id);
}

int ictl_dev_adopt(struct ictl_iommufd *s, const char *name, int fd, const char *label,
		   uint32_t dev_id)
{
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_DEVICE, name, &o);

	if (r < 0) {
		iofd_close(s, fd);
		return r;
	}
	o->fd = fd;
	o->dev_id = dev_id;
	str_copy(o->device, label, sizeof(o->device));
	snprintf(o->cdev, sizeof(o->cdev), "fd %d", fd);
	iofd_obj_add(s, o, dev_id);
	return 0;
}

/* ", pasid N" for messages, or "" for the whole device. */
static const char *pasid_str(uint32_t pasid, char *buf, size_t len)
{
	if (pasid == ICTL_NO_PASID)
		return "";
	snprintf(buf, len, ", pasid %u", pasid);
	return buf;
}

static int vfio_attach(struct ictl_iommufd *s, const struct ictl_iommufd_obj *d, uint32_t pasid,
		       uint32_t *pt_id)
{
	struct ictl_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt_id };
	char l[IOFD_LABEL_MAX], p[IOFD_LABEL_MAX], buf[24];
	int r;

	if (pasid != ICTL_NO_PASID) {
		a.flags = ICTL_VFIO_DEVICE_ATTACH_PASID;
		a.pasid = pasid;
	}
	r = iofd_ioctl(s, d->fd, ICTL_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
				  r == -EINVAL && pasid != ICTL_NO_PASID ?
					  "the device or its IOMMU has no such PASID" : NULL,
				  "%s (pt %s%s)", iofd_label(s, d->id, "device", l, sizeof(l)),
				  iofd_label(s, *pt_id, NULL, p, sizeof(p)),
				  pasid_str(pasid, buf, sizeof(buf)));
	*pt_id = a.pt_id;
	return 0;
}

/* Is d attached at pasid (by this session)? */
static bool attached(const struct ictl_iommufd_obj *d, uint32_t pasid)
{
	for (size_t i = 0; i < d->ndeps; i++) {
		if (d->deps[i].attach && d->deps[i].pasid == pasid)
			return true;
	}
	return false;
}

static int mock_attach(struct ictl_iommufd *s, const struct ictl_iommufd_obj *d, uint32_t pasid,
		       uint32_t *pt_id)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = d->id,
		.mock_domain_replace = { .pt_id = *pt_id },
	};
	char l[IOFD_LABEL_MAX], p[IOFD_LABEL_MAX];
	int r;

	iofd_label(s, d->id, NULL, l, sizeof(l));
	iofd_label(s, *pt_id, NULL, p, sizeof(p));
	if (pasid != ICTL_NO_PASID) {
		/*
		 * IOMMU_TEST_OP_PASID_ATTACH: one PASID of the mock device (a
		 * PASID-capable one); PASID_REPLACE (the same fields) when it is
		 * attached already.
		 */
		bool again = attached(d, pasid);

		c.op = again ? ICTL_IOMMU_TEST_OP_PASID_REPLACE : ICTL_IOMMU_TEST_OP_PASID_ATTACH;
		c.pasid_attach.pasid = pasid;
		c.pasid_attach.pt_id = *pt_id;
		r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);
		if (r < 0)
			return ioctl_fail(s->ctx, -r,
					  again ? "IOMMU_TEST_CMD(PASID_REPLACE)" : "IOMMU_TEST_CMD(PASID_ATTACH)",
					  r == -EINVAL ? "the mock device needs flags: [pasid], the HWPT flags: [pasid], and the device its own attach first" : NULL,
					  "%s, pasid %u (pt %s)", l, pasid, p);
		return 0;
	}
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(MOCK_DOMAIN_REPLACE)",
				  r == -ENOENT ? "no such page table, or a nested one whose vIOMMU has no vDevice for the device" : NULL,
				  "%s (pt %s)", l, p);
	*pt_id = c.mock_domain_replace.pt_id;
	return 0;
}

int ictl_dev_attach(struct ictl_iommufd *s, uint32_t dev_id, uint32_t pasid, uint32_t *pt_id)
{
	uint32_t want = *pt_id;
	struct ictl_iommufd_obj *d;
	int r = iofd_find_dev(s, dev_id, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", &d);

	if (!r)
		r = iofd_attach_reserve(s, d);
	if (!r)
		r = d->kind == ICTL_OBJ_MOCK_DEV ? mock_attach(s, d, pasid, pt_id) :
						   vfio_attach(s, d, pasid, pt_id);
	if (!r)
		iofd_attach_set(s, d, pasid, want);
	return r;
}

int ictl_dev_detach(struct ictl_iommufd *s, uint32_t dev_id, uint32_t pasid)
{
	struct ictl_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	char l[IOFD_LABEL_MAX], buf[24];
	struct ictl_iommufd_obj *d;
	int r = iofd_find_dev(s, dev_id, "VFIO_DEVICE_DETACH_IOMMUFD_PT", &d);

	if (r < 0)
		return r;
	iofd_label(s, d->id, NULL, l, sizeof(l));
	if (d->kind == ICTL_OBJ_MOCK_DEV)
		return ictl_err(s->ctx, EOPNOTSUPP,
				"detaching %s: a mock device is never detached, only attached elsewhere",
				l);
	if (pasid != ICTL_NO_PASID) {
		dt.flags = ICTL_VFIO_DEVICE_DETACH_PASID;
		dt.pasid = pasid;
	}
	r = iofd_ioctl(s, d->fd, ICTL_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "VFIO_DEVICE_DETACH_IOMMUFD_PT", NULL, "%s%s", l,
				  pasid_str(pasid, buf, sizeof(buf)));
	iofd_attach_clear(d, pasid);
	return 0;
}

int ictl_dev_get_info(struct ictl_iommufd *s, uint32_t dev_id, struct ictl_vfio_device_info *info)
{
	char l[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *d;
	int r = iofd_find_dev(s, dev_id, "VFIO_DEVICE_GET_INFO", &d);

	if (r < 0)
		return r;
	iofd_label(s, d->id, NULL, l, sizeof(l));
	if (d->kind == ICTL_OBJ_MOCK_DEV)
		return ictl_err(s->ctx, EOPNOTSUPP, "VFIO_DEVICE_GET_INFO on %s: a mock device has no VFIO cdev",
				l);
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	r = iofd_ioctl(s, d->fd, ICTL_VFIO_DEVICE_GET_INFO, info);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "VFIO_DEVICE_GET_INFO", NULL, "%s (%s)", l, d->cdev);
	return 0;
}

/* --- the selftest mock ------------------------------------------------------------- */

static const char *mock_hint(int err)
{
	return err == -ENOTTY ? "the kernel has no selftest mock (CONFIG_IOMMUFD_TEST)" : NULL;
}

int ictl_mock_dev_add(struct ictl_iommufd *s, const char *name, uint32_t ioas_id,
		      uint32_t dev_flags, struct ictl_mock_dev *out)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .id = ioas_id,
		.op = dev_flags ? ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS : ICTL_IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	char l[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_MOCK_DEV, name, &o);

	if (r < 0)
		return r;
	c.mock_domain_flags.dev_flags = dev_flags;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(MOCK_DOMAIN)", mock_hint(r), "%s",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)));
	}
	out->stdev_id = c.mock_domain.out_stdev_id;
	out->hwpt_id = c.mock_domain.out_hwpt_id;
	out->dev_id = c.mock_domain.out_idev_id;
	o->dev_id = out->dev_id;
	o->flags = dev_flags;
	o->parent = ioas_id;
	/* Plugged into the IOAS's automatic domain, as an attach to the IOAS makes. */
	iofd_attach_set(s, o, ICTL_NO_PASID, ioas_id);
	iofd_obj_add(s, o, out->stdev_id);
	return 0;
}

int ictl_mock_add_reserved(struct ictl_iommufd *s, uint32_t ioas_id, uint64_t start,
			   uint64_t length)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_ADD_RESERVED, .id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(ADD_RESERVED)", mock_hint(r),
				  "%s (0x%" PRIx64 "+0x%" PRIx64 ")",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)), start, length);
	return 0;
}

int ictl_mock_check_map(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, const void *va)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt_id,
		.check_map = { .iova = iova, .length = length, .uptr = (uintptr_t)va },
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(MD_CHECK_MAP)",
				  r == -EINVAL ? "the mock domain does not map that memory there" : mock_hint(r),
				  "%s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, hwpt_id, "hwpt", l, sizeof(l)), iova, length);
	return 0;
}

int ictl_mock_set_dirty(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, uint64_t page_size, const uint64_t *bitmap,
			uint64_t *nr)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_DIRTY, .id = hwpt_id,
		.dirty = { .iova = iova, .length = length, .page_size = page_size,
			   .uptr = (uintptr_t)bitmap },
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(DIRTY)",
				  r == -EINVAL ? "dirty tracking is off, or iova/length not page-aligned" : mock_hint(r),
				  "%s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, hwpt_id, "hwpt", l, sizeof(l)), iova, length);
	if (nr)
		*nr = c.dirty.out_nr_dirty;
	return 0;
}

int ictl_mock_check_iotlb(struct ictl_iommufd *s, uint32_t hwpt_id, uint32_t idx, uint32_t value)
{
	struct ictl_iommu_test_cmd c = {
		.size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = hwpt_id,
		.check_iotlb = { .id = idx, .iotlb = value },
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(MD_CHECK_IOTLB)",
				  r == -EINVAL ? "the entry holds another value" : mock_hint(r),
				  "%s (entry %u, 0x%x)", iofd_label(s, hwpt_id, "hwpt", l, sizeof(l)),
				  idx, value);
	return 0;
}
