// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl pt build --format FORMAT [--page-sizes LIST] [--base ADDR]
 *                   [-o FILE] MAPPINGS: tables for a mapping file, as an image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <string.h>
#include <endian.h>
#include <unistd.h>

#include "cmds.h"

enum { OPT_PAGES = 0x500, OPT_BASE, OPT_CD, OPT_GCR3 };

const struct argp_option pt_build_options[] = {
	{ "format", PT_OPT_FORMAT, "FORMAT", 0,
	  "Table format: x86-64, vtd-ss, amd-v1 or arm-lpae-s1, with ,KEY=VALUE parameters", 0 },
	{ "page-sizes", OPT_PAGES, "LIST", 0,
	  "Page sizes to use, e.g. 4K,2M (default: all the format has; the largest that fit)", 0 },
	{ "base", OPT_BASE, "ADDR", 0,
	  "Address of the first table; the others follow it (default 0x100000)", 0 },
	{ "output", 'o', "FILE", 0, "Write the image to FILE (default: standard output)", 0 },
	{ "with-cd", OPT_CD, NULL, 0,
	  "arm-lpae-s1: add an SMMUv3 CD table whose CD 0 points at the tables; say its STE", 0 },
	{ "with-gcr3", OPT_GCR3, NULL, 0,
	  "x86-64: add an AMD GCR3 table whose PASID 0 is the tables; say its guest DTE", 0 },
	PT_SPEC_OPTIONS("Build a table of a spec's page_tables: (its format, mappings and IOVA: as "
			"apply does)"),
	{ 0 }
};

error_t pt_build_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct pt_build_opts *o = cli->opts;

	switch (key) {
	case PT_OPT_FORMAT:
		o->format = arg;
		break;
	case OPT_PAGES:
		o->page_sizes = arg;
		break;
	case OPT_BASE:
		pt_arg_num(state, "--base", arg);
		o->base = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_CD:
		o->with_cd = true;
		break;
	case OPT_GCR3:
		o->with_gcr3 = true;
		break;
	case ARGP_KEY_END:
		pt_spec_check(state, o->spec, o->table);
		if (o->spec && (o->format || o->page_sizes || o->base || o->with_cd || o->with_gcr3))
			argp_error(state, "--spec gives the format, page sizes, base and the CD or "
					  "GCR3 table: drop --format, --page-sizes, --base, --with-cd, "
					  "--with-gcr3");
		if (o->spec && cli->argc)
			argp_error(state, "--spec gives the mappings: drop %s", cli->argv[0]);
		if (!o->spec && !o->format)
			argp_error(state, "missing --format FORMAT (x86-64, vtd-ss, amd-v1, "
					  "arm-lpae-s1)");
		if (!o->output && cli->json)
			argp_error(state, "--json prints a summary: give the image a file with -o");
		if (o->with_cd && o->with_gcr3)
			argp_error(state, "give --with-cd or --with-gcr3, not both");
		break;
	default:
		return pt_spec_parse(key, arg, &o->spec, &o->table);
	}
	return 0;
}

struct build_rec {
	const struct ictl_pt_image *img;
	const char *output;
	size_t nmaps;
	uint64_t ste[2], dte[4]; /* with the CD or GCR3 table */
};

static json_object *words(const uint64_t *w, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, js_hex(le64toh(w[i]), 16));
	return a;
}

static json_object *build_json(struct cli *cli, const void *data, int err)
{
	const struct build_rec *b = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	char sizes[512];

	(void)cli, (void)err;
	js_set(o, "file", js_str(b->output));
	js_set(o, "format", json_object_new_string(b->img->cfg.name));
	js_set(o, "base", js_hex(b->img->base, 0));
	js_set(o, "root", js_hex(b->img->root, 0));
	js_set(o, "size", js_hex(b->img->len, 0));
	js_set(o, "tables", js_uint(b->img->tables));
	js_set(o, "leaves", js_uint(b->img->leaves));
	js_set(o, "mappings", js_uint(b->nmaps));
	js_set(o, "page_sizes",
	       json_object_new_string(
		       ictl_pt_page_sizes_str(b->img->page_sizes, sizes, sizeof(sizes))));
	js_set(o, "cd", b->img->cd ? js_hex(b->img->cd, 0) : NULL);
	js_set(o, "ste", b->img->cd ? words(b->ste, 2) : NULL);
	js_set(o, "gcr3", b->img->gcr3 ? js_hex(b->img->gcr3, 0) : NULL);
	js_set(o, "dte", b->img->gcr3 ? words(b->dte, 4) : NULL);
	js_set(doc, "image", o);
	return doc;
}

