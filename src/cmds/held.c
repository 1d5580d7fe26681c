// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held COMMAND: act on the objects of an iommufd handed over by
 * "iommuctl apply SPEC -- COMMAND" (src/lib/held.h).  Run inside that command
 * (a shell, a script, a VMM's helper): the iommufd is IOMMUCTL_IOMMUFD, the
 * objects are named by IOMMUCTL_OBJECTS and the mappings by IOMMUCTL_MAPPINGS.
 *
 *   held objects                        the objects and mappings by name
 *   held dirty HWPT IOVA LENGTH         the dirty pages of a paging HWPT, as ranges
 *   held unmap IOAS IOVA LENGTH         unmap what is mapped there
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/held.h"
#include "../lib/pt.h"
#include "cmds.h"

int cmd_held(struct cli *cli)
{
	if (!cli->argc)
		return cli_error(cli, -EINVAL,
				 "held needs a command: objects, dirty or unmap ('iommuctl held --help')");
	return cli_error(cli, -EINVAL, "unknown held command '%.32s': give objects, dirty or unmap",
			 cli->argv[0]);
}

/* The inherited iommufd, as a session of its own (closed at the end: it is our copy). */
static int held_open(struct cli *cli, struct ictl_iommufd **s)
{
	const char *v = getenv("IOMMUCTL_IOMMUFD");
	char *end;
	long fd;

	if (!v)
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_IOMMUFD: 'held' acts on the iommufd that 'iommuctl apply SPEC -- COMMAND' hands to COMMAND; run it from there");
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 65535)
		return cli_error(cli, -EINVAL, "IOMMUCTL_IOMMUFD=%.16s is not an fd number", v);
	if (ictl_iommufd_adopt(cli->ctx, (int)fd, s) < 0)
		return cli_lib_error(cli, -EINVAL);
	return 0;
}

/* An object by name (IOMMUCTL_OBJECTS) or by number. */
static int held_id(struct cli *cli, const char *what, const char *arg, uint32_t *id)
{
	uint64_t v;
	int r;

	if (!ictl_pt_parse_size(arg, &v) && v && v <= UINT32_MAX) {
		*id = (uint32_t)v;
		return 0;
	}
	if (!getenv("IOMMUCTL_OBJECTS"))
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_OBJECTS names %s '%.40s'; run under 'iommuctl apply SPEC -- COMMAND'",
				 what, arg);
	r = ictl_held_lookup(getenv("IOMMUCTL_OBJECTS"), arg, &v);
	if (r < 0 || !v || v > UINT32_MAX)
		return cli_error(cli, -ENOENT, "no %s '%.40s' in IOMMUCTL_OBJECTS (the names apply handed over)",
				 what, arg);
	*id = (uint32_t)v;
	return 0;
}

/* An IOVA: a number, or a mapping's name (IOMMUCTL_MAPPINGS). */
static int held_iova(struct cli *cli, const char *arg, uint64_t *iova)
{
	if (!ictl_pt_parse_size(arg, iova))
		return 0;
	if (ictl_held_lookup(getenv("IOMMUCTL_MAPPINGS"), arg, iova) < 0)
		return cli_error(cli, -EINVAL,
				 "'%.40s' is neither a number nor a mapping of IOMMUCTL_MAPPINGS", arg);
	return 0;
}

static int held_size(struct cli *cli, const char *what, const char *arg, uint64_t *v)
{
	if (ictl_pt_parse_size(arg, v) || !*v)
		return cli_error(cli, -EINVAL, "%s '%.40s': give a size (0x..., decimal, K, M, G)", what,
				 arg);
	return 0;
}

/* --- held objects ------------------------------------------------------------------------ */

struct pair_rec {
	const char *kind;	/* "object" or "mapping" */
	char name[64];
	uint64_t v;
};

