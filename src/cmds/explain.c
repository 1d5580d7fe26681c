// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl explain GROUP: why these devices share a group, from PCI config space. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"

struct explain_rec {
	const struct ictl_group *g;
	const struct ictl_explain *e;
};

static const char *missing_str(uint16_t missing, char *buf, size_t len)
{
	static const char *const bits[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		if (missing & (1u << i))
			buf_add(buf, len, &off, "%s%s", off ? "," : "", bits[i]);
	}
	return buf;
}

static json_object *present_node(const struct ictl_explain *e, const struct ictl_pci_node *n)
{
	json_object *o = json_object_new_object(), *acs = json_object_new_object();
	json_object *missing = json_object_new_array();
	char buf[64], *tok, *save = NULL;

	js_set(o, "device", json_object_new_string(n->name));
	js_set(o, "upstream", n->parent >= 0 ? json_object_new_string(e->nodes[n->parent].name) : NULL);
	js_set(o, "pcie_type", json_object_new_string(ictl_pcie_type_name(n->pcie_type)));
	js_set(o, "multifunction", js_bool(n->multifunction));
	js_set(o, "bridge", js_bool(n->is_bridge));
	js_set(o, "config_readable", js_bool(n->config_ok && !n->config_short));
	js_set(acs, "present", js_bool(n->has_acs));
	js_set(acs, "capability", n->has_acs ? js_hex(n->acs_cap, 4) : NULL);
	js_set(acs, "control", n->has_acs ? js_hex(n->acs_ctrl, 4) : NULL);
	missing_str(n->acs_missing, buf, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_object_array_add(missing, json_object_new_string(tok));
	js_set(acs, "missing", missing);
	js_set(acs, "isolates", js_bool(n->acs_enabled));
	js_set(o, "acs", acs);
	return o;
}

static json_object *explain_json(struct cli *cli, const void *data, int err)
{
	const struct explain_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *f = json_object_new_array(), *nodes = json_object_new_array();

	(void)cli, (void)err;
	js_set(o, "group", js_int(x->g->id));
	js_set(o, "devices", js_int((long long)x->g->ndevices));
	js_set(o, "isolated", js_bool(x->g->ndevices == 1));
	for (size_t i = 0; i < x->e->nfindings; i++) {
		const struct ictl_finding *fi = &x->e->findings[i];
		json_object *j = json_object_new_object();

		js_set(j, "device", json_object_new_string(fi->device));
		js_set(j, "kind", json_object_new_string(ictl_finding_kind_name(fi->kind)));
		js_set(j, "link", js_str(fi->link));
		js_set(j, "message", json_object_new_string(fi->message));
		json_object_array_add(f, j);
	}
	js_set(o, "findings", f);
	for (size_t i = 0; i < x->e->nnodes; i++)
		json_object_array_add(nodes, present_node(x->e, &x->e->nodes[i]));
	js_set(o, "pci_path", nodes);
	js_set(doc, "explain", o);
	return doc;
}

static int explain_text(struct cli *cli, FILE *out, const void *data)
{
	const struct explain_rec *x = data;
	const struct ictl_explain *e = x->e;
	size_t ndev = x->g->ndevices;

	(void)cli;
	fprintf(out, "Group %u: %zu device%s, %s\n", x->g->id, ndev, ndev == 1 ? "" : "s",
		ndev == 1 ? "isolated" : "shared");
	for (size_t i = 0; i < e->nfindings; i++)
		fprintf(out, "  - %s\n", esc_text(e->findings[i].message));
	if (e->nnodes) {
		fprintf(out, "\nPCI path (ACS capability/control; missing = required bits not enabled):\n");
		fprintf(out, "  %-14s %-14s %-24s %-3s %-6s %-6s %s\n", "DEVICE", "UPSTREAM", "TYPE",
			"MF", "ACSCAP", "ACSCTL", "MISSING");
	}
	for (size_t i = 0; i < e->nnodes; i++) {
		const struct ictl_pci_node *n = &e->nodes[i];
		char cap[8] = "-", ctl[8] = "-", miss[64];

		if (n->has_acs) {
			snprintf(cap, sizeof(cap), "0x%04x", n->acs_cap);
			snprintf(ctl, sizeof(ctl), "0x%04x", n->acs_ctrl);
		}
		fprintf(out, "  %-14s %-14s %-24s %-3s %-6s %-6s %s\n", esc_text(n->name),
			n->parent >= 0 ? esc_text(e->nodes[n->parent].name) : "-",
			ictl_pcie_type_name(n->pcie_type),
			n->multifunction ? "yes" : "no", cap, ctl,
			dash(missing_str(n->acs_missing, miss, sizeof(miss))));
	}
	return 0;
}

static const struct out_doc_view explain_view = { .json = explain_json, .text = explain_text };

int cmd_explain(struct cli *cli)
{
	struct ictl_device_list devs;
	struct ictl_explain ex;
	struct ictl_group g;
	unsigned int id;
	int r;

	r = ictl_parse_group_id(cli->ctx, cli->argv[0], &id);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_group_read(cli->ctx, id, &g);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_devices_scan_group(cli->ctx, id, &devs);
	if (r < 0) {
		r = cli_lib_error(cli, r);
		goto out_group;
	}
	if (ictl_is_live(cli->ctx) && geteuid())
		cli_verbose(cli, "not root: sysfs shows only 64 bytes of config space, and ACS is beyond them");
	r = ictl_explain_group(cli->ctx, &g, &devs, &ex);
	if (r < 0) {
		r = cli_lib_error(cli, r);
		goto out_devs;
	}
	r = out_doc(cli, &explain_view, &(struct explain_rec){ &g, &ex }, 0);
	ictl_explain_clear(&ex);
out_devs:
	ictl_device_list_clear(&devs);
out_group:
	ictl_group_clear(&g);
	return r;
}
