// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA ownership of IOMMU groups: the plan of a claim or release, what makes a
 * member busy (an interface that is up, carries routes or has a master, a
 * mounted block device, the boot display, an open VFIO device), and the
 * ownership status of a group.
 * Transactions themselves (journal, lock, steps, rollback) are in owner-txn.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "owner-internal.h"

bool ictl_driver_is_vfio(const char *driver)
{
	return driver && strstr(driver, "vfio") != NULL;
}

int own_write(struct ictl_ctx *ctx, const char *path, const char *val)
{
	_cleanup_close_ int fd = sysfs_open(ctx, path, O_WRONLY | O_TRUNC);
	size_t len = strlen(val);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = write(fd, val, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int own_member_refresh(struct ictl_ctx *ctx, struct ictl_own_member *m)
{
	struct ictl_device d;
	int r = ictl_device_read(ctx, m->device, &d);

	if (r < 0)
		return r;
	str_copy(m->driver, d.driver, sizeof(m->driver));
	str_copy(m->driver_override, d.driver_override, sizeof(m->driver_override));
	str_copy(m->vfio_dev, d.vfio_dev, sizeof(m->vfio_dev));
	ictl_device_clear(&d);
	return 0;
}

static bool is_bridge(const struct ictl_device *d)
{
	return ictl_device_is_bridge(d) || !strcmp(d->driver, "pcieport");
}

int own_group_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **out,
		      size_t *n)
{
	struct ictl_group g;
	int r = ictl_group_read(ctx, group, &g);

	*out = NULL;
	*n = 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < g.ndevices && r >= 0; i++) {
		struct ictl_own_member *m;
		struct ictl_device d;
		char path[64];

		r = ictl_device_read(ctx, g.devices[i], &d);
		if (r < 0)
			break;
		if (!d.is_pci)
			r = ictl_err(ctx, EOPNOTSUPP, "group %u: %s is not a PCI device; only PCI groups can change owner",
				     group, d.name);
		m = r < 0 ? NULL : array_push(out, n, sizeof(**out));
		if (m) {
			str_copy(m->device, d.name, sizeof(m->device));
			m->bridge = is_bridge(&d);
			str_copy(m->driver, d.driver, sizeof(m->driver));
			str_copy(m->driver_override, d.driver_override, sizeof(m->driver_override));
			str_copy(m->vfio_dev, d.vfio_dev, sizeof(m->vfio_dev));
			m->has_cdev = m->vfio_dev[0] &&
				      !path_fmt(path, sizeof(path), "dev/vfio/devices/%s", m->vfio_dev) &&
				      sysfs_exists(ctx, path);
		} else if (r >= 0) {
			r = -ENOMEM;
		}
		ictl_device_clear(&d);
	}
	ictl_group_clear(&g);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r < 0 ? r : 0;
}

int ictl_own_resolve(struct ictl_ctx *ctx, const char *arg, unsigned int *group)
{
	char name[ICTL_NAME_MAX];
	struct ictl_device d;
	int r;

	if (arg[0] && strspn(arg, "0123456789") == strlen(arg)) {
		r = ictl_parse_group_id(ctx, arg, group);
		if (r < 0)
			return r;
		return ictl_group_check(ctx, *group);
	}
	r = ictl_parse_device_name(ctx, arg, name);
	if (r < 0)
		return r;
	r = ictl_device_read(ctx, name, &d);
	if (r < 0)
		return r;
	ictl_device_clear(&d);
	if (d.group < 0)
		return ictl_err(ctx, ENODEV, "%s is in no IOMMU group: no IOMMU translates its DMA",
				name);
	*group = (unsigned int)d.group;
	return 0;
}

/* --- steps ----------------------------------------------------------------- */

const struct ictl_own_member *own_unclaimed(const struct ictl_own_member *m, size_t n,
					    size_t *endpoints)
{
	const struct ictl_own_member *off = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		if (m[i].bridge)
			continue;
		count++;
		if (!off && !ictl_driver_is_vfio(m[i].driver))
			off = &m[i];
	}
	if (endpoints)
		*endpoints = count;
	return off;
}

