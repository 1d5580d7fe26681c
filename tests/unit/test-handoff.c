// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hand-off (src/lib/handoff.c): the fd numbers and IOMMUCTL_* variables a
 * program gets from iommuctl claim -- COMMAND, as iommuctl-claim(8) documents
 * them, computed from fds given in any order.
 */
#include <errno.h>
#include <string.h>

#include "handoff.h"
#include "internal.h"
#include "tap.h"

/* The environment as "NAME=value NAME=value", in the order computed. */
static const char *env_str(const struct ictl_handoff *h, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->nenv && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", i ? " " : "",
					h->env[i].name, h->env[i].value);
	return buf;
}

static void iommufd_path(struct ictl_ctx *ctx)
{
	struct ictl_handoff h;
	char env[512];

	ictl_handoff_init(&h);
	h.group = 12;
	/* The devices first and the iommufd last: the layout puts the iommufd first anyway. */
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_DEVICE, 20, "0000:00:04.0", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_DEVICE, 21, "0000:00:04.1", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_IOMMUFD, 10, "iommufd", 0);
	is_int(ictl_handoff_layout(ctx, &h), 0, "iommufd path: laid out");
	is_int(ictl_handoff_target(&h, ICTL_HANDOFF_IOMMUFD, 0), 3, "the iommufd is fd 3");
	is_int(ictl_handoff_target(&h, ICTL_HANDOFF_DEVICE, 0), 4, "the first device fd 4");
	is_int(ictl_handoff_target(&h, ICTL_HANDOFF_DEVICE, 1), 5, "the second fd 5");
	is_int(ictl_handoff_target(&h, ICTL_HANDOFF_DEVICE, 2), -1, "there is no third");
	is_int(ictl_handoff_target(&h, ICTL_HANDOFF_CONTAINER, 0), -1, "nor a container");
	ok(h.fds[0].fd == 10 && h.fds[1].fd == 20 && h.fds[2].fd == 21,
	   "the entries are in layout order, each with its own fd");
	is_str(env_str(&h, env, sizeof(env)),
	       "IOMMUCTL_GROUP=12 IOMMUCTL_IOMMUFD=3 IOMMUCTL_DEVICES=0000:00:04.0 0000:00:04.1 IOMMUCTL_DEVICE_FDS=4 5",
	       "the environment names them; unbound devices have no IOMMUCTL_DEV_IDS");

	h.fds[1].id = 1;
	h.fds[2].id = 2;
	is_int(ictl_handoff_layout(ctx, &h), 0, "laid out again with the devices bound");
	is_str(env_str(&h, env, sizeof(env)),
	       "IOMMUCTL_GROUP=12 IOMMUCTL_IOMMUFD=3 IOMMUCTL_DEVICES=0000:00:04.0 0000:00:04.1 IOMMUCTL_DEVICE_FDS=4 5 IOMMUCTL_DEV_IDS=1 2",
	       "bound devices add IOMMUCTL_DEV_IDS, in the same order");
	h.fds[2].id = 0;
	ictl_handoff_layout(ctx, &h);
	ok(!strstr(env_str(&h, env, sizeof(env)), "DEV_IDS"),
	   "one device not bound: no IOMMUCTL_DEV_IDS at all");
	ictl_handoff_clear(&h);
	ok(h.nfds == 0 && h.nenv == 0 && h.group == -1, "clear empties it");
}

static void legacy_path(struct ictl_ctx *ctx)
{
	struct ictl_handoff h;
	char env[512];

	ictl_handoff_init(&h);
	h.group = 7;
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_DEVICE, 30, "0000:00:04.0", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_GROUP, 31, "group", 0);
	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_CONTAINER, 32, "container", 0);
	is_int(ictl_handoff_layout(ctx, &h), 0, "legacy path: laid out");
	ok(ictl_handoff_target(&h, ICTL_HANDOFF_CONTAINER, 0) == 3 &&
	   ictl_handoff_target(&h, ICTL_HANDOFF_GROUP, 0) == 4 &&
	   ictl_handoff_target(&h, ICTL_HANDOFF_DEVICE, 0) == 5,
	   "the container is fd 3, the group fd 4, the device fd 5");
	is_str(env_str(&h, env, sizeof(env)),
	       "IOMMUCTL_GROUP=7 IOMMUCTL_CONTAINER=3 IOMMUCTL_GROUP_FD=4 IOMMUCTL_DEVICES=0000:00:04.0 IOMMUCTL_DEVICE_FDS=5",
	       "the environment has the container and the group, no iommufd");
	ictl_handoff_clear(&h);

	ictl_handoff_add(ctx, &h, ICTL_HANDOFF_IOMMUFD, 10, "iommufd", 0);
	ictl_handoff_layout(ctx, &h);
	is_str(env_str(&h, env, sizeof(env)), "IOMMUCTL_IOMMUFD=3 IOMMUCTL_DEVICES= IOMMUCTL_DEVICE_FDS=",
	       "without a group there is no IOMMUCTL_GROUP; the device lists are there, empty");
	ictl_handoff_clear(&h);
}

static void refused(struct ictl_ctx *ctx)
{
	static const struct {
		enum ictl_handoff_role a, b;
		const char *what;
	} bad[] = {
		{ ICTL_HANDOFF_IOMMUFD, ICTL_HANDOFF_IOMMUFD, "two iommufds" },
		{ ICTL_HANDOFF_IOMMUFD, ICTL_HANDOFF_CONTAINER, "an iommufd and a container" },
		{ ICTL_HANDOFF_GROUP, ICTL_HANDOFF_DEVICE, "a group node without a container" },
	};
	struct ictl_handoff h;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ictl_handoff_init(&h);
		ictl_handoff_add(ctx, &h, bad[i].a, 10, "a", 0);
		ictl_handoff_add(ctx, &h, bad[i].b, 11, "b", 0);
		is_int(ictl_handoff_layout(ctx, &h), -EINVAL, "%s are refused", bad[i].what);
		ok(strstr(ictl_strerror(ctx), "at most one iommufd or one container") && h.nenv == 0,
		   "  ...saying what fits, with no environment");
		ictl_handoff_clear(&h);
	}
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no context: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	iommufd_path(ctx);
	legacy_path(ctx);
	refused(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
