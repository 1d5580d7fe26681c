// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of what 'iommuctl held' parses from its environment: the
 * bytes up to the first NUL are a "name=value ..." list (IOMMUCTL_OBJECTS), the
 * rest a name to look up in it; and the bytes as a dirty bitmap, walked into
 * ranges.  Nothing is opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = malloc(size + 1), *name;
	struct ictl_dirty d = { 0 };
	uint64_t *bm, v;
	size_t words = size / 8;

	if (!list)
		return 0;
	memcpy(list, data, size);
	list[size] = '\0';
	name = list + strlen(list);
	name = name < list + size ? name + 1 : name;
	ictl_held_lookup(list, name, &v);
	ictl_held_lookup(list, "a", &v);
	free(list);
	bm = calloc(words + 1, sizeof(*bm));
	if (!bm)
		return 0;
	memcpy(bm, data, words * 8);
	if (!ictl_dirty_ranges(bm, words * 64, 0x1000, 4096, &d)) {
		uint64_t n = 0;

		for (size_t i = 0; i < d.n; i++) {
			if (d.v[i].start > d.v[i].last || d.v[i].pages == 0)
				abort();
			n += d.v[i].pages;
		}
		if (n != d.dirty)
			abort();
	}
	ictl_dirty_clear(&d);
	free(bm);
	return 0;
}
