// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptlive-hold DEVICE OUTDIR: hold mappings of user memory in an IOAS that
 * DEVICE (claimed, on vfio-pci) is attached to, say where that memory is,
 * make QEMU's edu device DMA through it, and wait, so that
 * tests/bats/vm/ptlive.bats can compare what `iommuctl pt dump --debugfs`
 * reads from the kernel's tables with the truth.
 *
 * Everything goes through one libiommuctl iommufd session.  The mappings
 * (every IOVA below 256 MiB: edu's DMA mask is 28 bits):
 *   anon     0x100000  32 pages of anonymous memory, read/write, one mapping
 *   scatter  0x200000  8 anonymous pages mapped one by one, in a shuffled order
 *   memfd    0x300000  16 pages of a memfd (IOMMU_IOAS_MAP_FILE), read/write
 *   ro       0x380000  2 anonymous pages, read-only for the device
 *   huge     0x400000  one 2 MiB hugetlb page, when the kernel has one to give
 * The ground truth is read after the mappings pinned the memory, from
 * /proc/self/pagemap (as root it holds page frame numbers):
 *   OUTDIR/pages     "IOVA PHYS PERMS NAME", one line per 4 KiB page
 *   OUTDIR/mappings  a mapping file (iommuctl-pt(8)): "IOVA SIZE PHYS PERMS", one line
 *                    per run of pages contiguous in IOVA and physical memory
 *   OUTDIR/info      key=value: dev_id, ioas, hwpt, huge, memfd, the IOVA ranges
 * Then, through edu's DMA engine (QEMU docs/specs/edu.rst; registers in
 * BAR0 reached with pread/pwrite on the VFIO device fd):
 *   - for each scatter page at IOVA x, the text "dma to iova 0x<x>" is written
 *     into anon's first page, read by the device from IOVA 0x100000 into its
 *     buffer and written back out to IOVA x;
 *   - the device writes to the read-only pages and to an IOVA nothing maps
 *     (0xff00000): the IOMMU must refuse both (the kernel logs the faults);
 *   OUTDIR/dma       "PHYS TEXT" per scatter page, the page's physical address
 *                    and the text found at its start, read through the CPU
 *   OUTDIR/ro        what the read-only pages hold after the refused write
 * OUTDIR/ready marks the end of all this.  SIGUSR1 then unmaps anon and
 * memfd (OUTDIR/unmapped names them); SIGTERM or SIGINT ends the run
 * (everything is destroyed with the session).  Errors: one line on stderr,
 * exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"
#include "internal.h"
#include "iommufd.h"

#define PAGE ((uint64_t)4096)
#define UNMAPPED_IOVA ((uint64_t)0xff00000)

struct buf {
	const char *name;
	uint64_t iova;
	size_t len;
	uint32_t flags;
	uint8_t *va;
	bool mapped;
	bool file;
	int fd;
};

enum { B_ANON, B_SCATTER, B_MEMFD, B_RO, B_HUGE, B_COUNT };

static const unsigned int scatter_slot[8] = { 0, 5, 2, 7, 4, 1, 6, 3 };

static struct ictl_ctx *ctx;
static struct ictl_iommufd *s;
static uint32_t ioas, dev_id, hwpt;
static struct edu edu;
static const char *outdir;

static void die(const char *what, int r)
{
	fprintf(stderr, "ptlive-hold: %s: %s\n", what,
		r < 0 && ctx && ictl_strerror(ctx)[0] ? ictl_strerror(ctx) :
							strerror(r < 0 ? -r : r));
	exit(1);
}

static FILE *out_open(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	return f;
}

static void out_close(FILE *f, const char *name)
{
	if (fclose(f))
		die(name, errno);
}

/* --- the memory ---------------------------------------------------------------------- */

static uint32_t rw(void)
{
	return ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE |
	       ICTL_IOMMU_IOAS_MAP_FIXED_IOVA;
}

static void map_one(struct buf *b, uint8_t *va, uint64_t iova, size_t len)
{
	uint64_t at = iova;
	int r = b->file ? ictl_ioas_map_file(s, ioas, b->flags, b->fd, (uint64_t)(va - b->va), len,
					     &at) :
			  ictl_ioas_map(s, ioas, b->flags, va, len, &at);

	if (r < 0)
		die(b->name, r);
}

