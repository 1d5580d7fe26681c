/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iommufd uAPI, written from the kernel's documented ABI as our own
 * definitions.  Naming rule: every kernel identifier X becomes ictl_X (types)
 * or ICTL_X (constants), so tests/uapi/ can include the kernel's header next
 * to this one and check every size, offset and number against it.
 * Reference: include/uapi/linux/iommufd.h of Linux 7.3.
 */
#ifndef ICTL_UAPI_IOMMUFD_H
#define ICTL_UAPI_IOMMUFD_H

#include <stdint.h>
#include <sys/ioctl.h>

#define ICTL_ALIGNED_U64 uint64_t __attribute__((aligned(8)))
/* The same, for fields the kernel defines as little-endian (ARM data). */
#define ICTL_ALIGNED_LE64 uint64_t __attribute__((aligned(8)))

/*
 * Every iommufd ioctl takes one structure whose first word is its size, so
 * the numbers carry no size: _IO(';', 0x80 + n).  The kernel reads as much
 * of the structure as it knows, and insists that anything past that is zero.
 */
#define ICTL_IOMMUFD_TYPE (';')

enum {
	ICTL_IOMMUFD_CMD_BASE = 0x80,
	ICTL_IOMMUFD_CMD_DESTROY = ICTL_IOMMUFD_CMD_BASE,
	ICTL_IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	ICTL_IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	ICTL_IOMMUFD_CMD_IOAS_COPY = 0x83,
	ICTL_IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	ICTL_IOMMUFD_CMD_IOAS_MAP = 0x85,
	ICTL_IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	ICTL_IOMMUFD_CMD_OPTION = 0x87,
	ICTL_IOMMUFD_CMD_VFIO_IOAS = 0x88,
	ICTL_IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	ICTL_IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	ICTL_IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	ICTL_IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	ICTL_IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	ICTL_IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	ICTL_IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	ICTL_IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	ICTL_IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	ICTL_IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	ICTL_IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	ICTL_IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
	ICTL_IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA = 0x95,
};

/* --- objects and IO address spaces ------------------------------------------ */

/* Free any object by its id (IOAS, HWPT, fault queue, vIOMMU, ...). */
struct ictl_iommu_destroy {
	uint32_t size;
	uint32_t id;
};
#define ICTL_IOMMU_DESTROY _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_DESTROY)

/* A new, empty IO address space; flags must be 0. */
struct ictl_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};
#define ICTL_IOMMU_IOAS_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_ALLOC)

/* An inclusive IOVA interval. */
struct ictl_iommu_iova_range {
	ICTL_ALIGNED_U64 start;
	ICTL_ALIGNED_U64 last;
};

/*
 * The IOVA intervals that may be mapped now: the intersection of every
 * attached domain's aperture minus every reserved region.  num_iovas is the
 * array's capacity in and the real count out (EMSGSIZE when it did not fit).
 */
struct ictl_iommu_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 allowed_iovas;		/* user pointer to the array */
	ICTL_ALIGNED_U64 out_iova_alignment;	/* smallest page size of the domains */
};
#define ICTL_IOMMU_IOAS_IOVA_RANGES _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_IOVA_RANGES)

/* Restrict where automatically chosen IOVAs may go (num_iovas 0: anywhere). */
struct ictl_iommu_ioas_allow_iovas {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 allowed_iovas;
};
#define ICTL_IOMMU_IOAS_ALLOW_IOVAS _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* MAP, MAP_FILE and COPY flags. */
enum {
	ICTL_IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,	/* use iova as given, else the kernel picks */
	ICTL_IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,		/* the device may write */
	ICTL_IOMMU_IOAS_MAP_READABLE = 1 << 2,		/* the device may read */
};

/* Pin user memory and map it at iova (out: where it went without FIXED_IOVA). */
struct ictl_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 user_va;
	ICTL_ALIGNED_U64 length;
	ICTL_ALIGNED_U64 iova;
};
#define ICTL_IOMMU_IOAS_MAP _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_MAP)

