// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the ownership journal's parser (src/lib/owner-journal.c):
 * the bytes are the text of group-11.journal.  What it accepts must be what
 * journal_format writes: formatted again, it parses back to the same records.
 * Nothing is opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "owner-journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ictl_ctx *ctx;
	struct own_journal j = { .group = 11 }, back = { .group = 11 };
	char *text, *again;

	if (!ctx && ictl_ctx_new(&ctx, "/") < 0)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (journal_parse(ctx, "group-11.journal", text, size, &j) == 0) {
		/* Accepted: a phase of the closed set, and it round-trips. */
		if (strcmp(j.phase, "claiming") && strcmp(j.phase, "claimed") &&
		    strcmp(j.phase, "releasing"))
			abort();
		again = journal_format(&j, 1);
		if (!again || journal_parse(ctx, "again", again, strlen(again), &back) != 0 ||
		    back.n != j.n || strcmp(back.phase, j.phase) || strcmp(back.target, j.target) ||
		    (j.n && memcmp(back.v, j.v, j.n * sizeof(*j.v))))
			abort();
		free(again);
	}
	journal_clear(&j);
	journal_clear(&back);
	free(text);
	return 0;
}
