/*
 * set-stats - the statistics of two sets of runs, figure by figure:
 * median, range, a confidence interval of the median and a two-sided
 * Mann-Whitney U test, and a verdict that calls a change a regression
 * or an improvement only when the test and the figure's floor agree.
 *
 * One run against one run decides nothing on a noisy CI runner; five
 * against five can, and when the sets are too small for the test to
 * reach the 5 % level whatever the numbers, the verdict says "too few
 * runs" instead of guessing. --figures makes the input: one row per run,
 * unit and figure, from each run's analysis/ series summaries.
 *
 * Why these methods: the runs are few (2 to 10) and their figures are
 * skewed (a slow runner makes everything slower at once), so nothing
 * here assumes a distribution. The confidence interval of the median is
 * the order-statistic one (two order statistics around the median, with
 * the binomial coverage computed exactly, and said when it cannot reach
 * 95 %); a bootstrap on five values would only resample the same five.
 * The U test is exact, from the counts of every arrangement, when there
 * are no ties and both sets have at most 25 runs; otherwise it is the
 * normal approximation with the tie and continuity corrections (as R's
 * wilcox.test and scipy's mannwhitneyu do).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "sbuf.h"
#include "set-stats.h"
#include "tsv.h"
#include "version.h"

#define ALPHA 0.05
#define EXACT_MAX 25		/* runs per set for the exact U test */

static double noise = 10;	/* percent of A's median */

static void usage(void);

/* ---- the statistics -------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *x, size_t n)
{
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/*
 * The distribution-free interval of the median of sorted x: the k-th
 * smallest and k-th largest values, for the largest k whose coverage
 * 1 - 2 P(Bin(n, 1/2) < k) is at least 95 %; with fewer than 6 values
 * no k reaches it and the interval is the range, at its own coverage.
 */
static void
median_ci(const double *x, size_t n, double *lo, double *hi, double *conf)
{
	double tail = 0, c = 1, p = pow(0.5, (double)n);
	size_t k, best = 1;
	double best_conf = 1 - 2 * p;

	for (k = 1; k <= n / 2; k++) {
		/* tail = P(Bin <= k - 1); c = C(n, k - 1). */
		tail += c * p;
		c = c * (double)(n - k + 1) / (double)k;
		if (1 - 2 * tail < 0.95)
			break;
		best = k;
		best_conf = 1 - 2 * tail;
	}
	*lo = x[best - 1];
	*hi = x[n - best];
	*conf = best_conf;
}

/*
 * The number of arrangements of m values of A among n of B that give
 * each U, 0..mn: the coefficients of the Gaussian binomial [m+n, m]_q,
 * built as prod (1 - q^(n+i)) / (1 - q^i). Exact in doubles while
 * C(m+n, m) < 2^53 (m, n <= 25).
 */
static double *
u_counts(size_t m, size_t n)
{
	size_t len = m * n + 1, i, k;
	double *c = xrealloc(NULL, len * sizeof *c);

	memset(c, 0, len * sizeof *c);
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t a = n + i;

		for (k = len; k-- > a;)
			c[k] -= c[k - a];
		for (k = i; k < len; k++)
			c[k] += c[k - i];
	}
	return c;
}

struct utest {
	double u;		/* pairs with b > a, ties counting 1/2 */
	double p;
	double min_p;		/* the smallest p any data could give */
	const char *method;
};

static void
mann_whitney(const double *a, size_t m, const double *b, size_t n,
    struct utest *t)
{
	size_t i, j, N = m + n;
	double ties = 0, mu = (double)m * (double)n / 2, total = 1;
	double *all = xrealloc(NULL, N * sizeof *all);

