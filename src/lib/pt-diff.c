// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changed between two tables: their translations (merged ranges) are
 * walked side by side in IOVA order; parts only in one are added or
 * removed, parts in both that differ are remapped, re-permissioned or mapped
 * with other pages.  Adjacent changes that continue each other are merged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pt-internal.h"

const char *ictl_pt_change_name(enum ictl_pt_change c)
{
	static const char *const names[] = { "added", "removed", "remapped", "perms", "pages" };

	return c < ARRAY_SIZE(names) ? names[c] : "?";
}

struct differ {
	ictl_pt_delta_fn fn;
	void *priv;
	struct ictl_pt_delta pend;
	bool have;
	long long n;
};

static bool continues(const struct ictl_pt_delta *p, const struct ictl_pt_delta *d)
{
	return p->change == d->change && p->iova + p->size == d->iova && p->perms_a == d->perms_a &&
	       p->perms_b == d->perms_b && p->page_a == d->page_a && p->page_b == d->page_b &&
	       (!p->phys_a || p->phys_a + p->size == d->phys_a) &&
	       (!p->phys_b || p->phys_b + p->size == d->phys_b);
}

static int flush(struct differ *df)
{
	if (!df->have)
		return 0;
	df->have = false;
	df->n++;
	return df->fn ? df->fn(df->priv, &df->pend) : 0;
}

static int delta(struct differ *df, const struct ictl_pt_delta *d)
{
	int r;

	if (df->have && continues(&df->pend, d)) {
		df->pend.size += d->size;
		return 0;
	}
	r = flush(df);
	df->pend = *d;
	df->have = true;
	return r;
}

/* [x, e] of range a (or b) alone. */
static int alone(struct differ *df, const struct ictl_pt_range *r, uint64_t x, uint64_t e,
		 bool in_a)
{
	struct ictl_pt_delta d = { .change = in_a ? ICTL_PT_REMOVED : ICTL_PT_ADDED,
				   .iova = x,
				   .size = e - x + 1 };

	if (in_a) {
		d.phys_a = r->phys + (x - r->iova);
		d.perms_a = r->perms;
		d.page_a = r->page;
	} else {
		d.phys_b = r->phys + (x - r->iova);
		d.perms_b = r->perms;
		d.page_b = r->page;
	}
	return delta(df, &d);
}

static int both(struct differ *df, const struct ictl_pt_range *a, const struct ictl_pt_range *b,
		uint64_t x, uint64_t e)
{
	struct ictl_pt_delta d = {
		.iova = x,
		.size = e - x + 1,
		.phys_a = a->phys + (x - a->iova),
		.phys_b = b->phys + (x - b->iova),
		.perms_a = a->perms,
		.perms_b = b->perms,
		.page_a = a->page,
		.page_b = b->page,
	};

	if (d.phys_a != d.phys_b)
		d.change = ICTL_PT_REMAPPED;
	else if (d.perms_a != d.perms_b)
		d.change = ICTL_PT_REPERM;
	else if (d.page_a != d.page_b)
		d.change = ICTL_PT_REPAGED;
	else
		return 0;
	return delta(df, &d);
}

static uint64_t last_of(const struct ictl_pt_range *r)
{
	return r->iova + (r->size - 1);
}

/* Advance one side: 1 with a range, 0 at its end. */
static int next(struct ictl_ctx *ctx, struct ictl_pt_ranges *it, struct ictl_pt_range *r,
		const char *side)
{
	int n = ictl_pt_ranges_next(it, r);

	if (n < 0)
		return ictl_err(ctx, -n, "table %s: %s", side, strerror(-n));
	return n;
}

static long long join(struct ictl_ctx *ctx, struct differ *df, struct ictl_pt_ranges *ia,
		      struct ictl_pt_ranges *ib)
{
	struct ictl_pt_range a, b;
	int ha = next(ctx, ia, &a, "A"), hb = next(ctx, ib, &b, "B"), r = 0;

	while (ha > 0 || hb > 0) {
		if (ha < 0 || hb < 0)
			return ha < 0 ? ha : hb;
		if (hb <= 0 || (ha > 0 && last_of(&a) < b.iova)) {
			r = alone(df, &a, a.iova, last_of(&a), true);
			ha = next(ctx, ia, &a, "A");
		} else if (ha <= 0 || last_of(&b) < a.iova) {
			r = alone(df, &b, b.iova, last_of(&b), false);
			hb = next(ctx, ib, &b, "B");
		} else if (a.iova != b.iova) {
			/* The part before they overlap belongs to one side alone. */
			bool first_a = a.iova < b.iova;
			struct ictl_pt_range *f = first_a ? &a : &b, *s = first_a ? &b : &a;
			uint64_t cut = s->iova - f->iova;

			r = alone(df, f, f->iova, s->iova - 1, first_a);
			f->phys += cut;
			f->size -= cut;
			f->iova = s->iova;
		} else {
			uint64_t e = last_of(&a) < last_of(&b) ? last_of(&a) : last_of(&b);
			uint64_t cut = e - a.iova + 1;

			r = both(df, &a, &b, a.iova, e);
			if (e == last_of(&a))
				ha = next(ctx, ia, &a, "A");
			else
				a.iova += cut, a.phys += cut, a.size -= cut;
			if (e == last_of(&b))
				hb = next(ctx, ib, &b, "B");
			else
				b.iova += cut, b.phys += cut, b.size -= cut;
		}
		if (r < 0)
			return r;
	}
	if (ha < 0 || hb < 0)
		return ha < 0 ? ha : hb;
	r = flush(df);
	return r < 0 ? r : df->n;
}

long long ictl_pt_diff(struct ictl_ctx *ctx, const struct ictl_pt_side *a,
		       const struct ictl_pt_side *b, ictl_pt_delta_fn fn, void *priv)
{
	struct ictl_pt_ranges ia, ib;
	struct differ df = { .fn = fn, .priv = priv };
	long long n;

	if (ictl_pt_ranges_init(&ia, a->cfg, a->src, a->root) < 0)
		return ictl_err(ctx, ENOMEM, "out of memory");
	if (ictl_pt_ranges_init(&ib, b->cfg, b->src, b->root) < 0) {
		ictl_pt_ranges_free(&ia);
		return ictl_err(ctx, ENOMEM, "out of memory");
	}
	n = join(ctx, &df, &ia, &ib);
	ictl_pt_ranges_free(&ia);
	ictl_pt_ranges_free(&ib);
	return n;
}
