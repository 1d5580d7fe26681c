// SPDX-License-Identifier: GPL-2.0-or-later
/* AMD-Vi (IOMMUs described by IVHD blocks of the IVRS table, "ivhdN"). */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vendors.h"
#include "../lib/pt.h"
#include "../lib/uapi/iommufd.h"

static bool amd_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	char p[PATH_MAX];

	(void)name;
	return !path_fmt(p, sizeof(p), "%s/amd-iommu", path) && sysfs_exists(ctx, p);
}

static void hex_norm(const char *in, char *out, size_t len)
{
	uint64_t v;

	if (parse_hex_u64(in, &v) < 0)
		str_copy(out, in, len);
	else
		snprintf(out, len, "0x%llx", (unsigned long long)v);
}

/*
 * amd-iommu/cap is the capability header; amd-iommu/features is the Extended
 * Feature Register, followed since 6.x by ":EFR2".
 */
static void amd_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	char p[PATH_MAX], buf[64], out[32], *colon;

	ictl_unit_add_attr(ctx, u, "cap", "amd-iommu/cap", ICTL_ATTR_HEX);
	if (path_fmt(p, sizeof(p), "%s/amd-iommu/features", u->path) ||
	    sysfs_read_str(ctx, p, buf, sizeof(buf)) < 0)
		return;
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	hex_norm(buf, out, sizeof(out));
	ictl_unit_set_attr(u, "efr", out);
	if (colon) {
		hex_norm(colon + 1, out, sizeof(out));
		ictl_unit_set_attr(u, "efr2", out);
	}
}

/* --- meaning() helpers ----------------------------------------------------- */

/* A field whose encodings are listed; values past the list say "reserved". */
static void enum_meaning(uint64_t v, const char *const *names, size_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v < n && names[v] ? names[v] : "reserved");
}

/* HATS: host (v1) page table levels: 00b 4, 01b 5, 10b 6; 11b reserved. */
static void hats_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "4-level", "5-level", "6-level" };

	enum_meaning(v, n, 3, buf, len);
}

/* GATS: guest (v2, x86-format) page table levels: 00b 4, 01b 5; 1xb reserved. */
static void gats_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "4-level", "5-level" };

	enum_meaning(v, n, 2, buf, len);
}

/* GLXSup: GCR3 table levels: 00b 1, 01b 2, 10b 3 (for 20-bit PASIDs); 11b reserved. */
static void glx_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "1-level GCR3 table", "2-level GCR3 table",
					 "3-level GCR3 table" };

	enum_meaning(v, n, 3, buf, len);
}

/* PASmax: PASIDs are PASmax + 1 bits wide. */
static void pasmax_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu bit%s", (unsigned long long)v + 1, v ? "s" : "");
}

static void smif_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "not supported", "supported" };

	enum_meaning(v, n, 2, buf, len);
}

/* GAMSup: 000b interrupt remapping only; 001b guest virtual APIC as well. */
static void gam_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "interrupt remapping only",
					 "guest virtual APIC supported" };

	enum_meaning(v, n, 2, buf, len);
}

/* DualPprLogSup / DualEventLogSup: 00b no, 01b two logs supported. */
static void dual_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "not supported", "two logs supported" };

	enum_meaning(v, n, 2, buf, len);
}

/* DevTblSegSup: 00b one device table, 01b 2 segments, 10b 4, 11b 8. */
static void devtblseg_meaning(uint64_t v, char *buf, size_t len)
{
	if (v)
		snprintf(buf, len, "%llu segments", 1ULL << v);
	else
		snprintf(buf, len, "not segmented");
}

/* MarcSup: 00b none, 01b four MARC register sets. */
static void marc_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "not supported", "4 MARC apertures" };

	enum_meaning(v, n, 2, buf, len);
}

/* NumIntRemapSup (EFR2): 00b 512 interrupts per device table, 01b 2048. */
static void intremap_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const n[] = { "512 entries per interrupt table",
					 "2048 entries per interrupt table" };

	enum_meaning(v, n, 2, buf, len);
}

