// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one table of IOMMU types iommuctl knows.  The library declares it
 * (src/lib/vendor.h) and looks vendors up through it (src/lib/vendor.c).
 */
#include "vendors.h"

/*
 * In the kernel's hw_info type order (the messages list the types in this
 * order).  Units found in sysfs are tried in this order too; their match()es
 * are disjoint.
 */
const struct ictl_vendor_entry ictl_vendor_table[] = {
	{ &ictl_vendor_intel, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	{ &ictl_vendor_arm_smmuv3, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	/* An SMMUv3 extension: no unit of its own, the SMMUv3 it extends is the unit. */
	{ &ictl_vendor_tegra241, ICTL_VENDOR_HW_INFO },
	{ &ictl_vendor_amd, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	/* No hw_info of its own (IOMMU_HW_INFO_TYPE_NONE). */
	{ &ictl_vendor_virtio, ICTL_VENDOR_UNITS },
	/* The kernel's mock (CONFIG_IOMMUFD_TEST). */
	{ &ictl_vendor_selftest, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	{ NULL, 0 }
};
