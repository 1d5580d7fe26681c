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

/*
 * A row: the group, and with --tree its devices (for the JSON element's device_info).
 * A group or device the library could not read is a row with its error
 * (ictl_row_error): "error" in VIABLE or DESCRIPTION, the message in ERROR and on
 * stderr, an "error" object in JSON; the listing goes on and exits 1, as status does.
 */
struct group_row {
	struct group_rec g;
	struct ictl_ctx *ctx;
	bool tree;
};

static const char *cell_group(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%u", ((const struct group_row *)rec)->g.g->id);
	return buf;
}

static const char *cell_type(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct group_row *)rec)->g.g->type;
}

static const char *cell_iommu(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct group_row *)rec)->g.g->iommu;
}

static const char *cell_ndev(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%zu", ((const struct group_row *)rec)->g.g->ndevices);
	return buf;
}

static const char *cell_viable(const void *rec, char *buf, size_t len)
{
	const struct group_rec *g = &((const struct group_row *)rec)->g;

	(void)buf, (void)len;
	return g->g->error ? "error" : g->nblockers ? "no" : "yes";
}

static const char *cell_error(const void *rec, char *buf, size_t len)
{
	const struct ictl_row_error *e = ((const struct group_row *)rec)->g.g->error;

	(void)buf, (void)len;
	return e ? e->msg : NULL;
}

static const char *cell_devices(const void *rec, char *buf, size_t len)
{
	const struct ictl_group *g = ((const struct group_row *)rec)->g.g;

	return join_names(g->devices, g->ndevices, buf, len);
}

static const char *cell_blockers(const void *rec, char *buf, size_t len)
{
	const struct group_rec *g = &((const struct group_row *)rec)->g;

	return blockers_str(g->blockers, g->nblockers < GROUP_BLOCKERS_MAX ? g->nblockers :
					 GROUP_BLOCKERS_MAX, buf, len);
}

static const char *cell_resv(const void *rec, char *buf, size_t len)
{
	return resv_str(((const struct group_row *)rec)->g.g, buf, len);
}

static const char *cell_state(const void *rec, char *buf, size_t len)
{
	const struct group_rec *g = &((const struct group_row *)rec)->g;
	size_t off;

	if (g->g->error)
		return "error";
	if (!g->nblockers)
		return "viable";
	snprintf(buf, len, "not viable: ");
	off = strlen(buf);
	cell_blockers(rec, buf + off, len - off);
	return buf;
}

const struct out_col groups_columns[] = {
	{ "GROUP", "IOMMU group number", COL_DEFAULT | COL_RIGHT, 0, cell_group },
	{ "TYPE", "default domain type (DMA, DMA-FQ, identity, blocked, unmanaged)", COL_DEFAULT, 0,
	  cell_type },
	{ "IOMMU", "IOMMU unit serving the group", COL_DEFAULT, 0, cell_iommu },
	{ "NDEV", "number of devices", COL_DEFAULT | COL_RIGHT, 0, cell_ndev },
	{ "VIABLE", "can VFIO own it now (no member on a DMA-API driver)", COL_DEFAULT, 0,
	  cell_viable },
	{ "DEVICES", "member devices", COL_DEFAULT | COL_WRAP, 0, cell_devices },
	{ "BLOCKERS", "members whose driver makes the group not viable", 0, 0, cell_blockers },
	{ "RESV", "reserved regions (type:start-end)", 0, 0, cell_resv },
	{ "ERROR", "why the group could not be read (VIABLE is then 'error')", COL_WRAP, 0,
	  cell_error },
	{ 0 }
};

/* --tree: group rows and device rows under the same four columns. */
static const struct out_col tree_cols[] = {
	{ "NAME", "group, then its devices", COL_DEFAULT | COL_TREE, 0, cell_group },
	{ "TYPE", "group: domain type; device: class", COL_DEFAULT, 0, cell_type },
	{ "DRIVER", "device driver", COL_DEFAULT, 0, cell_none },
	{ "DESCRIPTION", "group: viability; device: vendor and name", COL_DEFAULT, 0, cell_state },
	{ 0 }
};

static const char *cell_dev_name(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct device_rec *)rec)->d->name;
}

static const char *cell_dev_class(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct device_rec *)rec)->names.class_name;
}

static const char *cell_dev_driver(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct device_rec *)rec)->d->driver;
}