static bool alloc_buf(struct buf *b)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;

	if (b->file) {
		b->fd = memfd_create("ptlive-hold", MFD_CLOEXEC);
		if (b->fd < 0 || ftruncate(b->fd, (off_t)b->len) < 0)
			die("memfd", errno);
		b->va = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, b->fd,
			     0);
	} else {
		if (b->len >= (2u << 20))
			flags |= MAP_HUGETLB;
		b->va = mmap(NULL, b->len, PROT_READ | PROT_WRITE, flags, -1, 0);
	}
	if (b->va == MAP_FAILED) {
		if (b->len >= (2u << 20))
			return false; /* no hugetlb page to give */
		die(b->name, errno);
	}
	for (size_t o = 0; o < b->len; o += PAGE)
		snprintf((char *)b->va + o, 64, "%s page %zu", b->name, (size_t)(o / PAGE));
	return true;
}

static void map_bufs(struct buf *v)
{
	for (int i = 0; i < B_COUNT; i++) {
		struct buf *b = &v[i];

		if (!alloc_buf(b))
			continue;
		if (i == B_SCATTER) {
			for (size_t k = 0; k < b->len / PAGE; k++)
				map_one(b, b->va + k * PAGE, b->iova + scatter_slot[k] * PAGE,
					PAGE);
		} else {
			map_one(b, b->va, b->iova, b->len);
		}
		b->mapped = true;
	}
}

/* The IOVA of byte off of b. */
static uint64_t iova_of(const struct buf *b, size_t off)
{
	if (!strcmp(b->name, "scatter"))
		return b->iova + scatter_slot[off / PAGE] * PAGE + off % PAGE;
	return b->iova + off;
}

/* The physical address of the page at va, from /proc/self/pagemap; 0 when not present. */
static uint64_t phys_of(int pm, const void *va)
{
	uint64_t e;

	if (pread(pm, &e, sizeof(e), (off_t)((uintptr_t)va / PAGE * sizeof(e))) != sizeof(e))
		die("reading /proc/self/pagemap", errno);
	if (!(e >> 63) || !(e & ((1ull << 55) - 1)))
		return 0;
	return (e & ((1ull << 55) - 1)) * PAGE;
}

struct page {
	uint64_t iova, phys;
	const struct buf *b;
};

static int cmp_page(const void *x, const void *y)
{
	const struct page *a = x, *b = y;

	return a->iova < b->iova ? -1 : a->iova > b->iova;
}

static const char *perms(const struct buf *b)
{
	return b->flags & ICTL_IOMMU_IOAS_MAP_WRITEABLE ? "rw" : "r";
}

/* pages and mappings: the truth, from pagemap, in IOVA order. */
static void write_truth(const struct buf *v)
{
	struct page *p = NULL;
	size_t n = 0, cap = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	FILE *f, *m;

	if (pm < 0)
		die("/proc/self/pagemap", errno);
	for (int i = 0; i < B_COUNT; i++) {
		for (size_t o = 0; v[i].mapped && o < v[i].len; o += PAGE) {
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				p = realloc(p, cap * sizeof(*p));
				if (!p)
					die("pages", ENOMEM);
			}
			p[n].iova = iova_of(&v[i], o);
			p[n].phys = phys_of(pm, v[i].va + o);
			p[n].b = &v[i];
			if (!p[n].phys)
				die("pagemap shows no page frame (not root?)", EPERM);
			n++;
		}
	}
	close(pm);
	qsort(p, n, sizeof(*p), cmp_page);
	f = out_open("pages");
	m = out_open("mappings");
	fprintf(m, "# IOVA SIZE PHYS PERMS: what ptlive-hold mapped, from /proc/self/pagemap\n");
	for (size_t i = 0, start = 0; i < n; i++) {
		fprintf(f, "0x%" PRIx64 " 0x%" PRIx64 " %s %s\n", p[i].iova, p[i].phys,
			perms(p[i].b), p[i].b->name);
		if (i + 1 < n && p[i + 1].iova == p[i].iova + PAGE &&
		    p[i + 1].phys == p[i].phys + PAGE && p[i + 1].b->flags == p[i].b->flags)
			continue;
		fprintf(m, "0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " %s\n", p[start].iova,
			(uint64_t)(i + 1 - start) * PAGE, p[start].phys, perms(p[i].b));
		start = i + 1;
	}
	out_close(f, "pages");
	out_close(m, "mappings");
	free(p);
}

/* --- edu ----------------------------------------------------------------------------- */

static void edu_setup(void)
{
	const struct ictl_iommufd_obj *o = ictl_iommufd_find(s, dev_id);
	const char *what;
	int r = edu_open(&edu, o->fd, &what);

	if (r < 0)
		die(what, -r);
}

static void dma_or_die(uint64_t src, uint64_t dst, bool to_ram)
{
	int r = edu_dma(&edu, src, dst, to_ram);

	if (r < 0)
		die(r == -ETIMEDOUT ? "edu's DMA did not finish" : "edu", -r);
}

