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

static void print_viability(FILE *out, json_object *g)
{
	json_object *bl = out_get(g, "blockers");

	if (json_object_get_boolean(out_get(g, "viable"))) {
		kv(out, "Viable:", "yes (no member is on a driver that uses the DMA API)");
		return;
	}
	kv(out, "Viable:", "no");
	for (size_t i = 0; i < json_object_array_length(bl); i++) {
		json_object *b = json_object_array_get_idx(bl, i);

		fprintf(out, "    %s is bound to %s: %s\n", out_str(b, "device"), out_str(b, "driver"),
			out_str(b, "reason"));
	}
}

static void print_regions(FILE *out, json_object *g)
{
	json_object *rr = out_get(g, "reserved_regions");

	if (!json_object_array_length(rr))
		kv(out, "Reserved regions:", "none");
	for (size_t i = 0; i < json_object_array_length(rr); i++) {
		json_object *r = json_object_array_get_idx(rr, i);

		kv(out, i ? "" : "Reserved regions:", "%s-%s  %s", out_str(r, "start"), out_str(r, "end"),
		   out_str(r, "type"));
	}
}

static int text_group(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *g = out_get(doc, "group"), *info = out_get(g, "device_info");
	char buf[512];

	(void)cli;
	fprintf(out, "Group %s\n", out_str(g, "group"));
	kv(out, "Type:", "%s", out_str(g, "type"));
	kv(out, "IOMMU:", "%s", out_str(g, "iommu"));
	print_viability(out, g);
	print_regions(out, g);
	kv(out, "Devices:", "%zu", json_object_array_length(info));
	for (size_t i = 0; i < json_object_array_length(info); i++) {
		json_object *d = json_object_array_get_idx(info, i);

		fprintf(out, "    %-14s %-12s %s\n", out_str(d, "device"), out_str(d, "driver"),
			fmt_device_description(d, buf, sizeof(buf)));
	}
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

static void named(FILE *out, const char *label, json_object *d, const char *name_key,
		  const char *id_key)
{
	const char *id = json_object_get_string(out_get(d, id_key));
	const char *name = json_object_get_string(out_get(d, name_key));

	if (!id)
		return;
	kv(out, label, "%s [%s]", name ? name : "(unknown)", id + 2);
}

static int text_device(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *d = out_get(doc, "device"), *g = out_get(d, "group_info");

	fprintf(out, "Device %s\n", out_str(d, "device"));
	kv(out, "Bus:", "%s", out_str(d, "bus"));
	named(out, "Vendor:", d, "vendor", "vendor_id");
	named(out, "Device:", d, "name", "device_id");
	if (out_get(d, "subsystem_vendor_id"))
		kv(out, "Subsystem:", "%s [%s:%s]",
		   json_object_get_string(out_get(d, "subsystem")) ?: "(unknown)",
		   out_str(d, "subsystem_vendor_id") + 2, out_str(d, "subsystem_device_id") + 2);
	named(out, "Class:", d, "class_name", "class");
	if (out_get(d, "revision"))
		kv(out, "Revision:", "%s", out_str(d, "revision"));
	if (out_get(d, "bridge"))
		kv(out, "Bridge:", "%s", json_object_get_boolean(out_get(d, "bridge")) ? "yes" : "no");
	kv(out, "Driver:", "%s", out_str(d, "driver"));
	kv(out, "Driver override:", "%s", out_str(d, "driver_override"));
	kv(out, "IOMMU:", "%s", out_str(d, "iommu"));
	kv(out, "VFIO cdev:", "%s%s", out_get(d, "vfio_dev") ? "/dev/vfio/devices/" : "",
	   out_str(d, "vfio_dev"));
	kv(out, "NUMA node:", "%s", out_str(d, "numa_node"));
	kv(out, "Boot VGA:", "%s", json_object_get_boolean(out_get(d, "boot_vga")) ? "yes" : "no");
	if (!g) {
		kv(out, "Group:", "none (no IOMMU translates this device's DMA)");
	} else {
		size_t n = json_object_array_length(out_get(g, "devices"));

		kv(out, "Group:", "%s (%s, %zu device%s)", out_str(g, "group"), out_str(g, "type"), n,
		   n == 1 ? "" : "s");
		print_viability(out, g);
		print_regions(out, g);
	}
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

static int show_group(struct cli *cli, unsigned int id, json_object *doc,
		      const struct ictl_device_list *devs)
{
	struct ictl_group g;
	json_object *jg, *info;
	int r = ictl_group_read(cli->ctx, id, &g);

	if (r < 0)
		return cli_lib_error(cli, r);
	jg = present_group(&g, devs);
	info = json_object_new_array();
	for (size_t i = 0; i < g.ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(devs, g.devices[i]);

		if (d)
			json_object_array_add(info, present_device(cli->ctx, d));
	}
	json_object_object_add(jg, "device_info", info);
	json_object_object_add(doc, "group", jg);
	ictl_group_clear(&g);
	return 0;
}

static int show_device(struct cli *cli, const char *name, json_object *doc,
		       const struct ictl_device_list *devs)
{
	const struct ictl_device *d = ictl_device_find(devs, name);
	json_object *jd;
	struct ictl_group g;
	int r;

	if (!d)
		return cli_error(cli, -ENOENT, "no device %s on this system (see 'iommuctl devices')",
				 name);
	jd = present_device(cli->ctx, d);
	if (d->group >= 0) {
		r = ictl_group_read(cli->ctx, (unsigned int)d->group, &g);
		if (r < 0) {
			json_object_put(jd);
			return cli_lib_error(cli, r);
		}
		json_object_object_add(jd, "group_info", present_group(&g, devs));
		ictl_group_clear(&g);
	}
	json_object_object_add(doc, "device", jd);
	return 0;
}

int cmd_show(struct cli *cli)
{
	const char *arg = cli->argv[0];
	struct out_view view = { 0 };
	struct ictl_device_list devs;
	char name[ICTL_NAME_MAX];
	unsigned int id = 0;
	bool is_group = arg[0] && strspn(arg, "0123456789") == strlen(arg);
	json_object *doc;
	int r;

	r = is_group ? ictl_parse_group_id(cli->ctx, arg, &id) :
		       ictl_parse_device_name(cli->ctx, arg, name);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = is_group ? ictl_devices_scan_group(cli->ctx, id, &devs) :
		       ictl_devices_scan_near(cli->ctx, name, &devs);
	if (r < 0)
		return cli_lib_error(cli, r);
	doc = json_object_new_object();
	r = is_group ? show_group(cli, id, doc, &devs) : show_device(cli, name, doc, &devs);
	if (!r) {
		view.text = is_group ? text_group : text_device;
		r = out_print(cli, doc, &view);
	}
	json_object_put(doc);
	ictl_device_list_clear(&devs);
	return r;
}
