// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the checks a spec passes on its own, without a host.  They are the
 * kernel's rules, as drivers/iommu/iommufd/ and the IOMMU drivers apply
 * them (each check says which), found before any ioctl:
 *
 *  - IOAS: allow ranges with start < last that do not overlap
 *    (iommufd_ioas_load_iovas); fixed mappings 4 KiB aligned, not
 *    overlapping (iopt_check_iova: EEXIST), inside the allow ranges (the
 *    spec's own promise: the kernel bounds only the IOVAs it picks), and
 *    with room for the ones the kernel picks; hugetlb sizes whole pages;
 *    copies from memory that is mapped, with no more access than it has
 *    (iopt_map_pages: EPERM), after the copies they copy.
 *  - the selftest mock: its domain's aperture (MOCK_APERTURE_START/LAST).
 *  - HWPTs: a nested one over a paging nest-parent (iommufd_hwpt_nested_alloc:
 *    EINVAL) or a vIOMMU, as its vendor's driver allocates them; only
 *    pasid as its flag; no fault queue on a nest parent (EOPNOTSUPP).
 *  - vIOMMU over a nest parent (iommufd_viommu_alloc_ioctl: EINVAL); one
 *    vDevice per device and one virt_id per vIOMMU (EEXIST); one vEVENTQ per
 *    vIOMMU and type (EEXIST).
 *  - attach: once per device and PASID; a PASID only to a HWPT allocated
 *    with pasid, and then the device's own attach too
 *    (iommufd_hwpt_pasid_compat: EINVAL).
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"
#include "vendor.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

#define ERR(c, pos, path, ...) spec_finding(c, ICTL_SPEC_ERROR, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)
#define WARN(c, pos, path, ...) spec_finding(c, ICTL_SPEC_WARNING, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)

typedef unsigned long long ull;

static void check_allow(struct spec_chk *c, size_t i)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	struct spec_span *v = calloc(io->nallow + 1, sizeof(*v));
	char path[96];

	if (!v) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t k = 0; k < io->nallow; k++) {
		const struct ictl_spec_range *rg = &io->allow[k];

		snprintf(path, sizeof(path), "ioas[%zu].allow[%zu]", i, k);
		if (rg->start >= rg->last)
			ERR(c, rg->pos, path, "range %#llx-%#llx is empty or backwards: the kernel needs start < last (inclusive)",
			    (ull)rg->start, (ull)rg->last);
		else if ((rg->start & (SZ_4K - 1)) || ((rg->last + 1) & (SZ_4K - 1)))
			WARN(c, rg->pos, path, "range %#llx-%#llx does not start and end on 4 KiB pages: the kernel places mappings on whole pages only",
			     (ull)rg->start, (ull)rg->last);
		v[k] = (struct spec_span){ rg->start, rg->last, k };
	}
	qsort(v, io->nallow, sizeof(*v), spec_span_cmp);
	for (size_t k = 1; k < io->nallow; k++) {
		if (v[k].start > v[k - 1].last)
			continue;
		snprintf(path, sizeof(path), "ioas[%zu].allow[%zu]", i, v[k].who);
		ERR(c, io->allow[v[k].who].pos, path,
		    "range %#llx-%#llx overlaps allow[%zu] (%#llx-%#llx): the kernel refuses overlapping ranges (EINVAL); merge them",
		    (ull)v[k].start, (ull)v[k].last, v[k - 1].who, (ull)v[k - 1].start,
		    (ull)v[k - 1].last);
	}
	free(v);
}

