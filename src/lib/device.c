// SPDX-License-Identifier: GPL-2.0-or-later
/* Devices: PCI devices, and the non-PCI members of IOMMU groups. */
#include <errno.h>
#include <string.h>

#include "internal.h"

bool ictl_device_is_bridge(const struct ictl_device *d)
{
	return d->is_pci && (d->class_code >> 16) == 0x06 &&
	       ((d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0609 ||
		(d->class_code >> 8) == 0x0600);
}

void ictl_device_clear(struct ictl_device *d)
{
	free(d->path);
	d->path = NULL;
}

static void read_hex16(struct ictl_ctx *ctx, const char *dir, const char *attr, uint16_t *v)
{
	char p[PATH_MAX];
	uint64_t x = 0;

	if (!path_fmt(p, sizeof(p), "%s/%s", dir, attr) && !sysfs_read_u64(ctx, p, &x))
		*v = (uint16_t)x;
}

static int read_pci_ids(struct ictl_ctx *ctx, const char *dir, struct ictl_device *d)
{
	char p[PATH_MAX];
	uint64_t x;
	int r;

	r = path_fmt(p, sizeof(p), "%s/vendor", dir);
	if (!r)
		r = sysfs_read_u64(ctx, p, &x);
	if (r < 0)
		return ictl_err(ctx, -r, "%s: cannot read vendor ID: %s", d->name, strerror(-r));
	d->vendor_id = (uint16_t)x;
	read_hex16(ctx, dir, "device", &d->device_id);
	read_hex16(ctx, dir, "subsystem_vendor", &d->subsys_vendor_id);
	read_hex16(ctx, dir, "subsystem_device", &d->subsys_device_id);
	if (!path_fmt(p, sizeof(p), "%s/class", dir) && !sysfs_read_u64(ctx, p, &x))
		d->class_code = (uint32_t)x;
	if (!path_fmt(p, sizeof(p), "%s/revision", dir) && !sysfs_read_u64(ctx, p, &x))
		d->revision = (uint8_t)x;
	return 0;
}

/* Read the device whose sysfs directory (or a symlink to it) is dir. */
static int device_read_at(struct ictl_ctx *ctx, const char *dir, const char *name,
			  struct ictl_device *d)
{
	char p[PATH_MAX], buf[ICTL_NAME_MAX];
	struct ictl_pci_addr addr;
	struct strv vfio = { 0 };
	int r, v;

	memset(d, 0, sizeof(*d));
	d->group = -1;
	d->numa_node = -1;
	d->boot_vga = ICTL_UNKNOWN;
	str_copy(d->name, name, sizeof(d->name));

	r = sysfs_realpath(ctx, dir, &d->path);
	if (r == -ENOENT)
		return ictl_err(ctx, ENOENT, "no device %s in %ssys", name, ctx->live ? "/" : ctx->root);
	if (r < 0)
		return ictl_err(ctx, -r, "%s: %s", dir, strerror(-r));

	/* A PCI device is one the PCI bus lists; captures may lack "subsystem". */
	if (!path_fmt(p, sizeof(p), "sys/bus/pci/devices/%s", name))
		d->is_pci = sysfs_exists(ctx, p);
	if (path_fmt(p, sizeof(p), "%s/subsystem", dir) ||
	    sysfs_link_base(ctx, p, d->bus, sizeof(d->bus)))
		str_copy(d->bus, d->is_pci ? "pci" : "unknown", sizeof(d->bus));
	if (d->is_pci) {
		if (ictl_parse_pci_name(ctx, name, &addr, buf) == 0)
			d->addr = addr;
		r = read_pci_ids(ctx, dir, d);
		if (r < 0) {
			ictl_device_clear(d);
			return r;
		}
	}
	if (!path_fmt(p, sizeof(p), "%s/driver", dir))
		sysfs_link_base(ctx, p, d->driver, sizeof(d->driver));
	if (!path_fmt(p, sizeof(p), "%s/driver_override", dir) &&
	    !sysfs_read_str(ctx, p, d->driver_override, sizeof(d->driver_override)) &&
	    !strcmp(d->driver_override, "(null)"))
		d->driver_override[0] = '\0';
	if (!path_fmt(p, sizeof(p), "%s/iommu", dir))
		sysfs_link_base(ctx, p, d->iommu, sizeof(d->iommu));
	if (!path_fmt(p, sizeof(p), "%s/iommu_group", dir) &&
	    !sysfs_link_base(ctx, p, buf, sizeof(buf))) {
		unsigned int id;

		if (ictl_parse_group_id(ctx, buf, &id) == 0)
			d->group = (int)id;
		ctx->err[0] = '\0';
	}
	if (!path_fmt(p, sizeof(p), "%s/vfio-dev", dir) && !sysfs_list(ctx, p, &vfio)) {
		if (vfio.n)
			str_copy(d->vfio_dev, vfio.v[0], sizeof(d->vfio_dev));
		strv_clear(&vfio);
	}
	if (!path_fmt(p, sizeof(p), "%s/numa_node", dir) && !sysfs_read_int(ctx, p, &v))
		d->numa_node = v;
	if (!path_fmt(p, sizeof(p), "%s/boot_vga", dir) && !sysfs_read_int(ctx, p, &v))
		d->boot_vga = v ? ICTL_YES : ICTL_NO;
	else if (d->is_pci)
		d->boot_vga = ICTL_NO;
	return 0;
}

int ictl_device_read(struct ictl_ctx *ctx, const char *name, struct ictl_device *d)
{
	char dir[PATH_MAX];
	struct strv groups = { 0 };
	int r;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return ictl_err(ctx, EINVAL, "invalid device name '%s'", name);
	r = path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", name);
	if (r < 0)
		return ictl_err(ctx, -r, "device name '%s' is too long", name);
	if (sysfs_exists(ctx, dir))
		return device_read_at(ctx, dir, name, d);
	/* Not PCI: look for it among the members of the IOMMU groups. */
	if (sysfs_list(ctx, "sys/kernel/iommu_groups", &groups) == 0) {
		strv_foreach(&groups, i) {
			if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices/%s",
				     groups.v[i], name) == 0 &&
			    sysfs_exists(ctx, dir)) {
				strv_clear(&groups);
				return device_read_at(ctx, dir, name, d);
			}
		}
		strv_clear(&groups);
	}
	return ictl_err(ctx, ENOENT, "no device %s on this system (see 'iommuctl devices')", name);
}

