/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IO page tables: one engine for every format the IOMMUs walk.
 *
 * A format (struct ictl_pt_fmt) is an ops table: how many levels and index
 * bits, how an entry is decoded and encoded, and each bit of an entry named
 * with the section of the architecture document that defines it.  Formats
 * know nothing of vendors; a vendor says which formats and page sizes its
 * hardware walks (vendor.h: pt_formats).
 *
 * The engine reads table memory through a source (struct ictl_pt_src): an
 * address (physical, or an IOVA of the nest parent for nested stage-1 tables)
 * in, bytes out.  The same walk reads an image iommuctl built, a raw dump of
 * guest memory with its base address, an ELF core, and later live memory.
 *
 * Three pure operations:
 *   walk   an iterator over tables, entries and leaves in IOVA order; memory
 *          is bounded by the depth of the table, not its size;
 *   build  from a list of mappings, tables in a growing buffer (an image);
 *   check  a walk against mappings, reserved regions and what the hardware
 *          allows, each finding with its IOVA, entry, level and rule.
 *
 * Levels are counted by height in the engine: 1 is the level of the
 * smallest pages, cfg->levels the root.  Formats name them their own way
 * (PML4E, SS-PDE, L2) for people.
 */
#ifndef ICTL_LIB_PT_H
#define ICTL_LIB_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ictl_ctx;

#define ICTL_PT_MAX_LEVELS 6

/* Permissions of a mapping; ICTL_PT_PRIV: privileged (supervisor) requests only. */
enum {
	ICTL_PT_R = 1u << 0,
	ICTL_PT_W = 1u << 1,
	ICTL_PT_X = 1u << 2,
	ICTL_PT_PRIV = 1u << 3,
};
/* "rw-", "r-x", "rwxp": fixed width, buf of at least 5 bytes. */
const char *ictl_pt_perms_str(unsigned int perms, char *buf);
/* Letters r, w, x, p in any order; -EINVAL otherwise. */
int ictl_pt_perms_parse(const char *s, unsigned int *perms);

/* --- formats --------------------------------------------------------------------- */

struct ictl_pt_fmt;

/* A format with its parameters: what a walk, a build and a check need. */
struct ictl_pt_cfg {
	const struct ictl_pt_fmt *fmt;
	unsigned int levels; /* root height */
	unsigned int ias, oas; /* input (IOVA) and output address bits */
	unsigned int granule; /* log2 of the smallest page and of a table's alignment */
	bool sign_extend; /* x86-64: IOVAs are canonical (upper half sign-extended) */
	uint64_t page_sizes; /* bit n: the format can map 2^n bytes with one leaf */
	uint8_t shift[ICTL_PT_MAX_LEVELS + 1]; /* by height: IOVA bit of the index's lsb */
	uint8_t bits[ICTL_PT_MAX_LEVELS + 1]; /* by height: index bits */
	char name[96]; /* canonical: "arm-lpae-s1,granule=16K,ias=47,oas=48" */
};

/* The formats the engine knows, ending with NULL. */
extern const struct ictl_pt_fmt *const ictl_pt_formats[];
const char *ictl_pt_fmt_name(const struct ictl_pt_fmt *f);
const char *ictl_pt_fmt_desc(const struct ictl_pt_fmt *f);
/* The format's parameters and their defaults, for help: "levels=4|5 (4), oas=32..52 (52)". */
const char *ictl_pt_fmt_params(const struct ictl_pt_fmt *f);

/*
 * Parse "NAME[,KEY=VALUE...]" (x86-64,levels=5) into cfg with the format's
 * geometry.  -EINVAL with a message naming the key and the values allowed.
 */
int ictl_pt_cfg_parse(struct ictl_ctx *ctx, const char *spec, struct ictl_pt_cfg *cfg);
/* How the format names a level ("PML4E", "SS-PDE", "L2") and numbers it (4, 4, 2). */
const char *ictl_pt_level_name(const struct ictl_pt_cfg *cfg, unsigned int h);
unsigned int ictl_pt_level_num(const struct ictl_pt_cfg *cfg, unsigned int h);
/* Bytes of the table at height h (entries * 8). */
static inline uint64_t ictl_pt_table_bytes(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	return 8ull << cfg->bits[h];
}
/* The IOVA span of one entry at height h. */
static inline uint64_t ictl_pt_entry_span(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	return 1ull << cfg->shift[h];
}

