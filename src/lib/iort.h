/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ICTL_IORT_H
#define ICTL_IORT_H
/*
 * ACPI's IO Remapping Table (IORT, ARM DEN 0049): only what iommuctl needs of
 * it, the PCI root complexes' memory access properties (whether a root
 * complex is CANWBS, which the kernel needs for an SMMUv3 vIOMMU when the
 * SMMU has no S2FWB).
 */
#include <stddef.h>
#include <stdint.h>

#include "iommuctl.h"

#define ICTL_IORT_MAX_LEN (1u << 20)	/* a table past this is refused, not read */
#define ICTL_IORT_MAX_RC 64

/* IORT node types (DEN 0049 table 4) and memory access flags (table 15). */
#define ICTL_IORT_NODE_PCI_RC 2
#define ICTL_IORT_MF_CPM 0x1		/* coherent path to memory */
#define ICTL_IORT_MF_DACS 0x2		/* device attributes cacheable, inner shareable */
#define ICTL_IORT_MF_CANWBS 0x4		/* can treat memory as write-back, shareable */

struct ictl_iort_rc {
	uint32_t segment;		/* PCI segment (domain) number */
	uint32_t cache_coherency;	/* CCA: 1 when the root complex is coherent */
	uint8_t memory_flags;		/* ICTL_IORT_MF_* */
	uint32_t ats;			/* ATS attribute: bit 0 ATS, 1 PRI, 2 PASID forwarding */
	uint8_t revision;
};

struct ictl_iort {
	uint8_t revision;		/* the table's revision (header byte 8) */
	size_t nrc;
	struct ictl_iort_rc rc[ICTL_IORT_MAX_RC];
};

/*
 * Parse an IORT from memory.  Strict: the signature, the header's length
 * against len, every node inside the table, root complex nodes long enough
 * for their fields.  -EINVAL (ictl_err_data) naming what is wrong and where.
 */
int ictl_iort_parse(struct ictl_ctx *ctx, const void *buf, size_t len, struct ictl_iort *out);

/* The root complex of a PCI segment, or NULL. */
const struct ictl_iort_rc *ictl_iort_rc_find(const struct ictl_iort *t, uint32_t segment);

/*
 * What the firmware says of a device's root complex being CANWBS, as the
 * kernel would see it (iort_pci_rc_supports_canwbs() only with ACPI): YES or
 * NO with the source in words, UNKNOWN when the tree does not tell (an IORT
 * captured without its bytes, a damaged one: why in source).
 */
enum ictl_tristate ictl_fw_rc_canwbs(struct ictl_ctx *ctx, const struct ictl_device *d,
				     char *source, size_t len);

#endif
