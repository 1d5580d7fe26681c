// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The held set of a holder in memory and as text (see held.h): building it,
 * formatting it, and parsing it strictly.  No file is touched here
 * (held-file.c writes, reads and lists the state files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"
#include "internal.h"

void ictl_held_clear(struct ictl_held *h)
{
	free(h->objs);
	free(h->maps);
	memset(h, 0, sizeof(*h));
}

bool ictl_held_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= ICTL_OBJ_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int ictl_held_add_obj(struct ictl_held *h, enum ictl_obj_kind kind, const char *name,
		      uint32_t id, int fd, uint32_t type, uint32_t dev_id)
{
	struct ictl_held_obj *o;

	if (h->nobjs >= ICTL_HELD_ITEMS_MAX)
		return -E2BIG;
	o = array_push(&h->objs, &h->nobjs, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->kind = kind;
	str_copy(o->name, name ? name : "", sizeof(o->name));
	o->id = id;
	o->fd = fd;
	o->type = type;
	o->dev_id = dev_id;
	return 0;
}

int ictl_held_add_map(struct ictl_held *h, const char *name, uint32_t ioas, uint64_t iova,
		      uint64_t length)
{
	struct ictl_held_map *m;

	if (h->nmaps >= ICTL_HELD_ITEMS_MAX)
		return -E2BIG;
	m = array_push(&h->maps, &h->nmaps, sizeof(*m));
	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	str_copy(m->name, name ? name : "", sizeof(m->name));
	m->ioas = ioas;
	m->iova = iova;
	m->length = length;
	return 0;
}

const struct ictl_held_obj *ictl_held_find_obj(const struct ictl_held *h, const char *name)
{
	for (size_t i = 0; name && name[0] && i < h->nobjs; i++) {
		if (!strcmp(h->objs[i].name, name))
			return &h->objs[i];
	}
	return NULL;
}

const struct ictl_held_map *ictl_held_find_map(const struct ictl_held *h, const char *name)
{
	for (size_t i = 0; name && name[0] && i < h->nmaps; i++) {
		if (!strcmp(h->maps[i].name, name))
			return &h->maps[i];
	}
	return NULL;
}

char *ictl_held_format(const struct ictl_held *h)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "iommuctl-held %d\npid %d\nstart %llu\niommufd %d\n", ICTL_HELD_VERSION, h->pid,
		(unsigned long long)h->start, h->iommufd);
	for (size_t i = 0; i < h->ngroups; i++)
		fprintf(f, "group %u\n", h->groups[i]);
	for (size_t i = 0; i < h->nobjs; i++) {
		const struct ictl_held_obj *o = &h->objs[i];

		fprintf(f, "object %s %s %u ", ictl_obj_kind_name(o->kind), o->name[0] ? o->name : "-",
			o->id);
		if (o->fd >= 0)
			fprintf(f, "%d", o->fd);
		else
			fputs("-", f);
		fprintf(f, " 0x%x ", o->type);
		if (o->dev_id)
			fprintf(f, "%u\n", o->dev_id);
		else
			fputs("-\n", f);
	}
	for (size_t i = 0; i < h->nmaps; i++) {
		const struct ictl_held_map *m = &h->maps[i];
		static const char *const acc[] = { "-", "r", "w", "rw" };

		fprintf(f, "mapping %s %u 0x%llx 0x%llx", m->name[0] ? m->name : "-", m->ioas,
			(unsigned long long)m->iova, (unsigned long long)m->length);
		if (m->access || m->uaddr)
			fprintf(f, " %s", acc[m->access & 3]);
		if (m->uaddr)
			fprintf(f, " 0x%llx", (unsigned long long)m->uaddr);
		else if (m->access)
			fputs(" -", f);
		fputs("\n", f);
	}
	fputs("end\n", f);
	if (fclose(f) || !text) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- parsing ------------------------------------------------------------------------ */

struct hp {
	struct ictl_ctx *ctx;
	const char *file;
	unsigned int line;
	char *f[8];		/* the fields of the line */
	size_t nf;
};

static int bad(struct hp *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct hp *p, const char *field, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ictl_err_data(p->ctx, EINVAL, "%s:%u: %s: %s", p->file, p->line, field, what);
}

/* A decimal number without sign or leading zeros, at most max. */
static int dec(struct hp *p, const char *field, const char *s, uint64_t max, uint64_t *v)
{
	size_t n = strlen(s);

	*v = 0;
	if (!n || n > 20 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1))
		return bad(p, field, "'%.24s' is not a decimal number", s);
	for (size_t i = 0; i < n; i++) {
		if (*v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return bad(p, field, "%.24s is out of range", s);
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	if (*v > max)
		return bad(p, field, "%.24s is out of range", s);
	return 0;
}

/* "0x" and 1 to 16 lower-case hex digits. */
static int hex(struct hp *p, const char *field, const char *s, uint64_t *v)
{
	size_t n = strlen(s);

	*v = 0;
	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x' ||
	    strspn(s + 2, "0123456789abcdef") != n - 2)
		return bad(p, field, "'%.24s' is not a hex number (0x...)", s);
	for (size_t i = 2; i < n; i++)
		*v = *v << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
	return 0;
}

static int name_field(struct hp *p, const char *field, const char *s, char *out)
{
	if (!strcmp(s, "-")) {
		out[0] = '\0';
		return 0;
	}
	if (!ictl_held_name_ok(s))
		return bad(p, field, "'%.40s' is not a name (a letter, then letters, digits, _ . -)", s);
	str_copy(out, s, ICTL_OBJ_NAME_MAX);
	return 0;
}

static int split_fields(struct hp *p, char *line)
{
	p->nf = 0;
	for (char *s = line;;) {
		char *sp = strchr(s, ' ');

		if (p->nf == ARRAY_SIZE(p->f))
			return bad(p, "line", "%s", "too many fields");
		p->f[p->nf++] = s;
		if (!*s || sp == s)
			return bad(p, "line", "%s", "an empty field (two spaces, or a space at an end)");
		if (!sp)
			return 0;
		*sp = '\0';
		s = sp + 1;
	}
}

static int need(struct hp *p, const char *key, size_t nf, const char *form)
{
	if (strcmp(p->f[0], key))
		return bad(p, key, "expected here, found '%.24s'", p->f[0]);
	if (p->nf != nf)
		return bad(p, key, "give '%s'", form);
	return 0;
}

static int parse_object(struct hp *p, struct ictl_held *h)
{
	struct ictl_held_obj o = { .fd = -1 };
	uint64_t v;
	int r;
	bool queue, dev;

	if ((r = need(p, "object", 7, "object KIND NAME ID FD TYPE DEV")))
		return r;
	for (o.kind = 0; o.kind < ICTL_OBJ_KIND_COUNT; o.kind++) {
		if (!strcmp(p->f[1], ictl_obj_kind_name(o.kind)))
			break;
	}
	if (o.kind == ICTL_OBJ_KIND_COUNT)
		return bad(p, "kind", "'%.24s' is no kind of iommufd object", p->f[1]);
	if ((r = name_field(p, "name", p->f[2], o.name)) || (r = dec(p, "id", p->f[3], UINT32_MAX, &v)))
		return r;
	if (!v)
		return bad(p, "id", "%s is not an object id (they start at 1)", p->f[3]);
	o.id = (uint32_t)v;
	queue = o.kind == ICTL_OBJ_FAULT || o.kind == ICTL_OBJ_VEVENTQ;
	if (queue && !strcmp(p->f[4], "-"))
		return bad(p, "fd", "a %s has an fd: '-' is not one", ictl_obj_kind_name(o.kind));
	if (!queue && strcmp(p->f[4], "-"))
		return bad(p, "fd", "only a fault_queue or veventq has one: give '-', not '%.24s'", p->f[4]);
	if (queue) {
		if ((r = dec(p, "fd", p->f[4], 1 << 20, &v)))
			return r;
		o.fd = (int)v;
	}
	for (size_t i = 0; i < h->nobjs; i++) {
		if (h->objs[i].id == o.id)
			return bad(p, "id", "%s is there twice", p->f[3]);
		if (o.name[0] && !strcmp(h->objs[i].name, o.name))
			return bad(p, "name", "'%s' is there twice", o.name);
		if (o.fd >= 0 && h->objs[i].fd == o.fd)
			return bad(p, "fd", "%s is there twice", p->f[4]);
	}
	if (o.fd >= 0 && o.fd == h->iommufd)
		return bad(p, "fd", "%s is the iommufd's", p->f[4]);
	if ((r = hex(p, "type", p->f[5], &v)))
		return r;
	if (v > UINT32_MAX)
		return bad(p, "type", "%s is out of range", p->f[5]);
	o.type = (uint32_t)v;
	dev = o.kind == ICTL_OBJ_DEVICE || o.kind == ICTL_OBJ_MOCK_DEV;
	if (!dev && strcmp(p->f[6], "-"))
		return bad(p, "dev", "only a device or mock_device has one: give '-', not '%.24s'", p->f[6]);
	if (dev && ((r = dec(p, "dev", p->f[6], UINT32_MAX, &v)) || !v))
		return r ? r : bad(p, "dev", "%s is not a device id (they start at 1)", p->f[6]);
	r = ictl_held_add_obj(h, o.kind, o.name, o.id, o.fd, o.type, dev ? (uint32_t)v : 0);
	return r == -E2BIG ? bad(p, "object", "more than %d objects", ICTL_HELD_ITEMS_MAX) :
	       r < 0 ? ictl_err(p->ctx, ENOMEM, "%s: out of memory", p->file) : 0;
}

/* A mapping's ACCESS (r, w, rw or -) and UADDR (page-aligned hex, not 0, or -). */
static int map_memory(struct hp *p, unsigned int *access, uint64_t *uaddr)
{
	const char *a = p->f[5];
	int r;

	*access = !strcmp(a, "r") ? ICTL_HELD_MAP_READ :
		  !strcmp(a, "w") ? ICTL_HELD_MAP_WRITE :
		  !strcmp(a, "rw") ? ICTL_HELD_MAP_READ | ICTL_HELD_MAP_WRITE : 0;
	if (!*access && strcmp(a, "-"))
		return bad(p, "access", "'%.24s' is not r, w, rw or -", a);
	*uaddr = 0;
	if (!strcmp(p->f[6], "-"))
		return 0;
	if ((r = hex(p, "uaddr", p->f[6], uaddr)))
		return r;
	if (!*uaddr || *uaddr & 0xfff)
		return bad(p, "uaddr", "%s is not the address of a page", p->f[6]);
	return 0;
}

static int parse_mapping(struct hp *p, struct ictl_held *h)
{
	char name[ICTL_OBJ_NAME_MAX];
	uint64_t ioas, iova, len, uaddr = 0;
	unsigned int access = 0;
	bool found = false;
	int r;

	if ((r = need(p, "mapping", p->nf == 7 ? 7 : 5, "mapping NAME IOAS IOVA LENGTH [ACCESS UADDR]")) ||
	    (r = name_field(p, "name", p->f[1], name)) ||
	    (r = dec(p, "ioas", p->f[2], UINT32_MAX, &ioas)) || (r = hex(p, "iova", p->f[3], &iova)) ||
	    (r = hex(p, "length", p->f[4], &len)) ||
	    (p->nf == 7 && (r = map_memory(p, &access, &uaddr))))
		return r;
	for (size_t i = 0; i < h->nobjs; i++)
		found |= h->objs[i].id == ioas && h->objs[i].kind == ICTL_OBJ_IOAS;
	if (!found)
		return bad(p, "ioas", "%s is no ioas object listed before", p->f[2]);
	if (!len || iova + len - 1 < iova)
		return bad(p, "length", "%s: empty, or past the end of the IOVA space", p->f[4]);
	if (uaddr && uaddr + len - 1 < uaddr)
		return bad(p, "uaddr", "%s: the memory would go past the end of the address space", p->f[6]);
	if (name[0] && ictl_held_find_map(h, name))
		return bad(p, "name", "'%s' is there twice", name);
	r = ictl_held_add_map(h, name, (uint32_t)ioas, iova, len);
	if (!r) {
		h->maps[h->nmaps - 1].access = access;
		h->maps[h->nmaps - 1].uaddr = uaddr;
	}
	return r == -E2BIG ? bad(p, "mapping", "more than %d mappings", ICTL_HELD_ITEMS_MAX) :
	       r < 0 ? ictl_err(p->ctx, ENOMEM, "%s: out of memory", p->file) : 0;
}

static int parse_group(struct hp *p, struct ictl_held *h)
{
	uint64_t v;
	int r;

	if ((r = need(p, "group", 2, "group NUMBER")) || (r = dec(p, "group", p->f[1], INT32_MAX, &v)))
		return r;
	for (size_t i = 0; i < h->ngroups; i++) {
		if (h->groups[i] == v)
			return bad(p, "group", "%s is there twice", p->f[1]);
	}
	if (h->ngroups == ICTL_HELD_GROUPS_MAX)
		return bad(p, "group", "more than %d groups", ICTL_HELD_GROUPS_MAX);
	h->groups[h->ngroups++] = (unsigned int)v;
	return 0;
}

/* The header lines, in their order: the version, pid, start, iommufd. */
static int parse_head(struct hp *p, struct ictl_held *h, unsigned int i)
{
	uint64_t v;
	int r;

	switch (i) {
	case 0:
		if (strcmp(p->f[0], "iommuctl-held") || p->nf != 2)
			return bad(p, "header", "%s", "not an iommuctl-held state file (no 'iommuctl-held 1')");
		if ((r = dec(p, "version", p->f[1], UINT32_MAX, &v)))
			return r;
		if (v != ICTL_HELD_VERSION)
			return bad(p, "version", "%s is not known to this iommuctl (it reads version 1)",
				   p->f[1]);
		return 0;
	case 1:
		if ((r = need(p, "pid", 2, "pid PID")) || (r = dec(p, "pid", p->f[1], 1 << 22, &v)))
			return r;
		if (!v)
			return bad(p, "pid", "%s is no process", p->f[1]);
		h->pid = (int)v;
		return 0;
	case 2:
		if ((r = need(p, "start", 2, "start TICKS")) || (r = dec(p, "start", p->f[1], UINT64_MAX, &v)))
			return r;
		h->start = v;
		return 0;
	default:
		if ((r = need(p, "iommufd", 2, "iommufd FD")) || (r = dec(p, "iommufd", p->f[1], 1 << 20, &v)))
			return r;
		h->iommufd = (int)v;
		return 0;
	}
}

static int parse_lines(struct hp *p, char *text, struct ictl_held *h)
{
	bool ended = false;
	char *line = text;
	int r;

	for (p->line = 1; *line; p->line++) {
		char *nl = strchr(line, '\n');

		if (!nl)
			return bad(p, "line", "%s", "no newline at its end (a cut-off file)");
		*nl = '\0';
		if (ended)
			return bad(p, "line", "%s", "after 'end'");
		if ((r = split_fields(p, line)))
			return r;
		if (p->line <= 4)
			r = parse_head(p, h, p->line - 1);
		else if (!strcmp(p->f[0], "group") && !h->nobjs && !h->nmaps)
			r = parse_group(p, h);
		else if (!strcmp(p->f[0], "object") && !h->nmaps)
			r = parse_object(p, h);
		else if (!strcmp(p->f[0], "mapping"))
			r = parse_mapping(p, h);
		else if (!strcmp(p->f[0], "end") && p->nf == 1)
			ended = true;
		else
			r = bad(p, p->f[0][0] && strlen(p->f[0]) < 24 ? p->f[0] : "line", "%s",
				!strcmp(p->f[0], "object") ? "objects come before the mappings" :
				!strcmp(p->f[0], "group") ? "groups come before the objects and mappings" :
				"not a record here (group, object, mapping or end)");
		if (r)
			return r;
		line = nl + 1;
	}
	if (!ended)
		return ictl_err_data(p->ctx, EINVAL, "%s:%u: end: missing (a cut-off file)", p->file,
				     p->line);
	return 0;
}

/* A NUL-terminated copy of a held set's text file (what, a state or notes file), checked first. */
static int text_copy(struct ictl_ctx *ctx, const char *file, const char *what, const char *text,
		     size_t len, char **buf)
{
	if (len > ICTL_HELD_FILE_MAX)
		return ictl_err_data(ctx, EFBIG, "%s: %zu bytes: %s has at most %d", file, len, what,
				     ICTL_HELD_FILE_MAX);
	if (memchr(text, '\0', len))
		return ictl_err_data(ctx, EINVAL, "%s: a NUL byte: not a text file", file);
	*buf = malloc(len + 1);
	if (!*buf)
		return ictl_err(ctx, ENOMEM, "%s: out of memory", file);
	memcpy(*buf, text, len);
	(*buf)[len] = '\0';
	return 0;
}

int ictl_held_parse(struct ictl_ctx *ctx, const char *file, char *text, size_t len,
		    struct ictl_held *out)
{
	struct hp p = { .ctx = ctx, .file = file, .line = 1 };
	_cleanup_free_ char *buf = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = text_copy(ctx, file, "a state file", text, len, &buf);
	if (r < 0)
		return r;
	str_copy(out->file, file, sizeof(out->file));
	r = parse_lines(&p, buf, out);
	if (r < 0) {
		ictl_held_clear(out);
		return r;
	}
	return 0;
}

/* --- notes: mappings made by other processes (held-PID.maps) ------------------------ */

static const char *const note_memory[] = { "anon", "memfd", "hugetlb-2M", "hugetlb-1G", "file",
					   "copy" };

bool ictl_held_memory_ok(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(note_memory); i++) {
		if (!strcmp(name, note_memory[i]))
			return true;
	}
	return false;
}