/*
 * Only for no-IOMMU devices doing unsafe DMA: the physical address behind an
 * IOVA, and (out) how many bytes from there are physically contiguous.
 */
struct ictl_iommu_ioas_noiommu_get_pa {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 iova;
	ICTL_ALIGNED_U64 length;
	ICTL_ALIGNED_U64 out_phys;
};
#define ICTL_IOMMU_IOAS_NOIOMMU_GET_PA _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA)

/* Like MAP, but the pages are a memfd's (or another file's) from offset start. */
struct ictl_iommu_ioas_map_file {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	int32_t fd;
	ICTL_ALIGNED_U64 start;
	ICTL_ALIGNED_U64 length;
	ICTL_ALIGNED_U64 iova;
};
#define ICTL_IOMMU_IOAS_MAP_FILE _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_MAP_FILE)

/* Map in dst what is already pinned at src_iova in src, without pinning again. */
struct ictl_iommu_ioas_copy {
	uint32_t size;
	uint32_t flags;
	uint32_t dst_ioas_id;
	uint32_t src_ioas_id;
	ICTL_ALIGNED_U64 length;
	ICTL_ALIGNED_U64 dst_iova;
	ICTL_ALIGNED_U64 src_iova;
};
#define ICTL_IOMMU_IOAS_COPY _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_COPY)

/*
 * Unmap whole mappings inside [iova, iova + length); iova 0 with length
 * UINT64_MAX unmaps everything.  length comes back as the bytes unmapped.
 */
struct ictl_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	ICTL_ALIGNED_U64 iova;
	ICTL_ALIGNED_U64 length;
};
#define ICTL_IOMMU_IOAS_UNMAP _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_UNMAP)

/* --- IOMMU_OPTION: per-file or per-IOAS settings -------------------------------- */

enum {
	ICTL_IOMMU_OPTION_RLIMIT_MODE = 0,	/* file-wide: 0 per user, 1 per process */
	ICTL_IOMMU_OPTION_HUGE_PAGES = 1,	/* per IOAS: 1 may use huge pages (default) */
};

enum {
	ICTL_IOMMU_OPTION_OP_SET = 0,
	ICTL_IOMMU_OPTION_OP_GET = 1,
};

struct ictl_iommu_option {
	uint32_t size;
	uint32_t option_id;
	uint16_t op;
	uint16_t __reserved;
	uint32_t object_id;	/* 0 for file-wide options */
	ICTL_ALIGNED_U64 val64;
};
#define ICTL_IOMMU_OPTION _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_OPTION)

/* --- the IOAS that the VFIO container compatibility layer uses -------------- */

enum {
	ICTL_IOMMU_VFIO_IOAS_GET = 0,
	ICTL_IOMMU_VFIO_IOAS_SET = 1,
	ICTL_IOMMU_VFIO_IOAS_CLEAR = 2,
};

struct ictl_iommu_vfio_ioas {
	uint32_t size;
	uint32_t ioas_id;
	uint16_t op;
	uint16_t __reserved;
};
#define ICTL_IOMMU_VFIO_IOAS _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_VFIO_IOAS)

/* --- IOMMU_HWPT_ALLOC: a hardware page table, paging or nested --------------- */

enum {
	ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,	/* may be a parent of nested HWPTs */
	ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,	/* able to track dirty IOVAs */
	ICTL_IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,	/* fault_id names a fault queue */
	ICTL_IOMMU_HWPT_ALLOC_PASID = 1 << 3,		/* may be attached to PASIDs */
};

/* Intel VT-d stage-1 (first-level) table of a guest. */
enum {
	ICTL_IOMMU_VTD_S1_SRE = 1 << 0,		/* supervisor requests */
	ICTL_IOMMU_VTD_S1_EAFE = 1 << 1,	/* extended access flag */
	ICTL_IOMMU_VTD_S1_WPE = 1 << 2,		/* write protect */
};

struct ictl_iommu_hwpt_vtd_s1 {
	ICTL_ALIGNED_U64 flags;
	ICTL_ALIGNED_U64 pgtbl_addr;	/* guest physical address of the table */
	uint32_t addr_width;
	uint32_t __reserved;
};

