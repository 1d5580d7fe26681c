// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the notes a held set's other processes write
 * (held-PID.maps: `held map`, `held copy`, `held unmap`; ictl_held_parse_notes,
 * iommuctl-held(8)): the bytes are a notes file, applied to a fixed good state
 * with two IOASes.  Whatever is accepted must leave a set whose mappings are
 * well-formed: bounded in number, inside the address space, in an IOAS of the
 * holder, with a name (or none) that is unique and a known memory kind.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char state[] = "iommuctl-held 1\npid 4242\nstart 123456\niommufd 3\ngroup 11\n"
			    "object ioas ram 1 - 0x0 -\nobject ioas io2 2 - 0x0 -\n"
			    "object hwpt_paging - 6 - 0x0 -\n"
			    "mapping buf 1 0x1000000 0x200000\nmapping - 2 0x0 0x1000\nend\n";

static void well_formed(const struct ictl_held *h)
{
	if (h->nmaps > ICTL_HELD_ITEMS_MAX)
		abort();
	for (size_t i = 0; i < h->nmaps; i++) {
		const struct ictl_held_map *m = &h->maps[i];

		if (m->ioas != 1 && m->ioas != 2)
			abort();
		if (!m->length || m->iova + (m->length - 1) < m->iova)
			abort();
		if (m->memory[0] && !ictl_held_memory_ok(m->memory))
			abort();
		if (m->memory[0] && m->by <= 0)
			abort();
		if (m->name[0] && !ictl_held_name_ok(m->name))
			abort();
		for (size_t k = 0; m->name[0] && k < i; k++)
			if (!strcmp(h->maps[k].name, m->name))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ictl_ctx *ctx;
	char text[sizeof(state)];
	struct ictl_held h;

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	memcpy(text, state, sizeof(state));
	if (ictl_held_parse(ctx, "fuzz.state", text, sizeof(state) - 1, &h))
		abort();
	if (!ictl_held_parse_notes(ctx, "fuzz.maps", (const char *)data, size, &h))
		well_formed(&h);
	ictl_held_clear(&h);
	return 0;
}
