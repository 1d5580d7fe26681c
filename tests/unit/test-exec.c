// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running a program with a hand-off (src/cli/exec.c, linked in by unit.mk):
 * the fds at their numbers, the IOMMUCTL_* environment, its exit status or
 * signal, SIGTERM passed on to it, and waiting for a stop signal.  The
 * program is sh; it writes what it saw to a file named in $OUT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/cli/cli.h"
#include "internal.h"
#include "tap.h"

static char dir[] = "/tmp/ictl-exec-XXXXXX", out[64];

/* A file of dir opened read-only, for the program to find by its path. */
static int file(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	return fd;
}

static const char *slurp(char *buf, size_t len)
{
	int fd = open(out, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int run(struct ictl_handoff *h, const char *script, int *status, char *why)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };

	unlink(out);
	return cli_run_handoff(h, argv, status, why, 256);
}

static void layout(struct ictl_ctx *ctx)
{
	struct ictl_handoff h;
	char why[256] = "", got[512], want[512];
	int status = -1, r;

	ictl_handoff_init(&h);
	h.group = 5;
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_DEVICE, file("dev0"), "0000:00:04.0", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_DEVICE, file("dev1"), "0000:00:04.1", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_IOMMUFD, file("iommu"), "iommufd", 0);
	ictl_handoff_layout(ctx, &h);
	r = run(&h,
		"exec >\"$OUT\"; readlink /proc/self/fd/3 /proc/self/fd/4 /proc/self/fd/5; "
		"echo \"$IOMMUCTL_GROUP $IOMMUCTL_IOMMUFD $IOMMUCTL_DEVICE_FDS $IOMMUCTL_DEVICES ${IOMMUCTL_DEV_IDS-unset}\"; "
		"n=0; for f in /proc/$$/fd/*; do case $(readlink $f) in \"$DIR\"/*) n=$((n + 1));; esac; done; "
		"echo \"$n open in $DIR\"",
		&status, why);
	is_int(r, 0, "sh ran: %s", why);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "  ...and exited 0");
	/* 4 open in the directory: $OUT on stdout, and fds 3 to 5; no copy left over */
	snprintf(want, sizeof(want),
		 "%s/iommu\n%s/dev0\n%s/dev1\n5 3 4 5 0000:00:04.0 0000:00:04.1 unset\n4 open in %s\n",
		 dir, dir, dir, dir);
	is_str(slurp(got, sizeof(got)), want,
	       "the iommufd on fd 3, the devices on 4 and 5, the environment names them");
	for (size_t i = 0; i < h.nfds; i++)
		close(h.fds[i].fd);
	ictl_handoff_clear(&h);
}

static void status_and_errors(void)
{
	struct ictl_handoff h;
	char why[256] = "", *argv[] = { "/nonexistent/vmm", NULL };
	int status = -1, r;

	ictl_handoff_init(&h);
	r = run(&h, "exit 7", &status, why);
	ok(r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7, "an exit status comes back");
	r = cli_run_handoff(&h, argv, &status, why, sizeof(why));
	is_int(r, -ENOENT, "a program that cannot start");
	is_str(why, "cannot run /nonexistent/vmm: No such file or directory", "  ...says so");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 127, "  ...and its child was reaped (127)");
}

/* SigBlk of /proc/self/status, as the program saw it, has none of INT, TERM, HUP, CHLD. */
static void signals(void)
{
	struct ictl_handoff h;
	char why[256] = "", got[128];
	unsigned long long blk = ~0ull;
	int status = -1, r, sig;

	ictl_handoff_init(&h);
	cli_block_stop_signals();
	r = run(&h, "grep SigBlk /proc/self/status >\"$OUT\"", &status, why);
	sscanf(slurp(got, sizeof(got)), "SigBlk: %llx", &blk);
	ok(r == 0 && !(blk & (1ull << (SIGINT - 1) | 1ull << (SIGTERM - 1) | 1ull << (SIGHUP - 1) |
				1ull << (SIGCHLD - 1))),
	   "the program gets the stop signals unblocked (SigBlk %llx)", blk);

	/* It signals us; we pass it on; it dies of it. */
	r = run(&h, "kill -TERM $PPID; exec sleep 20", &status, why);
	ok(r == 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	   "SIGTERM to iommuctl is passed on to the program");

	kill(getpid(), SIGHUP);
	sig = cli_wait_stop_signal();
	is_int(sig, SIGHUP, "a blocked SIGHUP is what cli_wait_stop_signal() returns");
}

int main(void)
{
	static const char *const files[] = { "dev0", "dev1", "iommu", "out" };
	struct ictl_ctx *ctx;

	if (!mkdtemp(dir) || ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no temporary directory or context\n");
		return 0;
	}
	snprintf(out, sizeof(out), "%s/out", dir);
	setenv("OUT", out, 1);
	setenv("DIR", dir, 1);
	unsetenv("IOMMUCTL_DEV_IDS");
	layout(ctx);
	status_and_errors();
	signals();
	ictl_ctx_free(ctx);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return done_testing();
}
