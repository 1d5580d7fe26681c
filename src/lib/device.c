// SPDX-License-Identifier: GPL-2.0-or-later
/* Devices: PCI devices, and the non-PCI members of IOMMU groups. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"

/* An optional ID: left as it is when unreadable or wider than 16 bits (never cut). */
static void read_hex16(struct ictl_ctx *ctx, int dfd, const char *attr, uint16_t *v)
{
	uint64_t x = 0;

	if (!sysfs_read_u64_at(ctx, dfd, attr, &x) && x <= UINT16_MAX)
		*v = (uint16_t)x;
}

static int read_pci_ids(struct ictl_ctx *ctx, int dfd, struct ictl_device *d)
{
	uint64_t x;
	int r = sysfs_read_u64_at(ctx, dfd, "vendor", &x);

	/* A damaged file names itself (ictl_err_data): keep that, and its kind. */
	if (r < 0 && ictl_err_kind(ctx, r) == ICTL_ERR_DATA)
		return ictl_err_wrap(ctx, -r, "%s: cannot read vendor ID", d->name);
	if (r < 0)
		return ictl_err(ctx, -r, "%s: cannot read vendor ID: %s", d->name, strerror(-r));
	if (x > UINT16_MAX)
		return ictl_err_data(ctx, EINVAL,
				     "%s: cannot read vendor ID: %s/%s/vendor: 0x%" PRIx64 " is wider than 16 bits: the tree is damaged",
				     d->name, ctx->live ? "" : ctx->root, d->path, x);
	d->vendor_id = (uint16_t)x;
	read_hex16(ctx, dfd, "device", &d->device_id);
	read_hex16(ctx, dfd, "subsystem_vendor", &d->subsys_vendor_id);
	read_hex16(ctx, dfd, "subsystem_device", &d->subsys_device_id);
	if (!sysfs_read_u64_at(ctx, dfd, "class", &x) && x <= 0xffffff)
		d->class_code = (uint32_t)x;
	if (!sysfs_read_u64_at(ctx, dfd, "revision", &x) && x <= UINT8_MAX)
		d->revision = (uint8_t)x;
	return 0;
}

/* What every device has: driver, IOMMU, group, VFIO cdev, NUMA node, boot display. */
static void read_common(struct ictl_ctx *ctx, int dfd, struct ictl_device *d)
{
	char buf[ICTL_NAME_MAX];
	struct strv vfio = { 0 };
	int v;

	sysfs_link_base_at(dfd, "driver", d->driver, sizeof(d->driver));
	if (!sysfs_read_str_at(ctx, dfd, "driver_override", d->driver_override,
			       sizeof(d->driver_override)) &&
	    !strcmp(d->driver_override, "(null)"))
		d->driver_override[0] = '\0';
	sysfs_link_base_at(dfd, "iommu", d->iommu, sizeof(d->iommu));
	if (!sysfs_link_base_at(dfd, "iommu_group", buf, sizeof(buf))) {
		unsigned int id;

		if (ictl_parse_group_id(ctx, buf, &id) == 0)
			d->group = (int)id;
		ctx->err[0] = '\0';
	}
	if (!sysfs_list_at(ctx, dfd, "vfio-dev", &vfio)) {
		if (vfio.n)
			str_copy(d->vfio_dev, vfio.v[0], sizeof(d->vfio_dev));
		strv_clear(&vfio);
	}
	if (!sysfs_read_int_at(ctx, dfd, "numa_node", &v))
		d->numa_node = v;
	if (!sysfs_read_int_at(ctx, dfd, "boot_vga", &v))
		d->boot_vga = v ? ICTL_YES : ICTL_NO;
	else if (d->is_pci)
		d->boot_vga = ICTL_NO;
}

/*
 * Read the device whose sysfs directory (or a symlink to it) is dir.  is_pci: the
 * PCI bus lists it (1), it does not (0), or find out (-1).  The directory is
 * opened once and every attribute read below it.  On an error, d holds what could
 * be read (its name and place in the order at least): a listing keeps it.
 */
static int device_read_at(struct ictl_ctx *ctx, const char *dir, const char *name, int is_pci,
			  struct ictl_device *d)
{
	_cleanup_close_ int dfd = sysfs_open(ctx, dir, O_PATH | O_DIRECTORY);
	char p[PATH_MAX];
	int r;

