// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: a page_tables: entry made into what the page-table engine takes:
 * its mappings with every `to` turned into a parent IOVA, the bytes of
 * memory its tables need, and the tables built at its at: IOVA.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "spec-internal.h"
#include "vendor.h"

#define SZ_4K 0x1000ULL

static int by_iova(const void *a, const void *b)
{
	const struct ictl_pt_map *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* The parent IOVA a stage-1 mapping goes to. */
static int to_iova(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, size_t k,
		   ictl_spec_map_iova_fn map_iova, void *priv, uint64_t *out)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	const struct ictl_spec_pt_map *m = &pt->maps[k];
	const struct ictl_spec_mapping *pm;
	uint64_t base;
	int r;

	if (m->to_map.idx < 0) {
		*out = m->to;
		return 0;
	}
	pm = &s->ioas[m->to_map.idx].maps[m->to_mapping];
	if (map_iova) {
		r = map_iova(priv, (size_t)m->to_map.idx, (size_t)m->to_mapping, &base);
		if (r < 0)
			return r;
	} else if (pm->iova.set) {
		base = pm->iova.v;
	} else {
		return ictl_err(ctx, EINVAL,
				"%s:%u:%u: page_tables[%zu].mappings[%zu].to: mapping %s has no iova: (the kernel picks it when the spec is applied); give it one to build the table offline",
				s->file, m->to_pos.line, m->to_pos.column, t, k, m->to_map.name);
	}
	if (m->to > pm->size.v || m->size.v > pm->size.v - m->to)
		return ictl_err(ctx, EINVAL,
				"%s:%u:%u: page_tables[%zu].mappings[%zu].to: %s+0x%" PRIx64
				" with 0x%" PRIx64 " bytes goes past the end of mapping %s (0x%" PRIx64
				" bytes)",
				s->file, m->to_pos.line, m->to_pos.column, t, k, m->to_map.name, m->to,
				m->size.v, m->to_map.name, pm->size.v);
	*out = base + m->to;
	return 0;
}

int ictl_spec_pt_maps(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t,
		      ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_maps *out)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	int r;

	memset(out, 0, sizeof(*out));
	out->v = calloc(pt->nmaps + 1, sizeof(*out->v));
	if (!out->v)
		return ictl_err(ctx, ENOMEM, "out of memory for the mappings of table %s",
				pt->name);
	for (size_t k = 0; k < pt->nmaps; k++) {
		const struct ictl_spec_pt_map *m = &pt->maps[k];
		struct ictl_pt_map *o = &out->v[out->n++];

		o->iova = m->iova.v;
		o->size = m->size.v;
		o->perms = m->perms;
		o->line = m->pos.line;
		r = to_iova(ctx, s, t, k, map_iova, priv, &o->phys);
		if (r < 0) {
			ictl_pt_maps_clear(out);
			return r;
		}
	}
	qsort(out->v, out->n, sizeof(*out->v), by_iova);
	return 0;
}

/* Sorted spans [iova, last], merged where they overlap or touch; the new count. */
static size_t merge(struct ictl_pt_map *v, size_t n)
{
	size_t w = 0;

	qsort(v, n, sizeof(*v), by_iova);
	for (size_t i = 0; i < n; i++) {
		uint64_t last = v[i].iova + (v[i].size - 1);

		if (w && v[i].iova <= v[w - 1].phys + 1) {	/* phys holds the last IOVA here */
			if (last > v[w - 1].phys)
				v[w - 1].phys = last;
			continue;
		}
		v[w] = v[i];
		v[w++].phys = last;
	}
	return w;
}

/*
 * The tables a build allocates are at most: the root, and at each height h
 * from the leaves of the smallest page up one table per block of
 * 2^(shift + bits) bytes of IOVA that a mapping touches (a build with the
 * smallest pages only allocates exactly those; larger pages fewer).  Each
 * table takes one granule.
 */
static uint64_t tables_bound(const struct ictl_spec_ptable *pt, struct ictl_pt_map *v, size_t n)
{
	const struct ictl_pt_cfg *cfg = &pt->cfg;
	uint64_t pages = pt->page_sizes ? pt->page_sizes : cfg->page_sizes, tables = 1;
	unsigned int hl = ictl_pt_leaf_height(cfg, (unsigned int)__builtin_ctzll(pages | 1ull << 63));

	n = merge(v, n);
	for (unsigned int h = hl ? hl : 1; h < cfg->levels; h++) {
		unsigned int sh = cfg->shift[h] + cfg->bits[h];
		uint64_t prev = 0;
		bool have = false;

		if (sh >= 64)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint64_t first = v[i].iova >> sh, last = v[i].phys >> sh;

			if (have && first <= prev)
				first = prev + 1;
			if (first <= last) {
				tables += last - first + 1;
				prev = last;
				have = true;
			}
		}
	}
	return tables;
}

