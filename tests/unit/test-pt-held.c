// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt validate --held (src/lib/pt-held.c): the translations a held IOAS should
 * have, from the held set's mappings (their access and the holder's address,
 * src/lib/held-state.c) and the holder's pagemap, without a kernel: the
 * state file's mapping fields, pagemap entries to runs, a sysroot with a
 * /proc/PID/pagemap, and a check of a built table against them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-held.h"
#include "tap.h"
#include "tmptree.h"

static struct ictl_ctx *ctx;

#define HEAD "iommuctl-held 1\npid 4242\nstart 123456\niommufd 3\nobject ioas ram 1 - 0x0 -\n"

static void state_fields(void)
{
	static const char good[] = HEAD "mapping buf 1 0x100000 0x2000 rw 0x7f0000001000\n"
					"mapping ro 1 0x380000 0x1000 r -\n"
					"mapping wo 1 0x400000 0x1000 w 0x10000\n"
					"mapping old 1 0x500000 0x1000\nend\n";
	static const struct {
		const char *line, *want;
	} bad[] = {
		{ "mapping b 1 0x0 0x1000 rwx 0x1000\n",
		  "f:6: access: 'rwx' is not r, w, rw or -" },
		{ "mapping b 1 0x0 0x1000 x 0x1000\n", "f:6: access: 'x' is not r, w, rw or -" },
		{ "mapping b 1 0x0 0x1000 rw 0x1001\n",
		  "f:6: uaddr: 0x1001 is not the address of a page" },
		{ "mapping b 1 0x0 0x1000 rw 0x0\n",
		  "f:6: uaddr: 0x0 is not the address of a page" },
		{ "mapping b 1 0x0 0x1000 rw 4096\n", "f:6: uaddr: '4096' is not a hex number" },
		{ "mapping b 1 0x0 0x2000 rw 0xfffffffffffff000\n",
		  "f:6: uaddr: 0xfffffffffffff000: the memory would go past" },
		{ "mapping b 1 0x0 0x1000 rw\n",
		  "f:6: mapping: give 'mapping NAME IOAS IOVA LENGTH [ACCESS UADDR]'" },
		{ "mapping b 1 0x0 0x1000 rw 0x1000 x\n",
		  "f:6: mapping: give 'mapping NAME IOAS IOVA LENGTH [ACCESS UADDR]'" },
		{ "mapping b 1 0x0 0x1000 - \n", "f:6: line: an empty field" },
	};
	struct ictl_held h, back;
	char text[sizeof(good)], *again;

	memcpy(text, good, sizeof(good));
	ok(!ictl_held_parse(ctx, "f", text, strlen(text), &h),
	   "mappings with access and address: %s", ictl_strerror(ctx));
	ok(h.nmaps == 4 && h.maps[0].access == (ICTL_HELD_MAP_READ | ICTL_HELD_MAP_WRITE) &&
		   h.maps[0].uaddr == 0x7f0000001000 && h.maps[1].access == ICTL_HELD_MAP_READ &&
		   !h.maps[1].uaddr && h.maps[2].access == ICTL_HELD_MAP_WRITE &&
		   h.maps[2].uaddr == 0x10000 && !h.maps[3].access && !h.maps[3].uaddr,
	   "access r, w, rw; an address or '-'; a line of the old form has neither");
	again = ictl_held_format(&h);
	is_str(again, good, "formatted again: the same text (the old form stays old)");
	ok(again && !ictl_held_parse(ctx, "x", again, strlen(again), &back) && back.nmaps == 4 &&
		   back.maps[0].uaddr == h.maps[0].uaddr,
	   "and parsed again");
	free(again);
	ictl_held_clear(&back);
	ictl_held_clear(&h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[512];
		int r;

		snprintf(buf, sizeof(buf), HEAD "%send\n", bad[i].line);
		r = ictl_held_parse(ctx, "f", buf, strlen(buf), &h);
		ok(r == -EINVAL && !strncmp(ictl_strerror(ctx), bad[i].want, strlen(bad[i].want)),
		   "refused: %s (got '%s')", bad[i].want, ictl_strerror(ctx));
	}
}

#define P(pfn) (ICTL_PAGEMAP_PRESENT | (pfn))

