// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walks over hostile tables (loops, a table referenced by every entry, tables
 * outside memory, a misaligned root) end, bounded, with the problem named;
 * the check's rules each fire where they should and merge what continues;
 * the vendors' page-table formats come from the registers as the
 * specifications say, and the hardware rules use them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"
#include "vendor.h"
#include "uapi/iommufd.h"

static struct ictl_ctx *ctx;

/* --- walks over hostile memory ------------------------------------------------------ */

struct walked {
	uint64_t events, leaves, by[ICTL_PT_RULE_COUNT];
};

static struct walked walk(const char *fmt, const void *mem, size_t len, uint64_t root,
			  unsigned int flags)
{
	struct ictl_pt_cfg c;
	struct ictl_pt_span span = { 0x100000, mem, len };
	struct ictl_pt_src src = { ictl_pt_span_read, &span, "test memory" };
	struct ictl_pt_walk w;
	struct ictl_pt_event ev;
	struct walked r = { 0 };

	ictl_pt_cfg_parse(ctx, fmt, &c);
	if (ictl_pt_walk_init(&w, &c, &src, root, flags))
		return r;
	while (ictl_pt_walk_next(&w, &ev) > 0 && r.events < 10000000) {
		r.events++;
		if (ev.type == ICTL_PT_EV_LEAF)
			r.leaves += ev.count;
		if (ev.type == ICTL_PT_EV_PROBLEM)
			r.by[ev.rule]++;
	}
	ictl_pt_walk_free(&w);
	return r;
}

static void hostile(void)
{
	static uint64_t mem[4][512];
	struct walked r;

	/* A PML4E pointing at its own table. */
	memset(mem, 0, sizeof(mem));
	mem[0][0] = 0x100027;
	r = walk("x86-64", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_LOOP] == 1 && r.events == 1, "a table pointing at itself: one loop");
	/* Every entry of every table points at the next table, the last at the root. */
	for (int t = 0; t < 4; t++)
		for (int i = 0; i < 512; i++)
			mem[t][i] = (0x100000 + 0x1000 * ((t + 1) % 4)) | 0x27;
	r = walk("x86-64,levels=5", mem, sizeof(mem), 0x100000, ICTL_PT_WALK_TREE);
	ok(r.by[ICTL_PT_RULE_LOOP] == 4 * 511 + 1 && r.events < 10000,
	   "512 entries per table all pointing at one table: each table walked once (%" PRIu64
	   " events, not 512^4)",
	   r.events);
	/* A table outside the memory, and a root that is not aligned. */
	memset(mem, 0, sizeof(mem));
	mem[0][3] = 0x900027;
	r = walk("x86-64", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_UNREADABLE] == 1, "a table outside the memory is unreadable");
	r = walk("x86-64", mem, sizeof(mem), 0x100008, 0);
	ok(r.by[ICTL_PT_RULE_MISALIGNED] == 1 && r.events == 1, "a misaligned root: one problem");
	r = walk("x86-64", mem, sizeof(mem), 0x100000 + sizeof(mem) - 8, 0);
	ok(r.by[ICTL_PT_RULE_MISALIGNED] + r.by[ICTL_PT_RULE_UNREADABLE] == 1,
	   "a root at the end of the memory: one problem");
	/* A leaf with a reserved bit: reported, and nothing translated through it. */
	mem[0][3] = 0x101027;
	mem[1][0] = 0x102027;
	mem[2][0] = 0x103027;
	mem[3][0] = 0x5067 | 0x0008000000000000ull; /* bit 51 with oas=48 */
	mem[3][1] = 0x6067;
	r = walk("x86-64,oas=48", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_RESERVED] == 1 && r.leaves == 1,
	   "a PTE with reserved bits set faults: one problem, the other leaf translates");
	/* AMD: the entries of an 8K page that disagree. */
	memset(mem, 0, sizeof(mem));
	mem[0][0] = 0x6000000000002e01ull;
	mem[0][1] = 0x6000000000004e01ull;
	r = walk("amd-v1,levels=1", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_REPLICA] == 1, "amd-v1: two halves of an 8K page that differ");
	/* LPAE: a contiguous hint on 16 entries that are not contiguous. */
	memset(mem, 0, sizeof(mem));
	mem[0][0] = 0x101003;
	mem[1][0] = 0x102003;
	mem[2][0] = 0x103003;
	for (int i = 0; i < 16; i++)
		mem[3][i] = 0x0010000000000f47ull | (0x10000 + 0x1000 * (uint64_t)i);
	r = walk("arm-lpae-s1", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_CONTIGUOUS] == 0 && r.leaves == 16,
	   "lpae: 16 contiguous entries with the hint, 64K-aligned: fine");
	mem[3][9] += 0x1000;
	r = walk("arm-lpae-s1", mem, sizeof(mem), 0x100000, 0);
	ok(r.by[ICTL_PT_RULE_CONTIGUOUS] == 1, "lpae: one of them out of line: contiguous");
}

/* --- the check's rules ------------------------------------------------------------------- */

