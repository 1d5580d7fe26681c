// SPDX-License-Identifier: GPL-2.0-or-later
/* Making what a spec describes, in a session (see apply.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mman.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "internal.h"
#include "vendor.h"

typedef unsigned long long ull;

/*
 * Room for n more steps.  A step is large (the fields of its struct, each with
 * room for its text) and most of it is never written: the room is not zeroed,
 * and step() sets what is read (the fields up to nfields, as af*() sets them).
 */
static int steps_room(struct ictl_apply *a, size_t n)
{
	struct ictl_apply_step *v;
	size_t cap = a->steps_cap ? a->steps_cap : 8;

	if (a->nsteps + n <= a->steps_cap)
		return 0;
	while (cap < a->nsteps + n && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap < a->nsteps + n || cap > SIZE_MAX / sizeof(*v))
		return -ENOMEM;
	/* the first ones are in a's own block (ictl_apply_run) */
	v = realloc(a->steps == a->steps_here ? NULL : a->steps, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (a->steps == a->steps_here)
		memcpy(v, a->steps, a->nsteps * sizeof(*v));
	a->steps = v;
	a->steps_cap = cap;
	return 0;
}

/* A step into a->steps; NULL (and the context says so) when out of memory. */
static struct ictl_apply_step *step_of(struct ictl_apply *a, enum ictl_apply_step_kind kind,
				       size_t i, size_t k)
{
	struct ictl_apply_step *st;

	if (steps_room(a, 1) < 0) {
		ictl_err(a->ctx, ENOMEM, "apply: out of memory");
		return NULL;
	}
	st = &a->steps[a->nsteps++];
	st->what[0] = '\0';
	st->strct = NULL;
	st->nfields = 0;
	st->id = 0;
	st->err = 0;
	st->kind = kind;
	st->i = i;
	st->k = k;
	return st;
}

/* A step whose text is written now. */
__attribute__((format(printf, 2, 3)))
static struct ictl_apply_step *step(struct ictl_apply *a, const char *fmt, ...)
{
	struct ictl_apply_step *st = step_of(a, ICTL_AS_TEXT, 0, 0);
	va_list ap;

	if (!st)
		return NULL;
	va_start(ap, fmt);
	str_vfmt(st->what, sizeof(st->what), fmt, ap);
	va_end(ap);
	return st;
}

/* The step failed with r (the context has the kernel's or our reason). */
static int failed(struct ictl_apply *a, struct ictl_apply_step *st, int r)
{
	st->err = r;
	apply_describe(a, st);
	return ictl_err_wrap(a->ctx, -r, "%s", st->what);
}

/* The name an object gets in the session: the spec's, or none. */
static const char *nm(const char *name)
{
	return name[0] ? name : NULL;
}

/* --- memory ------------------------------------------------------------------------ */

/*
 * Memory a device may DMA to stays out of children (-- COMMAND, fork then
 * exec): the kernel copies pinned private pages into a child at fork, eagerly
 * (a second 1 GiB of guest RAM; for hugetlb a second huge page, or ENOMEM
 * when the pool has none), as QEMU and DPDK avoid with the same advice.
 */
static int dontfork(struct ictl_apply *a, void *va, size_t len)
{
	if (madvise(va, len, MADV_DONTFORK) < 0)
		return ictl_err_kernel(a->ctx, errno, "madvise(MADV_DONTFORK) of %zu bytes: %s", len,
				       strerror(errno));
	return 0;
}

static int mem_anon(struct ictl_apply *a, struct ictl_apply_map *mp, uint64_t size, int huge)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *va;

	if (huge) {
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | huge;
	}
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (va == MAP_FAILED) {
		int e = errno;

		if (huge)
			return ictl_err_kernel(a->ctx, e,
					       "mmap of %llu bytes of %s hugetlb pages: %s: reserve free huge pages first (/sys/kernel/mm/hugepages/hugepages-%s/nr_hugepages; iommuctl doctor --memory shows what is free)",
					       (ull)size, huge == MAP_HUGE_2MB ? "2M" : "1G", strerror(e),
					       huge == MAP_HUGE_2MB ? "2048kB" : "1048576kB");
		return ictl_err_kernel(a->ctx, e, "mmap of %llu bytes: %s", (ull)size, strerror(e));
	}
	mp->va = va;
	mp->len = size;
	return dontfork(a, va, size);
}

static int mem_memfd(struct ictl_apply *a, struct ictl_apply_map *mp, const char *label,
		     uint64_t size)
{
	int fd = memfd_create(label, MFD_CLOEXEC);

	if (fd < 0)
		return ictl_err_kernel(a->ctx, errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;

		close(fd);
		return ictl_err_kernel(a->ctx, e, "memfd of %llu bytes: %s", (ull)size, strerror(e));
	}
	mp->fd = fd;
	/*
	 * This process's view of the same pages (what a VMM would map as guest RAM),
	 * populated: the pages the kernel pins are then in this process's page
	 * tables too, where /proc/PID/pagemap shows them (pt validate --held).
	 */
	mp->va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (mp->va == MAP_FAILED) {
		mp->va = NULL;
		return ictl_err_kernel(a->ctx, errno, "mmap of the memfd: %s", strerror(errno));
	}
	mp->len = size;
	return dontfork(a, mp->va, size);
}


/*
 * The user's file (not below any sysroot: a spec names the host's files), never
 * a FIFO.  On tmpfs or hugetlbfs the kernel pins it through the fd; elsewhere a
 * device may only read it: mapped shared and read-only here, it is pinned
 * through this process's view (IOMMU_IOAS_MAP), as the kernel lets a
 * long-term pin of a file's page cache only without write access.
 */