/* --- entries ---------------------------------------------------------------------- */

enum ictl_pte_type {
	ICTL_PTE_EMPTY, /* not present: the hardware faults */
	ICTL_PTE_TABLE, /* points at the next table */
	ICTL_PTE_LEAF, /* maps a page */
	ICTL_PTE_INVALID, /* present, but not a valid encoding at this level */
};

/* An entry, decoded.  Which bits are reserved depends on the level and the kind. */
struct ictl_pte {
	enum ictl_pte_type type;
	uint64_t raw;
	uint64_t addr; /* TABLE: the next table; LEAF: the page's base */
	unsigned int next; /* TABLE: height of the next table (AMD v1 may skip levels) */
	unsigned int page; /* LEAF: log2 of the page size */
	unsigned int span; /* LEAF: entries that together map the page (AMD v1 NextLevel 7) */
	unsigned int perms; /* LEAF: what it allows; TABLE: what it lets through (R, W, X) */
	unsigned int force; /* TABLE: ICTL_PT_PRIV when everything below is privileged-only */
	uint64_t rsvd; /* reserved bits that are set (they must be zero) */
	const char *why; /* INVALID: why, in words */
	const char *note; /* a warning about a valid entry (access flag clear, ...) or NULL */
	int note_rule; /* enum ictl_pt_rule of the note */
	/*
	 * LEAF: entries that must agree as a group starting at an index aligned
	 * to it (AMD v1 NextLevel 7 pages: identical; LPAE contiguous hint:
	 * consecutive pages, same attributes); 1 when none.
	 */
	unsigned int group;
	bool group_same;
	int group_rule; /* enum ictl_pt_rule when they do not */
};

void ictl_pt_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		    struct ictl_pte *out);

/* Where a named field of an entry applies. */
enum {
	ICTL_PTF_TABLE = 1u << 0, /* entries that point at a table */
	ICTL_PTF_PAGE = 1u << 1, /* leaves at height 1 */
	ICTL_PTF_BLOCK = 1u << 2, /* leaves above height 1 (large pages, blocks) */
	ICTL_PTF_ALL = 7,
};

/* A field of an entry, as the format's specification names it. */
struct ictl_pt_field {
	const char *name; /* "R/W", "AttrIndx", "NextLevel" */
	uint8_t msb, lsb;
	unsigned int where; /* ICTL_PTF_* */
	const char *desc;
	const char *spec; /* "VT-d 9.7", "Arm ARM D8.3.2" */
};

/* The named fields of the format, ending with { NULL }. */
const struct ictl_pt_field *ictl_pt_fields(const struct ictl_pt_cfg *cfg);
/* The ICTL_PTF_* kind of a decoded entry at height h (0 for EMPTY and INVALID). */
unsigned int ictl_pt_field_kind(const struct ictl_pte *e, unsigned int h);

/*
 * Encode a leaf mapping 2^page bytes at phys with perms at height h; the
 * entry is written n times (AMD v1 pages spanning several entries).  -EINVAL
 * with a message when the format cannot express it.
 */
int ictl_pt_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			unsigned int *n);
/* A table entry at height h pointing at the table at addr, of height next. */
uint64_t ictl_pt_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
			      unsigned int next);
/* The height whose leaves map 2^page bytes (AMD v1: the largest entry span <= the page). */
unsigned int ictl_pt_leaf_height(const struct ictl_pt_cfg *cfg, unsigned int page);

/* --- sources: where table memory is read from ---------------------------------------- */

/*
 * Return a pointer to len bytes at addr: the source's own memory, or buf
 * (len bytes) filled.  NULL when part of the range is not in the source.
 * The pointer stays valid as long as the source.
 */
typedef const void *(*ictl_pt_read_fn)(void *priv, uint64_t addr, size_t len, void *buf);

struct ictl_pt_src {
	ictl_pt_read_fn read;
	void *priv;
	const char *what; /* for messages: "image t.img", "dump mem.raw" */
};

