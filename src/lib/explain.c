// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why do these devices share an IOMMU group?  We read each member's config
 * space and that of every bridge above it, and replay the rules the kernel
 * uses to build PCI groups (drivers/iommu: pci_device_group):
 *  - DMA from behind a PCIe-to-PCI bridge carries the bridge's requester ID;
 *  - a device joins the group of the nearest bridge above it whose path to the
 *    root does not have ACS (SV, RR, CR, UF) enabled at every port;
 *  - functions of a multifunction device without ACS share a group.
 * What this cannot see (ACS and DMA-alias quirks for specific chipsets, the
 * pcie_acs_override patch, firmware alias tables) is reported as such.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "pci-internal.h"

static const char *const kind_names[] = {
	[ICTL_FIND_ALONE] = "alone",
	[ICTL_FIND_UPSTREAM_NO_ACS] = "upstream-without-acs",
	[ICTL_FIND_MULTIFUNCTION] = "multifunction-without-acs",
	[ICTL_FIND_PCI_BRIDGE_ALIAS] = "pci-bridge-alias",
	[ICTL_FIND_CONVENTIONAL_PCI] = "conventional-pci",
	[ICTL_FIND_UNEXPLAINED] = "not-explained-by-config-space",
	[ICTL_FIND_NOT_PCI] = "not-pci",
	[ICTL_FIND_CONFIG_UNREADABLE] = "config-space-unreadable",
};

const char *ictl_finding_kind_name(enum ictl_finding_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "unknown";
}

const char *ictl_pcie_type_name(int type)
{
	switch (type) {
	case ICTL_PCIE_NONE: return "conventional-pci";
	case ICTL_PCIE_ENDPOINT: return "endpoint";
	case ICTL_PCIE_LEGACY_ENDPOINT: return "legacy-endpoint";
	case ICTL_PCIE_ROOT_PORT: return "root-port";
	case ICTL_PCIE_UPSTREAM: return "switch-upstream-port";
	case ICTL_PCIE_DOWNSTREAM: return "switch-downstream-port";
	case ICTL_PCIE_PCIE_TO_PCI: return "pcie-to-pci-bridge";
	case ICTL_PCIE_PCI_TO_PCIE: return "pci-to-pcie-bridge";
	case ICTL_PCIE_RC_ENDPOINT: return "rc-integrated-endpoint";
	case ICTL_PCIE_RC_EVENT_COLLECTOR: return "rc-event-collector";
	default: return "unknown";
	}
}

const char *ictl_acs_bits_str(uint16_t bits, char *buf, size_t len)
{
	static const char *const names[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(bits & (1u << i)))
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? " " : "", names[i]);
	}
	return buf;
}

/* The kernel's pci_acs_enabled(dev, REQ_ACS_FLAGS), without its quirk table. */
static void acs_verdict(struct ictl_pci_node *n)
{
	bool need_flags;

	n->acs_missing = 0;
	if (!n->config_ok || n->pcie_type == ICTL_PCIE_NONE) {
		n->acs_enabled = false;
		n->acs_missing = ICTL_ACS_REQUIRED;
		return;
	}
	switch (n->pcie_type) {
	case ICTL_PCIE_PCI_TO_PCIE:
	case ICTL_PCIE_PCIE_TO_PCI:
	case ICTL_PCIE_RC_EVENT_COLLECTOR:
		n->acs_enabled = false;
		n->acs_missing = ICTL_ACS_REQUIRED;
		return;
	case ICTL_PCIE_DOWNSTREAM:
	case ICTL_PCIE_ROOT_PORT:
		need_flags = true;
		break;
	case ICTL_PCIE_ENDPOINT:
	case ICTL_PCIE_UPSTREAM:
	case ICTL_PCIE_LEGACY_ENDPOINT:
	case ICTL_PCIE_RC_ENDPOINT:
		need_flags = n->multifunction;
		break;
	default:
		need_flags = false;
	}
	if (!need_flags) {
		n->acs_enabled = true;
		return;
	}
	if (!n->has_acs) {
		n->acs_missing = ICTL_ACS_REQUIRED;
	} else {
		/* Bits a port does not implement are not required of it. */
		uint16_t req = ICTL_ACS_REQUIRED & (n->acs_cap | ICTL_ACS_EC);

		n->acs_missing = req & (uint16_t)~n->acs_ctrl;
	}
	n->acs_enabled = !n->acs_missing;
}

static int node_index(const struct ictl_explain *e, const char *name)
{
	for (size_t i = 0; i < e->nnodes; i++) {
		if (!strcmp(e->nodes[i].name, name))
			return (int)i;
	}
	return -1;
}

