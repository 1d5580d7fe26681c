/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doctor: what the checks share (doctor*.c only).
 *
 * A run reads its facts once (doctor_gather, in doctor.c and the files of
 * each category), then the checks turn them into results.  Every file is
 * read through the sysroot seam.  A path that a live system or a capture of
 * capture-sysfs version DOC_CAPTURE_VERSION or later lacks is really absent;
 * older captures did not record it, and the check says "not captured".
 */
#ifndef ICTL_DOCTOR_INTERNAL_H
#define ICTL_DOCTOR_INTERNAL_H

#include "internal.h"

/* The first capture-sysfs version that records what doctor reads. */
#define DOC_CAPTURE_VERSION 2

/* A check that does not apply to this system (not listed): return it from a check. */
#define DOC_NOT_APPLICABLE 1

enum doc_have { DOC_HAVE, DOC_ABSENT, DOC_NOT_CAPTURED };

enum doc_mod_state {
	MOD_LOADED,	/* in /proc/modules */
	MOD_BUILTIN,	/* in /sys/module but not /proc/modules, or in modules.builtin */
	MOD_PRESENT,	/* in /sys/module; /proc/modules not captured: loaded or built in */
	MOD_LOADABLE,	/* in modules.dep of the running kernel */
	MOD_ABSENT,	/* none of these: the kernel has no such module */
	MOD_UNKNOWN,	/* not loaded, and no modules.dep to tell whether it could be */
};

struct doc_module {
	enum doc_mod_state state;
	char how[200];		/* the evidence: "listed in /proc/modules" */
	char lib_file[160];	/* the modules.dep or modules.builtin consulted, or "" */
};

/* Firmware tables and device-tree nodes that describe an IOMMU. */
struct doc_firmware {
	enum doc_have acpi;		/* /sys/firmware/acpi/tables */
	bool dmar, ivrs, iort, viot;
	enum doc_have dt;		/* /sys/firmware/devicetree/base (or /proc/device-tree) */
	const char *dt_path;		/* the one that was read */
	unsigned int dt_nodes, dt_disabled; /* nodes with #iommu-cells; of which disabled */
	char dt_names[160];		/* their paths below base, comma-separated */
};

/* How MSIs reach the CPUs, read from the interrupt chips in /proc/interrupts. */
struct doc_irq {
	enum doc_have have;
	unsigned int remapped;		/* lines through an IR- domain (Intel/AMD) */
	unsigned int its;		/* lines through a GICv3 ITS (arm64: isolated MSIs) */
	unsigned int plain;		/* MSI and IO-APIC lines through neither */
	char example[64];		/* a chip name seen: "IR-PCI-MSIX-0000:00:07.0" */
};

/* A boolean module parameter: as /sys/module shows it, or as the command line sets it. */
struct doc_param_val {
	enum ictl_tristate v;	/* what applies (or will, when the module loads); UNKNOWN: nothing */
	bool from_cmdline;	/* the module is not loaded; the command line sets it */
	char label[64];		/* "Y", "N", "Y (on the command line; applies when it loads)", ... */
};

struct doctor_run {
	struct ictl_ctx *ctx;
	const struct ictl_doctor_opts *o;
	struct ictl_doctor *out;
	char (*targets)[ICTL_NAME_MAX];	/* o->targets, canonical: "0000:03:00.0", "12" */
	bool live;
	int capture_version;		/* CAPTURE-INFO's; 0 on a live system */
	char release[128];		/* uname -r of the system read; "" unknown */
	char machine[32];		/* uname -m; "" unknown */
	char cpu_vendor[32];		/* GenuineIntel, AuthenticAMD; "" unknown */
	bool hypervisor;		/* cpuinfo's flags name "hypervisor": a VM */
	enum doc_have cmdline_have;
	char *cmdline;
	/* The IOMMU units (without the iommufd selftest's mock) and groups. */
	struct ictl_unit_list units;
	size_t nhw_units;
	struct ictl_group_list groups;
	struct doc_firmware fw;
	struct doc_irq irq;
	/* allow_unsafe_interrupts of vfio_iommu_type1 and iommufd. */
	struct doc_param_val unsafe_type1, unsafe_iommufd;
	/* The device list, read once for the device checks. */
	bool devs_read;
	int devs_err;
	struct ictl_device_list devs;
};

