// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checking a table: its own soundness (what the walk finds), the mappings it
 * should hold (a merge of its leaves with the sorted mappings, in IOVA order),
 * the reserved regions of the group, and what the hardware supports.
 *
 * Findings are streamed: one pending finding per rule is extended while the
 * next one continues it (the same rule, adjacent IOVAs, the same wish and the
 * same result, or physical addresses that continue each other), and handed
 * over once it cannot grow any more.  Memory does not grow with the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pt-internal.h"

struct checker {
	struct ictl_ctx *ctx;
	const struct ictl_pt_check_opts *o;
	ictl_pt_finding_fn fn;
	void *priv;
	struct ictl_pt_check_stats *st;
	struct ictl_pt_finding pend[ICTL_PT_RULE_COUNT];
	bool have[ICTL_PT_RULE_COUNT];
	size_t mi; /* the mapping being matched */
	uint64_t mpos; /* its first IOVA not yet accounted for */
	size_t smi; /* size rule: the mapping, and its next expected page */
	uint64_t spos;
};

static uint64_t map_last(const struct ictl_pt_map *m)
{
	return m->iova + (m->size - 1);
}

static void range_str(uint64_t iova, uint64_t size, char *buf, size_t len)
{
	char sz[24];

	snprintf(buf, len, "IOVA 0x%" PRIx64 "-0x%" PRIx64 " (%s)", iova, iova + (size - 1),
		 size ? ictl_pt_size_str(size, sz, sizeof(sz)) : "16E");
}

/* The mapping of a finding: "line 3", "mapping 'buf'", "unnamed mapping 3". */
static const char *whose(const struct ictl_pt_finding *f, char *buf, size_t len)
{
	if (!f->name)
		snprintf(buf, len, "line %u", f->line);
	else if (f->name[0])
		snprintf(buf, len, "mapping '%.64s'", f->name);
	else
		snprintf(buf, len, "unnamed mapping %u", f->line);
	return buf;
}

/* The message of a finding that was merged from pieces; walk problems bring their own. */
static void describe(const struct checker *c, struct ictl_pt_finding *f)
{
	char r[80], a[8], b[8], s1[24], s2[24], w[96];

	range_str(f->iova, f->size, r, sizeof(r));
	whose(f, w, sizeof(w));
	switch (f->rule) {
	case ICTL_PT_RULE_MISSING:
		snprintf(f->msg, sizeof(f->msg), "%s of %s is not mapped", r, w);
		break;
	case ICTL_PT_RULE_EXTRA:
		snprintf(f->msg, sizeof(f->msg),
			 "%s is mapped (to 0x%" PRIx64 ") but no mapping "
			 "asks for it",
			 r, f->got);
		break;
	case ICTL_PT_RULE_PHYS:
		snprintf(f->msg, sizeof(f->msg), "%s of %s goes to 0x%" PRIx64 ", not 0x%" PRIx64,
			 r, w, f->got, f->want);
		break;
	case ICTL_PT_RULE_PERMS:
		snprintf(f->msg, sizeof(f->msg), "%s of %s is mapped %s, not %s", r, w,
			 ictl_pt_perms_str((unsigned int)f->got, a),
			 ictl_pt_perms_str((unsigned int)f->want, b));
		break;
	case ICTL_PT_RULE_SIZE:
		snprintf(f->msg, sizeof(f->msg),
			 "%s of %s is mapped with %s pages where %s "
			 "pages fit",
			 r, w, ictl_pt_size_str(1ull << f->got, s1, sizeof(s1)),
			 ictl_pt_size_str(1ull << f->want, s2, sizeof(s2)));
		break;
	case ICTL_PT_RULE_RESV_REGION:
		snprintf(f->msg, sizeof(f->msg),
			 "%s is mapped inside the reserved region 0x%" PRIx64 "-0x%" PRIx64, r,
			 f->want, f->got);
		break;
	case ICTL_PT_RULE_HW_PAGE_SIZE:
		snprintf(f->msg, sizeof(f->msg),
			 "%s is mapped with %s pages, which the IOMMU does "
			 "not support (%.80s)",
			 r, ictl_pt_size_str(1ull << f->got, s1, sizeof(s1)), c->o->hw->source);
		break;
	case ICTL_PT_RULE_HW_ADDRESS:
		snprintf(f->msg, sizeof(f->msg),
			 "%s uses addresses wider than the IOMMU's %" PRIu64 " bits (%.80s)", r,
			 f->want, c->o->hw->source);
		break;
	default:
		if (f->count > 1) {
			size_t n = strlen(f->msg);

			snprintf(f->msg + n, sizeof(f->msg) - n, " (and %" PRIu64 " more entries)",
				 f->count - 1);
		}
		break;
	}
}