/* Add the PCI nodes on a device's sysfs path (bridges first), returning the device's index. */
static int add_path(struct ictl_ctx *ctx, struct ictl_explain *e, const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	int parent = -1, idx = -1;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct ictl_pci_addr addr;
		struct ictl_pci_node *n;
		char canon[ICTL_NAME_MAX], saved[sizeof(ctx->err)];
		int r;

		str_copy(saved, ctx->err, sizeof(saved));
		r = ictl_parse_pci_name(ctx, c, &addr, canon);
		str_copy(ctx->err, saved, sizeof(ctx->err));
		if (r < 0 || strcmp(canon, c))
			continue;
		idx = node_index(e, canon);
		if (idx < 0) {
			n = array_push(&e->nodes, &e->nnodes, sizeof(*e->nodes));
			if (!n)
				return -ENOMEM;
			str_copy(n->name, canon, sizeof(n->name));
			n->parent = parent;
			r = ictl_pci_config(ctx, &addr, n);
			if (r < 0)
				return r;
			acs_verdict(n);
			idx = (int)(e->nnodes - 1);
		}
		parent = idx;
	}
	return idx;
}

static bool path_enabled(const struct ictl_explain *e, int i, int *breaker)
{
	for (; i >= 0; i = e->nodes[i].parent) {
		if (!e->nodes[i].acs_enabled) {
			*breaker = i;
			return false;
		}
	}
	return true;
}

static bool is_ancestor(const struct ictl_explain *e, int anc, int i)
{
	for (i = e->nodes[i].parent; i >= 0; i = e->nodes[i].parent) {
		if (i == anc)
			return true;
	}
	return false;
}

static struct ictl_finding *add_finding(struct ictl_explain *e, enum ictl_finding_kind kind,
					const char *dev, const char *link)
{
	struct ictl_finding *f = array_push(&e->findings, &e->nfindings, sizeof(*e->findings));

	if (f) {
		f->kind = kind;
		str_copy(f->device, dev, sizeof(f->device));
		str_copy(f->link, link ? link : "", sizeof(f->link));
	}
	return f;
}

/* A finding's message; a message longer than the field is cut, which is fine for prose. */
__attribute__((format(printf, 2, 3))) static void say(struct ictl_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

static const char *missing_str(const struct ictl_pci_node *n, char *buf, size_t len)
{
	if (n->pcie_type == ICTL_PCIE_NONE)
		return "conventional PCI: no ACS";
	if (!n->has_acs)
		return "no ACS capability";
	ictl_acs_bits_str(n->acs_missing, buf, len);
	return buf;
}

/* Functions of the same slot as node i that lack ACS themselves. */
static void slot_siblings(const struct ictl_explain *e, const int *member_idx, size_t nmembers,
			  int i, char *buf, size_t len)
{
	const char *me = e->nodes[i].name;
	size_t off = 0, slot = strlen(me) - 2; /* "0000:00:1f" of "0000:00:1f.2" */

	buf[0] = '\0';
	for (size_t m = 0; m < nmembers; m++) {
		const struct ictl_pci_node *o;

		if (member_idx[m] < 0 || member_idx[m] == i)
			continue;
		o = &e->nodes[member_idx[m]];
		if (strncmp(o->name, me, slot) || o->name[slot] != '.' || o->acs_enabled)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? ", " : "", o->name);
	}
}

