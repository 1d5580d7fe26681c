// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * New memory mapped into a held IOAS ("iommuctl held map", held.h), by a
 * process that exits right after.  What keeps the memory is the kernel:
 *
 * - IOMMU_IOAS_MAP (anon, hugetlb, a file the kernel cannot pin through its
 *   fd): the IOAS remembers this process's mm and address; the pages are
 *   pinned (pin_user_pages, a page reference each) into every domain the IOAS
 *   has when it is mapped, and those pins outlive the process.  A domain
 *   added later (a device attached after this) needs this process's memory
 *   again, which is gone: the kernel refuses that attach (EFAULT).
 * - IOMMU_IOAS_MAP_FILE (memfd, tmpfs and hugetlbfs files): the IOAS takes a
 *   reference to the file itself and pins through it whenever a domain needs
 *   the pages, so the memory lives as long as the mapping, whoever made it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mman.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "held.h"
#include "internal.h"

struct held_mem {
	void *va;		/* this process's view, munmap'd at the end */
	size_t len;
	int fd;			/* a memfd or file, closed at the end */
};

static void held_mem_free(struct held_mem *m)
{
	if (m->va)
		munmap(m->va, m->len);
	if (m->fd >= 0)
		close(m->fd);
}

static int mem_anon(struct ictl_ctx *ctx, struct held_mem *m, uint64_t length, int huge)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB | huge : MAP_NORESERVE);
	void *va = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (va == MAP_FAILED && huge)
		return ictl_err_kernel(ctx, errno,
				       "mmap of %llu bytes of %s hugetlb pages: %s: reserve free huge pages first (/sys/kernel/mm/hugepages/hugepages-%s/nr_hugepages)",
				       (unsigned long long)length, huge == MAP_HUGE_2MB ? "2M" : "1G",
				       strerror(errno), huge == MAP_HUGE_2MB ? "2048kB" : "1048576kB");
	if (va == MAP_FAILED)
		return ictl_err_kernel(ctx, errno, "mmap of %llu bytes: %s", (unsigned long long)length,
				       strerror(errno));
	m->va = va;
	m->len = length;
	return 0;
}

static int mem_memfd(struct ictl_ctx *ctx, struct held_mem *m, uint64_t length)
{
	m->fd = memfd_create("iommuctl:held-map", MFD_CLOEXEC);
	if (m->fd < 0)
		return ictl_err_kernel(ctx, errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->fd, (off_t)length) < 0)
		return ictl_err_kernel(ctx, errno, "memfd of %llu bytes: %s",
				       (unsigned long long)length, strerror(errno));
	return 0;
}

/* A file: through its fd on tmpfs/hugetlbfs, else read-only through this process's view. */
static int mem_file(struct ictl_ctx *ctx, struct held_mem *m, const struct ictl_held_mem *mem,
		    uint64_t length)
{
	struct stat st;
	const char *fs;
	void *va;

	m->fd = open(mem->file, (mem->write ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (m->fd < 0)
		return ictl_err(ctx, errno, "memory file %s: %s%s", mem->file, strerror(errno),
				mem->write && errno == EACCES ? " (a device that writes needs it writable; give --access r)" : "");
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ictl_err(ctx, EINVAL, "memory file %s: not a regular file", mem->file);
	if ((uint64_t)st.st_size < mem->offset || (uint64_t)st.st_size - mem->offset < length)
		return ictl_err(ctx, EINVAL,
				"memory file %s is %llu bytes: offset %#llx + length %#llx goes past its end",
				mem->file, (unsigned long long)st.st_size,
				(unsigned long long)mem->offset, (unsigned long long)length);
	if (ictl_file_pinnable(m->fd, NULL, &fs))
		return 0;
	if (mem->write)
		return ictl_err(ctx, EOPNOTSUPP,
				"memory file %s is on %s: the kernel lets a device write only to tmpfs, memfd and hugetlbfs files (memfd_pin_folios); give --access r, or copy it to /dev/shm",
				mem->file, fs);
	va = mmap(NULL, length, PROT_READ, MAP_SHARED, m->fd, (off_t)mem->offset);
	if (va == MAP_FAILED)
		return ictl_err_kernel(ctx, errno, "mmap of memory file %s: %s", mem->file,
				       strerror(errno));
	close(m->fd);
	m->fd = -1;
	m->va = va;
	m->len = length;
	return 0;
}

int ictl_held_map_mem(struct ictl_ctx *ctx, struct ictl_iommufd *s, uint32_t ioas_id,
		      const struct ictl_held_mem *mem, uint64_t length, bool fixed, uint64_t *iova,
		      const char **how)
{
	struct held_mem m = { .fd = -1 };
	uint32_t flags = (fixed ? ICTL_IOMMU_IOAS_MAP_FIXED_IOVA : 0) |
			 (mem->read ? ICTL_IOMMU_IOAS_MAP_READABLE : 0) |
			 (mem->write ? ICTL_IOMMU_IOAS_MAP_WRITEABLE : 0);
	const char *k = mem->memory ? mem->memory : "";
	int r;

	if (!length || (length & 4095) || (fixed && (*iova & 4095)))
		return ictl_err(ctx, EINVAL, "map %#llx bytes at %#llx: IOVA and length are whole 4 KiB pages",
				(unsigned long long)length, (unsigned long long)*iova);
	if (!mem->read && !mem->write)
		return ictl_err(ctx, EINVAL, "a mapping the device may neither read nor write");
	if (!strcmp(k, "anon"))
		r = mem_anon(ctx, &m, length, 0);
	else if (!strcmp(k, "hugetlb-2M"))
		r = mem_anon(ctx, &m, length, MAP_HUGE_2MB);
	else if (!strcmp(k, "hugetlb-1G"))
		r = mem_anon(ctx, &m, length, MAP_HUGE_1GB);
	else if (!strcmp(k, "memfd"))
		r = mem_memfd(ctx, &m, length);
	else if (!strcmp(k, "file") && mem->file)
		r = mem_file(ctx, &m, mem, length);
	else
		r = ictl_err(ctx, EINVAL, "memory '%.24s': give anon, memfd, hugetlb-2M, hugetlb-1G or a file", k);
	if (!r && m.fd >= 0) {
		*how = "IOMMU_IOAS_MAP_FILE";
		r = ictl_ioas_map_file(s, ioas_id, flags, m.fd, !strcmp(k, "file") ? mem->offset : 0,
				       length, iova);
	} else if (!r) {
		*how = "IOMMU_IOAS_MAP";
		r = ictl_ioas_map(s, ioas_id, flags, m.va, length, iova);
	}
	held_mem_free(&m);
	return r;
}
