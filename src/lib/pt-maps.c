// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mapping files: what a table should translate, one mapping per line.
 *
 *   # IOVA        SIZE   PHYS          PERMS  [page=SIZE]
 *   0x0           1G     0x100000000   rw
 *   0x40000000    2M     0x80200000    r      page=4K
 *
 * Numbers are decimal or 0x hex, with an optional K, M, G or T suffix
 * (powers of 1024), as the YAML specs write them.  PERMS is r, w, x and p
 * (privileged requests only) in any order.  page= asks for one page size.
 * Everything else is an error naming the file and the line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-internal.h"

#define MAPS_MAX_BYTES (256u << 20)

int ictl_pt_parse_size(const char *s, uint64_t *v)
{
	static const char suffixes[] = "KMGT";
	const char *p = s;
	uint64_t n = 0;
	unsigned int base = 10, shift = 0;
	const char *suf;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p))
		return -EINVAL;
	for (; *p; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = (unsigned int)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (n > (UINT64_MAX - d) / base)
			return -ERANGE;
		n = n * base + d;
	}
	if (*p) {
		suf = strchr(suffixes, toupper((unsigned char)*p));
		if (!suf || p[1])
			return -EINVAL;
		shift = 10 * (unsigned int)(suf - suffixes + 1);
		if (n > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*v = n << shift;
	return 0;
}

const char *ictl_pt_size_str(uint64_t v, char *buf, size_t len)
{
	static const char suffixes[] = "KMGTPE";
	int i = -1;

	while (v && i < 5 && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0 || (v >= 1024 && !(v & 1023)))
		snprintf(buf, len, "0x%" PRIx64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, suffixes[i]);
	return buf;
}

int ictl_pt_page_sizes_parse(struct ictl_ctx *ctx, const char *s, uint64_t *mask)
{
	char buf[32];

	*mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		uint64_t v;

		if (n == 0 || n >= sizeof(buf))
			return ictl_err(ctx, EINVAL, "page sizes: give a list like 4K,2M,1G");
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (ictl_pt_parse_size(buf, &v) || !v || (v & (v - 1)) || v < 4096)
			return ictl_err(ctx, EINVAL,
					"page sizes: '%s' is not a power of two of 4K or more",
					buf);
		*mask |= v;
		s += n;
		if (*s == ',' && *++s == '\0')
			return ictl_err(ctx, EINVAL, "page sizes: a list may not end with ','");
	}
	if (!*mask)
		return ictl_err(ctx, EINVAL, "page sizes: give a list like 4K,2M,1G");
	return 0;
}

const char *ictl_pt_page_sizes_str(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int b = 0; b < 64; b++) {
		char one[24];
		size_t k;

		if (!(mask & (1ull << b)))
			continue;
		ictl_pt_size_str(1ull << b, one, sizeof(one));
		k = strlen(one) + (n ? 1 : 0);
		if (n + k + 4 >= len) {
			snprintf(buf + n, len - n, ",...");	/* never a size cut in two */
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", one);
	}
	return buf;
}

