// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The structures that point at stage-1 tables, against values computed by hand
 * from the specifications (written next to each): the SMMUv3 context
 * descriptor, its CD tables (linear and 2-level) and the STE words of a nested
 * stage 1 with the kernel's rules for them; the AMD GCR3 table and the guest
 * DTE with the kernel's rules.  And a CD built for an LPAE table leads a walk
 * to the same translations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"

static struct ictl_ctx *ctx;

#define is_hex(got, want, ...)                                                                 \
	do {                                                                                   \
		uint64_t g_ = (got), w_ = (want);                                              \
		if (!ok(g_ == w_, __VA_ARGS__))                                                \
			printf("#   got:  0x%016" PRIx64 "\n#   want: 0x%016" PRIx64 "\n", g_, \
			       w_);                                                            \
	} while (0)

/*
 * SMMUv3 5.4, dword 0: T0SZ 5:0 = 16 (48-bit), TG0 7:6 = 0 (4K), IRGN0 9:8 = 1
 * (0x100), ORGN0 11:10 = 1 (0x400), SH0 13:12 = 3 (0x3000), EPD1 30
 * (0x40000000), V 31 (0x80000000): low word 0xc0003510.  IPS 34:32 = 5 (48-bit),
 * AA64 41, R 45, A 46, ASET 47, ASID 63:48 = 5: high word 0x5 | 0x200 | 0x2000 |
 * 0x4000 | 0x8000 | 0x50000 = 0x5e205.  dword 1: TTB0; dword 3: MAIR.
 */
static void cd(void)
{
	struct ictl_pt_cfg cfg;
	struct ictl_smmu_cd c, back;
	uint64_t w[ICTL_SMMU_CD_DWORDS];

	ictl_pt_cfg_parse(ctx, "arm-lpae-s1", &cfg);
	ok(!ictl_smmu_cd_for_table(ctx, &cfg, 0x100000, 5, &c), "a CD for an LPAE table");
	ictl_smmu_cd_encode(&c, w);
	is_hex(w[0], 0x0005e205c0003510ull,
	       "CD dword 0 by hand (T0SZ 16, WBWA inner shareable "
	       "walks, EPD1, V, IPS 48, AA64, R, A, ASET, ASID 5)");
	is_hex(w[1], 0x100000, "CD dword 1: TTB0");
	is_hex(w[3], 0xf404ff44, "CD dword 3: MAIR (NC, WB, device, INC-OWB)");
	ok(!ictl_smmu_cd_decode(ctx, w, &back) && back.ttb0 == 0x100000 && back.asid == 5 &&
		   back.granule == 12 && back.t0sz == 16 && back.ips == 48 && back.aa64 &&
		   back.valid,
	   "the CD decodes back");
	w[0] &= ~(1ull << 31);
	ok(ictl_smmu_cd_decode(ctx, w, &back) == -EINVAL && strstr(ictl_strerror(ctx), "V (dword "),
	   "CD: V clear is refused");
	w[0] |= 1ull << 31;
	w[0] = (w[0] & ~0x3full) | 40;
	ok(ictl_smmu_cd_decode(ctx, w, &back) == -EINVAL && strstr(ictl_strerror(ctx), "T0SZ"),
	   "CD: T0SZ 40 is refused");
	w[0] = (w[0] & ~0x3full) | 16 | 3ull << 6;
	ok(ictl_smmu_cd_decode(ctx, w, &back) == -EINVAL && strstr(ictl_strerror(ctx), "TG0"),
	   "CD: TG0 0b11 is refused");
	w[0] &= ~(3ull << 6);
	w[1] = 0x100800;
	ok(ictl_smmu_cd_decode(ctx, w, &back) == -EINVAL && strstr(ictl_strerror(ctx), "aligned"),
	   "CD: a TTB0 not aligned to its 4K table is refused");
	w[1] = 0x100000;
	w[0] |= 1ull << 14;
	ok(ictl_smmu_cd_decode(ctx, w, &back) == -EINVAL && strstr(ictl_strerror(ctx), "EPD0"),
	   "CD: EPD0 (no TTB0 walks) is refused");
	/* 16K granule, 48-bit: the level-0 table has 2 entries, aligned to 64 bytes is enough. */
	ictl_pt_cfg_parse(ctx, "arm-lpae-s1,granule=16K", &cfg);
	ictl_smmu_cd_for_table(ctx, &cfg, 0x100040, 1, &c);
	ictl_smmu_cd_encode(&c, w);
	ok(!ictl_smmu_cd_decode(ctx, w, &back) && back.granule == 14 && (w[0] >> 6 & 3) == 2,
	   "16K: TG0 0b10, a TTB0 64-byte aligned");
}

