/*
 * compare - the two-run report: an overview per unit with a verdict per
 * figure, both timelines in one chart, the top allocator and CPU diffs,
 * the category shares side by side, and key findings in sentences.
 *
 * A change is "within noise" when it is at most report_opt.noise percent
 * of A's value, or smaller than the figure's own floor (a megabyte of
 * heap, half a second of CPU, five goroutines): a test's numbers move that
 * much between two runs of the same code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "num.h"
#include "report.h"

enum fmt { BYTES, BYTES_MIN, NANOS, CORES, COUNT };

/* One figure of the overview: how to read it from a unit. */
struct figure {
	const char *label;
	enum fmt fmt;
	double floor;		/* smaller changes are noise */
	int lower_is_better;
	int (*get)(const struct unit *u, double *v);
};

static int
meta_of(const struct tsv *t, const char *key, double *v)
{
	return has_rows(t) ? meta_double(t, key, v) : -1;
}

static int
peak_heap(const struct unit *u, double *v)
{
	return meta_of(&u->heap, "peak", v);
}

static int
mean_heap(const struct unit *u, double *v)
{
	int col = series_value_col(&u->heap);
	double x, sum = 0;
	size_t i;

	if (!has_rows(&u->heap) || col < 0)
		return -1;
	for (i = 0; i < u->heap.nrows; i++)
		if (tsv_double(&u->heap, i, col, &x) == 0)
			sum += x;
	*v = sum / (double)u->heap.nrows;
	return 0;
}

static int
slope(const struct unit *u, double *v)
{
	return meta_of(&u->heap, "slope_per_min", v);
}

static int
alloc_during(const struct unit *u, double *v)
{
	return meta_of(&u->heap, "alloc_space_during", v);
}

static int
cpu_used(const struct unit *u, double *v)
{
	return meta_of(&u->cpu, "cpu_ns", v);
}

static int
cores_mean(const struct unit *u, double *v)
{
	return meta_of(&u->cpu, "cores_mean", v);
}

static int
goroutines(const struct unit *u, double *v)
{
	return meta_of(&u->gor, "last", v);
}

static int
profiles(const struct unit *u, double *v)
{
	*v = (double)(u->heap.nrows + u->cpu.nrows + u->gor.nrows);
	return *v > 0 ? 0 : -1;
}

static const struct figure figures[] = {
	{ "peak heap in use", BYTES, 1048576, 1, peak_heap },
	{ "mean heap in use", BYTES, 1048576, 1, mean_heap },
	{ "heap slope", BYTES_MIN, 1048576, 1, slope },
	{ "allocated during test", BYTES, 1048576, 1, alloc_during },
	{ "CPU used", NANOS, 5e8, 1, cpu_used },
	{ "mean cores", CORES, 0.05, 1, cores_mean },
	{ "goroutines at the end", COUNT, 5, 1, goroutines },
	{ "profiles", COUNT, 0, 0, profiles },
};
#define NFIGURES (sizeof figures / sizeof figures[0])

static void
put_value(struct sbuf *b, enum fmt f, double v)
{
	switch (f) {
	case BYTES:
		put_bytes(b, v);
		break;
	case BYTES_MIN:
		put_bytes(b, v);
		sbuf_puts(b, "/min");
		break;
	case NANOS:
		put_nanos(b, v);
		break;
	case CORES:
		sbuf_printf(b, "%.2f", v);
		break;
	case COUNT:
		sbuf_printf(b, "%.0f", v);
		break;
	}
}

static void
put_change(struct sbuf *b, enum fmt f, double d)
{
	sbuf_puts(b, d > 0 ? "+" : d < 0 ? "-" : "±");
	put_value(b, f, fabs(d));
}

/* "regression", "improvement", "within noise", or NULL: not judged. */
static const char *
verdict(const struct figure *f, double a, double v)
{
	double d = v - a;

	if (!f->lower_is_better)
		return NULL;
	if (fabs(d) < f->floor ||
	    (a != 0 && fabs(d) / fabs(a) * 100 <= report_opt.noise))
		return "within noise";
	return d > 0 ? "regression" : "improvement";
}

