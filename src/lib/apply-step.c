// SPDX-License-Identifier: GPL-2.0-or-later
/* The fields of the struct an apply step passes (apply-step.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apply-step.h"

void af_struct(struct ictl_apply_step *st, const char *strct)
{
	st->strct = strct;
}

static struct ictl_apply_field *slot(struct ictl_apply_step *st, const char *field)
{
	for (size_t i = 0; i < st->nfields; i++) {
		if (!strcmp(st->fields[i].name, field))
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
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

void af_u(struct ictl_apply_step *st, const char *field, uint64_t v)
{
	af(st, field, "%llu", (unsigned long long)v);
}

void af_x(struct ictl_apply_step *st, const char *field, uint64_t v)
{
	af(st, field, "%#llx", (unsigned long long)v);
}

void af_out(struct ictl_apply_step *st, const char *field)
{
	af(st, field, "(out)");
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

/* flags as "0xN (A|B)" from names by bit. */
static void flag_names(struct ictl_apply_step *st, const char *field, uint32_t flags,
		       const char *const *names, unsigned int n)
{
	char buf[120];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "%#x", flags);
	const char *sep = " (";

	for (unsigned int b = 0; b < n && off < sizeof(buf); b++) {
		if (!(flags & 1u << b) || !names[b])
			continue;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", sep, names[b]);
		sep = "|";
	}
	if (flags && off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, ")");
	af(st, field, "%s", buf);
}

void af_map_flags(struct ictl_apply_step *st, uint32_t flags)
{
	static const char *const names[] = { "FIXED_IOVA", "WRITEABLE", "READABLE" };

	flag_names(st, "flags", flags, names, 3);
}

void af_hwpt_flags(struct ictl_apply_step *st, uint32_t flags)
{
	static const char *const names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
					     "PASID" };

	flag_names(st, "flags", flags, names, 4);
}
