// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl apply SPEC [--dry-run | --hold | -- COMMAND]: make what a spec
 * describes (src/lib/apply.h), after checking it as --check does.
 *
 * The groups of the spec's devices that are not on vfio-pci yet are claimed
 * first (as `iommuctl claim` does, each under its lock) and released at the
 * end.  Then the objects are made in one iommufd; the mock's tables are
 * verified by the kernel.  With --hold they live until SIGINT, SIGTERM or
 * SIGHUP; with -- COMMAND the command gets the iommufd and the device cdevs
 * (fd 3 and on) and every object's id by name in the environment; without
 * either, what was made is undone at once (a trial run).  Whatever happens,
 * nothing is left behind: objects destroyed, memory freed, groups released.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/apply.h"
#include "../lib/held.h"
#include "cmds.h"

/* The groups this run claimed, with the locks it keeps while it holds them. */
struct claims {
	size_t n;
	struct ictl_own_plan plan[16];
	int lock[16];
	bool claimed[16];	/* this run changed it (so this run gives it back) */
};

struct run_rec {
	const char *file;
	const struct ictl_spec *s;
	const struct ictl_apply *a;
	const struct claims *c;
	bool dry_run;
	size_t verified;
	const char *result;
	int err;
};

/* A step's struct fields by name: decimal ones as numbers, the rest as written. */
static json_object *fields_json(const struct ictl_apply_step *st)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < st->nfields; i++) {
		const struct ictl_apply_field *f = &st->fields[i];
		char buf[160];
		const char *v;
		size_t n;

		if (f->kind == ICTL_AF_DEC) {
			js_set(o, f->name, js_uint(f->num));
			continue;
		}
		v = ictl_apply_field_text(f, buf, sizeof(buf));
		n = strlen(v);
		if (n && n < 20 && strspn(v, "0123456789") == n)
			js_set(o, f->name, js_uint(strtoull(v, NULL, 10)));	/* as written: 0x0 is "0" */
		else
			js_set(o, f->name, json_object_new_string(v));
	}
	return o;
}

static json_object *steps_json(const struct run_rec *x)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < x->c->n; i++) {
		json_object *o = json_object_new_object();
		char what[96];

		snprintf(what, sizeof(what), "claim group %u for vfio-pci%s", x->c->plan[i].group,
			 x->c->plan[i].nsteps ? "" : " (already claimed)");
		js_set(o, "what", json_object_new_string(what));
		js_set(o, "id", NULL);
		js_set(o, "error", NULL);
		json_object_array_add(arr, o);
	}
	for (size_t i = 0; x->a && i < x->a->nsteps; i++) {
		const struct ictl_apply_step *st = &x->a->steps[i];
		json_object *o = json_object_new_object();

		js_set(o, "what", json_object_new_string(st->what));
		js_set(o, "id", st->id ? js_uint(st->id) : NULL);
		js_set(o, "error", st->err ? json_object_new_string(strerror(-st->err)) : NULL);
		js_set(o, "struct", st->strct ? json_object_new_string(st->strct) : NULL);
		js_set(o, "fields", st->strct ? fields_json(st) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *mappings_json(const struct run_rec *x)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; x->s && i < x->s->nioas; i++) {
		for (size_t k = 0; k < x->s->ioas[i].nmaps; k++) {
			const struct ictl_spec_mapping *m = &x->s->ioas[i].maps[k];
			const struct ictl_apply_map *mp = x->a ? &x->a->maps[i][k] : NULL;
			json_object *o = json_object_new_object();

			js_set(o, "ioas", json_object_new_string(x->s->ioas[i].name));
			js_set(o, "name", js_str(m->name));
			js_set(o, "iova", mp && mp->made ? js_hex(mp->iova, 0) :
					  m->iova.set ? js_hex(m->iova.v, 0) : NULL);
			js_set(o, "size", js_uint(m->size.v));
			js_set(o, "memory", json_object_new_string(ictl_spec_mem_name(m->memory)));
			js_set(o, "read", js_bool(m->access & ICTL_SPEC_ACCESS_READ));
			js_set(o, "write", js_bool(m->access & ICTL_SPEC_ACCESS_WRITE));
			json_object_array_add(arr, o);
		}
	}
	return arr;
}

