// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session-tree: an iommufd session (src/lib/iommufd.h) on the kernel's
 * selftest mock (CONFIG_IOMMUFD_TEST), for tests/bats/vm/iommufd.bats.
 *
 * It makes a tree of real objects through one session: an IOAS, a mock
 * device, a dirty-tracking HWPT, a nesting parent, a nested HWPT over it, a
 * fault queue, a vIOMMU, a vDevice, a nested HWPT over the vIOMMU reporting
 * to the fault queue, a vEVENTQ and two HW queues; it uses them (dirty bits,
 * IOTLB invalidation, attaching the mock from one page table to another), and
 * then lets the session destroy the vIOMMU's subtree and finally everything.
 *
 * The kernel is the judge, asked without the session (raw ioctls on the same
 * fd): a parent destroyed while its children live is refused (EBUSY), and an
 * id the session destroyed is unknown afterwards (ENOENT).  Every IOMMU_DESTROY
 * the session issues passes through a recorder (the session's ops), which
 * prints "destroyed=NAME" in order and counts refusals.
 *
 * Output: key=value lines.  A failed step prints "STEP.error=ERRNO message".
 * Exit status: 0 every step worked, 1 some failed, 3 no /dev/iommu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"
#include "iommufd.h"

#define IOVA ((uint64_t)ICTL_MOCK_APERTURE_START)
#define PAGE 4096u
#define MAP_LEN (16 * PAGE)

struct tree {
	struct ictl_ctx *ctx;
	struct ictl_iommufd *s;
	int failed, refused;
	uint32_t ioas, mock, dev, dirty, parent, nested, faultq, viommu, vdev, iopf, veventq,
		hwq0, hwq1;
	int faultq_fd, veventq_fd;
	void *buf;
};

/* --- the recorder: the session's ops, passing through to the kernel ------------------ */

static int rec_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct tree *t = priv;
	const struct ictl_iommufd_obj *o;
	int r = ioctl(fd, req, arg);

	r = r < 0 ? -errno : r;
	if (req != ICTL_IOMMU_DESTROY)
		return r;
	o = ictl_iommufd_find(t->s, ((struct ictl_iommu_destroy *)arg)->id);
	printf("destroyed=%s%s%s\n", o ? o->name : "?", r ? " " : "", r ? strerrorname_np(-r) : "");
	t->refused += r < 0;
	return r;
}

static void rec_close(void *priv, int fd)
{
	(void)priv;
	close(fd);
}

static const struct ictl_iommufd_ops recorder = { .ioctl = rec_ioctl, .close = rec_close };

/* --- helpers ---------------------------------------------------------------------------- */

static int step(struct tree *t, const char *name, int r)
{
	if (r < 0) {
		printf("%s.error=%s %s\n", name, strerrorname_np(-r), ictl_strerror(t->ctx));
		t->failed++;
	}
	return r;
}

/* IOMMU_DESTROY behind the session's back: only to ask the kernel, never to destroy. */
static const char *raw_destroy(struct tree *t, uint32_t id)
{
	struct ictl_iommu_destroy d = { .size = sizeof(d), .id = id };

	if (ioctl(ictl_iommufd_fd(t->s), ICTL_IOMMU_DESTROY, &d) == 0)
		return "destroyed";
	return strerrorname_np(errno);
}

/* --- the tree ----------------------------------------------------------------------------- */

