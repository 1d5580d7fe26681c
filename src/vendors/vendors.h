/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ops each src/vendors/<vendor>.c defines, for the table that lists them
 * (table.c).  The struct and the helpers the vendors use are the library's
 * (src/lib/vendor.h): vendors include lib, never the reverse.
 */
#ifndef ICTL_VENDORS_H
#define ICTL_VENDORS_H

#include "../lib/vendor.h"

extern const struct ictl_vendor_ops ictl_vendor_intel;
extern const struct ictl_vendor_ops ictl_vendor_amd;
extern const struct ictl_vendor_ops ictl_vendor_arm_smmuv3;
extern const struct ictl_vendor_ops ictl_vendor_virtio;
extern const struct ictl_vendor_ops ictl_vendor_tegra241;	/* an SMMUv3 extension */
extern const struct ictl_vendor_ops ictl_vendor_selftest;	/* CONFIG_IOMMUFD_TEST's mock */

#endif /* ICTL_VENDORS_H */
