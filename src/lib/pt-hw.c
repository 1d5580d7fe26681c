// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a unit's hardware walks, for checks: the vendor's pt_formats()
 * (vendor.h) read for the format and depth of a table.
 */
#include <errno.h>
#include <string.h>

#include "pt-internal.h"
#include "vendor.h"

/* Does the vendor's entry describe cfg's format at its depth and granule? */
static bool same_format(const struct ictl_pt_format *f, const struct ictl_pt_cfg *cfg)
{
	if (strcmp(f->name, cfg->fmt->name))
		return false;
	if (!strcmp(f->name, "arm-lpae-s1"))
		return (f->page_sizes & (1ull << cfg->granule)) && (!f->ias || cfg->ias <= f->ias);
	if (!strcmp(f->name, "amd-v1"))
		return cfg->levels <= f->levels;
	return f->levels == cfg->levels;
}

int ictl_pt_hw_from_info(struct ictl_ctx *ctx, const struct ictl_hw_info *hi,
			 const struct ictl_pt_cfg *cfg, struct ictl_pt_hw *hw)
{
	const struct ictl_vendor_ops *v = ictl_vendor_by_hw_info_type(hi->type);
	struct ictl_pt_format f[16];
	char names[128] = "";
	int n;

	memset(hw, 0, sizeof(*hw));
	if (!v)
		return ictl_err(ctx, EOPNOTSUPP, "hw_info type %u is not one iommuctl knows",
				hi->type);
	if (!v->pt_formats)
		return 0;
	n = v->pt_formats(hi, f, ARRAY_SIZE(f));
	if (n < 0)
		return ictl_err(ctx, -n, "%s: cannot tell its page-table formats", v->kind);
	hw->known = true;
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(f); i++) {
		if (!same_format(&f[i], cfg)) {
			size_t len = strlen(names);

			snprintf(names + len, sizeof(names) - len, "%s%s/%u", len ? ", " : "",
				 f[i].name, f[i].levels);
			continue;
		}
		hw->walks = true;
		hw->page_sizes = f[i].page_sizes;
		hw->ias = f[i].ias;
		hw->oas = f[i].oas;
		snprintf(hw->source, sizeof(hw->source), "%s", f[i].source);
		return 0;
	}
	snprintf(hw->source, sizeof(hw->source), "%s walks %s", v->kind,
		 names[0] ? names : "no page-table format iommuctl knows");
	return 0;
}
