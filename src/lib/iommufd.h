/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: iommufd (/dev/iommu) and VFIO device cdevs.
 *
 * One wrapper per ioctl.  Each takes the context (for the error message), the
 * iommufd and the ids it works on; it returns 0 (or a count) on success and
 * -errno on failure, with a message that names the ioctl, the objects and the
 * errno in words:
 *   "IOMMU_HWPT_ALLOC on device 1 (ioas 2): Operation not supported: this
 *    IOMMU cannot be a nesting parent"
 * Ids are the kernel's object ids; every object is freed by
 * ictl_iommufd_destroy() or by closing the iommufd.  What a kernel supports
 * is found out by ictl_iommufd_probe(), never from its version.
 */
#ifndef ICTL_IOMMUFD_H
#define ICTL_IOMMUFD_H

#include "iommuctl.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"

/* --- files ------------------------------------------------------------------- */

/* /dev/iommu below the context's root: an fd, or -ENOENT when the kernel has no iommufd. */
int ictl_iommufd_open(struct ictl_ctx *ctx);

struct ictl_vfio_dev {
	int fd;				/* the cdev, /dev/vfio/devices/vfioN */
	char name[ICTL_NAME_MAX];	/* the device ("0000:00:04.0"), or vfioN if given so */
	char cdev[32];			/* vfioN */
	uint32_t dev_id;		/* after ictl_vfio_bind(): its iommufd device id */
};

/*
 * Open a device's VFIO cdev: name is a device ("0000:00:04.0", found through
 * its sysfs vfio-dev/ directory) or the cdev's own name ("vfio0").
 */
int ictl_vfio_open(struct ictl_ctx *ctx, const char *name, struct ictl_vfio_dev *vd);
void ictl_vfio_close(struct ictl_vfio_dev *vd);

/* --- VFIO device cdev ----------------------------------------------------------- */

/*
 * Bind to an iommufd (first, before anything else); fills vd->dev_id.  -EBUSY when
 * another open has the device; the message does not say who (holders_explain() does).
 */
int ictl_vfio_bind(struct ictl_ctx *ctx, struct ictl_vfio_dev *vd, int iommufd);

#define ICTL_NO_PASID UINT32_MAX	/* attach or detach the whole device */

/*
 * Attach the device (or one PASID of it) to an IOAS or HWPT; *pt_id comes
 * back as the HWPT used (one the kernel made, for an IOAS).  Attaching an
 * attached device replaces its page table.
 */
int ictl_vfio_attach(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd, uint32_t pasid,
		     uint32_t *pt_id);
int ictl_vfio_detach(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd, uint32_t pasid);
int ictl_vfio_get_info(struct ictl_ctx *ctx, const struct ictl_vfio_dev *vd,
		       struct ictl_vfio_device_info *info);

/* --- legacy VFIO: a type1 container and a group node (kernels without iommufd) ------ */

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

/* --- objects and IO address spaces -------------------------------------------- */

int ictl_iommufd_destroy(struct ictl_ctx *ctx, int fd, uint32_t id);
int ictl_ioas_alloc(struct ictl_ctx *ctx, int fd, uint32_t *ioas_id);

/* The IOVA ranges that may be mapped now, malloc'd; the count is returned. */
int ictl_ioas_iova_ranges(struct ictl_ctx *ctx, int fd, uint32_t ioas_id,
			  struct ictl_iommu_iova_range **ranges, uint64_t *alignment);
int ictl_ioas_allow_iovas(struct ictl_ctx *ctx, int fd, uint32_t ioas_id,
			  const struct ictl_iommu_iova_range *ranges, uint32_t n);

/*
 * Map length bytes at va.  flags: ICTL_IOMMU_IOAS_MAP_*; with FIXED_IOVA at
 * *iova, else *iova comes back as where the kernel put it.
 */
int ictl_ioas_map(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t flags, void *va,
		  uint64_t length, uint64_t *iova);
/* The same with length bytes of a file (a memfd) from offset start. */
int ictl_ioas_map_file(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t flags,
		       int mfd, uint64_t start, uint64_t length, uint64_t *iova);
/* Map in dst what src maps at src_iova, without pinning the pages again. */
int ictl_ioas_copy(struct ictl_ctx *ctx, int fd, uint32_t dst_ioas, uint32_t src_ioas,
		   uint32_t flags, uint64_t src_iova, uint64_t length, uint64_t *dst_iova);
