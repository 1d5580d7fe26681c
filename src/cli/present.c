// SPDX-License-Identifier: GPL-2.0-or-later
/* Library objects as JSON: the one data model every output mode renders. */
#include <string.h>

#include "present.h"

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

json_object *present_device(struct ictl_ctx *ctx, const struct ictl_device *d)
{
	json_object *o = json_object_new_object();
	struct ictl_pci_names n;

	add(o, "device", json_object_new_string(d->name));
	add(o, "bus", json_object_new_string(d->bus));
	if (d->is_pci) {
		ictl_pci_lookup_names(ctx, d, &n);
		add(o, "vendor_id", js_hex(d->vendor_id, 4));
		add(o, "device_id", js_hex(d->device_id, 4));
		add(o, "subsystem_vendor_id", js_hex(d->subsys_vendor_id, 4));
		add(o, "subsystem_device_id", js_hex(d->subsys_device_id, 4));
		add(o, "class", js_hex(d->class_code, 6));
		add(o, "revision", js_hex(d->revision, 2));
		add(o, "vendor", js_str_or_null(n.vendor));
		add(o, "name", js_str_or_null(n.device));
		add(o, "class_name", js_str_or_null(n.class_name));
		add(o, "subsystem", js_str_or_null(n.subsys_device));
		add(o, "bridge", json_object_new_boolean(ictl_device_is_bridge(d)));
	}
	add(o, "driver", js_str_or_null(d->driver));
	add(o, "driver_override", js_str_or_null(d->driver_override));
	add(o, "iommu", js_str_or_null(d->iommu));
	add(o, "group", d->group >= 0 ? json_object_new_int(d->group) : NULL);
	add(o, "vfio_dev", js_str_or_null(d->vfio_dev));
	add(o, "numa_node", json_object_new_int(d->numa_node));
	add(o, "boot_vga", json_object_new_boolean(d->boot_vga == ICTL_YES));
	add(o, "dma_managed_driver", json_object_new_boolean(ictl_driver_is_dma_managed(d->driver)));
	return o;
}

json_object *present_group(const struct ictl_group *g, const struct ictl_device_list *devs)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *bl = json_object_new_array(), *rr = json_object_new_array();
	struct ictl_blocker b[16];
	int nb;

	add(o, "group", json_object_new_int((int)g->id));
	add(o, "type", js_str_or_null(g->type));
	add(o, "iommu", js_str_or_null(g->iommu));
	for (size_t i = 0; i < g->ndevices; i++)
		json_object_array_add(arr, json_object_new_string(g->devices[i]));
	add(o, "devices", arr);
	nb = ictl_group_blockers(g, devs, b, 16);
	for (int i = 0; i < nb && i < 16; i++) {
		json_object *x = json_object_new_object();

		add(x, "device", json_object_new_string(b[i].device));
		add(x, "driver", json_object_new_string(b[i].driver));
		add(x, "reason", json_object_new_string(
			"bound to a driver that uses the kernel's DMA API; bind it to vfio-pci or unbind it"));
		json_object_array_add(bl, x);
	}
	add(o, "viable", json_object_new_boolean(nb == 0));
	add(o, "blockers", bl);
	for (size_t i = 0; i < g->nresv; i++) {
		json_object *x = json_object_new_object();

		add(x, "start", js_hex(g->resv[i].start, 16));
		add(x, "end", js_hex(g->resv[i].end, 16));
		add(x, "type", json_object_new_string(g->resv[i].kind));
		json_object_array_add(rr, x);
	}
	add(o, "reserved_regions", rr);
	return o;
}

json_object *present_unit(const struct ictl_unit *u, const struct ictl_device_list *devs)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *groups = json_object_new_array(), *attrs = json_object_new_object();
	int seen[1024];
	size_t nseen = 0;

	add(o, "iommu", json_object_new_string(u->name));
	add(o, "kind", json_object_new_string(ictl_unit_kind(u)));
	add(o, "description", json_object_new_string(ictl_unit_description(u)));
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(devs, u->devices[i]);
		bool dup = false;

		json_object_array_add(arr, json_object_new_string(u->devices[i]));
		if (!d || d->group < 0)
			continue;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == d->group;
		if (!dup && nseen < 1024)
			seen[nseen++] = d->group;
	}
	/* groups in numeric order */
	for (size_t i = 1; i < nseen; i++) {
		for (size_t k = i; k > 0 && seen[k - 1] > seen[k]; k--) {
			int t = seen[k];

			seen[k] = seen[k - 1];
			seen[k - 1] = t;
		}
	}
	for (size_t i = 0; i < nseen; i++)
		json_object_array_add(groups, json_object_new_int(seen[i]));
	add(o, "devices", arr);
	add(o, "groups", groups);
	for (size_t i = 0; i < u->nattrs; i++)
		add(attrs, u->attrs[i].name, json_object_new_string(u->attrs[i].value));
	add(o, "attributes", attrs);
	return o;
}

const char *fmt_device_description(json_object *row, char *buf, size_t len)
{
	const char *v = json_object_get_string(out_get(row, "vendor"));
	const char *n = json_object_get_string(out_get(row, "name"));
	const char *vid = json_object_get_string(out_get(row, "vendor_id"));
	const char *did = json_object_get_string(out_get(row, "device_id"));

	if (!vid)
		snprintf(buf, len, "%s device", json_object_get_string(out_get(row, "bus")));
	else if (!v)
		snprintf(buf, len, "unknown device [%s:%s]", vid + 2, did + 2);
	else
		snprintf(buf, len, "%s %s", v, n ? n : did + 2);
	return buf;
}

const char *fmt_device_count(json_object *row, char *buf, size_t len)
{
	snprintf(buf, len, "%zu", json_object_array_length(out_get(row, "devices")));
	return buf;
}

const char *fmt_object_list(json_object *row, const char *key, const char *a, const char *b,
			    char *buf, size_t len)
{
	json_object *arr = out_get(row, key);
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *sb = b ? json_object_get_string(out_get(o, b)) : NULL;

		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s%s%s%s",
					i ? "," : "", json_object_get_string(out_get(o, a)),
					b ? "(" : "", b ? (sb ? sb : "-") : "", b ? ")" : "");
	}
	return off ? buf : "-";
}

const char *fmt_blockers(json_object *row, char *buf, size_t len)
{
	return fmt_object_list(row, "blockers", "device", "driver", buf, len);
}

json_object *present_error(struct cli *cli, int err)
{
	json_object *e;

	if (err >= 0)
		return NULL;
	e = json_object_new_object();
	json_object_object_add(e, "message", json_object_new_string(ictl_strerror(cli->ctx)));
	json_object_object_add(e, "code", json_object_new_int(cli_exit_code(err)));
	return e;
}
