// SPDX-License-Identifier: GPL-2.0-or-later
/* iommuctl status [DEVICE|GROUP]: who owns each group's DMA: kernel, userspace, a process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

/*
 * A row: a group's status, or, when it could not be read, the group and the
 * error (a listing goes on past a group it cannot read; iommuctl-json(7)).
 */
struct status_row {
	struct ictl_own_status st;
	int err;		/* < 0: st holds only the group number */
	int code;		/* the exit status err would have had */
	char msg[512];
};

#define ROW(rec) ((const struct status_row *)(rec))
#define ST(rec) (&ROW(rec)->st)

static const char *cell_group(const void *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%u", ST(rec)->group);
	return buf;
}

static const char *cell_state(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ROW(rec)->err ? "error" : ictl_own_state_name(ST(rec)->state);
}

static const char *cell_error(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ROW(rec)->err ? ROW(rec)->msg : NULL;
}

static const char *cell_type(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ST(rec)->type;
}

static const char *cell_devices(const void *rec, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ST(rec)->nmembers; i++) {
		const struct ictl_own_member *m = &ST(rec)->members[i];

		buf_add(buf, len, &off, "%s%s(%s)", i ? "," : "", m->device, dash(m->driver));
	}
	return buf;
}

static const char *cell_cdevs(const void *rec, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ST(rec)->nmembers; i++) {
		const struct ictl_own_member *m = &ST(rec)->members[i];

		if (m->has_cdev)
			buf_add(buf, len, &off, "%s/dev/vfio/devices/%s", off ? "," : "", m->vfio_dev);
	}
	return buf;
}

static const char *cell_holders(const void *rec, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ST(rec)->nholders; i++)
		buf_add(buf, len, &off, "%s%d(%s)", i ? "," : "", ST(rec)->holders[i].pid,
			dash(ST(rec)->holders[i].comm));
	return buf;
}

static const char *cell_blockers(const void *rec, char *buf, size_t len)
{
	return blockers_str(ST(rec)->blockers, ST(rec)->nblockers, buf, len);
}

static const char *cell_journal(const void *rec, char *buf, size_t len)
{
	(void)buf, (void)len;
	return ST(rec)->journal;
}

const struct out_col status_columns[] = {
	{ "GROUP", "IOMMU group number", COL_DEFAULT | COL_RIGHT, 0, cell_group },
	{ "STATE", "kernel, userspace (ready on a VFIO driver), held (open by a process), mixed",
	  COL_DEFAULT, 0, cell_state },
	{ "TYPE", "default domain type", COL_DEFAULT, 0, cell_type },
	{ "DEVICES", "members and their drivers", COL_DEFAULT | COL_WRAP, 0, cell_devices },
	{ "CDEV", "VFIO device nodes of the members", COL_DEFAULT, 0, cell_cdevs },
	{ "HOLDERS", "processes holding a VFIO node open (pid and command)", COL_DEFAULT, 0,
	  cell_holders },
	{ "BLOCKERS", "members on a kernel DMA driver in a mixed group", 0, 0, cell_blockers },
	{ "JOURNAL", "iommuctl's record: claimed, or an interrupted claiming/releasing", 0, 0,
	  cell_journal },
	{ "ERROR", "why the group could not be read (STATE is then 'error')", COL_WRAP, 0,
	  cell_error },
	{ 0 }
};

static json_object *status_json(const void *rec)
{
	const struct status_row *row = rec;
	const struct ictl_own_status *st = &row->st;
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	json_object *hold = json_object_new_array(), *bl = json_object_new_array();

	for (size_t i = 0; i < st->nmembers; i++)
		json_object_array_add(devs, present_member(&st->members[i]));
	for (size_t i = 0; i < st->nholders; i++) {
		json_object *h = json_object_new_object();

		js_set(h, "pid", js_int(st->holders[i].pid));
		js_set(h, "comm", json_object_new_string(st->holders[i].comm));
		js_set(h, "path", json_object_new_string(st->holders[i].path));
		json_object_array_add(hold, h);
	}
	for (size_t i = 0; i < st->nblockers; i++) {
		json_object *b = json_object_new_object();

		js_set(b, "device", json_object_new_string(st->blockers[i].device));
		js_set(b, "driver", json_object_new_string(st->blockers[i].driver));
		json_object_array_add(bl, b);
	}
	js_set(o, "group", js_int(st->group));
	js_set(o, "state", row->err ? NULL : json_object_new_string(ictl_own_state_name(st->state)));
	js_set(o, "type", js_str(st->type));
	js_set(o, "devices", devs);
	js_set(o, "holders", hold);
	js_set(o, "blockers", bl);
	js_set(o, "journal", js_str(st->journal));
	js_set(o, "error", row->err ? cli_json_error_object(row->code, row->err, row->msg) : NULL);
	return o;
}

static const struct out_list_view status_view = {
	.key = "groups", .cols = status_columns, .json = status_json,
};

/*
 * One group's row.  A group asked for by name that cannot be read is the
 * command's error; in the listing of every group it is a row with its error
 * (counted in *bad), and the listing goes on.
 */
static int status_row(struct cli *cli, struct out_list *l, unsigned int id, bool one, bool *stop,
		      size_t *bad)
{
	struct status_row *row = calloc(1, sizeof(*row));
	int r;

	if (!row)
		return -ENOMEM;
	r = ictl_own_status_read(cli->ctx, id, &row->st);
	if (r < 0 && (one || r == -ENOMEM)) {
		free(row);
		return r;
	}
	if (r < 0) {
		memset(&row->st, 0, sizeof(row->st));
		row->st.group = id;
		row->err = r;
		row->code = cli_lib_exit_code(cli, r);
		snprintf(row->msg, sizeof(row->msg), "%s", ictl_strerror(cli->ctx));
		(*bad)++;
		if (!cli->json)
			cli_error_line(row->msg);
	}
	*stop = out_list_row(l, row);
	if (!row->err)
		ictl_own_status_clear(&row->st);
	free(row);
	return 0;
}

int cmd_status(struct cli *cli)
{
	struct ictl_group_list groups = { 0 };
	struct out_list *l;
	bool stop = false;
	unsigned int id;
	size_t bad = 0;
	int r, code;

	l = out_list_begin(cli, &status_view, &code);
	if (!l)
		return code;
	if (cli->argc) {
		r = ictl_own_resolve(cli->ctx, cli->argv[0], &id);
		if (!r)
			r = status_row(cli, l, id, true, &stop, &bad);
		return out_list_end(l, r);
	}
	r = ictl_groups_scan(cli->ctx, &groups);
	for (size_t i = 0; r >= 0 && i < groups.n && !stop; i++)
		r = status_row(cli, l, groups.v[i].id, false, &stop, &bad);
	ictl_group_list_clear(&groups);
	code = out_list_end(l, r < 0 ? r : 0);
	/* Every row is there, some with their error: a partial listing fails (iommuctl(8)). */
	return code ? code : bad ? EXIT_FAIL : 0;
}