static int mem_file(struct ictl_apply *a, struct ictl_apply_map *mp,
		    const struct ictl_spec_mapping *m)
{
	bool wr = m->access & ICTL_SPEC_ACCESS_WRITE, pinnable = false;
	char why[sizeof(a->ctx->err)];
	void *va;
	int fd, r;

	fd = open(m->file, (wr ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return ictl_err(a->ctx, errno, "memory file %s: %s%s", m->file, strerror(errno),
				wr && errno == EACCES ? " (access: rw opens it for writing; give access: r)" : "");
	r = ictl_file_mappable(fd, m->file, m->offset.v, m->size.v, wr, &pinnable, why, sizeof(why));
	if (r) {
		close(fd);
		return ictl_err(a->ctx, r, "%s", why);
	}
	if (pinnable) {
		mp->fd = fd;
		return 0;
	}
	va = mmap(NULL, m->size.v, PROT_READ, MAP_SHARED, fd, (off_t)m->offset.v);
	close(fd);
	if (va == MAP_FAILED)
		return ictl_err_kernel(a->ctx, errno, "mmap of memory file %s: %s", m->file,
				       strerror(errno));
	mp->va = va;
	mp->len = m->size.v;
	return dontfork(a, va, m->size.v);
}

static void mem_free(struct ictl_apply_map *mp)
{
	if (mp->va)
		munmap(mp->va, mp->len);
	if (mp->fd >= 0)
		close(mp->fd);
	mp->va = NULL;
	mp->fd = -1;
}

/* --- the steps ----------------------------------------------------------------------- */

/* struct iommu_option, SET: file-wide (object 0) or of an IOAS. */
static void option_fields(struct ictl_apply *a, struct ictl_apply_step *st, uint32_t option,
			  const char *oname, uint32_t object, const char *ioas, uint64_t val)
{
	af_struct(st, "iommu_option");
	af_u(st, "size", sizeof(struct ictl_iommu_option));
	af(st, "option_id", "%u (%s)", option, oname);
	af(st, "op", "%u (SET)", ICTL_IOMMU_OPTION_OP_SET);
	af_u(st, "__reserved", 0);
	if (ioas)
		af_id(a->dry_run, st, "object_id", object, "ioas", ioas);
	else
		af_u(st, "object_id", 0);
	af_u(st, "val64", val);
}

static int do_options(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	uint64_t v;
	int r;

	if (s->rlimit_mode < 0)
		return 0;
	st = step_of(a, ICTL_AS_RLIMIT, 0, 0);
	if (!st)
		return -ENOMEM;
	option_fields(a, st, ICTL_IOMMU_OPTION_RLIMIT_MODE, "RLIMIT_MODE", 0, NULL,
		      (uint64_t)s->rlimit_mode);
	if (a->dry_run)
		return 0;
	v = (uint64_t)s->rlimit_mode;
	r = ictl_iommufd_option(a->s, ICTL_IOMMU_OPTION_OP_SET, ICTL_IOMMU_OPTION_RLIMIT_MODE, 0, &v);
	return r < 0 ? failed(a, st, r) : 0;
}

/* struct iommu_ioas_allow_iovas, and the ranges its allowed_iovas points at. */
static void allow_fields(struct ictl_apply *a, struct ictl_apply_step *st, size_t i)
{
	const struct ictl_spec_ioas *io = &a->spec->ioas[i];
	char buf[160];
	size_t off = 0;

	af_struct(st, "iommu_ioas_allow_iovas");
	af_u(st, "size", sizeof(struct ictl_iommu_ioas_allow_iovas));
	af_id(a->dry_run, st, "ioas_id", a->ioas[i], "ioas", io->name);
	af_u(st, "num_iovas", io->nallow);
	af_u(st, "__reserved", 0);
	for (size_t k = 0; k < io->nallow && off + 40 < sizeof(buf); k++)
		off += (size_t)str_fmt(buf + off, sizeof(buf) - off, "%s%#llx-%#llx", k ? " " : "",
				       (ull)io->allow[k].start, (ull)io->allow[k].last);
	af(st, "allowed_iovas", "[%s%s]", buf, off + 40 >= sizeof(buf) ? " ..." : "");
}

static int ioas_alloc(struct ictl_apply *a, size_t i)
{
	const struct ictl_spec_ioas *io = &a->spec->ioas[i];
	_cleanup_free_ struct ictl_iommu_iova_range *rg = NULL;
	struct ictl_apply_step *st;
	uint64_t v;
	int r;

	st = step_of(a, ICTL_AS_IOAS, i, 0);
	if (!st)
		return -ENOMEM;
	af_struct(st, "iommu_ioas_alloc");
	af_u(st, "size", sizeof(struct ictl_iommu_ioas_alloc));
	af_u(st, "flags", 0);
	af_out(st, "out_ioas_id");
	if (!a->dry_run) {
		r = ictl_ioas_alloc(a->s, nm(io->name), &a->ioas[i]);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->ioas[i];
	}
	if (io->nallow) {
		st = step_of(a, ICTL_AS_ALLOW, i, 0);
		if (!st)
			return -ENOMEM;
		allow_fields(a, st, i);
		if (!a->dry_run) {
			rg = calloc(io->nallow, sizeof(*rg));
			if (!rg)
				return ictl_err(a->ctx, ENOMEM, "apply: out of memory");
			for (size_t k = 0; k < io->nallow; k++)
				rg[k] = (struct ictl_iommu_iova_range){ io->allow[k].start,
									io->allow[k].last };
			r = ictl_ioas_allow_iovas(a->s, a->ioas[i], rg, (uint32_t)io->nallow);
			if (r < 0)
				return failed(a, st, r);
		}
	}
	if (io->huge_pages != ICTL_UNKNOWN) {
		st = step_of(a, ICTL_AS_HUGE_PAGES, i, 0);
		if (!st)
			return -ENOMEM;
		option_fields(a, st, ICTL_IOMMU_OPTION_HUGE_PAGES, "HUGE_PAGES", a->ioas[i], io->name,
			      io->huge_pages == ICTL_YES);
		if (!a->dry_run) {
			v = io->huge_pages == ICTL_YES;
			r = ictl_iommufd_option(a->s, ICTL_IOMMU_OPTION_OP_SET,
						ICTL_IOMMU_OPTION_HUGE_PAGES, a->ioas[i], &v);
			if (r < 0)
				return failed(a, st, r);
		}
	}
	return 0;
}

static uint32_t map_flags(const struct ictl_spec_mapping *m, bool fixed)
{
	return (fixed ? ICTL_IOMMU_IOAS_MAP_FIXED_IOVA : 0) |
	       (m->access & ICTL_SPEC_ACCESS_READ ? ICTL_IOMMU_IOAS_MAP_READABLE : 0) |
	       (m->access & ICTL_SPEC_ACCESS_WRITE ? ICTL_IOMMU_IOAS_MAP_WRITEABLE : 0);
}

/*
 * struct iommu_ioas_map (this process's memory) or iommu_ioas_map_file (a
 * memfd or file): what a run passes; the memory's address or fd are known
 * once it is made (mp), else said in words.
 */
static void map_fields(struct ictl_apply *a, struct ictl_apply_step *st, size_t i,
		       const struct ictl_spec_mapping *m, const struct ictl_apply_map *mp,
		       bool file)
{
	af_struct(st, file ? "iommu_ioas_map_file" : "iommu_ioas_map");
	af_u(st, "size", file ? sizeof(struct ictl_iommu_ioas_map_file) :
				sizeof(struct ictl_iommu_ioas_map));
	af_map_flags(st, map_flags(m, m->iova.set));
	af_id(a->dry_run, st, "ioas_id", a->ioas[i], "ioas", a->spec->ioas[i].name);
	if (file && mp && mp->fd >= 0)
		af(st, "fd", "%d", mp->fd);
	else if (file)
		af(st, "fd", "<%s>", m->memory == ICTL_SPEC_MEM_FILE ? "the file, opened" : "a new memfd");
	else
		af_u(st, "__reserved", 0);
	if (file)
		af_x(st, "start", m->memory == ICTL_SPEC_MEM_FILE ? m->offset.v : 0);
	else if (mp && mp->va)
		af_x(st, "user_va", (uintptr_t)mp->va);
	else
		af(st, "user_va", "<new %s memory, mmap'd here>", m->memory == ICTL_SPEC_MEM_FILE ?
								 "read-only file" : ictl_spec_mem_name(m->memory));
	af_x(st, "length", m->size.v);
	if (m->iova.set)
		af_x(st, "iova", m->iova.v);
	else
		af(st, "iova", "0 (in; out: the IOVA the kernel picks)");
}

/* Would mapping m be made with IOMMU_IOAS_MAP_FILE (a memfd, or a file the kernel pins)? */
static bool by_file(const struct ictl_spec_mapping *m)
{
	return !strcmp(apply_map_ioctl(m), "IOMMU_IOAS_MAP_FILE");
}

static int map_one(struct ictl_apply *a, size_t i, size_t k)
{
	const struct ictl_spec_ioas *io = &a->spec->ioas[i];
	const struct ictl_spec_mapping *m = &io->maps[k];
	struct ictl_apply_map *mp = &a->maps[i][k];
	struct ictl_apply_step *st;
	char label[64];
	bool fixed = m->iova.set;
	int r;

	st = step_of(a, ICTL_AS_MAP, i, k);
	if (!st)
		return -ENOMEM;
	if (a->dry_run) {
		if (m->memory != ICTL_SPEC_MEM_COPY)
			map_fields(a, st, i, m, NULL, by_file(m));
		return 0;
	}
	/* a run: the fields once the memory is made (its address or fd), or it could not be */
	mp->iova = m->iova.v;
	switch (m->memory) {
	case ICTL_SPEC_MEM_ANON:
		r = mem_anon(a, mp, m->size.v, 0);
		break;
	case ICTL_SPEC_MEM_HUGETLB_2M:
		r = mem_anon(a, mp, m->size.v, MAP_HUGE_2MB);
		break;
	case ICTL_SPEC_MEM_HUGETLB_1G:
		r = mem_anon(a, mp, m->size.v, MAP_HUGE_1GB);
		break;
	case ICTL_SPEC_MEM_MEMFD:
		str_fmt(label, sizeof(label), "iommuctl:%s", m->name[0] ? m->name : io->name);
		r = mem_memfd(a, mp, label, m->size.v);
		break;
	case ICTL_SPEC_MEM_FILE:
		r = mem_file(a, mp, m);
		break;
	default:
		return 0;	/* copies come after every IOAS's own mappings */
	}
	if (r < 0) {
		map_fields(a, st, i, m, NULL, by_file(m));
		return failed(a, st, r);
	}
	map_fields(a, st, i, m, mp,
		   m->memory == ICTL_SPEC_MEM_MEMFD || (m->memory == ICTL_SPEC_MEM_FILE && mp->fd >= 0));
	if (m->memory == ICTL_SPEC_MEM_MEMFD || (m->memory == ICTL_SPEC_MEM_FILE && mp->fd >= 0))
		r = ictl_ioas_map_file(a->s, a->ioas[i], map_flags(m, fixed), mp->fd,
				       m->memory == ICTL_SPEC_MEM_FILE ? m->offset.v : 0, m->size.v,
				       &mp->iova);
	else
		r = ictl_ioas_map(a->s, a->ioas[i], map_flags(m, fixed), mp->va, m->size.v,
				  &mp->iova);
	if (r < 0)
		return failed(a, st, r);
	mp->made = true;
	return 0;
}

/* Copies in spec order: a copy of a copy comes after it (the check made sure). */
static int copy_one(struct ictl_apply *a, size_t i, size_t k)
{
	const struct ictl_spec_ioas *io = &a->spec->ioas[i];
	const struct ictl_spec_mapping *m = &io->maps[k];
	struct ictl_apply_map *mp = &a->maps[i][k];
	int si = m->copy_ioas.idx;
	const struct ictl_spec_ioas *src = &a->spec->ioas[si];
	struct ictl_apply_step *st;
	uint64_t from = m->copy_iova.v;
	int r;

	st = step_of(a, ICTL_AS_COPY, i, k);
	if (!st)
		return -ENOMEM;
	if (!a->dry_run && m->copy_mapping >= 0)	/* an offset into a mapping whose IOVA is known only now */
		from += a->maps[si][m->copy_mapping].iova;
	af_struct(st, "iommu_ioas_copy");
	af_u(st, "size", sizeof(struct ictl_iommu_ioas_copy));
	af_map_flags(st, map_flags(m, m->iova.set));
	af_id(a->dry_run, st, "dst_ioas_id", a->ioas[i], "ioas", io->name);
	af_id(a->dry_run, st, "src_ioas_id", a->ioas[si], "ioas", src->name);
	af_x(st, "length", m->size.v);
	if (m->iova.set)
		af_x(st, "dst_iova", m->iova.v);
	else
		af(st, "dst_iova", "0 (in; out: the IOVA the kernel picks)");
	if (a->dry_run && m->copy_mapping >= 0)
		af(st, "src_iova", "<the IOVA of mapping '%s'> + %#llx", src->maps[m->copy_mapping].name,
		   (ull)from);
	else
		af_x(st, "src_iova", from);
	if (a->dry_run)
		return 0;
	mp->iova = m->iova.v;
	r = ictl_ioas_copy(a->s, a->ioas[i], a->ioas[si], map_flags(m, m->iova.set), from,
			   m->size.v, &mp->iova);
	if (r < 0)
		return failed(a, st, r);
	mp->made = true;
	return 0;
}

/* --- stage-1 tables ------------------------------------------------------------------ */

/* The IOVA of mapping k of IOAS i, as made (a kernel-chosen one included). */
static int made_iova(void *priv, size_t i, size_t k, uint64_t *iova)
{
	const struct ictl_apply *a = priv;

	*iova = a->maps[i][k].iova;
	return a->maps[i][k].made ? 0 : ictl_err(a->ctx, EINVAL, "mapping %zu of ioas %zu is not made",
						  k, i);
}

/*
 * The memory of table t: a memfd of a header page and the table memory, the
 * memory mapped at the table's at: in its IOAS.  Made right after the IOAS,
 * before its mappings, so that no IOVA the kernel picks for them lands there;
 * the tables are built into it once the mappings they point into are made.
 */
static int table_reserve(struct ictl_apply *a, size_t t)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	struct ictl_apply_table *tb = &a->tables[t];
	struct ictl_apply_step *st;
	char label[64];
	uint64_t size = 0;
	int r;

	r = ictl_spec_pt_size(a->ctx, s, t, &size);
	if (r < 0)
		return r;
	tb->iova = pt->at.v;	/* at: auto: 0 until the kernel picks it */
	tb->size = size;
	tb->root = pt->at.v;
	tb->ptr = ictl_spec_pt_ptr(s, t);
	st = step_of(a, ICTL_AS_TABLE_MEMORY, t, 0);
	if (!st)
		return -ENOMEM;
	af_struct(st, "iommu_ioas_map_file");
	af_u(st, "size", sizeof(struct ictl_iommu_ioas_map_file));
	af_map_flags(st, ICTL_IOMMU_IOAS_MAP_FIXED_IOVA | ICTL_IOMMU_IOAS_MAP_READABLE |
				 ICTL_IOMMU_IOAS_MAP_WRITEABLE);
	af_id(a->dry_run, st, "ioas_id", a->ioas[pt->ioas.idx], "ioas", s->ioas[pt->ioas.idx].name);
	af(st, "fd", "<a new memfd: a pt image>");
	af_x(st, "start", ICTL_PT_HEADER_SIZE);
	af_x(st, "length", size);
	af_x(st, "iova", pt->at.v);
	if (a->dry_run)
		return 0;
	str_fmt(label, sizeof(label), "iommuctl:pt:%s", pt->name);
	tb->fd = memfd_create(label, MFD_CLOEXEC);
	if (tb->fd < 0)
		return failed(a, st, ictl_err_kernel(a->ctx, errno, "memfd_create: %s", strerror(errno)));
	af(st, "fd", "%d", tb->fd);
	if (ftruncate(tb->fd, (off_t)(ICTL_PT_HEADER_SIZE + size)) < 0)
		return failed(a, st, ictl_err_kernel(a->ctx, errno, "memfd of %llu bytes: %s",
						     (ull)(ICTL_PT_HEADER_SIZE + size), strerror(errno)));
	r = ictl_ioas_map_file(a->s, a->ioas[pt->ioas.idx],
			       (pt->at.set ? ICTL_IOMMU_IOAS_MAP_FIXED_IOVA : 0) |
				       ICTL_IOMMU_IOAS_MAP_READABLE | ICTL_IOMMU_IOAS_MAP_WRITEABLE,
			       tb->fd, ICTL_PT_HEADER_SIZE, size, &tb->iova);
	if (r < 0)
		return failed(a, st, r);
	tb->made = true;
	if (!pt->at.set) {	/* the tables are built for where the kernel put them */
		tb->root = tb->iova;
		tb->ptr = tb->ptr ? tb->iova + tb->ptr : 0;
		tb->picked = true;
	}
	return 0;
}

/* Build table t into its memory (a pt image: the header page, then the tables). */
static int table_one(struct ictl_apply *a, size_t t)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_ptable *pt = &s->ptables[t];
	struct ictl_apply_table *tb = &a->tables[t];
	struct ictl_pt_image img;
	struct ictl_apply_step *st;
	int r;

	st = step_of(a, ICTL_AS_TABLE_BUILD, t, 0);
	if (!st)
		return -ENOMEM;
	if (a->dry_run)
		return 0;
	r = ictl_spec_pt_build_at(a->ctx, s, t, tb->iova, made_iova, a, &img);
	if (!r && img.len != tb->size)
		r = ictl_err(a->ctx, EINVAL, "table %s: built 0x%zx bytes for 0x%llx of memory",
			     pt->name, img.len, (ull)tb->size);
	if (!r && lseek(tb->fd, 0, SEEK_SET) < 0)
		r = ictl_err_kernel(a->ctx, errno, "memfd of table %s: %s", pt->name, strerror(errno));
	if (!r)	/* the same pages the kernel pinned when it mapped them */
		r = ictl_pt_image_write(a->ctx, &img, tb->fd, "its memfd");
	ictl_pt_image_clear(&img);
	if (r < 0)
		return failed(a, st, r);
	return 0;
}

