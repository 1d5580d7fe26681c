// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor, kernel: is an IOMMU driver active, what the command line asks of
 * it, the groups' default domain type, interrupt remapping and the
 * allow_unsafe_interrupts parameters that stand in for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "doctor-internal.h"

/*
 * Interrupt remapping, offline.  The kernel's "DMAR-IR: Enabled IRQ remapping"
 * and "AMD-Vi: Interrupt remapping enabled" are in the kernel log, which is
 * gone after a while and is not a file a capture can hold.  What stays is the
 * name of the interrupt chip of every interrupt in /proc/interrupts: an MSI
 * domain whose parent is an interrupt-remapping domain gets that parent's
 * prefix (msi_parent_ops.prefix: "IR-" for Intel's and AMD's remapping
 * domains, "ITS-" for the GICv3 ITS), so remapped MSIs show as
 * "IR-PCI-MSIX-0000:00:07.0", and the IO-APIC's as "IR-IO-APIC".  Exactly
 * those domains carry IRQ_DOMAIN_FLAG_ISOLATED_MSI, the flag VFIO and iommufd
 * test (msi_device_has_isolated_msi) before they accept a device.  So an IR-
 * or ITS- chip is the kernel's own statement that MSIs are isolated, and
 * MSI/IO-APIC chips without it mean they are not.  Intel's ecap register
 * (/sys/class/iommu/dmarN/intel-iommu/ecap, bit IR) says only that the
 * hardware could remap, not that the kernel does; AMD's EFR has no such bit.
 * The IOMMU's own fault interrupts (DMAR-MSI, AMD-Vi) are never remapped and
 * are left out.
 */
/* Which chip to show as the example: remapped before plain, an MSI before the IO-APIC. */
static int chip_rank(const char *chip)
{
	if (!chip[0])
		return 0;
	return 1 + 2 * (!strncmp(chip, "IR-", 3) || !strncmp(chip, "ITS-", 4)) +
	       !!strstr(chip, "MSI");
}

static void classify_chip(struct doc_irq *irq, const char *chip)
{
	bool msi = strstr(chip, "MSI") || strstr(chip, "IO-APIC");

	if (!strncmp(chip, "DMAR-", 5) || !strncmp(chip, "AMD-Vi", 6))
		return;
	if (!strncmp(chip, "IR-", 3))
		irq->remapped++;
	else if (!strncmp(chip, "ITS-", 4))
		irq->its++;
	else if (msi)
		irq->plain++;
	else
		return;
	if (chip_rank(chip) > chip_rank(irq->example))
		str_copy(irq->example, chip, sizeof(irq->example));
}

/* " 24:   1   0  IR-IO-APIC   5-edge  ttyS0": the chip follows the per-CPU counts. */
static void parse_interrupt_line(struct doc_irq *irq, char *l)
{
	char *tok, *save = NULL;

	l += strspn(l, " ");
	if (!(l[0] >= '0' && l[0] <= '9'))
		return;	/* the CPU header, NMI:, LOC:, ... */
	tok = strtok_r(l, " \t\n", &save);	/* "24:" */
	while ((tok = strtok_r(NULL, " \t\n", &save)) && strspn(tok, "0123456789") == strlen(tok))
		;
	if (tok)
		classify_chip(irq, tok);
}

/* Line by line: with hundreds of CPUs the file is megabytes long. */
static int gather_irq(struct doctor_run *run)
{
	int fd = sysfs_open(run->ctx, "proc/interrupts", O_RDONLY);
	size_t cap = 0;
	char *line = NULL;
	FILE *f;

	run->irq.have = doc_have(run, fd, DOC_CAPTURE_VERSION);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (getline(&line, &cap, f) > 0)
		parse_interrupt_line(&run->irq, line);
	free(line);
	fclose(f);
	return 0;
}

static int gather_units(struct doctor_run *run)
{
	int r = ictl_units_scan(run->ctx, &run->units);

	if (r == -ENOMEM)
		return r;
	for (size_t i = 0; i < run->units.n; i++) {
		if (strcmp(ictl_unit_kind(&run->units.v[i]), "selftest"))
			run->nhw_units++;
	}
	r = ictl_groups_scan(run->ctx, &run->groups);
	return r == -ENOMEM ? r : 0;
}

