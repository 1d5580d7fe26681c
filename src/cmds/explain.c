// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl explain GROUP: why these devices share a group, from PCI config space. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"

static json_object *present_node(const struct ictl_explain *e, const struct ictl_pci_node *n)
{
	json_object *o = json_object_new_object(), *acs = json_object_new_object();
	json_object *missing = json_object_new_array();
	static const char *const bits[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };

	json_object_object_add(o, "device", json_object_new_string(n->name));
	json_object_object_add(o, "upstream", n->parent >= 0 ?
				json_object_new_string(e->nodes[n->parent].name) : NULL);
	json_object_object_add(o, "pcie_type", json_object_new_string(ictl_pcie_type_name(n->pcie_type)));
	json_object_object_add(o, "multifunction", json_object_new_boolean(n->multifunction));
	json_object_object_add(o, "bridge", json_object_new_boolean(n->is_bridge));
	json_object_object_add(o, "config_readable", json_object_new_boolean(n->config_ok &&
									     !n->config_short));
	json_object_object_add(acs, "present", json_object_new_boolean(n->has_acs));
	json_object_object_add(acs, "capability", n->has_acs ? js_hex(n->acs_cap, 4) : NULL);
	json_object_object_add(acs, "control", n->has_acs ? js_hex(n->acs_ctrl, 4) : NULL);
	for (size_t i = 0; i < 7; i++) {
		if (n->acs_missing & (1u << i))
			json_object_array_add(missing, json_object_new_string(bits[i]));
	}
	json_object_object_add(acs, "missing", missing);
	json_object_object_add(acs, "isolates", json_object_new_boolean(n->acs_enabled));
	json_object_object_add(o, "acs", acs);
	return o;
}

static json_object *present_explain(const struct ictl_group *g, const struct ictl_explain *e)
{
	json_object *o = json_object_new_object(), *f = json_object_new_array();
	json_object *nodes = json_object_new_array();

	json_object_object_add(o, "group", json_object_new_int((int)g->id));
	json_object_object_add(o, "devices", json_object_new_int((int)g->ndevices));
	json_object_object_add(o, "isolated", json_object_new_boolean(g->ndevices == 1));
	for (size_t i = 0; i < e->nfindings; i++) {
		const struct ictl_finding *x = &e->findings[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "device", json_object_new_string(x->device));
		json_object_object_add(j, "kind", json_object_new_string(ictl_finding_kind_name(x->kind)));
		json_object_object_add(j, "link", js_str_or_null(x->link));
		json_object_object_add(j, "message", json_object_new_string(x->message));
		json_object_array_add(f, j);
	}
	json_object_object_add(o, "findings", f);
	for (size_t i = 0; i < e->nnodes; i++)
		json_object_array_add(nodes, present_node(e, &e->nodes[i]));
	json_object_object_add(o, "pci_path", nodes);
	return o;
}

static int text_explain(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *e = out_get(doc, "explain"), *f = out_get(e, "findings");
	json_object *nodes = out_get(e, "pci_path");
	int ndev = json_object_get_int(out_get(e, "devices"));

	fprintf(out, "Group %d: %d device%s, %s\n", json_object_get_int(out_get(e, "group")), ndev,
		ndev == 1 ? "" : "s", ndev == 1 ? "isolated" : "shared");
	for (size_t i = 0; i < json_object_array_length(f); i++)
		fprintf(out, "  - %s\n",
			json_object_get_string(out_get(json_object_array_get_idx(f, i), "message")));
	if (json_object_array_length(nodes)) {
		fprintf(out, "\nPCI path (ACS capability/control; missing = required bits not enabled):\n");
		fprintf(out, "  %-14s %-14s %-24s %-3s %-6s %-6s %s\n", "DEVICE", "UPSTREAM", "TYPE",
			"MF", "ACSCAP", "ACSCTL", "MISSING");
	}
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		json_object *n = json_object_array_get_idx(nodes, i), *acs = out_get(n, "acs");
		char buf[64];
		const char *miss = out_value_str(out_get(acs, "missing"), buf, sizeof(buf));

		fprintf(out, "  %-14s %-14s %-24s %-3s %-6s %-6s %s\n",
			json_object_get_string(out_get(n, "device")),
			json_object_get_string(out_get(n, "upstream")) ?: "-",
			json_object_get_string(out_get(n, "pcie_type")),
			json_object_get_boolean(out_get(n, "multifunction")) ? "yes" : "no",
			json_object_get_string(out_get(acs, "capability")) ?: "-",
			json_object_get_string(out_get(acs, "control")) ?: "-",
			*miss ? miss : "-");
	}
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

int cmd_explain(struct cli *cli)
{
	struct out_view view = { .text = text_explain };
	struct ictl_device_list devs;
	struct ictl_explain ex;
	struct ictl_group g;
	json_object *doc;
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
	doc = json_object_new_object();
	json_object_object_add(doc, "explain", present_explain(&g, &ex));
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	ictl_explain_clear(&ex);
out_devs:
	ictl_device_list_clear(&devs);
out_group:
	ictl_group_clear(&g);
	return r;
}