static int do_tables(struct ictl_apply *a)
{
	int r = 0;

	for (size_t t = 0; !r && t < a->spec->nptables; t++)
		r = table_one(a, t);
	return r;
}

int ictl_apply_table_write(struct ictl_apply *a, size_t t, const char *path)
{
	const struct ictl_apply_table *tb = &a->tables[t];
	_cleanup_close_ int out = -1;
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	if (!tb->made || tb->fd < 0)
		return ictl_err(a->ctx, EINVAL, "table %s was not made", a->spec->ptables[t].name);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return ictl_err(a->ctx, errno, "%s: %s", path, strerror(errno));
	while ((n = pread(tb->fd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, (size_t)n) != n)
			return ictl_err(a->ctx, errno ? errno : EIO, "%s: %s", path,
					strerror(errno ? errno : EIO));
		off += n;
	}
	if (n < 0)
		return ictl_err(a->ctx, errno, "reading table %s: %s", a->spec->ptables[t].name,
				strerror(errno));
	return 0;
}

static int do_ioas(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	int r;

	for (size_t i = 0; i < s->nioas; i++) {
		r = ioas_alloc(a, i);
		for (size_t t = 0; !r && t < s->nptables; t++) {
			if (s->ptables[t].ioas.idx == (int)i && s->ptables[t].at.set)
				r = table_reserve(a, t);
		}
		for (size_t k = 0; !r && k < s->ioas[i].nmaps; k++) {
			if (s->ioas[i].maps[k].memory != ICTL_SPEC_MEM_COPY)
				r = map_one(a, i, k);
		}
		if (r)
			return r;
	}
	for (size_t i = 0; i < s->nioas; i++) {
		for (size_t k = 0; k < s->ioas[i].nmaps; k++) {
			if (s->ioas[i].maps[k].memory == ICTL_SPEC_MEM_COPY && (r = copy_one(a, i, k)))
				return r;
		}
	}
	/* at: auto: once every fixed IOVA is taken, so that the kernel's pick takes none of them */
	for (size_t t = 0; t < s->nptables; t++) {
		if (!s->ptables[t].at.set && (r = table_reserve(a, t)))
			return r;
	}
	return 0;
}