static int flush(struct checker *c, enum ictl_pt_rule rule)
{
	struct ictl_pt_finding *f = &c->pend[rule];

	if (!c->have[rule])
		return 0;
	c->have[rule] = false;
	describe(c, f);
	c->st->findings++;
	c->st->by_rule[rule]++;
	return c->fn ? c->fn(c->priv, f) : 0;
}

static bool continues(const struct ictl_pt_finding *p, const struct ictl_pt_finding *f)
{
	if (p->iova + p->size != f->iova || p->line != f->line)
		return false;
	if (f->rule == ICTL_PT_RULE_PHYS || f->rule == ICTL_PT_RULE_EXTRA)
		return f->got == p->got + p->size &&
		       (f->rule == ICTL_PT_RULE_EXTRA || f->want == p->want + p->size);
	return f->want == p->want && f->got == p->got;
}

static int emit(struct checker *c, const struct ictl_pt_finding *f)
{
	struct ictl_pt_finding *p = &c->pend[f->rule];
	int r;

	if (c->have[f->rule] && continues(p, f)) {
		p->size += f->size;
		p->count += f->count;
		return 0;
	}
	/* Findings of other rules that end before this one cannot grow any more. */
	for (int k = 0; k < ICTL_PT_RULE_COUNT; k++) {
		if (c->have[k] && (int)f->rule != k &&
		    c->pend[k].iova + c->pend[k].size < f->iova) {
			r = flush(c, (enum ictl_pt_rule)k);
			if (r < 0)
				return r;
		}
	}
	r = flush(c, f->rule);
	if (r < 0)
		return r;
	*p = *f;
	c->have[f->rule] = true;
	return 0;
}

/* A finding about [x, e] of a leaf run: the entry concerned is the one holding x. */
static int leaf_finding(struct checker *c, const struct ictl_pt_event *ev, enum ictl_pt_rule rule,
			uint64_t x, uint64_t e, const struct ictl_pt_map *m, uint64_t want,
			uint64_t got)
{
	const struct ictl_pt_cfg *cfg = c->o->cfg;
	uint64_t k = (x - ev->iova) >> cfg->shift[ev->h];
	struct ictl_pt_finding f = {
		.rule = rule,
		.iova = x,
		.size = e - x + 1,
		.h = ev->h,
		.entry_addr = ev->entry_addr + 8 * k,
		.index = ev->index + (unsigned int)k,
		.raw = ev->pte.raw,
		.line = m ? m->line : 0,
		.name = m ? m->name : NULL,
		.want = want,
		.got = got,
		.count = 1,
	};

	return emit(c, &f);
}

static int missing(struct checker *c, const struct ictl_pt_map *m, uint64_t from, uint64_t to)
{
	struct ictl_pt_finding f = {
		.rule = ICTL_PT_RULE_MISSING,
		.iova = from,
		.size = to - from + 1,
		.line = m->line,
		.name = m->name,
		.count = 1,
	};

	return emit(c, &f);
}

static void next_map(struct checker *c)
{
	const struct ictl_pt_maps *maps = c->o->maps;

	c->mi++;
	if (c->mi < maps->n)
		c->mpos = maps->v[c->mi].iova;
}

/* What is left of the mapping being matched is missing. */
static int finish_map(struct checker *c)
{
	const struct ictl_pt_map *m = &c->o->maps->v[c->mi];
	int r = 0;

	if (c->mpos >= m->iova && c->mpos <= map_last(m))
		r = missing(c, m, c->mpos, map_last(m));
	next_map(c);
	return r;
}

