// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * virtio-iommu: the unit is registered below its virtio device, as
 * <transport device>/virtioN/iommu/<name>; the name is the transport's
 * (for virtio-iommu-pci, the PCI address: 0000:00:03.0).
 */
#include <ctype.h>
#include <string.h>

#include "vendors.h"

static bool virtio_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	const char *end = strrchr(path, '/'), *start;

	(void)ctx;
	(void)name;
	/* path ends in ".../virtioN/iommu/<name>" */
	if (!end || end - path < 7 || strncmp(end - 6, "/iommu", 6))
		return false;
	end -= 6;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	if (end - start < 7 || strncmp(start, "virtio", 6))
		return false;
	for (const char *p = start + 6; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
	}
	return true;
}

const struct ictl_vendor_ops ictl_vendor_virtio = {
	.kind = "virtio-iommu",
	.description = "virtio-iommu (paravirtual)",
	.match = virtio_match,
};
