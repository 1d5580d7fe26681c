// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioas-smoke [DEVICE]: drive iommufd through libiommuctl, one step after the
 * other, and print what each step gave as key=value lines for
 * tests/bats/vm/iommufd.bats to check against the kernel's own view.
 *
 * DEVICE is a device bound to vfio-pci ("0000:00:04.0") or its cdev
 * ("vfio0").  Without one, the kernel's selftest mock device is used
 * (CONFIG_IOMMUFD_TEST), with a reserved range added to the IOAS first.
 * Everything is made through one iommufd session and destroyed by it at the
 * end (destroy_all=ok when the kernel took every IOMMU_DESTROY).
 *
 * A failed step prints "STEP.error=ERRNO message" and the run goes on where
 * it can.  Exit status: 0 every step worked, 1 some failed, 3 no /dev/iommu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "iommufd.h"

#define BUF_LEN (1u << 20)
#define MAP_LEN (64u << 10)
#define MOCK_RESV_START 0x40000000u
#define MOCK_RESV_LEN 0x100000u

struct smoke {
	struct ictl_ctx *ctx;
	struct ictl_iommufd *s;
	uint32_t ioas;
	uint32_t dev_id;
	bool mock;
	struct ictl_mock_dev md;
	uint8_t *buf;
	uint64_t align;
	uint64_t iova;		/* a free, aligned IOVA inside the first usable range */
	int failed;
};

static int step_err(struct smoke *s, const char *step, int r)
{
	printf("%s.error=%s %s\n", step, strerrorname_np(-r), ictl_strerror(s->ctx));
	s->failed++;
	return r;
}

/* VFIO_DEVICE_GET_INFO of the bound device: what vfio-pci says of every PCI device. */
static void dev_info(struct smoke *s)
{
	struct ictl_vfio_device_info info;
	int r = ictl_dev_get_info(s->s, s->dev_id, &info);

	if (r < 0) {
		step_err(s, "info", r);
		return;
	}
	printf("info.pci=%d\ninfo.num_regions=%u\ninfo.num_irqs=%u\n",
	       !!(info.flags & ICTL_VFIO_DEVICE_FLAGS_PCI), info.num_regions, info.num_irqs);
}

static int attach_device(struct smoke *s, const char *dev)
{
	const struct ictl_iommufd_obj *o;
	uint32_t pt = s->ioas;
	int r;

	if (!dev) {
		s->mock = true;
		r = ictl_mock_add_reserved(s->s, s->ioas, MOCK_RESV_START, MOCK_RESV_LEN);
		if (r < 0)
			return step_err(s, "mock", r);
		r = ictl_mock_dev_add(s->s, "mock", s->ioas, 0, &s->md);
		if (r < 0)
			return step_err(s, "mock", r);
		s->dev_id = s->md.dev_id;
		printf("device=mock\nmock.hwpt=%u\n", s->md.hwpt_id);
	} else {
		r = ictl_dev_bind(s->s, "dev", dev, &s->dev_id);
		if (r == 0)
			r = ictl_dev_attach(s->s, s->dev_id, ICTL_NO_PASID, &pt);
		if (r < 0)
			return step_err(s, "bind", r);
		o = ictl_iommufd_find_name(s->s, "dev");
		printf("device=%s\ncdev=%s\nattach.hwpt=%u\n", o->device, o->cdev, pt);
		dev_info(s);
	}
	printf("dev_id=%u\n", s->dev_id);
	return 0;
}

/* Print the ranges and choose s->iova: 1 MiB into the first range that holds the buffer. */
static int iova_ranges(struct smoke *s)
{
	struct ictl_iommu_iova_range *v;
	int n = ictl_ioas_iova_ranges(s->s, s->ioas, &v, &s->align);

	if (n < 0)
		return step_err(s, "ranges", n);
	printf("ranges=%d\niova_alignment=0x%" PRIx64 "\n", n, s->align);
	for (int i = 0; i < n; i++) {
		uint64_t at = (v[i].start + (2 * BUF_LEN - 1)) & ~(uint64_t)(BUF_LEN - 1);

		printf("range=0x%" PRIx64 "-0x%" PRIx64 "\n", (uint64_t)v[i].start,
		       (uint64_t)v[i].last);
		if (!s->iova && at > v[i].start && at + BUF_LEN - 1 <= v[i].last)
			s->iova = at;
	}
	free(v);
	printf("fixed_iova=0x%" PRIx64 "\n", s->iova);
	return 0;
}

