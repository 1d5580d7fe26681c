// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Each format's entries against values computed by hand from the architecture
 * documents (the computation is written next to each value), for tables
 * built by the engine, and hand-written entries decoded: reserved bits,
 * encodings a level does not allow, AMD v1's skipped levels and encoded page
 * sizes, LPAE's access flag and contiguous hint.
 *
 * Every table here is built at base 0x100000 and its tables are allocated in
 * the order the mappings need them (sorted by IOVA), one granule each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"

static struct ictl_ctx *ctx;

static int build(const char *fmt, const char *text, struct ictl_pt_image *img)
{
	struct ictl_pt_cfg cfg;
	struct ictl_pt_maps maps;
	int r = ictl_pt_cfg_parse(ctx, fmt, &cfg);

	if (!r)
		r = ictl_pt_maps_parse(ctx, "test", text, strlen(text), &maps);
	if (!r) {
		r = ictl_pt_build(ctx, &cfg, 0, 0x100000, &maps, img);
		ictl_pt_maps_clear(&maps);
	}
	if (r)
		printf("# %s: %s\n", fmt, ictl_strerror(ctx));
	return r;
}

static uint64_t at(const struct ictl_pt_image *img, uint64_t addr)
{
	uint64_t v;

	if (addr < img->base || addr + 8 > img->base + img->len)
		return 0xdeadbeefdeadbeefull;
	memcpy(&v, img->mem + (addr - img->base), 8);
	return v;
}

/* Two 64-bit values, printed in hex on failure. */
#define is_hex(got, want, ...)                                                                 \
	do {                                                                                   \
		uint64_t g_ = (got), w_ = (want);                                              \
		if (!ok(g_ == w_, __VA_ARGS__))                                                \
			printf("#   got:  0x%016" PRIx64 "\n#   want: 0x%016" PRIx64 "\n", g_, \
			       w_);                                                            \
	} while (0)

/*
 * x86-64, 4 levels (VT-d 9.7; SDM 4.5).  Index bits: PML4 47:39, PDPT 38:30,
 * PD 29:21, PT 20:12.  Table entries as the kernel writes them: P (0) | R/W (1)
 * | U/S (2) | A (5) = 0x27.  Leaves: P | U/S | A = 0x25, + R/W | D (6) = 0x67
 * when writable, + PS (7) for 2M/1G, + XD (63) when not executable.
 */
static void x86_golden(void)
{
	static const char maps[] =
		"0x40201000 4K 0x12345000 rw\n" /* A */
		"0x80000000 2M 0x200000 r\n" /* B */
		"0xc0000000 1G 0x40000000 rwx\n" /* C */
		"0xffff800000000000 4K 0x5000 rw\n"; /* D: the upper (canonical) half */
	struct ictl_pt_image img;

	if (build("x86-64", maps, &img)) {
		skip(12, "build failed");
		return;
	}
	/* A: PML4 0 -> PDPT 0x101000 [1] -> PD 0x102000 [1] -> PT 0x103000 [1]. */
	is_hex(at(&img, 0x100000), 0x101027, "x86-64 PML4E[0] = PDPT 0x101000 | P R/W U/S A");
	is_hex(at(&img, 0x101008), 0x102027, "x86-64 PDPE[1] (IOVA 38:30 = 1) = PD 0x102000");
	is_hex(at(&img, 0x102008), 0x103027, "x86-64 PDE[1] (IOVA 29:21 = 0x201 & 0x1ff) = PT");
	is_hex(at(&img, 0x103008), 0x8000000012345067ull,
	       "x86-64 PTE[1]: 0x12345000 | P R/W U/S A D (0x67) | XD: rw-");
	/* B: PDPE[2] -> PD 0x104000; PDE[0] = 2M page, read-only: 0x200000 | 0xa5 | XD. */
	is_hex(at(&img, 0x101010), 0x104027, "x86-64 PDPE[2] = PD 0x104000");
	is_hex(at(&img, 0x104000), 0x80000000002000a5ull,
	       "x86-64 PDE[0] 2M: 0x200000 | P U/S A PS (0xa5) | XD: r--");
	/* C: PDPE[3] = 1G page rwx: 0x40000000 | P R/W U/S A D PS = 0xe7, no XD. */
	is_hex(at(&img, 0x101018), 0x400000e7, "x86-64 PDPE[3] 1G: 0x40000000 | 0xe7: rwx");
	/* D: 0xffff800000000000 is index 256 of the PML4 (bit 47 set, 63:48 its copies). */
	is_hex(at(&img, 0x100000 + 8 * 256), 0x105027, "x86-64 PML4E[256] = PDPT 0x105000");
	is_hex(at(&img, 0x105000), 0x106027, "x86-64 upper half PDPE[0] = PD 0x106000");
	is_hex(at(&img, 0x106000), 0x107027, "x86-64 upper half PDE[0] = PT 0x107000");
	is_hex(at(&img, 0x107000), 0x8000000000005067ull, "x86-64 upper half PTE[0] = 0x5000 rw-");
	is_int(img.len, 8 * 4096, "x86-64: 8 tables of 4K");
	ictl_pt_image_clear(&img);
}

