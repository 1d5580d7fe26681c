// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The YAML layer of specs: libyaml's events made into a small tree of
 * scalars, lists and maps, each with its line and column.  What a spec never
 * needs is refused here, with its position: anchors, aliases, explicit tags,
 * complex keys, duplicate keys, more than one document, deep nesting, and
 * trees past fixed bounds (so a hostile file costs bounded time and memory).
 */
#include <errno.h>
#include <string.h>
#include <yaml.h>

#include "spec-internal.h"

/* The most items a list, and pairs a map, may hold. */
#define Y_SEQ_MAX 4096
#define Y_MAP_MAX 64

struct ybuild {
	struct ictl_ctx *ctx;
	struct ictl_spec *s;
	yaml_parser_t p;
	const char *buf;
	size_t len;
	size_t nodes;
};

int spec_err(struct ictl_ctx *ctx, struct ictl_spec *s, struct ictl_spec_pos pos, const char *path,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err_msg, sizeof(s->err_msg), fmt, ap);
	va_end(ap);
	s->err_pos = pos;
	str_copy(s->err_path, path ? path : "", sizeof(s->err_path));
	return ictl_err(ctx, EINVAL, "%s:%u:%u: %s%s%s", s->file ? s->file : "spec", pos.line,
			pos.column, s->err_path, s->err_path[0] ? ": " : "", s->err_msg);
}

static struct ictl_spec_pos mark_pos(yaml_mark_t m)
{
	return (struct ictl_spec_pos){ (unsigned int)m.line + 1, (unsigned int)m.column + 1 };
}

/* A byte offset as a position (libyaml's reader errors give only the offset). */
static struct ictl_spec_pos offset_pos(const char *buf, size_t len, size_t off)
{
	struct ictl_spec_pos p = { 1, 1 };

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			p.line++;
			p.column = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			p.column++;
		}
	}
	return p;
}

static int parser_err(struct ybuild *b)
{
	yaml_parser_t *p = &b->p;
	char ctxt[96] = "";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return ictl_err(b->ctx, ENOMEM, "out of memory reading the spec");
	case YAML_READER_ERROR:
		if (p->problem_value >= 0)
			return spec_err(b->ctx, b->s, offset_pos(b->buf, b->len, p->problem_offset), "",
					"not YAML text: %s (byte 0x%02x); a spec is UTF-8 text without control characters",
					p->problem ? p->problem : "unreadable", p->problem_value & 0xff);
		return spec_err(b->ctx, b->s, offset_pos(b->buf, b->len, p->problem_offset), "",
				"not YAML text: %s; a spec is UTF-8 text without control characters",
				p->problem ? p->problem : "unreadable");
	default:
		if (p->context)
			snprintf(ctxt, sizeof(ctxt), " (%s at line %zu, column %zu)", p->context,
				 p->context_mark.line + 1, p->context_mark.column + 1);
		return spec_err(b->ctx, b->s, mark_pos(p->problem_mark), "",
				"YAML syntax: %s%s; fix the YAML: indentation, a missing ':' or space, an unclosed quote or bracket",
				p->problem ? p->problem : "error", ctxt);
	}
}

static int next_event(struct ybuild *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->p, ev))
		return parser_err(b);
	return 0;
}

void spec_yaml_free(struct ynode *n)
{
	if (!n)
		return;
	if (n->kind == Y_SEQ || n->kind == Y_MAP) {
		size_t k = n->kind == Y_MAP ? 2 * n->n : n->n;

		for (size_t i = 0; i < k; i++)
			spec_yaml_free(n->items[i]);
	}
	free(n->items);
	free(n->text);
	free(n);
}

static struct ynode *new_node(struct ybuild *b, enum ynode_kind kind, yaml_mark_t m)
{
	struct ynode *n;

	if (++b->nodes > Y_NODES_MAX) {
		spec_err(b->ctx, b->s, mark_pos(m), "",
			 "more than %d values in one spec; split it into several files", Y_NODES_MAX);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		ictl_err(b->ctx, ENOMEM, "out of memory reading the spec");
		return NULL;
	}
	n->kind = kind;
	n->pos = mark_pos(m);
	return n;
}

