// SPDX-License-Identifier: GPL-2.0-or-later
/* The output layer: typed records written as streaming JSON or as text (see output.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "escape.h"
#include "output.h"

#define MAX_COLS 32

/* --- JSON values ------------------------------------------------------------------ */

json_object *js_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *js_hex(uint64_t v, int width)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
	return json_object_new_string(buf);
}

json_object *js_int(long long v)
{
	return json_object_new_int64(v);
}

json_object *js_uint(uint64_t v)
{
	return json_object_new_uint64(v);
}

json_object *js_bool(bool b)
{
	return json_object_new_boolean(b);
}

json_object *js_tristate(enum ictl_tristate t)
{
	return t == ICTL_UNKNOWN ? NULL : json_object_new_boolean(t == ICTL_YES);
}

void js_set(json_object *obj, const char *key, json_object *v)
{
	json_object_object_add(obj, key, v);
}

json_object *out_json_error(struct cli *cli, int err)
{
	if (err >= 0)
		return NULL;
	return cli_json_error_object(cli_lib_exit_code(cli, err), err, ictl_strerror(cli->ctx));
}

/* --- JSON text ---------------------------------------------------------------------- */

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
#define JSON_LINE_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * A value pretty-printed, every line after the first indented by indent spaces.
 * Every JSON text goes out through esc_json_put: valid UTF-8 whatever the bytes
 * of its strings (escape.h; iommuctl-json(7), STRINGS).
 */
static void json_put(FILE *out, json_object *v, int indent)
{
	const char *s = json_object_to_json_string_ext(v, JSON_FLAGS);

	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		esc_json_put(out, s, (size_t)(nl - s));
		fprintf(out, "\n%*s", indent, "");
	}
	esc_json_put(out, s, strlen(s));
}

/* A value on one line (JSON lines), then a newline. */
static void json_put_line(FILE *out, json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_LINE_FLAGS);

	esc_json_put(out, s, strlen(s));
	fputc('\n', out);
}

static int write_error(struct cli *cli)
{
	(void)cli;
	return cli_write_error();
}

/* --- columns ------------------------------------------------------------------------ */

/* The columns to show: the defaults, or -o LIST, or -o +LIST (defaults plus LIST). */
static int pick_columns(struct cli *cli, const struct out_col *cols, int *pick)
{
	const char *list = cli->out.columns;
	int n = 0;

	if (!list || *list == '+') {
		for (int i = 0; cols[i].name && n < MAX_COLS; i++) {
			if (cols[i].flags & COL_DEFAULT)
				pick[n++] = i;
		}
		if (!list)
			return n;
		list++;
	}
	while (*list) {
		size_t len = strcspn(list, ",");
		int found = -1;

		for (int i = 0; cols[i].name; i++) {
			if (strlen(cols[i].name) == len && !strncasecmp(cols[i].name, list, len))
				found = i;
		}
		if (found < 0)
			return -cli_error(cli, -EINVAL,
					  "unknown column '%.*s': 'iommuctl %s --help' lists the columns",
					  (int)len, list, cli->cmd->name);
		if (n >= MAX_COLS)
			return -cli_error(cli, -E2BIG, "too many columns in -o");
		pick[n++] = found;
		list += len;
		if (*list == ',')
			list++;
	}
	if (!n)
		return -cli_error(cli, -EINVAL, "-o: no columns given");
	return n;
}

int out_check_columns(struct cli *cli, const struct out_col *cols)
{
	int pick[MAX_COLS];
	int n = pick_columns(cli, cols, pick);

	return n < 0 ? -n : 0;
}

const char *cell_none(const void *rec, char *buf, size_t len)
{
	(void)rec, (void)buf, (void)len;
	return NULL;
}

static const char *cell_text(const struct out_col *col, const void *rec, char *buf, size_t len)
{
	const char *s;

	buf[0] = '\0';
	s = col->cell(rec, buf, len);
	return s && *s ? s : col->flags & COL_BLANK ? "" : "-";
}