/*
 * Extended Feature Register, AMD I/O Virtualization Technology (IOMMU)
 * Specification (doc. 48882 rev 3.x), section 3.4 (MMIO registers), "MMIO
 * Offset 0030h IOMMU Extended Feature Register".  Bit positions checked
 * against FEATURE_* of
 * drivers/iommu/amd/amd_iommu_types.h (PREFETCH 0, PPR 1, X2APIC 2, NX 3, GT 4,
 * IA 6, GA 7, HE 8, PC 9, HATS 11:10, GATS 13:12, GLX 15:14, GAM_VAPIC 21,
 * PASMAX 36:32, GIOSUP 48, HASUP 49, EPHSUP 50, HDSUP 52, SNP 63;
 * IOMMU_EFR_MSICAPMMIOSUP_SHIFT 46).
 */
static const struct ictl_field_desc efr_fields[] = {
	{ "PreFSup", 0, 0, "Prefetch support", NULL },
	{ "PPRSup", 1, 1, "Peripheral Page Request support", NULL },
	{ "XTSup", 2, 2, "x2APIC support", NULL },
	{ "NXSup", 3, 3, "No-eXecute protection support", NULL },
	{ "GTSup", 4, 4, "Guest Translation support", NULL },
	{ "IASup", 6, 6, "INVALIDATE_IOMMU_ALL support", NULL },
	{ "GASup", 7, 7, "Guest virtual APIC support", NULL },
	{ "HESup", 8, 8, "Hardware Error registers support", NULL },
	{ "PCSup", 9, 9, "Performance Counter support", NULL },
	{ "HATS", 11, 10, "Host Address Translation Size (v1 page table levels)", hats_meaning },
	{ "GATS", 13, 12, "Guest Address Translation Size (v2 page table levels)", gats_meaning },
	{ "GLXSup", 15, 14, "Guest CR3 root table level (max) supported", glx_meaning },
	{ "SmiFSup", 17, 16, "SMI Filter register support", smif_meaning },
	{ "SmiFRC", 20, 18, "SMI Filter Register Count", NULL },
	{ "GAMSup", 23, 21, "Guest virtual APIC Modes supported", gam_meaning },
	{ "DualPprLogSup", 25, 24, "Dual PPR Log support", dual_meaning },
	{ "DualEventLogSup", 29, 28, "Dual Event Log support", dual_meaning },
	{ "PASmax", 36, 32, "Maximum PASID supported (PASID width minus one)", pasmax_meaning },
	{ "USSup", 37, 37, "User/Supervisor page protection support", NULL },
	{ "DevTblSegSup", 39, 38, "Segmented Device Table support", devtblseg_meaning },
	{ "PprOvrflwEarlySup", 40, 40, "PPR Log Overflow Early warning support", NULL },
	{ "PPRAutoRspSup", 41, 41, "PPR Automatic Response support", NULL },
	{ "MarcSup", 43, 42, "Memory Access Routing and Control support", marc_meaning },
	{ "BlkStopMrkSup", 44, 44, "Block StopMark message support", NULL },
	{ "PerfOptSup", 45, 45, "Performance Optimization support", NULL },
	{ "MsiCapMmioSup", 46, 46, "MSI capability register MMIO access support", NULL },
	{ "GIOSup", 48, 48, "Guest I/O protection support", NULL },
	{ "HASup", 49, 49, "Host Access (accessed bit) support", NULL },
	{ "EPHSup", 50, 50, "Enhanced PPR Handling support", NULL },
	{ "AttrFWSup", 51, 51, "Attribute Forward support", NULL },
	{ "HDSup", 52, 52, "Host Dirty (dirty bit) support", NULL },
	{ "InvIotlbTypeSup", 54, 54, "Invalidate IOTLB type support", NULL },
	{ "vIommuSup", 55, 55, "Virtualized IOMMU support", NULL },
	{ "GAUpdateDisSup", 61, 61, "Disable hardware A/D update on guest page table support",
	  NULL },
	{ "ForcePhyDestSup", 62, 62, "Force physical destination mode for remapped interrupts",
	  NULL },
	{ "SNPSup", 63, 63, "SEV-SNP support", NULL },
	{ 0 }
};

