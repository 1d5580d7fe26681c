// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl pt validate IMAGE [--mappings FILE | --spec SPEC [--table NAME] |
 *                      --held [--pid PID] [--ioas NAME]] [--page-sizes LIST]
 *                      [--hw-info BLOB --type TYPE] [--reserved FILE | --group N]:
 * check a table against the mappings asked for, the group's reserved regions
 * and what the hardware walks.  Every finding names the IOVA range, the entry,
 * its level and the rule; exit 0 only when there is none.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "../lib/pt-held.h"

enum {
	OPT_MAPS = 0x700,
	OPT_PAGES,
	OPT_HW,
	OPT_TYPE,
	OPT_RESERVED,
	OPT_GROUP,
	OPT_HELD,
	OPT_PID,
	OPT_IOAS
};

const struct argp_option pt_validate_options[] = {
	PT_SRC_OPTIONS,
	{ "mappings", OPT_MAPS, "FILE", 0, "The mappings the table should hold (a mapping file)",
	  0 },
	{ "page-sizes", OPT_PAGES, "LIST", 0,
	  "Expect the largest of these pages that fit (default: an image's own; 'any': no "
	  "expectation)",
	  0 },
	{ "hw-info", OPT_HW, "BLOB", 0,
	  "Check against the hardware of a saved IOMMU_GET_HW_INFO blob (needs --type)", 0 },
	{ "type", OPT_TYPE, "TYPE", 0,
	  "hw_info type of --hw-info: intel-vtd, amd-vi, "
	  "arm-smmu-v3, ...",
	  0 },
	{ "reserved", OPT_RESERVED, "FILE", 0,
	  "Nothing may be mapped in these reserved regions (a reserved_regions file)", 0 },
	{ "group", OPT_GROUP, "GROUP", 0, "Nothing may be mapped in this group's reserved regions",
	  0 },
	PT_SPEC_OPTIONS("The mappings the table should hold: a table of a spec's page_tables: (see "
			"--table)"),
	{ "held", OPT_HELD, NULL, 0,
	  "The mappings the table should hold: those of an IOAS a holder holds (iommuctl-held(8)), "
	  "each to the physical pages of the holder's memory (with --debugfs; root)",
	  0 },
	{ "pid", OPT_PID, "PID", 0, "With --held: the holder (default: the only one)", 0 },
	{ "ioas", OPT_IOAS, "IOAS", 0, "With --held: the IOAS, a name or an id (default: the only one)",
	  0 },
	{ 0 }
};

error_t pt_validate_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct pt_validate_opts *o = cli->opts;

	switch (key) {
	case OPT_MAPS:
		o->mappings = arg;
		break;
	case OPT_PAGES:
		o->page_sizes = arg;
		break;
	case OPT_HW:
		o->hw_info = arg;
		break;
	case OPT_TYPE:
		o->type = arg;
		break;
	case OPT_RESERVED:
		o->reserved = arg;
		break;
	case OPT_GROUP:
		o->group = arg;
		break;
	case OPT_HELD:
		o->held = true;
		break;
	case OPT_PID:
		o->pid = arg;
		break;
	case OPT_IOAS:
		o->ioas = arg;
		break;
	case ARGP_KEY_END:
		pt_spec_check(state, o->spec, o->table);
		if ((o->pid || o->ioas) && !o->held)
			argp_error(state, "--pid and --ioas go with --held");
		if (!!o->spec + !!o->mappings + o->held > 1)
			argp_error(state, "give one of --mappings, --spec and --held");
		if (o->held && !o->src.debugfs)
			argp_error(state, "--held checks the kernel's live table: give --debugfs DEVICE");
		pt_src_check(state, &o->src, cli->argc ? cli->argv[0] : NULL);
		if (!!o->hw_info != !!o->type)
			argp_error(state, "--hw-info and --type go together");
		if (o->reserved && o->group)
			argp_error(state, "give --reserved or --group, not both");
		break;
	default:
		if (pt_spec_parse(key, arg, &o->spec, &o->table) == 0)
			return 0;
		return pt_src_parse(key, arg, &o->src);
	}
	return 0;
}

/* --- reserved regions ------------------------------------------------------------------ */

static int resv_copy(struct cli *cli, const struct ictl_resv_region *v, size_t n,
		     struct ictl_pt_resv **out, size_t *nout)
{
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return cli_error(cli, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		(*out)[i].start = v[i].start;
		(*out)[i].last = v[i].end;
		snprintf((*out)[i].kind, sizeof((*out)[i].kind), "%s", v[i].kind);
	}
	*nout = n;
	return 0;
}

