// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl groups: the IOMMU groups, their devices, and whether VFIO can own them. */
#include <string.h>

#include "cmds.h"

const struct argp_option groups_options[] = {
	{ "tree", 't', NULL, 0, "Show each group with its devices below it", 0 },
	{ 0 }
};

error_t groups_parse(int key, char *arg, struct argp_state *state)
{
	struct groups_opts *o = ((struct cli *)state->input)->opts;

	(void)arg;
	if (key != 't')
		return ARGP_ERR_UNKNOWN;
	o->tree = true;
	return 0;
}

static const char *fmt_resv(json_object *row, char *buf, size_t len)
{
	json_object *rr = out_get(row, "reserved_regions");
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(rr); i++) {
		json_object *r = json_object_array_get_idx(rr, i);

		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s:%s-%s",
					i ? "," : "", json_object_get_string(out_get(r, "type")),
					json_object_get_string(out_get(r, "start")),
					json_object_get_string(out_get(r, "end")));
	}
	return off ? buf : "-";
}

static const char *fmt_group_state(json_object *row, char *buf, size_t len)
{
	if (json_object_get_boolean(out_get(row, "viable")))
		return "viable";
	snprintf(buf, len, "not viable: ");
	fmt_blockers(row, buf + strlen(buf), len - strlen(buf));
	return buf;
}

const struct out_col groups_columns[] = {
	{ "GROUP", "group", "IOMMU group number", COL_DEFAULT | COL_RIGHT, 0, NULL },
	{ "TYPE", "type", "default domain type (DMA, DMA-FQ, identity, blocked, unmanaged)",
	  COL_DEFAULT, 0, NULL },
	{ "IOMMU", "iommu", "IOMMU unit serving the group", COL_DEFAULT, 0, NULL },
	{ "NDEV", NULL, "number of devices", COL_DEFAULT | COL_RIGHT, 0, fmt_device_count },
	{ "VIABLE", "viable", "can VFIO own it now (no member on a DMA-API driver)", COL_DEFAULT, 0,
	  NULL },
	{ "DEVICES", "devices", "member devices", COL_DEFAULT | COL_WRAP, 0, NULL },
	{ "BLOCKERS", NULL, "members whose driver makes the group not viable", 0, 0, fmt_blockers },
	{ "RESV", NULL, "reserved regions (type:start-end)", 0, 0, fmt_resv },
	{ 0 }
};

/* --tree: group rows and device rows under the same four columns. */
static const struct out_col tree_cols[] = {
	{ "NAME", "group", "group, then its devices", COL_DEFAULT | COL_TREE, 0, NULL },
	{ "TYPE", "type", "group: domain type; device: class", COL_DEFAULT, 0, NULL },
	{ "DRIVER", "driver", "device driver", COL_DEFAULT, 0, NULL },
	{ "DESCRIPTION", NULL, "group: viability; device: vendor and name", COL_DEFAULT, 0,
	  fmt_group_state },
	{ 0 }
};

static const struct out_col tree_child_cols[] = {
	{ "NAME", "device", NULL, 0, 0, NULL },
	{ "TYPE", "class_name", NULL, 0, 0, NULL },
	{ "DRIVER", "driver", NULL, 0, 0, NULL },
	{ "DESCRIPTION", NULL, NULL, 0, 0, fmt_device_description },
	{ 0 }
};

int cmds_scan_devices(struct cli *cli, struct ictl_device_list *devs)
{
	int r = ictl_devices_scan(cli->ctx, devs);

	return r < 0 ? cli_lib_error(cli, r) : 0;
}

int cmd_groups(struct cli *cli)
{
	struct groups_opts *o = cli->opts;
	struct out_view view = { .rows = "groups", .cols = groups_columns };
	struct ictl_group_list groups;
	struct ictl_device_list devs;
	json_object *doc, *arr;
	int r;

	if (o->tree) {
		view.cols = tree_cols;
		view.children = "device_info";
		view.child_cols = tree_child_cols;
	}
	r = out_check_columns(cli, view.cols);
	if (r)
		return r;
	r = ictl_groups_scan(cli->ctx, &groups);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = cmds_scan_devices(cli, &devs);
	if (r) {
		ictl_group_list_clear(&groups);
		return r;
	}
	cli_verbose(cli, "%zu groups, %zu devices", groups.n, devs.n);
	doc = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < groups.n; i++) {
		const struct ictl_group *g = &groups.v[i];
		json_object *jg = present_group(g, &devs), *info = json_object_new_array();
		bool any = false;

		for (size_t k = 0; k < g->ndevices; k++) {
			const struct ictl_device *d = ictl_device_find(&devs, g->devices[k]);

			if (!d)
				continue;
			any |= filter_match(&cli->filter, d, cli->ctx);
			if (o->tree)
				json_object_array_add(info, present_device(cli->ctx, d));
		}
		if (!any && (cli->filter.klass || cli->filter.driver || cli->filter.vendor)) {
			json_object_put(jg);
			json_object_put(info);
			continue;
		}
		if (o->tree)
			json_object_object_add(jg, "device_info", info);
		else
			json_object_put(info);
		json_object_array_add(arr, jg);
	}
	json_object_object_add(doc, "groups", arr);
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	ictl_device_list_clear(&devs);
	ictl_group_list_clear(&groups);
	return r;
}
