// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl monitor [GROUP|DEVICE...]: group, device and driver events as they happen,
 * one line (or one JSON object) per event, until SIGINT, SIGTERM or SIGHUP.
 *
 * Also the udev wait of the commands that hand VFIO nodes to a program (claim --hold,
 * claim -- COMMAND): cmds_udev_wait().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

enum { OPT_KERNEL = 0x100 };

const struct argp_option monitor_options[] = {
	{ "kernel", OPT_KERNEL, NULL, 0,
	  "Read the kernel's uevents, not udevd's (the default when udevd does not run)", 0 },
	{ 0 }
};

error_t monitor_parse(int key, char *arg, struct argp_state *state)
{
	struct monitor_opts *o = ((struct cli *)state->input)->opts;

	(void)arg;
	if (key != OPT_KERNEL)
		return ARGP_ERR_UNKNOWN;
	o->kernel = true;
	return 0;
}

/* RFC 3339 local time with microseconds: 2026-11-30T10:41:27.424422+01:00 */
static void format_time(uint64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	char date[32], zone[8];

	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%06u%.3s:%.2s", date, (unsigned int)(us % 1000000u), zone, zone + 3);
}

/* The one place that prints an event: a text line, or a JSON object on a line. */
static int print_event(const struct ictl_event *e, void *data)
{
	struct cli *cli = data;
	char when[48], group[16] = "-";

	format_time(e->time_us, when, sizeof(when));
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(o, "event",
				       json_object_new_string(ictl_event_kind_name(e->kind)));
		json_object_object_add(o, "device", js_str_or_null(e->device));
		json_object_object_add(o, "group",
				       e->group >= 0 ? json_object_new_int(e->group) : NULL);
		json_object_object_add(o, "driver", js_str_or_null(e->driver));
		json_object_object_add(o, "node", js_str_or_null(e->node));
		json_object_object_add(o, "details", js_str_or_null(e->detail));
		json_object_object_add(o, "seqnum",
				       e->seqnum ? json_object_new_int64((int64_t)e->seqnum) : NULL);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		char line[1024];
		size_t n;

		if (e->group >= 0)
			snprintf(group, sizeof(group), "%d", e->group);
		snprintf(line, sizeof(line), "%s %-14s %-13s %-5s %-12s %s%s%s", when,
			 ictl_event_kind_name(e->kind), e->device[0] ? e->device : "-", group,
			 e->driver[0] ? e->driver : "-", e->node, e->node[0] ? " " : "", e->detail);
		for (n = strlen(line); n && line[n - 1] == ' '; n--)
			line[n - 1] = '\0';
		puts(line);
	}
	return fflush(stdout) || ferror(stdout) ? -EIO : 0;
}

/* GROUP (digits) or DEVICE, as show and claim take them; the device need not exist yet. */
static int add_filter(struct cli *cli, struct ictl_monitor *m, const char *arg)
{
	bool is_group = arg[0] && strspn(arg, "0123456789") == strlen(arg);
	char canon[ICTL_NAME_MAX];
	unsigned int group;
	int r;

	r = is_group ? ictl_parse_group_id(cli->ctx, arg, &group) :
		       ictl_parse_device_name(cli->ctx, arg, canon);
	if (r < 0)
		return r;
	return is_group ? ictl_monitor_filter_group(m, group) :
			  ictl_monitor_filter_device(m, canon);
}

/* Wait for events or a signal; 0 after a signal, an exit code on failure. */
static int monitor_loop(struct cli *cli, struct ictl_monitor *m, int sfd)
{
	struct pollfd pfd[2] = { { .fd = ictl_monitor_fd(m), .events = POLLIN },
				 { .fd = sfd, .events = POLLIN } };
	int r;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return cli_error(cli, -errno, "poll: %s", strerror(errno));
		}
		if (pfd[1].revents)
			return 0;
		r = ictl_monitor_dispatch(m, print_event, cli);
		if (r == -EIO)
			return EXIT_FAIL;	/* stdout is gone: main says so */
		if (r < 0)
			return cli_lib_error(cli, r);
	}
}

/* The monitor with the arguments' filters. */
static int monitor_start(struct cli *cli, struct ictl_monitor **m)
{
	struct monitor_opts *o = cli->opts;
	int r = ictl_monitor_new(cli->ctx, o->kernel ? ICTL_MONITOR_KERNEL : ICTL_MONITOR_AUTO, m);

	for (int i = 0; r >= 0 && i < cli->argc; i++)
		r = add_filter(cli, *m, cli->argv[i]);
	if (r < 0) {
		ictl_monitor_free(*m);
		*m = NULL;
	}
	return r;
}

/* SIGINT, SIGTERM and SIGHUP end it: they come through a signalfd polled with the events. */
static int monitor_run(struct cli *cli, struct ictl_monitor *m)
{
	bool kernel = ((struct monitor_opts *)cli->opts)->kernel;
	sigset_t set;
	int sfd, r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		return cli_error(cli, -errno, "signalfd: %s", strerror(errno));
	cli_verbose(cli, "listening to %s; Ctrl-C ends",
		    ictl_monitor_source(m) == ICTL_MONITOR_UDEV ?
			    "udevd's events (after its rules ran)" :
		    kernel ? "the kernel's uevents" : "the kernel's uevents (udevd does not run)");
	r = monitor_loop(cli, m, sfd);
	close(sfd);
	return r;
}

int cmd_monitor(struct cli *cli)
{
	struct ictl_monitor *m;
	int r;

	if (cli->sysroot)
		return cli_error(cli, -EOPNOTSUPP,
				 "monitor listens to the live kernel's events; a capture has none: drop --sysroot");
	r = monitor_start(cli, &m);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = monitor_run(cli, m);
	ictl_monitor_free(m);
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
void cmds_udev_wait(struct cli *cli, unsigned int group)
{
	const char *env = getenv("IOMMUCTL_UDEV_TIMEOUT"), *skip = getenv("IOMMUCTL_NO_UDEV_WAIT");
	unsigned long timeout = env ? strtoul(env, NULL, 10) : 20;
	struct ictl_udev_wait w;
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

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
