// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the reserved_regions parser (a group's
 * sys/kernel/iommu_groups/N/reserved_regions: "START END TYPE" in hex, a line
 * each): the bytes up to the first NUL are the file's text.  What parses must
 * hold: a region per non-empty line, each with a type, start <= end.  The
 * regions are freed (LeakSanitizer finds what is not).  Nothing is opened.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iommuctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ictl_ctx *ctx;
	struct ictl_resv_region *v = NULL;
	char *text = malloc(size + 1);
	size_t n = 0, lines = 0;

	if (!text || (!ctx && ictl_ctx_new(&ctx, "/") < 0))
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (ictl_parse_reserved_regions(ctx, text, &v, &n) == 0) {
		for (const char *p = text; *p;) {
			size_t len = strcspn(p, "\n");

			lines += len > 0;
			p += len + (p[len] == '\n');
		}
		if (n != lines)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (!v[i].kind[0] || !memchr(v[i].kind, '\0', sizeof(v[i].kind)))
				abort();
			if (v[i].start > v[i].end)
				abort();
		}
		free(v);
	}
	free(text);
	return 0;
}
