// SPDX-License-Identifier: GPL-2.0-or-later
/* IOMMU groups: members, default domain type, reserved regions, VFIO viability. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"

/* One line: "0x00000000fee00000 0x00000000feefffff msi". */
static int parse_region(const char *line, struct ictl_resv_region *r)
{
	char kind[sizeof(r->kind)] = "";
	char *end;
	const char *p = line;

	if (strncmp(p, "0x", 2))
		return -1;
	errno = 0;
	r->start = strtoull(p, &end, 16);
	if (errno || end == p || *end != ' ')
		return -1;
	p = end + 1;
	if (strncmp(p, "0x", 2))
		return -1;
	r->end = strtoull(p, &end, 16);
	if (errno || end == p || *end != ' ' || r->end < r->start)
		return -1;
	p = end + 1;
	if (!*p || strlen(p) >= sizeof(kind) || strpbrk(p, " \t"))
		return -1;
	str_copy(kind, p, sizeof(kind));
	memcpy(r->kind, kind, sizeof(kind));
	return 0;
}

int ictl_parse_reserved_regions(struct ictl_ctx *ctx, const char *text,
				struct ictl_resv_region **out, size_t *n)
{
	struct ictl_resv_region *v = NULL;
	size_t count = 0, lineno = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];
		struct ictl_resv_region *slot;

		lineno++;
		if (len == 0) {
			p += nl ? 1 : 0;
			continue;
		}
		if (len >= sizeof(line))
			goto bad;
		memcpy(line, p, len);
		line[len] = '\0';
		slot = array_push(&v, &count, sizeof(*v));
		if (!slot) {
			free(v);
			return -ENOMEM;
		}
		if (parse_region(line, slot) < 0)
			goto bad;
		p += len + (nl ? 1 : 0);
	}
	*out = v;
	*n = count;
	return 0;
bad:
	free(v);
	return ictl_err(ctx, EINVAL,
			"reserved_regions line %zu is not 'START END TYPE' in hex: the kernel format changed or the capture is damaged",
			lineno);
}

static int read_resv(struct ictl_ctx *ctx, int dfd, struct ictl_group *g)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = sysfs_read_alloc_at(ctx, dfd, "reserved_regions", &text);
	/* Absent on kernels before 4.11: none known.  Unreadable: damaged, never "none". */
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return ictl_err_wrap(ctx, -r, "group %u: cannot read its reserved regions", g->id);
	r = ictl_parse_reserved_regions(ctx, text, &g->resv, &g->nresv);
	/* A reserved_regions that does not parse is damaged data, not a bad argument. */
	return r < 0 ? ictl_err_data(ctx, -r, "group %u: %s", g->id, ctx->err) : 0;
}

static int read_members(struct ictl_ctx *ctx, int dfd, struct ictl_group *g)
{
	_cleanup_strv_ struct strv members = { 0 };
	char p[PATH_MAX];
	int r = sysfs_list_at(ctx, dfd, "devices", &members);

	/* The group is there (its directory was opened): no devices/ is a damaged tree. */
	if (r < 0 && r != -ENOMEM)
		return ictl_err_data(ctx, -r,
				     "group %u: cannot list sys/kernel/iommu_groups/%u/devices: %s",
				     g->id, g->id, strerror(-r));
	if (r < 0)
		return r;
	g->devices = array_alloc(members.n, sizeof(*g->devices));
	if (!g->devices)
		return -ENOMEM;
	strv_foreach(&members, i) {
		str_copy(g->devices[i], members.v[i], ICTL_NAME_MAX);
		/* The member is a link out of the group's directory: through the root. */
		if (!g->iommu[0] &&
		    !path_fmt(p, sizeof(p), "sys/kernel/iommu_groups/%u/devices/%s/iommu", g->id,
			      members.v[i]))
			sysfs_link_base(ctx, p, g->iommu, sizeof(g->iommu));
	}
	g->ndevices = members.n;
	return 0;
}