/* ARM SMMUv3: the guest's Stream Table Entry (little-endian words). */
struct ictl_iommu_hwpt_arm_smmuv3 {
	ICTL_ALIGNED_LE64 ste[2];
};

/* AMD: the guest's Device Table Entry. */
struct ictl_iommu_hwpt_amd_guest {
	ICTL_ALIGNED_U64 dte[4];
};

/* What data_uptr points at. */
enum {
	ICTL_IOMMU_HWPT_DATA_NONE = 0,
	ICTL_IOMMU_HWPT_DATA_VTD_S1 = 1,
	ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	ICTL_IOMMU_HWPT_DATA_AMD_GUEST = 3,
};

/*
 * pt_id is an IOAS (a paging HWPT over it), a nesting-parent HWPT or a
 * vIOMMU (a nested HWPT described by the driver data).
 */
struct ictl_iommu_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t __reserved;
	uint32_t data_type;
	uint32_t data_len;
	ICTL_ALIGNED_U64 data_uptr;
	uint32_t fault_id;
	uint32_t __reserved2;
};
#define ICTL_IOMMU_HWPT_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_HWPT_ALLOC)

/* --- IOMMU_GET_HW_INFO: the driver data of each hw_info type ------------------- */

enum {
	ICTL_IOMMU_HW_INFO_TYPE_NONE = 0,
	ICTL_IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	ICTL_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	ICTL_IOMMU_HW_INFO_TYPE_AMD = 4,
};
/* The selftest mock driver's type (drivers/iommu/iommufd/iommufd_test.h). */
#define ICTL_IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeefu

/* out_capabilities */
enum {
	ICTL_IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	ICTL_IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	ICTL_IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	ICTL_IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

/* Intel VT-d: the capability and extended capability registers as the unit reports them. */
enum { ICTL_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0 };
struct ictl_iommu_hw_info_vtd {
	uint32_t flags;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 cap_reg;
	ICTL_ALIGNED_U64 ecap_reg;
};

/* ARM SMMUv3: ID registers 0-5, IIDR and AIDR. */
enum { ICTL_IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI = 1 << 0 };
struct ictl_iommu_hw_info_arm_smmuv3 {
	uint32_t flags;
	uint32_t __reserved;
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
};

/* NVIDIA Tegra241 CMDQV: fields of its PARAM register. */
struct ictl_iommu_hw_info_tegra241_cmdqv {
	uint32_t flags;
	uint8_t version;
	uint8_t log2vcmdqs;
	uint8_t log2vsids;
	uint8_t __reserved;
};

/* AMD: Extended Feature Registers 1 and 2. */
struct ictl_iommu_hw_info_amd {
	ICTL_ALIGNED_U64 efr;
	ICTL_ALIGNED_U64 efr2;
};

/* The selftest mock: a flags word and a register that reads 0xdeadbeef. */
#define ICTL_IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeefu
struct ictl_iommu_test_hw_info {
	uint32_t flags;
	uint32_t test_reg;
};

/* flags of IOMMU_GET_HW_INFO */
enum {
	ICTL_IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,	/* ask for in_data_type, not the default */
};

/*
 * The device's IOMMU: the driver data (up to data_len bytes, data_len comes
 * back as what the kernel has), its type, the PASID width and capabilities.
 */
struct ictl_iommu_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	ICTL_ALIGNED_U64 data_uptr;
	union {
		uint32_t in_data_type;
		uint32_t out_data_type;
	};
	uint8_t out_max_pasid_log2;
	uint8_t __reserved[3];
	ICTL_ALIGNED_U64 out_capabilities;
};
#define ICTL_IOMMU_GET_HW_INFO _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_GET_HW_INFO)

/* --- dirty tracking ------------------------------------------------------------- */

