// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's own IO page tables, as Intel's IOMMU debugfs prints them
 * (drivers/iommu/intel/debugfs.c, CONFIG_INTEL_IOMMU_DEBUGFS), for root:
 *
 *   /sys/kernel/debug/iommu/intel/DEVICE/domain_translation_struct
 *   /sys/kernel/debug/iommu/intel/DEVICE/PASID/domain_translation_struct
 *
 * The first holds the table of the device's own domain (RID_PASID in scalable
 * mode), the second, PASID in hex, that of a domain attached to a PASID.  The
 * text (tabs between the columns):
 *
 *   Device 0000:00:04.0 with pasid 0 @0x2f6c000      legacy mode: "Device 0000:00:04.0 @0x..."
 *   IOVA_PFN          PML5E               PML4E  ...  PTE
 *   0x0000000000100 |  0x0000000000000000  0x0000000002c00227  0x0000000002fea227  0x...227  0x...067
 *
 * then one line per leaf, in IOVA order: the IOVA's page frame number, and
 * the entries on the way from the root to the leaf, by level: PML5E, PML4E
 * and PDPE always (0 above the root of a 4- or 3-level table), the PDE unless
 * the PDPE maps a 1 GiB page, the PTE unless the PDE maps a 2 MiB page.  Lines
 * "DMA Remapping is not enabled on dmarN" may come first (other units of the
 * segment).  A domain the kernel does not walk (identity, blocking, a nested
 * first stage user space gave it) prints no "Device" line at all.
 *
 * The format is not printed.  Legacy mode has second-stage tables only
 * (vtd-ss).  In scalable mode the kernel's first-stage tables (x86-64) have
 * P, U/S and A set in every table entry (generic_pt's x86_64 install_table;
 * the older intel driver did the same), its second-stage ones R and W only.
 * A nested domain prints its nest parent, a second-stage table.
 *
 * The dump races with maps and unmaps (the kernel walks without the
 * domain's lock): two lines that disagree on an entry are an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-internal.h"

#define DBGFS_DIR "sys/kernel/debug/iommu/intel"

enum { S_START, S_DEVICE, S_ENTRIES };

void ictl_pt_dbgfs_init(struct ictl_pt_dbgfs *d, const char *name, const char *format)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->format, sizeof(d->format), "%s", format ? format : "");
}

void ictl_pt_dbgfs_clear(struct ictl_pt_dbgfs *d)
{
	free(d->keys);
	free(d->vals);
	d->keys = d->vals = NULL;
	d->n = d->cap = 0;
}

/* --- the entries, by address ------------------------------------------------------------- */

