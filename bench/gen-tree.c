// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen-tree DIR NGROUPS [PER_GROUP]: write a synthetic sysfs tree for
 * `iommuctl --sysroot DIR` and `lspci -A linux-sysfs -O sysfs.path=DIR/sys/bus/pci`
 * (see sysfs-tree.h for its shape).  DIR must not exist or be empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs-tree.h"

static unsigned int number(const char *s, const char *what, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > max) {
		fprintf(stderr, "gen-tree: %s '%s' must be a number from 1 to %u\n", what, s, max);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int ngroups, per_group = 4;
	int r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen-tree DIR NGROUPS [PER_GROUP]\n");
		return 2;
	}
	ngroups = number(argv[2], "NGROUPS", TREE_MAX_GROUPS);
	if (argc == 4)
		per_group = number(argv[3], "PER_GROUP", TREE_MAX_PER_GROUP);
	r = tree_write(argv[1], ngroups, per_group);
	if (r < 0) {
		fprintf(stderr, "gen-tree: writing %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	return 0;
}
