// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the held commands share: which set (the environment of apply --
 * COMMAND, or a holder's published state), its iommufd, and its names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

void held_set_clear(struct held_set *set)
{
	ictl_held_clear(&set->h);
}

static int held_pid_arg(struct cli *cli, const char *arg, int *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v <= 0 || v > (1 << 22))
		return cli_error(cli, -EINVAL, "--pid %.24s: give the pid of a holder ('iommuctl held list')",
				 arg);
	*pid = (int)v;
	return 0;
}

/* No --pid outside apply: the one holder there is, or an error naming them. */
static int held_only_holder(struct cli *cli, int *pid)
{
	int r = ictl_held_only_holder(cli->ctx, pid);

	if (r == -ENOENT)
		return cli_error(cli, r,
				 "no held set: run under 'iommuctl apply SPEC -- COMMAND', or hold one with 'iommuctl apply SPEC --hold' ('iommuctl held list' shows the holders)");
	if (r == -EINVAL)
		return cli_error(cli, r, "%s", ictl_strerror(cli->ctx));
	return r < 0 ? cli_lib_error(cli, r) : 0;
}

/*
 * Which set: --pid's holder; inside apply -- COMMAND the environment's; else the
 * only holder there is.  A holder that is gone is an error (its file is stale).
 */
int held_load(struct cli *cli, struct held_set *set)
{
	const struct held_opts *o = cli->opts;
	int pid, r;

	memset(set, 0, sizeof(*set));
	if (!o->pid && (getenv("IOMMUCTL_IOMMUFD") || getenv("IOMMUCTL_OBJECTS"))) {
		const char *v = getenv("IOMMUCTL_HOLDER");
		char *end;

		set->env = true;
		errno = 0;
		pid = v ? (int)strtol(v, &end, 10) : 0;
		set->holder = v && !errno && !*end && pid > 0 ? pid : 0;
		return 0;
	}
	if (o->pid ? (r = held_pid_arg(cli, o->pid, &pid)) : (r = held_only_holder(cli, &pid)))
		return r;
	r = ictl_held_read(cli->ctx, pid, &set->h);
	if (r < 0)
		return cli_lib_error(cli, r);
	set->holder = pid;
	if (!ictl_held_alive(cli->ctx, &set->h))
		return cli_error(cli, -ENOENT,
				 "holder %d is gone (%s is stale): 'iommuctl recover' removes it", pid,
				 set->h.file);
	return 0;
}

/* The set's iommufd, as a session of its own (closed at the end: it is our copy). */
int held_open(struct cli *cli, const struct held_set *set, struct ictl_iommufd **s)
{
	const char *v = getenv("IOMMUCTL_IOMMUFD");
	char *end;
	long fd;
	int r, nfd;

	if (!set->env) {
		r = ictl_held_getfd(cli->ctx, &set->h, set->h.iommufd, ICTL_OBJ_IOAS, &nfd);
		if (r < 0 || ictl_iommufd_adopt(cli->ctx, nfd, s) < 0)
			return cli_lib_error(cli, r < 0 ? r : -EINVAL);
		return 0;
	}
	if (!v)
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_IOMMUFD: 'held' acts on the iommufd that 'iommuctl apply SPEC -- COMMAND' hands to COMMAND; run it from there");
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 65535)
		return cli_error(cli, -EINVAL, "IOMMUCTL_IOMMUFD=%.16s is not an fd number", v);
	if (ictl_iommufd_adopt(cli->ctx, (int)fd, s) < 0)
		return cli_lib_error(cli, -EINVAL);
	return 0;
}

/* An object by name (IOMMUCTL_OBJECTS, or the holder's set) or by number. */
int held_id(struct cli *cli, const struct held_set *set, const char *what, const char *arg,
	    uint32_t *id)
{
	const struct ictl_held_obj *o;
	uint64_t v;
	int r;

	if (!ictl_pt_parse_size(arg, &v) && v && v <= UINT32_MAX) {
		*id = (uint32_t)v;
		return 0;
	}
	if (!set->env) {
		o = ictl_held_find_obj(&set->h, arg);
		if (!o)
			return cli_error(cli, -ENOENT, "no %s '%.40s' in the set of holder %d ('iommuctl held objects --pid %d')",
					 what, arg, set->h.pid, set->h.pid);
		*id = o->id;
		return 0;
	}
	if (!getenv("IOMMUCTL_OBJECTS"))
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_OBJECTS names %s '%.40s'; run under 'iommuctl apply SPEC -- COMMAND'",
				 what, arg);
	r = ictl_held_lookup(getenv("IOMMUCTL_OBJECTS"), arg, &v);
	if (r < 0 || !v || v > UINT32_MAX)
		return cli_error(cli, -ENOENT, "no %s '%.40s' in IOMMUCTL_OBJECTS (the names apply handed over)",
				 what, arg);
	*id = (uint32_t)v;
	return 0;
}

/* An IOVA: a number, or a mapping's name (IOMMUCTL_MAPPINGS, or the holder's set). */
int held_iova(struct cli *cli, const struct held_set *set, const char *arg, uint64_t *iova)
{
	const struct ictl_held_map *m;

	if (!ictl_pt_parse_size(arg, iova))
		return 0;
	if (!set->env) {
		m = ictl_held_find_map(&set->h, arg);
		if (!m)
			return cli_error(cli, -EINVAL,
					 "'%.40s' is neither a number nor a mapping of holder %d", arg,
					 set->h.pid);
		*iova = m->iova;
		return 0;
	}
	if (ictl_held_lookup(getenv("IOMMUCTL_MAPPINGS"), arg, iova) < 0)
		return cli_error(cli, -EINVAL,
				 "'%.40s' is neither a number nor a mapping of IOMMUCTL_MAPPINGS", arg);
	return 0;
}

int held_size(struct cli *cli, const char *what, const char *arg, uint64_t *v)
{
	if (ictl_pt_parse_size(arg, v) || !*v)
		return cli_error(cli, -EINVAL, "%s '%.40s': give a size (0x..., decimal, K, M, G)", what,
				 arg);
	return 0;
}

int held_uint_opt(struct cli *cli, const char *what, const char *arg, uint64_t max, uint64_t *v)
{
	if (ictl_pt_parse_size(arg, v) || *v > max)
		return cli_error(cli, -EINVAL, "%s %.24s: give a number up to %llu", what, arg,
				 (unsigned long long)max);
	return 0;
}

int held_current(struct cli *cli, const struct held_set *set, struct ictl_held *out)
{
	memset(out, 0, sizeof(*out));
	if (!set->holder)
		return -ENOENT;
	/* (a holder whose set cannot be read: nothing known; its own commands say why) */
	return ictl_held_read(cli->ctx, set->holder, out) < 0 ? -ENOENT : 0;
}

int held_name_free(struct cli *cli, const struct held_set *set, const char *name)
{
	struct ictl_held h;
	uint64_t v;
	bool taken;

	if (!ictl_held_name_ok(name))
		return cli_error(cli, -EINVAL,
				 "--name '%.40s': a name is a letter, then letters, digits, _ . - (at most %d)",
				 name, ICTL_OBJ_NAME_MAX - 1);
	taken = set->env && !ictl_held_lookup(getenv("IOMMUCTL_MAPPINGS"), name, &v);
	if (!held_current(cli, set, &h)) {
		taken |= ictl_held_find_map(&h, name) != NULL;
		ictl_held_clear(&h);
	}
	if (taken)
		return cli_error(cli, -EINVAL, "--name '%.40s': a mapping of that name is there already",
				 name);
	return 0;
}
