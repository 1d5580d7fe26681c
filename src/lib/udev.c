// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libudev: a monitor of uevents (turned into iommuctl's events by events.c), and the wait
 * for udevd to finish with device nodes before they are handed to a program.
 *
 * udevd runs the rules that give a node its owner and mode.  The kernel creates the node
 * in devtmpfs (root, 0600) when the device appears; udevd then handles the uevent and
 * records the device in its database, which is what udev_device_get_is_initialized()
 * reads.  A program that opens the node before that sees the devtmpfs owner and mode.
 *
 * Both need the live system: uevents and udevd's database say nothing about a capture.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <libudev.h>

#include "events.h"

#define UDEV_CONTROL "/run/udev/control"

static uint64_t now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * udevd listens on its control socket while it runs and removes it when it exits
 * cleanly; a socket left by a killed udevd refuses connections.  Connecting sends
 * nothing (udevd reads end-of-file and closes); a socket we may not connect to
 * (not root) belongs to a udevd that runs.
 */
bool ictl_udevd_running(struct ictl_ctx *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = UDEV_CONTROL };
	_cleanup_close_ int fd = -1;

	if (!ctx->live)
		return false;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return access(UDEV_CONTROL, F_OK) == 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return true;
	return errno != ENOENT && errno != ECONNREFUSED && errno != ENOTDIR;
}

/* --- the monitor ------------------------------------------------------------------ */

struct ictl_monitor {
	struct ictl_ctx *ctx;
	struct udev *udev;
	struct udev_monitor *mon;
	enum ictl_monitor_source source;
	struct ev_state st;
};

/* The table of devices as they are now. */
static int monitor_seed(struct ictl_monitor *m)
{
	struct ictl_device_list l;
	int r = ictl_devices_scan(m->ctx, &l);

	if (r < 0)
		return ictl_err_wrap(m->ctx, -r, "reading the devices the events are about");
	ev_state_reset(&m->st);
	for (size_t i = 0; r >= 0 && i < l.n; i++)
		r = ev_state_add(&m->st, &l.v[i]);
	ictl_device_list_clear(&l);
	if (r >= 0)
		r = ev_state_seeded(&m->st);
	return r < 0 ? ictl_err(m->ctx, -r, "out of memory") : 0;
}

int ictl_monitor_new(struct ictl_ctx *ctx, enum ictl_monitor_source source,
		     struct ictl_monitor **out)
{
	struct ictl_monitor *m;
	const char *name;
	int r;

