// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl doctor [DEVICE|GROUP...]: is this host ready for device
 * passthrough, and what exactly to fix.  A checklist by category, each check
 * with what it read and the fix; exit 0 when ready, 1 when a check fails,
 * EXIT_WARNINGS when only warnings remain.
 *
 * 'doctor --spec SPEC' reads the mappings and devices of a spec
 * (iommuctl-spec(5)): the memory they pin goes into ictl_doctor_opts.memory,
 * the devices into .targets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/spec.h"
#include "cmds.h"

enum { OPT_MEMORY = 0x500, OPT_USER, OPT_SPEC };

const struct argp_option doctor_options[] = {
	{ "memory", OPT_MEMORY, "SIZE", 0,
	  "Guest memory the VMM will pin (16G, 512M): checked against the locked-memory limit and free hugepages", 0 },
	{ "spec", OPT_SPEC, "SPEC", 0,
	  "A spec of 'iommuctl apply': the memory its mappings pin, and its devices, as --memory and DEVICE arguments", 0 },
	{ "user", OPT_USER, "NAME", 0,
	  "The user who runs the VMM: its locked-memory limit from pam_limits and systemd", 0 },
	{ 0 }
};

error_t doctor_parse(int key, char *arg, struct argp_state *state)
{
	struct doctor_opts *o = ((struct cli *)state->input)->opts;

	switch (key) {
	case OPT_MEMORY:
		o->memory = arg;
		return 0;
	case OPT_USER:
		o->user = arg;
		return 0;
	case OPT_SPEC:
		o->spec = arg;
		return 0;
	case ARGP_KEY_END:
		if (o->spec && o->memory)
			argp_error(state, "--spec gives the memory itself: drop --memory");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

struct doctor_rec {
	const struct ictl_doctor *d;
	const struct ictl_doctor_opts *o;
};

static json_object *check_json(const struct ictl_check *c)
{
	json_object *o = json_object_new_object();

	js_set(o, "id", json_object_new_string(c->id));
	js_set(o, "category", json_object_new_string(ictl_check_category_name(c->category)));
	js_set(o, "subject", js_str(c->subject));
	js_set(o, "title", json_object_new_string(c->title));
	js_set(o, "status", json_object_new_string(ictl_check_status_name(c->status)));
	js_set(o, "captured", js_bool(!c->not_captured));
	js_set(o, "read", js_str(c->read));
	js_set(o, "found", js_str(c->found));
	js_set(o, "fix", js_str(c->fix));
	return o;
}

static json_object *doctor_json(struct cli *cli, const void *data, int err)
{
	const struct doctor_rec *x = data;
	const struct ictl_doctor *d = x->d;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *counts = json_object_new_object(), *checks = json_object_new_array();

	(void)cli, (void)err;
	js_set(o, "verdict", json_object_new_string(ictl_doctor_verdict(d)));
	js_set(o, "ready", js_bool(!d->nfail));
	js_set(counts, "ok", js_uint(d->nok));
	js_set(counts, "warn", js_uint(d->nwarn));
	js_set(counts, "fail", js_uint(d->nfail));
	js_set(counts, "skip", js_uint(d->nskip));
	js_set(o, "counts", counts);
	js_set(o, "memory", x->o->memory ? js_uint(x->o->memory) : NULL);
	js_set(o, "user", js_str(x->o->user));
	for (size_t i = 0; i < d->nchecks; i++)
		json_object_array_add(checks, check_json(&d->checks[i]));
	js_set(o, "checks", checks);
	js_set(doc, "doctor", o);
	return doc;
}

/*
 * Print text from column indent, wrapped at word boundaries before column 80,
 * continuing at column cont; the first line's prefix is already printed up to
 * column col.
 */
static void wrap(FILE *out, int col, int cont, const char *raw)
{
	enum { WIDTH = 79 };
	const char *text = esc_text(raw), *p = text;	/* what sysfs said, made safe */

	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > cont && col + 1 + (int)word > WIDTH) {
			fprintf(out, "\n%*s", cont, "");
			col = cont;
		} else if (p != text) {
			fputc(' ', out);
			col++;
		}
		col += fprintf(out, "%.*s", (int)word, p);
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static const char *status_word(enum ictl_check_status s)
{
	static const char *const words[] = { "ok", "warn", "FAIL", "skip" };

	return (unsigned int)s < ARRAY_SIZE(words) ? words[s] : "?";
}

static const char *const heading[] = { "Firmware", "Kernel", "Resources", "Device" };

static bool is_group_number(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s);
}

static void text_check(FILE *out, const struct ictl_check *c)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s: %s", c->title, c->found);
	fprintf(out, "  %-5s ", status_word(c->status));
	wrap(out, 8, 8, line);
	if (c->read[0]) {
		fputs("        read: ", out);
		wrap(out, 14, 14, c->read);
	}
	if (c->fix[0] && c->status != ICTL_CHECK_OK) {
		fputs("        fix:  ", out);
		wrap(out, 14, 14, c->fix);
	}
}

