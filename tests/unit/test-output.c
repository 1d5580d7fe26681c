// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CLI's output layer (src/cli/output.c): streaming JSON lists, their error
 * shapes, text tables and column picking, and memory that stays bounded however
 * long a list is.  Output goes to a temporary file put on fd 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "../../src/cli/output.h"
#include "tap.h"

struct thing {
	unsigned int id;
	const char *name;
	uint64_t addr;
};

static const char *cell_id(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%u", ((const struct thing *)rec)->id);
	return buf;
}

static const char *cell_name(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct thing *)rec)->name;
}

static const char *cell_addr(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)((const struct thing *)rec)->addr);
	return buf;
}

static const struct out_col cols[] = {
	{ "ID", "the id", COL_DEFAULT | COL_RIGHT, 4, cell_id },
	{ "NAME", "the name", COL_DEFAULT, 8, cell_name },
	{ "ADDR", "the address", 0, 18, cell_addr },
	{ 0 }
};

static json_object *thing_json(const void *rec)
{
	const struct thing *t = rec;
	json_object *o = json_object_new_object();

	js_set(o, "id", js_int(t->id));
	js_set(o, "name", js_str(t->name));
	js_set(o, "addr", js_hex(t->addr, 0));
	return o;
}

static const struct out_list_view view = { .key = "things", .cols = cols, .json = thing_json };
static const struct out_list_view stream_view = {
	.key = "things", .cols = cols, .json = thing_json, .flags = OUT_STREAM_TEXT,
};
static const struct command cmd = { .name = "test" };

static int out_fd = -1, saved_stdout = -1;

/* Send fd 1 (and stdout) to a fresh memory file. */
static void capture(void)
{
	fflush(stdout);
	out_fd = memfd_create("out", MFD_CLOEXEC);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	clearerr(stdout);
}

/* What was written since capture(), malloc'd; fd 1 goes back to TAP. */
static char *captured(void)
{
	off_t n;
	char *s;

	fflush(stdout);
	n = lseek(out_fd, 0, SEEK_END);
	s = calloc(1, (size_t)n + 1);
	if (s && pread(out_fd, s, (size_t)n, 0) != n)
		s[0] = '\0';
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	close(out_fd);
	return s;
}

static json_object *parse(const char *s)
{
	return s ? json_tokener_parse(s) : NULL;
}

static void cli_init(struct cli *cli, struct ictl_ctx *ctx, bool json)
{
	memset(cli, 0, sizeof(*cli));
	cli->ctx = ctx;
	cli->json = json;
	cli->cmd = &cmd;
}

