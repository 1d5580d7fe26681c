// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hardware page tables of a session, and what hangs off a nesting parent: the
 * vIOMMU and its vDevices, vEVENTQs and HW queues, and the fault queues that
 * HWPTs report to.  Also GET_HW_INFO, asked of a device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "iommufd-internal.h"

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

/* Paging over an IOAS; nested over a paging HWPT or a vIOMMU, or when there is driver data. */
static enum ictl_obj_kind hwpt_kind(const struct ictl_iommufd *s, const struct ictl_hwpt_spec *spec)
{
	const struct ictl_iommufd_obj *pt = iofd_find(s, spec->pt_id);

	if (pt && pt->kind == ICTL_OBJ_IOAS)
		return ICTL_OBJ_HWPT_PAGING;
	if (pt)
		return ICTL_OBJ_HWPT_NESTED;
	return spec->data_type == ICTL_IOMMU_HWPT_DATA_NONE ? ICTL_OBJ_HWPT_PAGING :
							      ICTL_OBJ_HWPT_NESTED;
}

int ictl_hwpt_alloc(struct ictl_iommufd *s, const char *name, const struct ictl_hwpt_spec *spec,
		    uint32_t *hwpt_id)
{
	struct ictl_iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = spec->flags, .dev_id = spec->dev_id,
		.pt_id = spec->pt_id, .data_type = spec->data_type, .data_len = spec->data_len,
		.data_uptr = (uintptr_t)spec->data, .fault_id = spec->fault_id,
	};
	char d[IOFD_LABEL_MAX], p[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, hwpt_kind(s, spec), name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_HWPT_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_HWPT_ALLOC", hwpt_alloc_hint(-r, spec),
				  "%s (pt %s, flags 0x%x, data type %u)",
				  iofd_label(s, spec->dev_id, "device", d, sizeof(d)),
				  iofd_label(s, spec->pt_id, NULL, p, sizeof(p)), spec->flags,
				  spec->data_type);
	}
	o->parent = spec->pt_id;
	o->flags = spec->flags;
	o->type = spec->data_type;
	iofd_obj_dep(s, o, spec->pt_id);
	if (spec->flags & ICTL_IOMMU_HWPT_FAULT_ID_VALID)
		iofd_obj_dep(s, o, spec->fault_id);
	iofd_obj_add(s, o, a.out_hwpt_id);
	*hwpt_id = a.out_hwpt_id;
	return 0;
}

int ictl_hwpt_set_dirty_tracking(struct ictl_iommufd *s, uint32_t hwpt_id, bool enable)
{
	struct ictl_iommu_hwpt_set_dirty_tracking d = {
		.size = sizeof(d), .hwpt_id = hwpt_id,
		.flags = enable ? ICTL_IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_HWPT_SET_DIRTY_TRACKING, &d);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_HWPT_SET_DIRTY_TRACKING",
				  r == -EOPNOTSUPP ? "the HWPT was not allocated with DIRTY_TRACKING" : NULL,
				  "%s (%s)", iofd_label(s, hwpt_id, "hwpt", l, sizeof(l)),
				  enable ? "enable" : "disable");
	return 0;
}

int ictl_hwpt_get_dirty_bitmap(struct ictl_iommufd *s, uint32_t hwpt_id, uint32_t flags,
			       uint64_t iova, uint64_t length, uint64_t page_size,
			       uint64_t *bitmap)
{
	struct ictl_iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt_id, .flags = flags, .iova = iova,
		.length = length, .page_size = page_size, .data = (uintptr_t)bitmap,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP, &g);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_HWPT_GET_DIRTY_BITMAP",
				  r == -EINVAL ? "dirty tracking is off, or IOVA/length/page size not aligned" : NULL,
				  "%s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, hwpt_id, "hwpt", l, sizeof(l)), iova, length);
	return 0;
}

int ictl_hwpt_invalidate(struct ictl_iommufd *s, uint32_t id, uint32_t data_type,
			 const void *entries, uint32_t entry_len, uint32_t n)
{
	struct ictl_iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = id, .data_uptr = (uintptr_t)entries,
		.data_type = data_type, .entry_len = entry_len, .entry_num = n,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_HWPT_INVALIDATE, &inv);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_HWPT_INVALIDATE",
				  r == -EINVAL ? "not a nested HWPT or vIOMMU, or a wrong entry type or length" : NULL,
				  "%s (type 0x%x, %u of %u entries done)",
				  iofd_label(s, id, "hwpt", l, sizeof(l)), data_type, inv.entry_num, n);
	return (int)inv.entry_num;
}

int ictl_iommufd_get_hw_info(struct ictl_iommufd *s, uint32_t dev_id, uint32_t type,
			     struct ictl_iommufd_hw_info *out)
{
	struct ictl_iommu_hw_info h = {
		.size = sizeof(h), .dev_id = dev_id, .data_len = sizeof(out->data),
		.data_uptr = (uintptr_t)out->data,
	};
	char l[IOFD_LABEL_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	if (type != ICTL_IOMMU_HW_INFO_TYPE_DEFAULT) {
		h.flags = ICTL_IOMMU_HW_INFO_FLAG_INPUT_TYPE;
		h.in_data_type = type;
	}
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_GET_HW_INFO, &h);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_GET_HW_INFO",
				  r == -EOPNOTSUPP && type ? "the IOMMU does not report this type" : NULL,
				  "%s", iofd_label(s, dev_id, "device", l, sizeof(l)));
	out->type = h.out_data_type;
	out->data_len = h.data_len < sizeof(out->data) ? h.data_len : sizeof(out->data);
	out->max_pasid_log2 = h.out_max_pasid_log2;
	out->capabilities = h.out_capabilities;
	return 0;
}

