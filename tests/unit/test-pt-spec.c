// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stage-1 tables in specs (page_tables:, src/lib/spec-pt*.c): the model the
 * parser builds, where it stops, the static checks, the memory a table needs,
 * and round trips over random mapping sets in every format: spec -> build ->
 * ranges read back (what `pt dump` prints) -> check against the spec's
 * mappings (what `pt validate` does), clean.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spec.h"
#include "uapi/iommufd.h"
#include "vendor.h"
#include "tap.h"
#include "spec-finds.h"

static struct ictl_ctx *ctx;

static int parse(const char *text, struct ictl_spec *s)
{
	return ictl_spec_parse(ctx, "t.yaml", text, strlen(text), s);
}

#define RAM                                                                                \
	"ioas:\n"                                                                          \
	"  - name: ram\n"                                                                  \
	"    allow: [0x0-0xffffffff]\n"                                                    \
	"    mappings:\n"                                                                  \
	"      - {name: low, iova: 0x0, size: 16M, memory: memfd}\n"                       \
	"      - {name: hi, size: 2M}\n"                                                   \
	"  - name: other\n"                                                                \
	"    mappings: [{name: far, iova: 0, size: 1M}]\n"

static const char good[] = RAM
	"page_tables:\n"
	"  - name: gt\n"
	"    format: x86-64,levels=5\n"
	"    ioas: ram\n"
	"    at: 0x10000000\n"
	"    page_sizes: [4K, 2M]\n"
	"    mappings:\n"
	"      - {iova: 0x0, size: 2M, to: low}\n"
	"      - {iova: 0x200000, size: 4K, to: low+0x1000, access: r}\n"
	"      - {iova: 0x400000, size: 8K, to: 0x800000}\n"
	"      - {iova: 0x600000, size: 4K, to: hi}\n";

static void model(void)
{
	struct ictl_spec s;
	const struct ictl_spec_ptable *t;

	if (!is_int(parse(good, &s), 0, "a spec with page_tables parses (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	is_int((long long)s.nptables, 1, "one table");
	t = &s.ptables[0];
	is_str(t->name, "gt", "its name");
	is_str(t->cfg.name, "x86-64,levels=5,oas=52,sign-extend=1", "its format, canonical");
	is_int(t->ioas.idx, 0, "its parent IOAS");
	ok(t->at.set && t->at.v == 0x10000000, "at 0x10000000");
	is_int((long long)t->page_sizes, 0x1000 | 0x200000, "page_sizes 4K and 2M");
	is_int((long long)t->nmaps, 4, "four stage-1 mappings");
	ok(t->maps[0].to_map.idx == 0 && t->maps[0].to_mapping == 0 && t->maps[0].to == 0,
	   "to: low is mapping 0 of IOAS 0");
	ok(t->maps[1].to_mapping == 0 && t->maps[1].to == 0x1000 &&
	   t->maps[1].perms == ICTL_PT_R, "to: low+0x1000, read-only");
	ok(t->maps[2].to_map.idx == -1 && t->maps[2].to == 0x800000, "to: a parent IOVA");
	ok(t->maps[3].to_mapping == 1, "to: hi (a kernel-chosen mapping)");
	is_int(ictl_spec_pt_find(&s, "gt"), 0, "found by name");
	is_int(ictl_spec_pt_find(&s, "low"), -1, "a mapping is not a table");
	ictl_spec_clear(&s);
}

static void stops(const char *text, unsigned int line, unsigned int col, const char *path,
		  const char *msg)
{
	struct ictl_spec s;
	int r = parse(text, &s);

	if (is_int(r, -EINVAL, "stops at %u:%u %s", line, col, path))
		ok(s.err_pos.line == line && s.err_pos.column == col && !strcmp(s.err_path, path) &&
			   strstr(s.err_msg, msg),
		   "  ...%u:%u '%s': %s", s.err_pos.line, s.err_pos.column, s.err_path,
		   ictl_strerror(ctx));
	ictl_spec_clear(&s);
}

#define PT "page_tables:\n  - "

static void parse_errors(void)
{
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, maping: []}\n", 10, 49,
	      "page_tables[0]", "unknown key 'maping'");
	stops(RAM PT "{name: t, format: x86-32, ioas: ram, at: 0}\n", 10, 23, "page_tables[0].format",
	      "unknown page-table format 'x86-32'");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: autox}\n", 10, 46, "page_tables[0].at",
	      "'autox' is not a size");
	stops(RAM PT "{name: t, format: x86-64, at: 0}\n", 10, 5, "page_tables[0]", "needs ioas:");
	stops(RAM PT "{name: t, ioas: ram, at: 0}\n", 10, 5, "page_tables[0]", "needs format:");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, page_sizes: [4K, 3K]}\n", 10, 66,
	      "page_tables[0].page_sizes[1]", "has no pages of 3K");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K}]}\n",
	      10, 60, "page_tables[0].mappings[0]", "needs to:");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{size: 4K, to: low}]}\n",
	      10, 60, "page_tables[0].mappings[0]", "needs iova:");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K, to: low+zz}]}\n",
	      10, 84, "page_tables[0].mappings[0].to", "the offset 'zz' is not a number");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K, to: far}]}\n",
	      10, 84, "page_tables[0].mappings[0].to", "mapping far is in IOAS other, not in ram");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K, to: ram}]}\n",
	      10, 84, "page_tables[0].mappings[0].to", "'ram' is an IOAS, not a mapping");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K, to: nope}]}\n",
	      10, 84, "page_tables[0].mappings[0].to", "no mapping is named 'nope'");
	stops(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0, mappings: [{iova: 0, size: 4K, to: low, access: q}]}\n",
	      10, 97, "page_tables[0].mappings[0].access", "'q' is not an access");
	stops(RAM PT "{name: low, format: x86-64, ioas: ram, at: 0}\n", 10, 5, "page_tables[0].name",
	      "the name 'low' is taken");
}

