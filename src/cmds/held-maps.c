// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changes the mappings of a held IOAS: iommuctl held map IOAS LENGTH (new
 * memory), held copy DST SRC IOVA LENGTH (IOMMU_IOAS_COPY), held unmap IOAS
 * IOVA LENGTH.  Each is recorded in the holder's notes (held.h) when the
 * holder is known, so that held objects shows it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

/* Record what was done in the holder's notes (held.h), so held objects shows it; a warning if not. */
static void held_note_warn(struct cli *cli, int r, const char *what)
{
	if (r < 0)
		fprintf(stderr, "iommuctl: warning: the %s is made, but 'held objects' will not show it: %s\n",
			what, ictl_strerror(cli->ctx));
}

/* --- held map, held copy ------------------------------------------------------------------- */

struct map_rec {
	const char *verb;	/* "mapped", "copied" */
	const char *ioas;
	uint32_t id;
	const char *name;
	uint64_t iova, length;
	const char *memory;	/* anon, memfd, ..., file, copy */
	const char *file;
	uint64_t offset;
	const char *from_ioas;	/* a copy's source */
	uint64_t from_iova;
	const char *access;
	const char *how;	/* the ioctl */
};

static json_object *map_json(struct cli *cli, const void *data, int err)
{
	const struct map_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "ioas", json_object_new_string(x->ioas));
	js_set(o, "id", js_uint(x->id));
	js_set(o, "name", js_str(x->name));
	js_set(o, "iova", js_hex(x->iova, 0));
	js_set(o, "length", js_uint(x->length));
	js_set(o, "memory", json_object_new_string(x->memory));
	js_set(o, "file", js_str(x->file));
	js_set(o, "offset", x->file ? js_hex(x->offset, 0) : NULL);
	js_set(o, "from_ioas", js_str(x->from_ioas));
	js_set(o, "from_iova", x->from_ioas ? js_hex(x->from_iova, 0) : NULL);
	js_set(o, "access", json_object_new_string(x->access));
	js_set(o, "ioctl", json_object_new_string(x->how));
	js_set(doc, x->verb, o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int map_text(struct cli *cli, FILE *out, const void *data)
{
	const struct map_rec *x = data;
	char sz[32];

	(void)cli;
	fprintf(out, "%s %s", x->verb, ictl_size_str(x->length, sz, sizeof(sz)));
	if (x->from_ioas)
		fprintf(out, " from ioas %s at %#llx", x->from_ioas, (unsigned long long)x->from_iova);
	else if (x->file)
		fprintf(out, " of %s from %#llx", x->file, (unsigned long long)x->offset);
	else
		fprintf(out, " of %s", x->memory);
	fprintf(out, " at %#llx in ioas %s #%u, %s", (unsigned long long)x->iova, x->ioas, x->id,
		x->access);
	if (x->name)
		fprintf(out, ", named %s", x->name);
	fprintf(out, " (%s)\n", x->how);
	return 0;
}

static const struct out_doc_view map_view = { .json = map_json, .text = map_text };

/* --iova, --access and --name, shared by map and copy. */
static int map_opts(struct cli *cli, const struct held_set *set, struct map_rec *x, bool *fixed,
		    bool *rd, bool *wr)
{
	const struct held_opts *o = cli->opts;
	int r;

	*fixed = o->iova != NULL;
	if (o->iova && ictl_pt_parse_size(o->iova, &x->iova))
		return cli_error(cli, -EINVAL, "--iova %.40s: give an address (0x..., decimal, K, M, G)",
				 o->iova);
	x->access = o->access ? o->access : "rw";
	*rd = !strcmp(x->access, "r") || !strcmp(x->access, "rw");
	*wr = !strcmp(x->access, "w") || !strcmp(x->access, "rw");
	if (!*rd && !*wr)
		return cli_error(cli, -EINVAL, "--access %.24s: give r, w or rw", x->access);
	x->name = o->name;
	if (o->name && (r = held_name_free(cli, set, o->name)))
		return r;
	return 0;
}

static void note_map(struct cli *cli, const struct held_set *set, const struct map_rec *x)
{
	struct ictl_held_map m = { .ioas = x->id, .iova = x->iova, .length = x->length,
				   .by = (int)getpid() };

	if (!set->holder)
		return;
	snprintf(m.name, sizeof(m.name), "%s", x->name ? x->name : "");
	snprintf(m.memory, sizeof(m.memory), "%s", x->memory);
	held_note_warn(cli, ictl_held_note_map(cli->ctx, set->holder, &m), "mapping");
}

int cmd_held_map(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct map_rec x = { .verb = "mapped", .ioas = cli->argv[0] };
	struct ictl_held_mem mem = { 0 };
	bool fixed;
	int r;

	if (o->file && o->memory)
		return cli_error(cli, -EINVAL, "--file and --memory: give one (a file is its own memory)");
	if (o->offset && !o->file)
		return cli_error(cli, -EINVAL, "--offset is where in --file: give --file PATH");
	x.memory = o->file ? "file" : o->memory ? o->memory : "memfd";
	if (!o->file && (!ictl_held_memory_ok(x.memory) || !strcmp(x.memory, "copy")))
		return cli_error(cli, -EINVAL,
				 "--memory %.24s: give anon, memfd, hugetlb-2M or hugetlb-1G (or --file PATH)",
				 x.memory);
	if ((o->offset && (r = held_uint_opt(cli, "--offset", o->offset, UINT64_MAX, &x.offset))) ||
	    (r = held_size(cli, "length", cli->argv[1], &x.length)) ||
	    (r = held_load(cli, &set)) || (r = held_id(cli, &set, "ioas", cli->argv[0], &x.id)) ||
	    (r = map_opts(cli, &set, &x, &fixed, &mem.read, &mem.write)) ||
	    (r = held_open(cli, &set, &s)))
		return r;
	mem.memory = x.memory;
	mem.file = x.file = o->file;
	mem.offset = x.offset;
	r = ictl_held_map_mem(cli->ctx, s, x.id, &mem, x.length, fixed, &x.iova, &x.how);
	if (r < 0)
		return cli_lib_error(cli, r);
	note_map(cli, &set, &x);
	return out_doc(cli, &map_view, &x, 0);
}

int cmd_held_copy(struct cli *cli)
{
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct map_rec x = { .verb = "copied", .ioas = cli->argv[0], .memory = "copy",
			     .from_ioas = cli->argv[1], .how = "IOMMU_IOAS_COPY" };
	uint32_t src;
	bool fixed, rd, wr;
	int r;

	if ((r = held_load(cli, &set)) || (r = held_id(cli, &set, "ioas", cli->argv[0], &x.id)) ||
	    (r = held_id(cli, &set, "ioas", cli->argv[1], &src)) ||
	    (r = held_iova(cli, &set, cli->argv[2], &x.from_iova)) ||
	    (r = held_size(cli, "length", cli->argv[3], &x.length)) ||
	    (r = map_opts(cli, &set, &x, &fixed, &rd, &wr)) || (r = held_open(cli, &set, &s)))
		return r;
	r = ictl_ioas_copy(s, x.id, src,
			   (fixed ? ICTL_IOMMU_IOAS_MAP_FIXED_IOVA : 0) |
				   (rd ? ICTL_IOMMU_IOAS_MAP_READABLE : 0) |
				   (wr ? ICTL_IOMMU_IOAS_MAP_WRITEABLE : 0),
			   x.from_iova, x.length, &x.iova);
	if (r < 0)
		return cli_lib_error(cli, r);
	note_map(cli, &set, &x);
	return out_doc(cli, &map_view, &x, 0);
}

/* --- held unmap ---------------------------------------------------------------------------- */

struct unmap_rec {
	const char *ioas;
	uint32_t id;
	uint64_t iova, done;
};

static json_object *unmap_json(struct cli *cli, const void *data, int err)
{
	const struct unmap_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "ioas", json_object_new_string(x->ioas));
	js_set(o, "id", js_uint(x->id));
	js_set(o, "iova", js_hex(x->iova, 0));
	js_set(o, "length", js_uint(x->done));
	js_set(doc, "unmapped", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int unmap_text(struct cli *cli, FILE *out, const void *data)
{
	const struct unmap_rec *x = data;

	(void)cli;
	fprintf(out, "unmapped %#llx bytes at %#llx from ioas %s #%u\n", (unsigned long long)x->done,
		(unsigned long long)x->iova, x->ioas, x->id);
	return 0;
}

static const struct out_doc_view unmap_view = { .json = unmap_json, .text = unmap_text };

int cmd_held_unmap(struct cli *cli)
{
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct unmap_rec x = { .ioas = cli->argv[0] };
	uint64_t len;
	int r;

	if ((r = held_load(cli, &set)) || (r = held_id(cli, &set, "ioas", cli->argv[0], &x.id)) ||
	    (r = held_iova(cli, &set, cli->argv[1], &x.iova)) ||
	    (r = held_size(cli, "length", cli->argv[2], &len)) || (r = held_open(cli, &set, &s)))
		return r;
	r = ictl_ioas_unmap(s, x.id, x.iova, len, &x.done);
	if (r < 0)
		return cli_lib_error(cli, r);
	if (set.holder)
		held_note_warn(cli, ictl_held_note_unmap(cli->ctx, set.holder, x.id, x.iova, len),
			       "unmap");
	return out_doc(cli, &unmap_view, &x, 0);
}