	*out = NULL;
	if (!ctx->live)
		return ictl_err(ctx, EOPNOTSUPP,
				"events come from the live kernel: a capture (%s) has none", ctx->root);
	m = calloc(1, sizeof(*m));
	if (!m)
		return ictl_err(ctx, ENOMEM, "out of memory");
	m->ctx = ctx;
	if (source == ICTL_MONITOR_AUTO)
		source = ictl_udevd_running(ctx) ? ICTL_MONITOR_UDEV : ICTL_MONITOR_KERNEL;
	m->source = source;
	name = source == ICTL_MONITOR_UDEV ? "udev" : "kernel";
	m->udev = udev_new();
	if (m->udev)
		m->mon = udev_monitor_new_from_netlink(m->udev, name);
	if (!m->mon) {
		r = ictl_err(ctx, errno ?: ENOMEM, "cannot open a netlink socket for %s events: %s",
			     name, strerror(errno ?: ENOMEM));
		goto fail;
	}
	/* A burst (a driver load binding hundreds of functions) must not overflow it. */
	udev_monitor_set_receive_buffer_size(m->mon, 4 << 20);
	r = udev_monitor_enable_receiving(m->mon);
	if (r < 0) {
		r = ictl_err(ctx, -r, "cannot listen to %s events: %s", name, strerror(-r));
		goto fail;
	}
	/* Subscribed first: a change while the table is read shows as an event after it. */
	r = monitor_seed(m);
	if (r < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	ictl_monitor_free(m);
	return r;
}

void ictl_monitor_free(struct ictl_monitor *m)
{
	if (!m)
		return;
	udev_monitor_unref(m->mon);
	udev_unref(m->udev);
	ev_state_clear(&m->st);
	free(m);
}

enum ictl_monitor_source ictl_monitor_source(const struct ictl_monitor *m)
{
	return m->source;
}

int ictl_monitor_fd(const struct ictl_monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

int ictl_monitor_filter_group(struct ictl_monitor *m, unsigned int group)
{
	return ev_filter_group(&m->st, group) < 0 ? ictl_err(m->ctx, ENOMEM, "out of memory") : 0;
}

int ictl_monitor_filter_device(struct ictl_monitor *m, const char *name)
{
	return ev_filter_device(&m->st, name) < 0 ? ictl_err(m->ctx, ENOMEM, "out of memory") : 0;
}

/* The group of the device at devpath now, or -1. */
static int devpath_group(struct ictl_ctx *ctx, const char *devpath)
{
	char path[PATH_MAX], buf[32];
	unsigned long id;
	char *end;

	if (path_fmt(path, sizeof(path), "sys%s/iommu_group", devpath) ||
	    sysfs_link_base(ctx, path, buf, sizeof(buf)))
		return -1;
	id = strtoul(buf, &end, 10);
	return end == buf || *end || id > 0x7fffffff ? -1 : (int)id;
}

static int monitor_feed(struct ictl_monitor *m, struct udev_device *dev, ictl_event_fn fn,
			void *data)
{
	struct ictl_uevent u = {
		.action = udev_device_get_action(dev),
		.subsystem = udev_device_get_subsystem(dev),
		.devpath = udev_device_get_devpath(dev),
		/* The properties as sent: libudev would read a missing DRIVER from sysfs now. */
		.driver = udev_device_get_property_value(dev, "DRIVER"),
		.devname = udev_device_get_property_value(dev, "DEVNAME"),
		.pci_class = udev_device_get_property_value(dev, "PCI_CLASS"),
		.pci_id = udev_device_get_property_value(dev, "PCI_ID"),
		.seqnum = udev_device_get_seqnum(dev),
		.time_us = now_us(CLOCK_REALTIME),
		.group = -1,
	};

	if (u.action && u.devpath && strcmp(u.action, "remove") && strcmp(u.action, "change"))
		u.group = devpath_group(m->ctx, u.devpath);
	return ev_feed(&m->st, &u, fn, data);
}

/* The socket overflowed: what the table says may be stale; read it again, and say so. */
static int monitor_lost(struct ictl_monitor *m, ictl_event_fn fn, void *data)
{
	struct ictl_event e = { .kind = ICTL_EV_LOST, .time_us = now_us(CLOCK_REALTIME),
				.group = -1 };
	int r = monitor_seed(m);

	if (r < 0)
		return r;
	snprintf(e.detail, sizeof(e.detail),
		 "the event socket overflowed: events were lost; devices and groups were read again");
	return ev_emit(&m->st, &e, fn, data);
}

int ictl_monitor_dispatch(struct ictl_monitor *m, ictl_event_fn fn, void *data)
{
	int count = 0, r;

	for (;;) {
		struct udev_device *dev;

		errno = 0;
		dev = udev_monitor_receive_device(m->mon);
		if (!dev && errno == ENOBUFS)
			r = monitor_lost(m, fn, data);
		else if (!dev)
			break;	/* EAGAIN: nothing more for now */
		else {
			r = monitor_feed(m, dev, fn, data);
			udev_device_unref(dev);
		}
		if (r < 0)
			return r;
		count += r;
	}
	return count;
}

/* --- waiting for udevd -------------------------------------------------------------- */

struct wait_node {
	char syspath[PATH_MAX];
	bool done;
};

/* Has udevd handled the device (its database entry is written, its node set up)? */
static bool node_initialized(struct udev *udev, const char *syspath)
{
	struct udev_device *d = udev_device_new_from_syspath(udev, syspath);
	bool init;

	if (!d)
		return true;	/* gone: nothing left to wait for */
	init = udev_device_get_is_initialized(d) > 0;
	udev_device_unref(d);
	return init;
}

static size_t wait_check(struct udev *udev, struct wait_node *v, size_t n)
{
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].done)
			v[i].done = node_initialized(udev, v[i].syspath);
		left += !v[i].done;
	}
	return left;
}

/* Mark what udevd has just finished: an event it sends out comes after its rules ran. */
static void wait_drain(struct udev_monitor *mon, struct wait_node *v, size_t n)
{
	struct udev_device *d;

	while ((d = udev_monitor_receive_device(mon))) {
		const char *sp = udev_device_get_syspath(d);

		for (size_t i = 0; sp && i < n; i++)
			v[i].done |= !strcmp(sp, v[i].syspath);
		udev_device_unref(d);
	}
}

static int wait_loop(struct ictl_ctx *ctx, struct udev *udev, struct wait_node *v, size_t n,
		     unsigned int timeout_ms, struct ictl_udev_wait *w)
{
	struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
	uint64_t start = now_us(CLOCK_MONOTONIC), end = start + (uint64_t)timeout_ms * 1000u;
	size_t left;

	/* Listen first, then look: nothing udevd finishes in between is missed. */
	if (mon && udev_monitor_enable_receiving(mon) < 0)
		mon = udev_monitor_unref(mon);
	w->nwaited = left = wait_check(udev, v, n);
	while (left) {
		uint64_t t = now_us(CLOCK_MONOTONIC);
		struct pollfd pfd = { .fd = mon ? udev_monitor_get_fd(mon) : -1, .events = POLLIN };

		if (t >= end)
			break;
		/* Look again every 100 ms too, in case an event was lost. */
		if (poll(&pfd, 1, (int)((end - t) / 1000u < 100 ? (end - t) / 1000u : 100)) > 0)
			wait_drain(mon, v, n);
		left = wait_check(udev, v, n);
	}
	udev_monitor_unref(mon);
	w->waited_ms = (unsigned int)((now_us(CLOCK_MONOTONIC) - start) / 1000u);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].done) {
			str_copy(w->pending, v[i].syspath, sizeof(w->pending));
			return ictl_err(ctx, ETIMEDOUT,
					"udevd has not finished with %s after %u ms: its rules (owner, mode) may not have run",
					v[i].syspath, w->waited_ms);
		}
	}
	return 0;
}

