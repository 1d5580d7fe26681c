// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Process-wide state belongs to the program, not the library: blocking and
 * waiting for the signals that end a hold, and running a program with a
 * hand-off's fds in place (src/lib/handoff.h describes them; here they are
 * moved, the environment set, and the program forked, exec'd and reaped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static void stop_signals(sigset_t *set, bool chld)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (chld)
		sigaddset(set, SIGCHLD);
}

void cli_block_stop_signals(void)
{
	sigset_t set;

	stop_signals(&set, false);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int cli_stop_signalfd(void)
{
	sigset_t set;
	int fd;

	stop_signals(&set, false);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cli_wait_stop_signal(void)
{
	sigset_t set;
	int sig;

	stop_signals(&set, false);
	sigprocmask(SIG_BLOCK, &set, NULL);
	do {
		sig = sigwaitinfo(&set, NULL);
	} while (sig < 0 && errno == EINTR);
	return sig;
}

/* In the child: the fds at their numbers, the environment, the signal mask, then exec. */
static void __attribute__((noreturn))
child_exec(const struct ictl_handoff *h, char *const argv[], int errpipe, const sigset_t *mask)
{
	int above = ICTL_HANDOFF_FIRST_FD + (int)h->nfds, err;
	int *tmp = calloc(h->nfds + 1, sizeof(*tmp));

	/* Out of the way of the numbers first, then into place (dup2 clears CLOEXEC). */
	errpipe = fcntl(errpipe, F_DUPFD_CLOEXEC, above);
	if (!tmp)
		goto fail;
	for (size_t i = 0; i < h->nfds; i++) {
		tmp[i] = fcntl(h->fds[i].fd, F_DUPFD_CLOEXEC, above);
		if (tmp[i] < 0)
			goto fail;
	}
	for (size_t i = 0; i < h->nfds; i++) {
		if (dup2(tmp[i], h->fds[i].target) < 0)
			goto fail;
	}
	for (size_t i = 0; i < h->nenv; i++) {
		if (setenv(h->env[i].name, h->env[i].value, 1) < 0)
			goto fail;
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
fail:
	err = errno;
	if (write(errpipe, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* Pass SIGINT, SIGTERM and SIGHUP on to the program; reap it. */
static int child_wait(pid_t pid, int *status)
{
	sigset_t set;
	int sig;

	stop_signals(&set, true);
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

int cli_run_handoff(const struct ictl_handoff *h, char *const argv[], int *status, char *why,
		    size_t len)
{
	sigset_t set, old, child, chld;
	int pipefd[2], err = 0, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(why, len, "pipe: %s", strerror(-r));
		return r;
	}
	stop_signals(&set, true);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* The program gets the signals it would have had without us. */
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
	r = -errno;
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		snprintf(why, len, "fork: %s", strerror(-r));
		return r;
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
	if (err) {
		snprintf(why, len, "cannot run %s: %s", argv[0], strerror(err));
		return -err;
	}
	if (r < 0)
		snprintf(why, len, "waiting for %s: %s", argv[0], strerror(-r));
	return r;
}

/* --- the udev wait before VFIO nodes are handed to a program ----------------------- */

/*
 * Wait until udevd has run its rules for the group's VFIO nodes, so that the owner and
 * mode they set are in place before a program opens them.  Never fatal: when udevd does
 * not run there is nothing to wait for (--verbose says so); after the timeout
 * (IOMMUCTL_UDEV_TIMEOUT seconds, default 20) a warning, and the hand-off goes on.
 * IOMMUCTL_NO_UDEV_WAIT=1 skips it (a test aid: it shows what the wait prevents).
 *
 * SIGINT, SIGTERM and SIGHUP are blocked first, as the hold that follows blocks them: one
 * that comes during the wait stays pending and ends the hold as it begins, so that what
 * was claimed is released instead of left behind by a killed iommuctl.
 */
void cli_udev_wait(struct cli *cli, unsigned int group)
{
	const char *env = getenv("IOMMUCTL_UDEV_TIMEOUT"), *skip = getenv("IOMMUCTL_NO_UDEV_WAIT");
	unsigned long timeout = env ? strtoul(env, NULL, 10) : 20;
	struct ictl_udev_wait w;
	int r;

	cli_block_stop_signals();

	if (skip && !strcmp(skip, "1")) {
		cli_verbose(cli, "not waiting for udevd (IOMMUCTL_NO_UDEV_WAIT=1)");
		return;
	}
	if (timeout > 3600)
		timeout = 3600;
	r = ictl_udev_wait_group(cli->ctx, group, (unsigned int)timeout * 1000, &w);
	if (r < 0)
		fprintf(stderr, "iommuctl: warning: %s; going on\n", ictl_strerror(cli->ctx));
	else if (!w.udevd)
		cli_verbose(cli, "udevd does not run: no udev rules to wait for");
	else
		cli_verbose(cli, "udevd has set up the %zu VFIO node%s of group %u (waited %u ms for %zu)",
			    w.nnodes, w.nnodes == 1 ? "" : "s", group, w.waited_ms, w.nwaited);
}

const char *cli_end_reason(char *buf, size_t len, int sig, int status)
{
	if (sig > 0)
		snprintf(buf, len, "SIG%s", sigabbrev_np(sig) ?: "?");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "the command was killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "the command exited with status %d", WEXITSTATUS(status));
	return buf;
}