int doc_gather_kernel(struct doctor_run *run)
{
	int r = gather_units(run);

	if (!r)
		r = gather_irq(run);
	if (r)
		return r;
	doc_module_param(run, "vfio_iommu_type1", "allow_unsafe_interrupts", &run->unsafe_type1);
	doc_module_param(run, "iommufd", "allow_unsafe_interrupts", &run->unsafe_iommufd);
	return 0;
}

/* --- iommu: is a driver active ------------------------------------------------------------- */

static void list_units(struct doctor_run *run, struct ictl_check *c)
{
	char kinds[128] = "", names[256] = "";
	size_t ko = 0, no = 0;

	for (size_t i = 0; i < run->units.n; i++) {
		const struct ictl_unit *u = &run->units.v[i];

		if (!strcmp(ictl_unit_kind(u), "selftest"))
			continue;
		if (!u->error && !strstr(kinds, ictl_unit_description(u)) && ko < sizeof(kinds))
			ko += (size_t)snprintf(kinds + ko, sizeof(kinds) - ko, "%s%s", ko ? ", " : "",
					       ictl_unit_description(u));
		if (no < sizeof(names))
			no += (size_t)snprintf(names + no, sizeof(names) - no, "%s%s", no ? " " : "",
					       u->name);
	}
	doc_found(c, "%s: %s; %zu IOMMU group%s", kinds, names, run->groups.n,
		  run->groups.n == 1 ? "" : "s");
	/* A unit the scan kept with its error: said, and the check warns (the tree is damaged). */
	for (size_t i = 0; i < run->units.n; i++) {
		if (run->units.v[i].error) {
			doc_found_add(c, "%s", run->units.v[i].error->msg);
			c->status = ICTL_CHECK_WARN;
		}
	}
}

/* A bare-metal Intel (or unknown x86) machine whose command line lacks intel_iommu=on. */
static bool needs_intel_iommu_on(const struct doctor_run *run)
{
	return doc_is_x86(run) && !doc_is_amd_cpu(run) && !run->hypervisor &&
	       !doc_param_has(run, "intel_iommu", "on");
}

/* Why no IOMMU is active, and the fix, from the command line and the firmware. */
static void why_inactive(struct doctor_run *run, struct ictl_check *c)
{
	bool any_table = run->fw.dmar || run->fw.ivrs || run->fw.iort || run->fw.viot;

	if (doc_param_has(run, "intel_iommu", "off") || doc_param_has(run, "amd_iommu", "off") ||
	    doc_param_has(run, "iommu", "off")) {
		doc_found_add(c, "the kernel command line turns it off");
		doc_fix(c, "remove %s from the kernel command line %s",
			doc_param_has(run, "iommu", "off") ? "iommu=off" :
			doc_param_has(run, "intel_iommu", "off") ? "intel_iommu=off" : "amd_iommu=off",
			doc_grub_hint);
		return;
	}
	if (run->fw.acpi == DOC_HAVE && !any_table && run->fw.dt != DOC_HAVE) {
		doc_found_add(c, "the firmware describes no IOMMU (see acpi-tables)");
		doc_fix_firmware(run, c);
		if (needs_intel_iommu_on(run))
			doc_fix_add(c, "then add intel_iommu=on to the kernel command line %s", doc_grub_hint);
		return;
	}
	if (run->fw.dmar && !doc_param_has(run, "intel_iommu", "on")) {
		doc_found_add(c, "the firmware has a DMAR table, and the command line lacks intel_iommu=on (kernels built without CONFIG_INTEL_IOMMU_DEFAULT_ON leave VT-d off)");
		doc_fix(c, "add intel_iommu=on to the kernel command line %s", doc_grub_hint);
		return;
	}
	if (any_table) {
		doc_found_add(c, "the firmware describes one, but no driver took it: look for DMAR, AMD-Vi or SMMU errors in 'dmesg'");
		doc_fix(c, "a kernel with the IOMMU driver for this platform (CONFIG_INTEL_IOMMU, CONFIG_AMD_IOMMU, CONFIG_ARM_SMMU_V3, CONFIG_VIRTIO_IOMMU)");
		return;
	}
	doc_fix_firmware(run, c);
	if (needs_intel_iommu_on(run))
		doc_fix_add(c, "Intel: add intel_iommu=on to the kernel command line %s", doc_grub_hint);
}

