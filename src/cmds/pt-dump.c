// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl pt dump IMAGE | --raw FILE --base ADDR | --elf CORE  [--tree | --svg]:
 * the translations of a table, merged into ranges (IOVA range -> physical
 * range, page size, permissions), or every entry level by level with its
 * bits named, or a picture of the IOVA space.  Streamed: memory does not
 * grow with the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cmds.h"

enum { OPT_TREE = 0x600, OPT_SVG, OPT_RESERVED };

const struct argp_option pt_dump_options[] = {
	PT_SRC_OPTIONS,
	{ "tree", OPT_TREE, NULL, 0, "Every entry, level by level, with its bits decoded", 0 },
	{ "svg", OPT_SVG, NULL, 0,
	  "Draw the IOVA space as SVG (mappings by page size and "
	  "permissions)",
	  0 },
	{ "reserved", OPT_RESERVED, "FILE", 0,
	  "Reserved regions to draw with --svg (a group's reserved_regions file)", 0 },
	{ 0 }
};

error_t pt_dump_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct pt_dump_opts *o = cli->opts;

	switch (key) {
	case OPT_TREE:
		o->tree = true;
		break;
	case OPT_SVG:
		o->svg = true;
		break;
	case OPT_RESERVED:
		o->reserved = arg;
		break;
	case ARGP_KEY_END:
		pt_src_check(state, &o->src, cli->argc ? cli->argv[0] : NULL);
		if (o->tree && o->svg)
			argp_error(state, "give --tree or --svg, not both");
		if (o->svg && cli->json)
			argp_error(state, "--svg draws a picture: it has no JSON");
		if (o->reserved && !o->svg)
			argp_error(state, "--reserved goes with --svg");
		break;
	default:
		return pt_src_parse(key, arg, &o->src);
	}
	return 0;
}

/* Problems of the table: warned about as they come (text), summed up at the end. */
struct problems {
	struct cli *cli;
	uint64_t n;
	char first[200];
};

static int warn_problem(void *priv, const struct ictl_pt_event *ev)
{
	struct problems *p = priv;

	if (!p->n++)
		snprintf(p->first, sizeof(p->first), "%s", ev->msg);
	if (!p->cli->json && p->n <= 10)
		fprintf(stderr, "iommuctl: warning: %s: %s\n", ictl_pt_rule_name(ev->rule),
			esc_text(ev->msg));
	return 0;
}

static int problems_end(struct out_list *l, const struct problems *p, int err)
{
	if (err < 0 || !p->n)
		return out_list_end(l, err);
	return out_list_fail(l, -EUCLEAN,
			     "%" PRIu64 " problem%s in the table, the first: %.160s "
			     "('iommuctl pt validate' lists them all)",
			     p->n, p->n > 1 ? "s" : "", p->first);
}

static json_object *source_head(const struct pt_source *s)
{
	json_object *h = json_object_new_object();

	js_set(h, "source", json_object_new_string(s->what));
	js_set(h, "format", json_object_new_string(s->cfg.name));
	js_set(h, "root", js_hex(s->root, 0));
	return h;
}

/* --- ranges --------------------------------------------------------------------------- */

static const char *cell_iova(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "0x%" PRIx64, ((const struct ictl_pt_range *)rec)->iova);
	return buf;
}

static const char *cell_last(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_range *r = rec;

	snprintf(buf, len, "0x%" PRIx64, r->iova + (r->size - 1));
	return buf;
}

static const char *cell_phys(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "0x%" PRIx64, ((const struct ictl_pt_range *)rec)->phys);
	return buf;
}

static const char *cell_size(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_range *r = rec;

	return r->size ? ictl_pt_size_str(r->size, buf, len) : "16E";
}

static const char *cell_pages(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_range *r = rec;
	char sz[24];
	uint64_t n = r->size >> r->page;

	snprintf(buf, len, "%" PRIu64 "x%s", n ? n : (uint64_t)1 << (64 - r->page),
		 ictl_pt_size_str(1ull << r->page, sz, sizeof(sz)));
	return buf;
}

