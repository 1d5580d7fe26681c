// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where tables are read from: iommuctl's image files, raw memory dumps
 * (QEMU's pmemsave) and ELF cores (QEMU's dump-guest-memory).
 *
 * An image file is a text header of 4096 bytes, then the table memory:
 *
 *   iommuctl-pt 1
 *   format=x86-64,levels=4,oas=52,sign-extend=1
 *   base=0x100000
 *   size=0x3000
 *   root=0x100000
 *   page-sizes=4K,2M,1G
 *   (NUL bytes up to offset 4096)
 *
 * base is the address of the first byte of memory after the header, size
 * its length, root the address of the root table, page-sizes those the
 * build used (optional).  `dd bs=4096 skip=1` of an image is a raw dump.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-internal.h"

#define MAGIC "iommuctl-pt 1\n"

void munmap_image(struct ictl_pt_image *img)
{
	munmap(img->mem - (img->map_len - img->len), img->map_len);
}

int ictl_pt_image_header(const struct ictl_pt_image *img, char *buf, size_t len)
{
	char sizes[512];
	int n;

	if (len < ICTL_PT_HEADER_SIZE)
		return -ENOSPC;
	memset(buf, 0, ICTL_PT_HEADER_SIZE);
	n = snprintf(buf, ICTL_PT_HEADER_SIZE,
		     MAGIC "format=%s\nbase=0x%" PRIx64 "\nsize=0x%zx\nroot=0x%" PRIx64 "\n",
		     img->cfg.name, img->base, img->len, img->root);
	if (img->page_sizes)
		n += snprintf(buf + n, ICTL_PT_HEADER_SIZE - (size_t)n, "page-sizes=%s\n",
			      ictl_pt_page_sizes_str(img->page_sizes, sizes, sizeof(sizes)));
	if (img->cd)
		n += snprintf(buf + n, ICTL_PT_HEADER_SIZE - (size_t)n, "cd=0x%" PRIx64 "\n",
			      img->cd);
	if (img->gcr3)
		n += snprintf(buf + n, ICTL_PT_HEADER_SIZE - (size_t)n, "gcr3=0x%" PRIx64 "\n",
			      img->gcr3);
	return n < ICTL_PT_HEADER_SIZE ? 0 : -ENOSPC;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ictl_pt_image_write(struct ictl_ctx *ctx, const struct ictl_pt_image *img, int fd,
			const char *name)
{
	char hdr[ICTL_PT_HEADER_SIZE];
	int r = ictl_pt_image_header(img, hdr, sizeof(hdr));

	if (r < 0)
		return ictl_err(ctx, -r, "%s: the image header does not fit", name);
	r = write_all(fd, hdr, sizeof(hdr));
	if (!r)
		r = write_all(fd, img->mem, img->len);
	if (r < 0)
		return ictl_err(ctx, -r, "writing %s: %s", name, strerror(-r));
	return 0;
}

static int hdr_num(struct ictl_ctx *ctx, const char *name, const char *key, const char *v,
		   uint64_t *out)
{
	if (strncmp(v, "0x", 2) || parse_hex_u64(v + 2, out))
		return ictl_err_data(ctx, EINVAL,
				     "%s: image header: %s=%.32s is not a 0x... "
				     "number",
				     name, key, v);
	return 0;
}

/* One "key=value" line of the header. */
static int hdr_line(struct ictl_ctx *ctx, const char *name, char *line, unsigned int *seen,
		    struct ictl_pt_image *out, uint64_t *size)
{
	static const char *const keys[] = { "format",	  "base", "size", "root",
					    "page-sizes", "cd",	  "gcr3" };
	char *eq = strchr(line, '=');
	unsigned int k;
	int r;

	if (!eq)
		return ictl_err_data(ctx, EINVAL, "%s: image header: '%.40s' is not KEY=VALUE",
				     name, line);
	*eq = '\0';
	for (k = 0; k < ARRAY_SIZE(keys) && strcmp(keys[k], line); k++)
		;
	if (k == ARRAY_SIZE(keys))
		return ictl_err_data(ctx, EINVAL, "%s: image header: unknown key '%.32s'", name,
				     line);
	if (*seen & (1u << k))
		return ictl_err_data(ctx, EINVAL, "%s: image header: %s given twice", name, line);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		r = ictl_pt_cfg_parse(ctx, eq + 1, &out->cfg);
		return r < 0 ? ictl_err_data(ctx, EINVAL, "%s: image header: %s", name,
					     ictl_strerror(ctx)) :
			       0;
	case 1:
		return hdr_num(ctx, name, line, eq + 1, &out->base);
	case 2:
		return hdr_num(ctx, name, line, eq + 1, size);
	case 3:
		return hdr_num(ctx, name, line, eq + 1, &out->root);
	case 5:
		return hdr_num(ctx, name, line, eq + 1, &out->cd);
	case 6:
		return hdr_num(ctx, name, line, eq + 1, &out->gcr3);
	default:
		r = ictl_pt_page_sizes_parse(ctx, eq + 1, &out->page_sizes);
		return r < 0 ? ictl_err_data(ctx, EINVAL, "%s: image header: %s", name,
					     ictl_strerror(ctx)) :
			       0;
	}
}

