// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/* Where a device's IOMMU hardware information comes from: iommufd, or sysfs. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "iommufd.h"
#include "iort.h"
#include "owner-holders.h"
#include "vendor.h"

/* Rebuild the driver data from the unit's sysfs attributes and decode it. */
static int query_sysfs(struct ictl_ctx *ctx, const struct ictl_device *d, struct ictl_hw_info *out,
		       const char *why)
{
	struct ictl_unit_list units;
	const struct ictl_unit *u = NULL;
	uint8_t blob[256];
	int r;

	r = ictl_units_scan(ctx, &units);
	if (r < 0)
		return r;
	for (size_t i = 0; i < units.n; i++) {
		if (!strcmp(units.v[i].name, d->iommu))
			u = &units.v[i];
	}
	if (!u) {
		ictl_unit_list_clear(&units);
		return ictl_err(ctx, ENODEV, "%s: its IOMMU unit %s is not in sys/class/iommu", d->name,
				d->iommu);
	}
	if (u->error) {
		r = row_error_raise(ctx, u->error);
		goto out;
	}
	if (!u->vendor->hw_info_from_sysfs || !u->vendor->decode_hw_info) {
		r = ictl_err(ctx, EOPNOTSUPP,
			     "%s: %s; and sysfs shows no registers of %s units (%s)", d->name, why,
			     u->vendor->kind, u->name);
		goto out;
	}
	memset(blob, 0, sizeof(blob));
	r = u->vendor->hw_info_from_sysfs(ctx, u, blob, sizeof(blob));
	if (r < 0) {
		/* A register file the seam found damaged names itself (a failure, not usage). */
		r = ictl_err_kind(ctx, r) == ICTL_ERR_DATA ?
			    ictl_err_wrap(ctx, -r, "%s: cannot read the registers of %s from sysfs",
					  d->name, u->name) :
			    ictl_err_data(ctx, -r, "%s: cannot read the registers of %s from sysfs (%s): %s",
					  d->name, u->name, u->path, strerror(-r));
		goto out;
	}
	r = ictl_hw_info_decode(ctx, u->vendor->hw_info_type, blob, u->vendor->hw_info_size, out);
	if (!r)
		out->source = "sysfs";
out:
	ictl_unit_list_clear(&units);
	return r;
}

