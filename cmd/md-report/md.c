/* md - see md.h. */
#include "md.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

enum ctx { TEXT, CODE, FENCE, MERMAID, PLAIN };

/*
 * The length of the UTF-8 character at s (1 to 4, within avail bytes), or
 * 0 when s does not start a well-formed one; *cp gets its code point.
 */
static size_t
u8char(const unsigned char *s, size_t avail, unsigned long *cp)
{
	size_t n, i;
	unsigned long c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/* Characters no report shows as they are. */
static int
invisible(unsigned long c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	    c == 0xfeff;
}

/* The visible form of c (or of a byte that is not UTF-8, c = byte). */
static void
visible(struct sbuf *b, enum ctx x, unsigned long c, int byte)
{
	if (x == TEXT)
		sbuf_putc(b, '\\');
	sbuf_putc(b, '\\');
	if (byte)
		sbuf_printf(b, "x%02lx", c);
	else if (c == '\r')
		sbuf_putc(b, 'r');
	else if (c == '\n')
		sbuf_putc(b, 'n');
	else if (c == '\t')
		sbuf_putc(b, 't');
	else if (c < 0x80)
		sbuf_printf(b, "x%02lx", c);
	else
		sbuf_printf(b, "u%04lx", c);
}

/* Markdown's (and GitHub's) syntax characters: backslash-escaped. */
static int
md_syntax(unsigned char c)
{
	return c != '\0' && strchr("\\`*_{}[]<>#|~&!@$^=+\"'", c) != NULL;
}

/* Safe inside a Mermaid string as it is. */
static int
mermaid_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr(" ,.:/()+_%*-", c) != NULL;
}

/* The one escaping path: s in context x. */
static void
put(struct sbuf *b, const char *str, size_t len, enum ctx x)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + len;
	unsigned long c;
	size_t n;

	while (s < end) {
		if ((n = u8char(s, (size_t)(end - s), &c)) == 0) {
			visible(b, x, *s, 1);
			s++;
			continue;
		}
		if (x == FENCE && c == '\n') {
			sbuf_putc(b, '\n');
		} else if (invisible(c)) {
			visible(b, x, c, 0);
		} else if (x == MERMAID && (c >= 0x80 || !mermaid_safe(*s))) {
			visible(b, x, c, 0);
		} else if (x == TEXT && c < 0x80 && (md_syntax(*s) ||
		    (*s == ':' && end - s >= 3 && s[1] == '/' && s[2] == '/'))) {
			/* A colon before // would start an autolink. */
			sbuf_putc(b, '\\');
			sbuf_putc(b, (char)*s);
		} else
			sbuf_put(b, (const char *)s, n);
		s += n;
	}
}

void
md_text(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s), TEXT);
}

void
md_code(struct sbuf *b, const char *s)
{
	if (strchr(s, '`') != NULL || strchr(s, '|') != NULL || *s == '\0') {
		md_text(b, s);
		return;
	}
	sbuf_putc(b, '`');
	put(b, s, strlen(s), CODE);
	sbuf_putc(b, '`');
}

void
md_link(struct sbuf *b, const char *text, const char *href)
{
	const unsigned char *p;

	sbuf_putc(b, '[');
	md_text(b, text);
	sbuf_puts(b, "](");
	for (p = (const unsigned char *)href; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			sbuf_putc(b, (char)*p);
		else
			sbuf_printf(b, "%%%02X", *p);
	sbuf_putc(b, ')');
}

void
md_fenced(struct sbuf *b, const char *text, size_t len)
{
	size_t i, run = 0, longest = 0, fence;

	for (i = 0; i < len; i++) {
		run = text[i] == '`' || text[i] == '~' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest < 3 ? 3 : longest + 1;
	for (i = 0; i < fence; i++)
		sbuf_putc(b, '`');
	sbuf_puts(b, "text\n");
	put(b, text, len, FENCE);
	if (len > 0 && text[len - 1] != '\n')
		sbuf_putc(b, '\n');
	for (i = 0; i < fence; i++)
		sbuf_putc(b, '`');
	sbuf_putc(b, '\n');
}

/* s as the inside of a Mermaid double-quoted string: letters, digits
 * and a few safe marks as they are, anything else visibly. */
static void
md_mermaid(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s), MERMAID);
}

