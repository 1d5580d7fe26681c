// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl held events QUEUE, held respond FAULT_QUEUE: the records of a fault
 * queue or vEVENTQ, and the answer to a fault.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held-cmds.h"

/* --- event queues: held events, held respond ---------------------------------------------- */

struct held_queue {
	const char *name;
	uint32_t id;
	enum ictl_obj_kind kind;
	uint32_t type;
	int fd;			/* our copy, closed at the end */
};

static void held_queue_close(struct held_queue *q)
{
	if (q->fd >= 0)
		close(q->fd);
}
#define _cleanup_queue_ __attribute__((cleanup(held_queue_close)))

/* Inside apply -- COMMAND: the queue's fd from IOMMUCTL_FDS, its kind and type from the JSON. */
static int env_queue(struct cli *cli, const char *arg, struct held_queue *q)
{
	const char *path = getenv("IOMMUCTL_OBJECTS_JSON");
	json_object *doc, *o, *v;
	uint64_t fd;
	int r = 0;

	if (ictl_held_lookup(getenv("IOMMUCTL_FDS"), arg, &fd) < 0 || fd > 65535)
		return cli_error(cli, -ENOENT,
				 "no queue '%.40s' in IOMMUCTL_FDS (the event queues apply handed over, by name)",
				 arg);
	doc = path ? json_object_from_file(path) : NULL;
	if (!doc || !json_object_object_get_ex(doc, "objects", &o) ||
	    !json_object_object_get_ex(o, arg, &o))
		r = cli_error(cli, -EINVAL,
			      "queue '%.40s': its kind and type are in IOMMUCTL_OBJECTS_JSON, which is not there or does not name it",
			      arg);
	if (!r) {
		const char *kind = json_object_object_get_ex(o, "kind", &v) ? json_object_get_string(v) : "";

		q->kind = !strcmp(kind, "fault_queue") ? ICTL_OBJ_FAULT :
			  !strcmp(kind, "veventq")     ? ICTL_OBJ_VEVENTQ :
							 ICTL_OBJ_KIND_COUNT;
		q->id = json_object_object_get_ex(o, "id", &v) ? (uint32_t)json_object_get_int64(v) : 0;
		q->type = json_object_object_get_ex(o, "type", &v) ? (uint32_t)json_object_get_int64(v) : 0;
		q->fd = dup((int)fd);
		if (q->fd < 0)
			r = cli_error(cli, -errno, "IOMMUCTL_FDS %s=%d: %s", arg, (int)fd, strerror(errno));
	}
	json_object_put(doc);
	return r;
}

/* A fault queue or vEVENTQ by name (or, of a holder, by id), with a copy of its fd. */
static int held_queue(struct cli *cli, const struct held_set *set, const char *arg,
		      struct held_queue *q)
{
	const struct ictl_held_obj *o = NULL;
	uint64_t id;
	int r;

	*q = (struct held_queue){ .name = arg, .fd = -1 };
	if (set->env)
		r = env_queue(cli, arg, q);
	else {
		o = ictl_held_find_obj(&set->h, arg);
		for (size_t i = 0; !o && !ictl_pt_parse_size(arg, &id) && i < set->h.nobjs; i++)
			o = set->h.objs[i].id == id ? &set->h.objs[i] : NULL;
		if (!o)
			return cli_error(cli, -ENOENT, "no queue '%.40s' in the set of holder %d", arg,
					 set->h.pid);
		q->kind = o->kind;
		q->id = o->id;
		q->type = o->type;
		r = 0;
	}
	if (r)
		return r;
	if (q->kind != ICTL_OBJ_FAULT && q->kind != ICTL_OBJ_VEVENTQ)
		return cli_error(cli, -EINVAL, "'%.40s' is a %s: give a fault_queue or a veventq", arg,
				 ictl_obj_kind_name(q->kind));
	if (o && (r = ictl_held_getfd(cli->ctx, &set->h, o->fd, o->kind, &q->fd)) < 0)
		return cli_lib_error(cli, r);
	return 0;
}

struct events_rec {
	const struct held_queue *q;
	const struct ictl_held_event *v;
	size_t n;
};

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64_at(const uint8_t *p)
{
	return (uint64_t)le32_at(p) | (uint64_t)le32_at(p + 4) << 32;
}

