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

#define ENTRY(rec) ((const struct ictl_persist_entry *)(rec))

static const char *cell_device(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ENTRY(rec)->device;
}

static const char *cell_driver(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ENTRY(rec)->driver;
}

static const char *cell_group(const void *rec, char *buf, size_t len)
{
	if (ENTRY(rec)->group < 0)
		return NULL;
	snprintf(buf, len, "%d", ENTRY(rec)->group);
	return buf;
}

static const char *cell_file(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ENTRY(rec)->path;
}

static const char *cell_problem(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ENTRY(rec)->problem;
}

static const char *cell_run(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ENTRY(rec)->run;
}

const struct out_col persist_columns[] = {
	{ "DEVICE", "PCI address the rule matches", COL_DEFAULT, 0, cell_device },
	{ "DRIVER", "the VFIO driver the rule binds", COL_DEFAULT, 0, cell_driver },
	{ "GROUP", "IOMMU group when written (it may change)", COL_DEFAULT | COL_RIGHT, 0, cell_group },
	{ "FILE", "the rules file", COL_DEFAULT, 0, cell_file },
	{ "PROBLEM", "why the file is not as iommuctl writes it; - when it is", COL_DEFAULT, 0,
	  cell_problem },
	{ "RUN", "what the rule makes udev run (its RUN keys, ; between them)", 0, 0, cell_run },
	{ 0 }
};

/* --- persist, persist --remove ------------------------------------------------------- */

static bool to_change(const struct ictl_persist_file *f)
{
	return f->action == ICTL_PERSIST_WRITE || f->action == ICTL_PERSIST_REWRITE ||
	       f->action == ICTL_PERSIST_REMOVE;
}

struct persist_rec {
	const struct ictl_persist_plan *p;
	bool dry_run;
	int err;
};

static const char *result_name(const struct persist_rec *x)
{
	const struct ictl_persist_plan *p = x->p;
	bool todo = false;

	for (size_t i = 0; i < p->nfiles; i++)
		todo |= to_change(&p->files[i]);
	if (x->err < 0)
		return "failed";
	if (todo && x->dry_run)
		return "planned";
	if (p->remove)
		return todo ? "removed" : "not persisted";
	return todo ? "persisted" : "already persisted";
}

static json_object *present_file(const struct ictl_persist_file *f)
{
	json_object *o = json_object_new_object();

	js_set(o, "device", json_object_new_string(f->device));
	js_set(o, "driver", js_str(f->driver));
	js_set(o, "path", json_object_new_string(f->path));
	js_set(o, "action", json_object_new_string(ictl_persist_action_name(f->action)));
	js_set(o, "done", js_bool(f->done));
	js_set(o, "content", f->content ? json_object_new_string(f->content) : NULL);
	return o;
}

static json_object *plan_json(struct cli *cli, const void *data, int err)
{
	const struct persist_rec *x = data;
	const struct ictl_persist_plan *p = x->p;
	json_object *doc = json_object_new_object(), *devs = json_object_new_array();
	json_object *files = json_object_new_array();

	for (size_t i = 0; i < p->nfiles; i++) {
		json_object_array_add(devs, json_object_new_string(p->files[i].device));
		json_object_array_add(files, present_file(&p->files[i]));
	}
	js_set(doc, "action", json_object_new_string(p->remove ? "remove" : "persist"));
	js_set(doc, "group", p->have_group ? js_int(p->group) : NULL);
	js_set(doc, "mechanism", json_object_new_string("udev"));
	js_set(doc, "dry_run", js_bool(x->dry_run));
	js_set(doc, "result", json_object_new_string(result_name(x)));
	js_set(doc, "changed", js_bool(p->changed));
	js_set(doc, "claimed", js_bool(p->claimed));
	js_set(doc, "devices", devs);
	js_set(doc, "files", files);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

/* What happened to a file, in words: "written", "would write", "unchanged", ... */
static const char *file_status(const struct ictl_persist_file *f, bool dry)
{
	static const struct {
		enum ictl_persist_action action;
		const char *done, *not_done, *dry;
	} words[] = {
		{ ICTL_PERSIST_WRITE, "written", "not written", "would write" },
		{ ICTL_PERSIST_REWRITE, "rewritten", "not rewritten", "would rewrite" },
		{ ICTL_PERSIST_REMOVE, "removed", "not removed", "would remove" },
		{ ICTL_PERSIST_UNCHANGED, "unchanged", "unchanged", "unchanged" },
		{ ICTL_PERSIST_ABSENT, "not persisted", "not persisted", "not persisted" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (f->action == words[i].action)
			return dry ? words[i].dry : f->done ? words[i].done : words[i].not_done;
	}
	return ictl_persist_action_name(f->action);
}

static void text_files(const struct ictl_persist_plan *p, bool dry, FILE *out)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct ictl_persist_file *f = &p->files[i];
		const char *l = f->content;

		fprintf(out, "  %-14s %-10s %-15s %s\n", esc_text(f->device), esc_text(dash(f->driver)),
			file_status(f, dry), esc_text(f->path));
		if (!dry || f->action == ICTL_PERSIST_UNCHANGED)
			continue;
		while (l && *l) {
			size_t n = strcspn(l, "\n");

			fprintf(out, "      %.*s\n", (int)n, l);
			l += n + (l[n] != '\0');
		}
	}
}

