/*
 * runtime - the analysis report's view from the Go runtime and after the
 * test: "The runtime's view" (UNIT.memstats.tsv, MemStats read from
 * heap?debug=1 beside the heap profile's inuse_space) and "Leak verdict"
 * (UNIT.verdict.tsv, leak-verdict's call on the settle window), with
 * the summary's verdict lines.
 *
 * Both sections are written only when a unit has the file; a bad file
 * leaves its unit's part out, saying why. Function names and goroutine
 * stacks come from the profiles: escaped as every other name.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "md.h"
#include "msg.h"
#include "report.h"
#include "run.h"

/* Go's heap?debug=1 text holds the last 256 pauses only. */
#define PAUSE_RING 256

static int
any_memstats(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (r->units[i].memstats.ncols > 0 || r->units[i].memstats_err)
			return 1;
	return 0;
}

/* The processes of the readings: a new one where num_gc falls. */
static int64_t *
mem_segments(const struct tsv *t)
{
	int64_t *seg = xrealloc(NULL, (t->nrows + 1) * sizeof *seg);
	double *gc = run_column(t, tsv_col(t, "num_gc"));
	size_t i;

	for (i = 0; i < t->nrows; i++)
		seg[i] = i == 0 ? 0 : seg[i - 1] + (gc[i] < gc[i - 1]);
	free(gc);
	return seg;
}

/* Column col's rise within each process, summed. */
static double
rise(const double *v, const int64_t *seg, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (seg[i] == seg[i - 1])
			sum += v[i] - v[i - 1];
	return sum;
}

static double
col_max(const struct tsv *t, const char *col)
{
	double v, m = 0;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_double(t, i, tsv_col(t, col), &v) == 0 && v > m)
			m = v;
	return m;
}

/* A row of the figures' table: the peak and the last reading. */
static void
mem_row(struct sbuf *b, const char *what, const struct tsv *t,
    const char *col)
{
	double v = 0;

	sbuf_printf(b, "| %s | ", what);
	md_bytes(b, col_max(t, col));
	sbuf_puts(b, " | ");
	tsv_double(t, t->nrows - 1, tsv_col(t, col), &v);
	md_bytes(b, v);
	sbuf_puts(b, " |\n");
}

/* The profile's inuse_space, HeapInuse and Sys on one time grid. */
static void
mem_chart(struct sbuf *b, const struct run *r, const struct unit *u)
{
	const struct tsv *m = &u->memstats, *h = &u->heap;
	size_t nm = m->nrows, nh = h->nrows, npts, i, len[3];
	double *x[3], *y[3], *g[3], *gx, g0 = INFINITY, end = -INFINITY, step;
	int64_t *seg[3];
	const double *ys[3];
	struct sbuf title = SBUF_INIT, xl = SBUF_INIT;
	const size_t n[3] = { nh, nm, nm };

	x[0] = run_elapsed(r, h);
	y[0] = run_column(h, run_value_col(h));
	seg[0] = run_segments(h);
	x[1] = xrealloc(NULL, (nm + 1) * sizeof *x[1]);
	for (i = 0; i < nm; i++) {
		int64_t ns = 0;

		tsv_i64(m, i, tsv_col(m, "time_ns"), &ns);
		x[1][i] = run_ns_elapsed(r, h, ns);
	}
	y[1] = run_column(m, tsv_col(m, "heap_inuse"));
	y[2] = run_column(m, tsv_col(m, "sys"));
	seg[1] = mem_segments(m);
	for (i = 0; i < 3; i++) {
		if (i == 2) {
			x[2] = x[1];
			seg[2] = seg[1];
		}
		if (n[i] > 0 && x[i][0] < g0)
			g0 = x[i][0];
		if (n[i] > 0 && x[i][n[i] - 1] > end)
			end = x[i][n[i] - 1];
	}
	npts = nh > nm ? nh : nm;
	if (npts > report_opt.points)
		npts = report_opt.points;
	if (npts < 2)
		npts = 2;
	step = end > g0 ? (end - g0) / (double)(npts - 1) : 1;
	gx = xrealloc(NULL, npts * sizeof *gx);
	for (i = 0; i < npts; i++)
		gx[i] = g0 + step * (double)i;
	for (i = 0; i < 3; i++) {
		g[i] = xrealloc(NULL, npts * sizeof *g[i]);
		len[i] = md_grid_line(x[i], y[i], seg[i], n[i], g0, step, npts,
		    g[i]);
		ys[i] = g[i];
	}
	sbuf_printf(&title, "%s: line 1 profile inuse_space, line 2 HeapInuse, "
	    "line 3 Sys (MiB)", u->name);
	sbuf_printf(&xl, "time %s", run_time_base(r));
	md_xychart(b, title.s, xl.s, "MiB", gx, ys, len, 3, npts, 1048576.0);
	sbuf_free(&title);
	sbuf_free(&xl);
	for (i = 0; i < 3; i++) {
		if (i < 2) {
			free(x[i]);
			free(seg[i]);
		}
		free(y[i]);
		free(g[i]);
	}
	free(gx);
}

