// SPDX-License-Identifier: GPL-2.0-or-later
/* ARM SMMUv3: the driver names its units "smmu3.0x<base address>". */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vendors.h"
#include "../lib/pt.h"
#include "../lib/uapi/iommufd.h"

static bool smmuv3_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	(void)ctx;
	(void)path;
	return !strncmp(name, "smmu3.", 6);
}

static void smmuv3_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	(void)ctx;
	/* The base address is part of the name; sysfs shows no registers. */
	ictl_unit_set_attr(u, "address", u->name + 6);
}

/* --- meaning() helpers ----------------------------------------------------- */

/* A field whose encodings are listed; values past the list, or NULL, say "reserved". */
static void enum_meaning(uint64_t v, const char *const *names, size_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v < n && names[v] ? names[v] : "reserved");
}

#define ENUM_MEANING(fn, ...)                                                       \
	static void fn(uint64_t v, char *buf, size_t len)                           \
	{                                                                           \
		static const char *const names[] = { __VA_ARGS__ };                 \
		enum_meaning(v, names, sizeof(names) / sizeof(names[0]), buf, len); \
	}

ENUM_MEANING(ttf_meaning, NULL, "AArch32 (LPAE)", "AArch64", "AArch32 and AArch64")
ENUM_MEANING(httu_meaning, "no hardware update", "access flag", "access flag and dirty state",
	     "access flag and dirty state, table descriptor access flag")
ENUM_MEANING(ttendian_meaning, "mixed-endian", NULL, "little-endian", "big-endian")
ENUM_MEANING(stall_model_meaning, "stall and terminate", "terminate only (no stall)",
	     "stall forced")
ENUM_MEANING(term_model_meaning, "abort or RAZ/WI", "abort only")
ENUM_MEANING(st_level_meaning, "linear", "2-level")
ENUM_MEANING(bbml_meaning, "level 0", "level 1", "level 2")
ENUM_MEANING(oas_meaning, "32-bit", "36-bit", "40-bit", "42-bit", "44-bit", "48-bit", "52-bit",
	     "56-bit")
ENUM_MEANING(vax_meaning, "48-bit", "52-bit", "56-bit")

/* A size given as a number of bits. */
static void bits_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu bits", (unsigned long long)v);
}

/* A queue size given as log2 of its maximum number of entries. */
static void log2_entries_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "up to %llu entries", v < 64 ? 1ULL << v : 0ULL);
}

/* JEP106 code: continuation code in 11:8, bit 7 always 0, identity code in 6:0. */
static void implementer_meaning(uint64_t v, char *buf, size_t len)
{
	static const struct {
		uint16_t code;
		const char *name;
	} known[] = {
		{ 0x43b, "Arm" }, /* the value 6.3.7 gives for Arm */
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].code == v) {
			snprintf(buf, len, "%s", known[i].name);
			return;
		}
	}
}

/* Arm's own SMMUs, by the product IDs the kernel's errata code matches on. */
static void arm_product_meaning(uint64_t v, char *buf, size_t len)
{
	if (v == 0x483)
		snprintf(buf, len, "MMU-600");
	else if (v == 0x487)
		snprintf(buf, len, "MMU-700");
}

static void major_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v == 0 ? "SMMUv3" : "reserved");
}

static void minor_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "SMMUv3.%llu", (unsigned long long)v);
}

/* --- the registers ---------------------------------------------------------- */

/*
 * The tables follow the Arm System Memory Management Unit Architecture
 * Specification, SMMU architecture version 3 (IHI 0070), section 6.3: SMMU_IDR0
 * to SMMU_IDR5 are 6.3.1 to 6.3.6 (as the kernel's uAPI header cites them),
 * SMMU_IIDR 6.3.7 and SMMU_AIDR 6.3.8; fields up to SMMUv3.4.  Bit positions
 * checked against IDR0_* .. IDR5_*, IIDR_* of
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h (and QEMU's hw/arm/smmuv3-internal.h
 * for the fields Linux does not use).  Reserved bits are not listed.
 */
