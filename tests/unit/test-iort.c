// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/*
 * ACPI's IORT as iommuctl reads it (src/lib/iort.c): the root complexes'
 * memory access flags from tables built here by the layout of ARM DEN 0049
 * (E.f), damaged tables refused with where, the firmware's answer on CANWBS
 * for a device from a tree (IORT, device tree, neither, a FIFO), and what the
 * SMMUv3 caps make of it (arm_smmu_get_viommu_size() in the kernel: nesting,
 * and S2FWB or CANWBS).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "tmptree.h"

#include "internal.h"
#include "iort.h"
#include "vendor.h"
#include "uapi/iommufd.h"
#include "tap.h"

static uint8_t tbl[4096];

static void put32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		tbl[off + i] = (uint8_t)(v >> (8 * i));
}

static void put16(size_t off, uint16_t v)
{
	tbl[off] = (uint8_t)v;
	tbl[off + 1] = (uint8_t)(v >> 8);
}

/* A node header (DEN 0049 5.2: type, length, revision, identifier, ID mappings). */
static size_t node(size_t off, uint8_t type, uint16_t len)
{
	memset(tbl + off, 0, len);
	tbl[off] = type;
	put16(off + 1, len);
	tbl[off + 3] = 4;
	return off + len;
}

/* A root complex node: memory access properties (CCA, hints, flags), ATS, segment. */
static size_t rc(size_t off, uint32_t segment, uint8_t flags)
{
	size_t end = node(off, ICTL_IORT_NODE_PCI_RC, 36);

	put32(off + 16, 1);		/* cache coherency: coherent */
	tbl[off + 16 + 7] = flags;	/* memory access flags */
	put32(off + 24, 1);		/* ATS supported */
	put32(off + 28, segment);
	tbl[off + 32] = 48;		/* memory address size limit */
	return end;
}

/* header + ITS group + root complex(es) + SMMUv3; returns the length */
static size_t build(uint8_t rc_flags, unsigned int nrc)
{
	size_t off = 48;

	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "IORT", 4);
	tbl[8] = 6;
	off = node(off, 0, 24);	/* ITS group, one ITS */
	for (unsigned int i = 0; i < nrc; i++)
		off = rc(off, i, rc_flags);
	off = node(off, 4, 68);	/* SMMUv3 (its fields are not read) */
	put32(4, (uint32_t)off);
	put32(36, 2 + nrc);
	put32(40, 48);
	return off;
}

static void parse_good(struct ictl_ctx *ctx)
{
	struct ictl_iort t;
	size_t len = build(ICTL_IORT_MF_CPM | ICTL_IORT_MF_DACS | ICTL_IORT_MF_CANWBS, 2);

	if (!is_int(ictl_iort_parse(ctx, tbl, len, &t), 0, "parse: a table with an ITS, two root complexes and an SMMUv3"))
		printf("# %s\n", ictl_strerror(ctx));
	is_int((int)t.nrc, 2, "  ...two root complexes");
	is_int(t.revision, 6, "  ...revision from header byte 8");
	is_int(t.rc[1].segment, 1, "  ...the second is segment 1");
	is_int(t.rc[0].memory_flags, 0x7, "  ...memory access flags CPM, DACS, CANWBS");
	is_int((int)t.rc[0].cache_coherency, 1, "  ...coherent");
	is_int((int)t.rc[0].ats, 1, "  ...ATS attribute");
	ok(ictl_iort_rc_find(&t, 1) == &t.rc[1], "  ...found by segment");
	ok(ictl_iort_rc_find(&t, 7) == NULL, "  ...and not for a segment it lacks");
}

