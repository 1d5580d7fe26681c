// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs (src/lib/spec-*.c): numbers and sizes, the model the parser builds,
 * where it stops on bad input, the static checks, the vendor builders' bytes
 * against hand-computed structures, and the host checks over a hand-made env.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "spec.h"
#include "uapi/iommufd.h"
#include "tap.h"
#include "spec-finds.h"

static struct ictl_ctx *ctx;

/* Parse text; the result, and the spec in *s (cleared by the caller). */
static int parse(const char *text, struct ictl_spec *s)
{
	return ictl_spec_parse(ctx, "t.yaml", text, strlen(text), s);
}

static void numbers(void)
{
	static const struct {
		const char *in;
		bool size;
		int r;
		uint64_t v;
	} t[] = {
		{ "0", false, 0, 0 },
		{ "4096", false, 0, 4096 },
		{ "0x1000", false, 0, 0x1000 },
		{ "0XfF", false, 0, 0xff },
		{ "010", false, 0, 10 },			/* decimal, never octal */
		{ "18446744073709551615", false, 0, UINT64_MAX },
		{ "18446744073709551616", false, -ERANGE, 0 },
		{ "0xffffffffffffffff", false, 0, UINT64_MAX },
		{ "0x10000000000000000", false, -ERANGE, 0 },
		{ "64K", true, 0, 65536 },
		{ "2M", true, 0, 2 << 20 },
		{ "1G", true, 0, 1 << 30 },
		{ "1T", true, 0, 1ULL << 40 },
		{ "16777215T", true, 0, 16777215ULL << 40 },
		{ "16777216T", true, -ERANGE, 0 },		/* 2^24 * 2^40 = 2^64 */
		{ "64K", false, -EINVAL, 0 },			/* a plain number takes no suffix */
		{ "0x10M", true, -EINVAL, 0 },			/* hex takes no suffix */
		{ "1.5G", true, -EINVAL, 0 },
		{ "-1", true, -EINVAL, 0 },
		{ "+1", false, -EINVAL, 0 },
		{ "", false, -EINVAL, 0 },
		{ "0x", false, -EINVAL, 0 },
		{ "1KB", true, -EINVAL, 0 },
		{ "1k", true, -EINVAL, 0 },
		{ " 1", false, -EINVAL, 0 },
		{ "1 ", false, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t v = 0;
		int r = ictl_spec_parse_u64(t[i].in, t[i].size, &v);

		if (is_int(r, t[i].r, "'%s' as a %s: %s", t[i].in, t[i].size ? "size" : "number",
			   t[i].r ? "refused" : "accepted") && !r)
			ok(v == t[i].v, "  ...is %#llx", (unsigned long long)v);
	}
}

static const char full[] =
	"version: 1\n"
	"options: {rlimit_mode: process}\n"
	"devices:\n"
	"  - {name: nic0, device: '01:00.0'}\n"
	"  - {name: m0, mock: {ioas: other, flags: [pasid, no-dirty]}}\n"
	"ioas:\n"
	"  - name: ram\n"
	"    allow: [0x0-0x7fffffff, {start: 0x100000000, size: 1G}, {start: 4K, last: 0x1fff}]\n"
	"    huge_pages: false\n"
	"    mappings:\n"
	"      - {name: low, iova: 0x0, size: 1G, memory: memfd, access: rw}\n"
	"      - {iova: 0x40000000, size: 2M, memory: hugetlb-2M, access: r}\n"
	"      - {size: 64K}\n"
	"      - {iova: 0x50000000, size: 4M, memory: {file: /fw.img, offset: 8K}, access: w}\n"
	"  - name: other\n"
	"    mappings:\n"
	"      - {iova: 0x1000000, size: 4K, copy: {ioas: ram, iova: 0x1000}}\n"
	"      - {iova: 0x2000000, size: 8K, copy: {mapping: low, offset: 0x3000}}\n"
	"faults: [{name: f0}]\n"
	"hwpts:\n"
	"  - {name: s2, ioas: ram, device: nic0, flags: [dirty-tracking, nest-parent]}\n"
	"  - {name: s1, parent: s2, device: nic0, fault: f0, flags: [pasid],\n"
	"     data: {type: intel-vtd, pgtbl: 0x7ff00000, addr_width: 57, flags: [sre, wpe]}}\n"
	"viommus: [{name: v0, type: arm-smmuv3, device: nic0, parent: s2}]\n"
	"vdevices: [{viommu: v0, device: nic0, virt_id: 0x10}]\n"
	"veventqs: [{name: q0, viommu: v0, depth: 64}]\n"
	"attach:\n"
	"  - {device: nic0, hwpt: s1}\n"
	"  - {device: nic0, hwpt: s1, pasid: 7}\n"
	"  - {device: m0, ioas: other}\n";

static void model(void)
{
	struct ictl_spec s;
	int r = parse(full, &s);

	if (!is_int(r, 0, "a spec with every section parses (%s)", ictl_strerror(ctx))) {
		ictl_spec_clear(&s);
		return;
	}
	is_int(s.rlimit_mode, 1, "rlimit_mode: process is 1");
	is_str(s.devices[0].device, "0000:01:00.0", "the device name is canonical");
	ok(s.devices[1].mock && s.devices[1].mock_ioas.idx == 1, "the mock is plugged into IOAS 1");
	is_int(s.devices[1].mock_flags, ICTL_MOCK_FLAGS_DEVICE_PASID | ICTL_MOCK_FLAGS_DEVICE_NO_DIRTY,
	       "the mock's flags are the kernel's MOCK_FLAGS_DEVICE_*");
	is_int(s.ioas[0].nallow, 3, "three allow ranges");
	ok(s.ioas[0].allow[1].start == 0x100000000 && s.ioas[0].allow[1].last == 0x13fffffff,
	   "{start, size} is an inclusive range");
	ok(s.ioas[0].allow[2].start == 0x1000 && s.ioas[0].allow[2].last == 0x1fff,
	   "{start, last}, with a size suffix on start");
	is_int(s.ioas[0].huge_pages, ICTL_NO, "huge_pages: false");
	ok(s.ioas[0].maps[0].size.v == 1ULL << 30 && s.ioas[0].maps[0].memory == ICTL_SPEC_MEM_MEMFD,
	   "a 1G memfd mapping");
	is_int(s.ioas[0].maps[1].access, ICTL_SPEC_ACCESS_READ, "access: r");
	ok(!s.ioas[0].maps[2].iova.set && s.ioas[0].maps[2].memory == ICTL_SPEC_MEM_ANON &&
	   s.ioas[0].maps[2].access == (ICTL_SPEC_ACCESS_READ | ICTL_SPEC_ACCESS_WRITE),
	   "no iova, memory and access: kernel-chosen, anon, rw");
	ok(s.ioas[0].maps[3].memory == ICTL_SPEC_MEM_FILE && !strcmp(s.ioas[0].maps[3].file, "/fw.img") &&
	   s.ioas[0].maps[3].offset.v == 8192, "a file mapping with its offset");
	ok(s.ioas[1].maps[0].copy_ioas.idx == 0 && s.ioas[1].maps[0].copy_iova.v == 0x1000 &&
	   s.ioas[1].maps[0].copy_mapping == -1, "copy: {ioas, iova}");
	ok(s.ioas[1].maps[1].copy_ioas.idx == 0 && s.ioas[1].maps[1].copy_mapping == 0 &&
	   s.ioas[1].maps[1].copy_iova.v == 0x3000, "copy: {mapping, offset} resolves the mapping's IOAS");
	is_int(s.hwpts[0].flags, ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT | ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	       "HWPT flags are the kernel's bits");
	ok(s.hwpts[0].flag_idx[0] == 1 && s.hwpts[0].flag_idx[1] == 0, "  ...with their index in the list");
	ok(s.hwpts[1].parent.idx == 0 && s.hwpts[1].fault.idx == 0 && s.hwpts[1].device.idx == 0,
	   "the nested HWPT's parent, fault and device are resolved");
	ok(s.viommus[0].type == ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3 && s.viommus[0].parent.idx == 0,
	   "the vIOMMU");
	is_int(s.veventqs[0].type, ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
	       "a vEVENTQ without type takes its vIOMMU's");
	ok(s.attach[1].pasid.set && s.attach[1].pasid.v == 7 && s.attach[2].ioas.idx == 1,
	   "attach with a PASID, and to an IOAS");
	ok(s.ioas[0].maps[1].pos.line == 12 && s.ioas[0].maps[1].pos.column == 9,
	   "positions are 1-based line and column");
	ictl_spec_clear(&s);
}

/* Build data of a nested HWPT; returns the data length (or the error). */
static int build(const char *data, struct ictl_spec *s)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "devices: [{name: d, device: '00:02.0'}]\n"
		 "ioas: [{name: r}]\n"
		 "hwpts:\n"
		 "  - {name: p, ioas: r, device: d, flags: [nest-parent]}\n"
		 "  - {name: n, parent: p, device: d, data: %s}\n", data);
	return parse(text, s) ?: (int)s->hwpts[1].data_len;
}