enum {
	ICTL_IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

struct ictl_iommu_hwpt_set_dirty_tracking {
	uint32_t size;
	uint32_t flags;
	uint32_t hwpt_id;
	uint32_t __reserved;
};
#define ICTL_IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

enum {
	ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,	/* read without clearing */
};

/* One bit per page_size page of [iova, iova + length) into the bitmap at data. */
struct ictl_iommu_hwpt_get_dirty_bitmap {
	uint32_t size;
	uint32_t hwpt_id;
	uint32_t flags;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 iova;
	ICTL_ALIGNED_U64 length;
	ICTL_ALIGNED_U64 page_size;
	ICTL_ALIGNED_U64 data;
};
#define ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/* --- IOMMU_HWPT_INVALIDATE: flush a nested HWPT's or a vIOMMU's caches ----- */

enum {
	ICTL_IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	ICTL_IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

enum {
	ICTL_IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,	/* leaf entries only */
};

struct ictl_iommu_hwpt_vtd_s1_invalidate {
	ICTL_ALIGNED_U64 addr;
	ICTL_ALIGNED_U64 npages;
	uint32_t flags;
	uint32_t __reserved;
};

/* One SMMUv3 command queue entry, little-endian. */
struct ictl_iommu_viommu_arm_smmuv3_invalidate {
	ICTL_ALIGNED_LE64 cmd[2];
};

/*
 * An array of entry_num requests of entry_len bytes each; entry_num comes
 * back as how many were handled.  hwpt_id may also name a vIOMMU.
 */
struct ictl_iommu_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id;
	ICTL_ALIGNED_U64 data_uptr;
	uint32_t data_type;
	uint32_t entry_len;
	uint32_t entry_num;
	uint32_t __reserved;
};
#define ICTL_IOMMU_HWPT_INVALIDATE _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_HWPT_INVALIDATE)

/* --- IO page faults: read() records from the fault fd, write() responses --- */

enum {
	ICTL_IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	ICTL_IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1,	/* last of its group: answer now */
};

enum {
	ICTL_IOMMU_PGFAULT_PERM_READ = 1 << 0,
	ICTL_IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	ICTL_IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	ICTL_IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};

struct ictl_iommu_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 addr;
	uint32_t length;
	uint32_t cookie;	/* echoed in the response */
};

enum {
	ICTL_IOMMUFD_PAGE_RESP_SUCCESS = 0,
	ICTL_IOMMUFD_PAGE_RESP_INVALID = 1,
};

struct ictl_iommu_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

struct ictl_iommu_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};
#define ICTL_IOMMU_FAULT_QUEUE_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/* --- vIOMMU, vDevice, vEVENTQ, HW queue ---------------------------------------- */

enum {
	ICTL_IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/* Out: where to mmap() the VINTF page of a Tegra241 vIOMMU. */
struct ictl_iommu_viommu_tegra241_cmdqv {
	ICTL_ALIGNED_U64 out_vintf_mmap_offset;
	ICTL_ALIGNED_U64 out_vintf_mmap_length;
};

/* A virtual IOMMU instance over a nesting-parent HWPT (hwpt_id). */
struct ictl_iommu_viommu_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t type;
	uint32_t dev_id;
	uint32_t hwpt_id;
	uint32_t out_viommu_id;
	uint32_t data_len;
	uint32_t __reserved;
	ICTL_ALIGNED_U64 data_uptr;
};
#define ICTL_IOMMU_VIOMMU_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_VIOMMU_ALLOC)

/* A device as the vIOMMU's guest sees it: virt_id is its virtual ID (vSID, vRID). */
struct ictl_iommu_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	ICTL_ALIGNED_U64 virt_id;
};
#define ICTL_IOMMU_VDEVICE_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_VDEVICE_ALLOC)

/* Move the pinned-page accounting of every IOAS to the calling process. */
struct ictl_iommu_ioas_change_process {
	uint32_t size;
	uint32_t __reserved;
};
#define ICTL_IOMMU_IOAS_CHANGE_PROCESS \
	_IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

enum {
	ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS = 1U << 0,	/* the queue overflowed before this */
};

/* Each record read from a vEVENTQ fd starts with this, then the type's event. */
struct ictl_iommufd_vevent_header {
	uint32_t flags;
	uint32_t sequence;
};

