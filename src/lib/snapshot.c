// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The context's snapshot: a command that only reads keeps the groups and the
 * devices it scanned, and later scans and reads of one group or device are
 * answered from them, so one command reads each sysfs object once.  Callers
 * always get copies of their own: dropping the snapshot never leaves a
 * dangling pointer.  A write through the sysfs seam drops it: sysfs_open counts
 * writes, and the snapshot checks the count before it answers.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

void ictl_ctx_forget(struct ictl_ctx *ctx)
{
	struct ictl_snapshot *s = &ctx->snap;

	if (s->have_groups)
		ictl_group_list_clear(&s->groups);
	if (s->have_devices)
		ictl_device_list_clear(&s->devices);
	s->have_groups = s->have_devices = false;
	s->gen = s->writes;
	s->drop = NULL;
}

/* Drop what a write since it was kept may have changed. */
static struct ictl_snapshot *fresh(struct ictl_ctx *ctx)
{
	if (ctx->snap.gen != ctx->snap.writes)
		ictl_ctx_forget(ctx);
	return &ctx->snap;
}

void ictl_ctx_snapshot(struct ictl_ctx *ctx, bool on)
{
	if (!on)
		ictl_ctx_forget(ctx);
	ctx->snap.on = on;
}

static int group_copy(struct ictl_group *dst, const struct ictl_group *src)
{
	*dst = *src;
	dst->devices = array_alloc(src->ndevices, sizeof(*dst->devices));
	dst->resv = src->nresv ? array_alloc(src->nresv, sizeof(*dst->resv)) : NULL;
	if (row_error_dup(&dst->error, src->error) < 0 || !dst->devices ||
	    (src->nresv && !dst->resv)) {
		ictl_group_clear(dst);
		return -ENOMEM;
	}
	if (src->ndevices)	/* a row kept with its error may have none, and no array */
		memcpy(dst->devices, src->devices, src->ndevices * sizeof(*dst->devices));
	if (src->nresv)
		memcpy(dst->resv, src->resv, src->nresv * sizeof(*dst->resv));
	return 0;
}

static int device_copy(struct ictl_device *dst, const struct ictl_device *src)
{
	*dst = *src;
	dst->path = src->path ? strdup(src->path) : NULL;
	if (row_error_dup(&dst->error, src->error) < 0 || (src->path && !dst->path)) {
		ictl_device_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Copies are allocated as array_push would have grown them, so they may grow the same way. */
static int groups_copy(struct ictl_group_list *dst, const struct ictl_group_list *src)
{
	*dst = (struct ictl_group_list){ 0 };
	dst->v = array_alloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	for (; dst->n < src->n; dst->n++) {
		if (group_copy(&dst->v[dst->n], &src->v[dst->n]) < 0) {
			ictl_group_list_clear(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

static int devices_copy(struct ictl_device_list *dst, const struct ictl_device_list *src)
{
	*dst = (struct ictl_device_list){ 0 };
	dst->v = array_alloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	for (; dst->n < src->n; dst->n++) {
		if (device_copy(&dst->v[dst->n], &src->v[dst->n]) < 0) {
			ictl_device_list_clear(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

void snap_keep_groups(struct ictl_ctx *ctx, const struct ictl_group_list *l)
{
	struct ictl_snapshot *s = fresh(ctx);

	if (s->on && !s->have_groups)
		s->have_groups = groups_copy(&s->groups, l) == 0;
	if (s->have_groups)
		s->drop = ictl_ctx_forget;
}

void snap_keep_devices(struct ictl_ctx *ctx, const struct ictl_device_list *l)
{
	struct ictl_snapshot *s = fresh(ctx);

	if (s->on && !s->have_devices)
		s->have_devices = devices_copy(&s->devices, l) == 0;
	if (s->have_devices)
		s->drop = ictl_ctx_forget;
}

int snap_groups(struct ictl_ctx *ctx, struct ictl_group_list *out)
{
	if (!fresh(ctx)->have_groups)
		return 0;
	return groups_copy(out, &ctx->snap.groups) < 0 ? -ENOMEM : 1;
}

int snap_devices(struct ictl_ctx *ctx, struct ictl_device_list *out)
{
	if (!fresh(ctx)->have_devices)
		return 0;
	return devices_copy(out, &ctx->snap.devices) < 0 ? -ENOMEM : 1;
}

int snap_group(struct ictl_ctx *ctx, unsigned int id, struct ictl_group *out)
{
	const struct ictl_group *g;

	if (!fresh(ctx)->have_groups)
		return 0;
	g = ictl_group_find(&ctx->snap.groups, id);
	if (!g)
		return 0;
	/* A group the listing kept with its error: reading it alone fails the same way. */
	if (g->error) {
		memset(out, 0, sizeof(*out));
		return row_error_raise(ctx, g->error);
	}
	return group_copy(out, g) < 0 ? -ENOMEM : 1;
}

int snap_device(struct ictl_ctx *ctx, const char *name, struct ictl_device *out)
{
	const struct ictl_device *d;

	if (!fresh(ctx)->have_devices)
		return 0;
	d = ictl_device_find(&ctx->snap.devices, name);
	if (!d)
		return 0;
	if (d->error) {
		memset(out, 0, sizeof(*out));
		return row_error_raise(ctx, d->error);
	}
	return device_copy(out, d) < 0 ? -ENOMEM : 1;
}

const struct ictl_group_list *snap_group_list(struct ictl_ctx *ctx)
{
	return fresh(ctx)->have_groups ? &ctx->snap.groups : NULL;
}
