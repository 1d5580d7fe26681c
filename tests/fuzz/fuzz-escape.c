// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the output escaping (src/cli/escape.c, iommuctl-json(7)
 * STRINGS): any bytes in, valid UTF-8 out, and the bytes back.
 *
 *  - JSON: the bytes as a json-c string, serialized as the output layer does,
 *    written through esc_json_put(): the text must be valid UTF-8 by a check
 *    written here independently of escape.c (RFC 3629's table), and decoding
 *    the JSON string (\udcXX as the byte XX, PEP 383) must give the bytes back.
 *  - Text: the bytes up to the first NUL through esc_text_buf() with a buffer
 *    the first byte sizes: valid UTF-8, no C0 or C1 control character, no DEL;
 *    with room for it all, decoding \xHH gives the bytes back.
 *
 * escape.c is compiled into the harness (it belongs to the CLI, not the library).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/cli/escape.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 3629 (Unicode 3.9 table 3-7): the length of the well-formed sequence at s, or 0. */
static size_t wf_len(const uint8_t *s, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

static int wf(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		k = wf_len(s + i, n - i);
		if (!k)
			return 0;
	}
	return 1;
}

static unsigned int hexval(const char *p, int digits)
{
	unsigned int v = 0;

	for (int i = 0; i < digits; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned int)(c - 'A' + 10);
		else
			abort();
	}
	return v;
}

/* Decode the JSON string "..." that t (n bytes) is into out; its length. */
static size_t json_decode(const char *t, size_t n, uint8_t *out)
{
	size_t o = 0;

	if (n < 2 || t[0] != '"' || t[n - 1] != '"')
		abort();
	for (size_t i = 1; i < n - 1;) {
		unsigned int u;

		if ((unsigned char)t[i] < 0x20 || t[i] == '"')
			abort();	/* raw in a JSON string: not allowed */
		if (t[i] != '\\') {
			out[o++] = (uint8_t)t[i++];
			continue;
		}
		switch (t[i + 1]) {
		case '"': case '\\': case '/': out[o++] = (uint8_t)t[i + 1]; i += 2; break;
		case 'b': out[o++] = '\b'; i += 2; break;
		case 'f': out[o++] = '\f'; i += 2; break;
		case 'n': out[o++] = '\n'; i += 2; break;
		case 'r': out[o++] = '\r'; i += 2; break;
		case 't': out[o++] = '\t'; i += 2; break;
		case 'u':
			if (i + 6 > n - 1)
				abort();
			u = hexval(t + i + 2, 4);
			if (u >= 0xdc80 && u <= 0xdcff)
				out[o++] = (uint8_t)(u - 0xdc00);	/* PEP 383 */
			else if (u < 0x20)
				out[o++] = (uint8_t)u;
			else
				abort();	/* json-c and escape.c write no other */
			i += 6;
			break;
		default:
			abort();
		}
	}
	return o;
}

static void check_json(const uint8_t *data, size_t size)
{
	json_object *s = json_object_new_string_len((const char *)data, (int)size);
	const char *js = json_object_to_json_string_ext(s, JSON_C_TO_STRING_NOSLASHESCAPE);
	char *text = NULL;
	size_t len = 0;
	uint8_t *back = malloc(size + 1);
	FILE *f = open_memstream(&text, &len);

	if (!f || !back || esc_json_put(f, js, strlen(js)) < 0 || fclose(f))
		abort();
	if (!wf((const uint8_t *)text, len) || !esc_utf8_valid(text, len))
		abort();
	if (json_decode(text, len, back) != size || memcmp(back, data, size))
		abort();
	free(back);
	free(text);
	json_object_put(s);
}

/* Decode text escaped by esc_text_buf: \xHH is the byte, anything else itself. */
static size_t text_decode(const char *t, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; t[i];) {
		if (t[i] == '\\' && t[i + 1] == 'x') {
			out[o++] = (uint8_t)hexval(t + i + 2, 2);
			i += 4;
		} else {
			out[o++] = (uint8_t)t[i++];
		}
	}
	return o;
}

static void check_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t n, room, len;
	char *buf;
	uint8_t *back;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	room = size ? 5 + data[0] % 64 : 5;
	if (size && data[0] >= 0x80)
		room = 4 * n + 1;	/* room for every byte escaped */
	buf = malloc(room);
	back = malloc(n + 1);
	if (!buf || !back)
		abort();
	esc_text_buf(s, buf, room);
	len = strlen(buf);
	if (len >= room || !wf((const uint8_t *)buf, len))
		abort();
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)buf[i];

		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (uint8_t)buf[i + 1] <= 0x9f))
			abort();
	}
	if (esc_text_needed(s) != (strcmp(buf, s) != 0 || len < n) && room == 4 * n + 1)
		abort();
	if (room == 4 * n + 1 && (text_decode(buf, back) != n || memcmp(back, s, n)))
		abort();
	if (!esc_text_needed(s) && room == 4 * n + 1 && esc_text(s) != s)
		abort();
	free(back);
	free(buf);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	check_json(data, size);
	check_text(data, size);
	return 0;
}
