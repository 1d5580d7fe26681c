/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: specs, YAML files that describe iommufd objects (iommuctl-spec(5)).
 *
 * A public header of its own: iommuctl.h does not include it; the CLI and
 * the tests include "spec.h".
 *
 *   ictl_spec_load()/ictl_spec_parse()  YAML -> struct ictl_spec: every name
 *                      resolved to an index, every number parsed, vendor
 *                      nested data built into the kernel's bytes.  The first
 *                      error stops it: -EINVAL, and a message
 *                      "FILE:LINE:COLUMN: what is wrong; what to do".
 *   ictl_spec_check()  every finding about a parsed spec, without a kernel:
 *                      the spec's own consistency (references, overlaps,
 *                      alignment, the kernel's rules), and, with an env, what
 *                      this host's devices, groups and IOMMUs allow.
 *
 * Nothing here opens /dev/iommu or changes the system.
 *
 * A spec that checks clean can be made in this order, each object after
 * what it names: options; each IOAS (allow, huge_pages, its mappings but
 * copies; before them, the memory of its stage-1 tables); the copies, in spec
 * order (a copy of a copy comes after it); the stage-1 tables built (after
 * every mapping their `to`s name); the devices (a mock is plugged into its mock_ioas as it is made); fault
 * queues; paging HWPTs; vIOMMUs; nested HWPTs; vDevices; vEVENTQs; then
 * attach, each device's own attach before its PASIDs'.  A vIOMMU of type 0
 * takes its device's vendor's viommu_type, and a vEVENTQ of type 0 the
 * events of its vIOMMU's type.
 */
#ifndef ICTL_SPEC_H
#define ICTL_SPEC_H

#include "iommuctl.h"
#include "pt.h"

/* The most a spec file may hold; a bigger file is refused by name. */
#define ICTL_SPEC_MAX_BYTES (1024 * 1024)
/* Names: [A-Za-z][A-Za-z0-9_.-]{0,31}, one namespace for the whole spec. */
#define ICTL_SPEC_NAME_MAX 33
/* Vendor nested data: the most keys and list items it may have. */
#define ICTL_NESTED_KEYS_MAX 16
#define ICTL_NESTED_ITEMS_MAX 8
/* The largest kernel structure a vendor builds (AMD's 4 words). */
#define ICTL_NESTED_DATA_MAX 64

/* Where a node is in the file: 1-based; 0 when there is none. */
struct ictl_spec_pos {
	unsigned int line, column;
};

/* A number the spec may give; set false when it does not. */
struct ictl_spec_num {
	uint64_t v;
	bool set;
	struct ictl_spec_pos pos;
};

/* A reference by name, resolved: idx into its section, -1 when not given. */
struct ictl_spec_ref {
	int idx;
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
};

/* --- vendor nested data (`data:` of a nested HWPT) ------------------------------ */

/* One scalar of a `data:` value, as written (numbers are parsed by the vendor). */
struct ictl_nested_item {
	char text[72];
	struct ictl_spec_pos pos;
};

/* key: scalar, or key: [scalar, ...] (list true). */
struct ictl_nested_kv {
	char key[24];
	struct ictl_spec_pos pos;	/* of the key */
	bool list;
	size_t nitems;
	struct ictl_nested_item items[ICTL_NESTED_ITEMS_MAX];
};

/*
 * The user's description of a stage-1 table (declared in vendor.h, where the
 * vendor hooks take it): its type and its other keys, with positions, for a
 * vendor's nested_data_build() to read through the helpers in vendor.h.
 */
struct ictl_nested_spec {
	const char *file;		/* the spec's name, for messages */
	struct ictl_spec *spec;		/* while it is parsed: where errors go; then NULL */
	char path[64];			/* "hwpts[1].data", for messages */
	char type[24];			/* as written: "intel-vtd" */
	struct ictl_spec_pos pos;	/* of the data mapping */
	struct ictl_spec_pos type_pos;
	size_t nkv;
	struct ictl_nested_kv kv[ICTL_NESTED_KEYS_MAX];
};

/* --- the model ----------------------------------------------------------------- */

