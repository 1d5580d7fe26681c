// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The iommufd session (src/lib/iommufd-session.c and the wrappers) without a
 * kernel: its ops seam is a fake kernel that hands out ids, keeps its own
 * record of which object holds which (as the kernel's users counts do) and
 * answers IOMMU_DESTROY with EBUSY, like the kernel, while anything holds the
 * object.  Each IOMMU_DESTROY is logged as "D<id>" and each close as "C<fd>",
 * so a test reads the order the session chose; the fake's own EBUSY count
 * says whether the kernel would ever have refused it.
 */
#include <errno.h>
#include <string.h>

#include "iommufd-internal.h"
#include "tap.h"

#define MAXOBJ 64

struct kobj {
	uint32_t id;
	bool live;
	uint32_t holds[3];	/* objects this one holds a reference on */
	uint32_t attach;	/* a device: the page table it is attached to */
	uint32_t idev;		/* a mock device: its device object, gone with it */
	uint32_t viommu, index;	/* a HW queue */
	int fd;			/* an event queue's fd or a device's cdev, or -1 */
	bool fd_open;		/* an event queue's fd: a reference to it */
	bool cdev;		/* a VFIO device: closing its cdev unbinds it */
	bool is_queue;
};

struct fake {
	struct kobj o[MAXOBJ];
	size_t n;
	uint32_t next_id;
	char log[1024];
	int fail_next;		/* the next ioctl fails with this errno */
	uint32_t fail_destroy;	/* IOMMU_DESTROY of this id fails with EBUSY */
	unsigned long unknown_req;	/* answered ENOTTY, as an old kernel would */
	int nioctl;
	int busy;		/* how often the fake kernel refused a destroy for a holder */
};

static void logf_(struct fake *f, const char *what, long v)
{
	size_t l = strlen(f->log);

	snprintf(f->log + l, sizeof(f->log) - l, "%s%s%ld", l ? " " : "", what, v);
}

static struct kobj *knew(struct fake *f, uint32_t h0, uint32_t h1)
{
	struct kobj *o = &f->o[f->n++];

	*o = (struct kobj){ .id = f->next_id++, .live = true, .holds = { h0, h1 }, .fd = -1 };
	return o;
}

static struct kobj *kfind(struct fake *f, uint32_t id)
{
	for (size_t i = 0; id && i < f->n; i++) {
		if (f->o[i].id == id && f->o[i].live)
			return &f->o[i];
	}
	return NULL;
}

static bool held(struct fake *f, uint32_t id)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct kobj *o = &f->o[i];

		if (!o->live || o->id == id)
			continue;
		if (o->holds[0] == id || o->holds[1] == id || o->holds[2] == id || o->attach == id)
			return true;
	}
	return kfind(f, id) && kfind(f, id)->fd_open;
}

static void kill_obj(struct fake *f, struct kobj *o)
{
	o->live = false;
	if (o->idev && kfind(f, o->idev))
		kfind(f, o->idev)->live = false;
}

static int fake_destroy(struct fake *f, uint32_t id)
{
	struct kobj *o = kfind(f, id);

	logf_(f, "D", id);
	if (id == f->fail_destroy)
		return -EBUSY;
	if (!o)
		return -ENOENT;
	/* A mock device goes with its device object, which a vDevice may hold. */
	if (held(f, id) || (o->idev && held(f, o->idev))) {
		f->busy++;
		return -EBUSY;
	}
	kill_obj(f, o);
	return 0;
}

static int fake_test_cmd(struct fake *f, struct ictl_iommu_test_cmd *c)
{
	struct kobj *o = kfind(f, c->id), *dev;

	switch (c->op) {
	case ICTL_IOMMU_TEST_OP_MOCK_DOMAIN:
	case ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		if (!o)
			return -ENOENT;
		dev = knew(f, 0, 0);
		o = knew(f, 0, 0);
		o->attach = c->id;
		o->idev = dev->id;
		c->mock_domain.out_stdev_id = o->id;
		c->mock_domain.out_hwpt_id = 999;	/* the automatic domain */
		c->mock_domain.out_idev_id = dev->id;
		return 0;
	case ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		if (!o || !kfind(f, c->mock_domain_replace.pt_id))
			return -ENOENT;
		o->attach = c->mock_domain_replace.pt_id;
		return 0;
	}
	return -EOPNOTSUPP;
}