/*
 * VT-d second stage, 3 levels (39-bit; VT-d 9.8).  No present bit: R (0), W
 * (1), X (2); PS (7) in SS-PDPE/SS-PDE.  Tables: R | W | X = 0x7.
 */
static void vtd_ss_golden(void)
{
	static const char maps[] = "0x40201000 4K 0x12345000 rw\n"
				   "0x80000000 2M 0x200000 r\n"
				   "0xc0000000 1G 0x40000000 w\n";
	struct ictl_pt_image img;

	if (build("vtd-ss,levels=3", maps, &img)) {
		skip(6, "build failed");
		return;
	}
	is_hex(at(&img, 0x100008), 0x101007, "vtd-ss SS-PDPE[1] = SS-PD 0x101000 | R W X");
	is_hex(at(&img, 0x101008), 0x102007, "vtd-ss SS-PDE[1] = SS-PT 0x102000");
	is_hex(at(&img, 0x102008), 0x12345003, "vtd-ss SS-PTE[1] = 0x12345000 | R W");
	is_hex(at(&img, 0x103000), 0x200081, "vtd-ss SS-PDE[0] 2M = 0x200000 | R | PS (0x80)");
	is_hex(at(&img, 0x100018), 0x40000082, "vtd-ss SS-PDPE[3] 1G = 0x40000000 | W | PS");
	is_int(img.len, 4 * 4096, "vtd-ss: 4 tables");
	ictl_pt_image_clear(&img);
}

/*
 * AMD v1, 3 levels (AMD IOMMU 2.2.3).  PR (0), NextLevel (11:9), IR (61),
 * IW (62).  Tables: addr | PR | NextLevel = level below | IR | IW.  A page
 * of the level's size: NextLevel 0.  Other sizes: NextLevel 7, and the
 * address bits from 12 up to one below the size's top bit set (Table 14:
 * 16K = bit 12 set, bit 13 clear; 4M = bits 20:12 set, bit 21 clear), the
 * entry repeated size / level size times.
 */
static void amd_v1_golden(void)
{
	static const char maps[] = "0x40201000 4K 0x12345000 rw\n"
				   "0x80000000 16K 0x7000c000 r\n"
				   "0xc0000000 4M 0x40400000 rw\n";
	struct ictl_pt_image img;

	if (build("amd-v1,levels=3", maps, &img)) {
		skip(9, "build failed");
		return;
	}
	is_hex(at(&img, 0x100008), 0x6000000000101401ull,
	       "amd-v1 L3[1] = 0x101000 | PR | NextLevel 2 (0x400) | IR IW");
	is_hex(at(&img, 0x101008), 0x6000000000102201ull, "amd-v1 L2[1] = 0x102000 | NextLevel 1");
	is_hex(at(&img, 0x102008), 0x6000000012345001ull, "amd-v1 L1[1] = 0x12345000 | PR | IR IW");
	/* 16K at L1: 4 entries of 0x7000c000 | 0x1000 (bit 12) | NextLevel 7 (0xe00) | PR | IR. */
	is_hex(at(&img, 0x104000), 0x200000007000de01ull, "amd-v1 16K page, entry 0");
	is_hex(at(&img, 0x104018), 0x200000007000de01ull, "amd-v1 16K page, entry 3 is the same");
	is_hex(at(&img, 0x104020), 0, "amd-v1 16K page: entry 4 is empty");
	/* 4M at L2: 2 entries of 0x40400000 | 0x1ff000 (bits 20:12) | 0xe00 | PR | IR IW. */
	is_hex(at(&img, 0x100018), 0x6000000000105401ull, "amd-v1 L3[3] = L2 0x105000");
	is_hex(at(&img, 0x105000), 0x60000000405ffe01ull, "amd-v1 4M page, entry 0");
	is_hex(at(&img, 0x105008), 0x60000000405ffe01ull, "amd-v1 4M page, entry 1");
	ictl_pt_image_clear(&img);
}

