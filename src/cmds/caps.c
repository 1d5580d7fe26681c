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

/* A row of the checklist. */
struct cap_row {
	enum ictl_cap_id id;
	const struct ictl_cap *c;
};

static const char *yes_no(enum ictl_tristate t)
{
	return t == ICTL_UNKNOWN ? "?" : t == ICTL_YES ? "yes" : "no";
}

static const char *cell_cap(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ictl_cap_name(((const struct cap_row *)rec)->id);
}

static const char *cell_hw(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return yes_no(((const struct cap_row *)rec)->c->hw);
}

static const char *cell_kernel(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return yes_no(((const struct cap_row *)rec)->c->kernel);
}

static const char *cell_detail(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct cap_row *)rec)->c->detail;
}

static const char *cell_source(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct cap_row *)rec)->c->source;
}

static const char *cell_kernel_source(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct cap_row *)rec)->c->kernel_source;
}

const struct out_col caps_columns[] = {
	{ "CAPABILITY", "what is asked", COL_DEFAULT, 0, cell_cap },
	{ "HW", "the registers say so (? = they do not tell)", COL_DEFAULT, 0, cell_hw },
	{ "KERNEL", "the kernel accepted it when asked (? = not asked: no iommufd)", COL_DEFAULT, 0,
	  cell_kernel },
	{ "DETAIL", "formats, widths, sizes", COL_DEFAULT | COL_WRAP, 0, cell_detail },
	{ "SOURCE", "the register field it came from", COL_DEFAULT | COL_WRAP, 0, cell_source },
	{ "KERNEL-SOURCE", "what the kernel was asked, and its answer", 0, 0, cell_kernel_source },
	{ 0 }
};

struct caps_rec {
	const struct ictl_device *d;
	const struct ictl_hw_info *hi;
	struct cap_row rows[ICTL_CAP_COUNT];
};

static json_object *caps_json(struct cli *cli, const void *data, int err)
{
	const struct caps_rec *x = data;
	json_object *doc = json_object_new_object(), *c = json_object_new_object();
	json_object *arr = json_object_new_array();

	(void)cli, (void)err;
	js_set(c, "device", json_object_new_string(x->d->name));
	js_set(c, "iommu", json_object_new_string(x->d->iommu));
	js_set(c, "kind", json_object_new_string(x->hi->kind));
	js_set(c, "source", json_object_new_string(x->hi->source));
	for (int i = 0; i < ICTL_CAP_COUNT; i++) {
		const struct ictl_cap *cap = x->rows[i].c;
		json_object *o = json_object_new_object();

		js_set(o, "capability", json_object_new_string(ictl_cap_name(i)));
		js_set(o, "hardware", js_tristate(cap->hw));
		js_set(o, "kernel", js_tristate(cap->kernel));
		js_set(o, "detail", js_str(cap->detail));
		js_set(o, "source", js_str(cap->source));
		js_set(o, "kernel_source", js_str(cap->kernel_source));
		json_object_array_add(arr, o);
	}
	js_set(c, "capabilities", arr);
	js_set(doc, "caps", c);
	return doc;
}

static int caps_text(struct cli *cli, FILE *out, const void *data)
{
	const struct caps_rec *x = data;

	return out_table(cli, out, caps_columns, x->rows, ICTL_CAP_COUNT, sizeof(x->rows[0]));
}

static const struct out_doc_view caps_view = { .json = caps_json, .text = caps_text };

int cmd_caps(struct cli *cli)
{
	struct caps_opts *o = cli->opts;
	char name[ICTL_NAME_MAX];
	struct caps_rec rec;
	struct ictl_hw_info hi;
	struct ictl_caps caps;
	struct ictl_device d;
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
	rec.d = &d;
	rec.hi = &hi;
	for (int i = 0; i < ICTL_CAP_COUNT; i++)
		rec.rows[i] = (struct cap_row){ (enum ictl_cap_id)i, &caps.cap[i] };
	r = out_doc(cli, &caps_view, &rec, 0);
	ictl_hw_info_clear(&hi);
	ictl_device_clear(&d);
	return r;
}
