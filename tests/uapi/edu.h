/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ICTL_TESTS_EDU_H
#define ICTL_TESTS_EDU_H
/*
 * QEMU's edu device (QEMU docs/specs/edu.rst) driven through its VFIO device
 * fd, for the in-guest test programs: BAR0 and config space reached with
 * pread/pwrite at the offsets VFIO_DEVICE_GET_REGION_INFO gives.  The DMA
 * engine copies between an IOVA and the device's own buffer at EDU_BUF.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/vfio.h"

#define EDU_BUF ((uint64_t)0x40000)
/* QEMU 7.2's edu refuses a whole 4 KiB transfer (off by one) */
#define EDU_DMA_LEN ((uint64_t)2048)

struct edu {
	int fd;
	uint64_t bar0, cfg;
};

static inline int edu_io(const struct edu *e, bool wr, uint64_t off, void *v, size_t n)
{
	ssize_t r = wr ? pwrite(e->fd, v, n, (off_t)off) : pread(e->fd, v, n, (off_t)off);

	return r == (ssize_t)n ? 0 : r < 0 ? -errno : -EIO;
}

static inline int edu_region(const struct edu *e, uint32_t index, uint64_t *off)
{
	struct ictl_vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(e->fd, ICTL_VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return -errno;
	*off = ri.offset;
	return 0;
}

/*
 * Take the device behind fd: its regions, its identification register, and
 * memory space and bus mastering on.  0, or -errno with *what saying where.
 */
static inline int edu_open(struct edu *e, int fd, const char **what)
{
	uint32_t id = 0;
	uint16_t cmd = 0;
	int r;

	e->fd = fd;
	*what = "VFIO_DEVICE_GET_REGION_INFO";
	r = edu_region(e, ICTL_VFIO_PCI_BAR0_REGION_INDEX, &e->bar0);
	if (!r)
		r = edu_region(e, ICTL_VFIO_PCI_CONFIG_REGION_INDEX, &e->cfg);
	if (r < 0)
		return r;
	*what = "reading the device";
	r = edu_io(e, false, e->bar0, &id, 4);
	if (r < 0)
		return r;
	*what = "not QEMU's edu device (identification register)";
	if (id != 0x010000ed)
		return -ENODEV;
	*what = "its config space";
	r = edu_io(e, false, e->cfg + 4, &cmd, 2);
	cmd |= 0x6; /* memory space, bus master */
	return r < 0 ? r : edu_io(e, true, e->cfg + 4, &cmd, 2);
}

/* One transfer of EDU_DMA_LEN bytes; -ETIMEDOUT when the device did not finish it in 2 s. */
static inline int edu_dma(const struct edu *e, uint64_t src, uint64_t dst, bool to_ram)
{
	uint64_t regs[3] = { src, dst, EDU_DMA_LEN };
	uint32_t cmd = 1 | (to_ram ? 2 : 0), st;
	int r = 0;

	for (int i = 0; i < 3 && !r; i++)
		r = edu_io(e, true, e->bar0 + 0x80 + 8 * i, &regs[i], 8);
	if (!r)
		r = edu_io(e, true, e->bar0 + 0x98, &cmd, 4);
	for (int i = 0; i < 200 && !r; i++) {
		r = edu_io(e, false, e->bar0 + 0x98, &st, 4);
		if (!r && !(st & 1))
			return 0;
		usleep(10000);
	}
	return r < 0 ? r : -ETIMEDOUT;
}

#endif
