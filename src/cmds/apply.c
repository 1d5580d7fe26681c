// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl apply --check SPEC: parse a spec (iommuctl-spec(5)) and check it,
 * against itself and against this host (live, a --sysroot capture, or a
 * saved hw_info blob standing in for every device's IOMMU), changing nothing.
 * Every finding is printed; the exit status says whose fault the worst one
 * is: 2 the spec's, 4 a device that is not there, 3 this host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/spec.h"
#include "cmds.h"

enum { OPT_CHECK = 0x500, OPT_HW_INFO, OPT_TYPE, OPT_DRY_RUN, OPT_HOLD };

const struct argp_option apply_options[] = {
	{ "check", OPT_CHECK, NULL, 0,
	  "Parse and check SPEC against this host, changing nothing; print every finding", 0 },
	{ "dry-run", OPT_DRY_RUN, NULL, 0,
	  "Check SPEC, then list every step (claims and ioctls) a run would take, making nothing", 0 },
	{ "hold", OPT_HOLD, NULL, 0,
	  "Keep what was made until SIGINT, SIGTERM or SIGHUP, then undo it (without --hold or -- COMMAND it is undone at once)", 0 },
	{ "hw-info", OPT_HW_INFO, "FILE", 0,
	  "A saved hw_info blob (what 'iommuctl hw-info' decodes from a file) standing in for every device's IOMMU", 0 },
	{ "type", OPT_TYPE, "TYPE", 0,
	  "hw_info type of --hw-info: intel-vtd, arm-smmu-v3, tegra241-cmdqv, amd-vi, selftest or a number", 0 },
	{ 0 }
};

error_t apply_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct apply_opts *o = cli->opts;

	switch (key) {
	case OPT_CHECK:
		o->check = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case OPT_HOLD:
		o->hold = true;
		break;
	case OPT_HW_INFO:
		o->hw_info = arg;
		break;
	case OPT_TYPE:
		o->type = arg;
		break;
	case ARGP_KEY_END:
		if (o->hw_info && !o->type)
			argp_error(state, "--hw-info needs --type: the blob does not say what it is");
		if (o->type && !o->hw_info)
			argp_error(state, "--type goes with --hw-info");
		if (o->hw_info && !o->check && !o->dry_run)
			argp_error(state, "--hw-info goes with --check or --dry-run");
		if (o->check + o->dry_run + o->hold > 1)
			argp_error(state, "--check, --dry-run and --hold go alone: pick one");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct check_rec {
	const struct ictl_spec *s;
	const char *file;
	const struct ictl_spec_findings *f;
	char against[512];
	int code;			/* the exit status */
	const char *verdict;
};

static json_object *finding_json(const struct ictl_spec_finding *f)
{
	static const char *const classes[] = { "spec", "missing", "host" };
	json_object *o = json_object_new_object();

	js_set(o, "severity", json_object_new_string(ictl_spec_severity_name(f->severity)));
	js_set(o, "class", json_object_new_string(classes[f->cls]));
	js_set(o, "line", js_uint(f->pos.line));
	js_set(o, "column", js_uint(f->pos.column));
	js_set(o, "path", js_str(f->path));
	js_set(o, "message", json_object_new_string(f->message));
	js_set(o, "source", js_str(f->source));
	return o;
}

static json_object *objects_json(const struct ictl_spec *s)
{
	json_object *o = json_object_new_object();
	size_t maps = 0;

	for (size_t i = 0; s && i < s->nioas; i++)
		maps += s->ioas[i].nmaps;
	js_set(o, "devices", js_uint(s ? s->ndevices : 0));
	js_set(o, "ioas", js_uint(s ? s->nioas : 0));
	js_set(o, "mappings", js_uint(maps));
	js_set(o, "hwpts", js_uint(s ? s->nhwpts : 0));
	js_set(o, "faults", js_uint(s ? s->nfaults : 0));
	js_set(o, "viommus", js_uint(s ? s->nviommus : 0));
	js_set(o, "vdevices", js_uint(s ? s->nvdevices : 0));
	js_set(o, "veventqs", js_uint(s ? s->nveventqs : 0));
	js_set(o, "attach", js_uint(s ? s->nattach : 0));
	return o;
}

static json_object *check_json(struct cli *cli, const void *data, int err)
{
	const struct check_rec *x = data;
	json_object *doc = json_object_new_object(), *c = json_object_new_object();
	json_object *arr = json_object_new_array();
	char msg[1200];

	(void)err;
	js_set(c, "spec", json_object_new_string(x->file));
	js_set(c, "against", json_object_new_string(x->against));
	js_set(c, "result", json_object_new_string(x->verdict));
	js_set(c, "errors", js_uint(x->f->nerrors));
	js_set(c, "warnings", js_uint(x->f->nwarnings));
	js_set(c, "objects", x->s ? objects_json(x->s) : NULL);
	for (size_t i = 0; i < x->f->n; i++)
		json_object_array_add(arr, finding_json(&x->f->v[i]));
	js_set(c, "findings", arr);
	js_set(doc, "check", c);
	if (!x->code) {
		js_set(doc, "error", NULL);
		return doc;
	}
	snprintf(msg, sizeof(msg), "%s: %s: %s", x->file, x->verdict, x->f->n ? x->f->v[0].message : "");
	js_set(doc, "error", cli_json_error_object(x->code, x->code == EXIT_USAGE ? -EINVAL :
						   x->code == EXIT_NOTFOUND ? -ENOENT : -EOPNOTSUPP,
						   msg));
	(void)cli;
	return doc;
}

static int check_text(struct cli *cli, FILE *out, const void *data)
{
	const struct check_rec *x = data;

	(void)cli;
	for (size_t i = 0; i < x->f->n; i++) {
		const struct ictl_spec_finding *f = &x->f->v[i];

		fprintf(out, "%s:%u:%u: %s: %s%s%s", x->file, f->pos.line, f->pos.column,
			ictl_spec_severity_name(f->severity), f->path, f->path[0] ? ": " : "",
			f->message);
		if (f->source[0] && !strstr(f->message, f->source))
			fprintf(out, " [%s]", f->source);
		fputc('\n', out);
	}
	fprintf(out, "%s: %s: %zu error%s, %zu warning%s (against %s)\n", x->file, x->verdict,
		x->f->nerrors, x->f->nerrors == 1 ? "" : "s", x->f->nwarnings,
		x->f->nwarnings == 1 ? "" : "s", x->against);
	return 0;
}

static const struct out_doc_view check_view = { .json = check_json, .text = check_text };

/* A saved hw_info blob: the user's file (not below the sysroot), at most 4 KiB. */
static int read_blob(struct cli *cli, const struct apply_opts *o, struct ictl_hw_info *hi)
{
	uint8_t blob[4096];
	struct stat st;
	uint32_t type;
	ssize_t n;
	int fd, r;

	r = ictl_hw_info_type_parse(cli->ctx, o->type, &type);
	if (r < 0)
		return cli_lib_error(cli, r);
	fd = open(o->hw_info, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return cli_error(cli, errno == EACCES ? -EACCES : -EINVAL, "--hw-info %s: %s",
				 o->hw_info, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cli_error(cli, -EINVAL, "--hw-info %s: not a regular file: give a saved blob",
				 o->hw_info);
	}
	n = read(fd, blob, sizeof(blob));
	close(fd);
	if (n < 0 || (size_t)n == sizeof(blob))
		return cli_error(cli, -EINVAL, "--hw-info %s: %s", o->hw_info,
				 n < 0 ? strerror(errno) : "larger than any hw_info structure");
	r = ictl_hw_info_decode(cli->ctx, type, blob, (size_t)n, hi);
	if (r < 0)
		return cli_lib_error(cli, r);
	hi->source = "file";
	return 0;
}

/* The spec did not parse: one finding, where it stopped. */
static int parse_failed(struct cli *cli, struct check_rec *rec, const struct ictl_spec *s, int r)
{
	struct ictl_spec_finding f = { .severity = ICTL_SPEC_ERROR, .cls = ICTL_SPEC_CLASS_SPEC };
	struct ictl_spec_findings fs = { .n = 1, .v = &f, .nerrors = 1 };
	int w;

	if (!s->err_pos.line)	/* the file itself: missing, a directory, too big: usage */
		return cli_error(cli, r == -ENOMEM || r == -EACCES || r == -EPERM ? r : -EINVAL, "%s",
				 ictl_strerror(cli->ctx));
	f.pos = s->err_pos;
	snprintf(f.path, sizeof(f.path), "%s", s->err_path);
	snprintf(f.message, sizeof(f.message), "%s", s->err_msg);
	rec->s = NULL;
	rec->f = &fs;
	rec->code = EXIT_USAGE;
	rec->verdict = "invalid";
	w = out_doc(cli, &check_view, rec, 0);
	return w ? w : EXIT_USAGE;
}

static const char *verdict(int code)
{
	switch (code) {
	case EXIT_OK:
		return "ok";
	case EXIT_USAGE:
		return "invalid";
	case EXIT_NOTFOUND:
		return "device missing";
	default:
		return "not supported on this system";
	}
}

static int check(struct cli *cli, const struct apply_opts *o, const char *file)
{
	struct check_rec rec = { .file = file };
	struct ictl_hw_info hi = { 0 };
	struct ictl_spec_findings f = { 0 };
	struct ictl_spec_env env = { 0 };
	struct ictl_spec s;
	int r, w, worst;

	if (o->hw_info) {
		r = read_blob(cli, o, &hi);
		if (r)
			return r;
	}
	snprintf(rec.against, sizeof(rec.against), "%s%s%s%s%s", cli->sysroot ? "sysroot " : "",
		 cli->sysroot ? cli->sysroot : "the live system", o->hw_info ? ", hw_info " : "",
		 o->hw_info ? o->hw_info : "", o->hw_info ? " for every IOMMU" : "");
	r = ictl_spec_load(cli->ctx, file, &s);
	if (r < 0) {
		r = parse_failed(cli, &rec, &s, r);
		goto out;
	}
	r = ictl_spec_env_read(cli->ctx, &s, o->hw_info ? &hi : NULL, &env);
	if (!r)
		r = ictl_spec_check(cli->ctx, &s, &env, &f);
	if (r < 0) {
		r = cli_lib_error(cli, r);
		goto out;
	}
	worst = ictl_spec_worst_class(&f);
	rec.code = worst < 0 ? EXIT_OK : worst == ICTL_SPEC_CLASS_SPEC ? EXIT_USAGE :
		   worst == ICTL_SPEC_CLASS_MISSING ? EXIT_NOTFOUND : EXIT_UNSUPPORTED;
	rec.verdict = verdict(rec.code);
	rec.s = &s;
	rec.f = &f;
	if (!o->check && rec.code == EXIT_OK) {
		/* Clean: make it; the warnings go first, where a reader of the run sees them. */
		for (size_t i = 0; !cli->json && i < f.n; i++)
			fprintf(stderr, "%s:%u:%u: warning: %s%s%s\n", file, f.v[i].pos.line,
				f.v[i].pos.column, f.v[i].path, f.v[i].path[0] ? ": " : "",
				f.v[i].message);
		r = apply_run(cli, &s, file, o->dry_run, o->hold);
		goto out;
	}
	w = out_doc(cli, &check_view, &rec, 0);
	r = w ? w : rec.code;
out:
	ictl_spec_findings_clear(&f);
	ictl_spec_env_clear(&env);
	ictl_spec_clear(&s);
	ictl_hw_info_clear(&hi);
	return r;
}

int cmd_apply(struct cli *cli)
{
	const struct apply_opts *o = cli->opts;

	if (cli->exec_argv && !cli->exec_argv[0])
		return cli_error(cli, -EINVAL, "nothing after --: name the command to run with the objects");
	if (cli->exec_argv && (o->check || o->dry_run || o->hold))
		return cli_error(cli, -EINVAL,
				 "-- COMMAND runs with what was made: it cannot go with --check, --dry-run or --hold");
	return check(cli, o, cli->argv[0]);
}
