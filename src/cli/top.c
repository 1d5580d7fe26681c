// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The top level of the command line: global options, --list-cmds, --help with
 * the commands of a table, finding a command by name.  The table is given (by
 * main), never named here, so that commands (help, completion) can use this file
 * without a cycle through the table that lists them.
 */
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

/* The table --help and --list-cmds show: argp's help filter gets no input of ours. */
static const struct cli_table *help_table;

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_state *ts = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = ts->cli;
		break;
	case OPT_LIST_CMDS:
		for (size_t i = 0; i < ts->cli->table->n; i++)
			printf("%s\n", ts->cli->table->v[i].name);
		exit(EXIT_OK);	/* a write error is found at exit (main.c) */
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
	for (size_t i = 0; help_table && i < help_table->n; i++) {
		char words[32];

		print_command_line(f, cli_command_words(&help_table->v[i], words, sizeof(words)),
				   help_table->v[i].summary);
	}
	fputs("\n'iommuctl help COMMAND' or 'iommuctl COMMAND --help' tells more.\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error, 3 not supported on this system,\n"
	      "4 no such device or group, 5 permission denied, 6 in use, 7 not claimed,\n"
	      "8 ready with warnings (doctor).\n", f);
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

void cli_top_help(const struct cli_table *table)
{
	help_table = table;
	argp_help(&top_argp, stdout, ARGP_HELP_STD_HELP, (char *)"iommuctl");
}

int cli_parse_top(struct cli *cli, int argc, char **argv)
{
	struct top_state ts = { cli, 0 };

	help_table = cli->table;
	argp_parse(&top_argp, argc, argv, ARGP_IN_ORDER, NULL, &ts);
	return ts.cmd_index;
}

/* JSON mode must be known before argp can report a usage error. */
bool cli_wants_json(int argc, char **argv)
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
