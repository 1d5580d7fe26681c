// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: is this host ready for device passthrough, and what exactly to fix.
 * The runner and the table of checks, and the facts it gathers before them (the
 * kernel release and machine, the CPU vendor).  The helpers the checks share are
 * in doctor-util.c, below the checks, so that this table is the only arrow from
 * the runner to them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/utsname.h>

#include "doctor-internal.h"

struct doc_def {
	const char *id, *title;
	enum ictl_check_category category;
	int (*fn)(struct doctor_run *run, struct ictl_check *c);
};

/* Host-wide checks, in the order they are shown. */
static const struct doc_def host_checks[] = {
	{ "acpi-tables", "ACPI IOMMU table", ICTL_CHECK_FIRMWARE, doc_check_acpi },
	{ "devicetree", "device-tree IOMMU nodes", ICTL_CHECK_FIRMWARE, doc_check_devicetree },
	{ "iommu", "IOMMU driver", ICTL_CHECK_KERNEL, doc_check_iommu },
	{ "cmdline", "kernel command line", ICTL_CHECK_KERNEL, doc_check_cmdline },
	{ "default-domain", "default domain type", ICTL_CHECK_KERNEL, doc_check_domains },
	{ "interrupt-remapping", "interrupt remapping", ICTL_CHECK_KERNEL, doc_check_irq_remap },
	{ "unsafe-interrupts", "allow_unsafe_interrupts", ICTL_CHECK_KERNEL, doc_check_unsafe },
	{ "vfio-pci", "vfio-pci", ICTL_CHECK_KERNEL, doc_check_vfio_pci },
	{ "iommufd", "iommufd", ICTL_CHECK_KERNEL, doc_check_iommufd },
	{ "vfio-cdev", "VFIO device cdevs", ICTL_CHECK_KERNEL, doc_check_cdev },
	{ "vfio-container", "legacy VFIO container", ICTL_CHECK_KERNEL, doc_check_container },
	{ "memlock", "locked memory limit", ICTL_CHECK_RESOURCES, doc_check_memlock },
	{ "memlock-user", "locked memory of the VMM's user", ICTL_CHECK_RESOURCES,
	  doc_check_memlock_user },
	{ "hugepages", "hugepages", ICTL_CHECK_RESOURCES, doc_check_hugepages },
};

/* Checks of each DEVICE or GROUP argument. */
static const struct doc_def device_checks[] = {
	{ "group", "IOMMU group", ICTL_CHECK_DEVICE, doc_check_dev_group },
	{ "isolation", "isolation (ACS)", ICTL_CHECK_DEVICE, doc_check_dev_isolation },
	{ "claim", "claim", ICTL_CHECK_DEVICE, doc_check_dev_claim },
};

const char *ictl_check_status_name(enum ictl_check_status s)
{
	static const char *const names[] = { "ok", "warn", "fail", "skip" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

const char *ictl_check_category_name(enum ictl_check_category c)
{
	static const char *const names[] = { "firmware", "kernel", "resources", "device" };

	return (unsigned int)c < ARRAY_SIZE(names) ? names[c] : "unknown";
}

const char *ictl_doctor_verdict(const struct ictl_doctor *d)
{
	return d->nfail ? "not-ready" : d->nwarn ? "warnings" : "ready";
}

/* --- results ----------------------------------------------------------------------------- */

static void capture_info(struct doctor_run *run, const char *key, char *buf, size_t len)
{
	_cleanup_free_ char *text = NULL;
	size_t kl = strlen(key);

	if (sysfs_read_alloc(run->ctx, "CAPTURE-INFO", &text) < 0)
		return;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, kl) && l[kl] == ':') {
			size_t n = strcspn(l + kl + 1, "\n");
			const char *v = l + kl + 1 + strspn(l + kl + 1, " ");

			n -= (size_t)(v - (l + kl + 1));
			str_copy(buf, v, n + 1 < len ? n + 1 : len);
			return;
		}
	}
}

static void read_cpuinfo(struct doctor_run *run)
{
	_cleanup_free_ char *text = NULL;

	if (sysfs_read_alloc(run->ctx, "proc/cpuinfo", &text) < 0)
		return;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':');

		if (!colon)
			continue;
		if (!strncmp(l, "vendor_id", 9) && !run->cpu_vendor[0])
			sscanf(colon + 1, " %31s", run->cpu_vendor);
		if (!strncmp(l, "flags", 5) && strstr(colon, " hypervisor"))
			run->hypervisor = true;
	}
}

