// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the YAML tree (spec-yaml.c) made into struct ictl_spec.  This file
 * reads the file, the top level, the devices and the IOAS with their
 * mappings; spec-objs.c reads the other sections and resolves the names, with
 * the field readers of spec-fields.c.  The first error stops
 * the parse, with "FILE:LINE:COLUMN: PATH: what is wrong; what to do".
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "spec-internal.h"
#include "uapi/iommufd.h"

/* --- devices --------------------------------------------------------------------- */

static const struct spec_word mock_flag_words[] = {
	{ "no-dirty", ICTL_SPEC_MOCK_NO_DIRTY },
	{ "pasid", ICTL_SPEC_MOCK_PASID },
	{ NULL, 0 }
};

static int parse_mock(struct spec_pc *pc, struct ictl_spec_device *d, const struct ynode *m)
{
	static const char *const keys[] = { "flags", "ioas", NULL };
	const struct ynode *f;
	size_t saved = spec_path_key(pc, "mock");
	int r = 0;

	d->mock = true;
	d->mock_ioas.idx = -1;
	if (!ynode_is_null(m)) {
		r = spec_need_map(pc, m, "mock");
		if (!r)
			r = spec_check_keys(pc, m, keys);
		if (!r)
			r = spec_get_ref(pc, m, "ioas", &d->mock_ioas);
		f = ynode_get(m, "flags");
		if (!r && f) {
			size_t s2 = spec_path_key(pc, "flags");

			d->mock_flags_pos = f->pos;
			r = spec_get_flags(pc, f, mock_flag_words, &d->mock_flags, NULL, NULL, 0);
			spec_path_pop(pc, s2);
		}
	}
	spec_path_pop(pc, saved);
	return r;
}

static int parse_device(struct spec_pc *pc, const struct ynode *e)
{
	static const char *const keys[] = { "name", "device", "mock", NULL };
	struct ictl_spec *s = pc->s;
	struct ictl_spec_device *d;
	const struct ynode *dev, *mock;
	int r = spec_need_map(pc, e, "a device");

	if (!r)
		r = spec_check_keys(pc, e, keys);
	if (r)
		return r;
	d = spec_push(pc, &s->devices, &s->ndevices, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->pos = e->pos;
	d->mock_ioas.idx = -1;
	r = spec_get_name(pc, e, true, d->name, NULL);
	if (r)
		return r;
	dev = ynode_get(e, "device");
	mock = ynode_get(e, "mock");
	if (!!dev == !!mock)
		return spec_err_at(pc, e, "give either device: (a PCI address or platform device) or mock: (the kernel's selftest device)%s",
				   dev ? ", not both" : "");
	if (mock)
		return parse_mock(pc, d, mock);
	size_t saved = spec_path_key(pc, "device");

	d->device_pos = dev->pos;
	r = spec_need_scalar(pc, dev);
	if (!r && ictl_parse_device_name(pc->ctx, dev->text, d->device) < 0)
		r = spec_err_at(pc, dev, "%s", ictl_strerror(pc->ctx));
	spec_path_pop(pc, saved);
	return r;
}

/* --- IOAS and mappings --------------------------------------------------------- */

/* "START-LAST", {start, last} or {start, size}: an inclusive range. */
static int parse_range(struct spec_pc *pc, const struct ynode *v, struct ictl_spec_range *out)
{
	static const char *const keys[] = { "start", "last", "size", NULL };
	struct ictl_spec_num start, last, size;
	int r;

	out->pos = v->pos;
	if (v->kind == Y_SCALAR && !ynode_is_null(v)) {
		char a[Y_SCALAR_MAX + 1], *dash;

		str_copy(a, v->text, sizeof(a));
		dash = strchr(a, '-');
		if (!dash || dash == a)
			return spec_err_at(pc, v, "'%.40s' is not a range: write START-LAST (0x0-0x7fffffff), {start, last} or {start, size}",
					   v->text);
		*dash = '\0';
		if (ictl_spec_parse_u64(a, true, &out->start) ||
		    ictl_spec_parse_u64(dash + 1, true, &out->last))
			return spec_err_at(pc, v, "'%.40s' is not a range of two numbers (START-LAST, inclusive)",
					   v->text);
		return 0;
	}
	r = spec_need_map(pc, v, "a range");
	if (!r)
		r = spec_check_keys(pc, v, keys);
	if (!r)
		r = spec_get_num(pc, v, "start", true, 0, UINT64_MAX, &start);
	if (!r)
		r = spec_get_num(pc, v, "last", true, 0, UINT64_MAX, &last);
	if (!r)
		r = spec_get_num(pc, v, "size", true, 1, UINT64_MAX, &size);
	if (r)
		return r;
	if (!start.set || last.set == size.set)
		return spec_err_at(pc, v, "a range needs start and one of last (inclusive) or size");
	out->start = start.v;
	if (last.set) {
		out->last = last.v;
		return 0;
	}
	if (size.v - 1 > UINT64_MAX - start.v)
		return spec_err_at(pc, v, "start + size goes past 2^64");
	out->last = start.v + size.v - 1;
	return 0;
}

static int parse_allow(struct spec_pc *pc, struct ictl_spec_ioas *io, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "allow");
	int r = spec_need_seq(pc, v, "allow");

	io->allow_pos = v->pos;
	for (size_t i = 0; !r && i < v->n; i++) {
		size_t s2 = spec_path_idx(pc, i);
		struct ictl_spec_range *rg = spec_push(pc, &io->allow, &io->nallow, sizeof(*rg));

		r = rg ? parse_range(pc, v->items[i], rg) : -ENOMEM;
		spec_path_pop(pc, s2);
	}
	spec_path_pop(pc, saved);
	return r;
}

