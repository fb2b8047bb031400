/*
 * compare - the two-run report: per component, the leader's figures and
 * the sum over its replicas, then replica by replica where both runs
 * have them; both timelines in one chart, the top allocator and CPU
 * diffs, the category shares side by side, and key findings in
 * sentences.
 *
 * Runs differ in length, so the verdicts are on levels and rates (peak
 * and mean heap, slope, allocation per minute, mean cores, goroutines);
 * totals are shown beside them and not judged. A change is "within
 * noise" when it is at most report_opt.noise percent of A's value, or
 * smaller than the figure's own floor (a megabyte of heap, a megabyte a
 * minute, 0.05 cores, five goroutines): a test's numbers move that much
 * between two runs of the same code.
 *
 * Units are matched by component (units.tsv, or the fallback of
 * run_load) and, within a component, by role: the leader first, then the
 * others by name.
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


/* What a change of the figure means: a level or rate is judged (lower
 * is better), a total follows the run's length, a count is context. */
enum judge { CONTEXT, JUDGED, TOTAL };

/* One figure of the overview: how to read it from a unit. */
struct figure {
	const char *label;
	enum md_unit fmt;
	double floor;		/* smaller changes are noise */
	enum judge judge;
	int (*get)(const struct run *r, const struct unit *u, double *v);
};

static int
meta_of(const struct tsv *t, const char *key, double *v)
{
	return run_has_rows(t) ? run_meta_double(t, key, v) : -1;
}

static int
peak_heap(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return meta_of(&u->heap, "peak", v);
}

static int
mean_heap(const struct run *r, const struct unit *u, double *v)
{
	int col = run_value_col(&u->heap);
	double x, sum = 0;
	size_t i;

	(void)r;
	if (!run_has_rows(&u->heap) || col < 0)
		return -1;
	for (i = 0; i < u->heap.nrows; i++)
		if (tsv_double(&u->heap, i, col, &x) == 0)
			sum += x;
	*v = sum / (double)u->heap.nrows;
	return 0;
}

static int
slope(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return meta_of(&u->heap, "slope_per_min", v);
}

static int
alloc_rate(const struct run *r, const struct unit *u, double *v)
{
	double a, m = run_covered_minutes(&u->heap);

	(void)r;
	if (meta_of(&u->heap, "alloc_space_during", &a) != 0 || m <= 0)
		return -1;
	*v = a / m;
	return 0;
}

static int
alloc_during(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return meta_of(&u->heap, "alloc_space_during", v);
}

static int
cores_mean(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return run_mean_cores(u, v);
}

static int
cpu_sampled(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return meta_of(&u->cpu, "cpu_ns", v);
}

/* Mean cores times the run's duration: the whole run's CPU, estimated. */
static int
cpu_estimate(const struct run *r, const struct unit *u, double *v)
{
	double c, d;

	if (cores_mean(r, u, &c) != 0 ||
	    num_double(run_info(r, "duration_s", ""), &d) != 0 || d <= 0)
		return -1;
	*v = c * d * 1e9;
	return 0;
}

static int
goroutines(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	return meta_of(&u->gor, "last", v);
}

static int
restart_count(const struct run *r, const struct unit *u, double *v)
{
	int n = run_restarts(u);

	(void)r;
	*v = n;
	return n >= 0 ? 0 : -1;
}

static int
profiles(const struct run *r, const struct unit *u, double *v)
{
	(void)r;
	*v = (double)(u->heap.nrows + u->cpu.nrows + u->gor.nrows);
	return *v > 0 ? 0 : -1;
}