int own_err_unclaimed(struct ictl_ctx *ctx, unsigned int group, const struct ictl_own_member *off)
{
	return ictl_err(ctx, EUNATCH, "group %u is not claimed (%s %s%s): run 'iommuctl claim %u' first",
			group, off->device, off->driver[0] ? "is on " : "has no driver", off->driver,
			group);
}

static int push_step(struct ictl_own_plan *p, enum ictl_step_kind k, size_t member,
		     const char *value)
{
	struct ictl_step *s = array_push(&p->steps, &p->nsteps, sizeof(*p->steps));

	if (!s)
		return -ENOMEM;
	s->kind = k;
	s->member = member;
	str_copy(s->value, value ? value : "", sizeof(s->value));
	return 0;
}

static bool member_done(const struct ictl_own_member *m)
{
	if (m->want_any)
		return !ictl_driver_is_vfio(m->driver) && !strcmp(m->driver_override, m->want_override);
	return !strcmp(m->driver, m->want_driver) && !strcmp(m->driver_override, m->want_override);
}

static int member_steps(struct ictl_own_plan *p, size_t i)
{
	struct ictl_own_member *m = &p->members[i];
	bool rebind = m->want_any ? ictl_driver_is_vfio(m->driver) :
				    strcmp(m->driver, m->want_driver) != 0;
	int r = 0;

	/* A claimed member that is already on a VFIO driver keeps its override. */
	if (!p->release && !strcmp(m->driver, p->target))
		return 0;
	if (m->bridge || member_done(m))
		return 0;
	if (!p->release && strcmp(m->driver_override, m->want_override))
		r = push_step(p, ICTL_STEP_OVERRIDE, i, m->want_override);
	if (!r && rebind && m->driver[0])
		r = push_step(p, ICTL_STEP_UNBIND, i, m->driver);
	if (!r && p->release && strcmp(m->driver_override, m->want_override))
		r = push_step(p, ICTL_STEP_OVERRIDE, i, m->want_override);
	if (!r && rebind && (m->want_driver[0] || m->want_any))
		r = push_step(p, ICTL_STEP_PROBE, i, m->want_any ? "" : m->want_driver);
	if (!r)
		r = push_step(p, ICTL_STEP_VERIFY, i, m->want_any ? "" : m->want_driver);
	return r;
}

int own_plan_steps(struct ictl_ctx *ctx, struct ictl_own_plan *p)
{
	char path[PATH_MAX];
	int r = 0;

	free(p->steps);
	p->steps = NULL;
	p->nsteps = 0;
	if (!p->release) {
		r = path_fmt(path, sizeof(path), "sys/bus/pci/drivers/%s", p->target);
		if (!r && !sysfs_exists(ctx, path))
			r = push_step(p, ICTL_STEP_MODPROBE, 0, p->target);
	}
	for (size_t i = 0; i < p->nmembers && !r; i++)
		r = member_steps(p, i);
	return r;
}