/* Unmap the whole mappings within [iova, iova + length); *unmapped: bytes unmapped. */
int ictl_ioas_unmap(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint64_t iova,
		    uint64_t length, uint64_t *unmapped);
int ictl_ioas_change_process(struct ictl_ctx *ctx, int fd);

/* IOMMU_OPTION: op ICTL_IOMMU_OPTION_OP_GET fills *val, OP_SET sets it. */
int ictl_iommufd_option(struct ictl_ctx *ctx, int fd, uint16_t op, uint32_t option_id,
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

int ictl_hwpt_alloc(struct ictl_ctx *ctx, int fd, const struct ictl_hwpt_spec *spec,
		    uint32_t *hwpt_id);
int ictl_hwpt_set_dirty_tracking(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, bool enable);
/* One bit per page_size page of [iova, iova + length) into bitmap; flags: NO_CLEAR. */
int ictl_hwpt_get_dirty_bitmap(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, uint32_t flags,
			       uint64_t iova, uint64_t length, uint64_t page_size,
			       uint64_t *bitmap);
/* n entries of entry_len bytes; returns how many the kernel handled. */
int ictl_hwpt_invalidate(struct ictl_ctx *ctx, int fd, uint32_t id, uint32_t data_type,
			 const void *entries, uint32_t entry_len, uint32_t n);

struct ictl_iommufd_hw_info {
	uint32_t type;			/* ICTL_IOMMU_HW_INFO_TYPE_* */
	uint32_t data_len;		/* bytes of data filled */
	uint8_t max_pasid_log2;
	uint64_t capabilities;		/* ICTL_IOMMU_HW_CAP_* */
	uint8_t data[256];
};
/* The device's IOMMU, in the driver's own type (ICTL_IOMMU_HW_INFO_TYPE_DEFAULT) or type. */
int ictl_iommufd_get_hw_info(struct ictl_ctx *ctx, int fd, uint32_t dev_id, uint32_t type,
			     struct ictl_iommufd_hw_info *out);

/* --- faults, vIOMMU, vDevice, vEVENTQ, HW queue --------------------------------- */

int ictl_fault_queue_alloc(struct ictl_ctx *ctx, int fd, uint32_t *fault_id, int *fault_fd);
int ictl_viommu_alloc(struct ictl_ctx *ctx, int fd, uint32_t type, uint32_t dev_id,
		      uint32_t hwpt_id, void *data, uint32_t data_len, uint32_t *viommu_id);
int ictl_vdevice_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t dev_id,
		       uint64_t virt_id, uint32_t *vdevice_id);
int ictl_veventq_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t type,
		       uint32_t depth, uint32_t *veventq_id, int *veventq_fd);
int ictl_hw_queue_alloc(struct ictl_ctx *ctx, int fd, uint32_t viommu_id, uint32_t type,
			uint32_t index, uint64_t iova, uint64_t length, uint32_t *hw_queue_id);

/* --- the selftest mock (CONFIG_IOMMUFD_TEST) -------------------------------------- */

struct ictl_mock_dev {
	uint32_t stdev_id;	/* destroy it to unplug the mock device */
	uint32_t hwpt_id;	/* the mock domain it was attached to */
	uint32_t dev_id;	/* its iommufd device id, as a VFIO bind gives */
};
/* Plug a mock device into ioas_id (dev_flags: ICTL_MOCK_FLAGS_DEVICE_*). */
int ictl_mock_dev_add(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint32_t dev_flags,
		      struct ictl_mock_dev *out);
/* Attach the mock device to another IOAS or HWPT; *pt_id comes back as the HWPT used. */
int ictl_mock_dev_replace(struct ictl_ctx *ctx, int fd, uint32_t stdev_id, uint32_t *pt_id);
/* -EINVAL unless the mock domain hwpt_id maps [iova, iova + length) to the memory at va. */
int ictl_mock_check_map(struct ictl_ctx *ctx, int fd, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, const void *va);
/* Reserve [start, start + length) of ioas_id, as a device's reserved region would. */
int ictl_mock_add_reserved(struct ictl_ctx *ctx, int fd, uint32_t ioas_id, uint64_t start,
			   uint64_t length);

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
 * known one.  With a device (dev_id) bound and an IOAS, each HWPT_ALLOC flag
 * is tried for real; what was allocated is destroyed.
 */
int ictl_iommufd_probe(struct ictl_ctx *ctx, int fd, uint32_t dev_id, uint32_t ioas_id,
		       struct ictl_iommufd_features *out);

#endif /* ICTL_IOMMUFD_H */