	t->u = 0;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			t->u += b[j] > a[i] ? 1 : b[j] == a[i] ? 0.5 : 0;
	memcpy(all, a, m * sizeof *a);
	memcpy(all + m, b, n * sizeof *b);
	qsort(all, N, sizeof *all, cmp_double);
	for (i = 0; i < N; i = j) {
		for (j = i + 1; j < N && all[j] == all[i]; j++)
			;
		ties += pow((double)(j - i), 3) - (double)(j - i);
	}
	free(all);
	for (i = 1; i <= m; i++)
		total = total * (double)(n + i) / (double)i;
	t->min_p = fmin(1, 2 / total);
	if (ties == 0 && m <= EXACT_MAX && n <= EXACT_MAX) {
		double *c = u_counts(m, n), lo = 0, hi = 0;
		size_t k, u = (size_t)t->u;

		for (k = 0; k <= m * n; k++) {
			if (k <= u)
				lo += c[k];
			if (k >= u)
				hi += c[k];
		}
		free(c);
		t->p = fmin(1, 2 * fmin(lo, hi) / total);
		t->method = "exact";
	} else {
		double var = (double)m * (double)n / 12 *
		    ((double)N + 1 - ties / ((double)N * (double)(N - 1)));
		double z = fabs(t->u - mu) - 0.5;

		t->p = var <= 0 || z <= 0 ? 1 : erfc(z / sqrt(var) / sqrt(2));
		t->method = "normal";
	}
}

/* ---- the two sets ---------------------------------------------------- */

struct cell {
	char *unit, *figure, *component;
	double *v[2];
	char **runs[2];
	size_t n[2];
};

static struct cell *cells;
static size_t ncells;
static int data_error = 1;	/* the exit status of bad input: 2 with --budget */

static struct cell *
cell_of(const char *unit, const char *figure)
{
	size_t i;

	for (i = 0; i < ncells; i++)
		if (strcmp(cells[i].unit, unit) == 0 &&
		    strcmp(cells[i].figure, figure) == 0)
			return &cells[i];
	cells = xrealloc(cells, (ncells + 1) * sizeof *cells);
	memset(&cells[ncells], 0, sizeof cells[ncells]);
	cells[ncells].unit = xstrdup(unit);
	cells[ncells].figure = xstrdup(figure);
	return &cells[ncells++];
}

static int
has_run(const struct cell *c, int side, const char *run)
{
	size_t j;

	for (j = 0; j < c->n[side]; j++)
		if (strcmp(c->runs[side][j], run) == 0)
			return 1;
	return 0;
}

static void
add_value(struct cell *c, int side, const char *run, double v)
{
	c->v[side] = xrealloc(c->v[side], (c->n[side] + 1) *
	    sizeof *c->v[side]);
	c->runs[side] = xrealloc(c->runs[side], (c->n[side] + 1) *
	    sizeof *c->runs[side]);
	c->v[side][c->n[side]] = v;
	c->runs[side][c->n[side]++] = xstrdup(run);
}

static void
read_set(const char *path, int side)
{
	struct tsv t;
	char err[512];
	int cr, cu, cc, cf, cv;
	size_t i;

	if (tsv_load(&t, path, err, sizeof err) != 0)
		msg_die(data_error, "%s", err);
	cr = tsv_col(&t, "run");
	cu = tsv_col(&t, "unit");
	cc = tsv_col(&t, "component");
	cf = tsv_col(&t, "figure");
	cv = tsv_col(&t, "value");
	if (cr < 0 || cu < 0 || cf < 0 || cv < 0)
		msg_die(data_error, "%s: expected the columns run, unit, figure, value "
		    "(set-stats --figures)", path);
	for (i = 0; i < t.nrows; i++) {
		struct cell *c = cell_of(tsv_cell(&t, i, cu),
		    tsv_cell(&t, i, cf));
		const char *run = tsv_cell(&t, i, cr);
		double v;

		if (tsv_double(&t, i, cv, &v) != 0 || !isfinite(v))
			msg_die(data_error, "%s: row %zu: value is not a "
			    "number", path, i + 1);
		if (c->component == NULL)
			c->component = xstrdup(cc >= 0 ? tsv_cell(&t, i, cc) :
			    c->unit);
		if (has_run(c, side, run))
			msg_die(data_error, "%s: run %s has %s of %s twice",
			    path, run, c->figure, c->unit);
		add_value(c, side, run, v);
	}
	tsv_free(&t);
}

