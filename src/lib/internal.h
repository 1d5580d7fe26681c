/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Library-internal helpers: the context, the sysfs seam, small utilities.
 *
 * The layering of src/lib: a module calls (and includes) only modules on the
 * lines below its own; tests/layering checks that no #include and no symbol
 * goes the other way, and that src/lib includes nothing from src/vendors,
 * src/cli or src/cmds.
 *
 *   hold           members, holders, iommufd    hold a claimed group's VFIO nodes
 *   hwinfo         unit, iommufd, holders       where IOMMU_GET_HW_INFO comes from
 *   persist        members                      udev rules that keep a claim
 *   owner-txn      plan, journal, members, holders   apply, rollback, recover
 *   owner-status   journal, members, holders    who owns a group now
 *   owner-plan     inuse, journal, members      the steps of a claim or release
 *   owner-inuse    members, holders             what makes a member busy
 *   owner-journal  members                      state directory, lock, journal
 *   owner-members  holders, group, device       a group's members; driver writes
 *   owner-holders  -                            who has /dev/vfio nodes open (/proc)
 *   iommufd        device                       iommufd and VFIO ioctls
 *   explain        group, device, pci           why devices share a group
 *   group, unit, device, pci, names             enumeration
 *   ctx, sysfs, util                            the context, the --sysroot seam
 */
#ifndef ICTL_INTERNAL_H
#define ICTL_INTERNAL_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "iommuctl.h"

struct pci_access;

/*
 * What a command has read, when the context keeps it (ictl_ctx_snapshot): the
 * groups of the first full group scan, the devices of the first full device scan,
 * each sorted as the scans return them.
 */
struct ictl_snapshot {
	bool on;
	bool have_groups, have_devices;
	/*
	 * Opens for writing through the seam (sysfs.c counts them) and their count
	 * when the snapshot was last known good: a write may change what it holds.
	 */
	unsigned long writes, gen;
	/* Frees what it holds; set while it holds something (ictl_ctx_free calls it). */
	void (*drop)(struct ictl_ctx *ctx);
	struct ictl_group_list groups;
	struct ictl_device_list devices;
};

struct ictl_ctx {
	int rootfd;		/* O_PATH directory: every path is resolved below it */
	char *root;		/* as given, for messages and for libpci */
	bool live;
	struct pci_access *pacc; /* created on first use */
	bool pci_names_loaded;	/* pci.ids given to libpci (pci.c) */
	char *rootabs;		/* the root's absolute path, read on first use (sysfs_fd_realpath) */
	struct ictl_snapshot snap;
	/* Who has /dev/vfio nodes open: one /proc scan, at first use (owner-holders.c). */
	bool vfio_users_read;
	size_t nvfio_users;
	struct ictl_holder *vfio_users;
	/* Room for the longest chain: a failed step and the restore that failed after it. */
	char err[1024];
	int err_errno;			/* the errno of the message (positive) */
	enum ictl_err_kind err_kind;
};

/*
 * Record a message and return -err (err is a positive errno).  The arguments
 * may point into the current message (it is formatted aside first).  A NULL
 * ctx records nothing: for a caller that wants the errno alone (the same for
 * the other ictl_err_* below).
 */
