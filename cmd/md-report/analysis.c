/*
 * analysis - the one-run report: summary, timelines, top allocators,
 * hotspots, growth, CPU, collection health, alerts, recommendations.
 *
 * Every number printed comes from a TSV of the run directory; every
 * recommendation names the figure and the threshold that raised it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "msg.h"
#include "num.h"
#include "report.h"
#include "run.h"

/* Thresholds of the recommendations; md-report(1) lists them. */
#define LEAK_R2 0.8		/* a steady line ... */
#define LEAK_SLOPE_PCT 1.0	/* ... rising by 1% of the peak a minute */
#define SUSPECT_MIN 1048576.0	/* a suspect grew by 1 MiB ... */
#define SUSPECT_PEAK_PCT 1.0	/* ... or 1% of the peak, the larger ... */
#define SUSPECT_GREW_PCT 50.0	/* ... in more than half the intervals */
#define OPENAPI_PEAK_PCT 10.0
#define INFORMER_PEAK_PCT 30.0
#define JSON_ALLOC_PCT 25.0
#define REFLECT_ALLOC_PCT 15.0
#define YAML_ALLOC_PCT 10.0
#define CPU_CORES 1.0
#define GOROUTINE_GROWTH_PCT 50.0
#define FETCH_FAIL_PCT 10.0

/* A function of the profiler itself, by name. */
static int
profiler_func(const char *name)
{
	return strncmp(name, "net/http/pprof.", 15) == 0 ||
	    strncmp(name, "runtime/pprof.", 14) == 0;
}

static const char *
source_at(const struct tsv *t, int64_t seq)
{
	int sc = tsv_col(t, "seq"), src = tsv_col(t, "source");
	int64_t s;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, sc, &s) == 0 && s == seq)
			return run_raw(tsv_cell(t, i, src));
	return "?";
}

/* A unit's heading text: its name, and its role when it has replicas. */
static void
unit_title(struct sbuf *b, const struct unit *u)
{
	md_text(b, u->name);
	if (strcmp(u->role, "leader") == 0 || strcmp(u->role, "standby") == 0)
		sbuf_printf(b, " (%s)", u->role);
}

static void
header(struct sbuf *b, const struct run *r)
{
	const char *st = run_info(r, "exit_status", "-");
	double dur;

	sbuf_puts(b, "# e2e profile: ");
	md_text(b, run_info(r, "name", r->name));
	sbuf_puts(b, "\n\n- Test: ");
	run_make_cmd(b, r);
	if (strcmp(st, "-") == 0)
		sbuf_puts(b, ", did not finish (interrupted)");
	else {
		sbuf_puts(b, ", exit status ");
		md_text(b, st);
		sbuf_puts(b, strcmp(st, "0") == 0 ? " (passed)" : " (**failed**)");
	}
	if (num_double(run_info(r, "duration_s", ""), &dur) == 0) {
		sbuf_puts(b, ", ran ");
		md_duration(b, dur);
	}
	sbuf_puts(b, "\n- Started ");
	md_text(b, run_info(r, "started", "?"));
	sbuf_puts(b, ", ended ");
	md_text(b, run_info(r, "ended", "?"));
	sbuf_puts(b, "\n- Profiles every ");
	md_text(b, run_info(r, "interval", "?"));
	sbuf_puts(b, "s (CPU windows of ");
	md_text(b, run_info(r, "cpu_duration", "?"));
	sbuf_puts(b, "s), mode ");
	md_text(b, run_info(r, "mode", "?"));
	sbuf_puts(b, ", transport ");
	md_text(b, run_info(r, "transport", "?"));
	sbuf_puts(b, ", namespace ");
	md_code(b, run_info(r, "namespace", "?"));
	sbuf_printf(b, "\n- Sizes are pprof's: 1 MB is 1 MiB (2^20 bytes). "
	    "Times are %s%s.\n", run_time_base(r), r->started_ns >= 0 ?
	    " (`started` in run.tsv)" : ": run.tsv has no start time");
}

/* The run's duration in seconds from run.tsv, or -1. */
static double
run_seconds(const struct run *r)
{
	double d;

	return num_double(run_info(r, "duration_s", ""), &d) == 0 && d > 0 ?
	    d : -1;
}

/* "1.10s (4s of 60s sampled; ≈16.50s over the run)". */
static void
cpu_cell(struct sbuf *b, const struct run *r, const struct unit *u)
{
	double cpu, dur, run = run_seconds(r);

	if (run_meta_double(&u->cpu, "cpu_ns", &cpu) != 0 ||
	    run_meta_double(&u->cpu, "duration_ns", &dur) != 0 || dur <= 0) {
		sbuf_puts(b, "-");
		return;
	}
	md_nanos(b, cpu);
	sbuf_puts(b, " (");
	md_duration(b, dur / 1e9);
	if (run > 0) {
		sbuf_puts(b, " of ");
		md_duration(b, run);
		sbuf_puts(b, " sampled; ≈");
		md_nanos(b, cpu / dur * run * 1e9);
		sbuf_puts(b, " over the run)");
	} else
		sbuf_puts(b, " sampled)");
}