/* --- faults, vIOMMU, vDevice, vEVENTQ, HW queue ----------------------------------- */

int ictl_fault_queue_alloc(struct ictl_iommufd *s, const char *name, uint32_t *fault_id,
			   int *fault_fd)
{
	struct ictl_iommu_fault_alloc a = { .size = sizeof(a) };
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_FAULT, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_FAULT_QUEUE_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_FAULT_QUEUE_ALLOC", NULL, "iommufd %d", s->fd);
	}
	o->fd = (int)a.out_fault_fd;
	iofd_obj_add(s, o, a.out_fault_id);
	*fault_id = a.out_fault_id;
	*fault_fd = o->fd;
	return 0;
}

int ictl_viommu_alloc(struct ictl_iommufd *s, const char *name, uint32_t type, uint32_t dev_id,
		      uint32_t hwpt_id, void *data, uint32_t data_len, uint32_t *viommu_id)
{
	struct ictl_iommu_viommu_alloc a = {
		.size = sizeof(a), .type = type, .dev_id = dev_id, .hwpt_id = hwpt_id,
		.data_len = data_len, .data_uptr = (uintptr_t)data,
	};
	char d[IOFD_LABEL_MAX], h[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_VIOMMU, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_VIOMMU_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_VIOMMU_ALLOC",
				  r == -EOPNOTSUPP ? "the kernel gives this device's IOMMU no vIOMMU of this type ('iommuctl caps DEVICE', row viommu, says why)" :
				  r == -EINVAL ? "the HWPT is not a nesting parent, or the data's size is wrong" : NULL,
				  "%s (hwpt %s, type 0x%x)",
				  iofd_label(s, dev_id, "device", d, sizeof(d)),
				  iofd_label(s, hwpt_id, NULL, h, sizeof(h)), type);
	}
	o->parent = hwpt_id;
	o->type = type;
	iofd_obj_dep(s, o, hwpt_id);
	iofd_obj_add(s, o, a.out_viommu_id);
	*viommu_id = a.out_viommu_id;
	return 0;
}

int ictl_vdevice_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
		       uint32_t dev_id, uint64_t virt_id, uint32_t *vdevice_id)
{
	struct ictl_iommu_vdevice_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .dev_id = dev_id, .virt_id = virt_id,
	};
	char d[IOFD_LABEL_MAX], v[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_VDEVICE, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_VDEVICE_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_VDEVICE_ALLOC",
				  r == -EEXIST ? "the device or the virtual ID already has a vDevice" : NULL,
				  "%s (viommu %s, virt_id 0x%" PRIx64 ")",
				  iofd_label(s, dev_id, "device", d, sizeof(d)),
				  iofd_label(s, viommu_id, NULL, v, sizeof(v)), virt_id);
	}
	o->parent = viommu_id;
	o->virt_id = virt_id;
	iofd_obj_dep(s, o, viommu_id);
	iofd_obj_dep(s, o, dev_id);
	iofd_obj_add(s, o, a.out_vdevice_id);
	*vdevice_id = a.out_vdevice_id;
	return 0;
}

int ictl_veventq_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
		       uint32_t type, uint32_t depth, uint32_t *veventq_id, int *veventq_fd)
{
	struct ictl_iommu_veventq_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .type = type, .veventq_depth = depth,
	};
	char v[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_VEVENTQ, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_VEVENTQ_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_VEVENTQ_ALLOC",
				  r == -EEXIST ? "the vIOMMU already has a queue of this type" : NULL,
				  "%s (type 0x%x, depth %u)",
				  iofd_label(s, viommu_id, "viommu", v, sizeof(v)), type, depth);
	}
	o->parent = viommu_id;
	o->type = type;
	o->fd = (int)a.out_veventq_fd;
	iofd_obj_dep(s, o, viommu_id);
	iofd_obj_add(s, o, a.out_veventq_id);
	*veventq_id = a.out_veventq_id;
	*veventq_fd = o->fd;
	return 0;
}

/* The HW queue of the vIOMMU with the index before, if the session made it. */
static uint32_t hw_queue_before(const struct ictl_iommufd *s, uint32_t viommu, uint32_t type,
				uint32_t index)
{
	for (size_t i = 0; index && i < s->n; i++) {
		const struct ictl_iommufd_obj *o = s->objs[i];

		if (o->kind == ICTL_OBJ_HW_QUEUE && o->parent == viommu && o->type == type &&
		    o->index == index - 1)
			return o->id;
	}
	return 0;
}

int ictl_hw_queue_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
			uint32_t type, uint32_t index, uint64_t iova, uint64_t length,
			uint32_t *hw_queue_id)
{
	struct ictl_iommu_hw_queue_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .type = type, .index = index,
		.nesting_parent_iova = iova, .length = length,
	};
	char v[IOFD_LABEL_MAX];
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_HW_QUEUE, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_HW_QUEUE_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_HW_QUEUE_ALLOC",
				  r == -ENOENT ? "no such vIOMMU, or nothing mapped at the IOVA in its parent" :
				  r == -EIO ? "the driver wants the queues allocated in index order" : NULL,
				  "%s (type 0x%x, index %u, iova 0x%" PRIx64 ")",
				  iofd_label(s, viommu_id, "viommu", v, sizeof(v)), type, index, iova);
	}
	o->parent = viommu_id;
	o->type = type;
	o->index = index;
	iofd_obj_dep(s, o, viommu_id);
	iofd_obj_dep(s, o, hw_queue_before(s, viommu_id, type, index));
	iofd_obj_add(s, o, a.out_hw_queue_id);
	*hw_queue_id = a.out_hw_queue_id;
	return 0;
}
