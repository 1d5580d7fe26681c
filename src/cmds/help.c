// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl help [COMMAND]: the help of iommuctl or of one command. */
#include <errno.h>

#include "cmds.h"

int cmd_help(struct cli *cli)
{
	const struct command *cmd;
	char *argv[] = { NULL, (char *)"--help", NULL };

	if (!cli->argc) {
		cli_top_help(cli->table);
		return 0;
	}
	cmd = cli_find_command(cli->table, cli->argv[0]);
	/* help pt dump */
	if (cmd && cli->argc == 2)
		cmd = (cmd->flags & CMD_GROUP) ? cli_find_subcommand(cli->table, cmd, cli->argv[1]) : NULL;
	if (!cmd)
		return cli_error(cli, -EINVAL,
				 "unknown command '%.64s': 'iommuctl --help' lists the commands",
				 cli->argv[cli->argc - 1]);
	/* argp prints the command's help and exits 0. */
	return cli_run_command(&(struct cli){ 0 }, cmd, 2, argv);
}
