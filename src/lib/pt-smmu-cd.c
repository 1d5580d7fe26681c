// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What points an SMMUv3 at stage-1 LPAE tables: the context descriptor, the
 * CD table that holds one per SubstreamID, and the STE words a nested stage 1
 * hands the kernel.
 *
 *   Arm SMMUv3 specification (IHI 0070), 5.2 "Stream Table Entry" (S1Fmt,
 *   S1ContextPtr, S1CDMax, S1DSS), 5.3 "Level 1 Context Descriptor", 5.4
 *   "Context Descriptor"; field positions checked against the kernel's
 *   CTXDESC_* and STRTAB_STE_* and QEMU's CD_* macros.
 *
 * A CD is 64 bytes; dword 0 holds the TCR fields, V, AA64, the flags and the
 * ASID, dword 1 TTB0[51:4], dword 3 MAIR.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "pt-internal.h"

/* TG0 encodings (as TCR_EL1.TG0): 0b00 4K, 0b01 64K, 0b10 16K. */
static unsigned int tg0_of(unsigned int granule)
{
	return granule == 16 ? 1 : granule == 14 ? 2 : 0;
}

static const unsigned int ips_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

void ictl_smmu_cd_encode(const struct ictl_smmu_cd *cd, uint64_t out[ICTL_SMMU_CD_DWORDS])
{
	unsigned int ips = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(ips_bits); i++)
		if (ips_bits[i] == cd->ips)
			ips = i;
	memset(out, 0, ICTL_SMMU_CD_DWORDS * sizeof(*out));
	out[0] = (uint64_t)(cd->t0sz & 0x3f) | (uint64_t)tg0_of(cd->granule) << 6 |
		 (uint64_t)(cd->irgn0 & 3) << 8 | (uint64_t)(cd->orgn0 & 3) << 10 |
		 (uint64_t)(cd->sh0 & 3) << 12 | (uint64_t)cd->epd0 << 14 |
		 (uint64_t)cd->endi << 15 | (uint64_t)cd->epd1 << 30 | (uint64_t)cd->valid << 31 |
		 (uint64_t)ips << 32 | (uint64_t)cd->aa64 << 41 | (uint64_t)cd->hd << 42 |
		 (uint64_t)cd->ha << 43 | (uint64_t)cd->s << 44 | (uint64_t)cd->r << 45 |
		 (uint64_t)cd->a << 46 | (uint64_t)cd->aset << 47 | (uint64_t)cd->asid << 48;
	out[1] = cd->ttb0 & pt_mask(51, 4);
	out[3] = cd->mair;
	for (unsigned int i = 0; i < ICTL_SMMU_CD_DWORDS; i++)
		out[i] = htole64(out[i]);
}

/* What makes an SMMU take a CD as illegal (C_BAD_CD), for a stage-1 AArch64 walk. */
static int cd_legal(struct ictl_ctx *ctx, const struct ictl_smmu_cd *cd, unsigned int tg0,
		    unsigned int ips)
{
	if (!cd->valid)
		return ictl_err(ctx, EINVAL, "CD: V (dword 0 bit 31) is 0: the CD is not valid");
	if (!cd->aa64)
		return ictl_err(ctx, EINVAL,
				"CD: AA64 (bit 41) is 0: AArch32 tables are not "
				"supported, set it for VMSAv8-64 tables");
	if (tg0 == 3)
		return ictl_err(ctx, EINVAL, "CD: TG0 (bits 7:6) = 0b11 is reserved");
	if (cd->t0sz < 16 || cd->t0sz > 39)
		return ictl_err(ctx, EINVAL,
				"CD: T0SZ (bits 5:0) = %u: give 16 to 39 (48- to "
				"25-bit inputs)",
				cd->t0sz);
	if (ips >= ARRAY_SIZE(ips_bits))
		return ictl_err(ctx, EINVAL, "CD: IPS (bits 34:32) = %u is reserved", ips);
	if (cd->endi)
		return ictl_err(ctx, EINVAL,
				"CD: ENDI (bit 15) = 1: big-endian tables are not "
				"supported");
	if (cd->epd0)
		return ictl_err(ctx, EINVAL,
				"CD: EPD0 (bit 14) = 1: walks of TTB0 are disabled, "
				"every access faults");
	if (cd->ips < 64 && cd->ttb0 >> cd->ips)
		return ictl_err(ctx, EINVAL, "CD: TTB0 0x%" PRIx64 " is wider than IPS's %u bits",
				cd->ttb0, cd->ips);
	return 0;
}

