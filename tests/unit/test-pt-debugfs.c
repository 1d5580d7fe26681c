// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parser of Intel's debugfs domain_translation_struct (pt-debugfs.c):
 * the dumps below are written the way the kernel's debugfs.c prints them
 * (its seq_printf formats, tabs included); what the parser puts back must
 * translate exactly what the dump's leaves say, in the format the mode and
 * the root entry's bits give, and anything else is refused with its line.
 * Then ictl_pt_dbgfs_load through a --sysroot tree: the device's file, a
 * PASID's, and what is missing, each with its own error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"

static struct ictl_ctx *ctx;

#define HDR                                                                                       \
	"IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE     " \
	"          \tPTE\n"

/*
 * A first-stage (x86-64) table of 0000:00:04.0, 4 levels, as Linux builds it
 * (P R/W U/S A in table entries): 4K at IOVA 0x100000 and 0x101000, read-only
 * 4K at 0x380000 (no R/W), 2M at 0x400000.  Tables: PML4 0x2f6c000, PDPT
 * 0x2c00000, PD 0x2fea000, PTs 0x3000000 and 0x3001000.
 */
static const char fs_dump[] =
	"Device 0000:00:04.0 with pasid 0 @0x2f6c000\n" HDR
	"0x0000000000100 |\t0x0000000000000000\t0x0000000002c00027\t0x0000000002fea027"
	"\t0x0000000003000027\t0x0000000005000067\n"
	"0x0000000000101 |\t0x0000000000000000\t0x0000000002c00027\t0x0000000002fea027"
	"\t0x0000000003000027\t0x0000000005001067\n"
	"0x0000000000380 |\t0x0000000000000000\t0x0000000002c00027\t0x0000000002fea027"
	"\t0x0000000003001027\t0x0000000006000025\n"
	"0x0000000000400 |\t0x0000000000000000\t0x0000000002c00027\t0x0000000002fea027"
	"\t0x00000000070000e7\n";

/* The same translations in a legacy-mode second-stage table of 3 levels (R W, PS). */
static const char ss_dump[] = "Device 0000:00:04.0 @0x2f6c000\n" HDR
			      "0x0000000000100 |\t0x0000000000000000\t0x0000000000000000"
			      "\t0x0000000002fea003\t0x0000000003000003\t0x0000000005000003\n"
			      "0x0000000000400 |\t0x0000000000000000\t0x0000000000000000"
			      "\t0x0000000002fea003\t0x0000000007000083\n";

/* Parse text fed in chunks of chunk bytes; the result of the end. */
static int parse(const char *text, size_t chunk, const char *format, struct ictl_pt_dbgfs *d)
{
	size_t len = strlen(text);
	int r = 0;

	ictl_pt_dbgfs_init(d, "dts", format);
	for (size_t i = 0; i < len && !r; i += chunk)
		r = ictl_pt_dbgfs_feed(ctx, d, text + i, len - i < chunk ? len - i : chunk);
	return r ? r : ictl_pt_dbgfs_end(ctx, d);
}

/* The translations of the parsed table, "IOVA+SIZE>PHYS/PAGE perms;..." */
static void ranges(struct ictl_pt_dbgfs *d, char *out, size_t len)
{
	struct ictl_pt_src src = { ictl_pt_dbgfs_read, d, "dts" };
	struct ictl_pt_ranges r;
	struct ictl_pt_range x;
	size_t n = 0;

	out[0] = '\0';
	if (ictl_pt_ranges_init(&r, &d->cfg, &src, d->root) < 0)
		return;
	while (ictl_pt_ranges_next(&r, &x) == 1 && n < len)
		n += (size_t)snprintf(out + n, len - n,
				      "%" PRIx64 "+%" PRIx64 ">%" PRIx64 "/%u %c%c;", x.iova,
				      x.size, x.phys, x.page, x.perms & ICTL_PT_R ? 'r' : '-',
				      x.perms & ICTL_PT_W ? 'w' : '-');
	ictl_pt_ranges_free(&r);
}

