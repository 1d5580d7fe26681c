// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl devices: every device with its driver, IOMMU unit and group. */
#include "cmds.h"

static const char *fmt_ids(json_object *row, char *buf, size_t len)
{
	const char *v = json_object_get_string(out_get(row, "vendor_id"));
	const char *d = json_object_get_string(out_get(row, "device_id"));

	if (!v || !d)
		return "-";
	snprintf(buf, len, "%s:%s", v + 2, d + 2);
	return buf;
}

const struct out_col devices_columns[] = {
	{ "DEVICE", "device", "device name (PCI address)", COL_DEFAULT, 0, NULL },
	{ "GROUP", "group", "IOMMU group", COL_DEFAULT | COL_RIGHT, 0, NULL },
	{ "IOMMU", "iommu", "IOMMU unit", COL_DEFAULT, 0, NULL },
	{ "DRIVER", "driver", "bound driver", COL_DEFAULT, 0, NULL },
	{ "IDS", NULL, "vendor:device IDs", COL_DEFAULT, 0, fmt_ids },
	{ "CLASS", "class_name", "PCI class name", COL_DEFAULT | COL_TRUNC, 0, NULL },
	{ "DESCRIPTION", NULL, "vendor and device names", COL_DEFAULT | COL_TRUNC, 0,
	  fmt_device_description },
	{ "CLASSCODE", "class", "PCI class code", 0, 0, NULL },
	{ "VENDOR", "vendor", "vendor name", 0, 0, NULL },
	{ "NAME", "name", "device name", 0, 0, NULL },
	{ "SUBSYSTEM", "subsystem", "subsystem name", 0, 0, NULL },
	{ "REV", "revision", "revision", 0, 0, NULL },
	{ "OVERRIDE", "driver_override", "driver_override", 0, 0, NULL },
	{ "VFIO", "vfio_dev", "VFIO cdev (vfioN) when bound to a VFIO driver", 0, 0, NULL },
	{ "NUMA", "numa_node", "NUMA node", COL_RIGHT, 0, NULL },
	{ "BOOTVGA", "boot_vga", "the boot display device", 0, 0, NULL },
	{ "BUS", "bus", "bus type", 0, 0, NULL },
	{ 0 }
};

int cmd_devices(struct cli *cli)
{
	struct out_view view = { .rows = "devices", .cols = devices_columns };
	struct ictl_device_list devs;
	json_object *doc, *arr;
	int r;

	r = out_check_columns(cli, view.cols);
	if (r)
		return r;
	r = cmds_scan_devices(cli, &devs);
	if (r)
		return r;
	cli_verbose(cli, "%zu devices", devs.n);
	doc = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < devs.n; i++) {
		if (filter_match(&cli->filter, &devs.v[i], cli->ctx))
			json_object_array_add(arr, present_device(cli->ctx, &devs.v[i]));
	}
	json_object_object_add(doc, "devices", arr);
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	ictl_device_list_clear(&devs);
	return r;
}
