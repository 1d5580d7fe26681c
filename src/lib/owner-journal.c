// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state of ownership transactions on disk: the state directory, a flock
 * per group that keeps two runs apart, and the journal (written atomically:
 * temp file, fsync, rename; the format is in owner-journal.h).
 *
 * The journal holds, for every member, the state recovery brings it to: the
 * original driver and driver_override while a claim runs ("claiming": undo),
 * the same while a release runs ("releasing": finish).  A finished claim
 * leaves it in phase "claimed", so that release knows what to restore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "owner-journal.h"
#include "owner-members.h"

#define MAGIC "iommuctl-journal 1\n"
#define STATE_DIR "run/iommuctl"
/* A journal of 256 members is 20 KiB. */
#define JOURNAL_MAX 65536u

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; (s = strchr(s, '\n')); s++)
		n++;
	return n;
}

/* --- the state directory and the lock ---------------------------------------------- */

/* Where the state directory is, for messages and for IOMMUCTL_STATE_DIR (*env set). */
static int state_path(struct ictl_ctx *ctx, char *buf, size_t len, bool *env_set)
{
	const char *env = getenv("IOMMUCTL_STATE_DIR");
	char live[PATH_MAX], mine[PATH_MAX];
	size_t rl = strlen(ctx->root);

	*env_set = env && env[0];
	while (rl > 1 && ctx->root[rl - 1] == '/')
		rl--;
	if (*env_set)
		str_copy(buf, env, len);
	else if (ctx->live)
		str_copy(buf, "/" STATE_DIR, len);
	else if (path_fmt(buf, len, "%.*s/" STATE_DIR, (int)rl, ctx->root))
		return ictl_err(ctx, ENAMETOOLONG, "sysroot path too long");
	if (!ctx->live && *env_set &&
	    (!strcmp(buf, "/run/iommuctl") || !strcmp(buf, "/run/iommuctl/") ||
	     (realpath("/run/iommuctl", live) && realpath(buf, mine) && !strcmp(live, mine))))
		return ictl_err(ctx, EINVAL,
				"with --sysroot the state directory must not be the live /run/iommuctl (set IOMMUCTL_STATE_DIR)");
	return 0;
}

int own_state_name(struct ictl_ctx *ctx, const char *name, char *buf, size_t len)
{
	bool env;
	int r = state_path(ctx, buf, len, &env);
	size_t n = strlen(buf);

	if (r < 0)
		return r;
	return path_fmt(buf + n, len - n, "/%s", name);
}

static int mkdir_p(char *path)
{
	for (char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (!s)
			return 0;
		*s = '/';
	}
}

