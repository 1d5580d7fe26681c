// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: is this host ready for device passthrough, and what exactly to fix.
 * The runner and the table of checks, the results' helpers, and the facts
 * every category reads: the kernel release and machine, the CPU vendor, the
 * kernel command line and the state of a module.
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

const char doc_grub_hint[] =
	"(Debian: GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)";

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

void doc_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

enum doc_have doc_have(const struct doctor_run *run, int r, int since_version)
{
	if (r >= 0)
		return DOC_HAVE;
	if (!run->live && run->capture_version < since_version)
		return DOC_NOT_CAPTURED;
	return DOC_ABSENT;
}

static void vadd(char *buf, size_t len, const char *sep, const char *fmt, va_list ap)
{
	size_t off = strlen(buf);

	if (off && sep && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s", sep);
	if (off < len)
		vsnprintf(buf + off, len - off, fmt, ap);
}

void doc_read(struct ictl_check *c, const char *path)
{
	size_t n = strlen(path);

	for (const char *p = strstr(c->read, path); p; p = strstr(p + 1, path)) {
		if ((p == c->read || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	}
	if (c->read[0])
		strncat(c->read, ", ", sizeof(c->read) - strlen(c->read) - 1);
	strncat(c->read, path, sizeof(c->read) - strlen(c->read) - 1);
}

void doc_found(struct ictl_check *c, const char *fmt, ...)
{
	va_list ap;

	c->found[0] = '\0';
	va_start(ap, fmt);
	vadd(c->found, sizeof(c->found), NULL, fmt, ap);
	va_end(ap);
}

void doc_found_add(struct ictl_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c->found, sizeof(c->found), "; ", fmt, ap);
	va_end(ap);
}

void doc_fix(struct ictl_check *c, const char *fmt, ...)
{
	va_list ap;

	c->fix[0] = '\0';
	va_start(ap, fmt);
	vadd(c->fix, sizeof(c->fix), NULL, fmt, ap);
	va_end(ap);
}

void doc_fix_add(struct ictl_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c->fix, sizeof(c->fix), "; ", fmt, ap);
	va_end(ap);
}

void doc_not_captured(struct doctor_run *run, struct ictl_check *c, const char *what)
{
	c->status = ICTL_CHECK_SKIP;
	c->not_captured = true;
	doc_found(c, "not captured: this capture (capture-sysfs version %d) lacks %s; version %d records it",
		  run->capture_version, what, DOC_CAPTURE_VERSION);
	doc_fix(c, "capture again with a current tests/capture-sysfs");
}

/* --- the kernel command line --------------------------------------------------------------- */

/*
 * One parameter of the command line as the kernel splits it (next_arg):
 * words separated by spaces, double quotes around spaces, "--" ends the
 * kernel's part.  Returns the position after it, or NULL at the end.
 */
const char *next_param_of(const char *p, char *name, size_t nlen, char *val, size_t vlen,
			  bool *has_val)
{
	size_t n = 0, v = 0;
	bool quoted = false;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p || (p[0] == '-' && p[1] == '-' && (!p[2] || p[2] == ' ' || p[2] == '\n')))
		return NULL;
	*has_val = false;
	for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (!*has_val && *p == '=') {
			*has_val = true;
		} else if (!*has_val && n + 1 < nlen) {
			name[n++] = *p == '-' ? '_' : *p;
		} else if (*has_val && v + 1 < vlen) {
			val[v++] = *p;
		}
	}
	name[n] = '\0';
	val[v] = '\0';
	return p;
}

static void norm_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = in[i] == '-' ? '_' : in[i];
	out[i] = '\0';
}

const char *doc_param(const struct doctor_run *run, const char *name, char *buf, size_t len)
{
	char want[64], n[64], v[256];
	const char *p = run->cmdline, *found = NULL;
	bool has_val;

	norm_name(name, want, sizeof(want));
	while (p && (p = next_param_of(p, n, sizeof(n), v, sizeof(v), &has_val))) {
		if (!strcmp(n, want)) {
			str_copy(buf, has_val ? v : "", len);
			found = buf;
		}
	}
	return found;
}

