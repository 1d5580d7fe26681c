// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt dump --svg: a map of the IOVA space.  An IOVA space is mostly empty and
 * its mappings span from 4 KiB to terabytes, so the map is schematic: every
 * translation (and reserved region) is a box whose width grows with the log of
 * its size, boxes that continue each other touch, and a gap between them is a
 * break mark with its size.  Colour says the page size, a hatch says
 * read-only, a red top edge says executable; every box has a tooltip.
 * Boxes flow in rows of a fixed width.  At most MAX_ITEMS are drawn (the
 * rest is counted), so the picture and its memory stay bounded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

enum { WIDTH = 1200, ROW_H = 70, BOX_H = 30, TOP = 70, MARGIN = 20, MAX_ITEMS = 4000 };

struct svg {
	FILE *body;
	char *buf;
	size_t len;
	double x;
	int row;
	uint64_t next_iova; /* end of the last box, to tell gaps */
	bool have_prev;
	uint64_t drawn, skipped, ranges, regions;
	uint64_t pages_seen; /* bit n: pages of 2^n drawn */
};

/*
 * s as XML character data or an attribute value: control characters and bytes that
 * are not UTF-8 as the text views write them (esc_text, so the document stays
 * well-formed UTF-8), then the markup characters as entities.  s comes from the
 * user (a file name, a reserved_regions file).
 */
static const char *xml(const char *s, char *buf, size_t len)
{
	const char *t = esc_text(s);
	size_t off = 0;

	buf[0] = '\0';
	for (; *t && off + 7 < len; t++) {
		const char *ent = *t == '&' ? "&amp;" : *t == '<' ? "&lt;" : *t == '>' ? "&gt;" :
				  *t == '"' ? "&quot;" : *t == '\'' ? "&apos;" : NULL;

		if (ent)
			off += (size_t)snprintf(buf + off, len - off, "%s", ent);
		else
			buf[off++] = *t;
	}
	buf[off] = '\0';
	return buf;
}

static const char *page_colour(unsigned int page)
{
	switch (page) {
	case 12:
		return "#4e79a7";
	case 14:
	case 16:
		return "#76b7b2";
	case 21:
	case 25:
	case 29:
		return "#59a14f";
	case 30:
		return "#edc948";
	default:
		return "#b07aa1";
	}
}

static double box_width(uint64_t size)
{
	int l = size ? 63 - __builtin_clzll(size) : 64;

	return 14 + 5 * (l > 12 ? l - 12 : 0);
}

/* Move to the next row when w does not fit in this one. */
static void place(struct svg *s, double w)
{
	if (s->x + w > WIDTH - MARGIN) {
		s->row++;
		s->x = MARGIN;
	}
}

/* A size for a label, to two significant digits: "2.0G", "17M", "512K". */
static const char *approx(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double d = (double)v / 1024;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
	return buf;
}

static void gap(struct svg *s, uint64_t from, uint64_t to)
{
	char sz[24];

	place(s, 36);
	fprintf(s->body,
		"<g class=\"map-gap\"><title>nothing mapped: 0x%" PRIx64 "-0x%" PRIx64
		"</title><path d=\"M%.1f %d l6 -8 l6 16 l6 -16 l6 8\" stroke=\"#999\" "
		"fill=\"none\"/>"
		"<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#777\">%s</text></g>\n",
		from, to - 1, s->x + 4, TOP + s->row * ROW_H + BOX_H / 2, s->x,
		TOP + s->row * ROW_H + BOX_H + 24, approx(to - from, sz, sizeof(sz)));
	s->x += 36;
}

/* One box; ro: a white hatch over it; exec: a red line along its top. */
static bool box(struct svg *s, uint64_t iova, uint64_t size, const char *cls, const char *fill,
		bool ro, bool exec, const char *title, const char *label)
{
	double w = box_width(size);
	int y;

	if (s->drawn >= MAX_ITEMS) {
		s->skipped++;
		return false;
	}
	if (s->have_prev && iova != s->next_iova)
		gap(s, s->next_iova, iova);
	place(s, w);
	y = TOP + s->row * ROW_H;
	fprintf(s->body,
		"<g class=\"%s\"><title>%s</title><rect x=\"%.1f\" y=\"%d\" "
		"width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>",
		cls, title, s->x, y, w - 1, BOX_H, fill);
	if (ro)
		fprintf(s->body,
			"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"fill=\"url(#ro)\"/>",
			s->x, y, w - 1, BOX_H);
	if (exec)
		fprintf(s->body,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#e15759\" stroke-width=\"3\"/>",
			s->x, y + 1, s->x + w - 1, y + 1);
	if (w >= 60)
		fprintf(s->body, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%s</text>", s->x + 2,
			y + BOX_H + 11, label);
	fputs("</g>\n", s->body);
	s->x += w;
	s->next_iova = iova + size;
	s->have_prev = true;
	s->drawn++;
	return true;
}

static void draw_range(struct svg *s, const struct ictl_pt_range *r)
{
	char title[256], label[24], sz[24], pg[24], p[8], cls[64];
	bool ro = !(r->perms & ICTL_PT_W), exec = r->perms & ICTL_PT_X;

	ictl_pt_perms_str(r->perms, p);
	ictl_pt_size_str(1ull << r->page, pg, sizeof(pg));
	snprintf(title, sizeof(title),
		 "IOVA 0x%" PRIx64 "-0x%" PRIx64 " -&gt; 0x%" PRIx64 ", %s in %s pages, %s",
		 r->iova, r->iova + (r->size - 1), r->phys,
		 r->size ? ictl_pt_size_str(r->size, sz, sizeof(sz)) : "16E", pg, p);
	snprintf(label, sizeof(label), "0x%" PRIx64, r->iova);
	snprintf(cls, sizeof(cls), "map-range page-%s%s%s", pg, ro ? " ro" : "",
		 exec ? " exec" : "");
	if (box(s, r->iova, r->size, cls, page_colour(r->page), ro, exec, title, label)) {
		s->pages_seen |= 1ull << r->page;
		s->ranges++;
	}
}