static int build_text(struct cli *cli, FILE *out, const void *data)
{
	const struct build_rec *b = data;
	char sizes[512], sz[24];

	(void)cli;
	fprintf(out,
		"%s: %s, root 0x%" PRIx64 ", %" PRIu64 " tables (%s at 0x%" PRIx64 "), %" PRIu64
		" leaves for %zu mappings, pages %s\n",
		esc_text(b->output), b->img->cfg.name, b->img->root, b->img->tables,
		ictl_pt_size_str(b->img->len, sz, sizeof(sz)), b->img->base, b->img->leaves,
		b->nmaps, ictl_pt_page_sizes_str(b->img->page_sizes, sizes, sizeof(sizes)));
	if (b->img->cd)
		fprintf(out,
			"CD table at 0x%" PRIx64 " (CD 0: the tables); STE words 0x%016" PRIx64
			" 0x%016" PRIx64 "\n",
			b->img->cd, le64toh(b->ste[0]), le64toh(b->ste[1]));
	if (b->img->gcr3)
		fprintf(out,
			"GCR3 table at 0x%" PRIx64 " (PASID 0: the tables); guest DTE 0x%016" PRIx64
			" 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 "\n",
			b->img->gcr3, le64toh(b->dte[0]), le64toh(b->dte[1]), le64toh(b->dte[2]),
			le64toh(b->dte[3]));
	return 0;
}

static const struct out_doc_view build_view = { .json = build_json, .text = build_text };

/* Write next to the destination, then rename: a failed build leaves no half image. */
static int write_image(struct cli *cli, const struct ictl_pt_image *img, const char *path)
{
	char tmp[4096];
	int fd, r;

	if (!path) {
		if (isatty(STDOUT_FILENO))
			return cli_error(cli, -EINVAL,
					 "the image is binary: give -o FILE or redirect "
					 "standard output");
		r = ictl_pt_image_write(cli->ctx, img, STDOUT_FILENO, "standard output");
		return r < 0 ? cli_lib_error(cli, r) : 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return cli_error(cli, -ENAMETOOLONG, "-o %s: name too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cli_error(cli, errno == ENOENT ? -EINVAL : -errno, "-o %s: %s", path,
				 strerror(errno));
	r = ictl_pt_image_write(cli->ctx, img, fd, path);
	if (r < 0) {
		close(fd);
		unlink(tmp);
		return cli_lib_error(cli, r);
	}
	r = fchmod(fd, 0644);
	if (close(fd) < 0 || r < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return cli_error(cli, -e, "writing %s: %s", path, strerror(e));
	}
	return 0;
}

/* The CD table or GCR3 table that points at the tables, after them in the image. */
static int pointers(struct cli *cli, const struct pt_build_opts *o, const struct ictl_pt_cfg *cfg,
		    struct ictl_pt_image *img, struct build_rec *rec)
{
	const char *fmt = ictl_pt_fmt_name(cfg->fmt);
	int r;

	if (o->with_cd) {
		struct ictl_smmu_cdtab t = { 0, 0, 0 };
		struct ictl_smmu_cd cd;
		const uint32_t ssid = 0;

		if (strcmp(fmt, "arm-lpae-s1"))
			return cli_error(cli, -EINVAL,
					 "--with-cd: a context descriptor points at "
					 "arm-lpae-s1 tables, not %s",
					 fmt);
		r = ictl_smmu_cd_for_table(cli->ctx, cfg, img->root, 1, &cd);
		if (!r)
			r = ictl_smmu_cdtab_build(cli->ctx, img, &t, &ssid, &cd, 1);
		if (r < 0)
			return cli_lib_error(cli, r);
		img->cd = t.base;
		ictl_smmu_ste_s1(&t, rec->ste);
	} else {
		const uint32_t pasid = 0;

		if (strcmp(fmt, "x86-64"))
			return cli_error(cli, -EINVAL,
					 "--with-gcr3: a GCR3 table points at x86-64 "
					 "tables, not %s",
					 fmt);
		r = ictl_amd_gcr3_build(cli->ctx, img, 0, &pasid, &img->root, 1, &img->gcr3);
		if (r < 0)
			return cli_lib_error(cli, r);
		ictl_amd_gdte(img->gcr3, 0, cfg->levels, rec->dte);
	}
	return 0;
}

int pt_spec_table(struct cli *cli, const char *spec, const char *table, struct ictl_spec *s,
		  size_t *idx)
{
	struct ictl_spec_findings f = { 0 };
	int r = ictl_spec_load(cli->ctx, spec, s);

	if (r < 0)
		return cli_error(cli, r == -ENOMEM ? r : -EINVAL, "%s", ictl_strerror(cli->ctx));
	r = ictl_spec_check(cli->ctx, s, NULL, &f);
	if (r < 0)
		return cli_lib_error(cli, r);
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].severity != ICTL_SPEC_ERROR)
			continue;
		r = cli_error(cli, -EINVAL, "%s:%u:%u: %s%s%s%s", spec, f.v[i].pos.line,
			      f.v[i].pos.column, f.v[i].path, f.v[i].path[0] ? ": " : "",
			      f.v[i].message,
			      f.nerrors > 1 ? " (and more: iommuctl apply --check lists them)" : "");
		ictl_spec_findings_clear(&f);
		return r;
	}
	ictl_spec_findings_clear(&f);
	if (!s->nptables)
		return cli_error(cli, -EINVAL, "%s describes no page table (page_tables:)", spec);
	if (!table && s->nptables > 1)
		return cli_error(cli, -EINVAL, "%s describes %zu page tables: name one with --table",
				 spec, s->nptables);
	r = table ? ictl_spec_pt_find(s, table) : 0;
	if (r < 0) {
		char list[256] = "";
		size_t off = 0;

		for (size_t i = 0; i < s->nptables && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
						s->ptables[i].name);
		return cli_error(cli, -EINVAL, "--table %s: %s has no such table (it has %s)", table,
				 spec, list);
	}
	*idx = (size_t)r;
	return 0;
}

