// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the checks of the objects above the IOAS (devices, HWPTs, vIOMMUs,
 * vDevices, vEVENTQs, fault queues, attach) that need no host: the kernel's
 * rules, named where spec-check.c lists them.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"
#include "vendor.h"

#define ERR(c, pos, path, ...) spec_finding(c, ICTL_SPEC_ERROR, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)
#define WARN(c, pos, path, ...) spec_finding(c, ICTL_SPEC_WARNING, ICTL_SPEC_CLASS_SPEC, pos, path, "", __VA_ARGS__)

typedef unsigned long long ull;

static bool is_mock(const struct ictl_spec *s, int dev)
{
	return dev >= 0 && s->devices[dev].mock;
}

/* A HWPT's or vIOMMU's device and another's are both mocks or both real. */
static void same_world(struct spec_chk *c, struct ictl_spec_pos pos, const char *path, int d1,
		       int d2, const char *what)
{
	const struct ictl_spec *s = c->s;

	if (d1 < 0 || d2 < 0 || is_mock(s, d1) == is_mock(s, d2))
		return;
	ERR(c, pos, path, "%s: %s is %s and %s is %s; the kernel's mock and real IOMMUs do not mix",
	    what, s->devices[d1].name, is_mock(s, d1) ? "a mock device" : "a real device",
	    s->devices[d2].name, is_mock(s, d2) ? "a mock device" : "a real device");
}

static void check_devices(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->ndevices; i++) {
		for (size_t k = 0; !s->devices[i].mock && k < i; k++) {
			if (s->devices[k].mock || strcmp(s->devices[i].device, s->devices[k].device))
				continue;
			snprintf(path, sizeof(path), "devices[%zu].device", i);
			ERR(c, s->devices[i].device_pos, path,
			    "%s is device %s already (line %u): a device is bound once; refer to it by that name",
			    s->devices[i].device, s->devices[k].name, s->devices[k].pos.line);
			break;
		}
	}
}

/* The HWPT a HWPT hangs from (its parent, or its vIOMMU's parent), or -1. */
static int upstream(const struct ictl_spec *s, int h)
{
	const struct ictl_spec_hwpt *hw = &s->hwpts[h];

	if (hw->parent.idx >= 0)
		return hw->parent.idx;
	return hw->viommu.idx >= 0 ? s->viommus[hw->viommu.idx].parent.idx : -1;
}

/* Report the loop that starts at HWPT h once, at h: "a -> v0 -> b -> a". */
static void report_cycle(struct spec_chk *c, int h)
{
	const struct ictl_spec *s = c->s;
	char chain[200], path[96];
	bool cut = false;
	size_t off = 0;
	int x = h;

	off += (size_t)snprintf(chain, sizeof(chain), "%s", s->hwpts[h].name);
	do {
		const struct ictl_spec_hwpt *hw = &s->hwpts[x];

		x = upstream(s, x);
		cut |= off >= sizeof(chain) - 80;	/* long loops: the start, then " ..." */
		if (cut)
			continue;
		if (hw->viommu.idx >= 0)
			off += (size_t)snprintf(chain + off, sizeof(chain) - off, " -> %s",
						s->viommus[hw->viommu.idx].name);
		off += (size_t)snprintf(chain + off, sizeof(chain) - off, " -> %s", s->hwpts[x].name);
	} while (x != h);
	if (cut)
		snprintf(chain + off, sizeof(chain) - off, " ...");
	snprintf(path, sizeof(path), "hwpts[%d]", h);
	ERR(c, s->hwpts[h].pos, path, "circular: %s; a nested HWPT hangs from a paging HWPT over an IOAS",
	    chain);
}

/*
 * Loops of parents (through vIOMMUs too): each HWPT has one upstream, so one
 * walk with three states finds them all in linear time.  cyc[h]: h is on one.
 */
