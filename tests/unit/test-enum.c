// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enumeration of a small generated tree (bench/sysfs-tree.c): what the scans read
 * of every group and device, the reads of one group or one device's
 * neighbourhood, and the snapshot: read once, dropped by a write through the
 * context and by ictl_ctx_forget(); rows that cannot be read, kept with their error.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "internal.h"
#include "tap.h"
#include "tree.h"

#define NGROUPS 12

static bool device_is_as_written(const struct ictl_device *d, unsigned int g, unsigned int fn)
{
	static const uint16_t vendor[] = { 0x1b36, 0x8086, 0x1b36, 0x1234 };
	char name[16], path[64];

	tree_device_name(g, fn, name);
	snprintf(path, sizeof(path), "sys/devices/pci0000:00/%s", name);
	return !strcmp(d->name, name) && d->is_pci && !strcmp(d->bus, "pci") &&
	       d->vendor_id == vendor[fn] && d->group == (int)g && !strcmp(d->iommu, "dmar0") &&
	       !strcmp(d->driver, tree_driver(g, fn)) && !d->driver_override[0] &&
	       !!d->vfio_dev[0] == !strcmp(tree_driver(g, fn), "vfio-pci") && d->numa_node == -1 &&
	       d->boot_vga == ICTL_NO && d->path && !strcmp(d->path, path);
}

static void scans(struct ictl_ctx *ctx)
{
	struct ictl_group_list groups;
	struct ictl_device_list devs;
	struct ictl_blocker b[4];
	bool all = true;

	if (!is_int(ictl_groups_scan(ctx, &groups), 0, "the groups are scanned"))
		return;
	is_int((long long)groups.n, NGROUPS, "  ...%d of them", NGROUPS);
	for (size_t i = 0; i < groups.n; i++) {
		const struct ictl_group *g = &groups.v[i];

		all &= g->id == i && g->ndevices == 4 && !strcmp(g->type, "DMA-FQ") &&
		       !strcmp(g->iommu, "dmar0") && g->nresv == 1 &&
		       g->resv[0].start == 0xfee00000 && g->resv[0].end == 0xfeefffff &&
		       !strcmp(g->resv[0].kind, "msi");
	}
	ok(all, "  ...each with its 4 devices, type, unit and reserved region");
	if (!is_int(ictl_devices_scan(ctx, &devs), 0, "the devices are scanned")) {
		ictl_group_list_clear(&groups);
		return;
	}
	is_int((long long)devs.n, NGROUPS * 4, "  ...%d of them", NGROUPS * 4);
	all = devs.n == NGROUPS * 4;
	for (unsigned int i = 0; all && i < devs.n; i++)
		all &= device_is_as_written(&devs.v[i], i / 4, i % 4);
	ok(all, "  ...each with IDs, group, unit, driver, VFIO cdev, NUMA node and path as written");
	is_int(ictl_group_blockers(&groups.v[0], &devs, b, 4), 0, "group 0 (all on vfio-pci) is viable");
	is_int(ictl_group_blockers(&groups.v[1], &devs, b, 4), 2, "group 1 has two blockers");
	ok(!strcmp(b[0].device, "0000:01:01.0") && !strcmp(b[0].driver, "nvme") &&
	   !strcmp(b[1].device, "0000:01:01.1") && !strcmp(b[1].driver, "e1000e"),
	   "  ...its NVMe on nvme and its NIC on e1000e");
	ictl_device_list_clear(&devs);
	ictl_group_list_clear(&groups);
}

static void one_group(struct ictl_ctx *ctx)
{
	struct ictl_device_list l;
	bool all = true;
	int r;

	r = ictl_devices_scan_group(ctx, 5, &l);
	if (is_int(r, 0, "the members of group 5 are read") &&
	    is_int((long long)l.n, 4, "  ...4 of them")) {
		for (unsigned int fn = 0; fn < 4; fn++)
			all &= device_is_as_written(&l.v[fn], 5, fn);
		ok(all, "  ...in order, as written");
		ok(ictl_device_find(&l, "0000:01:05.3") == &l.v[3], "  ...and found by name");
	}
	ictl_device_list_clear(&l);
	r = ictl_devices_scan_near(ctx, "0000:01:07.2", &l);
	if (is_int(r, 0, "the neighbourhood of 0000:01:07.2 is read"))
		ok(l.n == 4 && device_is_as_written(&l.v[0], 7, 0) &&
		   device_is_as_written(&l.v[2], 7, 2), "  ...it is group 7");
	ictl_device_list_clear(&l);
	is_int(ictl_devices_scan_group(ctx, 99, &l), -ENOENT, "group 99 does not exist");
	is_str(ictl_strerror(ctx), "no IOMMU group 99 on this system (see 'iommuctl groups')",
	       "  ...and the message says so");
	is_int(ictl_devices_scan_near(ctx, "0000:0f:00.0", &l), -ENOENT,
	       "device 0000:0f:00.0 does not exist");
	is_str(ictl_strerror(ctx), "no device 0000:0f:00.0 on this system (see 'iommuctl devices')",
	       "  ...and the message says so");
}