/* IOMMU_TEST_CMD MOCK_DOMAIN(_FLAGS) on the iommufd, or VFIO_DEVICE_BIND_IOMMUFD on the cdev. */
static void device_fields(struct ictl_apply *a, struct ictl_apply_step *st, size_t i)
{
	const struct ictl_spec_device *d = &a->spec->devices[i];

	if (!d->mock) {
		af_struct(st, "vfio_device_bind_iommufd");
		af_u(st, "argsz", sizeof(struct ictl_vfio_device_bind_iommufd));
		af_u(st, "flags", 0);
		af(st, "iommufd", "<the iommufd>");
		af_out(st, "out_devid");
		af_x(st, "token_uuid_ptr", 0);
		return;
	}
	af_struct(st, "iommu_test_cmd");
	af_u(st, "size", sizeof(struct ictl_iommu_test_cmd));
	if (d->mock_flags)
		af(st, "op", "%u (MOCK_DOMAIN_FLAGS)", ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS);
	else
		af(st, "op", "%u (MOCK_DOMAIN)", ICTL_IOMMU_TEST_OP_MOCK_DOMAIN);
	af_id(a->dry_run, st, "id", a->ioas[d->mock_ioas.idx], "ioas", a->spec->ioas[d->mock_ioas.idx].name);
	af_u(st, "__reserved", 0);
	if (d->mock_flags) {
		af_out(st, "mock_domain_flags.out_stdev_id");
		af_out(st, "mock_domain_flags.out_hwpt_id");
		af_out(st, "mock_domain_flags.out_idev_id");
		af_x(st, "mock_domain_flags.dev_flags", d->mock_flags);
	} else {
		af_out(st, "mock_domain.out_stdev_id");
		af_out(st, "mock_domain.out_hwpt_id");
		af_out(st, "mock_domain.out_idev_id");
	}
	af_u(st, "last", 0);
}

