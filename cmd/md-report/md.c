/* md - see md.h. */
#include "md.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

void
md_cell(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '|': case '*': case '_': case '<': case '>': case '`':
		case '[': case ']': case '\\': case '~': case '#':
			sbuf_putc(b, '\\');
			sbuf_putc(b, *s);
			break;
		case '\n': case '\r': case '\t':
			sbuf_putc(b, ' ');
			break;
		default:
			sbuf_putc(b, *s);
		}
	}
}

void
md_code(struct sbuf *b, const char *s)
{
	if (strchr(s, '`') != NULL || strchr(s, '\n') != NULL) {
		md_cell(b, s);
		return;
	}
	sbuf_putc(b, '`');
	sbuf_puts(b, s);
	sbuf_putc(b, '`');
}

/* Length in characters of UTF-8 text (continuation bytes not counted). */
static size_t
u8len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void
md_name(struct sbuf *b, const char *name, size_t max)
{
	const char *p, *tail;
	struct sbuf t = SBUF_INIT;

	if (max < 8 || u8len(name) <= max) {
		md_cell(b, name);
		return;
	}
	/* Drop whole leading path elements while the rest is too long. */
	tail = name;
	for (p = name; *p != '\0'; p++)
		if (*p == '/' && u8len(p) + 1 <= max) {
			tail = p;
			break;
		}
	if (tail == name) {
		/* No path cut fits: keep the last max - 1 characters. */
		tail = name + strlen(name);
		for (p = tail; p > name && u8len(p) < max - 1; p--)
			;
		while (p < tail && ((unsigned char)*p & 0xc0) == 0x80)
			p++;
		tail = p;
	}
	sbuf_puts(&t, "\xe2\x80\xa6");
	sbuf_puts(&t, tail);
	md_cell(b, t.s != NULL ? t.s : "");
	sbuf_free(&t);
}

static void
scaled(struct sbuf *b, int64_t v, const char *unit)
{
	char buf[64];

	units_label(buf, sizeof buf, v, unit, "auto");
	sbuf_puts(b, buf);
}

void
md_bytes(struct sbuf *b, int64_t v)
{
	scaled(b, v, "bytes");
}

void
md_nanos(struct sbuf *b, int64_t v)
{
	scaled(b, v, "nanoseconds");
}

void
md_percent_change(struct sbuf *b, double from, double to)
{
	if (from == 0) {
		sbuf_puts(b, "n/a");
		return;
	}
	sbuf_printf(b, "%+.1f%%", (to - from) / fabs(from) * 100);
}

/* Prints v with up to two decimals, no trailing zeros: Mermaid data. */
static void
num(struct sbuf *b, double v)
{
	char buf[64];
	size_t n;

	snprintf(buf, sizeof buf, "%.2f", v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	sbuf_puts(b, strcmp(buf, "-0") == 0 ? "0" : buf);
}

static void
quoted(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (; *s != '\0'; s++)
		sbuf_putc(b, *s == '"' ? '\'' : *s);
	sbuf_putc(b, '"');
}

void
md_bucket_max(const double *x, const double *y, size_t n, double x_end,
    size_t npts, double *grid, double *out)
{
	double x0 = n ? x[0] : 0, span = x_end - x0, last = n ? y[0] : 0;
	size_t i, j = 0;

	/* Point i stands at x0 + span * i / (npts - 1) and takes the
	 * highest value since the point before it. */
	for (i = 0; i < npts; i++) {
		double edge = npts > 1 ?
		    x0 + span * (double)i / (double)(npts - 1) : x_end;
		double hi = -INFINITY;

		for (; j < n && (x[j] <= edge || i + 1 == npts); j++)
			if (y[j] > hi)
				hi = y[j];
		if (isinf(hi))
			hi = last;
		last = hi;
		grid[i] = edge;
		out[i] = hi;
	}
}

void
md_xychart(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const double *const *y,
    size_t nseries, size_t npts, double yscale)
{
	double ymax = 0;
	size_t i, s;

	sbuf_puts(b, "```mermaid\nxychart-beta\n    title ");
	quoted(b, title);
	sbuf_puts(b, "\n    x-axis ");
	quoted(b, xlabel);
	sbuf_puts(b, " [");
	for (i = 0; i < npts; i++) {
		double span = npts ? x[npts - 1] - x[0] : 0;

		if (i > 0)
			sbuf_puts(b, ", ");
		/* Whole seconds read best; short runs need the tenths. */
		num(b, span >= 60 ? round(x[i]) : round(x[i] * 10) / 10);
	}
	sbuf_puts(b, "]\n");
	for (s = 0; s < nseries; s++)
		for (i = 0; i < npts; i++)
			if (y[s][i] / yscale > ymax)
				ymax = y[s][i] / yscale;
	sbuf_puts(b, "    y-axis ");
	quoted(b, ylabel);
	sbuf_puts(b, " 0 --> ");
	num(b, ymax > 0 ? ceil(ymax * 1.1) : 1);
	sbuf_putc(b, '\n');
	for (s = 0; s < nseries; s++) {
		sbuf_puts(b, "    line [");
		for (i = 0; i < npts; i++) {
			if (i > 0)
				sbuf_puts(b, ", ");
			num(b, y[s][i] / yscale);
		}
		sbuf_puts(b, "]\n");
	}
	sbuf_puts(b, "```\n");
}