static const struct ictl_field_desc idr0_fields[] = {
	{ "S2P", 0, 0, "Stage 2 translation supported", NULL },
	{ "S1P", 1, 1, "Stage 1 translation supported", NULL },
	{ "TTF", 3, 2, "Translation table formats supported", ttf_meaning },
	{ "COHACC", 4, 4, "Coherent access to structures, queues and tables", NULL },
	{ "BTM", 5, 5, "Broadcast TLB maintenance", NULL },
	{ "HTTU", 7, 6, "Hardware translation table update of access flag / dirty state",
	  httu_meaning },
	{ "DORMHINT", 8, 8, "Dormant hint supported", NULL },
	{ "HYP", 9, 9, "Hypervisor stage 1 contexts (EL2)", NULL },
	{ "ATS", 10, 10, "PCIe ATS supported", NULL },
	{ "NS1ATS", 11, 11, "Split-stage (stage 1-only) ATS NOT supported", NULL },
	{ "ASID16", 12, 12, "16-bit ASIDs", NULL },
	{ "MSI", 13, 13, "Message-signalled interrupts supported", NULL },
	{ "SEV", 14, 14, "WFE wake-up events generated", NULL },
	{ "ATOS", 15, 15, "Address translation operations supported", NULL },
	{ "PRI", 16, 16, "PCIe Page Request Interface supported", NULL },
	{ "VMW", 17, 17, "VMID wildcard matching for TLB invalidation", NULL },
	{ "VMID16", 18, 18, "16-bit VMIDs", NULL },
	{ "CD2L", 19, 19, "2-level context descriptor tables", NULL },
	{ "VATOS", 20, 20, "Virtual ATOS page supported", NULL },
	{ "TTENDIAN", 22, 21, "Translation table endianness supported", ttendian_meaning },
	{ "ATSRECERR", 23, 23, "Additional events recorded for ATS and PRI requests", NULL },
	{ "STALL_MODEL", 25, 24, "Stall model", stall_model_meaning },
	{ "TERM_MODEL", 26, 26, "Terminate model", term_model_meaning },
	{ "ST_LEVEL", 28, 27, "Stream table levels", st_level_meaning },
	{ "RME_IMPL", 30, 30, "Realm Management Extension features (SMMUv3.3)", NULL },
	{ 0 }
};

static const struct ictl_field_desc idr1_fields[] = {
	{ "SIDSIZE", 5, 0, "StreamID size", bits_meaning },
	{ "SSIDSIZE", 10, 6, "SubstreamID (PASID) size", bits_meaning },
	{ "PRIQS", 15, 11, "PRI queue size, log2 of entries", log2_entries_meaning },
	{ "EVENTQS", 20, 16, "Event queue size, log2 of entries", log2_entries_meaning },
	{ "CMDQS", 25, 21, "Command queue size, log2 of entries", log2_entries_meaning },
	{ "ATTR_PERMS_OVR", 26, 26, "Incoming permission attributes can be overridden", NULL },
	{ "ATTR_TYPES_OVR", 27, 27, "Incoming memory attributes can be overridden", NULL },
	{ "REL", 28, 28, "Preset table/queue addresses are relative to the SMMU base", NULL },
	{ "QUEUES_PRESET", 29, 29, "Queue base addresses are fixed", NULL },
	{ "TABLES_PRESET", 30, 30, "Table base addresses are fixed", NULL },
	{ "ECMDQ", 31, 31, "Enhanced command queue interfaces", NULL },
	{ 0 }
};

static const struct ictl_field_desc idr2_fields[] = {
	{ "BA_VATOS", 9, 0, "VATOS page base address offset, in 64KB units", NULL },
	{ 0 }
};

static const struct ictl_field_desc idr3_fields[] = {
	{ "HAD", 2, 2, "Hierarchical attribute disable", NULL },
	{ "PBHA", 3, 3, "Page-based hardware attributes", NULL },
	{ "XNX", 4, 4, "EL0/EL1 execute-never distinction at stage 2", NULL },
	{ "PPS", 5, 5, "PASID used on PRI auto-generated responses regardless of STE.PPAR", NULL },
	{ "MPAM", 7, 7, "Memory system resource partitioning and monitoring", NULL },
	{ "FWB", 8, 8, "Stage 2 forced write-back (S2FWB)", NULL },
	{ "STT", 9, 9, "Small translation tables", NULL },
	{ "RIL", 10, 10, "Range-based TLB invalidation", NULL },
	{ "BBML", 12, 11, "Break-before-make level supported", bbml_meaning },
	{ "E0PD", 13, 13, "E0PD0/E0PD1 supported", NULL },
	{ "PTWNNC", 14, 14, "STE.S2PTW == 0 treats Device-mapped walks as Normal Non-cacheable",
	  NULL },
	{ "DPT", 15, 15, "Device permission table", NULL },
	{ "PASIDTT", 16, 16, "PASID on ATS Translated transactions", NULL },
	{ "EPAN", 17, 17, "Enhanced PAN", NULL },
	{ "S1PI", 18, 18, "Stage 1 permission indirections", NULL },
	{ "S2PI", 19, 19, "Stage 2 permission indirections", NULL },
	{ "S2PO", 20, 20, "Stage 2 permission overlays", NULL },
	{ "THE", 21, 21, "Translation hardening extension", NULL },
	{ "MTEPERM", 22, 22, "Stage 2 MemAttr NoTagAccess encodings", NULL },
	{ "AIE", 23, 23, "Stage 1 attribute index extension", NULL },
	{ 0 }
};