static void finds(const char *text, const char *path, const char *msg, const char *what)
{
	spec_finds(ctx, text, path, msg, what, SPEC_FINDS_NO_ERROR);
}

#define T0 RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x10000000, "

static void checks(void)
{
	finds(good, NULL, NULL, "the good spec");
	finds(T0 "mappings: [{iova: 0, size: 4K, to: low+16M}]}\n", "page_tables[0].mappings[0].to",
	      "goes past the end of mapping low", "to past its mapping");
	finds(T0 "mappings: [{iova: 0, size: 4K, to: 0x1000000}]}\n",
	      "page_tables[0].mappings[0].to", "is not inside a mapping of IOAS ram",
	      "to outside the parent's fixed mappings");
	finds(T0 "mappings: [{iova: 0, size: 4K, to: 0x1800}]}\n", "page_tables[0].mappings[0].to",
	      "is not aligned", "to misaligned");
	finds(T0 "mappings: [{iova: 0x800, size: 4K, to: low}]}\n",
	      "page_tables[0].mappings[0].iova", "is not aligned", "iova misaligned");
	finds(T0 "mappings: [{iova: 0, size: 6K, to: low}]}\n", "page_tables[0].mappings[0].size",
	      "is not a multiple", "size not whole pages");
	finds(T0 "mappings: [{iova: 0, size: 8K, to: low}, {iova: 0x1000, size: 4K, to: low}]}\n",
	      "page_tables[0].mappings[1].iova", "overlaps mappings[0]", "overlapping stage-1 mappings");
	finds(T0 "mappings: [{iova: 0x800000000000, size: 4K, to: low}]}\n",
	      "page_tables[0].mappings[0].iova", "outside the 48-bit input space",
	      "a non-canonical IOVA");
	finds(T0 "mappings: [{iova: 0xffff800000000000, size: 4K, to: low}]}\n", NULL, NULL,
	      "the upper half is canonical");
	finds(RAM PT "{name: t, format: 'arm-lpae-s1,granule=64K', ioas: ram, at: 0x10000000, mappings: [{iova: 0x10000, size: 16K, to: low}]}\n",
	      "page_tables[0].mappings[0].size", "smallest page (64 KiB)", "a 64K granule");
	finds(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x800000, mappings: [{iova: 0, size: 4K, to: low}]}\n",
	      "page_tables[0].at", "overlaps ioas[0].mappings[0]", "memory over a mapping");
	finds(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x100000000, mappings: [{iova: 0, size: 4K, to: low}]}\n",
	      "page_tables[0].at", "not inside IOAS ram's allow ranges", "memory outside allow");
	finds(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x10000800}\n", "page_tables[0].at",
	      "is not aligned", "memory misaligned");
	finds(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x10000000, size: 4K, mappings: [{iova: 0, size: 4K, to: low}]}\n",
	      "page_tables[0].size", "are too few for table t", "a size too small");
	finds(RAM PT "{name: t, format: x86-64, ioas: ram, at: 0x10000000, mappings: [{iova: 0, size: 4K, to: low}]}\n"
		  "  - {name: u, format: x86-64, ioas: ram, at: 0x10002000, mappings: [{iova: 0, size: 4K, to: low}]}\n",
	      "page_tables[1].at", "overlaps table t's", "two tables' memory");
	finds(RAM PT "{name: t, format: vtd-ss, ioas: ram, at: 0x10000000, mappings: [{iova: 0, size: 4K, to: low, access: rp}]}\n",
	      "page_tables[0]", "cannot express privileged-only", "what the format cannot say");
	/* 20K of tables at 0x1000000 leave 44K of the 64K allowed: a 48K mapping has no room */
	finds("ioas: [{name: r, allow: [0x1000000-0x100ffff], mappings: [{name: m, size: 44K}]}]\n"
	      PT "{name: t, format: x86-64, ioas: r, at: 0x1000000, mappings: [{iova: 0, size: 4K, to: m}]}\n",
	      NULL, NULL, "a kernel-chosen mapping beside the table memory");
	finds("ioas: [{name: r, allow: [0x1000000-0x100ffff], mappings: [{name: m, size: 48K}]}]\n"
	      PT "{name: t, format: x86-64, ioas: r, at: 0x1000000, mappings: [{iova: 0, size: 4K, to: m}]}\n",
	      "ioas[0].mappings[0].size", "less the fixed mappings and the page tables' memory",
	      "no room beside the table memory");
	finds("devices: [{name: m, mock: {}}]\nioas: [{name: r, mappings: [{name: x, iova: 0x1000000, size: 1M}]}]\n"
	      PT "{name: t, format: x86-64, ioas: r, at: 0x80000000}\n",
	      "page_tables[0].at", "outside the mock domain's aperture", "memory outside the mock's aperture");
}

