// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state files of holders (see held.h): published atomically in the state
 * directory, read back strictly (a regular file of this user, bounded), the
 * holders listed and the stale ones removed, and a holder's fds taken with
 * pidfd_getfd once it is known to be the process that wrote its file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "held.h"
#include "internal.h"
#include "owner-journal.h"

int ictl_proc_start_time(struct ictl_ctx *ctx, int pid, uint64_t *start)
{
	char path[64], buf[1024], *p, *end;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	r = sysfs_read_str(ctx, path, buf, sizeof(buf));
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* after the command's name (in parentheses, anything inside): field 3 on */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	p++;
	if (p[1] == 'Z' || p[1] == 'X')
		return -ESRCH;		/* dead: its fds are closed, it holds nothing */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	errno = 0;
	*start = strtoull(p + 1, &end, 10);
	return errno || end == p + 1 ? -EIO : 0;
}

/* The state directory, refused unless it is this user's and no one else can write it. */
static int held_dir(struct ictl_ctx *ctx, bool create)
{
	int dfd = own_state_dir(ctx, create);
	struct stat st;

	if (dfd < 0)
		return dfd;
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(dfd);
		return ictl_err(ctx, EPERM,
				"the state directory is not this user's, or others may write it (mode %03o, owner %u): it cannot hold held sets",
				(unsigned int)(st.st_mode & 0777), (unsigned int)st.st_uid);
	}
	return dfd;
}

static void state_name(int pid, char *buf, size_t len)
{
	snprintf(buf, len, "held-%d.state", pid);
}

/* The notes of other processes' mappings (held.h): held-PID.maps. */
static void notes_name(int pid, char *buf, size_t len)
{
	snprintf(buf, len, "held-%d.maps", pid);
}

int ictl_held_publish(struct ictl_ctx *ctx, struct ictl_held *h)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *text = NULL;
	char name[64];
	int r;

	h->pid = (int)getpid();
	r = ictl_proc_start_time(ctx, h->pid, &h->start);
	if (r < 0)
		return ictl_err(ctx, -r, "the start time of this process (/proc/%d/stat): %s", h->pid,
				strerror(-r));
	dfd = held_dir(ctx, true);
	if (dfd < 0)
		return ictl_err_wrap(ctx, -dfd, "publishing the held set");
	text = ictl_held_format(h);
	if (!text)
		return ictl_err(ctx, ENOMEM, "the held set: out of memory");
	state_name(h->pid, name, sizeof(name));
	r = write_file_atomic(dfd, name, text, 0600);
	return r < 0 ? ictl_err(ctx, -r, "held set %s: %s", name, strerror(-r)) : 0;
}

void ictl_held_unpublish(struct ictl_ctx *ctx, int pid)
{
	_cleanup_close_ int dfd = own_state_dir(ctx, false);
	char name[64];

	if (dfd < 0) {
		ctx->err[0] = '\0';
		return;
	}
	notes_name(pid, name, sizeof(name));
	unlinkat(dfd, name, 0);
	state_name(pid, name, sizeof(name));
	unlinkat(dfd, name, 0);
}

/*
 * The text of name in dfd (a regular file of this user that no one else may
 * write, at most ICTL_HELD_FILE_MAX bytes; *text malloc'd, NUL-terminated):
 * its length, -ENOENT (no error set) when it is not there.
 */
static ssize_t read_own_file(struct ictl_ctx *ctx, int dfd, const char *name, char **text)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;

	*text = NULL;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return ictl_err_data(ctx, errno == ELOOP ? EPERM : errno, "%s: %s", name,
				     errno == ELOOP ? "a symbolic link: refused (a state file is a regular file)" :
						      strerror(errno));
	if (fstat(fd, &st) < 0)
		return ictl_err(ctx, errno, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ictl_err_data(ctx, EPERM, "%s: not a regular file: refused", name);
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return ictl_err_data(ctx, EPERM,
				     "%s: owned by uid %u or writable by others (mode %03o): refused", name,
				     (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 0777));
	if (st.st_size > ICTL_HELD_FILE_MAX)
		return ictl_err_data(ctx, EFBIG, "%s: %lld bytes: a state file has at most %d", name,
				     (long long)st.st_size, ICTL_HELD_FILE_MAX);
	*text = malloc(ICTL_HELD_FILE_MAX + 2);
	if (!*text)
		return ictl_err(ctx, ENOMEM, "%s: out of memory", name);
	n = read(fd, *text, ICTL_HELD_FILE_MAX + 1);
	if (n < 0) {
		free(*text);
		*text = NULL;
		return ictl_err(ctx, errno, "%s: %s", name, strerror(errno));
	}
	(*text)[n] = '\0';
	return n;
}

