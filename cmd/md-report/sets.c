/*
 * sets - the reports of set-stats' two outputs: the comparison of two
 * sets of runs (set-stats a.tsv b.tsv) and the budget check
 * (set-stats --budget), the verdict table a CI step summary starts with.
 *
 * The numbers are set-stats'; this only reads its TSV and prints each
 * figure in its unit, names as code spans (they come from run
 * directories and budget files: untrusted).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "md.h"
#include "num.h"
#include "report.h"
#include "run.h"


static const struct {
	const char *name, *label;
	enum md_unit kind;
} figures[] = {
	{ "peak_heap", "peak heap in use", MD_BYTES },
	{ "mean_heap", "mean heap in use", MD_BYTES },
	{ "heap_slope", "heap slope", MD_BYTES_MIN },
	{ "alloc_during", "allocated during test", MD_BYTES },
	{ "alloc_per_min", "allocation rate", MD_BYTES_MIN },
	{ "cpu_ns", "CPU used", MD_NANOS },
	{ "cores_mean", "mean cores", MD_CORES },
	{ "goroutines", "goroutines at the end", MD_COUNT },
};
#define NFIGURES (sizeof figures / sizeof figures[0])

/*
 * set-stats' component-level figures: a component with several units
 * has its leader's (leader_FIG) and the sums over its units (sum_FIG).
 */
static const struct {
	const char *prefix, *label;
} scopes[] = {
	{ "leader_", "leader: " },
	{ "sum_", "sum over replicas: " },
};
#define NSCOPES (sizeof scopes / sizeof scopes[0])

/* The scope of fig (an index of scopes[]), or -1 for a unit's figure. */
static int
scope_of(const char *fig)
{
	size_t i;

	for (i = 0; i < NSCOPES; i++)
		if (strncmp(fig, scopes[i].prefix,
		    strlen(scopes[i].prefix)) == 0)
			return (int)i;
	return -1;
}

static enum md_unit
kind_of(const char *fig, const char **label)
{
	int sc = scope_of(fig);
	size_t i;

	if (sc >= 0)
		fig += strlen(scopes[sc].prefix);
	for (i = 0; i < NFIGURES; i++)
		if (strcmp(figures[i].name, fig) == 0) {
			*label = figures[i].label;
			return figures[i].kind;
		}
	*label = NULL;
	return MD_PLAIN;
}

static void
put_label(struct sbuf *b, const char *fig)
{
	const char *label;
	int sc = scope_of(fig);

	kind_of(fig, &label);
	if (label != NULL && sc >= 0)
		sbuf_printf(b, "%s%s", scopes[sc].label, label);
	else if (label != NULL)
		sbuf_puts(b, label);
	else
		md_code(b, fig);
}

/* A cell's number in the figure's unit; "-" when it is not a number. */
static void
put_fig(struct sbuf *b, const char *fig, const char *cell)
{
	const char *label;
	enum md_unit k = kind_of(fig, &label);
	double v;

	if (num_double(cell, &v) != 0) {
		sbuf_puts(b, "-");
		return;
	}
	md_figure(b, k, v);
}

/* The columns of set-stats' output that the reports read. */
static int
cols(const struct tsv *t, const char *const *names, int *c, size_t n,
    const char *path, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((c[i] = tsv_col(t, names[i])) < 0) {
			snprintf(err, errlen, "%s: no column %s: not set-stats "
			    "output", path, names[i]);
			return -1;
		}
	return 0;
}

enum { UNIT, FIG, NA, MEDA, LOA, HIA, CIA, NB, MEDB, LOB, HIB, CIB, DPCT,
	P, METHOD, VERDICT, NCOLS };

static const char *const set_cols[NCOLS] = { "unit", "figure", "n_a",
	"median_a", "ci_low_a", "ci_high_a", "ci%_a", "n_b", "median_b",
	"ci_low_b", "ci_high_b", "ci%_b", "delta%", "p", "method", "verdict" };

/* "12.5MB [10.1MB – 14.0MB, 93.75 %] (5)" */
static void
put_set(struct sbuf *b, const struct tsv *t, size_t r, const int *c, int s)
{
	const char *fig = tsv_cell(t, r, c[FIG]);
	int o = s ? NB - NA : 0;

	if (strcmp(tsv_cell(t, r, c[NA + o]), "0") == 0) {
		sbuf_puts(b, "-");
		return;
	}
	put_fig(b, fig, tsv_cell(t, r, c[MEDA + o]));
	sbuf_puts(b, " [");
	put_fig(b, fig, tsv_cell(t, r, c[LOA + o]));
	sbuf_puts(b, " – ");
	put_fig(b, fig, tsv_cell(t, r, c[HIA + o]));
	sbuf_puts(b, ", ");
	md_text(b, run_raw(tsv_cell(t, r, c[CIA + o])));
	sbuf_puts(b, " %] (");
	md_text(b, run_raw(tsv_cell(t, r, c[NA + o])));
	sbuf_puts(b, ")");
}