/*
 * Extended Feature 2 Register, same specification and section, "MMIO
 * Offset 01A0h IOMMU Extended Feature 2 Register".  Only the fields the
 * kernel names are listed (FEATURE_SEVSNPIO_SUP 1, FEATURE_GCR3TRPMODE 3,
 * FEATURE_SNPAVICSUP 7:5, FEATURE_NUM_INT_REMAP_SUP 9:8,
 * FEATURE_HT_RANGE_IGNORE 11); names follow the specification's style.
 */
static const struct ictl_field_desc efr2_fields[] = {
	{ "SEVSNPIOSup", 1, 1, "SEV-SNP trusted I/O support", NULL },
	{ "GCR3TRPModeSup", 3, 3, "GCR3 table root pointer (TRP) mode support", NULL },
	{ "SNPAVICSup", 7, 5, "SNP-enabled AVIC support (1: supported)", NULL },
	{ "NumIntRemapSup", 9, 8, "Number of interrupt remapping entries supported",
	  intremap_meaning },
	{ "HTRangeIgnoreSup", 11, 11, "HyperTransport address range can be ignored", NULL },
	{ 0 }
};

static int amd_decode(struct ictl_ctx *ctx, const void *data, size_t len, struct ictl_hw_info *out)
{
	struct ictl_iommu_hw_info_amd h;
	int r;

	(void)ctx;
	(void)len;
	memcpy(&h, data, sizeof(h));
	r = ictl_hw_add_reg(out, "efr", "Extended Feature Register (AMD IOMMU 48882, MMIO 0030h)",
			    64, h.efr, efr_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "efr2",
				    "Extended Feature 2 Register (AMD IOMMU 48882, MMIO 01A0h)", 64,
				    h.efr2, efr2_fields);
	return r;
}

/* Parse one hex number that must fill the whole string. */
/* amd-iommu/features: "%llx" of EFR, or "%llx:%llx" of EFR and EFR2 (Linux 6.x). */
static int amd_from_sysfs(struct ictl_ctx *ctx, const struct ictl_unit *u, void *data, size_t len)
{
	struct ictl_iommu_hw_info_amd h;
	char p[PATH_MAX], buf[64], *colon;
	int r;

	if (len < sizeof(h))
		return -ENOSPC;
	memset(&h, 0, sizeof(h));
	r = path_fmt(p, sizeof(p), "%s/amd-iommu/features", u->path);
	if (!r)
		r = sysfs_read_str(ctx, p, buf, sizeof(buf));
	if (r < 0)
		return r;
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	r = parse_hex_u64(buf, &h.efr);
	if (!r && colon)
		r = parse_hex_u64(colon + 1, &h.efr2);
	if (r < 0)
		return r;
	memcpy(data, &h, sizeof(h));
	return 0;
}

/* --- capabilities ------------------------------------------------------------ */