static void runs(void)
{
	struct ictl_held_map m = { .name = "buf",
				   .ioas = 1,
				   .iova = 0x100000,
				   .length = 0x6000,
				   .access = ICTL_HELD_MAP_READ | ICTL_HELD_MAP_WRITE,
				   .uaddr = 0x10000 };
	/* pages 0-1 contiguous, 2 elsewhere, 3 not present, 4 swapped, 5 after 2 */
	uint64_t pm[] = {
		P(0x500), P(0x501), P(0x800), 0, ICTL_PAGEMAP_PRESENT | ICTL_PAGEMAP_SWAPPED | 7,
		P(0x801)
	};
	struct ictl_pt_held_stats st = { 0 };
	struct ictl_pt_maps out = { 0 };

	ok(!ictl_pt_held_add(ctx, &m, 1, 0, pm, 3, 4096, &out, &st) &&
		   !ictl_pt_held_add(ctx, &m, 1, 3, pm + 3, 3, 4096, &out, &st),
	   "six pages in two chunks");
	ok(out.n == 4, "four runs: 2 pages, 1, 2 unknown, 1 (got %zu)", out.n);
	ok(out.n == 4 && out.v[0].iova == 0x100000 && out.v[0].size == 0x2000 &&
		   out.v[0].phys == 0x500000 && out.v[0].perms == (ICTL_PT_R | ICTL_PT_W) &&
		   !out.v[0].any && out.v[0].name == m.name && out.v[0].line == 1,
	   "pages contiguous in both spaces are one run, with the access as permissions and the "
	   "name");
	ok(out.n == 4 && out.v[1].iova == 0x102000 && out.v[1].size == 0x1000 &&
		   out.v[1].phys == 0x800000,
	   "a page elsewhere starts a run");
	ok(out.n == 4 && out.v[2].iova == 0x103000 && out.v[2].size == 0x2000 &&
		   out.v[2].any == ICTL_PT_ANY_PHYS,
	   "a page not present and a swapped one: one run whose physical address is open");
	ok(out.n == 4 && out.v[3].iova == 0x105000 && out.v[3].phys == 0x801000,
	   "the next known page does not continue a run of unknown ones");
	ok(st.pages == 4 && st.unknown == 2, "4 pages known, 2 not");
	ictl_pt_maps_clear(&out);

	m.uaddr = 0;
	m.access = 0;
	memset(&st, 0, sizeof(st));
	ok(!ictl_pt_held_add(ctx, &m, 2, 0, NULL, 0, 4096, &out, &st) && out.n == 1 &&
		   out.v[0].size == 0x6000 &&
		   out.v[0].any == (ICTL_PT_ANY_PHYS | ICTL_PT_ANY_PERMS) && st.unknown == 6,
	   "no address, no access: the whole mapping, only its presence checked");
	ictl_pt_maps_clear(&out);

	pm[0] = ICTL_PAGEMAP_PRESENT;
	ok(ictl_pt_held_add(ctx, &m, 1, 0, pm, 1, 4096, &out, &st) == -EPERM &&
		   strstr(ictl_strerror(ctx), "needs root"),
	   "a present page without a frame number (not root): refused, saying why");
	ictl_pt_maps_clear(&out);
}

static struct ictl_pt_finding found[8];
static size_t nfound;

static int collect(void *priv, const struct ictl_pt_finding *f)
{
	(void)priv;
	if (nfound < 8)
		found[nfound++] = *f;
	return 0;
}

