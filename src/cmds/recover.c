// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl recover: finish or undo every claim or release that was interrupted. */
#include <errno.h>

#include "../lib/held.h"
#include "cmds.h"

struct recover_rec {
	const struct ictl_recovered *v;
	size_t n;
	const struct ictl_held_recovered *held;	/* held sets whose holder is gone */
	size_t nheld;
	bool failed;
};

static int recover_text(struct cli *cli, FILE *out, const void *data)
{
	const struct recover_rec *x = data;

	(void)cli;
	if (!x->n && !x->nheld)
		fprintf(out, "Nothing to recover.\n");
	for (size_t i = 0; i < x->n; i++) {
		/* No phase: the journal (or its lock) could not be used; nothing was done. */
		if (!x->v[i].phase[0])
			fprintf(out, "Group %u: not recovered: nothing was done\n", x->v[i].group);
		else
			fprintf(out, "Group %u: interrupted %s %s\n", x->v[i].group, x->v[i].phase,
				x->v[i].ok ? "recovered: every member is as recorded" :
					     "could NOT be recovered");
	}
	for (size_t i = 0; i < x->nheld; i++) {
		const struct ictl_held_recovered *h = &x->held[i];

		fprintf(out, "Held set of pid %d (gone): ", h->pid);
		for (size_t g = 0; g < h->ngroups; g++)
			fprintf(out, "%s%u", g ? ", " : "group ", h->groups[g]);
		fprintf(out, "%s%s\n", h->ngroups ? (h->ok ? " given back; " : " NOT all given back; ") : "",
			h->ok ? "state file removed" : "state file kept");
	}
	return 0;
}

static json_object *recover_json(struct cli *cli, const void *data, int err)
{
	const struct recover_rec *x = data;
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	for (size_t i = 0; i < x->n; i++) {
		json_object *o = json_object_new_object();

		js_set(o, "group", js_int(x->v[i].group));
		js_set(o, "phase", json_object_new_string(x->v[i].phase));
		js_set(o, "ok", js_bool(x->v[i].ok));
		json_object_array_add(arr, o);
	}
	js_set(doc, "recovered", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < x->nheld; i++) {
		json_object *o = json_object_new_object(), *g = json_object_new_array();

		js_set(o, "pid", js_int(x->held[i].pid));
		for (size_t k = 0; k < x->held[i].ngroups; k++)
			json_object_array_add(g, js_uint(x->held[i].groups[k]));
		js_set(o, "groups", g);
		js_set(o, "ok", js_bool(x->held[i].ok));
		json_object_array_add(arr, o);
	}
	js_set(doc, "held", arr);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static const struct out_doc_view recover_view = { .json = recover_json, .text = recover_text };

int cmd_recover(struct cli *cli)
{
	struct ictl_own_opts oo = { 0 };
	struct ictl_recovered rec[64];
	struct ictl_held_recovered held[64];
	struct recover_rec x = { .v = rec, .held = held };
	int n;

	ictl_own_opts_from_env(&oo);
	n = ictl_own_recover(cli->ctx, &oo, rec, ARRAY_SIZE(rec));
	if (n < 0)
		return cli_lib_error(cli, n);
	x.n = (size_t)n < ARRAY_SIZE(rec) ? (size_t)n : ARRAY_SIZE(rec);
	for (size_t i = 0; i < x.n; i++)
		x.failed |= !rec[i].ok;
	/* then the sets of holders killed before they could give back what they claimed */
	n = ictl_held_recover(cli->ctx, &oo, held, ARRAY_SIZE(held));
	if (n < 0)
		return cli_lib_error(cli, n);
	x.nheld = (size_t)n < ARRAY_SIZE(held) ? (size_t)n : ARRAY_SIZE(held);
	for (size_t i = 0; i < x.nheld; i++)
		x.failed |= !held[i].ok;
	/* A group that could not be recovered: the library's message says why (exit 1). */
	return out_doc(cli, &recover_view, &x, x.failed ? -EIO : 0);
}
