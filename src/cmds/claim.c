// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl claim DEVICE|GROUP: hand every endpoint of a group to vfio-pci (or
 * a VFIO variant driver) as one transaction.  Also the report shared with
 * release: the members, the steps with their outcome, what is in use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"

enum { OPT_BIND = 0x100, OPT_LEGACY, OPT_PERSISTED };

const struct argp_option claim_options[] = {
	{ "driver", 'd', "DRIVER", 0, "The VFIO driver to use (default vfio-pci, or a variant)", 0 },
	{ "dry-run", 'n', NULL, 0, "Print the plan; change nothing", 0 },
	{ "force", 'f', NULL, 0, "Go ahead when a member is in use (an interface that is up, a mounted disk, the boot display)", 0 },
	{ "hold", 'H', NULL, 0, "Then open and bind the devices' VFIO nodes, keep DMA ownership until SIGINT or SIGTERM, and release", 0 },
	{ "bind", OPT_BIND, NULL, 0, "With -- COMMAND: bind the cdevs to the iommufd before running it (by default the command binds them, as QEMU does)", 0 },
	{ "legacy", OPT_LEGACY, NULL, 0, "Hold through the legacy /dev/vfio/GROUP and a type1 container, even when iommufd is there", 0 },
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
	case 'H':
		o->hold = true;
		return 0;
	case OPT_BIND:
		o->bind = true;
		return 0;
	case OPT_LEGACY:
		o->legacy = true;
		return 0;
	case OPT_PERSISTED:
		o->persisted = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static json_object *present_steps(const struct ictl_own_plan *p)
{
	json_object *arr = json_object_new_array();
	char desc[256];

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct ictl_step *s = &p->steps[i];
		json_object *o = json_object_new_object();

		ictl_step_describe(p, s, desc, sizeof(desc));
		js_set(o, "step", js_int((long long)i + 1));
		js_set(o, "action", json_object_new_string(ictl_step_kind_name(s->kind)));
		js_set(o, "device", s->kind == ICTL_STEP_MODPROBE ? NULL :
				    json_object_new_string(p->members[s->member].device));
		js_set(o, "value", js_str(s->value));
		js_set(o, "description", json_object_new_string(desc));
		js_set(o, "status", json_object_new_string(ictl_step_status_name(s->status)));
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

		js_set(o, "device", json_object_new_string(b->device));
		js_set(o, "kind", json_object_new_string(b->kind));
		js_set(o, "what", json_object_new_string(b->what));
		js_set(o, "reason", json_object_new_string(b->reason));
		js_set(o, "forceable", js_bool(b->forceable));
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

/* A claim or release and its outcome; err is the transaction's. */
struct plan_rec {
	const struct ictl_own_plan *p;
	bool dry_run;
	int err;
};

static json_object *present_plan(struct cli *cli, const struct plan_rec *x)
{
	const struct ictl_own_plan *p = x->p;
	json_object *doc = json_object_new_object(), *members = json_object_new_array();

	for (size_t i = 0; i < p->nmembers; i++)
		json_object_array_add(members, present_member(&p->members[i]));
	js_set(doc, "action", json_object_new_string(p->release ? "release" : "claim"));
	js_set(doc, "group", js_int(p->group));
	js_set(doc, "target", js_str(p->target));
	js_set(doc, "dry_run", js_bool(x->dry_run));
	js_set(doc, "result", json_object_new_string(result_name(p, x->dry_run, x->err)));
	js_set(doc, "changed", js_bool(p->changed));
	js_set(doc, "recovered", js_bool(p->recovered));
	js_set(doc, "members", members);
	js_set(doc, "in_use", present_busy(p));
	js_set(doc, "steps", present_steps(p));
	js_set(doc, "error", out_json_error(cli, x->err));
	return doc;
}

static json_object *plan_json(struct cli *cli, const void *data, int err)
{
	(void)err;
	return present_plan(cli, data);
}

static void text_plan(FILE *out, const struct plan_rec *x)
{
	const struct ictl_own_plan *p = x->p;
	char desc[256];

	fprintf(out, "Group %u: %s%s%s\n", p->group, p->release ? "release" : "claim",
		p->target[0] ? " for " : "", p->target);
	for (size_t i = 0; i < p->nmembers; i++) {
		const struct ictl_own_member *m = &p->members[i];

		fprintf(out, "  %-14s %-9s driver %-12s driver_override %s\n", esc_text(m->device),
			m->bridge ? "bridge" : "endpoint", esc_text(dash(m->driver)),
			esc_text(dash(m->driver_override)));
	}
	for (size_t i = 0; i < p->nbusy; i++)
		fprintf(out, "  in use: %s: %s\n", esc_text(p->busy[i].device),
			esc_text(p->busy[i].reason));
	if (p->recovered)
		fprintf(out, "An interrupted transaction was recovered first.\n");
	if (p->nsteps)
		fprintf(out, "%s\n", x->dry_run ? "Plan (dry run: nothing is changed):" : "Steps:");
	for (size_t i = 0; i < p->nsteps; i++) {
		ictl_step_describe(p, &p->steps[i], desc, sizeof(desc));
		if (x->dry_run)
			fprintf(out, "  %2zu. %s\n", i + 1, esc_text(desc));
		else
			fprintf(out, "  %2zu. %-60s %s\n", i + 1, esc_text(desc),
				ictl_step_status_name(p->steps[i].status));
	}
	fprintf(out, "Result: %s\n", result_name(p, x->dry_run, x->err));
}

static int plan_text(struct cli *cli, FILE *out, const void *data)
{
	(void)cli;
	text_plan(out, data);
	return 0;
}

static const struct out_doc_view plan_view = { .json = plan_json, .text = plan_text };

int own_report(struct cli *cli, const struct ictl_own_plan *p, bool dry_run, int err)
{
	return out_doc(cli, &plan_view, &(struct plan_rec){ p, dry_run, err }, err);
}

/* --- --hold and -- COMMAND ------------------------------------------------------- */

/* The claim, then the hold that was opened (or why not). */
struct hold_rec {
	struct plan_rec plan;
	const struct ictl_hold *h;
	const struct ictl_handoff *ho;	/* where the command finds the fds */
	char *const *cmd;	/* -- COMMAND, or NULL for --hold */
	int err;		/* opening the hold */
};

static json_object *present_hold(struct cli *cli, const struct hold_rec *x)
{
	const struct ictl_hold *h = x->h;
	json_object *o = json_object_new_object(), *devs = json_object_new_array(), *cmd = NULL;

	for (size_t i = 0; i < h->ndevs; i++) {
		json_object *d = json_object_new_object();

		js_set(d, "device", json_object_new_string(h->devs[i].device));
		js_set(d, "node", js_str(h->devs[i].node));
		js_set(d, "fd", x->cmd ? js_int(ictl_handoff_target(x->ho, ICTL_HANDOFF_DEVICE, i)) : NULL);
		js_set(d, "dev_id", h->bound ? js_int(h->devs[i].dev_id) : NULL);
		json_object_array_add(devs, d);
	}
	js_set(o, "path", json_object_new_string(h->legacy ? "legacy" : "iommufd"));
	js_set(o, "pid", js_int(getpid()));
	js_set(o, "bound", js_bool(h->legacy || h->bound));
	js_set(o, "iommufd_fd", x->cmd && !h->legacy ? js_int(ICTL_HANDOFF_FIRST_FD) : NULL);
	js_set(o, "container_fd", x->cmd && h->legacy ? js_int(ICTL_HANDOFF_FIRST_FD) : NULL);
	js_set(o, "group_fd", x->cmd && h->legacy ? js_int(ICTL_HANDOFF_FIRST_FD + 1) : NULL);
	js_set(o, "devices", devs);
	if (x->cmd) {
		cmd = json_object_new_array();
		for (size_t i = 0; x->cmd[i]; i++)
			json_object_array_add(cmd, json_object_new_string(x->cmd[i]));
	}
	js_set(o, "command", cmd);
	js_set(o, "error", out_json_error(cli, x->err));
	return o;
}

static json_object *hold_json(struct cli *cli, const void *data, int err)
{
	const struct hold_rec *x = data;
	json_object *doc = present_plan(cli, &x->plan);

	(void)err;
	js_set(doc, "hold", present_hold(cli, x));
	return doc;
}

static void text_hold(FILE *out, const struct hold_rec *x)
{
	const struct ictl_hold *h = x->h;

	if (x->err < 0)
		return;
	if (!x->cmd)
		fprintf(out, "Holding through %s (pid %d): %s\n",
			h->legacy ? "the legacy group node" : "iommufd", (int)getpid(),
			h->legacy ? "the group is in a type1 container, so the kernel has handed DMA ownership to this process" :
				    "every device is bound to an iommufd, so the kernel has handed DMA ownership to this process");
	else if (h->legacy)
		fprintf(out, "Running %s with the group held through the legacy path: the container is fd %d, the group fd %d\n",
			x->cmd[0], ICTL_HANDOFF_FIRST_FD, ICTL_HANDOFF_FIRST_FD + 1);
	else
		fprintf(out, "Running %s with the iommufd on fd %d; the devices are %s\n", x->cmd[0],
			ICTL_HANDOFF_FIRST_FD,
			h->bound ? "bound to it" : "not bound yet (the command binds them)");
	for (size_t i = 0; i < h->ndevs; i++) {
		fprintf(out, "  %-14s %-26s", h->devs[i].device,
			h->devs[i].node[0] ? h->devs[i].node : "(from the group)");
		if (x->cmd)
			fprintf(out, " fd %d", ictl_handoff_target(x->ho, ICTL_HANDOFF_DEVICE, i));
		if (h->bound)
			fprintf(out, " dev_id %u", h->devs[i].dev_id);
		fputc('\n', out);
	}
	if (!x->cmd)
		fprintf(out, "Release with Ctrl-C or kill -TERM %d.\n", (int)getpid());
}

static int hold_text(struct cli *cli, FILE *out, const void *data)
{
	const struct hold_rec *x = data;

	(void)cli;
	text_plan(out, &x->plan);
	text_hold(out, x);
	return 0;
}

static const struct out_doc_view hold_view = { .json = hold_json, .text = hold_text };

/* The end of a hold, and the release of what this run claimed (release is NULL if none). */
struct hold_end_rec {
	unsigned int group;
	const char *reason;
	int cmd_status;		/* -1: no command */
	bool released;
	const struct plan_rec *release;
};

static json_object *hold_end_json(struct cli *cli, const void *data, int err)
{
	const struct hold_end_rec *x = data;
	json_object *doc = json_object_new_object();

	(void)err;
	js_set(doc, "action", json_object_new_string("hold-end"));
	js_set(doc, "group", js_int(x->group));
	js_set(doc, "reason", json_object_new_string(x->reason));
	js_set(doc, "command_status", x->cmd_status >= 0 ? js_int(x->cmd_status) : NULL);
	js_set(doc, "released", js_bool(x->released));
	if (x->release)
		js_set(doc, "release", present_plan(cli, x->release));
	return doc;
}

static int hold_end_text(struct cli *cli, FILE *out, const void *data)
{
	const struct hold_end_rec *x = data;

	(void)cli;
	fprintf(out, "Hold of group %u ended: %s\n", x->group, x->reason);
	if (x->release)
		text_plan(out, x->release);
	else
		fprintf(out, "Group %u stays claimed: it was claimed before this run.\n", x->group);
	return 0;
}

static const struct out_doc_view hold_end_view = { .json = hold_end_json, .text = hold_end_text };

/* Give back what this run claimed, under the lock the hold kept. */
static int hold_release(struct cli *cli, const struct ictl_own_plan *claimed, int *lock,
			const char *reason, int cmd_status)
{
	struct ictl_own_opts oo = { .lock_fd = lock };
	struct hold_end_rec x = { claimed->group, reason, cmd_status, claimed->changed, NULL };
	struct ictl_own_plan rel;
	struct plan_rec rp;
	int r = 0, pr;

	ictl_own_opts_from_env(&oo);
	if (claimed->changed) {
		r = ictl_release_plan(cli->ctx, claimed->group, &rel);
		if (!r)
			r = ictl_own_apply(cli->ctx, &oo, &rel);
		rp = (struct plan_rec){ &rel, false, r };
		x.release = &rp;
	}
	pr = out_doc(cli, &hold_end_view, &x, 0);
	if (r < 0 && !cli->json)
		fprintf(stderr, "iommuctl: %s\n", ictl_strerror(cli->ctx));
	if (claimed->changed)
		ictl_own_plan_clear(&rel);
	return r < 0 ? cli_lib_exit_code(cli, r) : pr;
}

static int claim_hold(struct cli *cli, struct ictl_own_plan *plan, int *lock)
{
	struct claim_opts *o = cli->opts;
	int r, status = 0, sig = 0, code;
	char reason[96], why[320];
	struct ictl_handoff ho;
	struct ictl_hold h;

	ictl_handoff_init(&ho);
	/* From here a SIGTERM waits for the hold to end instead of killing a holder. */
	cli_block_stop_signals();
	/* udevd's rules for the VFIO nodes run before anyone opens them. */
	cli_udev_wait(cli, plan->group);
	/* --bind needs iommufd: ask for it, and let a kernel without it say so. */
	r = ictl_hold_open(cli->ctx, plan->group,
			   o->legacy ? ICTL_HOLD_LEGACY : o->bind ? ICTL_HOLD_IOMMUFD : ICTL_HOLD_AUTO,
			   !cli->exec_argv || o->bind, &h);
	if (!r && cli->exec_argv && (r = ictl_hold_handoff(cli->ctx, &h, &ho)) < 0)
		ictl_hold_close(&h);
	code = out_doc(cli, &hold_view,
		       &(struct hold_rec){ { plan, false, 0 }, &h, &ho, cli->exec_argv, r }, 0);
	if (r < 0) {
		/* Nothing half-done: what this run claimed goes back. */
		if (!cli->json)
			fprintf(stderr, "iommuctl: %s\n", ictl_strerror(cli->ctx));
		ictl_handoff_clear(&ho);
		hold_release(cli, plan, lock, "holding failed", -1);
		return cli_lib_exit_code(cli, r);
	}
	if (cli->exec_argv)
		r = cli_run_handoff(&ho, cli->exec_argv, &status, why, sizeof(why));
	else
		sig = cli_wait_stop_signal();
	ictl_hold_close(&h);
	ictl_handoff_clear(&ho);
	if (r < 0) {
		if (!cli->json)
			fprintf(stderr, "iommuctl: %s\n", why);
		code = hold_release(cli, plan, lock, "the command did not start", -1);
		return code ? code : 127;
	}
	code = hold_release(cli, plan, lock, cli_end_reason(reason, sizeof(reason), sig, status),
			    cli->exec_argv ? status : -1);
	if (code || !cli->exec_argv)
		return code;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int cmd_claim(struct cli *cli)
{
	struct claim_opts *o = cli->opts;
	struct ictl_own_opts oo = { .dry_run = o->dry_run, .force = o->force,
				    .persisted = o->persisted };
	bool hold = o->hold || cli->exec_argv;
	struct ictl_own_plan plan;
	unsigned int group;
	int r, lock = -1;

	if (cli->exec_argv && !cli->exec_argv[0])
		return cli_error(cli, -EINVAL, "nothing after --: name the command to run with the group held");
	if (o->bind && !cli->exec_argv)
		return cli_error(cli, -EINVAL, "--bind is for -- COMMAND (--hold alone always binds)");
	if (o->legacy && !hold)
		return cli_error(cli, -EINVAL, "--legacy is for --hold or -- COMMAND");
	if (o->legacy && o->bind)
		return cli_error(cli, -EINVAL, "--bind binds cdevs to an iommufd: it cannot go with --legacy");
	if (hold && cli->sysroot && !o->dry_run)
		return cli_error(cli, -EOPNOTSUPP,
				 "--hold and -- COMMAND open the live system's VFIO nodes: drop --sysroot (or use --dry-run)");
	ictl_own_opts_from_env(&oo);
	oo.lock_fd = hold && !o->dry_run ? &lock : NULL;
	r = ictl_own_resolve(cli->ctx, cli->argv[0], &group);
	if (!r)
		r = ictl_claim_plan(cli->ctx, group, o->driver ? o->driver : "vfio-pci", &plan);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_own_apply(cli->ctx, &oo, &plan);
	if (r < 0 || !hold || o->dry_run)
		r = own_report(cli, &plan, o->dry_run, r);
	else
		r = claim_hold(cli, &plan, &lock);
	if (lock >= 0)
		close(lock);
	ictl_own_plan_clear(&plan);
	return r;
}