static int hdr_check(struct ictl_ctx *ctx, const char *name, unsigned int seen, uint64_t size,
		     uint64_t file_size, const struct ictl_pt_image *out)
{
	if ((seen & 0xf) != 0xf)
		return ictl_err_data(ctx, EINVAL, "%s: image header lacks %s", name,
				     !(seen & 1) ? "format" :
				     !(seen & 2) ? "base" :
				     !(seen & 4) ? "size" :
						   "root");
	if (file_size - ICTL_PT_HEADER_SIZE < size)
		return ictl_err_data(ctx, EINVAL,
				     "%s: truncated: the header says 0x%" PRIx64
				     " bytes of tables, the file has 0x%" PRIx64,
				     name, size, file_size - ICTL_PT_HEADER_SIZE);
	if (file_size - ICTL_PT_HEADER_SIZE > size)
		return ictl_err_data(ctx, EINVAL,
				     "%s: 0x%" PRIx64 " bytes after the tables the "
				     "header announces",
				     name, file_size - ICTL_PT_HEADER_SIZE - size);
	if (!size || out->base + size < out->base || out->root < out->base ||
	    out->root - out->base >= size)
		return ictl_err_data(ctx, EINVAL,
				     "%s: root 0x%" PRIx64 " is not in the image's "
				     "memory 0x%" PRIx64 "+0x%" PRIx64,
				     name, out->root, out->base, size);
	if ((out->cd && (out->cd < out->base || out->cd - out->base >= size)) ||
	    (out->gcr3 && (out->gcr3 < out->base || out->gcr3 - out->base >= size)))
		return ictl_err_data(ctx, EINVAL, "%s: %s is not in the image's memory", name,
				     out->cd ? "cd" : "gcr3");
	return 0;
}

int ictl_pt_image_parse(struct ictl_ctx *ctx, const char *name, const void *hdr, size_t len,
			uint64_t file_size, struct ictl_pt_image *out)
{
	char buf[ICTL_PT_HEADER_SIZE + 1], *line, *end;
	unsigned int seen = 0;
	uint64_t size = 0;

	memset(out, 0, sizeof(*out));
	if (len < ICTL_PT_HEADER_SIZE || file_size < ICTL_PT_HEADER_SIZE ||
	    memcmp(hdr, MAGIC, strlen(MAGIC)))
		return ictl_err_data(ctx, EINVAL,
				     "%s: not an iommuctl page-table image (no "
				     "'iommuctl-pt 1' header): for a raw dump give --raw",
				     name);
	memcpy(buf, hdr, ICTL_PT_HEADER_SIZE);
	buf[ICTL_PT_HEADER_SIZE] = '\0';
	end = buf + strlen(buf);
	for (const char *p = end; p < buf + ICTL_PT_HEADER_SIZE; p++)
		if (*p)
			return ictl_err_data(ctx, EINVAL, "%s: image header: bytes after its end",
					     name);
	if (end == buf + ICTL_PT_HEADER_SIZE || end[-1] != '\n')
		return ictl_err_data(ctx, EINVAL, "%s: image header: not NUL-terminated lines",
				     name);
	for (line = buf + strlen(MAGIC); line < end;) {
		char *nl = strchr(line, '\n');
		int r;

		*nl = '\0';
		r = hdr_line(ctx, name, line, &seen, out, &size);
		if (r < 0)
			return r;
		line = nl + 1;
	}
	return hdr_check(ctx, name, seen, size, file_size, out);
}