static const char *cell_perms(const void *rec, char *buf, size_t len)
{
	(void)len;
	return ictl_pt_perms_str(((const struct ictl_pt_range *)rec)->perms, buf);
}

static const struct out_col range_cols[] = {
	{ "IOVA", "first IOVA", COL_DEFAULT, 18, cell_iova },
	{ "LAST", "last IOVA", COL_DEFAULT, 18, cell_last },
	{ "PHYS", "physical address of IOVA", COL_DEFAULT, 18, cell_phys },
	{ "SIZE", "bytes", COL_DEFAULT | COL_RIGHT, 6, cell_size },
	{ "PAGES", "pages x page size", COL_DEFAULT | COL_RIGHT, 12, cell_pages },
	{ "PERMS", "r w x, p: privileged requests only", COL_DEFAULT, 5, cell_perms },
	{ NULL, NULL, 0, 0, NULL }
};

static json_object *range_json(const void *rec)
{
	const struct ictl_pt_range *r = rec;
	json_object *o = json_object_new_object();
	char p[8];

	js_set(o, "iova", js_hex(r->iova, 0));
	js_set(o, "last", js_hex(r->iova + (r->size - 1), 0));
	js_set(o, "phys", js_hex(r->phys, 0));
	js_set(o, "size", js_hex(r->size, 0));
	js_set(o, "page_size", js_hex(1ull << r->page, 0));
	js_set(o, "pages", js_uint(r->size >> r->page));
	js_set(o, "perms", json_object_new_string(ictl_pt_perms_str(r->perms, p)));
	js_set(o, "read", js_bool(r->perms & ICTL_PT_R));
	js_set(o, "write", js_bool(r->perms & ICTL_PT_W));
	js_set(o, "exec", js_bool(r->perms & ICTL_PT_X));
	js_set(o, "privileged", js_bool(r->perms & ICTL_PT_PRIV));
	return o;
}

static const struct out_list_view ranges_view = {
	.key = "translations",
	.cols = range_cols,
	.json = range_json,
	.flags = OUT_STREAM_TEXT,
};

static int dump_ranges(struct cli *cli, struct pt_source *s)
{
	struct problems p = { .cli = cli };
	struct ictl_pt_ranges it;
	struct ictl_pt_range r;
	struct out_list *l;
	int code, n;

	l = out_list_begin(cli, &ranges_view, &code);
	if (!l)
		return code;
	out_list_head(l, source_head(s));
	out_list_empty_note(l, "no translations: the table maps nothing");
	if (ictl_pt_ranges_init(&it, &s->cfg, &s->src, s->root) < 0)
		return out_list_fail(l, -ENOMEM, "out of memory");
	it.problem = warn_problem;
	it.priv = &p;
	while ((n = ictl_pt_ranges_next(&it, &r)) > 0)
		if (out_list_row(l, &r))
			break;
	ictl_pt_ranges_free(&it);
	if (n < 0)
		return out_list_fail(l, n, "walking the table: %s", strerror(-n));
	return problems_end(l, &p, 0);
}

/* --- tree ------------------------------------------------------------------------------- */

struct tree_rec {
	const struct ictl_pt_event *ev;
	const struct ictl_pt_cfg *cfg;
};

static const char *cell_entry(const void *rec, char *buf, size_t len)
{
	const struct tree_rec *t = rec;
	int indent = 2 * (int)(t->cfg->levels - t->ev->h);

	if (!t->ev->entry_addr && t->ev->type == ICTL_PT_EV_PROBLEM)
		snprintf(buf, len, "%*s%s table", indent, "", ictl_pt_level_name(t->cfg, t->ev->h));
	else
		snprintf(buf, len, "%*s%s[%u]", indent, "", ictl_pt_level_name(t->cfg, t->ev->h),
			 t->ev->index);
	return buf;
}

static const char *cell_addr(const void *rec, char *buf, size_t len)
{
	const struct tree_rec *t = rec;

	snprintf(buf, len, "0x%" PRIx64, t->ev->entry_addr ? t->ev->entry_addr : t->ev->table);
	return buf;
}

