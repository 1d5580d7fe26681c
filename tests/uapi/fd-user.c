// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fd-user [--bound DEV_ID]: stand in for a VMM that gets its fds from
 * "iommuctl claim DEVICE -- COMMAND" instead of opening the nodes itself, as
 * QEMU does with -object iommufd,fd=N and -device vfio-pci,fd=M.
 *
 * It reads IOMMUCTL_IOMMUFD and the first of IOMMUCTL_DEVICE_FDS, adopts them
 * into an iommufd session, binds the device fd to the iommufd (or, with
 * --bound, takes the DEV_ID iommuctl already bound it as), allocates an IOAS,
 * attaches the device and maps one page, printing key=value lines for
 * tests/bats/vm/hold.bats.
 * Exit status: 0 every step worked, 1 a step failed, 2 bad environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "iommufd.h"

static int fail(struct ictl_ctx *ctx, const char *step, int r)
{
	printf("%s.error=%s %s\n", step, strerrorname_np(-r), ictl_strerror(ctx));
	return 1;
}

int main(int argc, char **argv)
{
	const char *ifd = getenv("IOMMUCTL_IOMMUFD"), *dfds = getenv("IOMMUCTL_DEVICE_FDS");
	struct ictl_iommu_iova_range *ranges = NULL;
	struct ictl_iommufd *s = NULL;
	struct ictl_ctx *ctx;
	uint32_t ioas, pt, dev_id = 0;
	uint64_t iova = 0, align;
	int r, n;
	void *buf;

	if (!ifd || !dfds || ictl_ctx_new(&ctx, NULL) < 0) {
		fprintf(stderr, "fd-user: run me under iommuctl claim DEVICE -- fd-user\n");
		return 2;
	}
	/* The fds are ours now: the session owns the iommufd and the device's cdev. */
	if (ictl_iommufd_adopt(ctx, atoi(ifd), &s) < 0)
		return fail(ctx, "adopt", -ENOMEM);
	if (argc == 3 && !strcmp(argv[1], "--bound")) {
		dev_id = (uint32_t)strtoul(argv[2], NULL, 10);
		r = ictl_dev_adopt(s, "dev", atoi(dfds), "fd", dev_id);
	} else {
		r = ictl_dev_bind_fd(s, "dev", atoi(dfds), "fd", &dev_id);
	}
	if (r < 0)
		return fail(ctx, "bind", r);
	printf("dev_id=%u\n", dev_id);
	r = ictl_ioas_alloc(s, "ioas", &ioas);
	if (r < 0)
		return fail(ctx, "ioas", r);
	pt = ioas;
	r = ictl_dev_attach(s, dev_id, ICTL_NO_PASID, &pt);
	if (r < 0)
		return fail(ctx, "attach", r);
	printf("attach.hwpt=%u\n", pt);
	n = ictl_ioas_iova_ranges(s, ioas, &ranges, &align);
	if (n <= 0)
		return fail(ctx, "ranges", n < 0 ? n : -ENOSPC);
	for (int i = 0; i < n && !iova; i++) {
		uint64_t at = (ranges[i].start + 0x1fffff) & ~0xfffffull;

		if (at > ranges[i].start && at + 4095 <= ranges[i].last)
			iova = at;
	}
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!iova || buf == MAP_FAILED)
		return fail(ctx, "map", -ENOSPC);
	r = ictl_ioas_map(s, ioas, ICTL_IOMMU_IOAS_MAP_FIXED_IOVA | ICTL_IOMMU_IOAS_MAP_READABLE |
			  ICTL_IOMMU_IOAS_MAP_WRITEABLE, buf, 4096, &iova);
	if (r < 0)
		return fail(ctx, "map", r);
	printf("map.iova=0x%llx\nok=1\n", (unsigned long long)iova);
	free(ranges);
	ictl_iommufd_free(s);
	ictl_ctx_free(ctx);
	return 0;
}