static const struct ictl_field_desc idr4_fields[] = { { "IMPLEMENTATION_DEFINED", 31, 0,
							"implementation defined", NULL },
						      { 0 } };

static const struct ictl_field_desc idr5_fields[] = {
	{ "OAS", 2, 0, "Output address size", oas_meaning },
	{ "GRAN4K", 4, 4, "4KB translation granule", NULL },
	{ "GRAN16K", 5, 5, "16KB translation granule", NULL },
	{ "GRAN64K", 6, 6, "64KB translation granule", NULL },
	{ "DS", 7, 7, "52-bit addresses with 4KB and 16KB granules (LPA2)", NULL },
	{ "D128", 8, 8, "128-bit translation table descriptors", NULL },
	{ "VAX", 11, 10, "Virtual address extension", vax_meaning },
	{ "STALL_MAX", 31, 16, "Maximum number of outstanding stalled transactions", NULL },
	{ 0 }
};

#define IIDR_FIELDS(product_meaning)                                                           \
	{ "Implementer", 11, 0, "JEP106 code of the implementer", implementer_meaning },       \
		{ "Revision", 15, 12, "Minor revision of the product", NULL },                 \
		{ "Variant", 19, 16, "Major revision (variant) of the product", NULL },        \
		{ "ProductID", 31, 20, "Implementation-defined product ID", product_meaning }, \
	{                                                                                      \
		0                                                                              \
	}

static const struct ictl_field_desc iidr_fields[] = { IIDR_FIELDS(NULL) };
/* ProductID only names a product within one implementer: Arm's list for Arm's code. */
static const struct ictl_field_desc iidr_arm_fields[] = { IIDR_FIELDS(arm_product_meaning) };

static const struct ictl_field_desc aidr_fields[] = {
	{ "ArchMinorRev", 3, 0, "Architecture minor revision", minor_meaning },
	{ "ArchMajorRev", 7, 4, "Architecture major revision", major_meaning },
	{ 0 }
};

static void errata_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 v ? "affected: issue TLBI/CFGI invalidations twice" : "not affected");
}

/* struct iommu_hw_info_arm_smmuv3's flags (include/uapi/linux/iommufd.h). */
static const struct ictl_field_desc flags_fields[] = {
	{ "ERRATA_REPEAT_TLBI_CFGI", 0, 0,
	  "erratum workaround: TLB and configuration invalidation commands must be repeated",
	  errata_meaning },
	{ 0 }
};

static int smmuv3_decode(struct ictl_ctx *ctx, const void *data, size_t len,
			 struct ictl_hw_info *out)
{
	static const struct {
		const char *name, *desc;
		const struct ictl_field_desc *fields;
	} idrs[6] = {
		{ "idr0", "SMMU_IDR0 (SMMUv3 6.3.1)", idr0_fields },
		{ "idr1", "SMMU_IDR1 (SMMUv3 6.3.2)", idr1_fields },
		{ "idr2", "SMMU_IDR2 (SMMUv3 6.3.3)", idr2_fields },
		{ "idr3", "SMMU_IDR3 (SMMUv3 6.3.4)", idr3_fields },
		{ "idr4", "SMMU_IDR4 (SMMUv3 6.3.5)", idr4_fields },
		{ "idr5", "SMMU_IDR5 (SMMUv3 6.3.6)", idr5_fields },
	};
	struct ictl_iommu_hw_info_arm_smmuv3 h;
	uint32_t implementer;
	int r;