/* Addresses are 8-byte aligned: the key is the address with bit 0 set, and 0 is empty. */
static size_t slot(const uint64_t *keys, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key >> 3) * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);

	while (keys[i] && keys[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(struct ictl_pt_dbgfs *d)
{
	size_t cap = d->cap ? 2 * d->cap : 1024;
	uint64_t *keys = calloc(cap, sizeof(*keys)), *vals = malloc(cap * sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->cap; i++) {
		if (d->keys[i]) {
			size_t j = slot(keys, cap, d->keys[i]);

			keys[j] = d->keys[i];
			vals[j] = d->vals[i];
		}
	}
	free(d->keys);
	free(d->vals);
	d->keys = keys;
	d->vals = vals;
	d->cap = cap;
	return 0;
}

/* The entry at addr, or 0. */
static uint64_t get(const struct ictl_pt_dbgfs *d, uint64_t addr)
{
	size_t i;

	if (!d->cap)
		return 0;
	i = slot(d->keys, d->cap, addr | 1);
	return d->keys[i] ? d->vals[i] : 0;
}

/* Put entry h[index] = val of the table at table; an entry seen before must not change. */
static int put(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, uint64_t table, unsigned int h,
	       unsigned int index, uint64_t val)
{
	uint64_t addr = table + 8ull * index;
	size_t i;

	if (2 * (d->n + 1) > d->cap && grow(d) < 0)
		return ictl_err(ctx, ENOMEM, "%s: out of memory for its entries", d->name);
	i = slot(d->keys, d->cap, addr | 1);
	if (d->keys[i]) {
		char name[64];

		if (d->vals[i] == val)
			return 0;
		ictl_pt_entry_name(&d->cfg, h, index, addr, name, sizeof(name));
		return ictl_err_data(ctx, EINVAL,
				     "%s line %u: %s is 0x%016" PRIx64 " here and 0x%016" PRIx64
				     " on an earlier line: the table changed while the kernel "
				     "printed it (read it again)",
				     d->name, d->lineno, name, val, d->vals[i]);
	}
	d->keys[i] = addr | 1;
	d->vals[i] = val;
	d->n++;
	return 0;
}

const void *ictl_pt_dbgfs_read(void *priv, uint64_t addr, size_t len, void *buf)
{
	const struct ictl_pt_dbgfs *d = priv;
	uint64_t *out = buf;

	if ((addr & 7) || (len & 7) || addr + len < addr)
		return NULL;
	for (size_t i = 0; i < len / 8; i++)
		out[i] = htole64(get(d, addr + 8 * i));
	return buf;
}

/* --- the lines ------------------------------------------------------------------------------ */

static int bad(struct ictl_ctx *ctx, const struct ictl_pt_dbgfs *d, const char *what)
{
	return ictl_err_data(ctx, EINVAL, "%s line %u: %s", d->name, d->lineno, what);
}

/* "0x" and up to 16 hex digits at *p; moves *p past them. */
static int hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	unsigned int n = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -EINVAL;
	s += 2;
	for (*v = 0; n < 17; n++, s++) {
		int c = *s, x = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 :
						       -1;

		if (x < 0)
			break;
		if (n == 16)
			return -EINVAL;
		*v = *v << 4 | (uint64_t)x;
	}
	if (!n)
		return -EINVAL;
	*p = s;
	return 0;
}

static void skip_blank(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* "Device 0000:00:04.0 @0x2f6c000" or "Device 0000:00:04.0 with pasid 1f @0x2f6c000". */
static int device_line(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, const char *s)
{
	size_t n = strcspn(s, " ");
	const char *p = s + n;

	if (d->state != S_START)
		return bad(ctx, d, "a second 'Device' line: the dump holds one table");
	if (!n || n >= sizeof(d->device) || strspn(s, "0123456789abcdefABCDEF:.") != n)
		return bad(ctx, d, "'Device' is not followed by a PCI device name");
	memcpy(d->device, s, n);
	d->device[n] = '\0';
	if (!strncmp(p, " with pasid ", 12)) {
		char *end;
		unsigned long v;

		p += 12;
		errno = 0;
		v = strtoul(p, &end, 16);
		if (end == p || errno || v > UINT32_MAX || *p == '-' || *p == '+')
			return bad(ctx, d, "'with pasid' is not followed by a hex PASID");
		d->scalable = true;
		d->pasid = (uint32_t)v;
		p = end;
	}
	if (strncmp(p, " @", 2))
		return bad(ctx, d, "no '@0x...' root table address after the device");
	p += 2;
	if (hex(&p, &d->root) || *p)
		return bad(ctx, d, "the root table address is not a 0x... number");
	if (d->root & 0xfff)
		return bad(ctx, d, "the root table address is not 4 KiB aligned");
	d->have_table = true;
	d->state = S_DEVICE;
	return 0;
}

/*
 * The format of the table, from the first entry line: its levels from the
 * highest entry printed, its kind from the mode and the root entry's bits (see
 * the top of this file), unless the user named it.
 */
static int infer(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, const uint64_t path[6])
{
	unsigned int top = path[5] ? 5 : path[4] ? 4 : path[3] ? 3 : 0;
	char spec[sizeof(d->format) + 16];
	int r;

	if (!top)
		return bad(ctx, d, "no PML5E, PML4E or PDPE: no root entry");
	if (d->format[0]) {
		const char *name = strstr(d->format, "vtd-ss") == d->format ? "vtd-ss" : "x86-64";

		if (strncmp(d->format, name, strlen(name)) ||
		    (d->format[strlen(name)] && d->format[strlen(name)] != ','))
			return ictl_err(ctx, EINVAL,
					"--format %.40s: Intel's debugfs holds x86-64 (first "
					"stage) or vtd-ss (second stage) tables",
					d->format);
		snprintf(spec, sizeof(spec), "%s", d->format);
		if (!strstr(d->format, "levels="))
			snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), ",levels=%u",
				 top);
		d->format_why = "given";
	} else if (!d->scalable) {
		snprintf(spec, sizeof(spec), "vtd-ss,levels=%u", top);
		d->format_why = "legacy mode has second-stage tables only";
	} else if (top >= 4 && (path[top] & 0x25) == 0x25) {
		snprintf(spec, sizeof(spec), "x86-64,levels=%u", top);
		d->format_why =
			"scalable mode, P, U/S and A in the root entry: a first-stage table";
	} else {
		snprintf(spec, sizeof(spec), "vtd-ss,levels=%u", top);
		d->format_why =
			"scalable mode, no U/S and A in the root entry: a second-stage table";
	}
	r = ictl_pt_cfg_parse(ctx, spec, &d->cfg);
	if (r < 0)
		return r;
	if (d->cfg.levels != top)
		return ictl_err(ctx, EINVAL,
				"%s: the table has %u levels, not the %u of --format %s", d->name,
				top, d->cfg.levels, d->format);
	return 0;
}