static int doctor_text(struct cli *cli, FILE *out, const void *data)
{
	const struct doctor_rec *x = data;
	const struct ictl_doctor *d = x->d;
	static const char *const verdicts[] = { "ready", "ready, with warnings", "not ready" };

	(void)cli;
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct ictl_check *c = &d->checks[i];
		const struct ictl_check *prev = i ? &d->checks[i - 1] : NULL;

		if (!prev || prev->category != c->category || strcmp(prev->subject, c->subject)) {
			if (c->subject[0])
				fprintf(out, "%s %s\n", is_group_number(c->subject) ? "Group" :
					heading[c->category], esc_text(c->subject));
			else
				fprintf(out, "%s\n", heading[c->category]);
		}
		text_check(out, c);
	}
	fprintf(out, "Verdict: %s (%zu ok, %zu warning%s, %zu failed, %zu skipped)\n",
		verdicts[d->nfail ? 2 : d->nwarn ? 1 : 0], d->nok, d->nwarn, d->nwarn == 1 ? "" : "s",
		d->nfail, d->nskip);
	return 0;
}

static const struct out_doc_view doctor_view = { .json = doctor_json, .text = doctor_text };

/*
 * What a spec needs: the bytes its mappings pin (a copy pins nothing new:
 * IOMMU_IOAS_COPY shares the source's pages) and its devices (the mocks are
 * no host's), after the DEVICE arguments.
 */
static int spec_needs(const struct ictl_spec *s, struct cli *cli, struct ictl_doctor_opts *o,
		      const char ***targets)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nioas; i++) {
		for (size_t k = 0; k < s->ioas[i].nmaps; k++) {
			if (s->ioas[i].maps[k].memory != ICTL_SPEC_MEM_COPY)
				o->memory += s->ioas[i].maps[k].size.v;
		}
	}
	*targets = calloc((size_t)cli->argc + s->ndevices + 1, sizeof(**targets));
	if (!*targets)
		return -ENOMEM;
	for (int i = 0; i < cli->argc; i++)
		(*targets)[n++] = cli->argv[i];
	for (size_t i = 0; i < s->ndevices; i++) {
		if (!s->devices[i].mock)
			(*targets)[n++] = s->devices[i].device;
	}
	o->targets = *targets;
	o->ntargets = n;
	return 0;
}

static int run_doctor(struct cli *cli, const struct ictl_doctor_opts *o)
{
	struct ictl_doctor d;
	int r;

	r = ictl_doctor_run(cli->ctx, o, &d);
	if (r < 0)
		return cli_lib_error(cli, r);
	r = out_doc(cli, &doctor_view, &(struct doctor_rec){ &d, o }, 0);
	if (!r)
		r = d.nfail ? EXIT_FAIL : d.nwarn ? EXIT_WARNINGS : EXIT_OK;
	ictl_doctor_clear(&d);
	return r;
}

int cmd_doctor(struct cli *cli)
{
	struct doctor_opts *opts = cli->opts;
	struct ictl_doctor_opts o = {
		.user = opts->user,
		.targets = (const char *const *)cli->argv,
		.ntargets = (size_t)cli->argc,
	};
	const char **targets = NULL;
	struct ictl_spec s = { 0 };
	int r;

	if (opts->memory) {
		r = ictl_parse_size(cli->ctx, opts->memory, &o.memory);
		if (r < 0)
			return cli_lib_error(cli, r);
	}
	if (opts->spec) {
		r = ictl_spec_load(cli->ctx, opts->spec, &s);
		if (!r)
			r = spec_needs(&s, cli, &o, &targets);
		if (r < 0) {
			ictl_spec_clear(&s);
			return cli_lib_error(cli, r == -ENOMEM ? r : -EINVAL);
		}
	}
	r = run_doctor(cli, &o);
	free(targets);
	ictl_spec_clear(&s);
	return r;
}
