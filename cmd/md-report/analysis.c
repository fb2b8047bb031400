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
#include "num.h"
#include "report.h"

/* Thresholds of the recommendations; md-report(1) lists them. */
#define LEAK_R2 0.8		/* a steady line ... */
#define LEAK_SLOPE_PCT 1.0	/* ... rising by 1% of the peak a minute */
#define OPENAPI_PEAK_PCT 10.0
#define INFORMER_PEAK_PCT 30.0
#define JSON_ALLOC_PCT 25.0
#define REFLECT_ALLOC_PCT 15.0
#define YAML_ALLOC_PCT 10.0
#define CPU_CORES 1.0
#define GOROUTINE_GROWTH_PCT 50.0
#define FETCH_FAIL_PCT 10.0

/* A series' column of type, as a double array over its rows. */
double *
column(const struct tsv *t, int col)
{
	double *v = calloc(t->nrows + 1, sizeof *v);
	size_t i;

	if (v == NULL)
		exit(1);
	for (i = 0; i < t->nrows; i++)
		if (tsv_double(t, i, col, &v[i]) != 0)
			v[i] = 0;
	return v;
}

/* Seconds from the series' first profile to seq's. */
double
elapsed_at(const struct tsv *t, int64_t seq)
{
	int sc = tsv_col(t, "seq"), ec = tsv_col(t, "elapsed_ns");
	int64_t s, e;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, sc, &s) == 0 && s == seq &&
		    tsv_i64(t, i, ec, &e) == 0)
			return (double)e / 1e9;
	return 0;
}

static const char *
source_at(const struct tsv *t, int64_t seq)
{
	int sc = tsv_col(t, "seq"), src = tsv_col(t, "source");
	int64_t s;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (tsv_i64(t, i, sc, &s) == 0 && s == seq)
			return raw_field(tsv_cell(t, i, src));
	return "?";
}

static void
header(struct sbuf *b, const struct run *r)
{
	const char *st = run_info(r, "exit_status", "-");
	double dur;

	sbuf_printf(b, "# e2e profile: %s\n\n", run_info(r, "name", r->name));
	sbuf_printf(b, "- Test: `make %s`", run_info(r, "target", "?"));
	if (strcmp(st, "-") == 0)
		sbuf_puts(b, ", did not finish (interrupted)");
	else
		sbuf_printf(b, ", exit status %s (%s)", st,
		    strcmp(st, "0") == 0 ? "passed" : "**failed**");
	if (num_double(run_info(r, "duration_s", ""), &dur) == 0) {
		sbuf_puts(b, ", ran ");
		put_duration(b, dur);
	}
	sbuf_printf(b, "\n- Started %s, ended %s\n",
	    run_info(r, "started", "?"), run_info(r, "ended", "?"));
	sbuf_printf(b, "- Profiles every %ss (CPU windows of %ss), mode %s, "
	    "transport %s, namespace `%s`\n", run_info(r, "interval", "?"),
	    run_info(r, "cpu_duration", "?"), run_info(r, "mode", "?"),
	    run_info(r, "transport", "?"), run_info(r, "namespace", "?"));
}

/* Counts the fetch log's final outcomes: ok, and error or skipped. */
void
fetch_counts(const struct run *r, long *ok, long *failed)
{
	int oc = tsv_col(&r->log, "outcome");
	size_t i;

	*ok = *failed = 0;
	for (i = 0; oc >= 0 && i < r->log.nrows; i++) {
		const char *o = tsv_cell(&r->log, i, oc);

		/* "aborted" is the collector stopped on purpose at the end. */
		if (strcmp(o, "ok") == 0)
			(*ok)++;
		else if (strcmp(o, "error") == 0 || strcmp(o, "skipped") == 0)
			(*failed)++;
	}
}

static void
cell_bytes_meta(struct sbuf *b, const struct tsv *t, const char *key)
{
	double v;

	if (meta_double(t, key, &v) == 0)
		put_bytes(b, v);
	else
		sbuf_puts(b, "-");
}

