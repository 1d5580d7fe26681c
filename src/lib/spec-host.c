// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the checks against a host, from what the env knows of it (each part
 * may be unknown and is then skipped): the devices are there and behind an
 * IOMMU; no IOVA of an IOAS a device is attached to falls in its group's
 * reserved regions (iopt_table_enforce_dev_resv_regions: the attach fails);
 * every capability asked of an IOMMU is one its registers, its kernel and
 * its vendor's rules allow, each refusal naming the register field; objects
 * that must share an IOMMU share it; and the kernel has the ioctls the spec
 * needs (probed, never guessed from its version).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "iommufd.h"
#include "spec-internal.h"
#include "vendor.h"

#define HERR(c, pos, path, src, ...) spec_finding(c, ICTL_SPEC_ERROR, ICTL_SPEC_CLASS_HOST, pos, path, src, __VA_ARGS__)
#define HWARN(c, pos, path, src, ...) spec_finding(c, ICTL_SPEC_WARNING, ICTL_SPEC_CLASS_HOST, pos, path, src, __VA_ARGS__)

typedef unsigned long long ull;

static const struct ictl_spec_env_dev *envdev(const struct spec_chk *c, int d)
{
	if (d < 0 || (size_t)d >= c->env->ndevs || c->s->devices[d].mock)
		return NULL;
	return &c->env->devs[d];
}

/* The decoded IOMMU of device d, when known. */
static const struct ictl_hw_info *hw_of(const struct spec_chk *c, int d)
{
	const struct ictl_spec_env_dev *e = envdev(c, d);

	return e && !e->missing && e->hi && e->caps ? e->hi : NULL;
}

static const char *unit_of(const struct spec_chk *c, int d)
{
	const struct ictl_spec_env_dev *e = envdev(c, d);

	return e && !e->missing && e->dev && e->dev->iommu[0] ? e->dev->iommu : NULL;
}

/*
 * "reg.FIELD (bit n) = v" for the register field msg names that refuses
 * (the first that is 0, else the first named), else "".
 */
static void source_from(const struct ictl_hw_info *hi, const char *msg, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const char *p = msg; hi && *p; p++) {
		const struct ictl_hw_field *f;
		char reg[32], field[32];
		size_t a = 0, b = 0;

		if (p != msg && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		while (a < sizeof(reg) - 1 && (isalnum((unsigned char)p[a]) || p[a] == '_'))
			reg[a] = p[a], a++;
		reg[a] = '\0';
		if (!a || p[a] != '.')
			continue;
		while (b < sizeof(field) - 1 && (isalnum((unsigned char)p[a + 1 + b]) || p[a + 1 + b] == '_'))
			field[b] = p[a + 1 + b], b++;
		field[b] = '\0';
		f = b ? ictl_hw_field_find(hi, reg, field) : NULL;
		if (f && (!buf[0] || !f->value))
			ictl_hw_field_source(hi, reg, field, buf, len);
		if (f && !f->value)
			return;
	}
}

/* --- devices ---------------------------------------------------------------------------- */

static void check_devices(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->ndevices; i++) {
		const struct ictl_spec_device *d = &s->devices[i];
		const struct ictl_spec_env_dev *e = envdev(c, (int)i);

		snprintf(path, sizeof(path), "devices[%zu].%s", i, d->mock ? "mock" : "device");
		if (d->mock && c->env->mock == ICTL_NO)
			HERR(c, d->pos, path, "CONFIG_IOMMUFD_TEST",
			     "mock device %s needs a kernel built with CONFIG_IOMMUFD_TEST (the iommufd selftest): %s",
			     d->name, c->env->mock_note);
		if (!e)
			continue;
		if (e->missing) {
			spec_finding(c, c->env->missing_is_warning ? ICTL_SPEC_WARNING : ICTL_SPEC_ERROR,
				     ICTL_SPEC_CLASS_MISSING, d->device_pos, path, "",
				     "%s is not on this system%s", d->device,
				     c->env->missing_is_warning ?
					     ": its group's reserved regions are not checked" :
					     " (see 'iommuctl devices')");
			continue;
		}
		if (e->dev && (e->dev->group < 0 || !e->dev->iommu[0]))
			HERR(c, d->device_pos, path, "", "%s is not behind an IOMMU: no unit translates its DMA",
			     d->device);
		else if (e->damaged)
			HERR(c, d->device_pos, path, "", "cannot check %s: %s", d->device, e->note);
		else if (e->note[0])
			HWARN(c, d->device_pos, path, "", "the checks of %s's IOMMU are skipped: %s",
			      d->device, e->note);
	}
}

