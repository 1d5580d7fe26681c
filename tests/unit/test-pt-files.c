// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parsers of the page-table engine: mapping files, image headers, ELF
 * cores.  Each refuses what is not exactly what it reads, with the file and
 * the line or field named; and what they accept reads back as written.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "internal.h"
#include "pt.h"

static struct ictl_ctx *ctx;

static int maps(const char *text, struct ictl_pt_maps *m)
{
	return ictl_pt_maps_parse(ctx, "m.txt", text, strlen(text), m);
}

/* The parse fails with -EINVAL and a message that holds want. */
static void maps_bad(const char *text, const char *want, const char *what)
{
	struct ictl_pt_maps m;
	int r = maps(text, &m);

	if (!ok(r == -EINVAL && strstr(ictl_strerror(ctx), want), "mapping file: %s", what))
		printf("#   r=%d message: %s\n", r, ictl_strerror(ctx));
}

static void mapping_files(void)
{
	struct ictl_pt_maps m;
	uint64_t v;
	int r;

	r = maps("# a comment\n\n0x2000 8K 0x10000 rw  # trailing\n0 4K 1M r page=4K\n"
		 "1G 2M 0x200000 rwxp\n",
		 &m);
	ok(!r && m.n == 3, "three mappings, comments and blank lines skipped");
	ok(!r && m.v[0].iova == 0 && m.v[0].phys == 0x100000 && m.v[0].page == 12 &&
		   m.v[0].line == 4 && m.v[0].perms == ICTL_PT_R,
	   "sorted by IOVA; line 4: 0 4K 1M r page=4K");
	ok(!r && m.v[2].iova == 0x40000000 && m.v[2].size == 0x200000 &&
		   m.v[2].perms == (ICTL_PT_R | ICTL_PT_W | ICTL_PT_X | ICTL_PT_PRIV),
	   "suffixes K, M, G; perms rwxp");
	ictl_pt_maps_clear(&m);
	maps_bad("0x0 4K 0x1000\n", "m.txt:1: give IOVA SIZE PHYS PERMS", "three columns");
	maps_bad("0x0 4K 0x1000 rw page=4K x\n", "m.txt:1:", "six columns");
	maps_bad("\n0x0 4Q 0x1000 rw\n", "m.txt:2: SIZE '4Q' is not a number", "a bad suffix");
	maps_bad("0x0 4K 0x1000 rwr\n", "permissions 'rwr'", "a letter twice");
	maps_bad("0x0 4K 0x1000 rq\n", "permissions 'rq'", "an unknown letter");
	maps_bad("0x0 0 0x1000 r\n", "size 0 maps nothing", "size 0");
	maps_bad("0x800 4K 0x1000 r\n", "multiples of 4K", "an unaligned IOVA");
	maps_bad("0xfffffffffffff000 8K 0x1000 r\n", "wraps around", "a wrap-around");
	maps_bad("0x0 8K 0x1000 r page=8K\n", "page size asked for", "page= larger than alignment");
	maps_bad("0x0 8K 0x0 r page=3K\n", "page=SIZE", "page= not a power of two");
	maps_bad("0x0 8K 0x0 r\n0x1000 4K 0x5000 w\n", "m.txt:2: overlaps the mapping of line 1",
		 "overlapping mappings");
	{
		static const char nul[] = "0x0 4K 0x0 r\n0x1000\0 4K 0x0 r\n";

		ok(ictl_pt_maps_parse(ctx, "m.txt", nul, sizeof(nul) - 1, &m) == -EINVAL &&
			   strstr(ictl_strerror(ctx), "m.txt:2: a NUL byte"),
		   "mapping file: a NUL byte");
	}
	ok(!ictl_pt_parse_size("0x10K", &v) && v == 0x4000, "0x10K is 16K");
	ok(ictl_pt_parse_size("99999999999T", &v) == -ERANGE, "a size past 2^64 is refused");
	ok(ictl_pt_parse_size("-1", &v) == -EINVAL && ictl_pt_parse_size("", &v) == -EINVAL,
	   "no sign, no empty number");
}

static const char hdr_ok[] = "iommuctl-pt 1\nformat=x86-64,levels=4,oas=52,sign-extend=1\n"
			     "base=0x100000\nsize=0x2000\nroot=0x101000\npage-sizes=4K,2M\n";

