/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON data model of the library's objects; its schema is documented in iommuctl(8). */
#ifndef ICTL_PRESENT_H
#define ICTL_PRESENT_H

#include "output.h"

json_object *present_device(struct ictl_ctx *ctx, const struct ictl_device *d);
json_object *present_group(const struct ictl_group *g, const struct ictl_device_list *devs);
json_object *present_unit(const struct ictl_unit *u, const struct ictl_device_list *devs);
/* A report's "error" member: { message, code } of the library's error, or NULL when err >= 0. */
json_object *present_error(struct cli *cli, int err);
/* "vendor device" names of a device row, or its IDs when names are unknown. */
const char *fmt_device_description(json_object *row, char *buf, size_t len);

/* The length of a row's "devices" array. */
const char *fmt_device_count(json_object *row, char *buf, size_t len);

/* "a(b),a(b)" of the objects in a row's array key ("-" when empty); b may be NULL. */
const char *fmt_object_list(json_object *row, const char *key, const char *a, const char *b,
			    char *buf, size_t len);
/* A group's blockers: "device(driver),...". */
const char *fmt_blockers(json_object *row, char *buf, size_t len);

#endif
