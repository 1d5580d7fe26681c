// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor, firmware: does the firmware describe an IOMMU to the kernel?
 *  - ACPI: DMAR (Intel VT-d), IVRS (AMD-Vi), IORT (Arm SMMU and ITS), VIOT
 *    (virtio-iommu), by name in /sys/firmware/acpi/tables (one file per table;
 *    their contents are not needed, and only root may read them);
 *  - device tree (arm64 and others without ACPI): nodes with "#iommu-cells",
 *    the property every IOMMU provider has (Documentation/devicetree/
 *    bindings/iommu/iommu.txt), and their "status".
 * Without such a table the kernel's IOMMU drivers never start, whatever the
 * command line says: the fix is in the firmware setup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "doctor-internal.h"

static const char acpi_dir[] = "sys/firmware/acpi/tables";

static int gather_acpi(struct doctor_run *run)
{
	_cleanup_strv_ struct strv t = { 0 };
	int r = sysfs_list(run->ctx, acpi_dir, &t);

	run->fw.acpi = doc_have(run, r, DOC_CAPTURE_VERSION);
	if (r == -ENOMEM)
		return r;
	strv_foreach(&t, i) {
		run->fw.dmar |= !strcmp(t.v[i], "DMAR");
		run->fw.ivrs |= !strcmp(t.v[i], "IVRS");
		run->fw.iort |= !strcmp(t.v[i], "IORT");
		run->fw.viot |= !strcmp(t.v[i], "VIOT");
	}
	return 0;
}

/* A node's "status" property: absent or "okay"/"ok" means enabled. */
static bool dt_node_enabled(struct doctor_run *run, const char *dir)
{
	char path[PATH_MAX], st[32];

	if (path_fmt(path, sizeof(path), "%s/status", dir) ||
	    sysfs_read_str(run->ctx, path, st, sizeof(st)) < 0)
		return true;
	return !strncmp(st, "ok", 2);
}