enum ictl_spec_mem {
	ICTL_SPEC_MEM_ANON,		/* private anonymous memory (IOMMU_IOAS_MAP) */
	ICTL_SPEC_MEM_MEMFD,		/* a memfd (IOMMU_IOAS_MAP_FILE) */
	ICTL_SPEC_MEM_HUGETLB_2M,	/* MAP_HUGETLB 2 MiB pages (IOMMU_IOAS_MAP) */
	ICTL_SPEC_MEM_HUGETLB_1G,	/* MAP_HUGETLB 1 GiB pages (IOMMU_IOAS_MAP) */
	ICTL_SPEC_MEM_FILE,		/* a file from offset (IOMMU_IOAS_MAP_FILE) */
	ICTL_SPEC_MEM_COPY,		/* what another mapping maps (IOMMU_IOAS_COPY) */
};

enum {
	ICTL_SPEC_ACCESS_READ = 1 << 0,		/* the device may read */
	ICTL_SPEC_ACCESS_WRITE = 1 << 1,	/* the device may write */
};

struct ictl_spec_mapping {
	char name[ICTL_SPEC_NAME_MAX];		/* "" when unnamed */
	struct ictl_spec_pos pos;
	struct ictl_spec_num iova;		/* not set: the kernel picks it */
	struct ictl_spec_num size;		/* always set */
	unsigned int access;			/* ICTL_SPEC_ACCESS_*; default both */
	struct ictl_spec_pos access_pos;
	enum ictl_spec_mem memory;		/* default anon */
	struct ictl_spec_pos memory_pos;
	char *file;				/* ICTL_SPEC_MEM_FILE: its path */
	struct ictl_spec_num offset;		/* ICTL_SPEC_MEM_FILE: where in the file */
	/*
	 * ICTL_SPEC_MEM_COPY: the source.  Written copy: {ioas: NAME, iova: N},
	 * copy_iova is the source IOVA in copy_ioas; written copy: {mapping: NAME,
	 * offset: N}, copy_map names the mapping, the parse sets copy_ioas to its
	 * IOAS and copy_mapping to its index there, and copy_iova is the offset
	 * into it (its IOVA may be the kernel's choice, known only when applied).
	 */
	struct ictl_spec_ref copy_ioas;
	struct ictl_spec_ref copy_map;
	int copy_mapping;			/* -1 unless copy: {mapping: NAME} */
	struct ictl_spec_num copy_iova;
};

/* An inclusive IOVA interval of an allow list. */
struct ictl_spec_range {
	uint64_t start, last;
	struct ictl_spec_pos pos;
};

struct ictl_spec_ioas {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	size_t nallow;
	struct ictl_spec_range *allow;		/* IOMMU_IOAS_ALLOW_IOVAS; none: no call */
	struct ictl_spec_pos allow_pos;
	enum ictl_tristate huge_pages;		/* IOMMU_OPTION_HUGE_PAGES; unknown: leave */
	struct ictl_spec_pos huge_pages_pos;
	size_t nmaps;
	struct ictl_spec_mapping *maps;
};

/* IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS device flags, as the spec names them. */
enum {
	ICTL_SPEC_MOCK_NO_DIRTY = 1 << 0,	/* MOCK_FLAGS_DEVICE_NO_DIRTY */
	ICTL_SPEC_MOCK_PASID = 1 << 2,		/* MOCK_FLAGS_DEVICE_PASID */
};

struct ictl_spec_device {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	bool mock;				/* the kernel's selftest device */
	char device[ICTL_NAME_MAX];		/* not mock: canonical sysfs name */
	struct ictl_spec_pos device_pos;
	uint32_t mock_flags;			/* mock: ICTL_SPEC_MOCK_* (= the kernel's) */
	struct ictl_spec_pos mock_flags_pos;
	/* mock: the IOAS it is plugged into when created (MOCK_DOMAIN's pt_id) */
	struct ictl_spec_ref mock_ioas;
};

/* HWPT flags, by bit (the kernel's IOMMU_HWPT_ALLOC_* numbering). */
enum {
	ICTL_SPEC_HWPT_NEST_PARENT = 1 << 0,
	ICTL_SPEC_HWPT_DIRTY_TRACKING = 1 << 1,
	ICTL_SPEC_HWPT_PASID = 1 << 3,
};

