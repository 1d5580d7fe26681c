/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: iommufd (/dev/iommu) sessions and VFIO device cdevs.
 *
 * A session (struct ictl_iommufd) owns one iommufd and a table of the objects
 * allocated through it.  Every wrapper of an ioctl that makes an object takes
 * the session and an optional name, issues the ioctl and records the object:
 *
 *	ictl_ioas_alloc(s, "ram", &ioas);
 *	ictl_dev_bind(s, "nic", "0000:03:00.0", &dev);
 *	ictl_hwpt_alloc(s, "s2", &(struct ictl_hwpt_spec){ .dev_id = dev, .pt_id = ioas,
 *			.flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT }, &s2);
 *
 * For each object the table keeps the kernel's id, its kind, its name ("" when
 * none; unique in the session), its parent (what it was made on: the IOAS of a
 * paging HWPT, the vIOMMU of a vDevice) and what it depends on: the objects
 * the kernel refuses to destroy while it exists (its parent, a fault queue it
 * reports to, the device of a vDevice, the HW queue before it) and, for a
 * device, the page tables it is attached to (attach and detach keep that up
 * to date).  Lookups go by id (a device also by its dev_id) or by name.
 *
 * Destroying.  ictl_iommufd_destroy(s, id) destroys an object and, first,
 * everything that depends on it; ictl_iommufd_destroy_all(s) destroys every
 * object.  The order is a reverse topological order of the dependencies (of
 * the objects ready to go, the most recent first), never the reverse
 * allocation order alone: a device attached to an HWPT made after it goes
 * before that HWPT.  So the kernel never answers EBUSY for a dependency the
 * session knows of.  An object goes by IOMMU_DESTROY; a fault queue or vEVENTQ
 * has its fd closed first (the fd holds a reference); a device cdev is closed
 * (that unbinds it).  The first failure stops the walk, with the message in
 * the context; what was destroyed is out of the table, the rest is still in.
 * ictl_iommufd_free() destroys nothing explicitly: it closes the objects' fds
 * (device cdevs, event queues; the most recent first) and then the iommufd,
 * and the kernel frees the rest.
 *
 * Errors name the ioctl, the objects and the errno in words, an object by its
 * name when it has one:
 *   "IOMMU_HWPT_ALLOC on device 0000:03:00.0 #1 (pt ioas 'ram' #2, flags
 *    0x1, data type 0): Operation not supported: this IOMMU cannot be a
 *    nesting parent"
 * An allocation that fails leaves the table as it was.  What a kernel
 * supports is found out by ictl_iommufd_probe(), never from its version.
 *
 * The seam.  Every ioctl and close of a session goes through its ops
 * (ictl_iommufd_set_ops()): the unit tests record the IOMMU_DESTROY order and
 * make chosen calls fail without a kernel.  Binding a cdev
 * (ictl_vfio_bind(), VFIO_DEVICE_BIND_IOMMUFD) is the one ioctl outside it.
 *
 * Below the session (iommufd.c) are the raw pieces that belong to no session:
 * opening a device's VFIO cdev and binding it, and the legacy VFIO container
 * and group node (kernels without iommufd).
 *
 * For apply (YAML specs): a spec's names are the objects' names, and
 * references resolve with ictl_iommufd_find_name(); a failed apply undoes
 * itself with ictl_iommufd_destroy_all() (or ictl_iommufd_destroy() of what it
 * made); the ids go to a VMM by name through a hand-off (handoff.h).  Mappings
 * are not objects: they go with their IOAS.  Destroying an HWPT also destroys
 * the devices attached to it (their cdevs are closed): to keep a device,
 * attach it elsewhere first, and its dependency moves with it.
 *
 * Object pointers from the lookups stay valid until that object is destroyed
 * or the session freed.  A session is not thread-safe.
 */
#ifndef ICTL_IOMMUFD_H
#define ICTL_IOMMUFD_H

#include "iommuctl.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"

/* --- the session and its objects ------------------------------------------- */

struct ictl_iommufd;

