// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bare-groups ROOT: the floor for `iommuctl --sysroot ROOT groups --json`.
 * The loop anyone would write in plain C: it reads the same sysfs attributes
 * (each group's type, reserved_regions and members, the first member's IOMMU;
 * each PCI device's IDs, class, revision, driver, driver_override, IOMMU, group
 * and NUMA node) by full path, with open/read/close and readlink, and prints a
 * line per group and per device.  No --sysroot seam, no sorting, no pci.ids
 * names, no JSON library.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dir/name into buf; exits on a path too long (never in a generated tree). */
static char *join(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		fprintf(stderr, "bare-groups: path too long: %s/%s\n", dir, name);
		exit(1);
	}
	return buf;
}

/* An attribute's first line; "" when unreadable. */
static const char *attr(const char *dir, const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n = -1;
	int fd = open(join(p, sizeof(p), dir, name), O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The last component of a symlink's target; "" when it is not there. */
static const char *link_base(const char *dir, const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n = readlink(join(p, sizeof(p), dir, name), buf, len - 1);
	const char *slash;

	buf[n > 0 ? n : 0] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

static void device(const char *devices, const char *name)
{
	static const char *const ids[] = { "vendor", "device", "subsystem_vendor",
					   "subsystem_device", "class", "revision" };
	char dir[PATH_MAX], v[64], l[PATH_MAX];

	join(dir, sizeof(dir), devices, name);
	printf("{\"device\": \"%s\"", name);
	for (int i = 0; i < 6; i++)
		printf(", \"%s\": \"%s\"", ids[i], attr(dir, ids[i], v, sizeof(v)));
	printf(", \"driver\": \"%s\"", link_base(dir, "driver", l, sizeof(l)));
	printf(", \"driver_override\": \"%s\"", attr(dir, "driver_override", v, sizeof(v)));
	printf(", \"iommu\": \"%s\"", link_base(dir, "iommu", l, sizeof(l)));
	printf(", \"group\": \"%s\"", link_base(dir, "iommu_group", l, sizeof(l)));
	printf(", \"numa_node\": \"%s\"}\n", attr(dir, "numa_node", v, sizeof(v)));
}

static void group(const char *groups, const char *id)
{
	char dir[PATH_MAX], sub[PATH_MAX], member[PATH_MAX], v[4096], l[PATH_MAX];
	const char *iommu = "";
	struct dirent *de;
	DIR *dd;

	join(dir, sizeof(dir), groups, id);
	printf("{\"group\": %s, \"type\": \"%s\"", id, attr(dir, "type", v, sizeof(v)));
	printf(", \"reserved_regions\": \"%s\", \"devices\": [",
	       attr(dir, "reserved_regions", v, sizeof(v)));
	dd = opendir(join(sub, sizeof(sub), dir, "devices"));
	while (dd && (de = readdir(dd))) {
		if (de->d_name[0] == '.')
			continue;
		if (!*iommu)
			iommu = link_base(join(member, sizeof(member), sub, de->d_name), "iommu", l,
					  sizeof(l));
		printf("\"%s\", ", de->d_name);
	}
	if (dd)
		closedir(dd);
	printf("], \"iommu\": \"%s\"}\n", iommu);
}

/* Call fn(dir, name) for every entry of ROOT/sub. */
static void each(const char *root, const char *sub, void (*fn)(const char *, const char *))
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *dd = opendir(join(dir, sizeof(dir), root, sub));

	while (dd && (de = readdir(dd))) {
		if (de->d_name[0] != '.')
			fn(dir, de->d_name);
	}
	if (dd)
		closedir(dd);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bare-groups ROOT\n");
		return 2;
	}
	each(argv[1], "sys/kernel/iommu_groups", group);
	each(argv[1], "sys/bus/pci/devices", device);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
