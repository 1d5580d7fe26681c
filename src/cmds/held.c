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
#include <unistd.h>

#include "../lib/held.h"
#include "../lib/pt.h"
#include "cmds.h"

/*
 * "held --pid PID COMMAND ARGS": the group's --pid goes to the command (its
 * own options come after its word: "held dirty HWPT IOVA LEN --pid PID").
 */
static int held_redispatch(struct cli *cli, const struct command *sub)
{
	const struct held_opts *o = cli->opts;
	char **argv = calloc((size_t)cli->argc + 3, sizeof(char *));
	char **saved_argv = cli->argv;
	void *saved_opts = cli->opts;
	const struct command *saved_cmd = cli->cmd;
	int n = 0, r;

	if (!argv)
		return cli_error(cli, -ENOMEM, "out of memory");
	argv[n++] = (char *)"held";
	for (int i = 1; i < cli->argc; i++)
		argv[n++] = cli->argv[i];
	argv[n++] = (char *)"--pid";
	argv[n++] = (char *)o->pid;
	r = cli_run_command(cli, sub, n, argv);
	cli->argv = saved_argv;
	cli->opts = saved_opts;
	cli->cmd = saved_cmd;
	free(argv);
	return r;
}

int cmd_held(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	const struct command *sub = cli->argc ? cli_find_subcommand(cli->table, cli->cmd, cli->argv[0]) : NULL;

	if (sub && o && o->pid)
		return held_redispatch(cli, sub);
	if (!cli->argc)
		return cli_error(cli, -EINVAL,
				 "held needs a command: list, objects, dirty, unmap, events, respond or invalidate ('iommuctl held --help')");
	return cli_error(cli, -EINVAL,
			 "unknown held command '%.32s': give list, objects, dirty, unmap, events, respond or invalidate", cli->argv[0]);
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

enum { OPT_PAGE_SIZE = 0x600, OPT_ENABLE, OPT_KEEP, OPT_PID, OPT_COUNT, OPT_TIMEOUT, OPT_COOKIE,
       OPT_CODE, OPT_TYPE };

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

const struct argp_option held_events_options[] = {
	{ "count", OPT_COUNT, "N", 0, "Wait for N records (default 1); print all there are", 0 },
	{ "timeout", OPT_TIMEOUT, "SEC", 0, "Wait at most SEC seconds (default 5, at most 3600)", 0 },
	HELD_PID_OPTION,
	{ 0 }
};

const struct argp_option held_respond_options[] = {
	{ "cookie", OPT_COOKIE, "N", 0, "The fault group to answer (the cookie 'held events' printed)", 0 },
	{ "code", OPT_CODE, "CODE", 0, "success or invalid (failure is not in the iommufd uAPI)", 0 },
	HELD_PID_OPTION,
	{ 0 }
};

const struct argp_option held_invalidate_options[] = {
	{ "type", OPT_TYPE, "TYPE", 0,
	  "selftest, selftest-viommu, intel-vtd or arm-smmuv3 (default: the target's own)", 0 },
	HELD_PID_OPTION,
	{ 0 }
};

error_t held_parse(int key, char *arg, struct argp_state *state)
{
	struct held_opts *o = ((struct cli *)state->input)->opts;

	switch (key) {
	case OPT_TYPE:
		o->type = arg;
		return 0;
	case OPT_COUNT:
		o->count = arg;
		return 0;
	case OPT_TIMEOUT:
		o->timeout = arg;
		return 0;
	case OPT_COOKIE:
		o->cookie = arg;
		return 0;
	case OPT_CODE:
		o->code = arg;
		return 0;
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

/* --- event queues: held events, held respond ---------------------------------------------- */

struct held_queue {
	const char *name;
	uint32_t id;
	enum ictl_obj_kind kind;
	uint32_t type;
	int fd;			/* our copy, closed at the end */
};

static void held_queue_close(struct held_queue *q)
{
	if (q->fd >= 0)
		close(q->fd);
}
#define _cleanup_queue_ __attribute__((cleanup(held_queue_close)))

/* Inside apply -- COMMAND: the queue's fd from IOMMUCTL_FDS, its kind and type from the JSON. */
static int env_queue(struct cli *cli, const char *arg, struct held_queue *q)
{
	const char *path = getenv("IOMMUCTL_OBJECTS_JSON");
	json_object *doc, *o, *v;
	uint64_t fd;
	int r = 0;

	if (ictl_held_lookup(getenv("IOMMUCTL_FDS"), arg, &fd) < 0 || fd > 65535)
		return cli_error(cli, -ENOENT,
				 "no queue '%.40s' in IOMMUCTL_FDS (the event queues apply handed over, by name)",
				 arg);
	doc = path ? json_object_from_file(path) : NULL;
	if (!doc || !json_object_object_get_ex(doc, "objects", &o) ||
	    !json_object_object_get_ex(o, arg, &o))
		r = cli_error(cli, -EINVAL,
			      "queue '%.40s': its kind and type are in IOMMUCTL_OBJECTS_JSON, which is not there or does not name it",
			      arg);
	if (!r) {
		const char *kind = json_object_object_get_ex(o, "kind", &v) ? json_object_get_string(v) : "";

		q->kind = !strcmp(kind, "fault_queue") ? ICTL_OBJ_FAULT :
			  !strcmp(kind, "veventq")     ? ICTL_OBJ_VEVENTQ :
							 ICTL_OBJ_KIND_COUNT;
		q->id = json_object_object_get_ex(o, "id", &v) ? (uint32_t)json_object_get_int64(v) : 0;
		q->type = json_object_object_get_ex(o, "type", &v) ? (uint32_t)json_object_get_int64(v) : 0;
		q->fd = dup((int)fd);
		if (q->fd < 0)
			r = cli_error(cli, -errno, "IOMMUCTL_FDS %s=%d: %s", arg, (int)fd, strerror(errno));
	}
	json_object_put(doc);
	return r;
}

/* A fault queue or vEVENTQ by name (or, of a holder, by id), with a copy of its fd. */
static int held_queue(struct cli *cli, const struct held_set *set, const char *arg,
		      struct held_queue *q)
{
	const struct ictl_held_obj *o = NULL;
	uint64_t id;
	int r;

	*q = (struct held_queue){ .name = arg, .fd = -1 };
	if (set->env)
		r = env_queue(cli, arg, q);
	else {
		o = ictl_held_find_obj(&set->h, arg);
		for (size_t i = 0; !o && !ictl_pt_parse_size(arg, &id) && i < set->h.nobjs; i++)
			o = set->h.objs[i].id == id ? &set->h.objs[i] : NULL;
		if (!o)
			return cli_error(cli, -ENOENT, "no queue '%.40s' in the set of holder %d", arg,
					 set->h.pid);
		q->kind = o->kind;
		q->id = o->id;
		q->type = o->type;
		r = 0;
	}
	if (r)
		return r;
	if (q->kind != ICTL_OBJ_FAULT && q->kind != ICTL_OBJ_VEVENTQ)
		return cli_error(cli, -EINVAL, "'%.40s' is a %s: give a fault_queue or a veventq", arg,
				 ictl_obj_kind_name(q->kind));
	if (o && (r = ictl_held_getfd(cli->ctx, &set->h, o->fd, o->kind, &q->fd)) < 0)
		return cli_lib_error(cli, r);
	return 0;
}

struct events_rec {
	const struct held_queue *q;
	const struct ictl_held_event *v;
	size_t n;
};

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64_at(const uint8_t *p)
{
	return (uint64_t)le32_at(p) | (uint64_t)le32_at(p + 4) << 32;
}

static const char *const perm_names[] = { "read", "write", "exec", "priv" };

static json_object *event_json(const struct held_queue *q, const struct ictl_held_event *e)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (e->fault) {
		js_set(o, "cookie", js_uint(e->pf.cookie));
		js_set(o, "dev_id", js_uint(e->pf.dev_id));
		js_set(o, "pasid", e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_PASID_VALID ?
					   js_uint(e->pf.pasid) : NULL);
		js_set(o, "grpid", js_uint(e->pf.grpid));
		for (unsigned int i = 0; i < ARRAY_SIZE(perm_names); i++) {
			if (e->pf.perm & 1u << i)
				json_object_array_add(a, json_object_new_string(perm_names[i]));
		}
		js_set(o, "perm", a);
		js_set(o, "addr", js_hex(e->pf.addr, 0));
		js_set(o, "length", js_uint(e->pf.length));
		js_set(o, "last_page", js_bool(e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_LAST_PAGE));
		return o;
	}
	js_set(o, "sequence", js_uint(e->sequence));
	js_set(o, "lost_events", js_bool(e->flags & ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS));
	if (q->type == ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && e->len == 4)
		js_set(o, "virt_id", js_hex(le32_at(e->data), 0));
	for (uint32_t i = 0; q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && i + 8 <= e->len; i += 8)
		json_object_array_add(a, js_hex(le64_at(e->data + i), 16));
	if (q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST)
		js_set(o, "data", a);
	else
		json_object_put(a);
	return o;
}

static json_object *events_json(struct cli *cli, const void *data, int err)
{
	const struct events_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *arr = json_object_new_array();

	js_set(o, "queue", json_object_new_string(x->q->name));
	js_set(o, "kind", json_object_new_string(ictl_obj_kind_name(x->q->kind)));
	js_set(o, "id", js_uint(x->q->id));
	js_set(o, "type", x->q->kind == ICTL_OBJ_VEVENTQ ? js_hex(x->q->type, 0) : NULL);
	for (size_t i = 0; i < x->n; i++)
		json_object_array_add(arr, event_json(x->q, &x->v[i]));
	js_set(o, "records", arr);
	js_set(doc, "events", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static void event_text(FILE *out, const struct held_queue *q, const struct ictl_held_event *e)
{
	if (e->fault) {
		fprintf(out, "  cookie %u: dev_id %u addr %#llx", e->pf.cookie, e->pf.dev_id,
			(unsigned long long)e->pf.addr);
		if (e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_PASID_VALID)
			fprintf(out, " pasid %#x", e->pf.pasid);
		fprintf(out, " group %u perm ", e->pf.grpid);
		for (unsigned int i = 0; i < ARRAY_SIZE(perm_names); i++)
			fputs(e->pf.perm & 1u << i ? (const char[]){ "rwxp"[i], 0 } : "-", out);
		fprintf(out, "%s\n", e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_LAST_PAGE ? " last-page" : "");
		return;
	}
	fprintf(out, "  seq %u:", e->sequence);
	if (e->flags & ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS)
		fputs(" events were lost before this one (the queue was full)", out);
	else if (q->type == ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && e->len == 4)
		fprintf(out, " virt_id %#x", le32_at(e->data));
	for (uint32_t i = 0; q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && i + 8 <= e->len; i += 8)
		fprintf(out, " %016llx", (unsigned long long)le64_at(e->data + i));
	fputc('\n', out);
}

static int events_text(struct cli *cli, FILE *out, const void *data)
{
	const struct events_rec *x = data;

	(void)cli;
	fprintf(out, "%s %s #%u", ictl_obj_kind_name(x->q->kind), x->q->name, x->q->id);
	if (x->q->kind == ICTL_OBJ_VEVENTQ)
		fprintf(out, " (type %#x)", x->q->type);
	fprintf(out, ": %zu %s%s\n", x->n, x->q->kind == ICTL_OBJ_FAULT ? "fault" : "event",
		x->n == 1 ? "" : "s");
	for (size_t i = 0; i < x->n; i++)
		event_text(out, x->q, &x->v[i]);
	return 0;
}

static const struct out_doc_view events_view = { .json = events_json, .text = events_text };

static int held_uint_opt(struct cli *cli, const char *what, const char *arg, uint64_t max,
			 uint64_t *v)
{
	if (ictl_pt_parse_size(arg, v) || *v > max)
		return cli_error(cli, -EINVAL, "%s %.24s: give a number up to %llu", what, arg,
				 (unsigned long long)max);
	return 0;
}

int cmd_held_events(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_queue_ struct held_queue q = { .fd = -1 };
	struct ictl_held_event *v;
	uint64_t count = 1, timeout = 5;
	int r;

	if ((o->count && (r = held_uint_opt(cli, "--count", o->count, 1024, &count))) ||
	    (o->timeout && (r = held_uint_opt(cli, "--timeout", o->timeout, 3600, &timeout))))
		return r;
	if (!count)
		return cli_error(cli, -EINVAL, "--count 0: give at least 1");
	if ((r = held_load(cli, &set)) || (r = held_queue(cli, &set, cli->argv[0], &q)))
		return r;
	v = calloc(1024, sizeof(*v));
	if (!v)
		return cli_error(cli, -ENOMEM, "events: out of memory");
	r = ictl_queue_read(cli->ctx, q.fd, q.kind, q.type, (size_t)count, 1024,
			    (int)timeout * 1000, v);
	if (r >= 0)
		r = out_doc(cli, &events_view, &(struct events_rec){ &q, v, (size_t)r },
			    (size_t)r < count ? -ETIME : 0);
	else
		r = cli_lib_error(cli, r);
	free(v);
	return r;
}

struct respond_rec {
	const struct held_queue *q;
	uint32_t cookie;
	const char *code;
};

static json_object *respond_json(struct cli *cli, const void *data, int err)
{
	const struct respond_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "queue", json_object_new_string(x->q->name));
	js_set(o, "id", js_uint(x->q->id));
	js_set(o, "cookie", js_uint(x->cookie));
	js_set(o, "code", json_object_new_string(x->code));
	js_set(doc, "responded", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int respond_text(struct cli *cli, FILE *out, const void *data)
{
	const struct respond_rec *x = data;

	(void)cli;
	fprintf(out, "answered fault cookie %u of %s #%u: %s\n", x->cookie, x->q->name, x->q->id,
		x->code);
	return 0;
}

static const struct out_doc_view respond_view = { .json = respond_json, .text = respond_text };

int cmd_held_respond(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_queue_ struct held_queue q = { .fd = -1 };
	uint64_t cookie;
	uint32_t code;
	int r;

	if (!o->cookie || !o->code)
		return cli_error(cli, -EINVAL, "held respond needs --cookie N and --code success|invalid");
	if ((r = held_uint_opt(cli, "--cookie", o->cookie, UINT32_MAX, &cookie)))
		return r;
	if (!strcmp(o->code, "success"))
		code = ICTL_IOMMUFD_PAGE_RESP_SUCCESS;
	else if (!strcmp(o->code, "invalid"))
		code = ICTL_IOMMUFD_PAGE_RESP_INVALID;
	else if (!strcmp(o->code, "failure"))
		return cli_error(cli, -EINVAL,
				 "--code failure: the iommufd uAPI answers a fault with success or invalid only (IOMMUFD_PAGE_RESP_*); give invalid to refuse it");
	else
		return cli_error(cli, -EINVAL, "--code %.24s: give success or invalid", o->code);
	if ((r = held_load(cli, &set)) || (r = held_queue(cli, &set, cli->argv[0], &q)))
		return r;
	if (q.kind != ICTL_OBJ_FAULT)
		return cli_error(cli, -EINVAL, "'%.40s' is a %s: faults are answered on a fault_queue",
				 q.name, ictl_obj_kind_name(q.kind));
	r = ictl_fault_respond(cli->ctx, q.fd, (uint32_t)cookie, code);
	if (r < 0)
		return cli_lib_error(cli, r);
	return out_doc(cli, &respond_view, &(struct respond_rec){ &q, (uint32_t)cookie, o->code }, 0);
}

/* --- held invalidate ------------------------------------------------------------------------ */

/* The kind and type of a named object inside apply -- COMMAND (IOMMUCTL_OBJECTS_JSON). */
static int env_kind_type(const char *name, enum ictl_obj_kind *kind, uint32_t *type)
{
	const char *path = getenv("IOMMUCTL_OBJECTS_JSON");
	json_object *doc = path ? json_object_from_file(path) : NULL, *o, *v;
	int r = -ENOENT;

	if (doc && json_object_object_get_ex(doc, "objects", &o) &&
	    json_object_object_get_ex(o, name, &o)) {
		const char *k = json_object_object_get_ex(o, "kind", &v) ? json_object_get_string(v) : "";

		for (*kind = 0; *kind < ICTL_OBJ_KIND_COUNT && strcmp(k, ictl_obj_kind_name(*kind));
		     (*kind)++)
			;
		*type = json_object_object_get_ex(o, "type", &v) ? (uint32_t)json_object_get_int64(v) : 0;
		r = 0;
	}
	json_object_put(doc);
	return r;
}

/* Which invalidation: --type, or what the target is (a nested HWPT's data type, a vIOMMU's type). */
static int inval_type(struct cli *cli, const struct held_set *set, const char *arg,
		      enum ictl_inval_type *t)
{
	const struct held_opts *o = cli->opts;
	const struct ictl_held_obj *obj = NULL;
	enum ictl_obj_kind kind = ICTL_OBJ_KIND_COUNT;
	uint32_t type = 0;
	uint64_t id;

	if (o->type) {
		if (ictl_inval_type_parse(o->type, t) < 0)
			return cli_error(cli, -EINVAL,
					 "--type %.24s: give selftest, selftest-viommu, intel-vtd or arm-smmuv3",
					 o->type);
		return 0;
	}
	if (!set->env) {
		obj = ictl_held_find_obj(&set->h, arg);
		for (size_t i = 0; !obj && !ictl_pt_parse_size(arg, &id) && i < set->h.nobjs; i++)
			obj = set->h.objs[i].id == id ? &set->h.objs[i] : NULL;
		if (obj) {
			kind = obj->kind;
			type = obj->type;
		}
	} else if (env_kind_type(arg, &kind, &type) < 0) {
		return cli_error(cli, -EINVAL,
				 "'%.40s': its kind and type are not known here (IOMMUCTL_OBJECTS_JSON): give --type",
				 arg);
	}
	if (kind == ICTL_OBJ_KIND_COUNT)
		return 0;	/* held_id says it is not there */
	if (ictl_inval_type_for(kind, type, t) < 0)
		return cli_error(cli, -EOPNOTSUPP,
				 "'%.40s' is a %s of type %#x: nothing this iommuctl invalidates (a nested HWPT or a vIOMMU of the selftest, VT-d or SMMUv3; or give --type)",
				 arg, ictl_obj_kind_name(kind), type);
	return 0;
}

struct inval_rec {
	const char *target;
	uint32_t id;
	const struct ictl_inval *inv;
	uint32_t done;
};

static json_object *inval_json(struct cli *cli, const void *data, int err)
{
	const struct inval_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "target", json_object_new_string(x->target));
	js_set(o, "id", js_uint(x->id));
	js_set(o, "type", json_object_new_string(ictl_inval_type_name(x->inv->type)));
	js_set(o, "entries", js_uint(x->inv->n));
	js_set(o, "done", js_uint(x->done));
	js_set(doc, "invalidated", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int inval_text(struct cli *cli, FILE *out, const void *data)
{
	const struct inval_rec *x = data;

	(void)cli;
	fprintf(out, "invalidated %u of %u %s entr%s on %s #%u\n", x->done, x->inv->n,
		ictl_inval_type_name(x->inv->type), x->inv->n == 1 ? "y" : "ies", x->target, x->id);
	return 0;
}

static const struct out_doc_view inval_view = { .json = inval_json, .text = inval_text };

int cmd_held_invalidate(struct cli *cli)
{
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct inval_rec x = { .target = cli->argv[0] };
	enum ictl_inval_type t = ICTL_INVAL_TYPE_COUNT;
	struct ictl_inval inv;
	int r;

	if ((r = held_load(cli, &set)) || (r = inval_type(cli, &set, cli->argv[0], &t)) ||
	    (r = held_id(cli, &set, "hwpt or viommu", cli->argv[0], &x.id)))
		return r;
	if (t == ICTL_INVAL_TYPE_COUNT)
		return cli_error(cli, -EINVAL, "'%.40s': which invalidation? give --type", cli->argv[0]);
	r = ictl_inval_parse(cli->ctx, t, cli->argv + 1, (size_t)cli->argc - 1, &inv);
	if (r < 0)
		return cli_lib_error(cli, r);
	x.inv = &inv;
	if (!(r = held_open(cli, &set, &s))) {
		r = ictl_hwpt_invalidate(s, x.id, inv.data_type, inv.entries, inv.entry_len, inv.n);
		if (r >= 0) {
			x.done = (uint32_t)r;
			r = out_doc(cli, &inval_view, &x, 0);
		} else {
			r = cli_lib_error(cli, r);
		}
	}
	ictl_inval_clear(&inv);
	return r;
}