static void amd_caps(const struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	uint64_t v;

	const struct ictl_hw_field *hats = ictl_hw_field_find(hi, "efr", "HATS");

	ictl_cap_set(caps, ICTL_CAP_PAGING, true, "efr.HATS (bits 11:10)",
		     "host (v1) page table, %s", hats ? hats->meaning : "levels unknown");
	ictl_cap_from_field(caps, ICTL_CAP_NEST_PARENT, hi, "efr", "GTSup");
	if (ictl_cap_from_field(caps, ICTL_CAP_NESTED_S1, hi, "efr", "GTSup") &&
	    !ictl_hw_info_field(hi, "efr", "GATS", &v)) {
		ictl_cap_from_field(caps, ICTL_CAP_NESTED_S1, hi, "efr", "GATS");
		caps->cap[ICTL_CAP_NESTED_S1].hw = ICTL_YES;
		snprintf(caps->cap[ICTL_CAP_NESTED_S1].source, sizeof(caps->cap[0].source),
			 "efr.GTSup (bit 4), efr.GATS (bits 13:12) = %u", (unsigned int)v);
		snprintf(caps->cap[ICTL_CAP_NESTED_S1].detail, sizeof(caps->cap[0].detail),
			 "AMD guest page table (guest DTE, GCR3): GATS %u", (unsigned int)v);
	}
	ictl_cap_from_field(caps, ICTL_CAP_DIRTY, hi, "efr", "HDSup");
	/* PASIDs come with guest translation; PASmax + 1 is their width. */
	if (!ictl_hw_info_field(hi, "efr", "PASmax", &v)) {
		uint64_t gt = 0;

		ictl_hw_info_field(hi, "efr", "GTSup", &gt);
		ictl_cap_set(caps, ICTL_CAP_PASID, gt != 0,
			     "efr.GTSup (bit 4), efr.PASmax (bits 36:32)",
			     "%u-bit PASIDs (PASmax + 1)", (unsigned int)v + 1);
	}
	/* ATS (IotlbSup) is in the PCI capability header, which hw_info does not carry. */
	snprintf(caps->cap[ICTL_CAP_ATS].source, sizeof(caps->cap[0].source),
		 "IotlbSup is in the IOMMU's PCI capability header, not in hw_info");
	ictl_cap_set(caps, ICTL_CAP_PAGE_SIZES, true, "AMD-Vi v1 page table format",
		     "every power of two from 4K");
}

/* --- page-table formats -------------------------------------------------------- */

static uint64_t field(const struct ictl_hw_info *hi, const char *name)
{
	uint64_t v = 0;

	ictl_hw_info_field(hi, "efr", name, &v);
	return v;
}

/*
 * Host (v1) tables as deep as efr.HATS allows (00b 4, 01b 5, 10b 6 levels),
 * every power of two from 4K up to what the top mapping level has, 512G
 * excepted (a hardware erratum the kernel works around); with GTSup, guest
 * (v2, x86-64) tables of 4 levels, and 5 with efr.GATS = 01b.
 */
static int amd_pt_formats(const struct ictl_hw_info *hi, struct ictl_pt_format *out, size_t max)
{
	uint64_t hats = field(hi, "HATS"), gt = field(hi, "GTSup"), gats = field(hi, "GATS");
	size_t n = 0;

	if (hats <= 2) {
		unsigned int levels = 4 + (unsigned int)hats, top = levels == 6 ? 5 : levels;
		struct ictl_pt_format f = {
			.name = "amd-v1",
			.stage = gt ? 2 : 0,
			.levels = levels,
			.ias = levels == 6 ? 64 : 12 + 9 * levels,
		};

		/* Pages from 4K to 2^(12 + 9 * top - 1) bytes, address bits up to 51. */
		for (unsigned int b = 12; b < 12 + 9 * top && b <= 51; b++)
			if (b != 39)
				f.page_sizes |= 1ull << b;
		snprintf(f.source, sizeof(f.source), "efr.HATS = %u (AMD IOMMU 3.4, MMIO 0030h)",
			 (unsigned int)hats);
		if (n < max)
			out[n] = f;
		n++;
	}
	for (unsigned int levels = 4; gt && levels <= (gats == 1 ? 5u : 4u); levels++) {
		struct ictl_pt_format f = {
			.name = "x86-64",
			.stage = 1,
			.levels = levels,
			.ias = 12 + 9 * levels,
			.page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30),
		};

		snprintf(f.source, sizeof(f.source), "efr.GTSup = 1, efr.GATS = %u (AMD IOMMU 3.4)",
			 (unsigned int)gats);
		if (n < max)
			out[n] = f;
		n++;
	}
	return (int)n;
}

/* --- nesting: a guest's Device Table Entry over a vIOMMU ----------------------------- */

/*
 * The fields of a guest DTE the kernel reads (drivers/iommu/amd/nested.c,
 * after the AMD IOMMU specification's Device Table Entry), by 64-bit word.
 */
