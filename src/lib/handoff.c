// SPDX-License-Identifier: GPL-2.0-or-later
/* Handing held fds to another program: their numbers and the environment (see handoff.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "internal.h"

void ictl_handoff_init(struct ictl_handoff *h)
{
	*h = (struct ictl_handoff){ .group = -1 };
}

static void env_clear(struct ictl_handoff *h)
{
	for (size_t i = 0; i < h->nenv; i++)
		free(h->env[i].value);
	free(h->env);
	h->env = NULL;
	h->nenv = 0;
}

void ictl_handoff_clear(struct ictl_handoff *h)
{
	env_clear(h);
	free(h->fds);
	ictl_handoff_init(h);
}

int ictl_handoff_add(struct ictl_ctx *ctx, struct ictl_handoff *h, enum ictl_handoff_role role,
		     int fd, const char *name, uint32_t id)
{
	struct ictl_handoff_fd *f = array_push(&h->fds, &h->nfds, sizeof(*f));

	if (!f)
		return ictl_err(ctx, ENOMEM, "hand-off: out of memory");
	f->role = role;
	f->fd = fd;
	f->target = -1;
	str_copy(f->name, name ? name : "", sizeof(f->name));
	f->id = id;
	return 0;
}

static size_t count(const struct ictl_handoff *h, enum ictl_handoff_role role)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nfds; i++)
		n += h->fds[i].role == role;
	return n;
}

/* Where a role's fds go: the iommufd or container first, the group node, the devices. */
static int rank(enum ictl_handoff_role role)
{
	switch (role) {
	case ICTL_HANDOFF_IOMMUFD:
	case ICTL_HANDOFF_CONTAINER:
		return 0;
	case ICTL_HANDOFF_GROUP:
		return 1;
	case ICTL_HANDOFF_DEVICE:
		break;
	case ICTL_HANDOFF_QUEUE:
		return 3;
	}
	return 2;
}

/* By rank, keeping the order they were added in within a rank (an insertion sort). */
static void sort_fds(struct ictl_handoff *h)
{
	for (size_t i = 1; i < h->nfds; i++) {
		struct ictl_handoff_fd f = h->fds[i];
		size_t j = i;

		for (; j > 0 && rank(h->fds[j - 1].role) > rank(f.role); j--)
			h->fds[j] = h->fds[j - 1];
		h->fds[j] = f;
	}
}

/* name=value into the environment; value is taken over (freed on failure). */
static int env_put(struct ictl_ctx *ctx, struct ictl_handoff *h, const char *name, char *value)
{
	struct ictl_handoff_env *e = value ? array_push(&h->env, &h->nenv, sizeof(*e)) : NULL;

	if (!e) {
		free(value);
		return ictl_err(ctx, ENOMEM, "hand-off: out of memory");
	}
	str_copy(e->name, name, sizeof(e->name));
	e->value = value;
	return 0;
}

static int env_int(struct ictl_ctx *ctx, struct ictl_handoff *h, const char *name, long v)
{
	char *s;

	return env_put(ctx, h, name, asprintf(&s, "%ld", v) < 0 ? NULL : s);
}

enum dev_field { DEV_NAME, DEV_FD, DEV_ID };

/* The devices' names, fds or ids, space-separated, in order. */
static int env_devices(struct ictl_ctx *ctx, struct ictl_handoff *h, const char *name,
		       enum dev_field what)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	const char *sep = "";

	if (!f)
		return env_put(ctx, h, name, NULL);
	for (size_t i = 0; i < h->nfds; i++) {
		const struct ictl_handoff_fd *d = &h->fds[i];

		if (d->role != ICTL_HANDOFF_DEVICE)
			continue;
		if (what == DEV_NAME)
			fprintf(f, "%s%s", sep, d->name);
		else if (what == DEV_FD)
			fprintf(f, "%s%d", sep, d->target);
		else
			fprintf(f, "%s%u", sep, d->id);
		sep = " ";
	}
	if (fclose(f) != 0) {
		free(s);
		s = NULL;
	}
	return env_put(ctx, h, name, s);
}