static json_object *objects_json(struct cli *cli, const void *data, int err)
{
	const struct pair_rec *v = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *m = json_object_new_object();

	for (; v->kind; v++) {
		if (!strcmp(v->kind, "object"))
			js_set(o, v->name, js_uint(v->v));
		else
			js_set(m, v->name, js_hex(v->v, 0));
	}
	js_set(doc, "objects", o);
	js_set(doc, "mappings", m);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int objects_text(struct cli *cli, FILE *out, const void *data)
{
	const struct pair_rec *v = data;

	(void)cli;
	fprintf(out, "%-8s %-24s %s\n", "KIND", "NAME", "ID/IOVA");
	for (; v->kind; v++)
		fprintf(out, v->kind[0] == 'o' ? "%-8s %-24s %llu\n" : "%-8s %-24s %#llx\n", v->kind,
			v->name, (unsigned long long)v->v);
	return 0;
}

static const struct out_doc_view objects_view = { .json = objects_json, .text = objects_text };

/* "name=value ..." into recs (at most max - 1, and a terminator). */
static size_t split(const char *list, const char *kind, struct pair_rec *recs, size_t n,
		    size_t max)
{
	for (const char *p = list; p && *p && n + 1 < max;) {
		const char *eq = strchr(p, '='), *end = strchr(p, ' ');

		if (eq && (!end || eq < end) && (size_t)(eq - p) < sizeof(recs[n].name)) {
			memcpy(recs[n].name, p, (size_t)(eq - p));
			recs[n].name[eq - p] = '\0';
			if (!ictl_held_lookup(list, recs[n].name, &recs[n].v)) {
				recs[n].kind = kind;
				n++;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return n;
}

int cmd_held_objects(struct cli *cli)
{
	struct pair_rec recs[257] = { { 0 } };
	size_t n;

	if (!getenv("IOMMUCTL_OBJECTS"))
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_OBJECTS: run under 'iommuctl apply SPEC -- COMMAND'");
	n = split(getenv("IOMMUCTL_OBJECTS"), "object", recs, 0, ARRAY_SIZE(recs));
	split(getenv("IOMMUCTL_MAPPINGS"), "mapping", recs, n, ARRAY_SIZE(recs));
	return out_doc(cli, &objects_view, recs, 0);
}

/* --- held dirty ---------------------------------------------------------------------------- */

enum { OPT_PAGE_SIZE = 0x600, OPT_ENABLE, OPT_KEEP };

const struct argp_option held_dirty_options[] = {
	{ "page-size", OPT_PAGE_SIZE, "SIZE", 0, "One bit per SIZE bytes (default 4K)", 0 },
	{ "enable", OPT_ENABLE, NULL, 0, "Turn dirty tracking on first (IOMMU_HWPT_SET_DIRTY_TRACKING)", 0 },
	{ "keep", OPT_KEEP, NULL, 0, "Read without clearing the dirty bits", 0 },
	{ 0 }
};

error_t held_dirty_parse(int key, char *arg, struct argp_state *state)
{
	struct held_dirty_opts *o = ((struct cli *)state->input)->opts;

	switch (key) {
	case OPT_PAGE_SIZE:
		o->page_size = arg;
		return 0;
	case OPT_ENABLE:
		o->enable = true;
		return 0;
	case OPT_KEEP:
		o->keep = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

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
	const struct held_dirty_opts *o = cli->opts;
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	uint64_t iova, len, ps = 4096;
	struct ictl_dirty d;
	uint32_t id;
	int r;

	if ((r = held_id(cli, "hwpt", cli->argv[0], &id)) || (r = held_iova(cli, cli->argv[1], &iova)) ||
	    (r = held_size(cli, "length", cli->argv[2], &len)) ||
	    (o->page_size && (r = held_size(cli, "--page-size", o->page_size, &ps))) ||
	    (r = held_open(cli, &s)))
		return r;
	r = ictl_dirty_read(s, id, iova, len, ps,
			    (o->enable ? ICTL_DIRTY_ENABLE : 0) | (o->keep ? ICTL_DIRTY_NO_CLEAR : 0), &d);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = out_doc(cli, &dirty_view, &(struct dirty_rec){ cli->argv[0], id, &d }, 0);
	ictl_dirty_clear(&d);
	return r;
}

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
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct unmap_rec x = { .ioas = cli->argv[0] };
	uint64_t len;
	int r;

	if ((r = held_id(cli, "ioas", cli->argv[0], &x.id)) ||
	    (r = held_iova(cli, cli->argv[1], &x.iova)) ||
	    (r = held_size(cli, "length", cli->argv[2], &len)) || (r = held_open(cli, &s)))
		return r;
	r = ictl_ioas_unmap(s, x.id, x.iova, len, &x.done);
	if (r < 0)
		return cli_lib_error(cli, r);
	return out_doc(cli, &unmap_view, &x, 0);
}