/* --- reserved regions ---------------------------------------------------------------------- */

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* The group's regions the kernel reserves in an IOAS on attach (all but direct-relaxable). */
static bool enforced(const struct ictl_resv_region *r)
{
	return strcmp(r->kind, "direct-relaxable") != 0;
}

static void resv_conflicts(struct spec_chk *c, size_t i, const struct ictl_group *g, const char *dev)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	char path[96], src[160];

	for (size_t r = 0; r < g->nresv; r++) {
		const struct ictl_resv_region *rg = &g->resv[r];

		if (!enforced(rg))
			continue;
		snprintf(src, sizeof(src), "reserved region %s %#llx-%#llx of group %u", rg->kind,
			 (ull)rg->start, (ull)rg->end, g->id);
		for (size_t k = 0; k < io->nmaps; k++) {
			const struct ictl_spec_mapping *m = &io->maps[k];
			uint64_t last = m->iova.v + m->size.v - 1;

			if (!m->iova.set || last < m->iova.v || !overlaps(m->iova.v, last, rg->start, rg->end))
				continue;
			snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].iova", i, k);
			HERR(c, m->iova.pos, path, src,
			     "%#llx-%#llx overlaps the %s region %#llx-%#llx of %s's group %u, which the kernel reserves in this IOAS when %s attaches: move the mapping",
			     (ull)m->iova.v, (ull)last, rg->kind, (ull)rg->start, (ull)rg->end, dev, g->id,
			     dev);
		}
		for (size_t k = 0; k < io->nallow; k++) {
			if (!overlaps(io->allow[k].start, io->allow[k].last, rg->start, rg->end))
				continue;
			snprintf(path, sizeof(path), "ioas[%zu].allow[%zu]", i, k);
			HERR(c, io->allow[k].pos, path, src,
			     "%#llx-%#llx overlaps the %s region %#llx-%#llx of %s's group %u: the kernel refuses the attach (EADDRINUSE); leave the region out of allow",
			     (ull)io->allow[k].start, (ull)io->allow[k].last, rg->kind, (ull)rg->start,
			     (ull)rg->end, dev, g->id);
		}
	}
}

/* Kernel-chosen IOVAs that fit the spec but not around the reserved regions. */
static void resv_room(struct spec_chk *c, size_t i, const struct ictl_group *g)
{
	const struct ictl_spec_ioas *io = &c->s->ioas[i];
	struct spec_span *extra = calloc(g->nresv + 1, sizeof(*extra));
	size_t n = 0, failed = 0;
	char path[96];
	int r;

	if (!extra) {
		c->err = -ENOMEM;
		return;
	}
	for (size_t k = 0; k < g->nresv; k++) {
		if (enforced(&g->resv[k]))
			extra[n++] = (struct spec_span){ g->resv[k].start, g->resv[k].end, k };
	}
	r = spec_place_auto(io, NULL, 0, NULL, &failed);
	if (!r)
		r = spec_place_auto(io, extra, n, NULL, &failed);
	free(extra);
	if (r < 0)
		c->err = r;
	if (r != 1)
		return;
	snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].size", i, failed);
	HERR(c, io->maps[failed].size.pos, path, "",
	     "no room for this mapping of %#llx bytes at an IOVA the kernel picks once group %u's reserved regions are taken out",
	     (ull)io->maps[failed].size.v, g->id);
}

