// SPDX-License-Identifier: GPL-2.0-or-later
/* Errors are output too: one line on stderr, or a JSON object on stdout in JSON mode. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_exit_code(int err)
{
	switch (-err) {
	case 0:
		return EXIT_OK;
	case EINVAL:
	case ENAMETOOLONG:
	case ENOTDIR:
	case E2BIG:
		return EXIT_USAGE;
	case ENODEV:
	case EOPNOTSUPP:
		return EXIT_UNSUPPORTED;
	case ENOENT:
	case ENXIO:
		return EXIT_NOTFOUND;
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	default:
		return EXIT_FAIL;
	}
}

static void emit(struct cli *cli, int code, int err, const char *msg)
{
	if (cli && cli->json) {
		json_object *o = json_object_new_object(), *e = json_object_new_object();

		json_object_object_add(e, "message", json_object_new_string(msg));
		json_object_object_add(e, "code", json_object_new_int(code));
		if (err)
			json_object_object_add(e, "errno", json_object_new_string(strerrorname_np(-err)
										  ?: "unknown"));
		json_object_object_add(o, "error", e);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(stderr, "iommuctl: %s\n", msg);
	}
}

int cli_error(struct cli *cli, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int code = cli_exit_code(err);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!err)
		code = EXIT_FAIL;
	emit(cli, code, err, msg);
	return code;
}

int cli_lib_error(struct cli *cli, int err)
{
	return cli_error(cli, err, "%s", ictl_strerror(cli->ctx));
}

/*
 * argp prints usage errors itself and exits.  In JSON mode we point its error
 * stream at a buffer and, at exit, turn the first line into a JSON error.
 */
static char *usage_buf;
static size_t usage_len;
static FILE *usage_fp;

FILE *cli_usage_stream(void)
{
	return usage_fp;
}

static void usage_at_exit(void)
{
	char *nl;

	if (!usage_fp)
		return;
	fclose(usage_fp);
	usage_fp = NULL;
	if (!usage_len) {
		free(usage_buf);
		return;
	}
	nl = strchr(usage_buf, '\n');
	if (nl)
		*nl = '\0';
	emit(&(struct cli){ .json = true }, EXIT_USAGE, -EINVAL, usage_buf);
	fflush(stdout);
	free(usage_buf);
}

void cli_capture_usage_errors(struct cli *cli)
{
	if (!cli->json || usage_fp)
		return;
	usage_fp = open_memstream(&usage_buf, &usage_len);
	if (usage_fp)
		atexit(usage_at_exit);
}