struct ictl_spec_hwpt {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	/* Exactly one of these is given: a paging HWPT over an IOAS, or a nested
	 * one over a nest-parent HWPT or a vIOMMU. */
	struct ictl_spec_ref ioas, parent, viommu;
	struct ictl_spec_ref device;		/* dev_id of IOMMU_HWPT_ALLOC */
	struct ictl_spec_ref fault;		/* IOMMU_HWPT_FAULT_ID_VALID when given */
	uint32_t flags;				/* ICTL_SPEC_HWPT_* */
	struct ictl_spec_pos flag_pos[4];	/* by bit number: where the flag is */
	uint8_t flag_idx[4];			/* by bit number: its index in flags: */
	struct ictl_spec_pos flags_pos;
	/* Nested: the description as written, and the bytes its vendor built. */
	struct ictl_nested_spec *data;
	int ptable;				/* the page table data names (pgtbl:, table:); -1 */
	uint32_t data_type;			/* IOMMU_HWPT_DATA_*; 0 (NONE) for paging */
	uint32_t data_len;
	uint8_t data_bytes[ICTL_NESTED_DATA_MAX];
};

struct ictl_spec_fault {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
};

struct ictl_spec_viommu {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	/*
	 * IOMMU_VIOMMU_TYPE_*; 0 when the spec leaves it out: the type of the
	 * device's IOMMU (its vendor's viommu_type, known from its hw_info).
	 */
	uint32_t type;
	bool type_named;			/* given by name (checked against the vendor) */
	struct ictl_spec_pos type_pos;
	struct ictl_spec_ref device, parent;	/* parent: a nest-parent HWPT */
};

struct ictl_spec_vdevice {
	char name[ICTL_SPEC_NAME_MAX];		/* "" when unnamed */
	struct ictl_spec_pos pos;
	struct ictl_spec_ref viommu, device;
	struct ictl_spec_num virt_id;		/* vSID (SMMUv3), vRID, ... */
};

struct ictl_spec_veventq {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	struct ictl_spec_ref viommu;
	/* IOMMU_VEVENTQ_TYPE_*; 0 when neither it nor its vIOMMU's type is given: the vIOMMU's kind */
	uint32_t type;
	struct ictl_spec_pos type_pos;
	struct ictl_spec_num depth;		/* 1 .. 2^19 */
};

struct ictl_spec_attach {
	struct ictl_spec_pos pos;
	struct ictl_spec_ref device;
	struct ictl_spec_ref hwpt, ioas;	/* one of the two */
	struct ictl_spec_num pasid;		/* not set: the device itself (RID) */
	/*
	 * A HWPT the attach is replaced with once every attach is made (a second
	 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, which replaces on a cdev; on the mock,
	 * MOCK_DOMAIN_REPLACE or PASID_REPLACE); name "" when none.
	 */
	struct ictl_spec_ref replace;
};

/*
 * A stage-1 table the spec describes (page_tables:): tables of fmt that live
 * in memory mapped into a parent IOAS at IOVA at, whose output addresses are
 * IOVAs of that IOAS (the guest-physical view).  A nested HWPT's data names
 * it; apply builds it into its own memory and maps that at at.
 */
struct ictl_spec_pt_map {
	struct ictl_spec_pos pos;
	struct ictl_spec_num iova, size;	/* always set */
	/* to: a parent IOVA (to_map.idx -1), or a mapping of the parent and an offset */
	struct ictl_spec_pos to_pos;
	uint64_t to;				/* the IOVA, or the offset into to_map */
	struct ictl_spec_ref to_map;		/* idx: the IOAS; to_mapping: the mapping */
	int to_mapping;
	unsigned int perms;			/* ICTL_PT_R, _W, _X, _PRIV; default rw */
	struct ictl_spec_pos perms_pos;
};

struct ictl_spec_ptable {
	char name[ICTL_SPEC_NAME_MAX];
	struct ictl_spec_pos pos;
	struct ictl_pt_cfg cfg;			/* format: as `pt build --format` reads it */
	struct ictl_spec_pos format_pos;
	uint64_t page_sizes;			/* page_sizes: [...]; 0: all the format has */
	struct ictl_spec_pos page_sizes_pos;
	struct ictl_spec_ref ioas;		/* the parent IOAS the memory is mapped in */
	/*
	 * The memory's IOVA there; not set (at: auto, or no at:): the kernel
	 * picks it when apply maps the memory, and at.v is 0 (addresses in the
	 * memory are then offsets; at.pos is auto's, or 0).
	 */
	struct ictl_spec_num at;
	struct ictl_spec_num size;		/* the memory's bytes; not set: as needed */
	/* ICTL_NESTED_PT_* (vendor.h) when a nested HWPT's data names it; 0 when none */
	unsigned int via;
	int via_hwpt;				/* that HWPT; -1 */
	size_t nmaps;
	struct ictl_spec_pt_map *maps;
};