static const char *cell_dev_description(const void *rec, char *buf, size_t len)
{
	return DEV_ERROR(rec) ? "error" : device_description(rec, buf, len);
}

static const struct out_col tree_child_cols[] = {
	{ "NAME", NULL, 0, 0, cell_dev_name },
	{ "TYPE", NULL, 0, 0, cell_dev_class },
	{ "DRIVER", NULL, 0, 0, cell_dev_driver },
	{ "DESCRIPTION", NULL, 0, 0, cell_dev_description },
	{ 0 }
};

static json_object *group_json(const void *rec)
{
	const struct group_row *row = rec;
	json_object *o = present_group(&row->g), *info;

	if (row->g.g->error)
		js_set(o, "viable", NULL);
	js_set(o, "error", cli_json_row_error(row->g.g->error));
	if (!row->tree)
		return o;
	info = json_object_new_array();
	for (size_t k = 0; k < row->g.g->ndevices; k++) {
		const struct ictl_device *d = ictl_device_find(row->g.devs, row->g.g->devices[k]);
		struct device_rec dr;

		if (!d)
			continue;
		device_row_init(&dr, row->ctx, d);
		json_object_array_add(info, device_row_json(&dr));
	}
	js_set(o, "device_info", info);
	return o;
}

static const struct out_list_view groups_view = {
	.key = "groups", .cols = groups_columns, .json = group_json,
};

static const struct out_list_view tree_view = {
	.key = "groups", .cols = tree_cols, .child_cols = tree_child_cols, .json = group_json,
};

int cmds_scan_devices(struct cli *cli, struct ictl_device_list *devs)
{
	int r = ictl_devices_scan(cli->ctx, devs);

	return r < 0 ? cli_lib_error(cli, r) : 0;
}

static bool filtered(struct cli *cli)
{
	return cli->filter.klass || cli->filter.driver || cli->filter.vendor;
}

/*
 * One group: its row (unless the filter matches none of its devices; a group that
 * could not be read is always shown), and its device rows.  Rows with an error
 * count in *bad.
 */
static int group_row(struct cli *cli, struct out_list *l, const struct ictl_group *g,
		     const struct ictl_device_list *devs, bool tree, size_t *bad)
{
	struct group_row row = { .ctx = cli->ctx, .tree = tree };
	bool any = g->error;
	int r;

	for (size_t k = 0; k < g->ndevices && !any; k++) {
		const struct ictl_device *d = ictl_device_find(devs, g->devices[k]);

		any = d && (d->error || filter_match(&cli->filter, d, cli->ctx));
	}
	if (!any && filtered(cli))
		return 0;
	group_rec_init(&row.g, g, devs);
	cmds_row_error(cli, g->error, bad);
	r = out_list_row(l, &row);
	for (size_t k = 0; tree && !r && k < g->ndevices; k++) {
		const struct ictl_device *d = ictl_device_find(devs, g->devices[k]);
		struct device_rec dr;

		if (!d)
			continue;
		cmds_row_error(cli, d->error, bad);
		device_row_init(&dr, cli->ctx, d);
		r = out_list_child(l, &dr);
	}
	return r;
}

int cmd_groups(struct cli *cli)
{
	struct groups_opts *o = cli->opts;
	struct ictl_group_list groups;
	struct ictl_device_list devs;
	struct out_list *l;
	size_t bad = 0;
	int r, code;

	l = out_list_begin(cli, o->tree ? &tree_view : &groups_view, &code);
	if (!l)
		return code;
	r = ictl_groups_scan(cli->ctx, &groups);
	if (r < 0)
		return out_list_end(l, r);
	r = ictl_devices_scan(cli->ctx, &devs);
	if (r < 0) {
		ictl_group_list_clear(&groups);
		return out_list_end(l, r);
	}
	cli_verbose(cli, "%zu groups, %zu devices", groups.n, devs.n);
	for (size_t i = 0; i < groups.n && !r; i++)
		r = group_row(cli, l, &groups.v[i], &devs, o->tree, &bad);
	ictl_device_list_clear(&devs);
	ictl_group_list_clear(&groups);
	code = out_list_end(l, 0);
	/* Every row is there, some with their error: a partial listing fails (iommuctl(8)). */
	return code ? code : bad ? EXIT_FAIL : 0;
}