enum ictl_obj_kind {
	ICTL_OBJ_DEVICE,	/* a VFIO cdev bound to the iommufd; id is its dev_id */
	ICTL_OBJ_MOCK_DEV,	/* a selftest mock device (CONFIG_IOMMUFD_TEST) */
	ICTL_OBJ_IOAS,
	ICTL_OBJ_HWPT_PAGING,	/* over an IOAS (flags: NEST_PARENT, DIRTY_TRACKING...) */
	ICTL_OBJ_HWPT_NESTED,	/* over a nesting parent HWPT or a vIOMMU */
	ICTL_OBJ_FAULT,		/* a fault queue; fd: read faults, write responses */
	ICTL_OBJ_VIOMMU,
	ICTL_OBJ_VDEVICE,
	ICTL_OBJ_VEVENTQ,	/* fd: read events */
	ICTL_OBJ_HW_QUEUE,
	ICTL_OBJ_KIND_COUNT
};

/* "device", "mock_device", "ioas", "hwpt_paging", "hwpt_nested", "fault_queue",
 * "viommu", "vdevice", "veventq", "hw_queue" */
const char *ictl_obj_kind_name(enum ictl_obj_kind kind);

#define ICTL_OBJ_NAME_MAX 64

struct ictl_iommufd_dep {
	uint32_t on;		/* the id of an object of the session */
	bool attach;		/* a device attached to it (else: since allocation) */
	uint32_t pasid;		/* attach: the PASID, or ICTL_NO_PASID for the whole device */
};

struct ictl_iommufd_obj {
	uint32_t id;		/* the kernel's id; IOMMU_DESTROY takes it */
	enum ictl_obj_kind kind;
	char name[ICTL_OBJ_NAME_MAX];	/* "" when unnamed */
	uint32_t parent;	/* what it was made on, or 0 (ids start at 1) */
	uint32_t dev_id;	/* a device or mock device: its device id (HWPT_ALLOC takes it) */
	int fd;			/* a device's cdev, a fault queue's or vEVENTQ's fd; or -1 */
	uint32_t flags;		/* HWPT: ICTL_IOMMU_HWPT_ALLOC_*; mock device: its flags */
	uint32_t type;		/* HWPT: data type; vIOMMU, vEVENTQ, HW queue: type */
	uint64_t virt_id;	/* vDevice */
	uint32_t index;		/* HW queue */
	char device[ICTL_NAME_MAX];	/* a device: "0000:03:00.0" (or how it was given) */
	char cdev[32];		/* a device: "vfio0" */
	uint64_t seq;		/* allocation order in the session */
	size_t ndeps;
	struct ictl_iommufd_dep *deps;
	size_t capdeps;		/* the session's bookkeeping */
	struct ictl_iommufd_dep deps_here[4];	/* (deps, until more are needed) */
};

/* /dev/iommu below the context's root; -ENOENT when the kernel has no iommufd. */
int ictl_iommufd_open(struct ictl_ctx *ctx, struct ictl_iommufd **out);
/*
 * A session over an iommufd opened elsewhere (one passed by iommuctl claim --
 * COMMAND).  It owns fd from now on, and closes it on failure.
 */
int ictl_iommufd_adopt(struct ictl_ctx *ctx, int fd, struct ictl_iommufd **out);
/* Close the objects' fds and the iommufd; the kernel frees the objects.  NULL is fine. */
void ictl_iommufd_free(struct ictl_iommufd *s);
int ictl_iommufd_fd(const struct ictl_iommufd *s);

static inline void ictl_iommufd_freep(struct ictl_iommufd **s)
{
	ictl_iommufd_free(*s);
}
#define _cleanup_iommufd_ __attribute__((cleanup(ictl_iommufd_freep)))

/* The seam: every ioctl (>= 0 or -errno) and close of the session goes through these. */
struct ictl_iommufd_ops {
	int (*ioctl)(void *priv, int fd, unsigned long req, void *arg);
	void (*close)(void *priv, int fd);
};
void ictl_iommufd_set_ops(struct ictl_iommufd *s, const struct ictl_iommufd_ops *ops,
			  void *priv);

/* By id (a device or mock device also by its dev_id), or by name; NULL when not there. */
const struct ictl_iommufd_obj *ictl_iommufd_find(const struct ictl_iommufd *s, uint32_t id);
const struct ictl_iommufd_obj *ictl_iommufd_find_name(const struct ictl_iommufd *s,
						       const char *name);
/* The objects in allocation order: i < ictl_iommufd_count(s). */
size_t ictl_iommufd_count(const struct ictl_iommufd *s);
const struct ictl_iommufd_obj *ictl_iommufd_obj(const struct ictl_iommufd *s, size_t i);