/* GCs and their pause time over the test, within each process. */
static void
gc_line(struct sbuf *b, const struct tsv *m)
{
	double *gc = run_column(m, tsv_col(m, "num_gc"));
	double *pt = run_column(m, tsv_col(m, "pause_total_ns"));
	double *np = run_column(m, tsv_col(m, "pauses"));
	int64_t *seg = mem_segments(m);
	size_t n = m->nrows, i;
	int wrapped = 0;

	for (i = 0; i < n; i++)
		wrapped |= gc[i] > PAUSE_RING || np[i] < gc[i];
	sbuf_printf(b, "\nGarbage collections over the test: %.0f (NumGC ",
	    rise(gc, seg, n));
	sbuf_printf(b, "%.0f → %.0f", gc[0], gc[n - 1]);
	if (seg[n - 1] > 0)
		sbuf_printf(b, ", within each of %lld processes",
		    (long long)seg[n - 1] + 1);
	sbuf_puts(b, "); ");
	if (wrapped) {
		sbuf_puts(b, "the last reading's last ");
		sbuf_printf(b, "%.0f pauses took ", np[n - 1]);
		md_nanos(b, pt[n - 1]);
		sbuf_printf(b, " (Go's text keeps only the last %d pauses, so "
		    "the whole test's pause time is not known).\n", PAUSE_RING);
	} else {
		sbuf_puts(b, "they paused the program for ");
		md_nanos(b, rise(pt, seg, n));
		sbuf_puts(b, " in all.\n");
	}
	free(gc);
	free(pt);
	free(np);
	free(seg);
}

void
analysis_runtime(struct sbuf *b, const struct run *r)
{
	size_t i;
	double v;

	if (!any_memstats(r))
		return;
	sbuf_puts(b, "\n## The runtime's view\n\nThe heap profile is sampled "
	    "and counts the objects live at the last GC; the runtime's "
	    "MemStats (from `/debug/pprof/heap?debug=1`) are what it holds "
	    "when read: HeapInuse is the heap's spans in use, live objects "
	    "and those not yet swept, and Sys is everything the process took "
	    "from the OS (heap, stacks, the runtime's own structures), some "
	    "of it released back (HeapReleased), so Sys is what a memory "
	    "limit sees.\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *m = &u->memstats;

		sbuf_puts(b, "\n### ");
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		if (u->memstats_err != NULL) {
			sbuf_puts(b, "Left out: ");
			md_text(b, u->memstats_err);
			sbuf_puts(b, ".\n");
			continue;
		}
		if (!run_has_rows(m)) {
			sbuf_puts(b, "No MemStats readings.\n");
			continue;
		}
		sbuf_printf(b, "%zu MemStats reading%s.\n\n| figure | peak | "
		    "last |\n| --- | ---: | ---: |\n", m->nrows,
		    m->nrows > 1 ? "s" : "");
		if (run_meta_double(&u->heap, "peak", &v) == 0) {
			sbuf_puts(b, "| heap profile: inuse_space | ");
			md_bytes(b, v);
			sbuf_puts(b, " | ");
			if (run_meta_double(&u->heap, "last", &v) == 0)
				md_bytes(b, v);
			else
				sbuf_puts(b, "-");
			sbuf_puts(b, " |\n");
		}
		mem_row(b, "HeapInuse", m, "heap_inuse");
		mem_row(b, "HeapSys", m, "heap_sys");
		mem_row(b, "HeapReleased", m, "heap_released");
		mem_row(b, "StackInuse", m, "stack_inuse");
		mem_row(b, "NextGC", m, "next_gc");
		mem_row(b, "Sys", m, "sys");
		gc_line(b, m);
		if (run_has_rows(&u->heap)) {
			sbuf_putc(b, '\n');
			mem_chart(b, r, u);
		}
	}
}