static void parse_bad(struct ictl_ctx *ctx)
{
	static const struct {
		const char *what;
		size_t off, width;	/* what to overwrite (width 0: only the length changes) */
		uint32_t value;
		long len_delta;
		const char *msg;
	} cases[] = {
		{ "a short table", 0, 0, 0, -1000, "shorter than its 48-byte header" },
		{ "another signature", 0, 4, 0x5452414a, 0, "the signature is not \"IORT\"" },
		{ "a header length longer than the table", 4, 4, 4000, 0, "the header says 4000 bytes" },
		{ "the first node outside the table", 40, 4, 3000, 0, "the first node's offset 3000 is outside" },
		{ "the first node inside the header", 40, 4, 20, 0, "the first node's offset 20 is outside" },
		{ "a node of length 0", 49, 2, 0, 0, "node 0 at offset 48 has length 0" },
		{ "a node longer than what is left", 49, 2, 0xffff, 0, "node 0 at offset 48 has length 65535" },
		{ "more nodes than the table holds", 36, 4, 40, 0, "runs past the end" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ictl_iort t;
		size_t len = build(0, 1);

		if (cases[i].width == 4)
			put32(cases[i].off, cases[i].value);
		else if (cases[i].width == 2)
			put16(cases[i].off, (uint16_t)cases[i].value);
		if (cases[i].len_delta < 0)
			len = 47;
		ok(ictl_iort_parse(ctx, tbl, len, &t) == -EINVAL && strstr(ictl_strerror(ctx), cases[i].msg),
		   "refused: %s (%s)", cases[i].what, ictl_strerror(ctx));
	}
	{
		/* the ITS group, then a root complex node of 20 bytes that ends the table */
		struct ictl_iort t;

		build(0, 1);
		put16(73, 20);
		put32(36, 2);
		put32(4, 48 + 24 + 20);
		ok(ictl_iort_parse(ctx, tbl, 48 + 24 + 20, &t) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "root complex node at offset 72 is 20 bytes, shorter than its 32"),
		   "refused: a root complex node too short for its fields (%s)", ictl_strerror(ctx));
	}
	{
		struct ictl_iort t;
		size_t len = build(0, ICTL_IORT_MAX_RC + 1);

		is_int(ictl_iort_parse(ctx, tbl, len, &t), -E2BIG, "refused: more root complexes than it keeps");
	}
	{
		struct ictl_iort t;

		build(0, 1);
		put32(36, 0);
		put32(4, 48);
		is_int(ictl_iort_parse(ctx, tbl, 48, &t), 0, "a table without nodes parses");
		is_int((int)t.nrc, 0, "  ...with no root complex");
	}
}

/* The firmware's answer for a PCI device of segment seg in a tree. */
static enum ictl_tristate canwbs_in(const char *root, uint32_t seg, char *src, size_t len)
{
	struct ictl_device d = { .name = "0000:00:02.0", .is_pci = true, .addr = { .domain = seg } };
	struct ictl_ctx *ctx;
	enum ictl_tristate r;

	if (ictl_ctx_new(&ctx, root) < 0) {
		snprintf(src, len, "no context: %s", ctx ? ictl_strerror(ctx) : "ENOMEM");
		ictl_ctx_free(ctx);
		return (enum ictl_tristate)-2;
	}
	r = ictl_fw_rc_canwbs(ctx, &d, src, len);
	ictl_ctx_free(ctx);
	return r;
}

static int write_iort(const char *root, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	if (tree_parents(root, "sys/firmware/acpi/tables/IORT") < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/sys/firmware/acpi/tables/IORT", root);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fwrite(tbl, 1, len, f);
	return fclose(f);
}

static void firmware(void)
{
	char root[PATH_MAX], src[160], p[PATH_MAX + 64];

	if (tree_new(root, sizeof(root)) < 0) {
		ok(false, "a temporary tree: %s", strerror(errno));
		return;
	}
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_UNKNOWN, "firmware: neither IORT nor a device tree: unknown");
	tree_file(root, "sys/firmware/devicetree/base/compatible", "linux,dummy-virt");
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_NO, "firmware: a device-tree boot: no CANWBS");
	ok(strstr(src, "device-tree boot") != NULL, "  ...and says why (%s)", src);

	write_iort(root, build(ICTL_IORT_MF_CPM | ICTL_IORT_MF_CANWBS, 1));
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_YES, "firmware: IORT's root complex says CANWBS");
	is_str(src, "IORT root complex (segment 0) memory access flags 0x5, CANWBS (bit 2) = 1", "  ...naming the flags");
	is_int(canwbs_in(root, 3, src, sizeof(src)), ICTL_NO, "firmware: no root complex for the device's segment: no");
	write_iort(root, build(ICTL_IORT_MF_CPM | ICTL_IORT_MF_DACS, 1));
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_NO, "firmware: a root complex without CANWBS: no");
	write_iort(root, 0);
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_UNKNOWN, "firmware: an empty IORT (a capture): unknown");
	write_iort(root, 47);
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_UNKNOWN, "firmware: a damaged IORT: unknown");
	ok(strstr(src, "shorter than its 48-byte header") != NULL, "  ...with what is wrong (%s)", src);
	snprintf(p, sizeof(p), "%s/sys/firmware/acpi/tables/IORT", root);
	unlink(p);
	if (mkfifo(p, 0600) == 0) {
		is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_UNKNOWN, "firmware: a FIFO for IORT: unknown, without blocking");
	} else {
		ok(false, "mkfifo: %s", strerror(errno));
	}
	unlink(p);
	/* resolved inside the root, where there is no such file: as if there were no IORT */
	ok(symlink("/proc/self/status", p) == 0, "a symlink for IORT");
	is_int(canwbs_in(root, 0, src, sizeof(src)), ICTL_NO, "firmware: IORT a symlink out of the tree: not followed out");
	ok(strstr(src, "device-tree boot") != NULL, "  ...the tree's own answer (%s)", src);
	{
		struct ictl_device d = { .name = "arm-smmu-v3.0.auto", .is_pci = false };
		struct ictl_ctx *ctx;

		if (!ictl_ctx_new(&ctx, root)) {
			is_int(ictl_fw_rc_canwbs(ctx, &d, src, sizeof(src)), ICTL_NO, "firmware: a platform device: no (a PCI root complex's flag)");
		} else {
			ok(false, "context: %s", ictl_strerror(ctx));
		}
		ictl_ctx_free(ctx);
	}
	tree_remove(root);
}