	(void)ctx;
	(void)len;
	memcpy(&h, data, sizeof(h));
	r = ictl_hw_add_reg(out, "flags", "hw_info flags (errata the kernel reports)", 32, h.flags,
			    flags_fields);
	for (size_t i = 0; i < 6 && !r; i++)
		r = ictl_hw_add_reg(out, idrs[i].name, idrs[i].desc, 32, h.idr[i], idrs[i].fields);
	implementer = h.iidr & 0xfff;
	if (!r)
		r = ictl_hw_add_reg(out, "iidr", "SMMU_IIDR (SMMUv3 6.3.7)", 32, h.iidr,
				    implementer == 0x43b ? iidr_arm_fields : iidr_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "aidr", "SMMU_AIDR (SMMUv3 6.3.8)", 32, h.aidr,
				    aidr_fields);
	return r;
}

/* --- capabilities ------------------------------------------------------------ */

/*
 * A vIOMMU (arm_smmu_get_viommu_size() in the kernel's arm-smmu-v3-iommufd.c):
 * nesting (both stages), and something that keeps the guest from making DMA
 * non-coherent, since VFIO does no cache maintenance: S2FWB in the SMMU, or a
 * root complex that firmware (IORT) marks CANWBS.
 */
static void smmuv3_caps_viommu(const struct ictl_hw_info *hi, struct ictl_caps *caps, bool nest)
{
	struct ictl_cap *c = &caps->cap[ICTL_CAP_VIOMMU];
	uint64_t fwb = 0;
	bool have_fwb = !ictl_hw_info_field(hi, "idr3", "FWB", &fwb);

	if (!nest) {
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, false, "idr0.S1P (bit 1), idr0.S2P (bit 0)",
			     "needs both stages: a nesting parent");
	} else if (have_fwb && fwb) {
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, true, "idr3.FWB (bit 8)",
			     "stage 2 forces write-back (S2FWB)");
	} else if (hi->rc_canwbs == ICTL_YES) {
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, true, "IORT root complex CANWBS",
			     "%s", hi->rc_canwbs_source);
	} else if (hi->rc_canwbs == ICTL_NO && have_fwb) {
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, false, "idr3.FWB (bit 8) = 0, no CANWBS",
			     "needs S2FWB or a CANWBS root complex: %s", hi->rc_canwbs_source);
	} else {
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, false, "idr3.FWB (bit 8) = 0, CANWBS unknown",
			     "needs S2FWB or a CANWBS root complex: %s",
			     hi->rc_canwbs_source[0] ? hi->rc_canwbs_source :
			     "the firmware's IORT was not read");
		c->hw = ICTL_UNKNOWN;
	}
}

static void smmuv3_caps(const struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	uint64_t s1 = 0, s2 = 0, v = 0;
	char buf[48];

	ictl_hw_info_field(hi, "idr0", "S1P", &s1);
	ictl_hw_info_field(hi, "idr0", "S2P", &s2);
	ictl_cap_set(caps, ICTL_CAP_PAGING, s1 || s2, "idr0.S1P (bit 1), idr0.S2P (bit 0)",
		     "%s%s%s", s1 ? "stage 1" : "", s1 && s2 ? ", " : "", s2 ? "stage 2" : "");
	ictl_cap_set(caps, ICTL_CAP_NEST_PARENT, s1 && s2, "idr0.S1P (bit 1), idr0.S2P (bit 0)",
		     "%s", s1 && s2 ? "stage 2 under a guest's stage 1" : "needs both stages");
	if (ictl_cap_from_field(caps, ICTL_CAP_NESTED_S1, hi, "idr0", "TTF") && s1) {
		const struct ictl_hw_field *oas = ictl_hw_field_find(hi, "idr5", "OAS");

		str_copy(buf, caps->cap[ICTL_CAP_NESTED_S1].detail, sizeof(buf));
		snprintf(caps->cap[ICTL_CAP_NESTED_S1].detail, sizeof(caps->cap[0].detail),
			 "SMMUv3 STE with guest CD tables (%.40s), output %.40s", buf,
			 oas && oas->meaning[0] ? oas->meaning : "size unknown");
	} else {
		caps->cap[ICTL_CAP_NESTED_S1].hw = ICTL_NO;
	}
	if (!ictl_hw_info_field(hi, "idr0", "HTTU", &v)) {
		ictl_cap_from_field(caps, ICTL_CAP_DIRTY, hi, "idr0", "HTTU");
		caps->cap[ICTL_CAP_DIRTY].hw = v == 2 ? ICTL_YES : ICTL_NO;
	}
	if (!ictl_hw_info_field(hi, "idr1", "SSIDSIZE", &v)) {
		ictl_cap_from_field(caps, ICTL_CAP_PASID, hi, "idr1", "SSIDSIZE");
		snprintf(caps->cap[ICTL_CAP_PASID].detail, sizeof(caps->cap[0].detail),
			 "%u-bit SubstreamIDs", (unsigned int)v);
	}
	ictl_cap_from_field(caps, ICTL_CAP_ATS, hi, "idr0", "ATS");
	{
		uint64_t g4 = 0, g16 = 0, g64 = 0;

		ictl_hw_info_field(hi, "idr5", "GRAN4K", &g4);
		ictl_hw_info_field(hi, "idr5", "GRAN16K", &g16);
		ictl_hw_info_field(hi, "idr5", "GRAN64K", &g64);
		ictl_cap_set(caps, ICTL_CAP_PAGE_SIZES, g4 || g16 || g64,
			     "idr5.GRAN4K/GRAN16K/GRAN64K (bits 4, 5, 6)", "granules%s%s%s",
			     g4 ? " 4K" : "", g16 ? " 16K" : "", g64 ? " 64K" : "");
	}
	smmuv3_caps_viommu(hi, caps, s1 && s2);
}

