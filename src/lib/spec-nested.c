// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: a nested HWPT's `data:`, the guest's stage-1 description.  The
 * library knows the kernel's type numbers; the vendor that owns a type builds
 * its structure (nested_data_build in src/vendors/) with the readers here,
 * each of which names the key, its line and column when it is wrong.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"
#include "vendor.h"

/* IOMMU_HWPT_DATA_*: the vendors' names and, for people who think in units, the unit's. */
const struct spec_word spec_data_types[] = {
	{ "intel-vtd", ICTL_IOMMU_HWPT_DATA_VTD_S1 },
	{ "arm-smmuv3", ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3 },
	{ "amd-guest", ICTL_IOMMU_HWPT_DATA_AMD_GUEST },
	{ "selftest", ICTL_IOMMU_HWPT_DATA_SELFTEST },
	{ "arm-smmu-v3", ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3 },
	{ "amd-vi", ICTL_IOMMU_HWPT_DATA_AMD_GUEST },
	{ NULL, 0 }
};

const struct spec_word spec_viommu_types[] = {
	{ "arm-smmuv3", ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3 },
	{ "tegra241-cmdqv", ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV },
	{ "selftest", ICTL_IOMMU_VIOMMU_TYPE_SELFTEST },
	{ NULL, 0 }
};

const struct spec_word spec_veventq_types[] = {
	{ "arm-smmuv3", ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 },
	{ "tegra241-cmdqv", ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV },
	{ "selftest", ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST },
	{ NULL, 0 }
};

/* --- the readers the vendors use ---------------------------------------------------- */

static const struct ictl_nested_kv *find(const struct ictl_nested_spec *ns, const char *key)
{
	for (size_t i = 0; i < ns->nkv; i++) {
		if (!strcmp(ns->kv[i].key, key))
			return &ns->kv[i];
	}
	return NULL;
}

bool ictl_nested_has(const struct ictl_nested_spec *ns, const char *key)
{
	return find(ns, key) != NULL;
}

/* An error at pos, with the data's path and key. */
static int err_at(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, struct ictl_spec_pos pos,
		  const char *key, const char *msg)
{
	char path[96];

	snprintf(path, sizeof(path), "%s%s%s", ns->path, key ? "." : "", key ? key : "");
	if (ns->spec)
		return spec_err(ctx, ns->spec, pos, path, "%s", msg);
	return ictl_err(ctx, EINVAL, "%s:%u:%u: %s: %s", ns->file ? ns->file : "spec", pos.line,
			pos.column, path, msg);
}

int ictl_nested_err(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		    const char *fmt, ...)
{
	const struct ictl_nested_kv *kv = key ? find(ns, key) : NULL;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(ctx, ns, kv ? kv->items[0].pos : ns->pos, kv ? key : NULL, msg);
}

int ictl_nested_err_item(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
			 size_t item, const char *fmt, ...)
{
	const struct ictl_nested_kv *kv = find(ns, key);
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!kv)
		return err_at(ctx, ns, ns->pos, NULL, msg);
	return err_at(ctx, ns, kv->items[item < kv->nitems ? item : 0].pos, key, msg);
}

int ictl_nested_keys(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		     const char *const *keys)
{
	for (size_t i = 0; i < ns->nkv; i++) {
		char list[200] = "type";
		size_t off = 4;
		bool ok = false;

		for (const char *const *k = keys; *k; k++) {
			ok |= !strcmp(*k, ns->kv[i].key);
			off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0,
						", %s", *k);
		}
		if (!ok) {
			char msg[320];

			snprintf(msg, sizeof(msg), "unknown key '%s' for %s data; the keys are: %s",
				 ns->kv[i].key, ns->type, list);
			return err_at(ctx, ns, ns->kv[i].pos, NULL, msg);
		}
	}
	return 0;
}

/* One scalar as a number, or an error at it. */
static int item_u64(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		    const struct ictl_nested_kv *kv, const struct ictl_nested_item *it, uint64_t min,
		    uint64_t max, uint64_t *v)
{
	char msg[200];
	int r = ictl_spec_parse_u64(it->text, false, v);

	if (r == -ERANGE)
		snprintf(msg, sizeof(msg), "'%s' does not fit in 64 bits", it->text);
	else if (r)
		snprintf(msg, sizeof(msg), "'%s' is not a number: write decimal or 0x hex", it->text);
	else if (*v < min || *v > max)
		snprintf(msg, sizeof(msg), "%s is out of range: %#llx to %#llx", it->text,
			 (unsigned long long)min, (unsigned long long)max);
	else
		return 0;
	return err_at(ctx, ns, it->pos, kv->key, msg);
}

static int need_single(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		       const struct ictl_nested_kv *kv, const char *what)
{
	char msg[160];

	if (!kv->list)
		return 0;
	snprintf(msg, sizeof(msg), "%s takes %s, not a list", kv->key, what);
	return err_at(ctx, ns, kv->items[0].pos, kv->key, msg);
}

int ictl_nested_u64(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		    uint64_t min, uint64_t max, uint64_t *v)
{
	const struct ictl_nested_kv *kv = find(ns, key);
	int r;

	if (!kv)
		return 1;
	r = need_single(ctx, ns, kv, "one number");
	return r ? r : item_u64(ctx, ns, kv, &kv->items[0], min, max, v);
}