int ictl_held_read_at(struct ictl_ctx *ctx, int dfd, const char *name, struct ictl_held *out)
{
	_cleanup_free_ char *text = NULL, *notes = NULL;
	char nname[64];
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	n = read_own_file(ctx, dfd, name, &text);
	if (n < 0)
		return (int)n;
	r = ictl_held_parse(ctx, name, text, (size_t)n, out);
	if (r < 0)
		return r;
	/* What other processes mapped and unmapped since (held map, held unmap). */
	notes_name(out->pid, nname, sizeof(nname));
	n = read_own_file(ctx, dfd, nname, &notes);
	if (n == -ENOENT)
		return 0;
	r = n < 0 ? (int)n : ictl_held_parse_notes(ctx, nname, notes, (size_t)n, out);
	if (r < 0)
		ictl_held_clear(out);
	return r;
}

/* Append line (one record, newline included) to the notes of holder, under a lock. */
static int note(struct ictl_ctx *ctx, int holder, const char *line)
{
	_cleanup_close_ int dfd = held_dir(ctx, false), fd = -1;
	char name[64], head[32];
	struct stat st;
	size_t len = strlen(line);
	int r = 0;

	if (dfd < 0)
		return dfd == -ENOENT ? ictl_err(ctx, ENOENT, "no state directory: holder %d published nothing", holder) :
					ictl_err_wrap(ctx, -dfd, "noting a mapping of holder %d", holder);
	notes_name(holder, name, sizeof(name));
	fd = openat(dfd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return ictl_err(ctx, errno == ELOOP ? EPERM : errno, "%s: %s", name,
				errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0)
		return ictl_err(ctx, errno, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return ictl_err_data(ctx, EPERM, "%s: not a regular file of this user that only it may write: refused",
				     name);
	if (st.st_size + (off_t)len + 32 > ICTL_HELD_FILE_MAX)
		return ictl_err(ctx, EFBIG, "%s: full (%d bytes): the holder has too many notes", name,
				ICTL_HELD_FILE_MAX);
	snprintf(head, sizeof(head), "iommuctl-held-maps %d\n", ICTL_HELD_NOTES_VERSION);
	if (!st.st_size && write(fd, head, strlen(head)) != (ssize_t)strlen(head))
		r = -1;
	if (!r && write(fd, line, len) != (ssize_t)len)
		r = -1;
	if (r)
		return ictl_err(ctx, errno ? errno : EIO, "%s: %s", name, strerror(errno ? errno : EIO));
	return 0;
}

int ictl_held_note_map(struct ictl_ctx *ctx, int holder, const struct ictl_held_map *m)
{
	char line[160];

	if (!ictl_held_memory_ok(m->memory) || m->by <= 0 || (m->name[0] && !ictl_held_name_ok(m->name)))
		return ictl_err(ctx, EINVAL, "a note of a mapping names its memory and its process");
	snprintf(line, sizeof(line), "map %s %u 0x%llx 0x%llx %s %d\n", m->name[0] ? m->name : "-",
		 m->ioas, (unsigned long long)m->iova, (unsigned long long)m->length, m->memory, m->by);
	return note(ctx, holder, line);
}

int ictl_held_note_unmap(struct ictl_ctx *ctx, int holder, uint32_t ioas, uint64_t iova,
			 uint64_t length)
{
	char line[128];

	snprintf(line, sizeof(line), "unmap %u 0x%llx 0x%llx %d\n", ioas, (unsigned long long)iova,
		 (unsigned long long)length, (int)getpid());
	return note(ctx, holder, line);
}

int ictl_held_read(struct ictl_ctx *ctx, int pid, struct ictl_held *out)
{
	_cleanup_close_ int dfd = held_dir(ctx, false);
	char name[64];
	int r;

	memset(out, 0, sizeof(*out));
	if (dfd == -ENOENT)
		return ictl_err(ctx, ENOENT, "no holder with pid %d (no state directory): 'iommuctl held list' shows the holders",
				pid);
	if (dfd < 0)
		return dfd;
	state_name(pid, name, sizeof(name));
	r = ictl_held_read_at(ctx, dfd, name, out);
	if (r == -ENOENT)
		return ictl_err(ctx, ENOENT, "no holder with pid %d (no %s): 'iommuctl held list' shows the holders",
				pid, name);
	if (!r && out->pid != pid) {
		ictl_held_clear(out);
		return ictl_err_data(ctx, EINVAL, "%s:2: pid: not %d, the pid of its name", name, pid);
	}
	return r;
}

bool ictl_held_alive(struct ictl_ctx *ctx, const struct ictl_held *h)
{
	uint64_t start;

	return !ictl_proc_start_time(ctx, h->pid, &start) && start == h->start;
}

static bool state_file_pid(const char *name, int *pid)
{
	char tail[8];
	int n = 0;

	return sscanf(name, "held-%d%7s%n", pid, tail, &n) == 2 && !strcmp(tail, ".state") &&
	       *pid > 0 && !name[n];
}

/* The names of the state files of dfd, by pid. */
static int list_state_files(int dfd, int **pids, size_t *n)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dfd);

	*pids = NULL;
	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		int pid, *p;

		if (!state_file_pid(e->d_name, &pid))
			continue;
		p = array_push(pids, n, sizeof(*p));
		if (!p) {
			closedir(d);
			return -ENOMEM;
		}
		*p = pid;
	}
	closedir(d);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a < *(const int *)b ? -1 : *(const int *)a > *(const int *)b;
}

