// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl persist DEVICE|GROUP: make a group's claim survive a reboot (a udev
 * rule per endpoint); --remove undoes it; --list shows what is persisted.
 */
#include <errno.h>
#include <string.h>

#include "cmds.h"

const struct argp_option persist_options[] = {
	{ "remove", 'r', NULL, 0,
	  "Remove the rules of the group's endpoints (the group stays claimed)", 0 },
	{ "list", 'l', NULL, 0, "List the persisted devices, read back from the rule files", 0 },
	{ "dry-run", 'n', NULL, 0, "Print the files and their content; change nothing", 0 },
	{ 0 }
};

error_t persist_parse(int key, char *arg, struct argp_state *state)
{
	struct persist_opts *o = ((struct cli *)state->input)->opts;

	(void)arg;
	switch (key) {
	case 'r':
		o->remove = true;
		return 0;
	case 'l':
		o->list = true;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct out_col persist_columns[] = {
	{ "DEVICE", "device", "PCI address the rule matches", COL_DEFAULT, 0, NULL },
	{ "DRIVER", "driver", "the VFIO driver the rule binds", COL_DEFAULT, 0, NULL },
	{ "GROUP", "group", "IOMMU group when written (it may change)", COL_DEFAULT | COL_RIGHT, 0,
	  NULL },
	{ "FILE", "file", "the rules file", COL_DEFAULT, 0, NULL },
	{ "PROBLEM", "problem", "why the file is not as iommuctl writes it; - when it is",
	  COL_DEFAULT, 0, NULL },
	{ 0 }
};

/* --- persist, persist --remove ------------------------------------------------------- */

static bool to_change(const struct ictl_persist_file *f)
{
	return f->action == ICTL_PERSIST_WRITE || f->action == ICTL_PERSIST_REWRITE ||
	       f->action == ICTL_PERSIST_REMOVE;
}

static const char *result_name(const struct ictl_persist_plan *p, bool dry_run, int err)
{
	bool todo = false;

	for (size_t i = 0; i < p->nfiles; i++)
		todo |= to_change(&p->files[i]);
	if (err < 0)
		return "failed";
	if (todo && dry_run)
		return "planned";
	if (p->remove)
		return todo ? "removed" : "not persisted";
	return todo ? "persisted" : "already persisted";
}

static json_object *present_file(const struct ictl_persist_file *f)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(f->device));
	json_object_object_add(o, "driver", js_str_or_null(f->driver));
	json_object_object_add(o, "path", json_object_new_string(f->path));
	json_object_object_add(o, "action",
			       json_object_new_string(ictl_persist_action_name(f->action)));
	json_object_object_add(o, "done", json_object_new_boolean(f->done));
	json_object_object_add(o, "content",
			       f->content ? json_object_new_string(f->content) : NULL);
	return o;
}

static json_object *present_plan(struct cli *cli, const struct ictl_persist_plan *p, bool dry_run,
				 int err)
{
	json_object *doc = json_object_new_object(), *devs = json_object_new_array();
	json_object *files = json_object_new_array();

	for (size_t i = 0; i < p->nfiles; i++) {
		json_object_array_add(devs, json_object_new_string(p->files[i].device));
		json_object_array_add(files, present_file(&p->files[i]));
	}
	json_object_object_add(doc, "action",
			       json_object_new_string(p->remove ? "remove" : "persist"));
	json_object_object_add(doc, "group",
			       p->have_group ? json_object_new_int((int)p->group) : NULL);
	json_object_object_add(doc, "mechanism", json_object_new_string("udev"));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(doc, "result", json_object_new_string(result_name(p, dry_run, err)));
	json_object_object_add(doc, "changed", json_object_new_boolean(p->changed));
	json_object_object_add(doc, "claimed", json_object_new_boolean(p->claimed));
	json_object_object_add(doc, "devices", devs);
	json_object_object_add(doc, "files", files);
	json_object_object_add(doc, "error", present_error(cli, err));
	return doc;
}

/* What happened to a file, in words: "written", "would write", "unchanged", ... */
static const char *file_status(json_object *f, bool dry)
{
	static const struct {
		const char *action, *done, *not_done, *dry;
	} words[] = {
		{ "write", "written", "not written", "would write" },
		{ "rewrite", "rewritten", "not rewritten", "would rewrite" },
		{ "remove", "removed", "not removed", "would remove" },
		{ "unchanged", "unchanged", "unchanged", "unchanged" },
		{ "absent", "not persisted", "not persisted", "not persisted" },
	};
	const char *a = out_str(f, "action");

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(a, words[i].action))
			continue;
		if (dry)
			return words[i].dry;
		return json_object_get_boolean(out_get(f, "done")) ? words[i].done :
								     words[i].not_done;
	}
	return a;
}

