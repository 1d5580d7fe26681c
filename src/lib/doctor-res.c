// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor, resources: locked memory and hugepages, against the memory a VMM
 * will pin.  VFIO (type1 and iommufd alike) pins every page it maps for DMA,
 * which for a VM is all of its RAM, and counts it against RLIMIT_MEMLOCK
 * unless the process has CAP_IPC_LOCK (type1: per process; iommufd: per
 * user).  So the limit of the user who runs the VMM must cover the guest's
 * RAM, and a VMM that dies with "vfio_pin_pages failed" or ENOMEM at start
 * has usually hit it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>

#include "doctor-internal.h"

#define UNLIMITED UINT64_MAX
#define CAP_IPC_LOCK_BIT 14

/* --- sizes ------------------------------------------------------------------------------- */

/* "16G", "512MiB", "1024": bytes; -1 when it is not a size. */
static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	uint64_t v, mul = 1;
	char *end;
	const char *u;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end && (u = strchr(units, toupper((unsigned char)*end)))) {
		for (const char *k = units; k <= u; k++)
			mul *= 1024;
		end++;
		if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
			end += strlen(end);
	} else if (!strcasecmp(end, "B")) {
		end++;
	}
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

int ictl_parse_size(struct ictl_ctx *ctx, const char *s, uint64_t *bytes)
{
	if (parse_size(s, bytes) < 0 || !*bytes)
		return ictl_err(ctx, EINVAL,
				"'%s' is not a size: give bytes or a number with K, M, G or T (16G, 512M)",
				s);
	return 0;
}

const char *ictl_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes == UNLIMITED) {
		snprintf(buf, len, "unlimited");
		return buf;
	}
	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static uint64_t kib_up(uint64_t bytes)
{
	return bytes / 1024 + (bytes % 1024 != 0);
}

/* --- this process: getrlimit live, /proc/self/limits in a capture --------------------------- */

struct doc_limit {
	enum doc_have have;
	uint64_t soft, hard;
	bool ipc_lock;
};

/* "Max locked memory         8388608              8388608              bytes" */
static int limits_memlock(const char *text, uint64_t *soft, uint64_t *hard)
{
	const char *l = strstr(text, "Max locked memory");
	char s[32], h[32];

	if (!l || sscanf(l + 17, " %31s %31s", s, h) != 2)
		return -1;
	*soft = !strcmp(s, "unlimited") ? UNLIMITED : strtoull(s, NULL, 10);
	*hard = !strcmp(h, "unlimited") ? UNLIMITED : strtoull(h, NULL, 10);
	return 0;
}

static void read_limit(struct doctor_run *run, struct doc_limit *lim)
{
	_cleanup_free_ char *limits = NULL, *status = NULL;
	struct rlimit rl;
	const char *cap;
	uint64_t eff;
	int r;

	if (run->live && !getrlimit(RLIMIT_MEMLOCK, &rl)) {
		lim->have = DOC_HAVE;
		lim->soft = rl.rlim_cur == RLIM_INFINITY ? UNLIMITED : rl.rlim_cur;
		lim->hard = rl.rlim_max == RLIM_INFINITY ? UNLIMITED : rl.rlim_max;
	} else {
		r = sysfs_read_alloc(run->ctx, "proc/self/limits", &limits);
		if (!r && limits_memlock(limits, &lim->soft, &lim->hard) < 0)
			r = -EINVAL;
		lim->have = doc_have(run, r, DOC_CAPTURE_VERSION);
	}
	if (sysfs_read_alloc(run->ctx, "proc/self/status", &status) < 0)
		return;
	cap = strstr(status, "CapEff:");
	if (!cap)
		return;
	eff = strtoull(cap + 7, NULL, 16);
	lim->ipc_lock = eff & (1ull << CAP_IPC_LOCK_BIT);
}