bool doc_param_has(const struct doctor_run *run, const char *name, const char *word)
{
	char want[64], n[64], v[256];
	const char *p = run->cmdline;
	bool has_val;

	norm_name(name, want, sizeof(want));
	while (p && (p = next_param_of(p, n, sizeof(n), v, sizeof(v), &has_val))) {
		char *save = NULL;

		if (strcmp(n, want) || !has_val)
			continue;
		for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, word))
				return true;
		}
	}
	return false;
}

bool doc_param_true(const struct doctor_run *run, const char *name)
{
	char v[32];

	if (!doc_param(run, name, v, sizeof(v)))
		return false;
	return v[0] == '1' || v[0] == 'y' || v[0] == 'Y' || !strcasecmp(v, "on");
}

/* --- the system: release, machine, CPU --------------------------------------------------- */

bool doc_is_x86(const struct doctor_run *run)
{
	return !strcmp(run->machine, "x86_64") || !strncmp(run->machine, "i686", 4);
}

bool doc_is_arm64(const struct doctor_run *run)
{
	return !strcmp(run->machine, "aarch64") || !strcmp(run->machine, "arm64");
}

bool doc_is_intel_cpu(const struct doctor_run *run)
{
	return !strcmp(run->cpu_vendor, "GenuineIntel");
}

bool doc_is_amd_cpu(const struct doctor_run *run)
{
	return !strcmp(run->cpu_vendor, "AuthenticAMD") || !strcmp(run->cpu_vendor, "HygonGenuine");
}

/* "key: value" of CAPTURE-INFO. */
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

