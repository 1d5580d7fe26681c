// SPDX-License-Identifier: GPL-2.0-or-later
/* Intel VT-d (DMA remapping units, "dmarN"). */
#include <errno.h>
#include <string.h>

#include "vendors.h"
#include "../lib/uapi/iommufd.h"

static bool intel_match(struct ictl_ctx *ctx, const char *name, const char *path)
{
	char p[PATH_MAX];

	(void)name;
	return !path_fmt(p, sizeof(p), "%s/intel-iommu", path) && sysfs_exists(ctx, p);
}

/* intel-iommu/ holds the capability and extended capability registers in hex. */
static void intel_read_attrs(struct ictl_ctx *ctx, struct ictl_unit *u)
{
	ictl_unit_add_attr(ctx, u, "version", "intel-iommu/version", ICTL_ATTR_RAW);
	ictl_unit_add_attr(ctx, u, "address", "intel-iommu/address", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "cap", "intel-iommu/cap", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "ecap", "intel-iommu/ecap", ICTL_ATTR_HEX);
	ictl_unit_add_attr(ctx, u, "domains_supported", "intel-iommu/domains_supported",
			   ICTL_ATTR_RAW);
	ictl_unit_add_attr(ctx, u, "domains_used", "intel-iommu/domains_used", ICTL_ATTR_RAW);
}

/* --- meaning() helpers --------------------------------------------------- */

/* Append ", item" (or "item" first) to buf. */
static void list_add(char *buf, size_t len, const char *item)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", item);
}

/* One name per set bit, "none" when no bit is set. */
static void bit_list(uint64_t v, const char *const *names, size_t nnames, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nnames; i++) {
		if (v & (1ULL << i))
			list_add(buf, len, names[i] ? names[i] : "reserved bit");
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* ND: 2^(4 + 2*ND) domain IDs; 7 is reserved. */
static void nd_meaning(uint64_t v, char *buf, size_t len)
{
	if (v == 7)
		snprintf(buf, len, "reserved");
	else
		snprintf(buf, len, "%llu domains", 1ULL << (4 + 2 * v));
}

/* SAGAW: bit 1 = 39-bit 3-level, bit 2 = 48-bit 4-level, bit 3 = 57-bit 5-level tables. */
static void sagaw_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const names[] = {
		"reserved bit 0 (30-bit 2-level in VT-d 1.x)",
		"39-bit (3-level)",
		"48-bit (4-level)",
		"57-bit (5-level)",
		"reserved bit 4",
	};

	bit_list(v, names, 5, buf, len);
}

/* MGAW: the guest address width is MGAW + 1 bits. */
static void mgaw_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu-bit", (unsigned long long)v + 1);
}

/* FRO / IRO: the register block's offset from the unit's base, in 16-byte units. */
static void offset16_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "offset 0x%llx", (unsigned long long)v * 16);
}

/* SLLPS: bit 0 = 2M (21-bit offset), bit 1 = 1G (30-bit), bits 2-3 reserved (512G, 1T once). */
static void sllps_meaning(uint64_t v, char *buf, size_t len)
{
	static const char *const names[] = { "2M", "1G", "512G (reserved)", "1T (reserved)" };

	bit_list(v, names, 4, buf, len);
}

/* NFR: the number of fault-recording registers, minus one. */
static void nfr_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu fault-recording register%s", (unsigned long long)v + 1,
		 v ? "s" : "");
}

/* MAMV: a page-selective invalidation covers up to 2^MAMV 4K pages. */
static void mamv_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "up to 2^%llu pages per invalidation", (unsigned long long)v);
}

static void fl5lp_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 v ? "first-stage 5-level (57-bit) paging" :
		     "first-stage 4-level (48-bit) paging only");
}

static void cm_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 v ? "not-present entries may be cached (typical of a virtual IOMMU)" :
		     "only present entries are cached");
}

/* MHMV: interrupt entry cache invalidation can cover 2^MHMV entries at once. */
static void mhmv_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "up to 2^%llu interrupt entries per invalidation",
		 (unsigned long long)v);
}

/* PSS: the PASID width is PSS + 1 bits (valid when PASID is set). */
static void pss_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu-bit PASIDs (when PASID is 1)", (unsigned long long)v + 1);
}

