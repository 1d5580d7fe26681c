/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the library asks of an IOMMU type, declared where it is used (as
 * iproute2 declares struct link_util in ip_common.h).  Each
 * src/vendors/<vendor>.c fills one struct ictl_vendor_ops with what it knows
 * of its hardware's bits, and the vendors include this header: never the
 * reverse, nothing in src/lib includes anything from src/vendors/.
 *
 * The objects depend one way:
 *   lib/vendor.c          looks vendors up through ictl_vendor_table[] (by
 *                         kind, by hw_info type, for a sysfs unit) and owns
 *                         hw_info decode, type names and caps from hw_info;
 *   vendors/table.c       the one table, listing vendors/<vendor>.c's ops;
 *   vendors/<vendor>.c    decoders built on the helpers below;
 *   lib/vendor-helpers.c  the helpers: they read and build decoded registers,
 *                         capabilities and unit attributes, and look no
 *                         vendor up.
 */
#ifndef ICTL_LIB_VENDOR_H
#define ICTL_LIB_VENDOR_H

#include "internal.h"

/*
 * A register field description: bits msb..lsb.  meaning() puts the value in
 * words where a number alone does not say it (optional).
 */
struct ictl_field_desc {
	const char *name;
	uint8_t msb, lsb;
	const char *desc;
	void (*meaning)(uint64_t v, char *buf, size_t len);
};

/*
 * A user's description of a stage-1 table to nest under a stage-2 (a spec's
 * `data:`: the table's address, its address width, format options), defined
 * in spec.h; the vendors read it through the ictl_nested_*() helpers below.
 */
struct ictl_nested_spec;

/*
 * One IO page-table format the hardware walks, as its hw_info allows it
 * (filled by pt_formats(); the page-table issue may add to it).
 */
struct ictl_pt_format {
	const char *name;	/* an engine format (pt.h): "x86-64", "vtd-ss", "amd-v1", ... */
	unsigned int stage;	/* 1 or 2 when it can be nested, 0 for a single stage */
	unsigned int levels;	/* levels the walk goes through (amd-v1: at most) */
	unsigned int ias;	/* input address bits */
	unsigned int oas;	/* output address bits; 0 when the registers do not say */
	uint64_t page_sizes;	/* bit n set: a leaf may map 2^n bytes (pages and blocks) */
	char source[96];	/* the register fields it comes from, for messages */
};

struct ictl_vendor_ops {
	const char *kind;		/* stable name used in JSON: "intel-vtd" */
	const char *description;	/* for people: "Intel VT-d (DMAR)" */
	/*
	 * Is the unit (sysfs name, real directory relative to the root) one of
	 * ours?  Only for ICTL_VENDOR_UNITS entries of the table.
	 */
	bool (*match)(struct ictl_ctx *ctx, const char *name, const char *path);
	/* Fill u->attrs from the unit's sysfs directory; optional. */
	void (*read_attrs)(struct ictl_ctx *ctx, struct ictl_unit *u);

	/* IOMMU_GET_HW_INFO: the kernel's type number and its structure's size. */
	uint32_t hw_info_type;
	size_t hw_info_size;
	/* Decode the driver data (len >= hw_info_size) into out->regs; -errno. */
	int (*decode_hw_info)(struct ictl_ctx *ctx, const void *data, size_t len,
			      struct ictl_hw_info *out);
	/*
	 * Without iommufd: rebuild the driver data from what sysfs shows of the
	 * unit (Intel cap/ecap, AMD EFR), so the same decoder serves; optional.
	 */
	int (*hw_info_from_sysfs)(struct ictl_ctx *ctx, const struct ictl_unit *u, void *data,
				  size_t len);
	/* What the decoded registers allow (hw, detail, source of each capability). */
	void (*caps)(const struct ictl_hw_info *hi, struct ictl_caps *caps);

