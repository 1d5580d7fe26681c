// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: a nested HWPT's `data:` built by the vendor that owns its type,
 * found in the vendor table.  Apart from the readers the vendors use
 * (spec-nested.c), so that vendors -> readers and this -> table -> vendors
 * make no cycle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"
#include "vendor.h"

const struct ictl_vendor_ops *ictl_vendor_by_hwpt_data_type(uint32_t type)
{
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		if (type && e->ops->hwpt_data_type == type && e->ops->nested_data_build)
			return e->ops;
	}
	return NULL;
}

int spec_nested_build(struct spec_pc *pc, struct ictl_spec_hwpt *h, size_t idx)
{
	struct ictl_nested_spec *ns = h->data;
	const struct ictl_vendor_ops *v = NULL;
	int r;

	for (const struct spec_word *w = spec_data_types; w->name; w++) {
		if (!strcmp(ns->type, w->name))
			v = ictl_vendor_by_hwpt_data_type((uint32_t)w->value);
	}
	if (!v)
		return spec_err(pc->ctx, pc->s, ns->type_pos, pc->path,
				"type '%s' is not a nested data type iommuctl builds: give intel-vtd, arm-smmuv3, amd-guest or selftest",
				ns->type);
	ns->spec = pc->s;
	pc->s->nested_ptable = -1;
	memset(h->data_bytes, 0, sizeof(h->data_bytes));
	r = v->nested_data_build(pc->ctx, ns, h->data_bytes, sizeof(h->data_bytes));
	ns->spec = NULL;
	if (r < 0)
		return r;
	h->ptable = pc->s->nested_ptable;
	if (h->ptable >= 0)
		pc->s->ptables[h->ptable].via_hwpt = (int)idx;
	h->data_type = v->hwpt_data_type;
	h->data_len = (uint32_t)r;
	return 0;
}

int ictl_spec_nested_data_at(struct ictl_ctx *ctx, const struct ictl_spec *s, size_t h,
			     uint64_t base, uint8_t *out, uint32_t *len)
{
	const struct ictl_spec_hwpt *hw = &s->hwpts[h];
	const struct ictl_vendor_ops *v = ictl_vendor_by_hwpt_data_type(hw->data_type);
	struct ictl_nested_spec *ns = NULL;
	struct ictl_spec copy = *s;
	int r;

	if (!hw->data || hw->ptable < 0 || !v)
		return ictl_err(ctx, EINVAL, "hwpts[%zu]: its data names no table", h);
	/* the spec as it would be with the table's at: there; the caller's is left alone */
	copy.ptables = malloc(s->nptables * sizeof(*copy.ptables));
	ns = malloc(sizeof(*ns));
	if (!copy.ptables || !ns) {
		free(copy.ptables);
		free(ns);
		return ictl_err(ctx, ENOMEM, "out of memory");
	}
	memcpy(copy.ptables, s->ptables, s->nptables * sizeof(*copy.ptables));
	copy.ptables[hw->ptable].at.set = true;
	copy.ptables[hw->ptable].at.v = base;
	copy.nested_ptable = -1;
	*ns = *hw->data;
	ns->spec = &copy;
	memset(out, 0, ICTL_NESTED_DATA_MAX);
	r = v->nested_data_build(ctx, ns, out, ICTL_NESTED_DATA_MAX);
	free(copy.ptables);
	free(ns);
	if (r < 0)
		return ictl_err_wrap(ctx, -r, "hwpts[%zu].data for table %s at %#llx", h,
				     s->ptables[hw->ptable].name, (unsigned long long)base);
	*len = (uint32_t)r;
	return 0;
}
