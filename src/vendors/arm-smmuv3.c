// SPDX-License-Identifier: GPL-2.0-or-later
/* ARM SMMUv3: the driver names its units "smmu3.0x<base address>". */
#include <string.h>

#include "vendor.h"

static bool smmuv3_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	(void)ctx;
	(void)path;
	return !strncmp(name, "smmu3.", 6);
}

static void smmuv3_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	(void)ctx;
	/* The base address is part of the name; sysfs shows no registers. */
	ictl_unit_set_attr(u, "address", u->name + 6);
}

const struct ictl_vendor_ops ictl_vendor_arm_smmuv3 = {
	.kind = "arm-smmu-v3",
	.description = "ARM SMMUv3",
	.match = smmuv3_match,
	.read_attrs = smmuv3_read_attrs,
};