/* Compare a limit with the memory asked for: status and found. */
static void judge_limit(struct doctor_run *run, struct ictl_check *c, uint64_t soft, uint64_t hard)
{
	char m[32];
	uint64_t want = run->o->memory;

	if (!want) {
		c->status = ICTL_CHECK_SKIP;
		doc_found_add(c, "no size to compare with: give --memory SIZE, the guest RAM a VMM will pin");
		return;
	}
	ictl_size_str(want, m, sizeof(m));
	if (soft >= want) {
		c->status = ICTL_CHECK_OK;
		doc_found_add(c, "enough to pin %s", m);
		return;
	}
	c->status = hard >= want ? ICTL_CHECK_WARN : ICTL_CHECK_FAIL;
	doc_found_add(c, "a VMM pinning %s fails (VFIO: ENOMEM, \"vfio_pin_pages failed\"); %s",
		      m, hard >= want ? "the hard limit allows it" : "the hard limit is lower too");
}

int doc_check_memlock(struct doctor_run *run, struct ictl_check *c)
{
	struct doc_limit lim = { 0 };
	char s[32], h[32];

	doc_read(c, run->live ? "getrlimit(RLIMIT_MEMLOCK)" : "/proc/self/limits");
	doc_read(c, "/proc/self/status (CapEff)");
	read_limit(run, &lim);
	if (lim.have == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the capturing process's limits (/proc/self/limits)");
		return 0;
	}
	if (lim.have != DOC_HAVE) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "the limit could not be read");
		return 0;
	}
	doc_found(c, "%s: soft %s, hard %s", run->live ? "this process" : "the capturing process",
		  ictl_size_str(lim.soft, s, sizeof(s)), ictl_size_str(lim.hard, h, sizeof(h)));
	if (lim.ipc_lock) {
		c->status = ICTL_CHECK_OK;
		doc_found_add(c, "it has CAP_IPC_LOCK, so VFIO does not count what it pins; a VMM run as another user: --user NAME");
		return 0;
	}
	judge_limit(run, c, lim.soft, lim.hard);
	if (c->status == ICTL_CHECK_WARN)
		doc_fix(c, "ulimit -l %" PRIu64 " in the shell that starts the VMM (KiB; the hard limit allows it)",
			kib_up(run->o->memory));
	else if (c->status == ICTL_CHECK_FAIL)
		doc_fix(c, "raise the hard limit of the VMM's user to %" PRIu64 " KiB: a line '<user> - memlock %" PRIu64 "' in /etc/security/limits.d/ (at the next login), or LimitMEMLOCK= in the VMM's systemd unit; doctor --user NAME checks a user",
			kib_up(run->o->memory), kib_up(run->o->memory));
	return 0;
}

/* --- a user's limit: pam_limits(8) and systemd ---------------------------------------------- */

struct pam_result {
	uint64_t v[2];		/* soft, hard */
	int prio[2];		/* 0 user, 1 group, 2 "*"; 3: not set */
	char where[2][160];	/* file:line that set it */
};

struct user_info {
	const char *name;
	bool known;		/* found in etc/passwd */
	unsigned long uid, gid;
	char *groups;		/* etc/group: the lines naming the user or the primary gid */
};

static int lookup_user(struct doctor_run *run, struct user_info *u)
{
	_cleanup_free_ char *pw = NULL, *gr = NULL;
	size_t nl = strlen(u->name);

	if (sysfs_read_alloc(run->ctx, "etc/passwd", &pw) < 0)
		return 0;
	for (char *l = pw; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, u->name, nl) && l[nl] == ':' &&
		    sscanf(l + nl, ":%*[^:]:%lu:%lu", &u->uid, &u->gid) == 2)
			u->known = true;
	}
	if (u->known && sysfs_read_alloc(run->ctx, "etc/group", &gr) >= 0) {
		u->groups = gr;
		gr = NULL;
	}
	return 0;
}

