// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building tables from mappings: every mapping is cut into the largest pages
 * that fit its IOVA, its physical address and what is left of it, and the
 * tables are allocated upwards from a base address in one growing buffer
 * (pointers in the tables are addresses: physical, or IOVAs of a nest parent
 * when the buffer will be mapped there).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pt-internal.h"

struct builder {
	struct ictl_ctx *ctx;
	const struct ictl_pt_cfg *cfg;
	struct ictl_pt_image *img;
	unsigned int line;
};

void ictl_pt_image_clear(struct ictl_pt_image *img)
{
	if (!img->mapped)
		free(img->mem);
	else if (img->mem)
		munmap_image(img);
	memset(img, 0, sizeof(*img));
}

int ictl_pt_image_alloc(struct ictl_ctx *ctx, struct ictl_pt_image *img, size_t size, size_t align,
			uint64_t *addr)
{
	size_t start = (img->len + align - 1) & ~(align - 1);

	if (img->mapped || !align || (align & (align - 1)) || align > 65536 ||
	    size > SIZE_MAX / 4 || start > SIZE_MAX / 4)
		return ictl_err(ctx, EINVAL, "cannot allocate 0x%zx bytes in this image", size);
	if (img->max && (start > img->max || size > img->max - start))
		return ictl_err(ctx, EFBIG, "the tables take more than the 0x%zx bytes they may have",
				img->max);
	if (start + size > img->cap) {
		size_t cap = img->cap ? img->cap : 65536;
		uint8_t *mem;

		while (cap < start + size)
			cap *= 2;
		if (img->base + cap < img->base)
			return ictl_err(ctx, ENOMEM, "page tables larger than the address space");
		mem = realloc(img->mem, cap);
		if (!mem)
			return ictl_err(ctx, ENOMEM, "out of memory for page tables");
		memset(mem + img->cap, 0, cap - img->cap);
		img->mem = mem;
		img->cap = cap;
	}
	*addr = img->base + start;
	img->len = start + size;
	return 0;
}

/* A zeroed table at the end of the buffer, aligned to the granule; its address. */
static int alloc_table(struct builder *b, uint64_t *addr)
{
	size_t sz = (size_t)1 << b->cfg->granule;

	b->img->tables++;
	return ictl_pt_image_alloc(b->ctx, b->img, sz, sz, addr);
}

static uint64_t *entry_at(struct builder *b, uint64_t table, unsigned int idx)
{
	return (uint64_t *)(b->img->mem + (table - b->img->base)) + idx;
}

static unsigned int index_of(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t iova)
{
	return (unsigned int)((iova >> cfg->shift[h]) & ((1ull << cfg->bits[h]) - 1));
}

/* The table at height hl that holds iova's leaf, creating the tables on the way. */
static int descend(struct builder *b, uint64_t iova, unsigned int hl, uint64_t *table)
{
	const struct ictl_pt_cfg *cfg = b->cfg;
	uint64_t t = b->img->root;
	int r;

	for (unsigned int h = cfg->levels; h > hl; h--) {
		uint64_t *e = entry_at(b, t, index_of(cfg, h, iova)), next;
		struct ictl_pte pte;

		if (!*e) {
			r = alloc_table(b, &next);
			if (r < 0)
				return r;
			/* The buffer may have moved. */
			e = entry_at(b, t, index_of(cfg, h, iova));
			*e = htole64(ictl_pt_encode_table(cfg, h, next, h - 1));
		}
		ictl_pt_decode(cfg, h, le64toh(*e), &pte);
		if (pte.type != ICTL_PTE_TABLE)
			return ictl_err(b->ctx, EINVAL,
					"line %u: IOVA 0x%" PRIx64 " lies in a page mapped already",
					b->line, iova);
		t = pte.addr;
	}
	*table = t;
	return 0;
}

/* count pages of 2^page bytes from iova to phys. */
static int map_pages(struct builder *b, uint64_t iova, uint64_t phys, unsigned int page,
		     unsigned int perms, uint64_t count)
{
	const struct ictl_pt_cfg *cfg = b->cfg;
	unsigned int hl = ictl_pt_leaf_height(cfg, page);
	uint64_t sz = 1ull << page;

	while (count) {
		uint64_t table = 0, raw;
		unsigned int idx, n;
		int r = descend(b, iova, hl, &table);

		if (r < 0)
			return r;
		idx = index_of(cfg, hl, iova);
		/* Fill this table as far as the run goes. */
		while (count && idx < (1u << cfg->bits[hl])) {
			uint64_t *e = entry_at(b, table, idx);

			r = ictl_pt_encode_leaf(b->ctx, cfg, hl, phys, page, perms, &raw, &n);
			if (r < 0)
				return ictl_err_wrap(b->ctx, -r, "line %u", b->line);
			for (unsigned int k = 0; k < n; k++) {
				if (e[k])
					return ictl_err(b->ctx, EINVAL,
							"line %u: IOVA 0x%" PRIx64
							" is mapped already",
							b->line, iova);
				e[k] = htole64(raw);
			}
			b->img->leaves += n;
			idx += n;
			iova += sz;
			phys += sz;
			count--;
			if (!iova)
				return 0; /* the top of a 64-bit space */
		}
	}
	return 0;
}