enum {
	ICTL_IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/* An SMMUv3 event queue entry, little-endian. */
struct ictl_iommu_vevent_arm_smmuv3 {
	ICTL_ALIGNED_LE64 evt[4];
};

/* Which Tegra241 virtual command queues have errors, little-endian. */
struct ictl_iommu_vevent_tegra241_cmdqv {
	ICTL_ALIGNED_LE64 lvcmdq_err_map[2];
};

struct ictl_iommu_veventq_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t viommu_id;
	uint32_t type;
	uint32_t veventq_depth;
	uint32_t out_veventq_id;
	uint32_t out_veventq_fd;
	uint32_t __reserved;
};
#define ICTL_IOMMU_VEVENTQ_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_VEVENTQ_ALLOC)

enum {
	ICTL_IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	ICTL_IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/* A queue the hardware reads directly from guest memory (an IOVA of the parent). */
struct ictl_iommu_hw_queue_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t viommu_id;
	uint32_t type;
	uint32_t index;
	uint32_t out_hw_queue_id;
	ICTL_ALIGNED_U64 nesting_parent_iova;
	ICTL_ALIGNED_U64 length;
};
#define ICTL_IOMMU_HW_QUEUE_ALLOC _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_HW_QUEUE_ALLOC)

/*
 * --- the selftest mock (CONFIG_IOMMUFD_TEST; drivers/iommu/iommufd/iommufd_test.h)
 * Only what it takes to create mock devices, check their domains and IOTLBs
 * and mark pages dirty: IOMMU_TEST_CMD with the operations below.
 */
enum {
	ICTL_IOMMU_TEST_OP_ADD_RESERVED = 1,		/* a reserved IOVA range in an IOAS */
	ICTL_IOMMU_TEST_OP_MOCK_DOMAIN = 2,		/* plug a mock device into an IOAS */
	ICTL_IOMMU_TEST_OP_MD_CHECK_MAP = 3,		/* does the mock domain map this? */
	ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,	/* attach the mock device elsewhere */
	ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS = 12,	/* MOCK_DOMAIN with device flags */
	ICTL_IOMMU_TEST_OP_DIRTY = 13,			/* mark pages of a mock domain dirty */
	ICTL_IOMMU_TEST_OP_MD_CHECK_IOTLB = 14,		/* does a nested IOTLB entry hold this? */
	ICTL_IOMMU_TEST_OP_TRIGGER_IOPF = 15,		/* a page fault from a mock device */
	ICTL_IOMMU_TEST_OP_DEV_CHECK_CACHE = 16,	/* does a mock device's cache entry hold this? */
	ICTL_IOMMU_TEST_OP_TRIGGER_VEVENT = 17,		/* a vEVENT from a mock device's vIOMMU */
	ICTL_IOMMU_TEST_OP_PASID_ATTACH = 18,		/* attach one PASID of a mock device */
	ICTL_IOMMU_TEST_OP_PASID_REPLACE = 19,		/* attach it elsewhere (pasid_attach's fields) */
	ICTL_IOMMU_TEST_OP_PASID_DETACH = 20,		/* and detach it */
};

/* The mock domain's aperture and page size. */
enum {
	ICTL_MOCK_APERTURE_START = 1UL << 24,
	ICTL_MOCK_APERTURE_LAST = (1UL << 31) - 1,
	ICTL_MOCK_PAGE_SIZE = 2048,
};

enum {
	ICTL_MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,	/* the mock device refuses dirty tracking */
	ICTL_MOCK_FLAGS_DEVICE_PASID = 1 << 2,		/* the mock device has PASID */
};

#define ICTL_MOCK_PASID_WIDTH 20

