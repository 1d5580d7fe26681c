// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl status [DEVICE|GROUP]: who owns each group's DMA: kernel, userspace, a process. */
#include <errno.h>
#include <string.h>

#include "cmds.h"

static const char *fmt_devices(json_object *row, char *buf, size_t len)
{
	return fmt_object_list(row, "devices", "device", "driver", buf, len);
}

static const char *fmt_holders(json_object *row, char *buf, size_t len)
{
	return fmt_object_list(row, "holders", "pid", "comm", buf, len);
}

static const char *fmt_cdevs(json_object *row, char *buf, size_t len)
{
	json_object *arr = out_get(row, "devices");
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *c = json_object_get_string(out_get(json_object_array_get_idx(arr, i),
							       "cdev"));

		if (c)
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
						off ? "," : "", c);
	}
	return off ? buf : "-";
}

const struct out_col status_columns[] = {
	{ "GROUP", "group", "IOMMU group number", COL_DEFAULT | COL_RIGHT, 0, NULL },
	{ "STATE", "state", "kernel, userspace (ready on a VFIO driver), held (open by a process), mixed",
	  COL_DEFAULT, 0, NULL },
	{ "TYPE", "type", "default domain type", COL_DEFAULT, 0, NULL },
	{ "DEVICES", NULL, "members and their drivers", COL_DEFAULT | COL_WRAP, 0, fmt_devices },
	{ "CDEV", NULL, "VFIO device nodes of the members", COL_DEFAULT, 0, fmt_cdevs },
	{ "HOLDERS", NULL, "processes holding a VFIO node open (pid and command)", COL_DEFAULT, 0,
	  fmt_holders },
	{ "BLOCKERS", NULL, "members on a kernel DMA driver in a mixed group", 0, 0, fmt_blockers },
	{ "JOURNAL", "journal", "iommuctl's record: claimed, or an interrupted claiming/releasing",
	  0, 0, NULL },
	{ 0 }
};

static json_object *present_status(const struct ictl_own_status *st)
{
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	json_object *hold = json_object_new_array(), *bl = json_object_new_array();

	for (size_t i = 0; i < st->nmembers; i++) {
		const struct ictl_own_member *m = &st->members[i];
		json_object *d = json_object_new_object();
		char cdev[64];

		snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s", m->vfio_dev);
		json_object_object_add(d, "device", json_object_new_string(m->device));
		json_object_object_add(d, "role", json_object_new_string(m->bridge ? "bridge" : "endpoint"));
		json_object_object_add(d, "driver", js_str_or_null(m->driver));
		json_object_object_add(d, "driver_override", js_str_or_null(m->driver_override));
		json_object_object_add(d, "cdev", m->has_cdev ? json_object_new_string(cdev) : NULL);
		json_object_array_add(devs, d);
	}
	for (size_t i = 0; i < st->nholders; i++) {
		json_object *h = json_object_new_object();

		json_object_object_add(h, "pid", json_object_new_int(st->holders[i].pid));
		json_object_object_add(h, "comm", json_object_new_string(st->holders[i].comm));
		json_object_object_add(h, "path", json_object_new_string(st->holders[i].path));
		json_object_array_add(hold, h);
	}
	for (size_t i = 0; i < st->nblockers; i++) {
		json_object *b = json_object_new_object();

		json_object_object_add(b, "device", json_object_new_string(st->blockers[i].device));
		json_object_object_add(b, "driver", json_object_new_string(st->blockers[i].driver));
		json_object_array_add(bl, b);
	}
	json_object_object_add(o, "group", json_object_new_int((int)st->group));
	json_object_object_add(o, "state", json_object_new_string(ictl_own_state_name(st->state)));
	json_object_object_add(o, "type", js_str_or_null(st->type));
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "holders", hold);
	json_object_object_add(o, "blockers", bl);
	json_object_object_add(o, "journal", js_str_or_null(st->journal));
	return o;
}

static int add_group(struct cli *cli, json_object *arr, unsigned int id)
{
	struct ictl_own_status st;
	int r = ictl_own_status_read(cli->ctx, id, &st);

	if (r < 0)
		return cli_lib_error(cli, r);
	json_object_array_add(arr, present_status(&st));
	ictl_own_status_clear(&st);
	return 0;
}

static int all_groups(struct cli *cli, json_object *arr)
{
	struct ictl_group_list groups;
	int r = ictl_groups_scan(cli->ctx, &groups);

	if (r < 0)
		return cli_lib_error(cli, r);
	for (size_t i = 0; i < groups.n && !r; i++)
		r = add_group(cli, arr, groups.v[i].id);
	ictl_group_list_clear(&groups);
	return r;
}

int cmd_status(struct cli *cli)
{
	struct out_view view = { .rows = "groups", .cols = status_columns };
	json_object *doc, *arr;
	unsigned int id;
	int r = out_check_columns(cli, view.cols);

	if (r)
		return r;
	if (cli->argc) {
		r = ictl_own_resolve(cli->ctx, cli->argv[0], &id);
		if (r < 0)
			return cli_lib_error(cli, r);
	}
	doc = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(doc, "groups", arr);
	r = cli->argc ? add_group(cli, arr, id) : all_groups(cli, arr);
	if (!r)
		r = out_print(cli, doc, &view);
	json_object_put(doc);
	return r;
}
