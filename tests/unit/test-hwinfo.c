// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vendor table and what the library does through it (src/lib/vendor.c,
 * vendor-helpers.c, src/vendors/): lookups by kind, by hw_info type and for
 * a sysfs unit; decoding a blob of each hw_info type and reading its fields
 * back; capabilities from decoded registers; blobs and types refused.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "vendor.h"
#include "uapi/iommufd.h"
#include "tap.h"

/* --- the table ------------------------------------------------------------------ */

/* What lookups and decode rely on: a table mistake would show only on some hardware. */
static void table_is_consistent(void)
{
	size_t n = 0, nunits = 0, ntypes = 0;
	bool ok_hooks = true, unique = true;

	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++, n++) {
		const struct ictl_vendor_ops *v = e->ops;

		if (!v->kind || !v->description || !e->flags ||
		    ((e->flags & ICTL_VENDOR_UNITS) && !v->match) ||
		    ((e->flags & ICTL_VENDOR_HW_INFO) &&
		     (!v->decode_hw_info || !v->hw_info_size || !v->hw_info_type))) {
			ok_hooks = false;
			printf("# %s: flags 0x%x do not match its hooks\n", v->kind, e->flags);
		}
		if (v->hw_info_from_sysfs && !(e->flags & ICTL_VENDOR_HW_INFO))
			ok_hooks = false;
		nunits += !!(e->flags & ICTL_VENDOR_UNITS);
		ntypes += !!(e->flags & ICTL_VENDOR_HW_INFO);
		for (const struct ictl_vendor_entry *f = ictl_vendor_table; f < e; f++) {
			if (!strcmp(f->ops->kind, v->kind) ||
			    ((f->flags & e->flags & ICTL_VENDOR_HW_INFO) &&
			     f->ops->hw_info_type == v->hw_info_type)) {
				unique = false;
				printf("# %s and %s share a kind or a type\n", f->ops->kind,
				       v->kind);
			}
		}
	}
	is_int(n, 6, "the table lists 6 IOMMU types");
	is_int(nunits, 5, "  ...5 match sysfs units (Tegra241 CMDQV has none of its own)");
	is_int(ntypes, 5, "  ...5 have an hw_info type (virtio-iommu has none)");
	ok(ok_hooks, "every entry has the hooks its flags promise");
	ok(unique, "kinds and hw_info types are unique");
}

