/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: what the kernel's table of a held IOAS should translate
 * (iommuctl pt validate --held).
 *
 * A held set (held.h) names each mapping of an IOAS with its IOVA, length,
 * access and the holder's address of the memory behind it.  The kernel pins
 * that memory: the physical page behind each IOVA is the one the holder's
 * /proc/PID/pagemap gives for the address at the same offset.  These are the
 * mappings a check (pt.h: ictl_pt_check) compares a table with.
 */
#ifndef ICTL_PT_HELD_H
#define ICTL_PT_HELD_H

#include "held.h"
#include "pt.h"

/* pagemap entries (Documentation/admin-guide/mm/pagemap.rst) */
#define ICTL_PAGEMAP_PRESENT (1ull << 63)
#define ICTL_PAGEMAP_SWAPPED (1ull << 62)
#define ICTL_PAGEMAP_PFN ((1ull << 55) - 1)

struct ictl_pt_held_stats {
	uint64_t maps; /* held mappings of the IOAS */
	uint64_t pages; /* their pages whose physical address is known */
	uint64_t unknown; /* pages whose physical address is not: no address, not present */
	uint64_t noaccess; /* mappings whose access is not known (perms not checked) */
};

/*
 * Append to out the translations held mapping m (numbered line) should
 * have: its pages first to first + npages - 1 (of page bytes each), their
 * physical addresses from pm (their pagemap entries; NULL when m has no
 * address: then all of m, its physical addresses open), in runs that
 * are contiguous in both spaces, each named m->name (m must outlive out).  A
 * page that is not present (or swapped) leaves its physical address open.
 * -EPERM when a present page has no frame number (pagemap without
 * CAP_SYS_ADMIN), -ENOMEM.
 */
int ictl_pt_held_add(struct ictl_ctx *ctx, const struct ictl_held_map *m, unsigned int line,
		     uint64_t first, const uint64_t *pm, uint64_t npages, uint64_t page,
		     struct ictl_pt_maps *out, struct ictl_pt_held_stats *st);

/*
 * The translations of IOAS ioas (an id of h) for a check: every mapping of it
 * in h, the physical pages read from /proc/PID/pagemap of the holder h->pid
 * (through the sysroot seam), sorted by IOVA.  h must outlive out (names).
 * -ENOENT when the IOAS has no mapping, -EPERM without the right to read page
 * frame numbers (root), -ESRCH when the holder is gone.
 */
int ictl_pt_held_maps(struct ictl_ctx *ctx, const struct ictl_held *h, uint32_t ioas,
		      struct ictl_pt_maps *out, struct ictl_pt_held_stats *st);

#endif /* ICTL_PT_HELD_H */