static void check_shape(struct spec_chk *c, size_t i, size_t k)
{
	const struct ictl_spec_mapping *m = &c->s->ioas[i].maps[k];
	uint64_t page = m->memory == ICTL_SPEC_MEM_HUGETLB_2M ? SZ_2M :
			m->memory == ICTL_SPEC_MEM_HUGETLB_1G ? SZ_1G : SZ_4K;
	char path[96];

	snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].iova", i, k);
	if (m->iova.set && (m->iova.v & (SZ_4K - 1)))
		ERR(c, m->iova.pos, path, "%#llx is not 4 KiB aligned: IOVAs are mapped in whole pages",
		    (ull)m->iova.v);
	if (m->iova.set && m->size.v - 1 > UINT64_MAX - m->iova.v)
		ERR(c, m->iova.pos, path, "%#llx + size %#llx goes past 2^64", (ull)m->iova.v,
		    (ull)m->size.v);
	path[strlen(path) - 4] = '\0';
	strcat(path, "size");
	if (m->size.v & (page - 1))
		ERR(c, m->size.pos, path, "%#llx is not a multiple of %s: %s", (ull)m->size.v,
		    page == SZ_4K ? "4 KiB" : page == SZ_2M ? "2 MiB" : "1 GiB",
		    page == SZ_4K ? "IOVAs are mapped in whole pages" :
				    "hugetlb memory comes in whole huge pages");
	if (m->memory == ICTL_SPEC_MEM_FILE && m->offset.set && (m->offset.v & (SZ_4K - 1))) {
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].memory.offset", i, k);
		ERR(c, m->offset.pos, path, "%#llx is not 4 KiB aligned: a file is mapped in whole pages",
		    (ull)m->offset.v);
	}
	if (c->s->ioas[i].huge_pages == ICTL_NO &&
	    (m->memory == ICTL_SPEC_MEM_HUGETLB_2M || m->memory == ICTL_SPEC_MEM_HUGETLB_1G)) {
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].memory", i, k);
		WARN(c, m->memory_pos, path, "%s memory in an IOAS with huge_pages: false: the IOMMU maps it with 4 KiB pages",
		     ictl_spec_mem_name(m->memory));
	}
}

/* Fixed mappings (sorted spans v) inside the allow ranges, merged where they touch. */
static void check_in_allow(struct spec_chk *c, size_t i, const struct spec_span *v, size_t n)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	struct spec_span *al = calloc(io->nallow, sizeof(*al));
	size_t na;
	char path[96];

	if (!al) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t a = 0; a < io->nallow; a++)
		al[a] = (struct spec_span){ io->allow[a].start, io->allow[a].last, a };
	na = spec_merge(al, io->nallow);
	for (size_t k = 0; k < n; k++) {
		size_t lo = 0, hi = na;

		while (lo < hi) {	/* the last range that starts at or before the mapping */
			size_t mid = lo + (hi - lo) / 2;

			if (al[mid].start <= v[k].start)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && al[lo - 1].last >= v[k].last)
			continue;
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].iova", i, v[k].who);
		ERR(c, io->maps[v[k].who].iova.pos, path,
		    "%#llx-%#llx is not inside this IOAS's allow ranges: widen allow or move the mapping",
		    (ull)v[k].start, (ull)v[k].last);
	}
	free(al);
}

/* Overlapping fixed mappings, and fixed mappings outside the allow ranges. */
static void check_fixed(struct spec_chk *c, size_t i)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	size_t n = 0, prev = 0;
	struct spec_span *v = spec_fixed_spans(io, &n);
	char path[96];

	if (!v) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t k = 1; k < n; k++) {
		const struct ictl_spec_mapping *m = &io->maps[v[k].who];

		if (v[k].start > v[prev].last) {
			prev = v[k].last > v[prev].last ? k : prev;
			continue;
		}
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].iova", i, v[k].who);
		ERR(c, m->iova.pos, path,
		    "%#llx-%#llx overlaps mappings[%zu] (%#llx-%#llx, line %u): one IOVA holds one mapping (the kernel answers EEXIST)",
		    (ull)v[k].start, (ull)v[k].last, v[prev].who, (ull)v[prev].start,
		    (ull)v[prev].last, io->maps[v[prev].who].pos.line);
		prev = v[k].last > v[prev].last ? k : prev;
	}
	if (io->nallow)
		check_in_allow(c, i, v, n);
	free(v);
}

/* The mapping that holds iova in IOAS i (fixed IOVAs only, sorted in c->fixed[i]), or -1. */
static long covering(const struct spec_chk *c, size_t i, uint64_t iova)
{
	const struct spec_span *v = c->fixed[i];
	size_t lo = 0, hi = c->nfixed[i];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].start <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && v[lo - 1].last >= iova ? (long)v[lo - 1].who : -1;
}