/* The index of the cell of unit and figure, or ncells. */
static size_t
cell_find(const char *unit, const char *figure)
{
	size_t i;

	for (i = 0; i < ncells; i++)
		if (strcmp(cells[i].unit, unit) == 0 &&
		    strcmp(cells[i].figure, figure) == 0)
			break;
	return i;
}

/* Whether run r of side s has more than one unit of component comp. */
static int
replicas(const char *comp, int s, const char *r)
{
	const char *unit = NULL;
	size_t i;

	for (i = 0; i < ncells; i++)
		if (figure_rank(cells[i].figure) < (int)NFIGURES &&
		    strcmp(cells[i].component, comp) == 0 &&
		    has_run(&cells[i], s, r)) {
			if (unit != NULL && strcmp(unit, cells[i].unit) != 0)
				return 1;
			unit = cells[i].unit;
		}
	return 0;
}

/*
 * A run in which a component has one unit has no component-level rows:
 * that unit is the component's leader and its sum. Where the other runs
 * have such rows (a set of two replicas against a set of one), its
 * figures are added to them, so that the component compares across.
 */
static void
lone_units(void)
{
	size_t i, j, k, n = ncells;
	char f[32];
	int s, sc;

	for (i = 0; i < n; i++) {
		if (figure_rank(cells[i].figure) >= (int)NFIGURES)
			continue;
		for (sc = 1; sc < NSCOPES; sc++) {
			snprintf(f, sizeof f, "%s%s", scopes[sc],
			    cells[i].figure);
			if ((k = cell_find(cells[i].component, f)) == ncells)
				continue;
			for (s = 0; s < 2; s++)
				for (j = 0; j < cells[i].n[s]; j++)
					if (!has_run(&cells[k], s,
					    cells[i].runs[s][j]) &&
					    !replicas(cells[i].component, s,
					    cells[i].runs[s][j]))
						add_value(&cells[k], s,
						    cells[i].runs[s][j],
						    cells[i].v[s][j]);
		}
	}
}

static int
cmp_cell(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;
	int c = strcmp(x->unit, y->unit);
	int rx = figure_rank(x->figure), ry = figure_rank(y->figure);

	if (c != 0)
		return c;
	if (rx != ry)
		return rx - ry;
	return strcmp(x->figure, y->figure);
}

static void
put_side(const double *x, size_t n)
{
	double lo, hi, conf;

	if (n == 0) {
		printf("0\t-\t-\t-\t-\t-\t-\t");
		return;
	}
	median_ci(x, n, &lo, &hi, &conf);
	printf("%zu\t%.15g\t%.15g\t%.15g\t%.15g\t%.15g\t%.2f\t", n,
	    median(x, n), x[0], x[n - 1], lo, hi, 100 * conf);
}

/*
 * Regression or improvement only when the test says so at 5 % and the
 * change of the medians exceeds both the figure's floor and the noise
 * percentage of A's median, as md-report compare judges one pair.
 */
static const char *
verdict(const struct cell *c, const struct utest *t, double delta)
{
	double floor = figure_floor(c->figure);
	double ma = median(c->v[0], c->n[0]);

	if (t->min_p >= ALPHA)
		return "too few runs";
	if (t->p >= ALPHA || fabs(delta) <= floor ||
	    (ma != 0 && fabs(delta) / fabs(ma) * 100 <= noise))
		return "within noise";
	return delta > 0 ? "regression" : "improvement";
}

/* Sorts both sides' values, which median and the CI need. */
static void
sort_cell(struct cell *c)
{
	int i;

	for (i = 0; i < 2; i++)
		if (c->n[i] > 0)
			qsort(c->v[i], c->n[i], sizeof *c->v[i], cmp_double);
}

