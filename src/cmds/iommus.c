// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl iommus: the IOMMU units and the groups each one serves. */
#include "cmds.h"

#define UNIT(rec) (((const struct unit_rec *)(rec))->u)

static const char *cell_iommu(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return UNIT(rec)->name;
}

static const char *cell_kind(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return UNIT(rec)->error ? "error" : ictl_unit_kind(UNIT(rec));
}

static const char *cell_ndev(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%zu", UNIT(rec)->ndevices);
	return buf;
}

static const char *cell_groups(const void *rec, char *buf, size_t len)
{
	const struct unit_rec *u = rec;
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->ngroups; i++)
		buf_add(buf, len, &off, "%s%d", i ? "," : "", u->groups[i]);
	return buf;
}

static const char *cell_attrs(const void *rec, char *buf, size_t len)
{
	const struct ictl_unit *u = UNIT(rec);
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->nattrs; i++)
		buf_add(buf, len, &off, "%s%s=%s", i ? " " : "", u->attrs[i].name, u->attrs[i].value);
	return buf;
}

static const char *cell_description(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ictl_unit_description(UNIT(rec));
}

static const char *cell_devices(const void *rec, char *buf, size_t len)
{
	return join_names(UNIT(rec)->devices, UNIT(rec)->ndevices, buf, len);
}

static const char *cell_error(const void *rec, char *buf, size_t len)
{
	const struct ictl_row_error *e = ((const struct unit_rec *)rec)->u->error;

	(void)buf, (void)len;
	return e ? e->msg : NULL;
}

const struct out_col iommus_columns[] = {
	{ "IOMMU", "unit name", COL_DEFAULT, 0, cell_iommu },
	{ "KIND", "type: intel-vtd, amd-vi, arm-smmu-v3, virtio-iommu", COL_DEFAULT, 0, cell_kind },
	{ "NDEV", "number of devices it serves", COL_DEFAULT | COL_RIGHT, 0, cell_ndev },
	{ "GROUPS", "groups it serves", COL_DEFAULT | COL_WRAP, 0, cell_groups },
	{ "ATTRIBUTES", "registers and attributes from sysfs", COL_DEFAULT | COL_WRAP, 0, cell_attrs },
	{ "DESCRIPTION", "what the unit is", 0, 0, cell_description },
	{ "DEVICES", "devices it serves", 0, 0, cell_devices },
	{ "ERROR", "why the unit could not be read (KIND is then 'error')", COL_WRAP, 0, cell_error },
	{ 0 }
};

/* A unit the library could not read: its "error" (null for the others), as groups and devices. */
static json_object *unit_json(const void *rec)
{
	const struct ictl_row_error *e = ((const struct unit_rec *)rec)->u->error;
	json_object *o = present_unit(rec);

	if (e) {	/* what it is is unknown: not the unknown kind's words */
		js_set(o, "kind", NULL);
		js_set(o, "description", NULL);
	}
	js_set(o, "error", cli_json_row_error(e));
	return o;
}

static const struct out_list_view iommus_view = {
	.key = "iommus", .cols = iommus_columns, .json = unit_json,
};

int cmd_iommus(struct cli *cli)
{
	struct ictl_unit_list units;
	struct ictl_device_list devs;
	struct out_list *l;
	size_t bad = 0;
	int r, code;

	l = out_list_begin(cli, &iommus_view, &code);
	if (!l)
		return code;
	r = ictl_units_scan(cli->ctx, &units);
	if (r < 0)
		return out_list_end(l, r);
	r = ictl_devices_scan(cli->ctx, &devs);
	if (r < 0) {
		ictl_unit_list_clear(&units);
		return out_list_end(l, r);
	}
	cli_verbose(cli, "%zu IOMMU units, %zu devices", units.n, devs.n);
	for (size_t i = 0, stop = 0; i < units.n && !stop; i++) {
		struct unit_rec rec;

		if (unit_rec_init(&rec, &units.v[i], &devs) < 0) {
			r = -ENOMEM;
			break;
		}
		cmds_row_error(cli, units.v[i].error, &bad);
		stop = out_list_row(l, &rec);
		unit_rec_clear(&rec);
	}
	ictl_device_list_clear(&devs);
	ictl_unit_list_clear(&units);
	if (r)
		return out_list_fail(l, r, "out of memory");
	code = out_list_end(l, 0);
	/* Every row is there, some with their error: a partial listing fails (iommuctl(8)). */
	return code ? code : bad ? EXIT_FAIL : 0;
}