/* Memory at base, len bytes (an image, a raw dump): read returns pointers into it. */
struct ictl_pt_span {
	uint64_t base;
	const uint8_t *mem;
	size_t len;
};
const void *ictl_pt_span_read(void *priv, uint64_t addr, size_t len, void *buf);

/* --- walk -------------------------------------------------------------------------- */

/* What a check or a walk found wrong, by rule. */
enum ictl_pt_rule {
	ICTL_PT_RULE_MISSING, /* a mapping asked for is not in the table */
	ICTL_PT_RULE_EXTRA, /* the table maps what no mapping asks for */
	ICTL_PT_RULE_PHYS, /* mapped to another physical address */
	ICTL_PT_RULE_PERMS, /* other permissions */
	ICTL_PT_RULE_SIZE, /* another page size than the one asked for */
	ICTL_PT_RULE_RESERVED, /* reserved bits set */
	ICTL_PT_RULE_INVALID, /* an encoding the level does not allow */
	ICTL_PT_RULE_UNREADABLE, /* a table outside the memory the source has */
	ICTL_PT_RULE_MISALIGNED, /* a table not aligned to its size */
	ICTL_PT_RULE_LOOP, /* a table reached a second time (a loop, or shared) */
	ICTL_PT_RULE_REPLICA, /* AMD v1: the entries of one page disagree */
	ICTL_PT_RULE_CONTIGUOUS, /* LPAE: contiguous hint on entries that are not */
	ICTL_PT_RULE_ACCESS_FLAG, /* LPAE: access flag clear (the first access faults) */
	ICTL_PT_RULE_RESV_REGION, /* mapped inside a reserved region (an MSI window) */
	ICTL_PT_RULE_HW_FORMAT, /* the hardware does not walk this format or depth */
	ICTL_PT_RULE_HW_PAGE_SIZE, /* a page size the hardware does not support */
	ICTL_PT_RULE_HW_ADDRESS, /* an address wider than the hardware's */
	ICTL_PT_RULE_COUNT
};
const char *ictl_pt_rule_name(enum ictl_pt_rule r); /* "missing", "reserved", ... */
const char *ictl_pt_rule_desc(enum ictl_pt_rule r);

enum ictl_pt_ev_type {
	ICTL_PT_EV_TABLE, /* a table is entered (tree walks) */
	ICTL_PT_EV_ENTRY, /* a present entry (tree walks) */
	ICTL_PT_EV_LEAF, /* one leaf, or a run of leaves (leaf walks) */
	ICTL_PT_EV_PROBLEM, /* something wrong with the table itself */
};

struct ictl_pt_event {
	enum ictl_pt_ev_type type;
	unsigned int h; /* height of the table or entry */
	uint64_t iova; /* first IOVA the table, entry or run covers */
	uint64_t size; /* bytes of IOVA it covers */
	uint64_t table; /* address of the table (of the entry) */
	unsigned int index; /* the entry's index in it */
	uint64_t entry_addr; /* table + 8 * index */
	struct ictl_pte pte; /* ENTRY, LEAF (the first entry of a run), PROBLEM */
	/* LEAF: a run of count pages of 2^page bytes, IOVA- and physically contiguous. */
	uint64_t phys;
	unsigned int page;
	uint64_t count;
	unsigned int perms; /* effective: the leaf's, limited by every table above it */
	/* PROBLEM */
	enum ictl_pt_rule rule;
	char msg[200];
};

enum {
	ICTL_PT_WALK_TREE = 1u << 0, /* TABLE and ENTRY events, one LEAF per entry */
};

struct ictl_pt_frame {
	uint64_t table;
	const uint64_t *e;
	unsigned int h, idx, n;
	uint64_t base; /* IOVA of entry 0 */
	unsigned int allow; /* permissions the tables above let through */
	unsigned int force;
};

struct ictl_pt_walk {
	const struct ictl_pt_cfg *cfg;
	const struct ictl_pt_src *src;
	unsigned int flags;
	uint64_t root;
	int depth; /* frames in use; -1 before the root is read */
	struct ictl_pt_frame f[ICTL_PT_MAX_LEVELS + 1];
	uint8_t *buf; /* one table per level for sources that copy */
	uint64_t *seen; /* open-addressing set of table addresses */
	size_t nseen, seen_cap;
	bool done;
	struct ictl_pt_event q[6]; /* events of one step, returned in order */
	unsigned int qn, qi;
	/* What the walk read: tables, their bytes, present entries. */
	uint64_t tables, bytes, entries;
};

