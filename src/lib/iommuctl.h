/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: enumeration of IOMMU units, groups and devices.
 *
 * Every function returns 0 or a positive count on success and -errno on
 * failure; on failure the context holds a one-line message naming the object
 * and, where there is one, what to do.  The library never prints and never
 * exits.  Every path is opened below the context's root (the live system's
 * "/" or a captured tree given with --sysroot), and symlinks are resolved
 * inside that root.
 */
#ifndef IOMMUCTL_H
#define IOMMUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ictl_ctx;
struct ictl_vendor_ops;

/* --- context ------------------------------------------------------------ */

int ictl_ctx_new(struct ictl_ctx **out, const char *sysroot);
void ictl_ctx_free(struct ictl_ctx *ctx);
/* The message of the last error; never NULL. */
const char *ictl_strerror(const struct ictl_ctx *ctx);

/*
 * Where the last error's errno came from, for mapping it to an exit status:
 * the library's own checks (an EINVAL is a bad argument), the kernel (an
 * ioctl's or a sysfs write's EINVAL is the operation failing), or damaged data
 * (a file or captured tree that does not parse).
 */
enum ictl_err_kind { ICTL_ERR_LIB, ICTL_ERR_KERNEL, ICTL_ERR_DATA };
/* The kind of the last error if its errno is err (positive or negative), else ICTL_ERR_LIB. */
enum ictl_err_kind ictl_err_kind(const struct ictl_ctx *ctx, int err);
/* The root as given ("/" when live). */
const char *ictl_root(const struct ictl_ctx *ctx);
bool ictl_is_live(const struct ictl_ctx *ctx);
/*
 * Snapshot, for a command that only reads: the context keeps its first full scan
 * of groups and of devices, and answers later scans, ictl_group_read() and
 * ictl_device_read() from them (with copies), so the command reads each sysfs
 * object once.  Off by default: every call reads sysfs.  Anything opened for
 * writing through the context (a bind, an unbind, a driver_override) drops what
 * was kept, and so does ictl_ctx_forget(); the next call reads sysfs again.
 */
void ictl_ctx_snapshot(struct ictl_ctx *ctx, bool on);
void ictl_ctx_forget(struct ictl_ctx *ctx);

/*
 * Why one element of a listing could not be read.  A listing (ictl_groups_scan,
 * ictl_devices_scan) keeps such an element, with what could be read of it and
 * this, and goes on; a read of that one element (ictl_group_read,
 * ictl_device_read, ictl_devices_scan_group) fails with the same message.
 */
struct ictl_row_error {
	int err;			/* -errno */
	enum ictl_err_kind kind;	/* as ictl_err_kind() would have said */
	char msg[1024];			/* what ictl_strerror() would have said */
};

/* --- names --------------------------------------------------------------- */