/* The entries of one line back in their tables. */
static int store(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, uint64_t iova,
		 const uint64_t path[6], unsigned int leaf)
{
	const struct ictl_pt_cfg *cfg = &d->cfg;
	uint64_t table = d->root;

	for (unsigned int h = cfg->levels;; h--) {
		unsigned int index =
			(unsigned int)(iova >> cfg->shift[h]) & ((1u << cfg->bits[h]) - 1);
		struct ictl_pte pte;
		int r = put(ctx, d, table, h, index, path[h]);

		if (r < 0 || h == leaf)
			return r;
		ictl_pt_decode(cfg, h, path[h], &pte);
		/* What the engine does not take for a table, its walk reports, and stops at. */
		if (pte.type != ICTL_PTE_TABLE)
			return 0;
		table = pte.addr;
	}
}

/* "0x0000000000100 |\t0x...\t0x...\t0x...[\t0x...[\t0x...]]" */
static int entry_line(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, const char *s)
{
	uint64_t pfn, path[6] = { 0 }, iova;
	unsigned int n = 0, leaf = 0, levels;
	int r;

	if (d->state != S_ENTRIES)
		return bad(ctx, d, "an entry line before the 'Device' and 'IOVA_PFN' lines");
	if (hex(&s, &pfn))
		return bad(ctx, d, "the IOVA page frame number is not a 0x... number");
	skip_blank(&s);
	if (*s++ != '|')
		return bad(ctx, d, "no '|' after the IOVA page frame number");
	for (skip_blank(&s); *s && n < 5; skip_blank(&s), n++)
		if (hex(&s, &path[5 - n]))
			return bad(ctx, d, "an entry is not a 0x... number");
	if (*s || n < 3)
		return bad(ctx, d, "not 3 to 5 entries (PML5E, PML4E, PDPE[, PDE[, PTE]])");
	if (!d->cfg.fmt) {
		r = infer(ctx, d, path);
		if (r < 0)
			return r;
	}
	levels = d->cfg.levels;
	for (unsigned int h = 5; h > levels; h--)
		if (path[h])
			return bad(ctx, d, "an entry above the root level of the first line");
	for (unsigned int h = levels; h > 5 - n && path[h]; h--)
		leaf = h;
	if (!leaf)
		return bad(ctx, d, "no root entry");
	for (unsigned int h = leaf - 1; h > 5 - n; h--)
		if (path[h])
			return bad(ctx, d, "a zero entry on the way from the root to the leaf");
	if (pfn >> (d->cfg.ias - 12))
		return bad(ctx, d, "the IOVA is beyond what the table's levels reach");
	iova = pfn << 12;
	if (iova & (ictl_pt_entry_span(&d->cfg, leaf) - 1))
		return bad(ctx, d, "the IOVA is not aligned to the size of its leaf");
	d->leaves++;
	return store(ctx, d, iova, path, leaf);
}

