/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: acting on objects someone else holds (iommuctl-held(8)).
 *
 * A program that got an iommufd from "iommuctl apply SPEC -- COMMAND" (fd
 * IOMMUCTL_IOMMUFD, names in IOMMUCTL_OBJECTS) can read and change what is in
 * it: the names resolve to ids here, and the ioctls go through a session that
 * adopts the inherited fd (iommufd.h).
 */
#ifndef ICTL_HELD_H
#define ICTL_HELD_H

#include "iommufd.h"

/*
 * The value of name in a list "name=value name=value ..." (IOMMUCTL_OBJECTS,
 * IOMMUCTL_MAPPINGS): 0 and *v, -ENOENT when the name is not there, -EINVAL
 * when its value is not a number.
 */
int ictl_held_lookup(const char *list, const char *name, uint64_t *v);

/* A run of dirty pages: [start, last], pages of them. */
struct ictl_dirty_range {
	uint64_t start, last, pages;
};

struct ictl_dirty {
	uint64_t iova, length, page_size;
	uint64_t pages;			/* in [iova, iova + length) */
	uint64_t dirty;			/* of them, dirty */
	size_t n;
	struct ictl_dirty_range *v;	/* the dirty runs, by IOVA */
};

/*
 * The runs of set bits of bitmap (nbits bits, bit i: the page at base + i *
 * page_size) into out (its ranges appended).  Pure; -ENOMEM.
 */
int ictl_dirty_ranges(const uint64_t *bitmap, uint64_t nbits, uint64_t base, uint64_t page_size,
		      struct ictl_dirty *out);

enum {
	ICTL_DIRTY_ENABLE = 1 << 0,	/* turn dirty tracking on first */
	ICTL_DIRTY_NO_CLEAR = 1 << 1,	/* read without clearing (IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) */
};

/*
 * Read (and clear, unless ICTL_DIRTY_NO_CLEAR) the dirty bits of the paging
 * HWPT hwpt_id over [iova, iova + length) at page_size (a power of two, at
 * least 4 KiB; iova and length aligned to it; at most 2^30 pages).
 */
int ictl_dirty_read(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova, uint64_t length,
		    uint64_t page_size, unsigned int flags, struct ictl_dirty *out);
void ictl_dirty_clear(struct ictl_dirty *d);

#endif /* ICTL_HELD_H */