/* --- page-table formats -------------------------------------------------------- */

/*
 * Stage 1 LPAE tables (idr0.S1P, AArch64 in idr0.TTF) with each granule of
 * idr5.GRAN4K/16K/64K, inputs of 48 bits, outputs as wide as idr5.OAS says.
 */
static int smmuv3_pt_formats(const struct ictl_hw_info *hi, struct ictl_pt_format *out, size_t max)
{
	static const unsigned int oas_bits[] = { 32, 36, 40, 42, 44, 48, 52, 56 };
	static const struct {
		const char *field;
		unsigned int granule, levels;
		uint64_t blocks;
	} grans[] = {
		{ "GRAN4K", 12, 4, (1ull << 21) | (1ull << 30) },
		{ "GRAN16K", 14, 4, 1ull << 25 },
		{ "GRAN64K", 16, 3, 1ull << 29 },
	};
	uint64_t s1 = 0, s2 = 0, ttf = 0, oas = 0;
	size_t n = 0;

	ictl_hw_info_field(hi, "idr0", "S1P", &s1);
	ictl_hw_info_field(hi, "idr0", "S2P", &s2);
	ictl_hw_info_field(hi, "idr0", "TTF", &ttf);
	ictl_hw_info_field(hi, "idr5", "OAS", &oas);
	if (!s1 || !(ttf & 2))
		return 0;
	for (size_t i = 0; i < sizeof(grans) / sizeof(grans[0]); i++) {
		uint64_t g = 0;
		struct ictl_pt_format f = {
			.name = "arm-lpae-s1",
			.stage = s2 ? 1 : 0,
			.levels = grans[i].levels,
			.ias = 48,
			.oas = oas_bits[oas & 7],
			.page_sizes = (1ull << grans[i].granule) | grans[i].blocks,
		};

		ictl_hw_info_field(hi, "idr5", grans[i].field, &g);
		if (!g)
			continue;
		snprintf(f.source, sizeof(f.source), "idr5.%s = 1, idr5.OAS = %u (SMMUv3 6.3.6)",
			 grans[i].field, (unsigned int)oas);
		if (n < max)
			out[n] = f;
		n++;
	}
	return (int)n;
}

/* --- nesting: a guest's Stream Table Entry over a vIOMMU ---------------------------- */

/*
 * The guest STE fields the kernel takes (SMMUv3 5.2 "Stream Table Entry";
 * arm_smmu_validate_vste()): anything else makes IOMMU_HWPT_ALLOC fail with
 * EIO, so iommuctl names the field before.  key: the spec's name; names:
 * the encodings by value (NULL: reserved or refused by the kernel), NULL for
 * a number; addr: the field holds bits msb:lsb of an address written whole.
 */
struct ste_field {
	const char *key, *spec_name;
	unsigned int word, msb, lsb;
	const char *const *names;
	size_t nnames;
	bool addr;
};

static const char *const ste_bool[] = { "false", "true" };
static const char *const ste_config[] = { "abort", NULL, NULL, NULL, "bypass", "translate" };
static const char *const ste_s1fmt[] = { "linear", "2lvl-4k", "2lvl-64k" };
static const char *const ste_s1dss[] = { "terminate", "bypass", "ssid0" };
static const char *const ste_cache[] = { "nc", "wbra", "wt", "wb" };
static const char *const ste_share[] = { "nsh", NULL, "osh", "ish" };
static const char *const ste_eats[] = { "abort", "trans" };