static void
summary_row(struct sbuf *b, const struct run *r, const struct unit *u)
{
	double first, last, peak, slope, r2, v, w;
	int64_t seq;
	int rs = run_restarts(u);

	sbuf_puts(b, "| ");
	unit_title(b, u);
	sbuf_puts(b, " | ");
	if (run_meta_double(&u->heap, "peak", &peak) == 0 &&
	    run_meta_i64(&u->heap, "peak_seq", &seq) == 0) {
		md_bytes(b, peak);
		sbuf_puts(b, " at ");
		md_duration(b, run_elapsed_at(r, &u->heap, seq));
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (run_meta_double(&u->heap, "first", &first) == 0 &&
	    run_meta_double(&u->heap, "last", &last) == 0 &&
	    run_meta_double(&u->heap, "growth", &v) == 0) {
		sbuf_puts(b, v >= 0 ? "+" : "");
		md_bytes(b, v);
		if (rs > 0)
			sbuf_printf(b, " summed over %d processes", rs + 1);
		sbuf_puts(b, " (");
		md_bytes(b, first);
		sbuf_puts(b, " → ");
		md_bytes(b, last);
		sbuf_puts(b, ")");
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (run_meta_double(&u->heap, "slope_per_min", &slope) == 0 &&
	    run_meta_double(&u->heap, "slope_r2", &r2) == 0) {
		sbuf_puts(b, slope >= 0 ? "+" : "");
		md_bytes(b, slope);
		sbuf_printf(b, "/min (R² %.2f)", r2);
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (run_meta_double(&u->heap, "alloc_space_during", &v) == 0)
		md_bytes(b, v);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	cpu_cell(b, r, u);
	sbuf_puts(b, " | ");
	if (run_mean_cores(u, &v) == 0 && run_meta_double(&u->cpu, "cores_peak", &w) == 0)
		sbuf_printf(b, "%.2f / %.2f", v, w);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (run_meta_double(&u->gor, "first", &v) == 0 &&
	    run_meta_double(&u->gor, "last", &w) == 0)
		sbuf_printf(b, "%.0f → %.0f", v, w);
	else
		sbuf_puts(b, "-");
	if (rs >= 0)
		sbuf_printf(b, " | %d |\n", rs);
	else
		sbuf_puts(b, " | unknown |\n");
}

/* "- UNIT: ...% of the peak heap, ...": the profiler's shares, or
 * nothing without its category. */
static void
profiler_line(struct sbuf *b, const struct unit *u)
{
	double h = run_share(&u->heap, "profiler", RUN_PEAK);
	double a = run_share(&u->halloc, "profiler", RUN_DURING);
	double c = run_share(&u->cpu, "profiler", RUN_SUM);
	const char *sep = "";

	if (h < 0 && a < 0 && c < 0)
		return;
	sbuf_puts(b, "- ");
	unit_title(b, u);
	sbuf_puts(b, ": ");
	if (h >= 0) {
		sbuf_printf(b, "%.1f%% of the peak heap", h);
		sep = ", ";
	}
	if (a >= 0) {
		sbuf_printf(b, "%s%.1f%% of the allocation during the test",
		    sep, a);
		sep = ", ";
	}
	if (c >= 0)
		sbuf_printf(b, "%s%.1f%% of the sampled CPU", sep, c);
	sbuf_puts(b, "\n");
}

static void
summary(struct sbuf *b, const struct run *r)
{
	struct sbuf lines = SBUF_INIT;
	long ok, failed;
	size_t i;

	sbuf_puts(b, "\n## Executive summary\n\n");
	if (r->nunits == 0) {
		sbuf_puts(b, "No unit was profiled: the run directory has no "
		    "analysis files.\n");
		return;
	}
	sbuf_puts(b, "| unit | peak heap in use | growth first → last | "
	    "slope | allocated during test | CPU used | cores mean / peak | "
	    "goroutines | restarts |\n"
	    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < r->nunits; i++)
		summary_row(b, r, &r->units[i]);
	sbuf_puts(b, "\nGrowth, slope and allocation are measured within each "
	    "process and summed over restarts. CPU is what the sampled "
	    "windows used; the whole run's figure is estimated from the mean "
	    "cores and the run's duration.\n");
	run_fetch_counts(r, &ok, &failed);
	if (r->log.ncols > 0)
		sbuf_printf(b, "\nProfiles: %ld collected, %ld failed or "
		    "skipped (see [Collection health](#collection-health)).\n",
		    ok, failed);
	else
		sbuf_puts(b, "\nNo collection log in the run directory.\n");
	for (i = 0; i < r->nunits; i++)
		profiler_line(&lines, &r->units[i]);
	if (lines.len == 0)
		sbuf_puts(b, "\nProfiler overhead: not measured (the series "
		    "have no profiler category).\n");
	else {
		sbuf_puts(b, "\nProfiler overhead (samples under "
		    "net/http/pprof or runtime/pprof: serving the profiles, "
		    "compressing and encoding them), left out of the "
		    "categories, suspects and recommendations below:\n\n");
		sbuf_put(b, lines.s, lines.len);
	}
	sbuf_free(&lines);
}

/* The times of a unit's restarts: "at 1m10s, 3m00s". */
static void
restart_times(struct sbuf *b, const double *x, const int64_t *seg, size_t n)
{
	const char *sep = " at ";
	size_t i;

	for (i = 1; i < n; i++)
		if (seg[i] != seg[i - 1]) {
			sbuf_puts(b, sep);
			md_duration(b, x[i]);
			sep = ", ";
		}
}

/* One chart of a series column over time since the start. */
static void
chart(struct sbuf *b, const struct run *r, const struct unit *u,
    const struct tsv *t, int col, const char *what, const char *ylabel,
    double scale)
{
	size_t n = t->nrows, max = report_opt.points, k, nr = 0, i;
	double *x = run_elapsed(r, t), *y = run_column(t, col);
	int64_t *seg = run_segments(t);
	double *gx = xrealloc(NULL, (max + 2 * n + 1) * sizeof *gx);
	double *gy = xrealloc(NULL, (max + 2 * n + 1) * sizeof *gy);
	const double *ys[1];
	struct sbuf title = SBUF_INIT, xl = SBUF_INIT;

	k = md_points(x, y, seg, n, max, gx, gy);
	ys[0] = gy;
	sbuf_printf(&title, "%s: %s", u->name, what);
	sbuf_printf(&xl, "time %s", run_time_base(r));
	md_xychart(b, title.s, xl.s, ylabel, gx, ys, &k, 1, k, scale);
	for (i = 1; i < n; i++)
		nr += seg[i] != seg[i - 1];
	if (k < n)
		sbuf_printf(b, "\n%zu profiles shown as %zu points: each point "
		    "is the highest value within half a step of its time, so "
		    "the peak is always drawn.\n", n, k);
	if (nr > 0) {
		sbuf_printf(b, "\nThe process restarted %zu time%s", nr,
		    nr > 1 ? "s" : "");
		restart_times(b, x, seg, n);
		sbuf_puts(b, ": the line drops to 0 between two processes "
		    "(where no profile of either falls).\n");
	}
	sbuf_free(&title);
	sbuf_free(&xl);
	free(x);
	free(y);
	free(seg);
	free(gx);
	free(gy);
}

static void
timelines(struct sbuf *b, const struct run *r)
{
	size_t i;
	int any = 0;

	sbuf_puts(b, "\n## Memory timeline\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];

		sbuf_puts(b, "\n### ");
		unit_title(b, u);
		sbuf_puts(b, "\n\n");
		if (!run_has_rows(&u->heap)) {
			sbuf_puts(b, "No heap profiles were collected.\n");
			continue;
		}
		chart(b, r, u, &u->heap, run_value_col(&u->heap),
		    "heap in use (MiB)", "MiB", 1048576.0);
	}
	sbuf_puts(b, "\n## CPU timeline\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];

		if (!run_has_rows(&u->cpu))
			continue;
		any = 1;
		sbuf_puts(b, "\n### ");
		unit_title(b, u);
		sbuf_puts(b, "\n\n");
		chart(b, r, u, &u->cpu, tsv_col(&u->cpu, "cores"),
		    "CPU cores used per window", "cores", 1.0);
	}
	if (!any)
		sbuf_puts(b, "\nNo CPU profiles were collected.\n");
}

static void
pct_cell(struct sbuf *b, double part, double whole)
{
	if (whole == 0)
		sbuf_puts(b, "-");
	else
		sbuf_printf(b, "%.1f%%", 100 * part / whole);
}

/* A function's name in a table, marked when it is the profiler's. */
static void
func_cell(struct sbuf *b, const char *name, size_t max)
{
	md_name(b, name, max);
	if (profiler_func(name))
		sbuf_puts(b, " *(profiler)*");
}

static void
top_peak(struct sbuf *b, const struct run *r, const struct unit *u)
{
	int fc = tsv_col(&u->peak, "flat"), cc = tsv_col(&u->peak, "cum");
	int nc = tsv_col(&u->peak, "function");
	double total = 0, flat, cum, peak;
	int64_t seq;
	size_t i;

	run_meta_double(&u->peak, "total", &total);
	sbuf_puts(b, "\n### ");
	unit_title(b, u);
	sbuf_puts(b, ": in use at the peak");
	if (run_meta_i64(&u->heap, "peak_seq", &seq) == 0 &&
	    run_meta_double(&u->heap, "peak", &peak) == 0) {
		sbuf_puts(b, " (");
		md_text(b, source_at(&u->heap, seq));
		sbuf_puts(b, ", ");
		md_duration(b, run_elapsed_at(r, &u->heap, seq));
		sbuf_printf(b, " %s)", run_time_base(r));
	}
	sbuf_puts(b, "\n\n");
	if (!run_has_rows(&u->peak)) {
		sbuf_puts(b, "No heap profile to rank.\n");
		return;
	}
	sbuf_puts(b, "| # | function | in use (flat) | share | with callees "
	    "(cum) | share |\n| ---: | --- | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < u->peak.nrows && i < report_opt.top; i++) {
		tsv_double(&u->peak, i, fc, &flat);
		tsv_double(&u->peak, i, cc, &cum);
		sbuf_printf(b, "| %zu | ", i + 1);
		func_cell(b, run_raw(tsv_cell(&u->peak, i, nc)), 80);
		sbuf_puts(b, " | ");
		md_bytes(b, flat);
		sbuf_puts(b, " | ");
		pct_cell(b, flat, total);
		sbuf_puts(b, " | ");
		md_bytes(b, cum);
		sbuf_puts(b, " | ");
		pct_cell(b, cum, total);
		sbuf_puts(b, " |\n");
	}
}

/* Sorting the growth table's rows by allocation. */
static const struct tsv *sort_t;
static int sort_col, sort_name;

static int
cmp_rows(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double vx = 0, vy = 0;

	tsv_double(sort_t, x, sort_col, &vx);
	tsv_double(sort_t, y, sort_col, &vy);
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(tsv_cell(sort_t, x, sort_name),
	    tsv_cell(sort_t, y, sort_name));
}

/* The allocation table of every process, from the growth table. */
static void
alloc_rows(struct sbuf *b, const struct unit *u)
{
	const struct tsv *g = &u->growth;
	int dc = tsv_col(g, "alloc_during"), cc = tsv_col(g, "alloc_during_cum");
	int nc = tsv_col(g, "function");
	size_t *order = xrealloc(NULL, (g->nrows + 1) * sizeof *order);
	size_t i, n = 0;
	double total = 0, d, c;

	run_meta_double(&u->heap, "alloc_space_during", &total);
	for (i = 0; i < g->nrows; i++)
		if (tsv_double(g, i, dc, &d) == 0 && d > 0)
			order[n++] = i;
	sort_t = g;
	sort_col = dc;
	sort_name = nc;
	qsort(order, n, sizeof *order, cmp_rows);
	sbuf_puts(b, "| # | function | allocated (flat) | share | with "
	    "callees (cum) |\n| ---: | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < n && i < report_opt.top; i++) {
		tsv_double(g, order[i], dc, &d);
		tsv_double(g, order[i], cc, &c);
		sbuf_printf(b, "| %zu | ", i + 1);
		func_cell(b, run_raw(tsv_cell(g, order[i], nc)), 80);
		sbuf_puts(b, " | ");
		md_bytes(b, d);
		sbuf_puts(b, " | ");
		pct_cell(b, d, total);
		sbuf_puts(b, " | ");
		md_bytes(b, c);
		sbuf_puts(b, " |\n");
	}
	if (n == 0)
		sbuf_puts(b, "| | nothing was allocated | | | |\n");
	free(order);
}

/* The older table: pprof-diff of the last process's first and last. */
static void
alloc_diff_rows(struct sbuf *b, const struct unit *u)
{
	int dc = tsv_col(&u->alloc, "flat_delta");
	int cc = tsv_col(&u->alloc, "cum_delta");
	int nc = tsv_col(&u->alloc, "function");
	double total = 0, d, c;
	size_t i, shown = 0;

	run_meta_double(&u->alloc, "total_delta", &total);
	sbuf_puts(b, "| # | function | allocated (flat) | share | with "
	    "callees (cum) |\n| ---: | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < u->alloc.nrows && shown < report_opt.top; i++) {
		if (tsv_double(&u->alloc, i, dc, &d) != 0 || d <= 0)
			continue;
		tsv_double(&u->alloc, i, cc, &c);
		sbuf_printf(b, "| %zu | ", ++shown);
		func_cell(b, run_raw(tsv_cell(&u->alloc, i, nc)), 80);
		sbuf_puts(b, " | ");
		md_bytes(b, d);
		sbuf_puts(b, " | ");
		pct_cell(b, d, total);
		sbuf_puts(b, " | ");
		md_bytes(b, c);
		sbuf_puts(b, " |\n");
	}
}

static void
top_alloc(struct sbuf *b, const struct unit *u)
{
	int every = tsv_col(&u->growth, "alloc_during") >= 0 &&
	    tsv_col(&u->growth, "alloc_during_cum") >= 0;
	int rs = run_restarts(u);
	double total, prof;

	sbuf_puts(b, "\n### ");
	unit_title(b, u);
	sbuf_puts(b, ": allocated during the test");
	if (every && run_meta_double(&u->heap, "alloc_space_during", &total) == 0) {
		sbuf_puts(b, " (");
		md_bytes(b, total);
		sbuf_puts(b, " in all");
		if (rs > 0)
			sbuf_printf(b, ", summed over %d processes", rs + 1);
		sbuf_puts(b, ")");
	} else if (!every && run_meta_double(&u->alloc, "total_delta", &total) == 0) {
		sbuf_puts(b, " (");
		md_bytes(b, total);
		sbuf_puts(b, rs > 0 ? " in the last process only: an older "
		    "analysis)" : " in all, last profile minus first)");
	}
	sbuf_puts(b, "\n\n");
	if (every && run_has_rows(&u->heap) && u->heap.nrows > 1) {
		if ((prof = run_share(&u->halloc, "profiler", RUN_DURING)) > 0)
			sbuf_printf(b, "%.1f%% of it is the profiler's, under "
			    "its own functions or what they call (not listed).\n\n",
			    prof);
		alloc_rows(b, u);
	} else if (!every && run_has_rows(&u->alloc))
		alloc_diff_rows(b, u);
	else
		sbuf_puts(b, "Needs two heap profiles of one process; there "
		    "were not.\n");
}

static void
allocators(struct sbuf *b, const struct run *r)
{
	size_t i;

	sbuf_puts(b, "\n## Top allocators\n");
	for (i = 0; i < r->nunits; i++) {
		top_peak(b, r, &r->units[i]);
		top_alloc(b, &r->units[i]);
	}
}

static void
share_cell(struct sbuf *b, double pct)
{
	if (pct < 0)
		sbuf_puts(b, "-");
	else
		sbuf_printf(b, "%.1f%%", pct);
}

static void
hotspots(struct sbuf *b, const struct run *r)
{
	size_t i, k;

	sbuf_puts(b, "\n## Hotspots\n\nA sample counts once in every "
	    "category one of its frames matches (so a row can exceed what "
	    "its functions alone hold), and in *other* when none does; the "
	    "profiler's own samples are in none (see the summary).\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		struct run_cats c = { NULL, 0 };

		run_cats_of(&u->heap, &c);
		run_cats_of(&u->halloc, &c);
		run_cats_of(&u->cpu, &c);
		sbuf_puts(b, "\n### ");
		unit_title(b, u);
		sbuf_puts(b, "\n\n");
		if (c.n == 0) {
			sbuf_puts(b, "No profiles to categorise.\n");
			continue;
		}
		sbuf_puts(b, "| category | share of peak heap | share of "
		    "allocation during test | share of CPU |\n"
		    "| --- | ---: | ---: | ---: |\n");
		for (k = 0; k < c.n; k++) {
			sbuf_puts(b, "| ");
			md_text(b, run_raw(c.names[k]));
			sbuf_puts(b, " | ");
			share_cell(b, run_share(&u->heap, c.names[k], RUN_PEAK));
			sbuf_puts(b, " | ");
			share_cell(b, run_share(&u->halloc, c.names[k], RUN_DURING));
			sbuf_puts(b, " | ");
			share_cell(b, run_share(&u->cpu, c.names[k], RUN_SUM));
			sbuf_puts(b, " |\n");
		}
		free(c.names);
	}
}

/* Nonzero when the heap series rises steadily enough to call a leak. */
static int
steady_growth(const struct unit *u, double *slope, double *r2, double *peak)
{
	if (run_meta_double(&u->heap, "slope_per_min", slope) != 0 ||
	    run_meta_double(&u->heap, "slope_r2", r2) != 0 ||
	    run_meta_double(&u->heap, "peak", peak) != 0 || u->heap.nrows < 3)
		return 0;
	return *r2 >= LEAK_R2 && *slope > *peak * LEAK_SLOPE_PCT / 100;
}

/* The least growth of a suspect: 1 MiB or 1% of the peak, the larger. */
static double
suspect_floor(const struct unit *u)
{
	double peak = 0;

	run_meta_double(&u->heap, "peak", &peak);
	return peak * SUSPECT_PEAK_PCT / 100 > SUSPECT_MIN ?
	    peak * SUSPECT_PEAK_PCT / 100 : SUSPECT_MIN;
}

/*
 * Is row k of the growth table a leak suspect? It grew (summed within
 * each process) by at least the floor, with a positive slope within the
 * processes, in more than half the intervals.
 */
static int
suspect(const struct unit *u, size_t k)
{
	const struct tsv *g = &u->growth;
	double v, sl, w;

	return tsv_double(g, k, tsv_col(g, "growth"), &v) == 0 &&
	    tsv_double(g, k, tsv_col(g, "slope_per_min"), &sl) == 0 &&
	    tsv_double(g, k, tsv_col(g, "grew%"), &w) == 0 &&
	    v >= suspect_floor(u) && sl > 0 && w > SUSPECT_GREW_PCT;
}

static void
growth_row(struct sbuf *b, const struct tsv *g, size_t k)
{
	static const char *const cols[] = { "first", "at_peak", "last" };
	double v;
	size_t i;

	sbuf_puts(b, "| ");
	md_name(b, run_raw(tsv_cell(g, k, tsv_col(g, "function"))), 70);
	for (i = 0; i < 3; i++) {
		sbuf_puts(b, " | ");
		tsv_double(g, k, tsv_col(g, cols[i]), &v);
		md_bytes(b, v);
	}
	sbuf_puts(b, " | +");
	tsv_double(g, k, tsv_col(g, "growth"), &v);
	md_bytes(b, v);
	sbuf_puts(b, " | +");
	tsv_double(g, k, tsv_col(g, "slope_per_min"), &v);
	md_bytes(b, v);
	tsv_double(g, k, tsv_col(g, "grew%"), &v);
	sbuf_printf(b, "/min | %.0f%% of intervals |\n", v);
}

static void
growth(struct sbuf *b, const struct run *r)
{
	size_t i, k, shown, others;

	sbuf_printf(b, "\n## Growth and leak suspects\n\nA suspect grew by at "
	    "least 1 MiB or %.0f%% of the peak (the larger), within each "
	    "process and summed over restarts, with a positive slope, in "
	    "more than %.0f%% of the intervals between two profiles of one "
	    "process. Rows are ranked by slope within processes.\n",
	    SUSPECT_PEAK_PCT, SUSPECT_GREW_PCT);
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *g = &u->growth;
		double slope, r2, peak;

		sbuf_puts(b, "\n### ");
		unit_title(b, u);
		sbuf_puts(b, "\n\n");
		if (!run_has_rows(&u->heap)) {
			sbuf_puts(b, "No heap profiles.\n");
			continue;
		}
		if (steady_growth(u, &slope, &r2, &peak)) {
			sbuf_puts(b, "**Steady growth**: heap in use rises by ");
			md_bytes(b, slope);
			sbuf_printf(b, " a minute within each process, with R² "
			    "%.2f (thresholds: R² ≥ %.1f and more than %.0f%% "
			    "of the peak a minute). Likely a leak.\n\n", r2,
			    LEAK_R2, LEAK_SLOPE_PCT);
		} else
			sbuf_puts(b, "No steady growth of heap in use (see the "
			    "thresholds in md-report(1)).\n\n");
		if (!run_has_rows(g)) {
			sbuf_puts(b, "No per-function growth table.\n");
			continue;
		}
		for (k = 0, shown = 0, others = 0; k < g->nrows; k++) {
			double v;

			if (!suspect(u, k)) {
				others += tsv_double(g, k, tsv_col(g,
				    "growth"), &v) == 0 && v > 0;
				continue;
			}
			if (shown++ == 0)
				sbuf_puts(b, "| suspect | first | at peak | "
				    "last | growth | slope | grew in |\n"
				    "| --- | ---: | ---: | ---: | ---: | ---: "
				    "| ---: |\n");
			if (shown <= report_opt.top)
				growth_row(b, g, k);
		}
		if (shown == 0) {
			sbuf_puts(b, "No leak suspect: no function grew by at "
			    "least ");
			md_bytes(b, suspect_floor(u));
			sbuf_puts(b, " in most intervals.\n");
		} else if (shown > report_opt.top)
			sbuf_printf(b, "\n%zu more suspects.\n",
			    shown - report_opt.top);
		if (others > 0)
			sbuf_printf(b, "\n%zu other function%s grew, by less "
			    "or less steadily: noise, not listed.\n", others,
			    others > 1 ? "s" : "");
	}
}

static void
cpu_top(struct sbuf *b, const struct run *r)
{
	size_t i, k;

	sbuf_puts(b, "\n## Top CPU consumers\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *t = &u->cputop;
		int fc = tsv_col(t, "flat"), cc = tsv_col(t, "cum");
		int nc = tsv_col(t, "function");
		double total = 0, v;

		sbuf_puts(b, "\n### ");
		unit_title(b, u);
		sbuf_puts(b, "\n\n");
		if (!run_has_rows(t)) {
			sbuf_puts(b, "No CPU profiles.\n");
			continue;
		}
		run_meta_double(t, "total", &total);
		sbuf_puts(b, "All CPU windows merged: ");
		md_nanos(b, total);
		sbuf_puts(b, " of CPU.\n\n| # | function | flat | share | cum "
		    "| share |\n| ---: | --- | ---: | ---: | ---: | ---: |\n");
		for (k = 0; k < t->nrows && k < report_opt.top; k++) {
			sbuf_printf(b, "| %zu | ", k + 1);
			func_cell(b, run_raw(tsv_cell(t, k, nc)), 80);
			sbuf_puts(b, " | ");
			tsv_double(t, k, fc, &v);
			md_nanos(b, v);
			sbuf_puts(b, " | ");
			pct_cell(b, v, total);
			sbuf_puts(b, " | ");
			tsv_double(t, k, cc, &v);
			md_nanos(b, v);
			sbuf_puts(b, " | ");
			pct_cell(b, v, total);
			sbuf_puts(b, " |\n");
		}
	}
}

struct target_stat {
	const char *name, *kind;
	long ok, error, skipped, aborted, retry;
	double last_ok, max_gap;
};

static struct target_stat *
target_of(struct target_stat **ts, size_t *n, const char *name,
    const char *kind)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*ts)[i].name, name) == 0 &&
		    strcmp((*ts)[i].kind, kind) == 0)
			return &(*ts)[i];
	*ts = xrealloc(*ts, (*n + 1) * sizeof **ts);
	memset(&(*ts)[*n], 0, sizeof **ts);
	(*ts)[*n].name = name;
	(*ts)[*n].kind = kind;
	(*ts)[*n].last_ok = -1;
	return &(*ts)[(*n)++];
}

