/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan of a claim or release: each member's wanted state, the steps that
 * get it there, and what is in use.
 * Calls (see the layering in internal.h): members, the journal (a release
 * restores what the claim recorded) and the in-use checks.
 */
#ifndef ICTL_OWNER_PLAN_H
#define ICTL_OWNER_PLAN_H

#include "internal.h"
#include "owner-journal.h"

/*
 * Build p's steps from each member's current and wanted state (replacing any);
 * modprobe: a claim's target driver is not registered yet, load it first.
 * Reads nothing but p.
 */
int own_plan_build(struct ictl_own_plan *p, bool modprobe);
/*
 * A release's wanted state of each member: what the journal j of the claim
 * recorded, else any non-VFIO driver for a member on VFIO (the kernel's probe),
 * else where it is now.  j may be empty.  Reads nothing but p and j.
 */
void own_plan_release_wants(struct ictl_own_plan *p, const struct own_journal *j);

#endif