/* Is the user in group (by name), as its primary group or a listed member?  From etc/group. */
static bool in_group(const struct user_info *u, const char *group)
{
	_cleanup_free_ char *copy = u->groups ? strdup(u->groups) : NULL;
	char *save = NULL;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { l, NULL, NULL, NULL }, *msave = NULL;

		for (int i = 1; i < 4; i++)
			f[i] = f[i - 1] && strchr(f[i - 1], ':') ? strchr(f[i - 1], ':') + 1 : NULL;
		if (!f[3] || strncmp(l, group, strlen(group)) || l[strlen(group)] != ':')
			continue;
		if (strtoul(f[2], NULL, 10) == u->gid)
			return true;
		for (char *m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave)) {
			if (!strcmp(m, u->name))
				return true;
		}
	}
	return false;
}

/* The priority of a limits.conf domain for the user, or -1 when it does not apply. */
static int domain_prio(const struct user_info *u, const char *dom)
{
	unsigned long lo, hi;
	char *end;

	if (!strcmp(dom, u->name))
		return 0;
	if (dom[0] == '@')
		return u->known && in_group(u, dom + 1) ? 1 : -1;
	if (!strcmp(dom, "*"))
		return u->known && u->uid == 0 ? -1 : 2;	/* never for root */
	if (isdigit((unsigned char)dom[0]) || dom[0] == ':') {
		lo = strtoul(dom, &end, 10);
		if (*end != ':' || !u->known)
			return -1;
		hi = end[1] ? strtoul(end + 1, NULL, 10) : ULONG_MAX;
		return u->uid >= (dom[0] == ':' ? hi : lo) && u->uid <= hi ? 0 : -1;
	}
	return -1;
}

static void pam_line(const struct user_info *u, const char *file, unsigned int lineno,
		     const char *line, struct pam_result *res)
{
	char dom[64], type[16], item[16], val[32];
	uint64_t bytes;
	int prio;

	if (sscanf(line, " %63s %15s %15s %31s", dom, type, item, val) != 4 || dom[0] == '#' ||
	    strcasecmp(item, "memlock") || (prio = domain_prio(u, dom)) < 0)
		return;
	if (!strcmp(val, "unlimited") || !strcmp(val, "infinity") || !strcmp(val, "-1"))
		bytes = UNLIMITED;
	else if (isdigit((unsigned char)val[0]))
		bytes = strtoull(val, NULL, 10) * 1024;
	else
		return;
	for (int k = 0; k < 2; k++) {
		bool applies = !strcmp(type, "-") || !strcasecmp(type, k ? "hard" : "soft");

		if (!applies || prio > res->prio[k])
			continue;
		res->v[k] = bytes;
		res->prio[k] = prio;
		doc_fmt(res->where[k], sizeof(res->where[k]), "%s:%u", file, lineno);
	}
}

static void pam_file(struct doctor_run *run, const struct user_info *u, const char *path,
		     struct ictl_check *c, struct pam_result *res)
{
	_cleanup_free_ char *text = NULL;
	unsigned int lineno = 0;
	char shown[PATH_MAX];

	if (sysfs_read_alloc(run->ctx, path, &text) < 0)
		return;
	snprintf(shown, sizeof(shown), "/%s", path);
	doc_read(c, shown);
	for (char *l = text, *nl; l && *l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		lineno++;
		pam_line(u, shown, lineno, l, res);
	}
}

static void pam_limits(struct doctor_run *run, const struct user_info *u, struct ictl_check *c,
		       struct pam_result *res)
{
	_cleanup_strv_ struct strv d = { 0 };
	char path[PATH_MAX];

	*res = (struct pam_result){ .prio = { 3, 3 } };
	pam_file(run, u, "etc/security/limits.conf", c, res);
	if (sysfs_list(run->ctx, "etc/security/limits.d", &d) < 0)
		return;
	strv_foreach(&d, i) {
		size_t n = strlen(d.v[i]);

		if (n > 5 && !strcmp(d.v[i] + n - 5, ".conf") &&
		    !path_fmt(path, sizeof(path), "etc/security/limits.d/%s", d.v[i]))
			pam_file(run, u, path, c, res);
	}
}

