// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held dirty HWPT IOVA LENGTH: the dirty pages of a paging HWPT, as
 * ranges (IOMMU_HWPT_GET_DIRTY_BITMAP).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

/* --- held dirty ---------------------------------------------------------------------------- */

struct dirty_rec {
	const char *hwpt;
	uint32_t id;
	const struct ictl_dirty *d;
};

static json_object *dirty_json(struct cli *cli, const void *data, int err)
{
	const struct dirty_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *arr = json_object_new_array();

	js_set(o, "hwpt", json_object_new_string(x->hwpt));
	js_set(o, "id", js_uint(x->id));
	js_set(o, "iova", js_hex(x->d->iova, 0));
	js_set(o, "length", js_uint(x->d->length));
	js_set(o, "page_size", js_uint(x->d->page_size));
	js_set(o, "pages", js_uint(x->d->pages));
	js_set(o, "dirty_pages", js_uint(x->d->dirty));
	for (size_t i = 0; i < x->d->n; i++) {
		json_object *r = json_object_new_object();

		js_set(r, "start", js_hex(x->d->v[i].start, 0));
		js_set(r, "last", js_hex(x->d->v[i].last, 0));
		js_set(r, "pages", js_uint(x->d->v[i].pages));
		json_object_array_add(arr, r);
	}
	js_set(o, "ranges", arr);
	js_set(doc, "dirty", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int dirty_text(struct cli *cli, FILE *out, const void *data)
{
	const struct dirty_rec *x = data;
	char ps[32];

	(void)cli;
	fprintf(out, "hwpt %s #%u: %#llx-%#llx in %s pages: %llu of %llu dirty\n", x->hwpt, x->id,
		(unsigned long long)x->d->iova,
		(unsigned long long)(x->d->iova + x->d->length - 1),
		ictl_size_str(x->d->page_size, ps, sizeof(ps)), (unsigned long long)x->d->dirty,
		(unsigned long long)x->d->pages);
	for (size_t i = 0; i < x->d->n; i++)
		fprintf(out, "  %#llx-%#llx  %llu page%s\n", (unsigned long long)x->d->v[i].start,
			(unsigned long long)x->d->v[i].last, (unsigned long long)x->d->v[i].pages,
			x->d->v[i].pages == 1 ? "" : "s");
	return 0;
}

static const struct out_doc_view dirty_view = { .json = dirty_json, .text = dirty_text };

int cmd_held_dirty(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	uint64_t iova, len, ps = 4096;
	struct ictl_dirty d;
	uint32_t id;
	int r;

	if ((r = held_load(cli, &set)) || (r = held_id(cli, &set, "hwpt", cli->argv[0], &id)) ||
	    (r = held_iova(cli, &set, cli->argv[1], &iova)) ||
	    (r = held_size(cli, "length", cli->argv[2], &len)) ||
	    (o->page_size && (r = held_size(cli, "--page-size", o->page_size, &ps))) ||
	    (r = held_open(cli, &set, &s)))
		return r;
	r = ictl_dirty_read(s, id, iova, len, ps,
			    (o->enable ? ICTL_DIRTY_ENABLE : 0) | (o->keep ? ICTL_DIRTY_NO_CLEAR : 0), &d);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = out_doc(cli, &dirty_view, &(struct dirty_rec){ cli->argv[0], id, &d }, 0);
	ictl_dirty_clear(&d);
	return r;
}