/* Change a file behind the context's back, as another process would. */
static void set_type(const char *root, unsigned int g, const char *type)
{
	char p[64];

	snprintf(p, sizeof(p), "sys/kernel/iommu_groups/%u/type", g);
	tree_file(root, p, type);
}

static void snapshot(struct ictl_ctx *ctx, const char *root)
{
	struct ictl_group_list groups;
	struct ictl_device_list devs;
	struct ictl_device d;
	struct ictl_group g;
	int fd;

	set_type(root, 3, "identity\n");
	ictl_group_read(ctx, 3, &g);
	is_str(g.type, "identity", "without a snapshot, every read sees sysfs as it is now");
	ictl_group_clear(&g);

	ictl_ctx_snapshot(ctx, true);
	ictl_groups_scan(ctx, &groups);
	ictl_group_list_clear(&groups);
	set_type(root, 3, "DMA\n");
	ictl_group_read(ctx, 3, &g);
	is_str(g.type, "identity", "with a snapshot, a group is read once per command");
	ictl_group_clear(&g);
	ictl_groups_scan(ctx, &groups);
	ok(groups.n == NGROUPS && !strcmp(groups.v[3].type, "identity"),
	   "  ...and so are all of them");
	ictl_group_list_clear(&groups);
	ictl_ctx_forget(ctx);
	ictl_group_read(ctx, 3, &g);
	is_str(g.type, "DMA", "ictl_ctx_forget drops what was read");
	ictl_group_clear(&g);

	ictl_devices_scan(ctx, &devs);
	ictl_device_list_clear(&devs);
	tree_file(root, "sys/devices/pci0000:00/0000:01:02.1/driver_override", "vfio-pci\n");
	ictl_device_read(ctx, "0000:01:02.1", &d);
	is_str(d.driver_override, "", "with a snapshot, a device is read once per command");
	ictl_device_clear(&d);
	/* A write through the context (as a claim's driver_override) drops the snapshot. */
	fd = sysfs_open(ctx, "sys/devices/pci0000:00/0000:01:02.1/driver_override",
			O_WRONLY | O_TRUNC);
	ok(fd >= 0 && write(fd, "vfio-pci\n", 9) == 9, "a driver_override is written through the context");
	if (fd >= 0)
		close(fd);
	ictl_device_read(ctx, "0000:01:02.1", &d);
	is_str(d.driver_override, "vfio-pci", "  ...and the next read sees it, not the snapshot");
	ictl_device_clear(&d);
	ictl_devices_scan(ctx, &devs);
	ok(ictl_device_find(&devs, "0000:01:02.1") &&
	   !strcmp(ictl_device_find(&devs, "0000:01:02.1")->driver_override, "vfio-pci"),
	   "  ...nor does the next scan");
	ictl_device_list_clear(&devs);
	ictl_ctx_snapshot(ctx, false);
}

/*
 * Rows that cannot be read: group 4 without its devices/, device 0000:01:06.1 with
 * a vendor that is no number.  The scans keep them, with their errors, and every
 * other row as written; a read of that one group or device fails the same way,
 * with or without the snapshot.
 */
