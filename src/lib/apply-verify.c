// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * After an apply (apply.h): what was made checked against the spec (the
 * mock's MD_CHECK_MAP, the tables' memory), and the hand-off of the objects
 * to a command (names and ids, mappings, fds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "apply.h"
#include "internal.h"

typedef unsigned long long ull;

/* --- verify ------------------------------------------------------------------------------ */

/* The memory behind mapping k of IOAS i in this process, or NULL (a file, a copy by IOVA). */
static const uint8_t *map_va(const struct ictl_apply *a, size_t i, size_t k)
{
	const struct ictl_spec_mapping *m = &a->spec->ioas[i].maps[k];
	const struct ictl_apply_map *src;

	if (m->memory != ICTL_SPEC_MEM_COPY)
		return a->maps[i][k].va;
	if (m->copy_mapping < 0)
		return NULL;
	src = &a->maps[m->copy_ioas.idx][m->copy_mapping];
	return src->va ? (const uint8_t *)src->va + m->copy_iova.v : NULL;
}

/* The table memory of each table in IOAS i, against HWPT h of a mock device. */
static int verify_tables(struct ictl_apply *a, size_t h, size_t i, size_t *checked)
{
	const struct ictl_spec *s = a->spec;

	for (size_t t = 0; t < s->nptables; t++) {
		const struct ictl_apply_table *tb = &a->tables[t];
		void *va;
		int r;

		if (s->ptables[t].ioas.idx != (int)i || !tb->made)
			continue;
		va = mmap(NULL, tb->size, PROT_READ, MAP_SHARED, tb->fd, ICTL_PT_HEADER_SIZE);
		if (va == MAP_FAILED)
			return ictl_err_kernel(a->ctx, errno, "verify: mmap of table %s: %s",
					       s->ptables[t].name, strerror(errno));
		r = ictl_mock_check_map(a->s, a->hwpt[h], tb->iova, tb->size, va);
		munmap(va, tb->size);
		if (r < 0)
			return ictl_err_wrap(a->ctx, -r,
					     "verify: hwpt '%s' does not map table %s's memory (IOVA %#llx) to it",
					     s->hwpts[h].name, s->ptables[t].name, (ull)tb->iova);
		(*checked)++;
	}
	return 0;
}

int ictl_apply_verify(struct ictl_apply *a, size_t *checked)
{
	const struct ictl_spec *s = a->spec;
	int r;

	*checked = 0;
	if (a->dry_run)
		return 0;
	for (size_t h = 0; h < s->nhwpts; h++) {
		const struct ictl_spec_hwpt *hp = &s->hwpts[h];
		size_t i = (size_t)hp->ioas.idx;

		if (hp->ioas.idx < 0 || !s->devices[hp->device.idx].mock)
			continue;
		for (size_t k = 0; k < s->ioas[i].nmaps; k++) {
			const uint8_t *va = map_va(a, i, k);

			if (!va)
				continue;
			r = ictl_mock_check_map(a->s, a->hwpt[h], a->maps[i][k].iova,
						s->ioas[i].maps[k].size.v, va);
			if (r < 0)
				return ictl_err_wrap(a->ctx, -r,
						     "verify: hwpt '%s' does not map ioas '%s' mapping %zu (IOVA %#llx) to its memory",
						     hp->name, s->ioas[i].name, k,
						     (ull)a->maps[i][k].iova);
			(*checked)++;
		}
		r = verify_tables(a, h, i, checked);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- hand-off ---------------------------------------------------------------------------- */

/* " name=value" onto *buf. */
static int cat(struct ictl_ctx *ctx, char **buf, const char *name, unsigned long long v, bool hex)
{
	char *n;

	if (asprintf(&n, hex ? "%s%s%s=%#llx" : "%s%s%s=%llu", *buf ? *buf : "", *buf ? " " : "",
		     name, v) < 0)
		return ictl_err(ctx, ENOMEM, "hand-off: out of memory");
	free(*buf);
	*buf = n;
	return 0;
}

static int objects_env(struct ictl_apply *a, char **objs, char **maps)
{
	const struct ictl_spec *s = a->spec;
	int r = 0;

#define NAMED(arr, n, ids)                                                    \
	for (size_t i = 0; !r && i < (n); i++) {                              \
		if (s->arr[i].name[0])                                        \
			r = cat(a->ctx, objs, s->arr[i].name, (ids)[i], false); \
	}
	NAMED(devices, s->ndevices, a->dev);
	NAMED(ioas, s->nioas, a->ioas);
	NAMED(faults, s->nfaults, a->fault);
	NAMED(hwpts, s->nhwpts, a->hwpt);
	NAMED(viommus, s->nviommus, a->viommu);
	NAMED(vdevices, s->nvdevices, a->vdev);
	NAMED(veventqs, s->nveventqs, a->veventq);
#undef NAMED
	for (size_t i = 0; !r && i < s->nioas; i++) {
		for (size_t k = 0; !r && k < s->ioas[i].nmaps; k++) {
			if (s->ioas[i].maps[k].name[0])
				r = cat(a->ctx, maps, s->ioas[i].maps[k].name, a->maps[i][k].iova, true);
		}
	}
	return r;
}

int ictl_apply_handoff(struct ictl_apply *a, struct ictl_handoff *h)
{
	_cleanup_free_ char *objs = NULL, *maps = NULL;
	int r;

	if (a->dry_run || !a->s)
		return ictl_err(a->ctx, EINVAL, "a dry run has nothing to hand over");
	r = ictl_handoff_add(a->ctx, h, ICTL_HANDOFF_IOMMUFD, ictl_iommufd_fd(a->s), "iommufd", 0);
	for (size_t i = 0; !r && i < ictl_iommufd_count(a->s); i++) {
		const struct ictl_iommufd_obj *o = ictl_iommufd_obj(a->s, i);

		if (o->kind == ICTL_OBJ_DEVICE)
			r = ictl_handoff_add(a->ctx, h, ICTL_HANDOFF_DEVICE, o->fd, o->device, o->dev_id);
		else if (o->kind == ICTL_OBJ_FAULT || o->kind == ICTL_OBJ_VEVENTQ)
			r = ictl_handoff_add(a->ctx, h, ICTL_HANDOFF_QUEUE, o->fd, o->name, o->id);
	}
	if (!r)
		r = ictl_handoff_layout(a->ctx, h);
	if (!r)
		r = objects_env(a, &objs, &maps);
	if (!r && objs)
		r = ictl_handoff_setenv(a->ctx, h, "IOMMUCTL_OBJECTS", objs);
	if (!r && maps)
		r = ictl_handoff_setenv(a->ctx, h, "IOMMUCTL_MAPPINGS", maps);
	return r;
}