/* A sysroot with the holder's pagemap; a table built for what the kernel "did". */
static void sysroot(void)
{
	static const char state[] = HEAD "object ioas other 2 - 0x0 -\n"
					 "mapping buf 1 0x100000 0x2000 rw 0x10000\n"
					 "mapping ro 1 0x380000 0x1000 r 0x20000\n"
					 "mapping gone 1 0x500000 0x1000 rw -\n"
					 "mapping x 2 0x0 0x1000 rw 0x20000\nend\n";
	char root[PATH_MAX], path[PATH_MAX + 32], text[sizeof(state)];
	uint64_t pm[0x21] = { 0 };
	struct ictl_held h;
	struct ictl_pt_maps want = { 0 }, kern = { 0 };
	struct ictl_pt_held_stats st;
	struct ictl_pt_image img = { 0 };
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	struct ictl_pt_cfg cfg;
	struct ictl_ctx *sctx;
	FILE *f;
	int r;

	if (tree_new(root, sizeof(root)) < 0 || tree_file(root, "proc/4242/stat", "x") < 0) {
		ok(0, "a sysroot");
		return;
	}
	pm[0x10] = P(0x5000);
	pm[0x11] = P(0x5001);
	pm[0x20] = P(0x6000);
	snprintf(path, sizeof(path), "%s/proc/4242/pagemap", root);
	f = fopen(path, "w");
	ok(f && fwrite(pm, sizeof(pm), 1, f) == 1 && !fclose(f), "the holder's pagemap");
	if (ictl_ctx_new(&sctx, root) < 0) {
		ok(0, "a context on %s", root);
		tree_remove(root);
		return;
	}
	memcpy(text, state, sizeof(state));
	r = ictl_held_parse(sctx, "held-4242.state", text, strlen(text), &h);
	ok(!r, "the held set");
	r = r ?: ictl_pt_held_maps(sctx, &h, 1, &want, &st);
	ok(!r && want.n == 3 && st.maps == 3 && st.pages == 3 && st.unknown == 1,
	   "ioas 1: 3 mappings, 3 pages known, one mapping without an address (%s)",
	   ictl_strerror(sctx));
	ok(!r && want.v[0].phys == 0x5000000 && want.v[0].size == 0x2000 &&
		   want.v[1].phys == 0x6000000 && want.v[1].perms == ICTL_PT_R &&
		   want.v[2].any == ICTL_PT_ANY_PHYS,
	   "from the pagemap: buf's two pages are one run, ro is read-only, gone is open");

	/* what the kernel "did": buf's second page elsewhere, ro writable, gone not mapped */
	ictl_pt_cfg_parse(sctx, "x86-64", &cfg);
	kern.n = 2;
	kern.v = calloc(2, sizeof(*kern.v));
	kern.v[0] = (struct ictl_pt_map){ .iova = 0x100000,
					  .size = 0x2000,
					  .phys = 0x5000000,
					  .perms = ICTL_PT_R | ICTL_PT_W | ICTL_PT_X };
	kern.v[1] = (struct ictl_pt_map){ .iova = 0x380000,
					  .size = 0x1000,
					  .phys = 0x6000000,
					  .perms = ICTL_PT_R | ICTL_PT_W | ICTL_PT_X };
	if (!r && !ictl_pt_build(sctx, &cfg, 0, 0x1000000, &kern, &img)) {
		struct ictl_pt_check_stats cs;
		struct ictl_pt_check_opts co = { .cfg = &cfg,
						 .src = &src,
						 .root = img.root,
						 .maps = &want,
						 .ignore_perms = ICTL_PT_X | ICTL_PT_PRIV };

		ictl_pt_image_src(&img, &span, &src);
		/* buf's second page: say the holder's page is another one */
		want.v[0].size = 0x1000;
		ictl_pt_maps_clear(&kern);
		r = ictl_pt_check(sctx, &co, collect, NULL, &cs);
		ok(!r && nfound == 3, "three findings (got %zu)", nfound);
		ok(nfound == 3 && found[0].rule == ICTL_PT_RULE_EXTRA && found[0].iova == 0x101000,
		   "the page outside buf's (shortened) run is extra");
		ok(nfound == 3 && found[1].rule == ICTL_PT_RULE_PERMS &&
			   found[1].iova == 0x380000 &&
			   !strcmp(found[1].msg, "IOVA 0x380000-0x380fff (4K) of mapping 'ro' is "
						 "mapped rw-, not r--"),
		   "ro mapped writable: named by the mapping, X not compared (%s)", found[1].msg);
		ok(nfound == 3 && found[2].rule == ICTL_PT_RULE_MISSING &&
			   found[2].iova == 0x500000 && !strcmp(found[2].name, "gone"),
		   "gone is missing, though its physical address is open");
		ictl_pt_image_clear(&img);
	} else {
		ok(0, "a table built");
	}
	ictl_pt_maps_clear(&want);
	ictl_pt_maps_clear(&kern);
	r = ictl_pt_held_maps(sctx, &h, 9, &want, &st);
	ok(r == -ENOENT && strstr(ictl_strerror(sctx), "the IOAS #9 has no mapping"),
	   "an IOAS without mappings: ENOENT");
	h.pid = 4343;
	r = ictl_pt_held_maps(sctx, &h, 1, &want, &st);
	ok(r == -ESRCH && strstr(ictl_strerror(sctx), "holder 4343 is gone"), "no pagemap: ESRCH");
	ictl_held_clear(&h);
	ictl_ctx_free(sctx);
	tree_remove(root);
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	state_fields();
	runs();
	sysroot();
	ictl_ctx_free(ctx);
	return done_testing();
}
