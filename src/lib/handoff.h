/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: handing held fds and object ids to another program.
 *
 * A hand-off is a description, computed without side effects: given the fds
 * to pass, each with a role and a name (the iommufd, each device's cdev, the
 * legacy container and group node), ictl_handoff_layout() gives each one its
 * number in the program that gets them, and the environment that names them.
 * Nothing here forks, execs, or touches signals or fds: the caller does that
 * (iommuctl's CLI in src/cli/exec.c: move each fd to its target, set the
 * environment, exec; and it keeps the originals open until the program ends).
 *
 * The layout, from ICTL_HANDOFF_FIRST_FD (3) on, in this order of roles and,
 * within a role, in the order they were added:
 *
 *	fd 3	the iommufd (IOMMUCTL_IOMMUFD=3), or the legacy container
 *		(IOMMUCTL_CONTAINER=3)
 *	fd 4	the legacy group node (IOMMUCTL_GROUP_FD=4), when there is one
 *	then	one fd per device (IOMMUCTL_DEVICES="0000:03:00.0 0000:03:00.1",
 *		IOMMUCTL_DEVICE_FDS="4 5", and, when every device is bound,
 *		IOMMUCTL_DEV_IDS="1 2", their iommufd device ids)
 *	then	one fd per event queue of the iommufd (a fault queue, a vEVENTQ):
 *		IOMMUCTL_FDS="f0=6 q0=7", by the queue's name
 *
 * plus IOMMUCTL_GROUP=N when the hand-off is of a group.  These numbers and
 * names are iommuctl's interface (iommuctl-claim(8)); a VMM's command line
 * can name them (-object iommufd,id=i0,fd=3 -device vfio-pci,iommufd=i0,fd=4).
 *
 * The description is plain data, so it can be written as JSON as it is: every
 * entry of fds[] has its role, name, target fd and id.  For the spec issue:
 * objects of a session that a program should know by name (an IOAS, an HWPT,
 * a vIOMMU; a fault queue or vEVENTQ with its fd) become entries of a new
 * role after the devices, with their names and kernel ids, in the environment
 * and in that JSON document; the numbering before them does not change.
 */
#ifndef ICTL_HANDOFF_H
#define ICTL_HANDOFF_H

#include "iommuctl.h"

#define ICTL_HANDOFF_FIRST_FD 3

enum ictl_handoff_role {
	ICTL_HANDOFF_IOMMUFD,	/* at most one; or a container */
	ICTL_HANDOFF_CONTAINER,	/* at most one */
	ICTL_HANDOFF_GROUP,	/* the legacy group node, at most one */
	ICTL_HANDOFF_DEVICE,
	ICTL_HANDOFF_QUEUE,	/* a fault queue's or vEVENTQ's fd (name: the object's) */
};

struct ictl_handoff_fd {
	enum ictl_handoff_role role;
	int fd;			/* here */
	int target;		/* in the program: set by ictl_handoff_layout() */
	char name[ICTL_NAME_MAX];	/* a device: its name; a queue: its object's */
	uint32_t id;		/* a device: its iommufd dev_id, 0 when not bound; a queue: its id */
};

struct ictl_handoff_env {
	char name[32];		/* IOMMUCTL_... */
	char *value;
};

struct ictl_handoff {
	long group;		/* IOMMUCTL_GROUP; -1: none */
	size_t nfds;
	struct ictl_handoff_fd *fds;	/* in layout order after ictl_handoff_layout() */
	size_t nenv;
	struct ictl_handoff_env *env;	/* set by ictl_handoff_layout() */
};

void ictl_handoff_init(struct ictl_handoff *h);
void ictl_handoff_clear(struct ictl_handoff *h);
/* Add an fd to pass (still this process's: the hand-off never closes it). */
int ictl_handoff_add(struct ictl_ctx *ctx, struct ictl_handoff *h, enum ictl_handoff_role role,
		     int fd, const char *name, uint32_t id);
/*
 * Number the fds and compute the environment.  -EINVAL when the roles do not
 * fit the layout (two iommufds, an iommufd and a container, a group node
 * without a container).
 */
int ictl_handoff_layout(struct ictl_ctx *ctx, struct ictl_handoff *h);
/*
 * One more variable (name IOMMUCTL_...) for the program, after
 * ictl_handoff_layout() (which starts the environment again).
 */
int ictl_handoff_setenv(struct ictl_ctx *ctx, struct ictl_handoff *h, const char *name,
			const char *value);
/* The program's fd of the nth fd of role, or -1 when there is none. */
int ictl_handoff_target(const struct ictl_handoff *h, enum ictl_handoff_role role, size_t nth);

#endif /* ICTL_HANDOFF_H */
