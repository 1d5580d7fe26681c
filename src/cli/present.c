// SPDX-License-Identifier: GPL-2.0-or-later
/* The library's objects as records: JSON and shared text (see present.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "present.h"

void buf_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

const char *join_names(const char (*names)[ICTL_NAME_MAX], size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		buf_add(buf, len, &off, "%s%s", i ? "," : "", names[i]);
	return buf;
}

/* --- devices ------------------------------------------------------------------------- */

void device_rec_init(struct device_rec *r, struct ictl_ctx *ctx, const struct ictl_device *d)
{
	r->d = d;
	memset(&r->names, 0, sizeof(r->names));
	if (d->is_pci)
		ictl_pci_lookup_names(ctx, d, &r->names);
}

const char *device_description(const struct device_rec *r, char *buf, size_t len)
{
	const struct ictl_device *d = r->d;

	if (!d->is_pci)
		snprintf(buf, len, "%s device", d->bus);
	else if (!r->names.vendor[0])
		snprintf(buf, len, "unknown device [%04x:%04x]", d->vendor_id, d->device_id);
	else if (r->names.device[0])
		snprintf(buf, len, "%s %s", r->names.vendor, r->names.device);
	else
		snprintf(buf, len, "%s %04x", r->names.vendor, d->device_id);
	return buf;
}

/* A PCI-only value: null for devices on other buses. */
static json_object *pci_hex(const struct ictl_device *d, uint64_t v, int width)
{
	return d->is_pci ? js_hex(v, width) : NULL;
}

json_object *present_device(const struct device_rec *r)
{
	const struct ictl_device *d = r->d;
	json_object *o = json_object_new_object();

	js_set(o, "device", json_object_new_string(d->name));
	js_set(o, "bus", js_str(d->bus));
	js_set(o, "vendor_id", pci_hex(d, d->vendor_id, 4));
	js_set(o, "device_id", pci_hex(d, d->device_id, 4));
	js_set(o, "subsystem_vendor_id", pci_hex(d, d->subsys_vendor_id, 4));
	js_set(o, "subsystem_device_id", pci_hex(d, d->subsys_device_id, 4));
	js_set(o, "class", pci_hex(d, d->class_code, 6));
	js_set(o, "revision", pci_hex(d, d->revision, 2));
	js_set(o, "vendor", js_str(r->names.vendor));
	js_set(o, "name", js_str(r->names.device));
	js_set(o, "class_name", js_str(r->names.class_name));
	js_set(o, "subsystem", js_str(r->names.subsys_device));
	js_set(o, "bridge", d->is_pci ? js_bool(ictl_device_is_bridge(d)) : NULL);
	js_set(o, "driver", js_str(d->driver));
	js_set(o, "driver_override", js_str(d->driver_override));
	js_set(o, "iommu", js_str(d->iommu));
	js_set(o, "group", d->group >= 0 ? js_int(d->group) : NULL);
	js_set(o, "vfio_dev", js_str(d->vfio_dev));
	js_set(o, "numa_node", js_int(d->numa_node));	/* -1: NUMA_NO_NODE, as sysfs says */
	js_set(o, "boot_vga", js_bool(d->boot_vga == ICTL_YES));
	js_set(o, "dma_managed_driver", js_bool(ictl_driver_is_dma_managed(d->driver)));
	return o;
}

/* --- groups -------------------------------------------------------------------------- */

const char blocker_reason[] =
	"bound to a driver that uses the kernel's DMA API; bind it to vfio-pci or unbind it";

void group_rec_init(struct group_rec *r, const struct ictl_group *g,
		    const struct ictl_device_list *devs)
{
	int n = ictl_group_blockers(g, devs, r->blockers, GROUP_BLOCKERS_MAX);

	r->g = g;
	r->devs = devs;
	r->nblockers = n > 0 ? (size_t)n : 0;
}

const char *blockers_str(const struct ictl_blocker *b, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		buf_add(buf, len, &off, "%s%s(%s)", i ? "," : "", b[i].device, b[i].driver);
	return buf;
}