static const struct figure figures[] = {
	{ "peak heap in use", MD_BYTES, 1048576, JUDGED, peak_heap },
	{ "mean heap in use", MD_BYTES, 1048576, JUDGED, mean_heap },
	{ "heap slope (within processes)", MD_BYTES_MIN, 1048576, JUDGED, slope },
	{ "allocation rate", MD_BYTES_MIN, 1048576, JUDGED, alloc_rate },
	{ "allocated during test", MD_BYTES, 0, TOTAL, alloc_during },
	{ "mean cores (sampled windows)", MD_CORES, 0.05, JUDGED, cores_mean },
	{ "CPU in the sampled windows", MD_NANOS, 0, TOTAL, cpu_sampled },
	{ "CPU over the run (estimated)", MD_NANOS, 0, TOTAL, cpu_estimate },
	{ "goroutines at the end", MD_COUNT, 5, JUDGED, goroutines },
	{ "restarts", MD_COUNT, 0, CONTEXT, restart_count },
	{ "profiles", MD_COUNT, 0, CONTEXT, profiles },
};
#define NFIGURES (sizeof figures / sizeof figures[0])

static void
put_change(struct sbuf *b, enum md_unit f, double d)
{
	sbuf_puts(b, d > 0 ? "+" : d < 0 ? "-" : "±");
	md_figure(b, f, fabs(d));
}

/* "regression", "improvement", "within noise", or NULL: not judged. */
static const char *
verdict(const struct figure *f, double a, double v)
{
	double d = v - a;

	if (f->judge != JUDGED)
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

	sbuf_printf(b, "- %s: ", label);
	md_code(b, run_info(r, "name", r->name));
	sbuf_puts(b, ", ");
	run_make_cmd(b, r);
	sbuf_puts(b, ", ");
	if (strcmp(st, "-") == 0)
		sbuf_puts(b, "interrupted");
	else {
		sbuf_puts(b, "exit status ");
		md_text(b, st);
	}
	if (num_double(run_info(r, "duration_s", ""), &dur) == 0) {
		sbuf_puts(b, ", ran ");
		md_duration(b, dur);
	}
	sbuf_puts(b, ", started ");
	md_text(b, run_info(r, "started", "?"));
	sbuf_putc(b, '\n');
}

/* The units of one component in one run, leader first. */
struct group {
	const struct unit **u;
	size_t n;
};

static int
role_rank(const char *role)
{
	if (strcmp(role, "leader") == 0)
		return 0;
	if (strcmp(role, "single") == 0)
		return 1;
	if (strcmp(role, "standby") == 0)
		return 2;
	return 3;
}

