// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers shared by the library. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int parse_hex_u64(const char *s, uint64_t *v)
{
	char *end;

	/* strtoull takes leading blanks and a sign (" -5" as 2^64-5): a register has neither. */
	if (!isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 16);
	return errno || end == s || *end ? -EINVAL : 0;
}

void str_copy(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The formatter behind str_fmt(): the conversions messages are made of, in a
 * few instructions each (vsnprintf sets up a whole stream per call, which is
 * most of what an apply step costs in user space); at the first conversion it
 * does not know (a width, a precision, another flag or type) it starts over
 * with vsnprintf, so the text is always vsnprintf's.
 */
struct fmt_out {
	char *buf;
	size_t len, n;		/* room, and what the text takes (written or not) */
};

static void fmt_put(struct fmt_out *o, const char *s, size_t n)
{
	if (o->n < o->len) {
		size_t room = o->len - 1 - o->n;

		memcpy(o->buf + o->n, s, n < room ? n : room);
	}
	o->n += n;
}

char *str_digits(char *end, unsigned long long v, bool hex)
{
	do {
		*--end = "0123456789abcdef"[hex ? v & 15 : v % 10];
		v = hex ? v >> 4 : v / 10;
	} while (v);
	return end;
}

static void fmt_num(struct fmt_out *o, unsigned long long v, bool neg, bool hex, bool alt)
{
	char d[24], *p = str_digits(d + sizeof(d), v, hex);

	if (hex && alt && !(p == d + sizeof(d) - 1 && *p == '0')) {
		*--p = 'x';
		*--p = '0';
	}
	if (neg)
		*--p = '-';
	fmt_put(o, p, (size_t)(d + sizeof(d) - p));
}

int str_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, len, 0 };
	const char *f = fmt;
	va_list a;

	va_copy(a, ap);
	while (*f) {
		const char *pct = strchr(f, '%');
		bool alt = false;
		int lng = 0;

		if (!pct) {
			fmt_put(&o, f, strlen(f));
			break;
		}
		fmt_put(&o, f, (size_t)(pct - f));
		f = pct + 1;
		if (*f == '#')
			alt = true, f++;
		if (*f == 'z')
			lng = 3, f++;
		else
			while (*f == 'l' && lng < 2)
				lng++, f++;
		switch (*f) {
		case '%':
			if (alt || lng)
				goto slow;
			fmt_put(&o, "%", 1);
			break;
		case 's': {
			const char *s = va_arg(a, const char *);

			if (alt || lng)
				goto slow;
			s = s ? s : "(null)";
			fmt_put(&o, s, strlen(s));
			break;
		}
		case 'c': {
			char c = (char)va_arg(a, int);

			if (alt || lng)
				goto slow;
			fmt_put(&o, &c, 1);
			break;
		}
		case 'd':
		case 'i': {
			long long v = lng == 3 ? (long long)va_arg(a, ssize_t) :
				      lng ? (lng == 1 ? va_arg(a, long) : va_arg(a, long long)) :
					    va_arg(a, int);

			if (alt)
				goto slow;
			fmt_num(&o, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0,
				false, false);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = lng == 3 ? va_arg(a, size_t) :
					       lng ? (lng == 1 ? va_arg(a, unsigned long) :
							 va_arg(a, unsigned long long)) :
						     va_arg(a, unsigned int);

			if (alt && *f == 'u')
				goto slow;
			fmt_num(&o, v, false, *f == 'x', alt);
			break;
		}
		case 'p': {
			const void *v = va_arg(a, const void *);

			if (alt || lng)
				goto slow;
			if (v)
				fmt_num(&o, (uintptr_t)v, false, true, true);
			else
				fmt_put(&o, "(nil)", 5);
			break;
		}
		default:
			goto slow;
		}
		f++;
	}
	va_end(a);
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n > INT_MAX ? -1 : (int)o.n;
slow:
	va_end(a);
	return vsnprintf(buf, len, fmt, ap);
}

int str_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = str_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return r;
}

/* Compare runs of digits by value, everything else bytewise. */
int name_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = strncmp(a, b, la);
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/*
 * The room of an array grown by array_push is the next power of two of its
 * count, so that n pushes cost O(n): it is full, and doubles, exactly when the
 * count is 0 or a power of two.
 */
void *array_push(void *arrayp, size_t *n, size_t elem_size)
{
	void **array = arrayp;
	char *nv = *array;
	size_t cap, bytes;

	if ((*n & (*n - 1)) == 0) {
		cap = *n ? *n * 2 : 1;
		if (cap < *n || __builtin_mul_overflow(cap, elem_size, &bytes))
			return NULL;
		nv = realloc(*array, bytes);
		if (!nv)
			return NULL;
		*array = nv;
	}
	memset(nv + *n * elem_size, 0, elem_size);
	return nv + (*n)++ * elem_size;
}

void *array_alloc(size_t n, size_t elem_size)
{
	size_t cap = 1;

	while (cap < n && cap)
		cap <<= 1;
	return cap ? calloc(cap, elem_size) : NULL;
}

int strv_push(struct strv *s, const char *str)
{
	char *dup = strdup(str);
	char **slot;

	if (!dup)
		return -ENOMEM;
	slot = array_push(&s->v, &s->n, sizeof(*s->v));
	if (!slot) {
		free(dup);
		return -ENOMEM;
	}
	*slot = dup;
	return 0;
}

void strv_clear(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strv){ 0 };
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(int dfd, const char *name, const char *content, unsigned int mode)
{
	char tmp[PATH_MAX];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (!r)
		r = write_all(fd, content, strlen(content));
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
	return r;
}
