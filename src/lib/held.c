// SPDX-License-Identifier: GPL-2.0-or-later
/* Acting on objects someone else holds (see held.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"
#include "internal.h"
#include "iommufd-internal.h"

int ictl_held_lookup(const char *list, const char *name, uint64_t *v)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			char buf[32], *e;

			if (len - n - 1 >= sizeof(buf) || len == n + 1)
				return -EINVAL;
			memcpy(buf, p + n + 1, len - n - 1);
			buf[len - n - 1] = '\0';
			errno = 0;
			*v = strtoull(buf, &e, 0);
			return errno || *e || buf[0] == '-' ? -EINVAL : 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int ictl_dirty_ranges(const uint64_t *bitmap, uint64_t nbits, uint64_t base, uint64_t page_size,
		      struct ictl_dirty *out)
{
	uint64_t i = 0;

	while (i < nbits) {
		struct ictl_dirty_range *r;
		uint64_t j;

		/* skip clear words whole: a large, mostly clean bitmap is the usual case */
		if (!(i & 63) && !bitmap[i / 64]) {
			i += 64;
			continue;
		}
		if (!(bitmap[i / 64] >> (i & 63) & 1)) {
			i++;
			continue;
		}
		for (j = i; j < nbits && (bitmap[j / 64] >> (j & 63) & 1); j++)
			;
		r = array_push(&out->v, &out->n, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->start = base + i * page_size;
		r->last = base + j * page_size - 1;
		r->pages = j - i;
		out->dirty += j - i;
		i = j;
	}
	return 0;
}

int ictl_dirty_read(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova, uint64_t length,
		    uint64_t page_size, unsigned int flags, struct ictl_dirty *out)
{
	struct ictl_ctx *ctx = s->ctx;
	_cleanup_free_ uint64_t *bm = NULL;
	uint64_t pages;
	int r;

	memset(out, 0, sizeof(*out));
	if (page_size < 4096 || (page_size & (page_size - 1)))
		return ictl_err(ctx, EINVAL, "page size %#llx: give a power of two of at least 4K",
				(unsigned long long)page_size);
	if (!length || (iova | length) & (page_size - 1) || iova + length - 1 < iova)
		return ictl_err(ctx, EINVAL,
				"IOVA %#llx, length %#llx: give a range aligned to the page size %#llx",
				(unsigned long long)iova, (unsigned long long)length,
				(unsigned long long)page_size);
	pages = length / page_size;
	if (pages > (1ULL << 30))
		return ictl_err(ctx, E2BIG, "%llu pages at once: read at most 2^30 (a larger page size, or a part)",
				(unsigned long long)pages);
	bm = calloc((size_t)((pages + 63) / 64), sizeof(*bm));
	if (!bm)
		return ictl_err(ctx, ENOMEM, "a bitmap of %llu pages: out of memory",
				(unsigned long long)pages);
	if (flags & ICTL_DIRTY_ENABLE) {
		r = ictl_hwpt_set_dirty_tracking(s, hwpt_id, true);
		if (r < 0)
			return r;
	}
	r = ictl_hwpt_get_dirty_bitmap(s, hwpt_id,
				       flags & ICTL_DIRTY_NO_CLEAR ?
					       ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
				       iova, length, page_size, bm);
	if (r < 0)
		return r;
	out->iova = iova;
	out->length = length;
	out->page_size = page_size;
	out->pages = pages;
	r = ictl_dirty_ranges(bm, pages, iova, page_size, out);
	return r < 0 ? ictl_err(ctx, ENOMEM, "dirty ranges: out of memory") : 0;
}

void ictl_dirty_clear(struct ictl_dirty *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}
