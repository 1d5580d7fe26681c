// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl: inspect and administer the Linux IOMMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef ICTL_VERSION
#define ICTL_VERSION "0.0.0"
#endif

const char *argp_program_version = "iommuctl " ICTL_VERSION;
const char *argp_program_bug_address = "the iommuctl issue tracker";

enum { OPT_LIST_CMDS = 0x200 };

static const struct argp_option top_options[] = {
	{ "list-cmds", OPT_LIST_CMDS, NULL, 0, "List the commands, one per line, and exit", 0 },
	{ 0 }
};

struct top_state {
	struct cli *cli;
	int cmd_index;
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_state *ts = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = ts->cli;
		break;
	case OPT_LIST_CMDS:
		for (size_t i = 0; i < ncommands; i++)
			printf("%s\n", commands[i].name);
		exit(fflush(stdout) ? EXIT_FAIL : EXIT_OK);
	case ARGP_KEY_ARG:
		/* The command: everything from here on is its own. */
		ts->cmd_index = state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no command given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * "  name         summary", the summary wrapped at word boundaries under its own column and
 * within argp's right margin (79), so argp never rewraps it to column 0.
 */
static void print_command_line(FILE *f, const char *name, const char *summary)
{
	enum { COL = 15, WIDTH = 78 };
	const char *p = summary;
	int col = fprintf(f, "  %-12s", name);

	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > COL && col + 1 + (int)word > WIDTH)
			col = fprintf(f, "\n%*s", COL - 1, "") - 1;
		col += fprintf(f, " %.*s", (int)word, p);
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

static char *top_help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("Commands:\n", f);
	for (size_t i = 0; i < ncommands; i++) {
		char words[32];

		print_command_line(f, cli_command_words(&commands[i], words, sizeof(words)),
				   commands[i].summary);
	}
	fputs("\n'iommuctl help COMMAND' or 'iommuctl COMMAND --help' tells more.\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error, 3 not supported on this system,\n"
	      "4 no such device or group, 5 permission denied, 6 in use, 7 not claimed.\n", f);
	fclose(f);
	return buf;
}

static const struct argp_child top_children[] = {
	{ &global_argp, 0, "Global options:", 1 },
	{ 0 }
};

static const struct argp top_argp = {
	top_options, top_parse, "COMMAND [ARG...]",
	"iommuctl -- inspect and administer the Linux IOMMU: units, groups, devices and DMA ownership.",
	top_children, top_help_filter, NULL
};

void cli_top_help(void)
{
	argp_help(&top_argp, stdout, ARGP_HELP_STD_HELP, (char *)"iommuctl");
}

/* JSON mode must be known before argp can report a usage error. */
static bool wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-J"))
			return true;
		if (argv[i][0] == '-' && argv[i][1] != '-' && argv[i][1] &&
		    strspn(argv[i] + 1, "Jv") == strlen(argv[i] + 1) && strchr(argv[i], 'J'))
			return true;
	}
	return false;
}

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
	struct cli cli = { 0 };
	struct top_state ts = { &cli, 0 };
	const struct command *cmd;
	int r;

	argp_err_exit_status = EXIT_USAGE;
	cli.json = wants_json(argc, argv);
	cli_capture_usage_errors(&cli);
	argp_parse(&top_argp, argc, argv, ARGP_IN_ORDER, NULL, &ts);
	cmd = cli_find_command(argv[ts.cmd_index]);
	if (!cmd) {
		cli_usage_errors_done();
		r = cli_error(&cli, -EINVAL, "unknown command '%.64s': 'iommuctl --help' lists the commands",
			      argv[ts.cmd_index]);
		return close_stdout(&cli, r);
	}
	r = cli_run_command(&cli, cmd, argc - ts.cmd_index, argv + ts.cmd_index);
	return close_stdout(&cli, r);
}