static void json_lists(struct ictl_ctx *ctx)
{
	struct thing t[3] = { { 1, "one", 0x1000 }, { 2, NULL, 0xffffffffffffffffULL }, { 3, "three", 0 } };
	struct cli cli;
	struct out_list *l;
	json_object *doc, *arr, *e;
	char *s;
	int code, r;

	cli_init(&cli, ctx, true);
	capture();
	l = out_list_begin(&cli, &view, &code);
	for (int i = 0; i < 3; i++)
		out_list_row(l, &t[i]);
	r = out_list_end(l, 0);
	s = captured();
	doc = parse(s);
	is_int(r, 0, "a JSON list ends with exit code 0");
	ok(doc && json_object_object_get_ex(doc, "things", &arr) &&
		   json_object_array_length(arr) == 3, "three rows make a document {things: [3 elements]}");
	e = doc ? json_object_array_get_idx(arr, 1) : NULL;
	is_str(e ? json_object_get_string(json_object_object_get(e, "addr")) : NULL,
	       "0xffffffffffffffff", "a 64-bit address is an exact hex string");
	ok(e && json_object_object_get_ex(e, "name", NULL) && !json_object_object_get(e, "name"),
	   "an unknown value is null, its key present");
	json_object_put(doc);
	free(s);

	capture();
	l = out_list_begin(&cli, &view, &code);
	r = out_list_end(l, 0);
	s = captured();
	doc = parse(s);
	ok(doc && json_object_object_get_ex(doc, "things", &arr) && !json_object_array_length(arr),
	   "an empty list is {things: []}");
	json_object_put(doc);
	free(s);

	/* Fails before any row: the error is the whole document. */
	capture();
	l = out_list_begin(&cli, &view, &code);
	r = out_list_end(l, ictl_err_wrap(ctx, ENODEV, "no IOMMU here"));
	s = captured();
	doc = parse(s);
	is_int(r, EXIT_UNSUPPORTED, "a list failing with ENODEV exits 3");
	ok(doc && json_object_object_length(doc) == 1 && json_object_object_get_ex(doc, "error", &e),
	   "a list failing before its first row prints {error} alone");
	ok(e && json_object_get_int(json_object_object_get(e, "code")) == 3 &&
		   !strcmp(json_object_get_string(json_object_object_get(e, "errno")) ?: "", "ENODEV") &&
		   strstr(json_object_get_string(json_object_object_get(e, "message")) ?: "", "no IOMMU here"),
	   "the error has message, code and errno");
	json_object_put(doc);
	free(s);

	/* Fails half-way: the rows, then the error after the array, in one document. */
	capture();
	l = out_list_begin(&cli, &view, &code);
	out_list_row(l, &t[0]);
	out_list_row(l, &t[1]);
	r = out_list_end(l, ictl_err_data(ctx, EINVAL, "group 7: reserved_regions does not parse"));
	s = captured();
	doc = parse(s);
	is_int(r, EXIT_FAIL, "damaged data (EINVAL of kind DATA) exits 1, not 2");
	ok(doc && json_object_object_get_ex(doc, "things", &arr) && json_object_array_length(arr) == 2 &&
		   json_object_object_get_ex(doc, "error", &e),
	   "a list failing half-way is one document: its rows, then the error");
	json_object_put(doc);
	free(s);

	/* Members before the array. */
	capture();
	l = out_list_begin(&cli, &view, &code);
	doc = json_object_new_object();
	js_set(doc, "directory", js_str("/etc/udev/rules.d"));
	out_list_head(l, doc);
	out_list_row(l, &t[0]);
	out_list_end(l, 0);
	s = captured();
	doc = parse(s);
	ok(doc && !strcmp(json_object_get_string(json_object_object_get(doc, "directory")) ?: "",
			  "/etc/udev/rules.d") && json_object_object_get_ex(doc, "things", NULL),
	   "head members come before the array");
	ok(s && strstr(s, "\"directory\"") < strstr(s, "\"things\""), "  ...in that order");
	json_object_put(doc);
	free(s);
}

static void text_tables(struct ictl_ctx *ctx)
{
	struct thing t[2] = { { 1, "one", 0x1000 }, { 22, "twenty-two", 0x2000 } };
	struct cli cli;
	struct out_list *l;
	char *s;
	int code;

	cli_init(&cli, ctx, false);
	capture();
	l = out_list_begin(&cli, &view, &code);
	out_list_row(l, &t[0]);
	out_list_row(l, &t[1]);
	out_list_end(l, 0);
	s = captured();
	/* ID's width hint of 4 is a minimum width (libsmartcols), right-aligned */
	is_str(s, "  ID NAME\n   1 one\n  22 twenty-two\n", "a text table of the default columns");
	free(s);

	cli.out.columns = "name,ADDR";
	cli.out.raw = true;
	capture();
	l = out_list_begin(&cli, &view, &code);
	out_list_row(l, &t[1]);
	out_list_end(l, 0);
	s = captured();
	is_str(s, "NAME ADDR\ntwenty-two 0x2000\n", "-o picks columns by name, any case; --raw");
	free(s);

	cli.out.columns = "ID,NOPE";
	cli.out.raw = false;
	capture();
	l = out_list_begin(&cli, &view, &code);
	s = captured();
	ok(!l && code == EXIT_USAGE, "an unknown column refuses the list with exit code 2");
	free(s);

	cli.json = true;
	capture();
	l = out_list_begin(&cli, &view, &code);
	free(captured());
	ok(!l && code == EXIT_USAGE, "...in JSON mode too");
	cli.json = false;

	cli.out.columns = NULL;
	capture();
	l = out_list_begin(&cli, &stream_view, &code);
	out_list_row(l, &t[0]);
	out_list_row(l, &t[1]);
	out_list_end(l, 0);
	s = captured();
	is_str(s, "  ID NAME\n   1 one\n  22 twenty-two\n",
	       "a streaming text list prints fixed-width rows as they come");
	free(s);

	capture();
	l = out_list_begin(&cli, &view, &code);
	out_list_empty_note(l, "Nothing here: %s.", "none");
	out_list_end(l, 0);
	s = captured();
	is_str(s, "Nothing here: none.\n", "an empty text list prints its note");
	free(s);
}