static json_object *objects_json(const struct run_rec *x)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; x->a && x->a->s && i < ictl_iommufd_count(x->a->s); i++) {
		const struct ictl_iommufd_obj *o = ictl_iommufd_obj(x->a->s, i);
		json_object *j = json_object_new_object();

		js_set(j, "kind", json_object_new_string(ictl_obj_kind_name(o->kind)));
		js_set(j, "name", js_str(o->name));
		js_set(j, "id", js_uint(o->id));
		js_set(j, "dev_id", o->dev_id ? js_uint(o->dev_id) : NULL);
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *run_json(struct cli *cli, const void *data, int err)
{
	const struct run_rec *x = data;
	json_object *doc = json_object_new_object(), *r = json_object_new_object();

	js_set(r, "spec", json_object_new_string(x->file));
	js_set(r, "dry_run", js_bool(x->dry_run));
	js_set(r, "result", json_object_new_string(x->result));
	js_set(r, "steps", steps_json(x));
	js_set(r, "objects", objects_json(x));
	js_set(r, "mappings", mappings_json(x));
	js_set(r, "verified", js_uint(x->verified));
	js_set(doc, "apply", r);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int run_text(struct cli *cli, FILE *out, const void *data)
{
	const struct run_rec *x = data;
	size_t n = 0;
	char sz[32];

	(void)cli;
	/* Names come from the spec: any bytes YAML can spell ("\x1b", "\udcff") (escape.h). */
	fprintf(out, "%s%s:\n", x->dry_run ? "Would apply " : "Apply ", esc_text(x->file));
	for (size_t i = 0; i < x->c->n; i++)
		fprintf(out, "  %3zu. claim group %u for vfio-pci%s\n", ++n, x->c->plan[i].group,
			x->c->plan[i].nsteps ? "" : " (already claimed)");
	for (size_t i = 0; x->a && i < x->a->nsteps; i++) {
		const struct ictl_apply_step *st = &x->a->steps[i];

		fprintf(out, "  %3zu. %s", ++n, esc_text(st->what));
		if (st->err)
			fprintf(out, ": FAILED (%s)", strerror(-st->err));
		else if (st->id)
			fprintf(out, ": #%u", st->id);
		fputc('\n', out);
		/* a dry run: every field of the struct the ioctl would get */
		for (size_t f = 0; x->dry_run && st->strct && f < st->nfields; f++) {
			char buf[160];
			const char *v = ictl_apply_field_text(&st->fields[f], buf, sizeof(buf));

			fprintf(out, f ? ", %s %s" : "       %s { %s %s", f ? st->fields[f].name : st->strct,
				f ? v : st->fields[f].name, v);
		}
		if (x->dry_run && st->strct)
			fputs(st->nfields ? " }\n" : "\n", out);
	}
	if (!x->dry_run && !x->err && x->s) {
		fputs("Mappings:\n", out);
		for (size_t i = 0; i < x->s->nioas; i++) {
			for (size_t k = 0; k < x->s->ioas[i].nmaps; k++) {
				const struct ictl_spec_mapping *m = &x->s->ioas[i].maps[k];

				snprintf(sz, sizeof(sz), "%#llx", (unsigned long long)m->size.v);
				fprintf(out, "  %-12s %-12s iova %#-14llx size %-12s %-10s %s%s\n",
					esc_text(x->s->ioas[i].name), m->name[0] ? esc_text(m->name) : "-",
					(unsigned long long)x->a->maps[i][k].iova, sz,
					ictl_spec_mem_name(m->memory),
					m->access & ICTL_SPEC_ACCESS_READ ? "r" : "",
					m->access & ICTL_SPEC_ACCESS_WRITE ? "w" : "");
			}
		}
		if (x->verified)
			fprintf(out, "Verified: %zu mapping%s read back from the mock's page tables (IOMMU_TEST_OP_MD_CHECK_MAP)\n",
				x->verified, x->verified == 1 ? "" : "s");
	}
	fprintf(out, "Result: %s\n", x->result);
	return 0;
}

static const struct out_doc_view run_view = { .json = run_json, .text = run_text };

/* The end: what was undone, why, and which groups went back. */
struct end_rec {
	const char *reason;
	int cmd_status;		/* -1: no command */
	size_t destroyed;
	size_t nreleased;
	unsigned int released[16];	/* the groups this run claimed, given back */
	int err;
};

static json_object *end_json(struct cli *cli, const void *data, int err)
{
	const struct end_rec *x = data;
	json_object *doc = json_object_new_object(), *g = json_object_new_array();

	js_set(doc, "action", json_object_new_string("apply-end"));
	js_set(doc, "reason", json_object_new_string(x->reason));
	js_set(doc, "status", x->cmd_status >= 0 ? js_int(x->cmd_status) : NULL);
	js_set(doc, "destroyed", js_uint(x->destroyed));
	for (size_t i = 0; i < x->nreleased; i++)
		json_object_array_add(g, js_uint(x->released[i]));
	js_set(doc, "released", g);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int end_text(struct cli *cli, FILE *out, const void *data)
{
	const struct end_rec *x = data;

	(void)cli;
	fprintf(out, "Apply ended: %s; %zu object%s destroyed", esc_text(x->reason), x->destroyed,
		x->destroyed == 1 ? "" : "s");
	for (size_t i = 0; i < x->nreleased; i++)
		fprintf(out, "%s%u", i ? ", " : "; released group ", x->released[i]);
	fputc('\n', out);
	return 0;
}

static const struct out_doc_view end_view = { .json = end_json, .text = end_text };

/* --- claims -------------------------------------------------------------------------- */

static bool have_group(const struct claims *c, unsigned int g)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->plan[i].group == g)
			return true;
	}
	return false;
}

