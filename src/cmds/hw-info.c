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

static json_object *present_reg(const struct ictl_hw_reg *r)
{
	json_object *o = json_object_new_object(), *fields = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "description", json_object_new_string(r->desc));
	json_object_object_add(o, "width", json_object_new_int((int)r->width));
	json_object_object_add(o, "value", js_hex(r->value, 0));
	for (size_t i = 0; i < r->nfields; i++) {
		const struct ictl_hw_field *f = &r->fields[i];
		json_object *jf = json_object_new_object();
		char bits[16];

		if (f->msb == f->lsb)
			snprintf(bits, sizeof(bits), "%u", f->lsb);
		else
			snprintf(bits, sizeof(bits), "%u:%u", f->msb, f->lsb);
		json_object_object_add(jf, "name", json_object_new_string(f->name));
		json_object_object_add(jf, "bits", json_object_new_string(bits));
		json_object_object_add(jf, "value", json_object_new_uint64(f->value));
		json_object_object_add(jf, "meaning", js_str_or_null(f->meaning));
		json_object_object_add(jf, "description", json_object_new_string(f->desc));
		json_object_array_add(fields, jf);
	}
	json_object_object_add(o, "fields", fields);
	return o;
}

static json_object *present_hw_info(const struct ictl_hw_info *hi, const char *device,
				    const char *iommu)
{
	static const char *const capnames[] = { "dirty_tracking", "pci_pasid_exec",
						"pci_pasid_priv", "pci_ats_not_supported" };
	json_object *o = json_object_new_object(), *regs = json_object_new_array();
	char hex[2 * sizeof(hi->raw) + 1];

	json_object_object_add(o, "device", js_str_or_null(device));
	json_object_object_add(o, "iommu", js_str_or_null(iommu));
	json_object_object_add(o, "source", json_object_new_string(hi->source));
	json_object_object_add(o, "type", json_object_new_uint64(hi->type));
	json_object_object_add(o, "kind", json_object_new_string(hi->kind));
	if (hi->have_caps) {
		json_object *caps = json_object_new_object();

		json_object_object_add(caps, "value", js_hex(hi->capabilities, 0));
		for (size_t i = 0; i < sizeof(capnames) / sizeof(capnames[0]); i++)
			json_object_object_add(caps, capnames[i],
					       json_object_new_boolean(hi->capabilities & (1u << i)));
		json_object_object_add(o, "capabilities", caps);
		json_object_object_add(o, "max_pasid_log2", json_object_new_int(hi->max_pasid_log2));
	} else {
		json_object_object_add(o, "capabilities", NULL);
		json_object_object_add(o, "max_pasid_log2", NULL);
	}
	for (size_t i = 0; i < hi->raw_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", hi->raw[i]);
	json_object_object_add(o, "raw", json_object_new_string_len(hex, (int)(2 * hi->raw_len)));
	for (size_t i = 0; i < hi->nregs; i++)
		json_object_array_add(regs, present_reg(&hi->regs[i]));
	json_object_object_add(o, "registers", regs);
	return o;
}

static const char *s_or(json_object *o, const char *key, const char *dflt)
{
	const char *s = json_object_get_string(out_get(o, key));

	return s ? s : dflt;
}

static int text_hw_info(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *h = out_get(doc, "hw_info"), *regs = out_get(h, "registers");
	json_object *caps = out_get(h, "capabilities");

	fprintf(out, "%s", s_or(h, "kind", "?"));
	if (out_get(h, "device"))
		fprintf(out, " IOMMU %s of %s", s_or(h, "iommu", "?"), s_or(h, "device", "?"));
	fprintf(out, " (hw_info type %#llx, from %s)\n",
		(unsigned long long)json_object_get_uint64(out_get(h, "type")), s_or(h, "source", "?"));
	if (caps) {
		fprintf(out, "  capabilities %s:", s_or(caps, "value", "?"));
		json_object_object_foreach(caps, k, v) {
			if (strcmp(k, "value") && json_object_get_boolean(v))
				fprintf(out, " %s", k);
		}
		fprintf(out, "\n  max PASID width: %s bits\n", s_or(h, "max_pasid_log2", "0"));
	}
	for (size_t i = 0; i < json_object_array_length(regs); i++) {
		json_object *r = json_object_array_get_idx(regs, i), *f = out_get(r, "fields");

		fprintf(out, "\n%s = %s  %s\n", s_or(r, "name", "?"), s_or(r, "value", "?"),
			s_or(r, "description", ""));
		for (size_t k = 0; k < json_object_array_length(f); k++) {
			json_object *x = json_object_array_get_idx(f, k);
			char val[32];

			snprintf(val, sizeof(val), "%#llx",
				 (unsigned long long)json_object_get_uint64(out_get(x, "value")));
			fprintf(out, "  %-24s %-6s %-12s %s\n", s_or(x, "name", "?"), s_or(x, "bits", "?"),
				val, s_or(x, "meaning", s_or(x, "description", "")));
		}
	}
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

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
	struct out_view view = { .text = text_hw_info };
	json_object *doc = json_object_new_object();
	int r;

	json_object_object_add(doc, "hw_info", present_hw_info(hi, device, iommu));
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	return r;
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
