// SPDX-License-Identifier: GPL-2.0-or-later
/* Errors are output too: one line on stderr, or a JSON object on stdout in JSON mode. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"

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
	case EBUSY:
		return EXIT_BUSY;
	case EUNATCH:
		return EXIT_NOT_CLAIMED;
	default:
		return EXIT_FAIL;
	}
}

json_object *cli_json_error_object(int code, int err, const char *msg)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "errno", err < 0 ? json_object_new_string(strerrorname_np(-err) ?: "unknown") : NULL);
	return e;
}

int cli_write_error(void)
{
	static bool reported;
	int e = errno ?: EIO;

	if (!reported)
		fprintf(stderr, "iommuctl: write error on standard output: %s\n", strerror(e));
	reported = true;
	return EXIT_FAIL;
}

void cli_error_line(const char *msg)
{
	char safe[4096];

	fprintf(stderr, "iommuctl: %s\n", esc_text_buf(msg, safe, sizeof(safe)));
}

static void emit(struct cli *cli, int code, int err, const char *msg)
{
	if (cli && cli->json) {
		json_object *e = cli_json_error_object(code, err, msg), *o;
		const char *s;

		if (cli->list_error) {
			cli->list_error(cli, e);
			json_object_put(e);
			return;
		}
		o = json_object_new_object();
		json_object_object_add(o, "error", e);
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE);
		esc_json_put(stdout, s, strlen(s));
		putchar('\n');
		json_object_put(o);
	} else {
		cli_error_line(msg);
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

void cli_verbose(struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!cli->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error_line(msg);
}

static int kind_exit_code(enum ictl_err_kind kind, int err)
{
	/* The kernel's or a damaged file's EINVAL/ENOENT: the operation failed. */
	if (kind != ICTL_ERR_LIB) {
		switch (-err) {
		case EINVAL:
		case ENOENT:
		case ENXIO:
		case E2BIG:
		case ENAMETOOLONG:
		case ENOTDIR:
			return EXIT_FAIL;
		}
	}
	return cli_exit_code(err);
}

int cli_lib_exit_code(struct cli *cli, int err)
{
	return kind_exit_code(ictl_err_kind(cli->ctx, err), err);
}

int cli_row_exit_code(const struct ictl_row_error *e)
{
	return kind_exit_code(e->kind, e->err);
}

json_object *cli_json_row_error(const struct ictl_row_error *e)
{
	return e ? cli_json_error_object(cli_row_exit_code(e), e->err, e->msg) : NULL;
}

int cli_lib_error(struct cli *cli, int err)
{
	char msg[1024];
	int code = cli_lib_exit_code(cli, err);

	snprintf(msg, sizeof(msg), "%s", ictl_strerror(cli->ctx));
	emit(cli, code, err, msg);
	return code;
}

/*
 * getopt and argp print usage errors on stderr and exit.  In JSON mode fd 2
 * points at a memory file while options are parsed; at exit its first line
 * becomes a JSON error.  Parsing that ends normally puts stderr back.
 */
static int saved_stderr = -1, capture_fd = -1;

void cli_usage_errors_done(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(capture_fd);
	saved_stderr = capture_fd = -1;
}

static void usage_at_exit(void)
{
	char buf[512], *nl;
	ssize_t n;

	if (saved_stderr < 0)
		return;
	fflush(stderr);
	n = pread(capture_fd, buf, sizeof(buf) - 1, 0);
	cli_usage_errors_done();
	if (n <= 0)
		return;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	emit(&(struct cli){ .json = true }, EXIT_USAGE, -EINVAL, buf);
	fflush(stdout);
}

void cli_capture_usage_errors(struct cli *cli)
{
	if (!cli->json || saved_stderr >= 0)
		return;
	capture_fd = memfd_create("iommuctl-usage", MFD_CLOEXEC);
	if (capture_fd < 0)
		return;
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(capture_fd, STDERR_FILENO) < 0) {
		close(capture_fd);
		if (saved_stderr >= 0)
			close(saved_stderr);
		saved_stderr = capture_fd = -1;
		return;
	}
	atexit(usage_at_exit);
}