const char *ictl_step_kind_name(enum ictl_step_kind k)
{
	static const char *const names[] = { "modprobe", "driver_override", "unbind", "probe",
					     "verify" };

	return (unsigned int)k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

const char *ictl_step_status_name(enum ictl_step_status s)
{
	static const char *const names[] = { "planned", "done", "failed", "not run", "undone" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

void ictl_step_describe(const struct ictl_own_plan *p, const struct ictl_step *s, char *buf,
			size_t len)
{
	const char *dev = s->kind == ICTL_STEP_MODPROBE ? "" : p->members[s->member].device;

	switch (s->kind) {
	case ICTL_STEP_MODPROBE:
		snprintf(buf, len, "load the %s module (modprobe %s)", s->value, s->value);
		break;
	case ICTL_STEP_OVERRIDE:
		if (s->value[0])
			snprintf(buf, len, "%s: set driver_override to %s", dev, s->value);
		else
			snprintf(buf, len, "%s: clear driver_override", dev);
		break;
	case ICTL_STEP_UNBIND:
		snprintf(buf, len, "%s: unbind from %s", dev, s->value);
		break;
	case ICTL_STEP_PROBE:
		if (s->value[0] && p->release)
			snprintf(buf, len, "%s: bind to %s", dev, s->value);
		else
			snprintf(buf, len, "%s: probe drivers (drivers_probe)", dev);
		break;
	case ICTL_STEP_VERIFY:
		snprintf(buf, len, "%s: verify it is on %s", dev,
			 s->value[0] ? s->value : p->members[s->member].want_any ?
					       "a non-VFIO driver or none" : "no driver");
		break;
	}
}

/* --- plans ------------------------------------------------------------------ */

static int target_check(struct ictl_ctx *ctx, const char *target)
{
	if (!target[0] || strlen(target) >= ICTL_NAME_MAX ||
	    strspn(target, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(target) ||
	    !ictl_driver_is_vfio(target))
		return ictl_err(ctx, EINVAL,
				"--driver %s: give vfio-pci or a VFIO variant driver (a name with 'vfio' in it)",
				target);
	return 0;
}

static const struct own_jrec *jrec_find(const struct own_journal *j, const char *dev)
{
	for (size_t i = 0; i < j->n; i++) {
		if (!strcmp(j->v[i].device, dev))
			return &j->v[i];
	}
	return NULL;
}

/* A claimed journal of this group, or an empty one; read-only, never creates the dir. */
static void journal_peek(struct ictl_ctx *ctx, unsigned int group, struct own_journal *j)
{
	_cleanup_close_ int dfd = own_state_dir(ctx, false);

	*j = (struct own_journal){ 0 };
	if (dfd >= 0 && journal_read(ctx, dfd, group, j) < 0)
		*j = (struct own_journal){ 0 };
	ctx->err[0] = '\0';
}

static bool has_endpoint(const struct ictl_own_plan *p)
{
	for (size_t i = 0; i < p->nmembers; i++) {
		if (!p->members[i].bridge)
			return true;
	}
	return false;
}

/* The steps of a plan and its in-use check; the plan is cleared on failure (r: so far). */
static int own_plan_finish(struct ictl_ctx *ctx, struct ictl_own_plan *p, int r)
{
	if (!r)
		r = own_plan_steps(ctx, p);
	if (!r)
		r = own_check_in_use(ctx, p);
	if (r < 0)
		ictl_own_plan_clear(p);
	return r;
}

int ictl_claim_plan(struct ictl_ctx *ctx, unsigned int group, const char *target,
		    struct ictl_own_plan *p)
{
	int r;

	*p = (struct ictl_own_plan){ .group = group };
	r = target_check(ctx, target);
	if (r < 0)
		return r;
	str_copy(p->target, target, sizeof(p->target));
	r = own_group_members(ctx, group, &p->members, &p->nmembers);
	if (!r && !has_endpoint(p))
		r = ictl_err(ctx, EOPNOTSUPP,
			     "group %u has only bridges and ports, which stay with the kernel", group);
	for (size_t i = 0; i < p->nmembers && !r; i++) {
		str_copy(p->members[i].want_driver, target, ICTL_NAME_MAX);
		str_copy(p->members[i].want_override, target, ICTL_NAME_MAX);
	}
	return own_plan_finish(ctx, p, r);
}

int ictl_release_plan(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_plan *p)
{
	struct own_journal j;
	int r;

	*p = (struct ictl_own_plan){ .group = group, .release = true };
	r = own_group_members(ctx, group, &p->members, &p->nmembers);
	if (r < 0)
		return r;
	journal_peek(ctx, group, &j);
	p->recorded = j.n > 0;
	for (size_t i = 0; i < p->nmembers; i++) {
		struct ictl_own_member *m = &p->members[i];
		const struct own_jrec *rec = jrec_find(&j, m->device);

		if (rec && strcmp(rec->driver, "*")) {
			str_copy(m->want_driver, rec->driver, sizeof(m->want_driver));
			str_copy(m->want_override, rec->override, sizeof(m->want_override));
		} else if (ictl_driver_is_vfio(m->driver) || rec) {
			m->want_any = true;
		} else {
			str_copy(m->want_driver, m->driver, sizeof(m->want_driver));
			str_copy(m->want_override, m->driver_override, sizeof(m->want_override));
		}
	}
	journal_clear(&j);
	return own_plan_finish(ctx, p, 0);
}

void ictl_own_plan_clear(struct ictl_own_plan *p)
{
	free(p->members);
	free(p->steps);
	free(p->busy);
	*p = (struct ictl_own_plan){ 0 };
}

/* --- in use ------------------------------------------------------------------ */

static int add_busy(struct ictl_own_plan *p, const char *dev, const char *kind, const char *what,
		    bool forceable, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int add_busy(struct ictl_own_plan *p, const char *dev, const char *kind, const char *what,
		    bool forceable, const char *fmt, ...)
{
	struct ictl_busy *b = array_push(&p->busy, &p->nbusy, sizeof(*p->busy));
	va_list ap;

	if (!b)
		return -ENOMEM;
	str_copy(b->device, dev, sizeof(b->device));
	str_copy(b->kind, kind, sizeof(b->kind));
	str_copy(b->what, what, sizeof(b->what));
	b->forceable = forceable;
	va_start(ap, fmt);
	vsnprintf(b->reason, sizeof(b->reason), fmt, ap);
	va_end(ap);
	return 0;
}

#define IFF_UP_FLAG 0x1

/* The routing tables, read once per device relative to the root (absent in captures). */
struct net_routes {
	char *v4; /* proc/net/route: the main table */
	char *v6; /* proc/net/ipv6_route: every table */
};

static bool iface_up(struct ictl_ctx *ctx, const char *ifdir)
{
	char path[PATH_MAX], state[32];
	uint64_t flags;

	if (!path_fmt(path, sizeof(path), "%s/flags", ifdir) && !sysfs_read_u64(ctx, path, &flags))
		return flags & IFF_UP_FLAG;
	return !path_fmt(path, sizeof(path), "%s/operstate", ifdir) &&
	       !sysfs_read_str(ctx, path, state, sizeof(state)) && !strcmp(state, "up");
}

/* fe80::/10 and ff00::/8: routes every IPv6 interface gets when it comes up */
static bool v6_automatic(const char *dest)
{
	return !strncmp(dest, "ff", 2) ||
	       (!strncmp(dest, "fe", 2) && dest[2] && strchr("89ab", dest[2]));
}

static const char *next_line(const char *l)
{
	l = l ? strchr(l, '\n') : NULL;
	return l ? l + 1 : NULL;
}

/* Whether a table names the interface: the first column of route, the last of ipv6_route. */
static bool has_route(const char *table, const char *ifname, bool v6)
{
	/* route starts with a header line, ipv6_route does not */
	for (const char *l = v6 ? table : next_line(table); l && *l; l = next_line(l)) {
		char dest[40], dev[32];

		if (!v6 && sscanf(l, "%31s", dev) == 1 && !strcmp(dev, ifname))
			return true;
		if (v6 && sscanf(l, "%39s %*s %*s %*s %*s %*s %*s %*s %*s %31s", dest, dev) == 2 &&
		    !strcmp(dev, ifname) && !v6_automatic(dest))
			return true;
	}
	return false;
}

static int check_master(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev,
			const char *ifdir, const char *ifname)
{
	static const struct {
		const char *dir, *what;
	} kinds[] = { { "brport", "a port of bridge" }, { "bonding_slave", "a slave of bond" } };
	char path[PATH_MAX], master[ICTL_NAME_MAX] = "";
	const char *what = NULL;

	if (path_fmt(path, sizeof(path), "%s/master", ifdir) ||
	    sysfs_link_base(ctx, path, master, sizeof(master)) < 0)
		master[0] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(kinds) && !what; k++) {
		if (!path_fmt(path, sizeof(path), "%s/%s", ifdir, kinds[k].dir) &&
		    sysfs_exists(ctx, path))
			what = kinds[k].what;
	}
	if (!what && !master[0])
		return 0;
	return add_busy(p, dev, "net", ifname, true,
			"network interface %s is %s %s (ip link set %s nomaster frees it)", ifname,
			what ? what : "enslaved to", master[0] ? master : "(name unknown)", ifname);
}

/* "IPv4", "IPv6", "IPv4 and IPv6": the families with routes through the interface, or NULL */
static const char *route_families(const struct net_routes *rt, const char *ifname)
{
	bool v4 = has_route(rt->v4, ifname, false), v6 = has_route(rt->v6, ifname, true);

	if (v4 && v6)
		return "IPv4 and IPv6";
	return v4 ? "IPv4" : v6 ? "IPv6" : NULL;
}

static int check_iface(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev,
		       const char *ifdir, const char *ifname, const struct net_routes *rt)
{
	const char *fam = route_families(rt, ifname);
	int r = 0;

	if (iface_up(ctx, ifdir))
		r = add_busy(p, dev, "net", ifname, true, "network interface %s is up", ifname);
	if (!r && fam)
		r = add_busy(p, dev, "net", ifname, true,
			     "network interface %s carries %s routes (ip link set %s down removes them)",
			     ifname, fam, ifname);
	if (!r)
		r = check_master(ctx, p, dev, ifdir, ifname);
	return r;
}

/* The interfaces in DIR/net: a PCI device's own, or a child's (virtioN/net/eth0). */
static int check_net_dir(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev,
			 const char *dir, const struct net_routes *rt)
{
	_cleanup_strv_ struct strv ifs = { 0 };
	char path[PATH_MAX];
	int r = 0;

	if (path_fmt(path, sizeof(path), "%s/net", dir) || sysfs_list(ctx, path, &ifs) < 0)
		return 0;
	strv_foreach(&ifs, i) {
		if (r >= 0 && !path_fmt(path, sizeof(path), "%s/net/%s", dir, ifs.v[i]))
			r = check_iface(ctx, p, dev, path, ifs.v[i], rt);
	}
	return r;
}

static int check_net(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev)
{
	_cleanup_strv_ struct strv ents = { 0 };
	_cleanup_free_ char *v4 = NULL, *v6 = NULL;
	char dir[PATH_MAX], sub[PATH_MAX];
	struct net_routes rt;
	int r;

	if (path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", dev) ||
	    sysfs_list(ctx, dir, &ents) < 0)
		return 0;
	if (sysfs_read_alloc(ctx, "proc/net/route", &v4) < 0)
		v4 = NULL;
	if (sysfs_read_alloc(ctx, "proc/net/ipv6_route", &v6) < 0)
		v6 = NULL;
	rt = (struct net_routes){ .v4 = v4, .v6 = v6 };
	r = check_net_dir(ctx, p, dev, dir, &rt);
	/* child devices are directories, the links (driver, iommu, ...) are not */
	strv_foreach(&ents, i) {
		_cleanup_close_ int fd = -1;

		if (r < 0 || path_fmt(sub, sizeof(sub), "%s/%s", dir, ents.v[i]))
			continue;
		fd = sysfs_open(ctx, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd >= 0)
			r = check_net_dir(ctx, p, dev, sub, &rt);
	}
	return r;
}

/* The mount point of a maj:min in mountinfo, or NULL. */
static bool mounted_at(const char *mountinfo, const char *majmin, char *where, size_t len)
{
	for (const char *l = mountinfo; l && *l; l = next_line(l)) {
		char dev[32], mnt[256];

		if (sscanf(l, "%*u %*u %31s %*s %255s", dev, mnt) == 2 && !strcmp(dev, majmin)) {
			str_copy(where, mnt, len);
			return true;
		}
	}
	return false;
}

static int check_blockdev(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev,
			  const char *dir, const char *mountinfo)
{
	_cleanup_strv_ struct strv holders = { 0 };
	char path[PATH_MAX], majmin[32], where[256];
	const char *name = strrchr(dir, '/') + 1;

	if (!path_fmt(path, sizeof(path), "%s/dev", dir) &&
	    !sysfs_read_str(ctx, path, majmin, sizeof(majmin)) &&
	    mounted_at(mountinfo, majmin, where, sizeof(where)))
		return add_busy(p, dev, "block", name, true, "block device %s is mounted on %s",
				name, where);
	if (!path_fmt(path, sizeof(path), "%s/holders", dir) && !sysfs_list(ctx, path, &holders) &&
	    holders.n)
		return add_busy(p, dev, "block", name, true, "block device %s is held by %s", name,
				holders.v[0]);
	return 0;
}

/* Walk a device's own directories (no symlinks) for block devices: disks and partitions. */
static int walk_block(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev,
		      const char *dir, const char *mountinfo, int depth)
{
	_cleanup_strv_ struct strv ents = { 0 };
	char path[PATH_MAX];
	int r = 0;

	if (depth > 8 || sysfs_list(ctx, dir, &ents) < 0)
		return 0;
	if (!path_fmt(path, sizeof(path), "%s/holders", dir) && sysfs_exists(ctx, path) &&
	    !path_fmt(path, sizeof(path), "%s/dev", dir) && sysfs_exists(ctx, path))
		r = check_blockdev(ctx, p, dev, dir, mountinfo);
	strv_foreach(&ents, i) {
		_cleanup_close_ int fd = -1;

		if (r < 0 || !strcmp(ents.v[i], "holders") || !strcmp(ents.v[i], "slaves") ||
		    !strcmp(ents.v[i], "power") || path_fmt(path, sizeof(path), "%s/%s", dir, ents.v[i]))
			continue;
		fd = sysfs_open(ctx, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd >= 0)
			r = walk_block(ctx, p, dev, path, mountinfo, depth + 1);
	}
	return r;
}

static int check_block(struct ictl_ctx *ctx, struct ictl_own_plan *p, const char *dev)
{
	_cleanup_free_ char *mountinfo = NULL;
	char dir[PATH_MAX];

	if (path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", dev))
		return 0;
	if (sysfs_read_alloc(ctx, "proc/self/mountinfo", &mountinfo) < 0)
		mountinfo = NULL;
	return walk_block(ctx, p, dev, dir, mountinfo ? mountinfo : "", 0);
}

static int check_vfio_open(struct ictl_ctx *ctx, struct ictl_own_plan *p,
			   const struct ictl_own_member *m)
{
	char cdev[64], gnode[48];
	const char *paths[2] = { cdev, gnode };
	struct ictl_holder *h = NULL;
	size_t n = 0;
	int r;

	snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s", m->vfio_dev[0] ? m->vfio_dev : "-");
	snprintf(gnode, sizeof(gnode), "/dev/vfio/%u", p->group);
	r = ictl_vfio_holders(ctx, paths, 2, &h, &n);
	for (size_t i = 0; i < n && r >= 0; i++)
		r = add_busy(p, m->device, "vfio", h[i].path, false,
			     "%s is open in process %d (%s)", h[i].path, h[i].pid, h[i].comm);
	free(h);
	return r;
}

static int check_boot_vga(struct ictl_ctx *ctx, struct ictl_own_plan *p,
			  const struct ictl_own_member *m)
{
	char path[PATH_MAX];
	int v;

	if (path_fmt(path, sizeof(path), "sys/bus/pci/devices/%s/boot_vga", m->device) ||
	    sysfs_read_int(ctx, path, &v) < 0 || !v)
		return 0;
	return add_busy(p, m->device, "boot-vga", m->driver, true,
			"it is the boot display (boot_vga=1), driven by %s", m->driver);
}

int own_check_in_use(struct ictl_ctx *ctx, struct ictl_own_plan *p)
{
	bool *changes = calloc(p->nmembers + 1, sizeof(*changes));
	int r = 0;

	if (!changes)
		return -ENOMEM;
	for (size_t s = 0; s < p->nsteps; s++) {
		if (p->steps[s].kind == ICTL_STEP_UNBIND || p->steps[s].kind == ICTL_STEP_PROBE)
			changes[p->steps[s].member] = true;
	}
	for (size_t i = 0; i < p->nmembers && r >= 0; i++) {
		const struct ictl_own_member *m = &p->members[i];

		if (!changes[i])
			continue;
		if (ictl_driver_is_vfio(m->driver)) {
			r = check_vfio_open(ctx, p, m);
			continue;
		}
		r = check_net(ctx, p, m->device);
		if (r >= 0)
			r = check_block(ctx, p, m->device);
		if (r >= 0 && m->driver[0])
			r = check_boot_vga(ctx, p, m);
	}
	free(changes);
	return r < 0 ? r : 0;
}