static void lookups(void)
{
	static const struct {
		const char *kind;
		uint32_t type; /* 0: none */
	} known[] = {
		{ "intel-vtd", ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD },
		{ "arm-smmu-v3", ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 },
		{ "tegra241-cmdqv", ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV },
		{ "amd-vi", ICTL_IOMMU_HW_INFO_TYPE_AMD },
		{ "selftest", ICTL_IOMMU_HW_INFO_TYPE_SELFTEST },
		{ "virtio-iommu", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		const struct ictl_vendor_ops *v = ictl_vendor_by_kind(known[i].kind);

		if (!ok(v != NULL, "by kind: %s is found", known[i].kind))
			continue;
		is_str(v->kind, known[i].kind, "  ...and is the %s ops", known[i].kind);
		if (!known[i].type)
			continue;
		ok(ictl_vendor_by_hw_info_type(known[i].type) == v, "by type: %#x is %s",
		   known[i].type, known[i].kind);
		is_str(ictl_hw_info_type_name(known[i].type), known[i].kind, "type %#x is named %s",
		       known[i].type, known[i].kind);
	}
	ok(!ictl_vendor_by_kind("intel"), "by kind: 'intel' is not a kind");
	ok(!ictl_vendor_by_kind("unknown"), "by kind: the fallback for units is not in the table");
	ok(!ictl_vendor_by_hw_info_type(ICTL_IOMMU_HW_INFO_TYPE_NONE),
	   "by type: NONE (0) is no vendor's, though virtio-iommu's hw_info_type is 0");
	ok(!ictl_vendor_by_hw_info_type(5), "by type: 5 is not known");
	is_str(ictl_hw_info_type_name(0), "none", "type 0 is named none");
	is_str(ictl_hw_info_type_name(99), "unknown", "type 99 is named unknown");
}

static void type_parse(struct ictl_ctx *ctx)
{
	/* a kind without a type, NONE, unknown numbers, more than 32 bits, names that are no kind */
	static const char *const bad[] = {
		"virtio-iommu", "0", "5", "99", "0x100000001", "", "intel", "1x", "none", "unknown",
	};
	uint32_t t = 0;

	is_int(ictl_hw_info_type_parse(ctx, "amd-vi", &t), 0, "parse: amd-vi");
	is_int(t, ICTL_IOMMU_HW_INFO_TYPE_AMD, "  ...is type 4");
	is_int(ictl_hw_info_type_parse(ctx, "2", &t), 0, "parse: 2");
	is_int(t, ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, "  ...is type 2");
	is_int(ictl_hw_info_type_parse(ctx, "0xfeedbeef", &t), 0, "parse: 0xfeedbeef");
	is_int(t, ICTL_IOMMU_HW_INFO_TYPE_SELFTEST, "  ...is the selftest type");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(ictl_hw_info_type_parse(ctx, bad[i], &t), -EINVAL, "parse: '%s' is refused",
		       bad[i]);
	is_str(ictl_strerror(ctx),
	       "unknown hw_info type 'unknown': give intel-vtd, arm-smmu-v3, tegra241-cmdqv, "
	       "amd-vi or selftest",
	       "  ...with a message listing the types the table decodes");
}

/* Units of captured trees get their vendor from the table, and its attributes. */
static void units(void)
{
	static const struct {
		const char *root, *unit, *kind, *attr, *value;
	} trees[] = {
		{ "tests/fixtures/intel-server", "dmar0", "intel-vtd", "cap", "0xd2008c22260206" },
		{ "tests/fixtures/amd-desktop", "ivhd0", "amd-vi", "efr", "0x29d3" },
		{ "tests/fixtures/arm64-smmuv3", "smmu3.0x0000000009050000", "arm-smmu-v3",
		  "address", "0x0000000009050000" },
		{ "tests/fixtures/virtio-guest", "0000:00:03.0", "virtio-iommu", NULL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
		struct ictl_unit_list l = { 0 };
		struct ictl_ctx *ctx;
		const char *got = NULL;

		if (ictl_ctx_new(&ctx, trees[i].root) < 0) {
			skip(3, "cannot open the capture (run from the top of the tree)");
			ictl_ctx_free(ctx);
			continue;
		}
		if (is_int(ictl_units_scan(ctx, &l), 0, "%s: units scanned", trees[i].root) &&
		    is_int(l.n, 1, "  ...one unit") && !strcmp(l.v[0].name, trees[i].unit)) {
			is_str(ictl_unit_kind(&l.v[0]), trees[i].kind, "  ...%s is %s",
			       trees[i].unit, trees[i].kind);
			for (size_t k = 0; k < l.v[0].nattrs; k++) {
				if (trees[i].attr && !strcmp(l.v[0].attrs[k].name, trees[i].attr))
					got = l.v[0].attrs[k].value;
			}
			if (trees[i].attr)
				is_str(got, trees[i].value, "  ...its %s, read by the vendor",
				       trees[i].attr);
			else
				is_int(l.v[0].nattrs, 0, "  ...no attributes");
		} else {
			ok(false, "  ...the unit is %s", trees[i].unit);
		}
		ictl_unit_list_clear(&l);
		ictl_ctx_free(ctx);
	}
}

/* Matching by name or path alone (no sysfs read): the mock, virtio, SMMUv3, no one. */
static void unit_match(struct ictl_ctx *ctx)
{
	static const char virtio[] = "devices/pci0000:00/0000:00:03.0/virtio1/iommu/0000:00:03.0";
	static const char virtiox[] = "devices/pci0000:00/0000:00:03.0/virtiox/iommu/0000:00:03.0";

	is_str(ictl_vendor_for_unit(ctx, "iommufd_selftest_iommu.0", "devices/faux/x")->kind,
	       "selftest", "unit: the mock by its name");
	is_str(ictl_vendor_for_unit(ctx, "0000:00:03.0", virtio)->kind, "virtio-iommu",
	       "unit: virtio-iommu by its path");
	is_str(ictl_vendor_for_unit(ctx, "0000:00:03.0", virtiox)->kind, "unknown",
	       "unit: not virtio-iommu below 'virtiox'");
	is_str(ictl_vendor_for_unit(ctx, "smmu3.0x1000", "devices/platform/smmu3.0x1000")->kind,
	       "arm-smmu-v3", "unit: SMMUv3 by its name");
	ok(ictl_vendor_for_unit(ctx, "foo0", "devices/platform/nonexistent/foo0") ==
		   &ictl_vendor_unknown,
	   "unit: a unit no vendor claims gets the unknown ops");
	is_str(ictl_vendor_unknown.kind, "unknown", "  ...whose kind is 'unknown'");
}

/* --- decoding --------------------------------------------------------------------- */

static uint64_t field(const struct ictl_hw_info *hi, const char *reg, const char *name)
{
	uint64_t v = ~0ULL;

	if (ictl_hw_info_field(hi, reg, name, &v) < 0)
		printf("# %s.%s is missing\n", reg, name);
	return v;
}

static const char *meaning(const struct ictl_hw_info *hi, const char *reg, const char *name)
{
	const struct ictl_hw_field *f = ictl_hw_field_find(hi, reg, name);

	return f ? f->meaning : NULL;
}

/* QEMU's intel-iommu, caching mode: the values tests/bats/decode.bats derives by hand. */
#define QEMU_CAP 0xd2008c22260286ULL
#define QEMU_ECAP 0xf00f4aULL

static void decode_intel(struct ictl_ctx *ctx)
{
	struct ictl_iommu_hw_info_vtd b = { .flags = 1,
					    .cap_reg = QEMU_CAP,
					    .ecap_reg = QEMU_ECAP };
	struct ictl_hw_info hi;
	uint64_t v;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &b, sizeof(b), &hi),
		    0, "intel-vtd: decoded"))
		return;
	is_str(hi.kind, "intel-vtd", "  ...kind intel-vtd");
	is_int(hi.nregs, 3, "  ...three registers: flags, cap_reg, ecap_reg");
	is_int(hi.raw_len, sizeof(b), "  ...the raw blob kept");
	ok(!memcmp(hi.raw, &b, sizeof(b)), "  ...byte for byte");
	is_int(field(&hi, "cap_reg", "ND"), 6, "  ...cap_reg.ND (2:0)");
	is_str(meaning(&hi, "cap_reg", "ND"), "65536 domains", "  ...means 2^(4+2*6) domains");
	is_int(field(&hi, "cap_reg", "SAGAW"), 2, "  ...cap_reg.SAGAW (12:8)");
	is_str(meaning(&hi, "cap_reg", "SAGAW"), "39-bit (3-level)", "  ...means 3-level tables");
	is_int(field(&hi, "cap_reg", "MGAW"), 38, "  ...cap_reg.MGAW (21:16)");
	is_int(field(&hi, "cap_reg", "MAMV"), 18, "  ...cap_reg.MAMV (53:48)");
	is_int(field(&hi, "ecap_reg", "IRO"), 15, "  ...ecap_reg.IRO (17:8)");
	is_int(field(&hi, "ecap_reg", "NEST"), 0, "  ...ecap_reg.NEST (26)");
	is_int(field(&hi, "flags", "ERRATA_772415_SPR17"), 1, "  ...the erratum flag");
	is_int(ictl_hw_info_field(&hi, "cap_reg", "NOPE", &v), -ENOENT, "  ...no field NOPE");
	is_int(ictl_hw_info_field(&hi, "idr0", "S1P", &v), -ENOENT, "  ...no register idr0");
	ictl_hw_info_clear(&hi);
	is_int(hi.nregs, 0, "  ...cleared");
}

