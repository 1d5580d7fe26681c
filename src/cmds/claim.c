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

static void text_members(json_object *doc, FILE *out)
{
	json_object *m = out_get(doc, "members"), *busy = out_get(doc, "in_use");

	for (size_t i = 0; i < json_object_array_length(m); i++) {
		json_object *d = json_object_array_get_idx(m, i);

		fprintf(out, "  %-14s %-9s driver %-12s driver_override %s\n", out_str(d, "device"),
			out_str(d, "role"), out_str(d, "driver"), out_str(d, "driver_override"));
	}
	for (size_t i = 0; i < json_object_array_length(busy); i++) {
		json_object *b = json_object_array_get_idx(busy, i);

		fprintf(out, "  in use: %s: %s\n", out_str(b, "device"), out_str(b, "reason"));
	}
}

static int text_plan(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *steps = out_get(doc, "steps"), *err = out_get(doc, "error");
	bool dry = json_object_get_boolean(out_get(doc, "dry_run"));

	fprintf(out, "Group %s: %s%s%s\n", out_str(doc, "group"), out_str(doc, "action"),
		out_get(doc, "target") ? " for " : "",
		out_get(doc, "target") ? out_str(doc, "target") : "");
	text_members(doc, out);
	if (json_object_get_boolean(out_get(doc, "recovered")))
		fprintf(out, "An interrupted transaction was recovered first.\n");
	if (json_object_array_length(steps))
		fprintf(out, "%s\n", dry ? "Plan (dry run: nothing is changed):" : "Steps:");
	for (size_t i = 0; i < json_object_array_length(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i);

		if (dry)
			fprintf(out, "  %2s. %s\n", out_str(s, "step"), out_str(s, "description"));
		else
			fprintf(out, "  %2s. %-60s %s\n", out_str(s, "step"), out_str(s, "description"),
				out_str(s, "status"));
	}
	fprintf(out, "Result: %s\n", out_str(doc, "result"));
	if (err)
		fprintf(stderr, "iommuctl: %s\n", out_str(err, "message"));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

int own_report(struct cli *cli, const struct ictl_own_plan *p, bool dry_run, int err)
{
	return out_report(cli, present_plan(cli, p, dry_run, err), text_plan, err);
}

/* --- --hold and -- COMMAND ------------------------------------------------------- */

static json_object *present_hold(struct cli *cli, const struct ictl_hold *h, int err)
{
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	char *const *cmd = cli->exec_argv;

	for (size_t i = 0; i < h->ndevs; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "device", json_object_new_string(h->devs[i].device));
		json_object_object_add(d, "node", js_str_or_null(h->devs[i].node));
		json_object_object_add(d, "fd", cmd ? json_object_new_int(ictl_hold_fd_of(h, i)) : NULL);
		json_object_object_add(d, "dev_id", h->bound ? json_object_new_int64(h->devs[i].dev_id) : NULL);
		json_object_array_add(devs, d);
	}
	json_object_object_add(o, "path", json_object_new_string(h->legacy ? "legacy" : "iommufd"));
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "bound", json_object_new_boolean(h->legacy || h->bound));
	json_object_object_add(o, "iommufd_fd", cmd && !h->legacy ? json_object_new_int(ICTL_HOLD_FIRST_FD) : NULL);
	json_object_object_add(o, "container_fd", cmd && h->legacy ? json_object_new_int(ICTL_HOLD_FIRST_FD) : NULL);
	json_object_object_add(o, "group_fd", cmd && h->legacy ? json_object_new_int(ICTL_HOLD_FIRST_FD + 1) : NULL);
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "command", cmd ? json_object_new_array() : NULL);
	for (size_t i = 0; cmd && cmd[i]; i++)
		json_object_array_add(out_get(o, "command"), json_object_new_string(cmd[i]));
	json_object_object_add(o, "error", present_error(cli, err));
	return o;
}

static void text_hold(json_object *h, FILE *out)
{
	json_object *devs = out_get(h, "devices"), *cmd = out_get(h, "command");
	bool legacy = !strcmp(out_str(h, "path"), "legacy");

	if (out_get(h, "error"))
		return;
	if (!cmd)
		fprintf(out, "Holding through %s (pid %s): %s\n", legacy ? "the legacy group node" : "iommufd",
			out_str(h, "pid"), legacy ? "the group is in a type1 container, so the kernel has handed DMA ownership to this process" :
			"every device is bound to an iommufd, so the kernel has handed DMA ownership to this process");
	else if (legacy)
		fprintf(out, "Running %s with the group held through the legacy path: the container is fd %s, the group fd %s\n",
			json_object_get_string(json_object_array_get_idx(cmd, 0)), out_str(h, "container_fd"), out_str(h, "group_fd"));
	else
		fprintf(out, "Running %s with the iommufd on fd %s; the devices are %s\n",
			json_object_get_string(json_object_array_get_idx(cmd, 0)), out_str(h, "iommufd_fd"),
			json_object_get_boolean(out_get(h, "bound")) ? "bound to it" : "not bound yet (the command binds them)");
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		fprintf(out, "  %-14s %-26s", out_str(d, "device"), out_get(d, "node") ? out_str(d, "node") : "(from the group)");
		if (out_get(d, "fd"))
			fprintf(out, " fd %s", out_str(d, "fd"));
		if (out_get(d, "dev_id"))
			fprintf(out, " dev_id %s", out_str(d, "dev_id"));
		fputc('\n', out);
	}
	if (!cmd)
		fprintf(out, "Release with Ctrl-C or kill -TERM %s.\n", out_str(h, "pid"));
}

