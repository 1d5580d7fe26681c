// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's iommufd selftest mock driver (CONFIG_IOMMUFD_TEST): a real
 * uAPI with predictable answers, which the tests use the way cxl-cli uses
 * cxl_test.  Its hw_info is a flags word and a register reading 0xdeadbeef.
 */
#include <stddef.h>
#include <string.h>

#include "vendors.h"
#include "../lib/uapi/iommufd.h"

static void regval(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v == ICTL_IOMMU_HW_INFO_SELFTEST_REGVAL ?
				 "the mock's fixed value" : "NOT the mock's fixed 0xdeadbeef");
}

static const struct ictl_field_desc flags_fields[] = {
	{ "flags", 31, 0, "mock flags", NULL },
	{ 0 }
};

static const struct ictl_field_desc reg_fields[] = {
	{ "test_reg", 31, 0, "the mock's register", regval },
	{ 0 }
};

static int selftest_decode(struct ictl_ctx *ctx, const void *data, size_t len,
			   struct ictl_hw_info *out)
{
	struct ictl_iommu_test_hw_info h;
	int r;

	(void)ctx;
	(void)len;
	memcpy(&h, data, sizeof(h));
	r = ictl_hw_add_reg(out, "flags", "hw_info flags", 32, h.flags, flags_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "test_reg", "mock register", 32, h.test_reg, reg_fields);
	return r;
}

/* The mock registers its unit under its own device's name (iommufd_selftest_iommu.0). */
static bool selftest_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	(void)ctx;
	(void)path;
	return !strncmp(name, "iommufd_selftest_iommu", 22);
}

const struct ictl_vendor_ops ictl_vendor_selftest = {
	.kind = "selftest",
	.description = "iommufd selftest mock (CONFIG_IOMMUFD_TEST)",
	.match = selftest_match,
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_SELFTEST,
	.hw_info_size = sizeof(struct ictl_iommu_test_hw_info),
	.decode_hw_info = selftest_decode,
};