static void find_cycles(struct spec_chk *c, bool *cyc)
{
	const struct ictl_spec *s = c->s;
	uint8_t *state = calloc(s->nhwpts + 1, 1);	/* 0 new, 1 on this walk, 2 done */

	if (!state) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->nhwpts; i++) {
		int h = (int)i, x;

		while (h >= 0 && !state[h]) {
			state[h] = 1;
			h = upstream(s, h);
		}
		if (h >= 0 && state[h] == 1) {	/* back on this walk: h starts a loop */
			x = h;
			do {
				cyc[x] = true;
				x = upstream(s, x);
			} while (x != h);
			report_cycle(c, h);
		}
		for (h = (int)i; h >= 0 && state[h] == 1; h = upstream(s, h))
			state[h] = 2;
	}
	free(state);
}

/* The parent HWPT p of a nested HWPT or vIOMMU is a paging nest parent. */
static void need_nest_parent(struct spec_chk *c, int p, struct ictl_spec_pos pos, const char *path,
			     const char *what)
{
	const struct ictl_spec_hwpt *ph = &c->s->hwpts[p];

	if (ph->ioas.idx < 0)
		ERR(c, pos, path,
		    "%s %s is a nested HWPT; it must be a paging HWPT over an IOAS with flags: [nest-parent]",
		    what, ph->name);
	else if (!(ph->flags & ICTL_SPEC_HWPT_NEST_PARENT))
		ERR(c, pos, path,
		    "%s %s is not a nesting parent (the kernel answers EINVAL): add nest-parent to its flags (line %u)",
		    what, ph->name, ph->pos.line);
}

static void check_nested(struct spec_chk *c, size_t i, const char *path)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_hwpt *h = &s->hwpts[i];
	const struct ictl_vendor_ops *v = ictl_vendor_by_hwpt_data_type(h->data_type);
	bool via_viommu = h->viommu.idx >= 0;
	char p2[112];

	snprintf(p2, sizeof(p2), "%s.%s", path, via_viommu ? "viommu" : "parent");
	if (!via_viommu)
		need_nest_parent(c, h->parent.idx, h->parent.pos, p2, "parent");
	if (h->flags & ~ICTL_SPEC_HWPT_PASID) {
		unsigned int bit = (unsigned int)__builtin_ctz(h->flags & ~ICTL_SPEC_HWPT_PASID);

		snprintf(p2, sizeof(p2), "%s.flags[%u]", path, h->flag_idx[bit]);
		ERR(c, h->flag_pos[bit], p2,
		    "%s belongs to the nest parent; a nested HWPT takes only pasid (the kernel answers EOPNOTSUPP)",
		    ictl_spec_hwpt_flag_name(bit));
	}
	snprintf(p2, sizeof(p2), "%s.%s", path, via_viommu ? "viommu" : "parent");
	if (v && !(v->nested_via & (via_viommu ? ICTL_NESTED_VIA_VIOMMU : ICTL_NESTED_VIA_PARENT)))
		ERR(c, via_viommu ? h->viommu.pos : h->parent.pos, p2,
		    "the kernel's %s driver allocates %s nested HWPTs over %s: write %s instead",
		    v->kind, h->data->type, via_viommu ? "the nest-parent HWPT, not a vIOMMU" :
							  "a vIOMMU, not the nest-parent HWPT",
		    via_viommu ? "parent: (the vIOMMU's parent HWPT)" : "viommu: NAME (a vIOMMU over that parent)");
	snprintf(p2, sizeof(p2), "%s.data.type", path);
	if (is_mock(s, h->device.idx) != (h->data_type == ICTL_IOMMU_HWPT_DATA_SELFTEST))
		ERR(c, h->data->type_pos, p2, "%s data %s: device %s is %s",
		    h->data->type, is_mock(s, h->device.idx) ? "is not for the mock" :
							       "is the selftest mock's",
		    s->devices[h->device.idx].name,
		    is_mock(s, h->device.idx) ? "a mock device (give type: selftest)" :
						"a real device");
	if (via_viommu) {
		const struct ictl_spec_viommu *vi = &s->viommus[h->viommu.idx];

		if (v && vi->type_named && vi->type != v->viommu_type &&
		    !(vi->type == ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV &&
		      v->viommu_type == ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3))
			ERR(c, h->data->type_pos, p2, "%s data cannot go over vIOMMU %s, of another type (line %u)",
			    h->data->type, vi->name, vi->pos.line);
		snprintf(p2, sizeof(p2), "%s.device", path);
		same_world(c, h->device.pos, p2, h->device.idx, vi->device.idx, "device and vIOMMU");
	} else {
		snprintf(p2, sizeof(p2), "%s.device", path);
		same_world(c, h->device.pos, p2, h->device.idx, s->hwpts[h->parent.idx].device.idx,
			   "device and parent's device");
	}
}