static void check_resv(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;

	for (size_t a = 0; a < s->nattach; a++) {
		const struct ictl_spec_attach *at = &s->attach[a];
		const struct ictl_spec_env_dev *e = envdev(c, at->device.idx);
		int io = c->attach_ioas[a];
		bool seen = false;

		if (at->pasid.set || io < 0 || !e || e->missing || !e->group)
			continue;
		if (at->replace.idx >= 0) {	/* where a replace moves it: reserved there too */
			struct ictl_spec_attach r = *at;
			int io2;

			r.hwpt = at->replace;
			r.ioas.idx = -1;
			io2 = spec_attach_ioas(s, &r);
			if (io2 >= 0 && io2 != io) {
				resv_conflicts(c, (size_t)io2, e->group, s->devices[at->device.idx].name);
				resv_room(c, (size_t)io2, e->group);
			}
		}
		for (size_t b = 0; b < a && !seen; b++) {	/* once per group and IOAS */
			const struct ictl_spec_env_dev *o = envdev(c, s->attach[b].device.idx);

			seen = o && !o->missing && o->group && o->group->id == e->group->id &&
			       !s->attach[b].pasid.set && c->attach_ioas[b] == io;
		}
		if (seen)
			continue;
		resv_conflicts(c, (size_t)io, e->group, s->devices[at->device.idx].name);
		resv_room(c, (size_t)io, e->group);
	}
}

/* --- capabilities -------------------------------------------------------------------------- */

/* A capability the device's IOMMU lacks, by its registers or by its kernel. */
static bool cap_refused(struct spec_chk *c, int d, enum ictl_cap_id id, struct ictl_spec_pos pos,
			const char *path, const char *what)
{
	const struct ictl_spec_env_dev *e = envdev(c, d);
	const struct ictl_cap *cap = &e->caps->cap[id];
	char src[160];

	if (cap->hw == ICTL_NO) {
		source_from(e->hi, cap->source, src, sizeof(src));
		HERR(c, pos, path, src[0] ? src : cap->source,
		     "%s: the IOMMU of %s (%s, %s) %s: %s", ictl_cap_name(id), c->s->devices[d].name,
		     e->dev ? e->dev->iommu : "?", e->hi->kind, what, src[0] ? src : cap->source);
		return true;
	}
	if (cap->kernel == ICTL_NO) {
		HERR(c, pos, path, cap->kernel_source, "%s: the kernel refused it for %s: %s",
		     ictl_cap_name(id), c->s->devices[d].name, cap->kernel_source);
		return true;
	}
	return false;
}

/* A vIOMMU the hardware or the kernel cannot give: the caps row's why, with its detail. */
static bool viommu_refused(struct spec_chk *c, int d, struct ictl_spec_pos pos, const char *path)
{
	const struct ictl_cap *cap = &envdev(c, d)->caps->cap[ICTL_CAP_VIOMMU];
	char what[200];

	if (cap->hw == ICTL_NO && cap->detail[0])
		snprintf(what, sizeof(what), "has no vIOMMU (%s)", cap->detail);
	else
		snprintf(what, sizeof(what), "has no vIOMMU");
	if (cap_refused(c, d, ICTL_CAP_VIOMMU, pos, path, what))
		return true;
	if (cap->hw == ICTL_UNKNOWN && cap->kernel != ICTL_YES)
		HWARN(c, pos, path, cap->source,
		      "viommu: whether the kernel gives %s a vIOMMU is not known here: %s (%s)",
		      c->s->devices[d].name, cap->detail, cap->source);
	return false;
}

/* A vendor hook's refusal (the message is in the context). */
static void hook_refused(struct spec_chk *c, int d, struct ictl_spec_pos pos, const char *path)
{
	char src[160];

	source_from(hw_of(c, d), ictl_strerror(c->ctx), src, sizeof(src));
	HERR(c, pos, path, src, "%s (the IOMMU of %s)", ictl_strerror(c->ctx),
	     c->s->devices[d].name);
}

