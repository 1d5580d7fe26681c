// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * held (src/lib/held*.c): the names apply hands over, dirty bitmaps as
 * ranges, and the held set's state file (format, strict parse), without a
 * kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

#define HEAD "iommuctl-held 1\npid 4242\nstart 123456\niommufd 3\n"
#define GOOD HEAD "group 11\ngroup 3\nobject mock_device m0 4 - 0x0 2\nobject ioas ram 1 - 0x0 -\nobject veventq ev 5 7 0xbeefbeef -\nobject hwpt_paging - 6 - 0x0 -\n" \
	"mapping buf 1 0x1000000 0x200000\nmapping - 1 0x0 0x1000\nend\n"

static void state_roundtrip(struct ictl_ctx *ctx)
{
	char text[] = GOOD;
	struct ictl_held h, back;
	char *again;

	ok(!ictl_held_parse(ctx, "held-4242.state", text, strlen(text), &h), "a good state file: %s",
	   ictl_strerror(ctx));
	ok(h.pid == 4242 && h.start == 123456 && h.iommufd == 3, "pid, start time, iommufd");
	ok(h.ngroups == 2 && h.groups[0] == 11 && h.groups[1] == 3, "the groups it claimed");
	ok(h.nobjs == 4 && h.objs[2].kind == ICTL_OBJ_VEVENTQ && h.objs[2].fd == 7 &&
		   !strcmp(h.objs[2].name, "ev") && h.objs[1].fd == -1 && !h.objs[3].name[0] &&
		   h.objs[2].type == 0xbeefbeef && h.objs[1].type == 0 && !h.objs[1].dev_id &&
		   h.objs[0].kind == ICTL_OBJ_MOCK_DEV && h.objs[0].id == 4 && h.objs[0].dev_id == 2,
	   "the objects: kind, name ('-' none), id, fd, type, device id");
	ok(h.nmaps == 2 && h.maps[0].ioas == 1 && h.maps[0].iova == 0x1000000 &&
		   h.maps[0].length == 0x200000, "the mappings");
	ok(ictl_held_find_obj(&h, "ev") == &h.objs[2] && !ictl_held_find_obj(&h, "") &&
		   ictl_held_find_map(&h, "buf") == &h.maps[0], "lookups by name (never the unnamed)");
	again = ictl_held_format(&h);
	is_str(again, GOOD, "formatted again: the same text");
	ok(again && !ictl_held_parse(ctx, "x", again, strlen(again), &back) && back.nobjs == 4,
	   "and parsed again");
	free(again);
	ictl_held_clear(&back);
	ictl_held_clear(&h);
}

