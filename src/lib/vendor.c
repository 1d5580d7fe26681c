// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The library's side of the vendor table: find a vendor (by kind, by hw_info
 * type, for a sysfs unit), and what is done through one: hw_info decode, type
 * names and capabilities from hw_info.  The only file in src/lib that looks
 * through ictl_vendor_table[] (vendor.h says why).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vendor.h"

const struct ictl_vendor_ops *ictl_vendor_by_hw_info_type(uint32_t type)
{
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		if ((e->flags & ICTL_VENDOR_HW_INFO) && e->ops->hw_info_type == type)
			return e->ops;
	}
	return NULL;
}

const struct ictl_vendor_ops *ictl_vendor_by_kind(const char *kind)
{
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		if (!strcmp(e->ops->kind, kind))
			return e->ops;
	}
	return NULL;
}

const struct ictl_vendor_ops ictl_vendor_unknown = {
	.kind = "unknown",
	.description = "IOMMU of a type iommuctl does not know",
};

const struct ictl_vendor_ops *ictl_vendor_for_unit(struct ictl_ctx *ctx, const char *name,
						   const char *path)
{
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		if ((e->flags & ICTL_VENDOR_UNITS) && e->ops->match(ctx, name, path))
			return e->ops;
	}
	return &ictl_vendor_unknown;
}

/* The kinds that have an hw_info type, in table order: "a, b<last>c". */
static const char *hw_info_kinds(char *buf, size_t len, const char *last)
{
	size_t n = 0, i = 0, at = 0;

	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++)
		n += !!(e->flags & ICTL_VENDOR_HW_INFO);
	buf[0] = '\0';
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		const char *sep = i == 0 ? "" : i + 1 < n ? ", " : last;

		if (!(e->flags & ICTL_VENDOR_HW_INFO) || at >= len)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, e->ops->kind);
		i++;
	}
	return buf;
}

/* --- hw_info decode ------------------------------------------------------------ */

void ictl_hw_info_clear(struct ictl_hw_info *hi)
{
	for (size_t i = 0; i < hi->nregs; i++)
		free(hi->regs[i].fields);
	free(hi->regs);
	memset(hi, 0, sizeof(*hi));
}

int ictl_hw_info_decode(struct ictl_ctx *ctx, uint32_t type, const void *data, size_t len,
			struct ictl_hw_info *out)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_hw_info_type(type);
	char known[160];
	int r;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->rc_canwbs = ICTL_UNKNOWN;
	if (!v || !v->decode_hw_info)
		return ictl_err(ctx, EOPNOTSUPP,
				"hw_info type %u is not one iommuctl decodes (known: %s)", type,
				hw_info_kinds(known, sizeof(known), ", "));
	out->kind = v->kind;
	if (len < v->hw_info_size)
		return ictl_err(ctx, EINVAL,
				"%s hw_info data is %zu bytes, shorter than its %zu-byte structure",
				v->kind, len, v->hw_info_size);
	out->raw_len = len < sizeof(out->raw) ? len : sizeof(out->raw);
	memcpy(out->raw, data, out->raw_len);
	r = v->decode_hw_info(ctx, data, len, out);
	if (r < 0)
		ictl_hw_info_clear(out);
	return r;
}

const char *ictl_hw_info_type_name(uint32_t type)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_hw_info_type(type);

	return type == 0 ? "none" : v ? v->kind : "unknown";
}

int ictl_hw_info_type_parse(struct ictl_ctx *ctx, const char *s, uint32_t *type)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_kind(s);
	char known[160];
	char *end;
	unsigned long n;

	/* A kind that names a type iommuctl decodes (virtio-iommu has none). */
	if (v && ictl_vendor_by_hw_info_type(v->hw_info_type) == v) {
		*type = v->hw_info_type;
		return 0;
	}
	errno = 0;
	n = strtoul(s, &end, 0);
	if (!errno && end != s && !*end && n <= UINT32_MAX && ictl_vendor_by_hw_info_type((uint32_t)n)) {
		*type = (uint32_t)n;
		return 0;
	}
	return ictl_err(ctx, EINVAL, "unknown hw_info type '%.32s': give %s", s,
			hw_info_kinds(known, sizeof(known), " or "));
}

/* --- capabilities ------------------------------------------------------------- */

static const char *const cap_names[ICTL_CAP_COUNT] = {
	[ICTL_CAP_PAGING] = "paging",
	[ICTL_CAP_NEST_PARENT] = "nest-parent",
	[ICTL_CAP_NESTED_S1] = "nested-stage1",
	[ICTL_CAP_DIRTY] = "dirty-tracking",
	[ICTL_CAP_PASID] = "pasid",
	[ICTL_CAP_ATS] = "ats",
	[ICTL_CAP_PAGE_SIZES] = "page-sizes",
	[ICTL_CAP_VIOMMU] = "viommu",
};

const char *ictl_cap_name(enum ictl_cap_id id)
{
	return id < ICTL_CAP_COUNT ? cap_names[id] : "unknown";
}

int ictl_caps_from_hw_info(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
			   struct ictl_caps *caps)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_hw_info_type(hi->type);

	for (int i = 0; i < ICTL_CAP_COUNT; i++)
		caps->cap[i] = (struct ictl_cap){ .hw = ICTL_UNKNOWN, .kernel = ICTL_UNKNOWN };
	if (!v || !v->caps)
		return ictl_err(ctx, EOPNOTSUPP, "iommuctl cannot read capabilities from %s registers",
				hi->kind ? hi->kind : "these");
	if (!v->viommu_type)
		ictl_cap_set(caps, ICTL_CAP_VIOMMU, false, "IOMMU_VIOMMU_TYPE_* (the kernel's uAPI)",
			     "the uAPI has no vIOMMU type for %s", v->kind);
	v->caps(hi, caps);
	return 0;
}