static void good_dumps(void)
{
	struct ictl_pt_dbgfs d;
	char got[512];
	int r;

	r = parse(fs_dump, 1, NULL, &d);
	ok(!r && !strncmp(d.cfg.name, "x86-64,levels=4,", 16) && d.cfg.levels == 4,
	   "scalable mode, P U/S A in the root entry: x86-64, 4 levels (fed a byte at a time)");
	ok(d.root == 0x2f6c000 && d.scalable && d.pasid == 0 && !strcmp(d.device, "0000:00:04.0") &&
		   d.leaves == 4,
	   "the device, PASID, root and 4 leaves as printed");
	ranges(&d, got, sizeof(got));
	is_str(got,
	       "100000+2000>5000000/12 rw;380000+1000>6000000/12 r-;400000+200000>7000000/21 rw;",
	       "the table translates what the leaves say: 2 x 4K, a read-only 4K, one 2M");
	ictl_pt_dbgfs_clear(&d);

	r = parse(ss_dump, 7, NULL, &d);
	ok(!r && !strncmp(d.cfg.name, "vtd-ss,levels=3", 15) && d.cfg.levels == 3 && !d.scalable,
	   "legacy mode: vtd-ss, 3 levels (PDPE is the root level)");
	ranges(&d, got, sizeof(got));
	is_str(got, "100000+1000>5000000/12 rw;400000+200000>7000000/21 rw;",
	       "second stage: a 4K and a 2M page");
	ictl_pt_dbgfs_clear(&d);

	r = parse(fs_dump, 4096, "vtd-ss", &d);
	ok(!r && !strncmp(d.cfg.name, "vtd-ss,levels=4", 15) && !strcmp(d.format_why, "given"),
	   "--format overrides the guess (levels from the dump)");
	ictl_pt_dbgfs_clear(&d);

	r = parse("DMA Remapping is not enabled on dmar1\nDevice 0000:00:04.0 with pasid 1f "
		  "@0x1000\n" HDR,
		  3, NULL, &d);
	ok(!r && d.pasid == 0x1f && d.leaves == 0 && !strcmp(d.disabled, "dmar1"),
	   "an empty table after another unit's line: PASID in hex, no leaves");
	ranges(&d, got, sizeof(got));
	is_str(got, "", "an empty table translates nothing");
	ictl_pt_dbgfs_clear(&d);
}

/* The parse fails with err and a message that holds want. */
static void bad(const char *text, const char *format, int err, const char *want, const char *what)
{
	struct ictl_pt_dbgfs d;
	int r = parse(text, 5, format, &d);

	if (!ok(r == -err && strstr(ictl_strerror(ctx), want), "refused: %s", what))
		printf("#   r=%d message: %s\n", r, ictl_strerror(ctx));
	ictl_pt_dbgfs_clear(&d);
}

static void bad_dumps(void)
{
	static const char dev[] = "Device 0000:00:04.0 @0x2f6c000\n" HDR;
	char buf[1024];

	bad("", NULL, ENOENT, "shows no page table", "an empty file (identity or blocking domain)");
	bad("DMA Remapping is not enabled on dmar0\n", NULL, ENOENT,
	    "DMA remapping is off on dmar0", "remapping off");
	bad("0x0000000000100 |\t0x0\t0x0\t0x3\n", NULL, EINVAL, "dts line 1: an entry line before",
	    "an entry before the Device line");
	bad("Device 0000:00:04.0 @0x2f6c000\n", NULL, EINVAL, "no 'IOVA_PFN' line", "no header");
	bad("hello\n", NULL, EINVAL, "dts line 1: 'hello' is not a line", "a foreign line");
	bad("Device zz @0x1000\n", NULL, EINVAL, "not followed by a PCI device name",
	    "a bad device");
	bad("Device 0000:00:04.0 @0x1234\n", NULL, EINVAL, "not 4 KiB aligned",
	    "a misaligned root");
	bad("Device 0000:00:04.0 with pasid -1 @0x1000\n", NULL, EINVAL, "hex PASID",
	    "a bad PASID");
	snprintf(buf, sizeof(buf), "%s%s", dev, dev);
	bad(buf, NULL, EINVAL, "a second 'Device' line", "two tables");
	snprintf(buf, sizeof(buf),
		 "%s0x0000000000100 |\t0x0\t0x0\t0x2fea003\t0x3000003\t0x5000003\n"
		 "0x0000000000101 |\t0x0\t0x0\t0x2fea003\t0x3000007\t0x5001003\n",
		 dev);
	bad(buf, NULL, EINVAL, "dts line 4: SS-PDE[0]", "an entry that changed between two lines");
	snprintf(buf, sizeof(buf), "%s0x0000000000101 |\t0x0\t0x0\t0x2fea003\t0x7000083\n", dev);
	bad(buf, NULL, EINVAL, "not aligned to the size of its leaf", "a 2M leaf at a 4K IOVA");
	snprintf(buf, sizeof(buf), "%s0x0000000000100 |\t0x0\t0x0\t0x2fea003\t0x0\t0x5000003\n",
		 dev);
	bad(buf, NULL, EINVAL, "a zero entry on the way", "a hole on the path");
	snprintf(buf, sizeof(buf), "%s0x0000000000100 |\t0x0\t0x0\t0x2fea003\t0x3000003\tzz\n",
		 dev);
	bad(buf, NULL, EINVAL, "an entry is not a 0x... number", "a bad entry");
	snprintf(buf, sizeof(buf), "%s0x0000000000100 |\t0x0\t0x0\n", dev);
	bad(buf, NULL, EINVAL, "not 3 to 5 entries", "two entries");
	snprintf(buf, sizeof(buf), "%s0x10000000000000 |\t0x0\t0x0\t0x2fea003\t0x3000003\t0x3\n",
		 dev);
	bad(buf, NULL, EINVAL, "beyond what the table's levels reach", "an IOVA past 39 bits");
	snprintf(buf, sizeof(buf),
		 "%s0x0000000000100 |\t0x0\t0x0\t0x2fea003\t0x3000003\t0x%0300d\n", dev, 3);
	bad(buf, NULL, EINVAL, "too long for a line", "an overlong line");
	bad(fs_dump, "amd-v1", EINVAL, "x86-64 (first stage) or vtd-ss", "--format amd-v1");
	bad(fs_dump, "x86-64,levels=5", EINVAL, "has 4 levels, not the 5",
	    "--format with 5 levels");
}