/* A libsmartcols table with the picked columns. */
static struct libscols_table *table_new(struct cli *cli, FILE *out, const struct out_col *cols,
					const int *pick, int n, bool tree)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_stream(tb, out);
	scols_table_enable_raw(tb, cli->out.raw);
	scols_table_enable_noheadings(tb, cli->out.noheadings);
	for (int c = 0; c < n; c++) {
		const struct out_col *col = &cols[pick[c]];
		int fl = 0;

		if (col->flags & COL_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & COL_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (col->flags & COL_WRAP)
			fl |= SCOLS_FL_WRAP;
		if (tree && (col->flags & COL_TREE))
			fl |= SCOLS_FL_TREE;
		if (!scols_table_new_column(tb, col->name, col->whint, fl)) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

static int fill_line(struct libscols_line *ln, const struct out_col *cols, const int *pick, int n,
		     const void *rec)
{
	for (int c = 0; c < n; c++) {
		char buf[1024];

		if (scols_line_set_data(ln, (size_t)c, cell_text(&cols[pick[c]], rec, buf, sizeof(buf))))
			return -ENOMEM;
	}
	return 0;
}

int out_table(struct cli *cli, FILE *out, const struct out_col *cols, const void *base, size_t n,
	      size_t size)
{
	struct libscols_table *tb;
	int pick[MAX_COLS], npick, r = 0;

	npick = pick_columns(cli, cols, pick);
	if (npick < 0)
		return -EINVAL;
	tb = table_new(cli, out, cols, pick, npick, false);
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		r = ln ? fill_line(ln, cols, pick, npick, (const char *)base + i * size) : -ENOMEM;
	}
	if (!r && n)
		r = scols_print_table(tb);
	scols_unref_table(tb);
	return r;
}

/* --- lists ---------------------------------------------------------------------------- */

struct out_list {
	struct cli *cli;
	const struct out_list_view *view;
	FILE *out;
	size_t nrows;
	int err;		/* the first output error; rows after it are dropped */
	bool open;		/* JSON: the document and its array are open */
	bool closed;		/* JSON: ... and closed */
	json_object *head;	/* JSON: members before the array */
	char *empty_note;	/* text: the line printed when there is no row */
	/* text */
	struct libscols_table *tb;
	struct libscols_line *last;
	int pick[MAX_COLS], npick;
	int child_pick[MAX_COLS];
};

/* cli_error in a JSON-lines stream: {"error": {...}} on a line of its own. */
static void lines_error(struct cli *cli, json_object *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_get(error));
	json_put_line(cli->list->out, o);
	fflush(cli->list->out);
	json_object_put(o);
}

struct out_list *out_list_begin(struct cli *cli, const struct out_list_view *view, int *code)
{
	struct out_list *l;

	*code = 0;
	l = calloc(1, sizeof(*l));
	if (!l) {
		*code = cli_error(cli, -ENOMEM, "out of memory");
		return NULL;
	}
	l->cli = cli;
	l->view = view;
	l->out = stdout;
	/* -o is checked in JSON mode too: a typo is an error whatever the mode. */
	l->npick = pick_columns(cli, view->cols, l->pick);
	if (l->npick < 0) {
		*code = -l->npick;
		free(l);
		return NULL;
	}
	if (cli->json)
		return l;	/* the document opens with its first row, or at the end */
	/* A tree's child rows fill the same columns, by position. */
	memcpy(l->child_pick, l->pick, sizeof(l->pick));
	if (cli->json && (view->flags & OUT_LINES)) {
		/* Errors of a stream are a line of their own. */
		cli->list = l;
		cli->list_error = lines_error;
	}
	if (!(view->flags & (OUT_STREAM_TEXT | OUT_LINES))) {
		l->tb = table_new(cli, l->out, view->cols, l->pick, l->npick, view->child_cols);
		if (!l->tb) {
			*code = cli_error(cli, -ENOMEM, "out of memory");
			free(l);
			return NULL;
		}
	}
	return l;
}

