// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names typed by users.  iommuctl runs as root and turns these names into
 * sysfs paths, so they are checked strictly before anything is opened.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly n hex digits at s (n == 0: between 4 and 8); advances s. */
static int take_hex(const char **s, unsigned int min, unsigned int max, uint32_t *v)
{
	unsigned int n = 0;

	*v = 0;
	while (n < max && hexval((*s)[n]) >= 0) {
		*v = *v << 4 | (uint32_t)hexval((*s)[n]);
		n++;
	}
	if (n < min || hexval((*s)[n]) >= 0)
		return -1;
	*s += n;
	return 0;
}

static int bad_name(struct ictl_ctx *ctx, const char *s)
{
	if (!*s)
		return ictl_err(ctx, EINVAL,
				"empty device name: give a PCI address like 0000:00:03.0 (see 'iommuctl devices')");
	if (strlen(s) >= ICTL_NAME_MAX)
		return ictl_err(ctx, ENAMETOOLONG,
				"device name is too long (%zu characters): give a PCI address like 0000:00:03.0",
				strlen(s));
	for (const char *p = s; *p; p++) {
		if (!isprint((unsigned char)*p))
			return ictl_err(ctx, EINVAL,
					"device name has a non-printable character: give a PCI address like 0000:00:03.0");
	}
	return ictl_err(ctx, EINVAL,
			"invalid device name '%s': give a PCI address like 0000:00:03.0 or 00:03.0",
			s);
}

/* 0, -EINVAL when s is not an address, -ERANGE when its device or function is out of range. */
static int parse_pci(const char *s, struct ictl_pci_addr *addr)
{
	const char *p = s;
	uint32_t a, b, c, f;

	if (!*s || strlen(s) >= ICTL_NAME_MAX)
		return -EINVAL;
	if (take_hex(&p, 2, 8, &a) || *p++ != ':' || take_hex(&p, 2, 2, &b))
		return -EINVAL;
	if (*p == ':') {
		/* long form: a is the domain (4 to 8 digits), b the bus */
		p++;
		if (p - s < 8 || take_hex(&p, 2, 2, &c))
			return -EINVAL;
		addr->domain = a;
		addr->bus = (uint8_t)b;
		addr->dev = (uint8_t)c;
		if ((s[4] != ':' && a <= 0xffff) || a > 0xffffff)
			return -EINVAL;
	} else {
		/* short form: bus:dev.fn */
		if (p - s != 5)
			return -EINVAL;
		addr->domain = 0;
		addr->bus = (uint8_t)a;
		addr->dev = (uint8_t)b;
	}
	if (*p++ != '.' || !isdigit((unsigned char)*p) || p[1])
		return -EINVAL;
	f = (uint32_t)(*p - '0');
	if (addr->dev > 0x1f || f > 7)
		return -ERANGE;
	addr->fn = (uint8_t)f;
	return 0;
}

int pci_name_addr(const char *s, struct ictl_pci_addr *addr)
{
	struct ictl_pci_addr a;

	if (parse_pci(s, &a) < 0)
		return -EINVAL;
	*addr = a;
	return 0;
}

int ictl_parse_pci_name(struct ictl_ctx *ctx, const char *s, struct ictl_pci_addr *addr,
			char canon[ICTL_NAME_MAX])
{
	int r = parse_pci(s, addr);

	if (r == -ERANGE)
		return ictl_err(ctx, EINVAL,
				"invalid device name '%s': device must be 00-1f and function 0-7", s);
	if (r < 0)
		return bad_name(ctx, s);
	snprintf(canon, ICTL_NAME_MAX, "%04x:%02x:%02x.%u", addr->domain, addr->bus, addr->dev,
		 addr->fn);
	return 0;
}

int ictl_parse_group_id(struct ictl_ctx *ctx, const char *s, unsigned int *id)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (!n || n > 10 || (s[0] == '0' && n > 1))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			goto bad;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0x7fffffff)
		goto bad;
	*id = (unsigned int)v;
	return 0;
bad:
	return ictl_err(ctx, EINVAL, "invalid group '%.64s': give a group number (see 'iommuctl groups')", s);
}

/*
 * A device name for lookups: a PCI address (canonicalised), or a plain sysfs
 * name of another bus such as a platform device ("9050000.smmuv3").  Anything
 * with a colon must be a PCI address.
 */
int ictl_parse_device_name(struct ictl_ctx *ctx, const char *s, char canon[ICTL_NAME_MAX])
{
	struct ictl_pci_addr addr;

	if (strchr(s, ':') || !*s || strlen(s) >= ICTL_NAME_MAX)
		return ictl_parse_pci_name(ctx, s, &addr, canon);
	if (!isalnum((unsigned char)s[0]))
		return bad_name(ctx, s);
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return bad_name(ctx, s);
	}
	str_copy(canon, s, ICTL_NAME_MAX);
	return 0;
}
