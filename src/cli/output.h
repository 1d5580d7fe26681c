/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output layer.  Commands hand it typed records (their own C structs);
 * it writes them as JSON or as text.  Commands never test for JSON mode.
 *
 * Two shapes of output:
 *
 *  - A list (groups, devices, iommus, status, persist --list): a top-level
 *    JSON object holding one array, {"groups": [ ... ]}, written element by
 *    element: each element is built with json-c from one record, printed and
 *    freed, so memory stays bounded whatever the length of the listing.  In
 *    text mode the records are rows of a libsmartcols table (-o, --raw,
 *    --noheadings); each column's text comes from the record through a cell
 *    function, never from the JSON.  A view with OUT_STREAM_TEXT prints each
 *    row as it comes, with fixed column widths, for listings too long to hold.
 *
 *  - A document (show, explain, hw-info, caps, claim, ...): one record of
 *    bounded size, turned into JSON by the view's json function or printed by
 *    its text function.  Both read the same C structs.
 *
 * The JSON conventions (iommuctl-json(7)): every key is always present, null
 * when unknown; quantities (counts, group numbers, ids, widths, pids) are
 * numbers; addresses, register values, masks and the IDs people read in hex
 * (PCI vendor/device/class) are "0x..." strings, since JSON readers lose
 * precision past 2^53; enumerations are lowercase strings.  A failed command
 * prints {"error": {"message", "code", "errno"}} (code: the exit status); a
 * list that fails half-way ends with the same "error" member after its array.
 */
#ifndef ICTL_OUTPUT_H
#define ICTL_OUTPUT_H

#include "cli.h"
#include "escape.h"

enum {
	COL_DEFAULT = 1 << 0,	/* shown without -o */
	COL_RIGHT = 1 << 1,
	COL_TRUNC = 1 << 2,
	COL_WRAP = 1 << 3,
	COL_TREE = 1 << 4,	/* holds the tree in a tree view */
	COL_BLANK = 1 << 5,	/* an empty cell is printed empty, not "-" */
};

/*
 * A table column.  cell() writes the text of the cell for one record (the
 * view's record type) into buf, or returns a constant string; NULL or "" is
 * shown as "-".
 */
typedef const char *(*out_cell_fn)(const void *rec, char *buf, size_t len);

struct out_col {
	const char *name;	/* for -o: GROUP */
	const char *help;
	unsigned int flags;
	double whint;		/* width hint; with OUT_STREAM_TEXT the width itself */
	out_cell_fn cell;
};

enum {
	OUT_STREAM_TEXT = 1 << 0,	/* text rows printed as they come, fixed widths */
	/*
	 * An endless stream of records (monitor's events): no document; in JSON one
	 * compact object per line (JSON lines), an error too; in text one line per
	 * record without a header, columns whint wide, trailing blanks dropped.
	 * Every record is flushed as it is written.
	 */
	OUT_LINES = 1 << 1,
};

struct out_list_view {
	const char *key;			/* the JSON array: "groups" */
	const struct out_col *cols;		/* text columns of a row */
	const struct out_col *child_cols;	/* text columns of a child row (tree views) */
	json_object *(*json)(const void *rec);	/* one JSON element (may include children) */
	unsigned int flags;
};

struct out_list;

/*
 * Start a list: check -o against the view's columns first (returns NULL with
 * *code set to the exit code after reporting a bad column).  Start it before
 * the work, so a bad -o is refused before anything is read.
 */
struct out_list *out_list_begin(struct cli *cli, const struct out_list_view *view, int *code);
/* JSON: members of the top-level object before the array (taken over; text: unused). */
void out_list_head(struct out_list *l, json_object *head);
/* Text: the line to print instead of an empty table. */
void out_list_empty_note(struct out_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * One record: a JSON element, or a table row.  Non-zero after an output error
 * (the list reports it at its end): stop producing rows.
 */
int out_list_row(struct out_list *l, const void *rec);
/* A child row of the last row (tree views; text only: JSON children are in the element). */
int out_list_child(struct out_list *l, const void *rec);
/*
 * End the list and free it.  err < 0: the library failed (before or during
 * the listing); its message is reported (in JSON after the array when rows
 * were printed, else as the whole document) and the exit code for err
 * returned.  Otherwise 0, or the exit code of the list's own output error.
 */
int out_list_end(struct out_list *l, int err);
/* End the list with an error of the command's own (not the library's): the exit code. */
int out_list_fail(struct out_list *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The list's column check alone (for commands that take -o and print a document). */
int out_check_columns(struct cli *cli, const struct out_col *cols);

struct out_doc_view {
	/* The top-level JSON object, e.g. {"device": {...}} or {"action": "claim", ...}. */
	json_object *(*json)(struct cli *cli, const void *rec, int err);
	/* The text; 0 or -errno (a write error is found by the layer). */
	int (*text)(struct cli *cli, FILE *out, const void *rec);
};

/*
 * Print a document.  err < 0: the record is a report of a failed operation
 * (a claim that rolled back, say): the json function puts out_json_error()
 * in it, and in text mode the library's message goes to stderr after the
 * text.  Returns the exit code for err when err < 0, else 0 or the exit
 * code of a write error.
 */
int out_doc(struct cli *cli, const struct out_doc_view *view, const void *rec, int err);

/*
 * A table inside a text view (caps' checklist, status of one group): rows
 * are n records of size bytes from base, with -o/--raw/--noheadings applied.
 */
int out_table(struct cli *cli, FILE *out, const struct out_col *cols, const void *base, size_t n,
	      size_t size);

/* --- JSON builders: every value goes through these, so the conventions hold ------- */

json_object *js_str(const char *s);		/* NULL or "" -> null */
json_object *js_hex(uint64_t v, int width);	/* "0x%0*llx" */
json_object *js_int(long long v);
json_object *js_uint(uint64_t v);
json_object *js_bool(bool b);
json_object *js_tristate(enum ictl_tristate t);	/* unknown -> null */
/* {"message", "code", "errno"} of the library's error for err < 0; NULL (null) otherwise. */
json_object *out_json_error(struct cli *cli, int err);
/* Set key in obj (json-c's add, named for reading). */
void js_set(json_object *obj, const char *key, json_object *v);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* A cell with nothing in it ("-"): a tree's group rows have no driver. */
const char *cell_none(const void *rec, char *buf, size_t len);

/* Text helpers: "-" for NULL or "". */
static inline const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

#endif /* ICTL_OUTPUT_H */