/* The largest page of mask that fits at iova/phys with rem bytes left; and how many in a row. */
unsigned int pt_best_page(uint64_t mask, uint64_t iova, uint64_t phys, uint64_t rem,
			  uint64_t *count)
{
	unsigned int best = 0;

	for (unsigned int s = 63; s >= 12; s--) {
		if ((mask & (1ull << s)) && !((iova | phys) & ((1ull << s) - 1)) && (rem >> s)) {
			best = s;
			break;
		}
	}
	if (!best)
		return 0;
	*count = rem >> best;
	/* A larger page may fit from the next boundary of its size on. */
	for (unsigned int t = best + 1; t < 64; t++) {
		if ((mask & (1ull << t)) && !((iova ^ phys) & ((1ull << t) - 1))) {
			uint64_t next = (iova | ((1ull << t) - 1)) + 1, n = (next - iova) >> best;

			if (next && n < *count)
				*count = n;
			break;
		}
	}
	return best;
}

static int in_space(const struct ictl_pt_cfg *cfg, uint64_t iova, uint64_t last)
{
	uint64_t half;

	if (cfg->ias >= 64)
		return 1;
	if (!cfg->sign_extend)
		return last >> cfg->ias == 0;
	half = 1ull << (cfg->ias - 1);
	return last < half || (iova >= -half && last >= iova);
}

static int build_map(struct builder *b, const struct ictl_pt_map *m, uint64_t page_sizes)
{
	const struct ictl_pt_cfg *cfg = b->cfg;
	uint64_t mask = m->page ? 1ull << m->page : page_sizes, iova = m->iova, phys = m->phys;
	uint64_t rem = m->size;
	char sizes[512];

	b->line = m->line;
	if (!in_space(cfg, m->iova, m->iova + (m->size - 1)))
		return ictl_err(b->ctx, EINVAL,
				"line %u: IOVA 0x%" PRIx64 "-0x%" PRIx64
				" is outside the %u-bit input space of %s",
				m->line, m->iova, m->iova + (m->size - 1), cfg->ias, cfg->name);
	if (m->page && !(page_sizes & mask))
		return ictl_err(b->ctx, EINVAL,
				"line %u: page=2^%u is not one of the page sizes "
				"%s",
				m->line, m->page,
				ictl_pt_page_sizes_str(page_sizes, sizes, sizeof(sizes)));
	if (m->perms & ~cfg->fmt->perm_mask & ~ICTL_PT_X)
		return ictl_err(b->ctx, EINVAL,
				"line %u: %s cannot express privileged-only "
				"mappings (p)",
				m->line, cfg->fmt->name);
	while (rem) {
		uint64_t count = 0;
		unsigned int s = pt_best_page(mask, iova, phys, rem, &count);
		int r;

		if (!s)
			return ictl_err(b->ctx, EINVAL,
					"line %u: IOVA 0x%" PRIx64 " and physical "
					"address 0x%" PRIx64 " cannot be mapped with pages of %s",
					m->line, iova, phys,
					ictl_pt_page_sizes_str(mask, sizes, sizeof(sizes)));
		r = map_pages(b, iova, phys, s, m->perms, count);
		if (r < 0)
			return r;
		iova += count << s;
		phys += count << s;
		rem -= count << s;
	}
	return 0;
}

int ictl_pt_build(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t page_sizes,
		  uint64_t base, const struct ictl_pt_maps *maps, struct ictl_pt_image *out)
{
	return ictl_pt_build_max(ctx, cfg, page_sizes, base, maps, 0, out);
}

int ictl_pt_build_max(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, uint64_t page_sizes,
		      uint64_t base, const struct ictl_pt_maps *maps, size_t max,
		      struct ictl_pt_image *out)
{
	struct builder b = { ctx, cfg, out, 0 };
	char sizes[512], have[512];
	int r;

	memset(out, 0, sizeof(*out));
	out->max = max;
	out->cfg = *cfg;
	out->base = base;
	if (base & ((1ull << cfg->granule) - 1))
		return ictl_err(ctx, EINVAL,
				"base address 0x%" PRIx64 " is not aligned to the "
				"%s granule",
				base, cfg->name);
	if (!page_sizes)
		page_sizes = cfg->page_sizes;
	if (page_sizes & ~cfg->page_sizes)
		return ictl_err(
			ctx, EINVAL, "%s has no pages of %s: it has %s", cfg->name,
			ictl_pt_page_sizes_str(page_sizes & ~cfg->page_sizes, sizes, sizeof(sizes)),
			ictl_pt_page_sizes_str(cfg->page_sizes, have, sizeof(have)));
	out->page_sizes = page_sizes;
	r = alloc_table(&b, &out->root);
	for (size_t i = 0; i < maps->n && !r; i++)
		r = build_map(&b, &maps->v[i], page_sizes);
	if (r < 0)
		ictl_pt_image_clear(out);
	return r;
}

void ictl_pt_image_src(const struct ictl_pt_image *img, struct ictl_pt_span *span,
		       struct ictl_pt_src *src)
{
	span->base = img->base;
	span->mem = img->mem;
	span->len = img->len;
	src->read = ictl_pt_span_read;
	src->priv = span;
	src->what = "the image";
}
