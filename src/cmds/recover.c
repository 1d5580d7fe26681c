// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl recover: finish or undo every claim or release that was interrupted. */
#include <errno.h>

#include "cmds.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int text_recover(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *arr = out_get(doc, "recovered");
	size_t n = json_object_array_length(arr);

	if (!n)
		fprintf(out, "Nothing to recover.\n");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		bool ok = json_object_get_boolean(out_get(o, "ok"));

		fprintf(out, "Group %s: interrupted %s %s\n",
			json_object_get_string(out_get(o, "group")),
			json_object_get_string(out_get(o, "phase")),
			ok ? "recovered: every member is as recorded" : "could NOT be recovered");
	}
	if (out_get(doc, "error"))
		fprintf(stderr, "iommuctl: %s\n",
			json_object_get_string(out_get(out_get(doc, "error"), "message")));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

static json_object *error_object(struct cli *cli)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "message", json_object_new_string(ictl_strerror(cli->ctx)));
	json_object_object_add(e, "code", json_object_new_int(cli_exit_code(-EIO)));
	return e;
}

int cmd_recover(struct cli *cli)
{
	struct ictl_own_opts oo = { 0 };
	struct ictl_recovered rec[64];
	struct out_view view = { .text = text_recover };
	json_object *doc, *arr;
	bool failed = false;
	int n, r;

	ictl_own_opts_from_env(&oo);
	n = ictl_own_recover(cli->ctx, &oo, rec, ARRAY_LEN(rec));
	if (n < 0)
		return cli_lib_error(cli, n);
	doc = json_object_new_object();
	arr = json_object_new_array();
	for (int i = 0; i < n && i < (int)ARRAY_LEN(rec); i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "group", json_object_new_int((int)rec[i].group));
		json_object_object_add(o, "phase", json_object_new_string(rec[i].phase));
		json_object_object_add(o, "ok", json_object_new_boolean(rec[i].ok));
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "recovered", arr);
	for (int i = 0; i < n && i < (int)ARRAY_LEN(rec); i++)
		failed |= !rec[i].ok;
	json_object_object_add(doc, "error", failed ? error_object(cli) : NULL);
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	return failed ? cli_exit_code(-EIO) : r;
}