struct got {
	uint64_t n, by[ICTL_PT_RULE_COUNT];
	struct ictl_pt_finding f[8];
};

static int keep(void *priv, const struct ictl_pt_finding *f)
{
	struct got *g = priv;

	if (g->n < 8)
		g->f[g->n] = *f;
	g->n++;
	g->by[f->rule]++;
	return 0;
}

static struct got check(const char *fmt, uint64_t pages, const char *built, const char *asked,
			uint64_t expect, const struct ictl_pt_resv *resv, size_t nresv,
			const struct ictl_pt_hw *hw)
{
	struct ictl_pt_cfg c;
	struct ictl_pt_maps mb, ma;
	struct ictl_pt_image img;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_check_stats st;
	struct got g = { 0 };

	ictl_pt_cfg_parse(ctx, fmt, &c);
	ictl_pt_maps_parse(ctx, "built", built, strlen(built), &mb);
	ictl_pt_maps_parse(ctx, "asked", asked, strlen(asked), &ma);
	if (ictl_pt_build(ctx, &c, pages, 0x100000, &mb, &img)) {
		printf("# build: %s\n", ictl_strerror(ctx));
		g.n = ~0ull;
		return g;
	}
	ictl_pt_image_src(&img, &span, &src);
	{
		struct ictl_pt_check_opts o = { .cfg = &c,
						.src = &src,
						.root = img.root,
						.maps = &ma,
						.expect_pages = expect,
						.hw = hw,
						.resv = resv,
						.nresv = nresv };

		ictl_pt_check(ctx, &o, keep, &g, &st);
	}
	ictl_pt_image_clear(&img);
	ictl_pt_maps_clear(&mb);
	ictl_pt_maps_clear(&ma);
	return g;
}

static void rules(void)
{
	struct got g;
	static const struct ictl_pt_resv msi = { 0xfee00000, 0xfeefffff, "msi" };

	g = check("x86-64", 1ull << 12, "0 1G 0x40000000 rw\n", "0 1G 0x40001000 rw\n", 0, NULL, 0,
		  NULL);
	ok(g.n == 1 && g.by[ICTL_PT_RULE_PHYS] == 1 && g.f[0].size == 1ull << 30 &&
		   g.f[0].want == 0x40001000 && g.f[0].got == 0x40000000,
	   "262144 4K pages all 4K off: one phys finding for the whole 1G");
	g = check("x86-64", 1ull << 12, "0 1G 0x40000000 rw\n", "0 1G 0x40000000 r\n", 0, NULL, 0,
		  NULL);
	ok(g.n == 1 && g.by[ICTL_PT_RULE_PERMS] == 1 && g.f[0].got == (ICTL_PT_R | ICTL_PT_W),
	   "writable where read-only was asked: one perms finding");
	g = check("x86-64", 1ull << 12, "0 4M 0x40000000 rw\n", "0 4M 0x40000000 rw\n",
		  (1ull << 12) | (1ull << 21), NULL, 0, NULL);
	ok(g.n == 1 && g.by[ICTL_PT_RULE_SIZE] == 1 && g.f[0].size == 4u << 20 &&
		   g.f[0].want == 21 && g.f[0].got == 12,
	   "4K pages where 2M fit: one size finding for the 4M");
	g = check("x86-64", 0, "0 4M 0x40000000 rw\n", "0 4M 0x40000000 rw page=4K\n", 0, NULL, 0,
		  NULL);
	ok(g.n == 1 && g.by[ICTL_PT_RULE_SIZE] == 1 && g.f[0].want == 12 && g.f[0].got == 21,
	   "2M pages where the mapping asks for page=4K: size");
	g = check("x86-64", 0, "0 8K 0 rw\n0x10000 4K 0x10000 rw\n",
		  "0 4K 0 rw\n0x10000 8K 0x10000 rw\n", 0, NULL, 0, NULL);
	ok(g.n == 2 && g.by[ICTL_PT_RULE_EXTRA] == 1 && g.by[ICTL_PT_RULE_MISSING] == 1 &&
		   g.f[0].iova == 0x1000 && g.f[1].iova == 0x11000 && g.f[1].line == 2,
	   "one page too many at 0x1000 (extra), one too few at 0x11000 (missing, line 2)");
	g = check("x86-64", 0, "0xfed00000 4M 0xfed00000 rw\n", "0xfed00000 4M 0xfed00000 rw\n", 0,
		  &msi, 1, NULL);
	ok(g.n == 1 && g.by[ICTL_PT_RULE_RESV_REGION] == 1 && g.f[0].iova == 0xfee00000 &&
		   g.f[0].size == 0x100000,
	   "mapped over the MSI window: reserved-region, its 1M");
	{
		struct ictl_pt_hw hw = { .known = true,
					 .walks = true,
					 .page_sizes = (1ull << 12) | (1ull << 21),
					 .oas = 39 };

		snprintf(hw.source, sizeof(hw.source), "test");
		g = check("x86-64", 0, "0 1G 0x8000000000 rw\n", "0 1G 0x8000000000 rw\n", 0, NULL,
			  0, &hw);
		ok(g.by[ICTL_PT_RULE_HW_PAGE_SIZE] == 1 && g.by[ICTL_PT_RULE_HW_ADDRESS] == 1,
		   "a 1G page the hardware lacks, at an address past its 39 bits");
		hw.walks = false;
		g = check("x86-64", 0, "0 4K 0 rw\n", "0 4K 0 rw\n", 0, NULL, 0, &hw);
		ok(g.by[ICTL_PT_RULE_HW_FORMAT] == 1, "a format the hardware does not walk");
	}
}

