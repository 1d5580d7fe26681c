// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl pt COMMAND: the group of page-table commands (build, dump,
 * validate, diff), and what they share: where a table is read from.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

/* Reached only when no known command follows "pt" (cli_run_command dispatches those). */
int cmd_pt(struct cli *cli)
{
	if (!cli->argc)
		return cli_error(cli, -EINVAL,
				 "pt needs a command: build, dump, validate or diff "
				 "('iommuctl pt --help')");
	return cli_error(cli, -EINVAL,
			 "unknown pt command '%.32s': give build, dump, validate "
			 "or diff",
			 cli->argv[0]);
}

uint64_t pt_arg_num(struct argp_state *state, const char *opt, const char *arg)
{
	uint64_t v;

	if (ictl_pt_parse_size(arg, &v))
		argp_error(state,
			   "%s: '%s' is not a number: write 0x..., decimal, or a number with "
			   "K, M, G or T",
			   opt, arg);
	return v;
}

error_t pt_spec_parse(int key, char *arg, const char **spec, const char **table)
{
	if (key == PT_OPT_SPEC)
		*spec = arg;
	else if (key == PT_OPT_TABLE)
		*table = arg;
	else
		return ARGP_ERR_UNKNOWN;
	return 0;
}

void pt_spec_check(struct argp_state *state, const char *spec, const char *table)
{
	if (table && !spec)
		argp_error(state, "--table goes with --spec");
}