/* Claim the groups of the spec's devices (dry run: plan only); 0 or -errno. */
static int claim_groups(struct cli *cli, const struct ictl_spec *s, bool dry_run,
			struct claims *c)
{
	for (size_t i = 0; i < s->ndevices; i++) {
		struct ictl_own_opts oo = { .dry_run = dry_run };
		unsigned int g;
		int r;

		if (s->devices[i].mock)
			continue;
		r = ictl_own_resolve(cli->ctx, s->devices[i].device, &g);
		if (r < 0)
			return r;
		if (have_group(c, g))
			continue;
		if (c->n == ARRAY_SIZE(c->plan))
			return cli_error(cli, -E2BIG, "a spec may name devices of at most %zu groups",
					 ARRAY_SIZE(c->plan));
		c->lock[c->n] = -1;
		ictl_own_opts_from_env(&oo);
		oo.lock_fd = dry_run ? NULL : &c->lock[c->n];
		r = ictl_claim_plan(cli->ctx, g, "vfio-pci", &c->plan[c->n]);
		if (r < 0)
			return r;
		c->n++;
		r = ictl_own_apply(cli->ctx, &oo, &c->plan[c->n - 1]);
		c->claimed[c->n - 1] = !dry_run && c->plan[c->n - 1].changed;
		if (r < 0)
			return r;
		if (!dry_run)
			cli_udev_wait(cli, g);
	}
	return 0;
}

/* Give back what this run claimed; 0 or -errno (every group is tried). */
static int release_groups(struct cli *cli, struct claims *c)
{
	int ret = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct ictl_own_opts oo = { .lock_fd = &c->lock[i] };
		struct ictl_own_plan rel;
		int r;

		ictl_own_opts_from_env(&oo);
		if (c->claimed[i]) {
			r = ictl_release_plan(cli->ctx, c->plan[i].group, &rel);
			if (!r)
				r = ictl_own_apply(cli->ctx, &oo, &rel);
			if (!r)
				ictl_own_plan_clear(&rel);
			if (r < 0 && !ret) {
				ret = r;
				if (!cli->json)
					cli_error_line(ictl_strerror(cli->ctx));
			}
		}
		if (c->lock[i] >= 0)
			close(c->lock[i]);
		c->lock[i] = -1;
		ictl_own_plan_clear(&c->plan[i]);
	}
	c->n = 0;
	return ret;
}

/* --- the run --------------------------------------------------------------------------- */

