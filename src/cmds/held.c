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
				 "held needs a command: list, objects, dirty or unmap ('iommuctl held --help')");
	return cli_error(cli, -EINVAL,
			 "unknown held command '%.32s': give list, objects, dirty or unmap", cli->argv[0]);
}

/* --- the held set: inside apply -- COMMAND (the environment), or a holder's state file --- */

struct held_set {
	bool env;		/* inside apply -- COMMAND: IOMMUCTL_* */
	struct ictl_held h;	/* else: the holder's published set */
};

static void held_set_clear(struct held_set *set)
{
	ictl_held_clear(&set->h);
}
#define _cleanup_held_set_ __attribute__((cleanup(held_set_clear)))

static int held_pid_arg(struct cli *cli, const char *arg, int *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v <= 0 || v > (1 << 22))
		return cli_error(cli, -EINVAL, "--pid %.24s: give the pid of a holder ('iommuctl held list')",
				 arg);
	*pid = (int)v;
	return 0;
}

/* No --pid outside apply: the one holder there is, or an error naming them. */
static int held_only_holder(struct cli *cli, int *pid)
{
	struct ictl_held_holder *v = NULL;
	char list[256] = "";
	size_t n, alive = 0;
	int r = ictl_held_holders(cli->ctx, &v, &n);

	if (r < 0)
		return cli_lib_error(cli, r);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list);

		if (!v[i].alive || v[i].err)
			continue;
		alive++;
		*pid = v[i].pid;
		if (len < sizeof(list) - 16)
			snprintf(list + len, sizeof(list) - len, "%s%d", alive > 1 ? ", " : "", v[i].pid);
	}
	free(v);
	if (alive == 1)
		return 0;
	if (!alive)
		return cli_error(cli, -ENOENT,
				 "no held set: run under 'iommuctl apply SPEC -- COMMAND', or hold one with 'iommuctl apply SPEC --hold' ('iommuctl held list' shows the holders)");
	return cli_error(cli, -EINVAL, "%zu holders (pids %s): give --pid PID", alive, list);
}

/*
 * Which set: --pid's holder; inside apply -- COMMAND the environment's; else the
 * only holder there is.  A holder that is gone is an error (its file is stale).
 */
static int held_load(struct cli *cli, struct held_set *set)
{
	const struct held_opts *o = cli->opts;
	int pid, r;

	memset(set, 0, sizeof(*set));
	if (!o->pid && (getenv("IOMMUCTL_IOMMUFD") || getenv("IOMMUCTL_OBJECTS"))) {
		set->env = true;
		return 0;
	}
	if (o->pid ? (r = held_pid_arg(cli, o->pid, &pid)) : (r = held_only_holder(cli, &pid)))
		return r;
	r = ictl_held_read(cli->ctx, pid, &set->h);
	if (r < 0)
		return cli_lib_error(cli, r);
	if (!ictl_held_alive(cli->ctx, &set->h))
		return cli_error(cli, -ENOENT,
				 "holder %d is gone (%s is stale): 'iommuctl recover' removes it", pid,
				 set->h.file);
	return 0;
}

