/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What each command file gives the command table in src/cli/commands.c. */
#ifndef ICTL_CMDS_H
#define ICTL_CMDS_H

#include "../cli/output.h"
#include "../cli/present.h"

int cmd_groups(struct cli *cli);
extern const struct argp_option groups_options[];
error_t groups_parse(int key, char *arg, struct argp_state *state);
struct groups_opts {
	bool tree;
};
extern const struct out_col groups_columns[];

int cmd_devices(struct cli *cli);
extern const struct out_col devices_columns[];

int cmd_iommus(struct cli *cli);
extern const struct out_col iommus_columns[];

int cmd_show(struct cli *cli);
int cmd_hw_info(struct cli *cli);
extern const struct argp_option hw_info_options[];
error_t hw_info_parse(int key, char *arg, struct argp_state *state);
struct hw_info_opts {
	const char *raw, *type;
	bool sysfs;
};
int cmd_explain(struct cli *cli);
int cmd_caps(struct cli *cli);
extern const struct argp_option caps_options[];
error_t caps_parse(int key, char *arg, struct argp_state *state);
struct caps_opts {
	bool sysfs;
};
extern const struct out_col caps_columns[];

/* DMA ownership: claim, release, status, recover. */
int cmd_claim(struct cli *cli);
extern const struct argp_option claim_options[];
error_t claim_parse(int key, char *arg, struct argp_state *state);
struct claim_opts {
	const char *driver;
	bool dry_run, force, hold, bind, legacy, persisted;
};
int cmd_release(struct cli *cli);
extern const struct argp_option release_options[];
error_t release_parse(int key, char *arg, struct argp_state *state);
struct release_opts {
	bool dry_run;
};
int cmd_status(struct cli *cli);
extern const struct out_col status_columns[];
int cmd_recover(struct cli *cli);
int cmd_persist(struct cli *cli);
extern const struct argp_option persist_options[];
error_t persist_parse(int key, char *arg, struct argp_state *state);
struct persist_opts {
	bool remove, list, dry_run;
};
extern const struct out_col persist_columns[];
/* Print a claim or release plan and its outcome; returns the exit code for err. */
int own_report(struct cli *cli, const struct ictl_own_plan *p, bool dry_run, int err);

int cmd_monitor(struct cli *cli);
extern const struct argp_option monitor_options[];
error_t monitor_parse(int key, char *arg, struct argp_state *state);
struct monitor_opts {
	bool kernel;
};

/* Is this host ready for passthrough (doctor.c). */
int cmd_doctor(struct cli *cli);
extern const struct argp_option doctor_options[];
error_t doctor_parse(int key, char *arg, struct argp_state *state);
struct doctor_opts {
	const char *memory, *user, *spec;
};

/* Specs: apply --check (the rest of apply comes with the iommufd session). */
int cmd_apply(struct cli *cli);
struct ictl_spec;
/* Make what a checked spec describes (apply-run.c); the exit code. */
int apply_run(struct cli *cli, const struct ictl_spec *s, const char *file, bool dry_run,
	      bool hold);
extern const struct argp_option apply_options[];
error_t apply_parse(int key, char *arg, struct argp_state *state);
struct apply_opts {
	bool check, dry_run, hold;
	const char *hw_info, *type;
};

/* Acting on an iommufd handed over by apply -- COMMAND, or a holder's (held*.c). */
int cmd_held(struct cli *cli);
int cmd_held_list(struct cli *cli);
int cmd_held_objects(struct cli *cli);
int cmd_held_dirty(struct cli *cli);
int cmd_held_unmap(struct cli *cli);
int cmd_held_events(struct cli *cli);
int cmd_held_respond(struct cli *cli);
int cmd_held_invalidate(struct cli *cli);
int cmd_held_map(struct cli *cli);
int cmd_held_copy(struct cli *cli);
extern const struct argp_option held_options[], held_dirty_options[], held_events_options[],
	held_respond_options[], held_invalidate_options[], held_map_options[], held_copy_options[];
error_t held_parse(int key, char *arg, struct argp_state *state);
struct held_opts {
	const char *pid;
	const char *page_size;
	bool enable, keep;
	const char *count, *timeout;	/* events */
	const char *cookie, *code;	/* respond */
	const char *type;		/* invalidate */
	const char *iova, *memory, *file, *offset, *access, *name;	/* map, copy */
};

int cmd_help(struct cli *cli);
int cmd_completion(struct cli *cli);

/* IO page tables: pt build, dump, validate, diff. */
#include "pt-cmds.h"

/* Shared by commands that list devices: scan, and say why on failure. */
int cmds_scan_devices(struct cli *cli, struct ictl_device_list *devs);
/*
 * Rows a listing kept with their error (ictl_row_error), for devices and groups
 * (devices.c): a device row's error, its JSON element with its "error" member, its
 * names left out; and one more bad row counted, its message on stderr in text mode.
 */
#define DEV_ERROR(rec) (((const struct device_rec *)(rec))->d->error)
json_object *device_row_json(const void *rec);
void device_row_init(struct device_rec *rec, struct ictl_ctx *ctx, const struct ictl_device *d);
void cmds_row_error(struct cli *cli, const struct ictl_row_error *e, size_t *bad);

#endif