static const char *cell_value(const void *rec, char *buf, size_t len)
{
	const struct tree_rec *t = rec;

	if (!t->ev->entry_addr)
		return NULL;
	snprintf(buf, len, "0x%016" PRIx64, t->ev->pte.raw);
	return buf;
}

/* "P R/W U/S A XD": the fields of this kind that are set, multi-bit ones with their value. */
static void fields_str(const struct tree_rec *t, char *buf, size_t len)
{
	unsigned int kind = ictl_pt_field_kind(&t->ev->pte, t->ev->h);
	size_t n = 0;

	buf[0] = '\0';
	for (const struct ictl_pt_field *f = ictl_pt_fields(t->cfg); f->name && n < len; f++) {
		uint64_t v = (t->ev->pte.raw >> f->lsb) &
			     (f->msb - f->lsb >= 63 ? ~0ull : (1ull << (f->msb - f->lsb + 1)) - 1);

		if (!(f->where & kind) || !v || !strcmp(f->name, "ADDR") || !strcmp(f->name, "OA"))
			continue;
		if (f->msb == f->lsb)
			n += (size_t)snprintf(buf + n, len - n, " %s", f->name);
		else
			n += (size_t)snprintf(buf + n, len - n, " %s=%" PRIu64, f->name, v);
	}
}

static const char *cell_decoded(const void *rec, char *buf, size_t len)
{
	const struct tree_rec *t = rec;
	const struct ictl_pt_event *ev = t->ev;
	char f[160], p[8], sz[24];

	if (ev->type == ICTL_PT_EV_PROBLEM) {
		snprintf(buf, len, "PROBLEM %s: %s", ictl_pt_rule_name(ev->rule), ev->msg);
		return buf;
	}
	fields_str(t, f, sizeof(f));
	if (ev->pte.type == ICTL_PTE_TABLE)
		snprintf(buf, len, "table 0x%" PRIx64 " (%s)%s", ev->pte.addr,
			 ictl_pt_level_name(t->cfg, ev->pte.next), f);
	else
		snprintf(buf, len, "%s 0x%" PRIx64 " -> 0x%" PRIx64 " %s%s",
			 ictl_pt_size_str(1ull << ev->page, sz, sizeof(sz)), ev->iova, ev->phys,
			 ictl_pt_perms_str(ev->perms, p), f);
	return buf;
}

static const struct out_col tree_cols[] = {
	{ "ENTRY", "level and index", COL_DEFAULT, 16, cell_entry },
	{ "ADDRESS", "where the entry is", COL_DEFAULT, 12, cell_addr },
	{ "VALUE", "the entry", COL_DEFAULT, 18, cell_value },
	{ "DECODED", "what it means", COL_DEFAULT, 0, cell_decoded },
	{ NULL, NULL, 0, 0, NULL }
};

/*
 * {"P": 1, "R/W": 1, ...}: every field of this kind of entry by its name in
 * the specification, with its value (addresses are "next" and "phys").
 */
static json_object *entry_fields(const struct tree_rec *t)
{
	unsigned int kind = ictl_pt_field_kind(&t->ev->pte, t->ev->h);
	json_object *o = json_object_new_object();

	for (const struct ictl_pt_field *f = ictl_pt_fields(t->cfg); f->name; f++) {
		if (!(f->where & kind) || !strcmp(f->name, "ADDR") || !strcmp(f->name, "OA"))
			continue;
		js_set(o, f->name,
		       js_uint((t->ev->pte.raw >> f->lsb) & ((1ull << (f->msb - f->lsb + 1)) - 1)));
	}
	return o;
}

