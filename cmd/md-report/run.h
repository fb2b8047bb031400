/*
 * run - what md-report knows of one run directory, and the readings of
 * it that more than one report makes (times since the start, category
 * shares, the fetch log's counts).
 *
 * A run directory is laid out as scripts/e2e-profile writes it (see
 * md-report(1)): run.tsv, units.tsv, collection.log, events.tsv,
 * e2e-summary.md, analysis/UNIT.KIND.*.tsv, analysis/bad-profiles.tsv,
 * and the phase, MemStats and verdict files analysis/UNIT.phases.tsv,
 * UNIT.phase-top.tsv, UNIT.memstats.tsv, UNIT.verdict.tsv.
 * Every file is optional: a section whose data is missing says so instead
 * of failing. A file that exists but is not the TSV it should be (empty,
 * cut, a field that should be a number and is not) is an error
 * (file:line: reason); only collection.log may end in a cut line, which
 * an older wrapper could leave on a full disk: it is skipped with a
 * warning. A bad phase, MemStats or verdict file is a warning, not an
 * error: its unit keeps the message (struct unit) and its section is
 * left out.
 *
 *	struct run r;
 *	char err[512];
 *	if (run_load(&r, dir, err, sizeof err) != 0) ... err ...;
 *	... r.units[i].heap ...
 *	run_free(&r);
 *
 * Nothing here writes a report: the renderers (analysis.c, compare.c)
 * do, through md.h. Arrays returned are malloc'd, the caller frees them;
 * strings returned point into the run (valid until run_free) unless said.
 */
#ifndef RUN_H
#define RUN_H

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
	/*
	 * The phase, runtime and settle files (md-report(1)): each absent
	 * (no rows), loaded, or bad: then its err says why (file:line:
	 * reason), the table is empty and its section says it was left out.
	 */
	struct tsv phases;	/* UNIT.phases.tsv: phase-split's */
	struct tsv phasetop;	/* UNIT.phase-top.tsv */
	struct tsv memstats;	/* UNIT.memstats.tsv */
	struct tsv verdict;	/* UNIT.verdict.tsv: leak-verdict's */
	char *phases_err, *phasetop_err, *memstats_err, *verdict_err;
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
	struct unit *units;	/* sorted by name */
	size_t nunits;
};

/*
 * When DIR/UNIT.KIND.pb.gz is a regular file (e2e-profile pprof and
 * compare write them), a line linking it, under the words what, as
 * HREF/UNIT.KIND.pb.gz (HREF: DIR relative to the report), with the
 * command that opens it; nothing when it is absent.
 */
void run_pprof_link(struct sbuf *b, const char *dir, const char *href,
    const char *unit, const char *kind, const char *what);

/* Loads a run directory: 0, or -1 with a message in err. dir is kept,
 * not copied. */
int run_load(struct run *r, const char *dir, char *err, size_t errlen);
void run_free(struct run *r);

/* tsv_load, then the checks of every file md-report reads: no cut line,
 * numbers where there should be numbers. 0, or -1 with err (t to be
 * freed all the same; t->missing tells a missing file). */
int run_load_tsv(struct tsv *t, const char *path, char *err, size_t errlen);

/* The time of an RFC 3339 string in Unix nanoseconds (lib/rfc3339), or
 * -1 when it is not one. */
int64_t run_rfc3339_ns(const char *s);

/* Value of key in run.tsv, or def. */
const char *run_info(const struct run *r, const char *key, const char *def);

/* A unit by name, or NULL. */
const struct unit *run_unit(const struct run *r, const char *name);

/* Numbers from a file's ## metadata; 0 when present and numeric, else -1
 * and *v untouched. */
int run_meta_i64(const struct tsv *t, const char *key, int64_t *v);
int run_meta_double(const struct tsv *t, const char *key, double *v);

/* The column of a series' chosen type ("##type/##unit"), or -1. */
int run_value_col(const struct tsv *t);

/* Loaded, and has at least one row. */
int run_has_rows(const struct tsv *t);

/* Unescapes a TSV field (see esc.h) into a static scratch string, valid
 * until the next call. */
const char *run_raw(const char *escaped);

/* A column of a series as doubles (0 where a cell is not a number), and
 * its segment (process) numbers: malloc'd, nrows values. */
double *run_column(const struct tsv *t, int col);
int64_t *run_segments(const struct tsv *t);

/*
 * Seconds since the test started (run.tsv started) of every row of a
 * series, malloc'd; without a start time, since the series' first
 * profile. run_elapsed_at: the same for the row of seq (0 without one).
 */
double *run_elapsed(const struct run *r, const struct tsv *t);
double run_elapsed_at(const struct run *r, const struct tsv *t, int64_t seq);

/* The seconds of a time (Unix ns) on the same axis as run_elapsed's of
 * the unit's heap series (0 without a start or a series). */
double run_ns_elapsed(const struct run *r, const struct tsv *heap,
    int64_t ns);

/* "since the test started" or "since the first profile" (no start). */
const char *run_time_base(const struct run *r);

/* Minutes covered by the series' processes: the sum over segments of
 * last minus first time. */
double run_covered_minutes(const struct tsv *t);

/* Restarts of a unit from its heap series; -1 when unknown. */
int run_restarts(const struct unit *u);

/* Exact mean cores of a unit's CPU windows, cpu_ns / duration_ns: 0, or
 * -1 without CPU profiles. */
int run_mean_cores(const struct unit *u, double *v);

/*
 * Category shares of a series, in percent, or -1 when unknown. PEAK: the
 * peak row's share of the value; DURING: the rise within each segment,
 * summed (cumulative alloc_*); SUM: the sum over rows (CPU windows).
 */
enum run_share { RUN_PEAK, RUN_DURING, RUN_SUM };
double run_share(const struct tsv *t, const char *cat, enum run_share m);

/* The category names of a series' cat: columns, added to c without
 * repeats; the profiler's category is left out (the reports show it
 * apart). c->names is realloc'd (free it), the names point into t. */
struct run_cats {
	char **names;
	size_t n;
};
void run_cats_of(const struct tsv *t, struct run_cats *c);

/* The fetch log's final outcomes: ok, and error + skipped (not aborted:
 * a collector stopped at the end of the run). */
void run_fetch_counts(const struct run *r, long *ok, long *failed);

/* The unit's leak verdict (likely-leak, bounded or no-leak), or NULL
 * without a good verdict file. */
const char *run_verdict(const struct unit *u);

/* Appends the test's command, `make TARGET`, as a code span. */
void run_make_cmd(struct sbuf *b, const struct run *r);

#endif
