// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: names.  Every object may be named and referred to by name, in one
 * namespace for the whole spec (so "parent: s2" cannot mean two things).
 * The names are sorted once and looked up by binary search, so a spec with
 * thousands of objects costs n log n, not n^2.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"

enum nkind {
	K_DEVICE, K_IOAS, K_MAPPING, K_HWPT, K_FAULT, K_VIOMMU, K_VDEVICE, K_VEVENTQ, K_PTABLE
};

static const char *const kind_names[] = {
	[K_DEVICE] = "device", [K_IOAS] = "IOAS", [K_MAPPING] = "mapping", [K_HWPT] = "HWPT",
	[K_FAULT] = "fault queue", [K_VIOMMU] = "vIOMMU", [K_VDEVICE] = "vDevice",
	[K_VEVENTQ] = "vEVENTQ", [K_PTABLE] = "page table",
};

/* With the article: "an IOAS". */
static const char *const kind_an[] = {
	[K_DEVICE] = "a device", [K_IOAS] = "an IOAS", [K_MAPPING] = "a mapping",
	[K_HWPT] = "a HWPT", [K_FAULT] = "a fault queue", [K_VIOMMU] = "a vIOMMU",
	[K_VDEVICE] = "a vDevice", [K_VEVENTQ] = "a vEVENTQ", [K_PTABLE] = "a page table",
};

struct nentry {
	const char *name;
	enum nkind kind;
	int idx, sub;			/* sub: a mapping's index in its IOAS (idx) */
	struct ictl_spec_pos pos;
};

struct names {
	size_t n;
	struct nentry *v;
};

static int add(struct names *t, const char *name, enum nkind kind, int idx, int sub,
	       struct ictl_spec_pos pos)
{
	if (!name[0])
		return 0;
	t->v[t->n++] = (struct nentry){ name, kind, idx, sub, pos };
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct nentry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->pos.line != y->pos.line ? (x->pos.line < y->pos.line ? -1 : 1) :
					     (x->pos.column < y->pos.column ? -1 : 1);
}

/* "hwpts[2].name", "ioas[0].mappings[1].name" */
static const char *entry_path(const struct nentry *e, char *buf, size_t len)
{
	static const char *const sections[] = {
		[K_DEVICE] = "devices", [K_IOAS] = "ioas", [K_MAPPING] = "ioas",
		[K_HWPT] = "hwpts", [K_FAULT] = "faults", [K_VIOMMU] = "viommus",
		[K_VDEVICE] = "vdevices", [K_VEVENTQ] = "veventqs", [K_PTABLE] = "page_tables",
	};

	if (e->kind == K_MAPPING)
		snprintf(buf, len, "ioas[%d].mappings[%d].name", e->idx, e->sub);
	else
		snprintf(buf, len, "%s[%d].name", sections[e->kind], e->idx);
	return buf;
}

