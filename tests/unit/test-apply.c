// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply (src/lib/apply.c) without a kernel: the session's ops seam is a fake
 * iommufd that hands out ids, logs each ioctl by name, can fail the nth one,
 * and logs each IOMMU_DESTROY.  The specs are the examples of examples/ (the
 * tests run from the top of the tree).  What is checked: the order of the
 * ioctls is the dependency order of spec.h; a failure at any ioctl leaves
 * nothing made (every id handed out is destroyed again); the IOVA the kernel
 * picks is what apply reports and hands over; a dry run issues nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "apply-step.h"
#include "internal.h"
#include "tap.h"

struct fake {
	char log[2048];		/* "IOAS_ALLOC ALLOW ..." */
	uint32_t next_id;
	int n, fail_at;		/* fail the fail_at-th ioctl (1-based) with EFAULT; 0: none */
	uint32_t made[128];	/* ids handed out */
	size_t nmade;
	bool destroyed[128];
};

static void logw(struct fake *f, const char *w)
{
	size_t l = strlen(f->log);

	snprintf(f->log + l, sizeof(f->log) - l, "%s%s", l ? " " : "", w);
}

static uint32_t give(struct fake *f)
{
	f->made[f->nmade++] = f->next_id;
	return f->next_id++;
}

static const char *test_op(const struct ictl_iommu_test_cmd *c)
{
	switch (c->op) {
	case ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: return "MOCK";
	case ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: return "REPLACE";
	case ICTL_IOMMU_TEST_OP_PASID_ATTACH: return "PASID_ATTACH";
	case ICTL_IOMMU_TEST_OP_MD_CHECK_MAP: return "CHECK_MAP";
	default: return "TEST?";
	}
}

static int fake_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct fake *f = priv;
	struct ictl_iommu_test_cmd *c = arg;

	(void)fd;
	if (++f->n == f->fail_at)
		return -EFAULT;
	if (req == ICTL_IOMMU_DESTROY) {
		uint32_t id = ((struct ictl_iommu_destroy *)arg)->id;

		for (size_t i = 0; i < f->nmade; i++)
			if (f->made[i] == id)
				f->destroyed[i] = true;
		return 0;
	}
	if (req == ICTL_IOMMU_IOAS_ALLOC) {
		logw(f, "IOAS_ALLOC");
		((struct ictl_iommu_ioas_alloc *)arg)->out_ioas_id = give(f);
	} else if (req == ICTL_IOMMU_IOAS_ALLOW_IOVAS) {
		logw(f, "ALLOW");
	} else if (req == ICTL_IOMMU_OPTION) {
		logw(f, "OPTION");
	} else if (req == ICTL_IOMMU_IOAS_MAP) {
		struct ictl_iommu_ioas_map *m = arg;

		logw(f, "MAP");
		if (!(m->flags & ICTL_IOMMU_IOAS_MAP_FIXED_IOVA))
			m->iova = 0x5000000;
	} else if (req == ICTL_IOMMU_IOAS_MAP_FILE) {
		struct ictl_iommu_ioas_map_file *m = arg;

		logw(f, "MAP_FILE");
		if (!(m->flags & ICTL_IOMMU_IOAS_MAP_FIXED_IOVA))
			m->iova = 0x6000000;
	} else if (req == ICTL_IOMMU_TEST_CMD) {
		logw(f, test_op(c));
		if (c->op == ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS) {
			c->mock_domain_flags.out_stdev_id = give(f);
			c->mock_domain_flags.out_hwpt_id = give(f);
			c->mock_domain_flags.out_idev_id = give(f);
		}
	} else if (req == ICTL_IOMMU_FAULT_QUEUE_ALLOC) {
		struct ictl_iommu_fault_alloc *a = arg;

		logw(f, "FAULT");
		a->out_fault_id = give(f);
		a->out_fault_fd = 200 + a->out_fault_id;
	} else if (req == ICTL_IOMMU_HWPT_ALLOC) {
		struct ictl_iommu_hwpt_alloc *a = arg;

		logw(f, a->data_type ? "HWPT_NESTED" : "HWPT");
		a->out_hwpt_id = give(f);
	} else if (req == ICTL_IOMMU_VIOMMU_ALLOC) {
		logw(f, "VIOMMU");
		((struct ictl_iommu_viommu_alloc *)arg)->out_viommu_id = give(f);
	} else if (req == ICTL_IOMMU_VDEVICE_ALLOC) {
		logw(f, "VDEVICE");
		((struct ictl_iommu_vdevice_alloc *)arg)->out_vdevice_id = give(f);
	} else if (req == ICTL_IOMMU_VEVENTQ_ALLOC) {
		struct ictl_iommu_veventq_alloc *a = arg;

		logw(f, "VEVENTQ");
		a->out_veventq_id = give(f);
		a->out_veventq_fd = 200 + a->out_veventq_id;
	} else {
		logw(f, "?");
		return -ENOTTY;
	}
	return 0;
}