static void decode_smmuv3(struct ictl_ctx *ctx)
{
	/* IDR0 S2P|S1P|TTF=2|HTTU=2, IDR1 SSIDSIZE 20, IDR5 OAS 48-bit|GRAN4K|GRAN64K, MMU-700 */
	struct ictl_iommu_hw_info_arm_smmuv3 b = {
		.idr = { 1 | 1 << 1 | 2 << 2 | 2 << 6, 20 << 6, 0, 0, 0x12345678,
			 5 | 1 << 4 | 1 << 6 },
		.iidr = 0x487u << 20 | 0x43b,
		.aidr = 0x02,
	};
	struct ictl_hw_info hi;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &b, sizeof(b),
					&hi),
		    0, "arm-smmu-v3: decoded"))
		return;
	is_int(hi.nregs, 9, "  ...flags, idr0-5, iidr, aidr");
	is_int(field(&hi, "idr0", "S1P"), 1, "  ...idr0.S1P");
	is_int(field(&hi, "idr0", "TTF"), 2, "  ...idr0.TTF");
	is_str(meaning(&hi, "idr0", "TTF"), "AArch64", "  ...means AArch64 tables");
	is_int(field(&hi, "idr1", "SSIDSIZE"), 20, "  ...idr1.SSIDSIZE");
	is_int(field(&hi, "idr4", "IMPLEMENTATION_DEFINED"), 0x12345678, "  ...idr4 whole");
	is_int(field(&hi, "idr5", "OAS"), 5, "  ...idr5.OAS");
	is_str(meaning(&hi, "iidr", "ProductID"), "MMU-700", "  ...iidr.ProductID is an MMU-700");
	ictl_hw_info_clear(&hi);
}

