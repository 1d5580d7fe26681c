// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor (src/lib/doctor*.c): sizes, and each check's verdict on small
 * system trees built here, the way a capture of capture-sysfs version 2 (or
 * 1, for "not captured") lays them out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static char root[PATH_MAX];

/* Write root/path with text, creating its directories. */
static void put(const char *path, const char *text)
{
	char full[PATH_MAX * 2];
	int fd;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	for (char *s = strchr(full + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(full, 0755);
		*s = '/';
	}
	if (path[strlen(path) - 1] == '/')
		return;
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("# cannot write %s\n", full);
	if (fd >= 0)
		close(fd);
}

static void link_at(const char *path, const char *target)
{
	char full[PATH_MAX * 2];

	snprintf(full, sizeof(full), "%s/%s", root, path);
	unlink(full);
	if (symlink(target, full))
		printf("# cannot link %s\n", full);
}

/* Remove root/path, file or tree. */
static void rm_rel(const char *path)
{
	char cmd[PATH_MAX * 2 + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", root, path);
	if (system(cmd))
		printf("# cannot remove %s\n", path);
}

static void rm_tree(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (root[0] && system(cmd))
		printf("# cannot remove %s\n", root);
}

/* An Intel machine with one VT-d unit and one group, captured by capture-sysfs 2. */
static void base_tree(int version)
{
	char info[128];

	rm_tree();
	snprintf(root, sizeof(root), "%s/test-doctor.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(root))
		printf("# mkdtemp failed\n");
	snprintf(info, sizeof(info), "capture-sysfs-version: %d\nkernel: 6.1.0-test\nmachine: x86_64\n",
		 version);
	put("CAPTURE-INFO", info);
	put("sys/devices/virtual/iommu/dmar0/intel-iommu/cap", "d2008c40660462\n");
	put("sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f050da\n");
	put("sys/class/iommu/", "");
	link_at("sys/class/iommu/dmar0", "../../devices/virtual/iommu/dmar0");
	put("sys/kernel/iommu_groups/0/type", "DMA-FQ\n");
	put("sys/kernel/iommu_groups/0/devices/.keep", "");
	put("sys/bus/pci/devices/.keep", "");
	put("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n");
	put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme\n\n");
	if (version < 2)
		return;
	put("proc/sys/kernel/osrelease", "6.1.0-test\n");
	put("sys/firmware/acpi/tables/APIC", "");
	put("sys/firmware/acpi/tables/DMAR", "");
	put("proc/interrupts", "           CPU0       CPU1\n"
	    "  0:         44          0  IR-IO-APIC    2-edge      timer\n"
	    " 24:          0          0  DMAR-MSI    0-edge      dmar0\n"
	    " 25:       1234          0  IR-PCI-MSIX-0000:00:07.0    0-edge      virtio0-config\n"
	    "NMI:          0          0   Non-maskable interrupts\n");
	put("proc/modules", "vfio_pci 16384 0 - Live 0x0000000000000000\n"
	    "vfio_iommu_type1 45056 0 - Live 0x0000000000000000\n");
	put("proc/devices", "Character devices:\n  1 mem\n238 vfio-dev\n239 vfio\n\nBlock devices:\n  8 sd\n");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	put("lib/modules/6.1.0-test/modules.dep",
	    "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n"
	    "kernel/drivers/iommu/iommufd/iommufd.ko.xz:\n");
	put("lib/modules/6.1.0-test/modules.builtin", "kernel/drivers/iommu/intel/iommu.ko\n");
	put("dev/vfio/vfio", "");
	put("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
	    "Max locked memory         8388608              8388608              bytes     \n");
	put("proc/self/status", "Name:\tcat\nCapEff:\t0000000000000000\n");
	put("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "1024\n");
	put("sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1000\n");
}

struct result {
	struct ictl_doctor d;
	int r;
};

static void run(struct result *res, uint64_t memory, const char *user, const char *target)
{
	struct ictl_doctor_opts o = { .memory = memory, .user = user, .targets = &target,
				      .ntargets = target ? 1 : 0 };
	struct ictl_ctx *ctx;

	ictl_ctx_new(&ctx, root);
	res->r = ictl_doctor_run(ctx, &o, &res->d);
	ictl_ctx_free(ctx);
}

static const struct ictl_check *find(const struct result *res, const char *id)
{
	for (size_t i = 0; i < res->d.nchecks; i++) {
		if (!strcmp(res->d.checks[i].id, id))
			return &res->d.checks[i];
	}
	return NULL;
}

/* The status of a check by id, as a name ("absent" when it was not listed). */
static const char *status(const struct result *res, const char *id)
{
	const struct ictl_check *c = find(res, id);

	return c ? ictl_check_status_name(c->status) : "absent";
}

static bool found_has(const struct result *res, const char *id, const char *text)
{
	const struct ictl_check *c = find(res, id);

	if (c && strstr(c->found, text))
		return true;
	printf("#   %s found: %s\n", id, c ? c->found : "(no such check)");
	return false;
}

static bool fix_has(const struct result *res, const char *id, const char *text)
{
	const struct ictl_check *c = find(res, id);

	if (c && strstr(c->fix, text))
		return true;
	printf("#   %s fix: %s\n", id, c ? c->fix : "(no such check)");
	return false;
}

static void sizes(void)
{
	static const struct {
		const char *in;
		uint64_t bytes;
	} good[] = {
		{ "1024", 1024 }, { "4K", 4096 }, { "4KB", 4096 }, { "512M", 512ull << 20 },
		{ "512MiB", 512ull << 20 }, { "16G", 16ull << 30 }, { "16g", 16ull << 30 },
		{ "1T", 1ull << 40 },
	};
	static const char *const bad[] = { "", "0", "-1", "16X", "G", "1.5G", "16GG",
					   "99999999999999T", " 1G" };
	struct ictl_ctx *ctx;
	char buf[32];
	uint64_t v;

	ictl_ctx_new(&ctx, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0;
		is_int(ictl_parse_size(ctx, good[i].in, &v), 0, "size '%s' is accepted", good[i].in);
		is_int((long long)v, (long long)good[i].bytes, "  ...as %llu bytes",
		       (unsigned long long)good[i].bytes);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(ictl_parse_size(ctx, bad[i], &v), -EINVAL, "size '%s' is refused", bad[i]);
	ictl_ctx_free(ctx);
	is_str(ictl_size_str(8388608, buf, sizeof(buf)), "8 MiB", "8388608 bytes is 8 MiB");
	is_str(ictl_size_str(1536ull << 20, buf, sizeof(buf)), "1.5 GiB", "1536 MiB is 1.5 GiB");
	is_str(ictl_size_str(100, buf, sizeof(buf)), "100 bytes", "100 bytes");
	is_str(ictl_size_str(UINT64_MAX, buf, sizeof(buf)), "unlimited", "the largest is unlimited");
}

static void ready_intel(void)
{
	struct result res;

	base_tree(2);
	run(&res, 0, NULL, NULL);
	is_int(res.r, 0, "doctor runs on an Intel capture");
	is_str(status(&res, "acpi-tables"), "ok", "DMAR is in the table list: ok");
	ok(found_has(&res, "acpi-tables", "DMAR"), "  ...and named");
	is_str(status(&res, "devicetree"), "absent", "no device-tree check on x86 with ACPI");
	is_str(status(&res, "iommu"), "ok", "a VT-d unit with a group: ok");
	ok(found_has(&res, "iommu", "dmar0"), "  ...naming dmar0");
	is_str(status(&res, "interrupt-remapping"), "ok", "IR- chips in /proc/interrupts: remapping is on");
	ok(found_has(&res, "interrupt-remapping", "IR-PCI-MSIX-0000:00:07.0"), "  ...with an example chip");
	is_str(status(&res, "unsafe-interrupts"), "ok", "allow_unsafe_interrupts=N: ok");
	is_str(status(&res, "vfio-pci"), "ok", "vfio_pci in /proc/modules: ok");
	ok(found_has(&res, "vfio-pci", "loaded"), "  ...loaded");
	is_str(status(&res, "iommufd"), "warn", "no /dev/iommu, module loadable: warn");
	ok(fix_has(&res, "iommufd", "modprobe iommufd"), "  ...the fix loads it");
	is_str(status(&res, "vfio-cdev"), "ok", "vfio-dev in /proc/devices: cdevs are built in");
	is_str(status(&res, "vfio-container"), "ok", "/dev/vfio/vfio with type1 loaded: ok");
	is_str(status(&res, "memlock"), "skip", "memlock without --memory: skip, with the value");
	ok(found_has(&res, "memlock", "soft 8 MiB, hard 8 MiB"), "  ...the capture's limit is read");
	is_str(status(&res, "memlock-user"), "absent", "no --user, no user check");
	is_str(status(&res, "hugepages"), "skip", "hugepages without --memory: skip");
	ok(found_has(&res, "hugepages", "2 MiB: 1000 free of 1024"), "  ...listing the pool");
	is_str(ictl_doctor_verdict(&res.d), "warnings", "the verdict: warnings (iommufd)");
	is_int((long long)res.d.nfail, 0, "nothing fails");
	ictl_doctor_clear(&res.d);

	put("dev/iommu", "");
	run(&res, 0, NULL, NULL);
	is_str(ictl_doctor_verdict(&res.d), "ready", "with /dev/iommu: ready");
	ictl_doctor_clear(&res.d);
}

static void memory(void)
{
	struct result res;

	base_tree(2);
	run(&res, 4ull << 30, NULL, NULL);
	is_str(status(&res, "memlock"), "fail", "8 MiB hard limit, 4 GiB asked: fail");
	ok(fix_has(&res, "memlock", "4194304 KiB"), "  ...the fix names the size in KiB");
	is_str(status(&res, "hugepages"), "warn", "1000 free 2 MiB pages cannot back 4 GiB: warn");
	ok(fix_has(&res, "hugepages", "echo 2072 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"),
	   "  ...the fix reserves the missing 1048 pages on top of the 1024");
	ictl_doctor_clear(&res.d);
	run(&res, 1ull << 30, NULL, NULL);
	is_str(status(&res, "hugepages"), "ok", "1000 free 2 MiB pages back 1 GiB: ok");
	ictl_doctor_clear(&res.d);

	put("proc/self/limits", "Max locked memory         8388608              unlimited            bytes\n");
	run(&res, 1ull << 30, NULL, NULL);
	is_str(status(&res, "memlock"), "warn", "soft limit low, hard unlimited: warn");
	ok(fix_has(&res, "memlock", "ulimit -l 1048576"), "  ...raise the soft limit");
	ictl_doctor_clear(&res.d);

	put("proc/self/status", "Name:\tcat\nCapEff:\t000001ffffffffff\n");
	run(&res, 1ull << 30, NULL, NULL);
	is_str(status(&res, "memlock"), "ok", "CAP_IPC_LOCK: not limited");
	ictl_doctor_clear(&res.d);
}

static void user_limits(void)
{
	struct result res;

	base_tree(2);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nvmm:x:1001:1001::/home/vmm:/bin/sh\n");
	put("etc/group", "root:x:0:\nkvm:x:104:vmm,other\nvmm:x:1001:\n");
	put("etc/security/limits.conf", "# comment\n*    hard    memlock    65536\n"
	    "@kvm soft    memlock    1048576\n");
	run(&res, 2ull << 30, "vmm", NULL);
	is_int(res.r, 0, "doctor --user runs");
	is_str(status(&res, "memlock-user"), "fail", "soft 1 GiB (@kvm), hard 64 MiB (*): fail for 2 GiB");
	ok(found_has(&res, "memlock-user", "soft 1 GiB (/etc/security/limits.conf:3)"),
	   "  ...the group line gives the soft limit");
	ok(found_has(&res, "memlock-user", "hard 64 MiB (/etc/security/limits.conf:2)"),
	   "  ...the wildcard the hard one");
	ok(fix_has(&res, "memlock-user", "vmm - memlock 2097152"), "  ...the fix is a limits.d line");
	ictl_doctor_clear(&res.d);

	put("etc/security/limits.d/90-vmm.conf", "vmm - memlock unlimited\n");
	run(&res, 2ull << 30, "vmm", NULL);
	is_str(status(&res, "memlock-user"), "ok", "a user line in limits.d overrides group and *");
	ictl_doctor_clear(&res.d);

	put("etc/systemd/system.conf", "[Manager]\nDefaultLimitMEMLOCK=16G\n");
	run(&res, 0, "nobody", NULL);
	is_str(status(&res, "memlock-user"), "skip", "an unknown user without --memory: skip");
	ok(found_has(&res, "memlock-user", "not in /etc/passwd"), "  ...saying the user is unknown");
	ok(found_has(&res, "memlock-user", "DefaultLimitMEMLOCK=16G"), "  ...and systemd's default");
	ictl_doctor_clear(&res.d);

	run(&res, 1ull << 30, "root", NULL);
	is_str(status(&res, "memlock-user"), "ok", "root is not limited");
	ictl_doctor_clear(&res.d);

	run(&res, 0, "-rf", NULL);
	is_int(res.r, -EINVAL, "--user with a name that cannot be one is refused");
}

static void irq_off(void)
{
	struct result res;

	base_tree(2);
	put("proc/cmdline", "intel_iommu=on intremap=off\n");
	put("proc/interrupts", "           CPU0\n  0:  44  IO-APIC   2-edge  timer\n"
	    " 25:  12  PCI-MSIX-0000:00:07.0  0-edge  virtio0-config\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "interrupt-remapping"), "fail", "no IR- chip: remapping is off, VFIO refuses");
	ok(fix_has(&res, "interrupt-remapping", "remove intremap=off"), "  ...the fix names intremap=off");
	is_str(status(&res, "cmdline"), "fail", "intremap=off on the command line fails it too");
	ictl_doctor_clear(&res.d);

	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "interrupt-remapping"), "warn", "off, but allow_unsafe_interrupts=Y: warn");
	is_str(status(&res, "unsafe-interrupts"), "warn", "allow_unsafe_interrupts=Y: warn, with the risk");
	ok(found_has(&res, "unsafe-interrupts", "interrupt injection"), "  ...naming the risk");
	ictl_doctor_clear(&res.d);

	put("proc/interrupts", " 0:  44  IR-IO-APIC 2-edge timer\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "unsafe-interrupts"), "warn", "Y with remapping on: warn (not needed)");
	ok(found_has(&res, "unsafe-interrupts", "not needed"), "  ...saying it is not needed");
	ictl_doctor_clear(&res.d);

	/* a module that is not loaded: the command line's value applies when it loads */
	put("proc/interrupts", " 0:  44  IR-IO-APIC 2-edge timer\n");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	put("proc/cmdline", "intel_iommu=on iommufd.allow_unsafe_interrupts=1\n");
	run(&res, 0, NULL, NULL);
	ok(found_has(&res, "unsafe-interrupts", "iommufd: Y (on the command line; not loaded)"),
	   "a loadable module's parameter from the command line counts");
	is_str(status(&res, "unsafe-interrupts"), "warn", "  ...and warns");
	ictl_doctor_clear(&res.d);
	/* ...but not for a module this kernel does not have */
	put("lib/modules/6.1.0-test/modules.dep", "kernel/drivers/vfio/pci/vfio-pci.ko.xz:\n");
	run(&res, 0, NULL, NULL);
	ok(found_has(&res, "unsafe-interrupts", "iommufd: no such module"), "no iommufd module: no value");
	is_str(status(&res, "unsafe-interrupts"), "ok", "  ...and nothing to warn about");
	ictl_doctor_clear(&res.d);

	put("proc/cmdline", "intel_iommu=on\n");
	put("proc/interrupts", " 30:  4  ITS-PCI-MSIX-0000:00:01.0  0-edge  nvme0q0\n");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "interrupt-remapping"), "ok", "a GICv3 ITS isolates MSIs: ok");
	ictl_doctor_clear(&res.d);
}

static void cmdline(void)
{
	struct result res;

	base_tree(2);
	put("proc/cmdline", "root=/dev/sda1 \"iommu=pt\" amd_iommu=on iommu.strict=1 -- intel_iommu=off\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "cmdline"), "ok", "iommu=pt and iommu.strict=1 are fine; after -- is not the kernel's");
	ok(found_has(&res, "cmdline", "iommu=pt amd_iommu=on iommu.strict=1;"), "  ...the parameters are listed, in order");
	ok(found_has(&res, "cmdline", "amd_iommu=on is not an option"), "  ...amd_iommu=on is called out");
	ictl_doctor_clear(&res.d);

	put("proc/cmdline", "intel_iommu=off\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "cmdline"), "fail", "intel_iommu=off fails");
	ictl_doctor_clear(&res.d);

	put("proc/cmdline", "pcie_acs_override=downstream,multifunction\n");
	run(&res, 0, NULL, NULL);
	is_str(status(&res, "cmdline"), "warn", "pcie_acs_override warns");
	ictl_doctor_clear(&res.d);
}

static void no_iommu(void)
{
	struct result res;

	base_tree(2);
	rm_rel("sys/class/iommu/dmar0");
	rm_rel("sys/kernel/iommu_groups/0");
	rm_rel("sys/firmware/acpi/tables/DMAR");
	put("proc/cmdline", "quiet\n");
	run(&res, 0, NULL, "00:04.0");
	is_str(status(&res, "acpi-tables"), "fail", "no DMAR: the firmware check fails");
	ok(fix_has(&res, "acpi-tables", "VT-d"), "  ...the fix names the firmware option (Intel CPU)");
	ok(find(&res, "acpi-tables") && !strstr(find(&res, "acpi-tables")->fix, "AMD"), "  ...and not AMD's");
	is_str(status(&res, "iommu"), "fail", "no unit: the IOMMU check fails");
	ok(fix_has(&res, "iommu", "intel_iommu=on"), "  ...the fix names the command line");
	is_str(status(&res, "interrupt-remapping"), "skip", "without an IOMMU, remapping is not judged");
	is_str(status(&res, "group"), "fail", "a device without a group fails its group check");
	is_str(status(&res, "claim"), "skip", "  ...and its claim check skips");
	is_str(ictl_doctor_verdict(&res.d), "not-ready", "the verdict: not ready");
	ictl_doctor_clear(&res.d);
}

static void not_captured(void)
{
	struct result res;
	const struct ictl_check *c;

	base_tree(1);
	run(&res, 1ull << 30, NULL, NULL);
	is_int(res.r, 0, "doctor runs on a version-1 capture");
	c = find(&res, "acpi-tables");
	ok(c && c->status == ICTL_CHECK_SKIP && c->not_captured, "the table list: skipped, not captured");
	c = find(&res, "interrupt-remapping");
	ok(c && c->status == ICTL_CHECK_SKIP && c->not_captured, "/proc/interrupts: not captured");
	c = find(&res, "memlock");
	ok(c && c->status == ICTL_CHECK_SKIP && c->not_captured, "the limits: not captured, not guessed");
	c = find(&res, "hugepages");
	ok(c && c->not_captured, "hugepages: not captured");
	is_str(status(&res, "iommu"), "ok", "what version 1 holds is still checked");
	ictl_doctor_clear(&res.d);

	run(&res, 0, NULL, "00:1f.9");
	is_int(res.r, -EINVAL, "a target that is no device name is refused before anything runs");
	run(&res, 0, NULL, "12");
	is_int(res.r, 0, "a group that does not exist is a failed check");
	is_str(status(&res, "group"), "fail", "  ...of the group");
	ictl_doctor_clear(&res.d);
}

int main(void)
{
	sizes();
	ready_intel();
	memory();
	user_limits();
	irq_off();
	cmdline();
	no_iommu();
	not_captured();
	rm_tree();
	return done_testing();
}