#define ENUM(n) n, ARRAY_SIZE(n)
static const struct ste_field ste_fields[] = {
	{ "valid", "V", 0, 0, 0, ENUM(ste_bool), false },
	{ "config", "Config", 0, 3, 1, ENUM(ste_config), false },
	{ "s1fmt", "S1Fmt", 0, 5, 4, ENUM(ste_s1fmt), false },
	{ "s1contextptr", "S1ContextPtr", 0, 51, 6, NULL, 0, true },
	{ "s1cdmax", "S1CDMax", 0, 63, 59, NULL, 0, false },
	{ "s1dss", "S1DSS", 1, 1, 0, ENUM(ste_s1dss), false },
	{ "s1cir", "S1CIR", 1, 3, 2, ENUM(ste_cache), false },
	{ "s1cor", "S1COR", 1, 5, 4, ENUM(ste_cache), false },
	{ "s1csh", "S1CSH", 1, 7, 6, ENUM(ste_share), false },
	{ "s1stalld", "S1STALLD", 1, 27, 27, ENUM(ste_bool), false },
	{ "eats", "EATS", 1, 29, 28, ENUM(ste_eats), false },
};

static uint64_t field_mask(const struct ste_field *f)
{
	return (f->msb - f->lsb == 63 ? ~0ULL : ((1ULL << (f->msb - f->lsb + 1)) - 1)) << f->lsb;
}

static uint64_t ste_get(const uint64_t *ste, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(ste_fields); i++) {
		const struct ste_field *f = &ste_fields[i];

		if (!strcmp(f->key, key))
			return (ste[f->word] & field_mask(f)) >> f->lsb;
	}
	return 0;
}

/* What the kernel refuses with EIO, named (key: the spec key to point at, or "ste"). */
static int ste_validate(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const uint64_t *ste,
			bool raw)
{
	uint64_t allowed[2] = { 0, 0 }, cfg, eats;

	if (!(ste[0] & 1))	/* not valid: the kernel makes it an abort STE */
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ste_fields); i++)
		allowed[ste_fields[i].word] |= field_mask(&ste_fields[i]);
	for (unsigned int w = 0; w < 2; w++) {
		if (ste[w] & ~allowed[w])
			return ictl_nested_err_item(ctx, ns, "ste", w,
					       "word %u sets bits %#llx outside the fields a guest STE may set (V, Config, S1Fmt, S1ContextPtr, S1CDMax; S1DSS, S1CIR, S1COR, S1CSH, S1STALLD, EATS): the kernel would answer EIO",
					       w, (unsigned long long)(ste[w] & ~allowed[w]));
	}
	cfg = ste_get(ste, "config");
	if (cfg != 0 && cfg != 4 && cfg != 5)
		return ictl_nested_err(ctx, ns, raw ? "ste" : "config",
				       "STE.Config %#llx is not abort (0b000), bypass (0b100) or stage-1 translate (0b101), the only ones a guest may ask: the kernel would answer EIO",
				       (unsigned long long)cfg);
	eats = ste_get(ste, "eats");
	if (eats > 1)
		return ictl_nested_err_item(ctx, ns, raw ? "ste" : "eats", 1,
					    "STE.EATS %llu is not abort (0) or full ATS (1): split-stage ATS and reserved values make the kernel answer EIO",
					    (unsigned long long)eats);
	return 0;
}

/* One named field into the words. */
static int ste_named(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		     const struct ste_field *f, uint64_t *ste)
{
	uint64_t v = 0, max = field_mask(f) >> f->lsb;
	int r;

	if (f->names)
		r = ictl_nested_enum(ctx, ns, f->key, f->names, f->nnames, &v);
	else if (f->addr)
		r = ictl_nested_u64(ctx, ns, f->key, 0, field_mask(f), &v);
	else
		r = ictl_nested_u64(ctx, ns, f->key, 0, max, &v);
	if (r)
		return r;
	if (f->addr && (v & ((1ULL << f->lsb) - 1)))
		return ictl_nested_err(ctx, ns, f->key,
				       "%#llx is not %llu-byte aligned: STE.%s holds bits %u:%u of the address",
				       (unsigned long long)v, 1ULL << f->lsb, f->spec_name, f->msb,
				       f->lsb);
	ste[f->word] &= ~field_mask(f);
	ste[f->word] |= f->addr ? v : v << f->lsb;
	return 0;
}

