// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl iommus: the IOMMU units and the groups each one serves. */
#include "cmds.h"

static const char *fmt_attrs(json_object *row, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	json_object_object_foreach(out_get(row, "attributes"), k, v)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s=%s",
					off ? " " : "", k, json_object_get_string(v));
	return off ? buf : "-";
}

const struct out_col iommus_columns[] = {
	{ "IOMMU", "iommu", "unit name", COL_DEFAULT, 0, NULL },
	{ "KIND", "kind", "type: intel-vtd, amd-vi, arm-smmu-v3, virtio-iommu", COL_DEFAULT, 0,
	  NULL },
	{ "NDEV", NULL, "number of devices it serves", COL_DEFAULT | COL_RIGHT, 0, fmt_device_count },
	{ "GROUPS", "groups", "groups it serves", COL_DEFAULT | COL_WRAP, 0, NULL },
	{ "ATTRIBUTES", NULL, "registers and attributes from sysfs", COL_DEFAULT | COL_WRAP, 0,
	  fmt_attrs },
	{ "DESCRIPTION", "description", "what the unit is", 0, 0, NULL },
	{ "DEVICES", "devices", "devices it serves", 0, 0, NULL },
	{ 0 }
};

int cmd_iommus(struct cli *cli)
{
	struct out_view view = { .rows = "iommus", .cols = iommus_columns };
	struct ictl_unit_list units;
	struct ictl_device_list devs;
	json_object *doc, *arr;
	int r;

	r = out_check_columns(cli, view.cols);
	if (r)
		return r;
	r = ictl_units_scan(cli->ctx, &units);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = cmds_scan_devices(cli, &devs);
	if (r) {
		ictl_unit_list_clear(&units);
		return r;
	}
	cli_verbose(cli, "%zu IOMMU units, %zu devices", units.n, devs.n);
	doc = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < units.n; i++)
		json_object_array_add(arr, present_unit(&units.v[i], &devs));
	json_object_object_add(doc, "iommus", arr);
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	ictl_device_list_clear(&devs);
	ictl_unit_list_clear(&units);
	return r;
}
