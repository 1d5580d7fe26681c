// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The translations of a held IOAS (pt-held.h): each mapping's IOVAs to the
 * physical pages of the holder's memory, read from its /proc/PID/pagemap.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pt-held.h"

#define PAGEMAP_CHUNK 512 /* entries read at once */

static struct ictl_pt_map *push(struct ictl_pt_maps *out, const struct ictl_held_map *m,
				unsigned int line, uint64_t iova, uint64_t size, uint64_t phys,
				unsigned int any)
{
	struct ictl_pt_map *x = array_push(&out->v, &out->n, sizeof(*x));

	if (!x)
		return NULL;
	*x = (struct ictl_pt_map){
		.iova = iova,
		.size = size,
		.phys = phys,
		.perms = (m->access & ICTL_HELD_MAP_READ ? ICTL_PT_R : 0) |
			 (m->access & ICTL_HELD_MAP_WRITE ? ICTL_PT_W : 0),
		.line = line,
		.any = any | (m->access ? 0 : ICTL_PT_ANY_PERMS),
		.name = m->name,
	};
	return x;
}

int ictl_pt_held_add(struct ictl_ctx *ctx, const struct ictl_held_map *m, unsigned int line,
		     uint64_t first, const uint64_t *pm, uint64_t npages, uint64_t page,
		     struct ictl_pt_maps *out, struct ictl_pt_held_stats *st)
{
	struct ictl_pt_map *last = out->n ? &out->v[out->n - 1] : NULL;
	uint64_t i;

	if (!pm) {
		st->unknown += m->length / page;
		return push(out, m, line, m->iova, m->length, 0, ICTL_PT_ANY_PHYS) ?
			       0 :
			       ictl_err(ctx, ENOMEM, "out of memory");
	}
	for (i = 0; i < npages; i++) {
		uint64_t e = pm[i], iova = m->iova + (first + i) * page, phys;
		bool known = (e & ICTL_PAGEMAP_PRESENT) && !(e & ICTL_PAGEMAP_SWAPPED);
		unsigned int any = known ? 0 : ICTL_PT_ANY_PHYS;

		if (known && !(e & ICTL_PAGEMAP_PFN))
			return ictl_err(ctx, EPERM,
					"the holder's pagemap gives no page frame numbers: reading "
					"them needs root (CAP_SYS_ADMIN)");
		phys = known ? (e & ICTL_PAGEMAP_PFN) * page : 0;
		if (known)
			st->pages++;
		else
			st->unknown++;
		/* the run goes on: the same mapping, the next IOVA, the next page (or both unknown) */
		if (last && last->line == line && last->iova + last->size == iova &&
		    last->any == any && (!known || last->phys + last->size == phys)) {
			last->size += page;
			continue;
		}
		last = push(out, m, line, iova, page, phys, any);
		if (!last)
			return ictl_err(ctx, ENOMEM, "out of memory");
	}
	return 0;
}

/* The pagemap entries of npages pages from uaddr, in chunks; each chunk added. */
static int read_pagemap(struct ictl_ctx *ctx, int fd, const struct ictl_held *h,
			const struct ictl_held_map *m, unsigned int line, uint64_t page,
			struct ictl_pt_maps *out, struct ictl_pt_held_stats *st)
{
	uint64_t buf[PAGEMAP_CHUNK], npages = m->length / page, done = 0;

	while (done < npages) {
		uint64_t n = npages - done < PAGEMAP_CHUNK ? npages - done : PAGEMAP_CHUNK;
		off_t off = (off_t)((m->uaddr / page + done) * sizeof(uint64_t));
		ssize_t got = pread(fd, buf, n * sizeof(uint64_t), off);
		int r;

		if (got < 0 || (uint64_t)got != n * sizeof(uint64_t))
			return ictl_err_kernel(ctx, got < 0 ? errno : EIO,
					       "/proc/%d/pagemap at 0x%" PRIx64 " (mapping %s): %s",
					       h->pid, m->uaddr + done * page,
					       m->name[0] ? m->name : "-",
					       got < 0 ? strerror(errno) : "short read");
		r = ictl_pt_held_add(ctx, m, line, done, buf, n, page, out, st);
		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}

static int by_iova(const void *a, const void *b)
{
	const struct ictl_pt_map *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

int ictl_pt_held_maps(struct ictl_ctx *ctx, const struct ictl_held *h, uint32_t ioas,
		      struct ictl_pt_maps *out, struct ictl_pt_held_stats *st)
{
	_cleanup_close_ int fd = -1;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	char path[64];
	int r = 0;

	memset(out, 0, sizeof(*out));
	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/%d/pagemap", h->pid);
	for (size_t i = 0; !r && i < h->nmaps; i++) {
		const struct ictl_held_map *m = &h->maps[i];

		if (m->ioas != ioas)
			continue;
		st->maps++;
		st->noaccess += !m->access;
		if ((m->iova | m->length | m->uaddr) & (page - 1))
			r = ictl_err_data(ctx, EINVAL,
					  "%s: mapping %s: not aligned to pages of %" PRIu64
					  " bytes",
					  h->file, m->name[0] ? m->name : "-", page);
		else if (!m->uaddr)
			r = ictl_pt_held_add(ctx, m, (unsigned int)i + 1, 0, NULL, 0, page, out,
					     st);
		else if (fd < 0 && (fd = sysfs_open(ctx, path, O_RDONLY)) < 0)
			r = fd == -ENOENT ?
				    ictl_err(ctx, ESRCH, "holder %d is gone (no %s)", h->pid,
					     path) :
				    ictl_err_kernel(ctx, -fd, "%s: %s", path, strerror(-fd));
		else
			r = read_pagemap(ctx, fd, h, m, (unsigned int)i + 1, page, out, st);
	}
	if (!r && !st->maps)
		r = ictl_err(ctx, ENOENT, "%s: the IOAS #%u has no mapping", h->file, ioas);
	if (r < 0) {
		ictl_pt_maps_clear(out);
		return r;
	}
	qsort(out->v, out->n, sizeof(*out->v), by_iova);
	return 0;
}
