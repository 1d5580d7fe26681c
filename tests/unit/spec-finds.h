/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The check of a spec's text, for unit tests of the spec checks (test-spec.c,
 * test-pt-spec.c): parse text ("t.yaml"), run ictl_spec_check() and assert
 * that a finding at path says msg, or, with path NULL, that there is none
 * (SPEC_FINDS_NONE: no finding at all; SPEC_FINDS_NO_ERROR: warnings are
 * fine).  What was found instead is printed as TAP comments.  Include after
 * tap.h and spec.h.
 */
#ifndef ICTL_SPEC_FINDS_H
#define ICTL_SPEC_FINDS_H

#include <string.h>

enum spec_finds_mode { SPEC_FINDS_NONE, SPEC_FINDS_NO_ERROR };

__attribute__((unused)) static void spec_finds(struct ictl_ctx *ctx, const char *text,
					       const char *path, const char *msg, const char *what,
					       enum spec_finds_mode mode)
{
	struct ictl_spec_findings f = { 0 };
	struct ictl_spec s;
	bool found = false, clean;
	int r = ictl_spec_parse(ctx, "t.yaml", text, strlen(text), &s);

	if (!is_int(r, 0, "%s: parses (%s)", what, r ? ictl_strerror(ctx) : "ok")) {
		ictl_spec_clear(&s);
		return;
	}
	r = ictl_spec_check(ctx, &s, NULL, &f);
	for (size_t i = 0; path && i < f.n; i++)
		found |= !strcmp(f.v[i].path, path) && strstr(f.v[i].message, msg);
	clean = mode == SPEC_FINDS_NONE ? !f.n : !f.nerrors;
	if (path)
		ok(!r && found, "%s: %s says '%s'", what, path, msg);
	else
		ok(!r && clean, "%s: no %s (%zu, the first: %s)", what,
		   mode == SPEC_FINDS_NONE ? "finding" : "error",
		   mode == SPEC_FINDS_NONE ? f.n : f.nerrors, f.n ? f.v[0].message : "-");
	for (size_t i = 0; (path ? !found : !clean) && i < f.n; i++)
		printf("#   %s: %s\n", f.v[i].path, f.v[i].message);
	ictl_spec_findings_clear(&f);
	ictl_spec_clear(&s);
}

#endif /* ICTL_SPEC_FINDS_H */
