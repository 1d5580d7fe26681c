// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl claim DEVICE|GROUP: hand every endpoint of a group to vfio-pci (or
 * a VFIO variant driver) as one transaction.  Also the report shared with
 * release: the members, the steps with their outcome, what is in use.
 */
#include <errno.h>
#include <string.h>

#include "cmds.h"

enum { OPT_PERSISTED = 0x300 };

const struct argp_option claim_options[] = {
	{ "driver", 'd', "DRIVER", 0, "The VFIO driver to use (default vfio-pci, or a variant)", 0 },
	{ "dry-run", 'n', NULL, 0, "Print the plan; change nothing", 0 },
	{ "force", 'f', NULL, 0, "Go ahead when a member is in use (an interface that is up, a mounted disk, the boot display)", 0 },
	{ "persisted", OPT_PERSISTED, NULL, 0,
	  "Run by a persist rule at boot: its driver_override is not recorded as the original", 0 },
	{ 0 }
};

error_t claim_parse(int key, char *arg, struct argp_state *state)
{
	struct claim_opts *o = ((struct cli *)state->input)->opts;

	switch (key) {
	case 'd':
		o->driver = arg;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	case 'f':
		o->force = true;
		return 0;
	case OPT_PERSISTED:
		o->persisted = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static json_object *present_member(const struct ictl_own_member *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(m->device));
	json_object_object_add(o, "role", json_object_new_string(m->bridge ? "bridge" : "endpoint"));
	json_object_object_add(o, "driver", js_str_or_null(m->driver));
	json_object_object_add(o, "driver_override", js_str_or_null(m->driver_override));
	json_object_object_add(o, "vfio_dev", js_str_or_null(m->vfio_dev));
	return o;
}

static json_object *present_steps(const struct ictl_own_plan *p)
{
	json_object *arr = json_object_new_array();
	char desc[256];

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct ictl_step *s = &p->steps[i];
		json_object *o = json_object_new_object();

		ictl_step_describe(p, s, desc, sizeof(desc));
		json_object_object_add(o, "step", json_object_new_int((int)i + 1));
		json_object_object_add(o, "action", json_object_new_string(ictl_step_kind_name(s->kind)));
		json_object_object_add(o, "device", s->kind == ICTL_STEP_MODPROBE ? NULL :
				       json_object_new_string(p->members[s->member].device));
		json_object_object_add(o, "value", js_str_or_null(s->value));
		json_object_object_add(o, "description", json_object_new_string(desc));
		json_object_object_add(o, "status",
				       json_object_new_string(ictl_step_status_name(s->status)));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *present_busy(const struct ictl_own_plan *p)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->nbusy; i++) {
		const struct ictl_busy *b = &p->busy[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(b->device));
		json_object_object_add(o, "kind", json_object_new_string(b->kind));
		json_object_object_add(o, "what", json_object_new_string(b->what));
		json_object_object_add(o, "reason", json_object_new_string(b->reason));
		json_object_object_add(o, "forceable", json_object_new_boolean(b->forceable));
		json_object_array_add(arr, o);
	}
	return arr;
}

static const char *result_name(const struct ictl_own_plan *p, bool dry_run, int err)
{
	if (err == -EBUSY)
		return "refused";
	if (err < 0)
		return p->rolled_back ? (p->rollback_ok ? "rolled back" : "rollback failed") : "failed";
	if (!p->nsteps)
		return p->release ? "not claimed" : "already claimed";
	if (dry_run)
		return "planned";
	return p->release ? "released" : "claimed";
}

static json_object *present_error(struct cli *cli, int err)
{
	json_object *e;

	if (err >= 0)
		return NULL;
	e = json_object_new_object();
	json_object_object_add(e, "message", json_object_new_string(ictl_strerror(cli->ctx)));
	json_object_object_add(e, "code", json_object_new_int(cli_exit_code(err)));
	return e;
}