	memset(d, 0, sizeof(*d));
	d->group = -1;
	d->numa_node = -1;
	d->boot_vga = ICTL_UNKNOWN;
	str_copy(d->name, name, sizeof(d->name));
	/* A PCI device is one the PCI bus lists; captures may lack "subsystem". */
	if (is_pci < 0)
		is_pci = !path_fmt(p, sizeof(p), "sys/bus/pci/devices/%s", name) &&
			 sysfs_exists(ctx, p);
	d->is_pci = is_pci;
	if (d->is_pci && pci_name_addr(name, &d->addr) < 0)
		d->addr = (struct ictl_pci_addr){ 0 };

	r = dfd < 0 ? dfd : sysfs_fd_realpath(ctx, dfd, &d->path);
	/* Listed (its name was found) but not there: a link into nothing, a damaged tree. */
	if (r == -ENOENT)
		return ictl_err_data(ctx, ENOENT, "no device %s in %ssys: %s leads nowhere", name,
				     ctx->live ? "/" : ctx->root, dir);
	if (r < 0)
		return ictl_err(ctx, -r, "%s: %s", dir, strerror(-r));

	/* The bus of a device the PCI bus lists is "pci": its subsystem link says no more. */
	if (d->is_pci || sysfs_link_base_at(dfd, "subsystem", d->bus, sizeof(d->bus)))
		str_copy(d->bus, d->is_pci ? "pci" : "unknown", sizeof(d->bus));
	read_common(ctx, dfd, d);
	return d->is_pci ? read_pci_ids(ctx, dfd, d) : 0;
}

/* device_read_at for a read of this one device: nothing is left of it on an error. */
static int device_read_one(struct ictl_ctx *ctx, const char *dir, const char *name, int is_pci,
			   struct ictl_device *d)
{
	int r = device_read_at(ctx, dir, name, is_pci, d);

	if (r < 0)
		ictl_device_clear(d);
	return r;
}

int ictl_device_read(struct ictl_ctx *ctx, const char *name, struct ictl_device *d)
{
	char dir[PATH_MAX];
	struct strv groups = { 0 };
	int r;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return ictl_err(ctx, EINVAL, "invalid device name '%s'", name);
	r = snap_device(ctx, name, d);
	if (r)
		return r < 0 ? r : 0;
	r = path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", name);
	if (r < 0)
		return ictl_err(ctx, -r, "device name '%s' is too long", name);
	if (sysfs_exists(ctx, dir))
		return device_read_one(ctx, dir, name, 1, d);
	/* Not PCI: look for it among the members of the IOMMU groups. */
	if (sysfs_list(ctx, "sys/kernel/iommu_groups", &groups) == 0) {
		strv_foreach(&groups, i) {
			if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices/%s",
				     groups.v[i], name) == 0 &&
			    sysfs_exists(ctx, dir)) {
				strv_clear(&groups);
				return device_read_one(ctx, dir, name, 0, d);
			}
		}
		strv_clear(&groups);
	}
	return ictl_err(ctx, ENOENT, "no device %s on this system (see 'iommuctl devices')", name);
}

static int push_device(struct ictl_ctx *ctx, struct ictl_device_list *l, const char *dir,
		       const char *name, int is_pci)
{
	struct ictl_device d, *slot;
	int r = device_read_at(ctx, dir, name, is_pci, &d);

	/* A device that cannot be read is a row with its error; the listing goes on. */
	if (r < 0)
		r = row_error_keep(ctx, r, &d.error);
	if (r < 0) {
		ictl_device_clear(&d);
		return r;
	}
	slot = array_push(&l->v, &l->n, sizeof(*l->v));
	if (!slot) {
		ictl_device_clear(&d);
		return -ENOMEM;
	}
	*slot = d;
	return 0;
}

/* A member of a group, unless the PCI bus listed it: the first npci devices of out, sorted. */
static int add_member(struct ictl_ctx *ctx, struct ictl_device_list *out, size_t npci,
		      const char *group, const char *name)
{
	const struct ictl_device_list pci = { npci, out->v };
	char dir[PATH_MAX];
	int r;

	if (ictl_device_find(&pci, name))
		return 0;
	r = path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices/%s", group, name);
	return r < 0 ? r : push_device(ctx, out, dir, name, -1);
}

/*
 * Members of IOMMU groups that the PCI bus does not list (platform devices):
 * from the groups the snapshot holds, or by listing every group.
 */