/* pt build --spec: the table as apply builds it, at its IOVA in the parent. */
static int build_spec(struct cli *cli, const struct pt_build_opts *o)
{
	struct ictl_spec s;
	struct ictl_pt_image img;
	struct build_rec rec = { 0 };
	size_t t = 0;
	int r = pt_spec_table(cli, o->spec, o->table, &s, &t);

	if (r) {
		ictl_spec_clear(&s);
		return r;
	}
	r = ictl_spec_pt_build(cli->ctx, &s, t, NULL, NULL, &img);
	if (r < 0) {
		ictl_spec_clear(&s);
		return cli_lib_error(cli, r);
	}
	if (img.cd) {
		struct ictl_smmu_cdtab tab = { 0, 0, img.cd };

		ictl_smmu_ste_s1(&tab, rec.ste);
	}
	if (img.gcr3)
		ictl_amd_gdte(img.gcr3, 0, img.cfg.levels, rec.dte);
	r = write_image(cli, &img, o->output);
	rec.img = &img;
	rec.output = o->output;
	rec.nmaps = s.ptables[t].nmaps;
	if (!r && o->output)
		r = out_doc(cli, &build_view, &rec, 0);
	ictl_pt_image_clear(&img);
	ictl_spec_clear(&s);
	return r;
}

int cmd_pt_build(struct cli *cli)
{
	struct pt_build_opts *o = cli->opts;
	struct ictl_pt_cfg cfg;
	struct ictl_pt_maps maps = { 0 };
	struct ictl_pt_image img;
	struct build_rec rec = { 0 };
	uint64_t pages = 0, base = 0x100000;
	int r;

	if (o->spec)
		return build_spec(cli, o);
	if (!cli->argc)
		return cli_error(cli, -EINVAL,
				 "missing MAPPINGS: a mapping file, or - for standard "
				 "input ('man iommuctl-pt-build' shows the format)");
	r = ictl_pt_cfg_parse(cli->ctx, o->format, &cfg);
	if (!r && o->page_sizes)
		r = ictl_pt_page_sizes_parse(cli->ctx, o->page_sizes, &pages);
	if (r < 0)
		return cli_lib_error(cli, r);
	if (o->base)
		ictl_pt_parse_size(o->base, &base);
	r = ictl_pt_maps_load(cli->ctx, cli->argv[0], &maps);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = ictl_pt_build(cli->ctx, &cfg, pages, base, &maps, &img);
	if (r < 0) {
		ictl_pt_maps_clear(&maps);
		return cli_lib_error(cli, r == -EINVAL ? -EINVAL : r);
	}
	if (o->with_cd || o->with_gcr3) {
		r = pointers(cli, o, &cfg, &img, &rec);
		if (r) {
			ictl_pt_image_clear(&img);
			ictl_pt_maps_clear(&maps);
			return r;
		}
	}
	cli_verbose(cli, "%s: %" PRIu64 " leaves in 0x%zx bytes of tables", cfg.name, img.leaves,
		    img.len);
	r = write_image(cli, &img, o->output);
	rec.img = &img;
	rec.output = o->output;
	rec.nmaps = maps.n;
	if (!r && o->output)
		r = out_doc(cli, &build_view, &rec, 0);
	ictl_pt_image_clear(&img);
	ictl_pt_maps_clear(&maps);
	return r;
}
