// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ownership transactions: under the group's lock, recover what an earlier run
 * left half done, re-plan, refuse a busy group, record the journal, run the
 * steps; on failure restore every member touched, in reverse, and verify
 * (rollback); recover finishes or undoes interrupted transactions.
 * The lock and the journal are owner-journal.c's, the plan owner-plan.c's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "owner-holders.h"
#include "owner-journal.h"
#include "owner-members.h"

extern char **environ;

/* --- restoring one device to a recorded state (rollback, recovery) ---------------- */

static bool rec_reached(const struct ictl_own_member *m, const struct own_jrec *rec)
{
	if (strcmp(m->driver_override, rec->override))
		return false;
	if (!strcmp(rec->driver, "*"))
		return !ictl_driver_is_vfio(m->driver);
	return !strcmp(m->driver, rec->driver);
}

/*
 * Converge: unbind a wrong driver, write the override, bind the recorded driver; verify.
 * fault (a test aid): write nothing, as if the kernel ignored every write.
 */
static int restore_member(struct ictl_ctx *ctx, const struct own_jrec *rec, bool fault)
{
	struct ictl_own_member m = { 0 };
	bool any = !strcmp(rec->driver, "*");
	int r;

	str_copy(m.device, rec->device, sizeof(m.device));
	r = own_member_refresh(ctx, &m);
	if (r < 0 || rec_reached(&m, rec))
		return r;
	if (!fault && m.driver[0] &&
	    (any ? ictl_driver_is_vfio(m.driver) : strcmp(m.driver, rec->driver)))
		own_dev_write(ctx, m.device, "driver/unbind", m.device);
	if (!fault && strcmp(m.driver_override, rec->override))
		own_dev_write(ctx, m.device, "driver_override", rec->override[0] ? rec->override : "\n");
	own_member_refresh(ctx, &m);
	if (!fault && ((any && !m.driver[0]) || (rec->driver[0] && strcmp(m.driver, rec->driver))))
		own_bind_to(ctx, m.device, rec->driver);
	r = own_member_refresh(ctx, &m);
	if (r < 0)
		return r;
	if (!rec_reached(&m, rec))
		return ictl_err(ctx, EIO, "%s: could not restore driver %s, driver_override %s (now %s, %s)",
				m.device, own_dash(rec->driver), own_dash(rec->override),
				own_dash(m.driver), own_dash(m.driver_override));
	return 0;
}

/*
 * Restore every member of j (only the touched ones when touched is given), last
 * first.  On failure the message is the first failed member's, whole.
 * fault_restore (a test aid): the restore with this 1-based number writes nothing, so it
 * fails unless its member is as recorded already.
 */
static int restore_all(struct ictl_ctx *ctx, const struct own_journal *j, const bool *touched,
		       unsigned int fault_restore)
{
	char first[sizeof(ctx->err)] = "";
	unsigned int k = 0;
	int r = 0;

	for (size_t i = j->n; i-- > 0;) {
		int e;

		if (touched && !touched[i])
			continue;
		ctx->err[0] = '\0';
		e = restore_member(ctx, &j->v[i], ++k == fault_restore);
		if (e < 0 && !r) {
			r = e;
			if (!ctx->err[0])
				ictl_err(ctx, -e, "%s: %s", j->v[i].device, strerror(-e));
			str_copy(first, ctx->err, sizeof(first));
		}
	}
	return r < 0 ? ictl_err(ctx, -r, "%s", first) : 0;
}

/* --- steps ------------------------------------------------------------------------- */

