// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page-table engine: formats by name, their parameters, and the walk
 * that every reader of a table shares (dump, validate, diff).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pt-internal.h"

const struct ictl_pt_fmt *const ictl_pt_formats[] = {
	&ictl_pt_fmt_x86_64,
	&ictl_pt_fmt_vtd_ss,
	&ictl_pt_fmt_amd_v1,
	&ictl_pt_fmt_arm_lpae_s1,
	NULL,
};

const char *ictl_pt_fmt_name(const struct ictl_pt_fmt *f)
{
	return f->name;
}

const char *ictl_pt_fmt_desc(const struct ictl_pt_fmt *f)
{
	return f->desc;
}

const char *ictl_pt_fmt_params(const struct ictl_pt_fmt *f)
{
	return f->params;
}

/* --- permissions ------------------------------------------------------------------ */

static const struct ictl_pt_fmt *fmt_find(const char *name, size_t len)
{
	for (size_t i = 0; ictl_pt_formats[i]; i++) {
		if (strlen(ictl_pt_formats[i]->name) == len &&
		    !strncmp(ictl_pt_formats[i]->name, name, len))
			return ictl_pt_formats[i];
	}
	return NULL;
}

static int param_value(struct ictl_ctx *ctx, const char *key, const char *v, int *out)
{
	uint64_t n;

	if (!strcmp(key, "granule") && !ictl_pt_parse_size(v, &n) && n && !(n & (n - 1))) {
		*out = __builtin_ctzll(n);
		return 0;
	}
	if (ictl_pt_parse_size(v, &n) || n > 1000)
		return ictl_err(ctx, EINVAL, "page-table format: %s=%s is not a number", key, v);
	*out = (int)n;
	return 0;
}

/* "key=value" (len bytes) into p, if the format takes key. */
static int param_set(struct ictl_ctx *ctx, const struct ictl_pt_fmt *f, const char *s, size_t len,
		     struct pt_params *p)
{
	static const char *const keys[] = { "levels", "ias", "oas", "granule", "sign-extend" };
	char buf[64], *eq;
	int *slot[] = { &p->levels, &p->ias, &p->oas, &p->granule, &p->sign_extend };

	if (len >= sizeof(buf))
		return ictl_err(ctx, EINVAL, "format %s: parameter too long", f->name);
	memcpy(buf, s, len);
	buf[len] = '\0';
	eq = strchr(buf, '=');
	if (!eq || eq == buf || !eq[1])
		return ictl_err(ctx, EINVAL, "format %s: '%s' is not KEY=VALUE: it takes %s",
				f->name, buf, f->params);
	*eq = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *k = strstr(f->keys, keys[i]);
		size_t kl = strlen(keys[i]);

		if (strcmp(buf, keys[i]))
			continue;
		if (!k || (k[kl] && k[kl] != ','))
			break;
		if (*slot[i] >= 0)
			return ictl_err(ctx, EINVAL, "format %s: %s given twice", f->name, buf);
		return param_value(ctx, buf, eq + 1, slot[i]);
	}
	return ictl_err(ctx, EINVAL, "format %s has no parameter '%s': it takes %s", f->name, buf,
			f->params);
}