int ictl_held_holders(struct ictl_ctx *ctx, struct ictl_held_holder **out, size_t *nout)
{
	_cleanup_close_ int dfd = held_dir(ctx, false);
	_cleanup_free_ int *pids = NULL;
	size_t n;
	int r;

	*out = NULL;
	*nout = 0;
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	r = list_state_files(dfd, &pids, &n);
	if (r < 0)
		return ictl_err(ctx, -r, "the state directory: %s", strerror(-r));
	if (n)
		qsort(pids, n, sizeof(*pids), cmp_int);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return ictl_err(ctx, ENOMEM, "holders: out of memory");
	for (size_t i = 0; i < n; i++) {
		struct ictl_held_holder *x = &(*out)[i];
		struct ictl_held h;
		char name[64];

		x->pid = pids[i];
		state_name(pids[i], name, sizeof(name));
		r = ictl_held_read_at(ctx, dfd, name, &h);
		if (!r && h.pid != pids[i])
			r = ictl_err_data(ctx, EINVAL, "%s:2: pid: not %d, the pid of its name", name,
					  pids[i]);
		if (r < 0) {
			x->err = r;
			str_copy(x->msg, ictl_strerror(ctx), sizeof(x->msg));
			x->alive = !kill(pids[i], 0) || errno == EPERM;
			ctx->err[0] = '\0';
		} else {
			x->alive = ictl_held_alive(ctx, &h);
			x->nobjs = h.nobjs;
			x->nmaps = h.nmaps;
		}
		ictl_held_clear(&h);
	}
	*nout = n;
	return 0;
}

int ictl_held_only_holder(struct ictl_ctx *ctx, int *pid)
{
	struct ictl_held_holder *v = NULL;
	char list[256] = "";
	size_t n, alive = 0;
	int r = ictl_held_holders(ctx, &v, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list);

		if (!v[i].alive || v[i].err)
			continue;
		if (!alive++)
			*pid = v[i].pid;
		if (len < sizeof(list) - 16)
			snprintf(list + len, sizeof(list) - len, "%s%d", alive > 1 ? ", " : "", v[i].pid);
	}
	free(v);
	if (alive == 1)
		return 0;
	if (!alive)
		return ictl_err(ctx, ENOENT,
				"no held set: hold one with 'iommuctl apply SPEC --hold' ('iommuctl held list' shows the holders)");
	return ictl_err(ctx, EINVAL, "%zu holders (pids %s): give --pid PID", alive, list);
}

/* Give back a group the gone holder claimed: 0, or -errno (the context says why). */
static int give_back(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int pid,
		     unsigned int group)
{
	struct ictl_own_plan rel;
	int r = ictl_release_plan(ctx, group, &rel);

	if (r == -EUNATCH) {		/* not claimed any more: given back already */
		ctx->err[0] = '\0';
		return 0;
	}
	if (!r) {
		r = ictl_own_apply(ctx, o, &rel);
		ictl_own_plan_clear(&rel);
	}
	return r < 0 ? ictl_err_wrap(ctx, -r, "group %u, claimed by holder %d that is gone", group,
				     pid) : 0;
}

int ictl_held_recover(struct ictl_ctx *ctx, const struct ictl_own_opts *o,
		      struct ictl_held_recovered *out, size_t max)
{
	_cleanup_free_ struct ictl_held_holder *v = NULL;
	_cleanup_close_ int dfd = -1;
	size_t n, k = 0;
	int r;

