// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * edu-dma SRC DST [SRC DST ...]: run under `iommuctl apply SPEC -- edu-dma ...`,
 * make QEMU's edu device (docs/specs/edu.rst) copy through the IOVAs apply
 * made: for each pair, read LEN bytes at IOVA SRC into the device's buffer,
 * then write them out at IOVA DST.  The device is the first one apply handed
 * over (IOMMUCTL_DEVICE_FDS: its VFIO cdev, bound and attached); its BAR0 and
 * config space are reached with pread/pwrite on that fd.  Each address is
 * hex; LEN is 2048 (QEMU 7.2's edu refuses a whole 4 KiB transfer).
 *
 * Prints one line per transfer: "SRC DST ok" when the device finished it,
 * "SRC DST error" when its DMA engine reported nothing done in 2 s (edu has
 * no error status: a write the IOMMU refused still "finishes"; the test
 * checks the memory).  Exit 0, or 1 with a line on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/vfio.h"

#define EDU_BUF ((uint64_t)0x40000)
#define EDU_LEN ((uint64_t)2048)

static int devfd = -1;
static uint64_t bar0, cfg;

static void die(const char *what, int err)
{
	fprintf(stderr, "edu-dma: %s: %s\n", what, strerror(err));
	exit(1);
}

static void region(uint32_t index, uint64_t *off)
{
	struct ictl_vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(devfd, ICTL_VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		die("VFIO_DEVICE_GET_REGION_INFO", errno);
	*off = ri.offset;
}

static void io(bool wr, uint64_t off, void *v, size_t n)
{
	ssize_t r = wr ? pwrite(devfd, v, n, (off_t)off) : pread(devfd, v, n, (off_t)off);

	if (r != (ssize_t)n)
		die(wr ? "writing the device" : "reading the device", r < 0 ? errno : EIO);
}

static uint32_t rd32(uint64_t reg)
{
	uint32_t v;

	io(false, bar0 + reg, &v, 4);
	return v;
}

static void wr64(uint64_t reg, uint64_t v)
{
	io(true, bar0 + reg, &v, 8);
}

static bool transfer(uint64_t src, uint64_t dst, bool to_ram)
{
	uint32_t cmd = 1 | (to_ram ? 2 : 0);

	wr64(0x80, src);
	wr64(0x88, dst);
	wr64(0x90, EDU_LEN);
	io(true, bar0 + 0x98, &cmd, 4);
	for (int i = 0; i < 200; i++) {
		if (!(rd32(0x98) & 1))
			return true;
		usleep(10000);
	}
	return false;
}

static uint64_t hex(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || *end || end == s)
		die(s, EINVAL);
	return v;
}

int main(int argc, char **argv)
{
	const char *fds = getenv("IOMMUCTL_DEVICE_FDS");
	uint16_t cmd;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: edu-dma SRC DST [SRC DST ...] (under iommuctl apply --)\n");
		return 1;
	}
	if (!fds || !*fds)
		die("IOMMUCTL_DEVICE_FDS", ENOENT);
	devfd = atoi(fds);
	region(ICTL_VFIO_PCI_BAR0_REGION_INDEX, &bar0);
	region(ICTL_VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (rd32(0) != 0x010000ed)
		die("not QEMU's edu device (identification register)", ENODEV);
	io(false, cfg + 4, &cmd, 2);
	cmd |= 0x6; /* memory space, bus master */
	io(true, cfg + 4, &cmd, 2);
	for (int i = 1; i + 1 < argc; i += 2) {
		uint64_t src = hex(argv[i]), dst = hex(argv[i + 1]);
		bool ok = transfer(src, EDU_BUF, false) && transfer(EDU_BUF, dst, true);

		printf("%#" PRIx64 " %#" PRIx64 " %s\n", src, dst, ok ? "ok" : "error");
	}
	return 0;
}