static void rows(struct ictl_ctx *ctx, const char *root)
{
	struct ictl_group_list groups;
	struct ictl_device_list devs, l;
	const struct ictl_device *bad;
	struct ictl_explain e;
	struct ictl_device d;
	struct ictl_group g;
	char p[PATH_MAX];
	bool all;

	snprintf(p, sizeof(p), "%s/sys/kernel/iommu_groups/4/devices", root);
	tree_remove(p);
	tree_file(root, "sys/devices/pci0000:00/0000:01:06.1/vendor", "nope\n");
	/* as written again (snapshot() changed it) */
	tree_file(root, "sys/devices/pci0000:00/0000:01:02.1/driver_override", "(null)\n");
	for (int snap = 0; snap < 2; snap++) {
		all = true;
		ictl_ctx_snapshot(ctx, snap);
		printf("# %s the snapshot\n", snap ? "with" : "without");
		if (!is_int(ictl_groups_scan(ctx, &groups), 0, "a group without devices/ does not fail the scan"))
			return;
		is_int((long long)groups.n, NGROUPS, "  ...every group is in it");
		for (size_t i = 0; i < groups.n; i++)
			all &= !groups.v[i].error == (i != 4) && groups.v[i].ndevices == (i == 4 ? 0 : 4);
		ok(all, "  ...group 4 with an error and no members, the others read");
		ok(groups.v[4].error && groups.v[4].error->err == -ENOENT &&
		   groups.v[4].error->kind == ICTL_ERR_DATA && !strcmp(groups.v[4].type, "DMA-FQ") &&
		   !strcmp(groups.v[4].error->msg,
			   "group 4: cannot list sys/kernel/iommu_groups/4/devices: No such file or directory"),
		   "  ...its error: ENOENT, damaged data, naming the directory; its type read");
		is_int(ictl_group_read(ctx, 4, &g), -ENOENT, "reading group 4 alone fails");
		ok(ictl_err_kind(ctx, -ENOENT) == ICTL_ERR_DATA &&
		   !strcmp(ictl_strerror(ctx), groups.v[4].error->msg), "  ...with the same error");
		is_int(ictl_devices_scan_group(ctx, 4, &l), -ENOENT, "  ...and so does the list of its members");
		is_int(ictl_group_read(ctx, 5, &g), 0, "group 5 reads");
		ictl_group_clear(&g);

		if (!is_int(ictl_devices_scan(ctx, &devs), 0, "a device without a vendor ID does not fail the scan")) {
			ictl_group_list_clear(&groups);
			return;
		}
		is_int((long long)devs.n, NGROUPS * 4, "  ...every device is in it");
		bad = ictl_device_find(&devs, "0000:01:06.1");
		ok(bad && bad->error && bad->error->err == -EINVAL && bad->error->kind == ICTL_ERR_DATA &&
		   strstr(bad->error->msg, "0000:01:06.1: cannot read vendor ID: ") &&
		   strstr(bad->error->msg, "0000:01:06.1/vendor: 'nope' is not a number"),
		   "  ...0000:01:06.1 with its error, naming the file");
		ok(bad && bad->group == 6 && bad->is_pci && bad->path,
		   "  ...and what could be read of it (group, place in the order, path)");
		all = true;
		for (unsigned int i = 0; i < devs.n; i++)
			all &= &devs.v[i] == bad || (!devs.v[i].error && device_is_as_written(&devs.v[i], i / 4, i % 4));
		ok(all, "  ...every other device as written");
		is_int(ictl_device_read(ctx, "0000:01:06.1", &d), -EINVAL, "reading 0000:01:06.1 alone fails");
		ok(bad && !strcmp(ictl_strerror(ctx), bad->error->msg), "  ...with the same error");
		is_int(ictl_devices_scan_group(ctx, 6, &l), -EINVAL, "  ...and so does the list of its group");
		is_int(ictl_group_read(ctx, 6, &g), 0, "its group reads");
		is_int(ictl_explain_group(ctx, &g, &devs, &e), -EINVAL,
		       "  ...but cannot be explained with a member the scan could not read");
		ok(bad && !strcmp(ictl_strerror(ctx), bad->error->msg), "  ...which names it");
		ictl_group_clear(&g);
		ictl_device_list_clear(&devs);
		ictl_group_list_clear(&groups);
	}
	ictl_ctx_snapshot(ctx, false);
}

/* A unit whose link leads nowhere: kept with its error, the other unit read. */
static void unit_rows(struct ictl_ctx *ctx, const char *root)
{
	struct ictl_unit_list units;
	const struct ictl_unit *bad, *good;

	tree_link(root, "sys/class/iommu/dmar9", "../../devices/virtual/iommu/dmar9");
	if (!is_int(ictl_units_scan(ctx, &units), 0, "a unit that leads nowhere does not fail the scan"))
		return;
	bad = ictl_unit_find(&units, "dmar9");
	good = ictl_unit_find(&units, "dmar0");
	ok(units.n == 2 && good && !good->error && good->ndevices == NGROUPS * 4,
	   "  ...dmar0 is read, with its devices");
	ok(bad && bad->error && bad->error->err == -ENOENT && bad->error->kind == ICTL_ERR_DATA &&
	   !bad->ndevices && !strcmp(ictl_unit_kind(bad), "unknown") &&
	   !strcmp(bad->error->msg,
		   "IOMMU unit dmar9: cannot resolve its sysfs directory sys/class/iommu/dmar9: No such file or directory"),
	   "  ...dmar9 with its error, naming the link, no devices");
	ictl_unit_list_clear(&units);
}

int main(void)
{
	char dir[256];
	struct ictl_ctx *ctx = NULL;

	if (!tree_tmpdir(dir, sizeof(dir)) || tree_write(dir, NGROUPS, 4) < 0) {
		printf("# cannot write a test tree under $TMPDIR\n");
		ok(false, "a test tree is written");
		return done_testing();
	}
	if (is_int(ictl_ctx_new(&ctx, dir), 0, "a context on the generated tree")) {
		scans(ctx);
		one_group(ctx);
		snapshot(ctx, dir);
		rows(ctx, dir);
		unit_rows(ctx, dir);
	}
	ictl_ctx_free(ctx);
	tree_remove(dir);
	return done_testing();
}