/* Pages of the size rule: the table's pages against what the largest that fit would be. */
static int check_size(struct checker *c, const struct ictl_pt_event *ev,
		      const struct ictl_pt_map *m, uint64_t x, uint64_t e)
{
	uint64_t mask = m->page ? 1ull << m->page : c->o->expect_pages, pos;
	int r;

	if (!mask || (m->any & ICTL_PT_ANY_PHYS))
		return 0;
	if (c->smi != c->mi + 1) {
		c->smi = c->mi + 1;
		c->spos = m->iova;
	}
	for (pos = x > c->spos ? x : c->spos; pos <= e && pos >= x;) {
		uint64_t rem = map_last(m) - pos + 1, cnt = 1, len;
		unsigned int g =
			pt_best_page(mask, pos, m->phys + (pos - m->iova), rem ? rem : ~0ull, &cnt);

		if (!g) {
			g = (unsigned int)__builtin_ctzll(mask);
			cnt = (e - pos) >> g;
			cnt++;
		}
		len = cnt << g;
		if (g == ev->page) {
			uint64_t k = ((e - pos) >> g) + 1;

			pos += (k < cnt ? k : cnt) << g;
		} else {
			uint64_t last = pos + (len - 1) > map_last(m) || pos + (len - 1) < pos ?
						map_last(m) :
						pos + (len - 1);

			r = leaf_finding(c, ev, ICTL_PT_RULE_SIZE, pos, last, m, g, ev->page);
			if (r < 0)
				return r;
			pos = last + 1;
		}
		if (!pos)
			break;
	}
	c->spos = pos;
	return 0;
}

static int compare(struct checker *c, const struct ictl_pt_event *ev, const struct ictl_pt_map *m,
		   uint64_t x, uint64_t e)
{
	unsigned int mask = c->o->cfg->fmt->perm_mask & ~c->o->ignore_perms;
	uint64_t got = ev->phys + (x - ev->iova), want = m->phys + (x - m->iova);
	int r = 0;

	if (got != want && !(m->any & ICTL_PT_ANY_PHYS))
		r = leaf_finding(c, ev, ICTL_PT_RULE_PHYS, x, e, m, want, got);
	if (!r && (ev->perms & mask) != (m->perms & mask) && !(m->any & ICTL_PT_ANY_PERMS))
		r = leaf_finding(c, ev, ICTL_PT_RULE_PERMS, x, e, m, m->perms & mask,
				 ev->perms & mask);
	return r ? r : check_size(c, ev, m, x, e);
}

static int extra(struct checker *c, const struct ictl_pt_event *ev, uint64_t x, uint64_t e)
{
	return leaf_finding(c, ev, ICTL_PT_RULE_EXTRA, x, e, NULL, 0, ev->phys + (x - ev->iova));
}

/* Merge one run of leaves with the mappings. */
static int leaf_vs_maps(struct checker *c, const struct ictl_pt_event *ev)
{
	const struct ictl_pt_maps *maps = c->o->maps;
	uint64_t b = ev->iova + (ev->size - 1), x = ev->iova;
	int r;

	for (;;) {
		const struct ictl_pt_map *m;
		uint64_t e;

		while (c->mi < maps->n && map_last(&maps->v[c->mi]) < x) {
			r = finish_map(c);
			if (r < 0)
				return r;
		}
		if (c->mi == maps->n || maps->v[c->mi].iova > b)
			return extra(c, ev, x, b);
		m = &maps->v[c->mi];
		if (m->iova > x) {
			r = extra(c, ev, x, m->iova - 1);
			if (r < 0)
				return r;
			x = m->iova;
		}
		if (c->mpos < x && c->mpos >= m->iova) {
			r = missing(c, m, c->mpos, x - 1);
			if (r < 0)
				return r;
		}
		e = b < map_last(m) ? b : map_last(m);
		r = compare(c, ev, m, x, e);
		if (r < 0)
			return r;
		if (e == map_last(m))
			next_map(c);
		else
			c->mpos = e + 1;
		if (e == b)
			return 0;
		x = e + 1;
	}
}

static int check_hw(struct checker *c, const struct ictl_pt_event *ev)
{
	const struct ictl_pt_hw *hw = c->o->hw;
	uint64_t b = ev->iova + (ev->size - 1), pb = ev->phys + (ev->size - 1);
	int r = 0;

	if (!hw || !hw->known)
		return 0;
	if (hw->page_sizes && !(hw->page_sizes & (1ull << ev->page)))
		r = leaf_finding(c, ev, ICTL_PT_RULE_HW_PAGE_SIZE, ev->iova, b, NULL,
				 hw->page_sizes, ev->page);
	if (!r && hw->oas && hw->oas < 64 && pb >> hw->oas)
		r = leaf_finding(c, ev, ICTL_PT_RULE_HW_ADDRESS, ev->iova, b, NULL, hw->oas, 0);
	if (!r && hw->ias && hw->ias < 64 && b >> hw->ias && !c->o->cfg->sign_extend)
		r = leaf_finding(c, ev, ICTL_PT_RULE_HW_ADDRESS, ev->iova, b, NULL, hw->ias, 1);
	return r;
}