#define DTE0_V			(1ULL << 0)
#define DTE0_MODE		(7ULL << 9)		/* host page table levels: 0 in a guest DTE */
#define DTE0_HOST_TRP		(0xffffffffffULL << 12)	/* host table pointer, bits 51:12 */
#define DTE0_PPR		(1ULL << 52)
#define DTE0_GIOV		(1ULL << 54)
#define DTE0_GV			(1ULL << 55)
#define DTE0_GLX_SHIFT		56			/* bits 57:56 */
#define DTE0_GCR3_14_12_SHIFT	58			/* bits 60:58 */
#define DTE1_DOMID		0xffffULL
#define DTE1_GCR3_30_15_SHIFT	16			/* bits 31:16 */
#define DTE1_GCR3_51_31_SHIFT	43			/* bits 63:43 */
#define DTE2_GPT_SHIFT		54			/* bits 55:54: 0 4-level, 1 5-level */

static uint64_t dte_gcr3(const uint64_t *dte)
{
	return ((dte[0] >> DTE0_GCR3_14_12_SHIFT) & 7) << 12 |
	       ((dte[1] >> DTE1_GCR3_30_15_SHIFT) & 0xffff) << 15 |
	       ((dte[1] >> DTE1_GCR3_51_31_SHIFT) & 0x1fffff) << 31;
}

/* validate_gdte_nested()'s rules, each named. */
static int dte_validate(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const uint64_t *dte,
			bool raw)
{
	uint64_t gpt = (dte[2] >> DTE2_GPT_SHIFT) & 3;

	if (dte[0] & DTE0_MODE)
		return ictl_nested_err_item(ctx, ns, "dte", 0,
				       "DTE.Mode (word 0 bits 11:9) must be 0 in a guest DTE: the host page table is the nest parent's");
	if (dte[0] & DTE0_HOST_TRP)
		return ictl_nested_err_item(ctx, ns, "dte", 0,
				       "DTE.HostPageTableRootPtr (word 0 bits 51:12) must be 0 in a guest DTE: the host table is the nest parent's");
	if ((dte[0] & DTE0_V) && (dte[0] & DTE0_GV) && !dte_gcr3(dte))
		return ictl_nested_err(ctx, ns, raw ? "dte" : "gcr3",
				       "a valid DTE with guest translation (V and GV set) needs the GCR3 table's address: give gcr3:");
	if (gpt > 1)
		return ictl_nested_err_item(ctx, ns, "dte", 2,
				       "DTE.GuestPagingMode (word 2 bits 55:54) %llu is not 0 (4-level) or 1 (5-level)",
				       (unsigned long long)gpt);
	if (((dte[0] >> DTE0_GLX_SHIFT) & 3) == 3)
		return ictl_nested_err_item(ctx, ns, "dte", 0,
					    "DTE.GLX (word 0 bits 57:56) = 3 is reserved");
	return 0;
}

/* The named form: valid, gv (both default true), giov, ppr, glx, gcr3, levels, domain_id. */
static int dte_named(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, uint64_t *dte)
{
	bool v = true, gv = true, giov = false, ppr = false;
	uint64_t glx = 0, gcr3 = 0, levels = 4, domid = 0;
	int r = 0;

	if (ictl_nested_bool(ctx, ns, "valid", &v) < 0 || ictl_nested_bool(ctx, ns, "gv", &gv) < 0 ||
	    ictl_nested_bool(ctx, ns, "giov", &giov) < 0 || ictl_nested_bool(ctx, ns, "ppr", &ppr) < 0 ||
	    ictl_nested_u64(ctx, ns, "glx", 0, 2, &glx) < 0 ||
	    ictl_nested_u64(ctx, ns, "gcr3", 0, (1ULL << 52) - 1, &gcr3) < 0 ||
	    ictl_nested_u64(ctx, ns, "levels", 4, 5, &levels) < 0 ||
	    ictl_nested_u64(ctx, ns, "domain_id", 0, 0xffff, &domid) < 0)
		return -EINVAL;
	if (gcr3 & 0xfff)
		r = ictl_nested_err(ctx, ns, "gcr3",
				    "%#llx is not 4 KiB aligned: the DTE holds bits 51:12 of the GCR3 table's address",
				    (unsigned long long)gcr3);
	dte[0] = (v ? DTE0_V : 0) | (gv ? DTE0_GV : 0) | (giov ? DTE0_GIOV : 0) |
		 (ppr ? DTE0_PPR : 0) | glx << DTE0_GLX_SHIFT |
		 ((gcr3 >> 12) & 7) << DTE0_GCR3_14_12_SHIFT;
	dte[1] = domid | ((gcr3 >> 15) & 0xffff) << DTE1_GCR3_30_15_SHIFT |
		 ((gcr3 >> 31) & 0x1fffff) << DTE1_GCR3_51_31_SHIFT;
	dte[2] = (levels == 5 ? 1ULL : 0) << DTE2_GPT_SHIFT;
	dte[3] = 0;
	return r;
}

