// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMD IOMMU host (v1) page tables.
 *
 *   AMD I/O Virtualization Technology (IOMMU) Specification (48882),
 *   2.2.3 "I/O Page Tables for Host Translations" (its figures of the PDE and
 *   PTE formats, Table 14 "Example Page Size Encodings", Table 15 "Page Table
 *   Level Parameters")
 *
 * 512 entries of 8 bytes per 4 KiB table, 9 IOVA bits per level, 1 to 6
 * levels (the DTE's Mode field; level 6 indexes IOVA bits 63:57, so 128
 * entries).  What makes the format its own is NextLevel (bits 11:9):
 *   - in a PDE at level L, the level of the table it points at, which may be
 *     below L-1: the levels between are skipped, and the IOVA bits they would
 *     index must be zero;
 *   - 0 in a PTE: a page of the level's size (4K, 2M, 1G, 512G, ...);
 *   - 7 in a PTE: a page whose size is encoded in its address: the bits from
 *     12 up to one below the size's are 1, the next is 0 (Table 14); such a
 *     page is 2^n entries, each with the same value.
 * IR and IW are ANDed down the walk.  Level 6 cannot map pages.
 */
#include <errno.h>
#include <stdio.h>

#include "pt-internal.h"

enum {
	V1_PR = 1ull << 0,
	V1_NL_SHIFT = 9,
};
#define V1_IR (1ull << 61)
#define V1_IW (1ull << 62)
#define V1_NL(raw) ((unsigned int)pt_get(raw, 11, 9))

#define AMD "AMD IOMMU 2.2.3"
static const struct ictl_pt_field v1_fields[] = {
	{ "PR", 0, 0, ICTL_PTF_ALL, "Present", AMD },
	{ "A", 5, 5, ICTL_PTF_ALL, "Accessed (HASup)", AMD },
	{ "D", 6, 6, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Dirty (HDSup)", AMD },
	{ "NextLevel", 11, 9, ICTL_PTF_ALL,
	  "PDE: level of the next table (lower levels are skipped); PTE: 0, or 7 when the page "
	  "size is encoded in the address",
	  AMD },
	{ "ADDR", 51, 12, ICTL_PTF_ALL,
	  "Next table or page address; with NextLevel 7, low 1 bits encode the page size", AMD },
	{ "U", 59, 59, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Untranslated access only", AMD },
	{ "FC", 60, 60, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Force coherent", AMD },
	{ "IR", 61, 61, ICTL_PTF_ALL, "Read permission", AMD },
	{ "IW", 62, 62, ICTL_PTF_ALL, "Write permission", AMD },
	{ NULL, 0, 0, 0, NULL, NULL }
};

static const char *v1_level_name(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	static const char *const names[] = { "?", "L1", "L2", "L3", "L4", "L5", "L6" };

	(void)cfg;
	return h < ARRAY_SIZE(names) ? names[h] : "?";
}

static unsigned int v1_level_num(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	(void)cfg;
	return h;
}

/* NextLevel 7: the size is 2^(z+1), z the first 0 bit of the address from bit 12 up. */
static unsigned int v1_encoded_page(uint64_t raw)
{
	uint64_t a = (raw >> 12) & pt_mask(39, 0);

	return (unsigned int)__builtin_ctzll(~a) + 13;
}

static void v1_leaf(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw, struct ictl_pte *e)
{
	unsigned int nl = V1_NL(raw);

	e->type = ICTL_PTE_LEAF;
	e->perms = (raw & V1_IR ? ICTL_PT_R : 0) | (raw & V1_IW ? ICTL_PT_W : 0);
	e->page = cfg->shift[h];
	if (nl == 7) {
		unsigned int page = v1_encoded_page(raw);

		if (page <= cfg->shift[h] || page >= cfg->shift[h] + 9u || page > 52) {
			e->type = ICTL_PTE_INVALID;
			e->why = "NextLevel 7 encodes a page size this level cannot have";
			return;
		}
		e->page = page;
		e->group = 1u << (page - cfg->shift[h]);
		e->group_same = true;
		e->group_rule = ICTL_PT_RULE_REPLICA;
	}
	e->span = e->group;
	e->addr = raw & pt_mask(51, e->page);
}

static void v1_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		      struct ictl_pte *e)
{
	unsigned int nl = V1_NL(raw);

	if (!(raw & V1_PR)) {
		e->type = ICTL_PTE_EMPTY;
		return;
	}
	if (nl == 0 || nl == 7) {
		if (h == 6) {
			e->type = ICTL_PTE_INVALID;
			e->why = "level 6 entries cannot map pages";
			return;
		}
		v1_leaf(cfg, h, raw, e);
		/* PTE: bits 58:52 are reserved. */
		e->rsvd = raw & (pt_mask(58, 52) | pt_above_oas(cfg, 51));
		return;
	}
	if (nl >= h) {
		e->type = ICTL_PTE_INVALID;
		e->why = h == 1 ? "NextLevel must be 0 or 7 at level 1" :
				  "NextLevel does not point below this level";
		return;
	}
	e->type = ICTL_PTE_TABLE;
	e->addr = raw & pt_mask(51, 12);
	e->next = nl;
	e->perms = (raw & V1_IR ? ICTL_PT_R : 0) | (raw & V1_IW ? ICTL_PT_W : 0) | ICTL_PT_X;
	/* PDE: bits 60:52 are reserved. */
	e->rsvd = raw & (pt_mask(60, 52) | pt_above_oas(cfg, 51));
}

static int v1_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			  uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			  unsigned int *n)
{
	uint64_t e =
		phys | V1_PR | (perms & ICTL_PT_R ? V1_IR : 0) | (perms & ICTL_PT_W ? V1_IW : 0);

	if (h == 6 || page < cfg->shift[h] || page >= cfg->shift[h] + 9u || page == 39)
		return ictl_err(ctx, EINVAL, "amd-v1 has no 2^%u-byte pages at %s", page,
				v1_level_name(cfg, h));
	if (page == cfg->shift[h]) {
		*raw = e;
		*n = 1;
		return 0;
	}
	/* The ones below the size's top bit say the size (Table 14); repeated 2^k times. */
	*raw = e | (7ull << V1_NL_SHIFT) | pt_mask(page - 2, 12);
	*n = 1u << (page - cfg->shift[h]);
	return 0;
}

static uint64_t v1_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
				unsigned int next)
{
	(void)cfg, (void)h;
	return addr | V1_PR | V1_IR | V1_IW | ((uint64_t)next << V1_NL_SHIFT);
}

static int v1_setup(struct ictl_ctx *ctx, struct ictl_pt_cfg *cfg, const struct pt_params *p)
{
	int levels = p->levels < 0 ? 4 : p->levels, oas = p->oas < 0 ? 52 : p->oas;
	unsigned int ias, top;

	if (levels < 1 || levels > 6)
		return pt_bad_param(ctx, "amd-v1", "levels", levels, "1 to 6 (the DTE's Mode)");
	if (oas < 32 || oas > 52)
		return pt_bad_param(ctx, "amd-v1", "oas", oas, "32 to 52");
	ias = levels == 6 ? 64 : 12 + 9 * (unsigned int)levels;
	pt_geometry(cfg, 12, 9, (unsigned int)levels, ias);
	cfg->oas = (unsigned int)oas;
	/* Every power of two from 4K, up to what the highest level that maps pages has. */
	top = levels == 6 ? 5 : (unsigned int)levels;
	cfg->page_sizes = pt_mask(cfg->shift[top] + 8, 12) & pt_mask(51, 0) & ~(1ull << 39);
	snprintf(cfg->name, sizeof(cfg->name), "amd-v1,levels=%d,oas=%d", levels, oas);
	return 0;
}

const struct ictl_pt_fmt ictl_pt_fmt_amd_v1 = {
	.name = "amd-v1",
	.desc = "AMD IOMMU host (v1) tables: skipped levels, pages of any power of two",
	.params = "levels=1..6 (4: the DTE's Mode), oas=32..52 (52)",
	.keys = "levels,oas",
	.perm_mask = ICTL_PT_R | ICTL_PT_W,
	.setup = v1_setup,
	.decode = v1_decode,
	.encode_leaf = v1_encode_leaf,
	.encode_table = v1_encode_table,
	.level_name = v1_level_name,
	.level_num = v1_level_num,
	.fields = v1_fields,
	.linear_limit = 1ull << 52,
};