/* Open a regular file read-only and map it whole. */
static int map_file(struct ictl_ctx *ctx, const char *path, const char *what, uint8_t **map,
		    size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	void *p;

	if (fd < 0)
		return ictl_err(ctx, errno == ENOENT ? EINVAL : errno, "%s %s: %s", what, path,
				strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ictl_err(ctx, EINVAL, "%s %s: not a regular file", what, path);
	if (!st.st_size)
		return ictl_err_data(ctx, EINVAL, "%s %s: empty", what, path);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return ictl_err(ctx, errno, "%s %s: %s", what, path, strerror(errno));
	*map = p;
	*len = (size_t)st.st_size;
	return 0;
}

int ictl_pt_image_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_image *out)
{
	uint8_t *map;
	size_t len;
	int r = map_file(ctx, path, "image", &map, &len);

	if (r < 0)
		return r;
	r = ictl_pt_image_parse(ctx, path, map, len, len, out);
	if (r < 0) {
		munmap(map, len);
		return r;
	}
	out->mem = map + ICTL_PT_HEADER_SIZE;
	out->len = len - ICTL_PT_HEADER_SIZE;
	out->mapped = true;
	out->map_len = len;
	return 0;
}

int ictl_pt_raw_load(struct ictl_ctx *ctx, const char *path, uint64_t base,
		     struct ictl_pt_image *out)
{
	uint8_t *map;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	r = map_file(ctx, path, "raw dump", &map, &len);
	if (r < 0)
		return r;
	if (base + len < base) {
		munmap(map, len);
		return ictl_err(ctx, EINVAL,
				"raw dump %s: base 0x%" PRIx64 " plus its size wraps "
				"around",
				path, base);
	}
	out->base = base;
	out->mem = map;
	out->len = len;
	out->mapped = true;
	out->map_len = len;
	return 0;
}

/* --- ELF cores --------------------------------------------------------------------------- */