/*
 * data: {type: arm-smmuv3, ste: [WORD0, WORD1]} as the guest wrote it, or the
 * named fields (valid defaults to true, config is then needed).
 */
/*
 * table: TABLE (a table of the spec's page_tables:): the STE of a linear CD
 * table of one CD (S1Fmt 0, S1CDMax 0, S1DSS 0b10) that apply puts in the last
 * page of the table memory, its CD 0 pointing at the table's root.
 */
static int smmuv3_nested_table(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
			       const char *const *keys, uint64_t ste[2])
{
	struct ictl_nested_table t;
	struct ictl_smmu_cdtab tab = { 0, 0, 0 };
	int r;

	for (size_t i = 0; keys[i + 1]; i++) {
		if (ictl_nested_has(ns, keys[i]))
			return ictl_nested_err(ctx, ns, keys[i], "give table: (iommuctl writes the STE) or the STE's words or fields, not both");
	}
	r = ictl_nested_table(ctx, ns, "table", ICTL_NESTED_PT_CD, &t);
	if (r > 0)
		return ictl_nested_err(ctx, ns, "table", "table: names a table of page_tables:");
	if (r < 0)
		return r;
	if (strcmp(t.format, "arm-lpae-s1"))
		return ictl_nested_err(ctx, ns, "table", "table %s is %s: an SMMUv3 CD points at arm-lpae-s1 tables",
				       t.name, t.format);
	tab.base = t.ptr;
	ictl_smmu_ste_s1(&tab, ste);
	ste[0] = le64toh(ste[0]);
	ste[1] = le64toh(ste[1]);
	return 0;
}

static int smmuv3_nested_build(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, void *data,
			       size_t len)
{
	static const char *const keys[] = { "ste", "valid", "config", "s1fmt", "s1contextptr",
					    "s1cdmax", "s1dss", "s1cir", "s1cor", "s1csh",
					    "s1stalld", "eats", "table", NULL };
	struct ictl_iommu_hwpt_arm_smmuv3 out;
	uint64_t ste[2] = { 1, 0 };	/* V */
	bool raw = ictl_nested_has(ns, "ste");
	int r;

	if (len < sizeof(out))
		return -ENOSPC;
	r = ictl_nested_keys(ctx, ns, keys);
	if (r)
		return r;
	if (ictl_nested_has(ns, "table")) {
		r = smmuv3_nested_table(ctx, ns, keys, ste);
		if (r)
			return r;
		raw = true;
	} else if (raw) {
		for (size_t i = 0; i < ARRAY_SIZE(ste_fields); i++) {
			if (ictl_nested_has(ns, ste_fields[i].key))
				return ictl_nested_err(ctx, ns, ste_fields[i].key,
						       "give the STE as ste: [word0, word1] or as named fields, not both");
		}
		r = ictl_nested_words(ctx, ns, "ste", 2, ste);
		if (r < 0)
			return r;
	} else {
		bool valid = true;

		r = ictl_nested_bool(ctx, ns, "valid", &valid);
		if (r < 0)
			return r;
		if (valid && !ictl_nested_has(ns, "config"))
			return ictl_nested_err(ctx, ns, NULL,
					       "arm-smmuv3 data needs config: (abort, bypass or translate), or ste: [word0, word1]");
		for (size_t i = 0; i < ARRAY_SIZE(ste_fields); i++) {
			r = ste_named(ctx, ns, &ste_fields[i], ste);
			if (r < 0)
				return r;
		}
	}
	r = ste_validate(ctx, ns, ste, raw);
	if (r)
		return r;
	out.ste[0] = htole64(ste[0]);
	out.ste[1] = htole64(ste[1]);
	memcpy(data, &out, sizeof(out));
	return sizeof(out);
}