static void hw_info(struct smoke *s)
{
	struct ictl_iommufd_hw_info hi;
	int r = ictl_iommufd_get_hw_info(s->s, s->dev_id, 0, &hi);

	if (r < 0) {
		step_err(s, "hw_info", r);
		return;
	}
	printf("hw_info.type=%u\nhw_info.data_len=%u\nhw_info.max_pasid_log2=%u\n"
	       "hw_info.capabilities=0x%" PRIx64 "\n", hi.type, hi.data_len, hi.max_pasid_log2,
	       hi.capabilities);
	/* the driver data as the kernel wrote it, for iommuctl hw-info --raw */
	printf("hw_info.raw=");
	for (uint32_t i = 0; i < hi.data_len && i < sizeof(hi.data); i++)
		printf("%02x", hi.data[i]);
	printf("\n");
	if (hi.type == ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD) {
		struct ictl_iommu_hw_info_vtd vtd;

		memcpy(&vtd, hi.data, sizeof(vtd));
		printf("hw_info.vtd.flags=0x%x\nhw_info.vtd.cap=0x%" PRIx64 "\n"
		       "hw_info.vtd.ecap=0x%" PRIx64 "\n", vtd.flags, (uint64_t)vtd.cap_reg,
		       (uint64_t)vtd.ecap_reg);
	} else if (hi.type == ICTL_IOMMU_HW_INFO_TYPE_SELFTEST) {
		struct ictl_iommu_test_hw_info t;

		memcpy(&t, hi.data, sizeof(t));
		printf("hw_info.selftest.test_reg=0x%x\n", t.test_reg);
	}
}

/* Map the buffer at a fixed IOVA (and on the mock, check its domain), then unmap it. */
static void map_unmap(struct smoke *s, const char *step, uint32_t mock_hwpt)
{
	const uint32_t rw = ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t iova = s->iova, again = s->iova, unmapped = 0;
	int r = ictl_ioas_map(s->s, s->ioas, rw | ICTL_IOMMU_IOAS_MAP_FIXED_IOVA, s->buf, MAP_LEN,
			      &iova);

	if (r < 0) {
		step_err(s, step, r);
		return;
	}
	printf("%s.iova=0x%" PRIx64 "\n", step, iova);
	r = ictl_ioas_map(s->s, s->ioas, rw | ICTL_IOMMU_IOAS_MAP_FIXED_IOVA, s->buf, MAP_LEN,
			  &again);
	printf("%s.again=%s\n", step, r < 0 ? strerrorname_np(-r) : "mapped twice");
	if (mock_hwpt) {
		r = ictl_mock_check_map(s->s, mock_hwpt, iova, MAP_LEN, s->buf);
		printf("%s.in_domain=%s\n", step, r < 0 ? strerrorname_np(-r) : "yes");
	}
	r = ictl_ioas_unmap(s->s, s->ioas, iova, MAP_LEN, &unmapped);
	if (r < 0)
		step_err(s, step, r);
	else
		printf("%s.unmapped=0x%" PRIx64 "\n", step, unmapped);
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS moves the accounting of file mappings only: with
 * just the memfd mapped it is taken, with anonymous memory mapped too it is
 * refused (EINVAL).
 */
static void change_process(struct smoke *s)
{
	const uint32_t rw = ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t iova = 0;
	int r = ictl_ioas_change_process(s->s);

	printf("change_process.file=%s\n", r < 0 ? strerrorname_np(-r) : "ok");
	if (ictl_ioas_map(s->s, s->ioas, rw, s->buf, MAP_LEN, &iova) < 0)
		return;
	r = ictl_ioas_change_process(s->s);
	printf("change_process.anon=%s\n", r < 0 ? strerrorname_np(-r) : "ok");
	ictl_ioas_unmap(s->s, s->ioas, iova, MAP_LEN, NULL);
}

/* A kernel-chosen IOVA, a copy into a second IOAS and a memfd mapping; all unmapped. */
static void map_more(struct smoke *s)
{
	const uint32_t rw = ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t iova = 0, dst = 0, fiova = 0, n = 0;
	uint32_t ioas2;
	int mfd, r;

	r = ictl_ioas_map(s->s, s->ioas, rw, s->buf, MAP_LEN, &iova);
	if (r < 0) {
		step_err(s, "auto_map", r);
		return;
	}
	printf("auto_map.iova=0x%" PRIx64 "\n", iova);
	r = ictl_ioas_alloc(s->s, "copy", &ioas2);
	if (r == 0)
		r = ictl_ioas_copy(s->s, ioas2, s->ioas, rw, iova, MAP_LEN, &dst);
	if (r == 0)
		r = ictl_ioas_unmap(s->s, ioas2, 0, UINT64_MAX, &n);
	if (r < 0)
		step_err(s, "copy", r);
	else
		printf("copy.unmapped=0x%" PRIx64 "\n", n);
	ictl_ioas_unmap(s->s, s->ioas, iova, MAP_LEN, NULL);
	mfd = memfd_create("ioas-smoke", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, MAP_LEN) < 0)
		return;
	r = ictl_ioas_map_file(s->s, s->ioas, rw, mfd, 0, MAP_LEN, &fiova);
	if (r == 0)
		change_process(s);
	if (r == 0)
		r = ictl_ioas_unmap(s->s, s->ioas, fiova, MAP_LEN, &n);
	if (r < 0)
		step_err(s, "map_file", r);
	else
		printf("map_file.unmapped=0x%" PRIx64 "\n", n);
	close(mfd);
}