/* The last DefaultLimitMEMLOCK= of one file into val (unchanged when it has none). */
static void systemd_file(struct doctor_run *run, struct ictl_check *c, const char *path, char *val,
			 size_t len)
{
	_cleanup_free_ char *text = NULL;
	static const char key[] = "DefaultLimitMEMLOCK=";
	char shown[PATH_MAX];

	if (sysfs_read_alloc(run->ctx, path, &text) < 0)
		return;
	snprintf(shown, sizeof(shown), "/%s", path);
	doc_read(c, shown);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, sizeof(key) - 1)) {
			size_t n = strcspn(l + sizeof(key) - 1, "\n");

			str_copy(val, l + sizeof(key) - 1, n + 1 < len ? n + 1 : len);
		}
	}
}

/* DefaultLimitMEMLOCK=SOFT[:HARD] of etc/systemd/system.conf, then system.conf.d; "" unset. */
static void systemd_default(struct doctor_run *run, struct ictl_check *c, char *val, size_t len)
{
	_cleanup_strv_ struct strv d = { 0 };
	char path[PATH_MAX];

	val[0] = '\0';
	systemd_file(run, c, "etc/systemd/system.conf", val, len);
	if (sysfs_list(run->ctx, "etc/systemd/system.conf.d", &d) < 0)
		return;
	strv_foreach(&d, i) {
		if (!path_fmt(path, sizeof(path), "etc/systemd/system.conf.d/%s", d.v[i]))
			systemd_file(run, c, path, val, len);
	}
}

static void user_found(struct doctor_run *run, struct ictl_check *c, const struct user_info *u,
		       const struct pam_result *res, const char *sd)
{
	char s[32], h[32];

	doc_found(c, "%s", u->name);
	if (!u->known)
		doc_found_add(c, "not in /etc/passwd%s: lines for its groups and uid ranges could not be matched",
			      run->live ? "" : " (a capture holds no passwd)");
	if (res->prio[0] < 3 || res->prio[1] < 3)
		doc_found_add(c, "pam_limits gives soft %s (%s), hard %s (%s)",
			      res->prio[0] < 3 ? ictl_size_str(res->v[0], s, sizeof(s)) : "not set",
			      res->prio[0] < 3 ? res->where[0] : "-",
			      res->prio[1] < 3 ? ictl_size_str(res->v[1], h, sizeof(h)) : "not set",
			      res->prio[1] < 3 ? res->where[1] : "-");
	else
		doc_found_add(c, "no memlock line of limits.conf or limits.d applies: a login session keeps the limit it inherits");
	if (sd[0])
		doc_found_add(c, "systemd services get DefaultLimitMEMLOCK=%s unless their unit sets LimitMEMLOCK=", sd);
	else
		doc_found_add(c, "systemd's DefaultLimitMEMLOCK is not set: services get its built-in default unless their unit sets LimitMEMLOCK=");
}

int doc_check_memlock_user(struct doctor_run *run, struct ictl_check *c)
{
	struct user_info u = { .name = run->o->user };
	struct pam_result res;
	char sd[64];

	if (!u.name)
		return DOC_NOT_APPLICABLE;
	doc_read(c, "/etc/passwd");
	lookup_user(run, &u);
	pam_limits(run, &u, c, &res);
	systemd_default(run, c, sd, sizeof(sd));
	user_found(run, c, &u, &res, sd);
	free(u.groups);
	if (u.known && u.uid == 0) {
		c->status = ICTL_CHECK_OK;
		doc_found_add(c, "root has CAP_IPC_LOCK: not limited");
		return 0;
	}
	if (res.prio[0] < 3 || res.prio[1] < 3) {
		judge_limit(run, c, res.prio[0] < 3 ? res.v[0] : res.v[1],
			    res.prio[1] < 3 ? res.v[1] : res.v[0]);
	} else {
		c->status = run->o->memory ? ICTL_CHECK_WARN : ICTL_CHECK_SKIP;
		doc_found_add(c, "the limit could not be determined: the kernel's default is 8 MiB (since Linux 5.16), far below any VM");
	}
	if (c->status == ICTL_CHECK_WARN || c->status == ICTL_CHECK_FAIL)
		doc_fix(c, "echo '%s - memlock %" PRIu64 "' > /etc/security/limits.d/90-vmm-%s.conf (KiB; at the next login); for a VMM started by systemd, LimitMEMLOCK=%" PRIu64 " in its unit (systemctl edit UNIT)",
			u.name, kib_up(run->o->memory), u.name, run->o->memory);
	return 0;
}