static void
run_line(struct sbuf *b, const char *label, const struct run *r)
{
	const char *st = run_info(r, "exit_status", "-");
	double dur;

	sbuf_printf(b, "- %s: `%s`, `make %s`, ", label,
	    run_info(r, "name", r->name), run_info(r, "target", "?"));
	if (strcmp(st, "-") == 0)
		sbuf_puts(b, "interrupted");
	else
		sbuf_printf(b, "exit status %s", st);
	if (num_double(run_info(r, "duration_s", ""), &dur) == 0) {
		sbuf_puts(b, ", ran ");
		put_duration(b, dur);
	}
	sbuf_printf(b, ", started %s\n", run_info(r, "started", "?"));
}

/* The sorted union of both runs' unit names. */
static size_t
unit_names(const struct run *a, const struct run *b, const char ***out)
{
	const char **n = calloc(a->nunits + b->nunits + 1, sizeof *n);
	size_t i, k, cnt = 0;

	if (n == NULL)
		exit(1);
	for (i = 0; i < a->nunits; i++)
		n[cnt++] = a->units[i].name;
	for (i = 0; i < b->nunits; i++) {
		for (k = 0; k < cnt && strcmp(n[k], b->units[i].name); k++)
			;
		if (k == cnt)
			n[cnt++] = b->units[i].name;
	}
	for (i = 1; i < cnt; i++)
		for (k = i; k > 0 && strcmp(n[k - 1], n[k]) > 0; k--) {
			const char *t = n[k];

			n[k] = n[k - 1];
			n[k - 1] = t;
		}
	*out = n;
	return cnt;
}

static void
overview(struct sbuf *b, struct sbuf *findings, const char *name,
    const struct unit *ua, const struct unit *ub, int *nfind)
{
	size_t i;

	sbuf_printf(b, "\n### %s\n\n", name);
	if (ua == NULL || ub == NULL) {
		sbuf_printf(b, "Profiled only in %s.\n", ua ? "A" : "B");
		return;
	}
	for (i = 0; i < NFIGURES; i++) {
		double a, v;

		if (figures[i].get(ua, &a) == 0 || figures[i].get(ub, &v) == 0)
			break;
	}
	if (i == NFIGURES) {
		sbuf_puts(b, "No profiles in either run.\n");
		return;
	}
	sbuf_puts(b, "| figure | A | B | change | % | verdict |\n"
	    "| --- | ---: | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < NFIGURES; i++) {
		const struct figure *f = &figures[i];
		double a, v;
		int ha = f->get(ua, &a) == 0, hb = f->get(ub, &v) == 0;
		const char *vd;

		if (!ha && !hb)
			continue;
		sbuf_printf(b, "| %s | ", f->label);
		if (ha)
			put_value(b, f->fmt, a);
		else
			sbuf_puts(b, "-");
		sbuf_puts(b, " | ");
		if (hb)
			put_value(b, f->fmt, v);
		else
			sbuf_puts(b, "-");
		sbuf_puts(b, " | ");
		if (!ha || !hb) {
			sbuf_puts(b, "- | - | - |\n");
			continue;
		}
		put_change(b, f->fmt, v - a);
		sbuf_puts(b, " | ");
		md_percent_change(b, a, v);
		vd = verdict(f, a, v);
		sbuf_printf(b, " | %s |\n", vd != NULL ? vd : "-");
		if (vd == NULL || strcmp(vd, "within noise") == 0)
			continue;
		(*nfind)++;
		sbuf_printf(findings, "- **%s**: %s %s from ", name, f->label,
		    v > a ? "rose" : "fell");
		put_value(findings, f->fmt, a);
		sbuf_puts(findings, " to ");
		put_value(findings, f->fmt, v);
		sbuf_puts(findings, " (");
		md_percent_change(findings, a, v);
		sbuf_printf(findings, "): %s.\n", vd);
	}
}

