/*
 * report - the reports md-report renders, and the options they share:
 * what main.c, the command line, sees of them.
 *
 * Each report appends its markdown to an sbuf from loaded runs (run.h);
 * nothing is written until main.c has the whole of it.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include "run.h"
#include "sbuf.h"

/* Options shared by the reports (main.c holds md-report(1)'s defaults). */
struct report_opt {
	size_t top;		/* rows per table */
	size_t points;		/* points per chart */
	double noise;		/* percent change within noise */
};

extern struct report_opt report_opt;

/* The one-run report (analysis.c). */
void report_analysis(struct sbuf *b, const struct run *r);

/* Run a against run bb, with pprof-diff's tables in diffdir (compare.c). */
void report_compare(struct sbuf *b, const struct run *a, const struct run *bb,
    const char *diffdir);

/* phases.c: compare's phases of a pair of units, matched by name: a
 * table in b, and a line in findings for the phase each regression came
 * from; returns the count of those lines. */
int phases_compare(struct sbuf *b, struct sbuf *findings,
    const struct unit *ua, const struct unit *ub);

/* sets.c: set-stats' comparison and budget check; 0, or -1 and err. */
int report_sets(struct sbuf *b, const char *name_a, const char *name_b,
    const char *stats, char *err, size_t errlen);
int report_budget(struct sbuf *b, const char *run, const char *check,
    char *err, size_t errlen);

#endif
