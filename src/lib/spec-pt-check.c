// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the checks of page_tables: entries, without a host.
 *
 *  - the memory: at: aligned to the format's granule (a table is aligned to
 *    its size), at + size inside 2^64, inside the parent IOAS's allow ranges,
 *    clear of its fixed mappings and of the other tables' memory (the kernel
 *    would answer EEXIST when apply maps it);
 *  - each stage-1 mapping: iova, size and to aligned to the smallest page of
 *    the format, inside its input space, not overlapping another; its to
 *    range inside one mapping of the parent IOAS (else the walk or the DMA
 *    faults at stage 2), and output addresses inside the format's oas.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"
#include "vendor.h"

#define ERR(c, pos, path, ...) spec_finding(c, ICTL_SPEC_ERROR, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)
#define WARN(c, pos, path, ...) spec_finding(c, ICTL_SPEC_WARNING, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)

typedef unsigned long long ull;

/* The merged span of c->fixed[i] (sorted) holding [a, b], or -1. */
static long inside_fixed(const struct spec_chk *c, size_t i, uint64_t a, uint64_t b)
{
	const struct spec_span *v = c->fixed[i];
	uint64_t start = 0, last = 0;
	bool have = false;

	for (size_t k = 0; k < c->nfixed[i]; k++) {
		if (have && v[k].start <= last + 1 && last != UINT64_MAX) {
			if (v[k].last > last)
				last = v[k].last;
		} else {
			if (have && start <= a && b <= last)
				return 0;
			start = v[k].start;
			last = v[k].last;
			have = true;
		}
	}
	return have && start <= a && b <= last ? 0 : -1;
}

/* The fixed mapping of IOAS i that overlaps [a, b], or -1. */
static long overlapping(const struct spec_chk *c, size_t i, uint64_t a, uint64_t b)
{
	for (size_t k = 0; k < c->nfixed[i]; k++)
		if (c->fixed[i][k].start <= b && a <= c->fixed[i][k].last)
			return (long)c->fixed[i][k].who;
	return -1;
}

static bool in_allow(const struct ictl_spec_ioas *io, uint64_t a, uint64_t b)
{
	if (!io->nallow)
		return true;
	for (size_t k = 0; k < io->nallow; k++)
		if (io->allow[k].start <= a && b <= io->allow[k].last)
			return true;
	return false;
}