static int scan_group_members(struct ictl_ctx *ctx, struct ictl_device_list *out, size_t npci)
{
	const struct ictl_group_list *snap = snap_group_list(ctx);
	_cleanup_strv_ struct strv groups = { 0 };
	char dir[PATH_MAX], id[16];
	int r = 0;

	for (size_t i = 0; snap && i < snap->n && !r; i++) {
		snprintf(id, sizeof(id), "%u", snap->v[i].id);
		for (size_t j = 0; j < snap->v[i].ndevices && !r; j++)
			r = add_member(ctx, out, npci, id, snap->v[i].devices[j]);
	}
	if (snap || sysfs_list(ctx, "sys/kernel/iommu_groups", &groups) < 0)
		return r;
	strv_foreach(&groups, i) {
		_cleanup_strv_ struct strv members = { 0 };

		if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%s/devices", groups.v[i]) ||
		    sysfs_list(ctx, dir, &members) < 0)
			continue;
		strv_foreach(&members, j) {
			r = add_member(ctx, out, npci, groups.v[i], members.v[j]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Sort, and keep one of devices read twice (a member of two groups in a damaged tree). */
static void sort_unique(struct ictl_device_list *l)
{
	size_t k = 0;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), device_order);
	for (size_t i = 0; i < l->n; i++) {
		if (k && !strcmp(l->v[k - 1].name, l->v[i].name)) {
			ictl_device_clear(&l->v[i]);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

int ictl_devices_scan(struct ictl_ctx *ctx, struct ictl_device_list *out)
{
	_cleanup_strv_ struct strv names = { 0 };
	char dir[PATH_MAX];
	int r;

	r = snap_devices(ctx, out);
	if (r)
		return r < 0 ? r : 0;
	*out = (struct ictl_device_list){ 0 };
	r = sysfs_list(ctx, "sys/bus/pci/devices", &names);
	if (r < 0 && r != -ENOENT)
		return ictl_err(ctx, -r, "cannot list %s/sys/bus/pci/devices: %s",
				ctx->live ? "" : ctx->root, strerror(-r));
	strv_foreach(&names, i) {
		r = path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", names.v[i]);
		if (!r)
			r = push_device(ctx, out, dir, names.v[i], 1);
		if (r < 0)
			goto fail;
	}
	sort_unique(out);
	r = scan_group_members(ctx, out, out->n);
	if (r < 0)
		goto fail;
	sort_unique(out);
	snap_keep_devices(ctx, out);
	return 0;
fail:
	ictl_device_list_clear(out);
	return r;
}

/* Member name of group id: read through the PCI bus when it lists it, else through the group. */
static int member_read(struct ictl_ctx *ctx, unsigned int id, const char *name,
		       struct ictl_device *d)
{
	char dir[PATH_MAX];
	int r = snap_device(ctx, name, d);

	if (r)
		return r < 0 ? r : 0;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return ictl_err(ctx, EINVAL, "invalid device name '%s'", name);
	if (path_fmt(dir, sizeof(dir), "sys/bus/pci/devices/%s", name) < 0)
		return ictl_err(ctx, ENAMETOOLONG, "device name '%s' is too long", name);
	if (sysfs_exists(ctx, dir))
		return device_read_one(ctx, dir, name, 1, d);
	if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%u/devices/%s", id, name) < 0)
		return ictl_err(ctx, ENAMETOOLONG, "device name '%s' is too long", name);
	return device_read_one(ctx, dir, name, 0, d);
}

int ictl_devices_scan_group(struct ictl_ctx *ctx, unsigned int id, struct ictl_device_list *out)
{
	struct ictl_group g;
	int r = ictl_group_read(ctx, id, &g);

	*out = (struct ictl_device_list){ 0 };
	if (r < 0)
		return r;
	for (size_t i = 0; i < g.ndevices && r >= 0; i++) {
		struct ictl_device *slot = array_push(&out->v, &out->n, sizeof(*out->v));

		r = slot ? member_read(ctx, id, g.devices[i], slot) : -ENOMEM;
		if (r < 0 && slot)
			out->n--;
	}
	ictl_group_clear(&g);
	if (r < 0) {
		ictl_device_list_clear(out);
		return r;
	}
	sort_unique(out);
	return 0;
}

int ictl_devices_scan_near(struct ictl_ctx *ctx, const char *name, struct ictl_device_list *out)
{
	struct ictl_device d, *slot;
	int r = ictl_device_read(ctx, name, &d);

	*out = (struct ictl_device_list){ 0 };
	if (r < 0)
		return r;
	if (d.group >= 0) {
		r = ictl_devices_scan_group(ctx, (unsigned int)d.group, out);
		if (r < 0 || ictl_device_find(out, name)) {
			ictl_device_clear(&d);
			return r;
		}
	}
	/* No group, or a group that does not list it (a damaged tree): the device alone. */
	slot = array_push(&out->v, &out->n, sizeof(*out->v));
	if (!slot) {
		ictl_device_clear(&d);
		ictl_device_list_clear(out);
		return -ENOMEM;
	}
	*slot = d;
	sort_unique(out);
	return 0;
}