/* The bytes of the nested HWPT built, against want. */
static void bytes_are(const char *data, const uint8_t *want, size_t n, uint32_t type,
		      const char *what)
{
	struct ictl_spec s;
	int r = build(data, &s);

	if (is_int(r, (int)n, "%s: %zu bytes (%s)", what, n, r < 0 ? ictl_strerror(ctx) : "built")) {
		ok(!memcmp(s.hwpts[1].data_bytes, want, n), "  ...as computed by hand");
		is_int(s.hwpts[1].data_type, type, "  ...of type %u", type);
	}
	ictl_spec_clear(&s);
}

/* A nested data that the builder refuses, with text in the message. */
static void refused(const char *data, const char *text, const char *what)
{
	struct ictl_spec s;
	int r = build(data, &s);

	is_int(r, -EINVAL, "%s is refused", what);
	ok(strstr(ictl_strerror(ctx), text) != NULL, "  ...saying '%s' (%s)", text,
	   ictl_strerror(ctx));
	ictl_spec_clear(&s);
}

#define LE64(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24), \
		(uint8_t)((v) >> 32), (uint8_t)((v) >> 40), (uint8_t)((v) >> 48), (uint8_t)((v) >> 56)

static void vendors(void)
{
	/* struct iommu_hwpt_vtd_s1: u64 flags (SRE 1 | WPE 4), u64 pgtbl_addr, u32 width, u32 0 */
	static const uint8_t vtd[] = { LE64(5ULL), LE64(0x7ff00000ULL), 57, 0, 0, 0, 0, 0, 0, 0 };
	/*
	 * SMMUv3 STE word 0: V (bit 0) | Config 0b101 (bits 3:1, 0xa) | S1ContextPtr
	 * 0x7ff00000 (bits 51:6) | S1CDMax 4 (bits 63:59: 4 << 59 = 0x2000000000000000).
	 * Word 1: S1DSS ssid0 2 | S1CIR wbra 1 << 2 | S1COR wbra 1 << 4 | S1CSH ish 3 << 6
	 * = 0xd6, S1STALLD bit 27 (0x8000000), EATS trans 1 << 28 (0x10000000).
	 */
	static const uint8_t ste[] = { LE64(0x200000007ff0000bULL), LE64(0x180000d6ULL) };
	static const uint8_t ste_raw[] = { LE64(0x7ff0000bULL), LE64(0x2ULL) };
	/*
	 * AMD guest DTE with gcr3 0x123456789000: bits 14:12 (1) at word 0 bits
	 * 60:58, bits 30:15 (0xacf1) at word 1 bits 31:16, bits 51:31 (0x2468) at
	 * word 1 bits 63:43.  Word 0: V | PPR (52) | GIOV (54) | GV (55) | GLX 1
	 * (56) | 1 << 58 = 0x05d0000000000001.  Word 1: domain 0x1234 |
	 * 0xacf10000 | 0x2468 << 43 = 0x01234000acf11234.  Word 2: 5 levels,
	 * GuestPagingMode 1 at bits 55:54 = 0x0040000000000000.
	 */
	static const uint8_t dte[] = { LE64(0x05d0000000000001ULL), LE64(0x01234000acf11234ULL),
				       LE64(0x0040000000000000ULL), LE64(0ULL) };
	/* struct iommu_hwpt_selftest: u32 iotlb, u32 pagetable_type */
	static const uint8_t mock[] = { 0x34, 0x12, 0, 0, 0, 0, 0, 0 };

	bytes_are("{type: intel-vtd, pgtbl: 0x7ff00000, addr_width: 57, flags: [sre, wpe]}", vtd,
		  sizeof(vtd), ICTL_IOMMU_HWPT_DATA_VTD_S1, "intel-vtd");
	bytes_are("{type: arm-smmuv3, config: translate, s1contextptr: 0x7ff00000, s1cdmax: 4, "
		  "s1dss: ssid0, s1cir: wbra, s1cor: wbra, s1csh: ish, s1stalld: true, eats: trans}",
		  ste, sizeof(ste), ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3, "arm-smmuv3 named fields");
	bytes_are("{type: arm-smmuv3, ste: [0x7ff0000b, 2]}", ste_raw, sizeof(ste_raw),
		  ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3, "arm-smmuv3 raw words");
	bytes_are("{type: amd-guest, gcr3: 0x123456789000, glx: 1, levels: 5, domain_id: 0x1234, "
		  "ppr: true, giov: true}", dte, sizeof(dte), ICTL_IOMMU_HWPT_DATA_AMD_GUEST,
		  "amd-guest named fields");
	/* the mock is tested on its own below: it needs a mock device */
	(void)mock;

	refused("{type: intel-vtd}", "needs pgtbl", "intel-vtd without pgtbl");
	refused("{type: intel-vtd, pgtbl: 0x1001}", "not 4 KiB aligned", "an unaligned stage-1 table");
	refused("{type: intel-vtd, pgtbl: 0x1000, addr_width: 39}", "48 (4-level) or 57", "width 39");
	refused("{type: intel-vtd, pgtbl: 0x1000, flags: [wpe]}", "only with sre", "wpe without sre");
	refused("{type: intel-vtd, pgtbl: 0x1000, flags: [sre, sre]}", "given twice", "a flag twice");
	refused("{type: intel-vtd, pgtbl: 0x1000, levels: 4}", "unknown key 'levels'", "a key of AMD's");
	refused("{type: arm-smmuv3, ste: [0x1, 0x80000]}", "word 1 sets bits 0x80000",
		"STE.MEV (a field the kernel keeps to itself)");
	refused("{type: arm-smmuv3, ste: [0xd, 0]}", "not abort (0b000), bypass", "STE.Config 0b110");
	refused("{type: arm-smmuv3, ste: [0x1, 0x20000000]}", "EATS 2", "split-stage ATS");
	refused("{type: arm-smmuv3, ste: [1]}", "list of 2 64-bit words", "one STE word");
	refused("{type: arm-smmuv3, ste: [1, 0], config: abort}", "not both", "raw and named");
	refused("{type: arm-smmuv3, config: translate, s1contextptr: 0x7ff00020}", "64-byte aligned",
		"an unaligned CD table");
	refused("{type: arm-smmuv3, config: s2}", "not one of: abort, bypass, translate",
		"config: s2");
	refused("{type: amd-guest, dte: [0x80000000000001, 0, 0, 0]}", "needs the GCR3 table",
		"V and GV without GCR3");
	refused("{type: amd-guest, dte: [0x201, 0, 0, 0]}", "DTE.Mode", "a guest DTE with Mode");
	refused("{type: amd-guest, dte: [0x1000, 0, 0, 0]}", "HostPageTableRootPtr", "a host pointer");
	refused("{type: amd-guest, dte: [0x300000000000000, 0, 0, 0]}", "GLX (word 0 bits 57:56) = 3",
		"GLX 3");
	refused("{type: amd-guest, dte: [0, 0, 0x80000000000000, 0]}", "GuestPagingMode",
		"GuestPagingMode 2");
	refused("{type: amd-guest, gcr3: 0x1000, levels: 6}", "out of range", "6 levels");
	refused("{type: amd-guest}", "needs the GCR3 table", "a valid guest DTE without gcr3");
	refused("{type: vtd}", "not a nested data type", "an unknown data type");

	struct ictl_spec s;
	int r = parse("devices: [{name: m, mock: {}}]\nioas: [{name: r}]\n"
		      "hwpts: [{name: p, ioas: r, device: m, flags: [nest-parent]},\n"
		      "        {name: n, parent: p, device: m, data: {type: selftest, iotlb: 0x1234}}]\n",
		      &s);

	if (is_int(r, 0, "selftest data parses (%s)", ictl_strerror(ctx)))
		ok(s.hwpts[1].data_len == sizeof(mock) && !memcmp(s.hwpts[1].data_bytes, mock, sizeof(mock)) &&
		   s.hwpts[1].data_type == ICTL_IOMMU_HWPT_DATA_SELFTEST, "  ...into struct iommu_hwpt_selftest");
	ictl_spec_clear(&s);
}

