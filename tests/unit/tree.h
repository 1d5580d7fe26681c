/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test trees for the unit tests: bench/sysfs-tree.c writes the PCI part (groups of
 * PCI functions, as `bench/gen-tree` does); tree_add_platform() adds a group of
 * non-PCI (platform) devices, as an ARM system has; tree_remove() cleans up.
 */
#ifndef ICTL_TEST_TREE_H
#define ICTL_TEST_TREE_H

/* Needs _GNU_SOURCE (nftw) defined before the first system header: see the test programs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bench/sysfs-tree.h"

/* A fresh directory under $TMPDIR; NULL when none can be made. */
static inline char *tree_tmpdir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/ictl-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(buf);
}

static inline int tree_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static inline void tree_remove(const char *dir)
{
	nftw(dir, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int tree_file(const char *root, const char *path, const char *content)
{
	char p[4096];
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = (int)write(fd, content, strlen(content));
	close(fd);
	return n == (int)strlen(content) ? 0 : -EIO;
}

static inline int tree_mkdir(const char *root, const char *path)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, path);
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static inline int tree_link(const char *root, const char *path, const char *target)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, path);
	return symlink(target, p) < 0 ? -errno : 0;
}

/* Group g of platform devices (sys/devices/platform/NAME), each bound to no driver. */
static inline int tree_add_platform(const char *root, unsigned int g, const char *const *names,
				    size_t n)
{
	char p[512], t[512];
	int r;

	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%u", g);
	r = tree_mkdir(root, p);
	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%u/devices", g);
	r = r ?: tree_mkdir(root, p);
	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%u/type", g);
	r = r ?: tree_file(root, p, "DMA\n");
	r = r ?: tree_mkdir(root, "sys/devices/platform");
	for (size_t i = 0; !r && i < n; i++) {
		snprintf(p, sizeof(p), "sys/devices/platform/%s", names[i]);
		r = tree_mkdir(root, p);
		snprintf(p, sizeof(p), "sys/devices/platform/%s/driver_override", names[i]);
		r = r ?: tree_file(root, p, "(null)\n");
		snprintf(p, sizeof(p), "sys/devices/platform/%s/iommu_group", names[i]);
		snprintf(t, sizeof(t), "../../../kernel/iommu_groups/%u", g);
		r = r ?: tree_link(root, p, t);
		snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%u/devices/%s", g, names[i]);
		snprintf(t, sizeof(t), "../../../../devices/platform/%s", names[i]);
		r = r ?: tree_link(root, p, t);
	}
	return r;
}

#endif /* ICTL_TEST_TREE_H */
