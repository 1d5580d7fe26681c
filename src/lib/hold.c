// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Holding a claimed group: its VFIO nodes open and DMA ownership taken for as
 * long as this process lives, and a command run with the fds in place.
 *
 * Binding a driver to vfio-pci does not yet take the group from the kernel:
 * that happens when userspace binds a device cdev to an iommufd, or adds the
 * group to a legacy container.  Holding does that, so that nothing else
 * (another VMM, a second iommuctl) can take the devices until it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "iommufd.h"
#include "owner-holders.h"
#include "owner-members.h"

static void hold_signals(sigset_t *set, bool chld)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (chld)
		sigaddset(set, SIGCHLD);
}

/* The endpoints must all be on a VFIO driver: the group is claimed. */
static int hold_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **m,
			size_t *n)
{
	const struct ictl_own_member *off;
	int r = own_group_members(ctx, group, m, n);

	if (r < 0 || !(off = own_unclaimed(*m, *n, NULL)))
		return r;
	r = own_err_unclaimed(ctx, group, off);
	free(*m);
	*m = NULL;
	return r;
}

static struct ictl_hold_dev *hold_push(struct ictl_hold *h, const char *device)
{
	struct ictl_hold_dev *d = array_push(&h->devs, &h->ndevs, sizeof(*d));

	if (d) {
		str_copy(d->device, device, sizeof(d->device));
		d->fd = -1;
	}
	return d;
}

static int open_iommufd(struct ictl_ctx *ctx, struct ictl_hold *h,
			const struct ictl_own_member *m, size_t n, bool bind)
{
	int r = ictl_iommufd_open(ctx);

	if (r < 0)
		return r;
	h->iommufd = r;
	for (size_t i = 0; i < n; i++) {
		struct ictl_vfio_dev vd;
		struct ictl_hold_dev *d;

		if (m[i].bridge)
			continue;
		r = ictl_vfio_open(ctx, m[i].device, &vd);
		if (!r && bind && (r = ictl_vfio_bind(ctx, &vd, h->iommufd)) == -EBUSY)
			r = holders_explain(ctx, r, vd.name, vd.cdev);
		d = r < 0 ? NULL : hold_push(h, m[i].device);
		if (!d) {
			ictl_vfio_close(&vd);
			return r < 0 ? r : -ENOMEM;
		}
		d->fd = vd.fd;
		d->dev_id = vd.dev_id;
		snprintf(d->node, sizeof(d->node), "/dev/vfio/devices/%s", vd.cdev);
	}
	h->bound = bind;
	return 0;
}

static int open_legacy(struct ictl_ctx *ctx, struct ictl_hold *h,
		       const struct ictl_own_member *m, size_t n)
{
	uint32_t flags;
	int r;

	h->legacy = true;
	h->group_fd = r = ictl_vfio_group_open(ctx, h->group);
	if (r >= 0)
		r = ictl_vfio_group_status(ctx, h->group_fd, h->group, &flags);
	if (r >= 0 && !(flags & ICTL_VFIO_GROUP_FLAGS_VIABLE))
		r = ictl_err(ctx, EBUSY,
			     "group %u is not viable: a member is on a driver that does DMA; see iommuctl status %u",
			     h->group, h->group);
	if (r >= 0)
		h->container = r = ictl_vfio_container_open(ctx);
	if (r >= 0)
		r = ictl_vfio_group_set_container(ctx, h->group_fd, h->group, h->container);
	if (r >= 0)
		r = ictl_vfio_set_iommu(ctx, h->container, ICTL_VFIO_TYPE1v2_IOMMU);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct ictl_hold_dev *d;

		if (m[i].bridge)
			continue;
		r = ictl_vfio_group_device_fd(ctx, h->group_fd, h->group, m[i].device);
		d = r < 0 ? NULL : hold_push(h, m[i].device);
		if (r >= 0 && !d) {
			close(r);
			r = -ENOMEM;
		} else if (d) {
			d->fd = r;
		}
	}
	return r < 0 ? r : 0;
}

/* iommufd when /dev/iommu and every endpoint's cdev exist. */
static bool iommufd_usable(struct ictl_ctx *ctx, const struct ictl_own_member *m, size_t n)
{
	if (!sysfs_exists(ctx, "dev/iommu"))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].bridge && !m[i].has_cdev)
			return false;
	}
	return true;
}

int ictl_hold_open(struct ictl_ctx *ctx, unsigned int group, enum ictl_hold_path path, bool bind,
		   struct ictl_hold *h)
{
	struct ictl_own_member *m = NULL;
	sigset_t set;
	size_t n = 0;
	int r;

	*h = (struct ictl_hold){ .group = group, .iommufd = -1, .container = -1, .group_fd = -1 };
	/* From here a SIGTERM waits for ictl_hold_wait() instead of killing a holder. */
	hold_signals(&set, false);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r = hold_members(ctx, group, &m, &n);
	if (r < 0)
		return r;
	if (path == ICTL_HOLD_AUTO)
		path = iommufd_usable(ctx, m, n) ? ICTL_HOLD_IOMMUFD : ICTL_HOLD_LEGACY;
	r = path == ICTL_HOLD_IOMMUFD ? open_iommufd(ctx, h, m, n, bind) : open_legacy(ctx, h, m, n);
	free(m);
	if (r < 0)
		ictl_hold_close(h);
	return r;
}