int pt_load_reserved(struct cli *cli, const char *path, struct ictl_pt_resv **out, size_t *n)
{
	struct ictl_resv_region *v = NULL;
	size_t nv = 0;
	char buf[65536];
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), r;

	if (fd < 0)
		return cli_error(cli, errno == ENOENT ? -EINVAL : -errno, "--reserved %s: %s", path,
				 strerror(errno));
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0 || (size_t)len == sizeof(buf) - 1)
		return cli_error(cli, len < 0 ? -errno : -EINVAL, "--reserved %s: %s", path,
				 len < 0 ? strerror(errno) : "larger than 64 KiB");
	if (memchr(buf, '\0', (size_t)len))
		return cli_error(cli, -EINVAL, "--reserved %s: a NUL byte at offset %zu: not a reserved_regions text",
				 path, (size_t)((char *)memchr(buf, '\0', (size_t)len) - buf));
	buf[len] = '\0';
	r = ictl_parse_reserved_regions(cli->ctx, buf, &v, &nv);
	if (r < 0)
		return cli_error(cli, -EINVAL, "--reserved %s: %s", path, ictl_strerror(cli->ctx));
	r = resv_copy(cli, v, nv, out, n);
	free(v);
	return r;
}

static int group_reserved(struct cli *cli, const char *arg, struct ictl_pt_resv **out, size_t *n)
{
	struct ictl_group g;
	unsigned int id;
	int r = ictl_parse_group_id(cli->ctx, arg, &id);

	if (!r)
		r = ictl_group_read(cli->ctx, id, &g);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = resv_copy(cli, g.resv, g.nresv, out, n);
	ictl_group_clear(&g);
	return r;
}

/* --- hardware ---------------------------------------------------------------------------- */

static int load_hw(struct cli *cli, const struct pt_validate_opts *o, const struct ictl_pt_cfg *cfg,
		   struct ictl_pt_hw *hw)
{
	struct ictl_hw_info hi;
	uint8_t blob[4096];
	uint32_t type;
	ssize_t len;
	int fd, r;

	r = ictl_hw_info_type_parse(cli->ctx, o->type, &type);
	if (r < 0)
		return cli_lib_error(cli, r);
	fd = open(o->hw_info, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cli_error(cli, errno == ENOENT ? -EINVAL : -errno, "--hw-info %s: %s",
				 o->hw_info, strerror(errno));
	len = read(fd, blob, sizeof(blob));
	close(fd);
	if (len < 0 || (size_t)len == sizeof(blob))
		return cli_error(cli, len < 0 ? -errno : -EINVAL, "--hw-info %s: %s", o->hw_info,
				 len < 0 ? strerror(errno) : "larger than any hw_info structure");
	r = ictl_hw_info_decode(cli->ctx, type, blob, (size_t)len, &hi);
	if (!r) {
		r = ictl_pt_hw_from_info(cli->ctx, &hi, cfg, hw);
		ictl_hw_info_clear(&hi);
	}
	return r < 0 ? cli_lib_error(cli, r) : 0;
}

/* --- the report ------------------------------------------------------------------------------ */

struct finding_rec {
	const struct ictl_pt_finding *f;
	const struct ictl_pt_cfg *cfg;
};

static const char *cell_rule(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ictl_pt_rule_name(((const struct finding_rec *)rec)->f->rule);
}

static const char *cell_iova(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_finding *f = ((const struct finding_rec *)rec)->f;

	if (f->rule == ICTL_PT_RULE_HW_FORMAT)
		return NULL;
	snprintf(buf, len, "0x%" PRIx64, f->iova);
	return buf;
}

static const char *cell_last(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_finding *f = ((const struct finding_rec *)rec)->f;

	if (!f->size)
		return NULL;
	snprintf(buf, len, "0x%" PRIx64, f->iova + (f->size - 1));
	return buf;
}

static const char *cell_level(const void *rec, char *buf, size_t len)
{
	const struct finding_rec *r = rec;

	(void)buf, (void)len;
	return r->f->h ? ictl_pt_level_name(r->cfg, r->f->h) : NULL;
}

static const char *cell_entry(const void *rec, char *buf, size_t len)
{
	const struct ictl_pt_finding *f = ((const struct finding_rec *)rec)->f;

	if (!f->entry_addr)
		return NULL;
	snprintf(buf, len, "0x%" PRIx64, f->entry_addr);
	return buf;
}

static const char *cell_message(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ((const struct finding_rec *)rec)->f->msg;
}

static const struct out_col finding_cols[] = {
	{ "RULE", "the rule broken", COL_DEFAULT, 12, cell_rule },
	{ "IOVA", "first IOVA concerned", COL_DEFAULT, 18, cell_iova },
	{ "LAST", "last IOVA concerned", COL_DEFAULT, 18, cell_last },
	{ "LEVEL", "the entry's level", COL_DEFAULT, 8, cell_level },
	{ "ENTRY", "the entry's address", COL_DEFAULT, 12, cell_entry },
	{ "MESSAGE", "what is wrong", COL_DEFAULT, 0, cell_message },
	{ NULL, NULL, 0, 0, NULL }
};

static json_object *finding_json(const void *rec)
{
	const struct finding_rec *r = rec;
	const struct ictl_pt_finding *f = r->f;
	json_object *o = json_object_new_object();

	js_set(o, "rule", json_object_new_string(ictl_pt_rule_name(f->rule)));
	js_set(o, "iova", f->size ? js_hex(f->iova, 0) : NULL);
	js_set(o, "last", f->size ? js_hex(f->iova + (f->size - 1), 0) : NULL);
	js_set(o, "size", f->size ? js_hex(f->size, 0) : NULL);
	js_set(o, "level", f->h ? js_uint(ictl_pt_level_num(r->cfg, f->h)) : NULL);
	js_set(o, "level_name",
	       f->h ? json_object_new_string(ictl_pt_level_name(r->cfg, f->h)) : NULL);
	js_set(o, "entry", f->entry_addr ? js_hex(f->entry_addr, 0) : NULL);
	js_set(o, "index", f->entry_addr ? js_uint(f->index) : NULL);
	js_set(o, "value", f->entry_addr ? js_hex(f->raw, 16) : NULL);
	js_set(o, "line", f->line && !f->name ? js_uint(f->line) : NULL);
	js_set(o, "mapping", f->name && f->name[0] ? json_object_new_string(f->name) : NULL);
	js_set(o, "count", js_uint(f->count));
	js_set(o, "message", json_object_new_string(f->msg));
	return o;
}

static const struct out_list_view findings_view = {
	.key = "findings",
	.cols = finding_cols,
	.json = finding_json,
	.flags = OUT_STREAM_TEXT,
};

struct report {
	struct out_list *l;
	const struct ictl_pt_cfg *cfg;
};

static int report_finding(void *priv, const struct ictl_pt_finding *f)
{
	struct report *rp = priv;

	return out_list_row(rp->l, &(struct finding_rec){ f, rp->cfg }) ? -EIO : 0;
}

static void summary(const struct ictl_pt_check_stats *st, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%" PRIu64 " finding%s:", st->findings,
				    st->findings > 1 ? "s" : "");