static void
summary_row(struct sbuf *b, const struct unit *u)
{
	double first, last, peak, slope, r2, v, w;
	int64_t seq;

	sbuf_puts(b, "| ");
	md_cell(b, u->name);
	sbuf_puts(b, " | ");
	if (meta_double(&u->heap, "peak", &peak) == 0 &&
	    meta_i64(&u->heap, "peak_seq", &seq) == 0) {
		put_bytes(b, peak);
		sbuf_puts(b, " at ");
		put_duration(b, elapsed_at(&u->heap, seq));
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (meta_double(&u->heap, "first", &first) == 0 &&
	    meta_double(&u->heap, "last", &last) == 0) {
		sbuf_puts(b, last >= first ? "+" : "");
		put_bytes(b, last - first);
		sbuf_puts(b, " (");
		put_bytes(b, first);
		sbuf_puts(b, " → ");
		put_bytes(b, last);
		sbuf_puts(b, ")");
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (meta_double(&u->heap, "slope_per_min", &slope) == 0 &&
	    meta_double(&u->heap, "slope_r2", &r2) == 0) {
		sbuf_puts(b, slope >= 0 ? "+" : "");
		put_bytes(b, slope);
		sbuf_printf(b, "/min (R² %.2f)", r2);
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	cell_bytes_meta(b, &u->heap, "alloc_space_during");
	sbuf_puts(b, " | ");
	if (meta_double(&u->cpu, "cpu_ns", &v) == 0)
		put_nanos(b, v);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (meta_double(&u->cpu, "cores_mean", &v) == 0 &&
	    meta_double(&u->cpu, "cores_peak", &w) == 0)
		sbuf_printf(b, "%.2f / %.2f", v, w);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (meta_double(&u->gor, "first", &v) == 0 &&
	    meta_double(&u->gor, "last", &w) == 0)
		sbuf_printf(b, "%.0f → %.0f", v, w);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (meta_double(&u->heap, "restarts", &v) == 0 ||
	    meta_double(&u->cpu, "restarts", &v) == 0)
		sbuf_printf(b, "%.0f", v);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " |\n");
}

static void
summary(struct sbuf *b, const struct run *r)
{
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
		summary_row(b, &r->units[i]);
	fetch_counts(r, &ok, &failed);
	if (r->log.ncols > 0)
		sbuf_printf(b, "\nProfiles: %ld collected, %ld failed or "
		    "skipped (see [Collection health](#collection-health)).\n",
		    ok, failed);
	else
		sbuf_puts(b, "\nNo collection log in the run directory.\n");
}

/* One chart of a series column over elapsed seconds. */
static void
chart(struct sbuf *b, const struct tsv *t, int col, const char *title,
    const char *ylabel, double scale)
{
	size_t n = t->nrows, npts = n < report_opt.points ? n :
	    report_opt.points;
	double *x = column(t, tsv_col(t, "elapsed_ns")), *y = column(t, col);
	double *gx = calloc(npts + 1, sizeof *gx);
	double *gy = calloc(npts + 1, sizeof *gy);
	const double *ys[1];
	size_t i;

	if (gx == NULL || gy == NULL)
		exit(1);
	for (i = 0; i < n; i++)
		x[i] /= 1e9;
	if (npts == n) {
		memcpy(gx, x, n * sizeof *x);
		memcpy(gy, y, n * sizeof *y);
	} else
		md_bucket_max(x, y, n, x[n - 1], npts, gx, gy);
	ys[0] = gy;
	md_xychart(b, title, "elapsed (s)", ylabel, gx, ys, 1, npts, scale);
	if (npts < n)
		sbuf_printf(b, "\n%zu profiles shown as %zu points: each point "
		    "is the highest value of its time bucket.\n", n, npts);
	free(x);
	free(y);
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
		char title[256];

		sbuf_printf(b, "\n### %s\n\n", u->name);
		if (!has_rows(&u->heap)) {
			sbuf_puts(b, "No heap profiles were collected.\n");
			continue;
		}
		snprintf(title, sizeof title, "%s: heap in use (MB)", u->name);
		chart(b, &u->heap, series_value_col(&u->heap), title, "MB",
		    1048576.0);
	}
	sbuf_puts(b, "\n## CPU timeline\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		char title[256];

		if (!has_rows(&u->cpu))
			continue;
		any = 1;
		snprintf(title, sizeof title, "%s: CPU cores used per window",
		    u->name);
		sbuf_printf(b, "\n### %s\n\n", u->name);
		chart(b, &u->cpu, tsv_col(&u->cpu, "cores"), title, "cores",
		    1.0);
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

static void
top_peak(struct sbuf *b, const struct unit *u)
{
	int fc = tsv_col(&u->peak, "flat"), cc = tsv_col(&u->peak, "cum");
	int nc = tsv_col(&u->peak, "function");
	double total = 0, flat, cum, peak;
	int64_t seq;
	size_t i;

	meta_double(&u->peak, "total", &total);
	sbuf_printf(b, "\n### %s: in use at the peak", u->name);
	if (meta_i64(&u->heap, "peak_seq", &seq) == 0 &&
	    meta_double(&u->heap, "peak", &peak) == 0) {
		sbuf_puts(b, " (");
		md_cell(b, source_at(&u->heap, seq));
		sbuf_puts(b, ", ");
		put_duration(b, elapsed_at(&u->heap, seq));
		sbuf_puts(b, " into the run)");
	}
	sbuf_puts(b, "\n\n");
	if (!has_rows(&u->peak)) {
		sbuf_puts(b, "No heap profile to rank.\n");
		return;
	}
	sbuf_puts(b, "| # | function | in use (flat) | share | with callees "
	    "(cum) | share |\n| ---: | --- | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < u->peak.nrows && i < report_opt.top; i++) {
		tsv_double(&u->peak, i, fc, &flat);
		tsv_double(&u->peak, i, cc, &cum);
		sbuf_printf(b, "| %zu | ", i + 1);
		md_name(b, raw_field(tsv_cell(&u->peak, i, nc)), 80);
		sbuf_puts(b, " | ");
		put_bytes(b, flat);
		sbuf_puts(b, " | ");
		pct_cell(b, flat, total);
		sbuf_puts(b, " | ");
		put_bytes(b, cum);
		sbuf_puts(b, " | ");
		pct_cell(b, cum, total);
		sbuf_puts(b, " |\n");
	}
}

static void
top_alloc(struct sbuf *b, const struct unit *u)
{
	int dc = tsv_col(&u->alloc, "flat_delta");
	int cc = tsv_col(&u->alloc, "cum_delta");
	int nc = tsv_col(&u->alloc, "function");
	double total = 0, d, c;
	size_t i, shown = 0;

	meta_double(&u->alloc, "total_delta", &total);
	sbuf_printf(b, "\n### %s: allocated during the test", u->name);
	if (total > 0) {
		sbuf_puts(b, " (");
		put_bytes(b, total);
		sbuf_puts(b, " in all, last profile minus first)");
	}
	sbuf_puts(b, "\n\n");
	if (!has_rows(&u->alloc)) {
		sbuf_puts(b, "Needs two heap profiles of one process; there "
		    "were not.\n");
		return;
	}
	sbuf_puts(b, "| # | function | allocated (flat) | share | with "
	    "callees (cum) |\n| ---: | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < u->alloc.nrows && shown < report_opt.top; i++) {
		if (tsv_double(&u->alloc, i, dc, &d) != 0 || d <= 0)
			continue;
		tsv_double(&u->alloc, i, cc, &c);
		sbuf_printf(b, "| %zu | ", ++shown);
		md_name(b, raw_field(tsv_cell(&u->alloc, i, nc)), 80);
		sbuf_puts(b, " | ");
		put_bytes(b, d);
		sbuf_puts(b, " | ");
		pct_cell(b, d, total);
		sbuf_puts(b, " | ");
		put_bytes(b, c);
		sbuf_puts(b, " |\n");
	}
}

static void
allocators(struct sbuf *b, const struct run *r)
{
	size_t i;

	sbuf_puts(b, "\n## Top allocators\n");
	for (i = 0; i < r->nunits; i++) {
		top_peak(b, &r->units[i]);
		top_alloc(b, &r->units[i]);
	}
}

void
cats_of(const struct tsv *t, struct cats *c)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strncmp(t->cols[i], "cat:", 4) == 0) {
			size_t k;

			for (k = 0; k < c->n; k++)
				if (strcmp(c->names[k], t->cols[i] + 4) == 0)
					break;
			if (k < c->n)
				continue;
			c->names = realloc(c->names,
			    (c->n + 1) * sizeof *c->names);
			if (c->names == NULL)
				exit(1);
			c->names[c->n++] = t->cols[i] + 4;
		}
}

/* The sum over segments of (last - first) of column col. */
static double
rise(const struct tsv *t, int col)
{
	int sc = tsv_col(t, "segment");
	double first = 0, last = 0, v, sum = 0;
	int64_t seg, cur = -1;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (tsv_i64(t, i, sc, &seg) != 0 || tsv_double(t, i, col, &v))
			continue;
		if (seg != cur) {
			sum += last - first;
			first = v;
			cur = seg;
		}
		last = v;
	}
	return sum + last - first;
}

