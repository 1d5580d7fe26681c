// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the sysfs attribute readers and parsers of src/lib: the
 * bytes are written as a file in a scratch root (a context's --sysroot) and read
 * back through the seam as a string, a decimal/hex/octal number
 * (sysfs_read_u64), an int (sysfs_read_int), a hex number (sysfs_read_hex), a
 * whole file (sysfs_read_alloc); the string is also given to parse_hex_u64 (hex
 * registers: Intel cap/ecap, AMD EFR "efr:efr2").  What reads must agree: the
 * string holds no more than its buffer, a hex read is parse_hex_u64 of the
 * string, an int that is not negative is the same as the u64 read, the whole
 * file starts with the string.  And what they refuse: a NUL byte in what a read
 * sees fails it (no "5\0junk" read as 5); a u64 read is decimal digits or 0x and
 * hex digits, nothing else (no blank, no sign); an int read is that with at most
 * a leading '-'.  The scratch root is under TMPDIR (/dev/shm
 * when there is one) and removed at exit.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], file[96], sysdir[80];

static void cleanup(void)
{
	unlink(file);
	rmdir(sysdir);
	rmdir(root);
}

static struct ictl_ctx *setup(void)
{
	static struct ictl_ctx *ctx;
	const char *dir = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	if (ctx)
		return ctx;
	snprintf(root, sizeof(root), "%s/fuzz-sysattr.XXXXXX", dir);
	if (!mkdtemp(root))
		abort();
	snprintf(sysdir, sizeof(sysdir), "%s/sys", root);
	snprintf(file, sizeof(file), "%s/a", sysdir);
	if (mkdir(sysdir, 0755) || ictl_ctx_new(&ctx, root) < 0)
		abort();
	atexit(cleanup);
	return ctx;
}

/* s is what sysfs writes for a number: digits, or 0x and hex digits */
static bool plain_number(const char *s)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	s += hex ? 2 : 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!(hex ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_ctx *ctx = setup();
	char str[64], *all = NULL;
	uint64_t u, h, h2;
	int fd, i;
	bool nul;

	if (size > 1 << 16)
		return 0;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd))
		abort();
	/* one read of up to sizeof(str) - 1 bytes: a NUL among them fails it */
	nul = memchr(data, '\0', size < sizeof(str) - 1 ? size : sizeof(str) - 1) != NULL;
	if (sysfs_read_str(ctx, "sys/a", str, sizeof(str)) < 0) {
		if (size <= SYSFS_ATTR_MAX && !nul)
			abort();	/* a regular file in the root reads, up to an attribute's size */
		return 0;
	}
	if (nul)
		abort();		/* "5\0junk" is no "5" */
	if (strnlen(str, sizeof(str)) >= sizeof(str))
		abort();
	if (sysfs_read_hex(ctx, "sys/a", &h) == 0 && (parse_hex_u64(str, &h2) < 0 || h != h2))
		abort();
	/* "-0" is an int, 0, but no u64: an unsigned read takes no sign */
	if (sysfs_read_int(ctx, "sys/a", &i) == 0 && i >= 0 && !strchr(str, '-') &&
	    (sysfs_read_u64(ctx, "sys/a", &u) < 0 || u != (uint64_t)i))
		abort();
	if (sysfs_read_u64(ctx, "sys/a", &u) == 0 && !plain_number(str))
		abort();
	if (sysfs_read_int(ctx, "sys/a", &i) == 0 && !plain_number(str + (str[0] == '-')))
		abort();
	if (sysfs_read_alloc(ctx, "sys/a", &all) == 0) {
		if (strncmp(all, str, strlen(str)) || memchr(data, '\0', size))
			abort();	/* the whole file starts with the string, and is text */
		free(all);
	}
	if (parse_hex_u64(str, &h) == 0 && strchr(str, '-'))
		abort();	/* a register value is never negative */
	return 0;
}
