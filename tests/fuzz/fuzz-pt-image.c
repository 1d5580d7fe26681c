// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: an image file as iommuctl reads it.  The header parser
 * (ictl_pt_image_parse) gets the bytes; when it accepts them, the table
 * memory that follows is walked as a tree and as ranges, and checked, as
 * pt dump and pt validate would: a hostile image must end every walk,
 * bounded, without touching memory outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int count(void *priv, const struct ictl_pt_finding *f)
{
	(void)f;
	++*(uint64_t *)priv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ictl_ctx *ctx;
	struct ictl_pt_image img;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_walk w;
	struct ictl_pt_event ev;
	struct ictl_pt_check_stats st;
	uint64_t n = 0;
	uint8_t *copy;

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	/* The parser reads a header of exactly 4096 bytes: give it a copy of that size. */
	if (len < ICTL_PT_HEADER_SIZE || len > (1u << 20))
		return 0;
	copy = malloc(len);
	memcpy(copy, data, len);
	if (ictl_pt_image_parse(ctx, "fuzz", copy, ICTL_PT_HEADER_SIZE, len, &img) == 0) {
		struct ictl_pt_check_opts o = { .cfg = &img.cfg, .src = &src, .root = img.root };

		span = (struct ictl_pt_span){ img.base, copy + ICTL_PT_HEADER_SIZE,
					      len - ICTL_PT_HEADER_SIZE };
		src = (struct ictl_pt_src){ ictl_pt_span_read, &span, "fuzz" };
		if (!ictl_pt_walk_init(&w, &img.cfg, &src, img.root, ICTL_PT_WALK_TREE)) {
			while (ictl_pt_walk_next(&w, &ev) > 0)
				n++;
			ictl_pt_walk_free(&w);
		}
		ictl_pt_check(ctx, &o, count, &n, &st);
	}
	free(copy);
	return 0;
}