/* Is mapping (si, sk) made before copy (i, k)?  Copies are made last, in spec order. */
static bool made_before(const struct ictl_spec *s, size_t si, size_t sk, size_t i, size_t k)
{
	if (s->ioas[si].maps[sk].memory != ICTL_SPEC_MEM_COPY)
		return true;
	return si < i || (si == i && sk < k);
}

static void check_copy_source(struct spec_chk *c, size_t i, size_t k, size_t si, size_t sk,
			      const char *path)
{
	const struct ictl_spec_mapping *m = &c->s->ioas[i].maps[k];
	const struct ictl_spec_mapping *src = &c->s->ioas[si].maps[sk];

	if (si == i && sk == k)
		ERR(c, m->memory_pos, path, "this mapping copies itself: circular");
	else if (!made_before(c->s, si, sk, i, k))
		ERR(c, m->memory_pos, path,
		    "copies ioas[%zu].mappings[%zu] (line %u), a copy that is made after this one (copies are made in spec order, after the other mappings): circular or out of order; move it first",
		    si, sk, src->pos.line);
	else if ((m->access & ICTL_SPEC_ACCESS_WRITE) && !(src->access & ICTL_SPEC_ACCESS_WRITE))
		ERR(c, m->access_pos.line ? m->access_pos : m->pos, path,
		    "access w copies pages that ioas[%zu].mappings[%zu] (line %u) maps read-only: the kernel refuses (EPERM); give access: r",
		    si, sk, src->pos.line);
}

static void check_copy(struct spec_chk *c, size_t i, size_t k)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_mapping *m = &s->ioas[i].maps[k];
	const struct ictl_spec_ioas *src = &s->ioas[m->copy_ioas.idx];
	uint64_t at = m->copy_iova.v, last;
	char path[96];

	snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].copy", i, k);
	if (m->size.v - 1 > UINT64_MAX - at) {
		ERR(c, m->memory_pos, path, "source %#llx + size %#llx goes past 2^64", (ull)at,
		    (ull)m->size.v);
		return;
	}
	last = at + m->size.v - 1;
	if (m->copy_mapping >= 0) {
		const struct ictl_spec_mapping *sm = &src->maps[m->copy_mapping];

		if (last >= sm->size.v)
			ERR(c, m->memory_pos, path,
			    "offset %#llx + size %#llx goes past the end of mapping %s (%#llx bytes)",
			    (ull)at, (ull)m->size.v, sm->name, (ull)sm->size.v);
		else
			check_copy_source(c, i, k, (size_t)m->copy_ioas.idx, (size_t)m->copy_mapping,
					  path);
		return;
	}
	for (;;) {
		long h = covering(c, (size_t)m->copy_ioas.idx, at);

		if (h < 0) {
			ERR(c, m->memory_pos, path,
			    "IOVA %#llx of IOAS %s is not mapped at a fixed IOVA: a copy needs its source mapped (for a mapping whose IOVA the kernel picks, write copy: {mapping: NAME})",
			    (ull)at, src->name);
			return;
		}
		check_copy_source(c, i, k, (size_t)m->copy_ioas.idx, (size_t)h, path);
		if (src->maps[h].iova.v + src->maps[h].size.v - 1 >= last)
			return;
		at = src->maps[h].iova.v + src->maps[h].size.v;
	}
}

/* --- the selftest mock ------------------------------------------------------------- */

static const struct spec_span mock_aperture = { ICTL_MOCK_APERTURE_START, ICTL_MOCK_APERTURE_LAST,
						0 };

