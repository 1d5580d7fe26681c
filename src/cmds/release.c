// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl release DEVICE|GROUP: give a claimed group back to its kernel drivers. */
#include "cmds.h"

const struct argp_option release_options[] = {
	{ "dry-run", 'n', NULL, 0, "Print the plan; change nothing", 0 },
	{ 0 }
};

error_t release_parse(int key, char *arg, struct argp_state *state)
{
	struct release_opts *o = ((struct cli *)state->input)->opts;

	(void)arg;
	if (key != 'n')
		return ARGP_ERR_UNKNOWN;
	o->dry_run = true;
	return 0;
}

int cmd_release(struct cli *cli)
{
	struct release_opts *o = cli->opts;
	struct ictl_own_opts oo = { .dry_run = o->dry_run };
	struct ictl_own_plan plan;
	unsigned int group;
	int r;

	ictl_own_opts_from_env(&oo);
	r = ictl_own_resolve(cli->ctx, cli->argv[0], &group);
	if (!r)
		r = ictl_release_plan(cli->ctx, group, &plan);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_own_apply(cli->ctx, &oo, &plan);
	r = own_report(cli, &plan, o->dry_run, r);
	ictl_own_plan_clear(&plan);
	return r;
}
