// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output escaping (src/cli/escape.c, iommuctl-json(7) STRINGS): which bytes
 * are UTF-8, how JSON text and terminal text are made safe.  tests/fuzz/
 * fuzz-escape.c tries any bytes; these are the cases a reader can check by eye.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/escape.h"
#include "tap.h"

static void utf8(void)
{
	static const struct {
		const char *s, *what;
		bool valid;
	} v[] = {
		{ "plain ASCII", "ASCII", true },
		{ "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", "2, 3 and 4 bytes", true },
		{ "\xc0\xaf", "an overlong '/'", false },
		{ "\xe0\x80\xaf", "an overlong 3-byte form", false },
		{ "\xed\xa0\x80", "a surrogate (CESU-8)", false },
		{ "\xf4\x90\x80\x80", "past U+10FFFF", false },
		{ "\xc3(", "a cut sequence", false },
		{ "\xff", "0xff", false },
		{ "\xef\xbf\xbd", "U+FFFD itself", true },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(esc_utf8_valid(v[i].s, strlen(v[i].s)) == v[i].valid, "UTF-8: %s is %s", v[i].what,
		   v[i].valid ? "valid" : "not valid");
}

static void json(void)
{
	static const struct {
		const char *in, *out, *what;
	} v[] = {
		{ "\"e1000e\"", "\"e1000e\"", "valid text passes unchanged" },
		{ "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"", "valid UTF-8 passes unchanged" },
		{ "\"a\xff" "b\"", "\"a\\udcffb\"", "a bad byte is \\udcXX" },
		{ "\"\xc0\xaf\"", "\"\\udcc0\\udcaf\"", "an overlong form is two bad bytes" },
		{ "\"\xe6\x97\"", "\"\\udce6\\udc97\"", "a cut sequence, byte by byte" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		esc_json_put(f, v[i].in, strlen(v[i].in));
		fclose(f);
		is_str(buf, v[i].out, "JSON: %s", v[i].what);
		free(buf);
	}
}

static void text(void)
{
	static const struct {
		const char *in, *out, *what;
	} v[] = {
		{ "vfio-pci", "vfio-pci", "plain text passes" },
		{ "caf\xc3\xa9", "caf\xc3\xa9", "valid UTF-8 passes" },
		{ "e1000e\x1b[31m", "e1000e\\x1b[31m", "ESC is \\x1b" },
		{ "a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f", "newline, tab and DEL" },
		{ "\xc2\x9b" "31m", "\\xc2\\x9b31m", "a C1 control (CSI) byte by byte" },
		{ "\xff\xfe", "\\xff\\xfe", "bad bytes" },
		{ "a\\x41", "a\\x5cx41", "a backslash before x" },
		{ "a\\b", "a\\b", "a backslash before anything else" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_str(esc_text_buf(v[i].in, buf, sizeof(buf)), v[i].out, "text: %s", v[i].what);
	is_str(esc_text_buf("ab\x01", buf, 6), "ab", "text: cut before an escape that does not fit");
	is_str(esc_text_buf("\xc3\xa9\xc3\xa9\xc3\xa9", buf, 5), "\xc3\xa9\xc3\xa9",
	       "text: cut at a whole character");
	ok(esc_text("vfio-pci") != NULL && !strcmp(esc_text("vfio-pci"), "vfio-pci"),
	   "esc_text: a safe string as it is");
	ok(esc_text(NULL) == NULL, "esc_text: NULL stays NULL");
	{
		const char *a = esc_text("\x01"), *b = esc_text("\x02");

		ok(!strcmp(a, "\\x01") && !strcmp(b, "\\x02"), "esc_text: two in one printf");
	}
}

int main(void)
{
	utf8();
	json();
	text();
	return done_testing();
}
