/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synthetic sysfs tree for benchmarks and tests, in the format of the captured
 * fixtures (tests/fixtures/README.md): one Intel VT-d unit (dmar0), NGROUPS IOMMU
 * groups of PER_GROUP PCI functions each.  Group g is the multifunction device
 * 0000:BB:SS.0-F with BB = 1 + g / 32 and SS = g % 32, so names sort like
 * group numbers.  Every fourth group (g % 4 == 0) is on vfio-pci and viable; in the
 * others function 0 is on nvme, 1 on e1000e, 2 on vfio-pci and the rest have no
 * driver.
 */
#ifndef BENCH_SYSFS_TREE_H
#define BENCH_SYSFS_TREE_H

#define TREE_MAX_GROUPS 8160	/* 255 buses of 32 slots */
#define TREE_MAX_PER_GROUP 8	/* functions of one slot */

/* Write the tree into dir (created; it must not exist or be empty).  0 or -errno. */
int tree_write(const char *dir, unsigned int ngroups, unsigned int per_group);
/* The sysfs name of function fn of group g ("0000:01:00.0") into buf[16]. */
void tree_device_name(unsigned int g, unsigned int fn, char buf[16]);
/* The driver tree_write binds function fn of group g to; "" for none. */
const char *tree_driver(unsigned int g, unsigned int fn);

#endif