static void eim_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v ? "32-bit APIC IDs (x2APIC)" : "8-bit APIC IDs (xAPIC) only");
}

static void errata_meaning(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 v ? "affected: no read-only mappings in a nesting parent domain" : "not affected");
}

/* --- the registers ---------------------------------------------------------- */

/*
 * Capability Register, VT-d specification section 11.4.2 (rev. 4.x names; bit
 * positions checked against the cap_*() macros of drivers/iommu/intel/iommu.h
 * and CAP_*_MASK of cap_audit.h).  Bit 23 is reserved (it was ISOCH), 38 and
 * 57-58 are reserved.
 */
static const struct ictl_field_desc cap_fields[] = {
	{ "ND", 2, 0, "Number of Domains supported", nd_meaning },
	{ "AFL", 3, 3, "Advanced Fault Logging", NULL },
	{ "RWBF", 4, 4, "Required Write-Buffer Flushing", NULL },
	{ "PLMR", 5, 5, "Protected Low-Memory Region", NULL },
	{ "PHMR", 6, 6, "Protected High-Memory Region", NULL },
	{ "CM", 7, 7, "Caching Mode", cm_meaning },
	{ "SAGAW", 12, 8, "Supported Adjusted Guest Address Widths (second-stage table levels)",
	  sagaw_meaning },
	{ "MGAW", 21, 16, "Maximum Guest Address Width, minus one", mgaw_meaning },
	{ "ZLR", 22, 22, "Zero Length Read", NULL },
	{ "FRO", 33, 24, "Fault-recording Register Offset (16-byte units)", offset16_meaning },
	{ "SLLPS", 37, 34, "Second-Level (second-stage) Large Page Support", sllps_meaning },
	{ "PSI", 39, 39, "Page Selective Invalidation", NULL },
	{ "NFR", 47, 40, "Number of Fault-recording Registers, minus one", nfr_meaning },
	{ "MAMV", 53, 48, "Maximum Address Mask Value", mamv_meaning },
	{ "DWD", 54, 54, "Write Draining", NULL },
	{ "DRD", 55, 55, "Read Draining", NULL },
	{ "FL1GP", 56, 56, "First-Level (first-stage) 1-GByte Page support", NULL },
	{ "PI", 59, 59, "Posted Interrupts support", NULL },
	{ "FL5LP", 60, 60, "First-Level (first-stage) 5-level Paging support", fl5lp_meaning },
	{ "ECMDS", 61, 61, "Enhanced Command Support", NULL },
	{ "ESIRTPS", 62, 62, "Enhanced Set Interrupt Remap Table Pointer Support", NULL },
	{ "ESRTPS", 63, 63, "Enhanced Set Root Table Pointer Support", NULL },
	{ 0 }
};

/*
 * Extended Capability Register, VT-d specification section 11.4.3 (bit
 * positions checked against the ecap_*() macros of drivers/iommu/intel/iommu.h
 * and ECAP_*_MASK of cap_audit.h).  Bits 5, 18-19, 24, 27-28, 32, 50 and
 * 54-63 are reserved or deprecated.
 */