static struct kobj *kfind_fd(struct fake *f, int fd)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->o[i].live && f->o[i].fd == fd)
			return &f->o[i];
	}
	return NULL;
}

/* A HW queue holds the one of index - 1 of its vIOMMU, as the mock driver's do. */
static struct kobj *hw_queue(struct fake *f, struct ictl_iommu_hw_queue_alloc *a)
{
	struct kobj *o = knew(f, a->viommu_id, 0);

	for (size_t i = 0; a->index && i < f->n; i++) {
		if (f->o[i].live && f->o[i].is_queue && f->o[i].viommu == a->viommu_id &&
		    f->o[i].index == a->index - 1)
			o->holds[1] = f->o[i].id;
	}
	o->is_queue = true;
	o->viommu = a->viommu_id;
	o->index = a->index;
	return o;
}

static int fake_alloc(struct fake *f, unsigned long req, void *arg)
{
	struct kobj *o;

	if (req == ICTL_IOMMU_IOAS_ALLOC) {
		((struct ictl_iommu_ioas_alloc *)arg)->out_ioas_id = knew(f, 0, 0)->id;
	} else if (req == ICTL_IOMMU_HWPT_ALLOC) {
		struct ictl_iommu_hwpt_alloc *a = arg;

		if (!kfind(f, a->pt_id) || !kfind(f, a->dev_id))
			return -ENOENT;
		o = knew(f, a->pt_id,
			 a->flags & ICTL_IOMMU_HWPT_FAULT_ID_VALID ? a->fault_id : 0);
		a->out_hwpt_id = o->id;
	} else if (req == ICTL_IOMMU_FAULT_QUEUE_ALLOC) {
		struct ictl_iommu_fault_alloc *a = arg;

		o = knew(f, 0, 0);
		o->fd = 100 + (int)o->id;
		o->fd_open = true;
		a->out_fault_id = o->id;
		a->out_fault_fd = (uint32_t)o->fd;
	} else if (req == ICTL_IOMMU_VIOMMU_ALLOC) {
		struct ictl_iommu_viommu_alloc *a = arg;

		a->out_viommu_id = knew(f, a->hwpt_id, 0)->id;
	} else if (req == ICTL_IOMMU_VDEVICE_ALLOC) {
		struct ictl_iommu_vdevice_alloc *a = arg;

		a->out_vdevice_id = knew(f, a->viommu_id, a->dev_id)->id;
	} else if (req == ICTL_IOMMU_VEVENTQ_ALLOC) {
		struct ictl_iommu_veventq_alloc *a = arg;

		o = knew(f, a->viommu_id, 0);
		o->fd = 100 + (int)o->id;
		o->fd_open = true;
		a->out_veventq_id = o->id;
		a->out_veventq_fd = (uint32_t)o->fd;
	} else if (req == ICTL_IOMMU_HW_QUEUE_ALLOC) {
		struct ictl_iommu_hw_queue_alloc *a = arg;

		a->out_hw_queue_id = hw_queue(f, a)->id;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int fake_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct fake *f = priv;
	struct kobj *dev = kfind_fd(f, fd);

	f->nioctl++;
	if (f->fail_next) {
		int e = f->fail_next;

		f->fail_next = 0;
		return -e;
	}
	if (req == f->unknown_req)
		return -ENOTTY;
	/* What ictl_iommufd_probe() sends: every byte after size 0xff.  The kernel refuses it. */
	if (((uint32_t *)arg)[1] == UINT32_MAX)
		return -EINVAL;
	if (req == ICTL_IOMMU_DESTROY)
		return fake_destroy(f, ((struct ictl_iommu_destroy *)arg)->id);
	if (req == ICTL_IOMMU_TEST_CMD)
		return fake_test_cmd(f, arg);
	if (req == ICTL_VFIO_DEVICE_ATTACH_IOMMUFD_PT && dev) {
		dev->attach = ((struct ictl_vfio_device_attach_iommufd_pt *)arg)->pt_id;
		return kfind(f, dev->attach) ? 0 : -ENOENT;
	}
	if (req == ICTL_VFIO_DEVICE_DETACH_IOMMUFD_PT && dev) {
		dev->attach = 0;
		return 0;
	}
	return fake_alloc(f, req, arg);
}

/* Closing a cdev unbinds its device; closing an event queue's fd drops its reference. */
static void fake_close(void *priv, int fd)
{
	struct fake *f = priv;
	struct kobj *o = kfind_fd(f, fd);

	logf_(f, "C", fd);
	if (o && o->cdev)
		kill_obj(f, o);
	else if (o)
		o->fd_open = false;
}

static const struct ictl_iommufd_ops fake_ops = { .ioctl = fake_ioctl, .close = fake_close };

#define IOMMUFD_FD 7
#define NIC_FD 40

static struct ictl_iommufd *session(struct ictl_ctx *ctx, struct fake *f)
{
	struct ictl_iommufd *s;

	memset(f, 0, sizeof(*f));
	f->next_id = 1;
	if (ictl_iommufd_adopt(ctx, IOMMUFD_FD, &s) < 0)
		return NULL;
	ictl_iommufd_set_ops(s, &fake_ops, f);
	return s;
}

/* A VFIO device the kernel bound elsewhere (its cdev open, not an event queue). */
static uint32_t fake_device(struct fake *f)
{
	struct kobj *o = knew(f, 0, 0);

	o->fd = NIC_FD;
	o->cdev = true;
	return o->id;
}

struct tree {
	uint32_t ram, nic, mock, mock_dev, s2, fq, vi, vd, s1, ev, hwq0, hwq1;
	int fq_fd, ev_fd;
};

/*
 * An IOAS, a mock device plugged into it, a nesting parent, a fault queue, a
 * vIOMMU with a vDevice for the mock, a nested HWPT over the vIOMMU reporting
 * to the queue (the mock then attached to it), a vEVENTQ and two HW queues.
 */
static int build(struct ictl_iommufd *s, struct tree *t)
{
	struct ictl_hwpt_spec parent = { .flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT };
	struct ictl_iommu_hwpt_selftest data = { .iotlb = ICTL_IOMMU_TEST_IOTLB_DEFAULT };
	struct ictl_mock_dev md;
	uint32_t pt;
	int r;

	r = ictl_ioas_alloc(s, "ram", &t->ram);
	if (!r)
		r = ictl_mock_dev_add(s, "m", t->ram, 0, &md);
	t->mock = md.stdev_id;
	t->mock_dev = md.dev_id;
	parent.dev_id = t->mock_dev;
	parent.pt_id = t->ram;
	if (!r)
		r = ictl_hwpt_alloc(s, "s2", &parent, &t->s2);
	if (!r)
		r = ictl_fault_queue_alloc(s, "fq", &t->fq, &t->fq_fd);
	if (!r)
		r = ictl_viommu_alloc(s, "vi", ICTL_IOMMU_VIOMMU_TYPE_SELFTEST, t->mock_dev, t->s2,
				      NULL, 0, &t->vi);
	if (!r)
		r = ictl_vdevice_alloc(s, "vd", t->vi, t->mock_dev, 0x99, &t->vd);
	if (!r)
		r = ictl_hwpt_alloc(s, "s1", &(struct ictl_hwpt_spec){
			.dev_id = t->mock_dev, .pt_id = t->vi, .fault_id = t->fq,
			.flags = ICTL_IOMMU_HWPT_FAULT_ID_VALID,
			.data_type = ICTL_IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
			.data = &data }, &t->s1);
	pt = t->s1;
	if (!r)
		r = ictl_dev_attach(s, t->mock_dev, ICTL_NO_PASID, &pt);
	if (!r)
		r = ictl_veventq_alloc(s, "ev", t->vi, ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &t->ev,
				       &t->ev_fd);
	if (!r)
		r = ictl_hw_queue_alloc(s, "hwq0", t->vi, ICTL_IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					0x1000000, 4096, &t->hwq0);
	if (!r)
		r = ictl_hw_queue_alloc(s, "hwq1", t->vi, ICTL_IOMMU_HW_QUEUE_TYPE_SELFTEST, 1,
					0x1000800, 2048, &t->hwq1);
	return r;
}

static bool depends(const struct ictl_iommufd_obj *o, uint32_t on)
{
	for (size_t i = 0; o && i < o->ndeps; i++) {
		if (o->deps[i].on == on)
			return true;
	}
	return false;
}

static void table(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	const struct ictl_iommufd_obj *o;
	struct tree t;

	int r = build(s, &t);

	is_int(r, 0, "a tree of ten objects is made: %s", ictl_strerror(ctx));
	is_int((long long)ictl_iommufd_count(s), 10, "the table has ten objects");
	o = ictl_iommufd_find_name(s, "s1");
	ok(o && o->id == t.s1 && o->kind == ICTL_OBJ_HWPT_NESTED && o->parent == t.vi,
	   "s1 is found by name: a nested HWPT over the vIOMMU");
	ok(depends(o, t.vi) && depends(o, t.fq), "  ...depending on the vIOMMU and the fault queue");
	o = ictl_iommufd_find(s, t.mock_dev);
	ok(o && o->id == t.mock && o->kind == ICTL_OBJ_MOCK_DEV && !strcmp(o->name, "m"),
	   "the mock device is found by its dev_id as well as its id");
	ok(depends(o, t.s1) && !depends(o, t.ram),
	   "attaching the mock to s1 replaced its dependency on the IOAS it was plugged into");
	o = ictl_iommufd_find(s, t.vd);
	ok(depends(o, t.vi) && depends(o, t.mock), "the vDevice depends on its vIOMMU and device");
	o = ictl_iommufd_find(s, t.hwq1);
	ok(depends(o, t.hwq0), "HW queue 1 depends on HW queue 0");
	o = ictl_iommufd_find(s, t.ev);
	is_int(o ? o->fd : -1, t.ev_fd, "the vEVENTQ's fd is recorded");
	is_str(ictl_obj_kind_name(ictl_iommufd_find(s, t.s2)->kind), "hwpt_paging",
	       "s2 is a paging HWPT");
	ok(ictl_iommufd_find(s, t.s2)->flags == ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT,
	   "  ...with its flags");
	ok(ictl_iommufd_obj(s, 0)->id == t.ram && ictl_iommufd_obj(s, 9)->id == t.hwq1 &&
	   !ictl_iommufd_obj(s, 10), "the objects come in allocation order");
	ok(!ictl_iommufd_find(s, 0) && !ictl_iommufd_find(s, 12345) &&
	   !ictl_iommufd_find_name(s, "") && !ictl_iommufd_find_name(s, "nope"),
	   "lookups of 0, an unknown id, an empty or unknown name find nothing");
	ictl_iommufd_free(s);
}

static void destroy_all(struct ictl_ctx *ctx)
{
	char want[256];
	int r;
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	struct tree t;

	build(s, &t);
	f.log[0] = '\0';
	r = ictl_iommufd_destroy_all(s);
	is_int(r, 0, "destroy_all: %s", ictl_strerror(ctx));
	/*
	 * The reverse of allocation would destroy s1 before the mock attached to
	 * it, and the vIOMMU before its vDevice: the kernel says EBUSY to both.
	 */
	snprintf(want, sizeof(want), "D%u D%u C%d D%u D%u D%u D%u D%u C%d D%u D%u D%u", t.hwq1,
		 t.hwq0, t.ev_fd, t.ev, t.vd, t.mock, t.s1, t.vi, t.fq_fd, t.fq, t.s2, t.ram);
	is_str(f.log, want, "in reverse dependency order, queues' fds closed first");
	is_int(f.busy, 0, "the kernel never had to refuse a destroy");
	is_int((long long)ictl_iommufd_count(s), 0, "the table is empty");
	f.log[0] = '\0';
	ictl_iommufd_free(s);
	is_str(f.log, "C7", "free then closes only the iommufd");
}

/* More objects than destroy_all marks on its stack (32): all of them, the most recent first. */
static void destroy_all_many(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	uint32_t ioas[40];
	bool order = true;
	int r;

	for (size_t i = 0; i < 40; i++)
		ictl_ioas_alloc(s, NULL, &ioas[i]);
	f.log[0] = '\0';
	r = ictl_iommufd_destroy_all(s);
	is_int(r, 0, "destroy_all of 40 objects: %s", r ? ictl_strerror(ctx) : "");
	for (size_t i = 0; i < 40; i++)
		order &= !kfind(&f, ioas[i]);
	ok(order && ictl_iommufd_count(s) == 0, "  ...every one is gone, in the kernel and the table");
	ok(!strncmp(f.log, "D", 1) && atoi(f.log + 1) == (int)ioas[39],
	   "  ...the most recent first (%.12s)", f.log);
	ictl_iommufd_free(s);
}

static void destroy_subtree(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	char want[256];
	struct tree t;
	uint32_t pt;
	int r;

	build(s, &t);
	pt = t.ram;
	is_int(ictl_dev_attach(s, t.mock_dev, ICTL_NO_PASID, &pt), 0, "the mock goes back to the IOAS");
	f.log[0] = '\0';
	r = ictl_iommufd_destroy(s, t.vi);
	is_int(r, 0, "destroying the vIOMMU: %s", ictl_strerror(ctx));
	snprintf(want, sizeof(want), "D%u D%u C%d D%u D%u D%u D%u", t.hwq1, t.hwq0, t.ev_fd, t.ev,
		 t.s1, t.vd, t.vi);
	is_str(f.log, want, "takes what hangs off it first, and nothing else");
	ok(ictl_iommufd_find(s, t.mock) && ictl_iommufd_find(s, t.fq) && ictl_iommufd_find(s, t.s2) &&
	   !ictl_iommufd_find(s, t.vd) && !ictl_iommufd_find_name(s, "s1"),
	   "the mock, the fault queue and the parent stay; the vDevice and s1 are gone");
	is_int((long long)ictl_iommufd_count(s), 4, "four objects are left");
	f.log[0] = '\0';
	is_int(ictl_iommufd_destroy(s, t.ram), 0, "destroying the IOAS takes all that stands on it");
	snprintf(want, sizeof(want), "D%u D%u D%u", t.s2, t.mock, t.ram);
	is_str(f.log, want, "  ...the parent HWPT and the mock plugged into it, then the IOAS");
	is_int(f.busy, 0, "the kernel never had to refuse a destroy");
	is_int(ictl_iommufd_destroy(s, t.ram), -ENOENT, "an object no longer there is refused");
	ok(strstr(ictl_strerror(ctx), "not an object of this session") != NULL, "  ...saying so");
	ictl_iommufd_free(s);
}

/* A device cdev is destroyed by closing it, before the HWPT it is attached to. */
static void devices(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	uint32_t ioas, nic, hwpt, pt;
	char want[64];

	ictl_ioas_alloc(s, NULL, &ioas);
	nic = fake_device(&f);
	is_int(ictl_dev_adopt(s, "nic", NIC_FD, "0000:03:00.0", nic), 0, "a bound cdev is adopted");
	ictl_hwpt_alloc(s, NULL, &(struct ictl_hwpt_spec){ .dev_id = nic, .pt_id = ioas }, &hwpt);
	pt = hwpt;
	is_int(ictl_dev_attach(s, nic, ICTL_NO_PASID, &pt), 0, "it is attached to a paging HWPT");
	f.log[0] = '\0';
	is_int(ictl_iommufd_destroy(s, hwpt), 0, "destroying the HWPT");
	snprintf(want, sizeof(want), "C%d D%u", NIC_FD, hwpt);
	is_str(f.log, want, "  ...closes the device attached to it first");
	ok(!ictl_iommufd_find_name(s, "nic"), "  ...and the device is out of the table");

	nic = fake_device(&f);
	ictl_dev_adopt(s, "nic", NIC_FD, "0000:03:00.0", nic);
	ictl_hwpt_alloc(s, NULL, &(struct ictl_hwpt_spec){ .dev_id = nic, .pt_id = ioas }, &hwpt);
	pt = hwpt;
	ictl_dev_attach(s, nic, ICTL_NO_PASID, &pt);
	is_int(ictl_dev_detach(s, nic, ICTL_NO_PASID), 0, "detached again");
	f.log[0] = '\0';
	ictl_iommufd_destroy(s, hwpt);
	snprintf(want, sizeof(want), "D%u", hwpt);
	is_str(f.log, want, "  ...the HWPT goes alone");
	f.log[0] = '\0';
	ictl_iommufd_free(s);
	snprintf(want, sizeof(want), "C%d C%d", NIC_FD, IOMMUFD_FD);
	is_str(f.log, want, "free closes the cdev, then the iommufd, and destroys nothing itself");
}

static void errors(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	struct ictl_mock_dev md;
	uint32_t ioas, id = 0, pt;
	int n;

	ictl_ioas_alloc(s, "ram", &ioas);
	ictl_mock_dev_add(s, "m", ioas, 0, &md);
	n = f.nioctl;
	f.fail_next = EOPNOTSUPP;
	is_int(ictl_hwpt_alloc(s, "s2", &(struct ictl_hwpt_spec){ .dev_id = md.dev_id, .pt_id = ioas,
			       .flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT }, &id), -EOPNOTSUPP,
	       "a refused allocation returns the errno");
	is_str(ictl_strerror(ctx),
	       "IOMMU_HWPT_ALLOC on mock_device 'm' #2 (pt ioas 'ram' #1, flags 0x1, data type 0): Operation not supported: this IOMMU cannot be a nesting parent",
	       "  ...names the ioctl, the objects by name and the errno in words");
	ok(ictl_iommufd_count(s) == 2 && !ictl_iommufd_find_name(s, "s2") && id == 0,
	   "  ...and leaves the table as it was");

	n = f.nioctl;
	is_int(ictl_ioas_alloc(s, "ram", &id), -EEXIST, "a name already taken is refused");
	is_str(ictl_strerror(ctx), "ioas 'ram': the name is taken by ioas 'ram' #1", "  ...saying by what");
	is_int(f.nioctl, n, "  ...before asking the kernel");
	is_int(ictl_ioas_alloc(s, "a-name-longer-than-the-sixty-three-characters-that-a-session-allows-it", &id),
	       -ENAMETOOLONG, "a name too long is refused");

	pt = ioas;
	f.fail_next = ENOENT;
	is_int(ictl_dev_attach(s, md.dev_id, ICTL_NO_PASID, &pt), -ENOENT, "a refused attach fails");
	ok(ictl_iommufd_find(s, md.stdev_id)->ndeps == 1 &&
	   ictl_iommufd_find(s, md.stdev_id)->deps[0].on == ioas,
	   "  ...and the device still depends on what it was attached to");
	is_int(ictl_dev_attach(s, 4242, ICTL_NO_PASID, &pt), -ENOENT, "attaching an unknown device");
	ok(strstr(ictl_strerror(ctx), "not a device of this session") != NULL, "  ...is refused");
	is_int(ictl_dev_detach(s, md.dev_id, ICTL_NO_PASID), -EOPNOTSUPP,
	       "a mock device cannot be detached, only attached elsewhere");
	ictl_iommufd_free(s);
}

static void destroy_fails(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	char want[192];
	struct tree t;

	build(s, &t);
	f.fail_destroy = t.vd;
	f.log[0] = '\0';
	is_int(ictl_iommufd_destroy_all(s), -EBUSY, "a destroy the kernel refuses stops the walk");
	snprintf(want, sizeof(want),
		 "IOMMU_DESTROY on vdevice 'vd' #%u: Device or resource busy: the kernel knows of a user of it that this session does not (made outside it?)",
		 t.vd);
	is_str(ictl_strerror(ctx), want, "  ...naming the object");
	snprintf(want, sizeof(want), "D%u D%u C%d D%u D%u", t.hwq1, t.hwq0, t.ev_fd, t.ev, t.vd);
	is_str(f.log, want, "  ...after the objects it could destroy");
	ok(ictl_iommufd_count(s) == 7 && ictl_iommufd_find(s, t.vd) && !ictl_iommufd_find(s, t.ev),
	   "  ...which are out of the table, while the refused one and the rest are in");
	f.fail_destroy = 0;
	is_int(ictl_iommufd_destroy_all(s), 0, "once the kernel agrees, the rest goes");
	is_int(f.busy, 0, "the kernel never had to refuse a destroy for a holder");
	ictl_iommufd_free(s);
}

/* ictl_iommufd_probe() through the session: HWPTs it makes are destroyed and not left behind. */
static void probe(struct ictl_ctx *ctx)
{
	struct ictl_iommufd_features feat;
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	struct ictl_mock_dev md;
	uint32_t ioas;

	ictl_ioas_alloc(s, NULL, &ioas);
	ictl_mock_dev_add(s, NULL, ioas, 0, &md);
	f.unknown_req = ICTL_IOMMU_VIOMMU_ALLOC;
	f.log[0] = '\0';
	int r = ictl_iommufd_probe(s, md.dev_id, ioas, &feat);

	is_int(r, 0, "probe: %s", ictl_strerror(ctx));
	ok(!(feat.ioctls & (1u << (ICTL_IOMMUFD_CMD_VIOMMU_ALLOC - ICTL_IOMMUFD_CMD_BASE))) &&
	   (feat.ioctls & (1u << (ICTL_IOMMUFD_CMD_HWPT_ALLOC - ICTL_IOMMUFD_CMD_BASE))),
	   "an ioctl answered ENOTTY is unknown, the others known");
	is_int(feat.hwpt_flags_ok,
	       ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT | ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
		       ICTL_IOMMU_HWPT_ALLOC_PASID, "each HWPT flag was allocated");
	is_str(f.log, "D4 D5 D6", "  ...and destroyed at once");
	is_int((long long)ictl_iommufd_count(s), 2, "the table holds only what the caller made");
	ictl_iommufd_free(s);
}

/*
 * A device attached at more PASIDs than an object keeps room for in itself
 * (four): every attach is still recorded, and the record grows.
 */
static void many_pasids(struct ictl_ctx *ctx)
{
	struct fake f;
	struct ictl_iommufd *s = session(ctx, &f);
	const struct ictl_iommufd_obj *o;
	uint32_t ioas, nic, hwpt[7], pt;
	size_t seen = 0;

	ictl_ioas_alloc(s, NULL, &ioas);
	nic = fake_device(&f);
	ictl_dev_adopt(s, "nic", NIC_FD, "0000:03:00.0", nic);
	for (uint32_t p = 0; p < 7; p++) {
		ictl_hwpt_alloc(s, NULL, &(struct ictl_hwpt_spec){ .dev_id = nic, .pt_id = ioas },
				&hwpt[p]);
		pt = hwpt[p];
		if (ictl_dev_attach(s, nic, p ? p : ICTL_NO_PASID, &pt) < 0)
			break;
	}
	o = ictl_iommufd_find_name(s, "nic");
	for (size_t i = 0; o && i < o->ndeps; i++) {
		uint32_t p = o->deps[i].pasid == ICTL_NO_PASID ? 0 : o->deps[i].pasid;

		seen += o->deps[i].attach && p < 7 && o->deps[i].on == hwpt[p];
	}
	is_int((int)seen, 7, "a device attached at 7 PASIDs records all 7 attaches");
	f.log[0] = '\0';
	is_int(ictl_iommufd_destroy(s, hwpt[6]), 0, "destroying the last HWPT it is attached to");
	ok(!strncmp(f.log, "C", 1), "  ...closes the device first (%s)", f.log);
	ictl_iommufd_free(s);
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no context: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	table(ctx);
	destroy_all(ctx);
	destroy_all_many(ctx);
	destroy_subtree(ctx);
	devices(ctx);
	many_pasids(ctx);
	errors(ctx);
	destroy_fails(ctx);
	probe(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
