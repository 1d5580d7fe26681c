// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * map-bench [REPS [MAX]]: what iommuctl's layers cost over the bare ioctls, in
 * a kernel with iommufd and its selftest mock (CONFIG_IOMMUFD_TEST; run in
 * the VM by `make bench-map`).  For each size from 4 KiB to MAX (1 GiB):
 *
 *   session  map then unmap SIZE of prefaulted memory in an IOAS with a mock
 *            device attached (so the pages are pinned and put in its domain):
 *            raw IOMMU_IOAS_MAP/UNMAP ioctls ("bare") against
 *            ictl_ioas_map()/ictl_ioas_unmap() of the session ("iommuctl");
 *   apply    the whole of a spec {IOAS, one anonymous mapping of SIZE at a
 *            fixed IOVA, a mock device on the IOAS}, made and destroyed:
 *            the raw ioctl sequence with mmap/munmap ("bare") against
 *            ictl_apply_run() + ictl_apply_free() of the parsed spec.
 *
 * The variants run interleaved REPS times, taking turns at which goes first
 * (REPS 15: 4 x REPS, at most 64, up to 1 MiB, where a round is a millisecond
 * or two; 5 from 256 MiB on, which under TCG pin for seconds) and the medians of wall and CPU time (this thread's, kernel included) are
 * printed, with the ratio iommuctl / bare of the same run.  One line per
 * size and kind:
 *   KIND SIZE bare_wall_us iommuctl_wall_us wall_ratio bare_cpu_us iommuctl_cpu_us cpu_ratio
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "internal.h"
#include "iommufd.h"
#include "spec.h"
#include "uapi/iommufd.h"

/* inside the mock's aperture (16 MiB .. 2 GiB - 1) */
#define IOVA ((uint64_t)0x1000000)
#define MAP_RW (ICTL_IOMMU_IOAS_MAP_FIXED_IOVA | ICTL_IOMMU_IOAS_MAP_READABLE | \
		ICTL_IOMMU_IOAS_MAP_WRITEABLE)

static struct ictl_ctx *ctx;
static struct ictl_iommufd *sess, *asess;	/* map/unmap's; apply's (it destroys all it holds) */
static int fd, afd;

static void die(const char *what, int err)
{
	fprintf(stderr, "map-bench: %s: %s%s%s\n", what, strerror(err), ctx ? ": " : "",
		ctx ? ictl_strerror(ctx) : "");
	exit(1);
}

struct t {
	double wall, cpu;
};

static struct t now(void)
{
	struct timespec w, c;

	clock_gettime(CLOCK_MONOTONIC, &w);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
	return (struct t){ w.tv_sec * 1e6 + w.tv_nsec / 1e3, c.tv_sec * 1e6 + c.tv_nsec / 1e3 };
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void raw_on(int f, unsigned long req, void *arg, const char *what)
{
	if (ioctl(f, req, arg) < 0)
		die(what, errno);
}

#define raw(req, arg, what) raw_on(fd, req, arg, what)
#define araw(req, arg, what) raw_on(afd, req, arg, what)

/* --- session: map and unmap in an IOAS that has a mock device --------------------- */

static uint32_t ioas;

static void bare_map(void *va, uint64_t len)
{
	struct ictl_iommu_ioas_map m = { .size = sizeof(m), .flags = MAP_RW, .ioas_id = ioas,
					 .user_va = (uintptr_t)va, .length = len, .iova = IOVA };
	struct ictl_iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = IOVA,
					   .length = len };

	raw(ICTL_IOMMU_IOAS_MAP, &m, "IOMMU_IOAS_MAP");
	raw(ICTL_IOMMU_IOAS_UNMAP, &u, "IOMMU_IOAS_UNMAP");
}

static void lib_map(void *va, uint64_t len)
{
	uint64_t iova = IOVA, n;
	int r = ictl_ioas_map(sess, ioas, MAP_RW, va, len, &iova);

	if (!r)
		r = ictl_ioas_unmap(sess, ioas, IOVA, len, &n);
	if (r < 0)
		die("ictl_ioas_map/unmap", -r);
}

/* --- apply: the whole spec, made and destroyed ---------------------------------- */

static void bare_apply(void *unused, uint64_t len)
{
	struct ictl_iommu_ioas_alloc a = { .size = sizeof(a) };
	struct ictl_iommu_test_cmd mk = { .size = sizeof(mk), .op = ICTL_IOMMU_TEST_OP_MOCK_DOMAIN };
	struct ictl_iommu_destroy d = { .size = sizeof(d) };
	void *va;

	(void)unused;
	araw(ICTL_IOMMU_IOAS_ALLOC, &a, "IOMMU_IOAS_ALLOC");
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		  0);
	if (va == MAP_FAILED)
		die("mmap", errno);
	madvise(va, len, MADV_DONTFORK);
	struct ictl_iommu_ioas_map m = { .size = sizeof(m), .flags = MAP_RW, .ioas_id = a.out_ioas_id,
					 .user_va = (uintptr_t)va, .length = len, .iova = IOVA };

	araw(ICTL_IOMMU_IOAS_MAP, &m, "IOMMU_IOAS_MAP");
	mk.id = a.out_ioas_id;
	araw(ICTL_IOMMU_TEST_CMD, &mk, "IOMMU_TEST_OP_MOCK_DOMAIN");
	d.id = mk.mock_domain.out_stdev_id;
	araw(ICTL_IOMMU_DESTROY, &d, "IOMMU_DESTROY (mock)");
	d.id = mk.mock_domain.out_hwpt_id;
	ioctl(afd, ICTL_IOMMU_DESTROY, &d); /* the auto domain goes with the device: may be gone */
	d.id = a.out_ioas_id;
	araw(ICTL_IOMMU_DESTROY, &d, "IOMMU_DESTROY (ioas)");
	munmap(va, len);
}

