// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A claim that survives a reboot: one udev rules file per endpoint of a
 * claimed group, keyed by PCI address, in etc/udev/rules.d below the root.
 *
 * On the device's "add" event (at boot, or a hotplug) the rule writes
 * driver_override while the rules are processed, that is before the
 * RUN{builtin}="kmod load" of the standard rules loads the native driver, so
 * the native driver cannot bind; it then loads the VFIO driver, which binds
 * the device as it registers.  When the device is not on the VFIO driver by
 * the time the rules run (a built-in driver or one from the initramfs bound
 * it first, or the VFIO driver was loaded already), the rule runs
 * 'iommuctl claim --persisted', a claim like any other.
 *
 * Files are only ever opened through a directory fd below the root, one plain
 * name at a time: nothing outside the root is followed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "owner-members.h"

#define RULE_PREFIX "61-iommuctl-"
#define RULE_SUFFIX ".rules"
#define RULE_MAX 8192
#define HEADER "# iommuctl-persist 1: keep %s on %s across reboots (IOMMU group %u when written)\n"

/* Characters a path may have to be written into a rule as is (no quoting, no $ or %). */
#define EXE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-"

static bool exe_ok(const char *s)
{
	return s[0] == '/' && strlen(s) < 256 && strspn(s, EXE_CHARS) == strlen(s);
}

static bool driver_ok(const char *d)
{
	return d[0] && strlen(d) < ICTL_NAME_MAX && ictl_driver_is_vfio(d) &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(d);
}

/* The running binary, which the rule runs: an absolute path that needs no quoting. */
static int self_exe(struct ictl_ctx *ctx, char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return ictl_err(ctx, errno, "cannot find the iommuctl binary (/proc/self/exe): %s",
				strerror(errno));
	buf[n] = '\0';
	if ((size_t)n == len - 1 || !exe_ok(buf))
		return ictl_err(ctx, EINVAL,
				"the iommuctl binary's path '%.200s' cannot go into a udev rule: install it at an absolute path of letters, digits and /._+- (make install)",
				buf);
	return 0;
}

static char *rule_render(const char *dev, const char *drv, unsigned int group, const char *exe)
{
	char *s = NULL;

	if (asprintf(&s, HEADER
		     "# Written by 'iommuctl persist'; 'iommuctl persist --remove %s' removes it. See iommuctl-persist(8).\n"
		     "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", ATTR{driver_override}=\"%s\", RUN{builtin}+=\"kmod load %s\"\n"
		     "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", DRIVER!=\"%s\", TEST==\"%s\", RUN+=\"%s claim --persisted --driver %s %s\"\n",
		     dev, drv, group, dev, dev, drv, drv, dev, drv, exe, exe, drv, dev) < 0)
		return NULL;
	return s;
}

void ictl_persist_dir(const struct ictl_ctx *ctx, char *buf, size_t len)
{
	size_t rl = strlen(ctx->root);

	while (rl > 1 && ctx->root[rl - 1] == '/')
		rl--;
	snprintf(buf, len, "%.*s/%s", ctx->live ? 0 : (int)rl, ctx->root, ICTL_PERSIST_DIR);
}

static void file_path(const struct ictl_ctx *ctx, const char *name, char *buf, size_t len)
{
	char dir[4000];

	ictl_persist_dir(ctx, dir, sizeof(dir));
	snprintf(buf, len, "%s/%s", dir, name);
}

