/*
 * pprof-series's parts: main.c reads the stream and writes the rows and
 * the summary; growth.c keeps the per-function growth table. One pass
 * fills every output asked for (a "view": a type, and rows, summary or
 * growth), so the stream is read once however many there are.
 */
#ifndef SERIES_H
#define SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "obuf.h"

enum mode { ROWS, SUMMARY, GROWTH, LIST };

/* Least squares of y on x, one intercept per segment (see lsq_close). */
struct lsq {
	double n, sx, sxx, sy, sxy, syy, y0;	/* this segment, y - y0 */
	double pxx, pxy, pyy;			/* pooled, centred */
};

/* One output: what of which type, where; its sums over the series. */
struct view {
	const char *type;	/* as asked (NULL: the default) */
	const char *path;	/* NULL: standard output */
	enum mode mode;
	int col;		/* the type's column */
	size_t cat0;		/* its category columns in a profile's row */
	int64_t growth;		/* sum over segments of last - first */
	int64_t seg_first;	/* the segment's first */
	size_t peak;
	struct lsq fit;
};

extern struct agg G;		/* the stacks and functions */
extern int ov;			/* set by any sum that overflowed 64 bits */

void *xgrow(void *p, size_t old, size_t new, size_t sz);
const char *plain_name(uint32_t id);
void put_f(struct obuf *out, double v, int d);

/* The growth table: flat (or, with cum, cum) values of v per function. */
void growth_add(size_t stack, int64_t v, int64_t alloc, int cum);
void growth_block(int first, int new_segment, int new_peak, double x);
void growth_close_segment(const struct lsq *fit);
void growth_close_series(void);
void growth_write(struct obuf *out, const struct view *v, size_t profiles,
    size_t intervals, int alloc, int cum);

#endif