static void check_hwpts(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	bool *cyc = calloc(s->nhwpts + 1, sizeof(*cyc));
	char path[96], p2[112];

	if (!cyc) {
		c->err = -ENOMEM;
		return;
	}
	find_cycles(c, cyc);
	for (size_t i = 0; i < s->nhwpts; i++) {
		const struct ictl_spec_hwpt *h = &s->hwpts[i];
		const struct ictl_spec_device *d = &s->devices[h->device.idx];

		snprintf(path, sizeof(path), "hwpts[%zu]", i);
		if (h->ioas.idx < 0) {
			if (!cyc[i])
				check_nested(c, i, path);
			continue;
		}
		snprintf(p2, sizeof(p2), "%s.fault", path);
		if (h->fault.idx >= 0 && (h->flags & ICTL_SPEC_HWPT_NEST_PARENT))
			ERR(c, h->fault.pos, p2,
			    "a nest-parent HWPT takes no fault queue (the kernel answers EOPNOTSUPP): put it on the nested HWPTs");
		snprintf(p2, sizeof(p2), "%s.flags[%u]", path, h->flag_idx[1]);
		if (d->mock && (d->mock_flags & ICTL_SPEC_MOCK_NO_DIRTY) &&
		    (h->flags & ICTL_SPEC_HWPT_DIRTY_TRACKING))
			ERR(c, h->flag_pos[1], p2,
			    "dirty-tracking: mock device %s has flags: [no-dirty], so the kernel refuses (EOPNOTSUPP)",
			    d->name);
	}
	free(cyc);
}

static void check_viommus(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->nviommus; i++) {
		const struct ictl_spec_viommu *v = &s->viommus[i];
		bool mock = is_mock(s, v->device.idx);

		snprintf(path, sizeof(path), "viommus[%zu].parent", i);
		need_nest_parent(c, v->parent.idx, v->parent.pos, path, "parent");
		same_world(c, v->parent.pos, path, v->device.idx, s->hwpts[v->parent.idx].device.idx,
			   "device and parent's device");
		snprintf(path, sizeof(path), "viommus[%zu].type", i);
		if (v->type_named && mock != (v->type == ICTL_IOMMU_VIOMMU_TYPE_SELFTEST))
			ERR(c, v->type_pos, path, "device %s is %s: give type: %s",
			    s->devices[v->device.idx].name, mock ? "a mock device" : "a real device",
			    mock ? "selftest" : "of its IOMMU (arm-smmuv3, tegra241-cmdqv)");
	}
}

