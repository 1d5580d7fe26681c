/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iommufd uAPI, written from the kernel's documented ABI as our own
 * definitions.  Naming rule: every kernel identifier X becomes ictl_X (types)
 * or ICTL_X (constants), so tests/uapi/ can include the kernel's header next
 * to this one and check every size, offset and number against it.
 * Reference: include/uapi/linux/iommufd.h of Linux 7.3.
 */
#ifndef ICTL_UAPI_IOMMUFD_H
#define ICTL_UAPI_IOMMUFD_H

#include <stdint.h>

#define ICTL_ALIGNED_U64 uint64_t __attribute__((aligned(8)))

/* --- IOMMU_GET_HW_INFO: the driver data of each hw_info type ------------------- */

enum {
	ICTL_IOMMU_HW_INFO_TYPE_NONE = 0,
	ICTL_IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	ICTL_IOMMU_HW_INFO_TYPE_AMD = 4,
};
/* The selftest mock driver's type (drivers/iommu/iommufd/iommufd_test.h). */
#define ICTL_IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeefu

/* out_capabilities */
enum {
	ICTL_IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	ICTL_IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	ICTL_IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	ICTL_IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

/* Intel VT-d: the capability and extended capability registers as the unit reports them. */
enum { ICTL_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0 };
struct ictl_iommu_hw_info_vtd {
	uint32_t flags;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 cap_reg;
	ICTL_ALIGNED_U64 ecap_reg;
};

/* ARM SMMUv3: ID registers 0-5, IIDR and AIDR. */
enum { ICTL_IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI = 1 << 0 };
struct ictl_iommu_hw_info_arm_smmuv3 {
	uint32_t flags;
	uint32_t __reserved;
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
};

/* NVIDIA Tegra241 CMDQV: fields of its PARAM register. */
struct ictl_iommu_hw_info_tegra241_cmdqv {
	uint32_t flags;
	uint8_t version;
	uint8_t log2vcmdqs;
	uint8_t log2vsids;
	uint8_t __reserved;
};

/* AMD: Extended Feature Registers 1 and 2. */
struct ictl_iommu_hw_info_amd {
	ICTL_ALIGNED_U64 efr;
	ICTL_ALIGNED_U64 efr2;
};

/* The selftest mock: a flags word and a register that reads 0xdeadbeef. */
#define ICTL_IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeefu
struct ictl_iommu_test_hw_info {
	uint32_t flags;
	uint32_t test_reg;
};

#endif /* ICTL_UAPI_IOMMUFD_H */
