/*
 * md - markdown pieces for md-report: escaped text, code spans, fenced
 * blocks and Mermaid strings, shortened function names, human units, and
 * Mermaid xychart-beta blocks.
 *
 * Everything a report shows from a profile or a run directory passes
 * through one of the escaping functions below, one per context: GitHub
 * renders the markdown as HTML, so nothing is ever written raw. In every
 * context, C0 and C1 control characters, U+2028/2029, bidirectional
 * overrides and bytes that are not UTF-8 are shown visibly, as \r, \n,
 * \t, \x1b, \u2028 (in text the backslash is itself escaped, so a reader
 * sees \r).
 *
 * Everything appends to an sbuf; nothing here knows about reports.
 */
#ifndef MD_H
#define MD_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/*
 * Appends s as inline text: in a paragraph, a list item, a heading or a
 * table cell. Every character markdown (and GitHub's extensions: tables,
 * autolinks, math) reads as syntax is backslash-escaped, | included.
 * s is raw (unescaped) text.
 */
void md_text(struct sbuf *b, const char *s);

/* Appends s as an inline code span; as md_text when s holds a backtick
 * or a | (neither can be written inside a span everywhere). */
void md_code(struct sbuf *b, const char *s);

/*
 * Appends a relative link: text escaped as md_text (the report's own
 * words: a name in a link's text can still make a link in some
 * renderers), href with every byte but letters, digits and - . _ ~ /
 * percent-encoded, so that no name can end the link or start a scheme.
 */
void md_link(struct sbuf *b, const char *text, const char *href);

/* Appends text as a fenced code block whose fence no line of text can
 * close; line breaks are kept, other controls shown visibly. */
void md_fenced(struct sbuf *b, const char *text, size_t len);

/* Appends s for a terminal message: controls shown visibly, nothing
 * else changed. */
void md_plain(struct sbuf *b, const char *s);

/*
 * Appends a function name cut to at most max characters, keeping the
 * informative tail (the package's last path elements, the type and the
 * method) and marking the cut with an ellipsis: "…/json.(*decodeState).object".
 * Escaped as md_text.
 */
void md_name(struct sbuf *b, const char *name, size_t max);

/*
 * Human units as pprof writes them: md_bytes "38.32MB" (1 MB is 1 MiB),
 * md_nanos "1.76s"; md_duration, from seconds, "45s", "3m12s", "1h05m".
 */
void md_bytes(struct sbuf *b, double v);
void md_nanos(struct sbuf *b, double v);
void md_duration(struct sbuf *b, double seconds);

/* The unit a figure is shown in, and md_figure, which shows it: bytes,
 * bytes a minute ("1.20MB/min"), nanoseconds, cores ("0.25"), a count
 * ("12") or a plain number (%.6g). */
enum md_unit { MD_BYTES, MD_BYTES_MIN, MD_NANOS, MD_CORES, MD_COUNT, MD_PLAIN };
void md_figure(struct sbuf *b, enum md_unit u, double v);

/* "+12.5%", "-3.0%", "n/a" when base is 0. */
void md_percent_change(struct sbuf *b, double from, double to);

/*
 * The points of one chart line from samples (x[i], y[i]) of process
 * seg[i], i < n, x ascending, at most max points (max >= 2). When n plus
 * the restarts fit, the samples themselves, and a 0 halfway between two
 * processes (a restart is a drop, not a line from the old process to the
 * new). Otherwise max grid times evenly spaced from x[0] to x[n - 1],
 * each the highest sample within half a step of it (so the peak is always
 * drawn, under a label at most half a step from its time); a grid time
 * without a sample takes the sample before it, or 0 when the samples on
 * either side are of different processes. gx and gy need room for
 * max + n points; returns the count.
 */
size_t md_points(const double *x, const double *y, const int64_t *seg,
    size_t n, size_t max, double *gx, double *gy);

/*
 * One line on a shared grid: grid time g0 + i * step, i < npts, takes the
 * highest sample within half a step; where there is none, the sample
 * before it (0 when the samples on either side are of different
 * processes, or before the first sample). The line stops after the last
 * sample's grid time: returns its length (at most npts).
 */
size_t md_grid_line(const double *x, const double *y, const int64_t *seg,
    size_t n, double g0, double step, size_t npts, double *out);

/*
 * A Mermaid xychart-beta block. The x labels are x[i] seconds shown in
 * the unit that fits the span (s, min or h, named in the axis title after
 * xlabel), with the fewest decimals that keep them distinct; line s has
 * len[s] <= npts values, divided by yscale.
 */
void md_xychart(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const double *const *y,
    const size_t *len, size_t nseries, size_t npts, double yscale);

/* The same chart with marked x labels: each label a quoted string, the
 * time followed by marks[i] (raw text, escaped for Mermaid) where
 * marks[i] is not NULL. */
void md_xychart_marked(struct sbuf *b, const char *title, const char *xlabel,
    const char *ylabel, const double *x, const char *const *marks,
    const double *const *y, const size_t *len, size_t nseries, size_t npts,
    double yscale);

#endif
