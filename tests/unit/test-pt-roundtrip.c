// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Round trips in every format and page-size set: random mappings (seeded, so
 * a failure names the seed to replay) are built into tables, read back as
 * ranges and checked: the ranges are exactly the mappings, the check finds
 * nothing, and a table changed on purpose (a leaf moved, a mapping dropped or
 * added, permissions changed) is caught by the rule that should catch it.
 *
 * PT_SEED=N PT_ITER=M replay or extend a run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static const char *const cfgs[] = {
	"x86-64",
	"x86-64,levels=5",
	"x86-64,sign-extend=0",
	"x86-64,levels=5,oas=46",
	"vtd-ss,levels=3",
	"vtd-ss",
	"vtd-ss,levels=5,oas=48",
	"amd-v1,levels=1",
	"amd-v1,levels=2",
	"amd-v1,levels=3",
	"amd-v1",
	"amd-v1,levels=5",
	"amd-v1,levels=6",
	"arm-lpae-s1",
	"arm-lpae-s1,ias=39",
	"arm-lpae-s1,ias=32,oas=40",
	"arm-lpae-s1,granule=16K",
	"arm-lpae-s1,granule=16K,ias=36",
	"arm-lpae-s1,granule=64K",
	"arm-lpae-s1,granule=64K,ias=42,oas=52",
};

/* Permissions the format can express (x86 and LPAE always read; VT-d needs r or w). */
static unsigned int rnd_perms(const struct ictl_pt_cfg *cfg)
{
	const char *n = cfg->name;
	unsigned int p = (unsigned int)below(16);

	if (!strncmp(n, "x86-64", 6) || !strncmp(n, "arm-lpae", 8))
		return p | ICTL_PT_R;
	if (!strncmp(n, "amd-v1", 6))
		p &= ICTL_PT_R | ICTL_PT_W;
	else
		p &= ICTL_PT_R | ICTL_PT_W | ICTL_PT_X;
	return p & (ICTL_PT_R | ICTL_PT_W) ? p : p | ICTL_PT_R;
}

/* The highest IOVA + 1 of the (lower half of the) input space. */
static uint64_t space(const struct ictl_pt_cfg *cfg)
{
	unsigned int bits = cfg->ias - (cfg->sign_extend ? 1 : 0);

	return bits >= 64 ? ~0ull : 1ull << bits;
}

/* Random mappings with pages of mask, not overlapping, within the space. */
static void gen(const struct ictl_pt_cfg *cfg, uint64_t mask, struct ictl_pt_maps *m)
{
	unsigned int sizes[64], ns = 0, k = 1 + (unsigned int)below(12);
	uint64_t top = space(cfg), otop = 1ull << (cfg->oas > 50 ? 50 : cfg->oas);

	for (unsigned int b = 0; b < 64; b++)
		if ((mask & (1ull << b)) && b <= 33)
			sizes[ns++] = b;
	m->n = 0;
	m->v = calloc(k, sizeof(*m->v));
	for (unsigned int i = 0; i < k; i++) {
		unsigned int s = sizes[below(ns > 3 && below(2) ? 3 : ns)];
		uint64_t sz = (1 + below(3)) << s, gran = 1ull << sizes[0];
		struct ictl_pt_map x = { 0 };
		bool ok = true;

		if (sz >= top / 4 || sz >= otop / 4)
			continue;
		/* Some mappings end with a few granules, so smaller pages follow big ones. */
		if (below(3) == 0)
			sz += below(4) * gran;
		x.iova = below((top - sz) >> s) << s;
		if (cfg->sign_extend && below(2))
			x.iova = -(x.iova + sz); /* the upper (sign-extended) half */
		x.phys = below((otop - sz) >> s) << s;
		x.size = sz;
		x.perms = rnd_perms(cfg);
		x.line = i + 1;
		for (size_t j = 0; j < m->n && ok; j++)
			ok = x.iova + (x.size - 1) < m->v[j].iova ||
			     m->v[j].iova + (m->v[j].size - 1) < x.iova;
		if (ok)
			m->v[m->n++] = x;
	}
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = i; j > 0 && m->v[j].iova < m->v[j - 1].iova; j--) {
			struct ictl_pt_map t = m->v[j];

			m->v[j] = m->v[j - 1];
			m->v[j - 1] = t;
		}
}