/* Anchors, tags: refused on every node (a spec has no use for them). */
static int plain_node(struct ybuild *b, const yaml_event_t *ev, const yaml_char_t *anchor,
		      const yaml_char_t *tag)
{
	if (anchor)
		return spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
				"anchors (&%.32s) are not supported in specs; write the value out",
				(const char *)anchor);
	if (tag)
		return spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
				"tags (%.48s) are not supported in specs; remove it", (const char *)tag);
	return 0;
}

static int build(struct ybuild *b, yaml_event_t *ev, int depth, struct ynode **out);

/* Append child (and, in a map, its value) to parent; nothing is taken over on failure. */
static int add_item(struct ybuild *b, struct ynode *parent, struct ynode *child,
		    struct ynode *value, yaml_mark_t m)
{
	bool map = parent->kind == Y_MAP;
	size_t max = map ? Y_MAP_MAX : Y_SEQ_MAX;
	size_t slots = map ? 2 * parent->n : parent->n;
	struct ynode **v;

	if (parent->n >= max)
		return spec_err(b->ctx, b->s, mark_pos(m), "", "more than %zu %s here; %s", max,
				map ? "keys" : "items", map ? "check the indentation" : "split the spec");
	v = parent->items;
	if (!(parent->n & (parent->n - 1))) {	/* full: double the room */
		v = realloc(v, (parent->n ? 2 * slots : (map ? 2 : 1)) * sizeof(*v));
		if (!v)
			return ictl_err(b->ctx, ENOMEM, "out of memory reading the spec");
		parent->items = v;
	}
	v[slots] = child;
	if (map)
		v[slots + 1] = value;
	parent->n++;
	return 0;
}

static int build_scalar(struct ybuild *b, yaml_event_t *ev, struct ynode **out)
{
	size_t len = ev->data.scalar.length;
	struct ynode *n;
	int r = plain_node(b, ev, ev->data.scalar.anchor,
			   ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit ?
				   NULL : ev->data.scalar.tag);

	if (r)
		return r;
	if (len > Y_SCALAR_MAX)
		return spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
				"a value of %zu characters; the most a spec value may have is %d", len,
				Y_SCALAR_MAX);
	if (memchr(ev->data.scalar.value, '\0', len))
		return spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
				"a value holds a NUL character (\\0); remove it");
	n = new_node(b, Y_SCALAR, ev->start_mark);
	if (!n)
		return -ENOMEM;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->text = strndup((const char *)ev->data.scalar.value, len);
	if (!n->text) {
		free(n);
		return ictl_err(b->ctx, ENOMEM, "out of memory reading the spec");
	}
	*out = n;
	return 0;
}

/* A key: a scalar, not a list or map, and not one the map has already. */
static int check_key(struct ybuild *b, const struct ynode *map, const struct ynode *key)
{
	if (key->kind != Y_SCALAR)
		return spec_err(b->ctx, b->s, key->pos, "",
				"a key must be a word, not a %s; write key: value",
				ynode_kind_name(key));
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];

		if (!strcmp(k->text, key->text))
			return spec_err(b->ctx, b->s, key->pos, "",
					"'%.48s' is given twice in this mapping (first at line %u); keep one",
					key->text, k->pos.line);
	}
	return 0;
}

/* The children of a list or map, up to its end event. */
static int build_children(struct ybuild *b, struct ynode *n, int depth)
{
	yaml_event_type_t end = n->kind == Y_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;

	for (;;) {
		struct ynode *child = NULL, *value = NULL;
		yaml_event_t ev;
		yaml_mark_t m;
		int r = next_event(b, &ev);

		if (r)
			return r;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		m = ev.start_mark;
		r = build(b, &ev, depth + 1, &child);
		if (r)
			return r;
		if (n->kind == Y_MAP) {
			r = check_key(b, n, child);
			if (!r)
				r = next_event(b, &ev);
			if (!r)
				r = build(b, &ev, depth + 1, &value);
		}
		if (!r)
			r = add_item(b, n, child, value, m);
		if (r) {
			spec_yaml_free(child);
			spec_yaml_free(value);
			return r;
		}
	}
}