struct ictl_pci_addr {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

#define ICTL_NAME_MAX 64

/*
 * Strictly parse a PCI address typed by a user: "DDDD:BB:DD.F" or the short
 * form "BB:DD.F" (domain 0).  Hex digits only, exact field widths, nothing
 * before or after.  On success writes the canonical "0000:00:03.0" form.
 */
int ictl_parse_pci_name(struct ictl_ctx *ctx, const char *s, struct ictl_pci_addr *addr,
			char canon[ICTL_NAME_MAX]);
/*
 * A device name for lookups: a PCI address (canonicalised as above), or the
 * sysfs name of a device on another bus ("9050000.smmuv3").  Names with a
 * colon must be PCI addresses; others may hold only [A-Za-z0-9._-].
 */
int ictl_parse_device_name(struct ictl_ctx *ctx, const char *s, char canon[ICTL_NAME_MAX]);
/* A group number: decimal, no sign, no leading zeros, < 2^31. */
int ictl_parse_group_id(struct ictl_ctx *ctx, const char *s, unsigned int *id);

/* --- devices -------------------------------------------------------------- */

enum ictl_tristate { ICTL_UNKNOWN = -1, ICTL_NO = 0, ICTL_YES = 1 };

struct ictl_device {
	char name[ICTL_NAME_MAX];	/* sysfs name: 0000:00:03.0, or a platform name */
	char bus[16];			/* "pci", "platform", ... */
	bool is_pci;
	struct ictl_pci_addr addr;
	uint16_t vendor_id, device_id, subsys_vendor_id, subsys_device_id;
	uint32_t class_code;		/* base, sub, prog-if */
	uint8_t revision;
	char driver[ICTL_NAME_MAX];	/* "" when no driver is bound */
	char driver_override[ICTL_NAME_MAX]; /* "" when unset */
	char iommu[ICTL_NAME_MAX];	/* unit serving it; "" when none */
	int group;			/* -1 when not in a group */
	char vfio_dev[32];		/* vfioN when bound to a VFIO driver */
	int numa_node;			/* -1 when unknown */
	enum ictl_tristate boot_vga;
	char *path;			/* its real sysfs directory, relative to the root */
	struct ictl_row_error *error;	/* NULL, or why a listing could not read it */
};

struct ictl_device_list {
	size_t n;
	struct ictl_device *v;
};

/*
 * All PCI devices, by address, then the non-PCI members of IOMMU groups, by name
 * in natural order.  O(devices): each device directory is opened once.  A device
 * that cannot be read is in the list with its error (ictl_row_error); only
 * running out of memory or an unreadable bus fails the scan.
 */
int ictl_devices_scan(struct ictl_ctx *ctx, struct ictl_device_list *out);
/*
 * What a look at one group needs: its members (ictl_group_read's message when
 * there is no such group); or, for a device, the device and the other members of
 * its group (ictl_device_read's message when there is no such device).  Sorted
 * as ictl_devices_scan sorts; O(group), not O(system).
 */
int ictl_devices_scan_group(struct ictl_ctx *ctx, unsigned int group,
			    struct ictl_device_list *out);
int ictl_devices_scan_near(struct ictl_ctx *ctx, const char *name, struct ictl_device_list *out);
void ictl_device_list_clear(struct ictl_device_list *l);
/* The device called name in a list sorted as the scans sort it, or NULL; O(log n). */
const struct ictl_device *ictl_device_find(const struct ictl_device_list *l, const char *name);
/* Read one device by its canonical sysfs name; -ENOENT when absent. */
int ictl_device_read(struct ictl_ctx *ctx, const char *name, struct ictl_device *d);
void ictl_device_clear(struct ictl_device *d);
/* True for PCI-to-PCI and host bridges (class 06xx). */
bool ictl_device_is_bridge(const struct ictl_device *d);

struct ictl_pci_names {
	char vendor[128];
	char device[256];
	char subsys_vendor[128];
	char subsys_device[256];
	char class_name[128];
};
/* Names from pci.ids (the root's copy when it has one). Empty when unknown. */
void ictl_pci_lookup_names(struct ictl_ctx *ctx, const struct ictl_device *d,
			   struct ictl_pci_names *n);

/* --- groups --------------------------------------------------------------- */

struct ictl_resv_region {
	uint64_t start, end;
	char kind[24];	/* direct, direct-relaxable, reserved, msi, ... */
};

struct ictl_group {
	unsigned int id;
	char type[24];			/* default domain: DMA, DMA-FQ, identity, blocked, unmanaged */
	char iommu[ICTL_NAME_MAX];	/* unit serving the members; "" when unknown */
	size_t ndevices;
	char (*devices)[ICTL_NAME_MAX];
	size_t nresv;
	struct ictl_resv_region *resv;
	struct ictl_row_error *error;	/* NULL, or why a listing could not read it */
};

struct ictl_group_list {
	size_t n;
	struct ictl_group *v;
};

/*
 * -ENODEV with a message when the system has no active IOMMU.  A group that
 * cannot be read is in the list with its error (ictl_row_error), with what could
 * be read of it (its number, type, members).
 */
int ictl_groups_scan(struct ictl_ctx *ctx, struct ictl_group_list *out);
void ictl_group_list_clear(struct ictl_group_list *l);
int ictl_group_read(struct ictl_ctx *ctx, unsigned int id, struct ictl_group *g);
/* 0 when group id exists; -ENOENT when it does not; -ENODEV when there is no group at all. */
int ictl_group_check(struct ictl_ctx *ctx, unsigned int id);
void ictl_group_clear(struct ictl_group *g);
/* The group numbered id in a list as ictl_groups_scan returns it (by number), or NULL; O(log n). */
const struct ictl_group *ictl_group_find(const struct ictl_group_list *l, unsigned int id);
/* Parse the text of a reserved_regions file. Exposed for tests and fuzzing. */
int ictl_parse_reserved_regions(struct ictl_ctx *ctx, const char *text,
				struct ictl_resv_region **out, size_t *n);

/* Is the driver one that leaves DMA ownership to userspace (vfio-pci and its variants,
 * pci-stub, pcieport)? A device with such a driver, or none, does not block VFIO. */
bool ictl_driver_is_dma_managed(const char *driver);

struct ictl_blocker {
	char device[ICTL_NAME_MAX];
	char driver[ICTL_NAME_MAX];
};

/*
 * A group is viable for VFIO when no member is bound to a driver that uses the
 * kernel's DMA API.  Fills up to max blockers and returns their count (0: viable).
 */
int ictl_group_blockers(const struct ictl_group *g, const struct ictl_device_list *devs,
			struct ictl_blocker *b, size_t max);

/* --- IOMMU units ----------------------------------------------------------- */

struct ictl_unit_attr {
	const char *name;	/* as the vendor names it */
	char value[64];		/* normalised: hex values as 0x... */
};

#define ICTL_UNIT_ATTRS_MAX 8

struct ictl_unit {
	char name[ICTL_NAME_MAX];
	const struct ictl_vendor_ops *vendor;
	char *path;
	size_t nattrs;
	struct ictl_unit_attr attrs[ICTL_UNIT_ATTRS_MAX];
	size_t ndevices;
	char (*devices)[ICTL_NAME_MAX];
	struct ictl_row_error *error;	/* NULL, or why its directory could not be resolved */
};

struct ictl_unit_list {
	size_t n;
	struct ictl_unit *v;
};

/*
 * The units, by name in natural order.  A unit whose directory cannot be resolved
 * is in the list with its error (ictl_row_error), no devices and the unknown kind.
 */
int ictl_units_scan(struct ictl_ctx *ctx, struct ictl_unit_list *out);
void ictl_unit_list_clear(struct ictl_unit_list *l);
/* The unit called name in a list as ictl_units_scan returns it, or NULL; O(log n). */
const struct ictl_unit *ictl_unit_find(const struct ictl_unit_list *l, const char *name);
/* "intel-vtd", "amd-vi", ... and a human description. */
const char *ictl_unit_kind(const struct ictl_unit *u);
const char *ictl_unit_description(const struct ictl_unit *u);

/* --- IOMMU hardware information (IOMMU_GET_HW_INFO), decoded ------------------ */

/* One field of a register, as the vendor's specification names it. */
struct ictl_hw_field {
	const char *name;	/* "SAGAW" */
	const char *desc;	/* "supported adjusted guest address widths" */
	uint8_t msb, lsb;
	uint64_t value;
	char meaning[128];	/* the value in words ("39-bit, 48-bit"); "" when the number says it */
};

struct ictl_hw_reg {
	const char *name;	/* "cap_reg", "idr0", "efr" */
	const char *desc;	/* "Capability Register (VT-d 11.4.2)" */
	unsigned int width;	/* bits */
	uint64_t value;
	size_t nfields;
	struct ictl_hw_field *fields;
};

struct ictl_hw_info {
	uint32_t type;			/* IOMMU_HW_INFO_TYPE_* as the kernel numbers it */
	const char *kind;		/* "intel-vtd", "arm-smmu-v3", ... */
	const char *source;		/* "iommufd", "sysfs" or "file" */
	bool have_caps;			/* capabilities and max_pasid_log2 are known (iommufd) */
	uint64_t capabilities;		/* out_capabilities */
	uint8_t max_pasid_log2;		/* out_max_pasid_log2 */
	size_t raw_len;
	uint8_t raw[256];		/* the driver data as the kernel gave it */
	size_t nregs;
	struct ictl_hw_reg *regs;
	/*
	 * What the firmware says about the device's path that the registers do
	 * not (ictl_hw_info_query; UNKNOWN from a blob): the PCI root complex
	 * is CANWBS (ARM IORT), which an SMMUv3 vIOMMU needs without S2FWB.
	 */
	enum ictl_tristate rc_canwbs;
	char rc_canwbs_source[128];
};

/*
 * Decode a driver data blob of the given hw_info type.  -EINVAL with a message
 * when the blob is shorter than the type's structure; -EOPNOTSUPP for an
 * unknown type.
 */
int ictl_hw_info_decode(struct ictl_ctx *ctx, uint32_t type, const void *data, size_t len,
			struct ictl_hw_info *out);
void ictl_hw_info_clear(struct ictl_hw_info *hi);
/*
 * The hardware information behind a device.  With iommufd (/dev/iommu) the
 * device must be on a VFIO driver with a cdev: it is bound to a fresh iommufd
 * and IOMMU_GET_HW_INFO is asked.  Without iommufd, or with from_sysfs, the
 * driver data is rebuilt from what sysfs shows of the unit (Intel, AMD).
 */
int ictl_hw_info_query(struct ictl_ctx *ctx, const struct ictl_device *d, bool from_sysfs,
		       struct ictl_hw_info *out);
/* Type by kind name ("intel-vtd") or number; -EINVAL with a message otherwise. */
int ictl_hw_info_type_parse(struct ictl_ctx *ctx, const char *s, uint32_t *type);
const char *ictl_hw_info_type_name(uint32_t type);
/* A decoded field, or NULL. */
const struct ictl_hw_field *ictl_hw_field_find(const struct ictl_hw_info *hi, const char *reg,
					       const char *field);
/* A field's value, for checks ("does ecap_reg.NEST say nesting?"); -ENOENT when absent. */
int ictl_hw_info_field(const struct ictl_hw_info *hi, const char *reg, const char *field,
		       uint64_t *value);

/* --- capabilities: what a device's IOMMU lets you do ------------------------------- */

enum ictl_cap_id {
	ICTL_CAP_PAGING,	/* paging domains (the kernel's own, or userspace IOAS) */
	ICTL_CAP_NEST_PARENT,	/* a stage-2 that can parent nested domains */
	ICTL_CAP_NESTED_S1,	/* nested stage-1 formats the hardware walks, with widths */
	ICTL_CAP_DIRTY,		/* dirty tracking */
	ICTL_CAP_PASID,		/* PASID, and its width */
	ICTL_CAP_ATS,		/* device TLBs (ATS) */
	ICTL_CAP_PAGE_SIZES,	/* page sizes of the stage-2/paging table */
	ICTL_CAP_VIOMMU,	/* a vIOMMU over a nesting parent (vDevices, vendor queues) */
	ICTL_CAP_COUNT
};

struct ictl_cap {
	enum ictl_tristate hw;		/* what the registers say */
	enum ictl_tristate kernel;	/* what the kernel accepted when asked (probe) */
	char detail[128];		/* "4-level (48-bit), 5-level (57-bit)" */
	char source[96];		/* "ecap_reg.NEST (bit 26)" */
	char kernel_source[96];		/* "IOMMU_HWPT_ALLOC NEST_PARENT: EOPNOTSUPP" */
};

struct ictl_caps {
	struct ictl_cap cap[ICTL_CAP_COUNT];
};

const char *ictl_cap_name(enum ictl_cap_id id);
/* The hardware's view, from decoded registers (through the vendor); kernel fields UNKNOWN. */
int ictl_caps_from_hw_info(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
			   struct ictl_caps *caps);

/*
 * The hardware information of a device and the capabilities it gives; with
 * iommufd the kernel is asked too (the kernel fields of caps).
 */
int ictl_caps_query(struct ictl_ctx *ctx, const struct ictl_device *d, bool from_sysfs,
		    struct ictl_hw_info *hi, struct ictl_caps *caps);

/* --- isolation analysis (explain) ------------------------------------------- */

enum ictl_pcie_type {
	ICTL_PCIE_NONE = -1,	/* conventional PCI / PCI-X */
	ICTL_PCIE_ENDPOINT = 0x0,
	ICTL_PCIE_LEGACY_ENDPOINT = 0x1,
	ICTL_PCIE_ROOT_PORT = 0x4,
	ICTL_PCIE_UPSTREAM = 0x5,
	ICTL_PCIE_DOWNSTREAM = 0x6,
	ICTL_PCIE_PCIE_TO_PCI = 0x7,
	ICTL_PCIE_PCI_TO_PCIE = 0x8,
	ICTL_PCIE_RC_ENDPOINT = 0x9,
	ICTL_PCIE_RC_EVENT_COLLECTOR = 0xa,
};

/* ACS capability/control bits, as the PCIe specification numbers them. */
enum {
	ICTL_ACS_SV = 1 << 0,	/* source validation */
	ICTL_ACS_TB = 1 << 1,	/* translation blocking */
	ICTL_ACS_RR = 1 << 2,	/* P2P request redirect */
	ICTL_ACS_CR = 1 << 3,	/* P2P completion redirect */
	ICTL_ACS_UF = 1 << 4,	/* upstream forwarding */
	ICTL_ACS_EC = 1 << 5,	/* P2P egress control */
	ICTL_ACS_DT = 1 << 6,	/* direct translated P2P */
};
/* What the kernel requires for isolation (drivers/iommu: REQ_ACS_FLAGS). */
#define ICTL_ACS_REQUIRED (ICTL_ACS_SV | ICTL_ACS_RR | ICTL_ACS_CR | ICTL_ACS_UF)

struct ictl_pci_node {
	char name[ICTL_NAME_MAX];
	bool config_ok;		/* config space was readable */
	bool config_short;	/* only the first 256 bytes or less: extended caps unseen */
	bool multifunction;	/* header type bit 7 */
	bool is_bridge;
	int pcie_type;		/* enum ictl_pcie_type */
	bool has_acs;
	uint16_t acs_cap, acs_ctrl;
	/* The kernel's verdict for this node (pci_acs_enabled with REQ_ACS_FLAGS). */
	bool acs_enabled;
	uint16_t acs_missing;	/* required bits that are implemented but disabled, or all when no cap */
	int parent;		/* index of upstream bridge in the path array, -1 at the root bus */
};

enum ictl_finding_kind {
	ICTL_FIND_ALONE,		/* the only device in its group */
	ICTL_FIND_UPSTREAM_NO_ACS,	/* a bridge above lacks ACS: everything below it shares */
	ICTL_FIND_MULTIFUNCTION,	/* function of a multifunction device without ACS */
	ICTL_FIND_PCI_BRIDGE_ALIAS,	/* behind a PCIe-to-PCI bridge: requester ID aliasing */
	ICTL_FIND_CONVENTIONAL_PCI,	/* on a conventional PCI bus: no ACS possible */
	ICTL_FIND_UNEXPLAINED,		/* config space predicts isolation: a quirk or firmware did it */
	ICTL_FIND_NOT_PCI,		/* platform device: grouping comes from firmware */
	ICTL_FIND_CONFIG_UNREADABLE,	/* could not read enough config space */
};

struct ictl_finding {
	enum ictl_finding_kind kind;
	char device[ICTL_NAME_MAX];
	char link[ICTL_NAME_MAX];	/* the node that breaks isolation ("" if none) */
	char message[320];
};

struct ictl_explain {
	unsigned int group;
	size_t nnodes;
	struct ictl_pci_node *nodes;	/* members and every bridge above them */
	size_t nfindings;
	struct ictl_finding *findings;
};

int ictl_explain_group(struct ictl_ctx *ctx, const struct ictl_group *g,
		       const struct ictl_device_list *devs, struct ictl_explain *out);
void ictl_explain_clear(struct ictl_explain *e);
const char *ictl_finding_kind_name(enum ictl_finding_kind k);
const char *ictl_pcie_type_name(int type);
/* Writes "SV RR CR UF" style names of the bits; returns buf. */
const char *ictl_acs_bits_str(uint16_t bits, char *buf, size_t len);

/* --- DMA ownership: claim, release, status (owner-*.c) ------------------------------ */

/*
 * A transaction moves every endpoint of one group between kernel drivers and a
 * VFIO driver.  Bridges and ports are left alone.  The original driver and
 * driver_override of each endpoint are recorded in a journal under the state
 * directory ($IOMMUCTL_STATE_DIR, default /run/iommuctl) before anything
 * changes; a per-group flock keeps two runs apart.
 */

/* Why an endpoint is in use. */
struct ictl_busy {
	char device[ICTL_NAME_MAX];
	char kind[16];		/* "net", "block", "boot-vga", "vfio" */
	char what[ICTL_NAME_MAX]; /* eth0, sda1, /dev/vfio/devices/vfio0 */
	char reason[192];
	bool forceable;		/* --force may override it */
};

/* A process holding a VFIO device or group node open. */
struct ictl_holder {
	int pid;
	char comm[32];
	char path[64];		/* /dev/vfio/devices/vfio0 or /dev/vfio/12 */
};

struct ictl_own_member {
	char device[ICTL_NAME_MAX];
	bool bridge;			/* left alone */
	char driver[ICTL_NAME_MAX];	/* now; "" when none */
	char driver_override[ICTL_NAME_MAX];
	char vfio_dev[32];
	bool has_cdev;		/* /dev/vfio/devices/<vfio_dev> exists (iommufd kernels) */
	/* What the transaction moves it to. */
	char want_driver[ICTL_NAME_MAX];
	char want_override[ICTL_NAME_MAX];
	bool want_any;		/* release without a record: any non-VFIO driver, or none */
};

enum ictl_step_kind {
	ICTL_STEP_MODPROBE,	/* load the target driver's module */
	ICTL_STEP_OVERRIDE,	/* write driver_override */
	ICTL_STEP_UNBIND,	/* unbind from the current driver */
	ICTL_STEP_PROBE,	/* drivers_probe, or bind to a named driver */
	ICTL_STEP_VERIFY,	/* the device is on the driver it should be on */
};

enum ictl_step_status { ICTL_STEP_PLANNED, ICTL_STEP_DONE, ICTL_STEP_FAILED,
			ICTL_STEP_NOT_RUN, ICTL_STEP_UNDONE };

struct ictl_step {
	enum ictl_step_kind kind;
	size_t member;		/* index in members (not for MODPROBE) */
	char value[ICTL_NAME_MAX]; /* driver or override written; "" to clear */
	enum ictl_step_status status;
};

struct ictl_own_opts {
	bool dry_run, force;
	/*
	 * Run by a persist rule at boot (claim --persisted): a driver_override equal to the
	 * target was set by that rule, so the journal records none, and the kernel's default
	 * probe as the driver release goes back to.
	 */
	bool persisted;
	/*
	 * Test aids (environment): fail step k, or stop before step k until killed;
	 * fault_restore: the k-th restore of a rollback or recovery writes nothing
	 * (as if the kernel ignored it), so its verification fails.
	 */
	unsigned int fault_step, pause_step, fault_restore;
	unsigned int lock_timeout_ms;
	/*
	 * NULL: lock the group for the transaction only.  Otherwise *lock_fd < 0:
	 * lock it and, on success, leave the lock in *lock_fd for the caller to
	 * close; *lock_fd >= 0: the caller already holds the lock.
	 */
	int *lock_fd;
};

struct ictl_own_plan {
	bool release;
	unsigned int group;
	char target[ICTL_NAME_MAX];	/* the VFIO driver (claim); "" for release */
	bool recorded;			/* release: the originals came from a journal */
	size_t nmembers;
	struct ictl_own_member *members;
	size_t nsteps;
	struct ictl_step *steps;
	size_t nbusy;
	struct ictl_busy *busy;
	/* Result of ictl_own_apply(). */
	bool changed;
	unsigned int failed_step;	/* 1-based; 0 when none failed */
	bool rolled_back, rollback_ok;
	bool recovered;			/* an interrupted transaction was finished first */
};

/* The group of a user's argument: a group number or a device name; -ENOENT, -EINVAL. */
int ictl_own_resolve(struct ictl_ctx *ctx, const char *arg, unsigned int *group);
/* Plan a claim (target: vfio-pci or a VFIO variant driver) or a release of a group. */
int ictl_claim_plan(struct ictl_ctx *ctx, unsigned int group, const char *target,
		    struct ictl_own_plan *p);
int ictl_release_plan(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_plan *p);
/*
 * Take the group's lock, recover an interrupted transaction, re-plan, refuse
 * (-EBUSY) when a member is in use and !force, then run the steps; on failure
 * roll back every step done, in reverse, and verify.  With dry_run, only plan.
 */
int ictl_own_apply(struct ictl_ctx *ctx, const struct ictl_own_opts *o, struct ictl_own_plan *p);
void ictl_own_plan_clear(struct ictl_own_plan *p);
const char *ictl_step_kind_name(enum ictl_step_kind k);
const char *ictl_step_status_name(enum ictl_step_status s);
/* One line describing a step ("0000:00:04.0: set driver_override to vfio-pci"). */
void ictl_step_describe(const struct ictl_own_plan *p, const struct ictl_step *s, char *buf,
			size_t len);
/* Read the environment's test aids and lock timeout into o. */
void ictl_own_opts_from_env(struct ictl_own_opts *o);

struct ictl_recovered {
	unsigned int group;
	char phase[16];		/* the phase the journal was left in */
	bool ok;
};
/* Finish or undo every interrupted transaction; fills up to max entries, returns the count. */
int ictl_own_recover(struct ictl_ctx *ctx, const struct ictl_own_opts *o,
		     struct ictl_recovered *out, size_t max);

enum ictl_own_state { ICTL_OWN_KERNEL, ICTL_OWN_USER, ICTL_OWN_HELD, ICTL_OWN_MIXED };

struct ictl_own_status {
	unsigned int group;
	enum ictl_own_state state;
	char type[24];			/* default domain type */
	size_t nmembers;
	struct ictl_own_member *members;
	size_t nholders;
	struct ictl_holder *holders;
	size_t nblockers;
	struct ictl_blocker *blockers;
	char journal[16];		/* "claimed", "claiming", "releasing" or "" */
};

int ictl_own_status_read(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_status *st);
void ictl_own_status_clear(struct ictl_own_status *st);
const char *ictl_own_state_name(enum ictl_own_state s);
/*
 * Processes that hold a VFIO cdev (vfioN) or group node (/dev/vfio/GROUP) open.
 * /proc is read once per context, at the first call (status of every group asks
 * the same snapshot), and again after the library has changed a driver.
 */
int ictl_vfio_holders(struct ictl_ctx *ctx, const char *const *paths, size_t npaths,
		      struct ictl_holder **out, size_t *n);
/* Is driver a VFIO driver (vfio-pci or a variant)? */
bool ictl_driver_is_vfio(const char *driver);

/* --- Holding a claimed group: its VFIO nodes open, DMA ownership taken (hold.c) ---- */

/*
 * The iommufd path opens /dev/iommu and every endpoint's cdev
 * (/dev/vfio/devices/vfioN); binding a cdev to the iommufd
 * (VFIO_DEVICE_BIND_IOMMUFD) is the kernel's DMA-ownership claim, and a
 * second bind of the device fails while it is held.  The legacy path
 * (kernels without iommufd) opens /dev/vfio/GROUP, adds it to a type1v2
 * container (VFIO_GROUP_SET_CONTAINER claims ownership) and takes a device
 * fd per endpoint; the group node can be open only once.
 */
enum ictl_hold_path { ICTL_HOLD_AUTO, ICTL_HOLD_IOMMUFD, ICTL_HOLD_LEGACY };

struct ictl_hold_dev {
	char device[ICTL_NAME_MAX];
	char node[64];		/* /dev/vfio/devices/vfioN; "" on the legacy path */
	int fd;			/* the cdev, or the device fd from the group */
	uint32_t dev_id;	/* iommufd's device id, when bound */
};

struct ictl_iommufd;
struct ictl_handoff;

struct ictl_hold {
	unsigned int group;
	bool legacy;
	bool bound;		/* iommufd path: the cdevs are bound (ownership claimed) */
	struct ictl_iommufd *iommufd;	/* the session (iommufd.h), or NULL; it has the bound cdevs */
	int container;		/* legacy /dev/vfio/vfio, or -1 */
	int group_fd;		/* legacy /dev/vfio/GROUP, or -1 */
	size_t ndevs;
	struct ictl_hold_dev *devs;
};

/*
 * Open a claimed group's nodes.  bind: on the iommufd path, bind every cdev
 * (a command that binds them itself, QEMU for one, needs them unbound).
 * -EBUSY when another process holds the group or a device.  Nothing here
 * waits or touches signals: the caller holds for as long as it wants.
 */
int ictl_hold_open(struct ictl_ctx *ctx, unsigned int group, enum ictl_hold_path path, bool bind,
		   struct ictl_hold *h);
void ictl_hold_close(struct ictl_hold *h);

/*
 * The held fds as a hand-off (handoff.h) to a program run while the group is
 * held: the iommufd (or legacy container) on fd 3, the legacy group on fd 4,
 * then one fd per device in order, and the IOMMUCTL_* environment.  The fds
 * stay the hold's.  Free it with ictl_handoff_clear().
 */
int ictl_hold_handoff(struct ictl_ctx *ctx, const struct ictl_hold *h, struct ictl_handoff *out);

/* --- persistence: a claim that survives a reboot (persist.c) ------------------------ */

/*
 * One udev rules file per endpoint, keyed by PCI address (group numbers are not
 * stable across reboots), below the root: etc/udev/rules.d/61-iommuctl-ADDR.rules.
 * On the device's "add" event the rule sets driver_override to the VFIO driver
 * before the standard rules load the native driver's module, loads the VFIO
 * driver, and, when the device is not on it yet, runs 'iommuctl claim --persisted'.
 */
#define ICTL_PERSIST_DIR "etc/udev/rules.d"

enum ictl_persist_action {
	ICTL_PERSIST_WRITE,	/* no file yet */
	ICTL_PERSIST_REWRITE,	/* a file whose content differs (another driver, a hand edit) */
	ICTL_PERSIST_UNCHANGED,	/* the file is what would be written */
	ICTL_PERSIST_REMOVE,
	ICTL_PERSIST_ABSENT,	/* remove: there is no file */
};

struct ictl_persist_file {
	char device[ICTL_NAME_MAX];
	char driver[ICTL_NAME_MAX];	/* the VFIO driver it is on now ("" for remove) */
	char name[ICTL_NAME_MAX + 16];	/* 61-iommuctl-0000:03:00.0.rules */
	char path[4096];		/* where it is: the root, then etc/udev/rules.d/NAME */
	char *content;			/* written, or (remove) the file's content; may be NULL */
	enum ictl_persist_action action;
	bool done;			/* written or removed by ictl_persist_apply() */
};

struct ictl_persist_plan {
	bool remove;
	bool have_group;		/* false: remove for a device that is not there */
	unsigned int group;
	bool claimed;			/* every endpoint is on a VFIO driver now */
	size_t nfiles;			/* one per endpoint; bridges and ports have none */
	struct ictl_persist_file *files;
	bool changed;			/* result of ictl_persist_apply() */
};

/*
 * Plan persisting (or, with remove, un-persisting) the group of arg, a group
 * number or a device name.  Persisting needs the group claimed: -EUNATCH with
 * "group N is not claimed: ... run 'iommuctl claim N' first" otherwise.
 * Removal accepts the address of a device that is gone, for its file alone.
 */
int ictl_persist_plan(struct ictl_ctx *ctx, const char *arg, bool remove,
		      struct ictl_persist_plan *p);
/* Write (atomically: temp file, fsync, rename; mode 0644) or remove the files; root on a live system. */
int ictl_persist_apply(struct ictl_ctx *ctx, struct ictl_persist_plan *p);
void ictl_persist_plan_clear(struct ictl_persist_plan *p);
const char *ictl_persist_action_name(enum ictl_persist_action a);

/* A file of ours found in the rules directory. */
struct ictl_persist_entry {
	char device[ICTL_NAME_MAX];
	char driver[ICTL_NAME_MAX];	/* "" when the file is malformed */
	int group;			/* the group when it was written; -1 unknown */
	char path[4096];
	char problem[160];		/* "" when the file is as iommuctl writes it */
	char run[512];			/* what its RUN keys run, "; "-separated ("" none) */
};

/* Every 61-iommuctl-*.rules file, sorted; a malformed one is listed with its problem. */
int ictl_persist_list(struct ictl_ctx *ctx, struct ictl_persist_entry **out, size_t *n);
/* Where the rule files go, for messages: "/etc/udev/rules.d", or below the sysroot. */
void ictl_persist_dir(const struct ictl_ctx *ctx, char *buf, size_t len);

/* --- events: group, device and driver changes as they happen (events.c, udev.c) ----- */

/*
 * A monitor reads uevents through libudev: from udevd once it has run its rules (the
 * default when udevd runs), or straight from the kernel (when it does not, or when asked).
 * The kernel sends add, remove, bind and unbind for devices and add and remove for the
 * VFIO nodes; it sends nothing for IOMMU groups and nothing for a claim.  Those are
 * derived from a table of every device's group and driver, read once when the monitor
 * starts and kept up to date by the events themselves:
 *   group-added    a device arrived in a group that had no other device (device: that one)
 *   group-removed  the last device of a group left (device: that one)
 *   claimed        every endpoint of the group is on a VFIO driver now (bridges and
 *                  ports do not count, as for claim)
 *   released       a claimed group has no endpoint on a VFIO driver any more
 * so claims and releases made by any tool (driverctl, a hand-written sysfs bind) show.
 */
enum ictl_event_kind {
	ICTL_EV_DEVICE_ADDED,
	ICTL_EV_DEVICE_REMOVED,
	ICTL_EV_BOUND,		/* driver: the new one */
	ICTL_EV_UNBOUND,	/* driver: the one it had, when known */
	ICTL_EV_GROUP_ADDED,
	ICTL_EV_GROUP_REMOVED,
	ICTL_EV_NODE_ADDED,	/* a VFIO node: /dev/vfio/devices/vfioN or /dev/vfio/GROUP */
	ICTL_EV_NODE_REMOVED,
	ICTL_EV_CLAIMED,
	ICTL_EV_RELEASED,
	ICTL_EV_LOST,		/* the socket overflowed: events were lost; the table was re-read */
	ICTL_EV_COUNT
};

struct ictl_event {
	enum ictl_event_kind kind;
	uint64_t time_us;		/* when it was received, CLOCK_REALTIME */
	uint64_t seqnum;		/* the kernel's SEQNUM of the uevent behind it; 0 none */
	char device[ICTL_NAME_MAX];	/* "" for the events of a group as a whole */
	int group;			/* -1 when none or unknown */
	char driver[ICTL_NAME_MAX];	/* "" when none or unknown */
	char node[64];			/* node events: the path in /dev */
	char detail[256];		/* the rest, in words ("1234:11e8 class 00ff00") */
};

/* "device-added", "bound", "claimed", ... */
const char *ictl_event_kind_name(enum ictl_event_kind k);
/* Called for each event; a negative return stops the dispatch and is returned by it. */
typedef int (*ictl_event_fn)(const struct ictl_event *ev, void *data);

enum ictl_monitor_source {
	ICTL_MONITOR_AUTO,	/* udevd's events when udevd runs, else the kernel's */
	ICTL_MONITOR_UDEV,
	ICTL_MONITOR_KERNEL,
};

struct ictl_monitor;

/*
 * Subscribe, then read the table of devices (so nothing that happens in between is
 * missed).  The live system only: -EOPNOTSUPP under a sysroot.
 */
int ictl_monitor_new(struct ictl_ctx *ctx, enum ictl_monitor_source source,
		     struct ictl_monitor **out);
void ictl_monitor_free(struct ictl_monitor *m);
/* ICTL_MONITOR_UDEV or ICTL_MONITOR_KERNEL: what it reads. */
enum ictl_monitor_source ictl_monitor_source(const struct ictl_monitor *m);
/* Poll it for POLLIN, then call ictl_monitor_dispatch(). */
int ictl_monitor_fd(const struct ictl_monitor *m);
/*
 * Only events of these groups and devices (any of them; none added: all).  A device
 * filter also passes the events of its group as a whole (group-added, -removed, the
 * legacy group node, claimed, released), following the device when it moves to
 * another group.  The device need not exist yet.
 */
int ictl_monitor_filter_group(struct ictl_monitor *m, unsigned int group);
int ictl_monitor_filter_device(struct ictl_monitor *m, const char *name);
/* Read what is pending and call fn for each event; the count passed, or -errno. */
int ictl_monitor_dispatch(struct ictl_monitor *m, ictl_event_fn fn, void *data);

/* Is udevd running (its control socket answers)?  Always false under a sysroot. */
bool ictl_udevd_running(struct ictl_ctx *ctx);

/* What ictl_udev_wait_*() did. */
struct ictl_udev_wait {
	bool udevd;		/* false: udevd does not run; nothing was waited for */
	size_t nnodes;		/* device nodes looked at */
	size_t nwaited;		/* of those, the ones udevd had not finished when asked */
	unsigned int waited_ms;
	char pending[4096];	/* -ETIMEDOUT: the first one still unfinished (syspath) */
};

/*
 * Wait until udevd has run its rules for these devices (their owner and mode are set),
 * as udev_device_get_is_initialized() tells, or until timeout_ms: -ETIMEDOUT then.
 * syspaths are live sysfs paths ("/sys/bus/pci/devices/0000:00:04.0/vfio-dev/vfio0");
 * symlinks are followed.  Returns at once when udevd does not run (w->udevd false).
 */
int ictl_udev_wait_nodes(struct ictl_ctx *ctx, const char *const *syspaths, size_t n,
			 unsigned int timeout_ms, struct ictl_udev_wait *w);
/* The same for a group's VFIO nodes: each member's cdev, and /dev/vfio/GROUP. */
int ictl_udev_wait_group(struct ictl_ctx *ctx, unsigned int group, unsigned int timeout_ms,
			 struct ictl_udev_wait *w);

/* --- doctor: is this host ready for device passthrough (doctor*.c) -------------------- */

/*
 * A list of checks, each reading through the sysroot seam and giving a
 * result: ok, warn, fail, or skip (could not be decided, or not captured).
 * Nothing is changed: the device checks plan a claim (ictl_claim_plan) and
 * never apply it.
 */
enum ictl_check_category {
	ICTL_CHECK_FIRMWARE,
	ICTL_CHECK_KERNEL,
	ICTL_CHECK_RESOURCES,
	ICTL_CHECK_DEVICE,
};

enum ictl_check_status { ICTL_CHECK_OK, ICTL_CHECK_WARN, ICTL_CHECK_FAIL, ICTL_CHECK_SKIP };

struct ictl_check {
	const char *id;			/* stable, for scripts: "interrupt-remapping" */
	const char *title;		/* for people: "interrupt remapping" */
	enum ictl_check_category category;
	char subject[ICTL_NAME_MAX];	/* device checks: the device or group as given; else "" */
	enum ictl_check_status status;
	bool not_captured;		/* skipped: the capture does not hold what it reads */
	char read[320];			/* what it read, as on the machine: "/proc/cmdline, ..." */
	char found[640];		/* what it found */
	char fix[640];			/* the exact fix; "" when there is nothing to fix */
};

struct ictl_doctor_opts {
	/*
	 * Bytes of guest memory the VMM will pin (--memory SIZE); 0: not given.
	 * Hook for 'doctor --spec SPEC' (the apply issue): the sum of a spec's
	 * mappings goes here, and its devices into targets.
	 */
	uint64_t memory;
	const char *user;		/* the user who runs the VMM (pam_limits); NULL: unknown */
	const char *const *targets;	/* DEVICE or GROUP arguments */
	size_t ntargets;
};

struct ictl_doctor {
	size_t nchecks;
	struct ictl_check *checks;	/* firmware, kernel, resources, then each target's */
	size_t nok, nwarn, nfail, nskip;
};

/*
 * Run every check.  -EINVAL with a message for a target that is not a
 * device name or group number, or a user name that cannot be one; -ENOMEM.
 * A target that does not exist is a failed check, not an error.
 */
int ictl_doctor_run(struct ictl_ctx *ctx, const struct ictl_doctor_opts *o, struct ictl_doctor *out);
void ictl_doctor_clear(struct ictl_doctor *d);
const char *ictl_check_status_name(enum ictl_check_status s);
const char *ictl_check_category_name(enum ictl_check_category c);
/* "ready", "warnings" (only warnings remain) or "not-ready" (something fails). */
const char *ictl_doctor_verdict(const struct ictl_doctor *d);
/* A size typed by a user: bytes, or with K, M, G, T (powers of 1024; "GiB", "G" alike). */
int ictl_parse_size(struct ictl_ctx *ctx, const char *s, uint64_t *bytes);
/* "8 MiB", "1.5 GiB", "512 KiB", "100 bytes" */
const char *ictl_size_str(uint64_t bytes, char *buf, size_t len);

/* --- testing aids ------------------------------------------------------------- */

/*
 * Make the n-th fault-injection point this thread passes in the kernel fail
 * (/proc/thread-self/fail-nth; CONFIG_FAULT_INJECTION).  Returns an fd for
 * ictl_fail_nth_end(), or -errno with a message.
 */
int ictl_fail_nth_begin(struct ictl_ctx *ctx, unsigned int n);
/* Disarm it: 1 when the failure was injected, 0 when fewer points were passed. */
int ictl_fail_nth_end(int fd);

#endif /* IOMMUCTL_H */