/*
 * IOMMU_IOAS_ALLOW_IOVAS: with a 1 MiB window at the fixed IOVA allowed, the
 * kernel picks the IOVA of a mapping inside it; on the mock, a window over
 * the reserved range is refused (EADDRINUSE); n = 0 lifts the restriction.
 */
static void allow_iovas(struct smoke *s)
{
	const struct ictl_iommu_iova_range win = { .start = s->iova, .last = s->iova + BUF_LEN - 1 };
	const struct ictl_iommu_iova_range resv = { .start = MOCK_RESV_START - BUF_LEN,
						    .last = MOCK_RESV_START + BUF_LEN - 1 };
	const uint32_t rw = ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t iova = 0;
	int r;

	r = ictl_ioas_allow_iovas(s->s, s->ioas, &win, 1);
	if (r == 0)
		r = ictl_ioas_map(s->s, s->ioas, rw, s->buf, MAP_LEN, &iova);
	if (r < 0) {
		step_err(s, "allow", r);
		return;
	}
	printf("allow.auto_iova=0x%" PRIx64 "\nallow.in_window=%s\n", iova,
	       iova >= win.start && iova + MAP_LEN - 1 <= win.last ? "yes" : "no");
	ictl_ioas_unmap(s->s, s->ioas, iova, MAP_LEN, NULL);
	if (s->mock) {
		r = ictl_ioas_allow_iovas(s->s, s->ioas, &resv, 1);
		printf("allow.over_reserved=%s\n", r < 0 ? strerrorname_np(-r) : "allowed");
	}
	r = ictl_ioas_allow_iovas(s->s, s->ioas, NULL, 0);
	if (r < 0)
		step_err(s, "allow", r);
	else
		printf("allow.reset=ok\n");
}

/* A paging HWPT over the IOAS, the device moved onto it, a mapping through it. */
static void paging_hwpt(struct smoke *s)
{
	struct ictl_hwpt_spec spec = { .dev_id = s->dev_id, .pt_id = s->ioas };
	uint32_t hwpt, pt;
	int r = ictl_hwpt_alloc(s->s, "paging", &spec, &hwpt);

	if (r < 0) {
		step_err(s, "hwpt", r);
		return;
	}
	pt = hwpt;
	r = ictl_dev_attach(s->s, s->dev_id, ICTL_NO_PASID, &pt);
	if (r < 0) {
		step_err(s, "hwpt", r);
		return;
	}
	printf("hwpt=%u\nhwpt.attached=%u\n", hwpt, pt);
	map_unmap(s, "hwpt_map", s->mock ? hwpt : 0);
}