static int gather_system(struct doctor_run *run)
{
	char v[16] = "";
	int r;

	run->live = ictl_is_live(run->ctx);
	if (!run->live) {
		capture_info(run, "capture-sysfs-version", v, sizeof(v));
		run->capture_version = atoi(v);
	}
	if (sysfs_read_str(run->ctx, "proc/sys/kernel/osrelease", run->release,
			   sizeof(run->release)) < 0)
		run->release[0] = '\0';
	if (run->live) {
		struct utsname u;

		if (!uname(&u)) {
			if (!run->release[0])
				str_copy(run->release, u.release, sizeof(run->release));
			str_copy(run->machine, u.machine, sizeof(run->machine));
		}
	} else {
		if (!run->release[0])
			capture_info(run, "kernel", run->release, sizeof(run->release));
		capture_info(run, "machine", run->machine, sizeof(run->machine));
	}
	read_cpuinfo(run);
	r = sysfs_read_alloc(run->ctx, "proc/cmdline", &run->cmdline);
	run->cmdline_have = doc_have(run, r, 1);
	if (r == -ENOMEM)
		return r;
	return 0;
}

/* --- modules ---------------------------------------------------------------------------------- */

static int run_one(struct doctor_run *run, const struct doc_def *def, const char *subject)
{
	struct ictl_check *c = array_push(&run->out->checks, &run->out->nchecks,
					  sizeof(*run->out->checks));
	int r;

	if (!c)
		return -ENOMEM;
	c->id = def->id;
	c->title = def->title;
	c->category = def->category;
	str_copy(c->subject, subject ? subject : "", sizeof(c->subject));
	r = def->fn(run, c);
	if (r == DOC_NOT_APPLICABLE || r < 0)
		run->out->nchecks--;
	return r < 0 ? r : 0;
}

/* Every target must be a device name or a group number before anything is read. */
static int check_targets(struct doctor_run *run)
{
	const struct ictl_doctor_opts *o = run->o;
	static const char user_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

	run->targets = calloc(o->ntargets ? o->ntargets : 1, sizeof(*run->targets));
	if (!run->targets)
		return -ENOMEM;
	for (size_t i = 0; i < o->ntargets; i++) {
		const char *t = o->targets[i];
		unsigned int g;
		int r;

		if (t[0] && strspn(t, "0123456789") == strlen(t)) {
			r = ictl_parse_group_id(run->ctx, t, &g);
			snprintf(run->targets[i], sizeof(run->targets[i]), "%u", g);
		} else {
			r = ictl_parse_device_name(run->ctx, t, run->targets[i]);
		}
		if (r < 0)
			return r;
	}
	if (o->user && (!o->user[0] || strlen(o->user) > 32 || o->user[0] == '-' ||
			strspn(o->user, user_chars) != strlen(o->user)))
		return ictl_err(run->ctx, EINVAL, "--user '%s': not a user name", o->user);
	return 0;
}

static void count(struct ictl_doctor *d)
{
	d->nok = d->nwarn = d->nfail = d->nskip = 0;
	for (size_t i = 0; i < d->nchecks; i++) {
		switch (d->checks[i].status) {
		case ICTL_CHECK_OK: d->nok++; break;
		case ICTL_CHECK_WARN: d->nwarn++; break;
		case ICTL_CHECK_FAIL: d->nfail++; break;
		case ICTL_CHECK_SKIP: d->nskip++; break;
		}
	}
}

static int run_all(struct doctor_run *run)
{
	int r = check_targets(run);

	if (!r)
		r = gather_system(run);
	if (!r)
		r = doc_gather_firmware(run);
	if (!r)
		r = doc_gather_kernel(run);
	for (size_t i = 0; i < ARRAY_SIZE(host_checks) && !r; i++)
		r = run_one(run, &host_checks[i], NULL);
	for (size_t t = 0; t < run->o->ntargets && !r; t++) {
		for (size_t i = 0; i < ARRAY_SIZE(device_checks) && !r; i++)
			r = run_one(run, &device_checks[i], run->targets[t]);
	}
	return r;
}

int ictl_doctor_run(struct ictl_ctx *ctx, const struct ictl_doctor_opts *o, struct ictl_doctor *out)
{
	struct doctor_run run = { .ctx = ctx, .o = o, .out = out };
	int r;

	*out = (struct ictl_doctor){ 0 };
	r = run_all(&run);
	free(run.targets);
	free(run.cmdline);
	ictl_unit_list_clear(&run.units);
	ictl_group_list_clear(&run.groups);
	ictl_device_list_clear(&run.devs);
	if (r < 0) {
		ictl_doctor_clear(out);
		return r == -ENOMEM ? ictl_err(ctx, ENOMEM, "doctor: out of memory") : r;
	}
	count(out);
	ctx->err[0] = '\0';
	return 0;
}

void ictl_doctor_clear(struct ictl_doctor *d)
{
	free(d->checks);
	*d = (struct ictl_doctor){ 0 };
}
