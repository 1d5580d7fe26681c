// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86-64 4- and 5-level paging: the CPU's format, walked by VT-d as its first
 * stage and by AMD as its guest (v2) tables.
 *
 *   Intel VT-d specification (rev. 4.x), 9.7 "First-Stage Paging Entries"
 *   Intel SDM vol. 3, 4.5 "4-Level Paging and 5-Level Paging"
 *   AMD IOMMU specification (48882), 2.2.6 "I/O Page Tables for Guest Translations"
 *
 * 512 entries of 8 bytes per 4 KiB table, 9 IOVA bits per level; PDPE and
 * PDE map 1 GiB and 2 MiB pages when PS (bit 7) is set.  A bit of R/W, U/S
 * or XD in a table limits everything below it.  VT-d checks the reserved
 * bits below and faults on them.
 */
#include <errno.h>
#include <stdio.h>

#include "pt-internal.h"

enum {
	X86_P = 1ull << 0,
	X86_RW = 1ull << 1,
	X86_US = 1ull << 2,
	X86_A = 1ull << 5,
	X86_D = 1ull << 6,
	X86_PS = 1ull << 7,
};
#define X86_XD (1ull << 63)

#define VTD "VT-d 9.7"
static const struct ictl_pt_field x86_fields[] = {
	{ "P", 0, 0, ICTL_PTF_ALL, "Present", VTD },
	{ "R/W", 1, 1, ICTL_PTF_ALL, "Read/write: 0 makes what it maps read-only", VTD },
	{ "U/S", 2, 2, ICTL_PTF_ALL,
	  "User/supervisor: 0 allows supervisor (privileged) requests only", VTD },
	{ "PWT", 3, 3, ICTL_PTF_ALL, "Page-level write-through", VTD },
	{ "PCD", 4, 4, ICTL_PTF_ALL, "Page-level cache disable", VTD },
	{ "A", 5, 5, ICTL_PTF_ALL, "Accessed", VTD },
	{ "D", 6, 6, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Dirty", VTD },
	{ "PS", 7, 7, ICTL_PTF_TABLE | ICTL_PTF_BLOCK,
	  "Page size: 1 in a PDPE or PDE maps a 1 GiB or 2 MiB page; reserved in PML4E and PML5E",
	  VTD },
	{ "PAT", 7, 7, ICTL_PTF_PAGE, "Page attribute table index (PTE)", VTD },
	{ "G", 8, 8, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Global", VTD },
	{ "PAT", 12, 12, ICTL_PTF_BLOCK, "Page attribute table index (1 GiB and 2 MiB pages)",
	  VTD },
	{ "ADDR", 51, 12, ICTL_PTF_TABLE | ICTL_PTF_PAGE,
	  "Address of the next table or of the 4 KiB page (bits HAW-1:12)", VTD },
	{ "ADDR", 51, 21, ICTL_PTF_BLOCK,
	  "Address of the page (bits HAW-1:30 for 1 GiB, HAW-1:21 for 2 MiB)", VTD },
	{ "XD", 63, 63, ICTL_PTF_ALL, "Execute disable", VTD },
	{ NULL, 0, 0, 0, NULL, NULL }
};

static const char *x86_level_name(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	static const char *const names[] = { "?", "PTE", "PDE", "PDPE", "PML4E", "PML5E" };

	(void)cfg;
	return h < ARRAY_SIZE(names) ? names[h] : "?";
}

static unsigned int x86_level_num(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	(void)cfg;
	return h;
}

static unsigned int x86_perms(uint64_t raw)
{
	return ICTL_PT_R | (raw & X86_RW ? ICTL_PT_W : 0) | (raw & X86_XD ? 0 : ICTL_PT_X);
}

static void x86_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		       struct ictl_pte *e)
{
	uint64_t rsvd = pt_above_oas(cfg, 51);

	if (!(raw & X86_P)) {
		e->type = ICTL_PTE_EMPTY;
		return;
	}
	if (h == 1 || ((h == 2 || h == 3) && (raw & X86_PS))) {
		e->type = ICTL_PTE_LEAF;
		e->page = cfg->shift[h];
		e->addr = raw & pt_mask(51, e->page);
		e->perms = x86_perms(raw) | (raw & X86_US ? 0 : ICTL_PT_PRIV);
		/* Bits 29:13 of a 1 GiB and 20:13 of a 2 MiB page are reserved (12 is PAT). */
		if (h > 1)
			rsvd |= pt_mask(e->page - 1, 13);
	} else {
		e->type = ICTL_PTE_TABLE;
		e->addr = raw & pt_mask(51, 12);
		e->next = h - 1;
		e->perms = x86_perms(raw);
		e->force = raw & X86_US ? 0 : ICTL_PT_PRIV;
		/* PS is reserved in PML4Es and PML5Es. */
		if (h >= 4)
			rsvd |= X86_PS;
	}
	e->rsvd = raw & rsvd;
}

static int x86_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			   uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			   unsigned int *n)
{
	if (!(perms & ICTL_PT_R))
		return ictl_err(ctx, EINVAL, "%s cannot map without read permission",
				cfg->fmt->name);
	if (page != cfg->shift[h] || h > 3)
		return ictl_err(ctx, EINVAL, "%s has no 2^%u-byte pages at %s", cfg->fmt->name,
				page, x86_level_name(cfg, h));
	/* As the kernel writes them: A always, D with write permission. */
	*raw = phys | X86_P | X86_A | (perms & ICTL_PT_PRIV ? 0 : X86_US) |
	       (perms & ICTL_PT_W ? X86_RW | X86_D : 0) | (perms & ICTL_PT_X ? 0 : X86_XD) |
	       (h > 1 ? X86_PS : 0);
	*n = 1;
	return 0;
}