/* The rules directory for *at() calls; with create, made (0755) with its parents. */
static int rules_dir(struct ictl_ctx *ctx, bool create)
{
	static const char *const parts[][2] = {
		{ ".", "etc" },
		{ "etc", "udev" },
		{ "etc/udev", "rules.d" },
	};

	for (size_t i = 0; create && i < ARRAY_SIZE(parts); i++) {
		_cleanup_close_ int pfd = sysfs_open(ctx, parts[i][0], O_PATH | O_DIRECTORY);
		_cleanup_close_ int fd = -1;

		if (pfd < 0)
			return pfd;
		if (mkdirat(pfd, parts[i][1], 0755) < 0) {
			if (errno != EEXIST)
				return -errno;
			continue;
		}
		fd = openat(pfd, parts[i][1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchmod(fd, 0755) < 0)
			return -errno;
	}
	return sysfs_open(ctx, ICTL_PERSIST_DIR, O_RDONLY | O_DIRECTORY);
}

/* Rules are written only into a directory that is root's or the caller's, writable by no one else. */
static int dir_check(struct ictl_ctx *ctx, int dfd, const char *dir)
{
	struct stat st;

	if (fstat(dfd, &st) < 0)
		return ictl_err(ctx, errno, "%s: %s", dir, strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ictl_err_data(ctx, EPERM,
				     "%s belongs to uid %u, not root or you: refusing to write rules into it",
				     dir, (unsigned int)st.st_uid);
	if (st.st_mode & 022)
		return ictl_err_data(ctx, EPERM,
				     "%s is writable by group or others (mode %04o): refusing to write rules into it (chmod go-w it)",
				     dir, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/*
 * A regular file of at most RULE_MAX bytes, not through a symlink, never blocking;
 * -ENOENT when absent, -ELOOP a symlink, -EINVAL not a regular file, -EFBIG too
 * long.  *len: its length (it may hold NUL bytes).
 */
static int file_read(int dfd, const char *name, char **out, size_t *len)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
						   O_CLOEXEC);
	char buf[RULE_MAX + 1];
	size_t got = 0;
	struct stat st;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > RULE_MAX)
		return -EFBIG;
	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > RULE_MAX)
		return -EFBIG;
	*out = malloc(got + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, got);
	(*out)[got] = '\0';
	*len = got;
	return 0;
}

/* Why file_read refused a file, in words. */
static const char *read_problem(int r)
{
	switch (-r) {
	case ELOOP:
		return "it is a symbolic link, not followed";
	case EINVAL:
		return "it is not a regular file (a FIFO, a directory or a device)";
	case EFBIG:
		return "it is longer than any rule iommuctl writes";
	}
	return strerror(-r);
}