static int do_devices(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r;

	for (size_t i = 0; i < s->ndevices; i++) {
		const struct ictl_spec_device *d = &s->devices[i];

		st = step_of(a, ICTL_AS_DEVICE, i, 0);
		if (!st)
			return -ENOMEM;
		device_fields(a, st, i);
		if (a->dry_run)
			continue;
		if (d->mock) {
			struct ictl_mock_dev md;

			r = ictl_mock_dev_add(a->s, nm(d->name), a->ioas[d->mock_ioas.idx],
					      d->mock_flags, &md);
			a->dev[i] = md.dev_id;
			st->id = md.stdev_id;
		} else {
			r = ictl_dev_bind(a->s, nm(d->name), d->device, &a->dev[i]);
			st->id = a->dev[i];
		}
		if (r < 0)
			return failed(a, st, r);
	}
	return 0;
}

static int do_faults(struct ictl_apply *a)
{
	struct ictl_apply_step *st;
	int r, fd;

	for (size_t i = 0; i < a->spec->nfaults; i++) {
		st = step_of(a, ICTL_AS_FAULT, i, 0);
		if (!st)
			return -ENOMEM;
		af_struct(st, "iommu_fault_alloc");
		af_u(st, "size", sizeof(struct ictl_iommu_fault_alloc));
		af_u(st, "flags", 0);
		af_out(st, "out_fault_id");
		af_out(st, "out_fault_fd");
		if (a->dry_run)
			continue;
		r = ictl_fault_queue_alloc(a->s, nm(a->spec->faults[i].name), &a->fault[i], &fd);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->fault[i];
	}
	return 0;
}

/* struct iommu_hwpt_alloc, and the vendor data its data_uptr points at (as 64-bit words). */
static void hwpt_fields(struct ictl_apply *a, struct ictl_apply_step *st, size_t i)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_hwpt *h = &s->hwpts[i];
	char buf[160] = "";
	size_t off = 0;

	af_struct(st, "iommu_hwpt_alloc");
	af_u(st, "size", sizeof(struct ictl_iommu_hwpt_alloc));
	af_hwpt_flags(st, h->flags | (h->fault.idx >= 0 ? ICTL_IOMMU_HWPT_FAULT_ID_VALID : 0));
	af_id(a->dry_run, st, "dev_id", a->dev[h->device.idx], "device", s->devices[h->device.idx].name);
	if (h->ioas.idx >= 0)
		af_id(a->dry_run, st, "pt_id", a->ioas[h->ioas.idx], "ioas", s->ioas[h->ioas.idx].name);
	else if (h->parent.idx >= 0)
		af_id(a->dry_run, st, "pt_id", a->hwpt[h->parent.idx], "hwpt", s->hwpts[h->parent.idx].name);
	else
		af_id(a->dry_run, st, "pt_id", a->viommu[h->viommu.idx], "viommu", s->viommus[h->viommu.idx].name);
	af_out(st, "out_hwpt_id");
	af_u(st, "__reserved", 0);
	af(st, "data_type", "%#x", h->data ? h->data_type : ICTL_IOMMU_HWPT_DATA_NONE);
	af_u(st, "data_len", h->data ? h->data_len : 0);
	for (uint32_t w = 0; h->data && w < h->data_len && off + 24 < sizeof(buf); w += 8) {
		uint64_t v = 0;

		memcpy(&v, h->data_bytes + w, h->data_len - w < 8 ? h->data_len - w : 8);
		off += (size_t)str_fmt(buf + off, sizeof(buf) - off, "%s%#llx", w ? " " : "", (ull)v);
	}
	if (h->data)
		af(st, "data_uptr", "-> [%s]", buf);
	else
		af_x(st, "data_uptr", 0);
	if (h->fault.idx >= 0)
		af_id(a->dry_run, st, "fault_id", a->fault[h->fault.idx], "fault queue", s->faults[h->fault.idx].name);
	else
		af_u(st, "fault_id", 0);
	af_u(st, "__reserved2", 0);
}