static void
put_cell(struct cell *c)
{
	struct utest t;
	double ma, delta;

	sort_cell(c);
	printf("%s\t%s\t", c->unit, c->figure);
	put_side(c->v[0], c->n[0]);
	put_side(c->v[1], c->n[1]);
	if (c->n[0] == 0 || c->n[1] == 0) {
		printf("-\t-\t-\t-\t-\t%s\n", c->n[0] ? "missing in b" :
		    "missing in a");
		return;
	}
	mann_whitney(c->v[0], c->n[0], c->v[1], c->n[1], &t);
	ma = median(c->v[0], c->n[0]);
	delta = median(c->v[1], c->n[1]) - ma;
	printf("%.15g\t", delta);
	if (ma != 0)
		printf("%.2f\t", 100 * delta / fabs(ma));
	else
		printf("-\t");
	printf("%g\t%.4g\t%s\t%s\n", t.u, t.p, t.method, verdict(c, &t, delta));
}

static void
compare_sets(const char *a, const char *b)
{
	size_t i;

	read_set(a, 0);
	read_set(b, 1);
	lone_units();
	if (ncells > 1)
		qsort(cells, ncells, sizeof *cells, cmp_cell);
	printf("##a\t%s\n##b\t%s\n", a, b);
	printf("##test\tMann-Whitney U, two-sided: exact without ties and "
	    "at most %d runs a set, else normal with tie and continuity "
	    "corrections\n", EXACT_MAX);
	printf("##ci\tmedian, distribution-free from order statistics, "
	    "at least 95 %% when n >= 6 (coverage in ci%%)\n");
	printf("##alpha\t%g\n##noise\t%g\n", ALPHA, noise);
	printf("#unit\tfigure\tn_a\tmedian_a\tmin_a\tmax_a\tci_low_a\t"
	    "ci_high_a\tci%%_a\tn_b\tmedian_b\tmin_b\tmax_b\tci_low_b\t"
	    "ci_high_b\tci%%_b\tdelta\tdelta%%\tu\tp\tmethod\tverdict\n");
	for (i = 0; i < ncells; i++)
		put_cell(&cells[i]);
}

/* ---- --budget: the limits a run must keep -------------------------- */

struct budget {
	char *name, *figure;	/* a unit, a component, or "*" */
	double limit, rel;	/* rel: percent over the baseline */
	int has_limit, has_rel;
};

/* A limit: a number, or a byte count with a k, M or G suffix. */
static int
parse_limit(const char *s, double *v)
{
	size_t n;

	if (num_double(s, v) == 0)
		return isfinite(*v) ? 0 : -1;
	if (num_size(s, &n) != 0)
		return -1;
	*v = (double)n;
	return 0;
}

static int
parse_rel(const char *s, double *v)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	sbuf_puts(&b, s);
	if (b.len > 0 && b.s[b.len - 1] == '%')
		b.s[--b.len] = '\0';
	rc = b.oom || num_double(b.s, v) != 0 || !isfinite(*v) ? -1 : 0;
	sbuf_free(&b);
	return rc;
}

static size_t
read_budget(const char *path, struct budget **out)
{
	struct tsv t;
	char err[512];
	int cu, cf, cl, cr;
	size_t i, n = 0;
	struct budget *b;

	if (tsv_load(&t, path, err, sizeof err) != 0)
		msg_die(2, "%s", err);
	cu = tsv_col(&t, "unit");
	cf = tsv_col(&t, "figure");
	cl = tsv_col(&t, "limit");
	cr = tsv_col(&t, "relative");
	if (cu < 0 || cf < 0 || cl < 0)
		msg_die(2, "%s: expected the columns unit, figure, limit and "
		    "optionally relative", path);
	b = xrealloc(NULL, (t.nrows + 1) * sizeof *b);
	for (i = 0; i < t.nrows; i++, n++) {
		const char *l = tsv_cell(&t, i, cl);
		const char *r = cr >= 0 ? tsv_cell(&t, i, cr) : "-";

		memset(&b[n], 0, sizeof b[n]);
		b[n].name = xstrdup(tsv_cell(&t, i, cu));
		b[n].figure = xstrdup(tsv_cell(&t, i, cf));
		if (*b[n].name == '\0' || figure_rank(b[n].figure) == NRANKS)
			msg_die(2, "%s: row %zu: no unit, or an unknown figure "
			    "%s", path, i + 1, b[n].figure);
		b[n].has_limit = strcmp(l, "-") != 0;
		b[n].has_rel = strcmp(r, "-") != 0;
		if ((b[n].has_limit && parse_limit(l, &b[n].limit) != 0) ||
		    (b[n].has_rel && parse_rel(r, &b[n].rel) != 0) ||
		    (!b[n].has_limit && !b[n].has_rel))
			msg_die(2, "%s: row %zu: a limit is a number (or "
			    "bytes with k, M, G), a relative limit a percentage, "
			    "and one is needed", path, i + 1);
	}
	tsv_free(&t);
	*out = b;
	return n;
}