static void decode_tegra241(struct ictl_ctx *ctx)
{
	struct ictl_iommu_hw_info_tegra241_cmdqv b = { .version = 1,
						       .log2vcmdqs = 7,
						       .log2vsids = 4 };
	struct ictl_hw_info hi;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, &b, sizeof(b),
					&hi),
		    0, "tegra241-cmdqv: decoded"))
		return;
	is_int(field(&hi, "param", "CMDQV_VER"), 1, "  ...param.CMDQV_VER");
	is_int(field(&hi, "param", "CMDQV_NUM_VCMDQ_LOG2"), 7, "  ...param.CMDQV_NUM_VCMDQ_LOG2");
	is_str(meaning(&hi, "param", "CMDQV_NUM_VCMDQ_LOG2"), "128", "  ...means 128 queues");
	is_int(field(&hi, "param", "CMDQV_NUM_SID_PER_VM_LOG2"), 4,
	       "  ...param.CMDQV_NUM_SID_PER_VM_LOG2 (from log2vsids)");
	ictl_hw_info_clear(&hi);
}

static void decode_amd(struct ictl_ctx *ctx)
{
	/* the amd-desktop capture's EFR: PreFSup, PPRSup, GTSup, IASup, GASup, HESup, HATS 2, GATS 2 */
	struct ictl_iommu_hw_info_amd b = { .efr = 0x29d3, .efr2 = 1 << 8 };
	struct ictl_hw_info hi;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_AMD, &b, sizeof(b), &hi), 0,
		    "amd-vi: decoded"))
		return;
	is_int(field(&hi, "efr", "GTSup"), 1, "  ...efr.GTSup");
	is_int(field(&hi, "efr", "HATS"), 2, "  ...efr.HATS");
	is_str(meaning(&hi, "efr", "HATS"), "6-level", "  ...means 6-level host tables");
	is_int(field(&hi, "efr", "XTSup"), 0, "  ...efr.XTSup");
	is_int(field(&hi, "efr2", "NumIntRemapSup"), 1, "  ...efr2.NumIntRemapSup");
	ictl_hw_info_clear(&hi);
}

static void decode_selftest(struct ictl_ctx *ctx)
{
	struct ictl_iommu_test_hw_info b = { .flags = 0,
					     .test_reg = ICTL_IOMMU_HW_INFO_SELFTEST_REGVAL };
	struct ictl_hw_info hi;
	struct ictl_caps caps;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_SELFTEST, &b, sizeof(b), &hi),
		    0, "selftest: decoded"))
		return;
	is_int(field(&hi, "test_reg", "test_reg"), 0xdeadbeef, "  ...test_reg");
	is_str(meaning(&hi, "test_reg", "test_reg"), "the mock's fixed value",
	       "  ...is the mock's fixed value");
	/* The mock has no capability decoder. */
	is_int(ictl_caps_from_hw_info(ctx, &hi, &caps), -EOPNOTSUPP, "  ...no caps from it");
	is_str(ictl_strerror(ctx), "iommuctl cannot read capabilities from selftest registers",
	       "  ...says so");
	is_int(caps.cap[ICTL_CAP_PAGING].hw, ICTL_UNKNOWN, "  ...and leaves them unknown");
	ictl_hw_info_clear(&hi);
}