/*
 * LPAE stage 1, 4K granule, 39-bit input (levels 1 to 3; Arm ARM D8.3).
 * Table descriptor: addr | 0b11.  Page (level 3): addr | 0b11, block: addr |
 * 0b01; attributes as io-pgtable-arm: AttrIndx 1 (0x4), AP[1] unprivileged
 * (0x40), SH inner (0x300), AF (0x400), nG (0x800); AP[2] (0x80) read-only;
 * PXN | UXN (bits 53, 54) when not executable.
 */
static void lpae_golden(void)
{
	static const char maps[] = "0x40201000 4K 0x12345000 rw\n"
				   "0x80000000 2M 0x200000 r\n"
				   "0xc0000000 1G 0x40000000 rwx\n";
	struct ictl_pt_image img;

	if (build("arm-lpae-s1,ias=39", maps, &img)) {
		skip(6, "build failed");
		return;
	}
	is_hex(at(&img, 0x100008), 0x101003, "lpae L1[1] = table 0x101000 | 0b11");
	is_hex(at(&img, 0x101008), 0x102003, "lpae L2[1] = table 0x102000");
	is_hex(at(&img, 0x102008), 0x0060000012345f47ull,
	       "lpae L3[1] page: 0x12345000 | 0b11 | 0x4 | 0x40 | 0x300 | 0x400 | 0x800 | XN");
	is_hex(at(&img, 0x103000), 0x0060000000200fc5ull,
	       "lpae L2[0] 2M block read-only: 0x200000 | 0b01 | ... | AP[2] 0x80 | XN");
	is_hex(at(&img, 0x100018), 0x40000f45,
	       "lpae L1[3] 1G block rwx: 0x40000000 | 0b01 | 0xf44, no XN");
	is_int(img.len, 4 * 4096, "lpae: 4 tables");
	ictl_pt_image_clear(&img);
}

/* 16K and 64K granules: the geometry of D8.2 (bits per level, levels, start level). */
static void lpae_geometry(void)
{
	struct ictl_pt_cfg c;

	ictl_pt_cfg_parse(ctx, "arm-lpae-s1,granule=16K", &c);
	ok(c.levels == 4 && c.bits[4] == 1 && c.shift[1] == 14 && c.shift[2] == 25,
	   "16K, 48-bit: 4 levels, level 0 has 2 entries (bit 47), pages of 16K, blocks of 32M");
	ictl_pt_cfg_parse(ctx, "arm-lpae-s1,granule=64K", &c);
	ok(c.levels == 3 && c.bits[3] == 6 && c.shift[2] == 29,
	   "64K, 48-bit: 3 levels, level 1 has 64 entries (bits 47:42), blocks of 512M");
	ok(c.page_sizes == ((1ull << 16) | (1ull << 29)), "64K: pages 64K and 512M");
	ictl_pt_cfg_parse(ctx, "arm-lpae-s1,ias=32", &c);
	ok(c.levels == 3 && c.bits[3] == 2, "4K, 32-bit: starts at level 1 with 4 entries");
	ok(ictl_pt_cfg_parse(ctx, "arm-lpae-s1,oas=52", &c) == -EINVAL,
	   "52-bit output needs the 64K granule (LPA2 is not supported)");
}