/* Both runs' heap in use on one time grid, one line each. */
static void
overlay(struct sbuf *b, const char *name, const struct unit *ua,
    const struct unit *ub)
{
	const struct tsv *t[2] = { &ua->heap, &ub->heap };
	double *x[2], *y[2], end = 0, *gx, *gy[2];
	const double *ys[2];
	size_t npts = report_opt.points, s, i;
	char title[256];

	for (s = 0; s < 2; s++) {
		x[s] = column(t[s], tsv_col(t[s], "elapsed_ns"));
		y[s] = column(t[s], series_value_col(t[s]));
		for (i = 0; i < t[s]->nrows; i++)
			x[s][i] /= 1e9;
		if (t[s]->nrows > 0 && x[s][t[s]->nrows - 1] > end)
			end = x[s][t[s]->nrows - 1];
	}
	if (npts > t[0]->nrows && npts > t[1]->nrows)
		npts = t[0]->nrows > t[1]->nrows ? t[0]->nrows : t[1]->nrows;
	gx = calloc(npts + 1, sizeof *gx);
	if (gx == NULL)
		exit(1);
	for (s = 0; s < 2; s++) {
		if ((gy[s] = calloc(npts + 1, sizeof *gy[s])) == NULL)
			exit(1);
		/* A one-point run still needs an end for its buckets. */
		md_bucket_max(x[s], y[s], t[s]->nrows, end > 0 ? end : 1, npts,
		    gx, gy[s]);
		ys[s] = gy[s];
	}
	snprintf(title, sizeof title, "%s: heap in use (MB), first line A, "
	    "second line B", name);
	sbuf_printf(b, "\n### %s\n\n", name);
	md_xychart(b, title, "elapsed (s)", "MB", gx, ys, 2, npts, 1048576.0);
	sbuf_printf(b, "\nEach point is the highest value of its time bucket; "
	    "a run that ended earlier keeps its last value to the end.\n");
	for (s = 0; s < 2; s++) {
		free(x[s]);
		free(y[s]);
		free(gy[s]);
	}
	free(gx);
}

static void
diff_table(struct sbuf *b, const char *diffdir, const char *name,
    const char *kind, const char *title, enum fmt f)
{
	size_t n = strlen(diffdir) + strlen(name) + strlen(kind) + 3, i, shown;
	char *path = malloc(n), err[512];
	struct tsv t;
	int ac, bc, dc, pc, nc;

	if (path == NULL)
		exit(1);
	snprintf(path, n, "%s/%s%s", diffdir, name, kind);
	sbuf_printf(b, "\n### %s: %s\n\n", name, title);
	if (tsv_load(&t, path, err, sizeof err) != 0) {
		if (t.missing)
			sbuf_puts(b, "No diff: one of the runs has no such "
			    "profiles.\n");
		else
			sbuf_printf(b, "Unreadable diff: %s\n", err);
		tsv_free(&t);
		free(path);
		return;
	}
	free(path);
	ac = tsv_col(&t, "flat_a");
	bc = tsv_col(&t, "flat_b");
	dc = tsv_col(&t, "flat_delta");
	pc = tsv_col(&t, "flat_delta%");
	nc = tsv_col(&t, "function");
	sbuf_puts(b, "| function | A | B | change | % |\n"
	    "| --- | ---: | ---: | ---: | ---: |\n");
	for (i = 0, shown = 0; i < t.nrows && shown < report_opt.top; i++) {
		double va = 0, vb = 0, d = 0;

		tsv_double(&t, i, ac, &va);
		tsv_double(&t, i, bc, &vb);
		if (tsv_double(&t, i, dc, &d) != 0 || d == 0)
			continue;
		shown++;
		sbuf_puts(b, "| ");
		md_name(b, raw_field(tsv_cell(&t, i, nc)), 70);
		sbuf_puts(b, " | ");
		put_value(b, f, va);
		sbuf_puts(b, " | ");
		put_value(b, f, vb);
		sbuf_puts(b, " | ");
		put_change(b, f, d);
		sbuf_puts(b, " | ");
		if (strcmp(tsv_cell(&t, i, pc), "-") == 0)
			sbuf_puts(b, "new |\n");
		else
			sbuf_printf(b, "%s%% |\n", tsv_cell(&t, i, pc));
	}
	if (shown == 0)
		sbuf_puts(b, "| no difference | | | | |\n");
	tsv_free(&t);
}

