/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output layer.  A command builds one json-c document; in JSON mode it is
 * printed as is, in text mode a view turns it into a libsmartcols table, a
 * tree, or key/value text.  Commands never test for JSON mode themselves.
 */
#ifndef ICTL_OUTPUT_H
#define ICTL_OUTPUT_H

#include "cli.h"

enum {
	COL_DEFAULT = 1 << 0,	/* shown without -o */
	COL_RIGHT = 1 << 1,
	COL_TRUNC = 1 << 2,
	COL_WRAP = 1 << 3,
	COL_TREE = 1 << 4,	/* holds the tree in --tree mode */
};

struct out_col {
	const char *name;	/* for -o: GROUP */
	const char *key;	/* key in the row object; "a.b" descends */
	const char *help;
	unsigned int flags;
	double whint;
	/* Text of the cell when it is not just the value at key. */
	const char *(*fmt)(json_object *row, char *buf, size_t len);
};

struct out_view {
	const char *rows;		/* array in the document to tabulate */
	const struct out_col *cols;
	const char *children;		/* key of each row's child array for --tree */
	const struct out_col *child_cols; /* columns of child rows (same count as cols) */
	/* Text for documents that are not tables. */
	int (*text)(struct cli *cli, json_object *doc, FILE *out);
};

/* Returns 0, or an exit code after reporting the error. */
int out_print(struct cli *cli, json_object *doc, const struct out_view *view);
/* Validate -o before doing any work; 0 or an exit code. */
int out_check_columns(struct cli *cli, const struct out_col *cols);
/* Text of one value as tables show it: strings as is, null as "-", arrays joined by ",". */
const char *out_value_str(json_object *v, char *buf, size_t len);
json_object *out_get(json_object *obj, const char *key);
/* The string at key, or "-" when it is null or missing: for text renderers. */
const char *out_str(json_object *obj, const char *key);
/*
 * Print a document that is not a table through its text renderer (or as JSON),
 * release it and flush stdout; the exit code for err when it is an error,
 * else the printing's.
 */
int out_report(struct cli *cli, json_object *doc,
	       int (*text)(struct cli *cli, json_object *doc, FILE *out), int err);

/* JSON builders that keep 64-bit values exact and hex where people think in hex. */
json_object *js_hex(uint64_t v, int width);
json_object *js_str_or_null(const char *s);

#endif /* ICTL_OUTPUT_H */