/* The first error of a parse: its line, column, path and a part of its message. */
static void stops(const char *text, unsigned int line, unsigned int col, const char *path,
		  const char *msg)
{
	struct ictl_spec s;
	int r = parse(text, &s);

	if (is_int(r, -EINVAL, "stops at %u:%u %s", line, col, path))
		ok(s.err_pos.line == line && s.err_pos.column == col && !strcmp(s.err_path, path) &&
		   strstr(s.err_msg, msg), "  ...%u:%u '%s': %s", s.err_pos.line, s.err_pos.column,
		   s.err_path, ictl_strerror(ctx));
	ictl_spec_clear(&s);
}

static void parse_errors(void)
{
	stops("ioas: [{name: r, mappings: [{size: 1.5G}]}]\n", 1, 36, "ioas[0].mappings[0].size",
	      "is not a size");
	stops("ioas:\n  - name: r\n    mapings: []\n", 3, 5, "ioas[0]", "unknown key 'mapings'");
	stops("hwpts: [{name: h, ioas: x, device: d}]\n", 1, 25, "hwpts[0].ioas",
	      "no IOAS is named 'x'");
	stops("ioas: [{name: r}]\nhwpts: [{name: h, ioas: r, device: r}]\n", 2, 36, "hwpts[0].device",
	      "'r' is an IOAS, not a device");
	stops("ioas: [{name: r}, {name: r}]\n", 1, 19, "ioas[1].name", "the name 'r' is taken");
	stops("a: [1\n", 2, 1, "", "YAML syntax");
	stops("", 1, 1, "", "the spec is empty");
	stops("# only a comment\n", 1, 1, "", "the spec is empty");
	stops("[1, 2]\n", 1, 1, "", "must be a mapping of sections");
	stops("version: 2\nioas: [{name: r}]\n", 1, 10, "version", "only version 1");
	stops("attach: [{device: d, ioas: r, pasid: 0}]\n", 1, 38, "attach[0].pasid", "PASID 0");
	stops("ioas: [{name: r, allow: [0x2000-]}]\n", 1, 26, "ioas[0].allow[0]", "not a range");
}

