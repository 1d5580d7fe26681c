// SPDX-License-Identifier: GPL-2.0-or-later
/* IO address spaces of a session: allocation, allowed ranges, mappings, options. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "iommufd-internal.h"

int ictl_ioas_alloc(struct ictl_iommufd *s, const char *name, uint32_t *ioas_id)
{
	struct ictl_iommu_ioas_alloc a = { .size = sizeof(a) };
	struct ictl_iommufd_obj *o;
	int r = iofd_obj_new(s, ICTL_OBJ_IOAS, name, &o);

	if (r < 0)
		return r;
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_ALLOC, &a);
	if (r < 0) {
		iofd_obj_drop(o);
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_ALLOC", NULL, "iommufd %d", s->fd);
	}
	iofd_obj_add(s, o, a.out_ioas_id);
	*ioas_id = a.out_ioas_id;
	return 0;
}

/* Once with the array's capacity; again, larger, if the kernel has more (EMSGSIZE). */
int ictl_ioas_iova_ranges(struct ictl_iommufd *s, uint32_t ioas_id,
			  struct ictl_iommu_iova_range **ranges, uint64_t *alignment)
{
	struct ictl_iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas_id };
	struct ictl_iommu_iova_range *v = NULL;
	char l[IOFD_LABEL_MAX];
	int r;

	*ranges = NULL;
	for (uint32_t cap = 8;; cap = q.num_iovas) {
		free(v);
		v = calloc(cap, sizeof(*v));
		if (!v)
			return ictl_err(s->ctx, ENOMEM, "IOMMU_IOAS_IOVA_RANGES: out of memory");
		q.num_iovas = cap;
		q.allowed_iovas = (uintptr_t)v;
		r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_IOVA_RANGES, &q);
		if (r != -EMSGSIZE)
			break;
	}
	if (r < 0) {
		free(v);
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_IOVA_RANGES", NULL, "%s",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)));
	}
	*ranges = v;
	if (alignment)
		*alignment = q.out_iova_alignment;
	return (int)q.num_iovas;
}

int ictl_ioas_allow_iovas(struct ictl_iommufd *s, uint32_t ioas_id,
			  const struct ictl_iommu_iova_range *ranges, uint32_t n)
{
	struct ictl_iommu_ioas_allow_iovas a = {
		.size = sizeof(a), .ioas_id = ioas_id, .num_iovas = n,
		.allowed_iovas = (uintptr_t)ranges,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_ALLOW_IOVAS, &a);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_ALLOW_IOVAS",
				  r == -EBUSY ? "a mapping lies outside the new ranges" : NULL,
				  "%s (%u ranges)", iofd_label(s, ioas_id, "ioas", l, sizeof(l)), n);
	return 0;
}

static const char *map_hint(int err, uint32_t flags)
{
	if (err == EEXIST)
		return "something is already mapped in that IOVA range";
	if (err == ENOSPC && (flags & ICTL_IOMMU_IOAS_MAP_FIXED_IOVA))
		return "the IOVA is not in the IOAS's allowed ranges (aperture or reserved region)";
	if (err == EINVAL)
		return "IOVA, address or length not aligned to the IOAS's page size, or length 0";
	return NULL;
}

int ictl_ioas_map(struct ictl_iommufd *s, uint32_t ioas_id, uint32_t flags, void *va,
		  uint64_t length, uint64_t *iova)
{
	struct ictl_iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id,
		.user_va = (uintptr_t)va, .length = length, .iova = *iova,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_MAP, &m);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_MAP", map_hint(-r, flags),
				  "%s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)), *iova, length);
	*iova = m.iova;
	return 0;
}

int ictl_ioas_map_file(struct ictl_iommufd *s, uint32_t ioas_id, uint32_t flags, int mfd,
		       uint64_t start, uint64_t length, uint64_t *iova)
{
	struct ictl_iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id, .fd = mfd,
		.start = start, .length = length, .iova = *iova,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_MAP_FILE, &m);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_MAP_FILE",
				  r == -ENOTTY ? "this kernel cannot map files (before 6.13)" :
						 map_hint(-r, flags),
				  "%s (fd %d, offset 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)), mfd, start, length);
	*iova = m.iova;
	return 0;
}

int ictl_ioas_copy(struct ictl_iommufd *s, uint32_t dst_ioas, uint32_t src_ioas, uint32_t flags,
		   uint64_t src_iova, uint64_t length, uint64_t *dst_iova)
{
	struct ictl_iommu_ioas_copy c = {
		.size = sizeof(c), .flags = flags, .dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas, .length = length, .dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	char a[IOFD_LABEL_MAX], b[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_COPY, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_COPY",
				  r == -ENOENT ? "no such IOAS, or nothing mapped at the source IOVA" :
						 map_hint(-r, flags),
				  "%s -> %s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, src_ioas, "ioas", a, sizeof(a)),
				  iofd_label(s, dst_ioas, "ioas", b, sizeof(b)), src_iova, length);
	*dst_iova = c.dst_iova;
	return 0;
}

int ictl_ioas_unmap(struct ictl_iommufd *s, uint32_t ioas_id, uint64_t iova, uint64_t length,
		    uint64_t *unmapped)
{
	struct ictl_iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas_id, .iova = iova, .length = length,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_UNMAP, &u);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_UNMAP",
				  r == -ENOENT ? "nothing is mapped there, or the range cuts a mapping" :
				  r == -EBUSY ? "a HW queue or an in-kernel user has the pages pinned" : NULL,
				  "%s (iova 0x%" PRIx64 ", length 0x%" PRIx64 ")",
				  iofd_label(s, ioas_id, "ioas", l, sizeof(l)), iova, length);
	if (unmapped)
		*unmapped = u.length;
	return 0;
}

int ictl_ioas_change_process(struct ictl_iommufd *s)
{
	struct ictl_iommu_ioas_change_process c = { .size = sizeof(c) };
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_IOAS_CHANGE_PROCESS, &c);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_IOAS_CHANGE_PROCESS",
				  r == -EINVAL ? "some memory is not mapped from a file (only MAP_FILE mappings can move)" : NULL,
				  "iommufd %d", s->fd);
	return 0;
}

int ictl_iommufd_option(struct ictl_iommufd *s, uint16_t op, uint32_t option_id,
			uint32_t object_id, uint64_t *val)
{
	struct ictl_iommu_option o = {
		.size = sizeof(o), .option_id = option_id, .op = op, .object_id = object_id,
		.val64 = op == ICTL_IOMMU_OPTION_OP_SET ? *val : 0,
	};
	char l[IOFD_LABEL_MAX];
	int r = iofd_ioctl(s, s->fd, ICTL_IOMMU_OPTION, &o);

	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_OPTION",
				  r == -EOPNOTSUPP ? "this kernel does not know the option or operation" : NULL,
				  "option %u of %s (%s)", option_id,
				  iofd_label(s, object_id, "object", l, sizeof(l)),
				  op == ICTL_IOMMU_OPTION_OP_SET ? "set" : "get");
	if (op == ICTL_IOMMU_OPTION_OP_GET)
		*val = o.val64;
	return 0;
}