/* The memory a table needs: the root and one table per block per level below it, and a page. */
static void sizes(void)
{
	struct ictl_spec s;
	uint64_t size = 0;

	if (parse(good, &s)) {
		ok(false, "the good spec parses: %s", ictl_strerror(ctx));
		return;
	}
	/* 5 levels: PML5, PML4, PDPT, PD, and PTs for the 2M blocks 0, 1, 2, 3: 8 tables */
	is_int(ictl_spec_pt_size(ctx, &s, 0, &size), 0, "sized");
	is_int((long long)size, 8 * 4096 + 4096, "8 tables and a page for a CD or GCR3 table");
	ictl_spec_clear(&s);
}

struct fixed_iova {
	uint64_t hi;
	int calls;
};

static int map_iova(void *priv, size_t ioas, size_t mapping, uint64_t *iova)
{
	struct fixed_iova *f = priv;

	f->calls++;
	*iova = ioas == 0 && mapping == 1 ? f->hi : (mapping == 0 ? 0 : ~0ull);
	return 0;
}

static void resolves(void)
{
	struct fixed_iova f = { 0x2000000, 0 };
	struct ictl_pt_maps maps;
	struct ictl_pt_image img;
	struct ictl_spec s;

	if (parse(good, &s)) {
		ok(false, "the good spec parses: %s", ictl_strerror(ctx));
		return;
	}
	is_int(ictl_spec_pt_maps(ctx, &s, 0, NULL, NULL, &maps), -EINVAL,
	       "offline, a kernel-chosen mapping is refused");
	ok(strstr(ictl_strerror(ctx), "mapping hi has no iova:") != NULL, "  naming it: %s",
	   ictl_strerror(ctx));
	if (is_int(ictl_spec_pt_maps(ctx, &s, 0, map_iova, &f, &maps), 0, "with its IOVA known")) {
		is_int((long long)maps.n, 4, "four mappings");
		ok(maps.v[0].phys == 0 && maps.v[1].phys == 0x1000 && maps.v[2].phys == 0x800000 &&
			   maps.v[3].phys == 0x2000000,
		   "each to as a parent IOVA");
		is_int(f.calls, 3, "the callback asked for the three named ones");
		ictl_pt_maps_clear(&maps);
	}
	if (is_int(ictl_spec_pt_build(ctx, &s, 0, map_iova, &f, &img), 0, "built (%s)",
		   ictl_strerror(ctx))) {
		is_int((long long)img.base, 0x10000000, "its base is at:");
		is_int((long long)img.root, 0x10000000, "the root first");
		ok(img.len <= 9 * 4096, "inside the size it was given (0x%zx)", img.len);
		is_int((long long)img.leaves, 1 + 1 + 2 + 1, "one 2M page and four 4K pages");
		ictl_pt_image_clear(&img);
	}
	ictl_spec_clear(&s);
}