	if (!ctx->live)		/* a capture's processes cannot be asked whether they run */
		return 0;
	r = ictl_held_holders(ctx, &v, &n);
	if (r < 0 || !n)
		return r;
	dfd = held_dir(ctx, false);
	if (dfd < 0)
		return dfd;
	for (size_t i = 0; i < n; i++) {
		struct ictl_held_recovered x = { .pid = v[i].pid, .ok = true };
		struct ictl_held h;
		char name[64];

		if (v[i].alive || v[i].err)
			continue;
		state_name(v[i].pid, name, sizeof(name));
		if (ictl_held_read_at(ctx, dfd, name, &h) < 0)
			continue;
		x.ngroups = h.ngroups;
		memcpy(x.groups, h.groups, sizeof(x.groups));
		for (size_t g = 0; g < h.ngroups; g++)
			x.ok &= !give_back(ctx, o, h.pid, h.groups[g]);
		ictl_held_clear(&h);
		if (x.ok && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			x.ok = !ictl_err(ctx, errno, "%s: %s", name, strerror(errno));
		notes_name(v[i].pid, name, sizeof(name));
		if (x.ok && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			x.ok = !ictl_err(ctx, errno, "%s: %s", name, strerror(errno));
		if (k < max)
			out[k] = x;
		k++;
	}
	fsync(dfd);
	return (int)k;
}

/* --- a holder's fds ----------------------------------------------------------------- */

/* Is fd /dev/iommu (the same character device), or an iommufd event queue of kind? */
static int check_fd(struct ictl_ctx *ctx, const struct ictl_held *h, int holder_fd, int fd,
		    enum ictl_obj_kind kind)
{
	const char *want = kind == ICTL_OBJ_FAULT ? "anon_inode:[iommufd-pgfault]" :
						    "anon_inode:[iommufd-viommu-event]";
	char link[64], buf[128] = "";
	_cleanup_close_ int dev = -1;
	struct stat a, b;

	if (kind != ICTL_OBJ_FAULT && kind != ICTL_OBJ_VEVENTQ) {
		if (fstat(fd, &b) < 0)
			return ictl_err(ctx, errno, "fd %d of holder %d: %s", holder_fd, h->pid,
					strerror(errno));
		dev = sysfs_open(ctx, "/dev/iommu", O_PATH);
		if (S_ISCHR(b.st_mode) && dev >= 0 && !fstat(dev, &a) && a.st_rdev == b.st_rdev)
			return 0;
		return ictl_err_data(ctx, EINVAL,
				     "fd %d of holder %d (its iommufd in %s) is not /dev/iommu%s: the state file is wrong",
				     holder_fd, h->pid, h->file,
				     dev < 0 ? " (this system has none)" : "");
	}
	dev = sysfs_open(ctx, "/proc/self/fd", O_PATH | O_DIRECTORY);
	snprintf(link, sizeof(link), "%d", fd);
	if (dev < 0 || readlinkat(dev, link, buf, sizeof(buf) - 1) < 0 || strcmp(buf, want))
		return ictl_err_data(ctx, EINVAL,
				     "fd %d of holder %d is '%.64s', not a %s's (%s): the state file %s is wrong",
				     holder_fd, h->pid, buf, ictl_obj_kind_name(kind), want, h->file);
	return 0;
}

int ictl_held_getfd(struct ictl_ctx *ctx, const struct ictl_held *h, int fd,
		    enum ictl_obj_kind kind, int *out)
{
	_cleanup_close_ int pidfd = -1;
	int r, nfd;

	*out = -1;
	if (!ctx->live)
		return ictl_err(ctx, EINVAL, "with --sysroot there is no holder to act on: drop it");
	pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	/* the pidfd pins the process: checked after it, the start time cannot go stale */
	if (pidfd < 0 && errno != ESRCH)
		return ictl_err(ctx, errno, "pidfd_open of holder %d: %s", h->pid, strerror(errno));
	if (pidfd < 0 || !ictl_held_alive(ctx, h))
		return ictl_err(ctx, ENOENT,
				"holder %d is gone (%s is stale): 'iommuctl recover' removes it", h->pid,
				h->file);
	nfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (nfd < 0 && (errno == EPERM || errno == EACCES))
		return ictl_err(ctx, EPERM,
				"taking fd %d of holder %d needs ptrace access to it (pidfd_getfd): run as root",
				fd, h->pid);
	if (nfd < 0 && errno == EBADF)
		return ictl_err_data(ctx, EINVAL, "holder %d has no fd %d: %s is wrong", h->pid, fd,
				     h->file);
	if (nfd < 0)
		return ictl_err(ctx, errno, "pidfd_getfd of fd %d of holder %d: %s", fd, h->pid,
				strerror(errno));
	r = check_fd(ctx, h, fd, nfd, kind);
	if (r < 0) {
		close(nfd);
		return r;
	}
	*out = nfd;
	return 0;
}
