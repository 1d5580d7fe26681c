/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strings from the system made safe for their readers.  Sysfs attributes,
 * pci.ids names and file contents are bytes: nothing makes them UTF-8 or
 * free of control characters, and a captured tree (--sysroot) can hold
 * anything.  Everything iommuctl prints goes through one of these:
 *
 *  - JSON text (esc_json_put): valid UTF-8 passes unchanged; every byte that
 *    is not part of a valid UTF-8 sequence is written as the escape \udcXX
 *    (XX the byte, 80..ff): the lone low surrogate PEP 383 ("surrogateescape")
 *    maps it to.  Valid UTF-8 never holds a surrogate and json-c never writes
 *    one, so a reader can tell these apart from any character, and get the
 *    bytes back exactly (Python: s.encode("utf-8", "surrogateescape")).
 *    Control characters are escaped by json-c already (\n, \u001b).
 *
 *  - Text for a terminal (esc_text): C0 and C1 control characters, DEL and
 *    bytes that are not valid UTF-8 are written \xHH, one per byte, and a
 *    backslash before an 'x' as \x5c, as libsmartcols writes table cells, so
 *    that a table and the other views show the same string the same way.
 */
#ifndef ICTL_ESCAPE_H
#define ICTL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Length (1-4) of the valid UTF-8 sequence at s (n bytes left), or 0 when s[0] starts none. */
size_t esc_utf8_len(const unsigned char *s, size_t n);
/* Are the n bytes at s valid UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF)? */
bool esc_utf8_valid(const char *s, size_t n);

/* Write n bytes of JSON text as valid UTF-8 (invalid bytes as \udcXX); -1 on a write error. */
int esc_json_put(FILE *out, const char *s, size_t n);

/*
 * s as text safe for a terminal, in buf (len bytes, at least 5; cut at a whole
 * character or escape when too long).  Returns buf.
 */
const char *esc_text_buf(const char *s, char *buf, size_t len);
/* Does s need esc_text_buf (a control character, invalid UTF-8, "\x")? */
bool esc_text_needed(const char *s);
/*
 * s safe for a terminal: s itself when it needs nothing, else its escaped copy
 * in one of ESC_TEXT_SLOTS static buffers used in turn (so that one printf can
 * take that many).  NULL stays NULL.
 */
#define ESC_TEXT_SLOTS 16
const char *esc_text(const char *s);

#endif /* ICTL_ESCAPE_H */