static void
share_pair(struct sbuf *b, double a, double v)
{
	if (a < 0)
		sbuf_puts(b, "- | ");
	else
		sbuf_printf(b, "%.1f%% | ", a);
	if (v < 0)
		sbuf_puts(b, "- | ");
	else
		sbuf_printf(b, "%.1f%% | ", v);
	if (a < 0 || v < 0)
		sbuf_puts(b, "- |");
	else
		sbuf_printf(b, "%+.1f pp |", v - a);
}

static void
categories(struct sbuf *b, const char *name, const struct unit *ua,
    const struct unit *ub)
{
	struct cats c = { NULL, 0 };
	size_t k;

	cats_of(&ua->heap, &c);
	cats_of(&ub->heap, &c);
	cats_of(&ua->cpu, &c);
	cats_of(&ub->cpu, &c);
	sbuf_printf(b, "\n### %s\n\n", name);
	if (c.n == 0) {
		sbuf_puts(b, "No categorised profiles.\n");
		return;
	}
	sbuf_puts(b, "| category | A: peak heap | B: peak heap | change | "
	    "A: CPU | B: CPU | change |\n| --- | ---: | ---: | ---: | ---: | "
	    "---: | ---: |\n");
	for (k = 0; k < c.n; k++) {
		sbuf_puts(b, "| ");
		md_cell(b, c.names[k]);
		sbuf_puts(b, " | ");
		share_pair(b, share(&ua->heap, c.names[k], PEAK),
		    share(&ub->heap, c.names[k], PEAK));
		sbuf_puts(b, " ");
		share_pair(b, share(&ua->cpu, c.names[k], SUM),
		    share(&ub->cpu, c.names[k], SUM));
		sbuf_putc(b, '\n');
	}
	free(c.names);
}

void
report_compare(struct sbuf *b, const struct run *a, const struct run *bb,
    const char *diffdir)
{
	struct sbuf findings = SBUF_INIT;
	const char **names;
	size_t n = unit_names(a, bb, &names), i;
	int nfind = 0;

	sbuf_printf(b, "# e2e profile comparison: %s vs %s\n\n",
	    run_info(a, "name", a->name), run_info(bb, "name", bb->name));
	run_line(b, "A", a);
	run_line(b, "B", bb);
	sbuf_printf(b, "\nA change is *within noise* when it is at most "
	    "%.0f%% of A's value or below the figure's floor (1 MB of heap, "
	    "0.5 s of CPU, 0.05 cores, 5 goroutines).\n", report_opt.noise);
	sbuf_puts(b, "\n## Overview\n");
	for (i = 0; i < n; i++)
		overview(b, &findings, names[i], run_unit(a, names[i]),
		    run_unit(bb, names[i]), &nfind);
	sbuf_puts(b, "\n## Memory timelines\n");
	for (i = 0; i < n; i++) {
		const struct unit *ua = run_unit(a, names[i]);
		const struct unit *ub = run_unit(bb, names[i]);

		if (ua != NULL && ub != NULL && has_rows(&ua->heap) &&
		    has_rows(&ub->heap))
			overlay(b, names[i], ua, ub);
	}
	sbuf_puts(b, "\n## Top allocators at the peak\n");
	for (i = 0; i < n; i++)
		diff_table(b, diffdir, names[i], ".heap.peak.diff.tsv",
		    "heap in use at the peak, by function", BYTES);
	sbuf_puts(b, "\n## CPU\n");
	for (i = 0; i < n; i++)
		diff_table(b, diffdir, names[i], ".cpu.top.diff.tsv",
		    "CPU by function, all windows", NANOS);
	sbuf_puts(b, "\n## Categories\n");
	for (i = 0; i < n; i++) {
		const struct unit *ua = run_unit(a, names[i]);
		const struct unit *ub = run_unit(bb, names[i]);

		if (ua != NULL && ub != NULL)
			categories(b, names[i], ua, ub);
	}
	sbuf_puts(b, "\n## Key findings\n\n");
	if (nfind > 0)
		sbuf_put(b, findings.s, findings.len);
	else
		sbuf_puts(b, "Every figure is within noise.\n");
	sbuf_free(&findings);
	free(names);
}
