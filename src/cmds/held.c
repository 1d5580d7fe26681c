// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held COMMAND: act on the objects of an iommufd handed over by
 * "iommuctl apply SPEC -- COMMAND" (src/lib/held.h).  Run inside that command
 * (a shell, a script, a VMM's helper): the iommufd is IOMMUCTL_IOMMUFD, the
 * objects are named by IOMMUCTL_OBJECTS and the mappings by IOMMUCTL_MAPPINGS.
 * Or from another shell, on the set a holder published (--pid).
 *
 *   held list                           the holders (held.c)
 *   held objects                        the objects and mappings by name (held.c)
 *   held dirty HWPT IOVA LENGTH         the dirty pages of a paging HWPT (held-dirty.c)
 *   held map IOAS LENGTH, held copy     map new memory, copy a mapping (held-maps.c)
 *   held unmap IOAS IOVA LENGTH         unmap what is mapped there (held-maps.c)
 *   held events QUEUE, held respond     event queues (held-events.c)
 *   held invalidate HWPT|VIOMMU ENTRY   invalidation (held-invalidate.c)
 *
 * Finding the set, its iommufd and its names: held-set.c (held-cmds.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

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
				 "held needs a command: list, objects, dirty, map, copy, unmap, events, respond or invalidate ('iommuctl held --help')");
	return cli_error(cli, -EINVAL,
			 "unknown held command '%.32s': give list, objects, dirty, map, copy, unmap, events, respond or invalidate", cli->argv[0]);
}

/* --- options ----------------------------------------------------------------------------- */

enum { OPT_PAGE_SIZE = 0x600, OPT_ENABLE, OPT_KEEP, OPT_PID, OPT_COUNT, OPT_TIMEOUT, OPT_COOKIE,
       OPT_CODE, OPT_TYPE, OPT_IOVA, OPT_MEMORY, OPT_FILE, OPT_OFFSET, OPT_ACCESS, OPT_NAME };

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

#define HELD_MAP_OPTIONS                                                                        \
	{ "iova", OPT_IOVA, "IOVA", 0, "Map at IOVA (default: where the kernel puts it, printed)", 0 }, \
	{ "access", OPT_ACCESS, "r|w|rw", 0, "What the device may do (default rw)", 0 },          \
	{ "name", OPT_NAME, "NAME", 0, "Name the mapping (held objects, and an IOVA argument)", 0 }

const struct argp_option held_map_options[] = {
	{ "memory", OPT_MEMORY, "KIND", 0, "anon, memfd (default), hugetlb-2M or hugetlb-1G", 0 },
	{ "file", OPT_FILE, "PATH", 0, "Map this file instead (read-only unless on tmpfs/hugetlbfs)", 0 },
	{ "offset", OPT_OFFSET, "N", 0, "Where in --file the mapping starts (default 0)", 0 },
	HELD_MAP_OPTIONS,
	HELD_PID_OPTION,
	{ 0 }
};

const struct argp_option held_copy_options[] = { HELD_MAP_OPTIONS, HELD_PID_OPTION, { 0 } };

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
	case OPT_IOVA:
		o->iova = arg;
		return 0;
	case OPT_MEMORY:
		o->memory = arg;
		return 0;
	case OPT_FILE:
		o->file = arg;
		return 0;
	case OPT_OFFSET:
		o->offset = arg;
		return 0;
	case OPT_ACCESS:
		o->access = arg;
		return 0;
	case OPT_NAME:
		o->name = arg;
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
	const struct ictl_held *cur;	/* the holder's set now (notes applied), or NULL */
};

/* The mappings other processes made (held map, held copy), from the holder's notes. */
static json_object *added_json(const struct ictl_held *h)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; h && i < h->nmaps; i++) {
		const struct ictl_held_map *m = &h->maps[i];
		json_object *j;

		if (!m->by)
			continue;
		j = json_object_new_object();
		js_set(j, "name", js_str(m->name));
		js_set(j, "ioas", js_uint(m->ioas));
		js_set(j, "iova", js_hex(m->iova, 0));
		js_set(j, "length", js_uint(m->length));
		js_set(j, "memory", json_object_new_string(m->memory));
		js_set(j, "by", js_int(m->by));
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *objects_json(struct cli *cli, const void *data, int err)
{
	const struct objects_rec *x = data;
	const struct pair_rec *v = x->v;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *m = json_object_new_object();

	for (; v->kind; v++) {
		if (!strcmp(v->kind, "object"))
			js_set(o, v->name, js_uint(v->v));
		else if (strcmp(v->name, "-"))
			js_set(m, v->name, js_hex(v->v, 0));
	}
	js_set(doc, "objects", o);
	js_set(doc, "mappings", m);
	js_set(doc, "added", added_json(x->cur));
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

/* The holder's named objects into recs from n, as the environment's would be. */
static size_t objs_from_holder(const struct ictl_held *h, struct pair_rec *recs, size_t n,
			       size_t max)
{
	for (size_t i = 0; i < h->nobjs && n + 1 < max; i++) {
		if (!h->objs[i].name[0])
			continue;
		recs[n] = (struct pair_rec){ "object", "", h->objs[i].id };
		snprintf(recs[n++].name, sizeof(recs[0].name), "%s", h->objs[i].name);
	}
	return n;
}

/* Its named mappings, and those other processes made ("-" when unnamed). */
static void maps_from_holder(const struct ictl_held *h, struct pair_rec *recs, size_t n,
			     size_t max)
{
	for (size_t i = 0; i < h->nmaps && n + 1 < max; i++) {
		if (!h->maps[i].name[0] && !h->maps[i].by)
			continue;
		recs[n] = (struct pair_rec){ "mapping", "", h->maps[i].iova };
		snprintf(recs[n++].name, sizeof(recs[0].name), "%s",
			 h->maps[i].name[0] ? h->maps[i].name : "-");
	}
}

int cmd_held_objects(struct cli *cli)
{
	static struct pair_rec recs[2 * ICTL_HELD_ITEMS_MAX + 1];
	_cleanup_held_set_ struct held_set set = { 0 };
	struct ictl_held cur;
	bool have_cur;
	size_t n;
	int r;

	memset(recs, 0, sizeof(recs));
	if ((r = held_load(cli, &set)))
		return r;
	if (!set.env) {
		n = objs_from_holder(&set.h, recs, 0, ARRAY_SIZE(recs));
		maps_from_holder(&set.h, recs, n, ARRAY_SIZE(recs));
		return out_doc(cli, &objects_view, &(struct objects_rec){ &set, recs, &set.h }, 0);
	}
	if (!getenv("IOMMUCTL_OBJECTS"))
		return cli_error(cli, -EINVAL,
				 "no IOMMUCTL_OBJECTS: run under 'iommuctl apply SPEC -- COMMAND'");
	n = split(getenv("IOMMUCTL_OBJECTS"), "object", recs, 0, 257);
	/* The mappings as they are now when the holder's set says (held map, unmap since). */
	have_cur = !held_current(cli, &set, &cur);
	if (have_cur)
		maps_from_holder(&cur, recs, n, ARRAY_SIZE(recs));
	else
		split(getenv("IOMMUCTL_MAPPINGS"), "mapping", recs, n, 257);
	r = out_doc(cli, &objects_view, &(struct objects_rec){ &set, recs, have_cur ? &cur : NULL }, 0);
	if (have_cur)
		ictl_held_clear(&cur);
	return r;
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
