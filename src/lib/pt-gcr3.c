// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What points an AMD IOMMU at guest (v2, x86-64) tables: the GCR3 table,
 * indexed by PASID, and the guest DTE words a nested domain hands the kernel.
 *
 *   AMD IOMMU specification (48882), 2.2.2 "Device Table Entry Format" (GV,
 *   GLX, GCR3 Table Root Pointer, GuestPagingMode), 2.2.6 "I/O Page Tables
 *   for Guest Translations" (the GCR3 table); field positions checked against
 *   the kernel's DTE_* and GCR3_VALID (amd_iommu_types.h).
 *
 * The GCR3 table has GLX + 1 levels of 4 KiB tables of 512 entries; each
 * level takes 9 PASID bits, the root the highest.  An entry is V (bit 0) and
 * an address (51:12): the next table's, or in the last level the guest CR3
 * (the root of the x86-64 tables of that PASID).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "pt-internal.h"

#define GCR3_V 1ull

static unsigned int gcr3_index(uint32_t pasid, unsigned int level)
{
	return (pasid >> (9 * level)) & 0x1ff;
}

int ictl_amd_gcr3_build(struct ictl_ctx *ctx, struct ictl_pt_image *img, unsigned int glx,
			const uint32_t *pasids, const uint64_t *cr3s, size_t n, uint64_t *base)
{
	int r;

	if (glx > 2)
		return ictl_err(ctx, EINVAL,
				"GLX %u: give 0, 1 or 2 (1 to 3 levels; 3 is reserved)", glx);
	r = ictl_pt_image_alloc(ctx, img, 4096, 4096, base);
	for (size_t i = 0; i < n && !r; i++) {
		uint64_t t = *base, *e;

		if (pasids[i] >> (9 * (glx + 1)) || pasids[i] >> 20)
			return ictl_err(ctx, EINVAL, "PASID %u does not fit a %u-level GCR3 table",
					pasids[i], glx + 1);
		if (cr3s[i] & ~pt_mask(51, 12))
			return ictl_err(ctx, EINVAL,
					"guest CR3 0x%" PRIx64 " is not a 4K-aligned "
					"address below 2^52",
					cr3s[i]);
		for (unsigned int level = glx; level > 0 && !r; level--) {
			e = (uint64_t *)(img->mem + (t - img->base)) + gcr3_index(pasids[i], level);
			if (!*e) {
				uint64_t next;

				r = ictl_pt_image_alloc(ctx, img, 4096, 4096, &next);
				if (r < 0)
					return r;
				e = (uint64_t *)(img->mem + (t - img->base)) +
				    gcr3_index(pasids[i], level);
				*e = htole64(next | GCR3_V);
			}
			t = le64toh(*e) & pt_mask(51, 12);
		}
		e = (uint64_t *)(img->mem + (t - img->base)) + gcr3_index(pasids[i], 0);
		if (*e)
			return ictl_err(ctx, EINVAL, "PASID %u is given twice", pasids[i]);
		*e = htole64(cr3s[i] | GCR3_V);
	}
	return r;
}

int ictl_amd_gcr3_lookup(struct ictl_ctx *ctx, const struct ictl_pt_src *src, uint64_t base,
			 unsigned int glx, uint32_t pasid, uint64_t *cr3)
{
	uint64_t t = base;

	if (glx > 2)
		return ictl_err(ctx, EINVAL, "GLX %u is reserved", glx);
	for (int level = (int)glx; level >= 0; level--) {
		uint64_t addr = t + 8ull * gcr3_index(pasid, (unsigned int)level), buf, e;
		const uint64_t *p = src->read(src->priv, addr, 8, &buf);

		if (!p)
			return ictl_err_data(ctx, EFAULT,
					     "GCR3 table: entry at 0x%" PRIx64 " is outside %s",
					     addr, src->what);
		e = le64toh(*p);
		if (!(e & GCR3_V))
			return ictl_err_data(ctx, ENOENT,
					     "GCR3 table: PASID %u has no valid entry at "
					     "level %d",
					     pasid, level + 1);
		t = e & pt_mask(51, 12);
	}
	*cr3 = t;
	return 0;
}

/* dte[0]: V 0, Mode 11:9, host TRP 51:12, GIOV 54, GV 55, GLX 57:56, GCR3[14:12] 60:58. */
#define DTE0_V (1ull << 0)
#define DTE0_GIOV (1ull << 54)
#define DTE0_GV (1ull << 55)

void ictl_amd_gdte(uint64_t gcr3, unsigned int glx, unsigned int levels, uint64_t dte[4])
{
	dte[0] = DTE0_V | DTE0_GIOV | DTE0_GV | (uint64_t)(glx & 3) << 56 |
		 pt_get(gcr3, 14, 12) << 58;
	/* dte[1]: GCR3[30:15] in 31:16, GCR3[51:31] in 63:43. */
	dte[1] = pt_get(gcr3, 30, 15) << 16 | pt_get(gcr3, 51, 31) << 43;
	/* dte[2]: GuestPagingMode in 55:54: 00b 4-level, 01b 5-level. */
	dte[2] = (uint64_t)(levels == 5) << 54;
	dte[3] = 0;
	for (int i = 0; i < 4; i++)
		dte[i] = htole64(dte[i]);
}

int ictl_amd_gdte_check(struct ictl_ctx *ctx, const uint64_t dte[4], bool host_5level)
{
	uint64_t d0 = le64toh(dte[0]), d1 = le64toh(dte[1]), d2 = le64toh(dte[2]);
	unsigned int gpt = (unsigned int)pt_get(d2, 55, 54);

	if (pt_get(d0, 11, 9) || pt_get(d0, 51, 12))
		return ictl_err(ctx, EINVAL,
				"guest DTE: Mode (bits 11:9) and the host page table "
				"root (51:12) must be 0: the kernel puts its stage 2 there");
	if ((d0 & DTE0_V) && (d0 & DTE0_GV) && !pt_get(d0, 60, 58) && !pt_get(d1, 31, 16) &&
	    !pt_get(d1, 63, 43))
		return ictl_err(ctx, EINVAL,
				"guest DTE: V and GV are set but the GCR3 table root "
				"pointer is 0");
	if (gpt > 1)
		return ictl_err(ctx, EINVAL,
				"guest DTE: GuestPagingMode (word 2 bits 55:54) = %u: "
				"give 0 (4-level) or 1 (5-level)",
				gpt);
	if (pt_get(d0, 57, 56) == 3)
		return ictl_err(ctx, EINVAL, "guest DTE: GLX (bits 57:56) = 3 is reserved");
	if (gpt == 1 && !host_5level)
		return ictl_err(ctx, EOPNOTSUPP,
				"guest DTE: 5-level guest tables need efr.GATS = "
				"01b");
	return 0;
}