/* Destroy id and, first, what depends on it (see the top of this file). */
int ictl_iommufd_destroy(struct ictl_iommufd *s, uint32_t id);
int ictl_iommufd_destroy_all(struct ictl_iommufd *s);

/* --- devices ------------------------------------------------------------------ */

#define ICTL_NO_PASID UINT32_MAX	/* attach or detach the whole device */

/*
 * Open a device's VFIO cdev and bind it (VFIO_DEVICE_BIND_IOMMUFD): device is
 * a device ("0000:03:00.0") or its cdev ("vfio0").  The session owns the cdev;
 * destroying the device object closes it, which unbinds it.
 */
int ictl_dev_bind(struct ictl_iommufd *s, const char *name, const char *device,
		  uint32_t *dev_id);
/* The same with a cdev opened elsewhere (label names it in messages); owned from now on. */
int ictl_dev_bind_fd(struct ictl_iommufd *s, const char *name, int fd, const char *label,
		     uint32_t *dev_id);
/* A cdev already bound to this iommufd as dev_id (by whoever passed both fds). */
int ictl_dev_adopt(struct ictl_iommufd *s, const char *name, int fd, const char *label,
		   uint32_t dev_id);

/*
 * Attach a device (or one PASID of it) to an IOAS, HWPT or vIOMMU-backed
 * nested HWPT; *pt_id comes back as the HWPT used (one the kernel made, for
 * an IOAS).  Attaching an attached device replaces its page table.  A mock
 * device is attached with IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE (whole device
 * only).  The device then depends on pt_id.
 */
int ictl_dev_attach(struct ictl_iommufd *s, uint32_t dev_id, uint32_t pasid, uint32_t *pt_id);
int ictl_dev_detach(struct ictl_iommufd *s, uint32_t dev_id, uint32_t pasid);
/* VFIO_DEVICE_GET_INFO (regions, IRQs, flags) of a bound device. */
int ictl_dev_get_info(struct ictl_iommufd *s, uint32_t dev_id, struct ictl_vfio_device_info *info);

/* --- IO address spaces -------------------------------------------------------- */

int ictl_ioas_alloc(struct ictl_iommufd *s, const char *name, uint32_t *ioas_id);

/* The IOVA ranges that may be mapped now, malloc'd; the count is returned. */
int ictl_ioas_iova_ranges(struct ictl_iommufd *s, uint32_t ioas_id,
			  struct ictl_iommu_iova_range **ranges, uint64_t *alignment);
/* Only these ranges may be mapped from now on (n = 0: any). */
int ictl_ioas_allow_iovas(struct ictl_iommufd *s, uint32_t ioas_id,
			  const struct ictl_iommu_iova_range *ranges, uint32_t n);
/*
 * Map length bytes at va.  flags: ICTL_IOMMU_IOAS_MAP_*; with FIXED_IOVA at
 * *iova, else *iova comes back as where the kernel put it.
 */
int ictl_ioas_map(struct ictl_iommufd *s, uint32_t ioas_id, uint32_t flags, void *va,
		  uint64_t length, uint64_t *iova);
/* The same with length bytes of a file (a memfd) from offset start. */
int ictl_ioas_map_file(struct ictl_iommufd *s, uint32_t ioas_id, uint32_t flags, int mfd,
		       uint64_t start, uint64_t length, uint64_t *iova);
/* Map in dst what src maps at src_iova, without pinning the pages again. */
int ictl_ioas_copy(struct ictl_iommufd *s, uint32_t dst_ioas, uint32_t src_ioas, uint32_t flags,
		   uint64_t src_iova, uint64_t length, uint64_t *dst_iova);
/* Unmap the whole mappings within [iova, iova + length); *unmapped: bytes unmapped. */
int ictl_ioas_unmap(struct ictl_iommufd *s, uint32_t ioas_id, uint64_t iova, uint64_t length,
		    uint64_t *unmapped);
/* Charge the pinned pages of every IOAS to this process (file mappings only). */
int ictl_ioas_change_process(struct ictl_iommufd *s);

/* IOMMU_OPTION: op ICTL_IOMMU_OPTION_OP_GET fills *val, OP_SET sets it. */
int ictl_iommufd_option(struct ictl_iommufd *s, uint16_t op, uint32_t option_id,
			uint32_t object_id, uint64_t *val);

/* --- hardware page tables ------------------------------------------------------- */

