// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state of ownership transactions on disk: the state directory, a flock
 * per group that keeps two runs apart, and the journal (written atomically:
 * temp file, fsync, rename; the format is in owner-journal.h).
 *
 * The journal holds, for every member, the state recovery brings it to: the
 * original driver and driver_override while a claim runs ("claiming": undo),
 * the same while a release runs ("releasing": finish).  A finished claim
 * leaves it in phase "claimed", so that release knows what to restore.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "owner-journal.h"
#include "owner-members.h"

#define MAGIC "iommuctl-journal 1\n"

/* --- the state directory and the lock ---------------------------------------------- */

static int state_path(struct ictl_ctx *ctx, char *buf, size_t len)
{
	const char *env = getenv("IOMMUCTL_STATE_DIR");
	char live[PATH_MAX], mine[PATH_MAX];

	if (env && env[0])
		str_copy(buf, env, len);
	else if (ctx->live)
		str_copy(buf, "/run/iommuctl", len);
	else if (path_fmt(buf, len, "%s/run/iommuctl", ctx->root))
		return ictl_err(ctx, ENAMETOOLONG, "sysroot path too long");
	if (!ctx->live && (!strcmp(buf, "/run/iommuctl") || !strcmp(buf, "/run/iommuctl/") ||
			   (realpath("/run/iommuctl", live) && realpath(buf, mine) &&
			    !strcmp(live, mine))))
		return ictl_err(ctx, EINVAL,
				"with --sysroot the state directory must not be the live /run/iommuctl (set IOMMUCTL_STATE_DIR)");
	return 0;
}

static int mkdir_p(char *path)
{
	for (char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (!s)
			return 0;
		*s = '/';
	}
}

int own_state_dir(struct ictl_ctx *ctx, bool create)
{
	char path[PATH_MAX];
	int r = state_path(ctx, path, sizeof(path)), fd;

	if (r < 0)
		return r;
	if (create && (r = mkdir_p(path)) < 0)
		return ictl_err(ctx, -r, "state directory %s: %s", path, strerror(-r));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && !create ? -ENOENT :
		       ictl_err(ctx, errno, "state directory %s: %s", path, strerror(errno));
	return fd;
}

int own_lock_group(struct ictl_ctx *ctx, int dfd, unsigned int group, unsigned int timeout_ms,
		   bool *waited)
{
	char name[64], holder[16] = "";
	int fd;

	if (waited)
		*waited = false;
	snprintf(name, sizeof(name), "group-%u.lock", group);
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return ictl_err(ctx, errno, "lock %s: %s", name, strerror(errno));
	for (unsigned int waited_ms = 0;; waited_ms += 50) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Who has it, for the next run's message. */
			if (ftruncate(fd, 0) == 0)
				dprintf(fd, "%d\n", (int)getpid());
			if (waited)
				*waited = waited_ms > 0;
			return fd;
		}
		if (errno != EWOULDBLOCK || waited_ms >= timeout_ms)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	holder[pread(fd, holder, sizeof(holder) - 1, 0) > 0 ? strcspn(holder, "\n") : 0] = '\0';
	close(fd);
	return ictl_err(ctx, EAGAIN,
			"group %u is locked by another iommuctl run%s%s%s (waited %u ms); try again when it ends%s",
			group, holder[0] ? " (pid " : "", holder, holder[0] ? ")" : "", timeout_ms,
			holder[0] ? ", or stop a --hold with kill -TERM" : "");
}

/* --- the journal's text ------------------------------------------------------------ */

static void undash(char *s)
{
	if (!strcmp(s, "-"))
		s[0] = '\0';
}