static int run_modprobe(struct ictl_ctx *ctx, const char *module)
{
	char *argv[] = { "modprobe", (char *)module, NULL };
	posix_spawn_file_actions_t fa;
	char path[PATH_MAX];
	int status = 0, r;
	pid_t pid;

	if (!ctx->live)
		return ictl_err(ctx, EOPNOTSUPP, "cannot load %s for a sysroot", module);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, "modprobe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return ictl_err(ctx, r, "cannot run modprobe %s: %s", module, strerror(r));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (path_fmt(path, sizeof(path), "sys/bus/pci/drivers/%s", module) == 0 &&
	    sysfs_exists(ctx, path))
		return 0;
	return ictl_err(ctx, ENOENT, "modprobe %s did not register the %s driver (exit status %d)",
			module, module, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int verify_member(struct ictl_ctx *ctx, const struct ictl_own_member *plan, bool release)
{
	struct ictl_own_member now = *plan, *m = &now;	/* the plan keeps the state before */
	int r = own_member_refresh(ctx, m);

	if (r < 0)
		return r;
	if (m->want_any ? ictl_driver_is_vfio(m->driver) : strcmp(m->driver, m->want_driver))
		return ictl_err(ctx, EIO, "%s is on %s, not %s%s", m->device, own_dash(m->driver),
				m->want_any ? "a non-VFIO driver" : own_dash(m->want_driver),
				release ? "" : " (drivers_probe reports success even when no driver binds)");
	if (strcmp(m->driver_override, m->want_override))
		return ictl_err(ctx, EIO, "%s: driver_override is %s, not %s", m->device,
				own_dash(m->driver_override), own_dash(m->want_override));
	return 0;
}

static int step_run(struct ictl_ctx *ctx, struct ictl_own_plan *p, const struct ictl_step *s)
{
	struct ictl_own_member *m = &p->members[s->member];

	switch (s->kind) {
	case ICTL_STEP_MODPROBE:
		return run_modprobe(ctx, s->value);
	case ICTL_STEP_OVERRIDE:
		return own_dev_write(ctx, m->device, "driver_override", s->value[0] ? s->value : "\n");
	case ICTL_STEP_UNBIND:
		return own_dev_write(ctx, m->device, "driver/unbind", m->device);
	case ICTL_STEP_PROBE:
		if (!p->release)
			return own_write(ctx, "sys/bus/pci/drivers_probe", m->device);
		return own_bind_to(ctx, m->device, s->value[0] ? s->value : "*");
	case ICTL_STEP_VERIFY:
		return verify_member(ctx, m, p->release);
	}
	return -EINVAL;
}

/* Test aid: stop before step k until killed, leaving group-N.paused as a sign. */
static void pause_here(int dfd, unsigned int group, unsigned int k)
{
	char name[64], buf[32];
	int fd;

	snprintf(name, sizeof(name), "group-%u.paused", group);
	unlinkat(dfd, name, 0);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		snprintf(buf, sizeof(buf), "%u %d\n", k, (int)getpid());
		if (write(fd, buf, strlen(buf)) < 0)
			k = 0;
		close(fd);
	}
	for (;;)
		pause();
}

static int steps_run(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int dfd,
		     struct ictl_own_plan *p, bool *touched)
{
	char desc[256];
	int r = 0;

	for (size_t i = 0; i < p->nsteps; i++) {
		struct ictl_step *s = &p->steps[i];
		unsigned int k = (unsigned int)i + 1;

		if (r < 0) {
			s->status = ICTL_STEP_NOT_RUN;
			continue;
		}
		if (o->pause_step == k)
			pause_here(dfd, p->group, k);
		if (s->kind != ICTL_STEP_MODPROBE)
			touched[s->member] = true;
		ictl_step_describe(p, s, desc, sizeof(desc));
		ctx->err[0] = '\0';
		if (o->fault_step == k)
			r = ictl_err(ctx, EIO, "step %u (%s): fault injected (IOMMUCTL_FAULT_STEP=%u)",
				     k, desc, k);
		else if ((r = step_run(ctx, p, s)) < 0)
			r = ictl_err_wrap(ctx, -r, "step %u (%s) failed", k, desc);
		s->status = r < 0 ? ICTL_STEP_FAILED : ICTL_STEP_DONE;
		if (r < 0)
			p->failed_step = k;
	}
	return r;
}

