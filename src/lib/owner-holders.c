// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Processes that hold a VFIO device cdev or group node open, found by reading
 * /proc/PID/fd links below the root: once per command, into a snapshot in the
 * context (see owner-holders.h for when it is read again).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "owner-holders.h"

#define VFIO_DIR "/dev/vfio/"

/* The fds of one process that point into /dev/vfio, appended to the snapshot. */
static int scan_pid(struct ictl_ctx *ctx, const char *pid)
{
	_cleanup_strv_ struct strv fds = { 0 };
	_cleanup_close_ int dfd = -1;
	char dir[64], target[128], comm[32] = "";

	if (path_fmt(dir, sizeof(dir), "proc/%s/fd", pid) || sysfs_list(ctx, dir, &fds) < 0)
		return 0;
	dfd = sysfs_open(ctx, dir, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return 0;
	strv_foreach(&fds, i) {
		ssize_t len = readlinkat(dfd, fds.v[i], target, sizeof(target) - 1);
		struct ictl_holder *h;

		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, VFIO_DIR, strlen(VFIO_DIR)) || (size_t)len >= sizeof(h->path))
			continue;
		h = array_push(&ctx->vfio_users, &ctx->nvfio_users, sizeof(*h));
		if (!h)
			return -ENOMEM;
		if (!comm[0] && (path_fmt(dir, sizeof(dir), "proc/%s/comm", pid) ||
				 sysfs_read_str(ctx, dir, comm, sizeof(comm)) < 0))
			str_copy(comm, "?", sizeof(comm));
		h->pid = atoi(pid);
		str_copy(h->comm, comm, sizeof(h->comm));
		str_copy(h->path, target, sizeof(h->path));
	}
	return 0;
}

/* Read the snapshot unless it is there: every process but this one (live). */
static int snapshot(struct ictl_ctx *ctx)
{
	_cleanup_strv_ struct strv pids = { 0 };
	char self[16];
	int r = 0;

	if (ctx->vfio_users_read)
		return 0;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	if (sysfs_list(ctx, "proc", &pids) < 0)
		pids.n = 0;	/* no /proc (a capture without one): nobody holds anything */
	strv_foreach(&pids, i) {
		if (strspn(pids.v[i], "0123456789") != strlen(pids.v[i]) ||
		    (ctx->live && !strcmp(pids.v[i], self)))
			continue;
		r = scan_pid(ctx, pids.v[i]);
		if (r < 0)
			break;
	}
	if (r < 0)
		holders_forget(ctx);
	else
		ctx->vfio_users_read = true;
	return r;
}

void holders_forget(struct ictl_ctx *ctx)
{
	free(ctx->vfio_users);
	ctx->vfio_users = NULL;
	ctx->nvfio_users = 0;
	ctx->vfio_users_read = false;
}

int ictl_vfio_holders(struct ictl_ctx *ctx, const char *const *paths, size_t npaths,
		      struct ictl_holder **out, size_t *n)
{
	int r = snapshot(ctx);

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < ctx->nvfio_users && r >= 0; i++) {
		const struct ictl_holder *u = &ctx->vfio_users[i];

		for (size_t k = 0; k < npaths && r >= 0; k++) {
			struct ictl_holder *h;

			if (strcmp(u->path, paths[k]))
				continue;
			h = array_push(out, n, sizeof(**out));
			if (h)
				*h = *u;
			else
				r = -ENOMEM;
		}
	}
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int holders_explain(struct ictl_ctx *ctx, int err, const char *device, const char *cdev)
{
	char msg[sizeof(ctx->err)], node[64], gnode[32] = "", link[PATH_MAX], group[16];
	const char *paths[2] = { node, gnode };
	struct ictl_holder *h = NULL;
	char who[160] = "";
	size_t n = 0, off = 0;

	str_copy(msg, ctx->err, sizeof(msg));
	if (!cdev || !*cdev) {
		/* The device's vfioN, from its sysfs vfio-dev/ directory. */
		_cleanup_strv_ struct strv v = { 0 };

		if (path_fmt(link, sizeof(link), "sys/bus/pci/devices/%s/vfio-dev", device) ||
		    sysfs_list(ctx, link, &v) < 0 || !v.n)
			return ictl_err(ctx, -err, "%s", msg);
		snprintf(node, sizeof(node), "/dev/vfio/devices/%s", v.v[0]);
	} else {
		snprintf(node, sizeof(node), "/dev/vfio/devices/%s", cdev);
	}
	if (!path_fmt(link, sizeof(link), "sys/bus/pci/devices/%s/iommu_group", device) &&
	    !sysfs_link_base(ctx, link, group, sizeof(group)))
		snprintf(gnode, sizeof(gnode), "/dev/vfio/%s", group);
	if (ictl_vfio_holders(ctx, paths, gnode[0] ? 2 : 1, &h, &n) < 0)
		n = 0;
	for (size_t i = 0; i < n && off < sizeof(who); i++)
		off += (size_t)snprintf(who + off, sizeof(who) - off, "%s pid %d (%s)",
					i ? "," : ": held by", h[i].pid, h[i].comm);
	free(h);
	return ictl_err(ctx, -err, "%s%s", msg, who);
}
