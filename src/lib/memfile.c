// SPDX-License-Identifier: GPL-2.0-or-later
/* The files a spec maps: what the kernel can pin of them (apply, apply --check). */
#include <errno.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "internal.h"

/*
 * Whether the kernel can pin a file's pages through the fd (IOMMU_IOAS_MAP_FILE:
 * memfd_pin_folios() takes shmem and hugetlbfs files only); *fs names the
 * filesystem of one it cannot.
 */
bool ictl_file_pinnable(int fd, const char *path, const char **fs)
{
	struct statfs sf;
	int r = fd >= 0 ? fstatfs(fd, &sf) : statfs(path, &sf);

	*fs = "unknown";
	if (r < 0)
		return true;	/* let the kernel say */
	switch ((unsigned long)sf.f_type) {
	case TMPFS_MAGIC:
	case HUGETLBFS_MAGIC:
		return true;
	case EXT4_SUPER_MAGIC:
		*fs = "ext2/3/4";
		return false;
	case XFS_SUPER_MAGIC:
		*fs = "xfs";
		return false;
	case BTRFS_SUPER_MAGIC:
		*fs = "btrfs";
		return false;
	case V9FS_MAGIC:
		*fs = "9p";
		return false;
	case NFS_SUPER_MAGIC:
		*fs = "nfs";
		return false;
	default:
		*fs = "non-shmem";
		return false;
	}
}

int ictl_file_mappable(int fd, const char *path, uint64_t offset, uint64_t size, bool write,
		       bool *pinnable, char *why, size_t len)
{
	const char *fs;
	struct stat st;

	if ((fd >= 0 ? fstat(fd, &st) : stat(path, &st)) < 0) {
		int e = errno;

		snprintf(why, len, "memory file %s: %s", path, strerror(e));
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "memory file %s is not a regular file", path);
		return EINVAL;
	}
	if ((uint64_t)st.st_size < offset || (uint64_t)st.st_size - offset < size) {
		snprintf(why, len, "memory file %s is %llu bytes: offset %#llx + size %#llx goes past its end",
			 path, (unsigned long long)st.st_size, (unsigned long long)offset,
			 (unsigned long long)size);
		return EINVAL;
	}
	*pinnable = ictl_file_pinnable(fd, path, &fs);
	if (write && !*pinnable) {
		snprintf(why, len,
			 "memory file %s is on %s: the kernel lets a device write only to tmpfs, memfd and hugetlbfs files (memfd_pin_folios); give access: r, or copy it to /dev/shm",
			 path, fs);
		return EOPNOTSUPP;
	}
	return 0;
}
