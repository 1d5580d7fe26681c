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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edu.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "edu-dma: %s: %s\n", what, strerror(err));
	exit(1);
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
	const char *fds = getenv("IOMMUCTL_DEVICE_FDS"), *what;
	struct edu e;
	int r;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: edu-dma SRC DST [SRC DST ...] (under iommuctl apply --)\n");
		return 1;
	}
	if (!fds || !*fds)
		die("IOMMUCTL_DEVICE_FDS", ENOENT);
	r = edu_open(&e, atoi(fds), &what);
	if (r < 0)
		die(what, -r);
	for (int i = 1; i + 1 < argc; i += 2) {
		uint64_t src = hex(argv[i]), dst = hex(argv[i + 1]);

		r = edu_dma(&e, src, EDU_BUF, false);
		if (!r)
			r = edu_dma(&e, EDU_BUF, dst, true);
		if (r < 0 && r != -ETIMEDOUT)
			die("edu", -r);
		printf("%#" PRIx64 " %#" PRIx64 " %s\n", src, dst, r ? "error" : "ok");
	}
	return 0;
}
