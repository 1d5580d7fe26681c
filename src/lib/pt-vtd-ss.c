// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Intel VT-d second-stage tables (the legacy-mode tables, and the nest parent
 * of scalable mode).
 *
 *   Intel VT-d specification (rev. 4.x), 3.7 "Second-Stage Translation" and
 *   9.8 "Second-Stage Paging Entries"
 *
 * 512 entries of 8 bytes per 4 KiB table; 3, 4 or 5 levels (39-, 48- and
 * 57-bit, cap_reg.SAGAW); SS-PDPE and SS-PDE map 1 GiB and 2 MiB pages with
 * PS (cap_reg.SLLPS says which).  There is no present bit: an entry with R
 * and W both 0 is not present.  Reserved bits, as the specification's tables
 * and QEMU's model of them have it: bit 62 (TM before rev. 3.2), SNP (bit 11)
 * in non-leaf entries, PS in SS-PML4E and SS-PML5E, address bits below a
 * large page's size, and address bits at and above the host address width.
 */
#include <errno.h>
#include <stdio.h>

#include "pt-internal.h"

enum {
	SS_R = 1ull << 0,
	SS_W = 1ull << 1,
	SS_X = 1ull << 2,
	SS_PS = 1ull << 7,
	SS_SNP = 1ull << 11,
};
#define SS_TM (1ull << 62)

#define VTD "VT-d 9.8"
static const struct ictl_pt_field ss_fields[] = {
	{ "R", 0, 0, ICTL_PTF_ALL, "Read", VTD },
	{ "W", 1, 1, ICTL_PTF_ALL, "Write", VTD },
	{ "X", 2, 2, ICTL_PTF_ALL, "Execute (when the PASID entry enables execute requests)", VTD },
	{ "EMT", 5, 3, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Extended memory type", VTD },
	{ "IPAT", 6, 6, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Ignore PAT", VTD },
	{ "PS", 7, 7, ICTL_PTF_TABLE | ICTL_PTF_BLOCK,
	  "Page size: 1 in an SS-PDPE or SS-PDE maps a 1 GiB or 2 MiB page", VTD },
	{ "A", 8, 8, ICTL_PTF_ALL, "Accessed", VTD },
	{ "D", 9, 9, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Dirty", VTD },
	{ "SNP", 11, 11, ICTL_PTF_PAGE | ICTL_PTF_BLOCK, "Snoop: force snooped access", VTD },
	{ "ADDR", 51, 12, ICTL_PTF_TABLE | ICTL_PTF_PAGE,
	  "Address of the next table or of the 4 KiB page (bits HAW-1:12)", VTD },
	{ "ADDR", 51, 21, ICTL_PTF_BLOCK,
	  "Address of the page (bits HAW-1:30 for 1 GiB, HAW-1:21 for 2 MiB)", VTD },
	{ NULL, 0, 0, 0, NULL, NULL }
};

static const char *ss_level_name(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	static const char *const names[] = { "?",	"SS-PTE",   "SS-PDE",
					     "SS-PDPE", "SS-PML4E", "SS-PML5E" };

	(void)cfg;
	return h < ARRAY_SIZE(names) ? names[h] : "?";
}

static unsigned int ss_level_num(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	(void)cfg;
	return h;
}

static unsigned int ss_perms(uint64_t raw)
{
	return (raw & SS_R ? ICTL_PT_R : 0) | (raw & SS_W ? ICTL_PT_W : 0) |
	       (raw & SS_X ? ICTL_PT_X : 0);
}

static void ss_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		      struct ictl_pte *e)
{
	uint64_t rsvd = pt_above_oas(cfg, 51) | SS_TM;

	if (!(raw & (SS_R | SS_W))) {
		e->type = ICTL_PTE_EMPTY;
		return;
	}
	e->perms = ss_perms(raw);
	if (h == 1 || ((h == 2 || h == 3) && (raw & SS_PS))) {
		e->type = ICTL_PTE_LEAF;
		e->page = cfg->shift[h];
		e->addr = raw & pt_mask(51, e->page);
		if (h > 1)
			rsvd |= pt_mask(e->page - 1, 12);
	} else {
		e->type = ICTL_PTE_TABLE;
		e->addr = raw & pt_mask(51, 12);
		e->next = h - 1;
		rsvd |= SS_SNP | (h >= 4 ? SS_PS : 0);
	}
	e->rsvd = raw & rsvd;
}

static int ss_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			  uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			  unsigned int *n)
{
	if (!(perms & (ICTL_PT_R | ICTL_PT_W)))
		return ictl_err(ctx, EINVAL, "vtd-ss has no present bit: a mapping needs r or w");
	if (page != cfg->shift[h] || h > 3)
		return ictl_err(ctx, EINVAL, "vtd-ss has no 2^%u-byte pages at %s", page,
				ss_level_name(cfg, h));
	*raw = phys | (perms & ICTL_PT_R ? SS_R : 0) | (perms & ICTL_PT_W ? SS_W : 0) |
	       (perms & ICTL_PT_X ? SS_X : 0) | (h > 1 ? SS_PS : 0);
	*n = 1;
	return 0;
}

static uint64_t ss_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
				unsigned int next)
{
	(void)cfg, (void)h, (void)next;
	return addr | SS_R | SS_W | SS_X;
}

static int ss_setup(struct ictl_ctx *ctx, struct ictl_pt_cfg *cfg, const struct pt_params *p)
{
	int levels = p->levels < 0 ? 4 : p->levels, oas = p->oas < 0 ? 52 : p->oas;

	if (levels < 3 || levels > 5)
		return pt_bad_param(ctx, "vtd-ss", "levels", levels,
				    "3 (39-bit), 4 (48-bit) or 5 (57-bit)");
	if (oas < 32 || oas > 52)
		return pt_bad_param(ctx, "vtd-ss", "oas", oas, "32 to 52 (the host address width)");
	pt_geometry(cfg, 12, 9, (unsigned int)levels, 12 + 9 * (unsigned int)levels);
	cfg->oas = (unsigned int)oas;
	cfg->page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	snprintf(cfg->name, sizeof(cfg->name), "vtd-ss,levels=%d,oas=%d", levels, oas);
	return 0;
}

const struct ictl_pt_fmt ictl_pt_fmt_vtd_ss = {
	.name = "vtd-ss",
	.desc = "Intel VT-d second stage (legacy mode, nest parent)",
	.params = "levels=3|4|5 (4), oas=32..52 (52)",
	.keys = "levels,oas",
	.perm_mask = ICTL_PT_R | ICTL_PT_W | ICTL_PT_X,
	.setup = ss_setup,
	.decode = ss_decode,
	.encode_leaf = ss_encode_leaf,
	.encode_table = ss_encode_table,
	.level_name = ss_level_name,
	.level_num = ss_level_num,
	.fields = ss_fields,
	.linear_limit = 1ull << 52,
};
