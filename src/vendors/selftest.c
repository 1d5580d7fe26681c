// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's iommufd selftest mock driver (CONFIG_IOMMUFD_TEST): a real
 * uAPI with predictable answers, which the tests use the way cxl-cli uses
 * cxl_test.  Its hw_info is a flags word and a register reading 0xdeadbeef.
 */
#include <errno.h>
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

/*
 * data: {type: selftest, iotlb: N}: the mock copies iotlb into each of its
 * nested domain's IOTLB entries (MD_CHECK_IOTLB reads them back).
 */
static int selftest_nested_build(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
				 void *data, size_t len)
{
	static const char *const keys[] = { "iotlb", NULL };
	struct ictl_iommu_hwpt_selftest t = { .iotlb = ICTL_IOMMU_TEST_IOTLB_DEFAULT };
	uint64_t v = t.iotlb;
	int r;

	if (len < sizeof(t))
		return -ENOSPC;
	r = ictl_nested_keys(ctx, ns, keys);
	if (!r)
		r = ictl_nested_u64(ctx, ns, "iotlb", 0, UINT32_MAX, &v);
	if (r < 0)
		return r;
	t.iotlb = (uint32_t)v;
	memcpy(data, &t, sizeof(t));
	return sizeof(t);
}

const struct ictl_vendor_ops ictl_vendor_selftest = {
	.kind = "selftest",
	.description = "iommufd selftest mock (CONFIG_IOMMUFD_TEST)",
	.match = selftest_match,
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_SELFTEST,
	.hw_info_size = sizeof(struct ictl_iommu_test_hw_info),
	.decode_hw_info = selftest_decode,
	.hwpt_data_type = ICTL_IOMMU_HWPT_DATA_SELFTEST,
	.hwpt_data_size = sizeof(struct ictl_iommu_hwpt_selftest),
	.nested_data_build = selftest_nested_build,
	/* mock_domain_alloc_nested() and mock_viommu_alloc_domain_nested() */
	.nested_via = ICTL_NESTED_VIA_PARENT | ICTL_NESTED_VIA_VIOMMU,
	.viommu_type = ICTL_IOMMU_VIOMMU_TYPE_SELFTEST,
};