static int hdr(const char *text, uint64_t file_size, struct ictl_pt_image *img)
{
	char buf[ICTL_PT_HEADER_SIZE] = { 0 };

	memcpy(buf, text, strlen(text));
	return ictl_pt_image_parse(ctx, "t.img", buf, sizeof(buf), file_size, img);
}

static void hdr_bad(const char *text, uint64_t size, const char *want, const char *what)
{
	struct ictl_pt_image img;
	int r = hdr(text, size, &img);

	if (!ok(r == -EINVAL && strstr(ictl_strerror(ctx), want) &&
			ictl_err_kind(ctx, r) == ICTL_ERR_DATA,
		"image header: %s", what))
		printf("#   r=%d message: %s\n", r, ictl_strerror(ctx));
}

static void image_headers(void)
{
	struct ictl_pt_image img, back;
	char buf[ICTL_PT_HEADER_SIZE];
	char text[1024];

	ok(!hdr(hdr_ok, 4096 + 0x2000, &img) && img.base == 0x100000 && img.root == 0x101000 &&
		   img.cfg.levels == 4 && img.page_sizes == ((1ull << 12) | (1ull << 21)),
	   "a header reads back: base, root, format, page sizes");
	/* What ictl_pt_image_header writes is what the parser reads. */
	img.len = 0x2000;
	ok(!ictl_pt_image_header(&img, buf, sizeof(buf)) &&
		   !ictl_pt_image_parse(ctx, "t.img", buf, sizeof(buf), 4096 + 0x2000, &back) &&
		   back.root == img.root && back.base == img.base &&
		   !strcmp(back.cfg.name, img.cfg.name),
	   "header written and read back");
	hdr_bad("iommuctl-pt 2\n", 8192, "not an iommuctl page-table image", "another version");
	hdr_bad(hdr_ok, 4096 + 0x1000,
		"truncated: the header says 0x2000 bytes of tables, the "
		"file has 0x1000",
		"a truncated image");
	hdr_bad(hdr_ok, 4096 + 0x3000, "0x1000 bytes after the tables", "bytes after the tables");
	snprintf(text, sizeof(text), "%sroot=0x0\n", hdr_ok);
	hdr_bad(text, 4096 + 0x2000, "root given twice", "a key twice");
	snprintf(text, sizeof(text), "%scolour=blue\n", hdr_ok);
	hdr_bad(text, 4096 + 0x2000, "unknown key 'colour'", "an unknown key");
	hdr_bad("iommuctl-pt 1\nformat=x86-64\nbase=0x100000\nsize=0x1000\n", 8192, "lacks root",
		"no root");
	hdr_bad("iommuctl-pt 1\nformat=x86-64\nbase=0x100000\nsize=0x1000\nroot=0x200000\n", 8192,
		"root 0x200000 is not in the image's memory", "a root outside the memory");
	hdr_bad("iommuctl-pt 1\nformat=mips\nbase=0x0\nsize=0x1000\nroot=0x0\n", 8192,
		"unknown page-table format 'mips'", "an unknown format");
	hdr_bad("iommuctl-pt 1\nformat=x86-64\nbase=100\nsize=0x1000\nroot=0x0\n", 8192,
		"base=100 is not a 0x... number", "a number without 0x");
	{
		char b[ICTL_PT_HEADER_SIZE] = { 0 };

		memcpy(b, hdr_ok, strlen(hdr_ok));
		b[3000] = 'x';
		ok(ictl_pt_image_parse(ctx, "t.img", b, sizeof(b), 8192 + 0x1000, &img) ==
				   -EINVAL &&
			   strstr(ictl_strerror(ctx), "bytes after its end"),
		   "image header: a byte after the NUL padding starts is refused");
	}
}