int ictl_hw_info_query(struct ictl_ctx *ctx, const struct ictl_device *d, bool from_sysfs,
		       struct ictl_hw_info *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->rc_canwbs = ICTL_UNKNOWN;
	if (!d->iommu[0] || d->group < 0)
		return ictl_err(ctx, ENODEV, "%s is not behind an IOMMU: no unit translates its DMA",
				d->name);
	if (from_sysfs)
		r = query_sysfs(ctx, d, out, "asked for sysfs");
	else if (!sysfs_exists(ctx, "dev/iommu"))
		r = query_sysfs(ctx, d, out,
				"iommufd is missing (no /dev/iommu: the kernel lacks CONFIG_IOMMUFD)");
	else
		r = ictl_hw_info_iommufd(ctx, d, out);
	/* Only an SMMUv3's capabilities depend on it (its vIOMMU without S2FWB). */
	if (!r && out->type == ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		out->rc_canwbs = ictl_fw_rc_canwbs(ctx, d, out->rc_canwbs_source,
						   sizeof(out->rc_canwbs_source));
	return r;
}

/* A session on /dev/iommu with the device's VFIO cdev bound to it (*s NULL on failure). */
static int bind_fresh(struct ictl_ctx *ctx, const struct ictl_device *d, struct ictl_iommufd **s,
		      uint32_t *dev_id)
{
	int r = ictl_iommufd_open(ctx, s);

	if (!r)
		r = ictl_dev_bind(*s, NULL, d->name, dev_id);
	if (r == -EBUSY)
		r = holders_explain(ctx, r, d->name, NULL);
	if (r < 0) {
		ictl_iommufd_free(*s);
		*s = NULL;
	}
	return r;
}

/*
 * Bind the device's VFIO cdev to a fresh iommufd and ask IOMMU_GET_HW_INFO.
 * Binding claims DMA ownership only for as long as the session lives.
 */
int ictl_hw_info_iommufd(struct ictl_ctx *ctx, const struct ictl_device *d,
			 struct ictl_hw_info *out)
{
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct ictl_iommufd_hw_info h;
	uint32_t dev_id;
	int r;

	if (!d->vfio_dev[0])
		return ictl_err(ctx, EBUSY,
				"%s is %s%s, not on vfio-pci: hw-info asks iommufd through the device's VFIO cdev; bind it to vfio-pci (echo vfio-pci > /sys/bus/pci/devices/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe) or use --sysfs",
				d->name, d->driver[0] ? "bound to " : "without a driver",
				d->driver, d->name, d->name);
	r = bind_fresh(ctx, d, &s, &dev_id);
	if (r < 0)
		return r;
	r = ictl_iommufd_get_hw_info(s, dev_id, ICTL_IOMMU_HW_INFO_TYPE_DEFAULT, &h);
	if (r < 0)
		return r;
	if (h.type == ICTL_IOMMU_HW_INFO_TYPE_NONE) {
		/* The driver reports no data of its own: only the generic answers. */
		memset(out, 0, sizeof(*out));
		out->kind = "none";
	} else {
		r = ictl_hw_info_decode(ctx, h.type, h.data, h.data_len, out);
		if (r < 0)
			return r;
	}
	out->source = "iommufd";
	out->have_caps = true;
	out->capabilities = h.capabilities;
	out->max_pasid_log2 = h.max_pasid_log2;
	return 0;
}

/* Record the kernel's answer to a HWPT_ALLOC flag in a capability. */
static void kernel_flag(struct ictl_cap *c, const struct ictl_iommufd_features *f, uint32_t flag,
			const char *name)
{
	int bit = __builtin_ctz(flag);

	if (f->hwpt_flags_ok & flag) {
		c->kernel = ICTL_YES;
		snprintf(c->kernel_source, sizeof(c->kernel_source), "IOMMU_HWPT_ALLOC %s: allocated",
			 name);
	} else if (f->hwpt_flags_refused & flag) {
		c->kernel = ICTL_NO;
		snprintf(c->kernel_source, sizeof(c->kernel_source), "IOMMU_HWPT_ALLOC %s: %s", name,
			 strerrorname_np(f->hwpt_flag_err[bit]) ?: "refused");
	}
}

/*
 * Ask for a vIOMMU of the vendor's type over a nesting parent, when the kernel
 * gave one (what the driver's get_viommu_size() decides: firmware flags and
 * errata included).
 */
static void kernel_viommu(struct ictl_ctx *ctx, struct ictl_iommufd *s, uint32_t dev_id, uint32_t ioas,
			  const struct ictl_hw_info *hi, struct ictl_cap *c)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_hw_info_type(hi->type);
	struct ictl_hwpt_spec parent = {
		.dev_id = dev_id, .pt_id = ioas, .flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	uint32_t hwpt, viommu;
	int r;

	if (!v || !v->viommu_type)
		return;
	r = ictl_hwpt_alloc(s, NULL, &parent, &hwpt);
	if (r < 0) {
		c->kernel = ICTL_NO;
		snprintf(c->kernel_source, sizeof(c->kernel_source),
			 "no NEST_PARENT HWPT to put a vIOMMU over (%s)",
			 strerrorname_np(-r) ?: "refused");
		return;
	}
	r = ictl_viommu_alloc(s, NULL, v->viommu_type, dev_id, hwpt, NULL, 0, &viommu);
	c->kernel = r ? ICTL_NO : ICTL_YES;
	snprintf(c->kernel_source, sizeof(c->kernel_source), "IOMMU_VIOMMU_ALLOC type %u: %s",
		 v->viommu_type, r ? strerrorname_np(-r) ?: "refused" : "allocated");
	ctx->err[0] = '\0';
}

/*
 * Ask the kernel: bind the device to a fresh iommufd with an IOAS, allocate a
 * plain paging HWPT and one with each flag, and read GET_HW_INFO's answers.
 * Everything allocated is destroyed with the iommufd.
 */
static int caps_ask_kernel(struct ictl_ctx *ctx, const struct ictl_device *d,
			   const struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct ictl_iommufd_features f;
	uint32_t dev_id, ioas, hwpt;
	int r;

	r = bind_fresh(ctx, d, &s, &dev_id);
	if (r < 0)
		return r;
	r = ictl_ioas_alloc(s, NULL, &ioas);
	if (r < 0)
		return r;
	struct ictl_hwpt_spec plain = { .dev_id = dev_id, .pt_id = ioas };
	struct ictl_cap *pg = &caps->cap[ICTL_CAP_PAGING];

	r = ictl_hwpt_alloc(s, NULL, &plain, &hwpt);
	pg->kernel = r ? ICTL_NO : ICTL_YES;
	snprintf(pg->kernel_source, sizeof(pg->kernel_source), "IOMMU_HWPT_ALLOC (paging): %s",
		 r ? strerrorname_np(-r) ?: "refused" : "allocated");
	r = ictl_iommufd_probe(s, dev_id, ioas, &f);
	if (r < 0)
		return r;
	kernel_flag(&caps->cap[ICTL_CAP_NEST_PARENT], &f, ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT,
		    "NEST_PARENT");
	kernel_flag(&caps->cap[ICTL_CAP_DIRTY], &f, ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		    "DIRTY_TRACKING");
	kernel_flag(&caps->cap[ICTL_CAP_PASID], &f, ICTL_IOMMU_HWPT_ALLOC_PASID, "PASID");
	if (caps->cap[ICTL_CAP_PASID].kernel == ICTL_YES && !hi->max_pasid_log2)
		caps->cap[ICTL_CAP_PASID].kernel = ICTL_NO;
	snprintf(caps->cap[ICTL_CAP_PASID].kernel_source + strlen(caps->cap[ICTL_CAP_PASID].kernel_source),
		 sizeof(caps->cap[0].kernel_source) - strlen(caps->cap[ICTL_CAP_PASID].kernel_source),
		 "; out_max_pasid_log2 = %u", hi->max_pasid_log2);
	if (caps->cap[ICTL_CAP_NEST_PARENT].kernel == ICTL_YES)
		kernel_viommu(ctx, s, dev_id, ioas, hi, &caps->cap[ICTL_CAP_VIOMMU]);
	caps->cap[ICTL_CAP_ATS].kernel =
		hi->capabilities & ICTL_IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED ? ICTL_NO : ICTL_YES;
	snprintf(caps->cap[ICTL_CAP_ATS].kernel_source, sizeof(caps->cap[0].kernel_source),
		 "out_capabilities PCI_ATS_NOT_SUPPORTED = %d",
		 !!(hi->capabilities & ICTL_IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED));
	return 0;
}

int ictl_caps_query(struct ictl_ctx *ctx, const struct ictl_device *d, bool from_sysfs,
		    struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	int r = ictl_hw_info_query(ctx, d, from_sysfs, hi);

	if (r < 0)
		return r;
	if (hi->type == ICTL_IOMMU_HW_INFO_TYPE_NONE) {
		for (int i = 0; i < ICTL_CAP_COUNT; i++)
			caps->cap[i] = (struct ictl_cap){ .hw = ICTL_UNKNOWN, .kernel = ICTL_UNKNOWN };
	} else {
		r = ictl_caps_from_hw_info(ctx, hi, caps);
		if (r < 0) {
			ictl_hw_info_clear(hi);
			return r;
		}
	}
	if (!strcmp(hi->source, "iommufd")) {
		r = caps_ask_kernel(ctx, d, hi, caps);
		if (r < 0)
			ictl_hw_info_clear(hi);
	}
	return r;
}