static void fake_close(void *priv, int fd)
{
	(void)priv;
	(void)fd;
}

static const struct ictl_iommufd_ops fake_ops = { .ioctl = fake_ioctl, .close = fake_close };

static struct ictl_iommufd *session(struct ictl_ctx *ctx, struct fake *f, int fail_at)
{
	struct ictl_iommufd *s;

	memset(f, 0, sizeof(*f));
	f->next_id = 1;
	f->fail_at = fail_at;
	if (ictl_iommufd_adopt(ctx, 7, &s) < 0)
		return NULL;
	ictl_iommufd_set_ops(s, &fake_ops, f);
	return s;
}

static bool all_destroyed(const struct fake *f)
{
	for (size_t i = 0; i < f->nmade; i++) {
		/* a mock's hwpt and idev go with its stdev, which is destroyed */
		if (!f->destroyed[i] && !(i >= 1 && f->made[i] == f->made[i - 1] + 1 &&
					  (f->destroyed[i - 1] || (i >= 2 && f->destroyed[i - 2]))))
			return false;
	}
	return true;
}

/* Written when read, even after undo, a run's texts are its dry run's (the example's IOVAs are the spec's). */
static void same_texts_as_dry_run(struct ictl_ctx *ctx, const struct ictl_spec *sp,
				  struct ictl_apply *a)
{
	struct ictl_apply *d = NULL;
	size_t same = 0;

	ictl_apply_describe(a);
	is_int(ictl_apply_run(ctx, sp, NULL, true, &d), 0, "the dry run of the same spec");
	for (size_t i = 0; a && d && i < a->nsteps && i < d->nsteps; i++) {
		if (a->steps[i].what[0] && !strcmp(a->steps[i].what, d->steps[i].what))
			same++;
		else
			printf("# step %zu: '%s', the dry run's '%s'\n", i, a->steps[i].what,
			       d->steps[i].what);
	}
	ok(a && d && a->nsteps == d->nsteps && same == a->nsteps,
	   "each step's text, written when read after the undo, is the dry run's (%zu of %zu)", same,
	   a ? a->nsteps : 0);
	ictl_apply_free(d);
}

/* The mock example, made in dependency order; the kernel-chosen IOVA reported and handed over. */
static void mock_example(struct ictl_ctx *ctx, const struct ictl_spec *sp)
{
	struct ictl_iommufd *s;
	struct ictl_apply *a = NULL;
	struct ictl_handoff h;
	struct fake f;
	const char *objs = NULL, *maps = NULL;
	size_t checked;
	int r;

	s = session(ctx, &f, 0);
	r = ictl_apply_run(ctx, sp, s, false, &a);
	is_int(r, 0, "the mock example applies: %s", r ? ictl_strerror(ctx) : "");
	is_str(f.log,
	       "IOAS_ALLOC ALLOW MAP_FILE MAP MOCK FAULT HWPT HWPT VIOMMU HWPT_NESTED HWPT_NESTED "
	       "VDEVICE VEVENTQ REPLACE PASID_ATTACH",
	       "ioctls in dependency order: IOAS and its mappings, the mock, fault, paging HWPTs, vIOMMU, nested, vDevice, vEVENTQ, attach before PASID attach");
	is_int(a ? (long long)a->maps[0][1].iova : -1, 0x5000000,
	       "the IOVA the kernel picked for 'scratch' is the one apply reports");
	is_int(a ? (long long)a->maps[0][0].iova : -1, 0x1000000, "'buf' is at its fixed IOVA");
	ok(a && a->nsteps == 15, "one step per ioctl (%zu)", a ? a->nsteps : 0);
	ok(a && a->steps[0].id == a->ioas[0] && a->ioas[0] != 0, "the steps carry the ids made");
	r = a ? ictl_apply_verify(a, &checked) : -1;
	ok(r == 0 && checked == 4, "verify asks the mock for each mapping of each paging HWPT (%zu)",
	   checked);

	ictl_handoff_init(&h);
	r = a ? ictl_apply_handoff(a, &h) : -1;
	for (size_t i = 0; !r && i < h.nenv; i++) {
		if (!strcmp(h.env[i].name, "IOMMUCTL_OBJECTS"))
			objs = h.env[i].value;
		if (!strcmp(h.env[i].name, "IOMMUCTL_MAPPINGS"))
			maps = h.env[i].value;
	}
	ok(objs && strstr(objs, "guest-ram=") && strstr(objs, "v0=") && strstr(objs, "s1v="),
	   "IOMMUCTL_OBJECTS names every object: %s", objs ? objs : "(none)");
	is_str(maps, "buf=0x1000000 scratch=0x5000000", "IOMMUCTL_MAPPINGS has the kernel's IOVA");
	ictl_handoff_clear(&h);

	ok(a && !a->steps[0].what[0] && !a->steps[4].what[0],
	   "a run that only makes objects writes none of its steps' texts");
	r = ictl_apply_undo(a);
	ok(r == 0 && all_destroyed(&f), "undo destroys every object made");
	same_texts_as_dry_run(ctx, sp, a);
	ictl_apply_free(a);
	ictl_iommufd_free(s);
}