/* An IOAS with huge pages off (dirty bits then come per 4 KiB page), the mock, a mapping. */
static int base(struct tree *t)
{
	const uint32_t rw = ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE |
			    ICTL_IOMMU_IOAS_MAP_FIXED_IOVA;
	struct ictl_mock_dev md;
	uint64_t off = 0, iova = IOVA;
	int r;

	r = step(t, "ioas", ictl_ioas_alloc(t->s, "ioas", &t->ioas));
	if (!r)
		r = step(t, "option", ictl_iommufd_option(t->s, ICTL_IOMMU_OPTION_OP_SET,
							  ICTL_IOMMU_OPTION_HUGE_PAGES, t->ioas, &off));
	if (!r)
		r = step(t, "option", ictl_iommufd_option(t->s, ICTL_IOMMU_OPTION_OP_GET,
							  ICTL_IOMMU_OPTION_HUGE_PAGES, t->ioas, &off));
	if (!r)
		printf("option.huge_pages=%" PRIu64 "\n", off);
	if (!r)
		r = step(t, "mock", ictl_mock_dev_add(t->s, "mock", t->ioas, 0, &md));
	t->mock = md.stdev_id;
	t->dev = md.dev_id;
	if (!r)
		r = step(t, "map", ictl_ioas_map(t->s, t->ioas, rw, t->buf, MAP_LEN, &iova));
	return r;
}

/*
 * A dirty-tracking HWPT: the mock marks pages 1 and 3 dirty, the bitmap
 * shows them, read without clearing, then read and cleared, then clean.
 */
static int dirty(struct tree *t)
{
	struct ictl_hwpt_spec spec = { .dev_id = t->dev, .pt_id = t->ioas,
				       .flags = ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING };
	uint64_t mark = 0xa, bm[3] = { 0 }, nr = 0;
	int r;

	r = step(t, "dirty", ictl_hwpt_alloc(t->s, "dirty", &spec, &t->dirty));
	if (!r)
		r = step(t, "dirty", ictl_hwpt_set_dirty_tracking(t->s, t->dirty, true));
	if (!r)
		r = step(t, "dirty", ictl_mock_set_dirty(t->s, t->dirty, IOVA, MAP_LEN, PAGE, &mark, &nr));
	for (int i = 0; !r && i < 3; i++)
		r = step(t, "dirty", ictl_hwpt_get_dirty_bitmap(t->s, t->dirty,
				i ? 0 : ICTL_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, IOVA, MAP_LEN, PAGE, &bm[i]));
	if (!r)
		r = step(t, "dirty", ictl_hwpt_set_dirty_tracking(t->s, t->dirty, false));
	if (!r)
		printf("dirty.marked=%" PRIu64 "\ndirty.no_clear=0x%" PRIx64 "\ndirty.read=0x%" PRIx64
		       "\ndirty.after=0x%" PRIx64 "\n", nr, bm[0], bm[1], bm[2]);
	return r;
}

/* "default" or "0" for each IOTLB entry of the mock nested HWPT, space-separated. */
static void iotlb(struct tree *t, const char *key)
{
	printf("%s=", key);
	for (uint32_t i = 0; i < ICTL_MOCK_NESTED_DOMAIN_IOTLB_NUM; i++) {
		const char *v = "?";

		if (!ictl_mock_check_iotlb(t->s, t->nested, i, 0))
			v = "0";
		else if (!ictl_mock_check_iotlb(t->s, t->nested, i, ICTL_IOMMU_TEST_IOTLB_DEFAULT))
			v = "default";
		printf("%s%s", i ? " " : "", v);
	}
	printf("\n");
}

/* A nesting parent and a nested HWPT over it; invalidate one IOTLB entry, then all. */
static int nested(struct tree *t)
{
	struct ictl_iommu_hwpt_selftest data = { .iotlb = ICTL_IOMMU_TEST_IOTLB_DEFAULT };
	struct ictl_iommu_hwpt_invalidate_selftest inv = { .iotlb_id = 1 };
	struct ictl_hwpt_spec spec = { .dev_id = t->dev, .pt_id = t->ioas,
				       .flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT };
	int r;

	r = step(t, "parent", ictl_hwpt_alloc(t->s, "parent", &spec, &t->parent));
	spec = (struct ictl_hwpt_spec){ .dev_id = t->dev, .pt_id = t->parent,
					.data_type = ICTL_IOMMU_HWPT_DATA_SELFTEST,
					.data_len = sizeof(data), .data = &data };
	if (!r)
		r = step(t, "nested", ictl_hwpt_alloc(t->s, "nested", &spec, &t->nested));
	if (r < 0)
		return r;
	iotlb(t, "iotlb.before");
	r = step(t, "invalidate", ictl_hwpt_invalidate(t->s, t->nested,
			ICTL_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, &inv, sizeof(inv), 1));
	printf("invalidate.one=%d\n", r);
	iotlb(t, "iotlb.one");
	inv.flags = ICTL_IOMMU_TEST_INVALIDATE_FLAG_ALL;
	r = step(t, "invalidate", ictl_hwpt_invalidate(t->s, t->nested,
			ICTL_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, &inv, sizeof(inv), 1));
	printf("invalidate.all=%d\n", r);
	iotlb(t, "iotlb.all");
	return r < 0 ? r : 0;
}

