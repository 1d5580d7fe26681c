// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: page_tables:, the stage-1 tables a spec describes.
 *
 *   page_tables:
 *     - name: gt
 *       format: x86-64,levels=4        # as `pt build --format` reads it
 *       ioas: guest-ram                # the parent IOAS the table memory is mapped in
 *       at: 0x7ff00000                 # the memory's IOVA there (auto, or none: the kernel's choice)
 *       size: 64K                      # optional: its bytes (default: what the tables need)
 *       page_sizes: [4K, 2M]           # optional: default all the format has
 *       mappings:
 *         - {iova: 0x0, size: 2M, to: ram, access: rw}       # to: a mapping of the parent
 *         - {iova: 0x200000, size: 4K, to: ram+0x1000}       #     and an offset into it
 *         - {iova: 0x400000, size: 4K, to: 0x1000, access: r}  # or a parent IOVA
 *
 * The first error stops the parse, as everywhere in a spec; the checks that
 * need the whole spec (where `to` lands, what the memory overlaps) are
 * spec-pt-check.c's.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "vendor.h"

static int parse_format(struct spec_pc *pc, struct ictl_spec_ptable *t, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "format");
	int r = spec_need_scalar(pc, v);

	t->format_pos = v->pos;
	if (!r && ictl_pt_cfg_parse(pc->ctx, v->text, &t->cfg) < 0)
		r = spec_err_at(pc, v, "%s", ictl_strerror(pc->ctx));
	spec_path_pop(pc, saved);
	return r;
}

/* page_sizes: [4K, 2M] (or one size): each one the format has. */
static int parse_page_sizes(struct spec_pc *pc, struct ictl_spec_ptable *t, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "page_sizes");
	char have[256];
	int r = 0;

	t->page_sizes_pos = v->pos;
	if (v->kind == Y_SCALAR) {
		uint64_t sz = 0;

		r = spec_read_num(pc, v, true, 1, UINT64_MAX, &sz);
		if (!r && (sz & (sz - 1) || !(t->cfg.page_sizes & sz)))
			r = spec_err_at(pc, v, "%s has no pages of %s: it has %s", t->cfg.name,
					v->text,
					ictl_pt_page_sizes_str(t->cfg.page_sizes, have, sizeof(have)));
		t->page_sizes = sz;
		spec_path_pop(pc, saved);
		return r;
	}
	r = spec_need_seq(pc, v, "page_sizes");
	for (size_t i = 0; !r && i < v->n; i++) {
		size_t s2 = spec_path_idx(pc, i);
		uint64_t sz = 0;

		r = spec_read_num(pc, v->items[i], true, 1, UINT64_MAX, &sz);
		if (!r && (sz & (sz - 1) || !(t->cfg.page_sizes & sz)))
			r = spec_err_at(pc, v->items[i], "%s has no pages of %s: it has %s",
					t->cfg.name, v->items[i]->text,
					ictl_pt_page_sizes_str(t->cfg.page_sizes, have, sizeof(have)));
		t->page_sizes |= sz;
		spec_path_pop(pc, s2);
	}
	if (!r && !t->page_sizes)
		r = spec_err_at(pc, v, "page_sizes is empty: give the page sizes to use, or leave it out for all %s has",
				t->cfg.name);
	spec_path_pop(pc, saved);
	return r;
}

/* to: a parent IOVA, or NAME, or NAME+OFFSET (a mapping of the parent IOAS). */
static int parse_to(struct spec_pc *pc, struct ictl_spec_pt_map *m, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "to");
	char buf[Y_SCALAR_MAX + 1], *plus;
	struct ynode name;
	int r = spec_need_scalar(pc, v);

	m->to_pos = v->pos;
	m->to_map.pos = v->pos;
	if (r)
		goto out;
	if (v->text[0] >= '0' && v->text[0] <= '9') {
		r = spec_read_num(pc, v, false, 0, UINT64_MAX, &m->to);
		goto out;
	}
	str_copy(buf, v->text, sizeof(buf));
	plus = strchr(buf, '+');
	if (plus) {
		*plus = '\0';
		if (ictl_spec_parse_u64(plus + 1, true, &m->to) < 0) {
			r = spec_err_at(pc, v, "'%.60s' is not MAPPING+OFFSET: the offset '%.30s' is not a number or size",
					v->text, plus + 1);
			goto out;
		}
	}
	name = *v;
	name.text = buf;
	r = spec_read_name(pc, &name, m->to_map.name);
	if (r)	/* say what to: takes, not only what a name is */
		r = spec_err_at(pc, v, "'%.60s' is neither a parent IOVA nor MAPPING[+OFFSET] (a mapping of the parent IOAS by name)",
				v->text);
out:
	spec_path_pop(pc, saved);
	return r;
}

