// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libudev side (src/lib/udev.c) where it needs no kernel that changes: refusals under
 * a sysroot, a monitor that opens and has nothing to say, the wait when udevd does not run.
 * The events and the wait themselves are tested in the VM shapes (tests/bats/vm/monitor.bats).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static int never(const struct ictl_event *e, void *data)
{
	(void)e;
	(*(int *)data)++;
	return 0;
}

static void sysroot(void)
{
	struct ictl_ctx *ctx;
	struct ictl_monitor *m = (struct ictl_monitor *)&m;
	struct ictl_udev_wait w;
	const char *node = "/sys/class/vfio/1";

	if (ictl_ctx_new(&ctx, "tests/fixtures/intel-server") < 0) {
		ictl_ctx_free(ctx);
		skip(5, "tests/fixtures/intel-server is not readable");
		return;
	}
	is_int(ictl_monitor_new(ctx, ICTL_MONITOR_AUTO, &m), -EOPNOTSUPP, "no monitor of a capture");
	ok(m == NULL && strstr(ictl_strerror(ctx), "live kernel"), "  ...and no monitor: %s",
	   ictl_strerror(ctx));
	ok(!ictl_udevd_running(ctx), "no udevd in a capture");
	is_int(ictl_udev_wait_nodes(ctx, &node, 1, 10, &w), -EOPNOTSUPP, "no wait in a capture");
	is_int(ictl_udev_wait_group(ctx, 1, 10, &w), -EOPNOTSUPP, "  ...nor for a group");
	ictl_ctx_free(ctx);
}

static void live(void)
{
	struct ictl_ctx *ctx;
	struct ictl_monitor *m;
	struct ictl_udev_wait w;
	const char *gone = "/sys/devices/virtual/vfio/no-such-node";
	int calls = 0, r;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		ictl_ctx_free(ctx);
		skip(6, "no live /sys here");
		return;
	}
	r = ictl_monitor_new(ctx, ICTL_MONITOR_KERNEL, &m);
	if (r < 0) {
		skip(3, "no uevent socket here");
	} else {
		is_int(ictl_monitor_source(m), ICTL_MONITOR_KERNEL, "a monitor of the kernel's uevents");
		ok(ictl_monitor_fd(m) >= 0, "  ...has an fd to poll");
		ictl_monitor_filter_group(m, 4);
		ictl_monitor_filter_device(m, "0000:00:04.0");
		r = ictl_monitor_dispatch(m, never, &calls);
		ok(r >= 0 && r == calls, "  ...dispatches what is pending, and counts it (%d)", r);
		ictl_monitor_free(m);
	}
	if (ictl_udevd_running(ctx)) {
		skip(3, "udevd runs here: the wait without udevd is not tested");
	} else {
		is_int(ictl_udev_wait_nodes(ctx, &gone, 1, 5000, &w), 0, "no udevd: no wait");
		ok(!w.udevd && !w.nwaited && w.waited_ms == 0, "  ...and it says so");
		is_int(ictl_udev_wait_group(ctx, 123456, 5000, &w), 0,
		       "  ...not even for a group that does not exist");
	}
	ictl_ctx_free(ctx);
}

int main(void)
{
	sysroot();
	live();
	return done_testing();
}
