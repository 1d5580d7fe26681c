// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the PCI capability walk behind 'explain': the bytes are
 * a device's config space (up to 4 KiB), written as
 * sys/bus/pci/devices/0000:00:00.0/config in a scratch root (a context's
 * --sysroot) and read by ictl_pci_config(): header type, the capability list
 * (PCI Express type), the extended capability list (ACS).  Lists that loop,
 * point outside the space or end early must end, bounded.  What is found must
 * hold: ACS only from extended config space (more than 256 bytes), a PCIe type
 * in 0..15.  The scratch root is under TMPDIR (/dev/shm when there is one) and
 * removed at exit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pci-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], dirs[5][128], config[160];

static void cleanup(void)
{
	unlink(config);
	for (int i = 4; i >= 0; i--)
		rmdir(dirs[i]);
	rmdir(root);
}

static struct ictl_ctx *setup(void)
{
	static const char *const parts[] = { "sys", "sys/bus", "sys/bus/pci", "sys/bus/pci/devices",
					     "sys/bus/pci/devices/0000:00:00.0" };
	static struct ictl_ctx *ctx;
	const char *dir = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	if (ctx)
		return ctx;
	snprintf(root, sizeof(root), "%s/fuzz-pcicap.XXXXXX", dir);
	if (!mkdtemp(root))
		abort();
	for (int i = 0; i < 5; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/%s", root, parts[i]);
		if (mkdir(dirs[i], 0755))
			abort();
	}
	snprintf(config, sizeof(config), "%s/config", dirs[4]);
	atexit(cleanup);
	if (ictl_ctx_new(&ctx, root) < 0)
		abort();
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_ctx *ctx = setup();
	struct ictl_pci_addr addr = { 0, 0, 0, 0 };
	struct ictl_pci_node node;
	int fd;

	if (size > 4096)
		return 0;
	fd = open(config, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd))
		abort();
	memset(&node, 0, sizeof(node));
	if (ictl_pci_config(ctx, &addr, &node) < 0)
		return 0;
	if (node.has_acs && size <= 0x100)
		abort();
	if (node.pcie_type < -1 || node.pcie_type > 15)
		abort();
	if (node.config_ok && size < 4)
		abort();
	return 0;
}