/* A fault queue, a vIOMMU, a vDevice, a nested HWPT over the vIOMMU; the mock attached to it. */
static int viommu(struct tree *t)
{
	struct ictl_iommu_viommu_selftest vdata = { .in_data = 0xbeef };
	struct ictl_iommu_hwpt_selftest data = { .iotlb = ICTL_IOMMU_TEST_IOTLB_DEFAULT };
	struct ictl_hwpt_spec spec = {
		.dev_id = t->dev, .flags = ICTL_IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = ICTL_IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data), .data = &data,
	};
	uint32_t pt;
	int r;

	r = step(t, "faultq", ictl_fault_queue_alloc(t->s, "faultq", &t->faultq, &t->faultq_fd));
	if (!r)
		r = step(t, "viommu", ictl_viommu_alloc(t->s, "viommu", ICTL_IOMMU_VIOMMU_TYPE_SELFTEST,
							t->dev, t->parent, &vdata, sizeof(vdata),
							&t->viommu));
	if (!r)
		printf("viommu.out_data=0x%x\n", vdata.out_data);
	if (!r)
		r = step(t, "vdev", ictl_vdevice_alloc(t->s, "vdev", t->viommu, t->dev, 0x99, &t->vdev));
	spec.pt_id = t->viommu;
	spec.fault_id = t->faultq;
	if (!r)
		r = step(t, "iopf", ictl_hwpt_alloc(t->s, "iopf", &spec, &t->iopf));
	pt = t->iopf;
	if (!r)
		r = step(t, "attach", ictl_dev_attach(t->s, t->dev, ICTL_NO_PASID, &pt));
	if (!r)
		printf("attach.iopf=%s\n", pt == t->iopf ? "yes" : "another page table");
	return r;
}

/* A vEVENTQ and two HW queues on the vIOMMU, in the parent's mapping; that pins it. */
static int queues(struct tree *t)
{
	uint64_t n = 0;
	int r;

	r = step(t, "veventq", ictl_veventq_alloc(t->s, "veventq", t->viommu,
						  ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &t->veventq,
						  &t->veventq_fd));
	if (!r)
		r = step(t, "hwq0", ictl_hw_queue_alloc(t->s, "hwq0", t->viommu,
							ICTL_IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, IOVA,
							PAGE, &t->hwq0));
	if (!r)
		r = step(t, "hwq1", ictl_hw_queue_alloc(t->s, "hwq1", t->viommu,
							ICTL_IOMMU_HW_QUEUE_TYPE_SELFTEST, 1,
							IOVA + PAGE / 2, PAGE / 2, &t->hwq1));
	if (!r) {
		int u = ictl_ioas_unmap(t->s, t->ioas, IOVA, MAP_LEN, &n);

		printf("hw_queue.unmap=%s\n", u < 0 ? strerrorname_np(-u) : "unmapped");
	}
	return r;
}

static void table(struct tree *t)
{
	size_t n = ictl_iommufd_count(t->s);

	printf("objects=%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct ictl_iommufd_obj *o = ictl_iommufd_obj(t->s, i);
		const struct ictl_iommufd_obj *p = ictl_iommufd_find(t->s, o->parent);

		printf("object.%s=%s %s\n", o->name, ictl_obj_kind_name(o->kind), p ? p->name : "-");
	}
}

