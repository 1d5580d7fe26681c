// SPDX-License-Identifier: GPL-2.0-or-later
/* The plain static table of IOMMU types, and helpers the vendor files share. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "vendor.h"

/*
 * Every IOMMU type iommuctl knows, in the kernel's hw_info type order (the
 * messages list the types in this order).  Units found in sysfs are tried in
 * this order too; their match()es are disjoint.
 */
const struct ictl_vendor_entry ictl_vendor_table[] = {
	{ &ictl_vendor_intel, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	{ &ictl_vendor_arm_smmuv3, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	/* An SMMUv3 extension: no unit of its own, the SMMUv3 it extends is the unit. */
	{ &ictl_vendor_tegra241, ICTL_VENDOR_HW_INFO },
	{ &ictl_vendor_amd, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	/* No hw_info of its own (IOMMU_HW_INFO_TYPE_NONE). */
	{ &ictl_vendor_virtio, ICTL_VENDOR_UNITS },
	/* The kernel's mock (CONFIG_IOMMUFD_TEST). */
	{ &ictl_vendor_selftest, ICTL_VENDOR_UNITS | ICTL_VENDOR_HW_INFO },
	{ NULL, 0 }
};

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

int ictl_hw_add_reg(struct ictl_hw_info *out, const char *name, const char *desc,
		    unsigned int width, uint64_t value, const struct ictl_field_desc *fields)
{
	struct ictl_hw_reg *reg = array_push(&out->regs, &out->nregs, sizeof(*out->regs));
	size_t n = 0;

	if (!reg)
		return -ENOMEM;
	reg->name = name;
	reg->desc = desc;
	reg->width = width;
	reg->value = value;
	while (fields && fields[n].name)
		n++;
	reg->fields = calloc(n ? n : 1, sizeof(*reg->fields));
	if (!reg->fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ictl_field_desc *fd = &fields[i];
		struct ictl_hw_field *f = &reg->fields[i];
		unsigned int bits = fd->msb - fd->lsb + 1u;

		f->name = fd->name;
		f->desc = fd->desc;
		f->msb = fd->msb;
		f->lsb = fd->lsb;
		f->value = (value >> fd->lsb) & (bits >= 64 ? ~0ULL : (1ULL << bits) - 1);
		if (fd->meaning)
			fd->meaning(f->value, f->meaning, sizeof(f->meaning));
	}
	reg->nfields = n;
	return 0;
}

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
	int r;

	memset(out, 0, sizeof(*out));
	out->type = type;
	if (!v || !v->decode_hw_info)
		return ictl_err(ctx, EOPNOTSUPP,
				"hw_info type %u is not one iommuctl decodes (known: intel-vtd, arm-smmu-v3, tegra241-cmdqv, amd-vi, selftest)",
				type);
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
	char *end;
	unsigned long n;

	if (v && v->decode_hw_info) {
		*type = v->hw_info_type;
		return 0;
	}
	errno = 0;
	n = strtoul(s, &end, 0);
	if (!errno && end != s && !*end && n <= UINT32_MAX && ictl_vendor_by_hw_info_type((uint32_t)n)) {
		*type = (uint32_t)n;
		return 0;
	}
	return ictl_err(ctx, EINVAL,
			"unknown hw_info type '%.32s': give intel-vtd, arm-smmu-v3, tegra241-cmdqv, amd-vi or selftest",
			s);
}

const struct ictl_hw_field *ictl_hw_field_find(const struct ictl_hw_info *hi, const char *reg,
					       const char *field)
{
	for (size_t i = 0; i < hi->nregs; i++) {
		if (strcmp(hi->regs[i].name, reg))
			continue;
		for (size_t k = 0; k < hi->regs[i].nfields; k++) {
			if (!strcmp(hi->regs[i].fields[k].name, field))
				return &hi->regs[i].fields[k];
		}
	}
	return NULL;
}

int ictl_hw_info_field(const struct ictl_hw_info *hi, const char *reg, const char *field,
		       uint64_t *value)
{
	const struct ictl_hw_field *f = ictl_hw_field_find(hi, reg, field);

	if (!f)
		return -ENOENT;
	*value = f->value;
	return 0;
}

const struct ictl_vendor_ops *ictl_vendor_for_unit(struct ictl_ctx *ctx, const char *name,
						   const char *path)
{
	for (const struct ictl_vendor_entry *e = ictl_vendor_table; e->ops; e++) {
		if ((e->flags & ICTL_VENDOR_UNITS) && e->ops->match(ctx, name, path))
			return e->ops;
	}
	return &ictl_vendor_unknown;
}

void ictl_unit_set_attr(struct ictl_unit *u, const char *name, const char *value)
{
	if (u->nattrs >= ICTL_UNIT_ATTRS_MAX)
		return;
	u->attrs[u->nattrs].name = name;
	str_copy(u->attrs[u->nattrs].value, value, sizeof(u->attrs[0].value));
	u->nattrs++;
}

void ictl_unit_add_attr(struct ictl_ctx *ctx, struct ictl_unit *u, const char *name,
			const char *file, enum ictl_attr_fmt fmt)
{
	char p[PATH_MAX], buf[64];
	uint64_t v;

	if (path_fmt(p, sizeof(p), "%s/%s", u->path, file) ||
	    sysfs_read_str(ctx, p, buf, sizeof(buf)) < 0)
		return;
	if (fmt == ICTL_ATTR_HEX && parse_hex_u64(buf, &v) == 0)
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	ictl_unit_set_attr(u, name, buf);
}

const struct ictl_vendor_ops ictl_vendor_unknown = {
	.kind = "unknown",
	.description = "IOMMU of a type iommuctl does not know",
};

static const char *const cap_names[ICTL_CAP_COUNT] = {
	[ICTL_CAP_PAGING] = "paging",
	[ICTL_CAP_NEST_PARENT] = "nest-parent",
	[ICTL_CAP_NESTED_S1] = "nested-stage1",
	[ICTL_CAP_DIRTY] = "dirty-tracking",
	[ICTL_CAP_PASID] = "pasid",
	[ICTL_CAP_ATS] = "ats",
	[ICTL_CAP_PAGE_SIZES] = "page-sizes",
};

const char *ictl_cap_name(enum ictl_cap_id id)
{
	return id < ICTL_CAP_COUNT ? cap_names[id] : "unknown";
}

void ictl_cap_set(struct ictl_caps *caps, enum ictl_cap_id id, bool hw, const char *source,
		  const char *detail_fmt, ...)
{
	struct ictl_cap *c = &caps->cap[id];
	va_list ap;

	c->hw = hw ? ICTL_YES : ICTL_NO;
	str_copy(c->source, source, sizeof(c->source));
	va_start(ap, detail_fmt);
	vsnprintf(c->detail, sizeof(c->detail), detail_fmt, ap);
	va_end(ap);
}

uint64_t ictl_cap_from_field(struct ictl_caps *caps, enum ictl_cap_id id,
			     const struct ictl_hw_info *hi, const char *reg, const char *field)
{
	const struct ictl_hw_field *f = ictl_hw_field_find(hi, reg, field);
	char src[96];

	if (!f)
		return 0;
	if (f->msb == f->lsb)
		snprintf(src, sizeof(src), "%s.%s (bit %u)", reg, field, f->lsb);
	else
		snprintf(src, sizeof(src), "%s.%s (bits %u:%u)", reg, field, f->msb, f->lsb);
	ictl_cap_set(caps, id, f->value != 0, src, "%s", f->meaning);
	return f->value;
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
	v->caps(hi, caps);
	return 0;
}