double
share(const struct tsv *t, const char *cat, enum share_mode m)
{
	char name[128];
	int cc, vc = series_value_col(t);
	double part = 0, whole = 0, v;
	int64_t seq, s;
	size_t i;

	snprintf(name, sizeof name, "cat:%s", cat);
	cc = tsv_col(t, name);
	if (!has_rows(t) || cc < 0 || vc < 0)
		return -1;
	switch (m) {
	case PEAK:
		if (meta_i64(t, "peak_seq", &seq) != 0)
			return -1;
		for (i = 0; i < t->nrows; i++)
			if (tsv_i64(t, i, tsv_col(t, "seq"), &s) == 0 &&
			    s == seq) {
				tsv_double(t, i, cc, &part);
				tsv_double(t, i, vc, &whole);
			}
		break;
	case DURING:
		part = rise(t, cc);
		whole = rise(t, vc);
		break;
	case SUM:
		for (i = 0; i < t->nrows; i++) {
			if (tsv_double(t, i, cc, &v) == 0)
				part += v;
			if (tsv_double(t, i, vc, &v) == 0)
				whole += v;
		}
		break;
	}
	return whole > 0 ? 100 * part / whole : -1;
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
	    "its functions alone hold), and in *other* when none does.\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		struct cats c = { NULL, 0 };

		cats_of(&u->heap, &c);
		cats_of(&u->halloc, &c);
		cats_of(&u->cpu, &c);
		sbuf_printf(b, "\n### %s\n\n", u->name);
		if (c.n == 0) {
			sbuf_puts(b, "No profiles to categorise.\n");
			continue;
		}
		sbuf_puts(b, "| category | share of peak heap | share of "
		    "allocation during test | share of CPU |\n"
		    "| --- | ---: | ---: | ---: |\n");
		for (k = 0; k < c.n; k++) {
			sbuf_puts(b, "| ");
			md_cell(b, c.names[k]);
			sbuf_puts(b, " | ");
			share_cell(b, share(&u->heap, c.names[k], PEAK));
			sbuf_puts(b, " | ");
			share_cell(b, share(&u->halloc, c.names[k], DURING));
			sbuf_puts(b, " | ");
			share_cell(b, share(&u->cpu, c.names[k], SUM));
			sbuf_puts(b, " |\n");
		}
		free(c.names);
	}
}