/* Static check of text: a finding with path and message part (or none when path is NULL). */
static void finds(const char *text, const char *path, const char *msg, const char *what)
{
	spec_finds(ctx, text, path, msg, what, SPEC_FINDS_NONE);
}

#define DEV "devices: [{name: d, device: '00:02.0'}, {name: e, device: '00:03.0'}]\n"
#define DEV1 "devices: [{name: d, device: '00:02.0'}]\n"

static void checks(void)
{
	finds(DEV "ioas: [{name: r, mappings: [{name: ro, iova: 0x1000, size: 4K, access: r},\n"
	      "  {iova: 0x2000, size: 4K, copy: {mapping: ro}}]}]\n",
	      "ioas[0].mappings[1].copy", "maps read-only", "a writable copy of read-only pages");
	finds(DEV "ioas: [{name: r, huge_pages: false, mappings: [{iova: 0, size: 2M, memory: hugetlb-2M}]}]\n",
	      "ioas[0].mappings[0].memory", "huge_pages: false", "hugetlb memory without huge pages");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0, size: 8K}, {iova: 4K, size: 4K}]}]\n",
	      "ioas[0].mappings[1].iova", "overlaps mappings[0]", "overlapping mappings");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0x800, size: 4K}]}]\n",
	      "ioas[0].mappings[0].iova", "not 4 KiB aligned", "an unaligned IOVA");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0, size: 0x1800}]}]\n",
	      "ioas[0].mappings[0].size", "not a multiple of 4 KiB", "an unaligned size");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0, size: 4M, memory: hugetlb-2M}, "
	      "{iova: 1G, size: 2M, memory: hugetlb-1G}]}]\n",
	      "ioas[0].mappings[1].size", "multiple of 1 GiB", "a hugetlb-1G mapping of 2M");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0xfffffffffffff000, size: 8K}]}]\n",
	      "ioas[0].mappings[0].iova", "goes past 2^64", "an IOVA that wraps");
	finds(DEV "ioas: [{name: r, allow: [0x0-0xffff], mappings: [{iova: 0x10000, size: 4K}]}]\n",
	      "ioas[0].mappings[0].iova", "not inside this IOAS's allow ranges", "outside allow");
	finds(DEV "ioas: [{name: r, allow: [0x0-0xffff, 0x10000-0x1ffff], mappings: [{iova: 0xf000, size: 8K}]}]\n",
	      NULL, NULL, "a mapping across two adjacent allow ranges");
	finds(DEV "ioas: [{name: r, allow: [0x0-0xffff, 0x8000-0x1ffff]}]\n", "ioas[0].allow[1]",
	      "overlaps allow[0]", "overlapping allow ranges");
	finds(DEV "ioas: [{name: r, allow: [0x1000-0x1000]}]\n", "ioas[0].allow[0]",
	      "start < last", "a one-byte allow range");
	finds(DEV "ioas: [{name: r, allow: [0x1000-0x4fff], mappings: [{iova: 0x1000, size: 8K}, {size: 16K}]}]\n",
	      "ioas[0].mappings[1].size", "no room", "no room for a kernel-chosen IOVA");
	finds(DEV "ioas: [{name: r, allow: [0x0-0x3fffff], mappings: [{iova: 0x100000, size: 4K},\n"
	      "  {size: 2M, memory: hugetlb-2M}, {size: 2M, memory: hugetlb-2M}]}]\n",
	      "ioas[0].mappings[2].size", "no room", "no 2M-aligned room for huge pages");
	finds(DEV "ioas: [{name: r, allow: [0x1000-0x4fff], mappings: [{iova: 0x1000, size: 8K}, {size: 8K}]}]\n",
	      NULL, NULL, "room for a kernel-chosen IOVA");
	finds(DEV "ioas: [{name: r, mappings: [{iova: 0x1000, size: 4K, copy: {ioas: r, iova: 0x9000}}]}]\n",
	      "ioas[0].mappings[0].copy", "is not mapped", "a copy of nothing");
	finds(DEV "ioas: [{name: r, mappings: [{name: a, iova: 0x1000, size: 4K, copy: {mapping: b}},\n"
	      "  {name: b, iova: 0x2000, size: 4K, copy: {mapping: a}}]}]\n",
	      "ioas[0].mappings[0].copy", "circular or out of order", "circular copies");
	finds(DEV "ioas: [{name: r, mappings: [{name: a, iova: 0x1000, size: 4K}, "
	      "{iova: 0x2000, size: 8K, copy: {mapping: a}}]}]\n",
	      "ioas[0].mappings[1].copy", "goes past the end of mapping a", "a copy past its source");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: a, parent: b, device: d, data: {type: intel-vtd, pgtbl: 0}},\n"
	      " {name: b, parent: a, device: d, data: {type: intel-vtd, pgtbl: 0}}]\n",
	      "hwpts[0]", "circular: a -> b -> a", "circular parents");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d},\n"
	      " {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: 0}}]\n",
	      "hwpts[1].parent", "not a nesting parent", "a parent without nest-parent");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n"
	      " {name: n, parent: p, device: d, flags: [dirty-tracking], data: {type: intel-vtd, pgtbl: 0}}]\n",
	      "hwpts[1].flags[0]", "belongs to the nest parent", "dirty-tracking on a nested HWPT");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n"
	      " {name: n, parent: p, device: d, data: {type: arm-smmuv3, config: abort}}]\n",
	      "hwpts[1].parent", "over a vIOMMU", "SMMUv3 data over a parent");
	finds(DEV "ioas: [{name: r}]\nfaults: [{name: f}]\nhwpts: [{name: p, ioas: r, device: d, "
	      "flags: [nest-parent], fault: f}]\n", "hwpts[0].fault", "takes no fault queue",
	      "a fault queue on a nest parent");
	finds(DEV "ioas: [{name: r}]\nfaults: [{name: f}]\n", "faults[0]", "used by no HWPT",
	      "an unused fault queue");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d}]\n"
	      "viommus: [{name: v, device: d, parent: p}]\n", "viommus[0].parent", "not a nesting parent",
	      "a vIOMMU over a paging HWPT");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]}]\n"
	      "viommus: [{name: v, device: d, parent: p}]\n"
	      "vdevices: [{viommu: v, device: d, virt_id: 1}, {viommu: v, device: d, virt_id: 2}]\n",
	      "vdevices[1].device", "one per device", "two vDevices of one device");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]}]\n"
	      "viommus: [{name: v, device: d, parent: p}]\n"
	      "vdevices: [{viommu: v, device: d, virt_id: 1}, {viommu: v, device: e, virt_id: 1}]\n",
	      "vdevices[1].virt_id", "one ID per device", "two vDevices with one virt_id");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]}]\n"
	      "viommus: [{name: v, type: arm-smmuv3, device: d, parent: p}]\n"
	      "veventqs: [{viommu: v, depth: 1}, {viommu: v, depth: 2}]\n", "veventqs[1]",
	      "one per type", "two vEVENTQs of one type");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d}]\n"
	      "attach: [{device: d, hwpt: p}, {device: d, ioas: r}]\n", "attach[1]",
	      "attached already", "a device attached twice");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d}]\n"
	      "attach: [{device: d, hwpt: p, pasid: 1}]\n", "attach[0].pasid",
	      "not allocated for PASIDs", "a PASID to a HWPT without pasid");
	finds(DEV "ioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [pasid]}]\n"
	      "attach: [{device: d, ioas: r}, {device: d, hwpt: p, pasid: 1}]\n", "attach[0]",
	      "its own attach needs a HWPT", "a RID attach to an IOAS beside a PASID");
	finds(DEV "ioas: [{name: r}]\nattach: [{device: d, ioas: r, pasid: 3}]\n", "attach[0].pasid",
	      "the kernel's own HWPT for an IOAS has none", "a PASID attach to an IOAS");
	finds("devices: [{name: d, device: '00:02.0'}, {name: e, device: '0000:00:02.0'}]\n"
	      "ioas: [{name: r}]\n", "devices[1].device", "is device d already", "one device twice");
	finds("devices: [{name: m, mock: {flags: [no-dirty]}}]\n"
	      "ioas: [{name: r, mappings: [{iova: 0x0, size: 4K}]}]\n"
	      "hwpts: [{name: h, ioas: r, device: m, flags: [dirty-tracking]}]\n",
	      "ioas[0].mappings[0].iova", "outside the mock domain's aperture",
	      "a mapping outside the mock's aperture");
	finds("devices: [{name: m, mock: {flags: [no-dirty]}}]\nioas: [{name: r}]\n"
	      "hwpts: [{name: h, ioas: r, device: m, flags: [dirty-tracking]}]\n",
	      "hwpts[0].flags[0]", "no-dirty", "dirty tracking of a no-dirty mock");
	finds("devices: [{name: m, mock: {}}]\nioas: [{name: r}]\n"
	      "hwpts: [{name: p, ioas: r, device: m, flags: [nest-parent]},\n"
	      " {name: n, parent: p, device: m, data: {type: intel-vtd, pgtbl: 0}}]\n",
	      "hwpts[1].data.type", "not for the mock", "VT-d data for a mock");
	finds("devices: [{name: m, mock: {}}]\nioas: [{name: r}]\n"
	      "hwpts: [{name: p, ioas: r, device: m, flags: [pasid]}]\n"
	      "attach: [{device: m, hwpt: p, pasid: 1}]\n", "attach[0].pasid",
	      "has no PASIDs", "a PASID of a mock without the pasid flag");
}