void ictl_hold_close(struct ictl_hold *h)
{
	/* Devices first: the kernel gives the group back as the last fd closes. */
	for (size_t i = 0; i < h->ndevs; i++) {
		if (h->devs[i].fd >= 0)
			close(h->devs[i].fd);
	}
	free(h->devs);
	h->devs = NULL;
	h->ndevs = 0;
	if (h->group_fd >= 0)
		close(h->group_fd);
	if (h->container >= 0)
		close(h->container);
	if (h->iommufd >= 0)
		close(h->iommufd);
	h->group_fd = h->container = h->iommufd = -1;
}

int ictl_hold_fd_of(const struct ictl_hold *h, size_t dev)
{
	return ICTL_HOLD_FIRST_FD + (h->legacy ? 2 : 1) + (int)dev;
}

int ictl_hold_wait(struct ictl_ctx *ctx)
{
	sigset_t set;
	int sig;

	(void)ctx;
	hold_signals(&set, false);
	sigprocmask(SIG_BLOCK, &set, NULL);
	do {
		sig = sigwaitinfo(&set, NULL);
	} while (sig < 0 && errno == EINTR);
	return sig;
}

/* The fds in the order a command gets them, from ICTL_HOLD_FIRST_FD on. */
static size_t hold_fds(const struct ictl_hold *h, int *fds)
{
	size_t n = 0;

	fds[n++] = h->legacy ? h->container : h->iommufd;
	if (h->legacy)
		fds[n++] = h->group_fd;
	for (size_t i = 0; i < h->ndevs; i++)
		fds[n++] = h->devs[i].fd;
	return n;
}

static void setenv_list(const char *name, const struct ictl_hold *h, int what)
{
	char buf[4096] = "";
	size_t off = 0;

	for (size_t i = 0; i < h->ndevs && off < sizeof(buf); i++) {
		const char *sep = i ? " " : "";

		if (what == 0)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", sep,
						h->devs[i].device);
		else if (what == 1)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d", sep,
						ictl_hold_fd_of(h, i));
		else
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", sep,
						h->devs[i].dev_id);
	}
	setenv(name, buf, 1);
}

static void setenv_int(const char *name, long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%ld", v);
	setenv(name, buf, 1);
}

/* In the child: the fds at their numbers, the environment, then exec. */
static void __attribute__((noreturn))
child_exec(const struct ictl_hold *h, char *const argv[], int errpipe, const sigset_t *mask)
{
	int fds[ICTL_HOLD_FIRST_FD + 2 + 256], tmp[ARRAY_SIZE(fds)], err;
	size_t n = h->ndevs + 2 <= 256 ? hold_fds(h, fds) : 0;
	int above = ICTL_HOLD_FIRST_FD + (int)n;

	/* Out of the way of the numbers first, then into place (dup2 clears CLOEXEC). */
	errpipe = fcntl(errpipe, F_DUPFD_CLOEXEC, above);
	for (size_t i = 0; i < n; i++)
		tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, above);
	for (size_t i = 0; i < n; i++)
		if (tmp[i] < 0 || dup2(tmp[i], ICTL_HOLD_FIRST_FD + (int)i) < 0)
			goto fail;
	setenv_int("IOMMUCTL_GROUP", h->group);
	if (h->legacy) {
		setenv_int("IOMMUCTL_CONTAINER", ICTL_HOLD_FIRST_FD);
		setenv_int("IOMMUCTL_GROUP_FD", ICTL_HOLD_FIRST_FD + 1);
	} else {
		setenv_int("IOMMUCTL_IOMMUFD", ICTL_HOLD_FIRST_FD);
	}
	setenv_list("IOMMUCTL_DEVICES", h, 0);
	setenv_list("IOMMUCTL_DEVICE_FDS", h, 1);
	if (h->bound)
		setenv_list("IOMMUCTL_DEV_IDS", h, 2);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
fail:
	err = n ? errno : E2BIG;
	if (write(errpipe, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* Pass SIGINT, SIGTERM and SIGHUP on to the command; reap it. */
static int child_wait(pid_t pid, int *status)
{
	sigset_t set;
	int sig;

	hold_signals(&set, true);
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0 && errno != EINTR)
			return -errno;
		if (sig == SIGCHLD || sig < 0) {
			if (waitpid(pid, status, WNOHANG) == pid)
				return 0;
			continue;
		}
		kill(pid, sig);
	}
}

int ictl_hold_run(struct ictl_ctx *ctx, const struct ictl_hold *h, char *const argv[],
		  int *status)
{
	sigset_t set, old, child, chld;
	int pipefd[2], err = 0, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ictl_err(ctx, errno, "pipe: %s", strerror(errno));
	hold_signals(&set, true);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* The command gets the signals it would have had without us. */
	child = old;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig))
			sigdelset(&child, sig);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		child_exec(h, argv, pipefd[1], &child);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return ictl_err(ctx, errno, "fork: %s", strerror(errno));
	}
	/* exec succeeded when the pipe closes empty. */
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pipefd[0]);
	r = child_wait(pid, status);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (!sigismember(&old, SIGCHLD))
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
	if (err)
		return ictl_err(ctx, err, "cannot run %s: %s", argv[0], strerror(err));
	return r < 0 ? ictl_err(ctx, -r, "waiting for %s: %s", argv[0], strerror(-r)) : 0;
}