static int cmp_seg(const void *a, const void *b)
{
	const struct ictl_pt_elf_seg *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int elf_segs(struct ictl_ctx *ctx, const char *name, const uint8_t *map, size_t len,
		    const Elf64_Ehdr *eh, size_t phnum, struct ictl_pt_elf *out)
{
	for (size_t i = 0; i < phnum; i++) {
		Elf64_Phdr ph;
		struct ictl_pt_elf_seg *s;

		memcpy(&ph, map + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (le32toh(ph.p_type) != PT_LOAD || !le64toh(ph.p_memsz))
			continue;
		s = array_push(&out->segs, &out->nsegs, sizeof(*s));
		if (!s)
			return ictl_err(ctx, ENOMEM, "out of memory");
		s->paddr = le64toh(ph.p_paddr);
		s->memsz = le64toh(ph.p_memsz);
		s->filesz = le64toh(ph.p_filesz);
		s->offset = le64toh(ph.p_offset);
		if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset ||
		    s->paddr + (s->memsz - 1) < s->paddr)
			return ictl_err_data(ctx, EINVAL,
					     "%s: PT_LOAD segment %zu lies outside the "
					     "file or wraps around",
					     name, i);
	}
	if (!out->nsegs)
		return ictl_err_data(ctx, EINVAL, "%s: no PT_LOAD segment: no memory in it", name);
	qsort(out->segs, out->nsegs, sizeof(*out->segs), cmp_seg);
	for (size_t i = 1; i < out->nsegs; i++)
		if (out->segs[i].paddr <= out->segs[i - 1].paddr + (out->segs[i - 1].memsz - 1))
			return ictl_err_data(ctx, EINVAL,
					     "%s: PT_LOAD segments at 0x%" PRIx64 " and 0x%" PRIx64
					     " overlap",
					     name, out->segs[i - 1].paddr, out->segs[i].paddr);
	return 0;
}

int ictl_pt_elf_parse(struct ictl_ctx *ctx, const char *name, const uint8_t *map, size_t len,
		      struct ictl_pt_elf *out)
{
	Elf64_Ehdr eh;
	size_t phnum;
	int r;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(eh) || memcmp(map, ELFMAG, SELFMAG))
		return ictl_err_data(ctx, EINVAL, "%s: not an ELF file", name);
	memcpy(&eh, map, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return ictl_err_data(ctx, EINVAL, "%s: not a 64-bit little-endian ELF file", name);
	eh.e_phoff = le64toh(eh.e_phoff);
	phnum = le16toh(eh.e_phnum);
	if (phnum == PN_XNUM) {
		Elf64_Shdr sh;
		uint64_t shoff = le64toh(eh.e_shoff);

		if (!shoff || shoff > len || len - shoff < sizeof(sh))
			return ictl_err_data(ctx, EINVAL,
					     "%s: e_phnum is PN_XNUM but there is no "
					     "section 0 to hold the count",
					     name);
		memcpy(&sh, map + shoff, sizeof(sh));
		phnum = le32toh(sh.sh_info);
	}
	if (le16toh(eh.e_phentsize) != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    phnum > (len - eh.e_phoff) / sizeof(Elf64_Phdr))
		return ictl_err_data(ctx, EINVAL, "%s: program headers lie outside the file", name);
	out->map = map;
	out->len = len;
	snprintf(out->what, sizeof(out->what), "the memory of ELF core %s", name);
	r = elf_segs(ctx, name, map, len, &eh, phnum, out);
	if (r < 0) {
		free(out->segs);
		memset(out, 0, sizeof(*out));
	}
	return r;
}

int ictl_pt_elf_load(struct ictl_ctx *ctx, const char *path, struct ictl_pt_elf *out)
{
	uint8_t *map;
	size_t len;
	int r = map_file(ctx, path, "ELF core", &map, &len);

	if (r < 0)
		return r;
	r = ictl_pt_elf_parse(ctx, path, map, len, out);
	if (r < 0)
		munmap(map, len);
	return r;
}

void ictl_pt_elf_clear(struct ictl_pt_elf *e)
{
	if (e->map)
		munmap((void *)e->map, e->len);
	free(e->segs);
	memset(e, 0, sizeof(*e));
}

/* The segment holding addr, or NULL. */
static const struct ictl_pt_elf_seg *elf_find(const struct ictl_pt_elf *e, uint64_t addr)
{
	size_t lo = 0, hi = e->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ictl_pt_elf_seg *s = &e->segs[mid];

		if (addr < s->paddr)
			hi = mid;
		else if (addr - s->paddr >= s->memsz)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

const void *ictl_pt_elf_read(void *priv, uint64_t addr, size_t len, void *buf)
{
	const struct ictl_pt_elf *e = priv;
	const struct ictl_pt_elf_seg *s = elf_find(e, addr);
	size_t done = 0;

	if (s && addr - s->paddr + len <= s->filesz)
		return e->map + s->offset + (addr - s->paddr);
	/* Across segments, or into the part of one that the file does not hold (zeros). */
	while (done < len) {
		uint64_t a = addr + done, off, n;

		s = elf_find(e, a);
		if (!s)
			return NULL;
		off = a - s->paddr;
		n = s->memsz - off < len - done ? s->memsz - off : len - done;
		for (uint64_t k = 0; k < n; k++)
			((uint8_t *)buf)[done + k] =
				off + k < s->filesz ? e->map[s->offset + off + k] : 0;
		done += n;
	}
	return buf;
}