/* The examples are clean on their own. */
static void examples(void)
{
	static const char *const files[] = { "vmm-guest-ram", "intel-nested", "smmuv3-nested",
					     "amd-guest", "selftest-mock", "dpdk" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct ictl_spec_findings f = { 0 };
		char path[96];
		struct ictl_spec s;
		int r;

		snprintf(path, sizeof(path), "examples/%s.yaml", files[i]);
		r = ictl_spec_load(ctx, path, &s);
		if (is_int(r, 0, "%s parses (%s)", path, r ? ictl_strerror(ctx) : "ok")) {
			r = ictl_spec_check(ctx, &s, NULL, &f);
			ok(!r && !f.n, "  ...and has no finding of its own (%s)",
			   f.n ? f.v[0].message : "none");
		}
		ictl_spec_findings_clear(&f);
		ictl_spec_clear(&s);
	}
}

/* --- the host checks, over a hand-made env ------------------------------------------- */

/* struct iommu_hw_info_vtd: flags, reserved, cap_reg, ecap_reg (little-endian). */
static void vtd_hw(uint64_t cap, uint64_t ecap, struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	uint8_t b[24] = { 0 };

	for (int i = 0; i < 8; i++) {
		b[8 + i] = (uint8_t)(cap >> (8 * i));
		b[16 + i] = (uint8_t)(ecap >> (8 * i));
	}
	if (ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, b, sizeof(b), hi) ||
	    ictl_caps_from_hw_info(ctx, hi, caps))
		printf("# decode: %s\n", ictl_strerror(ctx));
}

