/*
 * tables - the analysis report's tables of functions and categories:
 * top allocators (in use at the peak, allocated during the test),
 * hotspots by category, top CPU consumers.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "msg.h"
#include "report.h"
#include "run.h"

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

/* The unit's RUN/pprof/UNIT.KIND.pb.gz, linked from RUN/analysis.md. */
static void
analysis_pprof_link(struct sbuf *b, const struct run *r, const struct unit *u,
    const char *kind, const char *what)
{
	struct sbuf dir = SBUF_INIT;

	sbuf_printf(&dir, "%s/pprof", r->dir);
	if (!dir.oom)
		run_pprof_link(b, dir.s, "pprof", u->name, kind, what);
	sbuf_free(&dir);
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
	analysis_title(b, u);
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
	analysis_pprof_link(b, r, u, "heap-peak",
	    "the heap profile at the peak");
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
top_alloc(struct sbuf *b, const struct run *r, const struct unit *u)
{
	int every = tsv_col(&u->growth, "alloc_during") >= 0 &&
	    tsv_col(&u->growth, "alloc_during_cum") >= 0;
	int rs = run_restarts(u);
	double total, prof;

	sbuf_puts(b, "\n### ");
	analysis_title(b, u);
	sbuf_puts(b, ": allocated during the test");
	if (every &&
	    run_meta_double(&u->heap, "alloc_space_during", &total) == 0) {
		sbuf_puts(b, " (");
		md_bytes(b, total);
		sbuf_puts(b, " in all");
		if (rs > 0)
			sbuf_printf(b, ", summed over %d processes", rs + 1);
		sbuf_puts(b, ")");
	} else if (!every &&
	    run_meta_double(&u->alloc, "total_delta", &total) == 0) {
		sbuf_puts(b, " (");
		md_bytes(b, total);
		sbuf_puts(b, rs > 0 ? " in the last process only: an older "
		    "analysis)" : " in all, last profile minus first)");
	}
	sbuf_puts(b, "\n\n");
	analysis_pprof_link(b, r, u, "alloc",
	    "the allocation during the test");
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

void
analysis_allocators(struct sbuf *b, const struct run *r)
{
	size_t i;

	sbuf_puts(b, "\n## Top allocators\n");
	for (i = 0; i < r->nunits; i++) {
		top_peak(b, r, &r->units[i]);
		top_alloc(b, r, &r->units[i]);
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

void
analysis_hotspots(struct sbuf *b, const struct run *r)
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
		analysis_title(b, u);
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
			share_cell(b, run_share(&u->heap, c.names[k],
			    RUN_PEAK));
			sbuf_puts(b, " | ");
			share_cell(b, run_share(&u->halloc, c.names[k],
			    RUN_DURING));
			sbuf_puts(b, " | ");
			share_cell(b, run_share(&u->cpu, c.names[k],
			    RUN_SUM));
			sbuf_puts(b, " |\n");
		}
		free(c.names);
	}
}

void
analysis_cpu(struct sbuf *b, const struct run *r)
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
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		analysis_pprof_link(b, r, u, "cpu", "every CPU window merged");
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
