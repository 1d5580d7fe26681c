/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of the VFIO uAPI that iommuctl uses, written from the kernel's
 * documented ABI as our own definitions: the device cdev's iommufd binding
 * (/dev/vfio/devices/vfioN) and the basics of the legacy group/container
 * interface.  Naming rule as in iommufd.h: kernel X becomes ictl_X / ICTL_X;
 * tests/uapi/ checks every size, offset and number against the kernel's.
 * Reference: include/uapi/linux/vfio.h of Linux 7.3.
 */
#ifndef ICTL_UAPI_VFIO_H
#define ICTL_UAPI_VFIO_H

#include <stdint.h>
#include <sys/ioctl.h>

/*
 * Like iommufd, VFIO passes the structure's size in its first word (argsz)
 * instead of in the ioctl number; both share the ';' type, VFIO from 100 up.
 */
#define ICTL_VFIO_API_VERSION 0
#define ICTL_VFIO_TYPE (';')
#define ICTL_VFIO_BASE 100

/* Container IOMMU models, as VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU take them. */
#define ICTL_VFIO_TYPE1_IOMMU 1
#define ICTL_VFIO_TYPE1v2_IOMMU 3	/* type1 with the v2 unmap semantics */
#define ICTL_VFIO_NOIOMMU_IOMMU 8	/* no translation, no isolation (taints) */

/* --- the container (/dev/vfio/vfio) and groups (/dev/vfio/N) --------------- */

/* Container: returns ICTL_VFIO_API_VERSION. */
#define ICTL_VFIO_GET_API_VERSION _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 0)
/* Container: the argument is an extension number; returns > 0 when supported. */
#define ICTL_VFIO_CHECK_EXTENSION _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 1)
/* Container: choose the IOMMU model once a group is set. */
#define ICTL_VFIO_SET_IOMMU _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 2)

struct ictl_vfio_group_status {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_GROUP_FLAGS_VIABLE (1 << 0)		/* every member may be used */
#define ICTL_VFIO_GROUP_FLAGS_CONTAINER_SET (1 << 1)
};
#define ICTL_VFIO_GROUP_GET_STATUS _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 3)
/* Group: the argument points at a container fd. */
#define ICTL_VFIO_GROUP_SET_CONTAINER _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 4)
/* Group: the argument is a device name string; returns a device fd. */
#define ICTL_VFIO_GROUP_GET_DEVICE_FD _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 6)

/* --- devices (a cdev, or an fd from a group) ----------------------------------- */

struct ictl_vfio_device_info {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_DEVICE_FLAGS_RESET (1 << 0)
#define ICTL_VFIO_DEVICE_FLAGS_PCI (1 << 1)
#define ICTL_VFIO_DEVICE_FLAGS_PLATFORM (1 << 2)
#define ICTL_VFIO_DEVICE_FLAGS_CAPS (1 << 7)	/* cap_offset starts a capability chain */
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t cap_offset;
	uint32_t pad;
};
#define ICTL_VFIO_DEVICE_GET_INFO _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 7)

/*
 * Where region index lives in the device fd (pread/pwrite at offset), how big
 * it is and what it allows.  vfio-pci: BARs 0-5, then ROM, then config space.
 */
struct ictl_vfio_region_info {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_REGION_INFO_FLAG_READ (1 << 0)
#define ICTL_VFIO_REGION_INFO_FLAG_WRITE (1 << 1)
#define ICTL_VFIO_REGION_INFO_FLAG_MMAP (1 << 2)
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size __attribute__((aligned(8)));
	uint64_t offset __attribute__((aligned(8)));
};
#define ICTL_VFIO_DEVICE_GET_REGION_INFO _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 8)
#define ICTL_VFIO_PCI_BAR0_REGION_INDEX 0
#define ICTL_VFIO_PCI_CONFIG_REGION_INDEX 7

/*
 * Cdev only, and first: bind the device to an iommufd; out_devid is its id
 * there (dev_id in the iommufd structures).  Unbound when the fd closes.
 */
struct ictl_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)	/* token_uuid_ptr holds a VF token */
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr __attribute__((aligned(8)));
};
#define ICTL_VFIO_DEVICE_BIND_IOMMUFD _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 18)

/*
 * Attach the device (or one PASID of it) to an IOAS or HWPT; attaching again
 * replaces.  pt_id comes back as the HWPT that was used.
 */
struct ictl_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_DEVICE_ATTACH_PASID (1 << 0)
	uint32_t pt_id;
	uint32_t pasid;
};
#define ICTL_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 19)

/* Back to blocking DMA, for the device or one PASID of it. */
struct ictl_vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
#define ICTL_VFIO_DEVICE_DETACH_PASID (1 << 0)
	uint32_t pasid;
};
#define ICTL_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(ICTL_VFIO_TYPE, ICTL_VFIO_BASE + 20)

#endif /* ICTL_UAPI_VFIO_H */
