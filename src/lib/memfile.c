// SPDX-License-Identifier: GPL-2.0-or-later
/* The files a spec maps: what the kernel can pin of them (apply, apply --check). */
#include <linux/magic.h>
#include <stdbool.h>
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