/* --- transactions --------------------------------------------------------------------- */

/*
 * Every member a journal names is in its group now: a journal naming another
 * group's device is not acted on.
 */
static int members_belong(struct ictl_ctx *ctx, int dfd, const struct own_journal *j)
{
	struct ictl_own_member *m = NULL;
	char name[64], file[PATH_MAX];
	size_t n = 0;
	int r = own_group_members(ctx, j->group, &m, &n);

	snprintf(name, sizeof(name), "group-%u.journal", j->group);
	(void)dfd;
	if (own_state_name(ctx, name, file, sizeof(file)) < 0)
		str_copy(file, name, sizeof(file));
	if (r < 0)
		return ictl_err_wrap(ctx, -r, "%s: cannot read the members of group %u; nothing was done and the file is kept",
				     file, j->group);
	for (size_t i = 0; i < j->n && !r; i++) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(m[k].device, j->v[i].device);
		if (!found)
			r = ictl_err_data(ctx, EINVAL,
					  "%s line %zu: member %s is not in group %u; nothing was done and the file is kept: fix or remove it (iommuctl-recover(8))",
					  file, i + 6, j->v[i].device, j->group);
	}
	free(m);
	return r;
}

/* Finish or undo an interrupted transaction of this group (the lock is held). */
static int recover_locked(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int dfd,
			  unsigned int group, char *phase, size_t len)
{
	struct own_journal j;
	int r = journal_read(ctx, dfd, group, &j);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	str_copy(phase, j.phase, len);
	if (!strcmp(j.phase, "claimed")) {
		journal_clear(&j);
		return 0;
	}
	r = members_belong(ctx, dfd, &j);
	if (r < 0) {
		phase[0] = '\0';
		journal_clear(&j);
		return r;
	}
	r = restore_all(ctx, &j, NULL, o->fault_restore);
	if (r < 0) {
		r = ictl_err_wrap(ctx, -r, "group %u: recovering the interrupted %s", group, j.phase);
	} else {
		journal_remove(dfd, group);
		r = 1;
	}
	journal_clear(&j);
	return r;
}

static int busy_refusal(struct ictl_ctx *ctx, const struct ictl_own_opts *o,
			const struct ictl_own_plan *p)
{
	for (size_t i = 0; i < p->nbusy; i++) {
		const struct ictl_busy *b = &p->busy[i];

		if (b->forceable && o->force)
			continue;
		return ictl_err(ctx, EBUSY, "group %u: %s is in use: %s; %s", p->group, b->device,
				b->reason,
				b->forceable ? "--force goes ahead anyway" :
					       "close it first (--force does not override an open VFIO device)");
	}
	return 0;
}

static int replan(struct ictl_ctx *ctx, struct ictl_own_plan *p)
{
	struct ictl_own_plan np;
	char target[ICTL_NAME_MAX];
	int r;

	str_copy(target, p->target, sizeof(target));
	r = p->release ? ictl_release_plan(ctx, p->group, &np) :
			 ictl_claim_plan(ctx, p->group, target, &np);
	if (r < 0)
		return r;
	np.recovered = p->recovered;
	ictl_own_plan_clear(p);
	*p = np;
	return 0;
}

/*
 * A step failed (err, message in ctx): restore the members touched, as they were
 * before.  The message says what failed and whether the group is as it was; when a
 * restore failed, why, and that 'iommuctl recover' finishes the job.
 */
