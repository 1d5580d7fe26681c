// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl monitor [GROUP|DEVICE...]: group, device and driver events as they happen,
 * one line (or one JSON object) per event, until SIGINT, SIGTERM or SIGHUP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
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

/* An event as the output layer prints it: with its time in words. */
struct event_rec {
	const struct ictl_event *e;
	char when[48];
};

#define EV(rec) (((const struct event_rec *)(rec))->e)

static const char *cell_time(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct event_rec *)rec)->when;
}

static const char *cell_event(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ictl_event_kind_name(EV(rec)->kind);
}

static const char *cell_device(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return EV(rec)->device;
}

static const char *cell_group(const void *rec, char *buf, size_t len)
{
	if (EV(rec)->group < 0)
		return NULL;
	snprintf(buf, len, "%d", EV(rec)->group);
	return buf;
}

static const char *cell_driver(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return EV(rec)->driver;
}

/* The node and the details, one space apart when there are both. */
static const char *cell_details(const void *rec, char *buf, size_t len)
{
	const struct ictl_event *e = EV(rec);

	snprintf(buf, len, "%s%s%s", e->node, e->node[0] && e->detail[0] ? " " : "", e->detail);
	return buf;
}

static const struct out_col event_cols[] = {
	{ "TIME", "when the event came (ISO 8601, microseconds)", COL_DEFAULT, 0, cell_time },
	{ "EVENT", "what happened", COL_DEFAULT, 14, cell_event },
	{ "DEVICE", "the device", COL_DEFAULT, 13, cell_device },
	{ "GROUP", "its IOMMU group", COL_DEFAULT, 5, cell_group },
	{ "DRIVER", "its driver", COL_DEFAULT, 12, cell_driver },
	{ "DETAILS", "the device node, and what else the event says", COL_DEFAULT | COL_BLANK, 0,
	  cell_details },
	{ 0 }
};

static json_object *event_json(const void *rec)
{
	const struct ictl_event *e = EV(rec);
	json_object *o = json_object_new_object();

	js_set(o, "time", json_object_new_string(((const struct event_rec *)rec)->when));
	js_set(o, "event", json_object_new_string(ictl_event_kind_name(e->kind)));
	js_set(o, "device", js_str(e->device));
	js_set(o, "group", e->group >= 0 ? js_int(e->group) : NULL);
	js_set(o, "driver", js_str(e->driver));
	js_set(o, "node", js_str(e->node));
	js_set(o, "details", js_str(e->detail));
	js_set(o, "seqnum", e->seqnum ? js_uint(e->seqnum) : NULL);
	return o;
}

static const struct out_list_view event_view = {
	.key = "events", .cols = event_cols, .json = event_json, .flags = OUT_LINES,
};

/* Each event, as it comes, through the output layer: a text line or a JSON line. */
static int print_event(const struct ictl_event *e, void *data)
{
	struct event_rec rec = { .e = e };

	format_time(e->time_us, rec.when, sizeof(rec.when));
	return out_list_row(data, &rec) ? -EIO : 0;
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

/*
 * Print events until a signal comes (0), or the library fails (-errno, the message in
 * the context), or the output does (-EIO: the list knows it), or poll does (-errno,
 * *polling set).
 */
static int monitor_loop(struct ictl_monitor *m, int sfd, struct out_list *l, bool *polling)
{
	struct pollfd pfd[2] = { { .fd = ictl_monitor_fd(m), .events = POLLIN },
				 { .fd = sfd, .events = POLLIN } };
	int r;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			*polling = true;
			return -errno;
		}
		if (pfd[1].revents)
			return 0;
		r = ictl_monitor_dispatch(m, print_event, l);
		if (r < 0)
			return r;
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
	int sfd = cli_stop_signalfd(), r, code;
	bool polling = false;
	struct out_list *l;

	if (sfd < 0)
		return cli_error(cli, sfd, "signalfd: %s", strerror(-sfd));
	l = out_list_begin(cli, &event_view, &code);
	if (!l) {
		close(sfd);
		return code;
	}
	cli_verbose(cli, "listening to %s; Ctrl-C ends",
		    ictl_monitor_source(m) == ICTL_MONITOR_UDEV ?
			    "udevd's events (after its rules ran)" :
		    kernel ? "the kernel's uevents" : "the kernel's uevents (udevd does not run)");
	r = monitor_loop(m, sfd, l, &polling);
	close(sfd);
	if (polling)
		return out_list_fail(l, r, "poll: %s", strerror(-r));
	/* After a write error the list reports it, not r. */
	return out_list_end(l, r);
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