static void check_memory(struct spec_chk *c, size_t t)
{
	const struct ictl_spec_ptable *pt = &c->s->ptables[t];
	const struct ictl_spec_ioas *io = &c->s->ioas[pt->ioas.idx];
	uint64_t g = 1ull << pt->cfg.granule, size = 0, last;
	char path[96];
	long k;

	snprintf(path, sizeof(path), "page_tables[%zu].at", t);
	if (!pt->at.set && g > 0x1000) {
		/* the kernel aligns a memfd mapping to 4 KiB (where the tables start in the file) */
		ERR(c, pt->at.pos.line ? pt->at.pos : pt->pos, path,
		    "the kernel picks a 4 KiB-aligned IOVA for the table memory, and %s's tables need %llu KiB: give at: an IOVA aligned to it",
		    pt->cfg.name, (ull)g >> 10);
		return;
	}
	if (pt->at.v & (g - 1) || pt->at.v & 0xfff) {
		ERR(c, pt->at.pos, path, "%#llx is not aligned to %s's %llu KiB granule: tables are aligned to their size",
		    (ull)pt->at.v, pt->cfg.name, (ull)(g > 0x1000 ? g : 0x1000) >> 10);
		return;
	}
	if (ictl_spec_pt_size(c->ctx, c->s, t, &size) < 0) {
		const char *msg = strstr(ictl_strerror(c->ctx), "]: table ");

		snprintf(path, sizeof(path), "page_tables[%zu]%s", t, pt->size.set ? ".size" : "");
		ERR(c, pt->size.set ? pt->size.pos : pt->pos, path, "%s",
		    msg ? msg + 3 : ictl_strerror(c->ctx));
		return;
	}
	if (pt->size.set && size & 0xfff) {
		snprintf(path, sizeof(path), "page_tables[%zu].size", t);
		ERR(c, pt->size.pos, path, "%#llx is not a multiple of 4 KiB: the memory is mapped in whole pages",
		    (ull)size);
		return;
	}
	if (size - 1 > UINT64_MAX - pt->at.v) {
		ERR(c, pt->at.pos, path, "%#llx + size %#llx goes past 2^64", (ull)pt->at.v,
		    (ull)size);
		return;
	}
	if (!pt->at.set) {	/* the kernel picks where: inside the allow ranges, apart from the rest */
		WARN(c, pt->at.pos.line ? pt->at.pos : pt->pos, path,
		     "auto: the kernel picks the IOVA of table %s's %#llx bytes of memory in IOAS %s when apply maps them (after the IOAS's mappings); apply prints it, and hands it over as page_tables.%s.iova",
		     pt->name, (ull)size, io->name, pt->name);
		return;
	}
	last = pt->at.v + (size - 1);
	if (!in_allow(io, pt->at.v, last))
		ERR(c, pt->at.pos, path, "the table memory %#llx-%#llx is not inside IOAS %s's allow ranges: widen allow or move at:",
		    (ull)pt->at.v, (ull)last, io->name);
	k = spec_mock_in_ioas(c, (size_t)pt->ioas.idx);
	if (k >= 0 && (pt->at.v < ICTL_MOCK_APERTURE_START || last > ICTL_MOCK_APERTURE_LAST))
		ERR(c, pt->at.pos, path, "the table memory %#llx-%#llx is outside the mock domain's aperture %#llx-%#llx (MOCK_APERTURE_START/LAST): mock device %s uses IOAS %s",
		    (ull)pt->at.v, (ull)last, (ull)ICTL_MOCK_APERTURE_START,
		    (ull)ICTL_MOCK_APERTURE_LAST, c->s->devices[k].name, io->name);
	k = overlapping(c, (size_t)pt->ioas.idx, pt->at.v, last);
	if (k >= 0)
		ERR(c, pt->at.pos, path, "the table memory %#llx-%#llx overlaps ioas[%d].mappings[%ld] (line %u): the memory is a mapping of its own; move at:",
		    (ull)pt->at.v, (ull)last, pt->ioas.idx, k, io->maps[k].pos.line);
	for (size_t o = 0; o < t; o++) {
		const struct ictl_spec_ptable *q = &c->s->ptables[o];
		uint64_t qs = 0;

		if (q->ioas.idx != pt->ioas.idx || !q->at.set ||
		    ictl_spec_pt_size(c->ctx, c->s, o, &qs) < 0 || qs - 1 > UINT64_MAX - q->at.v)
			continue;
		if (q->at.v <= last && pt->at.v <= q->at.v + (qs - 1))
			ERR(c, pt->at.pos, path, "the table memory %#llx-%#llx overlaps table %s's (%#llx-%#llx)",
			    (ull)pt->at.v, (ull)last, q->name, (ull)q->at.v, (ull)(q->at.v + (qs - 1)));
	}
}

static bool in_space(const struct ictl_pt_cfg *cfg, uint64_t iova, uint64_t last)
{
	uint64_t half;

	if (cfg->ias >= 64)
		return true;
	if (!cfg->sign_extend)
		return last >> cfg->ias == 0;
	half = 1ull << (cfg->ias - 1);
	return last < half || (iova >= -half && last >= iova);
}