/* An ELF64 core with two PT_LOAD segments: 0x1000 bytes at 0x100000, 0x2000 at 0x101000. */
static void elf_cores(void)
{
	static uint8_t core[4096 + 0x3000];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)core;
	Elf64_Phdr *ph = (Elf64_Phdr *)(core + sizeof(*eh));
	struct ictl_pt_elf e;
	uint8_t buf[0x2000];
	const uint8_t *p;

	memset(core, 0, sizeof(core));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_CORE;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0, .p_filesz = 16 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 4096,
			      .p_paddr = 0x100000,
			      .p_filesz = 0x1000,
			      .p_memsz = 0x1000 };
	/* The second segment holds 0x1000 bytes in the file; the rest of memsz reads zeros. */
	ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 0x2000,
			      .p_paddr = 0x101000,
			      .p_filesz = 0x1000,
			      .p_memsz = 0x2000 };
	memset(core + 4096, 0xaa, 0x1000);
	memset(core + 0x2000, 0xbb, 0x1000);
	ok(!ictl_pt_elf_parse(ctx, "core", core, sizeof(core), &e) && e.nsegs == 2,
	   "ELF core: two PT_LOAD segments (the note is skipped)");
	p = ictl_pt_elf_read(&e, 0x100800, 16, buf);
	ok(p == core + 4096 + 0x800, "a read inside a segment points into the file");
	p = ictl_pt_elf_read(&e, 0x100ff8, 16, buf);
	ok(p == buf && p[0] == 0xaa && p[8] == 0xbb, "a read across two segments is copied");
	p = ictl_pt_elf_read(&e, 0x101ff8, 16, buf);
	ok(p && p[0] == 0xbb && p[8] == 0, "past filesz, memory reads as zeros");
	ok(!ictl_pt_elf_read(&e, 0x102ff8, 16, buf), "a read past the last segment fails");
	ok(!ictl_pt_elf_read(&e, 0x200000, 8, buf), "a read outside every segment fails");
	free(e.segs);
	ph[2].p_offset = sizeof(core) - 0x800;
	ok(ictl_pt_elf_parse(ctx, "core", core, sizeof(core), &e) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "lies outside the file"),
	   "a segment that lies past the end of the file is refused");
	ph[2].p_offset = 0x2000;
	ph[2].p_paddr = 0x100800;
	ok(ictl_pt_elf_parse(ctx, "core", core, sizeof(core), &e) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "overlap"),
	   "overlapping segments are refused");
	eh->e_phnum = 500;
	ok(ictl_pt_elf_parse(ctx, "core", core, sizeof(core), &e) == -EINVAL,
	   "program headers past the end of the file are refused");
	ok(ictl_pt_elf_parse(ctx, "core", core, 32, &e) == -EINVAL, "a file shorter than a header");
	core[EI_CLASS] = ELFCLASS32;
	ok(ictl_pt_elf_parse(ctx, "core", core, sizeof(core), &e) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "64-bit"),
	   "32-bit ELF is refused");
}

static void formats_parse(void)
{
	struct ictl_pt_cfg c;

	ok(!ictl_pt_cfg_parse(ctx, "amd-v1,levels=6,oas=48", &c) &&
		   !strcmp(c.name, "amd-v1,levels=6,oas=48") && c.ias == 64,
	   "amd-v1,levels=6: 64-bit input, canonical name");
	ok(ictl_pt_cfg_parse(ctx, "x86-64,levels=3", &c) == -EINVAL &&
		   strstr(ictl_strerror(ctx),
			  "levels=3 is not allowed: give 4 (48-bit) or 5 (57-bit)"),
	   "x86-64,levels=3 is refused with what is allowed");
	ok(ictl_pt_cfg_parse(ctx, "vtd-ss,granule=4K", &c) == -EINVAL &&
		   strstr(ictl_strerror(ctx), "has no parameter 'granule'"),
	   "a parameter the format does not take");
	ok(ictl_pt_cfg_parse(ctx, "x86-64,levels=4,levels=5", &c) == -EINVAL, "a parameter twice");
	ok(ictl_pt_cfg_parse(ctx, "x86-64,levels", &c) == -EINVAL, "a parameter without a value");
	ok(ictl_pt_cfg_parse(ctx, "arm-lpae-s1,granule=8K", &c) == -EINVAL, "an 8K granule");
}

int main(void)
{
	if (ictl_ctx_new(&ctx, NULL) < 0) {
		printf("1..0 # skip no library context\n");
		return 0;
	}
	mapping_files();
	image_headers();
	elf_cores();
	formats_parse();
	ictl_ctx_free(ctx);
	return done_testing();
}