struct tally {
	uint64_t n, by[ICTL_PT_RULE_COUNT];
	struct ictl_pt_finding first;
};

static int count_finding(void *priv, const struct ictl_pt_finding *f)
{
	struct tally *t = priv;

	if (!t->n)
		t->first = *f;
	t->n++;
	t->by[f->rule]++;
	return 0;
}

static int check(struct ictl_ctx *ctx, const struct ictl_pt_image *img,
		 const struct ictl_pt_maps *maps, uint64_t expect, struct tally *t)
{
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_check_opts o = { .cfg = &img->cfg,
					.src = &src,
					.root = img->root,
					.maps = maps,
					.expect_pages = expect };
	struct ictl_pt_check_stats st;

	memset(t, 0, sizeof(*t));
	ictl_pt_image_src(img, &span, &src);
	return ictl_pt_check(ctx, &o, count_finding, t, &st);
}

/* The ranges read back cover exactly the mappings, at the right physical addresses. */
static bool ranges_match(const struct ictl_pt_image *img, const struct ictl_pt_maps *maps)
{
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_ranges it;
	struct ictl_pt_range r;
	uint64_t mapped = 0, want = 0;
	bool ok = true;
	int n;

	ictl_pt_image_src(img, &span, &src);
	if (ictl_pt_ranges_init(&it, &img->cfg, &src, img->root))
		return false;
	while ((n = ictl_pt_ranges_next(&it, &r)) > 0) {
		bool inside = false;

		for (size_t i = 0; i < maps->n; i++) {
			const struct ictl_pt_map *m = &maps->v[i];

			if (r.iova >= m->iova && r.iova + (r.size - 1) <= m->iova + (m->size - 1) &&
			    r.phys == m->phys + (r.iova - m->iova))
				inside = true;
		}
		ok = ok && inside;
		mapped += r.size;
	}
	for (size_t i = 0; i < maps->n; i++)
		want += maps->v[i].size;
	ictl_pt_ranges_free(&it);
	return ok && n == 0 && mapped == want;
}

/* Change one leaf's address: the check must say phys at that IOVA. */
static bool catches_moved_leaf(struct ictl_ctx *ctx, struct ictl_pt_image *img,
			       const struct ictl_pt_maps *maps)
{
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_walk w;
	struct ictl_pt_event ev;
	uint64_t pick = below(img->leaves ? img->leaves : 1), seen = 0, *e = NULL, iova = 0;
	unsigned int h = 0;
	struct tally t;
	bool ok;

	ictl_pt_image_src(img, &span, &src);
	if (ictl_pt_walk_init(&w, &img->cfg, &src, img->root, ICTL_PT_WALK_TREE))
		return false;
	while (ictl_pt_walk_next(&w, &ev) > 0) {
		if (ev.type != ICTL_PT_EV_ENTRY || ev.pte.type != ICTL_PTE_LEAF)
			continue;
		if (seen++ == pick || !e) {
			e = (uint64_t *)(img->mem + (ev.entry_addr - img->base));
			iova = ev.iova;
			h = ev.h;
		}
	}
	ictl_pt_walk_free(&w);
	if (!e)
		return maps->n == 0;
	/* Move it by one page of its own size: still aligned, still a valid leaf. */
	{
		struct ictl_pte pte;

		ictl_pt_decode(&img->cfg, h, *e, &pte);
		*e += 1ull << pte.page;
		if (pte.span > 1) {
			/* AMD's replicated pages: move every replica, or the check says replica. */
			uint64_t *first = e - ((iova >> img->cfg.shift[h]) % pte.span);

			for (unsigned int k = 0; k < pte.span; k++)
				first[k] = *e;
		}
	}
	ok = !check(ctx, img, maps, 0, &t) && t.by[ICTL_PT_RULE_PHYS] >= 1;
	if (!ok)
		printf("# moved leaf at 0x%" PRIx64 ": %" PRIu64 " findings, first: %s\n", iova,
		       t.n, t.n ? t.first.msg : "-");
	return ok;
}