/* data: {type: amd-guest, dte: [W0, W1, W2, W3]} as the guest wrote it, or the named fields. */
/*
 * table: TABLE (a table of the spec's page_tables:): the guest DTE of a
 * one-level GCR3 table (GLX 0) that apply puts in the last page of the table
 * memory, its PASID 0 the table's root; GuestPagingMode from its levels.
 */
static int amd_nested_table(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
			    const char *const *keys, uint64_t dte[4])
{
	struct ictl_nested_table t;
	int r;

	for (size_t i = 0; keys[i + 1]; i++) {
		if (ictl_nested_has(ns, keys[i]))
			return ictl_nested_err(ctx, ns, keys[i], "give table: (iommuctl writes the DTE) or the DTE's words or fields, not both");
	}
	r = ictl_nested_table(ctx, ns, "table", ICTL_NESTED_PT_GCR3, &t);
	if (r > 0)
		return ictl_nested_err(ctx, ns, "table", "table: names a table of page_tables:");
	if (r < 0)
		return r;
	if (strcmp(t.format, "x86-64"))
		return ictl_nested_err(ctx, ns, "table", "table %s is %s: AMD guest tables are x86-64 (format: x86-64 or x86-64,levels=5)",
				       t.name, t.format);
	ictl_amd_gdte(t.ptr, 0, t.levels, dte);
	for (int i = 0; i < 4; i++)
		dte[i] = le64toh(dte[i]);
	return 0;
}

static int amd_nested_build(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, void *data,
			    size_t len)
{
	static const char *const keys[] = { "dte", "valid", "gv", "giov", "ppr", "glx", "gcr3",
					    "levels", "domain_id", "table", NULL };
	struct ictl_iommu_hwpt_amd_guest out = { { 0 } };
	bool raw = ictl_nested_has(ns, "dte");
	int r;

	if (len < sizeof(out))
		return -ENOSPC;
	r = ictl_nested_keys(ctx, ns, keys);
	if (r)
		return r;
	if (ictl_nested_has(ns, "table")) {
		r = amd_nested_table(ctx, ns, keys, out.dte);
		if (!r)
			r = dte_validate(ctx, ns, out.dte, true);
		if (r)
			return r;
		memcpy(data, &out, sizeof(out));
		return sizeof(out);
	}
	for (size_t i = 1; raw && keys[i]; i++) {
		if (ictl_nested_has(ns, keys[i]))
			return ictl_nested_err(ctx, ns, keys[i],
					       "give the DTE as dte: [w0, w1, w2, w3] or as named fields, not both");
	}
	r = raw ? ictl_nested_words(ctx, ns, "dte", 4, out.dte) : dte_named(ctx, ns, out.dte);
	if (r < 0)
		return r;
	r = dte_validate(ctx, ns, out.dte, raw);
	if (r)
		return r;
	memcpy(data, &out, sizeof(out));
	return sizeof(out);
}