void
md_plain(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s), PLAIN);
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
		md_text(b, name);
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
	md_text(b, t.s != NULL ? t.s : "");
	sbuf_free(&t);
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

/*
 * pprof's label of v: the unit is the one pprof picks for v rounded, the
 * number is v itself scaled (1868.59 B is 1.82kB, not 1869 B's 1.83kB).
 */
static void
scaled(struct sbuf *b, double v, const char *unit)
{
	int64_t whole = (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
	const char *name;
	double x;
	char buf[64];
	size_t n;

	if (whole == 0 || fabs(v) >= 9e18) {
		units_label(buf, sizeof buf, whole, unit, "auto");
		sbuf_puts(b, buf);
		return;
	}
	x = units_scale(whole, unit, "auto", &name) / (double)whole * v;
	snprintf(buf, sizeof buf, "%.2f", x);
	n = strlen(buf);
	if (n >= 3 && strcmp(buf + n - 3, ".00") == 0)
		buf[n - 3] = '\0';
	sbuf_puts(b, strcmp(buf, "-0") == 0 ? "0" : buf);
	if (strcmp(buf, "0") != 0 && strcmp(buf, "-0") != 0)
		sbuf_puts(b, name);
}

void
md_bytes(struct sbuf *b, double v)
{
	scaled(b, v, "bytes");
}

void
md_nanos(struct sbuf *b, double v)
{
	scaled(b, v, "nanoseconds");
}

void
md_duration(struct sbuf *b, double s)
{
	long t = (long)(s + 0.5);

	if (s < 60) {
		sbuf_printf(b, "%.0fs", s);
		return;
	}
	if (t < 3600)
		sbuf_printf(b, "%ldm%02lds", t / 60, t % 60);
	else
		sbuf_printf(b, "%ldh%02ldm", t / 3600, t % 3600 / 60);
}

void
md_figure(struct sbuf *b, enum md_unit u, double v)
{
	switch (u) {
	case MD_BYTES:
		md_bytes(b, v);
		break;
	case MD_BYTES_MIN:
		md_bytes(b, v);
		sbuf_puts(b, "/min");
		break;
	case MD_NANOS:
		md_nanos(b, v);
		break;
	case MD_CORES:
		sbuf_printf(b, "%.2f", v);
		break;
	case MD_COUNT:
		sbuf_printf(b, "%.0f", v);
		break;
	case MD_PLAIN:
		sbuf_printf(b, "%.6g", v);
		break;
	}
}

/* Prints v with up to d decimals, no trailing zeros: Mermaid data. */
static void
num(struct sbuf *b, double v, int d)
{
	char buf[64];
	size_t n;

	snprintf(buf, sizeof buf, "%.*f", d, v);
	n = strlen(buf);
	while (d > 0 && n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	sbuf_puts(b, strcmp(buf, "-0") == 0 ? "0" : buf);
}

size_t
md_points(const double *x, const double *y, const int64_t *seg, size_t n,
    size_t max, double *gx, double *gy)
{
	size_t i, k = 0, restarts = 0;

	for (i = 1; i < n; i++)
		restarts += seg[i] != seg[i - 1];
	if (n + restarts <= max) {
		for (i = 0; i < n; i++) {
			if (i > 0 && seg[i] != seg[i - 1]) {
				gx[k] = (x[i - 1] + x[i]) / 2;
				gy[k++] = 0;
			} else if (k > 0 && x[i] == gx[k - 1]) {
				/* Two profiles at one time: one point. */
				if (y[i] > gy[k - 1])
					gy[k - 1] = y[i];
				continue;
			}
			gx[k] = x[i];
			gy[k++] = y[i];
		}
		return k;
	}
	{
		double step = (x[n - 1] - x[0]) / (double)(max - 1);

		for (i = 0; i < max; i++)
			gx[i] = x[0] + step * (double)i;
		return md_grid_line(x, y, seg, n, x[0], step, max, gy);
	}
}

size_t
md_grid_line(const double *x, const double *y, const int64_t *seg,
    size_t n, double g0, double step, size_t npts, double *out)
{
	size_t i, j = 0;

	for (i = 0; i < npts && j < n; i++) {
		double t = g0 + step * (double)i, hi = -INFINITY;

		/* The bucket [t - step/2, t + step/2); the last one is closed. */
		for (; j < n && (x[j] < t + step / 2 || i + 1 == npts); j++)
			if (y[j] > hi)
				hi = y[j];
		if (!isinf(hi))
			out[i] = hi;
		else if (j == 0 || (j < n && seg[j] != seg[j - 1]))
			out[i] = 0;
		else
			out[i] = y[j - 1];
	}
	return i;
}

/* The unit that fits a span of seconds, and its size in seconds. */
static const char *
time_unit(double span, double *size)
{
	if (span < 300) {
		*size = 1;
		return "s";
	}
	if (span < 3 * 3600) {
		*size = 60;
		return "min";
	}
	*size = 3600;
	return "h";
}

/*
 * The fewest decimals (up to 3) that tell every label apart and round
 * none by more than a tenth of the closest gap between two of them.
 */
static int
label_decimals(const double *x, size_t n, double size)
{
	double gap = INFINITY;
	char a[64], c[64];
	size_t i;
	int d;

	for (i = 1; i < n; i++)
		if ((x[i] - x[i - 1]) / size < gap)
			gap = (x[i] - x[i - 1]) / size;
	for (d = 0; d < 3; d++) {
		if (n > 1 && 0.5 * pow(10, -d) > gap / 10)
			continue;
		for (i = 1; i < n; i++) {
			snprintf(a, sizeof a, "%.*f", d, x[i - 1] / size);
			snprintf(c, sizeof c, "%.*f", d, x[i] / size);
			if (strcmp(a, c) == 0)
				break;
		}
		if (i >= n)
			break;
	}
	return d;
}

/* md_xychart, and md_xychart_marked with marks; see md.h. */
static void
xychart(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const char *const *marks,
    const double *const *y, const size_t *len, size_t nseries, size_t npts,
    double yscale)
{
	double ymax = 0, size, span = npts ? x[npts - 1] - x[0] : 0;
	const char *unit = time_unit(span, &size);
	int d = label_decimals(x, npts, size);
	size_t i, s;

	sbuf_puts(b, "```mermaid\nxychart-beta\n    title \"");
	md_mermaid(b, title);
	sbuf_puts(b, "\"\n    x-axis \"");
	md_mermaid(b, xlabel);
	sbuf_printf(b, " (%s)\" [", unit);
	for (i = 0; i < npts; i++) {
		if (i > 0)
			sbuf_puts(b, ", ");
		if (marks != NULL)
			sbuf_putc(b, '"');
		num(b, x[i] / size, d);
		if (marks != NULL && marks[i] != NULL) {
			sbuf_putc(b, ' ');
			md_mermaid(b, marks[i]);
		}
		if (marks != NULL)
			sbuf_putc(b, '"');
	}
	sbuf_puts(b, "]\n");
	for (s = 0; s < nseries; s++)
		for (i = 0; i < len[s]; i++)
			if (y[s][i] / yscale > ymax)
				ymax = y[s][i] / yscale;
	sbuf_puts(b, "    y-axis \"");
	md_mermaid(b, ylabel);
	sbuf_puts(b, "\" 0 --> ");
	num(b, ymax > 0 ? ceil(ymax * 1.1) : 1, 2);
	sbuf_putc(b, '\n');
	for (s = 0; s < nseries; s++) {
		sbuf_puts(b, "    line [");
		for (i = 0; i < len[s]; i++) {
			if (i > 0)
				sbuf_puts(b, ", ");
			num(b, y[s][i] / yscale, 2);
		}
		sbuf_puts(b, "]\n");
	}
	sbuf_puts(b, "```\n");
}

void
md_xychart(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const double *const *y,
    const size_t *len, size_t nseries, size_t npts, double yscale)
{
	xychart(b, title, xlabel, ylabel, x, NULL, y, len, nseries, npts,
	    yscale);
}

void
md_xychart_marked(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const char *const *marks,
    const double *const *y, const size_t *len, size_t nseries, size_t npts,
    double yscale)
{
	xychart(b, title, xlabel, ylabel, x, marks, y, len, nseries, npts,
	    yscale);
}
