// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From uevents to iommuctl's events (src/lib/events.c): the uevents are those the kernel
 * sends (recorded with 'udevadm monitor --kernel --property' in the VM shapes), fed to
 * the table without any system; the events that come out are compared as text.
 */
#include <errno.h>
#include <string.h>

#include "events.h"
#include "tap.h"

/* What came out, one "kind device group driver node" line per event. */
struct got {
	char text[2048];
	int stop_at;		/* return -EIO at this call (1-based); 0 never */
	int calls;
};

static int collect(const struct ictl_event *e, void *data)
{
	struct got *g = data;
	size_t len = strlen(g->text);

	if (++g->calls == g->stop_at)
		return -EIO;
	snprintf(g->text + len, sizeof(g->text) - len, "%s%s %s %d %s %s", len ? "; " : "",
		 ictl_event_kind_name(e->kind), e->device[0] ? e->device : "-", e->group,
		 e->driver[0] ? e->driver : "-", e->node[0] ? e->node : "-");
	return 0;
}

#define EDU "/devices/pci0000:00/0000:00:04.0"

static int feed(struct ev_state *s, struct got *g, const char *action, const char *subsystem,
		const char *devpath, const char *driver, const char *devname, int group)
{
	struct ictl_uevent u = { .action = action, .subsystem = subsystem, .devpath = devpath,
				 .driver = driver, .devname = devname, .pci_class = "FF00",
				 .pci_id = "1234:11E8", .seqnum = 1, .time_us = 1, .group = group };

	g->text[0] = '\0';
	return ev_feed(s, &u, collect, g);
}

static void seed(struct ev_state *s, const char *name, uint32_t cls, int group, const char *drv)
{
	struct ictl_device d = { .is_pci = true, .class_code = cls, .group = group };

	str_copy(d.name, name, sizeof(d.name));
	str_copy(d.driver, drv, sizeof(d.driver));
	ev_state_add(s, &d);
}

/* edu alone in group 2: remove, rescan, bind to vfio-pci, unbind, as the kernel sends them. */
static void edu_cycle(void)
{
	struct ev_state s = { 0 };
	struct got g = { 0 };

	seed(&s, "0000:00:01.0", 0x030000, 1, "bochs-drm");
	seed(&s, "0000:00:04.0", 0x00ff00, 2, "");
	ev_state_seeded(&s);

	is_int(feed(&s, &g, "remove", "pci", EDU, NULL, NULL, -1), 2, "remove: two events");
	is_str(g.text, "device-removed 0000:00:04.0 2 - -; group-removed 0000:00:04.0 2 - -",
	       "remove: the device, then its group, which it leaves empty");
	feed(&s, &g, "add", "pci", EDU, NULL, NULL, 2);
	is_str(g.text, "group-added 0000:00:04.0 2 - -; device-added 0000:00:04.0 2 - -",
	       "rescan: the group the kernel made for it, then the device");
	feed(&s, &g, "add", "vfio", "/devices/virtual/vfio/2", NULL, "vfio/2", -1);
	is_str(g.text, "node-added - 2 - /dev/vfio/2", "the legacy group node, named by the kernel");
	feed(&s, &g, "add", "vfio-dev", EDU "/vfio-dev/vfio0", NULL, "/dev/vfio/devices/vfio0", -1);
	is_str(g.text, "node-added 0000:00:04.0 2 - /dev/vfio/devices/vfio0",
	       "the cdev (DEVNAME as udevd gives it), with its device and group");
	feed(&s, &g, "bind", "pci", EDU, "vfio-pci", NULL, 2);
	is_str(g.text, "bound 0000:00:04.0 2 vfio-pci -; claimed - 2 vfio-pci -",
	       "bind to vfio-pci: bound, and the group (one endpoint) is claimed");
	feed(&s, &g, "remove", "vfio-dev", EDU "/vfio-dev/vfio0", NULL, "vfio/devices/vfio0", -1);
	is_str(g.text, "node-removed 0000:00:04.0 2 - /dev/vfio/devices/vfio0", "the cdev goes");
	feed(&s, &g, "remove", "vfio", "/devices/virtual/vfio/2", NULL, "vfio/2", -1);
	is_str(g.text, "node-removed - 2 - /dev/vfio/2", "the group node goes");
	feed(&s, &g, "unbind", "pci", EDU, NULL, NULL, 2);
	is_str(g.text, "unbound 0000:00:04.0 2 vfio-pci -; released - 2 - -",
	       "unbind (no DRIVER in the uevent): the driver it had, from the table; released");
	feed(&s, &g, "unbind", "pci", EDU, NULL, NULL, 2);
	is_str(g.text, "unbound 0000:00:04.0 2 - -", "a second unbind releases nothing more");
	ev_state_clear(&s);
}