static void check_vdevices(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->nvdevices; i++) {
		const struct ictl_spec_vdevice *v = &s->vdevices[i];

		snprintf(path, sizeof(path), "vdevices[%zu].device", i);
		same_world(c, v->device.pos, path, v->device.idx,
			   s->viommus[v->viommu.idx].device.idx, "device and vIOMMU's device");
		for (size_t k = 0; k < i; k++) {
			const struct ictl_spec_vdevice *o = &s->vdevices[k];

			if (o->device.idx == v->device.idx) {
				ERR(c, v->device.pos, path,
				    "device %s has a vDevice already (vdevices[%zu], line %u): the kernel allows one per device (EEXIST)",
				    v->device.name, k, o->pos.line);
				break;
			}
			if (o->viommu.idx == v->viommu.idx && o->virt_id.v == v->virt_id.v) {
				snprintf(path, sizeof(path), "vdevices[%zu].virt_id", i);
				ERR(c, v->virt_id.pos, path,
				    "virt_id %#llx is vdevices[%zu]'s already (line %u): one ID per device on vIOMMU %s (EEXIST)",
				    (ull)v->virt_id.v, k, o->pos.line, v->viommu.name);
				break;
			}
		}
	}
}

/* Does a vIOMMU of type viommu report events of type q?  (Unknown types: yes.) */
static bool veventq_fits(uint32_t viommu, uint32_t q)
{
	switch (viommu) {
	case ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3:
		return q == ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	case ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV:	/* its own, and the SMMUv3's it extends */
		return q == ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV ||
		       q == ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	case ICTL_IOMMU_VIOMMU_TYPE_SELFTEST:
		return q == ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST;
	}
	return true;
}

static void check_veventqs(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->nveventqs; i++) {
		const struct ictl_spec_veventq *q = &s->veventqs[i];
		const struct ictl_spec_viommu *v = &s->viommus[q->viommu.idx];

		snprintf(path, sizeof(path), "veventqs[%zu].type", i);
		if (!veventq_fits(v->type, q->type))
			WARN(c, q->type_pos.line ? q->type_pos : q->pos, path,
			     "vIOMMU %s never reports events of this type: the queue stays empty",
			     v->name);
		for (size_t k = 0; k < i; k++) {
			if (s->veventqs[k].viommu.idx != q->viommu.idx || s->veventqs[k].type != q->type)
				continue;
			snprintf(path, sizeof(path), "veventqs[%zu]", i);
			ERR(c, q->pos, path,
			    "vIOMMU %s has a vEVENTQ of this type already (veventqs[%zu], line %u): one per type (EEXIST)",
			    v->name, k, s->veventqs[k].pos.line);
			break;
		}
	}
}

static void check_faults(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->nfaults; i++) {
		bool used = false;

		for (size_t h = 0; h < s->nhwpts && !used; h++)
			used = s->hwpts[h].fault.idx == (int)i;
		snprintf(path, sizeof(path), "faults[%zu]", i);
		if (!used)
			WARN(c, s->faults[i].pos, path,
			     "fault queue %s is used by no HWPT (fault: %s): no fault reaches it",
			     s->faults[i].name, s->faults[i].name);
	}
}

static bool has_pasid_attach(const struct ictl_spec *s, int d)
{
	for (size_t a = 0; a < s->nattach; a++) {
		if (s->attach[a].device.idx == d && s->attach[a].pasid.set)
			return true;
	}
	return false;
}

static void check_pasid(struct spec_chk *c, size_t i, const char *path)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_attach *a = &s->attach[i];
	const struct ictl_spec_device *d = &s->devices[a->device.idx];
	char p2[112];

	snprintf(p2, sizeof(p2), "%s.pasid", path);
	if (a->ioas.idx >= 0)
		ERR(c, a->pasid.pos, p2,
		    "a PASID attaches to a HWPT allocated with flags: [pasid]; the kernel's own HWPT for an IOAS has none (EINVAL)");
	else if (!(s->hwpts[a->hwpt.idx].flags & ICTL_SPEC_HWPT_PASID))
		ERR(c, a->pasid.pos, p2,
		    "HWPT %s was not allocated for PASIDs (the kernel answers EINVAL): add pasid to its flags (line %u)",
		    a->hwpt.name, s->hwpts[a->hwpt.idx].pos.line);
	if (d->mock && !(d->mock_flags & ICTL_SPEC_MOCK_PASID))
		ERR(c, a->pasid.pos, p2, "mock device %s has no PASIDs: give it mock: {flags: [pasid]}",
		    d->name);
}

