// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From uevents to iommuctl's events.  The kernel tells a device's add, remove, bind and
 * unbind, and the add and remove of VFIO nodes; the table below (every device's group and
 * driver) turns those into the events it does not send: a group's first device arriving
 * or last one leaving, and a group becoming claimed or released.  The table is read once
 * when a monitor starts and then follows the events, so an unbind, which carries no
 * DRIVER, still names the driver the device had, and a removed device its group.
 *
 * Events are rare: each one scans the table once (microseconds for 16,384 devices).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

static const char *const kind_names[ICTL_EV_COUNT] = {
	[ICTL_EV_DEVICE_ADDED] = "device-added",
	[ICTL_EV_DEVICE_REMOVED] = "device-removed",
	[ICTL_EV_BOUND] = "bound",
	[ICTL_EV_UNBOUND] = "unbound",
	[ICTL_EV_GROUP_ADDED] = "group-added",
	[ICTL_EV_GROUP_REMOVED] = "group-removed",
	[ICTL_EV_NODE_ADDED] = "node-added",
	[ICTL_EV_NODE_REMOVED] = "node-removed",
	[ICTL_EV_CLAIMED] = "claimed",
	[ICTL_EV_RELEASED] = "released",
	[ICTL_EV_LOST] = "lost",
};

const char *ictl_event_kind_name(enum ictl_event_kind k)
{
	return (unsigned int)k < ICTL_EV_COUNT ? kind_names[k] : "unknown";
}

void ev_state_reset(struct ev_state *s)
{
	free(s->devs);
	free(s->claimed);
	s->devs = NULL;
	s->claimed = NULL;
	s->ndevs = s->nclaimed = 0;
}

void ev_state_clear(struct ev_state *s)
{
	ev_state_reset(s);
	free(s->filters);
	s->filters = NULL;
	s->nfilters = 0;
}

static struct ev_dev *dev_find(struct ev_state *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++) {
		if (!strcmp(s->devs[i].name, name))
			return &s->devs[i];
	}
	return NULL;
}

static void dev_forget(struct ev_state *s, struct ev_dev *d)
{
	size_t i = (size_t)(d - s->devs);

	memmove(d, d + 1, (s->ndevs - i - 1) * sizeof(*d));
	s->ndevs--;
}

static struct ev_dev *dev_new(struct ev_state *s, const char *name)
{
	struct ev_dev *d = array_push(&s->devs, &s->ndevs, sizeof(*d));

	if (d) {
		str_copy(d->name, name, sizeof(d->name));
		d->group = -1;
	}
	return d;
}

int ev_state_add(struct ev_state *s, const struct ictl_device *dev)
{
	struct ev_dev *d = dev_find(s, dev->name) ?: dev_new(s, dev->name);

	if (!d)
		return -ENOMEM;
	d->is_pci = dev->is_pci;
	d->class_code = dev->class_code;
	d->group = dev->group;
	str_copy(d->driver, dev->driver, sizeof(d->driver));
	return 0;
}

/* Bridges and ports stay with the kernel in a claim (owner.c counts them out the same way). */
static bool dev_is_endpoint(const struct ev_dev *d)
{
	struct ictl_device probe = { .is_pci = d->is_pci, .class_code = d->class_code };

	return !ictl_device_is_bridge(&probe) && strcmp(d->driver, "pcieport");
}

/* Endpoints of a group, and how many of them are on a VFIO driver. */
static size_t group_endpoints(const struct ev_state *s, int group, size_t *on_vfio)
{
	size_t n = 0;

	*on_vfio = 0;
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct ev_dev *d = &s->devs[i];

		if (d->group != group || !dev_is_endpoint(d))
			continue;
		n++;
		if (ictl_driver_is_vfio(d->driver))
			(*on_vfio)++;
	}
	return n;
}

static size_t group_size(const struct ev_state *s, int group)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ndevs; i++)
		n += s->devs[i].group == group;
	return n;
}

