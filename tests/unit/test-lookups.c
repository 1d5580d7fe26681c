// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lookups (ictl_device_find, ictl_group_find, ictl_unit_find): every name found,
 * names that are not there not found, lists in natural order; array_push growth.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>

#include "internal.h"
#include "tap.h"
#include "tree.h"

#define NGROUPS 40	/* buses 01 and 02: names from 0000:01:00.0 to 0000:02:07.3 */

static uint64_t key(const struct ictl_device *d)
{
	return (uint64_t)d->addr.domain << 16 | d->addr.bus << 8 | d->addr.dev << 3 | d->addr.fn;
}

static void devices(struct ictl_ctx *ctx)
{
	static const char *const absent[] = { "0000:01:00.4", "0000:00:00.0", "0000:03:00.0",
					      "01:00.0", "0000:01:00.00", "", "a2.dev",
					      "platform", "0001:01:00.0" };
	static const char *const platform_order[] = { "a1.dev", "a2.dev0", "a9.dev", "a10.dev",
						      "b0.dev" };
	struct ictl_device_list l;
	bool all = true, ordered = true;
	char name[16];

	if (!is_int(ictl_devices_scan(ctx, &l), 0, "the devices of the tree are scanned"))
		return;
	is_int((long long)l.n, NGROUPS * 4 + 5, "  ...%d PCI functions and 5 platform devices",
	       NGROUPS * 4);
	for (unsigned int g = 0; g < NGROUPS; g++) {
		for (unsigned int fn = 0; fn < 4; fn++) {
			const struct ictl_device *d;

			tree_device_name(g, fn, name);
			d = ictl_device_find(&l, name);
			all &= d && !strcmp(d->name, name) && d->group == (int)g;
		}
	}
	ok(all, "every PCI function is found by its name, with its group");
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		ok(!ictl_device_find(&l, absent[i]), "'%s' is not found", absent[i]);
	for (size_t i = 0; i + 1 < NGROUPS * 4; i++)
		ordered &= l.v[i].is_pci && key(&l.v[i]) < key(&l.v[i + 1]);
	ok(ordered, "PCI devices come first, by address (0000:01:1f.3 before 0000:02:00.0)");
	for (size_t i = 0; i < ARRAY_SIZE(platform_order); i++) {
		const struct ictl_device *d = ictl_device_find(&l, platform_order[i]);

		is_str(l.v[NGROUPS * 4 + i].name, platform_order[i],
		       "platform device %zu in natural order is %s", i, platform_order[i]);
		ok(d == &l.v[NGROUPS * 4 + i], "  ...and is found there");
	}
	ictl_device_list_clear(&l);
	l = (struct ictl_device_list){ 0 };
	ok(!ictl_device_find(&l, "0000:01:00.0"), "nothing is found in an empty list");
}

static void groups(struct ictl_ctx *ctx)
{
	struct ictl_group_list l;
	bool all = true, ordered = true;

	if (!is_int(ictl_groups_scan(ctx, &l), 0, "the groups of the tree are scanned"))
		return;
	is_int((long long)l.n, NGROUPS + 1, "  ...all %d of them", NGROUPS + 1);
	for (size_t i = 0; i + 1 < l.n; i++)
		ordered &= l.v[i].id < l.v[i + 1].id;
	ok(ordered, "groups are in numeric order (9 before 10, 39 before 100)");
	for (unsigned int g = 0; g < NGROUPS; g++) {
		const struct ictl_group *x = ictl_group_find(&l, g);

		all &= x && x->id == g && x->ndevices == 4;
	}
	ok(all, "every group is found by its number");
	ok(ictl_group_find(&l, 100) && ictl_group_find(&l, 100)->ndevices == 5,
	   "the platform group 100 is found, with its 5 devices");
	ok(!ictl_group_find(&l, NGROUPS), "group %d is not found", NGROUPS);
	ok(!ictl_group_find(&l, 99) && !ictl_group_find(&l, 101) && !ictl_group_find(&l, UINT32_MAX),
	   "groups 99, 101 and 2^32-1 are not found");
	ictl_group_list_clear(&l);
}