static json_object *present_plan(struct cli *cli, const struct ictl_own_plan *p, bool dry_run,
				 int err)
{
	json_object *doc = json_object_new_object(), *members = json_object_new_array();

	for (size_t i = 0; i < p->nmembers; i++)
		json_object_array_add(members, present_member(&p->members[i]));
	json_object_object_add(doc, "action", json_object_new_string(p->release ? "release" : "claim"));
	json_object_object_add(doc, "group", json_object_new_int((int)p->group));
	json_object_object_add(doc, "target", js_str_or_null(p->target));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(doc, "result", json_object_new_string(result_name(p, dry_run, err)));
	json_object_object_add(doc, "changed", json_object_new_boolean(p->changed));
	json_object_object_add(doc, "recovered", json_object_new_boolean(p->recovered));
	json_object_object_add(doc, "members", members);
	json_object_object_add(doc, "in_use", present_busy(p));
	json_object_object_add(doc, "steps", present_steps(p));
	json_object_object_add(doc, "error", present_error(cli, err));
	return doc;
}

static const char *str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(out_get(o, key));

	return s ? s : "-";
}

static void text_members(json_object *doc, FILE *out)
{
	json_object *m = out_get(doc, "members"), *busy = out_get(doc, "in_use");

	for (size_t i = 0; i < json_object_array_length(m); i++) {
		json_object *d = json_object_array_get_idx(m, i);

		fprintf(out, "  %-14s %-9s driver %-12s driver_override %s\n", str(d, "device"),
			str(d, "role"), str(d, "driver"), str(d, "driver_override"));
	}
	for (size_t i = 0; i < json_object_array_length(busy); i++) {
		json_object *b = json_object_array_get_idx(busy, i);

		fprintf(out, "  in use: %s: %s\n", str(b, "device"), str(b, "reason"));
	}
}

static int text_plan(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *steps = out_get(doc, "steps"), *err = out_get(doc, "error");
	bool dry = json_object_get_boolean(out_get(doc, "dry_run"));

	fprintf(out, "Group %s: %s%s%s\n", str(doc, "group"), str(doc, "action"),
		out_get(doc, "target") ? " for " : "",
		out_get(doc, "target") ? str(doc, "target") : "");
	text_members(doc, out);
	if (json_object_get_boolean(out_get(doc, "recovered")))
		fprintf(out, "An interrupted transaction was recovered first.\n");
	if (json_object_array_length(steps))
		fprintf(out, "%s\n", dry ? "Plan (dry run: nothing is changed):" : "Steps:");
	for (size_t i = 0; i < json_object_array_length(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i);

		if (dry)
			fprintf(out, "  %2s. %s\n", str(s, "step"), str(s, "description"));
		else
			fprintf(out, "  %2s. %-60s %s\n", str(s, "step"), str(s, "description"),
				str(s, "status"));
	}
	fprintf(out, "Result: %s\n", str(doc, "result"));
	if (err)
		fprintf(stderr, "iommuctl: %s\n", str(err, "message"));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

int own_report(struct cli *cli, const struct ictl_own_plan *p, bool dry_run, int err)
{
	struct out_view view = { .text = text_plan };
	json_object *doc = present_plan(cli, p, dry_run, err);
	int r = out_print(cli, doc, &view);

	json_object_put(doc);
	return err < 0 ? cli_exit_code(err) : r;
}

int cmd_claim(struct cli *cli)
{
	struct claim_opts *o = cli->opts;
	struct ictl_own_opts oo = { .dry_run = o->dry_run, .force = o->force,
				    .persisted = o->persisted };
	struct ictl_own_plan plan;
	unsigned int group;
	int r;

	ictl_own_opts_from_env(&oo);
	r = ictl_own_resolve(cli->ctx, cli->argv[0], &group);
	if (!r)
		r = ictl_claim_plan(cli->ctx, group, o->driver ? o->driver : "vfio-pci", &plan);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_own_apply(cli->ctx, &oo, &plan);
	r = own_report(cli, &plan, o->dry_run, r);
	ictl_own_plan_clear(&plan);
	return r;
}