static void cd_tables(void)
{
	struct ictl_pt_cfg cfg;
	struct ictl_pt_image img = { .base = 0x100000 };
	struct ictl_smmu_cd c[2];
	struct ictl_smmu_cdtab lin = { .fmt = 0, .cdmax = 2 }, two = { .fmt = 1, .cdmax = 8 };
	const uint32_t ssids[2] = { 3, 70 };
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	uint64_t a = 0, ste[2];

	ictl_pt_cfg_parse(ctx, "arm-lpae-s1", &cfg);
	ictl_smmu_cd_for_table(ctx, &cfg, 0x200000, 1, &c[0]);
	ictl_smmu_cd_for_table(ctx, &cfg, 0x300000, 2, &c[1]);
	ok(!ictl_smmu_cdtab_build(ctx, &img, &lin, ssids, c, 1) && lin.base == 0x100000,
	   "a linear CD table of 4 CDs at 0x100000");
	ictl_pt_image_src(&img, &span, &src);
	ok(!ictl_smmu_cd_addr(ctx, &lin, &src, 3, &a) && a == 0x100000 + 3 * 64,
	   "linear: the CD of SubstreamID 3 is at base + 3 * 64");
	is_hex(*(uint64_t *)(img.mem + 3 * 64 + 8), 0x200000, "  ...and holds TTB0 0x200000");
	ok(ictl_smmu_cd_addr(ctx, &lin, &src, 4, &a) == -EINVAL, "linear: SubstreamID 4 is past "
								 "S1CDMax 2");
	/*
	 * 2-level, S1Fmt 1 (4K leaves of 64 CDs): SubstreamID 70 is L1 descriptor
	 * 70 >> 6 = 1, CD 70 & 63 = 6 of its leaf.  The L1 table (2^(8-6) = 4
	 * descriptors, 32 bytes) goes at the next 64-byte boundary after the
	 * linear table (0x100100), the leaf of SubstreamID 3 (descriptor 0) at the
	 * next 4K (0x101000), that of 70 after it (0x102000).
	 */
	ok(!ictl_smmu_cdtab_build(ctx, &img, &two, ssids, c, 2) && two.base == 0x100100,
	   "a 2-level CD table at 0x100100");
	ictl_pt_image_src(&img, &span, &src);
	is_hex(*(uint64_t *)(img.mem + 0x100), 0x101001, "L1 descriptor 0 = 0x101000 | V");
	is_hex(*(uint64_t *)(img.mem + 0x100 + 8), 0x102001, "L1 descriptor 1 = 0x102000 | V");
	ok(!ictl_smmu_cd_addr(ctx, &two, &src, 70, &a) && a == 0x102000 + 6 * 64,
	   "2-level: SubstreamID 70 is CD 6 of the leaf at 0x102000");
	ok(ictl_smmu_cd_addr(ctx, &two, &src, 200, &a) == -ENOENT,
	   "2-level: SubstreamID 200 has no valid L1 descriptor");
	/*
	 * STE word 0: V (1) | Config 0b101 << 1 (0xa) | S1Fmt 1 << 4 (0x10) |
	 * S1ContextPtr 0x100100 | S1CDMax 8 << 59; word 1: S1DSS 0b10 | S1CIR 1
	 * << 2 | S1COR 1 << 4 | S1CSH 3 << 6 = 0xd6.
	 */
	ictl_smmu_ste_s1(&two, ste);
	is_hex(ste[0], 0x400000000010011bull, "STE word 0 of the 2-level table by hand");
	is_hex(ste[1], 0xd6, "STE word 1: S1DSS SSID0, WBRA walks, inner shareable");
	ok(!ictl_smmu_ste_check(ctx, ste), "the kernel's rules take it");
	ste[1] |= 1ull << 8;
	ok(ictl_smmu_ste_check(ctx, ste) == -EINVAL && strstr(ictl_strerror(ctx), "word 1"),
	   "a bit the kernel does not take (word 1 bit 8) is refused");
	ste[1] &= ~(1ull << 8);
	ste[0] = (ste[0] & ~0xeull) | 6u << 1;
	ok(ictl_smmu_ste_check(ctx, ste) == -EINVAL && strstr(ictl_strerror(ctx), "Config"),
	   "Config stage 2 only is refused");
	ste[0] = 0;
	ok(!ictl_smmu_ste_check(ctx, ste), "an invalid STE is taken (the kernel zeroes it)");
	ictl_pt_image_clear(&img);
}