/* Each type's blob one byte short is refused, naming the type and both sizes. */
static void short_blobs(struct ictl_ctx *ctx)
{
	static const struct {
		uint32_t type;
		size_t size;
	} t[] = {
		{ ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, sizeof(struct ictl_iommu_hw_info_vtd) },
		{ ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
		  sizeof(struct ictl_iommu_hw_info_arm_smmuv3) },
		{ ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV,
		  sizeof(struct ictl_iommu_hw_info_tegra241_cmdqv) },
		{ ICTL_IOMMU_HW_INFO_TYPE_AMD, sizeof(struct ictl_iommu_hw_info_amd) },
		{ ICTL_IOMMU_HW_INFO_TYPE_SELFTEST, sizeof(struct ictl_iommu_test_hw_info) },
	};
	uint8_t blob[64] = { 0 };
	struct ictl_hw_info hi;
	char want[160];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		const char *kind = ictl_hw_info_type_name(t[i].type);

		is_int(ictl_hw_info_decode(ctx, t[i].type, blob, t[i].size - 1, &hi), -EINVAL,
		       "%s: a %zu-byte blob is refused", kind, t[i].size - 1);
		snprintf(want, sizeof(want),
			 "%s hw_info data is %zu bytes, shorter than its %zu-byte structure", kind,
			 t[i].size - 1, t[i].size);
		is_str(ictl_strerror(ctx), want, "  ...naming both sizes");
		ok(hi.nregs == 0 && hi.regs == NULL, "  ...with nothing decoded");
		is_int(ictl_hw_info_decode(ctx, t[i].type, blob, t[i].size, &hi), 0,
		       "%s: %zu bytes are enough", kind, t[i].size);
		ictl_hw_info_clear(&hi);
	}
}

static void unknown_types(struct ictl_ctx *ctx)
{
	static const uint32_t types[] = { ICTL_IOMMU_HW_INFO_TYPE_NONE, 5, 0xdead };
	uint8_t blob[64] = { 0 };
	struct ictl_hw_info hi;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		is_int(ictl_hw_info_decode(ctx, types[i], blob, sizeof(blob), &hi), -EOPNOTSUPP,
		       "type %#x is not decoded", types[i]);
	is_str(ictl_strerror(ctx),
	       "hw_info type 57005 is not one iommuctl decodes (known: intel-vtd, arm-smmu-v3, "
	       "tegra241-cmdqv, amd-vi, selftest)",
	       "  ...with a message listing the known types");
	ok(hi.nregs == 0 && hi.type == 0xdead && !hi.kind, "  ...and nothing decoded");
}

/* --- capabilities --------------------------------------------------------------------- */

