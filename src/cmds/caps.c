// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl caps DEVICE: what the device's IOMMU lets you do, as a checklist.
 * Each answer names the register field it came from; with iommufd the kernel
 * is also asked (HWPT_ALLOC flags tried for real, GET_HW_INFO capabilities),
 * since hardware that can does not mean a kernel that will.
 */
#include <errno.h>
#include <string.h>

#include "cmds.h"

enum { OPT_SYSFS = 0x400 };

const struct argp_option caps_options[] = {
	{ "sysfs", OPT_SYSFS, NULL, 0,
	  "Read the registers sysfs shows (Intel, AMD) instead of asking iommufd", 0 },
	{ 0 }
};

error_t caps_parse(int key, char *arg, struct argp_state *state)
{
	struct caps_opts *o = ((struct cli *)state->input)->opts;

	(void)arg;
	if (key != OPT_SYSFS)
		return ARGP_ERR_UNKNOWN;
	o->sysfs = true;
	return 0;
}

static json_object *tristate(enum ictl_tristate t)
{
	return t == ICTL_UNKNOWN ? NULL : json_object_new_boolean(t == ICTL_YES);
}

static const char *yes_no(json_object *o)
{
	return !o ? "?" : json_object_get_boolean(o) ? "yes" : "no";
}

static const char *fmt_hw(json_object *row, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return yes_no(out_get(row, "hardware"));
}

static const char *fmt_kernel(json_object *row, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return yes_no(out_get(row, "kernel"));
}

const struct out_col caps_columns[] = {
	{ "CAPABILITY", "capability", "what is asked", COL_DEFAULT, 0, NULL },
	{ "HW", NULL, "the registers say so (? = they do not tell)", COL_DEFAULT, 0, fmt_hw },
	{ "KERNEL", NULL, "the kernel accepted it when asked (? = not asked: no iommufd)", COL_DEFAULT,
	  0, fmt_kernel },
	{ "DETAIL", "detail", "formats, widths, sizes", COL_DEFAULT | COL_WRAP, 0, NULL },
	{ "SOURCE", "source", "the register field it came from", COL_DEFAULT | COL_WRAP, 0, NULL },
	{ "KERNEL-SOURCE", "kernel_source", "what the kernel was asked, and its answer", 0, 0, NULL },
	{ 0 }
};

int cmd_caps(struct cli *cli)
{
	struct caps_opts *o = cli->opts;
	struct out_view view = { .rows = "caps.capabilities", .cols = caps_columns };
	char name[ICTL_NAME_MAX];
	struct ictl_hw_info hi;
	struct ictl_caps caps;
	struct ictl_device d;
	json_object *doc, *c, *arr;
	int r;

	r = out_check_columns(cli, caps_columns);
	if (r)
		return r;
	r = ictl_parse_device_name(cli->ctx, cli->argv[0], name);
	if (!r)
		r = ictl_device_read(cli->ctx, name, &d);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_caps_query(cli->ctx, &d, o->sysfs, &hi, &caps);
	if (r < 0) {
		ictl_device_clear(&d);
		return cli_lib_error(cli, r);
	}
	cli_verbose(cli, "registers of %s from %s", d.iommu, hi.source);
	doc = json_object_new_object();
	c = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(c, "device", json_object_new_string(d.name));
	json_object_object_add(c, "iommu", json_object_new_string(d.iommu));
	json_object_object_add(c, "kind", json_object_new_string(hi.kind));
	json_object_object_add(c, "source", json_object_new_string(hi.source));
	for (int i = 0; i < ICTL_CAP_COUNT; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "capability", json_object_new_string(ictl_cap_name(i)));
		json_object_object_add(x, "hardware", tristate(caps.cap[i].hw));
		json_object_object_add(x, "kernel", tristate(caps.cap[i].kernel));
		json_object_object_add(x, "detail", js_str_or_null(caps.cap[i].detail));
		json_object_object_add(x, "source", js_str_or_null(caps.cap[i].source));
		json_object_object_add(x, "kernel_source", js_str_or_null(caps.cap[i].kernel_source));
		json_object_array_add(arr, x);
	}
	json_object_object_add(c, "capabilities", arr);
	json_object_object_add(doc, "caps", c);
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	ictl_hw_info_clear(&hi);
	ictl_device_clear(&d);
	return r;
}
