// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the held set's state file parser (ictl_held_parse,
 * iommuctl-held(8)): the bytes are a state file.  What parses is formatted
 * again and must parse again to the same set; nothing is opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct ictl_held *a, const struct ictl_held *b)
{
	if (a->pid != b->pid || a->start != b->start || a->iommufd != b->iommufd ||
	    a->nobjs != b->nobjs || a->nmaps != b->nmaps)
		abort();
	for (size_t i = 0; i < a->nobjs; i++) {
		if (a->objs[i].kind != b->objs[i].kind || a->objs[i].id != b->objs[i].id ||
		    a->objs[i].fd != b->objs[i].fd || strcmp(a->objs[i].name, b->objs[i].name))
			abort();
	}
	for (size_t i = 0; i < a->nmaps; i++) {
		if (a->maps[i].ioas != b->maps[i].ioas || a->maps[i].iova != b->maps[i].iova ||
		    a->maps[i].length != b->maps[i].length || a->maps[i].access != b->maps[i].access ||
		    a->maps[i].uaddr != b->maps[i].uaddr || strcmp(a->maps[i].name, b->maps[i].name))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ictl_ctx *ctx;
	struct ictl_held h, again;
	char *text, *out;

	if (!ctx && ictl_ctx_new(&ctx, NULL) < 0)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (!ictl_held_parse(ctx, "fuzz.state", text, size, &h)) {
		out = ictl_held_format(&h);
		if (!out || ictl_held_parse(ctx, "again", out, strlen(out), &again))
			abort();
		same(&h, &again);
		ictl_held_clear(&again);
		free(out);
		ictl_held_clear(&h);
	}
	free(text);
	return 0;
}