static int collect(struct spec_pc *pc, struct names *t)
{
	char path[64];

	const struct ictl_spec *s = pc->s;
	size_t n = s->ndevices + s->nioas + s->nhwpts + s->nfaults + s->nviommus + s->nvdevices +
		   s->nveventqs + s->nptables;

	for (size_t i = 0; i < s->nioas; i++)
		n += s->ioas[i].nmaps;
	t->v = calloc(n ? n : 1, sizeof(*t->v));
	if (!t->v)
		return ictl_err(pc->ctx, ENOMEM, "out of memory reading the spec");
	for (size_t i = 0; i < s->ndevices; i++)
		add(t, s->devices[i].name, K_DEVICE, (int)i, 0, s->devices[i].pos);
	for (size_t i = 0; i < s->nioas; i++) {
		add(t, s->ioas[i].name, K_IOAS, (int)i, 0, s->ioas[i].pos);
		for (size_t k = 0; k < s->ioas[i].nmaps; k++)
			add(t, s->ioas[i].maps[k].name, K_MAPPING, (int)i, (int)k,
			    s->ioas[i].maps[k].pos);
	}
	for (size_t i = 0; i < s->nhwpts; i++)
		add(t, s->hwpts[i].name, K_HWPT, (int)i, 0, s->hwpts[i].pos);
	for (size_t i = 0; i < s->nfaults; i++)
		add(t, s->faults[i].name, K_FAULT, (int)i, 0, s->faults[i].pos);
	for (size_t i = 0; i < s->nviommus; i++)
		add(t, s->viommus[i].name, K_VIOMMU, (int)i, 0, s->viommus[i].pos);
	for (size_t i = 0; i < s->nvdevices; i++)
		add(t, s->vdevices[i].name, K_VDEVICE, (int)i, 0, s->vdevices[i].pos);
	for (size_t i = 0; i < s->nveventqs; i++)
		add(t, s->veventqs[i].name, K_VEVENTQ, (int)i, 0, s->veventqs[i].pos);
	for (size_t i = 0; i < s->nptables; i++)
		add(t, s->ptables[i].name, K_PTABLE, (int)i, 0, s->ptables[i].pos);
	qsort(t->v, t->n, sizeof(*t->v), by_name);
	for (size_t i = 1; i < t->n; i++) {
		const struct nentry *a = &t->v[i - 1], *b = &t->v[i];

		if (!strcmp(a->name, b->name))
			return spec_err(pc->ctx, pc->s, b->pos, entry_path(b, path, sizeof(path)),
					"the name '%s' is taken: the %s at line %u has it; names are one namespace for the whole spec, give this %s another",
					b->name, kind_names[a->kind], a->pos.line, kind_names[b->kind]);
	}
	return 0;
}

static const struct nentry *lookup(const struct names *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->v[mid].name);

		if (!c)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* "the HWPTs are: s1, s2" or "the spec has no HWPT". */
static void list_kind(const struct names *t, enum nkind kind, char *buf, size_t len)
{
	size_t off = 0, count = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n && off < len; i++) {
		if (t->v[i].kind != kind)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", count++ ? ", " : "",
					t->v[i].name);
	}
	if (!count)
		snprintf(buf, len, "the spec has no %s", kind_names[kind]);
}

/* Resolve ref (at path key) to an object of kind; *sub for mappings. */
static int resolve(struct spec_pc *pc, const struct names *t, struct ictl_spec_ref *ref,
		   const char *key, enum nkind kind, const char *hint, int *sub)
{
	const struct nentry *e;
	char list[200];
	size_t saved;
	int r = 0;

	if (!ref->name[0])
		return 0;
	e = lookup(t, ref->name);
	if (e && e->kind == kind) {
		ref->idx = e->idx;
		if (sub)
			*sub = e->sub;
		return 0;
	}
	saved = spec_path_key(pc, key);
	list_kind(t, kind, list, sizeof(list));
	if (e)
		r = spec_err(pc->ctx, pc->s, ref->pos, pc->path, "'%s' is %s, not %s%s",
			     ref->name, kind_an[e->kind], kind_an[kind], hint ? hint : "");
	else
		r = spec_err(pc->ctx, pc->s, ref->pos, pc->path,
			     "no %s is named '%s' (%s%s); name one the spec defines", kind_names[kind],
			     ref->name, strncmp(list, "the spec has", 12) ? "the names are: " : "",
			     list);
	spec_path_pop(pc, saved);
	return r;
}

/* Run fn over section[i] with its path set ("hwpts[3]"). */
#define SECTION(pc, name, n, body)                                       \
	for (size_t i = 0; !r && i < (n); i++) {                         \
		size_t saved_ = spec_path_key(pc, name);                 \
		size_t saved2_ = spec_path_idx(pc, i);                   \
		body;                                                    \
		spec_path_pop(pc, saved2_);                              \
		spec_path_pop(pc, saved_);                               \
	}