/* The IOTLB entries of a mock nested HWPT, each set to iotlb at allocation. */
enum {
	ICTL_MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	ICTL_MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* hwpt data type, vIOMMU type, vEVENTQ type and HW queue type of the mock */
#define ICTL_IOMMU_HWPT_DATA_SELFTEST 0xdead
#define ICTL_IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef
#define ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef
#define ICTL_IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define ICTL_IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
/* What each cache entry of a mock device holds until it is invalidated. */
#define ICTL_IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/* The mock's nested HWPT data. */
struct ictl_iommu_hwpt_selftest {
	uint32_t iotlb;
	uint32_t pagetable_type;
};

/* IOMMU_HWPT_INVALIDATE of a mock nested HWPT: zero IOTLB entry iotlb_id, or all of them. */
#define ICTL_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)
struct ictl_iommu_hwpt_invalidate_selftest {
	uint32_t flags;
	uint32_t iotlb_id;
};

/* IOMMU_HWPT_INVALIDATE of a mock vIOMMU: zero cache entry cache_id of vDevice vdev_id (a virtual id), or all. */
#define ICTL_IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
struct ictl_iommu_viommu_invalidate_selftest {
	uint32_t flags;		/* ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL */
	uint32_t vdev_id;
	uint32_t cache_id;
};

/* The data of a mock vEVENT (IOMMU_VEVENTQ_TYPE_SELFTEST): the vDevice's virtual id. */
struct ictl_iommu_viommu_event_selftest {
	uint32_t virt_id;
};

/* The mock vIOMMU's data: out_data comes back equal to in_data. */
struct ictl_iommu_viommu_selftest {
	uint32_t in_data;
	uint32_t out_data;
	ICTL_ALIGNED_U64 out_mmap_offset;
	ICTL_ALIGNED_U64 out_mmap_length;
};

/*
 * The kernel's union holds one member per operation; ours only those we use,
 * padded to the kernel's size (its largest member is 48 bytes).
 */
struct ictl_iommu_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t __reserved;
	union {
		struct {
			ICTL_ALIGNED_U64 start;
			ICTL_ALIGNED_U64 length;
		} add_reserved;
		struct {
			uint32_t out_stdev_id;	/* the mock device, destroyed to unplug it */
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;	/* its iommufd device id, as a bind gives */
		} mock_domain;
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;	/* ICTL_MOCK_FLAGS_DEVICE_* */
		} mock_domain_flags;
		struct {
			uint32_t pt_id;		/* in: IOAS or HWPT; out: the HWPT used */
		} mock_domain_replace;
		struct {
			uint32_t pasid;
			uint32_t pt_id;		/* an HWPT allocated with IOMMU_HWPT_ALLOC_PASID */
		} pasid_attach;
		struct {
			uint32_t pasid;
		} pasid_detach;
		struct {
			ICTL_ALIGNED_U64 iova;
			ICTL_ALIGNED_U64 length;
			ICTL_ALIGNED_U64 uptr;	/* the memory expected behind iova */
		} check_map;
		struct {
			uint32_t flags;
			ICTL_ALIGNED_U64 iova;
			ICTL_ALIGNED_U64 length;
			ICTL_ALIGNED_U64 page_size;
			ICTL_ALIGNED_U64 uptr;	/* a bitmap: one bit per page to mark */
			ICTL_ALIGNED_U64 out_nr_dirty;
		} dirty;
		struct {
			uint32_t id;		/* the IOTLB entry */
			uint32_t iotlb;		/* the value expected */
		} check_iotlb;
		struct {
			uint32_t dev_id;
			uint32_t pasid;		/* 0 (IOMMU_NO_PASID): none */
			uint32_t grpid;
			uint32_t perm;		/* ICTL_IOMMU_PGFAULT_PERM_* */
			uint64_t addr;
		} trigger_iopf;
		struct {
			uint32_t id;		/* the cache entry */
			uint32_t cache;		/* the value expected */
		} check_dev_cache;
		struct {
			uint32_t dev_id;	/* its vDevice's vIOMMU reports the event */
		} trigger_vevent;
		ICTL_ALIGNED_U64 __union_size[6];
	};
	uint32_t last;
};
#define ICTL_IOMMU_TEST_CMD _IO(ICTL_IOMMUFD_TYPE, ICTL_IOMMUFD_CMD_BASE + 32)

#endif /* ICTL_UAPI_IOMMUFD_H */
