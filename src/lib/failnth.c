// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/*
 * A testing aid: the kernel's per-thread fault injection
 * (Documentation/fault-injection/fault-injection.rst, "fail-nth"), as the
 * kernel's own iommufd_fail_nth selftest uses it: after n is written to
 * /proc/thread-self/fail-nth, the n-th fault-injection point this thread
 * passes in the kernel fails (an allocation, typically, when failslab and
 * fail_page_alloc are set up to fail sleeping allocations), once.  Reading
 * the file back gives what is left of the count: 0 when the failure was
 * injected.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int ictl_fail_nth_begin(struct ictl_ctx *ctx, unsigned int n)
{
	char buf[16];
	int fd, len;

	if (!ictl_is_live(ctx))
		return ictl_err(ctx, EOPNOTSUPP, "fault injection (fail-nth) needs the live kernel, not --sysroot");
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ictl_err_kernel(ctx, errno,
				       "/proc/thread-self/fail-nth: %s (the kernel needs CONFIG_FAULT_INJECTION)",
				       strerror(errno));
	len = snprintf(buf, sizeof(buf), "%u", n);
	if (pwrite(fd, buf, (size_t)len, 0) != len) {
		int e = errno;

		close(fd);
		return ictl_err_kernel(ctx, e, "/proc/thread-self/fail-nth: writing %u: %s", n,
				       strerror(e));
	}
	return fd;
}

int ictl_fail_nth_end(int fd)
{
	char buf[16] = "";
	ssize_t n;
	int fired;

	/* Disarm first: until then every kernel entry of this thread counts down. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (pwrite(fd, "0", 1, 0) < 0 && errno == EFAULT)
		;
	close(fd);
	/* The kernel's own test treats a failed read as an injected failure: the read was it. */
	fired = n < 0 || (buf[0] == '0' && (buf[1] == '\n' || !buf[1]));
	return fired;
}