static const struct spec_word mem_words[] = {
	{ "anon", ICTL_SPEC_MEM_ANON },
	{ "memfd", ICTL_SPEC_MEM_MEMFD },
	{ "hugetlb-2M", ICTL_SPEC_MEM_HUGETLB_2M },
	{ "hugetlb-1G", ICTL_SPEC_MEM_HUGETLB_1G },
	{ NULL, 0 }
};

static const struct spec_word access_words[] = {
	{ "rw", ICTL_SPEC_ACCESS_READ | ICTL_SPEC_ACCESS_WRITE },
	{ "r", ICTL_SPEC_ACCESS_READ },
	{ "w", ICTL_SPEC_ACCESS_WRITE },
	{ NULL, 0 }
};

const char *ictl_spec_mem_name(enum ictl_spec_mem m)
{
	static const char *const names[] = { "anon", "memfd", "hugetlb-2M", "hugetlb-1G", "file",
					     "copy" };

	return m < ARRAY_SIZE(names) ? names[m] : "?";
}

/* memory: WORD or {file: PATH, offset: N} */
static int parse_memory(struct spec_pc *pc, struct ictl_spec_mapping *m, const struct ynode *v)
{
	static const char *const keys[] = { "file", "offset", NULL };
	const struct ynode *f;
	uint64_t w;
	int r;

	m->memory_pos = v->pos;
	if (v->kind != Y_MAP) {
		r = spec_get_word(pc, v, mem_words, &w);
		m->memory = (enum ictl_spec_mem)w;
		return r;
	}
	r = spec_check_keys(pc, v, keys);
	if (r)
		return r;
	m->memory = ICTL_SPEC_MEM_FILE;
	f = ynode_get(v, "file");
	if (!f)
		return spec_err_at(pc, v, "memory: {...} needs file: PATH");
	size_t saved = spec_path_key(pc, "file");

	r = spec_need_scalar(pc, f);
	if (!r && f->text[0] != '/')
		r = spec_err_at(pc, f, "'%.60s' is not an absolute path; write the file's full path",
				f->text);
	spec_path_pop(pc, saved);
	if (r)
		return r;
	m->file = strdup(f->text);
	if (!m->file)
		return ictl_err(pc->ctx, ENOMEM, "out of memory reading the spec");
	return spec_get_num(pc, v, "offset", true, 0, UINT64_MAX, &m->offset);
}

