/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command-line layer: the command table, global options, output and errors. */
#ifndef ICTL_CLI_H
#define ICTL_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "../lib/handoff.h"
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
	EXIT_WARNINGS = 8,	/* doctor: ready, but with warnings */
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
	CMD_SNAPSHOT = 1 << 4,	/* only reads: sysfs objects are read once (ictl_ctx_snapshot) */
	CMD_GROUP = 1 << 5,	/* a word before commands of its own: "pt" of "pt dump" */
	CMD_SUB = 1 << 6,	/* "GROUP-NAME", typed "GROUP NAME" (or as named) */
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
struct cli_table;
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
	/*
	 * A JSON list being written (output.c): cli_error ends its document with the
	 * error through list_error, rather than print a second document.
	 */
	struct out_list *list;
	void (*list_error)(struct cli *cli, json_object *error);
	const struct cli_table *table;	/* the commands (help, completion) */
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

/* A table of commands: the one of commands.c, given to the rest through struct cli. */
struct cli_table {
	const struct command *v;
	size_t n;
};
extern const struct cli_table cli_commands;
const struct command *cli_find_command(const struct cli_table *table, const char *name);
/* Parse the global options up to the command (top.c); returns the command's index in argv. */
int cli_parse_top(struct cli *cli, int argc, char **argv);
/* Is --json (or -J) among the global options? Known before argp can report an error. */
bool cli_wants_json(int argc, char **argv);
/* The CMD_SUB row "GROUP-word" of a CMD_GROUP row in table, or NULL. */
const struct command *cli_find_subcommand(const struct cli_table *table,
					  const struct command *group, const char *word);
/* How users type a command: "pt dump" for the row "pt-dump". */
const char *cli_command_words(const struct command *cmd, char *buf, size_t len);

/* Print iommuctl's own --help, with the commands of table, to stdout (top.c). */
void cli_top_help(const struct cli_table *table);

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
/*
 * Standard output cannot be written (a full disk, a closed pipe): one line on
 * stderr whatever the mode (a JSON error could not be read either), said once
 * however often it is found; returns EXIT_FAIL.
 */
int cli_write_error(void);
/* "iommuctl: MSG" on stderr, its control characters and bad bytes escaped (escape.h). */
void cli_error_line(const char *msg);
/* With --verbose: one line on stderr, "iommuctl: ...". */
void cli_verbose(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_exit_code(int err);
/* The one JSON error object: {"message", "code", "errno"} (errno null when err >= 0). */
json_object *cli_json_error_object(int code, int err, const char *msg);
/*
 * A listing's row the library kept with its error (ictl_row_error): its exit code
 * (as cli_lib_exit_code), and its JSON "error" member (null for a row without one).
 */
int cli_row_exit_code(const struct ictl_row_error *e);
json_object *cli_json_row_error(const struct ictl_row_error *e);

/*
 * In JSON mode, turn usage errors into JSON: getopt and argp print them on
 * stderr and exit, so stderr goes to a buffer until cli_usage_errors_done().
 */
void cli_capture_usage_errors(struct cli *cli);
void cli_usage_errors_done(void);

/*
 * Signals and programs (exec.c): the process-wide state the library leaves
 * alone.  Block SIGINT, SIGTERM and SIGHUP, so that from then on they wait to
 * be asked for or passed on instead of killing a process that holds something.
 */
void cli_block_stop_signals(void);
/* The same, and a signalfd that reads them (to poll with other fds); -errno. */
int cli_stop_signalfd(void);
/*
 * Before a group's VFIO nodes go to a program: wait until udevd has run its rules
 * for them (owner, mode); never fatal (a warning after IOMMUCTL_UDEV_TIMEOUT
 * seconds, default 20; IOMMUCTL_NO_UDEV_WAIT=1 skips it).  Blocks the stop
 * signals first, so that one that comes during the wait ends the hold as it begins.
 */
void cli_udev_wait(struct cli *cli, unsigned int group);
/* Wait for SIGINT, SIGTERM or SIGHUP; returns the signal. */
int cli_wait_stop_signal(void);
/*
 * Run argv with the hand-off's fds at their numbers and its environment, pass
 * SIGINT, SIGTERM and SIGHUP on to it and reap it; *status is its wait status.
 * -errno, with a line in why, when it could not be started or waited for.
 */
int cli_run_handoff(const struct ictl_handoff *h, char *const argv[], int *status, char *why,
		    size_t len);
/*
 * Why a hold or hand-off ended, in words: the stop signal sig (> 0), else the
 * command's wait status ("the command exited with status 0").
 */
const char *cli_end_reason(char *buf, size_t len, int sig, int status);

#endif /* ICTL_CLI_H */