static void options_and_probe(struct smoke *s)
{
	struct ictl_iommufd_features f;
	uint64_t v = 0;
	int r;

	if (ictl_iommufd_option(s->s, ICTL_IOMMU_OPTION_OP_GET, ICTL_IOMMU_OPTION_HUGE_PAGES,
				s->ioas, &v) == 0)
		printf("option.huge_pages=%" PRIu64 "\n", v);
	r = ictl_iommufd_probe(s->s, s->dev_id, s->ioas, &f);
	if (r < 0) {
		step_err(s, "probe", r);
		return;
	}
	for (unsigned int i = 0; i < ICTL_IOMMUFD_NCMDS; i++)
		printf("probe.ioctl.%s=%s\n", ictl_iommufd_cmd_name(ICTL_IOMMUFD_CMD_BASE + i),
		       f.ioctls & (1u << i) ? "known" : "unknown");
	for (unsigned int b = 0; b < 4; b++) {
		if ((f.hwpt_flags_ok | f.hwpt_flags_refused) & (1u << b))
			printf("probe.hwpt.%s=%s\n", ictl_hwpt_flag_name(b),
			       f.hwpt_flags_ok & (1u << b) ? "supported" :
							       strerrorname_np(f.hwpt_flag_err[b]));
	}
}

/* Detach the device, then let the session destroy everything in dependency order. */
static void cleanup(struct smoke *s)
{
	int r;

	if (!s->mock && s->dev_id) {
		r = ictl_dev_detach(s->s, s->dev_id, ICTL_NO_PASID);
		printf("detach=%s\n", r < 0 ? strerrorname_np(-r) : "ok");
	}
	r = ictl_iommufd_destroy_all(s->s);
	if (r < 0)
		step_err(s, "destroy_all", r);
	else
		printf("destroy_all=ok\nobjects_left=%zu\n", ictl_iommufd_count(s->s));
}

static int run(struct smoke *s, const char *dev)
{
	int r = ictl_ioas_alloc(s->s, "ioas", &s->ioas);

	if (r < 0)
		return step_err(s, "ioas", r);
	printf("ioas=%u\n", s->ioas);
	if (attach_device(s, dev) < 0 || iova_ranges(s) < 0)
		return -1;
	hw_info(s);
	map_unmap(s, "map", s->mock ? s->md.hwpt_id : 0);
	map_more(s);
	allow_iovas(s);
	paging_hwpt(s);
	options_and_probe(s);
	return 0;
}

int main(int argc, char **argv)
{
	struct smoke s = { 0 };
	const char *dev = argc > 1 ? argv[1] : NULL;
	int r = ictl_ctx_new(&s.ctx, NULL);

	if (r < 0 || argc > 2) {
		fprintf(stderr, "usage: ioas-smoke [DEVICE|vfioN]%s%s\n", r < 0 ? ": " : "",
			r < 0 ? ictl_strerror(s.ctx) : "");
		return 2;
	}
	r = ictl_iommufd_open(s.ctx, &s.s);
	if (r < 0) {
		printf("iommufd=missing\n");
		fprintf(stderr, "ioas-smoke: %s\n", ictl_strerror(s.ctx));
		ictl_ctx_free(s.ctx);
		return 3;
	}
	printf("iommufd=/dev/iommu\n");
	s.buf = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.buf == MAP_FAILED)
		return 1;
	memset(s.buf, 0xa5, BUF_LEN);
	run(&s, dev);
	cleanup(&s);
	ictl_iommufd_free(s.s);
	munmap(s.buf, BUF_LEN);
	ictl_ctx_free(s.ctx);
	printf("failed=%d\n", s.failed);
	return s.failed ? 1 : 0;
}
