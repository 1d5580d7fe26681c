// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl show GROUP|DEVICE: everything known about one group or device. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cmds.h"

static void kv(FILE *out, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void kv(FILE *out, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "  %-18s", label);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* What show prints: a group with its devices, or a device with its group. */
struct show_rec {
	struct ictl_ctx *ctx;
	const struct ictl_device_list *devs;
	const struct ictl_group *group;		/* NULL: a device not in a group */
	struct group_rec grec;
	const struct ictl_device *device;	/* NULL: show GROUP */
};

static void print_viability(FILE *out, const struct group_rec *g)
{
	if (!g->nblockers) {
		kv(out, "Viable:", "yes (no member is on a driver that uses the DMA API)");
		return;
	}
	kv(out, "Viable:", "no");
	for (size_t i = 0; i < g->nblockers && i < GROUP_BLOCKERS_MAX; i++)
		fprintf(out, "    %s is bound to %s: %s\n", esc_text(g->blockers[i].device),
			esc_text(g->blockers[i].driver), blocker_reason);
}

static void print_regions(FILE *out, const struct ictl_group *g)
{
	if (!g->nresv)
		kv(out, "Reserved regions:", "none");
	for (size_t i = 0; i < g->nresv; i++)
		kv(out, i ? "" : "Reserved regions:", "0x%016llx-0x%016llx  %s",
		   (unsigned long long)g->resv[i].start, (unsigned long long)g->resv[i].end,
		   esc_text(g->resv[i].kind));
}

static int text_group(struct cli *cli, FILE *out, const void *data)
{
	const struct show_rec *s = data;
	const struct ictl_group *g = s->group;
	size_t n = 0;
	char buf[512];

	(void)cli;
	fprintf(out, "Group %u\n", g->id);
	kv(out, "Type:", "%s", esc_text(dash(g->type)));
	kv(out, "IOMMU:", "%s", esc_text(dash(g->iommu)));
	print_viability(out, &s->grec);
	print_regions(out, g);
	for (size_t i = 0; i < g->ndevices; i++)
		n += ictl_device_find(s->devs, g->devices[i]) != NULL;
	kv(out, "Devices:", "%zu", n);
	for (size_t i = 0; i < g->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(s->devs, g->devices[i]);
		struct device_rec dr;

		if (!d)
			continue;
		device_rec_init(&dr, s->ctx, d);
		fprintf(out, "    %-14s %-12s %s\n", esc_text(d->name), esc_text(dash(d->driver)),
			esc_text(device_description(&dr, buf, sizeof(buf))));
	}
	return 0;
}

/* "Name [hex]", the hex id width digits wide. */
static void named(FILE *out, const char *label, const char *name, int width, unsigned int id)
{
	kv(out, label, "%s [%0*x]", name[0] ? esc_text(name) : "(unknown)", width, id);
}

static int text_device(struct cli *cli, FILE *out, const void *data)
{
	const struct show_rec *s = data;
	const struct ictl_device *d = s->device;
	struct device_rec dr;

	(void)cli;
	device_rec_init(&dr, s->ctx, d);
	fprintf(out, "Device %s\n", esc_text(d->name));
	kv(out, "Bus:", "%s", esc_text(dash(d->bus)));
	if (d->is_pci) {
		named(out, "Vendor:", dr.names.vendor, 4, d->vendor_id);
		named(out, "Device:", dr.names.device, 4, d->device_id);
		kv(out, "Subsystem:", "%s [%04x:%04x]",
		   dr.names.subsys_device[0] ? esc_text(dr.names.subsys_device) : "(unknown)",
		   d->subsys_vendor_id, d->subsys_device_id);
		named(out, "Class:", dr.names.class_name, 6, d->class_code);
		kv(out, "Revision:", "0x%02x", d->revision);
		kv(out, "Bridge:", "%s", ictl_device_is_bridge(d) ? "yes" : "no");
	}
	kv(out, "Driver:", "%s", esc_text(dash(d->driver)));
	kv(out, "Driver override:", "%s", esc_text(dash(d->driver_override)));
	kv(out, "IOMMU:", "%s", esc_text(dash(d->iommu)));
	kv(out, "VFIO cdev:", "%s%s", d->vfio_dev[0] ? "/dev/vfio/devices/" : "",
	   esc_text(dash(d->vfio_dev)));
	kv(out, "NUMA node:", "%d", d->numa_node);
	kv(out, "Boot VGA:", "%s", d->boot_vga == ICTL_YES ? "yes" : "no");
	if (!s->group) {
		kv(out, "Group:", "none (no IOMMU translates this device's DMA)");
	} else {
		size_t n = s->group->ndevices;

		kv(out, "Group:", "%u (%s, %zu device%s)", s->group->id, esc_text(dash(s->group->type)), n,
		   n == 1 ? "" : "s");
		print_viability(out, &s->grec);
		print_regions(out, s->group);
	}
	return 0;
}

static json_object *group_json(struct cli *cli, const void *data, int err)
{
	const struct show_rec *s = data;
	json_object *doc = json_object_new_object(), *g = present_group(&s->grec);
	json_object *info = json_object_new_array();

	(void)cli, (void)err;
	for (size_t i = 0; i < s->group->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(s->devs, s->group->devices[i]);
		struct device_rec dr;

		if (!d)
			continue;
		device_rec_init(&dr, s->ctx, d);
		json_object_array_add(info, present_device(&dr));
	}
	js_set(g, "device_info", info);
	js_set(doc, "group", g);
	return doc;
}

static json_object *device_json(struct cli *cli, const void *data, int err)
{
	const struct show_rec *s = data;
	json_object *doc = json_object_new_object(), *d;
	struct device_rec dr;

	(void)cli, (void)err;
	device_rec_init(&dr, s->ctx, s->device);
	d = present_device(&dr);
	js_set(d, "group_info", s->group ? present_group(&s->grec) : NULL);
	js_set(doc, "device", d);
	return doc;
}

static const struct out_doc_view group_view = { .json = group_json, .text = text_group };
static const struct out_doc_view device_view = { .json = device_json, .text = text_device };

int cmd_show(struct cli *cli)
{
	const char *arg = cli->argv[0];
	struct show_rec s = { .ctx = cli->ctx };
	struct ictl_device_list devs;
	char name[ICTL_NAME_MAX];
	unsigned int id = 0;
	bool is_group = arg[0] && strspn(arg, "0123456789") == strlen(arg);
	struct ictl_group g;
	int r;

	r = is_group ? ictl_parse_group_id(cli->ctx, arg, &id) :
		       ictl_parse_device_name(cli->ctx, arg, name);
	if (r < 0)
		return cli_lib_error(cli, r);
	/* Only what is shown: the group's members, or the device and its group's. */
	r = is_group ? ictl_devices_scan_group(cli->ctx, id, &devs) :
		       ictl_devices_scan_near(cli->ctx, name, &devs);
	if (r < 0)
		return cli_lib_error(cli, r);
	s.devs = &devs;
	if (!is_group) {
		s.device = ictl_device_find(&devs, name);
		if (!s.device) {
			r = cli_error(cli, -ENOENT, "no device %s on this system (see 'iommuctl devices')",
				      name);
			goto out;
		}
		if (s.device->group < 0)
			goto print;
		id = (unsigned int)s.device->group;
	}
	r = ictl_group_read(cli->ctx, id, &g);
	if (r < 0) {
		r = cli_lib_error(cli, r);
		goto out;
	}
	s.group = &g;
	group_rec_init(&s.grec, &g, &devs);
print:
	r = out_doc(cli, is_group ? &group_view : &device_view, &s, 0);
	if (s.group)
		ictl_group_clear(&g);
out:
	ictl_device_list_clear(&devs);
	return r;
}