/* SMMUv3 caps: the vIOMMU row from IDR0 (both stages), IDR3.FWB and the firmware. */
static void caps_viommu(struct ictl_ctx *ctx)
{
	static const struct {
		uint32_t idr0, idr3;
		enum ictl_tristate canwbs, want;
		const char *source;
	} cases[] = {
		{ 3, 1 << 8, ICTL_NO, ICTL_YES, "idr3.FWB (bit 8)" },
		{ 3, 0, ICTL_YES, ICTL_YES, "IORT root complex CANWBS" },
		{ 3, 0, ICTL_NO, ICTL_NO, "idr3.FWB (bit 8) = 0, no CANWBS" },
		{ 3, 0, ICTL_UNKNOWN, ICTL_UNKNOWN, "idr3.FWB (bit 8) = 0, CANWBS unknown" },
		{ 2, 1 << 8, ICTL_YES, ICTL_NO, "idr0.S1P (bit 1), idr0.S2P (bit 0)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ictl_iommu_hw_info_arm_smmuv3 s = { .idr = { cases[i].idr0 | 2 << 2 } };
		struct ictl_hw_info hi;
		struct ictl_caps caps;

		s.idr[3] = cases[i].idr3;
		if (ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &s, sizeof(s), &hi)) {
			ok(false, "decode: %s", ictl_strerror(ctx));
			continue;
		}
		is_int(hi.rc_canwbs, ICTL_UNKNOWN, "caps %zu: a decoded blob knows nothing of the firmware", i);
		hi.rc_canwbs = cases[i].canwbs;
		snprintf(hi.rc_canwbs_source, sizeof(hi.rc_canwbs_source), "the test says %d", cases[i].canwbs);
		if (!is_int(ictl_caps_from_hw_info(ctx, &hi, &caps), 0, "  ...caps"))
			printf("# %s\n", ictl_strerror(ctx));
		is_int(caps.cap[ICTL_CAP_VIOMMU].hw, cases[i].want, "  ...viommu: idr0 %#x, idr3 %#x, CANWBS %d",
		       cases[i].idr0, cases[i].idr3, cases[i].canwbs);
		is_str(caps.cap[ICTL_CAP_VIOMMU].source, cases[i].source, "  ...from %s", cases[i].source);
		ictl_hw_info_clear(&hi);
	}
	{
		struct ictl_iommu_hw_info_amd a = { .efr = 0x29d3 };
		struct ictl_hw_info hi;
		struct ictl_caps caps;

		if (!ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_AMD, &a, sizeof(a), &hi) &&
		    !ictl_caps_from_hw_info(ctx, &hi, &caps)) {
			is_int(caps.cap[ICTL_CAP_VIOMMU].hw, ICTL_NO, "caps: AMD: no vIOMMU type in the uAPI");
			is_str(ictl_cap_name(ICTL_CAP_VIOMMU), "viommu", "  ...the row is named viommu");
			ictl_hw_info_clear(&hi);
		} else {
			ok(false, "caps: AMD: %s", ictl_strerror(ctx));
		}
	}
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no /sys: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	parse_good(ctx);
	parse_bad(ctx);
	firmware();
	caps_viommu(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