/* Build the node that starts with ev (which this takes over), and everything inside it. */
static int build(struct ybuild *b, yaml_event_t *ev, int depth, struct ynode **out)
{
	struct ynode *n;
	int r;

	if (depth > Y_DEPTH_MAX) {
		r = spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
			     "values nested more than %d deep; a spec is never that deep",
			     Y_DEPTH_MAX);
		goto out;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		r = spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
			     "aliases (*%.32s) are not supported in specs; write the value out",
			     (const char *)ev->data.alias.anchor);
		goto out;
	case YAML_SCALAR_EVENT:
		r = build_scalar(b, ev, out);
		goto out;
	case YAML_SEQUENCE_START_EVENT:
		r = plain_node(b, ev, ev->data.sequence_start.anchor,
			       ev->data.sequence_start.implicit ? NULL : ev->data.sequence_start.tag);
		break;
	case YAML_MAPPING_START_EVENT:
		r = plain_node(b, ev, ev->data.mapping_start.anchor,
			       ev->data.mapping_start.implicit ? NULL : ev->data.mapping_start.tag);
		break;
	default:
		r = spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "", "unexpected YAML here");
		goto out;
	}
	if (r)
		goto out;
	n = new_node(b, ev->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, ev->start_mark);
	if (!n) {
		r = -ENOMEM;
		goto out;
	}
	yaml_event_delete(ev);
	r = build_children(b, n, depth);
	if (r) {
		spec_yaml_free(n);
		return r;
	}
	*out = n;
	return 0;
out:
	yaml_event_delete(ev);
	return r;
}

/* Expect an event of type t (stream and document markers). */
static int expect(struct ybuild *b, yaml_event_type_t t, yaml_event_t *ev)
{
	int r = next_event(b, ev);

	if (r)
		return r;
	if (ev->type == t)
		return 0;
	r = spec_err(b->ctx, b->s, mark_pos(ev->start_mark), "",
		     "more than one YAML document in the spec (a second '---'); keep one");
	yaml_event_delete(ev);
	return r;
}

static int load_document(struct ybuild *b, struct ynode **root)
{
	yaml_event_t ev;
	int r = next_event(b, &ev);

	if (r)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {	/* an empty file, or only comments */
		yaml_event_delete(&ev);
		return 0;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev);
		return spec_err(b->ctx, b->s, mark_pos(ev.start_mark), "", "unexpected YAML here");
	}
	yaml_event_delete(&ev);
	r = next_event(b, &ev);
	if (r)
		return r;
	r = build(b, &ev, 0, root);
	if (r)
		return r;
	r = expect(b, YAML_DOCUMENT_END_EVENT, &ev);
	if (r)
		return r;
	yaml_event_delete(&ev);
	r = expect(b, YAML_STREAM_END_EVENT, &ev);
	if (r)
		return r;
	yaml_event_delete(&ev);
	return 0;
}

int spec_yaml_load(struct ictl_ctx *ctx, struct ictl_spec *s, const char *buf, size_t len,
		   struct ynode **root)
{
	struct ybuild b = { .ctx = ctx, .s = s, .buf = buf, .len = len };
	yaml_event_t ev;
	int r;

	*root = NULL;
	if (!yaml_parser_initialize(&b.p))
		return ictl_err(ctx, ENOMEM, "out of memory reading the spec");
	yaml_parser_set_input_string(&b.p, (const unsigned char *)buf, len);
	r = next_event(&b, &ev);
	if (!r) {
		yaml_event_delete(&ev);	/* the stream start */
		r = load_document(&b, root);
	}
	yaml_parser_delete(&b.p);
	if (r) {
		spec_yaml_free(*root);
		*root = NULL;
	}
	return r;
}

bool ynode_is_null(const struct ynode *n)
{
	return !n || (n->kind == Y_SCALAR && n->plain &&
		      (!n->text[0] || !strcmp(n->text, "~") || !strcmp(n->text, "null")));
}

struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		if (!strcmp(map->items[2 * i]->text, key))
			return map->items[2 * i + 1];
	}
	return NULL;
}

const char *ynode_kind_name(const struct ynode *n)
{
	if (ynode_is_null(n))
		return "nothing";
	return n->kind == Y_SCALAR ? "single value" : n->kind == Y_SEQ ? "list" : "mapping";
}