static int hwpt_alloc(struct ictl_apply *a, size_t i)
{
	const struct ictl_spec *s = a->spec;
	const struct ictl_spec_hwpt *h = &s->hwpts[i];
	struct ictl_hwpt_spec hs = { .flags = h->flags };
	struct ictl_apply_step *st;
	uint8_t data[ICTL_NESTED_DATA_MAX];
	uint32_t data_len = h->data_len;
	char n[48], on[48], dn[48], fl[64] = "", dd[180] = "";
	const char *over;
	int r, rebuilt = 0;

	for (unsigned int b = 0; b < 32; b++) {
		if (h->flags & (1u << b))
			str_fmt(fl + strlen(fl), sizeof(fl) - strlen(fl), "%s%s", fl[0] ? "," : "",
				ictl_spec_hwpt_flag_name(b) ?: "?");
	}
	if (h->ioas.idx >= 0) {
		over = "ioas";
		apply_q(s->ioas[h->ioas.idx].name, on, sizeof(on));
	} else if (h->parent.idx >= 0) {
		over = "hwpt";
		apply_q(s->hwpts[h->parent.idx].name, on, sizeof(on));
	} else {
		over = "viommu";
		apply_q(s->viommus[h->viommu.idx].name, on, sizeof(on));
	}
	/* at: auto: the data built again for where the kernel put the table */
	memcpy(data, h->data_bytes, sizeof(data));
	if (h->ptable >= 0 && !s->ptables[h->ptable].at.set && !a->dry_run)
		rebuilt = ictl_spec_nested_data_at(a->ctx, s, i, a->tables[h->ptable].iova, data,
						   &data_len);
	if (h->ptable >= 0) {	/* the data that points at a table: what the kernel gets */
		size_t off = (size_t)str_fmt(dd, sizeof(dd),
					     ", data from table '%s':", s->ptables[h->ptable].name);

		if (a->dry_run && !s->ptables[h->ptable].at.set)
			off += (size_t)str_fmt(dd + off, sizeof(dd) - off, " (for its memory at 0: the kernel picks where)");
		for (uint32_t w = 0; w + 8 <= data_len && off < sizeof(dd); w += 8) {
			uint64_t v;

			memcpy(&v, data + w, 8);
			off += (size_t)str_fmt(dd + off, sizeof(dd) - off, " %#llx", (ull)v);
		}
	}
	st = step(a, "allocate %s hwpt %s over %s %s for device %s%s%s%s%s (IOMMU_HWPT_ALLOC)",
		  h->data ? "nested" : "paging", apply_q(h->name, n, sizeof(n)), over, on,
		  apply_q(s->devices[h->device.idx].name, dn, sizeof(dn)),
		  fl[0] ? ", flags " : "", fl,
		  h->fault.idx >= 0 ? ", with a fault queue" : "", dd);
	if (!st)
		return -ENOMEM;
	hwpt_fields(a, st, i);
	if (a->dry_run)
		return 0;
	if (rebuilt < 0)
		return failed(a, st, rebuilt);
	hs.dev_id = a->dev[h->device.idx];
	hs.pt_id = h->ioas.idx >= 0 ? a->ioas[h->ioas.idx] :
		   h->parent.idx >= 0 ? a->hwpt[h->parent.idx] : a->viommu[h->viommu.idx];
	if (h->fault.idx >= 0) {
		hs.flags |= ICTL_IOMMU_HWPT_FAULT_ID_VALID;
		hs.fault_id = a->fault[h->fault.idx];
	}
	if (h->data) {
		hs.data_type = h->data_type;
		hs.data_len = data_len;
		hs.data = data;
	}
	r = ictl_hwpt_alloc(a->s, nm(h->name), &hs, &a->hwpt[i]);
	if (r < 0)
		return failed(a, st, r);
	st->id = a->hwpt[i];
	return 0;
}

/* The vIOMMU type the spec left to the device's IOMMU: its vendor's. */
static int viommu_type(struct ictl_apply *a, size_t i, uint32_t *type)
{
	const struct ictl_spec_viommu *v = &a->spec->viommus[i];
	struct ictl_iommufd_hw_info hw;
	const struct ictl_vendor_ops *ops;
	int r;

	*type = v->type;
	if (v->type)
		return 0;
	r = ictl_iommufd_get_hw_info(a->s, a->dev[v->device.idx], 0, &hw);
	if (r < 0)
		return r;
	ops = ictl_vendor_by_hw_info_type(hw.type);
	if (!ops || !ops->viommu_type)
		return ictl_err(a->ctx, EOPNOTSUPP,
				"viommus[%zu]: the IOMMU of device %s (hw_info type %u) has no vIOMMU type iommuctl knows: give type:",
				i, a->spec->devices[v->device.idx].name, hw.type);
	*type = ops->viommu_type;
	return 0;
}

static int do_viommus(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r;

	for (size_t i = 0; i < s->nviommus; i++) {
		const struct ictl_spec_viommu *v = &s->viommus[i];

		st = step_of(a, ICTL_AS_VIOMMU, i, 0);
		if (!st)
			return -ENOMEM;
		af_struct(st, "iommu_viommu_alloc");
		af_u(st, "size", sizeof(struct ictl_iommu_viommu_alloc));
		af_u(st, "flags", 0);
		if (v->type)
			af(st, "type", "%#x", v->type);
		else
			af(st, "type", "<the vIOMMU type of the device's IOMMU (hw_info)>");
		af_id(a->dry_run, st, "dev_id", a->dev[v->device.idx], "device", s->devices[v->device.idx].name);
		af_id(a->dry_run, st, "hwpt_id", a->hwpt[v->parent.idx], "hwpt", s->hwpts[v->parent.idx].name);
		af_out(st, "out_viommu_id");
		af_u(st, "data_len", 0);
		af_u(st, "__reserved", 0);
		af_x(st, "data_uptr", 0);
		if (a->dry_run)
			continue;
		r = viommu_type(a, i, &a->viommu_type[i]);
		if (!r)
			af(st, "type", "%#x", a->viommu_type[i]);
		if (!r)
			r = ictl_viommu_alloc(a->s, nm(v->name), a->viommu_type[i],
					      a->dev[v->device.idx], a->hwpt[v->parent.idx], NULL, 0,
					      &a->viommu[i]);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->viommu[i];
	}
	return 0;
}

static int do_vdevices(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r;

	for (size_t i = 0; i < s->nvdevices; i++) {
		const struct ictl_spec_vdevice *v = &s->vdevices[i];

		st = step_of(a, ICTL_AS_VDEVICE, i, 0);
		if (!st)
			return -ENOMEM;
		af_struct(st, "iommu_vdevice_alloc");
		af_u(st, "size", sizeof(struct ictl_iommu_vdevice_alloc));
		af_id(a->dry_run, st, "viommu_id", a->viommu[v->viommu.idx], "viommu", s->viommus[v->viommu.idx].name);
		af_id(a->dry_run, st, "dev_id", a->dev[v->device.idx], "device", s->devices[v->device.idx].name);
		af_out(st, "out_vdevice_id");
		af_x(st, "virt_id", v->virt_id.v);
		if (a->dry_run)
			continue;
		r = ictl_vdevice_alloc(a->s, nm(v->name), a->viommu[v->viommu.idx],
				       a->dev[v->device.idx], v->virt_id.v, &a->vdev[i]);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->vdev[i];
	}
	return 0;
}

