// SPDX-License-Identifier: GPL-2.0-or-later
/* Option sets shared by commands, and how a command's argp is put together. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output.h"

enum { OPT_SYSROOT = 0x100, OPT_RAW, OPT_NOHEADINGS, OPT_CLASS, OPT_DRIVER, OPT_VENDOR };

static const struct argp_option global_options[] = {
	{ "json", 'J', NULL, 0, "Print JSON (errors too)", 0 },
	{ "sysroot", OPT_SYSROOT, "DIR", 0,
	  "Read sysfs, PCI config space and /dev from DIR, a tree made by capture-sysfs", 0 },
	{ "verbose", 'v', NULL, 0, "Say more about what is done", 0 },
	{ 0 }
};

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;

	switch (key) {
	case 'J':
		cli->json = true;
		break;
	case OPT_SYSROOT:
		cli->sysroot = arg;
		break;
	case 'v':
		cli->verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp global_argp = { global_options, global_parse, NULL, NULL, NULL, NULL, NULL };

static const struct argp_option table_options[] = {
	{ "output", 'o', "LIST", 0, "Columns to show, comma-separated; +LIST adds to the default", 0 },
	{ "raw", OPT_RAW, NULL, 0, "Raw table: columns separated by single spaces", 0 },
	{ "noheadings", OPT_NOHEADINGS, NULL, 0, "Do not print the header line", 0 },
	{ 0 }
};

static error_t table_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;

	switch (key) {
	case 'o':
		cli->out.columns = arg;
		break;
	case OPT_RAW:
		cli->out.raw = true;
		break;
	case OPT_NOHEADINGS:
		cli->out.noheadings = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp table_argp = { table_options, table_parse, NULL, NULL, NULL, NULL, NULL };

static const struct argp_option filter_options[] = {
	{ "class", OPT_CLASS, "CLASS", 0,
	  "Only devices of this PCI class: hex prefix (02, 0200) or a word of its name (ethernet)", 0 },
	{ "driver", OPT_DRIVER, "DRIVER", 0, "Only devices bound to DRIVER ('none': unbound)", 0 },
	{ "vendor", OPT_VENDOR, "ID", 0, "Only devices with this PCI vendor ID (hex, e.g. 8086)", 0 },
	{ 0 }
};

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (!strncasecmp(s, "0x", 2)) {
		s += 2;
		n -= 2;
	}
	return n >= min && n <= max && strspn(s, "0123456789abcdefABCDEF") == n;
}

static error_t filter_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;

	switch (key) {
	case OPT_CLASS:
		if (!arg[0] || strlen(arg) > 40)
			argp_error(state, "--class: give a hex class prefix (02, 0200) or a word");
		cli->filter.klass = arg;
		break;
	case OPT_DRIVER:
		if (!arg[0] || strlen(arg) >= ICTL_NAME_MAX || strchr(arg, '/'))
			argp_error(state, "--driver: '%s' is not a driver name", arg);
		cli->filter.driver = arg;
		break;
	case OPT_VENDOR:
		if (!is_hex(arg, 1, 4))
			argp_error(state, "--vendor: '%s' is not a PCI vendor ID; give 4 hex digits like 8086",
				   arg);
		cli->filter.vendor = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp filter_argp = { filter_options, filter_parse, NULL, NULL, NULL, NULL, NULL };

bool filter_match(const struct filter *f, const struct ictl_device *d, struct ictl_ctx *ctx)
{
	if (f->driver) {
		if (!strcmp(f->driver, "none") ? d->driver[0] != '\0' : strcmp(f->driver, d->driver))
			return false;
	}
	if (f->vendor && (!d->is_pci || strtoul(f->vendor, NULL, 16) != d->vendor_id))
		return false;
	if (f->klass) {
		char hex[8];

		if (!d->is_pci)
			return false;
		snprintf(hex, sizeof(hex), "%06x", d->class_code);
		if (is_hex(f->klass, 1, 6)) {
			const char *k = strncasecmp(f->klass, "0x", 2) ? f->klass : f->klass + 2;

			if (strncasecmp(hex, k, strlen(k)))
				return false;
		} else {
			struct ictl_pci_names n;

			ictl_pci_lookup_names(ctx, d, &n);
			if (!strcasestr(n.class_name, f->klass))
				return false;
		}
	}
	return true;
}

static char *post_doc_columns(const struct command *cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (cmd->doc)
		fprintf(f, "%s\n", cmd->doc);
	if (cmd->columns) {
		fprintf(f, "%sColumns (-o), * = default:\n", cmd->doc ? "\n" : "");
		for (const struct out_col *c = cmd->columns; c->name; c++)
			fprintf(f, "  %-14s%s %s\n", c->name, c->flags & COL_DEFAULT ? "*" : " ",
				c->help);
	}
	fclose(f);
	return buf;
}

struct run_state {
	struct cli *cli;
	const struct command *cmd;
	int nchildren;
};

static char *cmd_help_filter(int key, const char *text, void *input)
{
	const struct command *cmd = ((struct run_state *)input)->cmd;

	if (key == ARGP_KEY_HELP_PRE_DOC)
		return strdup(cmd->summary);
	if (key == ARGP_KEY_HELP_POST_DOC)
		return post_doc_columns(cmd);
	return (char *)text;
}

static error_t cmd_parse(int key, char *arg, struct argp_state *state)
{
	struct run_state *rs = state->input;
	struct cli *cli = rs->cli;
	unsigned int i;

	switch (key) {
	case ARGP_KEY_INIT:
		for (i = 0; i < (unsigned int)rs->nchildren; i++)
			state->child_inputs[i] = cli;
		break;
	case ARGP_KEY_ARG:
		if (cli->argc >= rs->cmd->max_args)
			argp_error(state, "too many arguments: '%s'", arg);
		cli->argv[cli->argc++] = arg;
		break;
	case ARGP_KEY_END:
		if (cli->argc < rs->cmd->min_args)
			argp_error(state, "missing %s", rs->cmd->args_doc);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_run_command(struct cli *cli, const struct command *cmd, int argc, char **argv)
{
	struct argp own = { cmd->options, cmd->parser, NULL, NULL, NULL, NULL, NULL };
	struct argp_child children[5];
	struct run_state rs = { cli, cmd, 0 };
	int nc = 0, r;
	char *name = NULL, words[64];

	/* "pt dump ...": the group's command runs with the rest of the words. */
	if ((cmd->flags & CMD_GROUP) && argc > 1 && argv[1][0] != '-') {
		const struct command *sub = cli_find_subcommand(cli->table, cmd, argv[1]);

		if (sub)
			return cli_run_command(cli, sub, argc - 1, argv + 1);
	}
	memset(children, 0, sizeof(children));
	if (cmd->options)
		children[nc++] = (struct argp_child){ &own, 0, NULL, 0 };
	if (cmd->flags & CMD_TABLE)
		children[nc++] = (struct argp_child){ &table_argp, 0, "Output options:", 1 };
	if (cmd->flags & CMD_FILTER)
		children[nc++] = (struct argp_child){ &filter_argp, 0, "Filters:", 2 };
	children[nc++] = (struct argp_child){ &global_argp, 0, "Global options:", 3 };
	rs.nchildren = nc;

	struct argp a = { NULL, cmd_parse, cmd->args_doc, NULL, children, cmd_help_filter, NULL };

	cli->cmd = cmd;
	cli->argc = 0;
	cli->argv = calloc((size_t)cmd->max_args + 1, sizeof(char *));
	cli->opts = cmd->opts_size ? calloc(1, cmd->opts_size) : NULL;
	if (!cli->argv || (cmd->opts_size && !cli->opts) ||
	    asprintf(&name, "iommuctl %s", cli_command_words(cmd, words, sizeof(words))) < 0) {
		r = cli_error(cli, -ENOMEM, "out of memory");
		goto out;
	}
	argv[0] = name;
	cli->exec_argv = NULL;
	for (int i = 1; (cmd->flags & CMD_EXEC) && i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		/* What follows "--" is a command to run, not ours to parse. */
		cli->exec_argv = &argv[i + 1];
		argc = i;
		break;
	}
	argp_parse(&a, argc, argv, 0, NULL, &rs);
	cli_usage_errors_done();
	if (!(cmd->flags & CMD_NO_CTX)) {
		r = ictl_ctx_new(&cli->ctx, cli->sysroot);
		if (r < 0) {
			r = cli_error(cli, r == -ENOENT && cli->sysroot ? -EINVAL : r, "%s",
				      cli->ctx ? ictl_strerror(cli->ctx) : "out of memory");
			goto out;
		}
		cli_verbose(cli, "reading %s", cli->sysroot ? cli->sysroot : "the live system");
		ictl_ctx_snapshot(cli->ctx, cmd->flags & CMD_SNAPSHOT);
	}
	r = cmd->fn(cli);
out:
	ictl_ctx_free(cli->ctx);
	cli->ctx = NULL;
	free(cli->argv);
	free(cli->opts);
	free(name);
	return r;
}