static int resolve_ioas(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	for (size_t i = 0; !r && i < s->nioas; i++) {
		for (size_t k = 0; !r && k < s->ioas[i].nmaps; k++) {
			struct ictl_spec_mapping *m = &s->ioas[i].maps[k];

			if (m->memory != ICTL_SPEC_MEM_COPY)
				continue;
			snprintf(pc->path, sizeof(pc->path), "ioas[%zu].mappings[%zu].copy", i, k);
			r = resolve(pc, t, &m->copy_ioas, "ioas", K_IOAS, NULL, NULL);
			if (!r && m->copy_map.name[0])
				r = resolve(pc, t, &m->copy_map, "mapping", K_MAPPING, NULL,
					    &m->copy_mapping);
			if (!r && m->copy_map.name[0]) {
				/* the named mapping's IOAS is the source */
				m->copy_ioas.idx = m->copy_map.idx;
				str_copy(m->copy_ioas.name, s->ioas[m->copy_map.idx].name,
					 sizeof(m->copy_ioas.name));
				m->copy_ioas.pos = m->copy_map.pos;
			}
			pc->path[0] = '\0';
		}
	}
	return r;
}

static int resolve_devices(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	SECTION(pc, "devices", s->ndevices, {
		struct ictl_spec_device *d = &s->devices[i];
		size_t s3 = spec_path_key(pc, "mock");

		if (d->mock && d->mock_ioas.name[0]) {
			r = resolve(pc, t, &d->mock_ioas, "ioas", K_IOAS, NULL, NULL);
		} else if (d->mock && s->nioas == 1) {	/* the only IOAS */
			d->mock_ioas.idx = 0;
			d->mock_ioas.pos = d->pos;
			str_copy(d->mock_ioas.name, s->ioas[0].name, sizeof(d->mock_ioas.name));
		} else if (d->mock) {
			r = spec_err(pc->ctx, s, d->pos, pc->path,
				     "a mock device is plugged into an IOAS as it is created: give mock: {ioas: NAME}%s",
				     s->nioas ? "" : " and describe that IOAS under ioas:");
		}
		spec_path_pop(pc, s3);
	});
	return r;
}

static int resolve_hwpts(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	SECTION(pc, "hwpts", s->nhwpts, {
		struct ictl_spec_hwpt *h = &s->hwpts[i];

		r = resolve(pc, t, &h->ioas, "ioas", K_IOAS, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &h->parent, "parent", K_HWPT,
				    "; a nested HWPT over a vIOMMU takes viommu: NAME", NULL);
		if (!r)
			r = resolve(pc, t, &h->viommu, "viommu", K_VIOMMU, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &h->device, "device", K_DEVICE, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &h->fault, "fault", K_FAULT, NULL, NULL);
	});
	return r;
}

/* A vEVENTQ without type: its vIOMMU's kind of events. */
static int veventq_type(struct spec_pc *pc, struct ictl_spec_veventq *q)
{
	const struct ictl_spec_viommu *v = &pc->s->viommus[q->viommu.idx];

	switch (v->type) {
	case 0:		/* the vIOMMU's own kind, known when its IOMMU is */
		return 0;
	case ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3:
		q->type = ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
		return 0;
	case ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV:
		q->type = ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV;
		return 0;
	case ICTL_IOMMU_VIOMMU_TYPE_SELFTEST:
		q->type = ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST;
		return 0;
	}
	return spec_err(pc->ctx, pc->s, q->pos, pc->path,
			"vIOMMU %s has type %u, whose events iommuctl does not know: give type:",
			v->name, v->type);
}

static int resolve_viommus(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	SECTION(pc, "viommus", s->nviommus, {
		r = resolve(pc, t, &s->viommus[i].device, "device", K_DEVICE, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &s->viommus[i].parent, "parent", K_HWPT, NULL, NULL);
	});
	SECTION(pc, "vdevices", s->nvdevices, {
		r = resolve(pc, t, &s->vdevices[i].viommu, "viommu", K_VIOMMU, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &s->vdevices[i].device, "device", K_DEVICE, NULL, NULL);
	});
	SECTION(pc, "veventqs", s->nveventqs, {
		r = resolve(pc, t, &s->veventqs[i].viommu, "viommu", K_VIOMMU, NULL, NULL);
		if (!r && !s->veventqs[i].type)
			r = veventq_type(pc, &s->veventqs[i]);
	});
	return r;
}