static void
put_num(double v, int has)
{
	if (has)
		printf("%.15g\t", v);
	else
		printf("-\t");
}

/* One budget against one unit's figure; returns the verdict's status. */
static int
check_cell(const struct budget *b, const struct cell *c, int baseline)
{
	double value, base = 0, allowed = INFINITY;
	const char *verdict;
	int rc = 0;

	printf("%s\t%s\t", c->unit, c->figure);
	if (c->n[0] == 0) {
		printf("-\t");
		put_num(b->limit, b->has_limit);
		printf("-\t-\tmissing\n");
		return 2;
	}
	value = median(c->v[0], c->n[0]);
	if (b->has_limit)
		allowed = b->limit;
	if (b->has_rel && (!baseline || c->n[1] == 0)) {
		verdict = "no baseline";
		rc = 2;
	} else {
		if (b->has_rel) {
			base = median(c->v[1], c->n[1]);
			allowed = fmin(allowed, base + fabs(base) * b->rel / 100);
		}
		verdict = value > allowed ? "over" : "ok";
		rc = value > allowed;
	}
	printf("%.15g\t", value);
	put_num(b->limit, b->has_limit);
	put_num(base, b->has_rel && rc != 2);
	put_num(allowed, rc != 2);
	printf("%s\n", verdict);
	return rc;
}

/*
 * Every budget against every unit it names (a unit, a component, or *):
 * 0 when all hold, 1 when one is over, 2 when data to judge one is
 * missing (it matters more: the run cannot be vouched for).
 */
static int
check_budgets(const char *budget, const char *run, const char *base)
{
	struct budget *b;
	size_t nb = read_budget(budget, &b), i, j;
	int worst = 0;

	read_set(run, 0);
	if (base != NULL)
		read_set(base, 1);
	lone_units();
	if (ncells > 1)
		qsort(cells, ncells, sizeof *cells, cmp_cell);
	for (i = 0; i < ncells; i++)
		sort_cell(&cells[i]);
	printf("##budget\t%s\n##run\t%s\n##baseline\t%s\n", budget, run,
	    base != NULL ? base : "-");
	printf("#unit\tfigure\tvalue\tlimit\tbaseline\tallowed\tverdict\n");
	for (i = 0; i < nb; i++) {
		size_t matched = 0, sum;
		char f[32];

		/* A component's plain figure is its sum, where it has one. */
		snprintf(f, sizeof f, "sum_%s", b[i].figure);
		sum = strcmp(b[i].name, "*") != 0 ? cell_find(b[i].name, f) :
		    ncells;
		for (j = 0; j < ncells; j++) {
			const struct cell *c = &cells[j];
			int rc;

			if (sum < ncells ? j != sum :
			    strcmp(c->figure, b[i].figure) != 0 ||
			    (strcmp(b[i].name, "*") != 0 &&
			    strcmp(b[i].name, c->unit) != 0 &&
			    strcmp(b[i].name, c->component) != 0))
				continue;
			matched++;
			rc = check_cell(&b[i], c, base != NULL);
			if (rc == 2 || (rc == 1 && worst == 0))
				worst = rc;
		}
		if (matched == 0) {
			printf("%s\t%s\t-\t", b[i].name, b[i].figure);
			put_num(b[i].limit, b[i].has_limit);
			printf("-\t-\tmissing\n");
			worst = 2;
		}
		free(b[i].name);
		free(b[i].figure);
	}
	free(b);
	return worst;
}