/* Two endpoints and a bridge in group 7: claimed only when both endpoints are on VFIO. */
static void claim_two(void)
{
	struct ev_state s = { 0 };
	struct got g = { 0 };

	seed(&s, "0000:00:1e.0", 0x060400, 7, "");	/* PCI bridge: left alone */
	seed(&s, "0000:00:05.0", 0x00ff00, 7, "");
	seed(&s, "0000:00:05.1", 0x00ff00, 7, "");
	ev_state_seeded(&s);

	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "vfio-pci", NULL, 7);
	is_str(g.text, "bound 0000:00:05.0 7 vfio-pci -", "the first endpoint: not claimed yet");
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.1", "vfio-pci", NULL, 7);
	is_str(g.text, "bound 0000:00:05.1 7 vfio-pci -; claimed - 7 vfio-pci -",
	       "the second: claimed (the bridge does not count)");
	feed(&s, &g, "unbind", "pci", "/devices/pci0000:00/0000:00:05.0", NULL, NULL, 7);
	is_str(g.text, "unbound 0000:00:05.0 7 vfio-pci -", "one endpoint back: not released yet");
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "pci-testdev", NULL, 7);
	is_str(g.text, "bound 0000:00:05.0 7 pci-testdev -", "...bound to its own driver");
	feed(&s, &g, "unbind", "pci", "/devices/pci0000:00/0000:00:05.1", NULL, NULL, 7);
	is_str(g.text, "unbound 0000:00:05.1 7 vfio-pci -; released - 7 - -",
	       "no endpoint left on VFIO: released");

	/* A claim that fails half-way and rolls back was never claimed: nothing released. */
	feed(&s, &g, "unbind", "pci", "/devices/pci0000:00/0000:00:05.0", NULL, NULL, 7);
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "vfio-pci", NULL, 7);
	feed(&s, &g, "unbind", "pci", "/devices/pci0000:00/0000:00:05.0", NULL, NULL, 7);
	is_str(g.text, "unbound 0000:00:05.0 7 vfio-pci -", "a rolled-back claim reports no release");
	ev_state_clear(&s);

	/* Seeded claimed: the first unbind that leaves no endpoint on VFIO releases it. */
	seed(&s, "0000:00:05.0", 0x00ff00, 7, "vfio-pci");
	ev_state_seeded(&s);
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "vfio-pci", NULL, 7);
	is_str(g.text, "bound 0000:00:05.0 7 vfio-pci -", "already claimed when the monitor started");
	feed(&s, &g, "unbind", "pci", "/devices/pci0000:00/0000:00:05.0", NULL, NULL, 7);
	is_str(g.text, "unbound 0000:00:05.0 7 vfio-pci -; released - 7 - -", "...then released");
	ev_state_clear(&s);
}

/* Uevents that are not ours, and malformed ones. */
static void ignored(void)
{
	struct ev_state s = { 0 };
	struct got g = { 0 };

	ev_state_seeded(&s);
	is_int(feed(&s, &g, "add", "wakeup", "/devices/LNXSYSTM:00/wakeup/wakeup2", NULL, NULL, -1), 0,
	       "a device of another bus that is in no group: nothing");
	is_int(feed(&s, &g, "remove", "wakeup", "/devices/LNXSYSTM:00/wakeup/wakeup2", NULL, NULL, -1), 0,
	       "...nor when it goes");
	is_int(feed(&s, &g, "change", "pci", EDU, NULL, NULL, 2), 0, "change: nothing");
	is_int(feed(&s, &g, "add", "vfio-dev", EDU "/vfio-dev/vfio0", NULL, NULL, -1), 0,
	       "a vfio-dev device without a node (a kernel without VFIO cdevs): nothing");
	is_int(feed(&s, &g, "add", "vfio", "/devices/virtual/misc/vfio", NULL, "vfio/vfio", -1), 0,
	       "a vfio node that is not a group's: nothing");
	is_int(feed(&s, &g, "add", "vfio-dev", "/vfio-dev/vfio0", NULL, "vfio/devices/vfio0", -1), 0,
	       "a cdev devpath without a device above it: nothing");
	is_int(feed(&s, &g, NULL, "pci", EDU, NULL, NULL, 2), 0, "no ACTION: nothing");
	is_int(feed(&s, &g, "add", "pci", "", NULL, NULL, 2), 0, "an empty DEVPATH: nothing");
	feed(&s, &g, "add", "vfio", "/devices/virtual/vfio/noiommu-3", NULL, "vfio/noiommu-3", -1);
	is_str(g.text, "node-added - 3 - /dev/vfio/noiommu-3", "a no-IOMMU group node is its group's");
	feed(&s, &g, "add", "platform", "/devices/platform/9050000.smmuv3", NULL, NULL, 4);
	is_str(g.text, "group-added 9050000.smmuv3 4 - -; device-added 9050000.smmuv3 4 - -",
	       "a platform device in a group is one of ours");
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:09.0", "e1000e", NULL, -1);
	is_str(g.text, "bound 0000:00:09.0 -1 e1000e -", "a PCI device missing from the table is added");
	ev_state_clear(&s);
}

