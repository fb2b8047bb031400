/*
 * report - what md-report knows of one run directory, and the two
 * renderers (analysis.c, compare.c) that turn it into markdown.
 *
 * A run directory is laid out as scripts/e2e-profile writes it (see
 * md-report(1)): run.tsv, collection.log, events.tsv, e2e-summary.md and
 * analysis/UNIT.KIND.*.tsv. Every file is optional: a section whose data
 * is missing says so instead of failing. A file that exists but is not
 * the TSV it should be is an error (file:line: reason).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>

#include "sbuf.h"
#include "tsv.h"

/* The analysis files of one unit (a profiled pod slot). */
struct unit {
	char *name;
	struct tsv heap;	/* UNIT.heap.series.tsv: inuse_space */
	struct tsv halloc;	/* UNIT.heap.alloc.series.tsv: alloc_space */
	struct tsv growth;	/* UNIT.heap.growth.tsv */
	struct tsv peak;	/* UNIT.heap.peak.tsv: pprof-top at the peak */
	struct tsv alloc;	/* UNIT.heap.alloc.tsv: pprof-diff first/last */
	struct tsv cpu;		/* UNIT.cpu.series.tsv */
	struct tsv cputop;	/* UNIT.cpu.top.tsv */
	struct tsv gor;		/* UNIT.goroutine.series.tsv */
};

struct run {
	const char *dir;
	char *name;
	struct tsv info;	/* run.tsv */
	struct tsv log;		/* collection.log */
	struct tsv events;	/* events.tsv */
	char *summary_md;	/* e2e-summary.md, or NULL */
	struct unit *units;
	size_t nunits;
};

/* Options shared by both reports. */
struct report_opt {
	size_t top;		/* rows per table */
	size_t points;		/* points per chart */
	double noise;		/* percent change within noise */
};

extern struct report_opt report_opt;

/* Loads a run directory; 0, or -1 with a message in err. */
int run_load(struct run *r, const char *dir, char *err, size_t errlen);
void run_free(struct run *r);

/* Value of key in run.tsv, or def. */
const char *run_info(const struct run *r, const char *key, const char *def);

/* A unit by name, or NULL. */
const struct unit *run_unit(const struct run *r, const char *name);

/* Numbers from a file's ## metadata; 0 when present and numeric. */
int meta_i64(const struct tsv *t, const char *key, int64_t *v);
int meta_double(const struct tsv *t, const char *key, double *v);

/* The column of a series' chosen type ("##type/##unit"), or -1. */
int series_value_col(const struct tsv *t);

/* Loaded, and has at least one row. */
int has_rows(const struct tsv *t);

/* Unescapes a TSV field (see esc.h) into a scratch string. */
const char *raw_field(const char *escaped);

/* Human forms: "38.32MB", "1.76s", "3m12s" (from seconds), "0.25". */
void put_bytes(struct sbuf *b, double v);
void put_nanos(struct sbuf *b, double v);
void put_duration(struct sbuf *b, double seconds);

/* Series helpers shared by the two reports (analysis.c). */
double *column(const struct tsv *t, int col);	/* malloc'd, nrows values */
double elapsed_at(const struct tsv *t, int64_t seq);

/*
 * Category shares of a series, in percent, or -1 when unknown. PEAK: the
 * peak row's share of the value; DURING: the rise within each segment,
 * summed (cumulative alloc_*); SUM: the sum over rows (CPU windows).
 */
enum share_mode { PEAK, DURING, SUM };
double share(const struct tsv *t, const char *cat, enum share_mode m);

/* The category names of series' cat: columns, added to c without repeats. */
struct cats {
	char **names;
	size_t n;
};
void cats_of(const struct tsv *t, struct cats *c);

/* The fetch log's final outcomes: ok, and error + skipped (not aborted:
 * a collector stopped at the end of the run). */
void fetch_counts(const struct run *r, long *ok, long *failed);

void report_analysis(struct sbuf *b, const struct run *r);
void report_compare(struct sbuf *b, const struct run *a, const struct run *bb,
    const char *diffdir);

/* sets.c: set-stats' comparison and budget check; 0, or -1 and err. */
int report_sets(struct sbuf *b, const char *name_a, const char *name_b,
    const char *stats, char *err, size_t errlen);
int report_budget(struct sbuf *b, const char *run, const char *check,
    char *err, size_t errlen);

#endif
