// SPDX-License-Identifier: GPL-2.0-or-later
/* A synthetic sysfs tree in the fixtures' format (see sysfs-tree.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs-tree.h"

#define DEVDIR "sys/devices/pci0000:00"
#define UNIT "dmar0"

struct ident {
	uint16_t vendor, device, svendor, sdevice;
	uint32_t class_code;
	uint8_t revision;
};

/* IDs that pci.ids names: QEMU's NVMe controller, an 82574L NIC, QEMU's edu device. */
static const struct ident nvme = { 0x1b36, 0x0010, 0x1af4, 0x1100, 0x010802, 0x02 };
static const struct ident nic = { 0x8086, 0x10d3, 0x8086, 0x0000, 0x020000, 0x00 };
static const struct ident edu = { 0x1234, 0x11e8, 0x1af4, 0x1100, 0x00ff00, 0x10 };

static const struct ident *ident_of(unsigned int fn)
{
	return fn == 0 || fn == 2 ? &nvme : fn == 3 ? &edu : &nic;
}

void tree_device_name(unsigned int g, unsigned int fn, char buf[16])
{
	snprintf(buf, 16, "0000:%02x:%02x.%u", (1 + g / 32) & 0xff, g % 32, fn & 7);
}

const char *tree_driver(unsigned int g, unsigned int fn)
{
	static const char *const drv[] = { "nvme", "e1000e", "vfio-pci" };

	if (g % 4 == 0)
		return "vfio-pci";
	return fn < 3 ? drv[fn] : "";
}