static int resolve_attach(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	SECTION(pc, "attach", s->nattach, {
		struct ictl_spec_attach *a = &s->attach[i];

		r = resolve(pc, t, &a->device, "device", K_DEVICE, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &a->hwpt, "hwpt", K_HWPT,
				    "; attach to an IOAS with ioas: NAME", NULL);
		if (!r)
			r = resolve(pc, t, &a->ioas, "ioas", K_IOAS, NULL, NULL);
		if (!r)
			r = resolve(pc, t, &a->replace, "replace", K_HWPT,
				    "; replace names the HWPT the attach moves to", NULL);
	});
	return r;
}

/* Table pt's parent IOAS, and the mappings its `to`s name: mappings of that IOAS. */
static int resolve_ptable(struct spec_pc *pc, const struct names *t, struct ictl_spec_ptable *pt)
{
	int r = resolve(pc, t, &pt->ioas, "ioas", K_IOAS, NULL, NULL);

	for (size_t k = 0; !r && k < pt->nmaps; k++) {
		struct ictl_spec_pt_map *m = &pt->maps[k];
		size_t s1 = spec_path_key(pc, "mappings");
		size_t s2 = spec_path_idx(pc, k);

		if (m->to_map.name[0])
			r = resolve(pc, t, &m->to_map, "to", K_MAPPING, NULL, &m->to_mapping);
		if (!r && m->to_map.name[0] && m->to_map.idx != pt->ioas.idx) {
			size_t s3 = spec_path_key(pc, "to");

			r = spec_err(pc->ctx, pc->s, m->to_pos, pc->path,
				     "mapping %s is in IOAS %s, not in %s where the table's memory is: a stage-1 table translates to IOVAs of its parent",
				     m->to_map.name, pc->s->ioas[m->to_map.idx].name, pt->ioas.name);
			spec_path_pop(pc, s3);
		}
		spec_path_pop(pc, s2);
		spec_path_pop(pc, s1);
	}
	return r;
}

static int resolve_ptables(struct spec_pc *pc, const struct names *t)
{
	struct ictl_spec *s = pc->s;
	int r = 0;

	SECTION(pc, "page_tables", s->nptables, { r = resolve_ptable(pc, t, &s->ptables[i]); });
	return r;
}

int spec_resolve(struct spec_pc *pc)
{
	struct names t = { 0 };
	int r = collect(pc, &t);

	if (!r)
		r = resolve_devices(pc, &t);
	if (!r)
		r = resolve_ioas(pc, &t);
	if (!r)
		r = resolve_ptables(pc, &t);
	if (!r)
		r = resolve_hwpts(pc, &t);
	if (!r)
		r = resolve_viommus(pc, &t);
	if (!r)
		r = resolve_attach(pc, &t);
	free(t.v);
	return r;
}

/* The IOAS an attach ends on: its own, or its HWPT's through parents and vIOMMUs; -1 none. */
int spec_attach_ioas(const struct ictl_spec *s, const struct ictl_spec_attach *a)
{
	int h = a->hwpt.idx;

	if (a->ioas.idx >= 0)
		return a->ioas.idx;
	for (size_t step = 0; h >= 0 && step <= s->nhwpts; step++) {
		const struct ictl_spec_hwpt *hw = &s->hwpts[h];

		if (hw->ioas.idx >= 0)
			return hw->ioas.idx;
		h = hw->parent.idx >= 0 ? hw->parent.idx :
		    hw->viommu.idx >= 0 ? s->viommus[hw->viommu.idx].parent.idx : -1;
	}
	return -1;
}
