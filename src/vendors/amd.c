// SPDX-License-Identifier: GPL-2.0-or-later
/* AMD-Vi (IOMMUs described by IVHD blocks of the IVRS table, "ivhdN"). */
#include <errno.h>
#include <string.h>

#include "vendors.h"
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
};