/*
 * OUT_STREAM_TEXT, OUT_LINES: one line now, each column whint wide (the last one as
 * wide as it is), without trailing blanks.
 */
static int stream_line(struct out_list *l, const char *const *cells)
{
	char line[4096];
	size_t off = 0;

	for (int c = 0; c < l->npick && off < sizeof(line); c++) {
		const struct out_col *col = &l->view->cols[l->pick[c]];
		int w = l->cli->out.raw || c == l->npick - 1 ? 0 : (int)col->whint;
		int n = snprintf(line + off, sizeof(line) - off, "%s%*s", c ? " " : "",
				 col->flags & COL_RIGHT ? w : -w, cells[c]);

		off += n > 0 ? (size_t)n : 0;
	}
	off = off < sizeof(line) ? off : sizeof(line) - 1;
	while (off && line[off - 1] == ' ')
		off--;
	fprintf(l->out, "%.*s\n", (int)off, line);
	if (l->view->flags & OUT_LINES)
		fflush(l->out);
	return ferror(l->out) ? -EIO : 0;
}

static int stream_row(struct out_list *l, const void *rec)
{
	const char *cells[MAX_COLS];
	char bufs[MAX_COLS][256], safe[MAX_COLS][256];

	if (!l->nrows && !l->cli->out.noheadings && !(l->view->flags & OUT_LINES)) {
		for (int c = 0; c < l->npick; c++)
			cells[c] = l->view->cols[l->pick[c]].name;
		if (stream_line(l, cells))
			return -EIO;
	}
	/* No libsmartcols table to escape the cells: escape them here (escape.h). */
	for (int c = 0; c < l->npick; c++) {
		cells[c] = cell_text(&l->view->cols[l->pick[c]], rec, bufs[c], sizeof(bufs[c]));
		if (esc_text_needed(cells[c]))
			cells[c] = esc_text_buf(cells[c], safe[c], sizeof(safe[c]));
	}
	return stream_line(l, cells);
}

static void list_error(struct cli *cli, json_object *error);

/* JSON: open the document and its array (once a row is ready, or the list ends well). */
static void list_open_json(struct out_list *l)
{
	if (l->open || l->closed)
		return;
	fputs("{\n  ", l->out);
	if (l->head) {
		json_object_object_foreach(l->head, k, v) {
			fprintf(l->out, "\"%s\": ", k);
			json_put(l->out, v, 2);
			fputs(",\n  ", l->out);
		}
	}
	fprintf(l->out, "\"%s\": [", l->view->key);
	l->open = true;
	l->cli->list = l;
	l->cli->list_error = list_error;
}

int out_list_row(struct out_list *l, const void *rec)
{
	int r = 0;

	if (l->err)
		return l->err;
	if (l->cli->json && (l->view->flags & OUT_LINES)) {
		json_object *e = l->view->json(rec);

		json_put_line(l->out, e);
		json_object_put(e);
		r = fflush(l->out) || ferror(l->out) ? -EIO : 0;
	} else if (l->cli->json) {
		json_object *e = l->view->json(rec);

		list_open_json(l);
		fputs(l->nrows ? ",\n    " : "\n    ", l->out);
		json_put(l->out, e, 4);
		json_object_put(e);
		r = ferror(l->out) ? -EIO : 0;
	} else if (l->view->flags & (OUT_STREAM_TEXT | OUT_LINES)) {
		r = stream_row(l, rec);
	} else {
		l->last = scols_table_new_line(l->tb, NULL);
		r = l->last ? fill_line(l->last, l->view->cols, l->pick, l->npick, rec) : -ENOMEM;
	}
	l->nrows++;
	return l->err = r;
}

int out_list_child(struct out_list *l, const void *rec)
{
	struct libscols_line *ln;

	if (l->err || l->cli->json || !l->tb || !l->last || !l->view->child_cols)
		return l->err;
	ln = scols_table_new_line(l->tb, l->last);
	l->err = ln ? fill_line(ln, l->view->child_cols, l->child_pick, l->npick, rec) : -ENOMEM;
	return l->err;
}

