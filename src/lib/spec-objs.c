// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the sections after devices and IOAS (HWPTs, fault queues, vIOMMUs,
 * vDevices, vEVENTQs, attach), then the names: one namespace for the whole
 * spec, every reference resolved to the index of an object of the right
 * kind, or an error naming what is there.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"

/* Each section: one entry at a time, its path set. */
static int each(struct spec_pc *pc, const struct ynode *list,
		int (*fn)(struct spec_pc *pc, const struct ynode *e, size_t i))
{
	int r = 0;

	for (size_t i = 0; !r && i < list->n; i++) {
		size_t saved = spec_path_idx(pc, i);

		r = fn(pc, list->items[i], i);
		spec_path_pop(pc, saved);
	}
	return r;
}

/* An entry of a section: a mapping with only these keys. */
static int entry(struct spec_pc *pc, const struct ynode *e, const char *what,
		 const char *const *keys)
{
	int r = spec_need_map(pc, e, what);

	return r ? r : spec_check_keys(pc, e, keys);
}

/* --- HWPTs ----------------------------------------------------------------------- */

static const struct spec_word hwpt_flag_words[] = {
	{ "nest-parent", ICTL_SPEC_HWPT_NEST_PARENT },
	{ "dirty-tracking", ICTL_SPEC_HWPT_DIRTY_TRACKING },
	{ "pasid", ICTL_SPEC_HWPT_PASID },
	{ NULL, 0 }
};

const char *ictl_spec_hwpt_flag_name(unsigned int bit)
{
	for (const struct spec_word *w = hwpt_flag_words; w->name; w++) {
		if (w->value == 1u << bit)
			return w->name;
	}
	return "?";
}

/* One value of `data:`: a scalar, or a flat list of scalars. */
static int nested_value(struct spec_pc *pc, struct ictl_nested_kv *kv, const struct ynode *v)
{
	const struct ynode *const *items = (const struct ynode *const *)&v;
	size_t n = 1;

	if (v->kind == Y_SEQ) {
		kv->list = true;
		items = (const struct ynode *const *)v->items;
		n = v->n;
		if (n > ICTL_NESTED_ITEMS_MAX)
			return spec_err_at(pc, v, "%zu items; %s takes at most %d", n, kv->key,
					   ICTL_NESTED_ITEMS_MAX);
	}
	for (size_t i = 0; i < n; i++) {
		int r = spec_need_scalar(pc, items[i]);

		if (r)
			return r;
		if (strlen(items[i]->text) >= sizeof(kv->items[0].text))
			return spec_err_at(pc, items[i], "'%.40s...' is too long for a value of data:",
					   items[i]->text);
		str_copy(kv->items[i].text, items[i]->text, sizeof(kv->items[i].text));
		kv->items[i].pos = items[i]->pos;
	}
	kv->nitems = n;
	return 0;
}

static int parse_data(struct spec_pc *pc, struct ictl_spec_hwpt *h, const struct ynode *v)
{
	struct ictl_nested_spec *ns;
	const struct ynode *t = ynode_get(v, "type");
	int r = spec_need_map(pc, v, "data");

	if (r)
		return r;
	if (!t)
		return spec_err_at(pc, v, "data needs type: (intel-vtd, arm-smmuv3, amd-guest or selftest)");
	if (v->n > ICTL_NESTED_KEYS_MAX + 1)
		return spec_err_at(pc, v, "data has %zu keys; no vendor takes more than %d", v->n,
				   ICTL_NESTED_KEYS_MAX);
	ns = h->data = calloc(1, sizeof(*ns));
	if (!ns)
		return ictl_err(pc->ctx, ENOMEM, "out of memory reading the spec");
	ns->file = pc->s->file;
	str_copy(ns->path, pc->path, sizeof(ns->path));
	ns->pos = v->pos;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->items[2 * i], *val = v->items[2 * i + 1];
		size_t saved = spec_path_key(pc, k->text);
		struct ictl_nested_kv *kv = &ns->kv[ns->nkv];

		if (!strcmp(k->text, "type")) {
			r = spec_need_scalar(pc, val);
			if (!r && strlen(val->text) >= sizeof(ns->type))
				r = spec_err_at(pc, val, "'%.40s' is not a nested data type", val->text);
			if (!r)
				str_copy(ns->type, val->text, sizeof(ns->type));
			ns->type_pos = val->pos;
		} else if (strlen(k->text) >= sizeof(kv->key)) {
			r = spec_err(pc->ctx, pc->s, k->pos, pc->path, "'%.40s' is not a key of any vendor's data",
				     k->text);
		} else {
			str_copy(kv->key, k->text, sizeof(kv->key));
			kv->pos = k->pos;
			r = nested_value(pc, kv, val);
			ns->nkv++;
		}
		spec_path_pop(pc, saved);
		if (r)
			return r;
	}
	return 0;
}

