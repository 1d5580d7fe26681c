// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl hw-info DEVICE | --raw FILE --type TYPE: the IOMMU hardware
 * information behind a device, decoded field by field with the vendor
 * specification's names.  Sources, in order: iommufd (IOMMU_GET_HW_INFO),
 * then what sysfs shows of the unit; or a saved driver-data blob.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"

enum { OPT_RAW = 0x300, OPT_TYPE, OPT_SOURCE };

const struct argp_option hw_info_options[] = {
	{ "raw", OPT_RAW, "FILE", 0, "Decode a saved driver-data blob instead of asking the kernel", 0 },
	{ "sysfs", OPT_SOURCE, NULL, 0,
	  "Read the registers sysfs shows (Intel, AMD) instead of asking iommufd", 0 },
	{ "type", OPT_TYPE, "TYPE", 0,
	  "hw_info type of --raw: intel-vtd, arm-smmu-v3, tegra241-cmdqv, amd-vi, selftest or a number", 0 },
	{ 0 }
};

error_t hw_info_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct hw_info_opts *o = cli->opts;

	switch (key) {
	case OPT_RAW:
		o->raw = arg;
		break;
	case OPT_TYPE:
		o->type = arg;
		break;
	case OPT_SOURCE:
		o->sysfs = true;
		break;
	case ARGP_KEY_END:
		if (o->raw && !o->type)
			argp_error(state, "--raw needs --type: the blob does not say what it is");
		if (o->type && !o->raw)
			argp_error(state, "--type goes with --raw");
		if (!o->raw && cli->argc == 0)
			argp_error(state, "missing DEVICE (or --raw FILE --type TYPE)");
		if (o->raw && cli->argc)
			argp_error(state, "give a DEVICE or --raw FILE, not both");
		if (o->raw && o->sysfs)
			argp_error(state, "--sysfs reads a device's unit; --raw reads a file");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *const capnames[] = { "dirty_tracking", "pci_pasid_exec", "pci_pasid_priv",
					"pci_ats_not_supported" };

struct hw_info_rec {
	const struct ictl_hw_info *hi;
	const char *device, *iommu;	/* NULL for --raw */
};

static const char *bits_str(const struct ictl_hw_field *f, char *buf, size_t len)
{
	if (f->msb == f->lsb)
		snprintf(buf, len, "%u", f->lsb);
	else
		snprintf(buf, len, "%u:%u", f->msb, f->lsb);
	return buf;
}

static json_object *present_reg(const struct ictl_hw_reg *r)
{
	json_object *o = json_object_new_object(), *fields = json_object_new_array();

	js_set(o, "name", json_object_new_string(r->name));
	js_set(o, "description", json_object_new_string(r->desc));
	js_set(o, "width", js_int(r->width));
	js_set(o, "value", js_hex(r->value, 0));
	for (size_t i = 0; i < r->nfields; i++) {
		const struct ictl_hw_field *f = &r->fields[i];
		json_object *jf = json_object_new_object();
		char bits[16];

		js_set(jf, "name", json_object_new_string(f->name));
		js_set(jf, "bits", json_object_new_string(bits_str(f, bits, sizeof(bits))));
		/* A field is at most 32 bits wide: a number (iommuctl-json(7)). */
		js_set(jf, "value", js_uint(f->value));
		js_set(jf, "meaning", js_str(f->meaning));
		js_set(jf, "description", json_object_new_string(f->desc));
		json_object_array_add(fields, jf);
	}
	js_set(o, "fields", fields);
	return o;
}

static json_object *hw_info_json(struct cli *cli, const void *data, int err)
{
	const struct hw_info_rec *x = data;
	const struct ictl_hw_info *hi = x->hi;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *regs = json_object_new_array();
	char hex[2 * sizeof(hi->raw) + 1];

	(void)cli, (void)err;
	js_set(o, "device", js_str(x->device));
	js_set(o, "iommu", js_str(x->iommu));
	js_set(o, "source", json_object_new_string(hi->source));
	js_set(o, "type", js_uint(hi->type));
	js_set(o, "kind", json_object_new_string(hi->kind));
	if (hi->have_caps) {
		json_object *caps = json_object_new_object();

		js_set(caps, "value", js_hex(hi->capabilities, 0));
		for (size_t i = 0; i < ARRAY_SIZE(capnames); i++)
			js_set(caps, capnames[i], js_bool(hi->capabilities & (1u << i)));
		js_set(o, "capabilities", caps);
		js_set(o, "max_pasid_log2", js_int(hi->max_pasid_log2));
	} else {
		js_set(o, "capabilities", NULL);
		js_set(o, "max_pasid_log2", NULL);
	}
	for (size_t i = 0; i < hi->raw_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", hi->raw[i]);
	js_set(o, "raw", json_object_new_string_len(hex, (int)(2 * hi->raw_len)));
	for (size_t i = 0; i < hi->nregs; i++)
		json_object_array_add(regs, present_reg(&hi->regs[i]));
	js_set(o, "registers", regs);
	js_set(doc, "hw_info", o);
	return doc;
}

static int hw_info_text(struct cli *cli, FILE *out, const void *data)
{
	const struct hw_info_rec *x = data;
	const struct ictl_hw_info *hi = x->hi;

	(void)cli;
	fprintf(out, "%s", hi->kind ? hi->kind : "?");
	if (x->device)
		fprintf(out, " IOMMU %s of %s", x->iommu ? esc_text(x->iommu) : "?", esc_text(x->device));
	fprintf(out, " (hw_info type %#llx, from %s)\n", (unsigned long long)hi->type,
		hi->source ? hi->source : "?");
	if (hi->have_caps) {
		fprintf(out, "  capabilities 0x%llx:", (unsigned long long)hi->capabilities);
		for (size_t i = 0; i < ARRAY_SIZE(capnames); i++) {
			if (hi->capabilities & (1u << i))
				fprintf(out, " %s", capnames[i]);
		}
		fprintf(out, "\n  max PASID width: %u bits\n", hi->max_pasid_log2);
	}
	for (size_t i = 0; i < hi->nregs; i++) {
		const struct ictl_hw_reg *r = &hi->regs[i];

		fprintf(out, "\n%s = 0x%llx  %s\n", r->name, (unsigned long long)r->value, r->desc);
		for (size_t k = 0; k < r->nfields; k++) {
			const struct ictl_hw_field *f = &r->fields[k];
			char val[32], bits[16];

			snprintf(val, sizeof(val), "%#llx", (unsigned long long)f->value);
			fprintf(out, "  %-24s %-6s %-12s %s\n", f->name, bits_str(f, bits, sizeof(bits)),
				val, f->meaning[0] ? f->meaning : f->desc);
		}
	}
	return 0;
}

static const struct out_doc_view hw_info_view = { .json = hw_info_json, .text = hw_info_text };

/* Read a saved blob: at most 4 KiB, through the ordinary filesystem (it is the user's file). */
static int read_blob(struct cli *cli, const char *path, uint8_t *buf, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return cli_error(cli, errno == ENOENT ? -EINVAL : -errno, "--raw %s: %s", path,
				 strerror(errno));
	n = read(fd, buf, max);
	close(fd);
	if (n < 0)
		return cli_error(cli, -errno, "--raw %s: %s", path, strerror(errno));
	if ((size_t)n == max)
		return cli_error(cli, -EINVAL, "--raw %s: larger than any hw_info structure", path);
	*len = (size_t)n;
	return 0;
}

static int print(struct cli *cli, const struct ictl_hw_info *hi, const char *device,
		 const char *iommu)
{
	return out_doc(cli, &hw_info_view, &(struct hw_info_rec){ hi, device, iommu }, 0);
}

static int hw_info_raw(struct cli *cli, const struct hw_info_opts *o)
{
	struct ictl_hw_info hi;
	uint8_t blob[4096];
	size_t len = 0;
	uint32_t type;
	int r;

	r = ictl_hw_info_type_parse(cli->ctx, o->type, &type);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = read_blob(cli, o->raw, blob, sizeof(blob), &len);
	if (r)
		return r;
	r = ictl_hw_info_decode(cli->ctx, type, blob, len, &hi);
	if (r < 0)
		return cli_lib_error(cli, r);
	hi.source = "file";
	r = print(cli, &hi, NULL, NULL);
	ictl_hw_info_clear(&hi);
	return r;
}

static int hw_info_device(struct cli *cli, const struct hw_info_opts *o)
{
	char name[ICTL_NAME_MAX];
	struct ictl_device d;
	struct ictl_hw_info hi;
	int r;

	r = ictl_parse_device_name(cli->ctx, cli->argv[0], name);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_device_read(cli->ctx, name, &d);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_hw_info_query(cli->ctx, &d, o->sysfs, &hi);
	if (r < 0) {
		ictl_device_clear(&d);
		return cli_lib_error(cli, r);
	}
	cli_verbose(cli, "hw_info of %s from %s", d.name, hi.source);
	r = print(cli, &hi, d.name, d.iommu);
	ictl_hw_info_clear(&hi);
	ictl_device_clear(&d);
	return r;
}

int cmd_hw_info(struct cli *cli)
{
	struct hw_info_opts *o = cli->opts;

	return o->raw ? hw_info_raw(cli, o) : hw_info_device(cli, o);
}