/*
 * Start a walk of the table at root.  The walk reads through src as it goes;
 * it allocates one buffer of a table per level and a set of the tables seen
 * (to stop at loops).  -ENOMEM.
 */
int ictl_pt_walk_init(struct ictl_pt_walk *w, const struct ictl_pt_cfg *cfg,
		      const struct ictl_pt_src *src, uint64_t root, unsigned int flags);
/* The next event: 1, or 0 at the end, or -ENOMEM. */
int ictl_pt_walk_next(struct ictl_pt_walk *w, struct ictl_pt_event *ev);
void ictl_pt_walk_free(struct ictl_pt_walk *w);

/* A name for an entry, "PDE[3] at 0x1018", for findings and messages. */
void ictl_pt_entry_name(const struct ictl_pt_cfg *cfg, unsigned int h, unsigned int index,
			uint64_t entry_addr, char *buf, size_t len);

/* --- ranges: leaves merged into translations ---------------------------------------- */

/* IOVA [iova, iova + size) -> [phys, phys + size), one page size, one set of permissions. */
struct ictl_pt_range {
	uint64_t iova, size, phys;
	unsigned int page; /* log2 of the page size */
	unsigned int perms;
	uint64_t pages; /* leaf entries */
};

/*
 * A walk's leaves merged into ranges (a leaf walk beneath).  Problems of the
 * walk are handed to the problem callback (may be NULL) as they come.
 */
struct ictl_pt_ranges {
	struct ictl_pt_walk walk;
	struct ictl_pt_range cur;
	bool have;
	int (*problem)(void *priv, const struct ictl_pt_event *ev);
	void *priv;
};
int ictl_pt_ranges_init(struct ictl_pt_ranges *r, const struct ictl_pt_cfg *cfg,
			const struct ictl_pt_src *src, uint64_t root);
/* 1 with the next range, 0 at the end, or a negative error (of the walk, or of problem()). */
int ictl_pt_ranges_next(struct ictl_pt_ranges *r, struct ictl_pt_range *out);
void ictl_pt_ranges_free(struct ictl_pt_ranges *r);

/* --- mappings: what a table should translate ---------------------------------------- */

/* What a mapping leaves open: a check does not compare it. */
enum {
	ICTL_PT_ANY_PHYS = 1u << 0, /* the physical address is not known */
	ICTL_PT_ANY_PERMS = 1u << 1, /* the permissions are not known */
};

struct ictl_pt_map {
	uint64_t iova, size, phys;
	unsigned int perms;
	unsigned int page; /* log2 of the page size it must be mapped with; 0: any */
	unsigned int line; /* in the file it came from */
	unsigned int any; /* ICTL_PT_ANY_* */
	/*
	 * Findings name the mapping by name when it has one ("" for an unnamed
	 * mapping numbered line), not by its line; the string is the caller's.
	 */
	const char *name;
};

struct ictl_pt_maps {
	size_t n;
	struct ictl_pt_map *v;
};

/*
 * Parse a mapping file (its text, len bytes; name for messages): one mapping
 * per line, "IOVA SIZE PHYS PERMS [page=SIZE]", '#' comments.  The result is
 * sorted by IOVA; overlaps, wrap-arounds, zero sizes and misalignment to 4K are
 * errors naming the file and line (-EINVAL: the user's input, as a spec's).
 */
int ictl_pt_maps_parse(struct ictl_ctx *ctx, const char *name, const char *text, size_t len,
		       struct ictl_pt_maps *out);
int ictl_pt_maps_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_maps *out);
void ictl_pt_maps_clear(struct ictl_pt_maps *m);
/* A size with K, M, G, T suffixes, or a number (decimal or 0x hex). */
int ictl_pt_parse_size(const char *s, uint64_t *v);
/* "4K", "2M", "1G", "0x3000": the shortest exact spelling of a size. */
const char *ictl_pt_size_str(uint64_t v, char *buf, size_t len);
/* A list of page sizes "4K,2M,1G" into a mask (bit n: 2^n). */
int ictl_pt_page_sizes_parse(struct ictl_ctx *ctx, const char *s, uint64_t *mask);
const char *ictl_pt_page_sizes_str(uint64_t mask, char *buf, size_t len);