static const char *const perm_names[] = { "read", "write", "exec", "priv" };

static json_object *event_json(const struct held_queue *q, const struct ictl_held_event *e)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (e->fault) {
		js_set(o, "cookie", js_uint(e->pf.cookie));
		js_set(o, "dev_id", js_uint(e->pf.dev_id));
		js_set(o, "pasid", e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_PASID_VALID ?
					   js_uint(e->pf.pasid) : NULL);
		js_set(o, "grpid", js_uint(e->pf.grpid));
		for (unsigned int i = 0; i < ARRAY_SIZE(perm_names); i++) {
			if (e->pf.perm & 1u << i)
				json_object_array_add(a, json_object_new_string(perm_names[i]));
		}
		js_set(o, "perm", a);
		js_set(o, "addr", js_hex(e->pf.addr, 0));
		js_set(o, "length", js_uint(e->pf.length));
		js_set(o, "last_page", js_bool(e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_LAST_PAGE));
		return o;
	}
	js_set(o, "sequence", js_uint(e->sequence));
	js_set(o, "lost_events", js_bool(e->flags & ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS));
	if (q->type == ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && e->len == 4)
		js_set(o, "virt_id", js_hex(le32_at(e->data), 0));
	for (uint32_t i = 0; q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && i + 8 <= e->len; i += 8)
		json_object_array_add(a, js_hex(le64_at(e->data + i), 16));
	if (q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST)
		js_set(o, "data", a);
	else
		json_object_put(a);
	return o;
}

