// SPDX-License-Identifier: GPL-2.0-or-later
/* IOMMU units: /sys/class/iommu. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "vendor.h"

const char *ictl_unit_kind(const struct ictl_unit *u)
{
	return u->vendor->kind;
}

const char *ictl_unit_description(const struct ictl_unit *u)
{
	return u->vendor->description;
}

/* Binary search in name_cmp order, ties by strcmp (names equal but for leading zeros). */
const struct ictl_unit *ictl_unit_find(const struct ictl_unit_list *l, const char *name)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(l->v[mid].name, name);

		if (!c)
			c = strcmp(l->v[mid].name, name);
		if (!c)
			return &l->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void unit_clear(struct ictl_unit *u)
{
	free(u->path);
	free(u->devices);
	free(u->error);
	memset(u, 0, sizeof(*u));
}

void ictl_unit_list_clear(struct ictl_unit_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		unit_clear(&l->v[i]);
	free(l->v);
	*l = (struct ictl_unit_list){ 0 };
}

static int unit_read(struct ictl_ctx *ctx, const char *name, struct ictl_unit *u)
{
	_cleanup_strv_ struct strv devs = { 0 };
	char p[PATH_MAX];
	int r;

	str_copy(u->name, name, sizeof(u->name));
	u->vendor = &ictl_vendor_unknown;
	r = path_fmt(p, sizeof(p), "sys/class/iommu/%s", name);
	if (!r)
		r = sysfs_realpath(ctx, p, &u->path);
	/* A link into nothing is a damaged tree: the unit is a row with its error (the file named). */
	if (r < 0 && r != -ENOMEM)
		r = ictl_err_data(ctx, -r,
				  "IOMMU unit %s: cannot resolve its sysfs directory sys/class/iommu/%s: %s",
				  name, name, strerror(-r));
	if (r < 0)
		return r;
	u->vendor = ictl_vendor_for_unit(ctx, name, u->path);
	if (u->vendor->read_attrs)
		u->vendor->read_attrs(ctx, u);
	if (!path_fmt(p, sizeof(p), "%s/devices", u->path))
		sysfs_list(ctx, p, &devs);
	u->devices = calloc(devs.n ? devs.n : 1, sizeof(*u->devices));
	if (!u->devices)
		return -ENOMEM;
	strv_foreach(&devs, i)
		str_copy(u->devices[i], devs.v[i], ICTL_NAME_MAX);
	u->ndevices = devs.n;
	return 0;
}

int ictl_units_scan(struct ictl_ctx *ctx, struct ictl_unit_list *out)
{
	_cleanup_strv_ struct strv names = { 0 };
	int r;

	*out = (struct ictl_unit_list){ 0 };
	r = sysfs_list(ctx, "sys/class/iommu", &names);
	if (r == -ENOENT || (!r && !names.n))
		return ictl_err_no_iommu(ctx, "sys/class/iommu");
	if (r < 0)
		return ictl_err(ctx, -r, "cannot list sys/class/iommu: %s", strerror(-r));
	strv_foreach(&names, i) {
		struct ictl_unit *u = array_push(&out->v, &out->n, sizeof(*out->v));

		r = u ? unit_read(ctx, names.v[i], u) : -ENOMEM;
		if (r < 0 && u)
			r = row_error_keep(ctx, r, &u->error);
		if (r < 0) {
			ictl_unit_list_clear(out);
			return r;
		}
	}
	return 0;
}
