// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one-line texts of an apply's steps (apply-step.h), written when they
 * are read: from the spec, and from what the apply keeps of the run (its
 * tables), both there for as long as the apply is.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "internal.h"
#include "vendor.h"

typedef unsigned long long ull;

const char *apply_q(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	/* (a copy, not snprintf: this runs for the description of every step) */
	if (!n) {
		str_copy(buf, "(unnamed)", len);
		return buf;
	}
	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	if (n > len - 3)
		n = len - 3;
	buf[0] = '\'';
	memcpy(buf + 1, name, n);
	buf[n + 1] = '\'';
	buf[n + 2] = '\0';
	return buf;
}

/* "2M", "64K", "0x1234" for messages (the digits written here, not through a format). */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	char d[24], *p = d + sizeof(d) - 1;
	int u = -1;

	while (v && !(v & 1023) && u < 3) {
		v >>= 10;
		u++;
	}
	*p = '\0';
	if (u >= 0)
		*--p = units[u];
	p = str_digits(p, v, u < 0);
	if (u < 0 && v) {
		*--p = 'x';
		*--p = '0';
	}
	str_copy(buf, p, len);
	return buf;
}

const char *apply_map_ioctl(const struct ictl_spec_mapping *m)
{
	const char *fs;

	switch (m->memory) {
	case ICTL_SPEC_MEM_FILE:
		return ictl_file_pinnable(-1, m->file, &fs) ? "IOMMU_IOAS_MAP_FILE" : "IOMMU_IOAS_MAP";
	case ICTL_SPEC_MEM_MEMFD:
		return "IOMMU_IOAS_MAP_FILE";
	case ICTL_SPEC_MEM_COPY:
		return "IOMMU_IOAS_COPY";
	default:
		return "IOMMU_IOAS_MAP";
	}
}

/* Where a mapping or a table's memory goes: "at 0x1000000" or "at an IOVA the kernel picks". */
static const char *where(const struct ictl_spec_num *iova, char *buf, size_t len)
{
	char d[24], *p = d + sizeof(d) - 1;

	*p = '\0';
	if (iova->set) {
		p = str_digits(p, iova->v, true);
		if (iova->v) {
			*--p = 'x';
			*--p = '0';
		}
		*--p = ' ';
		*--p = 't';
		*--p = 'a';
	}
	str_copy(buf, iova->set ? p : "at an IOVA the kernel picks", len);
	return buf;
}

static void describe_table(const struct ictl_apply *a, struct ictl_apply_step *st)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_ptable *pt = &s->ptables[st->i];
	const struct ictl_apply_table *tb = &a->tables[st->i];
	const char *via = pt->via == ICTL_NESTED_PT_CD ? "CD" : "GCR3";
	char n[48], pn[48], sz[24], w[48], ptr[64] = "", root[32];
	size_t len;

	if (st->kind == ICTL_AS_TABLE_MEMORY) {
		len = (size_t)str_fmt(st->what, sizeof(st->what),
				      "map the memory of table %s, %s of memfd %s in ioas %s (IOMMU_IOAS_MAP_FILE)",
				      apply_q(pt->name, n, sizeof(n)), size_str(tb->size, sz, sizeof(sz)),
				      where(&pt->at, w, sizeof(w)),
				      apply_q(s->ioas[pt->ioas.idx].name, pn, sizeof(pn)));
		if (tb->picked && len < sizeof(st->what))
			str_fmt(st->what + len, sizeof(st->what) - len, ": %#llx", (ull)tb->iova);
		return;
	}
	if (tb->ptr)
		str_fmt(ptr, sizeof(ptr), ", %s table at %#llx", via, (ull)tb->ptr);
	if (a->dry_run && !pt->at.set)
		str_fmt(root, sizeof(root), "the start of its memory");
	else
		str_fmt(root, sizeof(root), "%#llx", (ull)tb->root);
	if (tb->ptr && a->dry_run && !pt->at.set)
		str_fmt(ptr, sizeof(ptr), ", %s table in its last page", via);
	str_fmt(st->what, sizeof(st->what), "build table %s (%s, %zu mapping%s, root %s%s) into its memory",
		apply_q(pt->name, n, sizeof(n)), pt->cfg.name, pt->nmaps, pt->nmaps == 1 ? "" : "s", root, ptr);
}