int ictl_smmu_cd_decode(struct ictl_ctx *ctx, const uint64_t in[ICTL_SMMU_CD_DWORDS],
			struct ictl_smmu_cd *cd)
{
	uint64_t d0 = le64toh(in[0]);
	unsigned int tg0 = (unsigned int)pt_get(d0, 7, 6), ips = (unsigned int)pt_get(d0, 34, 32);
	struct ictl_pt_cfg cfg;
	int r;

	memset(cd, 0, sizeof(*cd));
	cd->t0sz = (unsigned int)pt_get(d0, 5, 0);
	cd->granule = tg0 == 1 ? 16 : tg0 == 2 ? 14 : 12;
	cd->irgn0 = (unsigned int)pt_get(d0, 9, 8);
	cd->orgn0 = (unsigned int)pt_get(d0, 11, 10);
	cd->sh0 = (unsigned int)pt_get(d0, 13, 12);
	cd->epd0 = d0 >> 14 & 1;
	cd->endi = d0 >> 15 & 1;
	cd->epd1 = d0 >> 30 & 1;
	cd->valid = d0 >> 31 & 1;
	cd->ips = ips < ARRAY_SIZE(ips_bits) ? ips_bits[ips] : 0;
	cd->aa64 = d0 >> 41 & 1;
	cd->hd = d0 >> 42 & 1;
	cd->ha = d0 >> 43 & 1;
	cd->s = d0 >> 44 & 1;
	cd->r = d0 >> 45 & 1;
	cd->a = d0 >> 46 & 1;
	cd->aset = d0 >> 47 & 1;
	cd->asid = (uint16_t)(d0 >> 48);
	cd->ttb0 = le64toh(in[1]) & pt_mask(51, 4);
	cd->mair = le64toh(in[3]);
	r = cd_legal(ctx, cd, tg0, ips);
	if (!r)
		r = ictl_smmu_cd_cfg(ctx, cd, &cfg);
	if (!r && cd->ttb0 & ((ictl_pt_table_bytes(&cfg, cfg.levels) < 64 ?
				       64 :
				       ictl_pt_table_bytes(&cfg, cfg.levels)) -
			      1))
		r = ictl_err(ctx, EINVAL,
			     "CD: TTB0 0x%" PRIx64 " is not aligned to its table's "
			     "size (0x%" PRIx64 " bytes)",
			     cd->ttb0, ictl_pt_table_bytes(&cfg, cfg.levels));
	return r;
}

int ictl_smmu_cd_cfg(struct ictl_ctx *ctx, const struct ictl_smmu_cd *cd, struct ictl_pt_cfg *cfg)
{
	char spec[96];

	snprintf(spec, sizeof(spec), "arm-lpae-s1,granule=%uK,ias=%u,oas=%u",
		 1u << (cd->granule - 10), 64 - cd->t0sz, cd->ips);
	return ictl_pt_cfg_parse(ctx, spec, cfg);
}

int ictl_smmu_cd_for_table(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t ttb0,
			   uint16_t asid, struct ictl_smmu_cd *cd)
{
	if (strcmp(cfg->fmt->name, "arm-lpae-s1"))
		return ictl_err(ctx, EINVAL,
				"a context descriptor points at arm-lpae-s1 tables, "
				"not %s",
				cfg->name);
	/*
	 * As the kernel fills it from io-pgtable-arm: write-back read/write-allocate
	 * walks (IRGN0 = ORGN0 = 0b01), inner shareable (SH0 = 0b11), TTB1 off,
	 * AArch64, R (record faults), A (abort, no stall), ASET (shared ASID set);
	 * MAIR index 0 non-cacheable (0x44), 1 write-back (0xff), 2 device (0x04),
	 * 3 inner non-cacheable outer write-back (0xf4).
	 */
	*cd = (struct ictl_smmu_cd){
		.valid = true,
		.t0sz = 64 - cfg->ias,
		.granule = cfg->granule,
		.irgn0 = 1,
		.orgn0 = 1,
		.sh0 = 3,
		.epd1 = true,
		.aa64 = true,
		.r = true,
		.a = true,
		.aset = true,
		.ips = cfg->oas,
		.asid = asid,
		.ttb0 = ttb0,
		.mair = 0xf404ff44,
	};
	return 0;
}

