// SPDX-License-Identifier: GPL-2.0-or-later
/* The plain static table of IOMMU types, and helpers the vendor files share. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vendor.h"

static const struct ictl_vendor_ops *const vendors[] = {
	&ictl_vendor_intel,
	&ictl_vendor_amd,
	&ictl_vendor_arm_smmuv3,
	&ictl_vendor_virtio,
};

const struct ictl_vendor_ops *ictl_vendor_for_unit(struct ictl_ctx *ctx, const char *name,
						   const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(vendors); i++) {
		if (vendors[i]->match(ctx, name, path))
			return vendors[i];
	}
	return &ictl_vendor_unknown;
}

void ictl_unit_set_attr(struct ictl_unit *u, const char *name, const char *value)
{
	if (u->nattrs >= ICTL_UNIT_ATTRS_MAX)
		return;
	u->attrs[u->nattrs].name = name;
	str_copy(u->attrs[u->nattrs].value, value, sizeof(u->attrs[0].value));
	u->nattrs++;
}

void ictl_unit_add_attr(struct ictl_ctx *ctx, struct ictl_unit *u, const char *name,
			const char *file, enum ictl_attr_fmt fmt)
{
	char p[PATH_MAX], buf[64], *end;
	unsigned long long v;

	if (path_fmt(p, sizeof(p), "%s/%s", u->path, file) ||
	    sysfs_read_str(ctx, p, buf, sizeof(buf)) < 0)
		return;
	if (fmt == ICTL_ATTR_HEX) {
		errno = 0;
		v = strtoull(buf, &end, 16);
		if (!errno && end != buf && !*end)
			snprintf(buf, sizeof(buf), "0x%llx", v);
	}
	ictl_unit_set_attr(u, name, buf);
}

static bool match_none(struct ictl_ctx *ctx, const char *name, const char *path)
{
	(void)ctx;
	(void)name;
	(void)path;
	return false;
}

const struct ictl_vendor_ops ictl_vendor_unknown = {
	.kind = "unknown",
	.description = "IOMMU of a type iommuctl does not know",
	.match = match_none,
};