static void describe_attach(const struct ictl_apply *a, struct ictl_apply_step *st)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_attach *at = &s->attach[st->i];
	const struct ictl_spec_device *d = &s->devices[at->device.idx];
	bool hw = at->hwpt.idx >= 0;
	char dn[48], tn[48], p[40] = "";

	if (at->pasid.set)
		str_fmt(p, sizeof(p), " at PASID %#llx", (ull)at->pasid.v);
	if (st->kind == ICTL_AS_REPLACE)
		str_fmt(st->what, sizeof(st->what), "replace the attach of device %s%s with hwpt %s (%s)",
			apply_q(d->name, dn, sizeof(dn)), p, apply_q(s->hwpts[at->replace.idx].name, tn, sizeof(tn)),
			d->mock ? (at->pasid.set ? "IOMMU_TEST_OP_PASID_REPLACE" :
						   "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE") :
				  "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	else
		str_fmt(st->what, sizeof(st->what), "attach device %s%s to %s %s (%s)",
			apply_q(d->name, dn, sizeof(dn)), p, hw ? "hwpt" : "ioas",
			apply_q(hw ? s->hwpts[at->hwpt.idx].name : s->ioas[at->ioas.idx].name, tn, sizeof(tn)),
			d->mock ? (at->pasid.set ? "IOMMU_TEST_OP_PASID_ATTACH" :
						   "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE") :
				  "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
}

void apply_describe(const struct ictl_apply *a, struct ictl_apply_step *st)
{
	const struct ictl_spec *s = a->spec;
	char *w = st->what, n[48], n2[48], n3[48], sz[24], at[48], from[80];
	const size_t len = sizeof(st->what);
	const struct ictl_spec_ioas *io = &s->ioas[0];
	const struct ictl_spec_mapping *m;

	if (w[0])
		return;
	switch (st->kind) {
	case ICTL_AS_RLIMIT:
		str_fmt(w, len, "set rlimit_mode %s (IOMMU_OPTION RLIMIT_MODE)",
			s->rlimit_mode ? "process" : "user");
		break;
	case ICTL_AS_IOAS:
		str_fmt(w, len, "allocate ioas %s (IOMMU_IOAS_ALLOC)", apply_q(io[st->i].name, n, sizeof(n)));
		break;
	case ICTL_AS_ALLOW:
		str_fmt(w, len, "allow %zu IOVA range%s in ioas %s (IOMMU_IOAS_ALLOW_IOVAS)",
			io[st->i].nallow, io[st->i].nallow == 1 ? "" : "s", apply_q(io[st->i].name, n, sizeof(n)));
		break;
	case ICTL_AS_HUGE_PAGES:
		str_fmt(w, len, "huge_pages %s in ioas %s (IOMMU_OPTION HUGE_PAGES)",
			io[st->i].huge_pages ? "on" : "off", apply_q(io[st->i].name, n, sizeof(n)));
		break;
	case ICTL_AS_MAP:
		m = &io[st->i].maps[st->k];
		str_fmt(w, len, "map %s%s%s%s of %s %s in ioas %s (%s)", m->name[0] ? "'" : "", m->name,
			m->name[0] ? "', " : "", size_str(m->size.v, sz, sizeof(sz)),
			m->memory == ICTL_SPEC_MEM_FILE ? m->file : ictl_spec_mem_name(m->memory),
			where(&m->iova, at, sizeof(at)), apply_q(io[st->i].name, n, sizeof(n)), apply_map_ioctl(m));
		break;
	case ICTL_AS_COPY:
		m = &io[st->i].maps[st->k];
		if (m->copy_mapping >= 0)
			str_fmt(from, sizeof(from), "mapping '%s' + %#llx",
				io[m->copy_ioas.idx].maps[m->copy_mapping].name, (ull)m->copy_iova.v);
		else
			str_fmt(from, sizeof(from), "%#llx", (ull)m->copy_iova.v);
		str_fmt(w, len, "copy %s from ioas %s at %s into ioas %s %s (IOMMU_IOAS_COPY)",
			size_str(m->size.v, sz, sizeof(sz)), apply_q(io[m->copy_ioas.idx].name, n2, sizeof(n2)),
			from, apply_q(io[st->i].name, n, sizeof(n)), where(&m->iova, at, sizeof(at)));
		break;
	case ICTL_AS_TABLE_MEMORY:
	case ICTL_AS_TABLE_BUILD:
		describe_table(a, st);
		break;
	case ICTL_AS_DEVICE: {
		const struct ictl_spec_device *d = &s->devices[st->i];

		if (d->mock)
			str_fmt(w, len, "plug mock device %s into ioas %s (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, flags %#x)",
				apply_q(d->name, n, sizeof(n)), apply_q(io[d->mock_ioas.idx].name, n2, sizeof(n2)),
				d->mock_flags);
		else
			str_fmt(w, len, "bind %s %s to the iommufd (VFIO_DEVICE_BIND_IOMMUFD)",
				apply_q(d->name, n, sizeof(n)), d->device);
		break;
	}
	case ICTL_AS_FAULT:
		str_fmt(w, len, "allocate fault queue %s (IOMMU_FAULT_QUEUE_ALLOC)",
			apply_q(s->faults[st->i].name, n, sizeof(n)));
		break;
	case ICTL_AS_VIOMMU: {
		const struct ictl_spec_viommu *v = &s->viommus[st->i];

		str_fmt(w, len, "allocate viommu %s over hwpt %s for device %s (IOMMU_VIOMMU_ALLOC)",
			apply_q(v->name, n, sizeof(n)), apply_q(s->hwpts[v->parent.idx].name, n2, sizeof(n2)),
			apply_q(s->devices[v->device.idx].name, n3, sizeof(n3)));
		break;
	}
	case ICTL_AS_VDEVICE: {
		const struct ictl_spec_vdevice *v = &s->vdevices[st->i];

		str_fmt(w, len, "allocate vdevice %s of device %s in viommu %s, virt_id %#llx (IOMMU_VDEVICE_ALLOC)",
			apply_q(v->name, n, sizeof(n)), apply_q(s->devices[v->device.idx].name, n3, sizeof(n3)),
			apply_q(s->viommus[v->viommu.idx].name, n2, sizeof(n2)), (ull)v->virt_id.v);
		break;
	}
	case ICTL_AS_VEVENTQ: {
		const struct ictl_spec_veventq *v = &s->veventqs[st->i];

		str_fmt(w, len, "allocate veventq %s of viommu %s, depth %llu (IOMMU_VEVENTQ_ALLOC)",
			apply_q(v->name, n, sizeof(n)), apply_q(s->viommus[v->viommu.idx].name, n2, sizeof(n2)),
			(ull)v->depth.v);
		break;
	}
	case ICTL_AS_ATTACH:
	case ICTL_AS_REPLACE:
		describe_attach(a, st);
		break;
	default:	/* ICTL_AS_TEXT: written by step() */
		break;
	}
}

void ictl_apply_describe(struct ictl_apply *a)
{
	for (size_t i = 0; a && i < a->nsteps; i++)
		apply_describe(a, &a->steps[i]);
}
