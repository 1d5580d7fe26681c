// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NVIDIA Tegra241 CMDQV, an extension of ARM SMMUv3 (virtual command queues).
 * Its hw_info carries fields of the CMDQV PARAM register; there is no sysfs
 * unit of its own: the SMMUv3 it extends is the unit.
 */
#include <stddef.h>
#include <string.h>

#include "vendors.h"
#include "../lib/uapi/iommufd.h"

static void pow2(uint64_t v, char *buf, size_t len)
{
	if (v < 64)
		snprintf(buf, len, "%llu", 1ULL << v);
}

/* The kernel hands the PARAM fields over one byte each; we show them as PARAM's bits. */
static const struct ictl_field_desc param_fields[] = {
	{ "CMDQV_VER", 3, 0, "CMDQ-V hardware version", NULL },
	{ "CMDQV_NUM_VCMDQ_LOG2", 7, 4, "log2 of the number of virtual command queues", pow2 },
	{ "CMDQV_NUM_VM_LOG2", 11, 8, "log2 of the number of virtual interfaces (0 for a guest: one VINTF)", pow2 },
	{ "CMDQV_NUM_SID_PER_VM_LOG2", 15, 12, "log2 of the number of stream ID replacements", pow2 },
	{ 0 }
};

static const struct ictl_field_desc flags_fields[] = {
	{ "reserved", 31, 0, "must be 0", NULL },
	{ 0 }
};

static int tegra241_decode(struct ictl_ctx *ctx, const void *data, size_t len,
			   struct ictl_hw_info *out)
{
	struct ictl_iommu_hw_info_tegra241_cmdqv h;
	uint64_t param;
	int r;

	(void)ctx;
	(void)len;
	memcpy(&h, data, sizeof(h));
	param = (uint64_t)(h.version & 0xf) | (uint64_t)(h.log2vcmdqs & 0xf) << 4 |
		(uint64_t)(h.log2vsids & 0xf) << 12;
	r = ictl_hw_add_reg(out, "flags", "hw_info flags", 32, h.flags, flags_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "param", "CMDQV PARAM register (as exposed to a VM)", 32,
				    param, param_fields);
	return r;
}

const struct ictl_vendor_ops ictl_vendor_tegra241 = {
	.kind = "tegra241-cmdqv",
	.description = "NVIDIA Tegra241 CMDQV (SMMUv3 extension)",
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV,
	.hw_info_size = sizeof(struct ictl_iommu_hw_info_tegra241_cmdqv),
	.decode_hw_info = tegra241_decode,
};