/* copy: {ioas: NAME, iova: N} or {mapping: NAME, offset: N} */
static int parse_copy(struct spec_pc *pc, struct ictl_spec_mapping *m, const struct ynode *v)
{
	static const char *const keys[] = { "ioas", "iova", "mapping", "offset", NULL };
	struct ictl_spec_num off;
	int r = spec_need_map(pc, v, "copy");

	m->memory = ICTL_SPEC_MEM_COPY;
	m->memory_pos = v->pos;
	if (!r)
		r = spec_check_keys(pc, v, keys);
	if (!r)
		r = spec_get_ref(pc, v, "ioas", &m->copy_ioas);
	if (!r)
		r = spec_get_num(pc, v, "iova", true, 0, UINT64_MAX, &m->copy_iova);
	if (!r)
		r = spec_get_ref(pc, v, "mapping", &m->copy_map);
	if (!r)
		r = spec_get_num(pc, v, "offset", true, 0, UINT64_MAX, &off);
	if (r)
		return r;
	if (!m->copy_map.name[0]) {
		if (!m->copy_ioas.name[0] || !m->copy_iova.set || off.set)
			return spec_err_at(pc, v, "copy needs ioas: and iova: (where the source is mapped), or mapping: NAME with an optional offset:");
		return 0;
	}
	if (m->copy_ioas.name[0] || m->copy_iova.set)
		return spec_err_at(pc, v, "copy: give mapping: NAME (with an optional offset:), or ioas: and iova:, not both");
	m->copy_iova = off.set ? off : (struct ictl_spec_num){ 0, true, v->pos };
	return 0;
}