struct reason {
	const char *text;
	long count;
};

static void
count_reason(struct reason **rs, size_t *n, const char *text)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*rs)[i].text, text) == 0) {
			(*rs)[i].count++;
			return;
		}
	*rs = xrealloc(*rs, (*n + 1) * sizeof **rs);
	(*rs)[*n].text = text;
	(*rs)[(*n)++].count = 1;
}

static int
cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->text, y->text);
}

static void
health_events(struct sbuf *b, const struct run *r)
{
	const struct tsv *e = &r->events;
	int tc = tsv_col(e, "time"), uc = tsv_col(e, "unit");
	int ec = tsv_col(e, "event"), dc = tsv_col(e, "detail");
	size_t i;

	if (!run_has_rows(e)) {
		sbuf_puts(b, "\nNo events were recorded (no pod replaced, no "
		    "transport restarted).\n");
		return;
	}
	sbuf_puts(b, "\n| time | unit | event | detail |\n"
	    "| --- | --- | --- | --- |\n");
	for (i = 0; i < e->nrows && i < 5 * report_opt.top; i++) {
		sbuf_puts(b, "| ");
		md_text(b, run_raw(tsv_cell(e, i, tc)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, uc)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, ec)));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(tsv_cell(e, i, dc)));
		sbuf_puts(b, " |\n");
	}
	if (e->nrows > 5 * report_opt.top)
		sbuf_printf(b, "\n%zu more events in events.tsv.\n",
		    e->nrows - 5 * report_opt.top);
}

