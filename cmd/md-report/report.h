/*
 * report - what md-report knows of one run directory, and the two
 * renderers (analysis.c, compare.c) that turn it into markdown.
 *
 * A run directory is laid out as scripts/e2e-profile writes it (see
 * md-report(1)): run.tsv, units.tsv, collection.log, events.tsv,
 * e2e-summary.md, analysis/UNIT.KIND.*.tsv and analysis/bad-profiles.tsv.
 * Every file is optional: a section whose data is missing says so instead
 * of failing. A file that exists but is not the TSV it should be (empty,
 * cut, a field that should be a number and is not) is an error
 * (file:line: reason); only collection.log may end in a cut line, which
 * an older wrapper could leave on a full disk: it is skipped with a
 * warning.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>

#include "sbuf.h"
#include "tsv.h"

/* The analysis files of one unit (a profiled pod slot). */
struct unit {
	char *name;
	const char *component;	/* units.tsv's, or the fallback's */
	const char *role;	/* leader, standby, single or - */
	char *stem;		/* the name less -N, for the fallback */
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
	struct tsv unitmap;	/* units.tsv */
	struct tsv bad;		/* analysis/bad-profiles.tsv */
	int64_t started_ns;	/* run.tsv started, or -1 */
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

/* tsv_load, then the checks of every file md-report reads: no cut line,
 * numbers where there should be numbers. 0, or -1 with err. */
int report_load(struct tsv *t, const char *path, char *err, size_t errlen);

/* Loads a run directory; 0, or -1 with a message in err. */
int run_load(struct run *r, const char *dir, char *err, size_t errlen);
void run_free(struct run *r);

/* The time of an RFC 3339 UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z" in Unix
 * nanoseconds, or -1. */
int64_t rfc3339_ns(const char *s);

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
int64_t *segments(const struct tsv *t);		/* malloc'd, nrows values */

/*
 * Seconds since the test started (run.tsv started) of every row of a
 * series, malloc'd; without a start time, since the series' first
 * profile. elapsed_at: the same for the row of seq.
 */
double *elapsed(const struct run *r, const struct tsv *t);
double elapsed_at(const struct run *r, const struct tsv *t, int64_t seq);

/* "since the test started" or "since the first profile" (no start). */
const char *time_base(const struct run *r);

/* Minutes covered by the series' processes: the sum over segments of
 * last minus first time. */
double covered_minutes(const struct tsv *t);

/* Restarts of a unit from its heap series; -1 when unknown. */
int restarts(const struct unit *u);

/* Nonzero for a category md-report shows apart (profiler) or not at all. */
int hidden_cat(const char *name);

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

/* "Profiler overhead: ..." of a unit, or nothing without the category. */
void profiler_line(struct sbuf *b, const struct unit *u);

/* The test's command, `make TARGET`, as a code span. */
void make_cmd(struct sbuf *b, const struct run *r);

void report_analysis(struct sbuf *b, const struct run *r);
void report_compare(struct sbuf *b, const struct run *a, const struct run *bb,
    const char *diffdir);

/* sets.c: set-stats' comparison and budget check; 0, or -1 and err. */
int report_sets(struct sbuf *b, const char *name_a, const char *name_b,
    const char *stats, char *err, size_t errlen);
int report_budget(struct sbuf *b, const char *run, const char *check,
    char *err, size_t errlen);

#endif
