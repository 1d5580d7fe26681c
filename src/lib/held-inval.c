// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Invalidation requests from words (see held.h): each type's entries are
 * parsed and checked here, before IOMMU_HWPT_INVALIDATE is issued, so that a
 * bad entry is named by us rather than refused by the kernel as EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"
#include "internal.h"

/* The mock's caches: IOTLB entries of a nested HWPT, cache entries of a device (0..3). */
#define MOCK_IOTLB_ID_MAX ICTL_MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
#define MOCK_DEV_CACHE_ID_MAX 3

static const char *const type_names[ICTL_INVAL_TYPE_COUNT] = {
	[ICTL_INVAL_SELFTEST] = "selftest",
	[ICTL_INVAL_SELFTEST_VIOMMU] = "selftest-viommu",
	[ICTL_INVAL_VTD] = "intel-vtd",
	[ICTL_INVAL_SMMUV3] = "arm-smmuv3",
};

const char *ictl_inval_type_name(enum ictl_inval_type t)
{
	return (unsigned int)t < ICTL_INVAL_TYPE_COUNT ? type_names[t] : "unknown";
}

int ictl_inval_type_parse(const char *name, enum ictl_inval_type *out)
{
	for (unsigned int i = 0; i < ICTL_INVAL_TYPE_COUNT; i++) {
		if (!strcmp(name, type_names[i])) {
			*out = (enum ictl_inval_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

int ictl_inval_type_for(enum ictl_obj_kind kind, uint32_t type, enum ictl_inval_type *out)
{
	if (kind == ICTL_OBJ_HWPT_NESTED && type == ICTL_IOMMU_HWPT_DATA_SELFTEST)
		*out = ICTL_INVAL_SELFTEST;
	else if (kind == ICTL_OBJ_HWPT_NESTED && type == ICTL_IOMMU_HWPT_DATA_VTD_S1)
		*out = ICTL_INVAL_VTD;
	else if (kind == ICTL_OBJ_VIOMMU && type == ICTL_IOMMU_VIOMMU_TYPE_SELFTEST)
		*out = ICTL_INVAL_SELFTEST_VIOMMU;
	else if (kind == ICTL_OBJ_VIOMMU && type == ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		*out = ICTL_INVAL_SMMUV3;
	else
		return -EOPNOTSUPP;
	return 0;
}

/* "key=value" items of one entry, comma-separated; a bare word is a flag. */
struct item {
	const char *key, *val;	/* val NULL: a flag */
};

static size_t items(char *s, struct item *v, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');

		v[n].key = tok;
		v[n].val = eq ? eq + 1 : NULL;
		if (eq)
			*eq = '\0';
		n++;
	}
	return n;
}

static int num(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

struct ictx {
	struct ictl_ctx *ctx;
	size_t i;		/* the entry, from 1 */
	const char *arg;
};

static int bad(struct ictx *c, const char *what)
{
	return ictl_err(c->ctx, EINVAL, "invalidation entry %zu '%.60s': %s", c->i, c->arg, what);
}

static int selftest(struct ictx *c, struct item *it, size_t n, struct ictl_iommu_hwpt_invalidate_selftest *e)
{
	uint64_t v;

	if (n == 1 && !strcmp(it[0].key, "all") && !it[0].val) {
		e->flags = ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL;
		return 0;
	}
	if (n != 1 || strcmp(it[0].key, "iotlb") || num(it[0].val, &v))
		return bad(c, "give 'all' or 'iotlb=N'");
	if (v > MOCK_IOTLB_ID_MAX)
		return bad(c, "the mock's IOTLB entries are 0 to 3");
	e->iotlb_id = (uint32_t)v;
	return 0;
}

static int selftest_viommu(struct ictx *c, struct item *it, size_t n,
			   struct ictl_iommu_viommu_invalidate_selftest *e)
{
	uint64_t v;
	bool vdev = false, what = false;

	for (size_t k = 0; k < n; k++) {
		if (!strcmp(it[k].key, "vdev") && !num(it[k].val, &v) && v <= UINT32_MAX && !vdev) {
			e->vdev_id = (uint32_t)v;
			vdev = true;
		} else if (!strcmp(it[k].key, "cache") && !num(it[k].val, &v) && !what) {
			if (v > MOCK_DEV_CACHE_ID_MAX)
				return bad(c, "the mock device's cache entries are 0 to 3");
			e->cache_id = (uint32_t)v;
			what = true;
		} else if (!strcmp(it[k].key, "all") && !it[k].val && !what) {
			e->flags = ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL;
			what = true;
		} else {
			return bad(c, "give 'vdev=VIRT_ID,cache=N' or 'vdev=VIRT_ID,all'");
		}
	}
	if (!vdev || !what)
		return bad(c, "give 'vdev=VIRT_ID,cache=N' or 'vdev=VIRT_ID,all'");
	return 0;
}

static int vtd(struct ictx *c, struct item *it, size_t n, struct ictl_iommu_hwpt_vtd_s1_invalidate *e)
{
	bool addr = false, np = false;
	uint64_t v;

	if (n == 1 && !strcmp(it[0].key, "all") && !it[0].val) {
		e->npages = UINT64_MAX;		/* addr 0, npages all: the whole stage 1 */
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		if (!strcmp(it[k].key, "addr") && !num(it[k].val, &v) && !addr) {
			if (v & 0xfff)
				return bad(c, "addr must be 4 KiB aligned");
			e->addr = v;
			addr = true;
		} else if (!strcmp(it[k].key, "npages") && !num(it[k].val, &v) && !np) {
			if (!v)
				return bad(c, "npages must be at least 1");
			e->npages = v;
			np = true;
		} else if (!strcmp(it[k].key, "leaf") && !it[k].val) {
			e->flags |= ICTL_IOMMU_VTD_INV_FLAGS_LEAF;
		} else {
			return bad(c, "give 'addr=A,npages=N[,leaf]' or 'all'");
		}
	}
	if (!addr || !np)
		return bad(c, "give 'addr=A,npages=N[,leaf]' or 'all'");
	if (e->npages != UINT64_MAX && (e->npages > (UINT64_MAX >> 12) ||
					e->addr + (e->npages << 12) - 1 < e->addr))
		return bad(c, "addr + npages pages is past the end of the address space");
	return 0;
}

static int smmuv3(struct ictx *c, char *arg, struct ictl_iommu_viommu_arm_smmuv3_invalidate *e)
{
	char *colon = strchr(arg, ':');
	uint64_t w0, w1;

	if (!colon)
		return bad(c, "give two 64-bit command words, 'CMD0:CMD1' (hex)");
	*colon = '\0';
	if (num(arg, &w0) || num(colon + 1, &w1))
		return bad(c, "give two 64-bit command words, 'CMD0:CMD1' (hex)");
	/* little-endian in memory, as the command queue holds them */
	for (int b = 0; b < 8; b++) {
		((uint8_t *)&e->cmd[0])[b] = (uint8_t)(w0 >> (8 * b));
		((uint8_t *)&e->cmd[1])[b] = (uint8_t)(w1 >> (8 * b));
	}
	return 0;
}

static const struct {
	uint32_t data_type, entry_len;
} layout[ICTL_INVAL_TYPE_COUNT] = {
	[ICTL_INVAL_SELFTEST] = { ICTL_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				  sizeof(struct ictl_iommu_hwpt_invalidate_selftest) },
	[ICTL_INVAL_SELFTEST_VIOMMU] = { ICTL_IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
					 sizeof(struct ictl_iommu_viommu_invalidate_selftest) },
	[ICTL_INVAL_VTD] = { ICTL_IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
			     sizeof(struct ictl_iommu_hwpt_vtd_s1_invalidate) },
	[ICTL_INVAL_SMMUV3] = { ICTL_IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
				sizeof(struct ictl_iommu_viommu_arm_smmuv3_invalidate) },
};

static int one(struct ictx *c, enum ictl_inval_type t, void *e)
{
	_cleanup_free_ char *copy = strdup(c->arg);
	struct item it[8];
	size_t n;

	if (!copy)
		return ictl_err(c->ctx, ENOMEM, "invalidation: out of memory");
	if (t == ICTL_INVAL_SMMUV3)
		return smmuv3(c, copy, e);
	n = items(copy, it, ARRAY_SIZE(it));
	switch (t) {
	case ICTL_INVAL_SELFTEST:
		return selftest(c, it, n, e);
	case ICTL_INVAL_SELFTEST_VIOMMU:
		return selftest_viommu(c, it, n, e);
	case ICTL_INVAL_VTD:
		return vtd(c, it, n, e);
	default:
		return bad(c, "no such invalidation type");
	}
}

int ictl_inval_parse(struct ictl_ctx *ctx, enum ictl_inval_type t, char *const *args, size_t n,
		     struct ictl_inval *out)
{
	struct ictx c = { .ctx = ctx };

	memset(out, 0, sizeof(*out));
	if ((unsigned int)t >= ICTL_INVAL_TYPE_COUNT)
		return ictl_err(ctx, EINVAL, "invalidation type %d: unknown", (int)t);
	if (!n || n > ICTL_INVAL_MAX)
		return ictl_err(ctx, EINVAL, "%zu invalidation entries: give 1 to %d", n, ICTL_INVAL_MAX);
	out->type = t;
	out->data_type = layout[t].data_type;
	out->entry_len = layout[t].entry_len;
	out->entries = calloc(n, out->entry_len);
	if (!out->entries)
		return ictl_err(ctx, ENOMEM, "invalidation: out of memory");
	for (size_t i = 0; i < n; i++) {
		int r;

		c.i = i + 1;
		c.arg = args[i];
		r = one(&c, t, (uint8_t *)out->entries + i * out->entry_len);
		if (r < 0) {
			ictl_inval_clear(out);
			return r;
		}
	}
	out->n = (uint32_t)n;
	return 0;
}

void ictl_inval_clear(struct ictl_inval *inv)
{
	free(inv->entries);
	memset(inv, 0, sizeof(*inv));
}