static void x86_decode(void)
{
	struct ictl_pt_cfg c;
	struct ictl_pte e;

	ictl_pt_cfg_parse(ctx, "x86-64,oas=46", &c);
	ictl_pt_decode(&c, 4, 0x1000a7, &e);
	is_hex(e.rsvd, 0x80, "x86-64: PS in a PML4E is reserved (VT-d 9.7)");
	ictl_pt_decode(&c, 2, 0x2020a7, &e);
	ok(e.type == ICTL_PTE_LEAF && e.rsvd == 0x2000,
	   "x86-64: bit 13 of a 2M page is reserved (bits 20:13)");
	ictl_pt_decode(&c, 3, 0x40001087ull, &e);
	ok(e.type == ICTL_PTE_LEAF && e.rsvd == 0 && e.addr == 0x40000000,
	   "x86-64: bit 12 of a 1G page is PAT, not reserved");
	ictl_pt_decode(&c, 1, 0x0000400000001027ull, &e);
	is_hex(e.rsvd, 0x0000400000000000ull, "x86-64 oas=46: address bit 46 is reserved");
	ictl_pt_decode(&c, 1, 0x1026, &e);
	ok(e.type == ICTL_PTE_EMPTY, "x86-64: P clear is not present");
	ictl_pt_decode(&c, 2, 0x1023, &e);
	ok(e.type == ICTL_PTE_TABLE && e.force == ICTL_PT_PRIV && (e.perms & ICTL_PT_W),
	   "x86-64: U/S clear in a table makes everything below supervisor-only");
}

static void vtd_ss_decode(void)
{
	struct ictl_pt_cfg c;
	struct ictl_pte e;

	ictl_pt_cfg_parse(ctx, "vtd-ss", &c);
	ictl_pt_decode(&c, 1, 0x1004, &e);
	ok(e.type == ICTL_PTE_EMPTY, "vtd-ss: X alone is not present (R and W clear)");
	ictl_pt_decode(&c, 4, 0x1803, &e);
	is_hex(e.rsvd, 0x800, "vtd-ss: SNP in an SS-PML4E is reserved");
	ictl_pt_decode(&c, 1, 0x4000000000001003ull, &e);
	is_hex(e.rsvd, 0x4000000000000000ull, "vtd-ss: bit 62 (TM before rev. 3.2) is reserved");
	ictl_pt_decode(&c, 3, 0x40100083ull, &e);
	ok(e.type == ICTL_PTE_LEAF && e.rsvd == 0x100000,
	   "vtd-ss: bit 20 of a 1G page is reserved (bits 29:12)");
}

static void amd_decode(void)
{
	struct ictl_pt_cfg c;
	struct ictl_pte e;

	ictl_pt_cfg_parse(ctx, "amd-v1,levels=6", &c);
	ok(c.bits[6] == 7, "amd-v1 6 levels: level 6 indexes IOVA bits 63:57 (128 entries)");
	ictl_pt_decode(&c, 4, 0x6000000000101201ull, &e);
	ok(e.type == ICTL_PTE_TABLE && e.next == 1,
	   "amd-v1: an L4 PDE with NextLevel 1 skips levels 3 and 2");
	ictl_pt_decode(&c, 3, 0x6000000000101601ull, &e);
	ok(e.type == ICTL_PTE_INVALID, "amd-v1: NextLevel 3 in an L3 entry does not point down");
	ictl_pt_decode(&c, 6, 0x6000000000000001ull, &e);
	ok(e.type == ICTL_PTE_INVALID, "amd-v1: level 6 cannot map pages");
	ictl_pt_decode(&c, 1, 0x2000000000002e01ull, &e);
	ok(e.type == ICTL_PTE_LEAF && e.page == 13 && e.group == 2 && e.addr == 0x2000,
	   "amd-v1: NextLevel 7, bit 12 clear: an 8K page of 2 entries at 0x2000");
	ictl_pt_decode(&c, 1, 0x20000000001ffe01ull, &e);
	ok(e.type == ICTL_PTE_INVALID,
	   "amd-v1: NextLevel 7 encoding 2M at level 1 (bits 20:12 set) is too large there");
	ictl_pt_decode(&c, 1, 0x6010000000001001ull, &e);
	is_hex(e.rsvd, 0x0010000000000000ull, "amd-v1: bit 52 of a PTE is reserved (58:52)");
}