static int parse_mapping(struct spec_pc *pc, struct ictl_spec_ioas *io, const struct ynode *e)
{
	static const char *const keys[] = { "name", "iova", "size", "memory", "access", "copy", NULL };
	struct ictl_spec_mapping *m;
	const struct ynode *mem, *copy, *acc;
	int r = spec_need_map(pc, e, "a mapping");

	if (!r)
		r = spec_check_keys(pc, e, keys);
	if (r)
		return r;
	m = spec_push(pc, &io->maps, &io->nmaps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->pos = e->pos;
	m->copy_ioas.idx = -1;
	m->copy_map.idx = -1;
	m->copy_mapping = -1;
	m->access = ICTL_SPEC_ACCESS_READ | ICTL_SPEC_ACCESS_WRITE;
	m->memory_pos = e->pos;
	r = spec_get_name(pc, e, false, m->name, NULL);
	if (!r)
		r = spec_get_num(pc, e, "iova", true, 0, UINT64_MAX, &m->iova);
	if (!r)
		r = spec_get_num(pc, e, "size", true, 1, UINT64_MAX, &m->size);
	if (!r && !m->size.set)
		r = spec_err_at(pc, e, "a mapping needs size: (bytes, or with K, M, G, T)");
	mem = ynode_get(e, "memory");
	copy = ynode_get(e, "copy");
	if (!r && mem && copy)
		r = spec_err_at(pc, copy, "give memory: (new memory) or copy: (another mapping's pages), not both");
	if (!r && (mem || copy)) {
		size_t saved = spec_path_key(pc, mem ? "memory" : "copy");

		r = mem ? parse_memory(pc, m, mem) : parse_copy(pc, m, copy);
		spec_path_pop(pc, saved);
	}
	acc = ynode_get(e, "access");
	if (!r && acc) {
		size_t saved = spec_path_key(pc, "access");
		uint64_t a = 0;

		r = spec_get_word(pc, acc, access_words, &a);
		m->access = (unsigned int)a;
		m->access_pos = acc->pos;
		spec_path_pop(pc, saved);
	}
	return r;
}

static int parse_ioas(struct spec_pc *pc, const struct ynode *e)
{
	static const char *const keys[] = { "name", "allow", "huge_pages", "mappings", NULL };
	struct ictl_spec *s = pc->s;
	struct ictl_spec_ioas *io;
	const struct ynode *v;
	int r = spec_need_map(pc, e, "an IOAS");

	if (!r)
		r = spec_check_keys(pc, e, keys);
	if (r)
		return r;
	io = spec_push(pc, &s->ioas, &s->nioas, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->pos = e->pos;
	r = spec_get_name(pc, e, true, io->name, NULL);
	if (!r && (v = ynode_get(e, "allow")))
		r = parse_allow(pc, io, v);
	if (!r)
		r = spec_get_bool(pc, e, "huge_pages", &io->huge_pages, &io->huge_pages_pos);
	v = ynode_get(e, "mappings");
	if (r || !v || ynode_is_null(v))
		return r;
	size_t saved = spec_path_key(pc, "mappings");

	r = spec_need_seq(pc, v, "mappings");
	for (size_t i = 0; !r && i < v->n; i++) {
		size_t s2 = spec_path_idx(pc, i);

		r = parse_mapping(pc, io, v->items[i]);
		spec_path_pop(pc, s2);
	}
	spec_path_pop(pc, saved);
	return r;
}

/* --- the top level ------------------------------------------------------------------ */

static int parse_options(struct spec_pc *pc, const struct ynode *v)
{
	static const char *const keys[] = { "rlimit_mode", NULL };
	static const struct spec_word modes[] = { { "user", 0 }, { "process", 1 }, { NULL, 0 } };
	const struct ynode *m = ynode_get(v, "rlimit_mode");
	size_t saved = spec_path_key(pc, "options");
	uint64_t w = 0;
	int r = spec_need_map(pc, v, "options");

	if (!r)
		r = spec_check_keys(pc, v, keys);
	if (!r && m) {
		size_t s2 = spec_path_key(pc, "rlimit_mode");

		r = spec_get_word(pc, m, modes, &w);
		pc->s->rlimit_mode = (int)w;
		pc->s->rlimit_pos = m->pos;
		spec_path_pop(pc, s2);
	}
	spec_path_pop(pc, saved);
	return r;
}

static int parse_version(struct spec_pc *pc, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, "version");
	uint64_t n = 0;
	int r = spec_read_num(pc, v, false, 0, UINT64_MAX, &n);

	if (!r && n != 1)
		r = spec_err_at(pc, v, "version %.20s is not one this iommuctl reads: only version 1 exists",
				v->text);
	spec_path_pop(pc, saved);
	pc->s->version = 1;
	return r;
}

/* Each list section: name, and the function that reads one entry. */
static const struct {
	const char *key;
	int (*entry)(struct spec_pc *pc, const struct ynode *e);
	int (*list)(struct spec_pc *pc, const struct ynode *list);
} sections[] = {
	{ "devices", parse_device, NULL },
	{ "ioas", parse_ioas, NULL },
	{ "page_tables", spec_parse_ptable, NULL },
	{ "faults", NULL, spec_parse_faults },
	{ "hwpts", NULL, spec_parse_hwpts },
	{ "viommus", NULL, spec_parse_viommus },
	{ "vdevices", NULL, spec_parse_vdevices },
	{ "veventqs", NULL, spec_parse_veventqs },
	{ "attach", NULL, spec_parse_attach },
};

static int parse_section(struct spec_pc *pc, size_t k, const struct ynode *v)
{
	size_t saved = spec_path_key(pc, sections[k].key);
	int r = 0;

	if (!ynode_is_null(v))
		r = spec_need_seq(pc, v, sections[k].key);
	if (!r && sections[k].list && !ynode_is_null(v)) {
		r = sections[k].list(pc, v);
	} else if (!r && !ynode_is_null(v)) {
		for (size_t i = 0; !r && i < v->n; i++) {
			size_t s2 = spec_path_idx(pc, i);

			r = sections[k].entry(pc, v->items[i]);
			spec_path_pop(pc, s2);
		}
	}
	spec_path_pop(pc, saved);
	return r;
}

static int parse_top(struct spec_pc *pc, const struct ynode *root)
{
	static const char *const keys[] = { "version", "options", "devices", "ioas", "page_tables",
					    "hwpts", "faults", "viommus", "vdevices", "veventqs",
					    "attach", NULL };
	struct ictl_spec *s = pc->s;
	const struct ynode *v;
	int r;

	if (!root || ynode_is_null(root))
		return spec_err(pc->ctx, s, root ? root->pos : (struct ictl_spec_pos){ 1, 1 }, "",
				"the spec is empty; describe devices, ioas, hwpts, ... (iommuctl-spec(5))");
	if (root->kind != Y_MAP)
		return spec_err(pc->ctx, s, root->pos, "",
				"the spec must be a mapping of sections (devices:, ioas:, hwpts:, ...), not a %s",
				ynode_kind_name(root));
	r = spec_check_keys(pc, root, keys);
	if (!r && (v = ynode_get(root, "version")))
		r = parse_version(pc, v);
	if (!r && (v = ynode_get(root, "options")))
		r = parse_options(pc, v);
	for (size_t k = 0; !r && k < ARRAY_SIZE(sections); k++) {
		v = ynode_get(root, sections[k].key);
		if (v)
			r = parse_section(pc, k, v);
	}
	if (!r && !s->ndevices && !s->nioas && !s->nhwpts && !s->nfaults && !s->nviommus)
		r = spec_err(pc->ctx, s, root->pos, "",
			     "the spec describes no object: give devices, ioas, hwpts, faults or viommus");
	if (!r)
		r = spec_resolve(pc);
	return r;
}

int ictl_spec_parse(struct ictl_ctx *ctx, const char *name, const char *buf, size_t len,
		    struct ictl_spec *out)
{
	struct spec_pc pc = { .ctx = ctx, .s = out };
	struct ynode *root = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->rlimit_mode = -1;
	out->version = 1;
	out->file = strdup(name ? name : "spec");
	if (!out->file)
		return ictl_err(ctx, ENOMEM, "out of memory reading the spec");
	r = spec_yaml_load(ctx, out, buf, len, &root);
	if (!r)
		r = parse_top(&pc, root);
	spec_yaml_free(root);
	return r;
}

int ictl_spec_load(struct ictl_ctx *ctx, const char *path, struct ictl_spec *out)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ictl_err(ctx, errno, "%s: %s%s", path, strerror(errno),
				errno == ENOENT ? ": give the path of a spec file" : "");
	if (fstat(fd, &st) < 0)
		return ictl_err(ctx, errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ictl_err(ctx, EISDIR, "%s is a directory: give the path of a spec file", path);
	if (!S_ISREG(st.st_mode))
		return ictl_err(ctx, EINVAL, "%s is not a regular file (a FIFO, socket or device): give a spec file",
				path);
	if (st.st_size > ICTL_SPEC_MAX_BYTES)
		return ictl_err(ctx, EFBIG, "%s is %lld bytes, more than a spec may have (%d): split it",
				path, (long long)st.st_size, ICTL_SPEC_MAX_BYTES);
	buf = malloc(ICTL_SPEC_MAX_BYTES + 1);
	if (!buf)
		return ictl_err(ctx, ENOMEM, "out of memory reading %s", path);
	while ((n = read(fd, buf + len, ICTL_SPEC_MAX_BYTES + 1 - len)) > 0 &&
	       len + (size_t)n <= ICTL_SPEC_MAX_BYTES)
		len += (size_t)n;
	if (n < 0)
		return ictl_err(ctx, errno, "%s: %s", path, strerror(errno));
	if (n > 0)	/* it grew while we read it */
		return ictl_err(ctx, EFBIG, "%s is more than %d bytes, more than a spec may have: split it",
				path, ICTL_SPEC_MAX_BYTES);
	return ictl_spec_parse(ctx, path, buf, len, out);
}

void ictl_spec_clear(struct ictl_spec *s)
{
	for (size_t i = 0; i < s->nioas; i++) {
		for (size_t k = 0; k < s->ioas[i].nmaps; k++)
			free(s->ioas[i].maps[k].file);
		free(s->ioas[i].maps);
		free(s->ioas[i].allow);
	}
	for (size_t i = 0; i < s->nhwpts; i++)
		free(s->hwpts[i].data);
	for (size_t i = 0; i < s->nptables; i++)
		free(s->ptables[i].maps);
	free(s->ptables);
	free(s->devices);
	free(s->ioas);
	free(s->hwpts);
	free(s->faults);
	free(s->viommus);
	free(s->vdevices);
	free(s->veventqs);
	free(s->attach);
	free(s->file);
	memset(s, 0, sizeof(*s));
}
