// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Arm VMSAv8-64 stage 1 translation tables (LPAE), as an SMMUv3 walks them
 * for a context descriptor (pt-smmu-cd.c), with 4K, 16K and 64K granules.
 *
 *   Arm Architecture Reference Manual for A-profile (DDI 0487), D8.3
 *   "Translation table descriptor formats" (D5.3 in issues before K.a),
 *   D8.2 for the levels a granule and an input size give
 *
 * A table is one granule: 512, 2048 or 8192 entries of 8 bytes, 9, 11 or 13
 * IOVA bits per level; the first level takes what the input size (64 - T0SZ)
 * leaves.  Levels are numbered 0 to 3, 3 mapping the granule-sized pages.
 * Blocks: 4K granule at levels 1 (1G) and 2 (2M); 16K at level 2 (32M); 64K
 * at level 2 (512M).  Output addresses up to 48 bits; 52 with the 64K
 * granule, OA[51:48] in bits 15:12.  Stage-1 permissions: AP[2] read-only,
 * AP[1] unprivileged access, UXN and PXN; tables restrict what is below them
 * with APTable, UXNTable and PXNTable.
 */
#include <errno.h>
#include <stdio.h>

#include "pt-internal.h"

enum {
	LP_VALID = 1ull << 0,
	LP_TABLE = 1ull << 1, /* table at levels 0-2, page at level 3 */
	LP_ATTRIDX_SHIFT = 2,
	LP_AP1 = 1ull << 6, /* unprivileged (EL0) access */
	LP_AP2 = 1ull << 7, /* read-only */
	LP_SH_INNER = 3ull << 8,
	LP_AF = 1ull << 10,
	LP_NG = 1ull << 11,
};
#define LP_CONT (1ull << 52)
#define LP_PXN (1ull << 53)
#define LP_UXN (1ull << 54)
#define LP_PXNTABLE (1ull << 59)
#define LP_UXNTABLE (1ull << 60)
#define LP_APTABLE0 (1ull << 61)
#define LP_APTABLE1 (1ull << 62)

