// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the page-table formats and the engine share, below both: permissions in
 * words, the rules' names, a format's geometry and the message for a bad
 * parameter.  It refers to no format (pt-core.c holds their table).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pt-internal.h"

const char *ictl_pt_perms_str(unsigned int perms, char *buf)
{
	buf[0] = perms & ICTL_PT_R ? 'r' : '-';
	buf[1] = perms & ICTL_PT_W ? 'w' : '-';
	buf[2] = perms & ICTL_PT_X ? 'x' : '-';
	buf[3] = perms & ICTL_PT_PRIV ? 'p' : '\0';
	buf[4] = '\0';
	return buf;
}

int ictl_pt_perms_parse(const char *s, unsigned int *perms)
{
	static const char letters[] = "rwxp";
	unsigned int p = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		const char *c = strchr(letters, *s);

		if (!c || (p & (1u << (c - letters))))
			return -EINVAL;
		p |= 1u << (c - letters);
	}
	*perms = p;
	return 0;
}

/* --- rules -------------------------------------------------------------------------- */

static const struct {
	const char *name, *desc;
} rules[ICTL_PT_RULE_COUNT] = {
	[ICTL_PT_RULE_MISSING] = { "missing", "a mapping that was asked for is not in the table" },
	[ICTL_PT_RULE_EXTRA] = { "extra", "the table maps IOVAs no mapping asks for" },
	[ICTL_PT_RULE_PHYS] = { "phys", "mapped to another physical address than asked" },
	[ICTL_PT_RULE_PERMS] = { "perms", "mapped with other permissions than asked" },
	[ICTL_PT_RULE_SIZE] = { "size", "mapped with another page size than asked" },
	[ICTL_PT_RULE_RESERVED] = { "reserved", "reserved bits of an entry are set" },
	[ICTL_PT_RULE_INVALID] = { "invalid", "an entry encoding this level does not allow" },
	[ICTL_PT_RULE_UNREADABLE] = { "unreadable",
				      "a table lies outside the memory that was given" },
	[ICTL_PT_RULE_MISALIGNED] = { "misaligned", "a table is not aligned to its size" },
	[ICTL_PT_RULE_LOOP] = { "loop", "a table is reached a second time" },
	[ICTL_PT_RULE_REPLICA] = { "replica", "the entries of one large page disagree" },
	[ICTL_PT_RULE_CONTIGUOUS] = { "contiguous",
				      "the contiguous hint is set on entries that are not" },
	[ICTL_PT_RULE_ACCESS_FLAG] = { "access-flag",
				       "access flag clear: the first access faults" },
	[ICTL_PT_RULE_RESV_REGION] = { "reserved-region", "mapped inside a reserved region" },
	[ICTL_PT_RULE_HW_FORMAT] = { "hw-format", "the hardware does not walk this format" },
	[ICTL_PT_RULE_HW_PAGE_SIZE] = { "hw-page-size",
					"a page size the hardware does not support" },
	[ICTL_PT_RULE_HW_ADDRESS] = { "hw-address-width", "an address wider than the hardware's" },
};

const char *ictl_pt_rule_name(enum ictl_pt_rule r)
{
	return r < ICTL_PT_RULE_COUNT ? rules[r].name : "?";
}

const char *ictl_pt_rule_desc(enum ictl_pt_rule r)
{
	return r < ICTL_PT_RULE_COUNT ? rules[r].desc : "?";
}

/* --- formats and their parameters ------------------------------------------------- */

void pt_geometry(struct ictl_pt_cfg *cfg, unsigned int granule, unsigned int bpl,
		 unsigned int levels, unsigned int ias)
{
	cfg->granule = granule;
	cfg->levels = levels;
	cfg->ias = ias;
	for (unsigned int h = 1; h <= levels; h++) {
		cfg->shift[h] = (uint8_t)(granule + (h - 1) * bpl);
		cfg->bits[h] = (uint8_t)(h < levels ? bpl : ias - cfg->shift[h]);
	}
}

int pt_bad_param(struct ictl_ctx *ctx, const char *fmt, const char *key, int value,
		 const char *allowed)
{
	return ictl_err(ctx, EINVAL, "format %s: %s=%d is not allowed: give %s", fmt, key, value,
			allowed);
}
