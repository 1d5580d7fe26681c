// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio-iommu: the unit is named after its virtio device ("virtioN") and lives below it. */
#include <string.h>

#include "vendor.h"

static bool virtio_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	char p[PATH_MAX], drv[ICTL_NAME_MAX];

	/* <...>/virtioN/iommu/virtioN: the parent device's driver is virtio_iommu. */
	if (strncmp(name, "virtio", 6))
		return false;
	if (path_fmt(p, sizeof(p), "%s/../../driver", path) ||
	    sysfs_link_base(ctx, p, drv, sizeof(drv)) < 0)
		return true;
	return !strcmp(drv, "virtio_iommu");
}

const struct ictl_vendor_ops ictl_vendor_virtio = {
	.kind = "virtio-iommu",
	.description = "virtio-iommu (paravirtual)",
	.match = virtio_match,
};