void
analysis_reason(struct sbuf *b, const struct unit *u)
{
	const char *s = run_raw(tsv_meta(&u->verdict, "reason", 1));
	size_t n = strlen(s);

	md_text(b, s);
	if (n == 0 || s[n - 1] != '.')
		sbuf_putc(b, '.');
}

/* A stack of frames joined by ';', root first, as "a → b → c". */
static void
stack_cell(struct sbuf *b, const char *stack)
{
	struct sbuf t = SBUF_INIT;
	const char *p;

	for (p = stack; *p != '\0'; p++)
		if (*p == ';')
			sbuf_puts(&t, " → ");
		else
			sbuf_putc(&t, *p);
	md_name(b, t.s != NULL ? t.s : "", 160);
	sbuf_free(&t);
}

/* The words of a verdict. */
static const char *
verdict_words(const char *v)
{
	if (strcmp(v, "likely-leak") == 0)
		return "Likely leak";
	if (strcmp(v, "bounded") == 0)
		return "Retained but bounded";
	return "No leak";
}

static void
meta_bytes(struct sbuf *b, const struct tsv *t, const char *key)
{
	double v;

	if (run_meta_double(t, key, &v) == 0)
		md_bytes(b, v);
	else
		sbuf_puts(b, "-");
}

/* Bytes a second, or - (a single settle profile has no slope). */
static void
meta_rate(struct sbuf *b, const struct tsv *t, const char *key)
{
	double v;

	if (run_meta_double(t, key, &v) != 0) {
		sbuf_puts(b, "-");
		return;
	}
	md_bytes(b, v);
	sbuf_puts(b, "/s");
}

static void
meta_count(struct sbuf *b, const struct tsv *t, const char *key)
{
	double v;

	if (run_meta_double(t, key, &v) == 0)
		sbuf_printf(b, "%.0f", v);
	else
		sbuf_puts(b, "-");
}

/* The figures that decided the verdict, beside their thresholds. */
static void
verdict_figures(struct sbuf *b, const struct tsv *t)
{
	sbuf_puts(b, "| figure | baseline | settled | retained or change | "
	    "threshold |\n| --- | ---: | ---: | ---: | ---: |\n"
	    "| heap in use (heap?gc=1) | ");
	meta_bytes(b, t, "heap_baseline");
	sbuf_puts(b, " | ");
	meta_bytes(b, t, "heap_settled");
	sbuf_puts(b, " | ");
	meta_bytes(b, t, "retained");
	sbuf_puts(b, " | ");
	meta_bytes(b, t, "retain_threshold");
	sbuf_puts(b, " |\n| heap slope over the settle window | | | ");
	meta_rate(b, t, "settle_slope");
	sbuf_puts(b, " | ");
	meta_rate(b, t, "slope_threshold");
	sbuf_puts(b, " |\n| goroutines | ");
	meta_count(b, t, "goroutines_baseline");
	sbuf_puts(b, " | ");
	meta_count(b, t, "goroutines_settled");
	sbuf_puts(b, " | | ");
	meta_count(b, t, "goroutine_threshold");
	sbuf_puts(b, " |\n");
}

/* A row's figure: bytes, or a goroutine count. */
static void
put_val(struct sbuf *b, int bytes, double v)
{
	if (bytes)
		md_bytes(b, v);
	else
		sbuf_printf(b, "%.0f", v);
}

/* The rows of kind, as a table; returns how many. */
static size_t
verdict_rows(struct sbuf *b, const struct tsv *t, const char *kind,
    const char *head, int bytes)
{
	size_t i, n = 0;
	double v;

	for (i = 0; i < t->nrows; i++) {
		if (strcmp(tsv_cell(t, i, tsv_col(t, "kind")), kind) != 0)
			continue;
		if (n++ == 0)
			sbuf_printf(b, "\n%s\n\n| # | %s | baseline | settled | "
			    "delta |\n| ---: | --- | ---: | ---: | ---: |\n",
			    head, bytes ? "function" : "stack, root first");
		if (n > report_opt.top)
			continue;
		sbuf_printf(b, "| %zu | ", n);
		if (bytes)
			md_name(b, run_raw(tsv_cell(t, i, tsv_col(t, "name"))),
			    80);
		else
			stack_cell(b, run_raw(tsv_cell(t, i, tsv_col(t,
			    "name"))));
		sbuf_puts(b, " | ");
		tsv_double(t, i, tsv_col(t, "baseline"), &v);
		put_val(b, bytes, v);
		sbuf_puts(b, " | ");
		tsv_double(t, i, tsv_col(t, "settled"), &v);
		put_val(b, bytes, v);
		sbuf_puts(b, " | +");
		tsv_double(t, i, tsv_col(t, "delta"), &v);
		put_val(b, bytes, v);
		sbuf_puts(b, " |\n");
	}
	if (n > report_opt.top)
		sbuf_printf(b, "\n%zu more.\n", n - report_opt.top);
	return n;
}