static int amd_nested_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, const void *data,
			    size_t len)
{
	struct ictl_iommu_hwpt_amd_guest in;
	uint64_t gats = 0, glxsup = 0;
	char src[96];
	int r;

	if (len < sizeof(in))
		return ictl_err(ctx, EINVAL, "amd-guest data is %zu bytes, not %zu", len, sizeof(in));
	memcpy(&in, data, sizeof(in));
	r = ictl_hw_need_field(ctx, hi, "efr", "GTSup", "a guest DTE (guest translation)");
	if (!r && ((in.dte[2] >> DTE2_GPT_SHIFT) & 3) == 1 &&
	    !ictl_hw_info_field(hi, "efr", "GATS", &gats) && gats != 1)
		return ictl_err(ctx, EOPNOTSUPP,
				"levels: 5 needs 5-level guest tables, efr.GATS = 1 (and a CPU with LA57); this IOMMU has %s",
				ictl_hw_field_source(hi, "efr", "GATS", src, sizeof(src)));
	if (!r && !ictl_hw_info_field(hi, "efr", "GLXSup", &glxsup) &&
	    ((in.dte[0] >> DTE0_GLX_SHIFT) & 3) > glxsup)
		return ictl_err(ctx, EOPNOTSUPP,
				"glx %llu (a %llu-level GCR3 table) is more than this IOMMU walks: %s",
				(unsigned long long)((in.dte[0] >> DTE0_GLX_SHIFT) & 3),
				(unsigned long long)((in.dte[0] >> DTE0_GLX_SHIFT) & 3) + 1,
				ictl_hw_field_source(hi, "efr", "GLXSup", src, sizeof(src)));
	if (!r && (in.dte[0] & DTE0_PPR))
		r = ictl_hw_need_field(ctx, hi, "efr", "PPRSup", "ppr (guest page requests)");
	if (!r && (in.dte[0] & DTE0_GIOV))
		r = ictl_hw_need_field(ctx, hi, "efr", "GIOSup", "giov (guest I/O protection)");
	return r;
}

/*
 * The driver's paging domains (amd_iommu_domain_alloc_paging_flags()):
 * dirty tracking and nesting parents are v1 tables, PASID-capable domains v2
 * ones, so PASID goes with neither.
 */
static int amd_hwpt_flags_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, uint32_t flags)
{
	int r = 0;

	if ((flags & ICTL_IOMMU_HWPT_ALLOC_PASID) && (flags & ~ICTL_IOMMU_HWPT_ALLOC_PASID))
		return ictl_err(ctx, EOPNOTSUPP,
				"pasid goes with no other flag on AMD-Vi: PASID-capable domains use the v2 (guest) page table, dirty-tracking and nest-parent the v1 (host) one");
	if (flags & ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT) {
		r = ictl_hw_need_field(ctx, hi, "efr", "GTSup", "nest-parent");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "efr", "GIOSup", "nest-parent");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "efr2", "GCR3TRPModeSup", "nest-parent");
	}
	if (!r && (flags & ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		r = ictl_hw_need_field(ctx, hi, "efr", "HDSup", "dirty-tracking");
	if (!r && (flags & ICTL_IOMMU_HWPT_ALLOC_PASID)) {
		r = ictl_hw_need_field(ctx, hi, "efr", "GTSup", "pasid");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "efr", "PPRSup", "pasid");
	}
	return r;
}

const struct ictl_vendor_ops ictl_vendor_amd = {
	.kind = "amd-vi",
	.description = "AMD-Vi IOMMU",
	.match = amd_match,
	.read_attrs = amd_read_attrs,
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_AMD,
	.hw_info_size = sizeof(struct ictl_iommu_hw_info_amd),
	.decode_hw_info = amd_decode,
	.hw_info_from_sysfs = amd_from_sysfs,
	.caps = amd_caps,
	.pt_formats = amd_pt_formats,
	.hwpt_data_type = ICTL_IOMMU_HWPT_DATA_AMD_GUEST,
	.hwpt_data_size = sizeof(struct ictl_iommu_hwpt_amd_guest),
	.nested_data_build = amd_nested_build,
	.nested_data_check = amd_nested_check,
	/* amd_iommu_alloc_domain_nested() is a vIOMMU op; the uAPI has no AMD vIOMMU type */
	.nested_via = ICTL_NESTED_VIA_VIOMMU,
	.hwpt_flags_check = amd_hwpt_flags_check,
};