/* The group: decimal, no leading zero, at most INT_MAX (what the kernel numbers groups with). */
static bool header_parse(const char *text, char *dev, char *drv, unsigned int *group)
{
	char num[24];
	unsigned long v = 0;
	size_t n;
	int end = 0;

	if (sscanf(text, "# iommuctl-persist 1: keep %63s on %63s across reboots (IOMMU group %20[0-9] when written)%n",
		   dev, drv, num, &end) != 3 || !end || text[end] != '\n')
		return false;
	n = strlen(num);
	if (n > 10 || (num[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(num[i] - '0');
	if (v > 0x7fffffff)
		return false;
	*group = (unsigned int)v;
	return true;
}

/* remove: the driver a file of ours names, for the report. */
static void file_driver(struct ictl_persist_file *f)
{
	char dev[ICTL_NAME_MAX], drv[ICTL_NAME_MAX];
	unsigned int g;

	if (f->content && header_parse(f->content, dev, drv, &g) && !strcmp(dev, f->device) &&
	    driver_ok(drv))
		str_copy(f->driver, drv, sizeof(f->driver));
}

/* --- plans --------------------------------------------------------------------------- */

static struct ictl_persist_file *plan_file(struct ictl_ctx *ctx, struct ictl_persist_plan *p,
					   const char *dev)
{
	struct ictl_persist_file *f = array_push(&p->files, &p->nfiles, sizeof(*p->files));

	if (!f)
		return NULL;
	str_copy(f->device, dev, sizeof(f->device));
	snprintf(f->name, sizeof(f->name), RULE_PREFIX "%s" RULE_SUFFIX, dev);
	file_path(ctx, f->name, f->path, sizeof(f->path));
	return f;
}

/* Device names become file names and rule text: only canonical PCI addresses. */
static int name_check(struct ictl_ctx *ctx, const char *dev)
{
	struct ictl_pci_addr a;
	char canon[ICTL_NAME_MAX];

	if (ictl_parse_pci_name(ctx, dev, &a, canon) < 0 || strcmp(dev, canon))
		return ictl_err(ctx, EINVAL, "unexpected device name '%s' in sysfs", dev);
	return 0;
}

static int plan_member(struct ictl_ctx *ctx, struct ictl_persist_plan *p, int dfd,
		       const struct ictl_own_member *m, const char *exe)
{
	struct ictl_persist_file *f;
	char *old = NULL;
	size_t olen = 0;
	int r = name_check(ctx, m->device);

	if (!r && !p->remove && !driver_ok(m->driver))
		r = ictl_err(ctx, EINVAL, "%s: driver name '%s' cannot go into a udev rule",
			     m->device, m->driver);
	if (r < 0)
		return r;
	f = plan_file(ctx, p, m->device);
	if (!f)
		return -ENOMEM;
	r = dfd >= 0 ? file_read(dfd, f->name, &old, &olen) : -ENOENT;
	if (p->remove) {
		f->action = r == -ENOENT ? ICTL_PERSIST_ABSENT : ICTL_PERSIST_REMOVE;
		f->content = old;
		file_driver(f);
		return 0;
	}
	str_copy(f->driver, m->driver, sizeof(f->driver));
	f->content = rule_render(m->device, m->driver, p->group, exe);
	if (!f->content)
		r = -ENOMEM;
	else if (r == -ENOENT)
		f->action = ICTL_PERSIST_WRITE;
	else
		f->action = old && olen == strlen(f->content) && !strcmp(old, f->content) ?
				    ICTL_PERSIST_UNCHANGED :
							      ICTL_PERSIST_REWRITE;
	free(old);
	return r == -ENOMEM ? r : 0;
}

/* Every endpoint on a VFIO driver; -EUNATCH naming the first that is not. */
static int check_claimed(struct ictl_ctx *ctx, struct ictl_persist_plan *p,
			 const struct ictl_own_member *m, size_t n)
{
	size_t endpoints;
	const struct ictl_own_member *off = own_unclaimed(m, n, &endpoints);

	if (!endpoints)
		return ictl_err(ctx, EOPNOTSUPP,
				"group %u has only bridges and ports, which stay with the kernel",
				p->group);
	p->claimed = !off;
	return off && !p->remove ? own_err_unclaimed(ctx, p->group, off) : 0;
}

/* remove for a device that is gone: its file alone, when there is one. */
static int plan_gone(struct ictl_ctx *ctx, const char *arg, struct ictl_persist_plan *p)
{
	_cleanup_close_ int dfd = sysfs_open(ctx, ICTL_PERSIST_DIR, O_RDONLY | O_DIRECTORY);
	char why[sizeof(ctx->err)], canon[ICTL_NAME_MAX];
	struct ictl_persist_file *f;
	struct ictl_pci_addr a;
	char *old = NULL;
	size_t olen;
	int r;

	str_copy(why, ctx->err, sizeof(why));
	if (!strchr(arg, ':') || ictl_parse_pci_name(ctx, arg, &a, canon) < 0)
		return ictl_err(ctx, ENOENT, "%s", why);
	f = plan_file(ctx, p, canon);
	if (!f)
		return -ENOMEM;
	r = dfd >= 0 ? file_read(dfd, f->name, &old, &olen) : -ENOENT;
	if (r == -ENOENT) {
		ictl_persist_plan_clear(p);
		return ictl_err(ctx, ENOENT, "%s", why);
	}
	f->action = ICTL_PERSIST_REMOVE;
	f->content = old;
	file_driver(f);
	return 0;
}

int ictl_persist_plan(struct ictl_ctx *ctx, const char *arg, bool remove,
		      struct ictl_persist_plan *p)
{
	_cleanup_close_ int dfd = -1;
	struct ictl_own_member *m = NULL;
	char exe[PATH_MAX] = "";
	size_t n = 0;
	int r;

	*p = (struct ictl_persist_plan){ .remove = remove };
	r = ictl_own_resolve(ctx, arg, &p->group);
	if (r == -ENOENT && remove)
		return plan_gone(ctx, arg, p);
	if (r < 0)
		return r;
	p->have_group = true;
	r = own_group_members(ctx, p->group, &m, &n);
	if (!r)
		r = check_claimed(ctx, p, m, n);
	if (!r && !remove)
		r = self_exe(ctx, exe, sizeof(exe));
	dfd = sysfs_open(ctx, ICTL_PERSIST_DIR, O_RDONLY | O_DIRECTORY);
	for (size_t i = 0; i < n && !r; i++) {
		if (!m[i].bridge)
			r = plan_member(ctx, p, dfd, &m[i], exe);
	}
	free(m);
	if (r < 0)
		ictl_persist_plan_clear(p);
	return r;
}

int ictl_persist_apply(struct ictl_ctx *ctx, struct ictl_persist_plan *p)
{
	_cleanup_close_ int dfd = -1;
	char dir[4096];
	bool todo = false;

	for (size_t i = 0; i < p->nfiles; i++)
		todo |= p->files[i].action == ICTL_PERSIST_WRITE ||
			p->files[i].action == ICTL_PERSIST_REWRITE ||
			p->files[i].action == ICTL_PERSIST_REMOVE;
	if (ctx->live && geteuid() != 0)
		return ictl_err(ctx, EPERM, "persist%s needs root: it changes %s/",
				p->remove ? " --remove" : "", "/" ICTL_PERSIST_DIR);
	if (!todo)
		return 0;
	ictl_persist_dir(ctx, dir, sizeof(dir));
	dfd = rules_dir(ctx, !p->remove);
	if (dfd < 0)
		return ictl_err(ctx, -dfd, "%s: %s", dir, strerror(-dfd));
	if (dir_check(ctx, dfd, dir) < 0)
		return -EPERM;
	for (size_t i = 0; i < p->nfiles; i++) {
		struct ictl_persist_file *f = &p->files[i];
		int r = 0;

		if (f->action == ICTL_PERSIST_WRITE || f->action == ICTL_PERSIST_REWRITE)
			r = write_file_atomic(dfd, f->name, f->content, 0644);
		else if (f->action == ICTL_PERSIST_REMOVE && unlinkat(dfd, f->name, 0) < 0 &&
			 errno != ENOENT)
			r = -errno;
		else if (f->action != ICTL_PERSIST_REMOVE)
			continue;
		if (r < 0)
			return ictl_err(ctx, -r, "cannot %s %s: %s", p->remove ? "remove" : "write",
					f->path, strerror(-r));
		f->done = p->changed = true;
	}
	fsync(dfd);
	return 0;
}

void ictl_persist_plan_clear(struct ictl_persist_plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].content);
	free(p->files);
	p->files = NULL;
	p->nfiles = 0;
}

const char *ictl_persist_action_name(enum ictl_persist_action a)
{
	static const char *const names[] = { "write", "rewrite", "unchanged", "remove", "absent" };

	return (unsigned int)a < ARRAY_SIZE(names) ? names[a] : "unknown";
}

/* --- reading the files back ---------------------------------------------------------- */

/* The binary the rule runs: what follows RUN+=" up to the first space. */
static bool rule_exe(const char *text, char *exe, size_t len)
{
	const char *s = strstr(text, "RUN+=\"");
	size_t n;

	if (!s)
		return false;
	s += 6;
	n = strcspn(s, " \"\n");
	if (n >= len)
		return false;
	memcpy(exe, s, n);
	exe[n] = '\0';
	return exe_ok(exe);
}

/*
 * What a rule file makes udev run: the value of every RUN key ("RUN+=",
 * "RUN{builtin}+=", ...), joined by "; ", a NUL byte shown as \0, cut to len.
 */
static void rule_runs(const char *text, size_t tlen, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i + 4 < tlen && o + 4 < len; i++) {
		size_t k = i + 3;

		if (memcmp(text + i, "RUN", 3) ||
		    (i && text[i - 1] != ' ' && text[i - 1] != ',' && text[i - 1] != '\n'))
			continue;
		while (k < tlen && text[k] != '=' && text[k] != '"' && text[k] != '\n')
			k++;
		if (k + 1 >= tlen || text[k] != '=' || text[k + 1] != '"')
			continue;
		if (o)
			o += (size_t)snprintf(out + o, len - o, "; ");
		for (k += 2; k < tlen && text[k] != '"' && text[k] != '\n' && o + 3 < len; k++) {
			if (text[k]) {
				out[o++] = text[k];
			} else {
				out[o++] = '\\';
				out[o++] = '0';
			}
		}
		out[o] = '\0';
		i = k;
	}
}

