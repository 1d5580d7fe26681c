/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommuctl held COMMAND: what the held*.c files share (held-set.c).  A held
 * set is the one "iommuctl apply SPEC -- COMMAND" hands to COMMAND (the
 * environment: IOMMUCTL_IOMMUFD, IOMMUCTL_OBJECTS, ...), or the one a holder
 * published in the state directory (--pid, or the only holder there is).
 */
#ifndef ICTL_CMDS_HELD_H
#define ICTL_CMDS_HELD_H

#include "../lib/held.h"
#include "../lib/pt.h"
#include "cmds.h"

struct held_set {
	bool env;		/* inside apply -- COMMAND: IOMMUCTL_* */
	struct ictl_held h;	/* else: the holder's published set */
	int holder;		/* whose notes record a mapping (held.h); 0: none known */
};

void held_set_clear(struct held_set *set);
#define _cleanup_held_set_ __attribute__((cleanup(held_set_clear)))

/*
 * Which set: --pid's holder; inside apply -- COMMAND the environment's; else the
 * only holder there is.  A holder that is gone is an error (its file is stale).
 */
int held_load(struct cli *cli, struct held_set *set);
/* The set's iommufd, as a session of its own (closed at the end: it is our copy). */
int held_open(struct cli *cli, const struct held_set *set, struct ictl_iommufd **s);
/* An object by name (IOMMUCTL_OBJECTS, or the holder's set) or by number. */
int held_id(struct cli *cli, const struct held_set *set, const char *what, const char *arg,
	    uint32_t *id);
/* An IOVA: a number, or a mapping's name (IOMMUCTL_MAPPINGS, or the holder's set). */
int held_iova(struct cli *cli, const struct held_set *set, const char *arg, uint64_t *iova);
/* A size other than 0 (0x..., decimal, K, M, G); what names it in the error. */
int held_size(struct cli *cli, const char *what, const char *arg, uint64_t *v);
/*
 * The holder's set as it is now (its state file and the notes of what others
 * mapped): of --pid, or inside apply -- COMMAND of IOMMUCTL_HOLDER.  -ENOENT
 * (no error printed) when no holder is known.
 */
int held_current(struct cli *cli, const struct held_set *set, struct ictl_held *out);
/* Is name free for a new mapping of the set?  An error naming it when it is not. */
int held_name_free(struct cli *cli, const struct held_set *set, const char *name);
/* A number up to max; what names the option in the error. */
int held_uint_opt(struct cli *cli, const char *what, const char *arg, uint64_t max, uint64_t *v);

#endif