static void text_files(json_object *doc, bool dry, FILE *out)
{
	json_object *files = out_get(doc, "files");

	for (size_t i = 0; i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		const char *l = json_object_get_string(out_get(f, "content"));

		fprintf(out, "  %-14s %-10s %-15s %s\n", out_str(f, "device"), out_str(f, "driver"),
			file_status(f, dry), out_str(f, "path"));
		if (!dry || !strcmp(out_str(f, "action"), "unchanged"))
			continue;
		while (l && *l) {
			size_t n = strcspn(l, "\n");

			fprintf(out, "      %.*s\n", (int)n, l);
			l += n + (l[n] != '\0');
		}
	}
}

static void text_result(json_object *doc, FILE *out)
{
	const char *r = out_str(doc, "result"), *g = out_str(doc, "group");

	fprintf(out, "Result: %s", r);
	if (!strcmp(r, "planned"))
		fprintf(out, " (dry run: nothing is changed)");
	else if (!strcmp(r, "already persisted"))
		fprintf(out, ": nothing written");
	else if (!strcmp(r, "not persisted"))
		fprintf(out, ": nothing to remove");
	if ((!strcmp(r, "removed") ||
	     (!strcmp(r, "planned") && !strcmp(out_str(doc, "action"), "remove"))) &&
	    json_object_get_boolean(out_get(doc, "claimed")))
		fprintf(out, "; the group stays claimed until 'iommuctl release %s'", g);
	fputc('\n', out);
}

static int text_plan(struct cli *cli, json_object *doc, FILE *out)
{
	bool dry = json_object_get_boolean(out_get(doc, "dry_run"));
	bool remove = !strcmp(out_str(doc, "action"), "remove");
	json_object *err = out_get(doc, "error");

	if (out_get(doc, "group"))
		fprintf(out, "Group %s: ", out_str(doc, "group"));
	else
		fprintf(out, "%s (not on this system): ",
			out_str(json_object_array_get_idx(out_get(doc, "files"), 0), "device"));
	fprintf(out, "%s\n",
		remove ? "remove the persisted claim (udev rules)" :
			 "persist the claim across reboots (udev rules)");
	text_files(doc, dry, out);
	text_result(doc, out);
	if (err)
		fprintf(stderr, "iommuctl: %s\n", out_str(err, "message"));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

static int persist_one(struct cli *cli, const struct persist_opts *o)
{
	struct ictl_persist_plan plan;
	int r = ictl_persist_plan(cli->ctx, cli->argv[0], o->remove, &plan);

	if (r < 0)
		return cli_lib_error(cli, r);
	if (!o->dry_run)
		r = ictl_persist_apply(cli->ctx, &plan);
	r = out_report(cli, present_plan(cli, &plan, o->dry_run, r), text_plan, r);
	ictl_persist_plan_clear(&plan);
	return r;
}

/* --- persist --list ----------------------------------------------------------------- */

static int text_empty(struct cli *cli, json_object *doc, FILE *out)
{
	fprintf(out, "Nothing is persisted: no iommuctl rules in %s.\n", out_str(doc, "directory"));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

static int persist_list(struct cli *cli)
{
	struct out_view view = { .rows = "persisted", .cols = persist_columns };
	json_object *doc, *arr;
	struct ictl_persist_entry *e;
	char dir[4096];
	size_t n;
	int r = out_check_columns(cli, view.cols);

	if (r)
		return r;
	r = ictl_persist_list(cli->ctx, &e, &n);
	if (r < 0)
		return cli_lib_error(cli, r);
	ictl_persist_dir(cli->ctx, dir, sizeof(dir));
	doc = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(e[i].device));
		json_object_object_add(o, "driver", js_str_or_null(e[i].driver));
		json_object_object_add(o, "group",
				       e[i].group >= 0 ? json_object_new_int(e[i].group) : NULL);
		json_object_object_add(o, "file", json_object_new_string(e[i].path));
		json_object_object_add(o, "problem", js_str_or_null(e[i].problem));
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "mechanism", json_object_new_string("udev"));
	json_object_object_add(doc, "directory", json_object_new_string(dir));
	json_object_object_add(doc, "persisted", arr);
	if (!n)
		view = (struct out_view){ .text = text_empty };
	r = out_print(cli, doc, &view);
	json_object_put(doc);
	free(e);
	return r;
}

int cmd_persist(struct cli *cli)
{
	struct persist_opts *o = cli->opts;

	if (o->list && (o->remove || o->dry_run || cli->argc))
		return cli_error(cli, -EINVAL,
				 "--list takes no DEVICE|GROUP and no --remove or --dry-run");
	if (o->list)
		return persist_list(cli);
	if (!cli->argc)
		return cli_error(cli, -EINVAL,
				 "missing DEVICE|GROUP (or --list): see 'iommuctl persist --help'");
	return persist_one(cli, o);
}