/* The profiles pprof-decode could not read (analysis/bad-profiles.tsv). */
static void
health_bad(struct sbuf *b, const struct run *r)
{
	const struct tsv *t = &r->bad;
	static const char *const cols[] = { "unit", "kind", "file", "reason" };
	size_t i, k;

	if (!run_has_rows(t))
		return;
	sbuf_printf(b, "\n%zu profile file%s could not be decoded and %s left "
	    "out of the analysis (the rest of it stands):\n\n| unit | kind | "
	    "file | reason |\n| --- | --- | --- | --- |\n", t->nrows,
	    t->nrows > 1 ? "s" : "", t->nrows > 1 ? "are" : "is");
	for (i = 0; i < t->nrows && i < 5 * report_opt.top; i++) {
		for (k = 0; k < 4; k++) {
			sbuf_puts(b, k ? " | " : "| ");
			md_text(b, run_raw(tsv_cell(t, i,
			    tsv_col(t, cols[k]))));
		}
		sbuf_puts(b, " |\n");
	}
	if (t->nrows > 5 * report_opt.top)
		sbuf_printf(b, "\n%zu more in analysis/bad-profiles.tsv.\n",
		    t->nrows - 5 * report_opt.top);
}

/* "- 3 × reason" lines, the commonest first. */
static void
reason_list(struct sbuf *b, struct reason *rs, size_t n)
{
	size_t i;

	qsort(rs, n, sizeof *rs, cmp_reason);
	for (i = 0; i < n && i < report_opt.top; i++) {
		sbuf_printf(b, "- %ld × ", rs[i].count);
		md_text(b, run_raw(rs[i].text));
		sbuf_putc(b, '\n');
	}
	if (n > report_opt.top)
		sbuf_printf(b, "- %zu other reasons\n", n - report_opt.top);
}