/* A failure at any ioctl: an error naming the step, and nothing left made. */
static void failures(struct ictl_ctx *ctx, const struct ictl_spec *sp)
{
	bool all = true, named = true;
	int n;

	for (n = 1; n <= 15; n++) {
		struct ictl_iommufd *s;
		struct ictl_apply *a = NULL;
		struct fake f;
		int r;

		s = session(ctx, &f, n);
		r = ictl_apply_run(ctx, sp, s, false, &a);
		if (r != -EFAULT || !all_destroyed(&f) || ictl_iommufd_count(s) != 0) {
			all = false;
			printf("# failing ioctl %d: r=%d, log %s\n", n, r, f.log);
		}
		if (!a || !a->nsteps || a->steps[a->nsteps - 1].err != -EFAULT ||
		    !strstr(ictl_strerror(ctx), a->steps[a->nsteps - 1].what)) {
			named = false;
			printf("# failing ioctl %d: %s\n", n, ictl_strerror(ctx));
		}
		ictl_apply_free(a);
		ictl_iommufd_free(s);
	}
	ok(all, "a failure at any of the 15 ioctls leaves nothing made");
	ok(named, "and its message starts with the step that failed");
}

static void dry_run(struct ictl_ctx *ctx, const struct ictl_spec *sp)
{
	struct ictl_apply *a = NULL;
	int r;

	r = ictl_apply_run(ctx, sp, NULL, true, &a);
	ok(r == 0 && a && a->nsteps == 15 && !a->steps[0].id,
	   "a dry run records the same 15 steps and makes nothing");
	ok(a && strstr(a->steps[a->nsteps - 1].what, "at PASID 0x100"),
	   "its last step is the PASID attach: %s", a ? a->steps[a->nsteps - 1].what : "");
	ictl_apply_free(a);
}

/* A step's fields: numbers are kept as numbers, and written as the kernel's uAPI is read. */
static void step_fields(void)
{
	struct ictl_apply_step st = { 0 };
	char buf[160];

	af_u(&st, "size", 40);
	af_x(&st, "iova", 0x1000000);
	af_x(&st, "start", 0);
	af_out(&st, "out_ioas_id");
	af_map_flags(&st, 7);
	af(&st, "ioas_id", "<ioas '%s'>", "ram");
	af_hwpt_flags(&st, 0);	/* the same name: replaces the map flags */
	is_int((int)st.nfields, 6, "six fields; a second 'flags' replaces the first");
	is_str(ictl_apply_field_text(&st.fields[0], buf, sizeof(buf)), "40", "decimal");
	is_str(ictl_apply_field_text(&st.fields[1], buf, sizeof(buf)), "0x1000000", "hex");
	is_str(ictl_apply_field_text(&st.fields[2], buf, sizeof(buf)), "0", "hex zero, as %%#x writes it");
	is_str(ictl_apply_field_text(&st.fields[3], buf, sizeof(buf)), "(out)", "an out field");
	is_str(ictl_apply_field_text(&st.fields[4], buf, sizeof(buf)), "0", "hwpt flags 0: no names");
	is_str(ictl_apply_field_text(&st.fields[5], buf, sizeof(buf)), "<ioas 'ram'>", "text as given");
	af_map_flags(&st, 7);
	is_str(ictl_apply_field_text(&st.fields[4], buf, sizeof(buf)), "0x7 (FIXED_IOVA|WRITEABLE|READABLE)",
	       "map flags with their names");
	af_hwpt_flags(&st, 0xc);
	is_str(ictl_apply_field_text(&st.fields[4], buf, sizeof(buf)), "0xc (FAULT_ID_VALID|PASID)",
	       "hwpt flags with their names");
	is_str(ictl_apply_field_text(&st.fields[4], buf, 8), "0xc (FA", "cut to the buffer, terminated");
}