/* What the SMMU itself cannot do with this STE (it would raise C_BAD_STE). */
static int smmuv3_nested_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
			       const void *data, size_t len)
{
	struct ictl_iommu_hwpt_arm_smmuv3 in;
	uint64_t ste[2], v = 0;
	char src[96];
	int r;

	if (len < sizeof(in))
		return ictl_err(ctx, EINVAL, "arm-smmuv3 data is %zu bytes, not %zu", len, sizeof(in));
	memcpy(&in, data, sizeof(in));
	ste[0] = le64toh(in.ste[0]);
	ste[1] = le64toh(in.ste[1]);
	if (!(ste[0] & 1))
		return 0;
	r = ictl_hw_need_field(ctx, hi, "idr0", "S1P", "a guest STE (stage 1 under stage 2)");
	if (!r && ste_get(ste, "s1fmt"))
		r = ictl_hw_need_field(ctx, hi, "idr0", "CD2L", "s1fmt: 2-level CD tables");
	if (!r && ste_get(ste, "eats") == 1)
		r = ictl_hw_need_field(ctx, hi, "idr0", "ATS", "eats: trans");
	if (!r && !ictl_hw_info_field(hi, "idr1", "SSIDSIZE", &v) && ste_get(ste, "s1cdmax") > v)
		return ictl_err(ctx, EOPNOTSUPP,
				"s1cdmax %llu (2^%llu context descriptors) needs %llu-bit SubstreamIDs; %s",
				(unsigned long long)ste_get(ste, "s1cdmax"),
				(unsigned long long)ste_get(ste, "s1cdmax"),
				(unsigned long long)ste_get(ste, "s1cdmax"),
				ictl_hw_field_source(hi, "idr1", "SSIDSIZE", src, sizeof(src)));
	if (!r && ste_get(ste, "s1stalld") && !ictl_hw_info_field(hi, "idr0", "STALL_MODEL", &v) &&
	    v == 2)
		return ictl_err(ctx, EOPNOTSUPP,
				"s1stalld: this SMMU forces stalls, so an STE that disables them is ILLEGAL (C_BAD_STE): %s (stall forced)",
				ictl_hw_field_source(hi, "idr0", "STALL_MODEL", src, sizeof(src)));
	return r;
}

/*
 * The driver's paging domains (arm_smmu_domain_alloc_paging_flags()): a
 * nesting parent is a stage 2 and takes no other flag; dirty tracking and
 * PASID are stage-1 domains.
 */
static int smmuv3_hwpt_flags_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
				   uint32_t flags)
{
	uint64_t httu = 0;
	char src[96];
	int r = 0;

	if ((flags & ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT) && (flags & ~ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ictl_err(ctx, EOPNOTSUPP,
				"nest-parent takes no other flag on an SMMUv3: the driver makes a nesting parent a stage-2 domain, and dirty-tracking and pasid domains stage-1 ones");
	if (flags & ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT) {
		r = ictl_hw_need_field(ctx, hi, "idr0", "S1P", "nest-parent (both stages)");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "idr0", "S2P", "nest-parent");
	}
	if (!r && (flags & (ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING | ICTL_IOMMU_HWPT_ALLOC_PASID)))
		r = ictl_hw_need_field(ctx, hi, "idr0", "S1P",
				       flags & ICTL_IOMMU_HWPT_ALLOC_PASID ? "pasid (a stage-1 domain)" :
				       "dirty-tracking (a stage-1 domain)");
	if (!r && (flags & ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !ictl_hw_info_field(hi, "idr0", "HTTU", &httu) && httu != 2)
		return ictl_err(ctx, EOPNOTSUPP,
				"dirty-tracking needs hardware dirty-state updates, idr0.HTTU = 2; this SMMU has %s",
				ictl_hw_field_source(hi, "idr0", "HTTU", src, sizeof(src)));
	return r;
}

const struct ictl_vendor_ops ictl_vendor_arm_smmuv3 = {
	.kind = "arm-smmu-v3",
	.description = "ARM SMMUv3",
	.match = smmuv3_match,
	.read_attrs = smmuv3_read_attrs,
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
	.hw_info_size = sizeof(struct ictl_iommu_hw_info_arm_smmuv3),
	.decode_hw_info = smmuv3_decode,
	.caps = smmuv3_caps,
	.pt_formats = smmuv3_pt_formats,
	.hwpt_data_type = ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3,
	.hwpt_data_size = sizeof(struct ictl_iommu_hwpt_arm_smmuv3),
	.nested_data_build = smmuv3_nested_build,
	.nested_data_check = smmuv3_nested_check,
	/* arm_vsmmu_alloc_domain_nested(): only over a vIOMMU */
	.nested_via = ICTL_NESTED_VIA_VIOMMU,
	.hwpt_flags_check = smmuv3_hwpt_flags_check,
	.viommu_type = ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
};
