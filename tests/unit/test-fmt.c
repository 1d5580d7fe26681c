// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * str_fmt() (src/lib/util.c) against snprintf: the same text and the same
 * return for every conversion it writes itself, for the conversions it leaves
 * to vsnprintf, and at every buffer length down to 0 (truncation).
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

/* truncating is what is tested */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* both ways at lengths 0..sizeof(a); one test per format */
#define SAME(what, fmt, ...)                                                          \
	do {                                                                          \
		char a[96], b[96];                                                    \
		bool same = true;                                                     \
		for (size_t len = 0; len <= sizeof(a) && same; len++) {               \
			memset(a, 'A', sizeof(a));                                    \
			memset(b, 'A', sizeof(b));                                    \
			int ra = str_fmt(a, len, fmt, __VA_ARGS__);                   \
			int rb = snprintf(b, len, fmt, __VA_ARGS__);                  \
			same = ra == rb && !memcmp(a, b, sizeof(a));                  \
			if (!same)                                                    \
				printf("# len %zu: '%.*s' (%d), snprintf '%.*s' (%d)\n", len, \
				     (int)(len ? strnlen(a, len) : 0), a, ra,         \
				     (int)(len ? strnlen(b, len) : 0), b, rb);        \
		}                                                                     \
		ok(same, "%s: %s", what, fmt);                                        \
	} while (0)

int main(void)
{
	static const unsigned long long u[] = { 0, 1, 9, 10, 4095, 4096, 0xdeadbeef, UINT32_MAX,
						 (1ull << 32), ULLONG_MAX };
	static const long long d[] = { 0, -1, 1, INT_MIN, INT_MAX, LLONG_MIN, LLONG_MAX };

	SAME("text only", "allocate ioas (IOMMU_IOAS_ALLOC)%s", "");
	SAME("strings", "map %s%s%s%s of %s in ioas %s (%s)", "'", "ram", "'", ", ", "4K", "'x'",
	     "IOMMU_IOAS_MAP");
	SAME("empty string", "[%s]", "");
	SAME("percent and char", "100%% %c%c", 'o', 'k');
	SAME("a string longer than the buffer", "%s!",
	     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
	for (size_t i = 0; i < ARRAY_SIZE(u); i++) {
		SAME("unsigned", "%llu %llx %#llx", u[i], u[i], u[i]);
		SAME("unsigned int", "%u %x %#x", (unsigned int)u[i], (unsigned int)u[i],
		     (unsigned int)u[i]);
		SAME("unsigned long, size_t", "%lu %#lx %zu %zx", (unsigned long)u[i], (unsigned long)u[i],
		     (size_t)u[i], (size_t)u[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
		SAME("signed", "%lld %ld %zd", d[i], (long)d[i], (ssize_t)d[i]);
		SAME("int", "%d %i", (int)d[i], (int)d[i]);
	}
	/* what it leaves to vsnprintf: the text is vsnprintf's */
	SAME("width and precision", "[%5s][%-4d][%08llx][%.3s]", "ab", 7, 0x1234ull, "abcdef");
	SAME("pointers", "[%p][%p][%p]", (void *)0x10, (void *)&d, (void *)NULL);
	SAME("other flags and types", "[%+d][% d][%#o][%hhu][%o][%X][%e]", 5, 5, 8u,
	     (unsigned char)300, 8u, 0xabu, 1.5);
	SAME("a known conversion, then one it does not know", "%s then %5u", "x", 42u);
	return done_testing();
}
