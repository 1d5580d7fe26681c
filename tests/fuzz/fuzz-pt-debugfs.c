// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: a domain_translation_struct dump of Intel's debugfs
 * (pt-debugfs.c).  The first byte picks the size of the chunks the text is
 * fed in (the parser keeps a partial line between them) and a --format; what
 * the parser accepts is walked as a table, its translations merged into
 * ranges and checked against no mappings (every leaf a finding): walks over
 * memory that holds only the dump's entries (zero elsewhere; one address may
 * be a table at two levels) must neither crash nor loop.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static const char *const formats[] = { NULL, "x86-64", "vtd-ss", "x86-64,levels=5" };

static int finding(void *priv, const struct ictl_pt_finding *f)
{
	(void)f;
	++*(uint64_t *)priv;
	return 0;
}

static void walk(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d)
{
	struct ictl_pt_src src = { ictl_pt_dbgfs_read, d, "fuzz" };
	struct ictl_pt_ranges r;
	struct ictl_pt_range x;
	struct ictl_pt_maps none = { 0 };
	struct ictl_pt_check_stats st;
	struct ictl_pt_check_opts o = {
		.cfg = &d->cfg, .src = &src, .root = d->root, .maps = &none
	};
	uint64_t n = 0;

	if (ictl_pt_ranges_init(&r, &d->cfg, &src, d->root) == 0) {
		while (ictl_pt_ranges_next(&r, &x) == 1)
			n += x.pages;
		ictl_pt_ranges_free(&r);
	}
	ictl_pt_check(ctx, &o, finding, &n, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ictl_ctx *ctx;
	struct ictl_pt_dbgfs d;
	size_t chunk;
	int r = 0;

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	if (!len)
		return 0;
	chunk = (data[0] & 0x3f) + 1;
	ictl_pt_dbgfs_init(&d, "fuzz", formats[(data[0] >> 6) & 3]);
	for (size_t i = 1; i < len && !r; i += chunk)
		r = ictl_pt_dbgfs_feed(ctx, &d, (const char *)data + i,
				       len - i < chunk ? len - i : chunk);
	if (!r)
		r = ictl_pt_dbgfs_end(ctx, &d);
	if (!r)
		walk(ctx, &d);
	ictl_pt_dbgfs_clear(&d);
	return 0;
}