static const struct ictl_field_desc ecap_fields[] = {
	{ "C", 0, 0, "page-walk Coherency", NULL },
	{ "QI", 1, 1, "Queued Invalidation support", NULL },
	{ "DT", 2, 2, "Device-TLB support (ATS)", NULL },
	{ "IR", 3, 3, "Interrupt Remapping support", NULL },
	{ "EIM", 4, 4, "Extended Interrupt Mode", eim_meaning },
	{ "PT", 6, 6, "Pass Through", NULL },
	{ "SC", 7, 7, "Snoop Control", NULL },
	{ "IRO", 17, 8, "IOTLB Register Offset (16-byte units)", offset16_meaning },
	{ "MHMV", 23, 20, "Maximum Handle Mask Value", mhmv_meaning },
	{ "MTS", 25, 25, "Memory Type Support", NULL },
	{ "NEST", 26, 26, "Nested Translation Support", NULL },
	{ "PRS", 29, 29, "Page Request Support", NULL },
	{ "ERS", 30, 30, "Execute Request Support", NULL },
	{ "SRS", 31, 31, "Supervisor Request Support", NULL },
	{ "NWFS", 33, 33, "No Write Flag Support", NULL },
	{ "EAFS", 34, 34, "Extended Accessed Flag Support", NULL },
	{ "PSS", 39, 35, "PASID Size Supported, minus one", pss_meaning },
	{ "PASID", 40, 40, "Process Address Space ID support", NULL },
	{ "DIT", 41, 41, "Device-TLB Invalidation Throttle", NULL },
	{ "PDS", 42, 42, "Page-request Drain Support", NULL },
	{ "SMTS", 43, 43, "Scalable Mode Translation Support", NULL },
	{ "VCS", 44, 44, "Virtual Command Support", NULL },
	{ "SLADS", 45, 45, "Second-Level (second-stage) Accessed/Dirty Support", NULL },
	{ "SLTS", 46, 46, "Second-Level (second-stage) Translation Support", NULL },
	{ "FLTS", 47, 47, "First-Level (first-stage) Translation Support", NULL },
	{ "SMPWCS", 48, 48, "Scalable-Mode Page-Walk Coherency Support", NULL },
	{ "RPS", 49, 49, "RID-PASID Support", NULL },
	{ "PMS", 51, 51, "Performance Monitoring Support", NULL },
	{ "ADMS", 52, 52, "Abort DMA Mode Support", NULL },
	{ "RPRIVS", 53, 53, "RID_PRIV Support", NULL },
	{ 0 }
};

/* struct iommu_hw_info_vtd's flags (include/uapi/linux/iommufd.h), not a hardware register. */
static const struct ictl_field_desc flags_fields[] = {
	{ "ERRATA_772415_SPR17", 0, 0,
	  "erratum SPR17 (Intel doc. 772415): stage-1 A/D updates may write stage-2 read-only "
	  "pages",
	  errata_meaning },
	{ 0 }
};

static int intel_decode(struct ictl_ctx *ctx, const void *data, size_t len,
			struct ictl_hw_info *out)
{
	struct ictl_iommu_hw_info_vtd h;
	int r;

	(void)ctx;
	(void)len;
	memcpy(&h, data, sizeof(h));
	r = ictl_hw_add_reg(out, "flags", "hw_info flags (errata the kernel reports)", 32, h.flags,
			    flags_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "cap_reg", "Capability Register (VT-d 11.4.2)", 64,
				    h.cap_reg, cap_fields);
	if (!r)
		r = ictl_hw_add_reg(out, "ecap_reg", "Extended Capability Register (VT-d 11.4.3)",
				    64, h.ecap_reg, ecap_fields);
	return r;
}

/* Read <unit>/intel-iommu/<file>: the kernel prints the register as "%llx". */
static int read_hex_reg(struct ictl_ctx *ctx, const struct ictl_unit *u, const char *file,
			uint64_t *v)
{
	char p[PATH_MAX];
	int r = path_fmt(p, sizeof(p), "%s/intel-iommu/%s", u->path, file);

	return r < 0 ? r : sysfs_read_hex(ctx, p, v);
}

/* The driver data as iommufd would give it: cap and ecap, no errata flag known from sysfs. */
static int intel_from_sysfs(struct ictl_ctx *ctx, const struct ictl_unit *u, void *data, size_t len)
{
	struct ictl_iommu_hw_info_vtd h;
	int r;

	if (len < sizeof(h))
		return -ENOSPC;
	memset(&h, 0, sizeof(h));
	r = read_hex_reg(ctx, u, "cap", &h.cap_reg);
	if (!r)
		r = read_hex_reg(ctx, u, "ecap", &h.ecap_reg);
	if (r < 0)
		return r;
	memcpy(data, &h, sizeof(h));
	return 0;
}

/* --- capabilities ------------------------------------------------------------ */

