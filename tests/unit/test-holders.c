// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who holds VFIO nodes open (src/lib/owner-holders.c), on a made-up root with
 * a /proc: the processes found, in /proc order; one scan per command (later
 * questions see the snapshot, until a driver write or holders_forget()); the
 * ": held by" of a refused bind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "owner-holders.h"
#include "owner-members.h"
#include "tap.h"
#include "tmptree.h"

static const char *const paths[] = { "/dev/vfio/devices/vfio0", "/dev/vfio/12" };

/* "pid(comm)path ..." of the holders of paths, or an error */
static const char *holders(struct ictl_ctx *ctx, char *buf, size_t len)
{
	struct ictl_holder *h;
	size_t n, off = 0;
	int r = ictl_vfio_holders(ctx, paths, ARRAY_SIZE(paths), &h, &n);

	if (r < 0) {
		snprintf(buf, len, "error %d", r);
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d(%s)%s", i ? " " : "", h[i].pid,
					h[i].comm, h[i].path);
	free(h);
	return buf;
}

static int build(const char *root)
{
	int r = 0;

	r |= tree_link(root, "proc/4242/fd/0", "/dev/null");
	r |= tree_link(root, "proc/4242/fd/7", "/dev/vfio/devices/vfio0");
	r |= tree_link(root, "proc/4242/fd/8", "/dev/vfio/vfio");
	r |= tree_file(root, "proc/4242/comm", "qemu-system-x86\n");
	r |= tree_link(root, "proc/77/fd/3", "/dev/vfio/12");	/* no comm: "?" */
	r |= tree_link(root, "proc/self", "4242");		/* not a pid: skipped */
	r |= tree_link(root, "sys/bus/pci/devices/0000:00:04.0/iommu_group",
		       "../../../../kernel/iommu_groups/12");
	r |= tree_file(root, "sys/kernel/iommu_groups/12/type", "DMA\n");
	r |= tree_file(root, "sys/bus/pci/devices/0000:00:04.0/driver_override", "\n");
	return r;
}

static void snapshot(struct ictl_ctx *ctx, const char *root)
{
	char buf[512];

	is_str(holders(ctx, buf, sizeof(buf)),
	       "77(?)/dev/vfio/12 4242(qemu-system-x86)/dev/vfio/devices/vfio0",
	       "the holders of a cdev and a group node, in /proc order, with their comm");
	tree_remove_link(root, "proc/4242/fd/7");
	is_str(holders(ctx, buf, sizeof(buf)),
	       "77(?)/dev/vfio/12 4242(qemu-system-x86)/dev/vfio/devices/vfio0",
	       "asked again, the command's snapshot answers: /proc is not read again");
	holders_forget(ctx);
	is_str(holders(ctx, buf, sizeof(buf)), "77(?)/dev/vfio/12",
	       "after holders_forget(), /proc is read again");
	tree_link(root, "proc/4242/fd/7", "/dev/vfio/devices/vfio0");
	is_int(own_dev_write(ctx, "0000:00:04.0", "driver_override", "vfio-pci"), 0,
	       "a driver write (driver_override)");
	is_str(holders(ctx, buf, sizeof(buf)),
	       "77(?)/dev/vfio/12 4242(qemu-system-x86)/dev/vfio/devices/vfio0",
	       "  forgets the snapshot: the next question reads /proc again");
}

static void explain(struct ictl_ctx *ctx)
{
	int r;

	ictl_err(ctx, EBUSY,
		 "VFIO_DEVICE_BIND_IOMMUFD on 0000:00:04.0 (vfio0): Invalid argument: hint");
	r = holders_explain(ctx, -EBUSY, "0000:00:04.0", "vfio0");
	is_int(r, -EBUSY, "holders_explain returns the bind's error");
	is_str(ictl_strerror(ctx),
	       "VFIO_DEVICE_BIND_IOMMUFD on 0000:00:04.0 (vfio0): Invalid argument: hint: held by pid 77 (?), pid 4242 (qemu-system-x86)",
	       "  and names who holds the cdev or the device's group node, after the message");
	ictl_err(ctx, EBUSY, "refused");
	holders_explain(ctx, -EBUSY, "0000:00:05.0", "vfio9");
	is_str(ictl_strerror(ctx), "refused", "nobody holds it: the message is left alone");
}

int main(void)
{
	char root[PATH_MAX];
	struct ictl_ctx *ctx = NULL;

	if (tree_new(root, sizeof(root)) < 0) {
		printf("1..0 # skip cannot make a directory under $TMPDIR: %s\n", strerror(errno));
		return 0;
	}
	if (build(root) < 0 || ictl_ctx_new(&ctx, root) < 0) {
		printf("not ok 1 - a root at %s: %s\n", root,
		       ctx ? ictl_strerror(ctx) : strerror(errno));
		ictl_ctx_free(ctx);
		tree_remove(root);
		return 1;
	}
	snapshot(ctx, root);
	explain(ctx);
	ictl_ctx_free(ctx);
	tree_remove(root);
	return done_testing();
}