static int parse_pt_map(struct spec_pc *pc, struct ictl_spec_ptable *t, const struct ynode *e)
{
	static const char *const keys[] = { "iova", "size", "to", "access", NULL };
	struct ictl_spec_pt_map *m;
	const struct ynode *v;
	int r = spec_need_map(pc, e, "a stage-1 mapping");

	if (!r)
		r = spec_check_keys(pc, e, keys);
	if (r)
		return r;
	m = spec_push(pc, &t->maps, &t->nmaps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->pos = e->pos;
	m->to_map.idx = -1;
	m->to_mapping = -1;
	m->perms = ICTL_PT_R | ICTL_PT_W;
	m->perms_pos = e->pos;
	r = spec_get_num(pc, e, "iova", true, 0, UINT64_MAX, &m->iova);
	if (!r)
		r = spec_get_num(pc, e, "size", true, 1, UINT64_MAX, &m->size);
	if (!r && (!m->iova.set || !m->size.set))
		return spec_err_at(pc, e, "a stage-1 mapping needs iova:, size: and to: (where it goes: a parent IOVA or MAPPING[+OFFSET])");
	v = ynode_get(e, "to");
	if (!r && !v)
		return spec_err_at(pc, e, "a stage-1 mapping needs to: (a parent IOVA, or MAPPING[+OFFSET] of the parent IOAS)");
	if (!r)
		r = parse_to(pc, m, v);
	v = ynode_get(e, "access");
	if (!r && v) {
		size_t saved = spec_path_key(pc, "access");

		m->perms_pos = v->pos;
		r = spec_need_scalar(pc, v);
		if (!r && (ictl_pt_perms_parse(v->text, &m->perms) < 0 || !m->perms))
			r = spec_err_at(pc, v, "'%.20s' is not an access: letters r (read), w (write), x (execute), p (privileged only), as in rw",
					v->text);
		spec_path_pop(pc, saved);
	}
	return r;
}

static int parse_pt_maps(struct spec_pc *pc, struct ictl_spec_ptable *t, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "mappings");
	int r = spec_need_seq(pc, v, "mappings");

	for (size_t i = 0; !r && i < v->n; i++) {
		size_t s2 = spec_path_idx(pc, i);

		r = parse_pt_map(pc, t, v->items[i]);
		spec_path_pop(pc, s2);
	}
	spec_path_pop(pc, saved);
	return r;
}

int spec_parse_ptable(struct spec_pc *pc, const struct ynode *e)
{
	static const char *const keys[] = { "name", "format", "ioas", "at", "size", "page_sizes",
					    "mappings", NULL };
	struct ictl_spec *s = pc->s;
	struct ictl_spec_ptable *t;
	const struct ynode *v;
	int r = spec_need_map(pc, e, "a page table");

	if (!r)
		r = spec_check_keys(pc, e, keys);
	if (r)
		return r;
	t = spec_push(pc, &s->ptables, &s->nptables, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pos = e->pos;
	t->ioas.idx = -1;
	t->via_hwpt = -1;
	r = spec_get_name(pc, e, true, t->name, NULL);
	if (r)
		return r;
	v = ynode_get(e, "format");
	if (!v)
		return spec_err_at(pc, e, "a page table needs format: (x86-64, x86-64,levels=5, arm-lpae-s1,granule=16K, ...: see iommuctl-pt-build(8))");
	r = parse_format(pc, t, v);
	if (!r)
		r = spec_get_ref(pc, e, "ioas", &t->ioas);
	if (!r && !t->ioas.name[0])
		return spec_err_at(pc, e, "a page table needs ioas: the parent IOAS its memory is mapped in");
	v = ynode_get(e, "at");
	if (!r && v && v->kind == Y_SCALAR && !strcmp(v->text, "auto"))
		t->at = (struct ictl_spec_num){ .pos = v->pos };	/* the kernel picks it */
	else if (!r)
		r = spec_get_num(pc, e, "at", true, 0, UINT64_MAX, &t->at);
	if (!r)
		r = spec_get_num(pc, e, "size", true, 1, UINT64_MAX, &t->size);
	if (!r && (v = ynode_get(e, "page_sizes")))
		r = parse_page_sizes(pc, t, v);
	v = ynode_get(e, "mappings");
	if (!r && v && !ynode_is_null(v))
		r = parse_pt_maps(pc, t, v);
	return r;
}

int ictl_spec_pt_find(const struct ictl_spec *s, const char *name)
{
	for (size_t i = 0; i < s->nptables; i++)
		if (!strcmp(s->ptables[i].name, name))
			return (int)i;
	return -1;
}

uint64_t ictl_spec_pt_ptr(const struct ictl_spec *s, size_t t)
{
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	uint64_t size = 0;

	if (pt->via <= ICTL_NESTED_PT_ROOT || ictl_spec_pt_size(NULL, s, t, &size) < 0)
		return 0;
	return pt->at.v + size - 0x1000;	/* at: auto: the offset in the memory */
}
