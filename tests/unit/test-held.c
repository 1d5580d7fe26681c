// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * held (src/lib/held.c): the names apply hands over, and dirty bitmaps as
 * ranges, without a kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"
#include "tap.h"

static void lookup(void)
{
	const char *objs = "m0=3 guest-ram=1 s2=6 s=7 bad=x big=0x1000000 neg=-1 e=";
	uint64_t v = 0;

	ok(!ictl_held_lookup(objs, "guest-ram", &v) && v == 1, "a name in the middle");
	ok(!ictl_held_lookup(objs, "s", &v) && v == 7, "a name that prefixes another (s2) is its own");
	ok(!ictl_held_lookup(objs, "m0", &v) && v == 3, "the first name");
	ok(!ictl_held_lookup(objs, "big", &v) && v == 0x1000000, "hex values");
	is_int(ictl_held_lookup(objs, "guest", &v), -ENOENT, "a prefix of a name is not that name");
	is_int(ictl_held_lookup(objs, "bad", &v), -EINVAL, "a value that is no number");
	is_int(ictl_held_lookup(objs, "neg", &v), -EINVAL, "a negative value");
	is_int(ictl_held_lookup(objs, "e", &v), -EINVAL, "an empty value");
	is_int(ictl_held_lookup(NULL, "m0", &v), -ENOENT, "no list at all");
	is_int(ictl_held_lookup("", "m0", &v), -ENOENT, "an empty list");
}

static void ranges(void)
{
	uint64_t bm[4] = { 0 };
	struct ictl_dirty d = { 0 };

	/* pages 0-2, 10, 63-65 (across a word), 255 (the last) */
	bm[0] = 0x7 | 1ULL << 10 | 1ULL << 63;
	bm[1] = 0x3;
	bm[3] = 1ULL << 63;
	ok(!ictl_dirty_ranges(bm, 256, 0x1000000, 4096, &d), "ranges of a bitmap");
	is_int((long long)d.n, 4, "four runs");
	is_int((long long)d.dirty, 3 + 1 + 3 + 1, "eight dirty pages");
	ok(d.n == 4 && d.v[0].start == 0x1000000 && d.v[0].last == 0x1002fff && d.v[0].pages == 3,
	   "the first run: pages 0-2");
	ok(d.n == 4 && d.v[2].start == 0x1000000 + 63 * 4096 && d.v[2].pages == 3,
	   "a run across two words of the bitmap");
	ok(d.n == 4 && d.v[3].last == 0x1000000 + 256 * 4096 - 1, "a run that ends with the bitmap");
	ictl_dirty_clear(&d);

	memset(bm, 0xff, sizeof(bm));
	ok(!ictl_dirty_ranges(bm, 200, 0, 2 << 20, &d) && d.n == 1 && d.dirty == 200 &&
		   d.v[0].last == 200ULL * (2 << 20) - 1,
	   "bits past nbits are not read: one run of 200 2M pages");
	ictl_dirty_clear(&d);
	memset(bm, 0, sizeof(bm));
	ok(!ictl_dirty_ranges(bm, 256, 0, 4096, &d) && d.n == 0 && d.dirty == 0, "a clean bitmap");
	ictl_dirty_clear(&d);
}

int main(void)
{
	lookup();
	ranges();
	return done_testing();
}