static void intel_caps(const struct ictl_hw_info *hi, struct ictl_caps *caps)
{
	uint64_t v;

	if (!ictl_cap_from_field(caps, ICTL_CAP_PAGING, hi, "ecap_reg", "SMTS"))
		ictl_cap_set(caps, ICTL_CAP_PAGING, true, "ecap_reg.SMTS (bit 43) = 0",
			     "legacy mode: second-stage tables");
	else
		ictl_cap_from_field(caps, ICTL_CAP_PAGING, hi, "ecap_reg", "SLTS");
	ictl_cap_from_field(caps, ICTL_CAP_NEST_PARENT, hi, "ecap_reg", "NEST");
	if (ictl_cap_from_field(caps, ICTL_CAP_NESTED_S1, hi, "ecap_reg", "FLTS")) {
		uint64_t l5 = 0, g1 = 0;

		ictl_hw_info_field(hi, "cap_reg", "FL5LP", &l5);
		ictl_hw_info_field(hi, "cap_reg", "FL1GP", &g1);
		snprintf(caps->cap[ICTL_CAP_NESTED_S1].detail, sizeof(caps->cap[0].detail),
			 "VT-d stage-1 (first-level): 4-level (48-bit)%s; pages 4K, 2M%s",
			 l5 ? ", 5-level (57-bit)" : "", g1 ? ", 1G" : "");
	}
	ictl_cap_from_field(caps, ICTL_CAP_DIRTY, hi, "ecap_reg", "SLADS");
	if (ictl_cap_from_field(caps, ICTL_CAP_PASID, hi, "ecap_reg", "PASID") &&
	    !ictl_hw_info_field(hi, "ecap_reg", "PSS", &v))
		snprintf(caps->cap[ICTL_CAP_PASID].detail, sizeof(caps->cap[0].detail),
			 "%u-bit PASIDs (ecap_reg.PSS + 1)", (unsigned int)v + 1);
	ictl_cap_from_field(caps, ICTL_CAP_ATS, hi, "ecap_reg", "DT");
	if (!ictl_hw_info_field(hi, "cap_reg", "SLLPS", &v)) {
		ictl_cap_from_field(caps, ICTL_CAP_PAGE_SIZES, hi, "cap_reg", "SLLPS");
		caps->cap[ICTL_CAP_PAGE_SIZES].hw = ICTL_YES;
		snprintf(caps->cap[ICTL_CAP_PAGE_SIZES].detail, sizeof(caps->cap[0].detail),
			 "4K%s%s", v & 1 ? ", 2M" : "", v & 2 ? ", 1G" : "");
	}
}

/* --- page-table formats -------------------------------------------------------- */

static uint64_t field(const struct ictl_hw_info *hi, const char *reg, const char *name)
{
	uint64_t v = 0;

	ictl_hw_info_field(hi, reg, name, &v);
	return v;
}

static void add_format(struct ictl_pt_format *out, size_t max, size_t *n,
		       const struct ictl_pt_format *f)
{
	if (*n < max)
		out[*n] = *f;
	(*n)++;
}

/*
 * Second stage (legacy mode, or SLTS in scalable mode): the depths of
 * cap_reg.SAGAW, the large pages of cap_reg.SLLPS, inputs up to MGAW + 1
 * bits.  First stage (scalable mode with FLTS): x86-64 4-level, 5-level with
 * FL5LP, 1 GiB pages with FL1GP.  The host address width is not in the
 * registers (the DMAR table has it): oas stays unknown.
 */
