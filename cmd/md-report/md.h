/*
 * md - markdown pieces for md-report: safe table cells, shortened
 * function names, human units, and Mermaid xychart-beta blocks.
 *
 * Everything appends to an sbuf; nothing here knows about reports.
 */
#ifndef MD_H
#define MD_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/*
 * Appends s as the text of a table cell: characters markdown would read
 * as syntax (| * _ < > ` [ ] \ ~ #) are backslash-escaped, line breaks
 * become spaces. s is raw (unescaped) text.
 */
void md_cell(struct sbuf *b, const char *s);

/* Appends s as an inline code span (a backtick inside: a plain cell). */
void md_code(struct sbuf *b, const char *s);

/*
 * Appends a function name cut to at most max characters, keeping the
 * informative tail (the package's last path elements, the type and the
 * method) and marking the cut with an ellipsis: "…/json.(*decodeState).object".
 */
void md_name(struct sbuf *b, const char *name, size_t max);

/* pprof-style scaled units: "35.60MB", "1.76s", "0". */
void md_bytes(struct sbuf *b, int64_t v);
void md_nanos(struct sbuf *b, int64_t v);

/* "+12.5%", "-3.0%", "n/a" when base is 0. */
void md_percent_change(struct sbuf *b, double from, double to);

/*
 * Resamples the series (x[i], y[i]), i < n, x ascending, onto npts points
 * evenly spaced from x[0] to x_end: each point takes the highest y since
 * the point before it, so a peak is never averaged away; a point with no
 * sample (a gap, or past the end of a shorter run) repeats the value
 * before it. out gets the npts values, grid their times.
 */
void md_bucket_max(const double *x, const double *y, size_t n, double x_end,
    size_t npts, double *grid, double *out);

/*
 * A Mermaid xychart-beta block: nseries lines over the same npts x values
 * (printed as whole seconds), y values divided by yscale.
 */
void md_xychart(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const double *const *y,
    size_t nseries, size_t npts, double yscale);

#endif
