// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl: inspect and administer the Linux IOMMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int close_stdout(struct cli *cli, int code)
{
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return code;
	/* stdout is gone: say so on stderr, whatever the mode. */
	cli->json = false;
	fprintf(stderr, "iommuctl: write error on standard output: %s\n", strerror(errno ?: EIO));
	return code ? code : EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct cli cli = { .table = &cli_commands };
	const struct command *cmd;
	int r, idx;

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
