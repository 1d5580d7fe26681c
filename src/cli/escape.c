// SPDX-License-Identifier: GPL-2.0-or-later
/* Strings from the system made safe for JSON readers and terminals (see escape.h). */
#include <string.h>

#include "escape.h"

size_t esc_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned int min, cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;	/* a continuation byte, an overlong lead (c0, c1), or past U+10FFFF */
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool esc_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = esc_utf8_len((const unsigned char *)s + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

int esc_json_put(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t k = esc_utf8_len(p + i, n - i);

		if (k) {
			i += k;
			continue;
		}
		/* Write the valid run before the bad byte, then the byte as a lone surrogate. */
		if (i > run && fwrite(p + run, 1, i - run, out) != i - run)
			return -1;
		if (fprintf(out, "\\udc%02x", p[i]) < 0)
			return -1;
		run = ++i;
	}
	if (n > run && fwrite(p + run, 1, n - run, out) != n - run)
		return -1;
	return 0;
}

/* The number of bytes of the character at s to escape (each as \xHH), 0 when it is safe. */
static size_t unsafe_len(const unsigned char *s, size_t n, size_t *k)
{
	*k = esc_utf8_len(s, n);
	if (!*k) {
		*k = 1;
		return 1;			/* not UTF-8 */
	}
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;			/* C0, DEL */
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;			/* C1: U+0080-U+009F */
	if (s[0] == '\\' && s[1] == 'x')
		return 1;			/* so that "\x41" is not read as an escape */
	return 0;
}

bool esc_text_needed(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	for (size_t i = 0; i < n; i += k) {
		if (unsafe_len(p + i, n - i, &k))
			return true;
	}
	return false;
}

const char *esc_text_buf(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), off = 0, k;

	for (size_t i = 0; i < n; i += k) {
		size_t bad = unsafe_len(p + i, n - i, &k);
		size_t need = bad ? 4 * bad : k;

		if (off + need >= len)
			break;
		if (!bad) {
			memcpy(buf + off, p + i, k);
		} else {
			for (size_t b = 0; b < bad; b++)
				snprintf(buf + off + 4 * b, 5, "\\x%02x", p[i + b]);
		}
		off += need;
	}
	buf[off] = '\0';
	return buf;
}

const char *esc_text(const char *s)
{
	static char slots[ESC_TEXT_SLOTS][1024];
	static unsigned int next;
	char *buf;

	if (!s || !esc_text_needed(s))
		return s;
	buf = slots[next++ % ESC_TEXT_SLOTS];
	return esc_text_buf(s, buf, sizeof(slots[0]));
}