struct ictl_hwpt_spec {
	uint32_t dev_id;
	uint32_t pt_id;		/* IOAS, nesting parent HWPT, or vIOMMU */
	uint32_t flags;		/* ICTL_IOMMU_HWPT_ALLOC_* */
	uint32_t fault_id;	/* with ICTL_IOMMU_HWPT_FAULT_ID_VALID */
	uint32_t data_type;	/* ICTL_IOMMU_HWPT_DATA_*; NONE for a paging HWPT */
	uint32_t data_len;
	const void *data;
};

/* Paging over an IOAS, nested over a parent HWPT or a vIOMMU (the kind follows pt_id). */
int ictl_hwpt_alloc(struct ictl_iommufd *s, const char *name, const struct ictl_hwpt_spec *spec,
		    uint32_t *hwpt_id);
int ictl_hwpt_set_dirty_tracking(struct ictl_iommufd *s, uint32_t hwpt_id, bool enable);
/* One bit per page_size page of [iova, iova + length) into bitmap; flags: NO_CLEAR. */
int ictl_hwpt_get_dirty_bitmap(struct ictl_iommufd *s, uint32_t hwpt_id, uint32_t flags,
			       uint64_t iova, uint64_t length, uint64_t page_size,
			       uint64_t *bitmap);
/* n entries of entry_len bytes to a nested HWPT or vIOMMU; returns how many the kernel handled. */
int ictl_hwpt_invalidate(struct ictl_iommufd *s, uint32_t id, uint32_t data_type,
			 const void *entries, uint32_t entry_len, uint32_t n);

struct ictl_iommufd_hw_info {
	uint32_t type;			/* ICTL_IOMMU_HW_INFO_TYPE_* */
	uint32_t data_len;		/* bytes of data filled */
	uint8_t max_pasid_log2;
	uint64_t capabilities;		/* ICTL_IOMMU_HW_CAP_* */
	uint8_t data[256];
};
/* The device's IOMMU, in the driver's own type (ICTL_IOMMU_HW_INFO_TYPE_DEFAULT) or type. */
int ictl_iommufd_get_hw_info(struct ictl_iommufd *s, uint32_t dev_id, uint32_t type,
			     struct ictl_iommufd_hw_info *out);

/* --- faults, vIOMMU, vDevice, vEVENTQ, HW queue --------------------------------- */

/* *fault_fd stays the session's (read faults from it, write responses). */
int ictl_fault_queue_alloc(struct ictl_iommufd *s, const char *name, uint32_t *fault_id,
			   int *fault_fd);
/* Over a nesting parent HWPT; data (in and out) is the type's driver structure. */
int ictl_viommu_alloc(struct ictl_iommufd *s, const char *name, uint32_t type, uint32_t dev_id,
		      uint32_t hwpt_id, void *data, uint32_t data_len, uint32_t *viommu_id);
int ictl_vdevice_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
		       uint32_t dev_id, uint64_t virt_id, uint32_t *vdevice_id);
/* *veventq_fd stays the session's. */
int ictl_veventq_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
		       uint32_t type, uint32_t depth, uint32_t *veventq_id, int *veventq_fd);
/*
 * A queue the hardware reads at iova of the vIOMMU's parent.  A queue of
 * index > 0 depends on the one before it, as the drivers with queue order
 * (Tegra241 CMDQV, the mock) require.
 */
int ictl_hw_queue_alloc(struct ictl_iommufd *s, const char *name, uint32_t viommu_id,
			uint32_t type, uint32_t index, uint64_t iova, uint64_t length,
			uint32_t *hw_queue_id);

/* --- the selftest mock (CONFIG_IOMMUFD_TEST) -------------------------------------- */

struct ictl_mock_dev {
	uint32_t stdev_id;	/* the object: destroying it unplugs the mock device */
	uint32_t hwpt_id;	/* the mock domain it was attached to */
	uint32_t dev_id;	/* its iommufd device id, as a VFIO bind gives */
};
/*
 * Plug a mock device into ioas_id (dev_flags: ICTL_MOCK_FLAGS_DEVICE_*).  It
 * is a device of the session: found by its dev_id, attached with
 * ictl_dev_attach().
 */
int ictl_mock_dev_add(struct ictl_iommufd *s, const char *name, uint32_t ioas_id,
		      uint32_t dev_flags, struct ictl_mock_dev *out);