static json_object *tree_json(const void *rec)
{
	static const char *const types[] = { "empty", "table", "leaf", "invalid" };
	const struct tree_rec *t = rec;
	const struct ictl_pt_event *ev = t->ev;
	bool problem = ev->type == ICTL_PT_EV_PROBLEM, leaf = ev->pte.type == ICTL_PTE_LEAF;
	json_object *o = json_object_new_object();
	char p[8];

	js_set(o, "kind", json_object_new_string(problem ? "problem" : "entry"));
	js_set(o, "level", js_uint(ictl_pt_level_num(t->cfg, ev->h)));
	js_set(o, "level_name", json_object_new_string(ictl_pt_level_name(t->cfg, ev->h)));
	js_set(o, "index", ev->entry_addr ? js_uint(ev->index) : NULL);
	js_set(o, "address", js_hex(ev->entry_addr ? ev->entry_addr : ev->table, 0));
	js_set(o, "value", ev->entry_addr ? js_hex(ev->pte.raw, 16) : NULL);
	js_set(o, "type", ev->entry_addr ? json_object_new_string(types[ev->pte.type]) : NULL);
	js_set(o, "iova", js_hex(ev->iova, 0));
	js_set(o, "size", js_hex(ev->size, 0));
	js_set(o, "next", ev->pte.type == ICTL_PTE_TABLE ? js_hex(ev->pte.addr, 0) : NULL);
	js_set(o, "phys", !problem && leaf ? js_hex(ev->phys, 0) : NULL);
	js_set(o, "page_size", !problem && leaf ? js_hex(1ull << ev->page, 0) : NULL);
	js_set(o, "perms",
	       !problem && leaf ? json_object_new_string(ictl_pt_perms_str(ev->perms, p)) : NULL);
	js_set(o, "reserved", ev->pte.rsvd ? js_hex(ev->pte.rsvd, 16) : NULL);
	js_set(o, "fields", ev->entry_addr ? entry_fields(t) : NULL);
	js_set(o, "rule", problem ? json_object_new_string(ictl_pt_rule_name(ev->rule)) : NULL);
	js_set(o, "message", problem ? json_object_new_string(ev->msg) : NULL);
	return o;
}

static const struct out_list_view tree_view = {
	.key = "entries",
	.cols = tree_cols,
	.json = tree_json,
	.flags = OUT_STREAM_TEXT,
};

static int dump_tree(struct cli *cli, struct pt_source *s)
{
	struct problems p = { .cli = cli };
	struct ictl_pt_walk w;
	struct ictl_pt_event ev;
	struct out_list *l;
	int code, n;

	l = out_list_begin(cli, &tree_view, &code);
	if (!l)
		return code;
	out_list_head(l, source_head(s));
	out_list_empty_note(l, "the root table is empty");
	if (ictl_pt_walk_init(&w, &s->cfg, &s->src, s->root, ICTL_PT_WALK_TREE) < 0)
		return out_list_fail(l, -ENOMEM, "out of memory");
	while ((n = ictl_pt_walk_next(&w, &ev)) > 0) {
		if (ev.type == ICTL_PT_EV_TABLE)
			continue;
		if (ev.type == ICTL_PT_EV_PROBLEM) {
			p.n++;
			if (!p.first[0])
				snprintf(p.first, sizeof(p.first), "%s", ev.msg);
		}
		if (out_list_row(l, &(struct tree_rec){ &ev, &s->cfg }))
			break;
	}
	ictl_pt_walk_free(&w);
	if (n < 0)
		return out_list_fail(l, n, "walking the table: %s", strerror(-n));
	return problems_end(l, &p, 0);
}

int cmd_pt_dump(struct cli *cli)
{
	struct pt_dump_opts *o = cli->opts;
	struct ictl_pt_resv *resv = NULL;
	struct pt_source s;
	size_t nresv = 0;
	int r;

	if (o->reserved) {
		r = pt_load_reserved(cli, o->reserved, &resv, &nresv);
		if (r)
			return r;
	}
	r = pt_source_open(cli, &o->src, cli->argc ? cli->argv[0] : NULL, &s);
	if (!r) {
		cli_verbose(cli, "%s: %s, root 0x%" PRIx64, s.what, s.cfg.name, s.root);
		r = o->svg  ? pt_svg(cli, &s, resv, nresv) :
		    o->tree ? dump_tree(cli, &s) :
			      dump_ranges(cli, &s);
		pt_source_close(&s);
	}
	free(resv);
	return r;
}