int ictl_udev_wait_nodes(struct ictl_ctx *ctx, const char *const *syspaths, size_t n,
			 unsigned int timeout_ms, struct ictl_udev_wait *w)
{
	struct wait_node *v;
	struct udev *udev;
	int r = 0;

	*w = (struct ictl_udev_wait){ .nnodes = n };
	if (!ctx->live)
		return ictl_err(ctx, EOPNOTSUPP, "udevd works on the live system, not on %s", ctx->root);
	w->udevd = ictl_udevd_running(ctx);
	if (!w->udevd || !n)
		return 0;
	v = calloc(n, sizeof(*v));
	udev = v ? udev_new() : NULL;
	if (!udev) {
		free(v);
		return ictl_err(ctx, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *real = NULL;

		/* libudev wants the device's real directory. */
		r = sysfs_realpath(ctx, syspaths[i], &real);
		if (r == -ENOENT) {
			v[i].done = true;	/* gone already */
			r = 0;
		} else if (r < 0) {
			r = ictl_err(ctx, -r, "%s: %s", syspaths[i], strerror(-r));
		} else {
			r = path_fmt(v[i].syspath, sizeof(v[i].syspath), "/%s", real);
		}
	}
	if (r >= 0)
		r = wait_loop(ctx, udev, v, n, timeout_ms, w);
	udev_unref(udev);
	free(v);
	return r;
}

/* Push "/<dir>" when the device at dir has a node (a "dev" attribute). */
static int push_if_node(struct ictl_ctx *ctx, struct strv *out, const char *dir)
{
	char p[PATH_MAX];

	if (path_fmt(p, sizeof(p), "%s/dev", dir) || !sysfs_exists(ctx, p))
		return 0;
	snprintf(p, sizeof(p), "/%s", dir);
	return strv_push(out, p);
}

/* Each member's VFIO cdev and the legacy group node, those that exist. */
static int group_nodes(struct ictl_ctx *ctx, unsigned int group, struct strv *out)
{
	_cleanup_strv_ struct strv members = { 0 };
	char path[PATH_MAX], dir[PATH_MAX];
	int r;

	r = path_fmt(path, sizeof(path), "sys/kernel/iommu_groups/%u/devices", group);
	if (!r)
		r = sysfs_list(ctx, path, &members);
	if (r < 0)
		return ictl_err(ctx, -r, "group %u: %s", group, strerror(-r));
	strv_foreach(&members, i) {
		_cleanup_strv_ struct strv vfio = { 0 };

		/* A kernel without VFIO cdevs has the vfio-dev device, but no node. */
		if (path_fmt(dir, sizeof(dir), "%s/%s/vfio-dev", path, members.v[i]) ||
		    sysfs_list(ctx, dir, &vfio))
			continue;
		strv_foreach(&vfio, j) {
			char cdev[PATH_MAX];

			if (!path_fmt(cdev, sizeof(cdev), "%s/%s", dir, vfio.v[j]))
				r = push_if_node(ctx, out, cdev);
			if (r < 0)
				return ictl_err(ctx, -r, "out of memory");
		}
	}
	if (!path_fmt(dir, sizeof(dir), "sys/class/vfio/%u", group))
		r = push_if_node(ctx, out, dir);
	return r < 0 ? ictl_err(ctx, -r, "out of memory") : 0;
}

int ictl_udev_wait_group(struct ictl_ctx *ctx, unsigned int group, unsigned int timeout_ms,
			 struct ictl_udev_wait *w)
{
	_cleanup_strv_ struct strv nodes = { 0 };
	int r;

	*w = (struct ictl_udev_wait){ 0 };
	if (!ctx->live)
		return ictl_err(ctx, EOPNOTSUPP, "udevd works on the live system, not on %s", ctx->root);
	w->udevd = ictl_udevd_running(ctx);
	if (!w->udevd)
		return 0;
	r = group_nodes(ctx, group, &nodes);
	if (r < 0)
		return r;
	return ictl_udev_wait_nodes(ctx, (const char *const *)nodes.v, nodes.n, timeout_ms, w);
}