/* --- CD tables ------------------------------------------------------------------------------ */

static unsigned int cdtab_split(const struct ictl_smmu_cdtab *t)
{
	return t->fmt == 1 ? 6 : 10; /* leaf tables of 4K (64 CDs) or 64K (1024 CDs) */
}

static int cdtab_check(struct ictl_ctx *ctx, const struct ictl_smmu_cdtab *t)
{
	if (t->fmt > 2)
		return ictl_err(ctx, EINVAL,
				"CD table: S1Fmt %u is reserved: give 0 (linear), "
				"1 (2-level, 4K leaves) or 2 (2-level, 64K leaves)",
				t->fmt);
	if (t->cdmax > 20 || (t->fmt && t->cdmax <= cdtab_split(t)))
		return ictl_err(ctx, EINVAL, "CD table: S1CDMax %u: give %u to 20 for S1Fmt %u",
				t->cdmax, t->fmt ? cdtab_split(t) + 1 : 0, t->fmt);
	return 0;
}

int ictl_smmu_cd_addr(struct ictl_ctx *ctx, const struct ictl_smmu_cdtab *t,
		      const struct ictl_pt_src *src, uint32_t ssid, uint64_t *addr)
{
	unsigned int split = cdtab_split(t);
	uint64_t buf, l1;
	const uint64_t *p;
	int r = cdtab_check(ctx, t);

	if (r < 0)
		return r;
	if (ssid >> t->cdmax)
		return ictl_err(ctx, EINVAL, "SubstreamID %u is past S1CDMax (%u bits)", ssid,
				t->cdmax);
	if (!t->fmt) {
		*addr = t->base + 64ull * ssid;
		return 0;
	}
	p = src->read(src->priv, t->base + 8ull * (ssid >> split), 8, &buf);
	if (!p)
		return ictl_err_data(ctx, EFAULT,
				     "CD table: the L1 descriptor of SubstreamID %u "
				     "is outside %s",
				     ssid, src->what);
	l1 = le64toh(*p);
	if (!(l1 & 1))
		return ictl_err_data(ctx, ENOENT, "CD table: L1 descriptor %u is not valid",
				     ssid >> split);
	*addr = (l1 & pt_mask(51, 12)) + 64ull * (ssid & ((1u << split) - 1));
	return 0;
}

/* Memory for the CD of ssid, allocating the leaf table on the way (2-level). */
static int cd_slot(struct ictl_ctx *ctx, struct ictl_pt_image *img, const struct ictl_smmu_cdtab *t,
		   uint32_t ssid, uint64_t **cd)
{
	unsigned int split = cdtab_split(t);
	uint64_t l1addr, leaf, *l1;
	int r;

	if (!t->fmt) {
		*cd = (uint64_t *)(img->mem + (t->base - img->base) + 64ull * ssid);
		return 0;
	}
	l1addr = t->base + 8ull * (ssid >> split);
	l1 = (uint64_t *)(img->mem + (l1addr - img->base));
	if (!*l1) {
		r = ictl_pt_image_alloc(ctx, img, 64u << split, 64u << split, &leaf);
		if (r < 0)
			return r;
		l1 = (uint64_t *)(img->mem + (l1addr - img->base));
		*l1 = htole64(leaf | 1);
	}
	leaf = le64toh(*l1) & pt_mask(51, 12);
	*cd = (uint64_t *)(img->mem + (leaf - img->base) + 64ull * (ssid & ((1u << split) - 1)));
	return 0;
}

