// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/*
 * The little of ACPI's IORT (ARM DEN 0049, revision E.f) that iommuctl reads:
 * the PCI root complex nodes.  Layout, all little-endian and packed:
 *   header: the 36-byte ACPI table header (signature "IORT" at 0, length at 4,
 *           revision at 8), node count at 36, offset of the first node at 40
 *   node:   type (1 byte), length (2), revision (1), identifier (4), ID mapping
 *           count (4), offset of the ID mappings (4); then the node's data
 *   root complex data (type 2): memory access properties (8 bytes: cache
 *           coherency (4), allocation hints (1), reserved (2), memory access
 *           flags (1)), ATS attribute (4), PCI segment number (4), ...
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "iort.h"

#define HDR_LEN 48	/* ACPI header (36) + node count, node offset, reserved */
#define NODE_HDR_LEN 16
#define RC_DATA_LEN 16	/* memory access properties, ATS attribute, segment */

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint16_t le16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static int rc_node(struct ictl_ctx *ctx, const uint8_t *n, size_t nlen, size_t off,
		   struct ictl_iort *out)
{
	const uint8_t *d = n + NODE_HDR_LEN;
	struct ictl_iort_rc *rc;

	if (nlen < NODE_HDR_LEN + RC_DATA_LEN)
		return ictl_err_data(ctx, EINVAL,
				     "IORT: the root complex node at offset %zu is %zu bytes, shorter than its %d",
				     off, nlen, NODE_HDR_LEN + RC_DATA_LEN);
	if (out->nrc == ICTL_IORT_MAX_RC)
		return ictl_err_data(ctx, E2BIG, "IORT: more than %d root complex nodes",
				     ICTL_IORT_MAX_RC);
	rc = &out->rc[out->nrc++];
	rc->revision = n[3];
	rc->cache_coherency = le32_at(d);
	rc->memory_flags = d[7];
	rc->ats = le32_at(d + 8);
	rc->segment = le32_at(d + 12);
	return 0;
}

int ictl_iort_parse(struct ictl_ctx *ctx, const void *buf, size_t len, struct ictl_iort *out)
{
	const uint8_t *t = buf;
	uint32_t tlen, count, off;

	memset(out, 0, sizeof(*out));
	if (len < HDR_LEN)
		return ictl_err_data(ctx, EINVAL, "IORT: %zu bytes, shorter than its %d-byte header",
				     len, HDR_LEN);
	if (memcmp(t, "IORT", 4))
		return ictl_err_data(ctx, EINVAL, "IORT: the signature is not \"IORT\"");
	tlen = le32_at(t + 4);
	if (tlen != len)
		return ictl_err_data(ctx, EINVAL,
				     "IORT: the header says %u bytes, the table has %zu", tlen, len);
	out->revision = t[8];
	count = le32_at(t + 36);
	off = le32_at(t + 40);
	if (count && (off < HDR_LEN || off > len))
		return ictl_err_data(ctx, EINVAL,
				     "IORT: the first node's offset %u is outside the table (%d..%zu)",
				     off, HDR_LEN, len);
	for (uint32_t i = 0; i < count; i++) {
		size_t nlen;

		if (len - off < NODE_HDR_LEN)
			return ictl_err_data(ctx, EINVAL,
					     "IORT: node %u at offset %u runs past the end (%zu bytes)",
					     i, off, len);
		nlen = le16_at(t + off + 1);
		if (nlen < NODE_HDR_LEN || nlen > len - off)
			return ictl_err_data(ctx, EINVAL,
					     "IORT: node %u at offset %u has length %zu (%d..%zu)",
					     i, off, nlen, NODE_HDR_LEN, len - off);
		if (t[off] == ICTL_IORT_NODE_PCI_RC) {
			int r = rc_node(ctx, t + off, nlen, off, out);

			if (r < 0)
				return r;
		}
		off += (uint32_t)nlen;
	}
	return 0;
}

const struct ictl_iort_rc *ictl_iort_rc_find(const struct ictl_iort *t, uint32_t segment)
{
	for (size_t i = 0; i < t->nrc; i++) {
		if (t->rc[i].segment == segment)
			return &t->rc[i];
	}
	return NULL;
}

/* The table's bytes through the seam: bounded, a regular file only, never blocking. */
static int iort_read(struct ictl_ctx *ctx, uint8_t **buf, size_t *len)
{
	_cleanup_close_ int fd = sysfs_open(ctx, "sys/firmware/acpi/tables/IORT",
					    O_RDONLY | O_NONBLOCK);
	size_t cap = 4096, n = 0;
	uint8_t *b = NULL;
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	for (;;) {
		uint8_t *nb;
		ssize_t k;

		if (n == cap) {
			if (cap >= ICTL_IORT_MAX_LEN) {
				free(b);
				return -EFBIG;
			}
			cap *= 2;
		}
		nb = realloc(b, cap);
		if (!nb) {
			free(b);
			return -ENOMEM;
		}
		b = nb;
		k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			k = -errno;
			free(b);
			return (int)k;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*buf = b;
	*len = n;
	return 0;
}

enum ictl_tristate ictl_fw_rc_canwbs(struct ictl_ctx *ctx, const struct ictl_device *d,
				     char *source, size_t len)
{
	const struct ictl_iort_rc *rc;
	struct ictl_iort *t;
	uint8_t *buf = NULL;
	size_t n = 0;
	int r;

	if (!d->is_pci) {
		snprintf(source, len, "%s is not a PCI device: CANWBS is a PCI root complex's flag",
			 d->name);
		return ICTL_NO;
	}
	if (!sysfs_exists(ctx, "sys/firmware/acpi/tables/IORT")) {
		if (sysfs_exists(ctx, "sys/firmware/devicetree/base")) {
			snprintf(source, len,
				 "device-tree boot: no IORT, and only IORT marks a root complex CANWBS");
			return ICTL_NO;
		}
		snprintf(source, len, "no IORT and no device tree: the firmware does not say");
		return ICTL_UNKNOWN;
	}
	r = iort_read(ctx, &buf, &n);
	if (r < 0) {
		snprintf(source, len, "IORT cannot be read: %s", strerror(-r));
		return ICTL_UNKNOWN;
	}
	if (!n) {
		free(buf);
		snprintf(source, len, "IORT is empty (captured without its bytes)");
		return ICTL_UNKNOWN;
	}
	t = malloc(sizeof(*t));
	if (!t) {
		free(buf);
		snprintf(source, len, "out of memory reading IORT");
		return ICTL_UNKNOWN;
	}
	r = ictl_iort_parse(ctx, buf, n, t);
	free(buf);
	if (r < 0) {
		snprintf(source, len, "%s", ictl_strerror(ctx));
		ctx->err[0] = '\0';
		free(t);
		return ICTL_UNKNOWN;
	}
	rc = ictl_iort_rc_find(t, d->addr.domain);
	if (!rc) {
		snprintf(source, len, "IORT has no root complex node for PCI segment %u",
			 d->addr.domain);
		free(t);
		return ICTL_NO;
	}
	snprintf(source, len, "IORT root complex (segment %u) memory access flags %#x, CANWBS (bit 2) = %d",
		 rc->segment, rc->memory_flags, !!(rc->memory_flags & ICTL_IORT_MF_CANWBS));
	r = rc->memory_flags & ICTL_IORT_MF_CANWBS ? ICTL_YES : ICTL_NO;
	free(t);
	return (enum ictl_tristate)r;
}
