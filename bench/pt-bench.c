// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page-table engine's speed, in one process so that the ratios compare
 * like with like: memcpy bandwidth on this machine now, then
 *   - check (pt validate's work): GB/s of page-table data read, and its
 *     ratio to memcpy (goal: >= 0.3);
 *   - build: 1 GiB of 4 KiB mappings (goal: < 1 s).
 * Usage: pt-bench [GiB of 4K mappings to validate, default 16]
 * Prints "name value unit" lines (bench/pt-bench reads them).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "pt.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of 9 copies of 256 MiB (larger than any cache): bytes per second. */
static double memcpy_bw(void)
{
	size_t n = 256u << 20;
	char *a = malloc(n), *b = malloc(n);
	double best = 0;

	memset(a, 1, n);
	memset(b, 2, n);
	for (int i = 0; i < 9; i++) {
		double t = now();

		memcpy(b, a, n);
		t = now() - t;
		if (n / t > best)
			best = (double)n / t;
		a[i] = b[n - 1 - i]; /* keep the copy alive */
	}
	free(a);
	free(b);
	return best;
}

static int build(struct ictl_ctx *ctx, const char *fmt, uint64_t bytes, uint64_t pages,
		 struct ictl_pt_image *img, struct ictl_pt_maps *maps, double *secs)
{
	static struct ictl_pt_map m;
	struct ictl_pt_cfg cfg;
	double t;
	int r;

	m = (struct ictl_pt_map){ .iova = 0,
				  .size = bytes,
				  .phys = 1ull << 40,
				  .perms = ICTL_PT_R | ICTL_PT_W,
				  .line = 1 };
	*maps = (struct ictl_pt_maps){ 1, &m };
	if (ictl_pt_cfg_parse(ctx, fmt, &cfg))
		return -1;
	t = now();
	r = ictl_pt_build(ctx, &cfg, pages, 0x100000, maps, img);
	*secs = now() - t;
	return r;
}

int main(int argc, char **argv)
{
	uint64_t gib = argc > 1 ? strtoull(argv[1], NULL, 0) : 16;
	struct ictl_ctx *ctx;
	struct ictl_pt_image img;
	struct ictl_pt_maps maps;
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_check_stats st;
	double bw = memcpy_bw(), t, best = 1e9;

	if (ictl_ctx_new(&ctx, NULL) < 0)
		return 1;
	printf("memcpy %.2f GB/s\n", bw / 1e9);

	/* build: 1 GiB of 4K pages, best of 3 */
	for (int i = 0; i < 3; i++) {
		if (build(ctx, "x86-64", 1ull << 30, 1ull << 12, &img, &maps, &t))
			return 1;
		if (t < best)
			best = t;
		if (i < 2)
			ictl_pt_image_clear(&img);
	}
	printf("build-1GiB-4K %.3f s (%" PRIu64 " leaves, goal < 1 s)\n", best, img.leaves);
	ictl_pt_image_clear(&img);

	/* check: gib GiB of 4K pages against the mapping, best of 9 (the machine is shared) */
	if (build(ctx, "x86-64", gib << 30, 1ull << 12, &img, &maps, &t))
		return 1;
	ictl_pt_image_src(&img, &span, &src);
	best = 1e9;
	for (int i = 0; i < 9; i++) {
		struct ictl_pt_check_opts o = { .cfg = &img.cfg,
						.src = &src,
						.root = img.root,
						.maps = &maps,
						.expect_pages = 1ull << 12 };

		t = now();
		if (ictl_pt_check(ctx, &o, NULL, NULL, &st) || st.findings)
			return 1;
		t = now() - t;
		if (t < best)
			best = t;
	}
	printf("validate %.2f GB/s (%" PRIu64 " bytes of tables, %" PRIu64 " entries in %.3f s)\n",
	       (double)st.bytes / best / 1e9, st.bytes, st.entries, best);
	printf("validate/memcpy %.2f (goal >= 0.3)\n", (double)st.bytes / best / bw);
	ictl_pt_image_clear(&img);
	ictl_ctx_free(ctx);
	return 0;
}