static int note_ioas(struct hp *p, const struct ictl_held *h, const char *s, uint32_t *ioas)
{
	uint64_t v;
	int r = dec(p, "ioas", s, UINT32_MAX, &v);

	if (r)
		return r;
	for (size_t i = 0; i < h->nobjs; i++) {
		if (h->objs[i].id == v && h->objs[i].kind == ICTL_OBJ_IOAS) {
			*ioas = (uint32_t)v;
			return 0;
		}
	}
	return bad(p, "ioas", "%s is no ioas of the holder", s);
}

static int note_range(struct hp *p, const char *iova_s, const char *len_s, uint64_t *iova,
		      uint64_t *len)
{
	int r;

	if ((r = hex(p, "iova", iova_s, iova)) || (r = hex(p, "length", len_s, len)))
		return r;
	if (!*len || *iova + *len - 1 < *iova)
		return bad(p, "length", "%s: empty, or past the end of the IOVA space", len_s);
	return 0;
}

static int note_map(struct hp *p, struct ictl_held *h)
{
	char name[ICTL_OBJ_NAME_MAX];
	uint64_t iova, len, pid;
	uint32_t ioas;
	int r;

	if ((r = need(p, "map", 7, "map NAME IOAS IOVA LENGTH MEMORY PID")) ||
	    (r = name_field(p, "name", p->f[1], name)) || (r = note_ioas(p, h, p->f[2], &ioas)) ||
	    (r = note_range(p, p->f[3], p->f[4], &iova, &len)) ||
	    (r = dec(p, "pid", p->f[6], 1 << 22, &pid)))
		return r;
	if (!ictl_held_memory_ok(p->f[5]))
		return bad(p, "memory", "'%.24s': not anon, memfd, hugetlb-2M, hugetlb-1G, file or copy",
			   p->f[5]);
	if (!pid)
		return bad(p, "pid", "%s", "0 is no process");
	if (name[0] && ictl_held_find_map(h, name))
		return bad(p, "name", "'%s' is mapped already", name);
	r = ictl_held_add_map(h, name, ioas, iova, len);
	if (r == -E2BIG)
		return bad(p, "map", "more than %d mappings", ICTL_HELD_ITEMS_MAX);
	if (r < 0)
		return ictl_err(p->ctx, ENOMEM, "%s: out of memory", p->file);
	str_copy(h->maps[h->nmaps - 1].memory, p->f[5], sizeof(h->maps[0].memory));
	h->maps[h->nmaps - 1].by = (int)pid;
	return 0;
}