	for (int k = 0; k < ICTL_PT_RULE_COUNT && n < len; k++)
		if (st->by_rule[k])
			n += (size_t)snprintf(buf + n, len - n, "%s %" PRIu64 " %s",
					      n > 12 && buf[n - 1] != ':' ? "," : "",
					      st->by_rule[k],
					      ictl_pt_rule_name((enum ictl_pt_rule)k));
}

static json_object *held_json(const struct pt_validate_opts *o)
{
	json_object *j = json_object_new_object();

	js_set(j, "pid", js_uint((uint64_t)o->held_got.pid));
	js_set(j, "ioas", js_str(o->held_got.ioas[0] ? o->held_got.ioas : NULL));
	js_set(j, "ioas_id", js_uint(o->held_got.ioas_id));
	js_set(j, "mappings", js_uint(o->held_got.maps));
	js_set(j, "pages", js_uint(o->held_got.pages));
	js_set(j, "pages_unknown", js_uint(o->held_got.unknown));
	return j;
}

static json_object *head(const struct pt_source *s, const struct pt_validate_opts *o,
			 uint64_t expect, const struct ictl_pt_hw *hw)
{
	json_object *h = json_object_new_object();
	char sizes[512];

	js_set(h, "source", json_object_new_string(s->what));
	js_set(h, "format", json_object_new_string(s->cfg.name));
	js_set(h, "root", js_hex(s->root, 0));
	js_set(h, "mappings", js_str(o->mappings ? o->mappings : o->what[0] ? o->what : NULL));
	js_set(h, "page_sizes",
	       expect ? json_object_new_string(
				ictl_pt_page_sizes_str(expect, sizes, sizeof(sizes))) :
			NULL);
	js_set(h, "hardware", hw->known ? json_object_new_string(hw->source) : NULL);
	js_set(h, "held", o->held ? held_json(o) : NULL);
	return h;
}