/* --- nested data that names a table --------------------------------------------------- */

#define NEST_HEAD                                                                          \
	"devices: [{name: d, device: '00:02.0'}]\n"                                          \
	"ioas: [{name: r, mappings: [{name: m, iova: 0x40000000, size: 1G}]}]\n"             \
	"viommus: [{name: v, device: d, parent: p}]\n"                                        \
	"hwpts:\n  - {name: p, ioas: r, device: d, flags: [nest-parent]}\n"

static void vtd_table(void)
{
	static const char text[] = NEST_HEAD
		"  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: gt, flags: [sre]}}\n"
		"page_tables: [{name: gt, format: 'x86-64,levels=5', ioas: r, at: 0x100000,\n"
		"  mappings: [{iova: 0, size: 2M, to: m}]}]\n";
	struct ictl_iommu_hwpt_vtd_s1 s1;
	struct ictl_spec s;

	if (!is_int(parse(text, &s), 0, "intel-vtd: pgtbl names a table (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	memcpy(&s1, s.hwpts[1].data_bytes, sizeof(s1));
	is_int(s.hwpts[1].data_type, ICTL_IOMMU_HWPT_DATA_VTD_S1, "  VTD_S1 data");
	is_int((long long)s1.pgtbl_addr, 0x100000, "  pgtbl_addr: the table's root, at at:");
	is_int(s1.addr_width, 57, "  addr_width 57: the table has 5 levels");
	is_int(s.hwpts[1].ptable, 0, "  the HWPT knows its table");
	ok(s.ptables[0].via == ICTL_NESTED_PT_ROOT && s.ptables[0].via_hwpt == 1,
	   "  and the table how it is pointed at, and by whom");
	is_int((long long)ictl_spec_pt_ptr(&s, 0), 0, "  no CD or GCR3 table for VT-d");
	ictl_spec_clear(&s);
}

static void smmu_table(void)
{
	static const char text[] = NEST_HEAD
		"  - {name: n, viommu: v, device: d, data: {type: arm-smmuv3, table: gt}}\n"
		"page_tables: [{name: gt, format: 'arm-lpae-s1,granule=16K', ioas: r, at: 0x100000,\n"
		"  mappings: [{iova: 0, size: 64K, to: m+0x10000}]}]\n";
	struct ictl_iommu_hwpt_arm_smmuv3 d;
	struct ictl_smmu_cdtab tab = { 0, 0, 0 };
	struct ictl_smmu_cd cd;
	struct ictl_pt_image img;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	uint64_t size = 0, cdw[ICTL_SMMU_CD_DWORDS], ptr, cda = 0;
	struct ictl_spec s;

	if (!is_int(parse(text, &s), 0, "arm-smmuv3: table names a table (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	ictl_spec_pt_size(ctx, &s, 0, &size);
	ptr = ictl_spec_pt_ptr(&s, 0);
	is_int((long long)ptr, (long long)(0x100000 + size - 4096),
	       "  the CD table goes in the last page of the memory");
	memcpy(&d, s.hwpts[1].data_bytes, sizeof(d));
	/* STE word 0: V (bit 0), Config 0b101 (3:1), S1Fmt 0 (5:4), S1ContextPtr (51:6), S1CDMax 0 */
	is_int((long long)le64toh(d.ste[0]), (long long)(ptr | 0xb), "  STE word 0: V, Config S1, the CD table");
	/* word 1: S1DSS 0 (no SSIDs), S1CIR 0b01 (3:2), S1COR 0b01 (5:4), S1CSH 0b11 (7:6) */
	is_int((long long)le64toh(d.ste[1]), 0xd4, "  STE word 1: WBRA walks, inner shareable");
	if (is_int(ictl_spec_pt_build(ctx, &s, 0, NULL, NULL, &img), 0, "  built (%s)",
		   ictl_strerror(ctx))) {
		is_int((long long)img.cd, (long long)ptr, "  the build puts it there");
		is_int((long long)img.len, (long long)size, "  the image is the whole table memory");
		ictl_pt_image_src(&img, &span, &src);
		tab.base = ptr;
		if (is_int(ictl_smmu_cd_addr(ctx, &tab, &src, 0, &cda), 0, "  CD 0 is found")) {
			memcpy(cdw, img.mem + (cda - img.base), sizeof(cdw));
			if (is_int(ictl_smmu_cd_decode(ctx, cdw, &cd), 0, "  a legal CD (%s)",
				   ictl_strerror(ctx)))
				ok(cd.valid && cd.ttb0 == 0x100000 && cd.granule == 14 &&
					   cd.t0sz == 64 - 48,
				   "  CD 0: valid, TTB0 the root, 16K granule, 48-bit input");
		}
		ictl_pt_image_clear(&img);
	}
	ictl_spec_clear(&s);
}

static void amd_table(void)
{
	static const char text[] = NEST_HEAD
		"  - {name: n, viommu: v, device: d, data: {type: amd-guest, table: gt}}\n"
		"page_tables: [{name: gt, format: x86-64, ioas: r, at: 0x100000,\n"
		"  mappings: [{iova: 0, size: 4K, to: m}]}]\n";
	struct ictl_iommu_hwpt_amd_guest d;
	struct ictl_pt_image img;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	uint64_t ptr, cr3 = 0, gcr3;
	struct ictl_spec s;

	if (!is_int(parse(text, &s), 0, "amd-guest: table names a table (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	ptr = ictl_spec_pt_ptr(&s, 0);
	memcpy(&d, s.hwpts[1].data_bytes, sizeof(d));
	/* DTE: V (0), GV (55), GIOV (54); GCR3[14:12] in 60:58, [30:15] in w1 31:16, [51:31] in 63:43 */
	ok((d.dte[0] & 1) && (d.dte[0] >> 55 & 1) && (d.dte[0] >> 54 & 1), "  DTE: V, GV, GIOV");
	gcr3 = ((d.dte[0] >> 58) & 7) << 12 | ((d.dte[1] >> 16) & 0xffff) << 15 |
	       ((d.dte[1] >> 43) & 0x1fffff) << 31;
	is_int((long long)gcr3, (long long)ptr, "  its GCR3 table root is the last page of the memory");
	is_int((long long)(d.dte[2] >> 54 & 3), 0, "  GuestPagingMode 4-level");
	if (is_int(ictl_spec_pt_build(ctx, &s, 0, NULL, NULL, &img), 0, "  built")) {
		ictl_pt_image_src(&img, &span, &src);
		is_int(ictl_amd_gcr3_lookup(ctx, &src, ptr, 0, 0, &cr3), 0, "  PASID 0 is in it");
		is_int((long long)cr3, 0x100000, "  and is the table's root");
		ictl_pt_image_clear(&img);
	}
	ictl_spec_clear(&s);
}

static void nested_refusals(void)
{
	stops(NEST_HEAD "  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: nope}}\n",
	      6, 68, "hwpts[1].data.pgtbl", "no page table is named 'nope'");
	stops(NEST_HEAD "  - {name: n, viommu: v, device: d, data: {type: arm-smmuv3, table: 0x1000}}\n",
	      6, 69, "hwpts[1].data.table", "table: names a table of page_tables:");
	stops(NEST_HEAD "  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: gt, addr_width: 57}}\n"
	      "page_tables: [{name: gt, format: x86-64, ioas: r, at: 0x100000}]\n",
	      6, 84, "hwpts[1].data.addr_width", "its addr_width is 48, not 57");
	stops(NEST_HEAD "  - {name: n, viommu: v, device: d, data: {type: arm-smmuv3, table: gt}}\n"
	      "page_tables: [{name: gt, format: arm-lpae-s1, ioas: r, at: 0x100000, size: 4K}]\n",
	      6, 69, "hwpts[1].data.table", "give it at least 8 KiB");
}

/* Nested data naming an at: auto table: built at 0 by the parse, again for the kernel's IOVA. */
static void auto_nested(void)
{
	static const char vtd[] = NEST_HEAD
		"  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: gt, flags: [sre]}}\n"
		"page_tables: [{name: gt, format: x86-64, ioas: r, at: auto,\n"
		"  mappings: [{iova: 0, size: 2M, to: m}]}]\n";
	static const char smmu[] = NEST_HEAD
		"  - {name: n, viommu: v, device: d, data: {type: arm-smmuv3, table: gt}}\n"
		"page_tables: [{name: gt, format: arm-lpae-s1, ioas: r,\n"
		"  mappings: [{iova: 0, size: 2M, to: m}]}]\n";
	struct ictl_iommu_hwpt_vtd_s1 s1, back;
	struct ictl_iommu_hwpt_arm_smmuv3 d;
	uint8_t out[ICTL_NESTED_DATA_MAX];
	uint64_t size = 0;
	uint32_t len = 0;
	struct ictl_spec s;

	if (is_int(parse(vtd, &s), 0, "intel-vtd data naming an at: auto table parses (%s)",
		   ictl_strerror(ctx))) {
		memcpy(&s1, s.hwpts[1].data_bytes, sizeof(s1));
		is_int((long long)s1.pgtbl_addr, 0, "  the parse built it for memory at 0");
		if (is_int(ictl_spec_nested_data_at(ctx, &s, 1, 0x7fe00000, out, &len), 0,
			   "  built again for the kernel's IOVA (%s)", ictl_strerror(ctx))) {
			memcpy(&back, out, sizeof(back));
			is_int((long long)back.pgtbl_addr, 0x7fe00000, "  pgtbl_addr: the root there");
			ok(len == s.hwpts[1].data_len && back.flags == s1.flags &&
				   back.addr_width == s1.addr_width,
			   "  the rest as the parse made it");
			ok(!s.ptables[0].at.set && !memcmp(&s1, s.hwpts[1].data_bytes, sizeof(s1)),
			   "  the spec is left alone");
		}
	}
	ictl_spec_clear(&s);
	if (is_int(parse(smmu, &s), 0, "an SMMUv3 STE naming a table without at: parses (%s)",
		   ictl_strerror(ctx))) {
		ictl_spec_pt_size(ctx, &s, 0, &size);
		if (is_int(ictl_spec_nested_data_at(ctx, &s, 1, 0x80000000, out, &len), 0,
			   "  built again for the kernel's IOVA")) {
			memcpy(&d, out, sizeof(d));
			is_int((long long)le64toh(d.ste[0]), (long long)((0x80000000 + size - 4096) | 0xb),
			       "  STE word 0: the CD table in the last page of the memory there");
		}
	}
	ictl_spec_clear(&s);
}

/* at: auto (or no at:): the kernel picks the memory's IOVA when apply maps it */
static void auto_at(void)
{
	static const char text[] = RAM PT "{name: t, format: x86-64, ioas: ram, at: auto,\n"
				   "      mappings: [{iova: 0, size: 2M, to: low}]}\n"
				   "  - {name: u, format: x86-64, ioas: ram, mappings: [{iova: 0, size: 4K, to: low}]}\n";
	struct ictl_pt_image img;
	struct ictl_spec s;

	if (!is_int(parse(text, &s), 0, "at: auto, and no at: at all, parse (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	ok(!s.ptables[0].at.set && !s.ptables[0].at.v && s.ptables[0].at.pos.line == 10 &&
		   !s.ptables[1].at.set && !s.ptables[1].at.pos.line,
	   "  neither is set: the kernel's choice (auto's position kept for messages)");
	if (is_int(ictl_spec_pt_build(ctx, &s, 0, NULL, NULL, &img), 0, "  built offline")) {
		ok(img.base == 0 && img.root == 0, "  offline: the tables' addresses are offsets from 0");
		ictl_pt_image_clear(&img);
	}
	if (is_int(ictl_spec_pt_build_at(ctx, &s, 0, 0x7fe00000, NULL, NULL, &img), 0,
		   "  built where the kernel put the memory")) {
		ok(img.base == 0x7fe00000 && img.root == 0x7fe00000, "  the root at the memory's IOVA");
		ictl_pt_image_clear(&img);
	}
	ictl_spec_clear(&s);
	finds(text, "page_tables[0].at", "auto: the kernel picks the IOVA of table t's",
	      "--check says the kernel picks it");
	finds(text, "page_tables[1].at", "auto: the kernel picks the IOVA of table u's",
	      "  also without at:");
	finds(text, NULL, NULL, "  and it is no error");
	finds(RAM PT "{name: t, format: 'arm-lpae-s1,granule=64K', ioas: ram, mappings: [{iova: 0, size: 64K, to: low}]}\n",
	      "page_tables[0].at", "the kernel picks a 4 KiB-aligned IOVA", "auto refused for a 64K granule");
	/* an auto table's memory is mapped after the IOAS's mappings: it takes no room from them */
	finds("ioas: [{name: r, allow: [0x1000000-0x100ffff], mappings: [{name: m, size: 64K}]}]\n"
	      PT "{name: t, format: x86-64, ioas: r, at: auto, mappings: [{iova: 0, size: 4K, to: m}]}\n",
	      NULL, NULL, "auto memory is not in the way of a kernel-chosen mapping");
	auto_nested();
}

/* --- round trips ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct rt_stat {
	uint64_t findings;
	struct ictl_pt_finding first;
};

static int on_finding(void *priv, const struct ictl_pt_finding *f)
{
	struct rt_stat *st = priv;

	if (!st->findings++)
		st->first = *f;
	return 0;
}

/*
 * A random spec for format: a parent of 1 GiB of RAM at 0x40000000, and up to
 * 24 stage-1 mappings of 1 to 600 pages at random page-aligned IOVAs, to
 * random places in it (by name and offset, or by IOVA), with 1 in 4 read-only.
 */
static char *random_spec(const char *format, unsigned int granule, uint64_t ias_mask)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	uint64_t g = 1ull << granule, used[24][2];
	unsigned int n = 1 + (unsigned int)(rnd() % 24), k = 0;

	len += (size_t)snprintf(buf + len, cap - len,
				"ioas:\n  - name: ram\n    mappings: [{name: ram0, iova: 0x40000000, size: 1G}]\n"
				"page_tables:\n  - name: t\n    format: '%s'\n    ioas: ram\n    at: 0x100000000\n"
				"    mappings:\n",
				format);
	while (k < n) {
		uint64_t pages = 1 + rnd() % 600, size = pages * g;
		uint64_t iova = (rnd() & ias_mask) & ~(g - 1);
		uint64_t off = (rnd() % ((1ull << 30) - size)) & ~(g - 1);
		bool clash = false;

		if (rnd() % 3 == 0)	/* large pages, now and then */
			iova &= ~((g << 9) - 1), off &= ~((g << 9) - 1);
		if (iova + size - 1 < iova || (iova + size - 1) > ias_mask)
			continue;
		for (unsigned int i = 0; i < k; i++)
			clash |= iova <= used[i][1] && used[i][0] <= iova + size - 1;
		if (clash)
			continue;
		used[k][0] = iova;
		used[k][1] = iova + size - 1;
		k++;
		if (rnd() & 1)
			len += (size_t)snprintf(buf + len, cap - len,
						"      - {iova: %#" PRIx64 ", size: %#" PRIx64
						", to: ram0+%#" PRIx64 "%s}\n",
						iova, size, off, rnd() % 4 ? "" : ", access: r");
		else
			len += (size_t)snprintf(buf + len, cap - len,
						"      - {iova: %#" PRIx64 ", size: %#" PRIx64
						", to: %#" PRIx64 "%s}\n",
						iova, size, 0x40000000 + off, rnd() % 4 ? "" : ", access: r");
	}
	return buf;
}

static void round_trip(const char *format, unsigned int granule, uint64_t ias_mask, int runs)
{
	int clean = 0, built = 0, checked = 0, exact = 0;

	for (int i = 0; i < runs; i++) {
		char *text = random_spec(format, granule, ias_mask);
		struct ictl_spec_findings f = { 0 };
		struct ictl_pt_check_stats stats;
		struct ictl_pt_span span;
		struct ictl_pt_src src;
		struct ictl_pt_image img;
		struct ictl_pt_maps maps;
		struct rt_stat st = { 0 };
		struct ictl_pt_check_opts o = { 0 };
		struct ictl_spec s;
		uint64_t size = 0;

		if (parse(text, &s) || ictl_spec_check(ctx, &s, NULL, &f) || f.nerrors) {
			printf("# %s\n# %s\n", text, f.n ? f.v[0].message : ictl_strerror(ctx));
			goto next;
		}
		clean++;
		if (ictl_spec_pt_build(ctx, &s, 0, NULL, NULL, &img)) {
			printf("# build: %s\n", ictl_strerror(ctx));
			goto next;
		}
		built++;
		ictl_spec_pt_size(ctx, &s, 0, &size);
		ictl_spec_pt_maps(ctx, &s, 0, NULL, NULL, &maps);
		ictl_pt_image_src(&img, &span, &src);
		o.cfg = &img.cfg;
		o.src = &src;
		o.root = img.root;
		o.maps = &maps;
		o.expect_pages = img.page_sizes;
		if (!ictl_pt_check(ctx, &o, on_finding, &st, &stats) && !st.findings &&
		    img.len <= size)
			checked++;
		else
			printf("# %s: %" PRIu64 " findings, the first: %s (tables 0x%zx, size 0x%" PRIx64
			       ")\n",
			       format, st.findings, st.first.msg, img.len, size);
		if (img.base == 0x100000000ull && img.root == img.base)
			exact++;
		ictl_pt_maps_clear(&maps);
		ictl_pt_image_clear(&img);
next:
		ictl_spec_findings_clear(&f);
		ictl_spec_clear(&s);
		free(text);
	}
	is_int(clean, runs, "%s: %d random specs check clean", format, runs);
	is_int(built, runs, "%s: each builds", format);
	is_int(checked, runs, "%s: each reads back as exactly its mappings, with the largest pages, inside its size", format);
	is_int(exact, runs, "%s: each at its at: IOVA, root first", format);
}

int main(void)
{
	if (ictl_ctx_new(&ctx, "tests/fixtures/intel-server") < 0) {
		printf("1..0 # skip no fixture tests/fixtures/intel-server (run from the top of the tree)\n");
		return 0;
	}
	model();
	parse_errors();
	checks();
	sizes();
	resolves();
	vtd_table();
	smmu_table();
	amd_table();
	nested_refusals();
	auto_at();
	round_trip("x86-64", 12, (1ull << 47) - 1, 40);
	round_trip("x86-64,levels=5", 12, (1ull << 56) - 1, 20);
	round_trip("arm-lpae-s1,granule=4K", 12, (1ull << 48) - 1, 30);
	round_trip("arm-lpae-s1,granule=16K", 14, (1ull << 47) - 1, 20);
	round_trip("arm-lpae-s1,granule=64K,ias=42", 16, (1ull << 42) - 1, 20);
	round_trip("amd-v1", 12, (1ull << 48) - 1, 20);
	round_trip("vtd-ss", 12, (1ull << 48) - 1, 20);
	ictl_ctx_free(ctx);
	return done_testing();
}