int ictl_spec_pt_size(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, uint64_t *size)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	struct ictl_pt_map *v;
	uint64_t tables, bytes;
	size_t n = 0;

	v = calloc(pt->nmaps + 1, sizeof(*v));
	if (!v)
		return ictl_err(ctx, ENOMEM, "out of memory sizing table %s", pt->name);
	for (size_t k = 0; k < pt->nmaps; k++) {
		if (pt->maps[k].size.v - 1 > UINT64_MAX - pt->maps[k].iova.v)
			continue;	/* past 2^64: the checks say so */
		v[n].iova = pt->maps[k].iova.v;
		v[n++].size = pt->maps[k].size.v;
	}
	tables = tables_bound(pt, v, n);
	free(v);
	/* and a page for the CD table or GCR3 table a nested HWPT may point through */
	bytes = tables > ICTL_SPEC_PT_MAX_BYTES >> pt->cfg.granule ?
			UINT64_MAX :
			((tables << pt->cfg.granule) + SZ_4K - 1) / SZ_4K * SZ_4K + SZ_4K;
	if (pt->size.set && pt->size.v <= ICTL_SPEC_PT_MAX_BYTES) {
		*size = pt->size.v;
		return 0;
	}
	if (pt->size.set)
		return ictl_err(ctx, EFBIG,
				"%s:%u:%u: page_tables[%zu]: table %s: size 0x%" PRIx64 " is more than the %u MiB of tables iommuctl builds",
				s->file, pt->size.pos.line, pt->size.pos.column, t, pt->name,
				pt->size.v, ICTL_SPEC_PT_MAX_BYTES >> 20);
	if (bytes > ICTL_SPEC_PT_MAX_BYTES)
		return ictl_err(ctx, EFBIG,
				"%s:%u:%u: page_tables[%zu]: table %s may need more than the %u MiB of tables iommuctl builds (with its smallest pages): give size: (what its tables take; pt build --spec says), or page_sizes: without small pages",
				s->file, pt->pos.line, pt->pos.column, t, pt->name,
				ICTL_SPEC_PT_MAX_BYTES >> 20);
	*size = bytes;
	return 0;
}

/* The CD table (CD 0, ASID 1) or GCR3 table (PASID 0) in the last page of the memory. */
static int pointers(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, uint64_t size,
		    struct ictl_pt_image *img)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	struct ictl_smmu_cdtab tab = { 0, 0, 0 };
	struct ictl_smmu_cd cd;
	const uint32_t id = 0;	/* SubstreamID 0, PASID 0 */
	uint64_t pad;
	int r;

	r = ictl_pt_image_alloc(ctx, img, (size_t)(size - SZ_4K) - img->len, 1, &pad);
	if (r < 0)
		return r;
	if (pt->via == ICTL_NESTED_PT_GCR3)
		return ictl_amd_gcr3_build(ctx, img, 0, &id, &img->root, 1, &img->gcr3);
	r = ictl_smmu_cd_for_table(ctx, &pt->cfg, img->root, 1, &cd);
	if (!r)
		r = ictl_smmu_cdtab_build(ctx, img, &tab, &id, &cd, 1);
	img->cd = tab.base;
	return r;
}

int ictl_spec_pt_build(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t,
		       ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_image *out)
{
	return ictl_spec_pt_build_at(ctx, s, t, s->ptables[t].at.v, map_iova, priv, out);
}

int ictl_spec_pt_build_at(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t t, uint64_t base,
			  ictl_spec_map_iova_fn map_iova, void *priv, struct ictl_pt_image *out)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	uint64_t size = 0, room, pad;
	struct ictl_pt_maps maps;
	int r;

	memset(out, 0, sizeof(*out));
	r = ictl_spec_pt_size(ctx, s, t, &size);
	if (!r)
		r = ictl_spec_pt_maps(ctx, s, t, map_iova, priv, &maps);
	if (r < 0)
		return r;
	room = pt->via > ICTL_NESTED_PT_ROOT ? SZ_4K : 0;
	r = size > room ? ictl_pt_build_max(ctx, &pt->cfg, pt->page_sizes, base, &maps,
					    (size_t)(size - room), out) : -EFBIG;
	ictl_pt_maps_clear(&maps);
	if (r == -EFBIG)
		return ictl_err(ctx, EINVAL,
				"%s:%u:%u: page_tables[%zu].size: 0x%" PRIx64 " bytes are too few for table %s%s: leave size: out or make it larger",
				s->file, pt->size.pos.line, pt->size.pos.column, t, size, pt->name,
				room ? " and the page its CD or GCR3 table takes" : "");
	if (r < 0)
		return ictl_err_wrap(ctx, -r, "%s:%u:%u: page_tables[%zu]: table %s", s->file,
				     pt->pos.line, pt->pos.column, t, pt->name);
	out->max = 0;
	if (room)
		r = pointers(ctx, s, t, size, out);
	/* the image is the whole memory: what apply maps, what a dump reads */
	if (!r && out->len < size)
		r = ictl_pt_image_alloc(ctx, out, (size_t)size - out->len, 1, &pad);
	if (r < 0)
		ictl_pt_image_clear(out);
	return r;
}

struct spec_span *spec_pt_spans(const struct ictl_spec *s, size_t i, size_t *n)
{
	struct spec_span *v = calloc(s->nptables + 1, sizeof(*v));
	uint64_t size;

	*n = 0;
	for (size_t t = 0; v && t < s->nptables; t++) {
		const struct ictl_spec_ptable *pt = &s->ptables[t];

		/* at: auto: mapped after the IOAS's mappings, wherever the kernel puts it */
		if (pt->ioas.idx != (int)i || !pt->at.set ||
		    ictl_spec_pt_size(NULL, s, t, &size) < 0 || size - 1 > UINT64_MAX - pt->at.v)
			continue;
		v[(*n)++] = (struct spec_span){ pt->at.v, pt->at.v + (size - 1), t };
	}
	return v;
}