/* --- build ------------------------------------------------------------------------ */

/* Memory that holds tables: an image in the making, or one read back. */
struct ictl_pt_image {
	struct ictl_pt_cfg cfg;
	uint64_t base; /* address of mem[0] */
	uint64_t root;
	uint64_t page_sizes; /* what the build used (0: unknown) */
	uint8_t *mem; /* owned when built; mapped when loaded */
	size_t len, cap;
	bool mapped; /* mem is an mmap of a file (ictl_pt_image_load) */
	size_t map_len;
	uint64_t leaves; /* entries written by the build */
	uint64_t tables; /* tables the build allocated */
	uint64_t cd; /* a CD table of one CD for the tables (pt build --with-cd), or 0 */
	uint64_t gcr3; /* a GCR3 table whose PASID 0 is the tables (--with-gcr3), or 0 */
	size_t max; /* the most bytes the image may grow to; 0: no bound */
};

/*
 * Build tables for maps in cfg's format at base (the address the first table
 * gets; tables are allocated upwards from it), with the largest page sizes of
 * page_sizes (0: all the format has) that fit each mapping.  -EINVAL naming the
 * mapping's line when the format cannot map it.
 */
int ictl_pt_build(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t page_sizes,
		  uint64_t base, const struct ictl_pt_maps *maps, struct ictl_pt_image *out);
/* The same, in at most max bytes of tables: -EFBIG past them (and nothing built). */
int ictl_pt_build_max(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t page_sizes,
		      uint64_t base, const struct ictl_pt_maps *maps, size_t max,
		      struct ictl_pt_image *out);
void ictl_pt_image_clear(struct ictl_pt_image *img);
/* The image's memory as a source. */
void ictl_pt_image_src(const struct ictl_pt_image *img, struct ictl_pt_span *span,
		       struct ictl_pt_src *src);

/*
 * The image file: a text header of ICTL_PT_HEADER_SIZE bytes ("iommuctl-pt 1"
 * then key=value lines: format, base, size, root, page-sizes, cd, gcr3; NUL-padded),
 * then the table memory, size bytes.
 */
#define ICTL_PT_HEADER_SIZE 4096
int ictl_pt_image_header(const struct ictl_pt_image *img, char *buf, size_t len);
int ictl_pt_image_write(struct ictl_ctx *ctx, const struct ictl_pt_image *img, int fd,
			const char *name);
/* Parse a header (the first ICTL_PT_HEADER_SIZE bytes of a file of file_size bytes). */
int ictl_pt_image_parse(struct ictl_ctx *ctx, const char *name, const void *hdr, size_t len,
			uint64_t file_size, struct ictl_pt_image *out);
/* Map an image file read-only; -EINVAL naming the file when it is not one. */
int ictl_pt_image_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_image *out);

/* A raw memory dump (pmemsave) mapped at base. */
int ictl_pt_raw_load(struct ictl_ctx *ctx, const char *path, uint64_t base,
		     struct ictl_pt_image *out);

/* An ELF core (QEMU dump-guest-memory): PT_LOAD segments by physical address. */
struct ictl_pt_elf_seg {
	uint64_t paddr, filesz, memsz, offset;
};
struct ictl_pt_elf {
	const uint8_t *map;
	size_t len;
	size_t nsegs;
	struct ictl_pt_elf_seg *segs; /* sorted by paddr, not overlapping */
	char what[300];
};
/* Parse an ELF64 little-endian core held in map (len bytes); exposed for fuzzing. */
int ictl_pt_elf_parse(struct ictl_ctx *ctx, const char *name, const uint8_t *map, size_t len,
		      struct ictl_pt_elf *out);
int ictl_pt_elf_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_elf *out);
void ictl_pt_elf_clear(struct ictl_pt_elf *e);
const void *ictl_pt_elf_read(void *priv, uint64_t addr, size_t len, void *buf);