int journal_parse(struct ictl_ctx *ctx, char *text, struct own_journal *j)
{
	char *save = NULL;

	if (strncmp(text, MAGIC, strlen(MAGIC)))
		return ictl_err(ctx, EINVAL, "group %u: journal has an unknown format", j->group);
	for (char *l = strtok_r(text + strlen(MAGIC), "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct own_jrec rec = { 0 }, *slot;

		if (sscanf(l, "phase %15s", j->phase) == 1 ||
		    sscanf(l, "target %63s", j->target) == 1)
			continue;
		if (sscanf(l, "member %63s driver %63s override %63s", rec.device, rec.driver,
			   rec.override) != 3)
			continue;
		undash(rec.driver);
		undash(rec.override);
		slot = array_push(&j->v, &j->n, sizeof(*j->v));
		if (!slot)
			return -ENOMEM;
		*slot = rec;
	}
	undash(j->target);
	return j->phase[0] ? 0 : ictl_err(ctx, EINVAL, "group %u: journal has no phase", j->group);
}

char *journal_format(const struct own_journal *j, int pid)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, MAGIC "group %u\nphase %s\ntarget %s\npid %d\n", j->group, j->phase,
		own_dash(j->target), pid);
	for (size_t i = 0; i < j->n; i++)
		fprintf(f, "member %s driver %s override %s\n", j->v[i].device,
			own_dash(j->v[i].driver), own_dash(j->v[i].override));
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- the journal's file ------------------------------------------------------------ */

int journal_read(struct ictl_ctx *ctx, int dfd, unsigned int group, struct own_journal *j)
{
	char name[64], buf[16384];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	*j = (struct own_journal){ .group = group };
	snprintf(name, sizeof(name), "group-%u.journal", group);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	r = journal_parse(ctx, buf, j);
	if (r < 0)
		journal_clear(j);
	return r;
}

int journal_write(struct ictl_ctx *ctx, int dfd, const struct own_journal *j)
{
	_cleanup_free_ char *text = journal_format(j, (int)getpid());
	char name[64];
	int r;

	snprintf(name, sizeof(name), "group-%u.journal", j->group);
	r = text ? write_file_atomic(dfd, name, text, 0600) : -ENOMEM;
	return r < 0 ? ictl_err(ctx, -r, "journal %s: %s", name, strerror(-r)) : 0;
}

void journal_remove(int dfd, unsigned int group)
{
	char name[64];

	snprintf(name, sizeof(name), "group-%u.journal", group);
	unlinkat(dfd, name, 0);
	snprintf(name, sizeof(name), "group-%u.paused", group);
	unlinkat(dfd, name, 0);
	fsync(dfd);
}

void journal_clear(struct own_journal *j)
{
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

void journal_peek(struct ictl_ctx *ctx, unsigned int group, struct own_journal *j)
{
	_cleanup_close_ int dfd = own_state_dir(ctx, false);

	*j = (struct own_journal){ 0 };
	if (dfd >= 0 && journal_read(ctx, dfd, group, j) < 0)
		*j = (struct own_journal){ 0 };
	ctx->err[0] = '\0';
}

const struct own_jrec *journal_find(const struct own_journal *j, const char *device)
{
	for (size_t i = 0; i < j->n; i++) {
		if (!strcmp(j->v[i].device, device))
			return &j->v[i];
	}
	return NULL;
}

/* --- the records of a transaction ---------------------------------------------------- */

int journal_fill(struct own_journal *j, const struct ictl_own_plan *p,
		 const struct own_journal *prev, bool wanted)
{
	j->v = calloc(p->nmembers + 1, sizeof(*j->v));
	if (!j->v)
		return -ENOMEM;
	j->n = p->nmembers;
	for (size_t i = 0; i < p->nmembers; i++) {
		const struct ictl_own_member *m = &p->members[i];
		struct own_jrec *rec = &j->v[i];

		str_copy(rec->device, m->device, sizeof(rec->device));
		str_copy(rec->driver, wanted ? (m->want_any ? "*" : m->want_driver) : m->driver,
			 sizeof(rec->driver));
		str_copy(rec->override, wanted ? m->want_override : m->driver_override,
			 sizeof(rec->override));
		/* Re-claiming: a member still on VFIO keeps the originals of the first claim. */
		for (size_t k = 0; prev && k < prev->n && ictl_driver_is_vfio(m->driver); k++) {
			if (!strcmp(prev->v[k].device, m->device))
				*rec = prev->v[k];
		}
	}
	return 0;
}

void journal_from_rule(struct own_journal *j, const char *target)
{
	for (size_t i = 0; i < j->n; i++) {
		struct own_jrec *rec = &j->v[i];

		if (strcmp(rec->override, target))
			continue;
		rec->override[0] = '\0';
		if (!rec->driver[0] || ictl_driver_is_vfio(rec->driver))
			str_copy(rec->driver, "*", sizeof(rec->driver));
	}
}