static void dma(const struct buf *v)
{
	const struct buf *src = &v[B_ANON], *sc = &v[B_SCATTER];
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	FILE *f = out_open("dma");

	if (pm < 0)
		die("/proc/self/pagemap", errno);
	for (size_t k = 0; k < sc->len / PAGE; k++) {
		uint64_t x = iova_of(sc, k * PAGE);

		memset(src->va, 0, EDU_DMA_LEN);
		snprintf((char *)src->va, EDU_DMA_LEN, "dma to iova 0x%" PRIx64, x);
		dma_or_die(src->iova, EDU_BUF, false);
		dma_or_die(EDU_BUF, x, true);
	}
	for (size_t k = 0; k < sc->len / PAGE; k++) {
		const char *t = (const char *)sc->va + k * PAGE;

		fprintf(f, "0x%" PRIx64 " %.*s\n", phys_of(pm, t), (int)strnlen(t, 64), t);
	}
	out_close(f, "dma");
	close(pm);
	/* Refused: a write to read-only pages, and one to an IOVA nothing maps. */
	memset(src->va, 0, EDU_DMA_LEN);
	strcpy((char *)src->va, "written through a read-only mapping");
	dma_or_die(src->iova, EDU_BUF, false);
	dma_or_die(EDU_BUF, v[B_RO].iova, true);
	dma_or_die(EDU_BUF, UNMAPPED_IOVA, true);
	f = out_open("ro");
	fprintf(f, "%.64s\n", (const char *)v[B_RO].va);
	out_close(f, "ro");
}

/* --- the run ------------------------------------------------------------------------- */

static void info(const struct buf *v)
{
	struct ictl_iommu_iova_range *r;
	uint64_t align;
	int n = ictl_ioas_iova_ranges(s, ioas, &r, &align);
	FILE *f = out_open("info");

	fprintf(f, "dev_id=%u\nioas=%u\nhwpt=%u\nhuge=%d\nmemfd=%d\n", dev_id, ioas, hwpt,
		v[B_HUGE].mapped, v[B_MEMFD].mapped);
	for (int i = 0; i < n; i++)
		fprintf(f, "range=0x%" PRIx64 "-0x%" PRIx64 "\n", (uint64_t)r[i].start,
			(uint64_t)r[i].last);
	if (n > 0)
		free(r);
	out_close(f, "info");
}

static void mark(const char *name, const char *text)
{
	FILE *f = out_open(name);

	fputs(text, f);
	out_close(f, name);
}

int main(int argc, char **argv)
{
	struct buf v[B_COUNT] = {
		[B_ANON] = { "anon", 0x100000, 32 * PAGE, 0, NULL, false, false, -1 },
		[B_SCATTER] = { "scatter", 0x200000, 8 * PAGE, 0, NULL, false, false, -1 },
		[B_MEMFD] = { "memfd", 0x300000, 16 * PAGE, 0, NULL, false, true, -1 },
		[B_RO] = { "ro", 0x380000, 2 * PAGE, 0, NULL, false, false, -1 },
		[B_HUGE] = { "huge", 0x400000, 2u << 20, 0, NULL, false, false, -1 },
	};
	sigset_t set;
	int sig, r;

	if (argc != 3) {
		fprintf(stderr, "usage: ptlive-hold DEVICE OUTDIR\n");
		return 2;
	}
	outdir = argv[2];
	for (int i = 0; i < B_COUNT; i++)
		v[i].flags = i == B_RO ?
				     ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_FIXED_IOVA :
				     rw();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r = ictl_ctx_new(&ctx, NULL);
	if (r < 0)
		die("context", r);
	r = ictl_iommufd_open(ctx, &s);
	if (r == 0)
		r = ictl_ioas_alloc(s, "ram", &ioas);
	if (r == 0)
		r = ictl_dev_bind(s, "edu", argv[1], &dev_id);
	hwpt = ioas;
	if (r == 0)
		r = ictl_dev_attach(s, dev_id, ICTL_NO_PASID, &hwpt);
	if (r < 0)
		die(argv[1], r);
	map_bufs(v);
	info(v);
	write_truth(v);
	edu_setup();
	dma(v);
	mark("ready", "ready\n");
	while (!sigwait(&set, &sig) && sig == SIGUSR1) {
		uint64_t n;

		for (int i = B_ANON; i <= B_MEMFD; i += B_MEMFD - B_ANON) {
			r = ictl_ioas_unmap(s, ioas, v[i].iova, v[i].len, &n);
			if (r < 0)
				die(v[i].name, r);
		}
		mark("unmapped", "anon memfd\n");
	}
	ictl_iommufd_free(s);
	ictl_ctx_free(ctx);
	return 0;
}