static void check_paging(struct spec_chk *c, size_t i)
{
	static const struct {
		uint32_t flag;
		unsigned int bit;
		enum ictl_cap_id cap;
		const char *what;
	} flags[] = {
		{ ICTL_SPEC_HWPT_NEST_PARENT, 0, ICTL_CAP_NEST_PARENT, "cannot be a nesting parent" },
		{ ICTL_SPEC_HWPT_DIRTY_TRACKING, 1, ICTL_CAP_DIRTY, "cannot track dirty pages" },
		{ ICTL_SPEC_HWPT_PASID, 3, ICTL_CAP_PASID, "has no PASIDs" },
	};
	const struct ictl_spec_hwpt *h = &c->s->hwpts[i];
	const struct ictl_hw_info *hi = hw_of(c, h->device.idx);
	const struct ictl_vendor_ops *v = hi ? ictl_vendor_by_hw_info_type(hi->type) : NULL;
	bool refused = false;
	char path[96];

	if (!hi || !h->flags)
		return;
	for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
		snprintf(path, sizeof(path), "hwpts[%zu].flags[%u]", i, h->flag_idx[flags[f].bit]);
		if (h->flags & flags[f].flag)
			refused |= cap_refused(c, h->device.idx, flags[f].cap, h->flag_pos[flags[f].bit],
					       path, flags[f].what);
	}
	snprintf(path, sizeof(path), "hwpts[%zu].flags", i);
	if (!refused && v && v->hwpt_flags_check && v->hwpt_flags_check(c->ctx, hi, h->flags) < 0)
		hook_refused(c, h->device.idx, h->flags_pos, path);
}

/* Two objects that the kernel puts on one IOMMU instance (EINVAL otherwise). */
static void same_unit(struct spec_chk *c, int d1, int d2, struct ictl_spec_pos pos,
		      const char *path, const char *what)
{
	const char *u1 = unit_of(c, d1), *u2 = unit_of(c, d2);

	if (!u1 || !u2 || !strcmp(u1, u2))
		return;
	HERR(c, pos, path, "", "%s must share an IOMMU: %s is behind %s, %s behind %s (the kernel answers EINVAL)",
	     what, c->s->devices[d1].name, u1, c->s->devices[d2].name, u2);
}

static void check_nested(struct spec_chk *c, size_t i)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_hwpt *h = &s->hwpts[i];
	const struct ictl_hw_info *hi = hw_of(c, h->device.idx);
	const struct ictl_vendor_ops *v = ictl_vendor_by_hwpt_data_type(h->data_type);
	int other = h->viommu.idx >= 0 ? s->viommus[h->viommu.idx].device.idx :
					 s->hwpts[h->parent.idx].device.idx;
	char path[96];

	snprintf(path, sizeof(path), "hwpts[%zu].device", i);
	same_unit(c, h->device.idx, other, h->device.pos, path,
		  h->viommu.idx >= 0 ? "a nested HWPT and its vIOMMU" : "a nested HWPT and its parent");
	if (!hi || !v)
		return;
	snprintf(path, sizeof(path), "hwpts[%zu].data.type", i);
	if (hi->type != v->hw_info_type) {
		HERR(c, h->data->type_pos, path, "IOMMU_GET_HW_INFO type",
		     "%s data is for %s IOMMUs; %s is behind %s (%s)", h->data->type, v->kind,
		     s->devices[h->device.idx].name, unit_of(c, h->device.idx), hi->kind);
		return;
	}
	if (cap_refused(c, h->device.idx, ICTL_CAP_NESTED_S1, h->data->type_pos, path,
			"walks no nested stage-1 table"))
		return;
	snprintf(path, sizeof(path), "hwpts[%zu].data", i);
	if (v->nested_data_check && v->nested_data_check(c->ctx, hi, h->data_bytes, h->data_len) < 0)
		hook_refused(c, h->device.idx, h->data->pos, path);
}