static json_object *events_json(struct cli *cli, const void *data, int err)
{
	const struct events_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();
	json_object *arr = json_object_new_array();

	js_set(o, "queue", json_object_new_string(x->q->name));
	js_set(o, "kind", json_object_new_string(ictl_obj_kind_name(x->q->kind)));
	js_set(o, "id", js_uint(x->q->id));
	js_set(o, "type", x->q->kind == ICTL_OBJ_VEVENTQ ? js_hex(x->q->type, 0) : NULL);
	for (size_t i = 0; i < x->n; i++)
		json_object_array_add(arr, event_json(x->q, &x->v[i]));
	js_set(o, "records", arr);
	js_set(doc, "events", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static void event_text(FILE *out, const struct held_queue *q, const struct ictl_held_event *e)
{
	if (e->fault) {
		fprintf(out, "  cookie %u: dev_id %u addr %#llx", e->pf.cookie, e->pf.dev_id,
			(unsigned long long)e->pf.addr);
		if (e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_PASID_VALID)
			fprintf(out, " pasid %#x", e->pf.pasid);
		fprintf(out, " group %u perm ", e->pf.grpid);
		for (unsigned int i = 0; i < ARRAY_SIZE(perm_names); i++)
			fputs(e->pf.perm & 1u << i ? (const char[]){ "rwxp"[i], 0 } : "-", out);
		fprintf(out, "%s\n", e->pf.flags & ICTL_IOMMU_PGFAULT_FLAGS_LAST_PAGE ? " last-page" : "");
		return;
	}
	fprintf(out, "  seq %u:", e->sequence);
	if (e->flags & ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS)
		fputs(" events were lost before this one (the queue was full)", out);
	else if (q->type == ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && e->len == 4)
		fprintf(out, " virt_id %#x", le32_at(e->data));
	for (uint32_t i = 0; q->type != ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST && i + 8 <= e->len; i += 8)
		fprintf(out, " %016llx", (unsigned long long)le64_at(e->data + i));
	fputc('\n', out);
}

static int events_text(struct cli *cli, FILE *out, const void *data)
{
	const struct events_rec *x = data;

	(void)cli;
	fprintf(out, "%s %s #%u", ictl_obj_kind_name(x->q->kind), x->q->name, x->q->id);
	if (x->q->kind == ICTL_OBJ_VEVENTQ)
		fprintf(out, " (type %#x)", x->q->type);
	fprintf(out, ": %zu %s%s\n", x->n, x->q->kind == ICTL_OBJ_FAULT ? "fault" : "event",
		x->n == 1 ? "" : "s");
	for (size_t i = 0; i < x->n; i++)
		event_text(out, x->q, &x->v[i]);
	return 0;
}

static const struct out_doc_view events_view = { .json = events_json, .text = events_text };

int cmd_held_events(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_queue_ struct held_queue q = { .fd = -1 };
	struct ictl_held_event *v;
	uint64_t count = 1, timeout = 5;
	int r;

	if ((o->count && (r = held_uint_opt(cli, "--count", o->count, 1024, &count))) ||
	    (o->timeout && (r = held_uint_opt(cli, "--timeout", o->timeout, 3600, &timeout))))
		return r;
	if (!count)
		return cli_error(cli, -EINVAL, "--count 0: give at least 1");
	if ((r = held_load(cli, &set)) || (r = held_queue(cli, &set, cli->argv[0], &q)))
		return r;
	v = calloc(1024, sizeof(*v));
	if (!v)
		return cli_error(cli, -ENOMEM, "events: out of memory");
	r = ictl_queue_read(cli->ctx, q.fd, q.kind, q.type, (size_t)count, 1024,
			    (int)timeout * 1000, v);
	if (r >= 0)
		r = out_doc(cli, &events_view, &(struct events_rec){ &q, v, (size_t)r },
			    (size_t)r < count ? -ETIME : 0);
	else
		r = cli_lib_error(cli, r);
	free(v);
	return r;
}

struct respond_rec {
	const struct held_queue *q;
	uint32_t cookie;
	const char *code;
};

static json_object *respond_json(struct cli *cli, const void *data, int err)
{
	const struct respond_rec *x = data;
	json_object *doc = json_object_new_object(), *o = json_object_new_object();

	js_set(o, "queue", json_object_new_string(x->q->name));
	js_set(o, "id", js_uint(x->q->id));
	js_set(o, "cookie", js_uint(x->cookie));
	js_set(o, "code", json_object_new_string(x->code));
	js_set(doc, "responded", o);
	js_set(doc, "error", out_json_error(cli, err));
	return doc;
}

static int respond_text(struct cli *cli, FILE *out, const void *data)
{
	const struct respond_rec *x = data;

	(void)cli;
	fprintf(out, "answered fault cookie %u of %s #%u: %s\n", x->cookie, x->q->name, x->q->id,
		x->code);
	return 0;
}

static const struct out_doc_view respond_view = { .json = respond_json, .text = respond_text };

int cmd_held_respond(struct cli *cli)
{
	const struct held_opts *o = cli->opts;
	_cleanup_held_set_ struct held_set set = { 0 };
	_cleanup_queue_ struct held_queue q = { .fd = -1 };
	uint64_t cookie;
	uint32_t code;
	int r;

	if (!o->cookie || !o->code)
		return cli_error(cli, -EINVAL, "held respond needs --cookie N and --code success|invalid");
	if ((r = held_uint_opt(cli, "--cookie", o->cookie, UINT32_MAX, &cookie)))
		return r;
	if (!strcmp(o->code, "success"))
		code = ICTL_IOMMUFD_PAGE_RESP_SUCCESS;
	else if (!strcmp(o->code, "invalid"))
		code = ICTL_IOMMUFD_PAGE_RESP_INVALID;
	else if (!strcmp(o->code, "failure"))
		return cli_error(cli, -EINVAL,
				 "--code failure: the iommufd uAPI answers a fault with success or invalid only (IOMMUFD_PAGE_RESP_*); give invalid to refuse it");
	else
		return cli_error(cli, -EINVAL, "--code %.24s: give success or invalid", o->code);
	if ((r = held_load(cli, &set)) || (r = held_queue(cli, &set, cli->argv[0], &q)))
		return r;
	if (q.kind != ICTL_OBJ_FAULT)
		return cli_error(cli, -EINVAL, "'%.40s' is a %s: faults are answered on a fault_queue",
				 q.name, ictl_obj_kind_name(q.kind));
	r = ictl_fault_respond(cli->ctx, q.fd, (uint32_t)cookie, code);
	if (r < 0)
		return cli_lib_error(cli, r);
	return out_doc(cli, &respond_view, &(struct respond_rec){ &q, (uint32_t)cookie, o->code }, 0);
}
