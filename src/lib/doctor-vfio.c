// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor, kernel: the ways into VFIO.  vfio-pci (the driver a claim binds),
 * iommufd (/dev/iommu), the VFIO device cdevs (/dev/vfio/devices/vfioN, which
 * iommufd binds) and the legacy container (/dev/vfio/vfio, with
 * vfio_iommu_type1 or iommufd's compatibility container behind it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "doctor-internal.h"

/* Name the files a module's state came from. */
static void read_module(struct ictl_check *c, const char *name, const struct doc_module *m)
{
	char path[PATH_MAX];

	doc_read(c, "/proc/modules");
	if (!path_fmt(path, sizeof(path), "/sys/module/%s", name))
		doc_read(c, path);
	if (m->lib_file[0])
		doc_read(c, m->lib_file);
}

int doc_check_vfio_pci(struct doctor_run *run, struct ictl_check *c)
{
	struct doc_module m;

	doc_module(run, "vfio_pci", &m);
	read_module(c, "vfio_pci", &m);
	doc_found(c, "%s: %s", doc_module_state_name(m.state), m.how);
	switch (m.state) {
	case MOD_LOADED:
	case MOD_BUILTIN:
	case MOD_PRESENT:
		c->status = ICTL_CHECK_OK;
		break;
	case MOD_LOADABLE:
		c->status = ICTL_CHECK_OK;
		doc_found_add(c, "'iommuctl claim' loads it");
		break;
	case MOD_UNKNOWN:
		c->status = ICTL_CHECK_WARN;
		doc_fix(c, "modprobe vfio-pci");
		break;
	case MOD_ABSENT:
		c->status = ICTL_CHECK_FAIL;
		doc_fix(c, "a kernel built with CONFIG_VFIO_PCI");
		break;
	}
	return 0;
}

static bool have_iommufd(struct doctor_run *run, struct doc_module *m)
{
	doc_module(run, "iommufd", m);
	return sysfs_exists(run->ctx, "dev/iommu") || doc_module_usable(m);
}

int doc_check_iommufd(struct doctor_run *run, struct ictl_check *c)
{
	struct doc_module m;
	bool dev = sysfs_exists(run->ctx, "dev/iommu");

	doc_read(c, "/dev/iommu");
	doc_module(run, "iommufd", &m);
	read_module(c, "iommufd", &m);
	if (dev) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "/dev/iommu is there; module %s: %s", doc_module_state_name(m.state), m.how);
		return 0;
	}
	c->status = ICTL_CHECK_WARN;
	doc_found(c, "no /dev/iommu; module %s: %s", doc_module_state_name(m.state), m.how);
	if (m.state == MOD_LOADABLE) {
		doc_fix(c, "modprobe iommufd, and echo iommufd > /etc/modules-load.d/iommufd.conf to load it at boot");
		return 0;
	}
	doc_found_add(c, "VFIO works through the legacy container alone: QEMU's iommufd backend, nested translation, dirty tracking and PASID need iommufd");
	doc_fix(c, "a kernel built with CONFIG_IOMMUFD%s", m.state == MOD_UNKNOWN ?
		" (or modprobe iommufd, if this kernel has the module)" : "");
	return 0;
}

/* Does /proc/devices list a character device named name ("vfio-dev")? */
static int proc_devices_has(struct doctor_run *run, const char *name, bool *has)
{
	_cleanup_free_ char *text = NULL;
	int r = sysfs_read_alloc(run->ctx, "proc/devices", &text);
	size_t n = strlen(name);

	*has = false;
	if (r < 0)
		return r;
	for (const char *l = text; l && *l && strncmp(l, "Block", 5);
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *w = l + strspn(l, " 0123456789");

		if (!strncmp(w, name, n) && (w[n] == '\n' || !w[n]))
			*has = true;
	}
	return 0;
}

int doc_check_cdev(struct doctor_run *run, struct ictl_check *c)
{
	struct doc_module ifd, vfio;
	bool has;
	int r;

	doc_read(c, "/dev/vfio/devices");
	doc_read(c, "/proc/devices");
	if (sysfs_exists(run->ctx, "dev/vfio/devices")) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "/dev/vfio/devices is there");
		return 0;
	}
	r = proc_devices_has(run, "vfio-dev", &has);
	if (r == -ENOMEM)
		return r;
	if (has) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "the kernel registers vfio-dev device numbers (CONFIG_VFIO_DEVICE_CDEV); a node appears in /dev/vfio/devices for each device on vfio-pci");
		return 0;
	}
	if (!have_iommufd(run, &ifd) && ifd.state != MOD_LOADABLE) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "they need iommufd (see iommufd)");
		return 0;
	}
	if (doc_have(run, r, DOC_CAPTURE_VERSION) == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the device number list (/proc/devices)");
		return 0;
	}
	doc_module(run, "vfio", &vfio);
	if (!doc_module_usable(&vfio)) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "vfio is not loaded, so /proc/devices cannot tell: %s", vfio.how);
		doc_fix(c, "modprobe vfio-pci, then run doctor again");
		return 0;
	}
	c->status = ICTL_CHECK_WARN;
	doc_found(c, "vfio is loaded and /proc/devices has no vfio-dev: the kernel is built without CONFIG_VFIO_DEVICE_CDEV, so iommufd cannot bind VFIO devices");
	doc_fix(c, "a kernel built with CONFIG_VFIO_DEVICE_CDEV=y");
	return 0;
}

int doc_check_container(struct doctor_run *run, struct ictl_check *c)
{
	struct doc_module t1, ifd, vfio;
	bool node = sysfs_exists(run->ctx, "dev/vfio/vfio");

	doc_read(c, "/dev/vfio/vfio");
	doc_module(run, "vfio_iommu_type1", &t1);
	read_module(c, "vfio_iommu_type1", &t1);
	if (node && (doc_module_usable(&t1) || t1.state == MOD_LOADABLE)) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "/dev/vfio/vfio is there; vfio_iommu_type1 %s: %s",
			  doc_module_state_name(t1.state), t1.how);
		return 0;
	}
	if (node && have_iommufd(run, &ifd)) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "/dev/vfio/vfio is there, without vfio_iommu_type1: iommufd's compatibility container (CONFIG_IOMMUFD_VFIO_CONTAINER) serves it");
		return 0;
	}
	doc_module(run, "vfio", &vfio);
	if (!node && !doc_module_usable(&vfio) && t1.state == MOD_LOADABLE) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "no /dev/vfio/vfio until vfio is loaded; vfio_iommu_type1 is loadable: %s", t1.how);
		return 0;
	}
	c->status = ICTL_CHECK_WARN;
	doc_found(c, "%s; vfio_iommu_type1 %s: %s; VMMs that use VFIO groups (QEMU without iommufd) need them",
		  node ? "/dev/vfio/vfio is there, with no backend" : "no /dev/vfio/vfio",
		  doc_module_state_name(t1.state), t1.how);
	doc_fix(c, "%s", t1.state == MOD_UNKNOWN ? "modprobe vfio-pci vfio_iommu_type1" :
		"a kernel built with CONFIG_VFIO_CONTAINER and CONFIG_VFIO_IOMMU_TYPE1, or CONFIG_IOMMUFD_VFIO_CONTAINER");
	return 0;
}