void ictl_device_list_clear(struct ictl_device_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ictl_device_clear(&l->v[i]);
	free(l->v);
	*l = (struct ictl_device_list){ 0 };
}

const struct ictl_device *ictl_device_find(const struct ictl_device_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	}
	return NULL;
}

static int push_device(struct ictl_ctx *ctx, struct ictl_device_list *l, const char *dir,
		       const char *name)
{
	struct ictl_device d, *slot;
	int r = device_read_at(ctx, dir, name, &d);

	if (r < 0)
		return r;
	slot = array_push(&l->v, &l->n, sizeof(*l->v));
	if (!slot) {
		ictl_device_clear(&d);
		return -ENOMEM;
	}
	*slot = d;
	return 0;
}

static int cmp_devices(const void *a, const void *b)
{
	const struct ictl_device *x = a, *y = b;

	if (x->is_pci != y->is_pci)
		return x->is_pci ? -1 : 1;
	if (x->is_pci) {
		uint64_t ka = (uint64_t)x->addr.domain << 16 | x->addr.bus << 8 | x->addr.dev << 3 |
			      x->addr.fn;
		uint64_t kb = (uint64_t)y->addr.domain << 16 | y->addr.bus << 8 | y->addr.dev << 3 |
			      y->addr.fn;

		return ka < kb ? -1 : ka > kb;
	}
	return name_cmp(x->name, y->name);
}

static int scan_group_members(struct ictl_ctx *ctx, struct ictl_device_list *out)
{
	_cleanup_strv_ struct strv groups = { 0 };
	char dir[PATH_MAX];
	int r;

	if (sysfs_list(ctx, "sys/kernel/iommu_groups", &groups) < 0)
		return 0;
	strv_foreach(&groups, i) {
		_cleanup_strv_ struct strv members = { 0 };

		if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices", groups.v[i]) ||
		    sysfs_list(ctx, dir, &members) < 0)
			continue;
		strv_foreach(&members, j) {
			if (ictl_device_find(out, members.v[j]))
				continue;
			r = path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices/%s",
				     groups.v[i], members.v[j]);
			if (!r)
				r = push_device(ctx, out, dir, members.v[j]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ictl_devices_scan(struct ictl_ctx *ctx, struct ictl_device_list *out)
{
	_cleanup_strv_ struct strv names = { 0 };
	char dir[PATH_MAX];
	int r;

	*out = (struct ictl_device_list){ 0 };
	r = sysfs_list(ctx, "sys/bus/pci/devices", &names);
	if (r < 0 && r != -ENOENT)
		return ictl_err(ctx, -r, "cannot list %s/sys/bus/pci/devices: %s",
				ctx->live ? "" : ctx->root, strerror(-r));
	strv_foreach(&names, i) {
		r = path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", names.v[i]);
		if (!r)
			r = push_device(ctx, out, dir, names.v[i]);
		if (r < 0)
			goto fail;
	}
	r = scan_group_members(ctx, out);
	if (r < 0)
		goto fail;
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_devices);
	return 0;
fail:
	ictl_device_list_clear(out);
	return r;
}