/* Nonzero when the heap series rises steadily enough to call a leak. */
static int
steady_growth(const struct unit *u, double *slope, double *r2, double *peak)
{
	if (meta_double(&u->heap, "slope_per_min", slope) != 0 ||
	    meta_double(&u->heap, "slope_r2", r2) != 0 ||
	    meta_double(&u->heap, "peak", peak) != 0 || u->heap.nrows < 3)
		return 0;
	return *r2 >= LEAK_R2 && *slope > *peak * LEAK_SLOPE_PCT / 100;
}

static void
growth(struct sbuf *b, const struct run *r)
{
	size_t i, k, shown;

	sbuf_puts(b, "\n## Growth and leak suspects\n");
	for (i = 0; i < r->nunits; i++) {
		const struct unit *u = &r->units[i];
		const struct tsv *g = &u->growth;
		int fc = tsv_col(g, "first"), pc = tsv_col(g, "at_peak");
		int lc = tsv_col(g, "last"), gc = tsv_col(g, "growth");
		int sc = tsv_col(g, "slope_per_min"), wc = tsv_col(g, "grew%");
		int nc = tsv_col(g, "function");
		double slope, r2, peak, v;

		sbuf_printf(b, "\n### %s\n\n", u->name);
		if (!has_rows(&u->heap)) {
			sbuf_puts(b, "No heap profiles.\n");
			continue;
		}
		if (steady_growth(u, &slope, &r2, &peak)) {
			sbuf_puts(b, "**Steady growth**: heap in use rises by ");
			put_bytes(b, slope);
			sbuf_printf(b, " a minute with R² %.2f (thresholds: "
			    "R² ≥ %.1f and more than %.0f%% of the peak a "
			    "minute). Likely a leak; the functions below grew "
			    "the most.\n\n", r2, LEAK_R2, LEAK_SLOPE_PCT);
		} else
			sbuf_puts(b, "No steady growth of heap in use (see the "
			    "thresholds in md-report(1)).\n\n");
		if (!has_rows(g)) {
			sbuf_puts(b, "No per-function growth table.\n");
			continue;
		}
		sbuf_puts(b, "| function | first | at peak | last | growth | "
		    "slope | grew in |\n| --- | ---: | ---: | ---: | ---: | "
		    "---: | ---: |\n");
		for (k = 0, shown = 0; k < g->nrows && shown < report_opt.top;
		    k++) {
			if (tsv_double(g, k, gc, &v) != 0 || v <= 0)
				continue;
			shown++;
			sbuf_puts(b, "| ");
			md_name(b, raw_field(tsv_cell(g, k, nc)), 70);
			sbuf_puts(b, " | ");
			tsv_double(g, k, fc, &v);
			put_bytes(b, v);
			sbuf_puts(b, " | ");
			tsv_double(g, k, pc, &v);
			put_bytes(b, v);
			sbuf_puts(b, " | ");
			tsv_double(g, k, lc, &v);
			put_bytes(b, v);
			sbuf_puts(b, " | +");
			tsv_double(g, k, gc, &v);
			put_bytes(b, v);
			sbuf_puts(b, " | ");
			tsv_double(g, k, sc, &v);
			sbuf_puts(b, v >= 0 ? "+" : "");
			put_bytes(b, v);
			sbuf_puts(b, "/min | ");
			sbuf_puts(b, tsv_cell(g, k, wc));
			sbuf_puts(b, "% of intervals |\n");
		}
		if (shown == 0)
			sbuf_puts(b, "| no function grew | | | | | | |\n");
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

		sbuf_printf(b, "\n### %s\n\n", u->name);
		if (!has_rows(t)) {
			sbuf_puts(b, "No CPU profiles.\n");
			continue;
		}
		meta_double(t, "total", &total);
		sbuf_puts(b, "All CPU windows merged: ");
		put_nanos(b, total);
		sbuf_puts(b, " of CPU.\n\n| # | function | flat | share | cum "
		    "| share |\n| ---: | --- | ---: | ---: | ---: | ---: |\n");
		for (k = 0; k < t->nrows && k < report_opt.top; k++) {
			sbuf_printf(b, "| %zu | ", k + 1);
			md_name(b, raw_field(tsv_cell(t, k, nc)), 80);
			sbuf_puts(b, " | ");
			tsv_double(t, k, fc, &v);
			put_nanos(b, v);
			sbuf_puts(b, " | ");
			pct_cell(b, v, total);
			sbuf_puts(b, " | ");
			tsv_double(t, k, cc, &v);
			put_nanos(b, v);
			sbuf_puts(b, " | ");
			pct_cell(b, v, total);
			sbuf_puts(b, " |\n");
		}
	}
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z", or -1. */
static double
rfc3339(const char *s)
{
	int y, mo, d, h, mi;
	double sec;
	long days;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf", &y, &mo, &d, &h, &mi,
	    &sec) != 6)
		return -1;
	/* Days from civil (proleptic Gregorian), as in Howard Hinnant's. */
	y -= mo <= 2;
	days = (long)(y >= 0 ? y : y - 399) / 400 * 146097;
	{
		long yoe = y - ((long)(y >= 0 ? y : y - 399) / 400) * 400;
		long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days += doe - 719468;
	}
	return (double)days * 86400 + h * 3600 + mi * 60 + sec;
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
	*ts = realloc(*ts, (*n + 1) * sizeof **ts);
	if (*ts == NULL)
		exit(1);
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
	*rs = realloc(*rs, (*n + 1) * sizeof **rs);
	if (*rs == NULL)
		exit(1);
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

	if (!has_rows(e)) {
		sbuf_puts(b, "\nNo events were recorded (no pod replaced, no "
		    "transport restarted).\n");
		return;
	}
	sbuf_puts(b, "\n| time | unit | event | detail |\n"
	    "| --- | --- | --- | --- |\n");
	for (i = 0; i < e->nrows && i < 5 * report_opt.top; i++) {
		sbuf_puts(b, "| ");
		md_cell(b, raw_field(tsv_cell(e, i, tc)));
		sbuf_puts(b, " | ");
		md_cell(b, raw_field(tsv_cell(e, i, uc)));
		sbuf_puts(b, " | ");
		md_cell(b, raw_field(tsv_cell(e, i, ec)));
		sbuf_puts(b, " | ");
		md_cell(b, raw_field(tsv_cell(e, i, dc)));
		sbuf_puts(b, " |\n");
	}
	if (e->nrows > 5 * report_opt.top)
		sbuf_printf(b, "\n%zu more events in events.tsv.\n",
		    e->nrows - 5 * report_opt.top);
}