static int intel_pt_formats(const struct ictl_hw_info *hi, struct ictl_pt_format *out, size_t max)
{
	uint64_t sagaw = field(hi, "cap_reg", "SAGAW"), sllps = field(hi, "cap_reg", "SLLPS");
	uint64_t mgaw = field(hi, "cap_reg", "MGAW") + 1, smts = field(hi, "ecap_reg", "SMTS");
	uint64_t nest = field(hi, "ecap_reg", "NEST");
	size_t n = 0;

	if (!smts || field(hi, "ecap_reg", "SLTS")) {
		for (unsigned int levels = 3; levels <= 5; levels++) {
			struct ictl_pt_format f = {
				.name = "vtd-ss",
				.stage = nest ? 2 : 0,
				.levels = levels,
				.ias = 12 + 9 * levels < mgaw ? 12 + 9 * levels :
								(unsigned int)mgaw,
				.page_sizes = (1ull << 12) | (sllps & 1 ? 1ull << 21 : 0) |
					      (sllps & 2 ? 1ull << 30 : 0),
			};

			if (!(sagaw & (1u << (levels - 2))))
				continue;
			snprintf(f.source, sizeof(f.source),
				 "cap_reg.SAGAW = 0x%x, SLLPS = 0x%x, "
				 "MGAW = %u (VT-d 11.4.2)",
				 (unsigned int)sagaw, (unsigned int)sllps, (unsigned int)mgaw - 1);
			add_format(out, max, &n, &f);
		}
	}
	if (smts && field(hi, "ecap_reg", "FLTS")) {
		uint64_t g1 = field(hi, "cap_reg", "FL1GP"), l5 = field(hi, "cap_reg", "FL5LP");

		for (unsigned int levels = 4; levels <= (l5 ? 5u : 4u); levels++) {
			struct ictl_pt_format f = {
				.name = "x86-64",
				.stage = 1,
				.levels = levels,
				.ias = 12 + 9 * levels,
				.page_sizes = (1ull << 12) | (1ull << 21) | (g1 ? 1ull << 30 : 0),
			};

			snprintf(f.source, sizeof(f.source),
				 "ecap_reg.FLTS = 1, cap_reg.FL1GP = %u, "
				 "FL5LP = %u (VT-d 11.4.2-3)",
				 (unsigned int)g1, (unsigned int)l5);
			add_format(out, max, &n, &f);
		}
	}
	return (int)n;
}

/* --- nesting: a guest's first-stage table over a nest-parent second stage ------- */

/*
 * The HWPT flags, as the kernel's driver allocates paging domains: a nesting
 * parent is a scalable-mode second stage with NEST (nested_supported());
 * dirty tracking needs second-stage A/D bits and page-walk coherency
 * (ssads_supported()).
 */
static int intel_hwpt_flags_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
				  uint32_t flags)
{
	int r = 0;

	if (flags & ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT) {
		r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SMTS", "nest-parent (scalable mode)");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "ecap_reg", "NEST", "nest-parent");
	}
	if (!r && (flags & ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING)) {
		r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SMTS", "dirty-tracking (scalable mode)");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SLADS", "dirty-tracking");
		if (!r)
			r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SMPWCS", "dirty-tracking");
	}
	if (!r && (flags & ICTL_IOMMU_HWPT_ALLOC_PASID))
		r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SMTS", "pasid (scalable mode)");
	return r;
}

/* struct iommu_hwpt_vtd_s1's flags, by bit. */
static const char *const vtd_s1_flags[] = { "sre", "eafe", "wpe" };

/*
 * data: {type: intel-vtd, pgtbl: ADDR, addr_width: 48|57, flags: [sre, eafe, wpe]}.
 * The kernel copies the structure into the PASID entry as it is
 * (pasid_pte_config_nested): the table pointer keeps bits 63:12 only, WPE is
 * set only with SRE, and only widths 48 and 57 are accepted.
 */
/*
 * pgtbl: TABLE (a table of the spec's page_tables:): its root's IOVA in the
 * parent, and addr_width from its levels (48: 4-level, 57: 5-level; the
 * PASID entry's FLPM).  1 when pgtbl is an address.
 */
static int intel_nested_table(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
			      struct ictl_iommu_hwpt_vtd_s1 *s1, uint64_t *aw)
{
	struct ictl_nested_table t;
	int r = ictl_nested_table(ctx, ns, "pgtbl", ICTL_NESTED_PT_ROOT, &t);

	if (r)
		return r;
	if (strcmp(t.format, "x86-64"))
		return ictl_nested_err(ctx, ns, "pgtbl", "table %s is %s: VT-d's stage 1 walks x86-64 tables (format: x86-64 or x86-64,levels=5)",
				       t.name, t.format);
	s1->pgtbl_addr = t.root;
	*aw = t.levels == 5 ? 57 : 48;
	return 0;
}