int ictl_pt_cfg_parse(struct ictl_ctx *ctx, const char *spec, struct ictl_pt_cfg *cfg)
{
	struct pt_params p = { -1, -1, -1, -1, -1 };
	size_t len = strcspn(spec, ",");
	const struct ictl_pt_fmt *f = fmt_find(spec, len);
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (!f) {
		char names[128] = "";

		for (size_t i = 0; ictl_pt_formats[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", ictl_pt_formats[i]->name);
		return ictl_err(ctx, EINVAL, "unknown page-table format '%.*s': give one of %s",
				(int)(len > 40 ? 40 : len), spec, names);
	}
	for (const char *s = spec + len; *s == ',';) {
		size_t n = strcspn(s + 1, ",");

		r = param_set(ctx, f, s + 1, n, &p);
		if (r < 0)
			return r;
		s += 1 + n;
	}
	cfg->fmt = f;
	return f->setup(ctx, cfg, &p);
}

const char *ictl_pt_level_name(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	return cfg->fmt->level_name(cfg, h);
}

unsigned int ictl_pt_level_num(const struct ictl_pt_cfg *cfg, unsigned int h)
{
	return cfg->fmt->level_num(cfg, h);
}

void ictl_pt_decode(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		    struct ictl_pte *out)
{
	memset(out, 0, sizeof(*out));
	out->raw = raw;
	out->span = 1;
	out->group = 1;
	cfg->fmt->decode(cfg, h, raw, out);
}

const struct ictl_pt_field *ictl_pt_fields(const struct ictl_pt_cfg *cfg)
{
	return cfg->fmt->fields;
}

unsigned int ictl_pt_field_kind(const struct ictl_pte *e, unsigned int h)
{
	switch (e->type) {
	case ICTL_PTE_TABLE:
		return ICTL_PTF_TABLE;
	case ICTL_PTE_LEAF:
		return h == 1 ? ICTL_PTF_PAGE : ICTL_PTF_BLOCK;
	default:
		return 0;
	}
}

int ictl_pt_encode_leaf(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			unsigned int *n)
{
	*n = 1;
	if (page >= 64 || (phys & ((1ull << page) - 1)))
		return ictl_err(ctx, EINVAL,
				"%s: physical address 0x%" PRIx64
				" is not aligned to its page (2^%u)",
				cfg->name, phys, page);
	if (cfg->oas < 64 && (phys + (1ull << page) - 1) >> cfg->oas)
		return ictl_err(ctx, EINVAL,
				"%s: physical address 0x%" PRIx64
				" is wider than the format's %u output bits",
				cfg->name, phys, cfg->oas);
	return cfg->fmt->encode_leaf(ctx, cfg, h, phys, page, perms, raw, n);
}

uint64_t ictl_pt_encode_table(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
			      unsigned int next)
{
	return cfg->fmt->encode_table(cfg, h, addr, next);
}

unsigned int ictl_pt_leaf_height(const struct ictl_pt_cfg *cfg, unsigned int page)
{
	unsigned int h = 1;

	while (h < cfg->levels && cfg->shift[h + 1] <= page)
		h++;
	return h;
}

void ictl_pt_entry_name(const struct ictl_pt_cfg *cfg, unsigned int h, unsigned int index,
			uint64_t entry_addr, char *buf, size_t len)
{
	snprintf(buf, len, "%s[%u] at 0x%" PRIx64, ictl_pt_level_name(cfg, h), index, entry_addr);
}

/* --- sources ---------------------------------------------------------------------------- */

const void *ictl_pt_span_read(void *priv, uint64_t addr, size_t len, void *buf)
{
	const struct ictl_pt_span *s = priv;

	(void)buf;
	if (addr < s->base || addr - s->base > s->len || len > s->len - (addr - s->base))
		return NULL;
	return s->mem + (addr - s->base);
}

/* --- the walk ----------------------------------------------------------------------------- */

static uint64_t max_table_bytes(const struct ictl_pt_cfg *cfg)
{
	uint64_t m = 0;

	for (unsigned int h = 1; h <= cfg->levels; h++)
		if (ictl_pt_table_bytes(cfg, h) > m)
			m = ictl_pt_table_bytes(cfg, h);
	return m;
}

int ictl_pt_walk_init(struct ictl_pt_walk *w, const struct ictl_pt_cfg *cfg,
		      const struct ictl_pt_src *src, uint64_t root, unsigned int flags)
{
	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->src = src;
	w->root = root;
	w->flags = flags;
	w->depth = -1;
	w->buf = malloc((cfg->levels + 1) * max_table_bytes(cfg));
	w->seen_cap = 64;
	w->seen = calloc(w->seen_cap, sizeof(*w->seen));
	if (!w->buf || !w->seen) {
		ictl_pt_walk_free(w);
		return -ENOMEM;
	}
	return 0;
}

void ictl_pt_walk_free(struct ictl_pt_walk *w)
{
	free(w->buf);
	free(w->seen);
	w->buf = NULL;
	w->seen = NULL;
}

static size_t seen_slot(const uint64_t *set, size_t cap, uint64_t key)
{
	uint64_t h = (key >> 6) * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 20) & (cap - 1);

	while (set[i] && set[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Add a table address (stored +1, so that 0 means empty); 1 if it was there, -ENOMEM. */
static int seen_add(struct ictl_pt_walk *w, uint64_t addr)
{
	uint64_t key = addr + 1;
	size_t i;

	if (2 * (w->nseen + 1) > w->seen_cap) {
		size_t cap = w->seen_cap * 2;
		uint64_t *set = calloc(cap, sizeof(*set));

		if (!set)
			return -ENOMEM;
		for (size_t k = 0; k < w->seen_cap; k++)
			if (w->seen[k])
				set[seen_slot(set, cap, w->seen[k])] = w->seen[k];
		free(w->seen);
		w->seen = set;
		w->seen_cap = cap;
	}
	i = seen_slot(w->seen, w->seen_cap, key);
	if (w->seen[i])
		return 1;
	w->seen[i] = key;
	w->nseen++;
	return 0;
}

static struct ictl_pt_event *ev_push(struct ictl_pt_walk *w, enum ictl_pt_ev_type type)
{
	struct ictl_pt_event *ev = &w->q[w->qn++];

	memset(ev, 0, offsetof(struct ictl_pt_event, msg));
	ev->msg[0] = '\0';
	ev->type = type;
	return ev;
}

static struct ictl_pt_event *problem(struct ictl_pt_walk *w, enum ictl_pt_rule rule, unsigned int h,
				     uint64_t iova, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct ictl_pt_event *problem(struct ictl_pt_walk *w, enum ictl_pt_rule rule, unsigned int h,
				     uint64_t iova, const char *fmt, ...)
{
	struct ictl_pt_event *ev = ev_push(w, ICTL_PT_EV_PROBLEM);
	va_list ap;

	ev->rule = rule;
	ev->h = h;
	ev->iova = iova;
	va_start(ap, fmt);
	vsnprintf(ev->msg, sizeof(ev->msg), fmt, ap);
	va_end(ap);
	return ev;
}

static uint64_t entry_iova(const struct ictl_pt_walk *w, const struct ictl_pt_frame *fr,
			   unsigned int i)
{
	const struct ictl_pt_cfg *cfg = w->cfg;
	uint64_t v = fr->base + ((uint64_t)i << cfg->shift[fr->h]);

	if (fr->h == cfg->levels && cfg->sign_extend && cfg->ias < 64 && (v >> (cfg->ias - 1)) & 1)
		v |= ~0ull << cfg->ias;
	return v;
}

/*
 * Enter the table at addr (height h, covering IOVAs from base): checks its
 * alignment, that it was not seen before, and that the source has it.
 * Returns 1 when entered, 0 when a problem was queued instead, -ENOMEM.
 */
static int enter(struct ictl_pt_walk *w, uint64_t addr, unsigned int h, uint64_t base,
		 unsigned int allow, unsigned int force)
{
	const struct ictl_pt_cfg *cfg = w->cfg;
	uint64_t bytes = ictl_pt_table_bytes(cfg, h), align = bytes < 64 ? 64 : bytes;
	struct ictl_pt_frame *fr;
	const void *p;
	int r;

	if (align > (1ull << cfg->granule))
		align = 1ull << cfg->granule;
	if (addr & (align - 1)) {
		problem(w, ICTL_PT_RULE_MISALIGNED, h, base,
			"%s table at 0x%" PRIx64 " is not aligned to 0x%" PRIx64,
			ictl_pt_level_name(cfg, h), addr, align);
		return 0;
	}
	r = seen_add(w, addr);
	if (r < 0)
		return r;
	if (r) {
		problem(w, ICTL_PT_RULE_LOOP, h, base,
			"%s table at 0x%" PRIx64 " is reached a second time (a loop, or a table "
			"shared by two entries): not walked again",
			ictl_pt_level_name(cfg, h), addr);
		return 0;
	}
	p = w->src->read(w->src->priv, addr, bytes,
			 w->buf + (size_t)(w->depth + 1) * max_table_bytes(cfg));
	if (!p) {
		problem(w, ICTL_PT_RULE_UNREADABLE, h, base,
			"%s table at 0x%" PRIx64 " (0x%" PRIx64 " bytes) is outside %s",
			ictl_pt_level_name(cfg, h), addr, bytes, w->src->what);
		return 0;
	}
	fr = &w->f[++w->depth];
	fr->table = addr;
	fr->e = p;
	fr->h = h;
	fr->idx = 0;
	fr->n = 1u << cfg->bits[h];
	fr->base = base;
	fr->allow = allow;
	fr->force = force;
	w->tables++;
	w->bytes += bytes;
	if (w->flags & ICTL_PT_WALK_TREE) {
		struct ictl_pt_event *ev = ev_push(w, ICTL_PT_EV_TABLE);

		ev->h = h;
		ev->table = addr;
		ev->iova = base;
		ev->size = h == cfg->levels ? 0 : 1ull << (cfg->shift[h] + cfg->bits[h]);
	}
	return 1;
}

static void fill_entry(struct ictl_pt_event *ev, const struct ictl_pt_frame *fr, unsigned int i,
		       uint64_t iova, const struct ictl_pte *pte, const struct ictl_pt_cfg *cfg)
{
	ev->h = fr->h;
	ev->iova = iova;
	ev->size = 1ull << cfg->shift[fr->h];
	ev->table = fr->table;
	ev->index = i;
	ev->entry_addr = fr->table + 8ull * i;
	ev->pte = *pte;
}

static void entry_problem(struct ictl_pt_walk *w, const struct ictl_pt_frame *fr, unsigned int i,
			  uint64_t iova, const struct ictl_pte *pte, enum ictl_pt_rule rule,
			  const char *what)
{
	char name[64];
	struct ictl_pt_event *ev;

	ictl_pt_entry_name(w->cfg, fr->h, i, fr->table + 8ull * i, name, sizeof(name));
	ev = problem(w, rule, fr->h, iova, "%s = 0x%016" PRIx64 ": %s", name, pte->raw, what);
	fill_entry(ev, fr, i, iova, pte, w->cfg);
	ev->rule = rule;
}

/* A group of entries (AMD v1 large page, LPAE contiguous run) that must agree. */
static void check_group(struct ictl_pt_walk *w, const struct ictl_pt_frame *fr, unsigned int i,
			uint64_t iova, const struct ictl_pte *pte)
{
	uint64_t step = pte->group_same ? 0 : 1ull << w->cfg->shift[fr->h];
	unsigned int g = pte->group, bad = 0;

	if (i % g)
		return; /* checked (and reported) at the group's first entry */
	if (!pte->group_same && (pte->addr & (g * step - 1)))
		bad = 1;
	for (unsigned int k = 1; k < g && !bad && i + k < fr->n; k++)
		if (pt_le64(fr->e[i + k]) != pte->raw + k * step)
			bad = k;
	if (bad) {
		char what[160];

		snprintf(what, sizeof(what),
			 "entry %u of the %u that make one %s does not match "
			 "the first",
			 i + bad, g, pte->group_same ? "page" : "contiguous run");
		entry_problem(w, fr, i, iova, pte, pte->group_rule, what);
	}
}

/*
 * How many of the n entries from e[0] are e[0] + k * step: the walk's inner
 * loop over runs of leaves, four entries per test (no branch per entry).
 */
static uint64_t run_length(const uint64_t *e, uint64_t n, uint64_t raw, uint64_t step)
{
	uint64_t k = 1;

	for (; k + 4 <= n; k += 4) {
		uint64_t w = raw + k * step;

		if ((pt_le64(e[k]) ^ w) | (pt_le64(e[k + 1]) ^ (w + step)) |
		    (pt_le64(e[k + 2]) ^ (w + 2 * step)) | (pt_le64(e[k + 3]) ^ (w + 3 * step)))
			break;
	}
	while (k < n && pt_le64(e[k]) == raw + k * step)
		k++;
	return k;
}

/* Leaves: one event per entry in tree walks; a run of pages that continue each other else. */
static void leaf(struct ictl_pt_walk *w, struct ictl_pt_frame *fr, unsigned int i, uint64_t iova,
		 const struct ictl_pte *pte)
{
	const struct ictl_pt_cfg *cfg = w->cfg;
	uint64_t span = 1ull << cfg->shift[fr->h];
	unsigned int perms = (pte->perms & fr->allow & ~ICTL_PT_PRIV) |
			     ((pte->perms | fr->force) & ICTL_PT_PRIV);
	struct ictl_pt_event *ev;
	uint64_t count = 1;

	if (pte->group > 1)
		check_group(w, fr, i, iova, pte);
	if (w->flags & ICTL_PT_WALK_TREE) {
		ev = ev_push(w, ICTL_PT_EV_ENTRY);
		fill_entry(ev, fr, i, iova, pte, cfg);
		ev->phys = pte->addr + (iova & ((1ull << pte->page) - 1) & ~(span - 1));
		ev->page = pte->page;
		ev->count = 1;
		ev->perms = perms;
		fr->idx = i + 1;
		return;
	}
	/* The fast path: the next entries are this one plus k pages. */
	if (pte->span == 1 && !pte->rsvd && !pte->note && pte->group == 1) {
		uint64_t lim = cfg->fmt->linear_limit, max;

		if (cfg->oas < 64 && (1ull << cfg->oas) < lim)
			lim = 1ull << cfg->oas;
		max = pte->addr < lim ? (lim - pte->addr) / span : 1;
		count = run_length(fr->e + i, fr->n - i < max ? fr->n - i : max, pte->raw, span);
	}
	ev = ev_push(w, ICTL_PT_EV_LEAF);
	fill_entry(ev, fr, i, iova, pte, cfg);
	ev->size = count * span;
	ev->phys = pte->addr + (iova & ((1ull << pte->page) - 1) & ~(span - 1));
	ev->page = pte->page;
	ev->count = count;
	ev->perms = perms;
	fr->idx = i + (unsigned int)count;
	w->entries += count - 1;
}

/* One present entry: queue its events; descend into a table. */
static int step(struct ictl_pt_walk *w, struct ictl_pt_frame *fr, unsigned int i, uint64_t raw)
{
	const struct ictl_pt_cfg *cfg = w->cfg;
	uint64_t iova = entry_iova(w, fr, i);
	struct ictl_pte pte;

	ictl_pt_decode(cfg, fr->h, raw, &pte);
	if (pte.type == ICTL_PTE_EMPTY) {
		fr->idx = i + 1;
		return 0;
	}
	w->entries++;
	if (pte.rsvd) {
		char what[120];

		/* The hardware faults on reserved bits: nothing below or in it translates. */
		snprintf(what, sizeof(what),
			 "reserved bits 0x%016" PRIx64 " are set: the "
			 "entry faults",
			 pte.rsvd);
		entry_problem(w, fr, i, iova, &pte, ICTL_PT_RULE_RESERVED, what);
		if (w->flags & ICTL_PT_WALK_TREE)
			fill_entry(ev_push(w, ICTL_PT_EV_ENTRY), fr, i, iova, &pte, cfg);
		fr->idx = i + 1;
		return 0;
	}
	if (pte.note)
		entry_problem(w, fr, i, iova, &pte, pte.note_rule, pte.note);
	switch (pte.type) {
	case ICTL_PTE_INVALID:
		entry_problem(w, fr, i, iova, &pte, ICTL_PT_RULE_INVALID, pte.why);
		fr->idx = i + 1;
		return 0;
	case ICTL_PTE_LEAF:
		leaf(w, fr, i, iova, &pte);
		return 0;
	default:
		break;
	}
	fr->idx = i + 1;
	if (w->flags & ICTL_PT_WALK_TREE)
		fill_entry(ev_push(w, ICTL_PT_EV_ENTRY), fr, i, iova, &pte, cfg);
	return enter(w, pte.addr, pte.next, iova, fr->allow & pte.perms, fr->force | pte.force);
}

int ictl_pt_walk_next(struct ictl_pt_walk *w, struct ictl_pt_event *ev)
{
	while (w->qi == w->qn) {
		w->qi = w->qn = 0;
		if (w->done)
			return 0;
		if (w->depth < 0) {
			int r = enter(w, w->root, w->cfg->levels, 0,
				      ICTL_PT_R | ICTL_PT_W | ICTL_PT_X, 0);

			if (r < 0)
				return r;
			if (!r)
				w->done = true;
			continue;
		}
		/* Skip empty entries here, in one loop: most of a sparse table is zeros. */
		while (w->depth >= 0) {
			struct ictl_pt_frame *fr = &w->f[w->depth];
			unsigned int i = fr->idx;

			while (i < fr->n && !fr->e[i])
				i++;
			if (i == fr->n) {
				w->depth--;
				continue;
			}
			int r = step(w, fr, i, pt_le64(fr->e[i]));

			if (r < 0)
				return r;
			if (w->qn)
				break;
		}
		if (w->depth < 0)
			w->done = true;
	}
	*ev = w->q[w->qi++];
	return 1;
}

/* --- ranges ------------------------------------------------------------------------------- */

int ictl_pt_ranges_init(struct ictl_pt_ranges *r, const struct ictl_pt_cfg *cfg,
			const struct ictl_pt_src *src, uint64_t root)
{
	memset(r, 0, sizeof(*r));
	return ictl_pt_walk_init(&r->walk, cfg, src, root, 0);
}

void ictl_pt_ranges_free(struct ictl_pt_ranges *r)
{
	ictl_pt_walk_free(&r->walk);
}

int ictl_pt_ranges_next(struct ictl_pt_ranges *r, struct ictl_pt_range *out)
{
	struct ictl_pt_event ev;
	int n;

	while ((n = ictl_pt_walk_next(&r->walk, &ev)) > 0) {
		struct ictl_pt_range *c = &r->cur;

		if (ev.type == ICTL_PT_EV_PROBLEM) {
			int e = r->problem ? r->problem(r->priv, &ev) : 0;

			if (e < 0)
				return e;
			continue;
		}
		if (ev.type != ICTL_PT_EV_LEAF)
			continue;
		if (r->have && c->iova + c->size == ev.iova && c->phys + c->size == ev.phys &&
		    c->page == ev.page && c->perms == ev.perms) {
			c->size += ev.size;
			c->pages += ev.count;
			continue;
		}
		bool had = r->have;
		struct ictl_pt_range prev = *c;

		*c =
			(struct ictl_pt_range){ ev.iova, ev.size,  ev.phys,
						ev.page, ev.perms, ev.count };
		r->have = true;
		if (had) {
			*out = prev;
			return 1;
		}
	}
	if (n < 0)
		return n;
	if (r->have) {
		*out = r->cur;
		r->have = false;
		return 1;
	}
	return 0;
}