static void check_viommu(struct spec_chk *c, size_t i)
{
	const struct ictl_spec *s = c->s;
	const struct ictl_spec_viommu *vi = &s->viommus[i];
	const struct ictl_hw_info *hi = hw_of(c, vi->device.idx);
	const struct ictl_vendor_ops *v = hi ? ictl_vendor_by_hw_info_type(hi->type) : NULL;
	char path[96];

	snprintf(path, sizeof(path), "viommus[%zu].parent", i);
	same_unit(c, vi->device.idx, s->hwpts[vi->parent.idx].device.idx, vi->parent.pos, path,
		  "a vIOMMU and its parent HWPT");
	if (!hi || !v)
		return;
	if (vi->type)
		snprintf(path, sizeof(path), "viommus[%zu].type", i);
	else
		snprintf(path, sizeof(path), "viommus[%zu]", i);
	if (!vi->type && !v->viommu_type)
		HERR(c, vi->pos, path, "IOMMU_VIOMMU_TYPE_*",
		     "%s IOMMUs have no vIOMMU type in the kernel's uAPI: %s (%s) cannot have a vIOMMU",
		     hi->kind, s->devices[vi->device.idx].name, unit_of(c, vi->device.idx));
	else if (!vi->type)
		viommu_refused(c, vi->device.idx, vi->pos, path);
	else if (!vi->type_named)
		HWARN(c, vi->type_pos, path, "", "type %u is not one iommuctl knows: not checked against %s",
		      vi->type, hi->kind);
	else if (vi->type == ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV &&
		 v->viommu_type == ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		HWARN(c, vi->type_pos, path, "",
		      "tegra241-cmdqv: the SMMUv3's hw_info does not say whether a CMDQV is there: not checked");
	else if (!v->viommu_type)
		HERR(c, vi->type_pos, path, "IOMMU_VIOMMU_TYPE_*",
		     "%s IOMMUs have no vIOMMU type in the kernel's uAPI: %s (%s) cannot have this vIOMMU",
		     hi->kind, s->devices[vi->device.idx].name, unit_of(c, vi->device.idx));
	else if (vi->type != v->viommu_type)
		HERR(c, vi->type_pos, path, "IOMMU_VIOMMU_TYPE_*",
		     "this vIOMMU type is not %s's: give the type of its IOMMU", hi->kind);
	else
		viommu_refused(c, vi->device.idx, vi->pos, path);
}

static void check_pasid(struct spec_chk *c, size_t i)
{
	const struct ictl_spec_attach *a = &c->s->attach[i];
	const struct ictl_spec_env_dev *e = envdev(c, a->device.idx);
	char path[96], src[96];

	snprintf(path, sizeof(path), "attach[%zu].pasid", i);
	if (!hw_of(c, a->device.idx) ||
	    cap_refused(c, a->device.idx, ICTL_CAP_PASID, a->pasid.pos, path, "has no PASIDs"))
		return;
	if (!e->hi->have_caps)
		return;
	snprintf(src, sizeof(src), "IOMMU_GET_HW_INFO out_max_pasid_log2 = %u", e->hi->max_pasid_log2);
	if (!e->hi->max_pasid_log2)
		HERR(c, a->pasid.pos, path, src, "the kernel gives %s no PASIDs (out_max_pasid_log2 = 0)",
		     a->device.name);
	else if (e->hi->max_pasid_log2 < 32 && a->pasid.v >> e->hi->max_pasid_log2)
		HERR(c, a->pasid.pos, path, src, "PASID %llu is wider than %s's %u bits",
		     (ull)a->pasid.v, a->device.name, e->hi->max_pasid_log2);
}

static void check_objects(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	for (size_t i = 0; i < s->nhwpts; i++) {
		if (s->hwpts[i].ioas.idx >= 0)
			check_paging(c, i);
		else
			check_nested(c, i);
	}
	for (size_t i = 0; i < s->nviommus; i++)
		check_viommu(c, i);
	for (size_t i = 0; i < s->nvdevices; i++) {
		snprintf(path, sizeof(path), "vdevices[%zu].device", i);
		same_unit(c, s->vdevices[i].device.idx, s->viommus[s->vdevices[i].viommu.idx].device.idx,
			  s->vdevices[i].device.pos, path, "a vDevice's device and its vIOMMU");
	}
	for (size_t i = 0; i < s->nattach; i++) {
		if (s->attach[i].pasid.set)
			check_pasid(c, i);
		if (s->attach[i].hwpt.idx < 0 || s->hwpts[s->attach[i].hwpt.idx].ioas.idx >= 0)
			continue;
		snprintf(path, sizeof(path), "attach[%zu].hwpt", i);
		same_unit(c, s->attach[i].device.idx, s->hwpts[s->attach[i].hwpt.idx].device.idx,
			  s->attach[i].hwpt.pos, path, "a device and the nested HWPT it attaches to");
	}
}

/* --- the kernel's ioctls ---------------------------------------------------------------- */

static void need_ioctl(struct spec_chk *c, unsigned int cmd, struct ictl_spec_pos pos,
		       const char *path, const char *what)
{
	unsigned int bit = cmd - ICTL_IOMMUFD_CMD_BASE;
	const char *name = ictl_iommufd_cmd_name(cmd);

	if (bit >= 32 || (c->env->ioctls & (1u << bit)))
		return;
	HERR(c, pos, path, "", "%s needs IOMMU_%s, which this kernel does not have (it answered ENOTTY)",
	     what, name ? name : "?");
}

static void check_ioctls(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[96];

	if (s->rlimit_mode >= 0)
		need_ioctl(c, ICTL_IOMMUFD_CMD_OPTION, s->rlimit_pos, "options.rlimit_mode", "rlimit_mode");
	for (size_t i = 0; i < s->nioas; i++) {
		const struct ictl_spec_ioas *io = &s->ioas[i];

		snprintf(path, sizeof(path), "ioas[%zu]", i);
		if (io->nallow)
			need_ioctl(c, ICTL_IOMMUFD_CMD_IOAS_ALLOW_IOVAS, io->allow_pos, path, "allow");
		if (io->huge_pages != ICTL_UNKNOWN)
			need_ioctl(c, ICTL_IOMMUFD_CMD_OPTION, io->huge_pages_pos, path, "huge_pages");
		for (size_t k = 0; k < io->nmaps; k++) {
			const struct ictl_spec_mapping *m = &io->maps[k];

			snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].memory", i, k);
			if (m->memory == ICTL_SPEC_MEM_MEMFD || m->memory == ICTL_SPEC_MEM_FILE)
				need_ioctl(c, ICTL_IOMMUFD_CMD_IOAS_MAP_FILE, m->memory_pos, path,
					   m->memory == ICTL_SPEC_MEM_MEMFD ? "memory: memfd" : "memory: {file}");
			else if (m->memory == ICTL_SPEC_MEM_COPY)
				need_ioctl(c, ICTL_IOMMUFD_CMD_IOAS_COPY, m->memory_pos, path, "copy");
		}
	}
	if (s->nhwpts)
		need_ioctl(c, ICTL_IOMMUFD_CMD_HWPT_ALLOC, s->hwpts[0].pos, "hwpts[0]", "a HWPT");
	if (s->nfaults)
		need_ioctl(c, ICTL_IOMMUFD_CMD_FAULT_QUEUE_ALLOC, s->faults[0].pos, "faults[0]",
			   "a fault queue");
	if (s->nviommus)
		need_ioctl(c, ICTL_IOMMUFD_CMD_VIOMMU_ALLOC, s->viommus[0].pos, "viommus[0]", "a vIOMMU");
	if (s->nvdevices)
		need_ioctl(c, ICTL_IOMMUFD_CMD_VDEVICE_ALLOC, s->vdevices[0].pos, "vdevices[0]",
			   "a vDevice");
	if (s->nveventqs)
		need_ioctl(c, ICTL_IOMMUFD_CMD_VEVENTQ_ALLOC, s->veventqs[0].pos, "veventqs[0]",
			   "a vEVENTQ");
}