static struct ictl_spec spec;

static void lib_apply(void *unused, uint64_t len)
{
	struct ictl_apply *a = NULL;
	int r;

	(void)unused;
	(void)len;
	r = ictl_apply_run(ctx, &spec, asess, false, &a);
	if (r < 0)
		die("ictl_apply_run", -r);
	ictl_apply_free(a);
}

static void bench(const char *kind, uint64_t len, int reps, void *va,
		  void (*bare)(void *, uint64_t), void (*lib)(void *, uint64_t))
{
	double bw[64], lw[64], bc[64], lc[64], b, l, x, y;

	bare(va, len); /* warm: first faults, slab caches */
	lib(va, len);
	for (int i = 0; i < reps; i++) {
		/*
		 * In turns, which goes first: what one leaves the kernel to finish
		 * (freed pages, deferred frees) is then not always the other's cost.
		 */
		void (*first)(void *, uint64_t) = i % 2 ? lib : bare;
		void (*second)(void *, uint64_t) = i % 2 ? bare : lib;
		double *fw = i % 2 ? lw : bw, *fc = i % 2 ? lc : bc;
		double *sw = i % 2 ? bw : lw, *sc = i % 2 ? bc : lc;
		struct t t0 = now(), t1, t2;

		first(va, len);
		t1 = now();
		second(va, len);
		t2 = now();
		fw[i] = t1.wall - t0.wall;
		fc[i] = t1.cpu - t0.cpu;
		sw[i] = t2.wall - t1.wall;
		sc[i] = t2.cpu - t1.cpu;
	}
	b = median(bw, reps);
	l = median(lw, reps);
	x = median(bc, reps);
	y = median(lc, reps);
	printf("%-8s %10" PRIu64 " %12.1f %12.1f %6.3f %12.1f %12.1f %6.3f\n", kind, len, b, l, l / b,
	       x, y, y / x);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 15;
	uint64_t max = argc > 2 ? strtoull(argv[2], NULL, 0) : (1ull << 30);
	struct ictl_mock_dev md;
	char text[512];
	int r;

	if (reps < 1 || reps > 64)
		die("REPS must be 1..64", EINVAL);
	r = ictl_ctx_new(&ctx, NULL);
	if (!r)
		r = ictl_iommufd_open(ctx, &sess);
	if (!r)
		r = ictl_iommufd_open(ctx, &asess);
	if (!r)
		r = ictl_ioas_alloc(sess, "bench", &ioas);
	if (!r)
		r = ictl_mock_dev_add(sess, "mock", ioas, 0, &md);
	if (r < 0)
		die("setting up (needs /dev/iommu and CONFIG_IOMMUFD_TEST)", -r);
	fd = ictl_iommufd_fd(sess);
	afd = ictl_iommufd_fd(asess);
	printf("# kind         size    bare_wall_us iommuctl_wall_us ratio  bare_cpu_us iommuctl_cpu_us ratio\n");
	for (uint64_t len = 4096; len <= max; len *= 16) {
		void *va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (va == MAP_FAILED)
			die("mmap", errno);
		memset(va, 0x5a, len);
		/*
		 * Under TCG a 1 GiB pin takes seconds: fewer rounds for the big sizes.
		 * The small ones take a millisecond or two a round, and the guest's
		 * cost drifts by more than the goal: four times the rounds there.
		 */
		int n = len >= (1ull << 28) && reps > 5 ? 5 : reps;

		if (len <= (1ull << 20))
			n = reps * 4 > 64 ? 64 : reps * 4;

		bench("session", len, n, va, bare_map, lib_map);
		munmap(va, len);
		snprintf(text, sizeof(text),
			 "devices: [{name: m, mock: {ioas: ram}}]\n"
			 "ioas: [{name: ram, mappings: [{iova: %#" PRIx64 ", size: %#" PRIx64 ", memory: anon}]}]\n",
			 IOVA, len);
		if (ictl_spec_parse(ctx, "bench.yaml", text, strlen(text), &spec) < 0)
			die("the bench spec", EINVAL);
		bench("apply", len, n, NULL, bare_apply, lib_apply);
		ictl_spec_clear(&spec);
		if (len == (1ull << 28) && max >= (1ull << 30))
			len = (1ull << 30) / 16; /* 256M, then 1G */
	}
	ictl_iommufd_free(asess);
	ictl_iommufd_free(sess);
	ictl_ctx_free(ctx);
	return 0;
}