static void one(struct ictl_ctx *ctx, const char *spec, uint64_t seed, bool *all_ok)
{
	struct ictl_pt_cfg cfg;
	struct ictl_pt_maps maps = { 0 };
	struct ictl_pt_image img;
	struct tally t;
	uint64_t mask;
	int r;

	if (ictl_pt_cfg_parse(ctx, spec, &cfg)) {
		ok(0, "%s parses: %s", spec, ictl_strerror(ctx));
		*all_ok = false;
		return;
	}
	/* All page sizes, the smallest alone, or the smallest and a random other one. */
	mask = cfg.page_sizes;
	if (below(3) == 0)
		mask &= -mask;
	else if (below(2))
		mask = (mask & -mask) | (1ull << (63 - __builtin_clzll(mask & ~(1ull << 60)) -
						  (unsigned int)below(2)));
	mask &= cfg.page_sizes;
	gen(&cfg, mask, &maps);
	r = ictl_pt_build(ctx, &cfg, mask, 0x100000000ull, &maps, &img);
	if (r < 0) {
		printf("# seed %" PRIu64 " %s: build: %s\n", seed, spec, ictl_strerror(ctx));
		*all_ok = false;
		ictl_pt_maps_clear(&maps);
		return;
	}
	if (!ranges_match(&img, &maps)) {
		printf("# seed %" PRIu64 " %s: ranges differ from the mappings\n", seed, spec);
		*all_ok = false;
	}
	r = check(ctx, &img, &maps, mask, &t);
	if (r || t.n) {
		printf("# seed %" PRIu64 " %s: %" PRIu64 " findings, first: %s\n", seed, spec, t.n,
		       t.n ? t.first.msg : ictl_strerror(ctx));
		*all_ok = false;
	}
	if (maps.n > 1) {
		struct ictl_pt_maps fewer = { maps.n - 1, maps.v + 1 };

		/* The table has a mapping more than asked: extra; one less: missing. */
		if (check(ctx, &img, &fewer, 0, &t) || t.by[ICTL_PT_RULE_EXTRA] != 1 || t.n != 1) {
			printf("# seed %" PRIu64 " %s: dropped mapping: %" PRIu64 " findings\n",
			       seed, spec, t.n);
			*all_ok = false;
		}
		maps.v[0].perms ^= ICTL_PT_W;
		if (check(ctx, &img, &maps, 0, &t) || t.by[ICTL_PT_RULE_PERMS] < 1) {
			printf("# seed %" PRIu64 " %s: changed permissions not caught\n", seed,
			       spec);
			*all_ok = false;
		}
		maps.v[0].perms ^= ICTL_PT_W;
	}
	if (!catches_moved_leaf(ctx, &img, &maps)) {
		printf("# seed %" PRIu64 " %s: a moved leaf is not caught\n", seed, spec);
		*all_ok = false;
	}
	ictl_pt_image_clear(&img);
	ictl_pt_maps_clear(&maps);
}

int main(void)
{
	struct ictl_ctx *ctx;
	const char *s = getenv("PT_SEED"), *it = getenv("PT_ITER");
	uint64_t seed0 = s ? strtoull(s, NULL, 0) : 12, iters = it ? strtoull(it, NULL, 0) : 60;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	for (size_t c = 0; c < ARRAY_SIZE(cfgs); c++) {
		bool all_ok = true;

		for (uint64_t i = 0; i < iters; i++) {
			uint64_t seed = seed0 * 1000003 + c * 7919 + i;

			rng = seed * 0x9e3779b97f4a7c15ull | 1;
			one(ctx, cfgs[c], seed, &all_ok);
		}
		ok(all_ok,
		   "%s: %" PRIu64 " random round trips (build, ranges, check, changes "
		   "caught)",
		   cfgs[c], iters);
	}
	ictl_ctx_free(ctx);
	return done_testing();
}
