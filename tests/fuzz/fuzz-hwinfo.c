// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the hw_info decoders, one per vendor type: the first
 * byte picks the type (intel-vtd, arm-smmu-v3, tegra241-cmdqv, amd-vi,
 * selftest, or, past them, the next four bytes as a type number), the rest is
 * the driver data blob given to ictl_hw_info_decode(), as 'hw-info --raw FILE
 * --type TYPE' gives a saved blob.  What decodes must hold together: every
 * register and field named, every field within its register's width, its value
 * the register's bits msb..lsb.  Nothing is opened.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iommuctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = { "intel-vtd", "arm-smmu-v3", "tegra241-cmdqv", "amd-vi",
				     "selftest" };

static struct ictl_ctx *ctx(void)
{
	static struct ictl_ctx *c;

	if (!c && ictl_ctx_new(&c, "/") < 0)
		abort();
	return c;
}

static void check(const struct ictl_hw_info *hi)
{
	if (!hi->kind || hi->raw_len > sizeof(hi->raw))
		abort();
	for (size_t i = 0; i < hi->nregs; i++) {
		const struct ictl_hw_reg *r = &hi->regs[i];

		if (!r->name || !r->desc || !strlen(r->name) || r->width == 0 || r->width > 64)
			abort();
		for (size_t k = 0; k < r->nfields; k++) {
			const struct ictl_hw_field *f = &r->fields[k];
			unsigned int w = f->msb - f->lsb + 1u;
			uint64_t bits = (r->value >> f->lsb) & (w >= 64 ? ~0ull : (1ull << w) - 1);

			if (!f->name || !f->desc || f->msb < f->lsb || f->msb >= r->width)
				abort();
			if (f->value != bits || !memchr(f->meaning, '\0', sizeof(f->meaning)))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_hw_info hi;
	uint32_t type;

	if (!size)
		return 0;
	if (data[0] < sizeof(kinds) / sizeof(kinds[0])) {
		if (ictl_hw_info_type_parse(ctx(), kinds[data[0]], &type) < 0)
			abort();
		data++, size--;
	} else {
		if (size < 5)
			return 0;
		memcpy(&type, data + 1, sizeof(type));
		data += 5, size -= 5;
	}
	memset(&hi, 0, sizeof(hi));
	if (ictl_hw_info_decode(ctx(), type, data, size, &hi) == 0)
		check(&hi);
	ictl_hw_info_clear(&hi);
	return 0;
}
