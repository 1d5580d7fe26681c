// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the IORT parser (src/lib/iort.c): the bytes as an ACPI
 * IORT.  What it accepts must hold together: at most ICTL_IORT_MAX_RC root
 * complexes, each found again by its segment.  Nothing is opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "iort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ictl_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_iort t;

	if (!ctx && ictl_ctx_new(&ctx, "/") < 0)
		abort();
	if (ictl_iort_parse(ctx, data, size, &t) < 0)
		return 0;
	if (t.nrc > ICTL_IORT_MAX_RC)
		abort();
	for (size_t i = 0; i < t.nrc; i++) {
		const struct ictl_iort_rc *rc = ictl_iort_rc_find(&t, t.rc[i].segment);

		if (!rc || rc->segment != t.rc[i].segment || rc > &t.rc[i])
			abort();
	}
	return 0;
}
