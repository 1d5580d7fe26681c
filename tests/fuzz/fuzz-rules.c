// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the persisted udev rule check (src/lib/persist.c): the
 * bytes are the text of 61-iommuctl-0000:02:00.0.rules.  A file without a
 * problem has a header for that device and a group in range.  Nothing is opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_persist_entry e = { .device = "0000:02:00.0" };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	persist_rule_check(text, size, "/usr/sbin/iommuctl", &e);
	if (strnlen(e.run, sizeof(e.run)) == sizeof(e.run) ||
	    strnlen(e.problem, sizeof(e.problem)) == sizeof(e.problem))
		abort();
	if (!e.problem[0] && (e.group < 0 || !e.driver[0] || memchr(text, '\0', size)))
		abort();
	free(text);
	return 0;
}