int ictl_smmu_cdtab_build(struct ictl_ctx *ctx, struct ictl_pt_image *img,
			  struct ictl_smmu_cdtab *t, const uint32_t *ssids,
			  const struct ictl_smmu_cd *cds, size_t n)
{
	size_t bytes = t->fmt ? 8u << (t->cdmax - cdtab_split(t)) : 64u << t->cdmax;
	int r = cdtab_check(ctx, t);

	if (!r)
		/* S1ContextPtr is 64-byte aligned; a table is aligned to its size, to 64K. */
		r = ictl_pt_image_alloc(ctx, img, bytes,
					bytes < 64    ? 64 :
					bytes < 65536 ? bytes :
							65536,
					&t->base);
	for (size_t i = 0; i < n && !r; i++) {
		uint64_t *slot;

		if (ssids[i] >> t->cdmax)
			return ictl_err(ctx, EINVAL, "SubstreamID %u is past S1CDMax (%u bits)",
					ssids[i], t->cdmax);
		r = cd_slot(ctx, img, t, ssids[i], &slot);
		if (!r && slot[0])
			r = ictl_err(ctx, EINVAL, "SubstreamID %u is given twice", ssids[i]);
		if (!r)
			ictl_smmu_cd_encode(&cds[i], slot);
	}
	return r;
}

/* --- the STE of a nested stage 1 --------------------------------------------------------------- */

#define STE0_V (1ull << 0)
#define STE0_ALLOWED (STE0_V | pt_mask(3, 1) | pt_mask(5, 4) | pt_mask(51, 6) | pt_mask(63, 59))
#define STE1_ALLOWED                                                                    \
	(pt_mask(1, 0) | pt_mask(3, 2) | pt_mask(5, 4) | pt_mask(7, 6) | (1ull << 27) | \
	 pt_mask(29, 28))

void ictl_smmu_ste_s1(const struct ictl_smmu_cdtab *t, uint64_t ste[2])
{
	/* V, Config 0b101 (stage 1 translates, stage 2 the kernel's), the CD table. */
	ste[0] = STE0_V | 5ull << 1 | (uint64_t)(t->fmt & 3) << 4 | (t->base & pt_mask(51, 6)) |
		 (uint64_t)(t->cdmax & 31) << 59;
	/*
	 * S1DSS 0b10: DMA without a SubstreamID uses CD 0; CD table walks
	 * write-back read-allocate (S1CIR = S1COR = 0b01), inner shareable.
	 */
	ste[1] = (t->cdmax ? 2ull : 0) | 1ull << 2 | 1ull << 4 | 3ull << 6;
	ste[0] = htole64(ste[0]);
	ste[1] = htole64(ste[1]);
}

int ictl_smmu_ste_check(struct ictl_ctx *ctx, const uint64_t ste[2])
{
	uint64_t s0 = le64toh(ste[0]), s1 = le64toh(ste[1]);
	unsigned int cfg = (unsigned int)pt_get(s0, 3, 1), eats = (unsigned int)pt_get(s1, 29, 28);

	if (!(s0 & STE0_V))
		return 0; /* the kernel clears an invalid STE and takes it */
	if (s0 & ~STE0_ALLOWED)
		return ictl_err(ctx, EINVAL,
				"STE word 0: bits 0x%016" PRIx64 " are not V, Config, "
				"S1Fmt, S1ContextPtr or S1CDMax: the kernel refuses them (EIO)",
				(uint64_t)(s0 & ~STE0_ALLOWED));
	if (s1 & ~STE1_ALLOWED)
		return ictl_err(
			ctx, EINVAL,
			"STE word 1: bits 0x%016" PRIx64 " are not S1DSS, "
			"S1CIR, S1COR, S1CSH, S1STALLD or EATS: the kernel refuses them (EIO)",
			(uint64_t)(s1 & ~STE1_ALLOWED));
	if (cfg != 0 && cfg != 4 && cfg != 5)
		return ictl_err(ctx, EINVAL,
				"STE Config (bits 3:1) = 0b%u%u%u: give abort (0b000), "
				"bypass (0b100) or stage 1 (0b101)",
				cfg >> 2, cfg >> 1 & 1, cfg & 1);
	if (eats > 1)
		return ictl_err(ctx, EINVAL,
				"STE EATS (word 1 bits 29:28) = %u: only 0 (no ATS) or "
				"1 (full ATS) are taken",
				eats);
	return 0;
}