static int explain_member(struct ictl_ctx *ctx, struct ictl_explain *e, const struct ictl_group *g,
			  const int *member_idx, size_t m)
{
	const char *name = g->devices[m];
	int i = member_idx[m], brk = -1;
	char bits[64], sib[256];
	struct ictl_finding *f;
	struct ictl_pci_node *n;

	if (i < 0) {
		f = add_finding(e, ICTL_FIND_NOT_PCI, name, NULL);
		if (f)
			say(f, "%s is not a PCI device: its grouping comes from the firmware's description of the IOMMU, not from PCI config space",
			    name);
		return f ? 0 : -ENOMEM;
	}
	n = &e->nodes[i];
	for (int a = i; a >= 0; a = e->nodes[a].parent) {
		if (!e->nodes[a].config_ok || e->nodes[a].config_short) {
			f = add_finding(e, ICTL_FIND_CONFIG_UNREADABLE, name, e->nodes[a].name);
			if (f)
				say(f, "cannot read the %sconfig space of %s, where ACS is described%s",
				    e->nodes[a].config_ok ? "extended " : "", e->nodes[a].name,
				    ctx->live ? ": run as root" : ": the capture lacks it");
			return f ? 0 : -ENOMEM;
		}
	}
	if (g->ndevices == 1) {
		f = add_finding(e, ICTL_FIND_ALONE, name, NULL);
		if (f)
			say(f, "%s is alone in group %u: it is isolated", name, g->id);
		return f ? 0 : -ENOMEM;
	}
	for (int a = n->parent; a >= 0; a = e->nodes[a].parent) {
		const struct ictl_pci_node *b = &e->nodes[a];

		if (b->pcie_type != ICTL_PCIE_PCIE_TO_PCI && b->pcie_type != ICTL_PCIE_NONE)
			continue;
		f = add_finding(e, ICTL_FIND_PCI_BRIDGE_ALIAS, name, b->name);
		if (f)
			say(f, "%s is behind %s bridge %s: its DMA carries the bridge's requester ID, so the IOMMU cannot tell it from other devices behind that bridge",
			    name, b->pcie_type == ICTL_PCIE_NONE ? "conventional PCI" : "PCIe-to-PCI",
			    b->name);
		return f ? 0 : -ENOMEM;
	}
	for (int a = n->parent; a >= 0; a = e->nodes[a].parent) {
		if (path_enabled(e, a, &brk))
			break;
		f = add_finding(e, ICTL_FIND_UPSTREAM_NO_ACS, name, e->nodes[brk].name);
		if (f)
			say(f, "%s is below %s %s, which does not isolate its downstream devices (%s): everything below %s shares one group",
			    name, ictl_pcie_type_name(e->nodes[brk].pcie_type), e->nodes[brk].name,
			    missing_str(&e->nodes[brk], bits, sizeof(bits)), e->nodes[a].name);
		return f ? 0 : -ENOMEM;
	}
	if (n->multifunction && !n->acs_enabled) {
		slot_siblings(e, member_idx, g->ndevices, i, sib, sizeof(sib));
		if (sib[0]) {
			f = add_finding(e, ICTL_FIND_MULTIFUNCTION, name, name);
			if (f)
				say(f, "%s is a function of a multifunction device without ACS (%s): it shares a group with %s",
				    name, missing_str(n, bits, sizeof(bits)), sib);
			return f ? 0 : -ENOMEM;
		}
	}
	for (size_t o = 0; o < g->ndevices; o++) {
		if (member_idx[o] < 0 || !is_ancestor(e, i, member_idx[o]) ||
		    path_enabled(e, i, &brk))
			continue;
		f = add_finding(e, ICTL_FIND_UPSTREAM_NO_ACS, name, e->nodes[brk].name);
		if (f)
			say(f, "%s is a bridge whose path to the root lacks ACS at %s (%s): the devices below it joined its group",
			    name, e->nodes[brk].name, missing_str(&e->nodes[brk], bits, sizeof(bits)));
		return f ? 0 : -ENOMEM;
	}
	f = add_finding(e, ICTL_FIND_UNEXPLAINED, name, NULL);
	if (f)
		say(f, "config space says %s could be isolated, yet the kernel grouped it with others: a kernel ACS or DMA-alias quirk for this device, pcie_acs_override, or the firmware's alias tables did it",
		    name);
	return f ? 0 : -ENOMEM;
}

void ictl_explain_clear(struct ictl_explain *e)
{
	free(e->nodes);
	free(e->findings);
	memset(e, 0, sizeof(*e));
}

int ictl_explain_group(struct ictl_ctx *ctx, const struct ictl_group *g,
		       const struct ictl_device_list *devs, struct ictl_explain *out)
{
	_cleanup_free_ int *member_idx = calloc(g->ndevices ? g->ndevices : 1, sizeof(int));
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->group = g->id;
	if (!member_idx)
		return -ENOMEM;
	for (size_t m = 0; m < g->ndevices; m++) {
		const struct ictl_device *d = ictl_device_find(devs, g->devices[m]);

		member_idx[m] = -1;
		/* A member a listing could not read: the group cannot be explained without it. */
		if (d && d->error) {
			ictl_explain_clear(out);
			return row_error_raise(ctx, d->error);
		}
		if (!d || !d->is_pci || !d->path)
			continue;
		r = add_path(ctx, out, d->path);
		if (r < 0)
			goto fail;
		member_idx[m] = r;
	}
	for (size_t m = 0; m < g->ndevices; m++) {
		r = explain_member(ctx, out, g, member_idx, m);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	ictl_explain_clear(out);
	/* Wrapped, so a damaged config space stays a damaged file (exit 1), not a usage error. */
	return r == -ENOMEM ? r : ictl_err_wrap(ctx, -r, "group %u", g->id);
}
