/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory, the per-group lock and the journal of a transaction.
 * Calls (see the layering in internal.h): members (which driver is a VFIO
 * one), the context and utilities.
 *
 * The journal (state directory/group-N.journal, written atomically) holds, for
 * every member, the state recovery brings it to:
 *
 *   iommuctl-journal 1
 *   group 11
 *   phase claiming                 (claiming, claimed, releasing)
 *   target vfio-pci                ("-" for a release)
 *   pid 4242                       (the writer, for people; not read back)
 *   member 0000:03:00.0 driver e1000e override -
 *
 * "-" is empty; driver "*" is any non-VFIO driver (the kernel's probe).
 */
#ifndef ICTL_OWNER_JOURNAL_H
#define ICTL_OWNER_JOURNAL_H

#include "internal.h"

/* One member of a journal: the state recovery brings it to. */
struct own_jrec {
	char device[ICTL_NAME_MAX];
	char driver[ICTL_NAME_MAX];	/* "" none, "*" any non-VFIO driver (kernel's probe) */
	char override[ICTL_NAME_MAX];
};

struct own_journal {
	unsigned int group;
	char phase[16];			/* claiming, claimed, releasing */
	char target[ICTL_NAME_MAX];
	size_t n;
	struct own_jrec *v;
};

/* The state directory, opened (created when create); -ENOENT when absent and !create. */
int own_state_dir(struct ictl_ctx *ctx, bool create);
/* The path of a file of the state directory, for messages. */
int own_state_name(struct ictl_ctx *ctx, const char *name, char *buf, size_t len);
/*
 * Open a file of the state directory dfd: O_NOFOLLOW, non-blocking, a regular file
 * with one name that is root's or the caller's; created with O_EXCL when create and
 * absent.  -ENOENT (no message) when absent; otherwise a message naming the file.
 */
int own_state_open(struct ictl_ctx *ctx, int dfd, const char *name, int flags, bool create);
/*
 * Lock group in the state directory dfd (flock), waiting up to timeout_ms;
 * the lock's fd, or -EAGAIN naming the holder.  *waited (may be NULL): the
 * lock was busy at first, so another run may have changed the group meanwhile.
 */
int own_lock_group(struct ictl_ctx *ctx, int dfd, unsigned int group, unsigned int timeout_ms,
		   bool *waited);

/*
 * Parse a journal's text of len bytes (changed in place; text[len] is '\0') into
 * j, whose group is the one its file name gives; exactly what journal_format
 * writes, or -EINVAL (ictl_err_data) naming file and line.
 */
int journal_parse(struct ictl_ctx *ctx, const char *file, char *text, size_t len,
		  struct own_journal *j);
/* The text of j as journal_write() writes it, pid on its pid line; malloc'd, NULL: -ENOMEM. */
char *journal_format(const struct own_journal *j, int pid);
/* -ENOENT (no message) when the group has no journal. */
int journal_read(struct ictl_ctx *ctx, int dfd, unsigned int group, struct own_journal *j);
int journal_write(struct ictl_ctx *ctx, int dfd, const struct own_journal *j);
/* Remove the group's journal (and the paused sign of a test run). */
void journal_remove(int dfd, unsigned int group);
void journal_clear(struct own_journal *j);
/* The group's journal, whatever its phase, or an empty one; never creates the directory. */
void journal_peek(struct ictl_ctx *ctx, unsigned int group, struct own_journal *j);
const struct own_jrec *journal_find(const struct own_journal *j, const char *device);

/*
 * The records of a transaction about to run p: each member's state now, or
 * with wanted the state p moves it to (a release).  A member still on a VFIO
 * driver keeps the record of prev (the claim before: re-claiming keeps the
 * originals).  prev may be NULL.
 */
int journal_fill(struct own_journal *j, const struct ictl_own_plan *p,
		 const struct own_journal *prev, bool wanted);
/*
 * claim --persisted, run by a persist rule: the rule set driver_override to the target
 * before anything else ran, so the original is no override, and the kernel's default
 * probe ("*") for a device the rule found without a driver or already on VFIO.
 */
void journal_from_rule(struct own_journal *j, const char *target);

#endif