static void
health(struct sbuf *b, const struct run *r)
{
	const struct tsv *l = &r->log;
	int tc = tsv_col(l, "time"), nc = tsv_col(l, "target");
	int kc = tsv_col(l, "kind"), oc = tsv_col(l, "outcome");
	int fc = tsv_col(l, "file_or_error");
	struct target_stat *ts = NULL;
	struct reason *rs = NULL, *rt = NULL;
	size_t nts = 0, nrs = 0, nrt = 0, i;

	sbuf_puts(b, "\n## Collection health\n");
	health_bad(b, r);
	if (l->ncols == 0 || oc < 0) {
		sbuf_puts(b, "\nNo collection log in the run directory.\n");
		health_events(b, r);
		return;
	}
	for (i = 0; i < l->nrows; i++) {
		struct target_stat *t = target_of(&ts, &nts,
		    tsv_cell(l, i, nc), tsv_cell(l, i, kc));
		const char *o = tsv_cell(l, i, oc);
		double when = (double)run_rfc3339_ns(tsv_cell(l, i, tc)) / 1e9;

		if (strcmp(o, "ok") == 0) {
			if (t->last_ok >= 0 && when >= 0 &&
			    when - t->last_ok > t->max_gap)
				t->max_gap = when - t->last_ok;
			if (when >= 0)
				t->last_ok = when;
			t->ok++;
			continue;
		}
		if (strcmp(o, "error") == 0)
			t->error++;
		else if (strcmp(o, "skipped") == 0)
			t->skipped++;
		else if (strcmp(o, "aborted") == 0)
			t->aborted++;
		else if (strcmp(o, "retry") == 0)
			t->retry++;
		/* By reason, the same rows the summary counts as failed. */
		if (strcmp(o, "error") == 0 || strcmp(o, "skipped") == 0)
			count_reason(&rs, &nrs, tsv_cell(l, i, fc));
		else if (strcmp(o, "retry") == 0)
			count_reason(&rt, &nrt, tsv_cell(l, i, fc));
	}
	sbuf_puts(b, "\n| target | kind | attempts | ok | failed | skipped | "
	    "aborted | retries | longest gap between profiles |\n"
	    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < nts; i++) {
		const struct target_stat *t = &ts[i];

		sbuf_puts(b, "| ");
		md_text(b, run_raw(t->name));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(t->kind));
		sbuf_printf(b, " | %ld | %ld | %ld | %ld | %ld | %ld | ",
		    t->ok + t->error + t->skipped + t->aborted, t->ok,
		    t->error, t->skipped, t->aborted, t->retry);
		if (t->ok > 1)
			md_duration(b, t->max_gap);
		else
			sbuf_puts(b, "-");
		sbuf_puts(b, " |\n");
	}
	if (nrs > 0) {
		sbuf_puts(b, "\nFailed or skipped, by reason (these are the "
		    "summary's failed):\n\n");
		reason_list(b, rs, nrs);
	}
	if (nrt > 0) {
		sbuf_puts(b, "\nRetried (not counted as failed), by reason:\n\n");
		reason_list(b, rt, nrt);
	}
	health_events(b, r);
	free(ts);
	free(rs);
	free(rt);
}

