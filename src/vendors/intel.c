// SPDX-License-Identifier: GPL-2.0-or-later
/* Intel VT-d (DMA remapping units, "dmarN"). */
#include <string.h>

#include "vendor.h"

static bool intel_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	char p[PATH_MAX];

	(void)name;
	return !path_fmt(p, sizeof(p), "%s/intel-iommu", path) && sysfs_exists(ctx, p);
}

/* intel-iommu/ holds the capability and extended capability registers in hex. */
static void intel_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	ictl_unit_add_attr(ctx, u, "version", "intel-iommu/version", ICTL_ATTR_RAW);
	ictl_unit_add_attr(ctx, u, "address", "intel-iommu/address", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "cap", "intel-iommu/cap", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "ecap", "intel-iommu/ecap", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "domains_supported", "intel-iommu/domains_supported",
			   ICTL_ATTR_RAW);
	ictl_unit_add_attr(ctx, u, "domains_used", "intel-iommu/domains_used", ICTL_ATTR_RAW);
}

const struct ictl_vendor_ops ictl_vendor_intel = {
	.kind = "intel-vtd",
	.description = "Intel VT-d DMA remapping unit",
	.match = intel_match,
	.read_attrs = intel_read_attrs,
};