static int rollback(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int dfd,
		    struct ictl_own_plan *p, const struct own_journal *prev, const bool *touched,
		    int err)
{
	struct own_journal before = { .group = p->group };
	char failure[sizeof(ctx->err)], restore[sizeof(ctx->err)];
	int r;

	/* The step's failure, kept aside: the restores write messages of their own. */
	str_copy(failure, ctx->err, sizeof(failure));
	ctx->err[0] = '\0';
	/* A failed transaction is a failure (exit 1), whatever the step's errno. */
	if (err != -EACCES && err != -EPERM)
		err = -EIO;
	r = journal_fill(&before, p, NULL, false);
	if (!r)
		r = restore_all(ctx, &before, touched, o->fault_restore);
	journal_clear(&before);
	p->rolled_back = true;
	p->rollback_ok = r == 0;
	if (r < 0) {
		str_copy(restore, ctx->err[0] ? ctx->err : strerror(-r), sizeof(restore));
		return ictl_err(ctx, -err, "%s; ROLLBACK FAILED: %s; run 'iommuctl recover'",
				failure, restore);
	}
	for (size_t i = 0; i < p->nsteps; i++) {
		if (p->steps[i].status == ICTL_STEP_DONE && p->steps[i].kind != ICTL_STEP_MODPROBE)
			p->steps[i].status = ICTL_STEP_UNDONE;
	}
	if (prev->n)
		journal_write(ctx, dfd, prev);
	else
		journal_remove(dfd, p->group);
	return ictl_err(ctx, -err, "%s; rolled back: every member verified as it was", failure);
}

static int transact(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int dfd,
		    struct ictl_own_plan *p)
{
	struct own_journal prev, j = { .group = p->group };
	bool *touched = calloc(p->nmembers + 1, sizeof(*touched));
	int r = touched ? 0 : -ENOMEM;

	if (journal_read(ctx, dfd, p->group, &prev) < 0 || strcmp(prev.phase, "claimed"))
		journal_clear(&prev);
	str_copy(j.phase, p->release ? "releasing" : "claiming", sizeof(j.phase));
	str_copy(j.target, p->target, sizeof(j.target));
	if (!r)
		r = journal_fill(&j, p, &prev, p->release);
	if (!r && o->persisted && !p->release && !prev.n)
		journal_from_rule(&j, p->target);
	if (!r)
		r = journal_write(ctx, dfd, &j);
	if (!r)
		r = steps_run(ctx, o, dfd, p, touched);
	if (r < 0 && p->failed_step)
		r = rollback(ctx, o, dfd, p, &prev, touched, r);
	else if (!r && p->release)
		journal_remove(dfd, p->group);
	else if (!r && (str_copy(j.phase, "claimed", sizeof(j.phase)), 1))
		r = journal_write(ctx, dfd, &j);
	p->changed = !p->rolled_back && p->nsteps > 0;
	journal_clear(&j);
	journal_clear(&prev);
	free(touched);
	return r;
}

/* The transaction, with the group's lock held. */
static int apply_locked(struct ictl_ctx *ctx, const struct ictl_own_opts *o, int dfd,
			struct ictl_own_plan *p)
{
	char phase[16];
	int r = recover_locked(ctx, o, dfd, p->group, phase, sizeof(phase));

	if (r < 0)
		return r;
	p->recovered = r > 0;
	r = replan(ctx, p);
	if (!r)
		r = busy_refusal(ctx, o, p);
	if (r < 0)
		return r;
	if (!p->nsteps && p->release)
		journal_remove(dfd, p->group);	/* a record of a claim someone undid by hand */
	return p->nsteps ? transact(ctx, o, dfd, p) : 0;
}

