// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What doctor's checks share: writing a result (what was read, what was found,
 * the fix), whether a capture has a file, the kernel command line, the CPU, the
 * state of a module.  It calls no check (doctor.c, the runner, does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "doctor-internal.h"

const char doc_grub_hint[] =
	"(Debian: GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)";

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