static unsigned int *claimed_find(struct ev_state *s, int group)
{
	for (size_t i = 0; i < s->nclaimed; i++) {
		if ((int)s->claimed[i] == group)
			return &s->claimed[i];
	}
	return NULL;
}

static int claimed_set(struct ev_state *s, int group, bool on)
{
	unsigned int *c = claimed_find(s, group);

	if (on && !c) {
		c = array_push(&s->claimed, &s->nclaimed, sizeof(*c));
		if (!c)
			return -ENOMEM;
		*c = (unsigned int)group;
	} else if (!on && c) {
		*c = s->claimed[--s->nclaimed];
	}
	return 0;
}

int ev_state_seeded(struct ev_state *s)
{
	for (size_t i = 0; i < s->ndevs; i++) {
		int g = s->devs[i].group;
		size_t n, on_vfio;

		if (g < 0 || claimed_find(s, g))
			continue;
		n = group_endpoints(s, g, &on_vfio);
		if (n && on_vfio == n && claimed_set(s, g, true) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->nfilters; i++) {
		struct ev_filter *f = &s->filters[i];
		const struct ev_dev *d = f->is_group ? NULL : dev_find(s, f->device);

		if (d)
			f->dev_group = d->group;
	}
	return 0;
}

int ev_filter_group(struct ev_state *s, unsigned int group)
{
	struct ev_filter *f = array_push(&s->filters, &s->nfilters, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->is_group = true;
	f->group = group;
	f->dev_group = -1;
	return 0;
}

int ev_filter_device(struct ev_state *s, const char *name)
{
	struct ev_filter *f = array_push(&s->filters, &s->nfilters, sizeof(*f));
	const struct ev_dev *d = dev_find(s, name);

	if (!f)
		return -ENOMEM;
	str_copy(f->device, name, sizeof(f->device));
	f->dev_group = d ? d->group : -1;
	return 0;
}

bool ev_match(struct ev_state *s, const struct ictl_event *e)
{
	bool match = !s->nfilters || e->kind == ICTL_EV_LOST;

	for (size_t i = 0; i < s->nfilters; i++) {
		struct ev_filter *f = &s->filters[i];

		if (f->is_group) {
			match |= e->group >= 0 && (unsigned int)e->group == f->group;
		} else if (e->device[0]) {
			if (strcmp(e->device, f->device))
				continue;
			match = true;
			if (e->group >= 0 || e->kind == ICTL_EV_DEVICE_REMOVED)
				f->dev_group = e->kind == ICTL_EV_DEVICE_REMOVED ? -1 : e->group;
		} else {
			match |= f->dev_group >= 0 && e->group == f->dev_group;
		}
	}
	return match;
}

int ev_emit(struct ev_state *s, const struct ictl_event *e, ictl_event_fn fn, void *data)
{
	return ev_match(s, e) ? fn(e, data) : 0;
}

/* --- feeding uevents -------------------------------------------------------------- */

struct ev_out {
	struct ev_state *s;
	const struct ictl_uevent *u;
	ictl_event_fn fn;
	void *data;
	int count;
};

static int out_emit(struct ev_out *o, enum ictl_event_kind kind, const char *device, int group,
		    const char *driver, const char *node, const char *detail)
{
	struct ictl_event e = { .kind = kind, .time_us = o->u->time_us, .seqnum = o->u->seqnum,
				.group = group };
	int r;

	str_copy(e.device, device ?: "", sizeof(e.device));
	str_copy(e.driver, driver ?: "", sizeof(e.driver));
	str_copy(e.node, node ?: "", sizeof(e.node));
	str_copy(e.detail, detail ?: "", sizeof(e.detail));
	if (!ev_match(o->s, &e))
		return 0;
	r = o->fn(&e, o->data);
	if (r < 0)
		return r;
	o->count++;
	return 0;
}

/* After a driver changed in group g: has it become claimed, or released? */
static int check_claim(struct ev_out *o, int g, const char *driver)
{
	bool was = claimed_find(o->s, g) != NULL;
	size_t on_vfio, n;
	char detail[64];

	if (g < 0)
		return 0;
	n = group_endpoints(o->s, g, &on_vfio);
	if (!was && n && on_vfio == n) {
		snprintf(detail, sizeof(detail), "%zu endpoint%s on a VFIO driver", n,
			 n == 1 ? "" : "s");
		if (claimed_set(o->s, g, true) < 0)
			return -ENOMEM;
		return out_emit(o, ICTL_EV_CLAIMED, NULL, g, driver, NULL, detail);
	}
	if (was && !on_vfio) {
		snprintf(detail, sizeof(detail), "no endpoint on a VFIO driver");
		claimed_set(o->s, g, false);
		return out_emit(o, ICTL_EV_RELEASED, NULL, g, NULL, NULL, detail);
	}
	return 0;
}

/* The last component of a devpath: the device's name. */
static const char *devpath_name(const char *devpath)
{
	const char *slash = strrchr(devpath, '/');

	return slash ? slash + 1 : devpath;
}

/* "/dev/vfio/2" whether DEVNAME came as "vfio/2" (the kernel) or "/dev/vfio/2" (udev). */
static void node_path(const char *devname, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", devname[0] == '/' ? "" : "/dev/", devname);
}

/* vfio-dev: a device's cdev, .../<device>/vfio-dev/vfioN; vfio: a legacy group node. */
static int feed_node(struct ev_out *o, bool vfio_dev)
{
	const struct ictl_uevent *u = o->u;
	bool add = !strcmp(u->action, "add");
	char device[ICTL_NAME_MAX] = "", node[64];
	const char *name = devpath_name(u->devpath);
	int group = -1;

	/* No DEVNAME: a kernel without VFIO cdevs still adds the vfio-dev device, nodeless. */
	if (!u->devname || (!add && strcmp(u->action, "remove")))
		return 0;
	node_path(u->devname, node, sizeof(node));
	if (vfio_dev) {
		const char *end = u->devpath + strlen(u->devpath) - strlen(name);
		const char *start;
		const struct ev_dev *d;

		/* end points at "vfioN"; before it "/vfio-dev/", before that the device. */
		if (end - u->devpath < 11 || strncmp(end - 10, "/vfio-dev/", 10))
			return 0;
		end -= 10;
		for (start = end; start > u->devpath && start[-1] != '/'; start--)
			;
		snprintf(device, sizeof(device), "%.*s", (int)(end - start), start);
		d = dev_find(o->s, device);
		group = d ? d->group : -1;
	} else {
		unsigned long id;
		char *endp;

		/* vfio/12, or vfio/noiommu-12 (no IOMMU, unsafe mode). */
		if (!strncmp(name, "noiommu-", 8))
			name += 8;
		id = strtoul(name, &endp, 10);
		if (endp == name || *endp || id > 0x7fffffff)
			return 0;
		group = (int)id;
	}
	return out_emit(o, add ? ICTL_EV_NODE_ADDED : ICTL_EV_NODE_REMOVED, device, group, NULL,
			node, NULL);
}

static void added_detail(const struct ictl_uevent *u, const struct ev_dev *d, char *buf,
			 size_t len)
{
	char id[16];

	buf[0] = '\0';
	if (!d->is_pci)
		snprintf(buf, len, "%s", u->subsystem);
	else if (u->pci_id && strlen(u->pci_id) < sizeof(id)) {
		str_copy(id, u->pci_id, sizeof(id));
		for (char *p = id; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		snprintf(buf, len, "%s class %06x", id, d->class_code);
	}
}

static int feed_add(struct ev_out *o, const char *name, bool is_pci)
{
	const struct ictl_uevent *u = o->u;
	struct ev_dev *d = dev_find(o->s, name);
	uint64_t cls = 0;
	char detail[64];
	int r;

	if (!is_pci && u->group < 0)
		return 0;	/* not a device iommuctl lists */
	if (!d && !(d = dev_new(o->s, name)))
		return -ENOMEM;
	d->is_pci = is_pci;
	if (u->pci_class && !parse_hex_u64(u->pci_class, &cls))
		d->class_code = (uint32_t)cls;
	d->group = u->group;
	str_copy(d->driver, u->driver ?: "", sizeof(d->driver));
	added_detail(u, d, detail, sizeof(detail));
	if (d->group >= 0 && group_size(o->s, d->group) == 1) {
		r = out_emit(o, ICTL_EV_GROUP_ADDED, name, d->group, NULL, NULL, "first device");
		if (r < 0)
			return r;
	}
	return out_emit(o, ICTL_EV_DEVICE_ADDED, name, d->group, d->driver, NULL, detail);
}

static int feed_remove(struct ev_out *o, const char *name, bool is_pci)
{
	struct ev_dev *d = dev_find(o->s, name);
	char driver[ICTL_NAME_MAX] = "";
	int group = -1, r;

	if (!d && !is_pci)
		return 0;
	if (d) {
		group = d->group;
		str_copy(driver, d->driver, sizeof(driver));
		dev_forget(o->s, d);
	}
	r = out_emit(o, ICTL_EV_DEVICE_REMOVED, name, group, driver, NULL, NULL);
	if (r < 0 || group < 0 || group_size(o->s, group))
		return r;
	claimed_set(o->s, group, false);
	return out_emit(o, ICTL_EV_GROUP_REMOVED, name, group, NULL, NULL, "last device gone");
}

static int feed_bind(struct ev_out *o, const char *name, bool is_pci, bool bind)
{
	const struct ictl_uevent *u = o->u;
	struct ev_dev *d = dev_find(o->s, name);
	char was[ICTL_NAME_MAX];
	int r;

	if (!d && !is_pci && u->group < 0)
		return 0;
	if (!d && !(d = dev_new(o->s, name)))
		return -ENOMEM;
	d->is_pci = d->is_pci || is_pci;
	if (u->group >= 0)
		d->group = u->group;
	str_copy(was, d->driver, sizeof(was));
	str_copy(d->driver, bind && u->driver ? u->driver : "", sizeof(d->driver));
	if (bind)
		r = out_emit(o, ICTL_EV_BOUND, name, d->group, d->driver, NULL, NULL);
	else
		r = out_emit(o, ICTL_EV_UNBOUND, name, d->group, was, NULL, NULL);
	return r < 0 ? r : check_claim(o, d->group, d->driver[0] ? d->driver : was);
}

int ev_feed(struct ev_state *s, const struct ictl_uevent *u, ictl_event_fn fn, void *data)
{
	struct ev_out o = { s, u, fn, data, 0 };
	const char *name;
	bool is_pci;
	int r;

	if (!u->action || !u->subsystem || !u->devpath || !u->devpath[0])
		return 0;
	if (!strcmp(u->subsystem, "vfio-dev") || !strcmp(u->subsystem, "vfio"))
		r = feed_node(&o, u->subsystem[4] == '-');
	else {
		name = devpath_name(u->devpath);
		is_pci = !strcmp(u->subsystem, "pci");
		if (!name[0] || strlen(name) >= ICTL_NAME_MAX)
			return 0;
		if (!strcmp(u->action, "add"))
			r = feed_add(&o, name, is_pci);
		else if (!strcmp(u->action, "remove"))
			r = feed_remove(&o, name, is_pci);
		else if (!strcmp(u->action, "bind") || !strcmp(u->action, "unbind"))
			r = feed_bind(&o, name, is_pci, u->action[0] == 'b');
		else
			r = 0;	/* change, move, online, offline: nothing of ours */
	}
	return r < 0 ? r : o.count;
}