/* Each damaged file is refused, naming the file, the line and the field. */
static void state_damaged(struct ictl_ctx *ctx)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "", "f:1: end: missing" },
		{ "iommuctl-held 2\n", "f:1: version: 2 is not known" },
		{ "iommuctl-held 01\n", "f:1: version: '01' is not a decimal number" },
		{ "iommuctl-journal 1\n", "f:1: header: not an iommuctl-held state file" },
		{ "iommuctl-held 1\nstart 1\n", "f:2: pid: expected here, found 'start'" },
		{ "iommuctl-held 1\npid 0\n", "f:2: pid: 0 is no process" },
		{ "iommuctl-held 1\npid -3\n", "f:2: pid: '-3' is not a decimal number" },
		{ "iommuctl-held 1\npid 99999999\n", "f:2: pid: 99999999 is out of range" },
		{ "iommuctl-held 1\npid 4 2\n", "f:2: pid: give 'pid PID'" },
		{ "iommuctl-held 1\npid  4\n", "f:2: line: an empty field" },
		{ "iommuctl-held 1\npid 4\nstart 99999999999999999999\n", "f:3: start: 99999999999999999999 is out of range" },
		{ "iommuctl-held 1\npid 4\nstart 1\niommufd x\n", "f:4: iommufd: 'x' is not a decimal number" },
		{ HEAD "object ioas ram 1 - 0x0 -\n", "f:6: end: missing (a cut-off file)" },
		{ HEAD "object ioas ram 1 - 0x0 -", "f:5: line: no newline at its end" },
		{ HEAD "object socket ram 1 - 0x0 -\nend\n", "f:5: kind: 'socket' is no kind of iommufd object" },
		{ HEAD "object ioas 9ram 1 - 0x0 -\nend\n", "f:5: name: '9ram' is not a name" },
		{ HEAD "object ioas r/m 1 - 0x0 -\nend\n", "f:5: name: 'r/m' is not a name" },
		{ HEAD "object ioas ram 0 - 0x0 -\nend\n", "f:5: id: 0 is not an object id" },
		{ HEAD "object ioas ram 4294967296 - 0x0 -\nend\n", "f:5: id: 4294967296 is out of range" },
		{ HEAD "object ioas ram 1 -\nend\n", "f:5: object: give 'object KIND NAME ID FD TYPE DEV'" },
		{ HEAD "object ioas ram 1 - 0x0 4\nend\n", "f:5: dev: only a device or mock_device has one" },
		{ HEAD "object mock_device m0 1 - 0x0 -\nend\n", "f:5: dev: '-' is not a decimal number" },
		{ HEAD "object device d 1 - 0x0 0\nend\n", "f:5: dev: 0 is not a device id" },
		{ HEAD "object ioas ram 1 - 5 -\nend\n", "f:5: type: '5' is not a hex number" },
		{ HEAD "object ioas ram 1 4 0x0 -\nend\n", "f:5: fd: only a fault_queue or veventq has one" },
		{ HEAD "object veventq ev 1 - 0x0 -\nend\n", "f:5: fd: a veventq has an fd" },
		{ HEAD "object fault_queue fq 1 3 0x0 -\nend\n", "f:5: fd: 3 is the iommufd's" },
		{ HEAD "object ioas ram 1 - 0x0 -\nobject ioas ram2 1 - 0x0 -\nend\n", "f:6: id: 1 is there twice" },
		{ HEAD "object ioas ram 1 - 0x0 -\nobject ioas ram 2 - 0x0 -\nend\n", "f:6: name: 'ram' is there twice" },
		{ HEAD "mapping buf 1 0x0 0x1000\nend\n", "f:5: ioas: 1 is no ioas object listed before" },
		{ HEAD "object hwpt_paging h 1 - 0x0 -\nmapping buf 1 0x0 0x1000\nend\n", "f:6: ioas: 1 is no ioas object" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0x0 0x0\nend\n", "f:6: length: 0x0: empty" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0xfffffffffffff000 0x2000\nend\n", "f:6: length: 0x2000: empty, or past the end" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0X0 0x1000\nend\n", "f:6: iova: '0X0' is not a hex number" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0x10000000000000000 0x1000\nend\n", "f:6: iova: '0x10000000000000000' is not a hex" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0x0 0x1000\nmapping buf 1 0x1000 0x1000\nend\n", "f:7: name: 'buf' is there twice" },
		{ HEAD "object ioas r 1 - 0x0 -\nmapping buf 1 0x0 0x1000\nobject ioas s 2 - 0x0 -\nend\n", "f:7: object: objects come before the mappings" },
		{ HEAD "groups 5\nend\n", "f:5: groups: not a record here (group, object, mapping or end)" },
		{ HEAD "group 5\ngroup 5\nend\n", "f:6: group: 5 is there twice" },
		{ HEAD "group x\nend\n", "f:5: group: 'x' is not a decimal number" },
		{ HEAD "group\nend\n", "f:5: group: give 'group NUMBER'" },
		{ HEAD "object ioas r 1 - 0x0 -\ngroup 5\nend\n", "f:6: group: groups come before the objects" },
		{ HEAD "group 1\ngroup 2\ngroup 3\ngroup 4\ngroup 5\ngroup 6\ngroup 7\ngroup 8\ngroup 9\n"
		       "group 10\ngroup 11\ngroup 12\ngroup 13\ngroup 14\ngroup 15\ngroup 16\ngroup 17\nend\n",
		  "f:21: group: more than 16 groups" },
		{ HEAD "end\nend\n", "f:6: line: after 'end'" },
		{ HEAD "end \n", "f:5: line: an empty field" },
		{ HEAD "\nend\n", "f:5: line: an empty field" },
	};
	struct ictl_held h;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *text = strdup(bad[i].text);
		int r = ictl_held_parse(ctx, "f", text, strlen(text), &h);

		ok(r == -EINVAL && !strncmp(ictl_strerror(ctx), bad[i].want, strlen(bad[i].want)) &&
			   !h.objs && !h.maps,
		   "damaged %zu refused: want '%s', got %d '%s'", i, bad[i].want, r, ictl_strerror(ctx));
		free(text);
	}
	ok(ictl_held_parse(ctx, "f", (char[]){ "iommuctl-held 1\0\n" }, 17, &h) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "a NUL byte"), "a NUL byte: refused");
}

