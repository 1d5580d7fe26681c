// SPDX-License-Identifier: GPL-2.0-or-later
/* AMD-Vi (IOMMUs described by IVHD blocks of the IVRS table, "ivhdN"). */
#include <errno.h>
#include <string.h>

#include "vendor.h"

static bool amd_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	char p[PATH_MAX];

	(void)name;
	return !path_fmt(p, sizeof(p), "%s/amd-iommu", path) && sysfs_exists(ctx, p);
}

static void hex_norm(const char *in, char *out, size_t len)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(in, &end, 16);
	if (errno || end == in || *end)
		str_copy(out, in, len);
	else
		snprintf(out, len, "0x%llx", v);
}

/*
 * amd-iommu/cap is the capability header; amd-iommu/features is the Extended
 * Feature Register, followed since 6.x by ":EFR2".
 */
static void amd_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	char p[PATH_MAX], buf[64], out[32], *colon;

	ictl_unit_add_attr(ctx, u, "cap", "amd-iommu/cap", ICTL_ATTR_HEX);
	if (path_fmt(p, sizeof(p), "%s/amd-iommu/features", u->path) ||
	    sysfs_read_str(ctx, p, buf, sizeof(buf)) < 0)
		return;
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	hex_norm(buf, out, sizeof(out));
	ictl_unit_set_attr(u, "efr", out);
	if (colon) {
		hex_norm(colon + 1, out, sizeof(out));
		ictl_unit_set_attr(u, "efr2", out);
	}
}

const struct ictl_vendor_ops ictl_vendor_amd = {
	.kind = "amd-vi",
	.description = "AMD-Vi IOMMU",
	.match = amd_match,
	.read_attrs = amd_read_attrs,
};
