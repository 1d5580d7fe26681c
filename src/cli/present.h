/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library's objects as records: their JSON (schemas in iommuctl-json(7))
 * and the text the views share.  Every record is built from the library's C
 * structs; nothing here reads JSON back.
 */
#ifndef ICTL_PRESENT_H
#define ICTL_PRESENT_H

#include "output.h"

/* A device with its pci.ids names (looked up once, for JSON and text alike). */
struct device_rec {
	const struct ictl_device *d;
	struct ictl_pci_names names;
};
void device_rec_init(struct device_rec *r, struct ictl_ctx *ctx, const struct ictl_device *d);
json_object *present_device(const struct device_rec *r);
/* "vendor device", or "unknown device [vvvv:dddd]", or "platform device". */
const char *device_description(const struct device_rec *r, char *buf, size_t len);

#define GROUP_BLOCKERS_MAX 16

/* A group with its viability (the members on DMA-API drivers). */
struct group_rec {
	const struct ictl_group *g;
	const struct ictl_device_list *devs;
	size_t nblockers;		/* may exceed GROUP_BLOCKERS_MAX */
	struct ictl_blocker blockers[GROUP_BLOCKERS_MAX];
};
void group_rec_init(struct group_rec *r, const struct ictl_group *g,
		    const struct ictl_device_list *devs);
json_object *present_group(const struct group_rec *r);
/* The reason given for every blocker. */
extern const char blocker_reason[];
/* "device(driver),..." of up to n blockers; "" when none. */
const char *blockers_str(const struct ictl_blocker *b, size_t n, char *buf, size_t len);
/* "type:start-end,..." of a group's reserved regions; "" when none. */
const char *resv_str(const struct ictl_group *g, char *buf, size_t len);

/* A unit with the groups of the devices it serves, in numeric order. */
struct unit_rec {
	const struct ictl_unit *u;
	size_t ngroups;
	int *groups;
};
int unit_rec_init(struct unit_rec *r, const struct ictl_unit *u, const struct ictl_device_list *devs);
void unit_rec_clear(struct unit_rec *r);
json_object *present_unit(const struct unit_rec *r);

/* A member of a group as ownership sees it: the same object in claim, release and status. */
json_object *present_member(const struct ictl_own_member *m);

/* "a,b,c" of n names; "" when none. */
const char *join_names(const char (*names)[ICTL_NAME_MAX], size_t n, char *buf, size_t len);
/* snprintf at buf + *off, advancing *off and never past len. */
void buf_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