static void caps_intel(struct ictl_ctx *ctx)
{
	/*
	 * A modern unit (tests/bats/decode.bats): SAGAW 0x6, SLLPS 1 (2M), FL1GP, FL5LP;
	 * ecap DT (in 0xdf), NEST (26), PSS 19 (39:35), PASID (40), SMTS (43), SLADS (45),
	 * SLTS (46), FLTS (47).
	 */
	struct ictl_iommu_hw_info_vtd b = {
		.cap_reg = 2 | 0x6 << 8 | 47 << 16 | 1ULL << 34 | 1ULL << 56 | 1ULL << 60,
		.ecap_reg = 0xdf | 1 << 26 | 19ULL << 35 | 1ULL << 40 | 1ULL << 43 | 1ULL << 45 |
			    1ULL << 46 | 1ULL << 47,
	};
	struct ictl_hw_info hi;
	struct ictl_caps caps;
	const struct ictl_cap *c = caps.cap;
	bool unknown = true;

	if (!is_int(ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &b, sizeof(b), &hi),
		    0, "caps: a modern Intel blob decodes") ||
	    !is_int(ictl_caps_from_hw_info(ctx, &hi, &caps), 0, "caps: from its registers"))
		return;
	is_int(c[ICTL_CAP_NEST_PARENT].hw, ICTL_YES, "  ...nest-parent: yes");
	is_str(c[ICTL_CAP_NEST_PARENT].source, "ecap_reg.NEST (bit 26)", "  ...from ecap_reg.NEST");
	is_int(c[ICTL_CAP_PAGING].hw, ICTL_YES, "  ...paging: yes");
	is_str(c[ICTL_CAP_PAGING].source, "ecap_reg.SLTS (bit 46)",
	       "  ...from ecap_reg.SLTS in scalable mode");
	is_int(c[ICTL_CAP_NESTED_S1].hw, ICTL_YES, "  ...nested-stage1: yes (FLTS)");
	is_str(c[ICTL_CAP_NESTED_S1].detail,
	       "VT-d stage-1 (first-level): 4-level (48-bit), 5-level (57-bit); pages 4K, 2M, 1G",
	       "  ...with FL5LP's 5 levels and FL1GP's 1G pages");
	is_int(c[ICTL_CAP_DIRTY].hw, ICTL_YES, "  ...dirty-tracking: yes (SLADS)");
	is_int(c[ICTL_CAP_PASID].hw, ICTL_YES, "  ...pasid: yes");
	is_str(c[ICTL_CAP_PASID].detail, "20-bit PASIDs (ecap_reg.PSS + 1)", "  ...20-bit");
	is_int(c[ICTL_CAP_ATS].hw, ICTL_YES, "  ...ats: yes (DT)");
	is_str(c[ICTL_CAP_PAGE_SIZES].detail, "4K, 2M", "  ...page-sizes 4K, 2M (SLLPS 1)");
	is_str(c[ICTL_CAP_PAGE_SIZES].source, "cap_reg.SLLPS (bits 37:34)",
	       "  ...from cap_reg.SLLPS");
	for (int i = 0; i < ICTL_CAP_COUNT; i++)
		unknown = unknown && c[i].kernel == ICTL_UNKNOWN;
	ok(unknown, "  ...and the kernel's answers are unknown (it was not asked)");
	ictl_hw_info_clear(&hi);

	/* QEMU's legacy-mode unit: no NEST, no PASID, no DT, no scalable mode. */
	b = (struct ictl_iommu_hw_info_vtd){ .cap_reg = QEMU_CAP, .ecap_reg = QEMU_ECAP };
	if (ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, &b, sizeof(b), &hi) ||
	    ictl_caps_from_hw_info(ctx, &hi, &caps)) {
		ok(false, "caps: QEMU's legacy blob: %s", ictl_strerror(ctx));
		return;
	}
	is_int(c[ICTL_CAP_NEST_PARENT].hw, ICTL_NO, "caps: QEMU legacy: nest-parent: no (NEST 0)");
	is_int(c[ICTL_CAP_PAGING].hw, ICTL_YES, "  ...paging: yes");
	is_str(c[ICTL_CAP_PAGING].detail, "legacy mode: second-stage tables",
	       "  ...legacy-mode tables");
	is_int(c[ICTL_CAP_PASID].hw, ICTL_NO, "  ...pasid: no");
	is_int(c[ICTL_CAP_ATS].hw, ICTL_NO, "  ...ats: no");
	is_str(c[ICTL_CAP_PAGE_SIZES].detail, "4K, 2M, 1G", "  ...page-sizes 4K, 2M, 1G (SLLPS 3)");
	ictl_hw_info_clear(&hi);
}