int doc_check_iommu(struct doctor_run *run, struct ictl_check *c)
{
	doc_read(c, "/sys/class/iommu");
	doc_read(c, "/sys/kernel/iommu_groups");
	if (run->nhw_units && run->groups.n) {
		c->status = ICTL_CHECK_OK;
		list_units(run, c);
		return 0;
	}
	c->status = ICTL_CHECK_FAIL;
	if (run->nhw_units)
		doc_found(c, "an IOMMU unit is registered but has no groups: no device is translated");
	else
		doc_found(c, "no IOMMU is active");
	if (run->cmdline)
		doc_read(c, "/proc/cmdline");
	why_inactive(run, c);
	return 0;
}

/* --- the command line ------------------------------------------------------------------------ */

/* The parameters that matter for passthrough, as they appear on the command line. */
static const char *const cmdline_params[] = {
	"intel_iommu", "amd_iommu", "iommu", "iommu.passthrough", "iommu.strict", "intremap",
	"vfio_iommu_type1.allow_unsafe_interrupts", "iommufd.allow_unsafe_interrupts",
	"vfio_pci.ids", "pcie_acs_override", "default_hugepagesz", "hugepagesz", "hugepages",
};

/* The parameters that matter, in the order of the command line. */
static void list_params(struct doctor_run *run, struct ictl_check *c)
{
	char n[64], v[256];
	const char *p = run->cmdline;
	size_t off = 0;
	bool has_val;

	c->found[0] = '\0';
	while (p && (p = next_param_of(p, n, sizeof(n), v, sizeof(v), &has_val))) {
		size_t i = 0;

		while (i < ARRAY_SIZE(cmdline_params) && strcmp(n, cmdline_params[i]))
			i++;
		if (i < ARRAY_SIZE(cmdline_params) && off < sizeof(c->found))
			off += (size_t)snprintf(c->found + off, sizeof(c->found) - off, "%s%s%s%s",
						off ? " " : "", n, has_val ? "=" : "", v);
	}
	if (!off)
		doc_found(c, "none of intel_iommu=, amd_iommu=, iommu=, iommu.passthrough=, iommu.strict=, intremap=: the kernel's defaults apply");
}

/* Parameters that turn off what passthrough needs. */
static const struct {
	const char *name, *what;
} turns_off[] = {
	{ "intel_iommu", "VT-d" },
	{ "amd_iommu", "AMD-Vi" },
	{ "iommu", "every IOMMU" },
	{ "intremap", "interrupt remapping" },
};

int doc_check_cmdline(struct doctor_run *run, struct ictl_check *c)
{
	char v[64];

	doc_read(c, "/proc/cmdline");
	if (run->cmdline_have == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the kernel command line (/proc/cmdline)");
		return 0;
	}
	if (!run->cmdline) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "/proc/cmdline could not be read");
		return 0;
	}
	c->status = ICTL_CHECK_OK;
	list_params(run, c);
	if (doc_param_has(run, "amd_iommu", "on"))
		doc_found_add(c, "amd_iommu=on is not an option the kernel knows (it logs \"Unknown option\"); the AMD IOMMU is on by default");
	if (doc_param(run, "pcie_acs_override", v, sizeof(v))) {
		c->status = ICTL_CHECK_WARN;
		doc_found_add(c, "pcie_acs_override (an out-of-tree patch) makes the kernel split groups that the hardware does not isolate: devices can still reach each other by DMA");
		doc_fix(c, "remove pcie_acs_override= and pass whole groups, or move the card below a port with ACS");
	}
	for (size_t i = 0; i < ARRAY_SIZE(turns_off); i++) {
		if (!doc_param_has(run, turns_off[i].name, "off"))
			continue;
		c->status = ICTL_CHECK_FAIL;
		doc_found_add(c, "%s=off turns %s off", turns_off[i].name, turns_off[i].what);
		doc_fix_add(c, "remove %s=off from the kernel command line %s", turns_off[i].name,
			    doc_grub_hint);
	}
	return 0;
}