int ictl_nested_words(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      size_t n, uint64_t *v)
{
	const struct ictl_nested_kv *kv = find(ns, key);
	char msg[160];

	if (!kv)
		return 1;
	if (!kv->list || kv->nitems != n) {
		snprintf(msg, sizeof(msg), "%s takes a list of %zu 64-bit words, [w0, w1%s]", key, n,
			 n > 2 ? ", ..." : "");
		return err_at(ctx, ns, kv->items[0].pos, key, msg);
	}
	for (size_t i = 0; i < n; i++) {
		int r = item_u64(ctx, ns, kv, &kv->items[i], 0, UINT64_MAX, &v[i]);

		if (r)
			return r;
	}
	return 0;
}

/* names[value] for each value a word may have; NULL entries are reserved encodings. */
static int item_word(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns,
		     const struct ictl_nested_kv *kv, const struct ictl_nested_item *it,
		     const char *const *names, size_t nnames, uint64_t *v)
{
	char list[200] = "", msg[320];
	size_t off = 0;

	for (size_t i = 0; i < nnames; i++) {
		if (!names[i])
			continue;
		if (!strcmp(it->text, names[i])) {
			*v = i;
			return 0;
		}
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0,
					"%s%s", off ? ", " : "", names[i]);
	}
	snprintf(msg, sizeof(msg), "'%s' is not one of: %s", it->text, list);
	return err_at(ctx, ns, it->pos, kv->key, msg);
}

int ictl_nested_enum(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		     const char *const *names, size_t nnames, uint64_t *v)
{
	const struct ictl_nested_kv *kv = find(ns, key);
	int r;

	if (!kv)
		return 1;
	r = need_single(ctx, ns, kv, "one word");
	return r ? r : item_word(ctx, ns, kv, &kv->items[0], names, nnames, v);
}

int ictl_nested_flags(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      const char *const *names, size_t nnames, uint64_t *bits)
{
	const struct ictl_nested_kv *kv = find(ns, key);
	char msg[160];

	*bits = 0;
	if (!kv)
		return 1;
	if (!kv->list) {
		snprintf(msg, sizeof(msg), "%s takes a list: [%s, ...]", key, names[0]);
		return err_at(ctx, ns, kv->items[0].pos, key, msg);
	}
	for (size_t i = 0; i < kv->nitems; i++) {
		uint64_t b = 0;
		int r = item_word(ctx, ns, kv, &kv->items[i], names, nnames, &b);

		if (r)
			return r;
		if (*bits & (1ULL << b)) {
			snprintf(msg, sizeof(msg), "'%s' is given twice; keep one", kv->items[i].text);
			return err_at(ctx, ns, kv->items[i].pos, key, msg);
		}
		*bits |= 1ULL << b;
	}
	return 0;
}

int ictl_nested_bool(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		     bool *v)
{
	static const char *const names[] = { "false", "true" };
	uint64_t b = 0;
	int r = ictl_nested_enum(ctx, ns, key, names, 2, &b);

	if (!r)
		*v = b;
	return r;
}

/* --- a stage-1 table by name ------------------------------------------------------------ */

int ictl_nested_table(struct ictl_ctx *ctx, const struct ictl_nested_spec *ns, const char *key,
		      unsigned int via, struct ictl_nested_table *t)
{
	static const char *const how[] = { "", "its root", "a CD table", "a GCR3 table" };
	const struct ictl_nested_kv *kv = find(ns, key);
	struct ictl_spec_ptable *pt;
	struct ictl_spec *s = ns->spec;
	const char *v;
	char list[160] = "";
	size_t off = 0;
	int i;

	if (!kv || kv->list || kv->nitems != 1 || !s)
		return 1;
	v = kv->items[0].text;
	if (!((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
		return 1;
	i = ictl_spec_pt_find(s, v);
	if (i < 0) {
		for (size_t k = 0; k < s->nptables && off < sizeof(list); k++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", k ? ", " : "",
						s->ptables[k].name);
		return ictl_nested_err(ctx, ns, key, "no page table is named '%s' (%s%s); describe it under page_tables:",
				       v, off ? "the tables are: " : "the spec has none",
				       list);
	}
	pt = &s->ptables[i];
	if (pt->via && pt->via != via)
		return ictl_nested_err(ctx, ns, key, "table %s is pointed at through %s by hwpts[%d] already; one table, one way: describe another",
				       v, how[pt->via], pt->via_hwpt);
	pt->via = via;
	s->nested_ptable = i;
	t->name = pt->name;
	t->cfg = &pt->cfg;
	t->format = ictl_pt_fmt_name(pt->cfg.fmt);
	t->levels = pt->cfg.levels;
	t->root = pt->at.v;	/* at: auto: 0 here; apply builds the data again for its IOVA */
	t->ptr = 0;
	if (via != ICTL_NESTED_PT_ROOT) {
		uint64_t size = 0;

		if (ictl_spec_pt_size(ctx, s, (size_t)i, &size) < 0)
			return ictl_nested_err(ctx, ns, key, "%s", ictl_strerror(ctx));
		if (size < 0x2000)
			return ictl_nested_err(ctx, ns, key, "table %s has size %#llx: give it at least 8 KiB, room for the tables and %s",
					       v, (unsigned long long)size, how[via]);
		t->ptr = pt->at.v + size - 0x1000;
	}
	return 0;
}
