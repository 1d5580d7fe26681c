// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl devices: every device with its driver, IOMMU unit and group. */
#include <string.h>

#include "cmds.h"

#define DEV(rec) (((const struct device_rec *)(rec))->d)
#define NAMES(rec) (&((const struct device_rec *)(rec))->names)

static const char *cell_device(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->name;
}

static const char *cell_group(const void *rec, char *buf, size_t len)
{
	if (DEV(rec)->group < 0)
		return NULL;
	snprintf(buf, len, "%d", DEV(rec)->group);
	return buf;
}

static const char *cell_iommu(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->iommu;
}

static const char *cell_driver(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->driver;
}

static const char *cell_ids(const void *rec, char *buf, size_t len)
{
	if (!DEV(rec)->is_pci || DEV_ERROR(rec))
		return NULL;
	snprintf(buf, len, "%04x:%04x", DEV(rec)->vendor_id, DEV(rec)->device_id);
	return buf;
}

static const char *cell_class_name(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return NAMES(rec)->class_name;
}

static const char *cell_description(const void *rec, char *buf, size_t len)
{
	return DEV_ERROR(rec) ? "error" : device_description(rec, buf, len);
}

static const char *cell_error(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV_ERROR(rec) ? DEV_ERROR(rec)->msg : NULL;
}

static const char *cell_class(const void *rec, char *buf, size_t len)
{
	if (!DEV(rec)->is_pci || DEV_ERROR(rec))
		return NULL;
	snprintf(buf, len, "0x%06x", DEV(rec)->class_code);
	return buf;
}

static const char *cell_vendor(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return NAMES(rec)->vendor;
}

static const char *cell_name(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return NAMES(rec)->device;
}

static const char *cell_subsystem(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return NAMES(rec)->subsys_device;
}

static const char *cell_revision(const void *rec, char *buf, size_t len)
{
	if (!DEV(rec)->is_pci || DEV_ERROR(rec))
		return NULL;
	snprintf(buf, len, "0x%02x", DEV(rec)->revision);
	return buf;
}

static const char *cell_override(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->driver_override;
}

static const char *cell_vfio(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->vfio_dev;
}

static const char *cell_numa(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%d", DEV(rec)->numa_node);
	return buf;
}

static const char *cell_boot_vga(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->boot_vga == ICTL_YES ? "yes" : "no";
}

static const char *cell_bus(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return DEV(rec)->bus;
}

const struct out_col devices_columns[] = {
	{ "DEVICE", "device name (PCI address)", COL_DEFAULT, 0, cell_device },
	{ "GROUP", "IOMMU group", COL_DEFAULT | COL_RIGHT, 0, cell_group },
	{ "IOMMU", "IOMMU unit", COL_DEFAULT, 0, cell_iommu },
	{ "DRIVER", "bound driver", COL_DEFAULT, 0, cell_driver },
	{ "IDS", "vendor:device IDs", COL_DEFAULT, 0, cell_ids },
	{ "CLASS", "PCI class name", COL_DEFAULT | COL_TRUNC, 0, cell_class_name },
	{ "DESCRIPTION", "vendor and device names", COL_DEFAULT | COL_TRUNC, 0, cell_description },
	{ "CLASSCODE", "PCI class code", 0, 0, cell_class },
	{ "VENDOR", "vendor name", 0, 0, cell_vendor },
	{ "NAME", "device name", 0, 0, cell_name },
	{ "SUBSYSTEM", "subsystem name", 0, 0, cell_subsystem },
	{ "REV", "revision", 0, 0, cell_revision },
	{ "OVERRIDE", "driver_override", 0, 0, cell_override },
	{ "VFIO", "VFIO cdev (vfioN) when bound to a VFIO driver", 0, 0, cell_vfio },
	{ "NUMA", "NUMA node", COL_RIGHT, 0, cell_numa },
	{ "BOOTVGA", "the boot display device", 0, 0, cell_boot_vga },
	{ "BUS", "bus type", 0, 0, cell_bus },
	{ "ERROR", "why the device could not be read (DESCRIPTION is then 'error')", COL_WRAP, 0,
	  cell_error },
	{ 0 }
};

/*
 * A device of a listing: present_device(), and its "error" (null when it was read);
 * the IDs of a device that could not be read are unknown (null), not zero.
 */
json_object *device_row_json(const void *rec)
{
	static const char *const ids[] = { "vendor_id", "device_id", "subsystem_vendor_id",
					   "subsystem_device_id", "class", "revision", "bridge" };
	json_object *o = present_device(rec);

	for (size_t i = 0; DEV_ERROR(rec) && i < sizeof(ids) / sizeof(ids[0]); i++)
		js_set(o, ids[i], NULL);
	js_set(o, "error", cli_json_row_error(DEV_ERROR(rec)));
	return o;
}

/* A row with an error: its message on stderr in text mode, and one more bad row. */
void cmds_row_error(struct cli *cli, const struct ictl_row_error *e, size_t *bad)
{
	if (!e)
		return;
	(*bad)++;
	if (!cli->json)
		cli_error_line(e->msg);
}

/* A device row: an unreadable device's IDs are unknown, and so are its names. */
void device_row_init(struct device_rec *rec, struct ictl_ctx *ctx, const struct ictl_device *d)
{
	device_rec_init(rec, ctx, d);
	if (d->error)
		memset(&rec->names, 0, sizeof(rec->names));
}

static const struct out_list_view devices_view = {
	.key = "devices", .cols = devices_columns, .json = device_row_json,
};

int cmd_devices(struct cli *cli)
{
	struct ictl_device_list devs;
	struct out_list *l;
	size_t bad = 0;
	int r, code;

	l = out_list_begin(cli, &devices_view, &code);
	if (!l)
		return code;
	r = ictl_devices_scan(cli->ctx, &devs);
	if (r < 0)
		return out_list_end(l, r);
	cli_verbose(cli, "%zu devices", devs.n);
	for (size_t i = 0, stop = 0; i < devs.n && !stop; i++) {
		struct device_rec rec;

		/* A device that could not be read is always shown: it may match. */
		if (!devs.v[i].error && !filter_match(&cli->filter, &devs.v[i], cli->ctx))
			continue;
		cmds_row_error(cli, devs.v[i].error, &bad);
		device_row_init(&rec, cli->ctx, &devs.v[i]);
		stop = out_list_row(l, &rec);
	}
	ictl_device_list_clear(&devs);
	code = out_list_end(l, 0);
	/* Every row is there, some with their error: a partial listing fails (iommuctl(8)). */
	return code ? code : bad ? EXIT_FAIL : 0;
}
