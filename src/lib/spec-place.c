// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: IOVA arithmetic shared by the checks, where the kernel would put the
 * mappings whose IOVA it picks.  Apart from the checks (spec-check.c,
 * spec-host.c), which both use it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL

/* --- IOVA arithmetic ------------------------------------------------------------- */

int spec_span_cmp(const void *a, const void *b)
{
	const struct spec_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

bool spec_map_span(const struct ictl_spec_mapping *m, struct spec_span *sp, size_t who)
{
	if (!m->iova.set || m->size.v - 1 > UINT64_MAX - m->iova.v)
		return false;
	*sp = (struct spec_span){ m->iova.v, m->iova.v + m->size.v - 1, who };
	return true;
}

/* The fixed mappings of an IOAS, sorted by IOVA; *n of them; NULL on ENOMEM. */
struct spec_span *spec_fixed_spans(const struct ictl_spec_ioas *io, size_t *n)
{
	struct spec_span *v = calloc(io->nmaps + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t k = 0; k < io->nmaps; k++)
		*n += spec_map_span(&io->maps[k], &v[*n], k);
	qsort(v, *n, sizeof(*v), spec_span_cmp);
	return v;
}

static uint64_t align_up(uint64_t v, uint64_t a, bool *ovf)
{
	*ovf = v > UINT64_MAX - (a - 1);
	return *ovf ? 0 : (v + a - 1) & ~(a - 1);
}

/* Remove [a, b] from the sorted free list (it lies inside one hole). */
static int take(struct spec_span **free_, size_t *nfree, size_t i, uint64_t a, uint64_t b)
{
	struct spec_span *h = &(*free_)[i], tail = { b + 1, h->last, 0 };
	bool has_tail = b < h->last, has_head = a > h->start;

	if (has_head)
		h->last = a - 1;
	if (has_head && has_tail) {
		struct spec_span *v = realloc(*free_, (*nfree + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		*free_ = v;
		memmove(&v[i + 2], &v[i + 1], (*nfree - i - 1) * sizeof(*v));
		v[i + 1] = tail;
		(*nfree)++;
	} else if (has_tail) {
		*h = tail;
	} else if (!has_head) {
		memmove(h, h + 1, (*nfree - i - 1) * sizeof(*h));
		(*nfree)--;
	}
	return 0;
}

/* Sort and merge spans that overlap or touch; returns the new count. */
size_t spec_merge(struct spec_span *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), spec_span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && (v[out - 1].last == UINT64_MAX || v[i].start <= v[out - 1].last + 1)) {
			if (v[i].last > v[out - 1].last)
				v[out - 1].last = v[i].last;
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

/*
 * The free IOVA: the window (allow ranges, or all the kernel searches), less
 * the used spans (sorted by the caller), in one sweep.
 */
static struct spec_span *free_list(const struct ictl_spec_ioas *io, const struct spec_span *used,
				   size_t nused, const struct spec_span *window, size_t *nfree)
{
	/* iopt_alloc_iova() searches [PAGE_SIZE, ULONG_MAX - PAGE_SIZE]. */
	struct spec_span all = { SZ_4K, UINT64_MAX - SZ_4K, 0 };
	size_t nw = io->nallow ? io->nallow : 1, j = 0, cap = nw + nused + 1;
	struct spec_span *w = calloc(nw, sizeof(*w)), *v = calloc(cap, sizeof(*v));

	*nfree = 0;
	if (!w || !v) {
		free(w);
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < nw; i++) {
		w[i] = io->nallow ? (struct spec_span){ io->allow[i].start, io->allow[i].last, 0 } : all;
		if (w[i].start < all.start)
			w[i].start = all.start;
		if (w[i].last > all.last)
			w[i].last = all.last;
		if (window && w[i].start < window->start)
			w[i].start = window->start;
		if (window && w[i].last > window->last)
			w[i].last = window->last;
	}
	nw = spec_merge(w, nw);
	for (size_t i = 0; i < nw; i++) {
		uint64_t cur = w[i].start;
		bool open = w[i].start <= w[i].last;

		while (j < nused && used[j].last < w[i].start)
			j++;
		for (size_t u = j; open && u < nused && used[u].start <= w[i].last; u++) {
			if (used[u].last < cur)
				continue;
			if (used[u].start > cur)
				v[(*nfree)++] = (struct spec_span){ cur, used[u].start - 1, 0 };
			if (used[u].last >= w[i].last)
				open = false;
			else
				cur = used[u].last + 1;
		}
		if (open)
			v[(*nfree)++] = (struct spec_span){ cur, w[i].last, 0 };
	}
	free(w);
	return v;
}

int spec_place_auto(const struct ictl_spec_ioas *io, const struct spec_span *extra, size_t nextra,
		    const struct spec_span *window, size_t *failed)
{
	size_t nfixed = 0, nfree = 0;
	struct spec_span *fixed = spec_fixed_spans(io, &nfixed), *used, *v = NULL;
	int r = 0;

	used = fixed ? realloc(fixed, (nfixed + nextra + 1) * sizeof(*used)) : NULL;
	if (!used) {
		free(fixed);
		return -ENOMEM;
	}
	if (nextra)
		memcpy(used + nfixed, extra, nextra * sizeof(*extra));
	qsort(used, nfixed + nextra, sizeof(*used), spec_span_cmp);
	v = free_list(io, used, nfixed + nextra, window, &nfree);
	free(used);
	if (!v)
		return -ENOMEM;
	for (size_t k = 0; !r && k < io->nmaps; k++) {
		const struct ictl_spec_mapping *m = &io->maps[k];
		/*
		 * The kernel aligns to the size's power of two, at most a huge page,
		 * and at most the alignment of the memory's address: a page, or a
		 * huge page for hugetlb memory.
		 */
		bool huge = m->memory == ICTL_SPEC_MEM_HUGETLB_2M || m->memory == ICTL_SPEC_MEM_HUGETLB_1G;
		uint64_t a = SZ_4K;
		bool placed = false, ovf;

		while (huge && a < SZ_2M && a < m->size.v)
			a <<= 1;
		for (size_t i = 0; !m->iova.set && !placed && i < nfree; i++) {
			uint64_t start = align_up(v[i].start, a, &ovf);

			if (ovf || start > v[i].last || v[i].last - start < m->size.v - 1)
				continue;
			placed = true;
			if (take(&v, &nfree, i, start, start + m->size.v - 1) < 0)
				r = -ENOMEM;
		}
		if (!m->iova.set && !placed && !r) {
			*failed = k;
			r = 1;
		}
	}
	free(v);
	return r;
}

/* --- IOAS ------------------------------------------------------------------------------ */

/* The mock device that puts IOAS i behind the mock domain's aperture, or -1. */
int spec_mock_in_ioas(const struct spec_chk *c, size_t i)
{
	const struct ictl_spec *s = c->s;

	for (size_t d = 0; d < s->ndevices; d++) {
		if (s->devices[d].mock && s->devices[d].mock_ioas.idx == (int)i)
			return (int)d;
	}
	for (size_t h = 0; h < s->nhwpts; h++) {
		int d = s->hwpts[h].device.idx;

		if (s->hwpts[h].ioas.idx == (int)i && s->devices[d].mock)
			return d;
	}
	for (size_t a = 0; a < s->nattach; a++) {
		int d = s->attach[a].device.idx;

		if (s->devices[d].mock && c->attach_ioas[a] == (int)i)
			return d;
	}
	return -1;
}
