// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl: inspect and administer the Linux IOMMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static bool stdout_closed;

/* Check stdout at close, so that 'iommuctl groups > /dev/full' fails loudly. */
static int close_stdout(struct cli *cli, int code)
{
	(void)cli;
	stdout_closed = true;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return code;
	cli_write_error();
	return code ? code : EXIT_FAIL;
}

/*
 * argp prints --help, --usage and --version (and 'help CMD', 'CMD --help') and
 * calls exit(0); --list-cmds exits too.  Their write errors are found here, as
 * the process ends: the message, and exit status 1.
 */
static void close_stdout_at_exit(void)
{
	if (stdout_closed)
		return;
	stdout_closed = true;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return;
	cli_write_error();
	fflush(stderr);
	_exit(EXIT_FAIL);
}

int main(int argc, char **argv)
{
	struct cli cli = { .table = &cli_commands };
	const struct command *cmd;
	int r, idx;

	atexit(close_stdout_at_exit);
	argp_err_exit_status = EXIT_USAGE;
	cli.json = cli_wants_json(argc, argv);
	cli_capture_usage_errors(&cli);
	idx = cli_parse_top(&cli, argc, argv);
	cmd = cli_find_command(cli.table, argv[idx]);
	if (!cmd) {
		cli_usage_errors_done();
		r = cli_error(&cli, -EINVAL, "unknown command '%.64s': 'iommuctl --help' lists the commands",
			      argv[idx]);
		return close_stdout(&cli, r);
	}
	r = cli_run_command(&cli, cmd, argc - idx, argv + idx);
	return close_stdout(&cli, r);
}