/*
 * The stage-1 tables (ptspec): each a pt image next to the document (file,
 * relative to its directory), with where its memory is in the parent IOAS.
 */
static json_object *tables_json(const struct ictl_apply *a)
{
	json_object *o = json_object_new_object();
	char file[64];

	for (size_t t = 0; t < a->spec->nptables; t++) {
		const struct ictl_spec_ptable *pt = &a->spec->ptables[t];
		const struct ictl_apply_table *tb = &a->tables[t];
		json_object *j = json_object_new_object();

		snprintf(file, sizeof(file), "%s.pt", pt->name);
		js_set(j, "file", json_object_new_string(file));
		js_set(j, "format", json_object_new_string(pt->cfg.name));
		js_set(j, "ioas", json_object_new_string(a->spec->ioas[pt->ioas.idx].name));
		js_set(j, "iova", js_hex(tb->iova, 0));
		js_set(j, "size", js_uint(tb->size));
		js_set(j, "root", js_hex(tb->root, 0));
		js_set(j, "ptr", tb->ptr ? js_hex(tb->ptr, 0) : NULL);
		/* the memory itself (the memfd the kernel maps: header page, then the tables) */
		snprintf(file, sizeof(file), "/proc/%d/fd/%d", (int)getpid(), tb->fd);
		js_set(j, "memfd", json_object_new_string(file));
		js_set(o, pt->name, j);
	}
	return o;
}

/* Each table's image as DIR/NAME.pt (ptspec); unlink: remove them again. */
static int tables_files(struct cli *cli, struct ictl_apply *a, const char *dir, bool unlink_)
{
	char path[400];
	int r;

	for (size_t t = 0; t < a->spec->nptables; t++) {
		snprintf(path, sizeof(path), "%s/%s.pt", dir, a->spec->ptables[t].name);
		if (unlink_) {
			unlink(path);
			continue;
		}
		r = ictl_apply_table_write(a, t, path);
		if (r < 0) {
			cli_error_line(ictl_strerror(cli->ctx));
			return r;
		}
	}
	return 0;
}

/*
 * The hand-off as a JSON document for the command (IOMMUCTL_OBJECTS_JSON): the
 * fds, every named object with its kind and id, every mapping where it is.
 */
static json_object *handoff_json(const struct ictl_apply *a, const struct ictl_handoff *ho)
{
	json_object *doc = json_object_new_object(), *objs = json_object_new_object();
	json_object *maps = json_object_new_object(), *devs = json_object_new_array();
	json_object *fds = json_object_new_object();

	js_set(doc, "iommufd", js_int(ictl_handoff_target(ho, ICTL_HANDOFF_IOMMUFD, 0)));
	for (size_t i = 0; i < ho->nfds; i++) {
		json_object *d;

		if (ho->fds[i].role == ICTL_HANDOFF_QUEUE && ho->fds[i].name[0])
			js_set(fds, ho->fds[i].name, js_int(ho->fds[i].target));
		if (ho->fds[i].role != ICTL_HANDOFF_DEVICE)
			continue;
		d = json_object_new_object();
		js_set(d, "device", json_object_new_string(ho->fds[i].name));
		js_set(d, "fd", js_int(ho->fds[i].target));
		js_set(d, "dev_id", js_uint(ho->fds[i].id));
		json_object_array_add(devs, d);
	}
	js_set(doc, "devices", devs);
	js_set(doc, "fds", fds);
	for (size_t i = 0; i < ictl_iommufd_count(a->s); i++) {
		const struct ictl_iommufd_obj *o = ictl_iommufd_obj(a->s, i);
		json_object *j;

		if (!o->name[0])
			continue;
		j = json_object_new_object();
		js_set(j, "kind", json_object_new_string(ictl_obj_kind_name(o->kind)));
		js_set(j, "id", js_uint(o->id));
		js_set(j, "dev_id", o->dev_id ? js_uint(o->dev_id) : NULL);
		js_set(j, "type", o->kind == ICTL_OBJ_HWPT_NESTED || o->kind == ICTL_OBJ_VIOMMU ||
					  o->kind == ICTL_OBJ_VEVENTQ || o->kind == ICTL_OBJ_HW_QUEUE ?
					  js_uint(o->type) : NULL);
		js_set(objs, o->name, j);
	}
	js_set(doc, "objects", objs);
	for (size_t i = 0; i < a->spec->nioas; i++) {
		for (size_t k = 0; k < a->spec->ioas[i].nmaps; k++) {
			const struct ictl_spec_mapping *m = &a->spec->ioas[i].maps[k];
			json_object *j;

			if (!m->name[0])
				continue;
			j = json_object_new_object();
			js_set(j, "ioas", json_object_new_string(a->spec->ioas[i].name));
			js_set(j, "iova", js_hex(a->maps[i][k].iova, 0));
			js_set(j, "size", js_uint(m->size.v));
			js_set(maps, m->name, j);
		}
	}
	js_set(doc, "mappings", maps);
	js_set(doc, "page_tables", tables_json(a));
	return doc;
}