error_t pt_src_parse(int key, char *arg, struct pt_src_opts *o)
{
	switch (key) {
	case PT_OPT_RAW:
		o->raw = arg;
		break;
	case PT_OPT_ELF:
		o->elf = arg;
		break;
	case PT_OPT_FORMAT:
		o->format = arg;
		break;
	case PT_OPT_BASE:
		o->base = arg;
		break;
	case PT_OPT_ROOT:
		o->root = arg;
		break;
	case PT_OPT_CD:
		o->cd = arg;
		break;
	case PT_OPT_GCR3:
		o->gcr3 = arg;
		break;
	case PT_OPT_PASID:
		o->pasid = arg;
		break;
	case PT_OPT_GLX:
		o->glx = arg;
		break;
	case PT_OPT_DEBUGFS:
		o->debugfs = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void pt_src_check(struct argp_state *state, const struct pt_src_opts *o, const char *image)
{
	int n = !!image + !!o->raw + !!o->elf;
	bool pointed = o->cd || o->gcr3; /* the root comes from a structure */

	if (o->debugfs && n)
		argp_error(state,
			   "--debugfs reads the kernel's table: give no IMAGE, --raw or --elf "
			   "with it");
	if (n == 0 && !o->debugfs)
		argp_error(state, "missing IMAGE (or --raw FILE, or --elf CORE)");
	if (n > 1)
		argp_error(state, "give one of IMAGE, --raw FILE and --elf CORE");
	if (o->debugfs && (o->root || o->base || pointed))
		argp_error(state, "--debugfs reads the root from the kernel: --%s goes without it",
			   o->root ? "root" :
			   o->base ? "base" :
			   o->cd   ? "cd" :
				     "gcr3");
	if (o->cd && o->gcr3)
		argp_error(state, "give --cd or --gcr3, not both");
	if (pointed && o->root)
		argp_error(state, "--%s gives the root: --root goes without it",
			   o->cd ? "cd" : "gcr3");
	if (o->cd && o->format)
		argp_error(state,
			   "a context descriptor says its format: --format goes without --cd");
	if (image && o->format)
		argp_error(state, "an image says its format: --format goes with --raw or --elf");
	if (!image && !pointed && !o->debugfs && (!o->format || !o->root))
		argp_error(state, "--%s needs --format and --root", o->raw ? "raw" : "elf");
	if (o->raw && !o->base)
		argp_error(state, "--raw needs --base: the physical address of its first byte");
	if (o->base && !o->raw)
		argp_error(state, "--base goes with --raw");
	if ((o->pasid || o->glx) && !o->gcr3 && !o->debugfs)
		argp_error(state, "--pasid and --glx go with --gcr3");
	if (o->glx && !o->gcr3)
		argp_error(state, "--glx goes with --gcr3");
	if (o->glx && pt_arg_num(state, "--glx", o->glx) > 2)
		argp_error(state, "--glx: give 0, 1 or 2 (1 to 3 levels)");
	if (o->pasid && pt_arg_num(state, "--pasid", o->pasid) >> 20)
		argp_error(state, "--pasid: PASIDs have at most 20 bits");
	for (size_t i = 0; i < 4; i++) {
		static const char *const names[] = { "--root", "--base", "--cd", "--gcr3" };
		const char *v[] = { o->root, o->base, o->cd, o->gcr3 };

		if (v[i])
			pt_arg_num(state, names[i], v[i]);
	}
}

static uint64_t num(const char *s)
{
	uint64_t v = 0;

	if (s)
		ictl_pt_parse_size(s, &v); /* checked by pt_src_check */
	return v;
}

/* The kernel's table of a device (or one PASID of it), from Intel's debugfs. */
static int load_debugfs(struct cli *cli, const struct pt_src_opts *o, struct pt_source *s)
{
	char dev[ICTL_NAME_MAX];
	long long pasid = o->pasid ? (long long)num(o->pasid) : -1;
	int r = ictl_parse_device_name(cli->ctx, o->debugfs, dev);

	if (r < 0)
		return cli_lib_error(cli, r);
	s->dbg = calloc(1, sizeof(*s->dbg));
	if (!s->dbg)
		return cli_error(cli, -ENOMEM, "out of memory");
	r = ictl_pt_dbgfs_load(cli->ctx, dev, pasid, o->format, s->dbg);
	if (r < 0) {
		free(s->dbg);
		s->dbg = NULL;
		return cli_lib_error(cli, r);
	}
	s->cfg = s->dbg->cfg;
	s->root = s->dbg->root;
	s->src.read = ictl_pt_dbgfs_read;
	s->src.priv = s->dbg;
	if (pasid > 0)
		snprintf(s->what, sizeof(s->what), "debugfs of %s PASID %lld", dev, pasid);
	else
		snprintf(s->what, sizeof(s->what), "debugfs of %s", dev);
	s->src.what = s->what;
	cli_verbose(cli, "%s: %s (%s)", s->dbg->name, s->cfg.name, s->dbg->format_why);
	return 0;
}

static int load(struct cli *cli, const struct pt_src_opts *o, const char *image,
		struct pt_source *s)
{
	struct ictl_ctx *ctx = cli->ctx;
	int r;

	memset(s, 0, sizeof(*s));
	if (o->debugfs)
		return load_debugfs(cli, o, s);
	if (o->format) {
		r = ictl_pt_cfg_parse(ctx, o->format, &s->cfg);
		if (r < 0)
			return cli_lib_error(cli, r);
	}
	if (o->elf) {
		r = ictl_pt_elf_load(ctx, o->elf, &s->elf);
		if (r < 0)
			return cli_lib_error(cli, r);
		s->src.read = ictl_pt_elf_read;
		s->src.priv = &s->elf;
		snprintf(s->what, sizeof(s->what), "ELF core %s", o->elf);
		s->root = num(o->root);
		s->src.what = s->elf.what;
		return 0;
	}
	r = o->raw ? ictl_pt_raw_load(ctx, o->raw, num(o->base), &s->img) :
		     ictl_pt_image_load(ctx, image, &s->img);
	if (r < 0)
		return cli_lib_error(cli, r);
	if (o->raw)
		s->img.cfg = s->cfg;
	s->cfg = s->img.cfg;
	s->root = o->root ? num(o->root) : s->img.root;
	ictl_pt_image_src(&s->img, &s->span, &s->src);
	snprintf(s->what, sizeof(s->what), "%s %s", o->raw ? "raw dump" : "image",
		 o->raw ? o->raw : image);
	s->src.what = s->what;
	return 0;
}

/* The table a context descriptor or a GCR3 table points at: its format and root. */
static int pointed(struct cli *cli, const struct pt_src_opts *o, struct pt_source *s)
{
	struct ictl_ctx *ctx = cli->ctx;
	int r = 0;

	if (o->cd) {
		uint64_t buf[ICTL_SMMU_CD_DWORDS];
		const uint64_t *p = s->src.read(s->src.priv, num(o->cd), sizeof(buf), buf);
		struct ictl_smmu_cd cd;

		if (!p)
			return cli_error(cli, -EINVAL,
					 "--cd %s: the context descriptor is outside %s", o->cd,
					 s->src.what);
		memcpy(buf, p, sizeof(buf));
		r = ictl_smmu_cd_decode(ctx, buf, &cd);
		if (!r)
			r = ictl_smmu_cd_cfg(ctx, &cd, &s->cfg);
		s->root = cd.ttb0;
	} else if (o->gcr3) {
		if (!o->format && strcmp(s->cfg.fmt ? ictl_pt_fmt_name(s->cfg.fmt) : "", "x86-64"))
			r = ictl_pt_cfg_parse(ctx, "x86-64", &s->cfg);
		if (!r)
			r = ictl_amd_gcr3_lookup(ctx, &s->src, num(o->gcr3),
						 o->glx ? (unsigned int)num(o->glx) : 0,
						 o->pasid ? (uint32_t)num(o->pasid) : 0, &s->root);
	}
	return r < 0 ? cli_lib_error(cli, r) : 0;
}

void pt_source_close(struct pt_source *s)
{
	ictl_pt_image_clear(&s->img);
	ictl_pt_elf_clear(&s->elf);
	if (s->dbg)
		ictl_pt_dbgfs_clear(s->dbg);
	free(s->dbg);
	s->dbg = NULL;
}

int pt_source_open(struct cli *cli, const struct pt_src_opts *o, const char *image,
		   struct pt_source *s)
{
	int r = load(cli, o, image, s);

	if (!r && (o->cd || o->gcr3)) {
		r = pointed(cli, o, s);
		if (r)
			pt_source_close(s);
	}
	return r;
}