static void inval(struct ictl_ctx *ctx)
{
	static const struct {
		enum ictl_inval_type t;
		const char *arg, *want;	/* want NULL: accepted */
	} v[] = {
		{ ICTL_INVAL_SELFTEST, "all", NULL },
		{ ICTL_INVAL_SELFTEST, "iotlb=3", NULL },
		{ ICTL_INVAL_SELFTEST, "iotlb=4", "the mock's IOTLB entries are 0 to 3" },
		{ ICTL_INVAL_SELFTEST, "iotlb=-1", "give 'all' or 'iotlb=N'" },
		{ ICTL_INVAL_SELFTEST, "all,iotlb=1", "give 'all' or 'iotlb=N'" },
		{ ICTL_INVAL_SELFTEST, "everything", "give 'all' or 'iotlb=N'" },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "vdev=0x10,cache=2", NULL },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "vdev=0x10,all", NULL },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "cache=2", "give 'vdev=VIRT_ID,cache=N'" },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "vdev=1,cache=9", "the mock device's cache entries are 0 to 3" },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "vdev=1,cache=1,all", "give 'vdev=VIRT_ID,cache=N'" },
		{ ICTL_INVAL_SELFTEST_VIOMMU, "vdev=0x100000000,all", "give 'vdev=VIRT_ID,cache=N'" },
		{ ICTL_INVAL_VTD, "addr=0x1000,npages=2,leaf", NULL },
		{ ICTL_INVAL_VTD, "all", NULL },
		{ ICTL_INVAL_VTD, "addr=0x1001,npages=1", "addr must be 4 KiB aligned" },
		{ ICTL_INVAL_VTD, "addr=0x1000,npages=0", "npages must be at least 1" },
		{ ICTL_INVAL_VTD, "addr=0x1000", "give 'addr=A,npages=N[,leaf]' or 'all'" },
		{ ICTL_INVAL_VTD, "addr=0xfffffffffffff000,npages=2", "addr + npages pages is past the end" },
		{ ICTL_INVAL_VTD, "addr=0x0,npages=1,huge", "give 'addr=A,npages=N[,leaf]' or 'all'" },
		{ ICTL_INVAL_SMMUV3, "0x12:0x0", NULL },
		{ ICTL_INVAL_SMMUV3, "0x12", "give two 64-bit command words" },
		{ ICTL_INVAL_SMMUV3, "0x12:zz", "give two 64-bit command words" },
		{ ICTL_INVAL_SMMUV3, "0x12:0x10000000000000000", "give two 64-bit command words" },
	};
	struct ictl_inval inv;
	enum ictl_inval_type t;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *arg = (char *)v[i].arg;
		int r = ictl_inval_parse(ctx, v[i].t, &arg, 1, &inv);

		if (!v[i].want)
			ok(!r && inv.n == 1 && inv.entries, "%s '%s': accepted", ictl_inval_type_name(v[i].t),
			   v[i].arg);
		else
			ok(r == -EINVAL && strstr(ictl_strerror(ctx), v[i].want) &&
				   strstr(ictl_strerror(ctx), "entry 1"),
			   "%s '%s': refused, '%s' (got '%s')", ictl_inval_type_name(v[i].t), v[i].arg,
			   v[i].want, ictl_strerror(ctx));
		ictl_inval_clear(&inv);
	}
	{
		char *args[] = { "iotlb=1", "all" };
		const struct ictl_iommu_hwpt_invalidate_selftest *e;

		ok(!ictl_inval_parse(ctx, ICTL_INVAL_SELFTEST, args, 2, &inv) && inv.n == 2 &&
			   inv.entry_len == 8 && inv.data_type == 0xdeadbeef,
		   "two selftest entries: 8 bytes each, data type 0xdeadbeef");
		e = inv.entries;
		ok(e && e[0].iotlb_id == 1 && !e[0].flags && e[1].flags == ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL,
		   "iotlb=1, then all");
		ictl_inval_clear(&inv);
	}
	{
		char *args[] = { "vdev=0x10,cache=2" };
		const struct ictl_iommu_viommu_invalidate_selftest *e;

		ok(!ictl_inval_parse(ctx, ICTL_INVAL_SELFTEST_VIOMMU, args, 1, &inv) &&
			   inv.entry_len == 12 && (e = inv.entries) && e->vdev_id == 0x10 &&
			   e->cache_id == 2 && !e->flags,
		   "a vIOMMU entry: 12 bytes, the virtual id and the cache entry");
		ictl_inval_clear(&inv);
	}
	{
		char *args[] = { "addr=0x2000,npages=3,leaf", "all" };
		const struct ictl_iommu_hwpt_vtd_s1_invalidate *e;

		ok(!ictl_inval_parse(ctx, ICTL_INVAL_VTD, args, 2, &inv) && inv.entry_len == 24 &&
			   inv.data_type == ICTL_IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 && (e = inv.entries) &&
			   e[0].addr == 0x2000 && e[0].npages == 3 &&
			   e[0].flags == ICTL_IOMMU_VTD_INV_FLAGS_LEAF && !e[1].addr &&
			   e[1].npages == UINT64_MAX,
		   "VT-d: a leaf range, then all (addr 0, npages all ones)");
		ictl_inval_clear(&inv);
	}
	{
		char *args[] = { "0x0102030405060708:0x1" };
		const uint8_t *b;

		ok(!ictl_inval_parse(ctx, ICTL_INVAL_SMMUV3, args, 1, &inv) && inv.entry_len == 16 &&
			   (b = inv.entries) && b[0] == 0x08 && b[7] == 0x01 && b[8] == 0x01,
		   "SMMUv3: the two words little-endian");
		ictl_inval_clear(&inv);
	}
	{
		char *args[] = { "iotlb=1", "iotlb=9" };

		ok(ictl_inval_parse(ctx, ICTL_INVAL_SELFTEST, args, 2, &inv) == -EINVAL &&
			   strstr(ictl_strerror(ctx), "entry 2 'iotlb=9'") && !inv.entries,
		   "the second entry named when it is the bad one; nothing kept");
		ok(ictl_inval_parse(ctx, ICTL_INVAL_SELFTEST, args, 0, &inv) == -EINVAL, "no entry");
	}
	ok(!ictl_inval_type_for(ICTL_OBJ_HWPT_NESTED, ICTL_IOMMU_HWPT_DATA_SELFTEST, &t) &&
		   t == ICTL_INVAL_SELFTEST, "a mock nested HWPT: selftest");
	ok(!ictl_inval_type_for(ICTL_OBJ_VIOMMU, ICTL_IOMMU_VIOMMU_TYPE_SELFTEST, &t) &&
		   t == ICTL_INVAL_SELFTEST_VIOMMU, "a mock vIOMMU: selftest-viommu");
	ok(!ictl_inval_type_for(ICTL_OBJ_VIOMMU, ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &t) &&
		   t == ICTL_INVAL_SMMUV3, "an SMMUv3 vIOMMU: arm-smmuv3");
	ok(!ictl_inval_type_for(ICTL_OBJ_HWPT_NESTED, ICTL_IOMMU_HWPT_DATA_VTD_S1, &t) &&
		   t == ICTL_INVAL_VTD, "a VT-d stage 1: intel-vtd");
	is_int(ictl_inval_type_for(ICTL_OBJ_HWPT_PAGING, 0, &t), -EOPNOTSUPP, "a paging HWPT: none");
	ok(!ictl_inval_type_parse("intel-vtd", &t) && t == ICTL_INVAL_VTD &&
		   ictl_inval_type_parse("vtd", &t) == -EINVAL, "type names");
}