#define ARM "Arm ARM D8.3"
static const struct ictl_pt_field lp_fields[] = {
	{ "V", 0, 0, ICTL_PTF_ALL, "Valid", ARM },
	{ "T", 1, 1, ICTL_PTF_ALL, "Type: 1 table (levels 0-2) or page (level 3), 0 block", ARM },
	{ "AttrIndx", 4, 2, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Index into MAIR (memory type)", ARM },
	{ "NS", 5, 5, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Non-secure", ARM },
	{ "AP[1]", 6, 6, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Unprivileged (EL0) access allowed", ARM },
	{ "AP[2]", 7, 7, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Read-only", ARM },
	{ "SH", 9, 8, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Shareability", ARM },
	{ "AF", 10, 10, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Access flag", ARM },
	{ "nG", 11, 11, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Not global (ASID-tagged)", ARM },
	{ "OA", 47, 12, ICTL_PTF_ALL,
	  "Next table or output address (from the granule's or the block's size up)", ARM },
	{ "GP", 50, 50, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Guarded page", ARM },
	{ "DBM", 51, 51, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Dirty bit modifier", ARM },
	{ "Contiguous", 52, 52, ICTL_PTF_PAGE | ICTL_PTF_BLOCK,
	  "Contiguous hint: one of an aligned run of entries that map contiguous memory", ARM },
	{ "PXN", 53, 53, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Privileged execute-never", ARM },
	{ "UXN", 54, 54, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Unprivileged execute-never", ARM },
	{ "PXNTable", 59, 59, ICTL_PTF_TABLE, "No privileged execution below", ARM },
	{ "UXNTable", 60, 60, ICTL_PTF_TABLE, "No unprivileged execution below", ARM },
	{ "APTable", 62, 61, ICTL_PTF_TABLE,
	  "Access below: bit 0 no unprivileged access, bit 1 read-only", ARM },
	{ "NSTable", 63, 63, ICTL_PTF_TABLE, "Non-secure tables below", ARM },
	{ NULL, 0, 0, 0, NULL, NULL }
};

static const char *lp_level_name(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	static const char *const names[] = { "L3", "L2", "L1", "L0" };

	(void)cfg;
	return h >= 1 && h <= 4 ? names[h - 1] : "?";
}

static unsigned int lp_level_num(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	(void)cfg;
	return 4 - h;
}

/* Can level (by height) h hold blocks with this granule? */
static bool lp_block_ok(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	return h == 2 || (h == 3 && cfg->granule == 12);
}

/* The output address of a descriptor whose address field starts at lsb. */
static uint64_t lp_oa(const struct ictl_pt_cfg *cfg, uint64_t raw, unsigned int lsb)
{
	uint64_t a = raw & pt_mask(47, lsb);

	if (cfg->granule == 16 && cfg->oas == 52)
		a |= pt_get(raw, 15, 12) << 48;
	return a;
}

/* Bits of the address field that must be zero: above the OAS, and OA[51:48] when unused. */
static uint64_t lp_addr_rsvd(const struct ictl_pt_cfg *cfg)
{
	uint64_t r = cfg->oas < 48 ? pt_mask(47, cfg->oas) : 0;

	if (cfg->granule == 16 && cfg->oas < 52)
		r |= pt_mask(15, 12);
	return r | pt_mask(49, 48);
}

/* Entries in one contiguous run, by granule and level (D8.6.1). */
static unsigned int lp_contig(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	if (cfg->granule == 12)
		return 16;
	if (cfg->granule == 14)
		return h == 1 ? 128 : 32;
	return 32;
}

static void lp_leaf(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw, struct ictl_pte *e)
{
	bool priv = !(raw & LP_AP1);

	e->type = ICTL_PTE_LEAF;
	e->page = cfg->shift[h];
	e->addr = lp_oa(cfg, raw, e->page);
	e->perms = ICTL_PT_R | (raw & LP_AP2 ? 0 : ICTL_PT_W) | (priv ? ICTL_PT_PRIV : 0) |
		   ((raw & (priv ? LP_PXN : LP_UXN)) ? 0 : ICTL_PT_X);
	/* A block's output address bits below its size are RES0. */
	e->rsvd = raw & (lp_addr_rsvd(cfg) | (h > 1 ? pt_mask(e->page - 1, cfg->granule) : 0));
	if (!(raw & LP_AF)) {
		e->note = "access flag 0: the first access faults unless the SMMU sets it (CD.HA)";
		e->note_rule = ICTL_PT_RULE_ACCESS_FLAG;
	}
	if (raw & LP_CONT) {
		e->group = lp_contig(cfg, h);
		e->group_rule = ICTL_PT_RULE_CONTIGUOUS;
	}
}

static void lp_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		      struct ictl_pte *e)
{
	if (!(raw & LP_VALID)) {
		e->type = ICTL_PTE_EMPTY;
		return;
	}
	if (raw & LP_TABLE) {
		if (h == 1) {
			lp_leaf(cfg, h, raw, e);
			return;
		}
		e->type = ICTL_PTE_TABLE;
		e->addr = lp_oa(cfg, raw, cfg->granule);
		e->next = h - 1;
		e->perms = ICTL_PT_R | (raw & LP_APTABLE1 ? 0 : ICTL_PT_W) |
			   (raw & LP_UXNTABLE ? 0 : ICTL_PT_X);
		e->force = raw & LP_APTABLE0 ? ICTL_PT_PRIV : 0;
		e->rsvd = raw & lp_addr_rsvd(cfg);
		return;
	}
	if (!lp_block_ok(cfg, h)) {
		e->type = ICTL_PTE_INVALID;
		e->why = h == 1 ? "descriptor type 0b01 is reserved at level 3" :
				  "a block is not allowed at this level with this granule";
		return;
	}
	lp_leaf(cfg, h, raw, e);
}

static int lp_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			  uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			  unsigned int *n)
{
	uint64_t e;

	if (!(perms & ICTL_PT_R))
		return ictl_err(ctx, EINVAL, "arm-lpae-s1 cannot map without read permission");
	if (page != cfg->shift[h] || (h > 1 && !lp_block_ok(cfg, h)))
		return ictl_err(ctx, EINVAL, "arm-lpae-s1 has no 2^%u-byte pages at %s", page,
				lp_level_name(cfg, h));
	/* As io-pgtable-arm writes them: cacheable (MAIR index 1), inner shareable, AF, nG. */
	e = (phys & pt_mask(47, 0)) | LP_VALID | (h == 1 ? LP_TABLE : 0) |
	    (1ull << LP_ATTRIDX_SHIFT) | LP_SH_INNER | LP_AF | LP_NG |
	    (perms & ICTL_PT_PRIV ? 0 : LP_AP1) | (perms & ICTL_PT_W ? 0 : LP_AP2) |
	    (perms & ICTL_PT_X ? 0 : LP_PXN | LP_UXN);
	if (cfg->granule == 16 && cfg->oas == 52)
		e |= pt_get(phys, 51, 48) << 12;
	*raw = e;
	*n = 1;
	return 0;
}

static uint64_t lp_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
				unsigned int next)
{
	uint64_t e = (addr & pt_mask(47, 0)) | LP_VALID | LP_TABLE;

	(void)h, (void)next;
	if (cfg->granule == 16 && cfg->oas == 52)
		e |= pt_get(addr, 51, 48) << 12;
	return e;
}

static int lp_setup(struct ictl_ctx *ctx, struct ictl_pt_cfg *cfg, const struct pt_params *p)
{
	int g = p->granule < 0 ? 12 : p->granule, ias = p->ias < 0 ? 48 : p->ias;
	int oas = p->oas < 0 ? 48 : p->oas;
	unsigned int bpl, levels;

	if (g != 12 && g != 14 && g != 16)
		return pt_bad_param(ctx, "arm-lpae-s1", "granule (log2)", g, "4K, 16K or 64K");
	/* T0SZ 16..39 (without the small-table and large-VA extensions). */
	if (ias < 25 || ias > 48)
		return pt_bad_param(ctx, "arm-lpae-s1", "ias", ias, "25 to 48 (64 - T0SZ)");
	if (oas != 32 && oas != 36 && oas != 40 && oas != 42 && oas != 44 && oas != 48 &&
	    !(oas == 52 && g == 16))
		return pt_bad_param(ctx, "arm-lpae-s1", "oas", oas,
				    "32, 36, 40, 42, 44, 48 (the CD's IPS), or 52 with 64K");
	bpl = (unsigned int)g - 3;
	levels = ((unsigned int)ias - (unsigned int)g + bpl - 1) / bpl;
	pt_geometry(cfg, (unsigned int)g, bpl, levels, (unsigned int)ias);
	cfg->oas = (unsigned int)oas;
	cfg->page_sizes = 1ull << g;
	for (unsigned int h = 2; h <= levels; h++)
		if (lp_block_ok(cfg, h))
			cfg->page_sizes |= 1ull << cfg->shift[h];
	snprintf(cfg->name, sizeof(cfg->name), "arm-lpae-s1,granule=%uK,ias=%d,oas=%d",
		 1u << (g - 10), ias, oas);
	return 0;
}

const struct ictl_pt_fmt ictl_pt_fmt_arm_lpae_s1 = {
	.name = "arm-lpae-s1",
	.desc = "Arm VMSAv8-64 stage 1 (LPAE) with 4K, 16K or 64K granules, as SMMUv3 walks it",
	.params = "granule=4K|16K|64K (4K), ias=25..48 (48), oas=32|36|40|42|44|48|52 (48)",
	.keys = "granule,ias,oas",
	.perm_mask = ICTL_PT_R | ICTL_PT_W | ICTL_PT_X | ICTL_PT_PRIV,
	.setup = lp_setup,
	.decode = lp_decode,
	.encode_leaf = lp_encode_leaf,
	.encode_table = lp_encode_table,
	.level_name = lp_level_name,
	.level_num = lp_level_num,
	.fields = lp_fields,
	.linear_limit = 1ull << 48,
};