static int intel_nested_build(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, void *data,
			      size_t len)
{
	static const char *const keys[] = { "pgtbl", "addr_width", "flags", NULL };
	struct ictl_iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	uint64_t aw = 48, table_aw = 0;
	int r;

	if (len < sizeof(s1))
		return -ENOSPC;
	r = ictl_nested_keys(ctx, ns, keys);
	if (r)
		return r;
	r = intel_nested_table(ctx, ns, &s1, &table_aw);
	if (r > 0)
		r = ictl_nested_u64(ctx, ns, "pgtbl", 0, UINT64_MAX, &s1.pgtbl_addr);
	if (r > 0)
		return ictl_nested_err(ctx, ns, NULL,
				       "intel-vtd data needs pgtbl: the guest-physical address of the stage-1 table");
	if (!r && (s1.pgtbl_addr & 0xfff))
		return ictl_nested_err(ctx, ns, "pgtbl",
				       "%#llx is not 4 KiB aligned: the PASID entry keeps bits 63:12 of the table pointer",
				       (unsigned long long)s1.pgtbl_addr);
	if (r < 0)
		return r;
	aw = table_aw ? table_aw : 48;
	r = ictl_nested_u64(ctx, ns, "addr_width", 0, UINT32_MAX, &aw);
	if (r < 0)
		return r;
	if (table_aw && aw != table_aw)	/* the table's levels say it */
		return ictl_nested_err(ctx, ns, "addr_width", "pgtbl's table is %s-level: its addr_width is %llu, not %llu; leave addr_width out",
				       table_aw == 57 ? "5" : "4", (unsigned long long)table_aw,
				       (unsigned long long)aw);
	if (aw != 48 && aw != 57)
		return ictl_nested_err(ctx, ns, "addr_width",
				       "%llu is not a stage-1 width: 48 (4-level) or 57 (5-level)",
				       (unsigned long long)aw);
	s1.addr_width = (uint32_t)aw;
	r = ictl_nested_flags(ctx, ns, "flags", vtd_s1_flags, ARRAY_SIZE(vtd_s1_flags), &s1.flags);
	if (r < 0)
		return r;
	if ((s1.flags & ICTL_IOMMU_VTD_S1_WPE) && !(s1.flags & ICTL_IOMMU_VTD_S1_SRE))
		return ictl_nested_err(ctx, ns, "flags",
				       "wpe (write protect) applies to supervisor requests: the kernel sets it only with sre; add sre or drop wpe");
	memcpy(data, &s1, sizeof(s1));
	return sizeof(s1);
}

/* What intel_pasid_setup_nested() refuses, before the kernel does. */
static int intel_nested_check(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, const void *data,
			      size_t len)
{
	struct ictl_iommu_hwpt_vtd_s1 s1;
	int r;

	if (len < sizeof(s1))
		return ictl_err(ctx, EINVAL, "intel-vtd data is %zu bytes, not %zu", len, sizeof(s1));
	memcpy(&s1, data, sizeof(s1));
	r = ictl_hw_need_field(ctx, hi, "ecap_reg", "FLTS", "a stage-1 (first-level) table");
	if (!r && s1.addr_width == 57)
		r = ictl_hw_need_field(ctx, hi, "cap_reg", "FL5LP", "addr_width 57 (5-level)");
	if (!r && (s1.flags & ICTL_IOMMU_VTD_S1_SRE))
		r = ictl_hw_need_field(ctx, hi, "ecap_reg", "SRS", "flags: sre");
	if (!r && (s1.flags & ICTL_IOMMU_VTD_S1_EAFE))
		r = ictl_hw_need_field(ctx, hi, "ecap_reg", "EAFS", "flags: eafe");
	return r;
}

const struct ictl_vendor_ops ictl_vendor_intel = {
	.kind = "intel-vtd",
	.description = "Intel VT-d DMA remapping unit",
	.match = intel_match,
	.read_attrs = intel_read_attrs,
	.hw_info_type = ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD,
	.hw_info_size = sizeof(struct ictl_iommu_hw_info_vtd),
	.decode_hw_info = intel_decode,
	.hw_info_from_sysfs = intel_from_sysfs,
	.caps = intel_caps,
	.pt_formats = intel_pt_formats,
	.hwpt_data_type = ICTL_IOMMU_HWPT_DATA_VTD_S1,
	.hwpt_data_size = sizeof(struct ictl_iommu_hwpt_vtd_s1),
	.nested_data_build = intel_nested_build,
	.nested_data_check = intel_nested_check,
	/* intel_iommu_domain_alloc_nested(): over the parent HWPT; no vIOMMU of its own */
	.nested_via = ICTL_NESTED_VIA_PARENT,
	.hwpt_flags_check = intel_hwpt_flags_check,
};
