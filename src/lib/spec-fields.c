// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the field readers every section uses.  Each reads one key of a
 * mapping, checks its type and range, and on error names the key, its line
 * and column, and what to write instead.
 */
#include <errno.h>
#include <string.h>

#include "spec-internal.h"

/* --- numbers -------------------------------------------------------------------- */

int ictl_spec_parse_u64(const char *s, bool size, uint64_t *v)
{
	unsigned int shift = 0;
	uint64_t n = 0;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *p = hex ? s + 2 : s;
	size_t digits = 0;

	for (; *p; p++, digits++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (hex && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (hex && *p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			break;
		if (n > (UINT64_MAX - d) / (hex ? 16 : 10))
			return -ERANGE;
		n = n * (hex ? 16 : 10) + d;
	}
	if (!digits)
		return -EINVAL;
	if (*p && size && !hex && !p[1]) {
		const char *u = strchr("KMGT", *p);

		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned int)(u - "KMGT" + 1);
		p++;
	}
	if (*p)
		return -EINVAL;
	if (shift && n > (UINT64_MAX >> shift))
		return -ERANGE;
	*v = n << shift;
	return 0;
}

/* --- paths and errors ----------------------------------------------------------- */

size_t spec_path_key(struct spec_pc *pc, const char *key)
{
	size_t saved = strlen(pc->path);

	snprintf(pc->path + saved, sizeof(pc->path) - saved, "%s%s", saved ? "." : "", key);
	return saved;
}

size_t spec_path_idx(struct spec_pc *pc, size_t i)
{
	size_t saved = strlen(pc->path);

	snprintf(pc->path + saved, sizeof(pc->path) - saved, "[%zu]", i);
	return saved;
}

void spec_path_pop(struct spec_pc *pc, size_t saved)
{
	pc->path[saved] = '\0';
}

int spec_err_at(struct spec_pc *pc, const struct ynode *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return spec_err(pc->ctx, pc->s, n ? n->pos : (struct ictl_spec_pos){ 1, 1 }, pc->path, "%s",
			msg);
}

void *spec_grow(void *arrayp, size_t *n, size_t size)
{
	void **a = arrayp;
	size_t cnt = *n;
	char *p = *a;

	/* The capacity is the next power of two: growing n elements copies O(n) in all. */
	if (!(cnt & (cnt - 1))) {
		size_t cap = cnt ? 2 * cnt : 1;

		if (cap > SIZE_MAX / size)
			return NULL;
		p = realloc(*a, cap * size);
		if (!p)
			return NULL;
		*a = p;
	}
	memset(p + cnt * size, 0, size);
	(*n)++;
	return p + cnt * size;
}

void *spec_push(struct spec_pc *pc, void *arrayp, size_t *n, size_t size)
{
	void *p = spec_grow(arrayp, n, size);

	if (!p)
		ictl_err(pc->ctx, ENOMEM, "out of memory reading the spec");
	return p;
}

/* --- field readers ---------------------------------------------------------------- */

int spec_need_map(struct spec_pc *pc, const struct ynode *n, const char *what)
{
	if (n && n->kind == Y_MAP)
		return 0;
	return spec_err_at(pc, n, "%s must be a mapping (key: value, ...), not a %s", what,
			   ynode_kind_name(n));
}

int spec_need_seq(struct spec_pc *pc, const struct ynode *n, const char *what)
{
	if (n && n->kind == Y_SEQ)
		return 0;
	return spec_err_at(pc, n, "%s must be a list ([a, b] or '- ' items), not a %s", what,
			   ynode_kind_name(n));
}

int spec_need_scalar(struct spec_pc *pc, const struct ynode *n)
{
	if (n && n->kind == Y_SCALAR && !ynode_is_null(n))
		return 0;
	return spec_err_at(pc, n, "needs a single value here, not a %s", ynode_kind_name(n));
}

int spec_check_keys(struct spec_pc *pc, const struct ynode *map, const char *const *allowed)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		char list[256] = "";
		size_t off = 0;
		bool ok = false;

		for (const char *const *a = allowed; *a; a++) {
			ok |= !strcmp(k->text, *a);
			off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0,
						"%s%s", off ? ", " : "", *a);
		}
		if (!ok)
			return spec_err(pc->ctx, pc->s, k->pos, pc->path,
					"unknown key '%.40s'; the keys here are: %s", k->text, list);
	}
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= ICTL_SPEC_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') ||
					       (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int spec_read_name(struct spec_pc *pc, const struct ynode *v, char name[ICTL_SPEC_NAME_MAX])
{
	int r = spec_need_scalar(pc, v);

	if (r)
		return r;
	if (!name_ok(v->text))
		return spec_err_at(pc, v,
				   "'%.40s' is not a name: a letter, then up to 31 letters, digits, '_', '.' or '-'",
				   v->text);
	str_copy(name, v->text, ICTL_SPEC_NAME_MAX);
	return 0;
}

int spec_get_name(struct spec_pc *pc, const struct ynode *map, bool required,
		  char name[ICTL_SPEC_NAME_MAX], struct ictl_spec_pos *pos)
{
	const struct ynode *v = ynode_get(map, "name");
	size_t saved;
	int r;

	if (!v) {
		name[0] = '\0';
		return required ? spec_err_at(pc, map, "needs a name: the rest of the spec refers to it by name") : 0;
	}
	saved = spec_path_key(pc, "name");
	r = spec_read_name(pc, v, name);
	spec_path_pop(pc, saved);
	if (pos)
		*pos = v->pos;
	return r;
}

int spec_get_ref(struct spec_pc *pc, const struct ynode *map, const char *key,
		 struct ictl_spec_ref *ref)
{
	const struct ynode *v = ynode_get(map, key);
	size_t saved;
	int r;

	ref->idx = -1;
	if (!v)
		return 0;
	saved = spec_path_key(pc, key);
	r = spec_read_name(pc, v, ref->name);
	spec_path_pop(pc, saved);
	ref->pos = v->pos;
	return r;
}

int spec_read_num(struct spec_pc *pc, const struct ynode *v, bool size, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	int r = spec_need_scalar(pc, v);

	if (r)
		return r;
	r = ictl_spec_parse_u64(v->text, size, out);
	if (r == -ERANGE)
		return spec_err_at(pc, v, "'%.40s' does not fit in 64 bits", v->text);
	if (r && v->text[0] == '-')
		return spec_err_at(pc, v, "'%.40s' is negative; %s are 0 or more", v->text,
				   size ? "sizes and addresses" : "numbers");
	if (r && size)
		return spec_err_at(pc, v,
				   "'%.40s' is not a size: write bytes, 0x..., or a number with K, M, G or T",
				   v->text);
	if (r)
		return spec_err_at(pc, v, "'%.40s' is not a number: write decimal or 0x hex",
				   v->text);
	if (*out < min || *out > max)
		return spec_err_at(pc, v, "%.40s is out of range: %llu to %llu", v->text,
				   (unsigned long long)min, (unsigned long long)max);
	return 0;
}

int spec_get_num(struct spec_pc *pc, const struct ynode *map, const char *key, bool size,
		 uint64_t min, uint64_t max, struct ictl_spec_num *out)
{
	const struct ynode *v = ynode_get(map, key);
	size_t saved;
	int r;

	out->set = false;
	if (!v)
		return 0;
	saved = spec_path_key(pc, key);
	r = spec_read_num(pc, v, size, min, max, &out->v);
	spec_path_pop(pc, saved);
	out->set = !r;
	out->pos = v->pos;
	return r;
}

int spec_get_bool(struct spec_pc *pc, const struct ynode *map, const char *key,
		  enum ictl_tristate *out, struct ictl_spec_pos *pos)
{
	const struct ynode *v = ynode_get(map, key);
	size_t saved;
	int r = 0;

	*out = ICTL_UNKNOWN;
	if (!v)
		return 0;
	saved = spec_path_key(pc, key);
	if (v->kind == Y_SCALAR && !strcmp(v->text, "true"))
		*out = ICTL_YES;
	else if (v->kind == Y_SCALAR && !strcmp(v->text, "false"))
		*out = ICTL_NO;
	else
		r = spec_err_at(pc, v, "'%.40s' is not true or false",
				v->kind == Y_SCALAR ? v->text : ynode_kind_name(v));
	spec_path_pop(pc, saved);
	if (pos)
		*pos = v->pos;
	return r;
}

int spec_get_word(struct spec_pc *pc, const struct ynode *n, const struct spec_word *words,
		  uint64_t *value)
{
	char list[256] = "";
	size_t off = 0;
	int r = spec_need_scalar(pc, n);

	if (r)
		return r;
	for (const struct spec_word *w = words; w->name; w++) {
		if (!strcmp(n->text, w->name)) {
			*value = w->value;
			return 0;
		}
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0,
					"%s%s", off ? ", " : "", w->name);
	}
	return spec_err_at(pc, n, "'%.40s' is not one of: %s", n->text, list);
}

int spec_get_flags(struct spec_pc *pc, const struct ynode *n, const struct spec_word *words,
		   uint32_t *flags, struct ictl_spec_pos *bitpos, uint8_t *bitidx, size_t nbit)
{
	int r = spec_need_seq(pc, n, "a list of flags");

	*flags = 0;
	for (size_t i = 0; !r && i < n->n; i++) {
		size_t saved = spec_path_idx(pc, i);
		uint64_t v = 0;

		r = spec_get_word(pc, n->items[i], words, &v);
		if (!r && (*flags & v))
			r = spec_err_at(pc, n->items[i], "'%.40s' is given twice; keep one",
					n->items[i]->text);
		spec_path_pop(pc, saved);
		*flags |= (uint32_t)v;
		if (!r && bitpos && v && (size_t)__builtin_ctzll(v) < nbit) {
			bitpos[__builtin_ctzll(v)] = n->items[i]->pos;
			bitidx[__builtin_ctzll(v)] = (uint8_t)i;
		}
	}
	return r;
}