/* The memory-file rule apply and apply --check share (memfile.c). */
static void memory_files(void)
{
	char dir[] = "/dev/shm/ictl-mf-XXXXXX", file[64], why[512];
	bool pin = false;
	int fd;

	if (!mkdtemp(dir)) {
		skip(7, "no /dev/shm here");
		return;
	}
	snprintf(file, sizeof(file), "%s/img", dir);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && ftruncate(fd, 8192) == 0, "an 8 KiB file on tmpfs");
	is_int(ictl_file_mappable(fd, file, 4096, 4096, true, &pin, why, sizeof(why)), 0,
	       "its last page maps for writing");
	ok(pin, "and the kernel pins it by fd (tmpfs)");
	is_int(ictl_file_mappable(-1, file, 4096, 8192, false, &pin, why, sizeof(why)), EINVAL,
	       "past its end is refused, by path too");
	ok(strstr(why, file) && strstr(why, "8192 bytes"), "naming the file and its size: %s", why);
	is_int(ictl_file_mappable(-1, dir, 0, 4096, false, &pin, why, sizeof(why)), EINVAL,
	       "a directory is not a memory file: %s", why);
	is_int(ictl_file_mappable(-1, "/nonexistent/img", 0, 4096, false, &pin, why, sizeof(why)),
	       ENOENT, "a missing file gives its errno: %s", why);
	if (fd >= 0)
		close(fd);
	unlink(file);
	rmdir(dir);
}

/* Many steps (the room reserved for them is not zeroed): each one's text and fields are its own. */
static void many_steps(struct ictl_ctx *ctx)
{
	char text[8192], buf[64];
	size_t off = 0;
	struct ictl_spec sp;
	struct ictl_apply *a = NULL;
	bool texts = true;
	int r;

	off += (size_t)snprintf(text + off, sizeof(text) - off,
				"devices: [{name: m, mock: {ioas: ram}}]\nioas:\n  - name: ram\n    mappings:\n");
	for (int i = 0; i < 70; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"      - {name: m%d, iova: %#x, size: 4K, memory: anon}\n", i,
					0x1000000 + i * 0x2000);
	if (ictl_spec_parse(ctx, "many.yaml", text, off, &sp) < 0) {
		ok(false, "the spec of 70 mappings parses: %s", ictl_strerror(ctx));
		return;
	}
	r = ictl_apply_run(ctx, &sp, NULL, true, &a);
	ok(r == 0 && a && a->nsteps == 72, "70 mappings: 72 steps (%zu)", a ? a->nsteps : 0);
	for (size_t i = 0; a && i < 70 && i + 1 < a->nsteps; i++) {
		const struct ictl_apply_step *st = &a->steps[i + 1];
		char want[96];

		snprintf(want, sizeof(want), "map 'm%zu', 4K of anon at %#zx in ioas 'ram' (IOMMU_IOAS_MAP)",
			 i, 0x1000000 + i * 0x2000);
		const char *iova = NULL;
		char wiova[24];

		for (size_t k = 0; k < st->nfields; k++)
			if (!strcmp(st->fields[k].name, "iova"))
				iova = ictl_apply_field_text(&st->fields[k], buf, sizeof(buf));
		snprintf(wiova, sizeof(wiova), "%#zx", 0x1000000 + i * 0x2000);
		if (strcmp(st->what, want) || st->err || st->id || !st->strct || !iova ||
		    strcmp(iova, wiova)) {
			texts = false;
			printf("# step %zu: '%s', iova %s\n", i + 1, st->what, iova ? iova : "(none)");
		}
	}
	ok(texts, "each map step says its own mapping, and its iova field is that mapping's");
	ictl_apply_free(a);
	ictl_spec_clear(&sp);
}

int main(void)
{
	struct ictl_ctx *ctx;
	struct ictl_spec sp;

	if (ictl_ctx_new(&ctx, "/") < 0)
		return 1;
	if (ictl_spec_load(ctx, "examples/selftest-mock.yaml", &sp) < 0) {
		printf("Bail out! examples/selftest-mock.yaml: %s\n", ictl_strerror(ctx));
		return 1;
	}
	mock_example(ctx, &sp);
	failures(ctx, &sp);
	dry_run(ctx, &sp);
	step_fields();
	many_steps(ctx);
	memory_files();
	ictl_spec_clear(&sp);
	ictl_ctx_free(ctx);
	return done_testing();
}