static int put(int dfd, const char *path, const void *data, size_t len)
{
	int fd = openat(dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (close(fd) < 0 || n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

__attribute__((format(printf, 3, 4))) static int putf(int dfd, const char *path,
						      const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	return put(dfd, path, buf, (size_t)n);
}

/* A symlink at path pointing to the formatted target. */
__attribute__((format(printf, 3, 4))) static int link_to(int dfd, const char *path,
							 const char *fmt, ...)
{
	char target[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(target, sizeof(target), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	return symlinkat(target, dfd, path) < 0 ? -errno : 0;
}

/* mkdir -p below dfd. */
static int mkdirs(int dfd, const char *path)
{
	char buf[256];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c)
			continue;
		*p = '\0';
		if (mkdirat(dfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*p = c;
	}
}

/* Config space: the header lspci reads; the rest zero, 4 KiB as for a PCIe function. */
static int put_config(int dfd, const struct ident *id, bool multifunction)
{
	uint8_t cfg[4096] = { 0 };

	cfg[0] = (uint8_t)id->vendor;
	cfg[1] = (uint8_t)(id->vendor >> 8);
	cfg[2] = (uint8_t)id->device;
	cfg[3] = (uint8_t)(id->device >> 8);
	cfg[4] = 0x06; /* memory space, bus master */
	cfg[8] = id->revision;
	cfg[9] = (uint8_t)id->class_code;
	cfg[10] = (uint8_t)(id->class_code >> 8);
	cfg[11] = (uint8_t)(id->class_code >> 16);
	cfg[14] = multifunction ? 0x80 : 0x00;
	cfg[0x2c] = (uint8_t)id->svendor;
	cfg[0x2d] = (uint8_t)(id->svendor >> 8);
	cfg[0x2e] = (uint8_t)id->sdevice;
	cfg[0x2f] = (uint8_t)(id->sdevice >> 8);
	return put(dfd, "config", cfg, sizeof(cfg));
}

static int device_attrs(int dfd, const struct ident *id, bool multifunction)
{
	int r = putf(dfd, "vendor", "0x%04x\n", id->vendor);

	r = r ?: putf(dfd, "device", "0x%04x\n", id->device);
	r = r ?: putf(dfd, "subsystem_vendor", "0x%04x\n", id->svendor);
	r = r ?: putf(dfd, "subsystem_device", "0x%04x\n", id->sdevice);
	r = r ?: putf(dfd, "class", "0x%06x\n", id->class_code);
	r = r ?: putf(dfd, "revision", "0x%02x\n", id->revision);
	r = r ?: putf(dfd, "driver_override", "(null)\n");
	r = r ?: putf(dfd, "numa_node", "-1\n");
	r = r ?: putf(dfd, "irq", "0\n");
	r = r ?: putf(dfd, "enable", "1\n");
	r = r ?: put_config(dfd, id, multifunction);
	return r;
}

/* The links to a device from the PCI bus, its group and the unit. */
static int device_links(int root, unsigned int g, const char *name)
{
	char path[128];
	int r;

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", name);
	r = link_to(root, path, "../../../devices/pci0000:00/%s", name);
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%u/devices/%s", g, name);
	r = r ?: link_to(root, path, "../../../../devices/pci0000:00/%s", name);
	snprintf(path, sizeof(path), "sys/devices/virtual/iommu/" UNIT "/devices/%s", name);
	r = r ?: link_to(root, path, "../../../../pci0000:00/%s", name);
	return r;
}

/* One PCI function: its directory, its own links, and the links to it. */
static int device_write(int root, unsigned int g, unsigned int fn, unsigned int per_group,
			unsigned int *vfio_n)
{
	const char *drv = tree_driver(g, fn);
	char name[16], path[128];
	int dfd, r;

	tree_device_name(g, fn, name);
	snprintf(path, sizeof(path), DEVDIR "/%s", name);
	if (mkdirat(root, path, 0755) < 0)
		return -errno;
	dfd = openat(root, path, O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = device_attrs(dfd, ident_of(fn), per_group > 1);
	if (!r && drv[0])
		r = link_to(dfd, "driver", "../../../bus/pci/drivers/%s", drv);
	r = r ?: link_to(dfd, "iommu", "../../virtual/iommu/" UNIT);
	r = r ?: link_to(dfd, "iommu_group", "../../../kernel/iommu_groups/%u", g);
	if (!r && !strcmp(drv, "vfio-pci")) {
		/* An empty vfio-dev/vfioN, as on a kernel with VFIO cdevs (kept by .keep). */
		snprintf(path, sizeof(path), "vfio-dev/vfio%u", (*vfio_n)++);
		r = mkdirs(dfd, path);
		strcat(path, "/.keep");
		r = r ?: put(dfd, path, "", 0);
	}
	close(dfd);
	return r ?: device_links(root, g, name);
}

static int group_write(int root, unsigned int g)
{
	char path[128];
	int r;

	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%u/devices", g);
	r = mkdirs(root, path);
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%u/type", g);
	r = r ?: putf(root, path, "DMA-FQ\n");
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%u/reserved_regions", g);
	r = r ?: putf(root, path, "0x00000000fee00000 0x00000000feefffff msi\n");
	return r;
}

/* The VT-d unit, with the register values of the intel-server fixture. */
static int unit_write(int root)
{
	static const char *const attrs[][2] = {
		{ "address", "fed90000" }, { "cap", "d2008c22260206" },
		{ "domains_supported", "65536" }, { "domains_used", "16" },
		{ "ecap", "f00f4a" }, { "version", "1:0" },
	};
	char path[128];
	int r = mkdirs(root, "sys/devices/virtual/iommu/" UNIT "/devices");

	r = r ?: mkdirs(root, "sys/devices/virtual/iommu/" UNIT "/intel-iommu");
	for (size_t i = 0; !r && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "sys/devices/virtual/iommu/" UNIT "/intel-iommu/%s",
			 attrs[i][0]);
		r = putf(root, path, "%s\n", attrs[i][1]);
	}
	r = r ?: link_to(root, "sys/devices/virtual/iommu/" UNIT "/subsystem",
			 "../../../../class/iommu");
	r = r ?: mkdirs(root, "sys/class/iommu");
	r = r ?: link_to(root, "sys/class/iommu/" UNIT, "../../devices/virtual/iommu/" UNIT);
	return r;
}

static int skeleton_write(int root, unsigned int ngroups, unsigned int per_group)
{
	static const char *const drivers[] = { "nvme", "e1000e", "vfio-pci" };
	char path[128];
	int r = mkdirs(root, DEVDIR);

	r = r ?: mkdirs(root, "sys/bus/pci/devices");
	r = r ?: mkdirs(root, "sys/kernel/iommu_groups");
	for (size_t i = 0; !r && i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s", drivers[i]);
		r = mkdirs(root, path);
		strcat(path, "/.keep");
		r = r ?: put(root, path, "", 0);
	}
	r = r ?: unit_write(root);
	r = r ?: putf(root, "CAPTURE-INFO",
		      "synthetic tree written by bench/gen-tree: %u groups of %u PCI functions, one VT-d unit\n",
		      ngroups, per_group);
	return r;
}

int tree_write(const char *dir, unsigned int ngroups, unsigned int per_group)
{
	unsigned int vfio_n = 0;
	int root, r;

	if (ngroups > TREE_MAX_GROUPS || !per_group || per_group > TREE_MAX_PER_GROUP)
		return -EINVAL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	root = open(dir, O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	r = skeleton_write(root, ngroups, per_group);
	for (unsigned int g = 0; !r && g < ngroups; g++) {
		r = group_write(root, g);
		for (unsigned int fn = 0; !r && fn < per_group; fn++)
			r = device_write(root, g, fn, per_group, &vfio_n);
	}
	close(root);
	return r;
}