static int line(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, char *s)
{
	static const char disabled[] = "DMA Remapping is not enabled on ";
	size_t n = strlen(s);

	d->lineno++;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	if (!n)
		return 0;
	if (!strncmp(s, "0x", 2))
		return entry_line(ctx, d, s);
	if (!strncmp(s, "Device ", 7))
		return device_line(ctx, d, s + 7);
	if (!strncmp(s, "IOVA_PFN", 8)) {
		if (d->state != S_DEVICE)
			return bad(ctx, d,
				   "an 'IOVA_PFN' line that does not follow a 'Device' line");
		d->state = S_ENTRIES;
		return 0;
	}
	if (!strncmp(s, disabled, strlen(disabled))) {
		snprintf(d->disabled, sizeof(d->disabled), "%.60s", s + strlen(disabled));
		return 0;
	}
	return ictl_err_data(ctx, EINVAL,
			     "%s line %u: '%.40s' is not a line of a domain_translation_struct "
			     "dump",
			     d->name, d->lineno, s);
}

int ictl_pt_dbgfs_feed(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int r;

		if (buf[i] != '\n') {
			if (d->len + 1 < sizeof(d->line))
				d->line[d->len++] = buf[i] ? buf[i] : '?';
			else
				d->overlong = true;
			continue;
		}
		d->line[d->len] = '\0';
		d->len = 0;
		if (d->overlong) {
			d->lineno++;
			return bad(ctx, d, "too long for a line of the dump");
		}
		r = line(ctx, d, d->line);
		if (r < 0)
			return r;
	}
	return 0;
}

int ictl_pt_dbgfs_end(struct ictl_ctx *ctx, struct ictl_pt_dbgfs *d)
{
	if (d->len || d->overlong) {
		int r = ictl_pt_dbgfs_feed(ctx, d, "\n", 1);

		if (r < 0)
			return r;
	}
	if (!d->have_table)
		return ictl_err(ctx, ENOENT,
				"%s shows no page table: the domain is identity (passthrough) or "
				"blocking, or one the kernel does not walk (a nested first "
				"stage)%s%s",
				d->name, d->disabled[0] ? "; DMA remapping is off on " : "",
				d->disabled);
	if (d->state != S_ENTRIES)
		return ictl_err_data(ctx, EINVAL, "%s: no 'IOVA_PFN' line after the 'Device' line",
				     d->name);
	if (!d->cfg.fmt) {
		/* No leaf: an empty table, whose format only --format can tell; 4 levels. */
		uint64_t path[6] = { 0, 0, 0, 0, 0x27, 0 };
		int r = infer(ctx, d, path);

		if (r < 0)
			return r;
		if (!d->format[0])
			d->format_why = "the table maps nothing: its format is a guess";
	}
	return 0;
}

/* --- the live files -------------------------------------------------------------------- */