static int
cmp_role(const void *a, const void *b)
{
	const struct unit *x = *(const struct unit *const *)a;
	const struct unit *y = *(const struct unit *const *)b;
	int rx = role_rank(x->role), ry = role_rank(y->role);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
group_of(const struct run *r, const char *component, struct group *g)
{
	size_t i;

	g->u = xrealloc(NULL, (r->nunits + 1) * sizeof *g->u);
	g->n = 0;
	for (i = 0; i < r->nunits; i++)
		if (strcmp(r->units[i].component, component) == 0)
			g->u[g->n++] = &r->units[i];
	qsort(g->u, g->n, sizeof *g->u, cmp_role);
}

/* The sorted union of both runs' component names. */
static size_t
component_names(const struct run *a, const struct run *b, const char ***out)
{
	const char **n = xrealloc(NULL,
	    (a->nunits + b->nunits + 1) * sizeof *n);
	const struct run *runs[2] = { a, b };
	size_t i, k, s, cnt = 0;

	for (s = 0; s < 2; s++)
		for (i = 0; i < runs[s]->nunits; i++) {
			const char *c = runs[s]->units[i].component;

			for (k = 0; k < cnt && strcmp(n[k], c) != 0; k++)
				;
			if (k == cnt)
				n[cnt++] = c;
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

/* What the comparison found, and what it could not compare. */
struct outcome {
	struct sbuf findings, missing;
	int nfind, ncompared;
};

static void
finding(struct outcome *o, const char *what, const struct figure *f,
    double a, double v, const char *vd)
{
	struct sbuf *b = &o->findings;

	o->nfind++;
	sbuf_printf(b, "- **%s**: %s %s from ", what, f->label,
	    v > a ? "rose" : "fell");
	md_figure(b, f->fmt, a);
	sbuf_puts(b, " to ");
	md_figure(b, f->fmt, v);
	sbuf_puts(b, " (");
	md_percent_change(b, a, v);
	sbuf_printf(b, "): %s.\n", vd);
}

/* A, B, change, %, verdict of one figure ("- |" cells when absent). */
static void
figure_cells(struct sbuf *b, struct outcome *o, const char *what,
    const struct figure *f, int ha, double a, int hb, double v, int pct)
{
	const char *vd;

	if (ha)
		md_figure(b, f->fmt, a);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (hb)
		md_figure(b, f->fmt, v);
	else
		sbuf_puts(b, "-");
	sbuf_puts(b, " | ");
	if (!ha || !hb) {
		sbuf_puts(b, pct ? "- | - | -" : "- | -");
		return;
	}
	put_change(b, f->fmt, v - a);
	if (pct) {
		sbuf_puts(b, " | ");
		md_percent_change(b, a, v);
	}
	vd = verdict(f, a, v);
	sbuf_printf(b, " | %s", vd != NULL ? vd : f->judge == TOTAL ?
	    "a total: see the rate" : "-");
	if (vd != NULL && strcmp(vd, "within noise") != 0)
		finding(o, what, f, a, v, vd);
}

static int
any_figure(const struct run *a, const struct unit *ua, const struct run *bb,
    const struct unit *ub)
{
	size_t i;
	double v;

	for (i = 0; i < NFIGURES; i++)
		if (figures[i].get(a, ua, &v) == 0 ||
		    figures[i].get(bb, ub, &v) == 0)
			return 1;
	return 0;
}

/* One unit of A against one of B. */
static void
overview(struct sbuf *b, struct outcome *o, const struct run *a,
    const struct unit *ua, const struct run *bb, const struct unit *ub)
{
	struct sbuf what = SBUF_INIT;
	size_t i;

	md_text(&what, ua->name);
	if (strcmp(ua->name, ub->name) != 0) {
		sbuf_puts(&what, " vs ");
		md_text(&what, ub->name);
	}
	if (!any_figure(a, ua, bb, ub)) {
		sbuf_puts(b, "No profiles in either run.\n");
		sbuf_free(&what);
		return;
	}
	o->ncompared++;
	sbuf_puts(b, "| figure | A | B | change | % | verdict |\n"
	    "| --- | ---: | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < NFIGURES; i++) {
		const struct figure *f = &figures[i];
		double va = 0, vb = 0;
		int ha = f->get(a, ua, &va) == 0, hb = f->get(bb, ub, &vb) == 0;

		if (!ha && !hb)
			continue;
		sbuf_printf(b, "| %s | ", f->label);
		figure_cells(b, o, what.s, f, ha, va, hb, vb, 1);
		sbuf_puts(b, " |\n");
	}
	sbuf_free(&what);
}

/* The sum of a figure over a group's units that have it; 0 or -1. */
static int
group_sum(const struct figure *f, const struct run *r, const struct group *g,
    double *v)
{
	size_t i;
	double x;
	int any = 0;

	*v = 0;
	for (i = 0; i < g->n; i++)
		if (f->get(r, g->u[i], &x) == 0) {
			*v += x;
			any = 1;
		}
	return any ? 0 : -1;
}

static const char *
lead_word(const struct group *g)
{
	return strcmp(g->u[0]->role, "leader") == 0 ? "leader" :
	    g->n > 1 ? "first replica" : "only unit";
}

/* A component with replicas in either run: leaders and sums. */
static void
component_table(struct sbuf *b, struct outcome *o, const char *name,
    const struct run *a, const struct group *ga, const struct run *bb,
    const struct group *gb)
{
	struct sbuf lw = SBUF_INIT, sw = SBUF_INIT;
	size_t i;

	sbuf_printf(b, "A has %zu replica%s, B %zu. The leader (or, with the "
	    "leader unknown, the first replica by name) against the leader, "
	    "and the sum over replicas against the sum:\n\n- A's %s: ",
	    ga->n, ga->n > 1 ? "s" : "", gb->n, lead_word(ga));
	md_code(b, ga->u[0]->name);
	sbuf_printf(b, "\n- B's %s: ", lead_word(gb));
	md_code(b, gb->u[0]->name);
	sbuf_puts(b, "\n\n| figure | A: leader | B: leader | change | verdict "
	    "| A: sum | B: sum | change | verdict |\n| --- | ---: | ---: | ---: "
	    "| --- | ---: | ---: | ---: | --- |\n");
	md_text(&lw, name);
	sbuf_puts(&lw, "'s leader");
	md_text(&sw, name);
	sbuf_puts(&sw, ", summed over replicas");
	o->ncompared++;
	for (i = 0; i < NFIGURES; i++) {
		const struct figure *f = &figures[i];
		double la = 0, lb = 0, sa = 0, sb = 0;
		int hla = f->get(a, ga->u[0], &la) == 0;
		int hlb = f->get(bb, gb->u[0], &lb) == 0;
		int hsa = group_sum(f, a, ga, &sa) == 0;
		int hsb = group_sum(f, bb, gb, &sb) == 0;

		if (!hla && !hlb && !hsa && !hsb)
			continue;
		sbuf_printf(b, "| %s | ", f->label);
		figure_cells(b, o, lw.s, f, hla, la, hlb, lb, 0);
		sbuf_puts(b, " | ");
		figure_cells(b, o, sw.s, f, hsa, sa, hsb, sb, 0);
		sbuf_puts(b, " |\n");
	}
	sbuf_free(&lw);
	sbuf_free(&sw);
}

/* The pairs of units compared, in order, for the later sections. */
struct pair {
	const struct unit *a, *b;
};

static void
component(struct sbuf *b, struct outcome *o, const char *name,
    const struct run *a, const struct run *bb, struct pair **pairs,
    size_t *npairs)
{
	struct group ga, gb;
	size_t i;

	group_of(a, name, &ga);
	group_of(bb, name, &gb);
	sbuf_puts(b, "\n### ");
	md_text(b, name);
	sbuf_puts(b, "\n\n");
	if (ga.n == 0 || gb.n == 0) {
		sbuf_printf(b, "Profiled only in %s: not compared.\n",
		    ga.n ? "A" : "B");
		sbuf_puts(&o->missing, "- ");
		md_text(&o->missing, name);
		sbuf_printf(&o->missing, ": profiled only in %s.\n",
		    ga.n ? "A" : "B");
	} else if (ga.n == 1 && gb.n == 1) {
		overview(b, o, a, ga.u[0], bb, gb.u[0]);
	} else {
		component_table(b, o, name, a, &ga, bb, &gb);
		for (i = 0; i < ga.n && i < gb.n; i++) {
			sbuf_puts(b, "\n#### Replica ");
			md_text(b, ga.u[i]->name);
			sbuf_puts(b, " (A) vs ");
			md_text(b, gb.u[i]->name);
			sbuf_puts(b, " (B)\n\n");
			overview(b, o, a, ga.u[i], bb, gb.u[i]);
		}
		if (ga.n != gb.n) {
			size_t d = ga.n > gb.n ? ga.n - gb.n : gb.n - ga.n;

			sbuf_printf(b, "\n%zu replica%s of %s not matched: %s "
			    "in the sums only.\n", d, d > 1 ? "s" : "",
			    ga.n > gb.n ? "A" : "B", d > 1 ? "their figures are" :
			    "its figures are");
		}
	}
	for (i = 0; i < ga.n && i < gb.n; i++) {
		*pairs = xrealloc(*pairs, (*npairs + 1) * sizeof **pairs);
		(*pairs)[*npairs].a = ga.u[i];
		(*pairs)[(*npairs)++].b = gb.u[i];
	}
	free(ga.u);
	free(gb.u);
}

/* The typical interval between two profiles of one process, seconds. */
static double
median_step(const double *x, const int64_t *seg, size_t n)
{
	double *d = xrealloc(NULL, (n + 1) * sizeof *d), m;
	size_t i, k = 0, j;

	for (i = 1; i < n; i++)
		if (seg[i] == seg[i - 1])
			d[k++] = x[i] - x[i - 1];
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && d[j - 1] > d[j]; j--) {
			double t = d[j];

			d[j] = d[j - 1];
			d[j - 1] = t;
		}
	m = k > 0 ? d[k / 2] : 0;
	free(d);
	return m;
}

/* Both runs' heap in use on one time grid, one line each. */
static void
overlay(struct sbuf *b, const struct run *ra, const struct unit *ua,
    const struct run *rb, const struct unit *ub)
{
	const struct tsv *t[2] = { &ua->heap, &ub->heap };
	const struct run *r[2] = { ra, rb };
	double *x[2], *y[2], *gx, *gy[2], g0 = INFINITY, end = -INFINITY;
	double step, m;
	int64_t *seg[2];
	const double *ys[2];
	size_t npts, s, i, len[2];
	struct sbuf title = SBUF_INIT;

	for (s = 0; s < 2; s++) {
		x[s] = run_elapsed(r[s], t[s]);
		y[s] = run_column(t[s], run_value_col(t[s]));
		seg[s] = run_segments(t[s]);
		if (x[s][0] < g0)
			g0 = x[s][0];
		if (x[s][t[s]->nrows - 1] > end)
			end = x[s][t[s]->nrows - 1];
	}
	step = (end - g0) / (double)(report_opt.points - 1);
	for (s = 0; s < 2; s++)
		if ((m = median_step(x[s], seg[s], t[s]->nrows)) > step)
			step = m;
	if (step <= 0)
		step = 1;
	npts = (size_t)floor((end - g0) / step + 0.5) + 1;
	if (npts > report_opt.points)
		npts = report_opt.points;
	gx = xrealloc(NULL, (npts + 1) * sizeof *gx);
	for (i = 0; i < npts; i++)
		gx[i] = g0 + step * (double)i;
	for (s = 0; s < 2; s++) {
		gy[s] = xrealloc(NULL, (npts + 1) * sizeof *gy[s]);
		len[s] = md_grid_line(x[s], y[s], seg[s], t[s]->nrows, g0, step,
		    npts, gy[s]);
		ys[s] = gy[s];
	}
	sbuf_puts(b, "\n### ");
	md_text(b, ua->name);
	if (strcmp(ua->name, ub->name) != 0) {
		sbuf_puts(b, " (A) vs ");
		md_text(b, ub->name);
		sbuf_puts(b, " (B)");
	}
	sbuf_puts(b, "\n\n");
	sbuf_printf(&title, "%s: heap in use (MiB), first line A, second "
	    "line B", ua->name);
	md_xychart(b, title.s, "time since the test started", "MiB", gx, ys,
	    len, 2, npts, 1048576.0);
	sbuf_puts(b, "\nOne time grid for both runs: each point is the "
	    "highest value of that run's profiles within half a step of its "
	    "time; a line is at 0 where its run has no profile (before the "
	    "first, between two processes) and stops at its run's last "
	    "profile.\n");
	for (s = 0; s < 2; s++) {
		free(x[s]);
		free(y[s]);
		free(seg[s]);
		free(gy[s]);
	}
	free(gx);
	sbuf_free(&title);
}

/*
 * The A-vs-B pprof file of a unit: e2e-profile compare writes
 * DIFFDIR.pprof/UNIT.KIND.pb.gz beside DIFFDIR, and the report beside
 * both, so the link is relative to DIFFDIR's parent.
 */
static void
compare_pprof_link(struct sbuf *b, const char *diffdir, const char *unit,
    const char *kind)
{
	struct sbuf dir = SBUF_INIT, href = SBUF_INIT;
	const char *base = strrchr(diffdir, '/');

	sbuf_printf(&dir, "%s.pprof", diffdir);
	sbuf_printf(&href, "%s.pprof", base != NULL ? base + 1 : diffdir);
	if (!dir.oom && !href.oom)
		run_pprof_link(b, dir.s, href.s, unit, kind,
		    "B with A as its diff base");
	sbuf_free(&dir);
	sbuf_free(&href);
}

static void
diff_table(struct sbuf *b, const char *diffdir, const struct pair *p,
    const char *kind, const char *pb, const char *title, enum md_unit f)
{
	const char *name = p->a->name;
	size_t n = strlen(diffdir) + strlen(name) + strlen(p->b->name) +
	    strlen(kind) + 7, i, shown;
	char *path = xrealloc(NULL, n), err[512];
	struct tsv t;
	int ac, bc, dc, pc, nc;

	/* A pair matched by role across names: DIFFS/A-vs-B.KIND. */
	if (strcmp(name, p->b->name) == 0)
		snprintf(path, n, "%s/%s%s", diffdir, name, kind);
	else
		snprintf(path, n, "%s/%s-vs-%s%s", diffdir, name, p->b->name,
		    kind);
	sbuf_puts(b, "\n### ");
	md_text(b, name);
	sbuf_printf(b, ": %s\n\n", title);
	compare_pprof_link(b, diffdir, name, pb);
	if (run_load_tsv(&t, path, err, sizeof err) != 0) {
		if (t.missing)
			sbuf_puts(b, "No diff: one of the runs has no such "
			    "profiles.\n");
		else {
			sbuf_puts(b, "Unreadable diff: ");
			md_text(b, err);
			sbuf_putc(b, '\n');
		}
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
		double va = 0, vb = 0, d = 0, pct;

		tsv_double(&t, i, ac, &va);
		tsv_double(&t, i, bc, &vb);
		if (tsv_double(&t, i, dc, &d) != 0 || d == 0)
			continue;
		shown++;
		sbuf_puts(b, "| ");
		md_name(b, run_raw(tsv_cell(&t, i, nc)), 70);
		sbuf_puts(b, " | ");
		md_figure(b, f, va);
		sbuf_puts(b, " | ");
		md_figure(b, f, vb);
		sbuf_puts(b, " | ");
		put_change(b, f, d);
		sbuf_puts(b, " | ");
		if (tsv_double(&t, i, pc, &pct) != 0)
			sbuf_puts(b, "new |\n");
		else
			sbuf_printf(b, "%.2f%% |\n", pct);
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
categories(struct sbuf *b, const struct pair *p)
{
	const struct unit *ua = p->a, *ub = p->b;
	struct run_cats c = { NULL, 0 };
	size_t k;

	run_cats_of(&ua->heap, &c);
	run_cats_of(&ub->heap, &c);
	run_cats_of(&ua->cpu, &c);
	run_cats_of(&ub->cpu, &c);
	sbuf_puts(b, "\n### ");
	md_text(b, ua->name);
	sbuf_puts(b, "\n\n");
	if (c.n == 0) {
		sbuf_puts(b, "No categorised profiles.\n");
		return;
	}
	sbuf_puts(b, "| category | A: peak heap | B: peak heap | change | "
	    "A: CPU | B: CPU | change |\n| --- | ---: | ---: | ---: | ---: | "
	    "---: | ---: |\n");
	for (k = 0; k < c.n; k++) {
		sbuf_puts(b, "| ");
		md_text(b, run_raw(c.names[k]));
		sbuf_puts(b, " | ");
		share_pair(b, run_share(&ua->heap, c.names[k], RUN_PEAK),
		    run_share(&ub->heap, c.names[k], RUN_PEAK));
		sbuf_puts(b, " ");
		share_pair(b, run_share(&ua->cpu, c.names[k], RUN_SUM),
		    run_share(&ub->cpu, c.names[k], RUN_SUM));
		sbuf_putc(b, '\n');
	}
	free(c.names);
}

/* Durations and restarts: what a reader must know before the figures. */
static void
caveats(struct sbuf *b, const struct run *a, const struct run *bb)
{
	const struct run *runs[2] = { a, bb };
	double da, db;
	size_t s, i;

	if (num_double(run_info(a, "duration_s", ""), &da) == 0 &&
	    num_double(run_info(bb, "duration_s", ""), &db) == 0 && da > 0 &&
	    fabs(db - da) / da * 100 > 10) {
		sbuf_puts(b, "\n**The runs' durations differ by more than 10%** "
		    "(A ran ");
		md_duration(b, da);
		sbuf_puts(b, ", B ran ");
		md_duration(b, db);
		sbuf_puts(b, "): judge them by the rates and levels; the "
		    "totals beside them follow the length of the run.\n");
	}
	for (s = 0; s < 2; s++)
		for (i = 0; i < runs[s]->nunits; i++) {
			int n = run_restarts(&runs[s]->units[i]);

			if (n <= 0)
				continue;
			sbuf_printf(b, "\n**%s's ", s ? "B" : "A");
			md_text(b, runs[s]->units[i].name);
			sbuf_printf(b, " restarted %d time%s**: its figures are "
			    "measured within each process and summed.\n", n,
			    n > 1 ? "s" : "");
		}
}

void
report_compare(struct sbuf *b, const struct run *a, const struct run *bb,
    const char *diffdir)
{
	struct outcome o = { SBUF_INIT, SBUF_INIT, 0, 0 };
	struct pair *pairs = NULL;
	const char **names;
	size_t n = component_names(a, bb, &names), np = 0, i;
	int ph;

	sbuf_puts(b, "# e2e profile comparison: ");
	md_text(b, run_info(a, "name", a->name));
	sbuf_puts(b, " vs ");
	md_text(b, run_info(bb, "name", bb->name));
	sbuf_puts(b, "\n\n");
	run_line(b, "A", a);
	run_line(b, "B", bb);
	sbuf_printf(b, "\nVerdicts are on levels and rates; totals are shown "
	    "beside them, not judged. A change is *within noise* when it is "
	    "at most %.0f%% of A's value or below the figure's floor (1 MB "
	    "of heap, 1 MB a minute, 0.05 cores, 5 goroutines). Sizes are "
	    "pprof's: 1 MB is 1 MiB.\n", report_opt.noise);
	caveats(b, a, bb);
	sbuf_puts(b, "\n## Overview\n");
	for (i = 0; i < n; i++)
		component(b, &o, names[i], a, bb, &pairs, &np);
	sbuf_puts(b, "\n## Memory timelines\n");
	for (i = 0; i < np; i++)
		if (run_has_rows(&pairs[i].a->heap) &&
		    run_has_rows(&pairs[i].b->heap))
			overlay(b, a, pairs[i].a, bb, pairs[i].b);
	for (i = 0, ph = 0; i < np; i++)
		ph |= pairs[i].a->phases.ncols > 0 || pairs[i].a->phases_err ||
		    pairs[i].b->phases.ncols > 0 || pairs[i].b->phases_err;
	if (ph)
		sbuf_puts(b, "\n## Phases\n\nPhases matched by name (the "
		    "k-th phase of a name in A with the k-th in B): each "
		    "phase's heap growth and allocation, judged as the "
		    "figures above (1 MB floor).\n");
	for (i = 0; ph && i < np; i++)
		o.nfind += phases_compare(b, &o.findings, pairs[i].a,
		    pairs[i].b);
	sbuf_puts(b, "\n## Top allocators at the peak\n");
	for (i = 0; i < np; i++)
		diff_table(b, diffdir, &pairs[i], ".heap.peak.diff.tsv",
		    "heap-peak", "heap in use at the peak, by function", MD_BYTES);
	sbuf_puts(b, "\n## CPU\n");
	for (i = 0; i < np; i++)
		diff_table(b, diffdir, &pairs[i], ".cpu.top.diff.tsv", "cpu",
		    "CPU by function, all windows", MD_NANOS);
	sbuf_puts(b, "\n## Categories\n");
	for (i = 0; i < np; i++)
		categories(b, &pairs[i]);
	sbuf_puts(b, "\n## Key findings\n\n");
	if (o.nfind > 0)
		sbuf_put(b, o.findings.s, o.findings.len);
	else if (o.ncompared > 0)
		sbuf_puts(b, "Every compared figure is within noise.\n");
	else
		sbuf_puts(b, "Nothing could be compared: no component has "
		    "profiles in both runs.\n");
	if (o.missing.len > 0) {
		sbuf_puts(b, "\nNot compared:\n\n");
		sbuf_put(b, o.missing.s, o.missing.len);
	}
	sbuf_free(&o.findings);
	sbuf_free(&o.missing);
	free(pairs);
	free(names);
}