int ictl_own_apply(struct ictl_ctx *ctx, const struct ictl_own_opts *o, struct ictl_own_plan *p)
{
	_cleanup_close_ int dfd = -1;
	int held = o->lock_fd ? *o->lock_fd : -1, lfd, r;
	bool waited = false;

	if (o->dry_run)
		return busy_refusal(ctx, o, p);
	if (ctx->live && geteuid() != 0)
		return ictl_err(ctx, EPERM, "changing the drivers of group %u needs root", p->group);
	dfd = own_state_dir(ctx, true);
	if (dfd < 0)
		return dfd;
	lfd = held >= 0 ? held : own_lock_group(ctx, dfd, p->group, o->lock_timeout_ms, &waited);
	if (lfd < 0)
		return lfd;
	/*
	 * Another run had the group, or the caller has held the lock since an earlier
	 * transaction (a --hold): who holds VFIO nodes may have changed meanwhile.
	 */
	if (waited || held >= 0)
		holders_forget(ctx);
	r = apply_locked(ctx, o, dfd, p);
	if (o->lock_fd && r >= 0)
		*o->lock_fd = lfd;	/* the caller keeps the group locked */
	else if (lfd != held)
		close(lfd);
	return r;
}

/*
 * The groups with a journal in the state directory (listed by its fd: it is not
 * below the root), by their names: group-N.journal with N a group number; any
 * other name that starts so is refused (-EINVAL naming it) before anything is done.
 */
static int journal_groups(struct ictl_ctx *ctx, int dfd, struct strv *names)
{
	char path[64], file[PATH_MAX];
	struct dirent *de;
	int r = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", dfd);
	d = opendir(path);
	if (!d)
		return ictl_err(ctx, errno, "state directory: %s", strerror(errno));
	while (!r && (de = readdir(d))) {
		const char *num = de->d_name + 6, *dot;
		char digits[16];
		unsigned int g;

		if (strncmp(de->d_name, "group-", 6) || !(dot = strstr(num, ".journal")))
			continue;
		if (strcmp(dot, ".journal") || (size_t)(dot - num) >= sizeof(digits) ||
		    (snprintf(digits, sizeof(digits), "%.*s", (int)(dot - num), num),
		     ictl_parse_group_id(ctx, digits, &g) < 0)) {
			if (own_state_name(ctx, de->d_name, file, sizeof(file)) < 0)
				str_copy(file, de->d_name, sizeof(file));
			r = ictl_err_data(ctx, EINVAL,
					  "%s: not a journal name iommuctl writes (group-N.journal, N a group number): nothing was done; remove it",
					  file);
		} else {
			r = strv_push(names, de->d_name);
		}
	}
	closedir(d);
	return r;
}

int ictl_own_recover(struct ictl_ctx *ctx, const struct ictl_own_opts *o,
		     struct ictl_recovered *out, size_t max)
{
	_cleanup_strv_ struct strv names = { 0 };
	_cleanup_close_ int dfd = own_state_dir(ctx, false);
	int n = 0, r;

	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	if (ctx->live && geteuid() != 0)
		return ictl_err(ctx, EPERM, "recover changes drivers: run as root");
	r = journal_groups(ctx, dfd, &names);
	if (r < 0)
		return r;
	strv_foreach(&names, i) {
		unsigned int group = (unsigned int)strtoul(names.v[i] + 6, NULL, 10);
		char phase[16] = "";
		_cleanup_close_ int lfd = own_lock_group(ctx, dfd, group, o->lock_timeout_ms, NULL);

		r = lfd < 0 ? lfd : recover_locked(ctx, o, dfd, group, phase, sizeof(phase));
		if (r == 0)
			continue;
		if ((size_t)n < max) {
			out[n].group = group;
			str_copy(out[n].phase, phase, sizeof(out[n].phase));
			out[n].ok = r > 0;
		}
		n++;
	}
	return n;
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && v[0] ? (unsigned int)strtoul(v, NULL, 10) : def;
}

void ictl_own_opts_from_env(struct ictl_own_opts *o)
{
	o->fault_step = env_uint("IOMMUCTL_FAULT_STEP", 0);
	o->fault_restore = env_uint("IOMMUCTL_FAULT_RESTORE", 0);
	o->pause_step = env_uint("IOMMUCTL_PAUSE_STEP", 0);
	o->lock_timeout_ms = env_uint("IOMMUCTL_LOCK_TIMEOUT", 30) * 1000;
}