/* A CD built for a table leads a walk, through the CD's own format, to its translations. */
static void cd_walk(void)
{
	static const char maps[] = "0x40000000 2M 0x80000000 rw\n";
	struct ictl_pt_cfg cfg, via;
	struct ictl_pt_maps m;
	struct ictl_pt_image img;
	struct ictl_smmu_cd c, back;
	struct ictl_smmu_cdtab t = { 0, 0, 0 };
	uint64_t w[ICTL_SMMU_CD_DWORDS], a;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_ranges it;
	struct ictl_pt_range r;
	const uint32_t ssid = 0;

	ictl_pt_cfg_parse(ctx, "arm-lpae-s1,granule=16K,ias=40", &cfg);
	ictl_pt_maps_parse(ctx, "m", maps, strlen(maps), &m);
	ictl_pt_build(ctx, &cfg, 0, 0x100000, &m, &img);
	ictl_smmu_cd_for_table(ctx, &cfg, img.root, 7, &c);
	ictl_smmu_cdtab_build(ctx, &img, &t, &ssid, &c, 1);
	ictl_pt_image_src(&img, &span, &src);
	ictl_smmu_cd_addr(ctx, &t, &src, 0, &a);
	memcpy(w, img.mem + (a - img.base), sizeof(w));
	ok(!ictl_smmu_cd_decode(ctx, w, &back) && !ictl_smmu_cd_cfg(ctx, &back, &via) &&
		   !strcmp(via.name, cfg.name),
	   "the CD's format is the table's (%s)", via.name);
	ictl_pt_ranges_init(&it, &via, &src, back.ttb0);
	ok(ictl_pt_ranges_next(&it, &r) == 1 && r.iova == 0x40000000 && r.phys == 0x80000000 &&
		   r.size == 2u << 20,
	   "walked from the CD: 0x40000000 -> 0x80000000, 2M");
	ictl_pt_ranges_free(&it);
	ictl_pt_image_clear(&img);
	ictl_pt_maps_clear(&m);
}

/*
 * GCR3 table, GLX 1 (two levels, 9 PASID bits each): PASID 0 is root[0] ->
 * leaf A [0]; PASID 513 (0b10_0000_0001) is root[1] -> leaf B [1].
 */
static void gcr3(void)
{
	struct ictl_pt_image img = { .base = 0x100000 };
	const uint32_t pasids[2] = { 0, 513 };
	const uint64_t cr3s[2] = { 0x200000, 0x300000 };
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	uint64_t base = 0, cr3 = 0, dte[4];

	ok(!ictl_amd_gcr3_build(ctx, &img, 1, pasids, cr3s, 2, &base) && base == 0x100000,
	   "a 2-level GCR3 table at 0x100000");
	is_hex(*(uint64_t *)(img.mem + 0), 0x101001, "root[0] = leaf 0x101000 | V");
	is_hex(*(uint64_t *)(img.mem + 8), 0x102001, "root[1] = leaf 0x102000 | V");
	is_hex(*(uint64_t *)(img.mem + 0x1000), 0x200001, "leaf 0x101000 [0] = CR3 0x200000 | V");
	is_hex(*(uint64_t *)(img.mem + 0x2008), 0x300001, "leaf 0x102000 [1] = CR3 0x300000 | V");
	ictl_pt_image_src(&img, &span, &src);
	ok(!ictl_amd_gcr3_lookup(ctx, &src, base, 1, 513, &cr3) && cr3 == 0x300000,
	   "lookup of PASID 513: 0x300000");
	ok(ictl_amd_gcr3_lookup(ctx, &src, base, 1, 2, &cr3) == -ENOENT,
	   "lookup of PASID 2: no valid entry");
	ok(ictl_amd_gcr3_build(ctx, &img, 0, pasids + 1, cr3s, 1, &base) == -EINVAL,
	   "PASID 513 does not fit a 1-level table");
	ictl_pt_image_clear(&img);
	/*
	 * Guest DTE for GCR3 table 0x12345000, GLX 1, 5-level guest tables.  word 0:
	 * V (bit 0) | GIOV (54) | GV (55) | GLX 1 << 56 | GCR3[14:12] = 5 << 58:
	 * 0x15c0000000000001; word 1: GCR3[30:15] = 0x2468 << 16, GCR3[51:31] = 0;
	 * word 2: GuestPagingMode 1 << 54.
	 */
	ictl_amd_gdte(0x12345000, 1, 5, dte);
	is_hex(dte[0], 0x15c0000000000001ull, "guest DTE word 0 by hand");
	is_hex(dte[1], 0x24680000, "guest DTE word 1: GCR3[30:15] in 31:16");
	is_hex(dte[2], 1ull << 54, "guest DTE word 2: 5-level guest paging");
	ok(!ictl_amd_gdte_check(ctx, dte, true), "the kernel's rules take it (5-level host)");
	ok(ictl_amd_gdte_check(ctx, dte, false) == -EOPNOTSUPP, "...not without GATS 5-level");
	dte[0] |= 1ull << 9;
	ok(ictl_amd_gdte_check(ctx, dte, true) == -EINVAL && strstr(ictl_strerror(ctx), "Mode"),
	   "a Mode set in the guest DTE is refused");
	ictl_amd_gdte(0, 3, 4, dte);
	ok(ictl_amd_gdte_check(ctx, dte, true) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "root pointer is 0"),
	   "V and GV with no GCR3 table");
	ictl_amd_gdte(0x1000, 3, 4, dte);
	ok(ictl_amd_gdte_check(ctx, dte, true) == -EINVAL && strstr(ictl_strerror(ctx), "GLX"),
	   "GLX 3 is reserved");
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	cd();
	cd_tables();
	cd_walk();
	gcr3();
	ictl_ctx_free(ctx);
	return done_testing();
}
