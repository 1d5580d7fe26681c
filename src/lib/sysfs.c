// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysfs seam.  Every path is relative to the context's root directory and
 * resolved with openat2(RESOLVE_IN_ROOT): ".." and absolute symlinks stop at the
 * root, so a captured tree replays exactly and nothing outside it is opened.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"

/*
 * openat2 with RESOLVE_IN_ROOT or RESOLVE_BENEATH fails with EAGAIN when a rename
 * or mount anywhere on the system raced with a ".." it resolved (sysfs links are
 * full of them: ../../../devices/...); the kernel asks the caller to retry.
 */
static int openat2_retry(int dfd, const char *path, const struct open_how *how)
{
	long fd;
	int tries = 0;

	do
		fd = syscall(SYS_openat2, dfd, path, how, sizeof(*how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 1000);
	return fd < 0 ? -errno : (int)fd;
}

/* A read never waits for a writer: a FIFO where a file belongs reads as empty, or is refused. */
static int nonblock(int flags)
{
	return (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_PATH | O_DIRECTORY)) ?
		       flags | O_NONBLOCK : flags;
}

int sysfs_open(struct ictl_ctx *ctx, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(nonblock(flags) | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	/* Whatever is opened for writing may change what the snapshot holds (a bind, an unbind). */
	if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))
		ctx->snap.writes++;
	while (*path == '/')
		path++;
	return openat2_retry(ctx->rootfd, path, &how);
}

/*
 * One entry of a directory opened through sysfs_open: RESOLVE_BENEATH keeps the
 * lookup inside that directory (a symlink out of it fails with -EXDEV), so the
 * root is never left, and the long path to the directory is walked only once.
 */
int sysfs_openat(struct ictl_ctx *ctx, int dfd, const char *name, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(nonblock(flags) | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))
		ctx->snap.writes++;
	return openat2_retry(dfd, name, &how);
}

bool sysfs_exists(struct ictl_ctx *ctx, const char *path)
{
	_cleanup_close_ int fd = sysfs_open(ctx, path, O_PATH);

	return fd >= 0;
}

static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The path of dfd/name (dfd < 0: name from the root) for a message: below the root as given. */
static void seam_path(struct ictl_ctx *ctx, int dfd, const char *name, char *buf, size_t len)
{
	_cleanup_free_ char *dir = NULL;
	const char *root = ctx->live ? "" : ctx->root;
	int rl = (int)strlen(root);

	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	while (*name == '/')
		name++;
	if (dfd >= 0 && dfd != ctx->rootfd && sysfs_fd_realpath(ctx, dfd, &dir) == 0 && dir[0])
		snprintf(buf, len, "%.*s/%s/%s", rl, root, dir, name);
	else
		snprintf(buf, len, "%.*s/%s", rl, root, name);
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a file";
}

/*
 * What the seam reads is a regular file (a sysfs or procfs attribute, a file of a
 * capture) of at most cap bytes: a FIFO, a device or a directory where a file
 * belongs, or a file larger than its kind can be, is a damaged tree, named.
 */
int sysfs_check_file(struct ictl_ctx *ctx, int fd, int dfd, const char *name, size_t cap)
{
	char path[PATH_MAX];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size <= cap)
		return 0;
	seam_path(ctx, dfd, name, path, sizeof(path));
	if (!S_ISREG(st.st_mode))
		return ictl_err_data(ctx, EINVAL, "%s is %s, not a file: the tree is damaged",
				     path, file_kind(st.st_mode));
	return ictl_err_data(ctx, EFBIG,
			     "%s is %jd bytes, more than such a file can hold (%zu): the tree is damaged",
			     path, (intmax_t)st.st_size, cap);
}

/*
 * Open a file to read: never blocking (a FIFO), never a terminal; checked by
 * sysfs_check_file.  A failed open other than -ENOENT names the file too.
 */