/* Why path (under the root) cannot be opened, in words and an errno the CLI maps to a code. */
static int missing(struct ictl_ctx *ctx, const char *device, long long pasid, const char *path,
		   int err)
{
	char buf[256];
	struct strv v = { 0 };
	bool mounted;

	if (err == -EACCES || err == -EPERM)
		return ictl_err(ctx, EACCES, "/%s: permission denied: Intel's debugfs is root's",
				path);
	if (err != -ENOENT)
		return ictl_err_kernel(ctx, -err, "opening /%s: %s", path, strerror(-err));
	if (!sysfs_exists(ctx, "sys/kernel/debug/iommu")) {
		mounted = sysfs_list(ctx, "sys/kernel/debug", &v) == 0 && v.n;
		strv_clear(&v);
		if (!mounted)
			return ictl_err(ctx, ENODEV,
					"debugfs is not mounted on /sys/kernel/debug (mount -t "
					"debugfs none /sys/kernel/debug)");
		return ictl_err(ctx, EOPNOTSUPP,
				"the kernel has no IOMMU debugfs (/sys/kernel/debug/iommu): it "
				"needs CONFIG_IOMMU_DEBUGFS");
	}
	if (!sysfs_exists(ctx, DBGFS_DIR))
		return ictl_err(ctx, EOPNOTSUPP,
				"no /%s: no Intel VT-d unit is active, or the kernel lacks "
				"CONFIG_INTEL_IOMMU_DEBUGFS",
				DBGFS_DIR);
	snprintf(buf, sizeof(buf), DBGFS_DIR "/%s", device);
	if (!sysfs_exists(ctx, buf)) {
		snprintf(buf, sizeof(buf), "sys/bus/pci/devices/%s", device);
		if (!sysfs_exists(ctx, buf))
			return ictl_err(ctx, ENOENT, "no such device %s", device);
		return ictl_err(ctx, ENODEV,
				"no Intel VT-d unit translates for %s (no /" DBGFS_DIR "/%s)",
				device, device);
	}
	if (pasid <= 0)
		return ictl_err_kernel(ctx, ENOENT, "no /%s", path);
	return ictl_err(ctx, ENOENT, "%s has no domain attached at PASID %lld (no /%s)", device,
			pasid, path);
}

/* Read an opened dump: a regular file (debugfs or a capture), at most ICTL_PT_DBGFS_MAX bytes. */
static int read_dump(struct ictl_ctx *ctx, int fd, struct ictl_pt_dbgfs *d)
{
	char buf[65536];
	uint64_t total = 0;
	struct stat st;
	int r = 0;

	if (fstat(fd, &st) < 0)
		return ictl_err_kernel(ctx, errno, "%s: %s", d->name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ictl_err(ctx, EINVAL, "%s is not a regular file (a dump is one)", d->name);
	while (!r) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ictl_err_kernel(ctx, errno, "reading %s: %s", d->name,
					       strerror(errno));
		if (!n)
			return ictl_pt_dbgfs_end(ctx, d);
		total += (uint64_t)n;
		if (total > ICTL_PT_DBGFS_MAX)
			return ictl_err_data(ctx, EFBIG,
					     "%s is larger than %llu MiB: no table of this "
					     "machine is that large",
					     d->name, ICTL_PT_DBGFS_MAX >> 20);
		r = ictl_pt_dbgfs_feed(ctx, d, buf, (size_t)n);
	}
	return r;
}

int ictl_pt_dbgfs_load(struct ictl_ctx *ctx, const char *device, long long pasid,
		       const char *format, struct ictl_pt_dbgfs *d)
{
	char path[256];
	_cleanup_close_ int fd = -1;
	int r;

	if (pasid > 0)
		snprintf(path, sizeof(path), DBGFS_DIR "/%s/%llx/domain_translation_struct", device,
			 pasid);
	else
		snprintf(path, sizeof(path), DBGFS_DIR "/%s/domain_translation_struct", device);
	ictl_pt_dbgfs_init(d, "", format);
	snprintf(d->name, sizeof(d->name), "/%s", path);
	/* Non-blocking: a FIFO put in a capture's place must not hang the read. */
	fd = sysfs_open(ctx, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return missing(ctx, device, pasid, path, fd);
	r = read_dump(ctx, fd, d);
	if (!r && strcmp(d->device, device))
		r = ictl_err_data(ctx, EINVAL, "%s: the dump is of %s, not %s", d->name, d->device,
				  device);
	if (!r && d->scalable && d->pasid != (uint32_t)(pasid > 0 ? pasid : 0))
		r = ictl_err_data(ctx, EINVAL, "%s: the dump is of PASID %x, not %llx", d->name,
				  d->pasid, pasid > 0 ? pasid : 0);
	if (r < 0)
		ictl_pt_dbgfs_clear(d);
	return r;
}
