// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl pt diff A B: what changed between two images: ranges added,
 * removed, remapped, with other permissions or other pages.  Exit 0 when the
 * translations are the same, 1 when they differ (as diff(1)).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cmds.h"

struct delta_rec {
	const struct ictl_pt_delta *d;
};

static const char *cell_change(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ictl_pt_change_name(((const struct delta_rec *)rec)->d->change);
}

static const char *cell_iova(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "0x%" PRIx64, ((const struct delta_rec *)rec)->d->iova);
	return buf;
}

static const char *cell_last(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_delta *d = ((const struct delta_rec *)rec)->d;

	snprintf(buf, len, "0x%" PRIx64, d->iova + (d->size - 1));
	return buf;
}

/* "0x1000 rw- 4K" for one side, or NULL when the side has nothing there. */
static const char *side(uint64_t phys, unsigned int perms, unsigned int page, bool present,
			char *buf, size_t len)
{
	char p[8], sz[24];

	if (!present)
		return NULL;
	snprintf(buf, len, "0x%" PRIx64 " %s %s", phys, ictl_pt_perms_str(perms, p),
		 ictl_pt_size_str(1ull << page, sz, sizeof(sz)));
	return buf;
}

static const char *cell_a(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_delta *d = ((const struct delta_rec *)rec)->d;

	return side(d->phys_a, d->perms_a, d->page_a, d->change != ICTL_PT_ADDED, buf, len);
}

static const char *cell_b(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_delta *d = ((const struct delta_rec *)rec)->d;

	return side(d->phys_b, d->perms_b, d->page_b, d->change != ICTL_PT_REMOVED, buf, len);
}

static const struct out_col delta_cols[] = {
	{ "CHANGE", "added, removed, remapped, perms or pages", COL_DEFAULT, 8, cell_change },
	{ "IOVA", "first IOVA", COL_DEFAULT, 18, cell_iova },
	{ "LAST", "last IOVA", COL_DEFAULT, 18, cell_last },
	{ "A", "physical address, permissions, page size in A", COL_DEFAULT, 30, cell_a },
	{ "B", "the same in B", COL_DEFAULT, 0, cell_b },
	{ NULL, NULL, 0, 0, NULL }
};

static json_object *side_json(uint64_t phys, unsigned int perms, unsigned int page, bool present)
{
	json_object *o;
	char p[8];

	if (!present)
		return NULL;
	o = json_object_new_object();
	js_set(o, "phys", js_hex(phys, 0));
	js_set(o, "perms", json_object_new_string(ictl_pt_perms_str(perms, p)));
	js_set(o, "page_size", js_hex(1ull << page, 0));
	return o;
}

static json_object *delta_json(const void *rec)
{
	const struct ictl_pt_delta *d = ((const struct delta_rec *)rec)->d;
	json_object *o = json_object_new_object();

	js_set(o, "change", json_object_new_string(ictl_pt_change_name(d->change)));
	js_set(o, "iova", js_hex(d->iova, 0));
	js_set(o, "last", js_hex(d->iova + (d->size - 1), 0));
	js_set(o, "size", js_hex(d->size, 0));
	js_set(o, "a", side_json(d->phys_a, d->perms_a, d->page_a, d->change != ICTL_PT_ADDED));
	js_set(o, "b", side_json(d->phys_b, d->perms_b, d->page_b, d->change != ICTL_PT_REMOVED));
	return o;
}

static const struct out_list_view deltas_view = {
	.key = "changes",
	.cols = delta_cols,
	.json = delta_json,
	.flags = OUT_STREAM_TEXT,
};

static int row(void *priv, const struct ictl_pt_delta *d)
{
	return out_list_row(priv, &(struct delta_rec){ d }) ? -EIO : 0;
}

int cmd_pt_diff(struct cli *cli)
{
	struct pt_src_opts none = { 0 };
	struct pt_source a, b;
	struct out_list *l;
	long long n;
	int r, code;

	r = pt_source_open(cli, &none, cli->argv[0], &a);
	if (r)
		return r;
	r = pt_source_open(cli, &none, cli->argv[1], &b);
	if (r) {
		pt_source_close(&a);
		return r;
	}
	l = out_list_begin(cli, &deltas_view, &code);
	if (!l) {
		r = code;
		goto out;
	}
	{
		json_object *h = json_object_new_object();

		js_set(h, "a", json_object_new_string(a.what));
		js_set(h, "b", json_object_new_string(b.what));
		out_list_head(l, h);
	}
	out_list_empty_note(l, "no differences: the translations are the same");
	n = ictl_pt_diff(cli->ctx, &(struct ictl_pt_side){ &a.cfg, &a.src, a.root },
			 &(struct ictl_pt_side){ &b.cfg, &b.src, b.root }, row, l);
	if (n < 0)
		r = out_list_end(l, n == -EIO ? 0 : (int)n);
	else if (n)
		r = out_list_fail(l, -EUCLEAN, "%lld difference%s", n, n > 1 ? "s" : "");
	else
		r = out_list_end(l, 0);
out:
	pt_source_close(&a);
	pt_source_close(&b);
	return r;
}