/* JSON: close the array, with the error after it when there is one. */
static void list_close_json(struct out_list *l, json_object *error)
{
	if (!l->open)
		return;
	fputs(l->nrows ? "\n  ]" : "]", l->out);
	if (error) {
		fputs(",\n  \"error\": ", l->out);
		json_put(l->out, error, 2);
	}
	fputs("\n}\n", l->out);
	l->open = false;
	l->closed = true;
	l->cli->list = NULL;
	l->cli->list_error = NULL;
}

/* cli_error in JSON mode, with a list open: end its document with the error. */
static void list_error(struct cli *cli, json_object *error)
{
	list_close_json(cli->list, error);
}

/*
 * Print what the list holds (text) or close its document (JSON) unless it is
 * failing; returns the exit code of the list's own output error, or 0.  A
 * failing JSON list stays open for cli_error to end it with the error.
 */
static int list_finish(struct out_list *l, bool failing)
{
	struct cli *cli = l->cli;

	if (!cli->json && l->tb && l->nrows && scols_print_table(l->tb))
		l->err = -EIO;
	if (!cli->json && !l->nrows && !failing && l->empty_note)
		fprintf(l->out, "%s\n", l->empty_note);
	if (!failing && !l->err && cli->json && !(l->view->flags & OUT_LINES)) {
		list_open_json(l);
		list_close_json(l, NULL);
	}
	if (l->err == -ENOMEM)
		return cli_error(cli, -ENOMEM, "out of memory");
	if (l->err || ferror(l->out))
		return write_error(cli);
	return 0;
}

void out_list_head(struct out_list *l, json_object *head)
{
	json_object_put(l->head);
	l->head = head;
}

void out_list_empty_note(struct out_list *l, const char *fmt, ...)
{
	va_list ap;

	free(l->empty_note);
	va_start(ap, fmt);
	if (vasprintf(&l->empty_note, fmt, ap) < 0)
		l->empty_note = NULL;
	va_end(ap);
}

static void list_free(struct out_list *l)
{
	json_object_put(l->head);
	free(l->empty_note);
	if (l->cli->json && l->open)
		list_close_json(l, NULL);
	if (l->cli->list == l) {
		l->cli->list = NULL;
		l->cli->list_error = NULL;
	}
	if (l->tb)
		scols_unref_table(l->tb);
	free(l);
}

int out_list_end(struct out_list *l, int err)
{
	struct cli *cli;
	int r;

	if (!l)
		return err < 0 ? cli_exit_code(err) : 0;
	cli = l->cli;
	r = list_finish(l, err < 0);
	/*
	 * A library error: with rows printed, cli_error ends the JSON document with
	 * the error after the array; without, the error is the whole document.
	 */
	if (!r && err < 0)
		r = cli_lib_error(cli, err);
	list_free(l);
	return r;
}

int out_list_fail(struct out_list *l, int err, const char *fmt, ...)
{
	struct cli *cli = l->cli;
	char msg[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = list_finish(l, true);
	if (!r)
		r = cli_error(cli, err, "%s", msg);
	list_free(l);
	return r;
}

/* --- documents -------------------------------------------------------------------------- */

int out_doc(struct cli *cli, const struct out_doc_view *view, const void *rec, int err)
{
	int r;

	if (cli->json) {
		json_object *doc = view->json(cli, rec, err);

		json_put(stdout, doc, 0);
		fputc('\n', stdout);
		json_object_put(doc);
		r = 0;
	} else {
		r = view->text(cli, stdout, rec);
		if (err < 0)
			cli_error_line(ictl_strerror(cli->ctx));
	}
	fflush(stdout);
	if (r < 0 || ferror(stdout))
		r = write_error(cli);
	return err < 0 ? cli_lib_exit_code(cli, err) : r;
}
