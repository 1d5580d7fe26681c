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

int cmd_help(struct cli *cli);
int cmd_completion(struct cli *cli);

/* Shared by commands that list devices: scan, and say why on failure. */
int cmds_scan_devices(struct cli *cli, struct ictl_device_list *devs);

#endif