/* A row whose JSON function measures the heap as the list goes. */
static size_t heap_at[2];
static unsigned long rows_seen;

static json_object *measuring_json(const void *rec)
{
	if (rows_seen == 1000)
		heap_at[0] = mallinfo2().uordblks;
	if (++rows_seen == 200000)
		heap_at[1] = mallinfo2().uordblks;
	return thing_json(rec);
}

static void bounded_memory(struct ictl_ctx *ctx)
{
	static const struct out_list_view mview = { .key = "things", .cols = cols,
						    .json = measuring_json };
	struct thing t = { 7, "a-name-of-some-length", 0xdeadbeef000 };
	struct cli cli;
	struct out_list *l;
	int code, null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	cli_init(&cli, ctx, true);
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(null_fd, STDOUT_FILENO);
	l = out_list_begin(&cli, &mview, &code);
	for (int i = 0; i < 200000; i++) {
		t.id = (unsigned int)i;
		out_list_row(l, &t);
	}
	out_list_end(l, 0);
	fflush(stdout);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	close(null_fd);
	ok(heap_at[1] <= heap_at[0] + 64 * 1024,
	   "a JSON list of 200,000 rows holds no more heap at the end than after 1,000 (%zu -> %zu bytes)",
	   heap_at[0], heap_at[1]);
}

static void documents(struct ictl_ctx *ctx)
{
	struct cli cli;
	json_object *doc, *e;
	char *s;
	int r;

	cli_init(&cli, ctx, true);
	capture();
	ictl_err_kernel(ctx, EINVAL, "IOMMU_IOAS_MAP on ioas 2: Invalid argument");
	e = out_json_error(&cli, -EINVAL);
	doc = json_object_new_object();
	js_set(doc, "error", e);
	s = strdup(json_object_to_json_string(doc));
	json_object_put(doc);
	free(captured());
	doc = parse(s);
	ok(doc && json_object_object_get_ex(doc, "error", &e) &&
		   json_object_get_int(json_object_object_get(e, "code")) == EXIT_FAIL,
	   "the kernel's EINVAL is a failure (exit 1), not a usage error");
	json_object_put(doc);
	free(s);
	ictl_err(ctx, EINVAL, "invalid device name 'x'");
	r = cli_lib_exit_code(&cli, -EINVAL);
	is_int(r, EXIT_USAGE, "the library's own EINVAL (a bad name) is a usage error (exit 2)");
	ictl_err(ctx, EIO, "something else");
	is_int(cli_lib_exit_code(&cli, -EINVAL), EXIT_USAGE,
	       "an errno that is not the last error's maps by errno alone");
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, "tests/fixtures/intel-server") < 0) {
		printf("1..0 # skip cannot open the intel-server fixture: %s\n",
		       ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	json_lists(ctx);
	text_tables(ctx);
	bounded_memory(ctx);
	documents(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
