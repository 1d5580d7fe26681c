/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One ops struct per IOMMU type.  Everything that knows a vendor's bits lives
 * in src/vendors/<vendor>.c; the rest of iommuctl asks through these hooks.
 * The hw_info decoder, nested-data builder, page-table format and capability
 * checks join this struct as those commands arrive.
 */
#ifndef ICTL_VENDOR_H
#define ICTL_VENDOR_H

#include "../lib/internal.h"

struct ictl_vendor_ops {
	const char *kind;		/* stable name used in JSON: "intel-vtd" */
	const char *description;	/* for people: "Intel VT-d (DMAR)" */
	/* Is the unit (sysfs name, real directory relative to the root) one of ours? */
	bool (*match)(struct ictl_ctx *ctx, const char *name, const char *path);
	/* Fill u->attrs from the unit's sysfs directory; optional. */
	void (*read_attrs)(struct ictl_ctx *ctx, struct ictl_unit *u);
};

extern const struct ictl_vendor_ops ictl_vendor_intel;
extern const struct ictl_vendor_ops ictl_vendor_amd;
extern const struct ictl_vendor_ops ictl_vendor_arm_smmuv3;
extern const struct ictl_vendor_ops ictl_vendor_virtio;
extern const struct ictl_vendor_ops ictl_vendor_unknown;

/* The ops for a unit: the first whose match() accepts it, else ictl_vendor_unknown. */
const struct ictl_vendor_ops *ictl_vendor_for_unit(struct ictl_ctx *ctx, const char *name,
						   const char *path);

/* Helpers for read_attrs: add an attribute read from <unit>/<file>. */
enum ictl_attr_fmt {
	ICTL_ATTR_RAW,	/* as the kernel prints it */
	ICTL_ATTR_HEX,	/* a hex number, with or without 0x: normalised to 0x... */
};
void ictl_unit_add_attr(struct ictl_ctx *ctx, struct ictl_unit *u, const char *name,
			const char *file, enum ictl_attr_fmt fmt);
void ictl_unit_set_attr(struct ictl_unit *u, const char *name, const char *value);

#endif /* ICTL_VENDOR_H */
