// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: a mapping file.  What the parser accepts is built into
 * tables in every format (when it is small enough to build quickly) and the
 * tables are checked against it: a build that succeeds must check clean.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char *const formats[] = { "x86-64", "vtd-ss,levels=3", "amd-v1,levels=6",
				       "arm-lpae-s1,granule=16K" };

static int fail(void *priv, const struct ictl_pt_finding *f)
{
	(void)priv, (void)f;
	abort(); /* what was built from the mappings must hold them */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ictl_ctx *ctx;
	struct ictl_pt_maps maps;
	uint64_t pages = 0;

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	if (ictl_pt_maps_parse(ctx, "fuzz", (const char *)data, len, &maps))
		return 0;
	for (size_t i = 0; i < maps.n; i++)
		pages += maps.v[i].size >> 12;
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]) && pages < 65536; f++) {
		struct ictl_pt_cfg cfg;
		struct ictl_pt_image img;
		struct ictl_pt_span span;
		struct ictl_pt_src src;
		struct ictl_pt_check_stats st;

		if (ictl_pt_cfg_parse(ctx, formats[f], &cfg) ||
		    ictl_pt_build(ctx, &cfg, 0, 0x100000, &maps, &img))
			continue;
		ictl_pt_image_src(&img, &span, &src);
		{
			struct ictl_pt_check_opts o = { .cfg = &cfg,
							.src = &src,
							.root = img.root,
							.maps = &maps,
							.expect_pages = img.page_sizes };

			ictl_pt_check(ctx, &o, fail, NULL, &st);
		}
		ictl_pt_image_clear(&img);
	}
	ictl_pt_maps_clear(&maps);
	return 0;
}