static void text_result(const struct persist_rec *x, FILE *out)
{
	const char *r = result_name(x);

	fprintf(out, "Result: %s", r);
	if (!strcmp(r, "planned"))
		fprintf(out, " (dry run: nothing is changed)");
	else if (!strcmp(r, "already persisted"))
		fprintf(out, ": nothing written");
	else if (!strcmp(r, "not persisted"))
		fprintf(out, ": nothing to remove");
	if ((!strcmp(r, "removed") || (!strcmp(r, "planned") && x->p->remove)) && x->p->claimed)
		fprintf(out, "; the group stays claimed until 'iommuctl release %u'", x->p->group);
	fputc('\n', out);
}

static int plan_text(struct cli *cli, FILE *out, const void *data)
{
	const struct persist_rec *x = data;
	const struct ictl_persist_plan *p = x->p;

	(void)cli;
	if (p->have_group)
		fprintf(out, "Group %u: ", p->group);
	else
		fprintf(out, "%s (not on this system): ", p->nfiles ? p->files[0].device : "-");
	fprintf(out, "%s\n", p->remove ? "remove the persisted claim (udev rules)" :
					 "persist the claim across reboots (udev rules)");
	text_files(p, x->dry_run, out);
	text_result(x, out);
	return 0;
}

static const struct out_doc_view plan_view = { .json = plan_json, .text = plan_text };

static int persist_one(struct cli *cli, const struct persist_opts *o)
{
	struct ictl_persist_plan plan;
	int r = ictl_persist_plan(cli->ctx, cli->argv[0], o->remove, &plan);

	if (r < 0)
		return cli_lib_error(cli, r);
	if (!o->dry_run)
		r = ictl_persist_apply(cli->ctx, &plan);
	r = out_doc(cli, &plan_view, &(struct persist_rec){ &plan, o->dry_run, r }, r);
	ictl_persist_plan_clear(&plan);
	return r;
}

/* --- persist --list ----------------------------------------------------------------- */

static json_object *entry_json(const void *rec)
{
	const struct ictl_persist_entry *e = rec;
	json_object *o = json_object_new_object();

	js_set(o, "device", json_object_new_string(e->device));
	js_set(o, "driver", js_str(e->driver));
	js_set(o, "group", e->group >= 0 ? js_int(e->group) : NULL);
	js_set(o, "file", json_object_new_string(e->path));
	js_set(o, "problem", js_str(e->problem));
	js_set(o, "run", js_str(e->run));
	return o;
}

static const struct out_list_view list_view = {
	.key = "persisted", .cols = persist_columns, .json = entry_json,
};

static int persist_list(struct cli *cli)
{
	struct ictl_persist_entry *e;
	json_object *head;
	struct out_list *l;
	char dir[4096];
	int r, code;
	size_t n;

	l = out_list_begin(cli, &list_view, &code);
	if (!l)
		return code;
	r = ictl_persist_list(cli->ctx, &e, &n);
	if (r < 0)
		return out_list_end(l, r);
	ictl_persist_dir(cli->ctx, dir, sizeof(dir));
	head = json_object_new_object();
	js_set(head, "mechanism", json_object_new_string("udev"));
	js_set(head, "directory", json_object_new_string(dir));
	out_list_head(l, head);
	out_list_empty_note(l, "Nothing is persisted: no iommuctl rules in %s.", dir);
	for (size_t i = 0; i < n && !out_list_row(l, &e[i]); i++)
		;
	free(e);
	return out_list_end(l, 0);
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