/* What IOMMU_IOAS_UNMAP did: the mappings inside the range are gone. */
static int note_unmap(struct hp *p, struct ictl_held *h)
{
	uint64_t iova, len, pid;
	uint32_t ioas;
	size_t k = 0;
	int r;

	if ((r = need(p, "unmap", 5, "unmap IOAS IOVA LENGTH PID")) ||
	    (r = note_ioas(p, h, p->f[1], &ioas)) ||
	    (r = note_range(p, p->f[2], p->f[3], &iova, &len)) ||
	    (r = dec(p, "pid", p->f[4], 1 << 22, &pid)))
		return r;
	for (size_t i = 0; i < h->nmaps; i++) {
		const struct ictl_held_map *m = &h->maps[i];

		if (m->ioas == ioas && m->iova >= iova && m->iova + m->length - 1 <= iova + len - 1)
			continue;
		h->maps[k++] = *m;
	}
	h->nmaps = k;
	return 0;
}

int ictl_held_parse_notes(struct ictl_ctx *ctx, const char *file, const char *text, size_t len,
			  struct ictl_held *h)
{
	struct hp p = { .ctx = ctx, .file = file, .line = 1 };
	_cleanup_free_ char *buf = NULL;
	char *line;
	uint64_t v;
	int r = 0;

	r = text_copy(ctx, file, "a notes file", text, len, &buf);
	if (r < 0)
		return r;
	for (line = buf; !r && *line; p.line++) {
		char *nl = strchr(line, '\n');

		if (!nl)
			return bad(&p, "line", "%s", "no newline at its end (a cut-off file)");
		*nl = '\0';
		if ((r = split_fields(&p, line)))
			break;
		if (p.line == 1) {
			if ((r = need(&p, "iommuctl-held-maps", 2, "iommuctl-held-maps VERSION")) ||
			    (r = dec(&p, "version", p.f[1], UINT32_MAX, &v)))
				break;
			if (v != ICTL_HELD_NOTES_VERSION)
				r = bad(&p, "version", "%llu: this iommuctl reads version %d",
					(unsigned long long)v, ICTL_HELD_NOTES_VERSION);
		} else if (!strcmp(p.f[0], "map")) {
			r = note_map(&p, h);
		} else if (!strcmp(p.f[0], "unmap")) {
			r = note_unmap(&p, h);
		} else {
			r = bad(&p, p.f[0][0] && strlen(p.f[0]) < 24 ? p.f[0] : "line", "%s",
				"not a record here (map or unmap)");
		}
		line = nl + 1;
	}
	return r;
}
