// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held unmap IOAS IOVA LENGTH: what changes the mappings of a held IOAS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

/* --- held unmap ---------------------------------------------------------------------------- */

struct unmap_rec {
	const char *ioas;
	uint32_t id;
	uint64_t iova, done;
};

static json_object *unmap_json(struct cli *cli, const void *data, int err)
{
	const struct unmap_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "ioas", json_object_new_string(x->ioas));
	js_set(o, "id", js_uint(x->id));
	js_set(o, "iova", js_hex(x->iova, 0));
	js_set(o, "length", js_uint(x->done));
	js_set(doc, "unmapped", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int unmap_text(struct cli *cli, FILE *out, const void *data)
{
	const struct unmap_rec *x = data;

	(void)cli;
	fprintf(out, "unmapped %#llx bytes at %#llx from ioas %s #%u\n", (unsigned long long)x->done,
		(unsigned long long)x->iova, x->ioas, x->id);
	return 0;
}

static const struct out_doc_view unmap_view = { .json = unmap_json, .text = unmap_text };

int cmd_held_unmap(struct cli *cli)
{
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct unmap_rec x = { .ioas = cli->argv[0] };
	uint64_t len;
	int r;

	if ((r = held_load(cli, &set)) || (r = held_id(cli, &set, "ioas", cli->argv[0], &x.id)) ||
	    (r = held_iova(cli, &set, cli->argv[1], &x.iova)) ||
	    (r = held_size(cli, "length", cli->argv[2], &len)) || (r = held_open(cli, &set, &s)))
		return r;
	r = ictl_ioas_unmap(s, x.id, x.iova, len, &x.done);
	if (r < 0)
		return cli_lib_error(cli, r);
	return out_doc(cli, &unmap_view, &x, 0);
}
