/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal TAP producer for the library's C unit tests (tests/unit/test-*.c).
 * Each test program prints "ok N - what" / "not ok N - what" lines and a plan
 * "1..N" at the end; tests/run-tests counts them like the bats suites.
 *
 *   ok(cond, "fmt", ...)           a condition
 *   is_int(got, want, "fmt", ...)  two integers (printed on failure)
 *   is_str(got, want, "fmt", ...)  two strings (NULL allowed)
 *   skip(n, "why")                 n tests skipped with a reason
 *   return done_testing();         prints the plan; exit 1 when any failed
 *
 * Nothing here allocates, so LeakSanitizer sees only the code under test.
 */
#ifndef ICTL_TAP_H
#define ICTL_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_n, tap_failed;

__attribute__((format(printf, 2, 0))) static bool tap_vok(bool pass, const char *fmt, va_list ap)
{
	printf("%sok %u - ", pass ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
	fflush(stdout);
	return pass;
}

__attribute__((format(printf, 2, 3), unused)) static bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(pass, fmt, ap);
	va_end(ap);
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static bool is_int(long long got, long long want,
								   const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return r;
}

__attribute__((format(printf, 3, 4), unused)) static bool is_str(const char *got, const char *want,
								   const char *fmt, ...)
{
	bool pass = got == want || (got && want && !strcmp(got, want));
	va_list ap;

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got:  %s%s%s\n#   want: %s%s%s\n", got ? "'" : "", got ? got : "NULL",
		       got ? "'" : "", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return pass;
}

__attribute__((unused)) static void skip(unsigned int n, const char *why)
{
	while (n--)
		printf("ok %u - skipped # skip %s\n", ++tap_n, why);
}

__attribute__((unused)) static void diag(const char *msg)
{
	printf("# %s\n", msg);
}

__attribute__((unused)) static int done_testing(void)
{
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* ICTL_TAP_H */
