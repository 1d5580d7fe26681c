// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-use checks of the members a plan takes from their driver: network
 * interfaces (up, routes, a master: bridge or bond), block devices (mounted,
 * held), the boot display; and, for a member on a VFIO driver, a process that
 * has its VFIO nodes open.  Each finding is a struct ictl_busy of the plan;
 * --force overrides all but the last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "owner-inuse.h"

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