static uint64_t x86_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
				 unsigned int next)
{
	(void)cfg, (void)h, (void)next;
	return addr | X86_P | X86_RW | X86_US | X86_A;
}

static int x86_setup(struct ictl_ctx *ctx, struct ictl_pt_cfg *cfg, const struct pt_params *p)
{
	int levels = p->levels < 0 ? 4 : p->levels, oas = p->oas < 0 ? 52 : p->oas;

	if (levels != 4 && levels != 5)
		return pt_bad_param(ctx, "x86-64", "levels", levels, "4 (48-bit) or 5 (57-bit)");
	if (oas < 32 || oas > 52)
		return pt_bad_param(ctx, "x86-64", "oas", oas, "32 to 52");
	if (p->sign_extend > 1)
		return pt_bad_param(ctx, "x86-64", "sign-extend", p->sign_extend, "0 or 1");
	pt_geometry(cfg, 12, 9, (unsigned int)levels, 12 + 9 * (unsigned int)levels);
	cfg->oas = (unsigned int)oas;
	cfg->sign_extend = p->sign_extend != 0;
	cfg->page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	snprintf(cfg->name, sizeof(cfg->name), "x86-64,levels=%d,oas=%d,sign-extend=%d", levels,
		 oas, cfg->sign_extend);
	return 0;
}

const struct ictl_pt_fmt ictl_pt_fmt_x86_64 = {
	.name = "x86-64",
	.desc = "x86-64 4- and 5-level paging: VT-d first stage, AMD guest (v2) tables",
	.params = "levels=4|5 (4), oas=32..52 (52), sign-extend=0|1 (1: canonical IOVAs)",
	.keys = "levels,oas,sign-extend",
	.perm_mask = ICTL_PT_R | ICTL_PT_W | ICTL_PT_X | ICTL_PT_PRIV,
	.setup = x86_setup,
	.decode = x86_decode,
	.encode_leaf = x86_encode_leaf,
	.encode_table = x86_encode_table,
	.level_name = x86_level_name,
	.level_num = x86_level_num,
	.fields = x86_fields,
	.linear_limit = 1ull << 52,
};