static void filters(void)
{
	struct ev_state s = { 0 };
	struct got g = { 0 };

	seed(&s, "0000:00:04.0", 0x00ff00, 2, "");
	seed(&s, "0000:00:05.0", 0x00ff00, 3, "");
	ev_filter_device(&s, "0000:00:04.0");
	ev_state_seeded(&s);
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "vfio-pci", NULL, 3);
	is_str(g.text, "", "a device filter drops another device's events, and its group's");
	feed(&s, &g, "add", "vfio", "/devices/virtual/vfio/2", NULL, "vfio/2", -1);
	is_str(g.text, "node-added - 2 - /dev/vfio/2", "...and passes its own group's node");
	feed(&s, &g, "remove", "pci", EDU, NULL, NULL, -1);
	is_str(g.text, "device-removed 0000:00:04.0 2 - -; group-removed 0000:00:04.0 2 - -",
	       "...its removal, and its group's");
	/* Back in another group: group-added names the device, so it passes too. */
	feed(&s, &g, "add", "pci", EDU, NULL, NULL, 9);
	is_str(g.text, "group-added 0000:00:04.0 9 - -; device-added 0000:00:04.0 9 - -",
	       "...and follows it into its new group");
	feed(&s, &g, "bind", "pci", EDU, "vfio-pci", NULL, 9);
	is_str(g.text, "bound 0000:00:04.0 9 vfio-pci -; claimed - 9 vfio-pci -",
	       "...whose claim passes too");
	ev_state_clear(&s);

	seed(&s, "0000:00:04.0", 0x00ff00, 2, "");
	seed(&s, "0000:00:05.0", 0x00ff00, 3, "");
	ev_state_seeded(&s);
	ev_filter_group(&s, 3);
	feed(&s, &g, "bind", "pci", EDU, "vfio-pci", NULL, 2);
	is_str(g.text, "", "a group filter drops another group's events");
	feed(&s, &g, "bind", "pci", "/devices/pci0000:00/0000:00:05.0", "vfio-pci", NULL, 3);
	is_str(g.text, "bound 0000:00:05.0 3 vfio-pci -; claimed - 3 vfio-pci -", "...and passes its own");
	ev_filter_device(&s, "0000:00:04.0");
	feed(&s, &g, "unbind", "pci", EDU, NULL, NULL, 2);
	is_str(g.text, "unbound 0000:00:04.0 2 vfio-pci -; released - 2 - -",
	       "filters add up: a device filter added later passes its events too");

	struct ictl_event lost = { .kind = ICTL_EV_LOST, .group = -1 };

	ok(ev_match(&s, &lost), "lost events are reported whatever the filters");
	ev_state_clear(&s);
}

static void callback_error(void)
{
	struct ev_state s = { 0 };
	struct got g = { .stop_at = 2 };

	seed(&s, "0000:00:04.0", 0x00ff00, 2, "");
	ev_state_seeded(&s);
	is_int(feed(&s, &g, "bind", "pci", EDU, "vfio-pci", NULL, 2), -EIO,
	       "the callback's error stops the feed and is returned");
	is_str(g.text, "bound 0000:00:04.0 2 vfio-pci -", "  ...after the events before it");
	ev_state_clear(&s);
}

static void names(void)
{
	ok(!strcmp(ictl_event_kind_name(ICTL_EV_NODE_ADDED), "node-added") &&
		   !strcmp(ictl_event_kind_name(ICTL_EV_GROUP_REMOVED), "group-removed"),
	   "event names");
	for (int k = 0; k < ICTL_EV_COUNT; k++)
		ok(strcmp(ictl_event_kind_name((enum ictl_event_kind)k), "unknown"),
		   "event %d has a name (%s)", k, ictl_event_kind_name((enum ictl_event_kind)k));
	is_str(ictl_event_kind_name(ICTL_EV_COUNT), "unknown", "out of range: unknown");
}

int main(void)
{
	edu_cycle();
	claim_two();
	ignored();
	filters();
	callback_error();
	names();
	return done_testing();
}