static bool devices_bound(const struct ictl_handoff *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nfds; i++) {
		if (h->fds[i].role != ICTL_HANDOFF_DEVICE)
			continue;
		if (!h->fds[i].id)
			return false;
		n++;
	}
	return n > 0;
}

/* IOMMUCTL_FDS="name=fd ...": the event queues by name. */
static int env_queues(struct ictl_ctx *ctx, struct ictl_handoff *h)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	const char *sep = "";

	if (!f)
		return env_put(ctx, h, "IOMMUCTL_FDS", NULL);
	for (size_t i = 0; i < h->nfds; i++) {
		if (h->fds[i].role != ICTL_HANDOFF_QUEUE || !h->fds[i].name[0])
			continue;
		fprintf(f, "%s%s=%d", sep, h->fds[i].name, h->fds[i].target);
		sep = " ";
	}
	if (fclose(f) != 0) {
		free(s);
		s = NULL;
	}
	return env_put(ctx, h, "IOMMUCTL_FDS", s);
}

static int layout_env(struct ictl_ctx *ctx, struct ictl_handoff *h)
{
	int r = 0;

	if (h->group >= 0)
		r = env_int(ctx, h, "IOMMUCTL_GROUP", h->group);
	if (!r && count(h, ICTL_HANDOFF_IOMMUFD))
		r = env_int(ctx, h, "IOMMUCTL_IOMMUFD", ictl_handoff_target(h, ICTL_HANDOFF_IOMMUFD, 0));
	if (!r && count(h, ICTL_HANDOFF_CONTAINER))
		r = env_int(ctx, h, "IOMMUCTL_CONTAINER",
			    ictl_handoff_target(h, ICTL_HANDOFF_CONTAINER, 0));
	if (!r && count(h, ICTL_HANDOFF_GROUP))
		r = env_int(ctx, h, "IOMMUCTL_GROUP_FD", ictl_handoff_target(h, ICTL_HANDOFF_GROUP, 0));
	if (!r)
		r = env_devices(ctx, h, "IOMMUCTL_DEVICES", DEV_NAME);
	if (!r)
		r = env_devices(ctx, h, "IOMMUCTL_DEVICE_FDS", DEV_FD);
	if (!r && devices_bound(h))
		r = env_devices(ctx, h, "IOMMUCTL_DEV_IDS", DEV_ID);
	if (!r && count(h, ICTL_HANDOFF_QUEUE))
		r = env_queues(ctx, h);
	return r;
}

int ictl_handoff_layout(struct ictl_ctx *ctx, struct ictl_handoff *h)
{
	size_t ni = count(h, ICTL_HANDOFF_IOMMUFD), nc = count(h, ICTL_HANDOFF_CONTAINER);
	size_t ng = count(h, ICTL_HANDOFF_GROUP);
	int r;

	if (ni + nc > 1 || ng > 1 || (ng && !nc))
		return ictl_err(ctx, EINVAL,
				"hand-off of %zu iommufds, %zu containers and %zu group nodes: at most one iommufd or one container, and a group node only with a container",
				ni, nc, ng);
	sort_fds(h);
	for (size_t i = 0; i < h->nfds; i++)
		h->fds[i].target = ICTL_HANDOFF_FIRST_FD + (int)i;
	env_clear(h);
	r = layout_env(ctx, h);
	if (r < 0)
		env_clear(h);
	return r;
}

int ictl_handoff_target(const struct ictl_handoff *h, enum ictl_handoff_role role, size_t nth)
{
	for (size_t i = 0; i < h->nfds; i++) {
		if (h->fds[i].role == role && nth-- == 0)
			return h->fds[i].target;
	}
	return -1;
}

int ictl_handoff_setenv(struct ictl_ctx *ctx, struct ictl_handoff *h, const char *name,
			const char *value)
{
	if (strncmp(name, "IOMMUCTL_", 9) || strlen(name) >= sizeof(h->env[0].name))
		return ictl_err(ctx, EINVAL, "hand-off variable %s: not an IOMMUCTL_ name", name);
	return env_put(ctx, h, name, strdup(value));
}