/* The notes of other processes' mappings (held-PID.maps), applied to a set. */
static void notes(struct ictl_ctx *ctx)
{
	static const char text[] = "iommuctl-held-maps 1\n"
				   "map extra 1 0x4000000 0x10000 memfd 77\n"
				   "map - 1 0x5000000 0x1000 hugetlb-2M 78\n"
				   "unmap 1 0x1000000 0x200000 79\n"
				   "map buf 1 0x6000000 0x1000 copy 80\n";
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "iommuctl-held-maps 2\n", "n:1: version: 2: this iommuctl reads version 1" },
		{ "iommuctl-held 1\n", "n:1: iommuctl-held-maps: expected here" },
		{ "iommuctl-held-maps 1\nmap x 9 0x0 0x1000 anon 1\n", "n:2: ioas: 9 is no ioas of the holder" },
		{ "iommuctl-held-maps 1\nmap x 1 0x0 0x1000 ram 1\n", "n:2: memory: 'ram': not anon" },
		{ "iommuctl-held-maps 1\nmap ram2 1 0x0 0x1000 anon 1\nmap ram2 1 0x0 0x1000 anon 1\n",
		  "n:3: name: 'ram2' is mapped already" },
		{ "iommuctl-held-maps 1\nmap x 1 0xffffffffffff0000 0x20000 anon 1\n", "n:2: length: 0x20000: empty, or past" },
		{ "iommuctl-held-maps 1\nunmap 1 0x0 0x1000 1", "n:2: line: no newline" },
		{ "iommuctl-held-maps 1\nend\n", "n:2: end: not a record here (map or unmap)" },
	};
	char state[] = GOOD;
	struct ictl_held h;

	ok(!ictl_held_parse(ctx, "s", state, strlen(state), &h), "a state to apply notes to");
	ok(!ictl_held_parse_notes(ctx, "n", text, strlen(text), &h), "good notes: %s", ictl_strerror(ctx));
	/* buf (0x1000000) was unmapped, the unnamed one at 0x0 stays; then extra, -, buf again */
	ok(h.nmaps == 4 && h.maps[0].iova == 0 && !h.maps[0].by && !strcmp(h.maps[1].name, "extra") &&
		   h.maps[1].by == 77 && !strcmp(h.maps[1].memory, "memfd") && !h.maps[2].name[0] &&
		   !strcmp(h.maps[2].memory, "hugetlb-2M") && h.maps[3].iova == 0x6000000 &&
		   !strcmp(h.maps[3].memory, "copy"),
	   "maps added with memory and pid, an unmap takes out what it covers");
	ictl_held_clear(&h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char st[] = GOOD;
		int r;

		ictl_held_parse(ctx, "s", st, strlen(st), &h);
		r = ictl_held_parse_notes(ctx, "n", bad[i].text, strlen(bad[i].text), &h);
		ok(r == -EINVAL && strstr(ictl_strerror(ctx), bad[i].want), "bad notes %zu: %s", i,
		   ictl_strerror(ctx));
		ictl_held_clear(&h);
	}
	ok(ictl_held_memory_ok("hugetlb-1G") && !ictl_held_memory_ok("hugetlb") &&
		   !ictl_held_memory_ok(NULL), "memory kinds");
	ok(ictl_held_name_ok("a.b-c_1") && !ictl_held_name_ok("1a") && !ictl_held_name_ok("") &&
		   !ictl_held_name_ok("a b"), "names");
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A vEVENT of the selftest type (header, then the virtual id) into a pipe standing for the queue. */
static void put_vevent(int fd, uint32_t seq, uint32_t virt_id)
{
	struct ictl_iommufd_vevent_header h = { .sequence = seq };
	uint8_t rec[sizeof(h) + sizeof(virt_id)];

	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), &virt_id, sizeof(virt_id));
	if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		printf("# write: %s\n", strerror(errno));
}

