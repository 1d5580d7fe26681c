// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpci: names from pci.ids and config space through the sysfs access method,
 * pointed at the context's root.  libpci's fatal-error hook normally exits;
 * ours records the message and jumps back, so the library never exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <pci/pci.h>

#include "internal.h"
#include "pci-internal.h"

static __thread jmp_buf *pci_jmp;
static __thread char pci_msg[256];

static void PCI_NONRET pci_fatal(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	if (pci_jmp)
		longjmp(*pci_jmp, 1);
	abort(); /* not reached: every libpci call below runs under PCI_GUARD */
}

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

struct pci_access *ictl_pci_access(struct ictl_ctx *ctx)
{
	char path[PATH_MAX];
	struct pci_access *a;
	jmp_buf jb;

	if (ctx->pacc)
		return ctx->pacc;
	a = pci_alloc();
	if (!a)
		return NULL;
	a->error = pci_fatal;
	a->warning = pci_quiet;
	a->debug = pci_quiet;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	if (!path_fmt(path, sizeof(path), "%s/sys/bus/pci", ctx->live ? "" : ctx->root))
		pci_set_param(a, "sysfs.path", path);
	if (!ctx->live) {
		/* A capture carries the pci.ids it was made with, so names replay too. */
		if (!path_fmt(path, sizeof(path), "%s/usr/share/misc/pci.ids", ctx->root) &&
		    sysfs_exists(ctx, "usr/share/misc/pci.ids"))
			pci_set_name_list_path(a, strdup(path), 1);
	}
	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		pci_cleanup(a);
		ictl_err(ctx, EIO, "libpci: %s", pci_msg);
		return NULL;
	}
	pci_init(a);
	pci_jmp = NULL;
	ctx->pacc = a;
	return a;
}

static void lookup(struct pci_access *a, char *buf, size_t len, int flags, ...)
{
	va_list ap;
	char *s;
	int arg[4] = { 0 };

	va_start(ap, flags);
	for (int i = 0; i < 4; i++)
		arg[i] = va_arg(ap, int);
	va_end(ap);
	s = pci_lookup_name(a, buf, (int)len, flags | PCI_LOOKUP_NO_NUMBERS, arg[0], arg[1],
			    arg[2], arg[3]);
	if (!s)
		buf[0] = '\0';
	else if (s != buf)
		str_copy(buf, s, len);
}

void ictl_pci_lookup_names(struct ictl_ctx *ctx, const struct ictl_device *d,
			   struct ictl_pci_names *n)
{
	struct pci_access *a;
	volatile int flags = 0;
	jmp_buf jb;

	memset(n, 0, sizeof(*n));
	if (!d->is_pci)
		return;
	a = ictl_pci_access(ctx);
	if (!a)
		return;
	if (!ctx->live)
		flags |= PCI_LOOKUP_NO_HWDB;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		return;
	}
	lookup(a, n->vendor, sizeof(n->vendor), flags | PCI_LOOKUP_VENDOR, d->vendor_id, 0, 0, 0);
	lookup(a, n->device, sizeof(n->device), flags | PCI_LOOKUP_DEVICE, d->vendor_id,
	       d->device_id, 0, 0);
	lookup(a, n->subsys_vendor, sizeof(n->subsys_vendor), flags | PCI_LOOKUP_VENDOR,
	       d->subsys_vendor_id, 0, 0, 0);
	lookup(a, n->subsys_device, sizeof(n->subsys_device), flags | PCI_LOOKUP_SUBSYSTEM |
	       PCI_LOOKUP_DEVICE, d->vendor_id, d->device_id, d->subsys_vendor_id, d->subsys_device_id);
	lookup(a, n->class_name, sizeof(n->class_name), flags | PCI_LOOKUP_CLASS,
	       (int)(d->class_code >> 8), 0, 0, 0);
	pci_jmp = NULL;
}

/*
 * Config space of one device: its header byte, PCIe type and ACS registers.
 * Capabilities are found by libpci; we only read the registers it points at.
 */
int ictl_pci_config(struct ictl_ctx *ctx, const struct ictl_pci_addr *addr,
		    struct ictl_pci_node *node)
{
	struct pci_access *a = ictl_pci_access(ctx);
	struct pci_dev *dev;
	struct pci_cap *cap;
	uint8_t probe[4];
	jmp_buf jb;

	if (!a)
		return -EIO;
	dev = pci_get_dev(a, (int)addr->domain, addr->bus, addr->dev, addr->fn);
	if (!dev)
		return -ENOMEM;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		pci_free_dev(dev);
		return ictl_err(ctx, EIO, "libpci: %s", pci_msg);
	}
	if (!pci_read_block(dev, 0, probe, sizeof(probe)) || (probe[0] == 0xff && probe[1] == 0xff)) {
		pci_jmp = NULL;
		pci_free_dev(dev);
		node->config_ok = false;
		return 0;
	}
	node->config_ok = true;
	uint8_t hdr = pci_read_byte(dev, PCI_HEADER_TYPE);

	/* As the kernel's slot scan does: any function but 0 is part of a multifunction device. */
	node->multifunction = (hdr & 0x80) || addr->fn > 0;
	node->is_bridge = (hdr & 0x7f) == PCI_HEADER_TYPE_BRIDGE ||
			  (hdr & 0x7f) == PCI_HEADER_TYPE_CARDBUS;
	pci_fill_info(dev, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
	node->pcie_type = ICTL_PCIE_NONE;
	cap = pci_find_cap(dev, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (cap)
		node->pcie_type = (pci_read_word(dev, cap->addr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
	/* PCIe functions have 4 KiB of config space; sysfs gives non-root readers 64 bytes. */
	node->config_short = cap ? !pci_read_block(dev, 0x100, probe, sizeof(probe)) :
				   !pci_read_block(dev, 0x40, probe, sizeof(probe));
	cap = pci_find_cap(dev, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	if (cap) {
		node->has_acs = true;
		node->acs_cap = pci_read_word(dev, cap->addr + PCI_ACS_CAP);
		node->acs_ctrl = pci_read_word(dev, cap->addr + PCI_ACS_CTRL);
	}
	pci_jmp = NULL;
	pci_free_dev(dev);
	return 0;
}