static int text_claim_hold(struct cli *cli, json_object *doc, FILE *out)
{
	int r = text_plan(cli, doc, out);

	if (!r && out_get(doc, "hold"))
		text_hold(out_get(doc, "hold"), out);
	return ferror(out) ? cli_error(cli, -EIO, "write error") : r;
}

static int text_hold_end(struct cli *cli, json_object *doc, FILE *out)
{
	json_object *rel = out_get(doc, "release");

	fprintf(out, "Hold of group %s ended: %s\n", out_str(doc, "group"), out_str(doc, "reason"));
	if (rel)
		return text_plan(cli, rel, out);
	fprintf(out, "Group %s stays claimed: it was claimed before this run.\n", out_str(doc, "group"));
	return ferror(out) ? cli_error(cli, -EIO, "write error") : 0;
}

/* Give back what this run claimed, under the lock the hold kept. */
static int hold_release(struct cli *cli, const struct ictl_own_plan *claimed, int *lock,
			const char *reason, int cmd_status)
{
	struct ictl_own_opts oo = { .lock_fd = lock };
	json_object *doc = json_object_new_object();
	struct ictl_own_plan rel;
	int r = 0, pr;

	ictl_own_opts_from_env(&oo);
	json_object_object_add(doc, "action", json_object_new_string("hold-end"));
	json_object_object_add(doc, "group", json_object_new_int((int)claimed->group));
	json_object_object_add(doc, "reason", json_object_new_string(reason));
	json_object_object_add(doc, "command_status", cmd_status >= 0 ? json_object_new_int(cmd_status) : NULL);
	json_object_object_add(doc, "released", json_object_new_boolean(claimed->changed));
	if (claimed->changed) {
		r = ictl_release_plan(cli->ctx, claimed->group, &rel);
		if (!r)
			r = ictl_own_apply(cli->ctx, &oo, &rel);
		json_object_object_add(doc, "release", present_plan(cli, &rel, false, r));
		ictl_own_plan_clear(&rel);
	}
	pr = out_report(cli, doc, text_hold_end, 0);
	return r < 0 ? cli_exit_code(r) : pr;
}

static const char *reason_str(char *buf, size_t len, int sig, int status)
{
	if (sig > 0)
		snprintf(buf, len, "SIG%s", sigabbrev_np(sig) ?: "?");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "the command was killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "the command exited with status %d", WEXITSTATUS(status));
	return buf;
}

static int claim_hold(struct cli *cli, struct ictl_own_plan *plan, int *lock)
{
	struct claim_opts *o = cli->opts;
	json_object *doc = present_plan(cli, plan, false, 0);
	int r, status = 0, sig = 0, code;
	struct ictl_hold h;
	char reason[96];

	cmds_udev_wait(cli, plan->group);
	/* --bind needs iommufd: ask for it, and let a kernel without it say so. */
	r = ictl_hold_open(cli->ctx, plan->group,
			   o->legacy ? ICTL_HOLD_LEGACY : o->bind ? ICTL_HOLD_IOMMUFD : ICTL_HOLD_AUTO,
			   !cli->exec_argv || o->bind, &h);
	json_object_object_add(doc, "hold", present_hold(cli, &h, r));
	code = out_report(cli, doc, text_claim_hold, 0);
	if (r < 0) {
		/* Nothing half-done: what this run claimed goes back. */
		if (!cli->json)
			fprintf(stderr, "iommuctl: %s\n", ictl_strerror(cli->ctx));
		hold_release(cli, plan, lock, "holding failed", -1);
		return cli_exit_code(r);
	}
	if (cli->exec_argv)
		r = ictl_hold_run(cli->ctx, &h, cli->exec_argv, &status);
	else
		sig = ictl_hold_wait(cli->ctx);
	ictl_hold_close(&h);
	if (r < 0) {
		if (!cli->json)
			fprintf(stderr, "iommuctl: %s\n", ictl_strerror(cli->ctx));
		code = hold_release(cli, plan, lock, "the command did not start", -1);
		return code ? code : 127;
	}
	code = hold_release(cli, plan, lock, reason_str(reason, sizeof(reason), sig, status),
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