	/*
	 * Nested translation (specs, issue 11): IOMMU_HWPT_ALLOC of a
	 * stage-1 over a NEST_PARENT stage-2 (or a vIOMMU) takes driver data
	 * of type hwpt_data_type (IOMMU_HWPT_DATA_VTD_S1, _ARM_SMMUV3,
	 * _AMD_GUEST, the selftest's; 0, NONE: iommuctl builds no nested data
	 * for this type), hwpt_data_size bytes long.
	 */
	uint32_t hwpt_data_type;
	size_t hwpt_data_size;
	/*
	 * Build that driver data from a user's description.  data is len >=
	 * hwpt_data_size zeroed bytes; fill it as the kernel's structure
	 * (struct iommu_hwpt_vtd_s1, ...) and return the length used, or
	 * -EINVAL with a message naming the key of the description that is
	 * wrong.  Knows nothing of the unit: nested_data_check() does.
	 */
	int (*nested_data_build)(struct ictl_ctx *ctx, const struct ictl_nested_spec *spec,
				 void *data, size_t len);
	/*
	 * Before IOMMU_HWPT_ALLOC: check driver data of type hwpt_data_type
	 * (built above, or given by the user) against the decoded hw_info of
	 * the unit that would walk it.  0 when the hardware allows it;
	 * -EOPNOTSUPP or -EINVAL with a message naming the data's field and
	 * the register field that forbids it ("addr_width 57 needs
	 * cap_reg.FL5LP, which is 0").  Never calls the kernel.
	 */
	int (*nested_data_check)(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
				 const void *data, size_t len);
	/*
	 * Which object the kernel's driver allocates nested HWPTs of
	 * hwpt_data_type over: ICTL_NESTED_VIA_PARENT (IOMMU_HWPT_ALLOC with
	 * pt_id a nest-parent HWPT: the driver's domain_alloc_nested),
	 * ICTL_NESTED_VIA_VIOMMU (pt_id a vIOMMU: its alloc_domain_nested), or
	 * both.
	 */
	unsigned int nested_via;
	/*
	 * Before IOMMU_HWPT_ALLOC of a paging HWPT: can this hardware, as the
	 * kernel's driver uses it, give these ICTL_IOMMU_HWPT_ALLOC_* flags
	 * together?  0, or -EOPNOTSUPP with a message naming the register
	 * field or the driver's rule ("nest-parent needs efr.GIOSup, which
	 * is 0").  Optional; the single capabilities are caps()'.
	 */
	int (*hwpt_flags_check)(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, uint32_t flags);
	/* IOMMU_VIOMMU_ALLOC: this hardware's IOMMU_VIOMMU_TYPE_*; 0 (DEFAULT): none of its own. */
	uint32_t viommu_type;
	/*
	 * IO page tables: the formats the hardware walks, with the levels,
	 * address widths and page sizes its decoded hw_info allows (Intel
	 * SAGAW and SLLPS, SMMUv3 IDR0.TTF and the IDR5 granules, AMD HATS
	 * and GATS).  Fills up to max entries of out and returns how many
	 * formats there are (possibly more than max); -errno.  NULL in every
	 * vendor until the page-table issue lands.
	 */
	int (*pt_formats)(const struct ictl_hw_info *hi, struct ictl_pt_format *out, size_t max);
};

enum {
	ICTL_NESTED_VIA_PARENT = 1u << 0,
	ICTL_NESTED_VIA_VIOMMU = 1u << 1,
};

/* --- the table (src/vendors/table.c) and its lookups (vendor.c) --------------------- */

/*
 * The one table of IOMMU types, ending with { NULL }.  ICTL_VENDOR_UNITS:
 * its match() recognises units in sys/class/iommu, tried in table order.
 * ICTL_VENDOR_HW_INFO: hw_info_type is an IOMMU_GET_HW_INFO type it decodes.
 */
enum {
	ICTL_VENDOR_UNITS = 1u << 0,
	ICTL_VENDOR_HW_INFO = 1u << 1,
};

struct ictl_vendor_entry {
	const struct ictl_vendor_ops *ops;
	unsigned int flags;
};

extern const struct ictl_vendor_entry ictl_vendor_table[];

/* The vendor that decodes an IOMMU_GET_HW_INFO type, or NULL. */
const struct ictl_vendor_ops *ictl_vendor_by_hw_info_type(uint32_t type);
/* The vendor of a kind ("intel-vtd", "virtio-iommu"), or NULL. */
const struct ictl_vendor_ops *ictl_vendor_by_kind(const char *kind);
/* The ops for a unit: the first whose match() accepts it, else ictl_vendor_unknown. */
const struct ictl_vendor_ops *ictl_vendor_for_unit(struct ictl_ctx *ctx, const char *name,
						   const char *path);
/* The vendor that builds nested data of an IOMMU_HWPT_DATA_* type, or NULL (spec-nested.c). */
const struct ictl_vendor_ops *ictl_vendor_by_hwpt_data_type(uint32_t type);
/* A unit of a type iommuctl does not know: kind "unknown", no hooks. */
extern const struct ictl_vendor_ops ictl_vendor_unknown;