static int run(struct cli *cli, struct pt_source *s, struct ictl_pt_check_opts *co,
	       const struct pt_validate_opts *o, const struct ictl_pt_hw *hw)
{
	struct ictl_pt_check_stats st;
	struct report rp = { .cfg = &s->cfg };
	char sum[256], sz[24];
	int code, r;

	rp.l = out_list_begin(cli, &findings_view, &code);
	if (!rp.l)
		return code;
	out_list_head(rp.l, head(s, o, co->expect_pages, hw));
	r = ictl_pt_check(cli->ctx, co, report_finding, &rp, &st);
	if (r < 0)
		return out_list_end(rp.l, r == -EIO ? 0 : r);
	cli_verbose(cli,
		    "checked %" PRIu64 " tables (%s), %" PRIu64 " entries, %" PRIu64
		    " runs of leaves",
		    st.tables, ictl_pt_size_str(st.bytes, sz, sizeof(sz)), st.entries, st.ranges);
	if (st.findings) {
		summary(&st, sum, sizeof(sum));
		return out_list_fail(rp.l, -EUCLEAN, "%s", sum);
	}
	out_list_empty_note(rp.l, "clean: %" PRIu64 " entries in %" PRIu64 " tables%s%s",
			    st.entries, st.tables, o->what[0] ? ", as " : "", esc_text(o->what));
	return out_list_end(rp.l, 0);
}

/* --- --held: an IOAS of a held set ------------------------------------------------------ */

/* --ioas: a name or an id of an IOAS of h; without it the only IOAS. */
static int held_ioas(struct cli *cli, const struct pt_validate_opts *o, const struct ictl_held *h,
		     const struct ictl_held_obj **out)
{
	size_t n = 0;
	uint64_t id = 0;

	if (o->ioas && ictl_pt_parse_size(o->ioas, &id))
		id = 0;
	for (size_t i = 0; i < h->nobjs; i++) {
		const struct ictl_held_obj *x = &h->objs[i];

		if (x->kind != ICTL_OBJ_IOAS)
			continue;
		if (!o->ioas || !strcmp(x->name, o->ioas) || x->id == id) {
			*out = x;
			n++;
		}
	}
	if (n == 1)
		return 0;
	if (o->ioas)
		return cli_error(cli, -ENOENT, "--ioas %.40s: no such IOAS in the set of holder %d ('iommuctl held objects --pid %d')",
				 o->ioas, h->pid, h->pid);
	return cli_error(cli, n ? -EINVAL : -ENOENT, "--held: holder %d holds %s: give --ioas NAME",
			 h->pid, n ? "several IOAS" : "no IOAS");
}

/*
 * The holder's set (alive: its pid is still the process that wrote it), and
 * the IOAS's mappings with the physical pages behind them; h outlives maps.
 */
static int held_maps(struct cli *cli, struct pt_validate_opts *o, struct ictl_held *h,
		     struct ictl_pt_maps *maps)
{
	const struct ictl_held_obj *io = NULL;
	struct ictl_pt_held_stats st;
	char *end;
	long pid = 0;
	int r, one = 0;

	if (o->pid) {
		errno = 0;
		pid = strtol(o->pid, &end, 10);
		if (errno || *end || pid <= 0 || pid > (1 << 22))
			return cli_error(cli, -EINVAL, "--pid %.24s: give the pid of a holder ('iommuctl held list')",
					 o->pid);
	} else if ((r = ictl_held_only_holder(cli->ctx, &one)) == -ENOENT || r == -EINVAL) {
		return cli_error(cli, r, "--held: %s", ictl_strerror(cli->ctx));
	} else if (r < 0) {
		return cli_lib_error(cli, r);
	} else {
		pid = one;
	}
	r = ictl_held_read(cli->ctx, (int)pid, h);
	if (r < 0)
		return cli_lib_error(cli, r);
	if (!ictl_held_alive(cli->ctx, h))
		return cli_error(cli, -ENOENT,
				 "holder %ld is gone (%s is stale): 'iommuctl recover' removes it", pid,
				 h->file);
	if ((r = held_ioas(cli, o, h, &io)))
		return r;
	r = ictl_pt_held_maps(cli->ctx, h, io->id, maps, &st);
	if (r == -ESRCH)
		return cli_error(cli, -ENOENT, "holder %ld is gone", pid);
	if (r < 0)
		return cli_lib_error(cli, r);
	snprintf(o->what, sizeof(o->what), "the held set of pid %ld, ioas %s", pid,
		 io->name[0] ? io->name : "-");
	o->held_got.pid = pid;
	o->held_got.ioas_id = io->id;
	snprintf(o->held_got.ioas, sizeof(o->held_got.ioas), "%s", io->name);
	o->held_got.maps = st.maps;
	o->held_got.pages = st.pages;
	o->held_got.unknown = st.unknown;
	if (st.unknown) {
		size_t n = strlen(o->what);

		snprintf(o->what + n, sizeof(o->what) - n,
			 " (%" PRIu64 " pages of unknown physical address)", st.unknown);
	}
	cli_verbose(cli,
		    "held set of pid %ld: %" PRIu64 " mappings of ioas #%u, %" PRIu64
		    " pages whose physical address pagemap gives, %" PRIu64 " unknown, %" PRIu64
		    " mappings of unknown access",
		    pid, st.maps, io->id, st.pages, st.unknown, st.noaccess);
	return 0;
}