/* JSON text into fd as valid UTF-8 whatever bytes the spec's names hold (escape.h), closed. */
static int put_json_fd(int fd, const char *text, size_t len)
{
	FILE *f = fdopen(fd, "w");
	bool bad;

	if (!f) {
		int e = errno;

		close(fd);
		return -e;
	}
	errno = 0;
	bad = esc_json_put(f, text, len) < 0 || fputc('\n', f) == EOF;
	bad |= fclose(f) != 0;
	return bad ? -(errno ?: EIO) : 0;
}

/* Write the document into a new private directory; *dir and path for the caller to remove. */
static int write_handoff_json(json_object *doc, char *dir, size_t dlen,
			      char *path, size_t plen)
{
	const char *tmp = getenv("TMPDIR");
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	int fd, r;

	snprintf(dir, dlen, "%s/iommuctl-apply.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		r = -errno;
		fprintf(stderr, "iommuctl: %s: %s\n", esc_text(dir), strerror(-r));
		return r;
	}
	snprintf(path, plen, "%s/objects.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	r = fd < 0 ? -errno : put_json_fd(fd, text, strlen(text));
	if (r < 0) {
		unlink(path);
		rmdir(dir);
		fprintf(stderr, "iommuctl: %s: %s\n", esc_text(path), strerror(-r));
	}
	return r;
}

/*
 * What is behind mapping k of IOAS i: the access asked for, and this process's
 * view of the memory (a copy's: its source's, at the offset; none for a file
 * the kernel pins through its fd).
 */
static void held_map_memory(struct ictl_held_map *hm, const struct ictl_apply *a, size_t i,
			    size_t k)
{
	const struct ictl_spec_mapping *m = &a->spec->ioas[i].maps[k];
	const struct ictl_apply_map *src = &a->maps[i][k];
	uint64_t off = 0;

	hm->access = (m->access & ICTL_SPEC_ACCESS_READ ? ICTL_HELD_MAP_READ : 0) |
		     (m->access & ICTL_SPEC_ACCESS_WRITE ? ICTL_HELD_MAP_WRITE : 0);
	if (m->memory == ICTL_SPEC_MEM_COPY && m->copy_mapping >= 0) {
		src = &a->maps[m->copy_ioas.idx][m->copy_mapping];
		off = m->copy_iova.v;
	}
	hm->uaddr = src->va ? (uintptr_t)src->va + off : 0;
}

/*
 * Publish what is held in the state directory (held.h), for 'iommuctl held
 * --pid' in another shell: the iommufd's and the event queues' fd numbers in
 * this process, the groups this run claimed (for recover, should it be killed),
 * every object, every mapping made.
 */
static int publish(struct cli *cli, const struct ictl_apply *a, const struct claims *c)
{
	struct ictl_held h = { .iommufd = ictl_iommufd_fd(a->s) };
	int r = 0;

	for (size_t i = 0; i < c->n && h.ngroups < ICTL_HELD_GROUPS_MAX; i++) {
		if (c->claimed[i])
			h.groups[h.ngroups++] = c->plan[i].group;
	}
	for (size_t i = 0; !r && i < ictl_iommufd_count(a->s); i++) {
		const struct ictl_iommufd_obj *o = ictl_iommufd_obj(a->s, i);
		bool queue = o->kind == ICTL_OBJ_FAULT || o->kind == ICTL_OBJ_VEVENTQ;

		r = ictl_held_add_obj(&h, o->kind, o->name, o->id, queue ? o->fd : -1, o->type,
				      o->kind == ICTL_OBJ_DEVICE || o->kind == ICTL_OBJ_MOCK_DEV ? o->dev_id : 0);
	}
	for (size_t i = 0; !r && i < a->spec->nioas; i++) {
		for (size_t k = 0; !r && k < a->spec->ioas[i].nmaps; k++) {
			if (a->maps[i][k].made)
				r = ictl_held_add_map(&h, a->spec->ioas[i].maps[k].name, a->ioas[i],
						      a->maps[i][k].iova, a->spec->ioas[i].maps[k].size.v);
			if (a->maps[i][k].made && !r)
				held_map_memory(&h.maps[h.nmaps - 1], a, i, k);
		}
	}
	if (r < 0)
		fprintf(stderr, "iommuctl: the held set: %s\n", strerror(-r));
	else if ((r = ictl_held_publish(cli->ctx, &h)) < 0)
		cli_error_line(ictl_strerror(cli->ctx));
	ictl_held_clear(&h);
	return r;
}

/* Keep what was made (published) for --hold or -- COMMAND; the reason it ended. */
static int keep_published(struct cli *cli, struct ictl_apply *a, char *reason, size_t len,
			  int *status)
{
	struct ictl_handoff ho;
	char why[320] = "", dir[256] = "", path[300] = "";
	int r, sig = 0;

	*status = -1;
	if (!cli->exec_argv) {
		sig = cli_wait_stop_signal();
		cli_end_reason(reason, len, sig, 0);
		return 0;
	}
	ictl_handoff_init(&ho);
	r = ictl_apply_handoff(a, &ho);
	if (!r) {
		json_object *doc = handoff_json(a, &ho);

		r = write_handoff_json(doc, dir, sizeof(dir), path, sizeof(path));
		json_object_put(doc);
		if (!r && (r = tables_files(cli, a, dir, false)) < 0) {
			tables_files(cli, a, dir, true);
			unlink(path);
			rmdir(dir);
		}
		if (r < 0) {
			ictl_handoff_clear(&ho);
			snprintf(reason, len, "the objects' JSON document could not be written");
			return r;
		}
		r = ictl_handoff_setenv(cli->ctx, &ho, "IOMMUCTL_OBJECTS_JSON", path);
	}
	if (!r) {	/* whose notes 'held map' and 'held unmap' write (held.h) */
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		r = ictl_handoff_setenv(cli->ctx, &ho, "IOMMUCTL_HOLDER", pid);
	}
	if (!r)
		r = cli_run_handoff(&ho, cli->exec_argv, status, why, sizeof(why));
	ictl_handoff_clear(&ho);
	if (path[0]) {
		tables_files(cli, a, dir, true);
		unlink(path);
		rmdir(dir);
	}
	if (r < 0) {
		cli_error_line(r == -EINVAL || !why[0] ? ictl_strerror(cli->ctx) : why);
		snprintf(reason, len, "the command did not start");
		*status = -1;
		return r;
	}
	cli_end_reason(reason, len, 0, *status);
	return 0;
}

/* Keep what was made for --hold or -- COMMAND; the reason it ended. */
static int keep(struct cli *cli, struct ictl_apply *a, const struct claims *c, char *reason,
		size_t len, int *status)
{
	int r = publish(cli, a, c);

	if (r < 0) {
		*status = -1;
		snprintf(reason, len, "the held set could not be published");
		return r;
	}
	r = keep_published(cli, a, reason, len, status);
	ictl_held_unpublish(cli->ctx, (int)getpid());
	return r;
}
static int finish(struct cli *cli, struct ictl_apply *a, struct claims *c, const char *reason,
		  int status)
{
	struct end_rec e = { reason, status, a && a->s ? ictl_iommufd_count(a->s) : 0, 0, { 0 }, 0 };
	int r, rr;

	for (size_t i = 0; i < c->n; i++) {
		if (c->claimed[i])
			e.released[e.nreleased++] = c->plan[i].group;
	}
	r = ictl_apply_undo(a);
	rr = release_groups(cli, c);
	e.err = r < 0 ? r : rr;
	return out_doc(cli, &end_view, &e, e.err);
}

/*
 * IOMMUCTL_FAIL_NTH=N, a testing aid: the N-th fault-injection point the
 * kernel passes while the objects are made fails (ictl_fail_nth_begin()).
 * *fd is the fd to disarm with, -1 when not asked; returns 0 or an exit code.
 */
static int fail_nth_arm(struct cli *cli, unsigned int *n, int *fd)
{
	const char *v = getenv("IOMMUCTL_FAIL_NTH");
	unsigned long u;
	char *end;
	int r;

	*fd = -1;
	if (!v || !*v)
		return 0;
	errno = 0;
	u = strtoul(v, &end, 10);
	if (errno || *end || !u || u > 100000 || *v == '-' || *v == '+')
		return cli_error(cli, -EINVAL, "IOMMUCTL_FAIL_NTH='%s' is not a count from 1 to 100000", v);
	*n = (unsigned int)u;
	r = ictl_fail_nth_begin(cli->ctx, *n);
	if (r < 0)
		return cli_lib_error(cli, r);
	*fd = r;
	return 0;
}

static void fail_nth_disarm(int fd, unsigned int n)
{
	if (fd >= 0)
		fprintf(stderr, "iommuctl: IOMMUCTL_FAIL_NTH=%u: %s\n", n,
			ictl_fail_nth_end(fd) ? "the failure was injected" :
						"no failure injected (fewer fault points)");
}

int apply_run(struct cli *cli, const struct ictl_spec *s, const char *file, bool dry_run,
	      bool hold)
{
	_cleanup_iommufd_ struct ictl_iommufd *sess = NULL;
	struct run_rec rec = { .file = file, .s = s, .dry_run = dry_run };
	struct claims c = { 0 };
	struct ictl_apply *a = NULL;
	char reason[96];
	int r, code, status = -1, kr, nth_fd = -1;
	unsigned int nth = 0;

	if (!dry_run && cli->sysroot)
		return cli_error(cli, -EOPNOTSUPP,
				 "apply makes objects in the live kernel: drop --sysroot (or use --dry-run or --check)");
	/* From here a SIGINT or SIGTERM waits: whatever was made is undone, what was claimed given back. */
	if (!dry_run)
		cli_block_stop_signals();
	r = claim_groups(cli, s, dry_run, &c);
	if (!r && !dry_run) {
		code = fail_nth_arm(cli, &nth, &nth_fd);
		if (code) {
			release_groups(cli, &c);
			return code;
		}
	}
	if (!r && !dry_run)
		r = ictl_iommufd_open(cli->ctx, &sess);
	if (!r)
		r = ictl_apply_run(cli->ctx, s, sess, dry_run, &a);
	if (!r)
		r = ictl_apply_verify(a, &rec.verified);
	fail_nth_disarm(nth_fd, nth);
	ictl_apply_describe(a);
	rec.a = a;
	rec.c = &c;
	rec.err = r;
	rec.result = r < 0 ? "failed; everything made was undone" :
		     dry_run ? "nothing was made (--dry-run)" :
		     cli->exec_argv ? "applied; running the command" :
		     hold ? "applied; held until SIGINT, SIGTERM or SIGHUP" :
			    "applied, and undone now (--hold or -- COMMAND keeps it)";
	code = out_doc(cli, &run_view, &rec, r);
	if (dry_run) {
		release_groups(cli, &c);
		ictl_apply_free(a);
		return code;
	}
	if (r < 0) {
		/* A failed run undid itself; the groups it claimed go back, and the end says so. */
		int e = finish(cli, a, &c, "the apply failed", -1);

		ictl_apply_free(a);
		return code ? code : e;
	}
	snprintf(reason, sizeof(reason), "trial run");
	kr = 0;
	if (hold || cli->exec_argv)
		kr = keep(cli, a, &c, reason, sizeof(reason), &status);
	code = finish(cli, a, &c, reason, status);
	ictl_apply_free(a);
	if (code)
		return code;
	if (kr < 0)
		return 127;
	if (cli->exec_argv)
		return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return 0;
}