static void
alerts(struct sbuf *b, const struct run *r)
{
	const char *s = r->summary_md, *p, *end;

	sbuf_puts(b, "\n## Prometheus alerts\n\n");
	if (s == NULL) {
		sbuf_puts(b, "No e2e summary in the run directory "
		    "(operator-controller's tests write `e2e-summary.md` when "
		    "`E2E_SUMMARY_OUTPUT` is set).\n");
		return;
	}
	for (p = s; p != NULL && *p != '\0'; p = strchr(p, '\n'), p += !!p)
		if (strncmp(p, "## Alerts", 9) == 0)
			break;
	if (p == NULL || *p == '\0') {
		sbuf_puts(b, "None: the e2e summary has no Alerts section.\n");
		return;
	}
	p = strchr(p, '\n');
	p = p != NULL ? p + 1 : s + strlen(s);
	for (end = p; *end != '\0'; end = strchr(end, '\n'), end += !!end) {
		if (strncmp(end, "## ", 3) == 0 || strncmp(end, "# ", 2) == 0)
			break;
		if (strchr(end, '\n') == NULL) {
			end += strlen(end);
			break;
		}
	}
	while (p < end && (*p == '\n' || *p == ' '))
		p++;
	while (end > p && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (p == end) {
		sbuf_puts(b, "None.\n");
		return;
	}
	/* The test's markdown is not ours to trust: shown, not rendered. */
	sbuf_puts(b, "As the e2e summary has them:\n\n");
	md_fenced(b, p, (size_t)(end - p));
}

/* The top n leak suspects, "a (+1.2MB), b (+300kB)". */
static void
suspects(struct sbuf *b, const struct unit *u, size_t n)
{
	const struct tsv *g = &u->growth;
	int gc = tsv_col(g, "growth"), nc = tsv_col(g, "function");
	size_t k, shown = 0;
	double v;

	for (k = 0; k < g->nrows && shown < n; k++) {
		if (!suspect(u, k))
			continue;
		tsv_double(g, k, gc, &v);
		sbuf_puts(b, shown++ ? ", " : "");
		md_code(b, run_raw(tsv_cell(g, k, nc)));
		sbuf_puts(b, " (+");
		md_bytes(b, v);
		sbuf_putc(b, ')');
	}
	if (shown == 0)
		sbuf_puts(b, "none grew past the noise floor");
}

/* "- **NAME: " with NAME escaped. */
static void
advice(struct sbuf *b, const struct unit *u)
{
	sbuf_puts(b, "- **");
	unit_title(b, u);
	sbuf_puts(b, ": ");
}

static int
advise_unit(struct sbuf *b, const struct unit *u)
{
	double slope, r2, peak, p, first, last;
	int n = 0, rs = run_restarts(u);

	if (steady_growth(u, &slope, &r2, &peak)) {
		advice(b, u);
		sbuf_puts(b, "likely leak.** Heap in use grows by ");
		md_bytes(b, slope);
		sbuf_printf(b, " a minute within each process, R² %.2f "
		    "(thresholds R² ≥ %.1f, > %.0f%% of the peak a minute). "
		    "Top suspects: ", r2, LEAK_R2, LEAK_SLOPE_PCT);
		suspects(b, u, 3);
		sbuf_puts(b, ". Take heap profiles over a longer run and check "
		    "what holds them (caches without eviction, maps keyed by "
		    "object name, goroutines that never end).\n");
		n++;
	}
	if ((p = run_share(&u->heap, "OpenAPI", RUN_PEAK)) > OPENAPI_PEAK_PCT) {
		advice(b, u);
		sbuf_printf(b, "OpenAPI models hold %.1f%% of the peak heap** "
		    "(threshold %.0f%%). Build the OpenAPI schema and discovery "
		    "client once and share them (a memory-cached discovery "
		    "client) instead of per reconcile or per request.\n", p,
		    OPENAPI_PEAK_PCT);
		n++;
	}
	if ((p = run_share(&u->heap, "informer/cache", RUN_PEAK)) >
	    INFORMER_PEAK_PCT) {
		advice(b, u);
		sbuf_printf(b, "informer caches hold %.1f%% of the peak heap** "
		    "(threshold %.0f%%). Strip managedFields and unused fields "
		    "with a cache transform, cache metadata only where the full "
		    "object is not read, and narrow what is watched with label "
		    "or field selectors.\n", p, INFORMER_PEAK_PCT);
		n++;
	}
	if ((p = run_share(&u->halloc, "JSON", RUN_DURING)) > JSON_ALLOC_PCT) {
		advice(b, u);
		sbuf_printf(b, "JSON is %.1f%% of the allocation during the "
		    "test** (threshold %.0f%%). Prefer typed clients or the "
		    "protobuf content type to unstructured JSON, and decode "
		    "streams instead of whole buffers.\n", p, JSON_ALLOC_PCT);
		n++;
	}
	if ((p = run_share(&u->halloc, "reflection", RUN_DURING)) >
	    REFLECT_ALLOC_PCT) {
		advice(b, u);
		sbuf_printf(b, "reflection is %.1f%% of the allocation during "
		    "the test** (threshold %.0f%%). Look for unstructured "
		    "conversions and deep copies in hot paths.\n", p,
		    REFLECT_ALLOC_PCT);
		n++;
	}
	if ((p = run_share(&u->halloc, "YAML", RUN_DURING)) > YAML_ALLOC_PCT) {
		advice(b, u);
		sbuf_printf(b, "YAML parsing is %.1f%% of the allocation during "
		    "the test** (threshold %.0f%%). Parse manifests once and "
		    "keep the result.\n", p, YAML_ALLOC_PCT);
		n++;
	}
	if (run_mean_cores(u, &p) == 0 && p > CPU_CORES) {
		advice(b, u);
		sbuf_printf(b, "%.2f cores on average** in the sampled windows "
		    "(threshold %.1f); see Top CPU consumers for where they "
		    "go.\n", p, CPU_CORES);
		n++;
	}
	if (run_meta_double(&u->gor, "first", &first) == 0 &&
	    run_meta_double(&u->gor, "last", &last) == 0 && first > 0 &&
	    last - first > first * GOROUTINE_GROWTH_PCT / 100 &&
	    last - first >= 10) {
		advice(b, u);
		sbuf_printf(b, "goroutines grew from %.0f to %.0f** (threshold "
		    "+%.0f%%): a goroutine leak shows in the goroutine profiles "
		    "as one stack whose count keeps rising.\n", first, last,
		    GOROUTINE_GROWTH_PCT);
		n++;
	}
	if (rs > 0) {
		advice(b, u);
		sbuf_printf(b, "restarted %d time%s during the run.** Check "
		    "test.log and the pod's events for OOMKilled or a crash; "
		    "growth, slope and allocation above are measured within "
		    "each process and summed.\n", rs, rs > 1 ? "s" : "");
		n++;
	}
	return n;
}

static void
recommendations(struct sbuf *b, const struct run *r)
{
	long ok, failed;
	size_t i;
	int n = 0;

	sbuf_puts(b, "\n## Recommendations\n\n");
	for (i = 0; i < r->nunits; i++)
		n += advise_unit(b, &r->units[i]);
	run_fetch_counts(r, &ok, &failed);
	if (ok + failed > 0 &&
	    100.0 * (double)failed / (double)(ok + failed) > FETCH_FAIL_PCT) {
		sbuf_printf(b, "- **%.0f%% of profile fetches failed** "
		    "(threshold %.0f%%): the numbers above have gaps. See "
		    "Collection health; if every fetch was refused, the "
		    "operator runs without `--pprof-bind-address`.\n",
		    100.0 * (double)failed / (double)(ok + failed),
		    FETCH_FAIL_PCT);
		n++;
	}
	if (n == 0)
		sbuf_puts(b, "None: no figure crossed a threshold (the "
		    "thresholds are listed in md-report(1)).\n");
}

void
report_analysis(struct sbuf *b, const struct run *r)
{
	header(b, r);
	summary(b, r);
	timelines(b, r);
	allocators(b, r);
	hotspots(b, r);
	growth(b, r);
	cpu_top(b, r);
	health(b, r);
	alerts(b, r);
	recommendations(b, r);
}