static int check_resv(struct checker *c, const struct ictl_pt_event *ev)
{
	uint64_t b = ev->iova + (ev->size - 1);

	for (size_t i = 0; i < c->o->nresv; i++) {
		const struct ictl_pt_resv *rv = &c->o->resv[i];
		int r;

		if (!strncmp(rv->kind, "direct", 6) || rv->last < ev->iova || rv->start > b)
			continue;
		r = leaf_finding(c, ev, ICTL_PT_RULE_RESV_REGION,
				 rv->start > ev->iova ? rv->start : ev->iova,
				 rv->last < b ? rv->last : b, NULL, rv->start, rv->last);
		if (r < 0)
			return r;
	}
	return 0;
}

static int problem(struct checker *c, const struct ictl_pt_event *ev)
{
	struct ictl_pt_finding f = {
		.rule = ev->rule,
		.iova = ev->iova,
		.size = ev->size,
		.h = ev->h,
		.entry_addr = ev->entry_addr,
		.index = ev->index,
		.raw = ev->pte.raw,
		.want = ev->rule == ICTL_PT_RULE_RESERVED ? ev->pte.rsvd : 0,
		.count = 1,
	};

	/* Problems about a table (not an entry) are not merged with anything. */
	if (!ev->entry_addr)
		f.want = ev->table ? ev->table : ev->iova + 1;
	snprintf(f.msg, sizeof(f.msg), "%s", ev->msg);
	return emit(c, &f);
}

static int hw_format(struct checker *c)
{
	const struct ictl_pt_hw *hw = c->o->hw;
	struct ictl_pt_finding f = { .rule = ICTL_PT_RULE_HW_FORMAT, .count = 1 };

	if (!hw || !hw->known || hw->walks)
		return 0;
	snprintf(f.msg, sizeof(f.msg), "the IOMMU does not walk %s tables (%.100s)",
		 c->o->cfg->name, hw->source);
	return emit(c, &f);
}

int ictl_pt_check(struct ictl_ctx *ctx, const struct ictl_pt_check_opts *o, ictl_pt_finding_fn fn,
		  void *priv, struct ictl_pt_check_stats *stats)
{
	struct checker *c = calloc(1, sizeof(*c));
	struct ictl_pt_walk w;
	struct ictl_pt_event ev;
	int r, n;

	memset(stats, 0, sizeof(*stats));
	if (!c)
		return ictl_err(ctx, ENOMEM, "out of memory");
	*c = (struct checker){ .ctx = ctx, .o = o, .fn = fn, .priv = priv, .st = stats };
	if (o->maps && o->maps->n)
		c->mpos = o->maps->v[0].iova;
	r = ictl_pt_walk_init(&w, o->cfg, o->src, o->root, 0);
	if (r < 0) {
		free(c);
		return ictl_err(ctx, -r, "out of memory");
	}
	r = hw_format(c);
	while (!r && (n = ictl_pt_walk_next(&w, &ev)) > 0) {
		if (ev.type == ICTL_PT_EV_PROBLEM) {
			r = problem(c, &ev);
			continue;
		}
		stats->ranges++;
		r = check_hw(c, &ev);
		if (!r)
			r = check_resv(c, &ev);
		if (!r && o->maps)
			r = leaf_vs_maps(c, &ev);
	}
	if (!r && n < 0)
		r = ictl_err(ctx, -n, "out of memory walking the table");
	while (!r && o->maps && c->mi < o->maps->n)
		r = finish_map(c);
	for (int k = 0; k < ICTL_PT_RULE_COUNT && !r; k++)
		r = flush(c, (enum ictl_pt_rule)k);
	stats->tables = w.tables;
	stats->bytes = w.bytes;
	stats->entries = w.entries;
	ictl_pt_walk_free(&w);
	free(c);
	return r;
}