/* The set's iommufd, as a session of its own (closed at the end: it is our copy). */
static int held_open(struct cli *cli, const struct held_set *set, struct ictl_iommufd **s)
{
	const char *v = getenv("IOMMUCTL_IOMMUFD");
	char *end;
	long fd;
	int r, nfd;

	if (!set->env) {
		r = ictl_held_getfd(cli->ctx, &set->h, set->h.iommufd, ICTL_OBJ_IOAS, &nfd);
		if (r < 0 || ictl_iommufd_adopt(cli->ctx, nfd, s) < 0)
			return cli_lib_error(cli, r < 0 ? r : -EINVAL);
		return 0;
	}
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

/* An object by name (IOMMUCTL_OBJECTS, or the holder's set) or by number. */
static int held_id(struct cli *cli, const struct held_set *set, const char *what, const char *arg,
		   uint32_t *id)
{
	const struct ictl_held_obj *o;
	uint64_t v;
	int r;

	if (!ictl_pt_parse_size(arg, &v) && v && v <= UINT32_MAX) {
		*id = (uint32_t)v;
		return 0;
	}
	if (!set->env) {
		o = ictl_held_find_obj(&set->h, arg);
		if (!o)
			return cli_error(cli, -ENOENT, "no %s '%.40s' in the set of holder %d ('iommuctl held objects --pid %d')",
					 what, arg, set->h.pid, set->h.pid);
		*id = o->id;
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

/* An IOVA: a number, or a mapping's name (IOMMUCTL_MAPPINGS, or the holder's set). */
static int held_iova(struct cli *cli, const struct held_set *set, const char *arg, uint64_t *iova)
{
	const struct ictl_held_map *m;

	if (!ictl_pt_parse_size(arg, iova))
		return 0;
	if (!set->env) {
		m = ictl_held_find_map(&set->h, arg);
		if (!m)
			return cli_error(cli, -EINVAL,
					 "'%.40s' is neither a number nor a mapping of holder %d", arg,
					 set->h.pid);
		*iova = m->iova;
		return 0;
	}
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

/* --- options ----------------------------------------------------------------------------- */

enum { OPT_PAGE_SIZE = 0x600, OPT_ENABLE, OPT_KEEP, OPT_PID };

#define HELD_PID_OPTION                                                                         \
	{ "pid", OPT_PID, "PID", 0,                                                             \
	  "Act on the set the apply run of process PID holds and published (root)", 0 }

const struct argp_option held_options[] = { HELD_PID_OPTION, { 0 } };

const struct argp_option held_dirty_options[] = {
	{ "page-size", OPT_PAGE_SIZE, "SIZE", 0, "One bit per SIZE bytes (default 4K)", 0 },
	{ "enable", OPT_ENABLE, NULL, 0, "Turn dirty tracking on first (IOMMU_HWPT_SET_DIRTY_TRACKING)", 0 },
	{ "keep", OPT_KEEP, NULL, 0, "Read without clearing the dirty bits", 0 },
	HELD_PID_OPTION,
	{ 0 }
};

error_t held_parse(int key, char *arg, struct argp_state *state)
{
	struct held_opts *o = ((struct cli *)state->input)->opts;

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
	case OPT_PID:
		o->pid = arg;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

/* --- held objects ------------------------------------------------------------------------ */

struct pair_rec {
	const char *kind;	/* "object" or "mapping" */
	char name[64];
	uint64_t v;
};

struct objects_rec {
	const struct held_set *set;
	struct pair_rec *v;
};

static json_object *objects_json(struct cli *cli, const void *data, int err)
{
	const struct objects_rec *x = data;
	const struct pair_rec *v = x->v;
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
	if (!x->set->env) {
		const struct ictl_held *h = &x->set->h;
		json_object *hd = json_object_new_object(), *all = json_object_new_array();

		js_set(hd, "pid", js_int(h->pid));
		js_set(hd, "iommufd", js_int(h->iommufd));
		js_set(hd, "state_file", json_object_new_string(h->file));
		for (size_t i = 0; i < h->nobjs; i++) {
			json_object *j = json_object_new_object();

			js_set(j, "kind", json_object_new_string(ictl_obj_kind_name(h->objs[i].kind)));
			js_set(j, "name", h->objs[i].name[0] ? json_object_new_string(h->objs[i].name) : NULL);
			js_set(j, "id", js_uint(h->objs[i].id));
			js_set(j, "fd", h->objs[i].fd >= 0 ? js_int(h->objs[i].fd) : NULL);
			json_object_array_add(all, j);
		}
		js_set(hd, "objects", all);
		js_set(doc, "holder", hd);
	}
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int objects_text(struct cli *cli, FILE *out, const void *data)
{
	const struct objects_rec *x = data;
	const struct pair_rec *v = x->v;

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

/* The holder's named objects and mappings into recs, as the environment's would be. */
static void from_holder(const struct ictl_held *h, struct pair_rec *recs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nobjs && n + 1 < max; i++) {
		if (!h->objs[i].name[0])
			continue;
		recs[n] = (struct pair_rec){ "object", "", h->objs[i].id };
		snprintf(recs[n++].name, sizeof(recs[0].name), "%s", h->objs[i].name);
	}
	for (size_t i = 0; i < h->nmaps && n + 1 < max; i++) {
		if (!h->maps[i].name[0])
			continue;
		recs[n] = (struct pair_rec){ "mapping", "", h->maps[i].iova };
		snprintf(recs[n++].name, sizeof(recs[0].name), "%s", h->maps[i].name);
	}
}

int cmd_held_objects(struct cli *cli)
{
	static struct pair_rec recs[2 * ICTL_HELD_ITEMS_MAX + 1];
	_cleanup_held_set_ struct held_set set = { 0 };
	size_t n;
	int r;

	memset(recs, 0, sizeof(recs));
	if ((r = held_load(cli, &set)))
		return r;
	if (!set.env) {
		from_holder(&set.h, recs, ARRAY_SIZE(recs));
		return out_doc(cli, &objects_view, &(struct objects_rec){ &set, recs }, 0);
	}
	if (!getenv("IOMMUCTL_OBJECTS"))
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_OBJECTS: run under 'iommuctl apply SPEC -- COMMAND'");
	n = split(getenv("IOMMUCTL_OBJECTS"), "object", recs, 0, 257);
	split(getenv("IOMMUCTL_MAPPINGS"), "mapping", recs, n, 257);
	return out_doc(cli, &objects_view, &(struct objects_rec){ &set, recs }, 0);
}

/* --- held list ------------------------------------------------------------------------------ */

struct list_rec {
	const struct ictl_held_holder *v;
	size_t n;
};

static json_object *list_json(struct cli *cli, const void *data, int err)
{
	const struct list_rec *x = data;
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	for (size_t i = 0; i < x->n; i++) {
		json_object *o = json_object_new_object();

		js_set(o, "pid", js_int(x->v[i].pid));
		js_set(o, "state", json_object_new_string(x->v[i].err ? "damaged" :
							  x->v[i].alive ? "holding" : "stale"));
		js_set(o, "objects", x->v[i].err ? NULL : js_uint(x->v[i].nobjs));
		js_set(o, "mappings", x->v[i].err ? NULL : js_uint(x->v[i].nmaps));
		js_set(o, "problem", x->v[i].err ? json_object_new_string(x->v[i].msg) : NULL);
		json_object_array_add(arr, o);
	}
	js_set(doc, "holders", arr);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int list_text(struct cli *cli, FILE *out, const void *data)
{
	const struct list_rec *x = data;

	(void)cli;
	if (!x->n) {
		fputs("No holders.\n", out);
		return 0;
	}
	fprintf(out, "%-8s %-8s %7s %8s  %s\n", "PID", "STATE", "OBJECTS", "MAPPINGS", "NOTE");
	for (size_t i = 0; i < x->n; i++) {
		const struct ictl_held_holder *h = &x->v[i];

		if (h->err)
			fprintf(out, "%-8d %-8s %7s %8s  %s\n", h->pid, "damaged", "-", "-", h->msg);
		else if (h->alive)
			fprintf(out, "%-8d %-8s %7zu %8zu  -\n", h->pid, "holding", h->nobjs, h->nmaps);
		else
			fprintf(out, "%-8d %-8s %7zu %8zu  %s\n", h->pid, "stale", h->nobjs, h->nmaps,
				"the holder is gone: 'iommuctl recover' removes it");
	}
	return 0;
}

static const struct out_doc_view list_view = { .json = list_json, .text = list_text };

int cmd_held_list(struct cli *cli)
{
	struct ictl_held_holder *v = NULL;
	size_t n;
	int r = ictl_held_holders(cli->ctx, &v, &n);

	if (r < 0)
		return cli_lib_error(cli, r);
	r = out_doc(cli, &list_view, &(struct list_rec){ v, n }, 0);
	free(v);
	return r;
}

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