static void
health(struct sbuf *b, const struct run *r)
{
	const struct tsv *l = &r->log;
	int tc = tsv_col(l, "time"), nc = tsv_col(l, "target");
	int kc = tsv_col(l, "kind"), oc = tsv_col(l, "outcome");
	int fc = tsv_col(l, "file_or_error");
	struct target_stat *ts = NULL;
	struct reason *rs = NULL;
	size_t nts = 0, nrs = 0, i;

	sbuf_puts(b, "\n## Collection health\n");
	if (l->ncols == 0 || oc < 0) {
		sbuf_puts(b, "\nNo collection log in the run directory.\n");
		health_events(b, r);
		return;
	}
	for (i = 0; i < l->nrows; i++) {
		struct target_stat *t = target_of(&ts, &nts,
		    tsv_cell(l, i, nc), tsv_cell(l, i, kc));
		const char *o = tsv_cell(l, i, oc);
		double when = rfc3339(tsv_cell(l, i, tc));

		if (strcmp(o, "ok") == 0) {
			if (t->last_ok >= 0 && when - t->last_ok > t->max_gap)
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
		if (strcmp(o, "error") == 0 || strcmp(o, "retry") == 0)
			count_reason(&rs, &nrs, tsv_cell(l, i, fc));
	}
	sbuf_puts(b, "\n| target | kind | attempts | ok | failed | skipped | "
	    "aborted | retries | longest gap between profiles |\n"
	    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < nts; i++) {
		const struct target_stat *t = &ts[i];

		sbuf_puts(b, "| ");
		md_cell(b, raw_field(t->name));
		sbuf_puts(b, " | ");
		md_cell(b, raw_field(t->kind));
		sbuf_printf(b, " | %ld | %ld | %ld | %ld | %ld | %ld | ",
		    t->ok + t->error + t->skipped + t->aborted, t->ok,
		    t->error, t->skipped, t->aborted, t->retry);
		if (t->ok > 1)
			put_duration(b, t->max_gap);
		else
			sbuf_puts(b, "-");
		sbuf_puts(b, " |\n");
	}
	if (nrs > 0) {
		qsort(rs, nrs, sizeof *rs, cmp_reason);
		sbuf_puts(b, "\nFailures by reason:\n\n");
		for (i = 0; i < nrs && i < report_opt.top; i++) {
			sbuf_printf(b, "- %ld × ", rs[i].count);
			md_cell(b, raw_field(rs[i].text));
			sbuf_putc(b, '\n');
		}
	}
	health_events(b, r);
	free(ts);
	free(rs);
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
	sbuf_put(b, p, (size_t)(end - p));
	sbuf_putc(b, '\n');
}

/* The top n growth suspects, "a (+1.2MB), b (+300kB)". */
static void
suspects(struct sbuf *b, const struct unit *u, size_t n)
{
	const struct tsv *g = &u->growth;
	int gc = tsv_col(g, "growth"), nc = tsv_col(g, "function");
	size_t k, shown = 0;
	double v;

	for (k = 0; k < g->nrows && shown < n; k++) {
		if (tsv_double(g, k, gc, &v) != 0 || v <= 0)
			continue;
		sbuf_puts(b, shown++ ? ", " : "");
		md_code(b, raw_field(tsv_cell(g, k, nc)));
		sbuf_puts(b, " (+");
		put_bytes(b, v);
		sbuf_putc(b, ')');
	}
	if (shown == 0)
		sbuf_puts(b, "none stands out");
}

static int
advise_unit(struct sbuf *b, const struct unit *u)
{
	double slope, r2, peak, p, first, last;
	int n = 0;

	if (steady_growth(u, &slope, &r2, &peak)) {
		sbuf_printf(b, "- **%s: likely leak.** Heap in use grows by ",
		    u->name);
		put_bytes(b, slope);
		sbuf_printf(b, " a minute, R² %.2f (thresholds R² ≥ %.1f, > %.0f%%"
		    " of the peak a minute). Top suspects: ", r2, LEAK_R2,
		    LEAK_SLOPE_PCT);
		suspects(b, u, 3);
		sbuf_puts(b, ". Take heap profiles over a longer run and check "
		    "what holds them (caches without eviction, maps keyed by "
		    "object name, goroutines that never end).\n");
		n++;
	}
	if ((p = share(&u->heap, "OpenAPI", PEAK)) > OPENAPI_PEAK_PCT) {
		sbuf_printf(b, "- **%s: OpenAPI models hold %.1f%% of the peak "
		    "heap** (threshold %.0f%%). Build the OpenAPI schema and "
		    "discovery client once and share them (a memory-cached "
		    "discovery client) instead of per reconcile or per "
		    "request.\n", u->name, p, OPENAPI_PEAK_PCT);
		n++;
	}
	if ((p = share(&u->heap, "informer/cache", PEAK)) >
	    INFORMER_PEAK_PCT) {
		sbuf_printf(b, "- **%s: informer caches hold %.1f%% of the peak "
		    "heap** (threshold %.0f%%). Strip managedFields and unused "
		    "fields with a cache transform, cache metadata only where "
		    "the full object is not read, and narrow what is watched "
		    "with label or field selectors.\n", u->name, p,
		    INFORMER_PEAK_PCT);
		n++;
	}
	if ((p = share(&u->halloc, "JSON", DURING)) > JSON_ALLOC_PCT) {
		sbuf_printf(b, "- **%s: JSON is %.1f%% of the allocation during "
		    "the test** (threshold %.0f%%). Prefer typed clients or "
		    "the protobuf content type to unstructured JSON, and "
		    "decode streams instead of whole buffers.\n", u->name, p,
		    JSON_ALLOC_PCT);
		n++;
	}
	if ((p = share(&u->halloc, "reflection", DURING)) >
	    REFLECT_ALLOC_PCT) {
		sbuf_printf(b, "- **%s: reflection is %.1f%% of the allocation "
		    "during the test** (threshold %.0f%%). Look for "
		    "unstructured conversions and deep copies in hot "
		    "paths.\n", u->name, p, REFLECT_ALLOC_PCT);
		n++;
	}
	if ((p = share(&u->halloc, "YAML", DURING)) > YAML_ALLOC_PCT) {
		sbuf_printf(b, "- **%s: YAML parsing is %.1f%% of the "
		    "allocation during the test** (threshold %.0f%%). Parse "
		    "manifests once and keep the result.\n", u->name, p,
		    YAML_ALLOC_PCT);
		n++;
	}
	if (meta_double(&u->cpu, "cores_mean", &p) == 0 && p > CPU_CORES) {
		sbuf_printf(b, "- **%s: %.2f cores on average** (threshold "
		    "%.1f); see Top CPU consumers for where they go.\n",
		    u->name, p, CPU_CORES);
		n++;
	}
	if (meta_double(&u->gor, "first", &first) == 0 &&
	    meta_double(&u->gor, "last", &last) == 0 && first > 0 &&
	    last - first > first * GOROUTINE_GROWTH_PCT / 100 &&
	    last - first >= 10) {
		sbuf_printf(b, "- **%s: goroutines grew from %.0f to %.0f** "
		    "(threshold +%.0f%%): a goroutine leak shows in the "
		    "goroutine profiles as one stack whose count keeps "
		    "rising.\n", u->name, first, last, GOROUTINE_GROWTH_PCT);
		n++;
	}
	if ((meta_double(&u->heap, "restarts", &p) == 0 ||
	    meta_double(&u->cpu, "restarts", &p) == 0) && p > 0) {
		sbuf_printf(b, "- **%s restarted %.0f time%s during the run.** "
		    "Check test.log and the pod's events for OOMKilled or a "
		    "crash; growth and allocation above are summed per "
		    "process.\n", u->name, p, p > 1 ? "s" : "");
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
	fetch_counts(r, &ok, &failed);
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
