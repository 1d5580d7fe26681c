/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event table behind a monitor (events.c): uevents in, iommuctl's events out.  Pure:
 * no I/O, so tests feed it uevents of their own.  udev.c reads the uevents and adds what
 * only sysfs knows (the group of a device that was just added).
 */
#ifndef ICTL_EVENTS_H
#define ICTL_EVENTS_H

#include "internal.h"

/* One uevent as the kernel (or udevd) sent it; strings may be NULL when absent. */
struct ictl_uevent {
	const char *action;	/* add, remove, bind, unbind, change, ... */
	const char *subsystem;	/* pci, platform, vfio, vfio-dev, ... */
	const char *devpath;	/* /devices/pci0000:00/0000:00:04.0 */
	const char *driver;	/* DRIVER: the driver bound (bind) */
	const char *devname;	/* DEVNAME: the node, below /dev or with it */
	const char *pci_class;	/* PCI_CLASS, hex ("FF00", "60400") */
	const char *pci_id;	/* PCI_ID ("1234:11E8") */
	uint64_t seqnum;
	uint64_t time_us;
	int group;		/* the device's iommu_group, read on receipt; -1 when none */
};

struct ev_dev {
	char name[ICTL_NAME_MAX];
	bool is_pci;
	uint32_t class_code;
	int group;
	char driver[ICTL_NAME_MAX];
};

struct ev_filter {
	bool is_group;
	unsigned int group;		/* is_group */
	char device[ICTL_NAME_MAX];	/* !is_group */
	int dev_group;			/* the device's group as last seen; -1 */
};

struct ev_state {
	size_t ndevs;
	struct ev_dev *devs;
	size_t nclaimed;
	unsigned int *claimed;		/* groups claimed now */
	size_t nfilters;
	struct ev_filter *filters;
};

void ev_state_clear(struct ev_state *s);
/* Forget the devices and claims (filters stay), before reading them again. */
void ev_state_reset(struct ev_state *s);
/* Seed the table with a device as it is now; then ev_state_seeded() once. */
int ev_state_add(struct ev_state *s, const struct ictl_device *d);
/* Mark the groups that are claimed now, so that only changes are reported. */
int ev_state_seeded(struct ev_state *s);
int ev_filter_group(struct ev_state *s, unsigned int group);
int ev_filter_device(struct ev_state *s, const char *name);
/* Update the table with u, call fn for each event that passes the filters. */
int ev_feed(struct ev_state *s, const struct ictl_uevent *u, ictl_event_fn fn, void *data);
/* Report one event that has no uevent behind it (ICTL_EV_LOST), through the filters. */
int ev_emit(struct ev_state *s, const struct ictl_event *e, ictl_event_fn fn, void *data);
/* Does the event pass the filters (and remember a filtered device's group)? */
bool ev_match(struct ev_state *s, const struct ictl_event *e);

#endif /* ICTL_EVENTS_H */
