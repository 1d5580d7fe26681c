// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the parsers of device and group names, as users type
 * them and as sysfs lists them: the bytes up to the first NUL are given to
 * ictl_parse_pci_name(), ictl_parse_device_name(), ictl_parse_group_id(), the
 * library's pci_name_addr() and the natural order name_cmp().  What parses must
 * be canonical: the canonical form parses again to itself and the same address;
 * a group number is written back digit for digit and is below 2^31; a device
 * name holds only [A-Za-z0-9._:-].  name_cmp is an order: a name equals itself,
 * and swapping two names turns the sign.  Nothing is opened.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Field by field: the struct's padding byte is whatever the stack held (memcmp saw it). */
static bool same_addr(const struct ictl_pci_addr *a, const struct ictl_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

static void check_pci(struct ictl_ctx *ctx, const char *s)
{
	struct ictl_pci_addr a, b;
	char canon[ICTL_NAME_MAX], again[ICTL_NAME_MAX];

	if (ictl_parse_pci_name(ctx, s, &a, canon) < 0)
		return;
	if (ictl_parse_pci_name(ctx, canon, &b, again) < 0 || strcmp(canon, again) ||
	    !same_addr(&a, &b) || a.dev > 0x1f || a.fn > 7)
		abort();
	if (pci_name_addr(canon, &b) < 0 || !same_addr(&a, &b))
		abort();
}

static void check_device(struct ictl_ctx *ctx, const char *s)
{
	char canon[ICTL_NAME_MAX], again[ICTL_NAME_MAX];

	if (ictl_parse_device_name(ctx, s, canon) < 0)
		return;
	if (!canon[0] || strspn(canon, "0123456789abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ._:-") != strlen(canon))
		abort();
	if (ictl_parse_device_name(ctx, canon, again) < 0 || strcmp(canon, again))
		abort();
}

static void check_group(struct ictl_ctx *ctx, const char *s)
{
	unsigned int id;
	char back[16];

	if (ictl_parse_group_id(ctx, s, &id) < 0)
		return;
	snprintf(back, sizeof(back), "%u", id);
	if (id > 0x7fffffffu || strcmp(back, s))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ictl_ctx *ctx;
	char *s = malloc(size + 1), *t;

	if (!s || (!ctx && ictl_ctx_new(&ctx, "/") < 0))
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_pci(ctx, s);
	check_device(ctx, s);
	check_group(ctx, s);
	/* A second name after the first NUL, for the order. */
	t = s + strlen(s);
	t = t < s + size ? t + 1 : t;
	if (name_cmp(s, s) || name_cmp(t, t) || sign(name_cmp(s, t)) != -sign(name_cmp(t, s)))
		abort();
	free(s);
	return 0;
}