/*
 * --spec: the table's mappings, each to: as a parent IOVA (the spec's own:
 * a mapping the kernel places has no IOVA here); the image must be of the
 * table's format, and the table's page sizes are expected.
 */
static int spec_maps(struct cli *cli, struct pt_validate_opts *o, const struct pt_source *src,
		     struct ictl_pt_maps *maps, uint64_t *expect)
{
	struct ictl_spec s;
	size_t t = 0;
	int r = pt_spec_table(cli, o->spec, o->table, &s, &t);

	if (!r && strcmp(s.ptables[t].cfg.name, src->cfg.name))
		r = cli_error(cli, -EINVAL, "%s is %s, but table %s of %s is %s", src->what,
			      src->cfg.name, s.ptables[t].name, o->spec, s.ptables[t].cfg.name);
	if (!r && (r = ictl_spec_pt_maps(cli->ctx, &s, t, NULL, NULL, maps)) < 0)
		r = cli_lib_error(cli, r);
	if (!r && !o->page_sizes)
		*expect = s.ptables[t].page_sizes ? s.ptables[t].page_sizes :
						    s.ptables[t].cfg.page_sizes;
	if (!r)
		snprintf(o->what, sizeof(o->what), "%s table %s", o->spec, s.ptables[t].name);
	ictl_spec_clear(&s);
	return r;
}

int cmd_pt_validate(struct cli *cli)
{
	struct pt_validate_opts *o = cli->opts;
	struct ictl_pt_maps maps = { 0 };
	struct ictl_pt_resv *resv = NULL;
	struct ictl_pt_hw hw = { 0 };
	struct ictl_held held = { 0 };
	struct pt_source s;
	size_t nresv = 0;
	uint64_t expect = 0;
	int r;

	r = pt_source_open(cli, &o->src, cli->argc ? cli->argv[0] : NULL, &s);
	if (r)
		return r;
	expect = s.img.page_sizes;
	if (o->page_sizes && !strcmp(o->page_sizes, "any"))
		expect = 0;
	else if (o->page_sizes && (r = ictl_pt_page_sizes_parse(cli->ctx, o->page_sizes, &expect)))
		r = cli_lib_error(cli, r);
	else if (expect & ~s.cfg.page_sizes)
		r = cli_error(cli, -EINVAL, "--page-sizes: %s has no such pages", s.cfg.name);
	if (o->mappings)
		snprintf(o->what, sizeof(o->what), "%s", o->mappings);
	if (!r && o->mappings && (r = ictl_pt_maps_load(cli->ctx, o->mappings, &maps)))
		r = cli_lib_error(cli, r);
	if (!r && o->spec)
		r = spec_maps(cli, o, &s, &maps, &expect);
	if (!r && o->held) {
		/* the kernel picks its page sizes: none expected unless --page-sizes says */
		if (!o->page_sizes)
			expect = 0;
		r = held_maps(cli, o, &held, &maps);
	}
	if (!r && o->hw_info)
		r = load_hw(cli, o, &s.cfg, &hw);
	if (!r && o->reserved)
		r = pt_load_reserved(cli, o->reserved, &resv, &nresv);
	if (!r && o->group)
		r = group_reserved(cli, o->group, &resv, &nresv);
	if (!r) {
		struct ictl_pt_check_opts co = {
			.cfg = &s.cfg,
			.src = &s.src,
			.root = s.root,
			.maps = o->mappings || o->spec || o->held ? &maps : NULL,
			.expect_pages = o->mappings || o->spec || o->held ? expect : 0,
			.hw = &hw,
			.resv = resv,
			.nresv = nresv,
			/* iommufd asks for read and write only: execute and privilege are the driver's */
			.ignore_perms = o->held ? ICTL_PT_X | ICTL_PT_PRIV : 0,
		};

		r = run(cli, &s, &co, o, &hw);
	}
	free(resv);
	ictl_pt_maps_clear(&maps);
	ictl_held_clear(&held);
	pt_source_close(&s);
	return r;
}