static void caps_others(struct ictl_ctx *ctx)
{
	struct ictl_iommu_hw_info_arm_smmuv3 s = { .idr = { 1 | 1 << 1 | 2 << 2 } };
	struct ictl_iommu_hw_info_amd a = { .efr = 0x29d3 };
	struct ictl_hw_info hi;
	struct ictl_caps caps;

	if (!ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &s, sizeof(s), &hi) &&
	    !ictl_caps_from_hw_info(ctx, &hi, &caps)) {
		is_int(caps.cap[ICTL_CAP_NEST_PARENT].hw, ICTL_YES,
		       "caps: SMMUv3 with S1P and S2P: nest-parent");
		ictl_hw_info_clear(&hi);
	} else {
		ok(false, "caps: SMMUv3: %s", ictl_strerror(ctx));
	}
	s.idr[0] = 1 << 1;
	if (!ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &s, sizeof(s), &hi) &&
	    !ictl_caps_from_hw_info(ctx, &hi, &caps)) {
		is_int(caps.cap[ICTL_CAP_NEST_PARENT].hw, ICTL_NO,
		       "caps: SMMUv3 with S1P only: no nest-parent");
		ictl_hw_info_clear(&hi);
	} else {
		ok(false, "caps: SMMUv3: %s", ictl_strerror(ctx));
	}
	if (!ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_AMD, &a, sizeof(a), &hi) &&
	    !ictl_caps_from_hw_info(ctx, &hi, &caps)) {
		is_int(caps.cap[ICTL_CAP_NEST_PARENT].hw, ICTL_YES,
		       "caps: AMD with GTSup: nest-parent");
		is_str(caps.cap[ICTL_CAP_NEST_PARENT].source, "efr.GTSup (bit 4)",
		       "  ...from efr.GTSup");
		ictl_hw_info_clear(&hi);
	} else {
		ok(false, "caps: AMD: %s", ictl_strerror(ctx));
	}
}

/* --- the helpers vendors build with ----------------------------------------------- */

static void words(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "v=%llu", (unsigned long long)v);
}

static void helpers(void)
{
	static const struct ictl_field_desc fields[] = {
		{ "LOW", 3, 0, "low nibble", words },
		{ "TOP", 63, 63, "top bit", NULL },
		{ "ALL", 63, 0, "the whole register", NULL },
		{ 0 },
	};
	struct ictl_hw_info hi = { 0 };
	struct ictl_caps caps = { 0 };

	is_int(ictl_hw_add_reg(&hi, "r", "a register", 64, 0x800000000000001aULL, fields), 0,
	       "helpers: a register added from a field table");
	is_int(ictl_hw_add_reg(&hi, "empty", "no fields", 32, 7, NULL), 0,
	       "helpers: and one without fields");
	is_int(hi.nregs, 2, "  ...two registers");
	is_int(hi.regs[1].nfields, 0, "  ...the second without fields");
	is_int(field(&hi, "r", "LOW"), 0xa, "  ...LOW is bits 3:0");
	is_str(meaning(&hi, "r", "LOW"), "v=10", "  ...in words by its meaning()");
	is_int(field(&hi, "r", "TOP"), 1, "  ...TOP is bit 63");
	ok(field(&hi, "r", "ALL") == 0x800000000000001aULL, "  ...ALL is the whole 64 bits");
	is_int(ictl_cap_from_field(&caps, ICTL_CAP_ATS, &hi, "r", "LOW"), 0xa,
	       "helpers: a capability from a field returns its value");
	is_int(caps.cap[ICTL_CAP_ATS].hw, ICTL_YES, "  ...yes, as it is not 0");
	is_str(caps.cap[ICTL_CAP_ATS].source, "r.LOW (bits 3:0)", "  ...the source names the bits");
	is_str(caps.cap[ICTL_CAP_ATS].detail, "v=10", "  ...the detail is the field's meaning");
	is_int(ictl_cap_from_field(&caps, ICTL_CAP_DIRTY, &hi, "r", "NOPE"), 0,
	       "helpers: a missing field gives 0");
	is_int(caps.cap[ICTL_CAP_DIRTY].source[0], 0, "  ...and leaves the capability alone");
	ictl_hw_info_clear(&hi);
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no /sys: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	table_is_consistent();
	lookups();
	type_parse(ctx);
	units();
	unit_match(ctx);
	decode_intel(ctx);
	decode_smmuv3(ctx);
	decode_tegra241(ctx);
	decode_amd(ctx);
	decode_selftest(ctx);
	short_blobs(ctx);
	unknown_types(ctx);
	caps_intel(ctx);
	caps_others(ctx);
	helpers();
	ictl_ctx_free(ctx);
	return done_testing();
}
