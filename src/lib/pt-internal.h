/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a page-table format gives the engine (pt.c), and helpers the format files share. */
#ifndef ICTL_LIB_PT_INTERNAL_H
#define ICTL_LIB_PT_INTERNAL_H

#include <endian.h>
#include <string.h>

#include "internal.h"
#include "pt.h"

/* The parameters a user may give after the format's name; -1 (or 0 for strings): not given. */
struct pt_params {
	int levels, ias, oas, granule, sign_extend;
};

struct ictl_pt_fmt {
	const char *name;
	const char *desc;
	const char *params; /* for help: "levels=4|5 (4), oas=32..52 (52), sign-extend=0|1 (1)" */
	const char *keys; /* the parameter keys it takes: "levels,oas,sign-extend" */
	unsigned int perm_mask; /* the permissions it can express */
	/* Check the parameters, fill the geometry, page_sizes and the canonical name. */
	int (*setup)(struct ictl_ctx *ctx, struct ictl_pt_cfg *cfg, const struct pt_params *p);
	void (*decode)(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t raw,
		       struct ictl_pte *out);
	int (*encode_leaf)(struct ictl_ctx *ctx, const struct ictl_pt_cfg *cfg, unsigned int h,
			   uint64_t phys, unsigned int page, unsigned int perms, uint64_t *raw,
			   unsigned int *n);
	uint64_t (*encode_table)(const struct ictl_pt_cfg *cfg, unsigned int h, uint64_t addr,
				 unsigned int next);
	const char *(*level_name)(const struct ictl_pt_cfg *cfg, unsigned int h);
	unsigned int (*level_num)(const struct ictl_pt_cfg *cfg, unsigned int h);
	const struct ictl_pt_field *fields;
	/*
	 * A leaf's raw value plus k times its page size encodes the next page, with
	 * the same attributes, as long as the output address stays below this
	 * (the walk's fast path over runs of leaves relies on it).
	 */
	uint64_t linear_limit;
};

extern const struct ictl_pt_fmt ictl_pt_fmt_x86_64, ictl_pt_fmt_vtd_ss, ictl_pt_fmt_amd_v1,
	ictl_pt_fmt_arm_lpae_s1;

/* Geometry: 2^bpl entries per table from the granule up, the top level taking what is left. */
void pt_geometry(struct ictl_pt_cfg *cfg, unsigned int granule, unsigned int bpl,
		 unsigned int levels, unsigned int ias);

static inline uint64_t pt_mask(unsigned int msb, unsigned int lsb)
{
	return (msb >= 63 ? ~0ull : (1ull << (msb + 1)) - 1) & ~((1ull << lsb) - 1);
}

static inline uint64_t pt_get(uint64_t v, unsigned int msb, unsigned int lsb)
{
	return (v & pt_mask(msb, lsb)) >> lsb;
}

/* Output address bits [oas-1:lsb] of raw (the address field up to bit 51). */
static inline uint64_t pt_oa(uint64_t raw, unsigned int lsb, unsigned int msb)
{
	return raw & pt_mask(msb, lsb);
}

/* Bits [51:oas] of an entry are reserved when the output address is narrower than 52 bits. */
static inline uint64_t pt_above_oas(const struct ictl_pt_cfg *cfg, unsigned int top)
{
	return cfg->oas <= top ? pt_mask(top, cfg->oas) : 0;
}

static inline uint64_t pt_le64(uint64_t v)
{
	return le64toh(v);
}

/*
 * The largest page of mask that fits at iova and phys with rem bytes left (0:
 * none), and in *count how many of them follow each other before a larger
 * page could start.  What `pt build` does, and what `pt validate` expects.
 */
unsigned int pt_best_page(uint64_t mask, uint64_t iova, uint64_t phys, uint64_t rem,
			  uint64_t *count);

/* Unmap an image or raw dump loaded by ictl_pt_image_load() or ictl_pt_raw_load(). */
void munmap_image(struct ictl_pt_image *img);

int pt_bad_param(struct ictl_ctx *ctx, const char *fmt, const char *key, int value,
		 const char *allowed);

#endif /* ICTL_LIB_PT_INTERNAL_H */