/* A hand-made AMD v1 table that skips levels: the IOVA bits of those levels are zero. */
static void amd_skip_walk(void)
{
	uint64_t mem[3][512] = { { 0 } };
	struct ictl_pt_cfg c;
	struct ictl_pt_span span = { 0x100000, (const uint8_t *)mem, sizeof(mem) };
	struct ictl_pt_src src = { ictl_pt_span_read, &span, "test" };
	struct ictl_pt_ranges it;
	struct ictl_pt_range r;
	int n;

	ictl_pt_cfg_parse(ctx, "amd-v1,levels=4", &c);
	/* L4[1] -> L1 table at 0x101000 (skips 3 and 2); L1[5] maps 0x9000 rw. */
	mem[0][1] = 0x6000000000101201ull;
	mem[1][5] = 0x6000000000009001ull;
	/* L4[2] -> L2 table at 0x102000 (skips 3); L2[3] is a 2M page. */
	mem[0][2] = 0x6000000000102401ull;
	mem[2][3] = 0x2000000000400001ull;
	ictl_pt_ranges_init(&it, &c, &src, 0x100000);
	n = ictl_pt_ranges_next(&it, &r);
	ok(n == 1 && r.iova == (1ull << 39) + 0x5000 && r.size == 4096 && r.phys == 0x9000 &&
		   r.perms == (ICTL_PT_R | ICTL_PT_W),
	   "amd-v1: L4[1] -> L1[5] translates 2^39 + 0x5000 (L3, L2 index bits zero)");
	n = ictl_pt_ranges_next(&it, &r);
	ok(n == 1 && r.iova == (2ull << 39) + (3ull << 21) && r.size == 2u << 20 &&
		   r.phys == 0x400000 && r.perms == ICTL_PT_R,
	   "amd-v1: L4[2] -> L2[3]: a 2M page at 2^40 + 6M, read-only");
	ok(ictl_pt_ranges_next(&it, &r) == 0, "amd-v1: nothing else");
	ictl_pt_ranges_free(&it);
}

static void lpae_decode(void)
{
	struct ictl_pt_cfg c;
	struct ictl_pte e;

	ictl_pt_cfg_parse(ctx, "arm-lpae-s1", &c);
	ictl_pt_decode(&c, 1, 0x1f45, &e);
	ok(e.type == ICTL_PTE_INVALID, "lpae: descriptor type 0b01 at level 3 is reserved");
	ictl_pt_decode(&c, 4, 0x40000f45ull, &e);
	ok(e.type == ICTL_PTE_INVALID, "lpae 4K: no blocks at level 0");
	ictl_pt_decode(&c, 2, 0x201f45, &e);
	ok(e.type == ICTL_PTE_LEAF && e.rsvd == 0x1000, "lpae: OA bit 12 of a 2M block is RES0");
	ictl_pt_decode(&c, 1, 0x1b47, &e);
	ok(e.note && e.note_rule == ICTL_PT_RULE_ACCESS_FLAG, "lpae: AF clear is noted");
	ictl_pt_decode(&c, 1, 0x0010000000001f47ull, &e);
	ok(e.group == 16 && !e.group_same, "lpae 4K: the contiguous hint groups 16 entries");
	ictl_pt_decode(&c, 2, 0x6000000000101003ull, &e);
	ok(e.type == ICTL_PTE_TABLE && !(e.perms & ICTL_PT_W) && e.force == ICTL_PT_PRIV,
	   "lpae: APTable 0b11 makes what is below read-only and privileged");
	ictl_pt_decode(&c, 1, 0x0000000012345fc7ull, &e);
	ok(e.perms == (ICTL_PT_R | ICTL_PT_X), "lpae: AP[2] read-only, no XN: r-x");
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	x86_golden();
	vtd_ss_golden();
	amd_v1_golden();
	lpae_golden();
	lpae_geometry();
	x86_decode();
	vtd_ss_decode();
	amd_decode();
	amd_skip_walk();
	lpae_decode();
	ictl_ctx_free(ctx);
	return done_testing();
}