/* run/iommuctl below the root, made (run 0755, iommuctl 0700) through the seam. */
static int seam_mkdirs(struct ictl_ctx *ctx)
{
	static const char *const parts[][3] = { { ".", "run", "" }, { "run", "iommuctl", "" } };

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		_cleanup_close_ int pfd = sysfs_open(ctx, parts[i][0], O_PATH | O_DIRECTORY);

		if (pfd < 0)
			return pfd;
		if (mkdirat(pfd, parts[i][1], i ? 0700 : 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/*
 * The state directory must be root's or the caller's and writable by nobody
 * else: whoever can write into it can make the lock or the journal a link.
 */
static int dir_check(struct ictl_ctx *ctx, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ictl_err(ctx, errno, "state directory %s: %s", path, strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ictl_err_data(ctx, EPERM,
				     "state directory %s belongs to uid %u, not root or you: refusing to use it (remove it)",
				     path, (unsigned int)st.st_uid);
	if (st.st_mode & 022)
		return ictl_err_data(ctx, EPERM,
				     "state directory %s is writable by group or others (mode %04o): refusing to use it (chmod go-w it)",
				     path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

int own_state_dir(struct ictl_ctx *ctx, bool create)
{
	char path[PATH_MAX];
	bool env;
	int r = state_path(ctx, path, sizeof(path), &env), fd;

	if (r < 0)
		return r;
	/* The directory iommuctl names itself is below the root, through the seam. */
	if (create && (r = env ? mkdir_p(path) : seam_mkdirs(ctx)) < 0)
		return ictl_err(ctx, -r, "state directory %s: %s", path, strerror(-r));
	fd = env ? open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) :
		   sysfs_open(ctx, STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0 && !env)
		errno = -fd;
	if (fd < 0 && errno == ENOENT && !create)
		return -ENOENT;
	/* O_DIRECTORY | O_NOFOLLOW: a symlink is ELOOP, or ENOTDIR as a symlink is no directory. */
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ictl_err_data(ctx, ELOOP,
				     "state directory %s: it is a symbolic link or not a directory, refusing it (remove it)",
				     path);
	if (fd < 0)
		return ictl_err(ctx, errno, "state directory %s: %s", path, strerror(errno));
	r = dir_check(ctx, fd, path);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * A file of the state directory: never through a symlink, never a FIFO or a
 * device, never a file with other names (a hard link to a file elsewhere); made
 * with O_EXCL when create and it is not there.  -ENOENT (no message) when absent.
 */
int own_state_open(struct ictl_ctx *ctx, int dfd, const char *name, int flags, bool create)
{
	const int base = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char path[PATH_MAX];
	struct stat st;
	int fd = -1, e;

	if (create)
		fd = openat(dfd, name, flags | base | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && (!create || errno == EEXIST))
		fd = openat(dfd, name, flags | base);
	e = fd < 0 ? errno : fstat(fd, &st) < 0 ? errno : 0;
	if (e == ENOENT)
		return -ENOENT;
	if (own_state_name(ctx, name, path, sizeof(path)) < 0)
		str_copy(path, name, sizeof(path));
	if (e == ELOOP)
		return ictl_err_data(ctx, ELOOP,
				     "%s is a symbolic link: refusing to follow it (remove it)", path);
	if (e)
		return ictl_err(ctx, e, "%s: %s", path, strerror(e));
	if (S_ISREG(st.st_mode) && st.st_nlink == 1 && (st.st_uid == 0 || st.st_uid == geteuid()))
		return fd;
	close(fd);
	if (!S_ISREG(st.st_mode))
		return ictl_err_data(ctx, EINVAL, "%s is not a regular file: refusing it (remove it)",
				     path);
	if (st.st_nlink != 1)
		return ictl_err_data(ctx, EINVAL,
				     "%s has %u names (a hard link): refusing it (remove it)", path,
				     (unsigned int)st.st_nlink);
	return ictl_err_data(ctx, EPERM, "%s belongs to uid %u, not root or you: refusing it (remove it)",
			     path, (unsigned int)st.st_uid);
}

int own_lock_group(struct ictl_ctx *ctx, int dfd, unsigned int group, unsigned int timeout_ms,
		   bool *waited)
{
	char name[64], holder[16] = "";
	int fd;

	if (waited)
		*waited = false;
	snprintf(name, sizeof(name), "group-%u.lock", group);
	fd = own_state_open(ctx, dfd, name, O_RDWR, true);
	if (fd < 0)
		return fd;
	for (unsigned int waited_ms = 0;; waited_ms += 50) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Who has it, for the next run's message. */
			if (ftruncate(fd, 0) == 0)
				dprintf(fd, "%d\n", (int)getpid());
			if (waited)
				*waited = waited_ms > 0;
			return fd;
		}
		if (errno != EWOULDBLOCK || waited_ms >= timeout_ms)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	holder[pread(fd, holder, sizeof(holder) - 1, 0) > 0 ? strcspn(holder, "\n") : 0] = '\0';
	close(fd);
	return ictl_err(ctx, EAGAIN,
			"group %u is locked by another iommuctl run%s%s%s (waited %u ms); try again when it ends%s",
			group, holder[0] ? " (pid " : "", holder, holder[0] ? ")" : "", timeout_ms,
			holder[0] ? ", or stop a --hold with kill -TERM" : "");
}

/* --- the journal's text ------------------------------------------------------------ */

static void undash(char *s)
{
	if (!strcmp(s, "-"))
		s[0] = '\0';
}

/* A name iommuctl writes: a driver, "-" (none), "*" (any) when star. */
static bool name_ok(const char *s, bool star)
{
	size_t n = strlen(s);

	if (!strcmp(s, "-") || (star && !strcmp(s, "*")))
		return true;
	return n && n < ICTL_NAME_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

/* A decimal number without sign or leading zeros, at most max. */
static bool num_ok(const char *s, unsigned long long max, unsigned long long *v)
{
	size_t n = strlen(s);

	*v = 0;
	if (!n || n > 19 || (s[0] == '0' && n > 1) || strspn(s, "0123456789") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	return *v <= max;
}

/* Split line at single spaces into at most max fields; the count, or -1 (an empty field). */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *s = line;; s++) {
		if (n == max)
			return -1;
		f[n++] = s;
		s = strchr(s, ' ');
		if (!s)
			break;
		*s = '\0';
	}
	for (int i = 0; i < n; i++) {
		if (!f[i][0])
			return -1;
	}
	return n;
}

static int jerr(struct ictl_ctx *ctx, const char *file, unsigned int line, const char *what)
{
	return ictl_err_data(ctx, EINVAL,
			     "%s line %u: %s; nothing was done and the file is kept: fix or remove it (iommuctl-recover(8))",
			     file, line, what);
}

/* One line after the header: a member. */
static int member_parse(struct ictl_ctx *ctx, const char *file, unsigned int ln, char *l,
			struct own_journal *j)
{
	char *f[7], msg[160];
	struct ictl_pci_addr a;
	struct own_jrec *slot;
	int n = split(l, f, 7);

	if (n != 6 || strcmp(f[0], "member") || strcmp(f[2], "driver") || strcmp(f[4], "override"))
		return jerr(ctx, file, ln, "not 'member DEVICE driver DRIVER override OVERRIDE'");
	if (pci_name_addr(f[1], &a) < 0 ||
	    (snprintf(msg, sizeof(msg), "%04x:%02x:%02x.%x", a.domain, a.bus, a.dev, a.fn),
	     strcmp(msg, f[1])))
		return jerr(ctx, file, ln, "the member is not a PCI address (DDDD:BB:DD.F)");
	if (!name_ok(f[3], true) || !name_ok(f[5], false))
		return jerr(ctx, file, ln, "a driver name iommuctl does not write");
	if (journal_find(j, f[1])) {
		snprintf(msg, sizeof(msg), "member %s is named twice", f[1]);
		return jerr(ctx, file, ln, msg);
	}
	slot = array_push(&j->v, &j->n, sizeof(*j->v));
	if (!slot)
		return -ENOMEM;
	str_copy(slot->device, f[1], sizeof(slot->device));
	str_copy(slot->driver, f[3], sizeof(slot->driver));
	str_copy(slot->override, f[5], sizeof(slot->override));
	undash(slot->driver);
	undash(slot->override);
	return 0;
}

/* Line ln (1-based) of the header: what it must say. */
static int header_parse(struct ictl_ctx *ctx, const char *file, unsigned int ln, char *l,
			struct own_journal *j)
{
	static const char *const keys[] = { "iommuctl-journal", "group", "phase", "target", "pid" };
	static const char *const phases[] = { "claiming", "claimed", "releasing" };
	char *f[3], msg[160];
	unsigned long long v;
	bool known = false;

	if (split(l, f, 3) != 2 || strcmp(f[0], keys[ln - 1])) {
		snprintf(msg, sizeof(msg), "not '%s ...'%s", keys[ln - 1],
			 ln == 1 ? ": it is not an iommuctl journal" : "");
		return jerr(ctx, file, ln, msg);
	}
	switch (ln) {
	case 1:
		return strcmp(f[1], "1") ? jerr(ctx, file, ln, "a journal version this iommuctl does not read (1)") : 0;
	case 2:
		if (!num_ok(f[1], 0x7fffffff, &v))
			return jerr(ctx, file, ln, "the group is not a number from 0 to 2147483647");
		if (v != j->group) {
			snprintf(msg, sizeof(msg), "says group %llu, its name group %u", v, j->group);
			return jerr(ctx, file, ln, msg);
		}
		return 0;
	case 3:
		for (size_t i = 0; i < ARRAY_SIZE(phases); i++)
			known |= !strcmp(f[1], phases[i]);
		if (!known)
			return jerr(ctx, file, ln, "an unknown phase (claiming, claimed, releasing)");
		str_copy(j->phase, f[1], sizeof(j->phase));
		return 0;
	case 4:
		if (!name_ok(f[1], false))
			return jerr(ctx, file, ln, "a target driver iommuctl does not write");
		str_copy(j->target, f[1], sizeof(j->target));
		undash(j->target);
		return 0;
	default:
		return num_ok(f[1], 0x7fffffff, &v) && v ? 0 :
		       jerr(ctx, file, ln, "the pid is not a number from 1 to 2147483647");
	}
}

/*
 * Exactly what journal_format writes: the header in its order, then members, every
 * line ended by a newline, no NUL byte; anything else is refused, naming file and line.
 */
int journal_parse(struct ictl_ctx *ctx, const char *file, char *text, size_t len,
		  struct own_journal *j)
{
	unsigned int ln = 0;
	char *l = text;

	if (memchr(text, '\0', len))
		return jerr(ctx, file, (unsigned int)(1 + count_lines(text)), "a NUL byte");
	if (len && text[len - 1] != '\n') {
		ln = (unsigned int)count_lines(text) + 1;
		return jerr(ctx, file, ln, "cut short (no newline at its end): the write was interrupted");
	}
	while (*l) {
		char *nl = strchr(l, '\n');
		int r;

		*nl = '\0';
		ln++;
		r = ln <= 5 ? header_parse(ctx, file, ln, l, j) : member_parse(ctx, file, ln, l, j);
		if (r < 0)
			return r;
		l = nl + 1;
	}
	if (ln < 5)
		return jerr(ctx, file, ln + 1, ln ? "missing: the journal ends in its header" :
						   "missing: the journal is empty");
	return 0;
}

char *journal_format(const struct own_journal *j, int pid)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, MAGIC "group %u\nphase %s\ntarget %s\npid %d\n", j->group, j->phase,
		own_dash(j->target), pid);
	for (size_t i = 0; i < j->n; i++)
		fprintf(f, "member %s driver %s override %s\n", j->v[i].device,
			own_dash(j->v[i].driver), own_dash(j->v[i].override));
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- the journal's file ------------------------------------------------------------ */

int journal_read(struct ictl_ctx *ctx, int dfd, unsigned int group, struct own_journal *j)
{
	char name[64], file[PATH_MAX];
	_cleanup_free_ char *buf = malloc(JOURNAL_MAX + 1);
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	*j = (struct own_journal){ .group = group };
	snprintf(name, sizeof(name), "group-%u.journal", group);
	if (!buf)
		return -ENOMEM;
	fd = own_state_open(ctx, dfd, name, O_RDONLY, false);
	if (fd < 0)
		return fd;
	if (own_state_name(ctx, name, file, sizeof(file)) < 0)
		str_copy(file, name, sizeof(file));
	do
		n = pread(fd, buf, JOURNAL_MAX + 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ictl_err(ctx, errno, "%s: %s", file, strerror(errno));
	if (n > JOURNAL_MAX)
		return ictl_err_data(ctx, EFBIG,
				     "%s is larger than a journal can be (%u bytes): nothing was done and the file is kept: fix or remove it",
				     file, JOURNAL_MAX);
	buf[n] = '\0';
	r = journal_parse(ctx, file, buf, (size_t)n, j);
	if (r < 0)
		journal_clear(j);
	return r;
}

int journal_write(struct ictl_ctx *ctx, int dfd, const struct own_journal *j)
{
	_cleanup_free_ char *text = journal_format(j, (int)getpid());
	char name[64];
	int r;

	snprintf(name, sizeof(name), "group-%u.journal", j->group);
	r = text ? write_file_atomic(dfd, name, text, 0600) : -ENOMEM;
	return r < 0 ? ictl_err(ctx, -r, "journal %s: %s", name, strerror(-r)) : 0;
}

void journal_remove(int dfd, unsigned int group)
{
	char name[64];

	snprintf(name, sizeof(name), "group-%u.journal", group);
	unlinkat(dfd, name, 0);
	snprintf(name, sizeof(name), "group-%u.paused", group);
	unlinkat(dfd, name, 0);
	fsync(dfd);
}

void journal_clear(struct own_journal *j)
{
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

void journal_peek(struct ictl_ctx *ctx, unsigned int group, struct own_journal *j)
{
	_cleanup_close_ int dfd = own_state_dir(ctx, false);

	*j = (struct own_journal){ 0 };
	if (dfd >= 0 && journal_read(ctx, dfd, group, j) < 0)
		*j = (struct own_journal){ 0 };
	ctx->err[0] = '\0';
}

const struct own_jrec *journal_find(const struct own_journal *j, const char *device)
{
	for (size_t i = 0; i < j->n; i++) {
		if (!strcmp(j->v[i].device, device))
			return &j->v[i];
	}
	return NULL;
}

/* --- the records of a transaction ---------------------------------------------------- */

int journal_fill(struct own_journal *j, const struct ictl_own_plan *p,
		 const struct own_journal *prev, bool wanted)
{
	j->v = calloc(p->nmembers + 1, sizeof(*j->v));
	if (!j->v)
		return -ENOMEM;
	j->n = p->nmembers;
	for (size_t i = 0; i < p->nmembers; i++) {
		const struct ictl_own_member *m = &p->members[i];
		struct own_jrec *rec = &j->v[i];

		str_copy(rec->device, m->device, sizeof(rec->device));
		str_copy(rec->driver, wanted ? (m->want_any ? "*" : m->want_driver) : m->driver,
			 sizeof(rec->driver));
		str_copy(rec->override, wanted ? m->want_override : m->driver_override,
			 sizeof(rec->override));
		/* Re-claiming: a member still on VFIO keeps the originals of the first claim. */
		for (size_t k = 0; prev && k < prev->n && ictl_driver_is_vfio(m->driver); k++) {
			if (!strcmp(prev->v[k].device, m->device))
				*rec = prev->v[k];
		}
	}
	return 0;
}

void journal_from_rule(struct own_journal *j, const char *target)
{
	for (size_t i = 0; i < j->n; i++) {
		struct own_jrec *rec = &j->v[i];

		if (strcmp(rec->override, target))
			continue;
		rec->override[0] = '\0';
		if (!rec->driver[0] || ictl_driver_is_vfio(rec->driver))
			str_copy(rec->driver, "*", sizeof(rec->driver));
	}
}