/* --- helpers for the vendor files (vendor-helpers.c; no vendor lookup) --------------- */

/* Decoder helper: append a register and decode its fields from a table (NULL-terminated). */
int ictl_hw_add_reg(struct ictl_hw_info *out, const char *name, const char *desc,
		    unsigned int width, uint64_t value, const struct ictl_field_desc *fields);

/* For caps(): set a capability from a decoded field ("ecap_reg", "NEST"); returns its value. */
uint64_t ictl_cap_from_field(struct ictl_caps *caps, enum ictl_cap_id id,
			     const struct ictl_hw_info *hi, const char *reg, const char *field);
void ictl_cap_set(struct ictl_caps *caps, enum ictl_cap_id id, bool hw, const char *source,
		  const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * For checks (hwpt_flags_check, nested_data_check): "reg.FIELD (bit n) = v"
 * into buf; and 0 when reg.field is non-zero (or not decoded), else
 * -EOPNOTSUPP with "WHAT needs reg.FIELD (<what the field is>), which is 0 on
 * this IOMMU (<the register, with its spec section>)".
 */
const char *ictl_hw_field_source(const struct ictl_hw_info *hi, const char *reg, const char *field,
				 char *buf, size_t len);
int ictl_hw_need_field(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, const char *reg,
		       const char *field, const char *what);

/* Helpers for read_attrs: add an attribute read from <unit>/<file>. */
enum ictl_attr_fmt {
	ICTL_ATTR_RAW,	/* as the kernel prints it */
	ICTL_ATTR_HEX,	/* a hex number, with or without 0x: normalised to 0x... */
};
void ictl_unit_add_attr(struct ictl_ctx *ctx, struct ictl_unit *u, const char *name,
			const char *file, enum ictl_attr_fmt fmt);
void ictl_unit_set_attr(struct ictl_unit *u, const char *name, const char *value);

/*
 * For nested_data_build: reading a spec's `data:` (src/lib/spec-nested.c).
 * Every reader returns 1 when the key is absent (the value untouched), 0
 * when it read it, and -EINVAL with "FILE:LINE:COLUMN: hwpts[N].data.KEY:
 * ..." when the value is wrong.  Numbers are decimal or 0x hex.
 */
bool ictl_nested_has(const struct ictl_nested_spec *ns, const char *key);
/* Every key of the data (but type) is one of keys (NULL-terminated); else an error listing them. */
int ictl_nested_keys(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		     const char *const *keys);
int ictl_nested_u64(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		    uint64_t min, uint64_t max, uint64_t *v);
/* A list of exactly n numbers (raw register words). */
int ictl_nested_words(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      size_t n, uint64_t *v);
/* One word: *v = i for names[i] (NULL entries: encodings that cannot be written). */
int ictl_nested_enum(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		     const char *const *names, size_t nnames, uint64_t *v);
/* A list of words: bit i of *bits for names[i]. */
int ictl_nested_flags(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      const char *const *names, size_t nnames, uint64_t *bits);
int ictl_nested_bool(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		     bool *v);
/*
 * A stage-1 table of the spec's page_tables: named by key's value.  1 when
 * key is absent or its value is not a name (a number: the vendor reads it),
 * 0 with *t, -EINVAL when no table has that name.  via says what the HWPT's
 * data points at: the root itself, or a CD table or GCR3 table that apply
 * puts in the last 4 KiB page of the table memory (ptr); it is kept with the
 * table, which one data may point at one way only.
 */
enum { ICTL_NESTED_PT_ROOT = 1, ICTL_NESTED_PT_CD, ICTL_NESTED_PT_GCR3 };
struct ictl_pt_cfg;
struct ictl_nested_table {
	const char *name;
	const struct ictl_pt_cfg *cfg;	/* its format */
	const char *format;		/* the format's name: "x86-64", "arm-lpae-s1" */
	unsigned int levels;		/* its root's height */
	uint64_t root;			/* IOVA of the root table in the parent */
	uint64_t ptr;			/* IOVA of the CD or GCR3 table (via CD, GCR3) */
};
int ictl_nested_table(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      unsigned int via, struct ictl_nested_table *t);
/* An error at key's value (or at the data when key is NULL or absent); returns -EINVAL. */
int ictl_nested_err(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same at item `item` of a list (a raw register word). */
int ictl_nested_err_item(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
			 size_t item, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* ICTL_LIB_VENDOR_H */
