// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: an ELF core (QEMU dump-guest-memory) as the page-table
 * source reads it: the program headers are parsed, and reads at the edges of
 * every segment stay inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ictl_ctx *ctx;
	struct ictl_pt_elf e;
	uint8_t buf[4096];

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	if (ictl_pt_elf_parse(ctx, "fuzz", data, len, &e))
		return 0;
	for (size_t i = 0; i < e.nsegs; i++) {
		const struct ictl_pt_elf_seg *s = &e.segs[i];
		uint64_t at[] = { s->paddr, s->paddr + s->memsz - 1, s->paddr + s->memsz - 8,
				  s->paddr + s->filesz, s->paddr - 8 };

		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			const uint8_t *p = ictl_pt_elf_read(&e, at[k], sizeof(buf), buf);
			volatile uint8_t sink = 0;

			for (size_t j = 0; p && j < sizeof(buf); j += 512)
				sink ^= p[j];
			(void)sink;
		}
	}
	free(e.segs);
	return 0;
}
