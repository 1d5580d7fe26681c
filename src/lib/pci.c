// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpci: names from pci.ids and config space through the sysfs access method,
 * pointed at the context's root.  libpci's fatal-error hook normally exits;
 * ours records the message and jumps back, so the library never exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <pci/pci.h>

#include "internal.h"
#include "pci-internal.h"

/* Config space: 4 KiB (PCIe); pci.ids: 1.3 MB in 2026, room for growth. */
#define PCI_CFG_MAX 4096
#define PCI_IDS_MAX (64u << 20)

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

/*
 * libpci never opens a file itself: config space is read through the seam and
 * handed over as its cache (ictl_pci_config), and pci.ids is opened through the
 * seam and loaded from that fd (load_names).  Its sysfs method is pointed at a
 * path that cannot exist, so a read past the cache finds nothing (0xff) instead
 * of following a capture's links out of the tree.
 */
#define PCI_NOWHERE "/proc/self/fd/-1/iommuctl-reads-config-space-through-its-seam"

struct pci_access *ictl_pci_access(struct ictl_ctx *ctx)
{
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
	pci_set_param(a, "sysfs.path", PCI_NOWHERE);
	pci_set_name_list_path(a, PCI_NOWHERE, 0);
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

/*
 * pci.ids, opened through the seam (a capture carries the one it was made with,
 * so names replay too; live, the system's), loaded by libpci from that fd once.
 * Without one, names stay empty as they did when libpci found none.
 */
static void load_names(struct ictl_ctx *ctx, struct pci_access *a)
{
	_cleanup_close_ int fd = -1;
	char path[64];

	if (ctx->pci_names_loaded)
		return;
	ctx->pci_names_loaded = true;
	fd = sysfs_open(ctx, "usr/share/misc/pci.ids", O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && sysfs_check_file(ctx, fd, -1, "usr/share/misc/pci.ids", PCI_IDS_MAX) == 0 &&
	    !path_fmt(path, sizeof(path), "/proc/self/fd/%d", fd)) {
		pci_set_name_list_path(a, path, 0);
		pci_load_name_list(a);
	}
	/* Loaded or failed: libpci does not open it again (id_load_failed). */
	pci_set_name_list_path(a, PCI_NOWHERE, 0);
	a->id_load_failed = !a->id_hash;
	ctx->err[0] = '\0';
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
	load_names(ctx, a);
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
	/* The whole config space, as read through the seam; 0xff past its end, as the bus reads. */
	uint8_t space[PCI_CFG_MAX];
	char path[PATH_MAX];
	struct pci_dev *dev;
	struct pci_cap *cap;
	ssize_t len;
	jmp_buf jb;

	if (!a)
		return -EIO;
	if (path_fmt(path, sizeof(path), "sys/bus/pci/devices/%04x:%02x:%02x.%x/config",
		     addr->domain, addr->bus, addr->dev, addr->fn) < 0)
		return -ENAMETOOLONG;
	len = sysfs_read_bin(ctx, path, space, sizeof(space));
	if (len < 0 && len != -ENOENT)
		return (int)len;
	if (len < 4 || (space[0] == 0xff && space[1] == 0xff)) {
		node->config_ok = false;
		ctx->err[0] = '\0';
		return 0;
	}
	memset(space + len, 0xff, sizeof(space) - (size_t)len);
	dev = pci_get_dev(a, (int)addr->domain, addr->bus, addr->dev, addr->fn);
	if (!dev)
		return -ENOMEM;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		pci_free_dev(dev);
		return ictl_err(ctx, EIO, "libpci: %s", pci_msg);
	}
	pci_setup_cache(dev, space, sizeof(space));
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
	node->config_short = len < (cap ? 0x104 : 0x44);
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