static int parse_hwpt(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "name", "ioas", "parent", "viommu", "device", "flags",
					    "fault", "data", NULL };
	struct ictl_spec *s = pc->s;
	struct ictl_spec_hwpt *h;
	const struct ynode *v;
	int r = entry(pc, e, "a HWPT", keys);

	if (r)
		return r;
	h = spec_push(pc, &s->hwpts, &s->nhwpts, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ptable = -1;
	h->pos = e->pos;
	r = spec_get_name(pc, e, true, h->name, NULL);
	if (!r)
		r = spec_get_ref(pc, e, "ioas", &h->ioas);
	if (!r)
		r = spec_get_ref(pc, e, "parent", &h->parent);
	if (!r)
		r = spec_get_ref(pc, e, "viommu", &h->viommu);
	if (!r)
		r = spec_get_ref(pc, e, "device", &h->device);
	if (!r)
		r = spec_get_ref(pc, e, "fault", &h->fault);
	if (r)
		return r;
	if (!!h->ioas.name[0] + !!h->parent.name[0] + !!h->viommu.name[0] != 1)
		return spec_err_at(pc, e, "a HWPT is over one of ioas: (a paging HWPT), parent: (a nested one over a nest-parent HWPT) or viommu: (a nested one over a vIOMMU)");
	if (!h->device.name[0])
		return spec_err_at(pc, e, "a HWPT needs device: the device it is allocated for (IOMMU_HWPT_ALLOC's dev_id)");
	if ((v = ynode_get(e, "flags"))) {
		size_t saved = spec_path_key(pc, "flags");

		h->flags_pos = v->pos;
		r = spec_get_flags(pc, v, hwpt_flag_words, &h->flags, h->flag_pos, h->flag_idx, 4);
		spec_path_pop(pc, saved);
		if (r)
			return r;
	}
	v = ynode_get(e, "data");
	if (v && h->ioas.name[0]) {
		spec_path_key(pc, "data");
		return spec_err_at(pc, v, "data: describes a nested HWPT's stage 1; this HWPT is a paging one over ioas: %s",
				   h->ioas.name);
	}
	if (!v && !h->ioas.name[0])
		return spec_err_at(pc, e, "a nested HWPT needs data: {type: ..., ...}, the guest's stage-1 table (iommuctl-spec(5))");
	if (!v)
		return 0;
	size_t saved = spec_path_key(pc, "data");

	r = parse_data(pc, h, v);
	if (!r)
		r = spec_nested_build(pc, h, i);
	spec_path_pop(pc, saved);
	return r;
}

int spec_parse_hwpts(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_hwpt);
}

/* --- fault queues, vIOMMUs, vDevices, vEVENTQs ----------------------------------- */

static int parse_fault(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "name", NULL };
	struct ictl_spec_fault *f;
	int r = entry(pc, e, "a fault queue", keys);

	(void)i;
	if (r)
		return r;
	f = spec_push(pc, &pc->s->faults, &pc->s->nfaults, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->pos = e->pos;
	return spec_get_name(pc, e, true, f->name, NULL);
}

int spec_parse_faults(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_fault);
}

/* type: a name from words, or a number (not checked against the vendor). */
static int parse_type(struct spec_pc *pc, const struct ynode *e, const struct spec_word *words,
		      uint32_t *type, bool *named, struct ictl_spec_pos *pos)
{
	const struct ynode *v = ynode_get(e, "type");
	size_t saved;
	uint64_t n;
	int r;

	if (!v)
		return 1;
	saved = spec_path_key(pc, "type");
	*pos = v->pos;
	if (v->kind == Y_SCALAR && !ictl_spec_parse_u64(v->text, false, &n)) {
		r = spec_read_num(pc, v, false, 1, UINT32_MAX, &n);
		*named = false;
	} else {
		r = spec_get_word(pc, v, words, &n);
		*named = true;
	}
	*type = (uint32_t)n;
	spec_path_pop(pc, saved);
	return r;
}

static int parse_viommu(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "name", "type", "device", "parent", NULL };
	struct ictl_spec_viommu *v;
	int r = entry(pc, e, "a vIOMMU", keys);

	(void)i;
	if (r)
		return r;
	v = spec_push(pc, &pc->s->viommus, &pc->s->nviommus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pos = e->pos;
	r = spec_get_name(pc, e, true, v->name, NULL);
	if (!r)
		r = spec_get_ref(pc, e, "device", &v->device);
	if (!r)
		r = spec_get_ref(pc, e, "parent", &v->parent);
	if (!r)
		r = parse_type(pc, e, spec_viommu_types, &v->type, &v->type_named, &v->type_pos);
	if (r > 0)	/* no type: its IOMMU's own */
		r = 0;
	if (!r && (!v->device.name[0] || !v->parent.name[0]))
		return spec_err_at(pc, e, "a vIOMMU needs device: and parent: (a HWPT with flags: [nest-parent])");
	return r;
}