static void check_mock_aperture(struct spec_chk *c, size_t i, int d)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	char path[96];

	for (size_t k = 0; k < io->nmaps; k++) {
		struct spec_span sp;

		if (!spec_map_span(&io->maps[k], &sp, k) ||
		    (sp.start >= mock_aperture.start && sp.last <= mock_aperture.last))
			continue;
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].iova", i, k);
		ERR(c, io->maps[k].iova.pos, path,
		    "%#llx-%#llx is outside the mock domain's aperture %#llx-%#llx (MOCK_APERTURE_START/LAST): mock device %s uses this IOAS",
		    (ull)sp.start, (ull)sp.last, (ull)mock_aperture.start, (ull)mock_aperture.last,
		    c->s->devices[d].name);
	}
	for (size_t k = 0; k < io->nallow; k++) {
		if (io->allow[k].start >= mock_aperture.start && io->allow[k].last <= mock_aperture.last)
			continue;
		snprintf(path, sizeof(path), "ioas[%zu].allow[%zu]", i, k);
		ERR(c, io->allow[k].pos, path,
		    "%#llx-%#llx reaches outside the mock domain's aperture %#llx-%#llx, which the kernel reserves (EADDRINUSE): mock device %s uses this IOAS",
		    (ull)io->allow[k].start, (ull)io->allow[k].last, (ull)mock_aperture.start,
		    (ull)mock_aperture.last, c->s->devices[d].name);
	}
}

static void check_ioas(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;

	for (size_t i = 0; i < s->nioas; i++) {
		const struct ictl_spec_ioas *io = &s->ioas[i];
		size_t before = c->out->nerrors, failed = 0, ntabs = 0;
		int mock = spec_mock_in_ioas(c, i), r;
		struct spec_span *tabs;
		char path[96];

		check_allow(c, i);
		for (size_t k = 0; k < io->nmaps; k++) {
			check_shape(c, i, k);
			if (io->maps[k].memory == ICTL_SPEC_MEM_COPY)
				check_copy(c, i, k);
		}
		check_fixed(c, i);
		if (mock >= 0)
			check_mock_aperture(c, i, mock);
		if (c->out->nerrors != before)
			continue;	/* room is only meaningful in a consistent IOAS */
		/* around the tables' memory too: apply maps it first */
		tabs = spec_pt_spans(s, i, &ntabs);
		r = tabs ? spec_place_auto(io, tabs, ntabs, mock >= 0 ? &mock_aperture : NULL,
					   &failed) :
			   -ENOMEM;
		free(tabs);
		if (r < 0)
			c->err = r;
		if (r <= 0)
			continue;
		snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].size", i, failed);
		ERR(c, io->maps[failed].size.pos, path,
		    "no room for this mapping of %#llx bytes at an IOVA the kernel picks: %s, less the fixed mappings%s, has no aligned hole that big",
		    (ull)io->maps[failed].size.v,
		    mock >= 0 ? "the mock's aperture" : io->nallow ? "the allow ranges" :
								     "the IOVA space",
		    ntabs ? " and the page tables' memory" : "");
	}
}

/* --- objects ------------------------------------------------------------------------ */

int ictl_spec_check(struct ictl_ctx *ctx, const struct ictl_spec *s, const struct ictl_spec_env *env,
		    struct ictl_spec_findings *out)
{
	struct spec_chk c = { .ctx = ctx, .s = s, .env = env, .out = out };

	memset(out, 0, sizeof(*out));
	c.fixed = calloc(s->nioas + 1, sizeof(*c.fixed));
	c.nfixed = calloc(s->nioas + 1, sizeof(*c.nfixed));
	c.attach_ioas = calloc(s->nattach + 1, sizeof(*c.attach_ioas));
	if (!c.fixed || !c.nfixed || !c.attach_ioas)
		c.err = -ENOMEM;
	for (size_t a = 0; !c.err && a < s->nattach; a++)
		c.attach_ioas[a] = spec_attach_ioas(s, &s->attach[a]);
	for (size_t i = 0; !c.err && i < s->nioas; i++) {
		c.fixed[i] = spec_fixed_spans(&s->ioas[i], &c.nfixed[i]);
		if (!c.fixed[i])
			c.err = -ENOMEM;
	}
	if (!c.err)
		check_ioas(&c);
	if (!c.err)
		spec_check_ptables(&c);
	if (!c.err)
		spec_check_objs(&c);
	if (env && !c.err)
		spec_check_host(&c);
	for (size_t i = 0; c.fixed && i < s->nioas; i++)
		free(c.fixed[i]);
	free(c.fixed);
	free(c.nfixed);
	free(c.attach_ioas);
	if (c.err)
		return ictl_err(ctx, -c.err, "out of memory checking the spec");
	return 0;
}
