/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command-line layer: the command table, global options, output and errors. */
#ifndef ICTL_CLI_H
#define ICTL_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "../lib/iommuctl.h"

/* Exit codes (documented in iommuctl(8)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,		/* bad option, argument or device name */
	EXIT_UNSUPPORTED = 3,	/* the system lacks what is needed (no IOMMU, no iommufd) */
	EXIT_NOTFOUND = 4,	/* no such device or group */
	EXIT_PERM = 5,		/* permission denied: run as root */
	EXIT_BUSY = 6,		/* in use, refused without --force */
	EXIT_NOT_CLAIMED = 7,	/* the group is not claimed, and the command needs it (persist) */
};

/* Where a command's positional arguments come from, for completions. */
enum cmd_arg_kind {
	ARG_NONE,
	ARG_DEVICE,
	ARG_GROUP,
	ARG_DEVICE_OR_GROUP,
	ARG_COMMAND,
	ARG_SHELL,
	ARG_FILE,
};

/* Which shared option sets a command takes. */
enum {
	CMD_TABLE = 1 << 0,	/* -o, --raw, --noheadings */
	CMD_FILTER = 1 << 1,	/* --class, --driver, --vendor */
	CMD_NO_CTX = 1 << 2,	/* does not read the system (help, completion) */
	CMD_EXEC = 1 << 3,	/* takes "-- COMMAND [ARG...]" after its arguments */
};

struct filter {
	const char *klass;	/* class code prefix in hex, "02" or "0200", or a name word */
	const char *driver;	/* driver name, or "none" */
	const char *vendor;	/* vendor ID in hex */
};

struct out_opts {
	const char *columns;
	bool raw, noheadings;
};

struct command;
struct out_list;

struct cli {
	bool json, verbose;
	const char *sysroot;
	struct out_opts out;
	struct filter filter;
	int argc;		/* the command's positional arguments */
	char **argv;
	char **exec_argv;	/* CMD_EXEC: the command after "--", NULL-terminated; or NULL */
	void *opts;		/* the command's own options, opts_size bytes */
	struct ictl_ctx *ctx;
	const struct command *cmd;
	struct out_list *list;	/* the JSON list being written, if any (output.c) */
};

struct command {
	const char *name;
	const char *summary;		/* one line */
	const char *args_doc;		/* "GROUP|DEVICE" */
	const char *doc;		/* a paragraph after the summary */
	int (*fn)(struct cli *cli);
	const struct argp_option *options;	/* the command's own; may be NULL */
	argp_parser_t parser;		/* for options; state->input is the struct cli */
	size_t opts_size;
	int min_args, max_args;
	enum cmd_arg_kind arg_kind;
	unsigned int flags;
	const struct out_col *columns;	/* for CMD_TABLE: documented in --help */
};

extern const struct command commands[];
extern const size_t ncommands;
const struct command *cli_find_command(const char *name);

/* Print iommuctl's own --help to stdout (main.c). */
void cli_top_help(void);

/* Shared option sets (options.c). */
extern const struct argp global_argp, table_argp, filter_argp;
bool filter_match(const struct filter *f, const struct ictl_device *d, struct ictl_ctx *ctx);
/* Run a command with its own argv (argv[0] is the command's name). */
int cli_run_command(struct cli *cli, const struct command *cmd, int argc, char **argv);

/* Errors (error.c): print in the current mode and return the exit code for err (-errno).
 * Command handlers return an exit code: 0, or what cli_error() returned. */
int cli_error(struct cli *cli, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The library's error: message from the context, exit code by cli_lib_exit_code(). */
int cli_lib_error(struct cli *cli, int err);
/* The exit code of a library error: by errno, and by where the errno came from. */
int cli_lib_exit_code(struct cli *cli, int err);
/* With --verbose: one line on stderr, "iommuctl: ...". */
void cli_verbose(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_exit_code(int err);
/* The one JSON error object: {"message", "code", "errno"} (errno null when err >= 0). */
json_object *cli_json_error_object(int code, int err, const char *msg);
/* JSON mode, a list open: end its document with this error after the array (output.c). */
void cli_list_error(struct cli *cli, json_object *error);
/*
 * In JSON mode, turn usage errors into JSON: getopt and argp print them on
 * stderr and exit, so stderr goes to a buffer until cli_usage_errors_done().
 */
void cli_capture_usage_errors(struct cli *cli);
void cli_usage_errors_done(void);

#endif /* ICTL_CLI_H */