/*
 * Check the text of a rule file (tlen bytes, NUL-terminated at tlen) of e->device
 * against what iommuctl writes: fills e->run, e->group, e->driver and e->problem
 * ("" when it is as iommuctl persist writes it, with self, when given, as its binary).
 */
void persist_rule_check(const char *text, size_t tlen, const char *self,
			struct ictl_persist_entry *e)
{
	char hdev[ICTL_NAME_MAX], hdrv[ICTL_NAME_MAX], exe[256];
	_cleanup_free_ char *want = NULL;
	unsigned int g;

	e->group = -1;
	e->driver[0] = e->problem[0] = '\0';
	rule_runs(text, tlen, e->run, sizeof(e->run));
	if (strlen(text) != tlen) {
		snprintf(e->problem, sizeof(e->problem),
			 "it holds a NUL byte (at offset %zu): not as iommuctl persist writes it",
			 strlen(text));
		return;
	}
	if (!header_parse(text, hdev, hdrv, &g) || strcmp(hdev, e->device) || !driver_ok(hdrv)) {
		snprintf(e->problem, sizeof(e->problem), "no iommuctl-persist header for %.64s",
			 e->device);
		return;
	}
	e->group = (int)g;
	str_copy(e->driver, hdrv, sizeof(e->driver));
	if (!rule_exe(text, exe, sizeof(exe)) || !(want = rule_render(e->device, hdrv, g, exe)) ||
	    strcmp(want, text))
		snprintf(e->problem, sizeof(e->problem),
			 "changed by hand: not as iommuctl persist writes it");
	else if (self && self[0] && strcmp(exe, self))
		snprintf(e->problem, sizeof(e->problem), "it runs %.60s, not this iommuctl (%.60s)",
			 exe, self);
}