const char *doc_module_state_name(enum doc_mod_state s)
{
	static const char *const names[] = { "loaded", "built in", "loaded or built in",
					     "loadable", "absent", "unknown" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

bool doc_module_usable(const struct doc_module *m)
{
	return m->state == MOD_LOADED || m->state == MOD_BUILTIN || m->state == MOD_PRESENT;
}

/* Does a modules.dep or modules.builtin line name the module ("kernel/.../vfio-pci.ko.xz")? */
static bool line_names_module(const char *line, size_t len, const char *want)
{
	const char *end = memmem(line, len, ".ko", 3), *base;
	char name[64];

	if (!end)
		return false;
	for (base = end; base > line && base[-1] != '/'; base--)
		;
	if ((size_t)(end - base) >= sizeof(name))
		return false;
	memcpy(name, base, (size_t)(end - base));
	name[end - base] = '\0';
	norm_name(name, name, sizeof(name));
	return !strcmp(name, want);
}

static bool file_lists_module(const char *text, const char *want)
{
	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		size_t key = strcspn(l, ":\n");

		if (line_names_module(l, key < len ? key : len, want))
			return true;
		l += len;
		l += *l == '\n';
	}
	return false;
}

/* modules.builtin, then modules.dep, of the kernel release below the root. */
static void module_from_lib(struct doctor_run *run, const char *want, struct doc_module *m)
{
	_cleanup_free_ char *builtin = NULL, *dep = NULL;
	char path[PATH_MAX];
	int r;

	m->state = MOD_UNKNOWN;
	if (!run->release[0]) {
		doc_fmt(m->how, sizeof(m->how), "not loaded; the kernel release is unknown");
		return;
	}
	if (!path_fmt(path, sizeof(path), "lib/modules/%s/modules.builtin", run->release) &&
	    !sysfs_read_alloc(run->ctx, path, &builtin) && file_lists_module(builtin, want)) {
		m->state = MOD_BUILTIN;
		doc_fmt(m->lib_file, sizeof(m->lib_file), "/%s", path);
		doc_fmt(m->how, sizeof(m->how), "listed in /%s", path);
		return;
	}
	r = path_fmt(path, sizeof(path), "lib/modules/%s/modules.dep", run->release);
	if (!r)
		r = sysfs_read_alloc(run->ctx, path, &dep);
	doc_fmt(m->lib_file, sizeof(m->lib_file), "/%s", path);
	if (r < 0) {
		doc_fmt(m->how, sizeof(m->how), "not loaded; %s /%s, which would tell whether it can be",
			doc_have(run, r, DOC_CAPTURE_VERSION) == DOC_NOT_CAPTURED ? "not captured:" :
			"there is no", path);
		return;
	}
	m->state = file_lists_module(dep, want) ? MOD_LOADABLE : MOD_ABSENT;
	doc_fmt(m->how, sizeof(m->how), "%s /%s", m->state == MOD_LOADABLE ?
		"not loaded; listed in" : "not loaded, and not in", path);
}

void doc_module(struct doctor_run *run, const char *name, struct doc_module *m)
{
	_cleanup_free_ char *mods = NULL;
	char want[64], path[128];
	int r = sysfs_read_alloc(run->ctx, "proc/modules", &mods);
	enum doc_have have = doc_have(run, r, DOC_CAPTURE_VERSION);
	bool in_sys;

	norm_name(name, want, sizeof(want));
	m->lib_file[0] = '\0';
	if (have == DOC_HAVE) {
		for (const char *l = mods; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			size_t n = strcspn(l, " \n");

			if (n == strlen(want) && !strncmp(l, want, n)) {
				m->state = MOD_LOADED;
				doc_fmt(m->how, sizeof(m->how), "listed in /proc/modules");
				return;
			}
		}
	}
	in_sys = !path_fmt(path, sizeof(path), "sys/module/%s", want) && sysfs_exists(run->ctx, path);
	if (in_sys) {
		m->state = have == DOC_NOT_CAPTURED ? MOD_PRESENT : MOD_BUILTIN;
		doc_fmt(m->how, sizeof(m->how), "/%s exists%s", path,
			have == DOC_HAVE ? ", not in /proc/modules" :
			have == DOC_ABSENT ? "; no /proc/modules: a kernel without loadable modules" :
			"; /proc/modules not captured");
		return;
	}
	if (have == DOC_ABSENT) {
		/* CONFIG_MODULES=n: what is not in /sys/module is not there. */
		m->state = MOD_ABSENT;
		doc_fmt(m->how, sizeof(m->how), "no /%s; no /proc/modules: a kernel without loadable modules", path);
		return;
	}
	module_from_lib(run, want, m);
}

void doc_module_param(struct doctor_run *run, const char *module, const char *param,
		      struct doc_param_val *out)
{
	char path[PATH_MAX], v[16], key[128];
	struct doc_module m;

	*out = (struct doc_param_val){ .v = ICTL_UNKNOWN };
	if (!path_fmt(path, sizeof(path), "sys/module/%s/parameters/%s", module, param) &&
	    !sysfs_read_str(run->ctx, path, v, sizeof(v))) {
		out->v = v[0] == 'Y' || v[0] == 'y' || v[0] == '1' ? ICTL_YES : ICTL_NO;
		str_copy(out->label, out->v == ICTL_YES ? "Y" : "N", sizeof(out->label));
		return;
	}
	doc_module(run, module, &m);
	if (m.state == MOD_ABSENT) {
		str_copy(out->label, "no such module", sizeof(out->label));
		return;
	}
	snprintf(key, sizeof(key), "%s.%s", module, param);
	if (doc_param(run, key, v, sizeof(v))) {
		out->v = doc_param_true(run, key) ? ICTL_YES : ICTL_NO;
		out->from_cmdline = true;
		snprintf(out->label, sizeof(out->label), "%s (on the command line; not loaded)",
			 out->v == ICTL_YES ? "Y" : "N");
		return;
	}
	str_copy(out->label, "not loaded", sizeof(out->label));
}

/* --- the run ------------------------------------------------------------------------------------ */

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