/* -EINVAL unless the mock domain hwpt_id maps [iova, iova + length) to the memory at va. */
int ictl_mock_check_map(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, const void *va);
/* Reserve [start, start + length) of ioas_id, as a device's reserved region would. */
int ictl_mock_add_reserved(struct ictl_iommufd *s, uint32_t ioas_id, uint64_t start,
			   uint64_t length);
/* Mark the page_size pages of [iova, iova + length) set in bitmap dirty; *nr: how many. */
int ictl_mock_set_dirty(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, uint64_t page_size, const uint64_t *bitmap,
			uint64_t *nr);
/* -EINVAL unless IOTLB entry idx of the mock nested HWPT holds value. */
int ictl_mock_check_iotlb(struct ictl_iommufd *s, uint32_t hwpt_id, uint32_t idx,
			  uint32_t value);

/* --- feature probing -------------------------------------------------------------- */

#define ICTL_IOMMUFD_NCMDS (ICTL_IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA - ICTL_IOMMUFD_CMD_BASE + 1)

struct ictl_iommufd_features {
	/* bit n: this kernel knows the ioctl ICTL_IOMMUFD_CMD_BASE + n */
	uint32_t ioctls;
	/* For the device probed (dev_id != 0): HWPT_ALLOC flags over the IOAS. */
	uint32_t hwpt_flags_ok;		/* accepted */
	uint32_t hwpt_flags_refused;	/* refused, with the errno in hwpt_flag_err */
	int hwpt_flag_err[4];		/* by bit number of the flag */
};

/* The ioctl's name without "IOMMU_" ("HWPT_ALLOC"), by number; NULL when unknown. */
const char *ictl_iommufd_cmd_name(unsigned int nr);
const char *ictl_hwpt_flag_name(unsigned int bit);

/*
 * What this kernel knows, asked of the kernel itself: every ioctl is issued
 * with arguments that can only fail, and ENOTTY tells an unknown one from a
 * known one.  With a device (dev_id) and an IOAS of the session, each
 * HWPT_ALLOC flag is tried for real; what was allocated is destroyed.
 */
int ictl_iommufd_probe(struct ictl_iommufd *s, uint32_t dev_id, uint32_t ioas_id,
		       struct ictl_iommufd_features *out);

/* --- below any session: VFIO device cdevs, and the legacy container ------------- */

struct ictl_vfio_dev {
	int fd;				/* the cdev, /dev/vfio/devices/vfioN */
	char name[ICTL_NAME_MAX];	/* the device ("0000:00:04.0"), or vfioN if given so */
	char cdev[32];			/* vfioN */
	uint32_t dev_id;		/* after ictl_vfio_bind(): its iommufd device id */
};

/*
 * Open a device's VFIO cdev: name is a device ("0000:00:04.0", found through
 * its sysfs vfio-dev/ directory) or the cdev's own name ("vfio0").  Unbound,
 * it is only an fd, the caller's to close (what claim -- COMMAND passes on);
 * ictl_dev_bind() makes it a session's device.
 */
int ictl_vfio_open(struct ictl_ctx *ctx, const char *name, struct ictl_vfio_dev *vd);
/*
 * Bind to an iommufd (first, before anything else); fills vd->dev_id.  -EBUSY when
 * another open has the device; the message does not say who (holders_explain() does).
 */
int ictl_vfio_bind(struct ictl_ctx *ctx, struct ictl_vfio_dev *vd, int iommufd);

/* /dev/vfio/vfio, checked for API version 0 and the type1v2 backend: an fd. */
int ictl_vfio_container_open(struct ictl_ctx *ctx);
/* /dev/vfio/GROUP: an fd; -EBUSY when another process has it open. */
int ictl_vfio_group_open(struct ictl_ctx *ctx, unsigned int group);
int ictl_vfio_group_status(struct ictl_ctx *ctx, int gfd, unsigned int group, uint32_t *flags);
/* Adding the group to a container is the legacy path's DMA-ownership claim. */
int ictl_vfio_group_set_container(struct ictl_ctx *ctx, int gfd, unsigned int group, int cfd);
int ictl_vfio_set_iommu(struct ictl_ctx *ctx, int cfd, unsigned long type);
/* A device fd from the group (after SET_IOMMU); close-on-exec. */
int ictl_vfio_group_device_fd(struct ictl_ctx *ctx, int gfd, unsigned int group,
			      const char *device);

#endif /* ICTL_IOMMUFD_H */