/* --- the vendors' formats ------------------------------------------------------------------ */

static int hw(uint32_t type, const void *blob, size_t len, const char *fmt, struct ictl_pt_hw *out)
{
	struct ictl_hw_info hi;
	struct ictl_pt_cfg c;
	int r = ictl_hw_info_decode(ctx, type, blob, len, &hi);

	if (!r)
		r = ictl_pt_cfg_parse(ctx, fmt, &c);
	if (!r)
		r = ictl_pt_hw_from_info(ctx, &hi, &c, out);
	ictl_hw_info_clear(&hi);
	return r;
}

static void vendors(void)
{
	/*
	 * VT-d (11.4.2): SAGAW (12:8) = 0b00100: 4-level only; MGAW (21:16) = 47;
	 * SLLPS (37:34) = 0b0001: 2M only.  ecap (11.4.3) SMTS (43) = 0: legacy,
	 * second stage only.
	 */
	struct ictl_iommu_hw_info_vtd vtd = { .cap_reg = (0x4ull << 8) | (47ull << 16) |
							 (1ull << 34) };
	struct ictl_iommu_hw_info_amd amd = { 0 };
	struct ictl_iommu_hw_info_arm_smmuv3 smmu = { 0 };
	struct ictl_pt_hw h;

	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), "vtd-ss", &h) && h.walks &&
		   h.page_sizes == ((1ull << 12) | (1ull << 21)) && h.ias == 48 &&
		   strstr(h.source, "SLLPS = 0x1"),
	   "VT-d SAGAW 4-level, SLLPS 2M: vtd-ss 4-level with 4K and 2M, 48-bit (%s)", h.source);
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), "vtd-ss,levels=5", &h) &&
		   h.known && !h.walks,
	   "VT-d without SAGAW bit 3 does not walk 5 levels");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), "x86-64", &h) && !h.walks,
	   "VT-d in legacy mode has no first stage");
	/* Scalable mode (SMTS, 43) with first stage (FLTS, 47) and FL5LP (cap 60), no FL1GP. */
	vtd.ecap_reg = (1ull << 43) | (1ull << 47);
	vtd.cap_reg |= 1ull << 60;
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), "x86-64,levels=5", &h) &&
		   h.walks && h.page_sizes == ((1ull << 12) | (1ull << 21)),
	   "VT-d FLTS + FL5LP: x86-64 5-level, 4K and 2M (FL1GP clear)");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), "vtd-ss", &h) && !h.walks,
	   "VT-d scalable mode without SLTS: no second stage");
	/* AMD EFR: HATS (11:10) = 01b: 5 levels; GTSup (4); GATS (13:12) = 00b: 4 levels. */
	amd.efr = (1ull << 10) | (1ull << 4);
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_AMD, &amd, sizeof(amd), "amd-v1,levels=5", &h) && h.walks &&
		   (h.page_sizes & (1ull << 13)) && !(h.page_sizes & (1ull << 39)) &&
		   (h.page_sizes & (1ull << 48)),
	   "AMD HATS 5-level: amd-v1 5 levels, 8K pages, no 512G, up to 2^48");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_AMD, &amd, sizeof(amd), "amd-v1,levels=6", &h) && !h.walks,
	   "AMD HATS 5-level does not walk 6");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_AMD, &amd, sizeof(amd), "x86-64,levels=5", &h) && !h.walks,
	   "AMD GATS 00b: no 5-level guest tables");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_AMD, &amd, sizeof(amd), "x86-64", &h) && h.walks,
	   "AMD GTSup: 4-level guest (x86-64) tables");
	/* SMMUv3: IDR0 S1P (1), TTF (3:2) = 0b10 AArch64; IDR5 GRAN4K (4), OAS (2:0) = 0b101. */
	smmu.idr[0] = (1u << 1) | (2u << 2);
	smmu.idr[5] = (1u << 4) | 5u;
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &smmu, sizeof(smmu), "arm-lpae-s1", &h) &&
		   h.walks && h.oas == 48 &&
		   h.page_sizes == ((1ull << 12) | (1ull << 21) | (1ull << 30)),
	   "SMMUv3 GRAN4K, OAS 48: LPAE 4K with 4K, 2M, 1G and 48-bit output");
	ok(!hw(ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &smmu, sizeof(smmu), "arm-lpae-s1,granule=64K",
	       &h) &&
		   !h.walks,
	   "SMMUv3 without GRAN64K: no 64K");
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	hostile();
	rules();
	vendors();
	ictl_ctx_free(ctx);
	return done_testing();
}