static void units(struct ictl_ctx *ctx)
{
	struct ictl_unit_list l;

	if (!is_int(ictl_units_scan(ctx, &l), 0, "the units of the tree are scanned"))
		return;
	ok(l.n == 1 && ictl_unit_find(&l, "dmar0") == &l.v[0], "unit dmar0 is found");
	ok(!ictl_unit_find(&l, "dmar1") && !ictl_unit_find(&l, "dmar") && !ictl_unit_find(&l, ""),
	   "dmar1, dmar and '' are not found");
	ictl_unit_list_clear(&l);
}

static void natural_order(void)
{
	ok(name_cmp("9", "10") < 0 && name_cmp("10", "9") > 0, "name_cmp: 9 before 10");
	ok(name_cmp("a9.dev", "a10.dev") < 0, "name_cmp: a9.dev before a10.dev");
	ok(name_cmp("a10", "b0") < 0, "name_cmp: a10 before b0");
	is_int(name_cmp("a01", "a1"), 0, "name_cmp: a01 and a1 are equal (sysfs_list breaks the tie)");
}

static size_t pow2(size_t n)
{
	size_t c = 1;

	while (c < n)
		c <<= 1;
	return c;
}

static void growth(void)
{
	uint32_t *v = NULL;
	size_t n = 0, roomy = 0, kept = 0;

	for (uint32_t i = 0; i < 5000; i++) {
		uint32_t *slot = array_push(&v, &n, sizeof(*v));

		if (!slot)
			break;
		*slot = i * 7;
		roomy += malloc_usable_size(v) >= pow2(n) * sizeof(*v);
	}
	is_int((long long)n, 5000, "5000 pushes give 5000 elements");
	for (uint32_t i = 0; i < n; i++)
		kept += v[i] == i * 7;
	is_int((long long)kept, 5000, "  ...each one kept through every reallocation");
	is_int((long long)roomy, 5000,
	       "  ...with room for the next power of two of the count after every push (geometric)");
	n = 3; /* lowering the count is allowed, and the array grows again from there */
	ok(array_push(&v, &n, sizeof(*v)) == &v[3] && n == 4 && v[3] == 0,
	   "after lowering the count, a push gives a zeroed slot at the new end");
	free(v);

	v = array_alloc(5, sizeof(*v));
	n = 5;
	ok(v && malloc_usable_size(v) >= 8 * sizeof(*v), "array_alloc(5) makes room for 8");
	for (int i = 0; v && i < 4; i++)
		array_push(&v, &n, sizeof(*v));
	ok(v && n == 9 && v[8] == 0, "  ...and array_push grows it from there");
	free(v);

	v = NULL;
	n = 1;
	ok(!array_push(&v, &n, SIZE_MAX / 2 + 1) && n == 1 && !v,
	   "a size that overflows is refused, and the array is unchanged");
}

int main(void)
{
	static const char *const plat[] = { "b0.dev", "a10.dev", "a2.dev0", "a9.dev", "a1.dev" };
	char dir[256];
	struct ictl_ctx *ctx = NULL;

	natural_order();
	growth();
	if (!tree_tmpdir(dir, sizeof(dir)) || tree_write(dir, NGROUPS, 4) < 0 ||
	    tree_add_platform(dir, 100, plat, ARRAY_SIZE(plat)) < 0) {
		printf("# cannot write a test tree under $TMPDIR\n");
		ok(false, "a test tree is written");
		return done_testing();
	}
	if (!is_int(ictl_ctx_new(&ctx, dir), 0, "a context on the generated tree")) {
		ictl_ctx_free(ctx);
		tree_remove(dir);
		return done_testing();
	}
	devices(ctx);
	groups(ctx);
	units(ctx);
	ictl_ctx_free(ctx);
	tree_remove(dir);
	return done_testing();
}