/*
 * replace: the HWPT the attach moves to, under the rules of the attach itself
 * (a PASID only to a pasid HWPT; the device's own, with PASIDs attached too,
 * only to one; the same world), and not the HWPT it is on already.
 */
static void check_replace(struct spec_chk *c, size_t i, const char *path)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_attach *a = &s->attach[i];
	const struct ictl_spec_hwpt *h = &s->hwpts[a->replace.idx];
	char p2[112];

	snprintf(p2, sizeof(p2), "%s.replace", path);
	if (a->replace.idx == a->hwpt.idx)
		WARN(c, a->replace.pos, p2,
		     "the attach is to HWPT %s already: the replace changes nothing", h->name);
	if (a->pasid.set && !(h->flags & ICTL_SPEC_HWPT_PASID))
		ERR(c, a->replace.pos, p2,
		    "HWPT %s was not allocated for PASIDs (the kernel answers EINVAL): add pasid to its flags (line %u)",
		    h->name, h->pos.line);
	else if (!a->pasid.set && has_pasid_attach(s, a->device.idx) &&
		 !(h->flags & ICTL_SPEC_HWPT_PASID))
		ERR(c, a->replace.pos, p2,
		    "device %s has PASIDs attached too, so what its own attach moves to needs flags: [pasid] (the kernel answers EINVAL)",
		    a->device.name);
	same_world(c, a->replace.pos, p2, a->device.idx, h->device.idx,
		   "device and the replacing HWPT's device");
}

static void check_attach(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96], p2[112];

	for (size_t i = 0; i < s->nattach; i++) {
		const struct ictl_spec_attach *a = &s->attach[i];
		int h = a->hwpt.idx;

		snprintf(path, sizeof(path), "attach[%zu]", i);
		for (size_t k = 0; k < i; k++) {
			const struct ictl_spec_attach *o = &s->attach[k];

			if (o->device.idx != a->device.idx || o->pasid.set != a->pasid.set ||
			    (a->pasid.set && o->pasid.v != a->pasid.v))
				continue;
			ERR(c, a->pos, path,
			    "device %s%s is attached already (attach[%zu], line %u): one attach per device and PASID",
			    a->device.name, a->pasid.set ? " at this PASID" : "", k, o->pos.line);
			break;
		}
		if (a->replace.idx >= 0)
			check_replace(c, i, path);
		if (a->pasid.set)
			check_pasid(c, i, path);
		else if (has_pasid_attach(s, a->device.idx) &&
			 (h < 0 || !(s->hwpts[h].flags & ICTL_SPEC_HWPT_PASID)))
			ERR(c, a->pos, path,
			    "device %s has PASIDs attached too, so its own attach needs a HWPT allocated with flags: [pasid] (the kernel answers EINVAL)",
			    a->device.name);
		if (h < 0)
			continue;
		snprintf(p2, sizeof(p2), "%s.hwpt", path);
		same_world(c, a->hwpt.pos, p2, a->device.idx, s->hwpts[h].device.idx,
			   "device and the HWPT's device");
		if (s->hwpts[h].viommu.idx >= 0 && !a->pasid.set) {
			bool vdev = false;

			for (size_t v = 0; v < s->nvdevices && !vdev; v++)
				vdev = s->vdevices[v].device.idx == a->device.idx &&
				       s->vdevices[v].viommu.idx == s->hwpts[h].viommu.idx;
			if (!vdev)
				WARN(c, a->hwpt.pos, p2,
				     "device %s has no vDevice on vIOMMU %s: an SMMUv3 refuses to attach a translating STE without one, and no event reaches the guest",
				     a->device.name, s->hwpts[h].viommu.name);
		}
	}
}

void spec_check_objs(struct spec_chk *c)
{
	check_devices(c);
	check_hwpts(c);
	check_viommus(c);
	check_vdevices(c);
	check_veventqs(c);
	check_faults(c);
	check_attach(c);
}
