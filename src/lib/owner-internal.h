/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by owner.c (plans, in-use, status) and owner-txn.c (journal, lock, steps). */
#ifndef ICTL_OWNER_INTERNAL_H
#define ICTL_OWNER_INTERNAL_H

#include "internal.h"

/* One device of a journal: the state recovery brings it to. */
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

/* Write a whole attribute below the root (sysfs, or a capture's plain file). */
int own_write(struct ictl_ctx *ctx, const char *path, const char *val);
/* Read the current driver and driver_override of a device into m. */
int own_member_refresh(struct ictl_ctx *ctx, struct ictl_own_member *m);
/* The members of a group, bridges marked. */
int own_group_members(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_member **out,
		      size_t *n);
/* The first endpoint not on a VFIO driver, or NULL when the group is claimed; counts endpoints. */
const struct ictl_own_member *own_unclaimed(const struct ictl_own_member *m, size_t n,
					    size_t *endpoints);
/* -EUNATCH: the group is not claimed, naming the endpoint off and what to run. */
int own_err_unclaimed(struct ictl_ctx *ctx, unsigned int group, const struct ictl_own_member *off);
/* Fill p->busy for the members the plan changes. */
int own_check_in_use(struct ictl_ctx *ctx, struct ictl_own_plan *p);
/* Build p's steps from each member's current and wanted state. */
int own_plan_steps(struct ictl_ctx *ctx, struct ictl_own_plan *p);

/* The state directory, opened (created when create); -ENOENT when absent and !create. */
int own_state_dir(struct ictl_ctx *ctx, bool create);
int journal_read(struct ictl_ctx *ctx, int dfd, unsigned int group, struct own_journal *j);
void journal_clear(struct own_journal *j);

#endif