int ictl_group_check(struct ictl_ctx *ctx, unsigned int id)
{
	_cleanup_strv_ struct strv any = { 0 };
	char dir[PATH_MAX];

	if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%u", id) < 0)
		return -ENAMETOOLONG;
	if (sysfs_exists(ctx, dir))
		return 0;
	/* No group at all is not a wrong number: the system has no IOMMU (exit 3). */
	if (sysfs_list(ctx, "sys/kernel/iommu_groups", &any) < 0 || !any.n)
		return ictl_err_no_iommu(ctx, "sys/kernel/iommu_groups");
	return ictl_err(ctx, ENOENT, "no IOMMU group %u on this system (see 'iommuctl groups')", id);
}

/* Read what can be read of group id into g; the first error, with g as far as it got. */
static int group_read_at(struct ictl_ctx *ctx, unsigned int id, struct ictl_group *g)
{
	_cleanup_close_ int dfd = -1;
	char dir[PATH_MAX];
	int r;

	memset(g, 0, sizeof(*g));
	g->id = id;
	if (path_fmt(dir, sizeof(dir), "sys/kernel/iommu_groups/%u", id) < 0)
		return -ENAMETOOLONG;
	dfd = sysfs_open(ctx, dir, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return ictl_group_check(ctx, id) ?:
		       ictl_err_data(ctx, -dfd, "group %u: %s: %s", id, dir, strerror(-dfd));
	sysfs_read_str_at(ctx, dfd, "type", g->type, sizeof(g->type));
	/* Members first: a row whose reserved regions cannot be read still names them. */
	r = read_members(ctx, dfd, g);
	return r < 0 ? r : read_resv(ctx, dfd, g);
}

int ictl_group_read(struct ictl_ctx *ctx, unsigned int id, struct ictl_group *g)
{
	int r = snap_group(ctx, id, g);

	if (r)
		return r < 0 ? r : 0;
	r = group_read_at(ctx, id, g);
	if (r < 0)
		ictl_group_clear(g);
	return r;
}

int ictl_groups_scan(struct ictl_ctx *ctx, struct ictl_group_list *out)
{
	_cleanup_strv_ struct strv ids = { 0 };
	int r = snap_groups(ctx, out);

	if (r)
		return r < 0 ? r : 0;
	*out = (struct ictl_group_list){ 0 };
	r = sysfs_list(ctx, "sys/kernel/iommu_groups", &ids);
	if (r == -ENOENT || (!r && !ids.n))
		return ictl_err_no_iommu(ctx, "sys/kernel/iommu_groups");
	if (r < 0)
		return ictl_err(ctx, -r, "cannot list sys/kernel/iommu_groups: %s", strerror(-r));
	strv_foreach(&ids, i) {
		struct ictl_group *g;
		unsigned int id;

		if (ictl_parse_group_id(ctx, ids.v[i], &id) < 0)
			continue;
		g = array_push(&out->v, &out->n, sizeof(*out->v));
		r = g ? group_read_at(ctx, id, g) : -ENOMEM;
		/* A group that cannot be read is a row with its error; the listing goes on. */
		if (r < 0 && g)
			r = row_error_keep(ctx, r, &g->error);
		if (r < 0) {
			ictl_group_list_clear(out);
			return r;
		}
	}
	snap_keep_groups(ctx, out);
	return 0;
}

/*
 * Drivers that set driver_managed_dma: they do not use the kernel's DMA API
 * and so do not stop userspace from owning the group.  vfio-pci's variant
 * drivers are named <vendor>_vfio_pci or <vendor>-vfio-pci.
 */
bool ictl_driver_is_dma_managed(const char *driver)
{
	static const char *const managed[] = { "vfio-pci", "pci-stub", "pcieport",
					       "vfio-platform", "vfio-amba", "vfio-fsl-mc",
					       "vfio-cdx" };

	if (!driver[0])
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(managed); i++) {
		if (!strcmp(driver, managed[i]))
			return true;
	}
	return strstr(driver, "_vfio_pci") || strstr(driver, "-vfio-pci");
}

int ictl_group_blockers(const struct ictl_group *g, const struct ictl_device_list *devs,
			struct ictl_blocker *b, size_t max)
{
	int n = 0;

	for (size_t i = 0; i < g->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(devs, g->devices[i]);

		if (!d || ictl_driver_is_dma_managed(d->driver))
			continue;
		if ((size_t)n < max) {
			str_copy(b[n].device, d->name, sizeof(b[n].device));
			str_copy(b[n].driver, d->driver, sizeof(b[n].driver));
		}
		n++;
	}
	return n;
}
