// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held invalidate HWPT|VIOMMU ENTRY...: IOMMU_HWPT_INVALIDATE with
 * typed entries (src/lib/held-inval.c parses them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

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
