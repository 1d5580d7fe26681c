// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who owns a group now: the kernel's drivers, userspace (a VFIO driver on every
 * endpoint), a process holding its VFIO device or group node open, or a mix
 * that VFIO cannot use; and the phase of its journal, if any.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "owner-journal.h"
#include "owner-members.h"

const char *ictl_own_state_name(enum ictl_own_state s)
{
	static const char *const names[] = { "kernel", "userspace", "held", "mixed" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

/* The group node and every member's cdev, asked of the holders snapshot. */
static int status_holders(struct ictl_ctx *ctx, struct ictl_own_status *st)
{
	char (*paths)[64] = calloc(st->nmembers + 1, sizeof(*paths));
	const char **pv = calloc(st->nmembers + 1, sizeof(*pv));
	size_t np = 0;
	int r = -ENOMEM;

	if (paths && pv) {
		snprintf(paths[np], sizeof(paths[np]), "/dev/vfio/%u", st->group);
		pv[np] = paths[np];
		np++;
		for (size_t i = 0; i < st->nmembers; i++) {
			if (!st->members[i].vfio_dev[0])
				continue;
			snprintf(paths[np], sizeof(paths[np]), "/dev/vfio/devices/%s",
				 st->members[i].vfio_dev);
			pv[np] = paths[np];
			np++;
		}
		r = ictl_vfio_holders(ctx, pv, np, &st->holders, &st->nholders);
	}
	free(paths);
	free(pv);
	return r;
}

static void status_classify(struct ictl_own_status *st)
{
	size_t on_vfio = 0;

	for (size_t i = 0; i < st->nmembers; i++) {
		const struct ictl_own_member *m = &st->members[i];

		if (m->bridge)
			continue;
		if (ictl_driver_is_vfio(m->driver))
			on_vfio++;
		else if (!ictl_driver_is_dma_managed(m->driver)) {
			struct ictl_blocker *b = array_push(&st->blockers, &st->nblockers,
							    sizeof(*b));

			if (b) {
				str_copy(b->device, m->device, sizeof(b->device));
				str_copy(b->driver, m->driver, sizeof(b->driver));
			}
		}
	}
	if (!on_vfio)
		st->state = ICTL_OWN_KERNEL;
	else if (st->nblockers)
		st->state = ICTL_OWN_MIXED;
	else
		st->state = st->nholders ? ICTL_OWN_HELD : ICTL_OWN_USER;
}

int ictl_own_status_read(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_status *st)
{
	_cleanup_close_ int dfd = -1;
	struct own_journal j = { 0 };
	char path[64];
	int r;

	*st = (struct ictl_own_status){ .group = group };
	r = own_group_members(ctx, group, &st->members, &st->nmembers);
	if (r < 0)
		return r;
	if (!path_fmt(path, sizeof(path), "sys/kernel/iommu_groups/%u/type", group) &&
	    sysfs_read_str(ctx, path, st->type, sizeof(st->type)) < 0)
		st->type[0] = '\0';
	r = status_holders(ctx, st);
	if (r < 0) {
		ictl_own_status_clear(st);
		return r;
	}
	status_classify(st);
	dfd = own_state_dir(ctx, false);
	if (dfd >= 0 && journal_read(ctx, dfd, group, &j) == 0)
		str_copy(st->journal, j.phase, sizeof(st->journal));
	journal_clear(&j);
	ctx->err[0] = '\0';
	return 0;
}

void ictl_own_status_clear(struct ictl_own_status *st)
{
	free(st->members);
	free(st->holders);
	free(st->blockers);
	*st = (struct ictl_own_status){ 0 };
}