/* --- the kernel's live tables: Intel's debugfs (pt-debugfs.c) ------------------------ */

/*
 * A domain_translation_struct dump of Intel's IOMMU debugfs, as a source: the
 * parser puts each entry the dump prints back at its address (the table's
 * address plus 8 times its index), so that a walk reads the entries on the way
 * to every leaf where the kernel has them, and every other entry as zero.
 * Memory grows with the entries (about 32 bytes each), not with the text,
 * which is fed in chunks.  The fields after the parser's are its own.
 */
struct ictl_pt_dbgfs {
	struct ictl_pt_cfg cfg; /* the table's format, once an entry line was read */
	uint64_t root; /* the root table ("@0x...") */
	bool have_table; /* a "Device" line was read */
	bool scalable; /* "with pasid": scalable mode */
	uint32_t pasid; /* the PASID it printed (scalable mode) */
	char device[64]; /* the device it printed, "0000:00:04.0" */
	char disabled[64]; /* a unit it said "DMA Remapping is not enabled on", or "" */
	const char *format_why; /* how the format was chosen, in words */
	uint64_t leaves; /* entry lines */
	char name
		[300]; /* for messages: "/sys/kernel/debug/iommu/intel/.../domain_translation_struct" */
	/* the parser's */
	char format[96];
	unsigned int state, lineno;
	char line[256];
	size_t len;
	bool overlong;
	uint64_t *keys, *vals;
	size_t n, cap;
};

/* The largest dump read (a million 4 KiB leaves print about 120 MB). */
#define ICTL_PT_DBGFS_MAX (1ull << 30)

/* Start parsing a dump called name; format: "" or NULL to infer it, or "x86-64", "vtd-ss,...". */
void ictl_pt_dbgfs_init(struct ictl_pt_dbgfs *d, const char *name, const char *format);
/* The next len bytes of the text; -EINVAL (a data error naming the line) or -ENOMEM. */
int ictl_pt_dbgfs_feed(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, const char *buf, size_t len);
/* The end of the text; -ENOENT when it shows no page table (identity, blocking domains). */
int ictl_pt_dbgfs_end(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d);
void ictl_pt_dbgfs_clear(struct ictl_pt_dbgfs *d);
/* The dump as table memory: what a walk reads from d->root in d->cfg's format. */
const void *ictl_pt_dbgfs_read(void *priv, uint64_t addr, size_t len, void *buf);
/*
 * Read the table of device (a canonical name), or of one PASID of it (pasid
 * > 0; 0 and -1: the device's own, RID_PASID in scalable mode), through the
 * sysroot seam: /sys/kernel/debug/iommu/intel/DEVICE[/PASID]/domain_translation_struct.
 * Errors say what is missing: debugfs (-ENODEV), Intel's part of it
 * (-EOPNOTSUPP), the device (-ENOENT), a unit for it (-ENODEV), the PASID or
 * a table (-ENOENT); -EACCES for non-root.
 */
int ictl_pt_dbgfs_load(struct ictl_ctx *ctx, const char *device, long long pasid,
		       const char *format, struct ictl_pt_dbgfs *d);

/* --- check ------------------------------------------------------------------------ */

/* What a hardware unit walks (from a vendor's pt_formats), for checks. */
struct ictl_pt_hw {
	bool known; /* false: no hardware limits to check */
	bool walks; /* the hardware walks this format at this depth */
	uint64_t page_sizes; /* pages it supports */
	unsigned int ias, oas; /* 0: unknown */
	char source[160]; /* where it came from: "cap_reg.SLLPS = 0x1 (VT-d 11.4.2)" */
};

struct ictl_pt_resv {
	uint64_t start, last; /* inclusive */
	char kind[24];
};

struct ictl_pt_check_opts {
	const struct ictl_pt_cfg *cfg;
	const struct ictl_pt_src *src;
	uint64_t root;
	const struct ictl_pt_maps *maps; /* NULL: the table alone is checked */
	/* The page sizes the table should use, the largest that fit (0: any size is fine). */
	uint64_t expect_pages;
	const struct ictl_pt_hw *hw; /* NULL: no hardware */
	const struct ictl_pt_resv *resv; /* reserved regions, nresv of them */
	size_t nresv;
	unsigned int ignore_perms; /* ICTL_PT_X, ICTL_PT_PRIV: not compared */
};