/* A vEVENTQ of type 0: the events of its vIOMMU's type. */
static uint32_t veventq_type(uint32_t viommu)
{
	switch (viommu) {
	case ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3:
		return ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	case ICTL_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV:
		return ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV;
	case ICTL_IOMMU_VIOMMU_TYPE_SELFTEST:
		return ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST;
	}
	return 0;
}

static int do_veventqs(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r, fd;

	for (size_t i = 0; i < s->nveventqs; i++) {
		const struct ictl_spec_veventq *v = &s->veventqs[i];
		uint32_t type;

		st = step_of(a, ICTL_AS_VEVENTQ, i, 0);
		if (!st)
			return -ENOMEM;
		af_struct(st, "iommu_veventq_alloc");
		af_u(st, "size", sizeof(struct ictl_iommu_veventq_alloc));
		af_u(st, "flags", 0);
		af_id(a->dry_run, st, "viommu_id", a->viommu[v->viommu.idx], "viommu", s->viommus[v->viommu.idx].name);
		if (v->type || !a->dry_run)
			af(st, "type", "%#x", v->type ? v->type : veventq_type(a->viommu_type[v->viommu.idx]));
		else
			af(st, "type", "<the events of vIOMMU '%s''s type>", s->viommus[v->viommu.idx].name);
		af_u(st, "veventq_depth", v->depth.v);
		af_out(st, "out_veventq_id");
		af_out(st, "out_veventq_fd");
		af_u(st, "__reserved", 0);
		if (a->dry_run)
			continue;
		type = v->type ? v->type : veventq_type(a->viommu_type[v->viommu.idx]);
		r = ictl_veventq_alloc(a->s, nm(v->name), a->viommu[v->viommu.idx], type,
				       (uint32_t)v->depth.v, &a->veventq[i], &fd);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->veventq[i];
	}
	return 0;
}

/*
 * What an attach (or a replace: the same ioctl again) passes: on a cdev
 * struct vfio_device_attach_iommufd_pt; on the mock, IOMMU_TEST_CMD with
 * MOCK_DOMAIN_REPLACE, or PASID_ATTACH / PASID_REPLACE (pt the HWPT or IOAS).
 */
static void attach_fields(struct ictl_apply *a, struct ictl_apply_step *st,
			  const struct ictl_spec_attach *at, bool again, uint32_t pt, const char *kind,
			  const char *pname)
{
	const struct ictl_spec_device *d = &a->spec->devices[at->device.idx];

	if (!d->mock) {
		af_struct(st, "vfio_device_attach_iommufd_pt");
		af_u(st, "argsz", sizeof(struct ictl_vfio_device_attach_iommufd_pt));
		af(st, "flags", at->pasid.set ? "0x1 (PASID)" : "0");
		af_id(a->dry_run, st, "pt_id", pt, kind, pname);
		af_u(st, "pasid", at->pasid.set ? at->pasid.v : 0);
		return;
	}
	af_struct(st, "iommu_test_cmd");
	af_u(st, "size", sizeof(struct ictl_iommu_test_cmd));
	if (!at->pasid.set)
		af(st, "op", "%u (MOCK_DOMAIN_REPLACE)", ICTL_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
	else if (again)
		af(st, "op", "%u (PASID_REPLACE)", ICTL_IOMMU_TEST_OP_PASID_REPLACE);
	else
		af(st, "op", "%u (PASID_ATTACH)", ICTL_IOMMU_TEST_OP_PASID_ATTACH);
	af(st, "id", "<mock device '%s'>", d->name);
	af_u(st, "__reserved", 0);
	if (at->pasid.set) {
		af_x(st, "pasid_attach.pasid", at->pasid.v);
		af_id(a->dry_run, st, "pasid_attach.pt_id", pt, kind, pname);
	} else {
		af_id(a->dry_run, st, "mock_domain_replace.pt_id", pt, kind, pname);
	}
	af_u(st, "last", 0);
}

/*
 * The replaces, once every attach is made, in spec order: a second attach of
 * the same device (and PASID), which on a cdev replaces what it is attached
 * to (the kernel's iommufd_device_replace); the mock's own replace operations.
 */
static int do_replace(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r;

	for (size_t i = 0; i < s->nattach; i++) {
		const struct ictl_spec_attach *at = &s->attach[i];

		if (at->replace.idx < 0)
			continue;
		st = step_of(a, ICTL_AS_REPLACE, i, 0);
		if (!st)
			return -ENOMEM;
		attach_fields(a, st, at, true, a->hwpt[at->replace.idx], "hwpt",
			      s->hwpts[at->replace.idx].name);
		if (a->dry_run)
			continue;
		a->attach_pt[i] = a->hwpt[at->replace.idx];
		r = ictl_dev_attach(a->s, a->dev[at->device.idx],
				    at->pasid.set ? (uint32_t)at->pasid.v : ICTL_NO_PASID,
				    &a->attach_pt[i]);
		if (r < 0)
			return failed(a, st, r);
		st->id = a->attach_pt[i];
	}
	return 0;
}

static int do_attach(struct ictl_apply *a)
{
	const struct ictl_spec *s = a->spec;
	struct ictl_apply_step *st;
	int r;

	/* Each device's own attach before its PASIDs' (the kernel requires it). */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nattach; i++) {
			const struct ictl_spec_attach *at = &s->attach[i];
			bool hw = at->hwpt.idx >= 0;

			if (at->pasid.set != (pass == 1))
				continue;
			st = step_of(a, ICTL_AS_ATTACH, i, 0);
			if (!st)
				return -ENOMEM;
			attach_fields(a, st, at, false,
				      hw ? a->hwpt[at->hwpt.idx] : a->ioas[at->ioas.idx], hw ? "hwpt" : "ioas",
				      hw ? s->hwpts[at->hwpt.idx].name : s->ioas[at->ioas.idx].name);
			if (a->dry_run)
				continue;
			a->attach_pt[i] = hw ? a->hwpt[at->hwpt.idx] : a->ioas[at->ioas.idx];
			r = ictl_dev_attach(a->s, a->dev[at->device.idx],
					    at->pasid.set ? (uint32_t)at->pasid.v : ICTL_NO_PASID,
					    &a->attach_pt[i]);
			if (r < 0)
				return failed(a, st, r);
			st->id = a->attach_pt[i];
		}
	}
	return do_replace(a);
}