static void
set_row(struct sbuf *b, const struct tsv *t, size_t r, const int *c)
{
	const char *v = tsv_cell(t, r, c[VERDICT]);
	int judged = strcmp(v, "regression") == 0 ||
	    strcmp(v, "improvement") == 0;

	sbuf_puts(b, "| ");
	put_label(b, tsv_cell(t, r, c[FIG]));
	sbuf_puts(b, " | ");
	put_set(b, t, r, c, 0);
	sbuf_puts(b, " | ");
	put_set(b, t, r, c, 1);
	sbuf_puts(b, " | ");
	if (strcmp(tsv_cell(t, r, c[DPCT]), "-") != 0) {
		md_text(b, run_raw(tsv_cell(t, r, c[DPCT])));
		sbuf_puts(b, " %");
	} else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	md_text(b, run_raw(tsv_cell(t, r, c[P])));
	if (strcmp(tsv_cell(t, r, c[METHOD]), "-") != 0) {
		sbuf_puts(b, " (");
		md_text(b, run_raw(tsv_cell(t, r, c[METHOD])));
		sbuf_puts(b, ")");
	}
	sbuf_puts(b, judged ? " | **" : " | ");
	md_text(b, run_raw(v));
	sbuf_puts(b, judged ? "** |\n" : " |\n");
}

/* The judged figures as a sentence list, for the top of the report. */
static size_t
findings(struct sbuf *b, const struct tsv *t, const int *c)
{
	size_t r, n = 0;

	for (r = 0; r < t->nrows; r++) {
		const char *v = tsv_cell(t, r, c[VERDICT]);

		if (strcmp(v, "regression") != 0 &&
		    strcmp(v, "improvement") != 0)
			continue;
		sbuf_puts(b, "- ");
		md_code(b, run_raw(tsv_cell(t, r, c[UNIT])));
		sbuf_puts(b, ": ");
		put_label(b, tsv_cell(t, r, c[FIG]));
		sbuf_printf(b, " **%s**, ", v);
		put_fig(b, tsv_cell(t, r, c[FIG]), tsv_cell(t, r, c[MEDA]));
		sbuf_puts(b, " → ");
		put_fig(b, tsv_cell(t, r, c[FIG]), tsv_cell(t, r, c[MEDB]));
		sbuf_puts(b, " (median), p = ");
		md_text(b, run_raw(tsv_cell(t, r, c[P])));
		sbuf_puts(b, "\n");
		n++;
	}
	return n;
}

/*
 * A table per unit of its rows: the component-level ones (comp) or the
 * units' own; the number of rows put.
 */
static size_t
set_tables(struct sbuf *b, const struct tsv *t, const int *c, int comp,
    const struct sbuf *pbdir)
{
	const char *unit = NULL, *href;
	size_t r, n = 0;

	for (r = 0; r < t->nrows; r++) {
		const char *u = tsv_cell(t, r, c[UNIT]);

		if ((scope_of(tsv_cell(t, r, c[FIG])) >= 0) != comp)
			continue;
		if (unit == NULL || strcmp(unit, u) != 0) {
			sbuf_puts(b, "\n## ");
			md_code(b, run_raw(u));
			sbuf_puts(b, comp ? " (component)" : "");
			sbuf_puts(b, "\n\n");
			if (!comp && pbdir->len > 0) {
				href = strrchr(pbdir->s, '/');
				href = href != NULL ? href + 1 : pbdir->s;
				run_pprof_link(b, pbdir->s, href, run_raw(u),
				    "cpu", "CPU, B with A as its diff base");
				run_pprof_link(b, pbdir->s, href, run_raw(u),
				    "heap-peak", "heap at the peak, B with A "
				    "as its diff base");
			}
			sbuf_puts(b, "| figure | A: median [95 % CI] "
			    "(runs) | B: median [95 % CI] (runs) | change | "
			    "p | verdict |\n| --- | --- | --- | --- | --- | "
			    "--- |\n");
			unit = u;
		}
		set_row(b, t, r, c);
		n++;
	}
	return n;
}