static int
any_verdict(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (r->units[i].verdict.ncols > 0 || r->units[i].verdict_err)
			return 1;
	return 0;
}

void
analysis_verdict(struct sbuf *b, const struct run *r)
{
	const char *settle = run_info(r, "settle", NULL);
	size_t i;

	if (!any_verdict(r)) {
		if (settle != NULL && strcmp(settle, "done") != 0) {
			sbuf_puts(b, "\n## Leak verdict\n\nNo settle window, so "
			    "no verdict: ");
			md_code(b, settle);
			sbuf_puts(b, " (run.tsv `settle`).\n");
		}
		return;
	}
	sbuf_puts(b, "\n## Leak verdict\n\nAfter the test's main phase, the "
	    "settle window's `heap?gc=1` and goroutine profiles against a "
	    "baseline taken before it (leak-verdict(1)): *likely leak* when "
	    "the heap retained beyond the baseline or its slope while "
	    "settling, or the goroutines, stay above their thresholds; "
	    "*retained but bounded* when the heap keeps more than the "
	    "baseline but stopped growing; *no leak* otherwise. It replaces "
	    "the slope-only call of the growth section where it exists.\n");
	if (settle != NULL) {
		sbuf_puts(b, "\nSettle window: ");
		md_code(b, settle);
		sbuf_puts(b, ", from ");
		md_text(b, run_info(r, "settle_start", "?"));
		sbuf_puts(b, " to ");
		md_text(b, run_info(r, "settle_end", "?"));
		sbuf_puts(b, "; the main phases ran from ");
		md_text(b, run_info(r, "main_start", "?"));
		sbuf_puts(b, " to ");
		md_text(b, run_info(r, "main_end", "?"));
		sbuf_puts(b, ".\n");
	}
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *t = &u->verdict;
		const char *v = run_verdict(u);

		sbuf_puts(b, "\n### ");
		analysis_title(b, u);
		sbuf_puts(b, "\n\n");
		if (u->verdict_err != NULL) {
			sbuf_puts(b, "Left out: ");
			md_text(b, u->verdict_err);
			sbuf_puts(b, ".\n");
			continue;
		}
		if (v == NULL) {
			sbuf_puts(b, "No settle window.\n");
			continue;
		}
		sbuf_printf(b, "**%s**: ", verdict_words(v));
		analysis_reason(b, u);
		sbuf_puts(b, "\n\nBaseline ");
		md_code(b, run_raw(tsv_meta(t, "baseline", 1) ?
		    tsv_meta(t, "baseline", 1) : "-"));
		sbuf_puts(b, ", ");
		meta_count(b, t, "settle_profiles");
		sbuf_puts(b, " settle profiles.\n\n");
		verdict_figures(b, t);
		verdict_rows(b, t, "heap", "Retained beyond the baseline, by "
		    "function (inuse_space):", 1);
		verdict_rows(b, t, "goroutine", "Goroutine stacks whose count "
		    "rose:", 0);
		verdict_rows(b, t, "goroutineleak", "The runtime's goroutine "
		    "leak profile:", 0);
	}
}

void
analysis_verdict_summary(struct sbuf *b, const struct run *r)
{
	size_t i;
	int head = 0;

	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const char *v = run_verdict(u);

		if (v == NULL)
			continue;
		if (!head++)
			sbuf_puts(b, "\nLeak verdict after the test settled "
			    "(see [Leak verdict](#leak-verdict)):\n\n");
		sbuf_puts(b, "- ");
		analysis_title(b, u);
		sbuf_printf(b, ": **%s**: ", verdict_words(v));
		analysis_reason(b, u);
		sbuf_putc(b, '\n');
	}
}