static int open_file(struct ictl_ctx *ctx, int dfd, const char *name, size_t cap)
{
	int fd = dfd < 0 ? sysfs_open(ctx, name, O_RDONLY | O_NONBLOCK | O_NOCTTY) :
			   sysfs_openat(ctx, dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	char path[PATH_MAX];
	int r;

	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR)
			return fd;
		seam_path(ctx, dfd, name, path, sizeof(path));
		return ictl_err_data(ctx, -fd, "%s: %s", path, strerror(-fd));
	}
	r = sysfs_check_file(ctx, fd, dfd, name, cap);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static void strip_newline(char *s, size_t n)
{
	s[n] = '\0';
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* A text file holds no NUL byte: what follows one would be dropped unseen ("5\0junk"). */
static int check_text(struct ictl_ctx *ctx, int dfd, const char *name, const char *buf, size_t n)
{
	const char *nul = memchr(buf, '\0', n);
	char path[PATH_MAX];

	if (!nul)
		return 0;
	seam_path(ctx, dfd, name, path, sizeof(path));
	return ictl_err_data(ctx, EINVAL,
			     "%s holds a NUL byte (at offset %zu): it is not text; the tree is damaged",
			     path, (size_t)(nul - buf));
}

/*
 * Read a small attribute.  once: with one read(2), as sysfs hands out a whole
 * attribute in the first read and a regular file (a capture) reads short only
 * at its end; that saves the read that would only see the end of the file.
 * dfd and name: what to name in an error (dfd -1: name is the path).
 */
static int read_str_fd(struct ictl_ctx *ctx, int fd, int dfd, const char *name, char *buf,
		       size_t len, bool once)
{
	ssize_t n;

	if (fd < 0)
		return fd;
	if (once) {
		do
			n = read(fd, buf, len - 1);
		while (n < 0 && errno == EINTR);
		n = n < 0 ? -errno : n;
	} else {
		n = read_all(fd, buf, len - 1);
	}
	close(fd);
	if (n < 0)
		return (int)n;
	if (check_text(ctx, dfd, name, buf, (size_t)n) < 0) {
		buf[0] = '\0';
		return -EINVAL;
	}
	strip_newline(buf, (size_t)n);
	return 0;
}

int sysfs_read_str(struct ictl_ctx *ctx, const char *path, char *buf, size_t len)
{
	return read_str_fd(ctx, open_file(ctx, -1, path, SYSFS_ATTR_MAX), -1, path, buf, len,
			   false);
}

int sysfs_read_str_at(struct ictl_ctx *ctx, int dfd, const char *name, char *buf, size_t len)
{
	return read_str_fd(ctx, open_file(ctx, dfd, name, SYSFS_ATTR_MAX), dfd, name, buf, len,
			   true);
}

static int read_alloc_fd(struct ictl_ctx *ctx, int fd, int dfd, const char *name, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, path[PATH_MAX];

	if (fd < 0)
		return fd;
	for (;;) {
		char *nb = realloc(buf, cap + 1);
		ssize_t n;

		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		n = read_all(fd, buf + len, cap - len);
		if (n < 0) {
			free(buf);
			seam_path(ctx, dfd, name, path, sizeof(path));
			return ictl_err_data(ctx, (int)-n, "%s: %s", path, strerror((int)-n));
		}
		len += (size_t)n;
		if (len < cap)
			break;
		if (cap >= SYSFS_TEXT_MAX) {
			free(buf);
			seam_path(ctx, dfd, name, path, sizeof(path));
			return ictl_err_data(ctx, EFBIG,
					     "%s is longer than such a file can be (%u bytes): the tree is damaged",
					     path, SYSFS_TEXT_MAX);
		}
		cap *= 2;
	}
	buf[len] = '\0';
	if (check_text(ctx, dfd, name, buf, len) < 0) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

int sysfs_read_alloc(struct ictl_ctx *ctx, const char *path, char **out)
{
	_cleanup_close_ int fd = open_file(ctx, -1, path, SYSFS_TEXT_MAX);

	return read_alloc_fd(ctx, fd, -1, path, out);
}

int sysfs_read_alloc_at(struct ictl_ctx *ctx, int dfd, const char *name, char **out)
{
	_cleanup_close_ int fd = open_file(ctx, dfd, name, SYSFS_TEXT_MAX);

	return read_alloc_fd(ctx, fd, dfd, name, out);
}

/* A bounded binary file (config space): up to len bytes; the count read. */
ssize_t sysfs_read_bin(struct ictl_ctx *ctx, const char *path, void *buf, size_t len)
{
	_cleanup_close_ int fd = open_file(ctx, -1, path, len);
	char where[PATH_MAX];
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read_all(fd, buf, len);
	if (n < 0) {
		seam_path(ctx, -1, path, where, sizeof(where));
		return ictl_err_data(ctx, (int)-n, "%s: %s", where, strerror((int)-n));
	}
	return n;
}

static int not_number(struct ictl_ctx *ctx, int dfd, const char *name, const char *buf)
{
	char path[PATH_MAX];

	seam_path(ctx, dfd, name, path, sizeof(path));
	return ictl_err_data(ctx, EINVAL, "%s: '%.40s' is not a number: the tree is damaged", path,
			     buf);
}

/*
 * A number as sysfs writes one: decimal digits, or 0x and hex digits; nothing
 * before (no blank, no sign: strtoull reads " -1" as 2^64-1), nothing after (the
 * newline is stripped), no octal (a leading 0 is decimal).
 */
static int parse_u64(const char *buf, uint64_t *v)
{
	bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	const char *s = hex ? buf + 2 : buf;
	char *end;

	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
			return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, &end, hex ? 16 : 10);
	return errno || *end ? -EINVAL : 0;
}

int sysfs_read_u64(struct ictl_ctx *ctx, const char *path, uint64_t *v)
{
	char buf[64];
	int r = sysfs_read_str(ctx, path, buf, sizeof(buf));

	if (r < 0)
		return r;
	return parse_u64(buf, v) < 0 ? not_number(ctx, -1, path, buf) : 0;
}

int sysfs_read_u64_at(struct ictl_ctx *ctx, int dfd, const char *name, uint64_t *v)
{
	char buf[64];
	int r = sysfs_read_str_at(ctx, dfd, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	return parse_u64(buf, v) < 0 ? not_number(ctx, dfd, name, buf) : 0;
}

int sysfs_read_hex(struct ictl_ctx *ctx, const char *path, uint64_t *v)
{
	char buf[64];
	int r = sysfs_read_str(ctx, path, buf, sizeof(buf));

	if (r < 0)
		return r;
	return parse_hex_u64(buf, v) < 0 ? not_number(ctx, -1, path, buf) : 0;
}

/* An int as sysfs writes one: parse_u64's forms, with a '-' for a negative one (numa_node -1). */
static int parse_int(const char *buf, int *v)
{
	bool neg = buf[0] == '-';
	uint64_t u;

	if (parse_u64(buf + neg, &u) < 0 || u > (neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX))
		return -EINVAL;
	*v = neg ? (int)-(int64_t)u : (int)u;
	return 0;
}

int sysfs_read_int(struct ictl_ctx *ctx, const char *path, int *v)
{
	char buf[64];
	int r = sysfs_read_str(ctx, path, buf, sizeof(buf));

	if (r < 0)
		return r;
	return parse_int(buf, v) < 0 ? not_number(ctx, -1, path, buf) : 0;
}

int sysfs_read_int_at(struct ictl_ctx *ctx, int dfd, const char *name, int *v)
{
	char buf[64];
	int r = sysfs_read_str_at(ctx, dfd, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	return parse_int(buf, v) < 0 ? not_number(ctx, dfd, name, buf) : 0;
}

static int split_parent(const char *path, char *dir, size_t len, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		str_copy(dir, ".", len);
		*base = path;
		return 0;
	}
	if ((size_t)(slash - path) >= len)
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*base = slash + 1;
	return 0;
}

static int link_base_at(int dfd, const char *name, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *last;
	ssize_t n;

	n = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	last = strrchr(target, '/');
	last = last ? last + 1 : target;
	if (strlen(last) >= len)
		return -ENAMETOOLONG;
	str_copy(buf, last, len);
	return 0;
}

int sysfs_link_base(struct ictl_ctx *ctx, const char *path, char *buf, size_t len)
{
	char dir[PATH_MAX];
	const char *base;
	_cleanup_close_ int dfd = -1;
	int r;

	r = split_parent(path, dir, sizeof(dir), &base);
	if (r < 0)
		return r;
	dfd = sysfs_open(ctx, dir, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	return link_base_at(dfd, base, buf, len);
}

/* readlinkat resolves a name's leading components without RESOLVE_*: one component only. */
int sysfs_link_base_at(int dfd, const char *name, char *buf, size_t len)
{
	if (strchr(name, '/'))
		return -EINVAL;
	return link_base_at(dfd, name, buf, len);
}

static int fd_path(int fd, char *buf, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * Where does an fd opened inside the root really live?  The kernel tells us
 * through /proc/self/fd; we strip the root's own absolute path (read once per
 * context) from the answer.
 */
int sysfs_fd_realpath(struct ictl_ctx *ctx, int fd, char **out)
{
	char abs[PATH_MAX];
	size_t rl;
	int r;

	if (!ctx->rootabs) {
		r = fd_path(ctx->rootfd, abs, sizeof(abs));
		if (r < 0)
			return r;
		ctx->rootabs = strdup(abs);
		if (!ctx->rootabs)
			return -ENOMEM;
	}
	r = fd_path(fd, abs, sizeof(abs));
	if (r < 0)
		return r;
	rl = strcmp(ctx->rootabs, "/") ? strlen(ctx->rootabs) : 0;
	if (strncmp(abs, ctx->rootabs, rl) || (abs[rl] != '/' && abs[rl] != '\0'))
		return -EXDEV;
	*out = strdup(abs[rl] == '/' ? abs + rl + 1 : abs + rl);
	return *out ? 0 : -ENOMEM;
}

int sysfs_realpath(struct ictl_ctx *ctx, const char *path, char **out)
{
	_cleanup_close_ int fd = sysfs_open(ctx, path, O_PATH);

	return fd < 0 ? fd : sysfs_fd_realpath(ctx, fd, out);
}

/* Natural order; names equal but for leading zeros ("a01", "a1") by strcmp, so the order is total. */
static int cmp_names(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = name_cmp(x, y);

	return c ? c : strcmp(x, y);
}

static int list_fd(int fd, struct strv *out)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	*out = (struct strv){ 0 };
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		/* sysfs names never start with '.'; captures keep empty dirs with .keep */
		if (de->d_name[0] == '.')
			continue;
		r = strv_push(out, de->d_name);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		strv_clear(out);
		return r;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_names);
	return 0;
}

int sysfs_list(struct ictl_ctx *ctx, const char *path, struct strv *out)
{
	return list_fd(sysfs_open(ctx, path, O_RDONLY | O_DIRECTORY), out);
}

int sysfs_list_at(struct ictl_ctx *ctx, int dfd, const char *name, struct strv *out)
{
	return list_fd(sysfs_openat(ctx, dfd, name, O_RDONLY | O_DIRECTORY), out);
}