struct ictl_pt_finding {
	enum ictl_pt_rule rule;
	uint64_t iova, size; /* the IOVA range it concerns */
	unsigned int h; /* height of the entry; 0 when no entry is concerned */
	uint64_t entry_addr; /* the first entry concerned */
	unsigned int index;
	uint64_t raw;
	unsigned int line; /* the mapping's line; 0 when none */
	const char *name; /* the mapping's name (ictl_pt_map.name), or NULL */
	uint64_t want, got; /* phys, perms or page size, by rule */
	uint64_t count; /* entries or pages concerned */
	char msg[256];
};

typedef int (*ictl_pt_finding_fn)(void *priv, const struct ictl_pt_finding *f);

struct ictl_pt_check_stats {
	uint64_t findings;
	uint64_t by_rule[ICTL_PT_RULE_COUNT];
	uint64_t tables, bytes, entries, ranges;
};

/*
 * Walk the table and report every finding, in IOVA order for the mappings'
 * rules, through fn (streamed: nothing is kept).  Adjacent findings of one
 * rule that continue each other are merged into one.  0 (findings or not:
 * see stats), or a negative error (of the walk, or returned by fn).
 */
int ictl_pt_check(struct ictl_ctx *ctx, const struct ictl_pt_check_opts *o, ictl_pt_finding_fn fn,
		  void *priv, struct ictl_pt_check_stats *stats);

/* --- diff ------------------------------------------------------------------------- */

enum ictl_pt_change {
	ICTL_PT_ADDED, /* in B only */
	ICTL_PT_REMOVED, /* in A only */
	ICTL_PT_REMAPPED, /* another physical address */
	ICTL_PT_REPERM, /* other permissions */
	ICTL_PT_REPAGED, /* another page size, same translation */
};
const char *ictl_pt_change_name(enum ictl_pt_change c);

struct ictl_pt_delta {
	enum ictl_pt_change change;
	uint64_t iova, size;
	uint64_t phys_a, phys_b; /* of iova; 0 where absent */
	unsigned int perms_a, perms_b, page_a, page_b;
};

struct ictl_pt_side {
	const struct ictl_pt_cfg *cfg;
	const struct ictl_pt_src *src;
	uint64_t root;
};
typedef int (*ictl_pt_delta_fn)(void *priv, const struct ictl_pt_delta *d);
/* Every difference in IOVA order; returns the number of deltas, or a negative error. */
long long ictl_pt_diff(struct ictl_ctx *ctx, const struct ictl_pt_side *a,
		       const struct ictl_pt_side *b, ictl_pt_delta_fn fn, void *priv);

/* --- the structures that point at tables ----------------------------------------------- */

/*
 * Memory of size bytes (zeroed) at the end of an image's memory, aligned to
 * align (a power of two, at most 64K); its address.  What the builders use
 * for tables, CD tables and GCR3 tables.
 */
int ictl_pt_image_alloc(struct ictl_ctx *ctx, struct ictl_pt_image *img, size_t size, size_t align,
			uint64_t *addr);

/*
 * An SMMUv3 stage-1 context descriptor (SMMUv3 spec 5.4), the fields iommuctl
 * writes and checks.  Its table is arm-lpae-s1 with granule = tg0, ias = 64 -
 * t0sz, oas = ips, rooted at ttb0.
 */
struct ictl_smmu_cd {
	bool valid;
	unsigned int t0sz; /* 64 - input bits */
	unsigned int granule; /* log2: 12, 14, 16 (TG0 0b00, 0b10, 0b01) */
	unsigned int irgn0, orgn0, sh0;
	bool epd0, epd1, endi, aa64, s, r, a, aset, ha, hd;
	unsigned int ips; /* output bits: 32, 36, 40, 42, 44, 48, 52 */
	uint16_t asid;
	uint64_t ttb0;
	uint64_t mair;
};
#define ICTL_SMMU_CD_DWORDS 8
void ictl_smmu_cd_encode(const struct ictl_smmu_cd *cd, uint64_t out[ICTL_SMMU_CD_DWORDS]);
/* Decode; -EINVAL naming the field when the SMMU would take it as an illegal CD (C_BAD_CD). */
int ictl_smmu_cd_decode(struct ictl_ctx *ctx, const uint64_t in[ICTL_SMMU_CD_DWORDS],
			struct ictl_smmu_cd *cd);