/*
 * A budget from a baseline: per unit and figure, its median plus the
 * margin (percent of it) or the figure's floor, whichever is larger, so
 * that a figure near 0 is not held to its noise.
 */
static void
budget_from(const char *base, double margin)
{
	size_t i;

	read_set(base, 0);
	if (ncells > 1)
		qsort(cells, ncells, sizeof *cells, cmp_cell);
	printf("##margin\t%g\n", margin);
	printf("#unit\tfigure\tlimit\trelative\n");
	for (i = 0; i < ncells; i++) {
		struct cell *c = &cells[i];
		double m;

		if (figure_rank(c->figure) == NRANKS || c->n[0] == 0)
			continue;
		sort_cell(c);
		m = median(c->v[0], c->n[0]);
		/* A heap that shrank in the baseline must not forbid one
		 * that stays flat. */
		printf("%s\t%s\t%.15g\t-\n", c->unit, c->figure,
		    (strstr(c->figure, "heap_slope") != NULL ? fmax(m, 0) : m) +
		    fmax(fabs(m) * margin / 100, figure_floor(c->figure)));
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "budget", required_argument, NULL, 'b' },
		{ "budget-from", required_argument, NULL, 'm' },
		{ "figures", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "noise", required_argument, NULL, 'N' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *budget = NULL;
	double margin = -1;
	int ch, i, fig = 0, rval = 0;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			budget = optarg;
			data_error = 2;
			break;
		case 'f':
			fig = 1;
			break;
		case 'm':
			if (num_double(optarg, &margin) != 0 || margin < 0 ||
			    !isfinite(margin))
				msg_die(2, "--budget-from: not a percentage: %s",
				    optarg);
			break;
		case 'h':
			printf("usage: set-stats [--noise pct] a.tsv b.tsv\n"
			    "       set-stats --figures run ...\n"
			    "       set-stats --budget file run.tsv "
			    "[baseline.tsv]\n"
			    "       set-stats --budget-from pct baseline.tsv\n"
			    "Median, 95%% CI and Mann-Whitney U per figure of "
			    "two sets of runs.\nSee set-stats(1).\n");
			exit(0);
		case 'N':
			if (num_double(optarg, &noise) != 0 || noise < 0)
				msg_die(2, "--noise: not a percentage: %s",
				    optarg);
			break;
		case 'V':
			printf("set-stats %s\n", E2E_PROFILE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (fig + (budget != NULL) + (margin >= 0) > 1)
		msg_die(2, "--figures, --budget and --budget-from do not go "
		    "together");
	if (budget != NULL ? argc < 1 || argc > 2 : fig ? argc < 1 :
	    margin >= 0 ? argc != 1 : argc != 2)
		usage();
	if (margin >= 0)
		budget_from(argv[0], margin);
	else if (budget != NULL)
		rval = check_budgets(budget, argv[0], argc == 2 ? argv[1] : NULL);
	else if (fig) {
		printf("#run\tunit\tcomponent\tfigure\tvalue\n");
		for (i = 0; i < argc; i++)
			rval |= figures_of(argv[i]);
	} else
		compare_sets(argv[0], argv[1]);
	if (msg_close_stdout() != 0)
		return budget != NULL ? 2 : 1;
	return rval;
}

static void
usage(void)
{
	fprintf(stderr, "usage: set-stats [--noise pct] a.tsv b.tsv\n"
	    "       set-stats --figures run ...\n"
	    "       set-stats --budget file run.tsv [baseline.tsv]\n"
	    "       set-stats --budget-from pct baseline.tsv\n");
	exit(2);
}