/* Where mapping k goes, and that the parent has it mapped. */
static void check_to(struct spec_chk *c, size_t t, size_t k)
{
	const struct ictl_spec_ptable *pt = &c->s->ptables[t];
	const struct ictl_spec_pt_map *m = &pt->maps[k];
	uint64_t g = 1ull << pt->cfg.granule, to = m->to;
	char path[96];

	snprintf(path, sizeof(path), "page_tables[%zu].mappings[%zu].to", t, k);
	if (m->to_map.idx >= 0) {
		const struct ictl_spec_mapping *pm = &c->s->ioas[m->to_map.idx].maps[m->to_mapping];

		if (m->to > pm->size.v || m->size.v > pm->size.v - m->to) {
			ERR(c, m->to_pos, path, "%s+%#llx with %#llx bytes goes past the end of mapping %s (%#llx bytes)",
			    m->to_map.name, (ull)m->to, (ull)m->size.v, m->to_map.name,
			    (ull)pm->size.v);
			return;
		}
		if (m->to & (g - 1))
			ERR(c, m->to_pos, path, "offset %#llx into %s is not aligned to %s's smallest page (%llu KiB)",
			    (ull)m->to, m->to_map.name, pt->cfg.name, (ull)g >> 10);
		if (!pm->iova.set)
			return;	/* the kernel picks it: aligned to a page at least */
		to = pm->iova.v + m->to;
	} else if (to & (g - 1)) {
		ERR(c, m->to_pos, path, "%#llx is not aligned to %s's smallest page (%llu KiB)",
		    (ull)to, pt->cfg.name, (ull)g >> 10);
		return;
	}
	if (m->size.v - 1 > UINT64_MAX - to) {
		ERR(c, m->to_pos, path, "%#llx + size %#llx goes past 2^64", (ull)to, (ull)m->size.v);
		return;
	}
	if (pt->cfg.oas < 64 && (to + (m->size.v - 1)) >> pt->cfg.oas)
		ERR(c, m->to_pos, path, "%#llx-%#llx is past the %u-bit output addresses of %s",
		    (ull)to, (ull)(to + (m->size.v - 1)), pt->cfg.oas, pt->cfg.name);
	else if (m->to_map.idx < 0 &&
		 inside_fixed(c, (size_t)pt->ioas.idx, to, to + (m->size.v - 1)) < 0)
		ERR(c, m->to_pos, path, "%#llx-%#llx is not inside a mapping of IOAS %s with a fixed iova: the walk would fault at stage 2; map it there, or name the mapping (to: NAME+OFFSET)",
		    (ull)to, (ull)(to + (m->size.v - 1)), pt->ioas.name);
}

static int by_iova(const void *a, const void *b)
{
	const struct spec_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void check_maps(struct spec_chk *c, size_t t)
{
	const struct ictl_spec_ptable *pt = &c->s->ptables[t];
	uint64_t g = 1ull << pt->cfg.granule;
	struct spec_span *v = calloc(pt->nmaps + 1, sizeof(*v));
	size_t n = 0;
	char path[96];

	if (!v) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t k = 0; k < pt->nmaps; k++) {
		const struct ictl_spec_pt_map *m = &pt->maps[k];
		uint64_t last = m->iova.v + (m->size.v - 1);

		snprintf(path, sizeof(path), "page_tables[%zu].mappings[%zu].iova", t, k);
		if (m->iova.v & (g - 1)) {
			ERR(c, m->iova.pos, path, "%#llx is not aligned to %s's smallest page (%llu KiB)",
			    (ull)m->iova.v, pt->cfg.name, (ull)g >> 10);
			continue;
		}
		if (m->size.v & (g - 1)) {
			snprintf(path, sizeof(path), "page_tables[%zu].mappings[%zu].size", t, k);
			ERR(c, m->size.pos, path, "%#llx is not a multiple of %s's smallest page (%llu KiB)",
			    (ull)m->size.v, pt->cfg.name, (ull)g >> 10);
			continue;
		}
		if (m->size.v - 1 > UINT64_MAX - m->iova.v) {
			ERR(c, m->iova.pos, path, "%#llx + size %#llx goes past 2^64",
			    (ull)m->iova.v, (ull)m->size.v);
			continue;
		}
		if (!in_space(&pt->cfg, m->iova.v, last)) {
			ERR(c, m->iova.pos, path, "%#llx-%#llx is outside the %u-bit input space of %s",
			    (ull)m->iova.v, (ull)last, pt->cfg.ias, pt->cfg.name);
			continue;
		}
		v[n++] = (struct spec_span){ m->iova.v, last, k };
		check_to(c, t, k);
	}
	qsort(v, n, sizeof(*v), by_iova);
	for (size_t k = 1, prev = 0; k < n; k++) {
		if (v[k].start > v[prev].last) {
			prev = k;
			continue;
		}
		snprintf(path, sizeof(path), "page_tables[%zu].mappings[%zu].iova", t, v[k].who);
		ERR(c, pt->maps[v[k].who].iova.pos, path,
		    "%#llx-%#llx overlaps mappings[%zu] (%#llx-%#llx, line %u): one IOVA has one translation",
		    (ull)v[k].start, (ull)v[k].last, v[prev].who, (ull)v[prev].start,
		    (ull)v[prev].last, pt->maps[v[prev].who].pos.line);
		if (v[k].last > v[prev].last)
			prev = k;
	}
	free(v);
}

