/*
 * analysis - the one-run report: summary, timelines, top allocators,
 * hotspots, growth, CPU, collection health, alerts, recommendations.
 *
 * Every number printed comes from a TSV of the run directory; every
 * recommendation names the figure and the threshold that raised it.
 * This file holds the report's order and its first sections (header,
 * executive summary, the memory and CPU timelines); tables.c, advice.c
 * and health.c the others (see analysis.h).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "msg.h"
#include "num.h"
#include "report.h"
#include "run.h"

void
analysis_title(struct sbuf *b, const struct unit *u)
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
	analysis_title(b, u);
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
	if (run_mean_cores(u, &v) == 0 &&
	    run_meta_double(&u->cpu, "cores_peak", &w) == 0)
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
	analysis_title(b, u);
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
	analysis_phase_summary(b, r);
	analysis_verdict_summary(b, r);
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
	struct sbuf title = SBUF_INIT, xl = SBUF_INIT, legend = SBUF_INIT;
	char **marks;

	k = md_points(x, y, seg, n, max, gx, gy);
	ys[0] = gy;
	sbuf_printf(&title, "%s: %s", u->name, what);
	sbuf_printf(&xl, "time %s", run_time_base(r));
	marks = t == &u->heap ? phases_marks(r, u, gx, k, &legend) : NULL;
	if (marks != NULL)
		md_xychart_marked(b, title.s, xl.s, ylabel, gx,
		    (const char *const *)marks, ys, &k, 1, k, scale);
	else
		md_xychart(b, title.s, xl.s, ylabel, gx, ys, &k, 1, k, scale);
	if (marks != NULL && legend.len == 0)
		sbuf_puts(b, "\nA name in an x label is the phase that starts "
		    "there: the first point at or after its start (see "
		    "[Phases](#phases)).\n");
	else if (marks != NULL) {
		sbuf_puts(b, "\nA Pn in an x label is the phase that starts "
		    "there, the n-th of [Phases](#phases) (the first point at "
		    "or after its start): ");
		sbuf_put(b, legend.s, legend.len);
		sbuf_puts(b, ".\n");
	}
	phases_marks_free(marks, k);
	sbuf_free(&legend);
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
		analysis_title(b, u);
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
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		chart(b, r, u, &u->cpu, tsv_col(&u->cpu, "cores"),
		    "CPU cores used per window", "cores", 1.0);
	}
	if (!any)
		sbuf_puts(b, "\nNo CPU profiles were collected.\n");
}

void
report_analysis(struct sbuf *b, const struct run *r)
{
	header(b, r);
	summary(b, r);
	timelines(b, r);
	analysis_phases(b, r);
	analysis_runtime(b, r);
	analysis_allocators(b, r);
	analysis_hotspots(b, r);
	analysis_growth(b, r);
	analysis_verdict(b, r);
	analysis_cpu(b, r);
	analysis_health(b, r);
	analysis_alerts(b, r);
	analysis_recommendations(b, r);
}