struct ictl_spec {
	char *file;				/* the name given to the parser */
	unsigned int version;
	/* IOMMU_OPTION_RLIMIT_MODE: -1 leave, 0 per user, 1 per process. */
	int rlimit_mode;
	struct ictl_spec_pos rlimit_pos;
	size_t ndevices, nioas, nhwpts, nfaults, nviommus, nvdevices, nveventqs, nattach;
	size_t nptables;
	struct ictl_spec_ptable *ptables;
	struct ictl_spec_device *devices;
	struct ictl_spec_ioas *ioas;
	struct ictl_spec_hwpt *hwpts;
	struct ictl_spec_fault *faults;
	struct ictl_spec_viommu *viommus;
	struct ictl_spec_vdevice *vdevices;
	struct ictl_spec_veventq *veventqs;
	struct ictl_spec_attach *attach;
	/* After a failed parse: where, and the message without "FILE:LINE:COLUMN: ". */
	int nested_ptable;			/* while a vendor builds data: the table it named */
	struct ictl_spec_pos err_pos;
	char err_path[96];
	char err_msg[400];
};

/*
 * Parse len bytes of YAML named name (for messages).  On failure -EINVAL (or
 * -ENOMEM) with the message in the context and in out->err_*; out is left
 * for ictl_spec_clear() either way.
 */
int ictl_spec_parse(struct ictl_ctx *ctx, const char *name, const char *buf, size_t len,
		    struct ictl_spec *out);
/*
 * Read path (the user's file, not below the sysroot): a regular file of at
 * most ICTL_SPEC_MAX_BYTES, opened without blocking; then parse it.  -ENOENT,
 * -EISDIR, -EFBIG, ... with a message naming the file.
 */
int ictl_spec_load(struct ictl_ctx *ctx, const char *path, struct ictl_spec *out);
void ictl_spec_clear(struct ictl_spec *s);

/* Names of the spec's words, for messages and reports. */
const char *ictl_spec_mem_name(enum ictl_spec_mem m);
const char *ictl_spec_hwpt_flag_name(unsigned int bit);

/*
 * Numbers as specs write them: decimal or 0x hex; with size true, also a
 * K, M, G or T suffix (powers of 1024).  -EINVAL for anything else
 * (negative, fraction, junk, more than 64 bits).
 */
int ictl_spec_parse_u64(const char *s, bool size, uint64_t *v);


/* --- stage-1 tables (page_tables:) ------------------------------------------------ */

/* The most table memory a spec's table may take (its size:, or what it may need). */
#define ICTL_SPEC_PT_MAX_BYTES (256u << 20)

/*
 * The mappings of ptables[t] as the engine takes them (sorted by IOVA), each
 * `to` turned into a parent IOVA: map_iova(priv, ioas, mapping) gives the IOVA
 * of a mapping of the parent (a kernel-chosen one once it is known); NULL
 * takes the spec's fixed IOVAs only, and a mapping without one is -EINVAL
 * naming it.
 */
typedef int (*ictl_spec_map_iova_fn)(void *priv, size_t ioas, size_t mapping, uint64_t *iova);
int ictl_spec_pt_maps(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t,
		      ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_maps *out);
/*
 * Bytes of table memory ptables[t] needs wherever its mappings go (the
 * tables a build with the smallest pages only would allocate: no build uses
 * more; none below the leaves of its smallest page), rounded up to 4 KiB, and
 * a page for a CD or GCR3 table; its size: when given.  -EFBIG past
 * ICTL_SPEC_PT_MAX_BYTES.
 */
int ictl_spec_pt_size(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, uint64_t *size);
/*
 * Build ptables[t] into out at its at: IOVA (map_iova as above); -EINVAL
 * naming the table when its tables do not fit in its size.  For at: auto
 * that is 0 (the tables' addresses are offsets into the memory);
 * ictl_spec_pt_build_at() builds them for memory at base (where the kernel
 * put it).
 */
int ictl_spec_pt_build(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t,
		       ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_image *out);
int ictl_spec_pt_build_at(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, uint64_t base,
			  ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_image *out);
/*
 * The data of nested HWPT hwpts[h], whose data names a table, built again as
 * its vendor builds it with that table's memory at base (at: auto: where the
 * kernel put it; the parse built it at 0): ICTL_NESTED_DATA_MAX bytes of out,
 * *len of them used.  s is not changed.
 */
