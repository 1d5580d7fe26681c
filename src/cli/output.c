// SPDX-License-Identifier: GPL-2.0-or-later
/* The output layer: one json-c document, rendered as JSON or as text. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "output.h"

json_object *js_hex(uint64_t v, int width)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
	return json_object_new_string(buf);
}

json_object *js_str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *out_get(json_object *obj, const char *key)
{
	char part[64];
	const char *dot;

	while (obj && (dot = strchr(key, '.'))) {
		size_t n = (size_t)(dot - key);

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, key, n);
		part[n] = '\0';
		obj = json_object_object_get(obj, part);
		key = dot + 1;
	}
	return obj ? json_object_object_get(obj, key) : NULL;
}

const char *out_value_str(json_object *v, char *buf, size_t len)
{
	size_t off = 0;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return "-";
	case json_type_boolean:
		return json_object_get_boolean(v) ? "yes" : "no";
	case json_type_string:
		return json_object_get_string(v);
	case json_type_array:
		buf[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			char tmp[128];
			const char *s = out_value_str(json_object_array_get_idx(v, i), tmp, sizeof(tmp));

			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
						i ? "," : "", s);
		}
		return buf;
	default:
		snprintf(buf, len, "%s", json_object_to_json_string(v));
		return buf;
	}
}

/* The columns to show (returns their count, or minus the exit code after reporting): the defaults, or -o LIST, or -o +LIST (defaults plus LIST). */
static int pick_columns(struct cli *cli, const struct out_col *cols, int *pick, int max)
{
	const char *list = cli->out.columns;
	int n = 0;

	if (!list || *list == '+') {
		for (int i = 0; cols[i].name && n < max; i++) {
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
		if (n >= max)
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
	int pick[32];
	int n = pick_columns(cli, cols, pick, 32);

	return n < 0 ? -n : 0;
}

static void fill_line(struct libscols_line *ln, json_object *row, const struct out_col *cols,
		      const int *pick, int n)
{
	for (int c = 0; c < n; c++) {
		const struct out_col *col = &cols[pick[c]];
		char buf[1024];
		const char *s = col->fmt ? col->fmt(row, buf, sizeof(buf)) :
				out_value_str(out_get(row, col->key), buf, sizeof(buf));

		scols_line_set_data(ln, (size_t)c, s);
	}
}

static int print_table(struct cli *cli, json_object *doc, const struct out_view *view, FILE *out)
{
	json_object *rows = out_get(doc, view->rows);
	struct libscols_table *tb;
	bool tree = view->children && view->child_cols;
	int pick[32], n, r = 0;

	n = pick_columns(cli, view->cols, pick, 32);
	if (n < 0)
		return -n;
	tb = scols_new_table();
	if (!tb)
		return cli_error(cli, -ENOMEM, "out of memory");
	scols_table_set_stream(tb, out);
	scols_table_enable_raw(tb, cli->out.raw);
	scols_table_enable_noheadings(tb, cli->out.noheadings);
	for (int c = 0; c < n; c++) {
		const struct out_col *col = &view->cols[pick[c]];
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
			r = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		json_object *kids;

		if (!ln) {
			r = -ENOMEM;
			goto out;
		}
		fill_line(ln, row, view->cols, pick, n);
		kids = tree ? out_get(row, view->children) : NULL;
		for (size_t k = 0; kids && k < json_object_array_length(kids); k++) {
			struct libscols_line *kl = scols_table_new_line(tb, ln);

			if (!kl) {
				r = -ENOMEM;
				goto out;
			}
			fill_line(kl, json_object_array_get_idx(kids, k), view->child_cols, pick, n);
		}
	}
	if (json_object_array_length(rows))
		r = scols_print_table(tb);
out:
	scols_unref_table(tb);
	return r ? cli_error(cli, r < 0 ? r : -EIO, "cannot print the table: %s", strerror(r < 0 ? -r : EIO)) : 0;
}

const char *out_str(json_object *obj, const char *key)
{
	const char *s = json_object_get_string(out_get(obj, key));

	return s ? s : "-";
}

int out_report(struct cli *cli, json_object *doc,
	       int (*text)(struct cli *cli, json_object *doc, FILE *out), int err)
{
	struct out_view view = { .text = text };
	int r = out_print(cli, doc, &view);

	json_object_put(doc);
	fflush(stdout);
	return err < 0 ? cli_exit_code(err) : r;
}

int out_print(struct cli *cli, json_object *doc, const struct out_view *view)
{
	if (cli->json) {
		const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE);

		return fprintf(stdout, "%s\n", s) < 0 ? cli_error(cli, -EIO, "write error: %s", strerror(errno)) : 0;
	}
	if (view->text)
		return view->text(cli, doc, stdout);
	return print_table(cli, doc, view, stdout);
}