/* --- default domain type ----------------------------------------------------------------------- */

int doc_check_domains(struct doctor_run *run, struct ictl_check *c)
{
	static const char *const types[] = { "DMA-FQ", "DMA", "identity", "blocked", "unmanaged" };
	size_t n[ARRAY_SIZE(types) + 1] = { 0 }, off = 0;

	doc_read(c, "/sys/kernel/iommu_groups/*/type");
	if (!run->groups.n) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "no IOMMU groups (see iommu)");
		return 0;
	}
	for (size_t i = 0; i < run->groups.n; i++) {
		size_t t = 0;

		while (t < ARRAY_SIZE(types) && strcmp(run->groups.v[i].type, types[t]))
			t++;
		n[t]++;
	}
	for (size_t t = 0; t <= ARRAY_SIZE(types); t++) {
		if (n[t] && off < sizeof(c->found))
			off += (size_t)snprintf(c->found + off, sizeof(c->found) - off, "%s%s %zu",
						off ? ", " : "", t < ARRAY_SIZE(types) ? types[t] : "other", n[t]);
	}
	c->status = ICTL_CHECK_OK;
	if (n[2])
		doc_found_add(c, "identity: DMA of host drivers in those groups is not translated (%s); VFIO gives a group it takes a translated domain of its own, so passthrough is not affected",
			      doc_param_has(run, "iommu", "pt") ? "iommu=pt" :
			      doc_param_true(run, "iommu.passthrough") ? "iommu.passthrough=1" :
			      "the kernel's or the driver's choice");
	if (n[0])
		doc_found_add(c, "DMA-FQ: translated, IOTLB flushed lazily");
	if (n[1])
		doc_found_add(c, "DMA: translated, IOTLB flushed at every unmap%s",
			      doc_param_true(run, "iommu.strict") ? " (iommu.strict=1)" : "");
	return 0;
}

/* --- interrupt remapping ------------------------------------------------------------------------ */

static bool unsafe_allowed(const struct doctor_run *run)
{
	return run->unsafe_type1.v == ICTL_YES || run->unsafe_iommufd.v == ICTL_YES;
}

static bool have_kind(const struct doctor_run *run, const char *kind)
{
	for (size_t i = 0; i < run->units.n; i++) {
		if (!strcmp(ictl_unit_kind(&run->units.v[i]), kind))
			return true;
	}
	return false;
}

/*
 * AMD-Vi turns interrupt remapping off when the IVRS table names no southbridge
 * IOAPIC (an IVHD special entry whose device is the FCH's SMBus or ISA bridge):
 * the kernel logs "[Firmware Bug]: No southbridge IOAPIC found".  QEMU's
 * amd-iommu on q35 is such a case.
 */
static const char amd_sb_ioapic[] =
	"AMD-Vi turns remapping off when the firmware's IVRS table names no southbridge IOAPIC (dmesg: \"No southbridge IOAPIC found\")";

static void irq_off_fix(struct doctor_run *run, struct ictl_check *c)
{
	if (doc_param_has(run, "intremap", "off"))
		doc_fix(c, "remove intremap=off from the kernel command line %s", doc_grub_hint);
	else if (have_kind(run, "virtio-iommu"))
		doc_fix(c, "virtio-iommu does not remap interrupts: give the VM an intel-iommu (intremap=on, with -machine kernel-irqchip=split) instead");
	else if (have_kind(run, "amd-vi") && run->hypervisor)
		doc_fix(c, "%s, as QEMU's amd-iommu on q35 does: give the VM an intel-iommu (intremap=on, with -machine kernel-irqchip=split) instead",
			amd_sb_ioapic);
	else if (have_kind(run, "amd-vi"))
		doc_fix(c, "%s: update the firmware, or name the IOAPIC with ivrs_ioapic=ID@SEG:BUS:DEV.FN on the kernel command line (its ID from dmesg's IOAPIC lines)",
			amd_sb_ioapic);
	else if (run->hypervisor)
		doc_fix(c, "give the VM's IOMMU interrupt remapping (QEMU: -device intel-iommu,intremap=on with -machine q35,kernel-irqchip=split)");
	else if (doc_is_arm64(run))
		doc_fix(c, "MSIs must go through a GICv3 ITS (firmware: describe the ITS in IORT or the device tree); a GICv2m does not isolate them");
	else
		doc_fix(c, "enable interrupt remapping and x2APIC in the firmware setup (often next to VT-d or the IOMMU option)");
	if (!unsafe_allowed(run))
		doc_fix_add(c, "or, accepting the risk, vfio_iommu_type1.allow_unsafe_interrupts=1 and iommufd.allow_unsafe_interrupts=1 on the kernel command line");
}