/* Check text against one device d0 with hi/caps and group g; the finding at path. */
static void host_finds(const char *text, struct ictl_spec_env *env, const char *path,
		       const char *msg, const char *source, enum ictl_spec_class cls, const char *what)
{
	struct ictl_spec_findings f = { 0 };
	struct ictl_spec s;
	const struct ictl_spec_finding *hit = NULL;
	int r = parse(text, &s);

	if (!is_int(r, 0, "%s: parses (%s)", what, r ? ictl_strerror(ctx) : "ok")) {
		ictl_spec_clear(&s);
		return;
	}
	env->ndevs = s.ndevices;
	r = ictl_spec_check(ctx, &s, env, &f);
	for (size_t i = 0; i < f.n && !hit; i++) {
		if (path && !strcmp(f.v[i].path, path) && strstr(f.v[i].message, msg))
			hit = &f.v[i];
	}
	if (!path)
		ok(!r && !f.nerrors, "%s: no error (%s)", what, f.nerrors ? f.v[0].message : "none");
	else if (ok(!r && hit && hit->cls == cls, "%s: %s says '%s'", what, path, msg))
		is_str(hit->source, source, "  ...from %s", source);
	for (size_t i = 0; path && !hit && i < f.n; i++)
		printf("#   %s: %s [%s]\n", f.v[i].path, f.v[i].message, f.v[i].source);
	ictl_spec_findings_clear(&f);
	ictl_spec_clear(&s);
}

