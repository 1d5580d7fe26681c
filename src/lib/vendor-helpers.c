// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the vendor files build with and what everyone reads: decoded
 * registers and their fields, capabilities, unit attributes.  Nothing here
 * looks a vendor up (that is vendor.c), so the vendor objects that call these
 * depend on nothing that depends on them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "vendor.h"

/* --- decoded registers ---------------------------------------------------------- */

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

/* --- capabilities --------------------------------------------------------------- */

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

/* --- checks against decoded registers ------------------------------------------- */

const char *ictl_hw_field_source(const struct ictl_hw_info *hi, const char *reg, const char *field,
				 char *buf, size_t len)
{
	const struct ictl_hw_field *f = ictl_hw_field_find(hi, reg, field);

	if (!f)
		snprintf(buf, len, "%s.%s", reg, field);
	else if (f->msb == f->lsb)
		snprintf(buf, len, "%s.%s (bit %u) = %llu", reg, field, f->lsb,
			 (unsigned long long)f->value);
	else
		snprintf(buf, len, "%s.%s (bits %u:%u) = %llu", reg, field, f->msb, f->lsb,
			 (unsigned long long)f->value);
	return buf;
}

int ictl_hw_need_field(struct ictl_ctx *ctx, const struct ictl_hw_info *hi, const char *reg,
		       const char *field, const char *what)
{
	const struct ictl_hw_field *f = ictl_hw_field_find(hi, reg, field);
	const char *rdesc = "";

	if (!f || f->value)
		return 0;
	for (size_t i = 0; i < hi->nregs; i++) {
		if (!strcmp(hi->regs[i].name, reg))
			rdesc = hi->regs[i].desc;
	}
	return ictl_err(ctx, EOPNOTSUPP, "%s needs %s.%s (%s), which is 0 on this IOMMU (%s)",
			what, reg, field, f->desc, rdesc);
}

/* --- unit attributes ------------------------------------------------------------ */

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