static void draw_resv(struct svg *s, const struct ictl_pt_resv *rv)
{
	char title[160], label[40], kind[96];

	xml(rv->kind, kind, sizeof(kind));
	snprintf(title, sizeof(title), "reserved region (%s): 0x%" PRIx64 "-0x%" PRIx64, kind,
		 rv->start, rv->last);
	xml(rv->kind, label, sizeof(label));	/* cut at a whole character or entity */
	if (box(s, rv->start, rv->last - rv->start + 1, "map-resv", "url(#resv)", false, false,
		title, label))
		s->regions++;
}

static void legend(FILE *f, const struct svg *s, int y)
{
	int x = MARGIN;

	fprintf(f, "<g id=\"legend\" font-size=\"11\">\n");
	for (unsigned int b = 0; b < 64; b++) {
		char sz[24];

		if (!(s->pages_seen & (1ull << b)))
			continue;
		fprintf(f,
			"<g class=\"legend-item\"><rect x=\"%d\" y=\"%d\" width=\"14\" "
			"height=\"14\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s pages</text></g>\n",
			x, y, page_colour(b), x + 18, y + 11,
			ictl_pt_size_str(1ull << b, sz, sizeof(sz)));
		x += 100;
	}
	fprintf(f,
		"<g class=\"legend-item\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"#ccc\"/><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"url(#ro)\"/>"
		"<text x=\"%d\" y=\"%d\">read-only</text></g>\n",
		x, y, x, y, x + 18, y + 11);
	x += 100;
	fprintf(f,
		"<g class=\"legend-item\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"#ccc\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e15759\" "
		"stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">executable</text></g>\n",
		x, y, x, y + 1, x + 14, y + 1, x + 18, y + 11);
	x += 100;
	fprintf(f,
		"<g class=\"legend-item\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"url(#resv)\"/><text x=\"%d\" y=\"%d\">reserved region</text></g>\n",
		x, y, x + 18, y + 11);
	fputs("</g>\n", f);
}

static int finish(struct cli *cli, struct svg *s, const struct pt_source *src)
{
	int height = TOP + (s->row + 1) * ROW_H + 60;
	FILE *out = stdout;
	char what[1024];

	fclose(s->body);
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
		"<defs><pattern id=\"ro\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
		"<path d=\"M0 6 L6 0\" stroke=\"#fff\" stroke-width=\"1.5\"/></pattern>"
		"<pattern id=\"resv\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
		"<rect width=\"8\" height=\"8\" fill=\"#f4c7c8\"/><path d=\"M0 0 L8 8 M8 0 L0 8\" "
		"stroke=\"#e15759\" stroke-width=\"1\"/></pattern></defs>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
		"<text id=\"title\" x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">IOVA "
		"map: "
		"%s</text>\n<text x=\"%d\" y=\"42\" font-size=\"11\" fill=\"#555\">%s, root "
		"0x%" PRIx64 ", %u-bit IOVAs: %" PRIu64 " ranges, %" PRIu64
		" reserved regions%s; widths "
		"grow with the log of the size</text>\n",
		WIDTH, height, WIDTH, height, MARGIN, src->cfg.name, MARGIN,
		xml(src->what, what, sizeof(what)), src->root,
		src->cfg.ias, s->ranges, s->regions, s->skipped ? " (more left out)" : "");
	legend(out, s, 50);
	fwrite(s->buf, 1, s->len, out);
	if (!s->drawn)
		fprintf(out, "<text class=\"empty\" x=\"%d\" y=\"%d\">nothing is mapped</text>\n",
			MARGIN, TOP + 20);
	fputs("</svg>\n", out);
	free(s->buf);
	return ferror(out) ? cli_error(cli, -EIO, "write error on standard output") : 0;
}

/* Ranges and reserved regions, in IOVA order. */
int pt_svg(struct cli *cli, struct pt_source *src, const struct ictl_pt_resv *resv, size_t nresv)
{
	struct svg s = { .x = MARGIN };
	struct ictl_pt_ranges it;
	struct ictl_pt_range r;
	size_t ri = 0;
	int n;

	s.body = open_memstream(&s.buf, &s.len);
	if (!s.body)
		return cli_error(cli, -ENOMEM, "out of memory");
	if (ictl_pt_ranges_init(&it, &src->cfg, &src->src, src->root) < 0) {
		fclose(s.body);
		free(s.buf);
		return cli_error(cli, -ENOMEM, "out of memory");
	}
	while ((n = ictl_pt_ranges_next(&it, &r)) > 0) {
		while (ri < nresv && resv[ri].start < r.iova)
			draw_resv(&s, &resv[ri++]);
		draw_range(&s, &r);
	}
	while (ri < nresv)
		draw_resv(&s, &resv[ri++]);
	ictl_pt_ranges_free(&it);
	if (n < 0) {
		fclose(s.body);
		free(s.buf);
		return cli_error(cli, n, "walking the table: %s", strerror(-n));
	}
	return finish(cli, &s, src);
}