/*
 * ictl_queue_read on a non-blocking pipe: an empty queue's read finds nothing and poll does
 * not wake for it, as on the kernel's vEVENTQ fd.  Enough events read returns at once (it
 * used to sit out the whole timeout); too few waits the timeout and says so.
 */
static void queue_read(struct ictl_ctx *ctx)
{
	struct ictl_held_event ev[16];
	long long t0;
	int p[2], n;

	if (pipe2(p, O_NONBLOCK) < 0) {
		printf("not ok - a pipe: %s\n", strerror(errno));
		return;
	}
	put_vevent(p[1], 7, 0x10);
	t0 = ms_now();
	n = ictl_queue_read(ctx, p[0], ICTL_OBJ_VEVENTQ, ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST, 1, 16,
			    3000, ev);
	is_int(n, 1, "one event there, one read");
	ok(ms_now() - t0 < 1500, "read at once, not after the 3 s timeout (%lld ms)", ms_now() - t0);
	ok(n == 1 && ev[0].sequence == 7 && ev[0].len == 4 && !memcmp(ev[0].data, &(uint32_t){ 0x10 }, 4),
	   "its sequence and virtual id");
	put_vevent(p[1], 8, 0x11);
	put_vevent(p[1], 9, 0x12);
	n = ictl_queue_read(ctx, p[0], ICTL_OBJ_VEVENTQ, ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST, 1, 16,
			    3000, ev);
	ok(n == 2 && ev[1].sequence == 9, "all that is there, up to max, in one call (%d)", n);
	put_vevent(p[1], 10, 0x13);
	t0 = ms_now();
	n = ictl_queue_read(ctx, p[0], ICTL_OBJ_VEVENTQ, ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST, 2, 16,
			    300, ev);
	is_int(n, 1, "fewer than asked for: what there is");
	ok(ms_now() - t0 >= 300 && strstr(ictl_strerror(ctx), "1 of 2 events in 300 ms"),
	   "after the timeout, saying so: %s", ictl_strerror(ctx));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	struct ictl_ctx *ctx = NULL;

	lookup();
	ranges();
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("not ok - a context: %s\n", ctx ? ictl_strerror(ctx) : "no memory");
		ictl_ctx_free(ctx);
		return 1;
	}
	state_roundtrip(ctx);
	state_damaged(ctx);
	notes(ctx);
	inval(ctx);
	queue_read(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