static void host(void)
{
	/* QEMU's intel-iommu: cap 0xd2008c22260286, legacy ecap 0xf00f4a (no NEST, no FLTS). */
	struct ictl_hw_info qemu, nest;
	struct ictl_caps qcaps, ncaps;
	struct ictl_resv_region resv[] = { { 0xfee00000, 0xfeefffff, "msi" },
					   { 0x0, 0xffffff, "direct-relaxable" } };
	struct ictl_group g = { .id = 7, .nresv = 2, .resv = resv };
	struct ictl_device dev = { .name = "0000:00:02.0", .iommu = "dmar0", .group = 7 };
	struct ictl_spec_env_dev ed[2] = { { .dev = &dev, .group = &g } };
	struct ictl_spec_env env = { .devs = ed, .mock = ICTL_NO, .mock_note = "no unit" };
	const char *nested = DEV "ioas: [{name: r, mappings: [{iova: 0, size: 1M}]}]\n"
			     "hwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n"
			     " {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: 0x1000, "
			     "addr_width: 57, flags: [sre]}}]\n";

	vtd_hw(0xd2008c22260286ULL, 0xf00f4aULL, &qemu, &qcaps);
	/* scalable mode with NEST (26), FLTS (47), SLADS (45), SMPWCS (48); no FL5LP, no SRS */
	vtd_hw(0xd2008c22260286ULL, 0x480000f00f4aULL | 1ULL << 26 | 1ULL << 47 | 1ULL << 45 |
			1ULL << 48, &nest, &ncaps);
	ed[0].hi = &qemu;
	ed[0].caps = &qcaps;
	ed[1].missing = true;
	host_finds(nested, &env, "hwpts[0].flags[0]", "cannot be a nesting parent",
		   "ecap_reg.NEST (bit 26) = 0", ICTL_SPEC_CLASS_HOST, "nest-parent on QEMU's VT-d");
	host_finds(nested, &env, "devices[1].device", "not on this system", "",
		   ICTL_SPEC_CLASS_MISSING, "a device that is not there");
	ed[0].hi = &nest;
	ed[0].caps = &ncaps;
	host_finds(nested, &env, "hwpts[1].data", "addr_width 57 (5-level) needs cap_reg.FL5LP",
		   "cap_reg.FL5LP (bit 60) = 0", ICTL_SPEC_CLASS_HOST, "a 5-level stage 1 without FL5LP");
	host_finds(DEV1 "ioas: [{name: r}]\nhwpts: [{name: h, ioas: r, device: d, flags: [dirty-tracking]}]\n",
		   &env, NULL, NULL, NULL, ICTL_SPEC_CLASS_HOST, "dirty tracking with SLADS and SMPWCS");
	host_finds(DEV "ioas: [{name: r, mappings: [{iova: 0xfee00000, size: 4K}]}]\n"
		   "attach: [{device: d, ioas: r}]\n", &env, "ioas[0].mappings[0].iova",
		   "overlaps the msi region", "reserved region msi 0xfee00000-0xfeefffff of group 7",
		   ICTL_SPEC_CLASS_HOST, "a mapping on the MSI window");
	host_finds(DEV "ioas: [{name: r, allow: [0xf0000000-0xffffffff]}]\n"
		   "attach: [{device: d, ioas: r}]\n", &env, "ioas[0].allow[0]",
		   "the kernel refuses the attach (EADDRINUSE)",
		   "reserved region msi 0xfee00000-0xfeefffff of group 7", ICTL_SPEC_CLASS_HOST,
		   "an allow range over the MSI window");
	host_finds(DEV1 "ioas: [{name: r, mappings: [{iova: 0x0, size: 1M}]}]\n"
		   "attach: [{device: d, ioas: r}]\n", &env, NULL, NULL, NULL, ICTL_SPEC_CLASS_HOST,
		   "a mapping on a direct-relaxable region (the kernel leaves those out)");
	host_finds(DEV "ioas: [{name: r, allow: [0xfed00000-0xfeffffff], mappings: [{size: 1M}]}]\n"
		   "attach: [{device: d, ioas: r}]\n", &env, "ioas[0].allow[0]",
		   "overlaps the msi region", "reserved region msi 0xfee00000-0xfeefffff of group 7",
		   ICTL_SPEC_CLASS_HOST, "room only in the MSI window");
	host_finds("devices: [{name: m, mock: {}}]\nioas: [{name: r}]\n", &env, "devices[0].mock",
		   "CONFIG_IOMMUFD_TEST", "CONFIG_IOMMUFD_TEST", ICTL_SPEC_CLASS_HOST,
		   "a mock without the selftest");
	env.have_ioctls = true;
	env.ioctls = 0x1ff;	/* up to IOMMU_HWPT_ALLOC (0x89): no MAP_FILE (0x8f) */
	host_finds(DEV "ioas: [{name: r, mappings: [{iova: 0, size: 4K, memory: memfd}]}]\n", &env,
		   "ioas[0].mappings[0].memory", "needs IOMMU_IOAS_MAP_FILE", "", ICTL_SPEC_CLASS_HOST,
		   "memfd on a kernel without MAP_FILE");
	ictl_hw_info_clear(&qemu);
	ictl_hw_info_clear(&nest);
}

