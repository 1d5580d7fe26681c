// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iofd CMD ARGS: ask the kernel, through the iommufd a program got from
 * "iommuctl apply SPEC -- COMMAND" (IOMMUCTL_IOMMUFD), what that iommufd
 * holds, by raw ioctls and without the library: the in-guest suite
 * (tests/bats/vm/apply.bats) checks apply's work with it, as a VMM would
 * find it.
 *
 *   iofd id NAME               the id of a named object (IOMMUCTL_OBJECTS)
 *   iofd iova NAME             the IOVA of a named mapping (IOMMUCTL_MAPPINGS)
 *   iofd unmap IOAS IOVA LEN   IOMMU_IOAS_UNMAP: "unmapped=N" or "error=ENAME"
 *   iofd destroy ID            IOMMU_DESTROY: "ok" or "error=ENAME"
 *   iofd ranges IOAS           IOMMU_IOAS_IOVA_RANGES: one "START-LAST" line per range
 *   iofd huge IOAS             IOMMU_OPTION GET HUGE_PAGES: "huge_pages=N"
 *   iofd mock-dirty HWPT IOVA PAGE...   IOMMU_TEST_OP_DIRTY: mark those 4K pages (indices
 *                              from IOVA) dirty in a mock paging HWPT: "marked=N"
 *   iofd trigger-vevent DEV    IOMMU_TEST_OP_TRIGGER_VEVENT: the vIOMMU of the mock device
 *                              (its device id) reports a vEVENT: "ok" or "error=ENAME"
 *   iofd trigger-iopf DEV ADDR [PASID]   IOMMU_TEST_OP_TRIGGER_IOPF: the mock device
 *                              faults at ADDR (read and write; group 0): "ok"
 *   iofd check-iotlb HWPT IDX VALUE      IOMMU_TEST_OP_MD_CHECK_IOTLB: "ok" when IOTLB
 *                              entry IDX of a mock nested HWPT holds VALUE, else "error=EINVAL"
 *   iofd check-cache DEV IDX VALUE       IOMMU_TEST_OP_DEV_CHECK_CACHE: the same for cache
 *                              entry IDX of a mock device (its device id)
 *
 * With IOFD_PID and IOFD_FD set, the iommufd is fd IOFD_FD of process IOFD_PID (taken
 * with pidfd_getfd: what 'iommuctl held --pid' does), not IOMMUCTL_IOMMUFD.
 *   iofd mock-check-map HWPT IOVA FILE OFFSET LEN   IOMMU_TEST_OP_MD_CHECK_MAP: does the
 *                              mock HWPT map IOVA.. to FILE's pages from OFFSET: "mapped"
 *
 *   iofd access-write IOAS IOVA BYTE LEN  IOMMU_TEST_OP_CREATE_ACCESS + ACCESS_RW: write
 *                              LEN bytes of BYTE at IOVA through an in-kernel access to
 *                              IOAS (the pages the IOAS maps, as a device would): "ok"
 *   iofd access-read IOAS IOVA LEN       the same, reading: "bytes=XX" when every byte is
 *                              XX (hex), else "first=XX..." (the first 8 bytes in hex)
 *   iofd pasid-check DEV PASID HWPT      IOMMU_TEST_OP_PASID_CHECK_HWPT: "ok" when PASID
 *                              of the mock device (its stdev id) is attached to HWPT (0: none)
 *
 * IOAS and ID are numbers or names of IOMMUCTL_OBJECTS; IOVA a number or a name of
 * IOMMUCTL_MAPPINGS.  Exit status: 0 the
 * ioctl was answered (success or an errno, printed), 2 bad usage or environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uapi/iommufd.h"

static int fd = -1;

static int usage(const char *why)
{
	fprintf(stderr, "iofd: %s\n", why);
	return 2;
}