int doc_check_irq_remap(struct doctor_run *run, struct ictl_check *c)
{
	doc_read(c, "/proc/interrupts");
	if (run->irq.have == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the interrupt list (/proc/interrupts)");
		return 0;
	}
	if (!run->nhw_units) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "no IOMMU is active (see iommu)");
		return 0;
	}
	if (run->irq.remapped || run->irq.its) {
		c->status = ICTL_CHECK_OK;
		doc_found(c, "on: %u interrupt%s through a %s domain (%s): MSIs are isolated",
			  run->irq.remapped + run->irq.its, run->irq.remapped + run->irq.its == 1 ? "" : "s",
			  run->irq.remapped ? "remapping" : "GICv3 ITS", run->irq.example);
		return 0;
	}
	if (!run->irq.plain) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "%s", run->irq.have == DOC_HAVE ?
			  "no MSI or IO-APIC interrupt in /proc/interrupts to tell by" :
			  "/proc/interrupts could not be read");
		return 0;
	}
	doc_found(c, "off: %u interrupt%s without remapping (%s): a device can raise any interrupt by a DMA write to the MSI address",
		  run->irq.plain, run->irq.plain == 1 ? "" : "s", run->irq.example);
	if (doc_param_has(run, "intremap", "off")) {
		doc_read(c, "/proc/cmdline");
		doc_found_add(c, "intremap=off is on the command line");
	}
	c->status = unsafe_allowed(run) ? ICTL_CHECK_WARN : ICTL_CHECK_FAIL;
	if (unsafe_allowed(run))
		doc_found_add(c, "VFIO accepts devices anyway: allow_unsafe_interrupts is set (see unsafe-interrupts)");
	else
		doc_found_add(c, "VFIO and iommufd refuse every device (EPERM) until it is fixed");
	irq_off_fix(run, c);
	return 0;
}

/* --- allow_unsafe_interrupts ------------------------------------------------------------------------ */

int doc_check_unsafe(struct doctor_run *run, struct ictl_check *c)
{
	bool remapped = run->irq.remapped || run->irq.its;

	doc_read(c, "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts");
	doc_read(c, "/sys/module/iommufd/parameters/allow_unsafe_interrupts");
	doc_found(c, "vfio_iommu_type1: %s, iommufd: %s", run->unsafe_type1.label,
		  run->unsafe_iommufd.label);
	if (!unsafe_allowed(run)) {
		c->status = ICTL_CHECK_OK;
		doc_found_add(c, "VFIO takes only devices whose MSIs the platform isolates");
		return 0;
	}
	c->status = ICTL_CHECK_WARN;
	if (run->unsafe_type1.from_cmdline || run->unsafe_iommufd.from_cmdline)
		doc_read(c, "/proc/cmdline");
	doc_found_add(c, "set: VFIO takes devices whose MSIs are not isolated, and a guest can then make its device write to the MSI address and raise interrupts on the host (interrupt injection, denial of service)");
	if (remapped) {
		doc_found_add(c, "not needed: interrupt remapping is on");
		doc_fix(c, "remove allow_unsafe_interrupts=1 from the kernel command line and /etc/modprobe.d, and reboot");
	} else {
		doc_fix(c, "enable interrupt remapping (see interrupt-remapping), then remove allow_unsafe_interrupts=1");
	}
	return 0;
}
