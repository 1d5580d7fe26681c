// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib-groups ROOT: the library's share of `iommuctl --sysroot ROOT groups --json`:
 * the same calls (a snapshot context, ictl_groups_scan, ictl_devices_scan, each
 * member found with ictl_device_find, the blockers of each group) and nothing
 * of the output layer.  Prints the counts, so the work cannot be skipped.
 */
#include <stdio.h>

#include "iommuctl.h"

int main(int argc, char **argv)
{
	struct ictl_group_list groups;
	struct ictl_device_list devs;
	struct ictl_blocker b[16];
	struct ictl_ctx *ctx;
	size_t found = 0, blocked = 0;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: lib-groups ROOT\n");
		return 2;
	}
	r = ictl_ctx_new(&ctx, argv[1]);
	if (r < 0)
		goto fail;
	ictl_ctx_snapshot(ctx, true);
	r = ictl_groups_scan(ctx, &groups);
	if (r < 0)
		goto fail;
	r = ictl_devices_scan(ctx, &devs);
	if (r < 0) {
		ictl_group_list_clear(&groups);
		goto fail;
	}
	for (size_t i = 0; i < groups.n; i++) {
		for (size_t k = 0; k < groups.v[i].ndevices; k++)
			found += ictl_device_find(&devs, groups.v[i].devices[k]) != NULL;
		blocked += ictl_group_blockers(&groups.v[i], &devs, b, 16) > 0;
	}
	printf("%zu groups, %zu devices, %zu members found, %zu groups not viable\n", groups.n,
	       devs.n, found, blocked);
	ictl_device_list_clear(&devs);
	ictl_group_list_clear(&groups);
	ictl_ctx_free(ctx);
	return 0;
fail:
	fprintf(stderr, "lib-groups: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
	ictl_ctx_free(ctx);
	return 1;
}