const char *resv_str(const struct ictl_group *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->nresv; i++)
		buf_add(buf, len, &off, "%s%s:0x%016llx-0x%016llx", i ? "," : "", g->resv[i].kind,
			(unsigned long long)g->resv[i].start, (unsigned long long)g->resv[i].end);
	return buf;
}

json_object *present_group(const struct group_rec *r)
{
	const struct ictl_group *g = r->g;
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *bl = json_object_new_array(), *rr = json_object_new_array();

	js_set(o, "group", js_int(g->id));
	js_set(o, "type", js_str(g->type));
	js_set(o, "iommu", js_str(g->iommu));
	for (size_t i = 0; i < g->ndevices; i++)
		json_object_array_add(arr, json_object_new_string(g->devices[i]));
	js_set(o, "devices", arr);
	for (size_t i = 0; i < r->nblockers && i < GROUP_BLOCKERS_MAX; i++) {
		json_object *x = json_object_new_object();

		js_set(x, "device", json_object_new_string(r->blockers[i].device));
		js_set(x, "driver", json_object_new_string(r->blockers[i].driver));
		js_set(x, "reason", json_object_new_string(blocker_reason));
		json_object_array_add(bl, x);
	}
	js_set(o, "viable", js_bool(r->nblockers == 0));
	js_set(o, "blockers", bl);
	for (size_t i = 0; i < g->nresv; i++) {
		json_object *x = json_object_new_object();

		js_set(x, "start", js_hex(g->resv[i].start, 16));
		js_set(x, "end", js_hex(g->resv[i].end, 16));
		js_set(x, "type", json_object_new_string(g->resv[i].kind));
		json_object_array_add(rr, x);
	}
	js_set(o, "reserved_regions", rr);
	return o;
}

/* --- IOMMU units ----------------------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int unit_rec_init(struct unit_rec *r, const struct ictl_unit *u, const struct ictl_device_list *devs)
{
	size_t n = 0;

	r->u = u;
	r->ngroups = 0;
	r->groups = calloc(u->ndevices ? u->ndevices : 1, sizeof(*r->groups));
	if (!r->groups)
		return -1;
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(devs, u->devices[i]);

		if (d && d->group >= 0)
			r->groups[n++] = d->group;
	}
	qsort(r->groups, n, sizeof(*r->groups), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (!r->ngroups || r->groups[r->ngroups - 1] != r->groups[i])
			r->groups[r->ngroups++] = r->groups[i];
	}
	return 0;
}

void unit_rec_clear(struct unit_rec *r)
{
	free(r->groups);
	r->groups = NULL;
}

json_object *present_unit(const struct unit_rec *r)
{
	const struct ictl_unit *u = r->u;
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *groups = json_object_new_array(), *attrs = json_object_new_object();

	js_set(o, "iommu", json_object_new_string(u->name));
	js_set(o, "kind", json_object_new_string(ictl_unit_kind(u)));
	js_set(o, "description", json_object_new_string(ictl_unit_description(u)));
	for (size_t i = 0; i < u->ndevices; i++)
		json_object_array_add(arr, json_object_new_string(u->devices[i]));
	for (size_t i = 0; i < r->ngroups; i++)
		json_object_array_add(groups, js_int(r->groups[i]));
	js_set(o, "devices", arr);
	js_set(o, "groups", groups);
	for (size_t i = 0; i < u->nattrs; i++)
		js_set(attrs, u->attrs[i].name, json_object_new_string(u->attrs[i].value));
	js_set(o, "attributes", attrs);
	return o;
}

/* --- ownership ---------------------------------------------------------------------------- */

json_object *present_member(const struct ictl_own_member *m)
{
	json_object *o = json_object_new_object();
	char cdev[64];

	snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s", m->vfio_dev);
	js_set(o, "device", json_object_new_string(m->device));
	js_set(o, "role", json_object_new_string(m->bridge ? "bridge" : "endpoint"));
	js_set(o, "driver", js_str(m->driver));
	js_set(o, "driver_override", js_str(m->driver_override));
	js_set(o, "vfio_dev", js_str(m->vfio_dev));
	js_set(o, "cdev", m->has_cdev ? json_object_new_string(cdev) : NULL);
	return o;
}
