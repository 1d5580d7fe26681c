// SPDX-License-Identifier: GPL-2.0-or-later
/* The fields of the struct an apply step passes (apply-step.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apply-step.h"
#include "internal.h"

void af_struct(struct ictl_apply_step *st, const char *strct)
{
	st->strct = strct;
}

static struct ictl_apply_field *slot(struct ictl_apply_step *st, const char *field)
{
	for (size_t i = 0; i < st->nfields; i++) {
		/* (the names are literals: the same pointer, mostly) */
		if (st->fields[i].name == field ||
		    (st->fields[i].name[0] == field[0] && !strcmp(st->fields[i].name, field)))
			return &st->fields[i];
	}
	if (st->nfields == ICTL_APPLY_FIELDS_MAX)
		return NULL;
	st->fields[st->nfields].name = field;
	return &st->fields[st->nfields++];
}

void af(struct ictl_apply_step *st, const char *field, const char *fmt, ...)
{
	struct ictl_apply_field *f = slot(st, field);
	va_list ap;

	if (!f)
		return;
	f->kind = ICTL_AF_TEXT;
	va_start(ap, fmt);
	str_vfmt(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

static void af_num(struct ictl_apply_step *st, const char *field, enum ictl_apply_field_kind kind,
		   uint64_t v)
{
	struct ictl_apply_field *f = slot(st, field);

	if (!f)
		return;
	f->kind = kind;
	f->num = v;
}

void af_u(struct ictl_apply_step *st, const char *field, uint64_t v)
{
	af_num(st, field, ICTL_AF_DEC, v);
}

void af_x(struct ictl_apply_step *st, const char *field, uint64_t v)
{
	af_num(st, field, ICTL_AF_HEX, v);
}

void af_out(struct ictl_apply_step *st, const char *field)
{
	af_num(st, field, ICTL_AF_OUT, 0);
}

void af_id(bool dry_run, struct ictl_apply_step *st, const char *field, uint32_t id,
	   const char *kind, const char *name)
{
	if (!dry_run && id)
		af_u(st, field, id);
	else if (name && name[0])
		af(st, field, "<%s '%s'>", kind, name);
	else
		af(st, field, "<%s>", kind);
}

static const char *const map_flag_names[] = { "FIXED_IOVA", "WRITEABLE", "READABLE" };
static const char *const hwpt_flag_names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
						"PASID" };

/* flags as "0xN (A|B)" from names by bit. */
static const char *flag_names(char *buf, size_t len, uint64_t flags, const char *const *names,
			      unsigned int n)
{
	size_t off = (size_t)str_fmt(buf, len, "%#llx", (unsigned long long)flags);
	const char *sep = " (";

	for (unsigned int b = 0; b < n && off < len; b++) {
		if (!(flags & 1u << b) || !names[b])
			continue;
		off += (size_t)str_fmt(buf + off, len - off, "%s%s", sep, names[b]);
		sep = "|";
	}
	if (flags && off < len)
		str_fmt(buf + off, len - off, ")");
	return buf;
}

void af_map_flags(struct ictl_apply_step *st, uint32_t flags)
{
	af_num(st, "flags", ICTL_AF_MAP_FLAGS, flags);
}

void af_hwpt_flags(struct ictl_apply_step *st, uint32_t flags)
{
	af_num(st, "flags", ICTL_AF_HWPT_FLAGS, flags);
}

const char *ictl_apply_field_text(const struct ictl_apply_field *f, char *buf, size_t len)
{
	switch (f->kind) {
	case ICTL_AF_DEC:
		str_fmt(buf, len, "%llu", (unsigned long long)f->num);
		return buf;
	case ICTL_AF_HEX:
		str_fmt(buf, len, "%#llx", (unsigned long long)f->num);
		return buf;
	case ICTL_AF_OUT:
		return "(out)";
	case ICTL_AF_MAP_FLAGS:
		return flag_names(buf, len, f->num, map_flag_names, 3);
	case ICTL_AF_HWPT_FLAGS:
		return flag_names(buf, len, f->num, hwpt_flag_names, 4);
	default:
		return f->value;
	}
}