/* A table whose `to`s are all known is built: what the engine refuses, and its size. */
static void check_build(struct spec_chk *c, size_t t)
{
	const struct ictl_spec_ptable *pt = &c->s->ptables[t];
	struct ictl_pt_image img;
	struct ictl_pt_maps maps;
	uint64_t size = 0;
	char path[96];
	int r;

	for (size_t k = 0; k < pt->nmaps; k++) {
		const struct ictl_spec_pt_map *m = &pt->maps[k];

		if (m->to_map.idx >= 0 && !c->s->ioas[m->to_map.idx].maps[m->to_mapping].iova.set)
			return;	/* the kernel picks where it goes: apply builds it */
	}
	snprintf(path, sizeof(path), "page_tables[%zu]", t);
	r = ictl_spec_pt_size(c->ctx, c->s, t, &size);
	if (!r)
		r = ictl_spec_pt_maps(c->ctx, c->s, t, NULL, NULL, &maps);
	if (r == -ENOMEM) {
		c->err = r;
		return;
	}
	if (r < 0)
		return;	/* said by the checks before */
	if (pt->via > ICTL_NESTED_PT_ROOT)	/* the last page holds its CD or GCR3 table */
		size = size > 0x1000 ? size - 0x1000 : 0;
	r = size ? ictl_pt_build_max(c->ctx, &pt->cfg, pt->page_sizes, pt->at.v, &maps,
				     (size_t)size, &img) :
		   -EFBIG;
	ictl_pt_maps_clear(&maps);
	if (r == -ENOMEM)
		c->err = r;
	else if (r == -EFBIG)
		ERR(c, pt->size.pos, strcat(path, ".size"), "%#llx bytes are too few for table %s: leave size: out or make it larger",
		    (ull)size, pt->name);
	else if (r < 0)
		ERR(c, pt->pos, path, "table %s cannot be built: %s", pt->name, ictl_strerror(c->ctx));
	else
		ictl_pt_image_clear(&img);
}

void spec_check_ptables(struct spec_chk *c)
{
	for (size_t t = 0; !c->err && t < c->s->nptables; t++) {
		size_t before = c->out->nerrors;

		if (c->s->ptables[t].ioas.idx < 0)
			continue;
		check_memory(c, t);
		check_maps(c, t);
		if (c->out->nerrors == before)
			check_build(c, t);
		if (!c->s->ptables[t].nmaps)
			WARN(c, c->s->ptables[t].pos, "", "table %s maps nothing: every access through it faults",
			     c->s->ptables[t].name);
	}
}