/* --- hugepages ---------------------------------------------------------------------------------- */

struct hp_size {
	uint64_t kb, nr, free;
};

static int read_hugepages(struct doctor_run *run, struct hp_size *v, size_t max, size_t *n)
{
	_cleanup_strv_ struct strv d = { 0 };
	int r = sysfs_list(run->ctx, "sys/kernel/mm/hugepages", &d);

	*n = 0;
	if (r < 0)
		return r;
	strv_foreach(&d, i) {
		char path[PATH_MAX];
		struct hp_size h = { 0 };

		if (*n >= max || sscanf(d.v[i], "hugepages-%" SCNu64 "kB", &h.kb) != 1)
			continue;
		if (!path_fmt(path, sizeof(path), "sys/kernel/mm/hugepages/%s/nr_hugepages", d.v[i]))
			sysfs_read_u64(run->ctx, path, &h.nr);
		if (!path_fmt(path, sizeof(path), "sys/kernel/mm/hugepages/%s/free_hugepages", d.v[i]))
			sysfs_read_u64(run->ctx, path, &h.free);
		v[(*n)++] = h;
	}
	return 0;
}

static void hugepages_fix(struct doctor_run *run, struct ictl_check *c, const struct hp_size *v,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t size = v[i].kb * 1024, need = run->o->memory / size + !!(run->o->memory % size);

		if (v[i].kb == 2048)
			doc_fix_add(c, "echo %" PRIu64 " > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages (2 MiB pages, now; vm.nr_hugepages in /etc/sysctl.d to keep it)",
				    v[i].nr + need - (need < v[i].free ? need : v[i].free));
		else if (v[i].kb == 1048576)
			doc_fix_add(c, "hugepagesz=1G hugepages=%" PRIu64 " on the kernel command line (1 GiB pages are best reserved at boot) %s",
				    need, doc_grub_hint);
	}
}

int doc_check_hugepages(struct doctor_run *run, struct ictl_check *c)
{
	struct hp_size v[8];
	char sz[32], want[32];
	size_t n;
	int r;

	doc_read(c, "/sys/kernel/mm/hugepages");
	r = read_hugepages(run, v, ARRAY_SIZE(v), &n);
	if (doc_have(run, r, DOC_CAPTURE_VERSION) == DOC_NOT_CAPTURED) {
		doc_not_captured(run, c, "the hugepage pools (/sys/kernel/mm/hugepages)");
		return 0;
	}
	if (r < 0 || !n) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "no hugepage pools: a kernel without CONFIG_HUGETLBFS; VMs use small or transparent pages");
		return 0;
	}
	c->found[0] = '\0';
	for (size_t i = 0; i < n; i++)
		doc_found_add(c, "%s: %" PRIu64 " free of %" PRIu64,
			      ictl_size_str(v[i].kb * 1024, sz, sizeof(sz)), v[i].free, v[i].nr);
	if (!run->o->memory) {
		c->status = ICTL_CHECK_SKIP;
		doc_found_add(c, "no size to compare with: give --memory SIZE");
		return 0;
	}
	ictl_size_str(run->o->memory, want, sizeof(want));
	for (size_t i = 0; i < n; i++) {
		if (v[i].free * v[i].kb * 1024 >= run->o->memory) {
			c->status = ICTL_CHECK_OK;
			doc_found_add(c, "enough free %s pages to back %s",
				      ictl_size_str(v[i].kb * 1024, sz, sizeof(sz)), want);
			return 0;
		}
	}
	c->status = ICTL_CHECK_WARN;
	doc_found_add(c, "not enough free hugepages of any size to back %s: the VMM falls back to small or transparent pages (slower: more IOTLB and TLB misses)",
		      want);
	hugepages_fix(run, c, v, n);
	return 0;
}