/* --- doctor.c: results and shared readers --------------------------------------------- */

/* snprintf for prose that may be cut (no truncation warning: a cut message is fine). */
void doc_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Has path (relative to the root) been read?  r is the reader's result. */
enum doc_have doc_have(const struct doctor_run *run, int r, int since_version);
/* Append "/path" (as on the machine) to what a check read, once. */
void doc_read(struct ictl_check *c, const char *path);
void doc_found(struct ictl_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add to what was found: "; <text>". */
void doc_found_add(struct ictl_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_fix(struct ictl_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_fix_add(struct ictl_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Skip: the capture lacks what the check reads (what: "the ACPI table list"). */
void doc_not_captured(struct doctor_run *run, struct ictl_check *c, const char *what);

/*
 * The next parameter of a command line as the kernel splits it: its name (- as _) and
 * value; NULL at the end or at "--".
 */
const char *next_param_of(const char *p, char *name, size_t nlen, char *val, size_t vlen,
			  bool *has_val);
/* The last value of a kernel parameter (- and _ alike in names), "" for a bare flag; NULL. */
const char *doc_param(const struct doctor_run *run, const char *name, char *buf, size_t len);
/* Does a kernel parameter hold word among its comma-separated values (any occurrence)? */
bool doc_param_has(const struct doctor_run *run, const char *name, const char *word);
/* kstrtobool's yes: 1, y, Y, on.  For "iommu.passthrough=1". */
bool doc_param_true(const struct doctor_run *run, const char *name);
/* "how to change the kernel command line" on Debian, for fixes. */
extern const char doc_grub_hint[];

bool doc_is_x86(const struct doctor_run *run);
bool doc_is_arm64(const struct doctor_run *run);
bool doc_is_intel_cpu(const struct doctor_run *run);
bool doc_is_amd_cpu(const struct doctor_run *run);
/* The state of a kernel module (name with _ or -). */
void doc_module(struct doctor_run *run, const char *name, struct doc_module *m);
bool doc_module_usable(const struct doc_module *m);
/* "loaded", "built in", ... */
const char *doc_module_state_name(enum doc_mod_state s);
/* A boolean parameter of a module: its sysfs value, else the command line's for a module that can load. */
void doc_module_param(struct doctor_run *run, const char *module, const char *param,
		      struct doc_param_val *out);

/* --- the checks, by category (doctor-*.c) ---------------------------------------------- */

int doc_gather_firmware(struct doctor_run *run);
int doc_check_acpi(struct doctor_run *run, struct ictl_check *c);
int doc_check_devicetree(struct doctor_run *run, struct ictl_check *c);
/* The firmware option that turns the IOMMU on, for this CPU (or both vendors'). */
void doc_fix_firmware(struct doctor_run *run, struct ictl_check *c);

int doc_gather_kernel(struct doctor_run *run);
int doc_check_iommu(struct doctor_run *run, struct ictl_check *c);
int doc_check_cmdline(struct doctor_run *run, struct ictl_check *c);
int doc_check_domains(struct doctor_run *run, struct ictl_check *c);
int doc_check_irq_remap(struct doctor_run *run, struct ictl_check *c);
int doc_check_unsafe(struct doctor_run *run, struct ictl_check *c);

int doc_check_vfio_pci(struct doctor_run *run, struct ictl_check *c);
int doc_check_iommufd(struct doctor_run *run, struct ictl_check *c);
int doc_check_cdev(struct doctor_run *run, struct ictl_check *c);
int doc_check_container(struct doctor_run *run, struct ictl_check *c);

int doc_check_memlock(struct doctor_run *run, struct ictl_check *c);
int doc_check_memlock_user(struct doctor_run *run, struct ictl_check *c);
int doc_check_hugepages(struct doctor_run *run, struct ictl_check *c);

int doc_check_dev_group(struct doctor_run *run, struct ictl_check *c);
int doc_check_dev_isolation(struct doctor_run *run, struct ictl_check *c);
int doc_check_dev_claim(struct doctor_run *run, struct ictl_check *c);

#endif /* ICTL_DOCTOR_INTERNAL_H */