int
report_sets(struct sbuf *b, const char *name_a, const char *name_b,
    const char *path, char *err, size_t errlen)
{
	struct tsv t;
	int c[NCOLS];
	size_t r, nf, ncomp, len, few = 0;
	struct sbuf pbdir = SBUF_INIT;

	if (tsv_load(&t, path, err, errlen) != 0) {
		tsv_free(&t);
		return -1;
	}
	if (cols(&t, set_cols, c, NCOLS, path, err, errlen) != 0) {
		tsv_free(&t);
		return -1;
	}
	sbuf_puts(b, "# ");
	md_text(b, name_a);
	sbuf_puts(b, " vs ");
	md_text(b, name_b);
	sbuf_puts(b, ": two sets of runs\n\n");
	nf = findings(b, &t, c);
	for (r = 0; r < t.nrows; r++)
		few += strcmp(tsv_cell(&t, r, c[VERDICT]), "too few runs") == 0;
	if (few > 0)
		sbuf_printf(b, "%s%zu of %zu figures: too few runs for the test "
		    "to decide (4 runs a side are the least that can reach "
		    "p < 0.05).\n", nf > 0 ? "\n" : "", few, t.nrows);
	else if (nf == 0)
		sbuf_puts(b, "No figure changed beyond noise with p < 0.05.\n");
	/* e2e-profile compare writes PAIR.pprof/ beside PAIR.stats.tsv. */
	if ((len = strlen(path)) > strlen(".stats.tsv") &&
	    strcmp(path + len - strlen(".stats.tsv"), ".stats.tsv") == 0)
		sbuf_printf(&pbdir, "%.*s.pprof",
		    (int)(len - strlen(".stats.tsv")), path);
	if (pbdir.oom)
		pbdir.len = 0;
	ncomp = set_tables(b, &t, c, 1, &pbdir);
	set_tables(b, &t, c, 0, &pbdir);
	sbuf_printf(b, "\nEach figure is the median of the runs of its set "
	    "(A the first, B the second). The interval is the distribution-free "
	    "confidence interval of the median (order statistics; below six "
	    "runs no interval reaches 95 %% and the range is shown at its "
	    "own coverage). p is a two-sided Mann-Whitney U test. A change "
	    "is a regression or an improvement only when p < 0.05 and it "
	    "exceeds %g %% of A and the figure's floor (1 MB, 1 MB/min, "
	    "0.5 s of CPU, 0.05 cores, 5 goroutines); *too few runs*: sets "
	    "that small cannot reach p < 0.05 (4 runs a side can).\n",
	    report_opt.noise);
	if (ncomp > 0)
		sbuf_puts(b, "\nA component of several replicas is compared "
		    "as a whole first: its leader's figures (the unit that "
		    "held the lease the longest in each run) and each figure "
		    "summed over its replicas (a run of one replica counts "
		    "its unit as both). A sum of peak heaps is an upper bound "
		    "of the component's peak: the replicas need not peak "
		    "together.\n");
	sbuf_free(&pbdir);
	tsv_free(&t);
	return 0;
}

enum { BUNIT, BFIG, BVALUE, BLIMIT, BBASE, BALLOWED, BVERDICT, BNCOLS };

static const char *const budget_cols[BNCOLS] = { "unit", "figure", "value",
	"limit", "baseline", "allowed", "verdict" };

int
report_budget(struct sbuf *b, const char *run, const char *path, char *err,
    size_t errlen)
{
	struct tsv t;
	int c[BNCOLS];
	size_t r, over = 0, missing = 0;

	if (tsv_load(&t, path, err, errlen) != 0) {
		tsv_free(&t);
		return -1;
	}
	if (cols(&t, budget_cols, c, BNCOLS, path, err, errlen) != 0) {
		tsv_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows; r++) {
		const char *v = tsv_cell(&t, r, c[BVERDICT]);

		over += strcmp(v, "over") == 0;
		missing += strcmp(v, "ok") != 0 && strcmp(v, "over") != 0;
	}
	sbuf_puts(b, "# e2e-profile check: ");
	md_text(b, run);
	if (over > 0)
		sbuf_printf(b, ": ❌ %zu of %zu budgets exceeded\n\n", over,
		    t.nrows);
	else if (missing > 0)
		sbuf_printf(b, ": ⚠️ %zu of %zu budgets without data\n\n",
		    missing, t.nrows);
	else
		sbuf_printf(b, ": ✅ all %zu budgets hold\n\n", t.nrows);
	sbuf_puts(b, "| | unit | figure | value | allowed | limit | "
	    "baseline | verdict |\n| --- | --- | --- | --- | --- | --- | --- "
	    "| --- |\n");
	for (r = 0; r < t.nrows; r++) {
		const char *fig = tsv_cell(&t, r, c[BFIG]);
		const char *v = tsv_cell(&t, r, c[BVERDICT]);

		sbuf_puts(b, strcmp(v, "ok") == 0 ? "| ✅ | " :
		    strcmp(v, "over") == 0 ? "| ❌ | " : "| ⚠️ | ");
		md_code(b, run_raw(tsv_cell(&t, r, c[BUNIT])));
		sbuf_puts(b, " | ");
		put_label(b, fig);
		sbuf_puts(b, " | ");
		put_fig(b, fig, tsv_cell(&t, r, c[BVALUE]));
		sbuf_puts(b, " | ");
		put_fig(b, fig, tsv_cell(&t, r, c[BALLOWED]));
		sbuf_puts(b, " | ");
		put_fig(b, fig, tsv_cell(&t, r, c[BLIMIT]));
		sbuf_puts(b, " | ");
		put_fig(b, fig, tsv_cell(&t, r, c[BBASE]));
		sbuf_puts(b, " | ");
		md_text(b, run_raw(v));
		sbuf_puts(b, " |\n");
	}
	tsv_free(&t);
	return 0;
}