/* Walk the tree below dir for #iommu-cells; bounded in depth, as the tree is. */
static void dt_walk(struct doctor_run *run, const char *base, const char *rel, int depth)
{
	_cleanup_strv_ struct strv ents = { 0 };
	char dir[PATH_MAX], path[PATH_MAX];

	if (depth > 12 || path_fmt(dir, sizeof(dir), "%s%s%s", base, rel[0] ? "/" : "", rel) ||
	    sysfs_list(run->ctx, dir, &ents) < 0)
		return;
	if (!path_fmt(path, sizeof(path), "%s/#iommu-cells", dir) && sysfs_exists(run->ctx, path)) {
		size_t off = strlen(run->fw.dt_names);

		run->fw.dt_nodes++;
		if (!dt_node_enabled(run, dir))
			run->fw.dt_disabled++;
		if (off < sizeof(run->fw.dt_names))
			snprintf(run->fw.dt_names + off, sizeof(run->fw.dt_names) - off, "%s/%s%s",
				 off ? ", " : "", rel, dt_node_enabled(run, dir) ? "" : " (disabled)");
	}
	strv_foreach(&ents, i) {
		_cleanup_close_ int fd = -1;
		char sub[PATH_MAX];

		if (path_fmt(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", ents.v[i]) ||
		    path_fmt(path, sizeof(path), "%s/%s", dir, ents.v[i]))
			continue;
		fd = sysfs_open(run->ctx, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd >= 0)
			dt_walk(run, base, sub, depth + 1);
	}
}

static void gather_dt(struct doctor_run *run)
{
	static const char *const bases[] = { "sys/firmware/devicetree/base", "proc/device-tree" };

	run->fw.dt = doc_have(run, -ENOENT, DOC_CAPTURE_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		_cleanup_close_ int fd = sysfs_open(run->ctx, bases[i], O_RDONLY | O_DIRECTORY);

		if (fd < 0)
			continue;
		run->fw.dt = DOC_HAVE;
		run->fw.dt_path = bases[i];
		dt_walk(run, bases[i], "", 0);
		return;
	}
}

int doc_gather_firmware(struct doctor_run *run)
{
	int r = gather_acpi(run);

	if (!r)
		gather_dt(run);
	return r;
}

void doc_fix_firmware(struct doctor_run *run, struct ictl_check *c)
{
	if (run->hypervisor) {
		doc_fix_add(c, "this is a virtual machine: give it a virtual IOMMU (QEMU: -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on, with intel_iommu=on on the guest's kernel command line; or -device amd-iommu; or -device virtio-iommu-pci)");
		return;
	}
	if (doc_is_arm64(run)) {
		doc_fix_add(c, "boot with firmware that describes the SMMU: ACPI with an IORT table, or a device tree with the SMMU node enabled");
		return;
	}
	if (!doc_is_amd_cpu(run))
		doc_fix_add(c, "Intel: enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the firmware setup");
	if (!doc_is_intel_cpu(run))
		doc_fix_add(c, "AMD: enable the IOMMU (\"IOMMU\" or \"AMD-Vi\", often under AMD CBS > NBIO) in the firmware setup");
}

int doc_check_acpi(struct doctor_run *run, struct ictl_check *c)
{
	doc_read(c, "/sys/firmware/acpi/tables");
	if (run->fw.acpi == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the ACPI table list (/sys/firmware/acpi/tables)");
		return 0;
	}
	if (run->fw.acpi == DOC_ABSENT) {
		if (run->fw.dt == DOC_HAVE)
			return DOC_NOT_APPLICABLE; /* a device-tree boot: its own check */
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "no ACPI tables: the kernel shows none (no ACPI, or CONFIG_ACPI off)");
		return 0;
	}
	if (run->fw.dmar || run->fw.ivrs || run->fw.iort || run->fw.viot) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "%s%s%s%s", run->fw.dmar ? "DMAR (Intel VT-d) " : "",
			  run->fw.ivrs ? "IVRS (AMD-Vi) " : "", run->fw.iort ? "IORT (Arm SMMU/ITS) " : "",
			  run->fw.viot ? "VIOT (virtio-iommu) " : "");
		c->found[strlen(c->found) - 1] = '\0';
		return 0;
	}
	c->status = ICTL_CHECK_FAIL;
	doc_found(c, "no DMAR, IVRS, IORT or VIOT table: the firmware describes no IOMMU, so no IOMMU driver can start");
	doc_fix_firmware(run, c);
	return 0;
}

int doc_check_devicetree(struct doctor_run *run, struct ictl_check *c)
{
	if (run->fw.dt != DOC_HAVE && !(doc_is_arm64(run) && run->fw.acpi != DOC_HAVE))
		return DOC_NOT_APPLICABLE;
	doc_read(c, run->fw.dt_path ? (run->fw.dt_path[0] == 's' ? "/sys/firmware/devicetree/base" :
				       "/proc/device-tree") : "/sys/firmware/devicetree/base");
	if (run->fw.dt == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the device tree (/sys/firmware/devicetree/base)");
		return 0;
	}
	if (run->fw.dt == DOC_ABSENT) {
		c->status = ICTL_CHECK_FAIL;
		doc_found(c, "neither ACPI tables nor a device tree: nothing describes an IOMMU");
		doc_fix_firmware(run, c);
		return 0;
	}
	if (run->fw.dt_nodes > run->fw.dt_disabled) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "%u node%s with #iommu-cells: %s", run->fw.dt_nodes,
			  run->fw.dt_nodes == 1 ? "" : "s", run->fw.dt_names);
		return 0;
	}
	c->status = ICTL_CHECK_FAIL;
	if (run->fw.dt_nodes)
		doc_found(c, "every IOMMU node is disabled: %s", run->fw.dt_names);
	else
		doc_found(c, "no node with #iommu-cells: the device tree describes no IOMMU");
	doc_fix(c, "boot with a device tree that describes the SMMU and has status = \"okay\" on it (from the firmware or the boot loader)");
	return 0;
}