/* --- destroying ------------------------------------------------------------------------------ */

/* What the kernel refuses while children live. */
static void busy(struct tree *t)
{
	const struct {
		const char *name;
		uint32_t id;
	} v[] = { { "ioas", t->ioas }, { "parent", t->parent }, { "viommu", t->viommu },
		  { "hwq0", t->hwq0 }, { "faultq", t->faultq }, { "iopf", t->iopf } };

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		printf("busy.%s=%s\n", v[i].name, raw_destroy(t, v[i].id));
}

static void gone(struct tree *t, const char *name, uint32_t id)
{
	printf("gone.%s=%s\n", name, raw_destroy(t, id));
}

/*
 * The mock moves to the dirty-tracking HWPT (made after it), then the vIOMMU
 * goes with what hangs off it; the mapping is free again; then everything.
 */
static void teardown(struct tree *t)
{
	uint32_t pt = t->dirty;
	uint64_t n = 0;

	if (step(t, "attach", ictl_dev_attach(t->s, t->dev, ICTL_NO_PASID, &pt)) < 0)
		return;
	printf("phase=viommu\n");
	if (step(t, "destroy_viommu", ictl_iommufd_destroy(t->s, t->viommu)) < 0)
		return;
	printf("objects_after_viommu=%zu\n", ictl_iommufd_count(t->s));
	gone(t, "viommu", t->viommu);
	gone(t, "vdev", t->vdev);
	gone(t, "iopf", t->iopf);
	gone(t, "veventq", t->veventq);
	gone(t, "hwq0", t->hwq0);
	gone(t, "hwq1", t->hwq1);
	printf("busy.dirty=%s\n", raw_destroy(t, t->dirty));
	if (step(t, "unmap", ictl_ioas_unmap(t->s, t->ioas, IOVA, MAP_LEN, &n)) == 0)
		printf("unmap.after=0x%" PRIx64 "\n", n);
	printf("phase=all\n");
	if (step(t, "destroy_all", ictl_iommufd_destroy_all(t->s)) < 0)
		return;
	printf("objects_left=%zu\n", ictl_iommufd_count(t->s));
	gone(t, "ioas", t->ioas);
	gone(t, "mock", t->mock);
	gone(t, "mock_dev", t->dev);
	gone(t, "dirty", t->dirty);
	gone(t, "parent", t->parent);
	gone(t, "nested", t->nested);
	gone(t, "faultq", t->faultq);
}

int main(void)
{
	struct tree t = { 0 };
	int r = ictl_ctx_new(&t.ctx, NULL);

	if (r < 0) {
		fprintf(stderr, "session-tree: %s\n", ictl_strerror(t.ctx));
		return 2;
	}
	if (ictl_iommufd_open(t.ctx, &t.s) < 0) {
		printf("iommufd=missing\n");
		fprintf(stderr, "session-tree: %s\n", ictl_strerror(t.ctx));
		ictl_ctx_free(t.ctx);
		return 3;
	}
	ictl_iommufd_set_ops(t.s, &recorder, &t);
	t.buf = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t.buf == MAP_FAILED)
		return 1;
	memset(t.buf, 0x5a, MAP_LEN);
	r = base(&t);
	if (!r)
		r = dirty(&t);
	if (!r)
		r = nested(&t);
	if (!r)
		r = viommu(&t);
	if (!r)
		r = queues(&t);
	if (!r) {
		table(&t);
		busy(&t);
		teardown(&t);
	}
	ictl_iommufd_free(t.s);
	munmap(t.buf, MAP_LEN);
	ictl_ctx_free(t.ctx);
	printf("refused=%d\nfailed=%d\n", t.refused, t.failed);
	return t.failed || t.refused ? 1 : 0;
}