/* Paging HWPTs, then vIOMMUs (over them), then nested HWPTs (over both). */
static int do_hwpts(struct ictl_apply *a, bool nested)
{
	int r;

	for (size_t i = 0; i < a->spec->nhwpts; i++) {
		if (!a->spec->hwpts[i].data != !nested)
			continue;
		r = hwpt_alloc(a, i);
		if (r)
			return r;
	}
	return 0;
}

static int run(struct ictl_apply *a)
{
	int r;

	r = do_options(a);
	if (!r)
		r = do_ioas(a);
	if (!r)
		r = do_tables(a);
	if (!r)
		r = do_devices(a);
	if (!r)
		r = do_faults(a);
	if (!r)
		r = do_hwpts(a, false);
	if (!r)
		r = do_viommus(a);
	if (!r)
		r = do_hwpts(a, true);
	if (!r)
		r = do_vdevices(a);
	if (!r)
		r = do_veventqs(a);
	if (!r)
		r = do_attach(a);
	return r;
}

/*
 * Room for n + 1 elements of size at *off in mem (never empty), aligned; with
 * mem NULL it only counts (and returns NULL).
 */
static void *carve(char *mem, size_t *off, size_t n, size_t size)
{
	void *p;

	*off = (*off + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	p = mem ? mem + *off : NULL;
	*off += (n + 1) * size;
	return p;
}

/*
 * The tables by spec index, all in one block: the ids, the mappings per IOAS,
 * the page tables.  With mem NULL: how big the block is.  (The spec's counts
 * are bounded by its parser.)
 */
static size_t lay_tables(struct ictl_apply *a, char *mem)
{
	const struct ictl_spec *s = a->spec;
	size_t off = 0;

	a->dev = carve(mem, &off, s->ndevices, sizeof(*a->dev));
	a->ioas = carve(mem, &off, s->nioas, sizeof(*a->ioas));
	a->hwpt = carve(mem, &off, s->nhwpts, sizeof(*a->hwpt));
	a->fault = carve(mem, &off, s->nfaults, sizeof(*a->fault));
	a->viommu = carve(mem, &off, s->nviommus, sizeof(*a->viommu));
	a->viommu_type = carve(mem, &off, s->nviommus, sizeof(*a->viommu_type));
	a->vdev = carve(mem, &off, s->nvdevices, sizeof(*a->vdev));
	a->veventq = carve(mem, &off, s->nveventqs, sizeof(*a->veventq));
	a->attach_pt = carve(mem, &off, s->nattach, sizeof(*a->attach_pt));
	a->tables = carve(mem, &off, s->nptables, sizeof(*a->tables));
	a->maps = carve(mem, &off, s->nioas, sizeof(*a->maps));
	for (size_t i = 0; i < s->nioas; i++) {
		struct ictl_apply_map *m = carve(mem, &off, s->ioas[i].nmaps, sizeof(*m));

		if (mem)
			a->maps[i] = m;
	}
	return off;
}

/* Most specs take this many steps or fewer. */
static size_t steps_usual(const struct ictl_spec *s)
{
	size_t steps = 4 + s->ndevices + s->nhwpts + s->nfaults + s->nviommus + s->nvdevices +
		       s->nveventqs + s->nattach + 2 * s->nptables;

	for (size_t i = 0; i < s->nioas; i++)
		steps += 3 + s->ioas[i].nmaps + 1;
	return steps;
}

/*
 * An apply in one block: the struct and its tables, zeroed, then room for
 * the usual number of steps (not zeroed: step() sets what is read).
 */
static struct ictl_apply *apply_new(const struct ictl_spec *s)
{
	struct ictl_apply *a, lay = { .spec = s };
	size_t head = sizeof(*a), tables = lay_tables(&lay, NULL), nsteps = steps_usual(s), steps;
	char *mem;

	head = (head + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	steps = (head + tables + _Alignof(struct ictl_apply_step) - 1) &
		~(_Alignof(struct ictl_apply_step) - 1);
	mem = malloc(steps + nsteps * sizeof(struct ictl_apply_step));
	if (!mem)
		return NULL;
	memset(mem, 0, head + tables);
	a = (struct ictl_apply *)mem;
	a->spec = s;
	lay_tables(a, mem + head);
	a->steps = a->steps_here = (struct ictl_apply_step *)(mem + steps);
	a->steps_cap = nsteps;
	for (size_t t = 0; t < s->nptables; t++)
		a->tables[t].fd = -1;
	for (size_t i = 0; i < s->nioas; i++) {
		for (size_t m = 0; m < s->ioas[i].nmaps; m++)
			a->maps[i][m].fd = -1;
	}
	return a;
}

int ictl_apply_run(struct ictl_ctx *ctx, const struct ictl_spec *s, struct ictl_iommufd *sess,
		   bool dry_run, struct ictl_apply **out)
{
	struct ictl_apply *a = apply_new(s);
	int r;

	*out = a;
	if (!a)
		return ictl_err(ctx, ENOMEM, "apply: out of memory");
	a->ctx = ctx;
	a->s = dry_run ? NULL : sess;
	a->dry_run = dry_run || !sess;
	r = run(a);
	if (a->dry_run)	/* a dry run is made to be shown */
		ictl_apply_describe(a);
	if (r < 0 && !a->dry_run) {
		/* Nothing half-made: what was made goes, in dependency order; the reason stays. */
		char why[sizeof(ctx->err)];
		enum ictl_err_kind kind = ctx->err_kind;
		int u;

		memcpy(why, ctx->err, sizeof(why));
		u = ictl_apply_undo(a);
		if (u < 0)
			ictl_err_wrap(ctx, -r, "%s; UNDO FAILED (objects left in the iommufd until it is closed)", why);
		else
			ictl_err(ctx, -r, "%s", why);
		ctx->err_kind = kind;
	}
	return r;
}

int ictl_apply_undo(struct ictl_apply *a)
{
	int r = 0;

	if (!a)
		return 0;
	if (a->s && !a->dry_run)
		r = ictl_iommufd_destroy_all(a->s);
	for (size_t i = 0; a->maps && i < a->spec->nioas; i++) {
		for (size_t k = 0; a->maps[i] && k < a->spec->ioas[i].nmaps; k++)
			mem_free(&a->maps[i][k]);
	}
	for (size_t t = 0; a->tables && t < a->spec->nptables; t++) {
		if (a->tables[t].fd >= 0)
			close(a->tables[t].fd);
		a->tables[t].fd = -1;
		a->tables[t].made = false;
	}
	return r;
}

void ictl_apply_free(struct ictl_apply *a)
{
	if (!a)
		return;
	ictl_apply_undo(a);
	if (a->steps != a->steps_here)
		free(a->steps);
	free(a);
}