/* --- files ------------------------------------------------------------------------------ */

static void files(void)
{
	char dir[] = "/tmp/test-spec.XXXXXX", p[64];
	struct ictl_spec s;
	int fd;

	if (!mkdtemp(dir)) {
		skip(4, "no temporary directory");
		return;
	}
	is_int(ictl_spec_load(ctx, dir, &s), -EISDIR, "a directory is refused");
	ictl_spec_clear(&s);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	if (mkfifo(p, 0600) == 0) {
		is_int(ictl_spec_load(ctx, p, &s), -EINVAL, "a FIFO is refused without blocking");
		ictl_spec_clear(&s);
		unlink(p);
	} else {
		skip(1, "mkfifo failed");
	}
	snprintf(p, sizeof(p), "%s/big.yaml", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && ftruncate(fd, ICTL_SPEC_MAX_BYTES + 1) == 0) {
		is_int(ictl_spec_load(ctx, p, &s), -EFBIG, "a file past %d bytes is refused",
		       ICTL_SPEC_MAX_BYTES);
		ok(strstr(ictl_strerror(ctx), "big.yaml") != NULL, "  ...by name");
	} else {
		skip(2, "cannot make a big file");
	}
	if (fd >= 0)
		close(fd);
	ictl_spec_clear(&s);
	unlink(p);
	rmdir(dir);
	is_int(ictl_spec_load(ctx, "/nonexistent/spec.yaml", &s), -ENOENT, "a missing file");
	ictl_spec_clear(&s);
}

int main(void)
{
	if (ictl_ctx_new(&ctx, "tests/fixtures/intel-server") < 0) {
		printf("1..0 # skip no fixture tests/fixtures/intel-server (run from the top of the tree)\n");
		return 0;
	}
	numbers();
	model();
	vendors();
	parse_errors();
	checks();
	examples();
	host();
	files();
	ictl_ctx_free(ctx);
	return done_testing();
}