/* The CD of an arm-lpae-s1 table at ttb0, as the kernel writes one (arm_smmu_make_s1_cd). */
int ictl_smmu_cd_for_table(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t ttb0,
			   uint16_t asid, struct ictl_smmu_cd *cd);
/* The table format a CD describes. */
int ictl_smmu_cd_cfg(struct ictl_ctx *ctx, const struct ictl_smmu_cd *cd, struct ictl_pt_cfg *cfg);

/*
 * A CD table (SMMUv3 5.3, 5.4): linear (S1Fmt 0), or two levels of L1
 * descriptors (V, L2Ptr[51:12]) and leaf tables of 64 CDs (S1Fmt 1, 4K) or
 * 1024 (S1Fmt 2, 64K).  2^cdmax SubstreamIDs.
 */
struct ictl_smmu_cdtab {
	unsigned int fmt; /* S1Fmt */
	unsigned int cdmax; /* S1CDMax: log2 of the SubstreamIDs */
	uint64_t base; /* S1ContextPtr */
};
/* Build a CD table in img holding cds[i] at SubstreamID ssids[i]; fills t->base. */
int ictl_smmu_cdtab_build(struct ictl_ctx *ctx, struct ictl_pt_image *img,
			  struct ictl_smmu_cdtab *t, const uint32_t *ssids,
			  const struct ictl_smmu_cd *cds, size_t n);
/* Where the CD of ssid is; -ENOENT when its L1 descriptor is not valid, -EFAULT unreadable. */
int ictl_smmu_cd_addr(struct ictl_ctx *ctx, const struct ictl_smmu_cdtab *t,
		      const struct ictl_pt_src *src, uint32_t ssid, uint64_t *addr);
/* The STE words a nested stage 1 gives the kernel (V, Config S1, S1Fmt, S1ContextPtr, S1CDMax). */
void ictl_smmu_ste_s1(const struct ictl_smmu_cdtab *t, uint64_t ste[2]);
/* The kernel's rules for such words (arm_smmu_validate_vste); -EINVAL naming the field. */
int ictl_smmu_ste_check(struct ictl_ctx *ctx, const uint64_t ste[2]);

/*
 * The AMD GCR3 table (AMD IOMMU 2.2.6): glx + 1 levels of 512 entries indexed
 * by 9 PASID bits each (V, address[51:12]); the leaves hold guest CR3s, the
 * roots of x86-64 tables.
 */
int ictl_amd_gcr3_build(struct ictl_ctx *ctx, struct ictl_pt_image *img, unsigned int glx,
			const uint32_t *pasids, const uint64_t *cr3s, size_t n, uint64_t *base);
/* The guest CR3 of pasid; -ENOENT when an entry on the way is not valid, -EFAULT unreadable. */
int ictl_amd_gcr3_lookup(struct ictl_ctx *ctx, const struct ictl_pt_src *src, uint64_t base,
			 unsigned int glx, uint32_t pasid, uint64_t *cr3);
/* The guest DTE words (struct iommu_hwpt_amd_guest) pointing at a GCR3 table. */
void ictl_amd_gdte(uint64_t gcr3, unsigned int glx, unsigned int levels, uint64_t dte[4]);
/* The kernel's rules for them (validate_gdte_nested); -EINVAL naming the field. */
int ictl_amd_gdte_check(struct ictl_ctx *ctx, const uint64_t dte[4], bool host_5level);

/* --- hardware ----------------------------------------------------------------------- */

struct ictl_hw_info;
/*
 * What the unit of hi walks for cfg's format: fills hw (known = false when the
 * vendor says nothing of page tables).  -EOPNOTSUPP for an unknown type.
 */
int ictl_pt_hw_from_info(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
			 const struct ictl_pt_cfg *cfg, struct ictl_pt_hw *hw);

#endif /* ICTL_LIB_PT_H */