int spec_parse_viommus(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_viommu);
}

static int parse_vdevice(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "name", "viommu", "device", "virt_id", NULL };
	struct ictl_spec_vdevice *v;
	int r = entry(pc, e, "a vDevice", keys);

	(void)i;
	if (r)
		return r;
	v = spec_push(pc, &pc->s->vdevices, &pc->s->nvdevices, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pos = e->pos;
	r = spec_get_name(pc, e, false, v->name, NULL);
	if (!r)
		r = spec_get_ref(pc, e, "viommu", &v->viommu);
	if (!r)
		r = spec_get_ref(pc, e, "device", &v->device);
	if (!r)
		r = spec_get_num(pc, e, "virt_id", false, 0, UINT64_MAX, &v->virt_id);
	if (!r && (!v->viommu.name[0] || !v->device.name[0] || !v->virt_id.set))
		r = spec_err_at(pc, e, "a vDevice needs viommu:, device: and virt_id: (the ID the guest knows the device by)");
	return r;
}

int spec_parse_vdevices(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_vdevice);
}

/* The kernel's VEVENTQ_MAX_DEPTH (drivers/iommu/iommufd/eventq.c). */
#define VEVENTQ_DEPTH_MAX (1u << 19)

static int parse_veventq(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "name", "viommu", "type", "depth", NULL };
	struct ictl_spec_veventq *q;
	bool named;
	int r = entry(pc, e, "a vEVENTQ", keys);

	(void)i;
	if (r)
		return r;
	q = spec_push(pc, &pc->s->veventqs, &pc->s->nveventqs, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->pos = e->pos;
	r = spec_get_name(pc, e, false, q->name, NULL);
	if (!r)
		r = spec_get_ref(pc, e, "viommu", &q->viommu);
	if (!r)
		r = spec_get_num(pc, e, "depth", false, 1, VEVENTQ_DEPTH_MAX, &q->depth);
	if (!r)
		r = parse_type(pc, e, spec_veventq_types, &q->type, &named, &q->type_pos);
	if (r > 0)	/* no type: the vIOMMU's (spec_resolve) */
		r = 0;
	if (!r && (!q->viommu.name[0] || !q->depth.set))
		r = spec_err_at(pc, e, "a vEVENTQ needs viommu: and depth: (1 to %u events)",
				VEVENTQ_DEPTH_MAX);
	return r;
}

int spec_parse_veventqs(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_veventq);
}

/* PCIe PASIDs are 20 bits; PASID 0 is the device's own address space (IOMMU_NO_PASID). */
#define PASID_MAX ((1u << 20) - 1)

static int parse_attach(struct spec_pc *pc, const struct ynode *e, size_t i)
{
	static const char *const keys[] = { "device", "hwpt", "ioas", "pasid", "replace", NULL };
	struct ictl_spec_attach *a;
	const struct ynode *p;
	int r = entry(pc, e, "an attach", keys);

	(void)i;
	if (r)
		return r;
	a = spec_push(pc, &pc->s->attach, &pc->s->nattach, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->pos = e->pos;
	r = spec_get_ref(pc, e, "device", &a->device);
	if (!r)
		r = spec_get_ref(pc, e, "hwpt", &a->hwpt);
	if (!r)
		r = spec_get_ref(pc, e, "ioas", &a->ioas);
	if (!r)
		r = spec_get_ref(pc, e, "replace", &a->replace);
	p = ynode_get(e, "pasid");
	if (!r && p && p->kind == Y_SCALAR && !strcmp(p->text, "0")) {
		size_t saved = spec_path_key(pc, "pasid");

		r = spec_err_at(pc, p, "PASID 0 is the device's own address space (IOMMU_NO_PASID): leave pasid: out");
		spec_path_pop(pc, saved);
	}
	if (!r)
		r = spec_get_num(pc, e, "pasid", false, 1, PASID_MAX, &a->pasid);
	if (!r && !a->device.name[0])
		r = spec_err_at(pc, e, "an attach needs device:");
	if (!r && !!a->hwpt.name[0] == !!a->ioas.name[0])
		r = spec_err_at(pc, e, "an attach needs one of hwpt: or ioas: (the kernel then makes a paging HWPT)");
	return r;
}

int spec_parse_attach(struct spec_pc *pc, const struct ynode *list)
{
	return each(pc, list, parse_attach);
}