int ictl_spec_nested_data_at(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t h,
			     uint64_t base, uint8_t *out, uint32_t *len);
/*
 * Where the CD table or GCR3 table of ptables[t] goes (its data points
 * through one): the last 4 KiB page of its memory; 0 when it needs none.
 */
uint64_t ictl_spec_pt_ptr(const struct ictl_spec *s, size_t t);
/* The index of the table named name; -1 when there is none. */
int ictl_spec_pt_find(const struct ictl_spec *s, const char *name);

/* --- checks ------------------------------------------------------------------ */

/* What is known of the host, per spec device (by index); NULL parts are unknown. */
struct ictl_spec_env_dev {
	bool missing;				/* the device is not on this host */
	const struct ictl_device *dev;		/* its iommu and group */
	const struct ictl_group *group;		/* its reserved regions */
	const struct ictl_hw_info *hi;		/* its IOMMU, decoded */
	const struct ictl_caps *caps;		/* what that IOMMU allows */
	char note[512];				/* why something is unknown, for a warning */
	/* The device or its group is there but cannot be read (a damaged tree): an error, since
	 * its reserved regions and IOMMU cannot be checked. */
	bool damaged;
	/* ictl_spec_env_read()'s storage behind the pointers above */
	struct ictl_device own_dev;
	struct ictl_group own_group;
	struct ictl_hw_info own_hi;
	struct ictl_caps own_caps;
};

struct ictl_spec_env {
	size_t ndevs;				/* the spec's ndevices */
	struct ictl_spec_env_dev *devs;
	/* A device that is not there: a warning, not an error (hardware given by the user). */
	bool missing_is_warning;
	/* Known ioctls (bit n: IOMMUFD_CMD_BASE + n), as ictl_iommufd_probe() found. */
	bool have_ioctls;
	uint32_t ioctls;
	/* Can mock devices be made here (CONFIG_IOMMUFD_TEST)?  mock_note says how we know. */
	enum ictl_tristate mock;
	char mock_note[160];
};

/*
 * Read what the context's system (live or --sysroot) says of each device of
 * the spec: the device, its group, and its IOMMU's hw_info and caps (asked of
 * iommufd, else rebuilt from sysfs, as `iommuctl caps` does); or, with hi
 * (a decoded blob the user gave), that IOMMU for every device, and a device
 * that is not there only a warning.  Live, the kernel's iommufd ioctls are
 * probed (nothing is allocated).  0, or -ENOMEM; what cannot be read is a
 * note of its device, not a failure.
 */
int ictl_spec_env_read(struct ictl_ctx *ctx, const struct ictl_spec *s,
		       const struct ictl_hw_info *hi, struct ictl_spec_env *env);
void ictl_spec_env_clear(struct ictl_spec_env *env);

enum ictl_spec_severity { ICTL_SPEC_ERROR, ICTL_SPEC_WARNING };

/* Whose fault a finding is; the exit status of `apply --check` follows it. */
enum ictl_spec_class {
	ICTL_SPEC_CLASS_SPEC,		/* the spec is wrong in itself (exit 2) */
	ICTL_SPEC_CLASS_MISSING,	/* a device of the spec is not on this host (exit 4) */
	ICTL_SPEC_CLASS_HOST,		/* this host's hardware or kernel cannot do it (exit 3) */
};

struct ictl_spec_finding {
	enum ictl_spec_severity severity;
	enum ictl_spec_class cls;
	struct ictl_spec_pos pos;
	char path[96];			/* "hwpts[1].flags[0]" */
	char message[768];
	char source[160];		/* "ecap_reg.NEST (bit 26) = 0"; "" for the spec's own */
};

struct ictl_spec_findings {
	size_t n;
	struct ictl_spec_finding *v;
	size_t nerrors, nwarnings;
};

/*
 * Check a parsed spec; env may be NULL (static checks only).  Every finding
 * goes to out; returns 0 (whatever was found) or -ENOMEM.
 */
int ictl_spec_check(struct ictl_ctx *ctx, const struct ictl_spec *s, const struct ictl_spec_env *env,
		    struct ictl_spec_findings *out);
void ictl_spec_findings_clear(struct ictl_spec_findings *f);
const char *ictl_spec_severity_name(enum ictl_spec_severity s);
/* Errors only: the worst class found (SPEC before MISSING before HOST); -1 when none. */
int ictl_spec_worst_class(const struct ictl_spec_findings *f);

#endif /* ICTL_SPEC_H */