/* --- through a sysroot ------------------------------------------------------------------ */

static char root[64];

static void put_file(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd))
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void load_case(const char *dev, long long pasid, int err, const char *want, const char *what)
{
	struct ictl_pt_dbgfs d;
	int r = ictl_pt_dbgfs_load(ctx, dev, pasid, NULL, &d);

	if (!ok(err ? r == -err && strstr(ictl_strerror(ctx), want) : r == 0, "load: %s", what))
		printf("#   r=%d message: %s\n", r, ictl_strerror(ctx));
	if (!r)
		ictl_pt_dbgfs_clear(&d);
}

static void sysroot(void)
{
	static const char dir[] = "sys/kernel/debug/iommu/intel/0000:00:04.0";
	char path[512];
	struct ictl_pt_dbgfs d;
	int r;

	snprintf(root, sizeof(root), "/tmp/test-pt-debugfs.XXXXXX");
	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/sys", root);
	mkdir(path, 0755);
	ictl_ctx_free(ctx);
	if (ictl_ctx_new(&ctx, root) < 0) {
		ok(0, "a context on %s", root);
		return;
	}
	load_case("0000:00:04.0", -1, ENODEV, "debugfs is not mounted", "no debugfs");
	put_file("sys/kernel/debug/x", "");
	load_case("0000:00:04.0", -1, EOPNOTSUPP, "CONFIG_IOMMU_DEBUGFS", "no IOMMU debugfs");
	put_file("sys/kernel/debug/iommu/amd/x", "");
	load_case("0000:00:04.0", -1, EOPNOTSUPP, "no Intel VT-d unit is active", "AMD's only");
	put_file("sys/kernel/debug/iommu/intel/dmar_translation_struct", "");
	load_case("0000:00:09.0", -1, ENOENT, "no such device 0000:00:09.0", "no such device");
	put_file("sys/bus/pci/devices/0000:00:09.0/vendor", "0x1234\n");
	load_case("0000:00:09.0", -1, ENODEV, "no Intel VT-d unit translates for 0000:00:09.0",
		  "a device no unit translates for");
	put_file("sys/kernel/debug/iommu/intel/0000:00:04.0/domain_translation_struct", fs_dump);
	r = ictl_pt_dbgfs_load(ctx, "0000:00:04.0", -1, NULL, &d);
	ok(!r && d.leaves == 4 && !strncmp(d.cfg.name, "x86-64,", 7) &&
		   !strcmp(d.name, "/sys/kernel/debug/iommu/intel/0000:00:04.0/"
				   "domain_translation_struct"),
	   "load: the device's table, named by its path");
	if (!r)
		ictl_pt_dbgfs_clear(&d);
	load_case("0000:00:04.0", 0x1f, ENOENT, "0000:00:04.0 has no domain attached at PASID 31",
		  "a PASID without a domain");
	put_file("sys/kernel/debug/iommu/intel/0000:00:04.0/1f/domain_translation_struct",
		 "Device 0000:00:04.0 with pasid 1f @0x1000\n" HDR);
	load_case("0000:00:04.0", 0x1f, 0, "", "PASID 0x1f's table, in its hex directory");
	put_file("sys/kernel/debug/iommu/intel/0000:00:04.0/2/domain_translation_struct",
		 "Device 0000:00:04.0 with pasid 1f @0x1000\n" HDR);
	load_case("0000:00:04.0", 2, EINVAL, "the dump is of PASID 1f, not 2", "the wrong PASID");
	put_file("sys/kernel/debug/iommu/intel/0000:00:05.0/domain_translation_struct", fs_dump);
	load_case("0000:00:05.0", -1, EINVAL, "the dump is of 0000:00:04.0, not 0000:00:05.0",
		  "another device's dump");
	snprintf(path, sizeof(path), "%s/%s/3", root, dir);
	mkdir(path, 0755);
	strcat(path, "/domain_translation_struct");
	ok(mkfifo(path, 0600) == 0, "a FIFO in a PASID's place");
	load_case("0000:00:04.0", 3, EINVAL, "is not a regular file", "a FIFO, without blocking");
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path))
		diag("could not remove the sysroot");
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	good_dumps();
	bad_dumps();
	sysroot();
	ictl_ctx_free(ctx);
	return done_testing();
}