/* NAME's value in a "name=value ..." variable; 0 when not there. */
static int lookup(const char *var, const char *name, unsigned long long *v)
{
	const char *list = getenv(var), *p;
	size_t n = strlen(name);

	for (p = list; p && *p;) {
		if (!strncmp(p, name, n) && p[n] == '=') {
			*v = strtoull(p + n + 1, NULL, 0);
			return 1;
		}
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* A number, or a name of IOMMUCTL_OBJECTS (an id) or IOMMUCTL_MAPPINGS (an IOVA). */
static unsigned long long num(const char *s)
{
	unsigned long long v;
	char *end;

	v = strtoull(s, &end, 0);
	if (*s && !*end)
		return v;
	if (!lookup("IOMMUCTL_OBJECTS", s, &v) && !lookup("IOMMUCTL_MAPPINGS", s, &v)) {
		fprintf(stderr, "iofd: no object or mapping %s in IOMMUCTL_OBJECTS or _MAPPINGS\n", s);
		exit(2);
	}
	return v;
}

static int answer(int r)
{
	if (r < 0)
		printf("error=%s\n", strerrorname_np(errno));
	return 0;
}

/*
 * The selftest operations only this probe uses, in our own words (the numbers and
 * layout of the kernel's iommufd_test.h): the same IOMMU_TEST_CMD, another view of
 * its union.
 */
enum { IOFD_OP_CREATE_ACCESS = 5, IOFD_OP_ACCESS_RW = 8, IOFD_OP_PASID_CHECK_HWPT = 21 };
#define IOFD_ACCESS_RW_WRITE 1u
struct iofd_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t __reserved;
	union {
		struct {
			uint32_t out_access_fd;
			uint32_t flags;
		} create_access;
		struct {
			ICTL_ALIGNED_U64 iova;
			ICTL_ALIGNED_U64 length;
			ICTL_ALIGNED_U64 uptr;
			uint32_t flags;
		} access_rw;
		struct {
			uint32_t pasid;
			uint32_t hwpt_id;
		} pasid_check;
		ICTL_ALIGNED_U64 __union_size[6];
	};
	uint32_t last;
};
_Static_assert(sizeof(struct iofd_test_cmd) == sizeof(struct ictl_iommu_test_cmd),
	       "IOMMU_TEST_CMD: one size");

/* access-write IOAS IOVA BYTE LEN, access-read IOAS IOVA LEN */
static int access_rw(int argc, char **argv)
{
	bool wr = !strcmp(argv[1], "access-write");
	unsigned long long len = num(argv[wr ? 5 : 4]);
	struct iofd_test_cmd c = { .size = sizeof(c), .op = IOFD_OP_CREATE_ACCESS,
				   .id = (uint32_t)num(argv[2]) };
	unsigned char *buf;
	int afd, r;

	if (argc != (wr ? 6 : 5) || !len || len > (64u << 20))
		return usage("access-write IOAS IOVA BYTE LEN | access-read IOAS IOVA LEN (LEN up to 64M)");
	buf = calloc(1, len);
	if (!buf)
		return usage("out of memory");
	if (ioctl(fd, ICTL_IOMMU_TEST_CMD, &c))
		return answer(-1);
	afd = (int)c.create_access.out_access_fd;
	if (wr)
		memset(buf, (int)num(argv[4]), len);
	c = (struct iofd_test_cmd){ .size = sizeof(c), .op = IOFD_OP_ACCESS_RW, .id = (uint32_t)afd };
	c.access_rw.iova = num(argv[3]);
	c.access_rw.length = len;
	c.access_rw.uptr = (uintptr_t)buf;
	c.access_rw.flags = wr ? IOFD_ACCESS_RW_WRITE : 0;
	r = ioctl(fd, ICTL_IOMMU_TEST_CMD, &c);
	if (r)
		answer(-1);
	else if (wr)
		printf("ok\n");
	else if (!memcmp(buf, buf + 1, len - 1))	/* every byte the same */
		printf("bytes=%02x\n", buf[0]);
	else
		printf("first=%02x%02x%02x%02x%02x%02x%02x%02x\n", buf[0], buf[1 % len], buf[2 % len],
		       buf[3 % len], buf[4 % len], buf[5 % len], buf[6 % len], buf[7 % len]);
	close(afd);
	free(buf);
	return 0;
}

static int pasid_check(char **argv)
{
	struct iofd_test_cmd c = { .size = sizeof(c), .op = IOFD_OP_PASID_CHECK_HWPT,
				   .id = (uint32_t)num(argv[2]) };

	c.pasid_check.pasid = (uint32_t)num(argv[3]);
	c.pasid_check.hwpt_id = (uint32_t)num(argv[4]);
	if (ioctl(fd, ICTL_IOMMU_TEST_CMD, &c))
		return answer(-1);
	printf("ok\n");
	return 0;
}

/* The selftest's trigger and check operations (IOMMU_TEST_CMD). */
static int mock_ops(int argc, char **argv)
{
	struct ictl_iommu_test_cmd c = { .size = sizeof(c) };

	if (!strcmp(argv[1], "trigger-vevent") && argc == 3) {
		c.op = ICTL_IOMMU_TEST_OP_TRIGGER_VEVENT;
		c.trigger_vevent.dev_id = (uint32_t)num(argv[2]);
	} else if (!strcmp(argv[1], "trigger-iopf") && (argc == 4 || argc == 5)) {
		c.op = ICTL_IOMMU_TEST_OP_TRIGGER_IOPF;
		c.trigger_iopf.dev_id = (uint32_t)num(argv[2]);
		c.trigger_iopf.addr = num(argv[3]);
		c.trigger_iopf.pasid = argc == 5 ? (uint32_t)num(argv[4]) : 0; /* IOMMU_NO_PASID */
		c.trigger_iopf.perm = ICTL_IOMMU_PGFAULT_PERM_READ | ICTL_IOMMU_PGFAULT_PERM_WRITE;
	} else if (!strcmp(argv[1], "check-iotlb") && argc == 5) {
		c.op = ICTL_IOMMU_TEST_OP_MD_CHECK_IOTLB;
		c.id = (uint32_t)num(argv[2]);
		c.check_iotlb.id = (uint32_t)num(argv[3]);
		c.check_iotlb.iotlb = (uint32_t)num(argv[4]);
	} else if (!strcmp(argv[1], "check-cache") && argc == 5) {
		c.op = ICTL_IOMMU_TEST_OP_DEV_CHECK_CACHE;
		c.id = (uint32_t)num(argv[2]);
		c.check_dev_cache.id = (uint32_t)num(argv[3]);
		c.check_dev_cache.cache = (uint32_t)num(argv[4]);
	} else {
		return usage("unknown command or wrong arguments");
	}
	if (ioctl(fd, ICTL_IOMMU_TEST_CMD, &c))
		return answer(-1);
	printf("ok\n");
	return 0;
}

/*
 * mock-check-map HWPT IOVA FILE OFFSET LENGTH: does the mock HWPT map IOVA..
 * to the pages of FILE from OFFSET (IOMMU_TEST_OP_MD_CHECK_MAP)?  FILE may be
 * another process's memfd (/proc/PID/fd/N): the same pages.
 */
static int mock_check_map(char **argv)
{
	unsigned long long off = strtoull(argv[5], NULL, 0), len = num(argv[6]);
	struct ictl_iommu_test_cmd c = { .size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_MD_CHECK_MAP,
					 .id = (uint32_t)num(argv[2]) };
	int mfd = open(argv[4], O_RDONLY | O_CLOEXEC);
	void *va;

	if (mfd < 0)
		return usage("cannot open FILE");
	va = mmap(NULL, len, PROT_READ, MAP_SHARED, mfd, (off_t)off);
	close(mfd);
	if (va == MAP_FAILED)
		return usage("cannot mmap FILE at OFFSET");
	c.check_map.iova = num(argv[3]);
	c.check_map.length = len;
	c.check_map.uptr = (uintptr_t)va;
	if (ioctl(fd, ICTL_IOMMU_TEST_CMD, &c))
		return answer(-1);
	printf("mapped\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *ifd = getenv("IOMMUCTL_IOMMUFD");
	const char *opid = getenv("IOFD_PID"), *ofd = getenv("IOFD_FD");
	unsigned long long v;

	if (argc < 3)
		return usage("usage: iofd id|iova|unmap|destroy|ranges|huge ARGS");
	if (!strcmp(argv[1], "id") || !strcmp(argv[1], "iova")) {
		if (!lookup(argv[1][0] == 'i' && argv[1][1] == 'd' ? "IOMMUCTL_OBJECTS" :
			    "IOMMUCTL_MAPPINGS", argv[2], &v))
			return usage("no such name in the environment");
		printf(argv[1][1] == 'd' ? "%llu\n" : "%#llx\n", v);
		return 0;
	}
	if (opid && ofd) {
		int pidfd = (int)syscall(SYS_pidfd_open, atoi(opid), 0);

		fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, atoi(ofd), 0);
		if (fd < 0) {
			fprintf(stderr, "iofd: fd %s of process %s: %s\n", ofd, opid, strerror(errno));
			return 2;
		}
	} else if (!ifd) {
		return usage("no IOMMUCTL_IOMMUFD: run me under iommuctl apply SPEC -- ...");
	} else {
		fd = atoi(ifd);
	}
	if (!strcmp(argv[1], "unmap") && argc == 5) {
		struct ictl_iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = (uint32_t)num(argv[2]),
						   .iova = num(argv[3]), .length = num(argv[4]) };

		if (ioctl(fd, ICTL_IOMMU_IOAS_UNMAP, &u))
			return answer(-1);
		printf("unmapped=%#llx\n", (unsigned long long)u.length);
		return 0;
	}
	if (!strcmp(argv[1], "destroy")) {
		struct ictl_iommu_destroy d = { .size = sizeof(d), .id = (uint32_t)num(argv[2]) };

		if (ioctl(fd, ICTL_IOMMU_DESTROY, &d) == 0)
			printf("ok\n");
		else
			answer(-1);
		return 0;
	}
	if (!strcmp(argv[1], "ranges")) {
		struct ictl_iommu_iova_range r[64];
		struct ictl_iommu_ioas_iova_ranges q = { .size = sizeof(q),
							 .ioas_id = (uint32_t)num(argv[2]),
							 .num_iovas = 64,
							 .allowed_iovas = (uintptr_t)r };

		if (ioctl(fd, ICTL_IOMMU_IOAS_IOVA_RANGES, &q))
			return answer(-1);
		for (uint32_t i = 0; i < q.num_iovas && i < 64; i++)
			printf("%#llx-%#llx\n", (unsigned long long)r[i].start,
			       (unsigned long long)r[i].last);
		return 0;
	}
	if (!strcmp(argv[1], "huge")) {
		struct ictl_iommu_option o = { .size = sizeof(o),
					       .option_id = ICTL_IOMMU_OPTION_HUGE_PAGES,
					       .op = ICTL_IOMMU_OPTION_OP_GET,
					       .object_id = (uint32_t)num(argv[2]) };

		if (ioctl(fd, ICTL_IOMMU_OPTION, &o))
			return answer(-1);
		printf("huge_pages=%llu\n", (unsigned long long)o.val64);
		return 0;
	}
	if (!strcmp(argv[1], "mock-dirty") && argc >= 5) {
		uint64_t bm[64] = { 0 }, last = 0;
		struct ictl_iommu_test_cmd c = { .size = sizeof(c), .op = ICTL_IOMMU_TEST_OP_DIRTY,
						 .id = (uint32_t)num(argv[2]) };

		for (int i = 4; i < argc; i++) {
			unsigned long long p = strtoull(argv[i], NULL, 0);

			if (p >= 64 * 64)
				return usage("a page index past 4095");
			bm[p / 64] |= 1ULL << (p % 64);
			last = p > last ? p : last;
		}
		c.dirty.iova = num(argv[3]);
		c.dirty.length = (last / 64 + 1) * 64 * 4096;
		c.dirty.page_size = 4096;
		c.dirty.uptr = (uintptr_t)bm;
		if (ioctl(fd, ICTL_IOMMU_TEST_CMD, &c))
			return answer(-1);
		printf("marked=%llu\n", (unsigned long long)c.dirty.out_nr_dirty);
		return 0;
	}
	if (!strcmp(argv[1], "mock-check-map") && argc == 7)
		return mock_check_map(argv);
	if (!strcmp(argv[1], "access-write") || !strcmp(argv[1], "access-read"))
		return access_rw(argc, argv);
	if (!strcmp(argv[1], "pasid-check") && argc == 5)
		return pasid_check(argv);
	return mock_ops(argc, argv);
}