/* The problem of a file of ours, or "" when it is as iommuctl writes it. */
static void entry_read(struct ictl_ctx *ctx, int dfd, const char *name, const char *self,
		       struct ictl_persist_entry *e)
{
	size_t len = strlen(name) - strlen(RULE_PREFIX RULE_SUFFIX), tlen = 0;
	char canon[ICTL_NAME_MAX];
	_cleanup_free_ char *text = NULL;
	struct ictl_pci_addr a;
	int r;

	e->group = -1;
	file_path(ctx, name, e->path, sizeof(e->path));
	snprintf(e->device, sizeof(e->device), "%.*s", (int)len, name + strlen(RULE_PREFIX));
	if (len >= ICTL_NAME_MAX || ictl_parse_pci_name(ctx, e->device, &a, canon) < 0 ||
	    strcmp(e->device, canon)) {
		snprintf(e->problem, sizeof(e->problem), "its name holds no canonical PCI address");
		return;
	}
	r = file_read(dfd, name, &text, &tlen);
	if (r < 0) {
		snprintf(e->problem, sizeof(e->problem), "cannot read it: %s", read_problem(r));
		return;
	}
	persist_rule_check(text, tlen, self, e);
}

static bool is_ours(const char *name)
{
	size_t n = strlen(name), pl = strlen(RULE_PREFIX), sl = strlen(RULE_SUFFIX);

	return n > pl + sl && !strncmp(name, RULE_PREFIX, pl) &&
	       !strcmp(name + n - sl, RULE_SUFFIX);
}

int ictl_persist_list(struct ictl_ctx *ctx, struct ictl_persist_entry **out, size_t *n)
{
	_cleanup_close_ int dfd = sysfs_open(ctx, ICTL_PERSIST_DIR, O_RDONLY | O_DIRECTORY);
	_cleanup_strv_ struct strv names = { 0 };
	char dir[4096], self[PATH_MAX];
	int r;

	*out = NULL;
	*n = 0;
	if (dfd == -ENOENT)
		return 0;
	ictl_persist_dir(ctx, dir, sizeof(dir));
	if (self_exe(ctx, self, sizeof(self)) < 0)
		self[0] = '\0';
	r = dfd < 0 ? dfd : sysfs_list(ctx, ICTL_PERSIST_DIR, &names);
	if (r < 0)
		return ictl_err(ctx, -r, "%s: %s", dir, strerror(-r));
	strv_foreach(&names, i) {
		struct ictl_persist_entry *e;

		if (!is_ours(names.v[i]))
			continue;
		e = array_push(out, n, sizeof(**out));
		if (!e) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
		entry_read(ctx, dfd, names.v[i], self, e);
	}
	ctx->err[0] = '\0';
	return 0;
}