/*
 * The files the mappings name, on the live system (a capture's spec names
 * another machine's files): there, of the size the mapping needs, and, for a
 * device to write to, on a filesystem whose pages the kernel pins by fd.
 */
static void check_files(struct spec_chk *c)
{
	const struct ictl_spec *s = c->s;
	char path[80];

	if (!ictl_is_live(c->ctx))
		return;
	for (size_t i = 0; i < s->nioas; i++) {
		for (size_t k = 0; k < s->ioas[i].nmaps; k++) {
			const struct ictl_spec_mapping *m = &s->ioas[i].maps[k];
			char why[sizeof(c->ctx->err)];
			bool pinnable;

			if (m->memory != ICTL_SPEC_MEM_FILE)
				continue;
			snprintf(path, sizeof(path), "ioas[%zu].mappings[%zu].memory", i, k);
			if (ictl_file_mappable(-1, m->file, m->offset.v, m->size.v,
					       m->access & ICTL_SPEC_ACCESS_WRITE, &pinnable, why,
					       sizeof(why)))
				HERR(c, m->memory_pos, path, m->file, "%s", why);
		}
	}
}

void spec_check_host(struct spec_chk *c)
{
	check_devices(c);
	check_resv(c);
	check_objects(c);
	check_files(c);
	if (c->env->have_ioctls)
		check_ioctls(c);
}