void ictl_pt_maps_clear(struct ictl_pt_maps *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int cmp_map(const void *a, const void *b)
{
	const struct ictl_pt_map *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* Split a line into at most max words; returns how many (max + 1 when there are more). */
static int split(char *line, char **w, int max)
{
	int n = 0;

	for (char *p = strtok(line, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (n == max)
			return max + 1;
		w[n++] = p;
	}
	return n;
}

static int parse_line(struct ictl_ctx *ctx, const char *name, unsigned int ln, char *line,
		      struct ictl_pt_map *m)
{
	static const char *const what[] = { "IOVA", "SIZE", "PHYS" };
	uint64_t *num[] = { &m->iova, &m->size, &m->phys };
	char *w[6];
	int n = split(line, w, 5);

	if (n < 4 || n > 5)
		return ictl_err(ctx, EINVAL, "%s:%u: give IOVA SIZE PHYS PERMS [page=SIZE]", name,
				ln);
	for (int i = 0; i < 3; i++) {
		if (ictl_pt_parse_size(w[i], num[i]))
			return ictl_err(ctx, EINVAL,
					"%s:%u: %s '%.40s' is not a number: write "
					"0x..., decimal, or a number with K, M, G or T",
					name, ln, what[i], w[i]);
	}
	if (ictl_pt_perms_parse(w[3], &m->perms))
		return ictl_err(ctx, EINVAL,
				"%s:%u: permissions '%.16s': give letters of r, w, x "
				"and p (privileged only), each once",
				name, ln, w[3]);
	if (n == 5) {
		uint64_t page;

		if (strncmp(w[4], "page=", 5) || ictl_pt_parse_size(w[4] + 5, &page) || !page ||
		    (page & (page - 1)) || page < 4096)
			return ictl_err(ctx, EINVAL,
					"%s:%u: '%.40s': the fifth column is page=SIZE, "
					"a power of two of 4K or more",
					name, ln, w[4]);
		m->page = (unsigned int)__builtin_ctzll(page);
	}
	if (!m->size)
		return ictl_err(ctx, EINVAL, "%s:%u: size 0 maps nothing", name, ln);
	if ((m->iova | m->size | m->phys) & 0xfff)
		return ictl_err(ctx, EINVAL,
				"%s:%u: IOVA, size and physical address must be "
				"multiples of 4K",
				name, ln);
	if (m->iova + (m->size - 1) < m->iova || m->phys + (m->size - 1) < m->phys)
		return ictl_err(ctx, EINVAL,
				"%s:%u: the mapping wraps around the end of the "
				"address space",
				name, ln);
	if (m->page && ((m->iova | m->phys | m->size) & ((1ull << m->page) - 1)))
		return ictl_err(ctx, EINVAL,
				"%s:%u: IOVA, size and physical address must be "
				"multiples of the page size asked for",
				name, ln);
	m->line = ln;
	return 0;
}

int ictl_pt_maps_parse(struct ictl_ctx *ctx, const char *name, const char *text, size_t len,
		       struct ictl_pt_maps *out)
{
	struct ictl_pt_maps m = { 0 };
	unsigned int ln = 0;
	char line[512];

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct ictl_pt_map *slot;
		char *hash;
		int r;

		ln++;
		if (n >= sizeof(line)) {
			ictl_pt_maps_clear(&m);
			return ictl_err(ctx, EINVAL, "%s:%u: line longer than %zu bytes", name, ln,
					sizeof(line) - 1);
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n)) {
			ictl_pt_maps_clear(&m);
			return ictl_err(ctx, EINVAL, "%s:%u: a NUL byte: not a text file", name,
					ln);
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (!line[strspn(line, " \t\r")])
			continue;
		slot = array_push(&m.v, &m.n, sizeof(*m.v));
		r = slot ? parse_line(ctx, name, ln, line, slot) : -ENOMEM;
		if (r < 0) {
			ictl_pt_maps_clear(&m);
			return r == -ENOMEM ? ictl_err(ctx, ENOMEM, "out of memory") : r;
		}
	}
	if (m.n)
		qsort(m.v, m.n, sizeof(*m.v), cmp_map);
	for (size_t i = 1; i < m.n; i++) {
		const struct ictl_pt_map *a = &m.v[i - 1], *b = &m.v[i];

		if (b->iova <= a->iova + (a->size - 1)) {
			unsigned int la = a->line < b->line ? a->line : b->line;
			unsigned int lb = a->line < b->line ? b->line : a->line;

			ictl_pt_maps_clear(&m);
			return ictl_err(ctx, EINVAL, "%s:%u: overlaps the mapping of line %u", name,
					lb, la);
		}
	}
	*out = m;
	return 0;
}

/* Read all of fd (at most MAPS_MAX_BYTES) into a new buffer. */
static int read_all(struct ictl_ctx *ctx, int fd, const char *name, char **out, size_t *len)
{
	size_t got = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	if (!buf)
		return ictl_err(ctx, ENOMEM, "out of memory");
	for (;;) {
		ssize_t n;

		if (got == cap) {
			char *p = cap < MAPS_MAX_BYTES ? realloc(buf, cap * 2) : NULL;

			if (!p) {
				free(buf);
				return ictl_err(ctx, cap < MAPS_MAX_BYTES ? ENOMEM : EINVAL,
						"mapping file %s: larger than %u MiB", name,
						MAPS_MAX_BYTES >> 20);
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			return ictl_err(ctx, e, "mapping file %s: %s", name, strerror(e));
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

int ictl_pt_maps_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_maps *out)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	bool in = !strcmp(path, "-");
	const char *name = in ? "(standard input)" : path;
	struct stat st;
	size_t len = 0;
	int r;

	fd = in ? dup(0) : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ictl_err(ctx, errno == ENOENT ? EINVAL : errno, "mapping file %s: %s", name,
				strerror(errno));
	if (fstat(fd, &st) < 0 || (!in && !S_ISREG(st.st_mode)))
		return ictl_err(ctx, EINVAL, "mapping file %s: not a regular file", name);
	r = read_all(ctx, fd, name, &buf, &len);
	if (r < 0)
		return r;
	return ictl_pt_maps_parse(ctx, name, buf, len, out);
}