int ictl_err(struct ictl_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * The same for an errno the kernel returned (an ioctl, a sysfs write): its
 * EINVAL or ENOENT is a failure of the operation, not a bad argument of the
 * user's (ICTL_ERR_KERNEL).
 */
int ictl_err_kernel(struct ictl_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ... and for a file or tree that is damaged (ICTL_ERR_DATA): err is usually EINVAL. */
int ictl_err_data(struct ictl_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Chain: "<fmt...>: <the current message>" (or ": <strerror(err)>" when there
 * is none), e.g. ictl_err_wrap(ctx, -r, "restoring %s", dev) after a failed
 * write.  Returns -err.
 */
int ictl_err_wrap(struct ictl_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* -ENODEV: the system (or capture) has no active IOMMU; where names the empty directory. */
int ictl_err_no_iommu(struct ictl_ctx *ctx, const char *where);

/*
 * A listing's row that could not be read (err < 0, the context's last error):
 * *out gets that error; -ENOMEM (and no row) when err is -ENOMEM or there is no
 * room.  row_error_raise makes a kept row's error the context's again, returns it.
 */
int row_error_keep(struct ictl_ctx *ctx, int err, struct ictl_row_error **out);
int row_error_raise(struct ictl_ctx *ctx, const struct ictl_row_error *e);
/* A copy of src (NULL for NULL) in *dst; -ENOMEM. */
int row_error_dup(struct ictl_row_error **dst, const struct ictl_row_error *src);

/* --- the sysfs seam: every path is relative to ctx->root --------------------- */

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); returns an fd or -errno. */
int sysfs_open(struct ictl_ctx *ctx, const char *path, int flags);
/* Read a whole small attribute (at most len-1 bytes), trailing newline stripped. */
int sysfs_read_str(struct ictl_ctx *ctx, const char *path, char *buf, size_t len);
int sysfs_read_u64(struct ictl_ctx *ctx, const char *path, uint64_t *v);
int sysfs_read_int(struct ictl_ctx *ctx, const char *path, int *v);
/* An attribute the kernel prints as bare hex ("%llx", as Intel cap/ecap). */
int sysfs_read_hex(struct ictl_ctx *ctx, const char *path, uint64_t *v);
/* Read a whole attribute into a malloc'd string (for multi-line files). */
int sysfs_read_alloc(struct ictl_ctx *ctx, const char *path, char **out);
/*
 * What the seam reads is bounded: an attribute (read_str and the numbers) at most a
 * page, a text (read_alloc) at most SYSFS_TEXT_MAX, a binary file what the caller
 * gives; a FIFO, a device or a directory where a file belongs is refused, named,
 * as damaged data (ictl_err_data), and never blocks.
 */
#define SYSFS_ATTR_MAX 4096u
#define SYSFS_TEXT_MAX (1u << 20)
/* fd (opened from dfd/name, dfd < 0: from the root) is a regular file of at most cap bytes. */
int sysfs_check_file(struct ictl_ctx *ctx, int fd, int dfd, const char *name, size_t cap);
/* Up to len bytes of a binary file of at most len bytes (config space); the count read. */
ssize_t sysfs_read_bin(struct ictl_ctx *ctx, const char *path, void *buf, size_t len);
/* The last component of a symlink's target, e.g. driver -> .../e1000e gives "e1000e". */
int sysfs_link_base(struct ictl_ctx *ctx, const char *path, char *buf, size_t len);
/* The real directory of path (all symlinks resolved inside the root), relative to it. */
int sysfs_realpath(struct ictl_ctx *ctx, const char *path, char **out);
bool sysfs_exists(struct ictl_ctx *ctx, const char *path);

/*
 * The same, for one entry (no '/') of a directory dfd opened with sysfs_open:
 * the path to the directory is walked once, and a lookup never leaves it
 * (RESOLVE_BENEATH: a symlink out of it fails with -EXDEV).
 */
int sysfs_openat(struct ictl_ctx *ctx, int dfd, const char *name, int flags);
int sysfs_read_str_at(struct ictl_ctx *ctx, int dfd, const char *name, char *buf, size_t len);
int sysfs_read_u64_at(struct ictl_ctx *ctx, int dfd, const char *name, uint64_t *v);
int sysfs_read_int_at(struct ictl_ctx *ctx, int dfd, const char *name, int *v);
int sysfs_read_alloc_at(struct ictl_ctx *ctx, int dfd, const char *name, char **out);
int sysfs_link_base_at(int dfd, const char *name, char *buf, size_t len);
/* The real directory of an fd opened with sysfs_open, relative to the root. */
int sysfs_fd_realpath(struct ictl_ctx *ctx, int fd, char **out);

/*
 * Directory listing: names sorted in natural order (name_cmp, ties by strcmp);
 * entries starting with '.' (never in sysfs) skipped.
 */
struct strv {
	size_t n;
	char **v;
};
int sysfs_list(struct ictl_ctx *ctx, const char *path, struct strv *out);
int sysfs_list_at(struct ictl_ctx *ctx, int dfd, const char *name, struct strv *out);
void strv_clear(struct strv *s);
int strv_push(struct strv *s, const char *str);

#define strv_foreach(s, i) for (size_t i = 0; i < (s)->n; i++)

/* --- lists (lists.c) -------------------------------------------------------- */

/* qsort order of a device list: PCI devices by address, then the others by name. */
int device_order(const void *a, const void *b);

/* --- the snapshot (snapshot.c) ------------------------------------------------ */

/* Keep a copy of a full scan, when the snapshot is on and has none yet. */
void snap_keep_groups(struct ictl_ctx *ctx, const struct ictl_group_list *l);
void snap_keep_devices(struct ictl_ctx *ctx, const struct ictl_device_list *l);
/*
 * Copy what the snapshot holds into *out: 1, 0 when it holds nothing of it, or
 * -ENOMEM; snap_group and snap_device fail with the error of a row kept with one.
 */
int snap_groups(struct ictl_ctx *ctx, struct ictl_group_list *out);
int snap_devices(struct ictl_ctx *ctx, struct ictl_device_list *out);
int snap_group(struct ictl_ctx *ctx, unsigned int id, struct ictl_group *out);
int snap_device(struct ictl_ctx *ctx, const char *name, struct ictl_device *out);
/* The groups the snapshot holds (read only), or NULL. */
const struct ictl_group_list *snap_group_list(struct ictl_ctx *ctx);

/* --- utilities ------------------------------------------------------------ */

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(const int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void strv_clearp(struct strv *s)
{
	strv_clear(s);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))
#define _cleanup_strv_ __attribute__((cleanup(strv_clearp)))

/*
 * A persisted udev rule's text (tlen bytes, NUL at tlen) for e->device, checked against
 * what iommuctl persist writes (persist.c; fills run, group, driver, problem of e).
 */
void persist_rule_check(const char *text, size_t tlen, const char *self,
			struct ictl_persist_entry *e);
/* snprintf that reports truncation as -ENAMETOOLONG. */
int path_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A whole string of hex digits, with or without 0x; -EINVAL otherwise. */
int parse_hex_u64(const char *s, uint64_t *v);
/* Copy with truncation; always terminates. */
void str_copy(char *dst, const char *src, size_t len);
/*
 * snprintf for messages, fast: %s %c %d %i %u %x %p %% with l, ll or z, and # with
 * x, are written directly; anything else goes to vsnprintf.  The same text and
 * return as snprintf.
 */
int str_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int str_vfmt(char *buf, size_t len, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* v's digits (decimal, or hex without 0x) written backwards, ending before end: their start. */
char *str_digits(char *end, unsigned long long v, bool hex);
/* The address of a PCI device name as ictl_parse_pci_name() reads it, without a message; -EINVAL. */
int pci_name_addr(const char *s, struct ictl_pci_addr *addr);
/* Natural order for group numbers and sysfs names ("10" after "9"). */
int name_cmp(const char *a, const char *b);
/*
 * Grow an array by one element; returns a pointer to the new zeroed slot or NULL
 * (the array is unchanged).  Growth is geometric: the array has room for the next
 * power of two of *n.  So an array given to array_push must start empty (NULL, 0)
 * and grow only through array_push; lowering *n is fine.  (ASan builds catch a
 * violation: the memset of the new slot would overflow.)
 */
void *array_push(void *arrayp, size_t *n, size_t elem_size);
/* Zeroed room for n elements (at least one) that array_push may grow from count n; or NULL. */
void *array_alloc(size_t n, size_t elem_size);
/*
 * Replace dfd/name atomically with content, mode bits exactly mode: a
 * temporary ".NAME.tmp" beside it (never followed through a symlink), fsync,
 * rename, fsync of the directory.  -errno; nothing is left behind on failure.
 */
int write_file_atomic(int dfd, const char *name, const char *content, unsigned int mode);

struct pci_access *ictl_pci_access(struct ictl_ctx *ctx);

/* IOMMU_GET_HW_INFO through a fresh iommufd bound to the device's VFIO cdev (hwinfo.c). */
int ictl_hw_info_iommufd(struct ictl_ctx *ctx, const struct ictl_device *d,
			 struct ictl_hw_info *out);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Whether the kernel pins a file's pages through its fd (IOMMU_IOAS_MAP_FILE:
 * shmem and hugetlbfs files only); by fd, or by path when fd < 0.  *fs names
 * the filesystem of one it cannot ("ext2/3/4", "xfs", ...).  true when it
 * cannot tell (the kernel will say).
 */
bool ictl_file_pinnable(int fd, const char *path, const char **fs);

/*
 * Whether a mapping of [offset, offset + size) of a file can be made: a regular
 * file that long and, for a device to write to, one whose pages the kernel pins
 * by fd.  By fd, or by path when fd < 0.  0 (and *pinnable), or an errno with
 * the reason, naming the file, in why.
 */
int ictl_file_mappable(int fd, const char *path, uint64_t offset, uint64_t size, bool write,
		       bool *pinnable, char *why, size_t len);

#endif /* ICTL_INTERNAL_H */
